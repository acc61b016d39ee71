// Internal: the per-ISA entry points of the wavelet kernels (see kernel.h).
#pragma once

#include "edgeaudio/simd.h"

namespace edgeaudio::wavelet::detail {

using PolyphaseFn = void (*)(const float* x1, const float* x2, int n, int q, const float* taps,
                             float* y1, float* y2, float* inter);

PolyphaseFn polyphase_scalar();
PolyphaseFn polyphase_sse2();
PolyphaseFn polyphase_avx2();
PolyphaseFn polyphase_neon();

// The float kernel of the active path (always non-null: scalar at worst).
PolyphaseFn polyphase_for(Isa isa);

// The same for double (NEON runs the scalar double kernel: armv7 has no
// double vectors).
using PolyphaseF64Fn = void (*)(const double* x1, const double* x2, int n, int q, const double* taps,
                                double* y1, double* y2, double* inter);

PolyphaseF64Fn polyphase_f64_scalar();
PolyphaseF64Fn polyphase_f64_sse2();
PolyphaseF64Fn polyphase_f64_avx2();
PolyphaseF64Fn polyphase_f64_neon();
PolyphaseF64Fn polyphase_f64_for(Isa isa);

}  // namespace edgeaudio::wavelet::detail
