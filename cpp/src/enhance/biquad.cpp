// RBJ cookbook designs and the SOS cascade (transposed direct form II).
#include "edgeaudio/biquad.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace edgeaudio::enhance {

namespace {

struct Name {
    BiquadType type;
    const char* name;
};
constexpr Name kNames[] = {
    {BiquadType::Lowpass, "lowpass"},   {BiquadType::Highpass, "highpass"},
    {BiquadType::Bandpass, "bandpass"}, {BiquadType::Notch, "notch"},
    {BiquadType::Peaking, "peaking"},   {BiquadType::LowShelf, "lowshelf"},
    {BiquadType::HighShelf, "highshelf"},
};

[[noreturn]] void bad(const std::string& field, const std::string& why) {
    throw std::invalid_argument("BiquadDesign." + field + " " + why);
}

}  // namespace

const char* biquad_type_name(BiquadType type) {
    for (const auto& n : kNames)
        if (n.type == type) return n.name;
    return "unknown";
}

BiquadType biquad_type_from_name(const std::string& name) {
    for (const auto& n : kNames)
        if (name == n.name) return n.type;
    std::string all;
    for (const auto& n : kNames) all += std::string(all.empty() ? "" : ", ") + n.name;
    throw std::invalid_argument("unknown biquad type '" + name + "'; expected one of: " + all);
}

Section design_biquad(const BiquadDesign& d) {
    if (!(d.sample_rate_hz > 0.0) || !std::isfinite(d.sample_rate_hz))
        bad("sample_rate_hz", "must be a positive number, got " + std::to_string(d.sample_rate_hz));
    if (!(d.freq_hz > 0.0 && d.freq_hz < 0.5 * d.sample_rate_hz))
        bad("freq_hz", "must lie strictly between 0 and sample_rate_hz / 2 = " +
                           std::to_string(0.5 * d.sample_rate_hz) + ", got " + std::to_string(d.freq_hz));
    if (!(d.q > 0.0) || !std::isfinite(d.q)) bad("q", "must be a positive number, got " + std::to_string(d.q));
    if (!std::isfinite(d.gain_db) || std::fabs(d.gain_db) > 60.0)
        bad("gain_db", "must be finite and within +-60 dB, got " + std::to_string(d.gain_db));

    const double w0 = 2.0 * M_PI * d.freq_hz / d.sample_rate_hz;
    const double c = std::cos(w0), s = std::sin(w0);
    const double alpha = s / (2.0 * d.q);
    const double A = std::pow(10.0, d.gain_db / 40.0);
    const double sa = 2.0 * std::sqrt(A) * alpha;
    Section r{};
    switch (d.type) {
        case BiquadType::Lowpass:
            r = {(1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha};
            break;
        case BiquadType::Highpass:
            r = {(1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha};
            break;
        case BiquadType::Bandpass:
            r = {alpha, 0.0, -alpha, 1 + alpha, -2 * c, 1 - alpha};
            break;
        case BiquadType::Notch:
            r = {1.0, -2 * c, 1.0, 1 + alpha, -2 * c, 1 - alpha};
            break;
        case BiquadType::Peaking:
            r = {1 + alpha * A, -2 * c, 1 - alpha * A, 1 + alpha / A, -2 * c, 1 - alpha / A};
            break;
        case BiquadType::LowShelf:
            r = {A * ((A + 1) - (A - 1) * c + sa), 2 * A * ((A - 1) - (A + 1) * c),
                 A * ((A + 1) - (A - 1) * c - sa), (A + 1) + (A - 1) * c + sa,
                 -2 * ((A - 1) + (A + 1) * c), (A + 1) + (A - 1) * c - sa};
            break;
        case BiquadType::HighShelf:
            r = {A * ((A + 1) + (A - 1) * c + sa), -2 * A * ((A - 1) + (A + 1) * c),
                 A * ((A + 1) + (A - 1) * c - sa), (A + 1) - (A - 1) * c + sa,
                 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - sa};
            break;
        default:
            bad("type", "is not a known biquad type");
    }
    const double a0 = r.a0;
    return {r.b0 / a0, r.b1 / a0, r.b2 / a0, 1.0, r.a1 / a0, r.a2 / a0};
}

Section design_dc_blocker(double sample_rate_hz, double cutoff_hz) {
    BiquadDesign d;
    d.type = BiquadType::Highpass;
    d.sample_rate_hz = sample_rate_hz;
    d.freq_hz = cutoff_hz;
    d.q = 0.70710678118654752;
    return design_biquad(d);
}

SosFilter::SosFilter(std::vector<Section> sections) : sections_(std::move(sections)) {
    if (sections_.empty()) throw std::invalid_argument("SosFilter: sections must not be empty");
    for (std::size_t i = 0; i < sections_.size(); ++i) {
        Section& s = sections_[i];
        const double v[6] = {s.b0, s.b1, s.b2, s.a0, s.a1, s.a2};
        for (double x : v)
            if (!std::isfinite(x))
                throw std::invalid_argument("SosFilter: section " + std::to_string(i) +
                                            " has a coefficient that is not finite");
        if (s.a0 == 0.0)
            throw std::invalid_argument("SosFilter: section " + std::to_string(i) + " has a0 = 0");
        s = {s.b0 / s.a0, s.b1 / s.a0, s.b2 / s.a0, 1.0, s.a1 / s.a0, s.a2 / s.a0};
    }
    state_.assign(2 * sections_.size(), 0.0);
}

void SosFilter::reset() { std::fill(state_.begin(), state_.end(), 0.0); }

void SosFilter::process(const float* in, float* out, std::size_t n) {
    const std::size_t ns = sections_.size();
    const Section* sec = sections_.data();
    double* z = state_.data();
    for (std::size_t i = 0; i < n; ++i) {
        double x = in[i];
        for (std::size_t k = 0; k < ns; ++k) {
            const Section& s = sec[k];
            double* zk = z + 2 * k;
            const double y = s.b0 * x + zk[0];
            zk[0] = s.b1 * x - s.a1 * y + zk[1];
            zk[1] = s.b2 * x - s.a2 * y;
            x = y;
        }
        out[i] = static_cast<float>(x);
    }
}

}  // namespace edgeaudio::enhance
