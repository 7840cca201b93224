"""Render progress: a live bar on a terminal, plain lines elsewhere (CI, a pipe, a log).

Either way a long render first says how long it will take, estimated from the
work left (words, when the render says how many) at the speed measured so far:
takes differ a hundredfold in length and the longest go first, so counting
takes alone would overestimate by far.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
)

LONG_RENDER = 20
"""Takes from which a render announces itself and estimates its length."""
PLAIN_EVERY_S = 5.0
"""Without a terminal: a progress line at least this often..."""
PLAIN_STEP = 0.05
"""...or each time another 5% of the takes is done, whichever comes first."""
WARM_UP_S = 3.0
"""Measure this long (and at least a few takes) before estimating."""


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


class RenderProgress:
    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.live = console.is_terminal
        self.clock = clock
        self.audio = 0.0
        self.total = 0
        self.done = 0
        self.work_total = 0.0
        self.work_done = 0.0
        self._started = 0.0
        self._printed_at = 0.0
        self._printed_step = 0
        self._estimated = False
        self._progress: Progress | None = None
        self._task = None

    def start(self, total: int, work: float = 0, estimate=None) -> None:
        """``work``: the size of all takes together (words), when known; ``estimate``
        (``render.Estimate``): the time expected at each engine's rate on this machine."""
        self.total, self.done, self.audio = total, 0, 0.0
        self.work_total, self.work_done = work, 0.0
        self._started = self._printed_at = self.clock()
        self._printed_step = 0
        self._estimated = total < LONG_RENDER
        if total == 0:
            return
        if not self._estimated:
            expected = estimate.text() if estimate is not None else ""
            self._say(f"rendering {total} takes; " + (f"{expected}; " if expected else "")
                      + ("a measured estimate" if expected else "an estimate of the time")
                      + " follows once the first are done")
        if self.live:
            self._progress = Progress(
                TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("takes"),
                TaskProgressColumn(), TextColumn("{task.fields[audio]:.0f} s audio"),
                TextColumn("{task.fields[rate]:.1f} takes/s"), TextColumn("ETA {task.fields[eta]}"),
                console=self.console, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("render", total=total, audio=0.0, rate=0.0, eta="?")

    def remaining_seconds(self) -> float | None:
        """Time left at the speed so far: work left / work done per second (takes when work is unknown)."""
        elapsed = self.clock() - self._started
        done, total = (self.work_done, self.work_total) if self.work_total else (self.done, self.total)
        if elapsed <= 0 or done <= 0:
            return None
        return max(0, total - done) * elapsed / done

    def advance(self, takes: int, seconds: float, work: float = 0) -> None:
        """``work``: the size of the finished takes, in the unit of ``start``."""
        self.done += takes
        self.work_done += work
        self.audio += seconds
        now = self.clock()
        elapsed = now - self._started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        warmed_up = elapsed >= WARM_UP_S and self.done >= 3  # the first takes carry the workers' start
        left = self.remaining_seconds() if warmed_up or self.total < LONG_RENDER else None
        if not self._estimated and left is not None:
            self._estimated = True
            self._say(f"estimate: about {duration_text(left)} more for "
                      f"{self.total - self.done} takes ({rate:.1f} takes/s so far)")
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

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
