"""``edgeaudio generate music``: a seeded rule-based song as MIDI (and WAV), with its ground truth."""
from __future__ import annotations

import argparse
import json
import sys

ORDER = 55


def cmd_music(args: argparse.Namespace) -> int:
    from .. import music

    time_signature = None
    if args.time_signature:
        try:
            num, den = (int(v) for v in args.time_signature.split("/"))
        except ValueError:
            raise ValueError(f"--time-signature must look like 3/4, got {args.time_signature!r}") from None
        time_signature = (num, den)
    sevenths = {"auto": None, "yes": True, "no": False}[args.sevenths]
    song = music.generate(seed=args.seed, style=args.style, key=args.key, mode=args.mode, tempo_bpm=args.tempo,
                          bars=args.bars, time_signature=time_signature, sevenths=sevenths,
                          inversions=not args.no_inversions, drums=not args.no_drums)
    if not args.output.lower().endswith((".mid", ".midi")):
        raise ValueError(f"-o/--output must be a .mid file, got {args.output!r}")
    song.save(args.output)
    msg = (f"wrote {args.output}: {song.style}, {song.key} ({song.mode}), {song.tempo_bpm:.1f} BPM, "
           f"{song.time_signature[0]}/{song.time_signature[1]}, {song.bars} bars, {song.duration_s:.1f} s")
    if args.truth:
        with open(args.truth, "w") as f:
            json.dump(song.to_dict(), f, indent=1)
        msg += f"; truth in {args.truth}"
    if args.wav:
        from .. import synth

        soundfont = "builtin" if args.builtin else (args.soundfont or synth.default_soundfont_path())
        audio = song.render(soundfont=soundfont, sample_rate=args.sample_rate)
        synth.write_wav(args.wav, audio, args.sample_rate)
        msg += f"; audio in {args.wav}"
    print(msg, file=sys.stderr)
    if args.print_chords:
        for c in song.chords:
            print(f"{c.start_s:8.3f} {c.end_s:8.3f}  {c.label:<14} {c.degree}")
    return 0


def register(sub) -> None:
    from ..music import MODES, STYLES

    gen = sub.add_parser("generate", help="generate material: rule-based music (MIDI/WAV + ground truth)",
                         description="Generate test and demo material.")
    kinds = gen.add_subparsers(dest="kind", metavar="KIND", required=True)
    m = kinds.add_parser("music", help="a seeded song from music-theory rules",
                         description="Write a song generated from music-theory rules (key, mode, chord "
                                     "progression with cadences, voice-led chords, bass, melody, drums on "
                                     "channel 10) as a Standard MIDI File; optionally render it to WAV and "
                                     "write the ground truth (key, tempo, chords with times, notes) as JSON. "
                                     "The same arguments always give the same song.")
    m.add_argument("-o", "--output", required=True, help="output .mid file")
    m.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    m.add_argument("--style", choices=sorted(STYLES), help="style (default: drawn from the seed)")
    m.add_argument("--key", help="tonic and optional mode: C, F#m, 'Bb minor', 'D dorian' (default: drawn)")
    m.add_argument("--mode", choices=list(MODES), help="mode (overrides one given in --key)")
    m.add_argument("--tempo", type=float, help="quarter notes per minute (default: drawn from the style's range)")
    m.add_argument("--bars", type=int, default=8, help="length in bars (default 8)")
    m.add_argument("--time-signature", metavar="N/4", help="2/4 .. 7/4 (default: the style's, 3/4 for waltz)")
    m.add_argument("--sevenths", choices=("auto", "yes", "no"), default="auto",
                   help="seventh chords: the style's habit, always or never (default auto)")
    m.add_argument("--no-inversions", action="store_true", help="keep every chord in root position")
    m.add_argument("--no-drums", action="store_true", help="leave out the drum part")
    m.add_argument("--truth", metavar="FILE.json", help="write the ground truth as JSON")
    m.add_argument("--wav", metavar="FILE.wav", help="also render to WAV")
    src = m.add_mutually_exclusive_group()
    src.add_argument("--soundfont", metavar="FILE.sf2", help="SoundFont for --wav (default: the GM SoundFont)")
    src.add_argument("--builtin", action="store_true", help="render --wav with the built-in instruments")
    m.add_argument("--sample-rate", type=int, default=48000, help="--wav rate in Hz (default 48000)")
    m.add_argument("--print-chords", action="store_true", help="print the chord sequence with times")
    m.set_defaults(func=cmd_music)
