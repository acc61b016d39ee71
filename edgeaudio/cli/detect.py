"""``edgeaudio detect``: run the pipeline on a file or stdin, one JSON line per event."""
from __future__ import annotations

import argparse
import json
import sys

from ._audio import PCM_FORMATS, file_blocks, plot, stdin_blocks
from ._options import add_pipeline_args, build_pipeline

ORDER = 10

EPILOG = """\
output: one JSON object per line on stdout, e.g.
  {"time": 4.14, "label": "yes", "score": 0.99, "model": "commands", "kind": "detection", "fired": 4.34}
time is in seconds of the input (the stages' latency removed): the end of the window where the
detection began; fired is when it fired. A summary (real-time factor per stage) goes to stderr.

examples:
  edgeaudio detect speech.wav
  edgeaudio detect mic.wav --ref playback.wav --plot scene.png       # cancel the loudspeaker's echo
  edgeaudio detect rec.flac --wake commands:yes --command-model commands
  arecord -f S16_LE -r 16000 -c 1 -t raw | edgeaudio detect - --rate 16000
"""


def cmd_detect(args: argparse.Namespace) -> int:
    if args.input == "-":
        if args.ref:
            raise ValueError("--ref needs a file input (stdin carries one signal)")
        if args.plot:
            raise ValueError("--plot needs a file input")
        rate = args.rate
        pipe = build_pipeline(args, rate, aec=False)
        blocks = ((b, None) for b in stdin_blocks(rate, args.format, args.block_ms / 1000))
        seconds = None
    else:
        rate, seconds, blocks = file_blocks(args.input, args.block_ms / 1000, args.channel, args.ref,
                                            progress=not args.no_progress)
        pipe = build_pipeline(args, rate, aec=args.ref is not None, record=bool(args.plot))
    if pipe.resample_note:
        print(f"edgeaudio detect: {pipe.resample_note}", file=sys.stderr)
    out = sys.stdout
    audio = [] if args.plot else None

    def emit(events):
        for e in events:
            out.write(json.dumps(e.as_dict()) + "\n")
        if events:
            out.flush()

    for mic, ref in blocks:
        if audio is not None:
            audio.append(mic)
        emit(pipe.process(mic, ref))
    emit(pipe.flush())
    t = pipe.timing()
    if not args.quiet:
        stages = ", ".join(f"{k} {v:.3f}" for k, v in t["stages_s"].items())
        print(f"edgeaudio detect: {len(pipe.events)} event(s) in {t['audio_s']:.1f} s of audio; "
              f"RTF {t['rtf']:.4f} wall, {t['rtf_cpu']:.4f} CPU ({stages} s)", file=sys.stderr)
    if args.plot:
        import numpy as np

        x = np.concatenate(audio) if audio else np.zeros(0, np.float32)
        proc = pipe.processed_audio
        plot(args.plot, x, rate, f"{args.input}: {pipe.describe()}", processed=proc if rate == pipe.model_rate else None,
             scores=pipe.scores, events=pipe.events)
        print(f"edgeaudio detect: wrote {args.plot}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("detect", help="detect keywords / wake words in a file or stdin (JSON lines)",
                       description="Run the full pipeline (optional echo cancellation with --ref, high-pass, "
                                   "noise suppression, frontend, models, detectors) over an audio file or "
                                   "raw PCM on stdin and print one JSON line per detection.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="FILE|-", help="audio file (WAV, FLAC, ...) or - for raw PCM on stdin")
    p.add_argument("--ref", metavar="PLAYBACK.wav",
                   help="what the loudspeaker played (same rate): turns the echo canceller on")
    p.add_argument("--channel", type=int, help="channel of a multi-channel file to use")
    p.add_argument("--rate", type=int, default=16000, help="stdin sample rate in Hz (default 16000)")
    p.add_argument("--format", choices=sorted(PCM_FORMATS), default="s16le",
                   help="stdin sample format (default s16le: 16-bit little-endian)")
    p.add_argument("--block-ms", type=float, default=1000.0, help="processing block in ms (default 1000)")
    p.add_argument("--plot", metavar="OUT.png", help="write waveform, spectrograms, scores and detections")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    add_pipeline_args(p)
    p.set_defaults(func=cmd_detect)
