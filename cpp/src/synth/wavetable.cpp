// Band-limited wavetables: each frame is analysed once with our real FFT and
// resynthesised per octave ("mipmap level") with only the harmonics that fit
// under Nyquist for the notes that read that level. Levels are stored 16x
// oversampled (at least 512 samples) so the cubic read adds little error.
#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "edgeaudio/fft.h"
#include "edgeaudio/synth.h"

namespace edgeaudio::synth {

namespace {
constexpr double kPi = 3.14159265358979323846;

bool is_pow2(std::size_t n) { return n && !(n & (n - 1)); }

std::size_t pow2_at_least(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}
}  // namespace

Wavetable::Wavetable(const float* frames, std::size_t n_frames, std::size_t frame_len,
                     std::size_t max_harmonics) {
    if (!frames) throw std::invalid_argument("Wavetable: frames is null");
    if (n_frames < 1 || n_frames > 256)
        throw std::invalid_argument("Wavetable: n_frames must be in [1, 256], got " + std::to_string(n_frames));
    if (!is_pow2(frame_len) || frame_len < 16 || frame_len > 65536)
        throw std::invalid_argument("Wavetable: frame_len must be a power of two in [16, 65536], got " +
                                    std::to_string(frame_len));
    n_frames_ = n_frames;
    std::size_t top = frame_len / 2 - 1;  // the table's own Nyquist bin is dropped
    if (max_harmonics) top = std::min(top, max_harmonics);

    // analyse every frame once
    auto plan = fft::real_plan(frame_len);
    const std::size_t bins = frame_len / 2 + 1;
    std::vector<fft::cfloat> spectra(n_frames * bins);
    for (std::size_t f = 0; f < n_frames; ++f) {
        for (std::size_t i = 0; i < frame_len; ++i)
            if (!std::isfinite(frames[f * frame_len + i]))
                throw std::invalid_argument("Wavetable: frames contain NaN or infinity");
        plan->forward(frames + f * frame_len, spectra.data() + f * bins, 1.0f / float(frame_len));
    }

    for (std::size_t h = top;; h /= 2) {
        Level lv;
        lv.harmonics = std::max<std::size_t>(h, 1);
        lv.len = std::max<std::size_t>(512, pow2_at_least(16 * lv.harmonics));
        lv.data.assign(n_frames * (lv.len + 3), 0.0f);
        auto inv = fft::real_plan(lv.len);
        std::vector<fft::cfloat> spec(lv.len / 2 + 1);
        std::vector<float> tmp(lv.len);
        for (std::size_t f = 0; f < n_frames; ++f) {
            std::fill(spec.begin(), spec.end(), fft::cfloat(0.0f, 0.0f));
            for (std::size_t k = 0; k <= lv.harmonics; ++k) spec[k] = spectra[f * bins + k];
            spec[0] = {spec[0].real(), 0.0f};
            inv->inverse(spec.data(), tmp.data(), 1.0f);
            float* t = lv.data.data() + f * (lv.len + 3);
            t[0] = tmp[lv.len - 1];
            std::copy(tmp.begin(), tmp.end(), t + 1);
            t[lv.len + 1] = tmp[0];
            t[lv.len + 2] = tmp[1];
        }
        levels_.push_back(std::move(lv));
        if (h <= 1) break;
    }
}

Wavetable Wavetable::classic(Shape shape, std::size_t harmonics) {
    if (harmonics < 1) throw std::invalid_argument("Wavetable::classic: harmonics must be >= 1");
    const std::size_t len = std::max<std::size_t>(16, pow2_at_least(2 * (harmonics + 1)));
    // Fourier series written straight into the spectrum: x = sum b_h sin(2 pi h t)
    const std::size_t top = std::min(harmonics, len / 2 - 1);
    std::vector<fft::cfloat> spec(len / 2 + 1, fft::cfloat(0.0f, 0.0f));
    for (std::size_t h = 1; h <= top; ++h) {
        double b = 0.0;
        switch (shape) {
            case Shape::Sine: b = h == 1 ? 1.0 : 0.0; break;
            case Shape::Saw: b = (h % 2 ? 2.0 : -2.0) / (kPi * double(h)); break;
            case Shape::Square: b = h % 2 ? 4.0 / (kPi * double(h)) : 0.0; break;
            case Shape::Triangle:
                b = h % 2 ? ((h / 2) % 2 ? -8.0 : 8.0) / (kPi * kPi * double(h) * double(h)) : 0.0;
                break;
        }
        spec[h] = fft::cfloat(0.0f, float(-0.5 * b));  // sin -> -i/2 at +h (inverse is unnormalised)
    }
    std::vector<float> frame(len);
    // the inverse sums X[h] e^{+iw} + conj(X[h]) e^{-iw} = b sin(w)
    fft::real_plan(len)->inverse(spec.data(), frame.data(), 1.0f);
    return Wavetable(frame.data(), 1, len, top);
}

std::size_t Wavetable::level_for(double phase_inc) const {
    phase_inc = std::fabs(phase_inc);
    for (std::size_t l = 0; l < levels_.size(); ++l)
        if (double(levels_[l].harmonics) * phase_inc < 0.5) return l;
    return levels_.size() - 1;
}

const float* Wavetable::table(std::size_t level, std::size_t frame) const {
    const Level& lv = levels_[level];
    return lv.data.data() + frame * (lv.len + 3) + 1;
}

namespace {
// Catmull-Rom / Hermite cubic between t[i] and t[i+1]; t[-1] and t[i+2] valid.
inline float hermite(const float* t, std::size_t i, float x) {
    const float xm1 = t[int(i) - 1], x0 = t[i], x1 = t[i + 1], x2 = t[i + 2];
    const float c1 = 0.5f * (x1 - xm1);
    const float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
    const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
    return ((c3 * x + c2) * x + c1) * x + x0;
}

// One level's frame pair at phase p in [0, 1), morphed by `mix`.
inline float read(const float* a, const float* b, float mix, std::size_t len, double p) {
    const float pos = float(p) * float(len);
    std::size_t idx = std::size_t(pos);
    if (idx >= len) idx = len - 1;  // p rounds up to 1.0f in float
    const float x = pos - float(idx);
    float y = hermite(a, idx, x);
    if (mix > 0.0f) y += mix * (hermite(b, idx, x) - y);
    return y;
}
}  // namespace

void WavetableOscillator::render(float* out, std::size_t n, double freq_hz, double sample_rate,
                                 const float* pm, float morph, float gain, bool accumulate) {
    if (!table_) {
        if (!accumulate) std::fill(out, out + n, 0.0f);
        return;
    }
    const double inc = freq_hz / sample_rate;
    const std::size_t level = table_->level_for(inc);
    // Crossfade to the next (poorer) level over the upper half of this level's octave, so the
    // top harmonics fade out as the pitch rises instead of vanishing at the octave switch: the
    // weight goes 0 -> 1 as harmonics * inc goes 0.25 -> 0.5, and the next level starts at 0.
    // Both levels stay under Nyquist, so the band limit holds.
    const std::size_t next = std::min(level + 1, table_->n_levels() - 1);
    const double reach = double(table_->level_harmonics(level)) * std::fabs(inc);  // < 0.5 unless the last level
    const float fade = next == level || table_->level_harmonics(next) == table_->level_harmonics(level)
                           ? 0.0f
                           : float(std::min(std::max((reach - 0.25) / 0.25, 0.0), 1.0));
    const std::size_t last = table_->n_frames() - 1;
    morph = std::min(std::max(morph, 0.0f), float(last));
    const std::size_t f0 = std::min(std::size_t(morph), last);
    const std::size_t f1 = std::min(f0 + 1, last);
    const float mix = morph - float(f0);
    const std::size_t len = table_->level_length(level), len2 = table_->level_length(next);
    const float* a = table_->table(level, f0);
    const float* b = table_->table(level, f1);
    const float* a2 = table_->table(next, f0);
    const float* b2 = table_->table(next, f1);
    double ph = phase_;
    for (std::size_t i = 0; i < n; ++i) {
        double p = ph;
        if (pm) p += double(pm[i]);
        p -= std::floor(p);
        float y = read(a, b, mix, len, p);
        if (fade > 0.0f) y += fade * (read(a2, b2, mix, len2, p) - y);
        y *= gain;
        out[i] = accumulate ? out[i] + y : y;
        ph += inc;
        if (ph >= 1.0) ph -= 1.0;
        else if (ph < 0.0) ph += 1.0;
    }
    phase_ = ph;
}

}  // namespace edgeaudio::synth
