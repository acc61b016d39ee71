"""Wavelet transforms on the C++ core: DWT with PyWavelets' conventions,
wavelet denoising, and a complex Morlet scalogram.

The discrete transforms (:func:`dwt`, :func:`idwt`, :func:`wavedec`,
:func:`waverec`) use the filter banks, extension modes and output lengths of
PyWavelets, so coefficients can be compared one for one with
``pywt.wavedec(x, wavelet, mode=mode, level=level)``. The wavelets are Haar,
Daubechies ``db1``-``db10`` and symlets ``sym2``-``sym10``
(:func:`wavelist`); the modes are those of ``pywt.Modes``: "zero",
"constant", "symmetric", "reflect", "periodic", "smooth", "antisymmetric",
"antireflect" and "periodization".

Precision: float64 input is transformed in double precision (coefficients
equal PyWavelets' to about 1e-14, reconstruction error below 1e-10);
float32 input in single precision (relative error about 1e-6, like
PyWavelets' own float32 path); integer and bool input is taken as float64.
Complex input is transformed as its real and imaginary parts.

Transforms run along ``axis`` (default the last) of arrays of any shape, with
the GIL released; every other axis is a batch axis.

One deliberate difference from PyWavelets: a ``level`` above
:func:`dwt_max_level` raises ``ValueError`` (PyWavelets only warns), since
every coefficient of such a level would be a boundary effect.

Examples
--------
>>> import numpy as np
>>> from edgeaudio import wavelet
>>> x = np.arange(8.0)
>>> cA, cD = wavelet.dwt(x, "haar")
>>> np.round(cA, 4).tolist()
[0.7071, 3.5355, 6.364, 9.1924]
>>> coeffs = wavelet.wavedec(x, "db2", level=1)
>>> [c.shape for c in coeffs]
[(5,), (5,)]
>>> bool(np.allclose(wavelet.waverec(coeffs, "db2"), x))
True
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core

__all__ = [
    "wavelist",
    "modes",
    "filter_bank",
    "dwt_max_level",
    "dwt_coeff_len",
    "dwt",
    "idwt",
    "wavedec",
    "waverec",
    "denoise",
    "cwt",
    "cwt_frequencies",
]

MODES: Tuple[str, ...] = tuple(_core.wavelet_modes())
WAVELETS: Tuple[str, ...] = tuple(_core.wavelet_names())


def wavelist() -> List[str]:
    """Names of the built-in wavelets: "haar", "db1".."db10", "sym2".."sym10"."""
    return list(WAVELETS)


def modes() -> List[str]:
    """Names of the signal extension modes (as ``pywt.Modes.modes``)."""
    return list(MODES)


def _wavelet_name(wavelet) -> str:
    # a pywt.Wavelet (or anything with a .name) is accepted by name
    name = getattr(wavelet, "name", wavelet)
    if not isinstance(name, str):
        raise TypeError(f"wavelet must be a wavelet name such as 'db4', got {type(wavelet).__name__}")
    if name not in WAVELETS:
        raise ValueError(f"unknown wavelet {name!r}; known wavelets: {', '.join(WAVELETS)}")
    return name


def _mode_name(mode, arg: str = "mode") -> str:
    if not isinstance(mode, str):
        raise TypeError(f"{arg} must be a string, got {type(mode).__name__}")
    if mode not in MODES:
        raise ValueError(f"unknown {arg} {mode!r}; known modes: {', '.join(MODES)}")
    return mode


def _filter_length(wavelet) -> int:
    if isinstance(wavelet, (int, np.integer)) and not isinstance(wavelet, (bool, np.bool_)):
        return int(wavelet)
    return len(_core.wavelet_filter_bank(_wavelet_name(wavelet))[0])


def filter_bank(wavelet) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four filters ``(dec_lo, dec_hi, rec_lo, rec_hi)`` of a wavelet.

    Same order and orientation as ``pywt.Wavelet(name).filter_bank``.

    >>> [np.round(f, 4).tolist() for f in filter_bank("haar")]
    [[0.7071, 0.7071], [-0.7071, 0.7071], [0.7071, 0.7071], [0.7071, -0.7071]]
    """
    return tuple(np.asarray(f, dtype=np.float64) for f in _core.wavelet_filter_bank(_wavelet_name(wavelet)))


def dwt_max_level(data_len: int, filter_len) -> int:
    """The deepest useful decomposition level, as ``pywt.dwt_max_level``.

    Parameters
    ----------
    data_len : int
        Signal length in samples.
    filter_len : int or str
        Filter length, or a wavelet name.

    Returns
    -------
    int
        The largest ``L`` with ``(filter_len - 1) * 2**L <= data_len``; 0 when
        the signal is shorter than the filter.

    >>> dwt_max_level(1000, "db4")
    7
    """
    n = _as_count(data_len, "data_len", minimum=0)
    return int(_core.dwt_max_level(n, _filter_length(filter_len)))


def dwt_coeff_len(data_len: int, filter_len, mode: str = "symmetric") -> int:
    """Coefficients per band of a single-level DWT, as ``pywt.dwt_coeff_len``.

    ``floor((data_len + filter_len - 1) / 2)``, or ``ceil(data_len / 2)`` for
    "periodization".
    """
    n = _as_count(data_len, "data_len", minimum=1)
    return int(_core.dwt_coeff_len(n, _filter_length(filter_len), _mode_name(mode)))


def _as_count(v, name: str, minimum: int) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if int(v) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {int(v)}")
    return int(v)


def _as_signal(x, name: str, allow_complex: bool = True) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    elif a.dtype.kind == "c":
        if not allow_complex:
            raise TypeError(f"{name} must be real, got {a.dtype}")
    elif a.dtype.kind != "f":
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    elif a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)  # float16, longdouble
    if a.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def _to_rows(a: np.ndarray, axis: int, name: str) -> Tuple[np.ndarray, Tuple[int, ...]]:
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis} is out of bounds for {name} of dimension {a.ndim}")
    a = np.moveaxis(a, axis, -1)
    if a.shape[-1] == 0:
        raise ValueError(f"{name} is empty along axis {axis}")
    lead = a.shape[:-1]
    rows = int(np.prod(lead, dtype=np.int64)) if lead else 1
    return np.ascontiguousarray(a).reshape(rows, a.shape[-1]), lead


def _from_rows(r: np.ndarray, lead: Tuple[int, ...], axis: int) -> np.ndarray:
    return np.moveaxis(r.reshape(lead + r.shape[1:]), -1, axis)


def _real_parts(a: np.ndarray):
    """Complex input runs as its real and imaginary parts."""
    if a.dtype.kind == "c":
        real = np.float32 if a.dtype == np.complex64 else np.float64
        return [a.real.astype(real), a.imag.astype(real)], True
    return [a], False


def dwt(x, wavelet, mode: str = "symmetric", axis: int = -1) -> Tuple[np.ndarray, np.ndarray]:
    """Single-level discrete wavelet transform, as ``pywt.dwt``.

    Parameters
    ----------
    x : array_like
        Signal; transformed along ``axis``, other axes are batch axes.
    wavelet : str
        Wavelet name (:func:`wavelist`), or a ``pywt.Wavelet`` of that name.
    mode : str
        Signal extension mode (:func:`modes`). Default "symmetric".
    axis : int
        Axis to transform. Default the last.

    Returns
    -------
    cA, cD : numpy.ndarray
        Approximation and detail coefficients, :func:`dwt_coeff_len` of them
        along ``axis``; float32 for float32 (complex64) input, else float64.

    Raises
    ------
    ValueError
        Empty or non-finite ``x``, unknown wavelet or mode, a single sample in
        "reflect" or "antireflect" mode.
    TypeError
        Non-numeric ``x`` or a wavelet that is not a name.
    """
    a = _as_signal(x, "x")
    name, mode = _wavelet_name(wavelet), _mode_name(mode)
    parts, is_complex = _real_parts(a)
    outs = []
    for p in parts:
        rows, lead = _to_rows(p, axis, "x")
        ca, cd = _core.dwt_rows(rows, name, mode)
        outs.append((_from_rows(ca, lead, axis), _from_rows(cd, lead, axis)))
    if is_complex:
        return outs[0][0] + 1j * outs[1][0], outs[0][1] + 1j * outs[1][1]
    return outs[0]


def idwt(cA, cD, wavelet, mode: str = "symmetric", axis: int = -1) -> np.ndarray:
    """Single-level inverse discrete wavelet transform, as ``pywt.idwt``.

    Parameters
    ----------
    cA, cD : array_like or None
        Approximation and detail coefficients of the same shape; either may
        be None (taken as zeros).
    wavelet, mode, axis
        As in :func:`dwt`.

    Returns
    -------
    numpy.ndarray
        ``2 * nc - filter_len + 2`` samples along ``axis`` for ``nc``
        coefficients (``2 * nc`` for "periodization").

    Raises
    ------
    ValueError
        Both inputs None, shapes that differ, too few coefficients for the
        filter, non-finite values.
    """
    if cA is None and cD is None:
        raise ValueError("idwt: at least one of cA and cD must be given")
    name, mode = _wavelet_name(wavelet), _mode_name(mode)
    a = None if cA is None else _as_signal(cA, "cA")
    d = None if cD is None else _as_signal(cD, "cD")
    if a is not None and d is not None:
        if a.shape != d.shape:
            raise ValueError(f"idwt: cA and cD must have the same shape, got {a.shape} and {d.shape}")
        common = np.result_type(a, d)
        a, d = a.astype(common, copy=False), d.astype(common, copy=False)
    ref = a if a is not None else d
    if ref.dtype.kind == "c":
        def part(v, f):
            return None if v is None else f(v)
        re = idwt(part(a, np.real), part(d, np.real), name, mode, axis)
        im = idwt(part(a, np.imag), part(d, np.imag), name, mode, axis)
        return re + 1j * im
    ra, lead = (None, None) if a is None else _to_rows(a, axis, "cA")
    rd, lead_d = (None, None) if d is None else _to_rows(d, axis, "cD")
    out = _core.idwt_rows(ra, rd, name, mode)
    return _from_rows(out, lead if lead is not None else lead_d, axis)


def _level(level, n: int, flen: int) -> int:
    if level is None:
        return int(_core.dwt_max_level(n, flen))
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, np.integer)):
        raise TypeError(f"level must be an integer or None, got {type(level).__name__}")
    level = int(level)
    if level < 0:
        raise ValueError(f"level must be >= 0, got {level}")
    max_level = int(_core.dwt_max_level(n, flen))
    if level > max_level:
        raise ValueError(
            f"level {level} is too high for a signal of {n} samples and a filter of length {flen}: "
            f"the maximum is {max_level} (dwt_max_level); use a longer signal or a lower level"
        )
    return level


def wavedec(x, wavelet, level: Optional[int] = None, mode: str = "symmetric", axis: int = -1) -> List[np.ndarray]:
    """Multi-level discrete wavelet decomposition, as ``pywt.wavedec``.

    Parameters
    ----------
    x : array_like
        Signal; decomposed along ``axis``, other axes are batch axes.
    wavelet : str
        Wavelet name (:func:`wavelist`).
    level : int, optional
        Decomposition depth, 0 to :func:`dwt_max_level`. Default the maximum.
    mode : str
        Signal extension mode. Default "symmetric".
    axis : int
        Axis to decompose. Default the last.

    Returns
    -------
    list of numpy.ndarray
        ``[cA_level, cD_level, ..., cD_1]``.

    Raises
    ------
    ValueError
        ``level`` above :func:`dwt_max_level` for this length (PyWavelets
        only warns), negative ``level``, empty or non-finite ``x``, unknown
        wavelet or mode.

    Examples
    --------
    >>> c = wavedec(np.ones(100), "db4", level=3)
    >>> [len(b) for b in c]
    [18, 18, 30, 53]
    """
    a = _as_signal(x, "x")
    name, mode = _wavelet_name(wavelet), _mode_name(mode)
    parts, is_complex = _real_parts(a)
    results = []
    for p in parts:
        rows, lead = _to_rows(p, axis, "x")
        lev = _level(level, rows.shape[1], _filter_length(name))
        flat, lengths = _core.wavedec_rows(rows, name, mode, lev)
        bands, start = [], 0
        for length in lengths:
            bands.append(_from_rows(flat[:, start:start + length], lead, axis))
            start += length
        results.append(bands)
    if is_complex:
        return [r + 1j * i for r, i in zip(results[0], results[1])]
    return results[0]


def waverec(coeffs: Sequence, wavelet, mode: str = "symmetric", axis: int = -1) -> np.ndarray:
    """Multi-level reconstruction, the inverse of :func:`wavedec` (as ``pywt.waverec``).

    Parameters
    ----------
    coeffs : sequence of array_like
        ``[cA_n, cD_n, ..., cD_1]``; all bands share their batch axes. An
        approximation one longer than the detail band it meets is trimmed,
        as in PyWavelets.
    wavelet, mode, axis
        As in :func:`wavedec`.

    Returns
    -------
    numpy.ndarray
        The signal; as in PyWavelets it may be one sample longer than the
        original (odd lengths).

    Raises
    ------
    ValueError
        No bands, band lengths that do not fit together, batch shapes that
        differ, non-finite values.
    """
    if not isinstance(coeffs, (list, tuple)) or len(coeffs) == 0:
        raise ValueError("coeffs must be a non-empty list [cA_n, cD_n, ..., cD_1]")
    name, mode = _wavelet_name(wavelet), _mode_name(mode)
    bands = [_as_signal(c, f"coeffs[{i}]") for i, c in enumerate(coeffs)]
    common = np.result_type(*bands)
    if common.kind == "c":
        re = waverec([np.real(b) for b in bands], name, mode, axis)
        im = waverec([np.imag(b) for b in bands], name, mode, axis)
        return re + 1j * im
    rows_list, lead0 = [], None
    for i, b in enumerate(bands):
        rows, lead = _to_rows(b.astype(common, copy=False), axis, f"coeffs[{i}]")
        if lead0 is None:
            lead0 = lead
        elif lead != lead0:
            raise ValueError(
                f"coeffs[{i}] has batch shape {lead}, coeffs[0] has {lead0}: all bands must share them"
            )
        rows_list.append(rows)
    lengths = [r.shape[1] for r in rows_list]
    flat = np.ascontiguousarray(np.concatenate(rows_list, axis=1))
    out = _core.waverec_rows(flat, lengths, name, mode)
    return _from_rows(out, lead0, axis)


def denoise(
    x,
    wavelet,
    level: Optional[int] = None,
    rule: str = "universal",
    mode: str = "soft",
    extension: str = "symmetric",
    axis: int = -1,
    return_sigma: bool = False,
):
    """Wavelet shrinkage denoising (VisuShrink or BayesShrink).

    The signal is decomposed to ``level``, the noise standard deviation is
    estimated from the finest detail band as ``median(|cD_1|) / 0.6745``,
    every detail band is thresholded (the approximation is kept), and the
    signal is reconstructed to its original length. The rules are those of
    scikit-image's ``denoise_wavelet``:

    * "universal": one threshold ``sigma * sqrt(2 ln n)`` for every band
      (``n`` the signal length);
    * "bayes": per band ``sigma**2 / sqrt(max(mean(cD**2) - sigma**2, eps))``.

    Parameters
    ----------
    x : array_like
        Noisy signal; denoised along ``axis``, other axes are batch axes.
    wavelet : str
        Wavelet name, e.g. "db4" or "sym8".
    level : int, optional
        Decomposition depth, 1 to :func:`dwt_max_level`. Default the maximum.
    rule : {"universal", "bayes"}
        Threshold rule.
    mode : {"soft", "hard"}
        Soft thresholding shrinks coefficients towards zero by the threshold,
        hard thresholding zeroes those below it (as ``pywt.threshold``).
    extension : str
        Signal extension mode of the transform. Default "symmetric".
    axis : int
        Axis to denoise. Default the last.
    return_sigma : bool
        Also return the noise estimate (one per batch row).

    Returns
    -------
    numpy.ndarray
        Denoised signal, same shape and float dtype as ``x``.
    numpy.ndarray, float64
        Only if ``return_sigma``: the noise sigma estimates, batch shape.

    Raises
    ------
    ValueError
        Unknown ``rule`` or ``mode``, ``level`` < 1 or too high for the length
        (a signal too short for a level-1 decomposition), empty or non-finite
        input.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 2048)
    >>> clean = np.sin(2 * np.pi * 4 * t)
    >>> noisy = clean + 0.2 * rng.standard_normal(t.size)
    >>> y = denoise(noisy, "sym8", level=5, rule="bayes")
    >>> bool(np.std(y - clean) < 0.5 * np.std(noisy - clean))
    True
    """
    if rule not in ("universal", "bayes"):
        raise ValueError(f"unknown rule {rule!r}; expected 'universal' or 'bayes'")
    if mode not in ("soft", "hard"):
        raise ValueError(f"unknown mode {mode!r}; expected 'soft' or 'hard' (the extension mode is `extension`)")
    a = _as_signal(x, "x", allow_complex=False)
    name, ext = _wavelet_name(wavelet), _mode_name(extension, "extension")
    rows, lead = _to_rows(a, axis, "x")
    flen = _filter_length(name)
    lev = _level(level, rows.shape[1], flen)
    if lev < 1:
        raise ValueError(
            f"x of {rows.shape[1]} samples is too short to denoise with {name}: "
            f"a level-1 decomposition needs at least {flen - 1} samples"
        )
    out, sigma = _core.denoise_rows(rows, name, ext, lev, rule, mode)
    y = _from_rows(out, lead, axis)
    if return_sigma:
        return y, sigma.reshape(lead)
    return y


def cwt_frequencies(scales, sample_rate: float, w0: float = 6.0) -> np.ndarray:
    """Centre frequencies in Hz of Morlet scales (in samples): ``w0 * sr / (2 pi s)``."""
    return w0 * float(sample_rate) / (2.0 * math.pi * np.asarray(scales, dtype=np.float64))


def cwt(
    x,
    freqs=None,
    sample_rate: Optional[float] = None,
    *,
    scales=None,
    w0: float = 6.0,
    axis: int = -1,
) -> np.ndarray:
    """Complex Morlet continuous wavelet transform (scalogram), by FFT convolution.

    The wavelet at scale ``s`` samples is
    ``psi(m) = (exp(i w0 m/s) - exp(-w0**2/2)) exp(-m**2 / (2 s**2)) / (sqrt(2 pi) s)``
    (zero-mean, unit L1 norm of the envelope), truncated at ``|m| <= 6 s``.
    Its centre frequency is ``w0 / (2 pi s)`` cycles per sample, so a tone
    of amplitude ``A`` at a requested frequency gives ``|W|`` close to
    ``A / 2``. The output at sample ``t`` is centred on ``t`` (no delay);
    the signal is taken as zero outside its ends.

    Parameters
    ----------
    x : array_like, real
        Signal; analysed along ``axis``, other axes are batch axes.
    freqs : array_like, optional
        Analysis frequencies in Hz (needs ``sample_rate``), each in
        ``(0, sample_rate / 2]``.
    sample_rate : float, optional
        Sample rate of ``x`` in Hz.
    scales : array_like, optional
        Scales in samples instead of ``freqs`` (exactly one of the two).
    w0 : float
        Morlet centre angular frequency (cycles per envelope width). Default 6.
    axis : int
        Time axis of ``x``. Default the last.

    Returns
    -------
    numpy.ndarray, complex64
        Shape ``batch + (n_scales, n_samples)``: the time axis is last and
        the scale axis just before it. ``np.abs(W)`` is the scalogram.

    Raises
    ------
    ValueError
        Neither or both of ``freqs`` and ``scales``, ``freqs`` without
        ``sample_rate``, frequencies outside ``(0, sample_rate/2]``,
        non-positive scales or ``w0``, empty or non-finite ``x``.

    Examples
    --------
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> W = cwt(np.sin(2 * np.pi * 440 * t), [220, 440, 880], sample_rate=sr)
    >>> W.shape, [round(float(v), 2) for v in np.abs(W[:, sr // 2])]
    ((3, 8000), [0.0, 0.5, 0.01])
    """
    if (freqs is None) == (scales is None):
        raise ValueError("give exactly one of freqs (Hz, with sample_rate) and scales (samples)")
    if not (isinstance(w0, (int, float, np.floating, np.integer)) and math.isfinite(w0) and w0 > 0):
        raise ValueError(f"w0 must be a positive number, got {w0!r}")
    if freqs is not None:
        if sample_rate is None:
            raise ValueError("sample_rate is needed to turn freqs (Hz) into scales")
        sr = float(sample_rate)
        if not (math.isfinite(sr) and sr > 0):
            raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate!r}")
        f = np.atleast_1d(np.asarray(freqs, dtype=np.float64))
        if f.ndim != 1 or f.size == 0:
            raise ValueError("freqs must be a non-empty 1-D sequence of Hz")
        if not np.all(np.isfinite(f)) or np.any(f <= 0) or np.any(f > sr / 2):
            raise ValueError(f"freqs must lie in (0, sample_rate / 2] = (0, {sr / 2:g}] Hz")
        s = w0 * sr / (2.0 * math.pi * f)
    else:
        s = np.atleast_1d(np.asarray(scales, dtype=np.float64))
        if s.ndim != 1 or s.size == 0:
            raise ValueError("scales must be a non-empty 1-D sequence of samples")
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError("scales must be positive numbers of samples")
    a = _as_signal(x, "x", allow_complex=False)
    rows, lead = _to_rows(a, axis, "x")
    out = _core.cwt_rows(rows.astype(np.float32, copy=False), np.ascontiguousarray(s), float(w0))
    return out.reshape(lead + out.shape[1:])
