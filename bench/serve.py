"""Server load benchmark on loopback: bounded in clients and time.

    python bench/serve.py                   # builds the sample production in a temp folder
    python bench/serve.py --project DIR     # a project already built
    python bench/serve.py --clients 50 --seconds 20 --pin 4321
    python bench/serve.py --attacks-only    # only the attacks on the PIN gate and the connections
    python bench/serve.py --only keepalive  # keep-alive latency, with and without TCP_NODELAY/one write
    python bench/serve.py --only fd --before /tmp/main-checkout   # the file-descriptor attack, both servers

Each client keeps one HTTP/1.1 connection and fetches pages, the player's
assets and audio files in turn; prints requests per second, latency
percentiles and errors (target: zero errors).

Then the attacks, against a server in a child process (so its memory and
threads are its own): a burst of 100 concurrent wrong guesses from one address
(how many were actually checked, peak server memory), 60 guesses on the tunnel
port each under another CF-Connecting-IP, whether the real user (who logged in
earlier from that address) still gets in, and 200 half-open connections
(whether the server keeps answering, and the threads they hold).

Keep-alive latency: one reused connection fetching audio and pages, from two
servers side by side in one run, one as served now (TCP_NODELAY, a small body
in the head's write) and one with that turned off (the head and body in two
writes: Nagle's algorithm then waits for the client's delayed ACK).

The file-descriptor attack: one client holds 1,100 idle sockets against a
server whose process may open 1,024 files, reopening each one the server
shuts, while a health probe runs every second for 30 s: how many probes are answered,
and the server's CPU meanwhile (accept() failing with EMFILE used to spin).
``--before DIR`` runs the same attack against the RunThru in DIR (a checkout
of an older commit) in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
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
    """``cookie``: the session cookie as the browser sends it, ``name=value``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

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


SERVER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from runthru_build.gate import make_gate
from runthru_build.serve import ServerState, Serving
gate = make_gate({pin!r}, None, Path({state!r}))
serving = Serving(ServerState(build_dir=Path({build!r}), gate=gate), "127.0.0.1", 0)
tunnel_port = serving.add_tunnel_listener()
serving.start()
print(serving.port, tunnel_port, flush=True)
sys.stdin.read()
"""
PIN = "482913"


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def megabytes(pid: int, key: str) -> float:
    return int(proc_status(pid)[key].split()[0]) / 1024


def threads(pid: int) -> int:
    return int(proc_status(pid)["Threads"])


def post_pin(port: int, pin: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    body = f"pin={pin}&next=/".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/_runthru/pin", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body)), **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    except OSError:
        return 0, {}
    finally:
        conn.close()


def cookies_from(headers: list[tuple[str, str]]) -> str:
    return "; ".join(m.group(1) for k, v in headers if k.lower() == "set-cookie"
                     for m in [re.match(r"([^=;]+=[^;]*)", v)] if m and "Max-Age=0" not in v)


def burst(port: int, count: int, headers_of) -> list[int]:
    statuses = [0] * count
    gate = threading.Barrier(count)

    def one(n: int) -> None:
        gate.wait()
        statuses[n] = post_pin(port, "000000", headers_of(n))[0]

    workers = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return statuses


def shown(ms: float | None) -> str:
    return f"{ms:.1f} ms" if ms is not None else "no answer"


def health_ms(port: int) -> float | None:
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/_runthru/health")
        ok = conn.getresponse().status == 200
        conn.close()
    except OSError:
        return None
    return (time.perf_counter() - started) * 1000 if ok else None


def run_attacks(build_dir: Path, state_dir: Path, idle_wait_s: float) -> None:
    code = SERVER.format(repo=str(REPO), pin=PIN, state=str(state_dir), build=str(build_dir))
    server = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port, tunnel_port = (int(x) for x in server.stdout.readline().split())
        pid = server.pid
        # the real user logs in once (and out again) from the same address the attack comes from
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = f"pin={PIN}&next=/".encode()
        conn.request("POST", "/_runthru/pin", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))})
        response = conn.getresponse()
        response.read()
        user_cookies = cookies_from(response.getheaders())
        conn.request("GET", "/_runthru/logout", headers={"Cookie": user_cookies})
        conn.getresponse().read()
        conn.close()
        user_cookies = "; ".join(c for c in user_cookies.split("; ") if not c.startswith("runthru_auth"))
        rss_before = megabytes(pid, "VmRSS")

        statuses = burst(port, 100, lambda n: {})
        checked = statuses.count(403)
        print(f"burst of 100 concurrent wrong guesses from one address: {checked} checked "
              f"({statuses.count(429)} refused with 429, {statuses.count(0)} connections failed)")
        print(f"  server memory: {rss_before:.0f} MB before, peak {megabytes(pid, 'VmHWM'):.0f} MB")
        status, _ = post_pin(port, PIN, {"Cookie": user_cookies})
        print(f"  the real user, who logged in earlier from that address, right after the burst: HTTP {status}"
              f" ({'gets in' if status == 303 else 'locked out'})")

        statuses = burst(tunnel_port, 60, lambda n: {"CF-Connecting-IP": f"198.51.100.{n + 1}"})
        print(f"60 concurrent wrong guesses on the tunnel port, a new CF-Connecting-IP each: "
              f"{statuses.count(403)} checked ({statuses.count(429)} refused with 429)")
        print(f"  server memory peak so far: {megabytes(pid, 'VmHWM'):.0f} MB")

        threads_before = threads(pid)
        sockets = []
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # a request head that never ends
            sockets.append(s)
        time.sleep(1.0)
        latency = health_ms(port)
        print(f"200 half-open connections: server threads {threads_before} -> {threads(pid)}; "
              f"a normal request meanwhile: {shown(latency)}")
        time.sleep(idle_wait_s)
        latency = health_ms(port)
        held = threads(pid)
        closed = 0
        for s in sockets:
            try:
                s.settimeout(0.01)
                closed += s.recv(1) == b""
            except OSError:
                pass
            s.close()
        print(f"  {idle_wait_s:.0f} s later: server threads {held}, {closed} of 200 closed by the server; "
              f"a normal request: {shown(latency)}")
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def keepalive_latency(build_dir: Path, requests: int = 200) -> None:
    paths = paths_of(build_dir)
    audio = [p for p in paths if "/audio/" in p]
    cases = [p for pair in zip(audio, paths[:len(audio)], strict=True) for p in pair]  # audio (a few KB) and pages, in turn
    results = {}
    for nodelay in (False, True):
        serving = Serving(ServerState(build_dir=build_dir), "127.0.0.1", 0)
        for server in serving.servers:
            server.nodelay = nodelay
        serving.start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=10)
            reused = []
            for n in range(requests):
                started = time.perf_counter()
                conn.request("GET", cases[n % len(cases)])
                conn.getresponse().read()
                reused.append(time.perf_counter() - started)
            conn.close()
            fresh = []
            for n in range(requests // 4):
                started = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=10)
                conn.request("GET", cases[n % len(cases)])
                conn.getresponse().read()
                conn.close()
                fresh.append(time.perf_counter() - started)
        finally:
            serving.stop()
        results[nodelay] = (statistics.median(reused) * 1000, sorted(reused)[int(0.95 * len(reused))] * 1000,
                            statistics.median(fresh) * 1000)
    print(f"keep-alive latency, {requests} requests on one reused connection (audio and pages in turn):")
    for nodelay, label in ((False, "head and body in two writes, Nagle on (before)"),
                           (True, "TCP_NODELAY, small body in the head's write (now)")):
        median, p95, fresh = results[nodelay]
        print(f"  {label}: median {median:.2f} ms, p95 {p95:.2f} ms (a fresh connection each: median {fresh:.2f} ms)")
    print(f"  reused-connection median, before / now: {results[False][0] / results[True][0]:.0f}x")


FD_SERVER = """
import resource, sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
from runthru_build.serve import ServerState, Serving
serving = Serving(ServerState(build_dir=Path({build!r})), "127.0.0.1", 0)
serving.start()
print(serving.port, flush=True)
sys.stdin.read()
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_attack(build_dir: Path, repo: Path, label: str, sockets: int = 1100, probes: int = 30) -> None:
    import select

    code = FD_SERVER.format(repo=str(repo), build=str(build_dir))
    server = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    held: list[socket.socket] = []
    stop = threading.Event()
    attacker: list[threading.Thread] = []
    reopened = [0]
    try:
        port = int(server.stdout.readline())

        def hold() -> None:
            while not stop.is_set():
                while len(held) < sockets and not stop.is_set():
                    try:
                        held.append(socket.create_connection(("127.0.0.1", port), timeout=1))
                    except OSError:
                        break
                poller = select.poll()
                for sock in held:
                    poller.register(sock, select.POLLIN)
                shut = {fd for fd, _ in poller.poll(100)}
                for sock in [s for s in held if s.fileno() in shut]:
                    sock.close()
                    held.remove(sock)
                    reopened[0] += 1

        attacker.append(threading.Thread(target=hold, daemon=True))
        attacker[0].start()
        time.sleep(3)
        cpu_before, wall_before = cpu_seconds(server.pid), time.monotonic()
        answered, latencies = 0, []
        for _ in range(probes):
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
                conn.request("GET", "/_runthru/health")
                if conn.getresponse().status == 200:
                    answered += 1
                    latencies.append((time.perf_counter() - started) * 1000)
                conn.close()
            except OSError:
                pass
            time.sleep(1.0)  # 30 s of probes: the 20 s idle deadline shuts (and the attacker reopens) every socket
        cpu = (cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - wall_before)
        fds = len(os.listdir(f"/proc/{server.pid}/fd"))
        median = f"median {statistics.median(latencies):.1f} ms" if latencies else "none answered"
        print(f"  {label}: {answered} of {probes} health probes answered ({median}); server CPU {cpu:.0%}, "
              f"{fds} files open, {threads(server.pid)} threads; the attacker's sockets shut and reopened: {reopened[0]}")
    finally:
        stop.set()
        for thread in attacker:
            thread.join()
        server.kill()
        server.wait()
        for sock in held:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pin", help="serve behind this PIN (the clients hold a valid cookie)")
    parser.add_argument("--attacks-only", action="store_true", help="skip the load, run only the attacks")
    parser.add_argument("--idle-wait", type=float, default=25.0, help="seconds to hold the half-open connections")
    parser.add_argument("--only", choices=("keepalive", "fd"), help="run only this measurement")
    parser.add_argument("--before", type=Path, help="a checkout of an older RunThru to attack side by side (fd)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 120:
        parser.error("keep the load bounded: 1-200 clients, 1-120 seconds")
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project
        if project is None:
            project = copy_sample(Path(tmp))
            build(project)
        if args.only in (None, "keepalive"):
            keepalive_latency(project / "build")
        if args.only in (None, "fd"):
            print("one client holding 1,100 idle sockets (reopened as they are shut), 30 health probes:")
            if args.before is not None:
                fd_attack(project / "build", args.before.resolve(), f"before ({args.before})")
            fd_attack(project / "build", REPO, "now")
        if args.only is not None:
            return
        if not args.attacks_only:
            gate = make_gate(args.pin, None, Path(tmp) / "state") if args.pin else None
            serving = Serving(ServerState(build_dir=project / "build", gate=gate), "127.0.0.1", 0)
            serving.start()
            try:
                cookie = f"{gate.cookie_name('session', port=serving.port, https=False)}={gate.issue_cookie()}" \
                    if gate else None
                run_load(serving.port, paths_of(project / "build"), args.clients, args.seconds, cookie)
            finally:
                serving.stop()
        run_attacks(project / "build", Path(tmp) / "attack-state", args.idle_wait)


if __name__ == "__main__":
    main()
