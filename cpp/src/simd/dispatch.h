// How a component picks its per-ISA kernels. Each component defines one getter
// per path (kernels_scalar(), kernels_sse2(), ...) in its kernel_<isa>.cpp; the
// getters of paths not compiled into this build do not exist, and this header
// is the one place that knows which do.
#pragma once

#include "edgeaudio/simd.h"

namespace edgeaudio::simd {

template <class R>
struct KernelGetters {
    R (*scalar)();
    R (*sse2)();  // nullptr where the path is not compiled in
    R (*avx2)();
    R (*neon)();
};

// The kernels of `isa`, or R() (nullptr) if this build lacks that path.
template <class R>
R select_kernels(Isa isa, const KernelGetters<R>& g) {
    R (*get)() = nullptr;
    switch (isa) {
        case Isa::Scalar: get = g.scalar; break;
        case Isa::SSE2: get = g.sse2; break;
        case Isa::AVX2: get = g.avx2; break;
        case Isa::NEON: get = g.neon; break;
    }
    return get != nullptr ? get() : R();
}

}  // namespace edgeaudio::simd

#if defined(EDGEAUDIO_HAVE_SSE2)
#define EDGEAUDIO_GETTER_SSE2(f) &f
#else
#define EDGEAUDIO_GETTER_SSE2(f) nullptr
#endif
#if defined(EDGEAUDIO_HAVE_AVX2)
#define EDGEAUDIO_GETTER_AVX2(f) &f
#else
#define EDGEAUDIO_GETTER_AVX2(f) nullptr
#endif
#if defined(EDGEAUDIO_HAVE_NEON)
#define EDGEAUDIO_GETTER_NEON(f) &f
#else
#define EDGEAUDIO_GETTER_NEON(f) nullptr
#endif

// The getters named prefix##scalar, prefix##sse2, ... as a KernelGetters initialiser.
#define EDGEAUDIO_KERNEL_GETTERS(prefix)                                                    \
    {                                                                                       \
        &prefix##scalar, EDGEAUDIO_GETTER_SSE2(prefix##sse2), EDGEAUDIO_GETTER_AVX2(prefix##avx2), \
            EDGEAUDIO_GETTER_NEON(prefix##neon)                                             \
    }
