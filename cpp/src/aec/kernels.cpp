// Choice of the echo canceller's kernel table by SIMD path.
#include "kernels.h"

namespace edgeaudio::aec::detail {

const KernelTable* kernels_for(Isa isa) {
    switch (isa) {
#if defined(EDGEAUDIO_HAVE_SSE2)
        case Isa::SSE2: return kernels_sse2();
#endif
#if defined(EDGEAUDIO_HAVE_AVX2)
        case Isa::AVX2: return kernels_avx2();
#endif
#if defined(EDGEAUDIO_HAVE_NEON)
        case Isa::NEON: return kernels_neon();
#endif
        default: return kernels_scalar();
    }
}

}  // namespace edgeaudio::aec::detail
