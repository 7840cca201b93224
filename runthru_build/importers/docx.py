"""Word (.docx) -> paragraphs, from paragraph styles, bold and italic runs and alignment.

Screenplay templates name their styles after the elements (Scene Heading,
Action, Character, Parenthetical, Dialogue, Transition); plays use headings,
bold character names and italic directions. The zip is checked for bombs
before python-docx opens it.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter

from ..errors import UnreadableInput
from ..script.census import is_cast_heading
from ..script.play import is_end_mark, is_structure_line
from .document import (
    ACT_HEADING,
    STRUCTURE_WORDS,
    Imported,
    Para,
    Span,
    after_name,
    is_caps,
    leading_name,
    speech_markdown,
    title_page_paras,
)

MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 200

_SCREENPLAY_STYLES = {
    "scene heading": "scene_heading", "slugline": "scene_heading", "action": "action", "general": "action",
    "shot": "action", "character": "cue", "parenthetical": "paren", "dialogue": "dialogue", "lyrics": "dialogue",
    "transition": "transition", "cast list": "front",
}


def check_zip(data: bytes, shown: str, needs: str) -> zipfile.ZipFile:
    """Open a zip only if it unpacks to a sane size (no zip bomb) and holds ``needs``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableInput(f"is a corrupt or truncated zip ({exc})", path=shown) from None
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if total > MAX_UNZIPPED or total / packed > MAX_RATIO:
        raise UnreadableInput(f"refused: unpacks to {total // 1024 // 1024} MB from {len(data) // 1024} KB "
                              "(a zip bomb?)", path=shown)
    if needs not in {m.filename for m in members}:
        raise UnreadableInput(f"is a zip archive but not a Word document (no {needs})", path=shown)
    return archive


def read_docx(data: bytes, shown: str) -> Imported:
    check_zip(data, shown, "word/document.xml")
    import docx
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds (KeyError, XMLSyntaxError, ValueError)
        raise UnreadableInput(f"is a damaged Word document ({type(exc).__name__}: {exc})", path=shown) from None
    items = []
    for n, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.strip()
        if not text:
            continue
        style = paragraph.style
        style_name = (style.name or "").strip().lower() if style is not None else ""
        style_bold = bool(style is not None and style.font.bold)
        style_italic = bool(style is not None and style.font.italic)
        spans: list[Span] = [
            (r.text, r.bold if r.bold is not None else style_bold, r.italic if r.italic is not None else style_italic)
            for r in paragraph.runs if r.text
        ]
        centred = _centred(paragraph)
        items.append((f"paragraph {n}", style_name, text, spans, centred))
    if not items:
        raise UnreadableInput("has no text to import", path=shown)
    screenplay = sum(1 for _, s, *_ in items if s == "character") >= 1
    paras = _screenplay(items) if screenplay else _play(items)
    return Imported(paras, screenplay=screenplay, source_kind="Word")


def _centred(paragraph) -> bool:
    """Read from the XML: python-docx's ``alignment`` raises on values newer writers use
    (LibreOffice writes ``start`` and ``end``, ISO 29500's names for left and right)."""
    from docx.oxml.ns import qn

    properties = paragraph._p.pPr
    justification = properties.jc if properties is not None else None
    return justification is not None and justification.get(qn("w:val")) == "center"


def _screenplay(items: list) -> list[Para]:
    paras: list[Para] = []
    for where, style, text, _spans, centred in items:
        kind = _SCREENPLAY_STYLES.get(style)
        if kind is None:
            kind = "title" if style == "title" else "centered" if centred else "unplaced"
        paras.append(Para(kind, text, where))
    return paras


def _play(items: list) -> list[Para]:
    names = Counter(found[0] for *_, spans, _ in items if (found := leading_name(spans)))
    heading_at = [i for i, (_, style, text, _s, centred) in enumerate(items)
                  if ((style.startswith("heading") and i > 0) or (centred and is_structure_line(text)))
                  and not is_cast_heading(text)]
    first_body = next((i for i in heading_at if STRUCTURE_WORDS.match(items[i][2]) or ACT_HEADING.match(items[i][2])),
                      heading_at[0] if heading_at else None)
    if first_body is None:  # a one-act play: the body begins at its first cue
        first_body = next((i for i, item in enumerate(items) if (found := leading_name(item[3]))
                           and (found[1] or names[found[0]] >= 2)), 0)
    front = [text for _, style, text, *_ in items[:first_body]]
    paras = title_page_paras(front, "paragraph 1")
    if items[:first_body] and items[0][1] == "title":
        paras[0].kind = "title"
    in_speech = False
    for i in range(first_body, len(items)):
        where, style, text, spans, centred = items[i]
        found = leading_name(spans)
        if i in heading_at or (style.startswith("heading") and not found):
            in_speech = False
            paras.append(Para("act" if ACT_HEADING.match(text) else "scene", text, where))
        elif found and (found[1] or names[found[0]] >= 2):
            in_speech = True
            paras.append(Para("cue", found[0], where))
            rest = speech_markdown(after_name(spans))
            if rest:
                paras.append(Para("dialogue", rest, where))
        elif centred and is_caps(text) and len(text) < 40 and i + 1 < len(items) and not items[i + 1][4]:
            in_speech = True
            paras.append(Para("cue", text, where))
        elif all(italic for t, _, italic in spans if t.strip()) or is_end_mark(text):
            paras.append(Para("direction", text, where))
        elif in_speech:
            paras.append(Para("dialogue", speech_markdown(spans), where))
        else:
            paras.append(Para("unplaced", text, where))
    return paras
