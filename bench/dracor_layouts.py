"""Eight layouts real scripts use, each writing a DraCor play its own way: cues, directions,
title, cast list and act/scene headings as that kind of script sets them.

Every layout is unambiguous to a human reader: spoken brackets that a layout uses for its
directions are written as dashes, markdown marks in spoken text are dropped, and a direction
standing between speeches is set apart the way that kind of book sets it apart.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from dracor_tei import Play, Speech

LAYOUTS = {
    "name-period": ("txt", "NAME.  text (Gutenberg; [..] directions, hard-wrapped)"),
    "mixed-period": ("txt", "Name. text (Ibsen; (..) directions, hard-wrapped)"),
    "name-colon": ("txt", "NAME: text ((..) directions)"),
    "md-bold": ("md", "**NAME:** text (markdown; _italic_ directions)"),
    "name-alone": ("txt", "NAME alone on its line ([..] directions, spoken (..))"),
    "folger": ("txt", "NAME  text, NAME, [dir]  text (Folger)"),
    "book": ("txt", "indented Name: / Name (dir): alone, verse indented, plain settings"),
    "slides": ("md", "## NAME: slides split by --- and <br>"),
}
CAST_HEADS = {
    "German": "Personen", "French": "Personnages", "English": "Dramatis Personae", "Russian": "Действующие лица",
    "Swedish": "Personer", "Italian": "Personaggi", "Spanish": "Personajes", "Latin": "Personae", "Dutch": "Personagien",
    "Ancient Greek": "Τὰ τοῦ δράματος πρόσωπα",
}
_OUTER = re.compile(r"^\s*[(\[]\s*(.*?)\s*[)\]]\s*([.,;:]?)\s*$", re.S)


def stage(text: str) -> str:
    """A direction's words without the brackets its source put round it."""
    text = text.strip()
    while True:
        m = _OUTER.match(text)
        if not m or _unbalanced(m.group(1)):
            break
        text = m.group(1) + (m.group(2) if m.group(2) != "." or not m.group(1).endswith(".") else "")
    return text.strip() or "…"


def _unbalanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += c in "(["
        depth -= c in ")]"
        if depth < 0:
            return True
    return depth != 0


def upper_name(label: str) -> str:
    """A name in capitals; Greek capitals drop their accents and breathings, as Greek type does."""
    if any("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in label):
        label = unicodedata.normalize("NFC", "".join(
            c for c in unicodedata.normalize("NFD", label) if not unicodedata.combining(c)))
    return label.upper()


def mixed_name(label: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w[:1].isalpha() else w for w in label.split())


class Layout:
    """Writes one play; subclasses say how each piece is set."""

    name = ""
    wrap = 0  # hard-wrap prose at this width (0: never)
    parens_spoken = False  # spoken (..) kept as written: the layout's directions are in [..]
    markdown = False

    def __init__(self, play: Play):
        self.play = play
        self.out: list[str] = []
        self.cues: dict[str, str] = {}  # rendered cue -> label

    # -- text -----------------------------------------------------------
    def spoken(self, text: str) -> str:
        # editors' marks in the TEI (<added>, [lost] letters) are not what a script prints
        text = text.replace("[", "").replace("]", "").replace("<", "").replace(">", "")
        if not self.parens_spoken:
            text = text.replace("(", "– ").replace(")", " –")
        if self.markdown:
            text = re.sub(r"[*_`\\#|]", " ", re.sub(r"[<>]", "", text))
        return re.sub(r"\s+", " ", text).strip()

    def line_text(self, line: list[tuple[str, str]]) -> str:
        parts = []
        for kind, text in line:
            if kind == "text":
                s = self.spoken(text)
                if s:
                    parts.append(s)
            else:
                parts.append(self.inline_stage(stage(text)))
        return " ".join(parts)

    def inline_stage(self, text: str) -> str:
        return f"({text})"

    def wrapped(self, text: str, indent: str = "", first: str | None = None) -> list[str]:
        if not self.wrap:
            return [(first if first is not None else indent) + text]
        return textwrap.wrap(text, self.wrap, initial_indent=first if first is not None else indent,
                             subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) or [indent]

    def cue(self, sp: Speech) -> str:
        return upper_name(sp.label)

    # -- pieces (defaults: a plain-text play with blank lines between paragraphs) ----
    def title(self) -> None:
        self.out += [upper_name(self.play.title), ""]
        if self.play.author:
            self.out += [self.play.author, ""]

    def cast_list(self) -> None:
        head = self.play.cast_head or CAST_HEADS[self.play.language]
        entries = self.play.cast or list(dict.fromkeys(self.play.labels.values()))
        self.out += ["", head.upper(), ""] + [f"  {e}" for e in entries] + [""]

    def act(self, head: str) -> None:
        self.out += ["", "", head.upper(), ""]

    def scene(self, head: str) -> None:
        self.out += ["", head, ""]

    def direction(self, text: str) -> None:
        self.out += [*self.wrapped(f"[{stage(text)}]"), ""]

    def speech(self, sp: Speech) -> None:
        raise NotImplementedError

    def render(self) -> str:
        self.title()
        self.cast_list()
        for kind, item in self.play.items:
            if kind == "act" and item:
                self.act(item)
            elif kind == "scene" and item:
                self.scene(item)
            elif kind == "stage":
                self.direction(item)
            elif kind == "sp":
                self.cues[self.cue(item)] = item.label
                self.speech(item)
        self.end()
        return "\n".join(self.out).rstrip() + "\n"

    def end(self) -> None:
        pass

    def blocks_as_paragraphs(self, sp: Speech, first_prefix: str, *, indent: str = "") -> None:
        """The speech's blocks: the first opened by ``first_prefix`` (the cue), the rest as
        uncued paragraphs, its own directions as direction paragraphs."""
        prefix = first_prefix
        for kind, body in sp.blocks:
            if kind == "stage":
                if prefix:  # a direction before any words: keep it on the cue's line
                    prefix = prefix + self.inline_stage(stage(body)) + " "
                    continue
                self.direction(body)
                continue
            lines = [self.line_text(line) for line in body]
            lines = [ln for ln in lines if ln]
            if not lines:
                continue
            if kind == "prose":
                text = " ".join(lines) if self.wrap else None
                if text is not None:
                    self.out += self.wrapped(text, indent, first=(prefix or indent))
                else:
                    self.out += [(prefix or indent) + lines[0]] + [indent + ln for ln in lines[1:]]
            else:
                self.out += [(prefix or indent) + lines[0]] + [indent + ln for ln in lines[1:]]
            self.out.append("")
            prefix = ""
        if prefix:  # a cue with only directions
            self.out += [prefix.rstrip(), ""]


class NamePeriod(Layout):
    """``NAME.  text`` opening a paragraph; ``[..]`` directions; hard-wrapped at 72."""

    name = "name-period"
    wrap = 72
    parens_spoken = True

    def inline_stage(self, text: str) -> str:
        return f"[{text}]"

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        lead = f"{cue}.  " + (f"[{stage(sp.cue_stage)}]  " if sp.cue_stage else "")
        self.blocks_as_paragraphs(sp, lead)


class MixedPeriod(Layout):
    """``Name. text`` in mixed case; ``Name (dir). text``; ``(..)`` directions; wrapped at 70."""

    name = "mixed-period"
    wrap = 70

    def cue(self, sp: Speech) -> str:
        return mixed_name(sp.label)

    def title(self) -> None:
        self.out += [self.play.title, ""] + ([f"{self.play.author}", ""] if self.play.author else [])

    def cast_list(self) -> None:
        head = self.play.cast_head or CAST_HEADS[self.play.language]
        entries = self.play.cast or list(dict.fromkeys(mixed_name(v) for v in self.play.labels.values()))
        self.out += ["", head, ""] + [f"    {e}" for e in entries] + [""]

    def direction(self, text: str) -> None:
        self.out += [*self.wrapped(f"({stage(text)})"), ""]

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        lead = f"{cue} ({stage(sp.cue_stage)}). " if sp.cue_stage else f"{cue}. "
        self.blocks_as_paragraphs(sp, lead)


class NameColon(Layout):
    """``NAME: text``; ``(..)`` directions as their own paragraphs and inline."""

    name = "name-colon"

    def direction(self, text: str) -> None:
        self.out += [f"({stage(text)})", ""]

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        lead = f"{cue}: " + (f"({stage(sp.cue_stage)}) " if sp.cue_stage else "")
        self.blocks_as_paragraphs(sp, lead)


class MarkdownBold(Layout):
    """``**NAME:** text`` in markdown; ``_italic_`` directions without brackets; verse lines
    ending in markdown hard breaks."""

    name = "md-bold"
    markdown = True

    def inline_stage(self, text: str) -> str:
        return f"_({_md(text)})_"

    def title(self) -> None:
        self.out += [f"# {_md(self.play.title)}", ""]
        if self.play.author:
            self.out += [f"*{_md(self.play.author)}*", ""]

    def cast_list(self) -> None:
        head = self.play.cast_head or CAST_HEADS[self.play.language]
        entries = self.play.cast or list(dict.fromkeys(self.play.labels.values()))
        self.out += [f"## {_md(head)}", ""] + [f"- {_md(e)}" for e in entries] + [""]

    def act(self, head: str) -> None:
        self.out += [f"## {_md(head)}", ""]

    def scene(self, head: str) -> None:
        self.out += [f"### {_md(head)}", ""]

    def direction(self, text: str) -> None:
        self.out += [f"_{_md(stage(text))}_", ""]

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        lead = f"**{_md(cue)}:** " + (f"_({_md(stage(sp.cue_stage))})_ " if sp.cue_stage else "")
        start = len(self.out)
        self.blocks_as_paragraphs(sp, lead)
        for i in range(start, len(self.out) - 1):  # verse: hard line breaks inside a paragraph
            if self.out[i] and self.out[i + 1]:
                self.out[i] += "  "


class NameAlone(Layout):
    """The name alone on its line, the speech under it; ``[..]`` directions; spoken ``(..)``."""

    name = "name-alone"
    parens_spoken = True

    def inline_stage(self, text: str) -> str:
        return f"[{text}]"

    def speech(self, sp: Speech) -> None:
        self.out.append(self.cue(sp))
        if sp.cue_stage:
            self.out.append(f"[{stage(sp.cue_stage)}]")
        self.blocks_as_paragraphs(sp, "")
        if self.out[-1] != "":
            self.out.append("")

    def blocks_as_paragraphs(self, sp: Speech, first_prefix: str, *, indent: str = "") -> None:
        first = True
        for kind, body in sp.blocks:
            if kind == "stage":
                if first:
                    self.out.append(f"[{stage(body)}]")
                else:
                    self.out += [f"[{stage(body)}]"]
                continue
            lines = [ln for ln in (self.line_text(line) for line in body) if ln]
            if not lines:
                continue
            if not first and self.out[-1] != "" and not self.out[-1].startswith("["):
                self.out.append("")  # a second paragraph of the same speech
            self.out += lines
            first = False
        self.out.append("")


class Folger(Layout):
    """The Folger text layout: ``NAME  text``, ``NAME, [dir]  text``, ``[..]`` directions,
    ``=====`` under act and scene headings."""

    name = "folger"
    parens_spoken = True

    def inline_stage(self, text: str) -> str:
        return f"[{text}]"

    def title(self) -> None:
        self.out += [self.play.title, ""] + ([f"by {self.play.author}", ""] if self.play.author else [])

    def cast_list(self) -> None:
        head = "Characters in the Play"
        entries = self.play.cast or list(dict.fromkeys(self.play.labels.values()))
        self.out += [head, "=" * len(head), "", *entries, "", ""]

    def act(self, head: str) -> None:
        self.out += ["", head.upper(), "=" * len(head), ""]

    def scene(self, head: str) -> None:
        self.out += ["", head, "=" * len(head), ""]

    def direction(self, text: str) -> None:
        self.out += [f"[{stage(text)}]", ""]

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        lead = f"{cue}, [{stage(sp.cue_stage)}]  " if sp.cue_stage else f"{cue}  "
        prefix = lead
        for kind, body in sp.blocks:
            if kind == "stage":
                if prefix:
                    prefix = prefix + f"[{stage(body)}] "
                else:
                    self.out.append(f"[{stage(body)}]")
                continue
            lines = [ln for ln in (self.line_text(line) for line in body) if ln]
            if not lines:
                continue
            self.out += [(prefix or "") + lines[0], *lines[1:]]
            prefix = ""
        if prefix:
            self.out.append(prefix.rstrip())
        self.out.append("")


class Book(Layout):
    """An old German or French book: centred headings, the cue indented and alone
    (``Name:`` or ``Name (dir):``), the speech indented under it, settings and
    directions between speeches as plain unbracketed lines set deeper than the verse."""

    name = "book"
    wrap = 64

    def cue(self, sp: Speech) -> str:
        # A label with no capital letter is one the edition sets in small capitals (``<emph rend="sc">
        # lepido</emph>``, five ItaDraCor plays): the page shows capitals, LEPIDO, never "lepido:".
        return sp.label if any(c.isupper() for c in sp.label) else upper_name(sp.label)

    def _centred(self, text: str) -> list[str]:
        return [line.center(72).rstrip() for line in textwrap.wrap(text, 56)] or [""]

    def title(self) -> None:
        self.out += ["", *self._centred(upper_name(self.play.title)), ""]
        if self.play.author:
            self.out += [*self._centred(self.play.author), ""]

    def cast_list(self) -> None:
        head = self.play.cast_head or CAST_HEADS[self.play.language]
        entries = self.play.cast or list(dict.fromkeys(self.play.labels.values()))
        self.out += [""] + self._centred(head) + [""] + [f"    {e}" for e in entries] + [""]

    def act(self, head: str) -> None:
        self.out += ["", "", *self._centred(head), ""]

    def scene(self, head: str) -> None:
        self.out += ["", *self._centred(head), ""]

    def direction(self, text: str) -> None:
        self.out += [*textwrap.wrap(stage(text), 64, initial_indent=" " * 16, subsequent_indent=" " * 16, break_long_words=False, break_on_hyphens=False), ""]

    def speech(self, sp: Speech) -> None:
        cue = self.cue(sp)
        self.out.append(f"    {cue} ({stage(sp.cue_stage)}):" if sp.cue_stage else f"    {cue}:")
        for kind, body in sp.blocks:
            if kind == "stage":
                self.out.append(f"        ({stage(body)})")
                continue
            lines = [ln for ln in (self.line_text(line) for line in body) if ln]
            if not lines:
                continue
            if kind == "prose":
                self.out += textwrap.wrap(" ".join(lines), self.wrap, initial_indent=" " * 8,
                                          subsequent_indent=" " * 8, break_long_words=False, break_on_hyphens=False)
            else:
                self.out += [" " * 8 + ln for ln in lines]
        self.out.append("")


class Slides(Layout):
    """Markdown slides: ``## NAME:`` headings, one speech a slide between ``---`` rules, lines
    joined by ``<br>``; ``*italic*`` directions."""

    name = "slides"
    markdown = True

    def inline_stage(self, text: str) -> str:
        return f"*({_md(text)})*"

    def title(self) -> None:
        self.out += [f"# {_md(self.play.title)}", ""] + ([_md(self.play.author), ""] if self.play.author else [])

    def cast_list(self) -> None:
        head = self.play.cast_head or CAST_HEADS[self.play.language]
        entries = self.play.cast or list(dict.fromkeys(self.play.labels.values()))
        self.out += ["---", "", f"# {_md(head)}", ""] + [f"{_md(e)}<br>" for e in entries] + [""]

    def act(self, head: str) -> None:
        self.out += ["---", "", f"# {_md(head)}", ""]

    def scene(self, head: str) -> None:
        self.out += ["---", "", f"### {_md(head)}", ""]

    def direction(self, text: str) -> None:
        self.out += [f"*{_md(stage(text))}*", ""]

    def speech(self, sp: Speech) -> None:
        self.out += ["---", "", f"## {_md(self.cue(sp))}:", ""]
        if sp.cue_stage:
            self.out += [f"*({_md(stage(sp.cue_stage))})*", ""]
        for kind, body in sp.blocks:
            if kind == "stage":
                self.out += [f"*{_md(stage(body))}*", ""]
                continue
            lines = [ln for ln in (self.line_text(line) for line in body) if ln]
            if lines:
                self.out += [ln + "<br>" for ln in lines[:-1]] + [lines[-1], ""]


def _md(text: str) -> str:
    return re.sub(r"[*_`<>\\#|\[\]]", "", text).strip()


CLASSES = {c.name: c for c in (NamePeriod, MixedPeriod, NameColon, MarkdownBold, NameAlone, Folger, Book, Slides)}


def render(play: Play, layout: str) -> tuple[str, dict[str, str]]:
    """The play written in ``layout``, and each rendered cue's label."""
    writer = CLASSES[layout](play)
    return writer.render(), writer.cues
