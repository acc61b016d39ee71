// Synthesiser kernels instantiated for the avx2 vector vocabulary, with the
// four interpolation taps of 8 output frames fetched from one 16-frame
// window by cross-lane permutes.
//
// Why not gathers: vpgatherdd is microcoded on AMD Zen (and slow on older
// Intel cores); two gathers per 8 frames were about two thirds of the time
// of this kernel on a Zen 4 core. A voice's 8 consecutive positions usually
// span fewer than 13 frames (pitch step below ~1.7), so one unaligned load
// of 16 frames holds every tap (it may read past the last tap, within
// kResampleOverread); steeper steps take the gathers.
#include "../simd/vec_avx2.h"
#include "kernel.h"

namespace edgeaudio::synth::detail {

template <>
struct Gather<simd::VecAVX2> {
    using v = __m256;

    // lanes j (0..15) of the 16-float window lo:hi
    static inline v pick(v lo, v hi, __m256i j) {
        // vpermps uses the low 3 bits of j; bit 3 (moved to the sign) chooses hi
        return _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, j), _mm256_permutevar8x32_ps(hi, j),
                                _mm256_castsi256_ps(_mm256_slli_epi32(j, 28)));
    }

    static inline void taps(const std::int16_t* s, v p, v& xm1, v& x0, v& x1, v& x2, v& fr, long last) {
        const __m256i i = _mm256_cvttps_epi32(p);
        fr = _mm256_sub_ps(p, _mm256_cvtepi32_ps(i));
        const int first = _mm256_cvtsi256_si32(i);
        const int top = _mm_extract_epi32(_mm256_extracti128_si256(i, 1), 3);
        if (top - first <= 12 && long(first) + 14 <= last) {
            // window w[k] = s[first - 1 + k], k < 16; lane l's taps are w[r .. r + 3], r = i_l - first
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + first - 1));
            const v lo = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(w)));
            const v hi = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(w, 1)));
            const __m256i r = _mm256_sub_epi32(i, _mm256_set1_epi32(first)), one = _mm256_set1_epi32(1);
            const __m256i r1 = _mm256_add_epi32(r, one), r2 = _mm256_add_epi32(r1, one);
            xm1 = pick(lo, hi, r);
            x0 = pick(lo, hi, r1);
            x1 = pick(lo, hi, r2);
            x2 = pick(lo, hi, _mm256_add_epi32(r2, one));
            return;
        }
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
