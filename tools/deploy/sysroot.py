"""A Debian arm64 sysroot from `apt-get download` + `dpkg -x`: no root filesystem, no binfmt.

It serves twice: its python3.11 headers for the cross build of the extension,
and its python3.11 (with numpy, pytest, hypothesis) as the emulated target
Python: ``qemu-aarch64 -L SYSROOT SYSROOT/usr/bin/python3.11``.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Set

from .runner import Runner

# What the emulated test needs; the rest is their dependency closure.
PACKAGES = ["python3.11", "libpython3.11-dev", "python3-numpy", "python3-pytest",
            "python3-hypothesis", "python3-pip", "python3-pywt",
            # the reference libraries of the wider emulated test subset
            "python3-scipy", "python3-mido", "python3-soundfile",
            # numpy's BLAS / LAPACK: the reference ones, in their alternatives dirs
            "libblas3", "liblapack3",
            # the extension module links libstdc++
            "libstdc++6"]
# Packages for installing packages, not for running Python, and compilers that
# -dev packages pull in; the cross toolchain brings its own.
SKIP = {"dpkg", "debconf", "debconf-2.0", "cdebconf", "perl-base", "perl", "tar", "install-info",
        "gcc", "g++", "cpp", "libc6-dev", "libc-dev", "linux-libc-dev", "libcrypt-dev",
        "libnsl-dev", "libtirpc-dev", "rpcsvc-proto", "libc-dev-bin", "python3-pythran"}
ARCH = "arm64"
# numpy finds libblas.so.3 / liblapack.so.3 through update-alternatives links that
# dpkg -x does not make: these go on the guest's LD_LIBRARY_PATH instead
BLAS_LAPACK_DIRS = ["/usr/lib/aarch64-linux-gnu/blas", "/usr/lib/aarch64-linux-gnu/lapack"]


def _apt_cache(args: List[str]) -> str:
    return subprocess.run(["apt-cache", *args], capture_output=True, text=True).stdout


def _existing(specs: List[str]) -> Set[str]:
    """Which of NAME:arm64 / NAME apt knows as real packages (one apt-cache call)."""
    out = _apt_cache(["show", "--no-all-versions", *specs])
    found: Set[str] = set()
    name = ""
    for line in out.splitlines():
        if line.startswith("Package:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Architecture:"):
            arch = line.split(":", 1)[1].strip()
            found.add(name if arch == "all" else f"{name}:{arch}")
    return found


def _depends(specs: List[str]) -> Dict[str, List[List[str]]]:
    """Each package's Depends/Pre-Depends groups: alternatives in order, virtuals
    replaced by their providers (one apt-cache call for all of specs)."""
    out = _apt_cache(["depends", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
                      "--no-replaces", "--no-enhances", *specs]).splitlines()
    result: Dict[str, List[List[str]]] = {}
    groups: List[List[str]] = []
    current: List[str] = []
    i = 0
    while i < len(out):
        line = out[i]
        stripped = line.strip()
        if not line.startswith(" "):
            groups = result.setdefault(_base(stripped), [])
            current = []
        elif stripped.startswith(("|Depends:", "Depends:", "|PreDepends:", "PreDepends:")):
            dep = stripped.split(":", 1)[1].strip()
            choices = [dep]
            if dep.startswith("<"):  # virtual: the providers follow, indented deeper
                choices = []
                while i + 1 < len(out) and out[i + 1].startswith("    "):
                    i += 1
                    choices.append(out[i].strip())
            current.extend(choices)
            if not stripped.startswith("|"):
                groups.append(current)
                current = []
        i += 1
    return result


def _base(name: str) -> str:
    return name.strip("<>").split(":", 1)[0]


def resolve(packages: List[str]) -> List[str]:
    """The dependency closure as apt-get download names (NAME:arm64, or NAME for
    Architecture: all), taking the first alternative of each dependency. Walks
    breadth first, two apt-cache calls per level."""
    result: Dict[str, str] = {}
    level = [p for p in packages if p not in SKIP]
    while level:
        level = sorted(set(level) - set(result))
        known = _existing([f"{n}:{ARCH}" for n in level] + level)
        specs = []
        for n in level:
            spec = f"{n}:{ARCH}" if f"{n}:{ARCH}" in known else n if n in known else None
            if spec is not None:
                result[n] = spec
                specs.append(spec)
        following: List[str] = []
        for groups in _depends(specs).values():
            for group in groups:
                names = [_base(c) for c in group]
                if any(n in result for n in names):
                    continue
                following.append(next((n for n in names if n not in SKIP), names[0]))
        level = [n for n in following if n not in SKIP]
    return sorted(result.values())


def ensure(runner: Runner, cache: Path, sysroot: Path) -> Path:
    """Downloads and unpacks the sysroot once (a stamp file lists what it holds)."""
    stamp = sysroot / ".edgeaudio-packages"
    debs = cache / "debs-arm64"
    wanted = "# " + " ".join(PACKAGES)
    runner.say(f"# arm64 sysroot in {sysroot} (packages: {' '.join(PACKAGES)} and their dependencies)")
    if not runner.dry_run and stamp.exists() and stamp.read_text().startswith(wanted + "\n"):
        runner.say(f"# already there ({stamp}); delete {sysroot} to fetch it again")
        write_cpuinfo(runner, sysroot)
        return sysroot
    runner.run(["dpkg", "--add-architecture", ARCH])
    runner.run(["apt-get", "update", "-qq"])
    if runner.dry_run:
        names = ["<dependency closure of: " + " ".join(PACKAGES) + ">"]
    else:
        names = resolve(PACKAGES)
        runner.say(f"# {len(names)} packages")
        debs.mkdir(parents=True, exist_ok=True)
    runner.run(["apt-get", "download", "-qq", *names], cwd=debs)
    if not runner.dry_run:
        sysroot.mkdir(parents=True, exist_ok=True)
        files = sorted(debs.glob("*.deb"))
    else:
        files = [debs / "*.deb"]
    for deb in files:
        runner.run(["dpkg", "-x", deb, sysroot])
    write_cpuinfo(runner, sysroot)
    if not runner.dry_run:
        stamp.write_text(wanted + "\n" + "\n".join(names) + "\n")
    return sysroot


# /proc/cpuinfo of a Raspberry Pi 4 core (Cortex-A72, r0p3), the CPU the
# emulated Python runs as (QEMU_CPU below).
CPU = "cortex-a72"
_CPUINFO_ENTRY = """processor\t: {i}
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x0
CPU part\t: 0xd08
CPU revision\t: 3

"""


def host_cpu_count() -> int:
    """Processors in /sys/devices/system/cpu/possible (e.g. "0-1" -> 2), which the guest also reads."""
    text = Path("/sys/devices/system/cpu/possible").read_text().strip()
    count = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        count += int(hi or lo) - int(lo) + 1
    return count


def write_cpuinfo(runner: Runner, sysroot: Path) -> None:
    """An arm64 /proc/cpuinfo in the sysroot. qemu-user opens a guest's absolute
    path inside -L SYSROOT when the file exists there, so the guest reads this one
    and not the x86 host's: LiteRT's CPU detection (cpuinfo) finds no ARM core in
    the host's file and crashes (SIGSEGV in Interpreter()). The core count is the
    host's, as the guest reads /sys/devices/system/cpu from the host."""
    path = sysroot / "proc" / "cpuinfo"
    runner.say(f"# {path}: {CPU} x the host's CPU count (what LiteRT's cpuinfo reads under qemu)")
    if runner.dry_run:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(_CPUINFO_ENTRY.format(i=i) for i in range(host_cpu_count())))
