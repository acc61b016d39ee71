"""Acoustic echo cancellation: remove the loudspeaker's own playback from the mic.

:class:`EchoCanceller` is the full canceller for a smart speaker: it finds the
bulk delay between the playback reference and the mic (GCC-PHAT), cancels the
echo with a partitioned-block frequency-domain adaptive filter covering
``tail_ms`` of room response, holds its adaptation while a near-end talker is
detected (coherence double-talk detector, with a shadow filter that takes over
after an echo-path change), and removes the residual echo with a post-filter.
:class:`NlmsFilter` is a plain time-domain NLMS for short echo paths, and
:class:`DelayEstimator` the delay finder on its own.

All are streaming: ``process`` takes blocks of any length and the output does
not depend on how a signal is split into blocks. Signals are 1-D float32
(other real dtypes are cast), nominally in [-1, 1], with the GIL released
while the C++ core runs. An object must not be used from two threads at once.

Examples
--------
>>> import numpy as np
>>> from edgeaudio.aec import EchoCanceller
>>> fs = 16000
>>> rng = np.random.default_rng(0)
>>> ref = (0.1 * rng.standard_normal(4 * fs)).astype(np.float32)
>>> mic = np.convolve(ref, [0.0] * 40 + [0.8, 0.3, -0.2])[: 4 * fs].astype(np.float32)
>>> ec = EchoCanceller(fs)
>>> out = ec.process(mic, ref)
>>> out.shape, ec.latency
((64000,), 320)
>>> bool(ec.erle_db > 20)
True
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from . import _core
from . import _validate as _v

__all__ = ["EchoCanceller", "NlmsFilter", "DelayEstimator", "estimate_delay"]

_RATES = (8000, 16000, 32000, 48000)


def _pair(mic, ref):
    m = _v.signal(mic, "mic")
    r = _v.signal(ref, "ref")
    if m.shape[0] != r.shape[0]:
        raise ValueError(
            f"mic and ref must have the same length, got {m.shape[0]} and {r.shape[0]} samples"
        )
    return m, r


class EchoCanceller:
    """Streaming acoustic echo canceller.

    Parameters
    ----------
    sample_rate : int
        8000, 16000, 32000 or 48000 Hz.
    frame : int, optional
        Block (hop) in samples; default 10 ms. ``2 * frame`` must have prime
        factors 2, 3 and 5 only. The latency is ``2 * frame``.
    tail_ms : float
        Echo path length the adaptive filter covers, after the bulk delay
        (1 .. 2000 ms). Default 256.
    delay_estimation : bool
        Align the reference by GCC-PHAT first, so it may arrive up to
        ``max_delay_ms`` before its echo. Default True.
    max_delay_ms : float
        Largest reference-to-mic delay searched (0 .. 1000 ms). Default 250.
    step_size : float
        Normalised step of the adaptive filters, 0 < step_size <= 1. Default 1.
    suppressor_strength : float
        Residual echo suppressor: each bin gets the Wiener gain
        ``xi / (1 + xi)`` (floored), ``xi`` the decision-directed ratio of
        signal to ``strength * residual`` (for a steady bin the gain is
        ``1 - strength * residual / error``), where ``residual`` is the linear
        filter's residual echo power, estimated as the error to echo-estimate
        power ratio measured in single talk times the echo estimate's power.
        0 turns the suppressor off (output = linear filter output), 1 takes
        the estimate as measured (default), 2 over-estimates by 3 dB. 0 .. 4.
    suppressor_floor_db : float
        Lowest suppressor gain, -80 .. 0 dB. Default -40.
    divergence_guard_db : float
        An output block louder than its mic block by more than this is
        replaced by the mic block, and a filter whose error exceeds the mic is
        reset (0 .. 40 dB). Default 6.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range (the message names it).

    See Also
    --------
    NlmsFilter : time-domain NLMS for short echo paths.
    edgeaudio.enhance.NoiseSuppressor : the next stage of the chain.
    """

    def __init__(
        self,
        sample_rate: int,
        frame: Optional[int] = None,
        tail_ms: float = 256.0,
        *,
        delay_estimation: bool = True,
        max_delay_ms: float = 250.0,
        step_size: float = 1.0,
        suppressor_strength: float = 1.0,
        suppressor_floor_db: float = -40.0,
        divergence_guard_db: float = 6.0,
    ) -> None:
        fs = _v.integer(sample_rate, "sample_rate", 1, 10**6)
        if fs not in _RATES:
            raise ValueError(f"sample_rate must be one of {_RATES} Hz, got {fs}")
        fr = 0 if frame is None else _v.integer(frame, "frame", 16, fs // 10)
        args = dict(
            tail_ms=_v.number(tail_ms, "tail_ms"),
            max_delay_ms=_v.number(max_delay_ms, "max_delay_ms"),
            step_size=_v.number(step_size, "step_size"),
            suppressor_strength=_v.number(suppressor_strength, "suppressor_strength"),
            suppressor_floor_db=_v.number(suppressor_floor_db, "suppressor_floor_db"),
            divergence_guard_db=_v.number(divergence_guard_db, "divergence_guard_db"),
        )
        try:
            self._ec = _core.EchoCanceller(
                fs, fr, args["tail_ms"], bool(delay_estimation), args["max_delay_ms"],
                args["step_size"], args["suppressor_strength"], args["suppressor_floor_db"],
                args["divergence_guard_db"],
            )
        except ValueError as e:  # the core names the config field; say it in Python's terms
            raise ValueError(str(e).replace("EchoCancellerConfig.", "").replace("sample_rate_hz", "sample_rate")) from None
        self.sample_rate = fs

    def process(self, mic, ref) -> np.ndarray:
        """Cancel the echo of ``ref`` in ``mic``.

        Parameters
        ----------
        mic : array_like, shape (n,)
            Microphone samples.
        ref : array_like, shape (n,)
            The loudspeaker reference for the same instants (it may lead its
            echo by up to ``max_delay_ms``).

        Returns
        -------
        numpy.ndarray, float32, shape (n,)
            The cancelled mic, ``latency`` samples behind the input.

        Raises
        ------
        TypeError
            Non-numeric input.
        ValueError
            Not 1-D, lengths differ, or NaN / infinity in either signal.
        """
        m, r = _pair(mic, ref)
        return self._ec.process(m, r)

    def reset(self) -> None:
        """Forget everything: filters, delay, statistics, buffered samples."""
        self._ec.reset()

    @property
    def frame(self) -> int:
        """Block size in samples."""
        return int(self._ec.frame)

    @property
    def latency(self) -> int:
        """Output delay in samples (``2 * frame``)."""
        return int(self._ec.latency)

    @property
    def partitions(self) -> int:
        """Number of filter partitions (blocks of ``frame`` taps)."""
        return int(self._ec.partitions)

    def stats(self) -> Dict[str, Any]:
        """All measurements: ``erle_db``, ``linear_erle_db``, ``double_talk``,
        ``coherence``, ``delay_samples``, ``frames``, ``resets``, ``shadow_copies``."""
        return dict(self._ec.stats())

    @property
    def erle_db(self) -> float:
        """Echo return loss enhancement estimate (mic / output power, dB),
        smoothed over about a second of far-end activity."""
        return float(self._ec.stats()["erle_db"])

    @property
    def linear_erle_db(self) -> float:
        """The same for the linear filter alone, before the suppressor."""
        return float(self._ec.stats()["linear_erle_db"])

    @property
    def double_talk(self) -> float:
        """Double-talk detector output: 0 single talk .. 1 double talk."""
        return float(self._ec.stats()["double_talk"])

    @property
    def delay_samples(self) -> int:
        """Bulk delay currently applied to the reference, in samples."""
        return int(self._ec.stats()["delay_samples"])

    @property
    def delay_ms(self) -> float:
        """Bulk delay currently applied to the reference, in milliseconds."""
        return 1000.0 * self.delay_samples / self.sample_rate


class NlmsFilter:
    """Time-domain NLMS echo canceller for short echo paths.

    ``out[n] = mic[n] - w . ref[n-taps+1 .. n]``, then
    ``w += step * out[n] * window / (|window|^2 + taps * regularization)``.

    Parameters
    ----------
    taps : int
        Filter length in samples (1 .. 65536).
    step : float
        Normalised step, 0 < step < 2. Default 0.5.
    regularization : float
        Per-tap power floor (> 0) that keeps the step finite on a silent
        reference. Default 1e-6.
    """

    def __init__(self, taps: int, step: float = 0.5, regularization: float = 1e-6) -> None:
        t = _v.integer(taps, "taps", 1, 65536)
        try:
            self._f = _core.NlmsFilter(t, _v.number(step, "step"), _v.number(regularization, "regularization"))
        except ValueError as e:
            raise ValueError(str(e).replace("NlmsConfig.", "")) from None

    def process(self, mic, ref) -> np.ndarray:
        """Error signal (the mic with the echo estimate removed), no latency."""
        m, r = _pair(mic, ref)
        return self._f.process(m, r)

    def reset(self) -> None:
        self._f.reset()

    @property
    def weights(self) -> np.ndarray:
        """Current taps, ``w[k]`` weighting ``ref[n - k]``."""
        return self._f.weights()


class DelayEstimator:
    """Streaming bulk delay estimator (GCC-PHAT).

    Parameters
    ----------
    sample_rate : int
        8000 .. 96000 Hz.
    max_delay_ms : float
        Search range 0 .. max_delay_ms (mic later than ref). Default 250.
    window_ms : float, optional
        Analysis window; default max(max_delay_ms, 128).
    smoothing : float
        Cross-spectrum averaging per analysis (0 .. <1). Default 0.6.
    min_confidence : float
        Peak-to-RMS ratio of the correlation needed to accept a delay. Default 6.
    """

    def __init__(self, sample_rate: int, max_delay_ms: float = 250.0, window_ms: Optional[float] = None,
                 smoothing: float = 0.6, min_confidence: float = 6.0) -> None:
        fs = _v.integer(sample_rate, "sample_rate", 8000, 96000)
        try:
            self._d = _core.DelayEstimator(
                fs, _v.number(max_delay_ms, "max_delay_ms"),
                0.0 if window_ms is None else _v.number(window_ms, "window_ms"),
                _v.number(smoothing, "smoothing"), _v.number(min_confidence, "min_confidence"))
        except ValueError as e:
            raise ValueError(str(e).replace("DelayEstimatorConfig.", "")) from None

    def process(self, mic, ref) -> None:
        m, r = _pair(mic, ref)
        self._d.process(m, r)

    def reset(self) -> None:
        self._d.reset()

    @property
    def delay_samples(self) -> Optional[int]:
        """The accepted delay, or None before the first confident estimate."""
        d = int(self._d.delay_samples)
        return None if d < 0 else d

    @property
    def confidence(self) -> float:
        return float(self._d.confidence)


def estimate_delay(mic, ref, sample_rate: int, max_delay_ms: float = 250.0) -> Optional[int]:
    """Delay (samples) by which ``mic`` lags ``ref``, or None if not found.

    >>> import numpy as np
    >>> x = np.random.default_rng(1).standard_normal(16000).astype(np.float32)
    >>> estimate_delay(np.concatenate([np.zeros(480, np.float32), x[:-480]]), x, 16000)
    480
    """
    d = DelayEstimator(sample_rate, max_delay_ms)
    d.process(mic, ref)
    return d.delay_samples
