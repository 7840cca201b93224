"""What every importer produces: typed paragraphs in reading order, each with its source place.

The PDF, Word and Final Draft readers differ in how they learn what a paragraph
is (x positions and fonts, paragraph styles, XML types); from here on they are
the same, and ``writer`` turns them into an editable markdown play or Fountain
screenplay that the ordinary parsers read back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "title", "author", "front", "act", "scene", "scene_heading", "action", "direction",
    "cue", "paren", "dialogue", "transition", "centered", "unplaced", "back",
]


@dataclass
class Para:
    """One paragraph. ``text`` is plain text, except ``dialogue`` in a play, where
    inline stage directions are already marked as ``*(…)*`` or ``[…]``."""

    kind: Kind
    text: str
    where: str
    """Place in the source, for messages: ``page 3 line 12``, ``paragraph 40``."""
    dual: bool = False


@dataclass
class Imported:
    """One source document read into paragraphs."""

    paras: list[Para]
    screenplay: bool
    source_kind: str
    """``PDF``, ``Word``, ``Final Draft``, ``text``: for the report."""
    notes: list[str] = field(default_factory=list)
    """What the reader removed or repaired (page furniture, hyphens, rejoined speeches)."""

    @property
    def unplaced(self) -> list[Para]:
        return [p for p in self.paras if p.kind == "unplaced"]


_BY = re.compile(r"^(?:written\s+|adapted\s+)?by\b[\s:]*(?P<who>.*)$", re.IGNORECASE)


def title_page_paras(texts: list[str], where: str) -> list[Para]:
    """The lines before a script's first scene: the first is the title, ``by …`` names the
    author (on the same line or the next), a bracketed stage direction (it may wrap over
    several lines) stays a direction, everything else is front matter."""
    paras: list[Para] = []
    texts = [t.strip() for t in texts if t.strip()]
    i = 0
    while i < len(texts):
        text = texts[i]
        m = _BY.match(text)
        if paras and text.startswith(("[", "(")):
            close = "]" if text.startswith("[") else ")"
            end = next((j for j in range(i, min(i + 8, len(texts))) if texts[j].rstrip(".").endswith(close)), None)
            if end is not None:
                paras.append(Para("direction", " ".join(texts[i:end + 1]), where))
                i = end + 1
                continue
        if not paras:
            paras.append(Para("title", text, where))
        elif m and not any(p.kind == "author" for p in paras):
            who = m.group("who") or (texts[i + 1] if i + 1 < len(texts) else "")
            i += 0 if m.group("who") else 1
            if who:
                paras.append(Para("author", who, where))
        else:
            paras.append(Para("front", text, where))
        i += 1
    return paras


Span = tuple[str, bool, bool]
"""(text, bold, italic): a run of text as the source styled it."""

_NAME_END = re.compile(r"(?<=[A-Z0-9])[.:]\s+(?=\S)")
ACT_HEADING = re.compile(r"^(?:ACTE?\b|(?:THE\s+)?(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|LAST)\s+ACT\b|PROLOGUE|EPILOGUE)",
                         re.IGNORECASE)
_MARKDOWN_MARK = re.compile(r"([\\*_`])")
STRUCTURE_WORDS = re.compile(r"^(?:ACTE?|SCENE|SC[EÈ]NE|PROLOGUE|EPILOGUE)\b", re.IGNORECASE)


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def leading_name(spans: list[Span]) -> tuple[str, bool] | None:
    """A character name opening a paragraph: bold text before regular text (``**Nora.** Yes``),
    or capitals ending in ``.``/``:`` (``NORA. Yes``). Returns the name and whether it was bold."""
    bold = ""
    for text, is_bold, _ in spans:
        if not is_bold:
            break
        bold += text
    bold = bold.strip()
    whole = "".join(t for t, _, _ in spans).strip()
    all_bold = bold == whole
    if bold and len(bold) < 40 and (not all_bold or bold[-1:] in ".:"):
        name = bold.rstrip(".:").strip()
        if name and not STRUCTURE_WORDS.match(name):
            return name, True
    split = _caps_name_end(whole)
    if split and not STRUCTURE_WORDS.match(whole[:split[0]]):
        return whole[:split[0]].strip(), False
    return None


def _caps_name_end(text: str) -> tuple[int, int] | None:
    """Where a leading capitals name ends (``MRS. CHEVELEY. Text`` -> after CHEVELEY) and its
    text begins: the longest all-capitals prefix that ends in ``.`` or ``:``."""
    best = None
    for m in _NAME_END.finditer(text, 0, 42):
        name = text[: m.start()]
        if not (name[:1].isalpha() and name[:1].isupper() and is_caps(name)):
            break
        best = (m.start(), m.end())
    return best


def after_name(spans: list[Span]) -> list[Span]:
    """The spans of a paragraph after its leading name."""
    if spans and spans[0][1]:
        rest = list(spans)
        while rest and rest[0][1]:
            rest.pop(0)
        return rest
    whole = "".join(t for t, _, _ in spans)
    split = _caps_name_end(whole.strip())
    if not split:
        return list(spans)
    skip = len(whole) - len(whole.lstrip()) + split[1]
    rest: list[Span] = []
    for text, bold, italic in spans:
        cut = min(skip, len(text))
        skip -= cut
        if text[cut:]:
            rest.append((text[cut:], bold, italic))
    return rest


def speech_markdown(spans: list[Span]) -> str:
    """Spoken text with its italic runs marked as inline directions ``*(…)*``."""
    out = ""
    in_italic = False
    for text, _bold, italic in spans:
        if italic and text.strip():
            if not in_italic:
                out += (" " if (out and not out.endswith(" ")) or text.startswith(" ") else "") + "*("
                text = text.lstrip()
                in_italic = True
        elif in_italic:
            out = out.rstrip() + ")* "
            in_italic = False
        out += _MARKDOWN_MARK.sub(r"\\\1", text)
    if in_italic:
        out = out.rstrip() + ")*"
    out = re.sub(r"\*\(\s*[(\[]", "*(", re.sub(r"[)\]]\s*\)\*", ")*", out))
    return re.sub(r"[ \t]+", " ", out).strip()
