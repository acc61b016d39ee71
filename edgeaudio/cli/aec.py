"""``edgeaudio aec``: remove a loudspeaker's echo from a microphone recording."""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ._audio import blocks_with_bar, plot, read_mono, write_wav

ORDER = 20

EPILOG = """\
example:
  edgeaudio aec --mic mic.wav --ref playback.wav -o clean.wav --plot aec.png
The reference is what was sent to the loudspeaker, at the mic's rate (8, 16, 32 or 48 kHz); it may
lead its echo by up to --max-delay-ms. The output is aligned with the input (the canceller's
latency is removed) and the echo return loss enhancement (ERLE) is printed.
"""


def cmd_aec(args: argparse.Namespace) -> int:
    from ..aec import EchoCanceller

    mic, rate = read_mono(args.mic, args.channel, "--mic")
    ref, rref = read_mono(args.ref, None, "--ref")
    if rref != rate:
        raise ValueError(f"--ref is at {rref} Hz but --mic is at {rate} Hz: resample one of them first")
    if len(ref) < len(mic):
        ref = np.concatenate([ref, np.zeros(len(mic) - len(ref), np.float32)])
    ref = ref[: len(mic)]
    ec = EchoCanceller(rate, tail_ms=args.tail_ms, max_delay_ms=args.max_delay_ms,
                       suppressor_strength=args.suppressor)
    block = rate
    pad = np.zeros(ec.latency, np.float32)
    m, r = np.concatenate([mic, pad]), np.concatenate([ref, pad])
    out = [ec.process(m[i:i + block], r[i:i + block])
           for i in blocks_with_bar(m, rate, block, not args.no_progress, "aec")]
    y = np.concatenate(out)[ec.latency: ec.latency + len(mic)]
    write_wav(args.output, y, rate)
    st = ec.stats()
    print(f"edgeaudio aec: wrote {args.output}: {len(mic) / rate:.1f} s; ERLE {st['erle_db']:.1f} dB, "
          f"bulk delay {1000 * st['delay_samples'] / rate:.1f} ms", file=sys.stderr)
    if args.plot:
        plot(args.plot, mic, rate, f"echo cancellation: {args.mic} with {args.ref}", processed=y)
        print(f"edgeaudio aec: wrote {args.plot}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("aec", help="cancel the loudspeaker echo in a mic recording",
                       description="Acoustic echo cancellation: subtract what the device's own loudspeaker "
                                   "played (--ref) from the microphone recording (--mic).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mic", required=True, help="microphone recording")
    p.add_argument("--ref", required=True, help="loudspeaker reference (playback) at the same rate")
    p.add_argument("-o", "--output", required=True, help="output WAV")
    p.add_argument("--channel", type=int, help="channel of a multi-channel mic file")
    p.add_argument("--tail-ms", type=float, default=256.0, help="echo path length covered (default 256 ms)")
    p.add_argument("--max-delay-ms", type=float, default=250.0, help="largest bulk delay searched (default 250)")
    p.add_argument("--suppressor", type=float, default=1.0,
                   help="residual echo suppressor strength 0..4 (0 = linear filter only; default 1)")
    p.add_argument("--plot", metavar="OUT.png", help="waveform and spectrograms before / after")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_aec)
