# Cross-compile for 32-bit ARM Linux (armv7-a, NEON, hard float: Raspberry Pi
# OS 32-bit) with Debian's g++-arm-linux-gnueabihf. Tests run under qemu-arm.
#
# EDGEAUDIO_CPU picks the device: generic (armv7-a + NEON/VFPv4: Pi 2 v1.1,
# 3, 4, 5 on a 32-bit OS), or a core run in 32-bit mode with the ARMv8 FPU:
# cortex-a53 (Pi 3, Zero 2), cortex-a72 (Pi 4), cortex-a76 (Pi 5).
# Only the C++ core and DSP are supported on armv7 (no LiteRT wheels).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

set(EDGEAUDIO_CPU "generic" CACHE STRING "-mcpu for the target: generic, cortex-a53, cortex-a72, cortex-a76")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EDGEAUDIO_CPU)
if(EDGEAUDIO_CPU STREQUAL "generic")
    set(_ea_flags "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")
else()
    set(_ea_flags "-mcpu=${EDGEAUDIO_CPU} -mfpu=neon-fp-armv8 -mfloat-abi=hard")
endif()
set(CMAKE_C_FLAGS_INIT "${_ea_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_ea_flags}")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-L;/usr/arm-linux-gnueabihf)
