// Frontend kernels on the scalar vocabulary: the portable path and the
// reference the SIMD paths are tested against.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../simd/vec_scalar.h"
#include "kernel.h"

namespace edgeaudio::frontend::detail {
namespace {

struct VecScalarMath : simd::VecScalar {
    static inline v max(v a, v b) { return a > b ? a : b; }
    static inline v sqrt(v a) { return std::sqrt(a); }
    static inline float hsum(v a) { return a; }
    static inline void log_reduce(v x, v& f, v& k) {
        std::uint32_t ix;
        std::memcpy(&ix, &x, sizeof ix);
        ix += 0x3f800000u - 0x3f3504f3u;
        k = static_cast<float>(static_cast<std::int32_t>(ix >> 23) - 127);
        ix = (ix & 0x007fffffu) + 0x3f3504f3u;
        float m;
        std::memcpy(&m, &ix, sizeof m);
        f = m - 1.0f;
    }
};

}  // namespace

const KernelTable* kernels_scalar() { return Kernels<VecScalarMath>::table(); }

}  // namespace edgeaudio::frontend::detail
