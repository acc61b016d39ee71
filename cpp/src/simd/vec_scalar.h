// Scalar definition of the vector vocabulary: one float per "vector".
// Every kernel written over this vocabulary compiles to plain C++ with it,
// which is both the portable fallback and the reference the SIMD paths are
// tested against.
#pragma once

namespace edgeaudio::simd {

struct VecScalar {
    using v = float;
    static constexpr int W = 1;
    static constexpr const char* name = "scalar";

    static inline v load(const float* p) { return *p; }
    static inline void store(float* p, v a) { *p = a; }
    static inline v set1(float a) { return a; }
    static inline v add(v a, v b) { return a + b; }
    static inline v sub(v a, v b) { return a - b; }
    static inline v mul(v a, v b) { return a * b; }
    // a*b + c and c - a*b (fused where the ISA has it)
    static inline v madd(v a, v b, v c) { return a * b + c; }
    static inline v nmadd(v a, v b, v c) { return c - a * b; }
    static inline v reverse(v a) { return a; }
    static inline void load_deinterleave(const float* p, v& re, v& im) {
        re = p[0];
        im = p[1];
    }
    static inline void store_interleave(float* p, v re, v im) {
        p[0] = re;
        p[1] = im;
    }
    static inline void transpose(v*) {}
};

}  // namespace edgeaudio::simd
