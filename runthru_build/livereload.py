"""Live reload by long-polling: open pages ask "anything newer than epoch N?" and
the server holds the request until a build changes something (or ~60 s pass).

Long-polling needs nothing but plain HTTP requests, so it works through
``http.server`` and through Cloudflare quick tunnels, which do not carry
Server-Sent Events.  Each production has its own epoch, so a page reloads
only when its own production changed.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POLL_TIMEOUT_S = 55.0


def polled_version(query: dict[str, list[str]]) -> int:
    """The version a long-poll says it has (``?since=N``); -1 (none: answer at once) when absent
    or not a number.  Live reload's epochs and a table read's versions are asked for alike."""
    try:
        return int(query.get("since", ["-1"])[0])
    except ValueError:
        return -1


def fingerprints(build_dir: Path) -> dict[str, str]:
    """A digest per production of everything its pages show (its data and the theme)."""
    theme = hashlib.sha256()
    assets = build_dir / "assets"
    if assets.is_dir():
        for path in sorted(assets.rglob("*")):
            if path.is_file():
                theme.update(path.name.encode() + path.read_bytes())
    out = {}
    for data in sorted(build_dir.glob("*/data.js")):
        digest = theme.copy()
        digest.update(data.read_bytes())
        digest.update((data.parent / "index.html").read_bytes() if (data.parent / "index.html").exists() else b"")
        out[data.parent.name] = digest.hexdigest()
    return out


@dataclass
class ReloadState:
    epoch: int = 0
    productions: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    _prints: dict[str, str] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def published(self, build_dir: Path) -> list[str]:
        """A build was swapped in: bump the productions whose pages changed, clear the error."""
        prints = fingerprints(build_dir)
        with self._changed:
            changed = [slug for slug, digest in prints.items() if self._prints.get(slug) != digest]
            self._prints = prints
            if changed or self.error is not None:
                self.epoch += 1
                for slug in changed:
                    self.productions[slug] = self.epoch
                self.error = None
                self._changed.notify_all()
            return changed

    def failed(self, message: str) -> None:
        """A rebuild failed: the old site stays; open pages show ``message``."""
        with self._changed:
            if message != self.error:
                self.error = message
                self.epoch += 1
                self._changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "productions": dict(self.productions), "error": self.error}

    def wait(self, since: int, timeout: float = POLL_TIMEOUT_S) -> dict[str, Any]:
        """Block until the epoch passes ``since`` or ``timeout`` elapses."""
        with self._changed:
            self._changed.wait_for(lambda: self.epoch > since, timeout=timeout)
            return self.snapshot()

    def wake_all(self) -> None:
        """Release every waiting request (the server is stopping)."""
        with self._changed:
            self.epoch += 1
            self._changed.notify_all()
