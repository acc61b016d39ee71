"""``edgeaudio train wakeword "PHRASE"``: a wake-word model from a typed phrase."""
from __future__ import annotations

import argparse

from .train import add_common_arguments, add_overrides, apply_overrides


def cmd_train_wakeword(args: argparse.Namespace) -> int:
    from ..train import wakeword

    if args.smoke:
        cfg = wakeword.WakeWordConfig.smoke(args.phrase)
    elif args.fast:
        cfg = wakeword.WakeWordConfig.fast(args.phrase)
    else:
        cfg = wakeword.WakeWordConfig(phrase=args.phrase)
    apply_overrides(cfg, args)
    if args.no_festival:
        cfg.festival = False
    if args.head:
        cfg.head = args.head
    hours = args.negative_hours if args.negative_hours is not None else (0.01 if args.smoke else 1.0)
    entry = wakeword.train_wakeword(args.phrase, args.out, name=args.name, work=args.work, config=cfg,
                                    resume=args.resume, negative_hours=hours, negative_cache=args.negative_cache)
    m = entry["metrics"]
    fa = m["false_accepts"]
    frr = ", ".join(f"{k} {100 * v:.1f}%" for k, v in m["frr"].items())
    print(f"{entry['file']}: {entry['size_bytes']} bytes, {entry['params']} params, {entry['macs']} MACs; "
          f"held-out FRR {frr}; {fa['count']} false accepts in {fa['hours']:.2f} h "
          f"({fa['per_hour']:.2f}/h, 95% upper {fa['per_hour_95_upper']:.2f}/h); "
          f"{m['cost']['cpu_ms_per_audio_s']:.2f} ms CPU per audio second")
    return 0


def register(models) -> None:
    p = models.add_parser("wakeword", help="a wake-word detector for a typed phrase (DS-CNN, int8)",
                          description="Synthesise the phrase and negatives (other words, automatic phoneme near "
                                      "misses, partial phrases, music, noise) on voices split by family, train, "
                                      "quantise to int8, tune the streaming detector on validation voices and "
                                      "measure FRR and false accepts per hour on held-out voices.")
    p.add_argument("phrase", help='the wake phrase, e.g. "hey jarvis"')
    p.add_argument("--name", help="model name (default from the phrase: hey_jarvis)")
    add_common_arguments(p)
    p.add_argument("--fast", action="store_true", help="less data and fewer epochs (a custom word in < 1 h)")
    p.add_argument("--negative-hours", type=float, default=None,
                   help="hours of held-out negative audio for the false-accept rate (default 1)")
    p.add_argument("--negative-cache", help="folder for the rendered negative audio, shared by every phrase "
                                             "(default $EDGEAUDIO_CACHE/wakeword_eval; EDGEAUDIO_CACHE defaults "
                                             "to ~/.cache/edgeaudio and holds --work's default too)")
    p.add_argument("--no-festival", action="store_true", help="espeak-ng voices only")
    p.add_argument("--head", choices=("global_average", "time_flatten"), help="DS-CNN classifier head")
    add_overrides(p, {
        "near_miss_share": (float, "share of the near-miss windows trained on (default 0.3)"),
        "mining_hours": (float, "hours of training-voice negative streams mined for hard negatives "
                                "(default 6; 0: none)"),
        "val_stream_minutes": (float, "minutes of validation negative audio the detector is tuned on (default 600)"),
        "target_fa_per_hour": (float, "false accepts per hour the detector may make on the validation streams "
                                      "(default 0.5; only re-tunes under --resume)"),
        "mining_max": (int, "most mined windows kept (default 20000)"),
        "mining_builtin_hours": (float, "more hours mined whose music the synth's built-in patches play instead "
                                        "of the training SoundFont (other timbres; default 0)"),
        "mining_music_shelf_db": (float, "the mined streams' music gets a random shelf of -this..+this dB above "
                                         "3 kHz (brighter and duller instruments; default 0)"),
        "mel_reduction": (int, "mel bands per band the DS-CNN blocks see: 4 (default), 2 or 8"),
        "vowel_variants": (float, "extra positives, as a share of --positives, with the stressed vowels swapped "
                                  "for how other English accents say them; near misses then leave those out "
                                  "(default 0)"),
        "festival_rate_max": (float, "festival kal's training renders speak faster by a factor drawn from 1 to this "
                                     "(diphone voices have their own pace; default 1: as espeak-ng)"),
        **dict.fromkeys(("epochs", "positives", "seed", "filters", "blocks", "stride_ms", "mining_epochs"), int)})
    p.set_defaults(func=cmd_train_wakeword)
