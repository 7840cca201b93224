# RunThru for a host with an NVIDIA GPU.
#
#   docker build -t runthru .
#   docker run --gpus all -p 8000:8000 -e RUNTHRU_PIN=2468 \
#       -v "$PWD":/project -v /srv/models:/models runthru
#
# One image, three Python environments, because the engines pin stacks that
# cannot share an interpreter: RunThru itself with Piper (CPU); IndexTTS2
# (torch 2.8, transformers 4.52, Python < 3.12, from its git repository);
# Chatterbox (torch 2.6, numpy < 2).  RunThru starts each GPU engine as a
# worker under that engine's own interpreter.  Weights are never downloaded at
# run time: they live on the /models volume (README: "GPU hosts").
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

ARG INDEXTTS_REF=main
ARG CHATTERBOX_VERSION=0.1.7
ARG CLOUDFLARED_VERSION=2026.11.0
ENV DEBIAN_FRONTEND=noninteractive \
    UV_PYTHON_INSTALL_DIR=/opt/python \
    PYTHONUNBUFFERED=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git git-lfs libsndfile1 ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && curl -fsSL -o /tmp/cloudflared.deb \
      "https://github.com/cloudflare/cloudflared/releases/download/${CLOUDFLARED_VERSION}/cloudflared-linux-amd64.deb" \
 && dpkg -i /tmp/cloudflared.deb && rm /tmp/cloudflared.deb

COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv

# IndexTTS2 in its own environment, from its repository
RUN git clone https://github.com/index-tts/index-tts.git /opt/index-tts \
 && cd /opt/index-tts && git checkout "${INDEXTTS_REF}" \
 && uv venv --python 3.11 /opt/indextts/.venv \
 && VIRTUAL_ENV=/opt/indextts/.venv uv pip install -e /opt/index-tts numpy uroman

# Chatterbox in its own environment
RUN uv venv --python 3.11 /opt/chatterbox/.venv \
 && VIRTUAL_ENV=/opt/chatterbox/.venv uv pip install "chatterbox-tts==${CHATTERBOX_VERSION}" "numpy<2" uroman

# RunThru with the embedded Piper voice
COPY pyproject.toml README.md /src/
COPY runthru_build /src/runthru_build
RUN uv venv --python 3.11 /opt/runthru/.venv \
 && VIRTUAL_ENV=/opt/runthru/.venv uv pip install /src \
 && ln -s /opt/runthru/.venv/bin/runthru-build /usr/local/bin/runthru-build

# Where the engines live; runthru.toml in the project can still override any of these.
ENV RUNTHRU_INDEXTTS_PYTHON=/opt/indextts/.venv/bin/python \
    RUNTHRU_INDEXTTS_MODEL_DIR=/models/IndexTTS-2 \
    RUNTHRU_INDEXTTS_DEVICE=cuda:0 \
    RUNTHRU_CHATTERBOX_PYTHON=/opt/chatterbox/.venv/bin/python \
    RUNTHRU_CHATTERBOX_MODEL_DIR=/models/chatterbox \
    RUNTHRU_CHATTERBOX_DEVICE=cuda \
    HF_HUB_OFFLINE=1

VOLUME ["/project", "/models"]
WORKDIR /project
EXPOSE 8000
# Listening beyond the container's loopback needs a PIN: pass -e RUNTHRU_PIN=…
CMD ["runthru-build", "serve", "--watch", "--host", "0.0.0.0", "--port", "8000"]
