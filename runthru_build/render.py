"""The render stage: send every take the cache lacks to its engine, post-process,
encode and store it.

Takes are grouped by engine and voice and cut into small batches that a pool
of worker processes takes in turn, so every core stays busy (one Piper
process per core with one intra-op thread each beats one process with many
threads).  Each finished take is stored as soon as it arrives: Ctrl-C or a
failing line loses nothing already rendered.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import timings
from .audio import PostSettings, decode, encode, mix, postprocess, postprocess_timed
from .cache import TakeCache, TakeInfo
from .delivery import gain_db
from .engines import EngineSet, engine_class, engine_spec
from .engines.base import EngineError, Take, TakeRequest
from .engines.remote import WorkerCrashed, WorkerProcess
from .fsutil import die_with, write_atomic
from .plan import Plan

MAX_BATCH = 8
BATCHES_PER_WORKER = 6


@dataclass
class RenderReport:
    rendered: int = 0
    cached: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    engine_calls: int = 0
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Out-of-process engines: device, model load time, peak GPU memory, restarts."""
    compute_seconds: float = 0.0
    """Engine time summed over workers."""
    post_seconds: float = 0.0
    """Post-processing (trim, loudness) time summed over workers."""
    encode_seconds: float = 0.0
    """Encoding time summed over workers."""
    store_seconds: float = 0.0
    """Writing takes to the cache, in the build process."""
    pool_start_seconds: float = 0.0
    """From starting the worker pool to the first take begun (processes, imports, model load)."""
    tail_seconds: float = 0.0
    """At the end, from the first worker running out of work to the last one finishing."""
    workers: int = 0
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    """Peak resident memory of each engine worker process."""
    parent_peak_rss_mb: float = 0.0
    engine_failures: list[str] = field(default_factory=list)
    """Engines that could not start, each reported once with its fix (the build stops there)."""
    interrupted: bool = False
    interrupt_signal: int = 0
    """The signal that interrupted the render (SIGINT for Ctrl-C, SIGTERM)."""
    failures: list[str] = field(default_factory=list)
    nodes: dict[str, dict[str, float]] = field(default_factory=dict)
    """Ray backend: per node, takes stored, audio seconds, busy seconds and audio seconds per wall second."""

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["audio_seconds"] = round(self.audio_seconds, 3)
        out["wall_seconds"] = round(self.wall_seconds, 3)
        out["compute_seconds"] = round(self.compute_seconds, 3)
        for name in ("post_seconds", "encode_seconds", "store_seconds", "pool_start_seconds", "tail_seconds"):
            out[name] = round(getattr(self, name), 3)
        return out

    @property
    def real_time_factor(self) -> float:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else 0.0

    def summary(self) -> str:
        text = (f"rendered {self.rendered}, cached {self.cached}, failed {self.failed}; "
                f"{self.audio_seconds / 60:.1f} audio minutes in {self.wall_seconds:.1f} s")
        if self.rendered:
            text += f" (real-time factor {self.real_time_factor:.3f})"
        text += " — interrupted" if self.interrupted else ""
        for name, engine in sorted(self.engines.items()):
            if engine.get("word_timings"):
                text += f"\n{name} on {engine['device']}: word timings {engine['word_timings']}"
        return text


class EngineCannotStart(Exception):
    """An engine that can render nothing (its model folder is missing): one error, not one per line."""


# -- worker process ------------------------------------------------------------

_worker_engine: Any = None
_worker_error: str | None = None
_worker_results: Any = None
"""Where a worker sends each finished take (a queue), so the build stores it at once."""


def _init_worker(engine_name: str, options: dict[str, Any], state_dir: str | None, build_pid: int,
                 results: Any = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    die_with(build_pid)
    one_blas_thread()
    global _worker_engine, _worker_error, _worker_results
    _worker_results = results
    try:
        _worker_engine = engine_class(engine_name)(options, Path(state_dir) if state_dir else None)
        _worker_engine.load()
    except Exception as exc:  # raised by the first batch, which stops the build
        _worker_error = str(exc) if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"


_BLAS_THREAD_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                        "openblas_set_num_threads64_", "openblas_set_num_threads")


def one_blas_thread() -> None:
    """numpy's OpenBLAS starts a thread per core; with a worker per core they only contend
    (the loudness filter's matrix products took 0.03 s on one thread, up to 0.15 s on two).
    Best effort: an OpenBLAS loaded by numpy, on Linux."""
    with contextlib.suppress(OSError):
        libraries = {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
                     if "openblas" in line.lower() and line.rstrip().endswith((".so", ".so.0"))}
        for library in libraries:
            blas = ctypes.CDLL(library)
            for name in _BLAS_THREAD_SETTERS:
                setter = getattr(blas, name, None)
                if setter is not None:
                    setter(1)
                    break


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def release_freed_memory() -> None:
    """Hand freed heap back to the system (glibc keeps it otherwise): without this a
    Piper worker grew 10-30 MB with every long take, from 354 to 500 MB over two acts."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):  # not glibc (macOS, musl, Windows)
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def finish_take(take: Take, request: TakeRequest, post: PostSettings) -> dict[str, Any]:
    """An engine's take -> post-processed, encoded result (or its error), with word times
    that match the encoded audio (estimated from the text when the engine gave none)."""
    if take.error is not None or take.audio is None:
        return {"key": take.key, "error": take.error or "no audio", "compute": take.compute_seconds}
    started = time.perf_counter()
    audio, words = postprocess_timed(take.audio, take.sample_rate, post,
                                     gain_db(request.emotion, request.intensity), take.words)
    take.audio = None  # the raw clip is not needed any more
    processed = time.perf_counter()
    data, rate = encode(audio, take.sample_rate, post)
    encoded = time.perf_counter()
    duration = audio.size / take.sample_rate
    estimated = words is None
    if words is None:
        words = timings.estimate(request.text, duration, post.trim_pad_ms / 1000)
    delay = timings.encoder_delay(post.format, take.sample_rate)
    return {"key": take.key, "data": data, "rate": rate, "duration": duration,
            "words": timings.finish(timings.shift(words, delay), duration + delay), "words_estimated": estimated,
            "compute": take.compute_seconds, "post": processed - started, "encode": encoded - processed}


def render_batch(requests: list[dict[str, Any]], post: dict[str, Any]) -> list[dict[str, Any]]:
    """Render, post-process and encode a batch (runs in a worker process).

    With a results queue, each take goes to it as soon as it is encoded and the
    batch returns nothing; without one, the batch returns its takes."""
    if _worker_error is not None:
        raise EngineCannotStart(_worker_error)
    began = time.time()
    settings = PostSettings(**post)
    batch = [TakeRequest.from_json(r) for r in requests]
    by_key = {r.key: r for r in batch}
    kept = []
    for take in _worker_engine.render(batch):
        result = finish_take(take, by_key[take.key], settings)
        release_freed_memory()
        result.update(pid=os.getpid(), rss_mb=peak_rss_mb(), began=began, ended=time.time())
        if _worker_results is None:
            kept.append(result)
        else:
            _worker_results.put(result)
    return kept


# -- parent --------------------------------------------------------------------

Progress = Callable[[int, float, float], None]
"""Called with (takes finished, audio seconds of the finished take, its words: see ``take_words``)."""


def missing_takes(plans: list[Plan], cache: TakeCache) -> tuple[list[TakeRequest], int]:
    """Takes to render (deduplicated, in script order) and how many lines are cached."""
    missing: dict[str, TakeRequest] = {}
    cached = 0
    for plan in plans:
        for la in plan.lines:
            if cache.get(la.key) is not None:
                cached += 1
                continue
            for key in la.parts:
                if key not in missing and cache.get(key) is None:
                    missing[key] = plan.takes[key]
    return list(missing.values()), cached


def make_batches(requests: list[TakeRequest], engines: EngineSet, workers: int) -> list[list[TakeRequest]]:
    """Cut same-voice groups into batches of similar length, longest first, so
    no worker is left with a long batch while the others sit idle at the end."""
    groups: dict[str, list[TakeRequest]] = {}
    for r in requests:
        groups.setdefault(engines.get(r.voice["engine"]).batch_group(r), []).append(r)
    total_words = sum(take_words(r) for r in requests)
    budget = max(1, math.ceil(total_words / (workers * BATCHES_PER_WORKER)))
    batches: list[list[TakeRequest]] = []
    for group in groups.values():
        batch: list[TakeRequest] = []
        words = 0
        for r in group:
            if batch and (words + take_words(r) > budget or len(batch) >= MAX_BATCH):
                batches.append(batch)
                batch, words = [], 0
            batch.append(r)
            words += take_words(r)
        if batch:
            batches.append(batch)
    return sorted(batches, key=lambda b: -sum(take_words(r) for r in b))


def take_words(request: TakeRequest) -> float:
    """The size of a take, for batches and estimates: its words, plus half a word for the
    fixed cost of a take (measured with Piper: 0.025 s a word, 0.013 s a take)."""
    return len(request.text.split()) + 0.5


WORKER_MEMORY_FILE = "worker-memory.json"
"""In the state folder: the highest peak resident memory measured of one worker of each engine."""


def available_memory_mb() -> float | None:
    """Memory the system can give without swapping (MemAvailable), when it says."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    with contextlib.suppress(AttributeError, ValueError, OSError):
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    return None


def worker_memory_mb(engine: type, state_dir: Path | None) -> float | None:
    """Peak memory of one worker: measured in earlier builds, else the engine's own estimate."""
    if state_dir is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return float(json.loads((state_dir / WORKER_MEMORY_FILE).read_text())[engine.name])
    return getattr(engine, "worker_memory_mb", None)


def remember_worker_memory(engine: type, state_dir: Path | None, peak_mb: float) -> None:
    if state_dir is None or peak_mb <= 0:
        return
    path = state_dir / WORKER_MEMORY_FILE
    known: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        known = dict(json.loads(path.read_text()))
    known[engine.name] = round(max(peak_mb, known.get(engine.name, 0.0)), 1)
    with contextlib.suppress(OSError):  # only a hint for the next build
        write_atomic(path, json.dumps(known, indent=1).encode())


ENGINE_SPEED_FILE = "engine-speed.json"
"""In the state folder: each engine's last measured engine seconds per word (``take_words``) of one worker."""


def seconds_per_word(engine: type, state_dir: Path | None) -> tuple[float | None, str]:
    """One worker's engine seconds per word: measured by the last build here, else the engine's
    own figure (``Engine.seconds_per_word``); and which of the two it is."""
    if state_dir is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return float(json.loads((state_dir / ENGINE_SPEED_FILE).read_text())[engine.name]), "measured here"
    rate = getattr(engine, "seconds_per_word", None)
    return rate, "its own figure"


def remember_engine_speed(engine: type, state_dir: Path | None, seconds: float, words: float) -> None:
    if state_dir is None or words < 50 or seconds <= 0:  # a handful of takes says little
        return
    path = state_dir / ENGINE_SPEED_FILE
    known: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        known = dict(json.loads(path.read_text()))
    known[engine.name] = round(seconds / words, 4)
    with contextlib.suppress(OSError):  # only a hint for the next estimate
        write_atomic(path, json.dumps(known, indent=1).encode())


@dataclass
class Estimate:
    seconds: float
    """The render's wall time, at each engine's rate over its workers (engines one after another)."""
    parts: list[str]
    """Per engine: its rate, where the rate comes from, its workers."""
    unknown: list[str]
    """Engines with no rate to estimate by (GPU engines before their first build here)."""
    engines: list[str] = field(default_factory=list)
    """Every engine of the render, by name."""

    def text(self) -> str:
        from .progress import duration_text

        out = f"about {duration_text(self.seconds)} on this machine ({'; '.join(self.parts)})" if self.parts else ""
        if self.unknown:
            out += ("; " if out else "") + f"no estimate yet for {', '.join(self.unknown)}"
        return out


def estimate_render(requests: list[TakeRequest], engines: EngineSet, workers: int = 0) -> Estimate:
    """How long rendering ``requests`` will take here, before any of it is rendered."""
    from .engines import engine_class

    by_engine: dict[str, float] = {}
    for r in requests:
        by_engine[r.voice["engine"]] = by_engine.get(r.voice["engine"], 0.0) + take_words(r)
    estimate = Estimate(0.0, [], [], sorted(by_engine))
    for name, words in sorted(by_engine.items()):
        cls = engine_class(name)
        rate, source = seconds_per_word(cls, engines.state_dir)
        if rate is None:
            estimate.unknown.append(name)
            continue
        count = worker_count(workers, cls, engines.state_dir)
        estimate.seconds += words * rate / count
        estimate.parts.append(f"{name}: {rate:.3f} s a word per worker, {source}; {count} "
                              f"worker{'s' if count != 1 else ''}")
    return estimate


def worker_count(config_workers: int, engine: type, state_dir: Path | None = None) -> int:
    """``config_workers``, else one per core but no more than the memory holds
    (available memory / one worker's peak), and never over the engine's limit."""
    limit = getattr(engine, "max_workers", None)
    count = config_workers or os.cpu_count() or 1
    if not config_workers:
        available, per_worker = available_memory_mb(), worker_memory_mb(engine, state_dir)
        if available and per_worker:
            count = min(count, int(available // per_worker))
    return max(1, min(count, limit) if limit else count)


Backend = Callable[[str, list[TakeRequest], PostSettings, EngineSet, int, RenderReport], Iterator[dict[str, Any]]]
"""Another way to run engines (``render_ray.RayBackend``): yields results as ``_pool_results`` does."""


def render_plans(
    plans: list[Plan], cache: TakeCache, engines: EngineSet, *, workers: int = 0,
    on_take: Progress | None = None, on_start: Callable[[int], None] | None = None,
    backend: Backend | None = None,
) -> RenderReport:
    """Render every missing take of ``plans`` into ``cache`` (on ``backend`` when given)."""
    started = time.perf_counter()
    report = RenderReport()
    with cache.lock():
        requests, report.cached = missing_takes(plans, cache)
        if on_start:
            on_start(len(requests), sum(take_words(r) for r in requests), estimate_render(requests, engines, workers))
        by_engine: dict[str, list[TakeRequest]] = {}
        for r in requests:
            by_engine.setdefault(r.voice["engine"], []).append(r)
        post = plans[0].post if plans else PostSettings()
        try:
            # engines in worker subprocesses first: the ones whose model may be missing fail in seconds
            for name in sorted(by_engine, key=lambda n: not _out_of_process(n, engines)):
                rendered = report.rendered
                try:
                    _render_engine(name, by_engine[name], post, cache, engines, workers, report, on_take, backend)
                except EngineCannotStart as exc:
                    left = len(by_engine[name]) - (report.rendered - rendered)
                    report.failed += left
                    report.engine_failures.append(f"engine {name} cannot start ({left} takes not rendered): {exc}")
                    break
            else:
                _render_mixes(plans, cache, report)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM raised as errors.Terminated
            report.interrupted = True
            report.interrupt_signal = getattr(exc, "signum", signal.SIGINT)
    report.wall_seconds = time.perf_counter() - started
    report.parent_peak_rss_mb = round(peak_rss_mb(), 1)
    return report


def _render_engine(name: str, requests: list[TakeRequest], post: PostSettings, cache: TakeCache,
                   engines: EngineSet, workers: int, report: RenderReport, on_take: Progress | None,
                   backend: Backend | None = None) -> None:
    """Store every result of one engine as it arrives, whichever way the engine runs."""
    sources = {r.key: r for r in requests}
    remote = _out_of_process(name, engines)
    started = time.time()
    first_begun = 0.0
    last_ended: dict[int, float] = {}
    peaks: dict[int, float] = {}
    if backend is None:
        backend = _remote_results if remote else _pool_results
    results = backend(name, requests, post, engines, workers, report)
    timed_seconds = timed_words = 0.0
    with contextlib.closing(results):
        for result in results:
            request = sources[result["key"]]
            report.compute_seconds += result.get("compute", 0.0)
            if "error" not in result:
                timed_seconds += result.get("compute", 0.0)
                timed_words += take_words(request)
            report.post_seconds += result.get("post", 0.0)
            report.encode_seconds += result.get("encode", 0.0)
            report.engine_calls += 1
            if "pid" in result:
                first_begun = min(first_begun or result["began"], result["began"])
                last_ended[result["pid"]] = result["ended"]
                peaks[result["pid"]] = max(peaks.get(result["pid"], 0.0), result["rss_mb"])
            if "error" in result:
                report.failed += 1
                report.failures.append(f"{request.source}: {request.role}: {result['error']}")
                if on_take:
                    on_take(1, 0.0, take_words(request))
                continue
            stored = time.perf_counter()
            cache.put(TakeInfo(key=request.key, suffix=post.suffix, duration=result["duration"],
                               sample_rate=result["rate"], text=request.text, source=request.source,
                               words=result["words"], words_estimated=result["words_estimated"]),
                      result["data"])
            report.store_seconds += time.perf_counter() - stored
            report.rendered += 1
            report.audio_seconds += result["duration"]
            if on_take:
                on_take(1, result["duration"], take_words(request))
    if first_begun:
        report.pool_start_seconds += max(0.0, first_begun - started)
    if len(last_ended) > 1:
        report.tail_seconds += max(last_ended.values()) - min(last_ended.values())
    report.workers = max(report.workers, len(peaks))
    if peaks and not remote:
        remember_worker_memory(type(engines.get(name)), engines.state_dir, max(peaks.values()))
    if not remote and backend in (_pool_results,):  # engine time on this machine's workers
        remember_engine_speed(type(engines.get(name)), engines.state_dir, timed_seconds, timed_words)
    report.worker_peak_rss_mb = sorted(report.worker_peak_rss_mb + [round(v, 1) for v in peaks.values()],
                                       reverse=True)


def _out_of_process(name: str, engines: EngineSet) -> bool:
    return engines.get(name).out_of_process or "python" in engines.options.get(name, {})


def _pool_results(name: str, requests: list[TakeRequest], post: PostSettings, engines: EngineSet, workers: int,
                  report: RenderReport) -> Iterator[dict[str, Any]]:
    """In-process engines (Piper): a pool of worker processes, one per core."""
    count = worker_count(workers, type(engines.get(name)), engines.state_dir)
    options = dict(engines.options.get(name, {}))
    if count > 1:
        options.setdefault("threads", 1)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["numpy", "runthru_build.audio", "runthru_build.engines.base"])
    state_dir = str(engines.state_dir) if engines.state_dir else None
    results = context.SimpleQueue()
    executor = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker,
                                   initargs=(name, options, state_dir, os.getpid(), results))
    post_json = asdict(post)
    finished = False
    try:
        futures: dict[Future, list[TakeRequest]] = {
            executor.submit(render_batch, [r.to_json() for r in batch], post_json): batch
            for batch in make_batches(requests, engines, count)
        }
        pending = {r.key for r in requests}
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, timeout=0.05, return_when=FIRST_COMPLETED)
            while not results.empty():  # a batch's takes are queued before its future is done
                result = results.get()
                pending.discard(result["key"])
                yield result
            for future in done:
                try:
                    future.result()
                except EngineCannotStart:
                    raise
                except Exception as exc:  # the worker died (crash, out of memory): its takes not yet sent fail
                    for r in futures[future]:
                        if r.key in pending:
                            pending.discard(r.key)
                            yield {"key": r.key, "error": f"engine worker died: {exc}"}
        finished = True
    finally:
        if not finished:  # Ctrl-C or an error: stop the workers now, keep what is stored
            executor.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        results.close()


def _remote_results(name: str, requests: list[TakeRequest], post: PostSettings, engines: EngineSet, workers: int,
                    report: RenderReport) -> Iterator[dict[str, Any]]:
    """Out-of-process engines: one worker under the engine's interpreter, model loaded once.

    A worker that crashes is restarted once; if it crashes again, the takes
    left fail with the reason.  A model that cannot load fails them at once.
    """
    options = dict(engines.options.get(name, {}))
    spec = engine_spec(name)
    pending = {r.key: r for r in requests}
    batches = make_batches(requests, engines, 1)
    starts = 0
    worker: WorkerProcess | None = None
    crash: Exception | None = None

    def fail_all(reason: str) -> Iterator[dict[str, Any]]:
        for key in list(pending):
            yield {"key": key, "error": reason}
        pending.clear()

    try:
        while pending:
            if worker is None:
                if starts == 2:
                    yield from fail_all(f"engine worker crashed twice, giving up: {crash}")
                    return
                starts += 1
                worker = WorkerProcess(name, spec, options, options.get("python"), engines.state_dir)
                try:
                    info = worker.start()
                except EngineError as exc:
                    raise EngineCannotStart(str(exc)) from None
                except WorkerCrashed as exc:
                    crash = exc
                    worker = None
                    continue
                report.engines[name] = {"device": info.device, "load_seconds": info.load_seconds,
                                        "word_timings": info.word_timings,
                                        "gpu_memory_mb": info.gpu_memory_mb, "restarts": starts - 1}
            try:
                for batch in batches:
                    todo = [r for r in batch if r.key in pending]
                    if not todo:
                        continue
                    for take in worker.render(todo):
                        request = pending.pop(take.key)
                        yield finish_take(take, request, post)
                    report.engines[name]["gpu_memory_mb"] = worker.info.gpu_memory_mb
            except (WorkerCrashed, OSError) as exc:
                crash = exc
                worker = None
    finally:
        if worker is not None:
            worker.close()


def _render_mixes(plans: list[Plan], cache: TakeCache, report: RenderReport) -> None:
    """Group lines: the voices of every speaker, summed into one take."""
    for plan in plans:
        for key, parts in plan.mixes.items():
            if cache.get(key) is not None:
                continue
            infos = [cache.get(p) for p in parts]
            if any(i is None for i in infos):
                continue  # a part failed; its failure is already reported
            clips = [decode(cache.read(i)) for i in infos]
            audio, rate = mix(clips)
            audio = postprocess(audio, rate, plan.post)
            data, written_rate = encode(audio, rate, plan.post)
            cache.put(TakeInfo(key=key, suffix=plan.post.suffix, duration=audio.size / rate,
                               sample_rate=written_rate, text=" + ".join(i.text for i in infos[:1]),
                               source=infos[0].source), data)

