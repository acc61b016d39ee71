// Echo canceller kernels instantiated for the avx2 vector vocabulary.
#include "../simd/vec_avx2.h"
#include "kernel.h"

namespace edgeaudio::aec::detail {

const KernelTable* kernels_avx2() { return Kernel<simd::VecAVX2>::table(); }

}  // namespace edgeaudio::aec::detail
