// Wavelet filter-bank kernel instantiated for the scalar vector vocabulary.
#include "../simd/vec_scalar.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_scalar() { return &Polyphase<simd::VecScalar>::run; }

}  // namespace edgeaudio::wavelet::detail
