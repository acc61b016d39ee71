"""Streaming sample-rate conversion: a polyphase windowed-sinc resampler.

:class:`Resampler` converts between any two integer rates by the rational
factor ``up / down`` (reduced by their gcd) with a Kaiser-windowed sinc
low-pass (about 90 dB stop-band, pass band to 90 % of the lower Nyquist).
It is streaming: :meth:`Resampler.process` takes blocks of any length and the
concatenated output does not depend on how the input was split (each output
sample is the same dot product whatever the block). The filter is linear
phase; :attr:`Resampler.delay_s` is its group delay, which callers subtract
from timestamps.

Examples
--------
>>> import numpy as np
>>> from edgeaudio.resample import Resampler
>>> r = Resampler(48000, 16000)
>>> x = np.sin(2 * np.pi * 440 * np.arange(4800) / 48000).astype(np.float32)
>>> y = np.concatenate([r.process(x[:1000]), r.process(x[1000:])])
>>> y.shape
(1600,)
"""
from __future__ import annotations

from math import gcd

import numpy as np

from . import _validate as _v

__all__ = ["Resampler"]


class Resampler:
    """Streaming rational resampler ``rate_in -> rate_out``.

    Parameters
    ----------
    rate_in, rate_out : int
        Hz, 1 .. 384000. Their ratio, reduced, must have numerator and
        denominator <= 1000 (44100 -> 16000 is 160 / 441).
    zero_crossings : int
        Half-length of the sinc in zero crossings of the lower rate (quality).

    Raises
    ------
    ValueError, TypeError
        A rate out of range or a ratio too complex (the message names both rates).
    """

    def __init__(self, rate_in: int, rate_out: int, zero_crossings: int = 16) -> None:
        fi = _v.integer(rate_in, "rate_in", 1, 384000)
        fo = _v.integer(rate_out, "rate_out", 1, 384000)
        zc = _v.integer(zero_crossings, "zero_crossings", 2, 64)
        g = gcd(fi, fo)
        self.up, self.down = fo // g, fi // g
        if max(self.up, self.down) > 1000:
            raise ValueError(f"cannot resample {fi} Hz to {fo} Hz: the ratio {self.up}/{self.down} is too "
                             "complex (numerator and denominator must be <= 1000)")
        self.rate_in, self.rate_out = fi, fo
        L, M = self.up, self.down
        r = max(L, M)
        n = 2 * zc * r + 1
        c = (n - 1) / 2.0
        fc = 0.5 / r * 0.9  # cycles per sample at the upsampled rate
        t = np.arange(n) - c
        h = 2 * fc * np.sinc(2 * fc * t) * np.kaiser(n, 8.6) * L
        taps = -(-n // L)
        hp = np.zeros((L, taps))
        for p in range(L):
            ph = h[p::L]
            hp[p, : len(ph)] = ph
        self._hp = hp                 # phase p, tap t weighs x[j0 - t]
        self._taps = taps
        self._delay_up = c            # group delay at the upsampled rate
        self.reset()

    @property
    def identity(self) -> bool:
        return self.up == 1 and self.down == 1

    @property
    def delay_s(self) -> float:
        """Group delay of the filter in seconds (0 for equal rates)."""
        return 0.0 if self.identity else self._delay_up / (self.up * self.rate_in)

    def reset(self) -> None:
        """Forget the stream; the next sample starts a new signal."""
        self._hist = np.zeros(self._taps - 1, np.float64)  # last inputs before index _n_in
        self._n_in = 0
        self._n_out = 0

    def process(self, x) -> np.ndarray:
        """Resample the next block; returns float32 (its length depends on the block)."""
        a = _v.signal(x, "x")
        if self.identity:
            return a
        ext = np.concatenate([self._hist, a.astype(np.float64)])  # ext[i] = x[_n_in - (taps-1) + i]
        n_in = self._n_in + len(a)
        # output k needs input j0 = floor(k * down / up) <= n_in - 1
        k_end = ((n_in - 1) * self.up) // self.down + 1 if n_in > 0 else 0
        k = np.arange(self._n_out, k_end, dtype=np.int64)
        out = np.empty(len(k), np.float32)
        if len(k):
            j0 = (k * self.down) // self.up
            phase = (k * self.down) % self.up
            base = j0 - (self._n_in - (self._taps - 1))      # index of x[j0] in ext
            idx = base[:, None] - np.arange(self._taps)[None, :]
            out[:] = np.einsum("kt,kt->k", self._hp[phase], ext[idx])
        keep = self._taps - 1
        self._hist = ext[len(ext) - keep:] if keep else ext[:0]
        self._n_in = n_in
        self._n_out = int(k_end) if len(k) else self._n_out
        return out
