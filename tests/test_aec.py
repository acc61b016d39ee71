"""edgeaudio.aec: convergence, delay alignment, double talk, echo-path change,
streaming invariance, bad input and long-run stability, on synthetic rooms
(tests/signals.py). Thresholds sit a few dB under the measured figures."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edgeaudio.aec
from edgeaudio.aec import DelayEstimator, EchoCanceller, NlmsFilter, estimate_delay

from signals import echo, erle_db, gain_db, music, room, si_sdr, speech

FS = 16000


def scene(secs, fs=FS, kind="music", delay_ms=60.0, rt60=0.3, seed=1):
    x = music(secs * fs, fs, 3) if kind == "music" else (
        0.1 * np.random.default_rng(2).standard_normal(secs * fs)).astype(np.float32)
    h = room(fs, 250, delay_ms, rt60, seed)
    noise = (1e-4 * np.random.default_rng(9).standard_normal(secs * fs)).astype(np.float32)
    return x, echo(x, h), noise


def aligned(ec, mic, ref):
    """Output aligned with the input (latency removed; the tail is cut)."""
    out = ec.process(mic, ref)
    return out[ec.latency:], mic[: len(mic) - ec.latency]


def test_module_doctests():
    assert doctest.testmod(edgeaudio.aec).failed == 0


def test_converges_on_white_noise(simd_path):
    x, y, noise = scene(6, kind="white")
    mic = y + noise
    lin = EchoCanceller(FS, suppressor_strength=0.0)
    out, m = aligned(lin, mic, x)
    assert erle_db(m[4 * FS:], out[4 * FS:]) >= 35.0  # measured ~60
    assert lin.linear_erle_db >= 30.0
    ec = EchoCanceller(FS)
    out, m = aligned(ec, mic, x)
    assert erle_db(m[FS // 2: FS], out[FS // 2: FS]) >= 20.0  # 20 dB within the first second
    assert erle_db(m[4 * FS:], out[4 * FS:]) >= 45.0


def test_converges_on_music_and_reports_linear_and_total_erle():
    x, y, noise = scene(14)
    mic = y + noise
    lin = EchoCanceller(FS, suppressor_strength=0.0)
    out_l, m = aligned(lin, mic, x)
    ec = EchoCanceller(FS)
    out, _ = aligned(ec, mic, x)
    steady = slice(6 * FS, None)
    lin_erle, tot_erle = erle_db(m[steady], out_l[steady]), erle_db(m[steady], out[steady])
    assert lin_erle >= 25.0  # measured ~29
    assert tot_erle >= 30.0  # measured ~37
    assert tot_erle >= lin_erle
    assert erle_db(m[FS: 2 * FS], out[FS: 2 * FS]) >= 15.0
    # the reported estimates agree with the measurement
    assert abs(ec.erle_db - erle_db(m[-3 * FS:], out[-3 * FS:])) < 8.0
    assert ec.linear_erle_db == pytest.approx(lin.linear_erle_db, abs=1e-3)


@pytest.mark.parametrize("fs", [8000, 32000, 48000])
def test_converges_at_every_sample_rate(fs):
    x, y, noise = scene(6, fs=fs, kind="white")
    lin = EchoCanceller(fs, suppressor_strength=0.0)
    out_l, m = aligned(lin, y + noise, x)
    assert lin.frame == fs // 100
    assert lin.partitions == -(-int(0.256 * fs) // lin.frame) + 1
    assert erle_db(m[4 * fs:], out_l[4 * fs:]) >= 40.0  # measured ~50
    ec = EchoCanceller(fs)
    out, _ = aligned(ec, y + noise, x)
    assert erle_db(m[4 * fs:], out[4 * fs:]) >= 50.0  # measured 63-72


@pytest.mark.parametrize("fs", [8000, 16000, 32000, 48000])
def test_config_is_validated_at_every_sample_rate(fs):
    ec = EchoCanceller(fs, frame=fs // 50, tail_ms=100.0)
    assert ec.frame == fs // 50
    with pytest.raises(ValueError, match="frame"):
        EchoCanceller(fs, frame=fs // 10 + 10)  # longer than 100 ms
    with pytest.raises(ValueError, match="frame"):
        EchoCanceller(fs, frame=fs // 100 + 7)  # 2 * frame has a prime factor > 5
    with pytest.raises(ValueError, match="sample_rate"):
        EchoCanceller(fs + 50)


@pytest.mark.parametrize("delay_ms", [0.0, 12.5, 60.0, 150.0, 240.0])
def test_delay_estimation_recovers_a_known_delay(delay_ms):
    x, y, noise = scene(4, kind="music", delay_ms=delay_ms)
    d = int(delay_ms * FS / 1000)
    assert estimate_delay(y + noise, x, FS) == pytest.approx(d, abs=1)
    ec = EchoCanceller(FS)
    ec.process(y + noise, x)
    # applied: whole blocks, the direct path 1 ms to 1.5 blocks after the filter's start
    assert ec.delay_samples % ec.frame == 0
    assert d - 16 - 1.5 * ec.frame <= ec.delay_samples <= max(0, d - 16)


def test_delay_estimator_streaming_has_no_answer_on_silence():
    de = DelayEstimator(FS)
    z = np.zeros(2 * FS, np.float32)
    de.process(z, z)
    assert de.delay_samples is None


# The double-talk floor pinned by this test (issue 5 asks >= 15 dB on the
# harness's rooms; tools/bench/aec_eval.py measures 16-20 dB there).
DOUBLE_TALK_SI_SDR_FLOOR_DB = 18.0


def test_double_talk_keeps_the_near_end(simd_path):
    secs = 16
    x, y, noise = scene(secs)
    s = speech(secs * FS, FS, 5)
    s[: 8 * FS] = 0.0
    # echo 5 dB louder than the talker over the double-talk half
    near = (s * np.sqrt(np.mean(y[8 * FS:] ** 2) / np.mean(s[8 * FS:] ** 2) / 10 ** 0.5)).astype(np.float32)
    dt = slice(9 * FS, None)
    for strength in (0.0, 1.0):  # the linear filter alone, then with the residual echo suppressor
        ec = EchoCanceller(FS, suppressor_strength=strength)
        out, _ = aligned(ec, y + near + noise, x)
        n = near[: len(out)]
        assert si_sdr(out[dt], n[dt]) >= DOUBLE_TALK_SI_SDR_FLOOR_DB  # measured 21.3 linear, 22.4 total
        assert abs(gain_db(out[dt], n[dt])) <= 1.0  # measured ~0
        assert ec.double_talk > 0.5


def test_double_talk_with_a_quiet_talker_keeps_the_adapted_filter():
    # echo 10 dB louder than the talker: a filter that adapts on the talker
    # loses its echo path and lets the echo through (17.8 dB linear / 18.7 dB
    # total before the optimal step; measured 20.1 / 21.1 with it)
    secs = 16
    x, y, noise = scene(secs, seed=4)
    s = speech(secs * FS, FS, 5)
    s[: 8 * FS] = 0.0
    near = (s * np.sqrt(np.mean(y[8 * FS:] ** 2) / np.mean(s[8 * FS:] ** 2) / 10.0)).astype(np.float32)
    dt = slice(9 * FS, None)
    for strength in (0.0, 1.0):
        ec = EchoCanceller(FS, suppressor_strength=strength)
        out, _ = aligned(ec, y + near + noise, x)
        assert si_sdr(out[dt], near[: len(out)][dt]) >= 19.0


def test_recovers_after_an_echo_path_change():
    secs = 16
    x, y, noise = scene(secs)
    y2 = echo(x, room(FS, 250, 63.0, 0.3, 7))
    mic = np.concatenate([y[: 8 * FS], y2[8 * FS:]]) + noise
    ec = EchoCanceller(FS)
    out, m = aligned(ec, mic, x)
    assert erle_db(m[9 * FS: 11 * FS], out[9 * FS: 11 * FS]) >= 20.0  # measured ~27
    assert ec.stats()["shadow_copies"] >= 1


def test_bulk_delay_holds_through_music_repetitions_at_48k():
    # The synthetic music repeats itself at its note grid; at 48 kHz its
    # GCC-PHAT peak at the true delay + ~190 ms briefly outgrew the true one
    # (at 0.6 s and 4 s), the canceller re-aligned to 240 ms, lost the direct
    # path and dropped to ~0 dB ERLE for a second each time (measured before
    # the fix: 0.0-0.3 dB in 4 of these windows; after: 19-34 dB from 1.5 s).
    fs, secs = 48000, 8
    x, y, noise = scene(secs, fs=fs)
    mic = y + noise
    ec = EchoCanceller(fs)
    step = fs // 10
    outs, delays = [], set()
    for i in range(0, len(mic), step):
        outs.append(ec.process(mic[i:i + step], x[i:i + step]))
        delays.add(ec.delay_samples)
    assert delays == {0, (int(0.060 * fs) - fs // 1000) // ec.frame * ec.frame}
    out = np.concatenate(outs)[ec.latency:]
    m = mic[: len(out)]
    half = fs // 2
    windows = [erle_db(m[i:i + half], out[i:i + half]) for i in range(fs, len(out) - half + 1, half)]
    assert min(windows) >= 10.0  # measured 12.6 (1.0-1.5 s), 19.2+ from 1.5 s


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=40), st.sampled_from([8000, 16000, 32000, 48000]))
def test_streaming_equals_batch_any_chunking(sizes, fs):
    n = fs // 2
    rng = np.random.default_rng(len(sizes))
    ref = (0.1 * rng.standard_normal(n)).astype(np.float32)
    mic = (echo(ref, room(fs, 50, 5.0, 0.1, 2)) + 0.01 * rng.standard_normal(n)).astype(np.float32)
    whole = EchoCanceller(fs).process(mic, ref)
    ec = EchoCanceller(fs)
    parts, pos = [], 0
    for k in sizes * (n // max(1, sum(sizes)) + 1):
        if pos >= n:
            break
        parts.append(ec.process(mic[pos:pos + k], ref[pos:pos + k]))
        pos += k
    parts.append(ec.process(mic[pos:], ref[pos:]))
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_reset_gives_a_fresh_canceller():
    x, y, noise = scene(2, kind="white")
    ec = EchoCanceller(FS)
    a = ec.process(y + noise, x)
    ec.reset()
    np.testing.assert_array_equal(ec.process(y + noise, x), a)
    assert ec.stats()["frames"] == len(x) // ec.frame


def test_bad_input_gives_a_clear_error():
    ec = EchoCanceller(FS)
    a = np.zeros(100, np.float32)
    with pytest.raises(ValueError, match="same length"):
        ec.process(a, np.zeros(99, np.float32))
    with pytest.raises(TypeError, match="mic"):
        ec.process(a.astype(np.complex64), a)
    with pytest.raises(TypeError, match="ref"):
        ec.process(a, np.array(["x"] * 100))
    with pytest.raises(ValueError, match="1-D"):
        ec.process(a.reshape(10, 10), a.reshape(10, 10))
    bad = a.copy()
    bad[7] = np.nan
    with pytest.raises(ValueError, match="ref contains NaN.*sample 7"):
        ec.process(a, bad)
    with pytest.raises(ValueError, match="sample_rate"):
        EchoCanceller(22050)
    with pytest.raises(ValueError, match="frame"):
        EchoCanceller(FS, frame=77)
    with pytest.raises(ValueError, match="tail_ms"):
        EchoCanceller(FS, tail_ms=-1)
    with pytest.raises(TypeError, match="sample_rate"):
        EchoCanceller(16000.0)
    with pytest.raises(ValueError, match="step"):
        NlmsFilter(64, step=3.0)
    # float64 and int16 input are accepted and cast
    assert ec.process(np.zeros(10), np.zeros(10, np.int16)).dtype == np.float32


def test_long_runs_stay_finite_and_bounded():
    secs = 60
    x = np.tile(music(10 * FS, FS, 8), secs // 10)
    x[20 * FS: 25 * FS] = 0.0  # far end silent
    x[40 * FS: 41 * FS] *= 4.0  # a clipping-loud passage
    y = echo(x, room(FS, 250, 30.0, 0.4, 3))
    s = speech(secs * FS, FS, 6)
    mic = (y + 0.3 * s + 1e-3 * np.random.default_rng(1).standard_normal(secs * FS)).astype(np.float32)
    ec = EchoCanceller(FS)
    out = np.concatenate([ec.process(mic[i:i + 4000], x[i:i + 4000]) for i in range(0, len(mic), 4000)])
    assert np.all(np.isfinite(out))
    lat = ec.latency
    blk = ec.frame
    o = out[lat:].astype(np.float64)
    m = mic[: len(mic) - lat].astype(np.float64)
    nb = len(o) // blk
    eo = np.sum(o[: nb * blk].reshape(nb, blk) ** 2, axis=1)
    em = np.sum(m[: nb * blk].reshape(nb, blk) ** 2, axis=1)
    # the divergence guard: no block louder than its mic block by more than 6 dB
    assert np.all(eo <= 10 ** 0.6 * em + 1e-6)


def test_nlms_identifies_a_short_path_on_every_simd_path(simd_path):
    rng = np.random.default_rng(4)
    x = (0.1 * rng.standard_normal(2 * FS)).astype(np.float32)
    h = room(FS, 8, 0.5, 0.05, 4)
    d = echo(x, h)
    f = NlmsFilter(len(h))
    e = f.process(d, x)
    assert erle_db(d[FS:], e[FS:]) >= 40.0
    np.testing.assert_allclose(f.weights, h, atol=1e-3)


def test_nlms_on_silent_reference_passes_the_mic():
    f = NlmsFilter(32)
    d = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    np.testing.assert_array_equal(f.process(d, np.zeros(1000, np.float32)), d)
