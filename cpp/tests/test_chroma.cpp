// Chroma, tuning, key and chords: tones at known pitches, streaming == batch, Viterbi, bad configs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "edgeaudio/chroma.h"

namespace ec = edgeaudio::chroma;

namespace {

// sum of sines at MIDI notes, detuned by `cents`
std::vector<float> notes(double sr, double seconds, std::vector<int> midi, double cents = 0.0) {
    std::vector<float> x(static_cast<std::size_t>(sr * seconds), 0.0f);
    for (int m : midi) {
        const double f = 440.0 * std::pow(2.0, (m - 69 + cents / 100.0) / 12.0);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] += static_cast<float>(0.2 * std::sin(2 * M_PI * f * static_cast<double>(i) / sr));
    }
    return x;
}

}  // namespace

TEST_CASE("chroma of a C major triad peaks on C, E and G") {
    ec::ChromaConfig cfg;
    const auto x = notes(cfg.sample_rate_hz, 1.0, {60, 64, 67});
    std::vector<float> c;
    ec::chroma_stft(cfg, x.data(), x.size(), false, c);
    REQUIRE(c.size() == cfg.num_frames(x.size()) * 12);
    const float* mid = &c[20 * 12];
    for (int p = 0; p < 12; ++p) {  // leakage of the low bins' wide bumps stays below half
        if (p == 0 || p == 4 || p == 7) CHECK(mid[p] > 0.5f);
        else CHECK(mid[p] < 0.35f);
    }
}

TEST_CASE("tuning estimate finds a quarter-tone-ish detuning") {
    ec::ChromaConfig cfg;
    const auto x = notes(cfg.sample_rate_hz, 2.0, {57, 64}, 23.0);
    std::vector<float> c;
    double tuning = 0;
    ec::chroma_stft(cfg, x.data(), x.size(), true, c, &tuning);
    CHECK(std::abs(tuning - 0.23) <= 0.021);
}

TEST_CASE("chroma extractor streaming equals batch for any chunking") {
    ec::ChromaConfig cfg;
    cfg.tuning = 0.1;
    const auto x = notes(cfg.sample_rate_hz, 1.3, {62, 65, 69});
    std::vector<float> batch;
    ec::chroma_stft(cfg, x.data(), x.size(), false, batch);
    ec::ChromaExtractor ex(cfg);
    for (std::size_t chunk : {1u, 511u, 4096u}) {
        std::vector<float> s;
        for (std::size_t i = 0; i < x.size(); i += chunk) ex.push(&x[i], std::min(chunk, x.size() - i), s);
        ex.flush(s);
        CHECK(s == batch);
    }
}

TEST_CASE("key of a C major scale's chroma is C major; of A minor triads is A minor") {
    std::vector<float> c(7 * 12, 0.0f);
    const int scale[7] = {0, 2, 4, 5, 7, 9, 11};
    for (int i = 0; i < 7; ++i) c[i * 12 + scale[i]] = 1.0f;
    c[0] = 2.0f, c[4 * 12 + 7] = 1.5f;  // tonic and dominant weigh more
    auto k = ec::estimate_key(c.data(), 7);
    CHECK(k.tonic == 0);
    CHECK(!k.minor);
    std::vector<float> am(12, 0.0f);
    am[9] = 1.0f, am[0] = 0.8f, am[4] = 0.9f;
    k = ec::estimate_key(am.data(), 1);
    CHECK(k.tonic == 9);
    CHECK(k.minor);
    CHECK_THROWS_AS(ec::estimate_key(am.data(), 0), std::invalid_argument);
}

TEST_CASE("chords: G major then E minor, silence is no-chord") {
    ec::ChromaConfig cfg;
    auto x = notes(cfg.sample_rate_hz, 1.0, {55, 59, 62});
    const auto em = notes(cfg.sample_rate_hz, 1.0, {52, 55, 59});
    x.insert(x.end(), em.begin(), em.end());
    x.insert(x.end(), static_cast<std::size_t>(cfg.sample_rate_hz), 0.0f);
    std::vector<float> c, energy;
    ec::chroma_stft(cfg, x.data(), x.size(), false, c, nullptr, &energy);
    const std::size_t frames = energy.size();
    const auto labels = ec::recognize_chords(ec::ChordConfig{}, c.data(), energy.data(), frames);
    const double fps = cfg.sample_rate_hz / cfg.hop_length;
    CHECK(ec::chord_name(labels[static_cast<std::size_t>(0.5 * fps)]) == "G:maj");
    CHECK(ec::chord_name(labels[static_cast<std::size_t>(1.5 * fps)]) == "E:min");
    CHECK(labels[static_cast<std::size_t>(2.5 * fps)] == ec::kNoChord);
}

TEST_CASE("viterbi follows the emissions when staying is cheap and smooths a one-frame blip") {
    // 2 states; frame 2 slightly prefers state 1, the rest prefer state 0
    const float em[5 * 2] = {0, -1, 0, -1, -1.0f, -0.5f, 0, -1, 0, -1};
    const float trans[4] = {std::log(0.9f), std::log(0.1f), std::log(0.1f), std::log(0.9f)};
    const float init[2] = {std::log(0.5f), std::log(0.5f)};
    const auto path = ec::viterbi(em, 5, 2, trans, init);
    CHECK(path == std::vector<int>{0, 0, 0, 0, 0});
    const float flat[4] = {std::log(0.5f), std::log(0.5f), std::log(0.5f), std::log(0.5f)};
    CHECK(ec::viterbi(em, 5, 2, flat, init) == std::vector<int>{0, 0, 1, 0, 0});
}

TEST_CASE("bad chroma and chord configs name the field") {
    ec::ChromaConfig cfg;
    cfg.hop_length = 0;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("ChromaConfig.hop_length"), std::invalid_argument);
    cfg = ec::ChromaConfig{};
    cfg.tuning = 0.7;
    CHECK_THROWS_WITH_AS(ec::ChromaExtractor{cfg}, doctest::Contains("ChromaConfig.tuning"), std::invalid_argument);
    ec::ChordConfig cc;
    cc.self_prob = 1.0;
    CHECK_THROWS_WITH_AS(cc.validate(), doctest::Contains("ChordConfig.self_prob"), std::invalid_argument);
    std::vector<float> nan(4096, 0.0f);
    nan[100] = NAN;
    std::vector<float> out;
    ec::ChromaExtractor ex(ec::ChromaConfig{});
    CHECK_THROWS_AS(ex.push(nan.data(), nan.size(), out), std::invalid_argument);
    CHECK(out.empty());
}

TEST_CASE("CQT: a sine peaks in its bin, streaming equals batch for any chunking, chroma finds the triad") {
    ec::CqtConfig cfg;
    cfg.hop_length = 256;
    cfg.fmin_hz = 110.0;  // A2
    cfg.n_bins = 48;
    cfg.bins_per_octave = 12;
    const auto x = notes(cfg.sample_rate_hz, 0.8, {57, 60, 64});  // A3 C4 E4
    std::vector<float> batch;
    ec::cqt(cfg, x.data(), x.size(), batch);
    const std::size_t nb = static_cast<std::size_t>(cfg.n_bins);
    REQUIRE(batch.size() == cfg.num_frames(x.size()) * nb);
    const float* mid = &batch[(batch.size() / nb / 2) * nb];
    std::vector<int> order(nb);
    for (std::size_t k = 0; k < nb; ++k) order[k] = static_cast<int>(k);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return mid[a] > mid[b]; });
    std::sort(order.begin(), order.begin() + 3);
    CHECK(order[0] == 12);  // A3 = A2 + 12
    CHECK(order[1] == 15);  // C4
    CHECK(order[2] == 19);  // E4
    for (std::size_t chunk : {1u, 7u, 256u, 1000u, 30000u}) {
        ec::CqtAnalyzer a(cfg);
        std::vector<float> out;
        for (std::size_t i = 0; i < x.size(); i += chunk) a.push(&x[i], std::min(chunk, x.size() - i), out);
        a.flush(out);
        CHECK(out == batch);
    }
    std::vector<float> chroma;
    ec::cqt_to_chroma(cfg, 12, batch.data(), batch.size() / nb, chroma);
    const float* c = &chroma[(chroma.size() / 12 / 2) * 12];
    CHECK(c[9] == doctest::Approx(1.0));  // A, C, E dominate
    CHECK(c[0] > 0.5f);
    CHECK(c[4] > 0.5f);
    CHECK(c[2] < 0.2f);
    cfg.n_bins = 200;  // past Nyquist
    CHECK_THROWS_WITH_AS(ec::cqt(cfg, x.data(), x.size(), batch), doctest::Contains("CqtConfig.n_bins"),
                         std::invalid_argument);
}
