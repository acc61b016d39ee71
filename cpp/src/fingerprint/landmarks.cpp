// Landmark fingerprints: frontend spectra -> dB -> stable level (min over
// stable_frames) -> 2-D peaks with an adaptive
// threshold -> strongest peaks per block -> anchor/target pairs -> hashes.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "edgeaudio/fingerprint.h"
#include "edgeaudio/frontend.h"

namespace edgeaudio::fingerprint {

namespace ef = edgeaudio::frontend;

namespace {

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("FingerprintConfig.") + field + ": " + why);
}

void require_range(const char* field, int v, int lo, int hi) {
    if (v < lo || v > hi)
        fail(field, "must be in " + std::to_string(lo) + " .. " + std::to_string(hi) + ", got " +
                        std::to_string(v));
}

void require_positive(const char* field, double v) {
    if (!(std::isfinite(v) && v > 0)) fail(field, "must be a positive number, got " + std::to_string(v));
}

ef::FrontendConfig frontend_config(const FingerprintConfig& c) {
    return ef::FrontendConfig::hann_power_spectrum(c.sample_rate_hz, c.n_fft, c.hop_length, false);
}

constexpr std::size_t kFrontendFrames = 64;  // frames the frontend writes per call
constexpr int kFreqBits = 7, kDtBits = 6;
constexpr int kMaxField = (1 << kFreqBits) - 1, kMaxDt = (1 << kDtBits) - 1;
constexpr int kRatioZero = 1 << (kFreqBits - 1);

int clamp_field(double v, int hi) {
    if (!(v > 0)) return 0;  // also NaN
    return v >= hi ? hi : static_cast<int>(v);
}

// Frame used for the target zone: the peak's own frame (refinement stays
// within +-0.49, so rounding gives it back).
long zone_frame(const Peak& p) { return std::lround(p.frame); }

// Appends the landmarks of anchor peaks[i] with its targets among peaks[i+1..n).
void pair_anchor(const FingerprintConfig& c, const Peak* peaks, std::size_t i, std::size_t n, double speed,
                 std::vector<Landmark>& out) {
    const Peak& a = peaks[i];
    const long ta = zone_frame(a);
    const auto anchor_frame = static_cast<std::int32_t>(std::lround(a.frame * speed));
    int made = 0;
    for (std::size_t j = i + 1; j < n && made < c.fan_out; ++j) {
        const Peak& b = peaks[j];
        const long dt = zone_frame(b) - ta;
        if (dt > c.target_dt_max) break;
        if (dt < c.target_dt_min) continue;
        if (std::abs(std::log2(static_cast<double>(b.bin) / a.bin)) > c.target_octaves) continue;
        out.push_back({pair_hash(c, a, b, speed), anchor_frame});
        ++made;
    }
}

}  // namespace

void FingerprintConfig::validate() const {
    require_positive("sample_rate_hz", sample_rate_hz);
    require_range("n_fft", n_fft, 64, 1 << 16);
    require_range("hop_length", hop_length, 1, n_fft);
    require_positive("fmin_hz", fmin_hz);
    if (!(std::isfinite(fmax_hz) && fmax_hz > fmin_hz && fmax_hz < sample_rate_hz / 2))
        fail("fmax_hz", "must lie between fmin_hz and sample_rate_hz / 2, got " + std::to_string(fmax_hz));
    const double bin_hz = sample_rate_hz / n_fft;
    if (std::floor(fmax_hz / bin_hz) - std::ceil(fmin_hz / bin_hz) < 2)
        fail("fmax_hz", "the band fmin_hz .. fmax_hz must span at least 3 FFT bins");
    if (!std::isfinite(floor_db)) fail("floor_db", "must be finite");
    require_range("peak_freq_radius", peak_freq_radius, 1, n_fft / 4);
    require_range("peak_time_radius", peak_time_radius, 1, 64);
    if (!(std::isfinite(min_prominence_db) && min_prominence_db >= 0))
        fail("min_prominence_db", "must be finite and >= 0");
    require_range("stable_frames", stable_frames, 1, 8);
    if (!(std::isfinite(peak_hold_db) && peak_hold_db >= 0)) fail("peak_hold_db", "must be finite and >= 0");
    require_positive("peaks_per_second", peaks_per_second);
    require_range("fan_out", fan_out, 1, 64);
    require_range("target_dt_min", target_dt_min, 1, kMaxDt);
    require_range("target_dt_max", target_dt_max, target_dt_min, kMaxDt);
    if (!(std::isfinite(target_octaves) && target_octaves > 0 && target_octaves <= 2.5))
        fail("target_octaves", "must be in (0, 2.5], got " + std::to_string(target_octaves));
    require_range("bands_per_octave", bands_per_octave, 4, 48);
    frontend_config(*this).validate();
}

int FingerprintConfig::block_frames() const {
    return std::max(1, static_cast<int>(std::lround(1.0 / frame_seconds())));
}

int FingerprintConfig::peaks_per_block() const {
    return std::max(1, static_cast<int>(std::lround(peaks_per_second * block_frames() * frame_seconds())));
}

std::size_t FingerprintConfig::num_frames(std::size_t n) const {
    const auto nf = static_cast<std::size_t>(n_fft), hop = static_cast<std::size_t>(hop_length);
    return n < nf ? 0 : 1 + (n - nf) / hop;
}

std::uint32_t pair_hash(const FingerprintConfig& c, const Peak& a, const Peak& b, double speed) {
    const double bin_hz = c.sample_rate_hz / c.n_fft / speed;
    const double fa = a.bin * bin_hz, fb = b.bin * bin_hz;
    const int qa = clamp_field(std::floor(c.bands_per_octave * std::log2(fa / c.fmin_hz)), kMaxField);
    const int qr = clamp_field(std::floor(c.bands_per_octave * std::log2(fb / fa)) + kRatioZero, kMaxField);
    const long dt = std::lround((b.frame - a.frame) * speed);
    const int qdt = static_cast<int>(std::clamp(dt, 1L, static_cast<long>(kMaxDt)));
    return (static_cast<std::uint32_t>(qa) << (kFreqBits + kDtBits)) |
           (static_cast<std::uint32_t>(qr) << kDtBits) | static_cast<std::uint32_t>(qdt);
}

void pair_peaks(const FingerprintConfig& config, const Peak* peaks, std::size_t n, double speed,
                std::vector<Landmark>& out) {
    if (!(std::isfinite(speed) && speed >= 0.5 && speed <= 2.0))
        throw std::invalid_argument("pair_peaks: speed must be in 0.5 .. 2, got " + std::to_string(speed));
    for (std::size_t i = 0; i < n; ++i) pair_anchor(config, peaks, i, n, speed, out);
}

struct Extractor::State {
    FingerprintConfig cfg;
    ef::Frontend fe;
    std::size_t n_bins;
    int k0, k1, nb;          // band bins [k0, k1], nb of them
    int T, F, ring_rows;     // peak radii; ring of 2T+1 stable rows
    int M;                   // stable_frames: rows of the dB ring
    int B, K;                // block frames, peaks kept per block
    float floor_db, hold_db;
    std::vector<float> block;  // frontend output
    std::vector<float> raw;      // ring: M dB rows over bins k0-1 .. k1+1 (nb + 2)
    std::vector<float> stable;   // ring: stable-level rows over bins k0-1 .. k1+1 (nb + 2)
    std::vector<float> fmax;     // ring: frequency-max-filtered stable rows over the band (nb)
    std::vector<double> csum;    // prefix sums of the centre row (nb + 1)
    std::vector<Peak> candidates, pending;
    long frames = 0;           // spectra seen
    long rows = 0;             // stable rows made (frames - M + 1 once M frames are in)
    long decided = 0;          // next centre row to decide
    std::size_t next_anchor = 0;

    explicit State(const FingerprintConfig& c)
        : cfg((c.validate(), c)), fe(frontend_config(c)), n_bins(fe.output_size()) {
        const double bin_hz = c.sample_rate_hz / c.n_fft;
        k0 = std::max(1, static_cast<int>(std::ceil(c.fmin_hz / bin_hz)));
        k1 = std::min(static_cast<int>(n_bins) - 2, static_cast<int>(std::floor(c.fmax_hz / bin_hz)));
        nb = k1 - k0 + 1;
        T = c.peak_time_radius;
        F = c.peak_freq_radius;
        M = c.stable_frames;
        ring_rows = 2 * T + 1;
        B = c.block_frames();
        K = c.peaks_per_block();
        floor_db = static_cast<float>(c.floor_db);
        hold_db = static_cast<float>(c.peak_hold_db);
        block.resize(kFrontendFrames * n_bins);
        raw.resize(static_cast<std::size_t>(M) * (nb + 2));
        stable.resize(static_cast<std::size_t>(ring_rows) * (nb + 2));
        fmax.resize(static_cast<std::size_t>(ring_rows) * nb);
        csum.resize(static_cast<std::size_t>(nb) + 1);
        candidates.reserve(static_cast<std::size_t>(B) * nb);
        pending.reserve(static_cast<std::size_t>(K) * (c.target_dt_max / B + 4));
    }

    float* raw_row(long t) { return &raw[static_cast<std::size_t>(t % M) * (nb + 2)]; }
    float* stable_row(long t) { return &stable[static_cast<std::size_t>(t % ring_rows) * (nb + 2)]; }
    float* fmax_row(long t) { return &fmax[static_cast<std::size_t>(t % ring_rows) * nb]; }

    void reset() {
        fe.reset();
        frames = rows = decided = 0;
        candidates.clear();
        pending.clear();
        next_anchor = 0;
    }

    // A new spectrum. Once M are in, the stable-level row of frame u = frames - M:
    // S_u[k] = min over frames u .. u+M-1 of the dB level, so a peak must hold M frames (a note does,
    // a drum hit's or a talker's glide's partials do not) and a level flicker of noise is cut down.
    void add_spectrum(const float* p) {
        float* L = raw_row(frames);  // L[0] is bin k0 - 1
        const float floor_power = std::pow(10.0f, floor_db / 10.0f);
        for (int i = 0; i < nb + 2; ++i)
            L[i] = 10.0f * std::log10(std::max(p[k0 - 1 + i], floor_power));
        ++frames;
        if (frames < M) return;
        const long u = frames - M;
        float* S = stable_row(u);
        for (int i = 0; i < nb + 2; ++i) {
            float v = raw_row(u)[i];
            for (long j = u + 1; j < frames; ++j) v = std::min(v, raw_row(j)[i]);
            S[i] = v;
        }
        float* Mx = fmax_row(u);
        for (int i = 0; i < nb; ++i) {
            const int lo = std::max(0, i - F), hi = std::min(nb - 1, i + F);
            float m = S[1 + lo];
            for (int j = lo + 1; j <= hi; ++j) m = std::max(m, S[1 + j]);
            Mx[i] = m;
        }
        ++rows;
    }

    // Decides centre row c, with rows [0, end) known.
    void decide(long c, long end) {
        const long lo = std::max(0L, c - T), hi = std::min(end - 1, c + T);
        const float* S = stable_row(c);
        csum[0] = 0;
        for (int i = 0; i < nb; ++i) csum[i + 1] = csum[i] + S[1 + i];
        const int W = 2 * F;
        for (int i = 0; i < nb; ++i) {
            const float v = S[1 + i];
            if (!(v > floor_db)) continue;
            // the maximum of its neighbourhood, where levels within peak_hold_db count as equal and the
            // earliest of equals wins: a held note, flat but for ripple, peaks once, at its onset
            bool is_max = v >= fmax_row(c)[i];
            for (long j = lo; j < c && is_max; ++j) is_max = v > fmax_row(j)[i] + hold_db;
            for (long j = c + 1; j <= hi && is_max; ++j) is_max = v + hold_db >= fmax_row(j)[i];
            if (!is_max) continue;
            const int a = std::max(0, i - W), b = std::min(nb - 1, i + W);
            const float prominence = static_cast<float>(v - (csum[b + 1] - csum[a]) / (b - a + 1));
            if (prominence < cfg.min_prominence_db) continue;
            candidates.push_back({static_cast<float>(c) + refine(c > lo ? stable_row(c - 1)[1 + i] : v, v,
                                                                 c < hi ? stable_row(c + 1)[1 + i] : v),
                                  static_cast<float>(k0 + i) + refine(S[i], v, S[2 + i]), prominence});
        }
    }

    // Vertex offset of the parabola through (-1, a), (0, b), (1, c), within +-0.49.
    static float refine(float a, float b, float c) {
        const float den = a - 2.0f * b + c;
        if (!(den < 0.0f)) return 0.0f;
        return std::clamp(0.5f * (a - c) / den, -0.49f, 0.49f);
    }

    // Keeps the strongest candidates of the block that ends at frame `last`
    // (`frames_in_block` frames), in time then frequency order.
    void close_block(long last, int frames_in_block, std::vector<Peak>* peaks_out) {
        const std::size_t keep = std::min(
            candidates.size(),
            static_cast<std::size_t>((static_cast<long>(K) * frames_in_block + B - 1) / B));
        auto by_strength = [](const Peak& x, const Peak& y) {
            if (x.strength != y.strength) return x.strength > y.strength;
            if (x.frame != y.frame) return x.frame < y.frame;
            return x.bin < y.bin;
        };
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<long>(keep), candidates.end(),
                          by_strength);
        candidates.resize(keep);
        std::sort(candidates.begin(), candidates.end(), [](const Peak& x, const Peak& y) {
            const long tx = zone_frame(x), ty = zone_frame(y);
            return tx != ty ? tx < ty : x.bin < y.bin;
        });
        for (const Peak& p : candidates) {
            pending.push_back(p);
            if (peaks_out) peaks_out->push_back(p);
        }
        candidates.clear();
        finalised_through(last);
    }

    // Pairs the anchors whose whole target zone lies at or before frame `last`.
    void finalised_through(long last) {
        pair_ready([&](const Peak& p) { return zone_frame(p) + cfg.target_dt_max <= last; });
    }

    template <class Ready>
    void pair_ready(Ready ready) {
        while (next_anchor < pending.size() && ready(pending[next_anchor])) {
            pair_anchor(cfg, pending.data(), next_anchor, pending.size(), 1.0, *out);
            ++next_anchor;
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<long>(next_anchor));
        next_anchor = 0;
    }

    std::vector<Landmark>* out = nullptr;

    void process_frames(std::size_t count, std::vector<Peak>* peaks_out) {
        for (std::size_t j = 0; j < count; ++j) {
            add_spectrum(&block[j * n_bins]);
            while (decided + T < rows) {
                decide(decided, rows);
                if ((decided + 1) % B == 0) close_block(decided, B, peaks_out);
                ++decided;
            }
        }
    }

    void finish(std::vector<Peak>* peaks_out) {
        while (decided < rows) {
            decide(decided, rows);
            const bool block_end = (decided + 1) % B == 0;
            if (block_end || decided + 1 == rows)
                close_block(decided, block_end ? B : static_cast<int>(decided % B + 1), peaks_out);
            ++decided;
        }
        pair_ready([](const Peak&) { return true; });
    }
};

Extractor::Extractor(const FingerprintConfig& config) : s_(std::make_unique<State>(config)) {}
Extractor::~Extractor() = default;

const FingerprintConfig& Extractor::config() const { return s_->cfg; }
std::size_t Extractor::frames() const { return static_cast<std::size_t>(s_->frames); }

void Extractor::push(const float* x, std::size_t n, std::vector<Landmark>& landmarks, std::vector<Peak>* peaks) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw std::invalid_argument("Extractor.push: sample " + std::to_string(i) + " is NaN or infinite");
    s_->out = &landmarks;
    while (n > 0) {
        std::size_t used = 0;
        const std::size_t k = s_->fe.push(x, n, s_->block.data(), kFrontendFrames, &used);
        s_->process_frames(k, peaks);
        x += used;
        n -= used;
    }
    s_->out = nullptr;
}

void Extractor::flush(std::vector<Landmark>& landmarks, std::vector<Peak>* peaks) {
    s_->out = &landmarks;
    const std::size_t k = s_->fe.flush(s_->block.data());
    s_->process_frames(k, peaks);
    s_->finish(peaks);
    s_->out = nullptr;
    s_->reset();
}

void Extractor::reset() { s_->reset(); }

void extract(const FingerprintConfig& config, const float* x, std::size_t n, std::vector<Landmark>& landmarks,
             std::vector<Peak>* peaks) {
    Extractor e(config);
    e.push(x, n, landmarks, peaks);
    e.flush(landmarks, peaks);
}

}  // namespace edgeaudio::fingerprint
