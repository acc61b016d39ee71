// Landmark fingerprints: streaming == batch for any chunking, gain
// invariance, pair_peaks at speed 1 == the extractor, hash fields, bad configs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "edgeaudio/fingerprint.h"

namespace efp = edgeaudio::fingerprint;

namespace {

// Three voices of random notes (two partials each), a new chord every 0.15 s, plus faint noise.
std::vector<float> tune(double sr, double seconds, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> note(45, 88);
    std::normal_distribution<float> noise(0.0f, 1e-3f);
    std::vector<float> x(static_cast<std::size_t>(sr * seconds));
    const std::size_t step = static_cast<std::size_t>(0.15 * sr);
    double f[3] = {440.0, 440.0, 440.0}, ph[3] = {0.0, 0.0, 0.0};
    for (std::size_t i = 0; i < x.size(); ++i) {
        double v = 0.0;
        for (int k = 0; k < 3; ++k) {
            if (i % step == 0) f[k] = 440.0 * std::pow(2.0, (note(rng) - 69) / 12.0);
            ph[k] += 2.0 * M_PI * f[k] / sr;
            v += 0.15 * std::sin(ph[k]) + 0.07 * std::sin(2.0 * ph[k]);
        }
        x[i] = static_cast<float>(v) + noise(rng);
    }
    return x;
}

bool same(const std::vector<efp::Landmark>& a, const std::vector<efp::Landmark>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].hash != b[i].hash || a[i].frame != b[i].frame) return false;
    return true;
}

}  // namespace

TEST_CASE("fingerprint extractor streaming equals batch for any chunking") {
    efp::FingerprintConfig cfg;
    const auto x = tune(cfg.sample_rate_hz, 6.0, 1);
    std::vector<efp::Landmark> batch;
    std::vector<efp::Peak> peaks;
    efp::extract(cfg, x.data(), x.size(), batch, &peaks);
    REQUIRE(batch.size() > 100);
    // about peaks_per_second peaks a second, never more
    const double seconds = x.size() / cfg.sample_rate_hz;
    CHECK(peaks.size() <= static_cast<std::size_t>(cfg.peaks_per_second * (seconds + 1.0)));
    CHECK(peaks.size() > static_cast<std::size_t>(cfg.peaks_per_second * seconds * 0.5));
    efp::Extractor e(cfg);
    for (std::size_t chunk : {1u, 7u, 256u, 1000u, 4099u}) {
        std::vector<efp::Landmark> streamed;
        for (std::size_t i = 0; i < x.size(); i += chunk)
            e.push(x.data() + i, std::min(chunk, x.size() - i), streamed);
        e.flush(streamed);
        CHECK(same(streamed, batch));
    }
}

TEST_CASE("fingerprint pair_peaks at speed 1 reproduces the extractor's landmarks") {
    efp::FingerprintConfig cfg;
    const auto x = tune(cfg.sample_rate_hz, 4.0, 2);
    std::vector<efp::Landmark> lm, paired;
    std::vector<efp::Peak> peaks;
    efp::extract(cfg, x.data(), x.size(), lm, &peaks);
    efp::pair_peaks(cfg, peaks.data(), peaks.size(), 1.0, paired);
    CHECK(same(lm, paired));
    CHECK_THROWS_AS(efp::pair_peaks(cfg, peaks.data(), peaks.size(), 0.0, paired), std::invalid_argument);
}

TEST_CASE("fingerprint landmarks do not depend on the input level") {
    efp::FingerprintConfig cfg;
    auto x = tune(cfg.sample_rate_hz, 4.0, 3);
    std::vector<efp::Landmark> loud, quiet;
    efp::extract(cfg, x.data(), x.size(), loud);
    for (auto& v : x) v *= 0.05f;  // -26 dB
    efp::extract(cfg, x.data(), x.size(), quiet);
    CHECK(same(loud, quiet));
}

TEST_CASE("fingerprint hash fields: anchor band, ratio, time difference") {
    efp::FingerprintConfig cfg;
    const double bin_hz = cfg.sample_rate_hz / cfg.n_fft;
    // anchor one octave above fmin, target one octave above the anchor, 10 frames later
    const efp::Peak a{5.0f, static_cast<float>(2 * cfg.fmin_hz / bin_hz * 1.001), 10.0f};
    const efp::Peak b{15.0f, static_cast<float>(4 * cfg.fmin_hz / bin_hz * 1.001), 10.0f};
    const std::uint32_t h = efp::pair_hash(cfg, a, b, 1.0);
    CHECK((h & 63u) == 10u);
    CHECK(((h >> 6) & 127u) == 64u + static_cast<unsigned>(cfg.bands_per_octave));
    CHECK((h >> 13) == static_cast<unsigned>(cfg.bands_per_octave));
    // played 2 % fast: the same pair, frequencies * 1.02, times / 1.02, hashed at speed 1.02
    const efp::Peak a2{5.0f / 1.02f, a.bin * 1.02f, 10.0f}, b2{15.0f / 1.02f, b.bin * 1.02f, 10.0f};
    CHECK(efp::pair_hash(cfg, a2, b2, 1.02) == h);
}

TEST_CASE("fingerprint config errors name the field") {
    efp::FingerprintConfig cfg;
    cfg.hop_length = 0;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("FingerprintConfig.hop_length"), std::invalid_argument);
    cfg = {};
    cfg.fmax_hz = 5000.0;
    CHECK_THROWS_WITH_AS(efp::Extractor{cfg}, doctest::Contains("FingerprintConfig.fmax_hz"), std::invalid_argument);
    cfg = {};
    cfg.stable_frames = 0;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("FingerprintConfig.stable_frames"), std::invalid_argument);
    cfg = {};
    cfg.peak_hold_db = -0.5;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("FingerprintConfig.peak_hold_db"), std::invalid_argument);
    cfg = {};
    cfg.target_dt_max = 64;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("target_dt_max"), std::invalid_argument);
    cfg = {};
    efp::Extractor e(cfg);
    std::vector<float> x(100, 0.0f);
    x[50] = NAN;
    std::vector<efp::Landmark> lm;
    CHECK_THROWS_AS(e.push(x.data(), x.size(), lm), std::invalid_argument);
}

TEST_CASE("fingerprint: with peak_hold_db a held tone gives peaks at its onset only") {
    // faint noise, then a 1 kHz tone (with a second partial) held for 3 s
    efp::FingerprintConfig cfg;
    cfg.peak_hold_db = 1.0;
    const double sr = cfg.sample_rate_hz, onset_s = 1.0;
    std::mt19937 rng(4);
    std::normal_distribution<float> noise(0.0f, 1e-4f);
    std::vector<float> x(static_cast<std::size_t>(4.5 * sr));
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = i / sr;
        x[i] = noise(rng);
        if (t >= onset_s && t < onset_s + 3.0)
            x[i] += static_cast<float>(0.3 * std::sin(2.0 * M_PI * 1000.0 * t) + 0.1 * std::sin(2.0 * M_PI * 2000.0 * t));
    }
    std::vector<efp::Landmark> lm;
    std::vector<efp::Peak> peaks;
    efp::extract(cfg, x.data(), x.size(), lm, &peaks);
    const double bin_hz = sr / cfg.n_fft;
    int at_tone = 0;
    for (const auto& p : peaks) {
        const double f = p.bin * bin_hz;
        if (std::abs(f - 1000.0) > 20.0 && std::abs(f - 2000.0) > 20.0) continue;
        ++at_tone;
        const double t = p.frame * cfg.frame_seconds();
        CHECK(t >= onset_s - cfg.n_fft / sr);  // the window reaches the onset
        CHECK(t <= onset_s + 0.1);
    }
    CHECK(at_tone == 2);  // one per partial
    // without it, the rounding ripple of the hold gives peaks all along
    cfg.peak_hold_db = 0.0;
    peaks.clear();
    efp::extract(cfg, x.data(), x.size(), lm, &peaks);
    CHECK(peaks.size() > 4);
}

TEST_CASE("sub-fingerprints: streaming equals batch for any chunking") {
    const efp::FingerprintConfig c;
    const auto x = tune(c.sample_rate_hz, 4.0, 11);
    std::vector<std::uint32_t> batch;
    efp::sub_fingerprints(c, x.data(), x.size(), 1.01, batch);
    CHECK(batch.size() == c.num_frames(x.size()));
    CHECK(batch[0] == 0u);
    efp::SubprintExtractor e(c, 1.01);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{77}, std::size_t{256}, std::size_t{5000}}) {
        std::vector<std::uint32_t> got;
        for (std::size_t i = 0; i < x.size(); i += chunk) e.push(x.data() + i, std::min(chunk, x.size() - i), got);
        e.flush(got);
        CHECK(got == batch);
    }
}

TEST_CASE("sub-fingerprint scan: a song's own frames agree fully at their offset") {
    const efp::FingerprintConfig c;
    const auto x = tune(c.sample_rate_hz, 6.0, 12);
    std::vector<std::uint32_t> song;
    efp::sub_fingerprints(c, x.data(), x.size(), 1.0, song);
    const std::size_t first = 40, m = 60;
    std::vector<std::int32_t> pos(m);
    std::size_t counted = 0;
    for (std::size_t i = 0; i < m; ++i) {
        pos[i] = static_cast<std::int32_t>(i);
        counted += song[first + i] != 0;
    }
    std::vector<std::int32_t> agree(song.size() + 20);
    efp::subprint_scan(song.data(), song.size(), song.data() + first, pos.data(), m, -10,
                       static_cast<long>(song.size()) + 9, agree.data());
    const auto best = std::max_element(agree.begin(), agree.end()) - agree.begin();
    CHECK(best - 10 == static_cast<long>(first));
    CHECK(agree[static_cast<std::size_t>(best)] == static_cast<std::int32_t>(32 * counted));
    CHECK_THROWS_AS(efp::subprint_scan(song.data(), song.size(), song.data(), pos.data(), m, 3, 2, agree.data()),
                    std::invalid_argument);
}

TEST_CASE("sub-fingerprints: bad speeds and samples are refused") {
    const efp::FingerprintConfig c;
    CHECK_THROWS_AS(efp::SubprintExtractor(c, 0.4), std::invalid_argument);
    CHECK_THROWS_AS(efp::SubprintExtractor(c, 1.5), std::invalid_argument);  // 4.5 kHz > Nyquist at 8 kHz
    efp::SubprintExtractor e(c, 1.0);
    std::vector<std::uint32_t> out;
    const float bad[3] = {0.0f, NAN, 0.0f};
    CHECK_THROWS_AS(e.push(bad, 3, out), std::invalid_argument);
    CHECK(out.empty());
}
