"""The serve stage: ``build/`` over HTTP, behind an optional PIN, with live reload.

A ``ThreadingHTTPServer`` and a ``BaseHTTPRequestHandler`` subclass, no
framework.  Only files under ``build/`` are ever served: no ``..``, no encoded
traversal, no symlink that leads out, no dotfiles.  Audio answers range
requests (Safari will not play without 206).  Every response carries a
Content-Security-Policy of ``'self'``, nosniff, no-referrer and
``Cross-Origin-Resource-Policy: same-origin``; a page of another origin may link
to a page here (a top-level navigation) but its requests for files are refused.
A file is opened before anything is sent and sent from the open file, so a
rebuild swapping the site meanwhile never cuts or stretches a body.

Paths under ``/_runthru/`` belong to the server: the PIN page and its style
sheet, a health check, logout, the live-reload poll and its script.  With a
PIN, everything else needs the signed cookie; pages are then ``no-store`` (Back
after a logout shows nothing), and a PIN or logout that a page of another
origin sends through the browser does nothing.  Cookies are named for the
server (``Gate.cookie_name``); logout clears what the browser kept of the site.
Without a PIN, a loopback server answers only to loopback names and IP
addresses, so a DNS-rebinding page cannot read it.  Paths under
``/_tableread/`` are the table read's (tableread_http.py), behind the same gate.

Each connection must deliver a whole request head (and its small body) within
``IDLE_TIMEOUT_S`` of starting to wait for it, or a watchdog shuts it (slow
drip or silence alike); a body the server does not read is discarded, never
parsed as the next request; every header value is refused a line break.
Connections are capped per address and in all (``RunThruServer``), and a small
body goes out in the head's write, with TCP_NODELAY.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import re
import socket
import stat as stat_module
import threading
import time
import weakref
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import tableread_http
from .gate import COOKIE_DAYS, DEVICE_DAYS, Gate
from .livereload import ReloadState, polled_version
from .site import PAGE_CSP
from .tableread import TableReads

PREFIX = "/_runthru/"
CSP = PAGE_CSP + "; frame-ancestors 'none'"  # the pages' own policy, and no framing (a <meta> cannot say that)
TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".webmanifest": "application/manifest+json", ".mp3": "audio/mpeg",
    ".opus": "audio/ogg; codecs=opus", ".ogg": "audio/ogg", ".zip": "application/zip", ".svg": "image/svg+xml",
    ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
}
AUDIO = (".mp3", ".opus", ".ogg")
RELOAD_TAG = b'<script src="/_runthru/reload.js" defer></script>'
SIGN_OUT_TAG = b'<p class="sign-out"><a href="/_runthru/logout">Sign out</a></p>'
"""On the site's and each production's list of parts, behind a PIN: the way out."""
PRIVATE_TAG = b'<meta name="runthru-private" content="behind a PIN">'
"""In every page behind a PIN: the player then keeps offline copies only when the actor asks."""
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
MAX_FORM_BYTES = 4096
IDLE_TIMEOUT_S = 20.0
"""A connection has this long to send each request head, from when the server starts waiting for it."""
MAX_PER_ADDRESS = 64
"""Connections one address may hold at once (a browser opens 6); past it, that address's longest-idle one is shut."""
MAX_CONNECTIONS = 512
"""Connections in all (fewer where the process may open fewer files); past it, the longest-idle one is shut."""
SMALL_BODY = 65536
"""A body up to this size goes out in the same write as the head (one segment, no wait for an ACK)."""
_HUGE = 10**18
Headers = dict[str, "str | list[str]"]
_UNSAFE_IN_HEADER = re.compile(r"[\r\n\x00]")


def _static(name: str) -> bytes:
    return (resources.files("runthru_build") / "serve_static" / name).read_bytes()


@dataclass
class ServerState:
    """What every request handler shares."""

    build_dir: Path
    gate: Gate | None = None
    reload: ReloadState | None = None
    """Live reload is on when set (serve --watch)."""
    quiet: bool = True
    tunnel_ports: set[int] = field(default_factory=set)
    """Local ports that only the tunnel connects to: there, CF-Connecting-IP names the client."""
    tableread: TableReads | None = None
    """Table reads (tableread.py), answered under ``/_tableread/``."""


class Deadlines:
    """One watchdog thread per server: shuts a connection that overstays its deadline, which a
    socket timeout alone cannot do (it restarts with every byte a slow client drips)."""

    def __init__(self) -> None:
        self._due: weakref.WeakKeyDictionary[socket.socket, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._watch, name="runthru-deadlines", daemon=True).start()

    def arm(self, conn: socket.socket, seconds: float) -> None:
        with self._lock:
            self._due[conn] = time.monotonic() + seconds

    def disarm(self, conn: socket.socket) -> None:
        with self._lock:
            self._due.pop(conn, None)

    def oldest(self, conns: list[socket.socket]) -> socket.socket | None:
        """Of ``conns``, the one that has waited longest for a request head (None if none waits)."""
        with self._lock:
            waiting = [(self._due[c], n) for n, c in enumerate(conns) if c in self._due]
        return conns[min(waiting)[1]] if waiting else None

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            now = time.monotonic()
            with self._lock:
                late = [conn for conn, due in self._due.items() if due <= now]
                for conn in late:
                    del self._due[conn]
            for conn in late:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)  # the handler's blocked read returns at once

    def stop(self) -> None:
        self._stop.set()


def _connection_limit() -> int:
    """MAX_CONNECTIONS, or fewer where the process may open fewer files (some are the server's own)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, (soft - 64) * 3 // 4))


class RunThruServer(ThreadingHTTPServer):
    """Connections are counted per address and in all: a client holding many idle sockets loses its
    own longest-idle ones (a browser reopens a closed keep-alive connection by itself), never the
    user's request in progress; when the process runs out of file descriptors anyway, accepting
    backs off instead of spinning."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    nodelay = True
    """TCP_NODELAY and a small body in the head's write (bench/serve.py turns it off to compare)."""

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.state = state
        self.deadlines = Deadlines()
        self.max_connections = _connection_limit()
        self._connections: dict[socket.socket, str] = {}
        self._connections_lock = threading.Lock()
        self._backoff_s = 0.0
        super().__init__(address, Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            conn, address = super().get_request()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self._out_of_descriptors()
            raise
        self._backoff_s = 0.0
        return conn, address

    def _out_of_descriptors(self) -> None:
        """accept() failed for want of a file descriptor: free one (the longest-idle connection)
        and wait a little, doubling up to half a second, instead of retrying at once for ever."""
        with self._connections_lock:
            victim = self.deadlines.oldest(list(self._connections))
        if victim is not None:
            _shut(victim)
        self._backoff_s = min(0.5, max(0.01, self._backoff_s * 2))
        time.sleep(self._backoff_s)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        address = client_address[0] if isinstance(client_address, tuple) else str(client_address)
        via_tunnel = self.server_address[1] in self.state.tunnel_ports  # every tunnel client arrives from 127.0.0.1
        with self._connections_lock:
            victim = None
            if not via_tunnel:
                same = [c for c, a in self._connections.items() if a == address]
                if len(same) >= MAX_PER_ADDRESS:
                    victim = self.deadlines.oldest(same)
                    if victim is None:
                        return False  # every one of them busy with a request: this one waits its turn
            if victim is None and len(self._connections) >= self.max_connections:
                victim = self.deadlines.oldest(list(self._connections))
                if victim is None:
                    return False
            if victim is not None:
                self._connections.pop(victim, None)
            self._connections[request] = address
        if victim is not None:
            _shut(victim)
        if self.nodelay:
            with contextlib.suppress(OSError):
                request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return True

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    @property
    def open_connections(self) -> int:
        with self._connections_lock:
            return len(self._connections)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that went away (or was shut for being too slow)
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        self.deadlines.stop()
        super().server_close()


def _shut(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)  # its handler's blocked read returns at once, and its thread ends


class Handler(BaseHTTPRequestHandler):
    server: RunThruServer
    server_version = "RunThru"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    body = b""
    body_too_large = False

    # -- plumbing ---------------------------------------------------------------
    def version_string(self) -> str:
        return self.server_version

    def handle_one_request(self) -> None:
        self.server.deadlines.arm(self.connection, IDLE_TIMEOUT_S)
        try:
            super().handle_one_request()
        finally:
            self.server.deadlines.disarm(self.connection)

    def parse_request(self) -> bool:
        """The head, then the body: read whole if small, else the connection closes after the
        answer, so no byte of a body is ever taken for the next request."""
        if len(self.raw_requestline.split()) == 2:  # HTTP/0.9's "GET /": no version, so no headers either
            self.command, self.request_version = "", ""
            self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED)
            return False
        if not super().parse_request():
            return False
        self.body, self.body_too_large = b"", False
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # never parsed here
        else:
            raw = lengths[0].strip() if lengths else "0"
            raw = raw or "0"
            if len(lengths) > 1 or not raw.isdigit():  # two lengths: a proxy may have framed it by the other
                self.send_error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
                return False
            if len(raw) > 9 or int(raw) > MAX_FORM_BYTES:
                self.body_too_large, self.close_connection = True, True
            elif int(raw):
                self.body = self.rfile.read(int(raw))
                if len(self.body) < int(raw):
                    self.close_connection = True
        self.server.deadlines.disarm(self.connection)
        if not self._host_allowed():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"Without a PIN this server answers only to localhost or an IP "
                       b"address, so that no other site can read it. To reach it by another name, serve it with --pin.\n",
                       extra={"Connection": "close"})
            self.close_connection = True
            return False
        return True

    def _host_allowed(self) -> bool:
        """DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 can reach a
        loopback server as its own origin, but its Host header still carries that name.  A loopback
        listener without a PIN answers only loopback names and IP addresses (with a PIN, such a page
        meets the PIN page like anyone, and proxies that keep their own name still work)."""
        host = self.headers.get("Host", "").strip().lower()
        if not host or self.state.gate is not None or self.via_tunnel or not is_loopback(self.server.server_address[0]):
            return True
        name = host[1:].partition("]")[0] if host.startswith("[") else host.rpartition(":")[0] or host
        name = name.rstrip(".")  # localhost. is localhost
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def send_header(self, keyword: str, value: str) -> None:
        if _UNSAFE_IN_HEADER.search(keyword) or _UNSAFE_IN_HEADER.search(str(value)):
            raise ValueError(f"refusing a line break in the {keyword!r} header")
        super().send_header(keyword, value)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method, ...), with our headers."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9" or not self.request_version:
            self.request_version = self.protocol_version  # so the headers are sent at all
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self._send(code, f"{code} {phrase}\n".encode(), extra={"Connection": "close"})

    @property
    def state(self) -> ServerState:
        return self.server.state

    def log_message(self, format: str, *args: Any) -> None:
        if not self.state.quiet:
            super().log_message(format, *args)

    @property
    def via_tunnel(self) -> bool:
        return self.server.server_address[1] in self.state.tunnel_ports

    def client_id(self) -> str:
        if self.via_tunnel:
            forwarded = self.headers.get("CF-Connecting-IP", "").strip()
            if forwarded:
                return forwarded
        return self.client_address[0]

    def is_https(self) -> bool:
        """Tunnel traffic reached the browser over https; local traffic is plain http."""
        return self.via_tunnel

    def _headers(self, status: int, content_type: str, length: int, extra: Headers | None = None,
                 body: bytes = b"") -> None:
        """The head, and ``body`` (the whole body, or its start) in the same write: a head sent alone
        and then a small body would wait out the client's delayed ACK (Nagle), 40 ms on every reused
        connection.  A HEAD request gets the head only."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")  # no <script src> on another site reads it
        for key, value in (extra or {}).items():
            for one in value if isinstance(value, list) else [value]:
                self.send_header(key, one)
        if not self.server.nodelay:
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)
            return
        self._headers_buffer.append(b"\r\n")
        if body and self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              extra: Headers | None = None) -> None:
        self._headers(status, content_type, len(body), {"Cache-Control": "no-store", **(extra or {})}, body)

    def _redirect(self, location: str, extra: Headers | None = None) -> None:
        self._send(HTTPStatus.SEE_OTHER, b"", extra={"Location": location, **(extra or {})})

    def _cookies(self, name: str) -> list[str]:
        """Every value the browser sent for ``name``: leniently, since other sites' cookies on
        this host may hold JSON, spaces or backslashes that a strict parser chokes on."""
        values = []
        for header in self.headers.get_all("Cookie") or []:
            for pair in header.split(";"):
                key, sep, value = pair.partition("=")
                if sep and key.strip() == name:
                    values.append(value.strip().strip('"'))
        return values

    def _cookie_name(self, purpose: str) -> str:
        """This server's name for a cookie (``gate.cookie_name``): browsers send a host's cookies to
        every port of it, so another server there neither reads nor overwrites these."""
        assert self.state.gate is not None
        return self.state.gate.cookie_name(purpose, port=self._port(), https=self.is_https())

    def _port(self) -> int:
        """The port the browser reached: the Host header's (a proxy may forward from another)."""
        host = self.headers.get("Host", "").strip()
        tail = host.rpartition("]")[2] if host.startswith("[") else host
        _, colon, port = tail.rpartition(":")
        if colon and port.isdigit() and len(port) <= 5:
            return int(port)
        return 443 if self.is_https() else 80 if host else self.server.server_address[1]

    def _session_cookie(self) -> str | None:
        gate = self.state.gate
        if gate is None:
            return None
        return next((v for v in self._cookies(self._cookie_name("session")) if gate.cookie_valid(v)), None)

    def _origin(self) -> str:
        return f"{'https' if self.is_https() else 'http'}://{self.headers.get('Host', '').strip().lower()}"

    def _foreign(self) -> bool:
        """Sent by the browser for a page of another origin (scheme, host and port): another
        site, or another server on another port of this host (Sec-Fetch-Site says "same-site"
        for that); where a browser sends no Sec-Fetch-Site, an Origin that is not this one."""
        site = self.headers.get("Sec-Fetch-Site", "").strip().lower()
        if site:
            return site in ("cross-site", "same-site")
        origin = self.headers.get("Origin", "").strip().lower()  # browsers without Sec-Fetch-*
        return origin not in ("", "null") and origin != self._origin()  # null: our own form, under no-referrer

    def _top_level_navigation(self) -> bool:
        return (self.command in ("GET", "HEAD") and self.headers.get("Sec-Fetch-Mode", "").lower() == "navigate"
                and self.headers.get("Sec-Fetch-Dest", "document").lower() == "document")

    def _refuse_foreign(self) -> bool:
        """A page of another origin may link here (a top-level navigation), but never load a file
        of this site into itself (``<script src>`` of data.js would read the whole script)."""
        if not self._foreign() or self._top_level_navigation():
            return False
        self._send(HTTPStatus.FORBIDDEN, b"This server answers only its own pages.\n", extra={"Vary": "Origin"})
        return True

    def authorised(self) -> bool:
        return self.state.gate is None or self._session_cookie() is not None

    # -- methods ----------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if self._refuse_foreign():
            return
        if path.startswith(PREFIX):
            self._server_path(path[len(PREFIX):])
            return
        if path.startswith(tableread_http.PREFIX):
            self._tableread(path[len(tableread_http.PREFIX):])
            return
        if not self.authorised():
            if path.endswith((".html", "/")) or "." not in posixpath.basename(path):
                self._redirect(f"{PREFIX}pin?next={quote(path, safe='/')}")
            else:
                self._send(HTTPStatus.UNAUTHORIZED, b"PIN required\n")
            return
        self._file(path)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == f"{PREFIX}pin" and self.state.gate is not None:  # another origin's post: the PIN page says so
            self._pin_post()
        elif path.startswith(tableread_http.PREFIX):
            self._tableread(path[len(tableread_http.PREFIX):])
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", extra={"Allow": "GET, HEAD"})

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", extra={"Allow": "GET, HEAD"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _tableread(self, rest: str) -> None:
        """The table read's endpoints: behind the PIN, and no change of state from another site."""
        if not self.authorised():
            self._send(HTTPStatus.UNAUTHORIZED, b"PIN required\n")
        elif self.command == "POST" and self._foreign():
            self._send(HTTPStatus.FORBIDDEN, b"refused: that request came from another site\n")
        elif self.state.tableread is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
        else:
            tableread_http.handle(self, self.state.tableread, rest)

    # -- server paths -------------------------------------------------------------
    def _server_path(self, name: str) -> None:
        if name == "health":
            self._send(HTTPStatus.OK, b"ok\n")
        elif name == "pin.css":
            self._send(HTTPStatus.OK, _static("pin.css"), TYPES[".css"], {"Cache-Control": "no-cache"})
        elif name == "pin" and self.state.gate is not None:
            self._pin_page()
        elif name == "logout" and (self._foreign() or self.state.gate is None):
            self._redirect("/")  # a link on another site (or another port of this host) signs nobody out
        elif name == "logout":
            self.state.gate.revoke(self._session_cookie())
            self._redirect(f"{PREFIX}pin", {
                "Set-Cookie": self._set_cookie("", 0),
                # what this browser kept of the site: the HTTP cache, and the offline copies, settings and
                # recordings (the service worker's cache, localStorage, IndexedDB); sw.js also empties its cache
                "Clear-Site-Data": '"cache", "storage"'})
        elif not self.authorised():
            self._send(HTTPStatus.UNAUTHORIZED, b"PIN required\n")
        elif name == "reload.js" and self.state.reload is not None:
            self._send(HTTPStatus.OK, _static("reload.js"), TYPES[".js"], {"Cache-Control": "no-cache"})
        elif name == "reload" and self.state.reload is not None:
            self._poll()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")

    def _poll(self) -> None:
        since = polled_version(parse_qs(urlsplit(self.path).query))
        reload = self.state.reload
        snapshot = reload.snapshot() if since < 0 or since != reload.epoch else reload.wait(since)
        self._send(HTTPStatus.OK, json.dumps(snapshot).encode(), "application/json")

    # -- PIN ----------------------------------------------------------------------
    def _next_target(self, raw: str | None, *, signed_in: bool) -> str:
        """Where to go after the PIN: a path of this site, percent-encoded, so never another host
        and never a byte that could end a header line.  Only a signed-in client is told whether it
        names a page (else "/"); a stranger's PIN page echoes any well-formed path, so that it
        cannot be used to find out which productions and parts the site holds."""
        if not raw or not raw.startswith("/"):
            return "/"
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return "/"
        parts = [p for p in decoded.split("/") if p]
        if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in decoded) or any(p[0] == "." for p in parts):
            return "/"
        if signed_in and self.resolve(raw) is None:
            return "/"
        path = "/" + "/".join(parts) + ("/" if parts and decoded.endswith("/") else "")
        return quote(path, safe="/")

    def _pin_page(self, message: str = "", status: int = HTTPStatus.OK, next_path: str | None = None,
                  retry_after: int = 0) -> None:
        if next_path is None:
            requested = parse_qs(urlsplit(self.path).query).get("next", [None])[0]
            next_path = self._next_target(requested, signed_in=False)
        body = _static("pin.html").decode().format(
            message=html.escape(message), next=html.escape(next_path, quote=True),
            error_class="error" if message else "hidden",
        ).encode()
        self._send(status, body, TYPES[".html"], {"Retry-After": str(retry_after)} if retry_after else None)

    def _set_cookie(self, value: str, max_age: int, purpose: str = "session") -> str:
        secure = "; Secure" if self.is_https() else ""
        return f"{self._cookie_name(purpose)}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Strict{secure}"

    def _pin_post(self) -> None:
        gate = self.state.gate
        if self.body_too_large:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"form too large\n")
            return
        form = parse_qs(self.body.decode("utf-8", "replace"))
        requested = form.get("next", [None])[0]
        next_path = self._next_target(requested, signed_in=False)
        if self._foreign():
            # a page elsewhere posting PINs through its visitors' browsers: never checked, never counted,
            # so it can neither guess nor lock those visitors out
            self._pin_page("That form came from another site. Enter the PIN here.", HTTPStatus.FORBIDDEN, next_path)
            return
        if self._session_cookie() is not None:
            self._redirect(self._next_target(requested, signed_in=True))  # already in, from another tab
            return
        device = next(filter(None, map(gate.device_of, self._cookies(self._cookie_name("device")))), None)
        guess = gate.guess(self.client_id(), form.get("pin", [""])[0].strip(), device=device)
        if guess.ok:
            self._redirect(self._next_target(requested, signed_in=True), {"Set-Cookie": [
                self._set_cookie(gate.issue_device(), DEVICE_DAYS * 86400, "device"),
                self._set_cookie(gate.issue_cookie(), COOKIE_DAYS * 86400)]})
        elif not guess.checked:
            self._pin_page(f"Too many PIN guesses. Try again in {guess.retry_after} s",
                           HTTPStatus.TOO_MANY_REQUESTS, next_path, guess.retry_after)
        else:
            self._pin_page("That PIN is not right.", HTTPStatus.FORBIDDEN, next_path)

    # -- files ---------------------------------------------------------------------
    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names inside build/, or None for anything outside or hidden."""
        try:
            decoded = unquote(url_path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = [p for p in decoded.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        root = self.state.build_dir.resolve()
        candidate = root.joinpath(*parts) if parts else root
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if real != root and root not in real.parents:
            return None  # a symlink that leads out of build/
        return real

    def _open(self, url_path: str) -> tuple[Path, Any] | None:
        """The file a URL path names, opened: what is sent is then this file, whole, even if a
        rebuild swaps the site in the meantime.  None for a folder or nothing."""
        for attempt in range(2):
            target = self.resolve(url_path)
            if target is not None and target.is_dir():
                target = target / "index.html"
            if target is not None:
                try:
                    handle = target.open("rb")
                except OSError:
                    pass
                else:
                    if stat_module.S_ISREG(os.fstat(handle.fileno()).st_mode):
                        return target, handle
                    handle.close()
            if attempt == 0 and not self.state.build_dir.exists():
                time.sleep(0.05)  # a swap without an atomic exchange: the new site is a rename away
        return None

    def _file(self, url_path: str) -> None:
        target = self.resolve(url_path)
        if target is not None and target.is_dir() and not url_path.endswith("/"):
            self._redirect(url_path + "/")
            return
        opened = self._open(url_path)
        if opened is None:
            if not self.state.build_dir.exists() and self.state.reload is not None:
                self._no_site_yet()
                return
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
            return
        target, handle = opened
        with handle:
            self._send_open_file(target, handle)

    def _send_open_file(self, target: Path, handle: Any) -> None:
        suffix = target.suffix.lower()
        content_type = TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        stat = os.fstat(handle.fileno())  # of the file being sent, not of whatever the path names by now
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        caching = self._cache_control(target, suffix)
        extra = {"ETag": etag, "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
                 "Cache-Control": caching, "Accept-Ranges": "bytes"}
        if self.headers.get("If-None-Match") == etag:
            self._headers(HTTPStatus.NOT_MODIFIED, content_type, 0, extra)
            return
        gated = self.state.gate is not None
        sign_out = gated and target.name == "index.html" \
            and len(target.relative_to(self.state.build_dir.resolve()).parts) <= 2  # lists of parts, not a role
        if suffix == ".html" and (self.state.reload is not None or gated):
            tags = (SIGN_OUT_TAG if sign_out else b"") + (RELOAD_TAG if self.state.reload is not None else b"")
            body = handle.read().replace(b"</body>", tags + b"\n</body>", 1)
            if gated:  # the player stores offline copies only when the actor asks (settings.js)
                body = body.replace(b"</head>", PRIVATE_TAG + b"\n</head>", 1)
            self._headers(HTTPStatus.OK, content_type, len(body), {**extra, "Accept-Ranges": "none"}, body)
            return
        self._send_file(handle, stat.st_size, content_type, extra)

    def _no_site_yet(self) -> None:
        """Watching, and no build has succeeded yet: a page that shows the error and
        reloads itself when a build succeeds."""
        body = (b"<!doctype html><meta charset=utf-8><title>No site yet</title>"
                b"<p>No successful build yet. Fix the error and save: this page reloads by itself.</p>"
                b"</body>").replace(b"</body>", RELOAD_TAG + b"</body>")
        self._send(HTTPStatus.SERVICE_UNAVAILABLE, body, TYPES[".html"])

    def _cache_control(self, target: Path, suffix: str) -> str:
        scope = "private" if self.state.gate else "public"
        if suffix in AUDIO and target.parent.name == "audio":
            return f"{scope}, max-age=31536000, immutable"  # named by the hash of their content
        if self.state.gate and suffix == ".html":
            return "private, no-store"  # else Back, after a logout, shows the page from the browser's cache
        return "no-cache"

    def _send_file(self, handle: Any, size: int, content_type: str, extra: dict[str, str]) -> None:
        """From the open file: its size was taken from it; a read that comes up short (the file
        was cut while being sent) closes the connection, so the client never waits for the rest."""
        start, end = 0, size - 1
        status = HTTPStatus.OK
        header = self.headers.get("Range")
        if header and size > 0:
            m = _RANGE.match(header.strip())
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = _range_number(m.group(1))
                    end = min(_range_number(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    start = max(0, size - _range_number(m.group(2)))
                if start > end or start >= size:
                    self._send(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"",
                               extra={"Content-Range": f"bytes */{size}"})
                    return
                status = HTTPStatus.PARTIAL_CONTENT
                extra = {**extra, "Content-Range": f"bytes {start}-{end}/{size}"}
        length = end - start + 1 if size else 0
        handle.seek(start)
        first = handle.read(min(SMALL_BODY, length)) if self.command != "HEAD" and length else b""
        self._headers(status, content_type, length, extra, first)
        if self.command == "HEAD" or length == 0:
            return
        remaining = length - len(first)
        if len(first) < min(SMALL_BODY, length):
            remaining = -1
        while remaining > 0:
            chunk = handle.read(min(65536, remaining))
            if not chunk:
                break
            self.wfile.write(chunk)
            remaining -= len(chunk)
        if remaining:
            self.close_connection = True  # short: the length sent can no longer be honoured


def _range_number(digits: str) -> int:
    """A Range bound; any number too long to be a file offset is simply huge (int() refuses
    strings of thousands of digits, which used to drop the connection)."""
    return _HUGE if len(digits) > 18 else int(digits)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Serving:
    """One or more listeners (the user's port, and a private one for the tunnel) sharing one state."""

    def __init__(self, state: ServerState, host: str, port: int) -> None:
        self.state = state
        self.main = RunThruServer((host, port), state)
        self.servers = [self.main]
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self.main.server_address[1]

    def add_tunnel_listener(self, port: int = 0) -> int:
        """A loopback port only cloudflared connects to; its requests count as tunnel traffic."""
        server = RunThruServer(("127.0.0.1", port), self.state)
        self.state.tunnel_ports.add(server.server_address[1])
        self.servers.append(server)
        if self.threads:
            self._start(server)
        return server.server_address[1]

    def _start(self, server: RunThruServer) -> None:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start(self) -> None:
        for server in self.servers:
            self._start(server)

    def stop(self) -> None:
        if self.state.reload is not None:
            self.state.reload.wake_all()
        if self.state.tableread is not None:
            self.state.tableread.stop()
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)


def wait_forever() -> None:
    while True:
        time.sleep(3600)

