"""WAV sources: every common format converted to 16 kHz mono int16, others refused clearly."""

from __future__ import annotations

import struct
import wave

import numpy as np
import pytest

from voicecoach.adapters.audio_source import AudioSource, WavFileSource, read_wav
from voicecoach.errors import VoicecoachError


def _tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.sin(2 * np.pi * 440 * t)


def _write(path, data: bytes, rate: int, channels: int, width: int):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


@pytest.mark.parametrize(("rate", "channels", "width"), [
    (16000, 1, 2), (44100, 2, 2), (8000, 1, 1), (48000, 2, 3), (22050, 1, 4), (11025, 6, 2),
])
def test_formats_are_converted(tmp_path, rate, channels, width):
    x = _tone(rate) * 0.5
    frames = np.repeat(x[:, None], channels, axis=1)
    if width == 1:
        data = (frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        ints = (frames * (2**23 - 1)).astype("<i4")
        data = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints.ravel())
    else:
        data = (frames * (2 ** (8 * width - 1) - 1)).astype(f"<i{width}").tobytes()
    out = read_wav(_write(tmp_path / "x.wav", data, rate, channels, width))
    assert out.dtype == np.int16 and out.ndim == 1
    assert abs(len(out) - 8000) <= 2
    peak = np.abs(out[200:-200]).max()
    assert 0.4 * 32768 < peak < 0.6 * 32768  # level preserved within the conversion


def test_float_wav_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "float.wav"
    body = np.zeros(100, "<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt "
                     + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(body)) + body)
    with pytest.raises(VoicecoachError, match="sox"):
        read_wav(path)


def test_not_a_wav_and_missing_file(tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_text("hello")
    with pytest.raises(VoicecoachError, match="not a PCM WAV"):
        read_wav(junk)
    with pytest.raises(VoicecoachError, match="no such file"):
        read_wav(tmp_path / "none.wav")


def test_file_source_chunks_carry_audio_time(tmp_path):
    x = (_tone(16000, 1.0) * 1000).astype("<i2")
    src = WavFileSource(_write(tmp_path / "a.wav", x.tobytes(), 16000, 1, 2))
    assert isinstance(src, AudioSource)
    chunks = list(src.chunks())
    assert len(chunks) == 20 and [c.time for c in chunks[:3]] == [0.0, 0.05, 0.1]
    assert all(len(c.samples) == 800 and c.samples.dtype == np.int16 for c in chunks)
