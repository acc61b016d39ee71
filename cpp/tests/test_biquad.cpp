// Biquad designs against closed-form responses and the SOS cascade against a
// double-precision direct-form reference.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/biquad.h"
#include "signals.h"

using namespace edgeaudio::enhance;

namespace {

double response_db(const Section& s, double f, double fs) {
    const std::complex<double> z = std::polar(1.0, -2.0 * M_PI * f / fs);  // z^-1
    const auto num = s.b0 + s.b1 * z + s.b2 * z * z;
    const auto den = s.a0 + s.a1 * z + s.a2 * z * z;
    return 20.0 * std::log10(std::abs(num / den));
}

Section make(BiquadType t, double f, double q, double g = 0.0) {
    BiquadDesign d;
    d.type = t;
    d.sample_rate_hz = 16000.0;
    d.freq_hz = f;
    d.q = q;
    d.gain_db = g;
    return design_biquad(d);
}

}  // namespace

TEST_CASE("RBJ designs have the cookbook's responses") {
    const double fs = 16000.0;
    const Section lp = make(BiquadType::Lowpass, 1000.0, M_SQRT1_2);
    CHECK(response_db(lp, 0.0, fs) == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(response_db(lp, 1000.0, fs) == doctest::Approx(-3.0103).epsilon(1e-3));
    const Section hp = make(BiquadType::Highpass, 1000.0, M_SQRT1_2);
    CHECK(response_db(hp, 8000.0, fs) == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(response_db(hp, 1000.0, fs) == doctest::Approx(-3.0103).epsilon(1e-3));
    const Section bp = make(BiquadType::Bandpass, 2000.0, 2.0);
    CHECK(response_db(bp, 2000.0, fs) == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(response_db(make(BiquadType::Notch, 3000.0, 5.0), 3000.0, fs) < -100.0);
    CHECK(response_db(make(BiquadType::Peaking, 1500.0, 1.0, 6.0), 1500.0, fs) ==
          doctest::Approx(6.0).epsilon(1e-9));
    const Section ls = make(BiquadType::LowShelf, 300.0, M_SQRT1_2, -9.0);
    CHECK(response_db(ls, 0.0, fs) == doctest::Approx(-9.0).epsilon(1e-9));
    CHECK(std::fabs(response_db(ls, 8000.0, fs)) < 1e-9);
    const Section hs = make(BiquadType::HighShelf, 4000.0, M_SQRT1_2, 4.0);
    CHECK(response_db(hs, 8000.0, fs) == doctest::Approx(4.0).epsilon(1e-9));
    CHECK(std::fabs(response_db(hs, 0.0, fs)) < 1e-9);
    const Section dc = design_dc_blocker(fs, 40.0);
    CHECK(response_db(dc, 1.0, fs) < -40.0);
    CHECK(std::fabs(response_db(dc, 1000.0, fs)) < 0.01);
}

TEST_CASE("a cascade matches a double-precision reference and any chunking") {
    std::vector<Section> secs{make(BiquadType::Lowpass, 3000.0, 0.9), make(BiquadType::Peaking, 500.0, 2.0, -6.0),
                              design_dc_blocker(16000.0, 50.0)};
    const auto x = sig::white(4000, 3, 0.3f);
    // reference: direct form I in double
    std::vector<double> cur(x.begin(), x.end());
    for (const Section& s : secs) {
        std::vector<double> y(cur.size());
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (std::size_t n = 0; n < cur.size(); ++n) {
            y[n] = s.b0 * cur[n] + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
            x2 = x1; x1 = cur[n]; y2 = y1; y1 = y[n];
        }
        cur = y;
    }
    SosFilter f(secs);
    std::vector<float> out(x.size());
    f.process(x.data(), out.data(), x.size());
    double worst = 0.0;
    for (std::size_t n = 0; n < x.size(); ++n) worst = std::max(worst, std::fabs(out[n] - cur[n]));
    CHECK(worst < 1e-6);

    f.reset();
    std::vector<float> chunked(x.size());
    std::size_t pos = 0, step = 1;
    while (pos < x.size()) {
        const std::size_t m = std::min(step, x.size() - pos);
        f.process(x.data() + pos, chunked.data() + pos, m);
        pos += m;
        step = step * 3 % 17 + 1;
    }
    CHECK(chunked == out);
}

TEST_CASE("bad designs and sections are refused with the field named") {
    BiquadDesign d;
    d.freq_hz = 9000.0;  // above Nyquist at 16 kHz
    CHECK_THROWS_WITH_AS(design_biquad(d), doctest::Contains("freq_hz"), std::invalid_argument);
    d.freq_hz = 1000.0;
    d.q = 0.0;
    CHECK_THROWS_WITH_AS(design_biquad(d), doctest::Contains("q"), std::invalid_argument);
    CHECK_THROWS_AS(SosFilter(std::vector<Section>{}), std::invalid_argument);
    CHECK_THROWS_AS(SosFilter({Section{1, 0, 0, 0, 0, 0}}), std::invalid_argument);
    CHECK_THROWS_AS(biquad_type_from_name("allpass"), std::invalid_argument);
    CHECK(biquad_type_from_name("highshelf") == BiquadType::HighShelf);
}
