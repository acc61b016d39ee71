// Synthesiser kernels instantiated for the sse2 vector vocabulary.
#include "../simd/vec_sse2.h"
#include "kernel.h"

namespace edgeaudio::synth::detail {

const KernelTable* kernels_sse2() { return Kernel<simd::VecSSE2>::table(); }

}  // namespace edgeaudio::synth::detail
