"""Revision history: each build records the lines; `changes` lists what changed per role."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from conftest import run_cli

from runthru_build.commands.build import build
from runthru_build.commands.changes import changes
from runthru_build.errors import RunThruError

PLAY = """# Changes

## One

AMY: Hello there, Ben.
BEN: Hello, Amy.
AMY: Shall we begin?
BEN: We shall, at once.
AMY: Then let us go.
"""


def site_data(root):
    text = (root / "build" / "play" / "data.js").read_text()
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


@pytest.fixture
def built(make_project, toy_engine):
    root = make_project({"scripts/play.md": PLAY, "casts/play.toml": 'script = "../scripts/play.md"\nengine = "toy"\n'})
    assert build(root).published
    return root


def edit(root, old, new):
    path = root / "scripts" / "play.md"
    path.write_text(path.read_text().replace(old, new))


def test_a_build_without_changes_makes_no_new_revision(built):
    first = site_data(built)["revision"]
    assert first["id"] == 1 and all(it["cr"] == 1 for it in site_data(built)["items"] if it["t"] == "l")
    assert build(built).published
    assert site_data(built)["revision"]["id"] == 1
    (history,) = (built / ".runthru" / "revisions").glob("*.json")
    assert len(json.loads(history.read_text())["revisions"]) == 1


def test_edited_lines_carry_the_new_revision_and_the_chooser_counts_them(built):
    edit(built, "Hello, Amy.", "Hello, dear Amy.")
    edit(built, "Then let us go.", "Then let us go now.")
    assert build(built).published
    data = site_data(built)
    assert data["revision"]["id"] == 2 and set(data["revision"]["dates"]) == {"1", "2"}
    changed = [it["src"] for it in data["items"] if it["t"] == "l" and it["cr"] == 2]
    assert changed == ["scripts/play.md:6", "scripts/play.md:9"]
    chooser = (built / "build" / "play" / "index.html").read_text()
    assert chooser.count('class="changed-count"') == 2  # AMY 1, BEN 1
    assert ">1 line changed<" in chooser


def test_changes_lists_changed_added_and_removed_lines_per_role(built):
    edit(built, "Hello, Amy.", "Hello, dear Amy.")
    edit(built, "AMY: Then let us go.\n", "")
    edit(built, "BEN: We shall, at once.\n", "BEN: We shall, at once.\nBEN: Right now.\n")
    found = changes(built)  # not built yet: the scripts as they are against the last build
    (production,) = found
    assert production.base.id == 1
    ben = [(c.kind, c.line.text) for c in production.by_role["BEN"]]
    amy = [(c.kind, c.line.text) for c in production.by_role["AMY"]]
    assert ben == [("changed", "Hello, dear Amy."), ("added", "Right now.")]
    assert amy == [("removed", "Then let us go.")]
    assert build(built).published
    assert [(c.kind, c.line.text) for c in changes(built, role="ben")[0].by_role["BEN"]] == ben
    assert list(changes(built, role="ben")[0].by_role) == ["BEN"]
    assert changes(built, since_spec="2")[0].by_role == {}
    today = datetime.now(UTC).date().isoformat()
    assert changes(built, since_spec=today)[0].base.id == 2
    assert changes(built, since_spec="2000-01-01")[0].base is None


def test_changes_on_the_command_line(built):
    edit(built, "Shall we begin?", "Shall we start?")
    assert build(built).published
    result = run_cli("changes", "--role", "AMY", cwd=built)
    assert result.returncode == 0, result.stderr
    assert "AMY: 1 changed, 0 added, 0 removed" in result.stdout
    assert "changed  scripts/play.md:7  Shall we start?  (was: Shall we begin?)" in result.stdout
    bad = run_cli("changes", "--since", "7", cwd=built)
    assert bad.returncode == 1 and "--since 7: no such revision (known: 1, 2)" in bad.stderr
    with pytest.raises(RunThruError, match="no such role"):
        changes(built, role="NOBODY")


def test_a_damaged_history_stops_the_build_with_its_file_named_and_keeps_the_site(built):
    (history,) = (built / ".runthru" / "revisions").glob("*.json")
    history.write_text("{not json")
    before = (built / "build" / "play" / "data.js").read_text()
    result = run_cli("build", cwd=built)
    assert result.returncode == 1
    assert f"{history}: revision history unreadable" in result.stderr
    assert (built / "build" / "play" / "data.js").read_text() == before
