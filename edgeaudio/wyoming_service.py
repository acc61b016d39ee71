"""A Wyoming wake-word service (Home Assistant's voice protocol) on the edgeaudio pipeline.

``edgeaudio serve --uri tcp://127.0.0.1:10400`` speaks the wake-word side of the
Wyoming protocol, so it drops in where wyoming-openwakeword runs:

* ``describe`` -> ``info`` listing the bundled models as wake models;
* ``detect`` (optional, names the models or ``model:label`` classes wanted;
  default all the service runs);
* ``audio-start`` / ``audio-chunk`` / ``audio-stop``: the audio, any rate,
  width and channel count (converted to 16-bit mono at the models' rate);
* ``detection`` (name, timestamp in ms of the audio stream) for each wake
  word, and ``not-detected`` at ``audio-stop`` when the stream had none.

Each connection gets its own pipeline (streams are independent); the audio is
processed off the event loop, so clients are served concurrently. A malformed
message or a client that vanishes ends only that connection.

Needs the ``wyoming`` package (``pip install 'edgeaudio[serve]'``).
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import __version__
from . import models as _models
from .pipeline import Pipeline

__all__ = ["WakeWordHandler", "info_event", "serve", "run_server"]

_LOG = logging.getLogger("edgeaudio.serve")


def _wyoming():
    try:
        import wyoming  # noqa: F401
    except ImportError as e:
        raise RuntimeError("edgeaudio serve needs the wyoming package: pip install 'edgeaudio[serve]' "
                           "(or pip install wyoming)") from e


def _phrase(name: str, entry: Dict[str, Any]) -> str:
    if entry.get("phrase"):
        return str(entry["phrase"])
    labels = [l for l in entry.get("labels", []) if l not in ("silence", "unknown", "negative")]
    return name.replace("_", " ") if len(labels) <= 1 else ", ".join(labels)


def info_event(model_names: Sequence[str]):
    """The ``info`` event: one wake program whose models are ``model_names``."""
    from wyoming.info import Attribution, Info, WakeModel, WakeProgram

    entries = _models.manifest()["models"]
    attribution = Attribution(name="edgeaudio", url="")  # no public home yet: PyPI's "edgeaudio" is another project
    wake_models = [WakeModel(name=n, attribution=attribution, installed=True,
                             description=entries[n].get("task", n), version=__version__,
                             languages=["en"], phrase=_phrase(n, entries[n]))
                   for n in model_names]
    prog = WakeProgram(name="edgeaudio", attribution=attribution, installed=True,
                       description="edgeaudio wake word detection (AEC-ready streaming pipeline)",
                       version=__version__, models=wake_models)
    return Info(wake=[prog]).event()


class WakeWordHandler:
    """One client connection: reads Wyoming events, answers, runs a pipeline per audio stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, model_names: Sequence[str],
                 pipeline_kwargs: Dict[str, Any]) -> None:
        from wyoming.audio import AudioChunkConverter

        self.reader, self.writer = reader, writer
        self.model_names = list(model_names)
        self.pipeline_kwargs = pipeline_kwargs
        self.names: Optional[List[str]] = None      # from detect
        self.pipe: Optional[Pipeline] = None
        self.detected = False
        self.converter = AudioChunkConverter(rate=None, width=2, channels=1)
        self.rate: Optional[int] = None

    async def write(self, event) -> None:
        from wyoming.event import async_write_event

        await async_write_event(event, self.writer)

    def _wanted(self, model: str, label: str) -> Optional[str]:
        if self.names is None:
            return model
        for n in self.names:
            if n == model or n == f"{model}:{label}":
                return n
        return None

    def _start(self, rate: int) -> None:
        models = self.model_names if self.names is None else \
            list(dict.fromkeys(n.partition(":")[0] for n in self.names))
        if self.pipe is None or self.rate != rate or [s.name for s in self.pipe.specs] != models:
            self.pipe = Pipeline(models, sample_rate=rate, **self.pipeline_kwargs)
            self.rate = rate
        else:
            self.pipe.reset()
        self.detected = False

    async def handle(self, event) -> bool:
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.info import Describe
        from wyoming.wake import Detect, Detection, NotDetected

        if Describe.is_type(event.type):
            await self.write(info_event(self.model_names))
        elif Detect.is_type(event.type):
            names = Detect.from_event(event).names
            if names:
                known = set(_models.manifest()["models"])
                bad = [n for n in names if n.partition(":")[0] not in known]
                if bad:
                    _LOG.warning("detect names unknown model(s) %s; ignored", bad)
                names = [n for n in names if n.partition(":")[0] in known] or None
            self.names = names
            self.pipe = None
        elif AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            await asyncio.to_thread(self._start, int(start.rate))
        elif AudioChunk.is_type(event.type):
            chunk = self.converter.convert(AudioChunk.from_event(event))
            if self.pipe is None or self.rate != chunk.rate:   # audio without audio-start
                await asyncio.to_thread(self._start, int(chunk.rate))
            x = np.frombuffer(chunk.audio[: len(chunk.audio) // 2 * 2], "<i2")
            events = await asyncio.to_thread(self.pipe.process, x)
            await self._send(events, Detection)
        elif AudioStop.is_type(event.type):
            if self.pipe is not None:
                events = await asyncio.to_thread(self.pipe.flush)
                await self._send(events, Detection)
            if not self.detected:
                await self.write(NotDetected().event())
            self.detected = False
        else:
            _LOG.debug("ignoring event %s", event.type)
        return True

    async def _send(self, events, Detection) -> None:
        for e in events:
            name = self._wanted(e.model, e.label)
            if name is None:
                continue
            self.detected = True
            await self.write(Detection(name=name, timestamp=int(round(1000 * e.time_s))).event())

    async def run(self) -> None:
        from wyoming.event import async_read_event

        peer = self.writer.get_extra_info("peername")
        try:
            while True:
                try:
                    event = await async_read_event(self.reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                if event is None:
                    break
                try:
                    if not await self.handle(event):
                        break
                except (ValueError, TypeError, KeyError, RuntimeError) as e:
                    # a bad message (wrong audio format, missing fields): drop this client only
                    _LOG.warning("client %s sent a bad %r event: %s; closing it", peer, event.type, e)
                    break
        except Exception:  # noqa: BLE001 - never let one client take the service down
            _LOG.exception("client %s: unexpected error; closing it", peer)
        finally:
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001
                pass


async def serve(uri: str, model_names: Sequence[str], ready: Optional[asyncio.Event] = None,
                **pipeline_kwargs: Any) -> None:
    """Serve until cancelled. ``uri``: ``tcp://HOST:PORT`` or ``unix:///path``."""
    _wyoming()
    from urllib.parse import urlparse

    entries = _models.manifest()["models"]
    unknown = [n for n in model_names if n not in entries]
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; bundled: {', '.join(sorted(entries))}")
    Pipeline(list(model_names), **pipeline_kwargs)   # fail now, not per client, on bad settings

    async def on_client(reader, writer):
        await WakeWordHandler(reader, writer, model_names, pipeline_kwargs).run()

    u = urlparse(uri)
    if u.scheme == "tcp":
        if not u.hostname or u.port is None:
            raise ValueError(f"--uri {uri!r}: a tcp URI needs a host and a port, e.g. tcp://127.0.0.1:10400")
        server = await asyncio.start_server(on_client, u.hostname, u.port)
    elif u.scheme == "unix":
        server = await asyncio.start_unix_server(on_client, u.path)
    else:
        raise ValueError(f"--uri {uri!r}: use tcp://HOST:PORT or unix:///PATH")
    async with server:
        _LOG.info("edgeaudio Wyoming wake-word service on %s (models: %s)", uri, ", ".join(model_names))
        if ready is not None:
            ready.set()
        await server.serve_forever()


def run_server(uri: str, model_names: Sequence[str], **pipeline_kwargs: Any) -> None:
    """Blocking :func:`serve` (Ctrl-C stops it)."""
    try:
        asyncio.run(serve(uri, model_names, **pipeline_kwargs))
    except KeyboardInterrupt:
        pass
