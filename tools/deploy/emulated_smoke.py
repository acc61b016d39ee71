"""Checks an installed edgeaudio on the target against the host (run by `wheel`).

On the host: ``--write-reference FILE`` saves a test signal and the MFCCs,
log-mels and FFT the host's edgeaudio computes. On the target (the emulated
arm64 Python): ``--check-reference FILE`` recomputes them with the installed
wheel on every SIMD path it offers and fails unless NEON is there, is the
default, and every path agrees with the host to float32 tolerance.
Uses numpy and edgeaudio only (no librosa on the target).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np


def compute(edgeaudio) -> dict:
    from edgeaudio import features, fft

    t = np.arange(16000, dtype=np.float32) / 16000.0
    rng = np.random.default_rng(7)
    x = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(t.size)).astype(np.float32)
    cfg = features.FrontendConfig()
    return {
        "x": x,
        "mfcc": np.asarray(features.mfcc(x, cfg)),
        "logmel": np.asarray(features.logmel(x, cfg)),
        "rfft": np.asarray(fft.rfft(x[:512])),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write-reference", metavar="FILE")
    g.add_argument("--check-reference", metavar="FILE")
    args = p.parse_args()
    import edgeaudio
    from edgeaudio import _core

    if args.write_reference:
        np.savez(args.write_reference, **compute(edgeaudio))
        return 0
    info = edgeaudio.simd_info()
    print(f"edgeaudio {edgeaudio.__version__} on {info}")
    if "neon" not in info["available"] or info["active"] != "neon":
        print("FAIL: NEON is not the active path", file=sys.stderr)
        return 1
    ref = np.load(args.check_reference)
    failures = 0
    for path in info["available"]:
        _core._set_simd(path)
        got = compute(edgeaudio)
        for key in ("mfcc", "logmel", "rfft"):
            scale = float(np.max(np.abs(ref[key])))
            err = float(np.max(np.abs(got[key] - ref[key]))) / scale
            ok = got[key].shape == ref[key].shape and err < 1e-4
            failures += not ok
            print(f"{path:7} {key:7} shape {got[key].shape} max rel. diff vs host {err:.1e} "
                  f"{'ok' if ok else 'FAIL'}")
    _core._set_simd("neon")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
