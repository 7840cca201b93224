"""Importers: documents made from real scripts come back speech by speech (>= 98%)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from import_documents import (
    CORPUS,
    SCREENPLAYS,
    content_stream_bomb,
    corpus_script,
    docx_bomb,
    fdx,
    lost_words,
    one_act_docx,
    page_tree_bomb,
    play_docx,
    play_html,
    screenplay_docx,
    screenplay_pdf,
    speech_accuracy,
    stage_play_pdf,
)

from runthru_build.errors import UnreadableInput
from runthru_build.importers import Limits, import_document, read_back
from runthru_build.importers.document import clean_text
from runthru_build.importers.pdf import read_pdf
from runthru_build.importers.pdf_text import PageRuns, Run
from runthru_build.script import Script, load_script
from runthru_build.script.fountain import parse_fountain

PLAYS = ["beaumarchais_figaro_excerpt.md", "brubaker_nemesis.fountain", "hall_the_library_freak_out.fountain"]


def imported(tmp_path: Path, name: str, data: bytes) -> tuple[Script, str]:
    """Import one document, checking on the way that no word of its text layer is lost
    (the property holds for every document these tests make or read)."""
    path = tmp_path / name
    path.write_bytes(data)
    converted = import_document(path, name)
    assert_no_word_lost(data, Path(name).suffix.lower(), converted)
    return read_back(converted, f"scripts/{path.stem}{converted.suffix}"), converted.text


def assert_no_word_lost(data: bytes, kind: str, converted) -> None:
    lost = lost_words(data, ".txt" if kind == ".text" else kind, converted)
    assert not lost, f"{len(lost)} words of the document are in no speech, direction, structure line or report: " \
        f"{lost[:20]}"


@pytest.mark.parametrize("name", SCREENPLAYS)
def test_screenplay_pdf_comes_back_by_indent(tmp_path, name):
    source = corpus_script(name)
    script, text = imported(tmp_path, "s.pdf", screenplay_pdf(source))
    assert speech_accuracy(source, script) >= 0.98
    assert script.conventions is None  # written as Fountain
    for furniture in ("(MORE)", "rehearsal draft", "\n*\n", " *\n"):
        assert furniture not in text
    assert not re.search(r"^\d+\.$", text, re.MULTILINE)  # page numbers


@pytest.mark.parametrize("name", SCREENPLAYS)
def test_screenplay_pdf_with_dual_dialogue_side_by_side(tmp_path, name):
    """Two speeches printed in two columns come back as two speeches, left then right
    (marked dual), not one line of both columns."""
    source = corpus_script(name)
    data = screenplay_pdf(source, dual_every=4)
    script, text = imported(tmp_path, "s.pdf", data)
    assert " ^\n" in text
    assert speech_accuracy(source, script) >= 0.98


def test_screenplay_speech_split_across_pages_is_one_speech(tmp_path):
    source = corpus_script("hall_cyber_bob_ep1.fountain")
    data = screenplay_pdf(source)
    assert b"MORE" in data and b"CONT'D" in data  # the speech was split by a page break
    script, _ = imported(tmp_path, "s.pdf", data)
    longest = max(source.lines(), key=lambda line: line.words)
    assert any(line.spoken == longest.spoken for line in script.lines())
    assert speech_accuracy(source, script) == 1.0


@pytest.mark.parametrize("layout", [{}, {"centred_names": True}, {"bold_names": False}],
                         ids=["inline-bold-names", "centred-names", "inline-capital-names"])
@pytest.mark.parametrize("name", PLAYS)
def test_stage_play_pdf_comes_back_by_font_and_centring(tmp_path, name, layout):
    source = corpus_script(name)
    script, text = imported(tmp_path, "p.pdf", stage_play_pdf(source, **layout))
    assert speech_accuracy(source, script) >= 0.98
    assert "rehearsal draft" not in text and "of many" not in text
    # the two-column cast list is not read as speech
    assert sorted(script.characters) == sorted(c.upper() for c in source.characters)
    assert script.title == source.title


def test_larger_stage_play_pdf(tmp_path):
    source = corpus_script("wilde_an_ideal_husband.txt")
    data = stage_play_pdf(source)
    script, _ = imported(tmp_path, "husband.pdf", data)
    assert speech_accuracy(source, script) >= 0.98


def test_line_end_hyphens_are_removed(tmp_path):
    words = "extraordinarily unquestionably incomprehensibility counterrevolutionary"
    play = tmp_path / "hyphens.md"
    play.write_text("# Hyphens\n\n## Scene 1\n\n" + "\n\n".join(
        f"**ANNA:** {' '.join([words] * 4)} number {i}.\n\n**BEN:** Yes." for i in range(6)))
    from runthru_build.script import load_script

    source = load_script(play, "hyphens.md")
    data = stage_play_pdf(source)
    script, text = imported(tmp_path, "h.pdf", data)
    assert speech_accuracy(source, script) == 1.0
    assert "extraordi-" not in text and "extraordinarily" in text


def test_word_screenplay_styles(tmp_path):
    source = corpus_script("hall_the_library_freak_out.fountain")
    script, _ = imported(tmp_path, "s.docx", screenplay_docx(source))
    assert speech_accuracy(source, script) >= 0.98
    assert script.title == source.title


@pytest.mark.parametrize("name", ["beaumarchais_figaro_excerpt.md", "brubaker_nemesis.fountain"])
def test_word_play_bold_names_italic_directions(tmp_path, name):
    source = corpus_script(name)
    script, _ = imported(tmp_path, "p.docx", play_docx(source))
    assert speech_accuracy(source, script) >= 0.98
    assert script.conventions.summary().startswith('cues: "**NAME:**"')


def test_final_draft_corpus_file(tmp_path):
    data = (CORPUS / "screenplay_tools_TestFDX-FD.fdx").read_bytes()
    script, text = imported(tmp_path, "test.fdx", data)
    assert [(line.speakers, line.spoken) for line in script.lines()] == [
        (("DJ",), "Hey everyone, this is some music that sounds kinda terrible."),
        (("DAVE",), "Why do we pay him?"),
        (("JIM",), "Because he helps us test this screenplay."),
        (("KAY",), "Maybe there's a job for me here."),
    ]
    assert next(script.lines()).delivery.direction == "bored"
    assert [s.title for s in script.scenes] == ["INT. RADIO STUDIO", "EXT. OUTSIDE THE FOOD STORE"]
    assert script.title == "FDX Test Script"
    assert "SmartType" not in text and "RADIO STATION" not in text  # settings are not content


@pytest.mark.parametrize("name", SCREENPLAYS)
def test_final_draft_written_with_dual_dialogue(tmp_path, name):
    source = corpus_script(name)
    data = fdx(source, dual_every=5)
    assert b"<DualDialogue>" in data
    script, text = imported(tmp_path, "s.fdx", data)
    assert " ^\n" in text
    assert speech_accuracy(source, script) >= 0.98


SPEECHES = [("NORA", "Café? “Yes”, she said — twice."), ("HELMER", "No, Nora; the naïve one is you."),
            ("NORA", "Then I’ll go to the façade."), ("HELMER", "Go, then."), ("NORA", "I will."),
            ("HELMER", "[_Smiling_.] Not to-night."), ("NORA", "Why not?"), ("HELMER", "Because it’s late."),
            ("NORA", "It is only nine."), ("HELMER", "Nine is late.")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_text_in_any_encoding(tmp_path, encoding, newline):
    text = "THE FIRST ACT\n\n" + "\n\n".join(f"{who}.  {what}" for who, what in SPEECHES) + "\n"
    if encoding == "latin-1":
        text = text.translate(str.maketrans({"“": '"', "”": '"', "’": "'", "—": "-"}))
    script, _ = imported(tmp_path, "play.txt", text.replace("\n", newline).encode(encoding))
    assert [line.speakers[0] for line in script.lines()] == [who for who, _ in SPEECHES]
    assert "Café" in next(script.lines()).spoken


def test_text_corpus_latin1_crlf_play(tmp_path):
    name = "pinero_the_mind_the_paint_girl.txt"
    script, _ = imported(tmp_path, "paint.txt", (CORPUS / name).read_bytes())
    assert speech_accuracy(corpus_script(name), script) >= 0.98


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize(("name", "make"), [("beaumarchais_figaro_excerpt.md", play_docx),
                                            ("hall_the_library_freak_out.fountain", screenplay_docx)],
                         ids=["stage-play", "screenplay"])
def test_pdf_made_by_libreoffice(tmp_path, name, make):
    """A PDF from another program (LibreOffice's own fonts, kerning and text objects)."""
    import pypdfium2 as pdfium

    source = corpus_script(name)
    docx_path = tmp_path / "play.docx"
    docx_path.write_bytes(make(source))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(docx_path)],
                   check=True, capture_output=True, timeout=120)
    data = (tmp_path / "pdf" / "play.pdf").read_bytes()
    assert "LibreOffice" in pdfium.PdfDocument(data).get_metadata_dict()["Producer"]
    script, _ = imported(tmp_path, "play.pdf", data)
    assert speech_accuracy(source, script) >= 0.98


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_ocr_reads_a_scanned_screenplay(tmp_path):
    import pypdfium2 as pdfium

    source = corpus_script("hall_cyber_bob_ep1.fountain")
    pdf = pdfium.PdfDocument(screenplay_pdf(source))
    images = [pdf[i].render(scale=2).to_pil().convert("RGB") for i in range(len(pdf))]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=144)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UnreadableInput, match="ocrmypdf"):
        import_document(path, "scan.pdf")
    script = read_back(import_document(path, "scan.pdf", ocr=True), "scan.fountain")
    assert speech_accuracy(source, script) >= 0.9


def test_stage_play_speech_across_a_page_break_is_one_speech(tmp_path):
    play = tmp_path / "long.md"
    long_speech = " ".join(f"Sentence number {i} of a speech that will not fit on one page." for i in range(90))
    play.write_text(f"# Long\n\n## Scene 1\n\n**ANNA:** Short.\n\n**BEN:** {long_speech}\n\n**ANNA:** Done.\n")
    from runthru_build.script import load_script

    source = load_script(play, "long.md")
    data = stage_play_pdf(source, hyphenate=False)
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(data)) >= 3
    script, _ = imported(tmp_path, "long.pdf", data)
    assert [(line.speakers, line.spoken) for line in script.lines()] == \
        [(line.speakers, line.spoken) for line in source.lines()]


def test_stage_directions_come_back_as_directions(tmp_path):
    source = corpus_script("beaumarchais_figaro_excerpt.md")
    script, text = imported(tmp_path, "f.pdf", stage_play_pdf(source))
    assert "\n*(Figaro, Suzanne)*\n" in text  # a direction paragraph of its own
    directed = [(line.speakers, line.directions) for line in source.lines() if line.directions]
    assert len(directed) >= 5
    assert [(line.speakers[0].upper(), tuple(d.strip("*()") for d in line.directions))
            for line in script.lines() if line.directions] == \
        [(who[0].upper(), tuple(d.strip("*()_ ") for d in ds)) for who, ds in directed]


@pytest.mark.skipif(shutil.which("tesseract") is not None, reason="Tesseract is installed here")
def test_ocr_without_tesseract_says_what_to_install(tmp_path):
    from test_import_script import _image_only_pdf

    path = tmp_path / "scan.pdf"
    path.write_bytes(_image_only_pdf())
    with pytest.raises(UnreadableInput, match=r"tesseract-ocr.*ocrmypdf"):
        import_document(path, "scan.pdf", ocr=True)


def test_markdown_characters_in_speech_stay_literal(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Scene 1", level=1)
    for name, text in [("ANNA", "Type snake_case_name, not __init__."), ("BEN", "Fine."), ("ANNA", "Good.")]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{name}.").bold = True
        paragraph.add_run(f" {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    script, _ = imported(tmp_path, "marks.docx", buffer.getvalue())
    assert next(script.lines()).spoken == "Type snake_case_name, not __init__."


def test_speech_opening_with_a_long_direction_under_a_centred_name(tmp_path):
    direction = "(Tears at the bracelet in a paroxysm of rage, with inarticulate sounds, then stops and looks at BEN.)"
    play = tmp_path / "rage.md"
    play.write_text(f"# Rage\n\n## Scene 1\n\n**ANNA:** *{direction}* What are you going to do?\n\n"
                    "**BEN:** Ring for the servant.\n\n**ANNA:** Don't.\n")
    from runthru_build.script import load_script

    source = load_script(play, "rage.md")
    script, _ = imported(tmp_path, "rage.pdf", stage_play_pdf(source, centred_names=True))
    first = next(script.lines())
    assert (first.speakers, first.spoken) == (("ANNA",), "What are you going to do?")
    assert "paroxysm of rage" in first.directions[0]


def test_text_screenplay_is_kept_as_fountain(tmp_path):
    name = "hall_cyber_bob_ep1.fountain"
    path = tmp_path / "bob.txt"
    path.write_bytes((CORPUS / name).read_bytes().replace(b"\n", b"\r\n"))
    converted = import_document(path, "bob.txt")
    assert converted.suffix == ".fountain"
    assert speech_accuracy(corpus_script(name), read_back(converted, "bob.fountain")) == 1.0


def _drawn_pdf(pages: list[list[tuple[float, float, str, str]]]) -> bytes:
    """A PDF from (x, y from the top, font, text) per page."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for page in pages:
        for x, y, font, text in page:
            c.setFont(font, 12)
            c.drawString(x, 792 - y, text)
        c.showPage()
    c.save()
    return buffer.getvalue()


def test_a_cue_opening_every_page_is_not_a_running_header(tmp_path):
    pages = []
    for n in range(1, 9):
        pages.append([(500, 36, "Courier", f"{n}."),
                      (266, 54, "Courier", "ANNA"), (180, 66, "Courier", f"Line {n} of mine."),
                      (266, 90, "Courier", "BEN"), (180, 102, "Courier", f"Reply {n}.")])
    script, text = imported(tmp_path, "top.pdf", _drawn_pdf(pages))
    assert [line.speakers[0] for line in script.lines()] == ["ANNA", "BEN"] * 8
    assert not re.search(r"^\d+\.$", text, re.MULTILINE)


def test_shooting_script_scene_numbers_and_left_aligned_play_headings(tmp_path):
    screenplay = [[(60, 72, "Courier", "12"), (108, 72, "Courier", "INT. KITCHEN - DAY"), (540, 72, "Courier", "12"),
                   *[item for k in range(4) for item in (
                       (108, 96 + 60 * k, "Courier", f"Anna stirs the pot {k}."),
                       (266, 120 + 60 * k, "Courier", "ANNA" if k % 2 == 0 else "BEN"),
                       (180, 132 + 60 * k, "Courier", f"Speech {k}."))]]]
    script, _ = imported(tmp_path, "numbers.pdf", _drawn_pdf(screenplay))
    assert [s.title for s in script.scenes] == ["INT. KITCHEN - DAY"]
    play = [[(72, 72, "Times-Bold", "ACT ONE"), (72, 100, "Times-Bold", "ANNA."), (120, 100, "Times-Roman", "Hello."),
             (72, 120, "Times-Bold", "BEN."), (110, 120, "Times-Roman", "Hi."),
             (72, 150, "Times-Bold", "ACT TWO"), (72, 180, "Times-Bold", "ANNA."), (120, 180, "Times-Roman", "Bye.")]]
    script, _ = imported(tmp_path, "acts.pdf", _drawn_pdf(play))
    assert [s.full_title for s in script.scenes] == ["ACT ONE", "ACT TWO"]
    assert [line.spoken for line in script.lines()] == ["Hello.", "Hi.", "Bye."]


@pytest.mark.parametrize("justification", [None, "start"], ids=["word", "libreoffice"])
def test_a_one_act_word_play_with_a_characters_heading_and_no_act(tmp_path, justification):
    """Found by a newcomer: LibreOffice's ``w:jc="start"`` crashed the import with a
    traceback, and with no ACT heading "Characters" swallowed the play; THE END was spoken."""
    source = corpus_script("beaumarchais_figaro_excerpt.md")
    script, text = imported(tmp_path, "one-act.docx", one_act_docx(source, justification=justification))
    assert speech_accuracy(source, script) >= 0.98
    assert "*[The curtain rises on an empty room. Someone is heard outside.]*" in text
    assert "END" not in " ".join(line.spoken for line in script.lines())
    assert not any("Characters" in (scene.act or "") + scene.title for scene in script.scenes)


def test_plain_pdf_bracketed_directions_and_the_end_are_directions_not_unplaced(tmp_path):
    """Found by a newcomer: '[NATALYA comes in.]' on a line of its own, in a plain PDF of
    capital-name speeches, was reported as a paragraph that could not be placed."""
    rows, y = [], 72
    for i in range(4):  # speeches wrapped at 14 pt, a blank line between paragraphs
        rows += [(72, y, "Times-Roman", f"ANNA. Hello number {i}, and a speech long enough"),
                 (72, y + 14, "Times-Roman", "to wrap onto a second line."),
                 (72, y + 42, "Times-Roman", f"BEN. Hi {i}, and my answer wraps as well onto"),
                 (72, y + 56, "Times-Roman", "a second line.")]
        y += 84
        if i == 1:
            rows += [(72, y, "Times-Roman", "[A knock. CLARA comes in, shaking the rain"),
                     (72, y + 14, "Times-Roman", "from her coat.]")]
            y += 42
    rows.append((72, y, "Times-Roman", "THE END"))
    path = tmp_path / "plain.pdf"
    path.write_bytes(_drawn_pdf([rows]))
    converted = import_document(path, "plain.pdf")
    script = read_back(converted, "scripts/plain.md")
    assert [line.speakers[0] for line in script.lines()] == ["ANNA", "BEN"] * 4
    assert "*[A knock. CLARA comes in, shaking the rain from her coat.]*" in converted.text
    assert "END" not in " ".join(line.spoken for line in script.lines())
    assert converted.document.unplaced == []


# -- what a document made by another tool holds ------------------------------------------------

EMPHASIS_PLAY = """# Emphasis

## Scene 1

**NORA:** Not to *you*, dear. *(She turns away.)* Never to **you**.

**HELMER:** Then to whom?

**NORA:** To *them*. To all of *them*, Torvald.

**HELMER:** You are not *well*, Nora.

**NORA:** I am *perfectly* well.
"""


@pytest.mark.parametrize("make", [lambda s: ("e.pdf", stage_play_pdf(s)),
                                  lambda s: ("e.pdf", stage_play_pdf(s, centred_names=True)),
                                  lambda s: ("e.pdf", stage_play_pdf(s, bold_names=False)),
                                  lambda s: ("e.docx", play_docx(s))],
                         ids=["pdf-bold-names", "pdf-centred-names", "pdf-capital-names", "word"])
def test_an_emphasised_word_in_a_speech_is_speech(tmp_path, make):
    """Found on a hold-out play: an italic word inside a speech was taken for a stage direction,
    and `Not to *you*, dear.` became `Not to, dear.`"""
    play = tmp_path / "emphasis.md"
    play.write_text(EMPHASIS_PLAY)
    source = load_script(play, "emphasis.md")
    name, data = make(source)
    script, text = imported(tmp_path, name, data)
    assert [line.spoken for line in script.lines()] == [line.spoken for line in source.lines()]
    first = next(script.lines())
    assert first.spoken == "Not to you, dear. Never to you."
    assert [d.strip("()") for d in first.directions] == ["She turns away."]
    assert "Not to *you*, dear." in text and "To all of *them*, Torvald." in text


@pytest.mark.parametrize("kind", [".pdf", ".docx"])
def test_emphasis_in_screenplay_dialogue_is_kept(tmp_path, kind):
    """In a screenplay an italic or underlined word of dialogue is emphasis (its directions are
    parentheticals of their own): kept as Fountain emphasis, and spoken."""
    speeches = [("McCLANE", [("Not to ", ""), ("you", "i"), (", dear.", "")]), ("HOLLY", [("Then who?", "")]),
                ("McCLANE", [("Everybody", "i"), (" else.", "")]), ("HOLLY", [("Fine.", "")])]
    if kind == ".docx":
        import docx

        document = docx.Document()
        for name in ("Scene Heading", "Action", "Character", "Dialogue"):
            document.styles.add_style(name, 1)
        document.add_paragraph("INT. TOWER - NIGHT", style="Scene Heading")
        for who, runs in speeches:
            document.add_paragraph(who, style="Character")
            paragraph = document.add_paragraph(style="Dialogue")
            for text, style in runs:
                paragraph.add_run(text).italic = style == "i" or None
        buffer = io.BytesIO()
        document.save(buffer)
        data = buffer.getvalue()
    else:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        rows = [(108, 90, "Courier", "INT. TOWER - NIGHT")]
        y = 114
        for n, (who, runs) in enumerate(speeches):
            rows.append((252, y, "Courier", who))
            x = 180
            for text, style in runs:
                font = "Courier-Oblique" if style == "i" else "Courier"
                rows.append((x, y + 12, font, text))
                x += stringWidth(text, font, 12)
            rows.append((108, y + 36, "Courier", f"Glass breaks, number {n}."))
            y += 60
        data = _drawn_pdf([rows])
    script, text = imported(tmp_path, f"tower{kind}", data)
    assert [(line.speakers[0], line.spoken) for line in script.lines()] == [
        ("McCLANE", "Not to you, dear."), ("HOLLY", "Then who?"), ("McCLANE", "Everybody else."), ("HOLLY", "Fine.")]
    assert "Not to *you*, dear." in text and "*Everybody* else." in text


def test_the_direction_rule_brackets_or_a_sentence_of_its_own(tmp_path):
    """An italic run is a direction in brackets or as a sentence of its own; any other is emphasis."""
    import docx

    document = docx.Document()
    document.add_heading("Scene 1", level=1)
    for runs in ([("ANNA.", "b"), (" Well. ", ""), ("She sits down.", "i"), (" I am tired.", "")],
                 [("BEN.", "b"), (" ", ""), ("[laughing]", "i"), (" You are ", ""), ("never", "i"), (" tired.", "")],
                 [("ANNA.", "b"), (" ", ""), ("Quiet.", "i"), (" Or out.", "")],
                 [("BEN.", "b"), (" Go (", ""), ("he points", "i"), (") now.", "")]):
        paragraph = document.add_paragraph()
        for text, style in runs:
            run = paragraph.add_run(text)
            run.bold, run.italic = style == "b" or None, style == "i" or None
    buffer = io.BytesIO()
    document.save(buffer)
    script, _ = imported(tmp_path, "rule.docx", buffer.getvalue())
    assert [(line.spoken, tuple(d.strip("()[]") for d in line.directions)) for line in script.lines()] == [
        ("Well. I am tired.", ("She sits down.",)), ("You are never tired.", ("laughing",)),
        ("Quiet. Or out.", ()), ("Go now.", ("he points",))]


def _screenplay_page(rows: list[tuple[str, str]], y: float = 90) -> list[tuple[float, float, str, str]]:
    """A page in Final Draft's layout from (element, text): action 1.5", cue 3.5", dialogue 2.5"."""
    x = {"action": 108, "cue": 252, "dialogue": 180, "paren": 209, "heading": 108}
    page = []
    for kind, text in rows:
        if kind in ("action", "heading", "cue") and page:
            y += 12
        page.append((x[kind], y, "Courier", text))
        y += 12
    return page


def test_mixed_case_cues_at_the_character_indent(tmp_path):
    """Found on a hold-out screenplay: `McCLANE` at the character indent was not a cue."""
    cues = ["McCLANE", "DeMARCO (V.O.)", "MacGREGOR (CONT'D)", "O'NEIL (PRE-LAP)", "McCLANE (O.S.)", "DeMARCO"]
    rows = [("heading", "INT. NAKATOMI PLAZA - NIGHT"), ("action", "Glass everywhere.")]
    for n, cue in enumerate(cues):
        rows += [("cue", cue), ("dialogue", f"Line number {n} of mine.")]
        if n % 2:
            rows.append(("action", f"Something explodes, number {n}."))
    script, text = imported(tmp_path, "cues.pdf", _drawn_pdf([_screenplay_page(rows)]))
    assert [line.speakers[0] for line in script.lines()] == \
        ["McCLANE", "DeMARCO", "MacGREGOR", "O'NEIL", "McCLANE", "DeMARCO"]
    assert [line.spoken for line in script.lines()] == [f"Line number {n} of mine." for n in range(6)]
    assert "@McCLANE\n" in text and "@DeMARCO (V.O.)\n" in text  # Fountain's forced cue, extensions kept


@pytest.mark.parametrize("layout", ["inline", "centred"])
def test_mixed_case_cues_in_a_stage_play_by_its_own_layout(tmp_path, layout):
    """In a stage play the cue layout is the play's own: `McCLANE. Text` in plain capitals
    inline, or `DeMARCO` centred over the speech."""
    speeches = [("McCLANE", "Come out to the coast."), ("DeMARCO", "We'll get together."), ("O'NEIL", "Have a laugh."),
                ("McCLANE", "Yippee-ki-yay."), ("DeMARCO", "Not funny."), ("O'NEIL", "A bit funny.")]
    rows, y = [(306, 72, "Times-Bold", "SCENE 1")], 110
    for who, what in speeches:
        if layout == "inline":
            rows += [(72, y, "Times-Roman", f"{who}."), (150, y, "Times-Roman", what)]
            y += 28
        else:
            rows += [(306 - 3.2 * len(who), y, "Times-Roman", who), (72, y + 14, "Times-Roman", what)]
            y += 42
    script, _ = imported(tmp_path, "play.pdf", _drawn_pdf([rows]))
    assert [(line.speakers[0], line.spoken) for line in script.lines()] == speeches


def test_a_forced_scene_heading_is_a_scene(tmp_path):
    rows = _screenplay_page([("heading", "INT. KITCHEN - DAY"), ("action", "Anna cooks."), ("cue", "ANNA"),
                             ("dialogue", "Soup."), ("action", "Ben enters."), ("cue", "BEN"), ("dialogue", "Again?"),
                             ("heading", ".FLASHBACK"), ("action", "Years ago."), ("cue", "ANNA"),
                             ("dialogue", "Soup, always.")])
    script, text = imported(tmp_path, "forced.pdf", _drawn_pdf([rows]))
    assert [s.title for s in script.scenes] == ["INT. KITCHEN - DAY", "FLASHBACK"]
    assert "\n.FLASHBACK\n" in text


def test_no_control_character_reaches_a_script_and_line_end_hyphens(tmp_path):
    """Final Draft PDFs give PDFium `pizza\\x02` / `getter`: a real hyphen broken at a line end
    (seen in a real pilot, below).  The runs here are what PDFium returns for such a page."""
    rows = _screenplay_page([
        ("heading", "INT. STUDY ROOM - NIGHT"), ("action", "The doorbell.\x07"), ("cue", "ABED"),
        ("dialogue", "I think we just found our pizza\x02"), ("dialogue", "getter. Cool. Cool cool cool."),
        ("action", "Jeff\x0c glares."), ("cue", "JEFF"), ("dialogue", "SHUT UP WITH YOUR SCI\x02"),
        ("dialogue", "FI CRAP. It is extra\u00adordinary\x85."), ("action", "Abed shrugs."), ("cue", "ABED"),
        ("dialogue", "Fine."), ("action", "A beat."), ("cue", "JEFF"), ("dialogue", "Thank\u200b you.")])
    runs = [Run(x, x + 7.2 * len(text), y, 12, clean_text(text), False, False) for x, y, _, text in rows]
    document = read_pdf(b"", "fd.pdf", reader=lambda data, shown, limits: [PageRuns(1, 612, 792, runs)])
    assert [p.text for p in document.paras if p.kind == "dialogue"] == [
        "I think we just found our pizza-getter. Cool. Cool cool cool.",
        "SHUT UP WITH YOUR SCI-FI CRAP. It is extraordinary.", "Fine.", "Thank you."]
    assert not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b]", p.text) for p in document.paras)
    # a stage play typeset with hyphenation: a broken word is joined, a real hyphen kept
    play = tmp_path / "hyphen.md"
    play.write_text("# H\n\n## Scene 1\n\n" + "\n\n".join(
        f"**ANNA:** {'A thoroughly self-assured and extraordinarily well-mannered person. ' * 3}{i}\n\n**BEN:** No."
        for i in range(4)))
    source = load_script(play, "hyphen.md")
    script, text = imported(tmp_path, "h.pdf", stage_play_pdf(source))
    assert "self-assured" in text and "well-mannered" in text and "extraordinarily" in text
    assert [line.spoken for line in script.lines()] == [line.spoken for line in source.lines()]


@pytest.mark.parametrize("kind", [".txt", ".docx"])
def test_control_characters_in_text_and_word_files_are_removed(tmp_path, kind):
    speeches = [("NORA", "Café\x0c at\u00ad ten?\x85"), ("HELMER", "No\u200b, Nora."), ("NORA", "Then\x07 at nine."),
                ("HELMER", "Go.")]
    if kind == ".txt":
        data = ("ACT I\n\n" + "\n\n".join(f"{who}.  {what}" for who, what in speeches) + "\n").encode("utf-8")
    else:
        import docx

        document = docx.Document()
        document.add_heading("Act I", level=1)
        for who, what in speeches:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{who}.").bold = True
            paragraph.add_run(f" {what.replace(chr(0x0c), '').replace(chr(7), '')}")
        buffer = io.BytesIO()
        document.save(buffer)
        data = buffer.getvalue()
    path = tmp_path / f"play{kind}"
    path.write_bytes(data)
    converted = import_document(path, path.name)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b]", converted.text)
    script = read_back(converted, "play.md")
    assert [line.spoken for line in script.lines()][:2] == ["Café at ten?", "No, Nora."]


SHOOTING_PAGES = [
    [(161, 45, '"Pizza Night" - #303 - "Remedial Theory" 1.'), (55, 90, "A13"), (108, 90, "INT. LIVING ROOM - SAME"),
     (540, 90, "A13"), (108, 114, "Troy opens the door."), (252, 138, "TROY"), (180, 150, "Pizza's here."),
     (55, 174, "14"), (108, 174, "OMITTED"), (540, 174, "14"), (466, 753, "(CONTINUED)")],
    [(161, 45, '"Pizza Night" - #303 - "Remedial Theory" 2.'), (55, 60, "23"), (108, 60, "CONTINUED: (2)"),
     (540, 60, "23"), (252, 84, "ABED"), (180, 96, "Seven timelines."), (252, 120, "ANNIE"),
     (180, 132, "Six, Abed."), (466, 753, "(CONTINUED)")],
    [(161, 45, '"Pizza Night" - #303 - "Remedial Theory" 3.'), (55, 60, "23"), (108, 60, "CONTINUED: (3)"),
     (540, 60, "23"), (252, 84, "TROY"), (180, 96, "Who gets the pizza?"), (55, 120, "24"),
     (108, 120, "EXT. STREET - NIGHT"), (540, 120, "24"), (108, 144, "BUZZ!"), (108, 168, "HANK MOODY"),
     (108, 192, "Walks in."), (108, 216, "ALT:"), (108, 240, "He runs."), (252, 264, "ANNIE"), (180, 276, "Go.")],
]


def test_shooting_script_furniture_scene_numbers_and_capitalised_action(tmp_path):
    """Found on real pilots: a running header right above `CONTINUED:` spoken as action on every
    page, `A13 INT. LIVING ROOM - SAME A13` and `14 OMITTED 14` as forced action, and capitalised
    action (`HANK MOODY`, `BUZZ!`, `ALT:`) as scene headings."""
    pages = [[(x, y, "Courier", text) for x, y, text in page] for page in SHOOTING_PAGES]
    script, text = imported(tmp_path, "shooting.pdf", _drawn_pdf(pages))
    assert [s.title for s in script.scenes] == ["INT. LIVING ROOM - SAME", "EXT. STREET - NIGHT"]
    assert "INT. LIVING ROOM - SAME #A13#" in text and "EXT. STREET - NIGHT #24#" in text
    assert "Pizza Night" not in text and "#303" not in text and "CONTINUED" not in text
    assert "[[14 OMITTED 14]]" in text
    assert [(line.speakers[0], line.spoken) for line in script.lines()] == [
        ("TROY", "Pizza's here."), ("ABED", "Seven timelines."), ("ANNIE", "Six, Abed."),
        ("TROY", "Who gets the pizza?"), ("ANNIE", "Go.")]
    action = " ".join(d.text for d in script.scenes[1].elements if not hasattr(d, "speakers"))
    assert all(word in action for word in ("BUZZ!", "HANK MOODY", "ALT:"))
    spoken = " ".join(line.spoken for line in script.lines())
    assert "OMITTED" not in spoken and "A13" not in spoken and "CONTINUED" not in spoken


# -- other word processors ---------------------------------------------------------------------

def _rtf_play() -> bytes:
    speeches = [("NORA", "Not to {\\i you}, dear."), ("HELMER", "Then to whom?"), ("NORA", "To them."),
                ("HELMER", "Go on.")]
    body = "".join(f"{{\\b {who}.}} {what}\\par\n" for who, what in speeches)
    return ("{\\rtf1\\ansi{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 {\\b ACT I}\\par\n" + body + "}").encode()


def _odt_play() -> bytes:

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
    speeches = "".join(f'<text:p><text:span text:style-name="B">{who}.</text:span> {what}</text:p>'
                       for who, what in [("NORA", 'Not to <text:span text:style-name="I">you</text:span>, dear.'),
                                         ("HELMER", "Then to whom?"), ("NORA", "To them."), ("HELMER", "Go on.")])
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:automatic-styles><style:style style:name="B" style:family="text"><style:text-properties '
               'fo:font-weight="bold"/></style:style><style:style style:name="I" style:family="text">'
               '<style:text-properties fo:font-style="italic"/></style:style></office:automatic-styles>'
               f'<office:body><office:text><text:h text:outline-level="1">ACT I</text:h>{speeches}'
               '</office:text></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("kind", [".odt", ".rtf", ".doc"])
def test_odt_rtf_and_doc_are_converted_by_libreoffice(tmp_path, kind):
    data = _odt_play() if kind == ".odt" else _rtf_play()
    if kind == ".doc":  # an old-style Word file, made by LibreOffice from the RTF
        (tmp_path / "play.rtf").write_bytes(data)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                        "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(tmp_path / "play.rtf")],
                       check=True, capture_output=True, timeout=120)
        data = (tmp_path / "doc" / "play.doc").read_bytes()
        assert data.startswith(b"\xd0\xcf\x11\xe0")
    path = tmp_path / f"play{kind}"
    path.write_bytes(data)
    converted = import_document(path, path.name)
    script = read_back(converted, "play.md")
    assert [(line.speakers[0], line.spoken) for line in script.lines()] == [
        ("NORA", "Not to you, dear."), ("HELMER", "Then to whom?"), ("NORA", "To them."), ("HELMER", "Go on.")]
    assert "Not to *you*, dear." in converted.text
    assert not list(tmp_path.glob("**/lo-profile*")) or kind == ".doc"  # no profile left but the test's own


@pytest.mark.parametrize("kind", [".odt", ".rtf", ".doc"])
def test_without_libreoffice_one_line_says_how_to_install_it(tmp_path, monkeypatch, kind):
    path = tmp_path / f"play{kind}"
    path.write_bytes(_odt_play() if kind == ".odt" else _rtf_play())
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(UnreadableInput) as raised:
        import_document(path, path.name)
    message = str(raised.value)
    assert "\n" not in message and f"cannot import {kind} without LibreOffice" in message
    assert "apt install libreoffice-writer" in message and "save it as Word (.docx) or PDF" in message


@pytest.mark.parametrize(("name", "says"), [("scan.png", "it is an image, not text; put the scanned pages in a PDF"),
                                            ("play.pages", "export it from Pages as Word (.docx) or PDF"),
                                            ("play.xyz", "save it as PDF, Word (.docx), Final Draft (.fdx)")])
def test_what_cannot_be_converted_gets_one_line_with_a_way_forward(tmp_path, name, says):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(UnreadableInput, match=re.escape(says)) as raised:
        import_document(path, name)
    assert "\n" not in str(raised.value)


# -- bombs -------------------------------------------------------------------------------------

def test_a_page_tree_bomb_is_refused_by_its_page_count(tmp_path):
    """A 1 KB PDF whose page tree lists one subtree ten times per level: a million pages."""
    path = tmp_path / "tree.pdf"
    path.write_bytes(page_tree_bomb())
    with pytest.raises(UnreadableInput, match=r"1,000,000 pages, more than the limit of 1,000.*--max-pages"):
        import_document(path, "tree.pdf")
    small = tmp_path / "small.pdf"
    small.write_bytes(page_tree_bomb(levels=1, fan=3))  # three pages: under a limit of 2, refused too
    with pytest.raises(UnreadableInput, match="3 pages, more than the limit of 2"):
        import_document(small, "small.pdf", limits=Limits(pages=2))


def test_a_content_stream_bomb_is_refused_by_text_per_page_memory_or_time(tmp_path):
    path = tmp_path / "stream.pdf"
    path.write_bytes(content_stream_bomb(5))  # 15 KB on disk, 5 MB of drawing operators on one page
    with pytest.raises(UnreadableInput, match="page 1 holds more than 50,000 characters"):
        import_document(path, "stream.pdf")
    big = tmp_path / "big.pdf"
    big.write_bytes(content_stream_bomb(40))  # 120 KB; PDFium needs ~0.5 GB to parse its one page
    with pytest.raises(UnreadableInput, match="needed more than 48 MB of memory"):
        import_document(big, "big.pdf", limits=Limits(memory_mb=48))
    with pytest.raises(UnreadableInput, match=r"took more than 0\.2 s"):
        import_document(path, "stream.pdf", limits=Limits(seconds=0.2))


def test_a_docx_bomb_is_refused_by_the_bytes_it_really_unpacks(tmp_path):
    """A stored padding member brings the compression ratio under any threshold: the
    declared sizes look harmless, the real document.xml inflates to 100 MB."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb(unpacked_mb=100, padding_kb=1024))
    with pytest.raises(UnreadableInput, match=r"document\.xml unpacks to more than 64 MB"):
        import_document(path, "bomb.docx")


def test_a_docx_of_too_many_paragraphs_is_refused(tmp_path):
    path = tmp_path / "many.docx"
    path.write_bytes(docx_bomb(paragraphs=3_000))
    with pytest.raises(UnreadableInput, match="more than 2,000 paragraphs"):
        import_document(path, "many.docx", limits=Limits(paragraphs=2_000))
    converted = import_document(path, "many.docx")  # under the default limit: read, in one pass
    assert converted.text.count("**NORA:** Again.") == 3_000


# -- real documents from tools RunThru does not control ----------------------------------------

@pytest.mark.browser
def test_a_play_printed_to_pdf_by_chromium(tmp_path):
    """Chromium's print-to-PDF, with its own header (date, title) and footer (address, 1/3)."""
    from conftest import CHROMIUM

    source = corpus_script("beaumarchais_figaro_excerpt.md")
    page = tmp_path / "figaro.html"
    page.write_text(play_html(source), encoding="utf-8")
    pdf = tmp_path / "figaro.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    data = pdf.read_bytes()
    script, text = imported(tmp_path, "printed.pdf", data)
    assert speech_accuracy(source, script) >= 0.99
    assert "figaro.html" not in text and "file://" not in text


def test_text_files_in_utf16_and_cp1252_load_from_scripts(tmp_path):
    """A play saved as "Unicode" (UTF-16) or "ANSI" (CP1252) by Notepad reads in scripts/ too."""
    text = "THE FIRST ACT\r\n\r\n" + "\r\n\r\n".join(f"{who}.  {what}" for who, what in SPEECHES) + "\r\n"
    for encoding in ("utf-16", "cp1252"):
        path = tmp_path / f"play-{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        script = load_script(path, path.name)
        assert [line.speakers[0] for line in script.lines()] == [who for who, _ in SPEECHES]
        assert "Café" in next(script.lines()).spoken


SCREENPLAYS_MIRROR = Path(os.environ.get("RUNTHRU_SCREENPLAYS_MIRROR", "/work/.mirror/lumenwrites+screenplays/repo"))
"""A local copy of github.com/lumenwrites/screenplays (Final Draft PDFs of television pilots and
the same scripts as Fountain).  It has no licence, so nothing of it is committed here: these
tests read it where it is, and are skipped where it is not."""


def _mirrored(name: str) -> bytes:
    if not SCREENPLAYS_MIRROR.exists() or shutil.which("git") is None:
        pytest.skip("no local copy of lumenwrites/screenplays (set RUNTHRU_SCREENPLAYS_MIRROR)")
    git = ["git", f"--git-dir={SCREENPLAYS_MIRROR}"] if not (SCREENPLAYS_MIRROR / ".git").exists() \
        else ["git", "-C", str(SCREENPLAYS_MIRROR)]
    done = subprocess.run([*git, "show", f"HEAD:server/content/{name}"], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"{name} is not in the local copy of lumenwrites/screenplays")
    return done.stdout


def test_real_final_draft_pilot_community(tmp_path):
    """A real Final Draft shooting script: `"Community" - #303 - "Remedial Chaos Theory" 2.` over
    `2 CONTINUED: (2) 2` on every page, scene numbers in both margins (`A13`), `14 OMITTED 14`,
    and PDFium's `pizza\\x02` / `getter` at line ends."""
    data = _mirrored("community-3x03-remedial-chaos-theory.pdf")
    script, text = imported(tmp_path, "community.pdf", data)
    reference = parse_fountain(_mirrored("community-3x03-remedial-chaos-theory.fountain").decode(), "ref.fountain")
    assert speech_accuracy(reference, script) >= 0.98
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad]", text)
    assert "our pizza-getter." in text and "YOUR SCI-FI CRAP" in text
    assert '"Community" -' not in text and "CONTINUED" not in text
    assert "INT. LIVING ROOM - SAME #A13#" in text and "[[14 OMITTED 14]]" in text
    assert len(script.scenes) == 36  # its sluglines, no more
    spoken = " ".join(line.spoken for line in script.lines())
    assert "OMITTED" not in spoken and "#303" not in spoken


def test_real_final_draft_pilot_californication(tmp_path):
    """Capitalised action on its own line (`A DIRTY BLACK PORSCHE`, `HANK MOODY`) is action:
    30 scenes, as its sluglines say, not 52."""
    data = _mirrored("californication-101-pilot.pdf")
    script, text = imported(tmp_path, "californication.pdf", data)
    reference = parse_fountain(_mirrored("californication-101-pilot.fountain").decode(), "ref.fountain")
    assert speech_accuracy(reference, script) >= 0.98
    assert len(script.scenes) == 30
    assert all(re.match(r"(INT|EXT|I/E)", scene.title) for scene in script.scenes)
    assert "\n!HANK MOODY\n" in text and "\n!A DIRTY BLACK PORSCHE\n" in text
