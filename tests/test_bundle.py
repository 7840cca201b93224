from __future__ import annotations

import re
import zipfile

import pytest
from conftest import run_cli

from runthru_build.commands.build import build

SCRIPT = "# Bundles\n\n## One\n\nAMY: One.\nBEN: Two.\nCAL: Three.\nAMY & BEN: Four.\n"


@pytest.fixture
def project(make_project, toy_engine):
    return make_project({"scripts/b.md": SCRIPT, "casts/b.toml": 'script = "../scripts/b.md"\nengine = "toy"\n'})


def names(path):
    with zipfile.ZipFile(path) as z:
        return sorted(z.namelist())


def test_role_bundle_holds_its_page_assets_and_only_the_audio_it_hears(project):
    result = build(project)
    keys = {la.line.spoken: la.key for la in result.plans[0].lines}
    entries = names(project / "build" / "b" / "cal.zip")
    top = "b-cal/"
    assert all(e.startswith(top) for e in entries)
    assert {top + "index.html", top + "b/data.js", top + "b/cal/index.html", top + "assets/player.js",
            top + "assets/style.css"} <= set(entries)
    audio = {e.rsplit("/", 1)[1].split(".")[0] for e in entries if "/audio/" in e}
    assert audio == {keys["One."], keys["Two."], keys["Four."]}  # not CAL's own line
    assert not any(e.endswith("sw.js") for e in entries)
    amy = {e.rsplit("/", 1)[1].split(".")[0] for e in names(project / "build" / "b" / "amy.zip") if "/audio/" in e}
    assert amy == {keys["Two."], keys["Three."]}  # the group line is AMY's too


def test_production_bundle_has_every_role_and_all_audio(project):
    build(project)
    entries = names(project / "build" / "b.zip")
    assert {"b/b/amy/index.html", "b/b/ben/index.html", "b/b/cal/index.html", "b/b/listen.html"} <= set(entries)
    assert sum(1 for e in entries if "/audio/" in e) == 4


def test_bundles_are_deterministic(project):
    build(project)
    first = (project / "build" / "b" / "amy.zip").read_bytes()
    build(project)
    assert (project / "build" / "b" / "amy.zip").read_bytes() == first


def test_bundle_command_copies_chosen_bundles(project, tmp_path):
    import os

    proc = run_cli("bundle", str(project), "--role", "ben", "--role", "CAL", "--out", str(tmp_path / "out"),
                   preexec_fn=lambda: os.umask(0o002))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b-ben.zip", "b-cal.zip"]
    # a file handed to the user has the mode the umask gives any file (it was 0600: no one else could read it)
    assert {(p.stat().st_mode & 0o777) for p in (tmp_path / "out").iterdir()} == {0o664}
    bad = run_cli("bundle", str(project), "--role", "BENN")
    assert bad.returncode == 1 and "no role 'BENN' (did you mean BEN?)" in bad.stderr


def test_unchanged_bundles_are_reused_and_changed_ones_rewritten(project):
    build(project)
    amy = project / "build" / "b" / "amy.zip"
    first = amy.stat().st_ino
    build(project)  # nothing changed: the same file, not written again
    assert amy.stat().st_ino == first
    script = project / "scripts" / "b.md"
    script.write_text(script.read_text().replace("CAL: Three.", "CAL: Three and a bit."))
    build(project)  # every page's data changed: written anew, with the new line's audio
    assert amy.stat().st_ino != first
    keys = {la.line.spoken: la.key for la in build(project).plans[0].lines}
    assert any(keys["Three and a bit."] in entry for entry in names(amy))


def test_a_truncated_bundle_in_the_site_is_written_again(project):
    build(project)
    amy = project / "build" / "b" / "amy.zip"
    good = amy.read_bytes()
    amy.write_bytes(good[:200])  # damaged in place, contents of the site unchanged
    build(project)
    assert amy.read_bytes() == good


def test_bundle_out_never_overwrites_a_file_runthru_did_not_make(project, tmp_path):
    out = tmp_path / "desk"
    out.mkdir()
    mine = out / "b-ben.zip"
    mine.write_bytes(b"my own notes, not a bundle")
    proc = run_cli("bundle", str(project), "--role", "ben", "--out", str(out))
    assert proc.returncode == 1
    assert f"error: {mine}: exists and is not a bundle RunThru made: not overwritten" in proc.stderr
    assert mine.read_bytes() == b"my own notes, not a bundle"
    mine.unlink()
    assert run_cli("bundle", str(project), "--role", "ben", "--out", str(out)).returncode == 0
    assert run_cli("bundle", str(project), "--role", "ben", "--out", str(out)).returncode == 0  # its own: replaced


def test_a_bundle_corrupted_in_place_with_its_size_kept_is_written_again(project):
    build(project)
    amy = project / "build" / "b" / "amy.zip"
    good = amy.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF  # a flipped bit in the middle: the size the manifest recorded, kept
    amy.write_bytes(bytes(damaged))
    build(project)
    assert amy.read_bytes() == good
    with zipfile.ZipFile(amy) as z:
        assert z.testzip() is None


@pytest.mark.parametrize("disk_kb", [120, 250])
def test_a_full_disk_while_staging_or_zipping_is_one_line_saying_how_much_is_needed(project, disk_kb):
    """A real full disk: a small tmpfs mounted where the site goes (a mount namespace of its own)."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("no mount namespaces here")
    assert build(project).published  # the takes are cached; the site on the small disk is new
    (project / "runthru.toml").write_text('build = "disk/site"\n')
    (project / "disk").mkdir()
    cache_before = sorted((p.name, p.stat().st_size) for p in (project / ".runthru" / "cache").rglob("*.mp3"))
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size={disk_kb}k tmpfs "$1" && shift && '
                           'exec "$@"', "sh", str(project / "disk"), sys.executable, "-m", "runthru_build", "build",
                           str(project)], capture_output=True, text=True, timeout=120, env=os.environ)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert len(errors) == 1 and errors[0].startswith("error: disk/site: the disk is full: the new site needs about "), errors
    assert re.search(r"needs about \d+\.\d MB in disk/ beside the old one, and \d+\.\d MB is free", errors[0]), errors
    assert sorted((p.name, p.stat().st_size) for p in (project / ".runthru" / "cache").rglob("*.mp3")) == cache_before
