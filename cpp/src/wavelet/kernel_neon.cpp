// Wavelet filter-bank kernel instantiated for the neon vector vocabulary.
#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_neon() { return &Polyphase<simd::VecNEON>::run; }

}  // namespace edgeaudio::wavelet::detail
