// Onsets, tempo and beats: clicks at known times, streaming == batch, bad configs.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "edgeaudio/onset.h"

namespace eo = edgeaudio::onset;

namespace {

std::vector<float> click_train(double sr, double seconds, double first_s, double period_s) {
    std::vector<float> x(static_cast<std::size_t>(sr * seconds), 0.0f);
    for (double t = first_s; t < seconds; t += period_s) x[static_cast<std::size_t>(t * sr)] = 1.0f;
    return x;
}

}  // namespace

TEST_CASE("onset detector finds every click within two frames") {
    eo::OnsetConfig cfg;
    const auto x = click_train(cfg.sample_rate_hz, 3.0, 0.25, 0.5);
    std::vector<float> strength;
    std::vector<long> onsets;
    eo::detect(cfg, x.data(), x.size(), strength, onsets);
    CHECK(strength.size() == cfg.num_frames(x.size()));
    REQUIRE(onsets.size() == 6);
    for (std::size_t i = 0; i < onsets.size(); ++i) {
        const double frame = (0.25 + 0.5 * i) * cfg.sample_rate_hz / cfg.hop_length;
        CHECK(std::abs(onsets[i] + 1.5 - frame) <= 1.0);  // fires 1.5 frames early (window edge)
    }
}

TEST_CASE("onset detector streaming equals batch for any chunking") {
    eo::OnsetConfig cfg;
    cfg.max_size = 3;
    auto x = click_train(cfg.sample_rate_hz, 2.0, 0.1, 0.37);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += 0.01f * std::sin(0.03f * i);
    std::vector<float> bs;
    std::vector<long> bo;
    eo::detect(cfg, x.data(), x.size(), bs, bo);
    eo::OnsetDetector d(cfg);
    for (std::size_t chunk : {1u, 7u, 512u, 3000u}) {
        std::vector<float> s;
        std::vector<long> o;
        for (std::size_t i = 0; i < x.size(); i += chunk)
            d.push(x.data() + i, std::min(chunk, x.size() - i), s, o);
        d.flush(s, o);
        CHECK(s == bs);
        CHECK(o == bo);
    }
}

TEST_CASE("onset detector rejects NaN and bad configs, naming the field") {
    eo::OnsetConfig cfg;
    eo::OnsetDetector d(cfg);
    std::vector<float> s, x = {0.0f, NAN};
    std::vector<long> o;
    CHECK_THROWS_AS(d.push(x.data(), x.size(), s, o), std::invalid_argument);
    cfg.max_size = 4;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("OnsetConfig.max_size"), std::invalid_argument);
    cfg.max_size = 1;
    cfg.lag = 0;
    CHECK_THROWS_WITH_AS(eo::OnsetDetector{cfg}, doctest::Contains("OnsetConfig.lag"), std::invalid_argument);
}

TEST_CASE("tempo and beats of a click train; empty results for short or silent input") {
    eo::OnsetConfig cfg;
    for (double bpm : {80.0, 123.0, 150.0}) {
        const auto x = click_train(cfg.sample_rate_hz, 12.0, 0.2, 60.0 / bpm);
        std::vector<float> strength;
        std::vector<long> onsets;
        eo::detect(cfg, x.data(), x.size(), strength, onsets);
        eo::TempoConfig tc;
        tc.frame_rate_hz = cfg.sample_rate_hz / cfg.hop_length;
        const double est = eo::estimate_tempo(tc, strength.data(), strength.size());
        CHECK(est == doctest::Approx(bpm).epsilon(0.02));
        const auto beats = eo::track_beats(tc, strength.data(), strength.size(), est);
        REQUIRE(beats.size() >= 10);
        for (std::size_t i = 1; i < beats.size(); ++i)
            CHECK(std::abs((beats[i] - beats[i - 1]) / tc.frame_rate_hz - 60.0 / bpm) < 0.03);
    }
    eo::TempoConfig tc;
    std::vector<float> zeros(1000, 0.0f);
    CHECK(eo::estimate_tempo(tc, zeros.data(), 10) == 0.0);
    CHECK(eo::estimate_tempo(tc, zeros.data(), zeros.size()) == 0.0);
    CHECK(eo::track_beats(tc, zeros.data(), zeros.size(), 120.0).empty());
    CHECK_THROWS_AS(eo::track_beats(tc, zeros.data(), zeros.size(), 0.0), std::invalid_argument);
    tc.max_bpm = 10;
    CHECK_THROWS_WITH_AS(tc.validate(), doctest::Contains("TempoConfig.max_bpm"), std::invalid_argument);
}
