"""The PIN gate: unit checks of hashing, cookies and back-off, then over real HTTP."""

from __future__ import annotations

import contextlib
import hashlib
import re

import pytest
from conftest import Client

from runthru_build.commands.build import build
from runthru_build.gate import (
    CONCURRENT_CHECKS,
    FREE_FAILURES,
    GUESSES_PER_MINUTE,
    KEY_FILE,
    MAX_LOCKOUT_S,
    Gate,
    PinError,
    hash_pin,
    make_gate,
    verify_pin,
)
from runthru_build.gate import _b64 as b64
from runthru_build.serve import ServerState, Serving


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_pin_hashes_verify_and_never_contain_the_pin():
    stored = hash_pin("4321")
    assert "4321" not in stored and stored.startswith("scrypt$")
    assert verify_pin("4321", stored) and not verify_pin("1234", stored)
    salt = b"0123456789abcdef"
    pbkdf2 = f"pbkdf2_sha256$1000${b64(salt)}${b64(hashlib.pbkdf2_hmac('sha256', b'4321', salt, 1000))}"
    assert verify_pin("4321", pbkdf2) and not verify_pin("0000", pbkdf2)
    with pytest.raises(PinError):
        verify_pin("4321", "md5$abc")


def test_key_file_is_private(tmp_path):
    gate = make_gate("4321", None, tmp_path / ".runthru")
    assert (tmp_path / ".runthru" / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert len(gate.key) == 32
    with pytest.raises(PinError, match="at least 4"):
        make_gate("12", None, tmp_path)


def test_cookies_are_signed_and_expire():
    clock = Clock()
    gate = Gate(pin_hash=hash_pin("4321"), key=b"s" * 32, clock=clock)
    cookie = gate.issue_cookie()
    assert gate.cookie_valid(cookie)
    expires, nonce, signature = cookie.split(".")
    assert not gate.cookie_valid(f"{int(expires) + 999999}.{nonce}.{signature}")  # tampered expiry
    assert not gate.cookie_valid(f"{expires}.{nonce}.{signature[:-2]}AA")  # tampered signature
    assert not gate.cookie_valid("forged") and not gate.cookie_valid(None)
    assert not Gate(pin_hash=hash_pin("4321"), key=b"t" * 32, clock=clock).cookie_valid(cookie)  # another key
    assert gate.device_of(cookie) is None and gate.device_of(gate.issue_device()) is not None  # not interchangeable
    clock.now += 31 * 86400
    assert not gate.cookie_valid(cookie)


def test_wrong_guesses_slow_down_one_client_only_and_are_forgotten():
    clock = Clock()
    gate = Gate(pin_hash=hash_pin("4321"), key=b"s" * 32, clock=clock, guesses_per_minute=1000)
    for _ in range(FREE_FAILURES):
        guess = gate.guess("a", "0000")
        assert guess.checked and not guess.ok
    waits = []
    for _ in range(4):
        waits.append(gate.guess("a", "4321").retry_after)  # not even the right PIN is looked at yet
        clock.now += waits[-1]
        assert not gate.guess("a", "0000").ok
    assert waits == sorted(waits) and waits[0] > 0 and waits[-1] > waits[0]  # growing delays
    assert gate.guess("b", "4321").ok  # another client is not affected
    for _ in range(30):
        clock.now += gate.guess("a", "0000").retry_after
    wait = gate.guess("a", "4321").retry_after
    assert 0 < wait <= MAX_LOCKOUT_S  # never locked out for good
    clock.now += wait
    assert gate.guess("a", "4321").ok  # the right PIN works once the wait is over
    assert gate.guess("a", "0000").checked  # and the slate is clean


def test_a_whole_cast_logging_in_the_same_minute_all_get_in():
    """The director shows the QR code; everyone types the PIN at once, each from a phone of their own.
    Only wrong guesses spend the all-clients ceiling."""
    clock = Clock()
    gate = Gate(pin_hash=hash_pin("4321"), key=b"c" * 32, clock=clock)
    for n in range(GUESSES_PER_MINUTE + 5):
        assert gate.guess(f"198.51.100.{n}", "4321").ok, n
        clock.now += 1
    for n in range(GUESSES_PER_MINUTE):  # wrong guesses still meet the ceiling
        assert gate.guess(f"203.0.113.{n}", "0000").checked
    assert not gate.guess("203.0.113.99", "0000").checked
    assert not gate.guess("203.0.113.98", "4321").checked  # a newcomer now waits, as before


@pytest.fixture
def gated(built_toy_project):
    toy_project = built_toy_project
    gate = make_gate("4321", None, toy_project / ".runthru")
    state = ServerState(build_dir=toy_project / "build", gate=gate)
    serving = Serving(state, "127.0.0.1", 0)
    tunnel_port = serving.add_tunnel_listener()
    serving.start()
    yield Client(serving.port), Client(tunnel_port), gate, toy_project / "build"
    serving.stop()


def login(client: Client, pin: str, extra: dict | None = None, next_path: str = "/served/amy/"):
    body = f"pin={pin}&next={next_path}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body)), **(extra or {})}
    return client.request("POST", "/_runthru/pin", headers, body)


SESSION_COOKIE = re.compile(r"((?:__Host-)?runthru_auth(?:_\d+_[0-9a-f]{8})?)=([^;]*)")


def auth_cookie(headers: dict) -> str:
    """The session cookie a login answer sets, as the browser sends it back: ``name=value``
    (this server's name for it: gate.cookie_name)."""
    return SESSION_COOKIE.match(headers["set-cookie"]).group(0)


def cookie_of(headers: dict) -> str:
    return SESSION_COOKIE.match(headers["set-cookie"]).group(2)


def test_every_file_needs_the_cookie(gated):
    client, _, _, build_dir = gated
    audio = next((build_dir / "served" / "audio").iterdir()).name
    for path in ("/", "/index.html", "/served/amy/", "/served/data.js", f"/served/audio/{audio}", "/served.zip",
                 "/served/amy.zip", "/assets/player.js", "/sw.js", "/_runthru/reload"):
        status, headers, body = client.get(path)
        assert status in (303, 401), path
        if status == 303:
            assert headers["location"].startswith("/_runthru/pin?next=")
        assert b"Hello" not in body and b"RUNTHRU" not in body
    assert client.get("/_runthru/health")[0] == 200
    status, headers, body = client.get("/_runthru/pin?next=/served/amy/")
    assert status == 200 and b'name="pin"' in body and "default-src 'self'" in headers["content-security-policy"]
    assert client.get("/_runthru/pin.css")[0] == 200


def test_a_cookie_with_a_non_ascii_byte_is_refused_not_a_dropped_connection(gated):
    """hmac.compare_digest raises on non-ASCII text: every request carrying such a cookie (a
    stray one, or a stranger's) used to end in a traceback and no answer."""
    import socket

    client, _, gate, _ = gated
    assert not gate.cookie_valid("1.2.\xe9") and gate.device_of("1.2.\xe9") is None
    name = gate.cookie_name("session", port=client.port, https=False)
    with socket.create_connection(("127.0.0.1", client.port), timeout=10) as conn:
        conn.sendall(f"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nCookie: {name}=1.2.".encode()
                     + b"\xe9\r\nConnection: close\r\n\r\n")
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 303"), answer[:40]  # to the PIN page, like any stranger


def test_right_pin_sets_a_strict_httponly_cookie_that_opens_everything(gated):
    client, _, _, _ = gated
    status, headers, _ = login(client, "4321")
    assert status == 303 and headers["location"] == "/served/amy/"
    set_cookie = headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", f"Max-Age={30 * 86400}"):
        assert attribute in set_cookie
    assert "Secure" not in set_cookie  # plain http on loopback
    cookie = {"Cookie": auth_cookie(headers)}
    assert client.request("GET", "/served/amy/", cookie)[0] == 200
    assert client.request("GET", "/served.zip", cookie)[0] == 200
    expires, nonce, signature = cookie_of(headers).split(".")
    name = auth_cookie(headers).split("=")[0]
    forged = {"Cookie": f"{name}={expires}.{nonce}x.{signature}"}
    assert client.request("GET", "/served/amy/", forged)[0] == 303
    status, headers, _ = client.request("GET", "/_runthru/logout", cookie)
    assert status == 303 and "Max-Age=0" in headers["set-cookie"]


def test_tunnel_traffic_gets_a_secure_cookie(gated):
    _, tunnel, _, _ = gated
    status, headers, _ = login(tunnel, "4321", {"CF-Connecting-IP": "203.0.113.7"})
    assert status == 303 and "; Secure" in headers["set-cookie"]


def test_no_open_redirect(gated):
    client, _, _, _ = gated
    assert login(client, "4321", next_path="//evil.example/")[1]["location"] == "/"
    assert login(client, "4321", next_path="https://evil.example/")[1]["location"] == "/"


def test_wrong_pins_lock_out_that_client_while_another_still_gets_in(gated):
    client, tunnel, _, _ = gated
    attacker = {"CF-Connecting-IP": "198.51.100.1"}
    for _ in range(FREE_FAILURES):
        assert login(tunnel, "0000", attacker)[0] == 403
    status, headers, body = login(tunnel, "4321", attacker)  # even the right PIN waits now
    assert status == 429 and int(headers["retry-after"]) > 0 and b"Too many PIN guesses" in body
    # CF-Connecting-IP names the client only on the tunnel's own port: on the main port it is ignored,
    # so a local client cannot dodge its own lock-out by inventing headers
    assert login(tunnel, "4321", {"CF-Connecting-IP": "192.0.2.44"})[0] == 303
    assert login(client, "4321", attacker)[0] == 303


def test_pin_hash_from_runthru_toml(toy_project):
    from conftest import run_cli

    (toy_project / "runthru.toml").write_text('[serve]\npin_hash = "not-a-hash"\n')
    proc = run_cli("serve", str(toy_project), "--port", "0")
    assert proc.returncode == 1 and "runthru.toml: pin_hash" in proc.stderr
    proc = run_cli("pin-hash", "--pin", "2468")
    assert proc.returncode == 0
    stored = re.search(r'pin_hash = "([^"]+)"', proc.stdout).group(1)
    assert verify_pin("2468", stored)


# -- the red-team findings of issue 10 ------------------------------------------------------------------------

def raw_post(port: int, path: str, body: bytes, extra: dict | None = None):
    """A POST whose response headers come back as a list, so an injected duplicate shows."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=70)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Content-Length": str(len(body)), **(extra or {})})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        conn.close()


def test_next_cannot_inject_headers_or_lead_away(gated):
    client, _, _, build_dir = gated
    (build_dir / "served" / "a b").mkdir()
    cases = {
        "%2F%0D%0ASet-Cookie:%20injected=1": "/",
        "%2F%09%2Fhost": "/",
        "/%E2%82%AC": "/",  # /€, which is no page of the site
        "%2F%2Fevil.example%2F": "/",
        "/%2F/evil.example": "/",
        "%2Fserved%2F..%2F..%2Fetc%2Fpasswd": "/",
        "/nowhere/": "/",
        "/served/amy/": "/served/amy/",
        "/served/a%2520b/": "/served/a%20b/",  # a real folder with a space, percent-encoded in the header
    }
    for next_value, expected in cases.items():
        status, headers = raw_post(client.port, "/_runthru/pin", f"pin=4321&next={next_value}".encode())
        assert status == 303, next_value
        cookies = [v for k, v in headers if k.lower() == "set-cookie"]
        names = sorted(c.split("=", 1)[0].rsplit("_", 2)[0] for c in cookies)
        assert names == ["runthru_auth", "runthru_device"], (next_value, cookies)
        assert [v for k, v in headers if k.lower() == "location"] == [expected], next_value
    status, _, body = client.get("/_runthru/pin?next=%2F%0D%0ASet-Cookie:%20x=1")
    assert status == 200 and b'value="/"' in body


def test_no_header_value_may_carry_a_line_break():
    from runthru_build.serve import Handler

    handler = Handler.__new__(Handler)
    handler.request_version = "HTTP/1.1"
    handler._headers_buffer = []
    for value in ("/\r\nSet-Cookie: x=1", "/\nx", "/\rx"):
        with pytest.raises(ValueError):
            handler.send_header("Location", value)
    with pytest.raises(ValueError):
        handler.send_header("X-A\r\nX-B", "1")
    assert handler._headers_buffer == []


def burst(port: int, count: int, headers_of=lambda n: {}) -> list[int]:
    import threading

    statuses = [0] * count
    start = threading.Barrier(count)

    def one(n: int) -> None:
        start.wait()
        statuses[n] = raw_post(port, "/_runthru/pin", b"pin=0000&next=/", headers_of(n))[0]

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_a_burst_of_guesses_is_checked_one_at_a_time(gated):
    client, _, _, _ = gated
    statuses = burst(client.port, 100)
    assert statuses.count(403) <= FREE_FAILURES, statuses.count(403)  # only guesses actually checked say 403
    assert statuses.count(403) + statuses.count(429) == 100


def test_rotating_cf_connecting_ip_meets_the_global_ceiling(gated):
    _, tunnel, _, _ = gated
    statuses = [login(tunnel, "0000", {"CF-Connecting-IP": f"198.51.100.{n}"})[0] for n in range(1, 31)]
    assert statuses.count(403) == GUESSES_PER_MINUTE and statuses.count(429) == 30 - GUESSES_PER_MINUTE
    status, headers, _ = login(tunnel, "0000", {"CF-Connecting-IP": "198.51.100.99"})
    assert status == 429 and 0 < int(headers["retry-after"]) <= 60


def cookies_in(headers: list[tuple[str, str]]) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


def test_a_device_that_logged_in_before_is_not_locked_out_by_someone_elses_guesses(gated):
    client, tunnel, _, _ = gated
    status, headers = raw_post(client.port, "/_runthru/pin", b"pin=4321&next=/")
    assert status == 303
    jar = cookies_in(headers)
    status, headers, _ = client.request("GET", "/_runthru/logout", {"Cookie": jar})
    jar = "; ".join(c for c in jar.split("; ") if not c.startswith("runthru_auth"))  # the browser drops it
    for _ in range(FREE_FAILURES + 2):  # someone at the same address locks it out ...
        login(client, "0000")
    for n in range(GUESSES_PER_MINUTE + 2):  # ... and the tunnel's global ceiling is spent too
        login(tunnel, "0000", {"CF-Connecting-IP": f"203.0.113.{n + 1}"})
    assert login(client, "4321")[0] == 429  # a stranger at that address waits
    status, headers = raw_post(client.port, "/_runthru/pin", b"pin=4321&next=/served/amy/", {"Cookie": jar})
    assert status == 303 and dict(headers)["Location"] == "/served/amy/"


def test_a_tab_that_is_already_logged_in_needs_no_guess(gated):
    client, _, _, _ = gated
    status, headers, _ = login(client, "4321")
    cookie = {"Cookie": auth_cookie(headers)}
    for _ in range(FREE_FAILURES + 2):
        login(client, "0000")
    status, headers, _ = login(client, "", cookie)  # the PIN page of a stale tab, submitted again
    assert status == 303 and headers["location"] == "/served/amy/"


def test_scrypt_checks_run_a_bounded_number_at_a_time(monkeypatch):
    import threading

    from runthru_build import gate as gate_module

    running, peak, lock = [0], [0], threading.Lock()
    real_verify = gate_module.verify_pin

    def counting_verify(pin, stored):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_verify(pin, stored)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(gate_module, "verify_pin", counting_verify)
    gate = Gate(pin_hash=hash_pin("4321"), key=b"k" * 32, guesses_per_minute=1000)
    threads = [threading.Thread(target=gate.guess, args=(f"client-{n}", "0000")) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == CONCURRENT_CHECKS


def test_logout_ends_the_session_on_the_server_too(gated, toy_project):
    client, _, _, _ = gated
    headers = login(client, "4321")[1]
    cookie = {"Cookie": auth_cookie(headers)}
    assert client.request("GET", "/served/amy/", cookie)[0] == 200
    assert client.request("GET", "/_runthru/logout", cookie)[0] == 303
    assert client.request("GET", "/served/amy/", cookie)[0] == 303  # someone who kept the cookie
    assert client.request("GET", "/served/amy.zip", cookie)[0] == 401
    restarted = make_gate("4321", None, toy_project / ".runthru")
    assert not restarted.cookie_valid(cookie_of(headers))  # and after a restart


def test_the_lists_of_parts_offer_a_way_to_sign_out(gated):
    """Found by a newcomer: signing out meant typing /_runthru/logout."""
    client, _, _, _ = gated
    cookie = {"Cookie": auth_cookie(login(client, "4321")[1])}
    for page in ("/", "/served/"):
        status, _, body = client.request("GET", page, cookie)
        assert status == 200 and b'<a href="/_runthru/logout">Sign out</a>' in body, page
    assert b"Sign out" not in client.request("GET", "/served/amy/", cookie)[2]  # not over the player


def test_cookies_survive_a_restart_with_the_same_pin_and_not_a_new_pin_or_key(tmp_path):
    state = tmp_path / ".runthru"
    cookie = make_gate("4321", None, state).issue_cookie()
    key_file = state / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600 and b"4321" not in key_file.read_bytes()
    assert make_gate("4321", None, state).cookie_valid(cookie)
    assert not make_gate("4321", None, state, new_key=True).cookie_valid(cookie)
    cookie = make_gate("4321", None, state).issue_cookie()
    assert not make_gate("5678", None, state).cookie_valid(cookie)  # a PIN change signs everyone out
    stored = hash_pin("2468")
    cookie = make_gate(None, stored, state).issue_cookie()
    assert make_gate(None, stored, state).cookie_valid(cookie)
    assert not make_gate(None, hash_pin("2468"), state).cookie_valid(cookie)  # a new pin_hash in runthru.toml
    key_file.write_text("{not json")  # a damaged key file is RunThru's own: replaced, so signs everyone out
    assert not make_gate(None, stored, state).cookie_valid(cookie)


def test_cookies_survive_a_restart_of_the_server(toy_project):
    assert build(toy_project).published
    cookies, port = [], 0
    for _ in range(2):
        gate = make_gate("4321", None, toy_project / ".runthru")
        serving = Serving(ServerState(build_dir=toy_project / "build", gate=gate), "127.0.0.1", port)
        port = serving.port  # restarted on the same port, as `serve` is
        serving.start()
        try:
            client = Client(serving.port)
            if not cookies:
                cookies.append(auth_cookie(login(client, "4321")[1]))
            assert client.request("GET", "/served/amy/", {"Cookie": cookies[0]})[0] == 200
        finally:
            serving.stop()


@pytest.mark.parametrize("before", ['prefs={"a":1}', "name=first last", "path=C:\\\\x", 'q="unclosed', "=odd", "flag"])
def test_other_cookies_do_not_break_a_valid_login(gated, before):
    client, _, _, _ = gated
    cookie = auth_cookie(login(client, "4321")[1])
    status = client.request("GET", "/served/amy/", {"Cookie": f"{before}; {cookie}; b=2"})[0]
    assert status == 200, before


def test_the_pin_page_does_not_tell_a_stranger_which_pages_exist(gated):
    client, _, _, _ = gated

    def shown(next_path: str, pin: str | None = None) -> tuple[int, bytes]:
        if pin is None:
            status, _, body = client.get(f"/_runthru/pin?next={next_path}")
        else:
            status, _, body = login(client, pin, next_path=next_path)
        return status, body.replace(next_path.encode(), b"NEXT")

    for pin in (None, "0000"):
        assert shown("/served/amy/", pin) == shown("/served/nobody/", pin), pin  # a real part, a made-up one
    status, headers, _ = login(client, "4321", next_path="/served/nobody/")
    assert status == 303 and headers["location"] == "/"  # once in, only a page of the site


def test_another_website_cannot_spend_the_guesses_of_the_people_it_sends_here(gated):
    """A page elsewhere can make its visitors' browsers post PINs here (a plain form post needs no
    permission); those guesses would lock the visitors themselves out. Browsers mark them cross-site."""
    client, tunnel, _, _ = gated
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    for n in range(FREE_FAILURES + GUESSES_PER_MINUTE + 2):
        status, _, body = login(client, "0000", cross_site)
        assert status == 403 and b"another site" in body, n
        login(tunnel, "0000", {**cross_site, "CF-Connecting-IP": f"203.0.113.{n + 1}"})
    assert login(client, "4321", cross_site)[0] == 403  # not even the right PIN, from there
    status, headers, _ = login(client, "4321", {"Sec-Fetch-Site": "same-origin"})  # the real user, same address
    assert status == 303 and headers["location"] == "/served/amy/"
    assert login(tunnel, "4321", {"Sec-Fetch-Site": "same-origin", "CF-Connecting-IP": "203.0.113.1"})[0] == 303


def test_with_a_pin_any_host_name_meets_the_pin_page(gated):
    """A port-forwarding proxy may keep its own name in Host; with a PIN that is no risk to the site."""
    client, _, _, _ = gated
    status, headers, _ = client.request("GET", "/served/amy/", {"Host": "rehearsal-8000.proxy.example"})
    assert status == 303 and headers["location"].startswith("/_runthru/pin")
    status, headers, _ = login(client, "4321", {"Host": "rehearsal-8000.proxy.example"})
    assert status == 303 and headers["location"] == "/served/amy/"


@pytest.mark.browser
def test_after_logout_the_back_button_shows_no_page_of_the_site(gated, browser):
    """A shared computer: the next person presses Back after the actor logged out."""
    client, _, _, _ = gated
    page = browser.new_context().new_page()
    try:
        base = f"http://127.0.0.1:{client.port}"
        page.goto(f"{base}/served/amy/")
        page.fill("input[name=pin]", "4321")
        page.keyboard.press("Enter")
        page.wait_for_selector(".line")
        page.goto(f"{base}/_runthru/logout")
        page.go_back()
        page.wait_for_load_state()
        assert "/_runthru/pin" in page.url and page.locator(".line").count() == 0
    finally:
        page.context.close()


def test_a_link_on_another_site_signs_nobody_out(gated):
    client, _, _, _ = gated
    status, headers, _ = login(client, "4321")
    cookie = {"Cookie": auth_cookie(headers)}
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    status, headers, _ = client.request("GET", "/_runthru/logout", {**cookie, **link})
    assert status == 303 and "set-cookie" not in headers  # the browser keeps its cookie
    assert client.request("GET", "/served/amy/", cookie)[0] == 200
    status, headers, _ = client.request("GET", "/_runthru/logout", {**cookie, "Sec-Fetch-Site": "same-origin"})
    assert "Max-Age=0" in headers["set-cookie"] and client.request("GET", "/served/amy/", cookie)[0] == 303


# -- the red-team findings of issue 25 ------------------------------------------------------------------------

def test_cookies_are_this_servers_own_and_another_port_of_the_host_can_use_none(gated, toy_project):
    """Browsers send a host's cookies to every port of it: a test server on another port received runthru_auth
    and runthru_device, and two RunThru servers on one host overwrote each other's."""
    client, tunnel, _, build_dir = gated
    status, headers = raw_post(client.port, "/_runthru/pin", b"pin=4321&next=/")
    names = [v.split("=", 1)[0] for k, v in headers if k.lower() == "set-cookie"]
    assert status == 303 and all(re.fullmatch(rf"runthru_(auth|device)_{client.port}_[0-9a-f]{{8}}", n) for n in names)
    jar = cookies_in(headers)
    other = Serving(ServerState(build_dir=build_dir, gate=make_gate("4321", None, toy_project / ".runthru")),
                    "127.0.0.1", 0)  # the same project served on a second port: the same key
    other.start()
    try:
        neighbour = Client(other.port)
        assert neighbour.request("GET", "/served/amy/", {"Cookie": jar})[0] == 303  # the cookie opens nothing there
        status, headers = raw_post(other.port, "/_runthru/pin", b"pin=4321&next=/")
        assert status == 303 and not set(cookies_in(headers).split("; ")) & set(jar.split("; "))  # no overwrite
        neighbour.request("GET", "/_runthru/logout", {"Cookie": jar})  # signs nobody out here
    finally:
        other.stop()
    assert client.request("GET", "/served/amy/", {"Cookie": jar})[0] == 200
    # a page on another port of this host is the same site to the browser, but not this origin
    neighbour_page = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    status, headers, _ = client.request("GET", "/_runthru/logout", {"Cookie": jar, **neighbour_page})
    assert status == 303 and "set-cookie" not in headers and client.request("GET", "/", {"Cookie": jar})[0] == 200
    for origin in ({"Sec-Fetch-Site": "same-site"}, {"Origin": f"http://127.0.0.1:{other.port}"}):
        status, _, body = login(client, "4321", origin)
        assert status == 403 and b"another site" in body, origin
    status, headers, _ = login(tunnel, "4321", {"CF-Connecting-IP": "203.0.113.9"})
    assert headers["set-cookie"].startswith("__Host-runthru_auth=") and "; Secure" in headers["set-cookie"]


@pytest.mark.browser
def test_sign_out_leaves_nothing_of_the_script_in_the_browser(gated, browser):
    """The player kept pages and audio in the service worker's cache as it played; after Sign out the audio still
    played offline, and so did the whole part's page."""
    client, _, _, _ = gated
    base = f"http://127.0.0.1:{client.port}"
    context = browser.new_context()
    page = context.new_page()
    kept = "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))" \
           ".then(lists => lists.flat().map(r => r.url))"
    try:
        page.goto(f"{base}/served/amy/")
        page.fill("input[name=pin]", "4321")
        page.keyboard.press("Enter")
        page.wait_for_selector(".line")
        page.evaluate("window.RunThru.makeOffline(true)")  # what reaching the end of the script does
        page.wait_for_timeout(1500)
        assert page.evaluate(kept) == []  # behind a PIN, nothing is kept unasked
        page.click("#settings-btn")
        page.click("#offline-btn")
        page.wait_for_selector("#offline-status:has-text('✓')")
        assert "Sign out removes them" in page.text_content("#offline-status")
        assert any(url.endswith(".mp3") for url in page.evaluate(kept))  # asked: kept
        page.goto(f"{base}/served/")
        page.click("text=Sign out")
        page.wait_for_url("**/_runthru/pin**")
        assert page.evaluate(kept) == []
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
        context.set_offline(True)
        with contextlib.suppress(Exception):  # offline, and nothing kept: the browser's own error page
            page.goto(f"{base}/served/amy/")
        assert page.locator(".line").count() == 0
    finally:
        context.close()
