"""Typed paragraphs -> the text of an editable script: markdown for plays, Fountain for screenplays.

The markdown uses one unambiguous convention, ``**NAME:** speech`` with
directions as ``*(…)*``, so the play parser's census has nothing to guess.
"""

from __future__ import annotations

import re

from .document import Imported, Para

_FOUNTAIN_HEADING = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|I/E)[. ]", re.IGNORECASE)
_FOUNTAIN_TRANSITION = re.compile(r"^[A-Z0-9 .'’\-]+TO:$")
_BY = re.compile(r"^(?:(?:written|adapted|screenplay|teleplay|story)\s+)?by\b[\s:]*", re.IGNORECASE)
_MARKDOWN_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|=+$|-+$|<)")


def script_text(doc: Imported) -> str:
    return fountain_text(doc.paras) if doc.screenplay else markdown_text(doc.paras)


def suffix_for(doc: Imported) -> str:
    return ".fountain" if doc.screenplay else ".md"


def _comment(texts: list[str]) -> str:
    body = "\n\n".join(t.replace("-->", "—>") for t in texts)
    return f"<!--\n{body}\n-->"


def direction_markdown(text: str) -> str:
    """A stage direction as markdown italics, bracketed so it can never read as speech."""
    text = " ".join(text.split())
    if not (text.startswith(("(", "[")) and text.endswith((")", "]", ").", "].", ")", "]"))):
        text = f"({text.strip('()[] ')})"
    return f"*{text}*"


def markdown_text(paras: list[Para]) -> str:
    blocks: list[str] = []
    front = [p.text for p in paras if p.kind == "front"]
    speech: list[str] = []
    cue: str | None = None
    has_acts = any(p.kind == "act" for p in paras)

    def end_speech() -> None:
        nonlocal cue
        if cue is not None:
            first = f"**{cue}:**"
            body = "\n".join(speech)
            blocks.append(f"{first} {body}".rstrip() if body else first)
        cue = None
        speech.clear()

    front_written = False
    for p in paras:
        text = p.text.strip()
        if p.kind in ("front", "back"):
            continue
        if p.kind not in ("title", "author") and not front_written and front:
            end_speech()
            blocks.append(_comment(front))
            front_written = True
        if p.kind == "cue":
            end_speech()
            cue = " ".join(text.split()).rstrip(":.")
        elif p.kind == "paren" and cue is not None:
            speech.append(direction_markdown(text))
        elif p.kind == "dialogue" and cue is not None:
            speech.append(text)
        else:
            end_speech()
            if p.kind == "title":
                blocks.append(f"# {text}")
            elif p.kind == "author":
                blocks.append(f"**{text}**" if _BY.match(text) else f"**by {text}**")
            elif p.kind == "act":
                blocks.append(f"## {text}")
            elif p.kind in ("scene", "scene_heading"):
                blocks.append(f"{'###' if has_acts else '##'} {text}")
            elif p.kind == "note":
                blocks.append(_comment([text]))
            elif text:
                blocks.append(direction_markdown(text))
    end_speech()
    if front and not front_written:
        blocks.append(_comment(front))
    back = [p.text for p in paras if p.kind == "back"]
    if back:
        blocks.append(_comment(back))
    return "\n\n".join(blocks) + "\n"


def fountain_text(paras: list[Para]) -> str:
    title = next((p.text for p in paras if p.kind == "title"), None)
    author = next((p.text for p in paras if p.kind == "author"), None)
    blocks: list[str] = []
    if title or author:
        page = []
        if title:
            page.append(f"Title: {title}")
        if author:
            credit = _BY.match(author)
            if credit and credit.group(0).strip():
                page.append(f"Credit: {credit.group(0).strip()}")
            page.append(f"Author: {_BY.sub('', author)}")
        blocks.append("\n".join(page))
    front = [p.text for p in paras if p.kind in ("front", "back")]
    if front:
        blocks.append("/*\n" + "\n\n".join(t.replace("*/", "* /") for t in front) + "\n*/")
    chain: list[str] = []

    def end_chain() -> None:
        if chain:
            blocks.append("\n".join(chain))
            chain.clear()

    for p in paras:
        text = p.text.strip()
        if p.kind in ("title", "author", "front", "back") or not text:
            continue
        if p.kind == "cue":
            end_chain()
            name = " ".join(text.split())
            chain.append((name if name == name.upper() else f"@{name}") + (" ^" if p.dual else ""))
        elif p.kind == "paren" and chain:
            chain.append(text if text.startswith("(") else f"({text})")
        elif p.kind == "dialogue" and chain:
            chain.extend(line.strip() or " " for line in text.splitlines())
        else:
            end_chain()
            blocks.append(_fountain_block(p.kind, text))
    end_chain()
    return "\n\n".join(blocks) + "\n"


def _fountain_block(kind: str, text: str) -> str:
    if kind == "act":
        return f"# {text}"
    if kind in ("scene", "scene_heading"):
        flat = " ".join(text.split())
        return flat if _FOUNTAIN_HEADING.match(flat) or flat.startswith(".") else f".{flat}"
    if kind == "transition":
        flat = " ".join(text.split())
        return flat if _FOUNTAIN_TRANSITION.match(flat) else f"> {flat}"
    if kind == "note":
        return f"[[{' '.join(text.split()).replace(']]', '] ]')}]]"
    if kind == "centered":
        return f"> {' '.join(text.split())} <"
    if text == text.upper() or _MARKDOWN_START.match(text) or text.startswith(("!", "@", "~", ".", "[[", "=")):
        return f"!{text}"
    return text
