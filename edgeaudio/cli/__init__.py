"""The ``edgeaudio`` command line.

Each subcommand lives in its own module of this package (``info.py``,
``synth.py``, ``train.py``, ...). A module defines ``ORDER`` (its place in
``--help``) and ``register(subparsers)``, which adds its parser and sets
``func``; ``main`` discovers the modules, parses the arguments and turns the
errors users can fix into one clear line on stderr.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import List, Optional

from .. import __version__


def _command_modules():
    mods = []
    for info in pkgutil.iter_modules(__path__):  # type: ignore[name-defined]
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "register"):
            mods.append(mod)
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="edgeaudio",
        description="On-device audio intelligence: DSP core, detectors and tools.",
    )
    p.add_argument("--version", action="version", version=f"edgeaudio {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        mod.register(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. `edgeaudio info --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"edgeaudio {args.command}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, RuntimeError, OSError) as e:
        print(f"edgeaudio {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
