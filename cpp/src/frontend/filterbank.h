// Stage 3: the mel filterbank. Built once in double precision; applied as a
// band-sparse matrix: each band keeps only its non-zero run of FFT bins,
// padded with zero weights to a multiple of kPad so every SIMD width reads
// whole vectors without a scalar tail.
#pragma once

#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend::detail {

constexpr int kPad = 8;  // widest vector (AVX2) in floats
inline int round_up(int n, int m) { return (n + m - 1) / m * m; }

// Mel scales (Hz <-> mel): Slaney (librosa default), HTK 2595 log10(1 + f/700),
// Kaldi 1127 ln(1 + f/700).
double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

// Dense n_mels x n_bins weights (row-major), before spectrum_scale.
std::vector<double> mel_weights(const FrontendConfig& c);

// What the kernels read (see kernel.h).
struct MelView {
    int n_mels;
    const int* start;   // first bin of each band
    const int* count;   // bins read, a multiple of kPad
    const int* offset;  // index of the band's first weight in `weights`
    const float* weights;
};

struct MelBands {
    std::vector<int> start, count, offset;
    std::vector<float> weights;
    int bins_read = 0;  // the spectrum buffer must hold this many floats
    MelView view() const {
        return {static_cast<int>(start.size()), start.data(), count.data(), offset.data(), weights.data()};
    }
};

// The sparse form of mel_weights(c).
MelBands make_mel_bands(const FrontendConfig& c);

}  // namespace edgeaudio::frontend::detail
