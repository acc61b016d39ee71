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

}  // namespace edgeaudio::wavelet::detail
