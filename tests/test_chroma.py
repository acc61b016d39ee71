"""Chroma, tuning, key and chords (edgeaudio.analysis) against librosa and rendered ground truth."""
from __future__ import annotations

from pathlib import Path

import librosa
import mir_eval
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from edgeaudio import analysis, music

SR = 22050
DATA = Path(__file__).parent / "data"
SOUNDFONT = "/usr/share/sounds/sf2/TimGM6mb.sf2"  # Debian timgm6mb-soundfont (tools/test.sh installs it)


def tones(midi, seconds=1.0, cents=0.0, sr=SR, amps=None):
    t = np.arange(int(seconds * sr)) / sr
    amps = amps or [0.2] * len(midi)
    return sum(a * np.sin(2 * np.pi * 440 * 2 ** ((m - 69 + cents / 100) / 12) * t)
               for m, a in zip(midi, amps)).astype(np.float32)


@pytest.fixture(scope="module")
def piece():
    """An 8-bar pop song (inversions, bass, melody, drums) through a real SoundFont, with its truth."""
    song = music.generate(seed=10, style="pop", bars=8)
    return song.render(soundfont=SOUNDFONT, sample_rate=SR).mean(axis=1), song


# chroma_stft equals librosa.feature.chroma_stft (same tuning) on every SIMD path: max abs
# difference on [0, 1]-normalised chroma below 1e-4 (measured ~1e-6; float32 FFT vs numpy's).
@pytest.mark.parametrize("n_fft,hop", [(2048, 512), (4096, 1024), (1000, 250)])
def test_chroma_equals_librosa_chroma_stft(simd_path, piece, n_fft, hop):
    x = piece[0][: 4 * SR]
    ours = analysis.chroma_stft(x, SR, n_fft=n_fft, hop_length=hop, tuning=0.13)
    ref = librosa.feature.chroma_stft(y=x, sr=SR, n_fft=n_fft, hop_length=hop, tuning=0.13)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4)


def test_chroma_options_equal_librosa(simd_path):
    x = tones([50, 57, 62, 66], 1.5, cents=-20) + 0.01 * np.random.default_rng(1).standard_normal(int(1.5 * SR)).astype(np.float32)
    ours = analysis.chroma_stft(x, SR, tuning=-0.2, n_chroma=24, octwidth=None, ctroct=4.0)
    ref = librosa.feature.chroma_stft(y=x, sr=SR, tuning=-0.2, n_chroma=24, octwidth=None, ctroct=4.0)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4)


# estimate_tuning equals librosa.estimate_tuning within one histogram bin (0.01 of a semitone)
@pytest.mark.parametrize("cents", [-41.0, -12.0, 0.0, 17.0, 33.0])
def test_tuning_equals_librosa(cents):
    x = tones([57, 64, 69, 73], 2.0, cents=cents) + 0.003 * np.random.default_rng(0).standard_normal(2 * SR).astype(np.float32)
    ref = librosa.estimate_tuning(S=np.abs(librosa.stft(x)) ** 2, sr=SR)
    assert analysis.estimate_tuning(x, SR) == pytest.approx(ref, abs=0.0101)


def test_estimated_tuning_is_what_chroma_uses(piece):
    x = piece[0][: 3 * SR]
    np.testing.assert_array_equal(analysis.chroma_stft(x, SR),
                                  analysis.chroma_stft(x, SR, tuning=analysis.estimate_tuning(x, SR)))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=6))
def test_streaming_equals_batch_any_chunking(cuts):
    x = tones([60, 64, 67, 71], 0.8)
    bounds = np.cumsum(cuts)
    ex = analysis.ChromaExtractor(SR, tuning=0.05)
    parts = [ex.push(p) for p in np.split(x, bounds[bounds < len(x)])] + [ex.flush()]
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), analysis.chroma_stft(x, SR, tuning=0.05))


def test_viterbi_equals_librosa(simd_path):
    rng = np.random.default_rng(3)
    for states in (2, 5, 25):
        prob = rng.dirichlet(np.ones(states), size=200)
        trans = librosa.sequence.transition_loop(states, 0.8)
        init = np.full(states, 1.0 / states)
        ref = librosa.sequence.viterbi(prob.T, trans, p_init=init)
        ours = analysis.viterbi(np.log(prob), np.log(trans), np.log(init))
        np.testing.assert_array_equal(ours, ref)


def majmin_wcsr(ref_iv, ref_lab, track):
    est_iv, est_lab = mir_eval.util.adjust_intervals(track.intervals, track.names, ref_iv.min(), ref_iv.max(),
                                                     mir_eval.chord.NO_CHORD, mir_eval.chord.NO_CHORD)
    iv, r, e = mir_eval.util.merge_labeled_intervals(ref_iv, ref_lab, est_iv, est_lab)
    return mir_eval.chord.weighted_accuracy(mir_eval.chord.majmin(r, e), mir_eval.util.intervals_to_durations(iv))


def test_block_triads_inversions_and_sevenths_recognised():
    # C, Am/C (1st inv.), F/C (2nd inv.), G7, Dm7, Cmaj7: each 1 s, then 1 s of silence
    chords = [([48, 60, 64, 67], "C:maj"), ([48, 57, 64, 69], "A:min/b3"), ([48, 57, 65, 72], "F:maj/5"),
              ([43, 59, 62, 65, 67], "G:7"), ([50, 57, 60, 65], "D:min7"), ([48, 59, 64, 67], "C:maj7")]
    x = np.concatenate([tones(m, amps=[0.3] + [0.15] * (len(m) - 1)) for m, _ in chords] + [np.zeros(SR, np.float32)])
    ref_iv = np.array([[i, i + 1.0] for i in range(len(chords) + 1)])
    ref_lab = [lab for _, lab in chords] + ["N"]
    track = analysis.recognize_chords(x, SR)
    assert majmin_wcsr(ref_iv, ref_lab, track) >= 0.85
    assert track.names[-1] == "N"


def test_chords_on_a_rendered_song_beat_a_floor(piece):
    x, song = piece
    iv, labels = song.chord_intervals()
    assert majmin_wcsr(iv, labels, analysis.recognize_chords(x, SR)) >= 0.8


def test_key_of_rendered_songs():
    for seed, key in ((3, "D major"), (4, "F# minor"), (5, "Bb major")):
        song = music.generate(seed=seed, style="pop", key=key, bars=8)
        x = song.render(soundfont=SOUNDFONT, sample_rate=SR).mean(axis=1)
        est = analysis.estimate_key(x, SR)
        assert mir_eval.key.weighted_score(song.key, est.name) >= 0.5, (song.key, est.name)
        assert est.scores.shape == (24,)


def test_key_from_chroma_matches_audio(piece):
    x = piece[0]
    a, b = analysis.estimate_key(chroma=analysis.chroma_stft(x, SR)), analysis.estimate_key(x, SR)
    assert a.name == b.name
    np.testing.assert_allclose(a.scores, b.scores, rtol=1e-6)


def test_silence_and_empty_input_give_documented_results():
    assert analysis.chroma_stft(np.zeros(0, np.float32), SR).shape == (12, 0)
    assert analysis.estimate_tuning(np.zeros(SR, np.float32), SR) == 0.0
    track = analysis.recognize_chords(np.zeros(2 * SR, np.float32), SR)
    assert track.names == ["N"]
    empty = analysis.recognize_chords(np.zeros(0, np.float32), SR)
    assert empty.labels.size == 0 and empty.names == []
    with pytest.raises(ValueError, match="silent"):
        analysis.estimate_key(np.zeros(SR, np.float32), SR)


def test_bad_inputs_raise_clear_errors():
    x = tones([60], 0.5)
    bad = x.copy()
    bad[10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        analysis.chroma_stft(bad, SR)
    with pytest.raises(ValueError, match="1-D"):
        analysis.chroma_stft(np.stack([x, x]), SR)
    with pytest.raises(ValueError, match="sample_rate"):
        analysis.chroma_stft(x, 1000)
    with pytest.raises(ValueError, match="tuning"):
        analysis.chroma_stft(x, SR, tuning=0.7)
    with pytest.raises(ValueError, match="hop_length"):
        analysis.chroma_stft(x, SR, hop_length=0)
    with pytest.raises(ValueError, match="self_prob"):
        analysis.recognize_chords(x, SR, self_prob=1.5)
    with pytest.raises(ValueError, match="exactly one"):
        analysis.estimate_key()
    with pytest.raises(ValueError, match=r"shape \(12, frames\)"):
        analysis.estimate_key(chroma=np.ones((13, 4)))
    with pytest.raises(ValueError, match="log_transition"):
        analysis.viterbi(np.zeros((4, 3)), np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        analysis.ChromaExtractor(SR).push(bad)


def test_hand_written_midi_cadence_through_a_soundfont():
    # tests/data/cadence_g_major.mid: 100 BPM, one bar (2.4 s) per chord, piano; block chords,
    # inversions, a dominant seventh and two arpeggiated bars (bass held, eighths above)
    from edgeaudio import synth

    x = synth.render_midi(DATA / "cadence_g_major.mid", soundfont=SOUNDFONT, sample_rate=SR).mean(axis=1)
    labels = ["G:maj", "E:min/b3", "C:maj/5", "D:7", "G:maj", "A:min7", "D:maj/3", "G:maj"]
    ref_iv = np.array([[2.4 * i, 2.4 * (i + 1)] for i in range(len(labels))])
    assert majmin_wcsr(ref_iv, labels, analysis.recognize_chords(x, SR)) >= 0.8  # measured 0.895
    assert analysis.estimate_key(x, SR).name == "G major"
    assert analysis.estimate_tempo(x, SR) == pytest.approx(100.0, rel=0.04)
