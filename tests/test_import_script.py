"""``runthru-build import``: what it writes, what it reports, and bad input that writes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from import_documents import (
    CORPUS,
    content_stream_bomb,
    corpus_script,
    docx_bomb,
    page_tree_bomb,
    play_docx,
    screenplay_pdf,
    stage_play_pdf,
)

from runthru_build.cli import main
from runthru_build.project import load_project


def run_import(tmp_path: Path, *args: str):
    runner = CliRunner()
    return runner.invoke(main, ["import", *args, "-o", str(tmp_path / "scripts")], catch_exceptions=False)


def test_import_writes_editable_scripts_and_reports_what_it_found(tmp_path):
    pdf = tmp_path / "nonsense.pdf"
    pdf.write_bytes(screenplay_pdf(corpus_script("brubaker_complete_and_utter_nonsense.fountain")))
    play = tmp_path / "figaro.docx"
    play.write_bytes(play_docx(corpus_script("beaumarchais_figaro_excerpt.md")))
    result = run_import(tmp_path, str(pdf), str(play))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scripts" / "nonsense.fountain").is_file()
    suzanne = sum(1 for line in corpus_script("beaumarchais_figaro_excerpt.md").lines() if line.speakers == ("Suzanne",))
    assert (tmp_path / "scripts" / "figaro.md").read_text().count("**SUZANNE:**") == suzanne
    out = result.output
    assert "conventions: Fountain screenplay" in out and 'conventions: cues: "**NAME:**"' in out
    assert "KELLY" in out and "FIGARO" in out
    assert "rejoined" in out or "dropped" in out
    # the next build reads them like any other script
    project = load_project(tmp_path)
    assert not project.errors
    assert {p.name for p in project.productions} == {"nonsense", "figaro"}


def test_import_lists_paragraphs_it_could_not_place_with_page_and_line(tmp_path):
    path = tmp_path / "stray.pdf"
    # an indented plain paragraph between speeches: neither a speech nor an italic direction
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.setFont("Times-Bold", 12)
    c.drawCentredString(300, 760, "SCENE 1")
    for i, (name, text) in enumerate([("ALEX.", "One."), ("JAMIE.", "Two."), ("ALEX.", "Three.")]):
        c.setFont("Times-Bold", 12)
        c.drawString(72, 720 - i * 40, name)
        c.setFont("Times-Roman", 12)
        c.drawString(120, 720 - i * 40, text)
    c.drawString(200, 560, "A stray note set off to the right.")
    c.save()
    path.write_bytes(buffer.getvalue())
    result = run_import(tmp_path, str(path))
    assert result.exit_code == 0, result.output
    assert "1 paragraph could not be placed" in result.output
    assert f"{path} page 1 line 5: A stray note set off to the right." in result.output


def test_existing_script_is_kept_without_force(tmp_path):
    fdx = CORPUS / "screenplay_tools_TestFDX-FD.fdx"
    target = tmp_path / "scripts" / f"{fdx.stem}.fountain"
    target.parent.mkdir()
    target.write_text("my edits\n")
    result = run_import(tmp_path, str(fdx))
    assert result.exit_code == 1
    assert "already exists: pass --force" in result.output
    assert target.read_text() == "my edits\n"
    result = run_import(tmp_path, str(fdx), "--force")
    assert result.exit_code == 0
    assert "Hey everyone" in target.read_text()


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(72, 720, "ROMEO. Hello.")
    c.save()
    return buffer.getvalue()


def _owner_locked_pdf(can_copy: int) -> bytes:
    """Opens without a password; its owner's permissions allow or forbid copying text."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=can_copy))
    for i, line in enumerate(["ROMEO. Hello, Juliet.", "", "JULIET. Hello, Romeo.", "", "ROMEO. Shall we go?"]):
        c.drawString(72, 720 - 14 * i, line)
    c.save()
    return buffer.getvalue()


def test_a_pdf_whose_owner_allows_copying_text_is_imported(tmp_path):
    path = tmp_path / "protected.pdf"
    path.write_bytes(_owner_locked_pdf(can_copy=1))
    result = run_import(tmp_path, str(path))
    assert result.exit_code == 0, result.output
    assert "Hello, Romeo." in (tmp_path / "scripts" / "protected.md").read_text()


def _image_only_pdf() -> bytes:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (850, 1100), "white")
    ImageDraw.Draw(image).text((100, 100), "ROMEO. Hello, Juliet.", fill="black")
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawImage(ImageReader(image), 0, 0, 612, 792)
    c.save()
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """80 MB of speeches behind a stored padding member that keeps the ratio innocent."""
    return docx_bomb(unpacked_mb=80, padding_kb=512)


_BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<FinalDraft DocumentType="Script" Version="5"><Content><Paragraph Type="Character"><Text>DJ</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>&d;&d;&d;</Text></Paragraph></Content></FinalDraft>"""

BAD = {
    "encrypted.pdf": (_encrypted_pdf, "encrypted"),
    "copy-locked.pdf": (lambda: _owner_locked_pdf(can_copy=0), "locked against copying"),
    "truncated.pdf": (lambda: stage_play_pdf(corpus_script("brubaker_nemesis.fountain"))[:6000], "truncated"),
    "corrupt.pdf": (lambda: b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "corrupt"),
    "scan.pdf": (_image_only_pdf, "ocrmypdf"),
    "bomb.docx": (_zip_bomb, "zip bomb"),
    "pages.pdf": (page_tree_bomb, "1,000,000 pages, more than the limit of 1,000 (a PDF bomb?)"),
    "stream.pdf": (lambda: content_stream_bomb(5), "page 1 holds more than 50,000 characters"),
    "scan.png": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "it is an image, not text"),
    "entities.fdx": (lambda: _BILLION_LAUGHS, "DOCTYPE"),
    "empty.txt": (lambda: b"", "empty"),
    "empty.pdf": (lambda: b"", "empty"),
    "really-a-pdf.docx": (lambda: screenplay_pdf(corpus_script("hall_cyber_bob_ep1.fountain")), "holds a PDF"),
    "really-a-docx.pdf": (lambda: play_docx(corpus_script("beaumarchais_figaro_excerpt.md")), "holds a Word"),
    "really-text.fdx": (lambda: b"ROMEO. Hello.\n\nJULIET. Hi.\n", "holds a text file"),
    "really-a-png.txt": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "holds a PNG image"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_one_line_naming_the_file_exit_2_nothing_written(tmp_path, name):
    make, expected = BAD[name]
    path = tmp_path / name
    path.write_bytes(make())
    good = tmp_path / "good.fdx"
    good.write_bytes((CORPUS / "screenplay_tools_TestFDX-FD.fdx").read_bytes())
    result = run_import(tmp_path, str(good), str(path))
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith(f"error: {path}: ") and expected in errors[0], errors
    assert len(errors) == 2 and "nothing written" in errors[1]
    assert not (tmp_path / "scripts").exists()


def test_build_reads_a_final_draft_file_in_scripts_unless_an_editable_copy_exists(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    fdx = scripts / "radio.fdx"
    fdx.write_bytes((CORPUS / "screenplay_tools_TestFDX-FD.fdx").read_bytes())
    project = load_project(tmp_path)
    assert [p.name for p in project.productions] == ["radio"]
    assert [line.speakers[0] for line in project.productions[0].script.lines()] == ["DJ", "DAVE", "JIM", "KAY"]
    assert run_import(tmp_path, str(fdx)).exit_code == 0
    copy = scripts / "radio.fountain"
    copy.write_text(copy.read_text().replace("Why do we pay him?", "Why do we even pay him?"))
    project = load_project(tmp_path)
    assert [(p.name, p.script.path) for p in project.productions] == [("radio", "scripts/radio.fountain")]
    assert "Why do we even pay him?" in [line.spoken for line in project.productions[0].script.lines()]


def test_watch_rebuilds_when_a_document_in_scripts_changes(tmp_path):
    from runthru_build.config import load_config
    from runthru_build.watch import IgnoreRules

    (tmp_path / "scripts").mkdir()
    rules = IgnoreRules.for_config(load_config(tmp_path))
    assert not rules(tmp_path / "scripts" / "play.pdf")


def test_max_pages_raises_the_page_limit(tmp_path):
    """A long document past the page limit is refused in one line that names the flag; the flag
    lets it through."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "long.pdf"
    c = canvas.Canvas(str(path))
    for page in range(6):
        c.setFont("Times-Bold", 12)
        c.drawCentredString(300, 760, f"SCENE {page + 1}")
        for i, (name, text) in enumerate([("ANNA.", "One."), ("BEN.", "Two."), ("ANNA.", "Three.")]):
            c.setFont("Times-Bold", 12)
            c.drawString(72, 720 - i * 40, name)
            c.setFont("Times-Roman", 12)
            c.drawString(120, 720 - i * 40, text)
        c.showPage()
    c.save()
    result = run_import(tmp_path, str(path), "--max-pages", "5")
    assert result.exit_code == 2
    assert f"error: {path}: refused: 6 pages, more than the limit of 5" in result.output
    assert "--max-pages" in result.output
    result = run_import(tmp_path, str(path), "--max-pages", "6")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scripts" / "long.md").read_text().count("**ANNA:**") == 12


def test_a_pdf_bomb_in_scripts_is_one_error_not_a_hang(tmp_path):
    """`check` and `build` read a PDF in scripts/ through the same bounded importer."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "bomb.pdf").write_bytes(page_tree_bomb())
    (scripts / "radio.fdx").write_bytes((CORPUS / "screenplay_tools_TestFDX-FD.fdx").read_bytes())
    project = load_project(tmp_path)
    assert [p.name for p in project.productions] == ["radio"]
    assert [str(e) for e in project.errors] == [
        "scripts/bomb.pdf: refused: 1,000,000 pages, more than the limit of 1,000 (a PDF bomb?); "
        "if it is a real script, import it with --max-pages"]


def test_a_text_play_lists_the_lines_the_parser_leaves_out(tmp_path):
    """No word goes unreported: a text file's end marks are not in the script, and the report
    names each with its line."""
    play = tmp_path / "ends.txt"
    play.write_text("THE FIRST ACT\n\nANNA.  Hello.\n\nBEN.  Hi.\n\nANNA.  Bye.\n\nEND OF THE FIRST ACT\n\n"
                    "THE SECOND ACT\n\nBEN.  Back.\n\nANNA.  Again.\n\nTHE END\n")
    result = run_import(tmp_path, str(play))
    assert result.exit_code == 0, result.output
    assert "2 lines of the file are not in the script" in result.output
    assert f"{play} line 9: END OF THE FIRST ACT" in result.output and f"{play} line 17: THE END" in result.output
    assert "## THE SECOND ACT" in (tmp_path / "scripts" / "ends.md").read_text()
