"""Word (.docx) -> paragraphs, from paragraph styles, bold and italic runs and alignment.

Screenplay templates name their styles after the elements (Scene Heading,
Action, Character, Parenthetical, Dialogue, Transition); plays use headings,
bold character names and italic directions.

The XML is read here, not through python-docx: every byte unpacked is counted
as it is inflated (``MAX_UNPACKED``, whatever the zip declares), paragraphs are
counted (``Limits.paragraphs``), DOCTYPEs are refused and entities never expanded,
and each paragraph's style is one lookup in a table built once from styles.xml
(python-docx walked the style tree for each paragraph, ~1.3 ms apiece).
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
    clean_text,
    emphasis_markdown,
    is_cue_shape,
    leading_name,
    speech_markdown,
    title_page_paras,
)

MAX_UNPACKED = 64 * 1024 * 1024
"""Real bytes unpacked from a .docx (document.xml and styles.xml together), counted as they
are read, whatever the zip declares: a 300-page play's document.xml is a few megabytes."""

_SCREENPLAY_STYLES = {
    "scene heading": "scene_heading", "slugline": "scene_heading", "action": "action", "general": "action",
    "shot": "action", "character": "cue", "parenthetical": "paren", "dialogue": "dialogue", "lyrics": "dialogue",
    "transition": "transition", "cast list": "front",
}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_OFF = ("0", "false", "off", "none")


def check_zip(data: bytes, shown: str, needs: str) -> zipfile.ZipFile:
    """Open a zip that holds ``needs``; what it unpacks to is bounded as it is read (``unpack``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableInput(f"is a corrupt or truncated zip ({exc})", path=shown) from None
    declared = sum(m.file_size for m in members)
    if declared > 64 * MAX_UNPACKED or len(members) > 10_000:
        raise UnreadableInput(f"refused: declares {declared // 1024 // 1024} MB in {len(members)} files "
                              f"from {len(data) // 1024} KB (a zip bomb?)", path=shown)
    if needs not in {m.filename for m in members}:
        raise UnreadableInput(f"is a zip archive but not a Word document (no {needs})", path=shown)
    return archive


def unpack(archive: zipfile.ZipFile, name: str, budget: list[int], shown: str) -> bytes:
    """One member's bytes, counted as they are inflated: past the budget, refused in one line
    (a stored padding member cannot hide a 190 MB document.xml behind a low ratio)."""
    chunks = []
    try:
        with archive.open(name) as member:
            while chunk := member.read(1 << 20):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise UnreadableInput(f"refused: {name} unpacks to more than {MAX_UNPACKED // 1024 // 1024} MB "
                                          "(a zip bomb?)", path=shown)
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnreadableInput(f"is a corrupt Word document ({name}: {exc})", path=shown) from None
    return b"".join(chunks)


def _xml_events(xml: bytes, name: str, shown: str, tag: str):
    from lxml import etree

    prolog = xml[: xml.find(b"<w:") if b"<w:" in xml[:65536] else 65536]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise UnreadableInput(f"refused: {name} declares a DOCTYPE or entities (Word never writes one)", path=shown)
    return etree.iterparse(io.BytesIO(xml), events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False, remove_comments=True)


class _Styles:
    """styles.xml read once: each style's name, bold and italic with its ``basedOn`` chain
    resolved once and cached, so a paragraph's style costs one dictionary lookup."""

    def __init__(self, xml: bytes | None, shown: str) -> None:
        self.raw: dict[str, tuple[str, bool | None, bool | None, str | None]] = {}
        self.default = ""
        self.cache: dict[str, tuple[str, bool, bool]] = {}
        if xml is None:
            return
        from lxml import etree

        try:
            for _, style in _xml_events(xml, "word/styles.xml", shown, f"{_W}style"):
                sid = style.get(f"{_W}styleId") or ""
                name = style.find(f"{_W}name")
                based = style.find(f"{_W}basedOn")
                rpr = style.find(f"{_W}rPr")
                self.raw[sid] = ((name.get(f"{_W}val") if name is not None else sid) or sid,
                                 _flag(rpr, "b"), _flag(rpr, "i"),
                                 based.get(f"{_W}val") if based is not None else None)
                if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                    self.default = sid
                style.clear()
        except etree.XMLSyntaxError as exc:
            raise UnreadableInput(f"is a damaged Word document (word/styles.xml: {exc})", path=shown) from None

    def get(self, sid: str | None) -> tuple[str, bool, bool]:
        sid = sid or self.default
        found = self.cache.get(sid)
        if found is None:
            name, bold, italic, seen, at = None, None, None, set(), sid
            while at in self.raw and at not in seen and len(seen) < 20:
                seen.add(at)
                own_name, own_bold, own_italic, based = self.raw[at]
                name = own_name if name is None else name
                bold = own_bold if bold is None else bold
                italic = own_italic if italic is None else italic
                at = based
            found = self.cache[sid] = ((name or "").strip().lower(), bool(bold), bool(italic))
        return found


_TAG = {name: f"{_W}{name}" for name in ("b", "i", "u", "t", "r", "rPr", "rStyle", "pPr", "pStyle", "jc", "tab",
                                         "ptab", "br", "cr", "noBreakHyphen", "val")}
_BREAKS = {_TAG["tab"]: "\t", _TAG["ptab"]: "\t", _TAG["br"]: "\n", _TAG["cr"]: "\n", _TAG["noBreakHyphen"]: "-"}


def _flag(rpr, tag: str) -> bool | None:
    if rpr is None:
        return None
    el = rpr.find(_TAG[tag])
    if el is None:
        return None
    return (el.get(_TAG["val"]) or "true").lower() not in _OFF


def read_docx(data: bytes, shown: str, *, max_paragraphs: int = 60_000, max_chars: int = 4_000_000) -> Imported:
    from lxml import etree

    archive = check_zip(data, shown, "word/document.xml")
    budget = [MAX_UNPACKED]
    names = {m.filename for m in archive.infolist()}
    styles = _Styles(unpack(archive, "word/styles.xml", budget, shown) if "word/styles.xml" in names else None,
                     shown)
    xml = unpack(archive, "word/document.xml", budget, shown)
    if xml.count(b"<w:p>") + xml.count(b"<w:p ") > max_paragraphs:  # counted before any is parsed
        raise UnreadableInput(f"refused: more than {max_paragraphs:,} paragraphs (a Word bomb?); split the document",
                              path=shown)
    items = []
    count = chars = 0
    try:
        for _, p in _xml_events(xml, "word/document.xml", shown, f"{_W}p"):
            count += 1
            if count > max_paragraphs:
                raise UnreadableInput(f"refused: more than {max_paragraphs:,} paragraphs (a Word bomb?); "
                                      "split the document", path=shown)
            if not _in_fallback(p):
                item = _paragraph(p, count, styles)
                if item is not None:
                    items.append(item)
                    chars += len(item[2])
                    if chars > max_chars:
                        raise UnreadableInput(f"refused: more than {max_chars:,} characters of text by paragraph "
                                              f"{count:,} (a Word bomb?)", path=shown)
            p.clear()  # a text box's paragraphs are read on their own, not again in the one holding them
            parent = p.getparent()
            if parent is not None and parent.tag == f"{_W}body":
                while p.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise UnreadableInput(f"is a damaged Word document (word/document.xml: {exc})", path=shown) from None
    del xml
    if not items:
        raise UnreadableInput("has no text to import", path=shown)
    screenplay = sum(1 for _, s, *_ in items if s == "character") >= 1
    paras = _screenplay(items) if screenplay else _play(items)
    return Imported(paras, screenplay=screenplay, source_kind="Word")


def _in_fallback(p) -> bool:
    """Word writes a text box twice (``mc:Choice`` and an ``mc:Fallback`` copy): read it once."""
    node = p.getparent()
    for _ in range(12):
        if node is None:
            return False
        if node.tag == _FALLBACK:
            return True
        node = node.getparent()
    return False


def _paragraph(p, n: int, styles: _Styles):
    """(place, style name, text, spans, centred) of one ``w:p``, or None if it holds no text."""
    ppr = p.find(_TAG["pPr"])
    pstyle = ppr.find(_TAG["pStyle"]) if ppr is not None else None
    style_name, style_bold, style_italic = styles.get(pstyle.get(_TAG["val"]) if pstyle is not None else None)
    jc = ppr.find(_TAG["jc"]) if ppr is not None else None
    centred = jc is not None and jc.get(_TAG["val"]) == "center"
    spans: list[Span] = []
    for r in p.iter(_TAG["r"]):
        text = ""
        for child in r:
            tag = child.tag
            if tag == _TAG["t"]:
                text += child.text or ""
            elif tag in _BREAKS:
                text += _BREAKS[tag]
        if not text:
            continue
        rpr = r.find(_TAG["rPr"])
        bold = italic = underline = None
        if rpr is not None:
            rstyle = rpr.find(_TAG["rStyle"])
            _, char_bold, char_italic = styles.get(rstyle.get(_TAG["val"])) if rstyle is not None else ("", None, None)
            bold, italic, underline = _flag(rpr, "b"), _flag(rpr, "i"), _flag(rpr, "u")
            bold = bold if bold is not None else char_bold
            italic = italic if italic is not None else char_italic
        bold = bold if bold is not None else style_bold
        italic = italic if italic is not None else style_italic
        spans.append((clean_text(text), bool(bold), bool(italic or underline)))
    text = "".join(t for t, _, _ in spans).strip()
    if not text:
        return None
    return (f"paragraph {n}", style_name, text, spans, centred)


def _screenplay(items: list) -> list[Para]:
    paras: list[Para] = []
    for where, style, text, spans, centred in items:
        kind = _SCREENPLAY_STYLES.get(style)
        if kind is None:
            kind = "title" if style == "title" else "centered" if centred else "unplaced"
        paras.append(Para(kind, emphasis_markdown(spans) if kind == "dialogue" else text, where))
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
        elif centred and is_cue_shape(text) and len(text) < 40 and i + 1 < len(items) and not items[i + 1][4]:
            in_speech = True
            paras.append(Para("cue", text, where))
        elif all(italic for t, _, italic in spans if t.strip()) or is_end_mark(text):
            paras.append(Para("direction", text, where))
        elif in_speech:
            paras.append(Para("dialogue", speech_markdown(spans), where))
        else:
            paras.append(Para("unplaced", text, where))
    return paras
