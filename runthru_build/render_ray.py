"""The render stage on a Ray cluster: the same takes, batches and cache as the
local pool (``render.py``), rendered by engine actors on many machines.

DESIGN
------
* Engines are Ray actors that load their model once and stay resident for the
  build.  Piper actors ask for one CPU each and run one intra-op thread; GPU
  engines (``out_of_process``) ask for one GPU and drive the existing engine
  worker (``engines/remote.py``) under the engine's own interpreter, so each
  node keeps the pinned-environment design.
* Batches are cut by ``render.make_batches`` (grouped by voice, longest first)
  and handed out by ``ray.util.ActorPool``.  ActorPool rather than Ray Data
  ``map_batches``: each batch's takes come straight back to the driver when
  that batch finishes, so the driver can store them at once, and there is no
  dataset executor to start per build or per engine.  bench/ray.py measured
  the same do-nothing batches of take-sized audio, start-up included:
  ActorPool 1.5 s, Ray Data ``map_batches`` with an actor pool 7.3 s (2-13x
  over four runs); ActorPool costs 0.2 ms a take of dispatch and return, and
  the whole backend ran at or under the local pool's time on the same lines.
  Ray Data would also need the ``ray[data]`` stack (pyarrow, pandas) on every
  node, for no gain when the unit of work is already a voice's batch of a few
  takes and the driver must see each one as it lands.
* The driver owns the cache: actors return encoded audio and metadata and
  ``render._render_engine`` stores each take atomically as it arrives, exactly
  as for the local pool, so keys, progress and ``--report`` are the same; the
  report adds per-node throughput (``RenderReport.nodes``).  A take is stored
  once: results for keys already stored are dropped.
* Faults: an actor that dies (its node gone, killed, out of memory) leaves
  the ActorPool and the live actors take the batches still queued.  Takes
  still missing when the pool drains go round again, to the live actors and
  fresh ones placed where a CPU or GPU is free, at most ``ROUNDS`` times; the
  last round sends each take alone, so a line that fails everywhere fails
  alone with its file:line.  Ray's own ``max_restarts``/``max_task_retries``
  are off on purpose: a restarted actor waits for a free CPU or GPU, and its
  retried batch with it, which is forever when its node is gone and every
  other slot holds one of our actors.  Ctrl-C kills the actors (their running
  tasks with them); every stored take stays.
* Connecting: an address that does not answer is a one-line error within the
  connect timeout (Ray itself retries for minutes).  A local instance, and
  any loopback address, stays on 127.0.0.1 with no dashboard and no usage
  statistics.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .audio import PostSettings
from .engines import EngineSet, engine_class, engine_spec
from .engines.base import EngineError, TakeRequest
from .errors import RunThruError
from .render import EngineCannotStart, RenderReport, finish_take, make_batches

ROUNDS = 3
"""Times a take is handed out (the first with its batch, then alone) before it fails."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ACTOR_PREFIX = "runthru-"


def _ray():
    """Ray, imported on first use: the default install has none."""
    try:
        import ray
    except ImportError:
        raise RunThruError("the Ray backend needs Ray: pip install 'runthru-build[ray]'",
                           path="runthru.toml") from None
    return ray


class EngineActor:
    """One engine, loaded once, on one node (wrapped by ``ray.remote`` at run time)."""

    def __init__(self, name: str, options: dict[str, Any], state_dir: str | None, out_of_process: bool) -> None:
        import ray

        from .engines.remote import WorkerProcess

        self.error: str | None = None
        self.device = ""
        self.engine: Any = None
        self.worker: Any = None
        context = ray.get_runtime_context()
        self.node = f"{ray.util.get_node_ip_address()} {context.get_node_id()[:8]}"
        self.started = time.perf_counter()
        try:
            if out_of_process:
                self.worker = WorkerProcess(name, engine_spec(name), options, options.get("python"),
                                            Path(state_dir) if state_dir else None)
                self.device = self.worker.start().device
            else:
                self.engine = engine_class(name)(options, Path(state_dir) if state_dir else None)
                self.engine.load()
        except Exception as exc:  # answered to every batch: the driver stops this engine at once
            self.error = str(exc) if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
        self.load_seconds = time.perf_counter() - self.started

    def ready(self) -> dict[str, Any]:
        return {"node": self.node, "load_seconds": self.load_seconds}

    def render(self, requests: list[dict[str, Any]], post: dict[str, Any]) -> dict[str, Any]:
        if self.error is not None:
            return {"node": self.node, "cannot_start": self.error}
        started = time.perf_counter()
        settings = PostSettings(**post)
        batch = [TakeRequest.from_json(r) for r in requests]
        by_key = {r.key: r for r in batch}
        takes = self.worker.render(batch) if self.worker is not None else self.engine.render(batch)
        results = [finish_take(take, by_key[take.key], settings) for take in takes]
        answer = {"node": self.node, "results": results, "busy": time.perf_counter() - started}
        if self.worker is not None:  # an engine worker: what the report says of it, as locally
            answer["engine"] = {"device": self.device, "load_seconds": self.load_seconds,
                                "gpu_memory_mb": self.worker.info.gpu_memory_mb,
                                "word_timings": self.worker.info.word_timings}
        return answer


class RayBackend:
    """Renders an engine's takes on Ray; used as ``render_plans(..., backend=RayBackend(...))``.

    ``address``: ``None`` or ``""`` starts a local instance, ``auto`` joins the
    running cluster, anything else is ``host:port`` (or ``ray://host:port``).
    """

    def __init__(self, address: str | None = None, connect_timeout: float = 15.0, num_cpus: int | None = None,
                 named_by: str = "--ray") -> None:
        self.address = address or None
        self.named_by = named_by
        """Where the address came from, for errors: ``--ray`` or ``runthru.toml``."""
        self.connect_timeout = connect_timeout
        self.num_cpus = num_cpus
        self.actors: list[Any] = []
        self._started_ray = False
        self._build = uuid.uuid4().hex[:8]

    def __enter__(self) -> RayBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._started_ray:
            _ray().shutdown()
            self._started_ray = False

    # -- connecting ------------------------------------------------------------

    def connect(self) -> None:
        """Join the cluster (or start a local instance) unless this process already has."""
        loopback = self.address is None or _host(self.address) in LOOPBACK
        if loopback:
            # Ray swaps a loopback address for the machine's outward one unless
            # clusters are "off"; a one-machine instance must stay on 127.0.0.1.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray = _ray()
        if ray.is_initialized():
            return
        options: dict[str, Any] = {"include_dashboard": False, "configure_logging": False,
                                   "log_to_driver": False, "namespace": "runthru"}
        if loopback:
            options["_node_ip_address"] = "127.0.0.1"
        if self.address is None:
            ray.init(num_cpus=self.num_cpus, **options)
        else:
            target = self._resolve(ray)
            _probe(target, self.connect_timeout, self.address, self.named_by)
            try:
                ray.init(address=self.address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise RunThruError(f"cannot join the Ray cluster at {self.address}: {_first_line(exc)}",
                                   path=self.named_by) from None
        self._started_ray = True

    def _resolve(self, ray: Any) -> str:
        """``host:port`` to probe; ``auto`` is the running cluster this machine knows of."""
        if self.address != "auto":
            return self.address.removeprefix("ray://")
        found = os.environ.get("RAY_ADDRESS")
        if not found:
            try:
                from ray._private.utils import read_ray_address
                found = read_ray_address()
            except Exception:  # Ray moved it: leave the finding to ray.init
                found = None
        if not found:
            raise RunThruError("address auto: no running Ray cluster on this machine "
                               "(start one with `ray start --head`, or give its address)", path=self.named_by)
        return found.removeprefix("ray://")

    # -- rendering -------------------------------------------------------------

    def __call__(self, name: str, requests: list[TakeRequest], post: PostSettings, engines: EngineSet,
                 workers: int, report: RenderReport) -> Iterator[dict[str, Any]]:
        """Results (as ``render._pool_results`` yields them) for every request, each key once."""
        self.connect()
        ray = _ray()
        from ray.util import ActorPool

        options = dict(engines.options.get(name, {}))
        out_of_process = engines.get(name).out_of_process or "python" in options
        demand, slots = _demand(out_of_process, options, ray.cluster_resources())
        if not out_of_process:
            options.setdefault("threads", 1)  # one actor per CPU, as one process per core locally
        # one actor per GPU, or per CPU unless [render] workers says fewer (an engine's
        # ``max_workers`` limits one machine, not a cluster)
        count = min(slots if out_of_process else workers or slots, len(requests)) or 1
        actor_class = ray.remote(EngineActor)
        state_dir = str(engines.state_dir) if engines.state_dir else None
        made = 0

        def new_actor() -> Any:
            nonlocal made
            made += 1
            # no restarts by Ray: a restarted actor waits for a free CPU or GPU, and its queued
            # batches with it, which can be forever when its node is gone and the rest are busy
            return actor_class.options(name=f"{ACTOR_PREFIX}{name}-{self._build}-{made}", max_restarts=0,
                                       max_task_retries=0, **demand).remote(name, options, state_dir, out_of_process)

        post_json = asdict(post)
        pending = {r.key: r for r in requests}
        nodes: dict[str, dict[str, float]] = report.nodes
        started = time.perf_counter()
        self.actors = [new_actor() for _ in range(count)]
        last_error = ""
        try:
            for round_number in range(ROUNDS):
                if not pending:
                    break
                if round_number:
                    self.actors = self._live(ray, self.actors)
                    free = int(ray.available_resources().get("GPU" if "num_gpus" in demand else "CPU", 0))
                    while len(self.actors) < count and free > 0 and made < count * ROUNDS:
                        self.actors.append(new_actor())
                        free -= 1
                    if not self.actors:
                        break
                if round_number == ROUNDS - 1:  # the last try: alone, so a line that kills its actor fails alone
                    batches = [[r] for r in pending.values()]
                else:
                    batches = make_batches(list(pending.values()), engines, len(self.actors))
                pool = ActorPool(self.actors)
                for batch in batches:
                    pool.submit(lambda actor, b: actor.render.remote([r.to_json() for r in b], post_json), batch)
                while pool.has_next():
                    try:
                        answer = pool.get_next_unordered()
                    except ray.exceptions.RayError as exc:  # an actor or node gone for good: next round
                        last_error = _first_line(exc)
                        continue
                    if "cannot_start" in answer:
                        raise EngineCannotStart(answer["cannot_start"])
                    node = nodes.setdefault(answer["node"], {"takes": 0, "audio_seconds": 0.0, "busy_seconds": 0.0})
                    node["busy_seconds"] += answer["busy"]
                    if "engine" in answer:
                        _note_engine(report.engines.setdefault(name, {}), answer)
                    for result in answer["results"]:
                        if pending.pop(result["key"], None) is None:
                            continue  # stored already (a retried batch finishing twice)
                        node["takes"] += 1
                        node["audio_seconds"] += result.get("duration", 0.0)
                        yield result
            for key in list(pending):
                yield {"key": key, "error": f"engine actors failed {ROUNDS} times: {last_error or 'no result'}"}
        finally:
            for actor in self.actors:  # Ctrl-C or done: stop remote work, free the CPUs and GPUs
                ray.kill(actor)
            self.actors = []
            wall = time.perf_counter() - started
            for node in nodes.values():
                node["audio_seconds"] = round(node["audio_seconds"], 3)
                node["busy_seconds"] = round(node["busy_seconds"], 3)
                node["audio_per_second"] = round(node["audio_seconds"] / wall, 3) if wall else 0.0

    def _live(self, ray: Any, actors: list[Any]) -> list[Any]:
        """Actors that still answer (a restarting one is waited for, up to the connect timeout)."""
        live = []
        for actor in actors:
            try:
                ray.get(actor.ready.remote(), timeout=self.connect_timeout)
                live.append(actor)
            except ray.exceptions.RayError:
                ray.kill(actor)
        return live


def _demand(out_of_process: bool, options: dict[str, Any], resources: dict[str, float]) -> tuple[dict, int]:
    """What one actor asks Ray for, and how many such slots the cluster has."""
    gpus = int(resources.get("GPU", 0))
    if out_of_process and gpus and options.get("device") != "cpu":
        return {"num_gpus": 1, "num_cpus": 1}, gpus
    if out_of_process:  # a GPU engine on a cluster without GPUs: one worker, as on one machine
        return {"num_cpus": 1}, 1
    return {"num_cpus": 1}, max(1, int(resources.get("CPU", 1)))


def _note_engine(seen: dict[str, Any], answer: dict[str, Any]) -> None:
    """The engine's device on each node, slowest load and peak GPU memory over every actor."""
    engine = answer["engine"]
    devices = set(filter(None, seen.get("device", "").split(", "))) | {f"{answer['node']}: {engine['device']}"}
    seen["device"] = ", ".join(sorted(devices))
    seen["load_seconds"] = max(seen.get("load_seconds", 0.0), engine["load_seconds"])
    seen["word_timings"] = engine.get("word_timings", "")
    memory = [m for m in (seen.get("gpu_memory_mb"), engine["gpu_memory_mb"]) if m is not None]
    seen["gpu_memory_mb"] = max(memory) if memory else None


def _host(address: str) -> str:
    host = address.removeprefix("ray://").rsplit(":", 1)[0]
    return host.strip("[]")


def _probe(target: str, timeout: float, shown: str, named_by: str) -> None:
    """A TCP connection to the head, so a dead address fails now, not after Ray's minutes of retries."""
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except (OSError, ValueError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else getattr(exc, "strerror", None) or str(exc)
        raise RunThruError(f"cannot reach the Ray cluster at {shown} within {timeout:g} s: {reason}",
                           path=named_by) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
