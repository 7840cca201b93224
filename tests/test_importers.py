"""Importers: documents made from real scripts come back speech by speech (>= 98%)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from import_documents import (
    CORPUS,
    SCREENPLAYS,
    corpus_script,
    fdx,
    lost_words,
    one_act_docx,
    play_docx,
    screenplay_docx,
    screenplay_pdf,
    speech_accuracy,
    stage_play_pdf,
)

from runthru_build.errors import UnreadableInput
from runthru_build.importers import import_document, read_back
from runthru_build.script import Script

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


def test_docx_zip_check_reads_sizes_not_data(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (40 * 1024 * 1024))
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UnreadableInput, match="zip bomb"):
        import_document(path, "bomb.docx")


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
