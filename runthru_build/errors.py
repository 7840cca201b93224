"""The one exception type a user ever sees: a one-line message naming the place."""

from __future__ import annotations

import os
import stat


class RunThruError(Exception):
    """Bad input or a failed step, reported as ``path:line: message``.

    ``exit_code`` is 2 for input that cannot be read at all (missing, binary,
    not UTF-8) and 1 for input that was read but is wrong.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, exit_code: int = 1) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.exit_code = exit_code
        super().__init__(str(self))

    def each(self) -> list[RunThruError]:
        """The errors this one stands for, each reported on its own line."""
        return [self]

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class RunThruErrors(RunThruError):
    """Several mistakes found in one file, reported together (each its own line), in line order."""

    def __init__(self, errors: list[RunThruError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line or 0)
        first = self.errors[0]
        super().__init__(first.message, path=first.path, line=first.line,
                         exit_code=max(e.exit_code for e in self.errors))

    def each(self) -> list[RunThruError]:
        return list(self.errors)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so a stopped build cleans up as after Ctrl-C."""

    signum = 15


class UnreadableInput(RunThruError):
    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message, path=path, line=line, exit_code=2)


def read_text(path, shown: str, *, legacy_encoding: str | None = None, warnings: list[str] | None = None) -> str:
    """Read a UTF-8 text file, or raise ``UnreadableInput`` naming ``shown``.

    Opened without blocking and checked to be a regular file: a FIFO or a device
    named like a script would otherwise be read forever.  With ``legacy_encoding``
    (scripts: old Project Gutenberg files are Latin-1), text that is not UTF-8 is
    read in that encoding and a warning says so.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnreadableInput(f"broken link: it points to {os.readlink(path)}, which does not exist",
                                  path=shown) from None
        raise UnreadableInput("file not found", path=shown) from None
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror}", path=shown) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableInput("is a directory, not a file", path=shown)
        if not stat.S_ISREG(mode):
            raise UnreadableInput("is not a regular file (a FIFO, socket or device): not read", path=shown)
        try:
            data = handle.read()
        except OSError as exc:
            raise UnreadableInput(f"cannot read: {exc.strerror}", path=shown) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its BOM: Notepad's "Unicode"
        try:
            return data.decode("utf-16").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            raise UnreadableInput(f"is not valid UTF-16 (at byte {exc.start})", path=shown) from None
    if b"\x00" in data[:8192]:
        raise UnreadableInput("is a binary file, not text", path=shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if legacy_encoding is not None:
            if warnings is not None:
                warnings.append(f"{shown}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); read as {legacy_encoding}")
            text = data.decode(legacy_encoding, errors="replace")
            return text.replace("\r\n", "\n").replace("\r", "\n")
        raise UnreadableInput(f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=shown, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
