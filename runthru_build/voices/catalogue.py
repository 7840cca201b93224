"""The catalogue of Piper voices: ``voices.json`` of the rhasspy/piper-voices
repository, each voice's licence read from its ``MODEL_CARD``.

``voices.json`` maps a voice key (``en_GB-alba-medium``) to its language,
quality, ``num_speakers``, ``speaker_id_map``, ``aliases`` and ``files``
(``{path: {size_bytes, md5_digest}}``).  The distilled list is cached in the
per-user cache folder after the first fetch, with the time it was made.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from ..errors import RunThruError
from ..fsutil import write_atomic
from .hub import fetch, shown_endpoint
from .store import APP_NAME, download_command, installed_voices, parse_licence

PIPER_VOICES_REPO = "rhasspy/piper-voices"
PIPER_VOICES_REVISION = "main"
CATALOGUE_FILE = "voices.json"
CACHED_LIST = "catalogue.json"


@dataclass(frozen=True)
class CatalogueVoice:
    name: str
    language: str
    quality: str
    num_speakers: int
    size_bytes: int
    licence: str | None
    files: dict[str, dict] = field(default_factory=dict)
    speakers: dict[str, int] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    @property
    def language_family(self) -> str:
        return self.language.split("_", 1)[0]


@dataclass
class Catalogue:
    voices: dict[str, CatalogueVoice]
    made_at: datetime
    source: str

    def get(self, name: str) -> CatalogueVoice:
        if name in self.voices:
            return self.voices[name]
        for voice in self.voices.values():
            if name in voice.aliases:
                return voice
        close = difflib.get_close_matches(name, list(self.voices), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else " (runthru-build voices --available --refresh lists the newest)"
        raise RunThruError(f"no Piper voice {name!r} in the catalogue{hint}")

    def for_language(self, lang: str | None) -> list[CatalogueVoice]:
        """Voices of a language family (``en``) or a locale (``en_GB``, ``en-GB``), by name."""
        want = (lang or "").replace("-", "_").lower()
        return sorted((v for v in self.voices.values()
                       if not want or want in (v.language.lower(), v.language_family.lower())),
                      key=lambda v: v.name)


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "piper-voices"


def parse_voices_json(data: dict, model_cards: dict[str, str]) -> dict[str, CatalogueVoice]:
    out = {}
    for key, entry in data.items():
        files = entry.get("files") or {}
        card = next((model_cards[p] for p in files if p.endswith("MODEL_CARD") and p in model_cards), "")
        out[key] = CatalogueVoice(
            name=key,
            language=(entry.get("language") or {}).get("code", ""),
            quality=entry.get("quality", ""),
            num_speakers=int(entry.get("num_speakers", 1) or 1),
            size_bytes=sum(int(f.get("size_bytes", 0)) for p, f in files.items() if p.endswith(".onnx")),
            licence=parse_licence(card) if card else None,
            files=files,
            speakers={str(k): int(v) for k, v in (entry.get("speaker_id_map") or {}).items()},
            aliases=tuple(entry.get("aliases") or ()),
        )
    return out


def load_catalogue(refresh: bool = False) -> Catalogue:
    """The cached catalogue, fetched (voices.json and every model card) when there is
    none yet or ``refresh`` asks."""
    cached = cache_dir() / CACHED_LIST
    if cached.is_file() and not refresh:
        table = json.loads(cached.read_text(encoding="utf-8"))
        voices = {v["name"]: CatalogueVoice(**{**v, "aliases": tuple(v["aliases"])}) for v in table["voices"]}
        return Catalogue(voices, datetime.fromisoformat(table["made_at"]), table["source"])
    folder = fetch(PIPER_VOICES_REPO, [CATALOGUE_FILE, "*/MODEL_CARD"], revision=PIPER_VOICES_REVISION,
                   local_dir=cache_dir() / "repo", what="voice catalogue")
    try:
        data = json.loads((folder / CATALOGUE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunThruError(f"voice catalogue from {shown_endpoint()} is not readable JSON: {exc}") from None
    cards = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
             for p in folder.rglob("MODEL_CARD")}
    catalogue = Catalogue(parse_voices_json(data, cards), datetime.now(UTC), shown_endpoint())
    write_atomic(cached, json.dumps({
        "made_at": catalogue.made_at.isoformat(), "source": catalogue.source,
        "voices": [asdict(v) for v in catalogue.voices.values()],
    }).encode("utf-8"))
    return catalogue



QUALITIES = ("x_low", "low", "medium", "high")
_VOICE_KEY = re.compile(r"^([a-z]{2,3}_[A-Z]{2})-([a-z0-9_]+)-([a-z_]+)$")


def cached_names() -> list[str]:
    """The catalogue's voice names if it was fetched before (never fetched here: builds are offline)."""
    try:
        table = json.loads((cache_dir() / CACHED_LIST).read_text(encoding="utf-8"))
        return [v["name"] for v in table["voices"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def missing_voice_hint(name: str, project_root: Path | None) -> str:
    """What to do about a Piper voice name that is not installed: the nearest installed or
    catalogue name for a misspelling ("did you mean en_GB-alba-medium?"), the download
    command for a real name; never the download of a typo."""
    installed = [v.name for v in installed_voices(project_root)]
    known = cached_names()
    if name in known:
        return f"run: {download_command(name)}"
    close = difflib.get_close_matches(name, installed + known, n=1, cutoff=0.8) or \
        [k for k in installed + known if k.split("-")[1:2] == [name.lower()]][:1]  # "alba": en_GB-alba-medium
    if close:
        fix = close[0]
        return f"did you mean {fix}?" + ("" if fix in installed else f" run: {download_command(fix)}")
    m = _VOICE_KEY.match(name)
    if m and m.group(3) not in QUALITIES:
        quality = difflib.get_close_matches(m.group(3), QUALITIES, n=1, cutoff=0.6)
        if quality:
            fix = f"{m.group(1)}-{m.group(2)}-{quality[0]}"
            return f"did you mean {fix}?" + ("" if fix in installed else f" run: {download_command(fix)}")
    if m and m.group(3) in QUALITIES:  # well formed: perhaps newer than the cached catalogue
        return f"run: {download_command(name)}"
    return "not a voice of the catalogue: runthru-build voices --available lists them (like en_GB-alba-medium)"
