"""Render benchmark: ratios measured side by side in one run.

    python bench/render.py            # all three measurements
    python bench/render.py --quick    # skip the 1,000-line warm rebuild

1. cold build of the sample production / bare Piper synthesising the same
   lines with the same settings on all cores (one process per core, one
   intra-op thread each, model load included on both sides) — target <= 1.15;
2. warm rebuild of a generated 1,000-line script: engine calls (target 0) and
   wall time (target <= 1 s); and the same warm rebuild with the site's audio
   placed as RunThru does (never linked to the cache, so an edit in build/
   cannot reach it: the previous site's file when it hashes to the take, else
   a copy), always copied, and hard-linked to the cache (before), side by side;
3. one word changed in one line: takes rendered (target exactly 1);
4. ``--alignment``: what word timings cost: Piper with the alignment-patched voice,
   ``include_alignments`` and the grouping into words, against the plain voice,
   same lines, one thread, compute per audio second (target <= 1.05);
5. ``--voices``: per voice (the built-in one and every installed voice), the
   real-time factor of Piper alone on one thread (compute seconds per second
   of speech) and what a 3-hour play costs on this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import copy_sample, generated_script

from runthru_build import site, timings
from runthru_build.commands.build import build, plan_build
from runthru_build.engines.base import TakeRequest
from runthru_build.engines.piper import PiperEngine, voice_files


def plain_voice(voice: str | None = None) -> Any:
    """The voice as Piper loads it, unpatched (no alignment output), on one thread."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    model, config = voice_files(voice)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return PiperVoice(config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
                      session=onnxruntime.InferenceSession(str(model), sess_options=options,
                                                           providers=["CPUExecutionProvider"]))


def _bare_worker(requests: list[dict]) -> float:
    """Plain Piper: synthesise each text with the engine's settings, nothing else."""
    engine = PiperEngine({"threads": 1})
    voice = plain_voice()
    seconds = 0.0
    for data in requests:
        request = TakeRequest.from_json(data)
        syn, _ = engine.synthesis_config(request)
        for chunk in voice.synthesize(request.text, syn_config=syn):
            seconds += chunk.audio_float_array.size / voice.config.sample_rate
    return seconds


def bare_piper(requests: list[TakeRequest], processes: int) -> float:
    shares = [[r.to_json() for r in requests[i::processes]] for i in range(processes)]
    start = time.perf_counter()
    with get_context("forkserver").Pool(processes) as pool:
        pool.map(_bare_worker, shares)
    return time.perf_counter() - start


def cold_vs_bare(workdir: Path, rounds: int) -> None:
    processes = os.cpu_count() or 1
    colds, bares = [], []
    for i in range(rounds):
        project = copy_sample(workdir / f"cold-{i}")
        requests = list(plan_build(project).plans[0].takes.values())
        bares.append(bare_piper(requests, processes))
        start = time.perf_counter()
        result = build(project)
        colds.append(time.perf_counter() - start)
        assert result.render.failed == 0, result.render.failures
        audio = result.render.audio_seconds
    print(f"sample production: {len(requests)} takes, {audio / 60:.1f} audio minutes, {processes} cores")
    print(f"  bare Piper, same lines, all cores: {', '.join(f'{b:.1f}' for b in bares)} s")
    print(f"  cold build (plan+render+post+encode+store): {', '.join(f'{c:.1f}' for c in colds)} s")
    print(f"  ratio cold/bare (best of each): {min(colds) / min(bares):.3f}   (target <= 1.15)")
    print(f"  real-time factor of the cold build: {min(colds) / audio:.4f} s per audio second")


def warm_and_edit(workdir: Path) -> None:
    project = workdir / "generated"
    (project / "scripts").mkdir(parents=True, exist_ok=True)
    script = project / "scripts" / "generated.md"
    text = generated_script(2900, seed=7, short=True)
    script.write_text(text)
    first = build(project)
    lines = sum(len(p.lines) for p in first.plans)
    start = time.perf_counter()
    warm = build(project)
    warm_seconds = time.perf_counter() - start
    print(f"generated script: {lines} spoken lines (first build rendered {first.render.rendered})")
    print(f"  warm rebuild: {warm.render.engine_calls} engine calls (target 0), "
          f"{warm_seconds:.2f} s wall for the whole build, load to site and bundles (target <= 1 s); "
          f"render stage {warm.render.wall_seconds:.2f} s")
    copy_vs_link(project)
    edited = text.replace("the moon", "the sun", 1)
    assert edited != text
    script.write_text(edited)
    after = build(project)
    print(f"  one word changed: {after.render.rendered} take(s) rendered (target 1)")


PLAY_SECONDS = 3 * 3600


def voice_rtf(voice: str | None, lines: list[str]) -> tuple[float, float]:
    """(compute seconds, audio seconds) of Piper on one thread for these lines, model load excluded."""
    engine = PiperEngine({"threads": 1})
    engine._voice(voice)
    engine.synthesize(TakeRequest(key="warm", text=lines[0], voice={"voice": voice}))
    compute = audio = 0.0
    for i, text in enumerate(lines):
        start = time.perf_counter()
        samples, rate = engine.synthesize(TakeRequest(key=str(i), text=text, voice={"voice": voice}))
        compute += time.perf_counter() - start
        audio += samples.size / rate
    return compute, audio


def alignment_cost(lines: int, rounds: int) -> None:
    sample = [line for line in generated_script(lines * 10, seed=5).splitlines() if ": " in line][:lines]
    texts = [line.split(": ", 1)[1] for line in sample]
    with tempfile.TemporaryDirectory() as state:
        engine = PiperEngine({"threads": 1}, Path(state))
        engine.load()
        plain = plain_voice()
        syn, _ = engine.synthesis_config(TakeRequest(key="x", text="x", voice={}))
        aligned_voice = engine._voice(None)
        cost = {"plain": [0.0, 0.0], "aligned": [0.0, 0.0]}
        for _ in range(rounds):
            for text in texts:
                start = time.perf_counter()
                chunks = list(plain.synthesize(text, syn_config=syn))
                cost["plain"][0] += time.perf_counter() - start
                cost["plain"][1] += sum(c.audio_float_array.size for c in chunks) / plain.config.sample_rate
                start = time.perf_counter()
                chunks = list(aligned_voice.synthesize(text, syn_config=syn, include_alignments=True))
                words = timings.from_phonemes(((c.phoneme_alignments, c.audio_float_array.size) for c in chunks),
                                              plain.config.sample_rate, text.split())
                cost["aligned"][0] += time.perf_counter() - start
                cost["aligned"][1] += sum(c.audio_float_array.size for c in chunks) / plain.config.sample_rate
                assert words is not None
    per_second = {k: c / a for k, (c, a) in cost.items()}
    print(f"word alignment, {len(texts)} lines x {rounds} rounds, one thread, compute per audio second:")
    print(f"  plain voice: {per_second['plain']:.4f}   aligned + grouped into words: {per_second['aligned']:.4f}")
    print(f"  ratio aligned/plain: {per_second['aligned'] / per_second['plain']:.3f}   (target <= 1.05)")


def per_voice(lines: int) -> None:
    from runthru_build.voices.store import installed_voices

    sample = [line for line in generated_script(lines * 10, seed=3).splitlines() if ": " in line][:lines]
    texts = [line.split(": ", 1)[1] for line in sample]
    cores = os.cpu_count() or 1
    print(f"per voice, Piper alone on one thread, {len(texts)} lines (a 3-hour play on {cores} cores):")
    for name, model, quality in [("joe", None, "medium"),
                                 *((v.name, str(v.model), v.quality) for v in installed_voices(Path.cwd()))]:
        compute, audio = voice_rtf(model, texts)
        rtf = compute / audio
        print(f"  {name:40} {quality:8} RTF {rtf:.3f}   3-hour play: {rtf * PLAY_SECONDS / cores / 60:.0f} min")


def copy_vs_link(project: Path, rounds: int = 3) -> None:
    """Whole warm builds, alternating the way audio enters the site; best of each."""
    shipped = site._place_take
    ways = {  # in this order: "as shipped" then starts from a copied site, as every warm build does
        "hard-linked to the cache (before: edits reached the cache)": lambda cached, previous, target, info:
            os.link(cached, target),
        "always copied from the cache": lambda cached, previous, target, info: site.copy_file(cached, target),
        "as shipped (previous site's file if it hashes to the take, else a copy)": shipped,
    }
    times: dict[str, list[float]] = {way: [] for way in ways}
    try:
        for _ in range(rounds):
            for way, place in ways.items():
                site._place_take = place
                start = time.perf_counter()
                build(project)
                times[way].append(time.perf_counter() - start)
    finally:
        site._place_take = shipped
    files = list((project / "build" / "generated" / "audio").iterdir())
    size = sum(f.stat().st_size for f in files)
    base = min(times[next(iter(ways))])
    print(f"  warm rebuild, {len(files)} takes ({size / 1e6:.1f} MB) into the site, best of {rounds}:")
    for way, measured in times.items():
        print(f"    {way}: {min(measured):.2f} s (x{min(measured) / base:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 1,000-line warm rebuild")
    parser.add_argument("--skip-cold", action="store_true", help="only the warm rebuild and the one-word edit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--voices", action="store_true", help="only the real-time factor of each installed voice")
    parser.add_argument("--alignment", action="store_true", help="only the cost of word alignment")
    parser.add_argument("--lines", type=int, default=40, help="lines per voice for --voices")
    parser.add_argument("--workdir", type=Path, help="keep the projects here (a rerun then starts warm)")
    args = parser.parse_args()
    if args.voices:
        per_voice(args.lines)
        return
    if args.alignment:
        alignment_cost(args.lines, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        if not args.skip_cold:
            cold_vs_bare(workdir, args.rounds)
        if not args.quick:
            warm_and_edit(workdir)


if __name__ == "__main__":
    main()
