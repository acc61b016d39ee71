// Acoustic echo cancellation against a loudspeaker reference.
//
//   NlmsFilter        time-domain NLMS for short echo paths (SIMD inner loops)
//   DelayEstimator    bulk reference-to-mic delay by GCC-PHAT over a window
//   EchoCanceller     the full canceller: bulk delay alignment, a partitioned
//                     frequency-domain adaptive filter (MDF family) with a
//                     coherence double-talk detector and a shadow filter, a
//                     residual echo suppressor and a divergence guard
//
// Every component has the same shape: a config struct validated at
// construction (errors name the field), process(...) for any block size with
// output independent of how the input is split, reset(), and no allocation
// after construction. Samples are float32, nominally in [-1, 1].
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "edgeaudio/simd.h"

namespace edgeaudio::aec {

// ---------------------------------------------------------------------------
// Time-domain NLMS: out[n] = mic[n] - w . ref[n - taps + 1 .. n], then
// w += step * out[n] * ref_window / (|ref_window|^2 + taps * regularization).
struct NlmsConfig {
    int taps = 256;               // filter length in samples (1 .. 65536)
    float step = 0.5f;            // normalised step size, 0 < step < 2
    float regularization = 1e-6f; // per-tap power floor added to the reference energy (> 0):
                                  // keeps the step finite on a silent reference
};

class NlmsFilter {
  public:
    explicit NlmsFilter(const NlmsConfig& config, Isa isa = active_isa());
    ~NlmsFilter();
    NlmsFilter(const NlmsFilter&) = delete;
    NlmsFilter& operator=(const NlmsFilter&) = delete;

    const NlmsConfig& config() const { return cfg_; }
    // out may alias mic.
    void process(const float* mic, const float* ref, float* out, std::size_t n);
    void reset();
    // Current taps, w[k] weighting ref[n - k].
    void weights(float* out) const;

  private:
    NlmsConfig cfg_;
    const void* kern_;
    std::vector<float> w_rev_;  // w reversed, aligned with the chronological window
    std::vector<float> hist_;   // reference history: taps samples of context + a chunk
    std::size_t pos_ = 0;       // next write index in hist_
    double energy_ = 0.0;       // |window|^2
    std::size_t since_exact_ = 0;
};

// ---------------------------------------------------------------------------
// Bulk delay between reference and mic: the lag (mic later than ref) of the
// peak of the PHAT-weighted cross-correlation, the cross-spectrum being
// averaged over analysis windows of window_ms every window_ms / 2. A lag is
// accepted when two confident analyses in a row agree on it, three when it
// replaces an accepted delay whose lag still holds half the new peak (music's
// repetitions add passing peaks at the delay plus a beat; a real path change
// removes the old one).
struct DelayEstimatorConfig {
    int sample_rate_hz = 16000;   // 8000 .. 96000
    float max_delay_ms = 250.0f;  // search range [0, max_delay_ms] (> 0, <= 1000)
    float window_ms = 0.0f;       // analysis window; 0: max(max_delay_ms, 128)
    float smoothing = 0.6f;       // cross-spectrum averaging per update, 0 <= smoothing < 1
    float min_confidence = 6.0f;  // peak / RMS of the correlation needed to accept (> 1)
};

class DelayEstimator {
  public:
    explicit DelayEstimator(const DelayEstimatorConfig& config);
    ~DelayEstimator();
    DelayEstimator(const DelayEstimator&) = delete;
    DelayEstimator& operator=(const DelayEstimator&) = delete;

    const DelayEstimatorConfig& config() const { return cfg_; }
    void process(const float* mic, const float* ref, std::size_t n);
    void reset();

    // The accepted delay in samples, or -1 before the first confident estimate.
    int delay_samples() const { return delay_; }
    // Confidence (peak / RMS) of the latest analysis, 0 before the first.
    float confidence() const { return confidence_; }
    // The latest analysis' peak lag, accepted or not (-1 before the first).
    int candidate_samples() const { return candidate_; }
    // How many analyses ran (windows with reference energy).
    std::int64_t updates() const { return updates_; }

  private:
    struct Impl;
    DelayEstimatorConfig cfg_;
    std::unique_ptr<Impl> d_;
    int delay_ = -1;
    int candidate_ = -1;
    float confidence_ = 0.0f;
    std::int64_t updates_ = 0;
};

// ---------------------------------------------------------------------------
struct EchoCancellerConfig {
    int sample_rate_hz = 16000;     // 8000, 16000, 32000 or 48000
    int frame = 0;                  // block (hop) in samples; 0: 10 ms. 2 * frame must be an FFT size (factors 2, 3, 5)
    float tail_ms = 256.0f;         // echo path length the adaptive filter covers (1 .. 2000)
    bool delay_estimation = true;   // align the reference by GCC-PHAT before the filter
    float max_delay_ms = 250.0f;    // how early the reference may arrive (0 .. 1000)
    float step_size = 1.0f;         // normalised step of the adaptive filters, 0 < step_size <= 1
    // Residual echo suppressor: the post-filter takes `suppressor_strength`
    // times the estimated residual echo power R as the interference of each
    // bin and applies the Wiener gain xi / (1 + xi), xi the decision-directed
    // signal-to-R ratio (for a steady bin, 1 - strength * R / error), floored
    // at suppressor_floor_db. 0 turns it off (the output is the linear
    // filter's); 1 takes the estimate as measured; 2 over-estimates by 3 dB. 0 .. 4.
    float suppressor_strength = 1.0f;
    float suppressor_floor_db = -40.0f;  // lowest post-filter gain (-80 .. 0)
    // Divergence guard: a block whose output exceeds the mic block by more
    // than this is replaced by the mic block and the filter is reset. (0 .. 40)
    float divergence_guard_db = 6.0f;
};

// Measurements of the running canceller.
struct EchoCancellerStats {
    float erle_db = 0.0f;          // mic / output power, smoothed over ~1 s of far-end activity
    float linear_erle_db = 0.0f;   // mic / linear-filter error power (before the suppressor)
    float double_talk = 0.0f;      // 0 (single talk) .. 1 (double talk), the detector's output
    float coherence = 0.0f;        // band mean mic / echo-estimate coherence
    int delay_samples = 0;         // bulk delay applied to the reference
    std::int64_t frames = 0;       // blocks processed
    std::int64_t resets = 0;       // divergence-guard filter resets
    std::int64_t shadow_copies = 0;  // times the shadow filter replaced the main one
};

class EchoCanceller {
  public:
    explicit EchoCanceller(const EchoCancellerConfig& config);
    ~EchoCanceller();
    EchoCanceller(const EchoCanceller&) = delete;
    EchoCanceller& operator=(const EchoCanceller&) = delete;

    const EchoCancellerConfig& config() const { return cfg_; }
    int frame() const;
    int partitions() const;
    // Output sample i is the cancelled mic sample i - latency().
    int latency() const;

    // Cancels the echo of `ref` in `mic`; n samples each, any n. Non-finite
    // input samples are treated as 0. out may alias mic.
    void process(const float* mic, const float* ref, float* out, std::size_t n);
    void reset();
    EchoCancellerStats stats() const;

  private:
    struct Impl;
    EchoCancellerConfig cfg_;
    std::unique_ptr<Impl> d_;
};

}  // namespace edgeaudio::aec
