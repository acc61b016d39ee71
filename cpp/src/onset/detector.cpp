// OnsetDetector: the frontend's spectra -> dB -> SuperFlux strength -> peak picking.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "edgeaudio/frontend.h"
#include "edgeaudio/onset.h"

namespace edgeaudio::onset {

namespace ef = edgeaudio::frontend;

namespace {

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("OnsetConfig.") + field + ": " + why);
}

void require_count(const char* field, int v, int lo) {
    if (v < lo) fail(field, "must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
}

ef::FrontendConfig frontend_config(const OnsetConfig& c) {
    ef::FrontendConfig f = ef::FrontendConfig::hann_power_spectrum(c.sample_rate_hz, c.n_fft, c.hop_length, true);
    f.n_mels = c.n_mels > 0 ? c.n_mels : 40;
    f.fmin_hz = c.fmin_hz;
    if (c.fmax_hz > 0) f.fmax_hz = c.fmax_hz;
    f.mel_scale = ef::MelScale::Slaney;
    f.mel_norm = ef::MelNorm::Slaney;
    f.mel_triangles = ef::MelTriangles::Hz;
    f.compression = ef::Compression::None;
    f.output = c.n_mels > 0 ? ef::Output::Mel : ef::Output::Spectrum;
    return f;
}

constexpr std::size_t kBlockFrames = 64;  // frames the frontend writes per call

}  // namespace

void OnsetConfig::validate() const {
    if (!(std::isfinite(sample_rate_hz) && sample_rate_hz > 0))
        fail("sample_rate_hz", "must be a positive number, got " + std::to_string(sample_rate_hz));
    require_count("n_fft", n_fft, 16);
    require_count("hop_length", hop_length, 1);
    if (hop_length > n_fft) fail("hop_length", "must not exceed n_fft");
    require_count("n_mels", n_mels, 0);
    if (!(std::isfinite(floor_db))) fail("floor_db", "must be finite");
    require_count("lag", lag, 1);
    require_count("max_size", max_size, 1);
    if (max_size % 2 == 0) fail("max_size", "must be odd, got " + std::to_string(max_size));
    require_count("pre_max", pre_max, 0);
    require_count("post_max", post_max, 0);
    require_count("pre_avg", pre_avg, 0);
    require_count("post_avg", post_avg, 0);
    require_count("wait", wait, 0);
    if (!(std::isfinite(delta) && delta >= 0)) fail("delta", "must be finite and >= 0");
    // the frontend checks the band edges and the FFT size, naming its own fields
    frontend_config(*this).validate();
}

int OnsetConfig::latency_frames() const { return std::max(post_max, post_avg); }

std::size_t OnsetConfig::num_frames(std::size_t n) const {
    return n == 0 ? 0 : 1 + n / static_cast<std::size_t>(hop_length);
}

struct OnsetDetector::State {
    OnsetConfig cfg;
    ef::Frontend fe;
    std::size_t bins;
    float floor_power;
    std::vector<float> block;    // frontend output, kBlockFrames + tail frames
    std::vector<float> history;  // last `lag` dB spectra, ring of rows
    std::vector<float> cur, ref;
    long frames = 0;             // spectra seen
    // strength ring (pre + post + 1 values) and peak-picking state
    int pre, post;
    std::vector<float> ring;
    long decided = 0;            // next frame to decide
    long last_onset = std::numeric_limits<long>::min() / 2;

    State(const OnsetConfig& c)
        : cfg(c), fe((c.validate(), frontend_config(c))), bins(fe.output_size()),
          floor_power(static_cast<float>(std::pow(10.0, c.floor_db / 10.0))),
          block((kBlockFrames + c.n_fft / c.hop_length + 4) * bins),
          history(static_cast<std::size_t>(c.lag) * bins), cur(bins), ref(bins),
          pre(std::max(c.pre_max, c.pre_avg)), post(c.latency_frames()),
          ring(static_cast<std::size_t>(pre + post + 1)) {}

    float& at(long i) { return ring[static_cast<std::size_t>(i % static_cast<long>(ring.size()))]; }

    void reset() {
        fe.reset();
        frames = 0;
        decided = 0;
        last_onset = std::numeric_limits<long>::min() / 2;
    }

    float spectrum(const float* s) {
        for (std::size_t f = 0; f < bins; ++f) cur[f] = 10.0f * std::log10(std::max(s[f], floor_power));
        float* prev = &history[static_cast<std::size_t>(frames % cfg.lag) * bins];
        float flux = 0.0f;
        if (frames >= cfg.lag) {
            const std::size_t r = static_cast<std::size_t>(cfg.max_size / 2);
            for (std::size_t f = 0; f < bins; ++f) {
                const std::size_t lo = f >= r ? f - r : 0, hi = std::min(bins - 1, f + r);
                float m = prev[lo];
                for (std::size_t g = lo + 1; g <= hi; ++g) m = std::max(m, prev[g]);
                flux += std::max(0.0f, cur[f] - m);
            }
            flux /= static_cast<float>(bins);
        }
        std::copy(cur.begin(), cur.end(), prev);
        ++frames;
        return flux;
    }

    // Decides frame k with strength known for frames [0, end).
    void decide(long k, long end, std::vector<long>& onsets) {
        const float v = at(k);
        const long mlo = std::max(0L, k - cfg.pre_max), mhi = std::min(end - 1, k + cfg.post_max);
        for (long i = mlo; i <= mhi; ++i)
            if (at(i) > v) return;
        const long alo = std::max(0L, k - cfg.pre_avg), ahi = std::min(end - 1, k + cfg.post_avg);
        double sum = 0;
        for (long i = alo; i <= ahi; ++i) sum += at(i);
        if (v < sum / static_cast<double>(ahi - alo + 1) + cfg.delta) return;
        if (k - last_onset <= cfg.wait) return;
        last_onset = k;
        onsets.push_back(k);
    }

    void frames_out(std::size_t count, std::vector<float>& strength, std::vector<long>& onsets) {
        for (std::size_t j = 0; j < count; ++j) {
            const long t = frames;
            const float s = spectrum(&block[j * bins]);
            at(t) = s;
            strength.push_back(s);
            while (decided + post <= t) decide(decided++, t + 1, onsets);
        }
    }
};

OnsetDetector::OnsetDetector(const OnsetConfig& config) : s_(std::make_unique<State>(config)) {}
OnsetDetector::~OnsetDetector() = default;

const OnsetConfig& OnsetDetector::config() const { return s_->cfg; }

void OnsetDetector::push(const float* x, std::size_t n, std::vector<float>& strength,
                         std::vector<long>& onsets) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw std::invalid_argument("OnsetDetector.push: sample " + std::to_string(i) +
                                        " is NaN or infinite");
    while (n > 0) {
        std::size_t used = 0;
        const std::size_t k = s_->fe.push(x, n, s_->block.data(), kBlockFrames, &used);
        s_->frames_out(k, strength, onsets);
        x += used;
        n -= used;
    }
}

void OnsetDetector::flush(std::vector<float>& strength, std::vector<long>& onsets) {
    const std::size_t k = s_->fe.flush(s_->block.data());
    s_->frames_out(k, strength, onsets);
    while (s_->decided < s_->frames) s_->decide(s_->decided++, s_->frames, onsets);
    s_->reset();
}

void OnsetDetector::reset() { s_->reset(); }

void detect(const OnsetConfig& config, const float* x, std::size_t n, std::vector<float>& strength,
            std::vector<long>& onsets) {
    OnsetDetector d(config);
    d.push(x, n, strength, onsets);
    d.flush(strength, onsets);
}

}  // namespace edgeaudio::onset
