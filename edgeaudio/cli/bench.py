"""``edgeaudio bench``: how fast the full pipeline runs on this machine."""
from __future__ import annotations

import argparse
import json

import numpy as np

ORDER = 30

EPILOG = """\
Runs the full pipeline (AEC with a 256 ms tail, high-pass, frontend, the models; --ns adds the noise
suppressor)
on a synthetic scene (music echo + speech-like noise bursts) and prints the wall-clock time per
stage and the real-time factor (processing time / audio time; 0.01 = 100x faster than real time).
tools/bench/pipeline.py is the full benchmark (1 hour of audio, peak RSS, peers).
example:
  edgeaudio bench --seconds 60 --model commands
"""


def cmd_bench(args: argparse.Namespace) -> int:
    from ..pipeline import Pipeline

    rate = 16000
    n = int(args.seconds * rate)
    rng = np.random.default_rng(0)
    t = np.arange(n) / rate
    ref = (0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t)) +
           0.05 * rng.standard_normal(n)).astype(np.float32)
    mic = (np.convolve(ref, np.r_[np.zeros(960), 0.6, 0.25, -0.1])[:n] + 0.01 * rng.standard_normal(n)).astype(np.float32)
    models = args.models or ["commands"]
    p = Pipeline(models, aec=not args.no_aec, noise_suppression=args.ns)
    block = int(args.block_ms * rate / 1000)
    for i in range(0, n, block):
        p.process(mic[i:i + block], None if args.no_aec else ref[i:i + block])
    t = p.timing()
    if args.json:
        print(json.dumps(t, indent=2))
        return 0
    print(f"pipeline: {p.describe()}")
    print(f"audio {t['audio_s']:.1f} s in blocks of {args.block_ms:g} ms; processing {t['total_s']:.3f} s")
    for k, v in t["stages_s"].items():
        print(f"  {k:<20} {v:8.3f} s   RTF {v / t['audio_s']:.5f}")
    print(f"real-time factor {t['rtf']:.4f} wall-clock ({1 / t['rtf']:.0f}x faster than real time), "
          f"{t['rtf_cpu']:.4f} in CPU time")
    return 0


def register(sub) -> None:
    p = sub.add_parser("bench", help="real-time factor of the full pipeline, per stage",
                       description="Time the full pipeline per stage on synthetic audio.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=30.0, help="audio length (default 30)")
    p.add_argument("--block-ms", type=float, default=100.0, help="block size (default 100 ms)")
    p.add_argument("--model", "-m", action="append", dest="models", metavar="NAME", help="models (default commands)")
    p.add_argument("--no-aec", action="store_true", help="without the echo canceller")
    p.add_argument("--ns", action=argparse.BooleanOptionalAction, default=None,
                   help="force the noise suppressor on or off (default: as the models were trained)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_bench)
