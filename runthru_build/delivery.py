"""Stage directions -> how a line is delivered (emotion + intensity).

The mapping is the table ``CUES`` below: add a word stem there and every
parser and engine picks it up.  Engines that read emotion from free text
(IndexTTS2's ``emo_text``) get the raw direction in ``Delivery.direction``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

EMOTIONS = (
    "neutral",
    "happy",
    "angry",
    "sad",
    "afraid",
    "surprised",
    "disgusted",
    "melancholic",
    "calm",
    "whisper",
    "shout",
)

# word stem -> (emotion, base intensity).  Stems match at the start of a word,
# so "angr" covers angry, angrily, angrier.
CUES: dict[str, tuple[str, float]] = {
    # happy
    "happ": ("happy", 0.6), "joy": ("happy", 0.7), "delight": ("happy", 0.7),
    "laugh": ("happy", 0.7), "giggl": ("happy", 0.6), "chuckl": ("happy", 0.4),
    "cheer": ("happy", 0.6), "smil": ("happy", 0.4), "excit": ("happy", 0.8),
    "gleeful": ("happy", 0.8), "elat": ("happy", 0.8), "merr": ("happy", 0.6),
    "warm": ("happy", 0.3), "teas": ("happy", 0.4), "playful": ("happy", 0.5),
    "enthusias": ("happy", 0.7), "proud": ("happy", 0.5),
    # angry
    "angr": ("angry", 0.7), "anger": ("angry", 0.7), "furi": ("angry", 0.9),
    "rag": ("angry", 0.9), "snap": ("angry", 0.6), "snarl": ("angry", 0.8),
    "irrit": ("angry", 0.5), "annoy": ("angry", 0.4), "exasperat": ("angry", 0.5),
    "indignan": ("angry", 0.6), "fierce": ("angry", 0.7), "threaten": ("angry", 0.7),
    "growl": ("angry", 0.7), "bitter": ("angry", 0.5), "defian": ("angry", 0.6),
    "sharp": ("angry", 0.5), "cold": ("angry", 0.3), "impatien": ("angry", 0.4),
    # sad
    "sad": ("sad", 0.6), "sorrow": ("sad", 0.7), "tear": ("sad", 0.7),
    "weep": ("sad", 0.8), "cry": ("sad", 0.8), "cries": ("sad", 0.8),
    "crying": ("sad", 0.8), "sob": ("sad", 0.9), "griev": ("sad", 0.8),
    "heartbroken": ("sad", 0.9), "mourn": ("sad", 0.7), "unhapp": ("sad", 0.6),
    "dejected": ("sad", 0.6), "sigh": ("sad", 0.3),
    # melancholic
    "melanchol": ("melancholic", 0.7), "wistful": ("melancholic", 0.5),
    "forlorn": ("melancholic", 0.6), "gloom": ("melancholic", 0.6),
    "resign": ("melancholic", 0.5), "nostalgic": ("melancholic", 0.5),
    "weary": ("melancholic", 0.4), "tired": ("melancholic", 0.3),
    # afraid
    "afraid": ("afraid", 0.7), "fear": ("afraid", 0.7), "frighten": ("afraid", 0.8),
    "terrif": ("afraid", 0.9), "scared": ("afraid", 0.7), "nervous": ("afraid", 0.5),
    "anxious": ("afraid", 0.5), "panic": ("afraid", 0.9), "trembl": ("afraid", 0.7),
    "worri": ("afraid", 0.4), "worry": ("afraid", 0.4), "horrif": ("afraid", 0.8),
    "shak": ("afraid", 0.6), "timid": ("afraid", 0.4), "hesitant": ("afraid", 0.3),
    # surprised
    "surpris": ("surprised", 0.7), "astonish": ("surprised", 0.8),
    "amaz": ("surprised", 0.7), "shock": ("surprised", 0.8), "startl": ("surprised", 0.7),
    "gasp": ("surprised", 0.7), "stunned": ("surprised", 0.8), "incredul": ("surprised", 0.6),
    "bewilder": ("surprised", 0.5), "puzzl": ("surprised", 0.3), "confus": ("surprised", 0.4),
    # disgusted
    "disgust": ("disgusted", 0.8), "revolt": ("disgusted", 0.8), "sneer": ("disgusted", 0.6),
    "contempt": ("disgusted", 0.7), "scorn": ("disgusted", 0.7), "sarcas": ("disgusted", 0.4),
    "mock": ("disgusted", 0.5), "dismissive": ("disgusted", 0.4), "grimac": ("disgusted", 0.5),
    # calm / soft
    "calm": ("calm", 0.6), "soft": ("calm", 0.5), "gentl": ("calm", 0.5),
    "tender": ("calm", 0.6), "quiet": ("calm", 0.5), "sooth": ("calm", 0.6),
    "reassur": ("calm", 0.5), "patient": ("calm", 0.4), "kind": ("calm", 0.4),
    "serene": ("calm", 0.7), "relax": ("calm", 0.5), "lovingly": ("calm", 0.6),
    # whisper
    "whisper": ("whisper", 0.8), "murmur": ("whisper", 0.6), "hush": ("whisper", 0.6),
    "under (?:her|his|their) breath": ("whisper", 0.7), "sotto voce": ("whisper", 0.7),
    "mutter": ("whisper", 0.5),
    # shout
    "shout": ("shout", 0.8), "yell": ("shout", 0.9), "scream": ("shout", 1.0),
    "bellow": ("shout", 0.9), "roar": ("shout", 0.9), "calling": ("shout", 0.5),
    "calls": ("shout", 0.5), "loud": ("shout", 0.6), "exclaim": ("shout", 0.6),
    "cries out": ("shout", 0.8), "bawl": ("shout", 0.8),
}

# words that scale the intensity of the cue that follows them
MODIFIERS: dict[str, float] = {
    "very": 1.3, "really": 1.3, "extremely": 1.5, "utterly": 1.5, "deeply": 1.3,
    "wildly": 1.4, "so": 1.2, "most": 1.3, "increasingly": 1.2,
    "slightly": 0.5, "somewhat": 0.6, "mildly": 0.5, "faintly": 0.5,
    "a little": 0.5, "a bit": 0.5, "half": 0.6, "almost": 0.7, "barely": 0.4,
}

_STEMS = sorted(CUES, key=len, reverse=True)
_CUE_RE = re.compile(r"\b(" + "|".join(_STEMS) + r")[\w']*", re.IGNORECASE)
_CUE_RE_LOWER = re.compile(_CUE_RE.pattern)  # the same stems, for text already in lower case
_MODIFIER_RE = re.compile(r"\b(" + "|".join(sorted(MODIFIERS, key=len, reverse=True)) + r")\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    """How a line is said.  ``emotion``/``intensity`` shape the sound; ``direction``
    is the raw text, kept for display and for engines that read emotion from text."""

    emotion: str = "neutral"
    intensity: float = 0.0
    direction: str = ""


NEUTRAL = Delivery()


@functools.cache
def _stem_of(match: str) -> str:
    low = match.lower()
    return next(stem for stem in _STEMS if re.match(stem, low))


def _find_cue(raw: str) -> re.Match[str] | None:
    """The first emotional word in ``raw``.  A case-blind search tries every stem at every word
    while folding case letter by letter; plain ASCII text is lowered once (keeping every
    position) and searched as it is, four times faster.  The match's text is in lower case."""
    if raw.isascii():
        return _CUE_RE_LOWER.search(raw.lower())
    return _CUE_RE.search(raw)


def delivery_from(directions: list[str] | tuple[str, ...]) -> Delivery:
    """The delivery the first emotional word of the directions asks for."""
    raw = "; ".join(d.strip() for d in directions if d.strip())
    if not raw:
        return NEUTRAL
    match = _find_cue(raw)
    if match is None:
        return Delivery(direction=raw)
    emotion, intensity = CUES[_stem_of(match.group(0))]
    modifier = _MODIFIER_RE.search(raw[: match.start()])
    if modifier:
        intensity *= MODIFIERS[modifier.group(1).lower()]
    intensity = round(min(1.0, max(0.05, intensity)), 2)
    return Delivery(emotion=emotion, intensity=intensity, direction=raw)


# Loudness is normalised per take, so a whisper or a shout keeps its level
# relative to ordinary speech through this gain (dB at intensity 1).
GAIN_DB: dict[str, float] = {"whisper": -7.0, "shout": 3.0, "calm": -1.5}


def gain_db(emotion: str, intensity: float) -> float:
    return round(GAIN_DB.get(emotion, 0.0) * intensity, 2)
