#!/usr/bin/env python3
"""Onsets, tempo and beats: edgeaudio.analysis against librosa's onset_detect /
beat_track on the same rendered audio, in one process.

Material: 4/4 pieces rendered by edgeaudio.synth's built-in instruments
(tests/signals.py rendered_piece: plucked bass on every beat, chords on beats
1 and 3, an off-beat plucked melody) at 80-160 BPM with two chord programs,
so the true onsets, beats and tempo are known exactly. Each is scored clean
and at -26 dB gain with white noise 20 dB below it.

  onset F   mir_eval.onset.f_measure, 50 ms window (mean over pieces)
  tempo ok  pieces whose tempo is within 4% of the truth
  beat F    mir_eval.beat.f_measure (mean)
  ms        wall time per piece (best of --repeat): onset detection; beat tracking

Usage: python tools/bench/onsets.py [--repeat 3] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import librosa
import mir_eval
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from signals import rendered_piece  # noqa: E402

from edgeaudio import analysis  # noqa: E402

SR = 22050


def best_ms(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, 1e3 * best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--write", help="append the table to this markdown file")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    cases = []
    for bpm in (80, 95, 110, 120, 135, 150, 160):
        for prog in (0, 24):
            x, on, beats = rendered_piece(bpm, bars=args.bars, sr=SR, seed=bpm, program=prog)
            cases.append(("clean", bpm, x, on, beats))
            noisy = 0.05 * x + 0.05 * np.std(x) * 10 ** (-20 / 20) * rng.standard_normal(len(x))
            cases.append(("noisy", bpm, noisy.astype(np.float32), on, beats))

    rows = {}
    for name, detect, beat in (
        ("edgeaudio", lambda x: analysis.detect_onsets(x, SR), lambda x: analysis.track_beats(x, SR)),
        ("librosa", lambda x: librosa.onset.onset_detect(y=x, sr=SR, units="time"),
         lambda x: librosa.beat.beat_track(y=x, sr=SR, units="time")),
    ):
        for cond in ("clean", "noisy"):
            f, ok, bf, t_on, t_beat = [], [], [], [], []
            for c, bpm, x, on, beats in cases:
                if c != cond:
                    continue
                est, ms = best_ms(lambda: detect(x), args.repeat)
                f.append(mir_eval.onset.f_measure(on, est, window=0.05)[0])
                t_on.append(ms)
                (tempo, bt), ms = best_ms(lambda: beat(x), args.repeat)
                tempo = float(np.atleast_1d(tempo)[0])
                ok.append(abs(tempo - bpm) <= 0.04 * bpm)
                bf.append(mir_eval.beat.f_measure(beats, bt))
                t_beat.append(ms)
            rows[(name, cond)] = (np.mean(f), np.min(f), np.mean(ok), np.mean(bf), np.mean(t_on), np.mean(t_beat))

    secs = np.mean([len(c[2]) for c in cases]) / SR
    lines = [f"pieces: {len(cases) // 2} per condition, {secs:.1f} s each at {SR} Hz; "
             f"{platform.processor() or platform.machine()}",
             "",
             "| detector | audio | onset F mean (min) | tempo within 4% | beat F | onset ms | beat ms |",
             "|---|---|---|---|---|---|---|"]
    for (name, cond), (fm, fmin, ok, bf, ton, tb) in rows.items():
        lines.append(f"| {name} | {cond} | {fm:.3f} ({fmin:.3f}) | {100 * ok:.0f}% | {bf:.3f} | {ton:.1f} | {tb:.1f} |")
    for cond in ("clean", "noisy"):
        a, b = rows[("edgeaudio", cond)], rows[("librosa", cond)]
        lines.append(f"\n{cond}: speed-up onset {b[4] / a[4]:.1f}x, beat {b[5] / a[5]:.1f}x")
    text = "\n".join(lines)
    print(text)
    if args.write:
        with open(args.write, "a") as fh:
            fh.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
