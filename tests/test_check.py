from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from runthru_build.cli import main


def run_check(root, *args):
    result = CliRunner().invoke(main, ["check", str(root), *args])
    return result


def test_check_json_has_the_documented_shape(sample_project):
    result = run_check(sample_project, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (prod,) = report["productions"]
    assert prod["name"] == "romeo-and-juliet"
    assert prod["script"] == "scripts/romeo-and-juliet.md"
    assert prod["title"] == "Romeo and Juliet"
    romeo = next(c for c in prod["characters"] if c["name"] == "ROMEO")
    assert romeo["lines"] > 30 and romeo["words"] > 400 and romeo["actor"] == "Sam"
    assert prod["scenes"][0] == {"title": "Prologue", "source": "scripts/romeo-and-juliet.md:26", "lines": 2}
    abram = next(line for line in prod["lines"] if line["direction"] == "angrily")
    assert abram == {"speakers": ["ABRAM"], "text": "Do you bite your thumb at us, sir?", "direction": "angrily",
                     "emotion": "angry", "intensity": 0.7, "source": "scripts/romeo-and-juliet.md:104"}
    assert report["errors"] == []


def test_check_prints_summary_and_warnings(make_project):
    root = make_project({"scripts/w.md": (FIXTURES / "scripts" / "warnings.md").read_text()})
    result = run_check(root)
    assert result.exit_code == 0
    assert "scripts/w.md:10: JIMMY looks like a misspelling of JIMY (first at scripts/w.md:8)" in result.output
    assert "scripts/w.md:5: cue JIMMY has no text" in result.output
    assert "scripts/w.md:8: JIMY speaks only once" in result.output
    assert "GIRL" in result.output and "3 lines" not in result.output.split("GIRL")[0]


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("empty.md", b"", 1, "error: scripts/empty.md: script is empty"),
        ("binary.md", b"\x00\x01binary\x00", 2, "error: scripts/binary.md: is a binary file, not text"),
        ("prose.md", b"# Prose\n\nJust some words here.\n", 1, "error: scripts/prose.md: no dialogue found"),
    ],
)
def test_bad_scripts_give_one_line_errors_without_traceback(make_project, name, content, code, message):
    root = make_project({f"scripts/{name}": content})
    proc = subprocess.run([sys.executable, "-m", "runthru_build", "check", str(root)], capture_output=True, text=True)
    assert proc.returncode == code
    assert proc.stderr.startswith(message)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_toml_syntax_error_is_unreadable_input(make_project):
    root = make_project({"scripts/a.md": "# A\n\nX1: hi\nX2: ho\n", "casts/a.toml": 'script = "../scripts/a.md"\n[roles\n'})
    result = run_check(root)
    assert result.exit_code == 2
    assert "casts/a.toml:2: TOML syntax error" in result.output


def test_not_a_project(tmp_path):
    result = run_check(tmp_path)
    assert result.exit_code == 1
    assert "not a RunThru project" in result.output


def test_cast_naming_a_missing_script_is_unreadable_input(make_project):
    root = make_project({"casts/a.toml": 'script = "../scripts/gone.md"\n'})
    result = run_check(root)
    assert result.exit_code == 2
    assert "error: casts/a.toml:1: script scripts/gone.md named by script = … does not exist" in result.output


def test_a_latin1_script_is_read_with_a_warning(make_project):
    # old Project Gutenberg plays are Latin-1: read them, and say so
    root = make_project({"scripts/latin1.md": b"# Old\n\nJIMMY: caf\xe9 au lait\nGIRL: Ma\xeetre d'h\xf4tel.\n"})
    result = run_check(root)
    assert result.exit_code == 0
    assert "scripts/latin1.md:3: not UTF-8 (byte 0xe9); read as cp1252" in result.output
    from runthru_build.script import load_script

    script = load_script(root / "scripts" / "latin1.md", "scripts/latin1.md")
    assert [line.spoken for line in script.lines()] == ["café au lait", "Maître d'hôtel."]


def test_check_warns_about_names_that_may_be_one_character(make_project):
    # the corpus's Cyber Bob cues one character as BOB and as CYBER BOB
    root = make_project({"scripts/bob.md": "# Bob\n\n## S\n\nBOB: Hi.\nDOG: Woof.\nCYBER BOB: Hello.\nBOB: Bye.\n"})
    result = run_check(root)
    assert "scripts/bob.md:7: CYBER BOB may be the same character as BOB (first at scripts/bob.md:5)" in result.output
    assert "DOG may be" not in result.output


def _check_cli(root):
    return subprocess.run([sys.executable, "-m", "runthru_build", "check", str(root)], capture_output=True,
                          text=True, timeout=30)


def test_a_fifo_named_like_a_script_is_refused_not_read_forever(make_project):
    import os

    root = make_project({"scripts/a.md": "# A\n\nX1: hi\nX2: ho\n"})
    os.mkfifo(root / "scripts" / "pipe.md")
    (root / "casts").mkdir()
    os.mkfifo(root / "casts" / "pipe.toml")
    proc = _check_cli(root)  # the old code never returned: timeout
    assert proc.returncode == 2
    assert "error: scripts/pipe.md: is not a regular file (a FIFO, socket or device)" in proc.stderr
    assert "error: casts/pipe.toml: is not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_broken_link_says_so(make_project):
    root = make_project({"scripts/a.md": "# A\n\nX1: hi\nX2: ho\n"})
    (root / "scripts" / "gone.md").symlink_to(root / "elsewhere" / "draft")
    proc = _check_cli(root)
    assert proc.returncode == 2
    assert f"error: scripts/gone.md: broken link: it points to {root / 'elsewhere' / 'draft'}" in proc.stderr


def test_a_cast_whose_script_is_outside_the_project_is_warned_about(make_project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "play.md").write_text("# A\n\nX1: hi\nX2: ho\nX1: bye\nX2: bye\n")
    root = make_project({"casts/a.toml": f'script = "{outside / "play.md"}"\n',
                         "casts/b.toml": 'script = "../scripts/linked.md"\n'})
    (root / "scripts" / "linked.md").symlink_to(outside / "play.md")
    proc = _check_cli(root)
    assert proc.returncode == 0, proc.stderr
    assert f"warning: casts/a.toml: script = '{outside / 'play.md'}' resolves to {outside / 'play.md'}, outside " \
           "the project" in proc.stderr
    assert f"warning: casts/b.toml: script = '../scripts/linked.md' resolves to {outside / 'play.md'}" in proc.stderr


def test_check_on_a_project_with_no_scripts_fails_as_build_does(tmp_path):
    """Found by a newcomer: empty scripts/ and casts/ gave no output and exit 0 from check."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "casts").mkdir()
    result = run_check(tmp_path)
    assert result.exit_code == 1
    assert "no scripts found: put a play in scripts/" in result.output


SWALLOWED = """# Balcony

## Scene 1

ROMEO: She speaks.
JULIET
O Romeo, Romeo!

ROMEO: Shall I hear more?

JULIET: 'Tis but thy name.

*(ROMEO steps forward.)*

I take thee at thy word.

JULIET: What man art thou?
"""


def test_a_name_swallowed_into_a_speech_is_warned_about_and_check_ends_with_its_doubts(make_project):
    """``JULIET`` alone inside Romeo's paragraph is read as his words: say so, with the line,
    and end ``check`` with the few readings it is least sure of."""
    root = make_project({"scripts/b.md": SWALLOWED})
    result = run_check(root)
    assert result.exit_code == 0
    assert "warning: scripts/b.md:6: 'JULIET' stands alone on its line like a cue: read as more of ROMEO's speech" \
        in result.output
    tail = result.output.split("least sure of (read these lines in the script):\n", 1)[1].splitlines()
    assert tail[0].strip().startswith("scripts/b.md:6: 'JULIET' stands alone")
    assert tail[1].strip() == ("scripts/b.md:15: no cue here: read as more of JULIET's speech, after the direction"
                               " above")


def test_a_script_past_the_size_limit_is_refused_in_one_line(make_project):
    """A 9 MB paste is refused at once (not parsed for minutes), naming the file and the setting
    that raises the limit; raised, the same kind of file is read."""
    speeches = "".join(f"AMY: Line {i}.\n\nBOB: Line {i}.\n\n" for i in range(300_000))
    root = make_project({"scripts/huge.md": "# Huge\n\n" + speeches[: 9_000_000]})
    result = run_check(root)
    assert result.exit_code == 2 and "Traceback" not in result.output  # unreadable input, as a binary file
    assert "error: scripts/huge.md: is 9.0 MB, over the 8 MB limit for a script (a long play is 0.3 MB): " \
           "raise max_script_mb in runthru.toml to read it" in result.output
    (root / "scripts" / "huge.md").write_text("# Huge\n\n" + speeches[:60_000])
    (root / "runthru.toml").write_text("max_script_mb = 0.05\n")
    assert "over the 0.05 MB limit" in run_check(root).output
    (root / "runthru.toml").write_text("max_script_mb = 0.1\n")
    assert run_check(root).exit_code == 0


def test_check_reports_every_error_in_every_cast_and_script_at_once(make_project):
    """Found by a newcomer: cast errors came one at a time (fix one, re-run, get the next)."""
    play = "# Play\n\n## One\n\nAMY: Hello.\nBEN: Hi.\nAMY: Bye.\n"
    root = make_project({
        "scripts/play.md": play,
        "scripts/empty.md": "",
        "casts/play.toml": ('script = "../scripts/play.md"\ncolour = "red"\n[defaults]\nspede = 1.1\n'
                            '[roles.AMY]\npitch = 40.0\nvoice = "voices/amy.wav"\n[roles.BOB]\npitch = 1.0\n'
                            '[roles.BEN]\nspeed = "fast"\nactor = "Kyle"\n'),
        "casts/other.toml": 'script = "../scripts/play.md"\nengine = "nope"\n[roles.AMY]\npich = 2.0\n',
    })
    result = run_check(root)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    from runthru_build.engines import engine_names

    assert errors == [
        f"error: casts/other.toml:2: engine must be one of {', '.join(engine_names())}, not 'nope'",
        "error: casts/other.toml:4: unknown key roles.AMY.pich (did you mean pitch?)",
        "error: casts/play.toml:2: unknown key colour (known: defaults, engine, roles, script, title)",
        "error: casts/play.toml:4: unknown key defaults.spede (did you mean speed?)",
        "error: casts/play.toml:6: roles.AMY.pitch = 40.0 is out of range (-12.0 to 12.0)",
        "error: casts/play.toml:7: roles.AMY.voice: voice file 'voices/amy.wav' not found (looked for voices/amy.wav)",
        "error: casts/play.toml:8: [roles.BOB]: 'BOB' does not speak in scripts/play.md",
        "error: casts/play.toml:11: roles.BEN.speed must be a number, not 'fast'",
        "error: scripts/empty.md: script is empty",
    ]


def test_counts_of_one_are_singular(make_project):
    """Found by a newcomer: "(1 lines)" beside a scene of one line."""
    root = make_project({"scripts/a.md": "# A\n\n## One\n\nAMY: Hi.\nBEN: Ho.\n\n## Two\n\nAMY: Bye.\n"})
    result = run_check(root)
    assert result.exit_code == 0
    assert "2 scenes, 3 lines," in result.output
    assert "One (2 lines)" in result.output and "Two (1 line)" in result.output
