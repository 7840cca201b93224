"""A real server on 127.0.0.1 and real HTTP requests."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from pathlib import Path

import pytest
from conftest import Client

from runthru_build.serve import ServerState, Serving


@pytest.fixture
def served(built_toy_project):
    build_dir = built_toy_project / "build"
    serving = Serving(ServerState(build_dir=build_dir), "127.0.0.1", 0)
    serving.start()
    yield Client(serving.port), build_dir
    serving.stop()


def audio_path(build_dir: Path) -> str:
    name = sorted((build_dir / "served" / "audio").iterdir())[0].name
    return f"/served/audio/{name}"


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "//etc/passwd", "/..%5c..%5cetc%5cpasswd", "/assets\\..\\..\\..\\etc\\passwd", "/%252e%252e/etc/passwd",
    "/served/../../../etc/passwd", "/.runthru/secret", "/%00/etc/passwd", "/escape/passwd", "/.hidden",
])
def test_nothing_outside_build_is_served(served, path):
    client, build_dir = served
    (build_dir / "escape").symlink_to("/etc")
    (build_dir / ".hidden").write_text("secret")
    status, headers, body = client.get(path)
    assert status in (403, 404), (path, status)
    assert b"root:" not in body and b"secret" not in body
    assert headers["x-content-type-options"] == "nosniff"


def test_pages_types_caching_and_security_headers(served):
    client, build_dir = served
    status, headers, body = client.get("/served/amy/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert b"reload.js" not in body  # no live reload without --watch
    status, headers, _ = client.get(audio_path(build_dir))
    assert headers["content-type"] == "audio/mpeg" and "immutable" in headers["cache-control"]
    assert client.get("/assets/player.js")[1]["content-type"] == "text/javascript; charset=utf-8"
    (build_dir / "app.webmanifest").write_text("{}")
    (build_dir / "x.opus").write_bytes(b"OggS")
    assert client.get("/app.webmanifest")[1]["content-type"] == "application/manifest+json"
    assert client.get("/x.opus")[1]["content-type"].startswith("audio/ogg")
    status, headers, _ = client.get("/served")
    assert status == 303 and headers["location"] == "/served/"
    etag = client.get("/index.html")[1]["etag"]
    assert client.get("/index.html", **{"If-None-Match": etag})[0] == 304


def test_range_requests_return_206_with_the_right_bytes(served):
    client, build_dir = served
    path = audio_path(build_dir)
    data = (build_dir / path.lstrip("/")).read_bytes()
    status, headers, body = client.get(path, Range="bytes=100-199")
    assert status == 206 and body == data[100:200]
    assert headers["content-range"] == f"bytes 100-199/{len(data)}"
    status, _, body = client.get(path, Range="bytes=-50")
    assert status == 206 and body == data[-50:]
    status, _, body = client.get(path, Range=f"bytes={len(data) - 10}-")
    assert status == 206 and body == data[-10:]
    status, headers, _ = client.get(path, Range=f"bytes={len(data) + 5}-")
    assert status == 416 and headers["content-range"] == f"bytes */{len(data)}"
    assert client.request("HEAD", path)[2] == b""


def test_other_methods_are_refused(served):
    client, _ = served
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = client.request(method, "/index.html", body=b"x")
        assert status == 405 and headers["allow"] == "GET, HEAD"


@pytest.mark.slow
def test_fifty_clients_at_once_are_all_served_without_an_error(served):
    """Fifty keep-alive clients for five seconds: no error, none starved.  bench/serve.py runs the
    same load for 20 s and reports the throughput."""
    client, build_dir = served
    paths = ["/", "/served/", "/served/amy/", "/served/data.js", "/assets/player.js", audio_path(build_dir)]
    errors: list[str] = []
    counts = [0] * 50
    deadline = time.monotonic() + 5

    def worker(n: int) -> None:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=10)
        i = n
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path}: {response.status}")
                counts[n] += 1
            except Exception as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=10)
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[:5]
    assert sum(counts) > 200 and all(c > 0 for c in counts)


def test_serving_refuses_an_unprotected_network_address(toy_project):
    from conftest import run_cli

    proc = run_cli("serve", str(toy_project), "--host", "0.0.0.0", "--port", "0")
    assert proc.returncode == 1
    assert "refusing to serve on 0.0.0.0 without a PIN" in proc.stderr
    proc = run_cli("serve", str(toy_project), "--tunnel", "--port", "0", env={**os.environ, "RUNTHRU_PIN": ""})
    assert proc.returncode == 1 and "refusing to open a tunnel without a PIN" in proc.stderr


@pytest.mark.parametrize(("files", "watch", "error"), [
    ({}, False, "nothing to build here: no scripts/ folder"),
    ({"scripts/.keep": ""}, True, "scripts: nothing to build: no scripts found"),
    ({"scripts/a.md": ""}, False, "scripts/a.md: script is empty"),
], ids=["empty-folder", "empty-scripts-watching", "bad-script"])
def test_serve_with_nothing_to_serve_exits_1_as_build_does(make_project, tmp_path, files, watch, error):
    """Found by a newcomer: serve in an empty folder said "nothing to build here", then served 404s."""
    import subprocess

    from conftest import run_cli

    root = make_project(files) if files else tmp_path
    try:
        proc = run_cli("serve", str(root), "--port", "0", *(["--watch"] if watch else []), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("serve kept running with nothing to serve")
    assert proc.returncode == 1
    assert error in proc.stderr and "error: nothing to serve" in proc.stderr
    assert "Serving http" not in proc.stdout


# -- the red-team findings of issue 10 ------------------------------------------------------------------------

def read_until_closed(sock, limit_s: float) -> tuple[bytes, bool]:
    """What the server sends within ``limit_s``, and whether it closed the connection."""
    data, deadline = b"", time.monotonic() + limit_s
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


@pytest.mark.parametrize("drip", [False, True])
def test_a_connection_that_never_finishes_its_request_is_closed(served, monkeypatch, drip):
    import socket

    from runthru_build import serve

    monkeypatch.setattr(serve, "IDLE_TIMEOUT_S", 1.0, raising=False)
    client, _ = served
    sock = socket.create_connection(("127.0.0.1", client.port))
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        if drip:  # slowloris: a header byte now and then, never the blank line
            for _ in range(8):
                time.sleep(0.25)
                try:
                    sock.sendall(b"X")
                except OSError:
                    break
        _, closed = read_until_closed(sock, 4.0)
        assert closed and time.monotonic() - started < 4.0
    finally:
        sock.close()
    assert client.get("/_runthru/health")[0] == 200


def test_an_unread_body_is_never_parsed_as_the_next_request(served):
    import socket

    client, _ = served
    smuggled = b"GET /_runthru/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    for method in (b"POST", b"GET", b"PUT"):
        sock = socket.create_connection(("127.0.0.1", client.port))
        try:
            sock.sendall(method + b" /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                         + str(len(smuggled)).encode() + b"\r\n\r\n" + smuggled)
            data, _ = read_until_closed(sock, 1.5)
        finally:
            sock.close()
        assert data.count(b"HTTP/1.1 ") == 1, (method, data)
        assert b"\r\n\r\nok\n" not in data


def test_http_servers_own_error_pages_carry_the_security_headers(served):
    import socket

    client, _ = served
    for request in (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"nonsense\r\n\r\n",
                    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        sock = socket.create_connection(("127.0.0.1", client.port))
        try:
            sock.sendall(request)
            data, _ = read_until_closed(sock, 3.0)
        finally:
            sock.close()
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
        assert head.startswith(("http/1.1 4", "http/1.1 5")), head
        assert "content-security-policy: default-src 'self'" in head, request[:20]
        assert "x-content-type-options: nosniff" in head and "text/html" not in head


def test_a_huge_range_number_is_416(served):
    client, build_dir = served
    path = audio_path(build_dir)
    size = (build_dir / path.lstrip("/")).stat().st_size
    status, headers, _ = client.get(path, Range="bytes=" + "9" * 5000 + "-")
    assert status == 416 and headers["content-range"] == f"bytes */{size}"
    status, _, body = client.get(path, Range="bytes=0-" + "9" * 5000)  # an open end is clipped, as RFC 9110 says
    assert status == 206 and len(body) == size


PLAY_A_RECORDING = """async () => {
    // What recordings.js does with a take kept in IndexedDB: a blob: URL into the player's <audio>.
    const n = 8000, buf = new ArrayBuffer(44 + n * 2), v = new DataView(buf);
    const put = (at, text) => [...text].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
    put(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); put(8, 'WAVE'); put(12, 'fmt ');
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, 8000, true);
    v.setUint32(28, 16000, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
    put(36, 'data'); v.setUint32(40, n * 2, true);
    const audio = document.getElementById('audio');
    audio.muted = true;
    audio.src = URL.createObjectURL(new Blob([buf], {type: 'audio/wav'}));
    try { await audio.play(); return 'playing'; } catch (e) { return e.name; }
}"""


@pytest.mark.browser
def test_my_own_recordings_play_on_a_served_page(served, browser):
    client, _ = served
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{client.port}/served/amy/")
        assert page.evaluate(PLAY_A_RECORDING) == "playing"  # the CSP let a blob: take through
    finally:
        page.close()


def test_a_page_of_another_site_rebinding_its_name_to_this_server_reads_nothing(served):
    """DNS rebinding: evil.example resolves to 127.0.0.1, so its pages may fetch this unprotected
    local server as their own origin; the Host header still says evil.example."""
    client, _ = served
    for host in ("evil.example", f"evil.example:{client.port}", "127.0.0.1.evil.example", "localhost.evil.example"):
        for method in ("GET", "HEAD", "POST"):
            status, _, body = client.request(method, "/served/data.js", {"Host": host})
            assert status == 421 and b"RUNTHRU" not in body, (host, method)
    for host in (f"127.0.0.1:{client.port}", f"localhost:{client.port}", "LOCALHOST", "app.localhost", "localhost.",
                 f"[::1]:{client.port}", "192.168.1.20:8000"):
        assert client.request("GET", "/served/data.js", {"Host": host})[0] == 200, host


# -- the red-team findings of issue 25 ------------------------------------------------------------------------

def raw_exchange(port: int, request: bytes, limit_s: float = 2.0) -> bytes:
    import socket

    sock = socket.create_connection(("127.0.0.1", port))
    try:
        sock.sendall(request)
        return read_until_closed(sock, limit_s)[0]
    finally:
        sock.close()


def test_two_content_lengths_are_refused(served):
    """Two lengths: a proxy in front may frame the body by the other one (request smuggling)."""
    client, _ = served
    for lengths in ((b"0", b"52"), (b"5", b"5")):
        data = raw_exchange(client.port, b"GET /_runthru/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                            + lengths[0] + b"\r\nContent-Length: " + lengths[1] + b"\r\n\r\nhello")
        assert data.startswith(b"HTTP/1.1 400 "), (lengths, data[:60])
        assert b"\r\n\r\nok\n" not in data


def test_an_http_0_9_request_gets_no_page(served):
    client, _ = served
    for request in (b"GET /\r\n", b"GET /\r\n\r\n", b"GET /served/data.js\r\n\r\n"):
        data = raw_exchange(client.port, request)
        assert data.startswith(b"HTTP/1.1 505 ") and b"RUNTHRU" not in data and b"<html" not in data.lower(), data[:80]


def test_every_answer_forbids_other_origins_to_embed_it_and_their_subresource_requests_are_refused(served):
    client, build_dir = served
    for path in ("/", "/served/data.js", audio_path(build_dir), "/served.zip", "/nowhere", "/_runthru/health"):
        assert client.get(path)[1]["cross-origin-resource-policy"] == "same-origin", path
    other = f"http://127.0.0.1:{client.port + 1}"
    for fetch in ({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "script"},
                  {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "script"},
                  {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"},
                  {"Origin": other}):
        status, _, body = client.get("/served/data.js", **fetch)
        assert status == 403 and b"RUNTHRU" not in body, fetch
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert client.get("/served/amy/", **link)[0] == 200  # a link from anywhere still opens the page
    assert client.get("/served/data.js", **{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "script"})[0] == 200


EVIL_PAGE = """<!doctype html><meta charset="utf-8"><title>pending</title>
<script>function done(how) { document.title = how + ":" + (window.RUNTHRU ? "read" : "nothing"); }</script>
<script src="{target}/served/data.js" onload="done('loaded')" onerror="done('refused')"></script>
<a id="go" href="{target}/served/amy/">rehearse</a>"""


@pytest.mark.browser
def test_a_page_of_another_origin_cannot_read_the_script_but_may_link_to_it(served, browser, tmp_path):
    """<script src="http://127.0.0.1:8000/<play>/data.js"> on any website set window.RUNTHRU: the whole script."""
    from conftest import static_server

    client, _ = served
    target = f"http://127.0.0.1:{client.port}"
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "index.html").write_text(EVIL_PAGE.replace("{target}", target))
    with static_server(tmp_path / "evil") as evil:
        # another port of this host (the same site, another origin), and another site altogether
        for base in (evil, evil.replace("127.0.0.1", "localhost")):
            page = browser.new_context().new_page()
            try:
                page.goto(f"{base}/index.html")
                page.wait_for_function("document.title !== 'pending'")
                assert page.title() == "refused:nothing", base
                page.click("#go")
                page.wait_for_selector(".line")
                assert page.url == f"{target}/served/amy/"
            finally:
                page.context.close()


def test_each_answer_on_a_reused_connection_comes_in_one_piece(served):
    """Head and body in separate writes: Nagle holds the body until the client's delayed ACK, 40 ms on
    every reused connection (every cue's audio fetch paid it)."""
    import socket

    client, build_dir = served
    sock = socket.create_connection(("127.0.0.1", client.port))
    try:
        for path in ("/served/amy/", audio_path(build_dir), "/served/data.js", "/_runthru/health") * 2:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            sock.settimeout(5)
            first = sock.recv(1 << 20)
            head, _, body = first.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
            assert head.startswith(b"HTTP/1.1 200") and len(body) == length, (path, len(body), length)
    finally:
        sock.close()


def test_requests_during_rebuilds_get_a_whole_file_of_one_build_or_the_other(served, toy_project):
    """A site swapped in 100 times under 4 clients: no 404 or 503 while the old site was still there, no body
    cut short, no connection left waiting for bytes that never come."""
    import http.client
    import shutil

    from runthru_build.config import load_config
    from runthru_build.site import publish

    client, build_dir = served
    config = load_config(toy_project)
    sites = [toy_project / "site-a", toy_project / "site-b"]
    shutil.copytree(build_dir, sites[0])
    shutil.copytree(build_dir, sites[1])
    for name in ("served/data.js", "served.zip", "served/amy.zip"):  # the other build's files differ in size
        with open(sites[1] / name, "ab") as f:
            f.write(b"\n" * 70000)
    paths = ["/served/data.js", "/served.zip", "/served/amy.zip", "/served/amy/", audio_path(build_dir)]
    problems: list[str] = []
    done = threading.Event()

    def fetch(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=5)
        i = n
        while not done.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    problems.append(f"{path}: {response.status}")
                elif len(body) != int(response.getheader("Content-Length")):
                    problems.append(f"{path}: {len(body)} bytes of {response.getheader('Content-Length')}")
            except Exception as exc:  # a body cut short, a connection that hangs
                problems.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=5)
        conn.close()

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(100):
            staged = toy_project / f".build.tmp-test-{n}"
            shutil.copytree(sites[n % 2], staged)
            publish(staged, config)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert problems == []


FD_SERVER = """
import resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
from runthru_build.serve import ServerState, Serving
serving = Serving(ServerState(build_dir=Path(sys.argv[1])), "127.0.0.1", 0)
serving.start()
eaten = [open("/dev/null") for _ in range(int(sys.argv[2]))]  # descriptors the rest of the process holds
print(serving.port, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("sockets, eaten", [(400, 0), (60, 200)])
def test_one_client_holding_hundreds_of_idle_sockets_does_not_lock_out_the_real_user(served, sockets, eaten):
    """1,100 idle sockets, each reopened as the server shut it, used up the server's file descriptors; accept()
    then failed (EMFILE) in a busy loop and the real user's requests went unanswered.  Past the caps on
    connections (400 sockets); and with the descriptors gone before the caps are reached (the process holds
    200 of its 256 elsewhere): the longest-idle connection is shut to make room."""
    import http.client
    import select
    import socket
    import subprocess
    import sys

    _, build_dir = served
    server = subprocess.Popen([sys.executable, "-c", FD_SERVER, str(build_dir), str(eaten)], stdout=subprocess.PIPE,
                              text=True)
    held: list[socket.socket] = []
    stop = threading.Event()
    attacker: list[threading.Thread] = []
    try:
        port = int(server.stdout.readline())

        def hold() -> None:  # the attacker: idle connections, each reopened when the server shuts it
            while not stop.is_set():
                while len(held) < sockets and not stop.is_set():
                    with contextlib.suppress(OSError):
                        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
                poller = select.poll()
                for sock in held:
                    poller.register(sock, select.POLLIN)
                shut = {fd for fd, _ in poller.poll(100)}
                for sock in [s for s in held if s.fileno() in shut]:
                    sock.close()
                    held.remove(sock)

        attacker.append(threading.Thread(target=hold, daemon=True))
        attacker[0].start()
        time.sleep(2)
        answered = 0
        for _ in range(20):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
            try:
                conn.request("GET", "/_runthru/health")
                answered += conn.getresponse().status == 200
            except OSError:
                pass
            finally:
                conn.close()
        assert answered == 20
    finally:
        stop.set()
        for thread in attacker:
            thread.join()
        server.kill()
        server.wait()
        for sock in held:
            sock.close()
