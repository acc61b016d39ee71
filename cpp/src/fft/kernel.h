// The FFT kernels, written once over the vector vocabulary of
// cpp/src/simd/vec_*.h. Each kernel_<isa>.cpp includes this file with its
// vector type; everything here sits in an anonymous namespace so the
// instantiations of different ISAs never meet at link time.
//
// Data layout: split complex (separate re and im arrays) in the work buffer.
// A transform of length n = W * m runs W transforms of length m side by side,
// one per vector lane (element e of lane l is sample e * W + l), so every
// arithmetic instruction is full width with no shuffles. The last step applies
// the twiddles exp(-2 pi i l k1 / n), transposes W x W blocks in registers and
// finishes with a W-point transform across vectors, writing natural order.
#pragma once

#include "plan_data.h"

namespace edgeaudio::fft::detail {
namespace {

template <class V>
struct Kernel {
    using v = typename V::v;
    static constexpr int W = V::W;

    // (ar + i ai)(br + i bi)
    static inline void cmul(v ar, v ai, v br, v bi, v& cr, v& ci) {
        cr = V::nmadd(ai, bi, V::mul(ar, br));
        ci = V::madd(ar, bi, V::mul(ai, br));
    }

    // ---- Stockham passes -------------------------------------------------
    // Input element x[q + s*(p + l*m)], output y[q + s*(r*p + j)].

    static void pass2(const Stage& st, const float* xr, const float* xi, float* yr, float* yi) {
        const int m = st.n / 2, s = st.s;
        const int in_step = s * m * W;
        for (int p = 0; p < m; ++p) {
            const v w1r = V::set1(st.tw_re[p]), w1i = V::set1(st.tw_im[p]);
            const bool tw = p != 0;
            for (int q = 0; q < s; ++q) {
                const int i0 = (q + s * p) * W;
                const int o0 = (q + s * 2 * p) * W;
                const v ar = V::load(xr + i0), ai = V::load(xi + i0);
                const v br = V::load(xr + i0 + in_step), bi = V::load(xi + i0 + in_step);
                V::store(yr + o0, V::add(ar, br));
                V::store(yi + o0, V::add(ai, bi));
                v dr = V::sub(ar, br), di = V::sub(ai, bi);
                if (tw) cmul(dr, di, w1r, w1i, dr, di);
                V::store(yr + o0 + s * W, dr);
                V::store(yi + o0 + s * W, di);
            }
        }
    }

    static void pass3(const Stage& st, const float* xr, const float* xi, float* yr, float* yi) {
        const int m = st.n / 3, s = st.s;
        const int in_step = s * m * W, out_step = s * W;
        const v half = V::set1(0.5f);
        const v sin60 = V::set1(0.86602540378443864676f);
        for (int p = 0; p < m; ++p) {
            const float* twr = st.tw_re + 2 * p;
            const float* twi = st.tw_im + 2 * p;
            const v w1r = V::set1(twr[0]), w1i = V::set1(twi[0]);
            const v w2r = V::set1(twr[1]), w2i = V::set1(twi[1]);
            const bool tw = p != 0;
            for (int q = 0; q < s; ++q) {
                const int i0 = (q + s * p) * W;
                const int o0 = (q + s * 3 * p) * W;
                const v ar = V::load(xr + i0), ai = V::load(xi + i0);
                const v br = V::load(xr + i0 + in_step), bi = V::load(xi + i0 + in_step);
                const v cr = V::load(xr + i0 + 2 * in_step), ci = V::load(xi + i0 + 2 * in_step);
                const v t1r = V::add(br, cr), t1i = V::add(bi, ci);
                const v t2r = V::nmadd(half, t1r, ar), t2i = V::nmadd(half, t1i, ai);
                // -i * sin60 * (b - c)
                const v mr = V::mul(sin60, V::sub(bi, ci));
                const v mi = V::mul(sin60, V::sub(cr, br));
                V::store(yr + o0, V::add(ar, t1r));
                V::store(yi + o0, V::add(ai, t1i));
                v x1r = V::add(t2r, mr), x1i = V::add(t2i, mi);
                v x2r = V::sub(t2r, mr), x2i = V::sub(t2i, mi);
                if (tw) {
                    cmul(x1r, x1i, w1r, w1i, x1r, x1i);
                    cmul(x2r, x2i, w2r, w2i, x2r, x2i);
                }
                V::store(yr + o0 + out_step, x1r);
                V::store(yi + o0 + out_step, x1i);
                V::store(yr + o0 + 2 * out_step, x2r);
                V::store(yi + o0 + 2 * out_step, x2i);
            }
        }
    }

    static void pass4(const Stage& st, const float* xr, const float* xi, float* yr, float* yi) {
        const int m = st.n / 4, s = st.s;
        const int in_step = s * m * W, out_step = s * W;
        for (int p = 0; p < m; ++p) {
            const float* twr = st.tw_re + 3 * p;
            const float* twi = st.tw_im + 3 * p;
            const v w1r = V::set1(twr[0]), w1i = V::set1(twi[0]);
            const v w2r = V::set1(twr[1]), w2i = V::set1(twi[1]);
            const v w3r = V::set1(twr[2]), w3i = V::set1(twi[2]);
            const bool tw = p != 0;
            for (int q = 0; q < s; ++q) {
                const int i0 = (q + s * p) * W;
                const int o0 = (q + s * 4 * p) * W;
                const v ar = V::load(xr + i0), ai = V::load(xi + i0);
                const v br = V::load(xr + i0 + in_step), bi = V::load(xi + i0 + in_step);
                const v cr = V::load(xr + i0 + 2 * in_step), ci = V::load(xi + i0 + 2 * in_step);
                const v dr = V::load(xr + i0 + 3 * in_step), di = V::load(xi + i0 + 3 * in_step);
                const v t0r = V::add(ar, cr), t0i = V::add(ai, ci);
                const v t1r = V::sub(ar, cr), t1i = V::sub(ai, ci);
                const v t2r = V::add(br, dr), t2i = V::add(bi, di);
                // t3 = -i (b - d)
                const v t3r = V::sub(bi, di), t3i = V::sub(dr, br);
                V::store(yr + o0, V::add(t0r, t2r));
                V::store(yi + o0, V::add(t0i, t2i));
                v x1r = V::add(t1r, t3r), x1i = V::add(t1i, t3i);
                v x2r = V::sub(t0r, t2r), x2i = V::sub(t0i, t2i);
                v x3r = V::sub(t1r, t3r), x3i = V::sub(t1i, t3i);
                if (tw) {
                    cmul(x1r, x1i, w1r, w1i, x1r, x1i);
                    cmul(x2r, x2i, w2r, w2i, x2r, x2i);
                    cmul(x3r, x3i, w3r, w3i, x3r, x3i);
                }
                V::store(yr + o0 + out_step, x1r);
                V::store(yi + o0 + out_step, x1i);
                V::store(yr + o0 + 2 * out_step, x2r);
                V::store(yi + o0 + 2 * out_step, x2i);
                V::store(yr + o0 + 3 * out_step, x3r);
                V::store(yi + o0 + 3 * out_step, x3i);
            }
        }
    }

    static void pass5(const Stage& st, const float* xr, const float* xi, float* yr, float* yi) {
        const int m = st.n / 5, s = st.s;
        const int in_step = s * m * W, out_step = s * W;
        const v c1 = V::set1(0.30901699437494742410f);   // cos(2 pi / 5)
        const v c2 = V::set1(-0.80901699437494742410f);  // cos(4 pi / 5)
        const v s1 = V::set1(0.95105651629515357212f);   // sin(2 pi / 5)
        const v s2 = V::set1(0.58778525229247312917f);   // sin(4 pi / 5)
        for (int p = 0; p < m; ++p) {
            const float* twr = st.tw_re + 4 * p;
            const float* twi = st.tw_im + 4 * p;
            const bool tw = p != 0;
            for (int q = 0; q < s; ++q) {
                const int i0 = (q + s * p) * W;
                const int o0 = (q + s * 5 * p) * W;
                const v ar = V::load(xr + i0), ai = V::load(xi + i0);
                const v br = V::load(xr + i0 + in_step), bi = V::load(xi + i0 + in_step);
                const v cr = V::load(xr + i0 + 2 * in_step), ci = V::load(xi + i0 + 2 * in_step);
                const v dr = V::load(xr + i0 + 3 * in_step), di = V::load(xi + i0 + 3 * in_step);
                const v er = V::load(xr + i0 + 4 * in_step), ei = V::load(xi + i0 + 4 * in_step);
                const v t1r = V::add(br, er), t1i = V::add(bi, ei);
                const v t2r = V::add(cr, dr), t2i = V::add(ci, di);
                const v t3r = V::sub(br, er), t3i = V::sub(bi, ei);
                const v t4r = V::sub(cr, dr), t4i = V::sub(ci, di);
                V::store(yr + o0, V::add(ar, V::add(t1r, t2r)));
                V::store(yi + o0, V::add(ai, V::add(t1i, t2i)));
                // a + c1 t1 + c2 t2 and a + c2 t1 + c1 t2
                const v u1r = V::madd(c2, t2r, V::madd(c1, t1r, ar));
                const v u1i = V::madd(c2, t2i, V::madd(c1, t1i, ai));
                const v u2r = V::madd(c1, t2r, V::madd(c2, t1r, ar));
                const v u2i = V::madd(c1, t2i, V::madd(c2, t1i, ai));
                // -i (s1 t3 + s2 t4) and -i (s2 t3 - s1 t4)
                const v g1r = V::madd(s1, t3i, V::mul(s2, t4i));
                const v g1i = V::nmadd(s1, t3r, V::mul(V::set1(-1.0f), V::mul(s2, t4r)));
                const v g2r = V::nmadd(s1, t4i, V::mul(s2, t3i));
                const v g2i = V::madd(s1, t4r, V::mul(V::set1(-1.0f), V::mul(s2, t3r)));
                v x1r = V::add(u1r, g1r), x1i = V::add(u1i, g1i);
                v x4r = V::sub(u1r, g1r), x4i = V::sub(u1i, g1i);
                v x2r = V::add(u2r, g2r), x2i = V::add(u2i, g2i);
                v x3r = V::sub(u2r, g2r), x3i = V::sub(u2i, g2i);
                if (tw) {
                    cmul(x1r, x1i, V::set1(twr[0]), V::set1(twi[0]), x1r, x1i);
                    cmul(x2r, x2i, V::set1(twr[1]), V::set1(twi[1]), x2r, x2i);
                    cmul(x3r, x3i, V::set1(twr[2]), V::set1(twi[2]), x3r, x3i);
                    cmul(x4r, x4i, V::set1(twr[3]), V::set1(twi[3]), x4r, x4i);
                }
                V::store(yr + o0 + out_step, x1r);
                V::store(yi + o0 + out_step, x1i);
                V::store(yr + o0 + 2 * out_step, x2r);
                V::store(yi + o0 + 2 * out_step, x2i);
                V::store(yr + o0 + 3 * out_step, x3r);
                V::store(yi + o0 + 3 * out_step, x3i);
                V::store(yr + o0 + 4 * out_step, x4r);
                V::store(yi + o0 + 4 * out_step, x4i);
            }
        }
    }

    static void pass8(const Stage& st, const float* xr, const float* xi, float* yr, float* yi) {
        const int m = st.n / 8, s = st.s;
        const int in_step = s * m * W, out_step = s * W;
        for (int p = 0; p < m; ++p) {
            const float* twr = st.tw_re + 7 * p;
            const float* twi = st.tw_im + 7 * p;
            const bool tw = p != 0;
            for (int q = 0; q < s; ++q) {
                const int i0 = (q + s * p) * W;
                const int o0 = (q + s * 8 * p) * W;
                v r[8], i[8];
                for (int l = 0; l < 8; ++l) {
                    r[l] = V::load(xr + i0 + l * in_step);
                    i[l] = V::load(xi + i0 + l * in_step);
                }
                dft8(r, i);
                V::store(yr + o0, r[0]);
                V::store(yi + o0, i[0]);
                for (int j = 1; j < 8; ++j) {
                    if (tw) cmul(r[j], i[j], V::set1(twr[j - 1]), V::set1(twi[j - 1]), r[j], i[j]);
                    V::store(yr + o0 + j * out_step, r[j]);
                    V::store(yi + o0 + j * out_step, i[j]);
                }
            }
        }
    }

    // Runs all passes; data starts in buffer a (re at a, im at a + n) and the
    // return value says which buffer holds the result.
    static float* run_passes(const ComplexView& pl, float* a, float* b) {
        const int n = pl.n;
        float* x = a;
        float* y = b;
        for (int k = 0; k < pl.nstages; ++k) {
            const Stage& st = pl.stages[k];
            switch (st.radix) {
                case 2: pass2(st, x, x + n, y, y + n); break;
                case 3: pass3(st, x, x + n, y, y + n); break;
                case 4: pass4(st, x, x + n, y, y + n); break;
                case 5: pass5(st, x, x + n, y, y + n); break;
                default: pass8(st, x, x + n, y, y + n); break;
            }
            float* t = x;
            x = y;
            y = t;
        }
        return x;
    }

    // ---- Across-lane finish ------------------------------------------------

    // In-register W-point DFT over the vectors r[0..W), i[0..W).
    static inline void dft_lanes(v* r, v* i) {
        if constexpr (W == 4) {
            dft4(r[0], i[0], r[1], i[1], r[2], i[2], r[3], i[3]);
        } else if constexpr (W == 8) {
            dft8(r, i);
        }
    }

    // 8-point DFT in place: radix-2 over the 4-point DFTs of the even and odd
    // inputs, with w8^1 = (1 - i)/sqrt2, w8^2 = -i, w8^3 = (-1 - i)/sqrt2.
    static inline void dft8(v* r, v* i) {
        v er[4] = {r[0], r[2], r[4], r[6]}, ei[4] = {i[0], i[2], i[4], i[6]};
        v or_[4] = {r[1], r[3], r[5], r[7]}, oi[4] = {i[1], i[3], i[5], i[7]};
        dft4(er[0], ei[0], er[1], ei[1], er[2], ei[2], er[3], ei[3]);
        dft4(or_[0], oi[0], or_[1], oi[1], or_[2], oi[2], or_[3], oi[3]);
        const v h = V::set1(0.70710678118654752440f);
        const v o1r = V::mul(h, V::add(or_[1], oi[1])), o1i = V::mul(h, V::sub(oi[1], or_[1]));
        const v o2r = oi[2], o2i = V::sub(V::set1(0.0f), or_[2]);
        const v o3r = V::mul(h, V::sub(oi[3], or_[3]));
        const v o3i = V::nmadd(h, V::add(or_[3], oi[3]), V::set1(0.0f));
        r[0] = V::add(er[0], or_[0]); i[0] = V::add(ei[0], oi[0]);
        r[4] = V::sub(er[0], or_[0]); i[4] = V::sub(ei[0], oi[0]);
        r[1] = V::add(er[1], o1r); i[1] = V::add(ei[1], o1i);
        r[5] = V::sub(er[1], o1r); i[5] = V::sub(ei[1], o1i);
        r[2] = V::add(er[2], o2r); i[2] = V::add(ei[2], o2i);
        r[6] = V::sub(er[2], o2r); i[6] = V::sub(ei[2], o2i);
        r[3] = V::add(er[3], o3r); i[3] = V::add(ei[3], o3i);
        r[7] = V::sub(er[3], o3r); i[7] = V::sub(ei[3], o3i);
    }

    static inline void dft4(v& ar, v& ai, v& br, v& bi, v& cr, v& ci, v& dr, v& di) {
        const v t0r = V::add(ar, cr), t0i = V::add(ai, ci);
        const v t1r = V::sub(ar, cr), t1i = V::sub(ai, ci);
        const v t2r = V::add(br, dr), t2i = V::add(bi, di);
        const v t3r = V::sub(bi, di), t3i = V::sub(dr, br);
        ar = V::add(t0r, t2r); ai = V::add(t0i, t2i);
        br = V::add(t1r, t3r); bi = V::add(t1i, t3i);
        cr = V::sub(t0r, t2r); ci = V::sub(t0i, t2i);
        dr = V::sub(t1r, t3r); di = V::sub(t1i, t3i);
    }

    // Writes X[k1 + m*k2]. Out has store(index, re, im) for W consecutive
    // indices and store1(index, re, im) for one.
    template <class Out>
    static void finish(const ComplexView& pl, const float* xr, const float* xi, Out& out) {
        const int m = pl.m;
        if constexpr (W == 1) {
            for (int k = 0; k < m; ++k) out.store1(k, xr[k], xi[k]);
        } else {
            const int nb = m / W;
            for (int b = 0; b < nb; ++b) {
                v r[W], i[W];
                for (int j = 0; j < W; ++j) {
                    const int e = (b * W + j) * W;
                    cmul(V::load(xr + e), V::load(xi + e), V::load(pl.tw2_re + e),
                         V::load(pl.tw2_im + e), r[j], i[j]);
                }
                V::transpose(r);
                V::transpose(i);
                dft_lanes(r, i);
                for (int k2 = 0; k2 < W; ++k2) out.store(m * k2 + b * W, r[k2], i[k2]);
            }
            for (int k1 = nb * W; k1 < m; ++k1) {
                float zr[W], zi[W];
                for (int l = 0; l < W; ++l) {
                    const int e = k1 * W + l;
                    zr[l] = xr[e] * pl.tw2_re[e] - xi[e] * pl.tw2_im[e];
                    zi[l] = xr[e] * pl.tw2_im[e] + xi[e] * pl.tw2_re[e];
                }
                for (int k2 = 0; k2 < W; ++k2) {
                    float sr = 0.0f, si = 0.0f;
                    for (int l = 0; l < W; ++l) {
                        const int t = l * W + k2;
                        sr += zr[l] * pl.wdft_re[t] - zi[l] * pl.wdft_im[t];
                        si += zr[l] * pl.wdft_im[t] + zi[l] * pl.wdft_re[t];
                    }
                    out.store1(m * k2 + k1, sr, si);
                }
            }
        }
    }

    struct OutInterleaved {
        float* p;
        float sr, si;  // scale for re and im (si = -scale conjugates)
        inline void store(int k, v r, v i) {
            V::store_interleave(p + 2 * k, V::mul(r, V::set1(sr)), V::mul(i, V::set1(si)));
        }
        inline void store1(int k, float r, float i) {
            p[2 * k] = r * sr;
            p[2 * k + 1] = i * si;
        }
    };

    struct OutSplit {
        float* re;
        float* im;
        inline void store(int k, v r, v i) {
            V::store(re + k, r);
            V::store(im + k, i);
        }
        inline void store1(int k, float r, float i) {
            re[k] = r;
            im[k] = i;
        }
    };

    // Copies n interleaved complex values into split arrays (conjugating).
    static void deinterleave(const float* in, int n, float* re, float* im, bool conj) {
        const v sign = V::set1(conj ? -1.0f : 1.0f);
        for (int k = 0; k < n; k += W) {
            v r, i;
            V::load_deinterleave(in + 2 * k, r, i);
            V::store(re + k, r);
            V::store(im + k, V::mul(i, sign));
        }
    }

    // ---- Entry points --------------------------------------------------------

    static void cfft(const ComplexView& pl, const float* in, float* out, float* work, bool inverse,
                     float scale) {
        const int n = pl.n;
        float* a = work;
        float* b = work + 2 * n;
        deinterleave(in, n, a, a + n, inverse);
        float* x = run_passes(pl, a, b);
        OutInterleaved o{out, scale, inverse ? -scale : scale};
        finish(pl, x, x + n, o);
    }

    static void rfft(const RealView& rv, const float* in, float* out, float* work, float scale) {
        const ComplexView& pl = rv.half;
        const int nc = pl.n;
        float* a = work;
        float* b = work + 2 * nc;
        // The even samples are the real parts, the odd ones the imaginary parts.
        deinterleave(in, nc, a, a + nc, false);
        float* x = run_passes(pl, a, b);
        float* zbuf = (x == a) ? b : a;
        float* zr = zbuf;
        float* zi = zbuf + nc;
        OutSplit os{zr, zi};
        finish(pl, x, x + nc, os);

        // Untangle Z into the spectrum of the real signal:
        // X[k] = E + O, X[nc-k] = conj(E - O), E = (A + B)/2,
        // O = -i w^k (A - B)/2, A = Z[k], B = conj Z[nc-k].
        const float h = 0.5f * scale;
        out[0] = (zr[0] + zi[0]) * scale;
        out[1] = 0.0f;
        out[2 * nc] = (zr[0] - zi[0]) * scale;
        out[2 * nc + 1] = 0.0f;
        const int mid = nc / 2;
        int k = 1;
        if constexpr (W > 1) {
            const v vh = V::set1(h);
            for (; k + W - 1 <= mid; k += W) {
                const int kr = nc - k - W + 1;
                const v ar = V::load(zr + k), ai = V::load(zi + k);
                const v br = V::reverse(V::load(zr + kr));
                const v bi = V::sub(V::set1(0.0f), V::reverse(V::load(zi + kr)));
                const v er = V::mul(vh, V::add(ar, br)), ei = V::mul(vh, V::add(ai, bi));
                const v dr = V::mul(vh, V::sub(ar, br)), di = V::mul(vh, V::sub(ai, bi));
                v tr, ti;
                cmul(dr, di, V::load(rv.post_re + k), V::load(rv.post_im + k), tr, ti);
                // O = -i t = (ti, -tr)
                V::store_interleave(out + 2 * k, V::add(er, ti), V::sub(ei, tr));
                const v yr = V::sub(er, ti);
                const v yi = V::sub(V::set1(0.0f), V::add(ei, tr));
                V::store_interleave(out + 2 * kr, V::reverse(yr), V::reverse(yi));
            }
        }
        for (; k <= mid; ++k) {
            const int kr = nc - k;
            const float ar = zr[k], ai = zi[k], br = zr[kr], bi = -zi[kr];
            const float er = h * (ar + br), ei = h * (ai + bi);
            const float dr = h * (ar - br), di = h * (ai - bi);
            const float tr = dr * rv.post_re[k] - di * rv.post_im[k];
            const float ti = dr * rv.post_im[k] + di * rv.post_re[k];
            out[2 * k] = er + ti;
            out[2 * k + 1] = ei - tr;
            out[2 * kr] = er - ti;
            out[2 * kr + 1] = -(ei + tr);
        }
    }

    static void irfft(const RealView& rv, const float* in, float* out, float* work, float scale) {
        const ComplexView& pl = rv.half;
        const int nc = pl.n;
        float* a = work;
        float* b = work + 2 * nc;
        float* zr = a;
        float* zi = a + nc;
        // Rebuild Z' (twice the spectrum of the even/odd packed signal) and
        // store its conjugate, so a forward transform gives conj(n * x).
        // Z'[k] = P + T, Z'[nc-k] = conj(P - T), P = X[k] + conj X[nc-k],
        // T = i conj(w^k) (X[k] - conj X[nc-k]).
        const float x0 = in[0], xn = in[2 * nc];
        zr[0] = x0 + xn;
        zi[0] = -(x0 - xn);
        const int mid = nc / 2;
        int k = 1;
        if constexpr (W > 1) {
            const v zero = V::set1(0.0f);
            for (; k + W - 1 <= mid; k += W) {
                const int kr = nc - k - W + 1;
                v ar, ai, br, bi;
                V::load_deinterleave(in + 2 * k, ar, ai);
                V::load_deinterleave(in + 2 * kr, br, bi);
                br = V::reverse(br);
                bi = V::sub(zero, V::reverse(bi));  // conj X[nc-k]
                const v pr = V::add(ar, br), pi = V::add(ai, bi);
                const v qr = V::sub(ar, br), qi = V::sub(ai, bi);
                const v wr = V::load(rv.post_re + k), wi = V::load(rv.post_im + k);
                // u = conj(w) q; T = i u = (-ui, ur)
                const v ur = V::madd(wi, qi, V::mul(wr, qr));
                const v ui = V::nmadd(wi, qr, V::mul(wr, qi));
                // conj(Z'[k]) = conj(P + T); conj(Z'[nc-k]) = P - T
                V::store(zr + k, V::sub(pr, ui));
                V::store(zi + k, V::sub(zero, V::add(pi, ur)));
                V::store(zr + kr, V::reverse(V::add(pr, ui)));
                V::store(zi + kr, V::reverse(V::sub(pi, ur)));
            }
        }
        for (; k <= mid; ++k) {
            const int kr = nc - k;
            const float ar = in[2 * k], ai = in[2 * k + 1];
            const float br = in[2 * kr], bi = -in[2 * kr + 1];
            const float pr = ar + br, pi = ai + bi, qr = ar - br, qi = ai - bi;
            const float wr = rv.post_re[k], wi = rv.post_im[k];
            const float ur = wr * qr + wi * qi, ui = wr * qi - wi * qr;
            zr[k] = pr - ui;
            zi[k] = -(pi + ur);
            zr[kr] = pr + ui;
            zi[kr] = pi - ur;
        }
        float* x = run_passes(pl, a, b);
        OutInterleaved o{out, scale, -scale};
        finish(pl, x, x + nc, o);
    }

    static const KernelTable* table() {
        static const KernelTable t{V::name, &cfft, &rfft, &irfft};
        return &t;
    }
};

}  // namespace
}  // namespace edgeaudio::fft::detail
