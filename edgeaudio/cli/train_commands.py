"""``edgeaudio train commands``: the Speech Commands keyword-spotting DS-CNN."""
from __future__ import annotations

import argparse

from .train import add_common_arguments, add_overrides, apply_overrides


def cmd_train_commands(args: argparse.Namespace) -> int:
    from ..train import commands

    cfg = commands.CommandsConfig.smoke() if args.smoke else commands.CommandsConfig()
    apply_overrides(cfg, args)
    if args.speech_commands:
        cfg.speech_commands_dir = args.speech_commands
    if args.no_festival:
        cfg.festival = False
    if args.noise_suppression:
        cfg.noise_suppression = True
    entry = commands.train_commands(args.out, work=args.work, config=cfg, resume=args.resume)
    m = entry["metrics"]
    print(f"{entry['file']}: {entry['size_bytes']} bytes, {entry['params']} params, {entry['macs']} MACs; "
          f"int8 held-out accuracy clean {100 * m['int8_accuracy_clean']:.2f}%, "
          f"10 dB SNR {100 * m['int8_accuracy_snr_10db']:.2f}%")
    return 0


def register(models) -> None:
    p = models.add_parser("commands", help="12-class Speech Commands keyword spotter (DS-CNN)",
                          description="Train the commands model (yes, no, up, down, left, right, on, off, "
                                      "stop, go, silence, unknown) on synthetic voices split by voice family.")
    add_common_arguments(p)
    p.add_argument("--speech-commands", metavar="DIR", help="train on a Google Speech Commands tree instead")
    p.add_argument("--no-festival", action="store_true", help="espeak-ng voices only")
    p.add_argument("--noise-suppression", action="store_true",
                   help="train and evaluate on clips passed through the pipeline's noise suppressor (for a "
                        "model run with Pipeline(noise_suppression=True) / --ns)")
    add_overrides(p, dict.fromkeys(("epochs", "train_per_keyword", "val_per_class", "test_per_class",
                                    "augment_copies", "seed", "hop_ms", "batch_size", "filters", "blocks"), int))
    add_overrides(p, {"vowel_variants": (float, "extra training clips per keyword with the stressed vowel "
                                                "swapped, as a share of --train-per-keyword (0: none)"),
                      "vowel_variants_festival_share": (float, "share of those spoken by festival kal (0: "
                                                               "espeak-ng voices only)"),
                      "synthetic_voices": (float, "extra training clips of every word class spoken by synthetic "
                                                  "espeak-ng variants (formants moved independently), as a share "
                                                  "of that class's clips (0: none)"),
                      "synthetic_voice_count": (int, "how many synthetic variants speak them"),
                      "unreleased_stops": (float, "chance that a training up / stop / right loses its final "
                                                  "stop's release (0: never)"),
                      "room_ir_prob": (float, "share of training clips heard through a room impulse response"),
                      "head": (str, "DS-CNN pooling head: global_average, global_max or average_max"),
                      "mel_reduction": (int, "mel bands per band the DS-CNN blocks see: 4 (default), 2 or 8"),
                      "cepstra": (int, "smooth each log-mel frame to its first N DCT cepstra inside the model "
                                       "(its spectral envelope; default 13, 0: off)"),
                      "label_smoothing": (float, "label smoothing of the training targets (0: off)"),
                      "consistency": (float, "weight of the consistency loss between each noisy training "
                                             "example and its clean twin (0: off; twice the training time)")})
    p.set_defaults(func=cmd_train_commands)
