"""The demo scene: a smart speaker playing music hears a wake word and a command.

:func:`make_scene` builds, from the bundled assets (``edgeaudio/data/demo_assets.npz``,
made by ``tools/make_demo_assets.py``) and the seed:

* **music** through the device's own loudspeaker: a chord progression, bass
  and melody from note data made here, rendered by :mod:`edgeaudio.synth`'s
  built-in instruments; its echo reaches the mic through a room's
  loudspeaker-to-mic response (pyroomacoustics, precomputed);
* a **talker** 1.5-2.5 m away saying the wake phrase, then a command, through
  the same room's talker-to-mic response; the voices are the held-out (test)
  voices of the training speakers, never heard in training;
* **noise**: pink noise at the mic.

:func:`run` runs the full :class:`~edgeaudio.pipeline.Pipeline` on the mic
with and without the echo canceller and returns the detections beside the
true times. ``edgeaudio demo`` prints them and writes a PNG.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from . import models as _models
from .pipeline import Event, Pipeline

__all__ = ["Scene", "make_scene", "run", "assets_path", "wake_setup"]

FS = 16000
SECONDS = 9.0


def assets_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "demo_assets.npz"


def _assets() -> Dict[str, np.ndarray]:
    p = assets_path()
    if not p.is_file():
        raise FileNotFoundError(f"{p}: the demo assets are missing (reinstall edgeaudio, or run "
                                "tools/make_demo_assets.py in a checkout)")
    with np.load(p) as z:
        return {k: z[k] for k in z.files}


def wake_setup() -> Tuple[str, str, str, str]:
    """(wake spec for the Pipeline, the clip key of the wake phrase, a description, command model).

    With the bundled ``hey_jarvis`` model the wake word is "hey jarvis"; a build without it
    uses the commands model's "yes" as the trigger (and says so)."""
    entries = _models.manifest()["models"]
    if "hey_jarvis" in entries:
        return "hey_jarvis", "hey_jarvis", 'wake word "hey jarvis" (hey_jarvis model)', "commands"
    return ("commands:yes", "yes",
            'trigger "yes" (commands model: no wake-word model is bundled in this build)', "commands")


def _music(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Pop-style accompaniment from note data: keys chords, bass, a lead melody, plucked arpeggio."""
    from . import synth

    tempo = rng.uniform(96, 128)
    beat = 60.0 / tempo
    root = int(rng.integers(55, 62))
    progressions = [(0, 7, 9, 5), (0, 5, 7, 5), (9, 5, 0, 7), (0, 9, 5, 7)]
    prog = progressions[int(rng.integers(len(progressions)))]
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16])
    events: List[Tuple[int, int, int, int]] = []

    def note(t: float, dur: float, ch: int, key: int, vel: int) -> None:
        a = int(t * FS)
        b = int((t + dur) * FS)
        events.append((a, 0x90 | ch, key, vel))
        events.append((b, 0x80 | ch, key, 0))

    for ch, program in ((0, 0), (1, 33), (2, 80), (3, 25)):
        events.append((0, 0xC0 | ch, program, 0))
    t, bar = 0.0, 0
    while t < seconds:
        deg = prog[bar % len(prog)]
        minor = deg in (9, 4)
        chord = [root + deg, root + deg + (3 if minor else 4), root + deg + 7]
        for k in chord:
            note(t, 4 * beat * 0.95, 0, k, 70)
        for b in range(4):
            note(t + b * beat, beat * 0.8, 1, root + deg - 24, 90)
        for s in range(8):
            note(t + s * beat / 2, beat / 2 * 0.9, 3, chord[s % 3] + 12, 60)
        mt = t
        while mt < t + 4 * beat - 1e-9:
            d = beat * float(rng.choice([0.5, 1.0, 1.5]))
            note(mt, d * 0.9, 2, root + 12 + int(rng.choice(scale)), 80)
            mt += d
        t += 4 * beat
        bar += 1
    n = int(seconds * FS)
    ev = sorted((e for e in events if e[0] < n), key=lambda e: (e[0], e[1] & 0xF0 != 0xC0))
    s = synth.Synth(sample_rate=FS, max_voices=48)
    out = s.render(n, ev)
    return out.mean(axis=1).astype(np.float64)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec))
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    x = np.fft.irfft(spec, n)
    return x / np.sqrt(np.mean(x ** 2))


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(max(np.mean(np.asarray(x, np.float64) ** 2), 1e-30)))


def _active_db(x: np.ndarray) -> float:
    n = FS // 50
    p = np.mean(x[: len(x) // n * n].reshape(-1, n) ** 2, axis=1)
    return float(10 * np.log10(np.mean(p[p > p.max() * 1e-3])))


@dataclass
class Scene:
    seed: int
    mic: np.ndarray           # float32: echo + talker + noise
    ref: np.ndarray           # float32: what the loudspeaker played
    echo: np.ndarray
    speech: np.ndarray
    truth: List[Dict[str, Any]]   # {"label", "start_s", "end_s", "kind"}
    room: str
    voice: str
    ser_db: float
    snr_db: float
    wake_desc: str = ""
    info: Dict[str, Any] = field(default_factory=dict)


def make_scene(seed: int = 0, seconds: float = SECONDS, ser_db: Optional[float] = None) -> Scene:
    """The scene for ``seed``: room, voice, command, timing, music and levels all follow from it.

    ``ser_db`` (signal-to-echo ratio: the talker's active speech level over the echo's level
    at the mic) defaults to a seeded value in [-8, -3] dB: music louder than the talker.
    """
    rng = np.random.default_rng(int(seed))
    a = _assets()
    meta = json.loads(bytes(a["meta"]).decode())
    n_rooms = len(meta["rooms"])
    n_voices = len(meta["voices"])
    wake_spec, wake_key, wake_desc, _cmd = wake_setup()
    ri = int(rng.integers(n_rooms))
    vi = int(rng.integers(n_voices))
    commands = [c for c in meta["commands"] if c != wake_key]
    cmd = commands[int(rng.integers(len(commands)))]
    wake_clip = a[f"speech/{vi}/{wake_key}"].astype(np.float64) / 32768
    cmd_clip = a[f"speech/{vi}/{cmd}"].astype(np.float64) / 32768
    n = int(seconds * FS)
    t_wake = float(rng.uniform(3.5, 4.5))
    t_cmd = t_wake + len(wake_clip) / FS + float(rng.uniform(0.5, 0.8))
    dry = np.zeros(n)
    i0, i1 = int(t_wake * FS), int(t_cmd * FS)
    dry[i0:i0 + len(wake_clip)] += wake_clip
    dry[i1:i1 + len(cmd_clip)] += cmd_clip
    h_talk = a[f"room/{ri}/talker"].astype(np.float64)
    h_echo = a[f"room/{ri}/echo"].astype(np.float64)
    speech = np.convolve(dry, h_talk)[:n]
    speech *= 10 ** ((-26.0 - _active_db(speech[i0:i0 + len(wake_clip)])) / 20)
    music = _music(rng, seconds)
    echo = np.convolve(music, h_echo)[:n]
    ser = float(rng.uniform(-8.0, -3.0)) if ser_db is None else float(ser_db)
    g = 10 ** ((-26.0 - ser - _rms_db(echo[FS:])) / 20)
    echo *= g
    ref = music * g
    snr = 25.0
    noise = _pink(n, rng) * 10 ** ((-26.0 - snr) / 20)
    mic = echo + speech + noise
    direct = int(np.argmax(np.abs(h_talk))) / FS
    wake_label = wake_key
    if ":" not in wake_spec:   # a wake-word model: its positive class names the event
        labels = _models.manifest()["models"][wake_spec]["labels"]
        wake_label = [l for l in labels if l not in ("negative", "silence", "unknown")][0]
    truth = [
        {"label": wake_label, "kind": "wake", "start_s": t_wake + direct, "end_s": t_wake + direct + len(wake_clip) / FS},
        {"label": cmd, "kind": "command", "start_s": t_cmd + direct, "end_s": t_cmd + direct + len(cmd_clip) / FS},
    ]
    return Scene(int(seed), mic.astype(np.float32), ref.astype(np.float32), echo.astype(np.float32),
                 speech.astype(np.float32), truth, meta["rooms"][ri], meta["voices"][vi], ser, snr, wake_desc,
                 {"wake_spec": wake_spec})


@dataclass
class Result:
    label: str                # "with AEC" / "without AEC"
    events: List[Event]
    rtf: float
    timing: Dict[str, Any]
    pipeline: Pipeline


def run(scene: Scene, aec: bool, record: bool = False) -> Result:
    """The full pipeline (wake word, then the commands model for 3 s) on the scene's mic."""
    wake_spec, _key, _desc, cmd_model = wake_setup()
    p = Pipeline([], aec=aec, wake=wake_spec, command_model=cmd_model, record_scores=record)
    ev = p.process_signal(scene.mic, scene.ref if aec else None, block=1600)
    t = p.timing()
    return Result("with AEC" if aec else "without AEC", ev, t["rtf"], t, p)


def match(truth: Dict[str, Any], events: List[Event], tolerance_s: float = 0.5) -> Optional[Event]:
    """The first event with the truth's label (and kind) whose time is within tolerance of its end."""
    for e in events:
        if e.label == truth["label"] and e.kind == truth["kind"] and abs(e.time_s - truth["end_s"]) <= tolerance_s:
            return e
    return None


def plot(scene: Scene, results: List[Result], path: str) -> None:
    """PNG: mic waveform (echo vs talker), spectrograms before / after the chain, scores and detections."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2 + 2 * len(results), 1, figsize=(11, 2.1 * (2 + 2 * len(results))), sharex=True)
    t = np.arange(len(scene.mic)) / FS
    ax = axes[0]
    ax.plot(t, scene.echo, lw=0.4, color="tab:orange", label="loudspeaker echo")
    ax.plot(t, scene.speech, lw=0.4, color="tab:blue", label="talker")
    for tr in scene.truth:
        ax.axvspan(tr["start_s"], tr["end_s"], color="tab:green", alpha=0.2)
        ax.text(tr["start_s"], ax.get_ylim()[1] * 0.8 if ax.get_ylim()[1] else 0.1, tr["label"], fontsize=8)
    ax.legend(loc="upper left", fontsize=7)
    ax.set_title(f"seed {scene.seed}: {scene.room}, voice {scene.voice}, SER {scene.ser_db:.1f} dB, "
                 f"SNR {scene.snr_db:.0f} dB; {scene.wake_desc}", fontsize=9)
    _spec(axes[1], scene.mic, "mic")
    row = 2
    for r in results:
        audio = r.pipeline.processed_audio
        _spec(axes[row], audio, f"{r.label}: the signal the models hear (after {'AEC + ' if r.pipeline.use_aec else ''}high-pass"
                                     f"{' + NS' if r.pipeline.use_ns else ''})")
        ax = axes[row + 1]
        for name, (times, post, labels) in r.pipeline.scores.items():
            for ci, lab in enumerate(labels):
                if lab in ("silence", "unknown", "negative"):
                    continue
                if post.size and (post[:, ci].max() > 0.2 or name == r.pipeline.wake_model):
                    ax.plot(times, post[:, ci], lw=0.8, label=f"{name}:{lab}")
        for e in r.events:
            ax.axvline(e.time_s, color="k", ls="--", lw=0.8)
            ax.text(e.time_s, 1.02, f"{e.label} ({e.kind})", fontsize=7)
        for tr in scene.truth:
            ax.axvline(tr["end_s"], color="tab:green", lw=2, alpha=0.5)
        ax.set_ylim(0, 1.15)
        ax.set_ylabel("score")
        ax.set_title(f"{r.label}: model scores, detections (dashed) and true word ends (green); RTF {r.rtf:.4f}",
                     fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=6, ncol=4)
        row += 2
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _spec(ax, x: np.ndarray, title: str) -> None:
    from .features import FrontendConfig, logmel

    cfg = FrontendConfig.preset("kws", hop_length=160)
    m = logmel(np.asarray(x, np.float32), cfg)
    ax.imshow(m.T, origin="lower", aspect="auto", extent=(0, len(x) / FS, 0, m.shape[1]), cmap="magma",
              vmin=np.percentile(m, 5), vmax=m.max())
    ax.set_ylabel("mel band")
    ax.set_title(title, fontsize=9)
