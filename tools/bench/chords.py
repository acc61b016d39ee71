#!/usr/bin/env python3
"""Chords, key, onsets, tempo and beats on SoundFont-rendered songs with known truth:
edgeaudio.analysis against librosa-based baselines and aubio, in one process.

Material: songs from edgeaudio.music.generate (seeded, rule-based: five styles -
pop, ballad with arpeggios, waltz, rock, jazz with seventh chords and walking
bass - functional-harmony progressions with voice-led inversions, seventh
chords, bass, melody and drums), rendered by edgeaudio.synth through each
SoundFont given, so chords (with times), key, note onsets, beats and tempo
are known exactly. Scores (mean over songs):

  chords   mir_eval majmin weighted chord symbol recall (WCSR)
  key      mir_eval.key.weighted_score (1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel)
  onset F  mir_eval.onset.f_measure, 50 ms window
  tempo    songs whose tempo is within 4% of the truth
  beat F   mir_eval.beat.f_measure

Ours: analysis.recognize_chords with its defaults (model="learned": the
root-shared network over the constant-Q spectrum, trained by `edgeaudio train
chords` on seeds 2000+ rendered with FluidR3 and TimGM6mb only, so
MuseScore_General is a SoundFont it never heard; --model templates: the
template recogniser on the same CQT) and, for comparison, the earlier
STFT-chroma recogniser (chroma="stft", templates). Baselines: librosa chroma_cqt (and chroma_stft) with the
same 24 triad templates, softmax emissions and
librosa.sequence.viterbi_discriminative (self-transition 0.95); key:
Krumhansl-Kessler on librosa's chroma_cqt; librosa onset_detect /
beat_track; aubio onset ("hfc") / tempo.

Seeds: the report uses seeds --seed-start.. (default 100..: held out); the
template recogniser's defaults (analysis.CHORD_DEFAULTS["cqt"]) were tuned
with --tune, which scores a grid of settings on seeds 1000-1039 with TimGM6mb
and FluidR3 only (no librosa, no rhythm) and prints one line per setting.

Usage: nice python tools/bench/chords.py [--songs 10] [--seed-start 100] [--soundfont F.sf2 ...]
       [--write BENCHMARKS.md]
       nice python tools/bench/chords.py --tune
       nice python tools/bench/chords.py --errors
       nice python tools/bench/chords.py --songs 20 --chords-only   (ours vs librosa cqt only)
       nice python tools/bench/chords.py --songs 20 --chords-only --model templates
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import librosa
import mir_eval
import numpy as np

from edgeaudio import analysis, music, synth

SR = 22050
SOUNDFONTS = ["/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2",
              "/usr/share/sounds/sf3/MuseScore_General.sf3"]
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
PCS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def triad_templates() -> np.ndarray:
    t = np.zeros((24, 12))
    for r in range(12):
        t[r, [r, (r + 4) % 12, (r + 7) % 12]] = 1
        t[12 + r, [r, (r + 3) % 12, (r + 7) % 12]] = 1
    return t / np.linalg.norm(t, axis=1, keepdims=True)


def librosa_chords(x: np.ndarray, kind: str):
    """Template matching on librosa chroma + viterbi_discriminative: the usual librosa recipe."""
    hop = 512
    c = (librosa.feature.chroma_cqt if kind == "cqt" else librosa.feature.chroma_stft)(y=x, sr=SR, hop_length=hop)
    c = c / np.maximum(np.linalg.norm(c, axis=0, keepdims=True), 1e-9)
    score = triad_templates() @ c                      # (24, frames) cosines
    rms = librosa.feature.rms(y=x, hop_length=hop)[0][: c.shape[1]]
    n_score = np.where(rms < 1e-3 * rms.max(), 1.0, 0.3)[None, :]
    logits = 30 * np.vstack([score, n_score])
    prob = np.exp(logits - logits.max(axis=0))
    prob /= prob.sum(axis=0)
    path = librosa.sequence.viterbi_discriminative(prob, librosa.sequence.transition_loop(25, 0.95))
    return segments(path, hop / SR, len(x) / SR)


def segments(path, hop_s, end_s):
    starts = np.flatnonzero(np.r_[True, path[1:] != path[:-1]])
    b = np.r_[np.maximum(starts * hop_s - hop_s / 2, 0), end_s]
    return np.stack([b[:-1], b[1:]], 1), [analysis.CHORD_LABELS[k] for k in path[starts]]


def librosa_key(x: np.ndarray) -> str:
    mean = librosa.feature.chroma_cqt(y=x, sr=SR).mean(axis=1)
    best = max(((np.corrcoef(mean, np.roll(p, t))[0, 1], t, m) for m, p in (("major", KK_MAJOR), ("minor", KK_MINOR))
                for t in range(12)))
    return f"{PCS[best[1]]} {best[2]}"


def wcsr(ref_iv, ref_lab, est_iv, est_lab) -> float:
    est_iv, est_lab = mir_eval.util.adjust_intervals(np.asarray(est_iv), est_lab, ref_iv.min(), ref_iv.max(), "N", "N")
    iv, r, e = mir_eval.util.merge_labeled_intervals(ref_iv, ref_lab, est_iv, est_lab)
    return mir_eval.chord.weighted_accuracy(mir_eval.chord.majmin(r, e), mir_eval.util.intervals_to_durations(iv))


def aubio_onsets(x: np.ndarray) -> np.ndarray:
    import aubio
    hop = 256
    o = aubio.onset("hfc", 1024, hop, SR)
    out = []
    for i in range(0, len(x) - hop + 1, hop):
        if o(np.ascontiguousarray(x[i:i + hop], dtype=np.float32)):
            out.append(o.get_last_s())
    return np.array(out)


def aubio_beats(x: np.ndarray):
    import aubio
    hop = 512
    t = aubio.tempo("default", 1024, hop, SR)
    beats = []
    for i in range(0, len(x) - hop + 1, hop):
        if t(np.ascontiguousarray(x[i:i + hop], dtype=np.float32)):
            beats.append(t.get_last_s())
    return float(t.get_bpm()), np.array(beats)


TUNE_SEEDS = range(1000, 1040)
# around the defaults (analysis.CHORD_DEFAULTS["cqt"]); BENCHMARKS.md has this grid's run and the
# earlier one that chose sharpness, self-transition, partials and register (key context off then)
TUNE_GRID = [dict(), dict(bass_weight=0.0), dict(bass_weight=1.0), dict(sharpness=4.0), dict(sharpness=10.0),
             dict(self_prob=0.99), dict(self_prob=0.998), dict(inversion_weight=0.3), dict(inversion_weight=0.8),
             dict(harmonic_decay=0.0), dict(harmonic_decay=0.5), dict(harmonic_decay=0.7),
             dict(treble_lo_midi=52.0), dict(treble_lo_midi=58.0), dict(harmonic_subtract=0.5),
             dict(key_weight=0.0), dict(key_weight=0.3), dict(key_weight=1.0)]


def tune(soundfonts) -> None:
    """Score each TUNE_GRID setting (majmin WCSR, mean per style and overall) on TUNE_SEEDS."""
    songs = []
    for path in soundfonts:
        sf = synth.load_soundfont(path)
        for seed in TUNE_SEEDS:
            style = list(music.STYLES)[seed % len(music.STYLES)]
            song = music.generate(seed=seed, style=style, bars=8)
            x = np.ascontiguousarray(song.render(soundfont=sf, sample_rate=SR).mean(axis=1), dtype=np.float32)
            songs.append((style, x, *song.chord_intervals()))
    for kw in TUNE_GRID:
        per = {}
        for style, x, iv, labels in songs:
            tr = analysis.recognize_chords(x, SR, model="templates", **kw)
            per.setdefault(style, []).append(wcsr(iv, labels, tr.intervals, tr.names))
        overall = np.mean([v for vs in per.values() for v in vs])
        print(f"{overall:.3f}  " + " ".join(f"{k} {np.mean(v):.3f}" for k, v in per.items()) + f"  {kw}", flush=True)


ERROR_KINDS = ("inversion read on its bass note", "triad inside a seventh chord", "shares two notes",
               "right root, wrong third", "no-chord", "other")


def error_kind(ref: str, est: str) -> str:
    """Which kind of majmin error a (reference, estimate) label pair is (ERROR_KINDS)."""
    if est == "N":
        return "no-chord"
    root, bitmap, bass = mir_eval.chord.encode(ref)
    eroot, ebitmap, _ = mir_eval.chord.encode(est)
    ref_pcs = {(root + i) % 12 for i in np.flatnonzero(bitmap)}
    est_pcs = {(eroot + i) % 12 for i in np.flatnonzero(ebitmap)}
    if eroot == root:
        return "right root, wrong third"
    if bass != 0 and eroot == (root + bass) % 12:
        return "inversion read on its bass note"
    if est_pcs <= ref_pcs:
        return "triad inside a seventh chord"
    return "shares two notes" if len(est_pcs & ref_pcs) >= 2 else "other"


def errors(soundfonts, model: str) -> None:
    """Share of scored duration per error kind, per SoundFont and style, on TUNE_SEEDS (defaults)."""
    print("| SoundFont | style | majmin WCSR | " + " | ".join(ERROR_KINDS) + " |")
    print("|---|---|---|" + "---|" * len(ERROR_KINDS))
    for path in soundfonts:
        sf = synth.load_soundfont(path)
        dur, err = {}, {}
        for seed in TUNE_SEEDS:
            style = list(music.STYLES)[seed % len(music.STYLES)]
            song = music.generate(seed=seed, style=style, bars=8)
            x = np.ascontiguousarray(song.render(soundfont=sf, sample_rate=SR).mean(axis=1), dtype=np.float32)
            iv, labels = song.chord_intervals()
            tr = analysis.recognize_chords(x, SR, model=model)
            est_iv, est_lab = mir_eval.util.adjust_intervals(np.asarray(tr.intervals), tr.names, iv.min(), iv.max(),
                                                             "N", "N")
            miv, ref, est = mir_eval.util.merge_labeled_intervals(iv, labels, est_iv, est_lab)
            d = mir_eval.util.intervals_to_durations(miv)
            for r, e, dd, ok in zip(ref, est, d, mir_eval.chord.majmin(ref, est)):
                if ok < 0:
                    continue  # not scored by majmin
                dur[style] = dur.get(style, 0.0) + dd
                if ok == 0:
                    k = err.setdefault(style, dict.fromkeys(ERROR_KINDS, 0.0))
                    k[error_kind(r, e)] += dd
        for style, total in dur.items():
            k = err.get(style, dict.fromkeys(ERROR_KINDS, 0.0))
            print(f"| {os.path.basename(path)} | {style} | {1 - sum(k.values()) / total:.3f} | "
                  + " | ".join(f"{k[n] / total:.3f}" for n in ERROR_KINDS) + " |", flush=True)


def fmt(v: float, digits: int = 3) -> str:
    """A table cell: the value, or "-" where nothing was measured (--chords-only)."""
    return "-" if np.isnan(v) else f"{v:.{digits}f}"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, 1e3 * (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--songs", type=int, default=10, help="songs per SoundFont (styles rotate)")
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--soundfont", nargs="*", default=SOUNDFONTS)
    ap.add_argument("--seed-start", type=int, default=100, help="first seed (the report's seeds are held out)")
    ap.add_argument("--write", help="append the tables to this markdown file")
    ap.add_argument("--chords-only", action="store_true",
                    help="chords (ours cqt, librosa cqt) only: no STFT recognisers, key, onsets, tempo or beats")
    ap.add_argument("--errors", action="store_true",
                    help="share of duration per kind of chord error on seeds 1000-1039 (TimGM6mb, FluidR3) and exit")
    ap.add_argument("--tune", action="store_true",
                    help="score the template recogniser's tuning grid on seeds 1000-1039 and exit")
    ap.add_argument("--model", choices=("learned", "templates"), default="learned",
                    help="our chord scorer on the CQT (default: learned)")
    args = ap.parse_args()
    if args.tune:
        tune(SOUNDFONTS[:2])
        return
    if args.errors:
        errors(SOUNDFONTS[:2], args.model)
        return
    try:
        import aubio  # noqa: F401
        have_aubio = True
    except ImportError:
        have_aubio = False

    chord_rows, rhythm_rows, notes, style_rows = [], [], [], {}
    warm = np.random.default_rng(0).standard_normal(2 * SR).astype(np.float32)  # numba JIT, FFT plans
    librosa_chords(warm, "cqt"), librosa_chords(warm, "stft")
    analysis.recognize_chords(warm, SR, tuning=0.0, model=args.model)  # builds the CQT kernel (cached)
    for path in args.soundfont:
        try:
            sf = synth.load_soundfont(path)
        except (OSError, ValueError) as e:
            notes.append(f"- {os.path.basename(path)}: not rendered ({e})")
            continue
        acc = {k: [] for k in ("ours", "ours_stft", "cqt", "stft", "key_ours", "key_lib", "t_ours", "t_cqt")}
        rh = {k: [] for k in ("on_ours", "on_lib", "on_aubio", "tempo_ours", "tempo_lib", "tempo_aubio",
                              "beat_ours", "beat_lib", "beat_aubio")}
        for i in range(args.songs):
            style = list(music.STYLES)[i % len(music.STYLES)]
            song = music.generate(seed=args.seed_start + i, style=style, bars=args.bars)
            x = np.ascontiguousarray(song.render(soundfont=sf, sample_rate=SR).mean(axis=1), dtype=np.float32)
            iv, labels = song.chord_intervals()
            tr, ms = timed(lambda: analysis.recognize_chords(x, SR, model=args.model))
            acc["ours"].append(wcsr(iv, labels, tr.intervals, tr.names))
            acc["t_ours"].append(ms)
            style_rows.setdefault(style, {}).setdefault(os.path.basename(path), []).append(
                (acc["ours"][-1], None))
            est, ms = timed(lambda: librosa_chords(x, "cqt"))
            acc["cqt"].append(wcsr(iv, labels, *est))
            style_rows[style][os.path.basename(path)][-1] = (acc["ours"][-1], acc["cqt"][-1])
            acc["t_cqt"].append(ms)
            if args.chords_only:
                print(f"{os.path.basename(path)} {style:7s} {song.key:9s} chords ours {acc['ours'][-1]:.2f} "
                      f"cqt {acc['cqt'][-1]:.2f}", flush=True)
                continue
            tr = analysis.recognize_chords(x, SR, chroma="stft")
            acc["ours_stft"].append(wcsr(iv, labels, tr.intervals, tr.names))
            acc["stft"].append(wcsr(iv, labels, *librosa_chords(x, "stft")))
            acc["key_ours"].append(mir_eval.key.weighted_score(song.key, analysis.estimate_key(x, SR).name))
            acc["key_lib"].append(mir_eval.key.weighted_score(song.key, librosa_key(x)))
            onsets, beats, bpm = song.onsets(), song.beats, song.tempo_bpm
            rh["on_ours"].append(mir_eval.onset.f_measure(onsets, analysis.detect_onsets(x, SR), window=0.05)[0])
            rh["on_lib"].append(mir_eval.onset.f_measure(
                onsets, librosa.onset.onset_detect(y=x, sr=SR, units="time"), window=0.05)[0])
            tempo, bt = analysis.track_beats(x, SR)
            rh["tempo_ours"].append(abs(tempo - bpm) <= 0.04 * bpm)
            rh["beat_ours"].append(mir_eval.beat.f_measure(beats, bt))
            tempo, bt = librosa.beat.beat_track(y=x, sr=SR, units="time")
            tempo = float(np.atleast_1d(tempo)[0])
            rh["tempo_lib"].append(abs(tempo - bpm) <= 0.04 * bpm)
            rh["beat_lib"].append(mir_eval.beat.f_measure(beats, bt))
            if have_aubio:
                rh["on_aubio"].append(mir_eval.onset.f_measure(onsets, aubio_onsets(x), window=0.05)[0])
                tempo, bt = aubio_beats(x)
                rh["tempo_aubio"].append(abs(tempo - bpm) <= 0.04 * bpm)
                rh["beat_aubio"].append(mir_eval.beat.f_measure(beats, bt))
            print(f"{os.path.basename(path)} {style:7s} {song.key:9s} chords ours {acc['ours'][-1]:.2f} "
                  f"cqt {acc['cqt'][-1]:.2f}  key ours {acc['key_ours'][-1]:.1f} lib {acc['key_lib'][-1]:.1f}",
                  flush=True)
        name = os.path.basename(path)
        m = {k: (np.mean(v) if v else float("nan")) for k, v in acc.items()}
        chord_rows.append(f"| {name} | {m['ours']:.3f} | {fmt(m['ours_stft'])} | {m['cqt']:.3f} | {fmt(m['stft'])} | "
                          f"{fmt(m['key_ours'], 2)} | {fmt(m['key_lib'], 2)} | {m['t_ours']:.0f} | {m['t_cqt']:.0f} |")
        r = {k: (np.mean(v) if v else float("nan")) for k, v in rh.items()}
        if not args.chords_only:
            rhythm_rows.append(f"| {name} | {r['on_ours']:.3f} | {r['on_lib']:.3f} | {r['on_aubio']:.3f} | "
                               f"{100 * r['tempo_ours']:.0f}% | {100 * r['tempo_lib']:.0f}% | "
                               f"{100 * r['tempo_aubio']:.0f}% | {r['beat_ours']:.3f} | {r['beat_lib']:.3f} | "
                               f"{r['beat_aubio']:.3f} |")

    fonts = [os.path.basename(p) for p in args.soundfont if any(os.path.basename(p) in v for v in style_rows.values())]
    per_style = [f"| {st} | " + " | ".join(
        (lambda v: f"{np.mean([a for a, _ in v]):.3f} / {np.mean([b for _, b in v]):.3f}" if v else "-")(
            style_rows[st].get(f, [])) for f in fonts) + " |" for st in style_rows]
    every = [ab for st in style_rows.values() for v in st.values() for ab in v]
    lines = [f"{args.songs} songs per SoundFont ({args.bars} bars, styles {', '.join(music.STYLES)}; seeds "
             f"{args.seed_start}-{args.seed_start + args.songs - 1}), {SR} Hz; {platform.processor() or platform.machine()}",
             "", f"| SoundFont | chords ours ({args.model}, cqt) | ours (stft) | librosa cqt+HMM | librosa stft+HMM | "
             "key ours | "
             "key librosa K-S | chord ms ours | chord ms librosa cqt |", "|---|---|---|---|---|---|---|---|---|",
             *chord_rows, "", f"Chords per style, ours ({args.model}, cqt) / librosa cqt+HMM:", "",
             "| style | " + " | ".join(fonts) + " |", "|---|" + "---|" * len(fonts), *per_style,
             f"| all | {np.mean([a for a, _ in every]):.3f} / {np.mean([b for _, b in every]):.3f} (all SoundFonts) |"
             + " |" * (len(fonts) - 1), "",
             *(["| SoundFont | onset F ours | librosa | aubio | tempo 4% ours | librosa | aubio | beat F ours | "
                "librosa | aubio |", "|---|---|---|---|---|---|---|---|---|---|", *rhythm_rows] if rhythm_rows else []),
             *([""] + notes if notes else [])]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with open(args.write, "a") as fh:
            fh.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
