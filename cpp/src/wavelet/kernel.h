// The filter-bank kernel of the discrete wavelet transform, written once over
// the vector vocabulary of cpp/src/simd/vec_*.h (kernel_<isa>.cpp instantiate
// it for float and for double).
//
// Both directions of a two-channel filter bank reduce to the same polyphase
// step: two input sequences, two output sequences, q taps per pair:
//   y1[m] = sum_v c11[v] x1[m+v] + c12[v] x2[m+v]
//   y2[m] = sum_v c21[v] x1[m+v] + c22[v] x2[m+v]
// Analysis: x1, x2 are the even and odd samples of the extended signal, y1,
// y2 the approximation and detail. Synthesis: x1, x2 are the approximation and
// detail, y1, y2 the even and odd output samples (written interleaved).
// Vectorised across m, so every load is contiguous and every tap a broadcast.
#pragma once

#include "kernel_table.h"

namespace edgeaudio::wavelet::detail {
namespace {

// The vector vocabulary for double, one lane (scalar double kernel).
struct ScalarF64 {
    using v = double;
    static constexpr int W = 1;
    static inline v load(const double* p) { return *p; }
    static inline void store(double* p, v a) { *p = a; }
    static inline v set1(double a) { return a; }
    static inline v madd(v a, v b, v c) { return a * b + c; }
    static inline void store_interleave(double* p, v a, v b) {
        p[0] = a;
        p[1] = b;
    }
};

template <class V, class T = float>
struct Polyphase {
    using v = typename V::v;
    static constexpr int W = V::W;

    // taps: c11[q], c12[q], c21[q], c22[q]. If `inter` is not null, writes
    // inter[2m] = y1[m], inter[2m+1] = y2[m] instead of y1, y2.
    static void run(const T* x1, const T* x2, int n, int q, const T* taps, T* y1, T* y2,
                    T* inter) {
        const T* c11 = taps;
        const T* c12 = taps + q;
        const T* c21 = taps + 2 * q;
        const T* c22 = taps + 3 * q;
        int m = 0;
        // two vectors of outputs per step: independent accumulator chains
        for (; m + 2 * W <= n; m += 2 * W) {
            v a1 = V::set1(0), b1 = V::set1(0), a2 = V::set1(0), b2 = V::set1(0);
            for (int k = 0; k < q; ++k) {
                const v u0 = V::load(x1 + m + k), u1 = V::load(x1 + m + k + W);
                const v w0 = V::load(x2 + m + k), w1 = V::load(x2 + m + k + W);
                const v t11 = V::set1(c11[k]), t12 = V::set1(c12[k]);
                const v t21 = V::set1(c21[k]), t22 = V::set1(c22[k]);
                a1 = V::madd(t11, u0, V::madd(t12, w0, a1));
                b1 = V::madd(t21, u0, V::madd(t22, w0, b1));
                a2 = V::madd(t11, u1, V::madd(t12, w1, a2));
                b2 = V::madd(t21, u1, V::madd(t22, w1, b2));
            }
            if (inter != nullptr) {
                V::store_interleave(inter + 2 * m, a1, b1);
                V::store_interleave(inter + 2 * (m + W), a2, b2);
            } else {
                V::store(y1 + m, a1);
                V::store(y2 + m, b1);
                V::store(y1 + m + W, a2);
                V::store(y2 + m + W, b2);
            }
        }
        for (; m < n; ++m) {
            T s1 = 0, s2 = 0;
            for (int k = 0; k < q; ++k) {
                s1 += c11[k] * x1[m + k] + c12[k] * x2[m + k];
                s2 += c21[k] * x1[m + k] + c22[k] * x2[m + k];
            }
            if (inter != nullptr) {
                inter[2 * m] = s1;
                inter[2 * m + 1] = s2;
            } else {
                y1[m] = s1;
                y2[m] = s2;
            }
        }
    }
};

}  // namespace
}  // namespace edgeaudio::wavelet::detail
