"""Engines are found by name through the ``runthru_build.engines`` entry-point group,
so a third-party package can add one without touching RunThru."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

ENTRY_POINT_GROUP = "runthru_build.engines"
DEFAULT_ENGINE = "piper"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def engine_names() -> list[str]:
    return sorted(_entry_points())


def engine_spec(name: str) -> str:
    """``module:Class`` of an engine, for a worker that cannot read entry points."""
    return _entry_points()[name].value


def engine_class(name: str) -> type:
    """The engine class registered under ``name`` (imported only when asked for)."""
    try:
        return _entry_points()[name].load()
    except KeyError:
        raise KeyError(name) from None


class EngineSet:
    """The engines of one build, created on first use with their ``[engines.NAME]`` options.

    Creating an engine is cheap; models load only in ``Engine.load()``.
    """

    def __init__(self, options: dict[str, dict] | None = None, state_dir=None) -> None:
        self.options = options or {}
        self.state_dir = state_dir
        self._engines: dict[str, object] = {}

    def get(self, name: str):
        engine = self._engines.get(name)
        if engine is None:
            engine = self._engines[name] = engine_class(name)(self.options.get(name, {}), self.state_dir)
        return engine
