"""SF3 (SoundFont 2 with Ogg Vorbis samples) to SoundFont 2, in memory.

SF3 is MuseScore's extension of SoundFont 2 (used by Debian's
musescore-general-soundfont): the file layout is SF2's, the ``ifil``
version is 3, and each sample whose ``shdr`` sample type has bit 0x10 set
is an Ogg Vorbis stream. For such a sample ``start`` and ``end`` are byte
offsets of its stream in the ``smpl`` chunk, and the loop points are frame
offsets from the sample's first decoded frame (FluidSynth and MuseScore read
them this way).

:func:`sf3_to_sf2` decodes every compressed sample with libsndfile (through
soundfile, which reads Ogg Vorbis), lays the 16-bit frames out one after
another with the 46 zero frames SF2 asks for after each sample, rewrites
the sample headers (absolute frame positions, the 0x10 bit cleared) and the
version (2.1), and returns the bytes of an ordinary SF2 file, which the C++
loader (edgeaudio/sf2.h) then checks and plays like any other. The INFO and
pdta chunks are kept (an sm24 chunk is dropped: the player reads 16 bits);
samples without the bit are copied as they are.
"""
from __future__ import annotations

import io
import os
import struct
from typing import List, Tuple, Union

import numpy as np

__all__ = ["is_sf3", "sf3_to_sf2"]

_OGG_VORBIS = 0x10
_ROM = 0x8000
_GUARD_FRAMES = 46  # zero frames after each sample (SoundFont 2.01, section 6.1)
_SHDR_RECORD = 46


def _chunks(data: bytes, start: int, end: int, where: str) -> List[Tuple[bytes, int, int]]:
    """(tag, body start, body end) of the RIFF sub-chunks in data[start:end]."""
    out = []
    pos = start
    while pos + 8 <= end:
        tag = data[pos:pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if body + size > end:
            raise ValueError(f"SF3: chunk {tag!r} in {where} runs past its parent ({size} bytes at {pos})")
        out.append((tag, body, body + size))
        pos = body + size + (size & 1)
    return out


def _lists(data: bytes) -> dict:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise ValueError("SF3: not a RIFF 'sfbk' (SoundFont) file")
    riff_end = min(len(data), 8 + struct.unpack_from("<I", data, 4)[0])
    lists = {}
    for tag, a, b in _chunks(data, 12, riff_end, "sfbk"):
        if tag == b"LIST" and b - a >= 4:
            lists[bytes(data[a:a + 4])] = (a + 4, b)
    return lists


def is_sf3(path: Union[str, os.PathLike]) -> bool:
    """True when the file's ``ifil`` version is 3 (reads the INFO list only)."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
            return False
        tag_size = fh.read(12)  # the first chunk: LIST INFO
        if len(tag_size) < 12 or tag_size[:4] != b"LIST" or tag_size[8:12] != b"INFO":
            return False
        size = struct.unpack_from("<I", tag_size, 4)[0]
        info = fh.read(min(size - 4, 1 << 20))
    for tag, a, b in _chunks(info, 0, len(info), "INFO"):
        if tag == b"ifil" and b - a >= 4:
            return struct.unpack_from("<H", info, a)[0] == 3
    return False


def _decode(ogg: bytes, name: str) -> np.ndarray:
    import soundfile

    try:
        frames, _ = soundfile.read(io.BytesIO(ogg), dtype="int16", always_2d=True)
    except Exception as e:  # libsndfile's errors carry no type worth keeping
        raise ValueError(f"SF3: sample {name!r}: cannot decode its Ogg Vorbis data ({e})") from None
    return frames[:, 0]


def sf3_to_sf2(data: bytes) -> bytes:
    """The SoundFont 2 equivalent of an SF3 file's bytes (see the module docstring).

    Raises
    ------
    ValueError
        Not a SoundFont, a chunk outside its parent, a sample's Ogg stream
        outside the sample data or not decodable.
    """
    lists = _lists(data)
    for need in (b"INFO", b"sdta", b"pdta"):
        if need not in lists:
            raise ValueError(f"SF3: missing LIST {need.decode()!r}")
    sdta = {t: (a, b) for t, a, b in _chunks(data, *lists[b"sdta"], "sdta")}
    pdta = _chunks(data, *lists[b"pdta"], "pdta")
    if b"smpl" not in sdta:
        raise ValueError("SF3: missing 'smpl' chunk in sdta")
    s0, s1 = sdta[b"smpl"]
    smpl = memoryview(data)[s0:s1]
    shdr = [(a, b) for t, a, b in pdta if t == b"shdr"]
    if not shdr or (shdr[0][1] - shdr[0][0]) % _SHDR_RECORD:
        raise ValueError("SF3: missing or malformed 'shdr' chunk")
    a, b = shdr[0]
    headers = bytearray(data[a:b])
    pieces, cursor = [], 0
    for i in range(len(headers) // _SHDR_RECORD - 1):  # the last record is the terminal one
        off = i * _SHDR_RECORD
        name = headers[off:off + 20].split(b"\0", 1)[0].decode("latin-1")
        start, end, loop_start, loop_end = struct.unpack_from("<4I", headers, off + 20)
        kind = struct.unpack_from("<H", headers, off + 44)[0]
        if kind & _ROM:
            continue
        if kind & _OGG_VORBIS:
            if not start < end <= len(smpl):
                raise ValueError(f"SF3: sample {name!r}: Ogg stream at bytes {start}..{end} lies outside the "
                                 f"{len(smpl)} bytes of sample data")
            frames = _decode(bytes(smpl[start:end]), name)
            loop_start, loop_end = cursor + loop_start, cursor + loop_end
            kind &= ~_OGG_VORBIS
        else:
            if not start < end <= len(smpl) // 2:
                raise ValueError(f"SF3: sample {name!r}: frames {start}..{end} lie outside the sample data")
            frames = np.frombuffer(smpl[2 * start:2 * end], dtype="<i2")
            loop_start, loop_end = cursor + loop_start - start, cursor + loop_end - start
        n = len(frames)
        struct.pack_into("<4I", headers, off + 20, cursor, cursor + n, loop_start, loop_end)
        struct.pack_into("<H", headers, off + 44, kind)
        pieces += [np.asarray(frames, dtype="<i2").tobytes(), bytes(2 * _GUARD_FRAMES)]
        cursor += n + _GUARD_FRAMES
    end = len(headers) - _SHDR_RECORD  # terminal record: where the data ends
    struct.pack_into("<4I", headers, end + 20, cursor, cursor, 0, 0)

    def chunk(tag: bytes, body: bytes) -> bytes:
        return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")

    info = bytearray()
    for tag, a, b in _chunks(data, *lists[b"INFO"], "INFO"):
        body = data[a:b]
        if tag == b"ifil":
            body = struct.pack("<HH", 2, 1)
        info += chunk(tag, body)
    smpl_body = b"".join(pieces)
    pd = b"".join(chunk(t, bytes(headers) if t == b"shdr" else data[a:b]) for t, a, b in pdta)
    body = (b"sfbk" + chunk(b"LIST", b"INFO" + bytes(info)) + chunk(b"LIST", b"sdta" + chunk(b"smpl", smpl_body))
            + chunk(b"LIST", b"pdta" + pd))
    return b"RIFF" + struct.pack("<I", len(body)) + body
