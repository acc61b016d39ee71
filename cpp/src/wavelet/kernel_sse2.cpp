// Wavelet filter-bank kernel instantiated for the sse2 vector vocabulary.
#include "../simd/vec_sse2.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_sse2() { return &Polyphase<simd::VecSSE2>::run; }
PolyphaseF64Fn polyphase_f64_sse2() { return &Polyphase<simd::VecSSE2F64, double>::run; }

}  // namespace edgeaudio::wavelet::detail
