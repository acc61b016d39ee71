// Biquad filters designed with the RBJ "Audio EQ Cookbook" formulas, and
// streaming cascades of second-order sections (SOS) with the same semantics
// as scipy.signal.sosfilt (transposed direct form II, zero initial state).
//
// Coefficients are computed and the filter state is kept in double precision;
// input and output are float32. A cascade matches scipy.signal.sosfilt on the
// same (float32-rounded) input to about 1e-6 for well-conditioned sections.
//
// The recursion is inherently sequential per channel, so the cascade runs the
// same scalar code on every SIMD path.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace edgeaudio::enhance {

enum class BiquadType { Lowpass, Highpass, Bandpass, Notch, Peaking, LowShelf, HighShelf };

// "lowpass", "highpass", "bandpass", "notch", "peaking", "lowshelf", "highshelf"
const char* biquad_type_name(BiquadType type);
// Parses the names above; throws std::invalid_argument listing them.
BiquadType biquad_type_from_name(const std::string& name);

// One second-order section in scipy's layout: b0 b1 b2 a0 a1 a2 (a0 = 1 after
// design; a cascade normalises any a0 != 0 as scipy does).
struct Section {
    double b0, b1, b2, a0, a1, a2;
};

struct BiquadDesign {
    BiquadType type = BiquadType::Lowpass;
    double sample_rate_hz = 16000.0;
    double freq_hz = 1000.0;   // cutoff, centre or shelf midpoint; 0 < freq_hz < sample_rate_hz / 2
    double q = 0.70710678118654752;  // quality factor (> 0); for shelves the cookbook's S = 1 slope is q = 1/sqrt(2)
    double gain_db = 0.0;      // peaking and shelves only
};

// RBJ cookbook section, normalised to a0 = 1. The bandpass has 0 dB peak
// gain. Throws std::invalid_argument naming the bad field.
Section design_biquad(const BiquadDesign& d);

// DC-removal high-pass: a second-order Butterworth high-pass at cutoff_hz
// (RBJ high-pass with Q = 1/sqrt(2), identical to scipy.signal.butter(2, ...)).
Section design_dc_blocker(double sample_rate_hz, double cutoff_hz = 40.0);

// Streaming cascade of sections. process() accepts any block size and gives
// the same output for any split of the input; no allocation after construction.
class SosFilter {
  public:
    // Throws std::invalid_argument if `sections` is empty, a coefficient is
    // not finite or a0 is zero.
    explicit SosFilter(std::vector<Section> sections);

    std::size_t num_sections() const { return sections_.size(); }
    const std::vector<Section>& sections() const { return sections_; }

    // in and out may alias.
    void process(const float* in, float* out, std::size_t n);
    void reset();

  private:
    std::vector<Section> sections_;  // normalised to a0 = 1
    std::vector<double> state_;      // two per section
};

}  // namespace edgeaudio::enhance
