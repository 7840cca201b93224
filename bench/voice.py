"""Voice mode benchmark: the detector voice.js ships against Silero VAD, on the same recordings.

    python bench/voice.py                       # the shipped detector only
    python bench/voice.py --silero DIR          # also Silero v5 (DIR: the unpacked npm packages
                                                # @ricky0123/vad-web and onnxruntime-web)

Recordings (made as tests/test_voice_mode.py makes them): Piper speech with a pause inside
the line, clean and at 10 dB SNR over pink noise and over pink noise plus 50 Hz hum; and
60 s of noise alone (pink at -35 dBFS, hum, both). Prints for each detector:

- the advance latency after the end of speech (target: the pause setting + <= 150 ms, median);
- missed and false advances per 100 lines, and false advances in the noise files (target 0);
- the compute per second of audio; and, live in Chromium (fake microphone), the end-to-end
  latency and the CPU time per second of listening;
- the page weight with and without voice mode (and what Silero would add).

The shipped detector runs as voice.js itself, in Chromium; Silero runs in Python's
onnxruntime (native, so faster than onnxruntime-web's wasm would be) behind the same
end-of-line rules. Neither offline run has the browser's noise suppression in front of it.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_voice_mode import (  # noqa: E402
    PAUSE,
    RATE,
    SCRIPT,
    hum,
    line,
    mic_browser,
    over_noise,
    pink,
    speech,
    write,
)

from runthru_build.commands.build import build  # noqa: E402

TEXTS = ["Now is the winter of our discontent", "made glorious summer by this sun of York",
         "and all the clouds that lowered upon our house", "in the deep bosom of the ocean buried",
         "I do not know what you mean by that", "Go, and tell the others I am coming",
         "If music be the food of love, play on", "Give me excess of it, that surfeiting"]
RUN_MS = 85                 # as voice.js


def corpus() -> tuple[list[tuple[str, np.ndarray, float, list[tuple[float, float]]]], list[tuple[str, np.ndarray]]]:
    """Lines (name, audio, end of speech, mid-line pauses) and noise-only files (name, audio)."""
    lines = []
    for n in range(len(TEXTS)):
        pause = 0.3 + 0.1 * (n % 7)           # 0.3-0.9 s, always under the end-of-line pause
        first, second = speech(TEXTS[n]), speech(TEXTS[(n + 3) % len(TEXTS)])
        audio, end = line([1.0, first, pause, second, 4.0])
        gap = (1.0 + len(first) / RATE, 1.0 + len(first) / RATE + pause)
        lines.append((f"clean {n}", audio, end, [gap]))
        lines.append((f"10 dB pink {n}", over_noise(audio, 10, seed=10 + n), end, [gap]))
        noisy = over_noise(audio, 10, seed=30 + n)
        lines.append((f"10 dB pink+hum {n}", noisy + hum(len(audio) / RATE, -35), end, [gap]))
    noise = [("pink -35 dBFS", pink(60, -35, seed=5)), ("50 Hz hum -35 dBFS", hum(60, -35)),
             ("pink + hum", pink(60, -35, seed=6) + hum(60, -35))]
    return lines, noise


def score(results: list[tuple[float, list[float]]]) -> dict:
    """results: (end of speech, advance times) per line."""
    latencies, missed, false = [], 0, 0
    for end, advances in results:
        early = [a for a in advances if a < end]
        late = [a for a in advances if a >= end]
        false += len(early) + max(0, len(late) - 1)
        if late:
            latencies.append(late[0] - end)
        else:
            missed += 1
    per100 = 100 / max(1, len(results))
    return {"median": statistics.median(latencies) if latencies else float("nan"),
            "p90": sorted(latencies)[int(0.9 * (len(latencies) - 1))] if latencies else float("nan"),
            "missed": missed * per100, "false": false * per100}


# -- the shipped detector, as voice.js, in Chromium --------------------------------------
JS_RUN = """([b64, pause]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const x = new Float32Array(bytes.buffer);
  const det = new RunThru.VoiceDetector(48000), eol = new RunThru.EndOfLine(48000, pause);
  const out = [], t0 = performance.now();
  for (let k = 0; k + 1024 <= x.length; k += 1024) {
    if (eol.frame(det.push(x.subarray(k, k + 1024)).voiced)) {
      out.push((k + 1024) / 48000);
      eol.started = false; eol.run = 0;           // listening again, as at the next line
    }
  }
  return { advances: out, ms: performance.now() - t0 };
}"""


def b64(audio: np.ndarray) -> str:
    return base64.b64encode(np.asarray(audio, np.float32).tobytes()).decode()


def shipped_offline(page, lines, noise) -> tuple[dict, list[int], float]:
    results, compute, seconds = [], 0.0, 0.0
    for _, audio, end, _ in lines:
        r = page.evaluate(JS_RUN, [b64(audio), PAUSE])
        results.append((end, r["advances"]))
        compute += r["ms"] / 1000
        seconds += len(audio) / RATE
    in_noise = []
    for _, audio in noise:
        r = page.evaluate(JS_RUN, [b64(audio), PAUSE])
        in_noise.append(len(r["advances"]))
    return score(results), in_noise, compute / seconds


# -- Silero v5, in Python's onnxruntime, behind the same end-of-line rules ------------------
def silero_advances(session, audio: np.ndarray, threshold: float = 0.3) -> tuple[list[float], float]:
    x = np.interp(np.arange(int(len(audio) * 16000 / RATE)) * RATE / 16000, np.arange(len(audio)), audio)
    x = x.astype(np.float32)
    state = np.zeros((2, 1, 128), np.float32)
    context = np.zeros(64, np.float32)
    sr = np.array(16000, np.int64)
    frame_ms = 512 / 16
    t = run = last = 0.0
    started = False
    out = []
    t0 = time.process_time()
    for k in range(0, len(x) - 511, 512):
        chunk = x[k:k + 512]
        prob, state = session.run(None, {"input": np.concatenate([context, chunk])[None], "state": state, "sr": sr})
        context = chunk[-64:]
        t += frame_ms
        run = run + frame_ms if prob[0][0] >= threshold else 0.0
        if run >= RUN_MS:
            started, last = True, t
        if started and t - last >= PAUSE * 1000:
            out.append(t / 1000)
            started, run = False, 0.0
    return out, time.process_time() - t0


def silero_offline(model: Path, lines, noise) -> tuple[dict, list[int], float]:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    results, compute, seconds = [], 0.0, 0.0
    for _, audio, end, _ in lines:
        advances, cpu = silero_advances(session, audio)
        results.append((end, advances))
        compute += cpu
        seconds += len(audio) / RATE
    in_noise = [len(silero_advances(session, audio)[0]) for _, audio in noise]
    return score(results), in_noise, compute / seconds


# -- live: the real page, the fake microphone, Chromium's CPU ------------------------------
def descendants_cpu() -> float:
    """CPU seconds used so far by this process's descendants still alive (the browsers)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        stats[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0.0)
        todo += children.get(pid, [])
    return total


def live(launcher, url: str, wav: Path, seconds: float, mode: str = "voice") -> tuple[list[float], float]:
    """Play at my first line for ``seconds`` with the microphone on ``wav``; the advances
    (s after the microphone opened) and the browser's CPU seconds per second meanwhile."""
    browser = mic_browser(launcher, wav)
    try:
        page = browser.new_page()
        page.goto(url)
        page.evaluate("m => localStorage.setItem(RunThru.prefix + 'settings', JSON.stringify({mode: m}))", mode)
        page.reload()
        page.wait_for_function("() => window.runthruPlayer !== undefined")
        if mode == "voice":
            page.wait_for_function("() => window.RunThru.VoiceDetector !== undefined")
        time.sleep(1.0)
        page.click("#play")
        if mode == "voice":
            page.wait_for_function("() => RunThru.voiceLog.some(e => e.e === 'mic')")
        cpu0, t0 = descendants_cpu(), time.monotonic()
        time.sleep(seconds)
        cpu = (descendants_cpu() - cpu0) / (time.monotonic() - t0)
        advances = []
        if mode == "voice":
            advances = page.evaluate("""() => { const l = RunThru.voiceLog, m = l.find(e => e.e === 'mic').t;
                return l.filter(e => e.e === 'advance').map(e => (e.t - m) / 1000); }""")
        return advances, cpu
    finally:
        browser.close()


def page_weight(build_dir: Path, silero: Path | None) -> None:
    page = build_dir / "play" / "amy" / "index.html"
    assets = build_dir / "assets"
    base = page.stat().st_size + (build_dir / "play" / "data.js").stat().st_size + sum(
        (assets / n).stat().st_size for n in ("style.css", "core.js", "display.js", "playback.js",
                                              "navigation.js", "settings.js", "player.js"))
    voice = sum((assets / n).stat().st_size for n in ("voice.js", "recordings.js"))
    print(f"page weight before audio: {base / 1024:.1f} KB without voice mode, "
          f"{(base + voice) / 1024:.1f} KB with it (+{voice / 1024:.1f} KB: voice.js, recordings.js)")
    if silero:
        parts = [silero / "onnxruntime-web/dist/ort.wasm.min.js", silero / "onnxruntime-web/dist/ort-wasm-simd-threaded.mjs",
                 silero / "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", silero / "vad-web/dist/bundle.min.js",
                 silero / "vad-web/dist/silero_vad_v5.onnx"]
        extra = sum(f.stat().st_size for f in parts if f.exists())
        print(f"  Silero v5 on onnxruntime-web would add {extra / 1024 / 1024:.1f} MB "
              f"({', '.join(f.name for f in parts if f.exists())})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silero", type=Path, help="folder holding vad-web/ and onnxruntime-web/ (unpacked npm packages)")
    parser.add_argument("--no-live", action="store_true", help="skip the live Chromium runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    lines, noise = corpus()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "scripts").mkdir()
        (root / "scripts" / "play.md").write_text(SCRIPT)
        assert build(root).exit_code == 0
        url = (root / "build" / "play" / "amy" / "index.html").as_uri()
        print(f"{len(lines)} lines ({len(lines) // 3} clean, the same at 10 dB SNR over pink noise and over "
              f"pink + 50 Hz hum; a 0.3-0.9 s pause inside each), {len(noise)} x 60 s of noise alone; "
              f"end-of-line pause {PAUSE} s (target latency <= {PAUSE + 0.15:.2f} s)")
        page_weight(root / "build", args.silero)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            page.evaluate("localStorage.setItem(RunThru.prefix + 'settings', JSON.stringify({mode: 'voice'}))")
            page.reload()
            page.wait_for_function("() => window.RunThru.VoiceDetector !== undefined")
            rows = [("energy + adaptive floor (voice.js)", *shipped_offline(page, lines, noise))]
            model = args.silero / "vad-web/dist/silero_vad_v5.onnx" if args.silero else None
            if model and model.exists():
                rows.append(("Silero v5 (onnxruntime, native)", *silero_offline(model, lines, noise)))
            print(f"\n{'detector':36} {'latency median':>14} {'p90':>6} {'missed/100':>10} {'false/100':>9} "
                  f"{'false in noise':>14} {'compute/s audio':>15}")
            for name, s, in_noise, per_s in rows:
                print(f"{name:36} {s['median']:13.3f}s {s['p90']:5.2f}s {s['missed']:10.1f} {s['false']:9.1f} "
                      f"{'/'.join(map(str, in_noise)):>14} {per_s * 1000:12.2f} ms")
            if len(rows) == 2:
                print(f"Silero / voice.js compute: {rows[1][3] / rows[0][3]:.0f}x")
            if args.no_live:
                return
            print("\nlive in Chromium, fake microphone (with the browser's echo cancellation and noise suppression):")
            wavs = Path(tmp) / "wav"
            latencies = []
            for name, audio, end, _ in [lines[0], lines[1], lines[5], lines[7]]:
                advances, _ = live(browser, url, write(wavs / "line.wav", audio[:int((end + 3.0) * RATE)]), end + 2.2)
                after = [a - end for a in advances if a >= end]
                latencies.append(after[0] if after else float("nan"))
                print(f"  {name:20} advances at end of speech + {', '.join(f'{a - end:.3f}' for a in advances) or 'none'} s")
            print(f"  median latency {statistics.median(latencies):.3f} s (pause {PAUSE} s)")
            quiet = write(wavs / "noise.wav", pink(60, -35, seed=9) + hum(60, -35))
            page.close()
            advances, cpu_voice = live(browser, url, quiet, 60)
            _, cpu_wait = live(browser, url, quiet, 20, mode="wait")
            print(f"  60 s of pink noise + hum: {len(advances)} advances; Chromium CPU {cpu_voice * 1000:.0f} ms per second "
                  f"listening vs {cpu_wait * 1000:.0f} ms waiting without voice mode "
                  f"(listening costs {(cpu_voice - cpu_wait) * 1000:.0f} ms/s, {(cpu_voice - cpu_wait) * 100:.1f}% of a core)")


if __name__ == "__main__":
    main()
