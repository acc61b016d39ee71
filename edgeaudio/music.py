"""Rule-based music generation: seeded songs with their ground truth.

:func:`generate` writes a short piece from music-theory rules (a key and
mode, a diatonic chord progression built from functional harmony with
cadences, voice-led chord voicings with optional inversions and seventh
chords, a bass line, a melody on chord tones and scale steps, and a drum
part on MIDI channel 10) and returns a :class:`Song`: the notes the engine
plays *and* what they are, so the piece can serve as labelled test
material for key, chord, tempo, beat and onset estimation.

Everything is decided by the seed: the same arguments give the same song,
note for note, on every platform (numpy's PCG64 generator).

Timing is exact: onsets lie on a grid of 1/480 beat (the MIDI file's
resolution) and the tempo is the MIDI file's integer microseconds per
beat, so ``Song.notes[i].onset_s`` is where the note starts in the MIDI
file and in the audio :meth:`Song.render` makes (to the nearest sample).

Styles (``STYLES``): ``pop`` (4/4, block chords, eighth-note hats),
``ballad`` (slow 4/4, arpeggiated piano and strings), ``waltz`` (3/4,
oom-pah-pah), ``rock`` (4/4, driving eighths, distorted guitar), ``jazz``
(4/4 swing, seventh chords, walking bass, ride cymbal).

Examples
--------
>>> from edgeaudio import music
>>> song = music.generate(seed=7, style="pop", key="G", bars=8)
>>> song.key, song.time_signature, round(song.tempo_bpm)
('G major', (4, 4), 109)
>>> [c.label for c in song.chords][:4]
['G:maj', 'C:maj/5', 'D:maj/3', 'G:maj']
>>> song.save("song.mid")  # doctest: +SKIP
>>> audio = song.render(soundfont="builtin")  # doctest: +SKIP
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["generate", "Song", "Note", "Chord", "STYLES", "MODES", "KEY_NAMES", "parse_key"]

TICKS_PER_BEAT = 480
DRUM_CHANNEL = 9  # MIDI channel 10

#: Scale steps (semitones above the tonic) of the supported modes.
MODES: Dict[str, Tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),  # natural minor; V and vii use the raised 7th (harmonic minor)
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
#: Preferred spelling of each tonic (the one with a standard key signature).
KEY_NAMES = {"major": ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"),
             "minor": ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")}
_NAME_TO_PC = {n: i for i, n in enumerate(_SHARP_NAMES)} | {n: i for i, n in enumerate(_FLAT_NAMES)}
_NAME_TO_PC.update({"Cb": 11, "Fb": 4, "E#": 5, "B#": 0})


@dataclass(frozen=True)
class _Style:
    beats_per_bar: int
    tempo_range: Tuple[int, int]
    modes: Tuple[str, ...]
    loops: Tuple[Tuple[int, ...], ...]  # favourite progressions, scale degrees 0..6 (one chord each)
    chords_per_bar: int
    sevenths: float  # probability of a seventh chord when sevenths are "auto"
    programs: Dict[str, Tuple[int, ...]]  # part -> General MIDI programs to choose from
    swing: bool = False


STYLES: Dict[str, _Style] = {
    "pop": _Style(4, (92, 128), ("major", "major", "minor"),
                  ((0, 4, 5, 3), (5, 3, 0, 4), (0, 5, 3, 4), (0, 3, 4, 3)), 1, 0.15,
                  {"melody": (80, 73, 65, 11), "chords": (0, 4, 5), "bass": (33, 38), "pad": ()}),
    "ballad": _Style(4, (60, 80), ("major", "minor"),
                     ((0, 5, 3, 4), (0, 2, 3, 4), (5, 3, 0, 4), (0, 4, 5, 2)), 1, 0.3,
                     {"melody": (73, 40, 71, 68), "chords": (0, 1), "bass": (32, 33), "pad": (48, 49, 89)}),
    "waltz": _Style(3, (96, 150), ("major", "minor"),
                    ((0, 3, 4, 0), (0, 4, 4, 0), (0, 3, 0, 4), (0, 5, 1, 4)), 1, 0.1,
                    {"melody": (40, 71, 21, 73), "chords": (0, 21, 46), "bass": (32, 58), "pad": ()}),
    "rock": _Style(4, (108, 150), ("major", "mixolydian", "minor"),
                   ((0, 3, 4, 3), (0, 6, 3, 0), (0, 4, 5, 3), (5, 3, 0, 4)), 1, 0.0,
                   {"melody": (30, 29, 81), "chords": (29, 30, 27), "bass": (34, 33), "pad": ()}),
    "jazz": _Style(4, (100, 168), ("major", "dorian", "minor"),
                   ((1, 4, 0, 0), (0, 5, 1, 4), (2, 5, 1, 4), (3, 6, 2, 5)), 2, 1.0,
                   {"melody": (65, 66, 56, 73), "chords": (0, 4, 26), "bass": (32,), "pad": ()}, swing=True),
}

# Functional harmony for the generated (non-loop) progressions: the degrees a chord may move to,
# with weights. Tonic (I, vi, iii) -> predominant (ii, IV) -> dominant (V, vii) -> tonic.
_NEXT = {
    0: {3: 3, 4: 3, 5: 2, 1: 2, 2: 1},
    1: {4: 4, 6: 1, 3: 1},
    2: {5: 3, 3: 2},
    3: {4: 3, 0: 2, 1: 2, 6: 1},
    4: {0: 5, 5: 2, 3: 1},
    5: {1: 3, 3: 3, 4: 2},
    6: {0: 4, 2: 1},
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")
# interval above the root -> mir_eval scale degree of a slash bass
_BASS_DEGREE = {0: "1", 3: "b3", 4: "3", 6: "b5", 7: "5", 8: "#5", 9: "bb7", 10: "b7", 11: "7"}
_QUALITIES = {  # stacked intervals above the root -> mir_eval shorthand
    (4, 7): "maj", (3, 7): "min", (3, 6): "dim", (4, 8): "aug",
    (4, 7, 11): "maj7", (3, 7, 10): "min7", (4, 7, 10): "7", (3, 6, 10): "hdim7",
    (3, 6, 9): "dim7", (3, 7, 11): "minmaj7",
}

# General MIDI percussion keys (channel 10)
KICK, SIDE_STICK, SNARE, CLOSED_HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 36, 37, 38, 42, 44, 46, 49, 51


@dataclass(frozen=True)
class Note:
    """One note as played: times in seconds and beats, MIDI pitch, channel (0-15)."""
    onset_s: float
    offset_s: float
    onset_beat: float
    duration_beats: float
    pitch: int
    velocity: int
    channel: int
    program: int
    part: str  # "melody", "chords", "bass", "pad" or "drums"


@dataclass(frozen=True)
class Chord:
    """A chord of the progression and where it sounds.

    ``label`` is in mir_eval / Harte syntax (``"A:min7"``, ``"C:maj/3"``),
    ``degree`` the Roman numeral in the key (``"V7"``, ``"ii"``), ``inversion``
    0 for root position, 1 for the third in the bass, and so on.
    """
    start_s: float
    end_s: float
    start_beat: float
    end_beat: float
    root: int  # pitch class 0-11
    quality: str
    inversion: int
    bass: int  # pitch class of the lowest note
    label: str
    degree: str
    pitches: Tuple[int, ...]  # the voicing the chord part plays (MIDI numbers)


@dataclass
class Song:
    """A generated piece: its parameters, the notes, and the ground truth.

    Attributes
    ----------
    key : str
        ``"<tonic> major"`` or ``"<tonic> minor"`` (dorian counts as minor,
        mixolydian as major, for key-estimation scoring); ``mode`` has the
        mode itself.
    tonic : int
        Pitch class of the tonic (0 = C).
    tempo_bpm : float
        Quarter notes per minute (exactly the MIDI file's tempo).
    time_signature : (int, int)
    chords : list of Chord
    notes : list of Note
        Every note of every part, sorted by onset.
    beats, downbeats : np.ndarray
        Beat and bar start times in seconds.
    """
    seed: int
    style: str
    tonic: int
    mode: str
    tempo_bpm: float
    time_signature: Tuple[int, int]
    bars: int
    programs: Dict[str, int]
    chords: List[Chord] = field(default_factory=list)
    notes: List[Note] = field(default_factory=list)

    # ------------------------------------------------------------------ truth
    @property
    def key(self) -> str:
        family = "minor" if MODES[self.mode][2] == 3 else "major"
        return f"{KEY_NAMES[family][self.tonic]} {family}"

    @property
    def seconds_per_beat(self) -> float:
        return 60.0 / self.tempo_bpm

    @property
    def duration_s(self) -> float:
        """End of the last bar (the MIDI file's end of track)."""
        return self.bars * self.time_signature[0] * self.seconds_per_beat

    @property
    def beats(self) -> np.ndarray:
        return np.arange(self.bars * self.time_signature[0]) * self.seconds_per_beat

    @property
    def downbeats(self) -> np.ndarray:
        return self.beats[::self.time_signature[0]]

    def chord_intervals(self) -> Tuple[np.ndarray, List[str]]:
        """(intervals (k, 2) in seconds, labels) as ``mir_eval.chord.evaluate`` takes them."""
        iv = np.array([[c.start_s, c.end_s] for c in self.chords], dtype=np.float64).reshape(-1, 2)
        return iv, [c.label for c in self.chords]

    def onsets(self, part: Optional[str] = None) -> np.ndarray:
        """Sorted distinct note onset times in seconds (of one part, or all)."""
        return np.unique([n.onset_s for n in self.notes if part is None or n.part == part])

    def to_dict(self) -> dict:
        """JSON-ready ground truth (the CLI's ``--truth`` file)."""
        return {
            "seed": self.seed, "style": self.style, "key": self.key, "tonic": self.tonic,
            "mode": self.mode, "tempo_bpm": self.tempo_bpm, "time_signature": list(self.time_signature),
            "bars": self.bars, "duration_s": self.duration_s, "programs": self.programs,
            "beats": self.beats.tolist(), "downbeats": self.downbeats.tolist(),
            "chords": [asdict(c) for c in self.chords], "notes": [asdict(n) for n in self.notes],
        }

    # ------------------------------------------------------------------ MIDI
    @property
    def _us_per_beat(self) -> int:
        return int(round(60e6 / self.tempo_bpm))

    def events(self, sample_rate: float = 48000.0) -> np.ndarray:
        """Sample-accurate channel events, int64 (k, 4): frame, status, data1, data2.

        The same rows :func:`edgeaudio.synth.midi_events` reads back from
        :meth:`save`'s file: program changes at frame 0, then notes (note-offs
        before note-ons at the same frame).
        """
        rows = [(0, 0xC0 | ch, prog, 0) for ch, prog in sorted(self._channel_programs().items())]
        rows += [(0, 0xB0 | ch, 7, 100) for ch in sorted(self._channel_programs())]
        timed = []
        for n in self.notes:
            timed.append((self._tick(n.onset_beat), 1, n.channel, n.pitch, n.velocity))
            timed.append((self._tick(n.onset_beat + n.duration_beats), 0, n.channel, n.pitch, 0))
        timed.sort()
        spb = self._us_per_beat / 1e6 / TICKS_PER_BEAT
        for tick, on, ch, pitch, vel in timed:
            frame = int(round(tick * spb * sample_rate))
            rows.append((frame, (0x90 if on else 0x80) | ch, pitch, vel))
        return np.array(rows, dtype=np.int64).reshape(-1, 4)

    def _channel_programs(self) -> Dict[int, int]:
        chans = {}
        for n in self.notes:
            if n.channel != DRUM_CHANNEL:
                chans[n.channel] = n.program
        return chans

    @staticmethod
    def _tick(beat: float) -> int:
        return int(round(beat * TICKS_PER_BEAT))

    def midi_file(self):
        """The song as a ``mido.MidiFile`` (format 1: a conductor track, one track per part)."""
        import mido

        mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
        conductor = mido.MidiTrack()
        conductor.append(mido.MetaMessage("track_name", name=f"edgeaudio {self.style} seed {self.seed}", time=0))
        conductor.append(mido.MetaMessage("set_tempo", tempo=self._us_per_beat, time=0))
        num, den = self.time_signature
        conductor.append(mido.MetaMessage("time_signature", numerator=num, denominator=den, time=0))
        family = "minor" if MODES[self.mode][2] == 3 else "major"
        # modes use their parent scale's signature; mido spells minor keys with an 'm'
        sig_pc = (self.tonic - {"dorian": 2, "mixolydian": 7}.get(self.mode, 0)) % 12
        sig = KEY_NAMES["major"][sig_pc] if self.mode in ("dorian", "mixolydian") else (
            KEY_NAMES[family][self.tonic] + ("m" if family == "minor" else ""))
        conductor.append(mido.MetaMessage("key_signature", key=sig, time=0))
        end_tick = self._tick(self.bars * num)
        conductor.append(mido.MetaMessage("end_of_track", time=end_tick))
        mid.tracks.append(conductor)
        programs = self._channel_programs()
        for ch in sorted({n.channel for n in self.notes}):
            track = mido.MidiTrack()
            part = next(n.part for n in self.notes if n.channel == ch)
            track.append(mido.MetaMessage("track_name", name=part, time=0))
            if ch in programs:
                track.append(mido.Message("program_change", channel=ch, program=programs[ch], time=0))
                track.append(mido.Message("control_change", channel=ch, control=7, value=100, time=0))
            timed = []
            for n in self.notes:
                if n.channel == ch:
                    timed.append((self._tick(n.onset_beat), 1, n.pitch, n.velocity))
                    timed.append((self._tick(n.onset_beat + n.duration_beats), 0, n.pitch, 0))
            timed.sort()
            now = 0
            for tick, on, pitch, vel in timed:
                kind = "note_on" if on else "note_off"
                track.append(mido.Message(kind, channel=ch, note=pitch, velocity=vel, time=tick - now))
                now = tick
            track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
            mid.tracks.append(track)
        return mid

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write a Standard MIDI File (format 1, 480 ticks per beat)."""
        self.midi_file().save(os.fspath(path))

    def render(self, soundfont=None, sample_rate: float = 48000.0, max_voices: int = 256,
               gain: float = 0.2, tail_s: float = 2.0) -> np.ndarray:
        """Play the song through :class:`edgeaudio.synth.Synth`; float32 (frames, 2).

        ``soundfont`` as :func:`edgeaudio.synth.render_midi` takes it: a loaded
        SoundFont (load it once to render many songs), a path, ``"builtin"``,
        or None for the default General MIDI SoundFont.
        """
        from . import synth

        events = self.events(sample_rate)
        end = int(round(self.duration_s * sample_rate))
        return synth.render_events(events, end, soundfont=soundfont, sample_rate=sample_rate,
                                   max_voices=max_voices, gain=gain, tail_s=tail_s)


def parse_key(key: str) -> Tuple[int, str]:
    """``"F#"`` (major), ``"Bb minor"``, ``"Am"``, ``"d dorian"`` -> (pitch class, mode)."""
    text = str(key).strip()
    parts = text.split()
    name, mode = parts[0], (parts[1].lower() if len(parts) > 1 else None)
    if len(parts) > 2:
        raise ValueError(f"key must look like 'C', 'Am' or 'F# minor', got {key!r}")
    if mode is None and len(name) > 1 and name.endswith("m") and name[:-1].capitalize() in _NAME_TO_PC:
        name, mode = name[:-1], "minor"
    name = name[:1].upper() + name[1:]
    if name not in _NAME_TO_PC:
        raise ValueError(f"key: unknown tonic {parts[0]!r} (use C, C#, Db, ... B)")
    if mode is not None and mode not in MODES:
        raise ValueError(f"key: unknown mode {mode!r} (choose from {', '.join(MODES)})")
    return _NAME_TO_PC[name], mode or "major"


def _choice(rng: np.random.Generator, items: Sequence, weights: Optional[Sequence[float]] = None):
    if weights is None:
        return items[int(rng.integers(len(items)))]
    w = np.asarray(weights, dtype=np.float64)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


def _scale(tonic: int, mode: str) -> List[int]:
    return [(tonic + s) % 12 for s in MODES[mode]]


def _chord_pcs(tonic: int, mode: str, degree: int, seventh: bool) -> List[int]:
    """Pitch classes root, third, fifth(, seventh) stacked in the mode (harmonic minor V, vii)."""
    steps = list(MODES[mode])
    if mode == "minor" and degree in (4, 6):
        steps[6] = 11  # the leading tone: V and vii are major / diminished, as in harmonic minor
    n = 4 if seventh else 3
    return [(tonic + steps[(degree + 2 * i) % 7]) % 12 for i in range(n)]


def _quality(pcs: Sequence[int]) -> str:
    ivs = tuple((p - pcs[0]) % 12 for p in pcs[1:])
    return _QUALITIES[ivs]


def _roman(degree: int, quality: str, inversion: int) -> str:
    numeral = _ROMAN[degree]
    if quality.startswith("min") or quality in ("dim", "hdim7", "dim7"):
        numeral = numeral.lower()
    suffix = {"maj": "", "min": "", "dim": "°", "aug": "+", "maj7": "maj7", "min7": "7", "7": "7",
              "hdim7": "ø7", "dim7": "°7", "minmaj7": "(maj7)"}[quality]
    inv = ["", "/3rd", "/5th", "/7th"][inversion]
    return numeral + suffix + inv


def _voicing(pcs: Sequence[int], inversion: int, low: int = 52) -> List[int]:
    """Close position with chord tone ``inversion`` lowest, starting at or above MIDI ``low``."""
    order = list(pcs[inversion:]) + list(pcs[:inversion])
    out = [low + (order[0] - low) % 12]
    for pc in order[1:]:
        out.append(out[-1] + 1 + (pc - out[-1] - 1) % 12)
    return out


def _progression(rng: np.random.Generator, st: _Style, n_chords: int, mode: str) -> List[int]:
    """Scale degrees, one per chord slot: loops and functional moves, cadence at each phrase end."""
    degrees: List[int] = []
    phrase = 4 * st.chords_per_bar
    while len(degrees) < n_chords:
        if rng.random() < 0.6:
            chunk = list(_choice(rng, st.loops))
        else:  # walk the functional-harmony graph from the tonic
            chunk = [0]
            while len(chunk) < 4:
                nxt = _NEXT[chunk[-1]]
                chunk.append(_choice(rng, list(nxt), list(nxt.values())))
        degrees.extend(chunk)
    degrees = degrees[:n_chords]
    if mode in ("minor", "dorian"):  # the diminished ii and vii are weak in minor pop writing: use iv / v
        degrees = [3 if d == 1 and mode == "minor" else d for d in degrees]
    # cadences: every phrase ends on V -> I (authentic) or IV -> I (plagal); the song ends on I
    for end in range(phrase, n_chords + 1, phrase):
        if end == n_chords or rng.random() < 0.5:
            degrees[end - 1] = 0
            if end >= 2 and degrees[end - 2] not in (4, 3, 6):
                degrees[end - 2] = 4 if rng.random() < 0.75 else 3
    if n_chords:
        degrees[-1] = 0
        degrees[0] = degrees[0] if st.loops and degrees[0] in (0, 5, 1, 3) else 0
    return degrees


def _drum_pattern(style: str, beats: int, bar: int, phrase_bars: int) -> List[Tuple[float, int, int]]:
    """(beat in bar, GM drum key, velocity) for one bar."""
    hits: List[Tuple[float, int, int]] = []
    if bar % phrase_bars == 0:
        hits.append((0.0, CRASH, 100))
    if style == "waltz":
        hits += [(0.0, KICK, 96)] + [(float(b), SIDE_STICK, 62) for b in range(1, beats)]
        hits += [(float(b), CLOSED_HAT, 50) for b in range(beats)]
    elif style == "jazz":
        swing = 2.0 / 3.0
        for b in range(beats):
            hits.append((float(b), RIDE, 80))
            if b % 2 == 1:
                hits += [(b + swing, RIDE, 62), (float(b), PEDAL_HAT, 60)]
        hits.append((0.0, KICK, 50))
    elif style == "ballad":
        for b in range(beats):
            hits.append((float(b), CLOSED_HAT, 55))
            hits.append((float(b), KICK if b % 2 == 0 else SIDE_STICK, 80 if b % 2 == 0 else 70))
    else:  # pop, rock: backbeat
        loud = 1.15 if style == "rock" else 1.0
        for b in range(beats):
            hits.append((float(b), KICK if b % 2 == 0 else SNARE, int((100 if b % 2 == 0 else 96) * loud) & 127))
            hits.append((float(b), CLOSED_HAT, int(72 * loud)))
            hits.append((b + 0.5, CLOSED_HAT if style == "pop" or b < beats - 1 else OPEN_HAT, int(56 * loud)))
        if style == "rock":
            hits.append((beats - 2 + 0.5, KICK, 92))
    return hits


# melody rhythms per bar: (onset, duration) in beats, for 4/4 and 3/4
_RHYTHMS = {
    4: (((0, 1), (1, 1), (2, 1), (3, 1)), ((0, 1.5), (1.5, 0.5), (2, 2)), ((0, 0.5), (0.5, 0.5), (1, 1), (2, 1), (3, 1)),
        ((0, 2), (2, 1), (3, 1)), ((0, 1), (1, 0.5), (1.5, 0.5), (2, 1.5), (3.5, 0.5)), ((0, 3), (3, 1)),
        ((0.5, 0.5), (1, 1), (2, 0.5), (2.5, 1.5))),
    3: (((0, 1), (1, 1), (2, 1)), ((0, 2), (2, 1)), ((0, 1.5), (1.5, 0.5), (2, 1)), ((0, 1), (1, 0.5), (1.5, 0.5), (2, 1)),
        ((0, 3),)),
}


def generate(seed: int = 0, style: Optional[str] = None, key: Optional[str] = None, mode: Optional[str] = None,
             tempo_bpm: Optional[float] = None, bars: int = 8, time_signature: Optional[Tuple[int, int]] = None,
             sevenths: Optional[bool] = None, inversions: bool = True, drums: bool = True,
             pad: Optional[bool] = None) -> Song:
    """Generate a song from music-theory rules, deterministically for ``seed``.

    Parameters
    ----------
    seed : int
        Everything not given is drawn from this seed.
    style : str, optional
        One of :data:`STYLES` (``pop``, ``ballad``, ``waltz``, ``rock``, ``jazz``).
    key : str, optional
        Tonic, optionally with a mode: ``"D"`` (D major), ``"F#m"``, ``"Bb minor"``,
        ``"E dorian"`` (default: drawn, with a mode the style uses).
    mode : str, optional
        One of :data:`MODES`; overrides a mode given in ``key``.
    tempo_bpm : float, optional
        Quarter notes per minute, 30-300 (default: drawn from the style's range).
    bars : int
        Length in bars (1-512). Phrases are 4 bars; each ends on a cadence.
    time_signature : (int, int), optional
        ``(beats, 4)`` with 2-7 beats; default the style's (3/4 for waltz, else 4/4).
    sevenths : bool, optional
        True: every chord a seventh chord; False: triads only; None: the
        style's habit (jazz always, pop sometimes, rock never).
    inversions : bool
        Voice-lead the chords, choosing inversions (slash chords) that move
        the least; False keeps every chord in root position.
    drums : bool
        Add the style's drum part on MIDI channel 10.
    pad : bool, optional
        Add a sustained pad part (default: the style's habit, ballads only).

    Returns
    -------
    Song

    Raises
    ------
    ValueError
        For an unknown style, key or mode, or a value out of range.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng([int(seed), 0x6D75736963])  # "music"
    if style is None:
        style = _choice(rng, sorted(STYLES))
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    st = STYLES[style]
    # one stream per (seed, style): songs of different styles with the same seed are unrelated
    rng = np.random.default_rng([int(seed), 0x6D75736963, sorted(STYLES).index(style)])
    tonic_given, key_mode = (None, None) if key is None else parse_key(key)
    tonic = int(rng.integers(12)) if tonic_given is None else tonic_given
    mode = mode or key_mode or _choice(rng, st.modes)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if tempo_bpm is None:
        tempo_bpm = float(rng.integers(st.tempo_range[0], st.tempo_range[1] + 1))
    tempo_bpm = float(tempo_bpm)
    if not 30.0 <= tempo_bpm <= 300.0:
        raise ValueError(f"tempo_bpm must be in [30, 300], got {tempo_bpm}")
    if isinstance(bars, bool) or not isinstance(bars, (int, np.integer)) or not 1 <= bars <= 512:
        raise ValueError(f"bars must be an integer in [1, 512], got {bars!r}")
    bars = int(bars)
    time_signature = tuple(time_signature) if time_signature is not None else (st.beats_per_bar, 4)
    if len(time_signature) != 2 or time_signature[1] != 4 or not 2 <= int(time_signature[0]) <= 7:
        raise ValueError(f"time_signature must be (beats, 4) with 2-7 beats, got {time_signature!r}")
    beats_per_bar = int(time_signature[0])
    # the truth uses the tempo the MIDI file can state (integer microseconds per beat)
    tempo_bpm = 60e6 / round(60e6 / tempo_bpm)
    spb = 60.0 / tempo_bpm
    use_pad = (len(st.programs["pad"]) > 0) if pad is None else bool(pad)
    programs = {part: int(_choice(rng, progs)) for part, progs in st.programs.items() if progs}
    if use_pad and "pad" not in programs:
        programs["pad"] = 48
    channels = {"melody": 0, "chords": 1, "bass": 2, "pad": 3}

    song = Song(seed=int(seed), style=style, tonic=tonic, mode=mode, tempo_bpm=tempo_bpm,
                time_signature=(beats_per_bar, 4), bars=bars,
                programs={p: programs[p] for p in ("melody", "chords", "bass", "pad") if p in programs
                          and (p != "pad" or use_pad)})
    notes: List[Note] = []

    def add(part: str, beat: float, dur: float, pitch: int, vel: int) -> None:
        beat = round(beat * TICKS_PER_BEAT) / TICKS_PER_BEAT
        dur = max(1, round(dur * TICKS_PER_BEAT)) / TICKS_PER_BEAT
        ch = DRUM_CHANNEL if part == "drums" else channels[part]
        vel = int(np.clip(vel + rng.integers(-6, 7), 1, 127))
        notes.append(Note(beat * spb, (beat + dur) * spb, beat, dur, int(pitch), vel, ch,
                          0 if part == "drums" else song.programs[part], part))

    # ---- harmony
    cpb = st.chords_per_bar if beats_per_bar % st.chords_per_bar == 0 else 1
    n_chords = bars * cpb
    degrees = _progression(rng, st, n_chords, mode)
    chord_beats = beats_per_bar / cpb
    seventh_p = st.sevenths if sevenths is None else (1.0 if sevenths else 0.0)
    prev_voicing: Optional[List[int]] = None
    for i, deg in enumerate(degrees):
        is7 = bool(rng.random() < seventh_p) if seventh_p not in (0.0, 1.0) else seventh_p == 1.0
        if is7 is False and deg == 4 and seventh_p > 0 and rng.random() < 0.5:
            is7 = True  # the dominant seventh is the most common seventh chord
        pcs = _chord_pcs(tonic, mode, deg, is7)
        quality = _quality(pcs)
        candidates = range(len(pcs)) if inversions else (0,)
        best, best_cost = 0, np.inf
        for inv in candidates:
            v = _voicing(pcs, inv)
            if prev_voicing is None:
                cost = abs(np.mean(v) - 62.0) + (0 if inv == 0 else 3.0)
            else:
                a = np.sort(np.array(prev_voicing, dtype=float))
                b = np.sort(np.array(v, dtype=float))
                m = min(len(a), len(b))
                cost = float(np.abs(a[:m] - b[:m]).sum()) + abs(np.mean(v) - 62.0) * 0.5
            cost += {0: 0.0, 1: 3.0, 2: 6.0, 3: 4.0}[inv] + rng.random() * 0.5  # root position preferred
            if i == len(degrees) - 1 or i == 0:
                cost += 100.0 * (inv != 0)  # begin and end in root position
            if cost < best_cost:
                best, best_cost = inv, cost
        voicing = _voicing(pcs, best)
        prev_voicing = voicing
        root_name = (_FLAT_NAMES if _uses_flats(tonic, mode) else _SHARP_NAMES)[pcs[0]]
        label = f"{root_name}:{quality}"
        if best:
            label += "/" + _BASS_DEGREE[(pcs[best] - pcs[0]) % 12]
        b0 = i * chord_beats
        song.chords.append(Chord(b0 * spb, (b0 + chord_beats) * spb, b0, b0 + chord_beats, pcs[0], quality, best,
                                 pcs[best], label, _roman(deg, quality, best), tuple(voicing)))

    # ---- accompaniment
    swing = 2.0 / 3.0 if st.swing else 0.5
    for c in song.chords:
        b0, length = c.start_beat, c.end_beat - c.start_beat
        v = list(c.pitches)
        bass_pitch = 28 + (c.bass - 28) % 12  # E1 .. D#2
        if style == "waltz":
            add("bass", b0, 1.0, bass_pitch + (12 if bass_pitch < 36 else 0), 92)
            for k in range(1, int(length)):
                for p in v:
                    add("chords", b0 + k, 0.8, p, 64)
        elif style == "ballad":
            arp = v + [v[0] + 12, v[1] + 12] if len(v) == 3 else v + [v[0] + 12]
            steps = int(length * 2)
            for k in range(steps):
                add("chords", b0 + 0.5 * k, 0.5 * (steps - k) if k == steps - 1 else 1.0, arp[k % len(arp)], 60)
            add("bass", b0, length, bass_pitch + 12, 80)
        elif style == "rock":
            for k in range(int(length * 2)):
                add("bass", b0 + 0.5 * k, 0.45, bass_pitch + 12, 100 if k % 2 == 0 else 88)
            for k in range(int(length)):
                for p in v:
                    add("chords", b0 + k, 0.9, p, 78 if k % 2 == 0 else 70)
        elif style == "jazz":
            # walking bass: root, chord tones, then a chromatic/scale approach to the next chord
            scale = _scale(tonic, mode)
            nxt = next((d.bass for d in song.chords if d.start_beat == c.end_beat), c.bass)
            line = [bass_pitch + 12]
            for k in range(1, int(length)):
                if k == int(length) - 1:
                    target = 40 + (nxt - 40) % 12
                    line.append(target + (1 if rng.random() < 0.5 else -1))
                else:
                    tone = _choice(rng, [c.root] + [p % 12 for p in c.pitches[1:]] + [scale[int(rng.integers(7))]])
                    line.append(40 + (tone - 40) % 12)
            for k, p in enumerate(line):
                add("bass", b0 + k, 0.95, p, 88)
            for k in range(int(length)):
                if k % 2 == 1 or rng.random() < 0.3:  # comp on 2 and 4, sometimes anticipating
                    start = b0 + k - (1 - swing if k % 2 == 1 and rng.random() < 0.3 else 0.0)
                    for p in v:
                        add("chords", max(b0, start), 0.6, p, 58)
        else:  # pop: root-fifth bass in eighths-and-quarters, block chords on the strong beats
            fifth = bass_pitch + 12 + 7 if c.inversion == 0 else bass_pitch + 12
            for k in range(int(length)):
                add("bass", b0 + k, 0.9, bass_pitch + 12 if k % 2 == 0 else fifth, 94 if k % 2 == 0 else 84)
            for k in range(0, int(length), 2 if length >= 2 else 1):
                for p in v:
                    add("chords", b0 + k, min(2.0, length - k) * 0.95, p, 70)
        if use_pad:
            for p in v:
                add("pad", b0, length, p + 12, 50)

    # ---- melody: chord tones on strong beats, scale steps between, 2-bar motifs repeated per phrase
    scale = _scale(tonic, mode)
    lead_pc = (tonic + 11) % 12 if mode == "minor" else None  # harmonic minor's raised 7th over V
    dominant_roots = {(tonic + 7) % 12, (tonic + 11) % 12}
    low, high = 60 + (tonic - 60) % 12, 60 + (tonic - 60) % 12 + 19  # tonic .. a twelfth above
    pitch = low + 7 if low + 7 <= high else low
    rhythms = _RHYTHMS.get(beats_per_bar)
    motifs: Dict[int, Sequence[Tuple[float, float]]] = {}
    for bar in range(bars):
        if rhythms is None:  # other meters: one note per beat
            rhythm = tuple((float(b), 1.0) for b in range(beats_per_bar))
        elif bar % 4 in (2, 3) and (bar % 4 - 2) in motifs and rng.random() < 0.6:
            rhythm = motifs[bar % 4 - 2]  # answer phrase repeats the question's rhythm
        else:
            rhythm = _choice(rng, rhythms)
            motifs[bar % 4] = rhythm
        last_bar = bar == bars - 1
        if last_bar:  # the final tonic sounds from the last chord (the tonic) to the end
            split = song.chords[-1].start_beat - bar * beats_per_bar
            rhythm = ((0.0, float(beats_per_bar)),) if split <= 0 else ((0.0, split), (split, beats_per_bar - split))
        for onset, dur in rhythm:
            beat = bar * beats_per_bar + onset
            chord = next(c for c in song.chords if c.start_beat <= beat < c.end_beat)
            tones = [chord.root] + [p % 12 for p in chord.pitches if p % 12 != chord.root]
            allowed = set(scale) | ({lead_pc} if lead_pc is not None and chord.root in dominant_roots else set())
            if last_bar and onset == rhythm[-1][0]:
                cands = [p for p in range(low, high + 1) if p % 12 == tonic]
            elif onset == int(onset) and (onset == 0 or onset * 2 == beats_per_bar or dur >= 1.0):
                cands = [p for p in range(low, high + 1) if p % 12 in tones]
            else:
                cands = [p for p in range(low, high + 1) if p % 12 in allowed]
            # prefer small steps; leaps over a fifth are rare; drift back towards the middle
            dist = np.abs(np.array(cands) - pitch)
            weights = np.exp(-dist / 2.5) * (dist <= 9) + 1e-6
            weights *= np.exp(-np.abs(np.array(cands) - (low + high) / 2) / 12)
            if len(cands) > 1:
                weights[dist == 0] *= 0.4  # repeated notes less often than steps
            pitch = int(_choice(rng, cands, weights))
            add("melody", beat, dur * (0.92 if not last_bar else 1.0), pitch, 100)

    # ---- drums
    if drums:
        for bar in range(bars):
            for onset, key_, vel in _drum_pattern(style, beats_per_bar, bar, 4):
                if onset < beats_per_bar:
                    add("drums", bar * beats_per_bar + onset, 0.25, key_, vel)

    notes.sort(key=lambda n: (n.onset_beat, n.channel, n.pitch))
    song.notes = notes
    return song


def _uses_flats(tonic: int, mode: str) -> bool:
    major_tonic = (tonic + {"major": 0, "minor": 3, "dorian": -2, "mixolydian": 5}[mode]) % 12
    return major_tonic in (5, 10, 3, 8, 1, 6)  # F Bb Eb Ab Db Gb
