"""Audio fingerprinting: "what song is playing?" against your own library.

Landmark fingerprints (spectral-peak pairs hashed with their time difference,
computed in the C++ core, see ``cpp/include/edgeaudio/fingerprint.h``) kept in
an SQLite index, and a matcher that scores time-offset coherence: landmarks of
the right song agree on where in the song the query starts, chance hits do
not.

>>> from edgeaudio.fingerprint import FingerprintIndex
>>> with FingerprintIndex("songs.db") as index:          # doctest: +SKIP
...     index.add_file("library/blue_moon.flac")
...     match = index.match_file("recording.wav")
>>> match.song, round(match.offset_s, 1)                  # doctest: +SKIP
('blue_moon', 42.3)

The index file
--------------
One SQLite database (Python's :mod:`sqlite3`, no server): a ``schema_version``
table, ``songs`` (name, path, duration, sha256 of the decoded audio, so adding
the same song twice keeps one copy), ``buckets``: one row per hash (the
integer primary key) holding its postings, the (song id, frame) pairs packed as
little-endian int32 in one blob, ``peak_maps``: each song's
verification peaks (below), (frame, FFT bin) as little-endian float32 pairs,
about 0.7 MB per hour of audio, and ``subprints`` (schema 5): each song's
sub-fingerprints (below), one little-endian uint32 per 32 ms frame, 0.45 MB
per hour. A query reads one row per distinct hash it
has, a few thousand B-tree lookups and no per-posting Python work, so matching
straight from the file stays fast; ``preload=True`` reads every bucket once
and matches in memory. Each song is added in one transaction, so a
process killed during ``add`` leaves the songs added before it and nothing of
the one in progress. A file that is not an edgeaudio index (another SQLite
database, a text file, a damaged database) raises :class:`IndexFileError` and
is never modified.

Verification
------------
The hash vote ranks songs well even in loud noise, but its score alone is a
weak reason to answer: a landmark needs both of its peaks to survive the noise
and to be paired as in the song. So the leading candidates are checked once
more against the song's stored peak map. Those peaks are picked as the
landmarks' are, but on the level each bin holds for 5 frames (160 ms) instead
of 3 (schema 4; schema 3 stored the landmarks' own peaks): held notes keep
their peaks, while talkers' voices and a room's reverberation tails, which
seldom hold that long at one bin, lose theirs, so more of a noisy query's
peaks are the song's (tuning set, through a room with chatter: +2-4 points at
the same false-match rate). The query's peaks picked the same way, moved to the
song's time and frequency at the offset and speed the vote found (refined by
+-2 frames and +-0.5 %), that land within 2.5 frames and 2.5 bins of a song
peak (:attr:`Match.peak_hits`). One surviving peak is enough for a hit, so the
right song keeps many hits in noise and through a room, while a song that only
shares a drum loop or a bass line with the query keeps few.

Finding the offset
------------------
The vote's offset is sometimes the wrong one for the right song: a section
that repeats with other notes, or the same bar shifted by a beat, where the
drums and the bass agree. Verified there, the right song looks like a stranger.
So each candidate is also checked with a second, dense fingerprint written for
this (after Haitsma and Kalker's sub-fingerprints): per frame, 32 bits, the
signs of how the level difference between neighbouring bands (33 log-spaced
bands, 300 .. 3000 Hz) changes from one frame to the next
(:func:`sub_fingerprints`). The query's bits (band edges moved by the vote's
speed) are compared with the song's at every offset of the song, matching
minus differing bits (:attr:`Match.subprint_z`, normalised by the bits
compared); where they agree best the peaks are verified again, and the better
of the two verifications counts (tuning set, at the same 0.5 % false matches:
0.5-2.5 points more right songs accepted through a room, e.g. 96.5 % instead of
95.0 % with babble at 5 dB; the query takes about 7 ms more CPU). The
song's second best offset by votes, at least 0.64 s from the best (songs
repeat sections, so the right song's votes split between them), is verified
too, and again the best verification counts; the votes there and the share
of the song's votes that line up are evidence features too (tuning set, 2-fold
cross-validation at 0.5 % false matches: through a room with babble 96.5 %
instead of 95.0 %, with white noise at 0 dB 94.5 % instead of 92.5 %; about
1-5 ms more CPU a query against 1000 songs).

Decision
--------
The five best songs by votes are verified, and each gets one number,
:attr:`Match.evidence`: the log-odds of a logistic model (fitted on the
benchmark's tuning set, ``tools/bench/fingerprint.py --tune``) over its votes
(score, bands, the votes leader's confidence, the votes at its second
offset, the share of its votes at any offset that line up on the best one),
its verification (the share of query peaks on its map, z) and how far these
stand above the best of the other four. The songs are ranked by it (in a room with chatter the right song
is often second or third by votes but first by verification), and the best
one is the answer when its evidence reaches ``min_evidence`` (see
:meth:`FingerprintIndex.accepts`).

Speed changes
-------------
A query is hashed at several assumed speeds (``speeds``, -2 % .. +2 % in 1 %
steps by default) and the best coherent offset over all of them wins, so audio
played slightly fast or slow (tape, turntables, broadcast time compression)
still matches; :attr:`Match.speed` reports the speed found.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core, _validate
from ._fpmatch import offset_scores

__all__ = [
    "INDEX_SAMPLE_RATE_HZ", "SCHEMA_VERSION", "DEFAULT_SPEEDS", "IndexFileError", "Landmarks", "Match",
    "Song", "FingerprintIndex", "StreamingMatcher", "QueryPrints", "config", "landmarks", "load_audio",
    "resample", "verification_peaks", "sub_fingerprints",
]

INDEX_SAMPLE_RATE_HZ = 8000
SCHEMA_VERSION = 5
DEFAULT_SPEEDS: Tuple[float, ...] = (0.98, 0.99, 1.0, 1.01, 1.02)
_APPLICATION_ID = 0x45414650  # "EAFP" in the SQLite header: this file is an edgeaudio fingerprint index
_SQLITE_MAGIC = b"SQLite format 3\x00"
_MIN_QUERY_S = 1.0
_BAND_SHIFT = 13  # a hash's anchor band: its bits 13..19 (cpp/include/edgeaudio/fingerprint.h)
_VERIFY_SPEEDS = (0.995, 1.0, 1.005)  # around the vote's speed (its grid is 1 %)
_VERIFY_SHIFTS = (-2, -1, 0, 1, 2)  # frames around the vote's offset
_VERIFY_REACH = 2  # a song peak covers +-2 frames and +-2 bins (a room's reverberation moves peaks a little)
_VERIFY_STABLE_FRAMES = 5  # the verification's peaks: on the level a bin holds for 5 frames (landmarks: 3)
_SUBPRINT_PAD = 10  # frames the sub-fingerprint scan reaches before the song's start and past its end
_SUBPRINT_FMAX_HZ = 3000.0  # the top band edge (kSubprintFmaxHz), times the speed, must stay below Nyquist
_CANDIDATES = 5  # songs verified per query: the best by votes; the evidence picks among them
_SECOND_OFFSET_AWAY = 20  # frames (0.64 s) between a song's best votes offset and its second one
# The evidence model: a logistic regression over _evidence_features, fitted on the tuning set
# (tools/bench/fingerprint.py --tune prints these; BENCHMARKS.md, "Fingerprinting").
_EVIDENCE_FEATURES = ("log(1 + score)", "bands", "peak_hits / query peaks", "peak_z", "peak_z - best other z",
                      "log(1 + score) - log(1 + best other score)", "bands - best other bands",
                      "confidence (votes leader only)", "votes leader", "log(1 + second_score)",
                      "log(1 + second_score) - log(1 + best other second_score)", "score / song_votes",
                      "log(1 + song_votes)")
_EVIDENCE_WEIGHTS = (-0.7626, -1.0395, 3.9846, 1.1423, 1.0778, 2.3097, 1.1870, 1.9942, 0.3400, -1.2841, 1.4778,
                     -0.0448, 1.1116)
_EVIDENCE_BIAS = -7.0862
_MIN_EVIDENCE = -0.11  # <= 0.5 % of the tuning set's 1800 unknown excerpts


class IndexFileError(RuntimeError):
    """The index file is not an edgeaudio fingerprint index, or is damaged."""


def config() -> "_core.FingerprintConfig":
    """The fingerprint settings the index uses (the C++ defaults, 8 kHz)."""
    c = _core.FingerprintConfig()
    c.validate()
    return c


def _verify_config() -> "_core.FingerprintConfig":
    """The settings of the verification's peaks (peak maps, schema 4): config() with
    stable_frames = _VERIFY_STABLE_FRAMES."""
    c = config()
    c.stable_frames = _VERIFY_STABLE_FRAMES
    c.validate()
    return c


def _config_dict(c) -> Dict[str, object]:
    names = ("sample_rate_hz", "n_fft", "hop_length", "fmin_hz", "fmax_hz", "floor_db", "peak_freq_radius",
             "peak_time_radius", "min_prominence_db", "stable_frames", "peak_hold_db",
             "peaks_per_second", "fan_out", "target_dt_min",
             "target_dt_max", "target_octaves", "bands_per_octave")
    return {n: getattr(c, n) for n in names}


@dataclass(frozen=True)
class Landmarks:
    """The fingerprint of one signal.

    Attributes
    ----------
    hashes : np.ndarray, uint32 (n,)
    frames : np.ndarray, int32 (n,)
        Anchor time of each landmark, in frames of ``frame_s`` seconds.
    peaks : np.ndarray, float32 (m, 3)
        The spectral peaks: frame, FFT bin, prominence in dB.
    frame_s : float
    """

    hashes: np.ndarray
    frames: np.ndarray
    peaks: np.ndarray
    frame_s: float


def resample(x: np.ndarray, sample_rate: int, target_rate: int = INDEX_SAMPLE_RATE_HZ) -> np.ndarray:
    """Resample a 1-D signal to ``target_rate`` (soxr, high quality); float32 out."""
    x = _validate.signal(x, "x")
    sample_rate = _validate.integer(sample_rate, "sample_rate", 1000, 1_000_000)
    if sample_rate == target_rate or x.size == 0:
        return x
    import soxr

    return np.ascontiguousarray(soxr.resample(x, sample_rate, target_rate, quality="HQ"), dtype=np.float32)


def load_audio(path: Union[str, os.PathLike], target_rate: int = INDEX_SAMPLE_RATE_HZ) -> np.ndarray:
    """Read any file soundfile reads (or ``-`` for standard input), mix to mono, resample.

    Raises
    ------
    OSError
        The file is missing or not audio soundfile can decode (the message names it).
    """
    import soundfile as sf
    import sys
    import io

    src = io.BytesIO(sys.stdin.buffer.read()) if str(path) == "-" else path
    try:
        data, sr = sf.read(src, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:  # soundfile's own errors
        raise OSError(f"cannot read audio from {path}: {e}") from None
    return resample(np.ascontiguousarray(data.mean(axis=1)), int(sr), target_rate)


def landmarks(x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ) -> Landmarks:
    """The landmark fingerprint of a whole signal (resampled to 8 kHz first if needed)."""
    x = resample(x, sample_rate)
    c = config()
    h, t, p = _core.fingerprint_extract(x, c)
    return Landmarks(h, t, p, c.frame_seconds())


def verification_peaks(x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ) -> np.ndarray:
    """The peaks the verification compares (module docstring): picked as the landmarks' are, on the level
    each bin holds for 5 frames; float32 (m, 3) rows of frame, FFT bin, prominence in dB."""
    return _core.fingerprint_extract(resample(x, sample_rate), _verify_config())[2]


def sub_fingerprints(x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ, speed: float = 1.0) -> np.ndarray:
    """The sub-fingerprints of a signal (module docstring, "Finding the offset"): uint32, one per frame of
    the landmarks' spectrum, bit m the sign of the change over time of the slope between bands m and m + 1
    (33 bands, 300 .. 3000 Hz, edges times ``speed``; ``cpp/include/edgeaudio/fingerprint.h``)."""
    speed = _validate.number(speed, "speed")
    return _core.fingerprint_subprints(resample(x, sample_rate), config(), speed)


@dataclass(frozen=True)
class QueryPrints:
    """A query's sub-fingerprints at each speed the index tries: ``bits[speed]`` (uint32 per frame), the
    first of them at frame ``first_frame`` of the query's landmark frames (0 for a whole recording; the
    streaming matcher keeps the last window)."""

    bits: Dict[float, np.ndarray]
    first_frame: int = 0


@dataclass(frozen=True)
class Song:
    id: int
    name: str
    path: str
    duration_s: float
    n_hashes: int
    checksum: str


@dataclass(frozen=True)
class Match:
    """The answer to a query.

    Attributes
    ----------
    song : str
        The matched song's name (its file stem when added from a file).
    song_id : int
    offset_s : float
        Where in the song the query starts, seconds.
    score : float
        Landmarks that agree on that offset.
    confidence : float
        0 .. 1: how far this song stands above the next one (the background:
        what chance and sounds that songs share give), the smaller of
        1 - (next score + 1) / (score + 1) and the same ratio of their bands.
    speed : float
        Playback speed found (1.02: the query plays 2 % fast).
    bands : int
        Distinct anchor frequency bands (1/24 octave) among the landmarks
        that agree on the offset. Songs made with the same drum kit and
        pattern share whole drum loops: their landmarks agree on an offset
        too, but in a few bands only; a melody and its chords spread over many.
    peak_hits : int
        Query peaks that land on one of the song's own peaks (within 2.5
        frames and 2.5 FFT bins) at the offset and speed found, the
        verification stage's evidence (module docstring).
    peak_z : float
        How far ``peak_hits`` stands above the hits at the song's other
        offsets, in standard deviations (what chance and what the song
        shares with everything give).
    evidence : float
        The decision value: log-odds that this is the right song, from a
        logistic model over the votes and the verification of this song and
        of the other leading candidates (module docstring, "Decision");
        :meth:`FingerprintIndex.accepts` answers at ``evidence >=
        min_evidence``.
    subprint_z : float
        The best bit agreement of the query's sub-fingerprints with the
        song's over all its offsets (matching minus differing bits, over the
        square root of the bits compared: about 3-5 for a song that is not
        the one playing, module docstring); 0 when not computed.
    second_score : int
        Landmarks that agree on the song's second best offset, at least
        0.64 s from the best one at the same speed (generated and real songs
        repeat sections, so the right song's votes split between them).
    song_votes : int
        The song's landmark votes at any offset (``score`` over it: how much
        of what the song shares with the query lines up).
    """

    song: str
    song_id: int
    offset_s: float
    score: int
    confidence: float
    speed: float
    bands: int = 0
    peak_hits: int = 0
    peak_z: float = 0.0
    evidence: float = 0.0
    subprint_z: float = 0.0
    second_score: int = 0
    song_votes: int = 0

    def to_dict(self) -> Dict[str, object]:
        d = dataclasses.asdict(self)
        d["offset_s"] = round(self.offset_s, 3)
        d["confidence"] = round(self.confidence, 3)
        d["peak_z"] = round(self.peak_z, 2)
        d["evidence"] = round(self.evidence, 2)
        d["subprint_z"] = round(self.subprint_z, 2)
        return d


def _postings(rows: np.ndarray, song_id: int):
    """Unique (hash, frame) rows sorted by hash -> (hash, postings blob) per hash, for the buckets table."""
    hashes = rows[:, 0]
    cuts = np.flatnonzero(np.diff(hashes)) + 1
    pairs = np.stack([np.full(len(rows), song_id, np.int64), rows[:, 1]], axis=1).astype("<i4")
    for lo, hi in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(rows)]])):
        yield int(hashes[lo]), pairs[lo:hi].tobytes()


class _Votes:
    """Every (query landmark, index posting) pair of a query, the votes: each one's song, speed variant
    (``q_var``), offset (song frame - query frame) and the query landmark's anchor band (db_hash sorted)."""

    def __init__(self, db_hash: np.ndarray, db_song: np.ndarray, db_frame: np.ndarray, q_hash: np.ndarray,
                 q_frame: np.ndarray, q_var: Optional[np.ndarray] = None) -> None:
        lo = np.searchsorted(db_hash, q_hash, "left")
        n = np.searchsorted(db_hash, q_hash, "right") - lo
        which = np.repeat(np.arange(q_hash.size), n)
        pos = lo[which] + np.arange(which.size) - np.repeat(np.cumsum(n) - n, n)
        self.song = db_song[pos]
        self.variant = q_var[which] if q_var is not None else np.zeros(which.size, np.int32)
        self.delta = db_frame[pos].astype(np.int64) - q_frame[which]
        self.band = q_hash[which] >> _BAND_SHIFT

    def of(self, song: int, variant: int = 0) -> np.ndarray:
        """The indices of one song's votes at one speed variant."""
        return np.flatnonzero((self.song == song) & (self.variant == variant))

    def bands(self, votes: np.ndarray, offset: float, tolerance: float = 1.5) -> int:
        """Distinct anchor bands among ``votes`` (indices) within ``tolerance`` frames of ``offset``."""
        return int(np.unique(self.band[votes[np.abs(self.delta[votes] - offset) <= tolerance]]).size)


def _second_offset(deltas: np.ndarray, away: int = _SECOND_OFFSET_AWAY) -> Tuple[int, float]:
    """A song's second best offset by votes: (votes within +-1 frame of it, offset in frames), at least ``away``
    frames from the best one, given every vote's offset ``deltas`` (song frame - query frame, one speed)."""
    if deltas.size == 0:
        return 0, 0.0
    lo = int(deltas.min())
    w = np.convolve(np.bincount(deltas - lo), np.ones(3, np.int64), mode="same")
    best = int(np.argmax(w))
    w[max(0, best - away):best + away + 1] = -1
    j = int(np.argmax(w))
    return max(int(w[j]), 0), float(j + lo)


def _peak_grid(song_peaks: np.ndarray, margin: int) -> np.ndarray:
    """A song's peak map as a boolean (frame + margin, bin) image, each peak widened to +-_VERIFY_REACH
    frames and bins."""
    r = _VERIFY_REACH
    f = np.rint(song_peaks[:, 0]).astype(np.int64) + margin
    b = np.rint(song_peaks[:, 1]).astype(np.int64)
    grid = np.zeros((int(f.max(initial=0)) + margin + r + 1, int(b.max(initial=0)) + r + 1), bool)
    for df in range(-r, r + 1):
        for db in range(-r, r + 1):
            ok = (f + df >= 0) & (b + db >= 0)
            grid[f[ok] + df, b[ok] + db] = True
    return grid


def _verify_span(q_peaks: np.ndarray, speed: float) -> int:
    """Frames a query's peaks can reach past a song's ends when verified at ``speed`` (the grid's margin)."""
    return int(np.ceil(q_peaks[:, 0].max() * max(_VERIFY_SPEEDS) * speed)) + max(_VERIFY_SHIFTS) + _VERIFY_REACH + 1


def _verify(q_peaks: np.ndarray, song_peaks: np.ndarray, offset: float, speed: float,
            grid: Optional[np.ndarray] = None) -> Tuple[int, float]:
    """The verification of one candidate: (hits, z).

    hits: query peaks (frame, bin, ...) that, played at ``speed`` and moved by ``offset`` frames into
    the song, land within 2.5 frames and 2.5 bins of one of ``song_peaks`` (frame, bin), the best over
    small speed and offset refinements (_VERIFY_SPEEDS, _VERIFY_SHIFTS). z: how far hits stands above
    the hits at every other offset of the same song (in standard deviations), so a song whose notes
    fill the spectrum, or that shares a chord or a drum sound with the query everywhere, needs more.
    ``grid``: ``_peak_grid(song_peaks, _verify_span(q_peaks, speed))`` when already made (one song verified
    at several offsets).
    """
    if len(q_peaks) == 0 or len(song_peaks) == 0:
        return 0, 0.0
    span = _verify_span(q_peaks, speed)
    if grid is None:
        grid = _peak_grid(song_peaks, span)  # row r: song frame r - span
    n_rows, n_bins = grid.shape

    def lookup(frames: np.ndarray, bins: np.ndarray) -> np.ndarray:
        f = np.rint(frames).astype(np.int64) + span
        ok = (f >= 0) & (f < n_rows) & (bins >= 0) & (bins < n_bins)
        return np.count_nonzero(grid[np.where(ok, f, 0), np.where(ok, bins, 0)] & ok, axis=-1)

    best, best_s, best_o = -1, speed, offset
    for s in _VERIFY_SPEEDS:
        qf = q_peaks[:, 0].astype(np.float64) * (speed * s)
        qb = np.rint(q_peaks[:, 1] / (speed * s)).astype(np.int64)
        for shift in _VERIFY_SHIFTS:
            h = int(lookup(qf + offset + shift, qb))
            if h > best:
                best, best_s, best_o = h, speed * s, offset + shift
    # the same count at every 4th other offset of the song, away from the one found
    qf = q_peaks[:, 0].astype(np.float64) * best_s
    qb = np.rint(q_peaks[:, 1] / best_s).astype(np.int64)
    others = np.arange(-span + 2, n_rows - 2 * span, 4, dtype=np.float64)
    others = others[np.abs(others - best_o) > 20]
    if others.size > 512:  # long songs: 512 offsets spread over the song bound the work
        others = others[np.linspace(0, others.size - 1, 512).astype(np.int64)]
    if others.size < 8:
        return best, 0.0
    null = lookup(qf[None, :] + others[:, None], np.broadcast_to(qb, (others.size, qb.size)))
    return best, float((best - null.mean()) / (null.std() + 1.0))


def _subprint_search(query: QueryPrints, song_bits: np.ndarray, speed: float) -> Tuple[float, float]:
    """Where the query's sub-fingerprints at ``speed`` agree best with a song's, over every offset:
    (offset in song frames, z = (matching - differing bits) / sqrt(bits compared))."""
    bits = query.bits.get(speed)
    if bits is None or bits.size == 0 or song_bits.size == 0:
        return 0.0, 0.0
    n_bits = 32 * int(np.count_nonzero(bits))
    if n_bits == 0:
        return 0.0, 0.0
    pos = np.rint((query.first_frame + np.arange(bits.size)) * speed).astype(np.int32)
    o_lo = -int(pos[0]) - _SUBPRINT_PAD
    o_hi = max(o_lo, song_bits.size - 1 - int(pos[-1]) + _SUBPRINT_PAD)
    agree = _core.fingerprint_subprint_scan(song_bits, bits, pos, o_lo, o_hi)
    best = int(np.argmax(agree))
    return float(o_lo + best), float(agree[best] / np.sqrt(n_bits))


def _evidence_features(candidates: Sequence["Match"], n_peaks: int) -> np.ndarray:
    """(len(candidates), len(_EVIDENCE_FEATURES)) features of the leading candidates, given in votes order
    (the first is the votes leader; its confidence is relative to the second). Each candidate is compared
    with the best of the others, so a song that only shares sounds with the query, and the other songs
    that share them too, stand out less than the one song that matches."""
    score = np.log1p(np.array([m.score for m in candidates], np.float64))
    bands = np.array([m.bands for m in candidates], np.float64)
    z = np.array([m.peak_z for m in candidates], np.float64)

    def best_other(v: np.ndarray) -> np.ndarray:
        if v.size < 2:
            return np.zeros_like(v)
        top2 = np.sort(v)[-2:]
        return np.where(v == top2[1], top2[0], top2[1])

    leader = (np.arange(len(candidates)) == 0).astype(np.float64)
    second = np.log1p(np.array([m.second_score for m in candidates], np.float64))
    votes = np.array([max(m.song_votes, m.score, 1) for m in candidates], np.float64)
    return np.stack([score, bands, np.array([m.peak_hits for m in candidates], np.float64) / max(n_peaks, 1), z,
                     z - best_other(z), score - best_other(score), bands - best_other(bands),
                     leader * np.array([m.confidence for m in candidates]), leader, second,
                     second - best_other(second), np.array([m.score for m in candidates], np.float64) / votes,
                     np.log1p(votes)], axis=1).reshape(len(candidates), len(_EVIDENCE_FEATURES))


def _evidence(features: np.ndarray) -> np.ndarray:
    """The evidence model's log-odds for each row of :func:`_evidence_features`."""
    return features @ np.asarray(_EVIDENCE_WEIGHTS) + _EVIDENCE_BIAS


def _checksum(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f4").tobytes()).hexdigest()


class FingerprintIndex:
    """An SQLite fingerprint index of songs.

    Parameters
    ----------
    path : str or Path
        The database file. A missing (or empty) file becomes a new index.
    create : bool
        False: a missing file raises FileNotFoundError instead.
    preload : bool
        Load every hash into memory on first match (fastest for many queries
        against a fixed library: the streaming matcher and benchmarks). False:
        each query looks its hashes up in SQLite (constant memory).
    min_evidence : float
        Answer when the best candidate's :attr:`Match.evidence` (log-odds
        that it is the right song) is at least this. The default was chosen
        on a tuning set (own excerpts, own unknown songs) to let 0.5 % of
        5 s excerpts of songs not in the index through (0.8 % on the
        benchmark's held-out excerpts, BENCHMARKS.md); raise it for fewer
        false answers, lower it for more answers in noise.
    speeds : sequence of float
        Playback speeds a query is tried at.

    Raises
    ------
    IndexFileError
        The file exists but is not an edgeaudio fingerprint index (another
        database, not a database, damaged, or from a newer edgeaudio). The file
        is left untouched.
    """

    def __init__(self, path: Union[str, os.PathLike], *, create: bool = True, preload: bool = False,
                 min_evidence: float = _MIN_EVIDENCE, speeds: Sequence[float] = DEFAULT_SPEEDS) -> None:
        self.path = Path(path)
        self.preload = bool(preload)
        self.min_evidence = _validate.number(min_evidence, "min_evidence")
        self.speeds = tuple(_validate.number(s, "speeds") for s in speeds)
        if not self.speeds or not all(0.5 <= s <= 2.0 for s in self.speeds):
            raise ValueError(f"speeds must be a non-empty list of numbers in 0.5 .. 2, got {list(speeds)}")
        self._config = config()
        self._verify_config = _verify_config()
        self._snapshot: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]] = None
        self._peak_maps: Dict[int, np.ndarray] = {}  # song id -> peaks, kept when preload
        self._subprints: Dict[int, np.ndarray] = {}  # song id -> sub-fingerprints, kept when preload
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise FileNotFoundError(f"fingerprint index {self.path} does not exist")
        if exists:
            self._check_header()
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None)
        except sqlite3.Error as e:
            raise IndexFileError(f"cannot open fingerprint index {self.path}: {e}") from None
        try:
            self._open(fresh=not exists)
        except BaseException:
            self._db.close()
            raise

    # -- file format ---------------------------------------------------------

    def _check_header(self) -> None:
        with open(self.path, "rb") as f:
            head = f.read(100)
        if not head.startswith(_SQLITE_MAGIC):
            raise IndexFileError(f"{self.path} is not an edgeaudio fingerprint index (not an SQLite database); "
                                 "it was left unchanged")
        app_id = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
        if app_id != _APPLICATION_ID:
            raise IndexFileError(f"{self.path} is an SQLite database of another application, not an edgeaudio "
                                 "fingerprint index; it was left unchanged")

    def _open(self, fresh: bool) -> None:
        db = self._db
        try:
            if fresh:
                db.execute("BEGIN IMMEDIATE")
                db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("INSERT INTO meta VALUES ('config', ?)", (json.dumps(_config_dict(self._config)),))
                db.execute("CREATE TABLE songs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL,"
                           " duration_s REAL NOT NULL, n_hashes INTEGER NOT NULL, checksum TEXT NOT NULL UNIQUE)")
                # one row per hash: its postings, (song id, frame) pairs as little-endian int32
                db.execute("CREATE TABLE buckets (hash INTEGER PRIMARY KEY, postings BLOB NOT NULL)")
                # each song's spectral peaks, (frame, bin) as little-endian float32, for the verification
                db.execute("CREATE TABLE peak_maps (song_id INTEGER PRIMARY KEY, peaks BLOB NOT NULL)")
                # each song's sub-fingerprints, one little-endian uint32 per frame, for finding the offset
                db.execute("CREATE TABLE subprints (song_id INTEGER PRIMARY KEY, bits BLOB NOT NULL)")
                db.execute("COMMIT")
            version = db.execute("SELECT version FROM schema_version").fetchone()
            stored = json.loads(db.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()[0])
            self._songs = {r[0]: Song(*r) for r in db.execute(
                "SELECT id, name, path, duration_s, n_hashes, checksum FROM songs ORDER BY id")}
        except (sqlite3.DatabaseError, TypeError, ValueError) as e:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise IndexFileError(f"{self.path} is damaged or not an edgeaudio fingerprint index ({e}); "
                                 "it was left unchanged") from None
        if version is None or version[0] > SCHEMA_VERSION:
            raise IndexFileError(f"{self.path} has schema version {version and version[0]}, this edgeaudio reads "
                                 f"up to {SCHEMA_VERSION}; upgrade edgeaudio")
        if version[0] < SCHEMA_VERSION:
            what = {4: "no sub-fingerprints for finding the offset",
                    3: "peak maps of the landmarks' peaks, not the verification's",
                    2: "no peak maps for the verification stage"}.get(version[0], "older fingerprints")
            raise IndexFileError(f"{self.path} has schema version {version[0]} ({what}); this edgeaudio needs "
                                 f"version {SCHEMA_VERSION}: rebuild it from the songs (edgeaudio fingerprint add "
                                 "SONGS... --db NEW.db); the old file was left unchanged")
        if stored != _config_dict(self._config):
            raise IndexFileError(f"{self.path} was built with other fingerprint settings ({stored}); "
                                 "rebuild it with this edgeaudio")

    def check(self) -> None:
        """Full integrity check of the file (SQLite quick_check); raises IndexFileError."""
        try:
            rows = [r[0] for r in self._db.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as e:
            rows = [str(e)]
        if rows != ["ok"]:
            raise IndexFileError(f"{self.path} is damaged: {'; '.join(rows[:3])}")

    # -- songs ---------------------------------------------------------------

    def songs(self) -> List[Song]:
        return list(self._songs.values())

    def __len__(self) -> int:
        return len(self._songs)

    def add(self, name: str, x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ, path: str = "") -> Tuple[Song, bool]:
        """Index one song. Returns (song, added): added is False when the same audio is already there.

        The song and all its hashes go in one transaction: an interrupted add
        leaves no trace of this song.
        """
        if not isinstance(name, str) or not name:
            raise ValueError("name must be a non-empty string")
        x = resample(x, sample_rate)
        if x.size < self._config.n_fft:
            raise ValueError(f"x: {name} is too short to fingerprint ({x.size / INDEX_SAMPLE_RATE_HZ:.3f} s)")
        checksum = _checksum(x)
        for s in self._songs.values():
            if s.checksum == checksum:
                return s, False
        h, t, _ = _core.fingerprint_extract(x, self._config)
        p = _core.fingerprint_extract(x, self._verify_config)[2]
        peak_map = np.ascontiguousarray(p[np.argsort(p[:, 0], kind="stable"), :2], dtype="<f4")
        subprints = _core.fingerprint_subprints(x, self._config, 1.0).astype("<u4")
        rows = np.unique(np.stack([h.astype(np.int64), t.astype(np.int64)], axis=1), axis=0)
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT id, name, path, duration_s, n_hashes, checksum FROM songs WHERE checksum = ?",
                             (checksum,)).fetchone()
            if row is not None:  # another process added it meanwhile
                db.execute("ROLLBACK")
                song = Song(*row)
                self._songs[song.id] = song
                return song, False
            cur = db.execute("INSERT INTO songs (name, path, duration_s, n_hashes, checksum) VALUES (?, ?, ?, ?, ?)",
                             (name, str(path), x.size / INDEX_SAMPLE_RATE_HZ, len(rows), checksum))
            song_id = cur.lastrowid
            db.executemany("INSERT INTO buckets (hash, postings) VALUES (?, ?) ON CONFLICT (hash) DO UPDATE "
                           "SET postings = CAST(postings || excluded.postings AS BLOB)", _postings(rows, song_id))
            db.execute("INSERT INTO peak_maps (song_id, peaks) VALUES (?, ?)", (song_id, peak_map.tobytes()))
            db.execute("INSERT INTO subprints (song_id, bits) VALUES (?, ?)", (song_id, subprints.tobytes()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        song = Song(song_id, name, str(path), x.size / INDEX_SAMPLE_RATE_HZ, len(rows), checksum)
        self._songs[song_id] = song
        self._snapshot = None
        return song, True

    def add_file(self, path: Union[str, os.PathLike]) -> Tuple[Song, bool]:
        """Index an audio file under its stem (see :meth:`add`)."""
        p = Path(path)
        return self.add(p.stem, load_audio(p), INDEX_SAMPLE_RATE_HZ, path=str(p))

    # -- matching ------------------------------------------------------------

    def _dense_ids(self) -> np.ndarray:
        """song id -> dense index (0 .. len - 1) as a lookup array; -1 for ids not (or no longer) known."""
        ids = np.fromiter(self._songs, dtype=np.int64, count=len(self._songs))
        table = np.full(int(ids.max(initial=0)) + 1, -1, np.int32)
        table[ids] = np.arange(ids.size, dtype=np.int32)
        return table

    def _table(self, rows: list) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hash, postings) rows -> hash-sorted (hash uint32, dense song int32, frame int32)."""
        if not rows:
            return np.zeros(0, np.uint32), np.zeros(0, np.int32), np.zeros(0, np.int32)
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        sizes = np.array([len(r[1]) // 8 for r in rows], dtype=np.int64)
        pairs = np.frombuffer(b"".join(r[1] for r in rows), dtype="<i4").reshape(-1, 2)
        h = np.repeat(keys, sizes)
        order = np.argsort(h, kind="stable")
        dense = self._dense_ids()
        sid = pairs[order, 0].astype(np.int64)
        song = np.where(sid < dense.size, dense[np.minimum(sid, dense.size - 1)], -1).astype(np.int32)
        return h[order].astype(np.uint32), song, np.ascontiguousarray(pairs[order, 1], dtype=np.int32)

    def _lookup(self, hashes: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Index rows whose hash is among ``hashes``, sorted by hash (song ids as dense indices)."""
        try:
            if self.preload:
                if self._snapshot is None:
                    self._snapshot = self._table(self._db.execute("SELECT hash, postings FROM buckets").fetchall())
                return self._snapshot
            wanted = np.unique(hashes).tolist()
            rows: list = []
            for i in range(0, len(wanted), 4000):
                part = wanted[i:i + 4000]
                rows += self._db.execute("SELECT hash, postings FROM buckets WHERE hash IN (%s)"
                                         % ",".join("?" * len(part)), part).fetchall()
        except sqlite3.DatabaseError as e:
            raise IndexFileError(f"{self.path} is damaged ({e})") from None
        return self._table(rows)

    def _song_blob(self, table: str, column: str, song_id: int, dtype: str, cache: Dict[int, np.ndarray],
                   what: str) -> np.ndarray:
        """One song's stored array from ``table`` (kept in ``cache`` when preload)."""
        got = cache.get(song_id)
        if got is not None:
            return got
        try:
            row = self._db.execute(f"SELECT {column} FROM {table} WHERE song_id = ?", (song_id,)).fetchone()
        except sqlite3.DatabaseError as e:
            raise IndexFileError(f"{self.path} is damaged ({e})") from None
        if row is None or len(row[0]) % np.dtype(dtype).itemsize:
            raise IndexFileError(f"{self.path} is damaged (song {song_id} has no valid {what})")
        got = np.frombuffer(row[0], dtype=dtype)
        if self.preload:
            cache[song_id] = got
        return got

    def _peak_map(self, song_id: int) -> np.ndarray:
        """A song's stored peaks, (frame, bin) float32 rows in time order."""
        return self._song_blob("peak_maps", "peaks", song_id, "<f4", self._peak_maps, "peak map").reshape(-1, 2)

    def _song_subprints(self, song_id: int) -> np.ndarray:
        """A song's stored sub-fingerprints (uint32 per frame)."""
        return self._song_blob("subprints", "bits", song_id, "<u4", self._subprints, "sub-fingerprints").astype(
            np.uint32, copy=False)

    def _candidates(self, peaks: np.ndarray, verify_peaks: np.ndarray, top: int = _CANDIDATES,
                    prints: Optional[QueryPrints] = None) -> List[Match]:
        """The ``top`` best songs by votes for a query's landmark ``peaks``, in votes order, each with its bands and
        its verification with ``verify_peaks`` (evidence 0): at the votes' offset and, given the query's
        sub-fingerprints ``prints``, at the offset where they agree best with the song's; the better one counts."""
        parts = [_core.fingerprint_pair_peaks(peaks, self._config, s) for s in self.speeds]
        q_hash = np.concatenate([p[0] for p in parts])
        q_frame = np.concatenate([p[1] for p in parts])
        q_var = np.concatenate([np.full(len(p[0]), i, np.int32) for i, p in enumerate(parts)])
        if q_hash.size == 0 or not self._songs:
            return []
        db_hash, db_song, db_frame = self._lookup(q_hash)
        score, offset, variant, song_votes = offset_scores(db_hash, db_song, db_frame, q_hash, q_frame, q_var,
                                                           len(self._songs), len(self.speeds), 1)
        order = np.argsort(-score, kind="stable")[:top + 1]
        votes = _Votes(db_hash, db_song, db_frame, q_hash, q_frame, q_var)
        own = [votes.of(int(i), int(variant[i])) for i in order]  # each leading song's votes at its speed
        bands = [votes.bands(v, float(offset[i])) for v, i in zip(own, order)]
        songs = list(self._songs.values())
        out = []
        for k, i in enumerate(order[:top]):
            nxt, nxt_bands = (int(score[order[k + 1]]), bands[k + 1]) if k + 1 < len(order) else (0, 0)
            confidence = min(1.0 - (nxt + 1.0) / (int(score[i]) + 1.0), 1.0 - (nxt_bands + 1.0) / (bands[k] + 1.0))
            song = songs[int(i)]
            speed = self.speeds[int(variant[i])]
            at = float(offset[i])
            peak_map = self._peak_map(song.id)
            grid = (_peak_grid(peak_map, _verify_span(verify_peaks, speed))
                    if len(verify_peaks) and len(peak_map) else None)
            hits, z = _verify(verify_peaks, peak_map, at, speed, grid)
            sub_z = 0.0
            if prints is not None:
                sub_at, sub_z = _subprint_search(prints, self._song_subprints(song.id), speed)
                if abs(sub_at - at) > _VERIFY_REACH:
                    sub_hits, sub_peak_z = _verify(verify_peaks, peak_map, sub_at, speed, grid)
                    if sub_peak_z > z:
                        hits, z, at = sub_hits, sub_peak_z, sub_at
            # the song's votes at its second offset (a repeated section), verified there too
            second, second_at = _second_offset(votes.delta[own[k]])
            if second > 0 and abs(second_at - at) > _VERIFY_REACH:
                second_hits, second_z = _verify(verify_peaks, peak_map, second_at, speed, grid)
                if second_z > z:
                    hits, z, at = second_hits, second_z, second_at
            out.append(Match(song.name, song.id, at * self._config.frame_seconds(), int(score[i]),
                             max(0.0, confidence), speed, bands[k], hits, z, subprint_z=sub_z,
                             second_score=second, song_votes=int(song_votes[i])))
        return out

    def rank_peaks(self, peaks: np.ndarray, verify_peaks: np.ndarray, top: int = 2,
                   prints: Optional[QueryPrints] = None) -> List[Match]:
        """The ``top`` most likely songs for a query given by its spectral peaks,
        best first, whatever their evidence.

        ``peaks`` are the landmark peaks (``Landmarks.peaks``), ``verify_peaks``
        the same signal's verification peaks (:func:`verification_peaks`).
        Every song's best offset by votes (the Cython matcher); then, for the
        leading candidates by votes (five, or ``top``), the frequency bands
        those votes come from (:attr:`Match.bands`) and the verification
        against their peak maps (:attr:`Match.peak_hits`), also at the offset
        where the query's sub-fingerprints ``prints`` (:meth:`query_prints`)
        agree best with the song's when given; finally each one's
        :attr:`Match.evidence`, by which they are ranked. ``confidence`` is
        relative to the next song by votes.
        """
        top = _validate.integer(top, "top", 1, 1 << 30)
        verify_peaks = np.asarray(verify_peaks)
        if verify_peaks.ndim != 2 or verify_peaks.shape[1] < 2:
            raise ValueError("verify_peaks: expected the verification peaks, an (m, 3) array "
                             f"(verification_peaks()), got shape {verify_peaks.shape}")
        if prints is not None and not isinstance(prints, QueryPrints):
            raise TypeError(f"prints: expected a QueryPrints (query_prints()), got {type(prints).__name__}")
        cands = self._candidates(peaks, verify_peaks, max(top, _CANDIDATES), prints)
        if not cands:
            return []
        n = len(verify_peaks)
        head = cands[:_CANDIDATES]  # the model compares each song with the others among the first five
        ev = list(_evidence(_evidence_features(head, n)))
        ev += [float(_evidence(_evidence_features(head + [m], n))[-1]) for m in cands[_CANDIDATES:]]
        ranked = [dataclasses.replace(m, evidence=float(e)) for m, e in zip(cands, ev)]
        ranked.sort(key=lambda m: -m.evidence)
        return ranked[:top]

    def accepts(self, m: Optional[Match]) -> bool:
        """Whether a ranked candidate is an answer: ``evidence >= min_evidence``."""
        return m is not None and m.evidence >= self.min_evidence

    def match_peaks(self, peaks: np.ndarray, verify_peaks: np.ndarray,
                    prints: Optional[QueryPrints] = None) -> Optional[Match]:
        """Best match for a query given by its landmark and verification peaks and its sub-fingerprints
        (:meth:`rank_peaks`), or None."""
        ranked = self.rank_peaks(peaks, verify_peaks, 1, prints)
        return ranked[0] if ranked and self.accepts(ranked[0]) else None

    def rank(self, x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ, top: int = 2) -> List[Match]:
        """:meth:`rank_peaks` for a recording (checked as :meth:`match` checks it)."""
        peaks, verify_peaks, prints = self._query_peaks(x, sample_rate)
        return self.rank_peaks(peaks, verify_peaks, top=top, prints=prints)

    def query_prints(self, x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ) -> QueryPrints:
        """A recording's sub-fingerprints at each of ``speeds`` (for :meth:`rank_peaks`); speeds above 4/3,
        where the top band would pass Nyquist, have none (their candidates are verified at the vote's offset
        only)."""
        return self._prints(resample(_validate.signal(x, "x"), sample_rate))

    def _prints(self, x: np.ndarray) -> QueryPrints:
        """The sub-fingerprints of a signal at the index's sample rate, at each speed they can be computed at."""
        return QueryPrints({s: _core.fingerprint_subprints(x, self._config, s) for s in self._subprint_speeds()})

    def _subprint_speeds(self) -> Tuple[float, ...]:
        """The speeds sub-fingerprints can be computed at (the top band edge below Nyquist)."""
        top = self._config.n_fft // 2 * self._config.sample_rate_hz / self._config.n_fft
        return tuple(s for s in self.speeds if _SUBPRINT_FMAX_HZ * s <= top)

    def _query_peaks(self, x: np.ndarray, sample_rate: int) -> Tuple[np.ndarray, np.ndarray, QueryPrints]:
        """(landmark peaks, verification peaks, sub-fingerprints) of a recording."""
        x = _validate.signal(x, "x")
        if x.size == 0:
            raise ValueError("x: the query is empty")
        sample_rate = _validate.integer(sample_rate, "sample_rate", 1000, 1_000_000)
        if x.size < _MIN_QUERY_S * sample_rate:
            raise ValueError(f"x: the query is {x.size / sample_rate:.2f} s long; at least {_MIN_QUERY_S:g} s "
                             "is needed")
        x = resample(x, sample_rate)
        return (_core.fingerprint_extract(x, self._config)[2], _core.fingerprint_extract(x, self._verify_config)[2],
                self._prints(x))

    def match(self, x: np.ndarray, sample_rate: int = INDEX_SAMPLE_RATE_HZ) -> Optional[Match]:
        """The song a recording comes from, or None.

        Raises
        ------
        ValueError
            The query is empty or shorter than one second.
        """
        peaks, verify_peaks, prints = self._query_peaks(x, sample_rate)
        return self.match_peaks(peaks, verify_peaks, prints)

    def match_file(self, path: Union[str, os.PathLike]) -> Optional[Match]:
        """:meth:`match` on an audio file (``-``: standard input)."""
        return self.match(load_audio(path), INDEX_SAMPLE_RATE_HZ)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "FingerprintIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StreamingMatcher:
    """Listens to a stream and answers as soon as the evidence is enough.

    Audio (any chunking, at ``sample_rate``) goes through the streaming
    landmark and verification extractors; every ``step_s`` seconds the peaks
    of the last ``window_s`` seconds are matched. :meth:`push` returns the
    first :class:`Match` whose evidence reaches the index's ``min_evidence``,
    else None.
    ``offset_s`` is the song position at the start of the stream.
    """

    def __init__(self, index: FingerprintIndex, sample_rate: int = INDEX_SAMPLE_RATE_HZ, *,
                 window_s: float = 10.0, step_s: float = 0.5) -> None:
        self.index = index
        self.sample_rate = _validate.integer(sample_rate, "sample_rate", 1000, 1_000_000)
        self.window_s = _validate.number(window_s, "window_s")
        self.step_s = _validate.number(step_s, "step_s")
        if not (self.window_s >= _MIN_QUERY_S and 0 < self.step_s <= self.window_s):
            raise ValueError(f"need window_s >= {_MIN_QUERY_S:g} and 0 < step_s <= window_s")
        self._config = config()
        self._extractor = _core.FingerprintExtractorCore(self._config)
        self._verify_extractor = _core.FingerprintExtractorCore(_verify_config())
        self._subprint_extractors = {s: _core.SubprintExtractorCore(self._config, s) for s in index._subprint_speeds()}
        self._bits: Dict[float, List[np.ndarray]] = {s: [] for s in self._subprint_extractors}
        self._bits_first = 0  # stream frame of the first kept sub-fingerprint
        self._resampler = None
        if self.sample_rate != INDEX_SAMPLE_RATE_HZ:
            import soxr

            self._resampler = soxr.ResampleStream(self.sample_rate, INDEX_SAMPLE_RATE_HZ, 1, dtype="float32")
        self._peaks: List[np.ndarray] = []
        self._verify_peaks: List[np.ndarray] = []
        self._samples = 0
        self._next_check = _MIN_QUERY_S * INDEX_SAMPLE_RATE_HZ

    @property
    def seconds(self) -> float:
        """Audio heard so far, seconds."""
        return self._samples / INDEX_SAMPLE_RATE_HZ

    def push(self, samples: np.ndarray) -> Optional[Match]:
        x = _validate.signal(samples, "samples")
        if self._resampler is not None:
            x = np.ascontiguousarray(self._resampler.resample_chunk(x), dtype=np.float32)
        _, _, peaks = self._extractor.push(x)
        if len(peaks):
            self._peaks.append(peaks)
        vpeaks = self._verify_extractor.push(x)[2]
        if len(vpeaks):
            self._verify_peaks.append(vpeaks)
        for s, e in self._subprint_extractors.items():
            self._bits[s].append(e.push(x))
        self._samples += x.size
        if self._samples < self._next_check:
            return None
        self._next_check = self._samples + self.step_s * INDEX_SAMPLE_RATE_HZ
        if not self._peaks:
            return None
        first_frame = (self.seconds - self.window_s) / self._config.frame_seconds()
        peaks = np.concatenate(self._peaks)
        self._peaks = [np.ascontiguousarray(peaks[peaks[:, 0] >= first_frame])]
        vpeaks = np.concatenate(self._verify_peaks) if self._verify_peaks else np.zeros((0, 3), np.float32)
        self._verify_peaks = [np.ascontiguousarray(vpeaks[vpeaks[:, 0] >= first_frame])]
        bits = {s: np.concatenate(v) for s, v in self._bits.items()}
        drop = min([max(0, int(np.ceil(first_frame)) - self._bits_first)] + [b.size for b in bits.values()])
        bits = {s: np.ascontiguousarray(b[drop:]) for s, b in bits.items()}
        self._bits = {s: [b] for s, b in bits.items()}
        self._bits_first += drop
        prints = QueryPrints(bits, self._bits_first)
        return self.index.match_peaks(self._peaks[0], self._verify_peaks[0], prints)

    def reset(self) -> None:
        self._extractor.reset()
        self._verify_extractor.reset()
        for e in self._subprint_extractors.values():
            e.reset()
        self._bits = {s: [] for s in self._bits}
        self._bits_first = 0
        self._peaks = []
        self._verify_peaks = []
        self._samples = 0
        self._next_check = _MIN_QUERY_S * INDEX_SAMPLE_RATE_HZ
        if self._resampler is not None:
            self._resampler.clear()
