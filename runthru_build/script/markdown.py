"""Markdown play scripts -> ``Script``.

markdown-it-py gives the block structure (headings, paragraphs, rules,
HTML blocks) and each block's line map; within a paragraph every source line
may open a new speech, because scripts routinely put one cue per line with
no blank line between them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .cues import Cue, ScriptBuilder, is_cast_list_entry, parse_cue, plain_text
from .model import Script, Source

_MD = MarkdownIt("commonmark")

FRONT_MATTER_HEADINGS = re.compile(
    r"^(cast( of characters| list)?|characters|dramatis personae|persons of the play|"
    r"acknowledge?ments?|thanks|credits|notes?|author'?s notes?|production notes?|"
    r"about( the play)?|copyright|licen[cs]e|table of contents|contents|synopsis|setting)\b",
    re.IGNORECASE,
)
_AUTHOR = re.compile(r"^(?:\*\*|__|\*|_)?\s*(?:written\s+|adapted\s+)?by\s+(?P<who>.+?)\s*(?:\*\*|__|\*|_)?$", re.IGNORECASE)
_BOLD_CUE = re.compile(r"^(\*\*|__)(?P<inner>.+?)\1(?P<after>.*)$")
_PAREN_COLON = re.compile(r"^\s*\((?P<paren>[^()]*)\)\s*[:.]\s*(?P<rest>.*)$")
_COLON_CUE = re.compile(r"^(?P<name>[^:*_\[\]]{1,60}?)\s*:(?:\s+(?P<rest>.*)|$)")
_PERIOD = re.compile(r"\.(?:\s+|$)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WHOLE_DIRECTION = re.compile(r"^(?P<wrap>[*_]{0,2})\s*(?P<open>[(\[])(?P<inner>.*)(?P<close>[)\]])\s*(?P=wrap)$")


@dataclass(frozen=True)
class _CueMatch:
    cue: Cue
    rest: str
    style: str


def parse_markdown(text: str, path: str) -> Script:
    """Parse a markdown play script; ``path`` is how messages name the file."""
    tokens = _MD.parse(text)
    known = _known_names(tokens)
    builder = ScriptBuilder(path)
    script = builder.script
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            inline = tokens[i + 1]
            title = plain_text(inline.content)
            source = Source(path, token.map[0] + 1)
            if not script.title and token.tag == "h1":
                script.title = title
            else:
                builder.heading(title, int(token.tag[1]), source, front_matter=bool(FRONT_MATTER_HEADINGS.match(title)))
            i += 3
            continue
        if token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            _paragraph(builder, token, known)
        elif token.type == "hr":
            builder.end_speech()
        i += 1
    if not script.title:
        script.title = _title_from_path(path)
    return builder.finish()


def _title_from_path(path: str) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ").title()


def _paragraph(builder: ScriptBuilder, token: Token, known: set[str]) -> None:
    content = _HTML_COMMENT.sub("", token.content)
    first_line = token.map[0] + 1
    section = builder.section
    at_top = section.level == 0 and not builder.speech_open() and not builder.has_dialogue
    if at_top and _title_block(builder, content):
        return
    builder.raw(token.content)
    if section.front_matter:
        return
    if _is_wholly_emphasised(token):
        text = " ".join(ln.strip() for ln in content.split("\n")).strip("*_ ")
        builder.direction(_whole_line_direction(text) or text, Source(builder.path, first_line),
                          inline=builder.open_speech_is_empty())
        return
    started_here = False
    for offset, raw_line in enumerate(content.split("\n")):
        line = raw_line.strip()
        if not line:
            continue
        source = Source(builder.path, first_line + offset)
        match = _match_cue(line, known)
        if match is not None:
            if is_cast_list_entry(match.rest):
                builder.end_speech()
                continue
            builder.start_speech(match.cue, source)
            started_here = True
            if match.rest:
                builder.add_text(match.rest, source)
            continue
        direction = _whole_line_direction(line)
        if direction is None and _is_italic_line(line) and not started_here:
            direction = line.strip("*_ ")
        if direction is not None:
            builder.direction(direction, source, inline=started_here or builder.open_speech_is_empty())
            continue
        builder.add_text(line, source)


def _title_block(builder: ScriptBuilder, content: str) -> bool:
    """Author and subtitle lines right under the title."""
    script = builder.script
    lines = [ln.strip() for ln in content.split("\n") if ln.strip()]
    if len(lines) != 1:
        return False
    author = _AUTHOR.match(lines[0])
    if author and script.author is None:
        script.author = plain_text(author.group("who"))
        return True
    if (
        script.title and script.subtitle is None and script.author is None
        and not builder.section.raw and len(lines[0].split()) <= 12
        and _match_cue(lines[0], set()) is None and _whole_line_direction(lines[0]) is None
    ):
        script.subtitle = plain_text(lines[0])
        return True
    return False


def _is_wholly_emphasised(token: Token) -> bool:
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) < 3 or children[0].type != "em_open" or children[-1].type != "em_close":
        return False
    depth = 0
    for child in children[:-1]:
        depth += {"em_open": 1, "em_close": -1}.get(child.type, 0)
        if depth == 0:
            return False
    return True


def _is_italic_line(line: str) -> bool:
    return len(line) > 2 and line[0] in "*_" and line[-1] == line[0] and line[1] not in "*_ " and line[-2] != " "


def _whole_line_direction(line: str) -> str | None:
    m = _WHOLE_DIRECTION.match(line)
    if not m or {m.group("open"), m.group("close")} not in ({"(", ")"}, {"[", "]"}):
        return None
    inner = m.group("inner")
    # "(a) and (b)" is two directions with speech between, not one.
    if inner.count("(") != inner.count(")") or inner.count("[") != inner.count("]"):
        return None
    return inner.strip()


def _match_cue(line: str, known: set[str]) -> _CueMatch | None:
    bold = _BOLD_CUE.match(line)
    if bold:
        inner, after = bold.group("inner").strip(), bold.group("after")
        if inner[-1:] in ":." and not after.startswith(("*", "_")):
            cue = parse_cue(inner[:-1], caps=False)
            if cue:
                return _CueMatch(cue, after.strip(), "bold")
        m = _PAREN_COLON.match(after)
        if after.lstrip().startswith(":") or m:
            cue = parse_cue(inner + (f" ({m.group('paren')})" if m else ""), caps=False)
            if cue:
                rest = m.group("rest") if m else after.lstrip()[1:]
                return _CueMatch(cue, rest.strip(), "bold")
        cue = parse_cue(inner)
        if cue and (not after.strip() or is_cast_list_entry(after) or _all_known(cue, known)):
            return _CueMatch(cue, after.strip(), "bold-alone")
        return None
    colon = _COLON_CUE.match(line)
    if colon:
        cue = parse_cue(colon.group("name"))
        if cue:
            return _CueMatch(cue, (colon.group("rest") or "").strip(), "colon")
    cue = parse_cue(line)
    if cue and _all_known(cue, known):
        return _CueMatch(cue, "", "alone")
    best: _CueMatch | None = None
    for period in _PERIOD.finditer(line[:64]):
        cue = parse_cue(line[: period.start()])
        if cue and _all_known(cue, known):
            best = _CueMatch(cue, line[period.end():].strip(), "period")
    return best


def _all_known(cue: Cue, known: set[str]) -> bool:
    return cue.is_group_all or cue.is_both or all(n in known for n in cue.names) or cue.text in known


def _known_names(tokens: list[Token]) -> set[str]:
    """Names a bold or colon cue declares, plus names that open a line (alone or
    with a period) at least twice: ``STOP. Don't move.`` once is not a cue."""
    strong: set[str] = set()
    weak: Counter[str] = Counter()
    for token in tokens:
        if token.type != "inline":
            continue
        for raw in token.content.split("\n"):
            line = raw.strip()
            match = _match_cue(line, set())
            if match is not None:
                strong.update(match.cue.names)
                continue
            candidates = [parse_cue(line[: p.start()]) for p in _PERIOD.finditer(line[:64])]
            candidates.append(parse_cue(line))
            for cue in candidates:
                if cue:
                    weak.update(set(cue.names) | {cue.text})
    return strong | {name for name, count in weak.items() if count >= 2}
