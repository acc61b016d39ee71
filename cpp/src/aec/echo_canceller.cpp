// The echo canceller: bulk delay alignment, two partitioned-block frequency
// domain adaptive filters, a coherence double-talk detector, a residual echo
// suppressor and a divergence guard.
//
// Per block of B samples (N = 2B point FFTs, K = B + 1 bins, P partitions):
//  1. the delayed reference block joins the partition history X_0 .. X_{P-1}
//     (overlap-save: X_0 is the FFT of the last N reference samples);
//  2. each filter predicts the echo y = last B of IFFT(sum_p W_p X_p) and
//     leaves the error e = d - y;
//  3. the main filter adapts with the proportionate normalised step
//     mu_p,k = step a_p / (sum_q a_q |X_q,k|^2 + delta), a_p larger for the
//     partitions that hold more of the response, scaled down by the
//     double-talk detector until it removes 20 dB, from then on by the
//     per-bin optimal step (residual echo / error power, see optimal_step());
//     the shadow filter adapts with the plain step, always;
//     the gradient constraint keeps each partition a causal B-tap block of
//     the impulse response: after the step, partitions are projected (IFFT,
//     zero the second half, FFT), every one while a filter is settling (its
//     error less than 20 dB under the mic), half of them in rotation once it
//     has settled (what the unconstrained steps of a skipped block add is
//     small then, and the next projection clears it): the projections are
//     most of the canceller's FFTs;
//  4. when the shadow's error has been clearly lower for a while (an echo path
//     change the detector took for double talk) it replaces the main filter;
//     when it is clearly worse (it adapted through double talk) the main
//     filter replaces it;
//  5. a post-filter on an N-point sqrt-Hann STFT of the main error removes
//     the residual echo, estimated as the measured error / echo-estimate
//     power ratio (tracked in single talk, in the bins whose error the
//     optimal step judges mostly echo) times the echo estimate's power, with
//     a Wiener gain on a decision-directed signal-to-residual ratio;
//  6. the divergence guard replaces any output block that is louder than the
//     mic block by more than divergence_guard_db, and resets a filter whose
//     error is louder than the mic or not finite.
//
// The double-talk detector is the band mean of the magnitude-squared
// coherence between the mic and the main filter's echo estimate. The echo
// estimate is a linear function of the reference, and so is the echo: in
// single talk the two are coherent whatever the filter's misadjustment (after
// an echo-path change as well); a near-end talker adds mic power that is
// incoherent with the estimate and pulls the coherence down.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>

#include "edgeaudio/aec.h"
#include "edgeaudio/fft.h"
#include "history.h"
#include "kernels.h"

namespace edgeaudio::aec {

using fft::cfloat;

namespace {

// double-talk detector: coherence at or above kCohSingle is single talk, at or
// below kCohDouble double talk, linear in between
constexpr float kCohSingle = 0.90f;
constexpr float kCohDouble = 0.70f;
constexpr float kStatSmooth = 0.8f;     // per block, the detector's spectra
constexpr float kDtRelease = 0.9f;      // per block, how fast "double talk" decays
constexpr int kCopyHold = 6;            // blocks the shadow must win before it is copied
constexpr float kPfDd = 0.6f;        // post-filter: decision-directed weight of the previous block
constexpr float kDtFloor = 0.3f;      // optimal step: the plain step is its floor while double_talk < this
constexpr double kAdaptedRatio = 0.01;  // main filter: 20 dB removed before the optimal step takes over
constexpr float kFarActive = 1e-8f;     // reference power (per sample) that counts as far-end activity
constexpr int kProjectEvery = 2;         // a settled filter's partitions are constrained every this many blocks
constexpr double kSettledRatio = 0.01;  // a filter has settled when its error is 20 dB under the mic

float to_db(double num, double den) {
    return static_cast<float>(10.0 * std::log10((num + 1e-20) / (den + 1e-20)));
}

}  // namespace

struct EchoCanceller::Impl {
    int fs = 0, B = 0, N = 0, K = 0, P = 0;
    int max_delay = 0, margin = 0;
    const detail::KernelTable* k = nullptr;
    std::shared_ptr<const fft::RealFFT> plan;
    std::vector<float> work;

    // streaming
    std::vector<float> in_mic, in_ref, out_frame;
    int fill = 0;

    // reference history (as received) and the bulk delay applied to it
    detail::History ref_hist;
    int delay = 0;
    std::unique_ptr<DelayEstimator> estimator;

    // partition history: partition p lives in slot (head + p) % P
    std::vector<cfloat> xs;
    std::vector<float> xpow, xpow_sum;
    int head = 0;
    int rr = 0;  // round-robin start of the partitions constrained this block
    int n_rotate = 0;  // partitions constrained per block once a filter has settled

    std::vector<cfloat> wf, ws;  // main and shadow filters, P * K
    std::vector<cfloat> Y, E, Es, Dz;
    std::vector<const float*> xptr, pptr;  // partition p's reference spectrum and power
    std::vector<float> alpha, ones;        // per-partition step weights; P ones
    std::vector<float> mu, tbuf, yf, ef, es, dblk, prop;

    // detector statistics
    std::vector<float> Sdd, Syy, Sss;   // mic, main and shadow echo-estimate power spectra
    std::vector<cfloat> Sdy, Sds;       // mic x main / shadow estimate cross spectra
    // optimal step (leakage): per-bin means of |E|^2 and |Y|^2, their
    // fluctuations' smoothed covariance, the short-term spectra and the step
    std::vector<float> Emean, Ymean, See_s, Syy_s, opt;
    std::vector<float> echo_share;  // estimated residual echo / error power per bin (0 .. 1)
    std::vector<float> prev_clean;  // post-filter: last block's cleaned power per bin
    double Pey = 0.0, Pyy = 0.0;
    float leak = 0.0f;
    int coh_lo = 1, coh_hi = 1;
    float dt = 0.0f, coherence = 0.0f;
    bool converged = false;
    int converge_count = 0;
    // the main filter takes the optimal step once it removes kAdaptedRatio of the echo
    bool adapted = false;
    int adapted_count = 0;

    // shadow / main comparison
    double sEf = 0.0, sEs = 0.0, sEd = 0.0;
    int win_count = 0, lose_count = 0;

    // post-filter
    std::vector<float> win, pf_e, pf_y, Spe, Spy, rho, gain, ola, prev_mic, out_blk;
    std::vector<cfloat> PE, PY;
    float strength = 1.0f, floor_gain = 0.01f, guard = 4.0f, step = 0.5f, mu_delta = 0.0f;
    std::vector<float> wpow;  // K, the proportionate weighting of the reference power

    // measurements
    double Pd = 0.0, Pe = 0.0, Po = 0.0;
    EchoCancellerStats st;

    std::size_t slot(int p) const { return static_cast<std::size_t>((head + p) % P) * K; }
    void clear_filters();
    void frame();
    void predict(const std::vector<cfloat>& w, float* y);
    // n_project: how many partitions, from rr on, are constrained this block
    void adapt(std::vector<cfloat>& w, const std::vector<cfloat>& err, float scale, const float* bin_scale,
               int n_project);
    void optimal_step();
    void fft_of_block(const float* x, cfloat* X);  // FFT of [zeros(B), x]
    void rebuild_history();
    void update_delay();
    void postfilter();
};

EchoCanceller::EchoCanceller(const EchoCancellerConfig& config) : cfg_(config), d_(new Impl) {
    auto bad = [](const std::string& field, const std::string& why) {
        throw std::invalid_argument("EchoCancellerConfig." + field + " " + why);
    };
    const int fs = cfg_.sample_rate_hz;
    if (fs != 8000 && fs != 16000 && fs != 32000 && fs != 48000)
        bad("sample_rate_hz", "must be 8000, 16000, 32000 or 48000, got " + std::to_string(fs));
    const int B = cfg_.frame == 0 ? fs / 100 : cfg_.frame;
    if (B < 16 || B > fs / 10)
        bad("frame", "must be 0 (10 ms) or 16 .. " + std::to_string(fs / 10) + " samples, got " +
                         std::to_string(cfg_.frame));
    if (!fft::is_fast_size(2 * static_cast<std::size_t>(B)))
        bad("frame", "must make 2 * frame an FFT size (prime factors 2, 3, 5), got " + std::to_string(B) +
                         "; e.g. " + std::to_string(fft::next_fast_len(2 * B) / 2 + (fft::next_fast_len(2 * B) % 2)));
    if (!(cfg_.tail_ms >= 1.0f && cfg_.tail_ms <= 2000.0f))
        bad("tail_ms", "must be in 1 .. 2000, got " + std::to_string(cfg_.tail_ms));
    if (!(cfg_.max_delay_ms >= 0.0f && cfg_.max_delay_ms <= 1000.0f))
        bad("max_delay_ms", "must be in 0 .. 1000, got " + std::to_string(cfg_.max_delay_ms));
    if (!(cfg_.step_size > 0.0f && cfg_.step_size <= 1.0f))
        bad("step_size", "must satisfy 0 < step_size <= 1, got " + std::to_string(cfg_.step_size));
    if (!(cfg_.suppressor_strength >= 0.0f && cfg_.suppressor_strength <= 4.0f))
        bad("suppressor_strength", "must be in 0 .. 4, got " + std::to_string(cfg_.suppressor_strength));
    if (!(cfg_.suppressor_floor_db >= -80.0f && cfg_.suppressor_floor_db <= 0.0f))
        bad("suppressor_floor_db", "must be in -80 .. 0, got " + std::to_string(cfg_.suppressor_floor_db));
    if (!(cfg_.divergence_guard_db >= 0.0f && cfg_.divergence_guard_db <= 40.0f))
        bad("divergence_guard_db", "must be in 0 .. 40, got " + std::to_string(cfg_.divergence_guard_db));

    Impl& d = *d_;
    d.fs = fs;
    d.B = B;
    d.N = 2 * B;
    d.K = B + 1;
    const int tail = static_cast<int>(std::ceil(cfg_.tail_ms * 1e-3 * fs));
    // one more partition when the delay is aligned: the applied delay is
    // rounded down to whole blocks, which costs up to a block of the tail
    d.P = (tail + B - 1) / B + (cfg_.delay_estimation ? 1 : 0);
    d.max_delay = cfg_.delay_estimation ? static_cast<int>(std::ceil(cfg_.max_delay_ms * 1e-3 * fs)) : 0;
    d.margin = fs / 1000;
    d.n_rotate = (d.P + kProjectEvery - 1) / kProjectEvery;
    d.k = detail::kernels_for(active_isa());
    d.plan = fft::real_plan(static_cast<std::size_t>(d.N));
    d.work.assign(d.plan->work_size(), 0.0f);

    const std::size_t K = static_cast<std::size_t>(d.K), PK = K * d.P;
    d.in_mic.assign(B, 0.0f);
    d.in_ref.assign(B, 0.0f);
    d.out_frame.assign(B, 0.0f);
    d.ref_hist = detail::History(static_cast<std::size_t>(d.max_delay + d.P * B + d.N), B);
    if (cfg_.delay_estimation && d.max_delay > 0) {
        DelayEstimatorConfig dc;
        dc.sample_rate_hz = fs;
        dc.max_delay_ms = cfg_.max_delay_ms;
        d.estimator.reset(new DelayEstimator(dc));
    }
    d.xs.assign(PK, {});
    d.xpow.assign(PK, 0.0f);
    d.xpow_sum.assign(K, 0.0f);
    d.wf.assign(PK, {});
    d.ws.assign(PK, {});
    for (auto* v : {&d.Y, &d.E, &d.Es, &d.Dz, &d.Sdy, &d.Sds, &d.PE, &d.PY}) v->assign(K, {});
    d.prop.assign(d.P, 0.0f);
    d.alpha.assign(d.P, 0.0f);
    d.ones.assign(d.P, 1.0f);
    d.xptr.assign(d.P, nullptr);
    d.pptr.assign(d.P, nullptr);
    d.wpow.assign(K, 0.0f);
    for (auto* v : {&d.mu, &d.Sdd, &d.Syy, &d.Sss, &d.Spe, &d.Spy, &d.rho, &d.gain, &d.Emean, &d.Ymean,
                    &d.See_s, &d.Syy_s, &d.opt, &d.echo_share, &d.prev_clean})
        v->assign(K, 0.0f);
    d.tbuf.assign(d.N, 0.0f);
    for (auto* v : {&d.yf, &d.ef, &d.es, &d.dblk, &d.ola, &d.prev_mic, &d.out_blk}) v->assign(B, 0.0f);
    d.pf_e.assign(d.N, 0.0f);
    d.pf_y.assign(d.N, 0.0f);
    d.win.resize(d.N);
    for (int n = 0; n < d.N; ++n) d.win[n] = static_cast<float>(std::sin(M_PI * n / d.N));
    d.coh_lo = std::max(1, 200 * d.N / fs);
    d.coh_hi = std::min(d.K - 1, static_cast<int>(std::min(4000.0, 0.45 * fs) * d.N / fs));
    d.strength = cfg_.suppressor_strength;
    d.step = cfg_.step_size;
    d.floor_gain = static_cast<float>(std::pow(10.0, cfg_.suppressor_floor_db / 20.0));
    d.guard = static_cast<float>(std::pow(10.0, cfg_.divergence_guard_db / 10.0));
    reset();
}

EchoCanceller::~EchoCanceller() = default;

int EchoCanceller::frame() const { return d_->B; }
int EchoCanceller::partitions() const { return d_->P; }
int EchoCanceller::latency() const { return 2 * d_->B; }

void EchoCanceller::Impl::clear_filters() {
    std::fill(wf.begin(), wf.end(), cfloat{});
    std::fill(ws.begin(), ws.end(), cfloat{});
    converged = false;
    converge_count = 0;
    adapted = false;
    adapted_count = 0;
    win_count = lose_count = 0;
    sEf = sEs = sEd = 0.0;
    std::fill(rho.begin(), rho.end(), 1.0f);
    std::fill(Spe.begin(), Spe.end(), 0.0f);
    std::fill(Spy.begin(), Spy.end(), 0.0f);
    for (auto* v : {&Emean, &Ymean, &See_s, &Syy_s, &opt, &echo_share}) std::fill(v->begin(), v->end(), 0.0f);
    Pey = Pyy = 0.0;
    leak = 0.0f;
}

void EchoCanceller::reset() {
    Impl& d = *d_;
    std::fill(d.in_mic.begin(), d.in_mic.end(), 0.0f);
    std::fill(d.in_ref.begin(), d.in_ref.end(), 0.0f);
    std::fill(d.out_frame.begin(), d.out_frame.end(), 0.0f);
    d.fill = 0;
    d.ref_hist.clear();
    d.delay = 0;
    if (d.estimator) d.estimator->reset();
    std::fill(d.xs.begin(), d.xs.end(), cfloat{});
    std::fill(d.xpow.begin(), d.xpow.end(), 0.0f);
    std::fill(d.xpow_sum.begin(), d.xpow_sum.end(), 0.0f);
    d.head = 0;
    d.rr = 0;
    d.clear_filters();
    std::fill(d.Sdd.begin(), d.Sdd.end(), 0.0f);
    std::fill(d.Syy.begin(), d.Syy.end(), 0.0f);
    std::fill(d.Sdy.begin(), d.Sdy.end(), cfloat{});
    std::fill(d.Sss.begin(), d.Sss.end(), 0.0f);
    std::fill(d.Sds.begin(), d.Sds.end(), cfloat{});
    d.dt = 0.0f;
    d.coherence = 0.0f;
    std::fill(d.pf_e.begin(), d.pf_e.end(), 0.0f);
    std::fill(d.pf_y.begin(), d.pf_y.end(), 0.0f);
    std::fill(d.gain.begin(), d.gain.end(), 1.0f);
    std::fill(d.prev_clean.begin(), d.prev_clean.end(), 0.0f);
    std::fill(d.ola.begin(), d.ola.end(), 0.0f);
    std::fill(d.prev_mic.begin(), d.prev_mic.end(), 0.0f);
    d.Pd = d.Pe = d.Po = 0.0;
    d.st = EchoCancellerStats{};
}

EchoCancellerStats EchoCanceller::stats() const {
    EchoCancellerStats s = d_->st;
    s.delay_samples = d_->delay;
    return s;
}

void EchoCanceller::process(const float* mic, const float* ref, float* out, std::size_t n) {
    Impl& d = *d_;
    for (std::size_t i = 0; i < n; ++i) {
        const float m = std::isfinite(mic[i]) ? mic[i] : 0.0f;
        const float r = std::isfinite(ref[i]) ? ref[i] : 0.0f;
        out[i] = d.out_frame[d.fill];  // mic[i] was read first: out may alias mic
        d.in_mic[d.fill] = m;
        d.in_ref[d.fill] = r;
        if (++d.fill == d.B) {
            d.frame();
            d.fill = 0;
        }
    }
}

void EchoCanceller::Impl::fft_of_block(const float* x, cfloat* X) {
    std::fill(tbuf.begin(), tbuf.begin() + B, 0.0f);
    std::copy(x, x + B, tbuf.begin() + B);
    plan->forward(tbuf.data(), X, 1.0f, work.data());
}

void EchoCanceller::Impl::predict(const std::vector<cfloat>& w, float* y) {
    k->cmac_parts(xptr.data(), reinterpret_cast<const float*>(w.data()), 2 * K, P, reinterpret_cast<float*>(Y.data()), K);
    plan->inverse(Y.data(), tbuf.data(), 1.0f / N, work.data());
    std::copy(tbuf.begin() + B, tbuf.end(), y);
}

void EchoCanceller::Impl::adapt(std::vector<cfloat>& w, const std::vector<cfloat>& err, float scale,
                                const float* bin_scale, int n_project) {
    if (scale <= 0.0f) return;
    // proportionate step across partitions (IPNLMS-style): half shared
    // equally, half in proportion to each partition's share of the response,
    // so the strong early part of a room response converges first
    double total = 0.0;
    for (int p = 0; p < P; ++p) {
        const float* wp = reinterpret_cast<const float*>(w.data() + static_cast<std::size_t>(p) * K);
        prop[p] = std::sqrt(k->dot(wp, wp, 2 * K));
        total += prop[p];
    }
    for (int p = 0; p < P; ++p)
        prop[p] = static_cast<float>(0.5 + 0.5 * P * prop[p] / (total + 1e-30 + (total == 0.0 ? 1.0 : 0.0)));
    if (total == 0.0) std::fill(prop.begin(), prop.end(), 1.0f);
    // normalise by the reference power summed over the partitions with the
    // same weights (proportionate NLMS), smoothed over neighbouring bins (a
    // single frame's periodogram has bins near zero whose raw inverse would be
    // a huge step); the floor, 30 dB under the mean, keeps near-empty bins of
    // a coloured reference from amplifying noise
    k->sum_parts(pptr.data(), prop.data(), P, wpow.data(), K);
    for (int i = 0; i < K; ++i) {
        const float lo = wpow[i > 0 ? i - 1 : i + 1], hi = wpow[i + 1 < K ? i + 1 : i - 1];
        mu[i] = step / (0.25f * lo + 0.5f * wpow[i] + 0.25f * hi + mu_delta);
        if (bin_scale) mu[i] *= bin_scale[i];
    }
    for (int p = 0; p < P; ++p) alpha[p] = scale * prop[p];
    k->grad_parts(xptr.data(), reinterpret_cast<const float*>(err.data()), mu.data(), alpha.data(),
                  reinterpret_cast<float*>(w.data()), 2 * K, P, K);
    // the constraint: project partitions back onto causal B-tap blocks (IFFT,
    // zero the second half, FFT). On a causal filter this is the constrained
    // gradient step; on partitions skipped for a few blocks it also clears
    // what their unconstrained steps accumulated meanwhile.
    for (int j = 0; j < n_project; ++j) {
        cfloat* wp = w.data() + static_cast<std::size_t>((rr + j) % P) * K;
        plan->inverse(wp, tbuf.data(), 1.0f / N, work.data());
        std::fill(tbuf.begin() + B, tbuf.end(), 0.0f);
        plan->forward(tbuf.data(), wp, 1.0f, work.data());
    }
}

void EchoCanceller::Impl::rebuild_history() {
    for (int p = 0; p < P; ++p) {
        const float* seg = ref_hist.end() - delay - p * B - N;
        std::copy(seg, seg + N, tbuf.begin());
        plan->forward(tbuf.data(), xs.data() + slot(p), 1.0f, work.data());
        k->power(reinterpret_cast<const float*>(xs.data() + slot(p)), xpow.data() + slot(p), K);
    }
}

void EchoCanceller::Impl::update_delay() {
    const int est = estimator->delay_samples();
    if (est < 0) return;
    // keep the direct path at least `margin` after the filter's start and no
    // more than 1.5 blocks into it
    const int lead = est - delay;
    if (lead >= margin && lead <= margin + B + B / 2) return;
    int want = std::max(0, (est - margin) / B * B);
    want = std::min(want, max_delay / B * B);
    if (want == delay) return;
    // shift the learned response with the reference so it is not lost:
    // new W_p = old W_{p + q}
    const int q = (want - delay) / B;
    for (auto* w : {&wf, &ws}) {
        std::vector<cfloat>& v = *w;
        const std::size_t Kz = static_cast<std::size_t>(K);
        if (q > 0) {
            for (int p = 0; p < P; ++p) {
                if (p + q < P)
                    std::copy(v.begin() + (p + q) * Kz, v.begin() + (p + q + 1) * Kz, v.begin() + p * Kz);
                else
                    std::fill(v.begin() + p * Kz, v.begin() + (p + 1) * Kz, cfloat{});
            }
        } else {
            for (int p = P - 1; p >= 0; --p) {
                if (p + q >= 0)
                    std::copy(v.begin() + (p + q) * Kz, v.begin() + (p + q + 1) * Kz, v.begin() + p * Kz);
                else
                    std::fill(v.begin() + p * Kz, v.begin() + (p + 1) * Kz, cfloat{});
            }
        }
    }
    delay = want;
    adapted = false;  // a new alignment: the plain step until the filter has it again
    adapted_count = 0;
    rebuild_history();
}

void EchoCanceller::Impl::frame() {
    const float* dm = in_mic.data();
    ref_hist.push(in_ref.data(), B);
    if (estimator) {
        estimator->process(in_mic.data(), in_ref.data(), B);
        update_delay();
    }

    // 1. newest partition
    head = (head + P - 1) % P;
    for (int p = 0; p < P; ++p) {
        xptr[p] = reinterpret_cast<const float*>(xs.data() + slot(p));
        pptr[p] = xpow.data() + slot(p);
    }
    {
        const float* seg = ref_hist.end() - delay - N;
        std::copy(seg, seg + N, tbuf.begin());
        plan->forward(tbuf.data(), xs.data() + slot(0), 1.0f, work.data());
        k->power(reinterpret_cast<const float*>(xs.data() + slot(0)), xpow.data() + slot(0), K);
    }
    k->sum_parts(pptr.data(), ones.data(), P, xpow_sum.data(), K);
    double xsum = 0.0;
    for (int i = 0; i < K; ++i) xsum += xpow_sum[i];
    const double xmean = xsum / K;
    const bool far_active = xmean > static_cast<double>(kFarActive) * N * P;

    // 2. both filters' echo estimates and errors
    predict(wf, yf.data());
    predict(ws, es.data());
    double Ed = 0.0, Eef = 0.0, Ees = 0.0;
    for (int i = 0; i < B; ++i) {
        ef[i] = dm[i] - yf[i];
        es[i] = dm[i] - es[i];
        Ed += static_cast<double>(dm[i]) * dm[i];
        Eef += static_cast<double>(ef[i]) * ef[i];
        Ees += static_cast<double>(es[i]) * es[i];
    }
    if (!std::isfinite(Eef) || !std::isfinite(Ees)) {
        // a non-finite filter: start again, pass the mic through for this block
        clear_filters();
        ++st.resets;
        std::copy(dm, dm + B, ef.begin());
        std::fill(yf.begin(), yf.end(), 0.0f);
        std::copy(dm, dm + B, es.begin());
        Eef = Ees = Ed;
    }
    fft_of_block(ef.data(), E.data());
    fft_of_block(es.data(), Es.data());
    fft_of_block(dm, Dz.data());

    // 3. double-talk detector: coherence of mic and echo estimate (Y = D - E)
    // The shadow's coherence with the mic judges its wins: after an echo-path
    // change it re-converges and is coherent with the mic (single talk); in
    // double talk it wins only by following the talker, and stays incoherent.
    double csum = 0.0, csum_s = 0.0, sdd_band = 0.0, syy_band = 0.0;
    const float a = kStatSmooth;
    for (int i = 0; i < K; ++i) {
        const cfloat D = Dz[i], Yv = Dz[i] - E[i], Ys = Dz[i] - Es[i];
        Sdd[i] = a * Sdd[i] + (1 - a) * std::norm(D);
        Syy[i] = a * Syy[i] + (1 - a) * std::norm(Yv);
        Sdy[i] = a * Sdy[i] + (1 - a) * D * std::conj(Yv);
        Sss[i] = a * Sss[i] + (1 - a) * std::norm(Ys);
        Sds[i] = a * Sds[i] + (1 - a) * D * std::conj(Ys);
        if (i >= coh_lo && i <= coh_hi) {
            csum += std::norm(Sdy[i]) / (static_cast<double>(Sdd[i]) * Syy[i] + 1e-30);
            csum_s += std::norm(Sds[i]) / (static_cast<double>(Sdd[i]) * Sss[i] + 1e-30);
            sdd_band += Sdd[i];
            syy_band += Syy[i];
        }
    }
    coherence = static_cast<float>(csum / (coh_hi - coh_lo + 1));
    const float shadow_coherence = static_cast<float>(csum_s / (coh_hi - coh_lo + 1));
    float dt_now = 0.0f;
    if (far_active && converged && syy_band > 0.0)
        dt_now = std::clamp((kCohSingle - coherence) / (kCohSingle - kCohDouble), 0.0f, 1.0f);
    else if (!far_active)
        dt_now = dt;  // no far end: nothing to judge, hold
    dt = dt_now > dt ? dt_now : kDtRelease * dt + (1 - kDtRelease) * dt_now;

    // 4. adaptation
    mu_delta = static_cast<float>(1e-3 * xmean + 1e-9 * N * P);
    if (far_active) {
        const float g = (1.0f - dt) * (1.0f - dt);
        optimal_step();
        // every partition is constrained while a filter is settling (its
        // error within kSettledRatio of the mic's power); a settled one a
        // rotating subset (all of them every kProjectEvery blocks)
        const bool main_settling = !adapted || sEf > kSettledRatio * sEd;
        const bool shadow_settling = sEs > kSettledRatio * sEd;
        adapt(wf, E, adapted ? 1.0f : g, adapted ? opt.data() : nullptr, main_settling ? P : n_rotate);
        adapt(ws, Es, 1.0f, nullptr, shadow_settling ? P : n_rotate);
        rr = (rr + n_rotate) % P;
    }

    // shadow / main arbitration on smoothed error powers
    sEf = 0.7 * sEf + 0.3 * Eef;
    sEs = 0.7 * sEs + 0.3 * Ees;
    sEd = 0.7 * sEd + 0.3 * Ed;
    if (far_active) {
        win_count = (sEs < 0.5 * sEf && shadow_coherence >= kCohSingle) ? win_count + 1 : 0;
        lose_count = (sEs > 4.0 * sEf) ? lose_count + 1 : 0;
        if (win_count >= kCopyHold) {
            wf = ws;  // same size: no allocation
            ++st.shadow_copies;
            win_count = 0;
        } else if (lose_count >= kCopyHold) {
            ws = wf;
            lose_count = 0;
        }
        // converged once the main filter removes 6 dB for a while
        if (!adapted) {
            adapted_count = (sEf < kAdaptedRatio * sEd) ? adapted_count + 1 : 0;
            if (adapted_count >= 10) adapted = true;
        }
        if (!converged) {
            converge_count = (sEf < 0.25 * sEd) ? converge_count + 1 : 0;
            if (converge_count >= 10) converged = true;
        }
    }
    // divergence: the main filter's error louder than the mic
    if (Eef > guard * Ed + 1e-10 * B) {
        std::copy(dm, dm + B, ef.begin());
        std::fill(yf.begin(), yf.end(), 0.0f);
        if (sEf > guard * sEd + 1e-10 * B) {
            if (sEs < sEd) wf = ws; else clear_filters();
            ++st.resets;
            sEf = sEd;
        }
    }

    // 5. residual echo suppressor, 6. output guard
    postfilter();
    double Eo = 0.0, Epm = 0.0;
    for (int i = 0; i < B; ++i) {
        Eo += static_cast<double>(out_blk[i]) * out_blk[i];
        Epm += static_cast<double>(prev_mic[i]) * prev_mic[i];
    }
    if (!(Eo <= guard * Epm + 1e-10 * B)) {
        std::copy(prev_mic.begin(), prev_mic.end(), out_blk.begin());
        Eo = Epm;
    }
    std::copy(out_blk.begin(), out_blk.end(), out_frame.begin());
    std::copy(dm, dm + B, prev_mic.begin());

    // measurements, over far-end activity
    if (far_active) {
        const double s = 0.98;
        Pd = s * Pd + (1 - s) * Ed;
        Pe = s * Pe + (1 - s) * Eef;
        Po = s * Po + (1 - s) * Eo;
        st.erle_db = to_db(Pd, Po);
        st.linear_erle_db = to_db(Pd, Pe);
    }
    st.double_talk = dt;
    st.coherence = coherence;
    ++st.frames;
}

// The optimal step of an adaptive filter in bin k is the ratio of the
// residual echo power to the error power (Valin 2007; the MDF of SpeexDSP):
// in single talk the error is residual echo and the filter may take a full
// step, while a near-end talker (or noise) inflates the error and shrinks the
// step in the bins it occupies, with no decision to make. The residual echo is
// leak * |Y_k|^2, the leakage being the regression of the error power's
// fluctuations on the echo estimate's (over all bins and a few hundred ms):
// near-end speech is uncorrelated with the echo estimate and drops out of it.
void EchoCanceller::Impl::optimal_step() {
    constexpr float kMean = 0.35f;   // per block, the per-bin means the fluctuations are taken from
    constexpr float kShort = 0.5f;   // per block, the spectra the step is the ratio of
    double pey = 0.0, pyy = 0.0, see = 0.0, syy = 0.0;
    for (int i = 0; i < K; ++i) {
        const float ee = std::norm(E[i]), yy = std::norm(Dz[i] - E[i]);
        Emean[i] += kMean * (ee - Emean[i]);
        Ymean[i] += kMean * (yy - Ymean[i]);
        const double de = ee - Emean[i], dy = yy - Ymean[i];
        pey += de * dy;
        pyy += dy * dy;
        See_s[i] += kShort * (ee - See_s[i]);
        Syy_s[i] += kShort * (yy - Syy_s[i]);
        see += See_s[i];
        syy += Syy_s[i];
    }
    // update the regression more slowly when the error is mostly not echo
    const double rate = std::clamp(0.05 * syy / (see + 1e-30), 0.005, 0.05);
    Pey += rate * (pey - Pey);
    Pyy += rate * (pyy - Pyy);
    leak = static_cast<float>(std::clamp(Pey / (Pyy + 1e-30), 0.0, 1.0));
    // The leakage cannot see bins the filter has not learned yet (new notes
    // of the music: the echo estimate there is ~0, so is the step). Where the
    // coherence detector is sure of single talk, the plain step is the floor.
    const float single = std::max(0.0f, 1.0f - dt / kDtFloor);
    // ... scaled by the band's overall residual-echo share, which a talker pulls down
    const float rer = static_cast<float>(std::min(1.0, 2.0 * leak * syy / (see + 1e-30)));
    const float floor_step = single * single * rer;
    for (int i = 0; i < K; ++i) {
        const float r = leak * Syy_s[i];
        echo_share[i] = std::min(1.0f, r / (See_s[i] + 1e-20f));
        opt[i] = std::max(floor_step, echo_share[i]);
    }
}

void EchoCanceller::Impl::postfilter() {
    std::copy(pf_e.begin() + B, pf_e.end(), pf_e.begin());
    std::copy(ef.begin(), ef.end(), pf_e.begin() + B);
    std::copy(pf_y.begin() + B, pf_y.end(), pf_y.begin());
    std::copy(yf.begin(), yf.end(), pf_y.begin() + B);
    for (int n = 0; n < N; ++n) tbuf[n] = win[n] * pf_e[n];
    plan->forward(tbuf.data(), PE.data(), 1.0f, work.data());
    for (int n = 0; n < N; ++n) tbuf[n] = win[n] * pf_y[n];
    plan->forward(tbuf.data(), PY.data(), 1.0f, work.data());
    const bool learn = dt < 0.1f && converged;
    for (int i = 0; i < K; ++i) {
        const float pe = std::norm(PE[i]), py = std::norm(PY[i]);
        // and only in the bins whose error the optimal step judges mostly residual echo
        if (learn && echo_share[i] > 0.1f) {
            // in single talk the error is all residual echo: learn its ratio to the estimate
            Spe[i] = 0.9f * Spe[i] + 0.1f * pe;
            Spy[i] = 0.9f * Spy[i] + 0.1f * py;
            rho[i] = std::min(1.0f, Spe[i] / (Spy[i] + 1e-20f));
        }
        float g = 1.0f;
        if (strength > 0.0f) {
            // Wiener gain from a decision-directed signal-to-residual-echo
            // ratio: the previous block's cleaned power keeps speech bins
            // steady instead of following each block's noisy ratio
            const float residual = strength * rho[i] * py + 1e-20f;
            const float post = std::max(pe / residual - 1.0f, 0.0f);
            const float prior = kPfDd * prev_clean[i] / residual + (1.0f - kPfDd) * post;
            g = std::max(floor_gain, prior / (1.0f + prior));
            prev_clean[i] = g * g * pe;
        }
        gain[i] = g;
        PE[i] *= g;
    }
    plan->inverse(PE.data(), tbuf.data(), 1.0f / N, work.data());
    for (int n = 0; n < B; ++n) out_blk[n] = ola[n] + win[n] * tbuf[n];
    for (int n = 0; n < B; ++n) ola[n] = win[B + n] * tbuf[B + n];
}

}  // namespace edgeaudio::aec
