// Chroma filterbank, tuning estimation and the chroma extractor (see edgeaudio/chroma.h).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>

#include "edgeaudio/chroma.h"
#include "edgeaudio/frontend.h"

namespace edgeaudio::chroma {

namespace ef = edgeaudio::frontend;

namespace {

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("ChromaConfig.") + field + ": " + why);
}

void require_positive(const char* field, double v) {
    if (!(std::isfinite(v) && v > 0)) fail(field, "must be a positive number, got " + std::to_string(v));
}

ef::FrontendConfig frontend_config(const ChromaConfig& c) {
    return ef::FrontendConfig::hann_power_spectrum(c.sample_rate_hz, c.n_fft, c.hop_length, true);
}

// log2(f / A0) with A0 = 27.5 Hz shifted by the tuning (librosa.hz_to_octs)
double hz_to_octs(double hz, double tuning, int bins_per_octave) {
    const double a440 = 440.0 * std::pow(2.0, tuning / bins_per_octave);
    return std::log2(hz / (a440 / 16.0));
}

constexpr std::size_t kBlockFrames = 32;

// Appends the normalised chroma (and raw sums) of `count` power spectra.
void project(const std::vector<float>& fb, std::size_t bins, std::size_t nc, const float* spectra,
             std::size_t count, std::vector<float>& out, std::vector<float>* energy) {
    for (std::size_t j = 0; j < count; ++j) {
        const float* S = spectra + j * bins;
        const std::size_t o = out.size();
        out.resize(o + nc);
        float peak = 0.0f, sum = 0.0f;
        for (std::size_t p = 0; p < nc; ++p) {
            const float* w = &fb[p * bins];
            float acc = 0.0f;
            for (std::size_t k = 0; k < bins; ++k) acc += w[k] * S[k];
            out[o + p] = acc;
            peak = std::max(peak, std::fabs(acc));
            sum += acc;
        }
        if (energy) energy->push_back(sum);
        if (peak >= FLT_MIN)
            for (std::size_t p = 0; p < nc; ++p) out[o + p] /= peak;
    }
}

}  // namespace

void ChromaConfig::validate() const {
    require_positive("sample_rate_hz", sample_rate_hz);
    if (n_fft < 16) fail("n_fft", "must be >= 16, got " + std::to_string(n_fft));
    if (hop_length < 1 || hop_length > n_fft)
        fail("hop_length", "must be in [1, n_fft], got " + std::to_string(hop_length));
    if (n_chroma < 1) fail("n_chroma", "must be >= 1, got " + std::to_string(n_chroma));
    if (!(std::isfinite(tuning) && std::fabs(tuning) <= 0.5))
        fail("tuning", "must be in [-0.5, 0.5] chroma bins, got " + std::to_string(tuning));
    if (!std::isfinite(ctroct)) fail("ctroct", "must be finite");
    if (!(std::isfinite(octwidth) && octwidth >= 0)) fail("octwidth", "must be >= 0 (0: off)");
    if (!(std::isfinite(tuning_fmin_hz) && tuning_fmin_hz >= 0)) fail("tuning_fmin_hz", "must be >= 0");
    require_positive("tuning_fmax_hz", tuning_fmax_hz);
    if (tuning_fmax_hz <= tuning_fmin_hz) fail("tuning_fmax_hz", "must be greater than tuning_fmin_hz");
    if (!(std::isfinite(tuning_threshold) && tuning_threshold >= 0)) fail("tuning_threshold", "must be >= 0");
    if (!(std::isfinite(tuning_resolution) && tuning_resolution > 0 && tuning_resolution <= 1))
        fail("tuning_resolution", "must be in (0, 1]");
    frontend_config(*this).validate();  // names its own fields (FFT size)
}

std::size_t ChromaConfig::num_frames(std::size_t n) const {
    return n == 0 ? 0 : 1 + n / static_cast<std::size_t>(hop_length);
}

std::vector<float> chroma_filterbank(const ChromaConfig& c, double tuning) {
    const int nc = c.n_chroma, n_fft = c.n_fft, nb = c.n_bins();
    // log-frequency of FFT bins 1..n_fft-1 in chroma bins; bin 0 sits 1.5 octaves below bin 1
    std::vector<double> frq(static_cast<std::size_t>(n_fft)), width(static_cast<std::size_t>(n_fft));
    for (int k = 1; k < n_fft; ++k)
        frq[k] = nc * hz_to_octs(c.sample_rate_hz * k / n_fft, tuning, nc);
    frq[0] = frq[1] - 1.5 * nc;
    for (int k = 0; k + 1 < n_fft; ++k) width[k] = std::max(frq[k + 1] - frq[k], 1.0);
    width[n_fft - 1] = 1.0;
    const double half = std::round(nc / 2.0);
    std::vector<double> w(static_cast<std::size_t>(nc) * nb);
    for (int k = 0; k < nb; ++k) {
        double norm = 0.0;
        for (int p = 0; p < nc; ++p) {
            double d = std::fmod(frq[k] - p + half + 10.0 * nc, static_cast<double>(nc));
            if (d < 0) d += nc;
            d -= half;
            const double v = std::exp(-0.5 * std::pow(2.0 * d / width[k], 2));
            w[static_cast<std::size_t>(p) * nb + k] = v;
            norm += v * v;
        }
        norm = std::sqrt(norm);
        const double oct = c.octwidth > 0
                               ? std::exp(-0.5 * std::pow((frq[k] / nc - c.ctroct) / c.octwidth, 2))
                               : 1.0;
        for (int p = 0; p < nc; ++p) {
            double& v = w[static_cast<std::size_t>(p) * nb + k];
            v = (norm > 0 ? v / norm : v) * oct;
        }
    }
    // the rows start at A; put C first
    std::vector<float> out(w.size());
    const int shift = 3 * (nc / 12);
    for (int p = 0; p < nc; ++p) {
        const int src = ((p + shift) % nc + nc) % nc;
        for (int k = 0; k < nb; ++k)
            out[static_cast<std::size_t>(p) * nb + k] = static_cast<float>(w[static_cast<std::size_t>(src) * nb + k]);
    }
    return out;
}

double estimate_tuning(const ChromaConfig& c, const float* power, std::size_t frames) {
    const int nb = c.n_bins();
    const double sr = c.sample_rate_hz, n_fft = c.n_fft;
    const double fmax = std::min(c.tuning_fmax_hz, sr / 2);
    std::vector<double> pitch, mag;
    for (std::size_t t = 0; t < frames; ++t) {
        const float* S = power + t * static_cast<std::size_t>(nb);
        float peak = 0.0f;
        for (int k = 0; k < nb; ++k) peak = std::max(peak, S[k]);
        const float ref = static_cast<float>(c.tuning_threshold) * peak;
        auto thr = [&](int k) { return S[k] > ref ? S[k] : 0.0f; };
        for (int k = 1; k + 1 < nb; ++k) {
            const double f = k * sr / n_fft;
            if (f < c.tuning_fmin_hz || f >= fmax) continue;
            const float v = thr(k);
            if (!(v > thr(k - 1) && v >= thr(k + 1))) continue;
            // parabolic vertex from the unthresholded spectrum
            const double a = double(S[k + 1]) + S[k - 1] - 2.0 * S[k];
            const double b = (double(S[k + 1]) - S[k - 1]) / 2.0;
            const double shift = std::fabs(b) >= std::fabs(a) ? 0.0 : -b / a;
            pitch.push_back((k + shift) * sr / n_fft);
            mag.push_back(S[k] + 0.5 * b * shift);
        }
    }
    if (pitch.empty()) return 0.0;
    std::vector<double> sorted(mag);
    const std::size_t h = sorted.size() / 2;
    std::nth_element(sorted.begin(), sorted.begin() + h, sorted.end());
    double median = sorted[h];
    if (sorted.size() % 2 == 0) median = 0.5 * (median + *std::max_element(sorted.begin(), sorted.begin() + h));
    const int n_hist = static_cast<int>(std::ceil(1.0 / c.tuning_resolution));
    std::vector<long> counts(static_cast<std::size_t>(n_hist), 0);
    auto edge = [&](int i) { return -0.5 + i * (1.0 / n_hist); };
    for (std::size_t i = 0; i < pitch.size(); ++i) {
        if (!(pitch[i] > 0 && mag[i] >= median)) continue;
        double r = std::fmod(c.n_chroma * hz_to_octs(pitch[i], 0.0, c.n_chroma), 1.0);
        if (r < 0) r += 1.0;
        if (r >= 0.5) r -= 1.0;
        int b = static_cast<int>(std::floor((r + 0.5) * n_hist));
        b = std::min(std::max(b, 0), n_hist - 1);
        while (b > 0 && r < edge(b)) --b;  // exact edges, as numpy.histogram
        while (b + 1 < n_hist && r >= edge(b + 1)) ++b;
        ++counts[static_cast<std::size_t>(b)];
    }
    const auto best = std::max_element(counts.begin(), counts.end()) - counts.begin();
    return edge(static_cast<int>(best));
}

struct ChromaExtractor::State {
    ChromaConfig cfg;
    ef::Frontend fe;
    std::size_t bins, nc;
    std::vector<float> fb, block;

    explicit State(const ChromaConfig& c)
        : cfg(c), fe((c.validate(), frontend_config(c))), bins(static_cast<std::size_t>(c.n_bins())),
          nc(static_cast<std::size_t>(c.n_chroma)), fb(chroma_filterbank(c, c.tuning)),
          block((kBlockFrames + static_cast<std::size_t>(c.n_fft / c.hop_length) + 4) * bins) {}

    void frames_out(const float* spectra, std::size_t count, std::vector<float>& out, std::vector<float>* energy) {
        project(fb, bins, nc, spectra, count, out, energy);
    }
};

ChromaExtractor::ChromaExtractor(const ChromaConfig& config) : s_(std::make_unique<State>(config)) {}
ChromaExtractor::~ChromaExtractor() = default;

const ChromaConfig& ChromaExtractor::config() const { return s_->cfg; }

void ChromaExtractor::push(const float* x, std::size_t n, std::vector<float>& out, std::vector<float>* energy) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw std::invalid_argument("ChromaExtractor.push: sample " + std::to_string(i) + " is NaN or infinite");
    while (n > 0) {
        std::size_t used = 0;
        const std::size_t k = s_->fe.push(x, n, s_->block.data(), kBlockFrames, &used);
        s_->frames_out(s_->block.data(), k, out, energy);
        x += used;
        n -= used;
    }
}

void ChromaExtractor::flush(std::vector<float>& out, std::vector<float>* energy) {
    const std::size_t k = s_->fe.flush(s_->block.data());
    s_->frames_out(s_->block.data(), k, out, energy);
    s_->fe.reset();
}

void ChromaExtractor::reset() { s_->fe.reset(); }

void chroma_stft(const ChromaConfig& config, const float* x, std::size_t n, bool estimate, std::vector<float>& out,
                 double* tuning_used, std::vector<float>* energy) {
    config.validate();
    ChromaConfig c = config;
    const std::size_t frames = c.num_frames(n);
    const auto fc = frontend_config(c);
    std::vector<float> power(frames * static_cast<std::size_t>(c.n_bins()));
    ef::compute(fc, x, n, ef::Output::Spectrum, power.data());
    if (estimate) c.tuning = estimate_tuning(c, power.data(), frames);
    if (tuning_used) *tuning_used = c.tuning;
    out.reserve(out.size() + frames * static_cast<std::size_t>(c.n_chroma));
    project(chroma_filterbank(c, c.tuning), static_cast<std::size_t>(c.n_bins()),
            static_cast<std::size_t>(c.n_chroma), power.data(), frames, out, energy);
}

}  // namespace edgeaudio::chroma
