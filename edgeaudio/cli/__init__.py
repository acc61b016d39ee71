"""The ``edgeaudio`` command line.

Each subcommand lives in its own function; ``main`` only parses arguments.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from typing import List, Optional

from .. import __version__


def _runtime_status() -> str:
    """Which TFLite interpreter package is importable (the models need one)."""
    for mod, label in (("ai_edge_litert.interpreter", "ai-edge-litert"),
                       ("tflite_runtime.interpreter", "tflite-runtime")):
        try:
            m = __import__(mod, fromlist=["Interpreter"])
        except Exception:  # noqa: BLE001 - any import failure means "not usable"
            continue
        version = getattr(sys.modules.get(mod.split(".")[0]), "__version__", "")
        return f"{label} {version}".strip() if m else label
    return "none (install the 'litert' extra: pip install '.[litert]' from the checkout)"


def cmd_info(args: argparse.Namespace) -> int:
    from .. import fft, simd_info

    info = simd_info()
    frame_paths = {n: fft._core.fft_plan_isa(n, True) for n in (400, 512, 1024)}
    report = {
        "version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "simd": {
            "active": info["active"],
            "best": info["best"],
            "available": info["available"],
            "compiled": info["compiled"],
            "cpu_features": info["cpu_features"],
            "rfft_path_by_length": frame_paths,
        },
        "tflite_runtime": _runtime_status(),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"edgeaudio {report['version']} (Python {report['python']}, {report['machine']})")
    print(f"SIMD path:      {info['active']}" + (" (forced by EDGEAUDIO_SIMD)" if info["active"] != info["best"] else ""))
    print(f"SIMD available: {', '.join(info['available'])} (compiled: {', '.join(info['compiled'])})")
    print(f"CPU features:   {info['cpu_features']}")
    print("rfft paths:     " + ", ".join(f"n={n}: {p}" for n, p in frame_paths.items()))
    print(f"TFLite runtime: {report['tflite_runtime']}")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .. import synth

    soundfont = "builtin" if args.builtin else (args.soundfont or synth.default_soundfont_path())
    audio = synth.render_midi(args.midi, soundfont=soundfont, sample_rate=args.sample_rate,
                              max_voices=args.max_voices, gain=args.gain, tail_s=args.tail_s,
                              progress=not args.no_progress)
    synth.write_wav(args.output, audio, args.sample_rate)
    print(f"wrote {args.output}: {len(audio) / args.sample_rate:.2f} s, {args.sample_rate} Hz stereo",
          file=sys.stderr)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..train import commands

    if args.model != "commands":  # argparse choices already limit this; wake words come later
        raise ValueError(f"unknown model {args.model!r}")
    cfg = commands.CommandsConfig.smoke() if args.smoke else commands.CommandsConfig()
    for name in ("epochs", "train_per_keyword", "test_per_class", "val_per_class", "augment_copies", "seed",
                 "hop_ms", "batch_size"):
        v = getattr(args, name)
        if v is not None:
            setattr(cfg, name, v)
    if args.speech_commands:
        cfg.speech_commands_dir = args.speech_commands
    if args.no_festival:
        cfg.festival = False
    entry = commands.train_commands(args.out, work=args.work, config=cfg, resume=args.resume)
    m = entry["metrics"]
    print(f"{entry['file']}: {entry['size_bytes']} bytes, {entry['params']} params, {entry['macs']} MACs; "
          f"int8 held-out accuracy clean {100 * m['int8_accuracy_clean']:.2f}%, "
          f"10 dB SNR {100 * m['int8_accuracy_snr_10db']:.2f}%")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="edgeaudio",
        description="On-device audio intelligence: DSP core, detectors and tools.",
    )
    p.add_argument("--version", action="version", version=f"edgeaudio {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="version, SIMD path and TFLite runtime in use",
                          description="Print the version, the SIMD path the kernels run on "
                                      "(EDGEAUDIO_SIMD=scalar|sse2|avx2|neon forces one) and "
                                      "the TFLite runtime found.")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(func=cmd_info)
    syn = sub.add_parser("synth", help="render a MIDI file to WAV (SoundFont or built-in instruments)",
                         description="Render a Standard MIDI File (format 0/1) to a stereo WAV. The "
                                     "SoundFont defaults to $EDGEAUDIO_SOUNDFONT or "
                                     "/usr/share/sounds/sf2/FluidR3_GM.sf2.")
    syn.add_argument("midi", help="input .mid file")
    syn.add_argument("-o", "--output", required=True, help="output .wav file")
    src = syn.add_mutually_exclusive_group()
    src.add_argument("--soundfont", metavar="FILE.sf2", help="SoundFont 2 file to play with")
    src.add_argument("--builtin", action="store_true", help="use the built-in wavetable/string instruments")
    syn.add_argument("--sample-rate", type=int, default=48000, help="output rate in Hz (default 48000)")
    syn.add_argument("--max-voices", type=int, default=256, help="voice pool size (default 256)")
    syn.add_argument("--gain", type=float, default=0.2, help="output gain (default 0.2, as FluidSynth)")
    syn.add_argument("--tail-s", type=float, default=2.0,
                     help="longest release tail after the last track ends (default 2 s)")
    syn.add_argument("--no-progress", action="store_true", help="no progress bar")
    syn.set_defaults(func=cmd_synth)
    tr = sub.add_parser("train", help="train a model (needs the train extra and espeak-ng)",
                        description="Synthesise data by voice split, train, quantise to int8, evaluate the "
                                    "int8 model on held-out voices, write MODEL.tflite, the manifest entry "
                                    "and a report into --out. Caches and checkpoints go to --work.")
    tr.add_argument("model", choices=["commands"], help="what to train")
    tr.add_argument("--out", required=True, help="output folder, e.g. firmware_models/")
    tr.add_argument("--work", help="cache and checkpoint folder (default ~/.cache/edgeaudio/train/MODEL)")
    tr.add_argument("--resume", action="store_true", help="reuse the cached data and the last checkpoint")
    tr.add_argument("--smoke", action="store_true", help="tiny data, one epoch (CI: checks the pipeline only)")
    tr.add_argument("--speech-commands", metavar="DIR", help="train on a Google Speech Commands tree instead")
    tr.add_argument("--no-festival", action="store_true", help="espeak-ng voices only")
    for name, kind in (("epochs", int), ("train-per-keyword", int), ("val-per-class", int),
                       ("test-per-class", int), ("augment-copies", int), ("seed", int), ("hop-ms", int),
                       ("batch-size", int)):
        tr.add_argument(f"--{name}", type=kind, default=None)
    tr.set_defaults(func=cmd_train)
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
    except (ValueError, RuntimeError, OSError) as e:
        print(f"edgeaudio {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
