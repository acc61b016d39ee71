#!/usr/bin/env python3
"""Wavelets: edgeaudio.wavelet against PyWavelets in one process.

Prints (1) the largest coefficient difference relative to each band's largest
value over every wavelet, mode and level on odd and even lengths, and the
largest reconstruction error; (2) wavedec + waverec time on 10 s at 16 kHz;
(3) denoising SNR gain of our denoise() next to the same rule written with
PyWavelets (wavedec, MAD sigma, pywt.threshold, waverec) on the same signals.

Usage: python tools/bench/wavelet.py [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import platform
import re
import time

import numpy as np
import pywt

from edgeaudio import simd_info, wavelet


def rel(a, b):
    b = np.asarray(b, np.float64)
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / max(np.max(np.abs(b)), 1.0))


def accuracy():
    worst64 = worst32 = rec64 = 0.0
    rng = np.random.default_rng(0)
    for n in (101, 1000):
        x = rng.standard_normal(n)
        for name in wavelet.wavelist():
            for mode in wavelet.modes():
                for level in range(1, pywt.dwt_max_level(n, pywt.Wavelet(name).dec_len) + 1):
                    ours = wavelet.wavedec(x, name, level=level, mode=mode)
                    ref = pywt.wavedec(x, name, level=level, mode=mode)
                    worst64 = max(worst64, max(rel(c, r) for c, r in zip(ours, ref)))
                    rec64 = max(rec64, float(np.max(np.abs(wavelet.waverec(ours, name, mode=mode)[:n] - x))))
                x32 = x.astype(np.float32)
                ours = wavelet.wavedec(x32, name, mode=mode)
                ref = pywt.wavedec(x32, name, mode=mode)
                worst32 = max(worst32, max(rel(c, r) for c, r in zip(ours, ref)))
    return worst64, worst32, rec64


def best(fn, repeat=5):
    t = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def pywt_denoise(x, name, level, rule, mode):
    coeffs = pywt.wavedec(x, name, level=level)
    sigma = np.median(np.abs(coeffs[-1])) / 0.6744897501960817
    out = [coeffs[0]]
    for d in coeffs[1:]:
        if rule == "universal":
            thr = sigma * np.sqrt(2 * np.log(x.size))
        else:
            var = sigma**2
            thr = var / np.sqrt(max(np.mean(d * d) - var, np.finfo(x.dtype).eps))
        out.append(pywt.threshold(d, thr, mode=mode))
    return pywt.waverec(out, name)[: x.size]


def snr(clean, est):
    return 10 * np.log10(np.sum(clean**2) / np.sum((est - clean) ** 2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", metavar="FILE", help="replace the wavelet section of this Markdown file")
    args = ap.parse_args()
    lines = []
    w64, w32, r64 = accuracy()
    lines.append(f"Coefficients vs pywt.wavedec, every wavelet x mode x level, n = 101 and 1000: "
                 f"largest difference / band max {w64:.1e} (float64), {w32:.1e} (float32); "
                 f"largest reconstruction error {r64:.1e} (float64).\n")
    sr = 16000
    x = np.random.default_rng(1).standard_normal(10 * sr)
    lines.append("| 10 s at 16 kHz, float64 | ours ms | pywt ms | speed-up |")
    lines.append("|---|---|---|---|")
    for name in ("haar", "db4", "sym8"):
        level = 6
        to = best(lambda: wavelet.waverec(wavelet.wavedec(x, name, level=level), name))
        tp = best(lambda: pywt.waverec(pywt.wavedec(x, name, level=level), name))
        lines.append(f"| wavedec+waverec {name}, level {level} | {1e3 * to:.2f} | {1e3 * tp:.2f} | {tp / to:.1f}x |")
    lines.append("")
    lines.append("| denoising signal | wavelet, rule, mode | input SNR dB | ours dB | PyWavelets-based dB |")
    lines.append("|---|---|---|---|---|")
    rng = np.random.default_rng(2)
    t = np.arange(8 * sr) / sr
    signals = {
        "tones + step": np.sin(2 * np.pi * 50 * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t)) + 0.5 * (t > 4),
        "chirp": np.sin(2 * np.pi * (20 * t + 30 * t * t)),
    }
    for sname, clean in signals.items():
        noisy = clean + 0.3 * rng.standard_normal(t.size)
        for name, rule, mode in (("db4", "universal", "soft"), ("sym8", "bayes", "soft"), ("db4", "bayes", "hard")):
            ours = wavelet.denoise(noisy, name, level=6, rule=rule, mode=mode)
            ref = pywt_denoise(noisy, name, 6, rule, mode)
            lines.append(f"| {sname} | {name}, {rule}, {mode} | {snr(clean, noisy):.1f} | "
                         f"{snr(clean, ours):.2f} | {snr(clean, ref):.2f} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        info = simd_info()
        section = (
            "<!-- wavelet:begin -->\n"
            "## Wavelets: `edgeaudio.wavelet` vs PyWavelets\n\n"
            f"`python tools/bench/wavelet.py --write BENCHMARKS.md` on {platform.machine()} "
            f"(SIMD path {info['active']}), PyWavelets {pywt.__version__}.\n\n{text}\n"
            "<!-- wavelet:end -->\n"
        )
        try:
            with open(args.write) as fh:
                doc = fh.read()
        except FileNotFoundError:
            doc = "# Benchmarks\n\n"
        if "<!-- wavelet:begin -->" in doc:
            doc = re.sub(r"<!-- wavelet:begin -->.*?<!-- wavelet:end -->\n", lambda m: section, doc, flags=re.S)
        else:
            doc = doc.rstrip("\n") + "\n\n" + section
        with open(args.write, "w") as fh:
            fh.write(doc)
        print(f"wrote the wavelet section of {args.write}")


if __name__ == "__main__":
    main()
