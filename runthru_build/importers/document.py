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
    "cue", "paren", "dialogue", "transition", "centered", "unplaced",
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
    author (on the same line or the next), everything else is front matter."""
    paras: list[Para] = []
    texts = [t.strip() for t in texts if t.strip()]
    i = 0
    while i < len(texts):
        text = texts[i]
        m = _BY.match(text)
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
