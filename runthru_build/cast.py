"""Cast files (TOML): who plays whom, with which voice.

```toml
script = "../scripts/play.md"     # relative to this file
title = "Spring cast"             # optional
engine = "piper"                  # default engine of every role

[defaults]                        # applied to every role
speed = 1.0

[roles."NARRATOR 1"]
voice = "joe"                     # or a downloaded Piper voice: "en_GB-alba-medium"
pitch = -2.0
actor = "Kyle"

[roles.JULIET]
hint = "female, young"            # no voice named: the best installed match
```

Characters without a ``[roles.X]`` table get an automatic voice: distinct
from the other roles, and the same for the same character on every build.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .config import check_value, find_line, load_config, parse_toml, setting, validate
from .engines import DEFAULT_ENGINE, engine_class, engine_names
from .engines.base import EngineError
from .errors import RunThruError, RunThruErrors, read_text
from .script import Script
from .script.cues import name_key
from .voices import casting, catalogue, kokoro, store

VOICE_FILE_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".onnx")
KOKORO = "kokoro"


@dataclass(frozen=True)
class Voice:
    """Everything about a role's voice that changes its sound."""

    engine: str = setting(DEFAULT_ENGINE, "text-to-speech engine")
    voice: str | None = setting(None, "engine voice id, or a path to a voice/reference file")
    speaker: str | None = setting(None, "speaker name or id of a multi-speaker voice")
    pitch: float = setting(0.0, "pitch shift in semitones", min=-12.0, max=12.0)
    speed: float = setting(1.0, "speaking rate (1.0 = natural)", min=0.5, max=2.0)
    timbre: float = setting(0.0, "formant shift in semitones: negative = larger speaker", min=-6.0, max=6.0)
    noise_scale: float | None = setting(None, "Piper: phoneme variation", min=0.0, max=2.0)
    noise_w: float | None = setting(None, "Piper: phoneme length variation", min=0.0, max=2.0)
    emotion_strength: float = setting(1.0, "how strongly stage directions colour the voice", min=0.0, max=2.0)

    def settings(self) -> dict[str, Any]:
        """The voice as plain data, for cache keys and reports."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Role:
    name: str
    voice: Voice
    actor: str | None = None
    automatic: bool = False


@dataclass(frozen=True)
class _RoleTable(Voice):
    """A ``[roles.X]`` or ``[defaults]`` table: the voice plus who plays it."""

    actor: str | None = setting(None, "the actor's name, shown on the role chooser")
    hint: str | None = setting(None, 'the voice wanted when none is named, matched against the installed '
                                     'voices: "female, older"')


@dataclass
class Cast:
    path: str | None
    """How messages name the cast file; None for an automatic cast."""
    script_path: Path
    title: str | None = None
    engine: str = DEFAULT_ENGINE
    roles: dict[str, Role] = field(default_factory=dict)


# Distinct automatic voices: (pitch semitones, speed).  Pitch moves by
# resampling, so each reads as a different-sized speaker at almost no cost;
# timbre (Rubber Band, ~15% of synthesis) is left for casts to ask for.
AUTO_VOICES: tuple[tuple[float, float], ...] = (
    (0.0, 1.0), (-4.0, 0.94), (4.0, 1.06), (-2.0, 1.08), (2.5, 0.92), (-6.0, 0.9),
    (6.0, 1.08), (-1.0, 0.9), (1.0, 1.12), (-3.0, 1.12), (3.0, 0.9), (7.5, 1.0),
    (-7.5, 1.0), (5.0, 0.94), (-5.0, 1.06), (1.5, 1.0),
)


def _preferred_slot(name: str) -> int:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % len(AUTO_VOICES)


def automatic_voices(characters: list[str], taken: Iterable[Voice], base: Voice,
                     pool: list[casting.Candidate] | None = None, hints: dict[str, str] | None = None,
                     language: str | None = None) -> dict[str, Voice]:
    """Give each character a distinct voice.

    With voices installed (``pool``), every voice and speaker is used once at
    its natural pitch, the best match for a role's hint first, before any is
    pitched; with the built-in voice alone, each character gets its hashed
    palette slot, or the next free one.  Characters are placed in order of
    first appearance, so adding a character late in the script never changes
    the voice of an earlier one.  Kokoro roles get the best free installed Kokoro
    voice fitting their hint (the project's ``language`` accent first), pitched
    only once every voice is taken.
    """
    if base.engine == KOKORO and base.voice is None:
        kokoro_pool = casting.kokoro_candidates(language)
        if kokoro_pool:
            return casting.assign(characters, taken, base, kokoro_pool, hints or {}, AUTO_VOICES, casting.first_free)
    if pool and len(pool) > 1 and base.engine == DEFAULT_ENGINE and base.voice in (None, store.BUILTIN_VOICE) \
            and base.speaker is None:
        return casting.assign(characters, taken, base, pool, hints or {}, AUTO_VOICES, _preferred_slot)
    used = {(v.pitch, v.speed) for v in taken}
    out: dict[str, Voice] = {}
    for name in characters:
        slot = _preferred_slot(name)
        order = [AUTO_VOICES[(slot + step) % len(AUTO_VOICES)] for step in range(len(AUTO_VOICES))]
        wanted = casting.hint_words((hints or {}).get(name))
        fitting = [c for c in order if _fits(c, wanted)]
        candidate = next((c for c in fitting + order if c not in used), AUTO_VOICES[slot])
        used.add(candidate)
        pitch, speed = candidate
        out[name] = replace(base, pitch=base.pitch + pitch, speed=round(base.speed * speed, 3))
    return out


def _fits(variant: tuple[float, float], wanted: set[str]) -> bool:
    """Whether a pitch/speed variant of the built-in (male) voice suits a hint's words."""
    pitch, speed = variant
    if "female" in wanted and pitch < 4.0:
        return False
    if "male" in wanted and pitch > 1.0:
        return False
    if "young" in wanted and speed < 1.0:
        return False
    return not ("older" in wanted and (speed > 1.0 or ("female" not in wanted and pitch > 1.0)))


def script_hints(script: Script) -> dict[str, str]:
    """Casting hints the script itself gives (titles in names, cast-list descriptions)."""
    conv = script.conventions
    hints = {}
    for name in script.characters:
        listed = conv.cast.get(name_key(name)) if conv else None
        note = conv.cast_notes.get(listed, "") if conv and listed else ""
        hint = casting.inferred_hint(listed or name, note)
        if hint:
            hints[name] = hint
    return hints


def project_root_of(path: Path) -> Path:
    """The project folder of a cast or script file (``casts/x.toml``, ``scripts/x.md``)."""
    return path.resolve().parent.parent


def project_language(root: Path) -> str:
    """The project's ``language`` (runthru.toml), "" when unset or unreadable (its own errors come elsewhere)."""
    try:
        return load_config(root).language
    except RunThruError:
        return ""


def automatic_cast(script: Script, script_path: Path, engine: str = DEFAULT_ENGINE) -> Cast:
    cast = Cast(path=None, script_path=script_path, engine=engine)
    root = project_root_of(script_path)
    pool = casting.candidates(root)
    cast.roles = {
        name: Role(name=name, voice=voice, automatic=True)
        for name, voice in automatic_voices(script.characters, [], Voice(engine=engine), pool, script_hints(script),
                                            project_language(root)).items()
    }
    return cast


def read_cast_header(path: Path, shown: str) -> tuple[dict[str, Any], str, Path]:
    """Read a cast file far enough to know its script: (table, text, script path)."""
    text = read_text(path, shown)
    table = parse_toml(text, shown)
    script = table.get("script")
    if not isinstance(script, str) or not script:
        raise RunThruError('missing script = "path/to/script.md" (relative to this file)', path=shown,
                           line=find_line(text, "script"))
    return table, text, (path.parent / script).resolve()


def load_cast(path: Path, shown: str, script: Script, table: dict[str, Any], text: str, script_path: Path) -> Cast:
    """Validate a cast file's table against the script it names.  Every mistake in the file is
    found before any is reported: ``RunThruErrors`` holds them all, in line order."""
    errors: list[RunThruError] = []

    def attempt(check, *args, fallback=None, **kwargs):
        try:
            return check(*args, **kwargs)
        except RunThruErrors as exc:
            errors.extend(exc.errors)
        except RunThruError as exc:
            errors.append(exc)
        return fallback

    top_keys = {"script", "title", "engine", "defaults", "roles"}
    for key in table:
        if key not in top_keys:
            close = difflib.get_close_matches(key, sorted(top_keys), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(sorted(top_keys))})"
            errors.append(RunThruError(f"unknown key {key}{hint}", path=shown, line=find_line(text, key)))
    title = attempt(_optional_str, table, "title", shown, text)
    engine = attempt(_engine, table.get("engine", DEFAULT_ENGINE), "engine", shown, text, fallback=DEFAULT_ENGINE)
    defaults_table = attempt(_table, table, "defaults", shown, text, fallback={})
    defaults = validate(_RoleTable, _speaker_as_text(defaults_table), shown, text, prefix="defaults.",
                        errors=errors)
    base_actor = defaults.pop("actor", None)
    if defaults.pop("hint", None) is not None:
        errors.append(RunThruError("defaults.hint: a hint describes one role: put it in [roles.X]", path=shown,
                                   line=find_line(text, "hint")))
    base = Voice(**{"engine": engine, **defaults})
    base = attempt(_voice_file, base, "defaults", path, shown, text, find_line(text, "defaults") or 0,
                   fallback=replace(base, voice=None, speaker=None))
    roles_table = attempt(_table, table, "roles", shown, text, fallback={})

    characters = script.characters
    by_key = {name_key(c): c for c in characters}
    by_key.update({alias: target for alias, target in script.aliases.items()})
    explicit: dict[str, Role] = {}
    hints: dict[str, str] = {}
    hinted: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for raw_name, role_table in roles_table.items():
        where = f"roles.{_quote(raw_name)}"
        line = find_line(text, raw_name)
        name = by_key.get(name_key(raw_name))
        if name is None:
            close = difflib.get_close_matches(name_key(raw_name), list(by_key), n=1, cutoff=0.6)
            hint = f" (did you mean {by_key[close[0]]}?)" if close else ""
            errors.append(RunThruError(f"[{where}]: {raw_name!r} does not speak in {script.path}{hint}", path=shown,
                                       line=line))
            continue
        if not isinstance(role_table, dict):
            errors.append(RunThruError(f"{where} must be a table", path=shown, line=line))
            continue
        values = validate(_RoleTable, _speaker_as_text(role_table), shown, text, prefix=f"{where}.",
                          after=line or 0, errors=errors)
        actor = values.pop("actor", base_actor)
        hint = values.pop("hint", None)
        if hint is not None and "voice" not in values:  # cast automatically, by the hint
            hints[name], hinted[name] = hint, (actor, values)
            continue
        if "engine" in values and attempt(_engine, values["engine"], f"{where}.engine", shown, text) is None:
            continue
        voice = attempt(_voice_file, replace(base, **values), where, path, shown, text, line or 0)
        if voice is not None:
            explicit[name] = Role(name=name, voice=voice, actor=actor)
    if errors:
        raise RunThruErrors(errors)

    taken = [r.voice for r in explicit.values()]
    auto = automatic_voices([c for c in characters if c not in explicit], taken, base,
                            casting.candidates(project_root_of(path)), {**script_hints(script), **hints},
                            project_language(project_root_of(path)) if engine == KOKORO else None)
    roles = dict(explicit)
    for name in characters:
        if name not in explicit:
            actor, values = hinted.get(name, (base_actor, {}))  # a hinted role keeps its own speed, pitch…
            roles[name] = Role(name=name, voice=replace(auto[name], **values), actor=actor, automatic=True)
    roles = {name: roles[name] for name in characters}
    return Cast(path=shown, script_path=script_path, title=title, engine=engine, roles=roles)


def _speaker_as_text(table: dict[str, Any]) -> dict[str, Any]:
    """``speaker = 312`` is a speaker id: kept as text like a speaker's name."""
    speaker = table.get("speaker")
    return {**table, "speaker": str(speaker)} if isinstance(speaker, int) and not isinstance(speaker, bool) else table


def _quote(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else f'"{name}"'


def _table(table: dict[str, Any], key: str, shown: str, text: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise RunThruError(f"{key} must be a table ([{key}])", path=shown, line=find_line(text, key))
    return value


def _optional_str(table: dict[str, Any], key: str, shown: str, text: str) -> str | None:
    value = table.get(key)
    if value is not None:
        check_value(str, {}, value, key, shown, find_line(text, key))
    return value


def _engine(value: Any, key: str, shown: str, text: str) -> str:
    names = engine_names()
    check_value(str, {"choices": tuple(names)} if names else {}, value, key, shown, find_line(text, key.rsplit(".", 1)[-1]))
    return value


def _is_voice_path(voice: str) -> bool:
    return "/" in voice or "\\" in voice or voice.lower().endswith(VOICE_FILE_SUFFIXES)


def voice_path(voice: str, cast_path: Path) -> Path:
    """Where a voice file named in a cast lies: ``voices/…`` is the project's ``voices/``
    folder, whichever folder the cast is in; any other relative path is relative to the cast."""
    parts = Path(voice.replace("\\", "/")).parts
    if parts and parts[0] == store.PROJECT_VOICES:
        return project_root_of(cast_path) / Path(*parts)
    return cast_path.parent / voice


def _voice_file(voice: Voice, where: str, cast_path: Path, shown: str, text: str, after: int) -> Voice:
    """A voice naming a file: checked to exist, and made absolute (relative to the cast file);
    a Piper voice by name: found among the installed voices; then checked by its engine
    (a Piper voice's config, its speakers)."""
    if voice.engine == DEFAULT_ENGINE and store.is_voice_name(voice.voice):
        model = store.find_voice(voice.voice, project_root_of(cast_path))
        if model is None:
            hint = catalogue.missing_voice_hint(voice.voice, project_root_of(cast_path))
            raise RunThruError(f"{where}.voice: Piper voice {voice.voice!r} is not installed ({hint})", path=shown,
                               line=find_line(text, "voice", after))
        problem = store.speaker_problem(model, voice.speaker)
        if problem:
            raise RunThruError(f"{where}.speaker: {problem}", path=shown, line=find_line(text, "speaker", after))
        return replace(voice, voice=str(model))
    if voice.engine == KOKORO and voice.voice and kokoro.is_voice_name(voice.voice):
        if voice.voice not in kokoro.VOICES:
            raise RunThruError(f"{where}.voice: {kokoro.unknown_voice(voice.voice)}", path=shown,
                               line=find_line(text, "voice", after))
        found = kokoro.find_voice(voice.voice)
        if found is None:
            raise RunThruError(f"{where}.voice: Kokoro voice {voice.voice!r} is not installed "
                               f"(run: {kokoro.download_command()})", path=shown, line=find_line(text, "voice", after))
        voice = replace(voice, voice=str(found))  # resolved here: render workers may not share this environment
    if voice.voice and _is_voice_path(voice.voice):
        target = voice_path(voice.voice, cast_path)
        if not target.is_file():
            root = project_root_of(cast_path)
            looked = target.relative_to(root).as_posix() if target.is_relative_to(root) else target
            raise RunThruError(f"{where}.voice: voice file {voice.voice!r} not found (looked for {looked})",
                               path=shown, line=find_line(text, "voice", after))
        voice = replace(voice, voice=str(target.resolve()))
    try:
        engine_class(voice.engine).check_voice(voice.settings())
    except EngineError as exc:
        key = "speaker" if voice.speaker is not None and "speaker" in str(exc) else "voice"
        raise RunThruError(f"{where}.{key}: {exc}", path=shown, line=find_line(text, key, after)) from None
    return voice
