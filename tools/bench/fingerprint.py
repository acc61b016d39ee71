#!/usr/bin/env python3
"""Audio fingerprinting: edgeaudio.fingerprint against Chromaprint (pyacoustid +
libchromaprint / fpcalc) on the same excerpts, in one process.

Library: songs from edgeaudio.music.generate (seeded, 5 styles, each part's
General MIDI program re-drawn per song for more instrumentations), rendered at
16 kHz mono through three SoundFonts: FluidR3_GM and TimGM6mb (edgeaudio.synth)
and MuseScore_General (FluidSynth, which reads SF3) for every 8th song. Renders
are cached in ~/.cache/edgeaudio/fingerprint.

  indexed    --songs songs (seeds 0..)
  unknown    --unknown songs (seeds 100000..), two excerpts each, never indexed
  filler     more songs (seeds 200000..), added to reach --large-index songs for
             the timing run (--speed-filler: the unknown songs 5-16 % slow or
             fast instead, as earlier runs did, with no rendering)

Tuning set (--tune): other excerpts of the indexed songs (other start times and
noise), and other unknown songs (seeds 300000..): it prints a sweep of the
decision thresholds, from which edgeaudio's defaults were chosen. The reported
run never sees those excerpts, so its figures are held out.

Queries: one 5 s excerpt per indexed song (random start), in each condition:
  clean, white / babble noise at 5 and 0 dB SNR, through a simulated room and
  loudspeaker (pyroomacoustics image-source room, RT60 0.3-0.7 s; 150 Hz
  high-pass, 6 kHz low-pass, soft clipping) with noise, and with the playback
  speed changed by +-2 % (pitch and tempo, as a turntable or tape).
  Babble: 6 espeak-ng voices talking at once.

Chromaprint is built for whole files; here each indexed song is fingerprinted
with fpcalc and each excerpt with pyacoustid (libchromaprint), and an excerpt
matches the song and item offset with the lowest bit error rate (BER); a match
needs BER <= --chromaprint-ber (0.35 by default, as AcoustID-style matchers use).

  top-1     excerpts whose reported song is right (no answer counts as wrong)
  offset    median |offset error| of the right answers, ms
  false     answers for excerpts of songs that are not indexed
  query ms  median / p95 wall time of one 5 s query (fingerprint + match),
            one core, against the large index (in-memory hash table, and
            straight from SQLite)
  MB/hour   index file size per hour of indexed audio

Usage: nice python tools/bench/fingerprint.py [--songs 200] [--unknown 100]
       [--large-index 1000] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import scipy.signal
import soundfile as sf
import soxr

from edgeaudio import fingerprint as efp
from edgeaudio import music, synth

SR = 16000
EXCERPT_S = 5.0
CACHE = Path(os.environ.get("EDGEAUDIO_CACHE", Path.home() / ".cache" / "edgeaudio")) / "fingerprint"
SOUNDFONTS = {
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "timgm6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "musescore": "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
}
# General MIDI programs to draw each part from (keyboards, guitars, strings, brass, reeds, leads)
PROGRAMS = {
    "melody": (0, 4, 11, 22, 24, 40, 41, 56, 60, 65, 66, 68, 71, 73, 80, 81),
    "chords": (0, 1, 4, 5, 16, 19, 24, 25, 26, 27, 46, 48, 49, 50, 89),
    "bass": (32, 33, 34, 35, 36, 38, 39, 42, 43),
    "pad": (48, 49, 50, 88, 89, 91, 95),
}
UNKNOWN_BASE, FILLER_BASE, TUNE_UNKNOWN_BASE = 100000, 200000, 300000
TUNE_SEED = 555  # added to every query seed of the tuning set
FILLER_SPEEDS = (0.84, 0.88, 0.92, 0.95, 1.05, 1.08, 1.12, 1.16)


# -- the library ----------------------------------------------------------------

def soundfont_for(seed: int) -> str:
    if seed % 8 == 3 and seed < FILLER_BASE:  # FluidSynth loads the SF3 for every song: slow
        return "musescore"
    return "fluidr3" if seed % 2 == 0 else "timgm6mb"


def song_for(seed: int) -> music.Song:
    s = music.generate(seed=seed, bars=16)
    rng = np.random.default_rng([seed, 77])
    new = {part: int(rng.choice(progs)) for part, progs in PROGRAMS.items()}
    s.notes = [dataclasses.replace(n, program=new[n.part]) if n.part in new else n for n in s.notes]
    return s


def render(seed: int, loaded: dict) -> Path:
    name = soundfont_for(seed)
    path = CACHE / "renders" / f"song{seed:06d}_{name}.flac"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    s = song_for(seed)
    if name == "musescore":  # edgeaudio.synth reads SF2; FluidSynth also reads SF3
        with tempfile.TemporaryDirectory() as tmp:
            mid, wav = Path(tmp) / "s.mid", Path(tmp) / "s.wav"
            s.save(mid)
            subprocess.run(["fluidsynth", "-ni", "-q", "-o", "synth.dynamic-sample-loading=1", "-g", "0.5", "-F", str(wav), "-r", str(SR),
                            SOUNDFONTS[name], str(mid)], check=True, capture_output=True)
            audio, _ = sf.read(wav, dtype="float32", always_2d=True)
    else:
        if name not in loaded:
            loaded[name] = synth.load_soundfont(SOUNDFONTS[name])
        audio = s.render(loaded[name], sample_rate=SR)
    mono = audio.mean(axis=1)
    mono = (0.5 * mono / max(1e-6, float(np.max(np.abs(mono))))).astype(np.float32)
    sf.write(path.with_suffix(".tmp.flac"), mono, SR)
    os.replace(path.with_suffix(".tmp.flac"), path)
    return path


def render_all(seeds, label: str) -> list:
    from tqdm import tqdm

    loaded: dict = {}
    return [render(s, loaded) for s in tqdm(seeds, desc=f"render {label}", unit="song", file=sys.stderr)]


def read(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


# -- degradations ---------------------------------------------------------------

def babble_track() -> np.ndarray:
    path = CACHE / "babble.flac"
    if path.exists():
        return read(path)
    rng = np.random.default_rng(5)
    words = ("the weather today is cloudy with a chance of rain later in the evening and we should "
             "probably take the train home before the match starts because traffic will be terrible "
             "did you see what she said about the meeting on monday it was quite something honestly").split()
    voices = ("en-us", "en-gb", "en-gb-scotland", "en-us+f3", "en-gb+f2", "en-us+m4")
    mix = np.zeros(60 * SR, np.float32)
    for v in voices:
        talk = []
        while sum(map(len, talk)) < mix.size:
            text = " ".join(rng.choice(words, 25))
            with tempfile.NamedTemporaryFile(suffix=".wav") as f:
                subprocess.run(["espeak-ng", "-v", v, "-s", str(int(rng.integers(140, 190))), "-w", f.name, text],
                               check=True, capture_output=True)
                y, r = sf.read(f.name, dtype="float32")
            talk.append(soxr.resample(y, r, SR).astype(np.float32))
        t = np.concatenate(talk)[:mix.size]
        mix += t / (np.std(t) + 1e-9)
    mix = (0.3 * mix / np.max(np.abs(mix))).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, mix, SR)
    return mix


def room_responses(n: int = 8) -> list:
    import pyroomacoustics as pra

    path = CACHE / "rooms.npz"
    if path.exists():
        return list(np.load(path).values())
    rng = np.random.default_rng(9)
    rirs = []
    for _ in range(n):
        dims = rng.uniform([3.0, 3.0, 2.4], [8.0, 6.0, 3.2])
        rt60 = rng.uniform(0.3, 0.7)
        absorption, max_order = pra.inverse_sabine(rt60, dims)
        room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption), max_order=min(max_order, 25))
        room.add_source(rng.uniform(0.5, dims - 0.5))
        room.add_microphone(rng.uniform(0.5, dims - 0.5))
        room.compute_rir()
        rirs.append(np.asarray(room.rir[0][0], np.float32))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, *rirs)
    return rirs


_SPEAKER = scipy.signal.butter(2, [150, 6000], btype="bandpass", fs=SR, output="sos")


def loudspeaker_in_room(x: np.ndarray, rir: np.ndarray) -> np.ndarray:
    y = scipy.signal.sosfilt(_SPEAKER, x)
    y = np.tanh(2.0 * y / max(1e-6, np.max(np.abs(y)))) / 2.0  # a small speaker driven hard
    return scipy.signal.fftconvolve(y, rir)[: x.size].astype(np.float32)


def add_noise(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    gain = np.sqrt(np.mean(x.astype(np.float64) ** 2) / (np.mean(noise.astype(np.float64) ** 2) + 1e-20)
                   / 10 ** (snr_db / 10))
    return (x + gain * noise).astype(np.float32)


def speed_change(x: np.ndarray, speed: float) -> np.ndarray:
    """x played `speed` times faster (pitch and tempo)."""
    return soxr.resample(x, SR * speed, SR).astype(np.float32)


CONDITIONS = ("clean", "white 5 dB", "white 0 dB", "babble 5 dB", "babble 0 dB", "room+speaker, white 5 dB",
              "room+speaker, babble 5 dB", "room+speaker, white 0 dB", "speed +-2%, white 5 dB",
              "speed +-2%, room+speaker, babble 5 dB")


def make_query(song: np.ndarray, start_s: float, condition: str, rng, babble, rirs):
    speed = 1.0
    if condition.startswith("speed"):
        speed = float(rng.choice([0.98, 1.02]))
    n = int(EXCERPT_S * SR * speed)
    a = int(start_s * SR)
    x = song[a:a + n]
    if speed != 1.0:
        x = speed_change(x, speed)
    if "room" in condition:
        x = loudspeaker_in_room(x, rirs[int(rng.integers(len(rirs)))])
    if "white" in condition or "babble" in condition:
        snr = 0.0 if "0 dB" in condition else 5.0
        if "white" in condition:
            noise = rng.standard_normal(x.size).astype(np.float32)
        else:
            b = int(rng.integers(0, babble.size - x.size))
            noise = babble[b:b + x.size]
        x = add_noise(x, noise, snr)
    return x, start_s


# -- Chromaprint ----------------------------------------------------------------

def chromaprint_file(path: Path) -> np.ndarray:
    # fpcalc exits 3 on FLAC's end-of-stream notice, with the whole fingerprint printed
    r = subprocess.run(["fpcalc", "-raw", "-json", str(path)], capture_output=True, text=True)
    try:
        return np.array(json.loads(r.stdout)["fingerprint"], dtype=np.int64).astype(np.uint32)
    except (ValueError, KeyError):
        raise RuntimeError(f"fpcalc failed on {path}: {r.stderr.strip()}") from None


def chromaprint_signal(x: np.ndarray) -> np.ndarray:
    import acoustid
    import chromaprint

    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    fp = acoustid.fingerprint(SR, 1, iter([pcm]))
    return np.array(chromaprint.decode_fingerprint(fp)[0], dtype=np.int64).astype(np.uint32)


_POP8 = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def popcount32(a: np.ndarray) -> np.ndarray:
    b = a.view(np.uint8).reshape(a.shape + (4,))
    return _POP8[b].sum(axis=-1, dtype=np.int32)


class ChromaprintMatcher:
    """Best (song, item offset) by bit error rate over every alignment."""

    def __init__(self, fps: list, item_s: float):
        self.fps, self.item_s = fps, item_s

    def match(self, q: np.ndarray):
        best = (1.0, -1, 0)
        m = q.size
        if m == 0:
            return best
        for i, s in enumerate(self.fps):
            if s.size < m:
                continue
            win = np.lib.stride_tricks.sliding_window_view(s, m)
            ber = popcount32(win ^ q[None, :]).sum(axis=1) / (32.0 * m)
            o = int(np.argmin(ber))
            if ber[o] < best[0]:
                best = (float(ber[o]), i, o)
        return best


# -- the run --------------------------------------------------------------------

def index_tag() -> str:
    """Schema version and fingerprint settings in the cached index's name, so another edgeaudio's cache is not reused."""
    return f"v{efp.SCHEMA_VERSION}_{zlib.crc32(json.dumps(efp._config_dict(efp.config()), sort_keys=True).encode()):08x}"


def build_large_index(db: Path, args, unknown) -> Path:
    """A copy of the indexed songs' index, plus filler up to --large-index songs."""
    from tqdm import tqdm

    n_fill = max(0, args.large_index - args.songs)
    kind = "speed" if args.speed_filler else "distinct"
    large = CACHE / f"index_{args.songs}+{n_fill}{kind}_{index_tag()}.db"
    if not large.exists() or large.stat().st_mtime < db.stat().st_mtime:
        large.write_bytes(db.read_bytes())
    with efp.FingerprintIndex(large) as ix:
        if args.speed_filler:
            # the unknown songs played 5-16 % slow or fast (beyond the matcher's +-2 % speed search)
            factors = FILLER_SPEEDS * (1 + n_fill // max(1, len(FILLER_SPEEDS) * len(unknown)))
            jobs = [(p, f) for f in factors for p in unknown][:n_fill]
            for p, f in tqdm(jobs, desc="large index", unit="song", file=sys.stderr):
                ix.add(f"{p.stem}_x{f:g}", speed_change(read(p), f), SR)
        else:  # other songs, rendered like the indexed ones
            for p in tqdm(render_all(range(FILLER_BASE, FILLER_BASE + n_fill), "filler"), desc="large index",
                          unit="song", file=sys.stderr):
                ix.add_file(p)
    return large


def time_queries(large: Path, songs, names, starts, babble, rirs, cp):
    """Wall and CPU time of 5 s queries (white noise, 5 dB) against the large index, on one core."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    qrng = np.random.default_rng(99)
    picks = range(0, len(songs), 2)
    queries = [make_query(songs[i], starts[i], "white 5 dB", qrng, babble, rirs)[0] for i in picks]
    timing = {}
    for mode, preload in (("in-memory", True), ("SQLite lookups", False)):
        with efp.FingerprintIndex(large, preload=preload) as big:
            big.match(queries[0], SR)  # loads the table (in-memory mode)
            wall, cpu, right = [], [], 0
            for i, q in zip(picks, queries):
                t0, c0 = time.perf_counter(), time.process_time()
                m = big.match(q, SR)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                right += m is not None and m.song == names[i]
            timing[mode] = {"median_ms": 1e3 * float(np.median(wall)), "p95_ms": 1e3 * float(np.percentile(wall, 95)),
                            "cpu_median_ms": 1e3 * float(np.median(cpu)), "top1": right / len(queries)}
        print(mode, timing[mode], file=sys.stderr)
    cp_ms = None
    if cp is not None:
        cpu = []
        for q in queries[:50]:
            c0 = time.process_time()
            cp.match(chromaprint_signal(q))
            cpu.append(time.process_time() - c0)
        cp_ms = 1e3 * float(np.median(cpu))
    return timing, cp_ms


def candidates(ix, x: np.ndarray, song) -> dict:
    """The evidence model's features of a query's leading candidates, and which one is ``song``."""
    peaks, verify_peaks, prints = ix._query_peaks(x, SR)
    cands = ix._candidates(peaks, verify_peaks, prints=prints)
    return {"features": efp._evidence_features(cands, len(verify_peaks)).reshape(len(cands), len(efp._EVIDENCE_FEATURES)),
            "right": np.array([m.song == song for m in cands], bool)}


def accepted(ms: list, min_evidence: float) -> np.ndarray:
    """edgeaudio's decision (FingerprintIndex.accepts) for each ranked best candidate (None: no candidate)."""
    return np.array([m is not None and m.evidence >= min_evidence for m in ms], dtype=bool)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50):
    """Logistic regression by Newton's method (IRLS), an L2 penalty on the weights (not the bias):
    (weights, bias)."""
    a = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    w = np.zeros(a.shape[1])
    pen = np.full(a.shape[1], l2)
    pen[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + pen * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(pen) + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])


def best_by_evidence(group: dict, weights, bias) -> tuple:
    """(evidence, right) of the candidate the model ranks first in one query (group: features, right)."""
    ev = group["features"] @ weights + bias
    i = int(np.argmax(ev)) if ev.size else -1
    return (float(ev[i]), bool(group["right"][i])) if i >= 0 else (-np.inf, False)


def tune_evidence(known: dict, unknown_rows: dict, false_rate: float = 0.005) -> list:
    """--tune: fit the evidence model on every candidate of every tuning query (right song or not), choose
    min_evidence that lets at most false_rate of the unknown excerpts through, and print a sweep."""
    groups = [g for k in known.values() for g in k["cands"]] + [g for u in unknown_rows.values() for g in u["cands"]]
    x = np.concatenate([g["features"] for g in groups])
    y = np.concatenate([g["right"] for g in groups]).astype(np.float64)
    weights, bias = fit_logistic(x, y)
    unk = np.sort([best_by_evidence(g, weights, bias)[0] for u in unknown_rows.values() for g in u["cands"]])[::-1]
    allowed = int(np.floor(false_rate * unk.size))
    chosen = float(np.ceil(100 * (unk[allowed] + unk[max(allowed - 1, 0)]) / 2) / 100)
    lines = [f"Evidence model fitted here ({len(groups)} queries, {len(x)} candidates; features: "
             + ", ".join(efp._EVIDENCE_FEATURES) + "):", "",
             "```", f"_EVIDENCE_WEIGHTS = ({', '.join(f'{v:.4f}' for v in weights)})",
             f"_EVIDENCE_BIAS = {bias:.4f}", f"_MIN_EVIDENCE = {chosen:.2f}  # <= {100 * false_rate:g} % of the "
             f"{unk.size} unknown excerpts", "```", "",
             "| min evidence | " + " | ".join(known) + " | false |", "|---|" + "---|" * len(known) + "---|"]
    for thr in sorted({chosen - 2, chosen - 1, chosen - 0.5, chosen, chosen + 0.5, chosen + 1, chosen + 2}):
        acc = []
        for k in known.values():
            got = [best_by_evidence(g, weights, bias) for g in k["cands"]]
            acc.append(np.mean([right and ev >= thr for ev, right in got]))
        fa = float(np.mean(unk >= thr))
        lines.append(f"| {thr:.2f} | " + " | ".join(f"{100 * a:.1f}%" for a in acc) + f" | {100 * fa:.2f}% |")
    lines += ["", "Ranked first by the model (no threshold): " + ", ".join(
        f"{c} {100 * np.mean([best_by_evidence(g, weights, bias)[1] for g in k['cands']]):.1f}%"
        for c, k in known.items()) + "."]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--songs", type=int, default=200, help="indexed songs")
    ap.add_argument("--unknown", type=int, default=100, help="songs not indexed (two excerpts each)")
    ap.add_argument("--large-index", type=int, default=1000, help="songs in the index the timing runs against")
    ap.add_argument("--speed-filler", action="store_true",
                    help="fill the large index with speed-changed unknown songs instead of rendering more songs")
    ap.add_argument("--conditions", default=";".join(CONDITIONS), help="semicolon-separated subset")
    ap.add_argument("--chromaprint-ber", type=float, default=0.35)
    ap.add_argument("--no-chromaprint", action="store_true")
    ap.add_argument("--tune", action="store_true",
                    help="the tuning set (other excerpts, other unknown songs): print a threshold sweep, no timing")
    ap.add_argument("--render-only", action="store_true", help="render and cache the library, then stop")
    ap.add_argument("--timing-only", action="store_true", help="only the query timing against the large index")
    ap.add_argument("--write", metavar="FILE", help="append the results to this markdown file")
    args = ap.parse_args()
    conditions = [c.strip() for c in args.conditions.split(";") if c.strip()]
    seed = TUNE_SEED if args.tune else 0

    indexed = render_all(range(args.songs), "indexed")
    unknown_base = TUNE_UNKNOWN_BASE if args.tune else UNKNOWN_BASE
    unknown = render_all(range(unknown_base, unknown_base + args.unknown), "unknown")
    if args.render_only:
        return
    babble, rirs = babble_track(), room_responses()

    # the index (built once, cached): the indexed songs, then the filler songs in a copy
    from tqdm import tqdm

    db = CACHE / f"index_{args.songs}_{index_tag()}.db"
    t0 = time.perf_counter()
    with efp.FingerprintIndex(db) as ix:
        n_added = sum(ix.add_file(p)[1] for p in tqdm(indexed, desc="index", unit="song", file=sys.stderr))
        hours = sum(s.duration_s for s in ix.songs()) / 3600
    add_s = time.perf_counter() - t0
    mb_per_hour = db.stat().st_size / 1e6 / hours

    songs = [read(p) for p in indexed]
    names = [p.stem for p in indexed]
    rng = np.random.default_rng(2024 + seed)
    starts = [float(rng.uniform(0, len(s) / SR - EXCERPT_S * 1.03)) for s in songs]

    if args.timing_only:
        large = build_large_index(db, args, unknown)
        with efp.FingerprintIndex(large) as big:
            n_large, large_hours = len(big), sum(x.duration_s for x in big.songs()) / 3600
        timing, _ = time_queries(large, songs, names, starts, babble, rirs, None)
        print(f"Query time against {n_large} songs ({large_hours:.1f} h), one core, 5 s excerpt, white noise 5 dB:")
        for mode, r in timing.items():
            print(f"| edgeaudio, {mode} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['cpu_median_ms']:.1f} ms "
                  f"| {100 * r['top1']:.1f}% |")
        return
    ix = efp.FingerprintIndex(db, preload=True)
    min_evidence = ix.min_evidence
    cp = None
    if not args.no_chromaprint and not args.tune:
        cp_fps = [chromaprint_file(p) for p in tqdm(indexed, desc="fpcalc", unit="song", file=sys.stderr)]
        cp = ChromaprintMatcher(cp_fps, item_s=0.1238)
    # per query: our best candidate (Match or None), right song?, |offset error| s; Chromaprint right?, BER
    known = {}
    for cond in conditions:
        qrng = np.random.default_rng(zlib.crc32(cond.encode()) + seed)
        k = {"ms": [], "right": [], "off": [], "cp_right": [], "cp_ber": [], "cands": []}
        for i, s in enumerate(tqdm(songs, desc=cond, unit="q", file=sys.stderr)):
            x, start = make_query(s, starts[i], cond, qrng, babble, rirs)
            if args.tune:  # every leading candidate, for the evidence model's fit
                k["cands"].append(candidates(ix, x, names[i]))
            r = ix.rank(x, SR, 1)
            m = r[0] if r else None
            k["ms"].append(m)
            k["right"].append(m is not None and m.song == names[i])
            k["off"].append(abs(m.offset_s - start) if m else np.inf)
            ber, j = (cp.match(chromaprint_signal(x))[:2]) if cp is not None else (1.0, -1)
            k["cp_right"].append(j == i)
            k["cp_ber"].append(ber)
        known[cond] = {key: (v if key in ("ms", "cands") else np.array(v)) for key, v in k.items()}
        print(cond, "top-1", np.mean(known[cond]["right"] & accepted(known[cond]["ms"], min_evidence)), file=sys.stderr)
    unknown_rows = {}
    rounds = 3 if args.tune else 1  # the tuning set: 6 excerpts per unknown song and condition, to fit the threshold
    for cond in ("clean", "white 5 dB", "room+speaker, babble 5 dB"):
        u = {"ms": [], "cp_ber": [], "cands": []}
        for rnd in range(rounds):
            qrng = np.random.default_rng(7 + len(unknown_rows) + seed + 1000 * rnd)
            for p in tqdm(unknown, desc=f"unknown, {cond}", unit="song", file=sys.stderr):
                s = read(p)
                for _ in range(2):
                    start = float(qrng.uniform(0, len(s) / SR - EXCERPT_S))
                    x, _ = make_query(s, start, cond, qrng, babble, rirs)
                    if args.tune:
                        u["cands"].append(candidates(ix, x, None))
                    r = ix.rank(x, SR, 1)
                    u["ms"].append(r[0] if r else None)
                    u["cp_ber"].append(cp.match(chromaprint_signal(x))[0] if cp is not None else 1.0)
        unknown_rows[cond] = {"ms": u["ms"], "cp_ber": np.array(u["cp_ber"]), "cands": u["cands"]}
    ix.close()

    if args.tune:
        lines = [f"### Fingerprinting evidence model, tuning set (`nice python tools/bench/fingerprint.py --tune "
                 f"--songs {args.songs} --unknown {args.unknown}`)", "",
                 f"{args.songs} indexed songs, other excerpts than the reported run's, {2 * rounds * args.unknown} "
                 f"excerpts per condition of {args.unknown} other unknown songs (seeds {TUNE_UNKNOWN_BASE}..). "
                 "Ranked first by the shipped model (no threshold): "
                 + ", ".join(f"{c} {100 * np.mean(k['right']):.1f}%" for c, k in known.items())
                 + f"; accepted at the shipped min_evidence {min_evidence:g}: "
                 + ", ".join(f"{c} {100 * np.mean(k['right'] & accepted(k['ms'], min_evidence)):.1f}%"
                             for c, k in known.items())
                 + f"; false {100 * np.mean([a for u in unknown_rows.values() for a in accepted(u['ms'], min_evidence)]):.2f}%. "
                 "The fit and sweep below are on these same excerpts (in-sample).", ""]
        lines += tune_evidence(known, unknown_rows) + [""]
        text = "\n".join(lines)
        print(text)
        if args.write:
            with open(args.write, "a") as f:
                f.write("\n" + text)
        return

    all_cp_ber = np.concatenate([u["cp_ber"] for u in unknown_rows.values()])
    # Chromaprint's threshold calibrated on the unknown excerpts: the largest BER with <= 1 % false matches
    cp_cal = None
    if cp is not None:
        bers = np.sort(all_cp_ber)
        cp_cal = float(bers[int(np.floor(0.01 * len(bers)))]) - 1e-9
    results = {}
    for cond, k in known.items():
        right = k["right"]
        results[cond] = {
            "top1": float(np.mean(right & accepted(k["ms"], min_evidence))),
            "ranked_first": float(np.mean(right)),
            "offset_ms": 1e3 * float(np.median(k["off"][right])) if right.any() else None,
            "chromaprint_top1": float(np.mean(k["cp_right"] & (k["cp_ber"] <= args.chromaprint_ber)))
            if cp is not None else None,
            "chromaprint_top1_calibrated": float(np.mean(k["cp_right"] & (k["cp_ber"] <= cp_cal)))
            if cp is not None else None,
        }
        print(cond, results[cond], file=sys.stderr)
    false = {cond: {"n": len(u["ms"]), "false": int(accepted(u["ms"], min_evidence).sum()),
                    "chromaprint_false": int((u["cp_ber"] <= args.chromaprint_ber).sum()) if cp is not None else None,
                    "chromaprint_false_calibrated": int((u["cp_ber"] <= cp_cal).sum()) if cp is not None else None}
             for cond, u in unknown_rows.items()}

    large = build_large_index(db, args, unknown)
    with efp.FingerprintIndex(large) as big:
        n_large, large_hours = len(big), sum(x.duration_s for x in big.songs()) / 3600
    large_mb_per_hour = large.stat().st_size / 1e6 / large_hours
    timing, cp_ms = time_queries(large, songs, names, starts, babble, rirs, cp)

    filler = ("the unknown songs 5-16 % slow or fast" if args.speed_filler
              else f"other songs rendered the same way (seeds {FILLER_BASE}..)")
    lines = [
        f"### Fingerprinting (`nice python tools/bench/fingerprint.py --songs {args.songs} --unknown {args.unknown} "
        f"--large-index {args.large_index}" + (" --speed-filler" if args.speed_filler else "") + "`)",
        "",
        f"{platform.machine()}, Python {platform.python_version()}; {args.songs} indexed songs "
        f"({hours:.2f} h, FluidR3_GM / TimGM6mb / MuseScore_General), 5 s excerpts, one per song and condition "
        f"(held out: the thresholds were chosen on the `--tune` set, other excerpts and other unknown songs); "
        f"edgeaudio's default decision: the evidence model over the 5 leading songs' votes and verification "
        f"against their peak maps, evidence >= {min_evidence:g}. "
        + ("Chromaprint: not run (--no-chromaprint)." if cp is None else
           f"Chromaprint: fpcalc on the songs, pyacoustid on the excerpts, lowest bit error rate over all "
           f"alignments; a match needs BER <= {args.chromaprint_ber} (or <= {cp_cal:.3f}, the threshold that "
           "keeps false matches on the unknown excerpts at 1 %)."),
        "",
        "| condition | edgeaudio top-1 | edgeaudio ranked first (no threshold) | Chromaprint top-1 (BER 0.35 / calibrated) "
        "| edgeaudio offset error (median) |",
        "|---|---|---|---|---|",
    ]
    for cond, r in results.items():
        cpv = "-" if r["chromaprint_top1"] is None else \
            f"{100 * r['chromaprint_top1']:.1f}% / {100 * r['chromaprint_top1_calibrated']:.1f}%"
        off = "-" if r["offset_ms"] is None else f"{r['offset_ms']:.0f} ms"
        lines.append(f"| {cond} | {100 * r['top1']:.1f}% | {100 * r['ranked_first']:.1f}% | {cpv} | {off} |")
    lines += ["", "| songs not in the index | excerpts | edgeaudio false matches | Chromaprint false (BER 0.35 / calibrated) |",
              "|---|---|---|---|"]
    for cond, r in false.items():
        cpv = "-" if r["chromaprint_false"] is None else \
            f"{100 * r['chromaprint_false'] / r['n']:.1f}% / {100 * r['chromaprint_false_calibrated'] / r['n']:.1f}%"
        lines.append(f"| {cond} | {r['n']} | {r['false']} ({100 * r['false'] / r['n']:.1f}%) | {cpv} |")
    lines += ["", f"Query time against {n_large} songs ({large_hours:.1f} h; the {args.songs} indexed songs and "
                  f"{filler}), one core, 5 s excerpt with white noise at 5 dB (fingerprint + match + verification):", "",
              "| mode | wall median | wall p95 | CPU median | top-1 |", "|---|---|---|---|---|"]
    for mode, r in timing.items():
        lines.append(f"| edgeaudio, {mode} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['cpu_median_ms']:.1f} ms "
                     f"| {100 * r['top1']:.1f}% |")
    if cp_ms is not None:
        lines.append(f"| Chromaprint (fingerprint + BER scan of the {args.songs}-song set) | - | - | {cp_ms:.1f} ms | - |")
    lines += ["", f"Index size: {mb_per_hour:.1f} MB per hour of audio ({db.stat().st_size / 1e6:.1f} MB for "
                  f"{hours:.2f} h, peak maps included; {large_mb_per_hour:.1f} MB/h at {n_large} songs). "
              + (f"Building the {args.songs}-song index took {add_s:.0f} s (decode, resample, fingerprint, SQLite)."
                 if n_added == len(indexed) else f"The index was cached ({n_added} songs added in this run)."), ""]
    text = "\n".join(lines)
    print(text)
    print(json.dumps({"results": results, "false": false, "timing": timing}), file=sys.stderr)
    if args.write:
        with open(args.write, "a") as f:
            f.write("\n" + text)

if __name__ == "__main__":
    main()
