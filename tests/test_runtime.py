"""edgeaudio.runtime: loading, int8 (de)quantisation, sha256 refusal, bad files, streaming, memory.

The fallback to the real tflite-runtime (in its own numpy<2 venv) is tested in test_runtime_tflite.py.
"""
from __future__ import annotations

import os
import sys

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeaudio import runtime

pytest.importorskip("ai_edge_litert.interpreter", reason="needs the litert extra")


def make_tiny_int8() -> tuple:
    """A real full-integer int8 model: dense 6 -> 5 (relu) -> 3, random weights.

    Returns (tflite bytes, float Keras outputs on the inputs, the inputs)."""
    tf = pytest.importorskip("tensorflow")
    from edgeaudio.train.model import to_int8_tflite

    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input(shape=(6,))
    x = tf.keras.layers.Dense(5, activation="relu")(inp)
    out = tf.keras.layers.Dense(3)(x)
    model = tf.keras.Model(inp, out)
    rep = np.random.default_rng(0).uniform(-1, 1, (64, 6)).astype(np.float32)
    return to_int8_tflite(model, rep), model.predict(rep, verbose=0), rep


@pytest.fixture(scope="module")
def tiny_int8(tmp_path_factory):
    """(model path, float Keras outputs, inputs). On an emulated arm64 target without TensorFlow
    (python -m tools.deploy wheel) the host makes them and passes an .npz in EDGEAUDIO_RECORDED_TINY_INT8."""
    recorded = os.environ.get("EDGEAUDIO_RECORDED_TINY_INT8")
    if recorded:
        with np.load(recorded) as d:
            data, want, rep = d["model"].tobytes(), d["want"], d["rep"]
    else:
        data, want, rep = make_tiny_int8()
    path = tmp_path_factory.mktemp("model") / "tiny.tflite"
    path.write_bytes(data)
    return path, want, rep


def test_int8_model_round_trip_matches_the_float_model(tiny_int8):
    path, want, rep = tiny_int8
    m = runtime.load(path)
    assert m.is_quantized and m.interpreter_name == "ai-edge-litert"
    assert np.dtype(m.input_details[0]["dtype"]) == np.int8
    assert np.dtype(m.output_details[0]["dtype"]) == np.int8
    got = m.invoke_batch(rep)
    assert got.dtype == np.float32 and got.shape == want.shape
    # int8 error: a few output quantisation steps
    step = m.output_details[0]["quantization"][0]
    assert np.abs(got - want).max() < 6 * step + 0.02 * np.abs(want).max()


def test_invoke_quantises_with_the_models_own_scale_and_zero_point(tiny_int8):
    path, _model, rep = tiny_int8
    m = runtime.load(path)
    scale, zp = m.input_details[0]["quantization"]
    q = runtime.quantize(rep[:1], scale, zp, np.int8)
    np.testing.assert_array_equal(q, np.clip(np.round(rep[:1] / scale) + zp, -128, 127).astype(np.int8))
    back = runtime.dequantize(q, scale, zp)
    assert np.abs(back - rep[:1]).max() <= scale / 2 + 1e-6
    # out-of-range inputs saturate instead of wrapping
    big = runtime.quantize(np.array([1e6, -1e6], np.float32), scale, zp, np.int8)
    assert big.tolist() == [127, -128]


def test_single_example_batch_and_latency_stats(tiny_int8):
    path, _model, rep = tiny_int8
    m = runtime.load(path, num_threads=1)
    assert m.invoke(rep[0]).shape == (1, 3)
    assert m.invoke_batch(rep[:7]).shape == (7, 3)
    assert m.invoke_batch(np.zeros((0, 6))).shape == (0, 3)
    st = m.latency()
    assert st.count == 8 and 0 < st.min_ms <= st.median_ms <= st.max_ms
    m.reset_latency()
    assert m.latency().count == 0
    with pytest.raises(ValueError, match="shape"):
        m.invoke(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        m.invoke(np.full(6, np.nan))


def test_sha256_is_verified_and_a_mismatch_refused(tiny_int8):
    path = tiny_int8[0]
    digest = runtime.sha256_file(path)
    assert runtime.load(path, expected_sha256=digest.upper()).sha256 == digest
    with pytest.raises(runtime.ModelFileError, match="sha256 mismatch"):
        runtime.load(path, expected_sha256="0" * 64)


def test_bad_model_files_get_clear_errors(tiny_int8, tmp_path):
    data = tiny_int8[0].read_bytes()
    missing = tmp_path / "missing.tflite"
    with pytest.raises(runtime.ModelFileError, match="no such model file"):
        runtime.load(missing)
    short = tmp_path / "short.tflite"
    short.write_bytes(data[:10])
    with pytest.raises(runtime.ModelFileError, match="too short"):
        runtime.load(short)
    text = tmp_path / "text.tflite"
    text.write_bytes(b"this is not a model at all, just some text\n" * 10)
    with pytest.raises(runtime.ModelFileError, match="not a TFLite flatbuffer"):
        runtime.load(text)
    for cut in (len(data) // 2, len(data) - 64):
        trunc = tmp_path / f"trunc{cut}.tflite"
        trunc.write_bytes(data[:cut])
        with pytest.raises(runtime.ModelFileError):
            runtime.load(trunc)
    with pytest.raises(ValueError, match="num_threads"):
        runtime.load(tiny_int8[0], num_threads=0)


def test_no_interpreter_names_the_pip_extra(tiny_int8, monkeypatch):
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    monkeypatch.setitem(sys.modules, "tflite_runtime.interpreter", None)
    assert runtime.available_interpreters() == []
    with pytest.raises(runtime.RuntimeMissingError, match=r"pip install '\.\[litert\]'"):
        runtime.load(tiny_int8[0])


COMMANDS = Path(__file__).resolve().parents[1] / "firmware_models" / "commands.tflite"


def commands_model():
    import json

    entry = json.loads((COMMANDS.parent / "manifest.json").read_text())["models"]["commands"]
    from edgeaudio.features import FrontendConfig

    return runtime.load(COMMANDS, expected_sha256=entry["sha256"]), FrontendConfig.from_dict(entry["frontend"])


@settings(max_examples=8, deadline=None)
@given(cuts=st.lists(st.integers(0, 40000), max_size=6), stride=st.integers(1, 7))
def test_streaming_invoke_equals_batch_windows_for_any_chunking(cuts, stride):
    from edgeaudio.features import logmel

    m, cfg = commands_model()
    rng = np.random.default_rng(len(cuts) * 10 + stride)
    audio = (0.1 * rng.standard_normal(40000)).astype(np.float32)
    feats = logmel(audio, cfg)
    w = m.input_shape[1]
    starts = range(0, len(feats) - w + 1, stride)
    want = m.invoke_batch(np.stack([feats[s:s + w] for s in starts])[..., None])
    s = m.stream(cfg, stride)
    bounds = [0] + sorted(cuts) + [len(audio)]
    got = np.concatenate([s.process(audio[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
    np.testing.assert_array_equal(got, want)
    s.reset()  # a new stream starts from scratch
    np.testing.assert_array_equal(s.process(audio), want)


def test_streamer_rejects_bad_settings():
    from edgeaudio.features import FrontendConfig

    m, cfg = commands_model()
    with pytest.raises(ValueError, match="stride_frames"):
        m.stream(cfg, 0)
    with pytest.raises(ValueError, match="values per frame"):
        m.stream(FrontendConfig.preset("kws", n_mels=32), 5)


def test_memory_is_measured_from_the_interpreters_buffers(tiny_int8):
    m, _cfg = commands_model()
    mem = m.memory()
    # the input (49x40 int8) and the largest activation (25x20x64 int8) are live at once
    assert mem["arena_bytes"] >= 49 * 40 + 25 * 20 * 64
    # the planner reuses memory: less than the sum of the buffers, more than the largest one
    assert mem["arena_bytes"] < mem["activation_bytes"]
    assert 0 < mem["weight_bytes"] < mem["model_bytes"] == COMMANDS.stat().st_size
    tiny = runtime.load(tiny_int8[0]).memory()
    assert 0 < tiny["arena_bytes"] < 1024  # a few 6/5/3-element tensors and their scratch


def test_benchmark_times_only_its_own_invokes(tiny_int8):
    m = runtime.load(tiny_int8[0])
    m.invoke(np.zeros(6))
    st = m.benchmark(np.zeros(6), invokes=25, warmup=3)
    assert st.count == 25 and m.latency().count == 25
    with pytest.raises(ValueError, match="invokes"):
        m.benchmark(np.zeros(6), invokes=0)
