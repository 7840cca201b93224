"""``runthru-build new`` and ``runthru-build cast init``: starting points to edit."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from importlib import resources
from pathlib import Path

from ..cast import Voice, automatic_cast, script_hints
from ..config import CONFIG_FILE, commented_config
from ..errors import RunThruError
from ..fsutil import write_atomic
from ..script import Script, load_script
from ..voices.casting import describe_choice, spread

EXAMPLE_SCRIPT = "first-scene.md"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def cast_toml(script: Script, script_ref: str, engine: str = "piper", script_path: Path | None = None) -> str:
    """A starter cast: every character, its line count, and a distinct automatic voice of ``engine``."""
    counts = {name: 0 for name in script.characters}
    for line in script.lines():
        for speaker in line.speakers:
            counts[speaker] += 1
    cast = automatic_cast(script, script_path or Path(script_ref), engine)
    hints = script_hints(script)
    base = Voice()
    voices = {name: role.voice for name, role in cast.roles.items()}
    kokoro = engine == "kokoro"  # a voice of its own for each part: no pitch to guess
    if not kokoro:
        voices = _guess_pitches(voices, counts, hints, base)
    guessed = [name for name in counts if name not in hints and not kokoro]
    out = [
        f"# Cast for {script.title}. Each role's voice is a starting point: change it, then run runthru-build.",
        "# pitch: semitones (a smaller or larger speaker); speed: 1.0 is natural;",
        "# timbre: semitones of formant shift (richer, slower to render); actor: shown on the role chooser.",
        *(["# voice: a Kokoro voice (runthru-build voices --engine kokoro lists them; a = American, b = British,",
            "# f/m = female/male); the comment above each role says what it is and its licence."]
          if kokoro else
          ["# voice: a Piper voice (runthru-build voices --available; voices download NAME); the comment above",
           "# each role says what it is and its licence."]),
        *(["# The script says nothing of how the parts marked 'pitch guessed' sound (no MRS., SIR, no cast",
            "# list): their pitches are spread evenly, alternately higher and lower than the voice's own,",
            "# leads nearest it. Set them to suit the actors."] if guessed else []),
        f"script = {_toml_string(script_ref)}",
        f"engine = {_toml_string(engine)}",
        "",
        "[defaults]",
        f"speed = {base.speed}",
    ]
    for name, count in counts.items():
        voice = voices[name]
        out += ["", f"[roles.{_toml_string(name)}]  # {count} line{'s' if count != 1 else ''}",
                f"# {describe_choice(voice.voice, voice.speaker)}"]
        if name in hints:
            out.append(f"# cast as {hints[name]}, from the script")
        elif not kokoro:
            out.append("# pitch guessed: the script gives no hint of this part's voice")
        if voice.voice:
            out.append(f"voice = {_toml_string(Path(voice.voice).name.removesuffix('.onnx').removesuffix('.bin'))}")
        if voice.speaker is not None:
            out.append(f"speaker = {voice.speaker if voice.speaker.isdigit() else _toml_string(voice.speaker)}")
        out += [f"pitch = {voice.pitch}", f"speed = {voice.speed}", '# actor = ""']
    return "\n".join(out) + "\n"


def _guess_pitches(voices: dict[str, Voice], counts: dict[str, int], hints: dict[str, str],
                   base: Voice) -> dict[str, Voice]:
    """Parts without a hint share out the pitches of their voice evenly (casting.spread), most
    lines first; hinted parts keep the pitch their hint chose."""
    by_voice: dict[tuple[str | None, str | None], list[str]] = {}
    for name in sorted(counts, key=lambda n: -counts[n]):
        by_voice.setdefault((voices[name].voice, voices[name].speaker), []).append(name)
    out = dict(voices)
    for names in by_voice.values():
        hinted = [(voices[n].pitch, voices[n].speed) for n in names if n in hints]
        for name, (pitch, speed) in spread([n for n in names if n not in hints], base.pitch, base.speed,
                                           hinted).items():
            out[name] = replace(voices[name], pitch=pitch, speed=speed)
    return out


def init_cast(script_path: Path, out: Path | None = None, force: bool = False, engine: str = "piper") -> Path:
    """Write ``casts/<script>.toml`` beside the project's scripts folder (or ``out``)."""
    script_path = script_path.resolve()
    script = load_script(script_path, str(script_path))
    if out is None:
        root = script_path.parent.parent if script_path.parent.name == "scripts" else script_path.parent
        out = root / "casts" / f"{script_path.stem}.toml"
    if out.exists() and not force:
        raise RunThruError("cast file already exists (use --force to replace it)", path=str(out))
    reference = Path(os.path.relpath(script_path, out.parent.resolve())).as_posix()
    write_atomic(out, cast_toml(script, reference, engine, script_path).encode("utf-8"), shared=True)
    return out


def new_project(path: Path) -> list[Path]:
    """A ready-to-build project: settings, an example script and its cast, a .gitignore."""
    if path.exists() and any(path.iterdir()):
        raise RunThruError("folder exists and is not empty; choose a new folder", path=str(path))
    scaffold = resources.files("runthru_build") / "scaffold"
    (path / "scripts").mkdir(parents=True, exist_ok=True)
    (path / "casts").mkdir()
    script = path / "scripts" / EXAMPLE_SCRIPT
    with resources.as_file(scaffold / "scripts" / EXAMPLE_SCRIPT) as source:
        shutil.copyfile(source, script)
    (path / CONFIG_FILE).write_text(commented_config(), encoding="utf-8")
    (path / ".gitignore").write_text((scaffold / "gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    cast = path / "casts" / init_cast(script).name  # as the folder was given, like the others
    return [path / CONFIG_FILE, script, cast, path / ".gitignore"]
