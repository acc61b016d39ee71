// Bulk delay by GCC-PHAT. Every hop (half a window) the last `window` mic
// samples are correlated against the last window + max_delay reference
// samples: both zero-padded to one FFT length, so the circular correlation at
// lags 0 .. max_delay equals the linear one. The cross-spectrum is averaged
// recursively, whitened (PHAT) and transformed back; the peak lag is the
// candidate, accepted when its peak-to-RMS ratio clears min_confidence on two
// analyses in a row that agree (three to replace an accepted delay whose lag
// still holds half the candidate's peak: a real change of the path moves the
// peak, a passing repetition in the music only adds a second one).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>

#include "edgeaudio/aec.h"
#include "edgeaudio/fft.h"
#include "history.h"

namespace edgeaudio::aec {

using fft::cfloat;

namespace {
// an accepted delay whose lag holds this share of a new peak needs a third agreeing analysis to give way
constexpr float kSwitchRatio = 0.5f;
}  // namespace

struct DelayEstimator::Impl {
    int max_delay = 0;   // samples
    int window = 0;      // samples
    int hop = 0;
    int nfft = 0;
    int since = 0;       // samples since the last analysis
    int lo_bin = 1, hi_bin = 1;
    std::shared_ptr<const fft::RealFFT> plan;
    std::vector<float> work, seg, corr;
    std::vector<cfloat> X, D, G, tmp;
    detail::History mic, ref;
    bool have_g = false;
    int last_candidate = -1;
    int agree = 0;  // confident analyses in a row that agree
};

DelayEstimator::DelayEstimator(const DelayEstimatorConfig& config) : cfg_(config), d_(new Impl) {
    auto bad = [](const std::string& field, const std::string& why) {
        throw std::invalid_argument("DelayEstimatorConfig." + field + " " + why);
    };
    if (cfg_.sample_rate_hz < 8000 || cfg_.sample_rate_hz > 96000)
        bad("sample_rate_hz", "must be in 8000 .. 96000, got " + std::to_string(cfg_.sample_rate_hz));
    if (!(cfg_.max_delay_ms > 0.0f && cfg_.max_delay_ms <= 1000.0f))
        bad("max_delay_ms", "must be in (0, 1000], got " + std::to_string(cfg_.max_delay_ms));
    if (!(cfg_.window_ms == 0.0f || (cfg_.window_ms >= 16.0f && cfg_.window_ms <= 2000.0f)))
        bad("window_ms", "must be 0 (automatic) or in 16 .. 2000, got " + std::to_string(cfg_.window_ms));
    if (!(cfg_.smoothing >= 0.0f && cfg_.smoothing < 1.0f))
        bad("smoothing", "must satisfy 0 <= smoothing < 1, got " + std::to_string(cfg_.smoothing));
    if (!(cfg_.min_confidence > 1.0f) || !std::isfinite(cfg_.min_confidence))
        bad("min_confidence", "must be a number > 1, got " + std::to_string(cfg_.min_confidence));
    Impl& d = *d_;
    const double fs = cfg_.sample_rate_hz;
    d.max_delay = static_cast<int>(std::ceil(cfg_.max_delay_ms * 1e-3 * fs));
    const float win_ms = cfg_.window_ms > 0.0f ? cfg_.window_ms : std::max(cfg_.max_delay_ms, 128.0f);
    d.window = static_cast<int>(std::lround(win_ms * 1e-3 * fs));
    d.hop = std::max(1, d.window / 2);
    d.nfft = static_cast<int>(fft::next_fast_len(static_cast<std::size_t>(d.window + d.max_delay)));
    if (d.nfft % 2) d.nfft = static_cast<int>(fft::next_fast_len(static_cast<std::size_t>(d.nfft + 1)));
    d.plan = fft::real_plan(static_cast<std::size_t>(d.nfft));
    const int bins = d.nfft / 2 + 1;
    // speech and music carry the delay information between ~100 Hz and 7 kHz
    d.lo_bin = std::max(1, static_cast<int>(100.0 * d.nfft / fs));
    d.hi_bin = std::min(bins - 1, static_cast<int>(std::min(7000.0, 0.45 * fs) * d.nfft / fs));
    d.work.assign(d.plan->work_size(), 0.0f);
    d.seg.assign(static_cast<std::size_t>(d.nfft), 0.0f);
    d.corr.assign(static_cast<std::size_t>(d.nfft), 0.0f);
    d.X.assign(bins, {});
    d.D.assign(bins, {});
    d.G.assign(bins, {});
    d.tmp.assign(bins, {});
    d.mic = detail::History(static_cast<std::size_t>(d.window), static_cast<std::size_t>(d.hop));
    d.ref = detail::History(static_cast<std::size_t>(d.window + d.max_delay), static_cast<std::size_t>(d.hop));
    reset();
}

DelayEstimator::~DelayEstimator() = default;

void DelayEstimator::reset() {
    Impl& d = *d_;
    d.mic.clear();
    d.ref.clear();
    std::fill(d.G.begin(), d.G.end(), cfloat{});
    d.have_g = false;
    d.since = 0;
    d.last_candidate = -1;
    d.agree = 0;
    delay_ = -1;
    candidate_ = -1;
    confidence_ = 0.0f;
    updates_ = 0;
}

void DelayEstimator::process(const float* mic, const float* ref, std::size_t n) {
    Impl& d = *d_;
    std::size_t i = 0;
    while (i < n) {
        const std::size_t take = std::min<std::size_t>(n - i, static_cast<std::size_t>(d.hop - d.since));
        d.mic.push(mic + i, take);
        d.ref.push(ref + i, take);
        i += take;
        d.since += static_cast<int>(take);
        if (d.since < d.hop) break;
        d.since = 0;

        // reference window: window + max_delay samples; mic: the last window samples
        const int nr = d.window + d.max_delay;
        const float* r = d.ref.end() - nr;
        double er = 0.0, em = 0.0;
        for (int k = 0; k < nr; ++k) {
            const float v = std::isfinite(r[k]) ? r[k] : 0.0f;
            d.seg[k] = v;
            er += static_cast<double>(v) * v;
        }
        std::fill(d.seg.begin() + nr, d.seg.end(), 0.0f);
        if (er < 1e-7 * nr) continue;  // silent far end: nothing to learn
        d.plan->forward(d.seg.data(), d.X.data(), 1.0f, d.work.data());
        const float* m = d.mic.end() - d.window;
        for (int k = 0; k < d.window; ++k) {
            const float v = std::isfinite(m[k]) ? m[k] : 0.0f;
            d.seg[k] = v;
            em += static_cast<double>(v) * v;
        }
        std::fill(d.seg.begin() + d.window, d.seg.end(), 0.0f);
        if (em < 1e-9 * d.window) continue;
        d.plan->forward(d.seg.data(), d.D.data(), 1.0f, d.work.data());

        // normalise each analysis so loud passages do not dominate the average
        // (only the band's bins are ever used: the rest of G and tmp stay 0)
        const float a = d.have_g ? cfg_.smoothing : 0.0f;
        const float b = (1.0f - a) * static_cast<float>(1.0 / std::sqrt(er * em));
        for (int k = d.lo_bin; k <= d.hi_bin; ++k) {
            const float dr = d.D[k].real(), di = d.D[k].imag(), xr = d.X[k].real(), xi = d.X[k].imag();
            // conj(D) X
            const float gr = a * d.G[k].real() + b * (dr * xr + di * xi);
            const float gi = a * d.G[k].imag() + b * (dr * xi - di * xr);
            d.G[k] = cfloat(gr, gi);
            const float mag2 = gr * gr + gi * gi;
            const float inv = mag2 > 0.0f ? 1.0f / std::sqrt(mag2) : 0.0f;
            d.tmp[k] = cfloat(gr * inv, gi * inv);
        }
        d.have_g = true;
        ++updates_;
        d.plan->inverse(d.tmp.data(), d.corr.data(), 1.0f / d.nfft, d.work.data());
        // correlation index l = max_delay - delay
        int best = 0;
        float peak = -1.0f;
        double ss = 0.0;
        for (int l = 0; l <= d.max_delay; ++l) {
            const float c = d.corr[l];
            ss += static_cast<double>(c) * c;
            if (c > peak) {
                peak = c;
                best = l;
            }
        }
        const float rms = static_cast<float>(std::sqrt(ss / (d.max_delay + 1)));
        confidence_ = rms > 0.0f ? peak / rms : 0.0f;
        candidate_ = d.max_delay - best;
        // Two confident analyses in a row that agree accept a candidate; three
        // when it would replace an accepted delay whose lag still holds at
        // least kSwitchRatio of the candidate's peak. Music repeats itself at
        // the beat, and the reference's own periodicity puts peaks at the
        // true delay plus a beat that can briefly outgrow the true one; a
        // real change of the path removes the old peak instead.
        const bool confident = confidence_ >= cfg_.min_confidence;
        d.agree = !confident ? 0 : (d.last_candidate >= 0 && std::abs(candidate_ - d.last_candidate) <= 2) ? d.agree + 1 : 1;
        int need = 2;
        if (delay_ >= 0 && std::abs(candidate_ - delay_) > 2) {
            const int at = d.max_delay - delay_;
            float held = -1.0f;
            for (int l = std::max(0, at - 2); l <= std::min(d.max_delay, at + 2); ++l) held = std::max(held, d.corr[l]);
            if (held >= kSwitchRatio * peak) need = 3;
        }
        if (d.agree >= need) delay_ = candidate_;
        d.last_candidate = confident ? candidate_ : -1;
    }
}

}  // namespace edgeaudio::aec
