// Stage 5: DCT-II (orthonormal, as scipy.fft.dct(norm="ortho")) from n_mels
// log-mel values to n_mfcc cepstra, with the lifter folded into the matrix.
#pragma once

#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend::detail {

struct DctMatrix {
    int n_in = 0;       // n_mels
    int n_out = 0;      // n_mfcc
    int n_out_pad = 0;  // n_mfcc rounded up to kPad
    // column-major: cols[m * n_out_pad + c] = lifter(c) * D[c][m]; padding 0
    std::vector<float> cols;
};

// lifter(c) = 1 + L/2 sin(pi c / L) (HTK) or 1 + L/2 sin(pi (c + 1) / L)
// (librosa); 1 when L = 0.
std::vector<double> lifter_weights(const FrontendConfig& c);
DctMatrix make_dct(const FrontendConfig& c);

}  // namespace edgeaudio::frontend::detail
