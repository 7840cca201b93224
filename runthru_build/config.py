"""Project settings (``runthru.toml``): every setting, its default and its bounds
in one place, and a small validator shared with cast files.

A setting is a dataclass field; ``metadata`` may hold ``min``/``max`` bounds,
``choices`` and ``help``.  Unknown keys, wrong types and out-of-range values
are errors naming the file, the key and (where it can be found) the line.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from .errors import RunThruError, UnreadableInput, read_text

CONFIG_FILE = "runthru.toml"
STATE_DIR = ".runthru"
"""Project state RunThru keeps (cache, digests, signing key)."""
FIXED_SOURCE_FOLDERS = ("voices", "themes")

T = TypeVar("T")


def setting(default: Any, help: str = "", **bounds: Any) -> Any:
    """A settings field: its default, a help line, and optional min/max/choices."""
    meta = {"help": help, **bounds}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class AudioSettings:
    format: str = setting("mp3", "audio file format of the site", choices=("mp3", "opus"))
    bitrate_kbps: int = setting(48, "target bit rate of encoded takes", min=16, max=320)
    opus_sample_rate: int = setting(24000, "sample rate of Opus takes", choices=(24000, 48000))
    loudness_lufs: float = setting(-18.0, "every take is normalised to this loudness", min=-40.0, max=-6.0)
    trim_pad_ms: int = setting(120, "silence kept before and after each take", min=0, max=2000)


@dataclass(frozen=True)
class RenderSettings:
    workers: int = setting(0, "engine worker processes; 0 = one per CPU core (on Ray: per CPU or GPU "
                              "of the cluster)", min=0, max=256)
    backend: str = setting("local", "where engines run: local worker processes, or ray (a Ray cluster; "
                                    "needs pip install 'runthru-build[ray]')", choices=("local", "ray"))
    ray_address: str = setting("", "the Ray cluster for backend = \"ray\": auto (the running one), "
                                   "host:port, or empty to start one on this machine")
    ray_connect_timeout_s: float = setting(15.0, "how long to wait for the Ray cluster to answer",
                                           min=1.0, max=600.0)


@dataclass(frozen=True)
class SiteSettings:
    title: str = setting("", "site title on the production index (default: the productions' titles)")
    theme: str = setting("default", "theme name: themes/<name>/ in the project, else the packaged one")
    gap_ms: int = setting(350, "default pause between lines in the player", min=0, max=10000)


@dataclass(frozen=True)
class ServeSettings:
    host: str = setting("127.0.0.1", "address to serve on; anything but loopback needs a PIN")
    port: int = setting(8000, "port to serve on", min=1, max=65535)
    pin_hash: str | None = setting(None, "scrypt/PBKDF2 hash of the PIN (runthru-build pin-hash makes one)")
    tunnel_port: int = setting(0, "loopback port cloudflared connects to (0: any free one); a named tunnel's "
                                  "public hostname must point at http://127.0.0.1:THIS", min=0, max=65535)


@dataclass(frozen=True)
class Config:
    root: Path
    scripts: str = setting("scripts", "folder of play scripts (.md, .fountain)")
    casts: str = setting("casts", "folder of cast files (.toml)")
    build: str = setting("build", "output folder of the site")
    cache: str = setting(".runthru/cache", "content-addressed store of rendered takes")
    max_script_mb: float = setting(8.0, "largest script file read, in MB: a bigger one is refused in one line "
                                        "(a long play is 0.3 MB)", min=0.01, max=1024.0)
    language: str = setting("", "the plays' English, for automatic casting with accents: en-GB casts British "
                                "Kokoro voices first, en-US (or unset) American")
    audio: AudioSettings = field(default_factory=AudioSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``[engines.NAME]`` tables, validated by each engine."""

    @property
    def scripts_dir(self) -> Path:
        return self.root / self.scripts

    @property
    def casts_dir(self) -> Path:
        return self.root / self.casts

    @property
    def build_dir(self) -> Path:
        return self.root / Path(self.build).expanduser()  # "~/site" is the home folder's, never a folder named ~

    @property
    def cache_dir(self) -> Path:
        return self.root / Path(self.cache).expanduser()

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def source_dirs(self) -> list[Path]:
        """Folders of the user's own files, which no output of RunThru may replace."""
        return [self.scripts_dir, self.casts_dir, *(self.root / name for name in FIXED_SOURCE_FOLDERS)]

    def shown(self, path: Path) -> str:
        """A path as messages show it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


SECTIONS: dict[str, type] = {"audio": AudioSettings, "render": RenderSettings, "site": SiteSettings,
                             "serve": ServeSettings}


def load_config(root: Path) -> Config:
    root = root.resolve()
    path = root / CONFIG_FILE
    if not path.exists():
        return Config(root=root)
    shown = CONFIG_FILE
    text = read_text(path, shown)
    table = parse_toml(text, shown)
    sections = SECTIONS
    values: dict[str, Any] = {}
    top = {k: v for k, v in table.items() if k not in sections and k != "engines"}
    values.update(validate(Config, top, shown, text, skip=("root", *sections, "engines")))
    for name, cls in sections.items():
        sub = table.get(name, {})
        if not isinstance(sub, dict):
            raise RunThruError(f"[{name}] must be a table", path=shown, line=find_line(text, name))
        values[name] = cls(**validate(cls, sub, shown, text, prefix=f"{name}."))
    engines = table.get("engines", {})
    if not isinstance(engines, dict) or not all(isinstance(v, dict) for v in engines.values()):
        raise RunThruError("[engines.NAME] entries must be tables", path=shown, line=find_line(text, "engines"))
    values["engines"] = engines
    config = Config(root=root, **values)
    check_output_folders(config, text)
    return config


OUTPUT_USE = {"build": "replaces the build folder on every build",
              "cache": "deletes unused takes from the cache folder"}


def _holds(folder: Path, path: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved)."""
    return path == folder or folder in path.parents


def check_output_folders(config: Config, text: str = "") -> None:
    """``build`` is replaced on every build and ``cache`` is pruned: neither may be
    the project, hold it, or hold (or be) a folder of the user's files."""
    root = config.root.resolve()
    build, cache = config.build_dir.resolve(), config.cache_dir.resolve()
    sources = [root, *(p.resolve() for p in config.source_dirs())]

    def refuse(key: str, value: str, what: Path) -> RunThruError:
        named = "the project folder" if what == root else f"{config.shown(what)}/"
        held = "is" if what == (build if key == "build" else cache) else "holds"
        return RunThruError(f"{key} = {value!r} {held} {named}: RunThru {OUTPUT_USE[key]}, "
                            "so it needs a folder of its own", path=CONFIG_FILE, line=find_line(text, key))

    for source in [*sources, config.state_dir.resolve(), cache]:
        if _holds(build, source):
            raise refuse("build", config.build, source)
    for source in [*sources, build]:
        if _holds(cache, source):
            raise refuse("cache", config.cache, source)


def parse_toml(text: str, shown: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else None
        message = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", message)
        line, message = explain_toml_error(message, text, line)
        raise UnreadableInput(f"TOML syntax error: {message}", path=shown, line=line) from None


_KEY_VALUE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[\w.-]+)\s*=\s*(.*?)\s*$""")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]#]*?)\s*\]?\]?\s*(#.*)?$")


def _unclosed_quote(line: str) -> bool:
    """Whether a line leaves a basic ("…") or literal ('…') string open."""
    quote, i = None, 0
    while i < len(line):
        ch = line[i]
        if quote is None and ch == "#":
            return False
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        i += 1
    return quote is not None


def explain_toml_error(message: str, text: str, line: int | None) -> tuple[int | None, str]:
    """tomllib's message made human for the mistakes people make by hand (an unclosed quote, a
    comma decimal, a table name missing its ``]``, a key or table given twice): (line, message)."""
    lines = text.split("\n")
    here = lines[line - 1] if line and line <= len(lines) else ""
    if message.startswith(("Illegal character '\\n'", "Unterminated string", 'Expected "\'"')):
        number = line if line and _unclosed_quote(here) else next(
            (n for n, text_line in enumerate(lines, start=1) if _unclosed_quote(text_line)), line)
        if number:
            return number, (f"{lines[number - 1].strip()}: a string is not closed: end it with a quote on the "
                            "same line")
    if message.startswith("Expected newline or end of document after a statement"):
        kv = _KEY_VALUE.match(here)
        if kv and re.fullmatch(r"[+-]?\d+,\d+", kv.group(2).split("#")[0].strip()):
            value = kv.group(2).split("#")[0].strip()
            return line, (f"{kv.group(1)} = {value}: a decimal number takes a point, not a comma "
                          f"({kv.group(1)} = {value.replace(',', '.')})")
        if kv:
            return line, (f"{here.strip()}: one value per line, and text in quotes "
                          "(a comment starts with #)")
    if message.startswith("Expected ']' at the end of a table declaration"):
        table = _TABLE.match(here)
        name = table.group(1) if table else here.strip().lstrip("[")
        return line, f"[{name} is missing its closing ]: write [{name}]"
    if message.startswith("Cannot overwrite a value"):
        kv = _KEY_VALUE.match(here)
        if kv:
            key = kv.group(1)
            first = None
            for n in range(line - 1, 0, -1):  # back to the table's header
                if _TABLE.match(lines[n - 1]) and lines[n - 1].lstrip().startswith("["):
                    break
                if (m := _KEY_VALUE.match(lines[n - 1])) and m.group(1) == key:
                    first = n
                    break
            where = f" (first at line {first})" if first else ""
            return line, f"{key} is set twice in the same table{where}: keep one"
    declared = re.match(r"Cannot declare \((.*)\) twice", message)
    if declared:
        name = ".".join(part.strip().strip("'\"") for part in declared.group(1).split(","))
        first = next((n for n, text_line in enumerate(lines[: (line or 1) - 1], start=1)
                      if (t := _TABLE.match(text_line)) and t.group(1).replace('"', "").replace(" ", "")
                      == name.replace(" ", "")), None)
        shown = lines[first - 1].split("#")[0].strip() if first else f"[{name}]"
        return line, f"{shown} appears twice{f' (first at line {first})' if first else ''}: put its settings " \
                     "in one table"
    if message.startswith("Invalid value"):
        kv = _KEY_VALUE.match(here)
        if kv and re.fullmatch(r"[A-Za-z][\w .'-]*", kv.group(2)):
            return line, f'{kv.group(1)} = {kv.group(2)}: text needs quotes: {kv.group(1)} = "{kv.group(2)}"'
    return line, message


def find_line(text: str, key: str, after: int = 0) -> int | None:
    """Best-effort line of ``key = …`` (or a ``[table]`` naming it) at or after line ``after``."""
    bare = key.rsplit(".", 1)[-1].strip('"')
    pattern = re.compile(rf"^\s*(\[+[^\]]*{re.escape(bare)}\"?\]+|\"?{re.escape(bare)}\"?\s*=)")
    for number, line in enumerate(text.split("\n"), start=1):
        if number >= after and pattern.match(line):
            return number
    return None


def _type_name(tp: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(tp, str(tp))


def validate(
    cls: type[T], table: dict[str, Any], shown: str, text: str, *,
    prefix: str = "", skip: tuple[str, ...] = (), after: int = 0, errors: list[RunThruError] | None = None,
) -> dict[str, Any]:
    """Check ``table`` against the settings dataclass ``cls``; return keyword arguments.
    With ``errors``, every bad key is added to it (and left out) instead of raising the first."""
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name not in skip}
    out: dict[str, Any] = {}
    for key, value in table.items():
        line = find_line(text, key, after)
        try:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(sorted(known))})"
                raise RunThruError(f"unknown key {prefix}{key}{hint}", path=shown, line=line)
            out[key] = check_value(hints[key], known[key].metadata, value, f"{prefix}{key}", shown, line)
        except RunThruError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return out


def check_value(tp: Any, meta: Any, value: Any, key: str, shown: str, line: int | None) -> Any:
    optional = False
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional, tp = True, args[0]
    if optional and value is None:
        return None
    ok = isinstance(value, tp) and not (tp in (int, float) and isinstance(value, bool))
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise RunThruError(f"{key} must be {_type_name(tp)}, not {value!r}", path=shown, line=line)
    if tp is float and not math.isfinite(value):  # TOML allows nan and inf; no setting means them
        raise RunThruError(f"{key} must be a finite number, not {value}", path=shown, line=line)
    choices = meta.get("choices")
    if choices and value not in choices:
        raise RunThruError(f"{key} must be one of {', '.join(map(str, choices))}, not {value!r}", path=shown, line=line)
    low, high = meta.get("min"), meta.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise RunThruError(f"{key} = {value} is out of range ({low} to {high})", path=shown, line=line)
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def commented_config() -> str:
    """runthru.toml with every setting, its default and its help, all commented out."""
    out = ["# RunThru project settings. Every line is a default: uncomment to change it.", ""]

    def section(cls: type, skip: tuple[str, ...] = ()) -> None:
        for f in fields(cls):
            if f.name in skip or f.default is MISSING:
                continue
            default = "" if f.default is None else _toml_value(f.default)
            bounds = f.metadata.get("choices") or (
                (f.metadata["min"], f.metadata["max"]) if "min" in f.metadata else None)
            note = f.metadata.get("help", "")
            if isinstance(bounds, tuple) and "min" in f.metadata:
                note += f" ({bounds[0]} to {bounds[1]})"
            elif bounds:
                note += f" (one of: {', '.join(map(str, bounds))})"
            out.append(f"# {note}")
            out.append(f"# {f.name} = {default}" if default else f"# {f.name} =")

    section(Config, skip=("root",))
    for name, cls in SECTIONS.items():
        out += ["", f"# [{name}]"]
        section(cls)
    out += ["", "# Out-of-process engines (GPU), one table each:", "# [engines.indextts]",
            '# python = "/opt/indextts/.venv/bin/python"', '# model_dir = "/models/IndexTTS-2"']
    return "\n".join(out) + "\n"
