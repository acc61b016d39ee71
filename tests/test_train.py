"""edgeaudio.train: voice splits, augmentation, the Speech Commands loader, and a smoke training run."""
from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from edgeaudio.train import augment, speech_commands, voices

def test_espeak_ng_is_installed():
    # tools/test.sh installs it; the synthesis tests below need it
    assert voices.have_espeak(), "espeak-ng is missing (apt-get install espeak-ng)"



def test_splits_hold_out_whole_voice_families():
    spk = voices.speakers()
    by = {s: {x for x in spk if x.split == s} for s in voices.SPLITS}
    assert all(by.values()), {k: len(v) for k, v in by.items()}
    fam = {s: {x.family for x in v} for s, v in by.items()}
    variants = {s: {x.variant for x in v if x.variant} for s, v in by.items()}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        assert not fam[a] & fam[b], (a, b, fam[a] & fam[b])
        assert not variants[a] & variants[b], (a, b)
    assert {f"espeak:{a}" for a in voices.TEST_ACCENTS} <= fam["test"]
    if voices.have_festival():
        assert "festival:ked_diphone" in fam["test"] and "festival:kal_diphone" in fam["train"]


def test_festival_pitch_retargets_f0():
    # festival diphone voices ignore espeak's pitch unless the intonation target is set: check the F0 moves
    import librosa

    assert voices.have_festival(), "festival voices are missing (tools/test.sh installs festvox-kallpc16k)"
    lo, hi = voices.festival_f0(15), voices.festival_f0(85)
    xs = voices.render_festival_batch([("hey jarvis", "kal_diphone", 1.0, lo), ("hey jarvis", "kal_diphone", 1.0, hi)])
    f0 = [np.nanmedian(librosa.pyin(x, fmin=50, fmax=300, sr=voices.SAMPLE_RATE)[0]) for x in xs]
    # the measured ratio follows the requested one within 15% (the intonation model adds its own accents)
    assert abs(np.log2((f0[1] / f0[0]) / (hi / lo))) < np.log2(1.15), (f0, lo, hi)
    with pytest.raises(ValueError, match="f0_mean_hz"):
        voices.render_festival_batch([("hey", "kal_diphone", 1.0, 5.0)])


def test_festival_speaks_a_word_with_the_phones_it_is_given_and_keeps_its_lexicon():
    assert voices.have_festival(), "festival voices are missing (tools/test.sh installs festvox-kallpc16k)"
    assert voices.festival_phones("up") == ["ah", "p"] and voices.festival_phones("stop") == ["s", "t", "aa", "p"]
    own, swapped, after = voices.render_festival_batch([
        ("up", "kal_diphone", 1.0, 105.0), ("up", "kal_diphone", 1.0, 105.0, ("aa", "p")),
        ("up", "kal_diphone", 1.0, 105.0)])
    n = min(len(own), len(swapped))
    assert np.abs(own[:n] - swapped[:n]).max() > 0.05   # another vowel
    np.testing.assert_array_equal(own, after)           # the lexicon entry is restored for later items
    for bad in (("two words", "kal_diphone", 1.0, 105.0, ("aa",)), ("up", "kal_diphone", 1.0, 105.0, ("a)",))):
        with pytest.raises(ValueError, match="phones need"):
            voices.render_festival_batch([bad])
    with pytest.raises(ValueError, match="one lower-case word"):
        voices.festival_phones("up (x")


def test_unknown_words_are_disjoint_between_splits_and_never_keywords():
    from edgeaudio.train.commands import KEYWORDS, unknown_words

    w = {s: set(unknown_words(s)) for s in voices.SPLITS}
    assert not (w["train"] & w["test"]) and not (w["train"] & w["val"]) and not (w["val"] & w["test"])
    assert not set(KEYWORDS) & (w["train"] | w["val"] | w["test"])


def test_espeak_render_is_16k_speech_and_deterministic():
    s = voices.Speaker("espeak", "en-us", "", "train")
    a = voices.render_espeak("left", s, 160, 50)
    b = voices.render_espeak("left", s, 160, 50)
    assert a.dtype == np.float32 and 0.2 * 16000 < len(a) < 1.5 * 16000
    np.testing.assert_array_equal(a, b)
    assert np.sqrt(np.mean(a ** 2)) > 0.01


def test_every_espeak_accent_speaks_its_variants():
    # espeak-ng 1.51 speaks plain en-gb for "-v en-gb+m3"; the voice file name keeps the variant
    assert voices.espeak_voice_files()["en-gb"] == "gmw/en"
    for accent in voices.espeak_accents():
        base = voices.render_espeak("stop", voices.Speaker("espeak", accent, "", "train"))
        m3 = voices.render_espeak("stop", voices.Speaker("espeak", accent, "m3", "train"))
        assert base.shape != m3.shape or not np.array_equal(base, m3), accent


def test_synthetic_variants_are_drawn_from_their_name_and_speak_with_moved_formants(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGEAUDIO_CACHE", str(tmp_path))
    text = voices.synthetic_variant_text("xv5-3")
    assert text == voices.synthetic_variant_text("xv5-3") != voices.synthetic_variant_text("xv5-4")
    f = {int(l.split()[1]): int(l.split()[2]) for l in text.splitlines() if l.startswith("formant")}
    assert f[0] == 100 and len(f) == 9 and f[4] == f[5] == f[8]   # F1-F3 move on their own, the rest together
    ratios = np.array([[int(l.split()[2]) for l in voices.synthetic_variant_text(f"xv5-{i}").splitlines()
                        if l.startswith("formant ")][1:4] for i in range(200)], float)
    assert np.std(ratios[:, 1] / ratios[:, 0]) > 0.08    # F2 / F1 spreads: vowels move, not only the tract length
    with pytest.raises(ValueError, match="synthetic"):
        voices.synthetic_variant_text("m3")
    spk = voices.synthetic_speakers(450, 5, ["en-us", "en-gb"])
    assert [s.name for s in spk[:2]] == ["espeak:en-us+xv5-0", "espeak:en-gb+xv5-1"] and spk[0].split == "train"
    plain = {a: voices.render_espeak("stop", voices.Speaker("espeak", a, "", "train")) for a in ("en-us", "en-gb")}
    # more variants than espeak-ng lists in one data folder (349) still all speak, each its own voice
    outs = [voices.render_espeak("stop", s) for s in (spk[0], spk[1], spk[410], spk[449])]
    for s, x in zip((spk[0], spk[1], spk[410], spk[449]), outs):
        assert x.dtype == np.float32 and x.size > 1600 and np.sqrt(np.mean(x ** 2)) > 0.01
        assert x.shape != plain[s.voice].shape or not np.array_equal(x, plain[s.voice]), s.name
    np.testing.assert_array_equal(outs[0], voices.render_espeak("stop", spk[0]))
    stored = tmp_path / "espeak-ng-synthetic" / "part2" / "espeak-ng-data" / "voices" / "!v" / "xv5-410"
    assert stored.read_text() == voices.synthetic_variant_text("xv5-410")
    stored.write_text("language variant\nname stale\n")       # a file from an older generator is replaced
    voices.render_espeak("stop", spk[410])
    assert stored.read_text() == voices.synthetic_variant_text("xv5-410")


def test_synthetic_voice_clips_speak_every_word_class_with_synthetic_training_speakers(tmp_path, monkeypatch):
    from edgeaudio.train.commands import KEYWORDS, CommandsConfig, synthetic_voice_clips

    monkeypatch.setenv("EDGEAUDIO_CACHE", str(tmp_path / "cache"))
    assert CommandsConfig(synthetic_voices=0.0).data_key() == CommandsConfig().data_key()
    assert CommandsConfig(synthetic_voices=0.5).data_key() != CommandsConfig().data_key()
    assert CommandsConfig(synthetic_voices=0.5).synthesis_key() == CommandsConfig().synthesis_key()
    cfg = CommandsConfig.smoke()
    cfg.synthetic_voices, cfg.synthetic_voice_count = 2.0, 5   # 6 clips per keyword, 6 unknown
    clips, labels, spk = synthetic_voice_clips(cfg, tmp_path)
    assert sorted(labels) == sorted(list(KEYWORDS) * 6 + ["unknown"] * 6)
    assert all("+xv" in s and s.startswith("espeak:") for s in spk) and 2 <= len(set(spk)) <= 5
    train_accents = {s.voice for s in voices.speakers(False) if s.split == "train"}
    assert {s.split("+")[0][len("espeak:"):] for s in spk} <= train_accents
    assert all(c.dtype == np.float32 and c.size >= 1600 for c in clips)
    again = synthetic_voice_clips(cfg, tmp_path)  # from the cache, the same
    assert again[1] == labels and again[2] == spk and all(np.array_equal(a, b) for a, b in zip(again[0], clips))


def test_drop_final_release_silences_what_follows_the_last_vowel():
    from edgeaudio.train.commands import FINAL_STOP_WORDS, CommandsConfig, KEYWORDS

    sr = 16000
    t = np.arange(sr // 4) / sr
    vowel = 0.5 * np.sin(2 * np.pi * 220 * t)                     # 250 ms loud
    gap = np.zeros(sr // 20)                                        # 50 ms closure
    burst = 0.05 * np.random.default_rng(0).standard_normal(sr // 50)  # 20 ms release, 20 dB down
    x = np.concatenate([vowel, gap, burst]).astype(np.float32)
    y = augment.drop_final_release(x, 30.0)
    assert y.shape == x.shape and y.dtype == np.float32
    keep = len(vowel) + sr // 50                                    # 20 ms after the vowel stay as they were
    np.testing.assert_array_equal(y[:keep], x[:keep])
    tail = slice(len(vowel) + len(gap), None)
    assert 20 * np.log10(np.sqrt(np.mean(y[tail] ** 2)) / np.sqrt(np.mean(x[tail] ** 2))) == pytest.approx(-30, abs=0.1)
    np.testing.assert_array_equal(augment.drop_final_release(x, 0.0), x)
    assert set(FINAL_STOP_WORDS) <= set(KEYWORDS)
    assert CommandsConfig(unreleased_stops=0.0).data_key() == CommandsConfig().data_key()
    assert CommandsConfig(unreleased_stops=0.5).data_key() != CommandsConfig().data_key()


def test_mix_at_snr_sets_the_ratio():
    rng = np.random.default_rng(0)
    s = augment.coloured_noise(16000, "white", rng)
    n = augment.coloured_noise(16000, "pink", rng)
    y = augment.mix_at_snr(s, n, 10.0)
    snr = 10 * np.log10(np.mean(s ** 2) / np.mean((y - s) ** 2))
    assert abs(snr - 10.0) < 0.01


def test_coloured_noise_slopes():
    rng = np.random.default_rng(1)
    for colour, slope in (("white", 0), ("pink", -10), ("brown", -20)):
        x = augment.coloured_noise(1 << 16, colour, rng)
        p = np.abs(np.fft.rfft(x)) ** 2
        f = np.arange(len(p))
        lo, hi = p[(f > 100) & (f < 200)].mean(), p[(f > 1000) & (f < 2000)].mean()
        assert abs(10 * np.log10(hi / lo) - slope) < 2.0, colour


def _write_wav(path, x, sr=16000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def test_speech_commands_layout_loader(tmp_path):
    rng = np.random.default_rng(0)
    for word in ("yes", "no", "marvin"):
        (tmp_path / word).mkdir()
        for spk in ("aaaa1111", "bbbb2222", "cccc3333"):
            _write_wav(tmp_path / word / f"{spk}_nohash_0.wav", 0.1 * rng.standard_normal(12000))
    (tmp_path / "_background_noise_").mkdir()
    _write_wav(tmp_path / "_background_noise_" / "white.wav", 0.1 * rng.standard_normal(48000))
    (tmp_path / "validation_list.txt").write_text("yes/bbbb2222_nohash_0.wav\nno/bbbb2222_nohash_0.wav\n")
    (tmp_path / "testing_list.txt").write_text("yes/cccc3333_nohash_0.wav\nmarvin/cccc3333_nohash_0.wav\n")
    clips = speech_commands.scan(tmp_path, ("yes", "no"))
    assert len(clips) == 9
    split_of = {f"{c.word}/{c.speaker}": c.split for c in clips}
    assert split_of["yes/cccc3333"] == "test" and split_of["no/bbbb2222"] == "val"
    assert split_of["marvin/aaaa1111"] == "train"
    assert {c.label for c in clips if c.word == "marvin"} == {"unknown"}
    data = speech_commands.load(tmp_path, ("yes", "no"), silence_per_split={"train": 2, "val": 1, "test": 1})
    audio, labels = data["train"]
    assert audio.shape == (len(labels), 16000) and labels.count("silence") == 2
    # unlisted clips train: yes/aaaa, no/aaaa, no/cccc, marvin/aaaa, marvin/bbbb
    assert sorted(labels[:-2]) == ["no", "no", "unknown", "unknown", "yes"]
    assert sorted(data["test"][1]) == ["silence", "unknown", "yes"]
    with pytest.raises(FileNotFoundError):
        speech_commands.scan(tmp_path / "nope", ("yes",))
    bad = tmp_path / "bad.wav"
    _write_wav(bad, np.zeros(100), sr=8000)
    with pytest.raises(ValueError, match="16 kHz"):
        speech_commands.read_wav(bad)


def test_smoke_training_through_the_cli(tmp_path):
    """The same code path as `edgeaudio train commands`, tiny: synthesis, training, int8, manifest, report."""
    import tensorflow  # noqa: F401  (the test extra installs it)
    import ai_edge_litert.interpreter  # noqa: F401
    from edgeaudio import runtime
    from edgeaudio.cli import main
    from edgeaudio.features import FrontendConfig
    from edgeaudio.models import Detector

    out, work = tmp_path / "out", tmp_path / "work"
    recipe = ["--vowel-variants", "0.5", "--vowel-variants-festival-share", "0.5", "--head", "average_max",
              "--cepstra", "9"]
    assert main(["train", "commands", "--smoke", *recipe, "--out", str(out), "--work", str(work)]) == 0
    man = json.loads((out / "manifest.json").read_text())
    e = man["models"]["commands"]
    assert "average and max" in e["architecture"] and "stressed vowel swapped" in e["training_data"]
    assert "first 9 DCT cepstra" in e["architecture"]  # a non-default value reaches the model
    assert "50% of them by festival kal" in e["training_data"]  # the recipe options reach the trainer
    assert e["labels"][:2] == ["silence", "unknown"] and len(e["labels"]) == 12
    m = runtime.load(out / e["file"], expected_sha256=e["sha256"])
    assert m.is_quantized and m.input_shape == tuple(e["input"]["shape"])
    cfg = FrontendConfig.from_dict(e["frontend"])
    assert cfg.num_frames(e["window_samples"]) == e["frames"]
    for k in ("int8_accuracy_clean", "int8_accuracy_snr_10db", "latency"):
        assert k in e["metrics"]
    # accuracy against SNR: its 10 dB point is the 10 dB test set itself
    by_snr = e["metrics"]["int8_accuracy_by_snr_db"]
    assert list(by_snr) == ["30", "20", "10", "5", "0"]
    assert by_snr["10"] == round(e["metrics"]["int8_accuracy_snr_10db"], 4)
    assert e["params"] > 0 and e["macs"] > 0 and e["size_bytes"] == (out / e["file"]).stat().st_size
    report = (out / "commands_report.md").read_text()
    assert "Int8 accuracy against SNR" in report and "| 30 dB |" in report and "| 0 dB |" in report
    Detector.from_manifest(e)
    # --resume reuses the cached data and the finished checkpoint
    assert main(["train", "commands", "--smoke", *recipe, "--resume", "--out", str(out), "--work", str(work)]) == 0
    assert len(list(work.glob("data-*.npz"))) == 1


def test_smoke_dataset_keeps_val_and_test_whatever_the_training_recipe(tmp_path):
    """Each split draws from its own generator: changing only the training augmentation leaves val and
    test (and the clean-clip cache) untouched, and every test example names its voice."""
    from edgeaudio.train.commands import CommandsConfig, build_dataset

    a = CommandsConfig.smoke()
    a.vowel_variants = 0.0
    b = CommandsConfig.smoke()
    b.snr_min_db, b.festival_vtlp_range, b.noise_prob, b.train_noise_bank_scale = 5.0, 0.3, 1.0, 2
    b.vowel_variants = 0.5  # 2 extra clips per keyword
    assert a.synthesis_key() == b.synthesis_key() and a.data_key() != b.data_key()
    da, db = build_dataset(a, tmp_path), build_dataset(b, tmp_path)
    assert len(list(tmp_path.glob("clean-*.npz"))) == 1
    assert len(db["x_train"]) == len(da["x_train"]) + 20 * b.augment_copies
    for k in ("x_val", "y_val", "x_test", "x_test_noisy", "y_test", "speaker_test"):
        np.testing.assert_array_equal(da[k], db[k])
    assert not np.array_equal(da["x_train"], db["x_train"])
    spk = da["speaker_test"]
    assert len(spk) == len(da["y_test"])
    assert all((s == "") == (y == 0) for s, y in zip(spk, da["y_test"]))  # "" exactly for silence
    assert {s.split(":")[0] for s in spk if s} <= {"espeak", "festival"}


def test_noisy_test_features_sweep_the_same_clips_over_snr(tmp_path):
    """The SNR sweep replays the test split's draws: at 10 dB it is the dataset's x_test_noisy bit for bit,
    the speech examples move towards the clean features as the SNR rises, silence examples do not move."""
    from edgeaudio.train.commands import TEST_SNR_DB, CommandsConfig, build_dataset, noisy_test_features

    cfg = CommandsConfig.smoke()
    data = build_dataset(cfg, tmp_path)
    sweep = noisy_test_features(cfg, tmp_path, [40.0, TEST_SNR_DB, 0.0])
    assert list(sweep) == [40.0, TEST_SNR_DB, 0.0]
    np.testing.assert_array_equal(sweep[TEST_SNR_DB], data["x_test_noisy"])
    speech = data["y_test"] != 0
    dist = {s: np.mean(np.abs(x[speech] - data["x_test"][speech])) for s, x in sweep.items()}
    assert dist[40.0] < dist[TEST_SNR_DB] < dist[0.0]
    for x in sweep.values():
        np.testing.assert_array_equal(x[~speech], data["x_test_noisy"][~speech])
    with pytest.raises(ValueError, match="empty"):
        noisy_test_features(cfg, tmp_path, [])
    with pytest.raises(ValueError, match="finite"):
        noisy_test_features(cfg, tmp_path, [10.0, float("nan")])
    sc = CommandsConfig.smoke()
    sc.speech_commands_dir = str(tmp_path)
    with pytest.raises(ValueError, match="synthesised test split"):
        noisy_test_features(sc, tmp_path, [10.0])


def test_training_only_fields_do_not_change_the_dataset_key():
    from edgeaudio.train.commands import CommandsConfig

    a, b = CommandsConfig(), CommandsConfig(epochs=3, mixup_alpha=0.4, spec_time_masks=0, filters=8, mel_reduction=2,
                                            label_smoothing=0.1, cepstra=0)
    assert a.data_key() == b.data_key() and a.synthesis_key() == b.synthesis_key()
    c = CommandsConfig(festival_share=0.5)
    assert c.synthesis_key() != a.synthesis_key()


def test_festival_rate_range_changes_only_the_festival_training_clips():
    """festival_rate_range rescales the festival clips' speaking rate from its own generator: espeak-ng clips,
    labels and speakers stay those of the split's generator; the default keeps every cache key."""
    from edgeaudio.train.commands import CommandsConfig, synthesize_split

    assert voices.have_festival(), "festival voices are missing (tools/test.sh installs festvox-kallpc16k)"
    a = CommandsConfig()
    assert CommandsConfig(festival_rate_range=(1.0, 1.0)).synthesis_key() == a.synthesis_key()
    assert CommandsConfig(festival_rate_range=(1.0, 1.0)).data_key() == a.data_key()
    assert CommandsConfig(festival_rate_range=(0.6, 1.3)).synthesis_key() != a.synthesis_key()
    counts = {"up": 6, "stop": 6}
    plain = synthesize_split("train", counts, np.random.default_rng(4), None, 0.5)
    slow = synthesize_split("train", counts, np.random.default_rng(4), None, 0.5,
                            festival_rate=(0.5, 0.6, np.random.default_rng(1)))
    assert plain[1:] == slow[1:]
    fest = [s.startswith("festival:") for s in plain[2]]
    assert any(fest) and not all(fest)
    for f, x, y in zip(fest, plain[0], slow[0]):
        if f:
            assert len(y) > 1.3 * len(x)    # half to 0.6 the words per minute: much longer
        else:
            np.testing.assert_array_equal(x, y)


def test_training_noise_bank_scale_grows_only_the_training_bank():
    """train_noise_bank_scale multiplies every kind of training background; val / test banks keep their size,
    and the default leaves the dataset key of earlier recipes as it was."""
    from edgeaudio.train.commands import CommandsConfig, noise_bank

    cfg = CommandsConfig.smoke()
    cfg.train_noise_bank_scale = 3
    one = 3 + cfg.music_clips + max(1, cfg.music_clips // 2)  # coloured, music, babble
    assert len(noise_bank("train", cfg, np.random.default_rng(0)).clips) == 3 * one
    assert len(noise_bank("test", cfg, np.random.default_rng(0)).clips) == one
    assert CommandsConfig(train_noise_bank_scale=2).data_key() != CommandsConfig().data_key()
    assert "train_noise_bank_scale" in CommandsConfig.KEYED_UNLESS
    cfg.train_noise_bank_scale = 0
    with pytest.raises(ValueError, match="train_noise_bank_scale"):
        noise_bank("train", cfg, np.random.default_rng(0))


def test_noise_suppressed_clips_are_what_the_pipeline_suppressor_outputs_aligned():
    """augment.noise_suppressed: rows are independent, the latency is removed (the output lines up with the
    input), warming changes only the start; the commands trainer can build its features behind it."""
    from edgeaudio import enhance
    from edgeaudio.train import augment
    from edgeaudio.train.commands import CommandsConfig

    rng = np.random.default_rng(1)
    t = np.arange(16000) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 500 * t) * (t > 0.5)).astype(np.float32)
    rows = np.stack([tone + 0.05 * rng.standard_normal(16000).astype(np.float32) for _ in range(2)])
    both = augment.noise_suppressed(rows)
    assert both.shape == rows.shape and both.dtype == np.float32
    np.testing.assert_array_equal(both[1], augment.noise_suppressed(rows[1]))
    # a cold pass is the suppressor's own output shifted by its latency
    ns = enhance.NoiseSuppressor(16000)
    raw = ns.process(np.concatenate([rows[0], np.zeros(ns.latency, np.float32)]))
    np.testing.assert_array_equal(augment.noise_suppressed(rows[0], warm=False), raw[ns.latency:])
    # aligned: the tone's onset stays at 0.5 s and the noise before it is turned down
    out = both[0]
    assert np.std(out[:7000]) < 0.5 * np.std(rows[0][:7000])
    lag = np.argmax(np.correlate(out[8000:9000], tone[8000:9000], "full")) - 999
    assert abs(lag) <= 1
    assert CommandsConfig(noise_suppression=False).data_key() == CommandsConfig().data_key()
    assert CommandsConfig(noise_suppression=True).data_key() != CommandsConfig().data_key()


def test_a_checkpoint_saved_before_a_config_field_existed_still_resumes():
    """A field added to a config later (vowel_variants, room_ir_prob, ...) is absent from older checkpoints'
    saved config: at its default the checkpoint is still this training, at another value it is not."""
    import dataclasses

    from edgeaudio.train.commands import CommandsConfig, _trained_by
    from edgeaudio.train.wakeword import WakeWordConfig

    for cfg, field in ((CommandsConfig(), "room_ir_prob"), (WakeWordConfig(), "vowel_variants")):
        saved = json.loads(json.dumps(dataclasses.asdict(cfg)))
        assert _trained_by(saved, cfg)
        del saved[field]
        assert _trained_by(saved, cfg)
        setattr(cfg, field, 0.9)
        assert not _trained_by(saved, cfg)
    # cepstral smoothing came in on by default: a checkpoint from before it was trained without it
    cfg = CommandsConfig()
    saved = json.loads(json.dumps(dataclasses.asdict(cfg)))
    del saved["cepstra"]
    assert cfg.cepstra == 13 and not _trained_by(saved, cfg)
    cfg.cepstra = 0
    assert _trained_by(saved, cfg)


def test_room_ir_prob_sets_the_share_of_reverberant_training_clips():
    """room_ir_prob is the chance a training speech clip goes through a room IR; the draw is made whatever
    its value, so the rest of the random stream is the same; the default keeps earlier recipes' dataset key."""
    from edgeaudio.train import augment
    from edgeaudio.train.commands import CommandsConfig, augment_clip

    rng = np.random.default_rng(0)
    word = (np.sin(2 * np.pi * 440 * np.arange(4000) / 16000) * np.hanning(4000)).astype(np.float32)
    irs = [np.r_[1.0, np.zeros(799), 0.7, np.zeros(2399), 0.5].astype(np.float32)]
    bank = augment.NoiseBank([rng.standard_normal(16000).astype(np.float32)])

    def clip(p, seed):
        return augment_clip(word, np.random.default_rng(seed), bank, irs, "train", noise_prob=0.0, ir_prob=p)

    dry = [clip(0.0, s) for s in range(12)]
    wet = [clip(1.0, s) for s in range(12)]
    # with noise off, a clip differs between the two only by the room: every wet clip has the echo
    assert all(not np.allclose(a, b, atol=1e-4) for a, b in zip(dry, wet))
    half = [clip(0.5, s) for s in range(12)]
    same_as_dry = sum(np.allclose(a, b, atol=1e-6) for a, b in zip(half, dry))
    assert 0 < same_as_dry < 12
    assert all(np.allclose(h, d, atol=1e-6) or np.allclose(h, w, atol=1e-6) for h, d, w in zip(half, dry, wet))
    assert CommandsConfig(room_ir_prob=0.3).data_key() == CommandsConfig().data_key()
    assert CommandsConfig(room_ir_prob=0.7).data_key() != CommandsConfig().data_key()
    with pytest.raises(ValueError, match="room_ir_prob"):
        clip(1.5, 0)


def test_training_babble_scale_and_talkers_grow_only_the_training_babble():
    """train_babble_scale multiplies the training bank's babble clips alone (val / test banks keep theirs);
    the talker range is drawn per clip; the defaults keep earlier recipes' dataset key and random stream."""
    from edgeaudio.train.commands import CommandsConfig, noise_bank

    cfg = CommandsConfig.smoke()
    base = noise_bank("train", cfg, np.random.default_rng(0)).clips
    cfg.train_babble_scale, cfg.train_babble_talkers = 3, (2, 6)
    n_babble = max(1, cfg.music_clips // 2)
    assert len(noise_bank("train", cfg, np.random.default_rng(0)).clips) == len(base) + 2 * n_babble
    test = noise_bank("test", cfg, np.random.default_rng(0)).clips
    ref = noise_bank("test", CommandsConfig.smoke(), np.random.default_rng(0)).clips
    assert len(test) == len(ref) and all(np.array_equal(a, b) for a, b in zip(test, ref))
    default = CommandsConfig()
    assert CommandsConfig(train_babble_talkers=(4, 4)).data_key() == default.data_key()
    assert CommandsConfig(train_babble_scale=2).data_key() != default.data_key()
    assert CommandsConfig(train_babble_talkers=(2, 6)).data_key() != default.data_key()
    for bad in (dict(train_babble_scale=0), dict(train_babble_talkers=(0, 3)), dict(train_babble_talkers=(5, 3))):
        with pytest.raises(ValueError, match=next(iter(bad))):
            noise_bank("train", _with(CommandsConfig.smoke(), **bad),
                       np.random.default_rng(0))


def _with(cfg, **fields):
    for k, v in fields.items():
        setattr(cfg, k, v)
    return cfg


def test_accuracy_breakdown_per_voice_family_and_label():
    from edgeaudio.train.commands import LABELS, accuracy_breakdown

    y = np.array([0, 2, 2, 3, 3, 1])
    pred = np.array([0, 2, 3, 3, 3, 2])
    spk = ["", "espeak:en-029+f1", "espeak:en-029", "festival:ked_diphone", "festival:ked_diphone", "espeak:en-029"]
    b = accuracy_breakdown(y, pred, spk)
    assert b["by_family"]["silence"] == {"accuracy": 1.0, "examples": 1}
    assert b["by_family"]["espeak:en-029"] == {"accuracy": 1 / 3, "examples": 3}
    assert b["by_family"]["festival:ked_diphone"] == {"accuracy": 1.0, "examples": 2}
    assert b["by_label"][LABELS[2]] == {"accuracy": 0.5, "examples": 2}
    assert LABELS[4] not in b["by_label"]  # no examples, no entry


def test_mixup_batches_mix_features_and_one_hot_labels_alike():
    from edgeaudio.train.commands import _batches
    from edgeaudio.train.model import tensorflow

    tf = tensorflow()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 6, 5)).astype(np.float32)
    y = np.arange(10) % 3
    xb, yb = _batches(tf, x, y, 4, 1, time_masks=0, freq_masks=0, mixup_alpha=0.4, n_classes=3)[0]
    assert xb.shape == (4, 6, 5, 1) and yb.shape == (4, 3)
    np.testing.assert_allclose(yb.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all(yb.max(axis=1) >= 0.5 - 1e-6)  # each example keeps the larger share
    xp, yp = _batches(tf, x, y, 4, 1, time_masks=0, freq_masks=0)[0]
    assert yp.shape == (4,) and xp.shape == (4, 6, 5, 1)
    # one-hot without mixup (a smoothed loss): the same batch, labels one-hot and unmixed
    xo, yo = _batches(tf, x, y, 4, 1, time_masks=0, freq_masks=0, n_classes=3, one_hot=True)[0]
    np.testing.assert_array_equal(xo, xp)
    np.testing.assert_array_equal(yo, np.eye(3, dtype=np.float32)[yp])


def test_vtlp_scales_frequencies_below_the_boundary_and_keeps_duration():
    from edgeaudio.train import augment

    sr = augment.SAMPLE_RATE
    t = np.arange(sr) / sr
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    np.testing.assert_array_equal(augment.vtlp(x, 1.0), x)
    for alpha in (0.88, 1.12):
        y = augment.vtlp(x, alpha)
        assert y.shape == x.shape and np.all(np.isfinite(y))
        peak_hz = np.argmax(np.abs(np.fft.rfft(y))) * sr / len(y)
        assert abs(peak_hz - 1000 * alpha) < 35, (alpha, peak_hz)  # one 31 Hz STFT bin
        assert np.isclose(np.sqrt(np.mean(y ** 2)), np.sqrt(np.mean(x ** 2)), rtol=1e-3)


def test_high_shelf_changes_only_the_band_above_its_corner():
    from edgeaudio.train import augment

    sr = augment.SAMPLE_RATE
    x = np.random.default_rng(0).standard_normal(3 * sr).astype(np.float32)
    np.testing.assert_allclose(augment.high_shelf(x, 0.0), x, atol=1e-5)
    f = np.fft.rfftfreq(len(x), 1 / sr)
    X = np.abs(np.fft.rfft(x)) ** 2
    for gain in (-18.0, 12.0):
        y = augment.high_shelf(x, gain, corner_hz=3000.0)
        assert y.shape == x.shape and y.dtype == np.float32
        Y = np.abs(np.fft.rfft(y)) ** 2
        for lo, hi, want in ((50, 2000, 0.0), (4500, 7900, gain)):
            band = (f >= lo) & (f < hi)
            assert abs(10 * np.log10(Y[band].sum() / X[band].sum()) - want) < 0.1, (gain, lo, hi)


@pytest.mark.parametrize("head,cepstra", [("global_average", 0), ("global_max", 0), ("average_max", 0),
                                          ("time_flatten", 0), ("global_average", 6)])
def test_every_ds_cnn_head_converts_to_int8_and_agrees_with_the_float_model(tmp_path, head, cepstra):
    pytest.importorskip("ai_edge_litert.interpreter", reason="needs the litert extra")
    from edgeaudio import runtime
    from edgeaudio.train.model import ds_cnn, tensorflow, to_int8_tflite

    tf = tensorflow()
    tf.keras.utils.set_random_seed(3)
    model = ds_cnn((24, 16), 4, filters=8, blocks=1, head=head, cepstra=cepstra)
    rng = np.random.default_rng(3)
    # log-mel-like inputs: ln(energy) of a few patterns, so the classes differ
    x = (rng.standard_normal((96, 24, 16, 1)) + np.linspace(-8, 2, 16)[:, None]).astype(np.float32)
    y = rng.integers(0, 4, 96)
    x[np.arange(96), 6:12, y * 4, 0] += 6.0  # class k: a burst in band 4k
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    path = tmp_path / f"{head}-{cepstra}.tflite"
    path.write_bytes(to_int8_tflite(model, x[:48]))
    want = model.predict(x, verbose=0)
    got = runtime.load(path).invoke_batch(x)
    assert got.shape == want.shape
    # int8 error: a few output steps (1/256 for a softmax) and the same decision almost everywhere
    assert np.abs(got - want).max() < 0.08
    assert (got.argmax(1) == want.argmax(1)).mean() >= 0.95


def test_int8_files_are_stripped_of_names_and_run_the_same(tmp_path):
    pytest.importorskip("ai_edge_litert.interpreter", reason="needs the litert extra")
    from edgeaudio import runtime
    from edgeaudio.train.model import ds_cnn, tensorflow, to_int8_tflite

    tensorflow().keras.utils.set_random_seed(4)
    model = ds_cnn((49, 40), 12, filters=16, blocks=2, cepstra=13)
    rep = np.random.default_rng(4).normal(-6, 3, (32, 49, 40, 1)).astype(np.float32)
    paths = {}
    for strip in (False, True):
        paths[strip] = tmp_path / f"strip-{strip}.tflite"
        paths[strip].write_bytes(to_int8_tflite(model, rep, strip=strip))
    assert paths[True].stat().st_size < paths[False].stat().st_size - 2000
    stripped, named = runtime.load(paths[True]), runtime.load(paths[False])
    assert stripped.input_details[0]["name"] == "" and named.input_details[0]["name"] != ""
    assert np.array_equal(stripped.invoke_batch(rep), named.invoke_batch(rep))


def test_cepstral_smoothing_keeps_the_first_dct_cepstra_of_each_frame():
    from scipy.fft import dct, idct

    from edgeaudio.train.model import cepstra_note, cepstral_smoothing, ds_cnn, tensorflow

    x = np.random.default_rng(5).normal(-6, 3, (7, 40))
    for keep in (1, 13, 40):
        c = dct(x, type=2, norm="ortho", axis=-1)
        c[:, keep:] = 0
        want = idct(c, type=2, norm="ortho", axis=-1)  # scipy's DCT-II / III pair as the reference
        assert np.abs(x @ cepstral_smoothing(40, keep) - want).max() < 1e-5
    assert np.allclose(x @ cepstral_smoothing(40, 40), x, atol=1e-5)   # every cepstrum kept: the identity
    assert np.allclose(np.ones(40) @ cepstral_smoothing(40, 5), 1.0, atol=1e-6)  # a flat frame passes
    # in the model: a fixed layer after the input scaling, not trained, no parameters of the DS-CNN's own
    tf = tensorflow()
    plain, smooth = ds_cnn((49, 40), 12, filters=16, blocks=2), ds_cnn((49, 40), 12, filters=16, blocks=2, cepstra=13)
    layer = smooth.get_layer("cepstral_smoothing")
    assert not layer.trainable and layer.count_params() == 40 * 40
    assert sum(int(np.prod(w.shape)) for w in smooth.trainable_weights) == \
        sum(int(np.prod(w.shape)) for w in plain.trainable_weights)
    frames = np.random.default_rng(6).normal(-6, 3, (2, 49, 40, 1)).astype(np.float32)
    got = tf.keras.Model(smooth.input, layer.output)(frames).numpy()
    c = dct((frames[..., 0] + 6.0) * 0.25, type=2, norm="ortho", axis=-1)
    c[..., 13:] = 0
    assert np.abs(got - idct(c, type=2, norm="ortho", axis=-1)).max() < 1e-4
    with pytest.raises(ValueError, match="cepstra must be in"):
        ds_cnn((49, 40), 12, cepstra=41)
    assert cepstra_note(0) == "" and "first 13 DCT cepstra" in cepstra_note(13)


def test_an_unknown_ds_cnn_head_is_refused():
    from edgeaudio.train.model import ds_cnn

    with pytest.raises(ValueError, match="head must be one of"):
        ds_cnn((24, 16), 4, head="attention")


def test_mel_reduction_keeps_the_parameters_and_scales_the_work():
    from edgeaudio.train.model import count_macs, ds_cnn

    models = {r: ds_cnn((49, 40), 12, filters=16, blocks=2, mel_reduction=r) for r in (2, 4, 8)}
    assert len({m.count_params() for m in models.values()}) == 1
    assert {r: m.layers[-4].output.shape[1:3] for r, m in models.items()} == {2: (25, 20), 4: (25, 10), 8: (25, 5)}
    assert count_macs(models[8]) < count_macs(models[4]) < count_macs(models[2]) < 2 * count_macs(models[4])
    with pytest.raises(ValueError, match="mel_reduction must be 2, 4 or 8"):
        ds_cnn((49, 40), 12, mel_reduction=3)


def test_vowel_variants_swap_the_stressed_vowel_and_speak_with_training_voices(tmp_path):
    from edgeaudio.train.commands import KEYWORDS, VOWEL_VARIANTS, CommandsConfig, swap_vowel, vowel_variant_clips

    assert swap_vowel("st2'0p", "A:") == "st2'A:p"
    assert swap_vowel("'O2n", "V") == "'Vn"      # the longest vowel name wins: O2, not O
    assert swap_vowel("n'oU", "o:") == "n'o:"
    assert swap_vowel("g,oU", "@U") == "g,@U"    # secondary stress too
    with pytest.raises(ValueError, match="no stressed vowel"):
        swap_vowel("b'i:z", "V")
    assert set(VOWEL_VARIANTS) == set(KEYWORDS)
    for kw in KEYWORDS:  # each keyword's own stressed vowel in the training accents is in its list
        for accent in ("en-us", "en-gb"):
            own = voices.phonemes(kw, accent)
            assert any(swap_vowel(own, v) == own for v in VOWEL_VARIANTS[kw]), (kw, accent, own)

    cfg = CommandsConfig.smoke()
    cfg.vowel_variants = 1.0  # train_per_keyword (3) each
    clips, labels, spk = vowel_variant_clips(cfg, tmp_path)
    assert sorted(labels) == sorted(list(KEYWORDS) * 3)
    train = {s.name for s in voices.speakers(False) if s.split == "train"}
    assert set(spk) <= train and all(c.dtype == np.float32 and c.size >= 1600 for c in clips)
    again = vowel_variant_clips(cfg, tmp_path)  # from the cache, the same
    assert again[1] == labels and again[2] == spk and all(np.array_equal(a, b) for a, b in zip(again[0], clips))
    assert not any(s.startswith("festival:") for s in spk)

    # festival kal speaks vowel_variants_festival_share of them, with its own phones' vowel swapped
    from edgeaudio.train.commands import FESTIVAL_VOWELS

    assert set(FESTIVAL_VOWELS) == {v for vs in VOWEL_VARIANTS.values() for v in vs}
    cfg.vowel_variants, cfg.vowel_variants_festival_share = 2.0, 0.5
    clips, labels, spk = vowel_variant_clips(cfg, tmp_path)
    kal = [c for c, s in zip(clips, spk) if s == "festival:kal_diphone"]
    assert 10 <= len(kal) <= 50 and len(clips) == 60 and all(c.size >= 1600 for c in clips)
    assert set(spk) <= train | {"festival:kal_diphone"}


def test_augment_clip_hands_back_the_clean_twin_without_drawing_from_the_generator():
    """The twin is the example before its background: collecting it leaves the example and the generator's
    stream unchanged; without background the twin is the example; a silence example is its own twin."""
    from edgeaudio.train.commands import augment_clip

    rng = np.random.default_rng(0)
    speech = (0.2 * np.sin(2 * np.pi * 300 * np.arange(8000) / 16000)).astype(np.float32)
    bank = augment.NoiseBank([rng.standard_normal(32000).astype(np.float32)])
    for noise_prob, x in ((1.0, speech), (0.0, speech), (1.0, np.zeros(0, np.float32))):
        a, b, twins = np.random.default_rng(5), np.random.default_rng(5), []
        plain = augment_clip(x, a, bank, [], "train", (10.0, 10.0), noise_prob=noise_prob)
        got = augment_clip(x, b, bank, [], "train", (10.0, 10.0), noise_prob=noise_prob, clean=twins)
        np.testing.assert_array_equal(plain, got)
        assert a.random() == b.random() and len(twins) == 1
        if noise_prob == 0.0 or not x.size:
            np.testing.assert_array_equal(twins[0], got)
        else:  # 10 dB below the speech (active-speech power): the difference is the background
            ps = np.mean(twins[0][np.abs(twins[0]) > 1e-4] ** 2)
            assert abs(10 * np.log10(ps / np.mean((got - twins[0]) ** 2)) - 10.0) < 0.5


def test_consistency_dataset_adds_twins_and_keeps_the_cached_arrays(tmp_path, capsys):
    """consistency > 0 adds x_train_clean to the same data key; a cache built without twins is rebuilt
    with them and every other array unchanged; real recordings have no twin to give."""
    from edgeaudio.train.commands import CommandsConfig, build_dataset

    a = CommandsConfig.smoke()
    b = CommandsConfig.smoke()
    b.consistency = 1.0
    assert a.data_key() == b.data_key()
    da = build_dataset(a, tmp_path)
    assert "x_train_clean" not in da
    capsys.readouterr()
    db = build_dataset(b, tmp_path)
    assert "no clean twins" in capsys.readouterr().out
    assert set(db) == set(da) | {"x_train_clean"}
    for k in da:
        np.testing.assert_array_equal(da[k], db[k])
    twins, x, y = db["x_train_clean"], db["x_train"], db["y_train"]
    assert twins.shape == x.shape
    same = np.all(twins == x, axis=(1, 2))
    assert same[y == 0].all()                  # silence is its own twin
    assert 0.5 < 1 - same[y != 0].mean() <= 1  # background on most speech examples (p 0.9)
    assert set(build_dataset(b, tmp_path)) == set(db)  # now cached with the twins
    b.speech_commands_dir = str(tmp_path)
    with pytest.raises(ValueError, match="synthesised clips"):
        build_dataset(b, tmp_path)


def test_consistency_kl_matches_numpy():
    from edgeaudio.train.model import consistency_kl, tensorflow

    tf = tensorflow()
    rng = np.random.default_rng(3)
    p, q = rng.dirichlet(np.ones(5), 4), rng.dirichlet(np.ones(5), 4)
    want = np.mean(np.sum(p * np.log(p / q), axis=1))
    assert abs(float(consistency_kl(tf.constant(p), tf.constant(q))) - want) < 1e-5
    assert abs(float(consistency_kl(tf.constant(p), tf.constant(p)))) < 1e-6


def test_consistency_training_fits_resumes_and_returns_the_plain_classifier(tmp_path, capsys):
    """fit() with a consistency weight trains on paired batches (both halves masked alike), checkpoints the
    wrapper, resumes from it mid-run, and hands back a ds_cnn that converts to int8."""
    from edgeaudio.train import commands as C
    from edgeaudio.train.model import ds_cnn, tensorflow, to_int8_tflite

    tf = tensorflow()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 49, 40)).astype(np.float32) - 6.0
    data = {"x_train": x, "x_train_clean": x + 0.3 * rng.standard_normal(x.shape).astype(np.float32),
            "y_train": (np.arange(48) % 12).astype(np.int32),
            "x_val": x[:12], "y_val": (np.arange(12) % 12).astype(np.int32)}
    (xn, xc), yb = C._batches(tf, x, data["y_train"], 8, 1, twins=data["x_train_clean"])[0]
    assert xn.shape == xc.shape == (8, 49, 40, 1) and yb.shape == (8,)
    np.testing.assert_array_equal(xn, C._batches(tf, x, data["y_train"], 8, 1)[0][0])  # the batch it was

    def masked(e):  # the cells SpecAugment filled: the one value repeated in a random example
        vals, counts = np.unique(e, return_counts=True)
        return e == vals[np.argmax(counts)] if counts.max() > 1 else np.zeros(e.shape, bool)

    assert any(masked(e).any() for e in xn)
    for en, ec in zip(xn, xc):
        np.testing.assert_array_equal(masked(en), masked(ec))
    with pytest.raises(ValueError, match="twins"):
        C._batches(tf, x, data["y_train"], 8, 1, twins=x[:3])
    cfg = C.CommandsConfig.smoke()
    cfg.consistency, cfg.epochs = 1.0, 2
    model = C.fit(cfg, data, tmp_path)
    assert model.name == "ds_cnn" and model.output_shape == (None, 12)
    state = json.loads((tmp_path / "train_state.json").read_text())
    assert state["epoch"] == 2
    # a run stopped after its first epoch picks up from the saved wrapper
    state["epoch"] = 1
    (tmp_path / "train_state.json").write_text(json.dumps(state))
    capsys.readouterr()
    again = C.fit(cfg, data, tmp_path)
    assert "resuming after epoch 1" in capsys.readouterr().out
    assert again.name == "ds_cnn"
    assert len(to_int8_tflite(again, x[:8, ..., None])) > 0
    # the best weights on disk are the classifier's own: a plain ds_cnn loads them
    plain = ds_cnn((49, 40), 12, cfg.filters, cfg.blocks, cepstra=cfg.cepstra)
    plain.load_weights(tmp_path / "best.weights.h5")
    for a, b in zip(plain.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="x_train_clean"):
        C.fit(cfg, {k: v for k, v in data.items() if k != "x_train_clean"}, tmp_path / "b")
    cfg.mixup_alpha = 0.2
    with pytest.raises(ValueError, match="mixup"):
        C.fit(cfg, data, tmp_path / "c")
