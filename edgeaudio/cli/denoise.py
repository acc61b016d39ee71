"""``edgeaudio denoise``: stationary-noise suppression of a recording."""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ._audio import blocks_with_bar, read_mono, write_wav

ORDER = 21


def cmd_denoise(args: argparse.Namespace) -> int:
    from ..enhance import NoiseSuppressor, SosFilter, dc_blocker

    x, rate = read_mono(args.input, args.channel)
    ns = NoiseSuppressor(rate, attenuation_limit_db=args.attenuation_db, method=args.method)
    hp = SosFilter(dc_blocker(rate, args.highpass)) if args.highpass else None
    pad = np.zeros(ns.latency, np.float32)
    xx = np.concatenate([x, pad])
    out = []
    for i in blocks_with_bar(xx, rate, rate, not args.no_progress, "denoise"):
        b = xx[i:i + rate]
        out.append(ns.process(hp.process(b) if hp else b))
    y = np.concatenate(out)[ns.latency: ns.latency + len(x)]
    write_wav(args.output, y, rate)
    print(f"edgeaudio denoise: wrote {args.output}: {len(x) / rate:.1f} s at {rate} Hz", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("denoise", help="suppress stationary noise in a recording",
                       description="Noise suppression (MCRA noise tracking, Wiener gain) with an optional "
                                   "high-pass; the output is aligned with the input.",
                       epilog="example:\n  edgeaudio denoise noisy.wav -o clean.wav --attenuation-db 15",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="audio file")
    p.add_argument("-o", "--output", required=True, help="output WAV")
    p.add_argument("--channel", type=int, help="channel of a multi-channel file")
    p.add_argument("--attenuation-db", type=float, default=20.0, help="most attenuation per bin (default 20 dB)")
    p.add_argument("--method", choices=("wiener", "spectral_subtraction"), default="wiener")
    p.add_argument("--highpass", type=float, default=60.0, help="high-pass cutoff in Hz first (0: none)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_denoise)
