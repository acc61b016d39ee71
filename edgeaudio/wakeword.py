"""Streaming wake-word spotting: frontend + int8 model at a fixed stride + :class:`~edgeaudio.models.Detector`.

A wake-word model classifies a fixed window of log-mel frames (``frames``
frames of the manifest's ``frontend``, about 1.5 s) as "negative" or the
wake phrase. :class:`WakeWordSpotter` runs it on a live stream the way a
device does:

1. every pushed chunk goes through the streaming C++ frontend
   (:class:`edgeaudio.features.Frontend`), which returns the frames it completes;
2. the last ``frames`` frames are kept in a ring;
3. every ``stride_frames`` new frames (the manifest's ``stride_ms``), once the
   ring is full, the model is invoked once on the window;
4. the posterior goes to the detector (smoothing, threshold, patience,
   refractory period, from the manifest's ``detector`` settings).

So the cost per audio second is the frontend plus ``1000 / stride_ms``
invokes, whatever the chunk size, and the detections are the same for any
chunking of the input.

Examples
--------
>>> from edgeaudio.wakeword import WakeWordSpotter
>>> spotter = WakeWordSpotter.from_bundled("hey_jarvis")      # doctest: +SKIP
>>> for det in spotter.push(chunk):                           # doctest: +SKIP
...     print(f"{det.label} at {det.time_s:.2f} s")
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Union

import numpy as np

from . import features, runtime
from .models import Detector

__all__ = ["WakeWordSpotter", "WakeDetection"]


class WakeDetection(NamedTuple):
    """A detection: ``time_s`` is the end of the window that fired, in seconds since the stream start."""

    time_s: float
    label: str
    score: float


class WakeWordSpotter:
    """One wake-word model on one audio stream.

    Parameters
    ----------
    model : path or :class:`edgeaudio.runtime.Model`
        The ``.tflite`` file (or a loaded model).
    entry : dict
        The model's manifest entry: ``frontend``, ``frames``, ``stride_ms``,
        ``labels`` and ``detector`` are used. ``detector`` keys
        (``threshold``, ``smoothing_frames``, ``patience``, ``refractory_s``)
        can be overridden with the keyword arguments.
    expected_sha256 : str, optional
        Refuse a model file with another digest (default: the entry's ``sha256``
        when ``model`` is a path).

    Raises
    ------
    ValueError
        An entry without the keys above, or a model whose input does not hold
        ``frames`` x ``n_mels`` features.
    """

    def __init__(self, model: Union[str, Path, "runtime.Model"], entry: Dict[str, Any], *,
                 threshold: Optional[float] = None, smoothing: Optional[int] = None,
                 patience: Optional[int] = None, refractory_s: Optional[float] = None,
                 expected_sha256: Optional[str] = None) -> None:
        for key in ("frontend", "frames", "stride_ms", "labels"):
            if key not in entry:
                raise ValueError(f"entry must have {key!r} (a wake-word manifest entry)")
        self.entry = entry
        if isinstance(model, runtime.Model):
            self.model = model
        else:
            self.model = runtime.load(model, expected_sha256=expected_sha256 or entry.get("sha256"), num_threads=1)
        self.config = features.FrontendConfig.from_dict(entry["frontend"])
        self.frames = int(entry["frames"])
        self.stride_ms = float(entry["stride_ms"])
        hop_ms = 1000.0 * self.config.hop_length / self.config.sample_rate
        self.stride_frames = int(round(self.stride_ms / hop_ms))
        if self.stride_frames < 1 or abs(self.stride_frames * hop_ms - self.stride_ms) > 1e-6:
            raise ValueError(f"stride_ms {self.stride_ms} is not a whole number of {hop_ms} ms frames")
        want = (1, self.frames, self.config.n_mels, 1)
        if tuple(self.model.input_shape) != want:
            raise ValueError(f"model input {self.model.input_shape} does not match the entry (expected {want})")
        self.labels = list(entry["labels"])
        d = dict(entry.get("detector", {}))
        th = d.get("threshold", 0.5) if threshold is None else threshold
        sm = d.get("smoothing_frames", 1) if smoothing is None else smoothing
        pa = d.get("patience", 1) if patience is None else patience
        rs = d.get("refractory_s", 2.0) if refractory_s is None else refractory_s
        self.detector = Detector(self.labels, threshold=float(th), smoothing=int(sm), patience=int(pa),
                                 refractory=int(round(float(rs) * 1000.0 / self.stride_ms)),
                                 ignore=[l for l in ("negative",) if l in self.labels])
        self._fe = features.Frontend(self.config)
        self._ring = np.zeros((2 * self.frames, self.config.n_mels), np.float32)
        self.posteriors: List[np.ndarray] = []
        self.keep_posteriors = False
        self.reset()

    @classmethod
    def from_bundled(cls, name: str, **overrides: Any) -> "WakeWordSpotter":
        """The bundled model ``name`` (e.g. "hey_jarvis", "alexa") with its manifest settings (sha256 checked)."""
        from . import models

        entries = models.manifest()["models"]
        if name not in entries:
            raise KeyError(f"no bundled model {name!r}; the manifest has: {', '.join(sorted(entries))}")
        entry = entries[name]
        return cls(models.models_dir() / entry["file"], entry, **overrides)

    @property
    def window_s(self) -> float:
        """Audio covered by one model input."""
        c = self.config
        return ((self.frames - 1) * c.hop_length + c.win_length) / c.sample_rate

    def reset(self) -> None:
        """Start a new stream (frontend, window ring, detector and clock)."""
        self._fe.reset()
        self._ring[:] = 0.0
        self._pos = 0
        self._frames_total = 0
        self.detector.reset()
        self.posteriors = []

    def _on_frames(self, new: np.ndarray) -> List[WakeDetection]:
        out: List[WakeDetection] = []
        F = self.frames
        c = self.config
        for f in new:
            # each frame is written twice so the window is always one contiguous slice
            self._ring[self._pos] = f
            self._ring[self._pos + F] = f
            self._pos = (self._pos + 1) % F
            self._frames_total += 1
            if self._frames_total < F or (self._frames_total - F) % self.stride_frames:
                continue
            p = self.model.invoke(self._ring[None, self._pos:self._pos + F, :, None])[0]
            if self.keep_posteriors:
                self.posteriors.append(p)
            t = ((self._frames_total - 1) * c.hop_length + c.win_length) / c.sample_rate
            for d in self.detector.process(p):
                out.append(WakeDetection(float(t), d.label, d.score))
        return out

    def push(self, chunk: Any) -> List[WakeDetection]:
        """Feed samples (float, 16 kHz mono, any length); return the detections they complete.

        Raises
        ------
        ValueError
            A chunk that is not 1-D or has NaN / Inf values.
        """
        return self._on_frames(self._fe.push(chunk))
