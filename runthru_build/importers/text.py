"""Plain text in any common encoding -> paragraphs, through the same inference as markdown.

A text file that reads as a Fountain screenplay is kept as it is; a play is
parsed by the play parser (its census picks the conventions) and written back
in the one clear markdown convention.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

from ..script import Direction, Script
from ..script.fountain import parse_fountain
from ..script.play import parse_text
from .document import Imported, Para, clean_text

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_FOUNTAIN_HEADING = re.compile(r"^\s*(?:\.(?=[A-Z])|(?:INT|EXT|EST|INT\.?/EXT|I/E)[. ])", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+")
_CUE_DIRECTION = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read in: a BOM's, else UTF-8, else CP1252 (Latin-1 for bytes
    CP1252 leaves undefined); line endings become LF."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding)
            break
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
    return clean_text(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")), encoding


def looks_like_fountain(text: str) -> bool:
    return len(_FOUNTAIN_HEADING.findall(text)) >= 2


def read_text_script(data: bytes, shown: str) -> tuple[Imported, str | None]:
    """The paragraphs, or for a Fountain screenplay the text itself to keep verbatim."""
    text, encoding = decode(data)
    notes = [f"read as {encoding}"]
    if looks_like_fountain(text):
        script = parse_fountain(text, shown)
        return Imported(paras_from_script(script), screenplay=True, source_kind="text", notes=notes), text
    script = parse_text(text, shown)
    paras = paras_from_script(script)
    left_out = _left_out(text, paras)
    return Imported(paras, screenplay=False, source_kind="text", notes=notes, left_out=left_out), None


def _left_out(text: str, paras: list[Para]) -> list[Para]:
    """Lines of the source with a word that none of the paragraphs holds (the parser drops end
    marks such as ``END OF THE FIRST ACT``): listed by line number, so no word goes unreported.
    A line whose words are all there takes them; a line short of any takes none, so an end
    mark cannot use up the words of the heading after it."""
    have: Counter[str] = Counter()
    for p in paras:
        have.update(w.lower() for w in _WORD.findall(p.text))
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        words = Counter(w.lower() for w in _WORD.findall(line))
        if all(have[w] >= n for w, n in words.items()):
            have.subtract(words)
        else:
            lines.append(Para("unplaced", line.strip(), f"line {number}"))
    return lines


def paras_from_script(script: Script) -> list[Para]:
    """A parsed script as paragraphs, for writing back in one clear convention."""
    paras = [Para("title", script.title, "title")]
    if script.author:
        paras.append(Para("author", script.author, "title"))
    paras += [Para("front", text, "front matter") for text in script.front_matter]
    act = None
    for scene in script.scenes:
        if scene.act and scene.act != act:
            act = scene.act
            paras.append(Para("act", act, str(scene.source)))
        paras.append(Para("scene", scene.title, str(scene.source)))
        for element in scene.elements:
            where = str(element.source)
            if isinstance(element, Direction):
                paras.append(Para("direction", element.text, where))
                continue
            cue_directions = [d.strip() for d in re.findall(r"[(\[][^)\]]*[)\]]", element.cue)]
            paras.append(Para("cue", _CUE_DIRECTION.sub(" ", element.cue).strip(), where))
            for direction in cue_directions:
                paras.append(Para("paren", direction, where))
            for part in element.parts:
                text = " ".join(part.markdown.split())
                paras.append(Para("paren" if part.kind == "direction" else "dialogue", text, where))
    paras += [Para("back", text, "back matter") for text in script.back_matter]
    return paras
