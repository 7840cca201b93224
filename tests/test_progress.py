"""Render progress where nobody watches a terminal: plain lines, and an estimate up front."""

from __future__ import annotations

import io

from conftest import run_cli
from rich.console import Console

from runthru_build.progress import RenderProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain_progress() -> tuple[RenderProgress, io.StringIO, Clock]:
    text, clock = io.StringIO(), Clock()
    console = Console(file=text, force_terminal=False, width=200)
    return RenderProgress(console, clock=clock), text, clock


def test_plain_lines_every_five_percent_or_few_seconds_with_an_estimate_first():
    progress, text, clock = plain_progress()
    progress.start(200)
    for _ in range(8):  # 2 takes a second, 6 s of audio each
        clock.now += 0.5
        progress.advance(1, 6.0)
    assert text.getvalue().splitlines() == [
        "rendering 200 takes; an estimate of the time follows once the first are done",
        "estimate: about 2 min more for 193 takes (2.0 takes/s)",  # measured over 3 s after the first take
    ]
    clock.now += 2.0
    progress.advance(2, 12.0)  # 5% done
    assert text.getvalue().splitlines()[-1] == "rendering: 10/200 takes (5%), 1.0 audio min, 0:06 elapsed, ETA 1:56"
    clock.now += 5.0
    progress.advance(2, 12.0)  # a slow stretch: a line after a few seconds
    assert text.getvalue().splitlines()[-1] == "rendering: 12/200 takes (6%), 1.2 audio min, 0:11 elapsed, ETA 2:59"
    before = len(text.getvalue().splitlines())
    for _ in range(8):  # quick takes: the next line at 10%, not before
        clock.now += 0.1
        progress.advance(1, 6.0)
    lines = text.getvalue().splitlines()
    assert len(lines) == before + 1 and lines[-1].startswith("rendering: 20/200 takes (10%)")
    progress.stop()


def test_a_short_render_says_only_how_far_it_got():
    progress, text, clock = plain_progress()
    progress.start(3)
    for _ in range(3):
        clock.now += 0.2
        progress.advance(1, 1.5)
    assert text.getvalue().splitlines() == [
        "rendering: 1/3 takes (33%), 0.0 audio min, 0:00 elapsed, ETA 0:00",
        "rendering: 2/3 takes (67%), 0.1 audio min, 0:00 elapsed, ETA 0:00",
        "rendering: 3/3 takes (100%), 0.1 audio min, 0:01 elapsed, ETA 0:00",
    ]


def test_build_through_a_pipe_prints_progress_lines(toy_project):
    proc = run_cli("build", str(toy_project))  # stdout and stderr are pipes: not a terminal
    assert proc.returncode == 0, proc.stderr
    assert "rendering: 3/3 takes (100%)" in proc.stderr


def test_estimate_counts_words_left_not_takes_when_the_longest_go_first():
    progress, text, clock = plain_progress()
    progress.start(100, work=1000)  # 10 long speeches of 50 words first, then 90 short lines of 5-6
    for _ in range(10):
        clock.now += 1.0  # 50 words a second
        progress.advance(1, 20.0, 50)
    lines = text.getvalue().splitlines()
    # 3 s after the first take, 800 words left at 50 a second, where counting takes (1 a second) would say 96 s
    assert lines[1] == "estimate: about 16 s more for 96 takes (1.0 takes/s)"
    assert lines[-1] == "rendering: 10/100 takes (10%), 3.3 audio min, 0:10 elapsed, ETA 0:10"  # not 1:30
    assert progress.remaining_seconds() == 10.0
    progress.stop()


def test_no_time_is_promised_before_the_estimate():
    """Found by a newcomer: the first take (which carries the workers' start) gave
    'ETA 12:36', then 'about 5 min more', then 'ETA 2:02' within seconds."""
    progress, text, clock = plain_progress()
    progress.start(100)
    clock.now += 2.5  # the pool starting, then one take
    progress.advance(5, 6.0)  # 5%: a plain line is due
    assert text.getvalue().splitlines()[-1].endswith("ETA ?")
    for _ in range(3):
        clock.now += 1.0
        progress.advance(5, 6.0)
    lines = text.getvalue().splitlines()
    assert lines[-2] == "estimate: about 16 s more for 80 takes (5.0 takes/s)"
    assert lines[-1].endswith("ETA 0:16")  # 80 takes left at 15 takes in the 3 s since the first


def test_the_first_estimate_leaves_out_the_workers_start():
    """Found by a newcomer: "about 8 min" for a render that took 1:41, the workers' start spread
    over every take left."""
    progress, text, clock = plain_progress()
    progress.start(100, work=1000)  # 100 takes of 10 words
    clock.now += 10.0  # the workers loading their voices
    for _ in range(100):
        clock.now += 0.5  # then 20 words a second
        progress.advance(1, 3.0, 10)
        if progress.warmed_up() and progress.remaining_seconds() is not None and "estimate" in text.getvalue():
            break
    estimate = next(line for line in text.getvalue().splitlines() if line.startswith("estimate"))
    assert estimate == "estimate: about 46 s more for 93 takes (2.0 takes/s)"  # 930 words at 20 a second
    # the rate over all the time so far (13.5 s for 7 takes) would have said about 3 min


def test_the_next_render_estimates_at_once_from_this_machines_last_speed(tmp_path):
    state = tmp_path / ".runthru"
    state.mkdir()
    text, clock = io.StringIO(), Clock()
    first = RenderProgress(Console(file=text, force_terminal=False, width=200), clock=clock, state_dir=state)
    first.start(100, work=1000)
    clock.now += 4.0  # the workers starting
    for _ in range(100):
        clock.now += 0.25  # 40 words a second
        first.advance(1, 3.0, 10)
    first.stop()
    assert (state / "render-rate.json").is_file()

    text, clock = io.StringIO(), Clock()
    second = RenderProgress(Console(file=text, force_terminal=False, width=200), clock=clock, state_dir=state)
    second.start(60, work=2400)  # before any take: 4 s to start, then 2400 words at 40 a second
    assert text.getvalue().splitlines() == ["rendering 60 takes: about 64 s at this machine's speed in its last builds"]
    clock.now += 2.0
    assert second.remaining_seconds() == 62.25  # the start measured to the first take: 4.25 s
    second.stop()


def test_a_build_remembers_its_speed_for_the_next_estimate(make_project, toy_engine):
    lines = "".join(f"AMY: Line number {i} of the scene.\nBEN: And the answer {i}.\n" for i in range(30))
    root = make_project({"scripts/t.md": f"# T\n\n## S\n\n{lines}",
                         "casts/t.toml": 'script = "../scripts/t.md"\nengine = "toy"\n'})
    (root / ".runthru").mkdir()
    (root / ".runthru" / "render-rate.json").write_text('{"work_per_s": 50.0, "start_s": 1.0}')
    proc = run_cli("build", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "rendering 60 takes: about 8 s at this machine's speed in its last builds" in proc.stderr


def test_a_render_says_up_front_how_long_it_will_take_at_each_engines_rate_here(tmp_path):
    """Found with Kokoro (8x Piper's time): the first word of a long render is the time expected at
    the engine's own rate, then at the rate the last build measured on this machine."""
    from runthru_build.engines import EngineSet
    from runthru_build.engines.base import TakeRequest
    from runthru_build.engines.kokoro import KokoroEngine
    from runthru_build.render import estimate_render, remember_engine_speed

    requests = [TakeRequest(f"{i:064x}", "Ten words in this line of the play, said Kate.",
                            {"engine": "kokoro", "voice": "af_heart"}) for i in range(100)]
    engines = EngineSet({}, state_dir=tmp_path)
    first = estimate_render(requests, engines, workers=2)
    assert round(first.seconds) == round(100 * 10.5 * KokoroEngine.seconds_per_word / 2)
    progress, text, _ = plain_progress()
    progress.start(100, 1050, first)
    assert text.getvalue().splitlines() == [
        "rendering 100 takes; about 2 min on this machine (kokoro: 0.230 s a word per worker, its own figure; "
        "2 workers); a measured estimate follows once the first are done"]
    remember_engine_speed(KokoroEngine, tmp_path, seconds=600.0, words=1000.0)  # a build measured 0.6 s a word
    measured = estimate_render(requests, engines, workers=2)
    assert round(measured.seconds) == 315 and "0.600 s a word per worker, measured here" in measured.text()
    state = tmp_path / "project-state"
    state.mkdir()
    (state / "render-rate.json").write_text('{"work_per_s": 400.0, "start_s": 1.0, "engines": "piper"}')
    text = io.StringIO()
    later = RenderProgress(Console(file=text, force_terminal=False, width=200), clock=Clock(), state_dir=state)
    later.start(100, 1050, measured)  # Piper's speed says nothing of Kokoro's
    assert text.getvalue().startswith("rendering 100 takes; about 5 min on this machine (kokoro: 0.600 s")
