"""``--tunnel``: share the served site through a Cloudflare Tunnel.

RunThru only drives the user's ``cloudflared`` binary: a quick tunnel
(``cloudflared tunnel --no-autoupdate --url http://127.0.0.1:PORT``, a random
``*.trycloudflare.com`` address) or a named one (``cloudflared tunnel
--no-autoupdate run --url http://127.0.0.1:PORT``, the token in its
environment as ``TUNNEL_TOKEN`` so that ``ps`` never shows it).  PORT is the
server's private tunnel port, where CF-Connecting-IP names the client and
cookies are Secure.  The public address is read from
cloudflared's log, the process is restarted if it dies and stopped with the
server.  The server refuses to start a tunnel without a PIN.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from .errors import RunThruError

QUICK_URL = re.compile(r"https://[a-z0-9][a-z0-9-]*\.trycloudflare\.com")
CONNECTED = "Registered tunnel connection"
INSTALL_HELP = (
    "cloudflared is not installed (or not on PATH). Install it from Cloudflare's downloads page "
    "(Debian/Ubuntu: the cloudflared .deb; macOS: brew install cloudflared; Windows: winget install "
    "Cloudflare.cloudflared), then run this again."
)
MAX_BACKOFF_S = 30.0


class Tunnel:
    def __init__(self, port: int, token: str | None = None, *, binary: str = "cloudflared",
                 on_url: Callable[[str], None] | None = None, on_log: Callable[[str], None] | None = None) -> None:
        self.port = port
        self.token = token
        self.binary = binary
        self.on_url = on_url or (lambda url: None)
        self.on_log = on_log or (lambda line: None)
        self.url: str | None = None
        self.connected = threading.Event()
        self.restarts = 0
        self._process: subprocess.Popen[str] | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    def command(self) -> list[str]:
        origin = f"http://127.0.0.1:{self.port}"
        if self.token:
            return [self.binary, "tunnel", "--no-autoupdate", "run", "--url", origin]
        return [self.binary, "tunnel", "--no-autoupdate", "--url", origin]

    def environment(self) -> dict[str, str]:
        """Ours, with the token (or none: a quick tunnel must not pick up a stray TUNNEL_TOKEN)."""
        env = {k: v for k, v in os.environ.items() if k != "TUNNEL_TOKEN"}
        if self.token:
            env["TUNNEL_TOKEN"] = self.token
        return env

    def start(self) -> None:
        if shutil.which(self.binary) is None:
            raise RunThruError(INSTALL_HELP)
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name="runthru-tunnel", daemon=True)
        self._supervisor.start()

    def _spawn(self) -> None:
        self.connected.clear()
        self._process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, text=True, bufsize=1, env=self.environment(),
                                         preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            self.on_log(line)
            match = QUICK_URL.search(line)
            if match and match.group(0) != self.url and "api.trycloudflare.com" not in match.group(0):
                self.url = match.group(0)
                self.on_url(self.url)
            if CONNECTED in line:
                self.connected.set()

    def _supervise(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            self.on_log(f"cloudflared exited with code {code}; restarting")
            if time.monotonic() - started > 60:
                backoff = 1.0
            if self._stopping.wait(backoff):
                return
            backoff = min(MAX_BACKOFF_S, backoff * 2)
            self.restarts += 1
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)


def _die_with_parent() -> None:
    """Linux: have the kernel stop cloudflared if RunThru itself is killed outright."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def qr_text(url: str) -> str:
    """A QR code of ``url`` drawn with block characters, for phones to scan off the terminal."""
    import io

    import segno

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()
