"""Shared fixtures: run a test once per SIMD path this machine has."""
from __future__ import annotations

import pytest

import edgeaudio
from edgeaudio import _core

SIMD_PATHS = edgeaudio.simd_info()["available"]


@pytest.fixture(params=SIMD_PATHS)
def simd_path(request):
    """Forces each available SIMD path in turn and restores the default after."""
    before = edgeaudio.simd_info()["active"]
    _core._set_simd(request.param)
    try:
        yield request.param
    finally:
        _core._set_simd(before)


# ---- the wheel, built once per session (tests/test_install.py, tests/test_demo.py) ---------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import venv  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """A non-editable wheel built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
           "-w", str(out), "-C", f"build-dir={out / 'build'}", str(ROOT)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    wheels = list(out.glob("edgeaudio-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="session")
def wheel_env(wheel, tmp_path_factory) -> Path:
    """A virtual environment with the wheel installed (no checkout on its path); its
    dependencies (numpy, the TFLite interpreter, matplotlib) are this Python's, reached
    through a plain path entry, so no editable install of edgeaudio can leak in.
    Returns the environment's bin folder."""
    env_dir = tmp_path_factory.mktemp("wheel_env") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    import site as _site

    # this interpreter's site folders (a venv's and, with system site packages, the base's), as
    # plain path entries: their packages import, their .pth hooks (editable installs) do not run
    (Path(site) / "_host_packages.pth").write_text("\n".join(_site.getsitepackages()) + "\n")
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                        str(wheel)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return env_dir / "bin"


def clean_env() -> dict:
    """The environment for running an installed edgeaudio: no PYTHONPATH, no forced SIMD path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EDGEAUDIO_SIMD")}
