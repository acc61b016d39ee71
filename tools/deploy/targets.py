"""Targets (aarch64, armv7) and device presets: one table for the tool and CMakePresets.json."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    name: str            # aarch64 | armv7
    toolchain: str       # relative to the repository root
    triple: str          # the Debian cross toolchain's prefix and /usr/<triple> root
    qemu: str            # qemu-user binary
    presets: Dict[str, str]  # preset name -> EDGEAUDIO_CPU ("generic" or an -mcpu value)
    qemu_cpus: Dict[str, str]  # preset name -> the qemu -cpu model its tests run on

    @property
    def qemu_root(self) -> str:
        return f"/usr/{self.triple}"


# Device presets. "generic" runs on every board of the target.
TARGETS: Dict[str, Target] = {
    "aarch64": Target(
        name="aarch64",
        toolchain="cpp/cmake/toolchains/aarch64-linux-gnu.cmake",
        triple="aarch64-linux-gnu",
        qemu="qemu-aarch64",
        presets={
            "generic": "generic",          # armv8-a: any 64-bit Pi or Jetson
            "rpi3": "cortex-a53",          # Raspberry Pi 3, Zero 2 W
            "rpi4": "cortex-a72",          # Raspberry Pi 4, 400, CM4
            "rpi5": "cortex-a76",          # Raspberry Pi 5
            "jetson-nano": "cortex-a57",   # Jetson Nano, TX1, TX2
            "jetson-orin": "cortex-a78ae",  # Jetson Orin Nano / NX / AGX
        },
        # qemu 7.2 models these cores; "generic" runs on the oldest ARMv8.0 one. It has
        # no Cortex-A78AE: Neoverse-N1 is the nearest (ARMv8.2 with fp16, dotprod, rcpc,
        # ssbs, as the A78AE), so -mcpu=cortex-a78ae code that needed more would trap.
        qemu_cpus={"generic": "cortex-a53", "rpi3": "cortex-a53", "rpi4": "cortex-a72",
                   "rpi5": "cortex-a76", "jetson-nano": "cortex-a57", "jetson-orin": "neoverse-n1"},
    ),
    "armv7": Target(
        name="armv7",
        toolchain="cpp/cmake/toolchains/arm-linux-gnueabihf.cmake",
        triple="arm-linux-gnueabihf",
        qemu="qemu-arm",
        presets={
            "generic": "generic",    # armv7-a + NEON/VFPv4: Pi 2 v1.1 and later, 32-bit OS
            "rpi3": "cortex-a53",
            "rpi4": "cortex-a72",
            "rpi5": "cortex-a76",
        },
        # qemu-arm 7.2 models 32-bit cores only up to ARMv7 (generic: the Pi 2's Cortex-A7);
        # ARMv8 cores in AArch32 (what -mcpu=cortex-a53/a72/a76 -mfpu=neon-fp-armv8 code
        # needs) are its "max" model.
        qemu_cpus={"generic": "cortex-a7", "rpi3": "max", "rpi4": "max", "rpi5": "max"},
    ),
}


def target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise ValueError(f"--target: expected one of {', '.join(TARGETS)}, got {name!r}") from None


def cpu_flag(t: Target, preset: str) -> str:
    """The EDGEAUDIO_CPU value of a preset; ValueError naming the choices."""
    try:
        return t.presets[preset]
    except KeyError:
        raise ValueError(f"--cpu: {t.name} presets are {', '.join(t.presets)}; got {preset!r}") from None


def qemu_cpu(t: Target, preset: str) -> str:
    """The qemu -cpu model (QEMU_CPU) a preset's tests run on."""
    cpu_flag(t, preset)  # the same ValueError for an unknown preset
    return t.qemu_cpus[preset]


def cmake_presets() -> dict:
    """CMakePresets.json as generated from TARGETS (tests check the file matches)."""
    configure = [{
        "name": "cross-base", "hidden": True, "generator": "Ninja",
        "binaryDir": "${sourceDir}/build/preset-${presetName}",
        "cacheVariables": {"CMAKE_BUILD_TYPE": "Release", "EDGEAUDIO_BUILD_TESTS": "ON",
                           "EDGEAUDIO_BUILD_BENCH": "ON"},
    }]
    tests = []
    for t in TARGETS.values():
        for preset, cpu in t.presets.items():
            name = f"{t.name}-{preset}"
            configure.append({
                "name": name, "inherits": "cross-base",
                "displayName": f"{t.name}, {preset} (EDGEAUDIO_CPU={cpu})",
                "toolchainFile": "${sourceDir}/" + t.toolchain,
                "cacheVariables": {"EDGEAUDIO_CPU": cpu},
            })
            tests.append({"name": name, "configurePreset": name, "environment": {"QEMU_CPU": t.qemu_cpus[preset]},
                          "output": {"outputOnFailure": True, "verbosity": "verbose"}})
    builds = [{"name": c["name"], "configurePreset": c["name"]} for c in configure[1:]]
    return {"version": 3, "cmakeMinimumRequired": {"major": 3, "minor": 21, "patch": 0},
            "configurePresets": configure, "buildPresets": builds, "testPresets": tests}


def write_cmake_presets(path: Path = REPO / "CMakePresets.json") -> None:
    path.write_text(json.dumps(cmake_presets(), indent=2) + "\n")
