#!/usr/bin/env python3
"""Barge-in: wake words spoken while the device plays music through its own loudspeaker.

Scenes come from the AEC harness (tools/bench/aec_eval.py): its pyroomacoustics
rooms (RT60 0.2-0.8 s, mic 5-10 cm from the driver, 60 ms audio-path latency),
its FluidSynth-rendered General MIDI music as the playback, its talker-to-mic
responses and mic self-noise. The talker says the wake phrase with a held-out
(test split) voice of edgeaudio/train/voices.py, 4-5 s into an 8 s clip, at a
signal-to-echo ratio (talker active speech level / echo level at the mic) of
+5, 0, -5 and -10 dB, and in a quiet room (no playback).

Systems, all at their shipped default thresholds, on the same audio:
  ours + AEC     edgeaudio Pipeline with the playback reference
  ours, no AEC   the same pipeline on the mic alone
  ours + AEC + NS  with ``--with-ns``: the noise suppressor after the AEC (off by default)
  microWakeWord  pymicro-wakeword's bundled model (when the wake word is one it ships)
                 (or, with ``--microwakeword PYTHON``, wakeword_peer.py's runner in that venv)
  openWakeWord   with ``--openwakeword PYTHON`` (its own venv): the runner of
                 tools/bench/wakeword_peer.py (wyoming-openwakeword's tflite
                 models, threshold 0.5), run by that Python on the same audio

A wake word counts as detected when a detection falls between its start and
1 s after its end. False accepts are counted on music-only playback
(``--fa-minutes`` of it, the echo alone at the mic): consecutive minutes of
the two songs (half the minutes each, rooms rotating per minute), every
system on the same audio, detections closer than ``--refractory`` s counting
once (the rule of tools/wakeword_eval.py), reported as count, hours, rate and
the one-sided 95% Poisson upper bound.

Examples
--------
python tools/bench/bargein.py --write
python tools/bench/bargein.py --voices 3 --fa-minutes 5
python tools/bench/bargein.py --voices 4 --fa-minutes 30 \
    --microwakeword $MWW_VENV/bin/python --openwakeword $OWW_VENV/bin/python --write
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.bench import aec_eval as H  # noqa: E402
from tools.bench.wakeword_peer import _events  # noqa: E402

FS = 16000
SECTION = "## Barge-in: wake word detection while the device plays music"
CONDITIONS = ("quiet", "+5 dB", "0 dB", "-5 dB", "-10 dB")
CLIP_S = 8.0


def wake_clips(phrase: str, n: int) -> List[Tuple[str, np.ndarray]]:
    from edgeaudio.train import voices

    test = [s for s in voices.speakers() if s.split == "test"]
    out = []
    for sp in test[:n]:
        if sp.engine == "festival":
            x = voices.render_festival_batch([(phrase, sp.voice, 1.0)])[0]
        else:
            x = voices.render_espeak(phrase, sp, speed_wpm=150)
        out.append((sp.name, x.astype(np.float64)))
    return out


def trial(room, song: str, clip: np.ndarray, ser: Optional[float], offset_s: float, seed: int):
    """(mic, ref, speech start s, speech end s)."""
    n = int(CLIP_S * FS)
    t0 = 4.0 + (seed % 5) * 0.2
    dry = np.zeros(n)
    i = int(t0 * FS)
    dry[i:i + len(clip)] = clip[: n - i]
    speech = H.convolve(dry, H.talker_path(room))
    level = H.active_level_db(speech[i:i + len(clip)])
    speech = H.scale_to(speech, -26.0, level)
    noise = H._mic_noise(n, seed)
    if ser is None:
        ref = np.zeros(n)
        echo = np.zeros(n)
    else:
        full = H.music(song, offset_s + CLIP_S)
        x = full[int(offset_s * FS): int(offset_s * FS) + n]
        echo = H.convolve(x, H.echo_path(room))
        g = 10 ** ((-26.0 - ser - H.rms_db(echo)) / 20)
        echo, ref = echo * g, x * g
    mic = (speech + echo + noise).astype(np.float32)
    direct = int(np.argmax(np.abs(H.talker_path(room)))) / FS
    return mic, ref.astype(np.float32), t0 + direct, t0 + direct + len(clip) / FS


class Ours:
    def __init__(self, aec: bool, wake: str, ns: bool = False):
        self.aec, self.wake, self.ns = aec, wake, ns
        self.name = ("ours + AEC" if aec else "ours, no AEC") + (" + NS" if ns else "")

    def times(self, mic, ref) -> List[float]:
        from edgeaudio.pipeline import Pipeline

        p = Pipeline([], wake=self.wake, aec=self.aec, noise_suppression=self.ns)
        return [e.time_s for e in p.process_signal(mic, ref if self.aec else None, block=16000) if e.kind == "wake"]


def _int16(x: np.ndarray) -> np.ndarray:
    return np.round(np.clip(x, -1, 0.99997) * 32767).astype("<i2")


def batch_times(system, pairs) -> List[List[float]]:
    """Detection times for each (mic, ref); systems with their own batch runner use it."""
    if hasattr(system, "batch_times"):
        return system.batch_times(pairs)
    return [system.times(mic, ref) for mic, ref in pairs]


class VenvPeer:
    """A peer in its own environment: ``PYTHON`` imports the runner of
    tools/bench/wakeword_peer.py and returns detection times per stream."""

    _DRIVER = (
        "import json, sys, numpy as np\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import wakeword_peer\n"
        "word = sys.argv[2]\n"
        "r = getattr(wakeword_peer, sys.argv[3])([word])\n"
        "out = []\n"
        "for i, f in enumerate(sys.argv[4:]):\n"
        "    out.append(r.detect_times(np.load(f))[word])\n"
        "    if (i + 1) % 20 == 0: print(sys.argv[3], i + 1, 'streams', file=sys.stderr, flush=True)\n"
        "print(json.dumps(out))\n"
    )

    def __init__(self, python: str, word: str, runner: str, name: str):
        self.python, self.word, self.runner, self.name = python, word, runner, name
        subprocess.run([python, "-c", self._DRIVER, str(REPO / "tools" / "bench"), word, runner], check=True,
                       capture_output=True, text=True)  # fails here, not mid-run, if the venv is broken

    def batch_times(self, pairs) -> List[List[float]]:
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for j, (mic, _) in enumerate(pairs):
                f = str(Path(tmp) / f"{j:05d}.npy")
                np.save(f, _int16(mic))
                files.append(f)
            r = subprocess.run([self.python, "-c", self._DRIVER, str(REPO / "tools" / "bench"), self.word,
                                self.runner] + files,
                               check=True, stdout=subprocess.PIPE, text=True)
        return json.loads(r.stdout.strip().splitlines()[-1])


class MicroWakeWordPeer:
    def __init__(self, word: str):
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

        self._mk = lambda: (MicroWakeWord.from_builtin(Model(word)), MicroWakeWordFeatures())
        self.name = f"microWakeWord ({word})"

    def times(self, mic, ref) -> List[float]:
        m, f = self._mk()
        b = _int16(mic).tobytes()
        out = []
        for i in range(0, len(b), 320):
            for fr in f.process_streaming(b[i:i + 320]):
                if m.process_streaming(fr):
                    out.append((i + 320) / 2 / FS)
        return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voices", type=int, default=6, help="held-out voices (default 6)")
    ap.add_argument("--fa-minutes", type=float, default=10.0, help="music-only minutes for false accepts")
    ap.add_argument("--refractory", type=float, default=1.5,
                    help="false accepts closer than this (s) count once, for every system (default 1.5)")
    ap.add_argument("--microwakeword", metavar="PYTHON",
                    help="Python of a pymicro-wakeword venv; without it microWakeWord runs in this Python")
    ap.add_argument("--openwakeword", metavar="PYTHON",
                    help="Python of an openWakeWord venv (openwakeword + wyoming-openwakeword, numpy<2)")
    ap.add_argument("--with-ns", action="store_true",
                    help="also run ours + AEC with the noise suppressor (off in the pipeline by default)")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = ap.parse_args(argv)

    from edgeaudio import demo

    wake, key, wake_desc, _ = demo.wake_setup()
    phrase = {"hey_jarvis": "hey jarvis", "alexa": "alexa"}.get(key, key)
    systems: List = [Ours(True, wake), Ours(False, wake)] + ([Ours(True, wake, ns=True)] if args.with_ns else [])
    notes = []
    if key in ("hey_jarvis", "alexa"):
        try:
            systems.append(VenvPeer(args.microwakeword, key, "MicroWakeWordRunner", f"microWakeWord ({key})")
                           if args.microwakeword else MicroWakeWordPeer(key))
        except Exception as e:  # noqa: BLE001
            notes.append(f"microWakeWord not run: {e}")
        if args.openwakeword:
            try:
                systems.append(VenvPeer(args.openwakeword, key, "OpenWakeWordRunner", f"openWakeWord ({key}, 0.5)"))
            except Exception as e:  # noqa: BLE001
                notes.append(f"openWakeWord not run: {e}")
        else:
            notes.append("openWakeWord not run (no --openwakeword PYTHON given)")
    else:
        notes.append(f"peers not run: the trigger here is {phrase!r} (no wake-word model bundled), "
                     "which microWakeWord and openWakeWord do not have")
    clips = wake_clips(phrase, args.voices)
    songs = ("pop", "ballad")
    hits = {s.name: {c: [0, 0] for c in CONDITIONS} for s in systems}
    k = 0
    trials = []  # (cond, mic, ref, start, end): every system runs on the same audio
    for cond in CONDITIONS:
        ser = None if cond == "quiet" else float(cond.split()[0])
        for ri, room in enumerate(H.ROOMS):
            for vi, (vname, clip) in enumerate(clips):
                trials.append((cond,) + trial(room, songs[k % 2], clip, ser, 2.0 + 7 * (k % 4), k))
                k += 1
    for s in systems:
        t0 = time.time()
        for (cond, _, _, a, b), t in zip(trials, batch_times(s, [(m, r) for _, m, r, _, _ in trials])):
            hits[s.name][cond][0] += any(a <= x <= b + 1.0 for x in t)
            hits[s.name][cond][1] += 1
        print(s.name, {c: hits[s.name][c] for c in CONDITIONS}, f"{time.time() - t0:.0f} s", file=sys.stderr)
    # false accepts on music alone: consecutive minutes of each song, the same audio for every system
    from edgeaudio.train.wakeword import poisson_upper

    n_min = int(np.ceil(args.fa_minutes))
    per_song = {sg: int(np.ceil(n_min / 2 if sg == songs[0] else n_min // 2)) for sg in songs}
    full = {sg: H.music(sg, 60.0 * m) for sg, m in per_song.items() if m}
    fa_audio = []
    for j in range(n_min):
        sg = songs[j % 2]
        x = full[sg][int((j // 2) * 60 * FS): int((j // 2 + 1) * 60 * FS)]
        room = H.ROOMS[j % len(H.ROOMS)]
        echo = H.convolve(x, H.echo_path(room))
        g = 10 ** ((-26.0 - H.rms_db(echo)) / 20)
        fa_audio.append(((echo * g + H._mic_noise(len(x), j)).astype(np.float32), (x * g).astype(np.float32)))
    fa_hours = sum(len(m) for m, _ in fa_audio) / FS / 3600
    fa = {}
    for s in systems:
        t0 = time.time()
        fa[s.name] = sum(_events(t, args.refractory) for t in batch_times(s, fa_audio))
        print(s.name, f"{fa[s.name]} false accepts in {fa_hours:.2f} h, {time.time() - t0:.0f} s", file=sys.stderr)
    head = ("| system | " + " | ".join(CONDITIONS)
            + " | false accepts, music only (count in hours: per h, 95% upper per h) |")
    lines = [head, "|" + "---|" * (len(CONDITIONS) + 2)]
    for s in systems:
        cells = [f"{100 * h / n:.0f}% ({h}/{n})" for h, n in (hits[s.name][c] for c in CONDITIONS)]
        c = fa[s.name]
        lines.append(f"| {s.name} | " + " | ".join(cells)
                     + f" | {c} in {fa_hours:.2f} h: {c / fa_hours:.1f}/h, <= {poisson_upper(c) / fa_hours:.1f}/h |")
    q = hits["ours + AEC"]["quiet"]
    m5 = hits["ours + AEC"]["-5 dB"]
    gap = 100 * (q[0] / q[1] - m5[0] / m5[1])
    verdict = (f"Target: with AEC, detection at -5 dB SER within 10 points of the quiet room: "
               f"{'met' if gap <= 10 else 'MISSED'} ({gap:.0f} points).")
    report = "\n".join(lines) + "\n\n" + verdict + "\n\n" + "\n".join(f"- {n}" for n in notes)
    print(report)
    if args.write:
        write(report, args, wake_desc, len(clips))
    return 0


def write(report: str, args, wake_desc: str, n_voices: int) -> None:
    import edgeaudio

    path = REPO / "BENCHMARKS.md"
    text = path.read_text()
    cmd = (f"python tools/bench/bargein.py --voices {args.voices} --fa-minutes {args.fa_minutes:g}"
           + (f" --refractory {args.refractory:g}" if args.refractory != 1.5 else "")
           + (" --with-ns" if args.with_ns else "")
           + (f" --microwakeword {args.microwakeword}" if args.microwakeword else "")
           + (f" --openwakeword {args.openwakeword}" if args.openwakeword else "") + " --write")
    body = (f"{SECTION}\n\n{datetime.date.today().isoformat()}, {H.cpu_name()}, Python {platform.python_version()}, "
            f"edgeaudio {edgeaudio.__version__}. Command: `{cmd}`. {wake_desc}; {n_voices} held-out voices x "
            f"{len(H.ROOMS)} rooms per condition; music: FluidSynth General MIDI (aec_eval.py); detection = a "
            "wake event between the phrase's start and 1 s after its end; default thresholds; false accepts on "
            f"{args.fa_minutes:g} min of music-only playback, detections within {args.refractory:g} s counting once; "
            "95% upper: one-sided Poisson.\n\n"
            + report.rstrip() + "\n")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: body + "\n", text).rstrip() + "\n" if pattern.search(text) else \
        text.rstrip() + "\n\n" + body
    path.write_text(text)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
