"""Music analysis on the C++ core: pitch (f0) tracking and a tuner's notes.

:func:`track_pitch` and :class:`PitchTracker` run probabilistic YIN (pYIN,
Mauch & Dixon 2014): per frame the YIN cumulative mean normalised
difference (computed with :mod:`edgeaudio.fft`), its troughs with parabolic
interpolation, pYIN's trough probabilities from a Beta prior over YIN
thresholds, and a hidden Markov model over (voiced, unvoiced) x pitch bins
decoded by Viterbi. The decoded bin picks the note; the strongest YIN
candidate within one bin of it gives the exact f0 (not quantised to bins, as
librosa's ``pyin`` is).

Framing follows ``librosa.pyin(center=True)``: frame ``k`` is centred on
sample ``k * hop_length`` (zeros pad the ends), so ``n`` samples give
``1 + n // hop_length`` frames at times ``k * hop_length / sample_rate``.

Unvoiced frames (and silence) have ``f0`` NaN, ``voiced`` False.

Examples
--------
>>> import numpy as np
>>> from edgeaudio import analysis
>>> sr = 16000
>>> t = np.arange(sr) / sr
>>> track = analysis.track_pitch(np.sin(2 * np.pi * 220 * t), sr)
>>> round(float(np.nanmedian(track.f0)), 1), bool(track.voiced[10:-10].all())
(220.0, True)
>>> analysis.hz_to_note(440.0)
('A4', 0.0)
"""
from __future__ import annotations

import math
from typing import NamedTuple, Optional, Tuple

import numpy as np

from . import _core
from .fft import next_fast_len

__all__ = ["PitchTrack", "PitchTracker", "track_pitch", "hz_to_note", "note_to_hz"]


class PitchTrack(NamedTuple):
    """Frames of an f0 track (arrays share their shape: batch + (n_frames,))."""

    f0: np.ndarray           #: float32 Hz, NaN where unvoiced
    voiced: np.ndarray       #: bool, the Viterbi voicing decision
    voiced_prob: np.ndarray  #: float32, pYIN's probability that the frame is voiced
    times: np.ndarray        #: float64 seconds, frame centres


def _positive(v, name: str) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    v = float(v)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive number, got {v}")
    return v


def _count(v, name: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    return int(v)


def _config(sample_rate, fmin, fmax, frame_length, hop_length, resolution, max_transition_rate,
            switch_prob, latency_frames) -> "_core.PitchConfig":
    sr = _positive(sample_rate, "sample_rate")
    fmin = _positive(fmin, "fmin")
    fmax = _positive(fmax, "fmax")
    if fmax <= fmin:
        raise ValueError(f"fmax ({fmax:g} Hz) must be greater than fmin ({fmin:g} Hz)")
    if fmax > sr / 2:
        raise ValueError(f"fmax ({fmax:g} Hz) must not exceed the Nyquist frequency sample_rate / 2 = {sr / 2:g} Hz")
    need = 2 * (math.ceil(sr / fmin) + 2)
    if frame_length is None:
        frame_length = next_fast_len(max(need, int(round(0.064 * sr))))
    frame_length = _count(frame_length, "frame_length")
    if frame_length < need:
        raise ValueError(
            f"frame_length {frame_length} is too short for fmin {fmin:g} Hz at {sr:g} Hz: "
            f"it must be at least {need} samples (twice the longest period, plus 4)"
        )
    hop_length = frame_length // 4 if hop_length is None else _count(hop_length, "hop_length")
    if not 1 <= hop_length <= frame_length:
        raise ValueError(f"hop_length must be in [1, frame_length = {frame_length}], got {hop_length}")
    cfg = _core.PitchConfig()
    cfg.sample_rate_hz = sr
    cfg.fmin_hz = fmin
    cfg.fmax_hz = fmax
    cfg.frame_length = frame_length
    cfg.hop_length = hop_length
    cfg.resolution_semitones = _positive(resolution, "resolution")
    cfg.max_transition_rate = _positive(max_transition_rate, "max_transition_rate")
    cfg.switch_prob = _positive(switch_prob, "switch_prob")
    cfg.latency_frames = -1 if latency_frames is None else _count(latency_frames, "latency_frames")
    cfg.validate()
    return cfg


def _as_audio(y, name: str = "y") -> np.ndarray:
    a = np.asarray(y)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity")
    return a.astype(np.float32, copy=False)


def _columns(cols, cfg) -> PitchTrack:
    index, f0, voiced, prob = cols
    return PitchTrack(f0, voiced, prob, index * (cfg.hop_length / cfg.sample_rate_hz))


def track_pitch(
    y,
    sample_rate: float,
    fmin: float = 60.0,
    fmax: float = 1000.0,
    frame_length: Optional[int] = None,
    hop_length: Optional[int] = None,
    *,
    resolution: float = 0.2,
    max_transition_rate: float = 35.92,
    switch_prob: float = 0.01,
    latency_frames: Optional[int] = None,
) -> PitchTrack:
    """Track the fundamental frequency of a signal with pYIN.

    Parameters
    ----------
    y : array_like, real
        Audio, shape ``(..., n)``; leading axes are tracked independently.
        Computed in float32.
    sample_rate : float
        Sample rate of ``y`` in Hz.
    fmin, fmax : float
        Search range in Hz (default 60-1000 Hz); ``fmax`` at most Nyquist.
    frame_length : int, optional
        Samples per frame; the longest period must fit in half of it:
        at least ``2 * (ceil(sample_rate / fmin) + 2)``. Default: about 64 ms,
        or that minimum if longer.
    hop_length : int, optional
        Samples between frames. Default ``frame_length // 4``.
    resolution : float
        Width of the HMM's pitch bins in semitones (default 0.2). The f0
        itself is not quantised.
    max_transition_rate : float
        Fastest pitch change the HMM allows, in octaves per second.
    switch_prob : float
        Probability of a voiced/unvoiced switch per frame.
    latency_frames : int, optional
        Fixed-lag Viterbi: decide each frame after this many more. Default
        None: decode the whole signal at once (full Viterbi). With the same
        value, :class:`PitchTracker` gives identical results streaming.

    Returns
    -------
    PitchTrack
        ``f0`` (float32 Hz, NaN where unvoiced), ``voiced``, ``voiced_prob``,
        ``times`` (seconds), each of shape ``(..., 1 + n // hop_length)``.

    Raises
    ------
    ValueError
        Empty, non-finite or scalar ``y``; non-positive ``sample_rate``;
        ``fmin >= fmax``; ``fmax`` above Nyquist; ``frame_length`` too short
        for ``fmin``; ``hop_length`` outside ``[1, frame_length]``.
    TypeError
        Non-numeric ``y`` or parameters.

    See Also
    --------
    PitchTracker : the same, streaming.
    librosa.pyin : the reference algorithm in Python.
    """
    a = _as_audio(y)
    if a.shape[-1] == 0:
        raise ValueError("y is empty: there is nothing to track")
    cfg = _config(sample_rate, fmin, fmax, frame_length, hop_length, resolution,
                  max_transition_rate, switch_prob, latency_frames)
    lead = a.shape[:-1]
    rows = np.ascontiguousarray(a).reshape(-1, a.shape[-1])
    tracks = [_columns(_core.pitch_track(r, cfg), cfg) for r in rows]
    if not lead:
        return tracks[0]
    return PitchTrack(*(np.stack([getattr(t, f) for t in tracks]).reshape(lead + (-1,))
                        for f in PitchTrack._fields))


class PitchTracker:
    """Streaming pYIN: push audio in chunks of any size, get frames as they are decided.

    Parameters are those of :func:`track_pitch`; ``latency_frames`` defaults
    to 16 here (about 0.26 s at 16 kHz with a 256-sample hop): each frame is
    returned once that many later frames have been seen. ``push(all)`` then
    ``flush()`` equals ``track_pitch(..., latency_frames=same)`` exactly,
    whatever the chunking.

    Examples
    --------
    >>> sr = 16000
    >>> tracker = PitchTracker(sr, 60.0, 1000.0, 1024, 256)
    >>> x = np.sin(2 * np.pi * 330 * np.arange(sr) / sr)
    >>> parts = [tracker.push(c) for c in np.array_split(x, 7)] + [tracker.flush()]
    >>> sum(len(p.f0) for p in parts) == 1 + sr // 256
    True
    """

    def __init__(
        self,
        sample_rate: float,
        fmin: float = 60.0,
        fmax: float = 1000.0,
        frame_length: Optional[int] = None,
        hop_length: Optional[int] = None,
        *,
        resolution: float = 0.2,
        max_transition_rate: float = 35.92,
        switch_prob: float = 0.01,
        latency_frames: Optional[int] = 16,
    ) -> None:
        self._cfg = _config(sample_rate, fmin, fmax, frame_length, hop_length, resolution,
                            max_transition_rate, switch_prob, latency_frames)
        self._core = _core.PitchTrackerCore(self._cfg)

    @property
    def frame_length(self) -> int:
        return int(self._cfg.frame_length)

    @property
    def hop_length(self) -> int:
        return int(self._cfg.hop_length)

    @property
    def latency_frames(self) -> int:
        """Frames a decision waits for (-1: until :meth:`flush`)."""
        return int(self._cfg.latency_frames)

    def push(self, chunk) -> PitchTrack:
        """Consume a 1-D chunk of samples (any length); return the frames decided so far."""
        a = _as_audio(chunk, "chunk")
        if a.ndim != 1:
            raise ValueError(f"chunk must be 1-D, got shape {a.shape}")
        return _columns(self._core.push(np.ascontiguousarray(a)), self._cfg)

    def flush(self) -> PitchTrack:
        """End the signal: return every remaining frame, then start afresh."""
        return _columns(self._core.flush(), self._cfg)

    def reset(self) -> None:
        """Drop buffered audio and undecided frames."""
        self._core.reset()


def hz_to_note(hz: float, a4_hz: float = 440.0) -> Tuple[str, float]:
    """Nearest equal-tempered note and the offset from it in cents.

    Parameters
    ----------
    hz : float
        Frequency in Hz (positive, finite).
    a4_hz : float
        Tuning reference. Default 440.

    Returns
    -------
    (str, float)
        Note name with sharps and octave (``"C#3"``), and cents in ``[-50, 50)``.

    >>> hz_to_note(440.0)
    ('A4', 0.0)
    >>> name, cents = hz_to_note(82.0)
    >>> name, round(cents, 1)
    ('E2', -8.6)
    """
    name, cents = _core.hz_to_note(_positive(hz, "hz"), _positive(a4_hz, "a4_hz"))
    return name, float(cents)


def note_to_hz(name: str, a4_hz: float = 440.0) -> float:
    """Frequency of a note name (``"A4"``, ``"C#3"``, ``"Bb2"``) in Hz.

    >>> round(note_to_hz("E2"), 2)
    82.41
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'A4', got {type(name).__name__}")
    return float(_core.note_to_hz(name, _positive(a4_hz, "a4_hz")))
