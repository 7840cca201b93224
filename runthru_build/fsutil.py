"""Atomic file writes: every file RunThru writes appears whole or not at all.

Standard library only: engine workers import it under their own interpreters.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

TMP_PREFIX = ".tmp-"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_FICLONE = 0x40049409  # linux/fs.h: share the source's blocks (btrfs, XFS, bcachefs)


def copy_file(source: Path, target: Path) -> None:
    """Copy a file into a folder the user may touch: never a hard link, whose edits would
    reach the source.  Reflinks where the file system offers them (instant, copy-on-write)."""
    if sys.platform.startswith("linux"):
        import fcntl

        with open(source, "rb") as src, open(target, "wb") as dst:
            try:
                fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
                return
            except OSError:
                pass
    shutil.copyfile(source, target)


def remove_orphan_temp_files(folder: Path) -> int:
    """Delete temporary files left by processes that no longer run (a killed build)."""
    removed = 0
    for tmp in folder.rglob(f"{TMP_PREFIX}*"):
        pid_text = tmp.name[len(TMP_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
