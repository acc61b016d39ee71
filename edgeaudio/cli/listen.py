"""``edgeaudio listen``: the pipeline on a live microphone."""
from __future__ import annotations

import argparse
import json
import queue
import sys
import time

from ._options import add_pipeline_args, build_pipeline

ORDER = 11

EPILOG = """\
Needs the mic extra (pip install 'edgeaudio[mic]': sounddevice) and PortAudio
(Debian: apt-get install libportaudio2). One JSON line per event, as `edgeaudio detect`.
examples:
  edgeaudio listen --list-devices
  edgeaudio listen --wake commands:yes --command-model commands --seconds 60
"""


def _sounddevice():
    try:
        import sounddevice
    except ImportError as e:
        raise RuntimeError("edgeaudio listen needs sounddevice: pip install 'edgeaudio[mic]'") from e
    except OSError as e:  # the PortAudio library is missing
        raise RuntimeError(f"sounddevice cannot load PortAudio ({e}); on Debian: apt-get install libportaudio2") from e
    return sounddevice


def cmd_listen(args: argparse.Namespace) -> int:
    sd = _sounddevice()
    if args.list_devices:
        print(sd.query_devices())
        return 0
    rate = args.rate
    pipe = build_pipeline(args, rate, aec=False)
    print(f"edgeaudio listen: {pipe.describe()}; Ctrl-C stops", file=sys.stderr)
    q: "queue.Queue" = queue.Queue()

    def callback(indata, frames, time_info, status):  # runs in PortAudio's thread
        if status:
            print(f"edgeaudio listen: {status}", file=sys.stderr)
        q.put(indata[:, 0].copy())

    t_end = time.monotonic() + args.seconds if args.seconds else None
    try:
        stream = sd.InputStream(samplerate=rate, channels=1, dtype="int16", blocksize=int(rate * 0.1),
                                device=args.device, callback=callback)
    except Exception as e:  # noqa: BLE001 - PortAudio errors
        raise RuntimeError(f"cannot open the microphone ({e}); see --list-devices") from None
    with stream:
        while t_end is None or time.monotonic() < t_end:
            try:
                block = q.get(timeout=0.5)
            except queue.Empty:
                continue
            for e in pipe.process(block):
                print(json.dumps(e.as_dict()), flush=True)
    for e in pipe.flush():
        print(json.dumps(e.as_dict()), flush=True)
    print(f"edgeaudio listen: RTF {pipe.timing()['rtf']:.4f}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("listen", help="detect keywords / wake words from the microphone",
                       description="Run the pipeline on a live microphone and print events as they happen.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", help="input device (index or name; see --list-devices)")
    p.add_argument("--rate", type=int, default=16000, help="capture rate in Hz (default 16000)")
    p.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    p.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    add_pipeline_args(p)
    p.set_defaults(func=cmd_listen)
