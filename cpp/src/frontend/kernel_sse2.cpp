// Frontend kernels on the SSE2 vocabulary (4 floats).
#include "../simd/vec_sse2.h"
#include "kernel.h"

namespace edgeaudio::frontend::detail {
namespace {

struct VecSSE2Math : simd::VecSSE2 {
    static inline v max(v a, v b) { return _mm_max_ps(a, b); }
    static inline v sqrt(v a) { return _mm_sqrt_ps(a); }
    static inline float hsum(v a) {
        const v t = _mm_add_ps(a, _mm_movehl_ps(a, a));
        return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
    }
    static inline void log_reduce(v x, v& f, v& k) {
        __m128i ix = _mm_add_epi32(_mm_castps_si128(x), _mm_set1_epi32(0x3f800000 - 0x3f3504f3));
        k = _mm_cvtepi32_ps(_mm_sub_epi32(_mm_srli_epi32(ix, 23), _mm_set1_epi32(127)));
        ix = _mm_add_epi32(_mm_and_si128(ix, _mm_set1_epi32(0x007fffff)), _mm_set1_epi32(0x3f3504f3));
        f = _mm_sub_ps(_mm_castsi128_ps(ix), _mm_set1_ps(1.0f));
    }
};

}  // namespace

const KernelTable* kernels_sse2() { return Kernels<VecSSE2Math>::table(); }

}  // namespace edgeaudio::frontend::detail
