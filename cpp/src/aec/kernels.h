// Internal: the per-ISA function table of the echo canceller's inner loops
// (kernel.h, instantiated by kernel_<isa>.cpp) and the lookup by path.
#pragma once

#include "edgeaudio/simd.h"

namespace edgeaudio::aec::detail {

struct KernelTable {
    const char* name;
    // sum a[i] b[i]
    float (*dot)(const float* a, const float* b, int n);
    // y += alpha x
    void (*axpy)(float alpha, const float* x, float* y, int n);
    // The partitioned filter, interleaved complex, n values per partition;
    // x[p] is partition p's reference spectrum, w + p * stride (floats) its filter.
    // y = sum_p w_p x_p (the echo estimate)
    void (*cmac_parts)(const float* const* x, const float* w, int stride, int parts, float* y, int n);
    // w_p += alpha[p] mu conj(x_p) e, mu real per value (the gradient step)
    void (*grad_parts)(const float* const* x, const float* e, const float* mu, const float* alpha, float* w,
                       int stride, int parts, int n);
    // y = sum_p alpha[p] x_p, real values (x[p] real here)
    void (*sum_parts)(const float* const* x, const float* alpha, int parts, float* y, int n);
    // p = |x|^2, interleaved complex in, n real out
    void (*power)(const float* x, float* p, int n);
};

// The table of a path compiled into this build; the scalar one otherwise.
const KernelTable* kernels_for(Isa isa);

const KernelTable* kernels_scalar();
const KernelTable* kernels_sse2();
const KernelTable* kernels_avx2();
const KernelTable* kernels_neon();

}  // namespace edgeaudio::aec::detail
