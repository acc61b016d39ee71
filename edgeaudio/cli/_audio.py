"""Audio in and out for the CLI commands: files (soundfile), raw PCM on stdin, progress, plots."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator, Optional, Tuple

import numpy as np

PCM_FORMATS = {"s16le": np.dtype("<i2"), "f32le": np.dtype("<f4")}


def _soundfile():
    try:
        import soundfile
    except ImportError as e:  # pragma: no cover - soundfile is in the extras
        raise RuntimeError("reading audio files needs soundfile: pip install 'edgeaudio[cli]'") from e
    return soundfile


def open_audio(path: str, what: str = "input"):
    """An open soundfile.SoundFile, with the errors users can fix said plainly."""
    sf = _soundfile()
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} {path}: no such file")
    if p.is_dir():
        raise IsADirectoryError(f"{what} {path}: is a directory, expected an audio file")
    try:
        return sf.SoundFile(str(p))
    except Exception as e:  # noqa: BLE001 - libsndfile's errors are RuntimeError / LibsndfileError
        raise ValueError(f"{what} {path}: not a readable audio file (WAV, FLAC, OGG ... as libsndfile "
                         f"reads them): {e}") from None


def check_channels(f, path: str, channel: Optional[int]) -> int:
    """The channel index to read; a multi-channel file needs ``--channel``."""
    if channel is None:
        if f.channels != 1:
            raise ValueError(f"{path} has {f.channels} channels; edgeaudio listens to one microphone: "
                             f"pick one with --channel 0..{f.channels - 1}")
        return 0
    if not 0 <= channel < f.channels:
        raise ValueError(f"--channel {channel} is out of range: {path} has {f.channels} channel(s)")
    return channel


def file_blocks(path: str, block_s: float, channel: Optional[int] = None, ref: Optional[str] = None,
                progress: bool = True) -> Tuple[int, float, Iterator[Tuple[np.ndarray, Optional[np.ndarray]]]]:
    """(sample rate, seconds, iterator of (mic block, ref block or None)) over a file and optional reference."""
    f = open_audio(path, "input")
    ch = check_channels(f, path, channel)
    g = None
    if ref is not None:
        g = open_audio(ref, "--ref")
        check_channels(g, ref, None if g.channels == 1 else 0)
        if g.samplerate != f.samplerate:
            raise ValueError(f"--ref {ref} is at {g.samplerate} Hz but {path} is at {f.samplerate} Hz: "
                             "the playback reference must have the mic's rate")
    rate = f.samplerate
    n = int(block_s * rate)
    seconds = f.frames / rate

    def gen():
        bar = _bar(f.frames / rate, progress, Path(path).name)
        try:
            while True:
                m = f.read(n, dtype="float32", always_2d=True)
                if len(m) == 0:
                    break
                r = None
                if g is not None:
                    r = g.read(len(m), dtype="float32", always_2d=True)[:, 0]
                    if len(r) < len(m):  # the reference ended: the loudspeaker is silent
                        r = np.concatenate([r, np.zeros(len(m) - len(r), np.float32)])
                yield np.ascontiguousarray(m[:, ch]), r
                if bar is not None:
                    bar.update(len(m) / rate)
        finally:
            if bar is not None:
                bar.close()
            f.close()
            if g is not None:
                g.close()
    return rate, seconds, gen()


def stdin_blocks(rate: int, fmt: str, block_s: float) -> Iterator[np.ndarray]:
    """Mono raw PCM from standard input, in blocks (a partial last sample is dropped)."""
    dt = PCM_FORMATS[fmt]
    n = max(1, int(block_s * rate)) * dt.itemsize
    stream = sys.stdin.buffer
    rest = b""
    while True:
        chunk = stream.read(n)
        if not chunk:
            break
        data = rest + chunk
        usable = len(data) // dt.itemsize * dt.itemsize
        rest = data[usable:]
        if usable:
            yield np.frombuffer(data[:usable], dt).astype(np.int16 if fmt == "s16le" else np.float32)


def read_mono(path: str, channel: Optional[int] = None, what: str = "input") -> Tuple[np.ndarray, int]:
    f = open_audio(path, what)
    with f:
        ch = check_channels(f, path, channel)
        x = f.read(dtype="float32", always_2d=True)[:, ch]
    return np.ascontiguousarray(x), f.samplerate


def write_wav(path: str, x: np.ndarray, rate: int) -> None:
    sf = _soundfile()
    try:
        sf.write(path, np.clip(x, -1, 1), rate, subtype="PCM_16")
    except Exception as e:  # noqa: BLE001
        raise OSError(f"cannot write {path}: {e}") from None


def _bar(total_s: float, enabled: bool, desc: str):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=round(total_s, 2), unit="s", desc=desc, file=sys.stderr, leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s [{elapsed}<{remaining}]")


def blocks_with_bar(x: np.ndarray, rate: int, block: int, progress: bool, desc: str) -> Iterator[int]:
    """Start indices of the blocks of ``x``, with a progress bar in seconds."""
    bar = _bar(len(x) / rate, progress, desc)
    try:
        for i in range(0, len(x), block):
            yield i
            if bar is not None:
                bar.update(min(block, len(x) - i) / rate)
    finally:
        if bar is not None:
            bar.close()


def plot(path: str, audio: np.ndarray, rate: int, title: str, processed: Optional[np.ndarray] = None,
         scores=None, events=(), features: Optional[np.ndarray] = None, feature_hop_s: float = 0.01) -> None:
    """PNG: waveform, spectrogram (of ``processed`` too if given), feature matrix, model scores
    and detections over time."""
    try:
        import matplotlib
    except ImportError as e:
        raise RuntimeError("--plot needs matplotlib: pip install matplotlib") from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..features import FrontendConfig, logmel

    rows = 2 + (processed is not None) + (features is not None) + (scores is not None)
    fig, axes = plt.subplots(rows, 1, figsize=(11, 2.0 * rows), sharex=True, squeeze=False)
    axes = axes[:, 0]
    t = np.arange(len(audio)) / rate
    axes[0].plot(t, audio, lw=0.3)
    import textwrap

    axes[0].set_title("\n".join(textwrap.wrap(title, 150)), fontsize=8)
    axes[0].set_ylabel("amplitude")
    row = 1

    def spec(ax, x, label):
        cfg = FrontendConfig.preset("kws", sample_rate=rate, hop_length=max(1, rate // 100),
                                    win_length=int(0.03 * rate), n_fft=1 << int(np.ceil(np.log2(0.03 * rate))),
                                    fmax_hz=min(7500.0, rate / 2 * 0.95))
        m = logmel(np.asarray(x, np.float32), cfg) if len(x) >= cfg.win_length else np.zeros((1, 40))
        ax.imshow(m.T, origin="lower", aspect="auto", extent=(0, len(x) / rate, 0, m.shape[1]), cmap="magma",
                  vmin=np.percentile(m, 5), vmax=m.max())
        ax.set_ylabel("mel band")
        ax.set_title(label, fontsize=9)

    spec(axes[row], audio, "log-mel spectrogram (input)")
    row += 1
    if processed is not None:
        spec(axes[row], processed, "log-mel spectrogram (processed)")
        row += 1
    if features is not None:
        axes[row].imshow(features.T, origin="lower", aspect="auto", cmap="viridis",
                         extent=(0, len(features) * feature_hop_s, 0, features.shape[1]))
        axes[row].set_title("features", fontsize=9)
        row += 1
    if scores is not None:
        ax = axes[row]
        for name, (times, post, labels) in scores.items():
            for ci, lab in enumerate(labels):
                if lab in ("silence", "unknown", "negative") or not post.size or post[:, ci].max() < 0.2:
                    continue
                ax.plot(times, post[:, ci], lw=0.8, label=f"{name}:{lab}")
        for e in events:
            ax.axvline(e.time_s, color="k", ls="--", lw=0.8)
            ax.text(e.time_s, 1.02, e.label, fontsize=7)
        ax.set_ylim(0, 1.15)
        ax.set_ylabel("score")
        ax.set_title("model scores and detections (dashed)", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=6, ncol=4)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=90)
    except Exception as e:  # noqa: BLE001
        raise OSError(f"cannot write the plot {path}: {e}") from None
    finally:
        plt.close(fig)
