#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, then
#   1. builds the C++ core and its doctest suite natively, runs ctest
#   2. the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. cross-compiles the suite for aarch64 and armv7 (NEON) and runs it under
#      qemu-user: NEON and scalar paths, checked against each other
#   4. installs the package (editable) and runs pytest
# Usage: bash tools/test.sh [--no-install] [--quick] [pytest args...]
#   --no-install  skip apt-get/pip (you installed already)
#   --quick       native ctest and pytest only
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
quick=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-install) install=0; shift ;;
        --quick) quick=1; shift ;;
        *) break ;;
    esac
done
PY=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}

APT_PACKAGES=(cmake ninja-build g++ doctest-dev libfftw3-dev libkissfft-dev
              g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user
              espeak-ng festival festvox-kallpc16k festvox-kdlpc16k wamerican
              fluid-soundfont-gm timgm6mb-soundfont python3-venv)
APT_PACKAGES+=(libportaudio2)  # edgeaudio listen (sounddevice)
APT_PACKAGES+=(fluidsynth)  # tests/test_synth.py: SoundFont levels against FluidSynth

step() { printf '\n==== %s\n' "$*"; }

if [[ $install == 1 ]]; then
    step "system packages"
    missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        SUDO=""
        [[ $(id -u) -ne 0 ]] && SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "all present: ${APT_PACKAGES[*]}"
    fi
    step "python packages (editable install with the test extra)"
    # --no-build-isolation below: sdists among the test extra (python_speech_features) build with
    # this environment's setuptools, which needs wheel for bdist_wheel (a fresh venv has none)
    $PY -m pip install -q --disable-pip-version-check "scikit-build-core>=0.10" "pybind11>=2.12" ninja "cython>=3.0" \
        "setuptools>=64" wheel
    $PY -m pip install -q --disable-pip-version-check --no-build-isolation -e ".[test]"
    # tflite-runtime 2.14 needs Python <= 3.11 and numpy < 2: its own venv, used by
    # tests/test_runtime_tflite.py (EDGEAUDIO_TFLITE_PYTHON points at it)
    step "tflite-runtime venv (build/tflite-venv)"
    TFLITE_PY=${TFLITE_PY:-$(command -v python3.11 || echo python3)}
    [[ -x build/tflite-venv/bin/python ]] || $TFLITE_PY -m venv build/tflite-venv
    build/tflite-venv/bin/python -m pip install -q --disable-pip-version-check "tflite-runtime==2.14.0" "numpy<2"
fi
export EDGEAUDIO_TFLITE_PYTHON=${EDGEAUDIO_TFLITE_PYTHON:-$PWD/build/tflite-venv/bin/python}

ctest_build() {  # name, extra cmake args...
    local name=$1
    shift
    cmake -S . -B "build/ctest-$name" -G Ninja -DEDGEAUDIO_BUILD_TESTS=ON "$@" >/dev/null
    cmake --build "build/ctest-$name" -j "$JOBS"
    (cd "build/ctest-$name" && ctest --output-on-failure -V | grep -E "SIMD paths tested|test cases:|tests passed|Test +#|FAIL|ERROR")
}

step "C++ tests, native ($(uname -m))"
ctest_build native -DCMAKE_BUILD_TYPE=Release

if [[ $quick == 0 ]]; then
    step "C++ tests, ASan + UBSan"
    ASAN_OPTIONS=detect_leaks=1 ctest_build sanitize -DCMAKE_BUILD_TYPE=Debug -DEDGEAUDIO_SANITIZE=ON
    step "C++ tests, aarch64 under qemu (NEON + scalar)"
    ctest_build aarch64 -DCMAKE_TOOLCHAIN_FILE=cpp/cmake/toolchains/aarch64-linux-gnu.cmake
    step "C++ tests, armv7 NEON under qemu (NEON + scalar)"
    ctest_build armv7 -DCMAKE_TOOLCHAIN_FILE=cpp/cmake/toolchains/arm-linux-gnueabihf.cmake
fi

step "pytest"
$PY -m pytest -q "$@"
