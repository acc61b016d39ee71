// Frontend kernels on the AVX2 + FMA vocabulary (8 floats); compiled with
// -mavx2 -mfma and only run when the CPU has both.
#include "../simd/vec_avx2.h"
#include "kernel.h"

namespace edgeaudio::frontend::detail {
namespace {

struct VecAVX2Math : simd::VecAVX2 {
    static inline v max(v a, v b) { return _mm256_max_ps(a, b); }
    static inline v sqrt(v a) { return _mm256_sqrt_ps(a); }
    static inline float hsum(v a) {
        __m128 t = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        t = _mm_add_ps(t, _mm_movehl_ps(t, t));
        return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
    }
    static inline void log_reduce(v x, v& f, v& k) {
        __m256i ix = _mm256_add_epi32(_mm256_castps_si256(x), _mm256_set1_epi32(0x3f800000 - 0x3f3504f3));
        k = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(ix, 23), _mm256_set1_epi32(127)));
        ix = _mm256_add_epi32(_mm256_and_si256(ix, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f3504f3));
        f = _mm256_sub_ps(_mm256_castsi256_ps(ix), _mm256_set1_ps(1.0f));
    }
};

}  // namespace

const KernelTable* kernels_avx2() { return Kernels<VecAVX2Math>::table(); }

}  // namespace edgeaudio::frontend::detail
