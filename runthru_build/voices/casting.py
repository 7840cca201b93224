"""Automatic casting over the voices a user has: every installed voice (and every
speaker of a multi-speaker voice) once at its natural pitch before any voice is
reused at another pitch, and a role's ``hint`` ("female, older") matched
against ``characteristics.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

from . import kokoro
from .store import BUILTIN_VOICE, InstalledVoice, installed_voices


@dataclass(frozen=True)
class Candidate:
    """One distinct voice to cast: a voice model, and a speaker of it where it has several."""

    voice: str
    """The voice as a cast names it: the built-in name, or an installed model's path."""
    name: str
    speaker: str | None = None

    @property
    def label(self) -> str:
        return self.name if self.speaker is None else f"{self.name} speaker {self.speaker}"


@cache
def characteristics() -> dict[str, dict]:
    text = (resources.files("runthru_build.voices") / "characteristics.toml").read_text(encoding="utf-8")
    return tomllib.loads(text).get("voices", {})


def traits(candidate: Candidate) -> set[str]:
    entry = characteristics().get(candidate.name, {})
    own = set(entry.get("traits", ()))
    if candidate.name in kokoro.VOICES:
        own |= kokoro.VOICES[candidate.name].traits
    if candidate.speaker is not None:
        own |= set((entry.get("speakers") or {}).get(candidate.speaker, {}).get("traits", ()))
    return own


def hint_words(hint: str | None) -> set[str]:
    return {w for w in re.split(r"[\s,;/]+", (hint or "").lower()) if w}


_FEMALE = {"mrs", "miss", "ms", "lady", "madame", "mme", "mlle", "mademoiselle", "dame", "queen", "princess",
           "duchess", "countess", "baroness", "marchioness", "empress", "sister", "mother", "aunt", "grandmother",
           "daughter", "wife", "widow", "niece", "girl", "woman", "maid", "maidservant", "housemaid", "bride",
           "actress", "mistress", "nun", "abbess", "goddess", "heroine", "landlady", "waitress", "stepmother",
           "signora", "señora", "frau", "fräulein"}
_MALE = {"mr", "sir", "lord", "king", "prince", "duke", "count", "earl", "baron", "viscount", "marquis", "emperor",
         "brother", "father", "uncle", "grandfather", "son", "husband", "widower", "nephew", "boy", "man",
         "gentleman", "butler", "footman", "priest", "friar", "monk", "god", "hero", "landlord", "waiter",
         "stepfather", "signor", "señor", "herr", "monsieur", "m"}
_YOUNG = {"young", "youth", "child", "boy", "girl", "maid", "lad", "lass", "youngest", "schoolboy", "schoolgirl"}
_OLDER = {"old", "elderly", "aged", "ancient", "grandmother", "grandfather", "widow", "widower", "veteran"}
_POSSESSOR = re.compile(r"(?:\b[A-Z][\w.]*\s+)*[A-Z][\w.]*['’]s\b")
_NUMBER_WORDS = {"ten": 10, "twelve": 12, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
                 "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                 "seventy": 70, "eighty": 80, "ninety": 90}
_AGE = re.compile(r"\b(?:aged?\s+)?(?P<n>\d{1,2}|[a-z]+)(?:-[a-z]+)?\s+(?:years?\s+old|years?\b)|"
                  r"\b(?:of|aged)\s+(?P<m>\d{1,2}|[a-z]+)(?:-[a-z]+)?\b", re.IGNORECASE)


def inferred_hint(name: str, note: str = "") -> str:
    """A casting hint from what the script says of a role: title words in its name
    (MRS. HALE, SIR ROBERT), kin and calling in its cast-list description ("his daughter,
    twenty-five years old"); "" when it says nothing.  Pronouns are not read: "his
    daughter" is about someone else's."""
    name_words = {w.strip(".,'’").casefold() for w in name.split()}
    note = _POSSESSOR.sub("", note)  # "Sir Robert Chiltern's Sister": the sister is the role
    words = [w.strip(".,;:'’()").casefold() for w in re.split(r"[\s,;]+", note.strip())]
    note_words = set(words)
    head = set(words[:4])  # the first words of a description say what the role is; later ones are often about others
    traits: list[str] = []
    for words in (name_words, head):
        if words & _FEMALE and not words & _MALE:
            traits.append("female")
            break
        if words & _MALE and not words & _FEMALE:
            traits.append("male")
            break
    age = None
    if m := _AGE.search(note):
        value = m.group("n") or m.group("m")
        age = int(value) if value.isdigit() else _NUMBER_WORDS.get(value.casefold())
    if (age is not None and age < 20) or (age is None and (name_words | note_words) & _YOUNG):
        traits.append("young")
    elif (age is not None and age >= 55) or (age is None and (name_words | note_words) & _OLDER):
        traits.append("older")
    return ", ".join(traits)


def candidates(project_root: Path | None) -> list[Candidate]:
    """The built-in voice, then the installed voices' speakers, round-robin: the
    first speaker of every voice before the second of any, so one voice with
    hundreds of speakers does not crowd out the others."""
    voices: list[InstalledVoice] = installed_voices(project_root)
    out = [Candidate(BUILTIN_VOICE, BUILTIN_VOICE)]
    rounds = max((v.num_speakers for v in voices), default=0)
    for i in range(rounds):
        for v in voices:
            if i < v.num_speakers:
                out.append(Candidate(str(v.model), v.name, v.speakers[i] if v.speakers else None))
    return out


def kokoro_candidates(language: str | None = None) -> list[Candidate]:
    """The installed Kokoro voices, the project's accent first, then best graded first."""
    installed = {v.name for v in kokoro.installed_voices()}
    return [Candidate(str(kokoro.voice_file(v.name)), v.name) for v in kokoro.by_preference(language)
            if v.name in installed]


def first_free(_name: str) -> int:
    """``assign``'s slot for voices ranked best first: the best free one."""
    return 0


def best_for_hint(hint: str | None, free: list[Candidate]) -> Candidate | None:
    """The free candidate sharing the most words with the hint; None when none shares any."""
    words = hint_words(hint)
    if not words:
        return None
    scored = [(len(words & traits(c)), -i, c) for i, c in enumerate(free)]
    score, _, best = max(scored, key=lambda t: t[:2], default=(0, 0, None))
    return best if score > 0 else None


def assign(characters: list[str], taken: Iterable, base, pool: list[Candidate], hints: dict[str, str],
           palette: tuple[tuple[float, float], ...], slot_of: Callable[[str], int]) -> dict:
    """Each character's voice (a ``cast.Voice`` made from ``base``): a free candidate at
    its natural pitch, hinted or hashed, then candidates at the palette's pitch/speed
    variants; roles already cast (``taken``) hold their slots."""
    def key(voice: str | None, speaker: str | None, variant: tuple[float, float]) -> tuple:
        return (voice or BUILTIN_VOICE, speaker, *variant)

    used = {key(v.voice, v.speaker, (v.pitch - base.pitch, round(v.speed / base.speed, 3))) for v in taken}
    out = {}
    for name in characters:
        slot = slot_of(name)
        pick, variant = pool[slot % len(pool)], palette[slot % len(palette)]  # when every slot is taken
        for layer in palette:  # palette[0] is the natural voice (0.0, 1.0)
            free = [c for c in pool if key(c.voice, c.speaker, layer) not in used]
            if free:
                pick = best_for_hint(hints.get(name), free) or free[slot % len(free)]
                variant = layer
                break
        used.add(key(pick.voice, pick.speaker, variant))
        out[name] = replace(base, voice=None if pick.voice == BUILTIN_VOICE else pick.voice, speaker=pick.speaker,
                            pitch=base.pitch + variant[0], speed=round(base.speed * variant[1], 3))
    return out


SPREAD_STEP = 2.0
"""Semitones between guessed pitches: one step up, one down, two up, two down..."""
SPREAD_REACH = 6.0
"""...up to this far from the voice's own pitch; then the same pitches again, a little quicker or slower."""
SPREAD_SPEEDS = (1.0, 1.08, 0.92, 1.16, 0.84)


def spread(names: list[str], base_pitch: float, base_speed: float,
           taken: Iterable[tuple[float, float]] = ()) -> dict[str, tuple[float, float]]:
    """(pitch, speed) for parts the script says nothing about, in the order given (leads
    first): the voice's own pitch, then alternately higher and lower by even steps, so no
    part is pushed to an extreme on a guess; ``taken`` (pitch, speed) pairs are skipped."""
    steps = int(SPREAD_REACH / SPREAD_STEP)
    offsets = [0.0] + [sign * SPREAD_STEP * k for k in range(1, steps + 1) for sign in (1, -1)]
    slots = [(base_pitch + offset, round(base_speed * speed, 3)) for speed in SPREAD_SPEEDS for offset in offsets]
    free = [slot for slot in slots if slot not in set(taken)] or slots
    return {name: free[i % len(free)] for i, name in enumerate(names)}


def describe_choice(voice: str | None, speaker: str | None) -> str:
    """One line about a cast voice, for the comment ``cast init`` writes above it."""
    from .store import describe, voice_licence

    kokoro_name = Path(voice).name.removesuffix(".bin") if voice else None
    if kokoro_name in kokoro.VOICES and (voice == kokoro_name or voice.endswith(".bin")):
        known = kokoro.VOICES[kokoro_name]
        return f"{kokoro_name}; {known.accent} {known.gender}, grade {known.grade}; licence {known.licence}"
    name, licence = voice_licence(voice)
    installed = describe(Path(voice)) if voice and voice.endswith(".onnx") else None
    parts = [name if speaker is None else f"{name}, speaker {speaker}"]
    if installed is not None:
        parts.append(f"{installed.language} {installed.quality}")
    else:
        parts.append("built in")
    found = sorted(traits(Candidate(voice or BUILTIN_VOICE, name, speaker)))
    if found:
        parts.append(" ".join(found))
    parts.append(f"licence {licence or 'unknown'}")
    return "; ".join(parts)
