// Synthesiser kernels instantiated for the avx2 vector vocabulary, with the
// four interpolation taps fetched by two 32-bit gathers (each 32-bit word
// holds two neighbouring 16-bit frames).
#include "../simd/vec_avx2.h"
#include "kernel.h"

namespace edgeaudio::synth::detail {

template <>
struct Gather<simd::VecAVX2> {
    using v = __m256;
    static inline void taps(const std::int16_t* s, v p, v& xm1, v& x0, v& x1, v& x2, v& fr) {
        const __m256i i = _mm256_cvttps_epi32(p);
        fr = _mm256_sub_ps(p, _mm256_cvtepi32_ps(i));
        // words at s[i-1] = (s[i-1], s[i]) and s[i+1] = (s[i+1], s[i+2]); scale 2 bytes per index
        const __m256i lo = _mm256_i32gather_epi32(reinterpret_cast<const int*>(s - 1), i, 2);
        const __m256i hi = _mm256_i32gather_epi32(reinterpret_cast<const int*>(s + 1), i, 2);
        xm1 = _mm256_cvtepi32_ps(_mm256_srai_epi32(_mm256_slli_epi32(lo, 16), 16));
        x0 = _mm256_cvtepi32_ps(_mm256_srai_epi32(lo, 16));
        x1 = _mm256_cvtepi32_ps(_mm256_srai_epi32(_mm256_slli_epi32(hi, 16), 16));
        x2 = _mm256_cvtepi32_ps(_mm256_srai_epi32(hi, 16));
    }
};

const KernelTable* kernels_avx2() { return Kernel<simd::VecAVX2>::table(); }

}  // namespace edgeaudio::synth::detail
