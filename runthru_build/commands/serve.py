"""``runthru-build serve`` (and ``watch``): build, then serve build/, optionally
rebuilding on change and sharing through a tunnel."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..errors import RunThruError
from ..gate import MIN_TUNNEL_PIN, PinError, make_gate
from ..livereload import ReloadState
from ..serve import ServerState, Serving, is_loopback
from ..tableread import TableReads
from ..tunnel import Tunnel
from ..watch import Watcher
from .build import STATE_DIR, BuildResult, build

PIN_ENV = "RUNTHRU_PIN"
TOKEN_ENVS = ("CF_TUNNEL_TOKEN", "TUNNEL_TOKEN")


def build_error(result: BuildResult) -> str | None:
    """The first problem of a build, as the overlay in open pages shows it."""
    messages = [str(e) for e in result.project.errors] + result.errors + result.render.failures
    if not messages:
        return None
    more = f"\n(and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return messages[0] + more


@dataclass
class ServeOptions:
    host: str | None = None
    port: int | None = None
    watch: bool = False
    pin: str | None = None
    no_pin: bool = False
    tunnel: bool = False
    tunnel_token: str | None = None
    short_pin_ok: bool = False
    new_key: bool = False
    """Sign everyone out: a new cookie-signing key."""
    quiet: bool = True


@dataclass
class Session:
    """A running server: its listeners, watcher and tunnel, stopped together."""

    serving: Serving
    state: ServerState
    watcher: Watcher | None = None
    tunnel: Tunnel | None = None
    last_build: BuildResult | None = None
    builds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.serving.main.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def stop(self) -> None:
        if self.tunnel is not None:
            self.tunnel.stop()
        if self.watcher is not None:
            self.watcher.stop()
        self.serving.stop()


def start(root: Path, options: ServeOptions, *, on_build: Callable[[BuildResult | Exception], None] | None = None,
          on_tunnel_url: Callable[[str], None] | None = None, on_tunnel_log: Callable[[str], None] | None = None,
          build_options: dict | None = None) -> Session:
    """Build once, then start serving (and watching, and tunnelling, as asked)."""
    config = load_config(root)
    host = options.host or config.serve.host
    port = config.serve.port if options.port is None else options.port
    pin = options.pin if options.pin is not None else os.environ.get(PIN_ENV) or None
    token = options.tunnel_token or next(filter(None, map(os.environ.get, TOKEN_ENVS)), None) \
        if options.tunnel else None
    if options.tunnel and pin is not None and len(pin.strip()) < MIN_TUNNEL_PIN and not options.short_pin_ok:
        raise RunThruError(f"a tunnel puts the PIN gate on the internet: use a PIN of at least {MIN_TUNNEL_PIN} "
                           "digits (at most 600 guesses an hour get checked: every 4-digit PIN within 17 hours), "
                           "or pass --short-pin-ok")
    try:
        gate = make_gate(pin, config.serve.pin_hash, config.root / STATE_DIR, new_key=options.new_key)
    except PinError as exc:
        raise RunThruError(str(exc), path=None if pin else "runthru.toml") from None
    if options.tunnel and gate is None:
        raise RunThruError(f"refusing to open a tunnel without a PIN: the site would be public "
                           f"(give --pin, set {PIN_ENV}, or set pin_hash in runthru.toml)")
    if gate is None and not is_loopback(host) and not options.no_pin:
        raise RunThruError(f"refusing to serve on {host} without a PIN (give --pin or {PIN_ENV}; "
                           "--no-pin serves it to the network unprotected)")

    state = ServerState(build_dir=config.build_dir, gate=gate,
                        reload=ReloadState() if options.watch else None, quiet=options.quiet)
    try:
        serving = Serving(state, host, port)
    except OSError as exc:
        raise RunThruError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    session = Session(serving=serving, state=state)

    def rebuild() -> None:
        with session.lock:
            try:
                result: BuildResult | Exception = build(root, **(build_options or {}))
            except Exception as exc:  # a broken edit must never stop the watcher
                result = exc
            session.builds += 1
            if isinstance(result, BuildResult):
                session.last_build = result
            if state.reload is not None:
                if isinstance(result, Exception):
                    state.reload.failed(str(result))
                elif result.published:
                    state.reload.published(config.build_dir)
                    if state.tableread is not None:
                        state.tableread.refresh()
                    error = build_error(result)
                    if error:
                        state.reload.failed(error)
                else:
                    state.reload.failed(build_error(result) or "build failed")
        if on_build:
            on_build(result)

    rebuild()
    if session.last_build is None and not config.build_dir.exists():
        # nothing could be built at all (an empty folder, not a project) and nothing was built
        # before: exit as build does rather than serve 404s, --watch or not
        _close_unstarted(serving)
        raise RunThruError("nothing to serve: no site was built (see above)")
    if not options.watch and session.last_build is not None and not session.last_build.published \
            and not config.build_dir.exists():
        _close_unstarted(serving)
        raise RunThruError("nothing to serve: the build failed (see above)")
    state.tableread = TableReads(config.build_dir, config.root / STATE_DIR)  # after the build: reads come back
    state.tableread.run_sweeper()
    if options.tunnel:
        tunnel_port = serving.add_tunnel_listener(config.serve.tunnel_port)
    serving.start()
    if options.watch:
        session.watcher = Watcher(config, rebuild)
        session.watcher.start()
    if options.tunnel:
        session.tunnel = Tunnel(tunnel_port, token, on_url=on_tunnel_url, on_log=on_tunnel_log)
        try:
            session.tunnel.start()
        except RunThruError:
            session.stop()
            raise
    return session


def _close_unstarted(serving: Serving) -> None:
    """Close listeners that never served (``shutdown`` would wait forever for a loop never started)."""
    for server in serving.servers:
        server.server_close()
