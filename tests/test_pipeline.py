"""edgeaudio.Pipeline and the CLI commands built on it (detect, aec, denoise, features, bench).

Scenes come from edgeaudio.demo: held-out voices in pyroomacoustics rooms, music
from the synthesiser through the loudspeaker-to-mic response, pink noise.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
from hypothesis import given, settings, strategies as st

from edgeaudio import demo
from edgeaudio.pipeline import Event, Pipeline, as_mono
from edgeaudio.resample import Resampler

FS = 16000
WAKE, _KEY, _DESC, CMD = demo.wake_setup()


@pytest.fixture(scope="module")
def scene():
    return demo.make_scene(0)


@pytest.fixture(scope="module")
def files(scene, tmp_path_factory):
    d = tmp_path_factory.mktemp("scene")
    sf.write(d / "mic.wav", scene.mic, FS, subtype="FLOAT")
    sf.write(d / "ref.wav", scene.ref, FS, subtype="FLOAT")
    sf.write(d / "stereo.wav", np.stack([scene.mic, scene.mic], 1), FS)
    return d


def _run(scene, chunks, aec=True, **kw):
    p = Pipeline([], aec=aec, wake=WAKE, command_model=CMD, **kw)
    out, i = [], 0
    for n in chunks:
        out += p.process(scene.mic[i:i + n], scene.ref[i:i + n] if aec else None)
        i += n
    assert i == len(scene.mic)
    return out + p.flush()


def _split(total, sizes):
    out, i, k = [], 0, 0
    while i < total:
        n = min(sizes[k % len(sizes)], total - i)
        out.append(n)
        i += n
        k += 1
    return out


@pytest.fixture(scope="module")
def reference_events(scene):
    return _run(scene, [len(scene.mic)])


def test_wake_and_command_found_at_their_times_with_aec(scene, reference_events):
    wake = scene.truth[0]
    ev = [e for e in reference_events if e.kind == "wake"]
    assert len(ev) == 1, reference_events
    assert ev[0].label == wake["label"]
    assert abs(ev[0].time_s - wake["end_s"]) < 0.5
    assert ev[0].fired_s >= ev[0].time_s
    cmds = [e for e in reference_events if e.kind == "command"]
    assert [e.label for e in cmds] == [scene.truth[1]["label"]]
    assert abs(cmds[0].time_s - scene.truth[1]["end_s"]) < 0.5
    assert cmds[0].time_s > ev[0].time_s


def test_the_command_model_only_hears_audio_after_the_wake_word(scene, reference_events):
    """Every commands invoke covers a window that starts once the wake word fired and ends within
    command_window_s of it: the wake phrase's tail (hey jarvis's "-vis") is never classified."""
    p = Pipeline([], aec=True, wake=WAKE, command_model=CMD, record_scores=True)
    assert p.process_signal(scene.mic, scene.ref) == reference_events
    fired = [e.fired_s for e in reference_events if e.kind == "wake"][0]
    st = [s for s in p._states if s.spec.name == CMD][0]
    t_c = p.scores[CMD][0]
    assert len(t_c) and 0.9 < st.window_s < 1.1
    assert np.all(t_c - st.window_s >= fired - 1e-6) and np.all(t_c <= fired + p.command_window_s + 1e-6)
    assert t_c.min() - st.window_s < fired + 0.1  # from the first stride after the wake word on


def test_without_aec_the_music_masks_the_wake_word(scene):
    assert not [e for e in _run(scene, [16000] * 9, aec=False) if e.kind == "wake"]


def test_no_events_on_music_and_noise_alone(scene):
    p = Pipeline([CMD], aec=True)
    noise_only = (scene.mic - scene.speech).astype(np.float32)
    assert p.process_signal(noise_only, scene.ref) == []


@settings(max_examples=4, deadline=None)
@given(st.lists(st.integers(1, 7000), min_size=1, max_size=6))
def test_events_identical_for_any_chunking(scene, reference_events, sizes):
    assert _run(scene, _split(len(scene.mic), sizes)) == reference_events


def test_int16_and_float_blocks_give_the_same_events(scene):
    def q(x):
        return np.round(np.clip(x, -1, 32767 / 32768) * 32768).astype(np.int16)
    a = Pipeline([CMD], aec=True).process_signal(q(scene.mic), q(scene.ref), block=3200)
    b = Pipeline([CMD], aec=True).process_signal(q(scene.mic).astype(np.float32) / 32768,
                                                 q(scene.ref).astype(np.float32) / 32768, block=5000)
    assert a == b and a


def test_callbacks_iterator_and_returned_events_agree(scene, reference_events):
    got = []
    p = Pipeline([], aec=True, wake=WAKE, command_model=CMD, on_event=got.append)
    blocks = [(scene.mic[i:i + 4000], scene.ref[i:i + 4000]) for i in range(0, len(scene.mic), 4000)]
    streamed = list(p.stream(blocks))
    assert streamed == reference_events == got
    assert all(isinstance(e, Event) for e in got)
    d = got[0].as_dict()
    assert set(d) >= {"time", "label", "score"} and isinstance(d["time"], float)


def test_timing_per_stage_and_real_time_factor(scene):
    p = Pipeline([CMD], aec=True, noise_suppression=True)
    assert np.isnan(p.timing()["rtf"])
    p.process(scene.mic[:FS * 3], scene.ref[:FS * 3])
    t = p.timing()
    assert {"aec", "highpass", "noise_suppression", "frontend", f"model:{CMD}", "detector"} <= set(t["stages_s"])
    assert t["audio_s"] == 3.0
    assert 0 < t["rtf"] < 10 and abs(t["total_s"] - sum(t["stages_s"].values())) < 1e-9
    assert t["cpu_s"] > 0 and t["rtf_cpu"] == t["cpu_s"] / 3.0


def test_resampled_input_finds_the_wake_word_at_the_same_time(scene, reference_events):
    mic48 = scipy.signal.resample_poly(scene.mic, 3, 1).astype(np.float32)
    ref48 = scipy.signal.resample_poly(scene.ref, 3, 1).astype(np.float32)
    p = Pipeline([], sample_rate=48000, aec=True, wake=WAKE, command_model=CMD)
    assert "48000 Hz" in p.resample_note and "16000 Hz" in p.resample_note
    ev = [e for e in p.process_signal(mic48, ref48, block=48000) if e.kind == "wake"]
    ref_wake = [e for e in reference_events if e.kind == "wake"][0]
    # the resampled signal may cross the detector's threshold one invoke (100 ms stride) later or earlier;
    # event times are latency-corrected to the millisecond, so one stride plus 5 ms
    assert len(ev) == 1 and abs(ev[0].time_s - ref_wake.time_s) <= 0.1 + 0.005


def test_resampler_matches_a_sine_and_is_chunking_invariant():
    r = Resampler(48000, 16000)
    t = np.arange(48000) / 48000
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    whole = r.process(x)
    r.reset()
    parts = np.concatenate([r.process(c) for c in np.array_split(x, [1, 2, 777, 30000])])
    np.testing.assert_allclose(parts, whole, atol=1e-6)
    d = r.delay_s
    k = np.arange(len(whole))
    want = np.sin(2 * np.pi * 1000 * (k / 16000 - d))
    mid = slice(1000, len(whole) - 1000)
    assert np.max(np.abs(whole[mid] - want[mid])) < 2e-3  # 90 dB stop band, flat pass band
    with pytest.raises(ValueError, match="44101 Hz to 16000 Hz"):
        Resampler(44101, 16000)


@pytest.mark.parametrize("bad, exc, match", [
    (np.zeros((100, 2), np.float32), ValueError, "mono, got 2 channels"),
    (np.zeros((2, 3, 4), np.float32), ValueError, "1-D"),
    (np.array(["a"]), TypeError, "dtype"),
    (np.array([0.0, np.nan], np.float32), ValueError, "NaN or infinity .first at sample 1"),
])
def test_bad_blocks_are_refused_naming_the_problem(bad, exc, match):
    with pytest.raises(exc, match=match):
        as_mono(bad, "mic")


def test_bad_pipeline_arguments():
    with pytest.raises(ValueError, match="no bundled model 'nope'"):
        Pipeline(["nope"])
    with pytest.raises(ValueError, match="needs a wake word"):
        Pipeline([CMD], command_model=CMD)
    with pytest.raises(ValueError, match="not a class"):
        Pipeline([], wake=f"{CMD}:jarvis_nope")
    p = Pipeline([CMD], aec=True)
    with pytest.raises(ValueError, match="pass ref"):
        p.process(np.zeros(160, np.float32))
    with pytest.raises(ValueError, match="same length"):
        p.process(np.zeros(160, np.float32), np.zeros(100, np.float32))
    with pytest.raises(ValueError, match="aec=True"):
        Pipeline([CMD]).process(np.zeros(160, np.float32), np.zeros(160, np.float32))


# ---- CLI, end to end ------------------------------------------------------------------------

def cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "edgeaudio", *map(str, args)], input=stdin,
                          capture_output=True, cwd=cwd)


def test_cli_detect_with_ref_json_lines_and_plot(files, scene):
    r = cli("detect", files / "mic.wav", "--ref", files / "ref.wav", "--wake", WAKE, "--command-model", CMD,
            "--plot", files / "detect.png", "--no-progress")
    assert r.returncode == 0, r.stderr.decode()
    events = [json.loads(line) for line in r.stdout.decode().splitlines()]
    wake = [e for e in events if e["kind"] == "wake"]
    assert len(wake) == 1 and abs(wake[0]["time"] - scene.truth[0]["end_s"]) < 0.5
    assert {"time", "label", "score"} <= set(wake[0])
    assert b"RTF" in r.stderr
    assert (files / "detect.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_detect_streams_raw_pcm_from_stdin(scene):
    pcm = np.round(np.clip(scene.mic - scene.echo, -1, 0.99) * 32767).astype("<i2").tobytes()
    r = cli("detect", "-", "--rate", "16000", "--wake", WAKE, stdin=pcm)
    assert r.returncode == 0, r.stderr.decode()
    events = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [e["label"] for e in events if e["kind"] == "wake"] == [scene.truth[0]["label"]]


def test_cli_errors_are_one_clear_line(files, tmp_path):
    r = cli("detect", tmp_path / "missing.wav")
    assert r.returncode == 1 and b"no such file" in r.stderr and b"Traceback" not in r.stderr
    r = cli("detect", files / "stereo.wav", "--no-progress")
    assert r.returncode == 1 and b"2 channels" in r.stderr and b"--channel" in r.stderr
    (tmp_path / "junk.wav").write_bytes(b"not audio at all")
    r = cli("detect", tmp_path / "junk.wav")
    assert r.returncode == 1 and b"not a readable audio file" in r.stderr
    r = cli("detect", files / "mic.wav", "--model", "nope")
    assert r.returncode == 1 and b"no bundled model 'nope'" in r.stderr
    r = cli("detect", "--help")
    assert r.returncode == 0 and b"examples:" in r.stdout and b"--ref" in r.stdout


def test_cli_aec_denoise_features(files, scene):
    r = cli("aec", "--mic", files / "mic.wav", "--ref", files / "ref.wav", "-o", files / "aec.wav",
            "--plot", files / "aec.png", "--no-progress")
    assert r.returncode == 0, r.stderr.decode()
    y, fs = sf.read(files / "aec.wav", dtype="float32")
    assert fs == FS and len(y) == len(scene.mic)
    music = slice(FS, int(3 * FS))  # echo only: at least 15 dB removed
    assert 10 * np.log10(np.mean(scene.mic[music] ** 2) / np.mean(y[music] ** 2)) > 15
    assert (files / "aec.png").stat().st_size > 10000
    r = cli("denoise", files / "mic.wav", "-o", files / "dn.wav", "--no-progress")
    assert r.returncode == 0, r.stderr.decode()
    assert sf.info(str(files / "dn.wav")).frames == len(scene.mic)
    r = cli("features", files / "mic.wav", "--model", CMD, "-o", files / "f.npy", "--plot", files / "f.png",
            "--no-progress")
    assert r.returncode == 0, r.stderr.decode()
    from edgeaudio import features, models
    cfg = features.FrontendConfig.from_dict(models.manifest()["models"][CMD]["frontend"])
    np.testing.assert_array_equal(np.load(files / "f.npy"), features.logmel(scene.mic, cfg))


def test_cli_bench_reports_each_stage():
    r = cli("bench", "--seconds", "3", "--json", "--ns")
    assert r.returncode == 0, r.stderr.decode()
    t = json.loads(r.stdout)
    assert {"aec", "noise_suppression", "frontend"} <= set(t["stages_s"]) and t["audio_s"] == 3.0


def test_the_models_hear_unsuppressed_audio_unless_asked(scene):
    """The bundled models were trained without the noise suppressor, so the pipeline leaves it out by
    default; noise_suppression=True (CLI --ns) puts it before the frontends, and then the models hear
    the suppressed signal."""
    import argparse

    from edgeaudio.cli._options import add_pipeline_args

    plain, ns = Pipeline([CMD], record_scores=True), Pipeline([CMD], noise_suppression=True, record_scores=True)
    assert "noise suppression" not in plain.describe() and "noise suppression" in ns.describe()
    for p in (plain, ns):
        p.process(scene.mic[:FS * 2])
    from edgeaudio import enhance

    heard = plain.processed_audio   # the high-passed mic, as the frontends saw it
    hp = enhance.sosfilt(enhance.dc_blocker(FS, 60.0), scene.mic[:FS * 2])
    np.testing.assert_allclose(heard, hp, atol=1e-5)
    m = min(len(heard), len(ns.processed_audio))
    assert m > FS and not np.allclose(ns.processed_audio[:m], heard[:m], atol=1e-3)
    ap = argparse.ArgumentParser()
    add_pipeline_args(ap)
    assert ap.parse_args([]).ns is None and ap.parse_args(["--ns"]).ns is True
    assert ap.parse_args(["--no-ns"]).ns is False


def test_the_noise_suppressor_follows_what_the_models_were_trained_on(monkeypatch):
    """A manifest entry with "noise_suppression": true (edgeaudio train commands --noise-suppression) turns the
    suppressor on by default; models that disagree need the caller to choose."""
    import copy

    from edgeaudio import models

    real = models.manifest()
    marked = copy.deepcopy(real)
    marked["models"][CMD]["noise_suppression"] = True
    monkeypatch.setattr(models, "manifest", lambda *a, **k: marked)
    assert Pipeline([CMD]).use_ns and not Pipeline([CMD], noise_suppression=False).use_ns
    wake = next(n for n, e in marked["models"].items() if e.get("task", "").startswith("wake"))
    with pytest.raises(ValueError, match="noise_suppression=True or False"):
        Pipeline([CMD, wake])
    assert Pipeline([CMD, wake], noise_suppression=True).use_ns


def test_models_with_different_frontend_hops_each_see_their_own_frames(scene, monkeypatch):
    """A commands model whose manifest frontend hops 10 ms runs beside a 20 ms wake-word model: the
    pipeline keeps one streaming frontend per config, invokes the commands model every 100 ms (10 of
    its frames) on the 10 ms frames of the batch frontend, and leaves the wake-word model's scores
    as they are without the second frontend."""
    from edgeaudio import features, models

    real = models.manifest()

    def hop10():
        m = json.loads(json.dumps(real))
        m["models"][CMD]["frontend"]["hop_length"] = 160
        return m

    x = scene.mic[: 3 * FS]
    kw = dict(aec=False, highpass_hz=None, noise_suppression=False, record_scores=True)
    ref = Pipeline([WAKE, CMD], **kw)
    ref.process_signal(x)
    monkeypatch.setattr(models, "manifest", hop10)
    p = Pipeline([WAKE, CMD], **kw)
    i = 0
    for n in _split(len(x), [777, 3000, 160]):   # blocks that are not multiples of either hop
        p.process(x[i:i + n])
        i += n
    p.flush()
    assert "2 frontend(s)" in p.describe() and "1 frontend(s)" in ref.describe()
    t_w, post_w, _ = p.scores[WAKE]
    t_ref, post_ref, _ = ref.scores[WAKE]
    np.testing.assert_array_equal(t_w, t_ref)
    np.testing.assert_array_equal(post_w, post_ref)

    cfg = p.specs[[s.name for s in p.specs].index(CMD)].config
    assert cfg.hop_length == 160
    feat = features.logmel(p.processed_audio, cfg)
    t_c, post_c, _ = p.scores[CMD]
    model = models.load_bundled(CMD)
    frames = model.input_shape[1]
    assert len(t_c) > 10 and np.allclose(np.diff(t_c), 0.1)
    for t, post in zip(t_c, post_c):
        last = int(round((t * FS - cfg.win_length) / cfg.hop_length))   # frame that ends the window
        window = feat[last + 1 - frames: last + 1]
        np.testing.assert_allclose(post, model.invoke(window.reshape(model.input_shape[1:]))[0], atol=1e-6)
