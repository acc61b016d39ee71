// Choice of the synthesiser's kernel table by SIMD path.
#include "kernels.h"
#include "../simd/dispatch.h"

namespace edgeaudio::synth::detail {

// A path this build lacks falls back to scalar.
const KernelTable* kernels_for(Isa isa) {
    const KernelTable* k = simd::select_kernels<const KernelTable*>(isa, EDGEAUDIO_KERNEL_GETTERS(kernels_));
    return k != nullptr ? k : kernels_scalar();
}

}  // namespace edgeaudio::synth::detail
