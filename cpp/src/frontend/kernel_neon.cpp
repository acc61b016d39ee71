// Frontend kernels on the NEON vocabulary (4 floats): aarch64, and armv7
// built with NEON (no vector sqrt or across-lane add there: done per lane).
#include <cmath>

#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::frontend::detail {
namespace {

struct VecNEONMath : simd::VecNEON {
    static inline v max(v a, v b) { return vmaxq_f32(a, b); }
    static inline v sqrt(v a) {
#if defined(__aarch64__)
        return vsqrtq_f32(a);
#else
        float t[4];
        vst1q_f32(t, a);
        for (float& x : t) x = std::sqrt(x);
        return vld1q_f32(t);
#endif
    }
    static inline float hsum(v a) {
#if defined(__aarch64__)
        return vaddvq_f32(a);
#else
        const float32x2_t s = vadd_f32(vget_low_f32(a), vget_high_f32(a));
        return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
    }
    static inline void log_reduce(v x, v& f, v& k) {
        uint32x4_t ix = vaddq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x3f800000u - 0x3f3504f3u));
        k = vcvtq_f32_s32(vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(ix, 23)), vdupq_n_s32(127)));
        ix = vaddq_u32(vandq_u32(ix, vdupq_n_u32(0x007fffffu)), vdupq_n_u32(0x3f3504f3u));
        f = vsubq_f32(vreinterpretq_f32_u32(ix), vdupq_n_f32(1.0f));
    }
};

}  // namespace

const KernelTable* kernels_neon() { return Kernels<VecNEONMath>::table(); }

}  // namespace edgeaudio::frontend::detail
