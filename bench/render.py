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
5. ``--script PATH`` / ``--full-play`` (the corpus's Macbeth): the cold/bare
   ratio on a whole play, where the cold build's time goes, peak resident
   memory of every worker and of the build process, and the progress
   estimate against the real finish (``--acts N`` keeps the first N acts);
6. ``--split-effect N``: the N longest speeches of the play, each spoken whole
   twice (how much two renders of the same text differ anyway) and cut at
   clause boundaries once: peak memory, duration, pauses and pitch;
7. ``--worker-memory N``: one render worker over every Nth take of the play, longest
   first: resident memory after its imports and the model load, peak over the takes,
   at the end, and CPU time, shipped and with each memory change undone;
8. ``--voices``: per voice (the built-in one and every installed voice), the
   real-time factor of Piper alone on one thread (compute seconds per second
   of speech) and what a 3-hour play costs on this machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import threading
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).parent))
from audio_measures import f0_track
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


CORPUS_MACBETH = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "shakespeare_macbeth.txt"


class ChildMemory:
    """Peak resident memory (VmHWM) of every process below this one, read from /proc twice a second."""

    def __init__(self) -> None:
        self.peaks: dict[int, float] = {}
        self.cpu: dict[int, float] = {}
        """CPU seconds (user + system) of each process, as last seen."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ChildMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for pid in _descendants(os.getpid()):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"VmHWM:\s+(\d+) kB", status)
                if found:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), int(found.group(1)) / 1024)
                with contextlib.suppress(OSError, IndexError, ValueError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def workers(self, least_mb: float = 120.0) -> list[float]:
        """Peaks of the processes that loaded a model (the forkserver and helpers stay small)."""
        return sorted((round(v) for v in self.peaks.values() if v >= least_mb), reverse=True)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        todo += [int(c) for c in children]
    return found


def play_project(workdir: Path, script: Path, acts: int | None) -> Path:
    """A project holding just ``script`` (its first ``acts`` acts), cast automatically."""
    project = workdir / "play"
    (project / "scripts").mkdir(parents=True, exist_ok=True)
    text = script.read_text(encoding="utf-8")
    if acts:
        heads = [m.start() for m in re.finditer(r"(?m)^ACT [IVX]+\b", text)]
        if len(heads) > acts:
            text = text[: heads[acts]]
    (project / "scripts" / script.name).write_text(text, encoding="utf-8")
    return project


class EtaLog:
    """The progress estimate of the time left, logged at set fractions of the takes, against the real finish."""

    CHECKPOINTS = (0.1, 0.25, 0.5, 0.75)

    def __init__(self) -> None:
        from io import StringIO

        from rich.console import Console

        from runthru_build.progress import RenderProgress

        self.progress = RenderProgress(Console(file=StringIO(), force_terminal=False))
        self.logged: list[tuple[float, float, float]] = []  # (fraction done, at, estimate of the time left)

    def start(self, total: int, *extra: object) -> None:
        self.progress.start(total, *extra)

    def advance(self, takes: int, seconds: float, *extra: object) -> None:
        progress = self.progress
        progress.advance(takes, seconds, *extra)
        fraction = progress.done / progress.total if progress.total else 1.0
        if len(self.logged) < len(self.CHECKPOINTS) and fraction >= self.CHECKPOINTS[len(self.logged)]:
            now = progress.clock()
            if hasattr(progress, "remaining_seconds"):
                left = progress.remaining_seconds()
            else:  # the estimate before: takes left at the takes per second so far
                left = (progress.total - progress.done) / (progress.done / (now - progress._started))
            self.logged.append((fraction, now, left))

    def lines(self) -> list[str]:
        end = self.progress.clock()
        out = []
        for fraction, at, left in self.logged:
            actual = end - at
            out.append(f"    at {fraction:.0%} of takes: estimate {left:.0f} s left, actually {actual:.0f} s "
                       f"(error {(left - actual) / actual:+.0%})")
        return out


def full_play(workdir: Path, script: Path, acts: int | None) -> None:
    import resource

    from runthru_build.commands.build import publish_site
    from runthru_build.render import render_plans

    processes = os.cpu_count() or 1
    project = play_project(workdir, script, acts)
    requests = list(plan_build(project).plans[0].takes.values())
    words = sum(len(r.text.split()) for r in requests)
    with ChildMemory() as memory:
        bare = bare_piper(requests, processes)
    bare_peaks, bare_cpu = memory.workers(), sum(memory.cpu.values())

    eta = EtaLog()
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with ChildMemory() as memory:
        planned = plan_build(project)
        planning = time.perf_counter() - started
        report = render_plans(planned.plans, planned.cache, planned.engines, workers=planned.project.config.render.workers,
                              on_take=eta.advance, on_start=eta.start)
        rendered = time.perf_counter()
        from runthru_build.commands.build import BuildResult

        result = BuildResult(project=planned.project, plans=planned.plans, render=report, errors=planned.errors)
        publish_site(result, planned.cache)
    cold = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cold_cpu = sum(memory.cpu.values()) + after.ru_utime + after.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime
    site_seconds = time.perf_counter() - rendered
    assert report.failed == 0 and result.published, report.failures[:3]
    workers = getattr(report, "workers", 0) or len(memory.workers()) or processes
    per_worker = workers or 1

    def share(name: str) -> str:
        value = getattr(report, name, None)
        return "n/a" if value is None else f"{value / per_worker:.1f} s"

    scope = f"first {acts} acts of " if acts else ""
    print(f"{scope}{script.name}: {len(requests)} takes, {words} words, {report.audio_seconds / 60:.1f} audio minutes, "
          f"{processes} cores, {workers} workers")
    print(f"  bare Piper, same lines, all cores: {bare:.1f} s   (worker peak RSS {bare_peaks} MB)")
    print(f"  cold build (plan+render+post+encode+store+site+bundles): {cold:.1f} s")
    print(f"  ratio cold/bare: {cold / bare:.3f}   (target <= 1.15)")
    print(f"  CPU seconds, all processes: cold {cold_cpu:.0f}, bare {bare_cpu:.0f}: ratio {cold_cpu / bare_cpu:.3f} "
          "(steadier than wall time on a shared machine)")
    print("  where the cold build's time goes (worker figures are per worker, summed over workers / workers):")
    print(f"    planning {planning:.1f} s; render stage {report.wall_seconds:.1f} s: "
          f"pool start {getattr(report, 'pool_start_seconds', 0.0):.1f} s, engine {share('compute_seconds')}, "
          f"post-processing {share('post_seconds')}, encoding {share('encode_seconds')}, "
          f"storing (build process) {getattr(report, 'store_seconds', float('nan')):.1f} s, "
          f"tail imbalance {getattr(report, 'tail_seconds', float('nan')):.1f} s; site and bundles {site_seconds:.1f} s")
    print(f"  peak RSS per worker: {memory.workers()} MB (report: {getattr(report, 'worker_peak_rss_mb', 'n/a')}); "
          f"build process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("  progress estimate of the time left vs the real finish:")
    print("\n".join(eta.lines()))


def _speak_measured(args: tuple[dict, int]) -> dict:
    """One fresh process: speak a take with sentences cut at ``max_words``; its audio figures and peak memory."""
    import resource

    import numpy as np

    from runthru_build.engines import piper

    data, max_words = args
    piper.MAX_CLAUSE_WORDS = max_words
    engine = PiperEngine({"threads": 1})
    engine.load()
    start = time.perf_counter()
    audio, rate = engine.synthesize(TakeRequest.from_json(data))
    compute = time.perf_counter() - start
    frame = rate // 100
    rms = np.sqrt(np.mean(audio[: audio.size // frame * frame].reshape(-1, frame).astype(np.float64) ** 2, axis=1))
    quiet = rms < rms.max() * 10 ** (-30 / 20)
    f0 = f0_track(audio, rate, hop_s=0.02)
    return {"seconds": audio.size / rate, "pause_share": float(quiet.mean()), "compute": compute,
            "f0_median": float(np.median(f0)), "f0_spread": float(np.std(12 * np.log2(f0 / np.median(f0)))),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def split_effect(workdir: Path, script: Path, count: int) -> None:
    from runthru_build.engines.piper import MAX_CLAUSE_WORDS, clause_pieces

    project = play_project(workdir, script, None)
    requests = sorted(plan_build(project).plans[0].takes.values(), key=lambda r: -len(r.text.split()))[:count]
    ways = {"whole": 10**6, "whole again": 10**6, f"cut at {MAX_CLAUSE_WORDS} words": MAX_CLAUSE_WORDS}
    print(f"{count} longest speeches of {script.name}, each in a fresh process per way (one thread):")
    print(f"  {'speech':>6} {'way':18} {'pieces':>6} {'audio s':>8} {'pauses':>7} {'F0 Hz':>6} {'F0 spread st':>12} "
          f"{'compute s':>9} {'peak MB':>8}")
    with get_context("forkserver").Pool(1, maxtasksperchild=1) as pool:
        for n, request in enumerate(requests, 1):
            for way, max_words in ways.items():
                m = pool.apply(_speak_measured, ((request.to_json(), max_words),))
                pieces = len(clause_pieces(request.text, max_words))
                print(f"  {n:>6} {way:18} {pieces:>6} {m['seconds']:>8.1f} {m['pause_share']:>7.1%} "
                      f"{m['f0_median']:>6.0f} {m['f0_spread']:>12.2f} {m['compute']:>9.1f} {m['peak_mb']:>8.0f}")


WORKER_WAYS = {"shipped": "", "memory pattern on": "mem_pattern", "scipy.signal imported": "scipy",
               "voice aligned in worker": "align_here"}
"""What the worker did before #18's memory work, one thing at a time: onnxruntime planned a
memory pattern per input shape; post-processing imported scipy.signal (resampling and
pyloudnorm's filters); a first build patched the voice for word alignment in each worker."""


def _memory_now() -> tuple[float, float]:
    """(resident, peak resident since the last reset) of this process, in MB."""
    status = Path("/proc/self/status").read_text()
    return tuple(int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) / 1024 for key in ("VmRSS", "VmHWM"))


def _worker_life(args: tuple[list[dict], str, str]) -> dict:
    """A render worker as the build's pool starts it, in a fresh process: resident memory after
    its imports and the model load, then peak and final over ``requests``, one take at a time."""
    import resource
    from dataclasses import asdict

    from runthru_build import render
    from runthru_build.audio import PostSettings

    requests, way, state_dir = args
    figures = {"preloaded": _memory_now()[0]}
    import onnxruntime
    import piper  # noqa: F401

    figures["engine imports"] = _memory_now()[0]
    if way == "mem_pattern":
        session = onnxruntime.InferenceSession

        def with_pattern(model: Any, sess_options: Any = None, **options: Any) -> Any:
            sess_options.enable_mem_pattern = True
            return session(model, sess_options=sess_options, **options)

        onnxruntime.InferenceSession = with_pattern
    if way == "align_here":  # a first build as before: the voice patched in this process, then loaded from the file
        import subprocess
        from types import SimpleNamespace

        from runthru_build.engines import piper as engine

        def patch_here(*args: Any, **kwargs: Any) -> None:
            raise OSError("patched in the worker")

        engine.subprocess = SimpleNamespace(run=patch_here, SubprocessError=subprocess.SubprocessError)
        state_dir = tempfile.mkdtemp()
    render._init_worker("piper", {"threads": 1}, state_dir, os.getpid())
    assert render._worker_error is None, render._worker_error
    if way == "scipy":
        import scipy.signal  # noqa: F401
    figures["model loaded"], figures["peak while loading"] = _memory_now()
    Path("/proc/self/clear_refs").write_text("5")  # the peak from here on is the takes' own
    post = asdict(PostSettings())
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    for request in requests:
        render.render_batch([request], post)
    after = resource.getrusage(resource.RUSAGE_SELF)
    figures["peak over the takes"] = _memory_now()[1]
    figures["after the last take"] = _memory_now()[0]
    figures["cpu"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    if way == "align_here":
        import shutil

        shutil.rmtree(state_dir)
    return figures


def worker_memory(workdir: Path, script: Path, stride: int) -> None:
    """Where a render worker's memory goes, shipped and with each #18 change undone, side by side."""
    project = play_project(workdir, script, None)
    planned = plan_build(project)
    requests = sorted(planned.plans[0].takes.values(), key=lambda r: -len(r.text.split()))[::stride]
    state_dir = str(planned.engines.state_dir)
    PiperEngine({}, planned.engines.state_dir).load()  # the aligned voice made once, before any measurement
    words = sum(len(r.text.split()) for r in requests)
    print(f"one worker, fresh process per way: every {stride} takes of {script.name} longest first "
          f"({len(requests)} takes, {words} words), one take at a time as render_batch runs them")
    context = get_context("forkserver")
    context.set_forkserver_preload(["numpy", "runthru_build.audio", "runthru_build.engines.base"])
    rows = {}
    with context.Pool(1, maxtasksperchild=1) as pool:
        for name, way in WORKER_WAYS.items():
            rows[name] = pool.apply(_worker_life, (([r.to_json() for r in requests], way, state_dir),))
    stages = [k for k in rows["shipped"] if k != "cpu"]
    print(f"  {'MB resident':24}" + "".join(f"{name:>24}" for name in rows))
    for stage in stages:
        print(f"  {stage:24}" + "".join(f"{row[stage]:>24.0f}" for row in rows.values()))
    print(f"  {'CPU s over the takes':24}" + "".join(f"{row['cpu']:>24.1f}" for row in rows.values()))
    base = rows["shipped"]["cpu"]
    print(f"  {'CPU vs shipped':24}" + "".join(f"{row['cpu'] / base:>24.3f}" for row in rows.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 1,000-line warm rebuild")
    parser.add_argument("--skip-cold", action="store_true", help="only the warm rebuild and the one-word edit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--voices", action="store_true", help="only the real-time factor of each installed voice")
    parser.add_argument("--alignment", action="store_true", help="only the cost of word alignment")
    parser.add_argument("--lines", type=int, default=40, help="lines per voice for --voices")
    parser.add_argument("--workdir", type=Path, help="keep the projects here (a rerun then starts warm)")
    parser.add_argument("--script", type=Path, help="a whole play: cold/bare ratio, breakdown, memory, estimate")
    parser.add_argument("--full-play", action="store_true", help=f"--script {CORPUS_MACBETH.name} from the corpus")
    parser.add_argument("--acts", type=int, help="with --script: only the first N acts")
    parser.add_argument("--split-effect", type=int, metavar="N",
                        help="the N longest speeches of --script (Macbeth): whole vs cut at clauses")
    parser.add_argument("--worker-memory", type=int, metavar="N",
                        help="one worker's memory over every Nth take of --script (Macbeth), shipped and "
                             "with each memory change undone")
    args = parser.parse_args()
    if args.worker_memory:
        with tempfile.TemporaryDirectory() as tmp:
            worker_memory(args.workdir or Path(tmp), args.script or CORPUS_MACBETH, args.worker_memory)
        return
    if args.split_effect:
        with tempfile.TemporaryDirectory() as tmp:
            split_effect(args.workdir or Path(tmp), args.script or CORPUS_MACBETH, args.split_effect)
        return
    if args.full_play or args.script:
        with tempfile.TemporaryDirectory() as tmp:
            full_play(args.workdir or Path(tmp), args.script or CORPUS_MACBETH, args.acts)
        return
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
