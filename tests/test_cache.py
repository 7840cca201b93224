from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runthru_build.audio import decode
from runthru_build.cache import TakeCache, TakeInfo
from runthru_build.commands.build import build


def scene(lines: int) -> str:
    return "# Long\n\n## S\n\n" + "\n".join(
        f"{'AMY' if i % 2 else 'BEN'}: This is line number {i} of a rather long scene, spoken slowly and clearly."
        for i in range(lines)
    ) + "\n"



AA, BB, CC = ("aa" + "1" * 62), ("bb" + "2" * 62), ("cc" + "3" * 62)  # keys are sha256 digests


def test_put_get_and_prune(tmp_path):
    cache = TakeCache(tmp_path)
    for key in (AA, BB):
        cache.put(TakeInfo(key=key, suffix=".mp3", duration=1.5, sample_rate=22050), b"data-" + key[:2].encode())
    assert cache.get(AA).duration == 1.5 and cache.read(cache.get(BB)) == b"data-bb"
    assert cache.get(CC) is None
    stats = cache.stats()
    assert (stats.takes, stats.audio_seconds) == (2, 3.0)
    removed = cache.prune({AA})
    assert removed.takes == 1
    assert cache.get(BB) is None and cache.get(AA) is not None


def test_take_without_its_info_is_not_trusted(tmp_path):
    cache = TakeCache(tmp_path)
    cache.put(TakeInfo(key=AA, suffix=".mp3", duration=1.0, sample_rate=22050), b"x")
    (tmp_path / "aa" / f"{AA}.json").unlink()  # as if killed between the two writes
    assert cache.get(AA) is None


def _start_build(root, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "runthru_build", "build", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _assert_cache_consistent(cache: TakeCache) -> int:
    count = 0
    for info in cache.infos():
        audio, rate = decode(cache.read(info))
        assert abs(audio.size / rate - info.duration) < 0.1
        count += 1
    return count


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
    assert pruned.returncode == 0 and "removed 1 take," in pruned.stdout
    assert build(root).render.rendered == 0  # nothing in use was pruned
    (root / "casts" / "t.toml").write_text('script = "../scripts/t.md"\nengine = "toy"\n[roles.NOBODY]\n')
    refused = run_cli("cache", "prune", str(root))
    assert refused.returncode == 1 and "not pruning" in refused.stderr
    assert "2 takes" in run_cli("cache", "stats", str(root)).stdout


TWO_LINES = "# T\n\n## S\n\nAMY: Hello there.\nBEN: Goodbye now.\n"
TOY_CAST = 'script = "../scripts/t.md"\nengine = "toy"\n'


@pytest.fixture
def toy(make_project, toy_engine):
    root = make_project({"scripts/t.md": TWO_LINES, "casts/t.toml": TOY_CAST})
    assert build(root).exit_code == 0
    return root


def _site_audio(root):
    return sorted((root / "build" / "t" / "audio").iterdir())


def test_editing_the_site_never_reaches_the_cache(toy):
    cache = TakeCache(toy / ".runthru" / "cache")
    truncated, edited = _site_audio(toy)
    good = {p: p.read_bytes() for p in (truncated, edited)}
    truncated.write_bytes(good[truncated][:100])  # a user truncates a file in build/ ...
    edited.write_bytes(good[edited][:-4] + b"oops")  # ... and edits another, keeping its size
    result = build(toy)
    assert result.render.rendered == 0  # the cached takes were never touched
    for path, data in good.items():
        assert path.read_bytes() == data and cache.read(cache.get(path.stem)) == data
        assert path.stat().st_ino != cache.audio_path(path.stem, path.suffix).stat().st_ino
    inodes = [p.stat().st_ino for p in good]
    assert build(toy).published
    assert [p.stat().st_ino for p in good] == inodes  # intact files pass from site to site, not copied again


def test_a_site_hard_linked_to_the_cache_by_an_older_runthru_is_unlinked(toy):
    cache = TakeCache(toy / ".runthru" / "cache")
    for shipped in _site_audio(toy):  # as the site was before: every take a hard link into the cache
        shipped.unlink()
        os.link(cache.audio_path(shipped.stem, shipped.suffix), shipped)
    assert build(toy).published
    for shipped in _site_audio(toy):
        assert cache.audio_path(shipped.stem, shipped.suffix).stat().st_nlink == 1


def test_take_whose_size_changed_is_rendered_again(toy):
    cache = TakeCache(toy / ".runthru" / "cache")
    info = next(cache.infos())
    path = cache.audio_path(info.key, info.suffix)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    assert cache.get(info.key) is None
    assert build(toy).render.rendered == 1
    assert path.read_bytes() == good


def test_cache_verify_removes_corrupt_takes_and_checks_older_ones(toy):
    import json

    from conftest import run_cli

    cache = TakeCache(toy / ".runthru" / "cache")
    first, second = sorted(cache.infos(), key=lambda i: i.key)
    path = cache.audio_path(first.key, first.suffix)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the checksum can tell
    path.write_bytes(bytes(data))
    older = cache._info_path(second.key)  # as stored before sizes and checksums were recorded
    fields = json.loads(older.read_text())
    older.write_text(json.dumps({k: v for k, v in fields.items() if k not in ("size", "sha256")}))

    proc = run_cli("cache", "verify", str(toy))
    assert proc.returncode == 1, proc.stderr
    assert f"corrupt take removed: {first.key}: sha256 differs" in proc.stderr
    assert "2 takes checked, 1 corrupt (removed), 1 older take given checksums" in proc.stdout
    assert cache.get(first.key) is None and cache.get(second.key).sha256 == second.sha256
    assert build(toy).render.rendered == 1
    assert run_cli("cache", "verify", str(toy)).returncode == 0


def test_prune_deletes_only_files_named_as_takes(toy):
    from conftest import run_cli

    store = toy / "store"
    (store / "ab").mkdir(parents=True)
    (store / "ab" / "notes.txt").write_text("mine")
    (store / "ab" / ("ab" + "0" * 62 + ".txt")).write_text("mine too")
    (toy / "runthru.toml").write_text('cache = "store"\n')
    assert build(toy).exit_code == 0
    (toy / "scripts" / "t.md").write_text(TWO_LINES.replace("Goodbye now", "Farewell now"))
    assert build(toy).render.rendered == 1
    assert "removed 1 take," in run_cli("cache", "prune", str(toy)).stdout
    assert sorted(p.name for p in (store / "ab").iterdir()) == sorted(["notes.txt", "ab" + "0" * 62 + ".txt"])


def _without_root_override() -> list[str]:
    """Run as root still obeys file modes without these capabilities (as any other user does)."""
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []


def _cli(*args, root):
    return subprocess.run([*_without_root_override(), sys.executable, "-m", "runthru_build", *args, str(root)],
                          capture_output=True, text=True, timeout=120)


def _read_only(folder):
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)


def test_a_read_only_cache_serves_a_warm_build_and_refuses_new_takes_in_one_line(toy):
    cache_dir = toy / ".runthru" / "cache"
    _read_only(cache_dir)
    warm = _cli("build", root=toy)
    assert warm.returncode == 0, warm.stderr
    assert "rendered 0, cached 2" in warm.stderr and "site written" in warm.stderr
    (toy / "scripts" / "t.md").write_text(TWO_LINES + "AMY: One more line.\n")
    cold = _cli("build", root=toy)
    assert cold.returncode == 1 and "Traceback" not in cold.stderr
    assert "error: .runthru/cache: cannot store a rendered take in the cache: Permission denied" in cold.stderr
    pruned = _cli("cache", "prune", root=toy)
    assert pruned.returncode == 1 and "Traceback" not in pruned.stderr
    assert "error: .runthru/cache: cannot change the cache: Permission denied" in pruned.stderr


def test_a_cache_path_that_is_a_file_is_a_one_line_error(toy):
    (toy / "notes.txt").write_text("mine")
    (toy / "runthru.toml").write_text('cache = "notes.txt"\n')
    proc = _cli("build", root=toy)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "error: notes.txt: the cache path is a file, not a folder" in proc.stderr
    assert (toy / "notes.txt").read_text() == "mine"


def _dead_pid() -> int:
    from runthru_build.fsutil import pid_alive

    return next(pid for pid in range(4_000_000, 4_100_000) if not pid_alive(pid))


def test_a_build_deletes_only_its_own_temporary_files_under_a_shared_cache(toy):
    """cache = "../shared": a folder the user keeps other things in."""
    shared = toy.parent / f"{toy.name}-shared"
    mine = [shared / "notes" / ".tmp-draft.txt", shared / ".tmp-outline.md", shared / "ab" / ".tmp-1-notes.txt",
            shared / "notes" / f".tmp-{_dead_pid()}-abcd1234"]
    for path in mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the user's")
    (toy / "runthru.toml").write_text(f'cache = "../{shared.name}"\n')
    assert build(toy).exit_code == 0
    leftover = shared / "cd" / f".tmp-{_dead_pid()}-k2_9xq0a"  # what a killed build leaves in a take folder
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a take")
    assert build(toy).exit_code == 0
    assert all(path.read_text() == "the user's" for path in mine)
    assert not leftover.exists()
