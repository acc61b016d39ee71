// The frontend kernels, written once over the vector vocabulary of
// cpp/src/simd/vec_*.h plus four operations each kernel_<isa>.cpp adds for
// its ISA: max, sqrt, hsum (horizontal sum) and log_reduce (split x > 0 into
// 1 + f, f in [sqrt(1/2) - 1, sqrt(2) - 1), and an exponent k, by integer
// operations on the float's bits). Everything sits in an anonymous namespace
// so the instantiations for different ISAs never meet at link time; no
// standard-library templates are instantiated here.
#pragma once

#include "kernel_table.h"

namespace edgeaudio::frontend::detail {
namespace {

template <class V>
struct Kernels {
    using v = typename V::v;
    static constexpr int W = V::W;

    // Natural log for normal x > 0: Cephes' logf polynomial on the reduced
    // argument; about 1 ulp, the same arithmetic on every path.
    static inline v log(v x) {
        v f, k;
        V::log_reduce(x, f, k);
        const v z = V::mul(f, f);
        v y = V::set1(7.0376836292e-2f);
        y = V::madd(y, f, V::set1(-1.1514610310e-1f));
        y = V::madd(y, f, V::set1(1.1676998740e-1f));
        y = V::madd(y, f, V::set1(-1.2420140846e-1f));
        y = V::madd(y, f, V::set1(1.4249322787e-1f));
        y = V::madd(y, f, V::set1(-1.6668057665e-1f));
        y = V::madd(y, f, V::set1(2.0000714765e-1f));
        y = V::madd(y, f, V::set1(-2.4999993993e-1f));
        y = V::madd(y, f, V::set1(3.3333331174e-1f));
        y = V::mul(V::mul(y, f), z);
        y = V::madd(k, V::set1(-2.12194440e-4f), y);
        y = V::nmadd(V::set1(0.5f), z, y);
        v r = V::add(f, y);
        return V::madd(k, V::set1(0.693359375f), r);
    }

    static void window(const float* x, const float* w, float* out, int n) {
        for (int i = 0; i < n; i += W) V::store(out + i, V::mul(V::load(x + i), V::load(w + i)));
    }

    static void spectrum(const float* X, float* out, int n, int power, float scale) {
        const v s = V::set1(scale);
        if (power == 2) {
            for (int k = 0; k < n; k += W) {
                v re, im;
                V::load_deinterleave(X + 2 * k, re, im);
                V::store(out + k, V::mul(V::madd(re, re, V::mul(im, im)), s));
            }
        } else {
            for (int k = 0; k < n; k += W) {
                v re, im;
                V::load_deinterleave(X + 2 * k, re, im);
                V::store(out + k, V::mul(V::sqrt(V::madd(re, re, V::mul(im, im))), s));
            }
        }
    }

    // Four accumulators: the adds overlap instead of waiting on each other.
    static float sum(const float* x, int n) {
        v a0 = V::set1(0.0f), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 4 * W <= n; i += 4 * W) {
            a0 = V::add(a0, V::load(x + i));
            a1 = V::add(a1, V::load(x + i + W));
            a2 = V::add(a2, V::load(x + i + 2 * W));
            a3 = V::add(a3, V::load(x + i + 3 * W));
        }
        for (; i < n; i += W) a0 = V::add(a0, V::load(x + i));
        return V::hsum(V::add(V::add(a0, a1), V::add(a2, a3)));
    }

    static void mel(const float* spec, const MelView& b, float* out) {
        for (int m = 0; m < b.n_mels; ++m) {
            const float* w = b.weights + b.offset[m];
            const float* p = spec + b.start[m];
            const int count = b.count[m];
            v acc = V::set1(0.0f);
            for (int k = 0; k < count; k += W) acc = V::madd(V::load(w + k), V::load(p + k), acc);
            out[m] = V::hsum(acc);
        }
    }

    static void log_compress(float* x, int n, const LogParams& p) {
        const v mul = V::set1(p.mul), add = V::set1(p.add), floor = V::set1(p.floor), off = V::set1(p.offset);
        for (int i = 0; i < n; i += W) {
            const v y = log(V::max(V::add(V::load(x + i), off), floor));
            V::store(x + i, V::madd(mul, y, add));
        }
    }

    // Four accumulators over the inputs, as in sum().
    static void dct(const float* x, int n_in, const float* cols, int n_out_pad, float* out) {
        for (int c = 0; c < n_out_pad; c += W) {
            v a0 = V::set1(0.0f), a1 = a0, a2 = a0, a3 = a0;
            const float* col = cols + c;
            int m = 0;
            for (; m + 4 <= n_in; m += 4, col += 4 * n_out_pad) {
                a0 = V::madd(V::set1(x[m]), V::load(col), a0);
                a1 = V::madd(V::set1(x[m + 1]), V::load(col + n_out_pad), a1);
                a2 = V::madd(V::set1(x[m + 2]), V::load(col + 2 * n_out_pad), a2);
                a3 = V::madd(V::set1(x[m + 3]), V::load(col + 3 * n_out_pad), a3);
            }
            for (; m < n_in; ++m, col += n_out_pad) a0 = V::madd(V::set1(x[m]), V::load(col), a0);
            V::store(out + c, V::add(V::add(a0, a1), V::add(a2, a3)));
        }
    }

    static bool all_finite(const float* x, std::size_t n) {
        // x * 0 is 0 for finite x and NaN for NaN or +-Inf
        const v zero = V::set1(0.0f);
        v acc = zero;
        std::size_t i = 0;
        for (; i + W <= n; i += W) acc = V::madd(V::load(x + i), zero, acc);
        float s = V::hsum(acc);
        for (; i < n; ++i) s += x[i] * 0.0f;
        return s == s;
    }

    static const KernelTable* table() {
        static const KernelTable t{V::name, &window, &spectrum, &sum, &mel, &log_compress, &dct, &all_finite};
        return &t;
    }
};

}  // namespace
}  // namespace edgeaudio::frontend::detail
