"""The census on real plays (../shared/corpus) and on the conventions fixture.

Each corpus play is checked against an independent oracle: a few lines of code
written for that one file's known layout (from the corpus README and by eye),
which lists its speakers in order.  The generic parser must agree with it on
at least 98% of the speeches, and the conventions ``check`` reports must be
the ones the file really uses.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import CORPUS, parse_fixture, spoken

from runthru_build.script import load_script
from runthru_build.script.cues import name_key
from runthru_build.script.play import is_structure_line

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")


def _body(name: str, start: str, end: str, encoding: str = "utf-8-sig") -> list[str]:
    lines = (CORPUS / name).read_bytes().decode(encoding).replace("\r\n", "\n").split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip() == start)
    last = next((i for i in range(len(lines) - 1, first, -1) if end and lines[i].strip().startswith(end)), len(lines))
    return lines[first:last]


def _oracle_ibsen() -> list[str]:
    body = _body("ibsen_a_dolls_house.txt", "ACT I", "End of the Project Gutenberg")
    names = ("Nora", "Helmer", "Mrs. Linde", "Krogstad", "Rank", "Doctor Rank", "Nurse", "Maid", "Porter",
             "Children", "The Children", "Servant")
    cue = re.compile(rf"^({'|'.join(re.escape(n) for n in names)})(?: \([^)]*\)?)?[.)]")
    out, previous_blank = [], True
    for line in body:
        m = cue.match(line) if previous_blank else None
        if m:
            out.append({"Doctor Rank": "Rank", "The Children": "Children"}.get(m.group(1), m.group(1)))
        previous_blank = not line.strip()
    return out


def _oracle_wilde() -> list[str]:
    body = _body("wilde_an_ideal_husband.txt", "FIRST ACT", "***END OF THE PROJECT")
    cue = re.compile(r"^((?:[A-Z][A-Z’']*\.? ?)+?)(?:\.  |\. *$| \[_)")
    out, previous_blank = [], True
    for line in body:
        m = cue.match(line) if previous_blank else None
        if m and not line.startswith(("SECOND ACT", "THIRD ACT", "FOURTH ACT", "SCENE", "CURTAIN", "ACT DROP")):
            out.append(m.group(1).strip().rstrip("."))
        previous_blank = not line.strip()
    return out


def _oracle_pinero() -> list[str]:
    body = _body("pinero_the_mind_the_paint_girl.txt", "THE FIRST ACT", "THE END.", encoding="latin-1")
    cue = re.compile(r"^([A-Z][A-Z .'&,-]+?)\.\s*(?:}.*)?$")
    return [m.group(1) for line in body if ((m := cue.match(line)) and not line.startswith(("THE ", "END OF")))
            or (m and line.startswith(("THE FOUR", "THE MEN", "THE LADIES", "THE BEARDED")))]


def _oracle_macbeth() -> list[str]:
    body = _body("shakespeare_macbeth.txt", "ACT I", "")
    return [{"MACBETH LENNOX": "MACBETH, LENNOX"}.get(line.strip(), line.strip()) for line in body  # said together
            if line.strip() and not line.startswith((" ", "ACT ", "SCENE "))]


def _oracle_antigone() -> list[str]:
    lines = unicodedata.normalize("NFC", (CORPUS / "sophocles_antigone_greek.md").read_text()).split("\n")
    bold = re.compile(r"^\*\*([^*]+)\*\*$")
    plain = {unicodedata.normalize("NFC", n) for n in ("Αἵμων", "Τειρεσίας", "Ἄγγελος", "Ἐξάγγελος", "Εὐρυδίκη")}
    out = []
    for line in lines[1:]:
        m = bold.match(line.strip())
        text = line.replace("<br>", "").strip()
        if m:
            out.append(m.group(1))
        elif text in plain:
            out.append(text)
    return out


ORACLES = {
    "ibsen_a_dolls_house.txt": _oracle_ibsen,
    "wilde_an_ideal_husband.txt": _oracle_wilde,
    "pinero_the_mind_the_paint_girl.txt": _oracle_pinero,
    "shakespeare_macbeth.txt": _oracle_macbeth,
    "sophocles_antigone_greek.md": _oracle_antigone,
}


def _speaker_keys(script) -> list[str]:
    return [unicodedata.normalize("NFC", name_key(line.speakers[0])) if len(line.speakers) == 1 else "GROUP"
            for line in script.lines() if not line.continued]


def _oracle_keys(names: list[str]) -> list[str]:
    return ["GROUP" if re.search(r",| AND |^ALL$", name.upper()) else unicodedata.normalize("NFC", name_key(name))
            for name in names]


@needs_corpus
@pytest.mark.parametrize("name", sorted(ORACLES))
def test_corpus_play_speakers_match_an_independent_reading(name):
    script = load_script(CORPUS / name, name)
    expected = _oracle_keys(ORACLES[name]())
    got = _speaker_keys(script)
    assert len(expected) > 200
    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    agreed = sum(block.size for block in matcher.get_matching_blocks())
    assert agreed / len(expected) >= 0.98, (name, agreed, len(expected), len(got))
    assert len(got) <= len(expected) * 1.02


@needs_corpus
@pytest.mark.parametrize(("name", "conventions"), [
    ("ibsen_a_dolls_house.txt", ['"Name." mixed case', "cues open paragraphs", "speeches: one paragraph",
                                 "DOCTOR RANK → Rank"]),
    ("wilde_an_ideal_husband.txt", ['"NAME." capitals', '"NAME [..]" capitals', "[_…_]"]),
    ("pinero_the_mind_the_paint_girl.txt", ['"NAME alone" capitals', "[_…_]"]),
    ("shakespeare_macbeth.txt", ['"NAME alone" capitals', '"Name alone" mixed case', "plain paragraphs",
                                 "said together: MACBETH LENNOX → MACBETH + LENNOX"]),
    ("sophocles_antigone_greek.md", ['"**Name**" mixed case', '"Name alone" mixed case']),
    ("beaumarchais_figaro_excerpt.md", ['"Name>" mixed case 52×']),
])
def test_check_names_the_conventions_each_corpus_play_uses(name, conventions):
    summary = load_script(CORPUS / name, name).conventions.summary()
    for part in conventions:
        assert part in summary, (part, summary)


@needs_corpus
def test_gutenberg_wrapper_and_back_matter_are_never_spoken():
    script = load_script(CORPUS / "pinero_the_mind_the_paint_girl.txt", "p.txt")
    spoken_text = " ".join(line.spoken for line in script.lines())
    assert "Project Gutenberg" not in spoken_text
    assert "ERRATA" not in spoken_text.upper()
    assert script.title == "The 'Mind the Paint' Girl"
    assert [s.full_title for s in script.scenes] == ["THE FIRST ACT", "THE SECOND ACT", "THE THIRD ACT", "THE FOURTH ACT"]
    assert script.back_matter, "the errata after THE END is kept as back matter"


@needs_corpus
def test_macbeth_directions_inside_speeches_are_not_spoken():
    script = load_script(CORPUS / "shakespeare_macbeth.txt", "m.txt")
    lady = [line for line in script.lines() if line.source.line in (1277, 1283, 1284)]
    spoken_all = " ".join(line.spoken for line in script.lines())
    assert "Knocking within" not in spoken_all
    assert "Exeunt" not in spoken_all
    assert lady and all(line.speakers == ("LADY MACBETH",) for line in lady)
    witches = next(line for line in script.lines() if line.spoken.startswith("Fair is foul"))
    assert witches.speakers == ("First Witch", "Second Witch", "Third Witch")  # ALL = the scene's speakers


@needs_corpus
def test_ibsen_plain_prose_between_speeches_is_direction_and_names_keep_their_case():
    script = load_script(CORPUS / "ibsen_a_dolls_house.txt", "i.txt")
    first = script.scenes[0]
    assert first.elements[0].__class__.__name__ == "Direction"
    lines = list(script.lines())
    assert (lines[0].speakers, lines[0].spoken[:24]) == (("Nora",), "Hide the Christmas Tree ")
    assert lines[0].directions == ("To the PORTER,\ntaking out her purse.",)
    assert (lines[1].speakers, lines[1].spoken) == (("Porter",), "Sixpence.")
    helmer = lines[3]
    assert (helmer.speakers, helmer.directions) == (("Helmer",), ("calls out from his room",))


def test_the_conventions_fixture():
    script = parse_fixture("conventions.md")
    assert spoken(script) == [
        (("GUARD #1",), "Tickets, please."),
        (("A",), "Here you are."),
        (("B",), "And mine."),
        (("GUARD #1",), "Thank you."),
        (('CHASSEUR "LE MARTINEZ"',), "Bonjour ! Ça va ?"),   # French spacing kept
        (("HARRY, JR.",), "Porter, sir?"),
        (("MR. & MRS. SMITH",), "Together, always."),           # no one speaks as MR. alone
        (("PARENTS ONE AND TWO",), "We say this at once."),
        (("PEASEBLOSSOM",), "…while the kettle sings."),        # PEAS. from the cast list; … kept
        (("A",), "I never said that."),                          # emphasis stays spoken
        (("B",), "You did. He always does."),
    ]
    lines = list(script.lines())
    assert lines[3].directions == ("Exit.",)
    assert lines[10].directions == ("Aside",)
    assert script.aliases == {"PEAS": "PEASEBLOSSOM"}
    assert script.structure == ["Warm-up", "THE END"]
    assert "PEASEBLOSSOM, a fairy" in "\n".join(script.front_matter)
    assert "aliases: PEAS → PEASEBLOSSOM" in script.conventions.summary()


def test_a_one_off_speaker_alone_on_a_line_is_a_cue():
    text = "# P\n\n## Scene 1\n\n" + "".join(
        f"{name}\n\n    {line}\n\n" for name, line in [
            ("ROMEO", "Hello there."), ("JULIET", "Hello back."), ("ROMEO", "Music, then."),
            ("MUSICIAN", "I play."), ("JULIET", "Thank you."),
        ])
    path = Path("/tmp") / "oneoff.md"
    path.write_text(text)
    script = load_script(path, "oneoff.md")
    assert [line.speakers[0] for line in script.lines()] == ["ROMEO", "JULIET", "ROMEO", "MUSICIAN", "JULIET"]


def test_screenplay_layout_in_plain_text():
    script = parse_fixture("screenplay-text.txt")
    assert script.title == "THE LAST TRAIN"
    assert [s.title for s in script.scenes] == ["INT. STATION PLATFORM - NIGHT"]
    assert spoken(script) == [
        (("MARGO",), "Is anyone there?"),
        (("GUARD",), "Last train's gone, miss."),
        (("MARGO",), "Then I'll wait for the first one."),
        (("GUARD",), "Suit yourself."),
        (("STATIONMASTER",), "Lock up, Harris!"),       # a one-off name, set off by its indent
    ]
    directions = [e.text for e in script.scenes[0].elements if not hasattr(e, "speakers")]
    assert directions[:2] == ["Rain hammers the roof. MARGO, 40s, waits alone with a suitcase.",
                              "A GUARD steps out of the shadows, lantern raised."]


def test_drama_class_markdown_with_bold_cues_labels_and_bold_headings():
    script = parse_fixture("drama-class.md")
    assert [s.title for s in script.scenes] == ["Scene 1: The Bedroom", "Scene 2: The Kitchen"]
    assert spoken(script) == [
        (("SAM",), "Where is it? I had it this morning!"),
        (("ALEX",), "Not here. Have you checked the bin?"),
        (("SAM",), "Why would my sock be in the bin?"),
        (("TEACHER",), "Time's up, both of you."),
        (("ALEX",), "Found it! It was in the fridge."),
        (("SAM",), "…in the fridge?"),
        (("ALEX", "SAM"), "The fridge!"),                 # ALL: the speakers of this scene
    ]
    assert script.structure == ["Warm-up", "THE END"]
    assert script.back_matter[0] == "**Debrief Prompts:**"  # after THE END, with no cue: the teacher's notes
    assert "Walk around the room. Freeze when the teacher claps." in script.front_matter


def test_mixed_case_period_cues_and_plain_prose_directions():
    script = parse_fixture("earnest-style.txt")
    assert script.conventions.forms[0].label == '"Name." mixed case'
    lines = list(script.lines())
    assert [line.speakers[0] for line in lines] == [
        "Algernon", "Lane", "Algernon", "Lane", "Lady Bracknell", "Jack", "Algernon", "Jack", "Lady Bracknell", "Jack"]
    assert lines[2].spoken.endswith("Algernon is a silly name, isn't it? Anyone can play accurately.")
    assert lines[5].spoken == "Good afternoon, dear Algernon."   # the prose after it is a direction
    assert lines[9].directions == ("Aside.",)
    assert script.front_matter == []
    assert script.scenes[0].title == "FIRST ACT"


def _parse(text: str, suffix: str = ".md"):
    from runthru_build.script.play import parse_markdown, parse_text

    return (parse_markdown if suffix == ".md" else parse_text)(text, f"t{suffix}")


def test_found_on_unseen_plays_a_speech_opening_with_an_ellipsis_is_kept():
    script = _parse("# T\n\n## S\n\n**MIKE**: . . .and so the cow said, stop.\n\n**KATE**: ...and more.\n\n"
                    "**MIKE**: Get it?\n")
    assert spoken(script) == [(("MIKE",), "...and so the cow said, stop."), (("KATE",), "...and more."),
                              (("MIKE",), "Get it?")]


def test_found_on_unseen_plays_a_preface_cue_is_front_matter_not_a_character():
    body = "".join(f"HIGGINS. Line {i}, said plainly.\n\nLIZA. Answer {i}.\n\n" for i in range(6))
    text = ("TRANSCRIBER'S NOTE: In the printed version the stage directions are italic.\n\n"
            "A Professor of Phonetics.\n\nACT I\n\n" + body)
    script = _parse(text, ".txt")
    assert script.characters == ["HIGGINS", "LIZA"]
    assert any("TRANSCRIBER'S NOTE" in block for block in script.front_matter)


def test_found_on_unseen_plays_one_off_bracket_cues_and_bold_cues_with_a_direction():
    body = "".join(f"HIGGINS. Line {i} of mine.\n\nLIZA [crying] Answer {i}.\n\n" for i in range(6))
    text = "ACT I\n\n" + body + "Titterings.\n\nA BYSTANDER [on the lady's right] He won't get no cab.\n"
    script = _parse(text, ".txt")
    assert list(script.lines())[-1].speakers == ("A BYSTANDER",)
    bold = _parse("# T\n\n## S\n\n**EDGAR**\nHello.\n\n**CLEMENCE**\nHi.\n\n**EDGAR**\nBye.\n\n"
                  "**VOICE OF MOTHER (filtered, distant)**\nClemence? Edgar?\n")
    last = list(bold.lines())[-1]
    assert (last.speakers, last.directions, last.spoken) == (("VOICE OF MOTHER",), ("filtered, distant",),
                                                             "Clemence? Edgar?")


def test_found_on_unseen_plays_a_plural_in_the_cast_list_renames_no_one():
    text = ("DRAMATIS PERSONAE\n\nDON PEDRO, Prince of Arragon.\nMessengers, Watch, Attendants, &c.\n\nACT I\n\n"
            + "".join(f"DON PEDRO.\n\nLine {i}.\n\nMESSENGER.\n\nNews {i}.\n\n" for i in range(4)))
    script = _parse(text, ".txt")
    assert script.characters == ["DON PEDRO", "MESSENGER"]


def test_found_on_unseen_plays_no_stray_stop_where_a_direction_was():
    script = _parse("# T\n\n## S\n\nHIGGINS: Sorry [he rushes off].\nHIGGINS: Give it to me. [takes it]. Now.\n")
    assert [line.spoken for line in script.lines()] == ["Sorry.", "Give it to me. Now."]


def test_found_on_unseen_plays_name_then_speech_with_no_mark_and_brace_directions():
    # Synge: "TRAMP Is it to go away…", "{He takes a drink.}"
    speeches = [("TRAMP", "Is it to go away and leave you, lady of the house?"), ("NORA", "I will not, surely."),
                ("MICHEAL", "That's a poor coat you have."), ("TRAMP", "If it's a poor tailor I am."),
                ("NORA", "Let you not mind him at all."), ("MICHEAL", "It's no lie he's telling."),
                ("NORA", "There's no one can drive a mountain ewe."), ("TRAMP", "It's a queer breed."),
                ("MICHEAL", "Mountain ewes is a queer breed."), ("NORA", "God spare his soul.")]
    lines = [f"{n} {t}" if i % 3 else f"{n} {{Looking up.}} {t}" for i, (n, t) in enumerate(speeches)]
    text = "By J. M. Synge\n" + "\n".join(lines[:2]) + "\n{He goes on stitching.}\n" + "\n".join(lines[2:]) + "\n"
    script = _parse(text, ".txt")
    assert spoken(script) == [((n,), t) for n, t in speeches]
    assert [e.text for e in script.scenes[0].elements if not hasattr(e, "speakers")] == ["He goes on stitching."]


def test_found_on_unseen_plays_a_scene_in_one_paragraph_with_names_alone():
    # an MIT Shakespeare text with no blank lines at all
    text = ("The Tempest\nACT I\nSCENE I. On a ship at sea.\nEnter a Master and a Boatswain\nMaster\nBoatswain!\n"
            "Boatswain\nHere, master: what cheer?\nMaster\nGood, speak to the mariners.\nExit\nBoatswain\n"
            "Heigh, my hearts!\nALONSO\nGood boatswain, have care.\nBoatswain\nI pray now, keep below.\n")
    script = _parse(text, ".txt")
    assert [line.speakers[0] for line in script.lines()] == ["Master", "Boatswain", "Master", "Boatswain", "ALONSO",
                                                             "Boatswain"]
    assert "Exit" not in " ".join(line.spoken for line in script.lines())


def test_found_on_unseen_plays_cue_direction_after_a_comma_and_two_people_one_surname():
    text = ("ACT I\n\n" + "".join(f"    JANOT.\n\nJe dis {i} ; bon.\n\n    MADAME RAGOT.\n\nEt moi {i}.\n\n"
                                   f"    RAGOT.\n\nMoi aussi {i}.\n\n" for i in range(3))
            + "    JANOT, APARTÉ.\n\nAh ! Jarni !\n")
    script = _parse(text, ".txt")
    assert script.characters == ["JANOT", "MADAME RAGOT", "RAGOT"]
    last = list(script.lines())[-1]
    assert (last.speakers, last.directions, last.spoken) == (("JANOT",), ("APARTÉ",), "Ah ! Jarni !")
    assert next(iter(script.lines())).spoken == "Je dis 0 ; bon."  # French spacing kept


def test_found_on_unseen_screenplays_forced_lowercase_names_and_a_blank_after_the_parenthetical():
    from runthru_build.script.fountain import parse_fountain

    text = ("INT. STUDIO - DAY\n\nTECHNIKER\n(enthusiastisch)\n\nWillkommen zur Premiere!\n\n"
            "MAYA\n(aufgeregt)\n\nWow, wir sind die ersten?\n\n@character\ni am saying some dialog\n\n"
            "I LIKE CHEESE (cont.)\nI am a lucky cheese lover.\n")
    script = parse_fountain(text, "k.fountain")
    assert spoken(script) == [(("TECHNIKER",), "Willkommen zur Premiere!"), (("MAYA",), "Wow, wir sind die ersten?"),
                              (("character",), "i am saying some dialog"),
                              (("I LIKE CHEESE",), "I am a lucky cheese lover.")]
    assert next(iter(script.lines())).directions == ("enthusiastisch",)


def test_a_new_name_in_the_plays_own_form_opens_a_line_when_cues_open_lines():
    # found by the importers: a short play whose third speaker speaks once
    script = _parse("NORA. Hello there.\nHELMER. [_Smiling_.] No, Nora.\nNORA. Fine, then.\nRANK. Good evening.\n"
                    "NORA. Oh!\n", ".txt")
    assert [line.speakers[0] for line in script.lines()] == ["NORA", "HELMER", "NORA", "RANK", "NORA"]
    assert list(script.lines())[1].spoken == "No, Nora."


@needs_corpus
def test_antigone_bold_title_line_is_the_title_not_a_cue():
    script = load_script(CORPUS / "sophocles_antigone_greek.md", "a.md")
    title = unicodedata.normalize("NFC", "Σοφοκλέους Ἀντιγόνη")
    assert unicodedata.normalize("NFC", script.title) == title
    assert not [w for w in script.warnings if "has no text" in w]
    assert title not in [unicodedata.normalize("NFC", c) for c in script.characters]


@pytest.mark.parametrize(("text", "suffix", "title", "structure"), [
    # a bold line above an editor's note, then the play's own cues
    ("**THE TEMPEST**\n\n(ed. Someone, 1891)\n\n", ".md", "THE TEMPEST", []),
    # the play already has a title: a bold line under it is structure
    ("# The Tempest\n\n**A ROMANCE IN FIVE ACTS**\n\n", ".md", "The Tempest", ["A ROMANCE IN FIVE ACTS"]),
    # plain text, the names alone on their lines: the same
    ("THE TEMPEST\n\n[Edited by someone.]\n\n", ".txt", "THE TEMPEST", []),
])
def test_a_line_heading_the_play_that_no_one_speaks_under_is_its_title(text, suffix, title, structure):
    cue = "**{}**\n" if suffix == ".md" else "{}\n\n    "
    body = "".join(cue.format(n) + f"{line}\n\n" for n, line in [("PROSPERO", "Hello there."), ("MIRANDA", "Hi."),
                                                                   ("PROSPERO", "Bye."), ("MIRANDA", "Ok.")])
    script = _parse(text + body, suffix)
    assert (script.title, script.structure, script.warnings) == (title, structure, [])
    assert script.characters == ["PROSPERO", "MIRANDA"]


def test_a_one_off_speaker_opening_the_play_keeps_the_words_under_a_direction():
    script = _parse("**BOATSWAIN**\n\n(steps forward)\n\nWelcome all.\n\n**PROSPERO**\nHello there.\n\n"
                    "**MIRANDA**\nHi.\n\n**PROSPERO**\nBye.\n")
    assert spoken(script)[0] == (("BOATSWAIN",), "Welcome all.")


def test_found_on_unseen_plays_names_heading_the_paragraphs_of_their_speeches():
    # Gutenberg's Shakespeare layout: "ROMEO." on the first line of the paragraph holding the speech
    script = parse_fixture("names-heading-speeches.txt")
    assert [(line.speakers[0], line.spoken.split(",")[0]) for line in script.lines()] == [
        ("ROWAN", "The wall is high and the hour is late"),
        ("IVY", "Then wait no more"),
        ("GARDENER", "Who goes there"),           # heard once: still a cue, not more of Ivy's speech
        ("ROWAN", "A gardener"),
        ("IVY", "By and by the moon will rise"),  # not a byline under a title
        ("ROWAN", "So be it"),
    ]
    assert list(script.lines())[3].directions == ("Aside.",)  # [_Aside._] is bracketed once, not twice
    assert (script.title, script.author) == ("THE GARDEN WALL", "Nobody In Particular")


@pytest.mark.parametrize("head", ["HAMLET\nby William Shakespeare\n\n", "HAMLET\n\nby William Shakespeare\n\n"])
def test_a_text_file_opening_with_a_title_over_its_byline(head):
    script = _parse(head + "ACT I\n\nHORATIO. Who's there?\n\nHAMLET. Not I.\n\nHORATIO. Nor I.\n", ".txt")
    assert (script.title, script.author, script.characters) == ("HAMLET", "William Shakespeare", ["HORATIO", "HAMLET"])


def test_found_on_unseen_plays_a_markdown_site_export_with_lists_and_front_matter():
    # an Ibsen translation exported from a Jekyll site: YAML front matter, a contents page, a bulleted
    # cast list, "* Name: * (dir).* text" list items and "Name.:" cues
    script = parse_fixture("site-export.md")
    assert script.title == "The Lamp Room"                   # from the front matter, not "CONTENTS"
    assert [(line.speakers[0], line.spoken) for line in script.lines()] == [
        ("Martha", "There, that will last the evening."),  # "Name (dir). text" in a "Name:" play
        ("Tobias", "Is it late, then?"),
        ("Martha", "Late enough."),
        ("Tobias", "I heard the clock strike nine."),
        ("A Clerk", "A letter for Mrs. Holm."),
        ("Martha", "Thank you."),
        ("A Clerk", "And a parcel, madam, I nearly forgot."),  # "The Clerk" is "A Clerk"
        ("Martha", "Leave it by the door."),
        ("Tobais", "Shall I open it?"),
        ("Martha", "No, Tobias. Not tonight."),
        ("Tobias", "As you wish."),
    ]
    assert [s.title for s in script.scenes] == ["ACT I"]      # the contents page and "The first act passes…"
    assert "cast list: 3 names" in script.conventions.summary()


def test_found_on_the_corpus_two_names_on_one_cue_are_said_together():
    # the MIT Shakespeare writes a shared line as "MACBETH LENNOX"
    text = "ACT I\n\nSCENE I. A hall.\n\n" + "".join(
        f"{name}\n\n    {line}\n\n" for name, line in [
            ("ROMEO", "Who knocks?"), ("JULIET", "Not I."), ("ROMEO", "Nor I."), ("JULIET", "Then who?"),
            ("ROMEO JULIET", "What's the matter?"), ("LADY CAPULET", "Come in."), ("LADY CAPULET", "Sit."),
        ])
    script = _parse(text, ".txt")
    assert [line.speakers for line in script.lines()][4:] == [("ROMEO", "JULIET"), ("LADY CAPULET",), ("LADY CAPULET",)]


def test_found_on_unseen_plays_italic_names_with_a_stop_are_cues_in_a_gutenberg_text():
    """The Beggar's Opera as Gutenberg prints it: ``_Filch._ Sir, …`` (italics as underscores),
    ``[Exit _Filch_.`` left open at the end of a speech, a song's ``AIR I.`` label, and an
    introduction between the cast list and the first act whose first cue stands alone."""
    script = parse_fixture("italic-cues.txt")
    assert script.title == "THE TINKER'S WEDDING-FEAST"
    assert [line.speakers[0] for line in script.lines()] == [
        "Host", "Tinker", "Host", "Moll", "Mr. Gudgeon", "Moll", "Mr. Gudgeon", "Mr. Gudgeon", "Tinker",
        "Mr. Gudgeon", "Tinker"]
    said = {line.source.line: line for line in script.lines()}
    assert said[17].spoken.startswith("If Patience be a Title to Plenty")
    assert said[46].spoken == "He says he will not stay past the Hour."
    assert said[46].directions == ("Curtsies.",)
    assert said[48].spoken == "Then give him this Shilling and my Compliments."
    assert said[61].directions == ("Aside.",)
    assert "OVERTURE" in script.structure and "AIR I. The Kettle's on the Hob, &c." in script.structure
    assert not any("AIR" in line.spoken or "OVERTURE" in line.spoken for line in script.lines())


def test_found_on_unseen_plays_italic_names_alone_over_verse_and_an_original_cast_column():
    """A children's play from Gutenberg: ``_Miller_`` alone over indented verse, directions
    opened with ``[_`` and never closed, the cast list headed ``CHARACTERS   ORIGINAL CAST``."""
    script = parse_fixture("italic-names-alone.txt")
    assert spoken(script) == [
        (("Miller",), "Who goes there, with a light so low, Down by the race where the waters flow?"),
        (("Lantern-bearer",), "A friend, good miller, a friend to thee, Bearing the lamp for the lark to see."),
        (("Lark",), "I sang all day and I lost my way; Light me home, for the light is grey."),
        (("Miller",), "Sing once more and the door is wide."),
        (("Lantern-bearer",), "Then I'll away to the river-side."),
    ]
    assert script.scenes[0].title == "SCENE I. The mill at dusk."
    directions = [e.text for e in script.scenes[0].elements if not hasattr(e, "speakers")]
    assert directions == ["The Lark flutters down to the sill.", "Exit Lark into the mill.", "Curtain."]
    assert not script.warnings


def test_found_on_unseen_plays_german_scenes_and_a_direction_between_name_and_stop():
    """Büchner as the German text sites give him: ``1. Szene``, ``Erster Aufzug``, ``ERSTER
    AUFTRITT`` are structure, and ``LENE ihn ansehend, zögernd. Es ist…`` is Lene's speech with
    how she says it (spaced type in print, plain in the text)."""
    script = parse_fixture("german-szene.txt")
    assert script.title == "Der Uhrmacher"
    assert [s.full_title for s in script.scenes] == [
        "Erster Aufzug — 1. Szene", "Erster Aufzug — 2. Szene", "Zweiter Aufzug — ERSTER AUFTRITT"]
    assert spoken(script) == [
        (("MEISTER",), "Lene! Wo bleibt das Öl für die Räder?"),
        (("LENE",), "Es ist keins mehr da, Meister."),
        (("MEISTER",), "Keins mehr! Und die Kirchturmuhr steht seit Mittag."),
        (("LENE",), "Ich lauf zum Krämer."),
        (("MEISTER",), "Lauf, Kind, lauf."),
        (("LENE",), "Gleich bin ich zurück."),
        (("MEISTER",), "Alles steht still, wenn man nicht ölt. Das ganze Leben."),
        (("KRÄMER",), "Was soll's sein, Jungfer?"),
        (("LENE",), "Öl, für die Uhren. Der Meister wartet."),
        (("KRÄMER",), "Der wartet immer."),
    ]
    assert [line.directions for line in script.lines()][1:3] == [("ihn ansehend, zögernd",), ("ärgerlich",)]
    assert not script.warnings


@pytest.mark.parametrize("heading", ["ATTO PRIMO", "SCENA SECONDA", "ACTO PRIMERO", "Escena III", "Dritte Szene.",
                                     "7. Szene (= H 4,7)", "Vorspiel auf dem Theater"])
def test_found_on_unseen_plays_italian_spanish_and_german_act_and_scene_lines_are_structure(heading):
    body = "".join(f"MARIA. Line {i}.\n\nPEPE. Answer {i}.\n\n" for i in range(3))
    script = _parse(f"{heading}\n\n{body}", ".txt")
    assert script.scenes[0].title.startswith(heading.rstrip("."))
    assert all(heading not in line.spoken for line in script.lines())


def test_a_name_then_lower_case_words_opens_a_speech_only_for_a_known_name():
    """``TV is on. Look`` reads like ``MARIE spöttisch. Ach was!``, but TV is no one in the play."""
    body = "".join(f"JOHN. Line {i}.\n\nMARY. Answer {i}.\n\n" for i in range(3))
    script = _parse(body + "JOHN. Watch this.\n\nTV is on. Look at it.\n\nMARY sighs. Again.\n", ".txt")
    lines = list(script.lines())
    assert [ln.speakers[0] for ln in lines[-2:]] == ["JOHN", "MARY"]
    assert lines[-2].spoken == "Watch this. TV is on. Look at it."
    assert (lines[-1].spoken, lines[-1].directions) == ("Again.", ("sighs",))


def test_found_on_unseen_plays_italian_cues_with_the_article_capitalised_and_the_name_not():
    """Pirandello as Italian editions print him: ``Il padre.``, ``La figliastra (con gaja vivacità).``"""
    text = ("Il padre. D'uno qualunque, signore.\n\n"
            "Il capocomico. Ma qui non c'è nessun autore.\n\n"
            "La figliastra (con gaja vivacità, salendo la scaletta). Tanto meglio, signore!\n\n"
            "Il padre (seguendo la Figliastra). Già, ma se non c'è l'autore!\n\n"
            "Il capocomico. Lor signori vogliono scherzare?\n\n"
            "La figliastra. No, signore.\n\n"
            "Il padre. Le portiamo al contrario un dramma doloroso.\n\n"
            "La prima attrice. Oh, senti!\n\n"
            "Il capocomico. Basta!\n\n"
            "La prima attrice. Senti, senti!\n")
    script = _parse(text, ".txt")
    assert [line.speakers[0] for line in script.lines()] == [
        "Il padre", "Il capocomico", "La figliastra", "Il padre", "Il capocomico", "La figliastra", "Il padre",
        "La prima attrice", "Il capocomico", "La prima attrice"]
    third = list(script.lines())[2]
    assert (third.spoken, third.directions) == ("Tanto meglio, signore!", ("con gaja vivacità, salendo la scaletta",))


def test_found_on_unseen_plays_a_verse_speech_one_line_to_a_paragraph_runs_on_past_them_and_them():
    """A libretto set one verse line to a paragraph: a line that ends mid-sentence goes on into
    the next, however its words score (``Oh, heed it not, the cause…`` after ``…upon the bough,``);
    ``Chorus of Villagers.`` over its lyrics is who sings them; ``Aria.—Prudence.`` is a label, never
    spoken, naming who sings the lines under it."""
    script = parse_fixture("libretto-lines.txt")
    assert spoken(script) == [
        (("Chorus of Villagers",), "Ring out, ye bells, Across the green, For such a day was never seen!"),
        (("Mrs. G",), "Prudence, my child, why wear that doleful face? The bells are ringing for the squire's son, "
                      "And every lass is dancing on the green."),
        (("Pru",), "Oh, mother, do not look! For if I blush, And then grow pale, and then grow red again, "
                   "And tremble like a leaf upon the bough, Oh, heed it not, the cause must stay unknown!"),
        (("Mrs. G",), "My girl, be honest; never hope to cheat The sharp-eyed keeper of the parish pew!"),
        (("Pru",), "How guessed she that, the secret of my heart?"),
        (("Prudence",), "When he is near,"),
    ]
    assert "Aria.—Prudence." in script.structure


def test_found_on_unseen_plays_all_with_one_person_on_stage_is_a_chorus_not_that_person():
    """The Pirates of Penzance opens ``ALL: Pour, O pour the pirate sherry`` / ``SAMUEL: For today…``:
    ALL is the chorus, not Samuel, the only one named yet."""
    text = ("ACT I\n\n  ALL:      Pour, O pour the pirate sherry;\n                 Fill, O fill the pirate glass;\n\n"
            "  SAMUEL:   For today our pirate 'prentice\n                 Rises from indentures freed;\n\n"
            "  ALL:      Here's good luck to Fred'ric's ventures!\n")
    script = _parse(text, ".txt")
    assert [line.speakers for line in script.lines()] == [("ALL",), ("SAMUEL",), ("ALL",)]


def test_found_on_unseen_plays_spanish_cues_with_a_dash_after_the_stop():
    """Lorca as the Spanish sites print him: ``NOVIO.-  Me voy.``, ``MADRE.—¿Qué?``; ``CUADRO
    PRIMERO`` is a scene, and ``MADRE.-  … y ese hombre`` is a speech, not a cast-list leader."""
    script = parse_fixture("spanish-dash-cues.txt")
    assert [s.full_title for s in script.scenes] == ["ACTO PRIMERO — CUADRO PRIMERO"]
    assert spoken(script) == [
        (("HIJO",), "Madre."), (("MADRE",), "¿Qué?"), (("HIJO",), "Me voy al molino."), (("MADRE",), "¿Tan pronto?"),
        (("HIJO",), "Hay que moler antes de la lluvia."), (("MADRE",), "… y la lluvia no espera a nadie. Lo sé."),
        (("ARRIERO",), "¿Hay vino?"), (("MADRE",), "Para quien paga, siempre."),
    ]
    assert next(script.lines()).directions == ("Entrando.",)


def test_found_on_unseen_plays_a_radio_script_with_sound_and_music_cues():
    """A radio play typed with a hanging indent: ``MUSIC:``/``SOUND:`` lines are directions (with
    what they say under them, on the next paragraph or at the same column), a speech wrapped onto
    the cue's text column is still the speech, and the ``VOICES`` list is front matter."""
    script = parse_fixture("radio-cues.txt")
    assert spoken(script) == [
        (("NARRATOR",), "On the last rock before America there stood a light, and in the light there lived a "
                        "woman who did not care for company."),
        (("MAGGIE",), "Tom? Is that you, Tom?"),
        (("TOM",), "Who else would row out in this?"),
        (("TOM",), "The boat's holed. We'll not get back tonight."),
        (("MAGGIE",), "Then you'll have tea, and you'll like it."),
    ]
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["SOUND:     WAVES ON ROCKS. GULLS.", "A DOOR BANGS IN THE WIND.", "MUSIC: STING, THEN OUT",
                          "SOUND: KETTLE BEGINS TO SING"]
    assert script.characters == ["NARRATOR", "MAGGIE", "TOM"]  # "MAGGIE: A lighthouse keeper" is the cast list
    assert not script.warnings


def test_found_on_unseen_plays_a_class_play_with_sentence_case_names_and_no_space_after_the_colon():
    """A school play as teachers type it: ``Old woman:``, ``Mother and girl:`` (only the first word
    capitalised), ``Girl:Thank you!``; ``Props:`` and ``SCRIPT:`` are headings of the page, not people."""
    script = parse_fixture("class-play.txt")
    assert [(line.speakers[0], line.spoken.split()[0]) for line in script.lines()] == [
        ("Narrator", "Once"), ("Girl", "Mother,"), ("Mother", "Then"), ("Old woman", "Take"), ("Girl", "Thank"),
        ("Old woman", "And"), ("Narrator", "The"), ("Mother and girl", "Cook,"), ("Pot", "Bubble,"),
        ("Mother", "Stop,"), ("Mother and girl", "Stop,"), ("Old woman", "You")]
    assert "Props" not in script.characters and "SCRIPT" not in script.characters
    assert not script.warnings


def test_found_on_unseen_plays_names_listed_in_a_wrapped_direction_open_no_speech():
    """Pinero's long italic directions wrap onto lines that open with names: ``NITA, and VON
    RETTENMAYER with MRS. STIDULPH at the door`` or ``GABRIELLE, ROPER and MRS. STIDULPH, JIMMIE and``
    are parts of the direction, not cues (Pinero's corpus text lost six speeches' worth of direction
    to them)."""
    body = "".join(f"NITA.\n\nLine {i}, said plainly.\n\nROPER.\n\nAnswer {i}.\n\nGABRIELLE.\n\nMore {i}.\n\n"
                   "MRS. STIDULPH.\n\nYes.\n\nJIMMIE.\n\nNo.\n\n" for i in range(3))
    text = ("ACT I\n\n" + body + "NITA.\n\nNo later? Oh, dear!\n\n"
            "  [_One of the waiters goes out, as HENEAGE enters with ENID, GRIMWOOD with\n"
            "  NITA, and VON RETTENMAYER with MRS. STIDULPH at the right-hand door at\n"
            "  the back, and presently GABRIELLE, ROPER and MRS. STIDULPH, JIMMIE and\n"
            "  the rest come singing._\n\nROPER.\n\nHullo!\n")
    script = _parse(text, ".txt")
    lines = list(script.lines())
    assert [(ln.speakers, ln.spoken) for ln in lines[-2:]] == [(("NITA",), "No later? Oh, dear!"), (("ROPER",), "Hullo!")]


def test_found_on_unseen_plays_a_ballad_operas_uncued_airs_are_sung_by_who_is_on_stage():
    """The Beggar's Opera prints its airs under ``AIR III. Cold and raw, &c.`` with no cue: the
    singer is who spoke last, or who has just entered, or the one person the scene opens on; the
    prose after the air is still theirs."""
    script = parse_fixture("ballad-opera.txt")
    assert [(line.speakers[0], line.spoken.split()[0]) for line in script.lines()] == [
        ("Miller", "I"), ("Dolly", "Father,"), ("Miller", "Let"), ("Dolly", "He"),
        ("Miller", "Then"), ("Miller", "A"), ("Dolly", "You"), ("MRS. MILLER", "Our"), ("Miller", "I")]
    said = list(script.lines())
    assert said[0].spoken.endswith("for the most and the least. A Miller is as honest as his Neighbours, and so am I; "
                                   "for my Stones grind all alike.")
    assert said[7].spoken.endswith("wearing the Blue! You Rogue! you Miser! you have sold the Girl for a Sack of Barley.")
    assert [s for s in script.structure if s.startswith("AIR")] == [
        "AIR I. The Miller of Dee, &c.", "AIR II. Over the Hills, &c.", "AIR III. The Scolding Wife, &c."]


def test_found_on_unseen_plays_a_speech_taken_up_after_a_direction_keeps_all_its_verses():
    """The Rescue of the Princess Winsome: the Princess's verse is indented under ``_Princess_``;
    after ``(_She sings._)`` her song's two stanzas stand at the margin: both are hers."""
    text = ("ACT I.\n\n_Princess_\n\n  Turn, turn, my spinning-wheel!\n\n_Godmother_\n\n  Spin and sing.\n\n"
            "_Princess_\n\n  I will, I will.\n\n(_She sings._)\n\n"
            "1. My godmother bids me spin,\n   that my heart may not be sad.\n\n"
            "2. Spin, sing with humming whir,\n   for my brother's sake I spin.\n\n_Godmother_\n\n  Well sung.\n")
    script = _parse(text, ".txt")
    assert [(line.speakers[0], line.spoken) for line in script.lines()][-2:] == [
        ("Princess", "1. My godmother bids me spin, that my heart may not be sad. "
                     "2. Spin, sing with humming whir, for my brother's sake I spin."),
        ("Godmother", "Well sung.")]


def test_found_on_unseen_plays_a_character_doing_something_between_one_line_speeches_is_a_direction():
    """A class play typed one speech to a line: ``Mum leaves & kids shrug shoulders & giggle.`` and
    ``Parent walks in…`` are directions, not the end of the speech above them."""
    text = ("Kids: Mummy mummy mummy. What are you doing?\nMum: I'm reading a book.\nKids: Can we eat cookies?\n"
            "Mum: I don't care! I'm leaving!\nMum leaves & kids shrug shoulders & giggle.\nKids: Hooray!\n"
            "Parent walks in…\nParent: Good morning children!\nKids: Good morning.\nParent: Off to school!\n")
    script = _parse(text, ".txt")
    assert [(line.speakers[0], line.spoken) for line in script.lines()][3:6] == [
        ("Mum", "I don't care! I'm leaving!"), ("Kids", "Hooray!"), ("Parent", "Good morning children!")]
    directions = [e.text for e in script.scenes[0].elements if not hasattr(e, "speakers")]
    assert directions == ["Mum leaves & kids shrug shoulders & giggle.", "Parent walks in…"]


def test_found_on_unseen_plays_a_numbered_radio_script_keeps_its_line_numbers_out_of_names():
    """U.S. radio format numbers every line: ``13 LAZARUS: Hey!``, ``14 SFX: HIGH HEELS ON GRAVEL``."""
    text = ("12 SFX: IRON GATE SLAMS SHUT\n\n13 LAZARUS: Hey!\n\n14 SFX: HIGH HEELS CRUNCHING ON GRAVEL\n\n"
            "1 FRIEDA: Don't you dare!\n\n2 LAZARUS: I was only going to lift the door-\nknocker.\n\n"
            "3 FRIEDA: You already cut me off once today.\n")
    script = _parse(text, ".txt")
    assert [(line.speakers, line.spoken) for line in script.lines()][:2] == [
        (("LAZARUS",), "Hey!"), (("FRIEDA",), "Don't you dare!")]
    assert script.characters == ["LAZARUS", "FRIEDA"]


@pytest.mark.parametrize(("heading", "title"), [("Personen", "Die Räuber"), ("PERSONAJES", "La casa"),
                                                 ("Personaggi", "La locanda")])
def test_found_on_unseen_plays_a_german_spanish_or_italian_cast_list_is_front_matter(heading, title):
    text = (f"{title}\n\n{heading}\n\nMAXIMILIAN, regierender Graf von Moor.\nKARL, FRANZ, seine Söhne.\n\n"
            "Erster Akt\n\nFRANZ. Aber ist Euch auch wohl, Vater?\n\nMAXIMILIAN. Ganz wohl, mein Sohn.\n\n"
            "FRANZ. Nein, Vater.\n\nKARL. Vater!\n")
    script = _parse(text, ".txt")
    assert script.title == title
    assert script.characters == ["FRANZ", "MAXIMILIAN", "KARL"]
    assert script.conventions.cast and heading in script.front_matter


def test_found_on_unseen_plays_all_kids_is_one_group_not_all_and_kids_together():
    text = "".join(f"Kids: Line {i}!\nMum: Answer {i}.\nAll: Yay {i}!\n" for i in range(3)) + \
        "All kids: Good morning.\nMum: Off you go.\nAll kids: We feel sick!\n"
    script = _parse(text, ".txt")
    assert [line.speakers for line in script.lines()][-3:] == [("All kids",), ("Mum",), ("All kids",)]


ONE_ACT_WITH_A_CAST_LIST = """THE BORROWED LADDER

A FARCE IN ONE ACT

By Ivan Smirnov


CHARACTERS

AUGUSTUS PETROVITCH BRANDT, a retired clerk
MARIA AUGUSTOVNA, his niece, nineteen years old
FYODOR ILYITCH KOROVIN, a neighbour, large and loud, but
a coward at heart
{between}
BRANDT. Fyodor Ilyitch! At this hour! Come in, come in, and mind
the step, it is loose.

KOROVIN. Good evening, good evening. I have come about the ladder.

BRANDT. The ladder? [Aside] He wants it back already.

MARIA. Uncle, who is it?

KOROVIN. Only your neighbour, Maria Augustovna, about a small matter
of a ladder.

MARIA. [Coming in] Then I shall leave you to it.
"""


@pytest.mark.parametrize("between", [
    "\nThe scene is laid in BRANDT'S house.\n\n\nA small parlour.\n\n[KOROVIN knocks and comes in.]\n\n",
    "\n",
], ids=["setting-and-direction", "dialogue-at-once"])
def test_a_one_act_play_with_a_cast_list_and_no_act_heading_has_its_speeches(between):
    """The newcomer's blocker: with no ACT or SCENE line the cast list ran to the end of the
    file and 'no dialogue found' came back.  The list ends at a direction or at a listed
    character speaking."""
    script = _parse(ONE_ACT_WITH_A_CAST_LIST.format(between=between), ".txt")
    lines = list(script.lines())
    assert [line.speakers[0] for line in lines] == ["BRANDT", "KOROVIN", "BRANDT", "MARIA", "KOROVIN", "MARIA"]
    assert lines[0].spoken.startswith("Fyodor Ilyitch! At this hour!") and lines[0].spoken.endswith("it is loose.")
    assert set(script.conventions.cast.values()) == {
        "AUGUSTUS PETROVITCH BRANDT", "MARIA AUGUSTOVNA", "FYODOR ILYITCH KOROVIN"}
    assert (script.title, script.subtitle, script.author) == ("THE BORROWED LADDER", "A FARCE IN ONE ACT",
                                                              "Ivan Smirnov")
    if "knocks" in between:  # the opening direction names who enters: it belongs to the scene
        assert script.scenes[0].elements[0].text == "KOROVIN knocks and comes in."


# -- failure classes seen in unseen real scripts (issue 22, part 3) ---------------------------


def test_abbreviated_names_with_full_stops_are_whole_speakers():
    script = parse_fixture("abbreviated-names.txt")
    assert [s for s, _t in spoken(script)][:5] == [("1ST CIT",), ("2ND CIT",), ("C. OF LOR",), ("1ST CIT",), ("2ND CIT",)]
    assert ("C. OF LOR",) in [s for s, _t in spoken(script)] and spoken(script)[2][1] == "My lord, the people murmur."
    assert spoken(script)[-1] == (("WITCH 2",), "All hail!")
    latin = parse_fixture("abbreviated-italic-names.md")
    assert spoken(latin)[:2] == [(("M. Tul",), "Quid agis, amice?"), (("Att",), "Bene, gratias.")]


def test_spaced_cues_whose_speech_opens_with_a_quote_an_apostrophe_or_a_letter():
    script = parse_fixture("spaced-cues-quotes.txt")
    assert spoken(script)[1:5] == [
        (("ANDREW",), "Nay, by my troth, I know not."), (("MARIA",), '"You must not be so loud," my lady says.'),
        (("TOBY",), "'Slight, I'll not be quiet."), (("VIOLA",), "O, I am undone.")]


def test_parentheses_are_spoken_where_every_direction_is_in_brackets():
    script = parse_fixture("parens-spoken.txt")
    assert spoken(script)[0] == (("JOHN",), "Good morning (or is it afternoon?) to you.")
    assert spoken(script)[3] == (("MARY",), "I was (I confess) expecting you.")
    assert script.lines().__next__().directions == ("Entering.",)


def test_braced_speeches_said_at_once_each_go_to_their_speaker():
    script = parse_fixture("braced-speeches.txt")
    assert spoken(script)[2:5] == [(("JIMMIE",), "Buck up, Lil!"), (("ROPER",), "My pet!"),
                                   (("MRS. UPJOHN",), "'Ark to reason, dearie.")]
    assert list(script.lines())[3].directions == ("To LILY, urgently.",)


def test_old_french_book_layout_particles_italic_directions_and_plain_structure():
    """``LE VIEUX GASTON:``, ``UN SOLDAT _avance_:``, ``GASTON, seul:``, a setting as a plain line,
    ``Fin du premier acte.`` and ``ACTE DEUXIÈME``."""
    script = parse_fixture("french-book-layout.txt")
    said = spoken(script)
    assert said[3] == (("UN SOLDAT",), "Madame, on vous attend.")
    assert list(script.lines())[3].directions == ("avance",)
    assert (("GASTON",), "Me voici seul enfin. La route est longue et noire.") in said
    assert [s.full_title for s in script.scenes] == ["ACTE PREMIER — SCÈNE PREMIÈRE", "ACTE PREMIER — SCÈNE II",
                                                     "ACTE DEUXIÈME — SCÈNE PREMIÈRE"]
    assert "Fin du premier acte." in script.structure
    assert [e.text for e in script.scenes[1].elements if not hasattr(e, "speakers")] == ["La nuit. Une route déserte."]


def test_a_cue_that_lost_its_bold_or_its_colon_is_still_its_characters():
    script = parse_fixture("lost-bold-cues.md")
    assert spoken(script)[3] == (("PEGGY",), "We're sorry, but it is true.")
    assert spoken(script)[6] == (("TOM",), "All right, all right.")
    assert [d[1].line for d in script.doubts] == [11, 17]  # and check lists both among its least sure


def test_uncued_words_after_a_direction_leaving_one_character_alone_are_theirs():
    script = parse_fixture("alone-on-stage.txt")
    assert spoken(script)[3:5] == [(("JOHN",), "Look again."), (("MARTHA",), "Gone again. Always gone when I need him.")]
    assert not script.warnings


def test_what_follows_a_reads_direction_is_the_readers_and_speech_between_directions_is_kept():
    script = parse_fixture("reads-aloud.md")
    said = spoken(script)
    assert said[2] == (("BEN",), '"My dear Ben, I shall not come home tonight."')
    assert said[4] == (("BEN",), "You are welcome to read it.")
    assert said[6] == (("BEN",), '"Yours ever, Clara."')
    assert not script.warnings


def test_a_second_stanza_after_a_blank_line_stays_with_its_singer():
    """In a play whose speeches end with their paragraph, a song's next stanza is no direction."""
    script = parse_fixture("second-stanza.txt")
    assert spoken(script)[4] == (("TOM",), "And in the valley, deep and low, The river runs where willows grow, "
                                           "And there my love will wait for me Beneath the old green willow tree.")


def test_front_and_back_matter_is_never_speech_nor_shown_as_direction():
    script = parse_fixture("front-and-back-matter.txt")
    assert [s for s, _t in spoken(script)] == [("DOMIN",), ("HELENA",), ("DOMIN",), ("HELENA",), ("NANA",), ("DOMIN",)]
    assert [s.title for s in script.scenes] == ["ACT FIRST."]
    assert script.back_matter[0] == "FOOTNOTES" and len(script.back_matter) == 3
    assert not [e for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]


def test_a_cue_on_the_line_after_a_verse_line_opens_a_speech():
    script = parse_fixture("cue-inside-paragraph.txt")
    assert spoken(script)[:3] == [
        (("FIRST STUDENT",), "The night is cold, the lamp is low, And still the book lies open here."),
        (("SECOND STUDENT",), "Then close it, friend, and let us go."),
        (("FIRST STUDENT",), "Not yet; the dawn is not yet near.")]


def test_every_word_in_the_conventions_tables_is_read_as_structure():
    """The act words and ordinals are data (script/conventions.py): each one, in any case,
    heads an act or scene line, and each alone-word leaves its character on stage."""
    from runthru_build.script import conventions as c
    from runthru_build.script.play import _ALONE, is_end_mark, is_structure_line

    for words in c.ACT_WORDS.values():
        for word in words:
            assert is_structure_line(f"{word} II") and is_structure_line(f"{word.title()} 3"), word
    for words in c.ORDINALS_AFTER.values():
        for word in words:
            assert is_structure_line(f"ACTE {word}") and is_structure_line(f"Scene {word.lower()}"), word
    for stem in c.ORDINAL_STEMS_DE:
        assert is_structure_line(f"{stem.title()}er Aufzug") and is_end_mark(f"Ende des {stem.lower()}en Aufzugs."), stem
    for unit in c.ORDINAL_UNITS_DE:
        assert is_structure_line(f"{unit.title()}zehnter Auftritt") and is_structure_line(f"{unit} und zwanzigste Scene")
    for stems, endings in c.ORDINAL_STEMS_AFTER.values():
        for stem in stems:
            for ending in endings:
                assert is_structure_line(f"SCENA {stem}{ending}") and is_structure_line(f"Akt {(stem + ending).lower()}.")
    for ordinals in c.ORDINALS_BEFORE.values():
        for ordinal in ordinals:
            for words in c.WORDS_AFTER_ORDINAL.values():
                assert is_structure_line(f"{ordinal} {words[0]}.") and is_structure_line(f"{ordinal.title()} {words[-1].lower()}")
    for word in c.ALONE_WORDS:
        assert _ALONE.match(f"Martha {word.lower()}."), word


def test_a_setting_or_an_end_line_written_plain_is_never_the_speech_before_it():
    script = parse_fixture("settings-as-plain-lines.txt")
    assert spoken(script)[3] == (("PAUL",), "Quite alone.")
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["A Garden.", "Night. A lonely road.", "A room in the inn."]
    assert "End of the First Act." in script.structure


def test_spaced_cues_whose_names_are_capitals_outside_ascii():
    """``БАРОН  Дальше!``, ``ARGÉLIE  Timagène !``: the Folger layout with Cyrillic or accented
    capitals (DraCor's Russian, French and Spanish plays) was read as one speech or none."""
    russian = parse_fixture("spaced-cues-cyrillic.txt")
    assert spoken(russian)[:5] == [(("БАРОН",), "Дальше!"), (("НАСТЯ",), "Не-ет, говорю..."),
                                   (("КЛЕЩ",), "Велика барыня!"), (("БАРОН",), "Ну, и что же дальше?"),
                                   (("НАСТЯ",), "«Уйди», говорю.")]
    assert len(spoken(russian)) == 10
    french = parse_fixture("spaced-cues-accents.txt")
    assert spoken(french)[:2] == [(("ARGÉLIE",), "Timagène ! Vous voilà."), (("TIMAGÈNE",), "Oui, madame, me voici.")]
    assert [s for s, _t in spoken(french)][:6] == [("ARGÉLIE",), ("TIMAGÈNE",), ("ARGÉLIE",), ("TIMAGÈNE",), ("ÉLISE",), ("ARGÉLIE",)]


def test_spaced_cues_whose_speech_opens_in_lower_case_or_with_a_spanish_mark_a_dash_or_dots():
    """Two spaces after the name are a deliberate gap: Greek editions open speeches in lower case,
    Spanish ones with ``¡¿``, and a speech may open with dots; ``MINERO 2º`` is a name. (A speech
    opening with a dash and ending in a plain full stop, ``– Nada, nada.``, is still read as a
    cast-list entry ``NAME – actor`` and dropped: not yet fixed.)"""
    said = spoken(parse_fixture("spaced-cues-accents.txt"))[6:]
    assert said == [(("ΛΥΣΙΣΤΡΑΤΗ",), "ἀλλ’ εἴ τις ἐς Βακχεῖον αὐτὰς ἐκάλεσεν."), (("ΚΑΛΟΝΙΚΗ",), "καὶ σύ γ’ ὦ Λυσιστράτη."),
                    (("ΛΥΣΙΣΤΡΑΤΗ",), "ἀλλ’ ὦ Καλονίκη κάομαι τὴν καρδίαν."), (("MINERO 2º",), "¡Con Dios, Roque!"),
                    (("ROQUE",), "¿Qué quieres?"), (("MINERO 2º",), "¿Nada?"), (("ROQUE",), "...Pues vete.")]


def test_spaced_cues_with_how_it_is_said_in_brackets_before_the_gap():
    """``КЛЕЩ, [Барону.]  Чего ты рычишь?`` (Folger's ``KLESHCH, [to BARON.]  What…``): the name,
    its direction, then the speech; it was read as more of the speech before, ``КЛЕЩ,`` and all."""
    script = parse_fixture("spaced-cues-cyrillic.txt")
    assert spoken(script)[-2:] == [(("КЛЕЩ",), "Чего ты рычишь?"), (("НАСТЯ",), "Ничего.")]
    assert [line.directions for line in script.lines()][-2:] == [("Барону",), ("подняв голову",)]
    assert spoken(script)[-3] == (("БАРОН",), "Ничего.")


def test_russian_act_and_scene_lines_are_structure():
    """``ДЕЙСТВИЕ ПЕРВОЕ``, ``ЯВЛЕНИЕ ВТОРОЕ``: read as more of the speech before (or front matter)
    until the act and scene words had a Russian entry; a setting (``Действие происходит…``) is not."""
    script = parse_fixture("spaced-cues-cyrillic.txt")
    assert [s.title for s in script.scenes] == ["ДЕЙСТВИЕ ПЕРВОЕ", "ЯВЛЕНИЕ ВТОРОЕ"]
    assert spoken(script)[5] == (("КЛЕЩ",), "Так и сказала?")
    assert not is_structure_line("Действие происходит в Петербурге, в квартире Мурашкина.")


def test_a_speech_opening_with_a_dash_is_no_cast_list_entry():
    """``BERTA.  – er ließ Dich peitschen!``: a dash after the cue, then a sentence asked or
    exclaimed or a second dash, is speech; it was dropped as a cast-list line ``HOLM -- Herr Weber``.
    Once the play has begun (after its first act heading, or its first speech), a plain statement
    after the dash (``– Nada, nada.``) is speech too: a cast list is not written between speeches."""
    script = parse_fixture("dash-opened-speeches.txt")
    assert spoken(script) == [
        (("HOLM",), "– Nichts, nichts."), (("BERTA",), "Was sagst du da?"),
        (("HOLM",), "Was sagst du da?"), (("BERTA",), "– er ließ Dich peitschen!"), (("HOLM",), "Wer?"),
        (("BERTA",), "– – Ich muß fort."), (("HOLM",), "Bleib!"), (("BERTA",), "– Wer da?"), (("HOLM",), "Niemand."),
        (("BERTA",), "– Nada, nada."), (("HOLM",), "– Credo che tosto muterai proposito. –")]
    assert script.front_matter[-1] == "HOLM -- Herr Weber\nBERTA -- Frau Klein"  # the cast list stays one


def test_act_and_scene_lines_in_swedish_latin_and_older_spellings_are_structure():
    """``FÖRSTA AKTEN`` / ``Andra scenen``, ``ACTUS I.`` / ``SECUNDUS ACTUS``, ``Zweyter Auftritt``,
    ``Dreizehnte Scene``, ``SCENA UNDICESIMA``, ``Escena decimacuarta``, ``ЯВЛЕНИЕ ОДИННАДЦАТОЕ``,
    ``АКТ ВТОРОЙ``: DraCor's act and scene lines that were read into the speech before them."""
    sv = parse_fixture("swedish-acts.txt")
    assert [s.title for s in sv.scenes] == ["Första scenen.", "Andra scenen.", "Scen I.", "Fjerde Scenen."]
    assert [s.act for s in sv.scenes] == ["FÖRSTA AKTEN.", "FÖRSTA AKTEN.", "ANDRA AKTEN.", "ANDRA AKTEN."]
    assert spoken(sv) == [(("RYTTMÄSTAREN",), "Hvar är Laura?"), (("LAURA",), "Här är jag."),
                          (("RYTTMÄSTAREN",), "Gå in, Laura."), (("LAURA",), "Jag går."),
                          (("RYTTMÄSTAREN",), "Så, nu är det slut.")]
    for line in ("Zweyter Auftritt.", "Ein und zwanzigster Auftritt.", "Sechszehnte Scene.", "Erster Act.",
                 "SCENA UNDICESIMA", "Scena decimaterza", "SCENA. XI.", "Escena decimacuarta", "ESCENA FINAL",
                 "ЯВЛЕНИЕ ОДИННАДЦАТОЕ", "АКТ ВТОРОЙ", "Actus secundus", "PRIMUS ACTUS", "THE PROLOGUE",
                 "SCÈNE PREMIERE. Atalide, Zaïre.", "SCÈNE XXV et dernière. La Comtesse, Le Marquis, Hortense.",
                 "SCÈNE IV. Barberin, Henriette, Guerland, enveloppé d'un manteau qui lui cache le visage, "
                 "et tenant un chapeau à la main."):
        assert is_structure_line(line), line
    assert not is_structure_line("PROLOGUS. Salvete, spectatores.")  # Plautus's PROLOGUS speaks


def test_a_number_alone_between_speeches_heads_the_next_scene_and_a_prologue_is_spoken():
    """Latin plays number their scenes ``1``, ``2``, ``IV`` on a line of their own; each was read as
    the last word of the speech before. Under a ``Prologus`` heading, PROLOGUS's one speech is the
    play's, not front matter."""
    script = parse_fixture("latin-numbered-scenes.txt")
    assert [(s.act, s.title) for s in script.scenes] == [
        (None, "Prologus"), ("ACTUS I.", "1"), ("ACTUS I.", "2"), ("ACTUS II.", "I"), ("SECUNDUS ACTUS", "3.")]
    assert spoken(script) == [
        (("PROLOGUS",), "Salvete, spectatores, et date operam."), (("GRUMIO",), "Exi e culina, sis, foras, mastigia."),
        (("TRANIO",), "Quid tibi, malum, hic ante aedes clamitatio est?"), (("TRANIO",), "Abiit rus. Ego hic maneo."),
        (("GRUMIO",), "Ubi erus noster?"), (("TRANIO",), "In portu, credo."), (("TRANIO",), "Iam redeo.")]


def test_a_line_of_names_in_capitals_is_who_is_on_not_a_cue():
    """``VALBORG. OLOF.`` set as a line of its own under a scene title (an old book's list of who is
    on) was read as Valborg's speech "OLOF."."""
    script = parse_fixture("who-is-on-lines.txt")
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["VALBORG. IVAR.", "VALBORG. OLOF.", "DE FÖRRA. LISEN, IVAR."]
    assert [t for _s, t in spoken(script)] == ["Ja, det ska' jag göra!", "Ännu en dag och ingen underrättelse.",
                                               "Nå, följer ni med till bangården, fröken Valborg?", "Nej.",
                                               "Dom ä' väl inte komna?"]


def test_a_plain_paragraph_after_a_speech_goes_on_in_a_play_that_brackets_its_directions():
    """A play whose cues open its paragraphs and whose directions stand in ``[…]``: a plain
    paragraph after a speech (a letter read out, a line of Latin after ``Non.``) is more of that
    speech; it was dropped as a direction. A short line set off by more blank lines than the play
    puts between speeches (``Le jardin``) is a setting, not speech."""
    script = parse_fixture("plain-paragraph-goes-on.txt")
    said = spoken(script)
    assert (("BARBERIN",), "« Mon cher Barberin, votre lettre m'a causé une impression bien pénible. »") in said
    assert (("BARBERIN",), "Non. Gaudeat bene nanti.") in [(s, t) for s, t in _joined(script)]
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert "Le jardin" in directions and "Gaudeat bene nanti." not in directions
    # a cue the census could not read ("SILENCE.", a word) is no more of Barberin's "Allons."
    assert _joined(script)[-2] == (("BARBERIN",), "Allons.")


def _joined(script):
    """Speeches with their continued paragraphs joined, as an actor hears them."""
    out = []
    for line in script.lines():
        if line.continued and out and out[-1][0] == tuple(line.speakers):
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.spoken}")
        else:
            out.append((tuple(line.speakers), line.spoken))
    return out


def test_a_parenthesis_set_as_a_verse_line_inside_a_speech_is_said():
    """``( Which by no means we may extenuate)`` as the fourth line of Theseus's verse is a
    parenthesis he says; counted as a ``( )`` direction line, it made the whole play's ``(…)``
    directions, so his ``Whether (if you yield not…)`` lost its words too."""
    script = parse_fixture("verse-parenthesis.txt")
    assert script.conventions.spoken_parens
    said = [t for _s, t in spoken(script)]
    assert "Whether (if you yield not to your father’s choice) You can endure" in said[0]
    assert "yields you up ( Which by no means we may extenuate) To death" in said[2]
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["Enter Theseus, Hippolyta, and Philostrate, with others.", "They whisper.",
                          "All but Hermia and Lysander exit."]


def test_words_in_parentheses_that_are_a_whole_speech_under_a_lone_cue_are_said_aside():
    """``LUCIETTA`` / ``(«Figurarse, figurarse»; la l'ha dito…).`` and then the next cue: Goldoni's
    asides are the speech, not how a speech that never comes is said; they were dropped. A
    direction under a cue with the speech after it (``[ironicamente]``) stays a direction."""
    script = parse_fixture("asides-under-lone-cues.txt")
    assert spoken(script) == [
        (("LUCIETTA",), "Siora madre."), (("MARGARITA",), "Fia mia."),
        (("LUCIETTA",), "«Figurarse, figurarse»; la l'ha dito fin adesso sie volte"),
        (("MARGARITA",), "No digo; che no son de quele."),
        (("LUCIETTA",), "Mo cara siora madre, la va in colera molto presto!"),
        (("MARGARITA",), "Gh'ho in testa, che la me burla mi sta frascona"), (("LUCIETTA",), "La diga, siora madre.")]
    assert [line.directions for line in script.lines()][4] == ("ironicamente",)
    spaced = parse_fixture("asides-spaced-cues.txt")  # LUCIETTA  («Figurarse…»). on the cue's line
    assert [(who, said.strip("()").rstrip(").")) for who, said in spoken(spaced)[:6]] == \
        [(who, said.rstrip(".")) for who, said in spoken(script)[:6]]
    assert [line.cue for line in spaced.lines()][2] == "LUCIETTA"
    assert [s.title for s in spaced.scenes] == ["ATTO PRIMO"] and spaced.scenes[0].elements[0].text.startswith("Camera")


def test_a_short_line_set_as_deep_as_the_direction_above_it_is_no_speech():
    """An old book sets settings and directions deeper than the verse: ``Nacht.`` under the
    direction ``Garten bei König Giukes Burg.`` after Sigurd's speech was read as more of Sigurd's
    speech, because the speech had ended (so its indent was not looked at)."""
    script = parse_fixture("book-settings-after-directions.txt")
    assert spoken(script)[0] == (("SIGURD",), "Sterne leuchten Am Himmel schon. Folg' mir, du schönes Weib!")
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["Garten bei König Giukes Burg.", "Nacht.", "Grimhildis und eine Zofe."]


def test_an_italic_paragraph_in_a_play_cued_in_bold_is_a_direction_not_a_cue():
    """``_Wampum (der eben erwacht…). Hussein._`` and ``_PYTHIAS. WAMPUM. HUSSEIN._`` under a scene
    heading of a play whose cues are ``**NAME:**``: who is on, in italics, was read as Wampum
    saying "Hussein." and Pythias saying "WAMPUM. HUSSEIN."."""
    script = parse_fixture("italic-who-is-on.md")
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["Wampum (der eben erwacht, sieht sich um). Hussein.", "PYTHIAS. WAMPUM. HUSSEIN."]
    assert [s for s, _t in spoken(script)] == [("WAMPUM",), ("HUSSEIN",), ("WAMPUM",), ("PYTHIAS",), ("HUSSEIN",),
                                              ("WAMPUM",), ("PYTHIAS",)]


def test_cast_list_headings_in_other_languages_and_where_the_list_ends():
    """``Действующие лица``, ``PERSONER.``, ``PERSONAE``, ``LES ACTEURS``, ``Personajes Actores``: cast
    headings as data by language (script/conventions.py); their lists were read as speech. The list
    ends at a setting set deeper than its entries, or at a listed name alone with a colon."""
    from runthru_build.script.census import is_cast_heading
    for heading in ("Действующие лица:", "ДЕЙСТВУЮЩИЕ ЛИЦА", "PERSONERNA:", "Personer.", "Personae",
                    "FABULAE INTERLOCUTORES.", "LES ACTEURS", "Personajes Actores", "Reparto",
                    "Persone della tragedia che parlano", "Personenverzeichnis", "Τὰ τοῦ δράματος πρόσωπα"):
        assert is_cast_heading(heading), heading
    script = parse_fixture("cast-heading-russian-book.txt")
    assert script.conventions.cast == {"ВАЛЬСИНГАМ": "Вальсингам", "ПРЕДСЕДАТЕЛЬ": "Председатель", "МЕРИ": "Мери"}
    assert len(spoken(script)) == 8 and spoken(script)[0][0] == ("Вальсингам",)
    assert parse_fixture("swedish-acts.txt").title == "FADREN"


def test_words_between_two_directions_are_said_and_english_words_weigh_only_english_plays():
    """``(zu Lauer aufschauend:) Nun, was sagst du? (Gibt ihm das Blatt.)`` (and Pinero's
    ``[_Shaking her head._] Oh, boys, it's gone. [_Pressing temples._] I couldn't----``): a
    paragraph that opens and ends with a direction says the words between them; it was read as
    one direction. In a German play, "her" in ``Von fernen Ländern kommt Ihr her`` is no English
    pronoun: the verse after Dorothea's cue was read as a direction."""
    script = parse_fixture("german-verse-after-direction.txt")
    joined = _joined(script)
    assert joined[3] == (("DOROTHEA",), "Ja, Papa! Von fernen Ländern kommt Ihr her, Schon lange stand dies Schloß "
                                        "hier leer, Wir – wir –")
    assert joined[6][0] == ("SPRINGER",) and joined[6][1].endswith("Nun, was sagst du zu dieser Probeschrift?")
    pinero = load_script(CORPUS / "pinero_the_mind_the_paint_girl.txt", "pinero") if CORPUS.is_dir() else None
    if pinero is not None:
        assert any(line.spoken == "Oh, boys, it's gone. I couldn't----" for line in pinero.lines())


def test_the_title_and_its_author_above_the_cast_list_are_no_speech_and_act_i_heads_a_scene():
    """``THE NIHILIST`` / ``Jules Lagarde`` / ``CHARACTERS``: in a play cued by names alone on their
    lines, the title was read as a cue and its author as the speech; and ``SCENE I.`` (or ``ACT I``)
    under them was taken for a title-like cue and dropped to structure."""
    script = parse_fixture("title-author-above-cast.txt")
    assert (script.title, script.author) == ("THE NIHILIST", "Jules Lagarde")
    assert [s.title for s in script.scenes] == ["SCENE I."]
    assert [s for s, _t in spoken(script)] == [("LEANDER",), ("DAMON",), ("LEANDER",), ("DAMON",)]
    assert [s.title for s in parse_fixture("braced-speeches.txt").scenes] == ["ACT I"]


def test_a_cue_with_only_its_direction_is_no_aside_where_directions_are_in_parentheses():
    """``Lauer (schaut von der Lektüre auf und nickt lächelnd.).`` with the next cue after it, in a
    play whose directions are ``(…)``: a direction with no speech, not an aside said (the aside rule
    holds only where the play sets its directions in ``[…]``)."""
    script = parse_fixture("cue-with-only-a-direction.txt")
    directions = [e.text for s in script.scenes for e in s.elements if not hasattr(e, "speakers")]
    assert directions == ["schaut von der Lektüre auf und nickt lächelnd.", "steht wie versteinert da."]
    assert len(spoken(script)) == 9


def test_a_cast_list_ends_at_a_scene_number_or_where_the_play_is_set_further_left():
    """``PERSONAE`` / ``  Ep`` … then ``I`` / ``1`` / ``EP`` + ``Heús, adulescens.``: with the Latin cast
    heading read, the list ran on over the play (its names alone on their lines look like entries)."""
    script = parse_fixture("numbered-scenes-name-alone.txt")
    assert script.conventions.cast == {"EP": "Ep", "TH": "Th", "STR": "Str"}
    assert [s for s, _t in spoken(script)] == [("EP",), ("TH",), ("EP",), ("TH",), ("STR",), ("EP",)]
    assert [s.title for s in script.scenes] == ["1", "2"]


def test_a_stanza_number_between_verses_is_no_scene():
    """``_2._`` between the stanzas of Eulenspiegel's song numbers the verses: the number rule for
    scenes (a number alone between speeches) must not end his song there."""
    script = parse_fixture("stanza-numbers.md")
    assert [s.title for s in script.scenes] == ["Achter Auftritt"]
    assert _joined(script)[0][1].endswith("Aus solcher Verleg'nheit hilf i, Dazu g'hört sich schon ein Genie.")
    # "*(Secamente.)* Gracias. *(Se sientan.)*" under a cue: the word between the two directions is said
    assert _joined(script)[-2] == (("SPECHT",), "Gracias.")


def test_a_name_of_abbreviated_words_in_capitals_is_one_speaker():
    """``ERST. WÄCHT.  Euer…`` (name-period), ``ERST. WÄCHT  Euer…`` and ``GÄST I  Det…`` (Folger),
    ``ERST. WÄCHT`` alone over its speech, ``D. CHISCIOTTE  Sancio…`` (an initial, Folger): one speaker,
    the whole abbreviation. They were read as ``ERST`` saying ``WÄCHT. Euer…``, ``D`` saying
    ``CHISCIOTTE Sancio…`` (an initial before a stop, ``D. ALFONSO.``, already read right)."""
    caps = parse_fixture("abbreviated-names-in-capitals.txt")
    assert [s for s, _t in spoken(caps)] == [("ERST. WÄCHT",), ("LUDWIG",), ("ERST. WÄCHT",), ("ZWEIT. WÄCHT",),
                                           ("LUDWIG",), ("ZWEIT. WÄCHT",), ("LUDWIG",)]
    assert spoken(caps)[4:] == [(("LUDWIG",), "Nein. Das nicht."), (("ZWEIT. WÄCHT",), "Du bist ein Narr."),
                                (("LUDWIG",), "O, still.")]
    assert [line.directions for line in caps.lines()][:4] == [("mit einem Kuchen",), (), (), ("lachend",)]
    folger = parse_fixture("abbreviated-names-folger.txt")
    assert spoken(folger) == [
        (("ERST. WÄCHT",), "In der Schenke hat ein Bote diesen Kuchen abgegeben."), (("LUDWIG",), "Danke."),
        (("ERST. WÄCHT",), "Euer Bruder schickt ihn Euch."), (("GÄST I",), "Det var en timmerman!"),
        (("LUDWIG",), "I will not."), (("ZWEIT. WÄCHT",), "Du bist ein Narr."), (("GÄST I",), "Ja."),
        (("LUDWIG",), "Was?"), (("D. CHISCIOTTE",), "Sancio mio bello."), (("LUDWIG",), "Wer?"),
        (("D. CHISCIOTTE",), "Vosignoria.")]
    from runthru_build.script.census import candidates
    assert [c.cue.names for c in candidates("VALBORG. OLOF.")] == [("VALBORG",)]  # who is on, not one name
    assert [c.cue.names for c in candidates("DE FÖRRA. PROFESSORN. HILMA. Text.")] == [("DE FÖRRA",)]
    from runthru_build.script import parse_text
    alone = parse_text("ERSTER AKT\n\nERST. WÄCHT\nEuer Bruder schickt ihn Euch.\n\nLUDWIG\nDanke.\n\n"
                       "ERST. WÄCHT\nViel Ehre!\n\nLUDWIG\nNein.\n", "alone.txt")
    assert spoken(alone) == [(("ERST. WÄCHT",), "Euer Bruder schickt ihn Euch."), (("LUDWIG",), "Danke."),
                             (("ERST. WÄCHT",), "Viel Ehre!"), (("LUDWIG",), "Nein.")]


def test_a_name_of_abbreviated_words_in_mixed_case_is_one_speaker():
    """``Erst. Wächt. Euer Bruder…``, ``D. Chisciotte. Sancio…``: a first word that nearly always has a
    capitalised word and a stop after it, and is no name in the cast list, opens a longer name. A
    character whose speeches open with one stopped word now and then (``Thore. Nej.``, ``Ludwig.
    Nein. Das nicht.``) keeps them."""
    script = parse_fixture("abbreviated-names-mixed-case.txt")
    assert spoken(script)[:10] == [
        (("Erst. Wächt",), "Euer Bruder schickt ihn Euch."), (("Ludwig",), "Danke."),
        (("Erst. Wächt",), "Das ist ein rarer Kuchen."), (("Zweit. Wächt",), "Viel Ehre!"),
        (("Ludwig",), "Nein. Das nicht."), (("Zweit. Wächt",), "Du bist ein Narr."),
        (("D. Chisciotte",), "Sancio mio bello."), (("Sancio",), "Signore."), (("D. Chisciotte",), "Vosignoria."),
        (("Sancio",), "Come?")]
    assert spoken(script)[10:13] == [(("Thore",), "Nej."), (("Ludwig",), "Was?"), (("Thore",), "Ja. Ich komme.")]
    assert [line.directions for line in script.lines()][3] == ("lachend",)


def test_colon_cues_whose_names_hold_lower_case_words():
    """``Die erste Amazone:``, ``Der alte W (ein Greis…):`` over the verse (the old German book layout),
    ``Madame DORVAL:``, ``Le LIBRAIRE:``: a name with lower-case words, or a title before a name in
    capitals, cued by a colon, recurring. Their speeches were lost (or the play read as no dialogue);
    ``Und er sprach:`` inside a speech stays speech."""
    book = parse_fixture("cues-with-lower-case-words-book.txt")
    assert spoken(book) == [
        (("Die erste Amazone",), "Zurück, Verwegene! Hier ist kein Raum."),
        (("Odysseus",), "Gut. Wie du willst. Und er sprach: Folgt mir!"),
        (("Der alte W",), "Kinderchen, ihr glaubt alle an Gott."), (("Die erste Amazone",), "So geht!"),
        (("Der alte W",), "Vier Wochen sind wir gefahren."), (("Odysseus",), "Nun denn.")]
    assert list(book.lines())[2].directions == ("ein hochbetagter Greis, auf zwei Stöcke gestützt",)
    colon = parse_fixture("cues-with-lower-case-words-colon.txt")
    assert [s for s, _t in spoken(colon)] == [("Madame DORVAL",), ("Le LIBRAIRE",), ("Madame DORVAL",), ("DORVAL",),
                                            ("Le LIBRAIRE",), ("DORVAL",)]
    assert list(colon.lines())[2].directions == ("à part",)


def test_a_book_play_without_act_headings_begins_at_its_first_colon_cue():
    """``MERCURIO:`` alone over his verse, after the cast list, in a play with no act or scene heading:
    the play has begun. The cast list ran on to the end (``no dialogue found``), or, in a play whose
    later speeches ended it, swallowed the first ones (Leisewitz's ``Der Mann:``)."""
    script = parse_fixture("book-play-without-act-headings.txt")
    assert spoken(script) == [
        (("MERCURIO",), "Quivi è colui, che mai si vide sazio dell'operar virtù: più presto stracco Ercule è, quel "
                        "che fece el giusto strazio."),
        (("GIUNONE",), "Mercurio, unde vai o donde vieni? Io ti conosco ben, falso foletto."),
        (("MERCURIO",), "O glorïosa Iddea, alta Iunone.")]


def test_a_name_in_mixed_case_alone_on_a_verse_line_is_no_cue_where_the_play_cues_it_in_capitals():
    """``Antigone, tu sola, alcun conforto`` / ``Creonte`` / ``Madre, mi squarci``: verse broken so a line
    opens with a character's name, in a play that cues ANTIGONE and CREONTE in capitals alone on their
    lines. The line goes on with the speech; it was read as a cue (``Antigone`` saying the rest)."""
    script = parse_fixture("names-in-verse-lines.txt")
    assert spoken(script)[:3] == [
        (("GIOCASTA",), "Tu sola omai della mia prole infausta, Antigone, tu sola, alcun conforto rechi al mortal "
                        "mio duolo."),
        (("ANTIGONE",), "In ciel, per noi, pietà non resta, o madre."),
        (("POLINICE",), "Creonte pende per me, per la mia giusta causa.")]
    assert spoken(script)[4] == (("POLINICE",), "Madre, mi squarci il core... Udir tu vuoi?")
    assert [s for s, _t in spoken(script)][5:] == [("ANTIGONE",), ("CREONTE",), ("GIOCASTA",), ("CREONTE",),
                                                 ("ANTIGONE",), ("CREONTE",), ("GIOCASTA",), ("ANTIGONE",),
                                                 ("GIOCASTA",), ("ANTIGONE",)]
    # the first line under a lone cue opens its speech, whatever name it starts with ("Signor, tu cerchi",
    # Greek "ΚΑΣΑΝΔΡΑ" / "Ἄπολλον Ἄπολλον"): it was read as the cue of "Signor"
    assert spoken(script)[-4] == (("GIOCASTA",), "Signor, tu cerchi A tormentarti.")
    assert spoken(script)[-2] == (("GIOCASTA",), "Signor, tu cerchi Il tuo dolore.")


def test_a_title_abbreviation_in_capitals_alone_is_a_cue_where_no_name_follows_it():
    """``SEN.  Vt aétas mea…`` (Plautus's senex), ``SIR.  E in qual…`` (Metastasio's Siroe): ``SEN`` and
    ``SIR`` are also titles (``SEN. SMITH``), so the cue was skipped and the speech joined to the one before. With no name in capitals after it, the title is
    the cue; ``MRS.``, ``DR.`` and the like never stand alone."""
    script = parse_fixture("title-abbreviation-cues.txt")
    assert spoken(script) == [
        (("MAT",), "Ecastor pariter hoc atque alias res soles."),
        (("SEN",), "Vt aétas mea ést atque ut hóc usus fácto est gradum proferam."), (("MAT",), "Quid ais?"),
        (("SEN",), "Nil equidem."), (("MRS. HALE",), "Yes."), (("MAT",), "Abi."),
        (("SIR",), "E in qual di noi Il più degno ritrovi?"), (("MAT",), "Nescio.")]
    from runthru_build.script.census import candidates
    assert [c.cue.names for c in candidates("MRS. Linde walks in.") if c.form == "NAME."] == []


def test_a_spaced_cue_whose_speech_opens_with_a_parenthesis():
    """``CANDIDA  (Per che cosa dite…?)`` in the Folger layout (directions in ``[…]``, so ``(…)`` is said):
    the gap, then an aside that is her speech. It was read as a cue alone with a direction and no
    words; and ``GELTRUDA  Sì è vero`` (``Sì`` taken for a name in capitals) was no cue at all."""
    script = parse_fixture("spaced-cues-parenthesis.txt")
    assert spoken(script) == [
        (("GELTRUDA",), "Sì è vero. È gentile e compito."), (("CANDIDA",), "(Per che cosa dite questo signora zia?)"),
        (("GELTRUDA",), "Per niente."), (("EVARISTO",), "(Che risposta villana!)"), (("GELTRUDA",), "Andiamo.")]


def test_a_short_name_then_a_one_word_speech_is_a_cue():
    """``Tr. Philolaches.``: Tranio's one-word speech, not a name with an initial (``J. R. EWING``) alone on
    its line; both readings are kept and the play's cue form decides. The speech was joined to the
    one before, and with it the other cues of the name (``Tr. Et ego et tu—``)."""
    script = parse_fixture("one-word-speeches-after-short-names.txt")
    assert spoken(script) == [
        (("Philol",), "Adest adest opsonium. eccum Tranio a portu redit."), (("Tr",), "Philolaches."),
        (("Philol",), "Quid est?"), (("Tr",), "Et ego et tu—"), (("Philol",), "Quid et ego et tu?"),
        (("Tr",), "Periimus."), (("Philol",), "Quid ita?")]


def test_a_word_never_a_name_elsewhere_is_one_where_the_cast_list_lists_it():
    """``PS.  Id te Iuppiter…`` under ``PERSONAE`` listing ``Ps`` (Plautus's Pseudolus): ``PS`` (a
    postscript) is never a character elsewhere, but here the cast list names it. Its speeches were
    joined to the one before. ``Personae`` (Latin), ``Действующие лица``, ``Personer`` and the Greek
    ``Τὰ τοῦ δράματος πρόσωπα`` are cast headings."""
    script = parse_fixture("listed-name-that-is-a-word.txt")
    assert spoken(script) == [
        (("PS",), "Si ex te tacente fieri possem certior, ere."), (("CAL",), "Misere miser sum, Pseudole."),
        (("PS",), "Id te Iuppiter prohibessit."), (("CAL",), "Nihil hoc Iovis ad iudicium attinet."),
        (("PS",), "Licet me id scire quid sit?")]
    from runthru_build.script.census import is_cast_heading
    assert all(map(is_cast_heading, ["PERSONAE", "Действующие лица", "Personer", "Τὰ τοῦ δράματος πρόσωπα"]))
    from runthru_build.script.cues import parse_cue
    assert parse_cue("PS") is None  # still no name where no cast list says so


def test_a_cast_list_ends_at_a_listed_name_alone_over_its_speech():
    """``PERSONAE`` (a Latin cast heading, now read as one) over ``Pal`` / ``Phaed`` / ``Leaena``, then
    ``PAL`` alone over his verse: the play has begun; the list must not run on and swallow the verse
    as names. The list was read as speeches (``PERSONAE: Pal``, ``Phaed: Leaena``)."""
    script = parse_fixture("cast-list-then-lone-cues.txt")
    assert script.title == "CURCULIO" and script.author == "Plautus"  # the title is no cue over its author
    assert spoken(script) == [
        (("PAL",), "Quo ted hoc noctis dicam proficisci foras Cum istoc ornatu cumque hac pompa, Phaedrome?"),
        (("PHAED",), "Quo Venus Cupidoque imperat, suadet Amor."), (("PAL",), "At tandem, tandem—"),
        (("PHAED",), "Tandem es odiosus mihi."), (("LEAENA",), "Flos veteris vini.")]
    assert "Pal\nPhaed\nLeaena" in script.front_matter


def test_a_cue_with_a_long_direction_and_a_name_with_an_initial_in_cyrillic():
    """``Г. Здравомыслов (входит …, 130 letters of direction). Добрый вечер``: the cue's stop lay past
    the first 120 characters looked at, so the speech was lost (two of Nora's in A Doll's House read as
    directions). ``Г. Тоисиоков.`` in the cast list was read as the name ``Г`` (only ASCII capitals
    continued an entry past a stop), so ``Г`` was a listed name and never an initial."""
    script = parse_fixture("long-cue-directions-and-initials.txt")
    assert spoken(script) == [
        (("Г. Тоисиоков",), "Чем более человек умен и знающ, тем осторожнее."),
        (("Дворецкий",), "Вы изволили меня спрашивать?"), (("Г. Здравомыслов",), "Добрый вечер, друзья!"),
        (("Г. Тоисиоков",), "Да, я хочу неотменно окончить с тобою счеты."), (("Дворецкий",), "Как это, сударь?"),
        (("Г. Здравомыслов",), "Не статочное дело.")]
    assert list(script.lines())[2].directions[0].startswith("входит в дорожном платье")


def test_spaced_cues_said_together_or_opening_with_a_number():
    """``LAUER, SPRINGER  Gute Nacht!`` (two names said together) and ``GRÜNFELD  45!`` in the Folger
    layout: both were no cue (the first read as LAUER alone, ``SPRINGER Gute Nacht!`` his direction),
    and the play had no dialogue at all. The Greek cast heading in capitals with its accents
    (``ΤᾺ ΤΟΥ͂ ΔΡΆΜΑΤΟΣ ΠΡΌΣΩΠΑ``) is a cast heading."""
    script = parse_fixture("spaced-cues-together-and-numbers.txt")
    assert spoken(script) == [
        (("LAUER",), "Und wie alt bist du jetzt?"), (("GRÜNFELD",), "45!"), (("LAUER", "SPRINGER"), "Gute Nacht!"),
        (("SPRINGER",), "Gute Nacht, Grünfeld."), (("GRÜNFELD",), "Adieu."),
        (("LAUER",), "... Ein Lied, ein Lied!"), (("GRÜNFELD",), "Nein.")]  # not "LAUER ..", his cue to a stop
    from runthru_build.script.census import is_cast_heading
    assert is_cast_heading("ΤᾺ ΤΟΥ͂ ΔΡΆΜΑΤΟΣ ΠΡΌΣΩΠΑ")


def test_after_a_direction_inside_a_speech_a_name_never_heard_goes_on_with_the_speech():
    """``Окаемов. Как?..`` / ``(Маша молча протягивает письмо.)`` / ``Хм. Письмо? Хорошо…``: a paragraph
    that opens like the cue of a name heard nowhere else, after a direction the direction does not
    bring that name on in, goes on with the speech; it was read as a speech by ``Хм``. A one-off
    character the direction brings on (``(Входит курьер.)`` / ``Курьер. Вам телеграмма``) keeps the cue."""
    script = parse_fixture("speech-going-on-after-a-direction.txt")
    said = spoken(script)
    assert (("Окаемов",), "Хм. Письмо? Хорошо, прочту. Ответ сообщу по почте, как только найду минуту.") in said
    assert (("Курьер",), "Вам телеграмма, срочная, из Ленинграда. Распишитесь вот здесь.") in said
    assert not any(s == ("Хм",) for s, _t in said)
    assert said[-2] == (("Гость 2",), "Добрый вечер. Я, кажется, не вовремя, простите великодушно.")  # numbered


def test_a_colon_cue_under_a_cue_with_only_a_direction_is_a_cue():
    """``Pfiff (faßt ihn unterm Arm):`` with nothing under it, then ``Moses (im Abgehen):`` over Moses's
    words: the colon marks Moses's cue; it was read as the first words of Pfiff's empty speech (the rule
    for ``FARNCOMBE.`` / ``Certainly.``, a one-word speech under a name alone, holds for unmarked names)."""
    script = parse_fixture("book-cue-with-only-a-direction.txt")
    assert spoken(script)[1] == (("Moses",), "Leben Se wohl! vergessen Se nicht zu schicken bei Tag und bei Nacht.")
    assert list(script.lines())[1].directions == ("im Abgehen",)


def test_a_slide_heading_that_is_a_word_never_a_name_elsewhere_is_a_cue_where_it_heads_speeches():
    """``## PS:`` over Pseudolus's speeches (slides): ``PS`` is a postscript everywhere else, so the
    heading stayed a scene title and his speeches were read as directions."""
    script = parse_fixture("slides-word-names.md")
    assert [s for s, _t in spoken(script)] == [("PS",), ("CAL",), ("PS",), ("CAL",)]
