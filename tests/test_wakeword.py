"""Wake words: phoneme near misses, augmentation, the streaming spotter, the shipped models, a smoke training.

The shipped-model tests synthesise their own held-out audio (espeak-ng test
accents and variants, festival ked: voices the training split never used)
and assert stated floors, not recorded outputs.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edgeaudio import features, models, runtime
from edgeaudio.train import augment, voices
from edgeaudio.train import wakeword as ww
from edgeaudio.wakeword import WakeWordSpotter

WAKE_MODELS = ("hey_jarvis", "alexa")
#: held-out utterances per shipped model, and the share each model must detect: floors set below the
#: detection rates measured by tools/wakeword_eval.py on 300 held-out utterances (hey_jarvis 74%, alexa 80%
#: clean; firmware_models/*_report.md), so a regression fails; they are not the product targets (95%)
HELD_OUT_UTTERANCES = 24
DETECTED_FLOOR = {"hey_jarvis": 0.60, "alexa": 0.60}
#: seconds of held-out negative speech and music each shipped model must sit through without firing
QUIET_SECONDS = 120


def test_phoneme_tokens_split_espeak_mnemonics():
    assert voices.phoneme_tokens("h'eI dZ'A@vIs") == ["h", "'eI", " ", "dZ", "'A@", "v", "I", "s"]
    assert voices.phoneme_tokens("a#l'Eks@_:_:") == ["a#", "l", "'E", "k", "s", "@"]
    assert voices.phoneme_tokens("tS'i:z_! aI") == ["tS", "'i:", "z", " ", "aI"]
    # joining the tokens gives espeak's string back (pauses dropped, word breaks kept)
    ph = voices.phonemes("hey jarvis")
    assert "".join(voices.phoneme_tokens(ph)) == ph.replace("_", "").strip()


def test_near_misses_are_one_or_two_edits_away_and_never_the_phrase():
    base = ww.phrase_phonemes("hey jarvis")
    near = ww.near_miss_phonemes("hey jarvis", count=120, seed=3)
    assert len(near) == 120
    assert near == ww.near_miss_phonemes("hey jarvis", count=120, seed=3)  # deterministic
    keys = {"".join(s) for s in near}
    assert len(keys) == 120 and "".join(base) not in keys
    for s in near:
        if len(s) == len(base):
            diff = sum(a != b for a, b in zip(s, base))
            assert 1 <= diff <= 2, (s, base)
            for a, b in zip(s, base):
                if a != b:  # class kept: a vowel stays a vowel, a consonant a consonant
                    assert (a.lstrip("',") in ww._VOWELS) == (b.lstrip("',") in ww._VOWELS), (a, b)
        else:
            assert len(s) == len(base) - 1
    with pytest.raises(ValueError, match="too short"):
        ww.near_miss_phonemes("a")


def test_near_misses_and_partials_are_speakable_and_differ_from_the_phrase():
    spk = voices.Speaker("espeak", "en-us", "", "train")
    phrase = voices.render_espeak("hey jarvis", spk, 170, 50)
    for seq in ww.near_miss_phonemes("hey jarvis", count=3, seed=0) + ww.partial_phonemes("hey jarvis")[:2]:
        x = voices.render_phonemes(seq, spk, 170, 50)
        assert np.sqrt(np.mean(x ** 2)) > 0.01
        n = min(len(x), len(phrase))
        assert len(x) != len(phrase) or not np.allclose(x[:n], phrase[:n])
    for seq in ww.partial_phonemes("hey jarvis"):
        assert 2 <= sum(t != " " for t in seq) < sum(t != " " for t in ww.phrase_phonemes("hey jarvis"))
    got = set(ww.partial_texts("hey jarvis", ["cat"], np.random.default_rng(0), 10))
    assert got == {"hey", "jarvis", "cat jarvis", "hey cat"}


def test_vocal_tract_perturbation_moves_a_tone_by_alpha_and_keeps_length():
    sr = 16000
    t = np.arange(sr) / sr
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    for alpha in (0.9, 1.1):
        y = augment.vocal_tract_perturb(x, alpha)
        assert y.shape == x.shape
        f = np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(np.abs(np.fft.rfft(y)))]
        assert abs(f - 1000 * alpha) < 40, (alpha, f)
        assert abs(np.sqrt(np.mean(y ** 2)) - np.sqrt(np.mean(x ** 2))) < 1e-3
    with pytest.raises(ValueError, match="alpha"):
        augment.vocal_tract_perturb(x, 3.0)


def test_formant_warp_moves_the_envelope_and_keeps_the_harmonics():
    import scipy.signal

    sr = 16000
    # a vowel-like source: a 125 Hz pulse train through one resonance at 1000 Hz
    x = np.zeros(sr)
    x[::128] = 1.0
    b, a = scipy.signal.iirpeak(1000, 4, fs=sr)
    x = scipy.signal.lfilter(b, a, x).astype(np.float32)

    def spectrum(y):
        f, p = scipy.signal.welch(y, sr, nperseg=2048)
        return f, 10 * np.log10(p + 1e-20)

    def envelope_peak(y):  # the strongest harmonic between 300 and 3000 Hz
        f, p = spectrum(y)
        band = (f > 300) & (f < 3000)
        return f[band][np.argmax(p[band])]

    np.testing.assert_allclose(augment.formant_warp(x, [1.0] * 4), x, atol=2e-3 * np.abs(x).max())
    y = augment.formant_warp(x, [1.3] * 4)
    assert y.shape == x.shape and np.all(np.isfinite(y))
    assert abs(envelope_peak(x) - 1000) < 70
    assert abs(envelope_peak(y) - 1300) < 130, envelope_peak(y)  # the resonance moved by its factor
    f, p = spectrum(y)
    # the pitch stays: the energy still sits on multiples of 125 Hz (vocal_tract_perturb would move them)
    on = [p[np.argmin(abs(f - k * 125))] for k in range(8, 14)]
    off = [p[np.argmin(abs(f - (k + 0.5) * 125))] for k in range(8, 14)]
    assert np.mean(on) - np.mean(off) > 15
    assert abs(np.sqrt(np.mean(y ** 2)) - np.sqrt(np.mean(x ** 2))) < 1e-3
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = augment.random_formant_alphas(rng, 0.8, 1.25)
        assert np.all((a >= 0.8) & (a <= 1.25)) and np.all(np.diff(np.multiply(augment.FORMANT_KNOTS_HZ, a)) > 0)
    with pytest.raises(ValueError, match="alphas"):
        augment.formant_warp(x, [1.0, 1.0])
    with pytest.raises(ValueError, match="increase"):
        augment.formant_warp(x, [1.0, 0.6, 1.6, 1.0])


def test_phrase_name_and_bad_phrases():
    assert ww.phrase_name("Hey Jarvis!") == "hey_jarvis"
    with pytest.raises(ValueError, match="phrase"):
        ww.phrase_name("!!")
    with pytest.raises(ValueError, match="phrase"):
        ww.train_wakeword("  ", "/tmp/unused")


def test_poisson_upper_bound_matches_the_closed_form():
    # k = 0: the bound is -ln(0.05) = 2.9957
    assert abs(ww.poisson_upper(0) - 2.995732) < 1e-5
    assert abs(ww.poisson_upper(3) - 7.753657) < 1e-5


def _entry(name):
    m = models.manifest()["models"]
    assert name in m, f"{name} missing from firmware_models/manifest.json"
    return m[name]


@pytest.mark.parametrize("name", WAKE_MODELS)
def test_manifest_entry_is_complete_and_matches_the_file(name):
    e = _entry(name)
    path = models.models_dir() / e["file"]
    assert runtime.sha256_file(path) == e["sha256"] and path.stat().st_size == e["size_bytes"] < 100_000
    m = runtime.load(path, expected_sha256=e["sha256"])
    assert m.is_quantized
    cfg = features.FrontendConfig.from_dict(e["frontend"])
    assert m.input_shape == (1, e["frames"], cfg.n_mels, 1)
    assert e["frames"] == cfg.num_frames(e["window_ms"] * cfg.sample_rate // 1000)
    assert 80 <= e["stride_ms"] <= 100 and 1400 <= e["window_ms"] <= 1600
    assert e["labels"] == ["negative", name]
    for k in ("threshold", "smoothing_frames", "patience", "refractory_s", "val_frr"):
        assert k in e["detector"]
    met = e["metrics"]
    assert met["false_accepts"]["hours"] > 0 and "per_hour_95_upper" in met["false_accepts"]
    assert set(met["frr"]) >= {"clean", "snr_10db"}
    assert e["params"] > 0 and e["macs"] > 0
    assert met["cost"]["cpu_ms_per_audio_s"] > 0


def _held_out_speakers():
    spk = [s for s in voices.speakers() if s.split == "test"]
    assert any(s.engine == "festival" for s in spk) or not voices.have_festival()
    return spk


@pytest.mark.parametrize("name", WAKE_MODELS)
def test_shipped_model_detects_its_phrase_from_held_out_voices(name):
    e = _entry(name)
    spotter = WakeWordSpotter.from_bundled(name)
    rng = np.random.default_rng(11)
    spk = _held_out_speakers()
    jobs = [(e["phrase"], spk[i % len(spk)], int(rng.integers(140, 200)), int(rng.integers(30, 70)))
            for i in range(HELD_OUT_UTTERANCES)]
    from edgeaudio.train.commands import _render_many

    clips = _render_many(jobs)
    hits = 0
    for s in ww.positive_streams(clips, rng, None, None):
        spotter.reset()
        dets = spotter.push(s)
        hits += bool(dets) and all(d.label == name for d in dets)
    assert hits >= DETECTED_FLOOR[name] * HELD_OUT_UTTERANCES, f"{name}: {hits}/{HELD_OUT_UTTERANCES} detected"


@pytest.mark.parametrize("name", WAKE_MODELS)
def test_shipped_model_stays_quiet_on_held_out_speech_and_music(name):
    spotter = WakeWordSpotter.from_bundled(name)
    chunks = ww.negative_stream_chunks("test", QUIET_SECONDS / 60, seed=99,
                                       soundfont_path=ww.EVAL_SOUNDFONT, chunk_s=QUIET_SECONDS / 2)
    fired = []
    for kind, x in chunks:
        spotter.reset()
        fired += [(kind, d.time_s) for d in spotter.push(x)]
    assert not fired, f"{name} fired on negative audio: {fired}"


def test_spotter_is_the_same_for_any_chunking_and_equals_batch_windows():
    name = "hey_jarvis"
    e = _entry(name)
    spotter = WakeWordSpotter.from_bundled(name)
    rng = np.random.default_rng(5)
    clip = voices.render_espeak(e["phrase"], _held_out_speakers()[0], 160, 50)
    x = ww.positive_streams([clip], rng, None, None)[0]
    x = x + augment.set_level(augment.coloured_noise(len(x), "pink", rng), -60)
    ref = ww.stream_posteriors(spotter, x, chunk=len(x))
    for chunk in (1, 160, 997, 1600, 4096):
        got = ww.stream_posteriors(spotter, x, chunk=chunk) if chunk > 1 else ww.stream_posteriors(spotter, x[:20000], 1)
        n = len(got)
        np.testing.assert_array_equal(got, ref[:n])
    # the same windows cut from the batch log-mel of the whole stream
    cfg = features.FrontendConfig.from_dict(e["frontend"])
    mel = features.logmel(x, cfg)
    F, S = e["frames"], e["stride_ms"] * cfg.sample_rate // 1000 // cfg.hop_length
    wins = np.stack([mel[i:i + F] for i in range(0, len(mel) - F + 1, S)])
    batch = spotter.model.invoke_batch(wins[..., None])[:, 1]
    np.testing.assert_allclose(ref, batch, atol=1e-6)
    assert len(ref) == len(wins)


def test_spotter_rejects_a_mismatched_entry():
    e = dict(_entry("hey_jarvis"))
    path = models.models_dir() / e["file"]
    e["frames"] = e["frames"] + 1
    with pytest.raises(ValueError, match="model input"):
        WakeWordSpotter(path, e)
    e = dict(_entry("hey_jarvis"))
    del e["stride_ms"]
    with pytest.raises(ValueError, match="stride_ms"):
        WakeWordSpotter(path, e)
    e = dict(_entry("hey_jarvis"))
    with pytest.raises(runtime.ModelFileError, match="sha256"):
        WakeWordSpotter(path, e, expected_sha256="0" * 64)


def test_smoke_training_through_the_cli(tmp_path, capsys):
    from edgeaudio.cli import main

    out, work = tmp_path / "out", tmp_path / "work"
    assert main(["train", "wakeword", "hey nova", "--smoke", "--out", str(out), "--work", str(work),
                 "--negative-cache", str(tmp_path / "neg"), "--mining-max", "20",
                 "--val-stream-minutes", "0.3", "--target-fa-per-hour", "2"]) == 0
    entry = json.loads((out / "manifest.json").read_text())["models"]["hey_nova"]
    # the overrides reached the config; the detector was tuned on that much validation audio
    assert entry["training"]["config"]["mining_max"] == 20
    assert entry["training"]["config"]["val_stream_minutes"] == 0.3
    assert entry["training"]["config"]["target_fa_per_hour"] == 2.0
    assert entry["detector"]["val_negative_hours"] == pytest.approx(0.3 / 60, abs=1e-3)
    # validation music comes from a SoundFont neither training nor the test streams use, when installed
    val_sf = Path(ww.validation_soundfont())
    assert entry["detector"]["val_soundfont"] == val_sf.name
    assert val_sf.name not in (Path(ww.TRAIN_SOUNDFONT).name, Path(ww.EVAL_SOUNDFONT).name) or \
        not Path(ww.VAL_SOUNDFONT).is_file()
    assert runtime.sha256_file(out / "hey_nova.tflite") == entry["sha256"]
    assert (out / "hey_nova_report.md").is_file() and (out / "hey_nova_det.png").is_file()
    assert entry["metrics"]["false_accepts"]["hours"] > 0
    spotter = WakeWordSpotter(out / "hey_nova.tflite", entry)
    assert spotter.model.is_quantized
    # hard-negative mining: the best-scored windows of training-voice streams, then a fine-tune with checkpoints
    mined = list(work.glob("mined-*.npz"))
    assert len(mined) == 1
    with np.load(mined[0]) as z:
        assert 0 < len(z["x"]) <= 20
        assert z["x"].shape[1:] == (entry["frames"], entry["frontend"]["n_mels"])
        assert np.all(np.diff(z["score"]) <= 0) and z["score"].min() >= ww.WakeWordConfig.smoke().mining_min_score
    assert (work / "mined" / "train_state.json").is_file()
    assert "Hard negatives" in entry["training_data"]
    # --resume reuses the cached dataset and the finished checkpoints (the config's tuple fields read back
    # from JSON as lists must not look like another configuration)
    # (another validation length and false-accept target only re-tune the detector)
    capsys.readouterr()
    assert main(["train", "wakeword", "hey nova", "--smoke", "--resume", "--out", str(out), "--work", str(work),
                 "--negative-cache", str(tmp_path / "neg"), "--mining-max", "20"]) == 0
    log = capsys.readouterr().out
    assert "dataset" in log and "starting afresh" not in log and "Epoch" not in log, log
    assert "hard negatives: " in log and "cached windows" in log, log
    assert json.loads((out / "manifest.json").read_text())["models"]["hey_nova"]["training"]["config"][
        "target_fa_per_hour"] == ww.WakeWordConfig.smoke().target_fa_per_hour
    # changing only the mining keeps the first stage: it mines again and fine-tunes, nothing more
    assert main(["train", "wakeword", "hey nova", "--smoke", "--resume", "--out", str(out), "--work", str(work),
                 "--negative-cache", str(tmp_path / "neg"), "--mining-max", "10"]) == 0
    first, _, rest = capsys.readouterr().out.partition("hard negatives:")
    assert "resuming after epoch" in first and "starting afresh" not in first, first
    assert "fine-tuning on" in rest, rest
    assert len(list(work.glob("mined-*.npz"))) == 2
    # more mining hours with the built-in patches playing the music: their own stream files, mined beside the rest
    hours = ww.WakeWordConfig.smoke().mining_hours
    assert main(["train", "wakeword", "hey nova", "--smoke", "--resume", "--out", str(out), "--work", str(work),
                 "--negative-cache", str(tmp_path / "neg"), "--mining-max", "10",
                 "--mining-builtin-hours", str(hours)]) == 0
    first, _, rest = capsys.readouterr().out.partition("hard negatives:")
    assert "resuming after epoch" in first and "starting afresh" not in first, first
    assert f"in {2 * hours:.2f} h" in rest, rest
    assert list((tmp_path / "neg").glob("neg-train-*-builtin-r2-0000.npy"))
    assert len(list(work.glob("mined-*.npz"))) == 3
    assert "built-in patches" in json.loads((out / "manifest.json").read_text())["models"]["hey_nova"][
        "training_data"]


def test_negative_stream_files_name_a_soundfont_other_than_their_splits_own(tmp_path, capsys):
    # the files rendered before the SoundFont joined the name keep it; another SoundFont never reuses them
    legacy = ww.negative_stream_cache(tmp_path, "val", 0.001, 3, ww.TRAIN_SOUNDFONT, chunk_s=3.6)
    other = ww.negative_stream_cache(tmp_path, "val", 0.001, 3, ww.EVAL_SOUNDFONT, chunk_s=3.6)
    assert [f.name for f in legacy] == ["neg-val-3-3s-0000.npy"]
    assert [f.name for f in other] == ["neg-val-3-3s-timgm6mb-0000.npy"]
    assert all(f.is_file() for f in legacy + other)
    test = ww.negative_stream_cache(tmp_path, "test", 0.001, 3, ww.EVAL_SOUNDFONT, chunk_s=3.6)
    assert [f.name for f in test] == ["neg-test-3-3s-0000.npy"]
    # the built-in patches and a music shelf name their own files
    builtin = ww.negative_stream_cache(tmp_path, "train", 0.001, 3, ww.BUILTIN_PATCHES, chunk_s=3.6)
    shelf = ww.negative_stream_cache(tmp_path, "train", 0.001, 3, ww.TRAIN_SOUNDFONT, chunk_s=3.6, music_shelf_db=24)
    assert [f.name for f in builtin + shelf] == ["neg-train-3-3s-builtin-r2-0000.npy", "neg-train-3-3s-shelf24-r2-0000.npy"]


def test_validation_soundfont_falls_back_to_the_training_one_with_a_warning(capsys):
    assert ww.validation_soundfont(ww.TRAIN_SOUNDFONT) == ww.TRAIN_SOUNDFONT
    assert "WARNING" not in capsys.readouterr().out
    assert ww.validation_soundfont("/nonexistent/None.sf3") == ww.TRAIN_SOUNDFONT
    log = capsys.readouterr().out
    assert "WARNING" in log and "/nonexistent/None.sf3" in log, log


def test_tuner_allows_the_target_count_on_hours_summed_from_chunks():
    # 24 chunks of 300 s sum to a hair under 2 h: a 0.5/h target must still allow 1 false accept
    hours = sum([300 / 3600] * 24)
    assert hours < 2.0
    pos = [np.r_[np.zeros(20), np.full(5, 0.99), np.zeros(20)]]
    tuned = ww.tune_detector(pos, [np.zeros(50)], hours, 0.5, 15)
    assert tuned["allowed_false_accepts"] == 1 and tuned["val_frr"] == 0.0
    assert ww.tune_detector(pos, [np.zeros(50)], 1.9, 0.5, 15)["allowed_false_accepts"] == 0


def test_held_out_misses_are_broken_down_by_voice_family(tmp_path):
    from edgeaudio.train import wakeword_eval as we

    pos = we.positive_set(tmp_path, "alexa", 6, seed=3)
    fam = we.utterance_families(pos)
    assert fam is not None and len(fam) == 6
    assert set(fam) <= {s.family for s in voices.speakers() if s.split == "test"}
    # a set cached before the families were stored gets them by replaying the voice draw
    with np.load(pos) as z:
        old = {k: z[k] for k in z.files if k != "utterance_family"}
    np.savez(pos, **old)
    assert we.utterance_families(pos) == fam
    r = we.run_ours("alexa", pos, [])
    for cond, frr in r["frr"].items():
        by = r["misses_by_family"][cond]
        assert sum(v["utterances"] for v in by.values()) == 6
        assert sum(v["missed"] for v in by.values()) == round(frr * 6)
    # the same streams heard behind the pipeline's noise suppressor
    ns = we.run_ours("alexa", pos, [], noise_suppression=True)
    assert ns["system"] == "edgeaudio alexa behind the noise suppressor" and set(ns["frr"]) == set(r["frr"])


def test_mel_reduction_changes_the_model_not_the_dataset_key():
    from edgeaudio.train.model import mel_reduction_note

    assert ww.WakeWordConfig(mel_reduction=8).data_key() == ww.WakeWordConfig().data_key()
    assert mel_reduction_note(4) == "" and "8 mel bands" in mel_reduction_note(8)


def test_accent_vowel_variants_are_positives_and_not_near_misses():
    """vowel_variants adds training positives whose stressed vowels are accent forms (ACCENT_VOWELS); those
    swaps then leave the near misses, every other near miss stays; the default keeps the dataset key."""
    rng = np.random.default_rng(0)
    base = ww.phrase_phonemes("hey jarvis")
    seen = set()
    for _ in range(60):
        v = ww.accent_variant(base, rng)
        assert ww.is_accent_variant(v, base) and len(v) == len(base)
        # only the stressed vowels move, to forms of themselves
        for t, b in zip(v, base):
            assert t == b or (b in ("'eI", "'A@") and t[1:] in ww.ACCENT_VOWELS[b[1:]])
        seen.add("".join(v))
    assert len(seen) > 4
    assert not ww.is_accent_variant(["h", "'aI", " ", "dZ", "'A@", "v", "I", "s"], base)   # aI is no form of eI
    assert not ww.is_accent_variant(["h", "'eI", " ", "dZ", "'A@", "v", "@", "s"], base)   # unstressed vowel
    full = ww.near_miss_phonemes("hey jarvis", count=400, seed=1)
    kept = ww.near_miss_phonemes("hey jarvis", count=400, seed=1, exclude_accent_variants=True)
    gone = [s for s in full if ww.is_accent_variant(s, base)]
    assert gone and not any(ww.is_accent_variant(s, base) for s in kept)
    assert {"".join(s) for s in full} - {"".join(s) for s in gone} <= {"".join(s) for s in kept}
    cfg = ww.WakeWordConfig()
    assert ww.WakeWordConfig(vowel_variants=0.0).data_key() == cfg.data_key()
    assert ww.WakeWordConfig(vowel_variants=0.3).data_key() != cfg.data_key()
    # the trainer renders them as extra training positives (espeak-ng training voices only)
    small = ww.WakeWordConfig.smoke()
    plain = ww.synthesize(small, "train", np.random.default_rng(3))
    small.vowel_variants = 1.0
    more = ww.synthesize(small, "train", np.random.default_rng(3))
    assert len(more["positive"]) == len(plain["positive"]) + small.positives
    assert len(more["words"]) == len(plain["words"])


def test_festival_rate_max_speeds_up_only_festival_training_renders():
    """festival_rate_max draws a faster pace for festival's training renders from its own random stream:
    the espeak-ng renders and the validation split stay as they were; the default keeps the dataset key."""
    assert voices.have_festival(), "festival voices are missing (tools/test.sh installs festvox-kallpc16k)"
    assert ww.WakeWordConfig(festival_rate_max=1.0).data_key() == ww.WakeWordConfig().data_key()
    assert ww.WakeWordConfig(festival_rate_max=1.4).data_key() != ww.WakeWordConfig().data_key()
    small = ww.WakeWordConfig.smoke("alexa")
    small.festival_share = 0.5
    plain = ww.synthesize(small, "train", np.random.default_rng(5))
    small.festival_rate_max = 1.6
    fast = ww.synthesize(small, "train", np.random.default_rng(5))
    assert plain["voices"] == fast["voices"] and any(v.startswith("festival:") for v in plain["voices"])
    n_plain = [len(x) for k in ("positive", "words") for x in plain[k]]
    n_fast = [len(x) for k in ("positive", "words") for x in fast[k]]
    shorter = sum(b < 0.95 * a for a, b in zip(n_plain, n_fast))
    same = sum(a == b for a, b in zip(n_plain, n_fast))
    assert shorter >= 1 and same >= 1 and all(b <= a for a, b in zip(n_plain, n_fast))
    assert sum(n_fast) < sum(n_plain)
    val_plain = ww.synthesize(ww.WakeWordConfig.smoke("alexa"), "val", np.random.default_rng(6))
    val_fast = ww.synthesize(small, "val", np.random.default_rng(6))
    assert [len(x) for x in val_plain["positive"]] == [len(x) for x in val_fast["positive"]]
