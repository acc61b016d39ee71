"""``edgeaudio demo``: a smart speaker playing music hears a wake word and a command."""
from __future__ import annotations

import argparse
import time

ORDER = 1

EPILOG = """\
The scene (all from the installed package): music rendered by edgeaudio's synthesiser plays through
the device's loudspeaker and echoes into its mic through a room response; a talker the models never
heard in training says the wake word, then a command, 2 m away in the same reverberant room; pink
noise. The same pipeline runs with the echo canceller (it gets the playback reference) and without.
examples:
  edgeaudio demo
  edgeaudio demo --seed 3 --png scene3.png
"""


def cmd_demo(args: argparse.Namespace) -> int:
    from .. import demo

    t0 = time.perf_counter()
    scene = demo.make_scene(args.seed, ser_db=args.ser_db)
    t_scene = time.perf_counter() - t0
    print(f"edgeaudio demo, seed {args.seed}: {scene.room}, held-out voice {scene.voice}")
    print(f"  music through the loudspeaker {-scene.ser_db:+.1f} dB louder than the talker at the mic "
          f"(SER {scene.ser_db:.1f} dB), noise at {scene.snr_db:.0f} dB SNR; {scene.wake_desc}")
    print("  truth:  " + "   ".join(f"{t['label']!r} ({t['kind']}) ends at {t['end_s']:.2f} s" for t in scene.truth))
    results = [demo.run(scene, aec=True, record=bool(args.png)), demo.run(scene, aec=False, record=bool(args.png))]
    for r in results:
        print(f"  {r.label:<12} RTF {r.rtf:.4f} wall-clock ({1 / r.rtf:.0f}x real time), "
              f"{r.timing['rtf_cpu']:.4f} in CPU time")
        if not r.events:
            print("    (no detections)")
        for e in r.events:
            near = [t for t in scene.truth if t["label"] == e.label and t["kind"] == e.kind]
            err = f"{e.time_s - near[0]['end_s']:+.2f} s from the truth" if near else "FALSE ALARM"
            print(f"    {e.time_s:6.2f} s  {e.label!r:<14} {e.kind:<8} score {e.score:.2f}   {err}")
        found = [t["label"] for t in scene.truth if demo.match(t, r.events)]
        print(f"    found {len(found)}/{len(scene.truth)} within 0.5 s: {', '.join(found) or 'none'}")
    if args.png:
        demo.plot(scene, results, args.png)
        print(f"  wrote {args.png}")
    print(f"  done in {time.perf_counter() - t0:.1f} s (scene {t_scene:.1f} s)")
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="the barge-in demo: wake word + command over loud music, with and without AEC",
                       description="Build a realistic smart-speaker scene from bundled assets and run the "
                                   "full pipeline on it with and without echo cancellation.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0, help="picks room, voice, command, music and timing (default 0)")
    p.add_argument("--png", default="edgeaudio_demo.png", help="picture of the scene (default edgeaudio_demo.png; "
                   "'' for none)")
    p.add_argument("--ser-db", type=float, default=None,
                   help="signal-to-echo ratio in dB (default: seeded, -8 .. -3: music louder than the talker)")
    p.set_defaults(func=cmd_demo)
