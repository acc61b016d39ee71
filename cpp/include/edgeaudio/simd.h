// Which SIMD path the kernels run on.
//
// On x86-64 the best path is found once at start-up by CPU detection (cpuid),
// so one build runs on any x86-64 CPU. On ARM the path is fixed by the compile
// target (NEON on aarch64 and on armv7 built with NEON). The environment
// variable EDGEAUDIO_SIMD=scalar|sse2|avx2|neon forces a path; asking for one
// the CPU (or this build) lacks is an error that names what is available.
#pragma once

#include <string>
#include <vector>

namespace edgeaudio {

enum class Isa { Scalar = 0, SSE2 = 1, AVX2 = 2, NEON = 3 };

// "scalar", "sse2", "avx2", "neon"
const char* isa_name(Isa isa);

// Parses a name as accepted by EDGEAUDIO_SIMD; throws std::invalid_argument.
Isa isa_from_name(const std::string& name);

// Paths compiled into this build (whether or not this CPU can run them).
std::vector<Isa> compiled_isas();

// Paths this CPU can run with this build, best last.
std::vector<Isa> available_isas();

// The best available path.
Isa best_isa();

// The path kernels use now: EDGEAUDIO_SIMD if set (validated on first call),
// else best_isa(). Throws std::runtime_error if EDGEAUDIO_SIMD is invalid.
Isa active_isa();

// Forces a path for the rest of the process (tests and benchmarks use it).
// Throws std::invalid_argument if the path is not available here.
void set_active_isa(Isa isa);

// Human-readable CPU feature summary, e.g. "sse2 avx2 fma".
std::string cpu_features();

}  // namespace edgeaudio
