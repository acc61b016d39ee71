// Echo cancellation: SIMD kernels against the scalar ones, NLMS and the
// partitioned canceller on synthetic echo paths, delay estimation, chunking
// invariance, resets and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <stdexcept>
#include <vector>

#include "../src/aec/kernels.h"
#include "edgeaudio/aec.h"
#include "signals.h"

using namespace edgeaudio;
using namespace edgeaudio::aec;

namespace {

// Runs `body` once per available SIMD path and restores the active path.
template <class F>
void each_isa(F body) {
    const Isa before = active_isa();
    for (Isa isa : available_isas()) {
        CAPTURE(isa_name(isa));
        set_active_isa(isa);
        body(isa);
    }
    set_active_isa(before);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, static_cast<double>(std::fabs(a[i] - b[i])));
    return m;
}

}  // namespace

TEST_CASE("every path's AEC kernels agree with the scalar kernels and with direct sums") {
    const auto* ref = detail::kernels_scalar();
    for (Isa isa : available_isas()) {
        CAPTURE(isa_name(isa));
        const auto* k = detail::kernels_for(isa);
        for (int n : {1, 3, 8, 17, 161, 257}) {
            CAPTURE(n);
            auto a = sig::white(2 * n, 1, 1.0f), b = sig::white(2 * n, 2, 1.0f), c = sig::white(2 * n, 3, 1.0f);
            auto mu = sig::white(n, 4, 1.0f);
            CHECK(k->dot(a.data(), b.data(), 2 * n) == doctest::Approx(ref->dot(a.data(), b.data(), 2 * n)).epsilon(1e-5));
            auto y1 = c, y2 = c;
            k->axpy(0.3f, a.data(), y1.data(), 2 * n);
            ref->axpy(0.3f, a.data(), y2.data(), 2 * n);
            CHECK(max_abs_diff(y1, y2) < 1e-6);
            // the partitioned filter's loops against a direct sum in double
            const int parts = 5, stride = 2 * n + 2;  // a stride wider than a partition
            auto w = sig::white(parts * stride, 5, 1.0f);
            std::vector<std::vector<float>> xs;
            std::vector<const float*> xp;
            for (int p = 0; p < parts; ++p) xs.push_back(sig::white(2 * n, 10 + p, 1.0f));
            for (const auto& v : xs) xp.push_back(v.data());
            const std::vector<float> alpha{0.5f, -1.0f, 2.0f, 0.25f, 1.5f};
            std::vector<float> y(2 * n), want(2 * n);
            k->cmac_parts(xp.data(), w.data(), stride, parts, y.data(), n);
            for (int i = 0; i < n; ++i) {
                std::complex<double> acc;
                for (int p = 0; p < parts; ++p)
                    acc += std::complex<double>(w[p * stride + 2 * i], w[p * stride + 2 * i + 1]) *
                           std::complex<double>(xs[p][2 * i], xs[p][2 * i + 1]);
                want[2 * i] = static_cast<float>(acc.real());
                want[2 * i + 1] = static_cast<float>(acc.imag());
            }
            CHECK(max_abs_diff(y, want) < 1e-5);
            auto w2 = w;
            k->grad_parts(xp.data(), b.data(), mu.data(), alpha.data(), w2.data(), stride, parts, n);
            double worst = 0.0;
            for (int p = 0; p < parts; ++p)
                for (int i = 0; i < stride / 2; ++i) {
                    std::complex<double> g;
                    if (i < n)
                        g = static_cast<double>(alpha[p]) * mu[i] *
                            std::conj(std::complex<double>(xs[p][2 * i], xs[p][2 * i + 1])) *
                            std::complex<double>(b[2 * i], b[2 * i + 1]);
                    // bins past n (the stride's padding) stay untouched
                    worst = std::max({worst, std::fabs(w2[p * stride + 2 * i] - (w[p * stride + 2 * i] + g.real())),
                                      std::fabs(w2[p * stride + 2 * i + 1] - (w[p * stride + 2 * i + 1] + g.imag()))});
                }
            CHECK(worst < 1e-5);
            std::vector<float> s(n), s_want(n);
            k->sum_parts(xp.data(), alpha.data(), parts, s.data(), n);
            for (int i = 0; i < n; ++i) {
                double acc = 0.0;
                for (int p = 0; p < parts; ++p) acc += static_cast<double>(alpha[p]) * xs[p][i];
                s_want[i] = static_cast<float>(acc);
            }
            CHECK(max_abs_diff(s, s_want) < 1e-5);
            std::vector<float> p1(n), p2(n);
            k->power(a.data(), p1.data(), n);
            ref->power(a.data(), p2.data(), n);
            CHECK(max_abs_diff(p1, p2) < 1e-5);
        }
    }
}

TEST_CASE("NLMS identifies a short echo path on every path") {
    const double fs = 16000.0;
    const auto h = sig::room(128, 5, 0.05, fs, 7);
    const auto x = sig::white(16000, 11);
    const auto d = sig::convolve(x, h);
    each_isa([&](Isa isa) {
        NlmsConfig c;
        c.taps = 128;
        NlmsFilter f(c, isa);
        std::vector<float> e(x.size());
        f.process(d.data(), x.data(), e.data(), x.size());
        const double erle = sig::db(sig::energy(d, 12000, 16000), sig::energy(e, 12000, 16000));
        CHECK(erle > 40.0);
        std::vector<float> w(128);
        f.weights(w.data());
        CHECK(w[5] == doctest::Approx(h[5]).epsilon(0.01));
    });
}

TEST_CASE("NLMS passes the mic through on a silent reference and stays finite") {
    NlmsFilter f(NlmsConfig{});
    const auto d = sig::white(4000, 5);
    std::vector<float> x(4000, 0.0f), e(4000);
    f.process(d.data(), x.data(), e.data(), d.size());
    CHECK(e == d);
    x[100] = NAN;
    f.process(d.data(), x.data(), e.data(), d.size());
    for (float v : e) REQUIRE(std::isfinite(v));
    CHECK_THROWS_WITH_AS(NlmsFilter(NlmsConfig{0, 0.5f, 1e-6f}), doctest::Contains("taps"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(NlmsFilter(NlmsConfig{64, 2.5f, 1e-6f}), doctest::Contains("step"), std::invalid_argument);
}

TEST_CASE("GCC-PHAT recovers a known bulk delay") {
    const int fs = 16000;
    for (int delay : {0, 37, 960, 3900}) {
        CAPTURE(delay);
        const auto x = sig::white(3 * fs, 21);
        std::vector<float> h(delay + 200, 0.0f);
        h[delay] = 0.5f;
        h[delay + 40] = 0.2f;  // a reflection
        auto d = sig::convolve(x, h);
        const auto noise = sig::white(d.size(), 22, 0.005f);
        for (std::size_t i = 0; i < d.size(); ++i) d[i] += noise[i];
        DelayEstimator est(DelayEstimatorConfig{});
        est.process(d.data(), x.data(), d.size());
        CHECK(est.delay_samples() == delay);
        CHECK(est.confidence() > 6.0f);
    }
}

TEST_CASE("the echo canceller converges on a 200 ms synthetic room") {
    const int fs = 16000;
    const auto h = sig::room(3200, 16, 0.3, fs, 9);
    const auto x = sig::white(4 * fs, 31);
    const auto d = sig::convolve(x, h);
    each_isa([&](Isa) {
        EchoCancellerConfig c;
        c.delay_estimation = false;
        c.suppressor_strength = 0.0f;  // the linear filter alone
        EchoCanceller ec(c);
        std::vector<float> out(d.size());
        ec.process(d.data(), x.data(), out.data(), d.size());
        const int lat = ec.latency();
        std::vector<float> e(out.begin() + lat, out.end());
        const double erle = sig::db(sig::energy(d, 3 * fs, 4 * fs - lat), sig::energy(e, 3 * fs, 4 * fs - lat));
        CHECK(erle > 25.0);
        CHECK(ec.stats().linear_erle_db > 20.0f);
    });
}

TEST_CASE("the echo canceller's output does not depend on the block sizes") {
    const int fs = 16000;
    const auto h = sig::room(1600, 400, 0.2, fs, 3);
    const auto x = sig::white(fs, 41);
    auto d = sig::convolve(x, h);
    const auto near = sig::white(d.size(), 42, 0.02f);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] += near[i];
    EchoCancellerConfig c;
    EchoCanceller a(c), b(c);
    std::vector<float> oa(d.size()), ob(d.size());
    a.process(d.data(), x.data(), oa.data(), d.size());
    std::mt19937 rng(5);
    std::size_t pos = 0;
    while (pos < d.size()) {
        const std::size_t m = std::min<std::size_t>(rng() % 700, d.size() - pos);
        b.process(d.data() + pos, x.data() + pos, ob.data() + pos, m);
        pos += m;
    }
    CHECK(oa == ob);
    // and reset() gives a fresh canceller
    a.reset();
    std::vector<float> oc(d.size());
    a.process(d.data(), x.data(), oc.data(), d.size());
    CHECK(oc == oa);
}

TEST_CASE("non-finite input never reaches the output") {
    const int fs = 16000;
    auto x = sig::white(fs, 51);
    auto d = sig::convolve(x, sig::room(800, 10, 0.1, fs, 1));
    x[3000] = NAN;
    d[5000] = INFINITY;
    x[7000] = 1e30f;
    EchoCanceller ec(EchoCancellerConfig{});
    std::vector<float> out(d.size());
    ec.process(d.data(), x.data(), out.data(), d.size());
    for (float v : out) REQUIRE(std::isfinite(v));
}

TEST_CASE("bad echo canceller configs name the field") {
    EchoCancellerConfig c;
    c.sample_rate_hz = 22050;
    CHECK_THROWS_WITH_AS(EchoCanceller{c}, doctest::Contains("sample_rate_hz"), std::invalid_argument);
    c = EchoCancellerConfig{};
    c.frame = 77;  // 154 = 2 * 7 * 11
    CHECK_THROWS_WITH_AS(EchoCanceller{c}, doctest::Contains("frame"), std::invalid_argument);
    c = EchoCancellerConfig{};
    c.tail_ms = 0.0f;
    CHECK_THROWS_WITH_AS(EchoCanceller{c}, doctest::Contains("tail_ms"), std::invalid_argument);
    c = EchoCancellerConfig{};
    c.suppressor_strength = -1.0f;
    CHECK_THROWS_WITH_AS(EchoCanceller{c}, doctest::Contains("suppressor_strength"), std::invalid_argument);
    DelayEstimatorConfig dc;
    dc.max_delay_ms = 0.0f;
    CHECK_THROWS_WITH_AS(DelayEstimator{dc}, doctest::Contains("max_delay_ms"), std::invalid_argument);
}
