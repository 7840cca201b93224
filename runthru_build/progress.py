"""Render progress: a live bar on a terminal, plain lines elsewhere (CI, a pipe, a log).

Either way a long render first says how long it will take, estimated from the
number of takes and the speed measured on the first of them.
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
    TimeRemainingColumn,
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
        self._started = 0.0
        self._printed_at = 0.0
        self._printed_step = 0
        self._estimated = False
        self._progress: Progress | None = None
        self._task = None

    def start(self, total: int) -> None:
        self.total, self.done, self.audio = total, 0, 0.0
        self._started = self._printed_at = self.clock()
        self._printed_step = 0
        self._estimated = total < LONG_RENDER
        if total == 0:
            return
        if not self._estimated:
            self._say(f"rendering {total} takes; an estimate of the time follows once the first are done")
        if self.live:
            self._progress = Progress(
                TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("takes"),
                TaskProgressColumn(), TextColumn("{task.fields[audio]:.0f} s audio"),
                TextColumn("{task.fields[rate]:.1f} takes/s"), TimeRemainingColumn(),
                console=self.console, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("render", total=total, audio=0.0, rate=0.0)

    def advance(self, takes: int, seconds: float) -> None:
        self.done += takes
        self.audio += seconds
        now = self.clock()
        elapsed = now - self._started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if not self._estimated and elapsed >= WARM_UP_S and self.done >= 3 and rate > 0:
            self._estimated = True
            self._say(f"estimate: about {duration_text((self.total - self.done) / rate)} more for "
                      f"{self.total - self.done} takes ({rate:.1f} takes/s so far)")
        if self._progress is not None:
            self._progress.update(self._task, advance=takes, audio=self.audio, rate=rate)
            return
        step = int(self.done / self.total / PLAIN_STEP) if self.total else 0
        if self.total and (now - self._printed_at >= PLAIN_EVERY_S or step > self._printed_step
                           or self.done >= self.total):
            self._printed_at, self._printed_step = now, step
            eta = clock_text((self.total - self.done) / rate) if rate > 0 else "?"
            self._say(f"rendering: {self.done}/{self.total} takes ({self.done / self.total:.0%}), "
                      f"{self.audio / 60:.1f} audio min, {clock_text(elapsed)} elapsed, ETA {eta}")

    def _say(self, text: str) -> None:
        (self._progress.console if self._progress is not None else self.console).print(text, markup=False,
                                                                                        highlight=False)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
