"""Run TFLite models: one loading path for every edgeaudio model.

:func:`load` opens a ``.tflite`` flatbuffer with ai-edge-litert's interpreter
(falling back to tflite-runtime), optionally checks its sha256 first, and
returns a :class:`Model` whose :meth:`Model.invoke` takes float32 features and
returns dequantised float32 outputs. For int8 / uint8 tensors the
(de)quantisation uses the scale and zero point stored in the model itself, so
the caller never handles integers.

tf.lite (TensorFlow's own interpreter) is deprecated and deliberately not
used: install the runtime with ``pip install '.[litert]'`` from the checkout
(or ``'.[tflite]'`` for tflite-runtime, Python <= 3.11, numpy < 2).

Examples
--------
>>> from edgeaudio import runtime                           # doctest: +SKIP
>>> m = runtime.load("firmware_models/commands.tflite")    # doctest: +SKIP
>>> m.input_details[0]["shape"]                            # doctest: +SKIP
array([ 1, 49, 40,  1], dtype=int32)
>>> m.invoke(features).shape                               # doctest: +SKIP
(1, 12)
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["load", "Model", "LatencyStats", "ModelFileError", "RuntimeMissingError", "Streamer",
           "available_interpreters", "sha256_file", "quantize", "dequantize"]

#: Interpreter modules tried in order: (import path, pip extra, label).
INTERPRETERS: Tuple[Tuple[str, str, str], ...] = (
    ("ai_edge_litert.interpreter", "litert", "ai-edge-litert"),
    ("tflite_runtime.interpreter", "tflite", "tflite-runtime"),
)

_TFLITE_IDENTIFIER = b"TFL3"  # flatbuffer file identifier at bytes 4..8


class RuntimeMissingError(ImportError):
    """No TFLite interpreter package is installed."""


class ModelFileError(ValueError):
    """The model file is missing, truncated, not a TFLite flatbuffer, or fails its sha256 check."""


def available_interpreters() -> List[str]:
    """Labels of the interpreter packages importable here, in the order :func:`load` tries them."""
    out = []
    for mod, _extra, label in INTERPRETERS:
        try:
            __import__(mod, fromlist=["Interpreter"])
        except Exception:  # noqa: BLE001 - a broken install counts as absent
            continue
        out.append(label)
    return out


def _interpreter_class(prefer: Optional[str] = None) -> Tuple[Callable[..., Any], str]:
    order = list(INTERPRETERS)
    if prefer is not None:
        labels = [label for _m, _e, label in INTERPRETERS]
        if prefer not in labels:
            raise ValueError(f"interpreter must be one of {', '.join(labels)}; got {prefer!r}")
        order = [t for t in INTERPRETERS if t[2] == prefer]
    errors = []
    for mod, _extra, label in order:
        try:
            m = __import__(mod, fromlist=["Interpreter"])
            return m.Interpreter, label
        except Exception as e:  # noqa: BLE001
            errors.append(f"{label}: {type(e).__name__}: {e}")
    raise RuntimeMissingError(
        "no TFLite interpreter is installed (" + "; ".join(errors) + "). "
        "Install one from the edgeaudio checkout: pip install '.[litert]' "
        "(ai-edge-litert), or pip install '.[tflite]' (tflite-runtime; Python <= 3.11, numpy < 2)")


def sha256_file(path: Union[str, os.PathLike]) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_flatbuffer(path: Path, data: bytes) -> None:
    if len(data) < 16:
        raise ModelFileError(f"{path}: {len(data)} bytes is too short to be a TFLite model (truncated?)")
    if data[4:8] != _TFLITE_IDENTIFIER:
        raise ModelFileError(f"{path}: not a TFLite flatbuffer (no 'TFL3' identifier at byte 4)")
    root = int.from_bytes(data[0:4], "little")
    if root >= len(data):
        raise ModelFileError(f"{path}: truncated TFLite file (root table offset {root} beyond {len(data)} bytes)")


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: Any) -> np.ndarray:
    """float -> integer tensor values: ``clip(round(x / scale) + zero_point)``."""
    info = np.iinfo(dtype)
    q = np.round(np.asarray(x, np.float32) / np.float32(scale)) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """integer tensor values -> float32: ``scale * (q - zero_point)``."""
    return (np.float32(scale) * (q.astype(np.float32) - np.float32(zero_point))).astype(np.float32)


@dataclass
class LatencyStats:
    """Wall-clock time of :meth:`Model.invoke`'s interpreter calls, in milliseconds."""

    count: int
    mean_ms: float
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    def as_dict(self) -> Dict[str, float]:
        return {"count": self.count, "mean_ms": self.mean_ms, "median_ms": self.median_ms,
                "p95_ms": self.p95_ms, "min_ms": self.min_ms, "max_ms": self.max_ms}


class Model:
    """A loaded TFLite model. Made by :func:`load`; not constructed directly.

    Attributes
    ----------
    path : pathlib.Path
    sha256 : str
    interpreter_name : str
        "ai-edge-litert" or "tflite-runtime".
    num_threads : int
    input_details, output_details : list of dict
        The interpreter's tensor details (name, shape, dtype, quantization).
    """

    def __init__(self, path: Path, sha256: str, interpreter: Any, name: str, num_threads: int,
                 content: Optional[bytes] = None) -> None:
        self.path = path
        self._content = content
        self.sha256 = sha256
        self.interpreter_name = name
        self.num_threads = num_threads
        self._it = interpreter
        self._lock = threading.Lock()
        self._times: List[float] = []
        self._batch = int(self.input_details[0]["shape"][0]) if len(self.input_details[0]["shape"]) else 1

    @property
    def input_details(self) -> List[Dict[str, Any]]:
        return self._it.get_input_details()

    @property
    def output_details(self) -> List[Dict[str, Any]]:
        return self._it.get_output_details()

    @property
    def input_shape(self) -> Tuple[int, ...]:
        """Shape of the (first) input tensor, batch axis included."""
        return tuple(int(s) for s in self.input_details[0]["shape"])

    @property
    def is_quantized(self) -> bool:
        """True when the input tensor is an integer type (full-integer model)."""
        return np.dtype(self.input_details[0]["dtype"]).kind in "iu"

    def _to_input(self, x: np.ndarray, det: Dict[str, Any]) -> np.ndarray:
        dtype = np.dtype(det["dtype"])
        if dtype.kind in "iu":
            scale, zp = det["quantization"]
            if scale == 0:
                return np.asarray(x).astype(dtype)
            return quantize(x, scale, zp, dtype)
        return np.asarray(x, dtype=dtype)

    def _from_output(self, y: np.ndarray, det: Dict[str, Any]) -> np.ndarray:
        if np.dtype(det["dtype"]).kind in "iu":
            scale, zp = det["quantization"]
            if scale != 0:
                return dequantize(y, scale, zp)
        return np.asarray(y, dtype=np.float32)

    def invoke(self, x: Any) -> np.ndarray:
        """Run the model on one batch.

        Parameters
        ----------
        x : array_like, float
            The input tensor's shape, or that shape without its batch axis
            (a batch of one is added). Float values are quantised with the
            input tensor's scale / zero point when the model is integer.

        Returns
        -------
        numpy.ndarray, float32
            The first output tensor, dequantised (batch axis kept).

        Raises
        ------
        ValueError
            ``x`` has the wrong shape, or NaN / Inf values.
        """
        det = self.input_details[0]
        want = tuple(int(s) for s in det["shape"])
        a = np.asarray(x, dtype=np.float32)
        if a.shape == want[1:]:
            a = a[None]
        if a.shape != want:
            raise ValueError(f"x must have shape {want} (or {want[1:]}), got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError("x has NaN or infinite values")
        with self._lock:
            self._it.set_tensor(det["index"], self._to_input(a, det))
            t0 = time.perf_counter()
            self._it.invoke()
            self._times.append(time.perf_counter() - t0)
            out = self.output_details[0]
            y = self._it.get_tensor(out["index"])
        return self._from_output(y, out)

    def invoke_batch(self, xs: Any) -> np.ndarray:
        """Run the model on many examples, ``(n, *input_shape[1:])`` -> ``(n, *output_shape[1:])``.

        The model's own batch size is kept (examples go through one batch of
        it at a time), so a batch-1 device model serves any ``n``.
        """
        a = np.asarray(xs, dtype=np.float32)
        want = self.input_shape[1:]
        if a.shape[1:] != want:
            raise ValueError(f"xs must have shape (n, {', '.join(map(str, want))}), got {a.shape}")
        b = max(self._batch, 1)
        outs = []
        for i in range(0, len(a), b):
            chunk = a[i:i + b]
            if len(chunk) < b:  # pad the last batch to the model's batch size
                chunk = np.concatenate([chunk, np.zeros((b - len(chunk),) + want, np.float32)])
                outs.append(self.invoke(chunk)[: len(a) - i])
            else:
                outs.append(self.invoke(chunk))
        if not outs:
            return np.zeros((0,) + tuple(int(s) for s in self.output_details[0]["shape"][1:]), np.float32)
        return np.concatenate(outs)

    def latency(self) -> LatencyStats:
        """Statistics of the interpreter time of every invoke since load (or :meth:`reset_latency`)."""
        t = np.asarray(self._times, np.float64) * 1e3
        if t.size == 0:
            return LatencyStats(0, float("nan"), float("nan"), float("nan"), float("nan"), float("nan"))
        return LatencyStats(int(t.size), float(t.mean()), float(np.median(t)), float(np.percentile(t, 95)),
                            float(t.min()), float(t.max()))

    def reset_latency(self) -> None:
        self._times.clear()

    def benchmark(self, x: Any, invokes: int = 300, warmup: int = 20) -> LatencyStats:
        """Time ``invokes`` calls of :meth:`invoke` on ``x`` after ``warmup`` untimed ones.

        The statistics cover only these calls (earlier invokes are dropped);
        the interpreter time alone is timed, not the (de)quantisation.
        """
        if invokes < 1 or warmup < 0:
            raise ValueError(f"invokes must be >= 1 and warmup >= 0, got {invokes}, {warmup}")
        for _ in range(warmup):
            self.invoke(x)
        self.reset_latency()
        for _ in range(invokes):
            self.invoke(x)
        return self.latency()

    def memory(self) -> Dict[str, int]:
        """Memory the interpreter needs for this model, measured from its tensor buffers.

        A second interpreter of the same package is built from the model's
        bytes with the built-in kernels only (no default XNNPACK delegate,
        whose private workspace hides the intermediate tensors), allocated and
        invoked once on zeros; the addresses of its tensor buffers are read.

        Returns
        -------
        dict
            ``arena_bytes``: the bytes of memory behind the buffers the
            interpreter allocated (input, output, intermediates, kernel
            scratch), as the union of their address ranges, so buffers its
            memory planner placed on the same memory count once;
            ``activation_bytes``: the sum of those buffers (no reuse); ``weight_bytes``: constant tensors, which
            stay in the flatbuffer (``model_bytes``) and take no arena memory;
            ``tensors``: how many buffers the arena holds.
        """
        data = self._content if self._content is not None else self.path.read_bytes()
        it = type(self._it)(**_interpreter_kwargs(sys.modules[type(self._it).__module__], data, 1, False))
        it.allocate_tensors()
        for d in it.get_input_details():
            it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
        it.invoke()
        view = np.frombuffer(data, np.uint8)
        lo_model = int(view.ctypes.data)
        hi_model = lo_model + view.size
        spans, weights = [], 0
        for t in it.get_tensor_details():
            try:
                a = it.tensor(t["index"])()
            except (ValueError, RuntimeError):  # no buffer (e.g. an optional input)
                continue
            if not isinstance(a, np.ndarray):  # 0-d tensors come back as copied scalars
                continue
            start, size = int(a.ctypes.data), int(a.nbytes)
            del a
            if size == 0:
                continue
            if lo_model <= start < hi_model:
                weights += size
            else:
                spans.append((start, start + size))
        arena, reach = 0, 0
        for a, b in sorted(spans):  # the union of the buffers: memory the planner shares counts once
            if b > reach:
                arena += b - max(a, reach)
                reach = b
        return {"arena_bytes": int(arena), "activation_bytes": int(sum(e - s for s, e in spans)),
                "weight_bytes": int(weights), "model_bytes": len(data), "tensors": len(spans)}

    def stream(self, config: Any, stride_frames: int) -> "Streamer":
        """A :class:`Streamer` that feeds this model from audio chunks (frontend ``config``)."""
        return Streamer(self, config, stride_frames)

    def __repr__(self) -> str:
        return (f"Model({str(self.path)!r}, interpreter={self.interpreter_name!r}, "
                f"input={self.input_shape}, quantized={self.is_quantized})")


def _interpreter_kwargs(module: Any, data: bytes, num_threads: int, xnnpack: bool) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {"model_content": data, "num_threads": int(num_threads)}
    if not xnnpack and hasattr(module, "OpResolverType"):
        kwargs["experimental_op_resolver_type"] = module.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    return kwargs


def load(path: Union[str, os.PathLike], *, expected_sha256: Optional[str] = None, num_threads: int = 1,
         interpreter: Optional[str] = None, xnnpack: bool = True) -> Model:
    """Load a ``.tflite`` model.

    Parameters
    ----------
    path : str or path-like
    expected_sha256 : str, optional
        Hex digest (e.g. from ``firmware_models/manifest.json``); a file whose
        sha256 differs is refused before it reaches the interpreter.
    num_threads : int
        Interpreter threads (>= 1).
    interpreter : {"ai-edge-litert", "tflite-runtime"}, optional
        Force one package; default: the first of them that imports.
    xnnpack : bool
        Let the interpreter apply its default XNNPACK delegate (faster on
        x86 / ARM). False runs TFLite's built-in kernels only, whose int8
        results are bit-identical between ai-edge-litert and tflite-runtime
        2.14 (XNNPACK's int8 kernels round differently, by a few output steps).

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        Missing file, sha256 mismatch, truncated or non-TFLite data, or a
        file the interpreter rejects.
    RuntimeMissingError
        Neither interpreter package is installed (the message names the pip extra).
    """
    p = Path(path)
    if isinstance(num_threads, bool) or not isinstance(num_threads, (int, np.integer)) or num_threads < 1:
        raise ValueError(f"num_threads must be an integer >= 1, got {num_threads!r}")
    if not p.is_file():
        raise ModelFileError(f"{p}: no such model file")
    data = p.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256.strip().lower():
        raise ModelFileError(f"{p}: sha256 mismatch: expected {expected_sha256}, file has {digest}; "
                             "refusing to load a model that is not the one the manifest describes")
    _check_flatbuffer(p, data)
    cls, name = _interpreter_class(interpreter)
    try:
        it = cls(**_interpreter_kwargs(sys.modules[cls.__module__], data, num_threads, xnnpack))
        it.allocate_tensors()
    except Exception as e:  # noqa: BLE001 - the interpreter raises ValueError / RuntimeError
        raise ModelFileError(f"{p}: the {name} interpreter cannot load it: {e}") from e
    return Model(p, digest, it, name, int(num_threads), data)


class Streamer:
    """Streaming invoke: audio chunks in, one posterior per stride out.

    Pushes each chunk through the streaming frontend
    (:class:`edgeaudio.features.Frontend`), keeps the last ``window`` frames
    (the model's input length) and invokes the model every ``stride_frames``
    new frames once the first window is full. For any chunking of the same
    audio the outputs are identical, and equal :meth:`Model.invoke_batch`
    over the batch features' windows starting at frames ``0, stride, 2 *
    stride, ...``.

    Parameters
    ----------
    model : Model
        Input shape ``(1, frames, dims)`` or ``(1, frames, dims, 1)``.
    config : edgeaudio.features.FrontendConfig
        The frontend the model was trained with (the manifest's ``frontend``).
    stride_frames : int
        Frames between invokes (>= 1), e.g. 5 for 100 ms at a 20 ms hop.

    Examples
    --------
    >>> s = runtime.load(path).stream(FrontendConfig.from_dict(entry["frontend"]), 5)  # doctest: +SKIP
    >>> s.process(chunk).shape  # doctest: +SKIP
    (2, 12)
    """

    def __init__(self, model: Model, config: Any, stride_frames: int) -> None:
        from .features import Frontend

        if isinstance(stride_frames, bool) or not isinstance(stride_frames, (int, np.integer)) or stride_frames < 1:
            raise ValueError(f"stride_frames must be an integer >= 1, got {stride_frames!r}")
        shape = model.input_shape
        if len(shape) not in (3, 4) or (len(shape) == 4 and shape[3] != 1):
            raise ValueError(f"model input must be (1, frames, dims[, 1]); this one is {shape}")
        self.model = model
        self.frontend = Frontend(config)
        if self.frontend.output_size != shape[2]:
            raise ValueError(f"the frontend gives {self.frontend.output_size} values per frame, "
                             f"the model wants {shape[2]}")
        self.window = int(shape[1])
        self.stride = int(stride_frames)
        self._suffix = (1,) if len(shape) == 4 else ()
        self._frames = np.zeros((0, shape[2]), np.float32)
        self._seen = 0  # frames received since reset

    def process(self, chunk: Any) -> np.ndarray:
        """Push audio; returns ``(invokes, outputs)`` posteriors (``invokes`` may be 0)."""
        new = self.frontend.push(chunk)
        buf = np.concatenate([self._frames, new]) if len(new) else self._frames
        first = self._seen  # frame index of buf[0] is self._seen - len(self._frames)
        base = first - len(self._frames)
        total = first + len(new)
        outs = []
        # window ends (exclusive) are window + k * stride, k >= 0
        k0 = max(0, -(-(first + 1 - self.window) // self.stride))
        end = self.window + k0 * self.stride
        while end <= total:
            x = buf[end - self.window - base:end - base]
            outs.append(self.model.invoke(x.reshape((1, self.window, -1) + self._suffix)))
            end += self.stride
        self._seen = total
        self._frames = buf[max(0, len(buf) - self.window):].copy()
        n_out = int(self.model.output_details[0]["shape"][-1])
        return np.concatenate(outs) if outs else np.zeros((0, n_out), np.float32)

    def reset(self) -> None:
        """Start a new stream (frontend state and frame history dropped)."""
        self.frontend.reset()
        self._frames = self._frames[:0]
        self._seen = 0
