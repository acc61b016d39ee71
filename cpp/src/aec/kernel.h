// The echo canceller's inner loops, written once over the vector vocabulary
// of cpp/src/simd/vec_*.h and instantiated per ISA by kernel_<isa>.cpp (the
// FFT's pattern: anonymous namespace, one function table per path).
//
// Complex arrays are interleaved (re, im) pairs, as the FFT writes them.
#pragma once

#include <cstddef>

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

    // The partitioned filter's loops run over bins outside and partitions
    // inside, so each block of bins is loaded and stored once for all
    // partitions. x[p] is partition p's array; w + p * stride (floats) is
    // partition p's filter.

    // y[k] = sum_p w_p[k] x_p[k] over n complex values
    static void cmac_parts(const float* const* x, const float* w, int stride, int parts, float* y, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v yr = V::set1(0.0f), yi = V::set1(0.0f);
                for (int p = 0; p < parts; ++p) {
                    v wr, wi, xr, xi;
                    V::load_deinterleave(w + static_cast<std::ptrdiff_t>(p) * stride + 2 * k, wr, wi);
                    V::load_deinterleave(x[p] + 2 * k, xr, xi);
                    yr = V::nmadd(wi, xi, V::madd(wr, xr, yr));
                    yi = V::madd(wi, xr, V::madd(wr, xi, yi));
                }
                V::store_interleave(y + 2 * k, yr, yi);
            }
        }
        for (; k < n; ++k) {
            float yr = 0.0f, yi = 0.0f;
            for (int p = 0; p < parts; ++p) {
                const float* wp = w + static_cast<std::ptrdiff_t>(p) * stride;
                const float wr = wp[2 * k], wi = wp[2 * k + 1], xr = x[p][2 * k], xi = x[p][2 * k + 1];
                yr = (yr + wr * xr) - wi * xi;
                yi = (yi + wr * xi) + wi * xr;
            }
            y[2 * k] = yr;
            y[2 * k + 1] = yi;
        }
    }

    // w_p[k] += alpha[p] mu[k] conj(x_p[k]) e[k] over n complex values (mu, alpha real):
    // the gradient step of every partition
    static void grad_parts(const float* const* x, const float* e, const float* mu, const float* alpha, float* w,
                           int stride, int parts, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v er, ei;
                V::load_deinterleave(e + 2 * k, er, ei);
                const v m = V::load(mu + k);
                for (int p = 0; p < parts; ++p) {
                    float* wp = w + static_cast<std::ptrdiff_t>(p) * stride + 2 * k;
                    v xr, xi, wr, wi;
                    V::load_deinterleave(x[p] + 2 * k, xr, xi);
                    V::load_deinterleave(wp, wr, wi);
                    const v ma = V::mul(m, V::set1(alpha[p]));
                    // conj(x) e = (xr er + xi ei) + i (xr ei - xi er)
                    wr = V::madd(ma, V::madd(xi, ei, V::mul(xr, er)), wr);
                    wi = V::madd(ma, V::nmadd(xi, er, V::mul(xr, ei)), wi);
                    V::store_interleave(wp, wr, wi);
                }
            }
        }
        for (; k < n; ++k) {
            const float er = e[2 * k], ei = e[2 * k + 1];
            for (int p = 0; p < parts; ++p) {
                float* wp = w + static_cast<std::ptrdiff_t>(p) * stride + 2 * k;
                const float xr = x[p][2 * k], xi = x[p][2 * k + 1], ma = mu[k] * alpha[p];
                wp[0] += ma * (xr * er + xi * ei);
                wp[1] += ma * (xr * ei - xi * er);
            }
        }
    }

    // y[k] = sum_p alpha[p] x_p[k] over n real values
    static void sum_parts(const float* const* x, const float* alpha, int parts, float* y, int n) {
        int k = 0;
        if constexpr (W > 1) {
            for (; k + W <= n; k += W) {
                v acc = V::set1(0.0f);
                for (int p = 0; p < parts; ++p) acc = V::madd(V::set1(alpha[p]), V::load(x[p] + k), acc);
                V::store(y + k, acc);
            }
        }
        for (; k < n; ++k) {
            float acc = 0.0f;
            for (int p = 0; p < parts; ++p) acc += alpha[p] * x[p][k];
            y[k] = acc;
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
        static const KernelTable t{V::name, &dot, &axpy, &cmac_parts, &grad_parts, &sum_parts, &power};
        return &t;
    }
};

}  // namespace
}  // namespace edgeaudio::aec::detail
