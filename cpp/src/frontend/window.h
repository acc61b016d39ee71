// Stage 1: the analysis window (win_length values), computed in double.
#pragma once

#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend::detail {

// hann 0.5 - 0.5 cos(2 pi n / M), hamming 0.54 - 0.46 cos(2 pi n / M),
// povey (0.5 - 0.5 cos(2 pi n / M))^0.85, rectangular 1; M = N (periodic,
// as scipy.signal.get_window(..., fftbins=True)) or N - 1 (symmetric).
std::vector<double> make_window(Window type, int n, bool periodic);

}  // namespace edgeaudio::frontend::detail
