"""GPU engines on a machine with an NVIDIA card: real-time factor and GPU memory.

    python bench/gpu.py [--takes 12]

For each GPU engine it looks for the engine's package and weights (the
RUNTHRU_<ENGINE>_MODEL_DIR / _PYTHON variables, else /models/<name>).  Where
both are there it renders real takes through the worker protocol and prints
the real-time factor (compute seconds per audio second) and peak GPU memory.
Where they are not, it says exactly what is missing and runs the same worker
path against the test stand-in of IndexTTS2 on the GPU, so the protocol, the
seeding and the GPU reporting are exercised on real CUDA.  It downloads
nothing.  Needs only the standard library, numpy and (for the GPU) torch.

Where torchaudio is there it also measures word alignment (MMS_FA, as the
GPU workers run it): seconds of alignment per second of audio on clips of
2-40 s, and its GPU memory.  With the real weights in torch hub's cache (or
$RUNTHRU_MMS_WEIGHTS) it uses them; else a stand-in of the same architecture,
randomly initialised, which costs the same and aligns nonsense.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from runthru_build.engines.base import EngineError, TakeRequest  # noqa: E402
from runthru_build.engines.remote import WorkerProcess  # noqa: E402

ENGINES = {
    "indextts": ("runthru_build.engines.indextts:IndexTTSEngine", "indextts", "/models/IndexTTS-2"),
    "chatterbox": ("runthru_build.engines.chatterbox:ChatterboxEngine", "chatterbox", "/models/chatterbox"),
}
LINES = [
    "Two households, both alike in dignity, in fair Verona, where we lay our scene.",
    "O Romeo, Romeo! Wherefore art thou Romeo?",
    "What's in a name? That which we call a rose by any other name would smell as sweet.",
    "Good night, good night! Parting is such sweet sorrow.",
]
EMOTIONS = [("neutral", 0.0), ("sad", 0.6), ("happy", 0.7), ("angry", 0.8)]


def reference_wav(path: Path, seconds: float = 6.0) -> Path:
    """A voiced-sounding reference recording (stdlib only), for cloning engines."""
    rate = 16000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray()
        for i in range(int(rate * seconds)):
            t = i / rate
            value = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in range(1, 6)) * 0.25
            frames += struct.pack("<h", int(max(-1, min(1, value)) * 32767))
        out.writeframes(bytes(frames))
    return path


def gpu_summary() -> str:
    if shutil.which("nvidia-smi") is None:
        return "no nvidia-smi: no NVIDIA GPU here"
    query = "name,memory.total,driver_version"
    result = subprocess.run(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader"],
                            capture_output=True, text=True)
    return result.stdout.strip() or result.stderr.strip()


def measure(name: str, spec: str, options: dict, voice: Path, takes: int, env: dict | None = None) -> None:
    requests = [TakeRequest(key=f"{i:064x}", text=LINES[i % len(LINES)],
                            voice={"engine": name, "voice": str(voice), "emotion_strength": 1.0},
                            emotion=EMOTIONS[i % 4][0], intensity=EMOTIONS[i % 4][1], role="BENCH")
                for i in range(takes)]
    saved = dict(os.environ)
    os.environ.update(env or {})
    worker = WorkerProcess(name, spec, options, options.get("python"))
    try:
        started = time.perf_counter()
        info = worker.start()
        load = time.perf_counter() - started
        audio = compute = 0.0
        errors = []
        wall = time.perf_counter()
        for take in worker.render(requests):
            if take.error:
                errors.append(take.error)
                continue
            audio += take.audio.size / take.sample_rate
            compute += take.compute_seconds
        wall = time.perf_counter() - wall
    finally:
        worker.close()
        os.environ.clear()
        os.environ.update(saved)
    print(f"  device: {info.device}; model load {load:.1f} s (worker reported {info.load_seconds:.1f} s)")
    print(f"  word timings: {info.word_timings}")
    print(f"  {takes - len(errors)} takes, {audio:.1f} s of audio: compute {compute:.2f} s, wall {wall:.2f} s, "
          f"real-time factor {compute / audio:.4f} (wall {wall / audio:.4f})" if audio else "  no audio")
    print(f"  peak GPU memory: {worker.info.gpu_memory_mb} MiB")
    if errors:
        print(f"  errors: {len(errors)} (first: {errors[0]})")


def mms_weights(tmp: Path) -> tuple[Path, str]:
    from runthru_build.engines.alignment import default_weights

    real = Path(os.environ.get("RUNTHRU_MMS_WEIGHTS") or default_weights() or "")
    if real.is_file():
        return real, f"the MMS_FA weights at {real}"
    sys.path.insert(0, str(REPO / "tests"))
    from fixtures.mms_weights import write_standin_mms_weights

    return write_standin_mms_weights(tmp / "mms" / "model.pt"), \
        f"stand-in weights (no MMS_FA weights at {real}): the same cost, timings meaningless"


def measure_alignment(weights: Path, device: str) -> None:
    import numpy as np
    import torch

    from runthru_build.engines.alignment import ForcedAligner

    started = time.perf_counter()
    aligner, source = ForcedAligner.load(weights, device)
    print(f"  {source}; load {time.perf_counter() - started:.1f} s")
    if aligner is None:
        return
    rate = 22050
    rng = np.random.default_rng(0)
    words = " ".join(LINES).split()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    aligner.align(rng.standard_normal(rate * 2).astype(np.float32) * 0.1, rate, "warm up")
    total_audio = total_align = 0.0
    for seconds in (2, 5, 10, 20, 40):
        text = " ".join(words[i % len(words)] for i in range(int(seconds * 2.5)))
        audio = (rng.standard_normal(rate * seconds) * 0.1).astype(np.float32)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            times = aligner.align(audio, rate, text)
            runs.append(time.perf_counter() - started)
        best = min(runs)
        total_audio += seconds
        total_align += best
        print(f"  {seconds:>3} s clip, {len(text.split())} words: align {best * 1000:.1f} ms "
              f"(best of 3; {len(times or [])} word times), {best / seconds:.4f} s per audio second")
    print(f"  alignment real-time factor over all clips: {total_align / total_audio:.4f}")
    if device.startswith("cuda"):
        print(f"  peak GPU memory while aligning: {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--takes", type=int, default=12)
    args = parser.parse_args()
    print(f"GPU: {gpu_summary()}")
    torch_spec = importlib.util.find_spec("torch")
    cuda = False
    if torch_spec:
        import torch

        cuda = torch.cuda.is_available()
        print(f"torch {torch.__version__}, CUDA available: {cuda}")
    with tempfile.TemporaryDirectory() as tmp:
        voice = reference_wav(Path(tmp) / "reference.wav")
        weights, weights_source = (None, "")
        if importlib.util.find_spec("torchaudio"):
            weights, weights_source = mms_weights(Path(tmp))
        ran_real = False
        for name, (spec, package, default_dir) in ENGINES.items():
            prefix = f"RUNTHRU_{name.upper()}_"
            python = os.environ.get(prefix + "PYTHON", sys.executable)
            model_dir = os.environ.get(prefix + "MODEL_DIR", default_dir)
            print(f"\n{name}: interpreter {python}, model_dir {model_dir}")
            has_package = subprocess.run([python, "-c", f"import {package}"], capture_output=True).returncode == 0
            engine_cls = getattr(__import__(spec.split(":")[0], fromlist=["x"]), spec.split(":")[1])
            try:
                engine = engine_cls({"model_dir": model_dir})
                missing = engine.missing()
            except EngineError as exc:
                missing = [str(exc)]
            if not has_package or missing:
                reasons = ([] if has_package else [f"package {package} not importable by {python}"]) + missing
                print("  not run: " + "; ".join(reasons))
                continue
            measure(name, spec, {"model_dir": model_dir, "python": python, "device": "cuda:0" if cuda else "cpu"},
                    voice, args.takes)
            ran_real = True
        if not ran_real:
            sys.path.insert(0, str(REPO / "tests"))
            from fixtures.engine_models import write_indextts_models

            models = write_indextts_models(Path(tmp) / "IndexTTS-2")
            standins = str(REPO / "tests" / "fixtures" / "standins")
            print("\nstand-in IndexTTS2 through the real adapter and worker protocol "
                  f"(no real weights here), device {'cuda:0' if cuda else 'cpu'}:")
            options = {"model_dir": str(models), "device": "cuda:0" if cuda else "cpu"}
            if weights:
                options["alignment_model"] = str(weights)
            measure("indextts", ENGINES["indextts"][0], options,
                    voice, args.takes, env={"PYTHONPATH": standins + os.pathsep + os.environ.get("PYTHONPATH", "")})
        if weights:
            print(f"\nword alignment, {weights_source}, device {'cuda:0' if cuda else 'cpu'}:")
            measure_alignment(weights, "cuda:0" if cuda else "cpu")


if __name__ == "__main__":
    main()
