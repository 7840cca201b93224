"""Table reads: the state model (fast, a clock of our own), then real Chromium phones against a real serve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runthru_build.tableread import (
    AWAY_AFTER_S,
    MAX_NAME,
    MAX_PARTICIPANTS,
    MAX_READS,
    TableReadError,
    TableReads,
    load_lines,
)

# -- the state model --------------------------------------------------------------------------------

ITEMS = [("AMY",), ("BEN",), ("CAL",), ("AMY",), ("BEN", "CAL"), ("AMY",)]
SCENES = [0, 0, 0, 1, 1, 1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def write_production(build_dir: Path, slug: str = "play", items=ITEMS, scenes=SCENES) -> None:
    data = {"production": {"slug": slug, "title": "A Play"},
            "characters": [{"name": n, "slug": n.lower(), "lines": 1} for n in ("AMY", "BEN", "CAL")],
            "items": [{"t": "d", "r": [], "n": 0}] + [{"t": "l", "s": list(s), "n": n} for s, n in zip(items, scenes)]}
    (build_dir / slug).mkdir(parents=True, exist_ok=True)
    (build_dir / slug / "data.js").write_text(f"window.RUNTHRU = {json.dumps(data)};\n")


@pytest.fixture
def reads(tmp_path):
    write_production(tmp_path / "build")
    clock = Clock()
    tr = TableReads(tmp_path / "build", tmp_path / ".runthru", clock=clock)
    tr.clock_ = clock
    return tr


def started(reads: TableReads):
    read, host = reads.start("play", "Dana", "room")
    reads.act(read.code, host.token, "resume")
    return read, host


def test_data_js_gives_the_lines_speakers_and_scenes(tmp_path):
    write_production(tmp_path)
    lines = load_lines(tmp_path, "play")
    assert lines.characters == ("AMY", "BEN", "CAL") and lines.speakers[4] == ("BEN", "CAL")
    assert lines.scene_start(1) == 3
    assert load_lines(tmp_path, "../etc") is None and load_lines(tmp_path, "nothing") is None


def test_join_claim_and_one_person_per_part(reads):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    _, kim = reads.join(read.code.lower(), "Kim")  # the code read out in lower case still works
    reads.act(read.code, sam.token, "claim", "AMY")
    with pytest.raises(TableReadError) as taken:
        reads.act(read.code, kim.token, "claim", "AMY")
    assert taken.value.status == 409 and "Sam" in str(taken.value)
    with pytest.raises(TableReadError) as not_hers:
        reads.act(read.code, kim.token, "release", "AMY")
    assert not_hers.value.status == 403
    with pytest.raises(TableReadError):
        reads.act(read.code, kim.token, "claim", "NOBODY")
    reads.act(read.code, sam.token, "release", "AMY")
    reads.act(read.code, kim.token, "claim", "AMY")
    assert read.parts == {"AMY": kim.pid}
    view = read.view(kim)
    assert view["me"] == kim.pid and "token" not in json.dumps(view)


def test_only_the_host_or_the_lines_actor_moves_on_and_a_stale_tap_moves_once(reads):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    _, kim = reads.join(read.code, "Kim")
    reads.act(read.code, sam.token, "claim", "AMY")
    with pytest.raises(TableReadError) as refused:
        reads.act(read.code, kim.token, "next", 0)  # not Kim's line
    assert refused.value.status == 403
    reads.act(read.code, sam.token, "next", 0)
    assert read.line == 1
    with pytest.raises(TableReadError) as stale:
        reads.act(read.code, host.token, "next", 0)  # the host tapped the same line a moment later
    assert stale.value.status == 409 and read.line == 1
    with pytest.raises(TableReadError):
        reads.act(read.code, sam.token, "next", 1)  # BEN's line is voiced: only the host ends it
    reads.act(read.code, host.token, "next", 1)
    assert read.line == 2


def test_host_controls_and_asks(reads):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    with pytest.raises(TableReadError) as not_host:
        reads.act(read.code, sam.token, "pause")
    assert not_host.value.status == 403
    reads.act(read.code, sam.token, "ask")
    assert [a["name"] for a in read.view()["asks"]] == ["Sam"]
    reads.act(read.code, host.token, "pause")
    assert read.paused and not read.asks
    with pytest.raises(TableReadError):
        reads.act(read.code, host.token, "next", read.line)  # paused: nobody moves on
    reads.act(read.code, host.token, "scene", 1)
    assert read.line == 3
    reads.act(read.code, host.token, "line", 5)
    reads.act(read.code, host.token, "restart")
    assert read.line == 3
    reads.act(read.code, host.token, "previous")
    assert read.line == 2
    moved = read.moved
    reads.act(read.code, host.token, "restart")
    assert read.line == 0 and read.moved == moved + 1
    reads.act(read.code, host.token, "audio", "apart")
    assert read.audio == "apart"
    reads.act(read.code, host.token, "host", sam.pid)
    assert read.host == sam.pid
    with pytest.raises(TableReadError):
        reads.act(read.code, host.token, "resume")  # not the host any more


def test_the_last_line_ends_the_run_and_resume_starts_again(reads):
    read, host = started(reads)
    reads.act(read.code, host.token, "line", 5)
    reads.act(read.code, host.token, "next", 5)
    assert read.done and read.paused and read.line == 5
    reads.act(read.code, host.token, "resume")
    assert read.line == 0 and not read.done


def test_away_after_a_minute_parts_fall_back_to_the_voice_and_return(reads):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    reads.act(read.code, sam.token, "claim", "AMY")
    assert read.actors() == [sam.pid]
    reads.clock_.now += AWAY_AFTER_S + 1
    reads.who(read, host.token)  # the host is still polling
    version = read.version
    reads.sweep()
    assert read.participants[sam.pid].away and read.actors() == [] and read.version == version + 1
    reads.who(read, sam.token)  # Sam's phone is back
    assert not read.participants[sam.pid].away and read.actors() == [sam.pid]
    reads.act(read.code, host.token, "away", sam.pid)  # the host marks Sam away at once
    assert read.actors() == []
    reads.who(read, sam.token)
    assert read.participants[sam.pid].away  # marked away stays until Sam says so
    reads.act(read.code, sam.token, "here")
    assert read.actors() == [sam.pid]


def test_a_host_who_leaves_or_goes_away_hands_over(reads):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    _, kim = reads.join(read.code, "Kim")
    reads.act(read.code, host.token, "leave")
    assert read.host == sam.pid and host.pid not in read.participants
    reads.clock_.now += AWAY_AFTER_S + 1
    reads.who(read, kim.token)
    reads.sweep()
    assert read.host == kim.pid
    reads.act(read.code, kim.token, "leave")
    reads.who(read, sam.token)
    assert read.host == sam.pid
    reads.act(read.code, sam.token, "leave")
    assert read.code not in reads.reads  # the last one out ends it


def test_names_are_cleaned_and_limited_bounds_hold(reads):
    read, host = reads.start("play", "  <script>alert(1)</script>\u202e\n  ", "room")
    assert host.name == "<script>alert(1)</script>"  # kept as typed: the page shows it as text
    _, long = reads.join(read.code, "x" * 500)
    assert len(long.name) == MAX_NAME
    for bad in ("", "   ", None, 7):
        with pytest.raises(TableReadError):
            reads.join(read.code, bad)
    with pytest.raises(TableReadError) as twice:
        reads.start("play", "Again")
    assert twice.value.status == 409 and read.code in str(twice.value)
    for n in range(MAX_PARTICIPANTS - 2):
        reads.join(read.code, f"P{n}", client=f"10.0.0.{n}")
    with pytest.raises(TableReadError) as full:
        reads.join(read.code, "One more", client="10.0.1.1")
    assert full.value.status == 429
    with pytest.raises(TableReadError):
        reads.start("nothing-built", "Dana")


def test_requests_per_client_are_bounded(reads):
    read, host = started(reads)
    refused = 0
    for _ in range(40):
        try:
            reads.act(read.code, host.token, "dismiss")
        except TableReadError as exc:
            assert exc.status == 429
            refused += 1
    assert 15 <= refused <= 25  # a burst of 20, then 5 a second
    joins = 0
    for n in range(40):
        try:
            reads.join(read.code, f"N{n}", client="203.0.113.9")
            joins += 1
        except TableReadError:
            break
    assert joins == 30


def test_more_than_one_read_at_once_one_per_production(tmp_path):
    build = tmp_path / "build"
    for n in range(MAX_READS + 1):
        write_production(build, f"play-{n}")
    tr = TableReads(build, tmp_path / ".runthru")
    codes = {tr.start(f"play-{n}", "Dana", client=str(n))[0].code for n in range(MAX_READS)}
    assert len(codes) == MAX_READS
    with pytest.raises(TableReadError) as too_many:
        tr.start(f"play-{MAX_READS}", "Dana")
    assert too_many.value.status == 429


def test_restart_brings_each_read_back_at_the_same_line(reads, tmp_path):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    reads.act(read.code, sam.token, "claim", "CAL")
    reads.act(read.code, host.token, "line", 2)
    saved = tmp_path / ".runthru" / "tableread" / "play.json"
    assert saved.stat().st_mode & 0o077 == 0  # it holds the tokens
    again = TableReads(tmp_path / "build", tmp_path / ".runthru")
    back = again.get(read.code)
    assert (back.line, back.parts, back.host, back.version) == (2, {"CAL": sam.pid}, host.pid, read.version)
    again.act(read.code, sam.token, "next", 2)  # Sam's token still works: no new code, no new join
    assert again.get(read.code).line == 3
    again.act(read.code, host.token, "end")
    assert not saved.exists() and not TableReads(tmp_path / "build", tmp_path / ".runthru").reads


def test_a_newer_poll_releases_an_older_one_and_a_change_wakes_it(reads):
    import threading

    read, host = started(reads)
    got: list = []
    t = threading.Thread(target=lambda: got.append(reads.wait(read.code, host.token, read.version, timeout=10)))
    t.start()
    time.sleep(0.1)
    reads.wait(read.code, host.token, read.version - 1, timeout=10)  # the same phone, reconnected
    t.join(timeout=2)
    assert got and not t.is_alive()
    t = threading.Thread(target=lambda: got.append(reads.wait(read.code, host.token, read.version, timeout=10)))
    t.start()
    time.sleep(0.1)
    reads.act(read.code, host.token, "pause")
    t.join(timeout=2)
    assert got[-1]["paused"] is True
