"""Scanned PDFs: render each page and read it with Tesseract (only with ``import --ocr``).

OCR gives words and positions but no fonts, so screenplays (read by indent)
come back well and stage plays only as well as their capitals allow.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import UnreadableInput
from .budget import DEFAULT_LIMITS, Limits
from .pdf_text import PageRuns, Run, open_pdf

DPI = 300


def ocr_pages(data: bytes, shown: str, limits: Limits = DEFAULT_LIMITS) -> list[PageRuns]:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise UnreadableInput("has no text layer and --ocr needs Tesseract: install tesseract-ocr, "
                              "or run ocrmypdf on the file first", path=shown)
    doc = open_pdf(data, shown)
    if (count := len(doc)) > limits.pages:
        doc.close()
        raise UnreadableInput(f"refused: {count:,} pages, more than the limit of {limits.pages:,}; "
                              "import it with --max-pages", path=shown)
    pages = []
    try:
        with tempfile.TemporaryDirectory(prefix="runthru-ocr-") as tmp:
            for index in range(len(doc)):
                page = doc[index]
                width, height = page.get_size()
                image = Path(tmp) / f"page-{index + 1}.png"
                page.render(scale=DPI / 72).to_pil().save(image)
                result = subprocess.run([tesseract, str(image), "-", "tsv"], capture_output=True, text=True,
                                        check=False)
                if result.returncode != 0:
                    raise UnreadableInput(f"OCR failed on page {index + 1}: {result.stderr.strip()[:200]}",
                                          path=shown)
                pages.append(PageRuns(index + 1, width, height, list(_words(result.stdout))))
    finally:
        doc.close()
    return pages


def _words(tsv: str):
    scale = 72 / DPI
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top, w, h = (float(row[k]) for k in ("left", "top", "width", "height"))
        yield Run(left * scale, (left + w) * scale, (top + h) * scale, h * scale * 1.3, text + " ", False, False)
