"""The worker protocol end to end, with real subprocesses and the stand-in engine packages."""

from __future__ import annotations

import sys

import pytest
from conftest import write_wav

from runthru_build.commands.build import build
from runthru_build.engines import engine_spec
from runthru_build.engines.base import EngineError, TakeRequest
from runthru_build.engines.remote import WorkerProcess


def test_worker_loads_once_renders_and_exits_on_eof(standins, indextts_models, tmp_path):
    voice = str(write_wav(tmp_path / "v.wav"))
    worker = WorkerProcess("indextts", engine_spec("indextts"), {"model_dir": str(indextts_models), "device": "cpu"})
    info = worker.start()
    assert info.device == "cpu" and info.identity.startswith("indextts2 ")
    batch = [TakeRequest(key=f"{i:064x}", text=f"Line number {i} here.", voice={"voice": voice, "engine": "indextts"},
                         role="AMY") for i in range(3)]
    takes = list(worker.render(batch))
    assert [t.key for t in takes] == [r.key for r in batch]
    assert all(t.error is None and t.sample_rate == 22050 and t.audio.size == int(22050 * 0.3 * 4) for t in takes)
    more = list(worker.render(batch[:1]))  # the model stays loaded between batches
    assert len(more) == 1 and len(standins("IndexTTS2")) == 1
    process = worker._process
    worker.close()
    assert process.returncode == 0  # EOF on stdin: a clean exit


def test_worker_reports_a_model_that_cannot_load(standins, indextts_models):
    (indextts_models / "s2mel.pth").unlink()
    worker = WorkerProcess("indextts", engine_spec("indextts"), {"model_dir": str(indextts_models)})
    with pytest.raises(EngineError, match=r"indextts: model files missing: .*s2mel\.pth"):
        worker.start()


def project_with_gpu_role(make_project, toy_engine, tmp_path, models, extra_toml=""):
    write_wav(tmp_path / "voices" / "juliet.wav")
    script = "# P\n\n## S\n\nROMEO: Hello, fair Juliet.\nJULIET: Hello, Romeo.\nROMEO: Shall we go?\n" \
             "JULIET: Not yet. Please CRASH now.\nJULIET: We stay a while.\n"
    cast = ('script = "../scripts/p.md"\nengine = "toy"\n[roles.JULIET]\nengine = "indextts"\n'
            'voice = "voices/juliet.wav"\n')
    toml = f'[engines.indextts]\npython = "{sys.executable}"\nmodel_dir = "{models}"\ndevice = "cpu"\n{extra_toml}'
    root = make_project({"scripts/p.md": script, "casts/p.toml": cast, "runthru.toml": toml})
    return root


@pytest.mark.slow
def test_build_mixes_in_process_and_out_of_process_engines(standins, indextts_models, make_project, toy_engine,
                                                          tmp_path):
    root = project_with_gpu_role(make_project, toy_engine, tmp_path, indextts_models)
    result = build(root)
    assert (result.render.rendered, result.render.failed, result.exit_code) == (5, 0, 0)
    assert result.render.engines["indextts"]["device"] == "cpu"
    assert len(standins("IndexTTS2")) == 1  # one model load for all of JULIET's lines
    assert result.published


@pytest.mark.slow
def test_a_crashed_worker_is_restarted_once(standins, indextts_models, make_project, toy_engine, tmp_path,
                                             monkeypatch):
    monkeypatch.setenv("STANDIN_CRASH_ON", "CRASH")
    monkeypatch.setenv("STANDIN_CRASH_ONCE", str(tmp_path / "crashed-once"))
    root = project_with_gpu_role(make_project, toy_engine, tmp_path, indextts_models)
    result = build(root)
    assert (result.render.rendered, result.render.failed) == (5, 0)
    assert result.render.engines["indextts"]["restarts"] == 1
    assert len(standins("IndexTTS2")) == 2


@pytest.mark.slow
def test_a_worker_that_keeps_crashing_fails_its_takes_clearly(standins, indextts_models, make_project, toy_engine,
                                                               tmp_path, monkeypatch):
    monkeypatch.setenv("STANDIN_CRASH_ON", "CRASH")
    root = project_with_gpu_role(make_project, toy_engine, tmp_path, indextts_models)
    result = build(root)
    assert result.exit_code == 1
    crashed = [f for f in result.render.failures if "crashed twice" in f]
    assert crashed and all("JULIET" in f for f in crashed)
    assert "exit code 3" in crashed[0]
    assert (result.render.rendered, result.render.failed) == (2, 3)  # ROMEO's lines (toy engine) are all there
    again = build(root)  # what was rendered stays rendered
    assert again.render.cached == 2


@pytest.mark.slow
def test_a_missing_model_folder_is_reported_once_and_publishes_nothing(standins, indextts_models, make_project,
                                                                      toy_engine, tmp_path):
    root = project_with_gpu_role(make_project, toy_engine, tmp_path, tmp_path / "no-such-models")
    from conftest import run_cli

    proc = run_cli("build", str(root))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors[0].startswith("error: engine indextts cannot start (3 takes not rendered): indextts: model "
                                f"files missing: the model folder {tmp_path / 'no-such-models'} itself")
    assert "[engines.indextts] model_dir in runthru.toml" in errors[0]
    assert "runthru-build voices download --engine indextts" in errors[0]
    assert len(errors) == 2 and "site not updated" in errors[1]  # once, not once per line
    assert "Traceback" not in proc.stderr
    assert "rendered 0, cached 0, failed 3" in proc.stderr  # failed fast: before the toy engine's lines
    assert not (root / "build").exists()  # no site in which JULIET's lines never play


def test_a_busy_worker_dies_with_a_killed_build(standins, indextts_models, tmp_path, monkeypatch):
    import os
    import signal
    import subprocess
    import time

    from runthru_build.fsutil import pid_alive

    monkeypatch.setenv("STANDIN_STALL_ON", "STALL")
    voice = str(write_wav(tmp_path / "v.wav"))
    parent = subprocess.Popen([sys.executable, "-c", f"""
from runthru_build.engines import engine_spec
from runthru_build.engines.base import TakeRequest
from runthru_build.engines.remote import WorkerProcess
worker = WorkerProcess("indextts", engine_spec("indextts"), {{"model_dir": {str(indextts_models)!r}, "device": "cpu"}})
worker.start()
print(worker._process.pid, flush=True)
list(worker.render([TakeRequest(key="0" * 64, text="Please STALL here.", voice={{"voice": {voice!r}}})]))
"""], stdout=subprocess.PIPE, text=True)
    worker_pid = int(parent.stdout.readline())
    time.sleep(0.5)  # rendering now: it reads no input until the batch ends
    os.kill(parent.pid, signal.SIGKILL)  # the build, killed with no chance to clean up
    parent.wait()
    deadline = time.monotonic() + 5
    while pid_alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = pid_alive(worker_pid)
    if alive:
        os.kill(worker_pid, signal.SIGKILL)
    assert not alive
