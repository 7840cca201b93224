"""Render progress: a live bar on a terminal, plain lines elsewhere (CI, a pipe, a log).

Either way a long render first says how long it will take, estimated from the
work left (words, when the render says how many): takes differ a hundredfold in
length and the longest go first, so counting takes alone would overestimate by
far.  The speed is the one this machine rendered at in the project's last builds
with the same engines (kept in ``.runthru/``), else each engine's own rate here
(``render.estimate_render``: Kokoro is 8x Piper), then the one measured from the first take on: the
seconds before it are the workers starting, which a rate over the whole time so
far would spread over every take left (a first estimate 5x too long).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
)

from .fsutil import write_atomic

LONG_RENDER = 20
"""Takes from which a render announces itself and estimates its length."""
PLAIN_EVERY_S = 5.0
"""Without a terminal: a progress line at least this often..."""
PLAIN_STEP = 0.05
"""...or each time another 5% of the takes is done, whichever comes first."""
WARM_UP_S = 3.0
"""Measure this long (and at least a few takes) after the first take before estimating."""
RATE_FILE = "render-rate.json"
"""In the state folder: the speed of the last render long enough to measure."""


@dataclass(frozen=True)
class MeasuredRate:
    """How fast this machine rendered a project: work (words) a second once the first take was
    done, and the seconds before it (the workers starting)."""

    work_per_s: float
    start_s: float
    engines: str = ""
    """The engines of that render (``kokoro,piper``): another engine's speed says nothing of these."""

    def seconds(self, work: float) -> float:
        return self.start_s + work / self.work_per_s


def load_rate(state_dir: Path | None) -> MeasuredRate | None:
    if state_dir is None:
        return None
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads((state_dir / RATE_FILE).read_text())
        rate = MeasuredRate(float(data["work_per_s"]), float(data["start_s"]), str(data.get("engines", "")))
        if rate.work_per_s > 0 and rate.start_s >= 0:
            return rate
    return None


def save_rate(state_dir: Path, rate: MeasuredRate) -> None:
    with contextlib.suppress(OSError):
        write_atomic(state_dir / RATE_FILE, json.dumps({"work_per_s": round(rate.work_per_s, 3),
                                                        "start_s": round(rate.start_s, 2),
                                                        "engines": rate.engines}).encode())


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


class RenderProgress:
    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic,
                 state_dir: Path | None = None) -> None:
        """``state_dir``: where the speed of this project's renders is remembered (``.runthru/``)."""
        self.console = console
        self.live = console.is_terminal
        self.clock = clock
        self.state_dir = state_dir
        self.audio = 0.0
        self.total = 0
        self.done = 0
        self.work_total = 0.0
        self.work_done = 0.0
        self.remembered: MeasuredRate | None = None
        self._engines: str | None = None
        self._started = 0.0
        self._first: tuple[float, int, float] | None = None
        """When the first take arrived, with the takes and work done then."""
        self._last_at = 0.0
        self._printed_at = 0.0
        self._printed_step = 0
        self._estimated = False
        self._progress: Progress | None = None
        self._task = None

    def start(self, total: int, work: float = 0, estimate=None) -> None:
        """``work``: the size of all takes together (words), when known; ``estimate``
        (``render.Estimate``): the time expected at each engine's own rate on this machine."""
        self.total, self.done, self.audio = total, 0, 0.0
        self.work_total, self.work_done = work, 0.0
        self._started = self._printed_at = self._last_at = self.clock()
        self._first = None
        self._printed_step = 0
        self._estimated = total < LONG_RENDER
        self._engines = ",".join(estimate.engines) if estimate is not None else None
        self.remembered = load_rate(self.state_dir) if work else None
        if self.remembered is not None and self._engines is not None and self.remembered.engines \
                and self.remembered.engines != self._engines:
            self.remembered = None
        expected = estimate.text() if estimate is not None else ""
        if total == 0:
            return
        if not self._estimated and self.remembered is not None:
            self._estimated = True
            self._say(f"rendering {total} takes: about {duration_text(self.remembered.seconds(work))} "
                      "at this machine's speed in its last builds")
        elif not self._estimated and expected:
            self._say(f"rendering {total} takes; {expected}; a measured estimate follows once the first are done")
        elif not self._estimated:
            self._say(f"rendering {total} takes; an estimate of the time follows once the first are done")
        if self.live:
            self._progress = Progress(
                TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("takes"),
                TaskProgressColumn(), TextColumn("{task.fields[audio]:.0f} s audio"),
                TextColumn("{task.fields[rate]:.1f} takes/s"), TextColumn("ETA {task.fields[eta]}"),
                console=self.console, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("render", total=total, audio=0.0, rate=0.0, eta="?")

    def _measured(self) -> tuple[float, float, float] | None:
        """(seconds, takes, work) since the first take arrived; None before a second one."""
        if self._first is None:
            return None
        at, takes, work = self._first
        return self.clock() - at, self.done - takes, self.work_done - work

    def warmed_up(self) -> bool:
        measured = self._measured()
        return measured is not None and measured[0] >= WARM_UP_S and measured[1] >= 3

    def remaining_seconds(self) -> float | None:
        """Time left: work left (takes when work is unknown) at the speed measured since the first
        take; before that is known, at this machine's remembered speed."""
        done, total = (self.work_done, self.work_total) if self.work_total else (self.done, self.total)
        left = max(0.0, total - done)
        measured = self._measured()
        if measured is not None and measured[0] > 0 and (measured[2] if self.work_total else measured[1]) > 0:
            seconds, takes, work = measured
            return left * seconds / (work if self.work_total else takes)
        if self.remembered is not None:
            start_left = 0.0 if self._first else max(0.0, self.remembered.start_s - (self.clock() - self._started))
            return start_left + left / self.remembered.work_per_s
        elapsed = self.clock() - self._started
        return left * elapsed / done if elapsed > 0 and done > 0 else None

    def advance(self, takes: int, seconds: float, work: float = 0) -> None:
        """``work``: the size of the finished takes, in the unit of ``start``."""
        self.done += takes
        self.work_done += work
        self.audio += seconds
        now = self._last_at = self.clock()
        if self._first is None:
            self._first = (now, self.done, self.work_done)
        elapsed = now - self._started
        measured = self._measured()
        rate = measured[1] / measured[0] if measured and measured[0] > 0 and measured[1] else \
            (self.done / elapsed if elapsed > 0 else 0.0)
        sure = self.warmed_up() or self.remembered is not None or self.total < LONG_RENDER
        left = self.remaining_seconds() if sure else None
        if not self._estimated and left is not None:
            self._estimated = True
            self._say(f"estimate: about {duration_text(left)} more for "
                      f"{self.total - self.done} takes ({rate:.1f} takes/s)")
        if self._progress is not None:
            self._progress.update(self._task, advance=takes, audio=self.audio, rate=rate,
                                  eta=clock_text(left) if left is not None else "?")
            return
        step = int(self.done / self.total / PLAIN_STEP) if self.total else 0
        if self.total and (now - self._printed_at >= PLAIN_EVERY_S or step > self._printed_step
                           or self.done >= self.total):
            self._printed_at, self._printed_step = now, step
            eta = clock_text(left) if left is not None else "?"
            self._say(f"rendering: {self.done}/{self.total} takes ({self.done / self.total:.0%}), "
                      f"{self.audio / 60:.1f} audio min, {clock_text(elapsed)} elapsed, ETA {eta}")

    def _say(self, text: str) -> None:
        (self._progress.console if self._progress is not None else self.console).print(text, markup=False,
                                                                                        highlight=False)

    def measured_rate(self) -> MeasuredRate | None:
        """This render's speed, once enough of it was seen to trust (words known, warmed up)."""
        if self._first is None or not self.work_total:
            return None
        at, takes, work = self._first
        seconds, work_after = self._last_at - at, self.work_done - work
        if seconds < WARM_UP_S or self.done - takes < 3 or work_after <= 0:
            return None
        return MeasuredRate(work_after / seconds, at - self._started, self._engines or "")

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        rate = self.measured_rate()
        if rate is not None and self.state_dir is not None and self.state_dir.is_dir():
            save_rate(self.state_dir, rate)
