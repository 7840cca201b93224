from __future__ import annotations

import re
import tomllib
from dataclasses import fields

import pytest
from conftest import FIXTURES, run_cli

from runthru_build.config import SECTIONS, Config, load_config
from runthru_build.project import load_project


@pytest.mark.slow
def test_new_project_builds_at_once(tmp_path):
    root = tmp_path / "spring-show"
    proc = run_cli("new", str(root))
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in root.iterdir()} == {"runthru.toml", "scripts", "casts", ".gitignore"}
    assert "build/" in (root / ".gitignore").read_text()
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert (root / "build" / "first-scene" / "alex" / "index.html").exists()


def test_build_in_an_empty_folder_says_what_to_do_once(tmp_path):
    proc = run_cli(cwd=tmp_path)  # plain `runthru-build`
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "site not updated" not in proc.stderr
    assert "`runthru-build new NAME`" in proc.stderr and "scripts/" in proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written into someone else's folder


def test_new_names_every_file_it_made_the_same_way(tmp_path):
    """Found by a newcomer: new printed three paths as given and the cast's as an absolute path."""
    proc = run_cli("new", "my-show", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    created = [line.removeprefix("created ") for line in proc.stdout.splitlines() if line.startswith("created ")]
    assert created == ["my-show/runthru.toml", "my-show/scripts/first-scene.md", "my-show/casts/first-scene.toml",
                       "my-show/.gitignore"]
    assert all((tmp_path / path).is_file() for path in created)


def test_runthru_toml_lists_every_setting_commented(tmp_path):
    assert run_cli("new", str(tmp_path / "p")).returncode == 0
    text = (tmp_path / "p" / "runthru.toml").read_text()
    assert tomllib.loads(text) == {}  # everything commented: the defaults apply
    assert load_config(tmp_path / "p") == Config(root=(tmp_path / "p").resolve())
    for name, cls in SECTIONS.items():
        assert f"# [{name}]" in text
        for f in fields(cls):
            assert f"# {f.name} =" in text, f.name
    setting = re.compile(r"^# (\[(audio|render|site|serve|engines\.\w+)\]|\w+ = .+)$")
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in text.splitlines())
    values = tomllib.loads(uncommented)  # uncommenting gives valid TOML with the defaults
    for name, cls in SECTIONS.items():
        assert cls(**values[name]) == cls()


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    proc = run_cli("new", str(tmp_path))
    assert proc.returncode == 1 and "not empty" in proc.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_cast_init_lists_characters_with_counts_and_distinct_voices(make_project):
    root = make_project({"scripts/long-night.fountain": (FIXTURES / "scripts" / "long-night.fountain").read_text()})
    proc = run_cli("cast", "init", str(root / "scripts" / "long-night.fountain"))
    assert proc.returncode == 0, proc.stderr
    path = root / "casts" / "long-night.toml"
    text = path.read_text()
    cast = tomllib.loads(text)
    assert cast["script"] == "../scripts/long-night.fountain"
    assert set(cast["roles"]) == {"MAYA", "THEO", "DR. OKAFOR", "MRS. PEABODY", "JAMIE", "OFFICER RUIZ", "LÉA"}
    assert len({(r["pitch"], r["speed"]) for r in cast["roles"].values()}) == 7
    assert '[roles."LÉA"]  # ' in text and " lines" in text
    project = load_project(root)
    assert not project.errors and project.productions[0].cast.path == "casts/long-night.toml"
    again = run_cli("cast", "init", str(root / "scripts" / "long-night.fountain"))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_cast_init_spreads_unhinted_pitches_evenly_and_says_they_were_guessed(make_project):
    """Found by a newcomer: a screenplay with no gender hints, and one man got the highest voice
    of the cast (+7.5), another the lowest (-7.5), in no order."""
    speeches = {"NICK": 9, "SARAH": 7, "TOM": 5, "PETE": 4, "JO": 3, "KIM": 2}
    body = "".join(f"{name}: Line {i} of {name.title()}.\n" for name, n in speeches.items() for i in range(n))
    root = make_project({"scripts/night.md": f"# Night\n\n## One\n\n{body}"})
    assert run_cli("cast", "init", str(root / "scripts" / "night.md")).returncode == 0
    text = (root / "casts" / "night.toml").read_text()
    roles = tomllib.loads(text)["roles"]
    # most lines first: the voice's own pitch, then alternately up and down by even steps
    assert [(roles[name]["pitch"], roles[name]["speed"]) for name in speeches] == [
        (0.0, 1.0), (2.0, 1.0), (-2.0, 1.0), (4.0, 1.0), (-4.0, 1.0), (6.0, 1.0)]
    assert "their pitches are spread evenly, alternately higher and lower" in text
    assert text.count("# pitch guessed: the script gives no hint of this part's voice") == 6
