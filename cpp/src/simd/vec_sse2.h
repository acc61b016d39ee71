// SSE2 definition of the vector vocabulary: 4 floats per vector.
#pragma once
#include <emmintrin.h>

namespace edgeaudio::simd {

struct VecSSE2 {
    using v = __m128;
    static constexpr int W = 4;
    static constexpr const char* name = "sse2";

    static inline v load(const float* p) { return _mm_loadu_ps(p); }
    static inline void store(float* p, v a) { _mm_storeu_ps(p, a); }
    static inline v set1(float a) { return _mm_set1_ps(a); }
    static inline v add(v a, v b) { return _mm_add_ps(a, b); }
    static inline v sub(v a, v b) { return _mm_sub_ps(a, b); }
    static inline v mul(v a, v b) { return _mm_mul_ps(a, b); }
    static inline v madd(v a, v b, v c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
    static inline v nmadd(v a, v b, v c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }
    static inline v reverse(v a) { return _mm_shuffle_ps(a, a, _MM_SHUFFLE(0, 1, 2, 3)); }
    static inline void load_deinterleave(const float* p, v& re, v& im) {
        v lo = _mm_loadu_ps(p), hi = _mm_loadu_ps(p + 4);
        re = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        im = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    }
    static inline void store_interleave(float* p, v re, v im) {
        _mm_storeu_ps(p, _mm_unpacklo_ps(re, im));
        _mm_storeu_ps(p + 4, _mm_unpackhi_ps(re, im));
    }
    static inline void transpose(v* r) { _MM_TRANSPOSE4_PS(r[0], r[1], r[2], r[3]); }
};

}  // namespace edgeaudio::simd

namespace edgeaudio::simd {

// The same vocabulary for double, 2 per vector (the kernels that run in
// float64: wavelet filter banks).
struct VecSSE2F64 {
    using v = __m128d;
    static constexpr int W = 2;
    static inline v load(const double* p) { return _mm_loadu_pd(p); }
    static inline void store(double* p, v a) { _mm_storeu_pd(p, a); }
    static inline v set1(double a) { return _mm_set1_pd(a); }
    static inline v madd(v a, v b, v c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }
    static inline void store_interleave(double* p, v a, v b) {
        _mm_storeu_pd(p, _mm_unpacklo_pd(a, b));
        _mm_storeu_pd(p + 2, _mm_unpackhi_pd(a, b));
    }
};

}  // namespace edgeaudio::simd
