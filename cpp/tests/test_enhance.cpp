// Noise suppression: noise tracking, SNR gain, attenuation limit, chunking.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "edgeaudio/enhance.h"
#include "signals.h"

using namespace edgeaudio::enhance;

namespace {

// a speech-like test signal: harmonic bursts (150 Hz voice, 4 harmonics) 300 ms on, 300 ms off
std::vector<float> bursts(std::size_t n, double fs) {
    std::vector<float> s(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = i / fs;
        if (std::fmod(t, 0.6) >= 0.3) continue;
        double v = 0.0;
        for (int h = 1; h <= 4; ++h) v += std::sin(2 * M_PI * 150.0 * h * t) / h;
        s[i] = static_cast<float>(0.1 * v);
    }
    return s;
}

}  // namespace

TEST_CASE("the suppressor raises the SNR of bursts in white noise and respects its limit") {
    for (auto method : {SuppressionMethod::Wiener, SuppressionMethod::SpectralSubtraction}) {
        const int fs = 16000;
        const std::size_t n = 6 * fs;
        const auto s = bursts(n, fs);
        const auto v = sig::white(n, 8, 0.03f);
        std::vector<float> x(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = s[i] + v[i];
        NoiseSuppressorConfig c;
        c.method = method;
        c.attenuation_limit_db = 15.0f;
        NoiseSuppressor ns(c);
        std::vector<float> y(n);
        ns.process(x.data(), y.data(), n);
        const int lat = ns.latency();
        // error against the clean signal, aligned, over the last 4 s
        double es = 0.0, ee_in = 0.0, ee_out = 0.0;
        for (std::size_t i = 2 * fs; i + lat < n; ++i) {
            es += static_cast<double>(s[i]) * s[i];
            ee_in += static_cast<double>(v[i]) * v[i];
            const double e = y[i + lat] - s[i];
            ee_out += e * e;
        }
        const double snr_in = sig::db(es, ee_in), snr_out = sig::db(es, ee_out);
        CAPTURE(snr_in);
        CAPTURE(snr_out);
        CHECK(snr_out > snr_in + 4.0);
        std::vector<float> g(ns.bins());
        ns.gains(g.data());
        for (float gi : g) CHECK(gi >= std::pow(10.0f, -15.0f / 20.0f) * 0.999f);
    }
}

TEST_CASE("the noise estimate settles on the noise power in noise alone") {
    const int fs = 16000;
    NoiseSuppressor ns(NoiseSuppressorConfig{});
    const auto v = sig::white(4 * fs, 9, 0.05f);
    std::vector<float> y(v.size());
    ns.process(v.data(), y.data(), v.size());
    std::vector<float> lam(ns.bins());
    ns.noise_psd(lam.data());
    // white noise through a sqrt-Hann window of N = 2B: E|X|^2 = sigma^2 * N / 2
    const double expect = 0.05 * 0.05 * ns.frame();
    double mean = 0.0;
    for (int k = 5; k < ns.bins() - 5; ++k) mean += lam[k];
    mean /= (ns.bins() - 10);
    CHECK(std::fabs(sig::db(mean, expect)) < 2.0);
}

TEST_CASE("noise suppression is independent of the block sizes; bad configs name the field") {
    const auto x = sig::white(20000, 10, 0.1f);
    NoiseSuppressor a(NoiseSuppressorConfig{}), b(NoiseSuppressorConfig{});
    std::vector<float> ya(x.size()), yb(x.size());
    a.process(x.data(), ya.data(), x.size());
    std::size_t pos = 0, step = 1;
    while (pos < x.size()) {
        const std::size_t m = std::min(step, x.size() - pos);
        b.process(x.data() + pos, yb.data() + pos, m);
        pos += m;
        step = step * 7 % 613 + 1;
    }
    CHECK(ya == yb);
    NoiseSuppressorConfig c;
    c.attenuation_limit_db = -3.0f;
    CHECK_THROWS_WITH_AS(NoiseSuppressor{c}, doctest::Contains("attenuation_limit_db"), std::invalid_argument);
    c = NoiseSuppressorConfig{};
    c.frame = 7;
    CHECK_THROWS_WITH_AS(NoiseSuppressor{c}, doctest::Contains("frame"), std::invalid_argument);
}
