"""The PIN gate: who may see a served site.

* The PIN comes from ``--pin``, ``RUNTHRU_PIN``, or ``pin_hash`` in
  runthru.toml (scrypt or PBKDF2, never the PIN itself); a plain PIN is
  hashed at start-up so every check runs the same slow, constant-time path.
* A correct PIN earns an HMAC-signed cookie (HttpOnly, SameSite=Strict, Secure
  over https, 30 days) signed with a secret kept in ``.runthru/secret``
  (mode 0600) and bound to the PIN, so changing the PIN signs everyone out.
* Failed guesses are counted per client; after a few, each further guess
  waits longer (doubling, capped), and old failures are forgotten, so an
  attacker is slowed to a crawl while the real user is never locked out for
  good and other clients are not affected at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

COOKIE = "runthru_auth"
COOKIE_DAYS = 30
FREE_FAILURES = 3
MAX_LOCKOUT_S = 15 * 60
FORGET_AFTER_S = 60 * 60
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
PBKDF2_ITERATIONS = 600_000


class PinError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash``: what goes into runthru.toml as ``pin_hash``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of a PIN against a ``scrypt$…`` or ``pbkdf2_sha256$…`` hash."""
    parts = stored.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            salt, expected = _unb64(parts[4]), _unb64(parts[5])
            got = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**27)
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            salt, expected = _unb64(parts[2]), _unb64(parts[3])
            got = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, int(parts[1]), dklen=len(expected))
        else:
            raise PinError("pin_hash must look like scrypt$N$r$p$salt$hash or pbkdf2_sha256$iterations$salt$hash")
    except (ValueError, TypeError) as exc:
        raise PinError(f"pin_hash is malformed: {exc}") from None
    return hmac.compare_digest(got, expected)


def check_pin_hash(stored: str) -> None:
    """Raise ``PinError`` unless ``stored`` is a usable hash."""
    verify_pin("", stored)


def load_secret(state_dir: Path) -> bytes:
    """The server's signing secret: created once, readable by its owner only."""
    path = state_dir / "secret"
    state_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_bytes()


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class Gate:
    pin_hash: str
    secret: bytes
    clock: Callable[[], float] = time.time
    _failures: dict[str, _Failures] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def _binding(self) -> bytes:
        return hashlib.sha256(self.pin_hash.encode()).digest()

    # -- cookies --------------------------------------------------------------
    def issue_cookie(self) -> str:
        expires = int(self.clock()) + COOKIE_DAYS * 86400
        body = f"{expires}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self.secret, body.encode() + b"|" + self._binding, hashlib.sha256).digest())

    def cookie_valid(self, value: str | None) -> bool:
        if not value or value.count(".") != 2:
            return False
        body, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(self._sign(body), signature):
            return False
        try:
            return int(body.split(".", 1)[0]) > self.clock()
        except ValueError:
            return False

    # -- guesses ----------------------------------------------------------------
    def wait_seconds(self, client: str) -> float:
        """How long ``client`` must wait before its next guess is even looked at."""
        with self._lock:
            f = self._failures.get(client)
            if f is None:
                return 0.0
            now = self.clock()
            if now - f.last > FORGET_AFTER_S:
                del self._failures[client]
                return 0.0
            if f.count < FREE_FAILURES:
                return 0.0
            delay = min(MAX_LOCKOUT_S, 2 ** (f.count - FREE_FAILURES + 1))
            return max(0.0, f.last + delay - now)

    def attempt(self, client: str, pin: str) -> bool:
        """Check a guess (the caller has already honoured ``wait_seconds``)."""
        ok = verify_pin(pin, self.pin_hash)
        with self._lock:
            if ok:
                self._failures.pop(client, None)
            else:
                f = self._failures.setdefault(client, _Failures())
                f.count += 1
                f.last = self.clock()
        return ok


def make_gate(pin: str | None, pin_hash: str | None, state_dir: Path) -> Gate | None:
    """The gate for a server: a plain PIN wins over a configured hash; neither means no gate."""
    if pin is not None:
        pin = pin.strip()
        if len(pin) < 4:
            raise PinError("the PIN must be at least 4 characters")
        pin_hash = hash_pin(pin)
    if pin_hash is None:
        return None
    check_pin_hash(pin_hash)
    return Gate(pin_hash=pin_hash, secret=load_secret(state_dir))
