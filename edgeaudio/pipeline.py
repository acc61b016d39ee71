"""The streaming pipeline: microphone (+ loudspeaker reference) in, events out.

:class:`Pipeline` chains the stages of an always-listening device::

    mic ─┬─ resample ─ AEC (with the playback reference) ─ high-pass ─ [noise suppression]
    ref ─┘                                                               │
                      one streaming Frontend per distinct FrontendConfig ┘
                      └─ model A every stride_A over its window ─ Detector ─┐
                      └─ model B every stride_B over its window ─ Detector ─┴─ Events

Every stage is streaming and independent of how the input is split into
blocks, so the events are the same for any chunking. Each model runs at the
window and stride of its manifest entry (``firmware_models/manifest.json``)
with the :class:`~edgeaudio.models.Detector` its entry configures.

Wake-then-command: with ``wake="hey_jarvis"`` (a model name, or
``"model:label"`` for one of its classes) and ``command_model="commands"``,
the commands model is only invoked for ``command_window_s`` seconds after a
wake word, on windows that start once the wake word has fired (it never hears
the wake phrase itself), and its detections come out as ``kind="command"`` events.

The noise suppressor runs only for models trained behind it (their manifest
entry says ``"noise_suppression": true``; ``edgeaudio train commands
--noise-suppression`` makes one). The bundled models were trained on
unsuppressed audio and do worse behind it (held-out, the hey_jarvis before the
current one: 54 false accepts in 20 h instead of 21, clean misses 10.0 % instead
of 7.3 %; alexa: misses 6.3 % / 35.0 % clean / at 10 dB instead of 3.3 % / 26.0 %,
7 false accepts instead of 6; commands 81.2 % instead of 84.4 % at 10 dB SNR;
BENCHMARKS.md), so by default they hear the high-passed (echo-cancelled) mic.

Timestamps are in seconds of the input signal: the stages' latencies (echo
canceller, noise suppressor, resampler) are subtracted. An event's
``time_s`` is the end of the model window in which its run of
above-threshold scores began (the detector's patience is not counted), and
``fired_s`` the end of the window in which it fired.

Examples
--------
>>> import numpy as np
>>> from edgeaudio.pipeline import Pipeline
>>> p = Pipeline(["commands"])                                   # doctest: +SKIP
>>> events = p.process(np.zeros(16000, np.int16)) + p.flush()    # doctest: +SKIP
>>> events                                                       # doctest: +SKIP
[]
>>> p.timing()["rtf"] < 1                                        # doctest: +SKIP
True
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import aec as _aec
from . import enhance as _enhance
from . import features as _features
from . import models as _models
from .resample import Resampler

__all__ = ["Pipeline", "Event", "as_mono", "ModelSpec"]

#: Labels that never fire (background classes of the bundled models).
BACKGROUND_LABELS = ("silence", "unknown", "negative", "background", "noise")


@dataclass(frozen=True)
class Event:
    """One detection.

    Attributes
    ----------
    time_s : float
        Input time (s) of the end of the window where the detection's run of
        above-threshold scores began.
    label : str
    score : float
        The detector's smoothed score when it fired.
    model : str
    kind : str
        "wake" (a wake word), "command" (a command after a wake word) or
        "detection" (any other model).
    fired_s : float
        Input time (s) of the end of the window in which it fired.
    """

    time_s: float
    label: str
    score: float
    model: str
    kind: str = "detection"
    fired_s: float = 0.0

    def as_dict(self) -> Dict[str, Any]:
        d = asdict(self)
        d["time"] = round(d.pop("time_s"), 3)
        d["fired"] = round(d.pop("fired_s"), 3)
        d["score"] = round(d["score"], 4)
        return {"time": d["time"], "label": d["label"], "score": d["score"], "model": d["model"],
                "kind": d["kind"], "fired": d["fired"]}


def as_mono(x: Any, name: str) -> np.ndarray:
    """``x`` as a 1-D float32 signal in [-1, 1).

    int16 PCM is scaled by 1/32768, int32 by 1/2**31; floats are cast. A
    2-D array must have one channel (``(n, 1)``).

    Raises
    ------
    TypeError
        A dtype that is not int16, int32 or float.
    ValueError
        Several channels, more than 2 dimensions, NaN or infinity (the message
        names ``name``).
    """
    a = np.asarray(x)
    if a.dtype == np.int16:
        a = a.astype(np.float32) / np.float32(32768.0)
    elif a.dtype == np.int32:
        a = (a.astype(np.float64) / 2.0 ** 31).astype(np.float32)
    elif a.dtype.kind == "f":
        a = a.astype(np.float32, copy=False)
    else:
        raise TypeError(f"{name} must be int16 or int32 PCM or float samples, got dtype {a.dtype}")
    if a.ndim == 2:
        if a.shape[1] != 1:
            raise ValueError(f"{name} must be mono, got {a.shape[1]} channels (shape {a.shape}); "
                             f"pass one channel ({name}[:, 0]) or a mix ({name}.mean(axis=1))")
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (samples,) or (samples, 1), got shape {a.shape}")
    a = np.ascontiguousarray(a)
    if not np.all(np.isfinite(a)):
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValueError(f"{name} contains NaN or infinity (first at sample {bad})")
    return a


@dataclass
class ModelSpec:
    """A model as the pipeline runs it (built from a manifest entry by :meth:`from_bundled`)."""

    name: str
    model: Any                       # runtime.Model
    entry: Dict[str, Any]
    config: _features.FrontendConfig
    frames: int                      # feature frames per window
    stride_frames: int               # feature frames between invokes
    detector: _models.Detector

    @classmethod
    def from_bundled(cls, name: str, threshold: Optional[float] = None, num_threads: int = 1) -> "ModelSpec":
        entries = _models.manifest()["models"]
        if name not in entries:
            raise ValueError(f"no bundled model {name!r}; available: {', '.join(sorted(entries))}")
        e = entries[name]
        cfg = _features.FrontendConfig.from_dict(e["frontend"])
        hop_ms = 1000.0 * cfg.hop_length / cfg.sample_rate
        stride = int(round(e.get("stride_ms", hop_ms) / hop_ms))
        frames = int(e.get("frames") or e["input"]["shape"][1])
        det = _models.Detector.from_manifest(e, ignore=BACKGROUND_LABELS)
        if threshold is not None:
            det = _models.Detector(det.labels, threshold=float(threshold), smoothing=det.smoothing,
                                   patience=det.patience, refractory=det.refractory,
                                   ignore=[det.labels[i] for i in sorted(det.ignored)])
        return cls(name, _models.load_bundled(name, num_threads=num_threads), e, cfg, frames, max(stride, 1), det)


class _ModelState:
    def __init__(self, spec: ModelSpec, fe_index: int) -> None:
        self.spec = spec
        self.fe_index = fe_index
        self.in_shape = tuple(spec.model.input_shape[1:])
        self.scores: List[Tuple[float, np.ndarray]] = []
        cfg = spec.config
        extent = cfg.win_length if cfg.window_placement == "left" else cfg.n_fft
        #: seconds of audio one invoke sees
        self.window_s = ((spec.frames - 1) * cfg.hop_length + extent) / cfg.sample_rate


class Pipeline:
    """Always-listening pipeline: AEC, high-pass, (noise suppression), frontends, models, detectors.

    Parameters
    ----------
    models : sequence of str
        Bundled model names (``edgeaudio info`` lists them); each runs at its
        manifest's window and stride. The wake and command models are added
        if missing.
    sample_rate : int, optional
        Rate of the input; default the models' rate. Any other rate is
        converted by a streaming resampler (:attr:`resample_note` says which).
    aec : bool
        Cancel the loudspeaker echo: :meth:`process` then needs ``ref``.
    tail_ms : float
        Echo path length the canceller covers.
    highpass_hz : float or None
        2nd-order Butterworth high-pass (DC, rumble); None turns it off.
    noise_suppression : bool, optional
        MCRA / Wiener suppressor before the frontends. None (default): on if the
        models' manifest entries say they were trained behind it, off if none
        were (the bundled ones: see above); models that disagree need an explicit
        True or False. True / False force it.
    wake : str, optional
        ``"model"`` or ``"model:label"``: the wake word.
    command_model : str, optional
        Listened to for ``command_window_s`` after each wake word, on windows that
        start after the wake word fired.
    thresholds : dict model name -> float, optional
        Override a model's manifest threshold.
    on_event : callable, optional
        Called with each :class:`Event` as it is found (also :meth:`add_callback`).
    record_scores : bool
        Keep every invoke's posteriors (:attr:`scores`) for plots.

    Raises
    ------
    ValueError
        Unknown model, models at different sample rates, a bad rate.
    """

    def __init__(self, models: Sequence[str] = ("commands",), *, sample_rate: Optional[int] = None,
                 aec: bool = False, tail_ms: float = 256.0, highpass_hz: Optional[float] = 60.0,
                 noise_suppression: Optional[bool] = None, wake: Optional[str] = None,
                 command_model: Optional[str] = None, command_window_s: float = 3.0,
                 thresholds: Optional[Dict[str, float]] = None,
                 on_event: Optional[Callable[[Event], None]] = None, record_scores: bool = False,
                 num_threads: int = 1) -> None:
        if isinstance(models, str):
            models = [models]
        names = list(dict.fromkeys(models))
        self.wake_model, self.wake_label = None, None
        if wake:
            self.wake_model, _, lab = str(wake).partition(":")
            self.wake_label = lab or None
            if self.wake_model not in names:
                names.insert(0, self.wake_model)
        self.command_model = command_model
        if command_model and command_model not in names:
            names.append(command_model)
        if command_model and not wake:
            raise ValueError("command_model needs a wake word (wake='model' or 'model:label')")
        if not names:
            raise ValueError("models must name at least one bundled model")
        if not command_window_s > 0:
            raise ValueError(f"command_window_s must be > 0, got {command_window_s}")
        thresholds = dict(thresholds or {})
        unknown = set(thresholds) - set(names)
        if unknown:
            raise ValueError(f"thresholds name model(s) not in the pipeline: {sorted(unknown)}")
        self.specs = [ModelSpec.from_bundled(n, thresholds.get(n), num_threads) for n in names]
        if self.wake_label is not None:
            labels = self.specs[names.index(self.wake_model)].entry["labels"]
            if self.wake_label not in labels:
                raise ValueError(f"wake label {self.wake_label!r} is not a class of {self.wake_model!r} "
                                 f"({', '.join(labels)})")
        rates = {s.config.sample_rate for s in self.specs}
        if len(rates) != 1:
            raise ValueError(f"the models run at different sample rates {sorted(rates)}: use one pipeline per rate")
        self.model_rate = rates.pop()
        self.sample_rate = int(sample_rate) if sample_rate is not None else self.model_rate
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be > 0, got {sample_rate}")
        self._resample = self.sample_rate != self.model_rate
        self.resample_note = (f"resampling the input from {self.sample_rate} Hz to the models' "
                              f"{self.model_rate} Hz" if self._resample else "")
        self.command_window_s = float(command_window_s)
        self.use_aec = bool(aec)
        self.tail_ms = float(tail_ms)
        self.highpass_hz = highpass_hz
        if noise_suppression is None:
            trained = {s.name: bool(s.entry.get("noise_suppression", False)) for s in self.specs}
            if len(set(trained.values())) > 1:
                raise ValueError("the models were trained with and without the noise suppressor "
                                 f"({', '.join(f'{n}: {v}' for n, v in trained.items())}): pass "
                                 "noise_suppression=True or False")
            noise_suppression = any(trained.values())
        self.use_ns = bool(noise_suppression)
        self.record_scores = bool(record_scores)
        fs = self.model_rate
        self._mic_rs = Resampler(self.sample_rate, fs) if self._resample else None
        self._ref_rs = Resampler(self.sample_rate, fs) if (self._resample and aec) else None
        self._ec = _aec.EchoCanceller(fs, tail_ms=self.tail_ms) if aec else None
        self._hp = _enhance.SosFilter(_enhance.dc_blocker(fs, float(highpass_hz))) if highpass_hz else None
        self._ns = _enhance.NoiseSuppressor(fs) if self.use_ns else None
        configs: List[_features.FrontendConfig] = []
        self._states: List[_ModelState] = []
        for s in self.specs:
            if s.config.padding == "center":
                raise ValueError(f"model {s.name!r}: a centre-padded frontend cannot stream in the pipeline")
            if s.config not in configs:
                configs.append(s.config)
            self._states.append(_ModelState(s, configs.index(s.config)))
        self._frontends = [_features.Frontend(c) for c in configs]
        self._keep = [max(st.spec.frames for st in self._states if st.fe_index == i) for i in range(len(configs))]
        self._callbacks: List[Callable[[Event], None]] = [on_event] if on_event else []
        self._latency_s = ((self._ec.latency if self._ec else 0) + (self._ns.latency if self._ns else 0)) / fs \
            + (self._mic_rs.delay_s if self._mic_rs else 0.0)
        self.reset()

    # ---- state ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Start a new stream: every stage, detector, statistic and timer."""
        for obj in (self._mic_rs, self._ref_rs, self._ec, self._hp, self._ns):
            if obj is not None:
                obj.reset()
        for fe in self._frontends:
            fe.reset()
        for st in self._states:
            st.spec.detector.reset()
            st.scores = []
        self._feat = [np.zeros((0, fe.output_size), np.float32) for fe in self._frontends]
        self._frames_done = [0] * len(self._frontends)   # frames produced per frontend
        self._samples_in = 0          # input samples (input rate)
        self._samples_proc = 0        # samples at the model rate entering the chain
        self._window_until = -1.0     # command window end (fired time, s)
        self._window_from = -1.0      # when the wake word fired: command windows start after it
        self._times: Dict[str, float] = OrderedDict()
        self._cpu_s = 0.0
        self._audio: List[np.ndarray] = []
        self.events: List[Event] = []

    def add_callback(self, fn: Callable[[Event], None]) -> None:
        """Call ``fn(event)`` for every event from now on."""
        self._callbacks.append(fn)

    @property
    def latency_s(self) -> float:
        """Delay of the processed signal behind the input (AEC + noise suppressor + resampler)."""
        return self._latency_s

    @property
    def seconds_processed(self) -> float:
        return self._samples_in / self.sample_rate

    def timing(self) -> Dict[str, Any]:
        """Wall-clock seconds per stage (``stages_s``) and their sum (``total_s``), the audio
        seconds, the real-time factor ``rtf`` (wall / audio), and ``cpu_s`` / ``rtf_cpu``: the
        calling thread's CPU time, which other processes on a busy machine do not inflate."""
        total = float(sum(self._times.values()))
        audio = self.seconds_processed
        nan = float("nan")
        return {"stages_s": dict(self._times), "total_s": total, "audio_s": audio,
                "rtf": total / audio if audio > 0 else nan, "cpu_s": self._cpu_s,
                "rtf_cpu": self._cpu_s / audio if audio > 0 else nan}

    def _tick(self, name: str, t0: float) -> float:
        t1 = time.perf_counter()
        self._times[name] = self._times.get(name, 0.0) + (t1 - t0)
        return t1

    # ---- processing ----------------------------------------------------------------------

    def process(self, mic: Any, ref: Any = None) -> List[Event]:
        """Process the next block of any length; return the events it completes.

        Parameters
        ----------
        mic : array_like, (n,) or (n, 1)
            int16 / int32 PCM or float samples at ``sample_rate``.
        ref : array_like, optional
            The loudspeaker reference for the same instants (required, and
            only accepted, with ``aec=True``); same length as ``mic``.

        Raises
        ------
        ValueError, TypeError
            Wrong dtype, several channels, NaN, a missing / unexpected / mis-sized ``ref``.
        """
        m = as_mono(mic, "mic")
        if self._ec is not None:
            if ref is None:
                raise ValueError("this pipeline cancels echo (aec=True): pass ref, the loudspeaker signal")
            r = as_mono(ref, "ref")
            if len(r) != len(m):
                raise ValueError(f"mic and ref blocks must have the same length, got {len(m)} and {len(r)}")
        elif ref is not None:
            raise ValueError("ref given but the pipeline has no echo canceller: build it with aec=True")
        self._samples_in += len(m)
        c0 = time.thread_time()
        t = time.perf_counter()
        if self._mic_rs is not None:
            m = self._mic_rs.process(m)
            if self._ec is not None:
                r = self._ref_rs.process(r)
            t = self._tick("resample", t)
        out = self._chain(m, r if self._ec is not None else None, t)
        self._cpu_s += time.thread_time() - c0
        return out

    def _chain(self, x: np.ndarray, r: Optional[np.ndarray], t: float) -> List[Event]:
        if self._ec is not None:
            x = self._ec.process(x, r)
            t = self._tick("aec", t)
        if self._hp is not None:
            x = self._hp.process(x)
            t = self._tick("highpass", t)
        if self._ns is not None:
            x = self._ns.process(x)
            t = self._tick("noise_suppression", t)
        self._samples_proc += len(x)
        if self.record_scores:
            self._audio.append(x)
        new = []
        for i, fe in enumerate(self._frontends):
            new.append(fe.push(x))
        t = self._tick("frontend", t)
        return self._run_models(new, t)

    def _run_models(self, new_frames: List[np.ndarray], t: float) -> List[Event]:
        fs = self.model_rate
        # (window end sample, model order, state, feature rows) of every invoke, in time order
        todo = []
        for i, frames in enumerate(new_frames):
            feat = np.concatenate([self._feat[i], frames]) if len(frames) else self._feat[i]
            first = self._frames_done[i] - len(self._feat[i])   # frame index of feat[0]
            total = self._frames_done[i] + len(frames)
            for order, st in enumerate(self._states):
                if st.fe_index != i:
                    continue
                sp, cfg = st.spec, st.spec.config
                extent = cfg.win_length if cfg.window_placement == "left" else cfg.n_fft
                # invoke after frame f when f + 1 >= frames and (f + 1 - frames) % stride == 0
                f = self._frames_done[i]
                lo = max(f, sp.frames - 1)
                rem = (lo + 1 - sp.frames) % sp.stride_frames
                if rem:
                    lo += sp.stride_frames - rem
                for fi in range(lo, total, sp.stride_frames):
                    end = fi * cfg.hop_length + extent
                    todo.append((end, order, st, feat[fi + 1 - sp.frames - first: fi + 1 - first]))
            self._feat[i] = feat[-self._keep[i]:] if len(feat) > self._keep[i] else feat
            self._frames_done[i] = total
        todo.sort(key=lambda item: (item[0], item[1]))
        events: List[Event] = []
        for end, _order, st, window in todo:
            end_s = end / fs - self._latency_s
            sp = st.spec
            is_cmd = self.command_model == sp.name
            is_wake = self.wake_model == sp.name
            gated = is_cmd and not is_wake
            if gated and (end_s > self._window_until or end_s - st.window_s < self._window_from - 1e-9):
                # the command model sleeps outside the window after a wake word, and does not
                # hear the wake phrase itself (its last syllable can sound like a command)
                continue
            t0 = time.perf_counter()
            post = sp.model.invoke(window.reshape(st.in_shape))[0]
            t0 = self._tick(f"model:{sp.name}", t0)
            if self.record_scores:
                st.scores.append((end_s, post.copy()))
            dets = sp.detector.process(post)
            self._tick("detector", t0)
            stride_s = sp.stride_frames * sp.config.hop_length / fs
            for d in dets:
                onset = end_s - (sp.detector.patience - 1) * stride_s
                in_window = end_s <= self._window_until
                if is_wake and (self.wake_label is None or d.label == self.wake_label) and not (is_cmd and in_window):
                    kind = "wake"
                    self._window_until = end_s + self.command_window_s
                    self._window_from = end_s
                    if self.command_model and not is_cmd:
                        for other in self._states:
                            if other.spec.name == self.command_model:
                                other.spec.detector.reset()
                elif is_cmd and self.wake_model:
                    if not in_window:
                        continue
                    kind = "command"
                    self._window_until = -1.0   # one command per wake word
                else:
                    kind = "detection"
                ev = Event(float(onset), d.label, float(d.score), sp.name, kind, float(end_s))
                events.append(ev)
        t = time.perf_counter()
        for ev in events:
            self.events.append(ev)
            for cb in self._callbacks:
                cb(ev)
        self._tick("callbacks", t)
        return events

    def flush(self) -> List[Event]:
        """End the stream: push the stages' latency worth of silence so the end of the
        input reaches the models and return the last events. Events, scores and timing
        stay readable; call :meth:`reset` before starting another stream."""
        pad_s = self._latency_s + 1e-3
        n = int(np.ceil(pad_s * self.sample_rate))
        zeros = np.zeros(n, np.float32)
        saved_in = self._samples_in
        out = self.process(zeros, zeros if self._ec is not None else None)
        self._samples_in = saved_in
        return out

    def stream(self, blocks: Iterable[Any]) -> Iterator[Event]:
        """Events from an iterable of blocks (``mic`` arrays, or ``(mic, ref)`` pairs with AEC),
        flushing at the end."""
        for b in blocks:
            if isinstance(b, tuple):
                yield from self.process(*b)
            else:
                yield from self.process(b)
        yield from self.flush()

    def process_signal(self, mic: Any, ref: Any = None, block: int = 16000) -> List[Event]:
        """All events of a whole signal (processed in blocks of ``block`` samples), flushed."""
        m = as_mono(mic, "mic")
        r = as_mono(ref, "ref") if ref is not None else None
        if r is not None and len(r) != len(m):
            raise ValueError(f"mic and ref must have the same length, got {len(m)} and {len(r)} samples")
        out: List[Event] = []
        for i in range(0, len(m), block):
            out += self.process(m[i:i + block], None if r is None else r[i:i + block])
        return out + self.flush()

    # ---- introspection ---------------------------------------------------------------------

    @property
    def processed_audio(self) -> np.ndarray:
        """The signal the frontends saw, aligned with the input (needs ``record_scores``)."""
        x = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        lag = int(round((self._latency_s - (self._mic_rs.delay_s if self._mic_rs else 0.0)) * self.model_rate))
        return x[lag:]

    @property
    def scores(self) -> Dict[str, Tuple[np.ndarray, np.ndarray, List[str]]]:
        """Per model: (times s, posteriors (invokes, classes), labels); needs ``record_scores``."""
        out = {}
        for st in self._states:
            labels = list(st.spec.entry["labels"])
            if st.scores:
                times = np.array([s[0] for s in st.scores])
                post = np.stack([s[1] for s in st.scores])
            else:
                times, post = np.zeros(0), np.zeros((0, len(labels)))
            out[st.spec.name] = (times, post, labels)
        return out

    def describe(self) -> str:
        """One line per stage, for the CLI's --verbose."""
        parts = []
        if self._resample:
            parts.append(f"resample {self.sample_rate} -> {self.model_rate} Hz")
        if self._ec:
            parts.append(f"AEC ({self.tail_ms:.0f} ms tail)")
        if self._hp:
            parts.append(f"high-pass {self.highpass_hz:g} Hz")
        if self._ns:
            parts.append("noise suppression")
        parts.append(f"{len(self._frontends)} frontend(s)")
        for s in self.specs:
            ms = 1000 * s.stride_frames * s.config.hop_length / s.config.sample_rate
            parts.append(f"{s.name} ({s.frames} frames, every {ms:.0f} ms)")
        if self.wake_model:
            parts.append(f"wake {self.wake_model}{':' + self.wake_label if self.wake_label else ''}"
                         + (f" -> {self.command_model} for {self.command_window_s:g} s" if self.command_model else ""))
        return " -> ".join(parts)
