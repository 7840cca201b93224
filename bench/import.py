"""Import speed and accuracy: a 120-page screenplay PDF (target >= 20 pages/s on one core),
read by the same layout code through three PDF libraries side by side, and the share of
speeches that come back right on the generated test documents.

    python bench/import.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO)]
from import_documents import (  # noqa: E402
    SCREENPLAYS,
    corpus_script,
    fdx,
    play_docx,
    screenplay_docx,
    screenplay_pdf,
    speech_accuracy,
    stage_play_pdf,
)

from runthru_build.importers.docx import read_docx  # noqa: E402
from runthru_build.importers.fdx import read_fdx  # noqa: E402
from runthru_build.importers.pdf import read_pdf  # noqa: E402
from runthru_build.importers.pdf_text import PageRuns, Run, pdfium_pages  # noqa: E402
from runthru_build.importers.writer import script_text  # noqa: E402
from runthru_build.script import Script  # noqa: E402
from runthru_build.script.fountain import parse_fountain  # noqa: E402
from runthru_build.script.play import parse_markdown  # noqa: E402

PLAYS = ["beaumarchais_figaro_excerpt.md", "brubaker_nemesis.fountain", "hall_the_library_freak_out.fountain",
         "shakespeare_macbeth.txt", "wilde_an_ideal_husband.txt"]


def _style(fontname: str) -> tuple[bool, bool]:
    name = fontname.lower()
    return any(w in name for w in ("bold", "black", "heavy")), any(w in name for w in ("italic", "oblique"))


def pdfplumber_pages(data: bytes, shown: str) -> list[PageRuns]:
    import io

    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            runs = [Run(w["x0"], w["x1"], w["bottom"] - w["size"] * 0.2, w["size"], w["text"] + " ",
                        *_style(w["fontname"]))
                    for w in page.extract_words(extra_attrs=["fontname", "size"], use_text_flow=False)]
            pages.append(PageRuns(number, float(page.width), float(page.height), runs, len(page.images)))
    return pages


def pypdf_pages(data: bytes, shown: str) -> list[PageRuns]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        runs: list[Run] = []

        def visit(text, cm, tm, font, size, runs=runs, height=height):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            name = str((font or {}).get("/BaseFont", ""))
            width = len(text) * size * scale * 0.5
            runs.append(Run(x, x + width, height - y, size * scale, text, *_style(name)))

        page.extract_text(visitor_text=visit)
        pages.append(PageRuns(number, float(page.mediabox.width), height, runs))
    return pages


READERS = {"pypdfium2": pdfium_pages, "pdfplumber": pdfplumber_pages, "pypdf": pypdf_pages}


def long_screenplay(pages: int = 120) -> bytes:
    """The corpus screenplays, repeated until the PDF has ``pages`` pages."""
    import pypdfium2 as pdfium

    sources = [corpus_script(name) for name in SCREENPLAYS]
    scenes = []
    while True:
        for source in sources:
            scenes.extend(source.scenes)
        data = screenplay_pdf(Script("long.fountain", "A Long Screenplay", "by", "The Benchmark", scenes=scenes))
        count = len(pdfium.PdfDocument(data))
        if count >= pages:
            while count > pages:
                scenes.pop()
                data = screenplay_pdf(Script("long.fountain", "A Long Screenplay", scenes=scenes))
                count = len(pdfium.PdfDocument(data))
            return data


def read_back(doc) -> Script:
    return (parse_fountain if doc.screenplay else parse_markdown)(script_text(doc), "bench")


def generated_set():
    for name in SCREENPLAYS:
        source = corpus_script(name)
        yield f"{name} screenplay PDF", source, "pdf", screenplay_pdf(source)
        yield f"{name} PDF, dual dialogue", source, "pdf", screenplay_pdf(source, dual_every=4)
        yield f"{name} Word styles", source, "docx", screenplay_docx(source)
        yield f"{name} Final Draft", source, "fdx", fdx(source, dual_every=5)
    for name in PLAYS:
        source = corpus_script(name)
        yield f"{name} stage PDF, bold names", source, "pdf", stage_play_pdf(source)
        yield f"{name} stage PDF, centred names", source, "pdf", stage_play_pdf(source, centred_names=True)
        yield f"{name} stage PDF, capital names", source, "pdf", stage_play_pdf(source, bold_names=False)
        yield f"{name} Word play", source, "docx", play_docx(source)


def main() -> None:
    data = long_screenplay()
    print(f"120-page screenplay PDF: {len(data) / 1e6:.1f} MB")
    rates = {}
    for name, reader in READERS.items():
        best = min(_timed(lambda reader=reader: read_pdf(data, "long.pdf", reader=reader)) for _ in range(2))
        rates[name] = 120 / best
    base = rates["pypdfium2"]
    for name, rate in rates.items():
        print(f"  {name:<11} {rate:7.1f} pages/s  ({rate / base:.2f}x pypdfium2)")

    print("\naccuracy (share of the source's speeches that come back with the same speaker and words):")
    worst = {name: 1.0 for name in READERS}
    for label, source, kind, document in generated_set():
        if kind == "pdf":
            scores = {name: speech_accuracy(source, read_back(read_pdf(document, label, reader=reader)))
                      for name, reader in READERS.items()}
            for name, score in scores.items():
                worst[name] = min(worst[name], score)
            print(f"  {label:<58} " + "  ".join(f"{n} {s:6.1%}" for n, s in scores.items()))
        else:
            reader = read_docx if kind == "docx" else read_fdx
            print(f"  {label:<58} {speech_accuracy(source, read_back(reader(document, label))):6.1%}")
    print("worst PDF document: " + ", ".join(f"{n} {s:.1%}" for n, s in worst.items()))


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
