"""Rendering with the real Piper voice, and with a plugin engine for failures."""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio_measures import f0_track
from conftest import run_cli

from runthru_build.audio import decode
from runthru_build.cache import TakeCache
from runthru_build.commands.build import build

pytestmark = pytest.mark.slow

TWO_ROLES = """# Pitch

## Scene

LOW: The quick brown fox jumps over the lazy dog near the river bank.
HIGH: The quick brown fox jumps over the lazy dog near the river bank.
"""

CAST = """script = "../scripts/pitch.md"
[roles.LOW]
pitch = -4.0
[roles.HIGH]
pitch = 4.0
"""


def median_f0(audio: np.ndarray, rate: int) -> float:
    return float(np.median(f0_track(audio, rate)))


def rendered(root, production: str = "pitch"):
    cache = TakeCache(root / ".runthru" / "cache")
    return {info.text: info for info in cache.infos()}, cache


def test_real_piper_renders_audible_speech_and_distinct_pitches(make_project):
    root = make_project({"scripts/pitch.md": TWO_ROLES, "casts/pitch.toml": CAST})
    result = build(root)
    assert (result.render.rendered, result.render.failed, result.exit_code) == (2, 0, 0)
    cache = TakeCache(root / ".runthru" / "cache")
    by_role = {}
    for plan in result.plans:
        for la in plan.lines:
            info = cache.get(la.key)
            audio, rate = decode(cache.read(info))
            by_role[la.line.speakers[0]] = (audio, rate, info)
    for audio, rate, info in by_role.values():
        words = 13
        assert words / 5.0 < audio.size / rate < words / 1.5  # plausible speaking rate
        assert abs(info.duration - audio.size / rate) < 0.1
        assert np.sqrt(np.mean(audio**2)) > 0.02  # not silence
    low = median_f0(*by_role["LOW"][:2])
    high = median_f0(*by_role["HIGH"][:2])
    # 8 semitones apart: a ratio of 1.59; allow for the tracker's coarseness
    assert 1.35 < high / low < 1.85, (low, high)


def test_rebuild_renders_nothing_and_edit_renders_one_take(make_project):
    script = "# E\n\n## S\n\nAMY: One line here.\nBEN: Another line here.\nAMY: A third line.\n"
    root = make_project({"scripts/e.md": script})
    first = build(root)
    assert first.render.rendered == 3
    again = build(root)
    assert (again.render.rendered, again.render.engine_calls, again.render.cached) == (0, 0, 3)
    (root / "scripts" / "e.md").write_text(script.replace("Another line", "Another word"))
    edited = build(root)
    assert (edited.render.rendered, edited.render.cached) == (1, 2)


def test_failing_line_fails_alone_with_its_location(make_project, toy_engine):
    script = "# T\n\n## S\n\nAMY: Hello there.\nBEN: Please FAIL now.\nAMY: Goodbye then.\n"
    root = make_project({"scripts/t.md": script, "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    result = build(root)
    assert (result.render.rendered, result.render.failed, result.exit_code) == (2, 1, 1)
    assert result.render.failures == ["scripts/t.md:6: BEN: RuntimeError: the toy engine cannot say FAIL"]
    # the two good takes are stored and are not rendered again
    again = build(root)
    assert (again.render.rendered, again.render.engine_calls, again.render.cached) == (0, 1, 2)


def test_cli_build_dry_run_and_report(make_project, toy_engine, tmp_path):
    script = "# T\n\n## S\n\nAMY: Hello there.\nBEN: Please FAIL now.\n"
    root = make_project({"scripts/t.md": script, "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    dry = run_cli("build", str(root), "--dry-run")
    assert dry.returncode == 0
    assert "scripts/t.md:5  AMY: Hello there." in dry.stdout and "2 takes to render" in dry.stdout
    report = tmp_path / "report.json"
    proc = run_cli("build", str(root), "--report", str(report))
    assert proc.returncode == 1
    assert "error: scripts/t.md:6: BEN: RuntimeError: the toy engine cannot say FAIL" in proc.stderr
    assert "rendered 1, cached 0, failed 1" in proc.stderr
    data = json.loads(report.read_text())
    assert {k: data[k] for k in ("rendered", "cached", "failed")} == {"rendered": 1, "cached": 0, "failed": 1}
    assert data["audio_seconds"] > 0 and data["wall_seconds"] > 0


def test_group_line_is_both_voices_mixed(make_project, toy_engine):
    script = "# G\n\n## S\n\nAMY: One two.\nBEN: Three four.\nAMY & BEN: Five six seven.\n"
    cast = 'script = "../scripts/g.md"\nengine = "toy"\n[roles.AMY]\npitch = 0.0\n[roles.BEN]\npitch = 7.0\n'
    root = make_project({"scripts/g.md": script, "casts/g.toml": cast})
    result = build(root)
    assert result.render.failed == 0
    cache = TakeCache(root / ".runthru" / "cache")
    group = result.plans[0].lines[2]
    audio, rate = decode(cache.read(cache.get(group.key)))
    spectrum = np.abs(np.fft.rfft(audio))
    freqs = np.fft.rfftfreq(audio.size, 1 / rate)
    peaks = {round(f) for f in freqs[np.argsort(spectrum)[-40:]]}
    assert any(abs(p - 220) < 4 for p in peaks) and any(abs(p - 330) < 5 for p in peaks)


def _session(sid: int) -> list[str]:
    """Command lines of the processes still in a session (the build and all it started)."""
    from pathlib import Path

    found = []
    for proc in Path("/proc").iterdir():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if proc.name.isdigit() and int(fields[3]) == sid and fields[0] != "Z":
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:90])
        except (OSError, IndexError):
            continue
    return found


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_a_stopped_build_keeps_its_finished_takes_whole_and_leaves_no_workers(make_project, tmp_path, signum):
    """One real stop of each kind: Ctrl-C at a terminal (SIGINT to the whole process group), a
    service manager's SIGTERM to the build alone, and SIGKILL to the build alone (no chance to
    clean up, perhaps mid-write)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from runthru_build.commands.build import dry_run

    lines = "\n".join(f"{'AMY' if i % 2 else 'BEN'}: Line {i} of a scene that is long enough to keep two workers busy."
                      for i in range(30))
    root = make_project({"scripts/long.md": f"# Long\n\n## S\n\n{lines}\n"})
    cache = TakeCache(root / ".runthru" / "cache")
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:  # not a pipe: an orphan holding it would hang the test, not fail it
        proc = subprocess.Popen([sys.executable, "-m", "runthru_build", "build", str(root)],
                                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    deadline = time.monotonic() + 120
    while sum(1 for _ in cache.infos()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_session(proc.pid)) >= 4  # the build, its fork server, resource tracker and workers
    if signum == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the build and its workers
    else:
        os.kill(proc.pid, getattr(signal, signum))  # the build alone, as a service manager or `kill` would
    proc.wait(timeout=60)
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session(proc.pid) == []
    kept = 0
    for info in cache.infos():  # every take kept is whole: its audio as long as its info says
        audio, rate = decode(cache.read(info))
        assert abs(audio.size / rate - info.duration) < 0.1
        kept += 1
    assert 2 <= kept < 30
    if signum == "SIGKILL":  # the next build completes, reuses every kept take, renders the rest, tidies up
        script = root / "scripts" / "long.md"
        text = script.read_text().split("\n")  # (only the kept lines and one more: the rest would render alike)
        numbers = sorted(int(info.source.rsplit(":", 1)[1]) for info in cache.infos())
        script.write_text("# Long\n\n## S\n\n" + "\n".join([*(text[n - 1] for n in numbers), "AMY: One more."]))
        result = build(root)
        assert (result.exit_code, result.render.rendered, result.render.cached) == (0, 1, kept)
        assert not list(cache.root.rglob(".tmp-*"))
        return
    assert proc.returncode == 128 + getattr(signal, signum)
    err = log.read_text()
    assert "interrupted" in err and "Traceback" not in err
    assert not (root / "build").exists()  # no half site
    _, missing, cached = dry_run(root)
    assert (cached, len(missing)) == (kept, 30 - kept)  # every finished take is used by the next build


def test_an_in_process_engine_that_cannot_start_is_reported_once(make_project, toy_engine, monkeypatch):
    monkeypatch.setenv("TOY_MODEL_MISSING", "/models/toy")
    script = "# T\n\n## S\n\n" + "".join(f"AMY: Line {i} here.\nBEN: Answer {i} there.\n" for i in range(6))
    root = make_project({"scripts/t.md": script, "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    proc = run_cli("build", str(root))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: engine toy cannot start (12 takes not rendered): toy: model folder /models/toy not "
                      "found — set TOY_MODEL_MISSING=",
                      "error: site not updated: fix the errors above (build/ keeps the last good build)"]
    assert not (root / "build").exists()


def test_each_take_is_stored_as_it_finishes_not_when_its_batch_ends(make_project, monkeypatch):
    import time

    from runthru_build import render

    monkeypatch.setattr(render, "BATCHES_PER_WORKER", 1)  # one worker, one batch of all six lines
    line = "is long enough that Piper needs a good part of a second to say all of it, even on a fast machine."
    script = "# B\n\n## S\n\n" + "".join(f"AMY: Line number {i} {line}\n" for i in range(6))
    root = make_project({"scripts/b.md": script, "runthru.toml": "[render]\nworkers = 1\n"})
    arrived = []
    result = build(root, on_take=lambda takes, seconds, words=0: arrived.append(time.monotonic()))
    assert result.render.rendered == 6
    # stored one by one as Piper finishes each (about half a second apart), not six at once at the end
    assert arrived[-1] - arrived[0] > 1.0


def test_report_has_peak_memory_and_the_next_build_sizes_its_pool_by_it(make_project, toy_engine, monkeypatch):
    from runthru_build import render
    from runthru_build.engines.piper import PiperEngine

    script = "# T\n\n## S\n\n" + "".join(f"AMY: Line {i} here.\nBEN: Answer {i} there.\n" for i in range(4))
    root = make_project({"scripts/t.md": script, "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    report = root / "report.json"
    assert run_cli("build", str(root), "--report", str(report)).returncode == 0
    data = json.loads(report.read_text())
    assert data["workers"] >= 1 and len(data["worker_peak_rss_mb"]) == data["workers"]
    assert all(30 < mb < 2000 for mb in data["worker_peak_rss_mb"]) and data["parent_peak_rss_mb"] > 30
    state = root / ".runthru"
    remembered = json.loads((state / render.WORKER_MEMORY_FILE).read_text())
    assert remembered["toy"] == max(data["worker_peak_rss_mb"])

    # a laptop with 8 cores and 1.2 GB free: as many workers as fit, not one per core
    monkeypatch.setattr(render.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(render, "available_memory_mb", lambda: 1200.0)
    (state / render.WORKER_MEMORY_FILE).write_text(json.dumps({"piper": 250.0}))
    assert render.worker_count(0, PiperEngine, state) == 4  # measured: 1200 / 250
    assert render.worker_count(0, PiperEngine, root / "nothing-measured") == 3  # Piper's own estimate, 400 MB
    assert render.worker_count(6, PiperEngine, state) == 6  # a count set in runthru.toml is kept
    monkeypatch.setattr(render, "available_memory_mb", lambda: 100.0)
    assert render.worker_count(0, PiperEngine, state) == 1
