"""Pipeline options shared by ``detect``, ``listen`` and ``serve``."""
from __future__ import annotations

import argparse
from typing import Dict, Optional


def add_pipeline_args(p: argparse.ArgumentParser, default_models=("commands",)) -> None:
    g = p.add_argument_group("pipeline")
    g.add_argument("--model", "-m", action="append", metavar="NAME", dest="models",
                   help="bundled model to run (repeat for several; `edgeaudio info` lists them); "
                        f"default: {', '.join(default_models)}")
    g.add_argument("--wake", metavar="MODEL[:LABEL]",
                   help="wake word: a model, or one class of it (e.g. commands:yes)")
    g.add_argument("--command-model", metavar="NAME",
                   help="after a wake word, listen to this model for --command-window seconds")
    g.add_argument("--command-window", type=float, default=3.0, metavar="S",
                   help="seconds the command model listens after a wake word (default 3)")
    g.add_argument("--threshold", action="append", default=[], metavar="MODEL=VALUE",
                   help="override a model's detection threshold (0..1), e.g. commands=0.8")
    g.add_argument("--ns", action=argparse.BooleanOptionalAction, default=None,
                   help="force the noise suppressor before the models on or off (default: as the models were "
                        "trained; the bundled ones without it, and they do worse behind it)")
    g.add_argument("--highpass", type=float, default=60.0, metavar="HZ",
                   help="high-pass cutoff in Hz (default 60; 0 turns it off)")
    g.add_argument("--tail-ms", type=float, default=256.0, help="echo canceller tail in ms (with a reference)")
    p.set_defaults(_default_models=list(default_models))


def thresholds(items) -> Dict[str, float]:
    out = {}
    for it in items:
        name, sep, value = it.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name:
            raise ValueError(f"--threshold {it!r}: expected MODEL=VALUE, e.g. commands=0.8")
    return out


def build_pipeline(args: argparse.Namespace, sample_rate: Optional[int], aec: bool, record: bool = False):
    from ..pipeline import Pipeline

    models = args.models or ([] if args.wake else args._default_models)
    return Pipeline(models, sample_rate=sample_rate, aec=aec, tail_ms=args.tail_ms,
                    highpass_hz=args.highpass or None, noise_suppression=args.ns, wake=args.wake,
                    command_model=args.command_model, command_window_s=args.command_window,
                    thresholds=thresholds(args.threshold), record_scores=record)
