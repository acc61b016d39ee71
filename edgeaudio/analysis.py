"""Music analysis on the C++ core: pitch (f0) tracking and a tuner's notes; onsets, tempo and beats;
chroma, tuning, key and chords.

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

__all__ = ["PitchTrack", "PitchTracker", "track_pitch", "hz_to_note", "note_to_hz",
           "onset_strength", "detect_onsets", "OnsetDetector", "estimate_tempo", "track_beats",
           "chroma_stft", "estimate_tuning", "ChromaExtractor", "Key", "estimate_key", "ChordTrack",
           "recognize_chords", "viterbi", "CHORD_LABELS",
           "cqt", "CqtAnalyzer", "chroma_cqt"]


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
    resolution: float = 0.1,
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
        Width of the HMM's pitch bins in semitones (default 0.1, as pYIN and librosa.pyin). The f0
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
        resolution: float = 0.1,
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


# ---------------------------------------------------------------------------
# Onsets, tempo and beats (edgeaudio/onset.h)

_MIN_SAMPLE_RATE = 4000.0


def _onset_config(sample_rate, n_fft, hop_length, n_mels, lag, max_size, delta, wait_s,
                  pre_max_s, post_max_s, pre_avg_s, post_avg_s, floor_db, fmin, fmax) -> "_core.OnsetConfig":
    sr = _positive(sample_rate, "sample_rate")
    if sr < _MIN_SAMPLE_RATE:
        raise ValueError(f"sample_rate must be at least {_MIN_SAMPLE_RATE:g} Hz for onset analysis, got {sr:g}")
    if n_fft is None:
        n_fft = next_fast_len(int(round(0.0929 * sr)))  # 2048 at 22.05 kHz
    n_fft = _count(n_fft, "n_fft")
    if n_fft < 16:
        raise ValueError(f"n_fft must be at least 16, got {n_fft}")
    hop_length = n_fft // 4 if hop_length is None else _count(hop_length, "hop_length")
    if not 1 <= hop_length <= n_fft:
        raise ValueError(f"hop_length must be in [1, n_fft = {n_fft}], got {hop_length}")
    fps = sr / hop_length

    def frames(seconds, name):
        return int(round(_nonnegative(seconds, name) * fps))

    cfg = _core.OnsetConfig()
    cfg.sample_rate_hz = sr
    cfg.n_fft = n_fft
    cfg.hop_length = hop_length
    cfg.n_mels = _count(n_mels, "n_mels")
    cfg.lag = _count(lag, "lag")
    cfg.max_size = _count(max_size, "max_size")
    cfg.delta = _nonnegative(delta, "delta")
    cfg.wait = frames(wait_s, "wait_s")
    cfg.pre_max = frames(pre_max_s, "pre_max_s")
    cfg.post_max = frames(post_max_s, "post_max_s")
    cfg.pre_avg = frames(pre_avg_s, "pre_avg_s")
    cfg.post_avg = frames(post_avg_s, "post_avg_s")
    if isinstance(floor_db, (bool, np.bool_)) or not isinstance(floor_db, (int, float, np.integer, np.floating)):
        raise TypeError(f"floor_db must be a number, got {type(floor_db).__name__}")
    cfg.floor_db = float(floor_db)
    cfg.fmin_hz = _nonnegative(fmin, "fmin")
    if fmax is not None:
        fmax = _positive(fmax, "fmax")
        if fmax > sr / 2:
            raise ValueError(f"fmax ({fmax:g} Hz) must not exceed the Nyquist frequency {sr / 2:g} Hz")
        cfg.fmax_hz = fmax
    try:
        cfg.validate()
    except ValueError as e:  # the core names the field; say which call it came from
        raise ValueError(f"invalid onset settings: {e}") from None
    return cfg


def _nonnegative(v, name: str) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    v = float(v)
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a non-negative number, got {v}")
    return v


def _onset_times(frames: np.ndarray, cfg) -> np.ndarray:
    # A flux frame fires as the onset enters its window, about half a window
    # before the frame centre reaches it; report the onset where it is.
    t = (frames + _ONSET_DELAY_WINDOWS * cfg.n_fft / cfg.hop_length) * (cfg.hop_length / cfg.sample_rate_hz)
    return t.astype(np.float64)


_ONSET_DELAY_WINDOWS = 0.375

_ONSET_DOC_PARAMS = """
    n_fft : int, optional
        Frame (and Hann window) length in samples; default about 93 ms
        (2048 at 22.05 kHz).
    hop_length : int, optional
        Samples between frames; default ``n_fft // 4``.
    n_mels : int
        Mel bands (Slaney) of the power spectrum; 0 uses the linear
        spectrum's ``n_fft // 2 + 1`` bins.
    lag : int
        Frames between the compared spectra (1: first difference).
    max_size : int
        Width (odd) of the max-filter across frequency on the reference
        spectrum (SuperFlux, suppresses vibrato); 1 is off.
    delta : float
        Threshold in dB (mean over bands) above the moving mean.
    wait_s : float
        Minimum time between onsets.
    pre_max_s, post_max_s : float
        A peak is the maximum over [t - pre_max_s, t + post_max_s].
    pre_avg_s, post_avg_s : float
        The moving mean is over [t - pre_avg_s, t + post_avg_s].
    floor_db : float
        Power floor in dB before the difference (silence and noise below it
        give no flux). A full-scale sine is about +54 dB at n_fft 2048.
    fmin, fmax : float
        Band of the mel filterbank in Hz (fmax None: Nyquist)."""


def _onset_args(sample_rate, n_fft, hop_length, n_mels, lag, max_size, delta, wait_s, pre_max_s,
                post_max_s, pre_avg_s, post_avg_s, floor_db, fmin, fmax):
    return _onset_config(sample_rate, n_fft, hop_length, n_mels, lag, max_size, delta, wait_s, pre_max_s,
                         post_max_s, pre_avg_s, post_avg_s, floor_db, fmin, fmax)


def _mono(y, name: str = "y") -> np.ndarray:
    a = _as_audio(y, name)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (mono audio), got shape {a.shape}")
    return np.ascontiguousarray(a)


def onset_strength(
    y,
    sample_rate: float,
    *,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    n_mels: int = 128,
    lag: int = 1,
    max_size: int = 1,
    floor_db: float = -60.0,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
) -> np.ndarray:
    """Spectral-flux onset strength: the mean rectified rise of the dB spectrum.

    ``strength[t] = mean_f max(0, L_t[f] - maxfilter_f(L_{t-lag})[f])`` with
    ``L_t`` the dB mel (or linear) power spectrum of frame ``t`` from the
    edgeaudio frontend (centred Hann frames, frame ``t`` at sample
    ``t * hop_length``). In dB, so independent of the input gain.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio (computed in float32).
    sample_rate : float
        Hz, at least 4000.
    """ + _ONSET_DOC_PARAMS + """

    Returns
    -------
    np.ndarray
        float32, shape ``(1 + n // hop_length,)`` (empty for empty ``y``).

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings (named).
    """
    a = _mono(y)
    cfg = _onset_config(sample_rate, n_fft, hop_length, n_mels, lag, max_size, 0.0, 0.0, 0.0, 0.0, 0.0,
                        0.0, floor_db, fmin, fmax)
    return _core.onset_detect(a, cfg)[0]


def detect_onsets(
    y,
    sample_rate: float,
    *,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    n_mels: int = 128,
    lag: int = 1,
    max_size: int = 1,
    delta: float = 1.0,
    wait_s: float = 0.03,
    pre_max_s: float = 0.03,
    post_max_s: float = 0.03,
    pre_avg_s: float = 0.1,
    post_avg_s: float = 0.1,
    floor_db: float = -60.0,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
) -> np.ndarray:
    """Onset times: peaks of :func:`onset_strength` above an adaptive threshold.

    Frame ``t`` is an onset when its strength is the maximum over
    ``[t - pre_max_s, t + post_max_s]``, at least ``delta`` above the mean
    over ``[t - pre_avg_s, t + post_avg_s]``, and more than ``wait_s`` after
    the previous onset. Times are reported 3/8 of a window after the frame
    centre (flux fires as an onset enters a frame's window).

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sample_rate : float
        Hz, at least 4000.
    """ + _ONSET_DOC_PARAMS + """

    Returns
    -------
    np.ndarray
        float64 onset times in seconds, ascending. Empty when there are none,
        including for audio shorter than one hop (documented empty result).

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings (named).

    See Also
    --------
    OnsetDetector : the same, streaming.
    librosa.onset.onset_detect : the reference in Python.

    Examples
    --------
    >>> sr = 22050
    >>> x = np.zeros(2 * sr, np.float32); x[[5000, 20000, 30000]] = 1.0
    >>> np.round(detect_onsets(x, sr) * sr / 512).astype(int).tolist()
    [10, 39, 59]
    """
    a = _mono(y)
    cfg = _onset_config(sample_rate, n_fft, hop_length, n_mels, lag, max_size, delta, wait_s, pre_max_s,
                        post_max_s, pre_avg_s, post_avg_s, floor_db, fmin, fmax)
    return _onset_times(_core.onset_detect(a, cfg)[1], cfg)


class OnsetDetector:
    """Streaming onset detection: push chunks of any size, get onset times as they are decided.

    Parameters are those of :func:`detect_onsets`. Each onset is returned
    once ``max(post_max_s, post_avg_s)`` of later audio (plus one frame) has
    been seen; ``push(all)`` then ``flush()`` gives exactly
    :func:`detect_onsets`, whatever the chunking.

    Examples
    --------
    >>> sr = 22050
    >>> x = np.zeros(2 * sr, np.float32); x[[5000, 20000, 30000]] = 1.0
    >>> det = OnsetDetector(sr)
    >>> times = np.concatenate([det.push(c) for c in np.array_split(x, 9)] + [det.flush()])
    >>> bool(np.array_equal(times, detect_onsets(x, sr)))
    True
    """

    def __init__(self, sample_rate: float, *, n_fft: Optional[int] = None, hop_length: Optional[int] = None,
                 n_mels: int = 128, lag: int = 1, max_size: int = 1, delta: float = 1.0, wait_s: float = 0.03,
                 pre_max_s: float = 0.03, post_max_s: float = 0.03, pre_avg_s: float = 0.1,
                 post_avg_s: float = 0.1, floor_db: float = -60.0, fmin: float = 0.0,
                 fmax: Optional[float] = None) -> None:
        self._cfg = _onset_config(sample_rate, n_fft, hop_length, n_mels, lag, max_size, delta, wait_s,
                                  pre_max_s, post_max_s, pre_avg_s, post_avg_s, floor_db, fmin, fmax)
        self._core = _core.OnsetDetectorCore(self._cfg)

    @property
    def hop_length(self) -> int:
        return int(self._cfg.hop_length)

    @property
    def latency_frames(self) -> int:
        """Frames after an onset's frame that its decision waits for."""
        return int(self._cfg.latency_frames())

    def push(self, chunk) -> np.ndarray:
        """Consume a 1-D chunk (any length); return the onset times (s) decided so far."""
        return _onset_times(self._core.push(_mono(chunk, "chunk"))[1], self._cfg)

    def flush(self) -> np.ndarray:
        """End the signal: return the remaining onset times, then start afresh."""
        return _onset_times(self._core.flush()[1], self._cfg)

    def reset(self) -> None:
        """Forget the signal: the next sample starts a new one."""
        self._core.reset()


def _tempo_setup(y, sample_rate, start_bpm, std_octaves, min_bpm, max_bpm, hop_length, n_fft):
    a = _mono(y)
    ocfg = _onset_config(sample_rate, n_fft, hop_length, 128, 1, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -60.0,
                         0.0, None)
    tcfg = _core.TempoConfig()
    tcfg.frame_rate_hz = ocfg.sample_rate_hz / ocfg.hop_length
    tcfg.start_bpm = _positive(start_bpm, "start_bpm")
    tcfg.std_octaves = _positive(std_octaves, "std_octaves")
    tcfg.min_bpm = _positive(min_bpm, "min_bpm")
    tcfg.max_bpm = _positive(max_bpm, "max_bpm")
    if tcfg.max_bpm <= tcfg.min_bpm:
        raise ValueError(f"max_bpm ({max_bpm}) must be greater than min_bpm ({min_bpm})")
    return _core.onset_detect(a, ocfg)[0], ocfg, tcfg


def estimate_tempo(
    y,
    sample_rate: float,
    *,
    start_bpm: float = 120.0,
    std_octaves: float = 1.0,
    min_bpm: float = 30.0,
    max_bpm: float = 320.0,
    hop_length: Optional[int] = None,
    n_fft: Optional[int] = None,
) -> float:
    """Global tempo in BPM: the onset strength's autocorrelation under a log-normal prior.

    The unbiased autocorrelation of the mean-removed :func:`onset_strength`
    is weighted by ``exp(-0.5 * (log2(bpm / start_bpm) / std_octaves) ** 2)``
    (Ellis 2007; librosa's default prior); its best lag, refined by parabolic
    interpolation, gives the tempo.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sample_rate : float
        Hz, at least 4000.
    start_bpm, std_octaves : float
        Centre and width (octaves) of the tempo prior.
    min_bpm, max_bpm : float
        Tempo search range.
    hop_length, n_fft : int, optional
        Onset strength framing (see :func:`onset_strength`).

    Returns
    -------
    float
        Tempo in BPM; 0.0 (documented empty result) when the audio is too
        short to hold two beat periods at the slowest tempo searched, or has
        no onsets.

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings.

    Examples
    --------
    >>> sr = 22050
    >>> x = np.zeros(10 * sr, np.float32); x[::sr // 2] = 1.0   # 120 BPM clicks
    >>> round(estimate_tempo(x, sr))
    120
    """
    strength, _, tcfg = _tempo_setup(y, sample_rate, start_bpm, std_octaves, min_bpm, max_bpm, hop_length, n_fft)
    return float(_core.tempo_estimate(strength, tcfg))


def track_beats(
    y,
    sample_rate: float,
    *,
    bpm: Optional[float] = None,
    tightness: float = 100.0,
    start_bpm: float = 120.0,
    std_octaves: float = 1.0,
    min_bpm: float = 30.0,
    max_bpm: float = 320.0,
    hop_length: Optional[int] = None,
    n_fft: Optional[int] = None,
) -> Tuple[float, np.ndarray]:
    """Tempo and beat times by dynamic programming over the onset strength (Ellis 2007).

    The beat sequence maximises the sum of the (Gaussian-smoothed,
    std-normalised) onset strength at the beats minus ``tightness *
    log(interval / period) ** 2`` per interval; weak beats at both ends are
    trimmed (as librosa.beat.beat_track does).

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sample_rate : float
        Hz, at least 4000.
    bpm : float, optional
        The tempo to track; default :func:`estimate_tempo`'s.
    tightness : float
        How strictly beats keep the period.
    start_bpm, std_octaves, min_bpm, max_bpm, hop_length, n_fft
        As in :func:`estimate_tempo`.

    Returns
    -------
    (float, np.ndarray)
        Tempo in BPM and beat times in seconds (float64). ``(0.0, empty)``
        when the audio is too short or silent (documented empty result).

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings.

    Examples
    --------
    >>> sr = 22050
    >>> x = np.zeros(10 * sr, np.float32); x[::sr // 2] = 1.0
    >>> tempo, beats = track_beats(x, sr)
    >>> round(tempo), bool(np.allclose(np.diff(beats), 0.5, atol=0.03))
    (120, True)
    """
    strength, ocfg, tcfg = _tempo_setup(y, sample_rate, start_bpm, std_octaves, min_bpm, max_bpm,
                                        hop_length, n_fft)
    tcfg.tightness = _nonnegative(tightness, "tightness")
    tempo = float(_core.tempo_estimate(strength, tcfg)) if bpm is None else _positive(bpm, "bpm")
    if tempo <= 0:
        return 0.0, np.zeros(0, np.float64)
    frames = _core.beat_track(strength, tcfg, tempo)
    return tempo, _onset_times(frames, ocfg)


# ---------------------------------------------------------------------------
# Chroma, tuning, key and chords (edgeaudio/chroma.h)

#: Chord labels by index (mir_eval / Harte syntax): 0-11 major C..B, 12-23 minor C..B, 24 "N".
CHORD_LABELS = tuple(_core.chord_name(i) for i in range(25))
_PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def _chroma_config(sample_rate, n_fft, hop_length, n_chroma, tuning, ctroct, octwidth) -> "_core.ChromaConfig":
    sr = _positive(sample_rate, "sample_rate")
    if sr < _MIN_SAMPLE_RATE:
        raise ValueError(f"sample_rate must be at least {_MIN_SAMPLE_RATE:g} Hz for chroma, got {sr:g}")
    if n_fft is None:
        n_fft = next_fast_len(int(round(0.0929 * sr)))  # 2048 at 22.05 kHz, as librosa
    n_fft = _count(n_fft, "n_fft")
    if n_fft < 16:
        raise ValueError(f"n_fft must be at least 16, got {n_fft}")
    hop_length = n_fft // 4 if hop_length is None else _count(hop_length, "hop_length")
    if not 1 <= hop_length <= n_fft:
        raise ValueError(f"hop_length must be in [1, n_fft = {n_fft}], got {hop_length}")
    cfg = _core.ChromaConfig()
    cfg.sample_rate_hz = sr
    cfg.n_fft = n_fft
    cfg.hop_length = hop_length
    cfg.n_chroma = _count(n_chroma, "n_chroma")
    if cfg.n_chroma < 1:
        raise ValueError(f"n_chroma must be at least 1, got {n_chroma}")
    if tuning is not None:
        if isinstance(tuning, (bool, np.bool_)) or not isinstance(tuning, (int, float, np.integer, np.floating)):
            raise TypeError(f"tuning must be a number, got {type(tuning).__name__}")
        if not (math.isfinite(tuning) and abs(tuning) <= 0.5):
            raise ValueError(f"tuning must be in [-0.5, 0.5] chroma bins, got {tuning}")
        cfg.tuning = float(tuning)
    if isinstance(ctroct, (bool, np.bool_)) or not isinstance(ctroct, (int, float, np.integer, np.floating)) \
            or not math.isfinite(ctroct):
        raise ValueError(f"ctroct must be a finite number, got {ctroct!r}")
    cfg.ctroct = float(ctroct)
    cfg.octwidth = 0.0 if octwidth is None else _positive(octwidth, "octwidth")
    try:
        cfg.validate()
    except ValueError as e:
        raise ValueError(f"invalid chroma settings: {e}") from None
    return cfg


def chroma_stft(
    y,
    sample_rate: float,
    *,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    n_chroma: int = 12,
    tuning: Optional[float] = None,
    ctroct: float = 5.0,
    octwidth: Optional[float] = 2.0,
) -> np.ndarray:
    """Chromagram from the power spectrogram (``librosa.feature.chroma_stft`` conventions).

    Centred Hann frames (zero padding) of :mod:`edgeaudio.fft` power spectra
    are projected on Ellis' chroma filterbank (Gaussian bumps per pitch
    class, weighted by a Gaussian over octaves), shifted by the tuning; each
    frame is divided by its maximum.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio (computed in float32).
    sample_rate : float
        Hz, at least 4000.
    n_fft : int, optional
        Frame length; default about 93 ms (2048 at 22.05 kHz).
    hop_length : int, optional
        Default ``n_fft // 4``.
    n_chroma : int
        Bins per octave (12).
    tuning : float, optional
        Deviation from A440 in chroma bins, in [-0.5, 0.5]. Default: estimated
        from ``y`` (:func:`estimate_tuning`).
    ctroct, octwidth : float
        Centre (octaves above A0 = 27.5 Hz) and width of the octave
        weighting; ``octwidth=None`` turns it off.

    Returns
    -------
    np.ndarray
        float32, shape ``(n_chroma, 1 + n // hop_length)``, C first; empty
        (``(n_chroma, 0)``) for empty ``y``.

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings (named).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> x = sum(np.sin(2 * np.pi * note_to_hz(n) * t) for n in ("C4", "E4", "G4"))
    >>> c = chroma_stft(x, sr)
    >>> sorted(_PITCH_CLASSES[i] for i in np.argsort(c[:, 20])[-3:])
    ['C', 'E', 'G']
    """
    a = _mono(y)
    cfg = _chroma_config(sample_rate, n_fft, hop_length, n_chroma, tuning, ctroct, octwidth)
    chroma, _, _ = _core.chroma_stft(a, cfg, tuning is None)
    return np.ascontiguousarray(chroma.T)


def estimate_tuning(y, sample_rate: float, *, n_fft: Optional[int] = None, hop_length: Optional[int] = None,
                    n_chroma: int = 12) -> float:
    """Deviation of the signal's tuning from A440, in chroma bins (``librosa.estimate_tuning``).

    Spectral peaks (150-4000 Hz, above a tenth of their frame's maximum,
    parabolically interpolated, at least the median peak height) vote in a
    histogram of their offset from equal temperament, 0.01 bin wide; the
    fullest bin's left edge is returned.

    Returns
    -------
    float
        In [-0.5, 0.5); 0.0 when there is no peak (silence: documented empty result).

    >>> sr = 22050
    >>> x = np.sin(2 * np.pi * 440 * 2 ** (0.25 / 12) * np.arange(sr) / sr)
    >>> round(estimate_tuning(x, sr), 2)   # 0.25 up; parabolic peaks of a power spectrum read low
    0.22
    """
    a = _mono(y)
    cfg = _chroma_config(sample_rate, n_fft, hop_length, n_chroma, None, 5.0, 2.0)
    return float(_core.chroma_stft(a, cfg, True)[1])


class ChromaExtractor:
    """Streaming chroma with a fixed tuning: push chunks of any size, get frames as they complete.

    Parameters are those of :func:`chroma_stft`; ``tuning`` defaults to 0
    (A440) since a stream cannot be analysed ahead. ``push(all)`` then
    ``flush()`` equals ``chroma_stft(..., tuning=same)`` exactly, whatever
    the chunking.

    >>> sr = 22050
    >>> x = np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> ex = ChromaExtractor(sr)
    >>> c = np.concatenate([ex.push(p) for p in np.array_split(x, 5)] + [ex.flush()], axis=1)
    >>> bool(np.array_equal(c, chroma_stft(x, sr, tuning=0.0)))
    True
    """

    def __init__(self, sample_rate: float, *, n_fft: Optional[int] = None, hop_length: Optional[int] = None,
                 n_chroma: int = 12, tuning: float = 0.0, ctroct: float = 5.0,
                 octwidth: Optional[float] = 2.0) -> None:
        self._cfg = _chroma_config(sample_rate, n_fft, hop_length, n_chroma, tuning, ctroct, octwidth)
        self._core = _core.ChromaExtractorCore(self._cfg)

    @property
    def hop_length(self) -> int:
        return int(self._cfg.hop_length)

    def push(self, chunk) -> np.ndarray:
        """Consume a 1-D chunk; return the completed frames, shape ``(n_chroma, k)``."""
        return np.ascontiguousarray(self._core.push(_mono(chunk, "chunk"))[0].T)

    def flush(self) -> np.ndarray:
        """End the signal: return the remaining frames, then start afresh."""
        return np.ascontiguousarray(self._core.flush()[0].T)

    def reset(self) -> None:
        """Forget the signal."""
        self._core.reset()


C1_HZ = 32.70319566257483  #: fmin of :func:`cqt` and :func:`chroma_cqt` (MIDI 24), as librosa


def _number(v, name: str) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    return float(v)


def _cqt_config(sample_rate, hop_length, fmin_hz, n_bins, bins_per_octave, tuning, filter_scale,
                sparsity) -> "_core.CqtConfig":
    sr = _positive(sample_rate, "sample_rate")
    if sr < _MIN_SAMPLE_RATE:
        raise ValueError(f"sample_rate must be at least {_MIN_SAMPLE_RATE:g} Hz for the CQT, got {sr:g}")
    cfg = _core.CqtConfig()
    cfg.sample_rate_hz = sr
    cfg.hop_length = 512 if hop_length is None else _count(hop_length, "hop_length")
    if cfg.hop_length < 1:
        raise ValueError(f"hop_length must be at least 1, got {hop_length}")
    cfg.fmin_hz = _positive(fmin_hz, "fmin_hz")
    cfg.n_bins = _count(n_bins, "n_bins")
    cfg.bins_per_octave = _count(bins_per_octave, "bins_per_octave")
    cfg.tuning = _number(tuning, "tuning")
    cfg.filter_scale = _positive(filter_scale, "filter_scale")
    cfg.sparsity = _number(sparsity, "sparsity")
    try:
        cfg.validate()
    except ValueError as e:
        raise ValueError(f"invalid CQT settings: {e}") from None
    return cfg


def cqt(
    y,
    sample_rate: float,
    *,
    hop_length: int = 512,
    fmin_hz: float = C1_HZ,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1.0,
    sparsity: float = 0.01,
) -> np.ndarray:
    """Constant-Q transform magnitudes (``np.abs(librosa.cqt(...))`` conventions), in the C++ core.

    Bin ``k`` is centred on ``fmin_hz * 2 ** ((k + tuning) / bins_per_octave)``
    with a Hann-windowed filter ``filter_scale * Q * sample_rate / f_k``
    samples long (librosa's Q for the bin spacing), unit L1 norm, the
    response divided by the square root of the filter length (librosa's
    ``scale=True``). Computed at full rate through a sparse spectral kernel
    on one FFT per frame (2^ceil(log2(longest filter)) samples); frames are
    centred, zeros outside the signal. librosa reaches the low octaves by
    downsampling, so the two agree to its resampler's accuracy (about 0.5%
    of the largest magnitude; ``tests/test_chroma.py``).

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio (float32).
    sample_rate : float
        Hz, at least 4000.
    hop_length : int
        Samples between frames.
    fmin_hz, n_bins, bins_per_octave : float, int, int
        The lowest bin, the number of bins and their spacing; the top
        filter's pass band must stay below Nyquist.
    tuning : float
        Offset of every bin in bins; at most half a semitone
        (``bins_per_octave / 24`` bins) either way.
    filter_scale, sparsity : float
        As librosa's (``sparsity`` in [0, 1): the share of each kernel row's
        magnitude left out).

    Returns
    -------
    np.ndarray
        float32, shape ``(n_bins, 1 + n // hop_length)``; ``(n_bins, 0)`` for empty ``y``.

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, bad settings (named).

    >>> sr = 22050
    >>> x = np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> int(np.argmax(cqt(x, sr)[:, 20]))   # A4 is 45 semitones above C1
    45
    """
    a = _mono(y)
    cfg = _cqt_config(sample_rate, hop_length, fmin_hz, n_bins, bins_per_octave, tuning, filter_scale, sparsity)
    return np.ascontiguousarray(_core.cqt(a, cfg).T)


class CqtAnalyzer:
    """Streaming :func:`cqt`: push chunks of any size, get the frames completed.

    Parameters are those of :func:`cqt`. A frame is ready once the samples
    half a kernel frame past its centre have arrived (``latency_samples``);
    ``flush()`` pads the end with zeros. ``push(all)`` then ``flush()``
    equals :func:`cqt` exactly, whatever the chunking.

    >>> sr = 22050
    >>> x = np.sin(2 * np.pi * 440 * np.arange(sr) / sr).astype(np.float32)
    >>> cq = CqtAnalyzer(sr)
    >>> c = np.concatenate([cq.push(p) for p in np.array_split(x, 7)] + [cq.flush()], axis=1)
    >>> bool(np.array_equal(c, cqt(x, sr)))
    True
    """

    def __init__(self, sample_rate: float, *, hop_length: int = 512, fmin_hz: float = C1_HZ, n_bins: int = 84,
                 bins_per_octave: int = 12, tuning: float = 0.0, filter_scale: float = 1.0,
                 sparsity: float = 0.01) -> None:
        self._cfg = _cqt_config(sample_rate, hop_length, fmin_hz, n_bins, bins_per_octave, tuning, filter_scale,
                                sparsity)
        self._core = _core.CqtAnalyzerCore(self._cfg)

    @property
    def hop_length(self) -> int:
        return int(self._cfg.hop_length)

    @property
    def latency_samples(self) -> int:
        """Samples after a frame's centre needed before it is returned (half the kernel frame)."""
        return int(self._cfg.n_fft()) // 2

    def push(self, chunk) -> np.ndarray:
        """Consume a 1-D chunk; return the completed frames, shape ``(n_bins, k)``."""
        return np.ascontiguousarray(self._core.push(_mono(chunk, "chunk")).T)

    def flush(self) -> np.ndarray:
        """End the signal: return the remaining frames, then start afresh."""
        return np.ascontiguousarray(self._core.flush().T)

    def reset(self) -> None:
        """Forget the signal."""
        self._core.reset()


def chroma_cqt(
    y,
    sample_rate: float,
    *,
    hop_length: int = 512,
    fmin_hz: float = C1_HZ,
    n_chroma: int = 12,
    n_octaves: int = 7,
    bins_per_octave: int = 36,
    tuning: Optional[float] = None,
) -> np.ndarray:
    """Constant-Q chromagram (``librosa.feature.chroma_cqt`` conventions).

    :func:`cqt` magnitudes over ``n_octaves`` from ``fmin_hz``; each chroma
    bin sums the ``bins_per_octave / n_chroma`` CQT bins centred on its pitch
    class in every octave (``librosa.filters.cq_to_chroma``); each frame is
    divided by its maximum.

    Parameters
    ----------
    y, sample_rate, hop_length, fmin_hz, bins_per_octave
        As in :func:`cqt`.
    n_chroma : int
        Bins per octave of the output; must divide ``bins_per_octave``.
    n_octaves : int
        Octaves analysed (fewer when the top would pass Nyquist is an error).
    tuning : float, optional
        In CQT bins, as librosa's; default: :func:`estimate_tuning` (in
        semitones) converted to CQT bins.

    Returns
    -------
    np.ndarray
        float32, shape ``(n_chroma, 1 + n // hop_length)``, C first.

    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> x = sum(np.sin(2 * np.pi * note_to_hz(n) * t) for n in ("D4", "F#4", "A4"))
    >>> c = chroma_cqt(x, sr)
    >>> sorted(_PITCH_CLASSES[i] for i in np.argsort(c[:, 20])[-3:])
    ['A', 'D', 'F#']
    """
    a = _mono(y)
    bpo = _count(bins_per_octave, "bins_per_octave")
    if tuning is None:
        tuning = estimate_tuning(a, sample_rate) * bpo / 12.0 if a.size else 0.0
    cfg = _cqt_config(sample_rate, hop_length, fmin_hz, _count(n_octaves, "n_octaves") * bpo, bpo, tuning, 1.0, 0.01)
    nc = _count(n_chroma, "n_chroma")
    if nc < 1 or bpo % nc:
        raise ValueError(f"n_chroma must divide bins_per_octave = {bpo}, got {n_chroma}")
    return np.ascontiguousarray(_core.cqt_chroma(_core.cqt(a, cfg), cfg, nc).T)


class Key(NamedTuple):
    """A key estimate."""

    tonic: str            #: pitch class with sharps, "C" ... "B"
    mode: str             #: "major" or "minor"
    correlation: float    #: Pearson correlation with the winning profile
    scores: np.ndarray    #: float64 (24,): correlations, major C..B then minor C..B

    @property
    def name(self) -> str:
        """``"A minor"``: the mir_eval key format."""
        return f"{self.tonic} {self.mode}"


def _chroma_frames(chroma) -> np.ndarray:
    c = np.asarray(chroma)
    if c.dtype.kind not in "biuf":
        raise TypeError(f"chroma must be a real numeric array, got dtype {c.dtype}")
    if c.ndim != 2 or c.shape[0] != 12:
        raise ValueError(f"chroma must have shape (12, frames), got {c.shape}")
    if c.size and not np.all(np.isfinite(c)):
        raise ValueError("chroma contains NaN or infinity")
    return np.ascontiguousarray(c.T, dtype=np.float32)


def estimate_key(y=None, sample_rate: Optional[float] = None, *, chroma=None) -> Key:
    """Key by the Krumhansl-Schmuckler method: the summed chroma against 24 Krumhansl-Kessler profiles.

    Parameters
    ----------
    y : array_like, shape (n,), optional
        Mono audio; its :func:`chroma_cqt` (estimated tuning) is used.
    sample_rate : float
        Hz, with ``y``.
    chroma : array_like, shape (12, frames), optional
        A chromagram instead of audio.

    Returns
    -------
    Key
        ``tonic``, ``mode``, ``correlation``, ``scores``; ``.name`` is
        ``"C major"`` style (mir_eval).

    Raises
    ------
    ValueError
        Neither or both of ``y`` and ``chroma``; no frames; silent audio
        (a key needs notes).

    >>> sr = 22050
    >>> t = np.arange(sr // 2) / sr
    >>> x = np.concatenate([sum(np.sin(2 * np.pi * note_to_hz(n) * t) for n in chord)
    ...                     for chord in (("A3", "C4", "E4"), ("D4", "F4", "A4"), ("E3", "G#3", "B3"), ("A3", "C4", "E4"))])
    >>> estimate_key(x, sr).name
    'A minor'
    """
    if (y is None) == (chroma is None):
        raise ValueError("give exactly one of y (with sample_rate) or chroma")
    if y is not None:
        if sample_rate is None:
            raise ValueError("sample_rate is required with y")
        a = _mono(y)
        if not a.size or not np.any(a):
            raise ValueError("y is silent (or empty): there is no key to estimate")
        # constant-Q chroma: on the generated songs of tools/bench/chords.py (seeds 1000-1039) it
        # scores 0.87 against 0.77 for chroma_stft (mir_eval weighted key score)
        frames = np.ascontiguousarray(chroma_cqt(a, sample_rate).T)
    else:
        frames = _chroma_frames(chroma)
    if frames.shape[0] == 0:
        raise ValueError("chroma has no frames")
    tonic, minor, corr, scores = _core.key_estimate(np.ascontiguousarray(frames, dtype=np.float32))
    return Key(_PITCH_CLASSES[tonic], "minor" if minor else "major", float(corr), scores)


class ChordTrack(NamedTuple):
    """Frame-wise chords and their segments."""

    labels: np.ndarray     #: int32 per frame: index into CHORD_LABELS
    times: np.ndarray      #: float64 frame centres, s
    intervals: np.ndarray  #: float64 (segments, 2): start, end in s
    names: list            #: segment labels, "C:maj" / "A:min" / "N"


def _hop_power(a: np.ndarray, hop: int, frames: int) -> np.ndarray:
    """Mean square of the signal over [t - hop/2, t + hop/2) around each frame centre t * hop."""
    c = np.r_[0.0, np.cumsum(np.square(a, dtype=np.float64))]
    lo = np.clip(np.arange(frames) * hop - hop // 2, 0, a.size)
    hi = np.clip(np.arange(frames) * hop + (hop - hop // 2), 0, a.size)
    return np.ascontiguousarray((c[hi] - c[lo]) / hop, dtype=np.float32)


def _centre_share(mag: np.ndarray, bins_per_semitone: int) -> float:
    """Share of a (frames, bins) CQT's energy in the bins centred on a semitone (every
    ``bins_per_semitone``-th bin from the first, which is a note): higher when the CQT's tuning
    matches the music's."""
    total = float(np.sum(np.square(mag, dtype=np.float64)))
    return float(np.sum(np.square(mag[:, ::bins_per_semitone], dtype=np.float64))) / total if total > 0 else 0.0


#: Defaults of :func:`recognize_chords`: per chroma kind of ``model="templates"`` ("cqt" tuned on
#: generated songs, seeds 1000-1039, TimGM6mb and FluidR3, tools/bench/chords.py --tune; "stft" the
#: earlier recogniser's), and of ``model="learned"`` (chosen on the training songs' validation split).
CHORD_DEFAULTS = {
    "cqt": dict(self_prob=0.995, sharpness=7.0, no_chord_score=0.3, root_weight=1.0, harmonic_decay=0.6,
                bass_weight=0.5, inversion_weight=0.5, harmonic_subtract=0.0, treble_lo_midi=55.0,
                treble_hi_midi=84.0, bass_hi_midi=52.0, key_weight=0.5),
    "stft": dict(self_prob=0.95, sharpness=30.0, no_chord_score=0.3, root_weight=1.0, harmonic_decay=0.0,
                 bass_weight=0.0, inversion_weight=0.5, key_weight=0.0),
    "learned": dict(self_prob=0.995, emission_scale=0.5, weights=None),
}


def recognize_chords(
    y,
    sample_rate: float,
    *,
    chroma: str = "cqt",
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    tuning: Optional[float] = None,
    silence_db: float = 40.0,
    model: Optional[str] = None,
    **settings,
) -> ChordTrack:
    """Major / minor triads and no-chord per frame, smoothed by an HMM decoded with Viterbi (C++).

    Two scorers feed the HMM. ``model="learned"`` (default with the CQT): a
    small network (``edgeaudio/_chord_model.py``, numpy; weights in
    ``edgeaudio/data/chords.npz``, trained by ``edgeaudio train chords`` on
    generated songs) reads the semitone-level constant-Q spectrum (C1-B7,
    log-compressed, per frame normalised, averaged over the frame and its
    neighbours, the 0.1-0.3 s before and the 0.1-0.3 s after) from each of
    the 12 roots upwards, plus the song's pitch-class profile, with one set
    of weights for every root, and gives the 24 chords' log-posteriors;
    ``emission_scale`` times those are the log emissions. No-chord is
    emitted only in frames ``silence_db`` below the loudest (where it wins
    outright). The HMM stays on a state with probability ``self_prob`` per
    frame and otherwise moves to any other alike.

    ``model="templates"`` (default with ``chroma="stft"``), the earlier
    recogniser: with ``chroma="cqt"`` each frame (``hop_length`` about 46 ms)
    gets a treble and a bass chroma from the same constant-Q transform
    (``chord_features`` in edgeaudio/chroma.h: semitone levels, optional
    removal of each note's upper partials, register weights); with
    ``chroma="stft"`` the :func:`chroma_stft` of long (about 370 ms) frames.
    The treble chroma is compared by cosine to templates of the 24 triads
    and of the maj7, 7 and min7 chords on each root (reported as their major
    / minor triad, as mir_eval's ``majmin`` scores them), each chord note
    counted with its first six partials at weights ``harmonic_decay ** (h -
    1)``; ``sharpness * cosine`` (plus ``bass_weight`` times the bass
    chroma's share on the chord's root, or ``inversion_weight`` of it on the
    third and fifth) is the log emission. No-chord scores ``sharpness *
    no_chord_score`` and wins outright in frames ``silence_db`` below the
    loudest.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sample_rate : float
        Hz, at least 4000 (the CQT drops its top octave below 11 kHz).
    chroma : {"cqt", "stft"}
        The features (see above); ``"stft"`` only with ``model="templates"``.
    n_fft, hop_length, tuning
        Frame settings: ``hop_length`` defaults to about 46 ms ("cqt",
        1024 at 22.05 kHz) or ``n_fft // 4`` ("stft", ``n_fft`` about 370 ms);
        ``tuning`` in semitones ("cqt") or chroma bins ("stft"), estimated
        by default ("cqt": rounded to 0.1 semitone, so that signals share
        the cached CQT kernel, which takes about a second to build the
        first time; an estimate off A440 is kept only if it puts a larger
        share of the CQT's energy on semitone centres than A440 does, since
        one detuned instrument can pull it). ``n_fft`` applies to "stft" only.
    silence_db : float
        Frames this far below the loudest are no-chord.
    model : {"learned", "templates"}, optional
        The scorer (see above); default ``"learned"`` for ``chroma="cqt"``,
        ``"templates"`` for ``chroma="stft"``.
    **settings
        Overrides of :data:`CHORD_DEFAULTS`. ``model="learned"``:
        ``self_prob``, ``emission_scale``, ``weights`` (a path to other
        weights, e.g. from ``edgeaudio train chords``; None: the shipped
        ones). ``model="templates"``, for the chosen ``chroma``:
        ``self_prob``, ``sharpness``, ``no_chord_score``, ``root_weight``,
        ``harmonic_decay``, ``bass_weight``, ``inversion_weight``,
        ``key_weight`` (added to the log emission of the chords of the key
        that :func:`estimate_key`'s method finds in the same CQT: I ii iii
        IV V vi bVII in major; i III iv v VI bVII V IV in minor); and for
        "cqt" the feature settings ``harmonic_subtract``,
        ``treble_lo_midi``, ``treble_hi_midi``, ``bass_hi_midi``.

    Returns
    -------
    ChordTrack
        ``labels`` and ``times`` per frame; ``intervals`` and ``names``
        per segment of equal label (mir_eval's ``(intervals, labels)``).
        Empty ``y`` gives empty arrays.

    Raises
    ------
    ValueError
        NaN / Inf, not 1-D, sample rate below 4 kHz, bad settings (named);
        unreadable or corrupt model weights.
    FileNotFoundError
        The model weights are missing.
    TypeError
        An unknown keyword (or one of the other model's).

    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> x = np.concatenate([sum(np.sin(2 * np.pi * note_to_hz(n) * t) for n in chord)
    ...                     for chord in (("G3", "B3", "D4"), ("E3", "G3", "B3"))] + [np.zeros(sr)])
    >>> recognize_chords(x, sr).names
    ['G:maj', 'E:min', 'N']
    """
    if chroma not in ("cqt", "stft"):
        raise ValueError(f"chroma must be 'cqt' or 'stft', got {chroma!r}")
    if model is None:
        model = "learned" if chroma == "cqt" else "templates"
    if model not in ("learned", "templates"):
        raise ValueError(f"model must be 'learned' or 'templates', got {model!r}")
    if model == "learned" and chroma != "cqt":
        raise ValueError("model='learned' reads the CQT: pass chroma='cqt', or model='templates' for chroma='stft'")
    kind = "learned" if model == "learned" else chroma
    params = dict(CHORD_DEFAULTS[kind])
    unknown = set(settings) - set(params)
    if unknown:
        raise TypeError(f"recognize_chords() got unexpected keyword(s) {sorted(unknown)} for "
                        f"model={model!r}, chroma={chroma!r}")
    params.update(settings)
    a = _mono(y)
    if kind == "learned":
        return _recognize_learned(a, sample_rate, hop_length, tuning, silence_db, params)
    ccfg = _core.ChordConfig()
    ccfg.self_prob = _positive(params["self_prob"], "self_prob")
    ccfg.sharpness = _positive(params["sharpness"], "sharpness")
    ccfg.no_chord_score = _number(params["no_chord_score"], "no_chord_score")
    ccfg.root_weight = _positive(params["root_weight"], "root_weight")
    ccfg.silence_db = _positive(silence_db, "silence_db")
    for name in ("harmonic_decay", "bass_weight", "inversion_weight", "key_weight"):
        setattr(ccfg, name, _number(params[name], name))
    try:
        ccfg.validate()
    except ValueError as e:
        raise ValueError(f"invalid chord settings: {e}") from None
    if chroma == "stft":
        if n_fft is None and isinstance(sample_rate, (int, float, np.integer, np.floating)) and sample_rate > 0:
            n_fft = next_fast_len(int(round(0.3715 * sample_rate)))  # 8192 at 22.05 kHz
        cfg = _chroma_config(sample_rate, n_fft, hop_length, 12, tuning, 5.0, 2.0)
        frames, _, energy = _core.chroma_stft(a, cfg, tuning is None)
        bass = None
        hop, sr = cfg.hop_length, cfg.sample_rate_hz
    else:
        fcfg = _core.ChordFeatureConfig()
        for name in ("harmonic_subtract", "treble_lo_midi", "treble_hi_midi", "bass_hi_midi"):
            setattr(fcfg, name, _number(params[name], name))
        try:
            fcfg.validate()
        except ValueError as e:
            raise ValueError(f"invalid chord settings: {e}") from None
        mag, cfg = _chord_cqt(a, sample_rate, hop_length, tuning)
        frames, bass = _core.chord_features(mag, cfg, fcfg)
        hop, sr = cfg.hop_length, cfg.sample_rate_hz
        if ccfg.key_weight > 0 and mag.shape[0] and np.any(a):
            ccfg.key_tonic, ccfg.key_minor = _core.key_estimate(_core.cqt_chroma(mag, cfg, 12))[:2]
        energy = _hop_power(a, hop, frames.shape[0])
    labels = _core.chord_recognize(frames, energy, ccfg, bass)
    return _chord_track(labels, hop / sr, a.size / sr)


def _chord_cqt(a: np.ndarray, sample_rate, hop_length, tuning) -> Tuple[np.ndarray, "_core.CqtConfig"]:
    """The chord recognisers' CQT: (frames, 36 * octaves) magnitudes from C1, three bins per
    semitone, about 46 ms hops, at the estimated (or given) tuning; and its config."""
    sr = _positive(sample_rate, "sample_rate")
    if hop_length is None:
        hop_length = 1 << max(0, int(round(math.log2(0.0464 * sr))))  # 1024 at 22.05 kHz
    estimated = tuning is None
    if estimated:
        # to 0.1 semitone: 5 cents do not move a pitch class, and the CQT kernel (built once per
        # configuration, about a second) is then shared by every signal near that tuning
        tuning = round(estimate_tuning(a, sr), 1) if a.size else 0.0
    t = _number(tuning, "tuning")
    if not abs(t) <= 0.5:
        raise ValueError(f"tuning must be in [-0.5, 0.5] semitones, got {tuning}")
    octaves = 7 if sr >= 11025 else 6
    cfg = _cqt_config(sr, hop_length, C1_HZ, 36 * octaves, 36, 3.0 * t, 1.0, 0.01)
    mag = _core.cqt(a, cfg)
    if estimated and t != 0.0:
        # the spectral-peak estimate can be pulled off by one detuned instrument (a musette
        # accordion's beating reeds read 0.37 semitone sharp in a song that is at A440): keep
        # it only if it puts more of the CQT's energy on the semitone centres than A440 does
        cfg0 = _cqt_config(sr, hop_length, C1_HZ, 36 * octaves, 36, 0.0, 1.0, 0.01)
        mag0 = _core.cqt(a, cfg0)
        if _centre_share(mag0, 3) >= _centre_share(mag, 3):
            cfg, mag = cfg0, mag0
    return mag, cfg


def _recognize_learned(a: np.ndarray, sample_rate, hop_length, tuning, silence_db, params) -> ChordTrack:
    """recognize_chords(model="learned"): the network's log-posteriors as HMM emissions."""
    from . import _chord_model

    self_prob = _positive(params["self_prob"], "self_prob")
    if not self_prob < 1.0:
        raise ValueError(f"self_prob must be in (0, 1), got {self_prob}")
    scale = _positive(params["emission_scale"], "emission_scale")
    silence_db = _positive(silence_db, "silence_db")
    net = _chord_model.load(params["weights"])
    mag, cfg = _chord_cqt(a, sample_rate, hop_length, tuning)
    hop, sr = cfg.hop_length, cfg.sample_rate_hz
    n = mag.shape[0]
    if n == 0 or not np.any(a):
        return _chord_track(np.full(n, 24, np.int32), hop / sr, a.size / sr)
    z = net.logits(_chord_model.semitone_spectrum(mag)).astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    energy = _hop_power(a, hop, n).astype(np.float64)
    silent = energy <= energy.max() * 10.0 ** (-silence_db / 10.0)
    emission = np.empty((n, 25))
    emission[:, :24] = scale * logp
    emission[:, 24] = -1e3          # no-chord only where it is silent
    emission[silent, :24] = -1e3
    emission[silent, 24] = 0.0
    k = 25
    trans = np.full((k, k), math.log((1.0 - self_prob) / (k - 1)))
    np.fill_diagonal(trans, math.log(self_prob))
    labels = viterbi(emission, trans, np.full(k, -math.log(k)))
    return _chord_track(labels, hop / sr, a.size / sr)


def _chord_track(labels: np.ndarray, hop_s: float, end_s: float) -> ChordTrack:
    labels = np.asarray(labels, dtype=np.int32)
    times = np.arange(labels.size) * hop_s
    if labels.size == 0:
        return ChordTrack(labels, times, np.zeros((0, 2)), [])
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    # frame k covers [k - 1/2, k + 1/2) hops; the last segment ends with the signal
    bounds = np.r_[np.maximum(starts * hop_s - hop_s / 2, 0.0), end_s]
    intervals = np.stack([bounds[:-1], bounds[1:]], axis=1)
    return ChordTrack(labels, times, intervals, [CHORD_LABELS[k] for k in labels[starts]])


def viterbi(log_emission, log_transition, log_initial) -> np.ndarray:
    """Most likely hidden-state path of an HMM (Viterbi, in the C++ core).

    Parameters
    ----------
    log_emission : array_like, shape (frames, states)
        Log-likelihood of each frame under each state.
    log_transition : array_like, shape (states, states)
        ``log P(next = j | current = i)`` at ``[i, j]``.
    log_initial : array_like, shape (states,)
        Log prior of the first state.

    Returns
    -------
    np.ndarray
        int32 state per frame (ties go to the lowest state index).

    >>> e = np.log([[0.9, 0.1], [0.4, 0.6], [0.9, 0.1]])
    >>> viterbi(e, np.log([[0.9, 0.1], [0.1, 0.9]]), np.log([0.5, 0.5])).tolist()
    [0, 0, 0]
    """
    arrays = []
    for name, v, nd in (("log_emission", log_emission, 2), ("log_transition", log_transition, 2),
                        ("log_initial", log_initial, 1)):
        a = np.asarray(v)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
        if a.ndim != nd:
            raise ValueError(f"{name} must be {nd}-D, got shape {a.shape}")
        if np.any(np.isnan(a)):
            raise ValueError(f"{name} contains NaN")
        arrays.append(np.ascontiguousarray(a, dtype=np.float32))
    e, t, i = arrays
    k = e.shape[1]
    if t.shape != (k, k) or i.shape != (k,):
        raise ValueError(f"log_transition must be ({k}, {k}) and log_initial ({k},) for {k} states, "
                         f"got {t.shape} and {i.shape}")
    return _core.viterbi(e, t, i)
