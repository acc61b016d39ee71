"""``edgeaudio synth``: render a MIDI file to WAV."""
from __future__ import annotations

import argparse
import sys

ORDER = 50


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


def register(sub) -> None:
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
