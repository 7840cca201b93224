"""Chatterbox (Resemble AI): fast voice cloning on an NVIDIA GPU, run out of process.

```toml
[engines.chatterbox]
python = "/opt/chatterbox/.venv/bin/python"
model_dir = "/models/chatterbox"    # ve, t3, s3gen weights and tokenizer (conds.pt: a built-in voice)
device = "cuda"
variant = "standard"                # or "turbo"
cfg_weight = 0.5
temperature = 0.8
```

The model loads with ``from_local`` (never ``from_pretrained``: nothing is
downloaded).  A line's intensity drives ``exaggeration`` (standard variant;
turbo ignores it).  Chatterbox stops near 40 s of audio, so a long speech is
split at sentence boundaries into pieces well under that, rendered one by
one and joined with short pauses.  Module level imports only the standard
library and numpy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .base import CloningEngine, EngineError, TakeRequest, file_digest, seed_everything, take_seed

MAX_CHUNK_CHARS = 300  # ~20 s of speech: far from the ~40 s limit
PAUSE_S = 0.25

# (any of these files) per weight, by variant
FILES = {
    "standard": (("ve.safetensors", "ve.pt"), ("t3_cfg.safetensors", "t3.pt"), ("s3gen.safetensors", "s3gen.pt"),
                 ("tokenizer.json",)),
    "turbo": (("ve.safetensors",), ("t3_turbo_v1.safetensors",), ("s3gen_meanflow.safetensors",),
              ("tokenizer.json", "vocab.json")),
}
CALM = ("calm", "whisper", "melancholic")

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—-])\s+")


def split_text(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Sentences packed into pieces of at most ``limit`` characters; an over-long
    sentence is cut at clause boundaries, then between words."""
    pieces: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(text) if s.strip()):
        parts = [sentence] if len(sentence) <= limit else _cut(sentence, limit)
        for part in parts:
            if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
                pieces[-1] += " " + part
            else:
                pieces.append(part)
    return pieces


def _cut(sentence: str, limit: int) -> list[str]:
    out: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        words = clause.split()
        while words:
            piece = ""
            while words and len(piece) + len(words[0]) + 1 <= limit:
                piece = f"{piece} {words.pop(0)}".strip()
            if not piece:  # a single word longer than the limit
                piece = words.pop(0)
            if out and len(out[-1]) + 1 + len(piece) <= limit:
                out[-1] += " " + piece
            else:
                out.append(piece)
    return out


def exaggeration(emotion: str, intensity: float, strength: float) -> float:
    """Chatterbox's expressiveness: 0.5 is its neutral read."""
    push = max(0.0, intensity) * max(0.0, strength)
    if emotion == "neutral" or push == 0:
        return 0.5
    if emotion in CALM:
        return round(max(0.25, 0.5 - 0.25 * push), 3)
    return round(min(1.5, 0.5 + 0.5 * push), 3)


def _to_numpy(wav: Any) -> np.ndarray:
    """Chatterbox returns a torch tensor of shape (1, N)."""
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    return np.asarray(wav, dtype=np.float32).reshape(-1)


class ChatterboxEngine(CloningEngine):
    name = "chatterbox"
    option_names = (*CloningEngine.option_names, "variant", "cfg_weight", "temperature", "max_chunk_chars")

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        super().__init__(options, state_dir)
        self.variant = self.options.get("variant", "standard")
        if self.variant not in FILES:
            raise EngineError(f"chatterbox variant must be one of {', '.join(FILES)}, not {self.variant!r}")

    def _present(self) -> list[Path]:
        return [next((self.model_dir / n for n in names if (self.model_dir / n).exists()), self.model_dir / names[0])
                for names in FILES[self.variant]]

    def missing(self) -> list[str]:
        folder = self.missing_folder()
        if folder:
            return folder
        return [" or ".join(str(self.model_dir / n) for n in names) for names in FILES[self.variant]
                if not any((self.model_dir / n).exists() for n in names)]

    def identity(self) -> str:
        if self.missing():
            return f"chatterbox-{self.variant} (model files missing)"
        digests = [file_digest(p, self.state_dir)[:16] for p in self._present()]
        return f"chatterbox-{self.variant} " + ",".join(digests)

    def voices(self) -> list[str]:
        builtin = self.model_dir is not None and (self.model_dir / "conds.pt").exists()
        return ["default"] if builtin else []

    def load(self) -> None:
        missing = self.missing()
        if missing:
            raise EngineError("chatterbox: model files missing: " + "; ".join(missing) + " — fetch them once, "
                              f"on a machine with network: runthru-build voices download --engine chatterbox "
                              f"(from {self._repo()} into {self.model_dir})")
        if self.variant == "turbo":
            from chatterbox.tts_turbo import ChatterboxTurboTTS as model_class
        else:
            from chatterbox.tts import ChatterboxTTS as model_class
        self.model = model_class.from_local(str(self.model_dir), self.device)

    def _repo(self) -> str:
        return "ResembleAI/chatterbox-turbo" if self.variant == "turbo" else "ResembleAI/chatterbox"

    def downloads(self) -> list[Any]:
        from ..voices.download import WeightSource

        patterns = [names[0] for names in FILES[self.variant]] + ["conds.pt"]
        return [WeightSource(self._repo(), patterns, local_dir=self.weights_folder())]

    def generate_arguments(self, request: TakeRequest) -> dict[str, Any]:
        voice = request.voice.get("voice")
        if voice in (None, "default"):
            if not self.voices():
                raise EngineError(f"chatterbox has no built-in voice here (no conds.pt): give role {request.role} "
                                  f'voice = "voices/{request.role.lower()}.wav"')
            prompt = None
        elif not Path(voice).is_file():
            raise EngineError(f"voice file {voice} not found")
        else:
            prompt = voice
        if self.variant == "turbo":  # turbo supports neither exaggeration nor CFG
            return {"audio_prompt_path": prompt, "exaggeration": 0.0, "cfg_weight": 0.0,
                    "temperature": float(self.options.get("temperature", 0.8))}
        strength = float(request.voice.get("emotion_strength", 1.0))
        return {"audio_prompt_path": prompt,
                "exaggeration": exaggeration(request.emotion, request.intensity, strength),
                "cfg_weight": float(self.options.get("cfg_weight", 0.5)),
                "temperature": float(self.options.get("temperature", 0.8))}

    def synthesize(self, request: TakeRequest) -> tuple[np.ndarray, int]:
        arguments = self.generate_arguments(request)
        seed_everything(take_seed(request.key))
        rate = int(self.model.sr)
        pause = np.zeros(int(rate * PAUSE_S), dtype=np.float32)
        pieces: list[np.ndarray] = []
        limit = int(self.options.get("max_chunk_chars", MAX_CHUNK_CHARS))
        for chunk in split_text(request.text, limit):
            if pieces:
                pieces.append(pause)
            pieces.append(_to_numpy(self.model.generate(chunk, **arguments)))
        if not pieces:
            raise EngineError("nothing to say")
        return np.concatenate(pieces), rate
