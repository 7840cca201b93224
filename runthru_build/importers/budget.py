"""Bounded time and memory for reading one document, whatever it holds.

A PDF or Word file can be a bomb: a page tree that reuses one subtree (a million
pages from 13 KB), a 400 MB content stream compressed into 1 MB, a document.xml
that inflates to gigabytes.  The counted limits in the readers (pages, text per
page and per document, unpacked bytes, paragraphs) refuse most of them before
the work is done; what they cannot see (PDFium parsing one huge page) is bounded
here: the reader runs in a forked worker process whose address space is capped
(``RLIMIT_AS``) and which is killed when its time is up.  Each refusal is one line.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import RunThruError, UnreadableInput

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """What one import may take.  ``pages`` is raised with ``import --max-pages``."""

    pages: int = 1000
    """A feature screenplay is ~120 pages, a long play ~200."""
    page_chars: int = 50_000
    """Text extracted from one page; a dense page of 10-point type holds ~6,000 characters."""
    chars: int = 4_000_000
    """Text extracted from the whole document (~1,000 dense pages)."""
    paragraphs: int = 60_000
    """Paragraphs of a Word document (a 300-page play has ~6,000)."""
    memory_mb: int = 512
    """Memory the reading may add to this process (a 124-page screenplay of 145,000 text
    objects peaks at ~75 MB)."""
    seconds: float = 120.0
    """Wall-clock time for reading one document (a 120-page screenplay takes well under 1 s)."""


DEFAULT_LIMITS = Limits()


def run_budgeted(read: Callable[[], T], limits: Limits, shown: str) -> T:
    """``read()`` in a forked worker with a memory cap and a deadline; its result or its
    ``RunThruError`` come back; running out of either is refused in one line.  Where there
    is no ``fork`` (Windows), it runs here, bounded only by the readers' own counts."""
    if not hasattr(os, "fork") or os.environ.get("RUNTHRU_IMPORT_IN_PROCESS") == "1":
        return read()
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "fork() in a multi-threaded process": the child only reads
        pid = os.fork()
    if pid == 0:  # the worker
        status = 0
        try:
            os.close(reader)
            # a reader that runs out of its cap may abort in native code: what it would print
            # (a C++ "terminate called…", a faulthandler dump) is no message for the user, who
            # gets the parent's one line
            faulthandler.disable()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 2)
            _cap_memory(limits.memory_mb)
            try:
                result: tuple = ("ok", read())
            except RunThruError as exc:
                result = ("error", exc.message, exc.exit_code)
            except MemoryError:
                result = ("memory",)
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(writer, view):]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise UnreadableInput(f"refused: reading it took more than {limits.seconds:g} s (a PDF or Word "
                                      "bomb?); if it is a real script, split it", path=shown)
            ready, _, _ = select.select([reader], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(reader, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(reader)
        _, status = os.waitpid(pid, 0)
    try:
        result = pickle.loads(b"".join(chunks)) if chunks else ("memory",)
    except (pickle.UnpicklingError, EOFError, ValueError):
        result = ("memory",)
    if result[0] == "ok":
        return result[1]
    if result[0] == "error":
        if result[2] == 2:
            raise UnreadableInput(result[1], path=shown)
        raise RunThruError(result[1], path=shown, exit_code=result[2])
    raise UnreadableInput(f"refused: reading it needed more than {limits.memory_mb} MB of memory (a PDF or Word "
                          "bomb?)", path=shown)


def _cap_memory(megabytes: int) -> None:
    """Cap the worker's address space at what it has now plus ``megabytes``."""
    import resource

    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        mapped = 0
    if mapped:
        limit = mapped + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    elif sys.platform != "darwin":  # macOS does not enforce RLIMIT_AS; elsewhere cap the data segment
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
