"""The take cache: rendered audio stored by key, shared by every build of a project.

Layout: ``<cache>/<key[:2]>/<key>.<mp3|opus>`` plus ``<key>.json`` (duration,
sample rate, what was said).  Both are written atomically; the JSON is
written last and is the mark that a take is complete, so a build killed
mid-way leaves nothing half-written that a later build would trust.

Builds hold a shared lock on the cache, ``prune`` an exclusive one, so a prune
never deletes a take a running build is about to use.  Two builds writing the
same take write the same bytes through atomic renames.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .fsutil import remove_orphan_temp_files, write_atomic

AUDIO_SUFFIXES = (".mp3", ".opus")


@dataclass(frozen=True)
class TakeInfo:
    key: str
    suffix: str
    duration: float
    sample_rate: int
    text: str = ""
    source: str = ""


@dataclass(frozen=True)
class CacheStats:
    takes: int
    bytes: int
    audio_seconds: float


class TakeCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, key: str) -> Path:
        return self.root / key[:2]

    def audio_path(self, key: str, suffix: str) -> Path:
        return self._dir(key) / f"{key}{suffix}"

    def _info_path(self, key: str) -> Path:
        return self._dir(key) / f"{key}.json"

    def get(self, key: str) -> TakeInfo | None:
        try:
            data = json.loads(self._info_path(key).read_text(encoding="utf-8"))
            info = TakeInfo(**data)
        except (OSError, ValueError, TypeError):
            return None
        return info if self.audio_path(key, info.suffix).exists() else None

    def put(self, info: TakeInfo, data: bytes) -> None:
        write_atomic(self.audio_path(info.key, info.suffix), data)
        write_atomic(self._info_path(info.key), json.dumps(asdict(info), ensure_ascii=False).encode("utf-8"))

    def read(self, info: TakeInfo) -> bytes:
        return self.audio_path(info.key, info.suffix).read_bytes()

    @contextlib.contextmanager
    def lock(self, *, exclusive: bool = False) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                remove_orphan_temp_files(self.root)  # only dead processes' files: safe under either lock
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def infos(self) -> Iterator[TakeInfo]:
        if not self.root.exists():
            return
        for info_path in self.root.glob("??/*.json"):
            info = self.get(info_path.stem)
            if info is not None:
                yield info

    def stats(self) -> CacheStats:
        takes = size = 0
        seconds = 0.0
        for info in self.infos():
            takes += 1
            seconds += info.duration
            size += self.audio_path(info.key, info.suffix).stat().st_size + self._info_path(info.key).stat().st_size
        return CacheStats(takes, size, seconds)

    def prune(self, keep: set[str]) -> CacheStats:
        """Delete every take whose key is not in ``keep``; returns what was removed."""
        removed = size = 0
        seconds = 0.0
        with self.lock(exclusive=True):
            for path in list(self.root.glob("??/*")):
                key = path.name.split(".", 1)[0]
                if key in keep or path.name.startswith("."):
                    continue
                if path.suffix == ".json":
                    removed += 1
                    with contextlib.suppress(OSError, ValueError):
                        seconds += json.loads(path.read_text()).get("duration", 0.0)
                size += path.stat().st_size
                path.unlink()
        return CacheStats(removed, size, seconds)
