"""``runthru-build new`` and ``runthru-build cast init``: starting points to edit."""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path

from ..cast import Voice, automatic_cast, script_hints
from ..config import CONFIG_FILE, commented_config
from ..errors import RunThruError
from ..fsutil import write_atomic
from ..script import Script, load_script
from ..voices.casting import describe_choice

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
    out = [
        f"# Cast for {script.title}. Each role's voice is a starting point: change it, then run runthru-build.",
        "# pitch: semitones (a smaller or larger speaker); speed: 1.0 is natural;",
        "# timbre: semitones of formant shift (richer, slower to render); actor: shown on the role chooser.",
        *(["# voice: a Kokoro voice (runthru-build voices --engine kokoro lists them; a = American, b = British,",
            "# f/m = female/male); the comment above each role says what it is and its licence."]
          if engine == "kokoro" else
          ["# voice: a Piper voice (runthru-build voices --available; voices download NAME); the comment above",
           "# each role says what it is and its licence."]),
        f"script = {_toml_string(script_ref)}",
        f"engine = {_toml_string(engine)}",
        "",
        "[defaults]",
        f"speed = {base.speed}",
    ]
    for name, count in counts.items():
        voice = cast.roles[name].voice
        out += ["", f"[roles.{_toml_string(name)}]  # {count} line{'s' if count != 1 else ''}",
                f"# {describe_choice(voice.voice, voice.speaker)}"]
        if name in hints:
            out.append(f"# cast as {hints[name]}, from the script")
        if voice.voice:
            out.append(f"voice = {_toml_string(Path(voice.voice).name.removesuffix('.onnx').removesuffix('.bin'))}")
        if voice.speaker is not None:
            out.append(f"speaker = {voice.speaker if voice.speaker.isdigit() else _toml_string(voice.speaker)}")
        out += [f"pitch = {voice.pitch}", f"speed = {voice.speed}", '# actor = ""']
    return "\n".join(out) + "\n"


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
    write_atomic(out, cast_toml(script, reference, engine, script_path).encode("utf-8"))
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
    cast = init_cast(script)
    return [path / CONFIG_FILE, script, cast, path / ".gitignore"]
