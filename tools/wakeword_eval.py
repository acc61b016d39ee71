#!/usr/bin/env python3
"""Evaluate the bundled wake-word models and the peers on the same held-out audio (thin wrapper).

    python tools/wakeword_eval.py --hours 10 \
        --microwakeword $MWW_VENV/bin/python \
        --openwakeword $OWW_VENV/bin/python

Renders (once, into ~/.cache/edgeaudio/wakeword_eval or $EDGEAUDIO_CACHE) the
held-out positives (test voices, clean and at 10 / 5 dB SNR) and HOURS of
negative audio (held-out speech, TimGM6mb music, TV-like mixtures), runs our
streaming spotter and each peer (in its own environment, via
tools/bench/wakeword_peer.py), prints a markdown table with FRR, false
accepts, hours and the 95% Poisson upper bound, and writes the results as JSON
(--json). The code lives in edgeaudio.train.wakeword_eval.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=["hey_jarvis", "alexa"], help="bundled wake-word models")
    p.add_argument("--hours", type=float, default=10.0, help="hours of negative audio (default 10)")
    p.add_argument("--positives", type=int, default=300, help="held-out utterances per phrase (default 300)")
    p.add_argument("--cache", type=Path, help="folder for the rendered audio")
    p.add_argument("--microwakeword", metavar="PYTHON", help="python of an environment with pymicro-wakeword")
    p.add_argument("--openwakeword", metavar="PYTHON",
                   help="python of an environment with openwakeword + wyoming-openwakeword (--no-deps)")
    p.add_argument("--peer-hours", type=float, help="run the peers on only the first HOURS of negatives")
    p.add_argument("--noise-suppression", action="store_true",
                   help="run ours behind the pipeline's noise suppressor (Pipeline(noise_suppression=True))")
    p.add_argument("--json", type=Path, help="write the results here")
    a = p.parse_args(argv)
    from edgeaudio.train import wakeword_eval

    peers = {k: v for k, v in (("microwakeword", a.microwakeword), ("openwakeword", a.openwakeword)) if v}
    res = wakeword_eval.evaluate_all(a.models, a.hours, a.positives, a.cache, peers, peer_hours=a.peer_hours,
                                     noise_suppression=a.noise_suppression)
    print(wakeword_eval.markdown_table(res["results"]))
    for r in res["results"]:
        for cond, fams in r.get("misses_by_family", {}).items():
            print(f"{r['system']} misses ({cond}): " + ", ".join(
                f"{f} {v['missed']}/{v['utterances']}" for f, v in fams.items()))
    print(f"negative audio: {res['negative_chunks_by_kind']} chunks of {res['chunk_s']} s")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
