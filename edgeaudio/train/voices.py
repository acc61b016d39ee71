"""Speech synthesis with no network: espeak-ng and festival diphone voices, split by voice.

A *speaker* is one synthesiser setting: an espeak-ng English voice (accent)
with one of espeak-ng's voice variants, or a festival diphone voice. Splits
are made over voice *families*, never over clips: whole accents and whole
variant families are held out, so validation and test hear voices training
never heard.

* espeak-ng: the accent decides the split of its family (``TEST_ACCENTS``,
  ``VAL_ACCENTS``, the rest train) and each variant is assigned to one split
  by a stable hash of its name, so a test speaker is a test accent *and* a
  test variant.
* festival: ``kal`` trains, ``ked`` is held out for test.

Every render is deterministic for a given (speaker, text, speed, pitch).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

SAMPLE_RATE = 16000
SPLITS = ("train", "val", "test")
#: espeak-ng accents whose whole family is held out.
TEST_ACCENTS = ("en-029", "en-us-nyc")
VAL_ACCENTS = ("en-gb-scotland",)
#: festival diphone voices and their split.
FESTIVAL_VOICES = {"kal_diphone": "train", "ked_diphone": "test"}


@dataclass(frozen=True)
class Speaker:
    """One synthesiser setting. ``engine`` is "espeak" or "festival"."""

    engine: str
    voice: str            # espeak accent ("en-us") or festival voice ("kal_diphone")
    variant: str = ""     # espeak variant file name ("f3"), "" for the base voice
    split: str = "train"

    @property
    def name(self) -> str:
        return f"{self.engine}:{self.voice}" + (f"+{self.variant}" if self.variant else "")

    @property
    def family(self) -> str:
        return f"{self.engine}:{self.voice}"


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def have_festival() -> bool:
    if shutil.which("festival") is None:
        return False
    return all(os.path.isdir(d) for d in _festival_voice_dirs().values())


def _festival_voice_dirs() -> Dict[str, str]:
    return {v: f"/usr/share/festival/voices/english/{v}" for v in FESTIVAL_VOICES}


def _stable_unit(text: str) -> float:
    """A number in [0, 1) fixed by ``text`` (the same on every machine and run)."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) / 2 ** 32


def variant_split(variant: str) -> str:
    u = _stable_unit("variant:" + variant)
    return "test" if u < 0.2 else "val" if u < 0.35 else "train"


@lru_cache(maxsize=1)
def espeak_accents() -> Tuple[str, ...]:
    """English espeak-ng voices built in (the mbrola ones need extra packages and are skipped)."""
    out = subprocess.run(["espeak-ng", "--voices=en"], capture_output=True, text=True, check=True).stdout
    accents = []
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5 and cols[4].startswith("gmw/") and cols[1] not in accents:
            accents.append(cols[1])
    return tuple(accents)


@lru_cache(maxsize=1)
def espeak_variants() -> Tuple[str, ...]:
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in out.splitlines()[1:]:
        m = re.search(r"!v/(\S+)", line)
        if m and m.group(1) not in names:
            names.append(m.group(1))
    return tuple(names)


def speakers(include_festival: Optional[bool] = None) -> List[Speaker]:
    """Every speaker available on this machine, each with its split."""
    out: List[Speaker] = []
    if have_espeak():
        for accent in espeak_accents():
            acc_split = "test" if accent in TEST_ACCENTS else "val" if accent in VAL_ACCENTS else "train"
            for variant in ("",) + espeak_variants():
                v_split = "train" if variant == "" else variant_split(variant)
                # a speaker belongs to a split only if its accent and its variant both do;
                # mixed pairs are dropped so no family leaks across splits
                if variant == "" or v_split == acc_split:
                    out.append(Speaker("espeak", accent, variant, acc_split))
    if include_festival is None:
        include_festival = have_festival()
    if include_festival:
        for voice, split in FESTIVAL_VOICES.items():
            out.append(Speaker("festival", voice, "", split))
    return out


def _resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out:
        return x.astype(np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr_in, sr_out)
    return resample_poly(x, sr_out // g, sr_in // g).astype(np.float32)


def _read_wav(path: str) -> Tuple[np.ndarray, int]:
    import wave

    with wave.open(path, "rb") as w:
        sr = w.getframerate()
        n = w.getnframes()
        raw = w.readframes(n)
        ch = w.getnchannels()
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(axis=1)
    return x, sr


def render_espeak(text: str, speaker: Speaker, speed_wpm: int = 170, pitch: int = 50) -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at 16 kHz."""
    voice = speaker.voice + (f"+{speaker.variant}" if speaker.variant else "")
    r = subprocess.run(["espeak-ng", "-v", voice, "-s", str(int(speed_wpm)), "-p", str(int(pitch)),
                        "--stdout", text], capture_output=True, check=True)
    import io
    import wave

    with wave.open(io.BytesIO(r.stdout), "rb") as w:
        sr = w.getframerate()
        raw = w.readframes(w.getnframes())
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return _resample(x, sr, SAMPLE_RATE)


#: the mean and spread of F0 (Hz) that the festival diphone voices' intonation model targets by default
FESTIVAL_F0 = (105.0, 14.0)


def festival_f0(pitch: int) -> float:
    """An espeak-style pitch (0-99, 50 is the voice's own) as a festival target F0 mean in Hz.

    Over the 15-85 range the trainers draw this spans about 70-155 Hz around
    the diphone voices' 105 Hz, so one festival voice speaks at many pitches
    the way espeak-ng's variants do.
    """
    return FESTIVAL_F0[0] * 2.0 ** (0.8 * (int(pitch) - 50) / 50)


def render_festival_batch(items: Sequence[Tuple[Any, ...]]) -> List[np.ndarray]:
    """Speak many ``(text, voice, duration_stretch[, f0_mean_hz[, phones]])`` with one festival process.

    ``f0_mean_hz`` retargets the intonation model (its spread scales with it);
    without it the voice keeps its own 105 Hz. ``phones`` (a one-word ``text``
    only) replaces that word's lexicon pronunciation, a single stressed
    syllable of festival phones such as ``("aa", "p")``.
    """
    if not items:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        lines = []
        for i, item in enumerate(items):
            text, voice, stretch = item[:3]
            safe = text.replace("\\", " ").replace('"', " ")
            lines.append(f"(voice_{voice})")
            lines.append(f"(Parameter.set 'Duration_Stretch {float(stretch):.3f})")
            if len(item) > 3 and item[3] is not None:
                f0 = float(item[3])
                if not 40.0 <= f0 <= 400.0:
                    raise ValueError(f"f0_mean_hz must be in 40..400 Hz, got {f0}")
                sd = FESTIVAL_F0[1] * f0 / FESTIVAL_F0[0]
                lines.append(f"(set! int_lr_params '((target_f0_mean {f0:.1f}) (target_f0_std {sd:.1f}) "
                             f"(model_f0_mean 170) (model_f0_std 34)))")
            phones = item[4] if len(item) > 4 else None
            if phones:
                if not all(re.fullmatch(r"[a-z]+", p) for p in phones) or not re.fullmatch(r"[a-z]+", safe):
                    raise ValueError(f"phones need one lower-case word and festival phone names, got {item!r}")
                lines.append(f'(set! ea_lex_saved (lex.lookup "{safe}" nil))')
                lines.append(f"(lex.add.entry '(\"{safe}\" nil ((({' '.join(phones)}) 1))))")
            lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{safe}")) "{tmp}/{i}.wav" \'riff)')
            if phones:
                lines.append("(lex.add.entry ea_lex_saved)")  # the next items hear the lexicon's own
        script = os.path.join(tmp, "s.scm")
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["festival", "-b", script], capture_output=True, check=True)
        out = []
        for i in range(len(items)):
            x, sr = _read_wav(os.path.join(tmp, f"{i}.wav"))
            out.append(_resample(x, sr, SAMPLE_RATE))
        return out


def festival_phones(word: str, voice: str = "kal_diphone") -> List[str]:
    """The phones of a one-syllable ``word`` in festival ``voice``'s lexicon, e.g. ``["ah", "p"]`` for "up"."""
    if not re.fullmatch(r"[a-z]+", word):
        raise ValueError(f"one lower-case word, got {word!r}")
    r = subprocess.run(["festival", "--pipe"], input=f'(voice_{voice}) (print (lex.lookup "{word}" nil))\n',
                       capture_output=True, text=True, check=True)
    m = re.search(r"\(\(\(([a-z ]+)\) \d\)\)\)", r.stdout)
    if not m:
        raise ValueError(f"{word!r} is not one syllable in festival {voice}: {r.stdout.strip()!r}")
    return m.group(1).split()


def phonemes(text: str, accent: str = "en-us") -> str:
    """espeak-ng's phoneme string for ``text`` (used to make near-miss negatives)."""
    r = subprocess.run(["espeak-ng", "-q", "-x", "-v", accent, text], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def word_list(path: str = "/usr/share/dict/american-english", min_len: int = 2, max_len: int = 10) -> List[str]:
    """Plain lower-case words from a word list (Debian wamerican), or a small built-in set."""
    words: List[str] = []
    if os.path.isfile(path):
        with open(path, encoding="utf-8", errors="ignore") as f:
            for w in f:
                w = w.strip()
                if min_len <= len(w) <= max_len and w.isascii() and w.isalpha() and w.islower():
                    words.append(w)
    if not words:
        words = ("bed bird cat dog eight five four happy house marvin nine one seven sheila six three "
                 "tree two wow zero backward forward follow learn visual apple table window water "
                 "music light green yellow paper river mountain").split()
    return sorted(set(words))


#: espeak-ng's English phoneme mnemonics of more than one character (``espeak-ng -x`` output),
#: longest first, so a phoneme string splits into phonemes by greedy matching.
_MULTI_PHONEMES = tuple(sorted((
    "aI@", "aU@", "aI3", "i@3", "a#", "A:", "A@", "aI", "aU", "@2", "@5", "@L", "3:", "e@", "eI", "i:", "i@",
    "I2", "I#", "0#", "O:", "O@", "o@", "OI", "oU", "u:", "U@", "tS", "dZ", "t#", "n-", "l/", "r-", "aa",
), key=len, reverse=True))
_STRESS = "',"


def phoneme_tokens(phoneme_string: str) -> List[str]:
    """Split an ``espeak-ng -x`` phoneme string into phonemes; stress marks stay on the next phoneme.

    Word boundaries come back as ``" "``; espeak's pause and link marks
    (``_``, ``:``, ``!`` after a pause) are dropped.

    >>> phoneme_tokens("h'eI dZ'A@vIs")
    ['h', "'eI", ' ', 'dZ', "'A@", 'v', 'I', 's']
    """
    s = re.sub(r"_[:!]*", " ", phoneme_string)
    out: List[str] = []
    i, stress = 0, ""
    while i < len(s):
        ch = s[i]
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            i += 1
            continue
        if ch in _STRESS:
            stress = ch
            i += 1
            continue
        for m in _MULTI_PHONEMES:
            if s.startswith(m, i):
                tok = m
                break
        else:
            tok = ch
        out.append(stress + tok)
        stress = ""
        i += len(tok)
    while out and out[-1] == " ":
        out.pop()
    return out


def render_phonemes(tokens: Sequence[str], speaker: Speaker, speed_wpm: int = 170, pitch: int = 50) -> np.ndarray:
    """Speak a phoneme sequence (from :func:`phoneme_tokens`) with espeak-ng's ``[[...]]`` phoneme input."""
    if speaker.engine != "espeak":
        raise ValueError(f"speaker must be an espeak-ng voice to speak phonemes, got {speaker.name}")
    return render_espeak("[[" + "".join(tokens) + "]]", speaker, speed_wpm, pitch)
