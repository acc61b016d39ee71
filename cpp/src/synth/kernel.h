// The SoundFont voice's inner loops, written once over the vector vocabulary
// (src/simd/vec_<isa>.h) and instantiated per ISA by kernel_<isa>.cpp:
//
//   resample  4-point cubic (Catmull-Rom) interpolation of 16-bit sample
//             frames at positions frac0 + i * step, times a linear gain ramp
//             (the envelope, updated per sub-block as FluidSynth does);
//             resample_f the same over float frames (24-bit SoundFonts, in
//             16-bit units).
//   mix       a mono voice buffer into the stereo bus with pan gains.
//
// Positions inside one call are floats relative to the frame `s` points at:
// a call covers at most one sub-block (64 frames), so they stay exact to
// about 1e-5 frame; the voice keeps its absolute position in 32.32 fixed
// point between calls, so pitch does not drift.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels.h"

namespace edgeaudio::synth::detail {

// The four taps around each lane's position (s[i-1] .. s[i+2], i = floor(p))
// and the fractional part, fetched lane by lane from frames of type T.
template <class V, class T>
inline void lane_taps(const T* s, typename V::v p, typename V::v& xm1, typename V::v& x0, typename V::v& x1,
                      typename V::v& x2, typename V::v& fr) {
    alignas(32) float pos[V::W], a[V::W], b[V::W], c[V::W], d[V::W], f[V::W];
    V::store(pos, p);
    for (int l = 0; l < V::W; ++l) {
        const int i = int(pos[l]);
        f[l] = pos[l] - float(i);
        const T* q = s + i;
        a[l] = float(q[-1]);
        b[l] = float(q[0]);
        c[l] = float(q[1]);
        d[l] = float(q[2]);
    }
    xm1 = V::load(a);
    x0 = V::load(b);
    x1 = V::load(c);
    x2 = V::load(d);
    fr = V::load(f);
}

// The taps of 16-bit frames. `last` is the highest index of s the call may
// read (an ISA that fetches a whole window of frames at once must stay below
// it). The generic version goes lane by lane; an ISA with cross-lane
// permutes or gathers specialises it.
template <class V>
struct Gather {
    using v = typename V::v;
    static inline void taps(const std::int16_t* s, v p, v& xm1, v& x0, v& x1, v& x2, v& fr, long /*last*/) {
        lane_taps<V>(s, p, xm1, x0, x1, x2, fr);
    }
};

// The same for float frames (24-bit SoundFonts), lane by lane on every ISA.
template <class V>
struct GatherFloat {
    using v = typename V::v;
    static inline void taps(const float* s, v p, v& xm1, v& x0, v& x1, v& x2, v& fr) {
        lane_taps<V>(s, p, xm1, x0, x1, x2, fr);
    }
};

template <class V>
struct Kernel {
    using v = typename V::v;

    template <class T>
    static inline float cubic_one(const T* s, float p) {
        const int i = int(p);
        const float x = p - float(i);
        const T* q = s + i;
        const float xm1 = q[-1], x0 = q[0], x1 = q[1], x2 = q[2];
        const float c1 = 0.5f * (x1 - xm1);
        const float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
        const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
        return ((c3 * x + c2) * x + c1) * x + x0;
    }

    template <class T>
    static void resample(const T* s, float frac0, float step, float amp, float amp_inc, float* out, std::size_t n) {
        alignas(32) float lane[V::W];
        for (int l = 0; l < V::W; ++l) lane[l] = float(l);
        const v iota = V::load(lane), vstep = V::set1(step), vfrac = V::set1(frac0);
        const v vamp = V::set1(amp), vinc = V::set1(amp_inc);
        const v half = V::set1(0.5f), two = V::set1(2.0f), two5 = V::set1(2.5f), one5 = V::set1(1.5f);
        // highest frame index the taps may read: floor of the last position + 2 + the allowed
        // overread, less a margin of one frame for the rounding of the float positions
        const long last = n ? long(double(frac0) + double(n - 1) * double(step)) + 1 + kResampleOverread : 0;
        std::size_t i = 0;
        for (; i + V::W <= n; i += V::W) {
            const v fi = V::add(V::set1(float(i)), iota);
            v xm1, x0, x1, x2, fr;
            if constexpr (std::is_same_v<T, float>)
                GatherFloat<V>::taps(s, V::madd(fi, vstep, vfrac), xm1, x0, x1, x2, fr);
            else
                Gather<V>::taps(s, V::madd(fi, vstep, vfrac), xm1, x0, x1, x2, fr, last);
            const v c1 = V::mul(half, V::sub(x1, xm1));
            const v c2 = V::nmadd(half, x2, V::madd(two, x1, V::nmadd(two5, x0, xm1)));
            const v c3 = V::madd(half, V::sub(x2, xm1), V::mul(one5, V::sub(x0, x1)));
            const v y = V::madd(V::madd(V::madd(c3, fr, c2), fr, c1), fr, x0);
            V::store(out + i, V::mul(y, V::madd(fi, vinc, vamp)));
        }
        for (; i < n; ++i) out[i] = cubic_one(s, frac0 + float(i) * step) * (amp + float(i) * amp_inc);
    }

    static void mix(const float* b, float gl, float gr, float* left, float* right, std::size_t n) {
        const v l = V::set1(gl), r = V::set1(gr);
        std::size_t i = 0;
        for (; i + V::W <= n; i += V::W) {
            const v x = V::load(b + i);
            V::store(left + i, V::madd(x, l, V::load(left + i)));
            V::store(right + i, V::madd(x, r, V::load(right + i)));
        }
        for (; i < n; ++i) {
            left[i] += b[i] * gl;
            right[i] += b[i] * gr;
        }
    }

    // Lanes: at least 4 so that the scalar path also runs independent filters
    // side by side; with vectors, kGroups groups of W voices. The recursion is
    // latency-bound (about 19 cycles of dependent operations per sample), so
    // independent groups interleaved fill the pipeline.
    static constexpr int kGroups = V::W == 1 ? 1 : 4;
    static constexpr int kLanes = V::W < 4 ? 4 : V::W * kGroups;

    template <int G>
    static void svf_groups(float* const* x, const float* a1p, const float* a2p, const float* a3p, float* ic1p,
                           float* ic2p, std::size_t n) {
        constexpr int W = V::W;
        v a1[G], a2[G], a3[G], ic1[G], ic2[G];
        for (int g = 0; g < G; ++g) {
            a1[g] = V::load(a1p + g * W), a2[g] = V::load(a2p + g * W), a3[g] = V::load(a3p + g * W);
            ic1[g] = V::load(ic1p + g * W), ic2[g] = V::load(ic2p + g * W);
        }
        const v two = V::set1(2.0f);
        auto step = [&](int g, v in) {
            const v v3 = V::sub(in, ic2[g]);
            const v v1 = V::madd(a1[g], ic1[g], V::mul(a2[g], v3));
            const v v2 = V::add(ic2[g], V::madd(a2[g], ic1[g], V::mul(a3[g], v3)));
            ic1[g] = V::sub(V::mul(two, v1), ic1[g]);
            ic2[g] = V::sub(V::mul(two, v2), ic2[g]);
            return v2;
        };
        std::size_t i = 0;
        v r[G][W];
        for (; i + W <= n; i += W) {  // W samples of W voices per group: transpose to time-major and back
            for (int g = 0; g < G; ++g) {
                for (int l = 0; l < W; ++l) r[g][l] = V::load(x[g * W + l] + i);
                V::transpose(r[g]);
            }
            for (int t = 0; t < W; ++t)
                for (int g = 0; g < G; ++g) r[g][t] = step(g, r[g][t]);
            for (int g = 0; g < G; ++g) {
                V::transpose(r[g]);
                for (int l = 0; l < W; ++l) V::store(x[g * W + l] + i, r[g][l]);
            }
        }
        alignas(32) float lane[W];
        for (; i < n; ++i)
            for (int g = 0; g < G; ++g) {
                for (int l = 0; l < W; ++l) lane[l] = x[g * W + l][i];
                V::store(lane, step(g, V::load(lane)));
                for (int l = 0; l < W; ++l) x[g * W + l][i] = lane[l];
            }
        for (int g = 0; g < G; ++g) {
            V::store(ic1p + g * W, ic1[g]);
            V::store(ic2p + g * W, ic2[g]);
        }
    }

    static void svf_lanes(float* const* x, const float* a1p, const float* a2p, const float* a3p, float* ic1p,
                          float* ic2p, std::size_t n, int used) {
        if constexpr (V::W == 1) {
            (void)used;
            float c1[4], c2[4];
            for (int l = 0; l < 4; ++l) c1[l] = ic1p[l], c2[l] = ic2p[l];
            for (std::size_t i = 0; i < n; ++i)
                for (int l = 0; l < 4; ++l) {
                    const float v3 = x[l][i] - c2[l];
                    const float v1 = a1p[l] * c1[l] + a2p[l] * v3;
                    const float v2 = c2[l] + a2p[l] * c1[l] + a3p[l] * v3;
                    c1[l] = 2.0f * v1 - c1[l];
                    c2[l] = 2.0f * v2 - c2[l];
                    x[l][i] = v2;
                }
            for (int l = 0; l < 4; ++l) ic1p[l] = c1[l], ic2p[l] = c2[l];
        } else {
            static_assert(kGroups == 4, "svf_lanes dispatches 1 to 4 groups");
            switch ((used + V::W - 1) / V::W) {
                case 0: break;
                case 1: svf_groups<1>(x, a1p, a2p, a3p, ic1p, ic2p, n); break;
                case 2: svf_groups<2>(x, a1p, a2p, a3p, ic1p, ic2p, n); break;
                case 3: svf_groups<3>(x, a1p, a2p, a3p, ic1p, ic2p, n); break;
                default: svf_groups<4>(x, a1p, a2p, a3p, ic1p, ic2p, n); break;
            }
        }
    }

    static const KernelTable* table() {
        static_assert(kLanes <= kMaxLanes, "kMaxLanes too small");
        static const KernelTable t{V::name, &resample<std::int16_t>, &mix, &svf_lanes, kLanes, &resample<float>};
        return &t;
    }
};

}  // namespace edgeaudio::synth::detail
