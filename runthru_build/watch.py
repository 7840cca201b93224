"""``--watch``: rebuild when a script, cast, theme or runthru.toml changes.

watchdog delivers native file events (with a polling fallback); a 250 ms
quiet period, restarted by every event, turns an editor's burst of writes
into one rebuild.  Editor temporary and swap files, the build output and the
cache are ignored, so a rebuild never triggers itself.  A failed rebuild
leaves the last good site being served and reports its error to the open
pages; the next good build clears it.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import CONFIG_FILE, Config

QUIET_PERIOD_S = 0.25

EDITOR_TEMP_PATTERNS = (
    "*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "*.bak", "4913", "*.tmp", ".DS_Store", "*.kate-swp",
    "*.crswap", "___jb_*___",
)


@dataclass(frozen=True)
class IgnoreRules:
    """Which changed paths matter: inside scripts/, casts/ or themes/, or runthru.toml itself;
    never editor litter, the build output, the cache or hidden folders."""

    root: Path
    watched: tuple[Path, ...]
    ignored: tuple[Path, ...]

    @classmethod
    def for_config(cls, config: Config) -> IgnoreRules:
        root = config.root.resolve()
        return cls(
            root=root,
            watched=(config.scripts_dir.resolve(), config.casts_dir.resolve(), (root / "themes").resolve()),
            ignored=(config.build_dir.resolve(), config.cache_dir.resolve(), (root / ".runthru").resolve()),
        )

    def __call__(self, path: str | Path) -> bool:
        """True when a change to ``path`` should be ignored."""
        path = Path(path)
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in EDITOR_TEMP_PATTERNS):
            return True
        try:
            path = path.resolve()
        except OSError:
            return True
        if any(path == d or d in path.parents for d in self.ignored):
            return True
        if path.parent == self.root and path.name == CONFIG_FILE:
            return False
        for folder in self.watched:
            if folder in path.parents:
                relative = path.relative_to(folder)
                return any(part.startswith(".") for part in relative.parts)
        return True


class Debouncer:
    """Calls ``action`` once events have stopped arriving for ``quiet`` seconds.

    Events during a running action schedule exactly one more run after it."""

    def __init__(self, action: Callable[[], None], quiet: float = QUIET_PERIOD_S) -> None:
        self.action = action
        self.quiet = quiet
        self._deadline: float | None = None
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="runthru-debounce", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        with self._cond:
            self._deadline = time.monotonic() + self.quiet
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (self._deadline is None or time.monotonic() < self._deadline):
                    timeout = None if self._deadline is None else self._deadline - time.monotonic()
                    self._cond.wait(timeout=timeout)
                if self._stopped:
                    return
                self._deadline = None
            self.action()


class Watcher:
    """watchdog observer + ignore rules + debouncer, calling ``rebuild`` after each quiet period."""

    def __init__(self, config: Config, rebuild: Callable[[], None], quiet: float = QUIET_PERIOD_S) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.ignore = IgnoreRules.for_config(config)
        self.debouncer = Debouncer(rebuild, quiet)
        self.events = 0
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                paths = [event.src_path, getattr(event, "dest_path", "") or ""]
                if any(p and not watcher.ignore(p) for p in paths):
                    watcher.events += 1
                    watcher.debouncer.poke()

        # Watch the source folders themselves, not the project root, so the
        # build output never even generates events.
        self.observer = Observer()
        handler = Handler()
        self.observer.schedule(handler, str(self.ignore.root), recursive=False)  # runthru.toml
        for folder in self.ignore.watched:
            if folder.is_dir():
                self.observer.schedule(handler, str(folder), recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
        self.debouncer.stop()
