"""Atomic file writes (every file RunThru writes appears whole or not at all), and
the processes behind temporary files: whether one still runs, and making a
worker end with the build that started it.

Standard library only: engine workers import it under their own interpreters.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

TMP_PREFIX = ".tmp-"


def current_umask() -> int:
    """The process's umask, read without changing it where the system shows it (os.umask alone
    would set it for a moment under the other threads' feet)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        status = Path("/proc/self/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("Umask:")).split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes, *, shared: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.
    The file is private (mode 0600) unless ``shared``: then it has the mode any file the user
    makes gets (0666 less the umask), for files handed to the user (bundles, casts, reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{os.getpid()}-")
    try:
        if shared:
            os.fchmod(fd, 0o666 & ~current_umask())
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
    with open(source, "rb") as src, open(target, "wb") as dst:
        if sys.platform.startswith("linux"):
            import fcntl

            with contextlib.suppress(OSError):
                fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
                return
        shutil.copyfileobj(src, dst)


_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-[a-z0-9_]{8}")
"""What ``write_atomic`` names a temporary file: its prefix, the writer's PID and mkstemp's 8 characters."""


def remove_orphan_temp_files(folders: Iterable[Path]) -> int:
    """Delete temporary files that ``write_atomic`` left in these folders (not below them) for
    processes that no longer run (a killed build).  A file merely starting with ``.tmp-`` is the
    user's: only names of the exact shape RunThru gives are touched."""
    removed = 0
    for folder in folders:
        try:
            names = [entry.name for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
        except OSError:
            continue
        for name in names:
            match = _TMP_NAME.fullmatch(name)
            if match is None or pid_alive(int(match.group(1))):
                continue
            with contextlib.suppress(OSError):
                (folder / name).unlink()
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


_PR_SET_PDEATHSIG = 1
PARENT_POLL_SECONDS = 0.5


def die_with(pid: int) -> None:
    """Kill this process as soon as process ``pid`` ends, however it ends (SIGKILL
    included), so no worker is left rendering for a build that is gone.

    ``pid`` the direct parent, on Linux: the kernel's parent-death signal.  A pool
    worker's parent is multiprocessing's fork server, which itself lives as long as
    its workers, so there a thread waits on a pidfd of ``pid`` (Linux) or checks
    every half second that ``pid`` still runs (elsewhere).
    """
    if pid == os.getppid() and _parent_death_signal():
        if os.getppid() != pid:  # it ended before the signal was armed
            _die()
        return
    threading.Thread(target=_wait_for_exit, args=(pid,), name="die-with-parent", daemon=True).start()


def _parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _wait_for_exit(pid: int) -> None:
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        _die()
    except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
        while pid_alive(pid):
            time.sleep(PARENT_POLL_SECONDS)
        _die()
    else:
        select.select([pidfd], [], [])  # readable once the process has ended
        _die()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
