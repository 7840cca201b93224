"""The take cache: rendered audio stored by key, shared by every build of a project.

Layout: ``<cache>/<key[:2]>/<key>.<mp3|opus>`` plus ``<key>.json`` (duration,
sample rate, what was said, the audio's size and sha256, word timings).  Both are written atomically; the JSON is
written last and is the mark that a take is complete, so a build killed
mid-way leaves nothing half-written that a later build would trust.

Builds hold a shared lock on the cache, ``prune`` an exclusive one, so a prune
never deletes a take a running build is about to use.  Two builds writing the
same take write the same bytes through atomic renames.  A take whose file no
longer has its recorded size is not trusted (it is rendered again); ``verify``
re-hashes every take.  Only files named as takes are ever deleted, whatever
folder ``cache =`` names.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO

from .errors import RunThruError
from .fsutil import remove_orphan_temp_files, write_atomic

AUDIO_SUFFIXES = (".mp3", ".opus")
_TAKE_FILE = re.compile(r"([0-9a-f]{64})\.(json|mp3|opus)")
_TAKE_DIR = re.compile(r"[0-9a-f]{2}")


@dataclass(frozen=True)
class TakeInfo:
    key: str
    suffix: str
    duration: float
    sample_rate: int
    text: str = ""
    source: str = ""
    size: int = 0
    """Bytes of the audio file; 0 in takes stored before sizes were recorded."""
    sha256: str = ""
    words: list[list[float]] = field(default_factory=list)
    """[start, end] seconds of each spoken word in the audio as played (timings.py);
    empty in takes stored before timings were recorded."""
    words_estimated: bool = False
    """The word times are shared out from the text, not aligned by the engine."""


@dataclass
class VerifyReport:
    checked: int = 0
    removed: list[str] = field(default_factory=list)
    """``<key>: why`` of each corrupt take removed (the next build renders it again)."""
    recorded: int = 0
    """Older takes that decoded whole and now have their checksum recorded."""


@dataclass(frozen=True)
class CacheStats:
    takes: int
    bytes: int
    audio_seconds: float


def _damage(info: TakeInfo, data: bytes) -> str | None:
    """Why a take's audio is not what was stored, or None."""
    if info.sha256:
        return None if hashlib.sha256(data).hexdigest() == info.sha256 else \
            f"sha256 differs ({len(data)} bytes, {info.size} when stored)"
    # stored before checksums: trusted if it decodes to its recorded length
    from .audio import decode

    try:
        audio, rate = decode(data)
    except Exception as exc:  # any decoder failure means a damaged file
        return f"does not decode ({exc})"
    seconds = audio.size / rate
    return None if abs(seconds - info.duration) <= 0.1 else f"decodes to {seconds:.2f} s, {info.duration:.2f} s stored"


class TakeCache:
    def __init__(self, root: Path, shown: str | None = None) -> None:
        self.root = root
        self.shown = shown or str(root)
        """How messages name the cache folder."""

    def _dir(self, key: str) -> Path:
        return self.root / key[:2]

    def audio_path(self, key: str, suffix: str) -> Path:
        return self._dir(key) / f"{key}{suffix}"

    def _info_path(self, key: str) -> Path:
        return self._dir(key) / f"{key}.json"

    def get(self, key: str) -> TakeInfo | None:
        """A complete take, or None (never stored, half-written, or its size changed)."""
        info = self._read_info(key)
        if info is None:
            return None
        try:
            size = self.audio_path(key, info.suffix).stat().st_size
        except OSError:
            return None
        return info if not info.size or size == info.size else None

    def _read_info(self, key: str) -> TakeInfo | None:
        try:
            data = json.loads(self._info_path(key).read_text(encoding="utf-8"))
            return TakeInfo(**data)
        except (OSError, ValueError, TypeError):
            return None

    def put(self, info: TakeInfo, data: bytes) -> None:
        info = replace(info, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        try:
            write_atomic(self.audio_path(info.key, info.suffix), data)
            self._write_info(info)
        except OSError as exc:
            raise RunThruError(f"cannot store a rendered take in the cache: {exc.strerror}", path=self.shown) from None

    def _write_info(self, info: TakeInfo) -> None:
        write_atomic(self._info_path(info.key), json.dumps(asdict(info), ensure_ascii=False).encode("utf-8"))

    def read(self, info: TakeInfo) -> bytes:
        return self.audio_path(info.key, info.suffix).read_bytes()

    @contextlib.contextmanager
    def lock(self, *, exclusive: bool = False) -> Iterator[None]:
        """Shared for builds, exclusive for prune and verify.  A cache this process may
        only read still serves a build that needs nothing new (flock needs no write access)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise RunThruError("the cache path is a file, not a folder: set cache = … to a folder",
                               path=self.shown) from None
        except OSError as exc:
            raise RunThruError(f"cannot create the cache folder: {exc.strerror}", path=self.shown) from None
        handle = self._lock_file(exclusive)
        with contextlib.ExitStack() as stack:
            if handle is not None:
                stack.enter_context(handle)
                fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
                stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
            remove_orphan_temp_files([self.root, *self._take_dirs()])  # only dead processes' files: safe either way
            yield

    def _lock_file(self, exclusive: bool) -> IO[str] | None:
        try:
            return (self.root / ".lock").open("a+")
        except OSError as exc:
            if exclusive:
                raise RunThruError(f"cannot change the cache: {exc.strerror}", path=self.shown) from None
        try:
            return (self.root / ".lock").open("r")
        except OSError:
            return None  # a read-only cache without a lock file: no one can be changing it

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

    def _take_dirs(self) -> list[Path]:
        """The folders takes go in (``<cache>/<two hex digits>/``): no other folder under the cache is RunThru's."""
        try:
            return [self.root / e.name for e in os.scandir(self.root) if _TAKE_DIR.fullmatch(e.name) and e.is_dir()]
        except OSError:
            return []

    def _take_files(self) -> Iterator[tuple[str, Path]]:
        """(key, path) of every file named as a take, in the folder its key names."""
        for path in list(self.root.glob("??/*")):
            match = _TAKE_FILE.fullmatch(path.name)
            if match and match.group(1)[:2] == path.parent.name:
                yield match.group(1), path

    def verify(self) -> VerifyReport:
        """Re-hash every take; remove each one whose audio is not what was stored."""
        report = VerifyReport()
        with self.lock(exclusive=True):
            for key in sorted({key for key, path in self._take_files() if path.suffix == ".json"}):
                info = self._read_info(key)
                if info is None:
                    continue
                report.checked += 1
                try:
                    data = self.audio_path(key, info.suffix).read_bytes()
                except OSError as exc:
                    problem: str | None = f"audio unreadable ({exc.strerror})"
                else:
                    problem = _damage(info, data)
                if problem:
                    report.removed.append(f"{key}: {problem}")
                    self._remove(key)
                elif not info.sha256:
                    self._write_info(replace(info, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
                    report.recorded += 1
        return report

    def _remove(self, key: str) -> None:
        for suffix in (".json", *AUDIO_SUFFIXES):  # the info first: without it no build trusts the audio
            with contextlib.suppress(FileNotFoundError):
                (self._dir(key) / f"{key}{suffix}").unlink()

    def prune(self, keep: set[str]) -> CacheStats:
        """Delete every take whose key is not in ``keep``; returns what was removed."""
        removed = size = 0
        seconds = 0.0
        with self.lock(exclusive=True):
            for key, path in self._take_files():
                if key in keep:
                    continue
                if path.suffix == ".json":
                    removed += 1
                    with contextlib.suppress(OSError, ValueError):
                        seconds += json.loads(path.read_text()).get("duration", 0.0)
                size += path.stat().st_size
                path.unlink()
        return CacheStats(removed, size, seconds)
