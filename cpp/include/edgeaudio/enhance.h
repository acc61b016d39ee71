// Speech enhancement: streaming single-channel noise suppression.
//
// NoiseSuppressor runs an STFT (sqrt-Hann, 50 % overlap, N = 2 * frame) and
// per bin
//   - tracks the noise power with MCRA (minima-controlled recursive
//     averaging, Cohen & Berdugo 2002): the smoothed power's minimum over a
//     ~1.5 s window tells speech from noise, and the noise estimate is
//     averaged only as fast as speech is absent;
//   - applies either a Wiener gain driven by the decision-directed a priori
//     SNR (Ephraim & Malah), or power spectral subtraction;
//   - never attenuates a bin by more than attenuation_limit_db.
// Like every streaming component: config validated at construction (errors
// name the field), process() for any block size with the same output for any
// split, reset(), no allocation after construction. Output sample i is input
// sample i - latency().
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace edgeaudio::enhance {

enum class SuppressionMethod { Wiener, SpectralSubtraction };

struct NoiseSuppressorConfig {
    int sample_rate_hz = 16000;          // 8000 .. 96000
    int frame = 0;                       // hop in samples; 0: 16 ms. 2 * frame must be an FFT size (factors 2, 3, 5)
    float attenuation_limit_db = 20.0f;  // the most any bin is attenuated (0 .. 80)
    SuppressionMethod method = SuppressionMethod::Wiener;
    float dd_smoothing = 0.9f;           // decision-directed weight of the previous frame, 0 .. 0.999
    float over_subtraction = 1.5f;       // spectral subtraction only: noise power multiplier (0.5 .. 4)
    float noise_window_ms = 1500.0f;     // MCRA minimum-search window (200 .. 10000)
};

class NoiseSuppressor {
  public:
    explicit NoiseSuppressor(const NoiseSuppressorConfig& config);
    ~NoiseSuppressor();
    NoiseSuppressor(const NoiseSuppressor&) = delete;
    NoiseSuppressor& operator=(const NoiseSuppressor&) = delete;

    const NoiseSuppressorConfig& config() const { return cfg_; }
    int frame() const;
    int latency() const;  // samples (= 2 * frame)
    int bins() const;     // frame + 1

    // out may alias in. Non-finite input samples are treated as 0.
    void process(const float* in, float* out, std::size_t n);
    void reset();

    // The current noise power estimate per bin (bins() values, |FFT|^2 units
    // of the sqrt-Hann windowed frame) and the gains last applied.
    void noise_psd(float* out) const;
    void gains(float* out) const;

  private:
    struct Impl;
    NoiseSuppressorConfig cfg_;
    std::unique_ptr<Impl> d_;
};

}  // namespace edgeaudio::enhance
