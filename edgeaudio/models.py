"""Streaming detection over model posteriors: :class:`Detector` (Cython core).

A model invoked at a fixed stride (e.g. every 100 ms over the last 1 s)
gives one posterior vector per invoke; :class:`Detector` turns that stream
into discrete detections, per class:

1. **smoothing**: the moving average of the last ``smoothing`` posteriors
   (fewer at the start of the stream: the average of those seen so far);
2. **threshold**: a frame is *above* when the smoothed score is
   ``>= threshold`` (one value, or one per class);
3. **patience**: a class fires on the ``patience``-th consecutive frame
   above its threshold (its run restarts after it fires);
4. **refractory period**: after firing, the class ignores its next
   ``refractory`` frames (they neither fire nor count towards patience), so
   with patience K its earliest next detection is ``refractory + K`` frames
   later.

Classes listed in ``ignore`` (e.g. "silence", "unknown") never fire. Each
class keeps its own state, so two classes can fire on the same frame.

Examples
--------
>>> import numpy as np
>>> from edgeaudio.models import Detector
>>> det = Detector(["silence", "yes"], threshold=0.5, patience=2, ignore=["silence"])
>>> p = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.1, 0.9]])
>>> [(d.frame, d.label) for d in det.process(p)]
[(2, 'yes')]
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Union

import numpy as np

from ._models import _DetectorCore

__all__ = ["Detector", "Detection", "models_dir", "manifest", "load_bundled"]


class Detection(NamedTuple):
    """One detection: ``frame`` counts posterior frames since the detector's last reset."""

    frame: int
    class_index: int
    label: str
    score: float


def _int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


class Detector:
    """Posterior smoothing, threshold, patience and refractory period, per class.

    Parameters
    ----------
    labels : int or sequence of str
        Number of classes, or their names (names are used in detections and
        in ``ignore`` / a threshold mapping).
    threshold : float, sequence of float or dict label -> float
        On the smoothed score, in [0, 1]. A dict gives per-class values
        (classes it does not name get ``default_threshold``).
    smoothing : int
        Moving-average length in frames (>= 1; 1 = no smoothing).
    patience : int
        Consecutive frames above threshold needed to fire (>= 1).
    refractory : int
        Frames a class stays silent after firing (>= 0).
    ignore : sequence of str or int
        Classes that never fire.
    default_threshold : float
        For classes a threshold dict leaves out.

    Raises
    ------
    ValueError, TypeError
        Bad sizes or thresholds; messages name the argument.
    """

    def __init__(self, labels: Union[int, Sequence[str]], threshold: Union[float, Sequence[float], Dict[str, float]] = 0.5,
                 smoothing: int = 1, patience: int = 1, refractory: int = 0,
                 ignore: Iterable[Union[str, int]] = (), default_threshold: float = 0.5) -> None:
        if isinstance(labels, (int, np.integer)) and not isinstance(labels, bool):
            n = _int(labels, "labels", 1)
            self.labels: List[str] = [str(i) for i in range(n)]
        else:
            self.labels = [str(x) for x in labels]
            if not self.labels:
                raise ValueError("labels must name at least one class")
            if len(set(self.labels)) != len(self.labels):
                raise ValueError("labels must be unique")
        n = len(self.labels)
        self.smoothing = _int(smoothing, "smoothing", 1)
        self.patience = _int(patience, "patience", 1)
        self.refractory = _int(refractory, "refractory", 0)
        if isinstance(threshold, dict):
            unknown = set(threshold) - set(self.labels)
            if unknown:
                raise ValueError(f"threshold names unknown class {sorted(unknown)[0]!r}")
            th = np.array([threshold.get(l, default_threshold) for l in self.labels], np.float64)
        else:
            th = np.broadcast_to(np.asarray(threshold, np.float64), (n,)).copy() if np.ndim(threshold) == 0 \
                else np.asarray(threshold, np.float64)
            if th.shape != (n,):
                raise ValueError(f"threshold must be one value or {n} (one per class), got shape {th.shape}")
        if not np.all(np.isfinite(th)) or np.any(th < 0) or np.any(th > 1):
            raise ValueError(f"threshold values must be in [0, 1], got {th.tolist()}")
        self.ignored = set()
        for c in ignore:
            idx = c if isinstance(c, (int, np.integer)) and not isinstance(c, bool) else \
                (self.labels.index(c) if c in self.labels else None)
            if idx is None or not 0 <= int(idx) < n:
                raise ValueError(f"ignore names unknown class {c!r}")
            self.ignored.add(int(idx))
        self.threshold = th
        effective = th.copy()
        effective[list(self.ignored)] = np.inf  # never reached
        self._core = _DetectorCore(n, np.ascontiguousarray(effective), self.smoothing, self.patience,
                                   self.refractory)

    @classmethod
    def from_manifest(cls, entry: Dict[str, Any], ignore: Optional[Iterable[str]] = None) -> "Detector":
        """A detector with a model's ``labels`` and ``detector`` settings from its manifest entry
        (``refractory_s`` is turned into frames with ``stride_ms``). ``ignore`` defaults to the
        entry's ``detector.ignore``, else "silence", "unknown" and "negative"."""
        d = entry.get("detector", {})
        if ignore is None:
            ignore = d.get("ignore", ("silence", "unknown", "negative"))
        stride_s = entry.get("stride_ms", 100) / 1000.0
        labels = entry["labels"]
        return cls(labels, threshold=d.get("threshold", 0.5), smoothing=d.get("smoothing_frames", 1),
                   patience=d.get("patience", 1), refractory=int(round(d.get("refractory_s", 0.0) / stride_s)),
                   ignore=[l for l in ignore if l in labels])

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    @property
    def frames_seen(self) -> int:
        """Frames processed since construction or :meth:`reset`."""
        return int(self._core.frames_seen)

    @property
    def smoothed(self) -> np.ndarray:
        """The smoothed scores after the last frame, float64 ``(n_classes,)``."""
        return self._core.smoothed_scores()

    def process(self, posteriors: Any) -> List[Detection]:
        """Feed one frame ``(n_classes,)`` or many ``(frames, n_classes)``; return the detections they make.

        Raises
        ------
        ValueError
            Wrong shape, or NaN / infinite values (nothing is consumed).
        """
        p = np.asarray(posteriors, dtype=np.float64)
        if p.ndim == 1:
            p = p[None]
        if p.ndim != 2 or p.shape[1] != self.n_classes:
            raise ValueError(f"posteriors must have shape ({self.n_classes},) or (frames, {self.n_classes}), "
                             f"got {np.shape(posteriors)}")
        if not np.all(np.isfinite(p)):
            raise ValueError("posteriors have NaN or infinite values")
        p = np.ascontiguousarray(p)
        cap = p.shape[0] * self.n_classes
        frames = np.empty(cap, np.dtype("l"))  # C long, the core's frame counter
        classes = np.empty(cap, np.intc)
        scores = np.empty(cap, np.float64)
        k = self._core.process(p, frames, classes, scores)
        return [Detection(int(frames[i]), int(classes[i]), self.labels[classes[i]], float(scores[i]))
                for i in range(k)]

    def reset(self) -> None:
        """Forget the stream (history, runs, refractory periods, frame count)."""
        self._core.reset()

    def __repr__(self) -> str:
        return (f"Detector({self.n_classes} classes, threshold={self.threshold.tolist()}, smoothing={self.smoothing}, "
                f"patience={self.patience}, refractory={self.refractory}, "
                f"ignore={[self.labels[i] for i in sorted(self.ignored)]})")


def models_dir() -> Path:
    """The folder of the bundled int8 models and their ``manifest.json``.

    Inside an installed wheel it is ``edgeaudio/firmware_models``; in a source
    checkout (and an editable install) it is the repository's ``firmware_models``.

    Raises
    ------
    FileNotFoundError
        If neither holds a ``manifest.json``.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "firmware_models", here.parent / "firmware_models"):
        if (folder / "manifest.json").is_file():
            return folder
    raise FileNotFoundError(
        "no bundled models: neither edgeaudio/firmware_models nor the checkout's "
        "firmware_models holds a manifest.json (reinstall the package from a checkout or wheel)"
    )


def manifest() -> Dict[str, Any]:
    """The bundled ``manifest.json``: per model its file, sha256, labels, frontend config, metrics."""
    return json.loads((models_dir() / "manifest.json").read_text())


def load_bundled(name: str, *, num_threads: int = 1):
    """Load a bundled model by its manifest name, refusing a file whose sha256 differs.

    >>> model = load_bundled("commands")          # doctest: +SKIP
    >>> model.output_details[0]["shape"]          # doctest: +SKIP
    array([ 1, 12], dtype=int32)
    """
    from . import runtime

    models = manifest()["models"]
    if name not in models:
        raise KeyError(f"no bundled model {name!r}; the manifest has: {', '.join(sorted(models))}")
    entry = models[name]
    return runtime.load(models_dir() / entry["file"], expected_sha256=entry["sha256"],
                        num_threads=num_threads)
