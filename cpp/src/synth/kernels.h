// Internal: the per-ISA function table of the synthesiser's inner loops
// (kernel.h, instantiated by kernel_<isa>.cpp) and the lookup by path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "edgeaudio/simd.h"

namespace edgeaudio::synth::detail {

// How far past its last tap resample may read: room for a whole window of
// frames per vector of output frames (kernel_avx2.cpp).
constexpr int kResampleOverread = 16;
// The most lanes any path's svf_lanes takes (4 groups of 8 on avx2).
constexpr int kMaxLanes = 32;

struct KernelTable {
    const char* name;
    // out[i] = cubic(s, frac0 + i step) * (amp + i amp_inc), i < n; reads
    // s[floor(p) - 1 .. floor(p) + 2] for every position p visited, and may
    // read (and ignore) up to kResampleOverread frames past the last of them
    // (a SoundFont keeps more guard frames than that after its samples).
    void (*resample)(const std::int16_t* s, float frac0, float step, float amp, float amp_inc, float* out,
                     std::size_t n);
    // left += b gl, right += b gr
    void (*mix)(const float* b, float gl, float gr, float* left, float* right, std::size_t n);
    // Low-pass state-variable filters (Svf's TPT form) of up to `lanes`
    // voices at once, in place on x[lane][0..n): coefficients and states per
    // lane. The first `used` lanes matter; every lane up to the next multiple
    // of the vector width (or all 4 on the scalar path) must be valid.
    void (*svf_lanes)(float* const* x, const float* a1, const float* a2, const float* a3, float* ic1, float* ic2,
                      std::size_t n, int used);
    int lanes;  // how many voices svf_lanes filters per call at most (at most kMaxLanes)
    // resample over float frames (a 24-bit SoundFont's, in 16-bit units)
    void (*resample_f)(const float* s, float frac0, float step, float amp, float amp_inc, float* out,
                       std::size_t n);
};

// The table of a path compiled into this build; the scalar one otherwise.
const KernelTable* kernels_for(Isa isa);

const KernelTable* kernels_scalar();
const KernelTable* kernels_sse2();
const KernelTable* kernels_avx2();
const KernelTable* kernels_neon();

}  // namespace edgeaudio::synth::detail
