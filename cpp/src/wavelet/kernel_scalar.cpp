// Wavelet filter-bank kernel instantiated for the scalar vector vocabulary.
#include "../simd/vec_scalar.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_scalar() { return &Polyphase<simd::VecScalar>::run; }
PolyphaseF64Fn polyphase_f64_scalar() { return &Polyphase<ScalarF64, double>::run; }

}  // namespace edgeaudio::wavelet::detail
