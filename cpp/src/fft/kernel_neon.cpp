// FFT kernels instantiated for the neon vector vocabulary.
#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::fft::detail {

const KernelTable* kernels_neon() { return Kernel<simd::VecNEON>::table(); }

}  // namespace edgeaudio::fft::detail
