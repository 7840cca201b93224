from __future__ import annotations

import re

import pytest
from conftest import run_cli, write_wav

from runthru_build.cache import TakeCache
from runthru_build.commands.audition import audition
from runthru_build.commands.build import build
from runthru_build.site import preview_lines


def test_audition_renders_each_roles_preview_and_the_chooser_plays_it(toy_project):
    result = audition(toy_project, [])
    assert (result.render.rendered, result.exit_code) == (3, 0)  # a short play: every line is a preview
    chooser = (toy_project / "build" / "served" / "index.html").read_text()
    previews = re.findall(r'class="preview" data-src="([^"]+)"', chooser)
    assert [len(p.split()) for p in previews] == [2, 1]  # AMY's two lines, BEN's one
    full = build(toy_project)
    assert (full.render.cached, full.render.rendered) == (3, 0)  # the audition takes are the real takes


def test_audition_takes_the_project_folder_like_every_command(toy_project, tmp_path):
    proc = run_cli("audition", str(toy_project), "-r", "ben")
    assert proc.returncode == 0, proc.stderr
    # the page to open, as a real path (it printed a literal build/<play>/index.html)
    page = toy_project.resolve() / "build" / "served" / "index.html"
    assert f"cast preview: open {page} and press ▶ beside a role" in proc.stderr and page.is_file()
    proc = run_cli("audition", str(toy_project), "--role", "BENN")
    assert proc.returncode == 1 and "no role 'BENN' in any production (did you mean BEN?)" in proc.stderr
    proc = run_cli("audition", "JULIET", cwd=tmp_path)  # the old way: a role where the folder goes
    assert proc.returncode == 2 and "runthru-build audition -r JULIET" in proc.stderr


@pytest.mark.slow
def test_preview_is_8_to_15_seconds_of_the_roles_most_characteristic_lines(sample_project):
    result = audition(sample_project, ["juliet"])
    assert result.exit_code == 0, result.render.failures
    plan = result.plans[0]
    chosen = preview_lines(plan, "JULIET")
    seconds = sum(TakeCache(result.project.config.cache_dir).get(la.key).duration for la in chosen)
    assert 8 <= seconds <= 15, seconds  # measured on the rendered takes
    spoken = " | ".join(la.line.spoken for la in chosen)
    assert "Ay me" not in spoken and "Romeo" in spoken
    assert all(la.line.speakers == ("JULIET",) for la in chosen)


def test_voices_lists_engines_and_project_voice_files(toy_project):
    write_wav(toy_project / "voices" / "amy.wav")
    proc = run_cli("voices", str(toy_project))
    assert proc.returncode == 0
    assert "piper  piper-tts" in proc.stdout and "joe  (built in)" in proc.stdout
    indextts = proc.stdout[proc.stdout.index("\nindextts "):proc.stdout.index("\npiper ")]
    assert "voices/amy.wav" in indextts
    assert "[engines.indextts] model_dir in runthru.toml" in proc.stdout
    bad = run_cli("voices", str(toy_project), "--engine", "nope")
    assert bad.returncode == 2 and "no engine 'nope'" in bad.stderr
