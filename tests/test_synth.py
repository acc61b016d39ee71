"""edgeaudio.synth: pitch, band limits, envelopes, voice stealing, MIDI timing,
SoundFont parsing (of a file built here), corrupted inputs, bounded endings."""
from __future__ import annotations

import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest

from edgeaudio import synth

mido = pytest.importorskip("mido")

SR = 48000


def zero_crossing_freq(x: np.ndarray, sr: float) -> float:
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    t = i + (-x[i]) / (x[i + 1] - x[i])
    return (len(t) - 1) * sr / (t[-1] - t[0])


def cents(f: float, ref: float) -> float:
    return 1200.0 * np.log2(f / ref)


# ---------------------------------------------------------------- oscillator

@pytest.mark.parametrize("freq", [27.5, 440.0, 1760.0, 7902.1])
def test_wavetable_oscillator_is_in_tune_within_one_cent(freq):
    x = synth.oscillator(synth.Wavetable.classic("sine"), freq, SR, sample_rate=SR)
    assert abs(cents(zero_crossing_freq(x, SR), freq)) < 1.0


def test_engine_note_and_pitch_bend_are_in_tune():
    s = synth.Synth(SR, max_voices=4)
    s.reset()
    sine = synth.Synth(SR, max_voices=4)
    sine._s = synth._core.Synth(SR, 4, 1.0)
    p = sine.add_patch(synth.Wavetable.classic("sine"), attack_s=0.0, decay_s=0.0, sustain=1.0)
    sine.set_program_patch(0, p)
    x = sine.render(SR, [(0, 0x90, 69, 100)])[:, 0]
    assert abs(cents(zero_crossing_freq(x, SR), 440.0)) < 1.0
    bend_up = 8192 + 8191  # +2 semitones (default range)
    x = sine.render(SR, [(0, 0xE0, bend_up & 0x7F, bend_up >> 7)])[4800:, 0]
    assert abs(cents(zero_crossing_freq(x, SR), 440.0 * 2 ** (2 * 8191 / 8192 / 12))) < 1.0


@pytest.mark.parametrize("shape", ["saw", "square", "triangle"])
def test_no_harmonic_above_nyquist_at_any_played_pitch(shape):
    table = synth.Wavetable.classic(shape, 1024)
    for note in range(128):
        f = 440.0 * 2 ** ((note - 69) / 12)
        if f >= SR / 2:
            continue
        level = table.level_for(f / SR)
        assert table.level_harmonics(level) * f < SR / 2
        t = table.table(level)
        spec = np.abs(np.fft.rfft(t.astype(np.float64))) / len(t)
        assert np.sum(spec[table.level_harmonics(level) + 1:] ** 2) < 1e-10


def aliasing_db(x: np.ndarray, f0: int) -> float:
    """Energy off the harmonic bins relative to the harmonics (1 s, integer Hz: exact bins)."""
    p = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    harm = np.zeros(len(p), bool)
    harm[np.arange(f0, len(p), f0)] = True
    return 10 * np.log10(p[~harm][1:].sum() / p[harm].sum())


@pytest.mark.parametrize("f0", [110, 997, 2999, 7919])
def test_sawtooth_aliasing_is_below_minus_80_db(f0):
    x = synth.oscillator(synth.Wavetable.classic("saw"), float(f0), SR, sample_rate=SR)
    assert aliasing_db(x, f0) < -80.0


def test_rising_note_fades_top_harmonics_out_before_the_mipmap_switch():
    """The saw's 8-harmonic level serves 1500-3000 Hz at 48 kHz (8 f < Nyquist), the 4-harmonic
    level above. Harmonics 5-8 play in full (1/h) at the bottom of that octave and have faded
    out just below the switch, so crossing it (2999 -> 3000 Hz) changes nothing audible."""
    saw = synth.Wavetable.classic("saw")

    def harmonics_db(f0: int) -> np.ndarray:  # harmonics 1-8 relative to the fundamental (1 s: exact bins)
        p = np.abs(np.fft.rfft(synth.oscillator(saw, float(f0), SR, SR).astype(np.float64)))
        return 20 * np.log10(p[[f0 * h for h in range(1, 9)]] / p[f0] + 1e-12)

    assert saw.level_harmonics(saw.level_for(1500 / SR)) == 8 and saw.level_harmonics(saw.level_for(3000 / SR)) == 4
    np.testing.assert_allclose(harmonics_db(1500), -20 * np.log10(np.arange(1, 9)), atol=0.1)
    below, above = harmonics_db(2999), harmonics_db(3000)
    assert np.all(below[4:] < -40) and np.all(above[4:] < -100)
    np.testing.assert_allclose(below[:4], above[:4], atol=0.05)


def test_phase_modulation_input_shifts_phase():
    table = synth.Wavetable.classic("sine")
    pm = np.full(480, 0.25, np.float32)
    a = synth.oscillator(table, 100.0, 480, SR, pm=pm)
    b = synth.oscillator(table, 100.0, 480, SR, phase=0.25)
    np.testing.assert_allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match="pm"):
        synth.oscillator(table, 100.0, 480, SR, pm=pm[:10])


def test_user_tables_and_morph_between_frames():
    n = 2048
    t = np.arange(n) / n
    frames = np.stack([np.sin(2 * np.pi * t), np.sin(2 * np.pi * 3 * t)]).astype(np.float32)
    table = synth.Wavetable(frames)
    x0 = synth.oscillator(table, 1000.0, SR, SR, morph=0.0)
    x1 = synth.oscillator(table, 1000.0, SR, SR, morph=1.0)
    p0, p1 = np.abs(np.fft.rfft(x0)), np.abs(np.fft.rfft(x1))
    assert p0[1000] > 100 * p0[3000] and p1[3000] > 100 * p1[1000]
    with pytest.raises(ValueError, match="frame_len"):
        synth.Wavetable(np.zeros((1, 1000), np.float32))


# ---------------------------------------------------------------- envelope, string

def test_adsr_stage_timing_is_exact():
    env = synth.adsr(0.01, 0.02, 0.5, 0.03, gate_s=0.1, n=SR // 5, sample_rate=SR)
    assert int(np.argmax(env)) == 479 and env[479] == pytest.approx(1.0)
    assert env[479 + 960] == pytest.approx(0.5) and env[479 + 958] > 0.5
    gate = int(0.1 * SR)
    assert env[gate - 1] == pytest.approx(0.5)
    assert env[gate + 1439] == 0.0 and env[gate + 1438] > 0.0
    with pytest.raises(ValueError, match="sustain"):
        synth.adsr(0.01, 0.02, 1.5, 0.03, gate_s=0.1, n=10)


def test_plucked_string_decay_and_brightness():
    short = synth.pluck(220.0, SR, SR, decay_s=0.3)
    long = synth.pluck(220.0, SR, SR, decay_s=3.0)
    late = slice(SR // 2, SR)
    assert np.abs(short[late]).max() < 0.01 * np.abs(long[late]).max()
    dull = synth.pluck(220.0, SR // 4, SR, brightness=0.0)
    bright = synth.pluck(220.0, SR // 4, SR, brightness=1.0)

    def centroid(x):
        p = np.abs(np.fft.rfft(x))
        return float((p * np.arange(len(p))).sum() / p.sum())

    assert centroid(bright) > 1.5 * centroid(dull)


# ---------------------------------------------------------------- engine

def make_saw_synth(voices: int) -> synth.Synth:
    s = synth.Synth(SR, max_voices=voices)
    s._s = synth._core.Synth(SR, voices, 1.0)
    p = s.add_patch(synth.Wavetable.classic("saw", 64), attack_s=0.0, decay_s=0.0, sustain=1.0, release_s=5.0)
    s.set_program_patch(0, p)
    return s


def test_voice_stealing_takes_earliest_released_then_quietest():
    s = make_saw_synth(3)
    s.render(256, [(0, 0x90, 60, 100), (0, 0x90, 62, 20), (0, 0x90, 64, 100)])
    assert s.active_voices == 3
    s.render(256, [(0, 0x90, 65, 100)])  # none released: quietest (62) goes
    assert not s.note_sounding(0, 62) and s.voices_stolen == 1
    s.render(256, [(0, 0x80, 64, 0), (10, 0x80, 60, 0), (20, 0x90, 67, 100)])
    assert not s.note_sounding(0, 64)  # released first
    assert s.note_sounding(0, 60) and s.note_sounding(0, 65) and s.note_sounding(0, 67)


def test_a_stolen_voice_fades_out_instead_of_clicking(tmp_path):
    """With one voice, a second note steals the first; the first keeps sounding from a fade
    slot, falling linearly to zero over 256 frames (no step in the output)."""
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_sf2())
    both = synth.Synth(SR, 1, soundfont=path).render(9600, [(0, 0x90, 69, 127), (4800, 0x90, 76, 127)])[:, 0]
    alone = synth.Synth(SR, 1, soundfont=path).render(9600, [(4800, 0x90, 76, 127)])[:, 0]
    first = synth.Synth(SR, 1, soundfont=path).render(9600, [(0, 0x90, 69, 127)])[:, 0]
    fading = both - alone  # what is left of the first note after the steal
    assert np.allclose(fading[:4800], first[:4800], atol=1e-6)
    assert np.all(fading[4800 + 256:] == 0)
    ramp = 1.0 - np.arange(256) / 256.0
    assert np.allclose(fading[4800:4800 + 256], first[4800:4800 + 256] * ramp, atol=2e-3 * np.abs(first).max())


def test_sustain_pedal_holds_notes_until_lifted():
    s = make_saw_synth(4)
    s.render(256, [(0, 0xB0, 64, 127), (0, 0x90, 60, 100), (100, 0x80, 60, 0)])
    s.render(SR, [])
    out = s.render(256, [])
    assert np.abs(out).max() > 0.01  # still held by the pedal
    s.render(256, [(0, 0xB0, 64, 0)])
    assert s.note_sounding(0, 60)  # now in its 5 s release


def test_events_are_sample_accurate_in_a_block():
    s = make_saw_synth(2)
    out = s.render(1000, [(337, 0x90, 69, 127)])
    assert np.all(out[:337] == 0) and np.abs(out[338]).max() > 0
    with pytest.raises(ValueError, match="offset"):
        s.render(100, [(100, 0x90, 60, 100)])
    with pytest.raises(ValueError, match="sorted"):
        s.render(100, [(50, 0x90, 60, 100), (10, 0x80, 60, 0)])


# ---------------------------------------------------------------- MIDI

def hand_built_midi(path, release=True, tempo_change=True, fmt=1):
    mid = mido.MidiFile(type=fmt, ticks_per_beat=480)
    t0 = mido.MidiTrack()
    mid.tracks.append(t0)
    t0.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))  # 120 bpm
    if tempo_change:
        t0.append(mido.MetaMessage("set_tempo", tempo=250000, time=960))  # 240 bpm after 1 s
    notes = mido.MidiTrack()
    mid.tracks.append(notes)
    notes.append(mido.Message("note_on", channel=0, note=60, velocity=100, time=480))  # 0.5 s
    if release:
        notes.append(mido.Message("note_off", channel=0, note=60, velocity=0, time=960))  # 1.25 s
    notes.append(mido.Message("note_on", channel=9, note=38, velocity=90, time=480 if release else 1440))  # 1.5 s
    if release:
        notes.append(mido.Message("note_off", channel=9, note=38, velocity=0, time=480))  # 1.75 s
    if fmt == 0:
        mid = mido.MidiFile(type=0, ticks_per_beat=480, tracks=[mido.merge_tracks(mid.tracks)])
    mid.save(path)


@pytest.mark.parametrize("fmt", [0, 1])
def test_midi_event_frames_follow_the_tempo_map(tmp_path, fmt):
    path = tmp_path / "timing.mid"
    hand_built_midi(path, fmt=fmt)
    events, end, held = synth.midi_events(path, SR)
    on = events[(events[:, 1] & 0xF0) == 0x90]
    off = events[(events[:, 1] & 0xF0) == 0x80]
    # 120 bpm for the first 960 ticks (1 s), then 240 bpm
    assert on[:, 0].tolist() == [int(0.5 * SR), int(1.5 * SR)]
    assert on[:, 1].tolist() == [0x90, 0x99]  # drums on channel 10
    assert off[:, 0].tolist() == [int(1.25 * SR), int(1.75 * SR)]
    assert end == int(1.75 * SR) and held == 0
    audio = synth.render_midi(path, soundfont="builtin", sample_rate=SR)
    onset = int(0.5 * SR)
    assert np.all(audio[:onset] == 0) and np.abs(audio[onset + 1:onset + 64]).max() > 0


def test_never_released_notes_still_end_with_a_warning(tmp_path):
    path = tmp_path / "held.mid"
    hand_built_midi(path, release=False)
    with pytest.warns(RuntimeWarning, match="never released"):
        audio = synth.render_midi(path, soundfont="builtin", sample_rate=SR, tail_s=1.0)
    events, end, held = synth.midi_events(path, SR)
    assert held == 2
    assert end < len(audio) <= end + SR


@pytest.mark.parametrize("cut", [0, 4, 13, 20, 30, -1])
def test_corrupted_midi_gives_a_clear_error(tmp_path, cut):
    good = tmp_path / "good.mid"
    hand_built_midi(good)
    data = good.read_bytes()
    bad = tmp_path / "bad.mid"
    bad.write_bytes(data[:cut] if cut >= 0 else b"MThd" + b"\xff" * 40)
    with pytest.raises(ValueError, match="MIDI"):
        synth.render_midi(bad, soundfont="builtin")


# ---------------------------------------------------------------- SoundFont

def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _list(kind: bytes, parts) -> bytes:
    return _chunk(b"LIST", kind + b"".join(parts))


def tiny_sf2(root_key: int = 69, loop_mode: int = 1, attenuation_cb: int = 0, extra_gens=(),
             frames=None, sm24=None) -> bytes:
    """Two presets: 0:0 a looped 441 Hz sine (root 69), 128:0 a one-shot for the drums.

    ``extra_gens``: (generator id, signed amount) pairs added to the sine's zone; ``frames``:
    1000 int16 frames to use instead of the sine; ``sm24``: the bytes of an sm24 chunk."""
    sine = np.round(16000 * np.sin(2 * np.pi * np.arange(1000) / 100)).astype("<i2")
    if frames is not None:
        sine = np.asarray(frames, "<i2")
        assert sine.shape == (1000,)
    smpl = sine.tobytes() + b"\0" * 92
    name = lambda s: s.encode().ljust(20, b"\0")  # noqa: E731
    phdr = (name("Sine") + struct.pack("<HHHIII", 0, 0, 0, 0, 0, 0)
            + name("Drum") + struct.pack("<HHHIII", 0, 128, 1, 0, 0, 0)
            + name("EOP") + struct.pack("<HHHIII", 0, 0, 2, 0, 0, 0))
    pbag = struct.pack("<HHHHHH", 0, 0, 1, 0, 2, 0)
    pgen = struct.pack("<HH", 41, 0) + struct.pack("<HH", 41, 1) + struct.pack("<HH", 0, 0)
    inst = name("SineInst") + struct.pack("<H", 0) + name("DrumInst") + struct.pack("<H", 1) + \
        name("EOI") + struct.pack("<H", 2)
    k = len(extra_gens)
    ibag = struct.pack("<HHHHHH", 0, 0, 5 + k, 0, 7 + k, 0)
    igen = (struct.pack("<HBB", 43, 0, 127) + b"".join(struct.pack("<Hh", g, a) for g, a in extra_gens)
            + struct.pack("<HH", 54, loop_mode)
            + struct.pack("<Hh", 48, attenuation_cb) + struct.pack("<HH", 58, root_key)
            + struct.pack("<HH", 53, 0)
            + struct.pack("<HBB", 43, 35, 81) + struct.pack("<HH", 53, 0) + struct.pack("<HH", 0, 0))
    shdr = (name("sine") + struct.pack("<IIIIIBbHH", 0, 1000, 100, 900, 44100, 60, 0, 0, 1)
            + name("EOS") + b"\0" * 26)
    body = b"sfbk" + _list(b"INFO", [_chunk(b"ifil", struct.pack("<HH", 2, 1)), _chunk(b"INAM", b"Tiny\0\0")])
    body += _list(b"sdta", [_chunk(b"smpl", smpl)] + ([_chunk(b"sm24", sm24)] if sm24 is not None else []))
    body += _list(b"pdta", [_chunk(b"phdr", phdr), _chunk(b"pbag", pbag), _chunk(b"pmod", b"\0" * 10),
                            _chunk(b"pgen", pgen), _chunk(b"inst", inst), _chunk(b"ibag", ibag),
                            _chunk(b"imod", b"\0" * 10), _chunk(b"igen", igen), _chunk(b"shdr", shdr)])
    return _chunk(b"RIFF", body)


def test_soundfont_built_here_parses_with_its_generators(tmp_path):
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_sf2(root_key=69, attenuation_cb=150))
    sf = synth.load_soundfont(path)
    assert sf.name == "Tiny"
    assert sf.presets() == [(0, 0, "Sine"), (128, 0, "Drum")]
    (r,) = sf.regions(0, 0)
    # initialAttenuation is applied x 0.4, as EMU hardware and FluidSynth do (150 cB in the file: 60 cB)
    assert r["root_key"] == 69 and r["loop_mode"] == 1 and r["attenuation_cb"] == pytest.approx(60)
    assert (r["start"], r["end"], r["loop_start"], r["loop_end"]) == (0, 1000, 100, 900)
    assert r["key_range"] == (0, 127) and r["sample_rate"] == 44100
    (d,) = sf.regions(128, 0)
    assert d["key_range"] == (35, 81) and d["root_key"] == 60 and d["loop_mode"] == 0


def test_soundfont_playback_pitch_root_key_and_attenuation(tmp_path):
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_sf2())
    s = synth.Synth(SR, 8, soundfont=path)
    x = s.render(SR, [(0, 0x90, 81, 127)])[4800:, 0]  # an octave above root: 882 Hz
    assert abs(cents(zero_crossing_freq(x, SR), 882.0)) < 1.0
    path.write_bytes(tiny_sf2(attenuation_cb=150))  # x 0.4: 60 cB, -6 dB
    quiet = synth.Synth(SR, 8, soundfont=path).render(SR, [(0, 0x90, 81, 127)])[4800:, 0]
    level_db = 20 * np.log10(np.sqrt(np.mean(quiet ** 2)) / np.sqrt(np.mean(x ** 2)))
    assert level_db == pytest.approx(-6.0, abs=0.1)


def catmull_rom(x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    i = np.floor(pos).astype(int)
    f = pos - i
    xm1, x0, x1, x2 = (x[i - 1], x[i], x[i + 1], x[i + 2])
    c1 = 0.5 * (x1 - xm1)
    c2 = xm1 - 2.5 * x0 + 2.0 * x1 - 0.5 * x2
    c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1)
    return ((c3 * f + c2) * f + c1) * f + x0


def test_soundfont_voice_is_cubic_interpolation_on_every_simd_path(tmp_path, simd_path):
    """The looped sine played an octave up (step 1.8375 frames) equals a numpy Catmull-Rom
    resampling of the same frames with the same loop, up to one gain, on each path."""
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_sf2())
    s = synth.Synth(SR, 8, soundfont=path)
    n = 20000
    out = s.render(n, [(0, 0x90, 81, 127)])[:, 0].astype(np.float64)
    frames = np.round(16000 * np.sin(2 * np.pi * np.arange(1000) / 100)).astype(np.float64)
    padded = np.concatenate([[0.0], frames, np.zeros(8)])  # index + 1
    step = 44100 / SR * 2.0
    pos = np.arange(n) * step
    pos = np.where(pos >= 900, 100 + (pos - 900) % 800, pos)  # loop 100..900
    ref = catmull_rom(padded, pos + 1)
    tail = slice(64, None)  # after the first sub-block's attack ramp
    gain = np.dot(out[tail], ref[tail]) / np.dot(ref[tail], ref[tail])
    err = np.max(np.abs(out[tail] - gain * ref[tail])) / np.max(np.abs(gain * ref[tail]))
    assert err < 2e-4, (simd_path, err)


def test_24_bit_samples_play_their_low_byte_on_every_simd_path(tmp_path, simd_path):
    """A sine of 300 24-bit steps (its 16 high bits are -2..1): with its sm24 chunk it plays as the
    Catmull-Rom resampling of the 24-bit frames; an sm24 chunk of the wrong size is ignored and
    the 16 high bits play."""
    x24 = np.round(300 * np.sin(2 * np.pi * np.arange(1000) / 100)).astype(np.int64)
    hi, lo = x24 >> 8, x24 & 0xFF
    n = 20000
    step = 44100 / SR * 2.0
    pos = np.arange(n) * step
    pos = np.where(pos >= 900, 100 + (pos - 900) % 800, pos)  # loop 100..900
    tail = slice(64, None)

    def error(out, frames):  # max deviation from the reference after fitting one gain, relative
        ref = catmull_rom(np.concatenate([[0.0], frames, np.zeros(8)]), pos + 1)
        gain = np.dot(out[tail], ref[tail]) / np.dot(ref[tail], ref[tail])
        return np.max(np.abs(out[tail] - gain * ref[tail])) / np.max(np.abs(gain * ref[tail]))

    path = tmp_path / "sm24.sf2"
    for sm24, frames, other in ((lo.astype(np.uint8).tobytes() + b"\0" * 46, x24 / 256.0, hi),
                                (b"\0" * 10, hi, x24 / 256.0)):
        path.write_bytes(tiny_sf2(frames=hi, sm24=sm24))
        out = synth.Synth(SR, 8, soundfont=path).render(n, [(0, 0x90, 81, 127)])[:, 0].astype(np.float64)
        assert error(out, frames) < 1e-3, (simd_path, len(sm24))
        assert error(out, other) > 0.1


def test_modulation_envelope_and_vibrato_move_the_pitch(tmp_path):
    """modEnvToPitch +1200 cents with a full sustain plays an octave up; a vibrato LFO of
    +-100 cents at 8.176 Hz (freqVibLFO 0) swings the period by a semitone either way."""
    path = tmp_path / "mod.sf2"
    path.write_bytes(tiny_sf2(extra_gens=[(7, 1200), (29, 0)]))
    x = synth.Synth(SR, 8, soundfont=path).render(SR, [(0, 0x90, 69, 100)])[4800:, 0]
    assert abs(cents(zero_crossing_freq(x, SR), 882.0)) < 1.0
    path.write_bytes(tiny_sf2(extra_gens=[(6, 100)]))
    x = synth.Synth(SR, 8, soundfont=path).render(SR, [(0, 0x90, 69, 100)])[:, 0]
    up = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    f = SR / np.diff(up)  # one period per zero crossing
    assert f.max() == pytest.approx(441.0 * 2 ** (100 / 1200), rel=0.01)
    assert f.min() == pytest.approx(441.0 * 2 ** (-100 / 1200), rel=0.01)


def test_truncated_soundfont_always_gives_a_clear_error():
    data = tiny_sf2()
    for n in range(len(data)):
        with pytest.raises(ValueError, match="SoundFont"):
            synth.SoundFont.from_bytes(data[:n], "cut.sf2")


@pytest.mark.parametrize("sm24", [None, b"\x80" * 1046])
def test_corrupted_soundfont_never_crashes(sm24):
    data = bytearray(tiny_sf2(sm24=sm24))
    rng = np.random.default_rng(3)
    for _ in range(500):
        bad = bytearray(data)
        for pos in rng.integers(0, len(bad), 3):
            bad[pos] = int(rng.integers(0, 256))
        try:
            sf = synth.SoundFont.from_bytes(bytes(bad), "fuzz.sf2")
        except ValueError as e:
            assert "SoundFont fuzz.sf2" in str(e)
            continue
        synth.Synth(SR, 4, soundfont=sf).render(512, [(0, 0x90, 60, 100), (0, 0x99, 40, 80)])


def test_missing_soundfont_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGEAUDIO_SOUNDFONT", str(tmp_path / "none.sf2"))
    with pytest.raises(FileNotFoundError, match="fluid-soundfont-gm"):
        synth.default_soundfont_path()
    with pytest.raises(FileNotFoundError):
        synth.load_soundfont(tmp_path / "none.sf2")


def test_cli_synth_writes_a_wav(tmp_path):
    sf = pytest.importorskip("soundfile")
    mid, wav, font = tmp_path / "song.mid", tmp_path / "song.wav", tmp_path / "tiny.sf2"
    hand_built_midi(mid)
    font.write_bytes(tiny_sf2())
    r = subprocess.run([sys.executable, "-m", "edgeaudio", "synth", str(mid), "--soundfont", str(font),
                        "-o", str(wav)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    audio, rate = sf.read(wav)
    assert rate == 48000 and audio.shape[1] == 2 and 1.75 <= len(audio) / rate <= 3.75
    r = subprocess.run([sys.executable, "-m", "edgeaudio", "synth", str(mid), "-o", str(wav)],
                       capture_output=True, text=True,
                       env={**__import__("os").environ, "EDGEAUDIO_SOUNDFONT": str(tmp_path / "x.sf2")})
    assert r.returncode == 1 and "no SoundFont" in r.stderr


# ---------------------------------------------------------------- SoundFont levels (FluidSynth's conventions)

def _note_level_db(path, events, n=SR, steady=slice(SR // 2, SR)) -> float:
    """RMS level (dB) of the left channel over `steady` of a render of `events`."""
    x = synth.Synth(SR, 8, soundfont=path).render(n, events)[steady, 0].astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)))


def _fluid_concave(x: float) -> float:
    """FluidSynth's concave curve: the SF2 128-point table, read with linear interpolation."""
    tab = np.empty(128)
    tab[0], tab[127] = 0.0, 1.0
    i = np.arange(1, 127)
    tab[127 - i] = -(400 / 960) * np.log10(i / 127)
    k = min(int(x), 126)
    return tab[k] + (x - k) * (tab[k + 1] - tab[k])


def _controller_cb(value: int) -> float:
    """Attenuation (cB) of velocity / CC7 / CC11 at `value` (source normalised by 128, as FluidSynth)."""
    return 960 * _fluid_concave(127 * (1 - value / 128))


def test_soundfont_note_level_is_the_closed_form_of_the_sf2_chain(tmp_path):
    """The sine (peak 16000) at velocity 127, CC7 127, centre pan: 0.41 dB for the three controllers
    at full scale and +1.5 dB, the passband gain of the SF2 filter at Q 0 (q = 1/sqrt(2), gain 1/sqrt(q))."""
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_sf2())
    level = _note_level_db(path, [(0, 0xB0, 7, 127), (0, 0x90, 69, 127)])
    expected = 20 * np.log10(16000 / 32768 * np.cos(np.pi / 4) / np.sqrt(2)) - 3 * _controller_cb(127) / 10 \
        + 10 * np.log10(np.sqrt(2))
    assert level == pytest.approx(expected, abs=0.05)
    # CC7 at its default (100) and velocity 100: the curve at 100, twice more
    level = _note_level_db(path, [(0, 0x90, 69, 100)])
    expected += -2 * (_controller_cb(100) - _controller_cb(127)) / 10
    assert level == pytest.approx(expected, abs=0.05)


def test_filter_q_is_resonance_over_a_flat_response_with_half_its_height_off_the_gain(tmp_path):
    """Q 180 cB (fc 12000 cents, 8.4 kHz, far above the 441 Hz sine): q = 10^((18 - 3.01) / 20),
    passband gain 1/sqrt(q); against Q 0 (q = 1/sqrt(2)) that is -9.0 dB."""
    path = tmp_path / "q.sf2"
    levels = []
    for q_cb in (0, 180):
        path.write_bytes(tiny_sf2(extra_gens=[(8, 12000), (9, q_cb)]))
        levels.append(_note_level_db(path, [(0, 0x90, 69, 127)]))
    q = [10 ** ((q_cb / 10 - 3.01) / 20) for q_cb in (0, 180)]
    assert levels[1] - levels[0] == pytest.approx(-10 * np.log10(q[1] / q[0]), abs=0.1)


def test_negative_attenuation_sums_with_the_controllers_and_clips_at_zero(tmp_path):
    """initialAttenuation -100 cB (x 0.4: -40 cB) cancels 40 cB of the controllers' 45.6 cB
    (velocity 127, CC7 100, CC11 127): +4.0 dB; with CC7 at 127 the sum is below 0 and clips: +0.41 dB."""
    path = tmp_path / "att.sf2"
    path.write_bytes(tiny_sf2())
    base = _note_level_db(path, [(0, 0x90, 69, 127)])
    base_full = _note_level_db(path, [(0, 0xB0, 7, 127), (0, 0x90, 69, 127)])
    path.write_bytes(tiny_sf2(attenuation_cb=-100))
    assert _note_level_db(path, [(0, 0x90, 69, 127)]) - base == pytest.approx(4.0, abs=0.05)
    assert _note_level_db(path, [(0, 0xB0, 7, 127), (0, 0x90, 69, 127)]) - base_full == \
        pytest.approx(3 * _controller_cb(127) / 10, abs=0.05)


def test_velocity_changes_the_level_not_the_filter_cutoff(tmp_path):
    """fc 6800 cents (415 Hz) under the 441 Hz sine: velocity 64 against 127 is the concave curve's
    step alone (no SF2.01 velocity-to-cutoff modulator, which would take 1200 cents off at 64)."""
    path = tmp_path / "vel.sf2"
    path.write_bytes(tiny_sf2(extra_gens=[(8, 6800)]))
    step = _note_level_db(path, [(0, 0x90, 69, 64)]) - _note_level_db(path, [(0, 0x90, 69, 127)])
    assert step == pytest.approx(-(_controller_cb(64) - _controller_cb(127)) / 10, abs=0.05)


def test_volume_envelope_spans_960_cb(tmp_path):
    """sustainVol 300 cB sits 28.8 dB (0.96 x 300 cB) under the undecayed note; a 1 s decay
    falls 9.6 dB per 100 ms on the way there."""
    path = tmp_path / "env.sf2"
    path.write_bytes(tiny_sf2())
    held = _note_level_db(path, [(0, 0x90, 69, 127)])
    path.write_bytes(tiny_sf2(extra_gens=[(37, 300), (36, 0)]))
    assert _note_level_db(path, [(0, 0x90, 69, 127)]) - held == pytest.approx(-28.8, abs=0.1)
    x = synth.Synth(SR, 8, soundfont=path).render(SR, [(0, 0x90, 69, 127)])[:, 0].astype(np.float64)
    rms = [20 * np.log10(np.sqrt(np.mean(x[i:i + 4800] ** 2))) for i in (4800, 9600)]
    assert rms[1] - rms[0] == pytest.approx(-9.6, abs=0.1)


def test_modulation_envelope_attack_is_convex(tmp_path):
    """modEnvToPitch +1200 cents with a 1 s attack (attackModEnv 0): 100 ms in, the convex attack
    (SF2.04; FluidSynth's 1 + 5/12 log10 x) has the pitch 700 cents up, a linear one only 120."""
    path = tmp_path / "convex.sf2"
    path.write_bytes(tiny_sf2(extra_gens=[(7, 1200), (26, 0)]))
    x = synth.Synth(SR, 8, soundfont=path).render(SR // 5, [(0, 0x90, 69, 127)])[:, 0]
    up = cents(zero_crossing_freq(x[int(0.09 * SR):int(0.11 * SR)], SR), 441.0)
    assert up == pytest.approx(1200 * (1 + 5 / 12 * np.log10(0.1)), abs=40)


FLUID_CASES = {  # generators of the sine's zone; notes (key, velocity, start s, length s); seconds compared
    "plain": ([], [(69, 127, 0.0, 1.0)], (0.0, 1.0)),
    "velocity 100, CC7 default": ([], [(69, 100, 0.0, 1.0)], (0.0, 1.0)),
    "low cutoff, velocity 64": ([(8, 6800)], [(69, 64, 0.0, 1.0)], (0.0, 1.0)),
    "Q 180": ([(8, 8000), (9, 180)], [(69, 127, 0.0, 1.0)], (0.0, 1.0)),
    "sustain 300 cB": ([(37, 300), (36, 0)], [(69, 127, 0.0, 1.0)], (0.0, 1.0)),
    "convex modenv to filter": ([(8, 5535), (11, 5000), (26, 1200)], [(57, 100, 0.0, 1.0)], (0.0, 1.0)),
    "negative attenuation": ([(48, -100)], [(69, 127, 0.0, 1.0)], (0.0, 1.0)),
    # a second note of the same exclusive class releases the first over -200 timecents
    "exclusive class": ([(57, 1)], [(69, 100, 0.0, 1.0), (57, 100, 0.3, 0.1)], (0.5, 0.8)),
    # white noise looped: a resonance at the top of the band (Q 100 cB at 19.9 kHz) is heard
    "resonance at 19.9 kHz on noise": ([(9, 100)], [(69, 127, 0.0, 1.0)], (0.0, 1.0)),
    # released 0.5 s into an 8.9 s convex filter-envelope attack: the release starts where the
    # filter is (+2400 cents), not at the linear ramp's +280
    "modenv released in its attack": ([(8, 5535), (11, 5000), (26, 3786), (30, 1902), (38, 1200)],
                                      [(57, 100, 0.0, 0.5)], (0.0, 1.2)),
}


@pytest.mark.parametrize("case", sorted(FLUID_CASES))
def test_soundfont_levels_match_fluidsynth(tmp_path, case):
    """The same file and SoundFont through FluidSynth (effects off, gain 0.2): RMS levels per
    100 ms within 0.5 dB (FluidSynth: tools/test.sh installs it; its envelopes step per
    64-frame block, so a fast decay runs ~0.3 dB behind ours)."""
    sf = pytest.importorskip("soundfile")
    gens, notes, (t0, t1) = FLUID_CASES[case]
    att = [a for g, a in gens if g == 48]
    font, mid, wav = tmp_path / "t.sf2", tmp_path / "t.mid", tmp_path / "t.wav"
    noise = np.random.default_rng(0).integers(-12000, 12000, 1000) if "noise" in case else None
    font.write_bytes(tiny_sf2(attenuation_cb=att[0] if att else 0, extra_gens=[(g, a) for g, a in gens if g != 48],
                              frames=noise))
    msgs = sorted([(round(st * 960), 1, k, v) for k, v, st, _ in notes] +  # 120 BPM: 960 ticks per second
                  [(round((st + du) * 960), 0, k, 0) for k, _, st, du in notes])
    track, tick = mido.MidiTrack(), 0
    for at, on, key, vel in msgs:
        track.append(mido.Message("note_on" if on else "note_off", note=key, velocity=vel, time=at - tick))
        tick = at
    track.append(mido.MetaMessage("end_of_track", time=max(round(t1 * 960) - tick, 0)))
    song = mido.MidiFile(type=0, ticks_per_beat=480)
    song.tracks.append(track)
    song.save(mid)
    subprocess.run(["fluidsynth", "-ni", "-R", "0", "-C", "0", "-g", "0.2", "-r", str(SR), "-F", str(wav),
                    str(font), str(mid)], check=True, capture_output=True)
    theirs, _ = sf.read(wav, dtype="float32", always_2d=True)
    ours = synth.render_midi(mid, soundfont=font, sample_rate=SR, tail_s=0.0)
    win = SR // 10
    for i in range(int(t0 * SR), int(t1 * SR) - win + 1, win):
        a, b = ours[i:i + win].astype(np.float64), theirs[i:i + win].astype(np.float64)
        gap = 20 * np.log10(np.sqrt(np.mean(a ** 2)) / np.sqrt(np.mean(b ** 2)))
        assert abs(gap) < 0.5, (case, i / SR, gap)


# ---------------------------------------------------------------- built-in drum kit (no SoundFont)

def _drum(key: int, n: int = SR, events=()) -> np.ndarray:
    s = synth.Synth(SR, 16)  # built-in patches: channel 10 plays the synthesised kit
    return s.render(n, [(0, 0x99, key, 100), (480, 0x89, key, 0), *events])[:, 0].astype(np.float64)


def _band_share(x: np.ndarray, lo_hz: float, hi_hz: float) -> float:
    p = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SR)
    return float(p[(f >= lo_hz) & (f < hi_hz)].sum() / p.sum())


def _level_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


def test_builtin_drum_kit_plays_gm_percussion_sounds():
    """Channel 10 without a SoundFont: a kick (36) is low and falls in pitch, a snare (38) has a
    body and broadband noise, hi-hats (42) are high and short, a crash (49) is high and rings on;
    each is a one-shot (the note-off 10 ms in does not cut it)."""
    kick = _drum(36)
    assert _band_share(kick, 0, 200) > 0.8
    early, late = kick[:int(0.02 * SR)], kick[int(0.1 * SR):int(0.2 * SR)]
    zc = lambda seg: np.count_nonzero(np.diff(np.signbit(seg))) / len(seg)  # noqa: E731
    assert zc(early) > 1.5 * zc(late)  # the pitch sweeps down
    snare = _drum(38)
    assert _band_share(snare, 2000, SR / 2) > 0.3 and _band_share(snare, 100, 400) > 0.05
    hat = _drum(42)
    assert _band_share(hat, 5000, SR / 2) > 0.9
    assert _level_db(hat[int(0.2 * SR):int(0.3 * SR)]) < _level_db(hat[:int(0.02 * SR)]) - 60
    crash = _drum(49)
    assert _band_share(crash, 4000, SR / 2) > 0.9
    assert _level_db(crash[SR // 2:int(0.6 * SR)]) > _level_db(crash[:int(0.02 * SR)]) - 30


def test_closed_hihat_chokes_the_open_one():
    """An open hi-hat (46) rings for half a second; a closed one (42) 100 ms in cuts it off."""
    alone = _drum(46)
    choked = _drum(46, events=[(4800, 0x99, 42, 100)])
    window = slice(int(0.25 * SR), int(0.35 * SR))
    assert _level_db(choked[window]) < _level_db(alone[window]) - 40
    s = synth.Synth(SR, 16)
    s.render(4800, [(0, 0x99, 46, 100)])
    s.render(1440, [(0, 0x99, 42, 100)])  # 30 ms: the open hat is gone, the closed one rings
    assert not s.note_sounding(9, 46) and s.note_sounding(9, 42)
