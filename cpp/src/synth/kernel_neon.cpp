// Synthesiser kernels instantiated for the neon vector vocabulary.
#include "../simd/vec_neon.h"
#include "kernel.h"

namespace edgeaudio::synth::detail {

const KernelTable* kernels_neon() { return Kernel<simd::VecNEON>::table(); }

}  // namespace edgeaudio::synth::detail
