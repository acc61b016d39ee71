#!/usr/bin/env python3
"""Accuracy of a commands model per voice family and per class on the trainer's held-out test split.

    python tools/commands_eval.py                       # firmware_models/commands.tflite
    python tools/commands_eval.py --model other.tflite --json out.json
    python tools/commands_eval.py --snr 30 20 15 10 5 0  # accuracy against SNR, the same clips

Builds (or reuses, from ~/.cache/edgeaudio/train/commands or --work) the
dataset that ``edgeaudio train commands`` builds with its default config (at the
frame hop the model's input implies), runs
the int8 model on the test voices clean and with the test noise bank at 10 dB
SNR (with --noise-suppression: every clip through the pipeline's noise
suppressor first), and prints overall, per-family and per-class accuracy. With --snr it
also mixes the same test speech with the same background draws at each SNR given and prints
accuracy per SNR and voice family. The code lives in edgeaudio.train.commands
(build_dataset, noisy_test_features, snr_sweep, evaluate, accuracy_breakdown).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    root = Path(__file__).resolve().parents[1]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=root / "firmware_models" / "commands.tflite")
    p.add_argument("--work", type=Path, default=Path.home() / ".cache" / "edgeaudio" / "train" / "commands",
                   help="the trainer's cache folder (the dataset is built there once)")
    p.add_argument("--noise-suppression", action="store_true",
                   help="every clip through the pipeline's noise suppressor first (Pipeline(noise_suppression=True))")
    p.add_argument("--snr", type=float, nargs="+", metavar="DB",
                   help="also score the test split at these SNRs (the same speech and background draws)")
    p.add_argument("--json", type=Path, help="write the metrics here")
    a = p.parse_args(argv)
    if not a.model.is_file():
        p.error(f"--model: no such file {a.model}")
    if a.snr and not np.all(np.isfinite(a.snr)):
        p.error(f"--snr: SNRs must be finite numbers of dB, got {a.snr}")
    from edgeaudio import features, runtime
    from edgeaudio.train import commands

    # the model's input frames say which frontend hop it was trained on (49 frames: 20 ms, 98: 10 ms)
    frames = int(runtime.load(a.model, num_threads=1).input_shape[1])
    hops = {features.logmel(np.zeros(commands.CLIP_SAMPLES, np.float32), commands.frontend_config(h)).shape[0]: h
            for h in (20, 10)}
    if frames not in hops:
        p.error(f"--model: {frames} input frames match no commands frontend hop ({hops})")
    cfg = commands.CommandsConfig(hop_ms=hops[frames], noise_suppression=a.noise_suppression)
    data = commands.build_dataset(cfg, a.work, resume=True)
    m = commands.evaluate(a.model, data)
    for cond in ("clean", "snr_10db"):
        print(f"{cond}: int8 accuracy {100 * m[f'int8_accuracy_{cond}']:.2f}% ({m['test_examples']} examples)")
        for key in ("by_family", "by_label"):
            print(f"  {key[3:]:7s} " + ", ".join(f"{k} {100 * v['accuracy']:.1f}% ({v['examples']})"
                                               for k, v in m[f"{key}_{cond}"].items()))
    out = {k: v for k, v in m.items() if not k.startswith("confusion")}
    if a.snr:
        out["int8_accuracy_by_snr_db"] = commands.snr_sweep(a.model, cfg, a.work, data, a.snr)
        for snr, v in out["int8_accuracy_by_snr_db"].items():
            print(f"{snr:>5s} dB SNR: int8 accuracy {100 * v['accuracy']:.2f}%  (" + ", ".join(
                f"{k} {100 * f['accuracy']:.1f}%" for k, f in v["by_family"].items()) + ")")
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
