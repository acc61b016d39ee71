# Cross-compile for 64-bit ARM Linux (Raspberry Pi 3/4/5 on a 64-bit OS, Jetson)
# with Debian's g++-aarch64-linux-gnu. Tests run under qemu-aarch64.
#
# EDGEAUDIO_CPU picks the device (CMakePresets.json names them; so does
# python -m tools.deploy build --cpu): generic (armv8-a, runs on every
# aarch64 board), cortex-a53 (Pi 3, Zero 2), cortex-a72 (Pi 4), cortex-a76
# (Pi 5), cortex-a57 (Jetson Nano, TX1, TX2), cortex-a78ae (Jetson Orin).
#
# EDGEAUDIO_PYTHON_SYSROOT (optional): a directory holding the target's
# Debian python3.11 headers (libpython3.11-dev:arm64 unpacked with dpkg -x),
# for building the Python extension (python -m tools.deploy wheel).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# headers: the target's own first, then header-only packages such as doctest
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

set(EDGEAUDIO_CPU "generic" CACHE STRING
    "-mcpu for the target: generic, cortex-a53, cortex-a72, cortex-a76, cortex-a57, cortex-a78ae")
set(EDGEAUDIO_PYTHON_SYSROOT "" CACHE PATH "unpacked Debian arm64 packages with the Python headers")
# try_compile projects re-read this file: hand them the same choices
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EDGEAUDIO_CPU EDGEAUDIO_PYTHON_SYSROOT)

set(_ea_flags "")
if(NOT EDGEAUDIO_CPU STREQUAL "generic")
    set(_ea_flags "-mcpu=${EDGEAUDIO_CPU}")
endif()
if(EDGEAUDIO_PYTHON_SYSROOT)
    # Debian's python3.11/pyconfig.h includes <aarch64-linux-gnu/python3.11/pyconfig.h>;
    # -idirafter finds it there without letting the sysroot shadow the
    # cross compiler's own C and C++ headers
    set(_ea_flags "${_ea_flags} -idirafter ${EDGEAUDIO_PYTHON_SYSROOT}/usr/include")
    set(Python_INCLUDE_DIR "${EDGEAUDIO_PYTHON_SYSROOT}/usr/include/python3.11" CACHE PATH "" FORCE)
endif()
set(CMAKE_C_FLAGS_INIT "${_ea_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_ea_flags}")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu)
