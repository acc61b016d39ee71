"""The shipped models: manifest integrity and accuracy on held-out voices synthesised here."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edgeaudio import runtime
from edgeaudio.features import FrontendConfig, logmel

ROOT = Path(__file__).resolve().parents[1] / "firmware_models"
MANIFEST = ROOT / "manifest.json"

# The test extra installs ai-edge-litert and tools/test.sh installs espeak-ng: a missing one is
# a broken install, so these tests fail rather than skip.


#: int8 flatbuffer budgets from the issue: sound events 250 KB, the others 100 KB.
SIZE_LIMITS = {"events": 250_000}


def entries():
    return json.loads(MANIFEST.read_text())["models"]


def test_the_manifest_ships_the_commands_model():
    assert "commands" in entries()


def test_bundled_models_load_by_name_with_their_checksum():
    from edgeaudio import models

    assert models.manifest() == json.loads(MANIFEST.read_text())
    m = models.load_bundled("commands")
    assert list(m.output_details[0]["shape"]) == [1, len(entries()["commands"]["labels"])]
    with pytest.raises(KeyError, match="commands"):
        models.load_bundled("no-such-model")


@pytest.mark.parametrize("name", sorted(entries()))
def test_manifest_entry_matches_its_file(name):
    e = entries()[name]
    path = ROOT / e["file"]
    m = runtime.load(path, expected_sha256=e["sha256"])
    assert path.stat().st_size == e["size_bytes"] < SIZE_LIMITS.get(name, 100_000)
    assert m.is_quantized
    assert m.input_shape == tuple(e["input"]["shape"])
    assert m.output_details[0]["shape"][-1] == len(e["labels"])
    cfg = FrontendConfig.from_dict(e["frontend"])
    assert cfg.num_frames(e["window_samples"]) == e["frames"] == m.input_shape[1]
    assert m.input_shape[2] == cfg.n_mels
    for key in ("params", "macs", "training_data", "metrics", "detector"):
        assert key in e


def test_commands_model_on_held_out_voices_synthesised_here():
    """Floor 75% on 4 clean clips per class from test-split voices (the manifest reports the full figure)."""
    from edgeaudio.train import voices
    from edgeaudio.train.commands import CLIP_SAMPLES, KEYWORDS, LABELS, synthesize_split
    from edgeaudio.train import augment

    assert voices.have_espeak(), "espeak-ng is missing (apt-get install espeak-ng)"
    e = entries()["commands"]
    rng = np.random.default_rng(2024)  # not the training seed: new clips, same held-out voices
    counts = {k: 4 for k in KEYWORDS}
    counts["unknown"] = 4
    clips, labels, _ = synthesize_split("test", counts, rng, None)
    audio = [augment.set_level(augment.place(c, CLIP_SAMPLES, rng, CLIP_SAMPLES // 8), -22) for c in clips]
    audio += [np.zeros(CLIP_SAMPLES, np.float32)] * 4
    labels += ["silence"] * 4
    feats = logmel(np.stack(audio), FrontendConfig.from_dict(e["frontend"]))
    m = runtime.load(ROOT / e["file"], expected_sha256=e["sha256"])
    pred = m.invoke_batch(feats[..., None]).argmax(axis=1)
    acc = float(np.mean(pred == np.array([LABELS.index(l) for l in labels])))
    assert acc >= 0.75, acc
