// Synthesiser kernels instantiated for the scalar vector vocabulary.
#include "../simd/vec_scalar.h"
#include "kernel.h"

namespace edgeaudio::synth::detail {

const KernelTable* kernels_scalar() { return Kernel<simd::VecScalar>::table(); }

}  // namespace edgeaudio::synth::detail
