"""The engine worker protocol: length-prefixed frames over a pipe.

Every frame is a 4-byte big-endian length and that many bytes.  A message is
one JSON frame; a take's audio follows its header as one binary frame of
little-endian float32 PCM.  Standard library and numpy only: both ends of
the pipe import it, the worker under the engine's own interpreter.

parent -> worker   {"type": "render", "requests": [TakeRequest, ...]}
worker -> parent   {"type": "ready", "engine", "identity", "device", "gpu_memory_mb", "load_seconds", "word_timings"}
                   {"type": "failed", "message"}                     (could not load: exits 1)
                   {"type": "take", "key", "sample_rate", "samples", "seconds", "error", "words"} + PCM frame
                   {"type": "batch", "gpu_memory_mb", "seconds"}     (after the batch's takes)
EOF on the worker's stdin ends it cleanly (exit 0).
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

import numpy as np

_LENGTH = struct.Struct(">I")
MAX_FRAME = 1 << 31


class ProtocolError(Exception):
    pass


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def write_message(stream: BinaryIO, message: dict[str, Any], audio: np.ndarray | None = None) -> None:
    write_frame(stream, json.dumps(message).encode("utf-8"))
    if audio is not None:
        write_frame(stream, np.ascontiguousarray(audio, dtype="<f4").tobytes())
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame, or None at a clean end of stream."""
    header = stream.read(_LENGTH.size)
    if not header:
        return None
    if len(header) < _LENGTH.size:
        raise ProtocolError("stream ended inside a frame header")
    (length,) = _LENGTH.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes is too large")
    data = stream.read(length)
    if len(data) < length:
        raise ProtocolError("stream ended inside a frame")
    return data


def read_message(stream: BinaryIO) -> dict[str, Any] | None:
    frame = read_frame(stream)
    if frame is None:
        return None
    try:
        message = json.loads(frame)
    except ValueError as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(message, dict) or "type" not in message:
        raise ProtocolError("a message must be a JSON object with a type")
    return message


def read_audio(stream: BinaryIO) -> np.ndarray:
    frame = read_frame(stream)
    if frame is None:
        raise ProtocolError("stream ended before a take's audio")
    return np.frombuffer(frame, dtype="<f4").astype(np.float32)
