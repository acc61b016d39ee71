#!/usr/bin/env python3
"""Full-pipeline benchmark: real-time factor on one core and peak RSS of `edgeaudio detect`.

The audio: one hour (``--minutes``) of 16 kHz smart-speaker scenes from
``edgeaudio.demo`` (music through the loudspeaker echoing in a room, held-out
talkers saying the wake word and a command, pink noise), seeds 0..7 of 9 s
each, concatenated and repeated; mic and playback reference as 16-bit WAV
files in ``$EDGEAUDIO_CACHE/pipeline_bench`` (default ``~/.cache/edgeaudio``).

Measured, each in a fresh process pinned to one core (``taskset -c 0``):

ours        ``edgeaudio detect MIC --ref REF --wake W --command-model commands``:
            AEC (256 ms tail) + high-pass + frontend + wake model + commands
            model (the default chain: the bundled models run without the noise
            suppressor), 1 s blocks read from the file; CPU seconds (user + sys
            of the process) / audio seconds = RTF, and peak RSS (``ru_maxrss``)
            of the whole process
ours + NS   the same with the noise suppressor forced on (``--ns``)
ours, NS, no AEC  ``--ns`` without ``--ref``
floor       a bare Python with numpy and the LiteRT interpreter imported (RSS only)
microWakeWord  pymicro-wakeword's bundled model for the same wake word on the mic
            signal, 10 ms chunks (in ``--mww-python``, default this python; reported
            missing where it is not installed)
Wyoming     ``edgeaudio serve`` and wyoming-openwakeword (its bundled openWakeWord
            model for the same wake word; ``--oww-python``: the python of a separate
            environment where it is installed with --no-deps), each fed
            ``--wyoming-minutes`` of the mic signal by the wyoming client at
            ``--wyoming-speed`` x real time: the server's CPU seconds / audio seconds
            and its peak RSS (VmHWM); the same protocol and audio for both

``--write`` puts the table, the date, the CPU and the command into BENCHMARKS.md
(section "Pipeline: real-time factor and memory").
Targets (issue 8): RTF <= 0.02 on one core, peak RSS of `edgeaudio detect` < 60 MB.

Examples
--------
python tools/bench/pipeline.py --minutes 60 --write
python tools/bench/pipeline.py --minutes 5        # a quicker look
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
SECTION = "## Pipeline: real-time factor and memory"
FS = 16000


def cache_dir() -> Path:
    root = os.environ.get("EDGEAUDIO_CACHE")
    d = (Path(root) if root else Path.home() / ".cache" / "edgeaudio") / "pipeline_bench"
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_audio(minutes: float) -> Dict[str, Path]:
    import soundfile as sf

    from edgeaudio import demo

    d = cache_dir()
    mic_p, ref_p = d / f"mic_{minutes:g}min.wav", d / f"ref_{minutes:g}min.wav"
    if mic_p.exists() and ref_p.exists():
        return {"mic": mic_p, "ref": ref_p}
    scenes = [demo.make_scene(s) for s in range(8)]
    mic = np.concatenate([s.mic for s in scenes])
    ref = np.concatenate([s.ref for s in scenes])
    n = int(minutes * 60 * FS)
    reps = -(-n // len(mic))
    for path, x in ((mic_p, mic), (ref_p, ref)):
        with sf.SoundFile(str(path), "w", FS, 1, "PCM_16") as f:
            for _ in range(reps):
                f.write(np.clip(x, -1, 0.999))
        with sf.SoundFile(str(path), "r+") as f:   # exact length
            f.truncate(n)
    return {"mic": mic_p, "ref": ref_p}


def measure(cmd: List[str], env: Optional[dict] = None) -> Dict[str, float]:
    """Run cmd pinned to core 0 in a child; CPU seconds, wall seconds and peak RSS (MB) of it."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    # a wrapper process per command, so ru_maxrss is this command's alone
    wrapper = ("import resource, subprocess, sys, time, json\n"
               "t = time.perf_counter()\n"
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
               "w = time.perf_counter() - t\n"
               "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "print(json.dumps({'rc': r.returncode, 'cpu_s': u.ru_utime + u.ru_stime, 'wall_s': w,"
               " 'rss_mb': u.ru_maxrss / 1024, 'err': r.stderr.decode()[-2000:]}))\n")
    out = subprocess.run([sys.executable, "-c", wrapper] + pin + cmd, capture_output=True, text=True, env=env)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {res['err']}")
    return res


MWW_SCRIPT = r"""
import sys, numpy as np, soundfile as sf
from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model
name = sys.argv[2]
mww = MicroWakeWord.from_builtin(Model(name))
feats = MicroWakeWordFeatures()
hits = 0
with sf.SoundFile(sys.argv[1]) as f:
    while True:
        x = f.read(16000, dtype="int16")
        if len(x) == 0:
            break
        b = x.tobytes()
        for i in range(0, len(b), 320):
            for fr in feats.process_streaming(b[i:i + 320]):
                if mww.process_streaming(fr):
                    hits += 1
print(hits, file=sys.stderr)
"""

def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_wyoming(server_cmd: List[str], mic: Path, seconds: float, word: str, speed: float) -> Dict[str, float]:
    """A Wyoming wake-word server pinned to core 0, fed ``seconds`` of ``mic`` by the wyoming
    client at ``speed`` x real time: its CPU seconds (after start-up) / audio seconds, its peak
    RSS, and the detections it sent."""
    import asyncio
    import socket

    import soundfile as sf
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncTcpClient
    from wyoming.wake import Detect, Detection

    with socket.socket() as s_:
        s_.bind(("127.0.0.1", 0))
        port = s_.getsockname()[1]
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    proc = subprocess.Popen(pin + server_cmd + ["--uri", f"tcp://127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t_end = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > t_end:
                    raise RuntimeError(f"{' '.join(server_cmd)} did not start")
                time.sleep(0.5)
        x, _ = sf.read(str(mic), frames=int(seconds * FS), dtype="int16")
        detections = []

        async def run():
            async with AsyncTcpClient("127.0.0.1", port) as c:
                await c.write_event(Detect(names=[word]).event())
                await asyncio.sleep(2.0)
                cpu0 = _cpu_s(proc.pid)

                async def reader():
                    while True:
                        ev = await c.read_event()
                        if ev is None:
                            return
                        if Detection.is_type(ev.type):
                            detections.append(Detection.from_event(ev))

                rtask = asyncio.create_task(reader())
                await c.write_event(AudioStart(rate=FS, width=2, channels=1).event())
                block = 1280
                t0 = time.monotonic()
                for i in range(0, len(x), block):
                    await c.write_event(AudioChunk(rate=FS, width=2, channels=1,
                                                   audio=x[i:i + block].tobytes()).event())
                    lag = t0 + (i + block) / FS / speed - time.monotonic()
                    if lag > 0:
                        await asyncio.sleep(lag)
                await c.write_event(AudioStop().event())
                last, still = _cpu_s(proc.pid), 0
                while still < 3:   # until the server has worked through its queue
                    await asyncio.sleep(1.0)
                    now = _cpu_s(proc.pid)
                    still = still + 1 if now - last < 0.02 else 0
                    last = now
                rtask.cancel()
                return last - cpu0
        cpu = asyncio.run(run())
        return {"cpu_s": cpu, "rss_mb": _hwm_mb(proc.pid), "detections": len(detections)}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60.0, help="audio length (default 60)")
    ap.add_argument("--oww-python", help="python of an environment with openwakeword (see the docstring)")
    ap.add_argument("--mww-python", default=sys.executable,
                    help="python of an environment with pymicro-wakeword (default: this one)")
    ap.add_argument("--wyoming-minutes", type=float, default=2.0,
                    help="audio fed to each Wyoming server (ours and wyoming-openwakeword; default 2)")
    ap.add_argument("--wyoming-speed", type=float, default=1.0,
                    help="x real time the client sends at (default 1: wyoming-openwakeword keeps a ring "
                         "buffer and silently drops audio it has no time for, so faster is not fair)")
    ap.add_argument("--skip-detect", action="store_true", help="only the Wyoming and peer rows")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = ap.parse_args(argv)

    from edgeaudio import demo

    wake, _key, wake_desc, cmd_model = demo.wake_setup()
    wake_word = "hey_jarvis" if wake == "hey_jarvis" else None
    files = make_audio(args.minutes)
    audio_s = args.minutes * 60
    exe = shutil.which("edgeaudio") or ""
    base = [exe] if exe else [sys.executable, "-m", "edgeaudio"]
    rows = []
    # the default chain first (the bundled models run without the noise suppressor), then with it forced on (--ns)
    detect = base + ["detect", str(files["mic"]), "--wake", wake, "--command-model", cmd_model, "--no-progress", "-q"]
    ref = ["--ref", str(files["ref"])]
    for label, cmd in (() if args.skip_detect else
                       (("edgeaudio detect, AEC + wake + commands (the default chain)", detect + ref),
                        ("edgeaudio detect, AEC + NS + wake + commands", detect + ref + ["--ns"]),
                        ("edgeaudio detect, NS + wake + commands (no AEC)", detect + ["--ns"]))):
        r = measure(cmd)
        rows.append((label, r["cpu_s"] / audio_s, r["wall_s"] / audio_s, r["rss_mb"], ""))
        print(rows[-1], file=sys.stderr)
    floor = measure([sys.executable, "-c", "import numpy, ai_edge_litert.interpreter"])
    rows.append(("python + numpy + LiteRT imported (floor)", float("nan"), float("nan"), floor["rss_mb"], ""))
    notes = []
    wy_s = args.wyoming_minutes * 60
    servers = [(f"edgeaudio serve (Wyoming; {wake} model, the default chain)",
                base + ["serve", "--model", wake.partition(":")[0]], wake)]
    if wake_word and args.oww_python:
        servers.append((f"wyoming-openwakeword ({wake_word})", [args.oww_python, "-m", "wyoming_openwakeword",
                                                               "--preload-model", wake_word], wake_word))
    for label, cmd, word in servers:
        try:
            r = measure_wyoming(cmd, files["mic"], wy_s, word, args.wyoming_speed)
            rows.append((label + f", {args.wyoming_minutes:g} min via the wyoming client", r["cpu_s"] / wy_s,
                         float("nan"), r["rss_mb"], ""))
            print(rows[-1], r["detections"], file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - report and go on
            notes.append(f"{label} not measured: {e}")
    if wake_word:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(MWW_SCRIPT)
        try:
            r = measure([args.mww_python, f.name, str(files["mic"]), wake_word])
            rows.append((f"microWakeWord ({wake_word}, pymicro-wakeword)", r["cpu_s"] / audio_s,
                         r["wall_s"] / audio_s, r["rss_mb"], ""))
        except RuntimeError as e:
            notes.append(f"microWakeWord not measured: {str(e)[-300:]}")
        if not args.oww_python:
            notes.append("openWakeWord not measured: no --oww-python given")
    else:
        notes.append("peers not measured: this build has no hey_jarvis wake model (the trigger is the "
                     "commands model's 'yes', which the peers do not have)")
    ours = rows[0] if not args.skip_detect else None
    lines = [f"| what | RTF, CPU on one core | RTF, wall | peak RSS (MB) |", "|---|---|---|---|"]
    for label, cpu, wall, rss, _ in rows:
        f = (lambda v: "-" if v != v else f"{v:.4f}")
        lines.append(f"| {label} | {f(cpu)} | {f(wall)} | {rss:.1f} |")
    verdict = "" if ours is None else (
        f"Targets: RTF <= 0.02: {'met' if ours[1] <= 0.02 else 'MISSED'} ({ours[1]:.4f}); "
        f"peak RSS < 60 MB: {'met' if ours[3] < 60 else 'MISSED'} ({ours[3]:.1f} MB).")
    report = "\n".join(lines) + "\n\n" + verdict + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "")
    print(report)
    if args.write:
        write_benchmarks(report, args, audio_s, wake_desc)
    return 0


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def write_benchmarks(report: str, args, audio_s: float, wake_desc: str) -> None:
    import edgeaudio

    path = REPO / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# edgeaudio benchmarks\n"
    cmd = f"python tools/bench/pipeline.py --minutes {args.minutes:g} --write"
    load = os.getloadavg()[0]
    body = (f"{SECTION}\n\n"
            f"{datetime.date.today().isoformat()}, {cpu_name()} ({os.cpu_count()} cores, load average "
            f"{load:.1f} at the end of the run: a shared machine, so wall-clock figures are inflated; the CPU "
            f"figures count this process's own CPU seconds), Python {platform.python_version()}, "
            f"edgeaudio {edgeaudio.__version__}. Command: `{cmd}`. Audio: {audio_s / 60:g} min of 16 kHz demo "
            f"scenes (music echo at SER -8..-3 dB, held-out talkers, pink noise); {wake_desc}; each run is "
            "a fresh process pinned to one core (`taskset -c 0`), reading the WAV files in 1 s blocks.\n\n"
            + report.rstrip() + "\n")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + body
    path.write_text(text)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
