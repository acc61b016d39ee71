// NEON definition of the vector vocabulary: 4 floats per vector
// (aarch64, and armv7 built with -mfpu=neon or neon-vfpv4).
#pragma once
#include <arm_neon.h>

namespace edgeaudio::simd {

struct VecNEON {
    using v = float32x4_t;
    static constexpr int W = 4;
    static constexpr const char* name = "neon";

    static inline v load(const float* p) { return vld1q_f32(p); }
    static inline void store(float* p, v a) { vst1q_f32(p, a); }
    static inline v set1(float a) { return vdupq_n_f32(a); }
    static inline v add(v a, v b) { return vaddq_f32(a, b); }
    static inline v sub(v a, v b) { return vsubq_f32(a, b); }
    static inline v mul(v a, v b) { return vmulq_f32(a, b); }
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
    static inline v madd(v a, v b, v c) { return vfmaq_f32(c, a, b); }
    static inline v nmadd(v a, v b, v c) { return vfmsq_f32(c, a, b); }
#else
    static inline v madd(v a, v b, v c) { return vmlaq_f32(c, a, b); }
    static inline v nmadd(v a, v b, v c) { return vmlsq_f32(c, a, b); }
#endif
    static inline v reverse(v a) {
        v r = vrev64q_f32(a);  // [1 0 3 2]
        return vcombine_f32(vget_high_f32(r), vget_low_f32(r));
    }
    static inline void load_deinterleave(const float* p, v& re, v& im) {
        float32x4x2_t t = vld2q_f32(p);
        re = t.val[0];
        im = t.val[1];
    }
    static inline void store_interleave(float* p, v re, v im) {
        float32x4x2_t t;
        t.val[0] = re;
        t.val[1] = im;
        vst2q_f32(p, t);
    }
    static inline void transpose(v* r) {
        float32x4x2_t a = vtrnq_f32(r[0], r[1]);  // [00 10 02 12] [01 11 03 13]
        float32x4x2_t b = vtrnq_f32(r[2], r[3]);  // [20 30 22 32] [21 31 23 33]
        r[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
        r[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
        r[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
        r[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
    }
};

}  // namespace edgeaudio::simd
