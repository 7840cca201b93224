"""Ray backend benchmark: the same lines on the local pool and on Ray, side by side.

    python bench/ray.py              # a 240-line generated script, twice on each side
    python bench/ray.py --lines 120

1. cold render of the same takes: local process pool vs Ray (a running local
   instance, as with ``--ray auto``; actors started and models loaded inside
   the measured time on both sides), alternated, best of two each — target <= 1.15;
2. start-up: a local Ray instance, and the actors (one per core, Piper loaded);
3. per-take costs: the driver storing a take in the cache, and a batch's round
   trip through an ActorPool of do-nothing actors returning take-sized audio;
   the same batches through Ray Data ``map_batches`` (when ``ray[data]`` is
   installed), start-up included, against ActorPool;
4. a projection for a 2.5-hour play on IndexTTS2 (published 0.33 s per audio
   second on one RTX 4090) on 1, 4 and 16 GPUs, and the GPU count at which the
   driver's storing becomes the bottleneck.

Ray stays on 127.0.0.1 (no dashboard, no usage statistics).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

HERE = Path(__file__).resolve().parent
# this file is named ray.py: Ray must come from site-packages, common.py from here
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE] + [str(HERE)]
from common import generated_script  # noqa: E402

from runthru_build.cache import TakeCache  # noqa: E402
from runthru_build.commands.build import plan_build  # noqa: E402
from runthru_build.render import MAX_BATCH, render_plans  # noqa: E402
from runthru_build.render_ray import EngineActor, RayBackend  # noqa: E402

PLAY_SECONDS = 2.5 * 3600
INDEXTTS2_RTF = 0.33
"""IndexTTS2's published real-time factor on one RTX 4090 (seconds of compute per audio second)."""
GPU_LOAD_SECONDS = 30.0
"""Assumed IndexTTS2 model load per GPU actor (not measured here: no GPU on this machine)."""


def project(root: Path, lines: int) -> Path:
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "play.md").write_text(generated_script(lines, seed=7))
    return root


def render(root: Path, backend=None):
    planned = plan_build(root)
    return render_plans(planned.plans, planned.cache, planned.engines, backend=backend), planned.cache


def store_seconds_per_take(cache: TakeCache, into: Path) -> tuple[float, float]:
    """The driver's own work per take: an atomic store of its audio and metadata."""
    infos = list(cache.infos())
    payloads = [(info, cache.read(info)) for info in infos]
    target = TakeCache(into)
    started = time.perf_counter()
    with target.lock():
        for info, data in payloads:
            target.put(info, data)
    seconds = (time.perf_counter() - started) / len(payloads)
    return seconds, sum(len(d) for _, d in payloads) / len(payloads)


def round_trip_seconds(ray, actors: int, take_bytes: int, batches: int = 200, batch: int = MAX_BATCH // 2) -> float:
    """Per take: Ray's dispatch and return of a batch of take-sized results, nothing rendered."""
    from ray.util import ActorPool

    @ray.remote(num_cpus=1)
    class Echo:
        def render(self, n: int) -> list[dict]:
            return [{"key": str(i), "data": b"\0" * take_bytes, "duration": 3.0} for i in range(n)]

    pool = ActorPool([Echo.remote() for _ in range(actors)])
    list(pool.map_unordered(lambda a, n: a.render.remote(n), [batch] * actors))  # warm
    started = time.perf_counter()
    list(pool.map_unordered(lambda a, n: a.render.remote(n), [batch] * batches))
    return (time.perf_counter() - started) / (batches * batch)


def pool_vs_data_seconds(ray, actors: int, take_bytes: int, batches: int = 100, batch: int = MAX_BATCH // 2):
    """The same do-nothing batches through ActorPool and through Ray Data ``map_batches``
    with an actor pool, start-up included on both sides (Ray Data needs ``ray[data]``)."""
    from ray.util import ActorPool

    def takes(n: int) -> list[dict]:
        return [{"key": str(i), "data": b"\0" * take_bytes, "duration": 3.0} for i in range(n)]

    @ray.remote(num_cpus=1)
    class Echo:
        def render(self, n: int) -> list[dict]:
            return takes(n)

    started = time.perf_counter()
    echoes = [Echo.remote() for _ in range(actors)]
    got = sum(len(r) for r in ActorPool(echoes).map_unordered(lambda a, n: a.render.remote(n), [batch] * batches))
    pooled = time.perf_counter() - started
    for a in echoes:
        ray.kill(a)
    try:
        import ray.data  # needs pyarrow and pandas
    except ImportError:
        return pooled, None

    class EchoBatches:
        def __call__(self, rows: dict) -> dict:
            out = [t for n in rows["n"] for t in takes(int(n))]
            return {"key": [t["key"] for t in out], "data": [t["data"] for t in out]}

    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    started = time.perf_counter()
    dataset = ray.data.from_items([{"n": batch}] * batches).map_batches(
        EchoBatches, batch_size=1, compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1)
    assert sum(1 for _ in dataset.iter_rows()) == got
    return pooled, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=240)
    args = parser.parse_args()
    import ray

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        local, local_cache = render(project(tmp_path / "local", args.lines))

        started = time.perf_counter()
        ray.init(num_cpus=cores, _node_ip_address="127.0.0.1", include_dashboard=False,
                 configure_logging=False, log_to_driver=False, namespace="runthru")
        ray_start = time.perf_counter() - started

        actor_class = ray.remote(num_cpus=1)(EngineActor)
        started = time.perf_counter()
        actors = [actor_class.remote("piper", {"threads": 1}, None, False) for _ in range(cores)]
        loads = ray.get([a.ready.remote() for a in actors])
        actor_start = time.perf_counter() - started
        for a in actors:
            ray.kill(a)

        on_ray, _ = render(project(tmp_path / "ray", args.lines), backend=RayBackend("auto"))
        again, _ = render(project(tmp_path / "local2", args.lines))
        on_ray_again, _ = render(project(tmp_path / "ray2", args.lines), backend=RayBackend("auto"))
        store, take_bytes = store_seconds_per_take(local_cache, tmp_path / "stored")
        trip = round_trip_seconds(ray, cores, int(take_bytes))
        pooled, data = pool_vs_data_seconds(ray, cores, int(take_bytes))
        ray.shutdown()

    takes = local.rendered
    mean_take = local.audio_seconds / takes
    print(f"{takes} takes, {local.audio_seconds / 60:.1f} audio minutes, {cores} cores, "
          f"{len(on_ray.nodes)} Ray node(s)")
    local_walls = [r.wall_seconds for r in (local, again)]
    ray_walls = [r.wall_seconds for r in (on_ray, on_ray_again)]
    print(f"  local pool: {', '.join(f'{w:.1f}' for w in local_walls)} s   "
          f"Ray: {', '.join(f'{w:.1f}' for w in ray_walls)} s   "
          f"ratio Ray/local (best of each): {min(ray_walls) / min(local_walls):.3f}   (target <= 1.15)")
    print(f"  start-up: local Ray instance {ray_start:.1f} s; {cores} Piper actors ready in {actor_start:.2f} s "
          f"(model load in the actor {max(x['load_seconds'] for x in loads):.2f} s)")
    print(f"  per take: driver store {store * 1000:.2f} ms ({take_bytes / 1000:.0f} kB); "
          f"Ray round trip {trip * 1000:.2f} ms (batches of {MAX_BATCH // 2}, {cores} echo actors)")
    print(f"  100 batches of {MAX_BATCH // 2} do-nothing takes, start-up included: ActorPool {pooled:.2f} s, "
          + (f"Ray Data map_batches {data:.2f} s (x{data / pooled:.1f})" if data is not None
             else "Ray Data not measured (pip install 'ray[data]')"))

    play_takes = PLAY_SECONDS / mean_take
    gpu_per_take = INDEXTTS2_RTF * mean_take + trip
    print(f"2.5-hour play on IndexTTS2 (RTF {INDEXTTS2_RTF} on one RTX 4090; {play_takes:.0f} takes of "
          f"{mean_take:.1f} s as here; {GPU_LOAD_SECONDS:.0f} s model load assumed):")
    for gpus in (1, 4, 16):
        wall = GPU_LOAD_SECONDS + max(play_takes * gpu_per_take / gpus, play_takes * store)
        print(f"  {gpus:>2} GPU(s): {wall / 60:6.1f} min")
    print(f"  the driver's storing ({store * 1000:.2f} ms a take) is the bottleneck from "
          f"{gpu_per_take / store:.0f} GPUs on")


if __name__ == "__main__":
    main()
