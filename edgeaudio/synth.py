"""Synthesis: band-limited wavetables, plucked strings, SoundFont playback, MIDI files.

The C++ core (``cpp/src/synth``) does all the sound; this module validates
arguments, turns Standard MIDI Files into sample-accurate events and writes
WAV files. Rendering releases the GIL.

* :class:`Wavetable` single-cycle tables band-limited per octave with our FFT:
  the level a note reads never holds a harmonic above Nyquist.
* :func:`oscillator`, :func:`adsr`, :func:`pluck` render the building blocks
  on their own (tests, sound design).
* :class:`Synth` the polyphonic engine: a fixed voice pool (stealing policy:
  the earliest *released* voice first, then the quietest), 16 MIDI channels,
  velocity, sustain pedal, pitch bend (RPN 0 sets the range), pan, volume,
  expression; either built-in patches (wavetable and plucked-string
  instruments, a synthesised drum kit on channel 10) or a SoundFont 2 file,
  played at FluidSynth 2.3's levels (every General MIDI program of
  FluidR3_GM within 1.5 dB of FluidSynth's; BENCHMARKS.md).
* :func:`render_midi` renders a Standard MIDI File (format 0 or 1, tempo
  changes, drums on channel 10). It always ends: at the end of the last
  track all notes are released and at most ``tail_s`` seconds of release
  tail follow, with a warning if notes were still held.

MIDI files need the ``synth`` extra (``pip install 'edgeaudio[synth]'``:
mido, soundfile, tqdm).

Examples
--------
>>> import numpy as np
>>> from edgeaudio import synth
>>> saw = synth.Wavetable.classic("saw")
>>> x = synth.oscillator(saw, 440.0, 4800, sample_rate=48000)
>>> x.shape, x.dtype
((4800,), dtype('float32'))
>>> s = synth.Synth(sample_rate=48000, max_voices=8)
>>> out = s.render(4800, events=[(0, 0x90, 60, 100), (2400, 0x80, 60, 0)])
>>> out.shape
(4800, 2)
"""
from __future__ import annotations

import os
import warnings
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core

__all__ = [
    "Wavetable", "SoundFont", "Synth", "oscillator", "adsr", "pluck", "load_soundfont",
    "default_soundfont_path", "midi_events", "render_midi", "render_events", "write_wav", "DEFAULT_SOUNDFONT",
]

Wavetable = _core.Wavetable
SoundFont = _core.SoundFont

#: Where Debian's fluid-soundfont-gm puts its General MIDI SoundFont.
DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

PathLike = Union[str, os.PathLike]


def _positive(value: float, name: str) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def _count(value: int, name: str, minimum: int = 0) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def oscillator(table: Wavetable, freq_hz: float, n: int, sample_rate: float = 48000.0,
               pm: Optional[np.ndarray] = None, morph: float = 0.0, phase: float = 0.0) -> np.ndarray:
    """Render ``n`` samples of a band-limited wavetable oscillator.

    Parameters
    ----------
    table : Wavetable
        From ``Wavetable.classic("sine"|"saw"|"square"|"triangle")`` or
        ``Wavetable(frames)`` with float32 frames of shape (n_frames, frame_len).
    freq_hz : float
        Fundamental frequency.
    n : int
        Number of samples.
    sample_rate : float
        Output rate in Hz.
    pm : np.ndarray, optional
        Phase modulation in cycles, one value per sample (float32, shape (n,)).
    morph : float
        Position between frames, 0 .. n_frames - 1.
    phase : float
        Start phase in cycles.

    Returns
    -------
    np.ndarray
        float32, shape (n,).
    """
    n = _count(n, "n")
    sample_rate = _positive(sample_rate, "sample_rate")
    if not np.isfinite(freq_hz):
        raise ValueError(f"freq_hz must be finite, got {freq_hz!r}")
    if pm is not None:
        pm = np.ascontiguousarray(pm, dtype=np.float32)
        if pm.shape != (n,):
            raise ValueError(f"pm must have shape ({n},), got {pm.shape}")
    return _core.oscillator_render(table, float(freq_hz), n, sample_rate, pm, float(morph), float(phase))


def adsr(attack_s: float, decay_s: float, sustain: float, release_s: float, gate_s: float,
         n: int, sample_rate: float = 48000.0, curve: float = 0.5) -> np.ndarray:
    """Render an ADSR envelope: gate on at sample 0, off after ``gate_s`` seconds.

    Stage times are exact: the attack peaks (1.0) on sample
    ``round(attack_s * sample_rate) - 1``. ``curve`` 0 gives straight lines,
    towards 1 ever more exponential segments. Raises ValueError naming a bad field.
    """
    n = _count(n, "n")
    sample_rate = _positive(sample_rate, "sample_rate")
    return _core.adsr_render(float(attack_s), float(decay_s), float(sustain), float(release_s),
                             float(curve), sample_rate, int(round(gate_s * sample_rate)), n)


def pluck(freq_hz: float, n: int, sample_rate: float = 48000.0, decay_s: float = 2.0,
          brightness: float = 0.5, velocity: float = 1.0, seed: int = 1) -> np.ndarray:
    """Render a Karplus-Strong plucked string.

    ``decay_s`` is the time for the fundamental to fall by 60 dB;
    ``brightness`` in [0, 1] sets the loss filter and the pluck's spectrum.
    The period includes a fractional allpass delay, so the pitch is exact.
    """
    n = _count(n, "n")
    _positive(freq_hz, "freq_hz")
    _positive(decay_s, "decay_s")
    if not 0.0 <= brightness <= 1.0:
        raise ValueError(f"brightness must be in [0, 1], got {brightness}")
    if not 0.0 < velocity <= 1.0:
        raise ValueError(f"velocity must be in (0, 1], got {velocity}")
    return _core.pluck_render(float(freq_hz), n, _positive(sample_rate, "sample_rate"), float(decay_s),
                              float(brightness), float(velocity), int(seed))


def default_soundfont_path() -> str:
    """The General MIDI SoundFont used when none is given.

    ``EDGEAUDIO_SOUNDFONT`` if set, else :data:`DEFAULT_SOUNDFONT`.

    Raises
    ------
    FileNotFoundError
        If the file is absent, with what to install or pass instead.
    """
    path = os.environ.get("EDGEAUDIO_SOUNDFONT", DEFAULT_SOUNDFONT)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"no SoundFont at {path}: install one (Debian: apt-get install fluid-soundfont-gm), "
            "pass --soundfont FILE.sf2 / soundfont=..., set EDGEAUDIO_SOUNDFONT, "
            "or use the built-in instruments (--builtin / soundfont='builtin')")
    return path


def load_soundfont(path: PathLike) -> SoundFont:
    """Load and check a SoundFont 2 or SF3 file.

    SF3 files (SoundFont 2 with Ogg Vorbis-compressed samples, ``ifil``
    version 3: MuseScore's format, Debian's musescore-general-soundfont) are
    decoded in memory first (``edgeaudio._sf3``: libsndfile through
    soundfile decodes each sample; about a minute and 490 MB for
    the 86 MB MuseScore_General_Full.sf3 here), then loaded like any SF2.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated or malformed (the message names the chunk),
        or an SF3 sample cannot be decoded.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"soundfont: no such file: {path}")
    from . import _sf3

    if _sf3.is_sf3(path):
        with open(path, "rb") as fh:
            return SoundFont.from_bytes(_sf3.sf3_to_sf2(fh.read()), os.path.basename(path))
    return SoundFont(path)


_GM_STRINGS = set(range(24, 32)) | set(range(104, 109)) | {45, 46}
_GM_LEADS = set(range(80, 88))
_GM_PADS = set(range(48, 56)) | set(range(88, 96))
_GM_ORGANS = set(range(16, 24))


class Synth:
    """Polyphonic synthesiser with a fixed voice pool.

    Parameters
    ----------
    sample_rate : float
        Output rate in Hz.
    max_voices : int
        Size of the voice pool. When a note needs a voice and all are busy,
        the voice released earliest is taken, else the quietest one.
    gain : float
        Output gain applied to the mix.
    soundfont : SoundFont, str, optional
        A loaded SoundFont or a path; None uses the built-in General MIDI
        mapping of wavetable and plucked-string patches, and a synthesised drum kit on channel 10.
    """

    def __init__(self, sample_rate: float = 48000.0, max_voices: int = 64, gain: float = 1.0,
                 soundfont: Optional[Union[SoundFont, PathLike]] = None) -> None:
        self._s = _core.Synth(_positive(sample_rate, "sample_rate"), _count(max_voices, "max_voices", 1),
                              float(gain))
        if soundfont is not None:
            if not isinstance(soundfont, SoundFont):
                soundfont = load_soundfont(soundfont)
            self._s.set_soundfont(soundfont)
        else:
            self._install_builtin_patches()
        self.soundfont = soundfont

    def add_patch(self, table: Optional[Wavetable] = None, *, source: str = "wavetable", morph: float = 0.0,
                  attack_s: float = 0.005, decay_s: float = 0.2, sustain: float = 0.7, release_s: float = 0.2,
                  curve: float = 0.5, cutoff_hz: float = 20000.0, q: float = 0.707, env_octaves: float = 0.0,
                  keytrack: float = 0.0, vibrato_hz: float = 5.0, vibrato_cents: float = 0.0,
                  string_decay_s: float = 2.0, string_brightness: float = 0.5, gain: float = 0.25) -> int:
        """Add a built-in patch; returns its index. ``source`` is 'wavetable', 'string' or
        'drumkit' (the General MIDI percussion kit: the key picks a synthesised drum, kick 35-36,
        snares 38/40, toms, hi-hats 42/44/46 that choke each other, cymbals, latin percussion;
        note-offs do not cut it).

        The filter is a state-variable low-pass at ``cutoff_hz`` * (f / 261.6)
        ** ``keytrack`` * 2 ** (``env_octaves`` * amplitude envelope).
        """
        if source == "wavetable" and table is None:
            raise ValueError("table is required for a wavetable patch")
        return int(self._s.add_patch(source, table, morph, attack_s, decay_s, sustain, release_s, curve,
                                     cutoff_hz, q, env_octaves, keytrack, vibrato_hz, vibrato_cents,
                                     string_decay_s, string_brightness, gain))

    def set_program_patch(self, program: int, patch: int) -> None:
        """Make MIDI program ``program`` (0-127) play built-in patch ``patch``."""
        self._s.set_program_patch(int(program), int(patch))

    def _install_builtin_patches(self) -> None:
        saw, square = Wavetable.classic("saw"), Wavetable.classic("square")
        tri = Wavetable.classic("triangle")
        keys = self.add_patch(saw, attack_s=0.003, decay_s=0.6, sustain=0.25, release_s=0.25,
                              cutoff_hz=900.0, keytrack=0.6, env_octaves=2.5, gain=0.3)
        pluck_p = self.add_patch(source="string", string_decay_s=3.0, string_brightness=0.6, release_s=0.15,
                                 gain=0.5)
        lead = self.add_patch(square, attack_s=0.01, decay_s=0.1, sustain=0.8, release_s=0.15,
                              cutoff_hz=2500.0, keytrack=0.5, vibrato_cents=12.0, gain=0.2)
        pad = self.add_patch(saw, attack_s=0.4, decay_s=0.5, sustain=0.8, release_s=0.8, cutoff_hz=1200.0,
                             keytrack=0.3, vibrato_cents=6.0, gain=0.2)
        organ = self.add_patch(tri, attack_s=0.01, decay_s=0.05, sustain=1.0, release_s=0.08, gain=0.3)
        # 0.35: the drums of edgeaudio.music pop / rock / jazz songs sit 11 / 5 / 19 dB under the
        # other parts (through FluidR3_GM: 11 / 8 / 18 dB)
        drum = self.add_patch(source="drumkit", gain=0.35)
        for prog in range(128):
            patch = (pluck_p if prog in _GM_STRINGS else lead if prog in _GM_LEADS else
                     pad if prog in _GM_PADS else organ if prog in _GM_ORGANS else keys)
            self._s.set_program_patch(prog, patch)
        self._s.set_drum_patch(drum)

    def render(self, n_frames: int, events: Optional[Iterable[Sequence[int]]] = None) -> np.ndarray:
        """Render ``n_frames`` stereo frames, applying MIDI events at their frame.

        Parameters
        ----------
        n_frames : int
            Block length.
        events : iterable of (offset, status, data1, data2), optional
            Channel messages (status 0x80-0xEF) sorted by ``offset`` (frames
            into this block, 0 <= offset < n_frames).

        Returns
        -------
        np.ndarray
            float32, shape (n_frames, 2).
        """
        n_frames = _count(n_frames, "n_frames")
        ev = np.zeros((0, 4), dtype=np.int64) if events is None else np.asarray(events, dtype=np.int64)
        if ev.size == 0:
            ev = ev.reshape(0, 4)
        return self._s.render(ev, n_frames)

    def all_notes_off(self) -> None:
        """Release every note (and lift every sustain pedal)."""
        self._s.all_notes_off()

    def reset(self) -> None:
        """Silence all voices and restore default controllers."""
        self._s.reset()

    def note_sounding(self, channel: int, key: int) -> bool:
        """True while a voice of MIDI ``channel`` (0-15) and ``key`` sounds."""
        return bool(self._s.note_sounding(int(channel), int(key)))

    @property
    def active_voices(self) -> int:
        return int(self._s.active_voices)

    @property
    def voices_stolen(self) -> int:
        return int(self._s.voices_stolen)

    @property
    def sample_rate(self) -> float:
        return float(self._s.sample_rate)


def midi_events(path: PathLike, sample_rate: float = 48000.0) -> Tuple[np.ndarray, int, int]:
    """Read a Standard MIDI File into sample-accurate channel events.

    Returns
    -------
    events : np.ndarray
        int64, shape (k, 4): absolute frame, status, data1, data2, in order.
    end_frame : int
        The end of the last track (its end-of-track event), in frames.
    held_notes : int
        Notes still on at the end (note-on without a note-off).

    Raises
    ------
    ValueError
        If the file is not a valid format 0 or 1 Standard MIDI File.
    """
    try:
        import mido
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError("MIDI files need mido: pip install 'edgeaudio[synth]'") from e
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"midi: no such file: {path}")
    try:
        mid = mido.MidiFile(path, clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as e:
        raise ValueError(f"{path}: not a valid Standard MIDI File ({type(e).__name__}: {e})") from None
    if mid.type not in (0, 1):
        raise ValueError(f"{path}: MIDI format {mid.type} is not supported (only formats 0 and 1)")
    sample_rate = _positive(sample_rate, "sample_rate")
    rows: List[Tuple[int, int, int, int]] = []
    held = set()
    t = 0.0
    try:
        for msg in mid:  # merged tracks, delta times in seconds through the tempo map
            t += msg.time
            if msg.is_meta or not hasattr(msg, "channel"):
                continue
            frame = int(round(t * sample_rate))
            kind, ch = msg.type, msg.channel
            if kind == "note_on" and msg.velocity > 0:
                rows.append((frame, 0x90 | ch, msg.note, msg.velocity))
                held.add((ch, msg.note))
            elif kind in ("note_off", "note_on"):
                rows.append((frame, 0x80 | ch, msg.note, 0))
                held.discard((ch, msg.note))
            elif kind == "control_change":
                rows.append((frame, 0xB0 | ch, msg.control, msg.value))
            elif kind == "program_change":
                rows.append((frame, 0xC0 | ch, msg.program, 0))
            elif kind == "pitchwheel":
                v = msg.pitch + 8192
                rows.append((frame, 0xE0 | ch, v & 0x7F, v >> 7))
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise ValueError(f"{path}: malformed MIDI data ({type(e).__name__}: {e})") from None
    events = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return events, int(round(t * sample_rate)), len(held)


def render_midi(path: PathLike, soundfont: Optional[Union[SoundFont, PathLike]] = None,
                sample_rate: float = 48000.0, max_voices: int = 256, gain: float = 0.2,
                tail_s: float = 2.0, block: int = 4096, progress: bool = False) -> np.ndarray:
    """Render a Standard MIDI File to stereo audio.

    Parameters
    ----------
    path : str or PathLike
        A format 0 or 1 MIDI file.
    soundfont : SoundFont, str, 'builtin' or None
        A SoundFont (or its path); None uses :func:`default_soundfont_path`;
        ``'builtin'`` plays the built-in wavetable and string instruments.
    sample_rate : float
        Output rate in Hz.
    max_voices : int
        Voice pool size.
    gain : float
        Output gain (0.2 matches FluidSynth's default).
    tail_s : float
        Longest release tail rendered after the end of the last track. The
        output never exceeds end of track + ``tail_s``, even when notes are
        never released (that case also warns).
    block : int
        Frames per render call.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    np.ndarray
        float32, shape (frames, 2).
    """
    if soundfont is None:
        soundfont = default_soundfont_path()
    events, end_frame, held = midi_events(path, sample_rate)
    if held:
        warnings.warn(f"{os.fspath(path)}: {held} note(s) are never released; ending at the end of the last "
                      f"track plus at most {tail_s:g} s of release tail", RuntimeWarning, stacklevel=2)
    return render_events(events, end_frame, soundfont, sample_rate, max_voices, gain, tail_s, block, progress)


def render_events(events: np.ndarray, end_frame: int, soundfont: Optional[Union[SoundFont, PathLike]] = None,
                  sample_rate: float = 48000.0, max_voices: int = 256, gain: float = 0.2,
                  tail_s: float = 2.0, block: int = 4096, progress: bool = False) -> np.ndarray:
    """Render sample-accurate channel events (as :func:`midi_events` returns them) to stereo audio.

    Plays ``events`` (int64 (k, 4): absolute frame, status, data1, data2,
    sorted by frame) until ``end_frame``, releases every note there and
    renders at most ``tail_s`` seconds of release tail. Other parameters as
    :func:`render_midi`; float32 (frames, 2).
    """
    if tail_s < 0 or not np.isfinite(tail_s):
        raise ValueError(f"tail_s must be >= 0, got {tail_s}")
    block = _count(block, "block", 1)
    end_frame = _count(end_frame, "end_frame")
    events = np.asarray(events, dtype=np.int64)
    if events.size == 0:
        events = events.reshape(0, 4)
    if events.ndim != 2 or events.shape[1] != 4:
        raise ValueError(f"events must have shape (k, 4), got {events.shape}")
    if len(events) and (np.any(np.diff(events[:, 0]) < 0) or events[0, 0] < 0):
        raise ValueError("events must be sorted by frame, with frames >= 0")
    if soundfont is None:
        soundfont = default_soundfont_path()
    synth = Synth(sample_rate, max_voices, gain, None if isinstance(soundfont, str) and soundfont == "builtin"
                  else soundfont)
    tail_frames = int(round(tail_s * sample_rate))
    total_max = end_frame + tail_frames
    out = np.zeros((total_max, 2), dtype=np.float32)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=total_max / sample_rate, unit="s", unit_scale=False, desc="synth",
                   bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} s audio [{elapsed}<{remaining}]")
    frames = events[:, 0]
    pos, e0, released = 0, 0, False
    try:
        while pos < total_max:
            if pos >= end_frame and not released:
                synth.all_notes_off()
                released = True
            n = min(block, (end_frame if pos < end_frame else total_max) - pos)
            e1 = int(np.searchsorted(frames, pos + n, side="left"))
            ev = events[e0:e1].copy()
            ev[:, 0] -= pos
            out[pos:pos + n] = synth.render(n, ev)
            e0 = e1
            pos += n
            if bar is not None:
                bar.update(n / sample_rate)
            if released and synth.active_voices == 0:
                break
    finally:
        if bar is not None:
            bar.close()
    return out[:pos]


def write_wav(path: PathLike, audio: np.ndarray, sample_rate: int, subtype: str = "PCM_16") -> None:
    """Write float audio (frames,) or (frames, channels) to a WAV file, clipping to [-1, 1]."""
    import soundfile as sf
    audio = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    sf.write(os.fspath(path), audio, int(sample_rate), subtype=subtype)
