"""Train a wake-word model from a typed phrase: synthesise, augment, train, quantise, tune, evaluate, publish.

``edgeaudio train wakeword "hey jarvis"`` runs :func:`train_wakeword`, one
stage per function, each caching its result in the work directory so an
interrupted run resumes (``resume=True``):

1. :func:`build_dataset` synthesises the phrase (positives) and the negatives
   by voice split (:mod:`.voices`): other words and sentences, automatic
   near-miss phrases made by editing the phrase's phonemes
   (:func:`near_miss_phonemes`), partial phrases, cut-off phrases, noise of
   several colours, SoundFont music, silence. Training clips are augmented
   (speed, vocal-tract-length perturbation, room IRs, noise / music / babble
   at random SNR, gain, time shift; SpecAugment per batch) and turned into
   log-mel windows with the one frontend (``kws`` preset, 20 ms hop).
2. :func:`fit` trains a DS-CNN ("negative" vs the phrase), checkpointing
   every epoch.
3. the best weights are converted to a full-integer int8 model.
4. :func:`tune_detector` runs the int8 model *streaming*
   (:class:`edgeaudio.wakeword.WakeWordSpotter`: frontend, one invoke per
   stride, detector) over validation-voice positives and validation
   negative streams (music from :data:`VAL_SOUNDFONT`, a SoundFont neither
   training nor the test streams use), and picks the detector's threshold,
   smoothing and patience there (never on test voices).
5. :func:`evaluate` measures the false-reject rate on test-voice positives
   (clean and with noise / music at stated SNRs), false accepts per hour on
   a negative stream (held-out speech, SoundFont music, TV-like mixtures;
   :func:`negative_stream_cache`), latency and CPU per audio second.
6. :func:`publish` writes the model, its manifest entry and a report with a
   ROC / DET figure.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .. import features
from . import augment, commands, manifest, voices
from .commands import _render_many, festival_paced
from .model import count_macs, mel_reduction_note

SAMPLE_RATE = 16000
LABEL_NEGATIVE = "negative"
#: SoundFonts: training music comes from the first, evaluation music from the second.
TRAIN_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
EVAL_SOUNDFONT = "/usr/share/sounds/sf2/TimGM6mb.sf2"
#: the detector is tuned on music from a third SoundFont (Debian's musescore-general-soundfont), used
#: neither in training nor in the test streams: tuned on the training one, validation saw a third of the
#: false accepts the test streams then made (the model had learnt that SoundFont's timbres as negatives)
VAL_SOUNDFONT = "/usr/share/sounds/sf3/MuseScore_General.sf3"
#: a "SoundFont" path that names no file: music from the synth's built-in wavetable patches
BUILTIN_PATCHES = "builtin"
#: the SoundFont each split's negative streams were rendered with before the SoundFont joined the cache
#: file names: those files keep their names (another SoundFont adds its name to them)
_UNNAMED_SOUNDFONT = {"train": TRAIN_SOUNDFONT, "val": TRAIN_SOUNDFONT, "test": EVAL_SOUNDFONT}


def validation_soundfont(path: str = VAL_SOUNDFONT) -> str:
    """The SoundFont of the detector-tuning streams: ``path`` when installed, else the training one (logged).

    Falling back makes validation music the training music, so validation
    under-counts the false accepts of unheard music (about 3x on hey_nova).
    """
    if os.path.isfile(path):
        return path
    _log(f"WARNING: {path} is not installed (apt-get install musescore-general-soundfont): the detector is "
         f"tuned on music from the training SoundFont {TRAIN_SOUNDFONT}, so validation will under-count "
         f"false accepts")
    return TRAIN_SOUNDFONT


def phrase_name(phrase: str) -> str:
    """The model name of a phrase: "Hey Jarvis!" -> "hey_jarvis"."""
    name = re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")
    if not name:
        raise ValueError(f"phrase must contain letters or digits, got {phrase!r}")
    return name


@dataclass
class WakeWordConfig:
    """What a run trains on and how; its hash names the cached dataset.

    Counts are clean renders before augmentation; ``positive_copies``
    augmented versions of each training positive are made.
    """

    #: fields that only steer detector tuning: a checkpoint trained under other values is still resumed
    TUNING_ONLY: ClassVar[Tuple[str, ...]] = ("val_stream_minutes", "target_fa_per_hour", "refractory_s")
    #: fields that only shape the hard-negative mining and its fine-tune: a finished first stage is reused
    #: when only these change (``--resume --mining-hours 6`` mines again without training from scratch)
    MINING_ONLY: ClassVar[Tuple[str, ...]] = ("mining_hours", "mining_max", "mining_min_score", "mining_epochs",
                                              "mining_builtin_hours", "mining_music_shelf_db")
    #: fields added after datasets were cached: left out of the key at these (default) values
    KEYED_UNLESS: ClassVar[Dict[str, Any]] = {"vowel_variants": 0.0, "festival_rate_max": 1.0}
    #: fields added after mined negatives were cached: left out of their key at these (default) values
    MINED_KEYED_UNLESS: ClassVar[Dict[str, Any]] = {"festival_rate_max": 1.0, "mining_builtin_hours": 0.0,
                                                    "mining_music_shelf_db": 0.0}

    phrase: str = "hey jarvis"
    positives: int = 2400
    positive_copies: int = 2
    words: int = 3200
    near_misses: int = 2000
    partials: int = 1200
    cropped: int = 800
    backgrounds: int = 1200
    val_positives: int = 240
    test_positives: int = 360
    #: validation negative audio for tuning the detector (music from :data:`VAL_SOUNDFONT`): long enough that
    #: the false-accept target is a count the tuner can see (a 40 min stream cannot tell 2/h from 0.5/h)
    val_stream_minutes: float = 600.0
    epochs: int = 14
    batch_size: int = 128
    learning_rate: float = 3e-3
    filters: int = 48
    blocks: int = 3
    head: str = "time_flatten"
    #: mel bands per band the DS-CNN's blocks see (:func:`edgeaudio.train.model.ds_cnn`: 4, 2 or 8)
    mel_reduction: int = 4
    near_miss_share: float = 0.3
    hop_ms: int = 20
    window_ms: int = 1500
    stride_ms: int = 100
    refractory_s: float = 1.5
    target_fa_per_hour: float = 0.5
    seed: int = 20261125
    festival: Optional[bool] = None
    #: share of training renders by festival kal (at espeak-like pitches): the one diphone voice
    #: training may use, so a held-out diphone voice (ked) is not an unheard kind of speech
    festival_share: float = 0.3
    #: training renders by festival speak at the espeak-like rate times a factor drawn from 1 to this (1: none).
    #: Diphone voices have their own pace: at the same duration stretch ked says "alexa" in 0.46 s and kal
    #: in 0.62 s, so kal alone never reaches the shortest "alexa" a held-out diphone voice says at 220 wpm
    festival_rate_max: float = 1.0
    #: formant perturbation of training speech (positives and negatives alike): the chance per clip and the
    #: range of the per-region factors of :func:`augment.formant_warp` (pitch kept), so the one diphone
    #: voice training may use is heard with many vocal tracts
    formant_warp_prob: float = 0.7
    formant_warp_range: Tuple[float, float] = (0.8, 1.25)
    #: extra training positives, as a share of ``positives``, spoken by espeak-ng training voices from the
    #: phrase's phonemes in their own accent with each stressed vowel drawn from :data:`ACCENT_VOWELS` (how
    #: other English accents say it); the near misses then leave those vowel swaps out (0: neither)
    vowel_variants: float = 0.0
    room_irs: int = 24
    music_clips: int = 8
    #: hard-negative mining: hours of training-voice negative streams scored by the first model, the most
    #: windows kept, the lowest score kept, and the fine-tuning epochs on the training set plus those windows
    mining_hours: float = 6.0
    mining_max: int = 20000
    mining_min_score: float = 0.05
    mining_epochs: int = 6
    #: more hours of training-voice negative streams mined beside ``mining_hours``, their music played by the
    #: synth's built-in wavetable patches instead of a SoundFont: a second family of timbres, because a
    #: held-out SoundFont's instruments can sound like the phrase where the training SoundFont's never do
    mining_builtin_hours: float = 0.0
    #: the mined streams' music gets a random shelf of -this..+this dB above 3 kHz per piece (0: none): bright
    #: instruments (a small SoundFont's guitar has 10-28 dB more 4-8 kHz than FluidR3's) sound like fricatives
    mining_music_shelf_db: float = 0.0

    @classmethod
    def smoke(cls, phrase: str = "hey jarvis") -> "WakeWordConfig":
        """A tiny run (seconds of synthesis, one epoch) for CI: the same code path, no quality."""
        return cls(phrase=phrase, positives=6, positive_copies=1, words=6, near_misses=4, partials=3, cropped=2,
                   backgrounds=3, val_positives=3, test_positives=3, val_stream_minutes=0.25, epochs=1,
                   batch_size=16, filters=8, blocks=1, room_irs=2, music_clips=1, mining_hours=0.005,
                   mining_max=50, mining_epochs=1)

    @classmethod
    def fast(cls, phrase: str) -> "WakeWordConfig":
        """A custom wake word in well under an hour on a 2-core CPU (less data, fewer epochs)."""
        return cls(phrase=phrase, positives=1600, words=2200, near_misses=1400, partials=800, cropped=600,
                   backgrounds=800, val_positives=160, test_positives=240, val_stream_minutes=120.0, epochs=10,
                   mining_hours=1.0, mining_epochs=4)

    @property
    def window_samples(self) -> int:
        return SAMPLE_RATE * self.window_ms // 1000

    def data_key(self) -> str:
        d = dataclasses.asdict(self)
        for k in ("epochs", "batch_size", "learning_rate", "filters", "blocks", "head", "mel_reduction",
                  "near_miss_share", *self.TUNING_ONLY, *self.MINING_ONLY):
            d.pop(k)
        for k, v in self.KEYED_UNLESS.items():
            if d[k] == v:
                d.pop(k)
        d["render"] = voices.SPEECH_RENDER
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def frontend_config(hop_ms: int = 20) -> features.FrontendConfig:
    """The kws preset (16 kHz, 30 ms Hann window, 40 log mels 125-7500 Hz) at ``hop_ms``."""
    return features.FrontendConfig.preset("kws", hop_length=16 * int(hop_ms))


def _log(msg: str) -> None:
    print(f"[train wakeword {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- near misses and partial phrases ---------------------------------------------------------

_VOWELS = ("a", "A:", "A@", "aI", "aU", "@", "3:", "e@", "eI", "E", "i:", "I", "0", "O:", "OI", "oU", "u:", "U",
           "V", "i@", "U@", "O@", "@L", "a#", "I2", "@2", "aI@", "aU@", "3", "e", "i", "O", "o@")
#: consonant classes: a near miss swaps a consonant for another of its class (never only its voicing)
_CONSONANT_CLASSES = (
    ("p", "t", "k"), ("b", "d", "g"), ("f", "T", "s", "S", "h"), ("v", "D", "z", "Z"), ("m", "n", "N"),
    ("l", "r", "w", "j"), ("tS", "t", "S", "k"), ("dZ", "d", "Z", "g", "j"),
)
_VOWEL_TARGETS = ("a", "A:", "aI", "aU", "@", "3:", "eI", "E", "i:", "I", "0", "O:", "oU", "u:", "U", "V")
#: how English accents say a stressed vowel that espeak-ng's training accents give (written from accent
#: variation in general: the FACE and GOAT monophthongs of Scottish, Caribbean and northern English, the
#: fronted START and PRICE, the merged or split LOT / THOUGHT, the STRUT vowel); the vowel itself comes first
ACCENT_VOWELS: Dict[str, Tuple[str, ...]] = {
    "eI": ("eI", "e", "E"), "E": ("E", "e", "a"), "a": ("a", "E", "A:"), "A:": ("A:", "a", "A@"),
    "A@": ("A@", "A:", "a"), "aI": ("aI", "a", "A:"), "oU": ("oU", "o:", "@U", "O:"), "O:": ("O:", "0", "A:"),
    "0": ("0", "A:", "O:", "V"), "V": ("V", "@", "a#", "0", "U"), "u:": ("u:", "U"), "U": ("U", "u:", "V"),
}


def _split_stress(token: str) -> Tuple[str, str]:
    stress = token[0] if token and token[0] in "'," else ""
    return stress, token[len(stress):]


def accent_variant(tokens: Sequence[str], rng: np.random.Generator) -> List[str]:
    """``tokens`` with each stressed vowel of :data:`ACCENT_VOWELS` replaced by one of its accent forms."""
    out = []
    for t in tokens:
        stress, core = _split_stress(t)
        if stress and core in ACCENT_VOWELS:
            forms = ACCENT_VOWELS[core]
            t = stress + forms[int(rng.integers(len(forms)))]
        out.append(t)
    return out


def is_accent_variant(tokens: Sequence[str], base: Sequence[str]) -> bool:
    """True when ``tokens`` is ``base`` with only stressed vowels swapped for accent forms of them."""
    if len(tokens) != len(base):
        return False
    for t, b in zip(tokens, base):
        if t == b:
            continue
        (st, ct), (sb, cb) = _split_stress(t), _split_stress(b)
        if not (st == sb and sb and ct in ACCENT_VOWELS.get(cb, ())):
            return False
    return True


def _alternatives(token: str) -> List[str]:
    stress, core = _split_stress(token)
    if core in _VOWELS:
        return [stress + v for v in _VOWEL_TARGETS if v != core]
    alts: List[str] = []
    for cls in _CONSONANT_CLASSES:
        if core == cls[0] or (core in cls and len(cls[0]) == 1):
            alts += [stress + c for c in cls if c != core and stress + c not in alts]
    return alts


def phrase_phonemes(phrase: str, accent: str = "en-us") -> List[str]:
    """The phrase's phonemes (:func:`voices.phoneme_tokens` of ``espeak-ng -x``)."""
    return voices.phoneme_tokens(voices.phonemes(phrase, accent))


def near_miss_phonemes(phrase: str, count: int = 200, seed: int = 0, accent: str = "en-us",
                       exclude_accent_variants: bool = False) -> List[List[str]]:
    """Phoneme sequences close to the phrase but not it: one or two phonemes substituted, or one deleted.

    Substitutions keep the phoneme class (vowel for vowel; a stop for a stop at
    another place, a fricative for a fricative, a nasal for a nasal, ...), so
    the result sounds *near* the phrase. Every sequence differs from the
    phrase's own; the list is deterministic for a given ``seed``. With
    ``exclude_accent_variants`` a swap of stressed vowels for their accent
    forms (:func:`is_accent_variant`) is not a near miss: it is the phrase.

    Raises
    ------
    ValueError
        A phrase espeak-ng gives fewer than two phonemes for.
    """
    base = phrase_phonemes(phrase, accent)
    pos = [i for i, t in enumerate(base) if t != " "]
    if len(pos) < 2:
        raise ValueError(f"phrase {phrase!r} is too short to make near misses ({base})")
    key = "".join(base)
    single: List[List[str]] = []
    for i in pos:
        for alt in _alternatives(base[i]):
            single.append(base[:i] + [alt] + base[i + 1:])
        if len(pos) > 3:
            single.append(base[:i] + base[i + 1:])
    rng = np.random.default_rng(seed)
    def ok(seq: List[str]) -> bool:
        return "".join(seq) != key and not (exclude_accent_variants and is_accent_variant(seq, base))

    out = {"".join(s): s for s in single if ok(s)}
    tries = 0
    while len(out) < count and tries < 20 * count:
        tries += 1
        i, j = sorted(rng.choice(pos, 2, replace=False))
        ai, aj = _alternatives(base[i]), _alternatives(base[j])
        if not ai or not aj:
            continue
        s = base[:i] + [ai[int(rng.integers(len(ai)))]] + base[i + 1:j] + [aj[int(rng.integers(len(aj)))]] + base[j + 1:]
        if ok(s):
            out.setdefault("".join(s), s)
    seqs = sorted(out.values(), key=lambda s: "".join(s))
    order = np.random.default_rng(seed + 1).permutation(len(seqs))
    return [seqs[k] for k in order[:count]]


def partial_phonemes(phrase: str, accent: str = "en-us") -> List[List[str]]:
    """The phrase with phonemes cut from its start or its end (at least 2 cut, at least 2 kept)."""
    base = [t for t in phrase_phonemes(phrase, accent)]
    ph = [i for i, t in enumerate(base) if t != " "]
    out = []
    for k in range(2, len(ph) - 1):
        head = base[: ph[-k]]
        tail = base[ph[k]:]
        for s in (head, tail):
            s = [t for t in s]
            while s and s[0] == " ":
                s.pop(0)
            while s and s[-1] == " ":
                s.pop()
            if sum(t != " " for t in s) >= 2 and s not in out:
                out.append(s)
    return out


def partial_texts(phrase: str, words: Sequence[str], rng: np.random.Generator, count: int) -> List[str]:
    """Word-level partials: each proper run of the phrase's words, and the phrase with a word replaced."""
    w = phrase.lower().split()
    runs = sorted({" ".join(w[i:j]) for i in range(len(w)) for j in range(i + 1, len(w) + 1)} - {" ".join(w)})
    out = list(runs)
    while len(out) < count and len(w) > 1:
        k = int(rng.integers(len(w)))
        out.append(" ".join(words[int(rng.integers(len(words)))] if i == k else x for i, x in enumerate(w)))
    return out  # a one-word phrase has no word-level partials: partial_phonemes cuts its syllables


# ---- 1. data ----------------------------------------------------------------------------------


def _word_split(word: str) -> str:
    u = voices._stable_unit("word:" + word)
    return "test" if u < 0.15 else "val" if u < 0.3 else "train"


def negative_words(phrase: str, split: str) -> List[str]:
    """Words for negative speech in ``split`` (disjoint between splits, none of the phrase's words)."""
    banned = set(phrase.lower().split())
    banned |= {b + "s" for b in banned}
    return [w for w in voices.word_list() if w not in banned and _word_split(w) == split]


def _speakers(split: str, festival: Optional[bool]) -> Tuple[List[voices.Speaker], List[voices.Speaker]]:
    spk = [s for s in voices.speakers(festival) if s.split == split]
    esp = [s for s in spk if s.engine == "espeak"]
    if not esp:
        raise RuntimeError(f"no {split} voices: install espeak-ng (apt-get install espeak-ng)")
    return esp, [s for s in spk if s.engine == "festival"]


def _pick_speaker(esp: Sequence[voices.Speaker], fest: Sequence[voices.Speaker], rng: np.random.Generator,
                  fest_share: float) -> voices.Speaker:
    if fest and rng.random() < fest_share:
        return fest[int(rng.integers(len(fest)))]
    return esp[int(rng.integers(len(esp)))]


def _render_phoneme_jobs(jobs: Sequence[Tuple[List[str], voices.Speaker, int, int]]) -> List[np.ndarray]:
    return _render_many([("[[" + "".join(t) + "]]", s, w, p) for t, s, w, p in jobs])


def synthesize(cfg: WakeWordConfig, split: str, rng: np.random.Generator) -> Dict[str, Any]:
    """Clean renders of ``split``: positives and each negative kind (lists of float32 arrays) + voices used."""
    esp, fest = _speakers(split, cfg.festival)
    fest_share = cfg.festival_share if split == "train" else 0.25
    scale = 1.0 if split == "train" else 0.12
    n = {"positive": cfg.positives if split == "train" else
         cfg.val_positives if split == "val" else cfg.test_positives,
         "words": max(1, int(cfg.words * scale)), "near_miss": max(1, int(cfg.near_misses * scale)),
         "partial": max(1, int(cfg.partials * scale))}
    words = negative_words(cfg.phrase, split)

    def speed_pitch() -> Tuple[int, int]:
        return int(rng.integers(115, 226)), int(rng.integers(15, 86))

    text_jobs, kinds, used = [], [], set()
    for _ in range(n["positive"]):
        s = _pick_speaker(esp, fest, rng, fest_share)
        text_jobs.append((cfg.phrase, s, *speed_pitch()))
        kinds.append("positive")
    for _ in range(n["words"]):
        k = int(rng.choice([1, 1, 2, 3, 5]))
        text = " ".join(words[int(rng.integers(len(words)))] for _ in range(k))
        text_jobs.append((text, _pick_speaker(esp, fest, rng, fest_share), *speed_pitch()))
        kinds.append("words")
    ptexts = partial_texts(cfg.phrase, words, rng, 40)
    n_ptext = n["partial"] // 2 if len(cfg.phrase.split()) > 1 else 0
    for _ in range(n_ptext):
        text_jobs.append((ptexts[int(rng.integers(len(ptexts)))], _pick_speaker(esp, fest, rng, fest_share),
                          *speed_pitch()))
        kinds.append("partial")
    if split == "train" and cfg.festival_rate_max > 1:
        # its own random stream, so the rest of the training set is the one the recipe had without it
        frng = np.random.default_rng([cfg.seed, 12])
        text_jobs = festival_paced(text_jobs, lambda: frng.uniform(1.0, cfg.festival_rate_max))
    clips = _render_many(text_jobs)
    used |= {j[1].name for j in text_jobs}
    near = near_miss_phonemes(cfg.phrase, count=240, seed=cfg.seed, exclude_accent_variants=cfg.vowel_variants > 0)
    part = partial_phonemes(cfg.phrase)
    ph_jobs, ph_kinds = [], []
    if split == "train" and cfg.vowel_variants > 0:
        # their own random stream, so the rest of the training set is the one the recipe had without them
        vrng = np.random.default_rng([cfg.seed, 11])
        own: Dict[str, List[str]] = {}
        for _ in range(int(round(cfg.vowel_variants * cfg.positives))):
            s = esp[int(vrng.integers(len(esp)))]
            if s.voice not in own:
                own[s.voice] = phrase_phonemes(cfg.phrase, s.voice)
            ph_jobs.append((accent_variant(own[s.voice], vrng), s, int(vrng.integers(115, 226)),
                            int(vrng.integers(15, 86))))
            ph_kinds.append("positive")
    for _ in range(n["near_miss"]):
        ph_jobs.append((near[int(rng.integers(len(near)))], esp[int(rng.integers(len(esp)))], *speed_pitch()))
        ph_kinds.append("near_miss")
    for _ in range(n["partial"] - n_ptext):
        ph_jobs.append((part[int(rng.integers(len(part)))], esp[int(rng.integers(len(esp)))], *speed_pitch()))
        ph_kinds.append("partial")
    clips += _render_phoneme_jobs(ph_jobs)
    kinds += ph_kinds
    used |= {j[1].name for j in ph_jobs}
    out: Dict[str, Any] = {k: [c for c, kk in zip(clips, kinds) if kk == k and c.size]
                           for k in ("positive", "words", "near_miss", "partial")}
    out["voices"] = sorted(used)
    return out


def noise_bank(split: str, cfg: WakeWordConfig, rng: np.random.Generator, soundfont_path: str) -> augment.NoiseBank:
    """Coloured noise, SoundFont music and babble of ``split``'s voices (background to mix in)."""
    n = 6 * SAMPLE_RATE
    clips = [augment.coloured_noise(n, c, rng) for c in ("white", "pink", "brown")]
    sf = _soundfont(soundfont_path)
    for _ in range(cfg.music_clips):
        clips.append(augment.music(n, rng, sf))
    esp, _ = _speakers(split, False)
    words = negative_words(cfg.phrase, split)
    for _ in range(max(1, cfg.music_clips // 2)):
        parts = [voices.render_espeak(" ".join(words[int(rng.integers(len(words)))] for _w in range(14)),
                                      esp[int(rng.integers(len(esp)))], int(rng.integers(140, 200)),
                                      int(rng.integers(20, 80))) for _k in range(3)]
        m = max(len(x) for x in parts)
        babble = np.zeros(m, np.float32)
        for x in parts:
            babble[: len(x)] += x / (np.sqrt(np.mean(x ** 2)) + 1e-9)
        clips.append(babble / (np.sqrt(np.mean(babble ** 2)) + 1e-9))
    return augment.NoiseBank(clips)


@functools.lru_cache(maxsize=1)
def _soundfont(path: str) -> Any:
    # kept loaded for the next call: an SF3 takes about a minute to decode (tuning loads it twice in a row)
    try:
        from .. import synth

        return synth.load_soundfont(path) if os.path.isfile(path) else None
    except Exception as e:  # noqa: BLE001 - built-in patches instead
        _log(f"WARNING: SoundFont {path} did not load ({e}); music uses the built-in patches")
        return None


def place_inside(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Put all of ``x`` at a random offset in an ``n``-sample clip (its last ``n`` samples if longer)."""
    out = np.zeros(n, np.float32)
    if len(x) >= n:
        out[:] = x[len(x) - n:]
        return out
    s = int(rng.integers(0, n - len(x) + 1))
    out[s:s + len(x)] = x
    return out


def make_example(x: np.ndarray, rng: np.random.Generator, bank: augment.NoiseBank, irs: Sequence[np.ndarray],
                 n: int, train: bool, positive: bool, formant_prob: float = 0.0,
                 formant_range: Sequence[float] = (1.0, 1.0)) -> np.ndarray:
    """One window from a clean render (an empty ``x`` makes a background-only example).

    Training speech is formant-warped with chance ``formant_prob`` (:func:`augment.random_formant_warp`).
    """
    if not x.size:
        if rng.random() < 0.1:
            return np.zeros(n, np.float32)
        return augment.set_level(bank.draw(n, rng), rng.uniform(-70, -20))
    if train:
        x = augment.speed(x, rng.uniform(0.9, 1.1))
        if rng.random() < 0.5:
            x = augment.vocal_tract_perturb(x, rng.uniform(0.88, 1.12))
        x = augment.random_formant_warp(x, rng, formant_prob, formant_range)
    clip = place_inside(x, n, rng)
    if train and irs and rng.random() < 0.3:
        clip = augment.apply_ir(clip, irs[int(rng.integers(len(irs)))])
    clip = augment.set_level(clip, rng.uniform(-35, -12))
    if rng.random() < (0.85 if train else 0.5):
        clip = augment.mix_at_snr(clip, bank.draw(n, rng), rng.uniform(3 if positive else 0, 25))
    return np.clip(clip, -1.0, 1.0).astype(np.float32)


def crop_phrase(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cut-off phrase: its first or last 30-65 %, so the model learns to wait for the whole phrase."""
    k = max(1, int(len(x) * rng.uniform(0.3, 0.65)))
    return x[:k].copy() if rng.random() < 0.5 else x[len(x) - k:].copy()


def _featurize(clips: Sequence[np.ndarray], cfg: WakeWordConfig) -> np.ndarray:
    fe = frontend_config(cfg.hop_ms)
    out = []
    for i in range(0, len(clips), 512):
        out.append(features.logmel(np.stack(clips[i:i + 512]), fe).astype(np.float32))
    return np.concatenate(out) if out else np.zeros((0, fe.num_frames(cfg.window_samples), fe.n_mels), np.float32)


def build_dataset(cfg: WakeWordConfig, work: Path, resume: bool = True) -> Dict[str, np.ndarray]:
    """Train / val windows (features and labels) plus the clean held-out renders (cached in ``work``)."""
    cache = work / f"data-{cfg.data_key()}.npz"
    cached = commands.load_cached_dataset(cache, resume, _log)
    if cached is not None:
        return cached
    t0 = time.time()
    rng = np.random.default_rng(cfg.seed)
    irs = augment.room_irs(cfg.room_irs, rng)
    n = cfg.window_samples
    out: Dict[str, np.ndarray] = {}
    desc: Dict[str, Any] = {}
    for split in voices.SPLITS:
        r = synthesize(cfg, split, rng)
        desc[split] = r.pop("voices")
        _log(f"{split}: " + ", ".join(f"{k} {len(v)}" for k, v in r.items()) +
             f" clean renders from {len(desc[split])} voices ({time.time() - t0:.0f} s)")
        if split == "test":
            # held-out positives stay clean renders: evaluate() streams them with its own backgrounds
            lens = np.array([len(c) for c in r["positive"]], np.int64)
            out["test_positive_audio"] = np.concatenate(r["positive"]) if len(lens) else np.zeros(0, np.float32)
            out["test_positive_lengths"] = lens
            bank = noise_bank(split, cfg, rng, EVAL_SOUNDFONT)
            negs = r["words"] + r["near_miss"] + r["partial"]
            kinds = ["words"] * len(r["words"]) + ["near_miss"] * len(r["near_miss"]) + ["partial"] * len(r["partial"])
            clips = [make_example(c, rng, bank, irs, n, False, True) for c in r["positive"]]
            clips += [make_example(c, rng, bank, irs, n, False, False) for c in negs]
            out["x_test"] = _featurize(clips, cfg)
            out["y_test"] = np.array([1] * len(r["positive"]) + [0] * len(negs), np.int32)
            out["kind_test"] = np.array(["positive"] * len(r["positive"]) + kinds)
            continue
        if split == "val":
            lens = np.array([len(c) for c in r["positive"]], np.int64)
            out["val_positive_audio"] = np.concatenate(r["positive"]) if len(lens) else np.zeros(0, np.float32)
            out["val_positive_lengths"] = lens
        bank = noise_bank(split, cfg, rng, TRAIN_SOUNDFONT)
        train = split == "train"
        copies = cfg.positive_copies if train else 1
        fw = (cfg.formant_warp_prob, cfg.formant_warp_range)
        pos = [make_example(c, rng, bank, irs, n, train, True, *fw) for _ in range(copies) for c in r["positive"]]
        cropped_n = cfg.cropped if train else max(1, cfg.cropped // 8)
        crops = [crop_phrase(r["positive"][int(rng.integers(len(r["positive"])))], rng) for _ in range(cropped_n)]
        negs = r["words"] + r["near_miss"] + r["partial"] + crops
        negs += [np.zeros(0, np.float32)] * (cfg.backgrounds if train else max(1, cfg.backgrounds // 8))
        neg = [make_example(c, rng, bank, irs, n, train, False, *fw) for c in negs]
        out[f"x_{split}"] = _featurize(pos + neg, cfg)
        out[f"y_{split}"] = np.array([1] * len(pos) + [0] * len(neg), np.int32)
        n_bg = len(negs) - len(r["words"]) - len(r["near_miss"]) - len(r["partial"]) - len(crops)
        out[f"kind_{split}"] = np.array(["positive"] * len(pos) + ["words"] * len(r["words"]) +
                                        ["near_miss"] * len(r["near_miss"]) + ["partial"] * len(r["partial"]) +
                                        ["cropped"] * len(crops) + ["background"] * n_bg)
        _log(f"{split}: {len(pos)} positive and {len(neg)} negative windows ({time.time() - t0:.0f} s)")
    commands.save_dataset(cache, out, t0, _log)
    (work / f"voices-{cfg.data_key()}.json").write_text(json.dumps(desc, indent=1))
    return out


def split_clips(audio: np.ndarray, lengths: np.ndarray) -> List[np.ndarray]:
    """Undo the concatenation of clean renders stored in the dataset cache."""
    ends = np.cumsum(lengths)
    return [audio[e - l:e] for e, l in zip(ends, lengths)]


# ---- 2. training ------------------------------------------------------------------------------


def training_windows(cfg: WakeWordConfig, data: Dict[str, np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """The training windows and labels, with ``cfg.near_miss_share`` of the near misses."""
    x, y = data["x_train"], data["y_train"]
    if "kind_train" in data and cfg.near_miss_share < 1.0:
        # near misses one phoneme from the phrase are close to positives: train on a share of them,
        # enough to push real words away without teaching the model to doubt the phrase itself
        near = np.nonzero(data["kind_train"] == "near_miss")[0]
        drop = np.random.default_rng(cfg.seed + 3).permutation(near)[int(round(cfg.near_miss_share * len(near))):]
        keep = np.setdiff1d(np.arange(len(y)), drop)
        x, y = x[keep], y[keep]
        _log(f"training on {len(y)} windows ({len(near) - len(drop)} of {len(near)} near misses)")
    return x, y


def fit(cfg: WakeWordConfig, data: Dict[str, np.ndarray], work: Path, resume: bool = True) -> Any:
    """Train with a checkpoint per epoch (the commands trainer's loop); keeps the lowest validation loss."""
    x, y = training_windows(cfg, data)
    return commands.fit(cfg, data, work, resume=resume, n_classes=2, log=_log, train=(x, y), head=cfg.head,
                        monitor="val_loss", resume_ignores=cfg.MINING_ONLY)


def mine_hard_negatives(cfg: WakeWordConfig, model: Any, work: Path, neg_dir: Path,
                        resume: bool = True) -> Dict[str, Any]:
    """Windows of training-voice negative streams that ``model`` scores highest (cached in ``work``).

    Training negatives are short clips; running speech, music and TV-like
    mixtures hold many more phrase-like moments. ``cfg.mining_hours`` of such
    audio by *training* voices with the training SoundFont (never the held-out
    voices or the evaluation SoundFont), plus ``cfg.mining_builtin_hours`` with
    the built-in wavetable patches playing the music, is cut into the windows the spotter
    sees at its stride, the float model scores them, and the ``cfg.mining_max``
    highest-scoring windows at or above ``cfg.mining_min_score`` are kept as
    negatives. Returns ``{"x": windows, "score": scores, "hours": h}``.
    """
    # everything that shapes the first model or the mining, not what only steers tuning or the fine-tune
    skip = set(cfg.TUNING_ONLY) | {"mining_epochs"}
    skip |= {k for k, v in cfg.MINED_KEYED_UNLESS.items() if getattr(cfg, k) == v}
    key = hashlib.sha1(json.dumps({**{k: v for k, v in dataclasses.asdict(cfg).items() if k not in skip},
                                   "render": voices.SPEECH_RENDER}, sort_keys=True).encode()).hexdigest()[:12]
    cache = work / f"mined-{key}.npz"
    if resume and cache.is_file():
        with np.load(cache) as z:
            _log(f"hard negatives: {len(z['x'])} cached windows from {float(z['hours']):.2f} h")
            return {"x": z["x"], "score": z["score"], "hours": float(z["hours"])}
    fe = frontend_config(cfg.hop_ms)
    win = fe.num_frames(cfg.window_samples)
    step = max(1, cfg.stride_ms // cfg.hop_ms)
    files = negative_stream_cache(neg_dir, "train", cfg.mining_hours, cfg.seed + 11, TRAIN_SOUNDFONT,
                                  chunk_s=min(300.0, cfg.mining_hours * 3600), music_shelf_db=cfg.mining_music_shelf_db)
    if cfg.mining_builtin_hours > 0:
        files += negative_stream_cache(neg_dir, "train", cfg.mining_builtin_hours, cfg.seed + 13, BUILTIN_PATCHES,
                                       chunk_s=min(300.0, cfg.mining_builtin_hours * 3600),
                                       music_shelf_db=cfg.mining_music_shelf_db)
    xs, scores, hours, seen = [], [], 0.0, 0
    for f in files:
        audio = load_chunk(f)
        hours += len(audio) / SAMPLE_RATE / 3600
        feats = features.logmel(audio, fe).astype(np.float32)
        if len(feats) < win:
            continue
        # the frontend has no padding, so frame k*step starts the window the spotter scores at that invoke
        w = np.lib.stride_tricks.sliding_window_view(feats, win, axis=0)[::step].transpose(0, 2, 1)
        p = model.predict(w[..., None], batch_size=512, verbose=0)[:, 1]
        seen += len(p)
        keep = np.nonzero(p >= cfg.mining_min_score)[0]
        xs.append(np.ascontiguousarray(w[keep]))
        scores.append(p[keep])
        # bound memory: keep only the current best mining_max
        allx, alls = np.concatenate(xs), np.concatenate(scores)
        top = np.argsort(-alls, kind="stable")[:cfg.mining_max]
        xs, scores = [allx[top]], [alls[top]]
    x = xs[0] if xs else np.zeros((0, win, fe.n_mels), np.float32)
    score = scores[0] if scores else np.zeros(0, np.float32)
    _log(f"hard negatives: {len(x)} of {seen} windows in {hours:.2f} h scored >= {cfg.mining_min_score} "
         f"(max {cfg.mining_max}; scores {np.percentile(score, [50, 90, 100]).round(3).tolist() if len(score) else []})")
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, x=x, score=score, hours=hours)
    os.replace(tmp, cache)
    return {"x": x, "score": score, "hours": hours}


def fine_tune(cfg: WakeWordConfig, data: Dict[str, np.ndarray], mined: Dict[str, Any], model: Any, work: Path,
              resume: bool = True) -> Any:
    """Continue training ``model`` on the training windows plus the mined hard negatives.

    ``cfg.mining_epochs`` epochs at a third of the learning rate, with its own
    checkpoints (``work/mined``) so an interrupted run resumes here.
    """
    if not len(mined["x"]) or cfg.mining_epochs <= 0:
        return model
    x, y = training_windows(cfg, data)
    x = np.concatenate([x, mined["x"].astype(x.dtype)])
    y = np.concatenate([y, np.zeros(len(mined["x"]), y.dtype)])
    sub = work / "mined"
    sub.mkdir(exist_ok=True)
    if not resume:
        commands.clear_checkpoints(sub)
    ft = dataclasses.replace(cfg, epochs=cfg.mining_epochs, learning_rate=cfg.learning_rate / 3)
    _log(f"fine-tuning on {len(y)} windows ({len(mined['x'])} mined hard negatives), {ft.epochs} epochs")
    return commands.fit(ft, data, sub, resume=resume, n_classes=2, log=_log, train=(x, y), head=cfg.head,
                        monitor="val_loss", init=model)


def quantize(model: Any, data: Dict[str, np.ndarray], cfg: WakeWordConfig, path: Path) -> bytes:
    return commands.quantize(model, data, cfg, path, examples=500)


# ---- streams: positives in context, negative hours -------------------------------------------


def base_entry(cfg: WakeWordConfig, name: str) -> Dict[str, Any]:
    """The manifest fields the streaming spotter needs (frontend, window, stride, labels)."""
    fe = frontend_config(cfg.hop_ms)
    return {"labels": [LABEL_NEGATIVE, name], "frontend": fe.to_dict(), "frames": fe.num_frames(cfg.window_samples),
            "window_ms": cfg.window_ms, "hop_ms": cfg.hop_ms, "stride_ms": cfg.stride_ms,
            "detector": {"threshold": 0.5, "smoothing_frames": 1, "patience": 1, "refractory_s": cfg.refractory_s}}


def positive_streams(clips: Sequence[np.ndarray], rng: np.random.Generator, bank: Optional[augment.NoiseBank],
                     snr_db: Optional[float]) -> List[np.ndarray]:
    """Each utterance as a stream: 0.6-1.2 s before, 1.2 s after, at -35..-15 dBFS, with background at ``snr_db``."""
    out = []
    for c in clips:
        pre = int(rng.uniform(0.6, 1.2) * SAMPLE_RATE)
        x = np.concatenate([np.zeros(pre, np.float32), augment.set_level(c, rng.uniform(-35, -15)),
                            np.zeros(int(1.2 * SAMPLE_RATE), np.float32)])
        if bank is not None and snr_db is not None:
            speech = x.copy()
            x = augment.mix_at_snr(speech, bank.draw(len(x), rng), snr_db)
            # mix_at_snr measures the speech power over the whole stream; correct it to the utterance
            active = np.abs(speech) > 1e-4
            if active.any():
                ps = float(np.mean(speech[active] ** 2))
                noise = x - speech
                pn = float(np.mean(noise ** 2)) + 1e-12
                x = speech + noise * np.sqrt(ps / (pn * 10 ** (snr_db / 10)))
        out.append(np.clip(x, -1, 1).astype(np.float32))
    return out


def _sentence(words: Sequence[str], rng: np.random.Generator) -> str:
    return " ".join(words[int(rng.integers(len(words)))] for _ in range(int(rng.integers(6, 20))))


def negative_stream_chunks(split: str, minutes: float, seed: int, soundfont_path: str,
                           chunk_s: float = 300.0, music_shelf_db: float = 0.0) -> Iterator[Tuple[str, np.ndarray]]:
    """Negative audio of ``split``'s voices in chunks of ``chunk_s``: (kind, float32 16 kHz) pairs.

    Kinds cycle through "speech" (sentences of the split's words, espeak-ng and
    festival voices of the split, 0.1-1.5 s pauses), "music" (the SoundFont)
    and "tv" (speech over music at 0-12 dB SNR with pink noise at 25 dB). The
    audio does not depend on a wake phrase (one cache serves every model), so
    the words may include a phrase's own words alone ("hey"): a fair negative.
    ``music_shelf_db`` > 0 gives each piece of music a random shelf of
    -music_shelf_db..+music_shelf_db dB above 3 kHz (:func:`augment.high_shelf`).
    """
    rng = np.random.default_rng(seed)
    esp, fest = _speakers(split, None)
    words = negative_words("", split)
    sf = _soundfont(soundfont_path)
    n = int(chunk_s * SAMPLE_RATE)
    total = int(math.ceil(minutes * 60 / chunk_s))
    kinds = ("speech", "music", "tv")

    def speech(target: int) -> np.ndarray:
        parts, have = [], 0
        while have < target:
            batch = [(_sentence(words, rng), _pick_speaker(esp, fest, rng, 0.2), int(rng.integers(120, 220)),
                      int(rng.integers(15, 85))) for _ in range(16)]
            for x in _render_many(batch):
                x = augment.set_level(x, rng.uniform(-32, -16)) if x.size else x
                parts += [x, np.zeros(int(rng.uniform(0.1, 1.5) * SAMPLE_RATE), np.float32)]
                have += len(x) + len(parts[-1])
        return np.concatenate(parts)[:target]

    def music(target: int) -> np.ndarray:
        segs, have = [], 0
        while have < target:
            m = int(min(target - have, rng.uniform(20, 60) * SAMPLE_RATE))
            x = augment.music(m, rng, sf)
            if music_shelf_db > 0:
                x = augment.high_shelf(x, rng.uniform(-music_shelf_db, music_shelf_db))
            segs.append(augment.set_level(x, rng.uniform(-35, -15)))
            have += m
        return np.concatenate(segs)

    for i in range(total):
        kind = kinds[i % 3]
        if kind == "speech":
            x = speech(n)
        elif kind == "music":
            x = music(n)
        else:
            s = speech(n)
            x = augment.mix_at_snr(s, music(n), rng.uniform(0, 12))
            x = augment.mix_at_snr(x, augment.coloured_noise(n, "pink", rng), 25.0)
        yield kind, np.clip(x, -1, 1).astype(np.float32)


def negative_stream_cache(cache_dir: os.PathLike, split: str, hours: float, seed: int,
                          soundfont_path: str = EVAL_SOUNDFONT, chunk_s: float = 300.0,
                          music_shelf_db: float = 0.0) -> List[Path]:
    """Render (or reuse) ``hours`` of negative audio as int16 ``.npy`` chunks in ``cache_dir``; returns the files.

    The files are named by split, seed, chunk length, SoundFont (unless it is
    the one that split used before the name held it: :data:`_UNNAMED_SOUNDFONT`),
    the music shelf (``music_shelf_db``, when not 0), for the training split the
    speech render version (:data:`voices.SPEECH_RENDER`: its voices changed) and
    index, so a later call (for any phrase) reuses them and only renders what is missing.
    """
    d = Path(cache_dir)
    d.mkdir(parents=True, exist_ok=True)
    total = int(math.ceil(hours * 3600 / chunk_s))
    sf = "" if soundfont_path == _UNNAMED_SOUNDFONT.get(split) else "-" + phrase_name(Path(soundfont_path).stem)
    sf += f"-shelf{music_shelf_db:g}" if music_shelf_db > 0 else ""
    sf += f"-r{voices.SPEECH_RENDER}" if split == "train" else ""
    files = [d / f"neg-{split}-{seed}-{int(chunk_s)}s{sf}-{i:04d}.npy" for i in range(total)]
    missing = [i for i, f in enumerate(files) if not f.is_file()]
    if missing:
        gen = negative_stream_chunks(split, hours * 60, seed, soundfont_path, chunk_s, music_shelf_db)
        for i, (kind, x) in enumerate(gen):
            f = files[i]
            if f.is_file():
                continue
            tmp = f.with_suffix(".tmp.npy")
            np.save(tmp, (x * 32767).astype(np.int16))
            os.replace(tmp, f)
            (d / f"{f.stem}.kind").write_text(kind)
            _log(f"negative audio {split}: chunk {i + 1}/{total} ({kind}) written")
    return files


def load_chunk(path: Path) -> np.ndarray:
    return np.load(path).astype(np.float32) / 32767.0


# ---- 4-5. streaming evaluation and detector tuning ----------------------------------------------


def stream_posteriors(spotter: Any, audio: np.ndarray, chunk: int = 1600) -> np.ndarray:
    """The phrase posterior of every invoke of ``spotter`` over ``audio`` (pushed in ``chunk`` samples)."""
    spotter.reset()
    spotter.keep_posteriors = True
    for i in range(0, len(audio), chunk):
        spotter.push(audio[i:i + chunk])
    p = np.array([q[1] for q in spotter.posteriors], np.float64)
    spotter.keep_posteriors = False
    spotter.reset()
    return p


def count_detections(post: np.ndarray, threshold: float, smoothing: int, patience: int, refractory: int) -> int:
    """Detections the :class:`edgeaudio.models.Detector` makes on one posterior stream."""
    from ..models import Detector

    if post.size == 0:
        return 0
    det = Detector(2, threshold=[1.0, threshold], smoothing=smoothing, patience=patience, refractory=refractory,
                   ignore=[0])
    p = np.stack([1.0 - post, post], axis=1)
    return len(det.process(p))


def detector_grid() -> List[Tuple[int, int]]:
    return [(s, p) for s in (1, 2, 3) for p in (1, 2)]


THRESHOLDS = np.round(np.concatenate([np.arange(0.30, 0.90, 0.02), np.arange(0.90, 0.995, 0.005)]), 3)


def _frr_fa(pos: Sequence[np.ndarray], neg: Sequence[np.ndarray], th: float, sm: int, pa: int, rf: int
            ) -> Tuple[float, int]:
    miss = sum(count_detections(p, th, sm, pa, rf) == 0 for p in pos)
    fa = sum(count_detections(q, th, sm, pa, rf) for q in neg)
    return miss / max(len(pos), 1), fa


def tune_detector(pos_post: Sequence[np.ndarray], neg_post: Sequence[np.ndarray], neg_hours: float,
                  target_fa_per_hour: float, refractory: int) -> Dict[str, Any]:
    """Pick threshold, smoothing and patience on validation streams.

    Allowed settings make at most ``target_fa_per_hour x neg_hours`` false
    accepts (rounded down, so 0 on a short stream); among them the lowest
    false-reject rate wins, and among settings within 1 % of it the highest
    threshold (a margin against the false accepts the short validation stream
    cannot show).
    """
    # (hours summed from chunk lengths can land a hair under a whole number: 0.5/h x 1.9999999 must allow 1)
    allowed = int(math.floor(target_fa_per_hour * neg_hours + 1e-6))
    rows = []
    for sm, pa in detector_grid():
        for th in THRESHOLDS:
            frr, fa = _frr_fa(pos_post, neg_post, float(th), sm, pa, refractory)
            rows.append((frr, fa, float(th), sm, pa))
    ok = [r for r in rows if r[1] <= allowed] or [min(rows, key=lambda r: (r[1], r[0]))]
    best_frr = min(r[0] for r in ok)
    pick = max((r for r in ok if r[0] <= best_frr + 0.01), key=lambda r: (r[2], -r[0]))
    return {"threshold": pick[2], "smoothing_frames": pick[3], "patience": pick[4], "val_frr": pick[0],
            "val_false_accepts": pick[1], "val_negative_hours": round(neg_hours, 3), "allowed_false_accepts": allowed}


def poisson_upper(k: int, confidence: float = 0.95) -> float:
    """One-sided upper confidence bound of a Poisson mean after observing ``k`` events."""
    from scipy.stats import chi2

    return float(chi2.ppf(confidence, 2 * (k + 1)) / 2.0)


def measure_cpu(spotter: Any, seconds: float = 30.0, seed: int = 0) -> Dict[str, float]:
    """CPU time of the whole spotter (frontend + invokes + detector) per second of audio, pushed in 10 ms chunks."""
    rng = np.random.default_rng(seed)
    x = augment.set_level(augment.coloured_noise(int(seconds * SAMPLE_RATE), "pink", rng), -30)
    spotter.reset()
    spotter.model.reset_latency()
    t0 = time.process_time()
    w0 = time.perf_counter()
    for i in range(0, len(x), 160):
        spotter.push(x[i:i + 160])
    cpu = time.process_time() - t0
    wall = time.perf_counter() - w0
    lat = spotter.model.latency().as_dict()
    spotter.reset()
    return {"cpu_ms_per_audio_s": 1e3 * cpu / seconds, "wall_ms_per_audio_s": 1e3 * wall / seconds,
            "invoke_median_ms": lat["median_ms"], "invoke_p95_ms": lat["p95_ms"], "invokes": lat["count"],
            "audio_s": seconds, "chunk_ms": 10}


def evaluate(model_path: Path, entry: Dict[str, Any], cfg: WakeWordConfig, data: Dict[str, np.ndarray],
             neg_files: Sequence[Path], snrs: Sequence[float] = (10.0, 5.0)) -> Dict[str, Any]:
    """Streaming FRR on test voices (clean, noise/music at ``snrs``), FA/h on ``neg_files``, clip ROC, cost."""
    from .. import runtime
    from ..wakeword import WakeWordSpotter

    m = runtime.load(model_path, num_threads=1)
    spotter = WakeWordSpotter(m, entry)
    d = entry["detector"]
    rf = int(round(d["refractory_s"] * 1000 / cfg.stride_ms))
    rng = np.random.default_rng(cfg.seed + 7)
    clips = split_clips(data["test_positive_audio"], data["test_positive_lengths"])
    bank = noise_bank("test", cfg, rng, EVAL_SOUNDFONT)
    res: Dict[str, Any] = {"frr": {}, "test_positives": len(clips)}
    pos_post: Dict[str, List[np.ndarray]] = {}
    for cond, snr in [("clean", None)] + [(f"snr_{int(s)}db", s) for s in snrs]:
        streams = positive_streams(clips, rng, bank if snr is not None else None, snr)
        pos_post[cond] = [stream_posteriors(spotter, s) for s in streams]
        res["frr"][cond] = _frr_fa(pos_post[cond], [], d["threshold"], d["smoothing_frames"], d["patience"], rf)[0]
    neg_post, kinds, hours = [], [], 0.0
    t0 = time.time()
    for f in neg_files:
        x = load_chunk(f)
        hours += len(x) / SAMPLE_RATE / 3600
        neg_post.append(stream_posteriors(spotter, x))
        k = f.with_name(f.stem + ".kind")
        kinds.append(k.read_text().strip() if k.is_file() else "mixed")
    fa_by_kind: Dict[str, int] = {}
    for p, k in zip(neg_post, kinds):
        fa_by_kind[k] = fa_by_kind.get(k, 0) + count_detections(p, d["threshold"], d["smoothing_frames"],
                                                                d["patience"], rf)
    fa = sum(fa_by_kind.values())
    res["false_accepts"] = {"count": fa, "hours": round(hours, 3), "per_hour": fa / hours if hours else None,
                            "per_hour_95_upper": poisson_upper(fa) / hours if hours else None,
                            "by_kind": fa_by_kind, "stream_eval_s": round(time.time() - t0, 1)}
    # DET: the tuned smoothing / patience, every threshold
    det = []
    for th in THRESHOLDS:
        frr = float(np.mean([count_detections(p, float(th), d["smoothing_frames"], d["patience"], rf) == 0
                             for p in pos_post["clean"] + pos_post[f"snr_{int(snrs[0])}db"]]))
        fah = sum(count_detections(p, float(th), d["smoothing_frames"], d["patience"], rf) for p in neg_post)
        det.append([float(th), frr, fah / hours if hours else 0.0])
    res["det_curve"] = det
    scores = m.invoke_batch(data["x_test"][..., None])[:, 1]
    res["clip_scores"] = {"y": data["y_test"].tolist(), "score": [round(float(s), 4) for s in scores],
                          "kind": data["kind_test"].tolist()}
    res["clip_accuracy_at_0.5"] = float(np.mean((scores >= 0.5) == (data["y_test"] == 1)))
    res["cost"] = measure_cpu(spotter)
    res["tensor_bytes"] = int(sum(int(np.prod(t["shape"])) * np.dtype(t["dtype"]).itemsize
                                  for t in m._it.get_tensor_details()))
    return res


# ---- 6. publication -------------------------------------------------------------------------------


def write_report(out: Path, name: str, entry: Dict[str, Any], metrics: Dict[str, Any]) -> List[str]:
    """ROC / DET figure and the markdown report; returns the files written."""
    files: List[str] = []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.5))
        cs = metrics["clip_scores"]
        y, s = np.asarray(cs["y"]), np.asarray(cs["score"])
        ths = np.unique(np.concatenate([[0.0, 1.01], s]))[::-1]
        tpr = [np.mean(s[y == 1] >= t) for t in ths]
        fpr = [np.mean(s[y == 0] >= t) for t in ths]
        a.plot(fpr, tpr)
        a.set_xscale("symlog", linthresh=1e-3)
        a.set_xlabel("false positive rate (test windows)")
        a.set_ylabel("true positive rate")
        a.set_title(f"ROC, int8, held-out voices ({int((y == 1).sum())} pos / {int((y == 0).sum())} neg)")
        a.grid(alpha=0.3)
        det = np.asarray(metrics["det_curve"])
        b.plot(det[:, 2], 100 * det[:, 1], marker=".")
        th = entry["detector"]["threshold"]
        k = int(np.argmin(np.abs(det[:, 0] - th)))
        b.plot(det[k, 2], 100 * det[k, 1], "o", color="red", label=f"tuned threshold {th}")
        b.set_xscale("symlog", linthresh=0.1)
        b.set_xlabel(f"false accepts per hour ({metrics['false_accepts']['hours']:.2f} h negative audio)")
        b.set_ylabel("false reject rate, % (clean + noisy)")
        b.set_title("DET, streaming detector")
        b.legend()
        b.grid(alpha=0.3)
        fig.tight_layout()
        png = out / f"{name}_det.png"
        fig.savefig(png, dpi=90)
        plt.close(fig)
        files.append(png.name)
    except ImportError:
        pass
    fa = metrics["false_accepts"]
    d = entry["detector"]
    c = metrics["cost"]
    lines = [f"# {name}: wake-word training report", "",
             f"Phrase \"{entry['phrase']}\". Trained {entry['trained_at']} by `edgeaudio train wakeword` "
             f"(edgeaudio {entry['edgeaudio_version']}) in {entry['training']['wall_time_s'] / 60:.1f} min "
             f"wall time on this machine (2 shared CPU cores).", "",
             "## Data", "", entry["training_data"], "",
             "## Model", "",
             f"- architecture: {entry['architecture']}",
             f"- input: {entry['frames']} log-mel frames x {entry['frontend']['n_mels']} mels "
             f"({entry['window_ms']} ms window, {entry['hop_ms']} ms hop), invoked every {entry['stride_ms']} ms",
             f"- parameters: {entry['params']}, MACs per inference: {entry['macs']}",
             f"- int8 flatbuffer: {entry['size_bytes']} bytes; sha256 {entry['sha256']}",
             f"- detector (tuned on validation voices): threshold {d['threshold']}, smoothing "
             f"{d['smoothing_frames']} invokes, patience {d['patience']}, refractory {d['refractory_s']} s "
             f"(validation FRR {100 * d['val_frr']:.1f}%, {d['val_false_accepts']} false accepts in "
             f"{d['val_negative_hours']} h)", "",
             "## Held-out metrics (int8 model, streaming detector, voices never heard in training)", "",
             "| condition | false reject rate |", "|---|---|"]
    for cond, v in metrics["frr"].items():
        lines.append(f"| {cond} | {100 * v:.2f}% ({metrics['test_positives']} utterances) |")
    lines += ["", f"False accepts: **{fa['count']} in {fa['hours']:.2f} h** of negative audio = "
              f"{fa['per_hour']:.3f} per hour, 95% upper bound (Poisson) {fa['per_hour_95_upper']:.3f} per hour "
              f"(by kind: {fa['by_kind']}).", "",
              f"Cost: the whole spotter (streaming frontend + one invoke per {entry['stride_ms']} ms + detector) "
              f"takes {c['cpu_ms_per_audio_s']:.2f} ms CPU per audio second (pushed in 10 ms chunks); one invoke "
              f"median {c['invoke_median_ms']:.3f} ms, p95 {c['invoke_p95_ms']:.3f} ms (ai-edge-litert, 1 thread).",
              ""]
    if files:
        lines += [f"![ROC and DET]({files[0]})", ""]
    md = out / f"{name}_report.md"
    md.write_text("\n".join(lines))
    files.append(md.name)
    return files


def publish(out: Path, name: str, cfg: WakeWordConfig, model: Any, model_path: Path, entry: Dict[str, Any],
            metrics: Dict[str, Any], work: Path, elapsed_s: float,
            mined: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    from .. import __version__, runtime

    vj = work / f"voices-{cfg.data_key()}.json"
    used = json.loads(vj.read_text()) if vj.is_file() else {}
    fam = {s: sorted({v.split("+")[0] for v in vs}) for s, vs in used.items()}
    near = near_miss_phonemes(cfg.phrase, count=240, seed=cfg.seed)
    entry = dict(entry)
    entry.update({
        "file": model_path.name,
        "sha256": runtime.sha256_file(model_path),
        "size_bytes": model_path.stat().st_size,
        "task": "wake word",
        "phrase": cfg.phrase,
        "phonemes": "".join(phrase_phonemes(cfg.phrase)),
        "architecture": f"DS-CNN (Hello Edge): conv 10x4/2 {cfg.filters}ch + {cfg.blocks} depthwise-separable "
                        f"blocks, " + ("mel-axis average pool, the time axis flattened into"
                                       if cfg.head == "time_flatten" else "global average pool,") +
                        f" a dense softmax over [negative, {name}]" + mel_reduction_note(cfg.mel_reduction),
        "input": {"shape": [1, entry["frames"], entry["frontend"]["n_mels"], 1], "dtype": "int8",
                  "features": "logmel", "quantization": "from the model's input tensor"},
        "window_s": cfg.window_ms / 1000,
        "window_samples": cfg.window_samples,
        "params": int(model.count_params()),
        "macs": count_macs(model),
        "training_data": (
            f"Synthetic speech only (no recordings, no network). Positives: \"{cfg.phrase}\" x {cfg.positives} "
            f"renders by espeak-ng English voices x variants and festival kal (speed 115-225 wpm, pitch 15-85"
            + (f"; festival's rate x 1-{cfg.festival_rate_max:g}" if cfg.festival_rate_max > 1 else "") + "), "
            f"x{cfg.positive_copies} augmented copies. Negatives: {cfg.words} renders of 1-5 other words "
            f"(Debian wamerican, word lists disjoint per split), {cfg.near_misses} near misses spoken from "
            f"{len(near)} automatic phoneme edits of /{''.join(phrase_phonemes(cfg.phrase))}/ (espeak-ng [[...]] "
            f"input), {cfg.partials} partial phrases (sub-phrases, a word replaced, phonemes cut from either end), "
            f"{cfg.cropped} cut-off phrases, {cfg.backgrounds} noise / music / silence windows. Augmentation: "
            f"speed 0.9-1.1, vocal-tract-length perturbation 0.88-1.12 (p=0.5), "
            + (f"formant warp {cfg.formant_warp_range[0]:g}-{cfg.formant_warp_range[1]:g} per F1/F2/F3 region "
               f"with the pitch kept (p={cfg.formant_warp_prob:g}), " if cfg.formant_warp_prob > 0 else "")
            + f"pyroomacoustics room IRs (p=0.3), "
            f"gain -35..-12 dBFS, random position in the {cfg.window_ms} ms window, white/pink/brown noise, "
            f"FluidR3 SoundFont music and babble at 0-25 dB SNR (p=0.85), SpecAugment per batch. Split by voice "
            f"family: train {fam.get('train')} ({len(used.get('train', []))} voices), val {fam.get('val')} "
            f"({len(used.get('val', []))}), test {fam.get('test')} ({len(used.get('test', []))}); espeak variants "
            f"are hashed into disjoint splits. Evaluation music uses TimGM6mb, a SoundFont not used in training"
            + (f"; the detector was tuned on validation streams with {entry['detector']['val_soundfont']} music."
               if entry["detector"].get("val_soundfont") else ".")
            + (f" Hard negatives: the first model scored {mined['hours']:.2f} h of negative streams by training "
               f"voices (sentences, FluidR3 music, TV-like mixtures"
               + (f"; {cfg.mining_builtin_hours:g} h of them with the synth's built-in patches playing the music"
                  if cfg.mining_builtin_hours > 0 else "")
               + (f"; the music given a random -{cfg.mining_music_shelf_db:g}..+{cfg.mining_music_shelf_db:g} dB "
                  f"shelf above 3 kHz" if cfg.mining_music_shelf_db > 0 else "")
               + f") at its stride and the {len(mined['x'])} "
               f"highest-scoring windows (score >= {cfg.mining_min_score}) joined the training set for "
               f"{cfg.mining_epochs} fine-tuning epochs." if mined is not None and len(mined["x"]) else "")),
        "metrics": {k: v for k, v in metrics.items() if k not in ("clip_scores",)},
        "training": {"epochs": cfg.epochs, "batch_size": cfg.batch_size, "learning_rate": cfg.learning_rate,
                     "seed": cfg.seed, "wall_time_s": round(elapsed_s, 1), "config": dataclasses.asdict(cfg)},
        "edgeaudio_version": __version__,
        "trained_at": time.strftime("%Y-%m-%d"),
    })
    entry["report"] = write_report(out, name, entry, metrics)
    manifest.update(out / "manifest.json", name, entry)
    return entry


def train_wakeword(phrase: str, out: os.PathLike, name: Optional[str] = None, work: Optional[os.PathLike] = None,
                   config: Optional[WakeWordConfig] = None, resume: bool = False,
                   negative_hours: float = 1.0, negative_cache: Optional[os.PathLike] = None) -> Dict[str, Any]:
    """From a typed phrase to ``NAME.tflite``, its manifest entry and report; returns the entry.

    Parameters
    ----------
    phrase : str
        What the user says, e.g. "hey jarvis".
    out : path
        Where the model, ``manifest.json`` and the report go (e.g. ``firmware_models/``).
    name : str, optional
        Model name (default from the phrase: "hey_jarvis").
    work : path, optional
        Cache and checkpoints; default ``$EDGEAUDIO_CACHE/train/wakeword-NAME``
        (``EDGEAUDIO_CACHE`` defaults to ``~/.cache/edgeaudio``).
    config : WakeWordConfig, optional
        Its ``phrase`` is replaced by ``phrase``.
    resume : bool
        Reuse the cached dataset and continue from the last checkpoint.
    negative_hours : float
        Hours of test-split negative audio for the false-accept rate
        (rendered once into ``negative_cache``, default
        ``$EDGEAUDIO_CACHE/wakeword_eval``, shared by every phrase, as are the
        mining and validation streams; ``tools/wakeword_eval.py`` runs
        the full >= 10 h evaluation).

    Raises
    ------
    ValueError
        An empty phrase, or one too short for near misses.
    """
    if not isinstance(phrase, str) or not phrase.strip():
        raise ValueError("phrase must be a non-empty string, e.g. \"hey jarvis\"")
    cfg = dataclasses.replace(config or WakeWordConfig(), phrase=phrase.strip().lower())
    name = name or phrase_name(cfg.phrase)
    phrase_name(name)
    out = Path(out)
    root = Path(os.environ.get("EDGEAUDIO_CACHE", Path.home() / ".cache" / "edgeaudio"))
    work = Path(work) if work else root / "train" / f"wakeword-{name}"
    neg_dir = Path(negative_cache) if negative_cache else root / "wakeword_eval"
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    near_miss_phonemes(cfg.phrase)  # fail early on a phrase that is too short
    if not resume:
        commands.clear_checkpoints(work)
    t0 = time.time()
    data = build_dataset(cfg, work, resume=resume)
    model = fit(cfg, data, work, resume=resume)
    mined = None
    if cfg.mining_hours > 0:
        mined = mine_hard_negatives(cfg, model, work, neg_dir, resume=resume)
        model = fine_tune(cfg, data, mined, model, work, resume=resume)
    model_path = out / f"{name}.tflite"
    quantize(model, data, cfg, model_path)
    entry = base_entry(cfg, name)
    _log(f"int8 model {model_path} ({model_path.stat().st_size} bytes); tuning the detector on validation voices")
    from .. import runtime
    from ..wakeword import WakeWordSpotter

    spotter = WakeWordSpotter(runtime.load(model_path, num_threads=1), entry)
    rng = np.random.default_rng(cfg.seed + 5)
    val_clips = split_clips(data["val_positive_audio"], data["val_positive_lengths"])
    val_sf = validation_soundfont()
    vbank = noise_bank("val", cfg, rng, val_sf)
    pos = [stream_posteriors(spotter, s) for s in positive_streams(val_clips, rng, None, None)]
    pos += [stream_posteriors(spotter, s) for s in positive_streams(val_clips, rng, vbank, 10.0)]
    val_files = negative_stream_cache(neg_dir, "val", cfg.val_stream_minutes / 60, cfg.seed,
                                      val_sf, chunk_s=min(300.0, cfg.val_stream_minutes * 60))
    neg, hours = [], 0.0
    for f in val_files:
        x = load_chunk(f)
        hours += len(x) / SAMPLE_RATE / 3600
        neg.append(stream_posteriors(spotter, x))
    rf = int(round(cfg.refractory_s * 1000 / cfg.stride_ms))
    tuned = tune_detector(pos, neg, hours, cfg.target_fa_per_hour, rf)
    tuned["val_soundfont"] = Path(val_sf).name
    entry["detector"].update(tuned)
    _log(f"detector: {tuned}")
    test_files = negative_stream_cache(neg_dir, "test", negative_hours, 1,
                                       EVAL_SOUNDFONT, chunk_s=min(300.0, negative_hours * 3600))
    metrics = evaluate(model_path, entry, cfg, data, test_files)
    fa = metrics["false_accepts"]
    _log(f"FRR {metrics['frr']}; false accepts {fa['count']} in {fa['hours']:.2f} h "
         f"({fa['per_hour']:.3f}/h, 95% upper {fa['per_hour_95_upper']:.3f}/h); "
         f"{metrics['cost']['cpu_ms_per_audio_s']:.2f} ms CPU per audio second")
    entry = publish(out, name, cfg, model, model_path, entry, metrics, work, time.time() - t0, mined)
    _log(f"wrote {model_path} ({entry['size_bytes']} bytes) and {out / 'manifest.json'}")
    return entry
