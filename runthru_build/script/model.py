"""The script model every parser produces and every later stage reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ..delivery import Delivery


@dataclass(frozen=True, order=True)
class Source:
    """Where an element came from: shown as ``path:line`` in every message."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Part:
    """A run of a speech as written: spoken words or an inline stage direction.

    ``markdown`` keeps the author's emphasis for display; the site renders it
    with HTML disabled, so script text can never become markup.
    """

    kind: Literal["speech", "direction"]
    markdown: str


@dataclass(frozen=True)
class Line:
    """One speech: who says it, what is shown, what is spoken, and how."""

    speakers: tuple[str, ...]
    cue: str
    parts: tuple[Part, ...]
    spoken: str
    delivery: Delivery
    source: Source
    continued: bool = False

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(p.markdown for p in self.parts if p.kind == "direction")

    @property
    def words(self) -> int:
        return len(self.spoken.split())


@dataclass(frozen=True)
class Direction:
    """A stage direction standing on its own: shown, never spoken."""

    text: str
    source: Source


Element = Line | Direction


@dataclass
class Scene:
    title: str
    source: Source
    act: str | None = None
    elements: list[Element] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [e for e in self.elements if isinstance(e, Line)]

    @property
    def full_title(self) -> str:
        return f"{self.act} — {self.title}" if self.act else self.title


@dataclass
class Script:
    path: str
    title: str
    subtitle: str | None = None
    author: str | None = None
    front_matter: list[str] = field(default_factory=list)
    scenes: list[Scene] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    """Alternate cue name -> character (``JIMMY (JAMIE)`` makes JAMIE -> JIMMY)."""
    warnings: list[str] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    """Labels and end marks (``**Warm-up:**``, ``THE END``): neither spoken nor shown as directions."""
    back_matter: list[str] = field(default_factory=list)
    """What follows the end of the play (rights notes, errata): kept, never spoken."""
    doubts: list[tuple[float, Source, str]] = field(default_factory=list)
    """Guesses the parse made, each with how unsure it was (0-1) and why: ``check`` lists the worst."""
    conventions: Any = None
    """The census's decision (``census.Conventions``) for parsers that take one."""

    def lines(self) -> Iterator[Line]:
        for scene in self.scenes:
            yield from scene.lines

    @property
    def characters(self) -> list[str]:
        """Every speaking character, in order of first appearance."""
        seen: dict[str, None] = {}
        for line in self.lines():
            for speaker in line.speakers:
                seen.setdefault(speaker)
        return list(seen)
