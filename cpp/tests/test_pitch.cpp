// pYIN pitch tracker: known-f0 tones, silence, streaming == batch, notes.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "edgeaudio/pitch.h"

namespace ep = edgeaudio::pitch;

namespace {

// A harmonic tone with a 1/k spectrum whose f0 follows f0(t).
template <class F>
std::vector<float> tone(double sr, double seconds, F f0) {
    const std::size_t n = static_cast<std::size_t>(sr * seconds);
    std::vector<float> x(n);
    double phase = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double f = f0(i / sr);
        double v = 0;
        for (int k = 1; k <= 6 && k * f < sr / 2; ++k) v += std::sin(k * phase) / k;
        x[i] = static_cast<float>(0.3 * v);
        phase += 2 * M_PI * f / sr;
    }
    return x;
}

double cents(double a, double b) { return 1200.0 * std::log2(a / b); }

}  // namespace

TEST_CASE("pyin finds the f0 of a steady harmonic tone within a few cents") {
    ep::PitchConfig cfg;
    for (double f : {82.41, 110.0, 196.0, 440.0, 880.0}) {
        const auto x = tone(cfg.sample_rate_hz, 1.0, [&](double) { return f; });
        const auto frames = ep::track(cfg, x.data(), x.size());
        CHECK(frames.size() == 1 + x.size() / cfg.hop_length);
        int voiced = 0, close = 0;
        for (const auto& fr : frames) {
            if (!fr.voiced) continue;
            ++voiced;
            close += std::fabs(cents(fr.f0_hz, f)) < 5.0;
        }
        // the first and last frames straddle the signal's ends
        CHECK_MESSAGE(voiced >= static_cast<int>(frames.size()) - 4, f);
        CHECK_MESSAGE(close == voiced, f);
    }
}

TEST_CASE("silence is unvoiced with probability 0") {
    ep::PitchConfig cfg;
    std::vector<float> x(16000, 0.0f);
    for (const auto& fr : ep::track(cfg, x.data(), x.size())) {
        CHECK(!fr.voiced);
        CHECK(std::isnan(fr.f0_hz));
        CHECK(fr.voiced_prob == 0.0f);
    }
}

TEST_CASE("streaming equals batch for any chunking and any latency") {
    ep::PitchConfig cfg;
    const auto x = tone(cfg.sample_rate_hz, 1.5, [](double t) { return 220.0 * std::exp2(t); });
    for (int latency : {-1, 0, 3, 16}) {
        cfg.latency_frames = latency;
        const auto batch = ep::track(cfg, x.data(), x.size());
        ep::PitchTracker tr(cfg);
        std::mt19937 rng(latency + 5);
        for (int pass = 0; pass < 2; ++pass) {  // flush() resets: the second pass starts afresh
            std::vector<ep::PitchFrame> out;
            std::size_t pos = 0;
            while (pos < x.size()) {
                const std::size_t n = std::min<std::size_t>(x.size() - pos, rng() % 700);
                tr.push(x.data() + pos, n, out);
                pos += n;
            }
            tr.flush(out);
            REQUIRE(out.size() == batch.size());
            for (std::size_t i = 0; i < out.size(); ++i) {
                CHECK(out[i].index == static_cast<long>(i));
                CHECK(out[i].voiced == batch[i].voiced);
                CHECK(out[i].voiced_prob == batch[i].voiced_prob);
                if (batch[i].voiced) CHECK(out[i].f0_hz == batch[i].f0_hz);
            }
        }
    }
}

TEST_CASE("bad configurations name the field") {
    ep::PitchConfig cfg;
    cfg.fmin_hz = 20.0;  // period 800 samples does not fit 1024
    CHECK_THROWS_WITH_AS(ep::PitchTracker{cfg}, doctest::Contains("frame_length"), std::invalid_argument);
    cfg = ep::PitchConfig();
    cfg.fmax_hz = 9000.0;
    CHECK_THROWS_WITH_AS(ep::PitchTracker{cfg}, doctest::Contains("Nyquist"), std::invalid_argument);
    cfg = ep::PitchConfig();
    cfg.hop_length = 0;
    CHECK_THROWS_WITH_AS(ep::PitchTracker{cfg}, doctest::Contains("hop_length"), std::invalid_argument);
}

TEST_CASE("note names and cents") {
    auto n = ep::hz_to_note(440.0);
    CHECK(n.first == "A4");
    CHECK(n.second == 0.0);
    n = ep::hz_to_note(261.6255653005986);
    CHECK(n.first == "C4");
    CHECK(std::fabs(n.second) < 1e-6);
    n = ep::hz_to_note(440.0 * std::exp2(30.0 / 1200));
    CHECK(n.first == "A4");
    CHECK(n.second == doctest::Approx(30.0));
    n = ep::hz_to_note(440.0 * std::exp2(-70.0 / 1200));
    CHECK(n.first == "G#4");
    CHECK(n.second == doctest::Approx(30.0));
    CHECK(ep::note_to_hz("A4") == doctest::Approx(440.0));
    CHECK(ep::note_to_hz("Bb3") == doctest::Approx(ep::note_to_hz("A#3")));
    CHECK(ep::note_to_hz("C-1") == doctest::Approx(8.175798915643707));
    CHECK_THROWS_AS(ep::note_to_hz("H2"), std::invalid_argument);
    CHECK_THROWS_AS(ep::note_to_hz("A"), std::invalid_argument);
    CHECK_THROWS_AS(ep::hz_to_note(0.0), std::invalid_argument);
}
