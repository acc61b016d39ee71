// AVX2 + FMA definition of the vector vocabulary: 8 floats per vector.
// Only translation units compiled with -mavx2 -mfma include this header.
#pragma once
#include <immintrin.h>

namespace edgeaudio::simd {

struct VecAVX2 {
    using v = __m256;
    static constexpr int W = 8;
    static constexpr const char* name = "avx2";

    static inline v load(const float* p) { return _mm256_loadu_ps(p); }
    static inline void store(float* p, v a) { _mm256_storeu_ps(p, a); }
    static inline v set1(float a) { return _mm256_set1_ps(a); }
    static inline v add(v a, v b) { return _mm256_add_ps(a, b); }
    static inline v sub(v a, v b) { return _mm256_sub_ps(a, b); }
    static inline v mul(v a, v b) { return _mm256_mul_ps(a, b); }
    static inline v madd(v a, v b, v c) { return _mm256_fmadd_ps(a, b, c); }
    static inline v nmadd(v a, v b, v c) { return _mm256_fnmadd_ps(a, b, c); }
    static inline v reverse(v a) {
        return _mm256_permutevar8x32_ps(a, _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0));
    }
    static inline void load_deinterleave(const float* p, v& re, v& im) {
        v lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
        // per 128-bit lane: [r0 r1 r4 r5 | r2 r3 r6 r7] then fix the lane order
        v r = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        v i = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
        re = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(r), _MM_SHUFFLE(3, 1, 2, 0)));
        im = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(i), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    static inline void store_interleave(float* p, v re, v im) {
        v r = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(re), _MM_SHUFFLE(3, 1, 2, 0)));
        v i = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(im), _MM_SHUFFLE(3, 1, 2, 0)));
        _mm256_storeu_ps(p, _mm256_unpacklo_ps(r, i));
        _mm256_storeu_ps(p + 8, _mm256_unpackhi_ps(r, i));
    }
    static inline void transpose(v* r) {
        v t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
        v t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
        v t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
        v t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
        v u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
        v u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
        v u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
        v u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
        v u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
        v u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
        v u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
        v u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
        r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
        r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
        r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
        r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
        r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
        r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
        r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
        r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    }
};

}  // namespace edgeaudio::simd

namespace edgeaudio::simd {

// The same vocabulary for double, 4 per vector (float64 wavelet filter banks).
struct VecAVX2F64 {
    using v = __m256d;
    static constexpr int W = 4;
    static inline v load(const double* p) { return _mm256_loadu_pd(p); }
    static inline void store(double* p, v a) { _mm256_storeu_pd(p, a); }
    static inline v set1(double a) { return _mm256_set1_pd(a); }
    static inline v madd(v a, v b, v c) { return _mm256_fmadd_pd(a, b, c); }
    static inline void store_interleave(double* p, v a, v b) {
        const v lo = _mm256_unpacklo_pd(a, b), hi = _mm256_unpackhi_pd(a, b);  // a0 b0 a2 b2 | a1 b1 a3 b3
        _mm256_storeu_pd(p, _mm256_permute2f128_pd(lo, hi, 0x20));
        _mm256_storeu_pd(p + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
    }
};

}  // namespace edgeaudio::simd
