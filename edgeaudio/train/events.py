"""Train the sound-event model: silence, speech, music, alarm, chime, noise.

The same stages as :mod:`edgeaudio.train.commands` (synthesise by split,
augment, featurise with the one frontend, train a DS-CNN with a checkpoint
per epoch, convert to full-integer int8, evaluate the *int8* model, publish
the model, its manifest entry and a report), with sources for a smart
speaker's sound classes:

* **speech**: sentences of random words from espeak-ng / festival voices of
  the split (the voice-family split of :mod:`edgeaudio.train.voices`);
* **music**: chord / melody / bass / drum parts on random General MIDI
  programs (chime-like programs excluded), played by :class:`edgeaudio.synth.Synth`;
* **chime**: doorbell and notification chimes ("ding-dong", Westminster,
  arpeggios, single strikes) on bell-like GM programs, plus procedural
  struck-bar chimes in training;
* **alarm**: procedural smoke / CO alarms (the NFPA 72 / ISO 8201 temporal
  patterns T3 and T4), alarm-clock beep groups, appliance beeps and
  mechanical bell alarm clocks, with random pitch, timbre and timing;
* **noise**: coloured noise, fans with mains hum, rain, vacuum-cleaner and
  running-water textures; **silence**: digital zero to -55 dBFS room tone.

Music and chimes are rendered from ``fluid-soundfont-gm`` in training, from
the synthesiser's built-in patches for validation and from a SoundFont that
training never used (Debian ``timgm6mb-soundfont``) for the test, so the
test measures generalisation to other instruments, not memory of samples.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import features
from . import augment, commands, manifest, voices

LABELS: Tuple[str, ...] = ("silence", "speech", "music", "alarm", "chime", "noise")
SAMPLE_RATE = 16000
CLIP_SAMPLES = 16000
MODEL_NAME = "events"
TRAIN_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
TEST_SOUNDFONT = "/usr/share/sounds/sf2/TimGM6mb.sf2"

#: GM programs of bell-like instruments: celesta, glockenspiel, music box, vibraphone, marimba,
#: xylophone, tubular bells, tinkle bell.
CHIME_PROGRAMS = (8, 9, 10, 11, 12, 13, 14, 112)
#: GM programs for music parts (no chromatic percussion, no sound effects).
MUSIC_PROGRAMS = tuple(p for p in range(0, 96) if not 8 <= p <= 15)
BASS_PROGRAMS = tuple(range(32, 40))


def frontend_config(hop_ms: int = 20) -> features.FrontendConfig:
    """The kws preset (16 kHz, 30 ms window, 40 mels), as the other models use."""
    return features.FrontendConfig.preset("kws", hop_length=16 * int(hop_ms))


@dataclass
class EventsConfig:
    """What a run trains on and how; its hash names the cached dataset."""

    train_per_class: int = 700
    val_per_class: int = 60
    test_per_class: int = 100
    augment_copies: int = 2
    epochs: int = 16
    batch_size: int = 64
    learning_rate: float = 3e-3
    filters: int = 64
    blocks: int = 4
    hop_ms: int = 20
    seed: int = 4321
    festival: Optional[bool] = None
    room_irs: int = 16
    train_soundfont: str = TRAIN_SOUNDFONT
    test_soundfont: str = TEST_SOUNDFONT

    @classmethod
    def smoke(cls) -> "EventsConfig":
        """A tiny run for CI: same code path, no quality."""
        return cls(train_per_class=4, val_per_class=2, test_per_class=2, augment_copies=1, epochs=1,
                   batch_size=16, filters=16, blocks=1, room_irs=2)

    def data_key(self) -> str:
        d = dataclasses.asdict(self)
        for k in ("epochs", "batch_size", "learning_rate", "filters", "blocks"):
            d.pop(k)
        d["render"] = voices.SPEECH_RENDER
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _log(msg: str) -> None:
    print(f"[train events {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- sources ----------------------------------------------------------------------------


def _tone(freq_hz: np.ndarray, harmonics: Sequence[float]) -> np.ndarray:
    """A tone following the instantaneous frequency ``freq_hz`` with the given harmonic amplitudes."""
    phase = 2 * np.pi * np.cumsum(freq_hz) / SAMPLE_RATE
    out = np.zeros(len(freq_hz))
    for k, a in enumerate(harmonics, start=1):
        if a and np.all(k * freq_hz < SAMPLE_RATE / 2):
            out += a * np.sin(k * phase)
    return out


def _gate(n: int, pulses: Sequence[Tuple[float, float]], ramp_s: float = 0.004) -> np.ndarray:
    """An envelope of ``(start_s, duration_s)`` pulses with short raised-cosine edges."""
    env = np.zeros(n)
    r = max(1, int(ramp_s * SAMPLE_RATE))
    edge = 0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r)
    for start, dur in pulses:
        a, b = int(start * SAMPLE_RATE), int((start + dur) * SAMPLE_RATE)
        if b <= 0 or a >= n or b - a < 2 * r:
            continue
        seg = np.ones(b - a)
        seg[:r], seg[-r:] = edge, edge[::-1]
        lo, hi = max(a, 0), min(b, n)
        env[lo:hi] = np.maximum(env[lo:hi], seg[lo - a:hi - a])
    return env


def _pattern_pulses(period: Sequence[Tuple[float, float]], cycle_s: float, n_s: float,
                    offset_s: float) -> List[Tuple[float, float]]:
    """Repeat one cycle's pulses (start, duration) every ``cycle_s``, shifted by ``-offset_s``."""
    out = []
    t = -offset_s
    while t < n_s:
        out += [(t + s, d) for s, d in period]
        t += cycle_s
    return out


def alarm(n: int, rng: np.random.Generator) -> np.ndarray:
    """A procedural alarm of a random kind, unit peak; the window always holds sound.

    Kinds: smoke alarm T3 (three 0.5 s pulses, 0.5 s apart, then 1.5 s off),
    CO alarm T4 (four 0.1 s pulses 0.1 s apart, then 5 s off), alarm-clock
    beep groups, appliance beeps, and a mechanical bell alarm clock.
    """
    kind = rng.choice(["t3", "t4", "clock", "beeps", "bell"], p=[0.25, 0.2, 0.25, 0.15, 0.15])
    n_s = n / SAMPLE_RATE
    jitter = rng.uniform(0.85, 1.15)
    t = np.arange(n) / SAMPLE_RATE
    if kind == "bell":  # a hammer striking two bells at 12-25 Hz: inharmonic partials, fast decay
        rate = rng.uniform(12, 25)
        f0 = rng.uniform(1200, 3200)
        partials = [(1.0, 1.0), (2.76, 0.6), (5.40, 0.35), (rng.uniform(1.4, 1.7), 0.5)]
        strike = (np.floor(t * rate) + rng.uniform(0, 0.3)) / rate
        since = np.maximum(t - strike, 0)
        env = np.exp(-since * rng.uniform(40, 90))
        x = sum(a * np.sin(2 * np.pi * f0 * r * t) for r, a in partials) * env
        on = rng.uniform(0.6, n_s * 1.5)  # rings for a while, sometimes the whole window
        start = rng.uniform(-0.5, 0.3)
        x *= _gate(n, [(start, on)], 0.01)
        return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)
    if kind in ("t3", "t4"):
        f = rng.uniform(2700, 3800) if rng.random() < 0.85 else rng.uniform(900, 2700)
        if kind == "t3":
            on, off = 0.5 * jitter, 0.5 * rng.uniform(0.85, 1.15)
            period = [(i * (on + off), on) for i in range(3)]
            cycle = 3 * (on + off) + 1.0 * rng.uniform(0.85, 1.15)
        else:
            on = 0.1 * jitter
            period = [(i * 2 * on, on) for i in range(4)]
            cycle = 8 * on + rng.uniform(5.0, 5.3)
        first_len = period[-1][0] + period[-1][1]
        offset = rng.uniform(-0.3, first_len - 0.08)  # window starts somewhere around the pulse group
        pulses = _pattern_pulses(period, cycle, n_s, offset)
    elif kind == "clock":
        f = rng.uniform(700, 4200)
        beep, gap = rng.uniform(0.04, 0.16), rng.uniform(0.04, 0.16)
        count = int(rng.integers(1, 5))
        period = [(i * (beep + gap), beep) for i in range(count)]
        cycle = max(count * (beep + gap) + rng.uniform(0.1, 0.6), 0.3)
        pulses = _pattern_pulses(period, cycle, n_s, rng.uniform(0, cycle))
    else:  # appliance: one to three long beeps
        f = rng.uniform(900, 3500)
        beep, gap = rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.4)
        start = rng.uniform(-0.1, 0.3)
        pulses = [(start + i * (beep + gap), beep) for i in range(int(rng.integers(1, 4)))]
    wobble = 1 + rng.uniform(0, 0.01) * np.sin(2 * np.pi * rng.uniform(3, 12) * t)
    timbre = rng.choice(["sine", "square", "piezo"])
    harm = {"sine": [1.0], "square": [1.0, 0, 1 / 3, 0, 1 / 5, 0, 1 / 7],
            "piezo": [1.0, rng.uniform(0, 0.3), rng.uniform(0.05, 0.4), rng.uniform(0, 0.2)]}[timbre]
    x = _tone(f * wobble, harm) * _gate(n, pulses)
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)


def noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """A stationary-ish noise texture of a random kind, unit RMS."""
    from scipy.signal import butter, sosfilt

    kind = rng.choice(["white", "pink", "brown", "fan", "rain", "vacuum", "water"])
    if kind in ("white", "pink", "brown"):
        return augment.coloured_noise(n, str(kind), rng)
    t = np.arange(n) / SAMPLE_RATE
    if kind == "fan":
        x = augment.coloured_noise(n, "brown", rng) + 0.5 * augment.coloured_noise(n, "pink", rng)
        x *= 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(8, 40) * t)  # blade rate
        mains = rng.choice([50.0, 60.0])
        x += rng.uniform(0, 0.8) * sum(np.sin(2 * np.pi * mains * k * t) / k for k in (1, 2, 3))
    elif kind == "rain":
        x = augment.coloured_noise(n, "pink", rng) * 0.5
        drops = rng.random(n) < rng.uniform(2e-4, 3e-3)
        x += np.convolve(drops * rng.standard_normal(n) * 4, np.exp(-np.arange(80) / 12.0), "same")
    elif kind == "vacuum":
        lo = rng.uniform(300, 1500)
        sos = butter(2, [lo, min(lo * rng.uniform(2, 5), 7800)], "bandpass", fs=SAMPLE_RATE, output="sos")
        x = sosfilt(sos, rng.standard_normal(n))
        whine = rng.uniform(150, 900) * (1 + 0.01 * np.sin(2 * np.pi * 0.5 * t))
        x = x / (np.std(x) + 1e-9) + rng.uniform(0.1, 0.6) * _tone(whine, [1.0, 0.5, 0.3])
    else:  # running water: high-passed noise with fast random amplitude modulation
        sos = butter(2, rng.uniform(800, 2500), "highpass", fs=SAMPLE_RATE, output="sos")
        x = sosfilt(sos, rng.standard_normal(n))
        am = np.interp(t, np.linspace(0, t[-1], 60), rng.uniform(0.4, 1.0, 60))
        x *= am
    x = x - x.mean()
    return (x / (np.sqrt(np.mean(x ** 2)) + 1e-12)).astype(np.float32)


def _synth(soundfont: Any) -> Any:
    from .. import synth

    return synth.Synth(sample_rate=SAMPLE_RATE, max_voices=32, soundfont=soundfont)


def _render(soundfont: Any, events: List[Tuple[int, int, int, int]], n: int) -> np.ndarray:
    events = sorted((e for e in events if e[0] < n), key=lambda e: e[0])
    return _synth(soundfont).render(n, events=events).mean(axis=1)


def music(n: int, rng: np.random.Generator, soundfont: Any) -> np.ndarray:
    """A random piece already in progress: chords, melody, often bass and drums; unit RMS.

    ``soundfont`` None plays the synthesiser's built-in patches.
    """
    pre = int(rng.uniform(0.5, 2.0) * SAMPLE_RATE)  # start mid-piece: notes already sounding
    total = pre + n
    ev: List[Tuple[int, int, int, int]] = []
    progs = rng.choice(MUSIC_PROGRAMS, 2, replace=False)
    ev += [(0, 0xC0, int(progs[0]), 0), (0, 0xC1, int(progs[1]), 0),
           (0, 0xC2, int(rng.choice(BASS_PROGRAMS)), 0)]
    beat = int(SAMPLE_RATE * 60 / rng.uniform(70, 170))
    root = int(rng.integers(48, 60))
    bass, drums = rng.random() < 0.7, rng.random() < 0.5
    scale = [0, 2, 4, 5, 7, 9, 11, 12] if rng.random() < 0.6 else [0, 2, 3, 5, 7, 8, 10, 12]
    t = 0
    while t < total:
        third = 4 if scale[2] == 4 else 3
        chord = [root, root + third, root + 7] + ([root + 10] if rng.random() < 0.3 else [])
        vel = int(rng.integers(45, 95))
        for k in chord:
            ev.append((t, 0x90, k, vel))
            ev.append((t + 4 * beat - 1, 0x80, k, 0))
        if bass:
            for j in (0, 2):
                ev.append((t + j * beat, 0x92, root - 24 + (7 if j == 2 and rng.random() < 0.5 else 0), 90))
                ev.append((t + (j + 2) * beat - 1, 0x82, root - 24, 0))
                ev.append((t + (j + 2) * beat - 1, 0x82, root - 17, 0))
        step = beat // int(rng.choice([1, 2]))
        for j in range(4 * beat // step):
            if rng.random() < 0.85:
                key = root + 12 + int(rng.choice(scale))
                ev.append((t + j * step, 0x91, key, int(rng.integers(60, 115))))
                ev.append((t + (j + 1) * step - 1, 0x81, key, 0))
        if drums:
            for j in range(8):
                tt = t + j * beat // 2
                if j % 4 == 0:
                    ev.append((tt, 0x99, 36, 100))
                if j % 4 == 2:
                    ev.append((tt, 0x99, 38, 90))
                ev.append((tt, 0x99, 42, 60))
        t += 4 * beat
        root = 48 + (root - 48 + int(rng.choice([5, 7, -5, 2, -3]))) % 12
    x = _render(soundfont, ev, total)[pre:]
    rms = np.sqrt(np.mean(x ** 2))
    if rms < 1e-6:
        return augment.coloured_noise(n, "pink", rng) * 0  # a silent render is never a music example
    return (x / rms).astype(np.float32)


#: Doorbell / clock chime figures as semitone offsets from the top note.
CHIME_FIGURES = ((0, -4), (0, -3), (0, -5), (0, -4, -7), (-12, -7, -4, 0), (0, 4, 7), (0, 4, 7, 12),
                 (4, 0, 2, -5), (-5, 2, 4, 0), (0,), (0, 0), (0, -8))


def chime(n: int, rng: np.random.Generator, soundfont: Any) -> np.ndarray:
    """A doorbell / notification chime starting in the window's first 0.35 s; unit peak."""
    start = int(rng.uniform(-0.05, 0.35) * SAMPLE_RATE)
    fig = CHIME_FIGURES[int(rng.integers(0, len(CHIME_FIGURES)))]
    top = int(rng.integers(66, 90))
    gap = int(rng.uniform(0.12, 0.7) * SAMPLE_RATE) if len(fig) <= 2 else int(rng.uniform(0.1, 0.35) * SAMPLE_RATE)
    pre = max(0, -start)
    ev: List[Tuple[int, int, int, int]] = [(0, 0xC0, int(rng.choice(CHIME_PROGRAMS)), 0)]
    ring = int(rng.uniform(0.3, 1.5) * SAMPLE_RATE)
    for i, d in enumerate(fig):
        t0 = max(0, start) + i * gap
        ev.append((t0, 0x90, top + d, int(rng.integers(70, 127))))
        ev.append((t0 + ring, 0x80, top + d, 0))
    x = _render(soundfont, ev, n + pre)[pre:]
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)


def bar_chime(n: int, rng: np.random.Generator) -> np.ndarray:
    """A procedural electronic / struck-bar doorbell (free-bar partials 1, 2.76, 5.40), unit peak."""
    t = np.arange(n) / SAMPLE_RATE
    fig = CHIME_FIGURES[int(rng.integers(0, len(CHIME_FIGURES)))]
    top = rng.uniform(600, 1800)
    gap = rng.uniform(0.15, 0.6)
    start = rng.uniform(0.0, 0.3)
    decay = rng.uniform(1.5, 6.0)
    x = np.zeros(n)
    for i, d in enumerate(fig):
        f0 = top * 2 ** (d / 12)
        since = t - (start + i * gap)
        on = since >= 0
        env = np.where(on, np.exp(-np.maximum(since, 0) * decay), 0.0)
        for r, a, extra in ((1.0, 1.0, 1.0), (2.76, 0.4, 2.5), (5.40, 0.2, 5.0)):
            if f0 * r < SAMPLE_RATE / 2:
                x += a * np.sin(2 * np.pi * f0 * r * np.maximum(since, 0)) * env ** extra
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)


def speech(n: int, rng: np.random.Generator, speakers: Sequence[voices.Speaker], words: Sequence[str]) -> np.ndarray:
    """A sentence of random words by a random speaker of the split, its loudest ``n`` samples."""
    s = speakers[int(rng.integers(0, len(speakers)))]
    text = " ".join(words[int(rng.integers(0, len(words)))] for _ in range(int(rng.integers(5, 12))))
    wpm, pitch = int(rng.integers(120, 221)), int(rng.integers(20, 81))
    if s.engine == "festival":
        x = voices.render_festival_batch([(text, s.voice, 170.0 / wpm)])[0]
    else:
        x = voices.render_espeak(text, s, wpm, pitch)
    x = augment.trim(x)
    return augment.place(x, n, rng, max_shift=n // 8)


# ---- dataset --------------------------------------------------------------------------------


def _load_soundfont(path: Optional[str]) -> Any:
    from .. import synth

    if path is None:
        return None
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no SoundFont at {path}: apt-get install fluid-soundfont-gm timgm6mb-soundfont")
    return synth.load_soundfont(path)


def _sources(split: str, cfg: EventsConfig) -> Dict[str, Callable[[np.random.Generator], np.ndarray]]:
    """One clean-clip generator per class for ``split``."""
    sf_path = {"train": cfg.train_soundfont, "val": None, "test": cfg.test_soundfont}[split]
    sf = _load_soundfont(sf_path)
    spk = [s for s in voices.speakers(cfg.festival) if s.split == split]
    if not spk:
        raise RuntimeError(f"no {split} voices: install espeak-ng (apt-get install espeak-ng)")
    words = commands.unknown_words(split) + (list(commands.KEYWORDS) if split == "train" else [])
    n = CLIP_SAMPLES

    def chimes(rng: np.random.Generator) -> np.ndarray:
        if split == "train" and rng.random() < 0.25:
            return bar_chime(n, rng)
        return chime(n, rng, sf)

    def silence(rng: np.random.Generator) -> np.ndarray:
        if rng.random() < 0.2:
            return np.zeros(n, np.float32)
        return augment.set_level(noise(n, rng), rng.uniform(-85, -58))

    return {"silence": silence, "speech": lambda rng: speech(n, rng, spk, words),
            "music": lambda rng: music(n, rng, sf), "alarm": lambda rng: alarm(n, rng),
            "chime": chimes, "noise": lambda rng: noise(n, rng)}


def augment_event(x: np.ndarray, label: str, rng: np.random.Generator, irs: Sequence[np.ndarray],
                  strength: str) -> np.ndarray:
    """Level, room, background noise (and speed in training) for one clean clip."""
    if label == "silence":
        return x
    if strength == "train" and label in ("speech", "music", "chime") and rng.random() < 0.5:
        x = augment.place(augment.speed(x, rng.uniform(0.93, 1.07)), CLIP_SAMPLES, rng, 0)
    if irs and label != "noise" and rng.random() < (0.4 if strength == "train" else 0.3):
        x = augment.apply_ir(x, irs[int(rng.integers(0, len(irs)))])
    x = augment.set_level(x, rng.uniform(-40, -12))
    if label != "noise" and rng.random() < (0.7 if strength == "train" else 0.5):
        lo = 5.0 if strength == "train" else 10.0
        x = augment.mix_at_snr(x, noise(CLIP_SAMPLES, rng), rng.uniform(lo, 35))
    return np.clip(x, -1, 1).astype(np.float32)


def build_dataset(cfg: EventsConfig, work: Path, resume: bool = True) -> Dict[str, np.ndarray]:
    """Synthesise, augment and featurise train / val / test (cached in ``work``)."""
    cache = work / f"data-{cfg.data_key()}.npz"
    cached = commands.load_cached_dataset(cache, resume, _log)
    if cached is not None:
        return cached
    t0 = time.time()
    rng = np.random.default_rng(cfg.seed)
    irs = augment.room_irs(cfg.room_irs, rng)
    fe = frontend_config(cfg.hop_ms)
    out: Dict[str, np.ndarray] = {}
    for split in voices.SPLITS:
        per = {"train": cfg.train_per_class, "val": cfg.val_per_class, "test": cfg.test_per_class}[split]
        copies = cfg.augment_copies if split == "train" else 1
        srng = np.random.default_rng([cfg.seed, voices.SPLITS.index(split)])
        src = _sources(split, cfg)
        audio, y = [], []
        for ci, label in enumerate(LABELS):
            for _ in range(per):
                clean = src[label](srng)
                for _c in range(copies):
                    audio.append(augment_event(clean, label, srng, irs, split))
                    y.append(ci)
            _log(f"{split}: {per} x{copies} {label} ({time.time() - t0:.0f} s)")
        out[f"x_{split}"] = features.logmel(np.stack(audio), fe)
        out[f"y_{split}"] = np.array(y, np.int32)
    commands.save_dataset(cache, out, t0, _log)
    return out


# ---- evaluation and publication ------------------------------------------------------------


def evaluate(model_path: Path, data: Dict[str, np.ndarray], float_model: Any = None) -> Dict[str, Any]:
    """Accuracy of the int8 model on the held-out set, per class, its latency and memory."""
    from .. import runtime

    m = runtime.load(model_path, num_threads=1)
    p = m.invoke_batch(data["x_test"][..., None])
    pred = p.argmax(axis=1)
    y = data["y_test"]
    res: Dict[str, Any] = {"int8_accuracy": float(np.mean(pred == y))}
    res["int8_accuracy_per_class"] = {l: float(np.mean(pred[y == i] == i)) for i, l in enumerate(LABELS)}
    res["confusion"] = commands.confusion(y, pred, len(LABELS)).tolist()
    if float_model is not None:
        pf = float_model.predict(data["x_test"][..., None], verbose=0).argmax(axis=1)
        res["float_accuracy"] = float(np.mean(pf == y))
    res["test_examples"] = int(len(y))
    res.update(commands.runtime_cost(m, data["x_test"][:1, ..., None]))
    return res


def write_report(out: Path, entry: Dict[str, Any], metrics: Dict[str, Any]) -> List[str]:
    """Markdown report and a confusion-matrix PNG; returns the files written."""
    files = []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        cm = np.asarray(metrics["confusion"])
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
        ax.imshow(cm, cmap="Blues")
        ax.set_xticks(range(len(LABELS)), LABELS, rotation=45)
        ax.set_yticks(range(len(LABELS)), LABELS)
        for i in range(len(LABELS)):
            for j in range(len(LABELS)):
                if cm[i, j]:
                    ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                            color="white" if cm[i, j] > cm.max() / 2 else "black")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"int8, held-out SoundFont and voices: {100 * metrics['int8_accuracy']:.1f}%")
        fig.tight_layout()
        png = out / f"{MODEL_NAME}_confusion.png"
        fig.savefig(png, dpi=90)
        plt.close(fig)
        files.append(png.name)
    except ImportError:
        pass
    lat, mem = metrics["latency"], metrics["memory"]
    lines = [f"# {MODEL_NAME}: training report", "",
             f"Trained {entry['trained_at']} by `edgeaudio train events` (edgeaudio {entry['edgeaudio_version']}).",
             "", "## Data", "", entry["training_data"], "",
             "## Model", "",
             f"- architecture: {entry['architecture']}",
             f"- parameters: {entry['params']}, MACs per inference: {entry['macs']}",
             f"- int8 flatbuffer: {entry['size_bytes']} bytes; sha256 {entry['sha256']}",
             f"- interpreter arena: {mem['arena_bytes']} bytes ({mem['activation_bytes']} bytes of "
             f"activations before the planner's reuse)", "",
             "## Held-out metrics (int8 model)", "",
             f"int8 accuracy {100 * metrics['int8_accuracy']:.2f}%"
             + (f", float {100 * metrics['float_accuracy']:.2f}%" if "float_accuracy" in metrics else "")
             + f" on {metrics['test_examples']} examples.", "",
             "| class | int8 accuracy |", "|---|---|"]
    lines += [f"| {l} | {100 * a:.1f}% |" for l, a in metrics["int8_accuracy_per_class"].items()]
    lines += ["", f"Invoke latency ({lat['interpreter']}, 1 thread, batch 1, {lat['count']} invokes): "
              f"median {lat['median_ms']:.3f} ms, p95 {lat['p95_ms']:.3f} ms.", ""]
    if files:
        lines += [f"![confusion matrix]({files[0]})", ""]
    md = out / f"{MODEL_NAME}_report.md"
    md.write_text("\n".join(lines))
    files.append(md.name)
    return files


def publish(out: Path, cfg: EventsConfig, model: Any, model_path: Path, metrics: Dict[str, Any],
            elapsed_s: float) -> Dict[str, Any]:
    fe = frontend_config(cfg.hop_ms)
    fam = {s: sorted({sp.family for sp in voices.speakers(cfg.festival) if sp.split == s}) for s in voices.SPLITS}
    desc = (
        f"Synthetic, no recordings, no network. {cfg.train_per_class} clean clips per class x{cfg.augment_copies} "
        f"augmented (room IRs p=0.4, level -40..-12 dBFS, noise textures at 5-35 dB SNR p=0.7, speed 0.93-1.07). "
        f"speech: random-word sentences by espeak-ng / festival voices split by family "
        f"(train {fam['train']}, val {fam['val']}, test {fam['test']}); music (chords, melody, bass, drums on "
        f"random GM programs) and chimes (doorbell / Westminster / notification figures on bell-like GM programs) "
        f"rendered by edgeaudio.synth from {Path(cfg.train_soundfont).name} in training (plus 25% procedural "
        f"struck-bar chimes), from the built-in patches for validation and from {Path(cfg.test_soundfont).name} "
        f"(never used in training) for the test; alarms procedural (smoke T3, CO T4, alarm-clock beep groups, "
        f"appliance beeps, mechanical bell clocks; random pitch, timbre, timing); noise: coloured, fan + mains "
        f"hum, rain, vacuum, running water; silence: zero to -58 dBFS. Test: {cfg.test_per_class} per class, "
        f"new seeds, background noise at 10-35 dB SNR p=0.5.")
    entry = commands.dscnn_entry(
        model_path, model, fe, cfg, task="sound event classification for a smart speaker", labels=LABELS,
        window_samples=CLIP_SAMPLES, stride_ms=200,
        detector={"smoothing_frames": 3, "threshold": 0.6, "patience": 2, "refractory_s": 3.0,
                  "ignore": ["silence", "noise"],
                  "note": "defaults for edgeaudio.models.Detector at a 200 ms invoke stride (10 frames); "
                          "not tuned on a stream"},
        training_data=desc, metrics=metrics, elapsed_s=elapsed_s)
    entry["report"] = write_report(out, entry, metrics)
    manifest.update(out / "manifest.json", MODEL_NAME, entry)
    return entry


def train_events(out: os.PathLike, work: Optional[os.PathLike] = None, config: Optional[EventsConfig] = None,
                 resume: bool = False) -> Dict[str, Any]:
    """The whole pipeline; returns the manifest entry.

    Parameters
    ----------
    out : path
        Where ``events.tflite``, ``manifest.json`` and the report go.
    work : path, optional
        Cache and checkpoints; default ``~/.cache/edgeaudio/train/events``.
    config : EventsConfig, optional
    resume : bool
        Reuse the cached dataset and continue from the last checkpoint.
    """
    cfg = config or EventsConfig()
    out = Path(out)
    work = Path(work) if work else Path.home() / ".cache" / "edgeaudio" / "train" / MODEL_NAME
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        commands.clear_checkpoints(work)
    t0 = time.time()
    data = build_dataset(cfg, work, resume=resume)
    model = commands.fit(cfg, data, work, resume=resume, n_classes=len(LABELS), log=_log)
    model_path = out / f"{MODEL_NAME}.tflite"
    commands.quantize(model, data, cfg, model_path)
    metrics = evaluate(model_path, data, model)
    _log(f"int8 accuracy on the held-out SoundFont and voices: {100 * metrics['int8_accuracy']:.2f}%; "
         f"median invoke {metrics['latency']['median_ms']:.3f} ms")
    entry = publish(out, cfg, model, model_path, metrics, time.time() - t0)
    _log(f"wrote {model_path} ({entry['size_bytes']} bytes) and {out / 'manifest.json'}")
    return entry
