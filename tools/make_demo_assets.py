#!/usr/bin/env python3
"""Make the assets `edgeaudio demo` ships: speech from held-out voices and room responses.

Writes edgeaudio/data/demo_assets.npz (int16 speech clips and float16 room
impulse responses, about 1 MB) and prints what it holds. Run it again after
changing the voices, phrases or rooms; the demo itself needs none of the tools
used here.

  speech  the wake phrases and the command words, spoken by the *test* split
          of edgeaudio/train/voices.py (espeak-ng en-029 / en-us-nyc families
          and festival ked_diphone): voices no bundled model was trained on
  rooms   pyroomacoustics shoebox rooms of tools/bench/aec_eval.py (the AEC
          harness): per room the loudspeaker-to-mic echo path (driver
          high-pass, unit energy, audio-path latency) and the talker-to-mic
          response, cut to their first 0.3 / 0.5 s

Music is not stored: the demo renders note data with edgeaudio.synth's
built-in instruments at run time. Noise is generated from the seed.

Needs: apt-get install espeak-ng festival festvox-kdlpc16k; pip install pyroomacoustics scipy
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WAKE_PHRASES = {"hey_jarvis": "hey jarvis", "alexa": "alexa"}
COMMANDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
ROOM_NAMES = ("living room", "kitchen", "open plan", "bedroom")
ECHO_S, TALKER_S = 0.3, 0.5
SPEED_WPM = 150


def trim(x: np.ndarray, fs: int = 16000, pad_s: float = 0.05) -> np.ndarray:
    """Cut leading / trailing silence (frames 40 dB below the loudest), keep pad_s each side."""
    n = int(0.01 * fs)
    frames = x[: len(x) // n * n].reshape(-1, n)
    p = np.mean(frames.astype(np.float64) ** 2, axis=1)
    act = np.flatnonzero(p > p.max() * 1e-4)
    a = max(0, act[0] * n - int(pad_s * fs))
    b = min(len(x), (act[-1] + 1) * n + int(pad_s * fs))
    return x[a:b]


def to_i16(x: np.ndarray, peak: float = 0.7) -> np.ndarray:
    x = x / max(float(np.max(np.abs(x))), 1e-9) * peak
    return np.round(x * 32767).astype(np.int16)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default=str(REPO / "edgeaudio" / "data" / "demo_assets.npz"))
    ap.add_argument("--voices", type=int, default=4, help="held-out voices to use (default 4)")
    args = ap.parse_args(argv)

    from edgeaudio.train import voices
    from tools.bench import aec_eval

    test = [s for s in voices.speakers() if s.split == "test"]
    fest = [s for s in test if s.engine == "festival"]
    esp = [s for s in test if s.engine == "espeak"]
    # one festival voice, then espeak voices alternating between the held-out accents
    by_accent = {}
    for s in esp:
        by_accent.setdefault(s.voice, []).append(s)
    chosen = fest[:1]
    i = 0
    while len(chosen) < args.voices and any(by_accent.values()):
        acc = sorted(by_accent)[i % len(by_accent)]
        if by_accent[acc]:
            chosen.append(by_accent[acc].pop(0))
        i += 1
    texts = list(WAKE_PHRASES.values()) + list(COMMANDS)
    keys = list(WAKE_PHRASES) + list(COMMANDS)
    arrays = {}
    names = []
    for vi, sp in enumerate(chosen):
        if sp.engine == "festival":
            clips = voices.render_festival_batch([(t, sp.voice, 1.0) for t in texts])
        else:
            clips = [voices.render_espeak(t, sp, speed_wpm=SPEED_WPM) for t in texts]
        for key, clip in zip(keys, clips):
            arrays[f"speech/{vi}/{key}"] = to_i16(trim(clip))
        names.append(sp.name)
        print(f"voice {vi}: {sp.name} ({sp.split})")
    rooms = [r for r in aec_eval.ROOMS if r.name in ROOM_NAMES]
    for ri, room in enumerate(rooms):
        e = aec_eval.echo_path(room)
        t = aec_eval.talker_path(room)
        lat = int(round(aec_eval.BULK_DELAY_MS * 16000 / 1000))
        arrays[f"room/{ri}/echo"] = e[: lat + int(ECHO_S * 16000)].astype(np.float16)
        t = t[: int(TALKER_S * 16000)]
        arrays[f"room/{ri}/talker"] = (t / np.sqrt(np.sum(t ** 2))).astype(np.float16)
        print(f"room {ri}: {room.name}, RT60 {room.rt60_s} s")
    meta = {"voices": names, "rooms": [f"{r.name} (RT60 {r.rt60_s} s)" for r in rooms],
            "wake_phrases": WAKE_PHRASES, "commands": list(COMMANDS), "sample_rate": 16000}
    import json
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out}: {out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
