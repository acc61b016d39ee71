// Stage 4b: per-channel energy normalisation, librosa.pcen semantics with
// max_size = 1: a first-order smoother per mel channel
//   M[t] = b E[t] + (1 - b) M[t-1],  M[-1] = 1 (librosa's lfilter_zi state),
//   b = (sqrt(1 + 4 T^2) - 1) / (2 T^2),  T = time_constant * sample_rate / hop,
// then out = bias^r ((1 + E (eps + M)^-gain / bias)^r - 1)  (r = power; the
// bias = 0 and power = 0 forms as librosa). Scalar double arithmetic: it is
// a few dozen values per frame.
#pragma once

#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend::detail {

class Pcen {
  public:
    explicit Pcen(const FrontendConfig& c);
    void reset();
    void process(float* x);  // n_mels values in place
    double smoothing() const { return b_; }

  private:
    double b_, gain_, bias_, power_, eps_;
    std::vector<double> m_;
};

}  // namespace edgeaudio::frontend::detail
