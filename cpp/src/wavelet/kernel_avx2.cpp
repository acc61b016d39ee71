// Wavelet filter-bank kernel instantiated for the avx2 vector vocabulary.
#include "../simd/vec_avx2.h"
#include "kernel.h"

namespace edgeaudio::wavelet::detail {

PolyphaseFn polyphase_avx2() { return &Polyphase<simd::VecAVX2>::run; }
PolyphaseF64Fn polyphase_f64_avx2() { return &Polyphase<simd::VecAVX2F64, double>::run; }

}  // namespace edgeaudio::wavelet::detail
