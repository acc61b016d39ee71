#!/usr/bin/env python3
"""Run a peer wake-word engine over cached evaluation streams (run by the PEER's own Python).

Usage: ``PEER_PYTHON tools/bench/wakeword_peer.py JOB.json`` (written by
``edgeaudio.train.wakeword_eval.run_peer``); prints one JSON line:
``{model: {"positives": {cond: [detections per stream]}, "negatives": [detections per file],
"negative_seconds": s, "threshold": t}}``.

Peers, each at its default settings, fed 16 kHz int16 audio in the chunk size
its own runtime uses, reset between streams:

* ``microwakeword``: pymicro-wakeword's bundled int8 models and its feature
  frontend; a detection is ``process_streaming`` returning True (its
  probability cutoff over its sliding-window mean, from the model's JSON).
* ``openwakeword``: the openwakeword package with the tflite models shipped in
  wyoming-openwakeword (melspectrogram, embedding, wake word); a detection is
  a score >= 0.5 (openWakeWord's and wyoming-openwakeword's default), 80 ms frames.

The peers' environments (``$MWW_VENV`` and ``$OWW_VENV`` in the commands of
BENCHMARKS.md, tools/wakeword_eval.py and tools/bench/bargein.py), made once::

    python3 -m venv $MWW_VENV && $MWW_VENV/bin/pip install pymicro-wakeword
    python3.11 -m venv $OWW_VENV && $OWW_VENV/bin/pip install 'numpy<2' openwakeword \
        tflite-runtime==2.14.0 && $OWW_VENV/bin/pip install --no-deps wyoming-openwakeword
    # (measured with openwakeword 0.6.0, wyoming-openwakeword 1.8.2, pymicro-wakeword 2.5.0;
    #  --no-deps: wyoming-openwakeword's pins are old)

Detections closer than the job's ``refractory_s`` to the previous one count
once, the rule used for every system in the comparison. Only numpy and the
peer are imported here, so it runs in the peer's environment.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def _events(times, refractory_s):
    n, last = 0, -1e9
    for t in times:
        if t - last >= refractory_s:
            n += 1
            last = t
    return n


class MicroWakeWordRunner:
    chunk = 160 * 10  # 100 ms of audio per call; the runtime makes 10 ms feature frames

    def __init__(self, names):
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

        self._features_cls = MicroWakeWordFeatures
        self.models = {n: MicroWakeWord.from_builtin(Model(n)) for n in names}
        self.thresholds = {n: m.probability_cutoff for n, m in self.models.items()}

    def detect_times(self, audio):
        out = {n: [] for n in self.models}
        for m in self.models.values():
            m.reset()
        feats = self._features_cls()
        t = 0.0
        for i in range(0, len(audio), self.chunk):
            block = audio[i:i + self.chunk]
            for f in feats.process_streaming(block.tobytes()):
                t += 0.01
                for n, m in self.models.items():
                    if m.process_streaming(f):
                        out[n].append(t)
        return out


class OpenWakeWordRunner:
    chunk = 1280  # 80 ms, openWakeWord's frame

    def __init__(self, names):
        import wyoming_openwakeword
        from openwakeword.model import Model

        d = Path(wyoming_openwakeword.__file__).parent / "models"
        self.paths = {n: str(next(d.glob(f"{n}_v*.tflite"))) for n in names}
        self.model = Model(wakeword_models=list(self.paths.values()), inference_framework="tflite",
                           melspec_model_path=str(d / "melspectrogram.tflite"),
                           embedding_model_path=str(d / "embedding_model.tflite"))
        self.keys = {n: Path(p).stem for n, p in self.paths.items()}
        self.thresholds = {n: 0.5 for n in names}

    def detect_times(self, audio):
        out = {n: [] for n in self.paths}
        self.model.reset()
        t = 0.0
        for i in range(0, len(audio) - self.chunk + 1, self.chunk):
            scores = self.model.predict(audio[i:i + self.chunk])
            t += self.chunk / 16000
            for n, k in self.keys.items():
                if scores.get(k, 0.0) >= self.thresholds[n]:
                    out[n].append(t)
        return out


def main(job_path):
    job = json.loads(Path(job_path).read_text())
    names = job["models"]
    runner = {"microwakeword": MicroWakeWordRunner, "openwakeword": OpenWakeWordRunner}[job["peer"]](names)
    rf = float(job["refractory_s"])
    res = {n: {"positives": {}, "negatives": [], "negative_seconds": 0.0, "threshold": runner.thresholds[n]}
           for n in names}
    for n in names:
        for cond, spec in job["positives"][n].items():
            a = np.load(spec["path"])
            ends = np.cumsum(spec["lengths"])
            counts = []
            for e, l in zip(ends, spec["lengths"]):
                counts.append(_events(runner.detect_times(a[e - l:e])[n], rf))
            res[n]["positives"][cond] = counts
    for f in job["negatives"]:
        a = np.load(f)
        times = runner.detect_times(a)
        for n in names:
            res[n]["negatives"].append(_events(times[n], rf))
            res[n]["negative_seconds"] += len(a) / 16000
        print(f"{Path(f).name}: " + ", ".join(f"{n} {res[n]['negatives'][-1]}" for n in names), file=sys.stderr,
              flush=True)
    print(json.dumps(res))


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
