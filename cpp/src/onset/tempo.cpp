// Tempo by prior-weighted autocorrelation, beats by dynamic programming
// (Ellis 2007, "Beat tracking by dynamic programming").
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/onset.h"

namespace edgeaudio::onset {

namespace {

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("TempoConfig.") + field + ": " + why);
}

void require_positive(const char* field, double v) {
    if (!(std::isfinite(v) && v > 0)) fail(field, "must be a positive number, got " + std::to_string(v));
}

}  // namespace

void TempoConfig::validate() const {
    require_positive("frame_rate_hz", frame_rate_hz);
    require_positive("start_bpm", start_bpm);
    require_positive("std_octaves", std_octaves);
    require_positive("min_bpm", min_bpm);
    require_positive("max_bpm", max_bpm);
    if (max_bpm <= min_bpm) fail("max_bpm", "must be greater than min_bpm");
    if (!(std::isfinite(tightness) && tightness >= 0)) fail("tightness", "must be finite and >= 0");
}

double estimate_tempo(const TempoConfig& c, const float* s, std::size_t n) {
    c.validate();
    const long min_lag = std::max(1L, static_cast<long>(std::floor(60.0 * c.frame_rate_hz / c.max_bpm)));
    long max_lag = static_cast<long>(std::ceil(60.0 * c.frame_rate_hz / c.min_bpm));
    // at least two periods must fit for the lag to be measured
    max_lag = std::min(max_lag, static_cast<long>(n / 2));
    if (max_lag - min_lag < 2) return 0.0;
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += s[i];
    mean /= static_cast<double>(n);
    std::vector<double> e(n);
    for (std::size_t i = 0; i < n; ++i) e[i] = s[i] - mean;
    // unbiased autocorrelation at lags [min_lag - 1, max_lag + 1] (neighbours for the interpolation)
    const long lo = std::max(1L, min_lag - 1), hi = std::min(max_lag + 1, static_cast<long>(n) - 1);
    std::vector<double> score(static_cast<std::size_t>(hi + 1), 0.0);
    for (long l = lo; l <= hi; ++l) {
        double acc = 0;
        for (std::size_t i = 0; i + static_cast<std::size_t>(l) < n; ++i) acc += e[i] * e[i + l];
        const double ac = acc / static_cast<double>(static_cast<long>(n) - l);
        const double bpm = 60.0 * c.frame_rate_hz / l;
        const double z = std::log2(bpm / c.start_bpm) / c.std_octaves;
        score[static_cast<std::size_t>(l)] = ac * std::exp(-0.5 * z * z);
    }
    long best = -1;
    for (long l = min_lag; l <= max_lag; ++l)
        if (score[l] > 0 && (best < 0 || score[l] > score[best])) best = l;
    if (best < 0) return 0.0;
    // parabolic interpolation of the peak for a fractional lag
    double lag = static_cast<double>(best);
    if (best - 1 >= lo && best + 1 <= hi) {
        const double a = score[best - 1], b = score[best], d = score[best + 1];
        const double den = a - 2 * b + d;
        if (den < 0) lag += std::clamp(0.5 * (a - d) / den, -0.5, 0.5);
    }
    return 60.0 * c.frame_rate_hz / lag;
}

std::vector<long> track_beats(const TempoConfig& c, const float* s, std::size_t n, double bpm) {
    c.validate();
    if (!(std::isfinite(bpm) && bpm > 0))
        throw std::invalid_argument("track_beats: bpm must be a positive number, got " + std::to_string(bpm));
    std::vector<long> beats;
    if (n == 0) return beats;
    const double period = 60.0 * c.frame_rate_hz / bpm;
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < n; ++i) mean += s[i];
    mean /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) var += (s[i] - mean) * (s[i] - mean);
    const double sd = std::sqrt(var / static_cast<double>(n));
    if (!(sd > 0)) return beats;
    // local score: the normalised envelope smoothed by a Gaussian of width period / 32
    const long half = std::max(1L, static_cast<long>(std::lround(period)));
    std::vector<double> w(static_cast<std::size_t>(2 * half + 1));
    for (long k = -half; k <= half; ++k) w[k + half] = std::exp(-0.5 * std::pow(k * 32.0 / period, 2));
    const long N = static_cast<long>(n);
    std::vector<double> local(n, 0.0);
    for (long t = 0; t < N; ++t) {
        double acc = 0;
        for (long k = -half; k <= half; ++k)
            if (t - k >= 0 && t - k < N) acc += w[k + half] * s[t - k] / sd;
        local[t] = acc;
    }
    const double local_max = *std::max_element(local.begin(), local.end());
    // dynamic programming: best chain ending at t, predecessor in [t - 2 period, t - period / 2]
    const long far = static_cast<long>(std::lround(2 * period));
    const long near = std::max(1L, static_cast<long>(std::lround(period / 2)));
    std::vector<double> cum(n);
    std::vector<long> back(n, -1);
    bool started = false;
    for (long t = 0; t < N; ++t) {
        double best = -1e300;
        long arg = -1;
        for (long p = t - far; p <= t - near; ++p) {
            if (p < 0) continue;
            const double r = std::log(static_cast<double>(t - p) / period);
            const double v = cum[p] - c.tightness * r * r;
            if (v > best) best = v, arg = p;
        }
        // before the first real onset every frame starts its own chain
        if (!started && local[t] >= 0.01 * local_max) started = true;
        if (!started || arg < 0) {
            cum[t] = local[t];
        } else {
            cum[t] = local[t] + best;
            back[t] = arg;
        }
    }
    // last beat: the latest local maximum of cum above half the median local maximum
    std::vector<double> peaks;
    std::vector<char> is_peak(n, 0);
    for (long t = 0; t < N; ++t) {
        const bool up = t == 0 || cum[t] > cum[t - 1];
        const bool down = t == N - 1 || cum[t] >= cum[t + 1];
        if (up && down) is_peak[t] = 1, peaks.push_back(cum[t]);
    }
    if (peaks.empty()) return beats;
    std::nth_element(peaks.begin(), peaks.begin() + peaks.size() / 2, peaks.end());
    const double med = peaks[peaks.size() / 2];
    long last = -1;
    for (long t = N - 1; t >= 0; --t)
        if (is_peak[t] && cum[t] > 0.5 * med) {
            last = t;
            break;
        }
    if (last < 0) return beats;
    for (long t = last; t >= 0; t = back[t]) beats.push_back(t);
    std::reverse(beats.begin(), beats.end());
    // trim weak beats at both ends (fade in / out, silence)
    double rms = 0;
    for (long b : beats) rms += local[b] * local[b];
    const double thr = 0.5 * std::sqrt(rms / static_cast<double>(beats.size()));
    std::size_t first = 0, end = beats.size();
    while (first < end && local[beats[first]] <= thr) ++first;
    while (end > first && local[beats[end - 1]] <= thr) --end;
    return std::vector<long>(beats.begin() + static_cast<long>(first), beats.begin() + static_cast<long>(end));
}

}  // namespace edgeaudio::onset
