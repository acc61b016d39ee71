"""``edgeaudio serve``: the Wyoming wake-word service (Home Assistant)."""
from __future__ import annotations

import argparse
import logging
import sys

from ._options import thresholds

ORDER = 40

EPILOG = """\
Home Assistant: Settings > Devices & services > Add integration > Wyoming Protocol, host and port
of this machine (the service speaks the same protocol as wyoming-openwakeword).
examples:
  edgeaudio serve --uri tcp://0.0.0.0:10400
  edgeaudio serve --uri tcp://127.0.0.1:10400 --model commands --threshold commands=0.8
"""


def cmd_serve(args: argparse.Namespace) -> int:
    from ..wyoming_service import _wyoming, run_server

    _wyoming()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s", stream=sys.stderr)
    from .. import models

    names = args.models or sorted(models.manifest()["models"])
    run_server(args.uri, names, noise_suppression=args.ns, highpass_hz=args.highpass or None,
               thresholds={k: v for k, v in thresholds(args.threshold).items()})
    return 0


def register(sub) -> None:
    p = sub.add_parser("serve", help="Wyoming wake-word service for Home Assistant",
                       description="Serve wake-word detection over the Wyoming protocol (describe/info, "
                                   "detect, audio-start/chunk/stop, detection/not-detected).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--uri", default="tcp://127.0.0.1:10400", help="tcp://HOST:PORT or unix:///PATH "
                   "(default tcp://127.0.0.1:10400)")
    p.add_argument("--model", "-m", action="append", dest="models", metavar="NAME",
                   help="bundled model to offer (repeat; default all)")
    p.add_argument("--threshold", action="append", default=[], metavar="MODEL=VALUE",
                   help="override a model's threshold")
    p.add_argument("--ns", action=argparse.BooleanOptionalAction, default=None,
                   help="force the noise suppressor before the models on or off (default: as the models were "
                        "trained; the bundled ones without it, and they do worse behind it)")
    p.add_argument("--highpass", type=float, default=60.0, help="high-pass cutoff in Hz (0: none)")
    p.add_argument("--debug", action="store_true", help="log every event")
    p.set_defaults(func=cmd_serve)
