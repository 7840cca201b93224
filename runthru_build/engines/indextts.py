"""IndexTTS2: emotion-aware voice cloning on an NVIDIA GPU, run out of process.

```toml
[engines.indextts]
python = "/opt/indextts/.venv/bin/python"   # the interpreter with indextts installed
model_dir = "/models/IndexTTS-2"           # config.yaml, gpt.pth, s2mel.pth, … and hf_cache/
device = "cuda:0"
use_emo_text = false                       # true: IndexTTS2 reads the stage direction itself
```

Each role names a reference recording (``voice = "voices/juliet.wav"``).  A
line's delivery becomes IndexTTS2's 8-value emotion vector, in its order
[happy, angry, sad, afraid, disgusted, melancholic, surprised, calm], scaled
by the line's intensity and the role's ``emotion_strength``.

IndexTTS2 caches the conditioning of the last speaker prompt only, so takes
are rendered grouped by reference voice.  It also fetches auxiliary models
(w2v-BERT features, the MaskGCT semantic codec, CAMPPlus, BigVGAN) from the
Hugging Face hub when it starts; here the worker runs with the hub offline
and those models read from ``model_dir/hf_cache`` — anything missing is an
error that lists it and how to fetch it, never a download behind your back.

Module level imports only the standard library and numpy: the parent process
computes identities and checks files without torch.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .base import CloningEngine, EngineError, TakeRequest, file_digest, seed_everything, take_seed

EMOTION_ORDER = ("happy", "angry", "sad", "afraid", "disgusted", "melancholic", "surprised", "calm")

# RunThru's emotions as IndexTTS2 vector weights at full intensity
VECTORS: dict[str, dict[str, float]] = {
    "happy": {"happy": 1.0},
    "angry": {"angry": 1.0},
    "sad": {"sad": 1.0},
    "afraid": {"afraid": 1.0},
    "disgusted": {"disgusted": 1.0},
    "melancholic": {"melancholic": 1.0},
    "surprised": {"surprised": 1.0},
    "calm": {"calm": 1.0},
    "whisper": {"calm": 0.7, "afraid": 0.3},
    "shout": {"angry": 0.7, "surprised": 0.3},
}

# what IndexTTS2's config.yaml names, with the defaults of the released checkpoints
CONFIG_FILES = {
    "gpt_checkpoint": "gpt.pth",
    "s2mel_checkpoint": "s2mel.pth",
    "w2v_stat": "wav2vec2bert_stats.pt",
    "emo_matrix": "feat2.pt",
    "spk_matrix": "feat1.pt",
    "qwen_emo_path": "qwen0.6bemo4-merge",
    "bpe_model": "bpe.model",
}
HUB_MODELS = {
    "facebook/w2v-bert-2.0": None,
    "amphion/MaskGCT": "semantic_codec/model.safetensors",
    "funasr/campplus": "campplus_cn_common.bin",
}
DEFAULT_VOCODER = "nvidia/bigvgan_v2_22khz_80band_256x"


def emotion_vector(emotion: str, intensity: float, strength: float) -> list[float] | None:
    """The 8 weights for a delivery, or None for a neutral line (the voice's own tone)."""
    weights = VECTORS.get(emotion)
    scale = max(0.0, intensity) * max(0.0, strength)
    if not weights or scale <= 0:
        return None
    return [round(min(1.0, weights.get(name, 0.0) * scale), 4) for name in EMOTION_ORDER]


def _config_values(config_text: str) -> dict[str, str]:
    """The few file names IndexTTS2's config.yaml sets (simple ``key: value`` lines)."""
    values = {}
    for key in (*CONFIG_FILES, "name"):
        m = re.search(rf"^\s*{key}\s*:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(#.*)?$", config_text, re.MULTILINE)
        if m:
            values[key] = m.group(1).strip()
    return values


def _hub_dir(cache: Path, repo: str) -> Path:
    return cache / f"models--{repo.replace('/', '--')}"


class IndexTTSEngine(CloningEngine):
    name = "indextts"
    option_names = (*CloningEngine.option_names, "cfg_path", "hf_cache", "use_fp16", "use_cuda_kernel",
                    "use_emo_text", "interval_silence", "max_text_tokens_per_segment")
    default_device = None  # IndexTTS2 picks cuda:0, xpu, mps or cpu itself

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        super().__init__(options, state_dir)
        self.use_emo_text = bool(self.options.get("use_emo_text", False))

    @property
    def reads_direction_text(self) -> bool:  # type: ignore[override]
        return self.use_emo_text

    # -- files ------------------------------------------------------------------
    @property
    def cfg_path(self) -> Path:
        return Path(self.options.get("cfg_path") or (self.model_dir / "config.yaml"))

    @property
    def hub_cache(self) -> Path:
        return Path(self.options.get("hf_cache") or (self.model_dir / "hf_cache"))

    def downloads(self) -> list[Any]:
        from ..voices.download import WeightSource

        sources = [WeightSource("IndexTeam/IndexTTS-2", None, local_dir=self.weights_folder())]
        sources += [WeightSource(repo, [file] if file else None, hub_cache=self.hub_cache)
                    for repo, file in {**HUB_MODELS, DEFAULT_VOCODER: None}.items()]
        return sources

    def checkpoint_files(self) -> list[Path]:
        values = _config_values(self.cfg_path.read_text(encoding="utf-8")) if self.cfg_path.is_file() else {}
        return [self.model_dir / values.get(key, default) for key, default in CONFIG_FILES.items()]

    def missing(self) -> list[str]:
        """Everything IndexTTS2 needs that is not on disk, with how to get it."""
        out = self.missing_folder()
        if out:
            return out
        if not self.cfg_path.is_file():
            out.append(f"{self.cfg_path}")
        out += [str(p) for p in self.checkpoint_files() if not p.exists()]
        vocoder = DEFAULT_VOCODER
        if self.cfg_path.is_file():
            vocoder = _config_values(self.cfg_path.read_text(encoding="utf-8")).get("name", DEFAULT_VOCODER)
        for repo in (*HUB_MODELS, vocoder):
            if not _hub_dir(self.hub_cache, repo).is_dir():
                out.append(f"{_hub_dir(self.hub_cache, repo)} (hub model {repo})")
        return out

    def missing_message(self, missing: list[str]) -> str:
        fetch = ("fetch them once, on a machine with network: runthru-build voices download --engine indextts "
                 f"(IndexTeam/IndexTTS-2 into {self.model_dir}; " + ", ".join([*HUB_MODELS, DEFAULT_VOCODER])
                 + f" into {self.hub_cache})")
        return "indextts: model files missing: " + "; ".join(missing) + f" — {fetch}"

    # -- contract -------------------------------------------------------------------
    def identity(self) -> str:
        if self.model_dir is None or self.missing():
            return "indextts2 (model files missing)"
        digests = [file_digest(self.cfg_path, self.state_dir)]
        digests += [file_digest(p, self.state_dir) for p in self.checkpoint_files() if p.is_file()]
        return "indextts2 " + ",".join(d[:16] for d in digests)

    def voices(self) -> list[str]:
        return []  # a clone of any reference recording: voice = "voices/name.wav"

    def load(self) -> None:
        missing = self.missing()
        if missing:
            raise EngineError(self.missing_message(missing))
        # indextts points HF_HUB_CACHE at ./checkpoints/hf_cache when imported: run it from a
        # folder where that path is our model's cache, with the hub offline.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ["HF_HUB_CACHE"] = str(self.hub_cache)
        workdir = Path(tempfile.mkdtemp(prefix="runthru-indextts-"))
        (workdir / "checkpoints").mkdir()
        (workdir / "checkpoints" / "hf_cache").symlink_to(self.hub_cache.resolve(), target_is_directory=True)
        os.chdir(workdir)
        from indextts.infer_v2 import IndexTTS2

        device = self.device
        use_fp16 = bool(self.options.get("use_fp16", device is None or str(device).startswith("cuda")))
        self.model = IndexTTS2(
            cfg_path=str(self.cfg_path), model_dir=str(self.model_dir), use_fp16=use_fp16,
            device=device, use_cuda_kernel=self.options.get("use_cuda_kernel"),
        )
        self.device = str(self.model.device)

    def infer_arguments(self, request: TakeRequest) -> dict[str, Any]:
        voice = request.voice.get("voice")
        if not voice or not os.path.isfile(voice):
            raise EngineError(f"indextts clones a reference recording: give role {request.role} "
                              f'voice = "voices/{request.role.lower()}.wav"')
        strength = float(request.voice.get("emotion_strength", 1.0))
        arguments: dict[str, Any] = {
            "spk_audio_prompt": voice, "text": request.text, "output_path": None,
            "interval_silence": int(self.options.get("interval_silence", 200)),
            "max_text_tokens_per_segment": int(self.options.get("max_text_tokens_per_segment", 120)),
            "verbose": False,
        }
        if self.use_emo_text and request.direction:
            arguments.update(use_emo_text=True, emo_text=request.direction, emo_alpha=min(1.0, strength))
        else:
            arguments.update(emo_vector=emotion_vector(request.emotion, request.intensity, strength), emo_alpha=1.0)
        return arguments

    def synthesize(self, request: TakeRequest) -> tuple[np.ndarray, int]:
        seed_everything(take_seed(request.key))
        result = self.model.infer(**self.infer_arguments(request))
        if result is None:
            raise EngineError("IndexTTS2 returned no audio")
        rate, pcm = result  # (22050, int16 array of shape (N, 1))
        return np.asarray(pcm).reshape(-1).astype(np.float32) / 32767.0, int(rate)

