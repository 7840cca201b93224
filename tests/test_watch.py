"""serve --watch: ignore rules, debounce, and rebuilds seen through a real server and browser."""

from __future__ import annotations

import json
import threading
import time

import pytest
from conftest import Client, screenshot

from runthru_build.commands.serve import ServeOptions, start
from runthru_build.config import load_config
from runthru_build.watch import Debouncer, IgnoreRules


def test_ignore_rules(tmp_path):
    for folder in ("scripts", "casts", "themes/mine", "build", ".runthru/cache"):
        (tmp_path / folder).mkdir(parents=True)
    ignore = IgnoreRules.for_config(load_config(tmp_path))
    kept = ["scripts/play.md", "casts/play.toml", "themes/mine/style.css", "runthru.toml"]
    ignored = ["scripts/.play.md.swp", "scripts/play.md~", "scripts/.#play.md", "scripts/#play.md#",
               "scripts/play.md.bak", "scripts/4913", "build/index.html", ".runthru/cache/ab/x.mp3",
               "notes.txt", "scripts/.git/HEAD", "casts/play.toml.swx"]
    assert [p for p in kept if ignore(tmp_path / p)] == []
    assert [p for p in ignored if not ignore(tmp_path / p)] == []


def test_debounce_turns_a_burst_into_one_run_and_catches_late_events():
    runs: list[float] = []
    started = threading.Event()

    def action():
        runs.append(time.monotonic())
        started.set()
        time.sleep(0.3)

    debouncer = Debouncer(action, quiet=0.1)
    try:
        for _ in range(10):
            debouncer.poke()
            time.sleep(0.02)
        assert started.wait(2)
        debouncer.poke()  # arrives while the action runs: exactly one more run
        time.sleep(1.0)
        assert len(runs) == 2
        time.sleep(0.3)
        assert len(runs) == 2
    finally:
        debouncer.stop()


@pytest.fixture
def watching(toy_project):
    session = start(toy_project, ServeOptions(port=0, watch=True))
    yield session, Client(session.serving.port), toy_project
    session.stop()


def poll(client: Client, since: int) -> dict:
    status, _, body = client.get(f"/_runthru/reload?since={since}")
    assert status == 200
    return json.loads(body)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_edit_rebuilds_and_releases_a_waiting_poll(watching):
    session, client, root = watching
    first = poll(client, -1)
    assert first["error"] is None and "served" in first["productions"]
    _status, _, page = client.get("/served/amy/")
    assert b'<script src="/_runthru/reload.js" defer></script>' in page  # served pages only
    assert b"reload.js" not in (root / "build" / "served" / "amy" / "index.html").read_bytes()

    answer: dict = {}
    waiter = threading.Thread(target=lambda: answer.update(poll(client, first["epoch"])))
    waiter.start()
    time.sleep(0.3)
    script = root / "scripts" / "served.md"
    edited_at = time.monotonic()
    script.write_text(script.read_text().replace("Shall we begin?", "Shall we start now?"))
    waiter.join(timeout=30)
    elapsed = time.monotonic() - edited_at
    build_seconds = session.last_build.render.wall_seconds
    assert answer["productions"]["served"] > first["productions"]["served"]
    assert elapsed < 2.0 + build_seconds, (elapsed, build_seconds)
    assert session.last_build.render.rendered == 1  # only the changed line
    assert b"Shall we start now?" in client.get("/served/data.js")[2]


@pytest.mark.slow
def test_broken_edit_keeps_the_old_site_and_reports_the_error(watching):
    _session, client, root = watching
    epoch = poll(client, -1)["epoch"]
    cast = root / "casts" / "served.toml"
    good = cast.read_text()
    cast.write_text(good + "[roles.NOBODY]\n")
    answer = poll(client, epoch)
    assert answer["error"].startswith("casts/served.toml:3: [roles.NOBODY]")
    assert client.get("/served/amy/")[0] == 200  # the last good site is still served
    cast.write_text(good)
    wait_for(lambda: poll(client, -1)["error"] is None)


@pytest.mark.slow
def test_editor_swap_file_causes_no_rebuild(watching):
    session, _client, root = watching
    builds = session.builds
    (root / "scripts" / ".served.md.swp").write_bytes(b"swap")
    (root / "scripts" / "4913").write_text("")
    (root / "build" / "stray.txt").write_text("x")
    time.sleep(1.0)
    assert session.builds == builds


@pytest.mark.slow
@pytest.mark.browser
def test_overlay_in_the_open_page_and_reload_keeps_the_place(watching, browser):
    _session, client, root = watching
    page = browser.new_page()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/_runthru/reload?" in r.url else None)
    page.goto(f"http://127.0.0.1:{client.port}/served/ben/")
    page.wait_for_function("() => window.runthruPlayer !== undefined")
    page.click('.line[data-i="2"]')
    # the first poll answered, the next one waits for a build (was a fixed 0.5 s); Playwright
    # delivers the request events while it is called, so the wait is its own
    deadline = time.monotonic() + 20
    while len(polls) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert len(polls) >= 2, polls
    script = root / "scripts" / "served.md"
    good = script.read_text()
    script.write_bytes(good.encode() + b"\nAMY: \x00\x01\x02\n")  # a broken save: binary garbage
    page.wait_for_selector("#runthru-build-error", timeout=20000)
    assert "scripts/served.md: is a binary file, not text" in page.inner_text("#runthru-build-error")
    screenshot(page, "watch-error-overlay")
    page.click("#runthru-build-error")  # it covers the top bar: a tap hides it until the error changes
    time.sleep(2.5)  # the next poll answers with the same error
    assert page.locator("#runthru-build-error").count() == 0
    script.write_text(good.replace("Hello, Amy.", "Hello again, Amy."))
    # polled from Python: the served CSP rightly forbids the eval that wait_for_function needs
    wait_for(lambda: "Hello again, Amy." in page.inner_text("body"))
    assert page.locator("#runthru-build-error").count() == 0
    assert page.evaluate("window.runthruPlayer.state().line") == 2  # the same place in the script
    page.close()


def test_only_the_changed_production_reloads(tmp_path):
    from runthru_build.livereload import ReloadState

    build_dir = tmp_path / "build"
    for slug in ("hamlet", "macbeth"):
        (build_dir / slug).mkdir(parents=True)
        (build_dir / slug / "data.js").write_text(f"window.RUNTHRU = {{'{slug}': 1}};")
    (build_dir / "assets").mkdir()
    (build_dir / "assets" / "style.css").write_text("body {}")
    state = ReloadState()
    assert sorted(state.published(build_dir)) == ["hamlet", "macbeth"]
    before = state.snapshot()
    (build_dir / "macbeth" / "data.js").write_text("window.RUNTHRU = {'macbeth': 2};")
    assert state.published(build_dir) == ["macbeth"]
    after = state.snapshot()
    assert after["productions"]["hamlet"] == before["productions"]["hamlet"]
    assert after["productions"]["macbeth"] > before["productions"]["macbeth"]
    assert state.published(build_dir) == [] and state.snapshot()["epoch"] == after["epoch"]  # nothing changed
    (build_dir / "assets" / "style.css").write_text("body { color: red }")  # the theme changes every page
    assert sorted(state.published(build_dir)) == ["hamlet", "macbeth"]
    state.failed("scripts/x.md:3: oops")
    assert state.wait(after["epoch"] + 1, timeout=1)["error"] == "scripts/x.md:3: oops"
