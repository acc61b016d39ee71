"""Evaluate wake-word models on held-out audio, ours and the peers' on the same streams.

* positives: the phrase spoken by test-split voices only (espeak-ng test
  accents x test variants, festival ked), each utterance a separate stream
  with 0.6-1.2 s before and 1.2 s after it, clean and with background (test
  babble, TimGM6mb music, coloured noise) at stated SNRs;
* negatives: hours of test-split audio (:func:`wakeword.negative_stream_cache`):
  speech of held-out voices, SoundFont music, TV-like speech-over-music mixtures.

Our models run through :class:`edgeaudio.wakeword.WakeWordSpotter` (the
streaming frontend, one invoke per stride, the manifest's tuned detector),
exactly as the pipeline runs them. Peers run in their own virtual
environments (their pins clash with ours) through ``tools/bench/wakeword_peer.py``,
which reads the same cached streams and returns detection counts:

* microWakeWord (PyPI ``pymicro-wakeword``: its int8 streaming models and
  runtime), at each model's own ``probability_cutoff`` and sliding window;
* openWakeWord (models shipped in ``wyoming-openwakeword``, run by the
  ``openwakeword`` package) at its default threshold 0.5.

A detection on a negative stream is a false accept; detections closer than
the refractory period (the same for every system) count once.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import augment, voices
from . import wakeword as ww

SNRS_DB = (10.0, 5.0)
REFRACTORY_S = 1.5


def default_cache() -> Path:
    return Path(os.environ.get("EDGEAUDIO_CACHE", Path.home() / ".cache" / "edgeaudio")) / "wakeword_eval"


def positive_set(cache: Path, phrase: str, count: int, seed: int = 7) -> Path:
    """Held-out positive streams of ``phrase`` (clean and at :data:`SNRS_DB`), cached as one ``.npz``.

    Keys ``COND_audio`` (int16, the streams concatenated) and ``COND_lengths``.
    """
    name = ww.phrase_name(phrase)
    path = cache / f"pos-{name}-{count}-{seed}.npz"
    if path.is_file():
        return path
    rng = np.random.default_rng(seed)
    jobs = positive_jobs(phrase, count, rng)
    from .commands import _render_many

    rendered = _render_many(jobs)
    clips = [c for c in rendered if c.size]
    cfg = ww.WakeWordConfig(phrase=phrase)
    bank = ww.noise_bank("test", cfg, rng, ww.EVAL_SOUNDFONT)
    out: Dict[str, np.ndarray] = {}
    for cond, snr in [("clean", None)] + [(f"snr_{int(s)}db", s) for s in SNRS_DB]:
        streams = ww.positive_streams(clips, rng, bank if snr is not None else None, snr)
        out[f"{cond}_audio"] = (np.concatenate(streams) * 32767).astype(np.int16)
        out[f"{cond}_lengths"] = np.array([len(s) for s in streams], np.int64)
    out["voices"] = np.array(sorted({j[1].name for j in jobs}))
    out["utterance_family"] = np.array([j[1].family for j, c in zip(jobs, rendered) if c.size])
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    os.replace(tmp, path)
    return path


def positive_jobs(phrase: str, count: int, rng: np.random.Generator) -> List[Tuple[str, Any, int, int]]:
    """The (text, speaker, wpm, pitch) of each held-out utterance, drawn from ``rng`` (test voices)."""
    esp, fest = ww._speakers("test", None)
    return [(phrase, ww._pick_speaker(esp, fest, rng, 0.25), int(rng.integers(120, 221)), int(rng.integers(20, 81)))
            for _ in range(count)]


def utterance_families(pos_path: Path) -> Optional[List[str]]:
    """The voice family of each utterance of a positive set, in stream order.

    Sets cached before the families were stored get them by replaying the
    draw from the file name's count and seed (the voices do not depend on
    the phrase); None if that does not give one family per stream.
    """
    with np.load(pos_path) as z:
        if "utterance_family" in z.files:
            return [str(f) for f in z["utterance_family"]]
        n = len(z["clean_lengths"]) if "clean_lengths" in z.files else -1
    m = re.fullmatch(r"pos-.+-(\d+)-(\d+)", Path(pos_path).stem)
    if not m:
        return None
    fam = [j[1].family for j in positive_jobs("", int(m.group(1)), np.random.default_rng(int(m.group(2))))]
    return fam if len(fam) == n else None


def conditions(pos_path: Path) -> List[str]:
    with np.load(pos_path) as z:
        return [k[: -len("_audio")] for k in z.files if k.endswith("_audio")]


def _segments(pos_path: Path, cond: str) -> List[np.ndarray]:
    with np.load(pos_path) as z:
        a, lens = z[f"{cond}_audio"], z[f"{cond}_lengths"]
    ends = np.cumsum(lens)
    return [a[e - l:e].astype(np.float32) / 32767.0 for e, l in zip(ends, lens)]


def run_ours(name: str, pos_path: Path, neg_files: Sequence[Path], models_dir: Optional[Path] = None,
             noise_suppression: bool = False) -> Dict[str, Any]:
    """FRR per condition and false accepts of our bundled model ``name`` (the manifest's detector).

    ``noise_suppression``: the model hears every stream through the pipeline's noise suppressor
    (:func:`augment.noise_suppressed`; a positive stream warms it first, a 300 s negative chunk does
    not need to).
    """
    from .. import models
    from ..wakeword import WakeWordSpotter

    d = Path(models_dir) if models_dir else models.models_dir()
    entry = json.loads((d / "manifest.json").read_text())["models"][name]
    spotter = WakeWordSpotter(d / entry["file"], entry, refractory_s=REFRACTORY_S)
    res: Dict[str, Any] = {"system": f"edgeaudio {name}" + (" behind the noise suppressor" if noise_suppression
                                                           else ""), "frr": {}, "detector": entry["detector"]}
    families = utterance_families(pos_path)
    for cond in conditions(pos_path):
        segs = _segments(pos_path, cond)
        if noise_suppression:
            segs = [augment.noise_suppressed(x) for x in segs]
        missed = []
        for s in segs:
            spotter.reset()
            missed.append(not spotter.push(s))
        res["frr"][cond] = sum(missed) / len(segs)
        res["positives"] = len(segs)
        if families is not None and len(families) == len(segs):
            # where the misses are: one held-out voice family can hold most of them
            fam: Dict[str, List[int]] = {}
            for f, m in zip(families, missed):
                fam.setdefault(f, [0, 0])
                fam[f][0] += int(m)
                fam[f][1] += 1
            res.setdefault("misses_by_family", {})[cond] = {f: {"missed": a, "utterances": n}
                                                           for f, (a, n) in sorted(fam.items())}
    fa, secs, t0 = 0, 0.0, time.time()
    for f in neg_files:
        x = ww.load_chunk(f)
        if noise_suppression:
            x = augment.noise_suppressed(x, warm=False)
        spotter.reset()
        fa += len(spotter.push(x))
        secs += len(x) / ww.SAMPLE_RATE
    res.update(_fa_summary(fa, secs))
    res["eval_s"] = round(time.time() - t0, 1)
    return res


def _fa_summary(count: int, seconds: float) -> Dict[str, Any]:
    h = seconds / 3600
    return {"false_accepts": count, "hours": round(h, 3), "fa_per_hour": count / h if h else None,
            "fa_per_hour_95_upper": ww.poisson_upper(count) / h if h else None}


def run_peer(peer: str, python: str, models_: Sequence[str], pos_paths: Dict[str, Path],
             neg_files: Sequence[Path], work: Path, max_positives: Optional[int] = None) -> List[Dict[str, Any]]:
    """Run ``tools/bench/wakeword_peer.py`` with the peer's interpreter; one result per model
    (on the first ``max_positives`` utterances of each condition when given)."""
    script = Path(__file__).resolve().parents[2] / "tools" / "bench" / "wakeword_peer.py"
    if not script.is_file():
        raise FileNotFoundError(f"{script} (the peer runner ships in the source checkout)")
    job = {"peer": peer, "models": list(models_), "refractory_s": REFRACTORY_S,
           "positives": {}, "negatives": [str(f) for f in neg_files]}
    work.mkdir(parents=True, exist_ok=True)
    for m in models_:
        p = pos_paths[m]
        job["positives"][m] = {}
        for cond in conditions(p):
            with np.load(p) as z:
                a, lens = z[f"{cond}_audio"], z[f"{cond}_lengths"]
            if max_positives is not None:
                lens = lens[:max_positives]
                a = a[: int(lens.sum())]
            raw = work / f"{p.stem}-{cond}-{len(lens)}.npy"
            if not raw.is_file():
                np.save(raw, a)
            job["positives"][m][cond] = {"path": str(raw), "lengths": lens.tolist()}
    jpath = work / f"job-{peer}.json"
    jpath.write_text(json.dumps(job))
    t0 = time.time()
    r = subprocess.run([python, str(script), str(jpath)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{peer} runner failed ({python}):\n{r.stderr[-3000:]}")
    raw = json.loads(r.stdout.strip().splitlines()[-1])
    out = []
    for m in models_:
        rr = raw[m]
        res = {"system": f"{peer} {m}", "threshold": rr.get("threshold"), "frr": {}}
        for cond, hits in rr["positives"].items():
            res["frr"][cond] = 1.0 - float(np.mean(np.asarray(hits) > 0))
            res["positives"] = len(hits)
        res.update(_fa_summary(int(sum(rr["negatives"])), float(rr["negative_seconds"])))
        res["eval_s"] = round(time.time() - t0, 1)
        out.append(res)
    return out


def markdown_table(results: Sequence[Dict[str, Any]]) -> str:
    conds = []
    for r in results:
        conds += [c for c in r["frr"] if c not in conds]
    head = "| system | " + " | ".join(f"FRR {c}" for c in conds) + \
        " | false accepts | hours | FA/h | FA/h 95% upper |"
    lines = [head, "|" + "---|" * (len(conds) + 5)]
    for r in results:
        frr = " | ".join(f"{100 * r['frr'][c]:.1f}%" if c in r["frr"] else "-" for c in conds)
        lines.append(f"| {r['system']} | {frr} | {r['false_accepts']} | {r['hours']:.2f} | "
                     f"{r['fa_per_hour']:.3f} | {r['fa_per_hour_95_upper']:.3f} |")
    return "\n".join(lines)


def evaluate_all(names: Sequence[str], hours: float, positives: int = 300, cache: Optional[Path] = None,
                 peers: Optional[Dict[str, str]] = None, seed: int = 1, peer_hours: Optional[float] = None,
                 noise_suppression: bool = False) -> Dict[str, Any]:
    """Render (or reuse) the held-out audio, run our models and the peers on it; returns all results.

    ``peers`` maps "microwakeword" / "openwakeword" to the Python interpreter of its environment;
    ``peer_hours`` limits the peers to the first hours of the same negative audio (they are slower);
    ``noise_suppression`` runs ours behind the pipeline's noise suppressor (:func:`run_ours`).
    """
    from .. import models

    cache = Path(cache) if cache else default_cache()
    entries = models.manifest()["models"]
    t0 = time.time()
    neg = ww.negative_stream_cache(cache, "test", hours, seed, ww.EVAL_SOUNDFONT)
    pos = {n: positive_set(cache, entries[n]["phrase"], positives) for n in names}
    render_s = time.time() - t0
    results: List[Dict[str, Any]] = []
    for n in names:
        results.append(run_ours(n, pos[n], neg, noise_suppression=noise_suppression))
        print(json.dumps(results[-1]), flush=True)
    for peer, python in (peers or {}).items():
        try:
            pn = neg if peer_hours is None else neg[: max(1, int(round(peer_hours * 3600 / 300)))]
            for r in run_peer(peer, python, names, pos, pn, cache / "peer"):
                results.append(r)
                print(json.dumps(r), flush=True)
        except (RuntimeError, FileNotFoundError, KeyError) as e:
            print(f"peer {peer} not run: {e}", file=sys.stderr, flush=True)
    kinds: Dict[str, int] = {}
    for f in neg:
        k = f.with_name(f.stem + ".kind")
        kind = k.read_text().strip() if k.is_file() else "mixed"
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"results": results, "negative_chunks_by_kind": kinds, "chunk_s": 300, "render_s": round(render_s, 1),
            "positives": {n: str(p) for n, p in pos.items()}, "voices": sorted(
                {s.name for s in voices.speakers() if s.split == "test"})}
