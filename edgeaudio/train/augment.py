"""Audio augmentation: noise of several colours, music, babble, room IRs, gain, shift, speed.

All functions take a ``numpy.random.Generator`` so every augmented clip is
reproducible from the dataset seed.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np

SAMPLE_RATE = 16000


def coloured_noise(n: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise: "white", "pink" (1/f) or "brown" (1/f^2) power spectrum."""
    w = rng.standard_normal(n)
    if colour != "white":
        spec = np.fft.rfft(w)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        spec /= f ** (0.5 if colour == "pink" else 1.0)
        w = np.fft.irfft(spec, n)
    w = w - w.mean()
    return (w / (np.sqrt(np.mean(w ** 2)) + 1e-12)).astype(np.float32)


def music(n: int, rng: np.random.Generator, soundfont: Optional[object] = None) -> np.ndarray:
    """A random chord progression with a melody (General MIDI program), unit RMS.

    Uses :class:`edgeaudio.synth.Synth` with the SoundFont when given, else
    its built-in wavetable patches.
    """
    from .. import synth

    s = synth.Synth(sample_rate=SAMPLE_RATE, max_voices=24, soundfont=soundfont)
    events = []
    prog_a, prog_b = int(rng.integers(0, 96)), int(rng.integers(0, 96))
    events.append((0, 0xC0, prog_a, 0))
    events.append((0, 0xC1, prog_b, 0))
    root = int(rng.integers(45, 60))
    beat = int(SAMPLE_RATE * rng.uniform(0.18, 0.45))
    t = 0
    while t < n:
        chord = [root + d for d in ((0, 4, 7) if rng.random() < 0.6 else (0, 3, 7))]
        for k in chord:
            events.append((t, 0x90, k, int(rng.integers(50, 100))))
        for j in range(4):
            key = root + 12 + int(rng.choice([0, 2, 4, 5, 7, 9, 11, 12]))
            events.append((t + j * beat, 0x91, key, int(rng.integers(60, 110))))
            events.append((t + (j + 1) * beat - 1, 0x81, key, 0))
        for k in chord:
            events.append((t + 4 * beat - 1, 0x80, k, 0))
        t += 4 * beat
        root = 45 + (root - 45 + int(rng.choice([5, 7, -5, 2]))) % 15
    events = [e for e in events if e[0] < n]
    events.sort(key=lambda e: e[0])
    x = s.render(n, events=events).mean(axis=1)
    rms = np.sqrt(np.mean(x ** 2))
    if rms < 1e-6:
        return coloured_noise(n, "pink", rng)
    return (x / rms).astype(np.float32)


def high_shelf(x: np.ndarray, gain_db: float, corner_hz: float = 3000.0, width_hz: float = 600.0,
               sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``x`` with ``gain_db`` more (or less) level above ``corner_hz``: a smooth zero-phase shelf.

    The gain moves from 0 to ``gain_db`` along a logistic curve ``width_hz``
    wide around the corner (one FFT of the whole signal): brighter or duller
    instruments and loudspeakers than the ones rendered. Not the RBJ shelf of
    :func:`edgeaudio.enhance.biquad`: the shipped alexa was trained with this
    one, and the same command with the biquad (gain at the corner half of the
    shelf's, gentler slope) made another model (19 false accepts in 20 h, not 6).
    """
    from scipy.fft import irfft, next_fast_len, rfft

    n = len(x)
    m = next_fast_len(n, real=True)
    f = np.arange(m // 2 + 1) * (sample_rate / m)
    g = 10 ** (gain_db / 20 / (1 + np.exp(-(f - corner_hz) / (width_hz / 4))))
    return irfft(rfft(x, m) * g, m)[:n].astype(np.float32)


def room_irs(count: int, rng: np.random.Generator) -> List[np.ndarray]:
    """Room impulse responses of random shoebox rooms (pyroomacoustics); [] if it is not installed."""
    try:
        import pyroomacoustics as pra
    except Exception:  # noqa: BLE001 - optional
        return []
    irs = []
    for _ in range(count):
        dims = np.array([rng.uniform(3, 8), rng.uniform(3, 7), rng.uniform(2.4, 3.5)])
        rt60 = rng.uniform(0.15, 0.7)
        try:
            absorption, max_order = pra.inverse_sabine(rt60, dims)
        except ValueError:
            absorption, max_order = 0.4, 10
        room = pra.ShoeBox(dims, fs=SAMPLE_RATE, materials=pra.Material(absorption), max_order=min(max_order, 12))
        src = dims * rng.uniform(0.15, 0.85, 3)
        mic = dims * rng.uniform(0.15, 0.85, 3)
        room.add_source(src)
        room.add_microphone(mic)
        room.compute_rir()
        h = np.asarray(room.rir[0][0], np.float64)[: SAMPLE_RATE // 2]
        irs.append((h / (np.abs(h).max() + 1e-12)).astype(np.float32))
    return irs


def apply_ir(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    from scipy.signal import fftconvolve

    onset = int(np.argmax(np.abs(h)))
    y = fftconvolve(x, h)[onset:onset + len(x)]
    rx, ry = np.sqrt(np.mean(x ** 2)), np.sqrt(np.mean(y ** 2))
    return (y * (rx / (ry + 1e-12))).astype(np.float32)


def speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Resample by ``factor`` (>1 faster and higher, as Kaldi's speed perturbation)."""
    n = max(1, int(round(len(x) / factor)))
    t = np.linspace(0, len(x) - 1, n)
    return np.interp(t, np.arange(len(x)), x).astype(np.float32)


def place(x: np.ndarray, n: int, rng: np.random.Generator, max_shift: int) -> np.ndarray:
    """Put ``x`` in an ``n``-sample clip, centred then shifted by up to ``max_shift`` samples
    (speech longer than the clip keeps its loudest ``n`` samples)."""
    if len(x) > n:
        e = np.convolve(x ** 2, np.ones(n // 4), mode="valid")
        c = int(np.argmax(e)) + n // 8
        start = int(np.clip(c - n // 2, 0, len(x) - n))
        return x[start:start + n].copy()
    out = np.zeros(n, np.float32)
    start = (n - len(x)) // 2 + int(rng.integers(-max_shift, max_shift + 1))
    start = int(np.clip(start, 0, n - len(x)))
    out[start:start + len(x)] = x
    return out


def trim(x: np.ndarray, threshold_db: float = -40.0) -> np.ndarray:
    """Cut leading and trailing samples quieter than ``threshold_db`` below the peak (10 ms frames)."""
    if x.size == 0:
        return x
    hop = SAMPLE_RATE // 100
    m = len(x) // hop
    if m == 0:
        return x
    e = np.sqrt(np.mean(x[: m * hop].reshape(m, hop) ** 2, axis=1))
    on = np.nonzero(e > e.max() * 10 ** (threshold_db / 20))[0]
    if on.size == 0:
        return x[:0]
    return x[on[0] * hop:(on[-1] + 1) * hop]


def drop_final_release(x: np.ndarray, attenuation_db: float, within_db: float = 15.0,
                       keep_ms: float = 20.0) -> np.ndarray:
    """``x`` with everything after its last loud stretch attenuated by ``attenuation_db``: an unreleased final stop.

    The last 10 ms frame within ``within_db`` of the loudest one ends the word's
    last vowel; ``keep_ms`` after it stay, then a 5 ms ramp brings the rest (a
    final stop's closure and release burst, as in "up" -> "u[p]") down.
    American English often leaves a final stop unreleased; a model that only
    knows "up" by its burst hears the vowel alone.
    """
    hop = SAMPLE_RATE // 100
    m = len(x) // hop
    if m == 0 or attenuation_db <= 0:
        return x.copy()
    e = np.sqrt(np.mean(x[: m * hop].reshape(m, hop) ** 2, axis=1))
    last = int(np.nonzero(e >= e.max() * 10 ** (-within_db / 20))[0][-1])
    start = min(len(x), (last + 1) * hop + int(keep_ms * SAMPLE_RATE / 1000))
    ramp = SAMPLE_RATE // 200
    g = np.ones(len(x), np.float32)
    floor = 10 ** (-attenuation_db / 20)
    n_ramp = min(ramp, len(x) - start)
    g[start:start + n_ramp] = np.linspace(1.0, floor, n_ramp, dtype=np.float32)
    g[start + n_ramp:] = floor
    return (x * g).astype(np.float32)


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech + g * noise`` with ``g`` setting the speech-to-noise power ratio (active speech power)."""
    active = speech[np.abs(speech) > 1e-4]
    ps = float(np.mean(active ** 2)) if active.size else 0.0
    pn = float(np.mean(noise ** 2)) + 1e-12
    if ps == 0.0:
        return noise.astype(np.float32)
    g = np.sqrt(ps / (pn * 10 ** (snr_db / 10)))
    return (speech + g * noise).astype(np.float32)


def set_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale to an RMS of ``dbfs`` dB full scale, then keep the peak below 0.99."""
    rms = np.sqrt(np.mean(x ** 2))
    if rms < 1e-9:
        return x.astype(np.float32)
    y = x * (10 ** (dbfs / 20) / rms)
    peak = np.abs(y).max()
    if peak > 0.99:
        y *= 0.99 / peak
    return y.astype(np.float32)


def spec_augment(feats: np.ndarray, rng: np.random.Generator, time_masks: int = 2, time_width: int = 6,
                 freq_masks: int = 2, freq_width: int = 5) -> np.ndarray:
    """SpecAugment masks on a batch ``(n, frames, bins)``; masked cells take each example's mean."""
    out = feats.copy()
    n, t, f = out.shape[:3]
    fill = out.reshape(n, -1).mean(axis=1)
    for i in range(n):
        for _ in range(time_masks):
            w = int(rng.integers(0, time_width + 1))
            s = int(rng.integers(0, max(1, t - w)))
            out[i, s:s + w] = fill[i]
        for _ in range(freq_masks):
            w = int(rng.integers(0, freq_width + 1))
            s = int(rng.integers(0, max(1, f - w)))
            out[i, :, s:s + w] = fill[i]
    return out


class NoiseBank:
    """Background clips to mix in: coloured noise, music, babble; drawn by a generator."""

    def __init__(self, clips: Sequence[np.ndarray]) -> None:
        self.clips = [np.asarray(c, np.float32) for c in clips]

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        c = self.clips[int(rng.integers(0, len(self.clips)))]
        if len(c) <= n:
            c = np.tile(c, n // max(len(c), 1) + 1)
        s = int(rng.integers(0, len(c) - n + 1))
        return c[s:s + n]


def vtlp(x: np.ndarray, alpha: float, boundary_hz: float = 4800.0, n_fft: int = 512) -> np.ndarray:
    """Vocal-tract-length perturbation: warp the spectral envelope's frequency axis by ``alpha``.

    The piecewise-linear warp of Jaitly & Hinton (2013): frequencies below
    ``boundary_hz * min(alpha, 1) / alpha`` scale by ``alpha`` (>1 sounds like a
    shorter vocal tract, higher formants), the rest map linearly onto the band
    up to Nyquist, so nothing folds over. Applied to the STFT magnitude (each
    output bin reads the warped source frequency, linearly interpolated) with
    the unwarped phase, and resynthesised by overlap-add: duration is kept,
    unlike :func:`speed`.
    """
    from scipy.signal import stft

    if x.size < n_fft or abs(alpha - 1.0) < 1e-6:
        return x.astype(np.float32)
    nyq = SAMPLE_RATE / 2
    f = np.linspace(0, nyq, n_fft // 2 + 1)
    f0 = boundary_hz * min(alpha, 1.0) / alpha
    # forward map source -> target, then sample its inverse at the target bins
    if f0 >= nyq:  # boundary at Nyquist (alpha <= 1): a pure scaling
        warped = f * alpha
    else:
        warped = np.where(f <= f0, f * alpha, nyq - (nyq - f0 * alpha) / (nyq - f0) * (nyq - f))
    src = np.interp(f, warped, f)
    _, _, z = stft(x.astype(np.float64), nperseg=n_fft, noverlap=n_fft * 3 // 4)
    y = _overlap_add(_read_bins(np.abs(z), src) * np.exp(1j * np.angle(z)), len(x), n_fft)
    rx, ry = np.sqrt(np.mean(x ** 2)), np.sqrt(np.mean(y ** 2))
    return (y * (rx / (ry + 1e-12))).astype(np.float32)


def _read_bins(a: np.ndarray, src_hz: np.ndarray) -> np.ndarray:
    """Rows of ``a`` (one per STFT bin, 0 .. Nyquist) read at frequencies ``src_hz``, linearly interpolated."""
    pos = src_hz / (SAMPLE_RATE / 2) * (a.shape[0] - 1)
    lo = np.clip(np.floor(pos).astype(int), 0, a.shape[0] - 2)
    w = (pos - lo)[:, None]
    return (1 - w) * a[lo] + w * a[lo + 1]


def _overlap_add(z: np.ndarray, n: int, n_fft: int) -> np.ndarray:
    """The inverse of the augmenters' STFT (75 % overlap), cut or zero-padded to ``n`` samples."""
    from scipy.signal import istft

    _, y = istft(z, nperseg=n_fft, noverlap=n_fft * 3 // 4)
    y = y[:n]
    return np.pad(y, (0, n - len(y))) if len(y) < n else y


def vocal_tract_perturb(x: np.ndarray, alpha: float) -> np.ndarray:
    """Vocal-tract-length perturbation with a pure scaling of the frequency axis (the wake-word recipe).

    The content at ``f`` moves to ``alpha * f`` over the whole band (``alpha`` >
    1 raises the formants, a shorter vocal tract; < 1 lowers them): :func:`vtlp`
    with its warp boundary at Nyquist. Duration and level are unchanged.

    Raises
    ------
    ValueError
        If ``alpha`` is outside [0.5, 2].
    """
    if not 0.5 <= alpha <= 2.0:
        raise ValueError(f"alpha must be in [0.5, 2], got {alpha}")
    return vtlp(x, alpha, boundary_hz=SAMPLE_RATE / 2)


#: knots (Hz) of :func:`formant_warp`'s piecewise-linear map: F1, F2 and F3 regions move on their own
FORMANT_KNOTS_HZ = (500.0, 1500.0, 2500.0, 3800.0)


def formant_warp(x: np.ndarray, alphas: Sequence[float], n_fft: int = 512, lifter: int = 30) -> np.ndarray:
    """Move the formants and keep the pitch: a per-region warp of the spectral envelope only.

    Each STFT frame's log magnitude is split into a smooth envelope (the first
    ``lifter`` real-cepstrum coefficients, about 1.9 ms at 16 kHz, below any
    voice's pitch period) and the fine structure (harmonics, noise). The
    envelope's frequency axis is remapped by a monotone piecewise-linear map
    that sends each knot of :data:`FORMANT_KNOTS_HZ` to ``knot * alpha`` (one
    ``alpha`` per knot, 0 Hz and Nyquist fixed), and the fine structure is
    put back unchanged, so harmonics stay where they were. Unlike
    :func:`vocal_tract_perturb`, which scales everything by one factor, the
    F1, F2 and F3 regions move by different amounts, as they differ between
    real speakers. Duration and level are kept.

    Raises
    ------
    ValueError
        If ``alphas`` does not give one factor in [0.6, 1.6] per knot, or the
        mapped knots are not increasing.
    """
    from scipy.signal import stft

    alphas = np.asarray(alphas, np.float64)
    knots = np.asarray(FORMANT_KNOTS_HZ)
    if alphas.shape != knots.shape or not np.all((alphas >= 0.6) & (alphas <= 1.6)):
        raise ValueError(f"alphas must be {len(knots)} factors in [0.6, 1.6], got {alphas.tolist()}")
    nyq = SAMPLE_RATE / 2
    src_pts = np.concatenate([[0.0], knots, [nyq]])
    dst_pts = np.concatenate([[0.0], knots * alphas, [nyq]])
    if np.any(np.diff(dst_pts) <= 0):
        raise ValueError(f"mapped knots must increase, got {dst_pts[1:-1].tolist()}")
    if x.size < n_fft:
        return x.astype(np.float32)
    f = np.linspace(0, nyq, n_fft // 2 + 1)
    src = np.interp(f, dst_pts, src_pts)  # the output bin at f reads the envelope at src
    _, _, z = stft(x.astype(np.float64), nperseg=n_fft, noverlap=n_fft * 3 // 4)
    logmag = np.log(np.abs(z) + 1e-9)
    ceps = np.fft.irfft(logmag, axis=0)
    ceps[lifter:-lifter + 1] = 0.0
    env = np.fft.rfft(ceps, axis=0).real[: len(f)]
    y = _overlap_add(np.exp(logmag - env + _read_bins(env, src)) * np.exp(1j * np.angle(z)), len(x), n_fft)
    rx, ry = np.sqrt(np.mean(x.astype(np.float64) ** 2)), np.sqrt(np.mean(y ** 2))
    return (y * (rx / (ry + 1e-12))).astype(np.float32)


def random_formant_alphas(rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    """One factor per :data:`FORMANT_KNOTS_HZ` knot, drawn in [lo, hi] and kept increasing once mapped."""
    knots = np.asarray(FORMANT_KNOTS_HZ)
    while True:
        a = rng.uniform(lo, hi, len(knots))
        mapped = knots * a
        if np.all(np.diff(mapped) > 80.0) and mapped[-1] < SAMPLE_RATE / 2 - 500.0:
            return a


def random_formant_warp(x: np.ndarray, rng: np.random.Generator, prob: float,
                        factor_range: Sequence[float]) -> np.ndarray:
    """With chance ``prob``, :func:`formant_warp` ``x`` by factors drawn in ``factor_range`` (the
    trainers' formant augmentation); otherwise ``x`` unchanged (and no draw when ``prob`` is 0)."""
    if prob > 0 and rng.random() < prob:
        return formant_warp(x, random_formant_alphas(rng, factor_range[0], factor_range[1]))
    return x


def noise_suppressed(x: np.ndarray, warm: bool = True, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``x`` (one signal, or clips as rows of a 2-D array) as the pipeline's noise suppressor outputs it,
    aligned with the input (its latency removed).

    A deployed suppressor has been listening for a while: with ``warm`` each signal first runs through
    it once to set its noise estimate, then again for the output; ``warm=False`` starts from a reset
    suppressor (fine for a stream minutes long).
    """
    from ..enhance import NoiseSuppressor

    a = np.asarray(x, np.float32)
    rows = np.atleast_2d(a)
    ns = NoiseSuppressor(sample_rate)
    pad = np.zeros(ns.latency, np.float32)
    out = np.empty_like(rows)
    for i, r in enumerate(rows):
        ns.reset()
        if warm:
            ns.process(r)
        out[i] = ns.process(np.concatenate([r, pad]))[ns.latency:ns.latency + len(r)]
    return out if a.ndim == 2 else out[0]
