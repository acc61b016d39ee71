// Internal: the frontend's SIMD kernels as a table of plain function
// pointers, one table per path (kernel_<isa>.cpp), chosen once per Frontend.
// Buffer lengths marked "multiple of kPad" are padded by the caller so every
// path reads whole vectors; padding lanes hold finite values.
#pragma once

#include <cstddef>

#include "edgeaudio/simd.h"
#include "filterbank.h"

namespace edgeaudio::frontend::detail {

// y = mul * ln(max(x + offset, floor)) + add
struct LogParams {
    float mul, add, floor, offset;
};

struct KernelTable {
    const char* name;
    // out[i] = x[i] * w[i]; n a multiple of kPad
    void (*window)(const float* x, const float* w, float* out, int n);
    // out[k] = scale * |X[k]|^power (power 1 or 2), X interleaved re/im; n a multiple of kPad
    void (*spectrum)(const float* X, float* out, int n, int power, float scale);
    // sum of x[0..n); n a multiple of kPad
    float (*sum)(const float* x, int n);
    // out[m] = sum_k weights(m, k) * spectrum[k]
    void (*mel)(const float* spectrum, const MelView& bands, float* out);
    // in place; n a multiple of kPad
    void (*log)(float* x, int n, const LogParams& p);
    // out[c] = sum_m cols[m * n_out_pad + c] * x[m], c < n_out_pad (a multiple of kPad)
    void (*dct)(const float* x, int n_in, const float* cols, int n_out_pad, float* out);
    // false if any of x[0..n) is NaN or infinite
    bool (*all_finite)(const float* x, std::size_t n);
};

const KernelTable* kernels_for(Isa isa);  // nullptr if not compiled in
const KernelTable* kernels_scalar();
const KernelTable* kernels_sse2();
const KernelTable* kernels_avx2();
const KernelTable* kernels_neon();

}  // namespace edgeaudio::frontend::detail
