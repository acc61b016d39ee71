"""Synthetic test signals for the echo and noise tests: music-like and
speech-like sources, room responses, SI-SDR. Seeded, so every run is the same."""
from __future__ import annotations

import numpy as np
import scipy.signal


def music(n: int, fs: int, seed: int = 0) -> np.ndarray:
    """Polyphonic, strongly coloured and non-stationary: chords of decaying
    harmonic notes (bass + three voices) with a note every 125-500 ms, plus
    hi-hat noise bursts. Peak about 0.5."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    x = np.zeros(n)
    pos = 0
    while pos < n:
        dur = int(fs * rng.choice([0.125, 0.25, 0.5]))
        root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
        seg = slice(pos, min(n, pos + dur))
        tt = t[seg] - t[pos]
        env = np.exp(-tt * rng.uniform(2, 8))
        for ratio, amp in ((0.5, 0.6), (1.0, 0.5), (1.26, 0.35), (1.5, 0.35)):
            f0 = root * ratio
            for h in range(1, 12):
                if f0 * h > 0.45 * fs:
                    break
                x[seg] += amp * env * np.sin(2 * np.pi * f0 * h * tt + rng.uniform(0, 6.3)) / h ** 1.3
        if rng.random() < 0.5:  # hi-hat
            m = min(n - pos, int(0.05 * fs))
            burst = rng.standard_normal(m) * np.exp(-np.arange(m) / (0.01 * fs))
            x[pos:pos + m] += 0.3 * scipy.signal.lfilter([1, -1], [1], burst)
        pos += dur
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def speech(n: int, fs: int, seed: int = 1) -> np.ndarray:
    """Speech-like: a glottal pulse train with wandering pitch through three
    moving formant resonators, syllables of 100-300 ms separated by pauses,
    with some unvoiced (noise) segments. Peak about 0.5."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    pos = int(0.05 * fs)
    while pos < n:
        dur = int(fs * rng.uniform(0.1, 0.3))
        m = min(dur, n - pos)
        if m <= 0:
            break
        if rng.random() < 0.8:
            f0 = rng.uniform(100, 220) * (1 + 0.1 * np.sin(np.linspace(0, 3, m)))
            phase = np.cumsum(f0 / fs)
            src = (np.diff(np.floor(phase), prepend=0) > 0).astype(float)
        else:
            src = 0.3 * rng.standard_normal(m)
        y = src
        for fc, bw in ((rng.uniform(300, 800), 80), (rng.uniform(900, 2200), 120), (rng.uniform(2300, 3200), 200)):
            r = np.exp(-np.pi * bw / fs)
            y = y + scipy.signal.lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fc / fs), r * r], src) * 4
        env = np.sin(np.linspace(0, np.pi, m)) ** 0.5
        x[pos:pos + m] += y * env
        pos += m + int(fs * rng.uniform(0.05, 0.25))
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def room(fs: int, length_ms: float, delay_ms: float, rt60_s: float, seed: int = 0) -> np.ndarray:
    """Loudspeaker-to-mic response of a smart speaker: a strong direct path
    after delay_ms, early reflections, exponentially decaying diffuse tail."""
    rng = np.random.default_rng(seed)
    L = int(length_ms * 1e-3 * fs)
    d = int(delay_ms * 1e-3 * fs)
    h = np.zeros(L)
    n = np.arange(L - d)
    decay = np.log(1000.0) / (rt60_s * fs)
    h[d:] = 0.03 * rng.standard_normal(L - d) * np.exp(-decay * n)
    h[d] += 1.0
    for _ in range(6):
        k = d + int(rng.uniform(0.002, 0.02) * fs)
        if k < L:
            h[k] += rng.uniform(-0.4, 0.4)
    return h.astype(np.float32)


def echo(ref: np.ndarray, h: np.ndarray) -> np.ndarray:
    return scipy.signal.fftconvolve(ref.astype(np.float64), h)[: len(ref)].astype(np.float32)


def si_sdr(estimate: np.ndarray, target: np.ndarray) -> float:
    """Scale-invariant SDR in dB of `estimate` against `target` (same length)."""
    e = estimate.astype(np.float64)
    s = target.astype(np.float64)
    alpha = np.dot(e, s) / (np.dot(s, s) + 1e-20)
    proj = alpha * s
    return float(10 * np.log10(np.sum(proj ** 2) / (np.sum((e - proj) ** 2) + 1e-20)))


def gain_db(estimate: np.ndarray, target: np.ndarray) -> float:
    """Gain of `target` in `estimate`, by projection."""
    s = target.astype(np.float64)
    return float(20 * np.log10(abs(np.dot(estimate.astype(np.float64), s)) / (np.dot(s, s) + 1e-20) + 1e-20))


def erle_db(mic: np.ndarray, out: np.ndarray) -> float:
    return float(10 * np.log10((np.sum(mic.astype(np.float64) ** 2) + 1e-20) /
                               (np.sum(out.astype(np.float64) ** 2) + 1e-20)))


def rendered_piece(bpm: float, bars: int = 8, sr: int = 22050, seed: int = 0,
                   program: int = 0) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """A 4/4 piece rendered by edgeaudio.synth's built-in instruments, with its truth.

    Bass (plucked string) on every beat, a chord (``program``) on beats 1 and 3,
    a melody (plucked) on some off-beat eighths. Returns (mono float32 audio,
    onset times, beat times) in seconds; onsets are every distinct note start.
    """
    from edgeaudio.synth import Synth

    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    notes = []  # (time, channel, key, velocity, duration)
    scale = [0, 2, 4, 5, 7, 9, 11]
    for b in range(bars * 4):
        t = 0.25 + b * beat
        root = 36 + scale[(b // 4 * 3) % 7]
        notes.append((t, 1, root, 110, 0.8 * beat))
        if b % 2 == 0:
            for k in (0, 4, 7):
                notes.append((t, 0, root + 24 + k, 70, 1.6 * beat))
        if rng.random() < 0.6:
            notes.append((t + beat / 2, 2, 72 + scale[rng.integers(7)], 90, 0.4 * beat))
    end = max(n[0] + n[4] for n in notes) + 1.0
    events = [(0, 0xC0, program, 0), (0, 0xC1, 25, 0), (0, 0xC2, 24, 0)]
    for t, ch, key, vel, dur in notes:
        events.append((int(round(t * sr)), 0x90 | ch, key, vel))
        events.append((int(round((t + dur) * sr)), 0x80 | ch, key, 0))
    events.sort(key=lambda e: e[0])
    audio = Synth(sample_rate=sr).render(int(end * sr), events).mean(axis=1)
    onsets = np.unique(np.round([n[0] for n in notes], 6))
    beats = 0.25 + np.arange(bars * 4) * beat
    return audio.astype(np.float32), onsets, beats
