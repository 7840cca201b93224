"""``runthru-build voices``: what each engine can speak with."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..cast import VOICE_FILE_SUFFIXES
from ..config import load_config
from ..engines import EngineSet, engine_names

CLONING_SUFFIXES = tuple(s for s in VOICE_FILE_SUFFIXES if s != ".onnx")


@dataclass
class EngineVoices:
    name: str
    identity: str
    voices: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """Voice files in the project this engine can use (Piper .onnx models, reference recordings)."""
    problem: str | None = None


def list_voices(root: Path, engine: str | None = None) -> list[EngineVoices]:
    config = load_config(root)
    engines = EngineSet(config.engines, state_dir=config.root / ".runthru")
    names = [engine] if engine else engine_names()
    found = sorted(p for folder in ("voices", config.casts) for p in (config.root / folder).rglob("*")
                   if p.suffix.lower() in VOICE_FILE_SUFFIXES) if config.root.exists() else []
    out = []
    for name in names:
        try:
            instance = engines.get(name)
            entry = EngineVoices(name, instance.identity(), list(instance.voices()))
        except Exception as exc:  # an engine that cannot describe itself says why
            out.append(EngineVoices(name, "", problem=str(exc)))
            continue
        wanted = (".onnx",) if name == "piper" else CLONING_SUFFIXES
        entry.files = [config.shown(p) for p in found if p.suffix.lower() in wanted]
        missing = getattr(instance, "missing", None)
        if callable(missing) and missing():
            entry.problem = "model files missing: " + "; ".join(missing())
        out.append(entry)
    return out
