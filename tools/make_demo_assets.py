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

The demo shows what echo cancellation does, so its talkers are voices the
wake-word model recognises when no music plays: each candidate voice's wake
phrase is run through the pipeline through every room's talker response (pink
noise at 30 dB SNR, no loudspeaker) and voices it misses in any room are left
out (the script prints them). The model's miss rate over all
held-out voices is measured by tools/bench/bargein.py and the model's report,
not by the demo.

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


def recognised_clean(clip: np.ndarray, wake_spec: str, talker_irs) -> bool:
    """Does the pipeline find the wake word in this clip in every room (no music)?"""
    return all(_recognised(np.convolve(clip.astype(np.float64) / 32768, h)[: len(clip)], wake_spec)
               for h in talker_irs)


def _recognised(x: np.ndarray, wake_spec: str) -> bool:
    """The wake word found in ``x`` placed 2 s into pink noise at 30 dB SNR?"""
    from edgeaudio.pipeline import Pipeline

    rng = np.random.default_rng(0)
    sig = np.zeros(16000 * 2 + len(x) + 16000 * 2)
    sig[32000:32000 + len(x)] = x
    spec = np.fft.rfft(rng.standard_normal(len(sig)))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    noise = np.fft.irfft(spec, len(sig))
    noise *= np.sqrt(np.mean(x ** 2)) / np.sqrt(np.mean(noise ** 2)) * 10 ** (-30 / 20)
    ev = Pipeline([], wake=wake_spec).process_signal((sig + noise).astype(np.float32))
    return any(e.kind == "wake" for e in ev)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default=str(REPO / "edgeaudio" / "data" / "demo_assets.npz"))
    ap.add_argument("--voices", type=int, default=4, help="held-out voices to keep (default 4)")
    ap.add_argument("--candidates", type=int, default=10, help="held-out voices to try (default 10)")
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
    while len(chosen) < args.candidates and any(by_accent.values()):
        acc = sorted(by_accent)[i % len(by_accent)]
        if by_accent[acc]:
            chosen.append(by_accent[acc].pop(0))
        i += 1
    texts = list(WAKE_PHRASES.values()) + list(COMMANDS)
    keys = list(WAKE_PHRASES) + list(COMMANDS)
    arrays = {}
    names = []
    rooms = [r for r in aec_eval.ROOMS if r.name in ROOM_NAMES]
    for ri, room in enumerate(rooms):
        e = aec_eval.echo_path(room)
        t = aec_eval.talker_path(room)
        lat = int(round(aec_eval.BULK_DELAY_MS * 16000 / 1000))
        arrays[f"room/{ri}/echo"] = e[: lat + int(ECHO_S * 16000)].astype(np.float16)
        t = t[: int(TALKER_S * 16000)]
        arrays[f"room/{ri}/talker"] = (t / np.sqrt(np.sum(t ** 2))).astype(np.float16)
        print(f"room {ri}: {room.name}, RT60 {room.rt60_s} s")
    talker_irs = [arrays[f"room/{i}/talker"].astype(np.float64) for i in range(len(rooms))]
    from edgeaudio import demo

    wake_spec, wake_key, _desc, _cmd = demo.wake_setup()
    for sp in chosen:
        if len(names) == args.voices:
            break
        if sp.engine == "festival":
            clips = voices.render_festival_batch([(t, sp.voice, 1.0) for t in texts])
        else:
            clips = [voices.render_espeak(t, sp, speed_wpm=SPEED_WPM) for t in texts]
        clips = [to_i16(trim(c)) for c in clips]
        if not recognised_clean(clips[keys.index(wake_key)], wake_spec, talker_irs):
            print(f"voice {sp.name}: the wake model misses its {wake_key!r} in a room without music; left out")
            continue
        vi = len(names)
        for key, clip in zip(keys, clips):
            arrays[f"speech/{vi}/{key}"] = clip
        names.append(sp.name)
        print(f"voice {vi}: {sp.name} ({sp.split})")
    meta = {"voices": names, "wake_model": wake_spec, "rooms": [f"{r.name} (RT60 {r.rt60_s} s)" for r in rooms],
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
