"""``edgeaudio fingerprint``: index songs, then name the song a recording comes from.

    edgeaudio fingerprint add DIR|FILE... --db songs.db
    edgeaudio fingerprint match FILE|- --db songs.db
    edgeaudio fingerprint match --listen --db songs.db

``match`` prints one JSON object: ``{"song": stem, "offset_s": ..., "score": ...,
"confidence": ..., "speed": ..., "bands": ..., "peak_hits": ..., "peak_z": ...,
"evidence": ..., "subprint_z": ..., "second_score": ..., "song_votes": ...}`` or
``{"song": null}`` when nothing matches.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterable, List

ORDER = 60

# what soundfile (libsndfile) decodes; other files in a directory are skipped
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".au", ".snd",
                  ".caf", ".w64", ".rf64", ".wv"}


def audio_files(inputs: Iterable[str]) -> List[Path]:
    """Files named, plus the audio files found (recursively, sorted) in directories named."""
    out: List[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            raise OSError(f"no such file or directory: {item}")
    return out


def _print_match(m) -> None:
    print(json.dumps(m.to_dict() if m is not None else {"song": None, "offset_s": None, "score": 0}),
          flush=True)


def cmd_add(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..fingerprint import FingerprintIndex

    files = audio_files(args.inputs)
    if not files:
        raise ValueError("no audio files found in " + ", ".join(args.inputs))
    added = skipped = failed = 0
    with FingerprintIndex(args.db) as index:
        bar = tqdm(files, unit="song", disable=args.no_progress, file=sys.stderr)
        for f in bar:
            bar.set_postfix_str(f.name[-30:], refresh=False)
            try:
                _, new = index.add_file(f)
            except (OSError, ValueError) as e:  # one unreadable file does not stop the others
                print(f"edgeaudio fingerprint add: skipping {f}: {e}", file=sys.stderr)
                failed += 1
                continue
            added += new
            skipped += not new
        total = len(index)
    print(json.dumps({"added": added, "already_indexed": skipped, "failed": failed, "songs": total}))
    return 1 if failed and not added and not skipped else 0


def cmd_match(args: argparse.Namespace) -> int:
    from ..fingerprint import FingerprintIndex, StreamingMatcher

    with FingerprintIndex(args.db, create=False, preload=args.listen) as index:
        if not args.listen:
            if args.input is None:
                raise ValueError("give a FILE (or - for standard input) or --listen")
            _print_match(index.match_file(args.input))
            return 0
        try:
            import sounddevice as sd
        except (ImportError, OSError) as e:
            raise RuntimeError("--listen needs the sounddevice package and PortAudio "
                               f"(pip install sounddevice; apt-get install libportaudio2): {e}") from None
        rate = int(args.sample_rate or sd.query_devices(kind="input")["default_samplerate"])
        matcher = StreamingMatcher(index, rate)
        print(f"listening at {rate} Hz for up to {args.timeout_s:g} s ...", file=sys.stderr)
        with sd.InputStream(samplerate=rate, channels=1, dtype="float32", blocksize=rate // 10) as stream:
            while matcher.seconds < args.timeout_s:
                block, _ = stream.read(rate // 10)
                m = matcher.push(block[:, 0])
                if m is not None:
                    _print_match(m)
                    return 0
        _print_match(None)
    return 0


def register(sub) -> None:
    fp = sub.add_parser("fingerprint", help="index songs and name the song a recording comes from",
                        description="Audio fingerprinting against your own library: spectral-peak landmarks "
                                    "in an SQLite index.")
    fsub = fp.add_subparsers(dest="fingerprint_command", metavar="ACTION")
    fsub.required = True
    add = fsub.add_parser("add", help="index audio files (any format soundfile reads)",
                          description="Fingerprint audio files and add them to the index (created if "
                                      "missing). Each song is named by its file stem; a song already "
                                      "indexed (same audio) is not added again.")
    add.add_argument("inputs", nargs="+", metavar="DIR|FILE", help="audio files, or directories to search")
    add.add_argument("--db", required=True, help="index file (SQLite)")
    add.add_argument("--no-progress", action="store_true", help="no progress bar")
    add.set_defaults(func=cmd_add)
    m = fsub.add_parser("match", help="name the indexed song a recording comes from",
                        description="Match a recording (a file, - for standard input, or the microphone) "
                                    "against the index; prints JSON with song (file stem), offset_s "
                                    "(where in the song the recording starts), score, confidence, speed, bands, "
                                    "peak_hits and peak_z (the verification), evidence (the decision "
                                    "value: log-odds of the right song), subprint_z (the sub-fingerprints' "
                                    "agreement), second_score (votes at the song's second offset) and "
                                    "song_votes (its votes at any offset), or song null.")
    m.add_argument("input", nargs="?", metavar="FILE|-", help="audio file, or - to read it from stdin")
    m.add_argument("--db", required=True, help="index file (SQLite)")
    m.add_argument("--listen", action="store_true",
                   help="listen to the microphone (needs sounddevice) and answer as soon as the song is known")
    m.add_argument("--timeout-s", type=float, default=30.0, help="--listen: give up after this long (default 30)")
    m.add_argument("--sample-rate", type=int, default=None,
                   help="--listen: capture rate in Hz (default: the input device's)")
    m.set_defaults(func=cmd_match)
