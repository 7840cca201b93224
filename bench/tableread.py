"""Table read on loopback: from one phone's tap to every other phone showing the next line.

    python bench/tableread.py                      # builds a 32-part script (Piper) in a temp folder
    python bench/tableread.py --project DIR        # that project, already built with this script
    python bench/tableread.py --minutes 10         # the long read (default 2)

A real ``runthru-build serve`` in its own process; real headless Chromium pages,
phone-sized, each a browser context of its own: a host and N phones join one
table read through the page and claim parts (the 6-phone read: five parts each;
the 30-phone read: one each; two parts are left to the voice, which the host's
device plays and ends).  The actor at each line taps "your line" a moment after
it reaches them.  Latency: the tap (the tapping page's clock) to the moment the
last other page marks the next line current (each page's MutationObserver, the
same machine's clock).  Prints p50/p95/max for 6 phones (target p95 <= 250 ms)
and 30, and serve's CPU time and resident memory over the timed read; then serve's
own share, with long-polling HTTP clients in threads instead of browsers.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM  # noqa: E402  the tests' headless Chromium

PARTS = ["ANNA", "BORIS", "CLARA", "DMITRI", "ELENA", "FYODOR", "GALINA", "IVAN", "KATYA", "LEV", "MASHA", "NIKOLAI",
         "OLGA", "PYOTR", "RAISA", "SERGEI", "TANYA", "VASILY", "YULIA", "ZOYA", "ARKADY", "BELLA", "VERA", "GLEB",
         "DARYA", "EGOR", "INNA", "KIRILL", "LIDA", "MISHA", "NINA", "OLEG"]
SENTENCES = ["It is late.", "Come in.", "Who is there?", "Nobody.", "Sit down.", "I will not.", "Then stand.",
             "The tea is cold.", "So are you.", "Enough."]
SEEN_JS = """() => {
    window.__seen = [];
    const script = document.getElementById('script');
    new MutationObserver(() => {
        const row = document.querySelector('.line.current');
        const i = row ? Number(row.getAttribute('data-i')) : -1;
        const last = window.__seen[window.__seen.length - 1];
        if (!last || last[0] !== i) window.__seen.push([i, performance.timeOrigin + performance.now()]);
    }).observe(script, {subtree: true, attributes: true, attributeFilter: ['class']});
}"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}


def script_text() -> str:
    out = ["# Bench Read", "", "## Scene 1", ""]
    for n in range(64):
        out.append(f"{PARTS[n % len(PARTS)]}: {SENTENCES[n % len(SENTENCES)]}")
    return "\n".join(out) + "\n"


def build_project(root: Path) -> None:
    from runthru_build.commands.build import build

    (root / "scripts").mkdir(parents=True, exist_ok=True)
    (root / "scripts" / "bench.md").write_text(script_text())
    result = build(root)
    if not result.published:
        raise SystemExit(f"build failed: {result.render.failures}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_usage(pid: int) -> tuple[float, int, int]:
    """CPU seconds (user + system), resident and peak resident memory in kB."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return cpu, int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


class Read:
    def __init__(self, browser, base: str, phones: int) -> None:
        self.browser, self.base = browser, base
        self.pages = []
        host = self._page(f"{base}/bench/tableread.html")
        host.wait_for_selector("#tr-start")
        host.fill("#tr-host-name", "Host")
        host.click("#tr-start button[type=submit]")
        host.wait_for_selector("#tr-parts li")
        self.code = host.evaluate("runthruTableRead.state().code")
        host.click("#cast-done")
        self.host = host
        claimed = PARTS[:30]  # two left to the voice
        per = len(claimed) // phones
        self.owner: dict[str, object] = {}
        for n in range(phones):
            page = self._page(f"{base}/bench/tableread.html?join={self.code}")
            page.wait_for_selector("#tr-join")
            page.fill("#tr-name", f"Phone {n + 1}")
            page.click("#tr-join button[type=submit]")
            page.wait_for_selector("#tr-parts li button.claim")
            for part in claimed[n * per:(n + 1) * per]:
                page.click(f'#tr-parts li[data-part="{part}"] button')
                page.wait_for_function("p => runthruTableRead.state().roles.includes(p)", arg=part)
                self.owner[part] = page
            page.click("#cast-done")
            self.pages.append(page)
        for page in [host, *self.pages]:
            page.evaluate(SEEN_JS)
        host.click("#play")
        time.sleep(0.5)

    def _page(self, url: str):
        context = self.browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(url)
        return page

    def state(self) -> dict:
        return self.host.evaluate("runthruTableRead.state()")

    def run(self, seconds: float, max_taps: int | None = None) -> tuple[list[float], int]:
        """Read on for ``seconds``: each actor taps 0.3 s after their line arrives; voiced lines play."""
        latencies: list[float] = []
        voiced = 0
        end = time.monotonic() + seconds
        parts = self.host.evaluate("RunThru.lines.map(i => RunThru.items[i].s[0])")
        while time.monotonic() < end and (max_taps is None or len(latencies) < max_taps):
            st = self.state()
            if st["paused"]:  # the end: the host starts again
                self.host.click("#play")
                time.sleep(0.3)
                continue
            line = st["line"]
            owner = self.owner.get(parts[line])
            if owner is None:  # the voice's line: the host's device plays it and moves on
                voiced += 1
                self.host.wait_for_function("n => runthruTableRead.state().line !== n || runthruTableRead.state().paused",
                                            arg=line, timeout=20000)
                continue
            owner.wait_for_function("() => runthruTableRead.state().waiting", timeout=5000)
            time.sleep(0.3)
            target = self.host.evaluate("n => RunThru.lines[n]", line + 1) if line + 1 < len(parts) else None
            t0 = owner.evaluate("() => { const t = performance.timeOrigin + performance.now();"
                                " document.getElementById('continue').click(); return t; }")
            if target is None:
                time.sleep(0.5)
                continue
            others = [p for p in [self.host, *self.pages] if p is not owner]
            deadline = time.monotonic() + 5
            shown: list[float] = []
            while time.monotonic() < deadline:
                shown = [p.evaluate("([i, t0]) => { const s = window.__seen.filter(e => e[0] === i && e[1] >= t0);"
                                    " return s.length ? s[0][1] : null; }", [target, t0]) for p in others]
                if all(t is not None for t in shown):
                    break
                time.sleep(0.05)
            if any(t is None for t in shown):
                print(f"  a phone missed line {line + 1} within 5 s", flush=True)
                continue
            latencies.append(max(shown) - t0)
        return latencies, voiced

    def close(self) -> None:
        self.host.evaluate("fetch('/_tableread/' + runthruTableRead.state().code + '/act', {method: 'POST',"
                           " headers: {'Content-Type': 'application/json', 'X-Tableread-Token':"
                           " JSON.parse(localStorage.getItem('runthru:tableread:' + runthruTableRead.state().code)).token},"
                           " body: JSON.stringify({action: 'end'})})")
        time.sleep(0.3)
        for page in [self.host, *self.pages]:
            page.context.close()


def fanout(base: str, pollers: int, moves: int = 40) -> list[float]:
    """serve's own share: ``pollers`` long-polling HTTP clients (threads, no browser) in one read;
    the time from a host's "next" leaving to the last poller holding the new line."""
    import http.client
    import json
    import threading

    port = int(base.rsplit(":", 1)[1])

    def call(method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Tableread-Token"] = token
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        data = json.loads(conn.getresponse().read() or b"{}")
        conn.close()
        return data

    start = call("POST", "/_tableread/start", {"production": "bench", "name": "Host"})
    code, host = start["state"]["code"], start["token"]
    tokens = [call("POST", f"/_tableread/{code}/join", {"name": f"P{n}"})["token"] for n in range(pollers)]
    call("POST", f"/_tableread/{code}/act", {"action": "resume"}, host)
    seen: dict[int, list[float]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def poll(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        version = -1
        while not stop.is_set():
            conn.request("GET", f"/_tableread/{code}/state?since={version}", headers={"X-Tableread-Token": token})
            state = json.loads(conn.getresponse().read())
            now = time.perf_counter()
            if "version" not in state:  # the read has ended
                return
            version = state["version"]
            with lock:
                seen.setdefault(state["line"], []).append(now)

    threads = [threading.Thread(target=poll, args=(t,), daemon=True) for t in tokens]
    for t in threads:
        t.start()
    time.sleep(1.0)
    out = []
    for line in range(moves):
        t0 = time.perf_counter()
        call("POST", f"/_tableread/{code}/act", {"action": "next", "arg": line}, host)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with lock:
                if len(seen.get(line + 1, [])) >= pollers:
                    out.append(max(seen[line + 1][:pollers]) - t0)
                    break
            time.sleep(0.002)
        time.sleep(0.1)
    stop.set()
    call("POST", f"/_tableread/{code}/act", {"action": "end"}, host)
    return [x * 1000 for x in out]


def end_leftover_read(root: Path, base: str) -> None:
    """A read an interrupted run left in this project (serve brought it back): ended as its host would."""
    import json
    import urllib.request

    code = json.loads(urllib.request.urlopen(f"{base}/_tableread/?production=bench").read())["code"]
    if code is None:
        return
    saved = json.loads((root / ".runthru" / "tableread" / "bench.json").read_text())
    token = next(p["token"] for p in saved["participants"] if p["pid"] == saved["host"])
    request = urllib.request.Request(f"{base}/_tableread/{code}/act", data=json.dumps({"action": "end"}).encode(),
                                     headers={"Content-Type": "application/json", "X-Tableread-Token": token})
    urllib.request.urlopen(request).read()
    print(f"ended the read {code} an earlier run left", flush=True)


def report(label: str, latencies: list[float], voiced: int, cpu: float, wall: float, rss: int, peak: int) -> None:
    if not latencies:
        print(f"{label}: no taps measured")
        return
    print(f"{label}: {len(latencies)} taps, {voiced} voiced lines, {wall:.0f} s: tap -> every other screen "
          f"p50 {statistics.median(latencies):.0f} ms, p95 {pct(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms;"
          f" serve CPU {cpu:.1f} s ({100 * cpu / wall:.1f}% of one core), RSS {rss / 1024:.0f} MB (peak {peak / 1024:.0f})",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="a project already built from this bench's script")
    parser.add_argument("--minutes", type=float, default=2.0, help="the timed 6-phone read (default 2; 10 for the long run)")
    parser.add_argument("--big-taps", type=int, default=40, help="taps measured with 30 phones")
    args = parser.parse_args()
    tmp = None
    root = args.project
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-tableread-")
        root = Path(tmp.name)
        t = time.monotonic()
        build_project(root)
        print(f"built {len(PARTS)} parts, 64 lines in {time.monotonic() - t:.0f} s", flush=True)
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "runthru_build", "serve", str(root), "--port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/_runthru/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        end_leftover_read(root, base)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-renderer-backgrounding",
                "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"])
            print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
            for phones, seconds, taps in ((6, args.minutes * 60, None), (30, 600.0, args.big_taps)):
                read = Read(browser, base, phones)
                cpu0, _, _ = proc_usage(serve.pid)
                t0 = time.monotonic()
                latencies, voiced = read.run(seconds, taps)
                wall = time.monotonic() - t0
                cpu1, rss, peak = proc_usage(serve.pid)
                report(f"{phones} phones + host", latencies, voiced, cpu1 - cpu0, wall, rss, peak)
                read.close()
            browser.close()
        for pollers in (6, 30):
            times = fanout(base, pollers)
            print(f"serve alone, {pollers} long-polling HTTP clients (no browser): host's next -> every poller "
                  f"p50 {statistics.median(times):.1f} ms, p95 {pct(times, 0.95):.1f} ms, max {max(times):.1f} ms", flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    finally:
        serve.terminate()
        serve.wait(timeout=10)
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
