"""edgeaudio.features against librosa and python_speech_features, streaming
against batch for any chunking, every SIMD path against scalar, and the
behaviour at the door (dtypes, NaN, short input, sample rate, bad configs)."""
from __future__ import annotations

import doctest
import json
import pickle

# the reference libraries are pinned in the test extra (pyproject.toml): a
# missing one is a failure, not a skip
import librosa
import numpy as np
import pytest
import python_speech_features as psf
import scipy.signal as scipy_signal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import edgeaudio
from edgeaudio import _core, features
from edgeaudio.features import Frontend, FrontendConfig


# ---- signals ---------------------------------------------------------------------


def speech_like(sr: int, n: int, seed: int = 0) -> np.ndarray:
    """Glottal-pulse-like harmonics with a moving pitch, syllable envelope, noise, a pause."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    f0 = 120 + 30 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    v = sum(np.sin(h * phase) / h for h in range(1, 25))
    v = v * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2 + 0.01 * rng.standard_normal(n)
    v[n // 3 : n // 3 + n // 8] = 0.0
    return (0.3 * v).astype(np.float32)


def tonal(sr: int, n: int, seed: int = 0) -> np.ndarray:
    t = np.arange(n) / sr
    return (0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t + 1.0)).astype(np.float32)


def chirp(sr: int, n: int, seed: int = 0) -> np.ndarray:
    t = np.arange(n) / sr
    return (0.4 * scipy_signal.chirp(t, 100, t[-1], sr * 0.45)).astype(np.float32)


def noise(sr: int, n: int, seed: int = 0) -> np.ndarray:
    return (0.1 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


SIGNALS = {"speech": speech_like, "tonal": tonal, "chirp": chirp, "noise": noise}


def simd_paths():
    return list(edgeaudio.simd_info()["available"])


class forced_simd:
    """Run a block on one SIMD path, restoring the previous one afterwards."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.prev = edgeaudio.simd_info()["active"]
        _core._set_simd(self.name)

    def __exit__(self, *exc):
        _core._set_simd(self.prev)


# ---- librosa -------------------------------------------------------------------------


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_logmel_matches_librosa_defaults(signal):
    sr = 22050
    y = SIGNALS[signal](sr, 2 * sr + 123)
    want = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr)).T
    got = features.logmel(y, FrontendConfig.preset("librosa"))
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-3)


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_mfcc_matches_librosa_defaults(signal):
    sr = 22050
    y = SIGNALS[signal](sr, 2 * sr + 123)
    want = librosa.feature.mfcc(y=y, sr=sr).T
    got = features.mfcc(y, FrontendConfig.preset("librosa"))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-3)


@pytest.mark.parametrize("signal", ["speech", "noise", "tonal"])
def test_librosa_40_mels_short_window_and_lifter(signal):
    # a 400-sample window centred in a 512 frame, 40 mels, HTK scale, lifter
    sr = 16000
    y = SIGNALS[signal](sr, sr + 50)
    kw = dict(sr=sr, n_fft=512, hop_length=160, win_length=400, n_mels=40, htk=True, fmin=20, fmax=7600)
    cfg = FrontendConfig.preset(
        "librosa", sample_rate=sr, n_fft=512, hop_length=160, win_length=400, n_mels=40, mel_scale="htk",
        fmin_hz=20.0, fmax_hz=7600.0, n_mfcc=13, lifter=22.0,
    )
    S = librosa.feature.melspectrogram(y=y, **kw)
    np.testing.assert_allclose(features.logmel(y, cfg), librosa.power_to_db(S).T, rtol=0, atol=1e-3)
    want = librosa.feature.mfcc(y=y, n_mfcc=13, lifter=22, **kw).T
    # the lifter multiplies coefficients by up to 12: compare in unliftered units
    lift = 1 + 11 * np.sin(np.pi * np.arange(1, 14) / 22)
    np.testing.assert_allclose(features.mfcc(y, cfg) / lift, want / lift, rtol=0, atol=1e-3)
    np.testing.assert_allclose(features.melspectrogram(y, cfg), S.T, rtol=2e-5, atol=1e-5 * S.max())


def test_stft_magnitude_and_power_match_librosa():
    sr = 22050
    y = speech_like(sr, sr)
    cfg = FrontendConfig.preset("librosa")
    D = librosa.stft(y)
    got = features.stft(y, cfg)
    assert got.dtype == np.complex64 and got.shape == D.T.shape
    np.testing.assert_allclose(np.abs(got), np.abs(D.T), rtol=0, atol=2e-6 * np.abs(D).max())
    np.testing.assert_allclose(features.spectrogram(y, cfg), np.abs(D.T) ** 2, rtol=0, atol=4e-6 * np.abs(D).max() ** 2)


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None])
def test_mel_filterbank_matches_librosa(htk, norm):
    cfg = FrontendConfig(sample_rate=16000, n_fft=512, n_mels=40, fmin_hz=30.0, fmax_hz=7800.0,
                         mel_scale="htk" if htk else "slaney", mel_norm=norm or "none")
    want = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=30, fmax=7800, htk=htk, norm=norm)
    np.testing.assert_allclose(features.mel_filterbank(cfg), want, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["hann", "hamming", "rectangular"])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_scipy(name, periodic):
    cfg = FrontendConfig(window=name, window_periodic=periodic, win_length=400)
    want = scipy_signal.get_window("boxcar" if name == "rectangular" else name, 400, fftbins=periodic)
    np.testing.assert_allclose(features.window(cfg), want, rtol=0, atol=1e-7)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("width", [3, 5, 9])
def test_delta_matches_librosa(order, width):
    sr = 16000
    m = features.mfcc(speech_like(sr, sr), FrontendConfig.preset("kws", hop_length=160))
    want = librosa.feature.delta(m.T, width=width, order=order).T
    got = features.delta(m, width=width, order=order)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
    # leading axes and another axis
    stack = np.stack([m, 2 * m])
    got2 = features.delta(stack, width=width, order=order)
    np.testing.assert_allclose(got2[1], 2 * got, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features.delta(m.T, width=width, order=order, axis=-1), got.T, rtol=1e-6, atol=1e-7)


def test_delta_refuses_what_librosa_refuses():
    m = np.zeros((5, 3), np.float32)
    with pytest.raises(ValueError, match="width=9 needs at least 9 frames"):
        features.delta(m)
    with pytest.raises(ValueError, match="odd integer"):
        features.delta(m, width=4)
    with pytest.raises(ValueError, match="order"):
        features.delta(m, width=3, order=3)


def test_pcen_matches_librosa():
    sr, hop = 16000, 160
    y = speech_like(sr, 2 * sr)
    cfg = FrontendConfig(sample_rate=sr, n_fft=512, win_length=512, hop_length=hop, window_placement="center",
                         padding="center", spectrum_power=1, n_mels=40, mel_scale="slaney", mel_norm="slaney",
                         compression="pcen")
    S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, hop_length=hop, n_mels=40, power=1)
    want = librosa.pcen(S * (2**31), sr=sr, hop_length=hop).T
    got = features.logmel(y * np.float32(2**31), cfg)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-4 * np.abs(want).max())
    # and the stream, which carries the smoother state across chunks
    fe = Frontend(cfg)
    parts = [fe.push(c) for c in np.array_split(y * np.float32(2**31), 13)] + [fe.flush()]
    np.testing.assert_array_equal(np.concatenate(parts), got)


# ---- python_speech_features ------------------------------------------------------------


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_logfbank_matches_python_speech_features(signal):
    sr = 16000
    y = SIGNALS[signal](sr, 2 * sr + 77)
    want = psf.logfbank(y.astype(np.float64), sr)
    got = features.logmel(y, FrontendConfig.preset("speech_features"))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=0)


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_mfcc_matches_python_speech_features(signal):
    sr = 16000
    y = SIGNALS[signal](sr, 2 * sr + 77)
    want = psf.mfcc(y.astype(np.float64), sr)
    got = features.mfcc(y, FrontendConfig.preset("speech_features"))
    assert got.shape == want.shape
    # relative 1e-3; coefficients that cross zero get 1e-4 absolute
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("n", [1, 100, 399, 400, 401, 559, 560, 561])
def test_speech_features_short_and_edge_lengths(n):
    y = speech_like(16000, n)
    got = features.logmel(y, FrontendConfig.preset("speech_features"))
    want = psf.logfbank(y.astype(np.float64), 16000)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-3)


def test_speech_features_preset_at_44k1():
    sr = 44100
    y = speech_like(sr, sr // 2)
    cfg = FrontendConfig.preset("speech_features", sample_rate=sr)
    assert (cfg.win_length, cfg.hop_length, cfg.n_fft) == (1103, 441, 2048)
    want = psf.logfbank(y.astype(np.float64), sr, nfft=2048)
    np.testing.assert_allclose(features.logmel(y, cfg), want, rtol=1e-3)


def test_kaldi_filterbank_is_triangular_in_mel():
    cfg = FrontendConfig.preset("kaldi")
    fb = features.mel_filterbank(cfg)
    mel = 1127.0 * np.log1p(np.arange(cfg.n_bins) * cfg.sample_rate / cfg.n_fft / 700.0)
    lo, hi = 1127.0 * np.log1p(20.0 / 700.0), 1127.0 * np.log1p(8000.0 / 700.0)
    edges = lo + np.arange(cfg.n_mels + 2) * (hi - lo) / (cfg.n_mels + 1)
    want = np.zeros_like(fb)
    for m in range(cfg.n_mels):
        left, center, right = edges[m : m + 3]
        up = (mel - left) / (center - left)
        down = (right - mel) / (right - center)
        inside = (mel > left) & (mel < right)
        want[m] = np.where(inside, np.where(mel <= center, up, down), 0.0)
    np.testing.assert_allclose(fb, want, rtol=1e-6, atol=1e-7)


def test_kaldi_preset_frames_match_a_numpy_kaldi_pipeline():
    cfg = FrontendConfig.preset("kaldi")
    y = speech_like(16000, 8000, seed=3)
    n = 1 + (len(y) - 400) // 160
    frames = np.stack([y[i * 160 : i * 160 + 400].astype(np.float64) for i in range(n)])
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] -= 0.97 * frames[:, 0]
    povey = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 399)) ** 0.85
    power = np.abs(np.fft.rfft(frames * povey, 512)) ** 2
    want = np.log(np.maximum(power @ features.mel_filterbank(cfg).T.astype(np.float64), np.finfo(np.float32).eps))
    np.testing.assert_allclose(features.logmel(y, cfg), want, rtol=0, atol=2e-4)


# ---- SIMD paths ------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["librosa", "speech_features", "kws", "kaldi"])
def test_every_simd_path_equals_scalar(preset):
    cfg = FrontendConfig.preset(preset)
    y = speech_like(cfg.sample_rate, cfg.sample_rate)
    results = {}
    for path in simd_paths():
        with forced_simd(path):
            results[path] = {
                "mel": features.melspectrogram(y, cfg),
                "logmel": features.logmel(y, cfg),
                "mfcc": features.mfcc(y, cfg),
                "stream": Frontend(cfg.replace(top_db=None), "mfcc").push(y),
            }
    assert len(results) >= 1
    for path, res in results.items():
        for key, got in res.items():
            want = results["scalar"][key]
            # relative to each frame's largest value
            scale = np.abs(want).max(axis=-1, keepdims=True)
            assert np.all(np.abs(got - want) <= 1e-5 * scale), (path, key, np.max(np.abs(got - want) / scale))


def test_simd_override_is_restored_and_used():
    before = edgeaudio.simd_info()["active"]
    with forced_simd("scalar"):
        assert edgeaudio.simd_info()["active"] == "scalar"
        assert _core.Frontend(FrontendConfig()._native, "logmel").isa == "scalar"
    assert edgeaudio.simd_info()["active"] == before


# ---- streaming == batch ----------------------------------------------------------------

STREAM_CONFIGS = {
    "kws": FrontendConfig.preset("kws"),
    "kws_10ms": FrontendConfig.preset("kws", hop_length=160, output="mfcc"),
    "speech_features": FrontendConfig.preset("speech_features", output="mfcc"),
    "kaldi": FrontendConfig.preset("kaldi"),
    "librosa": FrontendConfig.preset("librosa", top_db=None, sample_rate=16000, n_fft=512, win_length=400,
                                     hop_length=160, n_mels=40),
    "pcen_hop_gt_window": FrontendConfig(win_length=200, n_fft=256, hop_length=300, n_mels=20, compression="pcen"),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(STREAM_CONFIGS)),
    n=st.integers(0, 6000),
    chunks=st.lists(st.one_of(st.just(1), st.integers(0, 50), st.integers(1, 2000)), min_size=1, max_size=30),
    output=st.sampled_from(["logmel", "mfcc", "stft"]),
    seed=st.integers(0, 2**16),
)
def test_streaming_equals_batch_any_chunking(name, n, chunks, output, seed):
    cfg = STREAM_CONFIGS[name].replace(output=output)
    x = speech_like(cfg.sample_rate, n, seed=seed)
    want = features.compute(x, cfg)
    fe = Frontend(cfg)
    parts, i, k = [], 0, 0
    while i < n:
        size = chunks[k % len(chunks)]
        k += 1
        parts.append(fe.push(x[i : i + size]))
        i += size
        if k > 20000:  # all-zero chunk lists
            parts.append(fe.push(x[i:]))
            break
    parts.append(fe.flush())
    got = np.concatenate(parts)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # flush reset the stream: the same signal again gives the same frames
    again = np.concatenate([fe.push(x), fe.flush()])
    np.testing.assert_array_equal(again, want)


def test_streaming_single_samples_and_oversized_chunks():
    cfg = FrontendConfig.preset("speech_features")
    x = speech_like(16000, 3000)
    want = features.logmel(x, cfg)
    fe = Frontend(cfg)
    got = np.concatenate([fe.push(x[i : i + 1]) for i in range(len(x))] + [fe.flush()])
    np.testing.assert_array_equal(got, want)
    got = np.concatenate([fe.push(np.concatenate([x, x])[:3000]), fe.flush()])
    np.testing.assert_array_equal(got, want)


def test_centre_padding_stream_latency():
    # librosa-style centring: the first frame needs n_fft - n_fft // 2 samples
    cfg = FrontendConfig.preset("librosa", top_db=None)
    fe = Frontend(cfg)
    assert fe.push(np.zeros(1023, np.float32)).shape == (0, 128)
    assert fe.push(np.zeros(1, np.float32)).shape == (1, 128)
    assert fe.flush().shape == (2, 128)  # 1 + 1024 // 512 frames in all
    assert fe.samples_pushed == 0


def test_frontend_refuses_clip_wide_top_db():
    cfg = FrontendConfig.preset("librosa")
    with pytest.raises(ValueError, match="FrontendConfig.top_db"):
        Frontend(cfg)
    assert Frontend(cfg, "mel").push(np.zeros(4096, np.float32)).shape == (7, 128)  # (1024 + 4096 - 2048) // 512 + 1


# ---- the door ----------------------------------------------------------------------------


def test_int16_and_int32_are_scaled_to_unit_range():
    cfg = FrontendConfig.preset("kws")
    pcm = (speech_like(16000, 16000) * 32767).astype(np.int16)
    np.testing.assert_array_equal(features.logmel(pcm, cfg), features.logmel(pcm.astype(np.float32) / 32768, cfg))
    pcm32 = pcm.astype(np.int32) << 16
    np.testing.assert_array_equal(features.logmel(pcm32, cfg), features.logmel(pcm.astype(np.float32) / 32768, cfg))
    fe = Frontend(cfg)
    np.testing.assert_array_equal(np.concatenate([fe.push(pcm), fe.flush()]), features.logmel(pcm, cfg))
    # float64 is cast
    np.testing.assert_array_equal(features.logmel(pcm.astype(np.float64) / 32768, cfg), features.logmel(pcm, cfg))


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, np.complex64, np.bool_, object])
def test_other_dtypes_are_refused(dtype):
    with pytest.raises(TypeError, match="float audio or int16 / int32 PCM"):
        features.logmel(np.zeros(1000, dtype=dtype), FrontendConfig())


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_raise_clear_errors(bad):
    cfg = FrontendConfig.preset("kws")
    x = speech_like(16000, 4000)
    x[1234] = bad
    word = "NaN" if np.isnan(bad) else "infinite"
    with pytest.raises(ValueError, match=f"sample 1234 is {word}"):
        features.logmel(x, cfg)
    with pytest.raises(ValueError, match=f"row 1: audio: sample 1234 is {word}"):
        features.mfcc(np.stack([speech_like(16000, 4000), x]), cfg)
    fe = Frontend(cfg)
    clean = speech_like(16000, 4000)
    first = fe.push(clean[:1000])
    with pytest.raises(ValueError, match=f"sample 234 is {word}"):
        fe.push(x[1000:2000])
    # nothing was consumed: the stream goes on as if the bad chunk never came
    rest = fe.push(clean[1000:])
    np.testing.assert_array_equal(np.concatenate([first, rest, fe.flush()]), features.logmel(clean, cfg))


@pytest.mark.parametrize(
    "preset,n,frames",
    [("kws", 0, 0), ("kws", 479, 0), ("kws", 480, 1), ("speech_features", 0, 0), ("speech_features", 1, 1),
     ("speech_features", 400, 1), ("librosa", 0, 0), ("librosa", 1, 1), ("librosa", 600, 2), ("kaldi", 399, 0)],
)
def test_empty_and_short_input_have_defined_shapes(preset, n, frames):
    cfg = FrontendConfig.preset(preset)
    x = np.zeros(n, np.float32)
    assert features.logmel(x, cfg).shape == (frames, cfg.n_mels)
    assert features.mfcc(x, cfg).shape == (frames, cfg.n_mfcc)
    assert cfg.num_frames(n) == frames
    assert features.logmel(np.zeros((2, 3, n), np.float32), cfg).shape == (2, 3, frames, cfg.n_mels)
    assert features.logmel(np.zeros((0, n), np.float32), cfg).shape == (0, frames, cfg.n_mels)
    assert np.all(np.isfinite(features.mfcc(x, cfg)))


def test_leading_batch_axes_equal_rows():
    cfg = FrontendConfig.preset("speech_features")
    x = np.stack([np.stack([speech_like(16000, 5000, seed=s + 3 * r) for s in range(3)]) for r in range(2)])
    got = features.mfcc(x, cfg)
    assert got.shape == (2, 3, cfg.num_frames(5000), 13)
    for r in range(2):
        for s in range(3):
            np.testing.assert_array_equal(got[r, s], features.mfcc(x[r, s], cfg))
    # strided (non-contiguous) input is fine
    np.testing.assert_array_equal(features.mfcc(x[:, :, ::2], cfg)[1, 2], features.mfcc(x[1, 2, ::2].copy(), cfg))


def test_sample_rate_mismatch_is_an_error():
    cfg = FrontendConfig.preset("kws")
    x = np.zeros(16000, np.float32)
    assert features.logmel(x, cfg, sample_rate=16000).shape == (49, 40)
    with pytest.raises(ValueError, match=r"sample_rate=44100 Hz does not match config.sample_rate=16000 Hz"):
        features.logmel(x, cfg, sample_rate=44100)
    with pytest.raises(ValueError, match="does not match config.sample_rate"):
        Frontend(cfg).push(x, sample_rate=8000)


@pytest.mark.parametrize(
    "changes,field",
    [
        (dict(fmax_hz=8000.5), "fmax_hz"),
        (dict(fmin_hz=8000.0), "fmax_hz"),
        (dict(n_mels=258), "n_mels"),
        (dict(hop_length=0), "hop_length"),
        (dict(win_length=513), "win_length"),
        (dict(n_fft=0), "n_fft"),
        (dict(sample_rate=0), "sample_rate"),
        (dict(spectrum_power=3), "spectrum_power"),
        (dict(n_mfcc=41), "n_mfcc"),
        (dict(top_db=80.0), "top_db"),
        (dict(log_floor=0.0), "log_floor"),
        (dict(preemphasis=-0.1), "preemphasis"),
        (dict(mel_triangles="fft_bin", mel_scale="slaney"), "mel_scale"),
        (dict(window="kaiser"), "window"),
        (dict(compression="log2"), "compression"),
        (dict(lifter=-1.0), "lifter"),
        (dict(spectrum_scale=float("nan")), "spectrum_scale"),
        (dict(n_fft=512.5), "n_fft"),
    ],
)
def test_invalid_configs_name_the_field(changes, field):
    with pytest.raises(ValueError, match=rf"^FrontendConfig\.{field}: "):
        FrontendConfig(**changes)


@pytest.mark.parametrize(
    "changes,field", [(dict(n_mels="40"), "n_mels"), (dict(window_periodic=1), "window_periodic"),
                      (dict(window=3), "window"), (dict(fmin_hz="0"), "fmin_hz")]
)
def test_config_type_errors_name_the_field(changes, field):
    with pytest.raises(TypeError, match=rf"^FrontendConfig\.{field}: "):
        FrontendConfig(**changes)


def test_presets_and_overrides():
    assert set(features.PRESETS) == {"librosa", "speech_features", "kws", "kaldi"}
    lib = FrontendConfig.preset("librosa")
    assert (lib.sample_rate, lib.n_fft, lib.hop_length, lib.n_mels, lib.top_db) == (22050, 2048, 512, 128, 80.0)
    kws = FrontendConfig.preset("kws")
    assert (kws.win_length, kws.hop_length, kws.n_mels, kws.fmin_hz, kws.fmax_hz) == (480, 320, 40, 125.0, 7500.0)
    assert FrontendConfig.preset("kws", hop_length=160).hop_length == 160
    assert FrontendConfig.preset("kaldi", sample_rate=8000).win_length == 200
    with pytest.raises(ValueError, match="unknown preset 'htk'"):
        FrontendConfig.preset("htk")
    with pytest.raises(ValueError, match="no field 'hop'"):
        FrontendConfig.preset("kws", hop=10)
    with pytest.raises(ValueError, match="FrontendConfig.fmax_hz"):
        FrontendConfig.preset("kws", sample_rate=8000)  # 7500 Hz > 4000 Hz


@pytest.mark.parametrize("preset", ["librosa", "speech_features", "kws", "kaldi"])
def test_config_round_trips_through_json_and_pickle(preset):
    cfg = FrontendConfig.preset(preset)
    text = cfg.to_json(indent=2)
    back = FrontendConfig.from_json(text)
    assert back == cfg and hash(back) == hash(cfg)
    assert json.loads(text)["sample_rate"] == cfg.sample_rate
    assert pickle.loads(pickle.dumps(cfg)) == cfg
    # the native side reads every field back as the same text
    for name in _core.FrontendConfig.field_names():
        assert cfg._native.get(name) == FrontendConfig.from_json(text)._native.get(name)
    with pytest.raises(ValueError, match="no field 'nfft'"):
        FrontendConfig.from_dict({**cfg.to_dict(), "nfft": 512})


def test_docstring_examples_run():
    result = doctest.testmod(features, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_gil_is_released_during_batch():
    import threading
    import time

    cfg = FrontendConfig.preset("kws", hop_length=160)
    x = noise(16000, 16000 * 300)
    ticks = 0
    done = threading.Event()

    def work():
        features.logmel(x, cfg)
        done.set()

    t = threading.Thread(target=work)
    t0 = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    t.join()
    # with the GIL held for the whole call the main thread could not tick
    assert time.perf_counter() - t0 < 0.01 or ticks > 10
