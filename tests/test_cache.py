from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from runthru_build.audio import decode
from runthru_build.cache import TakeCache, TakeInfo
from runthru_build.commands.build import build


def scene(lines: int) -> str:
    return "# Long\n\n## S\n\n" + "\n".join(
        f"{'AMY' if i % 2 else 'BEN'}: This is line number {i} of a rather long scene, spoken slowly and clearly."
        for i in range(lines)
    ) + "\n"


LONG = scene(40)


def test_put_get_and_prune(tmp_path):
    cache = TakeCache(tmp_path)
    for key in ("aa11", "bb22"):
        cache.put(TakeInfo(key=key, suffix=".mp3", duration=1.5, sample_rate=22050), b"data-" + key.encode())
    assert cache.get("aa11").duration == 1.5 and cache.read(cache.get("bb22")) == b"data-bb22"
    assert cache.get("cc33") is None
    stats = cache.stats()
    assert (stats.takes, stats.audio_seconds) == (2, 3.0)
    removed = cache.prune({"aa11"})
    assert removed.takes == 1
    assert cache.get("bb22") is None and cache.get("aa11") is not None


def test_take_without_its_info_is_not_trusted(tmp_path):
    cache = TakeCache(tmp_path)
    cache.put(TakeInfo(key="aa11", suffix=".mp3", duration=1.0, sample_rate=22050), b"x")
    (tmp_path / "aa" / "aa11.json").unlink()  # as if killed between the two writes
    assert cache.get("aa11") is None


def _start_build(root, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "runthru_build", "build", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _wait_for_takes(cache: TakeCache, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for _ in cache.infos()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("no takes appeared")


def _assert_cache_consistent(cache: TakeCache) -> int:
    count = 0
    for info in cache.infos():
        audio, rate = decode(cache.read(info))
        assert abs(audio.size / rate - info.duration) < 0.1
        count += 1
    return count


@pytest.mark.slow
def test_killed_build_leaves_no_partial_take_and_next_build_completes(make_project):
    root = make_project({"scripts/long.md": LONG})
    cache = TakeCache(root / ".runthru" / "cache")
    proc = _start_build(root)
    _wait_for_takes(cache, 3)
    os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers, mid-write if unlucky
    proc.wait()
    kept = _assert_cache_consistent(cache)
    assert 3 <= kept < 40
    result = build(root)
    assert result.exit_code == 0
    assert result.render.rendered == 40 - kept and result.render.cached == kept
    assert not list((root / ".runthru" / "cache").rglob(".tmp-*"))


@pytest.mark.slow
def test_ctrl_c_keeps_finished_takes(make_project):
    root = make_project({"scripts/long.md": LONG})
    cache = TakeCache(root / ".runthru" / "cache")
    proc = _start_build(root)
    _wait_for_takes(cache, 3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    kept = _assert_cache_consistent(cache)
    assert kept >= 3
    assert build(root).render.cached == kept


@pytest.mark.slow
def test_two_concurrent_builds_end_with_a_consistent_cache(make_project):
    root = make_project({"scripts/long.md": scene(12)})
    procs = [_start_build(root) for _ in range(2)]
    for p in procs:
        p.communicate(timeout=300)
        assert p.returncode == 0
    cache = TakeCache(root / ".runthru" / "cache")
    result = build(root)
    assert result.render.rendered == 0
    assert _assert_cache_consistent(cache) == len(result.plans[0].keys())


def test_cache_cli_stats_and_prune(make_project, toy_engine):
    from conftest import run_cli

    script = "# T\n\n## S\n\nAMY: Hello there.\nBEN: Goodbye now.\n"
    root = make_project({"scripts/t.md": script, "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    assert build(root).exit_code == 0
    (root / "scripts" / "t.md").write_text(script.replace("Goodbye now", "Farewell now"))
    assert build(root).render.rendered == 1
    stats = run_cli("cache", "stats", str(root))
    assert "3 takes" in stats.stdout and "2 used by the productions, 1 unreferenced" in stats.stdout
    pruned = run_cli("cache", "prune", str(root))
    assert pruned.returncode == 0 and "removed 1 takes" in pruned.stdout
    assert build(root).render.rendered == 0  # nothing in use was pruned
    (root / "casts" / "t.toml").write_text('script = "../scripts/t.md"\nengine = "toy"\n[roles.NOBODY]\n')
    refused = run_cli("cache", "prune", str(root))
    assert refused.returncode == 1 and "not pruning" in refused.stderr
    assert "2 takes" in run_cli("cache", "stats", str(root)).stdout
