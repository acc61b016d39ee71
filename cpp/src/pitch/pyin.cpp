// Probabilistic YIN with fixed-lag Viterbi decoding (see pitch.h).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "edgeaudio/fft.h"
#include "edgeaudio/pitch.h"

namespace edgeaudio::pitch {

namespace {

constexpr int kMaxCandidates = 32;
constexpr float kLogFloor = -69.0f;  // log(1e-30): the emission of an impossible state

// Regularised incomplete beta I_x(a, b) by its continued fraction (modified
// Lentz), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction
// converges slowly.
double inc_beta(double a, double b, double x) {
    if (x <= 0) return 0.0;
    if (x >= 1) return 1.0;
    if (x > (a + 1) / (a + b + 2)) return 1.0 - inc_beta(b, a, 1.0 - x);
    const double lfront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                          b * std::log1p(-x);
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1);
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 500; ++m) {
        for (int half = 0; half < 2; ++half) {
            double num;
            if (half == 0)
                num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            else
                num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1.0 + num * d;
            if (std::fabs(d) < tiny) d = tiny;
            c = 1.0 + num / c;
            if (std::fabs(c) < tiny) c = tiny;
            d = 1.0 / d;
            f *= c * d;
        }
        if (std::fabs(c * d - 1.0) < 1e-15) break;
    }
    return std::exp(lfront) * f / a;
}

int argmax(const std::vector<float>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

struct Candidate {
    int bin;
    float f0;
    float prob;
};

}  // namespace

void PitchConfig::validate() const {
    auto fail = [](const std::string& msg) { throw std::invalid_argument("PitchConfig: " + msg); };
    if (!(sample_rate_hz > 0) || !std::isfinite(sample_rate_hz)) fail("sample_rate_hz must be positive");
    if (!(fmin_hz > 0) || !std::isfinite(fmin_hz)) fail("fmin_hz must be positive");
    if (!(fmax_hz > fmin_hz) || !std::isfinite(fmax_hz)) fail("fmax_hz must be greater than fmin_hz");
    if (fmax_hz > sample_rate_hz / 2) fail("fmax_hz must not exceed the Nyquist frequency sample_rate_hz / 2");
    if (sample_rate_hz / fmax_hz < 2) fail("fmax_hz must give a period of at least 2 samples");
    const int max_period = static_cast<int>(std::ceil(sample_rate_hz / fmin_hz));
    if (frame_length < 2 * (max_period + 2))
        fail("frame_length " + std::to_string(frame_length) + " is too short for fmin_hz " +
             std::to_string(fmin_hz) + ": it must be at least " + std::to_string(2 * (max_period + 2)) +
             " samples (twice the longest period, plus 4)");
    if (static_cast<std::size_t>(frame_length) > fft::kMaxSize / 2) fail("frame_length is too large");
    if (hop_length < 1 || hop_length > frame_length) fail("hop_length must be in [1, frame_length]");
    if (n_thresholds < 1) fail("n_thresholds must be >= 1");
    if (!(beta_a > 0) || !(beta_b > 0)) fail("beta_a and beta_b must be positive");
    if (!(boltzmann > 0)) fail("boltzmann must be positive");
    if (!(no_trough_prob >= 0 && no_trough_prob <= 1)) fail("no_trough_prob must be in [0, 1]");
    if (!(resolution_semitones > 0 && resolution_semitones <= 12)) fail("resolution_semitones must be in (0, 12]");
    if (!(max_transition_rate > 0)) fail("max_transition_rate must be positive");
    if (!(switch_prob > 0 && switch_prob < 1)) fail("switch_prob must be in (0, 1)");
    if (!(silence_rms >= 0)) fail("silence_rms must be >= 0");
}

struct PitchTracker::State {
    PitchConfig cfg;
    int frame = 0, hop = 0, window = 0, min_period = 0, max_period = 0;
    int nb = 0;          // pitch bins
    int jump = 0;        // largest bin change per frame
    double bins_per_octave = 0;
    int latency = 0;
    std::size_t fft_len = 0;
    std::shared_ptr<const fft::RealFFT> plan;

    std::vector<double> beta_probs;        // per threshold
    std::vector<float> log_tri;            // [d], d = 0..jump
    std::vector<float> log_norm;           // per source bin
    float log_stay = 0, log_switch = 0;

    // input
    std::vector<float> buf;  // frame_length samples being filled
    int filled = 0;

    // per-frame scratch
    std::vector<float> padded, fft_work, corr;
    std::vector<std::complex<float>> spec;
    std::vector<double> diff, cmnd;
    std::vector<int> trough_lag;
    std::vector<double> trough_prob;
    std::vector<float> emission, e0, e1, m0, m1;
    std::vector<int> a0, a1;

    // decoding
    std::vector<float> delta, next_delta;
    long frames = 0;       // frames analysed
    long decided = 0;      // frames emitted
    int cap = 0;           // ring rows (bounded mode)
    std::vector<int> bp;   // [row][2 nb]
    std::vector<Candidate> cands;  // [row][kMaxCandidates]
    std::vector<int> n_cands;
    std::vector<float> vprob;

    std::size_t row(long t) {
        if (latency >= 0) return static_cast<std::size_t>(t % cap);
        // unbounded: grow (decoding happens at flush only)
        const std::size_t r = static_cast<std::size_t>(t);
        if (n_cands.size() <= r) {
            const std::size_t rows = std::max<std::size_t>(2 * n_cands.size(), 64);
            bp.resize(rows * 2 * static_cast<std::size_t>(nb));
            cands.resize(rows * kMaxCandidates);
            n_cands.resize(rows);
            vprob.resize(rows);
        }
        return r;
    }

    double bin_hz(int b) const { return cfg.fmin_hz * std::exp2(b / bins_per_octave); }
    int hz_bin(double f) const {
        const long b = std::lround(bins_per_octave * std::log2(f / cfg.fmin_hz));
        return static_cast<int>(std::clamp<long>(b, 0, nb - 1));
    }

    void analyse(const float* x, std::size_t r);
    void viterbi_step(std::size_t r);
    void emit(long t, int state, std::vector<PitchFrame>& out);
    void decide_fixed_lag(std::vector<PitchFrame>& out);
    void decide_rest(std::vector<PitchFrame>& out);
    void feed(const float* x, std::size_t n, std::vector<PitchFrame>& out);
};

// YIN and pYIN's trough probabilities for one frame; fills the emission
// log-probabilities and the frame's candidates (row r).
void PitchTracker::State::analyse(const float* x, std::size_t r) {
    const int taus = max_period + 2;  // d(tau) for tau = 0 .. max_period + 1
    // energy gate: silence is unvoiced whatever its (numerically empty) periodicity
    double energy = 0;
    for (int i = 0; i < frame; ++i) energy += static_cast<double>(x[i]) * x[i];
    const bool silent = std::sqrt(energy / frame) < cfg.silence_rms;

    int nc = 0;
    Candidate* cand = &cands[r * kMaxCandidates];
    double voiced = 0;
    if (!silent) {
        // d(tau) = mean over m < frame - tau of (x[m] - x[m + tau])^2: every lag
        // compares pairs centred on the frame centre. Its cross term is the
        // autocorrelation, |FFT|^2 of the zero-padded frame (long enough
        // not to wrap); the energies are a prefix and a suffix sum.
        std::fill(padded.begin(), padded.end(), 0.0f);
        std::copy(x, x + frame, padded.begin());
        plan->forward(padded.data(), spec.data(), 1.0f, fft_work.data());
        for (auto& c : spec) c = std::norm(c);
        plan->inverse(spec.data(), corr.data(), 1.0f / static_cast<float>(fft_len), fft_work.data());
        double head = energy, tail = energy;  // sum x[0, frame - tau), sum x[tau, frame)
        for (int tau = 0; tau < taus; ++tau) {
            if (tau > 0) {
                head -= static_cast<double>(x[frame - tau]) * x[frame - tau];
                tail -= static_cast<double>(x[tau - 1]) * x[tau - 1];
            }
            // per pair: longer lags have fewer pairs, and without this the
            // difference of noise falls with the lag and looks periodic
            diff[tau] = std::max(0.0, head + tail - 2.0 * corr[tau]) / (frame - tau);
        }
        // cumulative mean normalised difference
        cmnd[0] = 1.0;
        double run = 0;
        for (int tau = 1; tau < taus; ++tau) {
            run += diff[tau];
            cmnd[tau] = run > 0 ? diff[tau] * tau / run : 1.0;
        }
        // troughs in [min_period, max_period]: local minima, and the first
        // lag if the curve rises from it
        trough_lag.clear();
        for (int tau = min_period; tau <= max_period; ++tau) {
            const bool trough = tau == min_period
                                    ? cmnd[tau] < cmnd[tau + 1]
                                    : cmnd[tau] < cmnd[tau - 1] && cmnd[tau] <= cmnd[tau + 1];
            if (trough) trough_lag.push_back(tau);
        }
        const int nt = static_cast<int>(trough_lag.size());
        if (nt > 0) {
            // pYIN: for each threshold, the troughs below it in lag order, the
            // k-th chosen with a truncated Boltzmann probability
            trough_prob.assign(nt, 0.0);
            const double lam = cfg.boltzmann;
            const double q = std::exp(-lam);
            int global_min = 0;
            for (int i = 1; i < nt; ++i)
                if (cmnd[trough_lag[i]] < cmnd[trough_lag[global_min]]) global_min = i;
            double below_min_mass = 0;
            for (int k = 0; k < cfg.n_thresholds; ++k) {
                const double thr = static_cast<double>(k + 1) / cfg.n_thresholds;
                int count = 0;
                for (int i = 0; i < nt; ++i) count += cmnd[trough_lag[i]] < thr;
                if (count == 0) {
                    below_min_mass += beta_probs[k];
                    continue;
                }
                const double norm = (1.0 - q) / (1.0 - std::pow(q, count));
                double pk = norm;
                for (int i = 0; i < nt; ++i) {
                    if (!(cmnd[trough_lag[i]] < thr)) continue;
                    trough_prob[i] += beta_probs[k] * pk;
                    pk *= q;
                }
            }
            trough_prob[global_min] += cfg.no_trough_prob * below_min_mass;
            // candidates: parabolic interpolation of the difference function
            // (not of d', whose normalisation skews the trough) around the trough
            for (int i = 0; i < nt; ++i) {
                const int tau = trough_lag[i];
                const double a = diff[tau + 1] + diff[tau - 1] - 2 * diff[tau];
                const double b = 0.5 * (diff[tau + 1] - diff[tau - 1]);
                double shift = 0;
                if (std::fabs(b) < std::fabs(a) && a != 0) shift = -b / a;
                const double f0 = cfg.sample_rate_hz / (tau + shift);
                voiced += trough_prob[i];
                const Candidate c{hz_bin(f0), static_cast<float>(f0), static_cast<float>(trough_prob[i])};
                if (nc < kMaxCandidates) {
                    cand[nc++] = c;
                } else {
                    int weakest = 0;
                    for (int j = 1; j < nc; ++j)
                        if (cand[j].prob < cand[weakest].prob) weakest = j;
                    if (cand[weakest].prob < c.prob) cand[weakest] = c;
                }
            }
        }
    }
    voiced = std::clamp(voiced, 0.0, 1.0);
    n_cands[r] = nc;
    vprob[r] = static_cast<float>(voiced);
    // emissions: voiced bins get their candidates' probability, unvoiced
    // bins share 1 - voiced
    std::vector<float>& em = emission;
    std::fill(em.begin(), em.begin() + nb, 0.0f);
    for (int i = 0; i < nc; ++i) em[cand[i].bin] += cand[i].prob;
    for (int b = 0; b < nb; ++b) em[b] = em[b] > 1e-30f ? std::log(em[b]) : kLogFloor;
    const double unv = (1.0 - voiced) / nb;
    const float lu = unv > 1e-30 ? static_cast<float>(std::log(unv)) : kLogFloor;
    std::fill(em.begin() + nb, em.end(), lu);
}

// One forward Viterbi step: delta_t from delta_{t-1} and the emissions,
// backpointers to row r.
void PitchTracker::State::viterbi_step(std::size_t r) {
    int* back = &bp[r * 2 * static_cast<std::size_t>(nb)];
    if (frames == 0) {
        const float init = -static_cast<float>(std::log(2.0 * nb));
        for (int s = 0; s < 2 * nb; ++s) {
            delta[s] = init + emission[s];
            back[s] = s;
        }
    } else {
        // transitions factor into voicing x pitch: M_v(j) = max_i delta(v, i)
        // + log t(i, j), a max-plus convolution with a triangular kernel
        for (int i = 0; i < nb; ++i) {
            e0[i] = delta[i] - log_norm[i];
            e1[i] = delta[nb + i] - log_norm[i];
        }
        for (int j = 0; j < nb; ++j) {
            m0[j] = e0[j] + log_tri[0];
            m1[j] = e1[j] + log_tri[0];
            a0[j] = j;
            a1[j] = j;
        }
        for (int d = 1; d <= jump && d < nb; ++d) {
            const float k = log_tri[d];
            for (int j = 0; j + d < nb; ++j) {
                const float c0 = e0[j + d] + k, c1 = e1[j + d] + k;
                if (c0 > m0[j]) { m0[j] = c0; a0[j] = j + d; }
                if (c1 > m1[j]) { m1[j] = c1; a1[j] = j + d; }
            }
            for (int j = d; j < nb; ++j) {
                const float c0 = e0[j - d] + k, c1 = e1[j - d] + k;
                if (c0 > m0[j]) { m0[j] = c0; a0[j] = j - d; }
                if (c1 > m1[j]) { m1[j] = c1; a1[j] = j - d; }
            }
        }
        for (int j = 0; j < nb; ++j) {
            // into voiced j: stay voiced or switch from unvoiced
            const float sv = log_stay + m0[j], su = log_switch + m1[j];
            if (sv >= su) { next_delta[j] = sv; back[j] = a0[j]; }
            else { next_delta[j] = su; back[j] = nb + a1[j]; }
            const float uu = log_stay + m1[j], uv = log_switch + m0[j];
            if (uu >= uv) { next_delta[nb + j] = uu; back[nb + j] = nb + a1[j]; }
            else { next_delta[nb + j] = uv; back[nb + j] = a0[j]; }
        }
        for (int s = 0; s < 2 * nb; ++s) delta[s] = next_delta[s] + emission[s];
    }
    // keep the numbers near zero
    const float top = *std::max_element(delta.begin(), delta.end());
    for (auto& v : delta) v -= top;
}

void PitchTracker::State::emit(long t, int state, std::vector<PitchFrame>& out) {
    const std::size_t r = row(t);
    PitchFrame f;
    f.index = t;
    f.voiced_prob = vprob[r];
    f.voiced = state < nb;
    if (!f.voiced) {
        f.f0_hz = std::numeric_limits<float>::quiet_NaN();
    } else {
        // the bin fixes the note; the strongest candidate near it the exact f0
        const Candidate* cand = &cands[r * kMaxCandidates];
        int best = -1;
        for (int i = 0; i < n_cands[r]; ++i)
            if (std::abs(cand[i].bin - state) <= 1 && (best < 0 || cand[i].prob > cand[best].prob)) best = i;
        f.f0_hz = best >= 0 ? cand[best].f0 : static_cast<float>(bin_hz(state));
    }
    out.push_back(f);
}

void PitchTracker::State::decide_fixed_lag(std::vector<PitchFrame>& out) {
    if (latency < 0) return;
    const long t = frames - 1;  // newest frame
    while (decided <= t - latency) {
        const long target = decided;
        int s = argmax(delta);
        for (long k = t; k > target; --k) s = bp[row(k) * 2 * static_cast<std::size_t>(nb) + s];
        emit(target, s, out);
        ++decided;
    }
}

void PitchTracker::State::decide_rest(std::vector<PitchFrame>& out) {
    if (decided >= frames) return;
    std::vector<int> states(static_cast<std::size_t>(frames - decided));
    int s = argmax(delta);
    for (long k = frames - 1; k >= decided; --k) {
        states[static_cast<std::size_t>(k - decided)] = s;
        if (k > decided) s = bp[row(k) * 2 * static_cast<std::size_t>(nb) + s];
    }
    for (long k = decided; k < frames; ++k) emit(k, states[static_cast<std::size_t>(k - decided)], out);
    decided = frames;
}

void PitchTracker::State::feed(const float* x, std::size_t n, std::vector<PitchFrame>& out) {
    std::size_t pos = 0;
    while (pos < n) {
        const std::size_t take = std::min<std::size_t>(n - pos, static_cast<std::size_t>(frame - filled));
        if (x != nullptr)
            std::memcpy(buf.data() + filled, x + pos, take * sizeof(float));
        else
            std::fill(buf.begin() + filled, buf.begin() + filled + static_cast<long>(take), 0.0f);
        filled += static_cast<int>(take);
        pos += take;
        if (filled < frame) break;
        const std::size_t r = row(frames);
        analyse(buf.data(), r);
        viterbi_step(r);
        ++frames;
        decide_fixed_lag(out);
        // the next frame starts one hop later
        std::memmove(buf.data(), buf.data() + hop, static_cast<std::size_t>(frame - hop) * sizeof(float));
        filled = frame - hop;
    }
}

// ---- PitchTracker ----------------------------------------------------------------

PitchTracker::PitchTracker(const PitchConfig& config) : s_(new State()) {
    config.validate();
    State& s = *s_;
    s.cfg = config;
    s.frame = config.frame_length;
    s.hop = config.hop_length;
    s.window = s.frame / 2;
    const double sr = config.sample_rate_hz;
    s.min_period = std::max(1, static_cast<int>(std::floor(sr / config.fmax_hz)));
    s.max_period = std::min(static_cast<int>(std::ceil(sr / config.fmin_hz)), s.frame - s.window - 2);
    s.bins_per_octave = 12.0 / config.resolution_semitones;
    s.nb = static_cast<int>(std::floor(s.bins_per_octave * std::log2(config.fmax_hz / config.fmin_hz))) + 1;
    const double semis_per_frame = config.max_transition_rate * 12.0 * s.hop / sr;
    s.jump = std::max(1, static_cast<int>(std::ceil(semis_per_frame / config.resolution_semitones)));
    s.latency = config.latency_frames;
    s.fft_len = fft::next_fast_len(static_cast<std::size_t>(s.frame + s.max_period + 2));
    s.plan = fft::real_plan(s.fft_len);

    // Beta prior mass of each threshold interval ((k)/n, (k+1)/n]
    s.beta_probs.resize(config.n_thresholds);
    double prev = 0;
    for (int k = 0; k < config.n_thresholds; ++k) {
        const double cdf = inc_beta(config.beta_a, config.beta_b, double(k + 1) / config.n_thresholds);
        s.beta_probs[k] = cdf - prev;
        prev = cdf;
    }
    // triangular pitch transitions, normalised per source bin
    s.log_tri.resize(s.jump + 1);
    for (int d = 0; d <= s.jump; ++d) s.log_tri[d] = static_cast<float>(std::log(1.0 - double(d) / (s.jump + 1)));
    s.log_norm.resize(s.nb);
    for (int i = 0; i < s.nb; ++i) {
        double z = 0;
        for (int j = std::max(0, i - s.jump); j <= std::min(s.nb - 1, i + s.jump); ++j)
            z += 1.0 - double(std::abs(i - j)) / (s.jump + 1);
        s.log_norm[i] = static_cast<float>(std::log(z));
    }
    s.log_stay = static_cast<float>(std::log1p(-config.switch_prob));
    s.log_switch = static_cast<float>(std::log(config.switch_prob));

    const std::size_t nb = static_cast<std::size_t>(s.nb);
    s.buf.assign(s.frame, 0.0f);
    s.padded.assign(s.fft_len, 0.0f);
    s.fft_work.assign(s.plan->work_size(), 0.0f);
    s.corr.assign(s.fft_len, 0.0f);
    s.spec.assign(s.plan->bins(), {});
    s.diff.assign(s.max_period + 2, 0.0);
    s.cmnd.assign(s.max_period + 2, 0.0);
    s.trough_lag.reserve(s.max_period);
    s.trough_prob.reserve(s.max_period);
    s.emission.assign(2 * nb, 0.0f);
    for (auto* v : {&s.e0, &s.e1, &s.m0, &s.m1}) v->assign(nb, 0.0f);
    s.a0.assign(nb, 0);
    s.a1.assign(nb, 0);
    s.delta.assign(2 * nb, 0.0f);
    s.next_delta.assign(2 * nb, 0.0f);
    if (s.latency >= 0) {
        s.cap = s.latency + 1;
        s.bp.assign(static_cast<std::size_t>(s.cap) * 2 * nb, 0);
        s.cands.assign(static_cast<std::size_t>(s.cap) * kMaxCandidates, Candidate{});
        s.n_cands.assign(s.cap, 0);
        s.vprob.assign(s.cap, 0.0f);
    }
    reset();
}

PitchTracker::~PitchTracker() = default;

const PitchConfig& PitchTracker::config() const { return s_->cfg; }
int PitchTracker::n_pitch_bins() const { return s_->nb; }

void PitchTracker::reset() {
    State& s = *s_;
    // frame k is centred on sample k * hop: frame_length / 2 zeros before the first
    std::fill(s.buf.begin(), s.buf.end(), 0.0f);
    s.filled = s.frame / 2;
    s.frames = 0;
    s.decided = 0;
}

void PitchTracker::push(const float* samples, std::size_t n, std::vector<PitchFrame>& out) {
    if (n > 0 && samples == nullptr) throw std::invalid_argument("PitchTracker::push: samples is null");
    s_->feed(samples, n, out);
}

void PitchTracker::flush(std::vector<PitchFrame>& out) {
    State& s = *s_;
    // pad so that 1 + n / hop frames come out: frame_length zeros in all
    s.feed(nullptr, static_cast<std::size_t>(s.frame - s.frame / 2), out);
    s.decide_rest(out);
    reset();
}

std::vector<PitchFrame> track(const PitchConfig& config, const float* samples, std::size_t n) {
    PitchTracker t(config);
    std::vector<PitchFrame> out;
    out.reserve(n / static_cast<std::size_t>(config.hop_length) + 2);
    t.push(samples, n, out);
    t.flush(out);
    return out;
}

// ---- notes ---------------------------------------------------------------------

namespace {
constexpr const char* kNoteNames[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
}

std::pair<std::string, double> hz_to_note(double hz, double a4_hz) {
    if (!(hz > 0) || !std::isfinite(hz)) throw std::invalid_argument("hz_to_note: frequency must be a positive number of Hz");
    if (!(a4_hz > 0) || !std::isfinite(a4_hz)) throw std::invalid_argument("hz_to_note: a4_hz must be positive");
    const double midi = 69.0 + 12.0 * std::log2(hz / a4_hz);
    // round half up so that cents lie in [-50, 50)
    const double nearest = std::floor(midi + 0.5);
    double cents = 100.0 * (midi - nearest);
    if (std::fabs(cents) < 1e-9) cents = 0.0;
    const long m = static_cast<long>(nearest);
    const long pc = ((m % 12) + 12) % 12;
    const long octave = (m - pc) / 12 - 1;
    return {std::string(kNoteNames[pc]) + std::to_string(octave), cents};
}

double note_to_hz(const std::string& name, double a4_hz) {
    auto bad = [&]() {
        return std::invalid_argument("note_to_hz: '" + name + "' is not a note name such as 'A4', 'C#3' or 'Bb2'");
    };
    if (name.empty()) throw bad();
    static const int base[7] = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    if (letter < 'A' || letter > 'G') throw bad();
    int pc = base[letter - 'A'];
    std::size_t i = 1;
    while (i < name.size() && (name[i] == '#' || name[i] == 'b')) {
        pc += name[i] == '#' ? 1 : -1;
        ++i;
    }
    if (i >= name.size()) throw bad();
    std::size_t used = 0;
    int octave = 0;
    try {
        octave = std::stoi(name.substr(i), &used);
    } catch (const std::exception&) {
        throw bad();
    }
    if (i + used != name.size()) throw bad();
    const int midi = (octave + 1) * 12 + pc;
    return a4_hz * std::exp2((midi - 69) / 12.0);
}

}  // namespace edgeaudio::pitch
