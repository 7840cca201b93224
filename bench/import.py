"""Import speed and accuracy: a 120-page screenplay PDF (target >= 20 pages/s on one core),
read by the same layout code through three PDF libraries side by side, and the share of
speeches that come back right on the generated test documents.  Then bombs: the time and
peak memory of refusing each (PDF page tree, compressed content streams, .docx padded past
its ratio check, .docx of a million paragraphs), each in a process of its own, and the
per-paragraph cost of reading a .docx as it grows (this reader against python-docx's style
lookup, side by side).

    python bench/import.py            # all
    python bench/import.py --bombs    # bombs and the .docx paragraph cost only
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO)]
from import_documents import (  # noqa: E402
    SCREENPLAYS,
    content_stream_bomb,
    corpus_script,
    docx_bomb,
    fdx,
    page_tree_bomb,
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


def pdfplumber_pages(data: bytes, shown: str, limits=None) -> list[PageRuns]:
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


def pypdf_pages(data: bytes, shown: str, limits=None) -> list[PageRuns]:
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
    for name, reader in list(READERS.items()):
        try:
            best = min(_timed(lambda reader=reader: read_pdf(data, "long.pdf", reader=reader)) for _ in range(2))
        except ImportError:
            print(f"  {name:<11} not installed here: left out")
            del READERS[name]
            continue
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


BOMBS = {
    "PDF page tree, 1,000,000 pages": lambda: page_tree_bomb(6, 10),
    "PDF content stream, 40 MB inflated": lambda: content_stream_bomb(40),
    "PDF content stream, 400 MB inflated": lambda: content_stream_bomb(400),
    ".docx, 190 MB document.xml behind 1 MB of padding": lambda: docx_bomb(unpacked_mb=190, padding_kb=1024),
    ".docx, 600,000 paragraphs (53 MB)": lambda: docx_bomb(paragraphs=600_000),
}


def bomb_one(label: str) -> None:
    """Import one bomb (in this process, as ``import`` would) and print time and peak memory."""
    import resource
    import tempfile

    from runthru_build.errors import UnreadableInput
    from runthru_build.importers import import_document

    data = BOMBS[label]()
    suffix = ".pdf" if label.startswith("PDF") else ".docx"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bomb{suffix}"
        path.write_bytes(data)
        start = time.perf_counter()
        try:
            import_document(path, path.name)
            outcome = "ACCEPTED"
        except UnreadableInput as exc:
            outcome = exc.message
        seconds = time.perf_counter() - start
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"  {label:<50} {len(data) / 1024:8.0f} KB  {seconds:6.2f} s  peak {peak / 1024:6.0f} MB  {outcome}")


def bombs() -> None:
    import subprocess

    print("bombs (each in a fresh process; peak = largest resident set of the importer or its worker):")
    for label in BOMBS:
        subprocess.run([sys.executable, __file__, "--bomb", label], check=False)
    print("\n.docx read time per paragraph as the document grows (same paragraphs, a 3-deep style chain):")
    import docx as python_docx

    for count in (5_000, 10_000, 20_000, 40_000):
        data = styled_docx(count)
        ours = min(_timed(lambda data=data: read_docx(data, "bench.docx")) for _ in range(3))
        line = f"  {count:>6} paragraphs: this reader {ours / count * 1e6:6.1f} us/paragraph"
        if count <= 10_000:
            def python_docx_styles(data=data) -> None:
                import io

                for paragraph in python_docx.Document(io.BytesIO(data)).paragraphs:
                    _ = paragraph.style.name, paragraph.style.font.bold

            theirs = _timed(python_docx_styles)
            line += f"   python-docx style lookup {theirs / count * 1e6:7.1f} us/paragraph ({theirs / ours:.0f}x)"
        print(line)


def styled_docx(count: int) -> bytes:
    """A Word play of ``count`` speeches whose paragraph style is based on another, based on Normal."""
    import io

    import docx as python_docx
    from docx.enum.style import WD_STYLE_TYPE

    document = python_docx.Document()
    base = document.styles.add_style("Speech Base", WD_STYLE_TYPE.PARAGRAPH)
    base.base_style = document.styles["Normal"]
    speech = document.styles.add_style("Speech", WD_STYLE_TYPE.PARAGRAPH)
    speech.base_style = base
    for i in range(count):
        paragraph = document.add_paragraph(style="Speech")
        paragraph.add_run("NORA." if i % 2 == 0 else "HELMER.").bold = True
        paragraph.add_run(f" Line number {i}, with a little more to say.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bomb":
        bomb_one(sys.argv[2])
    elif sys.argv[1:] == ["--bombs"]:
        bombs()
    else:
        main()
        print()
        bombs()
