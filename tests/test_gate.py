"""The PIN gate: unit checks of hashing, cookies and back-off, then over real HTTP."""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import Client

from runthru_build.commands.build import build
from runthru_build.gate import (
    FREE_FAILURES,
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


def test_secret_file_is_private(tmp_path):
    gate = make_gate("4321", None, tmp_path / ".runthru")
    assert (tmp_path / ".runthru" / "secret").stat().st_mode & 0o777 == 0o600
    assert len(gate.secret) == 32
    with pytest.raises(PinError, match="at least 4"):
        make_gate("12", None, tmp_path)


def test_cookies_are_signed_bound_to_the_pin_and_expire():
    clock = Clock()
    gate = Gate(pin_hash=hash_pin("4321"), secret=b"s" * 32, clock=clock)
    cookie = gate.issue_cookie()
    assert gate.cookie_valid(cookie)
    expires, nonce, signature = cookie.split(".")
    assert not gate.cookie_valid(f"{int(expires) + 999999}.{nonce}.{signature}")  # tampered expiry
    assert not gate.cookie_valid(f"{expires}.{nonce}.{signature[:-2]}AA")  # tampered signature
    assert not gate.cookie_valid("forged") and not gate.cookie_valid(None)
    assert not Gate(pin_hash=hash_pin("9999"), secret=b"s" * 32, clock=clock).cookie_valid(cookie)  # PIN changed
    clock.now += 31 * 86400
    assert not gate.cookie_valid(cookie)


def test_wrong_guesses_slow_down_one_client_only_and_are_forgotten():
    clock = Clock()
    gate = Gate(pin_hash=hash_pin("4321"), secret=b"s" * 32, clock=clock)
    for _ in range(FREE_FAILURES):
        assert gate.wait_seconds("a") == 0 and not gate.attempt("a", "0000")
    waits = []
    for _ in range(4):
        waits.append(gate.wait_seconds("a"))
        clock.now += waits[-1]
        assert not gate.attempt("a", "0000")
    assert waits == sorted(waits) and waits[0] > 0 and waits[-1] > waits[0]  # growing delays
    assert gate.wait_seconds("b") == 0 and gate.attempt("b", "4321")  # another client is not affected
    for _ in range(30):
        clock.now += gate.wait_seconds("a")
        gate.attempt("a", "0000")
    assert gate.wait_seconds("a") <= MAX_LOCKOUT_S  # never locked out for good
    clock.now += gate.wait_seconds("a")
    assert gate.attempt("a", "4321")  # the right PIN works once the wait is over
    assert gate.wait_seconds("a") == 0


@pytest.fixture
def gated(toy_project):
    assert build(toy_project).published
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


def cookie_of(headers: dict) -> str:
    return re.match(r"runthru_auth=([^;]*)", headers["set-cookie"]).group(1)


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


def test_right_pin_sets_a_strict_httponly_cookie_that_opens_everything(gated):
    client, _, _, _ = gated
    status, headers, _ = login(client, "4321")
    assert status == 303 and headers["location"] == "/served/amy/"
    set_cookie = headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", f"Max-Age={30 * 86400}"):
        assert attribute in set_cookie
    assert "Secure" not in set_cookie  # plain http on loopback
    cookie = {"Cookie": f"runthru_auth={cookie_of(headers)}"}
    assert client.request("GET", "/served/amy/", cookie)[0] == 200
    assert client.request("GET", "/served.zip", cookie)[0] == 200
    expires, nonce, signature = cookie_of(headers).split(".")
    forged = {"Cookie": f"runthru_auth={expires}.{nonce}x.{signature}"}
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
    assert status == 429 and int(headers["retry-after"]) > 0 and b"Too many wrong PINs" in body
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
