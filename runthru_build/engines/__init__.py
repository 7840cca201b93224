"""Engines are found by name through the ``runthru_build.engines`` entry-point group,
so a third-party package can add one without touching RunThru."""

from __future__ import annotations

import difflib
import os
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


ENV_OPTIONS = ("python", "model_dir", "device")


def environment_options(name: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """Engine options from the environment (``RUNTHRU_INDEXTTS_MODEL_DIR=…``): the
    container sets where its engines live; runthru.toml still wins."""
    environ = os.environ if environ is None else environ
    prefix = f"RUNTHRU_{name.upper()}_"
    return {key: environ[prefix + key.upper()] for key in ENV_OPTIONS if environ.get(prefix + key.upper())}


class EngineSet:
    """The engines of one build, created on first use with their ``[engines.NAME]`` options.

    Creating an engine is cheap; models load only in ``Engine.load()``.
    """

    def __init__(self, options: dict[str, dict] | None = None, state_dir=None) -> None:
        configured = options or {}
        self.options = {name: {**environment_options(name), **configured.get(name, {})}
                        for name in {*engine_names(), *configured}}
        self.state_dir = state_dir
        self._engines: dict[str, object] = {}

    def get(self, name: str):
        engine = self._engines.get(name)
        if engine is None:
            cls = engine_class(name)
            options = self.options.get(name, {})
            check_options(name, cls, options)
            engine = self._engines[name] = cls(options, self.state_dir)
        return engine


def check_options(name: str, cls: type, options: dict) -> None:
    """Unknown ``[engines.NAME]`` keys are errors, with a suggestion."""
    from ..errors import RunThruError

    known = ("python", *cls.option_names)
    for key in options:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
            raise RunThruError(f"unknown option engines.{name}.{key}{hint}", path="runthru.toml")
