"""The sound-event model: its synthetic sources, a smoke training run, and the shipped model's accuracy."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edgeaudio import runtime
from edgeaudio.features import FrontendConfig, logmel
from edgeaudio.train import events

ROOT = Path(__file__).resolve().parents[1] / "firmware_models"
SR = events.SAMPLE_RATE


def on_intervals(env, threshold=0.5):
    """(start_s, end_s) of the runs where ``env`` >= threshold."""
    on = np.concatenate([[0], (env >= threshold).astype(int), [0]])
    d = np.diff(on)
    return list(zip(np.nonzero(d == 1)[0] / SR, np.nonzero(d == -1)[0] / SR))


def test_t3_and_t4_temporal_patterns():
    """T3: three 0.5 s pulses 0.5 s apart, then 1.5 s off; T4: four 0.1 s pulses 0.1 s apart, then 5 s off."""
    t3 = [(i * 1.0, 0.5) for i in range(3)]
    env = events._gate(8 * SR, events._pattern_pulses(t3, 4.0, 8.0, 0.0))
    runs = on_intervals(env)
    assert len(runs) == 6
    np.testing.assert_allclose([b - a for a, b in runs], 0.5, atol=0.01)
    np.testing.assert_allclose([a for a, _ in runs], [0, 1, 2, 4, 5, 6], atol=0.01)
    t4 = [(i * 0.2, 0.1) for i in range(4)]
    env = events._gate(7 * SR, events._pattern_pulses(t4, 5.8, 7.0, 0.0))
    runs = on_intervals(env)
    np.testing.assert_allclose([a for a, _ in runs], [0, 0.2, 0.4, 0.6, 5.8, 6.0, 6.2, 6.4], atol=0.01)
    np.testing.assert_allclose([b - a for a, b in runs], 0.1, atol=0.01)


def test_sources_are_one_second_finite_and_not_silent():
    rng = np.random.default_rng(3)
    for make in (events.alarm, events.noise, events.bar_chime):
        for _ in range(20):
            x = make(SR, rng)
            assert x.shape == (SR,) and x.dtype == np.float32 and np.all(np.isfinite(x))
            assert np.sqrt(np.mean(x ** 2)) > 0.01
    x = events.alarm(SR, np.random.default_rng(1))
    # an alarm is a tone: most of its energy in a narrow band
    spec = np.abs(np.fft.rfft(x)) ** 2
    peak = int(np.argmax(spec))
    assert spec[max(peak - 20, 0):peak + 21].sum() > 0.4 * spec.sum()


def test_music_and_chimes_render_from_a_soundfont():
    from edgeaudio import synth

    sf = synth.load_soundfont(events.TEST_SOUNDFONT)  # tools/test.sh installs timgm6mb-soundfont
    rng = np.random.default_rng(5)
    m, c = events.music(SR, rng, sf), events.chime(SR, rng, sf)
    assert np.isclose(np.sqrt(np.mean(m ** 2)), 1.0, atol=1e-3)
    assert np.isclose(np.abs(c).max(), 1.0, atol=1e-3)
    # the chime starts in the first 0.35 s and rings on
    assert np.abs(c[: int(0.4 * SR)]).max() > 0.1 and np.abs(c[SR // 2:]).max() > 0.01


def test_smoke_training_through_the_cli(tmp_path):
    """`edgeaudio train events --smoke`: the real code path, tiny (synthesis, training, int8, manifest, report)."""
    from edgeaudio.cli import main
    from edgeaudio.models import Detector

    out, work = tmp_path / "out", tmp_path / "work"
    assert main(["train", "events", "--smoke", "--out", str(out), "--work", str(work)]) == 0
    e = json.loads((out / "manifest.json").read_text())["models"]["events"]
    assert e["labels"] == list(events.LABELS)
    m = runtime.load(out / e["file"], expected_sha256=e["sha256"])
    assert m.is_quantized and m.input_shape == tuple(e["input"]["shape"])
    for k in ("int8_accuracy", "int8_accuracy_per_class", "latency", "memory"):
        assert k in e["metrics"]
    assert e["metrics"]["memory"]["arena_bytes"] > 0
    assert (out / "events_report.md").is_file() and (out / "events_confusion.png").is_file()
    det = Detector.from_manifest(e)
    assert det.n_classes == len(events.LABELS)


def shipped():
    return json.loads((ROOT / "manifest.json").read_text())["models"]["events"]


def test_shipped_events_model_meets_its_budget():
    e = shipped()
    assert (ROOT / e["file"]).stat().st_size == e["size_bytes"] < 250_000
    assert e["labels"] == list(events.LABELS)
    m = e["metrics"]
    assert m["memory"]["arena_bytes"] > 0 and m["test_examples"] >= 6 * 50
    assert e["params"] > 0 and e["macs"] > 0
    assert e["stride_ms"] > 0 and e["stride_ms"] % e["hop_ms"] == 0  # a whole number of frames per invoke


def test_shipped_events_model_on_held_out_renders_synthesised_here():
    """Floor 80% on 8 clips per class: music and chimes from the SoundFont training never used, test voices,
    new alarm and noise draws (the manifest reports the full held-out figure)."""
    e = shipped()
    cfg = events.EventsConfig(festival=False)  # one process per festival clip is slow; espeak test voices
    src = events._sources("test", cfg)
    rng = np.random.default_rng(99)  # not the training or test seed
    audio, y = [], []
    for ci, label in enumerate(events.LABELS):
        for _ in range(8):
            audio.append(events.augment_event(src[label](rng), label, rng, [], "test"))
            y.append(ci)
    feats = logmel(np.stack(audio), FrontendConfig.from_dict(e["frontend"]))
    m = runtime.load(ROOT / e["file"], expected_sha256=e["sha256"])
    pred = m.invoke_batch(feats[..., None]).argmax(axis=1)
    acc = float(np.mean(pred == np.array(y)))
    assert acc >= 0.8, (acc, pred.tolist())


def test_detector_from_the_manifest_ignores_silence_and_noise():
    from edgeaudio.models import Detector

    e = shipped()
    det = Detector.from_manifest(e)
    k = len(events.LABELS)
    noise = np.eye(k)[[events.LABELS.index("noise")] * 10]
    silence = np.eye(k)[[events.LABELS.index("silence")] * 10]
    assert det.process(noise) == [] and det.process(silence) == []
    alarm = np.eye(k)[[events.LABELS.index("alarm")] * 10]
    assert [d.label for d in det.process(alarm)] == ["alarm"]  # 10 frames: one firing, then refractory
    # an explicit ignore list still wins over the manifest's
    assert [d.label for d in Detector.from_manifest(e, ignore=[]).process(noise)] == ["noise"]
