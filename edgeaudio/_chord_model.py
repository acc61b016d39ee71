"""The learned chord scorer behind ``analysis.recognize_chords(model="learned")``.

One small network scores "is this frame a major / minor chord on root r" with
the same weights for all twelve roots: for root ``r`` it sees the
semitone-level constant-Q spectrum from ``r`` semitones above C1 upwards (six
octaves), so the chord's notes, its bass and their overtones always fall on the
same inputs whatever the key. Inputs per root: the log-compressed,
per-frame-normalised spectrum averaged over three context windows (the frame
and its neighbours, the frames before, the frames after) and the song's
pitch-class profile (a key context); one ReLU hidden layer; two outputs. The 24
outputs of the 12 roots are the chord logits, in :data:`analysis.CHORD_LABELS`
order (C:maj..B:maj, C:min..B:min).

Inference is numpy only. The weights (``edgeaudio/data/chords.npz``, about
120 kB) are trained by ``edgeaudio train chords``
(:mod:`edgeaudio.train.chords`) on generated songs rendered through two
SoundFonts and as additive tones; ``WEIGHTS_SHA256`` pins the shipped file.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

import numpy as np

#: semitones of the spectrum the features start from: C1..B7 (the recogniser's CQT)
N_SEMITONES = 84
#: semitones each root's window spans (root r sees C1 + r .. C1 + r + WINDOW - 1)
WINDOW = 72
#: context windows in frames relative to the scored frame (inclusive ranges): the frame and its
#: neighbours, the frames before, the frames after (about 46 ms a frame)
CONTEXT = ((-1, 1), (-6, -2), (2, 6))
#: log compression: log1p(GAMMA * level / frame max) / log1p(GAMMA)
GAMMA = 100.0
#: inputs per root
N_INPUTS = len(CONTEXT) * WINDOW + 12
FORMAT_VERSION = 1

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "data" / "chords.npz"
#: sha256 of the shipped weights; ``edgeaudio train chords`` prints the hash of the file it writes
WEIGHTS_SHA256 = "f8c3d9bbb6efa4f709fa8f754574cb7934ded450ece7a8eab40a2f7593619147"


def semitone_spectrum(mag: np.ndarray) -> np.ndarray:
    """(frames, 3 * s) CQT magnitudes at three bins per semitone, the first bin on a note
    -> (frames, N_SEMITONES) root-sum-square of each note's three bins (zero above the CQT's top)."""
    frames, bins = mag.shape
    if bins % 3:
        raise ValueError(f"the CQT must have three bins per semitone, got {bins} bins")
    p = np.pad(np.square(mag, dtype=np.float32), ((0, 0), (1, 1)))[:, :bins]
    s = np.sqrt(p.reshape(frames, bins // 3, 3).sum(axis=2))
    out = np.zeros((frames, N_SEMITONES), np.float32)
    n = min(N_SEMITONES, s.shape[1])
    out[:, :n] = s[:, :n]
    return out


def _window_mean(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Mean of x[t + lo .. t + hi] per frame t (edges: the frames that exist)."""
    f = x.shape[0]
    c = np.concatenate([np.zeros((1, x.shape[1]), np.float64), np.cumsum(x, axis=0, dtype=np.float64)])
    t = np.arange(f)
    a = np.clip(t + lo, 0, f)
    b = np.clip(t + hi + 1, 0, f)
    n = np.maximum(b - a, 1)[:, None]
    out = (c[b] - c[a]) / n
    # where the window lies wholly outside the signal, use the frame itself
    empty = b <= a
    out[empty] = x[empty]
    return out.astype(np.float32)


def features(semis: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(frames, N_SEMITONES) semitone levels -> (context (frames, len(CONTEXT), N_SEMITONES),
    song pitch-class profile (12,)), the per-song inputs :func:`root_inputs` slices per root."""
    semis = np.asarray(semis, dtype=np.float32)
    peak = semis.max(axis=1, keepdims=True)
    level = np.log1p(GAMMA * semis / np.maximum(peak, 1e-12)) / np.log1p(GAMMA)
    level[peak[:, 0] <= 0] = 0.0
    ctx = np.stack([_window_mean(level, lo, hi) for lo, hi in CONTEXT], axis=1)
    profile = level.reshape(level.shape[0], -1, 12).sum(axis=(0, 1)) if level.size else np.zeros(12)
    profile = profile - profile.mean()
    profile = profile / max(float(np.sqrt(np.mean(profile ** 2))), 1e-9)
    return ctx, profile.astype(np.float32)


def root_inputs(ctx: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """(frames, C, N_SEMITONES), (12,) -> (frames, 12 roots, N_INPUTS): root r's spectrum window
    and the profile rotated so that r is at 0."""
    frames = ctx.shape[0]
    out = np.empty((frames, 12, N_INPUTS), np.float32)
    for r in range(12):
        out[:, r, :-12] = ctx[:, :, r:r + WINDOW].reshape(frames, -1)
        out[:, r, -12:] = np.roll(profile, -r)
    return out


def forward(p: Dict[str, np.ndarray], x: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The network on (n, 12, N_INPUTS) inputs with weights ``p`` (w1, b1, w2, b2): the hidden
    pre-activations and activations (n, 12, H) (what training back-propagates through) and the
    (n, 24) logits, majors of roots 0-11 then minors."""
    a = x @ p["w1"] + p["b1"]
    h = np.maximum(a, 0.0)
    z = h @ p["w2"] + p["b2"]                           # (n, 12, 2)
    return a, h, z.transpose(0, 2, 1).reshape(x.shape[0], 24)


class ChordNet:
    """The root-shared scorer: ``logits(semis)`` -> (frames, 24)."""

    KEYS = ("w1", "b1", "w2", "b2")

    def __init__(self, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray):
        self.w1, self.b1, self.w2, self.b2 = (np.asarray(a, dtype=np.float32) for a in (w1, b1, w2, b2))
        hidden = self.w1.shape[1] if self.w1.ndim == 2 else -1
        if (self.w1.shape != (N_INPUTS, hidden) or self.b1.shape != (hidden,) or self.w2.shape != (hidden, 2)
                or self.b2.shape != (2,)):
            raise ValueError(f"chord model weights have the wrong shapes: w1 {self.w1.shape} (want ({N_INPUTS}, H)), "
                             f"b1 {self.b1.shape}, w2 {self.w2.shape} (want (H, 2)), b2 {self.b2.shape}")
        if not all(np.all(np.isfinite(a)) for a in (self.w1, self.b1, self.w2, self.b2)):
            raise ValueError("chord model weights contain NaN or Inf")

    def logits_from_inputs(self, x: np.ndarray) -> np.ndarray:
        """(n, 12, N_INPUTS) -> (n, 24): majors of roots 0-11, then minors."""
        return np.ascontiguousarray(forward(self.arrays(), x)[2])

    def logits(self, semis: np.ndarray) -> np.ndarray:
        ctx, profile = features(semis)
        out = np.empty((ctx.shape[0], 24), np.float32)
        step = 2048  # bounds the (frames, 12, N_INPUTS) temporary
        for i in range(0, ctx.shape[0], step):
            out[i:i + step] = self.logits_from_inputs(root_inputs(ctx[i:i + step], profile))
        return out

    def arrays(self) -> Dict[str, np.ndarray]:
        return {"format_version": np.int32(FORMAT_VERSION), "w1": self.w1, "b1": self.b1, "w2": self.w2,
                "b2": self.b2}


def save(net: ChordNet, path: Union[str, Path]) -> str:
    """Write the weights (npz) and return the file's sha256."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez(fh, **net.arrays())
    return hashlib.sha256(path.read_bytes()).hexdigest()


_CACHE: Dict[str, ChordNet] = {}


def load(path: Optional[Union[str, Path]] = None) -> ChordNet:
    """The weights at ``path`` (default: the shipped ``edgeaudio/data/chords.npz``, checked
    against :data:`WEIGHTS_SHA256`); cached per path.

    Raises
    ------
    FileNotFoundError
        The file is missing.
    ValueError
        The file is not a chord model of this format (corrupt, truncated, another hash).
    """
    default = path is None
    p = DEFAULT_WEIGHTS if default else Path(path)
    key = str(p)
    if key in _CACHE:
        return _CACHE[key]
    if not p.is_file():
        raise FileNotFoundError(f"chord model weights not found at {p}"
                                + (" (the package is incomplete: reinstall edgeaudio, or pass "
                                   "model='templates')" if default else ""))
    data = p.read_bytes()
    if default and hashlib.sha256(data).hexdigest() != WEIGHTS_SHA256:
        raise ValueError(f"chord model weights at {p} are corrupt (sha256 {hashlib.sha256(data).hexdigest()}, "
                         f"expected {WEIGHTS_SHA256}): reinstall edgeaudio, or pass model='templates'")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            version = int(z["format_version"])
            arrays = {k: z[k] for k in ChordNet.KEYS}
    except Exception as e:  # zipfile / npy format errors of a damaged file come in many types
        raise ValueError(f"chord model weights at {p} are unreadable ({type(e).__name__}: {e})") from None
    if version != FORMAT_VERSION:
        raise ValueError(f"chord model weights at {p} have format {version}, this edgeaudio reads {FORMAT_VERSION}")
    net = ChordNet(**arrays)
    _CACHE[key] = net
    return net
