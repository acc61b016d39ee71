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
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

SAMPLE_RATE = 16000
#: bumped whenever a render changes, and part of every cache key of rendered speech
#: (2: espeak-ng's en-gb speaks its variants; before, ``-v en-gb+VARIANT`` was plain en-gb)
SPEECH_RENDER = 2
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
def espeak_voice_files() -> Dict[str, str]:
    """Each English accent's voice file (``en-gb`` -> ``gmw/en``), the name :func:`render_espeak` passes.

    espeak-ng 1.51 drops the variant of ``-v en-gb+m3`` without a word (it
    speaks plain en-gb), but honours ``-v gmw/en+m3``; for every other accent
    the file name and the language name give the same audio.
    """
    out = subprocess.run(["espeak-ng", "--voices=en"], capture_output=True, text=True, check=True).stdout
    files: Dict[str, str] = {}
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5 and cols[4].startswith("gmw/"):
            files.setdefault(cols[1], cols[4])
    return files


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


#: name prefix of the synthetic espeak-ng variants (:func:`synthetic_variant_text`)
SYNTHETIC_PREFIX = "xv"


def synthetic_speakers(count: int, seed: int, accents: Sequence[str]) -> List[Speaker]:
    """``count`` training speakers: each of ``accents`` (cycled) with a synthetic variant ``xv<seed>-<i>``."""
    if not accents:
        raise ValueError("synthetic speakers need at least one espeak-ng accent")
    return [Speaker("espeak", accents[i % len(accents)], f"{SYNTHETIC_PREFIX}{int(seed)}-{i}", "train")
            for i in range(int(count))]


def synthetic_variant_text(name: str) -> str:
    """An espeak-ng variant file whose settings are drawn from ``name`` alone (the same on every machine).

    espeak-ng's own variants mostly scale every formant together (a longer or
    shorter vocal tract); accents differ in where each vowel sits, which moves
    F1 and F2 independently. So each synthetic variant scales the first three
    formants' frequencies independently (F1 0.85-1.18, F2 0.87-1.15, F3
    0.92-1.08, on top of one tract-length factor for all, 0.92-1.05 for a
    male, 1.08-1.22 for a female voice, 40 %), their heights 0.75-1.25, and
    draws the pitch base and range, consonant loudness, voicing, and now and
    then flutter, roughness or breath: few accents made to sound like many.
    """
    if not name.startswith(SYNTHETIC_PREFIX):
        raise ValueError(f"synthetic variant names start with {SYNTHETIC_PREFIX!r}, got {name!r}")
    rng = np.random.default_rng(int(hashlib.sha1(("synthetic:" + name).encode()).hexdigest()[:12], 16))
    female = rng.random() < 0.4
    tract = rng.uniform(1.08, 1.22) if female else rng.uniform(0.92, 1.05)
    base = rng.uniform(150, 215) if female else rng.uniform(78, 135)
    own = {1: rng.uniform(0.85, 1.18), 2: rng.uniform(0.87, 1.15), 3: rng.uniform(0.92, 1.08)}
    lines = ["language variant", f"name {name}", f"gender {'female' if female else 'male'}", "",
             f"pitch {int(base)} {int(base + rng.uniform(40, 120))}"]
    for k in range(9):
        freq = 100.0 if k == 0 else 100.0 * tract * own.get(k, 1.0)
        height = 100.0 if k == 0 else 100.0 * rng.uniform(0.75, 1.25)
        lines.append(f"formant {k} {int(round(freq))} {int(round(height))} 100")
    lines += ["", f"consonants {int(rng.uniform(70, 130))}", f"voicing {int(rng.uniform(80, 130))}"]
    if rng.random() < 0.3:
        lines.append(f"flutter {int(rng.uniform(2, 25))}")
    if rng.random() < 0.3:
        lines.append(f"roughness {int(rng.integers(1, 5))}")
    if rng.random() < 0.2:
        lines.append("breath " + " ".join(str(int(v)) for v in [0, *rng.integers(1, 4, 7)]))
    return "\n".join(lines) + "\n"


_SYNTHETIC_LOCK = threading.Lock()


def _espeak_data_dir() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Data at:\s*(\S+)", out)
    if not m or not os.path.isdir(m.group(1)):
        raise RuntimeError(f"cannot find espeak-ng's data folder in {out.strip()!r}")
    return m.group(1)


#: synthetic variants per espeak-ng data folder: espeak-ng lists at most 349 voices and variants
SYNTHETIC_PER_FOLDER = 200


def synthetic_espeak_path(variant: str) -> str:
    """A folder for espeak-ng's ``--path`` in which the synthetic ``variant`` exists.

    espeak-ng lists every voice and variant of its data folder and stops at
    349, so synthetic variants live in folders of :data:`SYNTHETIC_PER_FOLDER`
    (by the index in their name), each linking the system's data (under
    ``$EDGEAUDIO_CACHE/espeak-ng-synthetic``) with only the West Germanic
    languages (the English accents among them) and no other variants. The
    variant file is (re)written whenever it differs from :func:`synthetic_variant_text`.
    """
    m = re.fullmatch(SYNTHETIC_PREFIX + r"(\d+)-(\d+)", variant)
    if not m:
        raise ValueError(f"not a synthetic variant name (xvSEED-INDEX): {variant!r}")
    root = Path(os.environ.get("EDGEAUDIO_CACHE", Path.home() / ".cache" / "edgeaudio")) / "espeak-ng-synthetic" \
        / f"part{int(m.group(2)) // SYNTHETIC_PER_FOLDER}"
    data = root / "espeak-ng-data"
    vdir = data / "voices" / "!v"
    target = vdir / variant
    text = synthetic_variant_text(variant)
    if target.is_file() and target.read_text() == text:
        return str(root)
    with _SYNTHETIC_LOCK:
        if not vdir.is_dir():
            system = Path(_espeak_data_dir())
            root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix="espeak-ng-data.", dir=root))
            for e in system.iterdir():
                if e.name not in ("voices", "lang"):
                    (tmp / e.name).symlink_to(e)
            (tmp / "lang").mkdir()
            (tmp / "lang" / "gmw").symlink_to(system / "lang" / "gmw")
            (tmp / "voices" / "!v").mkdir(parents=True)
            try:
                os.replace(tmp, data)
            except OSError:  # another process made it first
                shutil.rmtree(tmp, ignore_errors=True)
        if not target.is_file() or target.read_text() != text:
            fd, tmpf = tempfile.mkstemp(prefix=".tmp.", dir=vdir)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmpf, target)
    return str(root)


def render_espeak(text: str, speaker: Speaker, speed_wpm: int = 170, pitch: int = 50) -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at 16 kHz. A synthetic variant
    (``xv...``, :func:`synthetic_speakers`) is read from :func:`synthetic_espeak_path`."""
    voice = espeak_voice_files().get(speaker.voice, speaker.voice) + (f"+{speaker.variant}" if speaker.variant else "")
    path = [f"--path={synthetic_espeak_path(speaker.variant)}"] if speaker.variant.startswith(SYNTHETIC_PREFIX) else []
    r = subprocess.run(["espeak-ng", *path, "-v", voice, "-s", str(int(speed_wpm)), "-p", str(int(pitch)),
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
