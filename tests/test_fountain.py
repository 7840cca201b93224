from __future__ import annotations

import re

from conftest import FIXTURES, parse_fixture, spoken

from runthru_build.script import Direction, load_script
from runthru_build.script.fountain import parse_fountain


def test_title_page_with_multi_line_values():
    script = parse_fixture("elements.fountain")
    assert script.title == "The Last Train A Short Film"
    assert script.author == "Rosa Lindqvist"
    assert "Contact: rosa@example.org" in script.front_matter
    assert "Draft Date: 26 November 2026" in script.front_matter


def test_dialogue_speakers_extensions_forced_names_and_emphasis():
    script = parse_fixture("elements.fountain")
    assert spoken(script) == [
        (("ANNA",), "Is anyone there?"),
        (("STRANGER",), "Only me."),              # (O.S.) is the same character
        (("ANNA",), "Who are you? Tell me."),     # the two-space line keeps the dialogue going
        (("STRANGER",), "A friend. Midnight train, carry me home"),  # ~lyrics are sung dialogue
        (("McGREGOR",), "I'm the conductor."),    # @ forces a mixed-case name, kept as written; emphasis not spoken
        (("ANNA",), "You're late."),              # (CONT'D)
        (("STRANGER",), "We are all late."),      # ^ dual dialogue; _underline_ not spoken
        (("ANNA",), "I never saw him again."),    # (V.O.) after a page break
    ]


def test_parentheticals_set_delivery():
    script = parse_fixture("elements.fountain")
    anna, _, _, stranger, *_ = script.lines()
    assert (anna.delivery.emotion, anna.directions) == ("whisper", ("whispering",))
    assert (stranger.delivery.emotion, stranger.directions) == ("calm", ("gently",))


def test_scenes_sections_transitions_and_hidden_text():
    script = parse_fixture("elements.fountain")
    assert [s.full_title for s in script.scenes] == [
        "ACT ONE — INT. TRAIN STATION - NIGHT",   # #1# scene number dropped
        "ACT ONE — EXT. PLATFORM - CONTINUOUS",
        "ACT ONE — FLASHBACK",                    # forced scene heading
    ]
    directions = [e.text for s in script.scenes for e in s.elements if isinstance(e, Direction)]
    assert directions == ["The platform is empty. A clock ticks.", "CUT TO:", "Rain on the tracks.", "THE END",
                          "FADE OUT."]
    every_word = " ".join([line.spoken for line in script.lines()] + directions)
    for hidden in ("Note to self", "This was cut", "meets a stranger", "==="):
        assert hidden not in every_word


def test_line_numbers_survive_notes_and_boneyard():
    script = parse_fixture("elements.fountain")
    lines = list(script.lines())
    assert str(lines[4].source) == "scripts/elements.fountain:42"  # @McGREGOR, after a 5-line boneyard
    assert str(lines[-1].source) == "scripts/elements.fountain:65"


def _independent_word_count(text: str) -> int:
    """Dialogue words counted the simple way: the lines after a capitals-only cue, minus
    parentheticals, notes and emphasis marks."""
    lines = text.split("\n")
    total = 0
    in_dialogue = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            in_dialogue = False
            continue
        previous_blank = index == 0 or not lines[index - 1].strip()
        name = re.sub(r"\(.*?\)", "", line).strip()
        if previous_blank and name and name == name.upper() and not line.endswith(":") \
                and not line.startswith(("INT", "EXT", "#", "Title", "Author", "Draft")) and index + 1 < len(lines) \
                and lines[index + 1].strip():
            in_dialogue = True
            continue
        if in_dialogue and not (line.startswith("(") and line.endswith(")")):
            total += len(re.sub(r"\[\[.*?\]\]", "", line).replace("*", "").split())
    return total


def test_long_screenplay_loses_no_dialogue():
    path = FIXTURES / "scripts" / "long-night.fountain"
    script = load_script(path, "scripts/long-night.fountain")
    assert len(script.scenes) == 18 and len(script.characters) == 7
    assert sum(line.words for line in script.lines()) == _independent_word_count(path.read_text())


def test_crlf_and_lf_give_the_same_script(tmp_path):
    source = (FIXTURES / "scripts" / "elements.fountain").read_bytes()
    crlf = tmp_path / "elements.fountain"
    crlf.write_bytes(source.replace(b"\n", b"\r\n"))
    assert spoken(load_script(crlf, "x")) == spoken(parse_fixture("elements.fountain"))


def test_markdown_and_fountain_live_in_one_project(make_project):
    from runthru_build.project import load_project

    root = make_project({
        "scripts/stage.md": "# Stage\n\n## One\n\nAMY: Hi.\nBEN: Ho.\n",
        "scripts/screen.fountain": (FIXTURES / "scripts" / "elements.fountain").read_text(),
    })
    project = load_project(root)
    assert not project.errors
    assert sorted(p.name for p in project.productions) == ["screen", "stage"]


def test_arbitrary_fountain_never_raises():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("ABC abc()@^~>.<#=!*_[]/\n\t:")), max_size=300))
    def check(text):
        parse_fountain(text, "p.fountain")

    check()


def test_found_on_unseen_screenplays_a_numbered_extra_with_a_hash_is_a_character(tmp_path):
    """``GUARD #2`` and ``COP #1 (O.S.)``: the way screenplays number their extras."""
    path = tmp_path / "extras.fountain"
    path.write_text("INT. BANK - DAY\n\nGUARD #2\nHands where I can see them!\n\nCOP #1 (O.S.)\nNobody move.\n")
    script = load_script(path, "extras.fountain")
    assert [(line.speakers, line.spoken) for line in script.lines()] == [
        (("GUARD #2",), "Hands where I can see them!"), (("COP #1",), "Nobody move.")]
