"""SF3 (SoundFont 2 with Ogg Vorbis samples) through edgeaudio.synth, on files built here."""
from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile

from edgeaudio import _sf3, synth
from test_synth import SR, cents, tiny_sf2, zero_crossing_freq


def as_sf3(sf2: bytes, corrupt: bool = False) -> bytes:
    """The tiny SF2 rewritten the way MuseScore's sftools writes SF3: ifil 3, the sample as an
    Ogg Vorbis stream in smpl, shdr start/end its byte range, loop points relative, type | 0x10."""
    lists = _sf3._lists(sf2)
    smpl_a, smpl_b = {t: (a, b) for t, a, b in _sf3._chunks(sf2, *lists[b"sdta"], "sdta")}[b"smpl"]
    shdr_a, _ = [(a, b) for t, a, b in _sf3._chunks(sf2, *lists[b"pdta"], "pdta") if t == b"shdr"][0]
    start, end, loop_start, loop_end = struct.unpack_from("<4I", sf2, shdr_a + 20)
    frames = np.frombuffer(sf2[smpl_a + 2 * start:smpl_a + 2 * end], dtype="<i2")
    buf = io.BytesIO()
    soundfile.write(buf, frames, 44100, format="OGG", subtype="VORBIS")
    ogg = buf.getvalue()
    if corrupt:
        ogg = ogg[:40] + bytes(len(ogg) - 40)
    body = ogg + (b"\0" if len(ogg) % 2 else b"")
    grow = len(body) - (smpl_b - smpl_a)  # the old sample body has an even size
    data = bytearray(sf2[:smpl_a - 4]) + struct.pack("<I", len(ogg)) + body + sf2[smpl_b:]
    # RIFF and LIST 'sdta' grew by the same amount
    struct.pack_into("<I", data, 4, len(data) - 8)
    sdta_size_at = lists[b"sdta"][0] - 8
    struct.pack_into("<I", data, sdta_size_at, struct.unpack_from("<I", sf2, sdta_size_at)[0] + grow)
    shdr = shdr_a + grow
    kind = struct.unpack_from("<H", data, shdr + 44)[0]
    struct.pack_into("<4I", data, shdr + 20, 0, len(ogg), loop_start - start, loop_end - start)
    struct.pack_into("<H", data, shdr + 44, kind | 0x10)
    ifil = bytes(data).index(b"ifil")
    struct.pack_into("<HH", data, ifil + 8, 3, 0)
    return bytes(data)


@pytest.fixture()
def sf3_path(tmp_path):
    path = tmp_path / "tiny.sf3"
    path.write_bytes(as_sf3(tiny_sf2()))
    return path


def test_sf3_regions_equal_the_sf2_they_were_made_from(tmp_path, sf3_path):
    sf2_path = tmp_path / "tiny.sf2"
    sf2_path.write_bytes(tiny_sf2())
    assert _sf3.is_sf3(sf3_path) and not _sf3.is_sf3(sf2_path)
    a, b = synth.load_soundfont(sf2_path), synth.load_soundfont(sf3_path)
    assert a.presets() == b.presets()
    for bank, prog in ((0, 0), (128, 0)):
        ra, rb = a.regions(bank, prog), b.regions(bank, prog)
        assert ra == rb  # Vorbis keeps the frame count, so start/end/loops land where they were


def test_sf3_plays_like_its_sf2(tmp_path, sf3_path):
    sf2_path = tmp_path / "tiny.sf2"
    sf2_path.write_bytes(tiny_sf2())
    notes = [(0, 0x90, 81, 127)]
    ref = synth.Synth(SR, 8, soundfont=sf2_path).render(SR, notes)[4800:, 0]
    got = synth.Synth(SR, 8, soundfont=sf3_path).render(SR, notes)[4800:, 0]
    # lossy codec: same pitch within 1 cent, same level within 0.2 dB, waveform correlation > 0.999
    assert abs(cents(zero_crossing_freq(got, SR), 882.0)) < 1.0
    level_db = 20 * np.log10(np.sqrt(np.mean(got ** 2)) / np.sqrt(np.mean(ref ** 2)))
    assert abs(level_db) < 0.2
    assert np.corrcoef(ref, got)[0, 1] > 0.999


def test_sf3_loaded_by_the_plain_sf2_parser_names_the_problem(sf3_path):
    with pytest.raises(ValueError, match="Ogg Vorbis.*load_soundfont"):
        synth.SoundFont(str(sf3_path))


def test_bad_sf3_gives_clear_errors(tmp_path):
    bad = tmp_path / "bad.sf3"
    bad.write_bytes(as_sf3(tiny_sf2(), corrupt=True))
    with pytest.raises(ValueError, match="cannot decode"):
        synth.load_soundfont(bad)
    data = bytearray(as_sf3(tiny_sf2()))
    shdr = bytes(data).index(b"sine\0")
    struct.pack_into("<I", data, shdr + 24, 10 ** 7)  # the Ogg stream's end past the sample data
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="outside"):
        synth.load_soundfont(bad)
    with pytest.raises(ValueError, match="RIFF"):
        _sf3.sf3_to_sf2(b"not a soundfont at all")
