"""``edgeaudio features``: the frontend's features of a file (what a model sees)."""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ._audio import blocks_with_bar, plot, read_mono

ORDER = 22

EPILOG = """\
examples:
  edgeaudio features speech.wav --model commands -o feats.npy --plot feats.png
  edgeaudio features speech.wav --preset kaldi --output-type mfcc -o mfcc.npy
The array saved is (frames, dims), float32, computed by the streaming frontend exactly as the
pipeline computes it on the device.
"""


def cmd_features(args: argparse.Namespace) -> int:
    from ..features import Frontend, FrontendConfig, PRESETS

    x, rate = read_mono(args.input, args.channel)
    if args.model:
        from .. import models

        entries = models.manifest()["models"]
        if args.model not in entries:
            raise ValueError(f"--model {args.model!r}: no such bundled model ({', '.join(sorted(entries))})")
        cfg = FrontendConfig.from_dict(entries[args.model]["frontend"])
    else:
        if args.preset not in PRESETS:
            raise ValueError(f"--preset must be one of {', '.join(PRESETS)}")
        cfg = FrontendConfig.preset(args.preset, sample_rate=rate)
        if cfg.top_db is not None:
            cfg = cfg.replace(top_db=None)
    if args.output_type:
        cfg = cfg.replace(output=args.output_type)
    if rate != cfg.sample_rate:
        from ..resample import Resampler

        print(f"edgeaudio features: resampling {rate} Hz to the frontend's {cfg.sample_rate} Hz", file=sys.stderr)
        r = Resampler(rate, cfg.sample_rate)
        x = np.concatenate([r.process(x), r.process(np.zeros(int(r.delay_s * rate) + 1, np.float32))])
        rate = cfg.sample_rate
    fe = Frontend(cfg)
    parts = [fe.push(x[i:i + rate]) for i in blocks_with_bar(x, rate, rate, not args.no_progress, "features")]
    parts.append(fe.flush())
    f = np.concatenate(parts)
    if args.output:
        try:
            np.save(args.output, f)
        except Exception as e:  # noqa: BLE001
            raise OSError(f"cannot write {args.output}: {e}") from None
    print(f"edgeaudio features: {f.shape[0]} frames x {f.shape[1]} {cfg.output} "
          f"(hop {1000 * cfg.hop_length / cfg.sample_rate:g} ms)" + (f" -> {args.output}" if args.output else ""),
          file=sys.stderr)
    if args.plot:
        real = np.abs(f) if np.iscomplexobj(f) else f
        plot(args.plot, x, rate, f"{args.input}: {cfg.output} features", features=real,
             feature_hop_s=cfg.hop_length / cfg.sample_rate)
        print(f"edgeaudio features: wrote {args.plot}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("features", help="compute frontend features (log-mel, MFCC, ...) of a file",
                       description="Compute the streaming frontend's features of an audio file, with a "
                                   "bundled model's configuration or a preset.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="audio file")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--model", help="use this bundled model's frontend configuration")
    src.add_argument("--preset", default="kws", help="librosa, speech_features, kws or kaldi (default kws)")
    p.add_argument("--output-type", choices=("spectrum", "mel", "logmel", "mfcc"), help="override the output")
    p.add_argument("-o", "--output", help="save the (frames, dims) array as .npy")
    p.add_argument("--channel", type=int, help="channel of a multi-channel file")
    p.add_argument("--plot", metavar="OUT.png", help="waveform, spectrogram and the feature matrix")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_features)
