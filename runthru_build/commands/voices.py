"""``runthru-build voices``: what each engine can speak with, the catalogue of
Piper voices, and downloads of voices and engine weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..cast import VOICE_FILE_SUFFIXES
from ..config import load_config
from ..engines import EngineSet, engine_names
from ..engines.base import EngineError
from ..errors import RunThruError
from ..voices import kokoro
from ..voices.catalogue import Catalogue, load_catalogue
from ..voices.download import Downloaded, download_voice, download_weights
from ..voices.store import (
    PROJECT_VOICES,
    InstalledVoice,
    installed_voices,
    user_voices_dir,
    voice_licence,
)

CLONING_SUFFIXES = tuple(s for s in VOICE_FILE_SUFFIXES if s != ".onnx")


@dataclass
class EngineVoices:
    name: str
    identity: str
    voices: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """Voice files in the project this engine can use (Piper .onnx models, reference recordings)."""
    installed: list[InstalledVoice] = field(default_factory=list)
    """Piper: voices downloaded into the project or the user's data folder."""
    licences: dict[str, str | None] = field(default_factory=dict)
    described: dict[str, str] = field(default_factory=dict)
    """What a voice is (Kokoro: accent, gender, grade); voices not here are built in."""
    problem: str | None = None


def list_voices(root: Path, engine: str | None = None) -> list[EngineVoices]:
    config = load_config(root)
    engines = EngineSet(config.engines, state_dir=config.root / ".runthru")
    names = [engine] if engine else engine_names()
    installed = installed_voices(config.root)
    models = {v.model.resolve() for v in installed}
    found = sorted(p for folder in ("voices", config.casts) for p in (config.root / folder).rglob("*")
                   if p.suffix.lower() in VOICE_FILE_SUFFIXES and p.resolve() not in models) \
        if config.root.exists() else []
    out = []
    for name in names:
        try:
            instance = engines.get(name)
            entry = EngineVoices(name, instance.identity(), list(instance.voices()))
        except Exception as exc:  # an engine that cannot describe itself says why
            out.append(EngineVoices(name, "", problem=str(exc)))
            continue
        wanted = {"piper": (".onnx",), kokoro.ENGINE: ()}.get(name, CLONING_SUFFIXES)
        entry.files = [config.shown(p) for p in found if p.suffix.lower() in wanted]
        if name == "piper":
            entry.installed = installed
            entry.licences = {voice: voice_licence(voice)[1] for voice in entry.voices}
        if name == kokoro.ENGINE:
            known = [kokoro.VOICES[v] for v in entry.voices]
            entry.licences = {v.name: v.licence for v in known}
            entry.described = {v.name: f"{v.accent} {v.gender}, grade {v.grade}" for v in known}
            if not known:
                entry.problem = f"no Kokoro voices yet (fetch all 28: {kokoro.download_command()})"
        missing = getattr(instance, "missing", None)
        if callable(missing) and missing():
            entry.problem = "model files missing: " + "; ".join(missing()) + \
                f" (fetch them: runthru-build voices download --engine {name})"
        out.append(entry)
    return out


def available(refresh: bool = False) -> Catalogue:
    return load_catalogue(refresh)


def voices_target(root: Path, into_project: bool) -> Path:
    return root.resolve() / PROJECT_VOICES if into_project else user_voices_dir()


def download_voices(names: list[str], root: Path, into_project: bool) -> list[Downloaded]:
    """Each named voice, in order; the first that fails stops the rest (those before it stay)."""
    catalogue = load_catalogue()
    target = voices_target(root, into_project)
    return [download_voice(name, target, catalogue) for name in names]


def download_engine_weights(name: str, root: Path) -> list[Path]:
    config = load_config(root)
    engine = EngineSet(config.engines, state_dir=config.root / ".runthru").get(name)
    try:
        sources = engine.downloads()
    except EngineError as exc:
        raise RunThruError(str(exc), path="runthru.toml") from None
    if not sources:
        raise RunThruError(f"engine {name!r} has nothing to download (Piper voices: voices download NAME)")
    placed: list[Path] = []
    for source in sources:
        placed += download_weights(source)
    return placed
