"""Run every shipped model with tflite-runtime: the half of test_runtime_tflite.py that runs in its venv.

tflite-runtime 2.14 needs Python <= 3.11 and numpy < 2, so it lives in its own
virtual environment (tools/test.sh makes it) without edgeaudio's compiled
core; this script loads ``edgeaudio/runtime.py`` by path (it needs only numpy)
and calls :func:`runtime.load` with no interpreter named, so it must fall back
to tflite-runtime because ai-edge-litert is absent there.

Usage: python tflite_runtime_check.py INPUTS.npz OUTPUTS.npz
INPUTS holds, per model NAME, ``NAME`` (float32 inputs, batch axis first) and
the manifest next to the models; OUTPUTS gets ``NAME`` (dequantised outputs),
``NAME:arena`` and ``info`` (JSON: interpreter, available interpreters, numpy).
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main(inputs: str, outputs: str) -> int:
    spec = importlib.util.spec_from_file_location("edgeaudio_runtime", ROOT / "edgeaudio" / "runtime.py")
    runtime = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = runtime  # dataclasses look their module up there
    spec.loader.exec_module(runtime)
    models = json.loads((ROOT / "firmware_models" / "manifest.json").read_text())["models"]
    res = {}
    names = set()
    with np.load(inputs) as z:
        for name in z.files:
            e = models[name]
            # default settings: no interpreter named, XNNPACK allowed (2.14 runs int8 on its built-in kernels)
            m = runtime.load(ROOT / "firmware_models" / e["file"], expected_sha256=e["sha256"])
            names.add(m.interpreter_name)
            res[name] = m.invoke_batch(z[name])
            res[name + ":arena"] = np.array(m.memory()["arena_bytes"])
    info = {"interpreters": sorted(names), "available": runtime.available_interpreters(),
            "numpy": np.__version__, "python": sys.version.split()[0]}
    np.savez(outputs, info=np.array(json.dumps(info)), **res)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
