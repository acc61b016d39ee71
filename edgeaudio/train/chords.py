"""Train the learned chord scorer (``edgeaudio/_chord_model.py``) on generated songs.

Songs come from :func:`edgeaudio.music.generate` (exact chord truth), seeds
``seed_start..`` with the styles in rotation (the benchmark's held-out seeds
are 100-119 and its tuning seeds 1000-1039: keep clear of both), rendered by
:mod:`edgeaudio.synth` through each training SoundFont (FluidR3 and TimGM6mb
by default, so that MuseScore_General stays unseen) and, for the first
``additive_songs``, as plain additive tones (:func:`render_additive`: sine
and few-partial tones, which no SoundFont plays), analysed by the
recogniser's own CQT (``analysis._chord_cqt``) and cached per song under
``work/songs`` as the semitone spectrum plus a per-frame label (0-23 in
``analysis.CHORD_LABELS`` order as mir_eval's ``majmin`` reads the chord;
-1 where majmin does not score it: diminished, augmented, before / after the
chords).

The network (numpy, Adam with cosine decay, softmax cross-entropy over the
24 chords; one hidden layer shared by the 12 roots) trains on the songs less
every ``val_every``-th run of five (one of each style), which measure frame
accuracy for the report. A share ``profile_shuffle`` of the training frames
see their song's key context moved to another key. Deterministic for a given
config.

Numpy only: no TensorFlow.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import _chord_model as cm

SAMPLE_RATE = 22050
FLUIDR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
TIMGM6MB = "/usr/share/sounds/sf2/TimGM6mb.sf2"
#: majmin class of each generated chord quality: 0 major, 1 minor (others are not scored)
_MAJMIN = {"maj": 0, "maj7": 0, "7": 0, "min": 1, "min7": 1, "minmaj7": 1}
_TABLE = 4096  # samples in one period of an additive timbre
#: bump when the cached per-song features change meaning
_CACHE_VERSION = 1


def _log(msg: str) -> None:
    print(f"[chords {time.strftime('%H:%M:%S')}] {msg}", flush=True)


@dataclass
class ChordTrainConfig:
    """What a run trains on and how."""

    seed_start: int = 2000
    songs: int = 300                      #: per SoundFont
    additive_songs: int = 150             #: of them also rendered by render_additive ("additive" in soundfonts)
    bars: int = 8
    soundfonts: Tuple[str, ...] = (FLUIDR3, TIMGM6MB, "additive")
    hidden: int = 128
    epochs: int = 6
    batch_size: int = 512
    learning_rate: float = 2e-3
    weight_decay: float = 1e-5
    frame_step: int = 2                   #: train on every n-th frame (neighbours are near copies)
    val_every: int = 10                   #: every n-th song is validation
    #: share of training frames whose key context (the song's pitch-class profile) is replaced by the
    #: profile moved to a random other key: the generated songs are diatonic, and without this the
    #: network trusts the key so much that it reads a clear secondary dominant (D:maj in C) as D:min
    profile_shuffle: float = 0.25
    seed: int = 0

    @classmethod
    def smoke(cls) -> "ChordTrainConfig":
        """Six two-bar songs on the built-in SoundFont and one additive, one epoch: checks the code path only."""
        return cls(songs=6, additive_songs=1, bars=2, soundfonts=("builtin", "additive"), hidden=8, epochs=1,
                   batch_size=64, val_every=2)


def _label_frames(song, n_frames: int, hop_s: float) -> np.ndarray:
    """Per frame centre t * hop_s: 0-23 (root + 12 * minor) or -1 (not scored by majmin)."""
    t = np.arange(n_frames) * hop_s
    out = np.full(n_frames, -1, np.int64)
    for c in song.chords:
        q = _MAJMIN.get(c.quality)
        if q is None:
            continue
        out[(t >= c.start_s) & (t < c.end_s)] = c.root + 12 * q
    return out


def render_additive(song, sample_rate: float = SAMPLE_RATE) -> np.ndarray:
    """The song's pitched parts as plain additive tones (mono float32): per part (drawn from the
    seed) 1-8 harmonics at a random spectral slope, a 10 ms attack and a random decay (or none);
    drums as short noise bursts. Pure and near-pure tones are what the SoundFonts never play, and
    what test signals often are."""
    rng = np.random.default_rng([song.seed, 0x746F6E65])  # "tone"
    end = int(round((song.duration_s + 0.5) * sample_rate))
    out = np.zeros(end, np.float64)
    timbre = {}
    for n in song.notes:
        a = int(round(n.onset_s * sample_rate))
        if a >= end:
            continue
        if n.part == "drums":
            k = min(int(0.05 * sample_rate), end - a)
            burst = rng.standard_normal(k) * np.exp(-np.arange(k) / (0.01 * sample_rate))
            out[a:a + k] += 0.03 * (n.velocity / 127) * burst
            continue
        if n.part not in timbre:
            harmonics, slope = int(rng.integers(1, 9)), float(rng.uniform(0.2, 0.9))
            phase = np.arange(_TABLE) / _TABLE
            table = sum(slope ** (h - 1) * np.sin(2 * np.pi * h * phase + rng.uniform(0, 2 * np.pi))
                        for h in range(1, harmonics + 1))
            timbre[n.part] = (table, float(rng.choice([0.3, 0.8, 2.0, 1e9])))
        table, decay_s = timbre[n.part]
        b = min(end, int(round(n.offset_s * sample_rate)) + int(0.05 * sample_rate))
        t = np.arange(b - a) / sample_rate
        f0 = 440.0 * 2.0 ** ((n.pitch - 69) / 12)
        env = np.minimum(t / 0.01, 1.0) * np.exp(-t / decay_s)
        tail = min(len(env), int(0.05 * sample_rate))
        env[len(env) - tail:] *= np.linspace(1, 0, tail)
        tone = table[(np.arange(b - a) * (f0 * _TABLE / sample_rate)).astype(np.int64) % _TABLE]
        out[a:b] += 0.1 * (n.velocity / 127) * env * tone
    return out.astype(np.float32)


def song_features(seed: int, style: str, bars: int, soundfont, sf_name: str,
                  cache: Optional[Path]) -> Dict[str, np.ndarray]:
    """Render one generated song and return {"semis": (frames, 84), "labels": (frames,)} (cached)."""
    from .. import analysis, music

    path = None
    if cache is not None:
        path = cache / f"v{_CACHE_VERSION}-{sf_name}-{style}-{seed}-{bars}bars-{SAMPLE_RATE}.npz"
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                return {"semis": z["semis"], "labels": z["labels"]}
    song = music.generate(seed=seed, style=style, bars=bars)
    if sf_name == "additive":
        x = render_additive(song)
    else:
        sf = soundfont() if callable(soundfont) else soundfont
        x = np.ascontiguousarray(song.render(soundfont=sf, sample_rate=SAMPLE_RATE).mean(axis=1), dtype=np.float32)
    mag, cfg = analysis._chord_cqt(x, SAMPLE_RATE, None, None)
    semis = cm.semitone_spectrum(mag)
    labels = _label_frames(song, semis.shape[0], cfg.hop_length / cfg.sample_rate_hz)
    out = {"semis": semis.astype(np.float32), "labels": labels}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **out)
        os.replace(tmp, path)
    return out


def song_list(cfg: ChordTrainConfig) -> List[Tuple[int, str]]:
    """(seed, style) of the training songs: the benchmark's rotation of styles."""
    from .. import music

    styles = list(music.STYLES)
    return [(cfg.seed_start + i, styles[i % len(styles)]) for i in range(cfg.songs)]


def is_validation(seed: int, cfg: ChordTrainConfig) -> bool:
    """Every ``val_every``-th run of five consecutive seeds (one song of each style) is validation."""
    from .. import music

    return ((seed - cfg.seed_start) // len(music.STYLES)) % cfg.val_every == cfg.val_every - 1


def build_dataset(cfg: ChordTrainConfig, work: Optional[Path], log: Callable[[str], None] = _log) -> List[dict]:
    """Per song (all SoundFonts): semis, labels, soundfont, seed, style (renders cached in work/songs)."""
    from .. import synth

    cache = None if work is None else work / "songs"
    songs = []
    t0 = time.time()
    for path in cfg.soundfonts:
        name = os.path.splitext(os.path.basename(path))[0]  # "additive": render_additive, no SoundFont
        loaded = {}

        def sf(path=path, loaded=loaded):  # load only when a song is not cached
            if "sf" not in loaded:
                loaded["sf"] = path if path == "builtin" else synth.load_soundfont(path)
            return loaded["sf"]

        seeds = song_list(cfg)[:cfg.additive_songs] if path == "additive" else song_list(cfg)
        for i, (seed, style) in enumerate(seeds):
            d = song_features(seed, style, cfg.bars, sf, name, cache)
            songs.append(dict(d, soundfont=name, seed=seed, style=style))
            if (i + 1) % 20 == 0:
                log(f"{name}: {i + 1}/{len(seeds)} songs ({time.time() - t0:.0f} s)")
    return songs


def _inputs(songs: Sequence[dict], step: int) -> Tuple[List[Tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Per-song (context, profile) and the scored (song, frame) pairs with their labels."""
    feats, idx, labels = [], [], []
    for s, d in enumerate(songs):
        feats.append(cm.features(d["semis"]))
        f = np.flatnonzero(d["labels"] >= 0)
        f = f[f % step == 0]
        idx.append(np.stack([np.full(f.size, s), f], axis=1))
        labels.append(d["labels"][f])
    return feats, np.concatenate(idx), np.concatenate(labels)


def _batch(feats, idx: np.ndarray, rng: Optional[np.random.Generator] = None, shuffle: float = 0.0) -> np.ndarray:
    out = np.empty((len(idx), 12, cm.N_INPUTS), np.float32)
    for s in np.unique(idx[:, 0]):
        m = idx[:, 0] == s
        ctx, profile = feats[s]
        out[m] = cm.root_inputs(ctx[idx[m, 1]], profile)
    if rng is not None and shuffle > 0:
        moved = np.flatnonzero(rng.random(len(idx)) < shuffle)
        shift = rng.integers(1, 12, moved.size)
        for i, k in zip(moved, shift):
            out[i, :, -12:] = np.roll(out[i, :, -12:], k, axis=1)
    return out


def _loss_grad(p: Dict[str, np.ndarray], x: np.ndarray, y: np.ndarray):
    a, h, logits = cm.forward(p, x)
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    prob = e / e.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = float(-np.mean(np.log(prob[np.arange(n), y] + 1e-12)))
    g = prob
    g[np.arange(n), y] -= 1.0
    g /= n
    gz = g.reshape(n, 2, 12).transpose(0, 2, 1)          # (n, 12, 2)
    grads = {"w2": np.einsum("nrh,nrq->hq", h, gz), "b2": gz.sum(axis=(0, 1))}
    gh = gz @ p["w2"].T
    ga = gh * (a > 0)
    grads["w1"] = np.einsum("nri,nrh->ih", x, ga, optimize=True)
    grads["b1"] = ga.sum(axis=(0, 1))
    return loss, grads


def _accuracy(p, feats, idx, labels, batch: int = 4096) -> float:
    if len(labels) == 0:
        return float("nan")
    right = 0
    for i in range(0, len(labels), batch):
        right += int(np.sum(np.argmax(cm.forward(p, _batch(feats, idx[i:i + batch]))[2], axis=1) == labels[i:i + batch]))
    return right / len(labels)


def fit(train: Sequence[dict], val: Sequence[dict], cfg: ChordTrainConfig,
        log: Callable[[str], None] = _log) -> Tuple[cm.ChordNet, Dict[str, float]]:
    """Adam on softmax cross-entropy; returns the net after the last epoch and its metrics."""
    rng = np.random.default_rng(cfg.seed)
    tf, ti, tl = _inputs(train, cfg.frame_step)
    vf, vi, vl = _inputs(val, 1)
    if len(tl) == 0:
        raise ValueError("no scored frames to train on")
    h = cfg.hidden
    p = {"w1": (rng.standard_normal((cm.N_INPUTS, h)) * np.sqrt(2.0 / cm.N_INPUTS)).astype(np.float32),
         "b1": np.zeros(h, np.float32),
         "w2": (rng.standard_normal((h, 2)) * np.sqrt(1.0 / h)).astype(np.float32),
         "b2": np.zeros(2, np.float32)}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0
    steps_total = cfg.epochs * int(np.ceil(len(tl) / cfg.batch_size))
    log(f"{len(tl)} training frames from {len(train)} songs, {len(vl)} validation frames from {len(val)} songs")
    metrics: Dict[str, float] = {}
    for epoch in range(cfg.epochs):
        order = rng.permutation(len(tl))
        losses = []
        t0 = time.time()
        for i in range(0, len(order), cfg.batch_size):
            sel = np.sort(order[i:i + cfg.batch_size])
            loss, g = _loss_grad(p, _batch(tf, ti[sel], rng, cfg.profile_shuffle), tl[sel])
            losses.append(loss)
            step += 1
            lr = cfg.learning_rate * 0.5 * (1 + np.cos(np.pi * step / steps_total))  # cosine decay
            for k in p:
                gk = g[k] + cfg.weight_decay * p[k]
                m[k] = b1 * m[k] + (1 - b1) * gk
                v2[k] = b2 * v2[k] + (1 - b2) * gk * gk
                mh = m[k] / (1 - b1 ** step)
                vh = v2[k] / (1 - b2 ** step)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        metrics = {"train_loss": float(np.mean(losses)), "val_frame_accuracy": _accuracy(p, vf, vi, vl)}
        log(f"epoch {epoch + 1}/{cfg.epochs}: loss {metrics['train_loss']:.4f}, "
            f"validation frame accuracy {metrics['val_frame_accuracy']:.4f} ({time.time() - t0:.0f} s)")
    return cm.ChordNet(p["w1"], p["b1"], p["w2"], p["b2"]), metrics


def train_chords(out: os.PathLike, work: Optional[os.PathLike] = None, config: Optional[ChordTrainConfig] = None,
                 log: Callable[[str], None] = _log) -> dict:
    """Render (cached), train, write ``out/chords.npz`` and ``out/chords.json``; return the report.

    Parameters
    ----------
    out : path
        Output folder (``edgeaudio/data`` to replace the shipped weights).
    work : path, optional
        Cache folder for the per-song features (default ``~/.cache/edgeaudio/train/chords``).
    config : ChordTrainConfig, optional

    Returns
    -------
    dict
        ``file``, ``sha256``, ``size_bytes``, ``params``, ``config``, ``metrics``.
    """
    cfg = config or ChordTrainConfig()
    if cfg.seed_start <= 119 and cfg.seed_start + cfg.songs > 100 or \
            cfg.seed_start <= 1039 and cfg.seed_start + cfg.songs > 1000:
        raise ValueError(f"training seeds {cfg.seed_start}..{cfg.seed_start + cfg.songs - 1} overlap the "
                         "benchmark's held-out (100-119) or tuning (1000-1039) seeds")
    work_dir = Path(work) if work is not None else Path.home() / ".cache" / "edgeaudio" / "train" / "chords"
    songs = build_dataset(cfg, work_dir, log)
    val = [s for s in songs if is_validation(s["seed"], cfg)]
    train = [s for s in songs if not is_validation(s["seed"], cfg)]
    net, metrics = fit(train, val, cfg, log)
    out_dir = Path(out)
    path = out_dir / "chords.npz"
    sha = cm.save(net, path)
    report = {"file": str(path), "sha256": sha, "size_bytes": path.stat().st_size,
              "params": int(sum(a.size for a in (net.w1, net.b1, net.w2, net.b2))),
              "config": dataclasses.asdict(cfg), "metrics": metrics}
    (out_dir / "chords.json").write_text(json.dumps(report, indent=2) + "\n")
    log(f"wrote {path} ({report['size_bytes']} bytes, sha256 {sha})")
    return report
