// Wavelet filter-bank kernel instantiated for the neon vector vocabulary.
#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_neon() { return &Polyphase<simd::VecNEON>::run; }
PolyphaseF64Fn polyphase_f64_neon() { return &Polyphase<ScalarF64, double>::run; }

}  // namespace edgeaudio::wavelet::detail
