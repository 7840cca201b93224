"""Other word processors' files (.odt, .rtf, .doc) -> .docx, by LibreOffice, when it is installed.

LibreOffice runs headless in a private temporary folder, with its own user
profile there (so it neither touches nor waits on the user's own LibreOffice),
and is killed with everything it started when its time is up.  Where it is not
installed, or the file is one nothing here reads (an image, a Pages file), the
message is one line that says what to do instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import UnreadableInput

CONVERTIBLE = (".odt", ".rtf", ".doc")

_INSTALL = ("install LibreOffice (Debian/Ubuntu: sudo apt install libreoffice-writer; macOS: brew install "
            "--cask libreoffice), or open it in your word processor and save it as Word (.docx) or PDF")
_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic")
_HINTS = {
    ".pages": "export it from Pages as Word (.docx) or PDF (File > Export To)",
    ".fadein": "export it from Fade In as Final Draft (.fdx) or PDF",
    ".celtx": "export it from Celtx as PDF or Final Draft (.fdx)",
    ".wps": "save it as Word (.docx) or PDF",
    ".md": "copy it into scripts/: RunThru reads markdown scripts there as they are",
    ".fountain": "copy it into scripts/: RunThru reads Fountain screenplays there as they are",
    ".html": "print it to PDF from the browser, or save it as plain text (.txt)",
    ".htm": "print it to PDF from the browser, or save it as plain text (.txt)",
}


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def cannot_import(suffix: str) -> str:
    """The one line for a file this machine cannot import, with the way forward."""
    if suffix in CONVERTIBLE:
        return f"cannot import {suffix} without LibreOffice to convert it: {_INSTALL}"
    if suffix in _IMAGES:
        return (f"cannot import {suffix}: it is an image, not text; put the scanned pages in a PDF and import that "
                "with --ocr (needs tesseract), or type the script out")
    hint = _HINTS.get(suffix, "save it as PDF, Word (.docx), Final Draft (.fdx) or plain text (.txt)")
    return f"cannot import {suffix or 'a file without an extension'}: {hint}"


def convert(data: bytes, kind: str, shown: str, *, seconds: float = 120.0) -> bytes:
    """The document converted to .docx by LibreOffice (``soffice --headless --convert-to docx``)."""
    soffice = find_soffice()
    if soffice is None:
        raise UnreadableInput(cannot_import(kind), path=shown)
    with tempfile.TemporaryDirectory(prefix="runthru-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{kind}"
        source.write_bytes(data)
        out = folder / "out"
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]
        env = {**os.environ, "HOME": str(folder)}
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=env, cwd=folder)
        try:
            output, _ = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise UnreadableInput(f"LibreOffice took more than {seconds:g} s to convert it: save it as Word "
                                  "(.docx) or PDF in your word processor instead", path=shown) from None
        finally:
            _kill_group(process)  # soffice.bin may outlive the launcher
        converted = out / "document.docx"
        if process.returncode != 0 or not converted.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()
            detail = f" ({said[-1][:120]})" if said else ""
            raise UnreadableInput(f"LibreOffice could not convert it{detail}: save it as Word (.docx) or PDF in "
                                  "your word processor instead", path=shown)
        return converted.read_bytes()


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        process.wait()
