#!/usr/bin/env python3
"""Synthesis benchmarks: sawtooth aliasing (ours vs a naive table read) and
MIDI render speed (ours vs FluidSynth's fast render, effects off, both with
4-point interpolation and the same SoundFont).

Usage: python tools/bench/synth.py [--soundfont FILE.sf2] [--midi FILE.mid ...] [--append]
Without --midi a seeded General MIDI test song (16 channels, drums) is generated.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from edgeaudio import synth

SR = 48000


def aliasing_db(x: np.ndarray, f0: int) -> float:
    p = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    harm = np.zeros(len(p), bool)
    harm[np.arange(f0, len(p), f0)] = True
    return float(10 * np.log10(p[~harm][1:].sum() / p[harm].sum()))


def naive_saw(f0: float, n: int, table_len: int = 2048) -> np.ndarray:
    table = (2.0 * np.arange(table_len) / table_len - 1.0).astype(np.float32)
    pos = (np.arange(n) * f0 / SR % 1.0) * table_len
    i = pos.astype(int)
    frac = pos - i
    return table[i] * (1 - frac) + table[(i + 1) % table_len] * frac


def test_song(path: str, seconds: float = 30.0, seed: int = 1) -> None:
    import mido
    rng = np.random.default_rng(seed)
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    programs = [0, 24, 32, 40, 48, 56, 64, 73, 80, 88, 4, 16, 19, 33, 52]
    beats = int(seconds * 2)
    for ch in range(16):
        tr = mido.MidiTrack()
        mid.tracks.append(tr)
        if ch == 0:
            tr.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
        if ch != 9:
            tr.append(mido.Message("program_change", channel=ch, program=programs[ch % len(programs)], time=0))
        t_last = 0
        for b in range(beats):
            if rng.random() < 0.5 and ch != 9:
                continue
            key = int(rng.integers(36, 48)) if ch == 9 else int(rng.integers(48, 84))
            tick = b * 480
            tr.append(mido.Message("note_on", channel=ch, note=key, velocity=int(rng.integers(60, 120)),
                                   time=tick - t_last))
            tr.append(mido.Message("note_off", channel=ch, note=key, velocity=0, time=400))
            t_last = tick + 400
    mid.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--soundfont", default=synth.DEFAULT_SOUNDFONT)
    ap.add_argument("--midi", nargs="*")
    ap.add_argument("--append", action="store_true", help="append the figures to BENCHMARKS.md")
    args = ap.parse_args()
    lines = ["## synth (tools/bench/synth.py)", "", "| saw f0 (Hz) | ours aliasing (dB) | naive table read (dB) |",
             "|---|---|---|"]
    saw = synth.Wavetable.classic("saw")
    for f0 in (110, 440, 997, 2003, 2999, 4001, 6007, 7919):
        ours = aliasing_db(synth.oscillator(saw, float(f0), SR, SR), f0)
        naive = aliasing_db(naive_saw(f0, SR), f0)
        lines.append(f"| {f0} | {ours:.1f} | {naive:.1f} |")
    lines.append("")
    tmp = tempfile.mkdtemp()
    midis = args.midi or []
    if not midis:
        midis = [os.path.join(tmp, "song.mid")]
        test_song(midis[0])
    fluid = shutil.which("fluidsynth")
    lines += ["| file | edgeaudio (s) | FluidSynth (s) | ratio | audio (s) |", "|---|---|---|---|---|"]
    for m in midis:
        t = time.perf_counter()
        audio = synth.render_midi(m, soundfont=args.soundfont, sample_rate=SR, max_voices=256)
        ours = time.perf_counter() - t
        theirs = float("nan")
        if fluid:
            t = time.perf_counter()
            subprocess.run([fluid, "-ni", "-R", "0", "-C", "0", "-g", "0.2", "-r", str(SR),
                            "-o", "synth.polyphony=256", "-F", os.path.join(tmp, "fluid.wav"),
                            args.soundfont, m], check=True, capture_output=True)
            theirs = time.perf_counter() - t
        lines.append(f"| {os.path.basename(m)} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f}x | "
                     f"{len(audio) / SR:.1f} |")
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "BENCHMARKS.md"), "a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
