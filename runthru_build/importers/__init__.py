"""Scripts people actually have (PDF, Word, Final Draft, plain text) -> an editable script.

``import_document`` checks that a file is what its extension says, reads it
with the matching importer into typed paragraphs, and ``writer`` turns those
into markdown (plays) or Fountain (screenplays) for the ordinary parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UnreadableInput
from ..script import Script
from ..script.fountain import parse_fountain
from ..script.play import parse_markdown
from .budget import DEFAULT_LIMITS, Limits, run_budgeted
from .convert import CONVERTIBLE, cannot_import, convert, find_soffice
from .document import Imported, Para
from .writer import script_text, suffix_for

IMPORT_SUFFIXES = {".pdf": "PDF", ".docx": "Word document", ".fdx": "Final Draft file", ".txt": "text file",
                   ".text": "text file", ".odt": "OpenDocument text", ".rtf": "RTF document",
                   ".doc": "old-style Word document"}
"""Formats ``import`` reads; ``.pdf``, ``.docx`` and ``.fdx`` are also read straight from scripts/.
``.odt``, ``.rtf`` and ``.doc`` are converted to .docx by LibreOffice first (``convert``)."""
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".fdx")

_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\xd0\xcf\x11\xe0", ".doc"), (b"{\\rtf", ".rtf"),
          (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"))


@dataclass
class Converted:
    """An imported document: the editable script's text, its suffix, and what was found on the way."""

    text: str
    suffix: str
    document: Imported


def content_kind(data: bytes) -> str:
    """What the bytes are, whatever the name says: the importer's suffix or a description."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        if head[30:38] == b"mimetype" and b"opendocument.text" in head[:100]:
            return ".odt"
        return ".docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in head else "a zip archive"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") and b"<FinalDraft" in head:
        return ".fdx"
    if stripped.startswith((b"<?xml", b"<!DOCTYPE")):
        return "an XML file"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a binary file"
    return ".txt"


def import_document(path: Path, shown: str, *, ocr: bool = False, limits: Limits = DEFAULT_LIMITS) -> Converted:
    """Read one document into an editable script; any unreadable input raises ``UnreadableInput``.
    The reading runs within ``limits`` (pages, text, memory and time: see ``budget``)."""
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise UnreadableInput(cannot_import(suffix), path=shown)
    if suffix in CONVERTIBLE and find_soffice() is None:
        raise UnreadableInput(cannot_import(suffix), path=shown)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput("file not found", path=shown) from None
    except IsADirectoryError:
        raise UnreadableInput("is a directory, not a file", path=shown) from None
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror}", path=shown) from None
    if not data.strip():
        raise UnreadableInput("is empty (0 bytes)" if not data else "is empty (only white space)", path=shown)
    kind = content_kind(data)
    expected = ".txt" if suffix == ".text" else suffix
    if suffix in CONVERTIBLE and kind in CONVERTIBLE:
        data = convert(data, kind, shown, seconds=limits.seconds)
        kind = expected = ".docx"
    if kind != expected:
        what = IMPORT_SUFFIXES.get(kind, kind) if kind.startswith(".") else kind
        article = "an" if what[0].lower() in "aeiou" else "a"
        found = what if not kind.startswith(".") else f"{article} {what}"
        raise UnreadableInput(f"is named {suffix} but holds {found}: rename it or export it again", path=shown)
    if ocr:
        limits = replace(limits, seconds=limits.seconds * 20)  # Tesseract reads ~1 page in a few seconds
    document, verbatim = run_budgeted(lambda: _read(kind, data, shown, ocr, limits), limits, shown)
    if not any(p.kind in ("cue", "dialogue") for p in document.paras):
        raise UnreadableInput("no speeches found: no character names the importer could recognise", path=shown)
    return Converted(verbatim if verbatim is not None else script_text(document), suffix_for(document), document)


def _read(kind: str, data: bytes, shown: str, ocr: bool, limits: Limits) -> tuple[Imported, str | None]:
    """The reader for ``kind`` (run inside the budgeted worker)."""
    if kind == ".pdf":
        from .pdf import read_pdf

        return read_pdf(data, shown, ocr=ocr, limits=limits), None
    if kind == ".docx":
        from .docx import read_docx

        return read_docx(data, shown, max_chars=limits.chars, max_paragraphs=limits.paragraphs), None
    if kind == ".fdx":
        from .fdx import read_fdx

        return read_fdx(data, shown), None
    from .text import read_text_script

    return read_text_script(data, shown)


def read_back(converted: Converted, shown: str) -> Script:
    """Parse an import's text exactly as the editable copy will be parsed."""
    parse = parse_fountain if converted.suffix == ".fountain" else parse_markdown
    return parse(converted.text, shown)


def load_document(path: Path, shown: str) -> Script:
    """A PDF, Word or Final Draft file in scripts/, read as a script without an editable copy
    (its line numbers are those of the converted text that ``import`` would write)."""
    converted = import_document(path, shown)
    script = read_back(converted, shown)
    if not any(True for _ in script.lines()):
        raise UnreadableInput("no speeches found after import", path=shown)
    script.warnings.extend(f"{shown} {p.where}: could not place this paragraph: {p.text[:60]}"
                           for p in converted.document.unplaced)
    return script


__all__ = ["DEFAULT_LIMITS", "DOCUMENT_SUFFIXES", "IMPORT_SUFFIXES", "Converted", "Imported", "Limits", "Para",
           "import_document", "load_document", "read_back"]
