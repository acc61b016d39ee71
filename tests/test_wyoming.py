"""`edgeaudio serve`: the Wyoming wake-word service, driven by the wyoming package's own client
over loopback, with real audio (held-out voices in a reverberant room, from edgeaudio.demo)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.signal
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info
from wyoming.wake import Detect, Detection, NotDetected

from edgeaudio import demo

WAKE = demo.wake_setup()[0]
FS = 16000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "edgeaudio", "serve", "--uri", f"tcp://127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("server did not start: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.2)
    yield port, proc
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def audio():
    sc = demo.make_scene(1)
    speech = (sc.speech + (sc.mic - sc.echo - sc.speech)).astype(np.float32)  # talker + noise, no music
    noise = (sc.mic - sc.echo - sc.speech).astype(np.float32) * 10
    return sc, speech, noise


def pcm(x: np.ndarray) -> bytes:
    return np.round(np.clip(x, -1, 0.99) * 32767).astype("<i2").tobytes()


async def detect_all(port, x, rate=FS, names=None):
    """Detections until the server has answered the stop: read with a short idle timeout."""
    async with AsyncTcpClient("127.0.0.1", port) as c:
        await c.write_event(Detect(names=names).event())
        await c.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        data = pcm(x)
        for i in range(0, len(data), 2048):
            await c.write_event(AudioChunk(rate=rate, width=2, channels=1, audio=data[i:i + 2048]).event())
        await c.write_event(AudioStop().event())
        out, nd = [], False
        while True:
            try:
                ev = await asyncio.wait_for(c.read_event(), 2 if out else 60)
            except asyncio.TimeoutError:
                break
            if ev is None:
                break
            if Detection.is_type(ev.type):
                out.append(Detection.from_event(ev))
            elif NotDetected.is_type(ev.type):
                nd = True
                break
        return out, nd


async def describe(port: int) -> Info:
    async with AsyncTcpClient("127.0.0.1", port) as c:
        await c.write_event(Describe().event())
        ev = await asyncio.wait_for(c.read_event(), 30)
        assert Info.is_type(ev.type)
        return Info.from_event(ev)


def test_describe_lists_the_bundled_models(server):
    from edgeaudio import models

    info = asyncio.run(describe(server[0]))
    assert len(info.wake) == 1 and info.wake[0].name == "edgeaudio"
    names = {m.name for m in info.wake[0].models}
    assert names == set(models.manifest()["models"])


def test_wake_word_detected_with_its_timestamp(server, audio):
    sc, speech, _ = audio
    dets, not_detected = asyncio.run(detect_all(server[0], speech, names=[WAKE]))
    assert not not_detected
    assert [d.name for d in dets] == [WAKE]
    assert abs(dets[0].timestamp / 1000 - sc.truth[0]["end_s"]) < 0.5


def test_nothing_detected_in_noise(server, audio):
    dets, not_detected = asyncio.run(detect_all(server[0], audio[2], names=[WAKE]))
    assert dets == [] and not_detected


def test_concurrent_clients_get_their_own_results(server, audio):
    sc, speech, noise = audio
    speech48 = scipy.signal.resample_poly(speech, 3, 1).astype(np.float32)

    async def main():
        return await asyncio.gather(detect_all(server[0], speech, names=[WAKE]),
                                    detect_all(server[0], noise, names=[WAKE]),
                                    detect_all(server[0], speech48, rate=48000, names=[WAKE]),
                                    describe(server[0]))
    (a, _), (b, b_nd), (c, _), info = asyncio.run(main())
    assert [d.name for d in a] == [WAKE] and b == [] and b_nd and [d.name for d in c] == [WAKE]
    assert abs(c[0].timestamp - a[0].timestamp) <= 100
    assert info.wake


def test_malformed_messages_and_abrupt_disconnects_do_not_crash_it(server):
    port, proc = server
    bad = [b"this is not json\n", b'{"data": {}}\n', b'{"type": "audio-chunk", "data": {"rate": 16000}}\n',
           b'{"type": "audio-start", "data": {"rate": -5, "width": 2, "channels": 1}}\n',
           b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}, "payload_length": 100}\n'
           + b"\x00" * 10,   # promised 100 bytes, sends 10, then hangs up
           b'{"type": "detect", "data_length": 5}\n{"na',
           os.urandom(4096)]
    for msg in bad:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(msg)
    # a client that hangs up in the middle of a stream
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b'{"type": "audio-start", "data": {"rate": 16000, "width": 2, "channels": 1}}\n')
        s.sendall(b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}, '
                  b'"payload_length": 3200}\n' + b"\x01\x00" * 1600)
    time.sleep(0.5)
    assert proc.poll() is None, "the server died"
    assert asyncio.run(describe(port)).wake
