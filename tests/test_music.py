"""edgeaudio.music: the seeded rule-based generator keeps its music-theory promises, its ground
truth agrees with the MIDI file it writes and with the audio the engine renders, and it is
deterministic for a seed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from edgeaudio import music, synth

mido = pytest.importorskip("mido")
mir_chord = pytest.importorskip("mir_eval.chord")

SEEDS = range(6)
STYLE_NAMES = sorted(music.STYLES)


def chord_at(song: music.Song, beat: float) -> music.Chord:
    return next(c for c in song.chords if c.start_beat <= beat + 1e-9 < c.end_beat)


def chord_pcs(label: str):
    root, bitmap, bass = mir_chord.encode(label)
    return {(root + i) % 12 for i in np.nonzero(bitmap)[0]}, root, (root + bass) % 12


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_same_seed_same_song_other_seed_other_song(style):
    a = music.generate(seed=11, style=style)
    b = music.generate(seed=11, style=style)
    c = music.generate(seed=12, style=style)
    assert a.to_dict() == b.to_dict()
    assert [(n.onset_beat, n.pitch) for n in a.notes] != [(n.onset_beat, n.pitch) for n in c.notes]


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_chords_tile_the_song_and_end_on_the_tonic(style):
    for seed in SEEDS:
        song = music.generate(seed=seed, style=style, bars=8)
        starts = [c.start_s for c in song.chords]
        ends = [c.end_s for c in song.chords]
        assert starts[0] == 0.0 and np.allclose(starts[1:], ends[:-1])
        assert ends[-1] == pytest.approx(song.duration_s)
        last = song.chords[-1]
        assert last.root == song.tonic and last.inversion == 0
        assert song.chords[-2].degree.upper().startswith(("V", "IV", "VII")) or song.chords[-2].root == song.tonic


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_parts_play_the_labelled_chords_in_the_key(style):
    for seed in SEEDS:
        song = music.generate(seed=seed, style=style)
        scale = {(song.tonic + s) % 12 for s in music.MODES[song.mode]}
        leading = {(song.tonic + 11) % 12} if song.mode == "minor" else set()
        for c in song.chords:
            pcs, root, bass = chord_pcs(c.label)  # the label means what the voicing plays
            assert pcs == {p % 12 for p in c.pitches} and root == c.root and bass == c.bass
            assert min(c.pitches) % 12 == c.bass
        for n in song.notes:
            c = chord_at(song, n.onset_beat)
            if n.part in ("chords", "pad"):
                assert n.pitch % 12 in {p % 12 for p in c.pitches}
            elif n.part == "bass" and style != "jazz":  # a walking bass also plays passing notes
                assert n.pitch % 12 in ({c.bass, (c.bass + 7) % 12})
            elif n.part == "melody":
                assert n.pitch % 12 in scale | leading
                if n.onset_beat == int(n.onset_beat) and n.duration_beats >= 1.0:
                    assert n.pitch % 12 in {p % 12 for p in c.pitches}, (seed, n)
        melody = [n.pitch for n in song.notes if n.part == "melody"]
        assert melody[-1] % 12 == song.tonic
        leaps = np.abs(np.diff(melody))
        assert np.mean(leaps <= 4) > 0.5  # mostly steps and small skips


def test_options_sevenths_inversions_drums():
    triads = music.generate(seed=2, style="pop", sevenths=False, inversions=False, drums=False)
    assert all(len(c.pitches) == 3 and c.inversion == 0 and "/" not in c.label for c in triads.chords)
    assert not any(n.channel == music.DRUM_CHANNEL for n in triads.notes)
    sevenths = music.generate(seed=2, style="pop", sevenths=True, bars=16)
    assert all(len(c.pitches) == 4 and c.quality in ("maj7", "min7", "7", "hdim7", "dim7") for c in sevenths.chords)
    assert any(c.inversion > 0 for c in sevenths.chords)
    drums = [n for n in sevenths.notes if n.part == "drums"]
    assert drums and all(n.channel == 9 and 35 <= n.pitch <= 81 for n in drums)
    waltz = music.generate(seed=0, style="waltz")
    assert waltz.time_signature == (3, 4) and len(waltz.beats) == 3 * waltz.bars
    jazz = music.generate(seed=0, style="jazz")
    assert all(len(c.pitches) == 4 for c in jazz.chords) and len(jazz.chords) == 2 * jazz.bars


def test_key_and_mode_arguments():
    song = music.generate(seed=5, style="ballad", key="F# minor")
    assert (song.tonic, song.mode, song.key) == (6, "minor", "F# minor")
    assert music.generate(seed=5, key="Bb").tonic == 10
    assert music.generate(seed=5, key="Am").key == "A minor"
    d = music.generate(seed=5, key="D", mode="dorian")
    assert d.mode == "dorian" and d.key == "D minor"
    assert music.generate(seed=5, tempo_bpm=97).tempo_bpm == pytest.approx(97, abs=1e-4)


def test_the_key_is_audible_in_the_notes():
    """Krumhansl-Kessler key profiles on duration-weighted pitch classes find the stated key."""
    major = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
    minor = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
    hits, total = 0, 0
    for style in ("pop", "ballad", "waltz", "rock"):
        for seed in range(8):
            song = music.generate(seed=seed, style=style, mode=None, bars=8)
            if song.mode not in ("major", "minor"):
                continue
            hist = np.zeros(12)
            for n in song.notes:
                if n.part != "drums":
                    hist[n.pitch % 12] += n.duration_beats
            scores = {}
            for t in range(12):
                scores[(t, "major")] = np.corrcoef(hist, np.roll(major, t))[0, 1]
                scores[(t, "minor")] = np.corrcoef(hist, np.roll(minor, t))[0, 1]
            hits += max(scores, key=scores.get) == (song.tonic, song.mode)
            total += 1
    assert total >= 20 and hits / total >= 0.8, (hits, total)


def test_midi_file_matches_the_ground_truth(tmp_path):
    song = music.generate(seed=4, style="jazz", bars=6)  # swing: triplet offbeats
    path = tmp_path / "song.mid"
    song.save(path)
    mid = mido.MidiFile(path)
    metas = {m.type: m for m in mid.tracks[0] if m.is_meta}
    assert mido.tempo2bpm(metas["set_tempo"].tempo) == pytest.approx(song.tempo_bpm, rel=1e-12)
    assert (metas["time_signature"].numerator, metas["time_signature"].denominator) == song.time_signature
    assert mid.length == pytest.approx(song.duration_s, abs=1e-9)
    t, onsets = 0.0, []
    for msg in mid:
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            onsets.append((round(t, 9), msg.channel, msg.note))
    truth = sorted((round(n.onset_s, 9), n.channel, n.pitch) for n in song.notes)
    assert sorted(onsets) == truth
    # the engine reads back exactly the events the song hands it directly
    sr = 22050
    ev, end, held = synth.midi_events(path, sr)
    ours = song.events(sr)
    assert held == 0 and end == int(round(song.duration_s * sr))
    key = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    assert np.array_equal(key(ev), key(ours))


def test_rendered_audio_carries_the_chords():
    """Chroma of the built-in rendering (no drums) per chord span: its pitch classes dominate."""
    librosa = pytest.importorskip("librosa")
    sr = 22050
    song = music.generate(seed=3, style="pop", bars=8, drums=False, sevenths=False)
    audio = song.render(soundfont="builtin", sample_rate=sr).mean(axis=1)
    assert len(audio) >= int(song.duration_s * sr)
    assert np.max(np.abs(audio[:int(song.notes[0].onset_s * sr)] if song.notes[0].onset_s > 0 else 0.0)) == 0
    hop = 512
    chroma = librosa.feature.chroma_stft(y=audio, sr=sr, hop_length=hop, n_fft=4096)
    good = 0
    for c in song.chords:
        a, b = int(c.start_s * sr / hop) + 2, int(c.end_s * sr / hop) - 2
        prof = chroma[:, a:b].sum(axis=1)
        top3 = set(np.argsort(prof)[-3:])
        good += len(top3 & {p % 12 for p in c.pitches}) >= 2
    assert good >= 0.9 * len(song.chords), good


@pytest.mark.parametrize("kwargs, word", [
    (dict(style="disco"), "style"), (dict(key="H"), "key"), (dict(key="C lydianish"), "mode"),
    (dict(mode="phrygian"), "mode"), (dict(tempo_bpm=10), "tempo_bpm"), (dict(bars=0), "bars"),
    (dict(time_signature=(6, 8)), "time_signature"), (dict(seed=-1), "seed"), (dict(seed=1.5), "seed"),
])
def test_bad_arguments_name_themselves(kwargs, word):
    with pytest.raises(ValueError, match=word):
        music.generate(**kwargs)


def test_cli_generate_music_writes_midi_truth_and_wav(tmp_path):
    exe = shutil.which("edgeaudio")
    cmd = [exe] if exe else [sys.executable, "-m", "edgeaudio"]
    mid, js, wav = tmp_path / "w.mid", tmp_path / "w.json", tmp_path / "w.wav"
    r = subprocess.run(cmd + ["generate", "music", "--seed", "9", "--style", "waltz", "--key", "Eb",
                              "--tempo", "120", "--bars", "4", "-o", str(mid), "--truth", str(js),
                              "--wav", str(wav), "--builtin", "--sample-rate", "16000", "--print-chords"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    truth = json.loads(js.read_text())
    song = music.generate(seed=9, style="waltz", key="Eb", tempo_bpm=120, bars=4)
    assert truth == json.loads(json.dumps(song.to_dict()))
    assert truth["key"] == "Eb major" and truth["time_signature"] == [3, 4] and truth["tempo_bpm"] == 120
    assert len(r.stdout.strip().splitlines()) == len(song.chords)
    import soundfile as sf
    info = sf.info(str(wav))
    assert info.samplerate == 16000 and info.channels == 2 and info.duration >= song.duration_s
    bad = subprocess.run(cmd + ["generate", "music", "--key", "Q", "-o", str(mid)], capture_output=True, text=True)
    assert bad.returncode == 1 and "key" in bad.stderr
    assert os.path.getsize(mid) > 0
