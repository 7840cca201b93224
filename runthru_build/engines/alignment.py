"""Word timings for engines that report none (IndexTTS2, Chatterbox): MMS forced
alignment of the take's audio to its text, in the engine's worker, on its device.

It uses torchaudio's ``MMS_FA`` bundle (a wav2vec 2.0 model trained on 1,100+
languages for alignment, CC-BY-NC 4.0) and runs only where the worker's
interpreter has torchaudio and the weights are already on disk: the file named by
``[engines.NAME] alignment_model``, else torch hub's cache, where torchaudio keeps
it once fetched.  It never downloads; without it the timings are estimated from
the text and marked so.

The model knows 26 Latin letters and the apostrophe.  Words are romanised first:
accents dropped, other scripts through ``uroman`` where it is installed; a word
with no letters but digits ("1,000") is the model's wildcard token ``*``; a word
with neither (a dash) is not spoken and gets no time of its own.

Standard library, numpy and (inside ``load``) torch and torchaudio only: this runs
under the engine's own interpreter.
"""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS_FILE = "model.pt"
"""What torchaudio names the MMS_FA checkpoint in torch hub's cache."""
STAR = "*"


def default_weights() -> Path | None:
    """Where torchaudio caches the MMS_FA weights (torch hub's ``checkpoints``)."""
    try:
        import torch
    except ImportError:
        return None
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


class ForcedAligner:
    """MMS_FA on one device: ``align(audio, rate, text)`` -> [start, end] of each word."""

    def __init__(self, model: Any, device: str, dictionary: dict[str, int], sample_rate: int,
                 romanise: Any = None) -> None:
        self.model = model
        self.device = device
        self.dictionary = dictionary
        self.sample_rate = sample_rate
        self.romanise = romanise

    @classmethod
    def load(cls, weights: Path | None, device: str) -> tuple[ForcedAligner | None, str]:
        """The aligner, or None and why there is none (a sentence for the build report)."""
        try:
            import torch
            from torchaudio.pipelines import MMS_FA
        except ImportError as exc:
            return None, f"torchaudio's MMS_FA is not importable in this engine's environment ({exc})"
        weights = weights or default_weights()
        if weights is None or not weights.is_file():
            return None, (f"no MMS forced-alignment weights at {weights}: set alignment_model to the "
                          "MMS_FA model.pt file, or place it there")
        try:
            model = MMS_FA.get_model(dl_kwargs={"model_dir": str(weights.parent), "file_name": weights.name,
                                                "progress": False})
            model = model.to(torch.device(device))
        except (RuntimeError, OSError, KeyError, ValueError) as exc:
            return None, f"{weights} is not the MMS_FA model ({type(exc).__name__}: {str(exc)[:120]})"
        return cls(model, device, MMS_FA.get_dict(), int(MMS_FA.sample_rate), _uroman()), \
            f"from MMS forced alignment on {device}"

    def tokens(self, words: list[str]) -> list[str]:
        """Each word as the model's letters ('' for a word that is not spoken)."""
        out = []
        for word in words:
            spelled = self._letters(word)
            if self.romanise is not None and any(c.isalpha() and c not in self.dictionary for c in spelled):
                spelled = self._letters(self.romanise(word))
            kept = "".join(c for c in spelled if c in self.dictionary and c not in ("-", STAR))
            out.append(kept or (STAR if any(c.isalnum() for c in word) else ""))
        return out

    @staticmethod
    def _letters(word: str) -> str:
        decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'").replace("‘", "'"))
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    def align(self, audio: np.ndarray, rate: int, text: str) -> list[list[float]] | None:
        """Seconds of each of ``text.split()``'s words in ``audio``; None when it cannot be
        aligned (nothing speakable, more letters than the audio has frames)."""
        import torch
        import torchaudio

        words = text.split()
        tokens = self.tokens(words)
        if not any(tokens):
            return None
        wave = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)).reshape(1, -1).to(self.device)
        if rate != self.sample_rate:
            wave = torchaudio.functional.resample(wave, rate, self.sample_rate)
        with torch.inference_mode():
            emission, _ = self.model(wave)
        seconds_per_frame = wave.size(1) / emission.size(1) / self.sample_rate
        return word_times(emission[0], [[self.dictionary[c] for c in t] for t in tokens], seconds_per_frame)


def word_times(emission: Any, tokens: list[list[int]], seconds_per_frame: float) -> list[list[float]] | None:
    """Forced alignment of ``tokens`` (per word; [] for a word not spoken) to ``emission``
    (frames × labels, log probabilities, blank = 0): [start, end] seconds per word."""
    import torch
    from torchaudio.functional import forced_align, merge_tokens

    flat = [t for word in tokens for t in word]
    repeats = sum(1 for a, b in itertools.pairwise(flat) if a == b)
    if len(flat) + repeats > emission.size(0):
        return None  # CTC needs a frame per letter (and a blank between doubled letters)
    targets = torch.tensor([flat], dtype=torch.int32, device=emission.device)
    labels, scores = forced_align(emission.unsqueeze(0), targets, blank=0)
    spans = merge_tokens(labels[0], scores[0].exp())
    out: list[list[float] | None] = []
    at = 0
    for word in tokens:
        if not word:
            out.append(None)
            continue
        first, last = spans[at], spans[at + len(word) - 1]
        out.append([first.start * seconds_per_frame, last.end * seconds_per_frame])
        at += len(word)
    return _fill_unspoken(out)


def _fill_unspoken(times: list[list[float] | None]) -> list[list[float]]:
    """A word that is not spoken (a dash) takes no time, at the end of the word before it."""
    filled: list[list[float]] = []
    following = next((t for t in times if t is not None), [0.0, 0.0])
    for t in times:
        if t is None:
            at = filled[-1][1] if filled else following[0]
            filled.append([at, at])
        else:
            filled.append([round(t[0], 4), round(t[1], 4)])
    return filled


def _uroman() -> Any:
    """uroman's romaniser where it is installed (for a Greek or Cyrillic play), else None;
    its tables load on first use (seconds), so Latin-script plays never pay for them."""
    try:
        import uroman
    except ImportError:
        return None
    romaniser: list[Any] = []

    def romanise(word: str) -> str:
        if not romaniser:
            romaniser.append(uroman.Uroman())
        return romaniser[0].romanize_string(word)

    return romanise
