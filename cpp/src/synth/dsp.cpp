// Envelope, filter and plucked string: the small per-voice DSP blocks.
#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "edgeaudio/synth.h"

namespace edgeaudio::synth {

namespace {
constexpr double kPi = 3.14159265358979323846;

void require(bool ok, const char* field, const std::string& what) {
    if (!ok) throw std::invalid_argument(std::string("AdsrConfig.") + field + " " + what);
}
}  // namespace

// ------------------------------------------------------------------ Adsr
// Each timed stage runs v <- v * coef + base towards an asymptote placed
// beyond the stage's end value (by `ratio` of the step), so the curve is
// exponential but lands on the end value after exactly the stage's samples.

Adsr::Adsr(const AdsrConfig& cfg, double sample_rate) : cfg_(cfg), sr_(sample_rate) {
    require(std::isfinite(cfg.attack_s) && cfg.attack_s >= 0, "attack_s", "must be >= 0");
    require(std::isfinite(cfg.decay_s) && cfg.decay_s >= 0, "decay_s", "must be >= 0");
    require(std::isfinite(cfg.release_s) && cfg.release_s >= 0, "release_s", "must be >= 0");
    require(cfg.sustain >= 0 && cfg.sustain <= 1, "sustain", "must be in [0, 1]");
    require(cfg.curve >= 0 && cfg.curve <= 1, "curve", "must be in [0, 1]");
    if (!(sample_rate > 0)) throw std::invalid_argument("Adsr: sample_rate must be > 0");
}

void Adsr::gate_on() { enter(Stage::Attack); }

void Adsr::gate_off() {
    if (stage_ != Stage::Idle && stage_ != Stage::Release) enter(Stage::Release);
}

void Adsr::enter(Stage s) {
    for (;;) {
        stage_ = s;
        float seconds = 0.0f;
        switch (s) {
            case Stage::Attack: target_ = 1.0f; seconds = cfg_.attack_s; break;
            case Stage::Decay: target_ = cfg_.sustain; seconds = cfg_.decay_s; break;
            case Stage::Release: target_ = 0.0f; seconds = cfg_.release_s; break;
            case Stage::Sustain:
                value_ = cfg_.sustain;
                if (cfg_.sustain <= 0.0f) { stage_ = Stage::Idle; value_ = 0.0f; }
                return;
            case Stage::Idle: value_ = 0.0f; return;
        }
        left_ = std::uint32_t(std::lround(double(seconds) * sr_));
        if (left_ == 0 || value_ == target_) {
            value_ = target_;
            s = s == Stage::Attack ? Stage::Decay : s == Stage::Decay ? Stage::Sustain : Stage::Idle;
            continue;
        }
        if (cfg_.curve <= 0.0f) {
            coef_ = 1.0f;
            base_ = (target_ - value_) / float(left_);
        } else {
            const double ratio = 0.001 * std::pow(10.0, 3.0 * (1.0 - cfg_.curve));
            const double asym = target_ + (target_ - value_) * ratio;
            const double c = std::pow(ratio / (1.0 + ratio), 1.0 / double(left_));
            coef_ = float(c);
            base_ = float(asym * (1.0 - c));
        }
        return;
    }
}

float Adsr::next() {
    switch (stage_) {
        case Stage::Idle: return 0.0f;
        case Stage::Sustain: return value_;
        default: break;
    }
    value_ = value_ * coef_ + base_;
    if (--left_ == 0) {
        const float reached = value_ = target_;
        const Stage s = stage_;
        enter(s == Stage::Attack ? Stage::Decay : s == Stage::Decay ? Stage::Sustain : Stage::Idle);
        return reached;
    }
    return value_;
}

// ------------------------------------------------------------------ Svf
// Zavalishin's trapezoidal (TPT) state-variable filter: stable under fast
// cutoff changes, which the per-voice envelope sweep needs.

void Svf::set(double cutoff_hz, double q, double sample_rate) {
    const double fc = std::min(std::max(cutoff_hz, 5.0), 0.49 * sample_rate);
    g_ = float(std::tan(kPi * fc / sample_rate));
    k_ = float(1.0 / std::max(q, 0.05));
    a1_ = 1.0f / (1.0f + g_ * (g_ + k_));
    a2_ = g_ * a1_;
    a3_ = g_ * a2_;
}

void Svf::process(float* x, std::size_t n, Mode mode) {
    float ic1 = ic1_, ic2 = ic2_;
    for (std::size_t i = 0; i < n; ++i) {
        const float v0 = x[i];
        const float v3 = v0 - ic2;
        const float v1 = a1_ * ic1 + a2_ * v3;
        const float v2 = ic2 + a2_ * ic1 + a3_ * v3;
        ic1 = 2.0f * v1 - ic1;
        ic2 = 2.0f * v2 - ic2;
        x[i] = mode == Mode::LowPass ? v2 : mode == Mode::BandPass ? v1 : v0 - k_ * v1 - v2;
    }
    // flush denormals of a decayed voice
    if (std::fabs(ic1) < 1e-20f) ic1 = 0.0f;
    if (std::fabs(ic2) < 1e-20f) ic2 = 0.0f;
    ic1_ = ic1;
    ic2_ = ic2;
}

// ------------------------------------------------------------------ PluckedString
// Karplus-Strong: a noise burst circulates in a delay line through a two-point
// loss filter (1 - s) + s z^-1 (s from brightness) and a first-order allpass
// that supplies the fractional part of the period, so the pitch is exact.

PluckedString::PluckedString(double sample_rate, double min_freq_hz) : sr_(sample_rate) {
    if (!(sample_rate > 0)) throw std::invalid_argument("PluckedString: sample_rate must be > 0");
    if (!(min_freq_hz > 0)) throw std::invalid_argument("PluckedString: min_freq_hz must be > 0");
    line_.assign(std::size_t(sample_rate / min_freq_hz) + 4, 0.0f);
}

void PluckedString::reset() {
    std::fill(line_.begin(), line_.end(), 0.0f);
    ap_x1_ = ap_y1_ = last_ = 0.0f;
    pos_ = 0;
}

void PluckedString::set_loop_gain(double t60_s) {
    const double w = 2.0 * kPi * freq_ / sr_;
    const double s = s_;
    const double mag = std::abs(std::complex<double>(1.0 - s + s * std::cos(w), -s * std::sin(w)));
    double g = std::pow(10.0, -3.0 / (freq_ * std::max(t60_s, 1e-3))) / std::max(mag, 1e-6);
    gain_ = float(std::min(g, 0.99999));
}

void PluckedString::pluck(double freq_hz, float velocity, double decay_s, float brightness,
                          std::uint32_t seed) {
    brightness = std::min(std::max(brightness, 0.0f), 1.0f);
    const double max_len = double(line_.size() - 2);
    freq_ = std::min(std::max(freq_hz, sr_ / max_len), sr_ / 8.0);
    s_ = 0.5f - 0.45f * brightness;
    const double period = sr_ / freq_;
    // loop delay = len + s (loss filter) + d (allpass); keep d in [0.1, 1.1)
    len_ = std::size_t(std::floor(period - s_ - 0.1));
    const double d = period - s_ - double(len_);
    ap_c_ = float((1.0 - d) / (1.0 + d));
    set_loop_gain(decay_s);
    // excitation: noise, low-passed more for soft and dull plucks
    const float lp = 0.15f + 0.8f * brightness * (0.4f + 0.6f * velocity);
    std::uint32_t x = seed ? seed : 1u;
    float y = 0.0f, mean = 0.0f;
    for (std::size_t i = 0; i < len_; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const float noise = float(x) * (2.0f / 4294967296.0f) - 1.0f;
        y += lp * (noise - y);
        line_[i] = y;
        mean += y;
    }
    mean /= float(len_);
    float peak = 1e-9f;
    for (std::size_t i = 0; i < len_; ++i) peak = std::max(peak, std::fabs(line_[i] -= mean));
    for (std::size_t i = 0; i < len_; ++i) line_[i] *= velocity / peak;
    pos_ = 0;
    ap_x1_ = ap_y1_ = last_ = 0.0f;
}

void PluckedString::damp(double release_s) { set_loop_gain(release_s); }

void PluckedString::render(float* out, std::size_t n, float gain, bool accumulate) {
    if (len_ == 0) {
        if (!accumulate) std::fill(out, out + n, 0.0f);
        return;
    }
    const float a = 1.0f - s_, b = s_, c = ap_c_, g = gain_;
    float x1 = ap_x1_, y1 = ap_y1_, prev = last_;
    std::size_t pos = pos_;
    for (std::size_t i = 0; i < n; ++i) {
        const float delayed = line_[pos];
        const float lp = a * delayed + b * prev;
        prev = delayed;
        const float ap = c * lp + x1 - c * y1;
        x1 = lp;
        y1 = ap;
        const float y = g * ap;
        line_[pos] = y;
        if (++pos == len_) pos = 0;
        out[i] = accumulate ? out[i] + gain * delayed : gain * delayed;
    }
    ap_x1_ = std::fabs(x1) < 1e-20f ? 0.0f : x1;
    ap_y1_ = std::fabs(y1) < 1e-20f ? 0.0f : y1;
    last_ = prev;
    pos_ = pos;
}

}  // namespace edgeaudio::synth
