"""``edgeaudio tune`` on files (and its message when the microphone path is unavailable)."""
from __future__ import annotations

import sys

import numpy as np
import soundfile as sf

from edgeaudio import analysis
from edgeaudio.cli import main


def test_tune_file_reports_notes_and_cents(tmp_path, capsys):
    sr = 16000
    t = np.arange(sr) / sr
    parts = []
    for note, cents in (("E2", -12.0), ("A2", 7.0), ("G3", 0.0)):
        f0 = analysis.note_to_hz(note) * 2 ** (cents / 1200)
        # a string-like tone: harmonics decaying, a small attack
        x = sum(0.3 / h * np.sin(2 * np.pi * h * f0 * t) for h in range(1, 6)) * np.minimum(1, t / 0.01)
        parts += [x, np.zeros(sr // 4)]
    path = tmp_path / "strings.wav"
    sf.write(path, np.concatenate(parts).astype(np.float32), sr)
    assert main(["tune", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[3] for line in lines] == ["E2", "A2", "G3"]
    cents = [float(line.split()[4]) for line in lines]
    np.testing.assert_allclose(cents, [-12.0, 7.0, 0.0], atol=1.0)


def test_tune_needs_a_file_or_listen(capsys):
    assert main(["tune"]) == 1
    assert "FILE or --listen" in capsys.readouterr().err


def test_tune_unreadable_file_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not audio")
    assert main(["tune", str(bad)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_listen_without_sounddevice_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as when it is not installed
    assert main(["tune", "--listen", "--seconds", "0.1"]) == 1
    assert "pip install sounddevice" in capsys.readouterr().err
