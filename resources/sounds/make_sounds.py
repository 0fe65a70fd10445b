"""Regenerate the alert sounds (mono 16-bit 22.05 kHz WAV, a few tens of KB each).

Run: python resources/sounds/make_sounds.py — bell-like tones (decaying partials),
soft attack so they are noticeable without being harsh at a shop counter.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050


def bell(freq: float, length: float, start: float, total: float) -> list[float]:
    out = [0.0] * int(total * RATE)
    partials = ((1.0, 1.0, 1.0), (2.0, 0.35, 1.6), (3.01, 0.15, 2.4), (4.2, 0.06, 3.2))
    for i in range(int(length * RATE)):
        t = i / RATE
        attack = min(1.0, t / 0.008)
        value = sum(a * math.exp(-d * 3.0 * t) * math.sin(2 * math.pi * freq * m * t)
                    for m, a, d in partials)
        j = int(start * RATE) + i
        if j < len(out):
            out[j] += attack * value
    return out


def write(path: Path, notes: list[tuple[float, float]], total: float) -> None:
    mix = [0.0] * int(total * RATE)
    for freq, start in notes:
        for i, v in enumerate(bell(freq, total - start, start, total)):
            mix[i] += v
    peak = max(abs(v) for v in mix) or 1.0
    frames = b"".join(struct.pack("<h", int(v / peak * 0.8 * 32767)) for v in mix)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(frames)


if __name__ == "__main__":
    here = Path(__file__).parent
    write(here / "chime.wav", [(1318.5, 0.0), (1046.5, 0.22)], 1.0)  # E6 → C6 "ding-dong"
    write(here / "bell.wav", [(880.0, 0.0)], 0.8)  # a single A5 bell
    write(here / "triple.wav", [(1046.5, 0.0), (1318.5, 0.14), (1568.0, 0.28)], 1.0)  # C-E-G
