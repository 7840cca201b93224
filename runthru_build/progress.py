"""The render progress bar: lines, audio seconds, rate and ETA (on a terminal only)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)


class RenderProgress:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = console.is_terminal
        self.audio = 0.0
        self._progress: Progress | None = None
        self._task = None

    def start(self, total: int) -> None:
        if not self.enabled or total == 0:
            return
        self._progress = Progress(
            TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("lines"),
            TaskProgressColumn(), TextColumn("{task.fields[audio]:.0f} s audio"),
            TextColumn("{task.fields[rate]:.1f} lines/s"), TimeRemainingColumn(),
            console=self.console, transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("render", total=total, audio=0.0, rate=0.0)

    def advance(self, takes: int, seconds: float) -> None:
        self.audio += seconds
        if self._progress is None:
            return
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = (task.completed + takes) / elapsed if elapsed > 0 else 0.0
        self._progress.update(self._task, advance=takes, audio=self.audio, rate=rate)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
