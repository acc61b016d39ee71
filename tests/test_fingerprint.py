"""Fingerprinting: landmarks (streaming == batch), the SQLite index (duplicates,
interrupted adds, foreign and damaged files), the matcher (exact, noisy, speed
changed, offsets, unknown audio, short queries), the streaming matcher and the CLI."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.signal

from edgeaudio import _core
from edgeaudio.fingerprint import (INDEX_SAMPLE_RATE_HZ, FingerprintIndex, IndexFileError, StreamingMatcher,
                                   config, landmarks)
from signals import music

RATE = 16000  # the library is stored at 16 kHz, so every add and query resamples to the index rate
SONG_S = 24
LIBRARY = {f"song{i:02d}": i for i in range(8)}  # name -> seed
UNKNOWN_SEEDS = (101, 102, 103, 104, 105, 106)


def song(seed: int, seconds: float = SONG_S) -> np.ndarray:
    return music(int(seconds * RATE), RATE, seed=seed)


def excerpt(x: np.ndarray, start_s: float, seconds: float = 5.0) -> np.ndarray:
    a = int(start_s * RATE)
    return x[a:a + int(seconds * RATE)].copy()


def with_noise(x: np.ndarray, snr_db: float, seed: int = 7) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(x.size)
    noise *= np.sqrt(np.mean(x.astype(np.float64) ** 2) / np.mean(noise ** 2) / 10 ** (snr_db / 10))
    return (x + noise).astype(np.float32)


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("fp") / "songs.db"
    with FingerprintIndex(path) as index:
        for name, seed in LIBRARY.items():
            _, added = index.add(name, song(seed), RATE)
            assert added
    return path


@pytest.fixture(scope="module")
def index(index_path):
    with FingerprintIndex(index_path, create=False) as ix:
        yield ix


# -- landmarks ----------------------------------------------------------------

def test_streaming_extractor_equals_batch_any_chunking():
    x = excerpt(song(3), 0.0, 8.0)
    x8 = scipy.signal.resample_poly(x, 1, 2).astype(np.float32)
    c = config()
    h, t, p = _core.fingerprint_extract(x8, c)
    assert len(h) > 500 and p.shape[1] == 3
    ex = _core.FingerprintExtractorCore(c)
    rng = np.random.default_rng(0)
    for _ in range(3):
        cuts = np.sort(rng.integers(0, x8.size, size=rng.integers(1, 40)))
        parts = [ex.push(np.ascontiguousarray(c_)) for c_ in np.split(x8, cuts)] + [ex.flush()]
        for k, whole in enumerate((h, t, p)):
            np.testing.assert_array_equal(np.concatenate([q[k] for q in parts]), whole)


def test_landmark_density_follows_the_config():
    lm = landmarks(song(5), RATE)
    seconds = SONG_S
    c = config()
    assert lm.peaks.shape[0] <= c.peaks_per_second * (seconds + 1)
    assert lm.peaks.shape[0] >= 0.6 * c.peaks_per_second * seconds
    assert len(lm.hashes) <= c.fan_out * lm.peaks.shape[0]
    assert np.all(np.diff(lm.frames) >= 0)


def test_peak_hold_makes_a_held_tone_peak_at_its_onset_only():
    # a sustained chord (two partials, with a slow 0.3 dB tremolo) held for 3 s after 1 s of faint noise
    t = np.arange(int(4.5 * INDEX_SAMPLE_RATE_HZ)) / INDEX_SAMPLE_RATE_HZ
    held = (t >= 1.0) & (t < 4.0)
    tremolo = 1.0 + 0.035 * np.sin(2 * np.pi * 5.0 * t)
    x = 1e-4 * np.random.default_rng(4).standard_normal(t.size)
    x = (x + held * tremolo * (0.3 * np.sin(2 * np.pi * 660.0 * t) + 0.1 * np.sin(2 * np.pi * 1320.0 * t)))
    x = x.astype(np.float32)
    c = config()
    assert c.peak_hold_db == 0.0  # the default: every tremolo crest of the hold is a peak
    _, _, p = _core.fingerprint_extract(x, c)
    assert p.shape[0] > 10
    c.peak_hold_db = 1.0  # levels within 1 dB are equal, the earliest wins: one peak per partial, at the onset
    _, _, p = _core.fingerprint_extract(x, c)
    times = p[:, 0] * c.frame_seconds()
    hz = p[:, 1] * c.sample_rate_hz / c.n_fft
    assert sorted(np.round(hz).tolist()) == [660.0, 1320.0]
    assert np.all((times > 1.0 - c.n_fft / c.sample_rate_hz) & (times < 1.1))


def test_config_errors_name_the_field():
    c = _core.FingerprintConfig()
    c.target_octaves = 0.0
    with pytest.raises(ValueError, match="FingerprintConfig.target_octaves"):
        _core.FingerprintExtractorCore(c)
    c = _core.FingerprintConfig()
    c.stable_frames = 0
    with pytest.raises(ValueError, match="FingerprintConfig.stable_frames"):
        c.validate()
    c = _core.FingerprintConfig()
    c.peak_hold_db = -1.0
    with pytest.raises(ValueError, match="FingerprintConfig.peak_hold_db"):
        c.validate()
    with pytest.raises(ValueError, match="speed"):
        _core.fingerprint_pair_peaks(np.zeros((0, 3), np.float32), config(), 0.0)


# -- matching -----------------------------------------------------------------

@pytest.mark.parametrize("name,start_s", [("song00", 0.0), ("song03", 7.3), ("song07", 18.55)])
def test_exact_excerpt_matches_with_its_offset(index, name, start_s):
    m = index.match(excerpt(song(LIBRARY[name]), start_s), RATE)
    assert m is not None and m.song == name
    assert abs(m.offset_s - start_s) <= 0.04  # about one frame (32 ms)
    assert m.speed == 1.0 and m.confidence > 0.7 and m.bands >= 20


@pytest.mark.parametrize("snr_db", [5.0, 0.0])
def test_noisy_excerpts_match(index, snr_db):
    for name in ("song01", "song04", "song06"):
        m = index.match(with_noise(excerpt(song(LIBRARY[name]), 9.0), snr_db), RATE)
        assert m is not None and m.song == name, (name, snr_db, m)
        assert abs(m.offset_s - 9.0) <= 0.07


@pytest.mark.parametrize("speed", [0.98, 1.02])
def test_speed_changed_excerpt_matches(index, speed):
    x = excerpt(song(LIBRARY["song02"]), 6.0, 6.0)
    played = scipy.signal.resample(x, int(round(x.size / speed))).astype(np.float32)  # pitch and tempo
    m = index.match(played, RATE)
    assert m is not None and m.song == "song02"
    assert m.speed == pytest.approx(speed, abs=0.011)
    assert abs(m.offset_s - 6.0) <= 0.1


def test_unknown_audio_gives_no_match(index):
    for seed in UNKNOWN_SEEDS:
        assert index.match(excerpt(song(seed), 4.0), RATE) is None
    rng = np.random.default_rng(3)
    assert index.match(rng.standard_normal(5 * RATE).astype(np.float32) * 0.1, RATE) is None
    assert index.match(np.zeros(5 * RATE, np.float32), RATE) is None


def test_empty_and_too_short_queries_are_refused(index):
    with pytest.raises(ValueError, match="empty"):
        index.match(np.zeros(0, np.float32), RATE)
    with pytest.raises(ValueError, match="at least 1 s"):
        index.match(np.zeros(RATE // 2, np.float32), RATE)
    with pytest.raises(ValueError, match="NaN"):
        index.match(np.full(2 * RATE, np.nan, np.float32), RATE)


def test_coherent_bands_counts_the_anchor_bands_of_votes_at_the_offset():
    from edgeaudio.fingerprint import _Votes

    def _coherent_bands(db_hash, db_song, db_frame, q_hash, q_frame, song, offset):
        votes = _Votes(db_hash, db_song, db_frame, q_hash, q_frame)
        return votes.bands(votes.of(song), offset)

    rng = np.random.default_rng(1)
    db_hash = np.sort(rng.integers(0, 1 << 20, 3000)).astype(np.uint32)
    db_song = rng.integers(0, 4, db_hash.size).astype(np.int32)
    db_frame = rng.integers(0, 300, db_hash.size).astype(np.int32)
    pick = rng.choice(db_hash.size, 400)
    q_hash = db_hash[pick]
    q_frame = (db_frame[pick] - 40 + rng.integers(-3, 4, pick.size)).astype(np.int32)  # some within 1.5 frames
    for song in range(4):
        want = {int(h) >> 13 for h, f in zip(q_hash, q_frame)
                for j in np.flatnonzero(db_hash == h)
                if db_song[j] == song and abs(db_frame[j] - f - 40.0) <= 1.5}
        assert _coherent_bands(db_hash, db_song, db_frame, q_hash, q_frame, song, 40.0) == len(want) > 10
    assert _coherent_bands(db_hash, db_song, db_frame, q_hash[:0], q_frame[:0], 0, 40.0) == 0


def test_second_offset_is_the_best_window_away_from_the_first():
    from edgeaudio.fingerprint import _second_offset

    # votes: 30 at offset 100 (+-1), 12 at 105 (too close to count), 9 at 160 (+-1), scattered chance votes
    rng = np.random.default_rng(3)
    deltas = np.concatenate([np.repeat([99, 100, 101], [5, 20, 5]), np.full(12, 105), np.repeat([159, 160], [4, 5]),
                             rng.choice(np.arange(0, 400, 37), 6)]).astype(np.int64)
    votes, at = _second_offset(rng.permutation(deltas))
    assert votes == 9 and at in (159.0, 160.0)
    assert _second_offset(np.zeros(0, np.int64)) == (0, 0.0)
    assert _second_offset(np.full(8, 50, np.int64))[0] == 0  # one offset only


def test_evidence_features_of_repeated_sections_and_vote_share():
    from edgeaudio.fingerprint import _EVIDENCE_FEATURES, Match, _evidence_features

    cands = [Match("a", 1, 0.0, 30, 0.5, 1.0, 12, 40, 3.0, second_score=20, song_votes=120),
             Match("b", 2, 0.0, 20, 0.0, 1.0, 9, 60, 8.0, second_score=4, song_votes=40),
             Match("c", 3, 0.0, 10, 0.0, 1.0, 4, 20, 8.0)]  # no second offset, votes unknown
    f = _evidence_features(cands, 120)
    k = _EVIDENCE_FEATURES.index("log(1 + second_score)")
    np.testing.assert_allclose(f[:, k], np.log1p([20, 4, 0]))
    np.testing.assert_allclose(f[:, k + 1], np.log1p([20, 4, 0]) - np.log1p([4, 20, 20]))
    np.testing.assert_allclose(f[:, k + 2], [30 / 120, 20 / 40, 1.0])  # unknown votes: at least the score
    np.testing.assert_allclose(f[:, k + 3], np.log1p([120, 40, 10]))


def test_a_repeated_section_gives_the_right_song_a_second_offset(tmp_path):
    # song05 played twice in a row: the votes for an excerpt of it split between the two copies
    x = song(LIBRARY["song05"])
    with FingerprintIndex(tmp_path / "twice.db") as ix:
        ix.add("twice", np.concatenate([x, x]), RATE)
        ix.add("other", song(LIBRARY["song06"]), RATE)
        m = ix.rank(with_noise(excerpt(x, 2.0), 10.0), RATE, top=1)[0]
        assert m.song == "twice" and m.second_score > 0.3 * m.score and m.song_votes >= m.score + m.second_score


def test_unknown_audio_stays_below_the_evidence_threshold(index):
    # the most likely song for audio that is not indexed has too little evidence; the right song for an
    # excerpt at 0 dB SNR has plenty
    for seed in UNKNOWN_SEEDS:
        best = index.rank(excerpt(song(seed), 4.0), RATE, top=1)[0]
        assert best.evidence < index.min_evidence and not index.accepts(best)
    right = index.rank(with_noise(excerpt(song(LIBRARY["song02"]), 4.0), 0.0), RATE, top=1)[0]
    assert right.song == "song02" and right.evidence >= index.min_evidence + 2 and index.accepts(right)


# -- verification -----------------------------------------------------------------

def _sparse_song_peaks(n: int = 200) -> np.ndarray:
    """Peaks 8 frames apart at scattered bins: no two within the verification's tolerance of each other."""
    i = np.arange(n)
    return np.stack([8.0 * i, 30.0 + (i * 53) % 400], axis=1).astype(np.float32)


def test_verify_counts_the_query_peaks_on_the_song_peak_map():
    from edgeaudio.fingerprint import _verify

    sp = _sparse_song_peaks()
    on = sp[50:81] - [400 - 2, -2]  # 31 peaks, 2 frames and 2 bins off their song peaks: within tolerance
    off = sp[81:91] - [400, 6]  # 10 peaks 6 bins off: not on the map
    q = np.concatenate([on, off])
    q = np.concatenate([q, np.ones((len(q), 1), np.float32)], axis=1)  # (frame, bin, strength)
    hits, z = _verify(q[np.argsort(q[:, 0])], sp, 400.0, 1.0)
    assert hits == 31 and z > 10
    # the same query peaks at a wrong offset or at random places find (almost) nothing
    assert _verify(q, sp, 123.0, 1.0)[0] <= 3
    rng = np.random.default_rng(0)
    noise = np.stack([np.sort(rng.uniform(0, 300, 40)), rng.uniform(20, 440, 40), np.ones(40)], axis=1)
    hits, z = _verify(noise.astype(np.float32), sp, 400.0, 1.0)
    assert hits <= 5 and z < 3
    assert _verify(q[:0], sp, 400.0, 1.0) == (0, 0.0)


def test_verify_follows_a_speed_change():
    from edgeaudio.fingerprint import _verify

    sp = _sparse_song_peaks()
    song_part = sp[50:81]
    # the song played 2 % fast from song frame 400: times / 1.02, frequencies * 1.02
    q = np.stack([(song_part[:, 0] - 400) / 1.02, song_part[:, 1] * 1.02, np.ones(len(song_part))], axis=1)
    assert _verify(q.astype(np.float32), sp, 400.0, 1.02)[0] == 31
    assert _verify(q.astype(np.float32), sp, 400.0, 1.0)[0] < 15  # at the wrong speed the high bins miss


def test_verification_rejects_unknown_excerpts_that_share_hashes(index):
    # these excerpts share chords with indexed songs: their best song gets votes at one offset
    # (8 or more coherent landmarks), and as many peak hits as chance and the shared chords give
    for seed in UNKNOWN_SEEDS:
        ranked = index.rank(excerpt(song(seed), 4.0), RATE, top=5)
        leader = max(ranked, key=lambda m: m.score)  # the votes' choice
        assert leader.score >= 8 and leader.peak_z < 5
        assert not index.accepts(ranked[0])


def test_verification_accepts_a_noisy_excerpt_with_few_votes(index):
    sos = scipy.signal.butter(2, [300, 2000], btype="bandpass", fs=RATE, output="sos")
    clip = scipy.signal.sosfilt(sos, excerpt(song(LIBRARY["song06"]), 6.0, 3.0)).astype(np.float32)
    m = index.rank(with_noise(clip, -12.0), RATE, top=1)[0]  # 3 s, band-limited, 12 dB under white noise
    assert m.song == "song06" and abs(m.offset_s - 6.0) <= 0.1
    assert m.bands < 8 and m.peak_z >= 4  # votes from few bands, a clear verification
    assert m.evidence >= index.min_evidence + 2 and index.accepts(m)
    assert index.match(with_noise(clip, -12.0), RATE) == m


def _candidate(song_id: int, score: int, bands: int, hits: int, z: float, confidence: float = 0.0):
    from edgeaudio.fingerprint import Match

    return Match(f"s{song_id}", song_id, 0.0, score, confidence, 1.0, bands, hits, z)


def test_evidence_features_compare_each_candidate_with_the_best_other():
    from edgeaudio.fingerprint import _EVIDENCE_FEATURES, _evidence_features

    cands = [_candidate(1, 30, 12, 40, 3.0, 0.5), _candidate(2, 20, 9, 60, 8.0), _candidate(3, 10, 4, 20, 8.0)]
    f = _evidence_features(cands, 120)
    assert f.shape == (3, len(_EVIDENCE_FEATURES))
    np.testing.assert_allclose(f[:, 0], np.log1p([30, 20, 10]))
    np.testing.assert_allclose(f[:, 2], [40 / 120, 60 / 120, 20 / 120])
    np.testing.assert_allclose(f[:, 4], [3 - 8, 8 - 8, 8 - 8])  # z over the best other (a tie: margin 0)
    np.testing.assert_allclose(f[:, 5], np.log1p([30, 20, 10]) - np.log1p([20, 30, 30]))
    np.testing.assert_allclose(f[:, 6], [12 - 9, 9 - 12, 4 - 12])
    np.testing.assert_allclose(f[:, 7], [0.5, 0, 0])  # confidence: the votes leader's only
    np.testing.assert_allclose(f[:, 8], [1, 0, 0])
    alone = _evidence_features(cands[:1], 120)  # one song: margins against nothing
    np.testing.assert_allclose(alone[0, 4:7], [3.0, np.log1p(30), 12])


def test_the_verification_can_rank_a_song_above_the_votes_leader():
    from edgeaudio.fingerprint import _MIN_EVIDENCE, _evidence, _evidence_features

    # the leader by votes only shares sounds with the query; the second is verified far better
    cands = [_candidate(1, 14, 7, 25, 2.0, 0.1), _candidate(2, 12, 7, 70, 9.0), _candidate(3, 9, 5, 22, 1.5)]
    ev = _evidence(_evidence_features(cands, 117))
    assert np.argmax(ev) == 1 and ev[1] > _MIN_EVIDENCE > ev[0]


def test_rank_is_ordered_by_evidence_and_agrees_with_match(index):
    x = with_noise(excerpt(song(LIBRARY["song05"]), 3.0), 0.0)
    ranked = index.rank(x, RATE, top=7)
    assert len(ranked) == 7 and all(a.evidence >= b.evidence for a, b in zip(ranked, ranked[1:]))
    assert index.rank(x, RATE, top=1)[0] == ranked[0] == index.match(x, RATE)


def test_rank_peaks_needs_the_verification_peaks(index):
    from edgeaudio.fingerprint import verification_peaks

    x = excerpt(song(LIBRARY["song02"]), 2.0)
    peaks = landmarks(x, RATE).peaks
    with pytest.raises(ValueError, match="verify_peaks: expected the verification peaks"):
        index.rank_peaks(peaks, 3)  # top passed where the verification peaks go
    assert index.rank_peaks(peaks, verification_peaks(x, RATE), top=1, prints=index.query_prints(x, RATE))[0] \
        == index.rank(x, RATE, top=1)[0]


def test_min_evidence_is_checked(index_path):
    with pytest.raises((TypeError, ValueError), match="min_evidence"):
        FingerprintIndex(index_path, create=False, min_evidence="high")
    with FingerprintIndex(index_path, create=False, min_evidence=1e9) as strict:
        assert strict.match(excerpt(song(LIBRARY["song01"]), 2.0), RATE) is None


def test_peak_maps_hold_the_verification_peaks(index_path):
    from edgeaudio.fingerprint import verification_peaks

    db = sqlite3.connect(index_path)
    sid = db.execute("SELECT id FROM songs WHERE name = 'song03'").fetchone()[0]
    blob = db.execute("SELECT peaks FROM peak_maps WHERE song_id = ?", (sid,)).fetchone()[0]
    db.close()
    stored = np.frombuffer(blob, "<f4").reshape(-1, 2)
    want = verification_peaks(song(LIBRARY["song03"]), RATE)
    np.testing.assert_array_equal(stored, want[np.argsort(want[:, 0], kind="stable"), :2])
    # held notes only: fewer peaks than the landmarks pick (the level must hold 5 frames, not 3)
    assert 0.5 * len(landmarks(song(LIBRARY["song03"]), RATE).peaks) < len(stored)


def test_peak_maps_are_stored_once_per_song(index_path):
    db = sqlite3.connect(index_path)
    rows = dict(db.execute("SELECT song_id, length(peaks) FROM peak_maps").fetchall())
    ids = dict(db.execute("SELECT name, id FROM songs").fetchall())
    db.close()
    assert sorted(rows) == sorted(ids.values())
    from edgeaudio.fingerprint import verification_peaks

    n_peaks = len(verification_peaks(song(LIBRARY["song03"]), RATE))
    assert rows[ids["song03"]] == 8 * n_peaks  # (frame, bin) float32


def test_sql_lookup_and_preloaded_index_agree(index_path):
    q = with_noise(excerpt(song(LIBRARY["song05"]), 3.0), 5.0)
    with FingerprintIndex(index_path, preload=False) as a, FingerprintIndex(index_path, preload=True) as b:
        assert a.match(q, RATE) == b.match(q, RATE) != None  # noqa: E711


def test_streaming_matcher_answers_before_the_stream_ends(index):
    start_s = 5.0
    x = with_noise(excerpt(song(LIBRARY["song06"]), start_s, 12.0), 5.0)
    sm = StreamingMatcher(index, RATE)
    found = None
    for block in np.array_split(x, 120):  # 0.1 s blocks
        found = sm.push(block)
        if found is not None:
            break
    assert found is not None and found.song == "song06"
    assert sm.seconds <= 6.0
    assert abs(found.offset_s - start_s) <= 0.1


# -- sub-fingerprints ---------------------------------------------------------------

def subprints_reference(x: np.ndarray, speed: float = 1.0) -> tuple:
    """cpp/include/edgeaudio/fingerprint.h's definition in float64 numpy: (bits uint32 per frame, the
    slope changes d_t[m] - d_{t-1}[m] they are the signs of (frame 0: zeros))."""
    c = config()
    n_fft, hop = c.n_fft, c.hop_length
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), n_fft)[::hop]
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    edges = 300.0 * 10.0 ** (np.arange(34) / 33) * speed / (c.sample_rate_hz / n_fft)
    k = np.arange(power.shape[1])
    energy = np.stack([power[:, (k >= edges[m]) & (k < edges[m + 1])].sum(axis=1) for m in range(33)], axis=1)
    log_e = np.log(energy + 1e-3)
    slope = log_e[:, :-1] - log_e[:, 1:]
    change = np.zeros_like(slope)
    change[1:] = slope[1:] - slope[:-1]
    bits = ((change > 0).astype(np.uint64) << np.arange(32, dtype=np.uint64)).sum(axis=1).astype(np.uint32)
    return bits, change


@pytest.mark.parametrize("speed", [1.0, 0.98, 1.02, 1.25])
def test_sub_fingerprints_equal_a_numpy_reference(simd_path, speed):
    from edgeaudio.fingerprint import sub_fingerprints

    from edgeaudio.fingerprint import resample

    x = resample(with_noise(song(3, 6.0), 30.0), RATE)  # faint noise: every band has some energy
    got = sub_fingerprints(x, INDEX_SAMPLE_RATE_HZ, speed)
    want, change = subprints_reference(x, speed)
    assert got.dtype == np.uint32 and got.shape == want.shape == (config().num_frames(x.size),)
    assert got[0] == 0
    differ = ((got ^ want)[:, None] >> np.arange(32, dtype=np.uint32)) & 1
    # float32 spectra against float64: only a sign of a change within rounding may differ
    assert not np.any(differ.astype(bool) & (np.abs(change) > 1e-3))
    assert np.mean(np.abs(change[1:]) > 1e-3) > 0.9  # so the comparison above covers most bits


def test_sub_fingerprints_stream_equals_batch_any_chunking():
    x = song(4, 5.0)[::2].copy()
    batch = _core.fingerprint_subprints(x, config(), 1.01)
    rng = np.random.default_rng(3)
    e = _core.SubprintExtractorCore(config(), 1.01)
    for _ in range(2):  # flush resets, so the extractor is reusable
        cuts = np.sort(rng.integers(0, x.size, 12))
        parts = [e.push(np.ascontiguousarray(c)) for c in np.split(x, cuts)] + [e.flush()]
        assert np.array_equal(np.concatenate(parts), batch)


def test_sub_fingerprints_reject_bad_input():
    from edgeaudio.fingerprint import sub_fingerprints

    x = song(4, 2.0)[::2].copy()
    with pytest.raises(ValueError, match="speed must be in 0.5 .. 2"):
        sub_fingerprints(x, INDEX_SAMPLE_RATE_HZ, 2.5)
    with pytest.raises(ValueError, match="top band edge"):  # 3000 Hz * 1.9 lies above 4 kHz
        sub_fingerprints(x, INDEX_SAMPLE_RATE_HZ, 1.9)
    x[100] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        sub_fingerprints(x, INDEX_SAMPLE_RATE_HZ)


def test_subprint_scan_equals_a_numpy_reference():
    rng = np.random.default_rng(5)
    song_bits = rng.integers(0, 2 ** 32, 300, dtype=np.uint64).astype(np.uint32)
    query = rng.integers(0, 2 ** 32, 80, dtype=np.uint64).astype(np.uint32)
    query[[0, 17]] = 0  # silent frames are skipped
    pos = np.rint(np.arange(80) * 1.02).astype(np.int32)
    got = _core.fingerprint_subprint_scan(song_bits, query, pos, -30, 260)
    want = []
    for o in range(-30, 261):
        a = 0
        for q, p in zip(query, pos):
            j = o + int(p)
            if q and 1 <= j < song_bits.size:
                a += 32 - 2 * bin(int(q ^ song_bits[j])).count("1")
        want.append(a)
    assert np.array_equal(got, want)
    with pytest.raises(ValueError, match="o_hi"):
        _core.fingerprint_subprint_scan(song_bits, query, pos, 5, 4)
    with pytest.raises(ValueError, match="one position per query frame"):
        _core.fingerprint_subprint_scan(song_bits, query, pos[:-1], 0, 4)


def test_subprint_search_finds_an_excerpt_in_its_song(index):
    from edgeaudio.fingerprint import _subprint_search

    sid = next(s.id for s in index.songs() if s.name == "song05")
    start_s = 7.3
    x = with_noise(excerpt(song(LIBRARY["song05"]), start_s), 5.0)
    prints = index.query_prints(x, RATE)
    frame_s = config().frame_seconds()
    at, z = _subprint_search(prints, index._song_subprints(sid), 1.0)
    assert abs(at * frame_s - start_s) <= 1.5 * frame_s
    assert z > 10
    other = next(s.id for s in index.songs() if s.name == "song02")
    assert _subprint_search(prints, index._song_subprints(other), 1.0)[1] < 6


def test_speeds_past_the_sub_fingerprint_band_still_match(index_path):
    # at 1.5 the top band (3000 Hz * 1.5) would pass 4 kHz: no sub-fingerprints there, the rest works
    start_s = 6.0
    x = with_noise(excerpt(song(LIBRARY["song03"]), start_s, 8.0), 5.0)
    with FingerprintIndex(index_path, create=False, speeds=(1.0, 1.5)) as ix:
        assert set(ix.query_prints(x, RATE).bits) == {1.0}
        m = ix.match(x, RATE)
        assert m is not None and m.song == "song03"
        sm = StreamingMatcher(ix, RATE)
        found = None
        for block in np.array_split(x, 80):
            found = found or sm.push(block)
        assert found is not None and found.song == "song03"


def test_subprints_are_stored_once_per_song(index_path):
    from edgeaudio.fingerprint import resample, sub_fingerprints

    db = sqlite3.connect(index_path)
    rows = dict(db.execute("SELECT s.name, b.bits FROM subprints b JOIN songs s ON s.id = b.song_id").fetchall())
    db.close()
    assert sorted(rows) == sorted(LIBRARY)
    x = resample(song(LIBRARY["song01"]), RATE)
    assert np.array_equal(np.frombuffer(rows["song01"], "<u4"), sub_fingerprints(x))


# -- the index file -------------------------------------------------------------

def test_adding_the_same_song_twice_keeps_one(index_path, tmp_path):
    path = tmp_path / "dup.db"
    with FingerprintIndex(path) as ix:
        first, added = ix.add("a", song(11), RATE)
        assert added
        again, added_again = ix.add("a copy", song(11), RATE)
        assert not added_again and again.id == first.id
    with FingerprintIndex(path) as ix:
        assert len(ix) == 1
        _, added = ix.add("a", song(11), RATE)
        assert not added
    db = sqlite3.connect(path)
    assert db.execute("SELECT sum(length(postings)) FROM buckets").fetchone()[0] == 8 * first.n_hashes
    db.close()


_ADDER = textwrap.dedent("""
    import sys, time
    import numpy as np
    sys.path.insert(0, {tests!r})
    from signals import music
    from edgeaudio.fingerprint import FingerprintIndex
    ix = FingerprintIndex({path!r})
    ix.add("first", music(20 * 16000, 16000, seed=21), 16000)
    print("committed", flush=True)
    def trace(sql):
        if sql.startswith("INSERT INTO buckets"):
            print("inserting", flush=True)
            time.sleep(60)
    ix._db.set_trace_callback(trace)
    ix.add("second", music(20 * 16000, 16000, seed=22), 16000)
""")


def test_add_killed_mid_transaction_leaves_a_consistent_index(tmp_path):
    path = tmp_path / "killed.db"
    script = _ADDER.format(tests=os.path.dirname(__file__), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "committed"
        assert proc.stdout.readline().strip() == "inserting"  # inside the second song's transaction
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with FingerprintIndex(path) as ix:
        ix.check()
        assert [s.name for s in ix.songs()] == ["first"]
        db = sqlite3.connect(path)
        blobs = db.execute("SELECT postings FROM buckets").fetchall()
        db.close()
        song_ids = np.frombuffer(b"".join(b[0] for b in blobs), "<i4")[::2]
        assert set(song_ids.tolist()) == {ix.songs()[0].id} and song_ids.size == ix.songs()[0].n_hashes
        _, added = ix.add("second", music(20 * 16000, 16000, seed=22), 16000)
        assert added and len(ix) == 2
        assert ix.match(excerpt(music(20 * 16000, 16000, seed=22), 2.0), RATE).song == "second"


def test_foreign_files_are_refused_and_left_untouched(tmp_path):
    text = tmp_path / "notes.db"
    text.write_bytes(b"my shopping list\n" * 10)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.execute("INSERT INTO contacts VALUES ('ada')")
    db.commit()
    db.close()
    for path, why in ((text, "not an SQLite database"), (other, "another application")):
        before = path.read_bytes()
        with pytest.raises(IndexFileError, match=why):
            FingerprintIndex(path)
        assert path.read_bytes() == before
    with pytest.raises(FileNotFoundError):
        FingerprintIndex(tmp_path / "missing.db", create=False)


def test_damaged_index_gives_a_clear_error_and_is_not_rewritten(index_path, tmp_path):
    path = tmp_path / "damaged.db"
    data = bytearray(index_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for p in range(1, len(data) // page):  # every page but the header page: garbage
        data[p * page:(p + 1) * page] = np.random.default_rng(p).integers(0, 256, page, np.uint8).tobytes()
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFileError, match="damaged"):
        with FingerprintIndex(path) as ix:
            ix.check()
            ix.match(excerpt(song(0), 1.0), RATE)
    assert path.read_bytes() == bytes(data)

    def copy_as_schema(version, *sql):
        """The index copied, its schema version set to ``version`` after ``sql``; the file's bytes."""
        copy = tmp_path / f"v{version}.db"
        copy.write_bytes(index_path.read_bytes())
        db = sqlite3.connect(copy)
        for statement in sql:
            db.execute(statement)
        db.execute("UPDATE schema_version SET version = ?", (version,))
        db.commit()
        db.close()
        return copy, copy.read_bytes()

    # a newer schema is refused, not downgraded
    newer, _ = copy_as_schema(99)
    with pytest.raises(IndexFileError, match="schema version 99"):
        FingerprintIndex(newer)
    # an index of schema 2 (no peak maps) is refused with what to do, not misread
    v2, before = copy_as_schema(2, "DROP TABLE peak_maps")
    with pytest.raises(IndexFileError, match=r"schema version 2 \(no peak maps.*rebuild it.*fingerprint add"):
        FingerprintIndex(v2)
    assert v2.read_bytes() == before
    # an index of schema 3 (peak maps of the landmarks' peaks) is refused with what to do, not misread
    v3, before = copy_as_schema(3, "DROP TABLE subprints")
    with pytest.raises(IndexFileError, match=r"schema version 3 \(peak maps of the landmarks' peaks.*needs version 5"
                                             r".*rebuild it.*fingerprint add"):
        FingerprintIndex(v3)
    assert v3.read_bytes() == before
    # an index of schema 4 (no sub-fingerprints) is refused with what to do, not misread
    v4, before = copy_as_schema(4, "DROP TABLE subprints")
    with pytest.raises(IndexFileError, match=r"schema version 4 \(no sub-fingerprints.*needs version 5"
                                             r".*rebuild it.*fingerprint add"):
        FingerprintIndex(v4)
    assert v4.read_bytes() == before
    # an index of the first schema (other fingerprints) is refused with what to do, not misread
    older, before = copy_as_schema(1)
    with pytest.raises(IndexFileError, match="schema version 1 .*rebuild it"):
        FingerprintIndex(older)
    assert older.read_bytes() == before


# -- CLI -----------------------------------------------------------------------

def test_cli_add_and_match(tmp_path, monkeypatch, capsys):
    import io

    import soundfile as sf

    from edgeaudio.cli import main

    lib = tmp_path / "lib"
    lib.mkdir()
    for name, seed in (("alpha", 31), ("beta", 32), ("gamma", 33)):
        sf.write(lib / f"{name}.flac", song(seed, 12), RATE)
    (lib / "readme.txt").write_text("not audio")
    q = tmp_path / "query.wav"
    sf.write(q, with_noise(excerpt(song(32, 12), 4.0), 5.0), RATE)
    db = tmp_path / "songs.db"

    # the installed entry point, once, in a fresh interpreter
    r = subprocess.run([sys.executable, "-m", "edgeaudio", "fingerprint", "add", str(lib), "--db", str(db)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"added": 3, "already_indexed": 0, "failed": 0, "songs": 3}
    assert "3/3" in r.stderr  # the progress bar

    def run(*args):
        code = main(["fingerprint", *args, "--db", str(db)])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    code, out, _ = run("add", str(lib / "beta.flac"), "--no-progress")
    assert code == 0 and out["already_indexed"] == 1 and out["songs"] == 3
    code, out, _ = run("match", str(q))
    assert code == 0 and out["song"] == "beta" and abs(out["offset_s"] - 4.0) < 0.07 and out["score"] > 10
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(q.read_bytes())))
    assert run("match", "-")[1]["song"] == "beta"
    sf.write(q, excerpt(song(77, 12), 4.0), RATE)
    assert run("match", str(q))[1] == {"song": None, "offset_s": None, "score": 0}
    code, _, err = run("match", str(tmp_path / "missing.wav"))
    assert code == 1 and "missing.wav" in err
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    code = main(["fingerprint", "match", str(q), "--db", str(bad)])
    assert code == 1 and "not an edgeaudio fingerprint index" in capsys.readouterr().err
    assert bad.read_text() == "hello"


def test_cli_listen_without_sounddevice_says_what_to_install(index_path, monkeypatch, capsys):
    from edgeaudio.cli import main

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as if not installed
    assert main(["fingerprint", "match", "--listen", "--db", str(index_path)]) == 1
    err = capsys.readouterr().err
    assert "--listen needs the sounddevice package" in err and "pip install sounddevice" in err


def test_rank_lists_the_best_songs_with_scores(index):
    ranked = index.rank(excerpt(song(LIBRARY["song04"]), 2.0), RATE, top=3)
    assert [m.song for m in ranked][:1] == ["song04"] and len(ranked) == 3
    assert ranked[0].score > 5 * ranked[1].score >= 0
    assert index.accepts(ranked[0]) and not index.accepts(ranked[1])


def test_extraction_releases_the_gil():
    from test_gil import _longest_stall_during, _warm_time

    x = np.tile(scipy.signal.resample_poly(song(9), 1, 2).astype(np.float32), 8)  # 192 s at 8 kHz
    c = config()
    alone = _warm_time(lambda: _core.fingerprint_extract(x, c))
    stall, total = _longest_stall_during(lambda: _core.fingerprint_extract(x, c))
    assert stall < 0.5 * alone, (stall, alone, total)
