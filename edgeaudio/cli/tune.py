"""``edgeaudio tune``: a tuner. Note name and cents from a file or, live, from the microphone."""
from __future__ import annotations

import argparse
import math
import sys
from typing import Iterator, List, Optional, Tuple

import numpy as np

ORDER = 60

#: (start s, end s, note name, cents, f0 Hz): one steady note of a tuner reading
Reading = Tuple[float, float, str, float, float]


class NoteSegmenter:
    """Turns streamed pitch frames into steady-note readings.

    Consecutive voiced frames on the same note make one reading, reported
    once it ends (at an unvoiced frame or a different note) and only if it
    lasted ``min_frames``; its f0 is the median of the frames, so a pluck's
    attack does not skew the cents.
    """

    def __init__(self, a4_hz: float = 440.0, min_frames: int = 5) -> None:
        self.a4_hz = a4_hz
        self.min_frames = min_frames
        self._note: Optional[str] = None
        self._f0: List[float] = []
        self._t0 = self._t1 = 0.0

    def _close(self) -> Iterator[Reading]:
        if self._note is not None and len(self._f0) >= self.min_frames:
            from ..analysis import hz_to_note
            f0 = float(np.median(self._f0))
            name, cents = hz_to_note(f0, self.a4_hz)
            yield (self._t0, self._t1, name, cents, f0)
        self._note, self._f0 = None, []

    def feed(self, track) -> Iterator[Reading]:
        from ..analysis import hz_to_note
        for t, f0, voiced in zip(track.times, track.f0, track.voiced):
            note = hz_to_note(float(f0), self.a4_hz)[0] if voiced and math.isfinite(f0) else None
            if note != self._note:
                yield from self._close()
                self._note, self._t0 = note, float(t)
            if note is not None:
                self._f0.append(float(f0))
                self._t1 = float(t)

    def finish(self) -> Iterator[Reading]:
        yield from self._close()


def _meter(cents: float, width: int = 21) -> str:
    """``[-----|-->---]``: where the note sits between -50 and +50 cents."""
    pos = int(round((cents + 50) / 100 * (width - 1)))
    cells = ["-"] * width
    cells[width // 2] = "|"
    cells[min(max(pos, 0), width - 1)] = "o"
    return "[" + "".join(cells) + "]"


def _format(r: Reading) -> str:
    start, end, name, cents, f0 = r
    return f"{start:7.2f} {end:7.2f} s  {name:<4} {cents:+6.1f} cents  {f0:8.2f} Hz  {_meter(cents)}"


def _tracker(args, sample_rate: float):
    from ..analysis import PitchTracker
    return PitchTracker(sample_rate, args.fmin, args.fmax, latency_frames=args.latency_frames)


def tune_file(path: str, args, out=sys.stdout) -> List[Reading]:
    """Read ``path`` and stream it through the tracker as a live input would arrive."""
    import soundfile as sf

    try:
        audio, sr = sf.read(path, dtype="float32", always_2d=True)
    except RuntimeError as e:  # soundfile's error for unreadable files
        raise OSError(f"cannot read {path}: {e}") from None
    x = audio.mean(axis=1)
    tracker = _tracker(args, float(sr))
    seg = NoteSegmenter(args.a4, args.min_frames)
    readings: List[Reading] = []
    block = max(1, int(sr * 0.05))  # 50 ms, like an audio callback
    for i in range(0, len(x), block):
        readings += seg.feed(tracker.push(x[i:i + block]))
    readings += seg.feed(tracker.flush())
    readings += seg.finish()
    for r in readings:
        print(_format(r), file=out)
    if not readings:
        print("no steady note found", file=out)
    return readings


def tune_listen(args, out=sys.stdout) -> int:
    try:
        import sounddevice as sd
    except (ImportError, OSError) as e:
        raise RuntimeError("--listen needs the sounddevice package and PortAudio: pip install sounddevice "
                           f"(Debian: apt-get install libportaudio2); or give a FILE ({e})") from None
    import queue

    sr = float(args.sample_rate)
    tracker = _tracker(args, sr)
    q: "queue.Queue[np.ndarray]" = queue.Queue()

    def callback(indata, frames, time_info, status):  # audio thread: hand over, nothing else
        q.put(indata[:, 0].copy())

    from ..analysis import hz_to_note
    print(f"listening at {sr:g} Hz (A4 = {args.a4:g} Hz); Ctrl-C to stop", file=sys.stderr)
    total = 0
    with sd.InputStream(samplerate=sr, channels=1, dtype="float32", blocksize=int(sr * 0.05),
                        callback=callback, device=args.device):
        while args.seconds is None or total < args.seconds * sr:
            chunk = q.get()
            total += len(chunk)
            track = tracker.push(chunk)
            voiced = track.f0[track.voiced]
            if voiced.size:
                f0 = float(np.median(voiced))
                name, cents = hz_to_note(f0, args.a4)
                line = f"{name:<4} {cents:+6.1f} cents  {f0:8.2f} Hz  {_meter(cents)}"
            elif track.f0.size:
                line = "--" + " " * 50
            else:
                continue
            print("\r" + line, end="", file=out, flush=True)
    print(file=out)
    return 0


def cmd_tune(args: argparse.Namespace) -> int:
    if args.listen == bool(args.file):
        raise ValueError("give a FILE or --listen (not both)")
    if args.listen:
        return tune_listen(args)
    tune_file(args.file, args)
    return 0


def register(sub) -> None:
    p = sub.add_parser("tune", help="tuner: note name and cents from a file or the microphone",
                       description="Track the pitch (streaming pYIN) of a FILE, or live from the microphone "
                                   "with --listen (needs the sounddevice package), and print each steady "
                                   "note with its offset in cents from equal temperament.")
    p.add_argument("file", nargs="?", help="audio file (WAV, FLAC, ...)")
    p.add_argument("--listen", action="store_true", help="read the default microphone (sounddevice)")
    p.add_argument("--a4", type=float, default=440.0, help="tuning reference in Hz (default 440)")
    p.add_argument("--fmin", type=float, default=60.0, help="lowest pitch in Hz (default 60)")
    p.add_argument("--fmax", type=float, default=1000.0, help="highest pitch in Hz (default 1000)")
    p.add_argument("--latency-frames", type=int, default=8,
                   help="frames the tracker waits before deciding one (default 8)")
    p.add_argument("--min-frames", type=int, default=5,
                   help="shortest steady note reported from a file, in frames (default 5)")
    p.add_argument("--sample-rate", type=int, default=16000, help="--listen rate in Hz (default 16000)")
    p.add_argument("--device", default=None, help="--listen input device (sounddevice name or index)")
    p.add_argument("--seconds", type=float, default=None, help="--listen: stop after this long")
    p.set_defaults(func=cmd_tune)
