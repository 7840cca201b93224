"""The plan stage: every spoken line -> the take(s) it needs, each with a key.

A key is a sha256 over everything that changes the sound and nothing else:
engine name and identity, the voice (settings, and a voice file's content
hash rather than its path), the normalised spoken text, the delivery as the
engine hears it, and the post-processing and output format.  So a reworded
stage direction that maps to the same emotion, a renamed scene or added
emphasis re-renders nothing; a changed word re-renders exactly that line.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from .audio import PostSettings
from .config import Config
from .engines import EngineSet
from .engines.base import TakeRequest
from .project import Production
from .script import Line

PIPELINE_VERSION = 1
"""Bump when post-processing changes the sound, so every take re-renders."""

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalize_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())


def post_settings(config: Config) -> PostSettings:
    a = config.audio
    return PostSettings(format=a.format, bitrate_kbps=a.bitrate_kbps, opus_sample_rate=a.opus_sample_rate,
                        loudness_lufs=a.loudness_lufs, trim_pad_ms=a.trim_pad_ms)


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LineAudio:
    """The audio of one line: one take, or a mix of takes for a group line."""

    line: Line
    key: str
    parts: tuple[str, ...]

    @property
    def is_mix(self) -> bool:
        return len(self.parts) > 1


@dataclass
class Plan:
    production: Production
    post: PostSettings
    lines: list[LineAudio] = field(default_factory=list)
    takes: dict[str, TakeRequest] = field(default_factory=dict)
    """Single-voice takes by key, in script order."""

    @property
    def mixes(self) -> dict[str, tuple[str, ...]]:
        return {la.key: la.parts for la in self.lines if la.is_mix}

    def keys(self) -> set[str]:
        return set(self.takes) | set(self.mixes)


class _Identities:
    """Engine and voice identities, computed once per plan (they may hash model files)."""

    def __init__(self, engines: EngineSet) -> None:
        self.engines = engines
        self._engine: dict[str, str] = {}
        self._voice: dict[tuple[str, str | None], str] = {}

    def engine(self, name: str) -> str:
        if name not in self._engine:
            self._engine[name] = self.engines.get(name).identity()
        return self._engine[name]

    def voice(self, voice: dict[str, Any]) -> str:
        ident = (voice["engine"], voice.get("voice"))
        if ident not in self._voice:
            self._voice[ident] = self.engines.get(voice["engine"]).voice_identity(voice)
        return self._voice[ident]


def take_key(identities: _Identities, voice: dict[str, Any], text: str, emotion: str, intensity: float,
             direction: str, post: PostSettings) -> str:
    engine = identities.engines.get(voice["engine"])
    heard_voice = {k: v for k, v in voice.items() if k not in ("engine", "voice")}
    delivery: dict[str, Any] = {"emotion": emotion, "intensity": intensity}
    if engine.reads_direction_text:
        delivery["direction"] = direction
    return _digest({
        "pipeline": PIPELINE_VERSION,
        "engine": engine.name,
        "identity": identities.engine(engine.name),
        "voice": {**heard_voice, "id": identities.voice(voice)},
        "text": normalize_text(text),
        "delivery": delivery,
        "post": asdict(post),
    })


def mix_key(parts: tuple[str, ...]) -> str:
    return _digest({"mix": sorted(parts)})


def plan_production(production: Production, config: Config, engines: EngineSet) -> Plan:
    post = post_settings(config)
    plan = Plan(production=production, post=post)
    identities = _Identities(engines)
    for line in production.script.lines():
        parts = []
        for speaker in line.speakers:
            voice = production.cast.roles[speaker].voice.settings()
            d = line.delivery
            key = take_key(identities, voice, line.spoken, d.emotion, d.intensity, d.direction, post)
            if key not in plan.takes:
                plan.takes[key] = TakeRequest(
                    key=key, text=normalize_text(line.spoken), voice=voice, emotion=d.emotion,
                    intensity=d.intensity, direction=d.direction, source=str(line.source), role=speaker,
                )
            parts.append(key)
        unique = tuple(dict.fromkeys(parts))
        plan.lines.append(LineAudio(line=line, key=unique[0] if len(unique) == 1 else mix_key(unique), parts=unique))
    return plan
