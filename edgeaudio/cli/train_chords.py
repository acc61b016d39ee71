"""``edgeaudio train chords``: the learned chord scorer of ``analysis.recognize_chords``."""
from __future__ import annotations

import argparse

from .train import add_common_arguments, add_overrides, apply_overrides


def cmd_train_chords(args: argparse.Namespace) -> int:
    from ..train import chords

    cfg = chords.ChordTrainConfig.smoke() if args.smoke else chords.ChordTrainConfig()
    apply_overrides(cfg, args)
    if args.soundfont:
        cfg.soundfonts = tuple(args.soundfont)
    report = chords.train_chords(args.out, work=args.work, config=cfg)
    m = report["metrics"]
    print(f"{report['file']}: {report['size_bytes']} bytes, {report['params']} params, sha256 {report['sha256']}; "
          f"validation frame accuracy {100 * m['val_frame_accuracy']:.2f}%")
    return 0


def register(models) -> None:
    p = models.add_parser("chords", help="chord scorer for recognize_chords (numpy; no TensorFlow)",
                          description="Render generated songs (seeds from --seed-start, default 2000: clear of the "
                                      "benchmark's held-out 100-119 and tuning 1000-1039) through the training "
                                      "SoundFonts, train the root-shared chord scorer and write chords.npz and "
                                      "chords.json into --out (edgeaudio/data replaces the shipped weights).")
    add_common_arguments(p)
    p.add_argument("--soundfont", nargs="+", metavar="SF2",
                   help="training SoundFonts, 'additive' for plain additive tones (default FluidR3, TimGM6mb, "
                        "additive); per-song renders are always reused from --work")
    add_overrides(p, dict.fromkeys(("songs", "additive_songs", "bars", "seed_start", "hidden", "epochs",
                                    "batch_size", "frame_step", "seed"), int))
    p.set_defaults(func=cmd_train_chords)
