#!/usr/bin/env python3
"""Echo cancellation and noise suppression: a reproducible evaluation against peers.

Builds smart-speaker scenes from real-ish material and runs edgeaudio's
EchoCanceller and NoiseSuppressor next to speexdsp and WebRTC's audio
processing module (AEC3 / NS, as the PyPI livekit package ships it) on the
same signals, in the same process:

  rooms     pyroomacoustics shoebox rooms, RT60 0.2 .. 0.8 s (calibrated on the
            generated response), the device on a shelf with its microphone
            5-10 cm from the driver; a 2nd-order 120 Hz high-pass stands for
            the small driver; the playback reaches the mic 60 ms after the
            reference (bulk delay of the audio path)
  far end   music rendered by FluidSynth from a General MIDI file generated
            here with mido (fluid-soundfont-gm), and TTS speech (espeak-ng)
  near end  TTS speech of several espeak-ng voices through the talker-to-mic
            response of the same room (talker 1.5-2.5 m away)
  noise     mic self-noise (pink, -70 dBFS); for noise suppression pink
            (stationary) noise and six-voice babble at 0/5/10 dB SNR

Per condition it reports ERLE over time, the time to reach 20 dB ERLE (the
centre of the first 0.25 s window from which every later window with far-end
activity stays >= 20 dB), steady-state ERLE, ERLE 1-3 s after an echo-path
change and its time to 20 dB, near-end SI-SDR and talker gain in double talk
(echo 5 dB louder than the talker's active speech level), CPU seconds per
audio second; for edgeaudio the linear filter's ERLE (suppressor off, the
same filter) as well as the total. Outside --quick the living room's music
and latency-changing path change run at 48 kHz as well, with their CPU.

Generated material is cached outside the repository, in
$EDGEAUDIO_CACHE/aec_eval or ~/.cache/edgeaudio/aec_eval.

Needs: apt-get install fluidsynth fluid-soundfont-gm espeak-ng libspeexdsp-dev swig
       pip install pyroomacoustics mido speexdsp speexdsp-ns livekit scipy
A missing peer is reported (with the reason) and the rest runs.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.io.wavfile
import scipy.signal

FS = 16000
FS48 = 48000  # the second rate: one room, music and a path change
FRAME = 160  # 10 ms: the peers' frame, and ours
TAIL_MS = 256.0
BULK_DELAY_MS = 60.0
ECHO_RMS_DBFS = -22.0
MIC_NOISE_DBFS = -70.0
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
REPO = Path(__file__).resolve().parents[2]
CACHE_VERSION = "2"
CPU_REPEATS = 7  # CPU figures: the median of this many runs, the systems taking turns

# ---------------------------------------------------------------------------
# material: music, speech, rooms (cached)


def cache_dir() -> Path:
    root = os.environ.get("EDGEAUDIO_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "edgeaudio"
    d = base / "aec_eval"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _key(*parts) -> str:
    return hashlib.sha1(repr((CACHE_VERSION,) + parts).encode()).hexdigest()[:16]


def _cached(name: str, parts: tuple, make: Callable[[], np.ndarray]) -> np.ndarray:
    path = cache_dir() / f"{name}-{_key(*parts)}.npy"
    if path.exists():
        return np.load(path)
    x = np.asarray(make(), dtype=np.float32)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, x)
    tmp.replace(path)
    return x


def _read_wav(path: Path, fs: int) -> np.ndarray:
    rate, x = scipy.io.wavfile.read(path)
    x = x.astype(np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if np.issubdtype(x.dtype, np.integer) or np.max(np.abs(x)) > 2:
        x = x / 32768.0
    if rate != fs:
        g = np.gcd(rate, fs)
        x = scipy.signal.resample_poly(x, fs // g, rate // g)
    return x


# General MIDI programs: (channel, program) per part. Channel 9 is drums.
SONGS = {
    # tempo bpm, parts, seed
    "pop": dict(bpm=118, seed=11, chords=(0, 33, 25, 81), lead=81),
    "ballad": dict(bpm=76, seed=23, chords=(0, 33, 48, 73), lead=73),
}


def _midi_song(name: str, seconds: float, path: Path) -> None:
    """A seeded General MIDI arrangement: drums, bass, piano chords, a pad or
    guitar, and a melody wandering over the scale of a I-V-vi-IV progression."""
    import mido

    spec = SONGS[name]
    rng = np.random.default_rng(spec["seed"])
    tpb = 480
    mid = mido.MidiFile(ticks_per_beat=tpb)
    key = 48 + int(rng.integers(0, 12))
    scale = [0, 2, 4, 5, 7, 9, 11]
    progression = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]  # I V vi IV
    bars = int(np.ceil(seconds * spec["bpm"] / 60 / 4)) + 1
    events: Dict[int, List[Tuple[int, mido.Message]]] = {}

    def note(ch, pitch, start, dur, vel):
        events.setdefault(ch, []).append((start, mido.Message("note_on", channel=ch, note=int(pitch), velocity=int(vel))))
        events[ch].append((start + dur, mido.Message("note_off", channel=ch, note=int(pitch), velocity=0)))

    piano, bass, pad, lead = spec["chords"]
    ballad = name == "ballad"
    melody = key + 24
    for bar in range(bars):
        t0 = bar * 4 * tpb
        chord = progression[bar % 4]
        # piano: block chords on beats (ballad: arpeggios)
        if ballad:
            for k in range(8):
                note(0, key + 12 + chord[k % 3] + 12 * (k // 3 % 2), t0 + k * tpb // 2, tpb, 55 + rng.integers(0, 20))
        else:
            for b in range(4):
                for c in chord:
                    note(0, key + 12 + c, t0 + b * tpb, tpb * 3 // 4, 60 + rng.integers(0, 25))
        # bass: root on 1 and 3, passing note on the and of 4
        note(1, key - 12 + chord[0], t0, tpb * 2 - 40, 90)
        note(1, key - 12 + chord[0] + (7 if bar % 2 else 0), t0 + 2 * tpb, tpb * 3 // 2, 85)
        note(1, key - 12 + chord[2], t0 + 7 * tpb // 2, tpb // 2, 70)
        # pad / guitar: the chord held over the bar
        for c in chord:
            note(2, key + c, t0, 4 * tpb - 20, 45 if ballad else 55)
        # melody: a random walk on the scale, in eighths and quarters, with rests
        t = t0
        while t < t0 + 4 * tpb:
            dur = int(rng.choice([tpb // 2, tpb, tpb * 3 // 2]))
            if rng.random() < 0.8:
                step = int(rng.integers(-2, 3))
                deg = (scale.index((melody - key) % 12) if (melody - key) % 12 in scale else 0) + step
                melody = key + 24 + 12 * (deg // 7) + scale[deg % 7]
                melody = int(np.clip(melody, key + 19, key + 36))
                note(3, melody, t, dur - 30, 70 + rng.integers(0, 30))
            t += dur
        # drums (ballad: brushes-like, sparse)
        for b in range(8):
            tt = t0 + b * tpb // 2
            if not ballad or b % 2 == 0:
                note(9, 42, tt, 60, 50 + rng.integers(0, 40))  # closed hi-hat
        for b in (0, 2) if not ballad else (0,):
            note(9, 36, t0 + b * tpb, 120, 110)  # kick
        for b in (1, 3):
            note(9, 38 if not ballad else 37, t0 + b * tpb, 120, 100 if not ballad else 70)  # snare / side stick
        if bar % 4 == 3:
            note(9, 49, t0, 400, 90)  # crash

    meta = mido.MidiTrack()
    meta.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(spec["bpm"]), time=0))
    mid.tracks.append(meta)
    for ch, prog in zip((0, 1, 2, 3), (piano, bass, pad, lead)):
        events.setdefault(ch, [])
    for ch, evs in sorted(events.items()):
        tr = mido.MidiTrack()
        if ch != 9:
            tr.append(mido.Message("program_change", channel=ch, program=(piano, bass, pad, lead)[ch], time=0))
        now = 0
        for start, msg in sorted(evs, key=lambda e: (e[0], e[1].type == "note_on")):
            tr.append(msg.copy(time=start - now))
            now = start
        mid.tracks.append(tr)
    mid.save(path)


def music(name: str, seconds: float, fs: int = FS) -> np.ndarray:
    """`seconds` of song `name` rendered by FluidSynth, peak-normalised to 0.5."""
    def make():
        if not SOUNDFONT.exists():
            raise RuntimeError(f"{SOUNDFONT} missing: apt-get install fluid-soundfont-gm")
        if shutil.which("fluidsynth") is None:
            raise RuntimeError("fluidsynth missing: apt-get install fluidsynth")
        with tempfile.TemporaryDirectory() as tmp:
            mid, wav = Path(tmp) / "song.mid", Path(tmp) / "song.wav"
            _midi_song(name, seconds + 2, mid)
            subprocess.run(["fluidsynth", "-q", "-ni", "-g", "0.7", "-r", str(fs), "-T", "wav", "-F", str(wav),
                            str(SOUNDFONT), str(mid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            x = _read_wav(wav, fs)
        x = x[: int(seconds * fs)]
        return 0.5 * x / np.max(np.abs(x))
    return _cached(f"music-{name}", (name, seconds, fs, SONGS[name]), make)


SENTENCES = [
    "Hey Jarvis, turn the volume down a little.",
    "What is the weather going to be like tomorrow morning?",
    "Set a timer for twelve minutes and remind me to check the oven.",
    "Play the next song, and then pause the music after this album.",
    "Could you call my sister and tell her I will be late for dinner?",
    "Add milk, eggs, and two loaves of bread to the shopping list.",
    "How long does it take to drive to the airport at this hour?",
    "Turn off the lights in the kitchen and lock the front door.",
    "The committee met on Thursday to discuss the budget for next year.",
    "Scientists have found a new species of frog in the mountains of Peru.",
    "In the second half the home team scored twice in five minutes.",
    "Traffic on the northern bypass is slow after an accident near the bridge.",
    "A quick brown fox jumps over the lazy dog while the band keeps playing.",
    "Please remember to water the plants on the balcony before you leave.",
    "The train to the city centre leaves from platform four every twenty minutes.",
    "Tonight we will be talking about gardening, cooking, and old radio plays.",
]
NEAR_VOICES = ["en-us+f3", "en-gb+m3", "en-us+m7", "en-gb-scotland+f2", "en-us+f5", "en-029+m2"]
FAR_VOICES = ["en-gb-x-rp+m1", "en-us+f1"]


def tts(text: str, voice: str, fs: int = FS) -> np.ndarray:
    def make():
        if shutil.which("espeak-ng") is None:
            raise RuntimeError("espeak-ng missing: apt-get install espeak-ng")
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "s.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), text], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            x = _read_wav(wav, fs)
        nz = np.flatnonzero(np.abs(x) > 1e-3)
        return x[nz[0]: nz[-1] + 1] if len(nz) else x
    return _cached("tts", (text, voice, fs), make)


def speech_track(voice: str, seconds: float, seed: int, fs: int = FS) -> np.ndarray:
    """Sentences of one voice with 0.3-0.9 s pauses, `seconds` long, peak 0.5."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(SENTENCES))
    n = int(seconds * fs)
    out = np.zeros(n)
    pos = int(rng.uniform(0.05, 0.3) * fs)
    k = 0
    while pos < n:
        s = tts(SENTENCES[order[k % len(order)]], voice, fs)
        m = min(len(s), n - pos)
        out[pos: pos + m] = s[:m]
        pos += m + int(rng.uniform(0.3, 0.9) * fs)
        k += 1
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def pink_noise(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec))
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    x = np.fft.irfft(spec, n)
    return (x / np.sqrt(np.mean(x ** 2))).astype(np.float32)


@dataclass(frozen=True)
class Room:
    name: str
    rt60_s: float
    dims_m: Tuple[float, float, float]
    device_m: Tuple[float, float, float]     # the loudspeaker driver
    moved_m: Tuple[float, float, float]      # the driver after the device is moved
    mic_offset_m: float                      # mic to driver, 5-10 cm
    talker_m: Tuple[float, float, float]


ROOMS = [
    Room("bedroom", 0.2, (4.0, 3.5, 2.6), (0.35, 1.2, 0.75), (3.5, 2.6, 0.9), 0.06, (2.3, 2.0, 1.2)),
    Room("living room", 0.3, (5.2, 4.1, 2.7), (0.4, 2.0, 0.9), (4.6, 0.6, 0.75), 0.08, (3.1, 2.6, 1.6)),
    Room("kitchen", 0.4, (6.0, 4.5, 2.8), (1.2, 0.3, 0.95), (5.4, 3.9, 1.0), 0.05, (2.8, 1.9, 1.5)),
    Room("open plan", 0.6, (7.2, 5.3, 3.0), (0.5, 2.5, 0.8), (6.5, 1.0, 1.1), 0.10, (2.6, 3.5, 1.7)),
    Room("hall", 0.8, (8.5, 6.2, 3.3), (4.0, 0.4, 1.0), (0.6, 5.5, 0.9), 0.07, (4.4, 2.8, 1.6)),
]

def _driver_sos(fs: int) -> np.ndarray:
    return scipy.signal.butter(2, 120.0, "highpass", fs=fs, output="sos")


def room_acoustics(room: Room, fs: int = FS) -> Tuple[float, int, float]:
    """(energy absorption, image-source order, measured RT60) for `room`.
    Sabine's inverse overshoots in a shoebox, so the absorption is calibrated
    on the decay of the talker-to-device response (2 m: the diffuse field
    dominates there, unlike 7 cm from the driver)."""
    import pyroomacoustics as pra

    def make():
        target = room.rt60_s
        for _ in range(5):
            e_abs, max_order = pra.inverse_sabine(target, room.dims_m)
            max_order = min(max_order, 50)
            h = _pra_rir(room, e_abs, max_order, room.talker_m, room.device_m, fs)
            measured = float(pra.experimental.measure_rt60(h, fs=fs))
            if abs(measured - room.rt60_s) < 0.03:
                break
            target *= room.rt60_s / measured
        return np.array([e_abs, max_order, measured])
    e_abs, order, measured = _cached("acoustics", (room, fs), make)
    return float(e_abs), int(order), float(measured)


def _pra_rir(room: Room, e_abs: float, max_order: int, src, mic, fs: int) -> np.ndarray:
    import pyroomacoustics as pra

    r = pra.ShoeBox(list(room.dims_m), fs=fs, materials=pra.Material(float(e_abs)), max_order=int(max_order))
    r.add_source(list(src))
    r.add_microphone(list(mic))
    r.compute_rir()
    return np.asarray(r.rir[0][0], dtype=np.float64)


def _mic_position(room: Room, moved: bool) -> np.ndarray:
    src = np.array(room.moved_m if moved else room.device_m)
    direction = np.array([0.0, 0.5, 0.87]) if moved else np.array([0.5, 0.0, 0.87])
    return src + room.mic_offset_m * direction / np.linalg.norm(direction)


def echo_path(room: Room, moved: bool = False, latency_ms: float = BULK_DELAY_MS, fs: int = FS) -> np.ndarray:
    """Reference -> mic: audio-path latency, driver high-pass, room response
    from the driver to a mic `mic_offset_m` away (above the driver, tilted)."""
    def make():
        e_abs, order, _ = room_acoustics(room, fs)
        h = _pra_rir(room, e_abs, order, room.moved_m if moved else room.device_m, _mic_position(room, moved), fs)
        h = scipy.signal.sosfilt(_driver_sos(fs), h)
        h /= np.sqrt(np.sum(h ** 2))  # unit energy: the echo about as loud as the reference
        return np.concatenate([np.zeros(int(round(latency_ms * fs / 1000))), h])
    return _cached("echo", (room, moved, latency_ms, fs), make)


def talker_path(room: Room, fs: int = FS) -> np.ndarray:
    def make():
        e_abs, order, _ = room_acoustics(room, fs)
        return _pra_rir(room, e_abs, order, room.talker_m, _mic_position(room, False), fs)
    return _cached("talker", (room, fs), make)


def measured_rt60(room: Room, fs: int = FS) -> float:
    return room_acoustics(room, fs)[2]


def convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    return scipy.signal.fftconvolve(x.astype(np.float64), h)[: len(x)]


def db(p: float) -> float:
    return float(10 * np.log10(max(p, 1e-30)))


def rms_db(x: np.ndarray) -> float:
    return db(np.mean(np.asarray(x, np.float64) ** 2))


def active_level_db(x: np.ndarray, fs: int = FS) -> float:
    """Power over the 20 ms frames within 30 dB of the loudest (a simple
    active speech level)."""
    n = int(0.02 * fs)
    frames = x[: len(x) // n * n].astype(np.float64).reshape(-1, n)
    p = np.mean(frames ** 2, axis=1)
    act = p > p.max() * 1e-3
    return db(np.mean(p[act]))


def scale_to(x: np.ndarray, level_db: float, current_db: Optional[float] = None) -> np.ndarray:
    cur = rms_db(x) if current_db is None else current_db
    return x * 10 ** ((level_db - cur) / 20)


# ---------------------------------------------------------------------------
# scenes


@dataclass
class Scene:
    kind: str                 # music, speech, path change, double talk
    room: Room
    label: str
    ref: np.ndarray
    echo: np.ndarray          # echo at the mic
    noise: np.ndarray
    near: np.ndarray          # near-end talker at the mic (zeros in single talk)
    change_s: float = 0.0     # echo-path change (path change scenes)
    talk_s: float = 0.0       # talker starts (double talk scenes)
    fs: int = FS

    @property
    def mic(self) -> np.ndarray:
        return (self.echo + self.noise + self.near).astype(np.float32)

    @property
    def seconds(self) -> float:
        return len(self.ref) / self.fs


def _mic_noise(n: int, seed: int) -> np.ndarray:
    return scale_to(pink_noise(n, seed), MIC_NOISE_DBFS)


def music_scene(room: Room, song: str, seconds: float, seed: int, fs: int = FS) -> Scene:
    x = music(song, seconds, fs)
    y = convolve(x, echo_path(room, fs=fs))
    g = 10 ** ((ECHO_RMS_DBFS - rms_db(y)) / 20)
    n = len(x)
    return Scene("music", room, f"music ({song})", (g * x).astype(np.float32), (g * y).astype(np.float32),
                 _mic_noise(n, seed), np.zeros(n, np.float32), fs=fs)


def far_speech_scene(room: Room, seconds: float, seed: int) -> Scene:
    x = speech_track(FAR_VOICES[seed % len(FAR_VOICES)], seconds, seed)
    y = convolve(x, echo_path(room))
    g = 10 ** ((ECHO_RMS_DBFS - active_level_db(y)) / 20)
    n = len(x)
    return Scene("speech", room, "far-end speech", (g * x).astype(np.float32), (g * y).astype(np.float32),
                 _mic_noise(n, seed), np.zeros(n, np.float32))


def path_change_scene(room: Room, seconds: float, change_s: float, latency_change_ms: float, seed: int,
                      fs: int = FS) -> Scene:
    """The device is moved to another spot of the room at change_s (new room
    response, the mic facing another way), and the audio path's latency
    changes by latency_change_ms (a re-synchronised output buffer)."""
    x = music("pop", seconds, fs)
    y1 = convolve(x, echo_path(room, fs=fs))
    y2 = convolve(x, echo_path(room, moved=True, latency_ms=BULK_DELAY_MS + latency_change_ms, fs=fs))
    c = int(change_s * fs)
    g = 10 ** ((ECHO_RMS_DBFS - rms_db(y1[:c])) / 20)
    y = np.concatenate([y1[:c], y2[c:] * np.sqrt(np.mean(y1[:c] ** 2) / np.mean(y2[:c] ** 2))])
    label = "path change" + (f", latency {latency_change_ms:+.0f} ms" if latency_change_ms else "")
    return Scene("path change", room, label, (g * x).astype(np.float32), (g * y).astype(np.float32),
                 _mic_noise(len(x), seed), np.zeros(len(x), np.float32), change_s=change_s, fs=fs)


def double_talk_scene(room: Room, seconds: float, talk_s: float, seed: int) -> Scene:
    """Music far end throughout; a near-end talker from talk_s on, whose active
    speech level at the mic is 5 dB below the echo's level over that span."""
    s = music_scene(room, "ballad", seconds, seed)
    t = int(talk_s * FS)
    voice = NEAR_VOICES[seed % len(NEAR_VOICES)]
    talker = speech_track(voice, seconds - talk_s, 100 + seed)
    near = np.zeros(len(s.ref))
    near[t:] = convolve(talker, talker_path(room))
    level = rms_db(s.echo[t:]) - 5.0
    near = scale_to(near, level, active_level_db(near[t:]))
    s.kind, s.label, s.near, s.talk_s = "double talk", f"double talk ({voice})", near.astype(np.float32), talk_s
    return s


# ---------------------------------------------------------------------------
# cancellers: run(mic, ref) -> (output aligned with the mic, CPU seconds)


class Unavailable(Exception):
    pass


def _to_i16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


class Ours:
    name = "edgeaudio"

    def __init__(self, suppressor: bool = True, fs: int = FS):
        from edgeaudio.aec import EchoCanceller
        self._make = lambda: EchoCanceller(fs, fs // 100, TAIL_MS, suppressor_strength=1.0 if suppressor else 0.0)

    def run(self, mic: np.ndarray, ref: np.ndarray) -> Tuple[np.ndarray, float]:
        ec = self._make()
        t = time.process_time()
        out = ec.process(mic, ref)  # one call: the core's cost (any block size gives the same output)
        cpu = time.process_time() - t
        lat = ec.latency
        return np.concatenate([out[lat:], np.zeros(lat, np.float32)]), cpu


class Speex:
    name = "speexdsp"

    def __init__(self, fs: int = FS):
        try:
            import speexdsp
        except ImportError as e:
            raise Unavailable(f"speexdsp not importable ({e}); apt-get install libspeexdsp-dev swig, "
                              "then pip install speexdsp")
        self._mod = speexdsp
        self.fs = fs

    def run(self, mic, ref):
        fs, frame = self.fs, self.fs // 100
        ec = self._mod.EchoCanceller.create(frame, int(TAIL_MS * fs / 1000), fs)
        m, r = _to_i16(mic), _to_i16(ref)
        out = np.zeros(len(m), np.int16)
        n = len(m) // frame * frame
        t = time.process_time()
        for i in range(0, n, frame):
            out[i: i + frame] = np.frombuffer(ec.process(m[i: i + frame].tobytes(), r[i: i + frame].tobytes()), np.int16)
        cpu = time.process_time() - t
        return out.astype(np.float32) / 32768.0, cpu


class WebRtcApm:
    """livekit.rtc.AudioProcessingModule (WebRTC APM): AEC3 alone, or NS alone.
    Its CPU is reported less the FFI round trip of a pass-through module."""

    def __init__(self, echo: bool, noise: bool, fs: int = FS):
        try:
            from livekit import rtc
        except ImportError as e:
            raise Unavailable(f"livekit not importable ({e}); pip install livekit")
        self._rtc = rtc
        self.fs = fs
        self._echo, self._noise = echo, noise
        self.name = "webrtc-aec3" if echo else "webrtc-ns"
        self._overhead = None

    def _loop(self, apm, mic, ref) -> Tuple[np.ndarray, float]:
        rtc = self._rtc
        m = _to_i16(mic)
        r = _to_i16(ref) if ref is not None else None
        out = np.zeros(len(m), np.int16)
        fs, frame = self.fs, self.fs // 100
        n = len(m) // frame * frame
        t = time.process_time()
        for i in range(0, n, frame):
            if r is not None:
                apm.process_reverse_stream(rtc.AudioFrame(r[i: i + frame].tobytes(), fs, 1, frame))
            f = rtc.AudioFrame(m[i: i + frame].tobytes(), fs, 1, frame)
            apm.process_stream(f)
            out[i: i + frame] = np.frombuffer(f.data, np.int16)
        return out.astype(np.float32) / 32768.0, time.process_time() - t

    def overhead_per_s(self) -> float:
        """CPU s per audio second of the FFI calls alone (best of 3, 5 s)."""
        if self._overhead is None:
            x = (0.01 * np.random.default_rng(0).standard_normal(5 * self.fs)).astype(np.float32)
            best = np.inf
            for _ in range(3):
                apm = self._rtc.AudioProcessingModule()
                best = min(best, self._loop(apm, x, x if self._echo else None)[1])
            self._overhead = best / 5.0
        return self._overhead

    def run(self, mic, ref=None):
        apm = self._rtc.AudioProcessingModule(echo_cancellation=self._echo, noise_suppression=self._noise)
        out, cpu = self._loop(apm, mic, ref if self._echo else None)
        return out, max(0.0, cpu - self.overhead_per_s() * len(mic) / self.fs)


# ---------------------------------------------------------------------------
# metrics

WIN_S, HOP_S = 0.25, 0.05


def erle_trace(mic: np.ndarray, out: np.ndarray, echo: np.ndarray, noise: np.ndarray, fs: int = FS
               ) -> Tuple[np.ndarray, np.ndarray]:
    """ERLE (mic / output power, dB) over 0.25 s windows every 50 ms, NaN in
    windows whose echo is under 20 dB above the noise. Returns (centres_s, erle_db)."""
    w, hop = int(WIN_S * fs), int(HOP_S * fs)
    starts = np.arange(0, len(mic) - w - fs // 10, hop)
    c = np.cumsum(np.concatenate([[0.0], mic.astype(np.float64) ** 2]))
    o = np.cumsum(np.concatenate([[0.0], out.astype(np.float64) ** 2]))
    e = np.cumsum(np.concatenate([[0.0], echo.astype(np.float64) ** 2]))
    nn = np.cumsum(np.concatenate([[0.0], noise.astype(np.float64) ** 2]))
    pm, po = c[starts + w] - c[starts], o[starts + w] - o[starts]
    pe, pn = e[starts + w] - e[starts], nn[starts + w] - nn[starts]
    erle = 10 * np.log10((pm + 1e-20) / (po + 1e-20))
    erle[pe < 100 * pn] = np.nan
    return (starts + w / 2) / fs, erle


def time_to(centres: np.ndarray, erle: np.ndarray, start_s: float, end_s: float, level_db: float = 20.0) -> float:
    """Seconds after start_s from which every active window up to end_s has
    ERLE >= level_db (inf if the last active window is below it)."""
    sel = (centres >= start_s) & (centres <= end_s) & ~np.isnan(erle)
    t, e = centres[sel], erle[sel]
    if len(e) == 0 or e[-1] < level_db:
        return float("inf")
    below = np.flatnonzero(e < level_db)
    first_ok = 0 if len(below) == 0 else below[-1] + 1
    return float(t[first_ok] - start_s)


def erle_between(mic, out, echo, noise, a_s: float, b_s: float, fs: int = FS) -> float:
    """ERLE over [a_s, b_s): mic / output power over the windows with far-end activity."""
    w = int(WIN_S * fs)
    a, b = int(a_s * fs), int(min(b_s, len(mic) / fs - 0.1) * fs)
    m, o = mic[a:b].astype(np.float64), out[a:b].astype(np.float64)
    e, n = echo[a:b].astype(np.float64), noise[a:b].astype(np.float64)
    k = len(m) // w * w
    pm, po = (m[:k] ** 2).reshape(-1, w).sum(1), (o[:k] ** 2).reshape(-1, w).sum(1)
    act = (e[:k] ** 2).reshape(-1, w).sum(1) > 100 * (n[:k] ** 2).reshape(-1, w).sum(1)
    if not act.any():
        return float("nan")
    return db(pm[act].sum() / max(po[act].sum(), 1e-30))


def si_sdr(estimate: np.ndarray, target: np.ndarray) -> float:
    e, s = estimate.astype(np.float64), target.astype(np.float64)
    alpha = np.dot(e, s) / (np.dot(s, s) + 1e-20)
    return db(np.sum((alpha * s) ** 2) / (np.sum((e - alpha * s) ** 2) + 1e-20))


def gain_db(estimate: np.ndarray, target: np.ndarray) -> float:
    s = target.astype(np.float64)
    return float(20 * np.log10(abs(np.dot(estimate.astype(np.float64), s)) / (np.dot(s, s) + 1e-20) + 1e-20))


def best_lag(out: np.ndarray, target: np.ndarray, max_lag: int) -> int:
    """The lag (out behind target, 0..max_lag samples) maximising their correlation."""
    n = len(out) + max_lag
    nfft = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(out, nfft) * np.conj(np.fft.rfft(target, nfft)), nfft)
    return int(np.argmax(xc[: max_lag + 1]))


def aligned_si_sdr(out: np.ndarray, target: np.ndarray, a: int, b: int, max_lag: int = 1024
                   ) -> Tuple[float, float, float]:
    """SI-SDR and gain of out[a:b] against target[a:b] after advancing out by
    the delay, integer lag of the correlation peak +- 1 sample in 1/20 steps,
    that maximises SI-SDR: a fixed (even fractional) delay of a system is not
    held against it (WebRTC's capture path delays by ~95.7 samples).
    Returns (si_sdr_db, gain_db, delay_samples)."""
    lag = best_lag(out[a:b], target[a:b], max_lag)
    seg = out[a: min(len(out), b + lag + 2)].astype(np.float64)
    seg = np.concatenate([seg, np.zeros(b - a + lag + 2 - len(seg))])
    spec = np.fft.rfft(seg)
    k = np.arange(len(spec))
    best = (-np.inf, 0.0, 0.0)
    for d in lag + np.arange(-1.0, 1.0001, 0.05):
        if d < 0:
            continue
        y = np.fft.irfft(spec * np.exp(2j * np.pi * k * d / len(seg)), len(seg))[: b - a]
        v = si_sdr(y, target[a:b])
        if v > best[0]:
            best = (v, gain_db(y, target[a:b]), float(d))
    return best


# ---------------------------------------------------------------------------
# the runs


@dataclass
class AecResult:
    scene: Scene
    name: str
    linear: bool = False        # edgeaudio's linear filter alone
    trace: Tuple[np.ndarray, np.ndarray] = None
    metrics: Dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0


def evaluate(scene: Scene, out: np.ndarray) -> Dict[str, float]:
    mic, echo, noise, fs = scene.mic, scene.echo, scene.noise, scene.fs
    centres, erle = erle_trace(mic, out, echo + scene.near, noise, fs)
    T = scene.seconds
    m: Dict[str, float] = {}
    if scene.kind in ("music", "speech"):
        m["t20"] = time_to(centres, erle, 0.0, T)
        m["steady"] = erle_between(mic, out, echo, noise, T / 2, T, fs)
        m["first_s"] = erle_between(mic, out, echo, noise, 1.0, 2.0, fs)
    elif scene.kind == "path change":
        c = scene.change_s
        m["before"] = erle_between(mic, out, echo, noise, c - 3, c, fs)
        m["after_1_3"] = erle_between(mic, out, echo, noise, c + 1, c + 3, fs)
        m["t20_change"] = time_to(centres, erle, c, T)
        m["steady_after"] = erle_between(mic, out, echo, noise, T - 3, T, fs)
    elif scene.kind == "double talk":
        t = int((scene.talk_s + 1.0) * FS)
        end = len(mic) - FS // 10
        m["si_sdr"], m["gain"], m["delay"] = aligned_si_sdr(out, scene.near, t, end)
        m["mic_si_sdr"] = si_sdr(mic[t:end], scene.near[t:end])
        m["erle_before"] = erle_between(mic, out, echo, noise, scene.talk_s - 3, scene.talk_s)
    return m


def build_scenes(quick: bool) -> List[Scene]:
    rooms = [r for r in ROOMS if r.rt60_s in (0.3, 0.6)] if quick else ROOMS
    secs = 12.0 if quick else 20.0
    scenes: List[Scene] = []
    for i, room in enumerate(rooms):
        for song in (("pop",) if quick else ("pop", "ballad")):
            scenes.append(music_scene(room, song, secs, seed=i))
        if not quick:
            scenes.append(far_speech_scene(room, secs, seed=i))
        for dl in ((-10.0,) if quick else (0.0, -10.0)):
            scenes.append(path_change_scene(room, 16.0 if not quick else 12.0, 8.0 if not quick else 6.0, dl, seed=i))
        scenes.append(double_talk_scene(room, 16.0 if not quick else 12.0, 6.0, seed=i))
    return scenes


def make_cancellers(log) -> Tuple[List[object], Dict[str, str]]:
    cancellers: List[object] = []
    missing: Dict[str, str] = {}
    for name, make in (("speexdsp", Speex), ("webrtc-aec3", lambda: WebRtcApm(echo=True, noise=False))):
        try:
            cancellers.append(make())
        except Unavailable as e:
            missing[name] = str(e)
            log(f"peer {name} unavailable: {e}")
    return cancellers, missing


def cpu_per_s(cancellers: Dict[str, object], scene: Scene, repeats: int) -> Dict[str, float]:
    """Process CPU seconds per audio second of each canceller: the median of
    `repeats` runs, the cancellers taking turns so that a change in the load
    of a shared machine falls on all of them."""
    runs: Dict[str, List[float]] = {name: [] for name in cancellers}
    for _ in range(repeats):
        for name, c in cancellers.items():
            runs[name].append(c.run(scene.mic, scene.ref)[1] / scene.seconds)
    return {name: float(np.median(v)) for name, v in runs.items()}


# ---------------------------------------------------------------------------
# noise suppression


@dataclass
class NsScene:
    noise_kind: str
    snr_db: float
    clean: np.ndarray
    noisy: np.ndarray
    lead_s: float


def build_ns_scenes(quick: bool) -> List[NsScene]:
    secs, lead = 8.0, 1.0
    voices = NEAR_VOICES[:1] if quick else NEAR_VOICES[:2]
    scenes = []
    for vi, voice in enumerate(voices):
        s = np.concatenate([np.zeros(int(lead * FS)), speech_track(voice, secs, 200 + vi)])
        s = scale_to(s, -26.0, active_level_db(s))
        n = len(s)
        babble = sum(scale_to(speech_track(v, secs + lead, 300 + k), -30.0)
                     for k, v in enumerate(NEAR_VOICES + FAR_VOICES) if v != voice)
        noises = {"stationary": pink_noise(n, 40 + vi), "babble": babble[:n]}
        for kind, noise in noises.items():
            for snr in (0.0, 5.0, 10.0):
                a = int(lead * FS)
                noise_s = scale_to(noise, rms_db(s[a:]) - snr, rms_db(noise[a:]))
                scenes.append(NsScene(kind, snr, s.astype(np.float32), (s + noise_s).astype(np.float32), lead))
    return scenes


class OursNs:
    name = "edgeaudio"

    def run(self, x):
        from edgeaudio.enhance import NoiseSuppressor
        ns = NoiseSuppressor(FS)
        t = time.process_time()
        out = ns.process(x)
        cpu = time.process_time() - t
        return np.concatenate([out[ns.latency:], np.zeros(ns.latency, np.float32)]), cpu


class SpeexNs:
    name = "speexdsp-ns"

    def __init__(self):
        try:
            import speexdsp_ns
        except ImportError as e:
            raise Unavailable(f"speexdsp_ns not importable ({e}); apt-get install libspeexdsp-dev swig, "
                              "then pip install speexdsp-ns")
        self._mod = speexdsp_ns

    def run(self, x):
        ns = self._mod.NoiseSuppression.create(FRAME, FS)
        m = _to_i16(x)
        out = np.zeros(len(m), np.int16)
        t = time.process_time()
        for i in range(0, len(m) // FRAME * FRAME, FRAME):
            out[i: i + FRAME] = np.frombuffer(ns.process(m[i: i + FRAME].tobytes()), np.int16)
        return out.astype(np.float32) / 32768.0, time.process_time() - t


def ns_metrics(sc: NsScene, out: np.ndarray) -> Dict[str, float]:
    a, end = int(sc.lead_s * FS), len(sc.clean) - FS // 10
    return {"si_sdr_in": si_sdr(sc.noisy[a:end], sc.clean[a:end]),
            "si_sdr_out": aligned_si_sdr(out, sc.clean, a, end)[0]}


# ---------------------------------------------------------------------------
# report


def fmt(v: float, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "n/a"
    if isinstance(v, float) and np.isinf(v):
        return "never"
    return f"{v:.1f}{unit}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def cpu_name() -> str:
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="two rooms (RT60 0.3, 0.6), one song, 12 s scenes, one path change: about a minute")
    ap.add_argument("--write", action="store_true",
                    help="replace the 'Echo cancellation and noise suppression' section of BENCHMARKS.md")
    ap.add_argument("--no-ns", action="store_true", help="skip the noise suppression comparison")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    ap.add_argument("--run-one", choices=["edgeaudio", "speexdsp"],
                    help="only run this canceller once on the CPU scene (living room, pop, 20 s) and print its CPU: "
                         "for instruction counts, e.g. valgrind --tool=callgrind "
                         "--toggle-collect='*EchoCanceller::process*' (or speex_echo_cancellation)")
    ap.add_argument("--trace-room", default="living room",
                    help="room whose music ERLE-over-time trace is printed (default: living room)")
    args = ap.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    t_start = time.time()

    import edgeaudio
    log(f"edgeaudio {edgeaudio.__version__}, SIMD {edgeaudio.simd_info()['active']}; cache {cache_dir()}")
    if args.run_one:
        sc = music_scene(next(r for r in ROOMS if r.rt60_s == 0.3), "pop", 20.0, seed=1)
        runner = Ours(True) if args.run_one == "edgeaudio" else Speex()
        cpu_s = runner.run(sc.mic, sc.ref)[1]
        print(f"{args.run_one}: {100 * cpu_s / sc.seconds:.2f}% of a core on {sc.seconds:.0f} s")
        return 0
    log("building scenes (first run: renders music, speech and rooms into the cache)...")
    scenes = build_scenes(args.quick)
    peers, missing = make_cancellers(log)
    runners = [("edgeaudio", Ours(True), False), ("edgeaudio", Ours(False), True)] + [(p.name, p, False) for p in peers]
    names = ["edgeaudio"] + [p.name for p in peers]

    results: List[AecResult] = []
    for sc in scenes:
        log(f"  {sc.room.name:12s} {sc.label}")
        for name, runner, linear in runners:
            out, cpu = runner.run(sc.mic, sc.ref)
            r = AecResult(sc, name, linear, erle_trace(sc.mic, out, sc.echo + sc.near, sc.noise), evaluate(sc, out), cpu)
            results.append(r)

    # CPU: the music scene of the RT60 0.3 s room, median of CPU_REPEATS
    cpu_scene = next(s for s in scenes if s.kind == "music" and s.room.rt60_s == 0.3)
    cpu = cpu_per_s({"edgeaudio": runners[0][1], **{p.name: p for p in peers}}, cpu_scene, CPU_REPEATS)

    # 48 kHz: the living room's music and latency-changing path change, and the CPU on that music
    scenes48: List[Scene] = []
    cpu48: Dict[str, float] = {}
    if not args.quick:
        room48 = next(r for r in ROOMS if r.rt60_s == 0.3)
        scenes48 = [music_scene(room48, "pop", 20.0, seed=1, fs=FS48),
                    path_change_scene(room48, 16.0, 8.0, -10.0, seed=1, fs=FS48)]
        makers = {"speexdsp": lambda: Speex(FS48), "webrtc-aec3": lambda: WebRtcApm(echo=True, noise=False, fs=FS48)}
        runners48 = [("edgeaudio", Ours(True, FS48), False), ("edgeaudio", Ours(False, FS48), True)] + [
            (name, makers[name](), False) for name in names[1:]]
        for sc in scenes48:
            log(f"  48 kHz {sc.room.name:12s} {sc.label}")
            for name, runner, linear in runners48:
                out, c = runner.run(sc.mic, sc.ref)
                results.append(AecResult(sc, name, linear, None, evaluate(sc, out), c))
        cpu48 = cpu_per_s({name: r for name, r, linear in runners48 if not linear}, scenes48[0], CPU_REPEATS)

    def get(sc, name, linear=False):
        return next(r for r in results if r.scene is sc and r.name == name and r.linear == linear)

    out_lines: List[str] = []
    emit = lambda s="": out_lines.append(s)

    # --- echo tables
    emit(f"Echo cancellation: 16 kHz, 10 ms frames, {TAIL_MS:.0f} ms filters, reference {BULK_DELAY_MS:.0f} ms ahead "
         f"of its echo, echo {ECHO_RMS_DBFS:.0f} dBFS, mic noise {MIC_NOISE_DBFS:.0f} dBFS. "
         "ERLE in dB; edgeaudio as linear filter / total.")
    emit()
    hdr = ["room (RT60 design/measured)", "scene", "metric"] + names
    metric_names = {
        "music": [("steady", "steady ERLE (2nd half)"), ("first_s", "ERLE 1-2 s"), ("t20", "time to 20 dB (s)")],
        "speech": [("steady", "steady ERLE (2nd half)"), ("t20", "time to 20 dB (s)")],
        "path change": [("before", "ERLE before"), ("after_1_3", "ERLE 1-3 s after"),
                        ("t20_change", "time to 20 dB after (s)"), ("steady_after", "ERLE last 3 s")],
        "double talk": [("si_sdr", "near-end SI-SDR (mic: {mic})"), ("gain", "talker gain"),
                        ("erle_before", "ERLE before talk")],
    }
    def echo_rows(scene_list: List[Scene]) -> List[List[str]]:
        rows = []
        for sc in scene_list:
            rname = f"{sc.room.name} ({sc.room.rt60_s:.1f}/{measured_rt60(sc.room, sc.fs):.2f} s)"
            for key, label in metric_names[sc.kind]:
                if "{mic}" in label:
                    label = label.format(mic=fmt(get(sc, "edgeaudio").metrics["mic_si_sdr"]))
                cells = []
                for name in names:
                    v = get(sc, name).metrics[key]
                    if name == "edgeaudio" and sc.kind != "double talk":
                        cells.append(f"{fmt(get(sc, name, True).metrics[key])} / {fmt(v)}")
                    else:
                        cells.append(fmt(v))
                rows.append([rname, sc.label, label] + cells)
                rname = ""
        return rows

    def cpu_table(c: Dict[str, float], fs: int) -> None:
        emit(f"CPU seconds per audio second at {fs // 1000} kHz (music, living room; process CPU time, median of "
             f"{CPU_REPEATS} runs taking turns; edgeaudio: one process() call; peers per 10 ms frame"
             + (", AEC3 less its FFI round trip" if "webrtc-aec3" in c else "") + "):")
        emit(table(["", *c.keys()], [["% of one core", *(f"{100 * v:.2f}%" for v in c.values())]]))
        emit()

    emit(table(hdr, echo_rows(scenes)))
    emit()
    cpu_table(cpu, FS)
    if scenes48:
        emit(f"The same at 48 kHz (10 ms frames, {TAIL_MS:.0f} ms filters): one room, music and the latency-changing "
             "path change.")
        emit()
        emit(table(hdr, echo_rows(scenes48)))
        emit()
        cpu_table(cpu48, FS48)

    # --- ERLE over time (one room, music)
    trace_sc = next((s for s in scenes if s.kind == "music" and s.room.name == args.trace_room), None)
    pc_sc = next((s for s in scenes if s.kind == "path change" and s.room.name == args.trace_room
                  and "latency" in s.label), None)
    for sc in (trace_sc, pc_sc):
        if sc is None:
            continue
        secs = int(sc.seconds)
        emit(f"ERLE over time, {sc.room.name}, {sc.label}: each second's mean over active windows (dB)")
        trows = []
        for name, linear in [("edgeaudio", True), ("edgeaudio", False)] + [(n, False) for n in names[1:]]:
            c, e = get(sc, name, linear).trace
            cells = []
            for k in range(secs):
                sel = (c >= k) & (c < k + 1) & ~np.isnan(e)
                cells.append(f"{np.mean(e[sel]):.0f}" if sel.any() else "-")
            trows.append([name + (" linear" if linear else (" total" if name == "edgeaudio" else ""))] + cells)
        emit(table(["t (s)"] + [str(k) for k in range(secs)], trows))
        emit()

    # --- targets (rooms with RT60 <= 0.4 s; longer rooms shown separately)
    def worst(kind, key, name="edgeaudio", rooms_max=0.4, rooms_min=0.0, fn=min, linear=False, absval=False):
        vals = [get(s, name, linear).metrics[key] for s in scenes
                if s.kind == kind and rooms_min < s.room.rt60_s <= rooms_max + 1e-9]
        vals = [abs(v) if absval else v for v in vals]
        return fn(vals) if vals else float("nan")

    target_rows = []
    ok_all = True
    for band, lo, hi in (("RT60 <= 0.4 s", 0.0, 0.4), ("RT60 0.6-0.8 s (informative)", 0.4, 0.8)):
        if not any(lo < s.room.rt60_s <= hi + 1e-9 for s in scenes):
            continue
        margin = []
        for s in scenes:
            if s.kind == "music" and lo < s.room.rt60_s <= hi + 1e-9:
                ours = get(s, "edgeaudio").metrics["steady"]
                best_peer = max([get(s, p).metrics["steady"] for p in names[1:]], default=float("nan"))
                margin.append(ours - best_peer)
        checks = [
            ("steady ERLE on music, worst room (total)", worst("music", "steady", rooms_min=lo, rooms_max=hi), ">= 30 dB",
             lambda v: v >= 30),
            ("  same, linear filter alone", worst("music", "steady", rooms_min=lo, rooms_max=hi, linear=True), "(reported)",
             None),
            ("margin over the better peer, worst room", min(margin) if margin and names[1:] else float("nan"), ">= 3 dB",
             lambda v: v >= 3),
            ("time to 20 dB from the start, music, worst room", worst("music", "t20", rooms_min=lo, rooms_max=hi, fn=max),
             "<= 1 s", lambda v: v <= 1.0),
            ("time to 20 dB after a path change, worst", worst("path change", "t20_change", rooms_min=lo, rooms_max=hi,
                                                              fn=max), "<= 3 s", lambda v: v <= 3.0),
            ("double talk: |talker gain|, worst", worst("double talk", "gain", rooms_min=lo, rooms_max=hi, fn=max,
                                                        absval=True), "<= 3 dB", lambda v: v <= 3.0),
            ("double talk: near-end SI-SDR, worst", worst("double talk", "si_sdr", rooms_min=lo, rooms_max=hi),
             ">= 15 dB", lambda v: v >= 15.0),
        ]
        for label, v, goal, test in checks:
            if test is None or v is None or (isinstance(v, float) and np.isnan(v)):
                met = "-"
            else:
                met = "met" if test(v) else "MISSED"
                if band.startswith("RT60 <=") and met == "MISSED":
                    ok_all = False
            target_rows.append([band, label, fmt(v, ""), goal, met])
            band = ""
    if "speexdsp" in cpu:
        v = 100 * cpu["edgeaudio"]
        met = "met" if cpu["edgeaudio"] <= cpu["speexdsp"] else "MISSED"
        ok_all &= met == "met"
        target_rows.append(["16 kHz, 256 ms", "CPU, % of a core", f"{v:.2f}", f"<= speexdsp ({100 * cpu['speexdsp']:.2f})", met])
    if scenes48:
        band = "48 kHz, 256 ms (informative)"
        steady48 = get(scenes48[0], "edgeaudio").metrics["steady"]
        target_rows.append([band, "steady ERLE on music, living room (total)", fmt(steady48), ">= 30 dB",
                            "met" if steady48 >= 30.0 else "MISSED"])
        t20 = get(scenes48[1], "edgeaudio").metrics["t20_change"]
        target_rows.append(["", "time to 20 dB after a path change", fmt(t20), "<= 3 s", "met" if t20 <= 3.0 else "MISSED"])
        if "speexdsp" in cpu48:
            target_rows.append(["", "CPU, % of a core", f"{100 * cpu48['edgeaudio']:.2f}",
                                f"<= speexdsp ({100 * cpu48['speexdsp']:.2f})",
                                "met" if cpu48["edgeaudio"] <= cpu48["speexdsp"] else "MISSED"])
    emit("Targets of issue 5 (edgeaudio, default configuration):")
    emit(table(["rooms", "target", "measured", "goal", ""], target_rows))
    emit()

    # --- noise suppression
    ns_lines: List[str] = []
    if not args.no_ns:
        log("noise suppression...")
        ns_runners = [OursNs()]
        for name, make in (("speexdsp-ns", SpeexNs), ("webrtc-ns", lambda: WebRtcApm(echo=False, noise=True))):
            try:
                ns_runners.append(make())
            except Unavailable as e:
                missing[name] = str(e)
                log(f"peer {name} unavailable: {e}")
        ns_scenes = build_ns_scenes(args.quick)
        agg: Dict[Tuple[str, float, str], List[float]] = {}
        ns_cpu: Dict[str, float] = {}
        for sc in ns_scenes:
            for r in ns_runners:
                out, c = r.run(sc.noisy)
                mm = ns_metrics(sc, out)
                agg.setdefault((sc.noise_kind, sc.snr_db, r.name), []).append(mm["si_sdr_out"] - mm["si_sdr_in"])
                agg.setdefault((sc.noise_kind, sc.snr_db, "input"), []).append(mm["si_sdr_in"])
                ns_cpu[r.name] = ns_cpu.get(r.name, 0.0) + c / (len(sc.noisy) / FS) / len(ns_scenes)
        nrows = []
        for kind in ("stationary", "babble"):
            for snr in (0.0, 5.0, 10.0):
                nrows.append([kind, f"{snr:.0f}", fmt(float(np.mean(agg[(kind, snr, 'input')])))] +
                             [fmt(float(np.mean(agg[(kind, snr, r.name)]))) for r in ns_runners])
        clean_rows = []
        for r in ns_runners:  # the speech alone: how much a suppressor changes clean speech
            vals = []
            for sc in ns_scenes:
                if sc.noise_kind == "stationary" and sc.snr_db == 0.0:
                    a, end = int(sc.lead_s * FS), len(sc.clean) - FS // 10
                    vals.append(aligned_si_sdr(r.run(sc.clean)[0], sc.clean, a, end)[0])
            clean_rows.append(fmt(float(np.mean(vals))))
        nrows.append(["none (clean in)", "", "SI-SDR out:"] + clean_rows)
        nrows.append(["CPU", "", ""] + [f"{100 * ns_cpu[r.name]:.2f}%" for r in ns_runners])
        ns_lines.append("Noise suppression: SI-SDR improvement (dB) on TTS speech, mean over "
                        f"{len(ns_scenes) // 6} voice(s); edgeaudio at its defaults (20 dB limit), speexdsp-ns at its "
                        "defaults (-15 dB), WebRTC NS as livekit configures it; each output aligned by the (fractional) delay that suits it best.")
        ns_lines.append("")
        ns_lines.append(table(["noise", "SNR (dB)", "input SI-SDR"] + [r.name for r in ns_runners], nrows))
        ns_lines.append("")
        out_lines.extend(ns_lines)

    emit("Notes: speexdsp is its MDF linear filter only (the PyPI binding calls speex_echo_cancellation and no "
         "preprocessor with the echo state, so no residual echo suppressor); its 256 ms filter also has to span the "
         "60 ms bulk delay, which it does not estimate. WebRTC AEC3 exposes no linear-filter output. 'path change': the "
         "device moved within the room at 8 s; ', latency -10 ms': the audio path also became 10 ms shorter. "
         "SI-SDR penalises any change of waveform: WebRTC NS scores about -1 dB even on clean speech, so its "
         "SI-SDR figures say little about how much noise it removes.")
    emit()
    if missing:
        emit("Peers that could not run here:")
        for k, v in missing.items():
            emit(f"- {k}: {v}")
        emit()

    report = "\n".join(out_lines)
    print(report)
    log(f"done in {time.time() - t_start:.0f} s")

    if args.write:
        write_benchmarks(report, args, missing)
    return 1 if args.strict and not ok_all else 0


SECTION = "## Echo cancellation and noise suppression"


def write_benchmarks(report: str, args, missing) -> None:
    path = REPO / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# edgeaudio benchmarks\n"
    cmd = "python tools/bench/aec_eval.py" + (" --quick" if args.quick else "") + (" --no-ns" if args.no_ns else "") + " --write"
    import edgeaudio
    versions = []
    for mod in ("speexdsp", "livekit", "pyroomacoustics"):
        try:
            from importlib.metadata import version
            versions.append(f"{mod} {version(mod)}")
        except Exception:
            versions.append(f"{mod} missing")
    body = (f"{SECTION}\n\n"
            f"{datetime.date.today().isoformat()}, {cpu_name()} ({os.cpu_count()} cores), "
            f"Python {platform.python_version()}, edgeaudio {edgeaudio.__version__}, {', '.join(versions)}.\n"
            f"Command: `{cmd}` (scenes: pyroomacoustics rooms, FluidSynth-rendered General MIDI music, "
            "espeak-ng voices; see the script's --help).\n\n"
            "```\n" + report.rstrip() + "\n```\n")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + body
    path.write_text(text)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
