// Constant-Q transform by a sparse spectral kernel, CQT chroma and the chord
// features (see edgeaudio/chroma.h).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <numeric>
#include <stdexcept>
#include <string>

#include "edgeaudio/chroma.h"
#include "edgeaudio/fft.h"

namespace edgeaudio::chroma {

namespace {

constexpr double kPi = 3.14159265358979323846;

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("CqtConfig.") + field + ": " + why);
}

std::size_t next_pow2(double x) {
    std::size_t n = 1;
    while (static_cast<double>(n) < x) n <<= 1;
    return n;
}

// MIDI number of CQT bin 0's semitone, rounded (fmin and tuning included).
int first_midi(const CqtConfig& c) { return static_cast<int>(std::lround(69.0 + 12.0 * std::log2(c.bin_hz(0) / 440.0))); }

// The sparse kernel (CSR over the N/2 + 1 frame bins). Building it takes one
// length-N complex FFT per bin (about a second for 252 bins at N = 2^16), so
// kernels are cached process-wide by configuration, like the FFT plans.
struct Kernel {
    std::size_t N = 0;
    std::vector<std::size_t> row_start;
    std::vector<std::uint32_t> col;
    std::vector<fft::cfloat> val;
};

std::shared_ptr<const Kernel> build_kernel(const CqtConfig& cfg);

std::shared_ptr<const Kernel> cached_kernel(const CqtConfig& c) {
    using Key = std::tuple<double, double, int, int, double, double, double, int>;
    static std::mutex mu;
    static std::map<Key, std::shared_ptr<const Kernel>> cache;
    const Key key{c.sample_rate_hz, c.fmin_hz, c.n_bins, c.bins_per_octave, c.tuning, c.filter_scale, c.sparsity,
                  c.n_fft()};
    {
        std::lock_guard<std::mutex> lock(mu);
        auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    auto k = build_kernel(c);  // outside the lock: other configurations need not wait
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= 16) cache.erase(cache.begin());  // bounded: tunings vary per signal
    return cache.emplace(key, std::move(k)).first->second;
}

}  // namespace

void CqtConfig::validate() const {
    if (!(std::isfinite(sample_rate_hz) && sample_rate_hz > 0)) fail("sample_rate_hz", "must be a positive number");
    if (hop_length < 1) fail("hop_length", "must be >= 1, got " + std::to_string(hop_length));
    if (bins_per_octave < 1) fail("bins_per_octave", "must be >= 1, got " + std::to_string(bins_per_octave));
    if (n_bins < 1) fail("n_bins", "must be >= 1, got " + std::to_string(n_bins));
    if (!(std::isfinite(fmin_hz) && fmin_hz > 0)) fail("fmin_hz", "must be a positive number");
    if (!(std::isfinite(tuning) && std::fabs(tuning) <= bins_per_octave / 24.0))
        fail("tuning", "must be within half a semitone (|tuning| <= bins_per_octave / 24 bins), got " +
                           std::to_string(tuning));
    if (!(std::isfinite(filter_scale) && filter_scale > 0)) fail("filter_scale", "must be positive");
    if (!(std::isfinite(sparsity) && sparsity >= 0 && sparsity < 1)) fail("sparsity", "must be in [0, 1)");
    // the top filter's pass band (Hann main lobe, as librosa checks) must stay below Nyquist
    const double alpha = (std::pow(2.0, 2.0 / bins_per_octave) - 1) / (std::pow(2.0, 2.0 / bins_per_octave) + 1);
    const double top = bin_hz(n_bins - 1) * (1 + 0.5 * 1.50018310546875 * alpha / filter_scale);
    if (top > sample_rate_hz / 2)
        fail("n_bins", "the top bin's filter reaches " + std::to_string(top) + " Hz, above Nyquist (" +
                           std::to_string(sample_rate_hz / 2) + " Hz): lower n_bins or fmin_hz");
    if (filter_length(0) > 1 << 22) fail("fmin_hz", "too low for this sample rate (filter longer than 2^22 samples)");
}

double CqtConfig::bin_hz(int k) const {
    return fmin_hz * std::pow(2.0, (k + tuning) / bins_per_octave);
}

double CqtConfig::filter_length(int k) const {
    const double r2 = std::pow(2.0, 2.0 / bins_per_octave);
    const double alpha = (r2 - 1) / (r2 + 1);
    return filter_scale / alpha * sample_rate_hz / bin_hz(k);
}

int CqtConfig::n_fft() const {
    const std::size_t n = std::max(next_pow2(filter_length(0)), next_pow2(std::pow(2.0, 1 + std::ceil(std::log2(hop_length)))));
    return static_cast<int>(n);
}

struct CqtAnalyzer::State {
    CqtConfig cfg;
    std::size_t N, hop, bins;
    std::shared_ptr<const fft::RealFFT> plan;
    std::shared_ptr<const Kernel> kernel;
    std::vector<float> ring;   // 2N: each sample at p mod N and p mod N + N
    std::vector<float> frame, work;
    std::vector<fft::cfloat> spec;
    std::size_t written = 0;   // ring positions written (N/2 leading zeros count)
    std::size_t next = 0;      // next frame index
    std::size_t pushed = 0;    // signal samples pushed

    explicit State(const CqtConfig& c)
        : cfg((c.validate(), c)), N(static_cast<std::size_t>(c.n_fft())), hop(static_cast<std::size_t>(c.hop_length)),
          bins(static_cast<std::size_t>(c.n_bins)), plan(fft::real_plan(N)), kernel(cached_kernel(c)), ring(2 * N), frame(N),
          work(plan->work_size()), spec(N / 2 + 1) {
        reset();
    }

    void reset() {
        std::fill(ring.begin(), ring.end(), 0.0f);
        written = N / 2;  // the centred first frame starts N/2 before the signal
        next = 0;
        pushed = 0;
    }

    void write(float v) {
        const std::size_t i = written % N;
        ring[i] = ring[i + N] = v;
        ++written;
    }

    void emit(std::vector<float>& out) {
        const float* w = &ring[(next * hop) % N];
        std::copy(w, w + N, frame.begin());
        plan->forward(frame.data(), spec.data(), 1.0f, work.data());
        const std::size_t o = out.size();
        out.resize(o + bins);
        const std::size_t* row_start = kernel->row_start.data();
        const std::uint32_t* col = kernel->col.data();
        const fft::cfloat* val = kernel->val.data();
        for (std::size_t k = 0; k < bins; ++k) {
            float re = 0, im = 0;
            for (std::size_t e = row_start[k]; e < row_start[k + 1]; ++e) {
                const fft::cfloat a = val[e], b = spec[col[e]];
                re += a.real() * b.real() - a.imag() * b.imag();
                im += a.real() * b.imag() + a.imag() * b.real();
            }
            out[o + k] = std::sqrt(re * re + im * im);
        }
        ++next;
    }

    bool ready() const { return written >= next * hop + N; }
};

namespace {

std::shared_ptr<const Kernel> build_kernel(const CqtConfig& cfg) {
    auto kern = std::make_shared<Kernel>();
    const std::size_t N = static_cast<std::size_t>(cfg.n_fft()), bins = static_cast<std::size_t>(cfg.n_bins);
    kern->N = N;
    auto& row_start = kern->row_start;
    auto& col = kern->col;
    auto& val = kern->val;
    auto cplan = fft::complex_plan(N);
    std::vector<fft::cfloat> basis(N);
    std::vector<float> cwork(cplan->work_size());
    std::vector<double> mags(N / 2 + 1), sorted;
    row_start.assign(1, 0);
    for (std::size_t k = 0; k < bins; ++k) {
        const double len = cfg.filter_length(static_cast<int>(k));
        const double f = cfg.bin_hz(static_cast<int>(k));
        // librosa.filters.wavelet: t = arange(floor(-len/2), floor(len/2)), periodic Hann of that
        // many points, unit L1 norm, centred in N by pad_center
        const long t0 = static_cast<long>(std::floor(-len / 2)), t1 = static_cast<long>(std::floor(len / 2));
        const std::size_t L = static_cast<std::size_t>(t1 - t0);
        const std::size_t lpad = (N - L) / 2;
        std::fill(basis.begin(), basis.end(), fft::cfloat(0, 0));
        double l1 = 0;
        for (std::size_t i = 0; i < L; ++i) l1 += 0.5 - 0.5 * std::cos(2 * kPi * i / L);
        // the kernel row: spectrum x len / N, then / sqrt(len) for librosa's scale=True
        const double gain = len / static_cast<double>(N) / std::sqrt(len) / l1;
        for (std::size_t i = 0; i < L; ++i) {
            const double w = 0.5 - 0.5 * std::cos(2 * kPi * i / L);
            const double ph = 2 * kPi * f * static_cast<double>(t0 + static_cast<long>(i)) / cfg.sample_rate_hz;
            basis[lpad + i] = fft::cfloat(static_cast<float>(gain * w * std::cos(ph)),
                                          static_cast<float>(gain * w * std::sin(ph)));
        }
        cplan->forward(basis.data(), basis.data(), 1.0f, cwork.data());
        // librosa.util.sparsify_rows: keep entries at least as large as the one where the
        // ascending cumulative magnitude (over the row's L1 norm) first reaches `sparsity`
        double norm = 0;
        for (std::size_t j = 0; j <= N / 2; ++j) norm += mags[j] = std::abs(basis[j]);
        sorted.assign(mags.begin(), mags.end());
        std::sort(sorted.begin(), sorted.end());
        double cum = 0, thr = sorted.back();
        for (double m : sorted) {
            cum += m / norm;
            if (!(cum < cfg.sparsity)) { thr = m; break; }
        }
        for (std::size_t j = 0; j <= N / 2; ++j)
            if (mags[j] >= thr) {
                col.push_back(static_cast<std::uint32_t>(j));
                val.push_back(basis[j]);
            }
        row_start.push_back(col.size());
    }
    return kern;
}

}  // namespace

CqtAnalyzer::CqtAnalyzer(const CqtConfig& config) : s_(std::make_unique<State>(config)) {}
CqtAnalyzer::~CqtAnalyzer() = default;
const CqtConfig& CqtAnalyzer::config() const { return s_->cfg; }
std::size_t CqtAnalyzer::kernel_nonzeros() const { return s_->kernel->col.size(); }

void CqtAnalyzer::push(const float* x, std::size_t n, std::vector<float>& out) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw std::invalid_argument("CqtAnalyzer.push: sample " + std::to_string(i) + " is NaN or infinite");
    State& s = *s_;
    for (std::size_t i = 0; i < n; ++i) {
        // a sample overwrites the ring slot of the one N before: emit every frame that needs it first
        while (s.ready()) s.emit(out);
        s.write(x[i]);
    }
    while (s.ready()) s.emit(out);
    s.pushed += n;
}

void CqtAnalyzer::flush(std::vector<float>& out) {
    State& s = *s_;
    const std::size_t frames = s.cfg.num_frames(s.pushed);
    while (s.next < frames) {
        while (s.ready() && s.next < frames) s.emit(out);
        if (s.next < frames) s.write(0.0f);
    }
    s.reset();
}

void CqtAnalyzer::reset() { s_->reset(); }

void cqt(const CqtConfig& config, const float* x, std::size_t n, std::vector<float>& out) {
    CqtAnalyzer a(config);
    out.reserve(out.size() + config.num_frames(n) * static_cast<std::size_t>(config.n_bins));
    a.push(x, n, out);
    a.flush(out);
}

void cqt_to_chroma(const CqtConfig& c, int n_chroma, const float* mag, std::size_t frames, std::vector<float>& out) {
    c.validate();
    if (n_chroma < 1 || c.bins_per_octave % n_chroma)
        throw std::invalid_argument("cqt_to_chroma: bins_per_octave (" + std::to_string(c.bins_per_octave) +
                                    ") must be a multiple of n_chroma (" + std::to_string(n_chroma) + ")");
    // librosa.filters.cq_to_chroma: n_merge bins per chroma bin, centred; C first
    const int merge = c.bins_per_octave / n_chroma;
    const double midi0 = std::fmod(69.0 + 12.0 * std::log2(c.fmin_hz / 440.0), 12.0);
    const int roll = static_cast<int>(std::lround(midi0 * n_chroma / 12.0));
    std::vector<int> to(static_cast<std::size_t>(c.n_bins));
    for (int k = 0; k < c.n_bins; ++k) {
        const int col = (k + merge / 2) % c.bins_per_octave;  // np.roll(..., -(merge // 2), axis=1)
        to[static_cast<std::size_t>(k)] = ((col / merge + roll) % n_chroma + n_chroma) % n_chroma;
    }
    const std::size_t nc = static_cast<std::size_t>(n_chroma), nb = static_cast<std::size_t>(c.n_bins);
    for (std::size_t t = 0; t < frames; ++t) {
        const std::size_t o = out.size();
        out.resize(o + nc, 0.0f);
        for (std::size_t k = 0; k < nb; ++k) out[o + static_cast<std::size_t>(to[k])] += mag[t * nb + k];
        const float peak = *std::max_element(out.begin() + static_cast<std::ptrdiff_t>(o), out.end());
        if (peak >= FLT_MIN)
            for (std::size_t p = 0; p < nc; ++p) out[o + p] /= peak;
    }
}

void ChordFeatureConfig::validate() const {
    auto bad = [](const char* f, const std::string& why) {
        throw std::invalid_argument(std::string("ChordFeatureConfig.") + f + ": " + why);
    };
    if (!(std::isfinite(harmonic_subtract) && harmonic_subtract >= 0 && harmonic_subtract <= 2))
        bad("harmonic_subtract", "must be in [0, 2]");
    if (!(std::isfinite(harmonic_decay) && harmonic_decay >= 0 && harmonic_decay <= 1))
        bad("harmonic_decay", "must be in [0, 1]");
    if (!(std::isfinite(treble_lo_midi) && std::isfinite(treble_hi_midi) && treble_lo_midi < treble_hi_midi))
        bad("treble_hi_midi", "must be above treble_lo_midi");
    if (!std::isfinite(bass_hi_midi)) bad("bass_hi_midi", "must be finite");
}

void chord_features(const CqtConfig& c, const ChordFeatureConfig& fc, const float* mag, std::size_t frames,
                    std::vector<float>& treble, std::vector<float>& bass) {
    c.validate();
    fc.validate();
    if (c.bins_per_octave % 12)
        throw std::invalid_argument("chord_features: CqtConfig.bins_per_octave must be a multiple of 12");
    const int merge = c.bins_per_octave / 12;
    const std::size_t nb = static_cast<std::size_t>(c.n_bins);
    const int notes = c.n_bins / merge;
    const int midi0 = first_midi(c);
    // partial h lands this many semitones above its fundamental
    constexpr int kPartials = 6;
    int offset[kPartials + 1];
    for (int h = 1; h <= kPartials; ++h) offset[h] = static_cast<int>(std::lround(12.0 * std::log2(h)));
    std::vector<float> tw(static_cast<std::size_t>(notes)), bw(tw.size()), semi(tw.size());
    auto logistic = [](double x) { return 1.0 / (1.0 + std::exp(-x / 2.0)); };
    for (int s = 0; s < notes; ++s) {
        const double m = midi0 + s;
        tw[static_cast<std::size_t>(s)] = static_cast<float>(logistic(m - fc.treble_lo_midi) * logistic(fc.treble_hi_midi - m));
        bw[static_cast<std::size_t>(s)] = static_cast<float>(logistic(fc.bass_hi_midi - m) * logistic(m - 28.0));
    }
    for (std::size_t t = 0; t < frames; ++t) {
        const float* row = mag + t * nb;
        for (int s = 0; s < notes; ++s) {
            float v = 0;
            // the merge bins centred on the semitone (bin s * merge is its centre when fmin is a note)
            for (int j = -(merge / 2); j < merge - merge / 2; ++j) {
                const int k = s * merge + j;
                if (k >= 0 && k < c.n_bins) v += row[k];
            }
            semi[static_cast<std::size_t>(s)] = v;
        }
        for (int s = 0; s < notes; ++s) {
            const float a = semi[static_cast<std::size_t>(s)];
            double w = fc.harmonic_subtract;
            for (int h = 2; h <= kPartials; ++h) {
                w *= fc.harmonic_decay;
                const int u = s + offset[h];
                if (u < notes) {
                    float& v = semi[static_cast<std::size_t>(u)];
                    v = std::max(0.0f, v - static_cast<float>(w) * a);
                }
            }
        }
        const std::size_t o = treble.size();
        treble.resize(o + 12, 0.0f);
        bass.resize(o + 12, 0.0f);
        for (int s = 0; s < notes; ++s) {
            const std::size_t pc = static_cast<std::size_t>(((midi0 + s) % 12 + 12) % 12);
            treble[o + pc] += tw[static_cast<std::size_t>(s)] * semi[static_cast<std::size_t>(s)];
            bass[o + pc] += bw[static_cast<std::size_t>(s)] * semi[static_cast<std::size_t>(s)];
        }
    }
}

}  // namespace edgeaudio::chroma
