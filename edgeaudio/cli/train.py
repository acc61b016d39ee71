"""``edgeaudio train MODEL``: synthesise data, train, quantise, evaluate, write the manifest entry.

Each trainable model has its own module ``edgeaudio/cli/train_<model>.py`` with
``register(subparsers)``; this module discovers them, so adding a model adds a
file and touches nothing here.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil

ORDER = 80


def add_common_arguments(p: argparse.ArgumentParser) -> None:
    """Options every trainer takes: where results and caches go, resuming, the CI smoke run."""
    p.add_argument("--out", required=True, help="output folder, e.g. firmware_models/")
    p.add_argument("--work", help="cache and checkpoint folder (default ~/.cache/edgeaudio/train/MODEL)")
    p.add_argument("--resume", action="store_true", help="reuse the cached data and the last checkpoint")
    p.add_argument("--smoke", action="store_true", help="tiny data, one epoch (CI: checks the pipeline only)")


def add_overrides(p: argparse.ArgumentParser, options) -> None:
    """Options that override config fields: ``options`` maps a field to its type, or to ``(type, help)``;
    each becomes ``--field-name`` (default None: the config keeps its value). :func:`apply_overrides`
    applies them."""
    for field, spec in options.items():
        kind, help_ = spec if isinstance(spec, tuple) else (spec, None)
        p.add_argument("--" + field.replace("_", "-"), type=kind, default=None, help=help_)
    p.set_defaults(overrides=tuple(p.get_default("overrides") or ()) + tuple(options))  # calls add up


def apply_overrides(cfg, args: argparse.Namespace) -> None:
    """Set each config field registered by :func:`add_overrides` that the command line gave."""
    for name in getattr(args, "overrides", ()):
        v = getattr(args, name)
        if v is not None:
            setattr(cfg, name, v)


def register(sub) -> None:
    tr = sub.add_parser("train", help="train a model (needs the train extra and espeak-ng)",
                        description="Synthesise data by voice split, train, quantise to int8, evaluate the "
                                    "int8 model on held-out voices, write MODEL.tflite, the manifest entry "
                                    "and a report into --out. Caches and checkpoints go to --work.")
    models = tr.add_subparsers(dest="model", metavar="MODEL")
    models.required = True
    from .. import cli

    trainers = [importlib.import_module(f"{cli.__name__}.{m.name}")
                for m in pkgutil.iter_modules(cli.__path__) if m.name.startswith("train_")]
    for mod in sorted(trainers, key=lambda m: m.__name__):
        mod.register(models)
