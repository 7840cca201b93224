"""Server load benchmark on loopback: bounded in clients and time.

    python bench/serve.py                   # builds the sample production in a temp folder
    python bench/serve.py --project DIR     # a project already built
    python bench/serve.py --clients 50 --seconds 20 --pin 4321

Each client keeps one HTTP/1.1 connection and fetches pages, the player's
assets and audio files in turn; prints requests per second, latency
percentiles and errors (target: zero errors).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(Path(__file__).parent))
from common import copy_sample  # noqa: E402

from runthru_build.commands.build import build  # noqa: E402
from runthru_build.gate import make_gate  # noqa: E402
from runthru_build.serve import ServerState, Serving  # noqa: E402


def paths_of(build_dir: Path) -> list[str]:
    production = next(p for p in build_dir.iterdir() if (p / "data.js").exists())
    audio = sorted((production / "audio").iterdir())[:20]
    roles = [p.name for p in production.iterdir() if (p / "index.html").exists()][:3]
    return (["/", f"/{production.name}/", f"/{production.name}/data.js", "/assets/player.js", "/assets/style.css"]
            + [f"/{production.name}/{r}/" for r in roles]
            + [f"/{production.name}/audio/{a.name}" for a in audio])


def run_load(port: int, paths: list[str], clients: int, seconds: float, cookie: str | None) -> None:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"Cookie": f"runthru_auth={cookie}"} if cookie else {}

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = n
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path}: HTTP {response.status}")
            except Exception as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            latencies[n].append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    flat = sorted(x for per in latencies for x in per)
    p = lambda q: flat[min(len(flat) - 1, int(q * len(flat)))] * 1000  # noqa: E731
    print(f"{clients} clients for {seconds:.0f} s on loopback{' (behind the PIN gate)' if cookie else ''}: "
          f"{len(flat)} requests, {len(flat) / wall:.0f} requests/s")
    print(f"  latency: median {statistics.median(flat) * 1000:.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms")
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pin", help="serve behind this PIN (the clients hold a valid cookie)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 120:
        parser.error("keep the load bounded: 1-200 clients, 1-120 seconds")
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project
        if project is None:
            project = copy_sample(Path(tmp))
            build(project)
        gate = make_gate(args.pin, None, Path(tmp) / "state") if args.pin else None
        serving = Serving(ServerState(build_dir=project / "build", gate=gate), "127.0.0.1", 0)
        serving.start()
        try:
            run_load(serving.port, paths_of(project / "build"), args.clients, args.seconds,
                     gate.issue_cookie() if gate else None)
        finally:
            serving.stop()


if __name__ == "__main__":
    main()
