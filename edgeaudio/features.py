"""Audio features on the C++ frontend: STFT, spectrogram, mel, log-mel, MFCC, PCEN, deltas.

One :class:`FrontendConfig` describes every stage (framing, pre-emphasis, DC
removal, window, spectrum, mel filterbank, log / dB / PCEN, DCT, lifter). It
serialises to JSON for a model's manifest, and the same C++ code computes it in
training (the batch functions here) and on the device (:class:`Frontend`, or
``edgeaudio::frontend::Frontend`` in C++), so a model sees the features it was
trained on.

Batch functions (:func:`stft`, :func:`spectrogram`, :func:`melspectrogram`,
:func:`logmel`, :func:`mfcc`, :func:`compute`) take audio of shape
``(..., samples)`` and return ``(..., frames, dims)``: time is the
second-to-last axis (librosa puts it last; transpose to compare).
:class:`Frontend` takes chunks of any length and returns the frames they
complete; for every chunking its frames, followed by those of
:meth:`Frontend.flush`, equal the batch output for the same config.

Input
-----
float32 audio is used as is; other floats are cast to float32; int16 PCM is
scaled by 1/32768 and int32 PCM by 1/2**31 (so full scale is [-1, 1)); other
dtypes raise ``TypeError``. NaN or infinite samples raise ``ValueError`` naming
the sample. Pass ``sample_rate=`` to have the rate checked against the config.

Frames and padding
------------------
``padding="none"``: frames lie inside the signal (``1 + (n - extent) // hop``
frames, none when the signal is shorter than a frame); ``"center"`` (librosa's
``center=True`` with zero padding): ``extent // 2`` zeros on each side, so
``1 + n // hop`` frames for even extents; ``"end"`` (python_speech_features):
zeros after the end so every sample is in a frame (one frame for
``0 < n <= extent``). Empty input gives ``(..., 0, dims)`` in every mode.
Streaming handles the padding the same way: the leading zeros of ``"center"``
are in the stream from the start (the first frame appears once
``extent - extent // 2`` samples have arrived), and the trailing zeros are
added by :meth:`Frontend.flush`, which emits the last frames and resets.

``top_db`` (librosa's ``power_to_db`` clip at the clip's maximum minus
``top_db``) depends on the whole clip: the batch functions apply it per signal
(librosa takes the maximum over all channels at once), a :class:`Frontend`
refuses it. The ``librosa`` preset has it (librosa's default); use
``config.replace(top_db=None)`` to stream.

Examples
--------
>>> import numpy as np
>>> from edgeaudio import features
>>> cfg = features.FrontendConfig.preset("kws")
>>> x = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
>>> features.logmel(x, cfg).shape
(49, 40)
>>> fe = features.Frontend(cfg)
>>> parts = [fe.push(c) for c in np.array_split(x, 7)] + [fe.flush()]
>>> bool(np.array_equal(np.concatenate(parts), features.logmel(x, cfg)))
True
"""
from __future__ import annotations

import dataclasses
import decimal
import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _core

__all__ = [
    "FrontendConfig",
    "Frontend",
    "PRESETS",
    "OUTPUTS",
    "stft",
    "spectrogram",
    "melspectrogram",
    "logmel",
    "mfcc",
    "compute",
    "delta",
    "window",
    "mel_filterbank",
]

#: Names accepted by :meth:`FrontendConfig.preset`.
PRESETS: Tuple[str, ...] = ("librosa", "speech_features", "kws", "kaldi")
#: What a frame holds, in pipeline order.
OUTPUTS: Tuple[str, ...] = ("stft", "spectrum", "mel", "logmel", "mfcc")

_CHOICES = {
    "window": ("hann", "hamming", "povey", "rectangular"),
    "window_placement": ("center", "left"),
    "padding": ("none", "center", "end"),
    "mel_scale": ("slaney", "htk"),
    "mel_norm": ("none", "slaney"),
    "mel_triangles": ("hz", "mel", "fft_bin"),
    "compression": ("none", "log", "db", "log_offset", "pcen"),
    "lifter_style": ("htk", "librosa"),
    "output": OUTPUTS,
}
_INTS = ("sample_rate", "n_fft", "win_length", "hop_length", "spectrum_power", "n_mels", "n_mfcc")
_BOOLS = ("window_periodic", "preemphasis_per_frame", "remove_dc", "energy_as_c0")
_OPTIONAL = ("fmax_hz", "top_db")

_FLT_EPSILON = float(np.finfo(np.float32).eps)
_DBL_EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class FrontendConfig:
    """Everything the frontend computes, validated at construction.

    Build one from a preset (:meth:`preset`) and adjust with :meth:`replace`,
    or give the fields directly. Invalid values raise ``ValueError`` (bad
    types ``TypeError``) naming the field. Frozen and hashable; JSON through
    :meth:`to_json` / :meth:`from_json`.

    Parameters
    ----------
    sample_rate : int
        Hz. The batch functions and :meth:`Frontend.push` check it when given
        a ``sample_rate``.
    n_fft : int
        FFT length (any length :func:`edgeaudio.fft.is_supported_size`
        accepts; 2/3/5-smooth lengths are fastest). ``n_fft // 2 + 1`` bins.
    win_length, hop_length : int
        Window length (<= ``n_fft``) and hop, in samples.
    window : {"hann", "hamming", "povey", "rectangular"}
    window_periodic : bool
        Periodic (DFT-even, librosa / scipy ``fftbins=True``) or symmetric
        (Kaldi's povey) window.
    window_placement : {"center", "left"}
        "center": frames are ``n_fft`` long with the window centred in them
        (librosa); "left": frames are ``win_length`` long, zero-padded to
        ``n_fft`` (python_speech_features, Kaldi, TFLite Micro).
    padding : {"none", "center", "end"}
        See the module notes.
    preemphasis : float
        ``y[n] = x[n] - a x[n-1]`` on the signal (``y[0] = x[0]``), or inside
        each frame with ``preemphasis_per_frame`` (Kaldi: ``y[0] = x[0] - a x[0]``).
    remove_dc : bool
        Subtract each frame's mean (Kaldi), before per-frame pre-emphasis.
    spectrum_power : {1, 2}
        Magnitude or power spectrum, multiplied by ``spectrum_scale``
        (python_speech_features uses ``1 / n_fft``).
    n_mels, fmin_hz, fmax_hz
        Mel bands and their range (``fmax_hz=None``: Nyquist).
    mel_scale : {"slaney", "htk"}
    mel_norm : {"none", "slaney"}
        "slaney": each triangle scaled by 2 / (its width in Hz), librosa's default.
    mel_triangles : {"hz", "mel", "fft_bin"}
        Triangles linear in Hz (librosa), in mel (Kaldi), or over FFT-bin
        indices with edges floored to bins (python_speech_features); the
        last two need ``mel_scale="htk"``.
    compression : {"none", "log", "db", "log_offset", "pcen"}
        "log": ``ln(max(x, log_floor))``; "db": ``10 log10(max(x, log_floor))
        - 10 log10(max(db_ref, log_floor))``, then the ``top_db`` clip (batch);
        "log_offset": ``ln(x + log_offset)``; "pcen": per-channel energy
        normalisation as ``librosa.pcen`` (``pcen_*`` fields, smoother state
        starting at 1).
    n_mfcc, lifter, lifter_style
        Orthonormal DCT-II of the compressed mel bands, first ``n_mfcc``
        coefficients, lifter ``1 + L/2 sin(pi i / L)`` ("htk": i from 0;
        "librosa": i from 1), 0 = none.
    energy_as_c0 : bool
        Replace c0 by the compressed sum of the spectrum (python_speech_features'
        ``appendEnergy``).
    output : {"stft", "spectrum", "mel", "logmel", "mfcc"}
        What :class:`Frontend` and :func:`compute` produce.
    """

    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 400
    hop_length: int = 160
    window: str = "hann"
    window_periodic: bool = True
    window_placement: str = "left"
    padding: str = "none"
    preemphasis: float = 0.0
    preemphasis_per_frame: bool = False
    remove_dc: bool = False
    spectrum_power: int = 2
    spectrum_scale: float = 1.0
    n_mels: int = 40
    fmin_hz: float = 0.0
    fmax_hz: Optional[float] = None
    mel_scale: str = "htk"
    mel_norm: str = "none"
    mel_triangles: str = "hz"
    compression: str = "log"
    log_floor: float = 1e-10
    log_offset: float = 1e-6
    db_ref: float = 1.0
    top_db: Optional[float] = None
    pcen_time_constant_s: float = 0.4
    pcen_gain: float = 0.98
    pcen_bias: float = 2.0
    pcen_power: float = 0.5
    pcen_eps: float = 1e-6
    n_mfcc: int = 13
    lifter: float = 0.0
    lifter_style: str = "htk"
    energy_as_c0: bool = False
    output: str = "logmel"
    _native: Any = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if f.name == "_native":
                continue
            object.__setattr__(self, f.name, _coerce(f.name, getattr(self, f.name)))
        native = _core.FrontendConfig()
        for name in _core.FrontendConfig.field_names():
            native.set(name, _text(getattr(self, name)))
        native.validate()
        object.__setattr__(self, "_native", native)

    def __reduce__(self):
        return (FrontendConfig.from_dict, (self.to_dict(),))

    # ---- construction ----------------------------------------------------

    @classmethod
    def preset(cls, name: str, sample_rate: Optional[int] = None, **overrides: Any) -> "FrontendConfig":
        """A named configuration, optionally with fields overridden.

        Parameters
        ----------
        name : {"librosa", "speech_features", "kws", "kaldi"}
            ``"librosa"``: ``librosa.feature.melspectrogram`` /
            ``power_to_db`` / ``mfcc`` defaults of librosa 0.11 (sr 22050,
            2048-point FFT, hop 512, hann, centred frames with zero padding,
            power, 128 Slaney mels with Slaney norm, dB with amin 1e-10 and
            top_db 80, 20 MFCCs); its lifter style is librosa's for when you
            set ``lifter``.
            ``"speech_features"``: python_speech_features 0.6 ``logfbank`` /
            ``mfcc`` defaults (25 ms / 10 ms rounded half up, 512-point FFT (the
            next power of two if the window is longer), rectangular window,
            pre-emphasis 0.97, end padding, power / n_fft, 26 HTK mels on
            floored FFT bins, natural log, 13 MFCCs with lifter 22 and the
            log energy as c0).
            ``"kws"``: the TFLite Micro micro_speech geometry (30 ms window,
            20 ms hop, 512-point FFT, 40 HTK mels from 125 to 7500 Hz, hann,
            no padding) with ``ln(x + 1e-6)``; for a 10 ms hop pass
            ``hop_length=sample_rate // 100``.
            ``"kaldi"``: Kaldi-like fbank / MFCC (25 ms / 10 ms, no padding
            (snip-edges), DC removal, pre-emphasis 0.97 per frame, symmetric
            povey window, power, 23 mels from 20 Hz triangular in mel, log
            floored at FLT_EPSILON, 13 MFCCs with lifter 22; no dither, and
            c0 is the DCT's, not the frame energy).
            All presets output ``"logmel"``.
        sample_rate : int, optional
            Hz; default 22050 for librosa, 16000 for the others.
        **overrides
            Field values replacing the preset's.

        Raises
        ------
        ValueError
            Unknown preset, or a resulting field is invalid.
        """
        makers = {
            "librosa": _preset_librosa,
            "speech_features": _preset_speech_features,
            "kws": _preset_kws,
            "kaldi": _preset_kaldi,
        }
        if name not in makers:
            raise ValueError(f"unknown preset {name!r}; expected one of {', '.join(PRESETS)}")
        sr = _coerce("sample_rate", sample_rate if sample_rate is not None else (22050 if name == "librosa" else 16000))
        if sr <= 0:
            raise ValueError(f"FrontendConfig.sample_rate: must be > 0 Hz, got {sr}")
        fields_ = makers[name](sr)
        unknown = set(overrides) - _field_names()
        if unknown:
            raise ValueError(f"FrontendConfig has no field {sorted(unknown)[0]!r}")
        fields_.update(overrides)
        return cls(**fields_)

    def replace(self, **changes: Any) -> "FrontendConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # ---- serialisation -------------------------------------------------------

    def to_dict(self) -> Dict[str, Any]:
        """Field name -> value (JSON types)."""
        return {name: getattr(self, name) for name in _field_order()}

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "FrontendConfig":
        """Inverse of :meth:`to_dict`; missing fields take this version's defaults."""
        if not isinstance(d, dict):
            raise TypeError(f"FrontendConfig.from_dict expects a dict, got {type(d).__name__}")
        unknown = set(d) - _field_names()
        if unknown:
            raise ValueError(f"FrontendConfig has no field {sorted(unknown)[0]!r}")
        return cls(**d)

    def to_json(self, indent: Optional[int] = None) -> str:
        """JSON object of all fields (what a model manifest stores)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> "FrontendConfig":
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    # ---- geometry ----------------------------------------------------------------

    @property
    def n_bins(self) -> int:
        """FFT bins, ``n_fft // 2 + 1``."""
        return self.n_fft // 2 + 1

    def num_frames(self, n_samples: int) -> int:
        """Frames the batch functions return for ``n_samples`` samples."""
        n = int(n_samples)
        if n < 0:
            raise ValueError(f"n_samples must be >= 0, got {n}")
        return int(self._native.num_frames(n))

    def output_size(self, output: Optional[str] = None) -> int:
        """Values per frame of ``output`` (default ``self.output``; "stft": bins)."""
        out = _check_output(output if output is not None else self.output)
        return self.n_bins if out == "stft" else int(self._native.output_size(out))


def _field_order() -> Tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(FrontendConfig) if f.name != "_native")


def _field_names() -> set:
    return set(_field_order())


def _coerce(name: str, v: Any) -> Any:
    where = f"FrontendConfig.{name}"
    if name in _OPTIONAL and v is None:
        return None
    if name in _BOOLS:
        if not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{where}: expected a bool, got {type(v).__name__}")
        return bool(v)
    if name in _INTS:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, float, np.floating)):
            raise TypeError(f"{where}: expected an integer, got {type(v).__name__}")
        if not float(v).is_integer():
            raise ValueError(f"{where}: expected an integer, got {v!r}")
        return int(v)
    if name in _CHOICES:
        if not isinstance(v, str):
            raise TypeError(f"{where}: expected a string, one of {', '.join(_CHOICES[name])}; got {type(v).__name__}")
        if v not in _CHOICES[name]:
            raise ValueError(f"{where}: unknown value {v!r} (expected one of {', '.join(_CHOICES[name])})")
        return v
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where}: expected a number, got {type(v).__name__}")
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{where}: must be finite, got {v!r}")
    return v


def _text(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _round_half_up(x: float) -> int:
    # python_speech_features.sigproc.round_half_up
    return int(decimal.Decimal(x).quantize(decimal.Decimal("1"), rounding=decimal.ROUND_HALF_UP))


def _next_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def _preset_librosa(sr: int) -> Dict[str, Any]:
    return dict(
        sample_rate=sr, n_fft=2048, win_length=2048, hop_length=512, window="hann", window_periodic=True,
        window_placement="center", padding="center", spectrum_power=2, n_mels=128, fmin_hz=0.0, fmax_hz=None,
        mel_scale="slaney", mel_norm="slaney", mel_triangles="hz", compression="db", log_floor=1e-10,
        db_ref=1.0, top_db=80.0, n_mfcc=20, lifter=0.0, lifter_style="librosa", output="logmel",
    )


def _preset_speech_features(sr: int) -> Dict[str, Any]:
    win = _round_half_up(0.025 * sr)
    n_fft = 512 if win <= 512 else _next_pow2(win)
    return dict(
        sample_rate=sr, n_fft=n_fft, win_length=win, hop_length=_round_half_up(0.01 * sr),
        window="rectangular", window_placement="left", padding="end", preemphasis=0.97,
        spectrum_power=2, spectrum_scale=1.0 / n_fft, n_mels=26, fmin_hz=0.0, fmax_hz=None, mel_scale="htk",
        mel_norm="none", mel_triangles="fft_bin", compression="log", log_floor=_DBL_EPSILON, n_mfcc=13,
        lifter=22.0, lifter_style="htk", energy_as_c0=True, output="logmel",
    )


def _preset_kws(sr: int) -> Dict[str, Any]:
    win = round(0.030 * sr)
    return dict(
        sample_rate=sr, n_fft=_next_pow2(win), win_length=win, hop_length=round(0.020 * sr), window="hann",
        window_periodic=True, window_placement="left", padding="none", spectrum_power=2, n_mels=40,
        fmin_hz=125.0, fmax_hz=7500.0, mel_scale="htk", mel_norm="none", mel_triangles="hz",
        compression="log_offset", log_offset=1e-6, n_mfcc=13, output="logmel",
    )


def _preset_kaldi(sr: int) -> Dict[str, Any]:
    win = round(0.025 * sr)
    return dict(
        sample_rate=sr, n_fft=_next_pow2(win), win_length=win, hop_length=round(0.010 * sr), window="povey",
        window_periodic=False, window_placement="left", padding="none", preemphasis=0.97,
        preemphasis_per_frame=True, remove_dc=True, spectrum_power=2, n_mels=23, fmin_hz=20.0, fmax_hz=None,
        mel_scale="htk", mel_norm="none", mel_triangles="mel", compression="log", log_floor=_FLT_EPSILON,
        n_mfcc=13, lifter=22.0, lifter_style="htk", output="logmel",
    )


# ---- input checks ------------------------------------------------------------------


def _check_config(config: Any) -> FrontendConfig:
    if not isinstance(config, FrontendConfig):
        raise TypeError(
            f"config must be an edgeaudio.features.FrontendConfig (e.g. FrontendConfig.preset('kws')), "
            f"got {type(config).__name__}"
        )
    return config


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise ValueError(f"output: unknown value {output!r} (expected one of {', '.join(OUTPUTS)})")
    return output


def _check_rate(sample_rate: Optional[float], config: FrontendConfig) -> None:
    if sample_rate is None:
        return
    if float(sample_rate) != float(config.sample_rate):
        raise ValueError(
            f"sample_rate={sample_rate} Hz does not match config.sample_rate={config.sample_rate} Hz; "
            f"resample the audio, or build the config for this rate "
            f"(FrontendConfig.preset(name, sample_rate={sample_rate}))"
        )


def _as_audio(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == np.float32:
        pass
    elif a.dtype.kind == "f":
        a = a.astype(np.float32)
    elif a.dtype == np.int16:
        a = a.astype(np.float32) * np.float32(1.0 / 32768.0)
    elif a.dtype == np.int32:
        a = a.astype(np.float32) * np.float32(1.0 / 2147483648.0)
    else:
        raise TypeError(
            f"{name} must be float audio or int16 / int32 PCM, got dtype {a.dtype} "
            f"(convert it, e.g. x.astype(np.float32) / scale)"
        )
    if a.ndim == 0:
        raise ValueError(f"{name} must have a samples axis, got a scalar")
    return a


def _batch(x: Any, config: FrontendConfig, output: str, sample_rate: Optional[float]) -> np.ndarray:
    cfg = _check_config(config)
    _check_rate(sample_rate, cfg)
    a = _as_audio(x, "x")
    lead = a.shape[:-1]
    rows = int(np.prod(lead, dtype=np.int64)) if lead else 1
    flat = np.ascontiguousarray(a.reshape(rows, a.shape[-1]))
    out = _core.frontend_compute(cfg._native, flat, output)
    return out.reshape(lead + out.shape[1:])


# ---- batch API ---------------------------------------------------------------------


def stft(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """Short-time Fourier transform of the windowed frames.

    Parameters
    ----------
    x : array_like, shape (..., samples)
        Audio (see the module notes for dtypes).
    config : FrontendConfig
        Framing, padding, pre-emphasis and window are used.
    sample_rate : float, optional
        If given, must equal ``config.sample_rate``.

    Returns
    -------
    numpy.ndarray, complex64, shape (..., frames, n_bins)
        The window sits at the start of the FFT buffer, so phases differ from
        librosa's (which centres a shorter window in the frame) by a linear
        phase; magnitudes agree.

    Raises
    ------
    TypeError
        Unsupported dtype or config type.
    ValueError
        NaN / Inf in ``x``, or a sample-rate mismatch.
    """
    return _batch(x, config, "stft", sample_rate)


def spectrogram(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """Power (``spectrum_power=2``) or magnitude spectrogram times ``spectrum_scale``.

    Returns
    -------
    numpy.ndarray, float32, shape (..., frames, n_bins)

    See :func:`stft` for parameters and errors.
    """
    return _batch(x, config, "spectrum", sample_rate)


def melspectrogram(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """Mel-band energies before compression (``librosa.feature.melspectrogram``).

    Returns
    -------
    numpy.ndarray, float32, shape (..., frames, n_mels)

    See :func:`stft` for parameters and errors.
    """
    return _batch(x, config, "mel", sample_rate)


def logmel(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """Compressed mel-band energies: log, dB (with ``top_db``), log-offset or PCEN.

    With the ``librosa`` preset this is ``librosa.power_to_db(
    librosa.feature.melspectrogram(y=x, sr=sr)).T``; with ``speech_features``
    it is ``python_speech_features.logfbank(x)``.

    Returns
    -------
    numpy.ndarray, float32, shape (..., frames, n_mels)

    See :func:`stft` for parameters and errors.

    Examples
    --------
    >>> import numpy as np
    >>> from edgeaudio import features
    >>> cfg = features.FrontendConfig.preset("librosa")
    >>> features.logmel(np.zeros(22050, np.float32), cfg).shape
    (44, 128)
    """
    return _batch(x, config, "logmel", sample_rate)


def mfcc(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """Mel-frequency cepstral coefficients: orthonormal DCT-II of :func:`logmel`, liftered.

    With the ``librosa`` preset this is ``librosa.feature.mfcc(y=x, sr=sr).T``;
    with ``speech_features`` it is ``python_speech_features.mfcc(x)``.

    Returns
    -------
    numpy.ndarray, float32, shape (..., frames, n_mfcc)

    See :func:`stft` for parameters and errors.
    """
    return _batch(x, config, "mfcc", sample_rate)


def compute(x: Any, config: FrontendConfig, *, sample_rate: Optional[float] = None) -> np.ndarray:
    """What ``config.output`` names (what a :class:`Frontend` streams), in batch."""
    return _batch(x, config, _check_config(config).output, sample_rate)


def delta(features: Any, width: int = 9, order: int = 1, axis: int = -2) -> np.ndarray:
    """Delta (``order=1``) or delta-delta (``order=2``) features, as ``librosa.feature.delta``.

    The ``order``-th derivative of a local least-squares polynomial fit of
    degree ``order`` over ``width`` frames (Savitzky-Golay), with edge frames
    taken from the fit of the first / last ``width`` frames (librosa's default
    ``mode="interp"``). Computed in C++ in double precision, returned in
    float32.

    Parameters
    ----------
    features : array_like, shape (..., frames, dims)
        E.g. the output of :func:`mfcc`.
    width : int
        Odd, >= 3, at most the number of frames.
    order : int
        >= 1 and < ``width``.
    axis : int
        The time axis; default -2 (this module's layout; librosa's is -1).

    Returns
    -------
    numpy.ndarray, float32, same shape as ``features``.

    Raises
    ------
    ValueError
        Bad ``width`` / ``order``, or fewer frames than ``width``.
    """
    a = np.asarray(features)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"features must be a real numeric array, got dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError("features must have a time axis, got a scalar")
    for name, v in (("width", width), ("order", order)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    width, order = int(width), int(order)
    if width < 3 or width % 2 != 1:
        raise ValueError(f"width must be an odd integer >= 3, got {width}")
    if not 1 <= order < width:
        raise ValueError(f"order must be in [1, width - 1 = {width - 1}], got {order}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array of dimension {a.ndim}")
    if a.shape[axis] < width:
        raise ValueError(f"width={width} needs at least {width} frames along axis {axis}, got {a.shape[axis]}")
    moved = np.moveaxis(a.astype(np.float32, copy=False), axis, -1)  # (..., frames)
    lead = moved.shape[:-1]
    rows = int(np.prod(lead, dtype=np.int64)) if lead else 1
    flat = np.ascontiguousarray(moved.reshape(rows, moved.shape[-1], 1))
    if rows > 1:
        # one call over (1, frames, rows): the dims axis vectorises the filter
        flat = np.ascontiguousarray(flat[:, :, 0].T)[None]
        out = _core.frontend_delta(flat, width, order)[0].T
    else:
        out = _core.frontend_delta(flat, width, order)[..., 0]
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def window(config: FrontendConfig) -> np.ndarray:
    """The analysis window, float32 ``(win_length,)``."""
    return _core.frontend_window(_check_config(config)._native)


def mel_filterbank(config: FrontendConfig) -> np.ndarray:
    """The mel filterbank, float32 ``(n_mels, n_bins)`` (``librosa.filters.mel`` layout)."""
    return _core.frontend_mel_filterbank(_check_config(config)._native)


# ---- streaming ---------------------------------------------------------------------


class Frontend:
    """Streaming frontend: push chunks of any length, get the frames they complete.

    For any chunking, the frames of all :meth:`push` calls followed by those
    of :meth:`flush` equal the batch output (:func:`compute`, or the function
    for ``output``) for the same config. The C++ core allocates nothing per
    call; each call returns a new array. One object serves one stream; calls
    from several threads are serialised.

    Parameters
    ----------
    config : FrontendConfig
        Must not set ``top_db`` for the "logmel" and "mfcc" outputs (it
        needs the whole clip).
    output : str, optional
        One of :data:`OUTPUTS`; default ``config.output``.

    Raises
    ------
    ValueError
        ``top_db`` set, or an unknown ``output``.

    Examples
    --------
    >>> import numpy as np
    >>> from edgeaudio.features import Frontend, FrontendConfig
    >>> fe = Frontend(FrontendConfig.preset("kws", hop_length=160))
    >>> fe.push(np.zeros(479, np.float32)).shape
    (0, 40)
    >>> fe.push(np.zeros(161, np.float32)).shape
    (2, 40)
    """

    def __init__(self, config: FrontendConfig, output: Optional[str] = None) -> None:
        self._config = _check_config(config)
        self._output = _check_output(output if output is not None else config.output)
        self._native = _core.Frontend(config._native, self._output)

    @property
    def config(self) -> FrontendConfig:
        return self._config

    @property
    def output(self) -> str:
        return self._output

    @property
    def output_size(self) -> int:
        """Values per frame (bins for "stft")."""
        return self._config.output_size(self._output)

    @property
    def samples_pushed(self) -> int:
        """Samples pushed since the last reset (or flush)."""
        return int(self._native.samples_pushed)

    def push(self, chunk: Any, sample_rate: Optional[float] = None) -> np.ndarray:
        """Add samples; return the frames they complete.

        Parameters
        ----------
        chunk : array_like, shape (samples,)
            Any length, including 0 and 1 (dtypes as for the batch functions).
        sample_rate : float, optional
            If given, must equal ``config.sample_rate``.

        Returns
        -------
        numpy.ndarray, shape (frames, dims)
            float32 (complex64 for "stft"); ``frames`` may be 0.

        Raises
        ------
        ValueError
            NaN / Inf in the chunk (nothing is consumed), a chunk that is not
            1-D, or a sample-rate mismatch.
        """
        _check_rate(sample_rate, self._config)
        a = _as_audio(chunk, "chunk")
        if a.ndim != 1:
            raise ValueError(f"chunk must be 1-D (mono samples), got shape {a.shape}")
        return self._native.push(np.ascontiguousarray(a))

    def flush(self) -> np.ndarray:
        """End the stream: return the frames that reach into the end padding, then reset."""
        return self._native.flush()

    def reset(self) -> None:
        """Drop the stream's state; the next sample starts a new signal."""
        self._native.reset()

    def __repr__(self) -> str:
        return f"Frontend(output={self._output!r}, samples_pushed={self.samples_pushed}, config={self._config!r})"
