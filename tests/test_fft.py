"""edgeaudio.fft against numpy.fft (float64 reference) on every SIMD path.

Tolerances, from the foundation issue: relative L2 error
||X - Xref|| / ||Xref|| below 1e-6 for n <= 4096 and below 5e-6 up to 65536.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeaudio import fft

SMALL_SIZES = [n for n in range(1, 4097) if fft.is_fast_size(n)]
OTHER_SIZES = [7, 11, 13, 14, 77, 97, 202, 1021, 1022, 4099, 44100]
LARGE_SIZES = [4800, 8192, 15360, 16000, 32768, 48000, 65536]


def rel_err(a, b) -> float:
    den = np.linalg.norm(b)
    return float(np.linalg.norm(np.asarray(a, np.complex128) - b) / (den if den else 1.0))


def tol(n: int) -> float:
    return 1e-6 if n <= 4096 else 5e-6


def signal(shape, seed=0, complex_=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if complex_:
        x = x + 1j * rng.standard_normal(shape)
    return x


def test_supported_sizes_are_the_5_smooth_numbers():
    assert SMALL_SIZES[:12] == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16]
    assert {400, 480, 512, 640, 4096} <= set(SMALL_SIZES)
    assert not fft.is_fast_size(7) and not fft.is_fast_size(0)
    assert fft.is_supported_size(7) and not fft.is_supported_size(0)
    assert fft.is_supported_size(2**26) and not fft.is_supported_size(2**25 + 1)
    assert fft.next_fast_len(401) == 405 and fft.next_fast_len(1021) == 1024


@pytest.mark.parametrize("sizes", [SMALL_SIZES, LARGE_SIZES, OTHER_SIZES], ids=["n<=4096", "n<=65536", "bluestein"])
def test_rfft_and_irfft_match_numpy_every_size(simd_path, sizes):
    for n in sizes:
        x = signal(n, seed=n)
        X = fft.rfft(x)
        assert X.dtype == np.complex64 and X.shape == (n // 2 + 1,)
        ref = np.fft.rfft(x)
        assert rel_err(X, ref) < tol(n), (simd_path, n)
        y = fft.irfft(ref, n=n)
        assert y.dtype == np.float32
        assert rel_err(y, np.fft.irfft(ref, n=n)) < tol(n), (simd_path, n)


@pytest.mark.parametrize("sizes", [SMALL_SIZES, LARGE_SIZES, OTHER_SIZES], ids=["n<=4096", "n<=65536", "bluestein"])
def test_fft_and_ifft_match_numpy_every_size(simd_path, sizes):
    for n in sizes:
        x = signal(n, seed=n, complex_=True)
        assert rel_err(fft.fft(x), np.fft.fft(x)) < tol(n), (simd_path, n)
        assert rel_err(fft.ifft(x), np.fft.ifft(x)) < tol(n), (simd_path, n)


def test_simd_paths_agree_with_scalar(simd_path):
    from edgeaudio import _core

    x = signal((20, 512), seed=1)
    got = fft.rfft(x)
    _core._set_simd("scalar")
    try:
        want = fft.rfft(x)
    finally:
        _core._set_simd(simd_path)
    assert rel_err(got, want.astype(np.complex128)) < 2e-6


@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
def test_norm_modes_match_numpy(norm):
    x = signal((3, 480), seed=2)
    assert rel_err(fft.rfft(x, norm=norm), np.fft.rfft(x, norm=norm)) < 1e-6
    X = np.fft.rfft(x)
    assert rel_err(fft.irfft(X, norm=norm), np.fft.irfft(X, norm=norm)) < 1e-6
    z = signal((3, 480), seed=3, complex_=True)
    assert rel_err(fft.fft(z, norm=norm), np.fft.fft(z, norm=norm)) < 1e-6
    assert rel_err(fft.ifft(z, norm=norm), np.fft.ifft(z, norm=norm)) < 1e-6


def test_batched_over_leading_axes_and_any_axis():
    x = signal((2, 3, 64, 5), seed=4)
    for axis in range(-4, 4):
        if x.shape[axis] not in (2, 3, 64, 5):
            continue
        got = fft.rfft(x, axis=axis)
        assert got.shape == np.fft.rfft(x, axis=axis).shape
        assert rel_err(got, np.fft.rfft(x, axis=axis)) < 1e-6
        assert rel_err(fft.fft(x, axis=axis), np.fft.fft(x, axis=axis)) < 1e-6


def test_any_strides_and_memory_order():
    base = signal((64, 1024), seed=5).astype(np.float32)
    views = [base[::2, ::2], base[:, 1::2], base.T[:512], np.asfortranarray(base), base[::-1, ::-1]]
    for v in views:
        assert rel_err(fft.rfft(v), np.fft.rfft(v.astype(np.float64))) < 1e-6


def test_n_crops_and_zero_pads_like_numpy():
    x = signal(500, seed=6)
    for n in (400, 512, 1000):
        assert rel_err(fft.rfft(x, n=n), np.fft.rfft(x, n=n)) < 1e-6
        assert rel_err(fft.fft(x, n=n), np.fft.fft(x, n=n)) < 1e-6
    X = np.fft.rfft(x)
    for n in (400, 500, 512, 1000):
        assert rel_err(fft.irfft(X, n=n), np.fft.irfft(X, n=n)) < 1e-6


def test_irfft_ignores_imaginary_parts_of_dc_and_nyquist_like_numpy():
    X = signal(257, seed=7, complex_=True)
    assert rel_err(fft.irfft(X), np.fft.irfft(X)) < 1e-6
    X = signal(8, seed=8, complex_=True)  # odd output length n = 15
    assert rel_err(fft.irfft(X, n=15), np.fft.irfft(X, n=15)) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.int32, np.uint8, bool])
def test_real_dtypes_are_accepted_and_computed_in_float32(dtype):
    x = (signal(256, seed=9) * 10).astype(dtype)
    X = fft.rfft(x)
    assert X.dtype == np.complex64
    assert rel_err(X, np.fft.rfft(x.astype(np.float64))) < 1e-6


def test_lists_are_accepted():
    assert rel_err(fft.rfft([1.0, 2.0, 3.0, 4.0]), np.fft.rfft([1.0, 2.0, 3.0, 4.0])) < 1e-7


def test_nan_and_inf_propagate_like_numpy():
    x = np.ones(512)
    x[10] = np.nan
    assert np.isnan(fft.rfft(x)).all()  # every bin sees the NaN
    x[10] = np.inf
    X = fft.rfft(x)
    assert not np.isfinite(X).any()
    assert np.isnan(fft.irfft(np.full(257, np.nan + 0j))).all()


def test_empty_batches_give_empty_results():
    assert fft.rfft(np.zeros((0, 512))).shape == (0, 257)
    assert fft.irfft(np.zeros((0, 257), np.complex64)).shape == (0, 512)
    assert fft.fft(np.zeros((3, 0, 8))).shape == (3, 0, 8)


@pytest.mark.parametrize("call", [fft.rfft, fft.fft, fft.ifft])
def test_empty_transform_length_is_a_value_error(call):
    with pytest.raises(ValueError, match=r"\(0\)"):
        call(np.zeros(0))
    with pytest.raises(ValueError):
        call(np.zeros(8), n=0)


def test_irfft_of_one_bin_needs_an_explicit_length():
    with pytest.raises(ValueError, match="n is not given"):
        fft.irfft(np.ones(1, np.complex64))
    assert fft.irfft(np.ones(1, np.complex64), n=1).tolist() == [1.0]


@pytest.mark.parametrize("n", [2**25 + 1, 2**27])
def test_lengths_beyond_the_largest_plan_are_refused(n):
    with pytest.raises(ValueError, match=rf"length {n} is not supported.*largest length"):
        fft.rfft(np.zeros(8), n=n)
    with pytest.raises(ValueError, match=f"length {n}"):
        fft.fft(np.zeros(8), n=n)
    with pytest.raises(ValueError, match=f"length {n}"):
        fft.irfft(np.zeros(5, np.complex64), n=n)


def test_wrong_dtypes_are_type_errors():
    with pytest.raises(TypeError, match="must be real"):
        fft.rfft(np.ones(8, np.complex64))
    with pytest.raises(TypeError, match="numeric"):
        fft.rfft(np.array(["a"] * 8))
    with pytest.raises(TypeError, match="numeric"):
        fft.fft(np.array([object()] * 8))
    with pytest.raises(TypeError, match="integer"):
        fft.rfft(np.ones(8), n=8.0)
    with pytest.raises(TypeError, match="axis"):
        fft.rfft(np.ones(8), axis=0.5)


def test_bad_norm_and_axis_are_value_errors():
    with pytest.raises(ValueError, match="norm"):
        fft.rfft(np.ones(8), norm="unitary")
    with pytest.raises(ValueError, match="out of bounds"):
        fft.rfft(np.ones(8), axis=1)
    with pytest.raises(ValueError, match="scalar"):
        fft.rfft(np.float32(1.0))


def test_native_layer_rejects_what_the_python_layer_should_have_converted():
    from edgeaudio import _core

    with pytest.raises(TypeError):
        _core.rfft_rows(np.ones((2, 8)), 1.0)  # float64
    with pytest.raises(ValueError, match="2-D"):
        _core.rfft_rows(np.ones(8, np.float32), 1.0)
    with pytest.raises(ValueError, match="bins"):
        _core.irfft_rows(np.ones((1, 4), np.complex64), 8, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.sampled_from([7, 8, 12, 30, 64, 100, 400, 512, 750, 1001]),
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    axis_from_end=st.integers(0, 2),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_rfft_roundtrip_any_shape(n, lead, axis_from_end, seed):
    shape = list(lead) + [n]
    x = signal(tuple(shape), seed=seed)
    axis = -1 - min(axis_from_end, len(shape) - 1)
    size = x.shape[axis]
    X = fft.rfft(x, axis=axis)
    assert rel_err(X, np.fft.rfft(x, axis=axis)) < 1e-6
    back = fft.irfft(X, n=size, axis=axis)
    assert np.allclose(back, x, atol=1e-5 * max(1.0, np.abs(x).max()))


def test_threads_share_cached_plans_safely():
    from concurrent.futures import ThreadPoolExecutor

    x = signal((50, 640), seed=10)
    want = np.fft.rfft(x)

    def work(_):
        return rel_err(fft.rfft(x), want)

    with ThreadPoolExecutor(4) as pool:
        errs = list(pool.map(work, range(16)))
    assert max(errs) < 1e-6
