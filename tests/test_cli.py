"""The edgeaudio console script, run as a user would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import edgeaudio

EXE = shutil.which("edgeaudio")


def run(*args, env=None):
    cmd = [EXE] if EXE else [sys.executable, "-m", "edgeaudio"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env)


def test_console_script_is_installed():
    assert EXE is not None, "the 'edgeaudio' console script is not on PATH"


def test_info_prints_version_simd_and_runtime():
    r = run("info")
    assert r.returncode == 0, r.stderr
    assert f"edgeaudio {edgeaudio.__version__}" in r.stdout
    assert f"SIMD path:      {edgeaudio.simd_info()['active']}" in r.stdout
    assert "TFLite runtime:" in r.stdout


def test_info_json_is_machine_readable():
    r = run("info", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["version"] == edgeaudio.__version__
    assert data["simd"]["active"] in data["simd"]["available"]
    assert set(data["simd"]["rfft_path_by_length"]) == {"400", "512", "1024"}


def test_info_shows_a_forced_path():
    env = dict(os.environ, EDGEAUDIO_SIMD="scalar")
    r = run("info", env=env)
    assert r.returncode == 0, r.stderr
    assert "SIMD path:      scalar" in r.stdout


def test_python_dash_m_works():
    r = subprocess.run([sys.executable, "-m", "edgeaudio", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and edgeaudio.__version__ in r.stdout


def test_no_command_prints_help_and_fails():
    r = run()
    assert r.returncode == 2
    assert "info" in r.stdout
