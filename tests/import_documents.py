"""Test documents made from real scripts: PDFs (reportlab), Word files (python-docx), Final Draft XML.

Each maker draws a parsed ``Script`` in one real-world layout, so importing the
document back can be compared speech by speech with the script it came from.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

from runthru_build.script import Direction, Line, Script, load_script
from runthru_build.script.cues import plain_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
SCREENPLAYS = ["brubaker_complete_and_utter_nonsense.fountain", "hall_the_library_freak_out.fountain",
               "hall_cyber_bob_ep1.fountain"]
INCH = 72.0


def corpus_script(name: str) -> Script:
    return load_script(CORPUS / name, name)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def speech_keys(script: Script) -> list[tuple[str, str]]:
    return [("+".join(_key(s) for s in line.speakers), _key(line.spoken)) for line in script.lines()]


def speech_accuracy(source: Script, imported: Script) -> float:
    """The share of the source's speeches that come back with the same speaker and words."""
    a, b = speech_keys(source), speech_keys(imported)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def _cue(line: Line) -> str:
    return re.sub(r"\s*[(\[].*?[)\]]", "", line.cue).strip().upper()


def _parts(line: Line) -> Iterator[tuple[str, bool]]:
    for part in line.parts:
        text = plain_text(part.markdown)
        if text:
            yield text, part.kind == "direction"


_EMPHASIS = re.compile(r"(\*\*[^*]+?\*\*|\*[^*]+?\*|(?<![\w\\])_[^_]+?_(?!\w))")


def _styled_parts(line: Line) -> Iterator[tuple[str, str]]:
    """A speech as (text, style): ``direction``, ``emphasis`` (``*…*``, ``_…_``), ``bold`` or
    ``plain``; a piece keeps the spaces around it (``Not to `` / ``you`` / ``, dear.``)."""
    for part in line.parts:
        if part.kind == "direction":
            text = plain_text(part.markdown)
            if text:
                yield f" {text} ", "direction"
            continue
        pieces = _EMPHASIS.split(f" {part.markdown} ")
        for piece in pieces:
            text = plain_text(piece)
            if not text.strip():
                if piece and not piece.strip():
                    yield " ", "plain"
                continue
            lead = " " if piece[:1].isspace() else ""
            trail = " " if piece[-1:].isspace() else ""
            style = "plain"
            if _EMPHASIS.fullmatch(piece):
                style = "bold" if piece.startswith("**") else "emphasis"
            yield lead + text + trail, style


def _styled_words(line: Line, fonts: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(font, word, glued to the word before) for drawing a speech word by word."""
    words: list[tuple[str, str, bool]] = []
    spaced = True
    for text, style in _styled_parts(line):
        if style == "direction":
            text = f" {_bracketed(text.strip())} "
        for n, word in enumerate(text.split()):
            words.append((fonts[style], word, n == 0 and not spaced and not text[:1].isspace()))
        spaced = text[-1:].isspace()
    return words


def _bracketed(direction: str) -> str:
    """A direction inside a speech as published plays print it: italic, in parentheses."""
    return f"({direction.strip('()[] ')})"


def _wrap(words: list[str], fits) -> Iterator[str]:
    line: list[str] = []
    for word in words:
        if line and not fits(" ".join([*line, word])):
            yield " ".join(line)
            line = []
        line.append(word)
    if line:
        yield " ".join(line)


class _Pages:
    """A reportlab canvas with a cursor, page furniture and a page-break hook."""

    def __init__(self, title: str, *, header: bool = True, footer: bool = True, asterisks: bool = False):
        from reportlab.lib.pagesizes import letter
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=letter, pageCompression=0)
        self.canvas.setTitle(title)
        self.width, self.height = letter
        self.title, self.header, self.footer, self.asterisks = title, header, footer, asterisks
        self.page = 1
        self.y = self.height - INCH
        self.count = 0

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - INCH
        c = self.canvas
        if self.header:
            c.setFont("Helvetica", 9)
            c.drawString(INCH, self.height - 0.5 * INCH, f"{self.title} — rehearsal draft")
            c.drawRightString(self.width - INCH, self.height - 0.5 * INCH, f"{self.page}.")
        if self.footer:
            c.setFont("Helvetica", 9)
            c.drawCentredString(self.width / 2, 0.5 * INCH, f"Page {self.page} of many")

    def room(self, lines: int, leading: float) -> bool:
        return self.y - lines * leading >= INCH

    def text(self, x: float, text: str, font: str, size: float, leading: float, *, centred: bool = False,
             right: bool = False) -> None:
        c = self.canvas
        c.setFont(font, size)
        if centred:
            c.drawCentredString(self.width / 2, self.y, text)
        elif right:
            c.drawRightString(x, self.y, text)
        else:
            c.drawString(x, self.y, text)
        self.count += 1
        if self.asterisks and self.count % 23 == 0:
            c.setFont("Courier", 12)
            c.drawString(self.width - 0.6 * INCH, self.y, "*")
        self.y -= leading

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _dual_body(line: Line, dialogue_x: float) -> list[tuple[float, str]]:
    """One column of dual dialogue: 26 characters of dialogue, parentheticals 0.4" in."""
    body: list[tuple[float, str]] = []
    for text, direction in _parts(line):
        if direction:
            inner = text.strip("()[] ")
            body += [(dialogue_x + 0.4 * INCH, s) for s in _wrap(f"({inner})".split(), lambda s: len(s) <= 20)]
        else:
            body += [(dialogue_x, s) for s in _wrap(text.split(), lambda s: len(s) <= 26)]
    return body


def screenplay_pdf(script: Script, *, title_page: bool = True, dual_every: int = 0) -> bytes:
    """Industry layout: Courier 12, cue at 3.7", parenthetical 3.1", dialogue 2.5", action 1.5";
    (MORE)/(CONT'D) across page breaks, page numbers, revision asterisks.  With ``dual_every``,
    every n-th pair of speeches is dual dialogue, printed side by side as Final Draft does
    (left column: cue 2.3", dialogue 1.5"; right column the same 3" further right)."""
    p = _Pages(script.title, header=True, footer=False, asterisks=True)
    lead = 12.0
    char = 7.2
    fits = {w: (lambda s, w=w: len(s) <= w) for w in (35, 28, 60)}
    if title_page:
        p.y = p.height / 2 + 40
        p.text(0, script.title.upper(), "Courier", 12, 24, centred=True)
        p.text(0, "Written by", "Courier", 12, 14, centred=True)
        p.text(0, script.author or "Anonymous", "Courier", 12, 14, centred=True)
        p.new_page()
    for scene in script.scenes:
        if not p.room(4, lead):
            p.new_page()
        p.text(1.5 * INCH, scene.title.upper(), "Courier", 12, lead * 2)
        elements = list(scene.elements)
        for index, element in enumerate(elements):
            if element is None:  # printed as the right column of a dual dialogue
                continue
            following = elements[index + 1] if index + 1 < len(elements) else None
            if dual_every and index % dual_every == 0 and isinstance(element, Line) and isinstance(following, Line):
                columns = [_dual_body(element, 1.5 * INCH), _dual_body(following, 4.5 * INCH)]
                rows = max(map(len, columns))
                if not p.room(rows + 2, lead):
                    p.new_page()
                p.text(2.3 * INCH, _cue(element), "Courier", 12, 0)
                p.text(5.3 * INCH, _cue(following), "Courier", 12, lead)
                for row in range(rows):
                    cells = [column[row] for column in columns if row < len(column)]
                    for n, (x, text) in enumerate(cells):
                        p.text(x, text, "Courier", 12, lead if n == len(cells) - 1 else 0)
                p.y -= lead
                elements[index + 1] = None
                continue
            if isinstance(element, Direction):
                lines = list(_wrap(plain_text(element.text).split(), fits[60]))
                if not p.room(len(lines) + 1, lead):
                    p.new_page()
                for line in lines:
                    p.text(1.5 * INCH, line, "Courier", 12, lead)
                p.y -= lead
                continue
            body: list[tuple[float, str]] = []
            for text, direction in _parts(element):
                if direction:
                    inner = text.strip("()[] ")
                    body += [(3.1 * INCH, s) for s in _wrap(f"({inner})".split(), fits[28])]
                else:
                    body += [(2.5 * INCH, s) for s in _wrap(text.split(), fits[35])]
            cue = _cue(element)
            if not p.room(3, lead):
                p.new_page()
            p.text(3.7 * INCH, cue, "Courier", 12, lead)
            for i, (x, line) in enumerate(body):
                if not p.room(2, lead) and i < len(body) - 1:
                    p.text(3.7 * INCH, "(MORE)", "Courier", 12, lead)
                    p.new_page()
                    p.text(3.7 * INCH, f"{element.speakers[0]} (CONT'D)", "Courier", 12, lead)
                p.text(x, line, "Courier", 12, lead)
            p.y -= lead
    del char
    return p.finish()


def stage_play_pdf(script: Script, *, centred_names: bool = False, hyphenate: bool = True,
                   bold_names: bool = True) -> bytes:
    """A published-play layout: Times 12, bold character names (inline, or centred above the
    speech), italic directions, centred act and scene headings, a two-column cast list,
    running headers and page-number footers, hyphenated line ends. Without ``bold_names`` the
    names are plain capitals (``NORA.``), as typed on a typewriter."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    p = _Pages(script.title)
    lead = 14.5
    left, width = INCH, p.width - 2 * INCH
    c = p.canvas
    p.y = p.height - 2 * INCH
    p.text(0, script.title, "Times-Bold", 22, 30, centred=True)
    p.text(0, f"by {script.author or 'Anonymous'}", "Times-Roman", 14, 40, centred=True)
    p.text(0, "CHARACTERS", "Times-Bold", 12, 22, centred=True)
    names = script.characters
    half = (len(names) + 1) // 2
    for i in range(half):
        c.setFont("Times-Roman", 11)
        c.drawString(left + 0.5 * INCH, p.y, names[i])
        if i + half < len(names):
            c.drawString(left + 3.5 * INCH, p.y, names[i + half])
        p.y -= 14
    p.new_page()

    def flow(spans: list[tuple[str, str, bool]], x: float, first_x: float | None = None) -> None:
        """Write (font, word, glued) from ``x``, wrapping at the right margin (never before a
        glued word: ``you`` + ``,``)."""
        cursor = first_x if first_x is not None else x
        if not p.room(1, lead):
            p.new_page()
        space = 0.0
        for font, word, glued in spans:
            if glued:
                cursor -= space
            w = stringWidth(word, font, 12)
            space = stringWidth(" ", font, 12)
            if cursor + w > left + width and cursor > x and not glued:
                room = left + width - cursor
                if hyphenate and len(word) >= 9 and word.isalpha():
                    cut = len(word) - 3
                    while cut > 3 and stringWidth(word[:cut] + "-", font, 12) > room:
                        cut -= 1
                    if cut >= 4 and len(word) - cut >= 3:
                        c.setFont(font, 12)
                        c.drawString(cursor, p.y, word[:cut] + "-")
                        word = word[cut:]
                        w = stringWidth(word, font, 12)
                p.y -= lead
                if not p.room(1, lead):
                    p.new_page()
                cursor = x
            c.setFont(font, 12)
            c.drawString(cursor, p.y, word)
            cursor += w + space
        p.y -= lead

    act = None
    for scene in script.scenes:
        if not p.room(5, lead):
            p.new_page()
        p.y -= lead
        if scene.act and scene.act != act:
            act = scene.act
            p.text(0, scene.act.upper(), "Times-Bold", 13, lead * 1.5, centred=True)
        p.text(0, scene.title, "Times-Bold", 12, lead * 1.5, centred=True)
        for element in scene.elements:
            if isinstance(element, Direction):
                words = [("Times-Italic", w, False) for w in plain_text(element.text).split()]
                flow(words, left + 0.5 * INCH)
                p.y -= 4
                continue
            spans = _styled_words(element, {"direction": "Times-Italic", "emphasis": "Times-Italic",
                                            "bold": "Times-Bold", "plain": "Times-Roman"})
            if centred_names:
                if not p.room(2, lead):
                    p.new_page()
                p.text(0, _cue(element), "Times-Bold", 12, lead, centred=True)
                flow(spans, left)
            else:
                if not p.room(1, lead):
                    p.new_page()
                name = f"{_cue(element)}."
                name_font = "Times-Bold" if bold_names else "Times-Roman"
                c.setFont(name_font, 12)
                c.drawString(left, p.y, name)
                flow(spans, left, left + stringWidth(name + "  ", name_font, 12))
            p.y -= 4
    return p.finish()


def _add_style(document, name: str, *, indent: float = 0.0, bold: bool = False, caps: bool = False) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches

    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = "Courier New"
    style.paragraph_format.left_indent = Inches(indent)
    style.font.bold = bold or None
    style.font.all_caps = caps or None


def screenplay_docx(script: Script) -> bytes:
    """A Word screenplay template's styles: Scene Heading, Action, Character, Parenthetical, Dialogue."""
    import docx

    document = docx.Document()
    for name, indent in (("Scene Heading", 0), ("Action", 0), ("Character", 2.2), ("Parenthetical", 1.6),
                         ("Dialogue", 1.0), ("Transition", 4.0)):
        _add_style(document, name, indent=indent)
    document.add_paragraph(script.title, style="Title")
    for scene in script.scenes:
        document.add_paragraph(scene.title.upper(), style="Scene Heading")
        for element in scene.elements:
            if isinstance(element, Direction):
                document.add_paragraph(plain_text(element.text), style="Action")
                continue
            document.add_paragraph(_cue(element), style="Character")
            for text, direction in _parts(element):
                if direction:
                    document.add_paragraph(f"({text.strip('()[] ')})", style="Parenthetical")
                else:
                    document.add_paragraph(text, style="Dialogue")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def play_docx(script: Script) -> bytes:
    """A play as people type one in Word: Title, Heading 1/2 for acts and scenes, a bold name
    opening each speech, italic directions (whole paragraphs or runs inside a speech)."""
    import docx

    document = docx.Document()
    document.add_paragraph(script.title, style="Title")
    document.add_paragraph(f"by {script.author or 'Anonymous'}")
    document.add_paragraph("Characters: " + ", ".join(script.characters))
    act = None
    for scene in script.scenes:
        if scene.act and scene.act != act:
            act = scene.act
            document.add_heading(act, level=1)
        document.add_heading(scene.title, level=2)
        _add_speeches(document, scene.elements)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_speeches(document, elements) -> None:
    """Speeches as people type them in Word: a bold name, the text, italic directions."""
    for element in elements:
        if isinstance(element, Direction):
            document.add_paragraph().add_run(plain_text(element.text)).italic = True
            continue
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{_cue(element)}.").bold = True
        paragraph.add_run(" ")
        for text, style in _styled_parts(element):
            if style == "direction":
                paragraph.add_run(" ")
                text = _bracketed(text.strip())
            run = paragraph.add_run(text)
            run.italic = style in ("direction", "emphasis") or None
            run.bold = style == "bold" or None
            if style == "direction":
                paragraph.add_run(" ")


def one_act_docx(script: Script, *, justification: str | None = None) -> bytes:
    """A one-act play typed in Word with no act or scene heading: the title, a byline, a
    "Characters" heading over one entry per paragraph, a wrapped opening direction, the
    speeches (bold names, italic directions) and THE END.  ``justification`` sets every
    paragraph's ``w:jc`` as another writer would (LibreOffice writes ``start``)."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph(script.title, style="Title")
    document.add_paragraph(f"by {script.author or 'Anonymous'}")
    document.add_heading("Characters", level=2)
    for name in script.characters:
        document.add_paragraph(f"{name.upper()}, a person of the play")
    document.add_paragraph("[The curtain rises on an empty room. Someone")
    document.add_paragraph("is heard outside.]")
    _add_speeches(document, [e for scene in script.scenes for e in scene.elements])
    document.add_paragraph("THE END")
    if justification:
        for paragraph in document.paragraphs:
            jc = OxmlElement("w:jc")
            jc.set(qn("w:val"), justification)
            paragraph._p.get_or_add_pPr().append(jc)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fdx(script: Script, *, dual_every: int = 0) -> bytes:
    """Final Draft XML; with ``dual_every`` every n-th pair of speeches is dual dialogue."""
    from xml.sax.saxutils import escape

    def para(kind: str, text: str) -> str:
        return f'<Paragraph Type="{kind}"><Text>{escape(text)}</Text></Paragraph>'

    def speech(line: Line) -> list[str]:
        out = [para("Character", _cue(line))]
        for text, direction in _parts(line):
            out.append(para("Parenthetical", f"({text.strip('()[] ')})") if direction else para("Dialogue", text))
        return out

    body: list[str] = []
    for scene in script.scenes:
        body.append(para("Scene Heading", scene.title.upper()))
        elements = list(scene.elements)
        i = 0
        while i < len(elements):
            element = elements[i]
            if isinstance(element, Direction):
                body.append(para("Action", plain_text(element.text)))
            elif dual_every and i % dual_every == 0 and i + 1 < len(elements) and isinstance(elements[i + 1], Line):
                body.append("<Paragraph><DualDialogue>" + "".join(speech(element) + speech(elements[i + 1]))
                            + "</DualDialogue></Paragraph>")
                i += 1
            else:
                body += speech(element)
            i += 1
    title = f'<TitlePage><Content>{para("Text", script.title)}{para("Text", "Written by")}' \
            f'{para("Text", script.author or "Anonymous")}</Content></TitlePage>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n<FinalDraft DocumentType="Script" '
            f'Template="No" Version="5"><Content>{"".join(body)}</Content>{title}</FinalDraft>').encode()


_WORD = re.compile(r"[^\W_]+")
_BROKEN_WORD = re.compile(r"[^\W_]+(?:\ufffe\s*[^\W_]+)?")


def text_layer(data: bytes, kind: str) -> str:
    """Everything a document says, read straight from its text layer (not through the importer):
    every PDF text object, every ``w:t`` of a Word file, every ``<Text>`` of a Final Draft file."""
    if kind == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
        return "\n".join(pages)
    if kind == ".docx":
        import zipfile

        from lxml import etree

        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        return " ".join(t.text or "" for t in etree.fromstring(xml).iter(f"{w}t")
                        if "Fallback" not in "".join(a.tag for a in t.iterancestors()))
    if kind == ".fdx":
        from defusedxml.ElementTree import fromstring

        root = fromstring(data)
        parts = [t.text or "" for where in ("Content", "TitlePage/Content") if (c := root.find(where)) is not None
                 for t in c.iter("Text")]
        return " ".join(parts)
    from runthru_build.importers.text import decode

    return decode(data)[0]


def lost_words(data: bytes, kind: str, converted) -> list[str]:
    """Words of the text layer that land nowhere: not in the script, not in the page furniture
    the importer records as dropped, not in its list of unplaced paragraphs.  A word broken by
    a line-end hyphen counts as found when its two halves make a word of the script."""
    from collections import Counter

    def words(text: str) -> list[str]:
        return [w.lower() for w in _WORD.findall(text.replace("\ufffe", "-").replace("\x02", "-"))]

    doc = converted.document
    found = Counter(words(converted.text))
    for para in [*doc.dropped, *doc.unplaced, *doc.left_out]:
        found.update(words(para.text))
    # PDFium marks a hyphen at a line end (U+FFFE): the two halves are one word, with or without it
    layer = [w.lower() for w in _BROKEN_WORD.findall(text_layer(data, kind).replace("\x02", "\ufffe"))]
    lost = []
    skip: set[int] = set()
    for i, word in enumerate(layer):
        if i in skip:
            continue
        if "\ufffe" in word:
            head, tail = (half.strip() for half in word.split("\ufffe", 1))
            if found[head + tail] > 0:
                found[head + tail] -= 1
                continue
            for half in (head, tail):
                if found[half] > 0:
                    found[half] -= 1
                elif half:
                    lost.append(half)
            continue
        if found[word] > 0:
            found[word] -= 1
            continue
        # the first half of a word hyphenated at a line end; its second half may come after
        # the page's footer and the next page's header
        rest = next((j for j in range(i + 1, min(i + 40, len(layer)))
                     if j not in skip and found[word + layer[j]] > 0), None)
        if rest is not None:
            found[word + layer[rest]] -= 1
            skip.add(rest)
        else:
            lost.append(word)
    return lost


# -- bombs: small files that would unpack to far more than any script ---------------------------

def _raw_pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def page_tree_bomb(levels: int = 6, fan: int = 10) -> bytes:
    """A PDF of ``fan ** levels`` pages in about a kilobyte: each level of its page tree
    lists the same child ``fan`` times."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        kids = b" ".join(b"%d 0 R" % (3 + level) for _ in range(fan))
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, fan ** (levels - level)))
    content = b"BT /F1 12 Tf 72 720 Td (NORA. Hello.) Tj ET"
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
                   b"/Contents %d 0 R >>" % (4 + levels, 5 + levels))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return _raw_pdf(objects)


def content_stream_bomb(megabytes: int) -> bytes:
    """One page whose compressed content stream inflates to ``megabytes`` of text-drawing
    operators (about 1/1000 of that on disk)."""
    import zlib

    line = b"BT /F1 12 Tf 72 720 Td (NORA. Again and again and again.) Tj ET\n"
    block = line * (1024 * 1024 // len(line))
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"])


_DOCX_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.'
              b'openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  '2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def docx_bomb(*, unpacked_mb: int = 0, paragraphs: int = 0, padding_kb: int = 0) -> bytes:
    """A .docx whose document.xml inflates to ``unpacked_mb`` of speeches, or holds
    ``paragraphs`` short ones, with a stored (uncompressed) padding member of ``padding_kb``
    that brings the zip's compression ratio down to an innocent-looking figure."""
    import os
    import zipfile

    speech = b"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>NORA.</w:t></w:r><w:r><w:t> Again.</w:t></w:r></w:p>"
    count = paragraphs or unpacked_mb * 1024 * 1024 // len(speech)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with z.open("word/document.xml", "w", force_zip64=True) as member:  # deflated chunk by chunk
            member.write(_DOCX_HEAD)
            left = count
            while left > 0:
                n = min(left, 4096)
                member.write(speech * n)
                left -= n
            member.write(b"</w:body></w:document>")
        if padding_kb:
            z.writestr(zipfile.ZipInfo("word/media/padding.bin"), os.urandom(padding_kb * 1024),
                       compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def play_html(script: Script) -> str:
    """A play as a web page (for printing to PDF from a browser): bold names, italic directions."""
    from html import escape

    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(script.title)}</title>"
           "<style>body{font-family:serif;font-size:12pt;margin:0 1in} h2{text-align:center}</style></head><body>",
           f"<h1 style='text-align:center'>{escape(script.title)}</h1>"]
    for scene in script.scenes:
        out.append(f"<h2>{escape(scene.title)}</h2>")
        for element in scene.elements:
            if isinstance(element, Direction):
                out.append(f"<p style='margin-left:0.5in'><i>{escape(plain_text(element.text))}</i></p>")
                continue
            body = "".join(f" <i>{escape(_bracketed(t.strip()))}</i> " if style == "direction"
                           else f"<i>{escape(t)}</i>" if style == "emphasis"
                           else f"<b>{escape(t)}</b>" if style == "bold" else escape(t)
                           for t, style in _styled_parts(element))
            out.append(f"<p><b>{escape(_cue(element))}.</b>{body}</p>")
    return "\n".join(out) + "</body></html>"
