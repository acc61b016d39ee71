"""Speech enhancement: noise suppression and biquad / SOS filtering.

:class:`NoiseSuppressor` is a streaming single-channel suppressor: an STFT
(sqrt-Hann, 50 % overlap), noise power tracked by MCRA (minima-controlled
recursive averaging), a decision-directed Wiener gain or power spectral
subtraction, never attenuating more than ``attenuation_limit_db``.

:func:`biquad` designs one RBJ-cookbook section and :func:`dc_blocker` a
DC-removal high-pass, both as scipy-layout SOS arrays (``(1, 6)``, rows
``[b0, b1, b2, a0, a1, a2]``) that stack with ``numpy.vstack`` and work with
``scipy.signal.sosfilt`` / ``sosfreqz``. :class:`SosFilter` runs any such
cascade in streaming form; :func:`sosfilt` is its one-shot form with scipy's
semantics (zero initial state) on float32 signals.

Examples
--------
>>> import numpy as np
>>> from edgeaudio import enhance
>>> sos = np.vstack([enhance.dc_blocker(16000), enhance.biquad("lowpass", 16000, 4000.0)])
>>> x = np.random.default_rng(0).standard_normal(1600).astype(np.float32)
>>> import scipy.signal
>>> bool(np.max(np.abs(enhance.sosfilt(sos, x) - scipy.signal.sosfilt(sos, x))) < 1e-5)
True
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import _core
from . import _validate as _v

__all__ = ["NoiseSuppressor", "SosFilter", "biquad", "dc_blocker", "sosfilt", "BIQUAD_TYPES"]

BIQUAD_TYPES = ("lowpass", "highpass", "bandpass", "notch", "peaking", "lowshelf", "highshelf")
_METHODS = ("wiener", "spectral_subtraction")


def biquad(kind: str, sample_rate: float, freq_hz: float, q: float = 1 / np.sqrt(2),
           gain_db: float = 0.0) -> np.ndarray:
    """One RBJ "Audio EQ Cookbook" biquad as a scipy SOS array of shape (1, 6).

    Parameters
    ----------
    kind : {"lowpass", "highpass", "bandpass", "notch", "peaking", "lowshelf", "highshelf"}
        The cookbook filter; "bandpass" has 0 dB peak gain.
    sample_rate : float
        Hz.
    freq_hz : float
        Cutoff, centre or shelf midpoint, strictly between 0 and sample_rate / 2.
    q : float
        Quality factor (> 0). The default 1/sqrt(2) gives a Butterworth
        low/high-pass (identical to ``scipy.signal.butter(2, ...)``) and the
        cookbook's shelf slope S = 1.
    gain_db : float
        Peaking and shelving gain (|gain_db| <= 60); ignored by the others.

    Returns
    -------
    numpy.ndarray, float64, shape (1, 6)
        ``[[b0, b1, b2, 1, a1, a2]]``.

    Raises
    ------
    ValueError
        Unknown ``kind`` or a parameter out of range (named in the message).
    """
    if not isinstance(kind, str) or kind not in BIQUAD_TYPES:
        raise ValueError(f"kind must be one of {BIQUAD_TYPES}, got {kind!r}")
    fs = _v.number(sample_rate, "sample_rate")
    try:
        s = _core.biquad_design(kind, fs, _v.number(freq_hz, "freq_hz"), _v.number(q, "q"),
                                _v.number(gain_db, "gain_db"))
    except ValueError as e:
        raise ValueError(str(e).replace("BiquadDesign.", "").replace("sample_rate_hz", "sample_rate")) from None
    return np.asarray(s, dtype=np.float64).reshape(1, 6)


def dc_blocker(sample_rate: float, cutoff_hz: float = 40.0) -> np.ndarray:
    """DC-removal high-pass: a 2nd-order Butterworth high-pass at ``cutoff_hz``, as SOS (1, 6)."""
    return biquad("highpass", sample_rate, cutoff_hz)


def _sos(sos) -> np.ndarray:
    a = np.asarray(sos)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"sos must be a real numeric array, got dtype {a.dtype}")
    if a.ndim == 1 and a.shape[0] == 6:
        a = a.reshape(1, 6)
    if a.ndim != 2 or a.shape[1] != 6 or a.shape[0] < 1:
        raise ValueError(f"sos must have shape (n_sections, 6), got {a.shape}")
    a = np.ascontiguousarray(a, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError("sos contains NaN or infinity")
    if np.any(a[:, 3] == 0):
        raise ValueError("sos: a0 (column 3) must be non-zero in every section")
    return a


class SosFilter:
    """Streaming cascade of second-order sections (scipy's SOS layout).

    Transposed direct form II in double precision, float32 in and out; the
    output for any split of the input equals :func:`scipy.signal.sosfilt` on
    the whole signal (to ~1e-6). Recursive filters are sequential, so the same
    scalar code runs on every SIMD path.

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
        Rows ``[b0, b1, b2, a0, a1, a2]``; each row is normalised by its a0.
    """

    def __init__(self, sos) -> None:
        self.sos = _sos(sos)
        self._f = _core.SosFilter(self.sos)

    def process(self, x) -> np.ndarray:
        """Filter the next block; returns float32 of the same length."""
        return self._f.process(_v.signal(x, "x"))

    def reset(self) -> None:
        """Zero the filter state."""
        self._f.reset()


def sosfilt(sos, x) -> np.ndarray:
    """:func:`scipy.signal.sosfilt` on a 1-D signal, float32 out, zero initial state."""
    return SosFilter(sos).process(x)


class NoiseSuppressor:
    """Streaming noise suppressor (MCRA noise tracking, Wiener or spectral subtraction).

    Parameters
    ----------
    sample_rate : int
        8000 .. 96000 Hz.
    frame : int, optional
        Hop in samples (the STFT uses ``2 * frame``, which must have prime
        factors 2, 3, 5 only); default 16 ms. The latency is ``2 * frame``.
    attenuation_limit_db : float
        The most any bin is attenuated, 0 .. 80 dB. Default 20.
    method : {"wiener", "spectral_subtraction"}
        Decision-directed Wiener gain (default) or power spectral subtraction.
    dd_smoothing : float
        Decision-directed weight of the previous frame's estimate (0 .. 0.999). Default 0.9
        (0.98, the textbook value, has less musical noise but smears onsets).
    over_subtraction : float
        Noise multiplier for spectral subtraction (0.5 .. 4). Default 1.5.
    noise_window_ms : float
        MCRA minimum-search window (200 .. 10000 ms). Default 1500.
    """

    def __init__(self, sample_rate: int, frame: Optional[int] = None, attenuation_limit_db: float = 20.0, *,
                 method: str = "wiener", dd_smoothing: float = 0.9, over_subtraction: float = 1.5,
                 noise_window_ms: float = 1500.0) -> None:
        fs = _v.integer(sample_rate, "sample_rate", 8000, 96000)
        fr = 0 if frame is None else _v.integer(frame, "frame", 16, fs // 10)
        if method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
        try:
            self._ns = _core.NoiseSuppressor(
                fs, fr, _v.number(attenuation_limit_db, "attenuation_limit_db"), method,
                _v.number(dd_smoothing, "dd_smoothing"), _v.number(over_subtraction, "over_subtraction"),
                _v.number(noise_window_ms, "noise_window_ms"))
        except ValueError as e:
            raise ValueError(str(e).replace("NoiseSuppressorConfig.", "").replace("sample_rate_hz", "sample_rate")) from None
        self.sample_rate = fs

    def process(self, x) -> np.ndarray:
        """Suppress noise in the next block; float32 out, ``latency`` samples behind."""
        return self._ns.process(_v.signal(x, "x"))

    def reset(self) -> None:
        self._ns.reset()

    @property
    def frame(self) -> int:
        return int(self._ns.frame)

    @property
    def latency(self) -> int:
        """Output delay in samples (``2 * frame``)."""
        return int(self._ns.latency)

    @property
    def noise_psd(self) -> np.ndarray:
        """Current noise power per STFT bin (``frame + 1`` values)."""
        return self._ns.noise_psd()

    @property
    def gains(self) -> np.ndarray:
        """The per-bin gains applied to the last frame."""
        return self._ns.gains()
