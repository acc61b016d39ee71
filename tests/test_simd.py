"""SIMD path detection and the EDGEAUDIO_SIMD override (checked in fresh processes)."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

import edgeaudio

INFO = edgeaudio.simd_info()


def run_info(simd: str | None):
    env = dict(os.environ)
    env.pop("EDGEAUDIO_SIMD", None)
    if simd is not None:
        env["EDGEAUDIO_SIMD"] = simd
    code = "import json, edgeaudio; print(json.dumps(edgeaudio.simd_info()))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_info_reports_detection_and_choice():
    assert INFO["available"][0] == "scalar"
    assert INFO["best"] == INFO["available"][-1]
    assert set(INFO["available"]) <= set(INFO["compiled"])
    if platform.machine() in ("x86_64", "AMD64"):
        assert "sse2" in INFO["available"]
        if "avx2" in INFO["cpu_features"].split() and "fma" in INFO["cpu_features"].split():
            assert INFO["best"] == "avx2"
    if platform.machine() == "aarch64":
        assert INFO["best"] == "neon"


def test_default_is_the_best_path():
    r = run_info(None)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["active"] == INFO["best"]


@pytest.mark.parametrize("path", INFO["available"])
def test_environment_forces_each_available_path(path):
    r = run_info(path.upper() if path == "scalar" else path)  # names are case-insensitive
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["active"] == path


def test_unavailable_path_is_a_clear_error():
    missing = next((p for p in ("neon", "avx2", "sse2") if p not in INFO["available"]), None)
    assert missing is not None
    r = run_info(missing)
    assert r.returncode != 0
    assert f"EDGEAUDIO_SIMD={missing} is not available" in r.stderr
    assert "available: scalar" in r.stderr


def test_unknown_path_is_a_clear_error():
    r = run_info("avx512")
    assert r.returncode != 0
    assert "EDGEAUDIO_SIMD=avx512 is not a SIMD path" in r.stderr


def test_forcing_an_unavailable_path_in_process_is_refused():
    from edgeaudio import _core

    missing = next(p for p in ("neon", "avx2", "sse2") if p not in INFO["available"])
    with pytest.raises(ValueError, match="not available"):
        _core._set_simd(missing)
    with pytest.raises(ValueError, match="unknown SIMD path"):
        _core._set_simd("mmx")
    assert edgeaudio.simd_info()["active"] == INFO["active"]
