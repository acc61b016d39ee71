"""Train the 12-class command model: synthesise, augment, train, quantise, evaluate, publish.

One function per stage, each reading and writing the work directory so an
interrupted run resumes (``resume=True``) where it stopped:

1. :func:`build_dataset` synthesises speech by voice split (``voices``),
   augments it (``augment``) and computes log-mel features with the one
   frontend (``edgeaudio.features``, ``kws`` preset); cached as ``data.npz``.
2. :func:`fit` trains a DS-CNN (``model.ds_cnn``), checkpointing every epoch.
3. :func:`quantize` converts the best weights to a full-integer int8 model.
4. :func:`evaluate` runs the *int8* model through :mod:`edgeaudio.runtime` on
   held-out voices, clean and with noise at 10 dB SNR.
5. :func:`publish` writes the model, its manifest entry and a report with a
   confusion matrix.
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import features
from . import augment, manifest, voices
from .model import (cepstra_note, consistency_trainer, consistency_trainer_class, count_macs, ds_cnn,
                    mel_reduction_note, tensorflow, to_int8_tflite)

KEYWORDS: Tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
LABELS: Tuple[str, ...] = ("silence", "unknown") + KEYWORDS
CLIP_SAMPLES = 16000
MODEL_NAME = "commands"
#: the stressed vowel's realisations across English accents, per keyword (espeak-ng phoneme names:
#: V strut, @ schwa, a# near-open central, 0 / A: / O: / O2 lot-palm-thought, oU / o: / @U goat, ...);
#: the first is espeak-ng's own for the training accents
VOWEL_VARIANTS: Dict[str, Tuple[str, ...]] = {
    "yes": ("E", "e", "a"), "no": ("oU", "o:", "@U", "O:"), "up": ("V", "@", "a#", "0", "U"),
    "down": ("aU",), "left": ("E", "e", "a"), "right": ("aI", "a", "A:"),
    "on": ("0", "A:", "O:", "O2", "V"), "off": ("0", "A:", "O:", "O2"), "stop": ("0", "A:", "O:", "V"),
    "go": ("oU", "o:", "@U", "O:")}
#: keywords whose last sound after the stressed vowel is a stop (up, stop, right: the release can be silent)
FINAL_STOP_WORDS = ("up", "stop", "right")
#: the festival (radio phone set) vowel nearest each espeak-ng vowel of :data:`VOWEL_VARIANTS`
FESTIVAL_VOWELS: Dict[str, str] = {
    "V": "ah", "@": "ax", "a#": "ah", "0": "aa", "A:": "aa", "O:": "ao", "O2": "ao", "U": "uh", "oU": "ow",
    "o:": "ow", "@U": "ow", "E": "eh", "e": "ey", "a": "ae", "aI": "ay", "aU": "aw"}
#: how the manifest names each DS-CNN head
POOLING = {"global_average": "global average pool", "global_max": "global max pool",
           "average_max": "global average and max pools concatenated",
           "time_flatten": "mel-axis average pool, time axis flattened"}


def frontend_config(hop_ms: int = 20) -> features.FrontendConfig:
    """The kws preset (16 kHz, 30 ms window, 40 mels); ``hop_ms`` 10 or 20."""
    return features.FrontendConfig.preset("kws", hop_length=16 * int(hop_ms))


@dataclass
class CommandsConfig:
    """What a run trains on and how; its hash names the cached dataset.

    Sizes are clean clips per class before augmentation (``augment_copies``
    augmented versions of each training clip are made).
    """

    train_per_keyword: int = 600
    val_per_class: int = 40
    test_per_class: int = 100
    unknown_factor: float = 2.0       # unknown clips = factor x train_per_keyword
    augment_copies: int = 3
    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 3e-3
    filters: int = 96
    blocks: int = 5
    #: DS-CNN pooling head (:data:`edgeaudio.train.model.HEADS`)
    head: str = "global_average"
    #: mel bands per band the DS-CNN's blocks see (:func:`edgeaudio.train.model.ds_cnn`: 4, the Hello Edge
    #: layout; 2 or 8 for twice or half the MACs, the same parameters)
    mel_reduction: int = 4
    #: cepstra of each log-mel frame the model keeps (:func:`edgeaudio.train.model.ds_cnn`: the frame smoothed
    #: to its spectral envelope inside the model; 0: the frames as they are)
    cepstra: int = 13
    hop_ms: int = 20
    seed: int = 1234
    festival: Optional[bool] = None   # None: use festival when installed
    room_irs: int = 24
    #: share of the training speech clips convolved with one of the ``room_irs`` room impulse responses
    room_ir_prob: float = 0.3
    music_clips: int = 6
    speech_commands_dir: Optional[str] = None
    snr_min_db: float = -3.0          # training background SNR range (dB)
    snr_max_db: float = 20.0
    vtlp_range: float = 0.15          # vocal-tract-length warp factor 1 +- this, on half the training clips
    festival_share: float = 0.3       # share of training clips spoken by festival kal (val/test: 0.25)
    festival_vtlp_range: float = 0.0  # kal clips: warp 1 +- this (0: as espeak), so one diphone voice sounds like many
    #: festival kal's training clips speak at the espeak-like rate times a factor drawn log-uniformly from this
    #: range ((1, 1): none). Diphone voices keep their own pace per word: at the same duration stretch ked says
    #: "up" in 0.32 s and kal in 0.21 s, "on" 0.27 / 0.11 s, "stop" 0.41 / 0.50 s
    festival_rate_range: Tuple[float, float] = (1.0, 1.0)
    noise_prob: float = 0.9           # share of training speech clips with background added
    spec_time_masks: int = 2          # SpecAugment on training batches
    spec_freq_masks: int = 2
    mixup_alpha: float = 0.0          # mixup of training batches (Beta(alpha, alpha) weights; 0: off)
    label_smoothing: float = 0.0      # training targets (1 - s) one-hot + s / classes (0: off)
    #: consistency training: each training example is paired with its clean twin, the same clip before the
    #: background was mixed in (same speech, warp, shift, level and room), and the loss adds cross-entropy on
    #: the twin plus this weight times KL(p(twin) || p(example)), the twin's prediction held fixed
    #: (:func:`edgeaudio.train.model.consistency_trainer`; two forward passes a batch). 0: off
    consistency: float = 0.0
    #: formant warp of training speech (augment.formant_warp, pitch kept): chance per clip and factor range
    formant_warp_prob: float = 0.0
    formant_warp_range: Tuple[float, float] = (0.8, 1.25)
    #: the training noise bank holds this many times the clips of the val / test banks (white / pink /
    #: brown noise, music and babble in the same proportions), so training sees more than 60 s of
    #: background; the val and test banks never change
    train_noise_bank_scale: int = 1
    #: babble in the training bank only: this many times its babble clips (the other kinds keep their
    #: number), each of ``train_babble_talkers`` (lo, hi) talkers drawn per clip (val / test: 4)
    train_babble_scale: int = 1
    train_babble_talkers: Tuple[int, int] = (4, 4)
    #: extra training clips per keyword, as a share of ``train_per_keyword``, spoken by espeak-ng
    #: training voices from the keyword's phonemes with its stressed vowel swapped for another that
    #: English accents use there (:data:`VOWEL_VARIANTS`): the consonants, not one accent's vowel,
    #: must tell up / on / off (and no / go) apart
    vowel_variants: float = 0.5
    #: share of the vowel-variant clips that festival's training voice (kal) speaks, its lexicon
    #: entry for the keyword given the swapped vowel (:data:`FESTIVAL_VOWELS`); 0: espeak-ng only
    vowel_variants_festival_share: float = 0.0
    #: extra training clips of every word class (keywords and unknown), as a share of that class's
    #: ordinary training clips, spoken by the espeak-ng training accents with synthetic variants
    #: (:func:`voices.synthetic_variant_text`: F1 / F2 / F3 moved independently, so vowels sit where
    #: other accents put them); ``synthetic_voice_count`` such variants (0: off)
    synthetic_voices: float = 0.0
    synthetic_voice_count: int = 400
    #: chance per training copy of a word ending in a stop after its vowel (:data:`FINAL_STOP_WORDS`) that
    #: the stop's closure and release are attenuated 15-40 dB (:func:`augment.drop_final_release`)
    unreleased_stops: float = 0.0
    #: every split's clips pass through the pipeline's noise suppressor before the frontend (warmed on the
    #: clip itself, :func:`augment.noise_suppressed`): a model for ``Pipeline(noise_suppression=True)``,
    #: and the held-out figures of a model heard behind it
    noise_suppression: bool = False

    @classmethod
    def smoke(cls) -> "CommandsConfig":
        """A tiny run (seconds of synthesis, one epoch) for CI: same code path, no quality."""
        return cls(train_per_keyword=3, val_per_class=1, test_per_class=2, unknown_factor=1.0, augment_copies=1,
                   epochs=1, batch_size=16, filters=16, blocks=1, room_irs=2, music_clips=1)

    #: fields that only steer training, not the data
    TRAINING_ONLY = ("epochs", "batch_size", "learning_rate", "filters", "blocks", "head", "mel_reduction", "cepstra",
                     "spec_time_masks", "spec_freq_masks", "mixup_alpha", "label_smoothing", "consistency")
    #: fields whose value before they existed differs from their default: a checkpoint saved without
    #: one was trained at this value (:func:`_trained_by`)
    BEFORE_ADDED = {"cepstra": 0, "vowel_variants": 0.0}
    #: fields that decide the clean synthesised clips (the rest only augment them)
    SYNTHESIS = ("train_per_keyword", "val_per_class", "test_per_class", "unknown_factor", "seed", "festival",
                 "festival_share")
    #: fields added after datasets were cached: left out of the key at these (default) values, so a
    #: recipe that does not use them keeps its cache
    KEYED_UNLESS = {"train_noise_bank_scale": 1, "train_babble_scale": 1, "train_babble_talkers": (4, 4),
                    "vowel_variants": 0.0, "vowel_variants_festival_share": 0.0, "room_ir_prob": 0.3,
                    "noise_suppression": False, "festival_rate_range": (1.0, 1.0), "synthetic_voices": 0.0,
                    "synthetic_voice_count": 400, "unreleased_stops": 0.0}

    def data_key(self) -> str:
        d = dataclasses.asdict(self)
        for k in self.TRAINING_ONLY:
            d.pop(k)
        for k, v in self.KEYED_UNLESS.items():
            if d[k] == v or (isinstance(v, tuple) and tuple(d[k]) == v):
                d.pop(k)
        d["render"] = voices.SPEECH_RENDER
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]

    def synthesis_key(self) -> str:
        d = {k: v for k, v in dataclasses.asdict(self).items() if k in self.SYNTHESIS}
        d["render"] = voices.SPEECH_RENDER
        if tuple(self.festival_rate_range) != (1.0, 1.0):  # keyed only when used: older caches keep their key
            d["festival_rate_range"] = list(self.festival_rate_range)
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _log(msg: str) -> None:
    print(f"[train commands {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- 1. data ---------------------------------------------------------------------------


def _word_split(word: str) -> str:
    u = voices._stable_unit("word:" + word)
    return "test" if u < 0.15 else "val" if u < 0.3 else "train"


def unknown_words(split: str) -> List[str]:
    """Words for the "unknown" class in ``split`` (disjoint between splits, none a keyword)."""
    banned = set(KEYWORDS) | {k + "s" for k in KEYWORDS} | {"know", "of", "oh", "ago", "noh"}
    return [w for w in voices.word_list() if w not in banned and _word_split(w) == split]


def _render_many(jobs: Sequence[Tuple[Any, ...]]) -> List[np.ndarray]:
    """Render ``(text, speaker, speed_wpm, pitch[, phones])`` jobs, trimmed; festival jobs go through
    one process (``phones``, festival only: see :func:`voices.render_festival_batch`)."""
    out: List[Optional[np.ndarray]] = [None] * len(jobs)
    fest = [(i, j) for i, j in enumerate(jobs) if j[1].engine == "festival"]
    esp = [(i, j) for i, j in enumerate(jobs) if j[1].engine == "espeak"]
    with cf.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as ex:
        futs = {ex.submit(voices.render_espeak, *j[:4]): i for i, j in esp}
        if fest:
            # festival speed: Duration_Stretch 170 / wpm keeps the same range as espeak's; pitch retargets F0
            items = [(t, s.voice, 170.0 / w, voices.festival_f0(p), *rest) for _i, (t, s, w, p, *rest) in fest]
            for (i, _), x in zip(fest, voices.render_festival_batch(items)):
                out[i] = x
        for f in cf.as_completed(futs):
            out[futs[f]] = f.result()
    return [augment.trim(x) for x in out]  # type: ignore[arg-type]


def festival_paced(jobs: Sequence[Tuple[Any, ...]], factor: Callable[[], float]) -> List[Tuple[Any, ...]]:
    """``(text, speaker, wpm, ...)`` render jobs with each festival job's rate times ``factor()`` (called once
    per festival job, in order; the espeak-ng jobs are kept as they are)."""
    return [(t, s, int(round(w * factor())), *rest) if s.engine == "festival" else (t, s, w, *rest)
            for t, s, w, *rest in jobs]


def synthesize_split(split: str, counts: Dict[str, int], rng: np.random.Generator,
                     use_festival: Optional[bool], train_festival_share: float = 0.15,
                     festival_rate: Optional[Tuple[float, float, np.random.Generator]] = None
                     ) -> Tuple[List[np.ndarray], List[str], List[str]]:
    """Clean speech clips for ``split``: ``counts`` maps label -> number (silence is made later).

    A festival voice of the split speaks ``train_festival_share`` of the
    training clips and a quarter of the val / test clips. ``festival_rate``
    ``(lo, hi, generator)`` scales the festival clips' speaking rate by a factor
    drawn log-uniformly from ``lo..hi`` with that generator (so the other clips
    stay those of ``rng``). Returns the clips, their labels and their speakers' names.
    """
    spk = [s for s in voices.speakers(use_festival) if s.split == split]
    if not spk:
        raise RuntimeError(f"no {split} voices: install espeak-ng (apt-get install espeak-ng)")
    esp = [s for s in spk if s.engine == "espeak"]
    fest = [s for s in spk if s.engine == "festival"]
    fest_share = train_festival_share if split == "train" else 0.25
    words = unknown_words(split)
    jobs, labels = [], []
    for label, n in counts.items():
        for _ in range(n):
            text = label if label in KEYWORDS else words[int(rng.integers(0, len(words)))]
            s = fest[int(rng.integers(0, len(fest)))] if fest and rng.random() < fest_share else \
                esp[int(rng.integers(0, len(esp)))]
            jobs.append((text, s, int(rng.integers(120, 221)), int(rng.integers(20, 81))))
            labels.append(label)
    if festival_rate is not None:
        lo, hi, frng = festival_rate
        jobs = festival_paced(jobs, lambda: float(np.exp(frng.uniform(np.log(lo), np.log(hi)))))
    clips = _render_many(jobs)
    return clips, labels, [j[1].name for j in jobs]


def _pack_clips(clips: Sequence[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """Clips as one float32 array and their end offsets (for an .npz cache); :func:`_unpack_clips` inverts."""
    audio = np.concatenate(clips).astype(np.float32) if len(clips) else np.zeros(0, np.float32)
    return audio, np.cumsum([len(c) for c in clips]).astype(np.int64)


def _unpack_clips(audio: np.ndarray, ends: np.ndarray) -> List[np.ndarray]:
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    return [audio[a:b] for a, b in zip(starts, ends)]


def swap_vowel(phonemes: str, vowel: str) -> str:
    """An ``espeak-ng -x`` phoneme string with its first stressed vowel replaced by ``vowel``.

    >>> swap_vowel("st2'0p", "A:"), swap_vowel("'O2n", "V")
    ("st2'A:p", "'Vn")
    """
    known = sorted({v for vs in VOWEL_VARIANTS.values() for v in vs}, key=len, reverse=True)
    for k, ch in enumerate(phonemes):
        if ch in "',":
            rest = phonemes[k + 1:]
            for v in known:
                if rest.startswith(v):
                    return phonemes[:k + 1] + vowel + rest[len(v):]
    raise ValueError(f"no stressed vowel of {known} in {phonemes!r}")


def _load_word_clips(cache: Path) -> Tuple[List[np.ndarray], List[str], List[str]]:
    """The (clips, labels, speakers) that :func:`_render_word_clips` saved in ``cache``."""
    with np.load(cache, allow_pickle=False) as z:
        return (_unpack_clips(z["audio"], z["ends"]), [str(l) for l in z["labels"]],
                [str(v) for v in z["speakers"]])


def _render_word_clips(jobs: Sequence[Tuple[Any, ...]], labels: Sequence[str], cache: Path
                       ) -> Tuple[List[np.ndarray], List[str], List[str]]:
    """Render ``jobs`` (:func:`_render_many`), drop empty renders, save (clips, labels, speakers) in ``cache``."""
    clips = _render_many(jobs)
    keep = [i for i, c in enumerate(clips) if c.size >= voices.SAMPLE_RATE // 10]  # an empty render is no word
    clips, labels = [clips[i] for i in keep], [labels[i] for i in keep]
    spk = [jobs[i][1].name for i in keep]
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    audio, ends = _pack_clips(clips)
    np.savez(tmp, audio=audio, ends=ends, labels=np.array(labels), speakers=np.array(spk))
    os.replace(tmp, cache)
    return clips, labels, spk


def vowel_variant_clips(cfg: CommandsConfig, work: Path, resume: bool = True
                        ) -> Tuple[List[np.ndarray], List[str], List[str]]:
    """The ``cfg.vowel_variants`` training clips (clips, labels, speakers), cached in ``work``.

    Each keyword gets ``round(vowel_variants * train_per_keyword)`` clips: an
    espeak-ng training voice speaks the keyword's phonemes in its own accent
    with the stressed vowel drawn from :data:`VOWEL_VARIANTS` (its own among
    them), at the usual 120-220 wpm and pitch 20-80.
    """
    n = int(round(cfg.vowel_variants * cfg.train_per_keyword))
    fest = [s for s in voices.speakers(cfg.festival) if s.split == "train" and s.engine == "festival"]
    fest_share = float(cfg.vowel_variants_festival_share) if fest else 0.0
    key_parts: List[Any] = [cfg.seed, n, VOWEL_VARIANTS, voices.SPEECH_RENDER]
    if fest_share > 0:
        key_parts += [fest_share, FESTIVAL_VOWELS, [f.voice for f in fest]]
    key = hashlib.sha1(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()[:12]
    cache = work / f"vowels-{key}.npz"
    if resume and cache.is_file():
        return _load_word_clips(cache)
    esp = [s for s in voices.speakers(False) if s.split == "train" and s.engine == "espeak"]
    if not esp:
        raise RuntimeError("no espeak-ng training voices: install espeak-ng (apt-get install espeak-ng)")
    rng = np.random.default_rng([cfg.seed, 7])
    phon: Dict[Tuple[str, str], str] = {}
    jobs, labels = [], []
    fphones: Dict[str, List[str]] = {}
    for kw in KEYWORDS:
        for _ in range(n):
            vowel = VOWEL_VARIANTS[kw][int(rng.integers(0, len(VOWEL_VARIANTS[kw])))]
            wpm, pitch = int(rng.integers(120, 221)), int(rng.integers(20, 81))
            if fest_share > 0 and rng.random() < fest_share:
                f = fest[int(rng.integers(0, len(fest)))]
                if kw not in fphones:
                    fphones[kw] = voices.festival_phones(kw, f.voice)
                ph = [FESTIVAL_VOWELS[vowel] if p in FESTIVAL_VOWELS.values() else p for p in fphones[kw]]
                jobs.append((kw, f, wpm, pitch, tuple(ph)))
            else:
                s = esp[int(rng.integers(0, len(esp)))]
                if (kw, s.voice) not in phon:
                    phon[kw, s.voice] = voices.phonemes(kw, s.voice)
                jobs.append(("[[" + swap_vowel(phon[kw, s.voice], vowel) + "]]", s, wpm, pitch))
            labels.append(kw)
    clips, labels, spk = _render_word_clips(jobs, labels, cache)
    _log(f"vowel variants: {len(clips)} clips")
    return clips, labels, spk


def synthetic_voice_clips(cfg: CommandsConfig, work: Path, resume: bool = True
                          ) -> Tuple[List[np.ndarray], List[str], List[str]]:
    """The ``cfg.synthetic_voices`` training clips (clips, labels, speakers), cached in ``work``.

    Each keyword gets ``round(synthetic_voices * train_per_keyword)`` clips and
    unknown ``unknown_factor`` times as many (training words), each spoken by
    one of ``synthetic_voice_count`` synthetic speakers (an espeak-ng training
    accent with a :func:`voices.synthetic_variant_text` variant) at the usual
    120-220 wpm and pitch 20-80.
    """
    n = int(round(cfg.synthetic_voices * cfg.train_per_keyword))
    n_unknown = int(round(n * cfg.unknown_factor))
    accents = sorted({s.voice for s in voices.speakers(False) if s.split == "train" and s.engine == "espeak"})
    if not accents:
        raise RuntimeError("no espeak-ng training voices: install espeak-ng (apt-get install espeak-ng)")
    key = hashlib.sha1(json.dumps([cfg.seed, n, n_unknown, cfg.synthetic_voice_count, accents, voices.SPEECH_RENDER,
                                   voices.synthetic_variant_text(f"{voices.SYNTHETIC_PREFIX}0-0")]
                                  ).encode()).hexdigest()[:12]
    cache = work / f"synthetic-{key}.npz"
    if resume and cache.is_file():
        return _load_word_clips(cache)
    spk = voices.synthetic_speakers(cfg.synthetic_voice_count, cfg.seed, accents)
    rng = np.random.default_rng([cfg.seed, 11])
    words = unknown_words("train")
    jobs, labels = [], []
    for label, count in [(kw, n) for kw in KEYWORDS] + [("unknown", n_unknown)]:
        for _ in range(count):
            text = label if label in KEYWORDS else words[int(rng.integers(0, len(words)))]
            jobs.append((text, spk[int(rng.integers(0, len(spk)))], int(rng.integers(120, 221)),
                         int(rng.integers(20, 81))))
            labels.append(label)
    clips, labels, names = _render_word_clips(jobs, labels, cache)
    _log(f"synthetic voices: {len(clips)} clips from {len(set(names))} speakers")
    return clips, labels, names


def noise_bank(split: str, cfg: CommandsConfig, rng: np.random.Generator) -> augment.NoiseBank:
    """White / pink / brown noise, music (SoundFont when installed) and babble of ``split``'s voices.

    5 s clips: 3 coloured, ``cfg.music_clips`` music, half as many babble of 4
    talkers; the training bank has ``cfg.train_noise_bank_scale`` times each,
    and ``cfg.train_babble_scale`` times more babble, of
    ``cfg.train_babble_talkers`` talkers.
    """
    train = split == "train"
    scale = int(cfg.train_noise_bank_scale) if train else 1
    if scale < 1:
        raise ValueError(f"train_noise_bank_scale must be >= 1, got {cfg.train_noise_bank_scale}")
    babble_scale = int(cfg.train_babble_scale) if train else 1
    if babble_scale < 1:
        raise ValueError(f"train_babble_scale must be >= 1, got {cfg.train_babble_scale}")
    lo, hi = (int(t) for t in cfg.train_babble_talkers) if train else (4, 4)
    if not 1 <= lo <= hi:
        raise ValueError(f"train_babble_talkers must be (lo, hi) with 1 <= lo <= hi, got {cfg.train_babble_talkers}")
    clips = [augment.coloured_noise(5 * CLIP_SAMPLES, c, rng) for _ in range(scale) for c in ("white", "pink", "brown")]
    sf = None
    try:
        from .. import synth

        path = synth.default_soundfont_path()
        sf = synth.load_soundfont(path) if path else None
    except Exception:  # noqa: BLE001 - built-in patches instead
        sf = None
    for _ in range(cfg.music_clips * scale):
        clips.append(augment.music(5 * CLIP_SAMPLES, rng, sf))
    spk = [s for s in voices.speakers(False) if s.split == split]
    words = unknown_words(split)
    for _ in range(max(1, cfg.music_clips // 2) * scale * babble_scale):
        sentences = []
        talkers = lo if lo == hi else int(rng.integers(lo, hi + 1))  # no draw at a fixed count: same stream
        for _k in range(talkers):
            text = " ".join(words[int(rng.integers(0, len(words)))] for _w in range(12))
            s = spk[int(rng.integers(0, len(spk)))]
            sentences.append(voices.render_espeak(text, s, int(rng.integers(140, 200)), int(rng.integers(20, 80))))
        n = max(len(x) for x in sentences)
        babble = np.zeros(n, np.float32)
        for x in sentences:
            babble[: len(x)] += x / (np.sqrt(np.mean(x ** 2)) + 1e-9)
        clips.append(babble / (np.sqrt(np.mean(babble ** 2)) + 1e-9))
    return augment.NoiseBank(clips)


def augment_clip(x: np.ndarray, rng: np.random.Generator, bank: augment.NoiseBank,
                 irs: Sequence[np.ndarray], strength: str, snr_db: Tuple[float, float] = (0.0, 25.0),
                 vtlp_range: float = 0.0, noise_prob: float = 0.9, always_vtlp: bool = False,
                 formant_prob: float = 0.0, formant_range: Sequence[float] = (1.0, 1.0),
                 ir_prob: float = 0.3, clean: Optional[List[np.ndarray]] = None) -> np.ndarray:
    """One 1 s training example from a clean utterance (empty ``x`` makes a silence example).

    ``vtlp_range`` warps half the training clips (all of them with
    ``always_vtlp``) by a factor in 1 +- it; ``noise_prob`` of the speech
    clips get background at an SNR drawn from ``snr_db``; ``formant_prob`` of
    them are formant-warped by factors in ``formant_range`` (:func:`augment.random_formant_warp`);
    ``ir_prob`` of them are heard through one of the room impulse responses ``irs``.
    ``clean``, a list, receives the example's clean twin: the same clip
    before its background was mixed in (a silence example is its own twin);
    collecting it draws nothing from ``rng``.
    """
    if not 0.0 <= ir_prob <= 1.0:
        raise ValueError(f"room_ir_prob must be in [0, 1], got {ir_prob}")
    if strength == "train" and x.size:
        if vtlp_range > 0 and (always_vtlp or rng.random() < 0.5):
            x = augment.vtlp(x, rng.uniform(1 - vtlp_range, 1 + vtlp_range))
        x = augment.random_formant_warp(x, rng, formant_prob, formant_range)
        x = augment.speed(x, rng.uniform(0.9, 1.1))
    clip = augment.place(x, CLIP_SAMPLES, rng, max_shift=CLIP_SAMPLES // 8) if x.size else \
        np.zeros(CLIP_SAMPLES, np.float32)
    if x.size and strength == "train" and irs and rng.random() < ir_prob:
        clip = augment.apply_ir(clip, irs[int(rng.integers(0, len(irs)))])
    if not x.size:  # silence: background alone, from digital zero to loud
        if rng.random() < 0.1:
            out = np.zeros(CLIP_SAMPLES, np.float32)
        else:
            out = augment.set_level(bank.draw(CLIP_SAMPLES, rng), rng.uniform(-70, -25))
        if clean is not None:
            clean.append(out)
        return out
    clip = augment.set_level(clip, rng.uniform(-35, -12))
    if clean is not None:
        clean.append(np.clip(clip, -1.0, 1.0).astype(np.float32))
    if rng.random() < noise_prob:
        clip = augment.mix_at_snr(clip, bank.draw(CLIP_SAMPLES, rng), rng.uniform(*snr_db))
    return np.clip(clip, -1.0, 1.0).astype(np.float32)


def _features(audio: np.ndarray, cfg: CommandsConfig) -> np.ndarray:
    audio = audio.astype(np.float32)
    if getattr(cfg, "noise_suppression", False):
        audio = augment.noise_suppressed(audio)
    return features.logmel(audio, frontend_config(cfg.hop_ms))


def load_cached_dataset(cache: Path, resume: bool, log: Callable[[str], None] = _log) -> Optional[Dict[str, np.ndarray]]:
    """The arrays of a dataset cache written by :func:`save_dataset`, or None (absent, or ``resume`` off)."""
    if not (resume and cache.is_file()):
        return None
    log(f"dataset from cache {cache}")
    with np.load(cache, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def save_dataset(cache: Path, out: Dict[str, np.ndarray], t0: float, log: Callable[[str], None] = _log) -> None:
    """Write a dataset cache atomically (a killed run leaves no half file) and log its shapes."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    os.replace(tmp, cache)
    log(f"dataset built in {time.time() - t0:.0f} s: " +
        ", ".join(f"{k} {v.shape}" for k, v in out.items() if k.startswith("x_")))


def synthesize_all(cfg: CommandsConfig, work: Path, resume: bool = True) -> Dict[str, Dict[str, Any]]:
    """The clean clips of every split, cached in ``work`` (keyed on :meth:`CommandsConfig.synthesis_key`).

    Returns ``{split: {"clips": [...], "labels": [...], "speakers": [...]}}``;
    silence examples are empty clips with speaker ``""``. Each split draws
    from its own generator (seeded by ``cfg.seed`` and the split), so the
    val and test sets stay the same whatever the training recipe.
    """
    cache = work / f"clean-{cfg.synthesis_key()}.npz"
    out: Dict[str, Dict[str, Any]] = {}
    if resume and cache.is_file():
        _log(f"clean clips from cache {cache}")
        with np.load(cache, allow_pickle=False) as z:
            for split in voices.SPLITS:
                out[split] = {"clips": _unpack_clips(z[f"audio_{split}"], z[f"ends_{split}"]),
                              "labels": [str(l) for l in z[f"labels_{split}"]],
                              "speakers": [str(v) for v in z[f"speakers_{split}"]]}
        return out
    t0 = time.time()
    arrays: Dict[str, np.ndarray] = {}
    for k, split in enumerate(voices.SPLITS):
        rng = np.random.default_rng([cfg.seed, k, 0])
        per = {"train": cfg.train_per_keyword, "val": cfg.val_per_class, "test": cfg.test_per_class}[split]
        counts = {kw: per for kw in KEYWORDS}
        counts["unknown"] = int(round(per * (cfg.unknown_factor if split == "train" else 1.0)))
        rate = None
        if split == "train" and tuple(cfg.festival_rate_range) != (1.0, 1.0):
            rate = (*cfg.festival_rate_range, np.random.default_rng([cfg.seed, k, 7]))
        clips, labels, spk = synthesize_split(split, counts, rng, cfg.festival, cfg.festival_share, rate)
        clips += [np.zeros(0, np.float32)] * per
        labels += ["silence"] * per
        spk += [""] * per
        out[split] = {"clips": clips, "labels": labels, "speakers": spk}
        _log(f"{split}: {len(clips)} clean clips from {len(set(spk) - {''})} voices ({time.time() - t0:.0f} s)")
        arrays[f"audio_{split}"], arrays[f"ends_{split}"] = _pack_clips(clips)
        arrays[f"labels_{split}"] = np.array(labels)
        arrays[f"speakers_{split}"] = np.array(spk)
    work.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, cache)
    return out


def _augmentation_stream(cfg: CommandsConfig, split: str) -> Tuple[np.random.Generator, augment.NoiseBank]:
    """A split's own generator and the noise bank drawn from it: what its augmentation loop then draws from
    (one definition, so :func:`noisy_test_features` replays the dataset's test loop exactly)."""
    rng = np.random.default_rng([cfg.seed, voices.SPLITS.index(split), 1])
    return rng, noise_bank(split, cfg, rng)


#: the SNR of the noisy test set (``x_test_noisy``), the issue's condition
TEST_SNR_DB = 10.0


def _test_draws(clips: Sequence[np.ndarray], rng: np.random.Generator,
                bank: augment.NoiseBank) -> List[Tuple[np.ndarray, np.ndarray, bool]]:
    """What the test loop draws for each clip: ``(speech, background, is_speech)``.

    Speech is placed in the 1 s window and levelled at -30..-15 dBFS, then one
    background clip is drawn from the test bank; a silence example (empty clip)
    is the background alone at -60..-30 dBFS. The draw order is the dataset's,
    so :func:`_test_mixtures` at :data:`TEST_SNR_DB` gives ``x_test_noisy``.
    """
    draws = []
    for c in clips:
        if c.size:
            base = augment.place(c, CLIP_SAMPLES, rng, CLIP_SAMPLES // 8)
            base = augment.set_level(base, rng.uniform(-30, -15))
            draws.append((base, bank.draw(CLIP_SAMPLES, rng), True))
        else:
            background = augment.set_level(bank.draw(CLIP_SAMPLES, rng), rng.uniform(-60, -30))
            draws.append((np.zeros(CLIP_SAMPLES, np.float32), background, False))
    return draws


def _test_mixtures(draws: Sequence[Tuple[np.ndarray, np.ndarray, bool]], snr_db: float) -> List[np.ndarray]:
    """Each test draw's speech with its background at ``snr_db`` (silence examples: the background)."""
    return [augment.mix_at_snr(s, b, snr_db) if is_speech else b for s, b, is_speech in draws]


def noisy_test_features(cfg: CommandsConfig, work: Path, snrs: Sequence[float],
                         resume: bool = True) -> Dict[float, np.ndarray]:
    """The test split's features with its own noise bank at each SNR of ``snrs`` (dB).

    The same speech, placement, level and background draws as the dataset's
    ``x_test_noisy`` (which is the :data:`TEST_SNR_DB` one, bit for bit), so
    accuracy against SNR is one set of clips at several noise levels; labels
    and speakers are the dataset's ``y_test`` / ``speaker_test``.
    """
    if cfg.speech_commands_dir:
        raise ValueError("an SNR sweep needs the synthesised test split; the Speech Commands layout has its own")
    if not snrs:
        raise ValueError("snrs is empty: give at least one SNR in dB")
    bad = [s for s in snrs if not np.isfinite(s)]
    if bad:
        raise ValueError(f"SNRs must be finite numbers of dB, got {bad}")
    clean = synthesize_all(cfg, work, resume)
    rng, bank = _augmentation_stream(cfg, "test")
    draws = _test_draws(clean["test"]["clips"], rng, bank)
    return {float(s): _features(np.stack(_test_mixtures(draws, float(s))), cfg) for s in snrs}


def build_dataset(cfg: CommandsConfig, work: Path, resume: bool = True) -> Dict[str, np.ndarray]:
    """Synthesise, augment and featurise the train / val / test sets (cached in ``work``).

    Besides ``x_*`` / ``y_*`` (and ``x_test_noisy``, the test clips with the
    test noise bank at 10 dB SNR), ``speaker_test`` names each test example's
    voice (``""`` for silence) for per-voice breakdowns. With ``cfg.consistency``
    on, ``x_train_clean`` holds each training example's clean twin (the same
    data key: a cache without the twins is rebuilt, identical plus them).
    """
    paired = cfg.consistency > 0
    if paired and cfg.speech_commands_dir:
        raise ValueError("consistency training needs synthesised clips (their clean twins); "
                         "it cannot be combined with speech_commands_dir")
    cache = work / f"data-{cfg.data_key()}.npz"
    cached = load_cached_dataset(cache, resume, _log)
    if cached is not None and (not paired or "x_train_clean" in cached):
        return cached
    if cached is not None:
        _log("the cached dataset has no clean twins of its training examples: building it again with them")
    t0 = time.time()
    irs = augment.room_irs(cfg.room_irs, np.random.default_rng(cfg.seed))
    out: Dict[str, np.ndarray] = {}
    desc: Dict[str, Any] = {}
    if cfg.speech_commands_dir:
        from . import speech_commands

        data = speech_commands.load(cfg.speech_commands_dir, KEYWORDS, seed=cfg.seed)
        for split, (audio, labels) in data.items():
            y = np.array([LABELS.index(l) for l in labels], np.int32)
            out[f"x_{split}"] = _features(audio, cfg)
            out[f"y_{split}"] = y
        out["x_test_noisy"] = out["x_test"]
    else:
        clean = synthesize_all(cfg, work, resume)
        for split in voices.SPLITS:
            clips, labels, spk = clean[split]["clips"], clean[split]["labels"], clean[split]["speakers"]
            if split == "train" and cfg.vowel_variants > 0:
                vc, vl, vs = vowel_variant_clips(cfg, work, resume)
                clips, labels, spk = clips + vc, labels + vl, spk + vs
            if split == "train" and cfg.synthetic_voices > 0:
                sc, sl, ss = synthetic_voice_clips(cfg, work, resume)
                clips, labels, spk = clips + sc, labels + sl, spk + ss
            rng, bank = _augmentation_stream(cfg, split)
            y = np.array([LABELS.index(l) for l in labels], np.int32)
            if split == "train":
                fest = [s.startswith("festival:") for s in spk]
                audio: List[np.ndarray] = []
                twins: Optional[List[np.ndarray]] = [] if paired else None
                for _ in range(cfg.augment_copies):
                    for c, f, lab in zip(clips, fest, labels):
                        if cfg.unreleased_stops > 0 and lab in FINAL_STOP_WORDS and rng.random() < cfg.unreleased_stops:
                            c = augment.drop_final_release(c, float(rng.uniform(15, 40)))
                        strong = f and cfg.festival_vtlp_range > 0
                        audio.append(augment_clip(
                            c, rng, bank, irs, "train", (cfg.snr_min_db, cfg.snr_max_db),
                            cfg.festival_vtlp_range if strong else cfg.vtlp_range, cfg.noise_prob, strong,
                            cfg.formant_warp_prob, cfg.formant_warp_range, cfg.room_ir_prob, twins))
                y = np.tile(y, cfg.augment_copies)
                if twins is not None:
                    out["x_train_clean"] = _features(np.stack(twins), cfg)
            elif split == "val":
                audio = [augment_clip(c, rng, bank, irs, "val") for c in clips]
            else:
                draws = _test_draws(clips, rng, bank)
                audio = [speech for speech, _, _ in draws]
                out["x_test_noisy"] = _features(np.stack(_test_mixtures(draws, TEST_SNR_DB)), cfg)
                out["speaker_test"] = np.array(spk)
            out[f"x_{split}"] = _features(np.stack(audio), cfg)
            out[f"y_{split}"] = y
            desc[split] = sorted(set(spk) - {""})
            _log(f"{split}: {len(audio)} examples ({time.time() - t0:.0f} s)")
    save_dataset(cache, out, t0, _log)
    (work / f"voices-{cfg.data_key()}.json").write_text(json.dumps(desc, indent=1))
    return out


# ---- 2. training -------------------------------------------------------------------------


def _batches(tf: Any, x: np.ndarray, y: np.ndarray, batch: int, seed: int, time_masks: int = 2,
             freq_masks: int = 2, mixup_alpha: float = 0.0, n_classes: int = 0, one_hot: bool = False,
             twins: Optional[np.ndarray] = None) -> Any:
    """A Keras PyDataset with SpecAugment on each training batch, reproducible per (epoch, batch).

    With ``mixup_alpha`` > 0 each batch is mixed with a shuffled copy of
    itself (weights from Beta(alpha, alpha)) and the labels come back one-hot
    over ``n_classes``, mixed the same way; ``one_hot`` gives one-hot labels
    without mixing (for a smoothed loss). With ``twins`` (an array like
    ``x``, no mixup) a batch's inputs are ``(x batch, twins batch)``, both
    masked in the same places.
    """
    if twins is not None and (mixup_alpha > 0 or twins.shape != x.shape):
        raise ValueError("twins need the shape of x and no mixup")

    class SpecAugmented(tf.keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.order = np.random.default_rng(seed).permutation(len(x))

        def __len__(self) -> int:
            return int(np.ceil(len(x) / batch))

        def on_epoch_end(self) -> None:
            self.epoch += 1
            self.order = np.random.default_rng([seed, self.epoch]).permutation(len(x))

        def __getitem__(self, i: int) -> Tuple[Any, np.ndarray]:
            idx = self.order[i * batch:(i + 1) * batch]
            rng = np.random.default_rng([seed, self.epoch, i])
            xb = augment.spec_augment(x[idx], rng, time_masks=time_masks, freq_masks=freq_masks)
            inputs = xb[..., None]
            if twins is not None:  # the twin batch gets the masks its examples got
                tb = augment.spec_augment(twins[idx], np.random.default_rng([seed, self.epoch, i]),
                                          time_masks=time_masks, freq_masks=freq_masks)
                inputs = (inputs, tb[..., None])
            if mixup_alpha <= 0 and not one_hot:
                return inputs, y[idx]
            yb = np.eye(n_classes, dtype=np.float32)[y[idx]]
            if mixup_alpha <= 0:
                return inputs, yb
            lam = rng.beta(mixup_alpha, mixup_alpha, size=len(idx)).astype(np.float32)
            lam = np.maximum(lam, 1 - lam)  # the example keeps the larger share
            perm = rng.permutation(len(idx))
            xb = lam[:, None, None] * xb + (1 - lam[:, None, None]) * xb[perm]
            yb = lam[:, None] * yb + (1 - lam[:, None]) * yb[perm]
            return xb[..., None], yb

    return SpecAugmented()


CHECKPOINT_FILES = ("checkpoint.keras", "train_state.json", "best.weights.h5")  # what fit() keeps in work


def clear_checkpoints(work: Path) -> None:
    """Forget an earlier run's training state (a run without --resume starts afresh)."""
    for f in CHECKPOINT_FILES:
        (work / f).unlink(missing_ok=True)


def _trained_by(saved: Dict[str, Any], cfg: Any, ignore: Sequence[str] = ()) -> bool:
    """Whether a checkpoint saved under config ``saved`` is ``cfg``'s training (fields in
    ``cfg.TUNING_ONLY``, which only steer what happens after training, and in ``ignore`` may differ;
    a field added to the config after the checkpoint was saved matches at its default value, or at
    ``cfg.BEFORE_ADDED``'s value for it where the default changed when it was added)."""
    skip = set(getattr(cfg, "TUNING_ONLY", ())) | set(ignore)
    # compared as saved (JSON): a tuple field reads back as a list
    now = json.loads(json.dumps({k: v for k, v in dataclasses.asdict(cfg).items() if k not in skip}))
    defaults = json.loads(json.dumps({f.name: f.default for f in dataclasses.fields(cfg)
                                      if f.default is not dataclasses.MISSING}))
    before = json.loads(json.dumps(getattr(cfg, "BEFORE_ADDED", {})))
    for k in [k for k in now if k not in saved and k in defaults and now[k] == before.get(k, defaults[k])]:
        del now[k]
    return {k: v for k, v in saved.items() if k not in skip} == now


def fit(cfg: Any, data: Dict[str, np.ndarray], work: Path, resume: bool = True,
        n_classes: int = len(LABELS), log: Callable[[str], None] = _log, *,
        train: Optional[Tuple[np.ndarray, np.ndarray]] = None, head: str = "global_average",
        monitor: str = "val_accuracy", init: Optional[Any] = None, resume_ignores: Sequence[str] = ()) -> Any:
    """Train with a checkpoint per epoch; returns the model with the best validation weights.

    ``cfg`` is any trainer's config dataclass with ``seed``, ``epochs``,
    ``batch_size``, ``learning_rate``, ``filters`` and ``blocks`` (the
    sound-event and wake-word trainers share this loop). ``train`` replaces
    ``data``'s ``(x_train, y_train)`` (e.g. a subset); ``head`` is the DS-CNN
    head (:func:`edgeaudio.train.model.ds_cnn`); ``monitor`` picks the epoch
    kept: ``"val_accuracy"`` (highest) or ``"val_loss"`` (lowest); ``init``, a
    trained model of the same architecture, gives the starting weights of a
    fresh run (fine-tuning). ``resume_ignores`` names config fields that only
    shape later stages: a checkpoint saved under other values of them resumes.
    A ``consistency`` weight > 0 in ``cfg`` trains on ``data["x_train_clean"]``
    twins too (:func:`edgeaudio.train.model.consistency_trainer`); the model
    returned, and the best weights kept in ``work``, are the plain classifier's
    either way.
    """
    if monitor not in ("val_accuracy", "val_loss"):
        raise ValueError(f"monitor must be 'val_accuracy' or 'val_loss', got {monitor!r}")
    higher = monitor == "val_accuracy"
    tf = tensorflow()
    tf.keras.utils.set_random_seed(cfg.seed)
    ckpt, state_path, best = (work / f for f in CHECKPOINT_FILES)
    x, y = train if train is not None else (data["x_train"], data["y_train"])
    # optional recipe fields (the commands config has them; other trainers' configs keep the defaults)
    mixup = float(getattr(cfg, "mixup_alpha", 0.0))
    smoothing = float(getattr(cfg, "label_smoothing", 0.0))
    one_hot = mixup > 0 or smoothing > 0
    masks = (int(getattr(cfg, "spec_time_masks", 2)), int(getattr(cfg, "spec_freq_masks", 2)))
    consistency = float(getattr(cfg, "consistency", 0.0))
    twins = None
    if consistency > 0:
        if train is not None or "x_train_clean" not in data:
            raise ValueError("consistency training needs the dataset's x_train_clean twins (build_dataset with "
                             "consistency on) and no train= subset")
        if mixup > 0:
            raise ValueError("consistency training cannot be combined with mixup")
        twins = data["x_train_clean"]
        consistency_trainer_class()  # registered before a resume loads a saved wrapper
    start, best_score = 0, (-math.inf if higher else math.inf)
    if resume and ckpt.is_file() and state_path.is_file():
        state = json.loads(state_path.read_text())
        if _trained_by(state.get("config") or {}, cfg, resume_ignores) and f"best_{monitor}" in state:
            model = tf.keras.models.load_model(ckpt)
            start, best_score = int(state["epoch"]), float(state[f"best_{monitor}"])
            log(f"resuming after epoch {start} (best {monitor} {best_score:.4f})")
        else:
            log("checkpoint is from another configuration: starting afresh")
    if start == 0:
        model = ds_cnn(x.shape[1:3], n_classes, cfg.filters, cfg.blocks, head=head,
                       mel_reduction=int(getattr(cfg, "mel_reduction", 4)), cepstra=int(getattr(cfg, "cepstra", 0)))
        if init is not None:
            model.set_weights(init.get_weights())
        if twins is not None:
            model = consistency_trainer(model, consistency)
        # mixup's labels come one-hot (mixed), so do smoothed ones; the others as class indices
        loss, acc = ((tf.keras.losses.CategoricalCrossentropy(label_smoothing=smoothing),
                      tf.keras.metrics.CategoricalAccuracy(name="accuracy"))
                     if one_hot else ("sparse_categorical_crossentropy", "accuracy"))
        model.compile(optimizer=tf.keras.optimizers.Adam(cfg.learning_rate), loss=loss, metrics=[acc])
    total = cfg.epochs

    def classifier(m: Any) -> Any:  # the DS-CNN itself (what a consistency wrapper trains); its best weights
        return m.base if twins is not None else m

    def lr_at(epoch: int) -> float:  # cosine decay by epoch: the same schedule after a resume
        return float(cfg.learning_rate * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * epoch / max(total, 1)))))

    class Checkpoint(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
            nonlocal best_score
            score = float((logs or {}).get(monitor, -math.inf if higher else math.inf))
            if (score > best_score if higher else score < best_score) or not best.is_file():
                best_score = max(score, best_score) if higher else min(score, best_score)
                classifier(self.model).save_weights(best)
            self.model.save(ckpt)
            state_path.write_text(json.dumps({"epoch": epoch + 1, f"best_{monitor}": best_score,
                                              "config": dataclasses.asdict(cfg)}))

    if start < total:
        ds = _batches(tf, x, y, cfg.batch_size, cfg.seed, *masks, mixup_alpha=mixup, n_classes=n_classes,
                      one_hot=one_hot, twins=twins)
        ds.epoch = start
        y_val = data["y_val"] if not one_hot else np.eye(n_classes, dtype=np.float32)[data["y_val"]]
        model.fit(ds, epochs=total, initial_epoch=start, verbose=2,
                  validation_data=(data["x_val"][..., None], y_val),
                  callbacks=[tf.keras.callbacks.LearningRateScheduler(lr_at), Checkpoint()])
    model = classifier(model)
    if best.is_file():
        model.load_weights(best)
    return model


# ---- 3-4. int8 conversion and evaluation -------------------------------------------------


def quantize(model: Any, data: Dict[str, np.ndarray], cfg: Any, path: Path, examples: int = 400) -> bytes:
    """Full-integer int8 conversion with ``examples`` training windows as the representative set."""
    rng = np.random.default_rng(cfg.seed + 1)
    n = min(examples, len(data["x_train"]))
    rep = data["x_train"][rng.choice(len(data["x_train"]), n, replace=False)][..., None]
    blob = to_int8_tflite(model, rep)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    return blob


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def runtime_cost(m: Any, example: np.ndarray) -> Dict[str, Any]:
    """Invoke latency (one thread) and interpreter memory of a loaded int8 model, for its manifest."""
    latency = m.benchmark(example).as_dict()
    latency.update(interpreter=m.interpreter_name, num_threads=1)
    return {"latency": latency, "memory": m.memory()}


def accuracy_breakdown(y_true: np.ndarray, y_pred: np.ndarray, speakers: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """Accuracy per voice family (``engine:voice``; silence examples as ``"silence"``) and per label.

    Returns ``{"by_family": {family: {"accuracy", "examples"}}, "by_label": {...}}``.
    """
    fam = np.array([s.split("+")[0] if s else "silence" for s in speakers])
    ok = np.asarray(y_true) == np.asarray(y_pred)
    out: Dict[str, Dict[str, Any]] = {"by_family": {}, "by_label": {}}
    for f in sorted(set(fam.tolist())):
        sel = fam == f
        out["by_family"][f] = {"accuracy": float(ok[sel].mean()), "examples": int(sel.sum())}
    for i, lab in enumerate(LABELS):
        sel = np.asarray(y_true) == i
        if sel.any():
            out["by_label"][lab] = {"accuracy": float(ok[sel].mean()), "examples": int(sel.sum())}
    return out


def evaluate(model_path: Path, data: Dict[str, np.ndarray], float_model: Any = None) -> Dict[str, Any]:
    """Accuracy of the int8 model on the held-out voices (clean and at 10 dB SNR), and its latency.

    With ``data["speaker_test"]`` (synthetic data) the result also has
    ``by_family_<condition>`` and ``by_label_<condition>`` (see :func:`accuracy_breakdown`).
    """
    from .. import runtime

    m = runtime.load(model_path, num_threads=1)
    res: Dict[str, Any] = {}
    for key, name in (("x_test", "clean"), ("x_test_noisy", "snr_10db")):
        p = m.invoke_batch(data[key][..., None])
        pred = p.argmax(axis=1)
        res[f"int8_accuracy_{name}"] = float(np.mean(pred == data["y_test"]))
        res[f"confusion_{name}"] = confusion(data["y_test"], pred, len(LABELS)).tolist()
        if "speaker_test" in data:
            b = accuracy_breakdown(data["y_test"], pred, [str(v) for v in data["speaker_test"]])
            res[f"by_family_{name}"] = b["by_family"]
            res[f"by_label_{name}"] = b["by_label"]
        if float_model is not None:
            pf = float_model.predict(data[key][..., None], verbose=0).argmax(axis=1)
            res[f"float_accuracy_{name}"] = float(np.mean(pf == data["y_test"]))
    res["test_examples"] = int(len(data["y_test"]))
    res.update(runtime_cost(m, data["x_test"][:1, ..., None]))
    return res


#: the SNRs (dB) the trainer's report and manifest entry score the int8 model at
REPORT_SNRS_DB = (30.0, 20.0, 10.0, 5.0, 0.0)


def snr_sweep(model_path: Path, cfg: CommandsConfig, work: Path, data: Dict[str, np.ndarray],
              snrs: Sequence[float] = REPORT_SNRS_DB) -> Dict[str, Dict[str, Any]]:
    """Int8 accuracy on the test split at each SNR of ``snrs`` (:func:`noisy_test_features`).

    Returns ``{"<snr>": {"accuracy", "by_family"}}`` keyed by the SNR as text
    (``"10"``, ``"2.5"``), ``by_family`` as in :func:`accuracy_breakdown`.
    """
    from .. import runtime

    m = runtime.load(model_path, num_threads=1)
    speakers = [str(v) for v in data["speaker_test"]]
    out: Dict[str, Dict[str, Any]] = {}
    for snr, x in noisy_test_features(cfg, work, snrs).items():
        pred = m.invoke_batch(x[..., None]).argmax(axis=1)
        out[f"{snr:g}"] = {"accuracy": float(np.mean(pred == data["y_test"])),
                           "by_family": accuracy_breakdown(data["y_test"], pred, speakers)["by_family"]}
    return out


# ---- 5. publication ----------------------------------------------------------------------------


def write_report(out: Path, entry: Dict[str, Any], metrics: Dict[str, Any]) -> List[str]:
    """Markdown report and confusion-matrix PNGs (matplotlib); returns the files written."""
    files = []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
        for ax, name in zip(axes, ("clean", "snr_10db")):
            cm = np.asarray(metrics[f"confusion_{name}"])
            ax.imshow(cm, cmap="Blues")
            ax.set_xticks(range(len(LABELS)), LABELS, rotation=60)
            ax.set_yticks(range(len(LABELS)), LABELS)
            for i in range(len(LABELS)):
                for j in range(len(LABELS)):
                    if cm[i, j]:
                        ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                                color="white" if cm[i, j] > cm.max() / 2 else "black")
            ax.set_xlabel("predicted")
            ax.set_ylabel("true")
            ax.set_title(f"int8, held-out voices, {name}: "
                         f"{100 * metrics[f'int8_accuracy_{name}']:.1f}%")
        fig.tight_layout()
        png = out / f"{MODEL_NAME}_confusion.png"
        fig.savefig(png, dpi=90)
        plt.close(fig)
        files.append(png.name)
    except ImportError:
        pass
    lines = [f"# {MODEL_NAME}: training report", "",
             f"Trained {entry['trained_at']} by `edgeaudio train commands` (edgeaudio {entry['edgeaudio_version']}).", "",
             "## Data", "", entry["training_data"], "",
             "## Model", "",
             f"- architecture: {entry['architecture']}",
             f"- parameters: {entry['params']}, MACs per inference: {entry['macs']}",
             f"- int8 flatbuffer: {entry['size_bytes']} bytes; sha256 {entry['sha256']}", "",
             "## Held-out metrics (int8 model, voices never heard in training)", "",
             "| condition | int8 accuracy | float accuracy |", "|---|---|---|"]
    for name in ("clean", "snr_10db"):
        fa = metrics.get(f"float_accuracy_{name}")
        lines.append(f"| {name} | {100 * metrics[f'int8_accuracy_{name}']:.2f}% | "
                     + (f"{100 * fa:.2f}%" if fa is not None else "-") + " |")
    lat = metrics["latency"]
    lines += ["", f"Test examples: {metrics['test_examples']} (balanced over the 12 classes).", "",
              f"Invoke latency ({lat['interpreter']}, 1 thread, batch 1, {lat['count']} invokes): "
              f"median {lat['median_ms']:.3f} ms, p95 {lat['p95_ms']:.3f} ms.", ""]
    for key, title in (("by_family", "voice family"), ("by_label", "class")):
        if f"{key}_clean" in metrics:
            rows = metrics[f"{key}_clean"]
            lines += [f"Int8 accuracy per {title}:", "", f"| {title} | examples | clean | 10 dB SNR |", "|---|---|---|---|"]
            lines += [f"| {k} | {v['examples']} | {100 * v['accuracy']:.1f}% | "
                      f"{100 * metrics[f'{key}_snr_10db'][k]['accuracy']:.1f}% |" for k, v in rows.items()]
            lines.append("")
    sweep = metrics.get("int8_accuracy_by_snr_db")
    if sweep:
        fams = list(next(iter(sweep.values()))["by_family"])
        lines += ["Int8 accuracy against SNR (the same test clips and background draws at each SNR; "
                  "silence examples are the background alone):", "",
                  "| SNR | all | " + " | ".join(fams) + " |", "|---" * (len(fams) + 2) + "|"]
        lines += [f"| {snr} dB | {100 * v['accuracy']:.1f}% | "
                  + " | ".join(f"{100 * v['by_family'][f]['accuracy']:.1f}%" for f in fams) + " |"
                  for snr, v in sweep.items()]
        lines.append("")
    if files:
        lines += [f"![confusion matrices]({files[0]})", ""]
    md = out / f"{MODEL_NAME}_report.md"
    md.write_text("\n".join(lines))
    files.append(md.name)
    return files


def dscnn_entry(model_path: Path, model: Any, fe: Any, cfg: Any, *, task: str, labels: Sequence[str],
                window_samples: int, stride_ms: int, detector: Dict[str, Any], training_data: str,
                metrics: Dict[str, Any], elapsed_s: float) -> Dict[str, Any]:
    """The manifest entry of a DS-CNN classifier trained here (commands, sound events)."""
    from .. import __version__, runtime

    return {
        "file": model_path.name,
        "sha256": runtime.sha256_file(model_path),
        "size_bytes": model_path.stat().st_size,
        "task": task,
        "labels": list(labels),
        "architecture": f"DS-CNN (Hello Edge): conv 10x4/2 {cfg.filters}ch + {cfg.blocks} depthwise-separable "
                        f"blocks, {POOLING[getattr(cfg, 'head', 'global_average')]}, dense softmax"
                        + mel_reduction_note(getattr(cfg, "mel_reduction", 4)) + cepstra_note(getattr(cfg, "cepstra", 0)),
        "input": {"shape": [1, int(model.input_shape[1]), int(model.input_shape[2]), 1], "dtype": "int8",
                  "features": "logmel", "quantization": "from the model's input tensor"},
        "frontend": fe.to_dict(),
        "window_s": window_samples / fe.sample_rate,
        "window_samples": window_samples,
        "hop_ms": cfg.hop_ms,
        "frames": int(model.input_shape[1]),
        "stride_ms": stride_ms,
        "detector": detector,
        "params": int(model.count_params()),
        "macs": count_macs(model),
        "training_data": training_data,
        "metrics": {k: v for k, v in metrics.items() if not k.startswith("confusion")},
        "training": {"epochs": cfg.epochs, "batch_size": cfg.batch_size, "learning_rate": cfg.learning_rate,
                     "seed": cfg.seed, "wall_time_s": round(elapsed_s, 1)},
        "edgeaudio_version": __version__,
        "trained_at": time.strftime("%Y-%m-%d"),
    }


def publish(out: Path, cfg: CommandsConfig, model: Any, model_path: Path, metrics: Dict[str, Any],
            work: Path, elapsed_s: float) -> Dict[str, Any]:
    fe = frontend_config(cfg.hop_ms)
    voices_used = {}
    vj = work / f"voices-{cfg.data_key()}.json"
    if vj.is_file():
        voices_used = json.loads(vj.read_text())
    if cfg.speech_commands_dir:
        data_desc = f"Google Speech Commands layout at {cfg.speech_commands_dir} (its validation/testing lists)."
    else:
        fam = {s: sorted({v.split("+")[0] for v in vs}) for s, vs in voices_used.items()}
        data_desc = (
            f"Synthetic speech only (no recordings, no network): espeak-ng English voices x variants with "
            f"speed 120-220 wpm and pitch 20-80, festival diphone voices when installed. Split by voice family: "
            f"train {fam.get('train')} ({len(voices_used.get('train', []))} voices), "
            f"val {fam.get('val')} ({len(voices_used.get('val', []))}), "
            f"test {fam.get('test')} ({len(voices_used.get('test', []))}); espeak variants are hashed into "
            f"disjoint splits too, and unknown-class words are disjoint per split (Debian wamerican). "
            f"{cfg.train_per_keyword} clips per keyword, {int(cfg.train_per_keyword * cfg.unknown_factor)} unknown, "
            f"{cfg.train_per_keyword} silence; festival kal speaks {100 * cfg.festival_share:g}% of the training "
            f"clips, ked 25% of val/test"
            + (f"; {int(round(cfg.vowel_variants * cfg.train_per_keyword))} more training clips per keyword "
               f"spoken by espeak-ng training voices from its phonemes, the stressed vowel swapped for one "
               f"that another English accent uses there"
               + (f" ({100 * cfg.vowel_variants_festival_share:g}% of them by festival kal)"
                  if cfg.vowel_variants_festival_share > 0 else "")
               if cfg.vowel_variants > 0 else "")
            + f"; x{cfg.augment_copies} augmented copies (vocal-tract-length "
            f"perturbation 1+-{cfg.vtlp_range:g} p=0.5"
            + (f", kal clips always 1+-{cfg.festival_vtlp_range:g}" if cfg.festival_vtlp_range > 0 else "")
            + (f", formant warp {cfg.formant_warp_range[0]:g}-{cfg.formant_warp_range[1]:g} per F1/F2/F3 region "
               f"with the pitch kept p={cfg.formant_warp_prob:g}" if cfg.formant_warp_prob > 0 else "")
            + f", speed 0.9-1.1, time shift "
            f"+-125 ms, gain -35..-12 dBFS, pyroomacoustics room IRs p={cfg.room_ir_prob:g}, white/pink/brown noise, SoundFont "
            f"music and espeak babble at {cfg.snr_min_db:g}-{cfg.snr_max_db:g} dB SNR p={cfg.noise_prob:g}"
            + (f" (training noise bank x{cfg.train_noise_bank_scale})" if cfg.train_noise_bank_scale > 1 else "")
            + (f" (training babble x{cfg.train_babble_scale}, {cfg.train_babble_talkers[0]}-"
               f"{cfg.train_babble_talkers[1]} talkers)"
               if cfg.train_babble_scale > 1 or tuple(cfg.train_babble_talkers) != (4, 4) else "")
            + "; "
            f"SpecAugment {cfg.spec_time_masks} time + {cfg.spec_freq_masks} frequency masks"
            + (f", mixup alpha {cfg.mixup_alpha:g}" if cfg.mixup_alpha > 0 else "")
            + (f", label smoothing {cfg.label_smoothing:g}" if cfg.label_smoothing > 0 else "")
            + (f", consistency loss: cross-entropy on each example's clean twin (before its background) "
               f"plus {cfg.consistency:g} x KL(twin || example)" if cfg.consistency > 0 else "")
            + " in training). Test: "
            f"{cfg.test_per_class} per class, clean and with the test split's noise bank at 10 dB SNR."
            + (" Every clip of every split heard through the pipeline's noise suppressor."
               if cfg.noise_suppression else ""))
    entry = dscnn_entry(model_path, model, fe, cfg, task="keyword spotting (Speech Commands vocabulary)",
                        labels=LABELS, window_samples=CLIP_SAMPLES, stride_ms=100,
                        detector={"smoothing_frames": 3, "threshold": 0.7, "patience": 2, "refractory_s": 1.0,
                                  "note": "defaults for edgeaudio.models.Detector at a 100 ms invoke stride; "
                                          "not tuned on a stream"},
                        training_data=data_desc, metrics=metrics, elapsed_s=elapsed_s)
    if cfg.noise_suppression:
        entry["noise_suppression"] = True   # Pipeline runs the suppressor before this model
    # the manifest keeps accuracy per voice family (the report has the per-class tables too)
    for k in list(entry["metrics"]):
        if k.startswith("by_label_"):
            del entry["metrics"][k]
        elif k.startswith("by_family_"):
            entry["metrics"][k] = {f: round(v["accuracy"], 4) for f, v in entry["metrics"][k].items()}
    if "int8_accuracy_by_snr_db" in entry["metrics"]:  # overall accuracy per SNR (the report has the families)
        entry["metrics"]["int8_accuracy_by_snr_db"] = {
            k: round(v["accuracy"], 4) for k, v in entry["metrics"]["int8_accuracy_by_snr_db"].items()}
    if "by_family_clean" in metrics:
        entry["metrics"]["test_examples_by_family"] = {f: v["examples"] for f, v in metrics["by_family_clean"].items()}
    entry["report"] = write_report(out, entry, metrics)
    manifest.update(out / "manifest.json", MODEL_NAME, entry)
    return entry


def train_commands(out: os.PathLike, work: Optional[os.PathLike] = None, config: Optional[CommandsConfig] = None,
                   resume: bool = False) -> Dict[str, Any]:
    """The whole pipeline; returns the manifest entry.

    Parameters
    ----------
    out : path
        Where ``commands.tflite``, ``manifest.json`` and the report go (e.g. ``firmware_models/``).
    work : path, optional
        Cache and checkpoints; default ``~/.cache/edgeaudio/train/commands``.
    config : CommandsConfig, optional
    resume : bool
        Reuse the cached dataset and continue from the last checkpoint.
    """
    cfg = config or CommandsConfig()
    out = Path(out)
    work = Path(work) if work else Path.home() / ".cache" / "edgeaudio" / "train" / MODEL_NAME
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        clear_checkpoints(work)
    t0 = time.time()
    data = build_dataset(cfg, work, resume=resume)
    model = fit(cfg, data, work, resume=resume, head=cfg.head)
    model_path = out / f"{MODEL_NAME}.tflite"
    quantize(model, data, cfg, model_path)
    metrics = evaluate(model_path, data, model)
    if not cfg.speech_commands_dir:
        metrics["int8_accuracy_by_snr_db"] = snr_sweep(model_path, cfg, work, data)
    _log(f"int8 accuracy on held-out voices: clean {100 * metrics['int8_accuracy_clean']:.2f}%, "
         f"10 dB SNR {100 * metrics['int8_accuracy_snr_10db']:.2f}%; "
         f"median invoke {metrics['latency']['median_ms']:.3f} ms")
    entry = publish(out, cfg, model, model_path, metrics, work, time.time() - t0)
    _log(f"wrote {model_path} ({entry['size_bytes']} bytes) and {out / 'manifest.json'}")
    return entry
