// Echo canceller kernels instantiated for the neon vector vocabulary.
#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::aec::detail {

const KernelTable* kernels_neon() { return Kernel<simd::VecNEON>::table(); }

}  // namespace edgeaudio::aec::detail
