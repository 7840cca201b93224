"""Fountain screenplays (``.fountain``, ``.spmd``) -> ``Script``.

Follows the Fountain syntax (fountain.io): a title page of ``Key: value``
pairs; scene headings (INT./EXT./EST./INT./EXT./I/E, or forced with ``.``,
scene numbers ``#1#`` dropped); sections (``#``, ``##``) as acts; character
cues in capitals before dialogue, with extensions such as ``(V.O.)`` and
``(CONT'D)`` (the same character), forced with ``@``, dual dialogue ``^``;
parentheticals as delivery; dialogue kept going across a line of two spaces;
transitions (``CUT TO:``, forced ``>``), centred text ``>…<``, lyrics ``~``,
and action as stage directions.  Notes ``[[…]]`` and boneyard ``/* … */`` are
never spoken; synopses (``=``) and page breaks (``===``) are ignored.
"""

from __future__ import annotations

import re

from .cues import Cue, ScriptBuilder, name_key, normalize_name, parse_cue, plain_text
from .model import Script, Source

_SCENE_HEADING = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|I/E)[. ]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#[\w.\-]+#\s*$")
_TRANSITION = re.compile(r"^[A-Z0-9 .'’\-]+TO:$")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*(.*)$")
_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_PAGE_BREAK = re.compile(r"^={3,}\s*$")
_UNDERLINE = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")


def _blank_out(match: re.Match[str]) -> str:
    """Remove a note or boneyard but keep its line breaks, so line numbers hold."""
    return "\n" * match.group(0).count("\n")


def _strip_hidden(text: str) -> str:
    return _NOTE.sub(_blank_out, _BONEYARD.sub(_blank_out, text))


def _title_page(lines: list[str], builder: ScriptBuilder) -> int:
    """Read ``Key: value`` pairs at the top; returns the index of the first body line."""
    if not lines or not _TITLE_KEY.match(lines[0]):
        return 0
    values: dict[str, list[str]] = {}
    key = None
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    for line in lines[:end]:
        m = _TITLE_KEY.match(line)
        if m and not line.startswith((" ", "\t")):
            key = m.group(1).strip().lower()
            values[key] = [m.group(2).strip()] if m.group(2).strip() else []
        elif key is not None:
            values[key].append(line.strip())
    script = builder.script
    joined = {k: " ".join(v for v in vs if v) for k, vs in values.items()}
    if joined.get("title"):
        script.title = plain_text(joined["title"])
    author = joined.get("author") or joined.get("authors")
    if author:
        script.author = plain_text(author)
    for k, v in joined.items():
        if k not in ("title", "author", "authors") and v:
            script.front_matter.append(f"{k.title()}: {v}")
    return end


def _is_cue(line: str) -> str | None:
    """The cue text of a character line (``@`` forced, ``^`` dual), else None."""
    text = line.strip()
    if text.endswith("^"):
        text = text[:-1].rstrip()
    if text.startswith("@"):
        return text[1:].strip() or None
    name = re.sub(r"\([^)]*\)", "", text).strip()
    if not name or not any(c.isalpha() for c in name) or name != name.upper():
        return None
    if _SCENE_HEADING.match(text) or _TRANSITION.match(text) or text.startswith(("!", ">", "~", ".", "#", "=")):
        return None
    return text


def _markdown(text: str) -> str:
    """Fountain emphasis to the markdown the model keeps (``_underline_`` reads as emphasis)."""
    return _UNDERLINE.sub(r"*\1*", text)


def parse_fountain(text: str, path: str) -> Script:
    """Two passes: the first learns who speaks on their own, so that a cue such as
    ``PATRONS THREE AND FOUR`` is one speaker unless each part also speaks alone."""
    first = _parse(text, path, solo=None)
    solo = {name_key(line.speakers[0]) for line in first.lines() if len(line.speakers) == 1}
    return _parse(text, path, solo=solo)


def _parse(text: str, path: str, *, solo: set[str] | None) -> Script:
    builder = ScriptBuilder(path)
    lines = _strip_hidden(text).split("\n")
    start = _title_page(lines, builder)
    n = len(lines)
    i = start
    while i < n:
        raw = lines[i]
        line = raw.strip()
        number = i + 1
        source = Source(path, number)
        prev_blank = i == start or not lines[i - 1].strip()
        next_line = lines[i + 1] if i + 1 < n else ""
        if not line or line.startswith("=") or _PAGE_BREAK.match(line):
            builder.end_speech()
            i += 1
            continue
        if line.startswith("#"):
            depth = len(line) - len(line.lstrip("#"))
            builder.heading(plain_text(line.lstrip("#").strip()), depth, source)
            i += 1
            continue
        if prev_blank and (_SCENE_HEADING.match(line) or (line.startswith(".") and not line.startswith(".."))):
            title = _SCENE_NUMBER.sub("", line[1:] if line.startswith(".") else line).strip()
            builder.heading(plain_text(title), 10, source)
            i += 1
            continue
        if line.startswith(">") and line.endswith("<"):
            builder.direction(plain_text(line[1:-1].strip()), source)
            i += 1
            continue
        if line.startswith(">") or (prev_blank and not next_line.strip() and _TRANSITION.match(line)):
            builder.direction(plain_text(line.lstrip(">").strip()), source)
            i += 1
            continue
        cue_text = _is_cue(line) if prev_blank and next_line.strip() and not line.startswith("!") else None
        cue = parse_cue(cue_text, caps=False, solo=solo) if cue_text else None
        if cue is None and cue_text and line.startswith("@"):
            cue = Cue(text=cue_text, names=(normalize_name(re.sub(r"\([^)]*\)", "", cue_text)),))  # forced: any name
        if cue is not None:
            builder.start_speech(cue, source)
            i = _dialogue(builder, lines, i + 1, path)
            continue
        if line.startswith("~"):
            builder.direction(plain_text(line[1:].strip()), source)
            i += 1
            continue
        # action: a paragraph of lines until a blank one
        paragraph = [line.lstrip("!")]
        j = i + 1
        while j < n and lines[j].strip():
            paragraph.append(lines[j].strip())
            j += 1
        builder.direction(plain_text(_markdown(" ".join(paragraph))), source)
        i = j
    if not builder.script.title:
        builder.script.title = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").title()
    return builder.finish()


def _dialogue_follows(lines: list[str], blank: int) -> bool:
    """After a cue with nothing said yet: is the next paragraph its dialogue?"""
    nxt = lines[blank + 1].strip() if blank + 1 < len(lines) else ""
    after = lines[blank + 2].strip() if blank + 2 < len(lines) else ""
    if not nxt or _SCENE_HEADING.match(nxt) or _TRANSITION.match(nxt) or nxt.startswith(("#", ">", "!", ".", "=")):
        return False
    return not (_is_cue(nxt) and after)


def _dialogue(builder: ScriptBuilder, lines: list[str], i: int, path: str) -> int:
    """Dialogue and parentheticals after a cue, until a blank line (two spaces keep it going)."""
    n = len(lines)
    while i < n:
        raw = lines[i]
        if not raw.strip() and raw != "  ":
            if builder.open_speech_is_empty() and _dialogue_follows(lines, i):
                i += 1  # "NAME" / "(direction)" / blank / dialogue: a common slip, read as meant
                continue
            break
        line = raw.strip()
        source = Source(path, i + 1)
        if not line:
            builder.add_text("", source)  # the two-space line: a pause inside the speech
        elif line.startswith("(") and line.endswith(")"):
            builder.direction(line[1:-1].strip(), source, inline=True)
        else:
            builder.add_text(_markdown(line.lstrip("~").strip()), source)
        i += 1
    builder.end_speech()
    return i
