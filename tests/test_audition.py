from __future__ import annotations

from conftest import run_cli, write_wav

from runthru_build.commands.audition import audition
from runthru_build.commands.build import build


def test_audition_renders_one_line_per_role_and_the_chooser_plays_it(toy_project):
    result = audition(toy_project, [])
    assert (result.render.rendered, result.exit_code) == (2, 0)  # AMY and BEN, one line each
    chooser = (toy_project / "build" / "served" / "index.html").read_text()
    assert chooser.count('class="preview"') == 2
    full = build(toy_project)
    assert (full.render.cached, full.render.rendered) == (2, 1)  # the audition takes are the real takes


def test_audition_of_named_roles_and_an_unknown_one(toy_project):
    assert audition(toy_project, ["ben"]).render.rendered == 1
    proc = run_cli("audition", "BENN", "--project", str(toy_project))
    assert proc.returncode == 1 and "no role 'BENN' in any production (did you mean BEN?)" in proc.stderr


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
