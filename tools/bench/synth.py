#!/usr/bin/env python3
"""Synthesis benchmarks: sawtooth aliasing (ours vs a naive table read); MIDI render
speed and SoundFont load time (ours vs FluidSynth's fast render, effects off, both
with 4-point cubic interpolation, the same SoundFont and 256 voices); fidelity
against FluidSynth (log-mel distance per file, RMS level per General MIDI program).

Usage: python tools/bench/synth.py [--soundfont FILE.sf2] [--midi FILE.mid ...] [--repeats N] [--append]
Without --midi: the seeded 16-channel test song plus three edgeaudio.music songs.

Interpolation: both 4-point cubic. edgeaudio: Catmull-Rom on the exact fractional
position (cpp/src/synth/kernel.h). FluidSynth (interpolation 4, its default):
the same Catmull-Rom polynomial from a table of 256 fractional positions.

Times: wall seconds and process CPU seconds (CPU is steadier on a shared machine), the median
of --repeats runs of each side.
FluidSynth's render time is its run minus a run on a one-note file (start-up and
SoundFont load); ours is timed around render_midi with the SoundFont loaded once.
"""
from __future__ import annotations

import argparse
import os

# One BLAS thread: the timings are process CPU seconds, and an idle OpenBLAS pool left spinning by
# the log-mel numpy work of the previous file was counted against our render (up to +30%).
# FluidSynth runs with synth.cpu-cores=1 likewise.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import resource
import shutil
import subprocess
import tempfile
import time

import numpy as np

from edgeaudio import music, synth

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


def program_tour(path: str, seconds_per_program: float = 2.0) -> None:
    """Every GM program alone: a C major triad (60, 64, 67, velocity 100) for 1 s, then 1 s of release."""
    import mido
    mid = mido.MidiFile(type=0, ticks_per_beat=480)  # 120 BPM: 960 ticks per second
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    step = int(seconds_per_program * 960)
    for prog in range(128):
        tr.append(mido.Message("program_change", channel=0, program=prog, time=0 if prog == 0 else step - 960))
        for i, key in enumerate((60, 64, 67)):
            tr.append(mido.Message("note_on", channel=0, note=key, velocity=100, time=0))
        for i, key in enumerate((60, 64, 67)):
            tr.append(mido.Message("note_off", channel=0, note=key, velocity=0, time=960 if i == 0 else 0))
    tr.append(mido.MetaMessage("end_of_track", time=step - 960))
    mid.save(path)


def drum_tour(path: str) -> list:
    """Each GM percussion key 35-81 alone on channel 10: velocity 100, held 0.5 s, 1.5 s apart."""
    import mido
    mid = mido.MidiFile(type=0, ticks_per_beat=480)  # 960 ticks per second
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    keys = list(range(35, 82))
    for i, key in enumerate(keys):
        tr.append(mido.Message("note_on", channel=9, note=key, velocity=100, time=0 if i == 0 else 960))
        tr.append(mido.Message("note_off", channel=9, note=key, velocity=0, time=480))
    tr.append(mido.MetaMessage("end_of_track", time=960))
    mid.save(path)
    return keys


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_fluid(fluid: str, soundfont: str, midi: str, out: str):
    c, t = child_cpu(), time.perf_counter()
    subprocess.run([fluid, "-ni", "-R", "0", "-C", "0", "-g", "0.2", "-r", str(SR), "-o", "synth.polyphony=256",
                    "-o", "synth.cpu-cores=1", "-F", out, soundfont, midi], check=True, capture_output=True)
    return time.perf_counter() - t, child_cpu() - c


def read_wav(path: str) -> np.ndarray:
    import soundfile as sf
    x, _ = sf.read(path, dtype="float32", always_2d=True)
    return x


def log_mel_distance_db(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of log-mel spectra (dB, 64 mels, 2048/512) over frames either is above -60 dB."""
    import librosa
    n = min(len(a), len(b))
    spec = [librosa.power_to_db(librosa.feature.melspectrogram(y=x[:n].mean(axis=1), sr=SR, n_fft=2048,
                                                               hop_length=512, n_mels=64), ref=1.0, top_db=None)
            for x in (a, b)]
    floor = max(spec[0].max(), spec[1].max()) - 80.0
    sa, sb = np.maximum(spec[0], floor), np.maximum(spec[1], floor)
    active = (spec[0].max(axis=0) > floor + 20) | (spec[1].max(axis=0) > floor + 20)
    return float(np.mean(np.abs(sa[:, active] - sb[:, active])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--soundfont", default=synth.DEFAULT_SOUNDFONT)
    ap.add_argument("--midi", nargs="*")
    ap.add_argument("--repeats", type=int, default=5, help="runs per file and side (median reported)")
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
    tmp = tempfile.mkdtemp(prefix="edgeaudio-synth-bench-")
    midis = args.midi or []
    if not midis:
        midis = [os.path.join(tmp, "song.mid")]
        test_song(midis[0])
        for seed, style in ((1, "pop"), (2, "rock"), (3, "jazz")):
            p = os.path.join(tmp, f"music_{style}_{seed}.mid")
            music.generate(seed=seed, style=style, bars=32).save(p)
            midis.append(p)
    fluid = shutil.which("fluidsynth")
    if not fluid:
        raise SystemExit("fluidsynth is not installed (apt-get install fluidsynth)")

    # SoundFont load: ours (load_soundfont) vs FluidSynth start-up + load (a one-note file)
    c, t = time.process_time(), time.perf_counter()
    sf = synth.load_soundfont(args.soundfont)
    our_load, our_load_cpu = time.perf_counter() - t, time.process_time() - c
    one = os.path.join(tmp, "one.mid")
    import mido
    m1 = mido.MidiFile(type=0)
    m1.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=1, time=0),
                                     mido.Message("note_off", note=60, velocity=0, time=1)]))
    m1.save(one)
    fl_load = [run_fluid(fluid, args.soundfont, one, os.path.join(tmp, "one.wav")) for _ in range(args.repeats)]
    fl_load_wall, fl_load_cpu = np.median([x[0] for x in fl_load]), np.median([x[1] for x in fl_load])
    lines += [f"SoundFont load ({os.path.basename(args.soundfont)}, {os.path.getsize(args.soundfont) / 1e6:.0f} MB): "
              f"edgeaudio {our_load:.2f} s wall / {our_load_cpu:.2f} s CPU; FluidSynth start-up + load "
              f"{fl_load_wall:.2f} s wall / {fl_load_cpu:.2f} s CPU (ratio {fl_load_cpu / max(our_load_cpu, 1e-9):.1f}x CPU).",
              "", f"Render only (load excluded on both sides), median of {args.repeats} runs:", "",
              "| file | audio (s) | edgeaudio wall / CPU (s) | FluidSynth wall / CPU (s) | ratio wall | ratio CPU | "
              "log-mel distance (dB) |", "|---|---|---|---|---|---|---|"]
    for m in midis:
        ours_w, ours_c, audio = [], [], None
        for _ in range(args.repeats):
            c, t = time.process_time(), time.perf_counter()
            audio = synth.render_midi(m, soundfont=sf, sample_rate=SR, max_voices=256)
            ours_w.append(time.perf_counter() - t)
            ours_c.append(time.process_time() - c)
        fw = os.path.join(tmp, "fluid.wav")
        runs = [run_fluid(fluid, args.soundfont, m, fw) for _ in range(args.repeats)]
        th_w = max(float(np.median([r[0] for r in runs])) - fl_load_wall, 1e-9)
        th_c = max(float(np.median([r[1] for r in runs])) - fl_load_cpu, 1e-9)
        ow, oc = float(np.median(ours_w)), float(np.median(ours_c))
        dist = log_mel_distance_db(audio, read_wav(fw))
        lines.append(f"| {os.path.basename(m)} | {len(audio) / SR:.1f} | {ow:.2f} / {oc:.2f} | "
                     f"{th_w:.2f} / {th_c:.2f} | {th_w / ow:.2f}x | {th_c / oc:.2f}x | {dist:.1f} |")

    # real-time polyphony on one core: sustained, filtered, looping voices (String Ensemble 1 and
    # Pad 1, two samples per note in FluidR3) rendered for 10 s; CPU seconds per voice-second
    from edgeaudio import _core, simd_info
    lines += ["", "Real-time polyphony on one core at 48 kHz (sustained looping string/pad voices with filters, "
              "10 s, 1024-voice pool; max = voices x audio seconds / CPU seconds):", "",
              "| SIMD path | voices | CPU (s) for 10 s | max real-time polyphony |", "|---|---|---|---|"]
    before = simd_info()["active"]
    try:
        for isa in simd_info()["available"]:
            _core._set_simd(isa)
            s = synth.Synth(SR, 1024, 0.05, sf)
            ev = [(0, 0xC0 | c, 48 if c % 2 else 88, 0) for c in range(16) if c != 9]
            ev += [(0, 0x90 | c, 36 + 4 * k + c % 4, 90) for c in range(16) if c != 9 for k in range(16)]
            s.render(64, ev)
            voices = s.active_voices
            c = time.process_time()
            for _ in range(10 * SR // 4096):
                s.render(4096)
            cpu = time.process_time() - c
            audio_s = (10 * SR // 4096) * 4096 / SR
            lines.append(f"| {isa} | {voices} | {cpu:.2f} | {voices * audio_s / cpu:.0f} |")
    finally:
        _core._set_simd(before)

    # per-program RMS level against FluidSynth
    tour = os.path.join(tmp, "tour.mid")
    program_tour(tour)
    ours = synth.render_midi(tour, soundfont=sf, sample_rate=SR, max_voices=256, tail_s=0.0)
    fw = os.path.join(tmp, "tour.wav")
    run_fluid(fluid, args.soundfont, tour, fw)
    theirs = read_wav(fw)
    diffs = []
    seg = 2 * SR
    for prog in range(128):
        a, b = ours[prog * seg:(prog + 1) * seg], theirs[prog * seg:(prog + 1) * seg]
        ra, rb = np.sqrt(np.mean(a.astype(np.float64) ** 2)), np.sqrt(np.mean(b.astype(np.float64) ** 2))
        diffs.append(20 * np.log10(max(ra, 1e-9) / max(rb, 1e-9)))
    diffs = np.array(diffs)
    worst = np.argsort(-np.abs(diffs))[:8]
    lines += ["", f"RMS level per GM program (C major triad, velocity 100, 1 s + 1 s release), ours - FluidSynth: "
              f"median {np.median(diffs):+.2f} dB, within 1.5 dB: {int(np.sum(np.abs(diffs) <= 1.5))}/128, "
              f"within 3 dB: {int(np.sum(np.abs(diffs) <= 3))}/128; largest gaps: "
              + ", ".join(f"program {p} {diffs[p]:+.2f} dB" for p in worst) + ".", "",
              "| programs | ours - FluidSynth (dB), one per program |", "|---|---|"]
    for p0 in range(0, 128, 16):
        lines.append(f"| {p0}-{p0 + 15} | " + " ".join(f"{d:+.1f}" for d in diffs[p0:p0 + 16]) + " |")

    # per-key RMS level of the drum kit (channel 10, bank 128 program 0), keys 35-81 alone
    kit = os.path.join(tmp, "kit.mid")
    keys = drum_tour(kit)
    ours = synth.render_midi(kit, soundfont=sf, sample_rate=SR, max_voices=256, tail_s=0.0)
    fw = os.path.join(tmp, "kit.wav")
    run_fluid(fluid, args.soundfont, kit, fw)
    theirs = read_wav(fw)
    seg = int(1.5 * SR)
    kd = []
    for i, _ in enumerate(keys):
        a, b = ours[i * seg:(i + 1) * seg], theirs[i * seg:(i + 1) * seg]
        ra, rb = np.sqrt(np.mean(a.astype(np.float64) ** 2)), np.sqrt(np.mean(b.astype(np.float64) ** 2))
        kd.append(20 * np.log10(max(ra, 1e-9) / max(rb, 1e-9)))
    kd = np.array(kd)
    kw = np.argsort(-np.abs(kd))[:4]
    lines += ["", f"Drum kit (channel 10, Standard kit), RMS per key 35-81 alone (velocity 100, 1.5 s), ours - "
              f"FluidSynth: median {np.median(kd):+.2f} dB, within 1.5 dB: {int(np.sum(np.abs(kd) <= 1.5))}/"
              f"{len(kd)}; largest gaps: " + ", ".join(f"key {keys[i]} {kd[i]:+.2f} dB" for i in kw) + "."]
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "BENCHMARKS.md"), "a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
