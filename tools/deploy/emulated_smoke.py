"""Checks an installed edgeaudio on the target against the host (run by `wheel`).

On the host: ``--write-reference FILE`` saves a test signal and the MFCCs,
log-mels and FFT the host's edgeaudio computes, and for every bundled model
(firmware_models/manifest.json) a few input windows (keywords spoken by
espeak-ng, noise, silence), their features and the host LiteRT's outputs.
On the target (the emulated arm64 Python): ``--check-reference FILE``
recomputes the features with the installed wheel on every SIMD path it offers
and fails unless NEON is there, is the default, and every path agrees with the
host to float32 tolerance; then loads each bundled model from the installed
wheel (sha256 checked against the manifest), invokes it on the host's
features and fails unless the outputs equal the host's within one output
quantisation step, and on its own features unless every window gets the
host's label. Uses numpy and edgeaudio only (no librosa on the target).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np


def compute(edgeaudio) -> dict:
    from edgeaudio import features, fft

    t = np.arange(16000, dtype=np.float32) / 16000.0
    rng = np.random.default_rng(7)
    x = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(t.size)).astype(np.float32)
    cfg = features.FrontendConfig()
    return {
        "x": x,
        "mfcc": np.asarray(features.mfcc(x, cfg)),
        "logmel": np.asarray(features.logmel(x, cfg)),
        "rfft": np.asarray(fft.rfft(x[:512])),
    }


MODEL_WINDOWS = 6  # per model: 4 spoken labels, noise, silence


def model_inputs(entry: dict) -> np.ndarray:
    """(MODEL_WINDOWS, window_samples) float32 audio: labels spoken by espeak-ng (host only)."""
    from edgeaudio.train import voices

    n = entry["window_samples"]
    sr = entry["frontend"]["sample_rate"]
    words = [w for w in entry["labels"] if w not in ("silence", "unknown", "negative")][:MODEL_WINDOWS - 2]
    speaker = voices.speakers(include_festival=False)[0]
    out = np.zeros((MODEL_WINDOWS, n), np.float32)
    for i, word in enumerate(words):
        clip = voices.render_espeak(word, speaker)[:n]
        start = (n - clip.size) // 2
        out[i, start:start + clip.size] = 0.3 * clip / max(float(np.max(np.abs(clip))), 1e-6)
    out[len(words)] = 0.05 * np.random.default_rng(3).standard_normal(n).astype(np.float32)
    assert sr == 16000
    return out


def model_features(entry: dict, audio: np.ndarray) -> np.ndarray:
    from edgeaudio import features

    if entry["input"]["features"] != "logmel":
        raise ValueError(f"features {entry['input']['features']!r}: only logmel models are checked here")
    return np.asarray(features.logmel(audio, features.FrontendConfig.from_dict(entry["frontend"])))[..., None]


def write_models(ref: dict) -> None:
    from edgeaudio import models

    for name, entry in models.manifest()["models"].items():
        audio = model_inputs(entry)
        feats = model_features(entry, audio)
        m = models.load_bundled(name)
        ref[f"model/{name}/audio"] = audio
        ref[f"model/{name}/features"] = feats
        ref[f"model/{name}/outputs"] = m.invoke_batch(feats)


def check_models(ref) -> int:
    from edgeaudio import models

    failures = 0
    names = sorted({k.split("/")[1] for k in ref.files if k.startswith("model/")})
    for name in names:
        entry = models.manifest()["models"][name]
        m = models.load_bundled(name)  # sha256 from the manifest, checked before loading
        assert m.sha256 == entry["sha256"]
        want = ref[f"model/{name}/outputs"]
        got = m.invoke_batch(ref[f"model/{name}/features"])
        step = float(m.output_details[0]["quantization"][0]) or 1e-6
        steps = float(np.max(np.abs(got - want))) / step
        own = m.invoke_batch(model_features(entry, ref[f"model/{name}/audio"]))
        same_label = bool(np.all(own.argmax(axis=1) == want.argmax(axis=1)))
        ok = got.shape == want.shape and steps <= 1.0 and same_label
        failures += not ok
        print(f"model {name}: sha256 ok ({m.interpreter_name}); {len(want)} windows, host features: max diff "
              f"vs host outputs {steps:.1f} output steps ({int(np.sum(np.isclose(got, want, rtol=0, atol=step / 2)))}/"
              f"{want.size} identical); own features: labels {'equal' if same_label else 'DIFFER'} "
              f"({[entry['labels'][i] for i in own.argmax(axis=1)]}) {'ok' if ok else 'FAIL'}")
    if not names:
        print("FAIL: no model references", file=sys.stderr)
        failures += 1
    return failures


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write-reference", metavar="FILE")
    g.add_argument("--check-reference", metavar="FILE")
    g.add_argument("--write-tiny-int8", metavar="FILE",
                   help="tests/test_runtime.py's int8 model and its Keras outputs, for a target without TensorFlow")
    args = p.parse_args()
    if args.write_tiny_int8:
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from tests.test_runtime import make_tiny_int8

        data, want, rep = make_tiny_int8()
        np.savez(args.write_tiny_int8, model=np.frombuffer(data, np.uint8), want=want, rep=rep)
        return 0
    import edgeaudio
    from edgeaudio import _core

    if args.write_reference:
        ref = compute(edgeaudio)
        write_models(ref)
        np.savez(args.write_reference, **ref)
        return 0
    info = edgeaudio.simd_info()
    print(f"edgeaudio {edgeaudio.__version__} on {info}")
    if "neon" not in info["available"] or info["active"] != "neon":
        print("FAIL: NEON is not the active path", file=sys.stderr)
        return 1
    ref = np.load(args.check_reference)
    failures = 0
    for path in info["available"]:
        _core._set_simd(path)
        got = compute(edgeaudio)
        for key in ("mfcc", "logmel", "rfft"):
            scale = float(np.max(np.abs(ref[key])))
            err = float(np.max(np.abs(got[key] - ref[key]))) / scale
            ok = got[key].shape == ref[key].shape and err < 1e-4
            failures += not ok
            print(f"{path:7} {key:7} shape {got[key].shape} max rel. diff vs host {err:.1e} "
                  f"{'ok' if ok else 'FAIL'}")
    _core._set_simd("neon")
    failures += check_models(ref)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
