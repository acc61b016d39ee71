// Noise suppression on a sqrt-Hann STFT with MCRA noise tracking and a
// decision-directed Wiener gain (or power spectral subtraction).
#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "edgeaudio/enhance.h"
#include "edgeaudio/fft.h"

namespace edgeaudio::enhance {

using fft::cfloat;

namespace {
// MCRA constants (Cohen & Berdugo 2002)
constexpr float kAlphaS = 0.8f;   // time smoothing of the power
constexpr float kAlphaP = 0.2f;   // smoothing of the speech-presence probability
constexpr float kAlphaD = 0.95f;  // noise averaging when speech is absent
constexpr float kDelta = 5.0f;    // power / minimum ratio that means speech
}  // namespace

struct NoiseSuppressor::Impl {
    int B = 0, N = 0, K = 0, L = 0;
    std::shared_ptr<const fft::RealFFT> plan;
    std::vector<float> work, win, in_buf, ana, tbuf, ola, out_frame;
    std::vector<cfloat> X;
    std::vector<float> S, Smin, Stmp, p, lambda, prev_a2, gain, pw;
    int fill = 0, frames = 0;
    float gmin = 0.1f;
    void frame(const NoiseSuppressorConfig& cfg);
};

NoiseSuppressor::NoiseSuppressor(const NoiseSuppressorConfig& config) : cfg_(config), d_(new Impl) {
    auto bad = [](const std::string& field, const std::string& why) {
        throw std::invalid_argument("NoiseSuppressorConfig." + field + " " + why);
    };
    const int fs = cfg_.sample_rate_hz;
    if (fs < 8000 || fs > 96000) bad("sample_rate_hz", "must be in 8000 .. 96000, got " + std::to_string(fs));
    const int B = cfg_.frame == 0 ? fs * 16 / 1000 : cfg_.frame;
    if (B < 16 || B > fs / 10)
        bad("frame", "must be 0 (16 ms) or 16 .. " + std::to_string(fs / 10) + " samples, got " +
                         std::to_string(cfg_.frame));
    if (!fft::is_fast_size(2 * static_cast<std::size_t>(B)))
        bad("frame", "must make 2 * frame an FFT size (prime factors 2, 3, 5), got " + std::to_string(B));
    if (!(cfg_.attenuation_limit_db >= 0.0f && cfg_.attenuation_limit_db <= 80.0f))
        bad("attenuation_limit_db", "must be in 0 .. 80, got " + std::to_string(cfg_.attenuation_limit_db));
    if (!(cfg_.dd_smoothing >= 0.0f && cfg_.dd_smoothing <= 0.999f))
        bad("dd_smoothing", "must be in 0 .. 0.999, got " + std::to_string(cfg_.dd_smoothing));
    if (!(cfg_.over_subtraction >= 0.5f && cfg_.over_subtraction <= 4.0f))
        bad("over_subtraction", "must be in 0.5 .. 4, got " + std::to_string(cfg_.over_subtraction));
    if (!(cfg_.noise_window_ms >= 200.0f && cfg_.noise_window_ms <= 10000.0f))
        bad("noise_window_ms", "must be in 200 .. 10000, got " + std::to_string(cfg_.noise_window_ms));
    if (cfg_.method != SuppressionMethod::Wiener && cfg_.method != SuppressionMethod::SpectralSubtraction)
        bad("method", "must be Wiener or SpectralSubtraction");
    Impl& d = *d_;
    d.B = B;
    d.N = 2 * B;
    d.K = B + 1;
    d.L = std::max(2, static_cast<int>(std::lround(cfg_.noise_window_ms * 1e-3 * fs / B)));
    d.plan = fft::real_plan(static_cast<std::size_t>(d.N));
    d.work.assign(d.plan->work_size(), 0.0f);
    d.win.resize(d.N);
    for (int n = 0; n < d.N; ++n) d.win[n] = static_cast<float>(std::sin(M_PI * n / d.N));
    for (auto* v : {&d.in_buf, &d.ola, &d.out_frame}) v->assign(B, 0.0f);
    d.ana.assign(d.N, 0.0f);
    d.tbuf.assign(d.N, 0.0f);
    d.X.assign(d.K, {});
    for (auto* v : {&d.S, &d.Smin, &d.Stmp, &d.p, &d.lambda, &d.prev_a2, &d.gain, &d.pw})
        v->assign(d.K, 0.0f);
    d.gmin = static_cast<float>(std::pow(10.0, -cfg_.attenuation_limit_db / 20.0));
    reset();
}

NoiseSuppressor::~NoiseSuppressor() = default;
int NoiseSuppressor::frame() const { return d_->B; }
int NoiseSuppressor::latency() const { return 2 * d_->B; }
int NoiseSuppressor::bins() const { return d_->K; }
void NoiseSuppressor::noise_psd(float* out) const { std::copy(d_->lambda.begin(), d_->lambda.end(), out); }
void NoiseSuppressor::gains(float* out) const { std::copy(d_->gain.begin(), d_->gain.end(), out); }

void NoiseSuppressor::reset() {
    Impl& d = *d_;
    for (auto* v : {&d.in_buf, &d.ola, &d.out_frame, &d.ana, &d.S, &d.Smin, &d.Stmp, &d.p, &d.lambda,
                    &d.prev_a2})
        std::fill(v->begin(), v->end(), 0.0f);
    std::fill(d.gain.begin(), d.gain.end(), 1.0f);
    d.fill = 0;
    d.frames = 0;
}

void NoiseSuppressor::process(const float* in, float* out, std::size_t n) {
    Impl& d = *d_;
    for (std::size_t i = 0; i < n; ++i) {
        const float x = std::isfinite(in[i]) ? in[i] : 0.0f;
        out[i] = d.out_frame[d.fill];
        d.in_buf[d.fill] = x;
        if (++d.fill == d.B) {
            d.frame(cfg_);
            d.fill = 0;
        }
    }
}

void NoiseSuppressor::Impl::frame(const NoiseSuppressorConfig& cfg) {
    std::copy(ana.begin() + B, ana.end(), ana.begin());
    std::copy(in_buf.begin(), in_buf.end(), ana.begin() + B);
    for (int n = 0; n < N; ++n) tbuf[n] = win[n] * ana[n];
    plan->forward(tbuf.data(), X.data(), 1.0f, work.data());
    for (int k = 0; k < K; ++k) pw[k] = std::norm(X[k]);

    const bool first = frames == 0;
    // MCRA noise tracking
    for (int k = 0; k < K; ++k) {
        const float lo = pw[k > 0 ? k - 1 : k + (K > 1 ? 1 : 0)];
        const float hi = pw[k + 1 < K ? k + 1 : (k > 0 ? k - 1 : k)];
        const float sf = 0.25f * lo + 0.5f * pw[k] + 0.25f * hi;
        if (first) {
            S[k] = Smin[k] = Stmp[k] = sf;
            lambda[k] = pw[k];
            continue;
        }
        S[k] = kAlphaS * S[k] + (1 - kAlphaS) * sf;
        Smin[k] = std::min(Smin[k], S[k]);
        Stmp[k] = std::min(Stmp[k], S[k]);
        const float present = S[k] > kDelta * Smin[k] ? 1.0f : 0.0f;
        p[k] = kAlphaP * p[k] + (1 - kAlphaP) * present;
        const float ad = kAlphaD + (1 - kAlphaD) * p[k];
        lambda[k] = ad * lambda[k] + (1 - ad) * pw[k];
    }
    ++frames;
    if (frames % L == 0) {
        for (int k = 0; k < K; ++k) {
            Smin[k] = std::min(Stmp[k], S[k]);
            Stmp[k] = S[k];
        }
    }

    for (int k = 0; k < K; ++k) {
        const float noise = lambda[k] + 1e-20f;
        float g;
        if (cfg.method == SuppressionMethod::Wiener) {
            const float gamma = pw[k] / noise;
            const float prior = first ? 0.0f : prev_a2[k] / noise;
            const float a = cfg.dd_smoothing;
            const float xi = std::max(a * prior + (1 - a) * std::max(gamma - 1.0f, 0.0f), 1e-4f);
            g = xi / (1.0f + xi);
        } else {
            g = std::sqrt(std::max(1.0f - cfg.over_subtraction * noise / (pw[k] + 1e-20f), 0.0f));
        }
        g = std::max(g, gmin);
        gain[k] = g;
        prev_a2[k] = g * g * pw[k];
        X[k] *= g;
    }
    plan->inverse(X.data(), tbuf.data(), 1.0f / N, work.data());
    for (int n = 0; n < B; ++n) out_frame[n] = ola[n] + win[n] * tbuf[n];
    for (int n = 0; n < B; ++n) ola[n] = win[B + n] * tbuf[B + n];
}

}  // namespace edgeaudio::enhance
