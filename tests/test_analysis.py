"""edgeaudio.analysis pitch tracking: synthetic harmonic tones with a known
f0 (steady, vibrato, glides) within 10 cents, silence and noise unvoiced,
streaming equal to batch for any chunking, notes and cents, bad inputs."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeaudio import analysis

SR = 16000


def harmonic(f0: np.ndarray, n_harm: int = 6) -> np.ndarray:
    phase = 2 * np.pi * np.cumsum(f0) / SR
    return 0.3 * sum(np.where(k * f0 < SR / 2, np.sin(k * phase) / k, 0.0) for k in range(1, n_harm + 1))


def cents_error(track, f0_of_t, margin_frames=3):
    """|cents| of voiced frames away from the signal's ends, and the voiced share there."""
    inner = slice(margin_frames, len(track.f0) - margin_frames)
    ref = f0_of_t(track.times[inner])
    est = track.f0[inner]
    v = track.voiced[inner]
    return np.abs(1200 * np.log2(est[v] / ref[v])), float(np.mean(v))


@pytest.mark.parametrize("f0", [82.41, 110.0, 146.8, 261.6, 440.0, 659.3, 987.8])
def test_steady_tones_within_10_cents(f0):
    t = np.arange(SR) / SR
    track = analysis.track_pitch(harmonic(np.full(t.size, f0)), SR)
    err, voiced = cents_error(track, lambda tt: np.full(tt.size, f0))
    assert voiced == 1.0
    # parabolic interpolation leaves a few cents at short periods (16 samples at 988 Hz)
    assert err.max() < 10.0 and np.median(err) < 4.0


def test_vibrato_within_10_cents():
    t = np.arange(2 * SR) / SR

    def f(tt):
        return 220.0 * 2 ** (0.3 / 12 * np.sin(2 * np.pi * 5.0 * tt))

    track = analysis.track_pitch(harmonic(f(t)), SR, frame_length=640, hop_length=160)
    err, voiced = cents_error(track, f)
    assert voiced == 1.0
    assert err.max() < 10.0, err.max()


@pytest.mark.parametrize("octaves_per_second", [0.5, -1.0])
def test_glides_within_10_cents(octaves_per_second):
    t = np.arange(2 * SR) / SR
    start = 110.0 if octaves_per_second > 0 else 660.0

    def f(tt):
        return start * 2 ** (octaves_per_second * tt)

    track = analysis.track_pitch(harmonic(f(t)), SR)
    err, voiced = cents_error(track, f)
    assert voiced == 1.0
    assert err.max() < 10.0, err.max()


def test_silence_is_unvoiced_with_nan_f0():
    track = analysis.track_pitch(np.zeros(SR), SR)
    assert len(track.f0) == 1 + SR // 256
    assert np.isnan(track.f0).all() and not track.voiced.any()
    assert (track.voiced_prob == 0).all()
    np.testing.assert_allclose(track.times[:3], [0.0, 256 / SR, 512 / SR])


def test_white_noise_is_mostly_unvoiced():
    x = np.random.default_rng(0).standard_normal(3 * SR) * 0.1
    track = analysis.track_pitch(x, SR)
    assert np.mean(track.voiced) < 0.1
    assert np.mean(track.voiced_prob) < 0.2


def test_voicing_follows_a_tone_between_silences():
    x = np.zeros(3 * SR)
    x[SR:2 * SR] = harmonic(np.full(SR, 196.0))
    track = analysis.track_pitch(x, SR)
    t = track.times
    assert not track.voiced[t < 0.9].any() and not track.voiced[t > 2.1].any()
    assert track.voiced[(t > 1.1) & (t < 1.9)].all()


def test_batch_axes_track_each_row():
    t = np.arange(SR // 2) / SR
    x = np.stack([harmonic(np.full(t.size, f)) for f in (110.0, 220.0, 330.0, 440.0)]).reshape(2, 2, -1)
    track = analysis.track_pitch(x, SR)
    assert track.f0.shape == (2, 2, 1 + t.size // 256)
    for i, f in enumerate((110.0, 220.0, 330.0, 440.0)):
        single = analysis.track_pitch(x.reshape(4, -1)[i], SR)
        np.testing.assert_array_equal(track.f0.reshape(4, -1)[i], single.f0)
        assert abs(1200 * np.log2(np.nanmedian(single.f0) / f)) < 2


GLIDE = harmonic(110.0 * 2 ** (np.arange(int(1.3 * SR)) / SR)) + 0.01 * np.random.default_rng(1).standard_normal(int(1.3 * SR))


@settings(max_examples=25, deadline=None)
@given(
    cuts=st.lists(st.integers(0, GLIDE.size), max_size=12),
    latency=st.sampled_from([None, 0, 1, 7, 16]),
)
def test_streaming_equals_batch_any_chunking(cuts, latency):
    batch = analysis.track_pitch(GLIDE, SR, 60.0, 1000.0, 1024, 256, latency_frames=latency)
    tracker = analysis.PitchTracker(SR, 60.0, 1000.0, 1024, 256, latency_frames=latency)
    bounds = [0] + sorted(cuts) + [GLIDE.size]
    parts = [tracker.push(GLIDE[a:b]) for a, b in zip(bounds[:-1], bounds[1:])] + [tracker.flush()]
    for field in ("f0", "voiced", "voiced_prob", "times"):
        got = np.concatenate([getattr(p, field) for p in parts])
        np.testing.assert_array_equal(got, getattr(batch, field), err_msg=field)


def test_streaming_latency_bounds_the_delay_and_flush_restarts():
    tracker = analysis.PitchTracker(SR, latency_frames=4, frame_length=1024, hop_length=256)
    assert tracker.latency_frames == 4
    # after 20 hops of audio, frames up to 20 - 2 (the frame half) - 4 (latency) are out
    out = tracker.push(np.asarray(GLIDE[:20 * 256], np.float32))
    assert len(out.f0) == 20 - 2 - 4 + 1
    first = np.concatenate([out.f0, tracker.flush().f0])
    # flush() starts afresh: the same signal gives the same frames again
    again = np.concatenate([tracker.push(GLIDE[:20 * 256]).f0, tracker.flush().f0])
    np.testing.assert_array_equal(first, again)


def test_hz_to_note_and_back():
    assert analysis.hz_to_note(440.0) == ("A4", 0.0)
    name, cents = analysis.hz_to_note(440.0 * 2 ** (-20 / 1200))
    assert name == "A4" and cents == pytest.approx(-20.0)
    name, cents = analysis.hz_to_note(261.6255653005986 * 2 ** (49 / 1200))
    assert name == "C4" and cents == pytest.approx(49.0)
    name, cents = analysis.hz_to_note(432.0, a4_hz=432.0)
    assert (name, cents) == ("A4", 0.0)
    for note in ("E2", "A2", "D3", "G3", "B3", "E4", "C#5", "Bb1"):
        assert analysis.hz_to_note(analysis.note_to_hz(note))[0] == note.replace("Bb", "A#")
    assert analysis.note_to_hz("A4") == pytest.approx(440.0)


def test_tuner_reads_a_slightly_flat_guitar_string():
    f = analysis.note_to_hz("A2") * 2 ** (-12 / 1200)
    track = analysis.track_pitch(harmonic(np.full(SR, f)), SR, fmin=70.0, fmax=1400.0)
    name, cents = analysis.hz_to_note(float(np.nanmedian(track.f0)))
    assert name == "A2" and cents == pytest.approx(-12.0, abs=1.0)


def test_bad_inputs_give_clear_errors():
    x = np.zeros(SR)
    with pytest.raises(ValueError, match="sample_rate"):
        analysis.track_pitch(x, 0)
    with pytest.raises(ValueError, match="sample_rate"):
        analysis.track_pitch(x, -16000)
    with pytest.raises(TypeError, match="sample_rate"):
        analysis.track_pitch(x, "16k")
    with pytest.raises(ValueError, match="Nyquist"):
        analysis.track_pitch(x, 8000, fmax=5000.0)
    with pytest.raises(ValueError, match="greater than fmin"):
        analysis.track_pitch(x, SR, fmin=500.0, fmax=400.0)
    with pytest.raises(ValueError, match="frame_length 512 is too short for fmin 40"):
        analysis.track_pitch(x, SR, fmin=40.0, frame_length=512)
    with pytest.raises(ValueError, match="hop_length"):
        analysis.track_pitch(x, SR, frame_length=1024, hop_length=2048)
    bad = x.copy()
    bad[100] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        analysis.track_pitch(bad, SR)
    with pytest.raises(ValueError, match="NaN"):
        analysis.PitchTracker(SR).push(bad)
    with pytest.raises(ValueError, match="empty"):
        analysis.track_pitch(np.zeros(0), SR)
    with pytest.raises(ValueError, match="1-D"):
        analysis.PitchTracker(SR).push(np.zeros((2, 10)))
    with pytest.raises(TypeError, match="real numeric"):
        analysis.track_pitch(x.astype(complex), SR)
    with pytest.raises(ValueError, match="positive"):
        analysis.hz_to_note(0.0)
    with pytest.raises(ValueError, match="positive"):
        analysis.hz_to_note(float("nan"))
    with pytest.raises(ValueError, match="note name"):
        analysis.note_to_hz("H2")


def test_docstring_examples_run():
    result = doctest.testmod(analysis, extraglobs={"np": np})
    assert result.failed == 0 and result.attempted > 5
