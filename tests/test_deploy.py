"""tools/deploy: argument validation and the commands --dry-run prints (no cross tools needed)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.deploy import cli, targets  # noqa: E402


def dry_run(capsys, *argv: str) -> str:
    assert cli.main([*argv, "--dry-run"]) == 0
    return capsys.readouterr().out


def test_cmake_presets_file_matches_the_preset_table():
    assert json.loads((REPO / "CMakePresets.json").read_text()) == targets.cmake_presets()


def test_presets_cover_the_pi_and_jetson_cores():
    cpus = set(targets.TARGETS["aarch64"].presets.values())
    assert {"generic", "cortex-a72", "cortex-a76", "cortex-a57", "cortex-a78ae"} <= cpus
    assert targets.TARGETS["armv7"].presets["generic"] == "generic"


def test_build_dry_run_prints_the_cross_cmake_commands(capsys):
    out = dry_run(capsys, "build", "--target", "aarch64", "--cpu", "rpi5")
    assert "aarch64-linux-gnu.cmake" in out and "-DEDGEAUDIO_CPU=cortex-a76" in out
    assert "cmake --build" in out and "frame_bench" in out and "edgeaudio_tests" in out


def test_test_dry_run_runs_ctest_under_the_emulator(capsys):
    out = dry_run(capsys, "test", "--target", "armv7")
    assert "arm-linux-gnueabihf.cmake" in out and "ctest --test-dir" in out


def test_unknown_cpu_preset_is_refused_naming_the_choices(capsys):
    assert cli.main(["build", "--target", "armv7", "--cpu", "jetson-orin", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "--cpu" in err and "rpi4" in err


def test_unknown_target_is_refused():
    with pytest.raises(SystemExit):
        cli.main(["build", "--target", "riscv64", "--dry-run"])


def test_wheel_dry_run_prints_sysroot_cross_build_auditwheel_and_emulated_tests(capsys):
    out = dry_run(capsys, "wheel", "--target", "aarch64")
    for expected in ["dpkg --add-architecture arm64", "apt-get download", "dpkg -x",
                     "_PYTHON_HOST_PLATFORM=linux-aarch64", "EDGEAUDIO_PYTHON_SYSROOT=",
                     "auditwheel show", "auditwheel repair", "qemu-aarch64 -L",
                     "QEMU_SET_ENV=LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu/blas", "-m pip install",
                     "-m pytest", "test_fft.py"]:
        assert expected in out, expected


def test_wheel_for_armv7_is_refused_with_the_reason(capsys):
    assert cli.main(["wheel", "--target", "armv7", "--dry-run"]) == 2
    assert "LiteRT" in capsys.readouterr().err


def test_push_dry_run_copies_and_runs_info(capsys):
    out = dry_run(capsys, "push", "pi@raspberrypi.local")
    assert "scp " in out and "pi@raspberrypi.local:edgeaudio-deploy/" in out
    assert "edgeaudio info" in out and "edgeaudio bench" in out and "frame_bench" in out


def test_push_refuses_a_host_without_user():
    assert cli.main(["push", "raspberrypi; rm -rf /", "--dry-run"]) == 2


def test_help_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "tools.deploy", "--help"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    for command in ["build", "test", "wheel", "sdist", "count", "push"]:
        assert command in out


def test_test_runs_under_the_qemu_model_of_the_presets_core(capsys):
    out = dry_run(capsys, "test", "--target", "aarch64", "--cpu", "jetson-nano")
    assert "-DEDGEAUDIO_CPU=cortex-a57" in out and "QEMU_CPU=cortex-a57 ctest" in out
    out = dry_run(capsys, "test", "--target", "armv7", "--cpu", "generic")
    assert "QEMU_CPU=cortex-a7 ctest" in out
    for t in targets.TARGETS.values():
        assert set(t.qemu_cpus) == set(t.presets)


def test_push_sdist_dry_run_builds_on_the_device_in_a_venv(capsys):
    out = dry_run(capsys, "push", "nvidia@orin.local", "--sdist", "--cpu", "jetson-orin")
    assert "edgeaudio-0.1.0.tar.gz" in out and "aarch64-jetson-orin/cpp/frame_bench" in out
    assert "python3 -m venv" in out and "[litert]" in out and "edgeaudio info" in out


def test_sdist_dry_run_cross_builds_the_unpacked_sdist_and_checks_it_emulated(capsys):
    out = dry_run(capsys, "sdist", "--target", "aarch64")
    assert "build --sdist" in out and "tar -xzf" in out and "sdist-src/edgeaudio-0.1.0" in out
    assert "--check-reference" in out and "ai-edge-litert==" in out
