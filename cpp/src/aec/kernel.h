// The echo canceller's inner loops, written once over the vector vocabulary
// of cpp/src/simd/vec_*.h and instantiated per ISA by kernel_<isa>.cpp (the
// FFT's pattern: anonymous namespace, one function table per path).
//
// Complex arrays are interleaved (re, im) pairs, as the FFT writes them.
#pragma once

#include "kernels.h"

namespace edgeaudio::aec::detail {
namespace {

template <class V>
struct Kernel {
    using v = typename V::v;
    static constexpr int W = V::W;

    // sum a[i] * b[i]
    static float dot(const float* a, const float* b, int n) {
        int i = 0;
        float s = 0.0f;
        if constexpr (W > 1) {
            v acc0 = V::set1(0.0f), acc1 = V::set1(0.0f);
            for (; i + 2 * W <= n; i += 2 * W) {
                acc0 = V::madd(V::load(a + i), V::load(b + i), acc0);
                acc1 = V::madd(V::load(a + i + W), V::load(b + i + W), acc1);
            }
            for (; i + W <= n; i += W) acc0 = V::madd(V::load(a + i), V::load(b + i), acc0);
            float lanes[W];
            V::store(lanes, V::add(acc0, acc1));
            for (int l = 0; l < W; ++l) s += lanes[l];
        }
        for (; i < n; ++i) s += a[i] * b[i];
        return s;
    }

    // y[i] += alpha * x[i]
    static void axpy(float alpha, const float* x, float* y, int n) {
        int i = 0;
        if constexpr (W > 1) {
            const v va = V::set1(alpha);
            for (; i + W <= n; i += W) V::store(y + i, V::madd(va, V::load(x + i), V::load(y + i)));
        }
        for (; i < n; ++i) y[i] += alpha * x[i];
    }

    // y[k] += w[k] * x[k] over n complex values
    static void cmac(const float* w, const float* x, float* y, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v wr, wi, xr, xi, yr, yi;
                V::load_deinterleave(w + 2 * k, wr, wi);
                V::load_deinterleave(x + 2 * k, xr, xi);
                V::load_deinterleave(y + 2 * k, yr, yi);
                yr = V::nmadd(wi, xi, V::madd(wr, xr, yr));
                yi = V::madd(wi, xr, V::madd(wr, xi, yi));
                V::store_interleave(y + 2 * k, yr, yi);
            }
        }
        for (; k < n; ++k) {
            const float wr = w[2 * k], wi = w[2 * k + 1], xr = x[2 * k], xi = x[2 * k + 1];
            y[2 * k] += wr * xr - wi * xi;
            y[2 * k + 1] += wr * xi + wi * xr;
        }
    }

    // g[k] = mu[k] * conj(x[k]) * e[k] over n complex values (mu real)
    static void grad(const float* x, const float* e, const float* mu, float* g, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v xr, xi, er, ei;
                V::load_deinterleave(x + 2 * k, xr, xi);
                V::load_deinterleave(e + 2 * k, er, ei);
                const v m = V::load(mu + k);
                // conj(x) e = (xr er + xi ei) + i (xr ei - xi er)
                const v gr = V::mul(m, V::madd(xi, ei, V::mul(xr, er)));
                const v gi = V::mul(m, V::nmadd(xi, er, V::mul(xr, ei)));
                V::store_interleave(g + 2 * k, gr, gi);
            }
        }
        for (; k < n; ++k) {
            const float xr = x[2 * k], xi = x[2 * k + 1], er = e[2 * k], ei = e[2 * k + 1];
            g[2 * k] = mu[k] * (xr * er + xi * ei);
            g[2 * k + 1] = mu[k] * (xr * ei - xi * er);
        }
    }

    // p[k] = |x[k]|^2 over n complex values
    static void power(const float* x, float* p, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v xr, xi;
                V::load_deinterleave(x + 2 * k, xr, xi);
                V::store(p + k, V::madd(xi, xi, V::mul(xr, xr)));
            }
        }
        for (; k < n; ++k) p[k] = x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1];
    }

    static const KernelTable* table() {
        static const KernelTable t{V::name, &dot, &axpy, &cmac, &grad, &power};
        return &t;
    }
};

}  // namespace
}  // namespace edgeaudio::aec::detail
