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
    Bucket,
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
            "items": [{"t": "d", "r": [], "n": 0}] + [{"t": "l", "s": list(s), "n": n} for s, n in zip(items, scenes, strict=True)]}
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
    read, _ = started(reads)
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


def test_the_host_removes_someone_and_closes_the_read_to_new_people(reads, tmp_path):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    _, troll = reads.join(read.code, "Troll")
    reads.act(read.code, troll.token, "claim", "AMY")
    with pytest.raises(TableReadError) as not_host:
        reads.act(read.code, sam.token, "remove", troll.pid)
    assert not_host.value.status == 403
    with pytest.raises(TableReadError) as self_removal:
        reads.act(read.code, host.token, "remove", host.pid)
    assert self_removal.value.status == 400
    reads.act(read.code, host.token, "remove", troll.pid)
    assert troll.pid not in read.participants and "AMY" not in read.parts  # AMY is voiced again
    for attempt in (lambda: reads.act(read.code, troll.token, "claim", "BEN"),
                    lambda: reads.wait(read.code, troll.token, since=0, timeout=0)):
        with pytest.raises(TableReadError) as told:
            attempt()
        assert (told.value.status, str(told.value)) == (403, "the host removed you from this table read")
    reads.act(read.code, host.token, "lock", True)
    assert read.view()["locked"]
    with pytest.raises(TableReadError) as closed:
        reads.join(read.code, "Troll again")
    assert closed.value.status == 403 and "closed" in str(closed.value)
    reads.act(read.code, sam.token, "claim", "AMY")  # those in it stay in
    again = TableReads(tmp_path / "build", tmp_path / ".runthru")  # a restarted serve keeps both
    with pytest.raises(TableReadError) as still_closed:
        again.join(read.code, "Troll again")
    assert still_closed.value.status == 403
    with pytest.raises(TableReadError) as still_removed:
        again.act(read.code, troll.token, "here")
    assert str(still_removed.value) == "the host removed you from this table read"
    again.act(read.code, host.token, "lock", False)
    _, back = again.join(read.code, "Troll again")  # opened again: a removal is not a ban
    assert back.pid in again.get(read.code).participants
    with pytest.raises(TableReadError):
        again.act(read.code, host.token, "lock", "yes")


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
    clock = Clock()
    joins = Bucket(rate=1, burst=60, clock=clock)  # a whole cast behind one router joins at once
    assert sum(joins.take("203.0.113.9") for _ in range(80)) == 60
    clock.now += 5
    assert sum(joins.take("203.0.113.9") for _ in range(80)) == 5 and joins.take("198.51.100.1")
    assert reads.joins.rate == joins.rate and reads.joins.burst == joins.burst


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


def test_a_rebuild_with_fewer_lines_keeps_the_read_in_the_play(reads, tmp_path):
    read, host = started(reads)
    _, sam = reads.join(read.code, "Sam")
    reads.act(read.code, sam.token, "claim", "CAL")
    reads.act(read.code, host.token, "line", 5)
    write_production(tmp_path / "build", items=[("AMY",), ("BEN",)], scenes=[0, 0])
    data = (tmp_path / "build" / "play" / "data.js").read_text().replace('"CAL"', '"CARL"')
    (tmp_path / "build" / "play" / "data.js").write_text(data)
    reads.refresh()
    assert read.line == 1 and read.parts == {}
    reads.act(read.code, host.token, "next", 1)
    assert read.done


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


@pytest.mark.parametrize("name", ["\ufeff", "\u2060\u2060", "\u061c", "\u3164", "\u200d", "\u0301" * 5, "\U000e0041"])
def test_a_name_that_shows_nothing_is_refused(reads, name):
    read, _ = reads.start("play", "Dana")
    with pytest.raises(TableReadError) as refused:
        reads.join(read.code, name)  # an invisible cast member, in the list of people and on every part
    assert refused.value.status == 400


def test_names_lose_hidden_direction_and_format_characters_but_keep_emoji(reads):
    read, _ = reads.start("play", "\u061c\u2067Dana\u2069\ufeff")  # an Arabic letter mark, an isolate, a BOM
    assert read.participants[read.host].name == "Dana"
    _, family = reads.join(read.code, "Sam \U0001f468\u200d\U0001f469\u200d\U0001f467")
    assert family.name.endswith("\U0001f468\u200d\U0001f469\u200d\U0001f467")  # one family, not three people
    _, zalgo = reads.join(read.code, "Kim" + "\u0336" * 30)
    assert zalgo.name.count("\u0336") <= 3  # marks piled on one letter spill over the lines around it


def test_a_name_already_in_the_read_is_numbered(reads):
    read, _host = reads.start("play", "Dana")
    _, twin = reads.join(read.code, "dana")
    _, third = reads.join(read.code, "Dana")
    assert (twin.name, third.name) == ("dana (2)", "Dana (3)")  # nobody passes for the host by name
    _, long = reads.join(read.code, "x" * MAX_NAME)
    _, long2 = reads.join(read.code, "x" * MAX_NAME)
    assert long2.name != long.name and len(long2.name) <= MAX_NAME


def test_a_full_read_makes_room_by_dropping_whoever_is_away_longest(reads):
    read, host = reads.start("play", "Dana")
    people = [reads.join(read.code, f"P{n}", client=f"10.0.0.{n}")[1] for n in range(MAX_PARTICIPANTS - 1)]
    reads.act(read.code, people[0].token, "claim", "AMY")
    with pytest.raises(TableReadError) as full:
        reads.join(read.code, "Late", client="10.0.1.1")
    assert full.value.status == 429  # everyone is here: it is full
    reads.clock_.now += AWAY_AFTER_S + 1
    reads.who(read, host.token)
    reads.who(read, people[5].token)
    reads.sweep()  # phones that joined and went: away
    _, late = reads.join(read.code, "Late", client="10.0.1.1")
    assert late.pid in read.participants and len(read.participants) == MAX_PARTICIPANTS
    assert people[0].pid in read.participants and people[5].pid in read.participants  # a part, or here: kept
    with pytest.raises(TableReadError) as gone:
        reads.act(read.code, people[1].token, "ask")  # the one dropped: their phone joins again
    assert gone.value.status == 403


def _saved(tmp_path: Path) -> Path:
    return tmp_path / ".runthru" / "tableread"


@pytest.mark.parametrize("edit", [
    lambda d: {**d, "parts": ["AMY"]},
    lambda d: {**d, "participants": {"x": 1}},
    lambda d: {**d, "code": "../x"},
    lambda d: [d],
    "line-infinite", "nested", "binary",
], ids=["parts-a-list", "participants-a-dict", "code-a-path", "not-an-object", "line-infinite", "nested", "binary"])
def test_a_corrupt_or_hand_edited_read_is_skipped_in_one_line_and_the_others_come_back(tmp_path, capsys, edit):
    build = tmp_path / "build"
    write_production(build)
    write_production(build, "other")
    first = TableReads(build, tmp_path / ".runthru")
    first.start("play", "Dana")
    other, eve = first.start("other", "Eve", client="elsewhere")
    path = _saved(tmp_path) / "play.json"
    data = json.loads(path.read_text())
    if edit == "line-infinite":
        path.write_text(json.dumps(data).replace(f'"line": {data["line"]}', '"line": 1e999'))
    elif edit == "nested":
        path.write_text("[" * 5000 + "]" * 5000)
    elif edit == "binary":
        path.write_bytes(b"\xff\x00\xfe")
    else:
        path.write_text(json.dumps(edit(data)))
    again = TableReads(build, tmp_path / ".runthru")  # serve starts, whatever the file holds
    assert list(again.reads) == [other.code]
    again.act(other.code, eve.token, "resume")  # the other read goes on
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0]
    assert path.exists()  # left as it is, for whoever edited it


def test_a_saved_read_copied_under_another_play_is_named_not_silently_dropped(tmp_path, capsys):
    build = tmp_path / "build"
    write_production(build)
    write_production(build, "other")
    read, _ = TableReads(build, tmp_path / ".runthru").start("play", "Dana")
    copy = json.loads((_saved(tmp_path) / "play.json").read_text())
    (_saved(tmp_path) / "other.json").write_text(json.dumps({**copy, "production": "other"}))  # the same code
    again = TableReads(build, tmp_path / ".runthru")
    assert [(code, r.production) for code, r in again.reads.items()] == [(read.code, "other")]  # read first
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another read's" in err[0] and "play.json" in err[0]


def test_a_saved_host_that_is_not_a_participant_hands_over_on_restart(tmp_path):
    build = tmp_path / "build"
    write_production(build)
    first = TableReads(build, tmp_path / ".runthru")
    read, host = first.start("play", "Dana")
    _, sam = first.join(read.code, "Sam")
    path = _saved(tmp_path) / "play.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "host": ["not", "a", "pid"]}))
    again = TableReads(build, tmp_path / ".runthru")
    assert again.get(read.code).host == host.pid  # the first one present, not a list that breaks every request
    again.act(read.code, host.token, "resume")
    again.act(read.code, sam.token, "ask")


def test_a_disk_that_refuses_the_state_is_said_once_and_the_read_goes_on(tmp_path, capsys):
    build = tmp_path / "build"
    write_production(build)
    (tmp_path / ".runthru").mkdir()
    _saved(tmp_path).write_text("a file where the folder goes")
    reads = TableReads(build, tmp_path / ".runthru")
    read, host = reads.start("play", "Dana")  # was an OSError: a dropped connection, and a read half made
    reads.act(read.code, host.token, "resume")
    reads.act(read.code, host.token, "next", 0)
    assert read.line == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot save" in err[0] and str(_saved(tmp_path)) in err[0]


def test_a_token_with_a_non_ascii_byte_is_refused_not_a_dropped_connection(tmp_path):
    import socket

    from runthru_build.serve import ServerState, Serving

    write_production(tmp_path / "build")
    state = ServerState(build_dir=tmp_path / "build", tableread=TableReads(tmp_path / "build", None))
    read, _host = state.tableread.start("play", "Dana")
    serving = Serving(state, "127.0.0.1", 0)
    serving.start()
    try:
        for head in (f"GET /_tableread/{read.code}/state?since=-1", f"POST /_tableread/{read.code}/act"):
            with socket.create_connection(("127.0.0.1", serving.port), timeout=10) as conn:
                conn.sendall(f"{head} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Content-Length: 17\r\nConnection: close\r\nX-Tableread-Token: ".encode()
                             + b"\xe9\r\n\r\n" + b'{"action":"end"}\n')
                answer = conn.recv(4096)
            assert answer.startswith(b"HTTP/1.1 403"), (head, answer[:40])
    finally:
        serving.stop()
    assert read.code in state.tableread.reads


def test_bad_json_bodies_are_4xx_never_a_dropped_connection(tmp_path, capsys):
    from conftest import Client

    from runthru_build.serve import ServerState, Serving

    write_production(tmp_path / "build")
    state = ServerState(build_dir=tmp_path / "build", tableread=TableReads(tmp_path / "build", None))
    serving = Serving(state, "127.0.0.1", 0)
    serving.start()
    try:
        client = Client(serving.port)
        json_type = {"Content-Type": "application/json"}
        for body in (b"[" * 2000 + b"]" * 2000, b'{"name":' + b"[" * 2000 + b"]" * 2000 + b"}", b"\xff", b"[]", b'"Dana"'):
            status, _, answer = client.request("POST", "/_tableread/start", json_type, body)
            assert status == 400 and "error" in json.loads(answer), body[:20]
        status, _, _ = client.request("POST", "/_tableread/start", json_type, b'{"name":"' + b"x" * 5000 + b'"}')
        assert status == 413
        for bad in ({"production": ["play"], "name": "Dana"}, {"production": "play", "name": {"first": "Dana"}},
                    {"production": "play", "name": "Dana", "audio": ["room"]}):
            assert client.request("POST", "/_tableread/start", json_type, json.dumps(bad).encode())[0] in (400, 404)
        assert "Traceback" not in capsys.readouterr().err
    finally:
        serving.stop()


# -- real phones, a real serve ------------------------------------------------------------------------

READ_SCRIPT = """# The Read

## Scene 1. The kitchen

(Morning.)

AMY: Good morning, everyone.
BEN: Morning, Amy.
CAL: Is there coffee?
EVE: Not for you, Cal.
DEE: There is always coffee.
AMY: Let us begin.

## Scene 2. The garden

BEN: The roses are out.
EVE: And the weeds.
AMY: Then we are done.
"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1,
         "reduced_motion": "reduce"}
CAST = [("Sam", "AMY"), ("Kim", "BEN"), ("<script>alert(1)</script>", "CAL"), ("Lee", "DEE")]  # EVE: nobody's


@pytest.fixture(scope="module")
def read_project(tmp_path_factory) -> Path:
    from conftest import build_site

    return build_site(tmp_path_factory, "read.md", READ_SCRIPT)


class Serve:
    """``runthru-build serve`` in its own process, on a port that stays the same across restarts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen | None = None
        self.new_port()

    def new_port(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from conftest import Client

        self.proc = subprocess.Popen([sys.executable, "-m", "runthru_build", "serve", str(self.root), "--port",
                                      str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=os.environ.copy())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(self.port).get("/_runthru/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"serve did not start (exit {self.proc.poll()}): "
                             f"{self.proc.stderr.read().decode() if self.proc.poll() is not None else ''}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # no goodbye: the state must already be on disk
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def serve(read_project):
    server = Serve(read_project)
    try:
        server.start()
    except AssertionError:  # the free port was taken by another process in between: once more, on another
        server.new_port()
        server.start()
    yield server
    server.kill()


def tr_state(page) -> dict:
    return page.evaluate("runthruTableRead.state()")


def phone(browser, url: str, errors: list):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.goto(url)
    return page


ON_SCREEN = """() => {
    const s = runthruTableRead.state();
    const row = document.querySelector('.line.current');
    const r = row && row.getBoundingClientRect();
    const head = document.querySelector('.sticky-head').getBoundingClientRect().bottom;
    const foot = document.querySelector('.controls').getBoundingClientRect().top;
    return {line: s.line, current: s.current, item: s.item, version: s.version, row: r && [r.top, r.bottom],
            head: head, foot: foot, scrollY: window.scrollY,
            shown: !!r && s.current === s.item && r.top >= head - 1 && Math.min(r.bottom, r.top + 60) <= foot + 1};
}"""


def all_on(pages, line: int, timeout_ms: int = 20_000) -> None:
    """Every screen shows ``line`` as the current line, scrolled into view between the bars (the time it
    takes is bench/tableread.py's to measure; a busy CI box may take seconds)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for page in pages:
        try:
            page.wait_for_function(f"n => {{ const o = ({ON_SCREEN})(); return o.line === n && o.shown; }}",
                                   arg=line, timeout=timeout_ms)
        except PlaywrightTimeout:
            seen = [p.evaluate(ON_SCREEN) for p in pages]
            raise AssertionError(f"screen {pages.index(page)} not on line {line} in {timeout_ms} ms: {seen}") from None


@pytest.fixture(scope="module")
def company(browser, serve):
    """A host and four phones in one table read, each holding one part (EVE is the voice's)."""
    from conftest import screenshot

    errors: list[str] = []
    host = phone(browser, f"{serve.base}/read/tableread.html", errors)
    host.wait_for_selector("#tr-start")
    screenshot(host, "tableread-start")
    host.fill("#tr-host-name", "Dana")
    host.click("#tr-start button[type=submit]")
    host.wait_for_selector("#tr-parts li")
    code = tr_state(host)["code"]
    host.wait_for_function("() => { const img = document.getElementById('tr-qr');"
                           " return img.complete && img.naturalWidth > 100; }", timeout=5000)  # the QR code came
    phones = []
    for name, part in CAST:
        page = phone(browser, f"{serve.base}/read/tableread.html?join={code}", errors)
        page.wait_for_selector("#tr-join")
        if not phones:
            screenshot(page, "tableread-join")
        page.fill("#tr-name", name)
        page.click("#tr-join button[type=submit]")
        page.click(f'#tr-parts li[data-part="{part}"] button.claim')
        page.wait_for_function("p => runthruTableRead.state().roles.includes(p)", arg=part)
        page.click("#cast-done")
        phones.append(page)
    host.wait_for_function("() => document.querySelectorAll('#tr-people li').length === 5")
    screenshot(host, "tableread-host-invite")
    host.click("#cast-done")
    yield {"host": host, "phones": phones, "code": code, "errors": errors}
    for page in [host, *phones]:
        page.context.close()




@pytest.mark.browser
@pytest.mark.slow
def test_a_scene_with_taps_and_a_voice_every_screen_on_the_same_line(company, serve):
    from conftest import screenshot

    host, phones = company["host"], company["phones"]
    everyone = [host, *phones]
    by_part = {part: page for page, (_, part) in zip(phones, CAST, strict=True)}
    # the chooser shows who has what; the name that tries <script> is shown as text on every screen
    host.click("#cast-btn")
    assert host.locator('#tr-parts li[data-part="CAL"] .tr-holder').inner_text() == "<script>alert(1)</script>"
    assert host.locator('#tr-parts li[data-part="EVE"] .tr-holder').inner_text() == "voice"
    assert host.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    host.click("#cast-close")
    host.click("#play")
    all_on(everyone, 0)
    assert tr_state(phones[1])["headsUp"] == "You're on next"  # BEN, after AMY
    assert tr_state(phones[2])["headsUp"] == "You're on in 2"  # CAL
    screenshot(phones[0], "tableread-own-line")
    screenshot(phones[2], "tableread-waiting")
    screenshot(host, "tableread-host")
    assert not phones[1].is_visible("#continue")  # Kim cannot move Sam's line on: no "your line" for her,
    phones[1].keyboard.press("Enter")                # and her keys do nothing
    time.sleep(0.3)
    assert tr_state(host)["line"] == 0
    ways = iter(["tap", "Enter", "Space", "tap"])
    lines = [("AMY",), ("BEN",), ("CAL",), ("EVE",), ("DEE",), ("AMY",)]
    for n, (part,) in enumerate(lines[:-1]):
        all_on(everyone, n)
        if part == "EVE":  # nobody's part: the host's device plays it, the phones stay quiet (one room)
            host.wait_for_function("() => runthruTableRead.state().src && runthruTableRead.state().src.endsWith('.mp3')")
            assert all(tr_state(p)["src"] is None for p in phones)
            all_on(everyone, n + 1, timeout_ms=15000)  # it moves on when the host's device has played it
            continue
        page = by_part[part]
        assert tr_state(page)["mine"] and tr_state(page)["status"] == "Your line"
        way = next(ways)
        if way == "tap":
            page.tap("#continue")
        else:
            page.keyboard.press(way)
    # two taps race on one line: the host's "next" and AMY's own (Sam) — the read moves once. The host
    # taps first: a host who taps after the move has reached their screen moves on from the new line,
    # as they meant to (a busy machine showed it), while Sam's tap is stale or, once his screen has
    # moved on from his line, never sent.
    all_on(everyone, 5)
    version = tr_state(host)["version"]
    host.evaluate("document.getElementById('next').click()")
    phones[0].evaluate("document.getElementById('continue').click()")
    all_on(everyone, 6)  # scene 2: BEN's line (Kim), which waits for her
    time.sleep(0.5)
    assert tr_state(host)["line"] == 6 and tr_state(host)["version"] == version + 1
    screenshot(phones[2], "tableread-scrolled")
    # Sam shows his lines by their first letters: on his phone only
    sam = phones[0]
    sam.tap("#settings-btn")
    sam.select_option("#display", "initials")
    screenshot(sam, "tableread-settings")
    sam.tap("#settings-close")
    assert sam.locator(".line.mine .initials").count() == 3
    assert host.locator(".line .initials").count() == 0
    assert not company["errors"]


@pytest.mark.browser
@pytest.mark.slow
def test_offline_reload_and_a_restarted_serve_come_back_on_the_line_with_their_parts(company, serve):
    host, phones = company["host"], company["phones"]
    everyone = [host, *phones]
    # Lee asks to pause; the host sees who asked and pauses everyone
    phones[3].tap("#tr-ask")
    host.wait_for_selector("#tr-asks")
    assert host.inner_text("#tr-asks-text") == "Lee asks to pause"
    host.click("#tr-asks-pause")
    for page in everyone:
        page.wait_for_function("() => runthruTableRead.state().paused")
    # the host marks Lee away at once: DEE is the voice's on every screen until Lee is back
    host.click("#cast-btn")
    host.locator("#tr-people li", has_text="Lee").get_by_role("button", name="Mark away").click()
    host.click("#cast-close")
    dee = "() => [...document.querySelectorAll('.line')].filter(r => r.querySelector('.cue').textContent.startsWith('DEE'))" \
          ".every(r => r.querySelector('.tr-reader').textContent === ' · voice')"
    for page in [host, *phones[:3]]:
        page.wait_for_function(dee)
    phones[3].wait_for_function("() => runthruTableRead.state().roles.length === 0")
    phones[3].tap("#tr-here")
    phones[3].wait_for_function("() => runthruTableRead.state().roles.includes('DEE')")
    at = tr_state(host)["line"]
    sam = phones[0]
    sam.context.set_offline(True)
    host.click("#prev")
    all_on([host, *phones[1:]], at - 1)
    sam.context.set_offline(False)
    started = time.monotonic()
    all_on([sam], at - 1, timeout_ms=2000)
    assert time.monotonic() - started < 2
    phones[1].reload()
    all_on([phones[1]], at - 1, timeout_ms=2000)
    assert tr_state(phones[1])["roles"] == ["BEN"]
    serve.kill()
    host.click("#prev")  # refused while the server is down: nothing moves
    serve.start()
    started = time.monotonic()
    all_on(everyone, at - 1, timeout_ms=4000)
    for page, (_, part) in zip(phones, CAST, strict=True):
        assert tr_state(page)["roles"] == [part]
    host.click("#restart")
    all_on(everyone, 0)  # the scene's first line
    host.select_option("#scene", "1")
    all_on(everyone, 6)  # scene 2 starts with BEN
    assert not company["errors"]


@pytest.mark.browser
@pytest.mark.slow
def test_apart_mode_every_phone_plays_and_a_host_who_leaves_hands_over(company, serve):
    host, phones = company["host"], company["phones"]
    everyone = [host, *phones]
    host.click("#cast-btn")
    host.select_option("#tr-audio", "apart")
    host.click("#cast-close")
    host.click("#play")  # go on: BEN's line (Kim)
    phones[1].tap("#continue")
    all_on(everyone, 7)  # EVE's line: voiced on every phone
    for page in everyone:
        page.wait_for_function("() => (runthruTableRead.state().src || '').endsWith('.mp3')")
    all_on(everyone, 8, timeout_ms=15000)
    host.click("#cast-btn")
    host.click("#tr-leave")
    host.wait_for_selector("#tr-start")
    phones[0].wait_for_function("() => runthruTableRead.state().host")  # Sam joined first: Sam hosts now
    assert not tr_state(phones[1])["host"]
    phones[0].evaluate("document.getElementById('prev').click()")
    all_on(phones, 7)
    assert not company["errors"]


@pytest.mark.browser
@pytest.mark.slow
def test_voice_mode_moves_the_read_on_when_the_actor_stops_speaking(browser, company, serve, read_project, tmp_path):
    """Vic's phone listens (Chromium's fake microphone plays a Piper line, then silence) and goes on by itself."""
    import numpy as np
    import soundfile
    from conftest import CHROMIUM, CHROMIUM_ARGS

    take = sorted((read_project / "build" / "read" / "audio").glob("*.mp3"))[0]
    speech, rate = soundfile.read(take, dtype="float32", always_2d=False)
    wav = tmp_path / "vic.wav"
    soundfile.write(wav, np.concatenate([np.zeros(rate // 2, np.float32), speech, np.zeros(rate * 4, np.float32)]), rate)
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}"])
    try:
        host = next(p for p in company["phones"] if tr_state(p)["host"])
        errors: list[str] = []
        vic = phone(chromium, f"{serve.base}/read/tableread.html?join={company['code']}", errors)
        vic.wait_for_selector("#tr-join")
        vic.fill("#tr-name", "Vic")
        vic.click("#tr-join button[type=submit]")
        vic.click('#tr-parts li[data-part="EVE"] button.claim')
        vic.wait_for_function("() => runthruTableRead.state().roles.includes('EVE')")
        vic.click("#cast-done")
        vic.tap("#settings-btn")
        vic.select_option("#mode", "voice")
        vic.tap("#settings-close")
        if not tr_state(host)["paused"]:
            host.evaluate("document.getElementById('play').click()")  # pause, to move by hand
            host.wait_for_function("() => runthruTableRead.state().paused")
        host.select_option("#scene", "1")  # the host jumps to scene 2
        host.wait_for_function("() => runthruTableRead.state().line === 6")
        host.evaluate("document.getElementById('play').click()")  # BEN's line, then EVE's (Vic)
        company["phones"][1].tap("#continue")
        all_on([vic, host], 7)
        vic.wait_for_function("() => runthruTableRead.state().mine")
        all_on([vic, host, *company["phones"]], 8, timeout_ms=15000)  # no tap: Vic spoke, then fell silent
        assert not errors
    finally:
        chromium.close()


def test_cross_site_changes_are_refused_and_posts_must_be_json(serve, company):
    from conftest import Client

    client = Client(serve.port)
    code = company["code"]
    assert b'href="tableread.html"' in client.get("/read/")[2]  # the production's page starts a table read
    status, _, body = client.get(f"/_tableread/{code}")
    version = json.loads(body)["version"]
    join = json.dumps({"name": "Mallory"}).encode()
    status, _, _ = client.request("POST", f"/_tableread/{code}/join", {
        "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, join)
    assert status == 403
    status, _, _ = client.request("POST", f"/_tableread/{code}/join", {"Content-Type": "text/plain"}, join)
    assert status == 415  # what a form on another site can send without asking
    status, _, _ = client.request("POST", f"/_tableread/{code}/act", {"Content-Type": "application/json"},
                                  json.dumps({"action": "end"}).encode())
    assert status == 403  # no token: nobody's host
    assert json.loads(client.get(f"/_tableread/{code}")[2])["version"] == version


@pytest.mark.browser
def test_behind_a_pin_a_signed_in_phone_starts_and_joins(browser, read_project, tmp_path):
    """The PIN page first, then the table read works with the server's own cookie and origin checks."""
    from runthru_build.gate import make_gate
    from runthru_build.serve import ServerState, Serving

    state = ServerState(build_dir=read_project / "build", gate=make_gate("4321", None, tmp_path),
                        tableread=TableReads(read_project / "build", tmp_path))
    serving = Serving(state, "127.0.0.1", 0)
    serving.start()
    errors: list[str] = []
    try:
        page = phone(browser, f"http://127.0.0.1:{serving.port}/read/tableread.html", errors)
        page.fill("#pin", "4321")
        page.click("button[type=submit]")
        page.wait_for_selector("#tr-start")
        page.fill("#tr-host-name", "Dana")
        page.click("#tr-start button[type=submit]")
        page.wait_for_selector("#tr-parts li button.claim")
        page.click('#tr-parts li[data-part="AMY"] button.claim')
        page.wait_for_function("() => runthruTableRead.state().roles.includes('AMY')")
        # the PIN session ends while the read goes on (signed out in another tab, or expired): the phone
        # goes to the PIN page, and after it comes back to the read with its part
        session = next(c["value"] for c in page.context.cookies() if c["name"].startswith("runthru_auth"))
        state.gate.revoke(session)
        read = state.tableread.for_production("read")
        state.tableread.act(read.code, read.participants[read.host].token, "resume")  # the poll returns: 401
        page.wait_for_url("**/_runthru/pin**", timeout=5000)
        page.fill("#pin", "4321")
        page.click("button[type=submit]")
        page.wait_for_url("**/read/tableread.html**", timeout=5000)  # not the PIN page still unloading
        page.wait_for_function("() => window.runthruTableRead && runthruTableRead.state().roles.includes('AMY')")
        assert tr_state(page)["code"] == read.code and not errors
        page.context.close()
    finally:
        serving.stop()


def test_every_table_read_endpoint_is_behind_the_pin(read_project):
    from conftest import Client

    from runthru_build.gate import make_gate
    from runthru_build.serve import ServerState, Serving

    state = ServerState(build_dir=read_project / "build", gate=make_gate("4321", None, read_project / ".pin-test"),
                        tableread=TableReads(read_project / "build", None))
    serving = Serving(state, "127.0.0.1", 0)
    serving.start()
    try:
        client = Client(serving.port)
        assert client.get("/_tableread/?production=read")[0] == 401
        status, _, _ = client.request("POST", "/_tableread/start", {"Content-Type": "application/json"},
                                      json.dumps({"production": "read", "name": "Dana"}).encode())
        assert status == 401 and not state.tableread.reads
    finally:
        serving.stop()


@pytest.mark.browser
def test_from_a_file_the_page_says_it_needs_serve(browser, read_project):
    errors: list[str] = []
    page = phone(browser, (read_project / "build" / "read" / "tableread.html").as_uri(), errors)
    page.wait_for_selector("#tr-needs-serve")
    assert "runthru-build serve" in page.inner_text("#tr-needs-serve")
    assert not errors
    page.context.close()


@pytest.mark.browser
def test_the_host_removes_a_phone_and_closes_the_read(company, serve):
    """Lee's phone is removed: it says so, DEE goes back to the voice, and with the read closed Lee
    cannot come straight back with the code."""
    from conftest import screenshot

    host = next(p for p in [company["host"], *company["phones"]] if tr_state(p)["host"])
    lee = company["phones"][3]
    host.evaluate("document.getElementById('cast-btn').click()")
    host.locator("#tr-people li", has_text="Lee").locator("button.tr-remove").click()
    host.wait_for_function("() => !runthruTableRead.state().parts.DEE")  # the list is drawn again: then untick
    host.uncheck("#tr-open")
    host.wait_for_function("() => runthruTableRead.state().locked")
    screenshot(host, "tableread-host-removed")
    lee.wait_for_selector("#tr-join")
    assert "The host removed you" in lee.inner_text("#tr-error")
    lee.fill("#tr-name", "Lee again")
    lee.click("#tr-join button[type=submit]")
    lee.wait_for_function("() => /closed this table read/.test(document.getElementById('tr-error').textContent)")
    screenshot(lee, "tableread-removed")
    host.check("#tr-open")
    host.wait_for_function("() => !runthruTableRead.state().locked")
    host.evaluate("document.getElementById('cast-done').click()")
    assert not company["errors"]
