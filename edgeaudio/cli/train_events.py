"""``edgeaudio train events``: the sound-event classifier (silence, speech, music, alarm, chime, noise)."""
from __future__ import annotations

import argparse

from .train import add_common_arguments, add_overrides, apply_overrides


def cmd_train_events(args: argparse.Namespace) -> int:
    from ..train import events

    cfg = events.EventsConfig.smoke() if args.smoke else events.EventsConfig()
    apply_overrides(cfg, args)
    if args.no_festival:
        cfg.festival = False
    entry = events.train_events(args.out, work=args.work, config=cfg, resume=args.resume)
    m = entry["metrics"]
    print(f"{entry['file']}: {entry['size_bytes']} bytes, {entry['params']} params, {entry['macs']} MACs; "
          f"int8 accuracy on the held-out SoundFont and voices {100 * m['int8_accuracy']:.2f}%")
    return 0


def register(models) -> None:
    p = models.add_parser("events", help="sound-event classifier: silence, speech, music, alarm, chime, noise",
                          description="Train the sound-event model on synthetic data: speech by voice family, "
                                      "music and chimes from one SoundFont (tested on another), procedural "
                                      "alarms (smoke T3, CO T4, alarm clocks, beeps) and noises.")
    add_common_arguments(p)
    p.add_argument("--no-festival", action="store_true", help="espeak-ng voices only")
    add_overrides(p, {"train_soundfont": (str, "SoundFont for training renders"),
                      "test_soundfont": (str, "SoundFont for the held-out test renders"),
                      **dict.fromkeys(("epochs", "train_per_class", "val_per_class", "test_per_class",
                                       "augment_copies", "seed", "batch_size", "filters"), int)})
    p.set_defaults(func=cmd_train_events)
