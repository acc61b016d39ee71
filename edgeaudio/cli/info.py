"""``edgeaudio info``: version, SIMD path, TFLite runtime and bundled models."""
from __future__ import annotations

import argparse
import json
import platform
import sys

from .. import __version__

ORDER = 0


def runtime_status() -> str:
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


def _bundled_models():
    from .. import models

    try:
        entries = models.manifest().get("models", {})
    except Exception as e:  # noqa: BLE001 - info must still print the rest
        return {"error": str(e)}
    return {name: {"file": e.get("file"), "labels": e.get("labels"), "size_bytes": e.get("size_bytes")}
            for name, e in entries.items()}


def cmd_info(args: argparse.Namespace) -> int:
    from .. import fft, simd_info

    info = simd_info()
    frame_paths = {n: fft._core.fft_plan_isa(n, True) for n in (400, 512, 1024)}
    models = _bundled_models()
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
        "tflite_runtime": runtime_status(),
        "models": models,
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
    if "error" in models:
        print(f"Models:         unavailable ({models['error']})")
    else:
        for name, m in models.items():
            labels = m.get("labels") or []
            shown = ", ".join(labels[:6]) + (", ..." if len(labels) > 6 else "")
            print(f"Model {name + ':':<9} {m.get('file')} ({m.get('size_bytes')} bytes; {shown})")
    return 0


def register(sub) -> None:
    p = sub.add_parser("info", help="version, SIMD path, TFLite runtime and bundled models",
                       description="Print the version, the SIMD path the kernels run on "
                                   "(EDGEAUDIO_SIMD=scalar|sse2|avx2|neon forces one), the "
                                   "TFLite runtime found and the bundled models.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_info)
