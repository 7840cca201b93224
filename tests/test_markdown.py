from __future__ import annotations

import pytest
from conftest import FIXTURES, line_at, parse_fixture, spoken

from runthru_build.script.play import parse_markdown


def test_three_cue_styles_mixed_in_one_file():
    script = parse_fixture("cue-styles.md")
    assert spoken(script) == [
        (("JIMMY",), "Bold colon inside."),
        (("GIRL",), "Bold colon outside."),
        (("NARRATOR 1",), "Plain colon."),
        (("MRS. O'BRIEN",), "Periods and an apostrophe."),
        (("RENÉ",), "Non-ASCII name."),
        (("ROMEO",), "Alone on a line, text below."),
        (("ROMEO",), "And again, so the style is certain."),
        (("JULIET",), "Period style."),
        (("JULIET",), "Period style twice."),
        (("JULIET",), "A direction in the cue."),
        (("JIMMY",), "An alternate name."),
        (("JIMMY",), "The alias speaks."),
    ]


def test_title_subtitle_author_and_line_numbers():
    script = parse_fixture("cue-styles.md")
    assert (script.title, script.subtitle, script.author) == ("Cue Styles", "A test of every cue", "A. Tester")
    assert str(line_at(script, 11).source) == "scripts/cue-styles.md:11"
    assert [str(s.source) for s in script.scenes] == ["scripts/cue-styles.md:6"]


def test_cue_direction_sets_delivery_and_alias_is_recorded():
    script = parse_fixture("cue-styles.md")
    softly = line_at(script, 23)
    assert softly.delivery.emotion == "calm"
    assert softly.directions == ("softly",)
    assert script.aliases == {"JAMIE": "JIMMY"}


def test_group_lines_name_every_speaker():
    script = parse_fixture("groups.md")
    groups = {line.spoken: line.speakers for line in script.lines()}
    assert groups["Together."] == ("ROMEO", "JULIET")
    assert groups["Pair."] == ("ROMEO", "NURSE")
    assert groups["Trio."] == ("ROMEO", "JULIET", "NURSE")
    assert groups["The last two."] == ("JULIET", "NURSE")
    assert groups["Everyone."] == ("ROMEO", "JULIET", "NURSE")
    # ALL / EVERYONE means the characters of that scene only
    assert groups["Just us."] == ("TYBALT", "MERCUTIO")
    assert "ALL" not in script.characters and "BOTH" not in script.characters


def test_standalone_and_inline_directions():
    script = parse_fixture("directions.md")
    scene = script.scenes[0]
    standalone = [e.text for e in scene.elements if not hasattr(e, "speakers")]
    assert standalone == ["A bare stage.", "Lights rise.", "Thunder.", "The door opens.", "Sound: rain",
                          "She turns away."]
    narrator = line_at(script, 15)
    assert narrator.spoken == "Welcome to the show."
    assert narrator.directions == ("To the audience:",)
    aside = line_at(script, 17)
    assert aside.spoken == "I said nothing at all."
    assert [p.kind for p in aside.parts] == ["speech", "direction", "speech"]
    angry = line_at(script, 19)
    assert (angry.spoken, angry.delivery.emotion, angry.delivery.intensity) == ("Get out!", "angry", 0.7)
    mid = line_at(script, 25)
    assert mid.spoken == "Fine. Goodbye."
    assert mid.delivery.emotion == "sad" and mid.delivery.intensity > 0.6  # "very" strengthens it


def test_plain_paragraph_after_direction_continues_previous_speaker():
    script = parse_fixture("directions.md")
    cont = line_at(script, 23)
    assert cont.speakers == ("GIRL",)
    assert cont.spoken == "And don't come back."
    assert cont.continued


def test_front_matter_is_never_dialogue():
    script = parse_fixture("front-matter.md")
    assert script.author == "Somebody Else"
    assert spoken(script) == [(("JIMMY",), "The first real line."), (("JAMIE",), "The second.")]
    text = "\n".join(script.front_matter)
    assert "Sam Walker" in text and "thank his mum" in text and "Riverside" in text
    assert [s.full_title for s in script.scenes] == ["Act 1 — Opening Scene"]


def test_markup_comments_rules_and_footnotes_are_not_spoken():
    script = parse_fixture("markup.md")
    jimmy, girl = list(script.lines())
    assert jimmy.spoken == "I really mean it, truly."
    assert jimmy.parts[0].markdown == "I *really* mean it, **truly**.\\*"  # emphasis kept for display
    assert girl.spoken == "Say it again."


def test_script_without_headings_is_one_scene_with_front_matter():
    script = parse_fixture("no-headings.md")
    assert len(script.scenes) == 1
    assert [line.speakers[0] for line in script.lines()] == ["JIMMY", "GIRL", "JIMMY"]


def test_cue_with_no_text_is_a_warning_with_location():
    script = parse_fixture("warnings.md")
    assert script.warnings == ["scripts/warnings.md:5: cue JIMMY has no text"]


def test_period_style_needs_a_known_name():
    # "STOP. Don't move." once is speech, not a character called STOP
    script = parse_markdown("# T\n\n## S\n\nJIMMY: Hey.\n\nSTOP. Don't move.\n", "t.md")
    assert spoken(script) == [(("JIMMY",), "Hey. STOP. Don't move.")]


def test_crlf_and_lf_parse_alike(tmp_path):
    source = (FIXTURES / "scripts" / "directions.md").read_text()
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(source.replace("\n", "\r\n").encode())
    from runthru_build.script import load_script

    assert spoken(load_script(crlf, "x.md")) == spoken(parse_fixture("directions.md"))


def test_sample_production_is_big_enough(sample_project):
    from runthru_build.script import load_script

    script = load_script(sample_project / "scripts" / "romeo-and-juliet.md", "scripts/romeo-and-juliet.md")
    lines = list(script.lines())
    assert len(script.scenes) >= 3
    assert len(lines) >= 150
    assert len(script.characters) >= 5
    assert any(len(line.speakers) > 1 for line in lines)


def test_a_play_written_under_its_characters_heading_is_read():
    """A one-act play in markdown: '## Characters', its list, then the speeches with no
    heading between.  The list is front matter; the speeches are the play (they used to be
    front matter too: nothing to rehearse), in a scene not named 'Characters'."""
    text = ("# The Ladder\n**by A. Writer**, translated by B. Other\n\n## Characters\n\n"
            "- BRANDT, a clerk\n- MARIA, his niece\n\n*(A small parlour. BRANDT alone.)*\n\n"
            "**BRANDT:** Who is there?\n\n**MARIA:** Only me, uncle.\n\n**BRANDT:** Come in, then.\n")
    script = parse_markdown(text, "ladder.md")
    assert spoken(script) == [(("BRANDT",), "Who is there?"), (("MARIA",), "Only me, uncle."),
                              (("BRANDT",), "Come in, then.")]
    assert [(scene.act, scene.title) for scene in script.scenes] == [(None, "The Ladder")]
    assert "## Characters" in script.front_matter
    assert str(script.scenes[0].elements[0].text).startswith("A small parlour.")  # the opening direction
    assert script.author == "A. Writer, translated by B. Other"


@pytest.mark.parametrize("typo", ["**LOMOV: Thank you.", "LOMOV Thank you."], ids=["bold-left-open", "no-mark"])
def test_a_mistyped_cue_is_warned_about_with_its_line(typo):
    """Found by a newcomer: a cue written unlike the play's others was silently read as
    more of the speech before it, so the name was spoken in the wrong voice."""
    text = ("# P\n\n## S\n\n**CHUBUKOV:** My dear fellow!\n\n**LOMOV:** Good day.\n\n**CHUBUKOV:** Sit down.\n\n"
            f"{typo}\n\n**CHUBUKOV:** Good.\n\n**LOMOV:** Yes.\n")
    script = parse_markdown(text, "p.md")
    (warning,) = [w for w in script.warnings if "like a cue" in w]
    assert warning.startswith("p.md:11: 'LOMOV' opens this paragraph like a cue")
    assert "more of CHUBUKOV's speech" in warning


def test_a_bold_name_without_its_colon_is_still_the_speech_with_a_warning():
    """Found by a newcomer: '**ARIA** *(rolling eyes)* Zack…' among '**NAME:**' cues was
    read as a stage direction, so the speech silently vanished."""
    text = ("# P\n\n## S\n\n**EMMA:** Hello there.\n\n**ZACK:** Hi.\n\n**ARIA:** Hey.\n\n"
            "**ARIA** *(rolling eyes)* Zack, stop it.\n\n**EMMA:** Fine.\n")
    script = parse_markdown(text, "p.md")
    assert spoken(script)[3] == (("ARIA",), "Zack, stop it.")
    assert list(script.lines())[3].delivery.direction == "rolling eyes"
    assert any(w.startswith("p.md:11: 'ARIA' has no colon") for w in script.warnings)


def test_a_bracket_never_closed_is_warned_about():
    text = "# P\n\n## S\n\n**EMMA:** Hello.\n\n**ARIA:** *(rolling eyes Zack, stop it.\n\n**EMMA:** Fine.\n"
    script = parse_markdown(text, "p.md")
    assert [w for w in script.warnings if "never closed" in w] == [
        "p.md:7: a bracket opened and never closed, so the direction in it is spoken with the line"]


# -- four readings that once went wrong (issue 22) ------------------------------------------


def test_a_name_alone_over_a_parenthetical_is_a_cue_in_a_play_of_colon_cues():
    """The sample's ``JULIET`` / ``(not seeing him)`` / ``O Romeo, Romeo!`` was Romeo's line."""
    script = parse_fixture("name-above-parenthetical.md")
    line = line_at(script, 7)
    assert line.speakers == ("JULIET",)
    assert line.spoken == "O Romeo, Romeo! wherefore art thou Romeo?"
    assert line.directions == ("not seeing him",)
    assert line_at(script, 5).spoken == "She speaks. O, speak again, bright angel!"


def test_the_sample_gives_juliet_her_line(sample_project):
    from runthru_build.script import load_script

    script = load_script(sample_project / "scripts" / "romeo-and-juliet.md", "romeo-and-juliet.md")
    line = next(line for line in script.lines() if "wherefore art thou Romeo" in line.spoken)
    assert line.speakers == ("JULIET",) and "JULIET" not in line.spoken


def test_a_cast_list_in_hard_broken_lines_under_sub_headings_is_never_spoken():
    script = parse_fixture("cast-hard-breaks.md")
    assert [(s, t) for s, t in spoken(script)][:2] == [(("SUSAN",), "Where is the dog?"), (("JIMMY",), "I do not know.")]
    assert not any("Walker" in t or "Park" in t for _s, t in spoken(script))
    assert len(list(script.lines())) == 7


def test_a_name_that_is_also_a_word_speaks_in_a_play_of_names_alone():
    """``PAGE`` alone on its line over an indented speech, as Shakespeare texts cue him."""
    script = parse_fixture("page-alone.txt")
    page = [t for s, t in spoken(script) if s == ("PAGE",)]
    assert page == ["Well, Sir John, well; she keeps the house.", "I will, sir.", "Sir John, that fat knight.",
                    "Come, wife; to dinner."]
    assert line_at(script, 22).speakers == ("PAGE",)  # the cue line


def test_numbered_parents_and_both_of_them_are_three_parts():
    script = parse_fixture("parents-numbered.md")
    assert set(script.characters) == {"Parent One", "Child", "Parent Two", "Parents One and Two"}
    assert [t for s, t in spoken(script) if s == ("Parents One and Two",)] == ["Bed!", "Good night!"]
    assert [t for s, t in spoken(script) if s == ("Parent Two",)] == ["Now, please.", "Teeth first."]


def test_a_name_like_line_inside_a_speech_is_warned_about_even_for_a_name_heard_once():
    src = "# P\n\n## One\n\nKING: Who comes?\nMESSENGER\nNews, my lord!\n\nKING: Speak.\n\nQUEEN: Speak!\n\nKING: Well?\n"
    script = parse_markdown(src, "p.md")
    assert "p.md:6: 'MESSENGER' stands alone on its line like a cue: read as more of KING's speech" in script.warnings


def test_a_play_set_as_slides_with_a_heading_over_each_speech():
    """``## DER MANN:`` heading each speech, ``---`` between them: every heading that is a name and
    its colon, used for two speeches or more, is that character's cue (it was read as a scene
    title, and the play had no dialogue); ``## Zweiter Auftritt`` stays a scene."""
    script = parse_fixture("speaker-headings.md")
    assert spoken(script) == [
        (("DER MANN",), "Frau, liegst du? so tu ich das Licht aus."), (("DIE FRAU",), "Lieber Gott!"),
        (("DER MANN",), "Bedenk einmal das wenige, was wir noch haben. Und morgen kommt der Vogt."),
        (("DIE FRAU",), "Ich weiß es wohl."), (("DER MANN",), "Still!")]
    assert [s.title for s in script.scenes] == ["Erster Auftritt", "Zweiter Auftritt"]
    assert list(script.lines())[3].directions == ("weinend.",)


def test_a_possessive_in_the_cast_list_makes_no_one_anothers_alias():
    """``- Iago Othello’s standard-bearer``: ``OTHELLO’S`` in Iago's description is no name, so
    OTHELLO's cues are not Iago's (every Othello speech in DraCor's md-bold Othello was Iago's)."""
    script = parse_fixture("cast-possessive.md")
    assert [s for s, _t in spoken(script)] == [("IAGO",), ("OTHELLO",), ("IAGO",), ("OTHELLO",), ("IAGO",),
                                              ("OTHELLO",), ("CASSIO",), ("OTHELLO",)]
    assert "OTHELLO" not in script.aliases
