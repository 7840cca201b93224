"""The IndexTTS2 adapter against a stand-in with the real constructor and infer signatures."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import write_wav

from runthru_build.engines.base import EngineError, TakeRequest
from runthru_build.engines.indextts import EMOTION_ORDER, IndexTTSEngine, emotion_vector


def request(key: str, text: str, voice: str, emotion="neutral", intensity=0.0, strength=1.0, direction=""):
    return TakeRequest(key=key, text=text, voice={"engine": "indextts", "voice": voice, "emotion_strength": strength},
                       emotion=emotion, intensity=intensity, direction=direction, role="JULIET")


@pytest.fixture
def engine(standins, indextts_models, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    engine = IndexTTSEngine({"model_dir": str(indextts_models), "device": "cuda:0"}, tmp_path / "state")
    engine.load()
    return engine


def test_emotion_vector_order_and_scaling():
    assert EMOTION_ORDER == ("happy", "angry", "sad", "afraid", "disgusted", "melancholic", "surprised", "calm")
    assert emotion_vector("angry", 0.8, 1.0) == [0.0, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert emotion_vector("melancholic", 0.5, 0.5) == [0, 0, 0, 0, 0, 0.25, 0, 0]
    assert emotion_vector("shout", 1.0, 1.0) == [0, 0.7, 0, 0, 0, 0, 0.3, 0]
    assert emotion_vector("neutral", 0.9, 1.0) is None and emotion_vector("sad", 0.0, 1.0) is None


def test_constructor_and_infer_arguments(engine, standins, indextts_models, tmp_path):
    (init,) = standins("IndexTTS2")
    assert init["cfg_path"] == str(indextts_models / "config.yaml")
    assert init["model_dir"] == str(indextts_models)
    assert (init["device"], init["use_fp16"], init["use_cuda_kernel"]) == ("cuda:0", True, None)
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # auxiliary models come from model_dir/hf_cache only
    voice = str(write_wav(tmp_path / "voices" / "juliet.wav"))
    audio, rate = engine.synthesize(request("ab" * 32, "O Romeo, Romeo!", voice, "sad", 0.6, strength=0.5))
    (call,) = standins("infer")
    assert call["spk_audio_prompt"] == voice and call["text"] == "O Romeo, Romeo!" and call["output_path"] is None
    assert call["emo_vector"] == [0, 0, 0.3, 0, 0, 0, 0, 0] and call["emo_alpha"] == 1.0
    assert call["use_emo_text"] is False
    assert rate == 22050 and audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size == int(22050 * 0.3 * 3) and 0.3 < np.abs(audio).max() <= 1.0


def test_emotion_from_direction_text_when_configured(standins, indextts_models, tmp_path):
    engine = IndexTTSEngine({"model_dir": str(indextts_models), "use_emo_text": True})
    assert engine.reads_direction_text  # so the direction text is part of the key
    engine.load()
    voice = str(write_wav(tmp_path / "v.wav"))
    engine.synthesize(request("cd" * 32, "Go away!", voice, "angry", 0.7, strength=0.8, direction="bitterly, half to herself"))
    (call,) = standins("infer")
    assert (call["use_emo_text"], call["emo_text"], call["emo_alpha"]) == (True, "bitterly, half to herself", 0.8)
    assert call["emo_vector"] is None


def test_takes_are_grouped_by_speaker_prompt(engine, standins, tmp_path):
    a, b = str(write_wav(tmp_path / "a.wav")), str(write_wav(tmp_path / "b.wav", freq=220))
    batch = [request(f"{i:064x}", f"line {i}", v) for i, v in enumerate([a, b, a, b, a])]
    takes = list(engine.render(batch))
    assert sorted(t.key for t in takes) == sorted(r.key for r in batch) and all(t.error is None for t in takes)
    assert [c["spk_audio_prompt"] for c in standins("speaker_conditioning")] == [a, b]  # each voice prepared once


def test_same_key_same_audio(engine, tmp_path):
    voice = str(write_wav(tmp_path / "v.wav"))
    first, _ = engine.synthesize(request("12345678" * 8, "Hello there.", voice))
    again, _ = engine.synthesize(request("12345678" * 8, "Hello there.", voice))
    other, _ = engine.synthesize(request("87654321" * 8, "Hello there.", voice))
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_a_role_without_a_reference_recording_is_an_error(engine):
    take = next(engine.render([request("ef" * 32, "Hi.", None)]))
    assert "indextts clones a reference recording: give role JULIET" in take.error


def test_missing_files_are_listed_with_how_to_get_them(indextts_models):
    (indextts_models / "gpt.pth").unlink()
    import shutil

    shutil.rmtree(indextts_models / "hf_cache" / "models--amphion--MaskGCT")
    engine = IndexTTSEngine({"model_dir": str(indextts_models)})
    with pytest.raises(EngineError) as error:
        engine.load()
    message = str(error.value)
    assert "gpt.pth" in message and "amphion/MaskGCT" in message and "runthru-build voices download --engine indextts (IndexTeam/IndexTTS-2" in message
    assert engine.identity() == "indextts2 (model files missing)"


def test_identity_follows_checkpoint_content(indextts_models, tmp_path):
    engine = IndexTTSEngine({"model_dir": str(indextts_models)}, tmp_path / "state")
    before = engine.identity()
    assert before.startswith("indextts2 ") and before == engine.identity()
    (indextts_models / "gpt.pth").write_bytes(b"fine-tuned")
    assert IndexTTSEngine({"model_dir": str(indextts_models)}, tmp_path / "state").identity() != before
