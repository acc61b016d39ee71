"""Fast Fourier transforms with numpy.fft's semantics on the SIMD C++ core.

Every length from 1 to 2**25 is supported. Lengths whose prime factors are 2,
3 and 5 (8, 400, 480, 512, 640, ... 65536: see :func:`is_fast_size` and
:func:`next_fast_len`) run the SIMD mixed-radix kernels directly; other
lengths (7, 1021, 44100, ...) run Bluestein's algorithm through a fast length
of at least 2n - 1, a few times slower than a nearby fast length and as
accurate. Computation is float32:
float64 (and integer or bool) input is accepted and cast, and results are
``complex64`` / ``float32``, where numpy would return double precision. The
relative error against numpy's float64 transform is below 1e-6 up to n = 4096
and below 5e-6 up to 65536, on every SIMD path.

Transforms run over the chosen ``axis`` of arrays of any shape and strides,
with the GIL released. Plans are built once per length and cached.

Examples
--------
>>> import numpy as np
>>> from edgeaudio import fft
>>> x = np.random.default_rng(0).standard_normal((10, 400)).astype(np.float32)
>>> X = fft.rfft(x)
>>> X.shape, X.dtype
((10, 201), dtype('complex64'))
>>> bool(np.allclose(fft.irfft(X, n=400), x, atol=1e-5))
True
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from . import _core

__all__ = ["rfft", "irfft", "fft", "ifft", "next_fast_len", "is_fast_size", "is_supported_size"]

_NORMS = (None, "backward", "ortho", "forward")


def is_fast_size(n: int) -> bool:
    """True if ``n`` >= 1 has no prime factors other than 2, 3 and 5."""
    return bool(_core.fft_is_fast_size(int(n)))


def is_supported_size(n: int) -> bool:
    """True if a transform of length ``n`` can be planned (1 <= n <= 2**25, or 2**26 if fast)."""
    return bool(_core.fft_is_supported_size(int(n)))


def next_fast_len(n: int) -> int:
    """The smallest fast transform length >= ``n`` (``n`` >= 1), for zero-padding.

    >>> next_fast_len(401)
    405
    """
    n = _as_length(n, "n")
    return int(_core.fft_next_fast_len(n))


def _as_length(n, name: str) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    n = int(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _check_norm(norm: Optional[str]) -> None:
    if norm not in _NORMS:
        raise ValueError(
            f'Invalid norm value {norm!r}; should be "backward", "ortho" or "forward".'
        )


def _scale(n: int, norm: Optional[str], inverse: bool) -> float:
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if (norm in (None, "backward")) == inverse:
        return 1.0 / n
    return 1.0


def _check_size(n: int) -> None:
    if not _core.fft_is_supported_size(n):
        raise ValueError(
            f"FFT length {n} is not supported: the largest length is 2**26 "
            "(2**25 for lengths with prime factors other than 2, 3 and 5)"
        )


def _as_array(x, name: str, complex_ok: bool) -> np.ndarray:
    a = np.asarray(x)
    kind = a.dtype.kind
    if kind in "biuf":
        return a
    if kind == "c":
        if complex_ok:
            return a
        raise TypeError(
            f"{name} must be real for a real-input transform, got {a.dtype}; "
            "use edgeaudio.fft.fft for complex input"
        )
    raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")


def _length(a: np.ndarray, axis: int, n) -> int:
    """The transform length: ``n`` if given, else the input's length along ``axis``."""
    n = a.shape[axis] if n is None else _as_length(n, "n")
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    _check_size(n)
    return n


def _fit_length(a: np.ndarray, axis: int, n: int) -> np.ndarray:
    """Crops or zero-pads ``a`` along ``axis`` to length ``n`` (numpy semantics)."""
    have = a.shape[axis]
    if have == n:
        return a
    if have > n:
        return a[(slice(None),) * axis + (slice(0, n),)]
    shape = list(a.shape)
    shape[axis] = n
    pad = np.zeros(shape, dtype=a.dtype)
    pad[(slice(None),) * axis + (slice(0, have),)] = a
    return pad


def _norm_axis(axis, ndim: int) -> int:
    if ndim == 0:
        raise ValueError("FFT input must have at least one dimension, got a scalar")
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array of dimension {ndim}")
    return axis % ndim


def _run(a: np.ndarray, axis: int, call, out_len: int) -> np.ndarray:
    """Applies ``call`` to the rows of ``a`` along ``axis`` (already sized)."""
    last = axis == a.ndim - 1
    if not last:
        a = np.moveaxis(a, axis, -1)
    lead = a.shape[:-1]
    out = call(np.ascontiguousarray(a).reshape(math.prod(lead), a.shape[-1]))
    out = out.reshape(lead + (out_len,))
    return out if last else np.moveaxis(out, -1, axis)


def rfft(x, n: Optional[int] = None, axis: int = -1, norm: Optional[str] = None) -> np.ndarray:
    """Real-input FFT, like :func:`numpy.fft.rfft`, in float32.

    Parameters
    ----------
    x : array_like, real (bool, integer or float)
        Input, any shape; transformed along ``axis``.
    n : int, optional
        Transform length; the input is cropped or zero-padded to it.
        Default: the length of ``x`` along ``axis``.
    axis : int
        Axis to transform. Default: the last.
    norm : {"backward", "ortho", "forward"}, optional
        Scaling, as in numpy. Default "backward" (no scaling forward).

    Returns
    -------
    numpy.ndarray, complex64
        ``n // 2 + 1`` bins along ``axis``.

    Raises
    ------
    TypeError
        Complex, object or string input.
    ValueError
        ``n`` < 1, a length with prime factors other than 2, 3, 5, or a bad ``norm``.
    """
    a = _as_array(x, "x", complex_ok=False)
    _check_norm(norm)
    axis = _norm_axis(axis, a.ndim)
    n = _length(a, axis, n)
    a = _fit_length(a.astype(np.float32, copy=False), axis, n)
    scale = _scale(n, norm, inverse=False)
    return _run(a, axis, lambda r: _core.rfft_rows(r, scale), n // 2 + 1)


def irfft(x, n: Optional[int] = None, axis: int = -1, norm: Optional[str] = None) -> np.ndarray:
    """Inverse of :func:`rfft`, like :func:`numpy.fft.irfft`, in float32.

    Parameters
    ----------
    x : array_like, complex (real input is taken as complex)
        Half spectrum along ``axis``.
    n : int, optional
        Output length. Default ``2 * (m - 1)`` for ``m`` input bins. Only the
        first ``n // 2 + 1`` bins are used (zero-padded if fewer); the
        imaginary parts of bin 0 and, for even ``n``, bin ``n // 2`` are
        ignored, as numpy does.
    axis, norm
        As in :func:`rfft`; "backward" scales the inverse by ``1 / n``.

    Returns
    -------
    numpy.ndarray, float32
        ``n`` samples along ``axis``.
    """
    a = _as_array(x, "x", complex_ok=True)
    _check_norm(norm)
    axis = _norm_axis(axis, a.ndim)
    m = a.shape[axis]
    if n is None:
        n = 2 * (m - 1)
        if n < 1:
            raise ValueError(f"Invalid number of data points ({n}) specified: irfft needs at least 2 bins when n is not given")
    else:
        n = _as_length(n, "n")
    _check_size(n)
    bins = n // 2 + 1
    a = _fit_length(a.astype(np.complex64, copy=False), axis, bins)
    scale = _scale(n, norm, inverse=True)
    return _run(a, axis, lambda r: _core.irfft_rows(r, n, scale), n)


def _complex(x, n, axis, norm, inverse: bool) -> np.ndarray:
    a = _as_array(x, "x", complex_ok=True)
    _check_norm(norm)
    axis = _norm_axis(axis, a.ndim)
    n = _length(a, axis, n)
    a = _fit_length(a.astype(np.complex64, copy=False), axis, n)
    scale = _scale(n, norm, inverse=inverse)
    return _run(a, axis, lambda r: _core.fft_rows(r, inverse, scale), n)


def fft(x, n: Optional[int] = None, axis: int = -1, norm: Optional[str] = None) -> np.ndarray:
    """Complex FFT, like :func:`numpy.fft.fft`, in single precision (complex64 out).

    Parameters are those of :func:`rfft`; real input is taken as complex.
    """
    return _complex(x, n, axis, norm, inverse=False)


def ifft(x, n: Optional[int] = None, axis: int = -1, norm: Optional[str] = None) -> np.ndarray:
    """Inverse complex FFT, like :func:`numpy.fft.ifft` ("backward": scaled by 1/n)."""
    return _complex(x, n, axis, norm, inverse=True)
