"""The built wheel carries everything the package needs at run time.

The session's wheel (tests/conftest.py builds it once from this checkout) is installed into a fresh
virtual environment and runs it from a temporary directory, far from the
source tree, so nothing can be picked up from the checkout by accident.
"""
from __future__ import annotations

import os
import subprocess
import venv
import zipfile


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("edgeaudio/_core") and n.endswith(".so") for n in names)
    assert any(n.startswith("edgeaudio/_models") and n.endswith(".so") for n in names)  # Cython detector
    assert any(n.startswith("edgeaudio/_fpmatch") and n.endswith(".so") for n in names)  # Cython matcher
    assert "edgeaudio/_fpmatch.pyi" in names and "edgeaudio/fingerprint.py" in names
    for mod in ("edgeaudio/__init__.py", "edgeaudio/fft.py", "edgeaudio/cli/__init__.py",
                "edgeaudio/_core.pyi", "edgeaudio/_models.pyi", "edgeaudio/py.typed",
                "edgeaudio/firmware_models/manifest.json", "edgeaudio/firmware_models/commands.tflite",
                "edgeaudio/runtime.py", "edgeaudio/models.py", "edgeaudio/train/commands.py",
                "edgeaudio/pipeline.py", "edgeaudio/data/demo_assets.npz", "edgeaudio/cli/demo.py",
                "edgeaudio/data/chords.npz", "edgeaudio/_chord_model.py", "edgeaudio/train/chords.py"):
        assert mod in names, mod
    # no build trees or tests leak into the wheel
    assert not any(n.startswith(("build/", "tests/", "cpp/")) for n in names)


def test_installed_wheel_runs_from_a_temporary_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    code = (
        "import edgeaudio, numpy as np, pathlib\n"
        "assert 'site-packages' in edgeaudio.__file__, edgeaudio.__file__\n"
        "x = np.random.default_rng(0).standard_normal((8, 400))\n"
        "err = np.abs(edgeaudio.fft.rfft(x) - np.fft.rfft(x)).max()\n"
        "assert err < 1e-4, err\n"
        "d = edgeaudio.models.Detector(2, threshold=0.5, ignore=[0])\n"
        "assert [x.frame for x in d.process([[0.2, 0.8]])] == [0]\n"
        "import hashlib\n"
        "from edgeaudio import models\n"
        "d = models.models_dir()\n"
        "assert 'site-packages' in str(d), d\n"
        "for e in models.manifest()['models'].values():\n"
        "    assert hashlib.sha256((d / e['file']).read_bytes()).hexdigest() == e['sha256'], e['file']\n"
        "print(edgeaudio.simd_info()['active'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EDGEAUDIO_SIMD")}
    r = subprocess.run([str(py), "-c", code], cwd=work, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(env_dir / "bin" / "edgeaudio"), "info"], cwd=work, capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "SIMD path:" in r.stdout
