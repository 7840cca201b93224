"""Source text -> paragraphs of lines, keeping each line's number and indent.

Plays arrive as markdown or as plain text (Project Gutenberg, text exported
from a word processor), and a markdown play is often plain text with a few
marks.  So both are read line by line, not through a markdown block parser: an
indented speech must stay a speech, not become a code block.  Markdown adds
headings (``#``), rules, HTML comments, ``<br>`` line prefixes and tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_BULLET = re.compile(r"^[-*+]\s+(?=\S)")  # a list item's mark: never emphasis, which has no space after it
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# A brace drawn down the right of lines said (or listed) together: "ROPER.    } [_To LILY._]"
_BRACE_COLUMN = re.compile(r"(?<=\S)\s+\}(?=\s|$)")
_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|^End of (?:the )?Project Gutenberg", re.IGNORECASE)


@dataclass(frozen=True)
class SourceLine:
    number: int
    indent: int
    text: str  # stripped of surrounding space and markdown line prefixes


@dataclass
class Block:
    """A paragraph, heading or rule.  Its lines are complete once ``read_document`` returns
    it; ``indent`` and ``text``, asked for again and again by the census and the parse, are
    worked out once then (kept in plain fields: functools.cached_property takes a lock on
    each first use, which cost more than the join)."""

    kind: Literal["paragraph", "heading", "rule"]
    lines: list[SourceLine] = field(default_factory=list)
    level: int = 0
    _indent: int | None = field(default=None, init=False, repr=False, compare=False)
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def first(self) -> SourceLine:
        return self.lines[0]

    @property
    def indent(self) -> int:
        if self._indent is None:
            self._indent = min(line.indent for line in self.lines)
        return self._indent

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = " ".join([line.text for line in self.lines])
        return self._text


@dataclass
class Document:
    blocks: list[Block]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(line, text) of wrapper text outside the play itself: a Gutenberg header or licence."""
    metadata: dict[str, str] = field(default_factory=dict)
    """``title``, ``author``… from a markdown file's front matter (``---`` / ``key: value`` / ``---``)."""


def _blank_out(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def _indent_of(raw: str) -> int:
    margin = raw[: len(raw) - len(raw.lstrip(" \t"))]
    if "\t" not in margin:
        return len(margin)  # spaces only, as nearly every line: no loop over them
    width = 0
    for ch in margin:
        width += 4 - width % 4 if ch == "\t" else 1
    return width


def read_document(text: str, *, markdown: bool) -> Document:
    """Split ``text`` into paragraphs, headings and rules."""
    if markdown:
        text = _HTML_COMMENT.sub(_blank_out, text)
    raw_lines = text.split("\n")
    start, end, skipped = _gutenberg_bounds(raw_lines)
    metadata: dict[str, str] = {}
    if markdown and start == 0:
        start, metadata = _front_matter(raw_lines)
        skipped = [(i + 1, raw_lines[i]) for i in range(start) if raw_lines[i].strip()]
    blocks: list[Block] = []
    paragraph: Block | None = None
    for index in range(start, end):
        raw = raw_lines[index].rstrip()
        number = index + 1
        if markdown and "<" in raw:  # a line break or a tag (most lines hold neither)
            raw = _BR.sub(" ", raw) if not _BR.match(raw.lstrip()) else _BR.sub("", raw, count=1)
            if raw.lstrip().startswith("<") and raw.rstrip().endswith(">"):
                raw = _TAG.sub("", raw)  # an HTML block line: its text, never its tags
        if "}" in raw and "{" not in raw:
            raw = _BRACE_COLUMN.sub("", raw)  # "JIMMIE.        }" / "Buck up, Lil!  }": said at once
        stripped = raw.strip()
        if not stripped:
            paragraph = None
            continue
        if markdown and stripped[0] in "#-*_":  # what opens a heading or a rule
            heading = _ATX.match(stripped)
            if heading and _indent_of(raw) < 4:
                blocks.append(Block("heading", [SourceLine(number, 0, heading.group(2))], level=len(heading.group(1))))
                paragraph = None
                continue
            if _RULE.match(stripped) and _indent_of(raw) < 4:
                blocks.append(Block("rule", [SourceLine(number, 0, stripped)]))
                paragraph = None
                continue
        if markdown and stripped[0] in "-*+":
            stripped = _BULLET.sub("", stripped)  # "- WERLE, a merchant", "* Pettersen: Good Lord"
        if paragraph is None:
            paragraph = Block("paragraph")
            blocks.append(paragraph)
        paragraph.lines.append(SourceLine(number, _indent_of(raw), stripped))
    return Document(blocks, skipped, metadata)


_FRONT_MATTER_KEY = re.compile(r"^(?P<key>[a-z_][a-z0-9_-]*):(?:\s+(?P<value>.*?))?\s*$")  # lower case: not "A: Hi"
_FRONT_MATTER_KNOWN = frozenset({"title", "author", "layout", "date", "tags", "description", "subtitle", "lang", "source"})


def _front_matter(lines: list[str]) -> tuple[int, dict[str, str]]:
    """A leading ``---`` block of ``key: value`` lines (Jekyll, Hugo, Pandoc): the line
    after it and its plain values (a ``>`` or ``|`` value continues on indented lines)."""
    first = next((i for i, line in enumerate(lines[:5]) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return 0, {}
    close = next((i for i in range(first + 1, min(len(lines), first + 60)) if lines[i].strip() in ("---", "...")), None)
    if close is None or not _FRONT_MATTER_KEY.match(lines[first + 1].strip()):
        return 0, {}
    values: dict[str, str] = {}
    key = None
    for line in lines[first + 1:close]:
        m = _FRONT_MATTER_KEY.match(line.strip()) if not line[:1].isspace() else None
        if m:
            key = m.group("key")
            values[key] = (m.group("value") or "").strip()
        elif key is not None and line.strip():
            values[key] = f"{values[key]} {line.strip()}".strip()
        elif line.strip():
            return 0, {}
    if not _FRONT_MATTER_KNOWN.intersection(values):
        return 0, {}
    return close + 1, {k: v.lstrip(">|").strip().strip("\"'") for k, v in values.items() if v.lstrip(">|").strip()}


def _gutenberg_bounds(lines: list[str]) -> tuple[int, int, list[tuple[int, str]]]:
    """The play inside a Project Gutenberg file: between its START and END markers."""
    start, end = 0, len(lines)
    for i, line in enumerate(lines[:400]):
        if _GUTENBERG_START.match(line.strip()):
            start = i + 1
            break
    if start:
        for i in range(start, len(lines)):
            if _GUTENBERG_END.match(lines[i].strip()):
                end = i
                break
    skipped = [(i + 1, lines[i]) for i in [*range(0, start), *range(end, len(lines))] if lines[i].strip()]
    return start, end, skipped
