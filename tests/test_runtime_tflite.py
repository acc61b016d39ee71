"""The real tflite-runtime: every shipped int8 model gives LiteRT's outputs, bit for bit.

tflite-runtime 2.14 needs Python <= 3.11 and numpy < 2, so tools/test.sh builds
it its own venv (build/tflite-venv, or $EDGEAUDIO_TFLITE_PYTHON) and this test
runs tests/tflite_runtime_check.py there on inputs made here. In that venv
ai-edge-litert is absent, so the check also covers the real fallback of
:func:`edgeaudio.runtime.load` to tflite-runtime (no stand-in module).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from edgeaudio import runtime
from edgeaudio.features import FrontendConfig, logmel

ROOT = Path(__file__).resolve().parents[1]


def tflite_python() -> Path:
    p = Path(os.environ.get("EDGEAUDIO_TFLITE_PYTHON", ROOT / "build" / "tflite-venv" / "bin" / "python"))
    if not p.is_file():
        pytest.fail(f"no tflite-runtime environment at {p}: tools/test.sh makes it (python3.11 -m venv "
                    f"build/tflite-venv && build/tflite-venv/bin/pip install tflite-runtime==2.14.0 'numpy<2'), "
                    f"or point EDGEAUDIO_TFLITE_PYTHON at one")
    return p


def model_inputs(entry, rng):
    """Features of noise, tones, a chirp and silence through the model's frontend, plus random values."""
    cfg = FrontendConfig.from_dict(entry["frontend"])
    n = entry["window_samples"]
    t = np.arange(n) / cfg.sample_rate
    audio = [rng.standard_normal(n) * 0.1, 0.3 * np.sin(2 * np.pi * 440 * t),
             0.2 * np.sin(2 * np.pi * (200 + 3000 * t) * t), np.zeros(n),
             0.05 * np.sign(np.sin(2 * np.pi * 3100 * t)) * (t % 0.5 < 0.25)]
    feats = logmel(np.stack(audio).astype(np.float32), cfg)
    lo, hi = float(feats.min()), float(feats.max())
    feats = np.concatenate([feats, rng.uniform(lo, hi, (3,) + feats.shape[1:]).astype(np.float32)])
    shape = tuple(entry["input"]["shape"][1:])
    return feats.reshape((len(feats),) + shape)


def test_every_shipped_model_gives_identical_outputs_in_tflite_runtime(tmp_path):
    py = tflite_python()
    models = json.loads((ROOT / "firmware_models" / "manifest.json").read_text())["models"]
    assert models, "no models in the manifest"
    rng = np.random.default_rng(7)
    inputs = {name: model_inputs(e, rng) for name, e in models.items()}
    np.savez(tmp_path / "in.npz", **inputs)
    r = subprocess.run([str(py), str(ROOT / "tests" / "tflite_runtime_check.py"), str(tmp_path / "in.npz"),
                        str(tmp_path / "out.npz")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    with np.load(tmp_path / "out.npz") as z:
        got = {k: z[k] for k in z.files}
    info = json.loads(str(got["info"]))
    # the real fallback: litert is not installed there, load() picked tflite-runtime by itself
    assert info["available"] == ["tflite-runtime"] and info["interpreters"] == ["tflite-runtime"], info
    assert int(info["numpy"].split(".")[0]) < 2, info
    for name, e in models.items():
        path = ROOT / "firmware_models" / e["file"]
        # LiteRT on TFLite's built-in kernels: bit for bit what tflite-runtime 2.14 computes
        m = runtime.load(path, expected_sha256=e["sha256"], interpreter="ai-edge-litert", xnnpack=False)
        want = m.invoke_batch(inputs[name])
        assert got[name].shape == want.shape
        np.testing.assert_array_equal(got[name], want, err_msg=f"{name}: tflite-runtime differs from LiteRT")
        # the memory measurement (built-in kernels in both) agrees within 10%: the two memory
        # planners (TFLite 2.14, LiteRT 2.x) may place a graph's buffers differently (measured:
        # equal for commands, events and alexa, 72,832 vs 71,056 bytes for hey_jarvis)
        arena_old, arena_new = int(got[name + ":arena"]), m.memory()["arena_bytes"]
        assert arena_new > 0 and abs(arena_old - arena_new) <= 0.1 * arena_new, (name, arena_old, arena_new)
        # LiteRT's default XNNPACK int8 kernels round differently: a few output steps at most
        fast = runtime.load(path, interpreter="ai-edge-litert").invoke_batch(inputs[name])
        step = m.output_details[0]["quantization"][0]
        assert np.abs(fast - want).max() <= 16 * step + 1e-6, name
