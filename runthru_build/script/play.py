"""Stage plays in markdown or plain text -> ``Script``.

Two passes: ``census.take_census`` decides the document's conventions (cue
forms, names, where speeches and directions go), then this module reads the
paragraphs with them.  Markdown marks (headings, emphasis, comments) are
honoured; everything else is read the same way for ``.md`` and ``.txt``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from .blocks import Block, SourceLine, read_document
from .census import (
    ALONE,
    BOLD,
    BOLD_COLON,
    BRACKET,
    COLON,
    COMMA,
    PERIOD,
    SPACED,
    TECHNICAL_CUE,
    Candidate,
    candidates,
    cue_text_of,
    is_cast_heading,
    line_is_direction_word,
    take_census,
)
from .conventions import (
    ACT_LEVEL_WORDS,
    ACT_WORDS,
    ACT_WORDS_AFTER_ORDINAL_DE,
    ALONE_WORDS,
    FRAME_WORDS,
    FRAME_WORDS_ALONE,
    LAST_SCENE_MARKS,
    NUMBER_WORDS,
    ORDINAL_ENDINGS_DE,
    ORDINAL_STEMS_AFTER,
    ORDINAL_STEMS_DE,
    ORDINAL_TENS_DE,
    ORDINAL_TENS_PREFIX_AFTER,
    ORDINAL_UNITS_DE,
    ORDINALS_AFTER,
    ORDINALS_AFTER_BARE,
    ORDINALS_BEFORE,
    READS_WORDS,
    SETTING_OPENERS,
    SETTING_VERBS,
    WORDS_AFTER_ORDINAL,
    alternation,
)
from .cues import (
    GROUP_NAMES,
    NAME_PARTICLES,
    Cue,
    ScriptBuilder,
    is_cast_list_entry,
    name_key,
    parse_cue,
    plain_text,
)
from .model import Script, Source
from .names import is_numbered

FRONT_MATTER_HEADINGS = re.compile(
    r"^(cast( of characters| list)?|characters|dramatis personae|persons of the play|"
    r"acknowledge?ments?|thanks|credits|notes?|author'?s notes?|production notes?|transcriber'?s notes?|"
    r"about( the play)?|copyright|licen[cs]e|table of contents|contents|synopsis|setting|preface|introduction)\b",
    re.IGNORECASE,
)
_AUTHOR = re.compile(r"^(?:\*\*|__|\*|_)?\s*(?:written\s+|adapted\s+)?by\s+(?P<who>.+?)\s*(?:\*\*|__|\*|_)?$", re.IGNORECASE)
_ORDINAL = alternation([w for words in ORDINALS_BEFORE.values() for w in words])
# "Erster Aufzug", "Dritte Szene": German ordinals stand before the word, Italian and Spanish ones after it;
# from 13 on they are compounds: "Dreizehnter Auftritt", "Ein und zwanzigster Auftritt"
_UNITS_DE = alternation(ORDINAL_UNITS_DE)
_ORDINAL_DE = (f"(?:(?:{alternation(ORDINAL_STEMS_DE)}|{_UNITS_DE}ZEHNT|(?:{_UNITS_DE}\\s*UND\\s*)?{alternation(ORDINAL_TENS_DE)})"
               f"{alternation(ORDINAL_ENDINGS_DE)})")
# French ordinals stand after "Acte" and "Scène": "Acte deuxième", "Scène troisième"
_ORDINAL_FR = alternation(ORDINALS_AFTER["fr"])
_NUMBER = alternation([r"[IVXLC]+", r"\d+[A-Z]?", *NUMBER_WORDS, *(w for ws in ORDINALS_AFTER.values() for w in ws),
                       *(f"{alternation(ORDINAL_TENS_PREFIX_AFTER)}?{alternation(stems)}{alternation(endings)}"
                         for stems, endings in ORDINAL_STEMS_AFTER.values()), *ORDINALS_AFTER_BARE])
_ACT_WORDS = alternation([w for words in ACT_WORDS.values() for w in words])
_LAST_MARK = "(?:" + r"\s+" + alternation([r"\s+".join(m.split()) for m in LAST_SCENE_MARKS]) + r"\b)?"
_WORDS_AFTER_ORDINAL = alternation(list(dict.fromkeys(w for words in WORDS_AFTER_ORDINAL.values() for w in words)))
_NUMBER_FIRST = r"(?:\d+|(?-i:[IVXLC]+))"  # "2. Auftritt", "II. Tooneel": the number before the word
_STRUCTURE = re.compile(
    rf"^(?:(?:(?:THE\s+)?{_ORDINAL}\s+{_WORDS_AFTER_ORDINAL}|{_ORDINAL_DE}\s+{alternation(ACT_WORDS_AFTER_ORDINAL_DE)}|"
    rf"{_ACT_WORDS}\.?\s+{_NUMBER}\b{_LAST_MARK}|{_NUMBER_FIRST}\.\s*{_ACT_WORDS}\b)"
    r"(?!(?-i:\s+(?!scene\b|act\b|part\b|cont)[a-z]))|"  # "The first act passes in…" is a sentence
    rf"(?:THE\s+)?{alternation(FRAME_WORDS)})(?:[\s.:,—–-].*)?$",
    re.IGNORECASE,
)
# The act words among them: an act's heading is level 2, a scene's level 3
_ACT_LEVEL = re.compile(rf"^(?:THE\s+)?(?:\w+\s+)?{alternation(ACT_LEVEL_WORDS)}\b|^(?:{_NUMBER_FIRST}\.\s*){alternation(ACT_LEVEL_WORDS)}\b",
                        re.IGNORECASE)
_END_MARK = re.compile(
    rf"^(?:THE\s+END|END\s+OF\s+(?:THE\s+)?(?:PLAY|{_ORDINAL}\s+ACT|ACT\s+{_NUMBER}|SCENE\s+{_NUMBER})|CURTAIN|"
    rf"FIN\s+(?:DU\s+{_ORDINAL_FR}\s+ACTE|DE\s+L['’]ACTE(?:\s+{_NUMBER})?|DE\s+LA\s+PIÈCE)|"  # "Fin du premier acte."
    rf"ENDE\s+DES\s+(?:{_ORDINAL_DE}\s+)?(?:AKTS|AKTES|AUFZUGS|AUFZUGES|STÜCKS|STÜCKES)|"
    r"ACT\s+DROPS?|FINIS|FIN|BLACKOUT|SCENE)[.!]?$",
    re.IGNORECASE,
)
# A musical number's label in a libretto: "AIR I. An old Woman clothed in Gray, &c.", "SONG—Ruth.", "OVERTURE"
_NUMBER_LABEL = re.compile(
    r"^(?=[A-Z])(?i:OVERTURE|ENTR'?ACTE|AIR|SONG|DUET|DUETT|TRIO|QUARTET|QUARTETTE|QUINTET|SEXTET|SEPTET|FINALE|"
    r"RECITATIVE|ARIA|BALLAD|BALLET|MADRIGAL|MELODRAMA|REPRISE|ENSEMBLE|CONCERTED PIECE)"
    r"(?:$|\s*(?:[IVXLC]+\b|\d+\b|[.:—–]|\s-))"
)
_DOER = re.compile(r"^(?P<name>[A-Z][\w'’\-]*(?: [A-Z0-9][\w'’\-]*)?) (?:is |are |has )?[a-z]{2,}\w*\b(?!')")
_SINGER = re.compile(r"^[A-Za-z' ]+?(?:\s+[IVXLC]+)?\.?\s*[—–]+\s*(?P<who>[^.,;:]{2,40}?)\.?$")
# A libretto's chorus over what it sings: "Chorus of Peasantry.", "CHORUS OF PIRATES", "Full Chorus."
_CHORUS = re.compile(r"^(?:(?:Full|Grand|Opening|Final)\s+)?(?:Chorus|CHORUS)(?:\s+(?:of|OF)\s+[A-Z][\w'’ -]{1,40})?$")
_LABEL = re.compile(r"^(?:\*\*|__)(?P<label>[^*_]{1,60}?):?(?:\*\*|__):?$")
_WHOLE_DIRECTION = re.compile(r"^(?P<wrap>[*_]{0,2})\s*(?P<open>[(\[{])(?P<inner>.*)(?P<close>[)\]}])\s*(?P=wrap)\.?$")
_SPEECH_WORDS = re.compile(r"\b(?:I|I'm|I'll|I've|I'd|me|my|mine|you|your|yours|we|us|our|thee|thou|thy)\b|[?!]")
_DIRECTION_WORDS = re.compile(
    r"\b(?:he|she|they|his|her|their|him|them|enters?|exits?|exeunt|crosses|sits|stands|turns|looks|goes|takes|"
    r"moves|pauses|lights|stage|door|room|table|chair|window|slowly|quickly)\b",
    re.IGNORECASE,
)


def parse_markdown(text: str, path: str) -> Script:
    """Parse a markdown play; ``path`` is how messages name the file."""
    return _PlayParser(text, path, markdown=True).parse()


def parse_text(text: str, path: str) -> Script:
    """Parse a plain-text play (Project Gutenberg and the like)."""
    return _PlayParser(text, path, markdown=False).parse()


def _strip_emphasis(text: str) -> str:
    return text.strip().strip("*_ ").strip()


_PLAY_ENDS = re.compile(r"^(?:THE\s+END|END\s+OF\s+(?:THE\s+)?PLAY)\b", re.IGNORECASE)
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?){4,}\s*\d+$")  # "ACT II................    24": a table of contents
_SCENE_HEADING = re.compile(r"^(?:INT|EXT|EST|INT\.?/EXT|I/E)[. ]")  # screenplay sluglines, in capitals


def is_end_mark(text: str) -> bool:
    """``THE END``, ``CURTAIN``, ``END OF ACT ONE``: structure, never spoken."""
    return bool(_END_MARK.match(_strip_emphasis(text)))


_ALONE = re.compile(rf"^(?P<name>[^\W\d_][\w'’. -]{{0,40}}?),?\s+(?i:{alternation(ALONE_WORDS)})\s*[.:]?$")
_READS_WORD = re.compile(rf"(?i:\b{alternation(READS_WORDS)}\b)")
_ALONE_AT_END = re.compile(rf"(?i:{alternation(ALONE_WORDS)})\W*$")
_ALONE_AT_END_LOWER = re.compile(rf"{alternation([w.lower() for w in ALONE_WORDS])}\W*$")  # for lowered text
_READS = re.compile(rf"^(?:(?P<name>[^\W\d_][\w'’. -]{{0,40}}?)\s+)?(?i:{alternation(READS_WORDS)})\b[^.]{{0,40}}\.?$")
_SPEECH_OPENERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ\"'“‘([¿¡ÀÂÉÈÊÎÔÙÇÄÖÜ")
_SOME = ((True,), 1)  # a line the census did not read: look at it


# A scene heading that lists who is on: "SCÈNE IV. Barberin, Henriette, Guerland, enveloppé d'un manteau…"
_HEADING_WITH_NAMES = re.compile(rf"^{_ACT_WORDS}\.?\s+{_NUMBER}{_LAST_MARK}\s*[.:]\s+[^\W\d_]", re.IGNORECASE)
_NAME_LIST_SPLIT = re.compile(r"[.,]\s*")
# A scene numbered and nothing more, on a line of its own: "IV", "3."
_BARE_NUMBER = re.compile(r"^(?:[IVXL]{1,6}|\d{1,3})\.?$")
_CAPS_WORD = r"[^\W_a-zß](?:[^\Wa-zß]|[-'’.](?=[^\W_a-zß]))*"
_CAPS_CUE_SHAPE = re.compile(rf"^{_CAPS_WORD}(?:\s{{1,2}}{_CAPS_WORD}){{0,3}}\.?(?:\s*:\s|\.\s|\s{{2,}}(?=\S)|,\s*\[)")
_TITLED_CUE_SHAPE = re.compile(r"^[^\W\d_a-zß][\w'’-]*(?:\s[^\W\d_a-zß][\w'’-]*){1,5}[.:]\s")
_SHORT_NAME = re.compile(r"^([^\W\d_][\w'’]{0,11})\.\s")
_UNDERLINE = re.compile(r"^(?:={2,}|-{2,})$")
# "Prologus" alone: a heading only as a paragraph of its own (the same word names who speaks it)
_FRAME_ALONE = re.compile(rf"^{alternation(FRAME_WORDS_ALONE)}\.?$", re.IGNORECASE)


def _heading_paragraph(block: Block) -> bool:
    """Does this paragraph open with an act or scene heading?"""
    return is_structure_line(block.first.text) or (
        len(block.lines) == 1 and bool(_FRAME_ALONE.match(_strip_emphasis(block.first.text))))


@functools.lru_cache(maxsize=1 << 14)
def is_structure_line(text: str) -> bool:
    bare = _strip_emphasis(text.lstrip("#").strip())
    return (bool(bare) and bool(_STRUCTURE.match(bare) or _SCENE_HEADING.match(bare))
            and (len(bare.split()) <= 14 or (len(bare.split()) <= 40 and bool(_HEADING_WITH_NAMES.match(bare))))
            and not _CONTENTS_ENTRY.search(bare))


def _speaker_headings_as_cues(blocks: list[Block]) -> list[Block]:
    """``## PROSERPINA:`` over her speech, one heading a speech (a play set as slides): a
    heading that is a name and its colon, and that heads two speeches or more, is a cue alone on
    its line, not a scene title; where two names or more do so, so does every such heading (a
    speaker heard once).  Act and scene headings and cast headings stay headings."""
    named: dict[str, list[int]] = {}
    for bi, block in enumerate(blocks):
        if block.kind != "heading" or block.level < 2:
            continue
        text = _strip_emphasis(block.first.text)
        if not text.endswith(":") or is_structure_line(text) or is_cast_heading(text.rstrip(":")):
            continue
        if bi + 1 >= len(blocks) or blocks[bi + 1].kind != "paragraph":
            continue
        cue = next((c for c in candidates(text) if c.form == COLON and c.alone), None)
        if cue is None:  # "## PS:" (Plautus's Pseudolus): a word never a name elsewhere, heading speeches here
            solo = frozenset({name_key(text[:-1])})
            cue = next((c for c in candidates(text, solo=solo) if c.form == COLON and c.alone and c.caps), None)
        if cue is not None:
            named.setdefault(name_key(cue.cue.text), []).append(bi)
    turned = {bi for at in named.values() if len(at) >= 2 for bi in at}
    if len(named) < 2 or not turned:
        return blocks
    if sum(len(at) >= 2 for at in named.values()) >= 2:
        turned = {bi for at in named.values() for bi in at}  # the play's way: a one-off speaker's "## JOH:" too
    return [Block("paragraph", [SourceLine(b.first.number, 0, _strip_emphasis(b.first.text))]) if bi in turned else b
            for bi, b in enumerate(blocks)]


class _PlayParser:
    def __init__(self, text: str, path: str, *, markdown: bool) -> None:
        self.path = path
        self.markdown = markdown
        self.document = read_document(text, markdown=markdown)
        self.english = _reads_as_english(text)
        self.blocks = _speaker_headings_as_cues(self.document.blocks)
        self.builder = ScriptBuilder(path)
        self.script = self.builder.script
        self.speech_indent: int | None = None
        self.cue_block = -1
        self.cue_alone = False
        self.under_lone_cue: tuple[int, int] | None = None  # (block, line) just under the last cue that stood alone
        self.speech_hang: int | None = None  # the column a speech's text starts at after its cue
        self.technical_label: str | None = None  # "MUSIC:" alone: the paragraph under it says what plays
        self.technical_hang: tuple[int, int] | None = None  # (block, column) of a sound cue's text
        self.last_body_heading = -1
        self.first_act = 0  # the first act or scene heading: before it, front matter may look like anything
        self.verse_block = -1  # the last paragraph of a speech set as verse: a stanza after it may follow
        self.subtitle_block = -1

    # -- driver ----------------------------------------------------------
    def parse(self) -> Script:
        blocks = self.blocks
        heading_at = {i for i, b in enumerate(blocks) if b.kind == "paragraph" and _heading_paragraph(b)}
        self.front_headings = _front_matter_headings(blocks)
        body_headings = heading_at | {
            i for i, b in enumerate(blocks) if b.kind == "heading" and b.level > 1 and i not in self.front_headings
        }
        self.first_act = first_act = min(body_headings, default=len(blocks))
        self.last_body_heading = max(body_headings, default=-1)
        self.usual_gap = _usual_gap(blocks)
        self.conv = conv = take_census(blocks, heading_at, first_act)
        self.script.conventions = conv
        self.builder.spoken_parens = conv.spoken_parens
        self.script.aliases.update(conv.aliases)
        self._wrapper_title()
        end = self._end_of_play()
        for bi, block in enumerate(blocks):
            if bi >= end:
                self.script.back_matter.append(block.text)
                continue
            if block.kind == "heading":
                self._heading(block, front_matter=bi in self.front_headings)
            elif block.kind == "rule":
                self.builder.end_speech()
            elif bi in conv.cast_blocks:
                self.builder.end_speech()
                if self.builder.section.front_matter:
                    self.builder.raw(self._raw(block))
                else:  # a cast list with no heading of its own over it is front matter all the same
                    self.script.front_matter.append(self._raw(block))
            else:
                self._paragraph(bi, block)
        if not self.script.title:
            self.script.title = _title_from_path(self.path)
        wrapper = self.document.skipped
        first_body = self.blocks[0].first.number if self.blocks else 0
        self.script.front_matter.extend(text for number, text in wrapper if number < first_body)
        self.script.back_matter.extend(text for number, text in wrapper if number >= first_body)
        script = self.builder.finish()
        for key in set(conv.aliases) - self.builder.aliases_used:  # report only the ones the play uses
            del conv.aliases[key]
            script.aliases.pop(key, None)
        self._warn_unplaced(script)
        self._warn_unclosed(script)
        return script

    def _wrapper_title(self) -> None:
        """Title and author from a markdown file's front matter or a Gutenberg header."""
        meta = self.document.metadata
        self.script.title = meta.get("title", self.script.title)
        self.script.author = meta.get("author", self.script.author)
        for _number, text in self.document.skipped:
            m = re.match(r"^\s*Title:\s*(.+)$", text)
            if m:
                self.script.title = m.group(1).strip()
            m = re.match(r"^\s*Author:\s*(.+)$", text)
            if m and not self.script.author:
                self.script.author = m.group(1).strip()

    def _end_of_play(self) -> int:
        """The block after the last ``THE END``, when little of the file follows it."""
        for bi in range(len(self.blocks) - 1, -1, -1):
            block = self.blocks[bi]
            if block.kind == "paragraph" and _PLAY_ENDS.match(_strip_emphasis(block.first.text)):
                if len(self.blocks) - bi < 0.15 * len(self.blocks) or not self._cued_after(bi):
                    return bi + 1 if len(block.lines) == 1 else bi  # rights notes, footnotes, errata
                break
        return len(self.blocks)

    def _cued_after(self, start: int) -> bool:
        """Does any paragraph after block ``start`` open with a character's cue in this play's form?"""
        conv = self.conv
        for (bi, li), (found, _used) in conv.readings.items():
            if bi > start and li == 0 and any(
                    conv.accepts(c.form, c.caps) and all(name_key(n) in conv.names for n in c.cue.names) for c in found):
                return True
        return False

    @staticmethod
    def _raw(block: Block) -> str:
        return "\n".join([line.text for line in block.lines])

    def _heading(self, block: Block, *, front_matter: bool) -> None:
        title = plain_text(block.first.text)
        source = Source(self.path, block.first.number)
        if not self.script.title and block.level == 1 and not front_matter:
            self.script.title = title
            return
        self.builder.heading(title, block.level, source, front_matter=front_matter,
                             play_part=not front_matter and (is_structure_line(title) or bool(_FRAME_ALONE.match(title))))
        self.speech_indent = None

    # -- paragraphs ------------------------------------------------------
    def _paragraph(self, bi: int, block: Block) -> None:
        builder = self.builder
        lines = block.lines
        if self._title_block(bi, block) or self._title_cue(bi, block):
            return
        i = 0
        # structure lines at the head of a paragraph: "ACT I" / "SCENE I. A desert place."
        while i < len(lines) and is_structure_line(lines[i].text):
            self._structure_heading(lines[i])
            i += 1
            if i < len(lines) and _UNDERLINE.match(lines[i].text):
                i += 1  # "ATTO PRIMO" / "==========": the heading's underline
        if (len(lines) == 1 and _FRAME_ALONE.match(_strip_emphasis(lines[0].text))) or self._scene_number(bi, block):
            self._structure_heading(lines[0])  # "Prologus", or "IV" alone between speeches: the next scene
            return
        if i == len(lines):
            return
        if builder.section.front_matter:
            # the play may begin under "## Characters" when no act or scene heading follows
            play_follows = bi > self.last_body_heading
            found = self._cue_at(bi, block, i)[0] if play_follows else None
            cast = self.conv.cast_blocks
            opens_play = (found is not None and bi not in cast and not (found.rest and is_cast_list_entry(found.rest))) \
                or (play_follows and bi - 1 in cast and self._paragraph_is_direction(bi, block))
            if not opens_play:
                builder.raw(self._raw(block))
                return
            builder.end_front_matter(Source(self.path, lines[i].number))
        else:
            builder.raw(self._raw(block))
        if i == 0 and len(lines) == 1:
            bare = _strip_emphasis(lines[0].text)
            if is_end_mark(bare):
                builder.structure(bare)
                return
            label = _LABEL.match(lines[0].text)
            if label and not self._cue_at(bi, block, 0)[0]:
                builder.structure(label.group("label"))
                return
            if _NUMBER_LABEL.match(bare) and not self._cue_at(bi, block, 0)[0]:
                builder.end_speech()
                singers = builder.last_speakers
                builder.structure(bare)
                self._singer_of(bare, singers, bi, Source(self.path, lines[0].number))
                return
        if self.technical_label is not None:
            label, self.technical_label = self.technical_label, None
            under = self._cue_at(bi, block, i)[0]
            if under is None or under.alone:  # "SUSPENSE THEME" under "MUSIC:" is what plays, not a name
                builder.direction(f"{label} {plain_text(block.text)}", Source(self.path, lines[i].number))
                return
            builder.direction(label, Source(self.path, lines[i].number))
        first, first_used = self._cue_at(bi, block, i)
        if first is not None and i == 0 and self._known_name_in_bold(0, first) \
                and not self.conv.accepts(first.form, first.caps):
            self.script.warnings.append(
                f"{self.path}:{lines[0].number}: '{first.cue.text}' has no colon after the bold name, unlike this "
                f"play's other cues: read as {first.cue.text}'s speech")
        hang = self.technical_hang
        if first is None and i == 0 and hang is not None and hang[0] == bi - 1 and abs(block.indent - hang[1]) <= 1:
            self.technical_hang = (bi, hang[1])  # "           FOOTSTEPS APPROACH AND STOP." under "SOUND:     …"
            builder.direction(plain_text(block.text), Source(self.path, lines[0].number))
            return
        if first is None and i == 0 and len(lines) == 1 and (alone := self._alone_on_stage(lines[0].text)):
            builder.direction(plain_text(lines[0].text), Source(self.path, lines[0].number))
            builder.give_uncued_words_to(alone)  # "Martha alone.": the words after it, with no cue, are hers
            return
        # a song's next stanza after a blank line, in a play whose speeches end with their paragraph
        second_stanza = first is None and i == 0 and not builder.speech_open() \
            and builder.last_speakers is not None and len(builder.last_speakers) == 1 \
            and ((self.verse_block == bi - 1 and _verse_shaped(block)) or self._plain_paragraph_goes_on(bi, block))
        if second_stanza:
            builder.give_uncued_words_to(builder.last_speakers[0])
        if first is None and i == 0 and not TECHNICAL_CUE.match(lines[0].text) and not second_stanza:
            if self._paragraph_is_direction(bi, block) and not self._holds_a_cue(bi, block):
                leads_speech = self.cue_block == bi - 1 and builder.open_speech_is_empty()
                text = self._direction_text(block.text)
                builder.direction(text, Source(self.path, lines[0].number), inline=leads_speech)
                if not leads_speech and (reader := self._reader(text)):
                    builder.give_uncued_words_to(reader)  # "[BEN reads.]": the letter under it is read by Ben
                return
            under_cue = self.cue_block == bi - 1 and self.cue_alone
            if builder.speech_open() and not under_cue and self._opens_with_direction(block):
                builder.direction(self._direction_text(lines[0].text), Source(self.path, lines[0].number))
                i = 1
        was_open = builder.speech_open()
        conv_readings = self.conv.readings  # (block, line) -> the cue forms the census read there
        while i < len(lines):
            line = lines[i]
            source = Source(self.path, line.number)
            found, used = (first, first_used) if i == 0 and first is not None else self._cue_at(bi, block, i)
            if found is not None and found.cue.direction and i + used == len(lines) and not found.rest.strip(" .") \
                    and (used == 2 or found.alone) and self._aside_under_cue(bi, block, i + used - 1, found.cue.direction):
                # LUCIETTA / "(«Figurarse, figurarse»; la l'ha dito…)." and the next cue: the speech, said aside
                said, cue_text = found.cue.direction, found.cue.text
                cut = cue_text.rfind("(" + said[:12])
                found = replace(found, cue=replace(found.cue, text=cue_text[:cut].rstrip(" ,") if cut > 0 else cue_text,
                                                   direction=None), rest=said, alone=True)
            if found is not None:
                if found.rest and is_cast_list_entry(found.rest, in_dialogue=bi > self.first_act or builder.has_dialogue or (
                        builder.speech_open() and not builder.open_speech_is_empty())):
                    builder.end_speech()
                    i += used
                    continue
                builder.start_speech(self._joint(found.cue), source)
                if not self.conv.accepts(found.form, found.caps) and not found.cue.is_group_all:
                    primary = self.conv.primary()
                    usual = f" ({primary.label})" if primary else ""
                    self._doubt(line.number, 0.6, f"read '{found.cue.text}' as a cue, though it is written unlike "
                                                  f"this play's cues{usual}")
                self.cue_block = bi
                self.cue_alone = found.alone and i + used == len(lines)
                self.under_lone_cue = (bi, i + used) if found.alone else None
                self.speech_hang = (line.indent + len(line.text) - len(found.rest)
                                    if found.rest and used == 1 and line.text.endswith(found.rest) else None)
                if i + used < len(lines):
                    self.speech_indent = lines[i + used].indent if found.alone else line.indent
                elif not found.alone:
                    self.speech_indent = line.indent
                else:
                    self.speech_indent = None  # set by the paragraph under the cue
                if found.rest:
                    builder.add_text(found.rest, source)
                i += used
                continue
            technical = TECHNICAL_CUE.match(line.text)
            if technical:
                j = i + 1
                while j < len(lines) and self._cue_at(bi, block, j)[0] is None and not TECHNICAL_CUE.match(lines[j].text):
                    j += 1
                text = " ".join(ln.text for ln in lines[i:j])
                rest = technical.group("rest")
                self.technical_hang = (bi, line.indent + len(line.text) - len(rest.lstrip())) if rest.strip() else None
                if j == len(lines) and not rest.strip():
                    builder.end_speech()
                    self.technical_label = text
                else:
                    builder.direction(text, source)
                i = j
                continue
            if i > 0 and (line.text.startswith("#") or line.text.isupper()) and is_structure_line(line.text):
                self._structure_heading(line)
                i += 1
                continue
            direction = _whole_line_direction(line.text)
            if direction is not None and self.conv.spoken_parens and i > 0 and builder.speech_open() \
                    and not builder.open_speech_is_empty() and line.text.lstrip("*_").startswith("("):
                direction = None  # "( Which by no means we may extenuate)" in the verse of a play that brackets [directions]
            if direction is not None and i + 1 == len(lines) and self.under_lone_cue == (bi, i) \
                    and builder.open_speech_is_empty() and self._aside_under_cue(bi, block, i, direction):
                builder.add_text(direction, source)  # LUCIETTA / "(Adesso, el va zoso)": the speech, said aside
                i += 1
                continue
            if direction is None and self.conv.unmarked_directions and i > 0 and line_is_direction_word(line):
                direction = line.text
            if direction is not None:
                # inside a speech, unless the speech is said and the next line opens another
                inline = builder.speech_open() and (
                    builder.open_speech_is_empty() or i + 1 >= len(lines) or self._cue_at(bi, block, i + 1)[0] is None)
                builder.direction(direction, source, inline=inline)
                i += 1
                continue
            if _is_italic_line(line.text) and not builder.speech_open():
                builder.direction(_strip_emphasis(line.text), source)
                i += 1
                continue
            if i > 0 and self._doer_line(bi, block, i):
                builder.direction(line.text, source)
                i += 1
                continue
            if builder.continuing_speakers() and (conv_readings.get((bi, i), _SOME)[0] or line.text[:2] in ("**", "__")):
                self._warn_missed_cue(bi, line, opens_paragraph=i == 0)
            builder.add_text(line.text, source)
            i += 1
        if not was_open and first is None and builder.speech_open():
            self.speech_indent = block.indent  # a speech taken up again after a direction: its own indent now
        if self.speech_indent is None and builder.speech_open() and not builder.open_speech_is_empty():
            self.speech_indent = block.indent
        if builder.speech_open() and not builder.open_speech_is_empty() and _verse_shaped(block):
            self.verse_block = bi
        if self.conv.one_paragraph_speeches and not (self.cue_block == bi and first is not None and first.alone):
            builder.end_speech()

    def _singer_of(self, label: str, last: tuple[str, ...] | None, bi: int, source: Source) -> None:
        """``SONG—Ruth.``, ``Aria.—Constance.``: the lyrics under the label, when no cue opens
        them, are the named singer's."""
        m = _SINGER.match(label)
        cue = parse_cue(m.group("who"), caps=m.group("who").isupper()) if m else None
        entering = self._entering()
        if cue is None and entering:
            cue = Cue(text=entering, names=(entering,))  # "Enter Mrs. Peachum, in a very great Passion." / "AIR VII."
        if cue is None and last:
            # "AIR III. Cold and raw, &c." names no one: a ballad opera's song is sung by who spoke last
            cue = Cue(text=" & ".join(last), names=last)
        if cue is not None:
            self.builder.start_speech(cue, source, tentative=True)
            self.cue_block, self.cue_alone = bi, True

    def _entering(self) -> str | None:
        """The one character an ``Enter …`` direction since the last speech brings on (or, before
        the scene's first speech, the one its directions name: ``_Peachum_ sitting at a Table``)."""
        names = []
        directions, scene_opening = self.builder.directions_since_last_speech()
        for text in directions:
            m = re.match(r"^(?:Enter|Re-enter|Enters)\b(?P<who>.*)$", plain_text(text))
            if m or scene_opening:
                who = (m.group("who") if m else plain_text(text)).upper()
                names += [n for n in {**self.conv.cast, **self.conv.spelled}
                          if n in self.conv.names and re.search(rf"\b{re.escape(n)}\b", who)]
        longest = {n for n in names if not any(n != o and n in o for o in names)}
        if len(longest) != 1:
            return None
        key = longest.pop()
        return self.conv.spelled.get(key) or self.conv.cast[key]

    def _doer_line(self, bi: int, block: Block, li: int) -> bool:
        """``Mum leaves & kids shrug shoulders & giggle.`` between ``Mum: I'm leaving!`` and the next
        cue, in a play typed one speech to a line: a character doing something, not more speech."""
        if block.lines[li - 1].text.rstrip(" *_")[-1:] not in ".!?…\"”)":
            return False  # a wrapped speech's next line (tested first: most lines are)
        m = _DOER.match(block.lines[li].text)
        if not m or name_key(m.group("name")) not in self.conv.names:
            return False
        return sum(1 for k in range(len(block.lines)) if k != li and self._cue_at(bi, block, k)[0] is not None) >= 2

    def _structure_heading(self, line: SourceLine) -> None:
        title = _strip_emphasis(plain_text(line.text.strip().lstrip("#").strip()))
        level = 2 if _ACT_LEVEL.match(title) else 3
        self.builder.heading(title, level, Source(self.path, line.number), play_part=True)
        self.speech_indent = None

    def _aside_under_cue(self, bi: int, block: Block, li: int, words: str) -> bool:
        """``words`` in ``(…)`` on line ``li``, the last of its paragraph, under a cue (or on its
        line) with the next cue after them, in a play that sets its directions in ``[…]``: the
        speech itself, said aside (Goldoni's asides), not how a speech that never comes is said."""
        if not self.conv.brackets_directions:
            return False  # "Lauer (schaut von der Lektüre auf.)." where ( ) hold the play's directions
        if li != len(block.lines) - 1 or not block.lines[li].text.rstrip(" .").endswith(")") \
                or len(words.split()) < 3 or self._reads_as_direction(words):
            return False
        nxt = self.blocks[bi + 1] if bi + 1 < len(self.blocks) else None
        return nxt is None or nxt.kind != "paragraph" or _heading_paragraph(nxt) or self._cue_at(bi + 1, nxt, 0)[0] is not None

    def _scene_number(self, bi: int, block: Block) -> bool:
        """A number alone in its paragraph (``IV``, ``3.``), in the play's body and not under a
        cue alone on its line (a speech that says "III"), that names no character: a scene's number."""
        bare = block.first.text
        underlined = len(block.lines) == 2 and bool(_UNDERLINE.match(block.lines[1].text))  # "III" / "==="
        if not ((len(block.lines) == 1 or underlined) and _BARE_NUMBER.match(bare) and not self.builder.section.front_matter
                and name_key(bare) not in self.conv.names and not (self.cue_block == bi - 1 and self.cue_alone)):
            return False
        # and a cue, a direction or a heading after it: "2." between two stanzas numbers the song's verses
        nxt = self.blocks[bi + 1] if bi + 1 < len(self.blocks) else None
        return nxt is None or nxt.kind != "paragraph" or _heading_paragraph(nxt) or self._scene_number(bi + 1, nxt) \
            or _whole_line_direction(nxt.first.text) is not None or self._cue_at(bi + 1, nxt, 0)[0] is not None

    def _holds_a_cue(self, bi: int, block: Block) -> bool:
        """A paragraph with no blank lines in it may hold a whole scene: ``Master`` /
        ``Boatswain!`` / ``Boatswain`` / ``Here, master``…"""
        return any(self._cue_at(bi, block, li)[0] is not None for li in range(1, len(block.lines)))

    def _cue_at(self, bi: int, block: Block, li: int) -> tuple[Candidate | None, int]:
        """The cue that opens line ``li`` of ``block``, if the conventions make it one,
        and how many lines it takes (a cue's direction may wrap onto the next)."""
        conv = self.conv
        if li > 0 and conv.cues_open_paragraphs and not block.lines[li].text.startswith(("**", "__")):
            return None, 1  # a hard-wrapped speech: only a bold cue may open a line inside it
        reading = conv.readings.get((bi, li))
        if reading is None:  # a line the census did not read: inside a wrapped cue, under a heading
            text, used = cue_text_of(block, li) if li == 0 else (block.lines[li].text, 1)
            reading = candidates(text, solo=conv.solo), used
        found, used = reading
        for cand in found:
            chorus = cand.alone and bool(_CHORUS.match(cand.cue.text))
            if not (conv.accepts(cand.form, cand.caps) or self._known_name_with_direction(li, cand)
                    or self._known_name_above_speech(block, li, cand) or self._known_name_in_bold(li, cand)
                    or self._known_name_heading_speech(block, li, cand) or self._known_name_unmarked(li, cand)
                    or self._known_name_colon_in_mixed_case(li, cand) or chorus):
                continue
            if li > 0 and conv.cues_open_paragraphs and cand.form not in (BOLD_COLON, BOLD):
                continue
            keys = [name_key(n) for n in cand.cue.names]
            known = chorus or all(k in conv.names or k in GROUP_NAMES for k in keys) \
                or name_key(cand.cue.text) in conv.names
            if cand.alone:
                if not self._alone_followed(bi, block, li + used) or self._cued_otherwise(cand):
                    continue
                if self.cue_block == bi - (li == 0) and self.builder.open_speech_is_empty() \
                        and not (known and (cand.caps or cand.form in (COLON, BOLD_COLON))):
                    continue  # "FARNCOMBE." / "Certainly.", "ΚΑΣΑΝΔΡΑ" / "Ἄπολλον Ἄπολλον": the speech under a cue
                if not known and not self._lone_name_is_cue(bi, block, li, cand):
                    continue
            elif not known and not self._new_name_allowed(li, cand):
                continue
            if len(block.lines) == 1 and self._names_only(cand.rest):
                continue  # "VALBORG. OLOF.", "DE FÖRRA. LISEN. IVAR.": who is on, set as a line of its own
            if cand.form not in (BOLD_COLON, BOLD) and self._bold_cues() and _is_wholly_emphasised(block.text):
                continue  # "_PYTHIAS. PHAEDRIA. DORIAS._" in a play cued in bold: a direction in italics
            return cand, used
        return self._lone_name_with_direction(bi, block, li, found), used

    def _bold_cues(self) -> bool:
        """Are this play's cues set in bold (so that its italics are directions)?"""
        primary = self.conv.primary()
        return primary is not None and primary.form in (BOLD_COLON, BOLD)

    def _names_only(self, rest: str) -> bool:
        """Is ``rest`` nothing but characters' names in capitals, each closed by a stop or a comma?"""
        if not rest or not rest.isupper() or rest.rstrip()[-1:] not in ".,":
            return False
        names = [n.strip() for n in _NAME_LIST_SPLIT.split(rest) if n.strip()]
        return bool(names) and all(name_key(n) in self.conv.names for n in names)

    def _cued_otherwise(self, cand: Candidate) -> bool:
        """``Creonte`` or ``Madre, mi squarci`` alone on a line of verse, in a play that cues CREONTE and
        MADRE in capitals: a word of the verse that happens to be a name, not a cue."""
        if cand.caps:
            return False
        for name in cand.cue.names:
            usual = self.conv.spelled.get(name_key(name))
            if usual is None or usual == name or usual != usual.upper():
                return False
        return True

    def _lone_name_with_direction(self, bi: int, block: Block, li: int, found: tuple[Candidate, ...]) -> Candidate | None:
        """``ROPER. [_To LILY, urgently._]`` on a line of its own, in a play whose cues stand
        alone: the cue, and how the speech under it is said."""
        if not found or not self.conv.accepts(ALONE, True) or (li + 1 < len(block.lines) and li > 0):
            return None
        for cand in found:
            inner = _whole_line_direction(cand.rest) if cand.form in (PERIOD, BRACKET) else None
            if inner is None or not all(name_key(n) in self.conv.names for n in cand.cue.names):
                continue
            if not self._alone_followed(bi, block, li + 1):
                continue
            direction = f"{inner}; {cand.cue.direction}" if cand.cue.direction else inner
            return replace(cand, form=ALONE, rest="", alone=True, cue=replace(cand.cue, direction=direction))
        return None

    def _joint(self, cue: Cue) -> Cue:
        """``MACBETH LENNOX`` is said by Macbeth and Lennox together."""
        names = self.conv.joint_cues.get(name_key(cue.names[0])) if len(cue.names) == 1 else None
        return replace(cue, names=names) if names else cue

    def _known_name_with_direction(self, li: int, cand: Candidate) -> bool:
        """``Pettersen (lights a lamp). Hark to them``: a character's name with how the
        speech is said, then a stop, at the head of a paragraph, in a play whose cues
        take another form."""
        return (li == 0 and cand.form == PERIOD and not cand.alone and cand.cue.direction is not None
                and "(" in cand.cue.text and all(name_key(n) in self.conv.names for n in cand.cue.names))

    def _reader(self, direction: str) -> str | None:
        """``BEN reads.``, ``Reads aloud.``: who reads (or sings) the uncued words that follow."""
        if not _READS_WORD.search(direction):
            return None
        m = _READS.match(plain_text(direction))
        if m is None:
            return None
        if m.group("name") is None:
            last = self.builder.last_speakers
            return last[0] if last and len(last) == 1 else None
        key = name_key(m.group("name"))
        if key not in self.conv.names:
            return None
        return self.conv.spelled.get(key) or self.conv.cast.get(key) or m.group("name")

    def _alone_on_stage(self, text: str) -> str | None:
        """``Martha alone.``, ``GASTON, seul.``: the character a direction leaves alone on stage."""
        if not _ends_with_alone_word(text):
            return None  # the cheap test first: plain_text may call the markdown parser
        m = _ALONE.match(plain_text(text))
        if m is None or name_key(m.group("name")) not in self.conv.names:
            return None
        key = name_key(m.group("name"))
        return self.conv.spelled.get(key) or self.conv.cast.get(key) or m.group("name")

    def _known_name_unmarked(self, li: int, cand: Candidate) -> bool:
        """``PEGGY. We're sorry`` or ``TOM (sighing) All right`` opening a paragraph, in a play whose
        cues are marked (``**NAME:**``, ``NAME:``): a character's cue that lost its bold or its colon
        in a transcription, not more of the speech before."""
        primary = self.conv.primary()
        return (li == 0 and not cand.alone and cand.caps and cand.form in (PERIOD, COLON, BRACKET)
                and primary is not None and primary.form in (BOLD_COLON, COLON) and primary.caps
                and cand.rest[:1] in _SPEECH_OPENERS and not self.conv.cues_open_paragraphs
                and all(name_key(n) in self.conv.names for n in cand.cue.names))

    def _known_name_colon_in_mixed_case(self, li: int, cand: Candidate) -> bool:
        """``Page:`` over his line (or ``Page: Clarinde.``) in a play whose colon cues are in capitals
        (``CLARINDE:``): a listed or recurring character's name and its colon, at the head of a
        paragraph, is a cue whatever its case (the name is a word, so an edition kept it in lower case)."""
        keys = [name_key(n) for n in cand.cue.names]
        return (li == 0 and not cand.caps and cand.form in (COLON, BOLD_COLON) and self.conv.accepts(cand.form, True)
                and all(k in self.conv.names for k in keys)
                and (cand.alone or all(k in self.conv.spelled for k in keys)))  # not "Ort der Handlung: Berlin."

    def _known_name_in_bold(self, li: int, cand: Candidate) -> bool:
        """``**ARIA** Zack, stop it.`` in a play whose cues are ``**NAME:**``: the colon forgotten
        on a character's bold name (read as the speech, with a warning: it used to vanish)."""
        return (li == 0 and cand.form == BOLD and not cand.alone and cand.caps and self.conv.accepts(BOLD_COLON, True)
                and all(name_key(n) in self.conv.names for n in cand.cue.names))

    def _known_name_above_speech(self, block: Block, li: int, cand: Candidate) -> bool:
        """``Beggar.`` alone on its line over the speech, in a play whose cues are ``Name. text``."""
        return (cand.alone and cand.form == ALONE and self.conv.accepts(PERIOD, cand.caps)
                and block.lines[li].text.rstrip().endswith(".")
                and all(name_key(n) in self.conv.names for n in cand.cue.names))

    def _known_name_heading_speech(self, block: Block, li: int, cand: Candidate) -> bool:
        """``JULIET`` / ``(not seeing him)`` / ``O Romeo, Romeo!``: a character's name in capitals
        alone on the first line of a paragraph that goes on with the speech, in a play whose
        cues take another form."""
        return (li == 0 and cand.alone and cand.form == ALONE and cand.caps and li + 1 < len(block.lines)
                and all(name_key(n) in self.conv.names for n in cand.cue.names))

    def _new_name_allowed(self, li: int, cand: Candidate) -> bool:
        """A name not seen before opens a speech only in a marked form (``**NAME:**``,
        ``NAME:``), or in the play's own form at the head of a paragraph."""
        if cand.unmarked_direction:
            return False
        if cand.form == BOLD_COLON or (cand.caps and cand.form == COLON):
            return True
        if cand.form == BOLD and li == 0 and self.conv.accepts(BOLD, cand.caps):
            return True
        if (li == 0 or not self.conv.cues_open_paragraphs) and cand.caps \
                and cand.form in (PERIOD, BRACKET, COMMA, SPACED) and self.conv.accepts(cand.form, True):
            return True  # "A BYSTANDER [on the lady's right] He won't…": a one-off speaker in the play's own form
        primary = self.conv.primary()
        return (li == 0 and self.conv.cues_open_paragraphs and primary is not None
                and cand.form == primary.form and cand.caps == primary.caps and not self._speech_goes_on(cand))

    def _speech_goes_on(self, cand: Candidate) -> bool:
        """``Окаемов. Как?..`` / ``(Маша молча протягивает письмо.)`` / ``Хм. Письмо? Хорошо…``: after a
        direction inside a speech, a paragraph that opens like the cue of a name never heard, which the
        direction does not bring on, goes on with the speech (``(Ein Bote tritt auf.)`` / ``Bote. Herr!``
        is the messenger's cue, and so is a numbered part's, ``Second Pirate.``)."""
        if not self.builder.after_direction() or any(is_numbered(n) for n in cand.cue.names):
            return False  # "Second Pirate. A prize!": one of a numbered group, whoever the direction names
        if any(w.upper() in self.conv.names for n in cand.cue.names for w in _WORDS.findall(n)):
            return False  # "Asclepigenia y Atenais. ¡Qué portento!": characters heard before, together
        said, _first = self.builder.directions_since_last_speech()
        stems = {_stem(w) for text in said for w in _WORDS.findall(text)}
        return not any(_stem(w) in stems for name in cand.cue.names for w in _WORDS.findall(name))

    def _alone_followed(self, bi: int, block: Block, li: int) -> bool:
        """Is there a speech under this lone name?  Not a heading, and not ``by William
        Shakespeare`` under a title."""
        if li < len(block.lines):
            following = block.lines[li].text
        else:
            nxt = self.blocks[bi + 1] if bi + 1 < len(self.blocks) else None
            if nxt is None or nxt.kind != "paragraph" or len(block.lines) != 1:
                return False
            following = nxt.first.text
        return not is_structure_line(following) and not _is_byline(following)

    def _lone_name_is_cue(self, bi: int, block: Block, li: int, cand: Candidate) -> bool:
        """A name heard once (``MUSICIAN``) is a cue where the play's cues stand alone
        on their own lines and this one does too."""
        if cand.form == BOLD and self.conv.accepts(BOLD, cand.caps):
            return True  # "**VOICE OF MOTHER (filtered)**": bold is deliberate
        primary = self.conv.primary()
        if primary is None or primary.form not in (ALONE, BOLD):
            return False
        if len(block.lines) != 1:
            # screenplay layout in plain text: the name set off from its dialogue by indent;
            # or a play written without blank lines, where a speech ends before the name
            below = block.lines[li + 1] if li + 1 < len(block.lines) else None
            above = block.lines[li - 1].text if li > 0 else ""
            # or a play whose names head the paragraphs of their speeches ("MERCUTIO." once)
            return cand.caps and below is not None and (
                abs(below.indent - block.lines[li].indent) >= 4 or above.endswith((".", "!", "?", ":", ";"))
                or (li == 0 and self.conv.lone_cues_head_speeches))
        if not cand.caps and cand.form == ALONE:
            nxt = self.blocks[bi + 1] if bi + 1 < len(self.blocks) else None
            return nxt is not None and nxt.indent > block.indent
        return cand.caps

    def _paragraph_is_direction(self, bi: int, block: Block) -> bool:
        """A paragraph that opens with no cue: a direction, or more of the speech?"""
        text = block.text
        if _whole_line_direction(text) is not None or (_is_wholly_emphasised(text) and not _words_between_brackets(text)):
            return True  # (not "*(Dentro.)* ¡Espere usted!… *(Entra Everilda.)*": words between two directions)
        if text.startswith(("[", "(", "{")) and (text.rstrip(". ").endswith(("]", ")", "}")) or not re.search(r"[\])}]", text)) \
                and not _words_between_brackets(text):
            return True  # a bracketed paragraph, closed or left open by a careless transcriber
        builder = self.builder
        if self._set_off(bi, block) and not (self.cue_block == bi - 1 and self.cue_alone):
            return True
        set_apart = self.speech_indent is not None and abs(block.indent - self.speech_indent) > 1 and not (
            self.speech_hang is not None and abs(block.indent - self.speech_hang) <= 1)
        if not builder.speech_open():
            if builder.after_direction() and set_apart and not builder.named_next and block.indent > self.speech_indent \
                    and len(block.lines) <= 2:
                return True  # "Nacht." set as deep as the direction above it, not as the speech before
            return not builder.after_direction() or (not builder.named_next and self._judged_direction(block))
        if (self.cue_block == bi - 1 and self.cue_alone) or builder.open_speech_is_empty():
            return False  # the speech under a cue that stands alone, or after its opening direction
        if len(block.lines) == 1 and _reads_as_setting(text):
            return True  # "Night. A lonely road." after a speech: where the next scene is, not more words
        if set_apart and not builder.open_speech_is_sung():  # prose after the indented verse of a song
            return True  # set off from the speech by its indent, as directions and action are
        if self.conv.unmarked_directions and len(block.lines) == 1:
            line = block.first
            return line_is_direction_word(line) or self._reads_as_direction(text) or (
                len(line.text.split()) <= 8 and line.text[-1:] not in ".,;:?!")
        if self.conv.unmarked_directions:
            return False  # its first line may still be a direction: _opens_with_direction
        if builder.open_speech_runs_on() and block.first.text[:1].isalnum():
            return False  # a verse speech set one line to a paragraph: the sentence goes on
        if self.conv.one_paragraph_speeches:
            return not self._reads_as_speech(text)
        return self._judged_direction(block)

    def _plain_paragraph_goes_on(self, bi: int, block: Block) -> bool:
        """In a play that sets its directions on lines of their own in brackets, a plain paragraph
        after a speech (its paragraph ended, no heading since) is more of that speech: a second
        paragraph, a letter read out, a song, unless it reads as a direction or a setting."""
        conv, text = self.conv, block.text
        if not conv.one_paragraph_speeches or conv.unmarked_directions or conv.bracket_lines + conv.paren_lines < 3:
            return False
        if text.startswith(("[", "(", "{")) or _is_wholly_emphasised(text) or _whole_line_direction(text) is not None:
            return False
        if TECHNICAL_CUE.match(block.first.text) or line_is_direction_word(block.first):
            return False
        found = conv.readings.get((bi, 0))
        if found and any(conv.accepts(c.form, c.caps) or all(name_key(n) in conv.names for n in c.cue.names)
                         for c in found[0]):
            return False  # a cue, maybe of a name not seen before, not more words
        short = _SHORT_NAME.match(text)
        if short and any(n.startswith(short.group(1).upper()) for n in conv.names):
            return False  # "Sir. E in qual di noi…": SIROE's name cut short (and "Sir" a title), a cue
        if _CAPS_CUE_SHAPE.match(text) or _TITLED_CUE_SHAPE.match(text):
            return False  # "SILENCE: Dead, sir.", "El Vendedor De Agua De Limón. El dinero…": a cue it could not read
        words = re.split(r"[\s(\[]+", text, maxsplit=3)[:3]
        if any(name_key(" ".join(words[:k]).rstrip(".,:;")) in conv.names for k in (1, 2, 3)):
            return False  # "Nora (after a short pause…) Torvald!": it opens with a character's name
        return not (len(block.lines) == 1 and _reads_as_setting(text)) and not self._reads_as_direction(text) \
            and not self._set_off(bi, block)

    def _set_off(self, bi: int, block: Block) -> bool:
        """A short line with more blank lines above it than this play puts between its speeches
        (``Jaxthausen``, ``Canzona``, ``Lager``): a scene's title or setting, not more speech."""
        if bi == 0 or len(block.lines) > 2 or len(block.text.split()) > 12 or self.blocks[bi - 1].kind != "paragraph":
            return False
        if not self.builder.has_dialogue or (not self.builder.speech_open() and self.builder.last_speakers is None):
            return False  # no speech before it in this scene: a title page, a cast list
        gap = block.first.number - self.blocks[bi - 1].lines[-1].number - 1
        return gap >= 2 and gap > self.usual_gap

    def _judged_direction(self, block: Block) -> bool:
        """Plain prose after a speech, in a play without a settled layout: weigh its
        words, and tell the user when they do not decide it."""
        speech, direction = self._scores(block.text)
        if speech == direction:
            self._doubt(block.first.number, 0.8, "could not tell whether this paragraph is speech or a stage "
                        "direction; read as more of the speech before it (mark a direction with ( ) or [ ])", warn=True)
        return direction > speech

    def _opens_with_direction(self, block: Block) -> bool:
        """Verse plays with unmarked directions: a later paragraph of a speech that
        opens ``Knocking within`` or ``To BANQUO`` opens with a direction."""
        if not self.conv.unmarked_directions or len(block.lines) < 2:
            return False
        first = block.lines[0]
        words = first.text.split()
        caps_name = any(name_key(w.strip(",.;")) in self.conv.names and w.isupper() for w in words)
        return line_is_direction_word(first) or caps_name or (len(words) <= 5 and first.text[-1:] not in ".,;:?!")

    def _scores(self, text: str) -> tuple[int, int]:
        """How much ``text`` reads as speech (I, you, ?, !) and as a direction (he, she,
        enters, a character's name in capitals)."""
        speech = len(_SPEECH_WORDS.findall(text))
        direction = len(_DIRECTION_WORDS.findall(text)) if self.english else 0  # German "her", "hin und her"
        direction += sum(1 for w in re.findall(r"\b[A-Z][A-Z'.]{2,}\b", text) if name_key(w.rstrip(".")) in self.conv.names)
        return speech, direction

    def _reads_as_speech(self, text: str) -> bool:
        speech, direction = self._scores(text)
        return speech >= 2 and speech >= direction

    def _reads_as_direction(self, text: str) -> bool:
        speech, direction = self._scores(text)
        return direction > speech

    @staticmethod
    def _direction_text(text: str) -> str:
        inner = _whole_line_direction(text)
        if inner is not None:
            return inner
        if text.startswith("[") and "]" not in text:
            text = text[1:]  # "[_Exit Lark into the mill.": a bracket the transcriber never closed
        return _strip_emphasis(text) if _is_wholly_emphasised(text) else text.strip()

    def _title_block(self, bi: int, block: Block) -> bool:
        """The title at the top of a text file; author and subtitle lines under it."""
        builder = self.builder
        script = self.script
        if builder.section.level != 0 or builder.speech_open() or builder.has_dialogue:
            return False
        lines = block.lines
        heads_text_file = not self.markdown and not script.title and block is self._first_paragraph()
        if heads_text_file and len(lines) == 2 and _is_byline(lines[1].text):
            script.title = plain_text(lines[0].text)  # "HAMLET" / "by William Shakespeare"
            lines = lines[1:]
        elif len(lines) != 1:
            return False
        line = lines[0].text
        below = [b for b in self.blocks[bi + 1:bi + 3] if b.kind == "paragraph" and len(b.lines) == 1]
        byline_below = next((n for n, b in enumerate(below, start=1) if _is_byline(b.first.text)), 0)
        nxt = self.blocks[bi + 1] if bi + 1 < len(self.blocks) else None
        cast_below = nxt is not None and nxt.kind == "paragraph" and is_cast_heading(nxt.first.text)
        act_below = nxt is not None and nxt.kind == "paragraph" and is_structure_line(nxt.first.text)
        short_name = len(line.split()) <= 8 and line[-1:] not in ".,;:?!" and not is_structure_line(line)
        author_below = heads_text_file and short_name and self._author_above_list(bi)
        if heads_text_file and line == block.first.text and (
                block.first.indent >= 8 or byline_below or ((cast_below or act_below) and short_name) or author_below):
            script.title = plain_text(line)  # a centred line at the top of a text file, or one above its author
            if author_below:
                script.author = plain_text(self.blocks[bi + 1].first.text)  # "Jules Lagarde" between it and the list
                self.subtitle_block = bi + 1
            if byline_below == 2 and len(below[0].first.text.split()) <= 12:
                script.subtitle = plain_text(below[0].first.text)  # "A JEST IN ONE ACT" between the two
                self.subtitle_block = self.blocks.index(below[0])
            return True
        if bi == self.subtitle_block:
            return True
        author = _AUTHOR.match(plain_text(line))  # "**by A. Author**, translated by …" too
        if author and script.author is None:
            script.author = author.group("who")
            script.structure.append(line)
            return True
        if (
            script.title and script.subtitle is None and script.author is None and self.markdown
            and not builder.section.raw and len(line.split()) <= 12
            and not candidates(line) and _whole_line_direction(line) is None
        ):
            script.subtitle = plain_text(line)
            return True
        return False

    def _author_above_list(self, bi: int) -> bool:
        """``LE POLITICOMANE ET LE NIHILISTE`` / ``Jules Lagarde`` / ``LES ACTEURS``: is the paragraph
        under the title one short line (a name: no stop inside it) with the cast list's heading or the
        first act under that?"""
        if bi + 2 >= len(self.blocks):
            return False
        author, below = self.blocks[bi + 1], self.blocks[bi + 2]
        if author.kind != "paragraph" or len(author.lines) != 1 or below.kind != "paragraph":
            return False
        name = author.first.text.rstrip(".")
        if not 1 <= len(name.split()) <= 6 or not name[:1].isupper() or re.search(r"[.,;:?!()\[\]]", name) \
                or _heading_paragraph(author) or is_cast_heading(name):
            return False
        return is_cast_heading(below.first.text) or is_structure_line(below.first.text)

    def _title_cue(self, bi: int, block: Block) -> bool:
        """A line at the head of the play that reads as a cue no one speaks under and
        no one is cued by again (``**Σοφοκλέους Ἀντιγόνη**`` above ``(ed. Jebb, 1891)``
        and the first real cue): the title, or structure once the play has one."""
        builder = self.builder
        if len(block.lines) != 1 or builder.has_dialogue or builder.speech_open() or is_structure_line(block.first.text):
            return False  # "SCENE I." under the title and the cast list heads the play's first scene
        cand = self._cue_at(bi, block, 0)[0]
        if cand is None or not cand.alone or any(name_key(n) in self.conv.names for n in cand.cue.names):
            return False
        for nbi in range(bi + 1, len(self.blocks)):
            nxt = self.blocks[nbi]
            if nxt.kind != "paragraph" or self._cue_at(nbi, nxt, 0)[0] is not None:
                break
            if _whole_line_direction(nxt.text) is None and not _is_wholly_emphasised(nxt.text):
                return False  # words under it: a one-off speaker opens the play
        title = plain_text(_strip_emphasis(block.first.text))
        if self.script.title:
            builder.structure(title)
        else:
            self.script.title = title
        return True

    def _first_paragraph(self) -> Block | None:
        return next((b for b in self.blocks if b.kind == "paragraph"), None)

    def _warn_missed_cue(self, bi: int, line: SourceLine, *, opens_paragraph: bool) -> None:
        """A line that will be read as more of the open speech but looks like a cue for another
        character: a known name alone on its line (``JULIET`` over ``(not seeing him)``), or a
        paragraph opening in a form this play does not use (``**LOMOV: Thank you`` with the bold
        left open, ``LOMOV Thank you`` among ``**NAME:**`` cues).  The name would be spoken in
        the wrong voice, so say so."""
        text = line.text
        if text.startswith(("**", "__")) and text.count(text[:2]) % 2:
            text = text[2:]  # bold opened and never closed
        speakers = self.builder.continuing_speakers()
        speaking = {name_key(s) for s in speakers}
        for cand in candidates(text):
            keys = {name_key(n) for n in cand.cue.names}
            name_like = (cand.alone and cand.form in (ALONE, BOLD) and len(cand.cue.text.split()) <= 4
                         and bi > self.first_act and not re.fullmatch(r"[IVXLCDM.]+", cand.cue.text))
            if not cand.caps or not (keys <= self.conv.names or name_like) or keys & speaking:
                continue
            if cand.alone and cand.form in (ALONE, BOLD):
                what = "stands alone on its line like a cue"
            elif cand.form != COMMA and cand.rest and (opens_paragraph or not self.conv.cues_open_paragraphs):
                primary = self.conv.primary()
                form = f" ({primary.label})" if primary else ""
                where = "this paragraph" if opens_paragraph else "this line"
                what = f"opens {where} like a cue, but not the way this play writes cues{form}"
            else:
                continue
            self._doubt(line.number, 0.9, f"'{' & '.join(cand.cue.names)}' {what}: read as more of "
                                          f"{' & '.join(speakers)}'s speech", warn=True)
            return

    def _doubt(self, number: int, weight: float, reason: str, *, warn: bool = False) -> None:
        """A guess the parse made: ``check`` lists the least sure; ``warn`` also makes it a warning."""
        source = Source(self.path, number)
        self.script.doubts.append((weight, source, reason))
        if warn:
            self.script.warnings.append(f"{source}: {reason}")

    @staticmethod
    def _warn_unclosed(script: Script) -> None:
        """A direction whose bracket was never closed is spoken with the line: say where."""
        for line in script.lines():
            text = line.spoken
            if text.count("(") > text.count(")") or text.count("[") > text.count("]"):
                script.warnings.append(f"{line.source}: a bracket opened and never closed, so the direction "
                                       "in it is spoken with the line")

    def _warn_unplaced(self, script: Script) -> None:
        lines = list(script.lines())
        if len(lines) < 20:
            return
        counts = [line.words for line in lines]  # each speech's words counted once
        words = sorted(counts)
        norm = max(words[len(words) * 9 // 10], 40)
        for line, count in zip(lines, counts, strict=True):
            if count > 8 * norm and count > 600:
                script.warnings.append(
                    f"{line.source}: {line.speakers[0]} speaks {count} words, far more than this play's norm"
                    " (a swallowed preface or a missed cue?)"
                )


_WORDS = re.compile(r"[^\W\d_]{2,}")


def _stem(word: str) -> str:
    """A word without its last two letters, for matching a name to a direction's words: ``Pirate`` /
    ``Enter Pirates``, ``Suppliant`` / ``two or three Suppliants``, ``Курьер`` / ``Входит курьер``."""
    word = word.casefold()
    return word[:-2] if len(word) > 4 else word


_SENTENCE_END = re.compile(r"(?<=[.])\s+")


def _reads_as_setting(text: str) -> bool:
    """``A Garden.``, ``Night. A lonely road.``: short sentences without a verb, one of them opening
    with an article or a time of day, ending with a full stop."""
    if len(text) > 60 or not text.endswith(".") or _SPEECH_WORDS.search(text):
        return False
    sentences = [s.rstrip(".").split() for s in _SENTENCE_END.split(text)]
    return (len(sentences) <= 3 and all(0 < len(words) <= 5 for words in sentences)
            and any(words[0].upper() in SETTING_OPENERS for words in sentences)
            and not any(w.upper().strip(",;") in SETTING_VERBS for words in sentences for w in words))


_ENGLISH_WORDS = frozenset({"the", "and", "of", "to", "is", "you", "that", "it", "in", "with"})


def _reads_as_english(text: str) -> bool:
    """Is the play in English (so that English words weigh a paragraph as speech or direction)?"""
    words = re.findall(r"[a-z]+", text[:40000].lower())
    return not words or sum(1 for w in words if w in _ENGLISH_WORDS) >= 0.08 * len(words)


_BRACKET_GROUP = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")


def _words_between_brackets(text: str) -> bool:
    """``(zu Lauer aufschauend:) Nun, was sagst du? (Gibt ihm das Blatt.)``: words said between
    two directions, not one bracketed paragraph."""
    if text.count("(") + text.count("[") + text.count("{") < 2:
        return False
    outside = _BRACKET_GROUP.sub(" ", text)
    return any(any(c.isalpha() for c in w) for w in outside.split())


def _usual_gap(blocks: list[Block]) -> int:
    """The blank lines most often found between two paragraphs."""
    gaps: Counter[int] = Counter()
    for prev, block in pairwise(blocks):
        if prev.kind == "paragraph" and block.kind == "paragraph":
            gaps[block.first.number - prev.lines[-1].number - 1] += 1
    return gaps.most_common(1)[0][0] if gaps else 1


def _ends_with_alone_word(text: str) -> bool:
    """``… alone.``, ``… SEUL``, in any case.  A case-blind search tries each word at each letter;
    ASCII text (nearly all) is lowered, which keeps what matches, and searched without the flag."""
    if text.isascii():
        return _ALONE_AT_END_LOWER.search(text.lower()) is not None
    return _ALONE_AT_END.search(text) is not None


def _verse_shaped(block: Block) -> bool:
    """Four or more short lines, each opening with a capital and none bracketed: a stanza."""
    lines = block.lines
    return len(lines) >= 4 and all(
        len(line.text) <= 60 and line.text[:1].isupper() and line.text[:1] not in "[(" for line in lines)


def _front_matter_headings(blocks: list[Block]) -> set[int]:
    """Headings of front matter: ``## Cast``, and the sub-headings under it (``#### The Family``
    over its part of the cast list) that are no act or scene."""
    found: set[int] = set()
    open_front: list[int] = []  # levels of the front-matter headings enclosing this point
    for i, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        title = plain_text(block.first.text)
        while open_front and open_front[-1] >= block.level:
            open_front.pop()
        if FRONT_MATTER_HEADINGS.match(title) or (open_front and not is_structure_line(title)):
            found.add(i)
            open_front.append(block.level)
        elif is_cast_heading(title) and (after := next((b for b in blocks[i + 1:] if b.kind == "heading"), None)) \
                and (after.level <= block.level or (is_structure_line(plain_text(after.first.text))
                                                    and not is_end_mark(plain_text(after.first.text)))):
            # "## Personae" then "## Prologus", "# Personen" then "## Erster Auftritt": the heading alone, and
            # only where the next heading begins the play (else the play goes on under it: Josef's
            # "## Personaggi" with only "### Explicit" after the play)
            found.add(i)
    return found


def _is_byline(text: str) -> bool:
    """``by William Shakespeare``, not ``By my troth, I speak my thought.`` nor ``By and by I come``."""
    author = _AUTHOR.match(text)
    if not author or len(text.split()) > 6 or re.search(r"[,;:!?]|\w{3}\.$", text):
        return False
    words = plain_text(author.group("who")).split()
    return bool(words) and words[0][0].isupper() and all(w[0].isupper() or w in NAME_PARTICLES for w in words)


def _title_from_path(path: str) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ").title()


def _whole_line_direction(line: str) -> str | None:
    line = line.strip()
    if line[:1] not in "*_([{":
        return None  # what opens a direction is not there (most lines: no search)
    m = _WHOLE_DIRECTION.match(line)
    if not m:
        return None
    opener, closer = m.group("open"), m.group("close")
    if {opener, closer} not in ({"(", ")"}, {"[", "]"}, {"{", "}"}):
        return None
    inner = m.group("inner")
    # "(a) and (b)" is two directions with speech between, not one.
    if any(inner.count(a) != inner.count(b) for a, b in ("()", "[]", "{}")):
        return None
    if closer in inner and _closes_early(inner, closer):
        return None  # "(zu Lauer:) Nun, was sagst du? (Gibt ihm das Blatt.)": words between two directions
    return inner.strip().strip("_").strip()


def _closes_early(inner: str, closer: str) -> bool:
    """Does the opening bracket close inside ``inner`` (the text between the outer pair)?"""
    opener = {")": "(", "]": "[", "}": "{"}[closer]
    depth = 0
    for ch in inner:
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth < 0:
                return True
    return False


def _is_italic_line(line: str) -> bool:
    return len(line) > 2 and line[0] in "*_" and line[-1] == line[0] and line[1] not in "*_ " and line[-2] != " "


def _is_wholly_emphasised(text: str) -> bool:
    """``_The octagon room…_.`` or ``*The door opens.*``: a paragraph set in italics."""
    text = text.strip().rstrip(".").strip()
    if len(text) < 3 or text[0] not in "*_" or text[-1] != text[0] or text[:2] in ("**", "__"):
        return False
    return text[1] not in " *_" and text[-2] != " "


__all__ = ["SourceLine", "parse_markdown", "parse_text"]
