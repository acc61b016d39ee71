"""Google Speech Commands directory layout: ``root/<word>/<speaker>_nohash_<n>.wav``.

``validation_list.txt`` and ``testing_list.txt`` (paths relative to
``root``) name the held-out clips; every other clip trains. Words outside
the target vocabulary become "unknown"; ``_background_noise_`` holds long
noise recordings, cut into 1 s "silence" clips. Splits follow the lists,
which Google made by speaker hash, so they too are by voice.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np

BACKGROUND_DIR = "_background_noise_"


@dataclass(frozen=True)
class Clip:
    path: Path
    word: str
    label: str
    speaker: str
    split: str


def _read_list(root: Path, name: str) -> set:
    p = root / name
    if not p.is_file():
        return set()
    return {line.strip() for line in p.read_text().splitlines() if line.strip()}


def scan(root: os.PathLike, keywords: Sequence[str]) -> List[Clip]:
    """Every clip under ``root`` with its label ("unknown" outside ``keywords``) and split.

    Raises
    ------
    FileNotFoundError
        ``root`` is not a directory or holds no word folders with .wav files.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"Speech Commands root {root} is not a directory")
    val, test = _read_list(root, "validation_list.txt"), _read_list(root, "testing_list.txt")
    clips = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and p.name != BACKGROUND_DIR):
        for f in sorted(d.glob("*.wav")):
            rel = f"{d.name}/{f.name}"
            split = "test" if rel in test else "val" if rel in val else "train"
            speaker = f.name.split("_nohash_")[0]
            clips.append(Clip(f, d.name, d.name if d.name in keywords else "unknown", speaker, split))
    if not clips:
        raise FileNotFoundError(f"no <word>/*.wav clips under {root}")
    return clips


def read_wav(path: os.PathLike, n: int = 16000) -> np.ndarray:
    """A 16 kHz 16-bit mono clip as float32, zero-padded or cut to ``n`` samples."""
    import wave

    with wave.open(str(path), "rb") as w:
        if w.getframerate() != 16000 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16 kHz 16-bit PCM, got {w.getframerate()} Hz, "
                             f"{8 * w.getsampwidth()}-bit")
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0
        if w.getnchannels() > 1:
            x = x.reshape(-1, w.getnchannels()).mean(axis=1)
    out = np.zeros(n, np.float32)
    out[: min(n, len(x))] = x[:n]
    return out


def background_noise(root: os.PathLike) -> List[np.ndarray]:
    """The long recordings of ``_background_noise_`` (empty list when absent)."""
    d = Path(root) / BACKGROUND_DIR
    if not d.is_dir():
        return []
    out = []
    for f in sorted(d.glob("*.wav")):
        import wave

        with wave.open(str(f), "rb") as w:
            out.append(np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0)
    return out


def load(root: os.PathLike, keywords: Sequence[str], silence_per_split: Dict[str, int] = None,
         seed: int = 0) -> Dict[str, Tuple[np.ndarray, List[str]]]:
    """Audio and labels per split: ``{"train": (audio (n, 16000), labels), "val": ..., "test": ...}``.

    Silence clips are cut from ``_background_noise_`` (or are digital
    silence when the folder is missing), ``silence_per_split`` of them per split.
    """
    rng = np.random.default_rng(seed)
    clips = scan(root, keywords)
    noise = background_noise(root)
    out = {}
    for split in ("train", "val", "test"):
        sel = [c for c in clips if c.split == split]
        audio = [read_wav(c.path) for c in sel]
        labels = [c.label for c in sel]
        n_sil = (silence_per_split or {}).get(split, max(1, len(sel) // 11))
        for _ in range(n_sil):
            if noise:
                src = noise[int(rng.integers(0, len(noise)))]
                s = int(rng.integers(0, max(1, len(src) - 16000)))
                seg = np.zeros(16000, np.float32)
                piece = src[s:s + 16000]
                seg[: len(piece)] = piece * rng.uniform(0.0, 1.0)
                audio.append(seg)
            else:
                audio.append(np.zeros(16000, np.float32))
            labels.append("silence")
        out[split] = (np.stack(audio) if audio else np.zeros((0, 16000), np.float32), labels)
    return out
