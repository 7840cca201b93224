"""A PDF's text layer as positioned, styled runs: the one place that talks to the PDF library.

pypdfium2 (PDFium, Chrome's PDF engine) was chosen by measurement
(``bench/import.py``, figures in bench/RESULTS.md): behind the same layout code
it reads a 120-page screenplay 20-45x faster than pdfplumber (400-900 pages/s
on one core) at the same accuracy, and 3-4x faster than pypdf, whose text
visitor gives no glyph widths or reliable font styles (it lost half the
speeches of the stage plays). It is read per text object (one font, one
position each), not per character.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ..errors import UnreadableInput
from .budget import DEFAULT_LIMITS, Limits
from .document import clean_text


@dataclass
class Run:
    """Text in one font at one place; ``top`` and ``baseline`` are measured down from the page top."""

    x0: float
    x1: float
    baseline: float
    size: float
    text: str
    bold: bool
    italic: bool
    mono: bool = False
    """Set in a fixed-pitch font (Courier): its letters stand further apart in ink."""


@dataclass
class PageRuns:
    number: int
    width: float
    height: float
    runs: list[Run]
    images: int = 0


_FONT_BOLD = 1 << 18
_FONT_ITALIC = 1 << 6
_FONT_FIXED_PITCH = 1


def open_pdf(data: bytes, shown: str) -> pdfium.PdfDocument:
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableInput("is truncated: the PDF ends without its %%EOF marker (download or copy it again)",
                              path=shown)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise UnreadableInput("is encrypted (password protected): save an unprotected copy first",
                                  path=shown) from None
        raise UnreadableInput(f"is a corrupt PDF ({exc})", path=shown) from None
    encrypted = raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1
    if encrypted and not raw.FPDF_GetDocPermissions(pdf.raw) & _MAY_COPY_TEXT:
        pdf.close()
        raise UnreadableInput("is locked against copying its text (its owner's PDF permissions): "
                              "ask whoever sent it for an unlocked copy", path=shown)
    return pdf


_MAY_COPY_TEXT = 1 << 4
"""PDF permission bit 5: copy or otherwise extract text (ISO 32000-1, table 22)."""


def pdfium_pages(data: bytes, shown: str, limits: Limits = DEFAULT_LIMITS) -> list[PageRuns]:
    """Every page's runs; refused in one line past ``limits`` (pages, text per page, text in all)."""
    doc = open_pdf(data, shown)
    try:
        count = len(doc)
        if count > limits.pages:
            raise UnreadableInput(f"refused: {count:,} pages, more than the limit of {limits.pages:,} (a PDF bomb?); "
                                  "if it is a real script, import it with --max-pages", path=shown)
        pages = []
        total = 0
        for i in range(count):
            page = _page_runs(doc, i, limits.page_chars)
            if page is None:
                raise UnreadableInput(f"refused: page {i + 1} holds more than {limits.page_chars:,} characters of "
                                      "text (a PDF bomb?)", path=shown)
            total += sum(len(r.text) for r in page.runs)
            if total > limits.chars:
                raise UnreadableInput(f"refused: more than {limits.chars:,} characters of text by page {i + 1} "
                                      "(a PDF bomb?)", path=shown)
            pages.append(page)
        return pages
    except pdfium.PdfiumError as exc:
        raise UnreadableInput(f"is a corrupt PDF ({exc})", path=shown) from None
    finally:
        doc.close()


def _page_runs(doc: pdfium.PdfDocument, index: int, max_chars: int) -> PageRuns | None:
    page = doc[index]
    textpage = page.get_textpage()
    width, height = page.get_size()
    runs: list[Run] = []
    images = 0
    fonts: dict[int, tuple[bool, bool, bool]] = {}
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    matrix = raw.FS_MATRIX()
    size = ctypes.c_float()
    buffer = (ctypes.c_ushort * 2048)()
    chars = 0
    objects = raw.FPDFPage_CountObjects(page.raw)
    if objects > max_chars:  # more text objects than a page could hold characters
        textpage.close()
        page.close()
        return None
    for i in range(objects):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
            continue
        if kind != raw.FPDF_PAGEOBJ_TEXT:
            continue
        n = raw.FPDFTextObj_GetText(obj, textpage.raw, buffer, ctypes.sizeof(buffer))
        if n > ctypes.sizeof(buffer):
            buffer = (ctypes.c_ushort * (n // 2 + 1))()
            n = raw.FPDFTextObj_GetText(obj, textpage.raw, buffer, ctypes.sizeof(buffer))
        text = clean_text(ctypes.string_at(buffer, max(n - 2, 0)).decode("utf-16-le", errors="replace"))
        if not text.strip():
            if text and runs and not runs[-1].text.endswith(" "):
                runs[-1].text += " "  # a space drawn on its own: the next run starts a new word
            continue
        chars += len(text)
        if chars > max_chars:
            textpage.close()
            page.close()
            return None
        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        raw.FPDFPageObj_GetMatrix(obj, matrix)
        raw.FPDFTextObj_GetFontSize(obj, size)
        font = raw.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        style = fonts.get(key)
        if style is None:
            style = fonts[key] = _font_style(font)
        runs.append(Run(left.value, right.value, height - matrix.f, size.value * abs(matrix.d or 1.0),
                        text, *style))
    textpage.close()
    page.close()
    return PageRuns(index + 1, width, height, runs, images)


def _font_style(font: object) -> tuple[bool, bool, bool]:
    name_buffer = ctypes.create_string_buffer(256)
    n = raw.FPDFFont_GetBaseFontName(font, name_buffer, len(name_buffer))
    name = name_buffer.raw[: max(n - 1, 0)].decode("latin-1").lower()
    flags = raw.FPDFFont_GetFlags(font)
    weight = raw.FPDFFont_GetWeight(font)
    bold = any(w in name for w in ("bold", "black", "heavy", "semibold", "demi")) or weight >= 600 \
        or bool(flags & _FONT_BOLD)
    italic = any(w in name for w in ("italic", "oblique")) or bool(flags & _FONT_ITALIC)
    mono = bool(flags & _FONT_FIXED_PITCH) or "courier" in name
    return bold, italic, mono
