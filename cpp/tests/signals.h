// Test signals shared by the AEC and enhancement tests: seeded noise, a
// synthetic room impulse response, energy ratios.
#pragma once

#include <cmath>
#include <random>
#include <vector>

namespace sig {

inline std::vector<float> white(std::size_t n, unsigned seed, float sd = 0.1f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, sd);
    std::vector<float> x(n);
    for (auto& v : x) v = g(rng);
    return x;
}

// A loudspeaker-to-mic response: a direct path after `delay` samples followed
// by exponentially decaying diffuse reverberation (rt60_s), `length` taps.
inline std::vector<float> room(std::size_t length, std::size_t delay, double rt60_s, double fs,
                               unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<float> h(length, 0.0f);
    const double decay = std::log(1000.0) / (rt60_s * fs);  // 60 dB over rt60
    if (delay < length) h[delay] = 0.8f;
    for (std::size_t n = delay + 1; n < length; ++n)
        h[n] = static_cast<float>(0.12 * g(rng) * std::exp(-decay * static_cast<double>(n - delay)));
    return h;
}

inline std::vector<float> convolve(const std::vector<float>& x, const std::vector<float>& h) {
    std::vector<float> y(x.size(), 0.0f);
    for (std::size_t n = 0; n < x.size(); ++n) {
        double s = 0.0;
        const std::size_t m = std::min(h.size(), n + 1);
        for (std::size_t k = 0; k < m; ++k) s += static_cast<double>(h[k]) * x[n - k];
        y[n] = static_cast<float>(s);
    }
    return y;
}

inline double energy(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double s = 0.0;
    for (std::size_t i = from; i < to && i < x.size(); ++i) s += static_cast<double>(x[i]) * x[i];
    return s;
}

inline double db(double num, double den) { return 10.0 * std::log10((num + 1e-30) / (den + 1e-30)); }

}  // namespace sig
