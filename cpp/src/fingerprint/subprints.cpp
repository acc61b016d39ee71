// Sub-fingerprints: frontend spectra -> 33 log-spaced band energies -> signs of
// the change over time of the band-to-band slope (32 bits a frame), and the
// bit-agreement scan the matcher runs over a candidate song's offsets.
#include <cmath>
#include <stdexcept>
#include <string>

#include "edgeaudio/fingerprint.h"
#include "edgeaudio/frontend.h"

namespace edgeaudio::fingerprint {

namespace ef = edgeaudio::frontend;

namespace {

constexpr std::size_t kFrontendFrames = 64;  // frames the frontend writes per call
constexpr double kEnergyFloor = 1e-3;        // added to each band energy before the log

// Set bits of a 32-bit word (SWAR; compilers turn it into popcnt where they may).
int popcount32(std::uint32_t v) {
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    return static_cast<int>((v * 0x01010101u) >> 24);
}

}  // namespace

struct SubprintExtractor::State {
    FingerprintConfig cfg;
    ef::Frontend fe;
    std::size_t n_bins;
    int k_first = 0;                 // first bin of band 0
    std::vector<int> band_of;        // bins k_first .. : band index, -1 past the last band
    std::vector<float> block;        // frontend output
    double prev[kSubprintBands - 1] = {};
    double energy[kSubprintBands] = {};
    bool have_prev = false;

    State(const FingerprintConfig& c, double speed)
        : cfg((c.validate(), c)),
          fe(ef::FrontendConfig::hann_power_spectrum(c.sample_rate_hz, c.n_fft, c.hop_length, false)),
          n_bins(fe.output_size()) {
        if (!(std::isfinite(speed) && speed >= 0.5 && speed <= 2.0))
            throw std::invalid_argument("SubprintExtractor: speed must be in 0.5 .. 2, got " + std::to_string(speed));
        const double bin_hz = c.sample_rate_hz / c.n_fft;
        double edge[kSubprintBands + 1];
        for (int m = 0; m <= kSubprintBands; ++m)
            edge[m] = kSubprintFminHz * std::pow(10.0, m / static_cast<double>(kSubprintBands)) * speed / bin_hz;
        if (!(edge[kSubprintBands] <= static_cast<double>(n_bins - 1)))
            throw std::invalid_argument("SubprintExtractor: the top band edge (" +
                                        std::to_string(kSubprintFmaxHz * speed) +
                                        " Hz) lies above the spectrum; lower the speed or raise sample_rate_hz");
        k_first = static_cast<int>(std::ceil(edge[0]));
        for (int k = k_first, m = 0; k < static_cast<int>(n_bins); ++k) {
            while (m < kSubprintBands && !(k < edge[m + 1])) ++m;
            band_of.push_back(m < kSubprintBands ? m : -1);
        }
        block.resize(kFrontendFrames * n_bins);
    }

    void reset() {
        fe.reset();
        have_prev = false;
    }

    void add_spectrum(const float* p, std::vector<std::uint32_t>& out) {
        for (double& e : energy) e = 0.0;
        for (std::size_t i = 0; i < band_of.size(); ++i) {
            const int m = band_of[i];
            if (m < 0) break;
            energy[m] += p[k_first + static_cast<int>(i)];
        }
        std::uint32_t bits = 0;
        double slope_prev = std::log(energy[0] + kEnergyFloor);
        for (int m = 0; m + 1 < kSubprintBands; ++m) {
            const double next = std::log(energy[m + 1] + kEnergyFloor);
            const double d = slope_prev - next;  // ln E[m] - ln E[m+1]
            if (have_prev && d - prev[m] > 0.0) bits |= 1u << m;
            prev[m] = d;
            slope_prev = next;
        }
        have_prev = true;
        out.push_back(bits);
    }

    void process(std::size_t count, std::vector<std::uint32_t>& out) {
        for (std::size_t j = 0; j < count; ++j) add_spectrum(&block[j * n_bins], out);
    }
};

SubprintExtractor::SubprintExtractor(const FingerprintConfig& config, double speed)
    : s_(std::make_unique<State>(config, speed)) {}
SubprintExtractor::~SubprintExtractor() = default;

void SubprintExtractor::push(const float* x, std::size_t n, std::vector<std::uint32_t>& out) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw std::invalid_argument("SubprintExtractor.push: sample " + std::to_string(i) +
                                        " is NaN or infinite");
    while (n > 0) {
        std::size_t used = 0;
        const std::size_t k = s_->fe.push(x, n, s_->block.data(), kFrontendFrames, &used);
        s_->process(k, out);
        x += used;
        n -= used;
    }
}

void SubprintExtractor::flush(std::vector<std::uint32_t>& out) {
    const std::size_t k = s_->fe.flush(s_->block.data());
    s_->process(k, out);
    s_->reset();
}

void SubprintExtractor::reset() { s_->reset(); }

void sub_fingerprints(const FingerprintConfig& config, const float* x, std::size_t n, double speed,
                      std::vector<std::uint32_t>& out) {
    SubprintExtractor e(config, speed);
    e.push(x, n, out);
    e.flush(out);
}

void subprint_scan(const std::uint32_t* song, std::size_t n_song, const std::uint32_t* query,
                   const std::int32_t* pos, std::size_t m, long o_lo, long o_hi, std::int32_t* agree) {
    if (o_hi < o_lo)
        throw std::invalid_argument("subprint_scan: o_hi (" + std::to_string(o_hi) + ") < o_lo (" +
                                    std::to_string(o_lo) + ")");
    const long last = static_cast<long>(n_song) - 1;
    for (long o = o_lo; o <= o_hi; ++o) {
        std::int32_t a = 0;
        for (std::size_t i = 0; i < m; ++i) {
            if (query[i] == 0) continue;
            const long j = o + pos[i];
            if (j < 1 || j > last) continue;
            a += 32 - 2 * popcount32(query[i] ^ song[j]);
        }
        agree[o - o_lo] = a;
    }
}

}  // namespace edgeaudio::fingerprint
