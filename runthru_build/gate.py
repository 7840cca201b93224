"""The PIN gate: who may see a served site.

* The PIN comes from ``--pin``, ``RUNTHRU_PIN``, or ``pin_hash`` in
  runthru.toml (scrypt or PBKDF2, never the PIN itself); a plain PIN is
  hashed so every check runs the same slow, constant-time path.
* A correct PIN earns an HMAC-signed session cookie (HttpOnly,
  SameSite=Strict, Secure over https, 30 days), named for this server
  (``cookie_name``: its port and key, or ``__Host-`` over https).  The signing key lives in
  ``.runthru/serve-key.json`` (mode 0600) with the hash of the PIN it was made
  for, so cookies survive a restart with the same PIN; a new PIN or
  ``serve --new-key`` makes a new key, which signs everyone out.  Logging out
  revokes the session on the server (kept in the same file, until it expires).
* A correct PIN also earns a device cookie: it opens nothing, but a browser
  holding it guesses in a bucket of its own, so strangers' wrong guesses never
  lock out someone who has logged in from that browser before.
* Guesses are checked one at a time per client, at most ``CONCURRENT_CHECKS``
  scrypt runs at once, at most ``GUESSES_PER_MINUTE`` wrong ones across all
  clients (a right guess is refunded, so a cast logging in together is never
  held up); after
  ``FREE_FAILURES`` wrong guesses a client waits longer before each next one
  (doubling, capped, forgotten after an hour).  The check and the count happen
  under one lock, so a burst of requests cannot slip between them.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .fsutil import write_atomic

COOKIE = "runthru_auth"
DEVICE_COOKIE = "runthru_device"
"""The stems of the cookies' names; ``Gate.cookie_name`` gives each server its own."""
_COOKIE_STEMS = {"session": COOKIE, "device": DEVICE_COOKIE}
COOKIE_DAYS = 30
DEVICE_DAYS = 365
KEY_FILE = "serve-key.json"
FREE_FAILURES = 3
MAX_LOCKOUT_S = 15 * 60
FORGET_AFTER_S = 60 * 60
MAX_REMEMBERED = 10_000
"""Clients remembered before the forgotten ones are swept out."""
GUESSES_PER_MINUTE = 10
"""Across all clients: the most wrong guesses an attacker with any number of addresses gets (600 an hour)."""
CONCURRENT_CHECKS = 2
"""scrypt runs at once (each takes about 16 MB)."""
MIN_PIN = 4
MIN_TUNNEL_PIN = 6
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


@dataclass(frozen=True)
class Guess:
    """The answer to one guess: ``retry_after`` > 0 means it was not even checked."""

    ok: bool
    retry_after: int = 0

    @property
    def checked(self) -> bool:
        return self.retry_after == 0


@dataclass
class _Client:
    failures: int = 0
    last: float = 0.0
    busy: bool = False


@dataclass
class Gate:
    pin_hash: str
    key: bytes
    clock: Callable[[], float] = time.time
    guesses_per_minute: int = GUESSES_PER_MINUTE
    key_file: Path | None = None
    """Where revoked sessions are kept (with the key), so a logout outlives a restart."""
    revoked: dict[str, int] = field(default_factory=dict)
    _clients: dict[str, _Client] = field(default_factory=dict)
    _recent: collections.deque[float] = field(default_factory=collections.deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _checks: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(CONCURRENT_CHECKS))

    # -- cookies --------------------------------------------------------------
    def _issue(self, purpose: str, days: int) -> str:
        body = f"{int(self.clock()) + days * 86400}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._sign(purpose, body)}"

    def _sign(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}|{body}".encode(), hashlib.sha256).digest())

    def _nonce(self, purpose: str, value: str | None) -> str | None:
        """The nonce of a genuine, unexpired cookie made for ``purpose``."""
        if not value or not value.isascii() or value.count(".") != 2:  # compare_digest raises on non-ASCII
            return None
        body, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(self._sign(purpose, body), signature):
            return None
        expires, nonce = body.split(".")
        try:
            return nonce if int(expires) > self.clock() else None
        except ValueError:
            return None

    def cookie_name(self, purpose: str, *, port: int, https: bool) -> str:
        """A browser sends a host's cookies to every port of it: over plain http the name carries
        the port and a tag of this key (``runthru_auth_8000_1f2e3d4c``), so another server on the
        host, RunThru or not, is sent cookies it cannot use, and two RunThru servers never overwrite
        each other's.  Over https, ``__Host-``: the browser keeps it to this host, Secure, path /."""
        stem = _COOKIE_STEMS[purpose]
        if https:
            return f"__Host-{stem}"
        tag = hmac.new(self.key, f"cookie-name|{port}".encode(), hashlib.sha256).hexdigest()[:8]
        return f"{stem}_{port}_{tag}"

    def issue_cookie(self) -> str:
        return self._issue("session", COOKIE_DAYS)

    def cookie_valid(self, value: str | None) -> bool:
        nonce = self._nonce("session", value)
        return nonce is not None and nonce not in self.revoked

    def revoke(self, value: str | None) -> None:
        """Log a session out for good: its cookie opens nothing any more, here or after a restart."""
        nonce = self._nonce("session", value)
        if nonce is None:
            return
        with self._lock:
            now = self.clock()
            self.revoked = {n: t for n, t in self.revoked.items() if t > now}
            self.revoked[nonce] = int(now) + COOKIE_DAYS * 86400
            if self.key_file is not None:
                _save_key(self.key_file, self.key, self.pin_hash, self.revoked)

    def issue_device(self) -> str:
        return self._issue("device", DEVICE_DAYS)

    def device_of(self, value: str | None) -> str | None:
        """The id of the browser a device cookie was given to, if it is genuine."""
        return self._nonce("device", value)

    # -- guesses ----------------------------------------------------------------
    def _wait(self, client: _Client, now: float) -> float:
        if client.failures < FREE_FAILURES:
            return 0.0
        delay = min(MAX_LOCKOUT_S, 2 ** (client.failures - FREE_FAILURES + 1))
        return client.last + delay - now

    def _admit(self, key: str, counted: bool) -> tuple[_Client | None, float]:
        """Under the lock: may this guess be checked now?  If so it is counted at once."""
        now = self.clock()
        while self._recent and self._recent[0] <= now - 60:
            self._recent.popleft()
        if counted and len(self._recent) >= self.guesses_per_minute:
            return None, self._recent[0] + 60 - now
        if len(self._clients) > MAX_REMEMBERED and key not in self._clients:
            self._clients = {k: c for k, c in self._clients.items() if c.busy or now - c.last <= FORGET_AFTER_S}
        client = self._clients.get(key)
        if client is not None and not client.busy and now - client.last > FORGET_AFTER_S:
            client = None
        if client is None:
            client = self._clients[key] = _Client()
        if client.busy:
            return None, 1.0  # one guess per client at a time
        wait = self._wait(client, now)
        if wait > 0:
            return None, wait
        client.busy = True
        client.failures += 1  # counted as wrong until the check says otherwise
        client.last = now
        if counted:
            self._recent.append(now)
        return client, 0.0

    def guess(self, client: str, pin: str, device: str | None = None) -> Guess:
        """Check one guess from ``client`` (an address), or from a browser holding a device cookie."""
        key, counted = (f"device:{device}", False) if device else (client, True)
        with self._lock:
            record, wait = self._admit(key, counted)
            admitted = record.last if record is not None else 0.0
        if record is None:
            return Guess(ok=False, retry_after=max(1, math.ceil(wait)))
        ok = False
        try:
            with self._checks:
                ok = verify_pin(pin, self.pin_hash)
        finally:
            with self._lock:
                record.busy = False
                record.last = self.clock()
                if ok:
                    self._clients.pop(key, None)
                    if counted:  # only wrong guesses spend the ceiling: a whole cast may log in at once
                        with contextlib.suppress(ValueError):
                            self._recent.remove(admitted)
        return Guess(ok=ok)


def _save_key(path: Path, key: bytes, pin_hash: str, revoked: dict[str, int]) -> None:
    data = {"key": _b64(key), "pin_hash": pin_hash, "revoked": revoked}
    write_atomic(path, json.dumps(data, indent=1).encode())  # a temporary file of mode 0600, renamed
    path.chmod(0o600)


def _load_key(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
        return {"key": _unb64(data["key"]), "pin_hash": str(data["pin_hash"]),
                "revoked": {str(k): int(v) for k, v in data.get("revoked", {}).items()}}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def make_gate(pin: str | None, pin_hash: str | None, state_dir: Path, *, new_key: bool = False) -> Gate | None:
    """The gate for a server: a plain PIN wins over a configured hash; neither means no gate.

    The signing key is reused while the PIN stays the same, so a restart signs nobody out."""
    if pin is not None:
        pin = pin.strip()
        if len(pin) < MIN_PIN:
            raise PinError(f"the PIN must be at least {MIN_PIN} characters")
    elif pin_hash is None:
        return None
    else:
        check_pin_hash(pin_hash)
    path = state_dir / KEY_FILE
    stored = None if new_key else _load_key(path)
    if stored is not None and not _made_for(stored["pin_hash"], pin, pin_hash):
        stored = None
    if stored is None:
        stored = {"key": secrets.token_bytes(32), "pin_hash": hash_pin(pin) if pin is not None else pin_hash,
                  "revoked": {}}
        _save_key(path, stored["key"], stored["pin_hash"], {})
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    now = time.time()
    revoked = {nonce: expires for nonce, expires in stored["revoked"].items() if expires > now}
    return Gate(pin_hash=stored["pin_hash"], key=stored["key"], key_file=path, revoked=revoked)


def _made_for(stored_hash: str, pin: str | None, pin_hash: str | None) -> bool:
    """Whether a saved key belongs to this PIN (or this configured hash)."""
    if pin is None:
        return stored_hash == pin_hash
    try:
        return verify_pin(pin, stored_hash)
    except PinError:
        return False
