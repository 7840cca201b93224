"""The Chatterbox adapter against stand-ins with the real from_local/generate signatures."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import write_wav

from runthru_build.engines.base import EngineError, TakeRequest
from runthru_build.engines.chatterbox import (
    MAX_CHUNK_CHARS,
    ChatterboxEngine,
    exaggeration,
    split_text,
)


def request(text, voice="default", emotion="neutral", intensity=0.0, strength=1.0, key="ab" * 32):
    return TakeRequest(key=key, text=text, voice={"engine": "chatterbox", "voice": voice,
                                                  "emotion_strength": strength},
                       emotion=emotion, intensity=intensity, role="NURSE")


def test_split_text_keeps_sentences_whole_and_under_the_limit():
    text = " ".join(f"This is sentence number {i} of a long, long speech." for i in range(40))
    pieces = split_text(text)
    assert all(len(p) <= MAX_CHUNK_CHARS for p in pieces) and len(pieces) > 3
    assert " ".join(pieces) == text
    assert all(p.endswith(".") for p in pieces)
    runon = "word " * 200
    assert all(len(p) <= 100 for p in split_text(runon.strip(), 100))
    assert " ".join(split_text(runon.strip(), 100)) == runon.strip()


def test_exaggeration_follows_intensity():
    assert exaggeration("neutral", 0.0, 1.0) == 0.5
    assert exaggeration("angry", 1.0, 1.0) == 1.0 and exaggeration("angry", 0.4, 0.5) == 0.6
    assert exaggeration("whisper", 1.0, 1.0) == 0.25


def test_from_local_and_generate_arguments(standins, chatterbox_models, tmp_path):
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models), "device": "cuda", "cfg_weight": 0.3})
    engine.load()
    (load,) = standins("from_local")
    assert (load["ckpt_dir"], load["device"], load["variant"]) == (str(chatterbox_models), "cuda", "standard")
    voice = str(write_wav(tmp_path / "nurse.wav"))
    audio, rate = engine.synthesize(request("Madam! Madam!", voice, "shout", 0.8))
    (call,) = standins("generate")
    assert call == {"call": "generate", "text": "Madam! Madam!", "audio_prompt_path": voice, "exaggeration": 0.9,
                    "cfg_weight": 0.3, "temperature": 0.8}
    assert rate == 24000 and audio.ndim == 1 and audio.size == int(24000 * 0.35 * 2)


def test_long_speech_is_split_and_joined_with_pauses(standins, chatterbox_models):
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models)})
    engine.load()
    speech = " ".join(f"Sentence {i} goes on and on for a good while." for i in range(30))  # ~100 s of speech
    audio, rate = engine.synthesize(request(speech))
    calls = standins("generate")
    assert len(calls) > 1 and all(len(c["text"]) <= MAX_CHUNK_CHARS for c in calls)
    assert " ".join(c["text"] for c in calls) == speech
    spoken = sum(int(24000 * 0.35 * len(c["text"].split())) for c in calls)
    assert audio.size == spoken + int(24000 * 0.25) * (len(calls) - 1)  # nothing cut at 40 s
    assert audio.size / rate > 60


def test_turbo_variant(standins, chatterbox_models):
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models), "variant": "turbo"})
    engine.load()
    engine.synthesize(request("Anon, good nurse!", "default", "happy", 1.0))
    assert standins("from_local")[0]["variant"] == "turbo"
    call = standins("generate")[0]
    assert (call["exaggeration"], call["cfg_weight"], call["audio_prompt_path"]) == (0.0, 0.0, None)
    with pytest.raises(EngineError, match="variant must be one of"):
        ChatterboxEngine({"model_dir": str(chatterbox_models), "variant": "huge"})


def test_missing_weights_and_voice(standins, chatterbox_models, tmp_path):
    (chatterbox_models / "t3_cfg.safetensors").unlink()
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models)})
    with pytest.raises(EngineError, match=r"t3_cfg\.safetensors or .*t3\.pt.*runthru-build voices download --engine chatterbox "
                       r"\(from ResembleAI/chatterbox"):
        engine.load()
    (chatterbox_models / "t3.pt").write_bytes(b"older layout")
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models)})
    engine.load()
    take = next(engine.render([request("Hi.", str(tmp_path / "nope.wav"))]))
    assert "voice file" in take.error and "not found" in take.error


def test_same_key_same_audio(standins, chatterbox_models):
    engine = ChatterboxEngine({"model_dir": str(chatterbox_models)})
    engine.load()
    a, _ = engine.synthesize(request("Hello there.", key="11112222" * 8))
    b, _ = engine.synthesize(request("Hello there.", key="11112222" * 8))
    assert np.array_equal(a, b)
