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
    // y += w x, interleaved complex, n values (the partitioned filter's MAC)
    void (*cmac)(const float* w, const float* x, float* y, int n);
    // g = mu conj(x) e, interleaved complex, mu real per value (the gradient)
    void (*grad)(const float* x, const float* e, const float* mu, float* g, int n);
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
