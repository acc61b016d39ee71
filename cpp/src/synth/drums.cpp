// The built-in General MIDI drum kit: each percussion key is a recipe of a
// pitched body, a filtered (white or metallic) noise and a beater click, in
// the manner of analogue drum machines (TR-808/909). Times are T60 (seconds
// to fall 60 dB).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "edgeaudio/synth.h"

namespace edgeaudio::synth {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum Noise { kWhite = 0, kMetal = 1 };
enum Filter { kLow = 0, kBand = 1, kHigh = 2 };

struct Sound {
    float body_hz, start_ratio, glide_s, body_t60, body_level;  // body: sine gliding to body_hz
    float body2_ratio, body2_level;                               // a second sine at body2_ratio x
    float noise_level, noise_t60;
    int noise, filter;
    float filter_hz, filter_q;
    float click_level;
    int bursts;       // noise bursts (claps, guiro, vibraslap), >= 1
    float burst_ms;   // between bursts
};

// GM percussion keys 35 (Acoustic Bass Drum) .. 81 (Open Triangle).
// clang-format off
constexpr Sound kKit[47] = {
    // body Hz, ratio, glide s, T60, level | 2nd ratio, level | noise level, T60, kind, filter, Hz, Q | click | bursts, ms
    {  52, 3.0f, 0.030f, 0.60f, 1.00f,  0, 0,     0.10f, 0.03f, kWhite, kLow,   1500, 0.7f, 0.40f, 1, 0},  // 35 acoustic bass drum
    {  58, 3.5f, 0.025f, 0.45f, 1.00f,  0, 0,     0.10f, 0.03f, kWhite, kLow,   2000, 0.7f, 0.50f, 1, 0},  // 36 bass drum 1
    { 420, 1.3f, 0.004f, 0.06f, 0.40f,  0, 0,     0.60f, 0.05f, kWhite, kBand,  2200, 2.0f, 0.30f, 1, 0},  // 37 side stick
    { 185, 1.6f, 0.010f, 0.16f, 0.40f, 1.78f, 0.5f, 1.40f, 0.28f, kWhite, kBand, 5000, 0.6f, 0.30f, 1, 0},  // 38 acoustic snare
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.90f, 0.22f, kWhite, kBand,  1300, 1.5f, 0.00f, 4, 9},  // 39 hand clap
    { 220, 1.5f, 0.008f, 0.10f, 0.35f, 1.6f, 0.4f, 1.30f, 0.20f, kWhite, kBand, 6500, 0.8f, 0.30f, 1, 0},  // 40 electric snare
    {  82, 1.6f, 0.050f, 0.60f, 0.90f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   1500, 0.7f, 0.25f, 1, 0},  // 41 low floor tom
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.55f, 0.07f, kMetal, kHigh,  7500, 0.9f, 0.00f, 1, 0},  // 42 closed hi-hat
    {  98, 1.6f, 0.050f, 0.55f, 0.90f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   1600, 0.7f, 0.25f, 1, 0},  // 43 high floor tom
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.45f, 0.10f, kMetal, kHigh,  7000, 0.9f, 0.00f, 1, 0},  // 44 pedal hi-hat
    { 115, 1.6f, 0.045f, 0.50f, 0.90f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   1800, 0.7f, 0.25f, 1, 0},  // 45 low tom
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.55f, 0.60f, kMetal, kHigh,  7000, 0.9f, 0.00f, 1, 0},  // 46 open hi-hat
    { 135, 1.6f, 0.040f, 0.45f, 0.85f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   2000, 0.7f, 0.25f, 1, 0},  // 47 low-mid tom
    { 160, 1.6f, 0.035f, 0.42f, 0.85f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   2200, 0.7f, 0.25f, 1, 0},  // 48 hi-mid tom
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.60f, 1.80f, kMetal, kHigh,  5000, 0.7f, 0.20f, 1, 0},  // 49 crash cymbal 1
    { 190, 1.6f, 0.030f, 0.40f, 0.85f,  0, 0,     0.12f, 0.06f, kWhite, kLow,   2400, 0.7f, 0.25f, 1, 0},  // 50 high tom
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.40f, 1.20f, kMetal, kBand,  7500, 0.9f, 0.15f, 1, 0},  // 51 ride cymbal 1
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.60f, 1.30f, kMetal, kBand,  3500, 0.8f, 0.20f, 1, 0},  // 52 chinese cymbal
    { 820, 1.0f, 0.000f, 0.90f, 0.30f, 2.76f, 0.5f, 0.30f, 0.90f, kMetal, kBand, 5000, 1.0f, 0.10f, 1, 0},  // 53 ride bell
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.50f, 0.30f, kMetal, kHigh,  8500, 1.2f, 0.00f, 3, 18},  // 54 tambourine
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.55f, 0.70f, kMetal, kHigh,  6000, 0.8f, 0.15f, 1, 0},  // 55 splash cymbal
    { 562, 1.0f, 0.000f, 0.28f, 0.50f, 1.50f, 0.6f, 0.00f, 0.00f, kWhite, kBand, 2600, 1.0f, 0.10f, 1, 0},  // 56 cowbell
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.60f, 2.00f, kMetal, kHigh,  4500, 0.7f, 0.20f, 1, 0},  // 57 crash cymbal 2
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.70f, 0.12f, kWhite, kBand,  3000, 4.0f, 0.00f, 10, 28},  // 58 vibraslap
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.40f, 1.10f, kMetal, kBand,  6500, 0.9f, 0.15f, 1, 0},  // 59 ride cymbal 2
    { 400, 1.1f, 0.010f, 0.16f, 0.70f,  0, 0,     0.15f, 0.03f, kWhite, kBand,  2000, 1.0f, 0.20f, 1, 0},  // 60 hi bongo
    { 290, 1.1f, 0.012f, 0.20f, 0.70f,  0, 0,     0.15f, 0.03f, kWhite, kBand,  1600, 1.0f, 0.20f, 1, 0},  // 61 low bongo
    { 330, 1.1f, 0.010f, 0.08f, 0.70f,  0, 0,     0.20f, 0.02f, kWhite, kBand,  1800, 1.0f, 0.30f, 1, 0},  // 62 mute hi conga
    { 330, 1.1f, 0.015f, 0.32f, 0.70f,  0, 0,     0.10f, 0.03f, kWhite, kBand,  1800, 1.0f, 0.20f, 1, 0},  // 63 open hi conga
    { 230, 1.1f, 0.018f, 0.38f, 0.75f,  0, 0,     0.10f, 0.03f, kWhite, kBand,  1400, 1.0f, 0.20f, 1, 0},  // 64 low conga
    { 520, 1.05f, 0.010f, 0.35f, 0.55f, 1.53f, 0.3f, 0.30f, 0.15f, kWhite, kBand, 4000, 1.0f, 0.25f, 1, 0},  // 65 high timbale
    { 380, 1.05f, 0.010f, 0.40f, 0.55f, 1.53f, 0.3f, 0.30f, 0.15f, kWhite, kBand, 3500, 1.0f, 0.25f, 1, 0},  // 66 low timbale
    { 900, 1.0f, 0.000f, 0.35f, 0.45f, 1.51f, 0.5f, 0.00f, 0.00f, kWhite, kBand, 3000, 1.0f, 0.10f, 1, 0},  // 67 high agogo
    { 660, 1.0f, 0.000f, 0.40f, 0.45f, 1.51f, 0.5f, 0.00f, 0.00f, kWhite, kBand, 2500, 1.0f, 0.10f, 1, 0},  // 68 low agogo
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.45f, 0.10f, kWhite, kHigh,  6000, 0.8f, 0.00f, 1, 0},  // 69 cabasa
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.45f, 0.06f, kWhite, kHigh,  5000, 0.8f, 0.00f, 1, 0},  // 70 maracas
    {2300, 1.0f, 0.000f, 0.25f, 0.35f,  0, 0,     0.05f, 0.25f, kWhite, kBand,  2300, 8.0f, 0.00f, 1, 0},  // 71 short whistle
    {2100, 1.0f, 0.000f, 0.90f, 0.35f,  0, 0,     0.05f, 0.90f, kWhite, kBand,  2100, 8.0f, 0.00f, 1, 0},  // 72 long whistle
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.60f, 0.05f, kWhite, kBand,  2600, 3.0f, 0.00f, 4, 16},  // 73 short guiro
    {   0, 1.0f, 0.000f, 0.00f, 0.00f,  0, 0,     0.60f, 0.05f, kWhite, kBand,  2600, 3.0f, 0.00f, 12, 22},  // 74 long guiro
    {2500, 1.0f, 0.000f, 0.07f, 0.60f,  0, 0,     0.00f, 0.00f, kWhite, kBand,  2500, 1.0f, 0.15f, 1, 0},  // 75 claves
    {1050, 1.0f, 0.000f, 0.09f, 0.60f, 2.3f, 0.3f, 0.00f, 0.00f, kWhite, kBand, 1000, 1.0f, 0.20f, 1, 0},  // 76 hi wood block
    { 780, 1.0f, 0.000f, 0.10f, 0.60f, 2.3f, 0.3f, 0.00f, 0.00f, kWhite, kBand, 1000, 1.0f, 0.20f, 1, 0},  // 77 low wood block
    { 650, 1.5f, 0.050f, 0.12f, 0.50f,  0, 0,     0.10f, 0.05f, kWhite, kBand,  1500, 2.0f, 0.00f, 1, 0},  // 78 mute cuica
    { 520, 0.6f, 0.080f, 0.35f, 0.50f,  0, 0,     0.10f, 0.10f, kWhite, kBand,  1200, 2.0f, 0.00f, 1, 0},  // 79 open cuica
    {4000, 1.0f, 0.000f, 0.18f, 0.25f, 1.68f, 0.6f, 0.00f, 0.00f, kWhite, kBand, 4000, 1.0f, 0.05f, 1, 0},  // 80 mute triangle
    {4000, 1.0f, 0.000f, 1.80f, 0.25f, 1.68f, 0.6f, 0.00f, 0.00f, kWhite, kBand, 4000, 1.0f, 0.05f, 1, 0},  // 81 open triangle
};
// clang-format on

// the six square oscillators of the TR-808's cymbal and hi-hats, Hz
constexpr double kMetalHz[6] = {205.3, 304.4, 369.6, 522.7, 540.0, 800.0};

constexpr int kFirstKey = 35, kLastKey = 81;

const Sound& sound_for(int key) { return kKit[std::min(std::max(key, kFirstKey), kLastKey) - kFirstKey]; }

// per-sample multiplier that falls 60 dB in t60 seconds (0: silent at once)
float decay_mul(double t60, double sr) { return t60 > 0 ? float(std::pow(10.0, -3.0 / (t60 * sr))) : 0.0f; }

constexpr float kSilent = 1e-4f;  // -80 dB: a part this quiet has ended

}  // namespace

DrumVoice::DrumVoice(double sample_rate) : sr_(sample_rate) {
    if (!(sample_rate > 0)) throw std::invalid_argument("DrumVoice: sample_rate must be > 0");
}

int DrumVoice::choke_group(int key) {
    switch (key) {
        case 42: case 44: case 46: return 1;
        case 71: case 72: return 2;
        case 73: case 74: return 3;
        case 78: case 79: return 4;
        default: return 0;
    }
}

void DrumVoice::play(int key, float velocity, std::uint32_t seed) {
    const Sound& s = sound_for(key);
    velocity = std::min(std::max(velocity, 0.0f), 1.0f);
    const double nyq = 0.45 * sr_;
    freq_end_ = std::min(double(s.body_hz), nyq);
    freq_ = std::min(freq_end_ * s.start_ratio, nyq);
    glide_mul_ = s.glide_s > 0 ? std::exp(-1.0 / (s.glide_s * sr_)) : 0.0;
    ratio2_ = s.body2_ratio;
    body2_level_ = freq_end_ * s.body2_ratio < nyq ? s.body2_level : 0.0f;
    phase_ = phase2_ = 0.0;
    body_amp_ = s.body_hz > 0 ? s.body_level : 0.0f;
    body_mul_ = decay_mul(s.body_t60, sr_);
    noise_kind_ = s.noise;
    noise_amp_ = burst_amp_ = s.noise_level;
    noise_mul_ = decay_mul(s.noise_t60, sr_);
    burst_count_ = std::uint32_t(std::max(s.bursts, 1) - 1);
    burst_period_ = std::uint32_t(std::max(1.0, double(s.burst_ms) * 1e-3 * sr_));
    burst_left_ = burst_period_;
    // a harder hit: more beater click and a brighter noise filter
    click_amp_ = s.click_level * (0.4f + 0.6f * velocity);
    click_mul_ = decay_mul(0.004, sr_);
    filter_mode_ = s.filter;
    const double fc = std::min(double(s.filter_hz) * (0.75 + 0.25 * velocity), nyq);
    const double g = std::tan(kPi * fc / sr_);
    k_ = float(1.0 / s.filter_q);
    a1_ = float(1.0 / (1.0 + g * (g + k_)));
    a2_ = float(g) * a1_;
    a3_ = float(g) * a2_;
    ic1_ = ic2_ = 0.0f;
    for (int i = 0; i < 6; ++i) {
        metal_phase_[i] = 0.13 * i;
        metal_inc_[i] = kMetalHz[i] / sr_;
    }
    rng_ = seed ? seed : 1u;
    choke_amp_ = 1.0f;
    choke_mul_ = 1.0f;
    t_ = 0;
    active_ = true;
    level_ = std::max({body_amp_, noise_amp_, click_amp_});
}

void DrumVoice::choke(double seconds) {
    if (!active_) return;
    choke_mul_ = std::min(choke_mul_, decay_mul(std::max(seconds, 1e-3), sr_));
}

void DrumVoice::render(float* out, std::size_t n, float gain, bool accumulate) {
    if (!active_) {
        if (!accumulate) std::fill(out, out + n, 0.0f);
        return;
    }
    const double two_pi = 2.0 * kPi;
    for (std::size_t i = 0; i < n; ++i) {
        float y = 0.0f;
        if (body_amp_ > kSilent) {
            float b = float(std::sin(two_pi * phase_));
            if (body2_level_ > 0.0f) b += body2_level_ * float(std::sin(two_pi * phase2_));
            y += body_amp_ * b;
            phase_ += freq_ / sr_;
            phase2_ += freq_ * ratio2_ / sr_;
            phase_ -= std::floor(phase_);
            phase2_ -= std::floor(phase2_);
            freq_ = freq_end_ + (freq_ - freq_end_) * glide_mul_;
            body_amp_ *= body_mul_;
        }
        const bool noisy = noise_amp_ > kSilent || burst_count_ > 0;
        if (noisy || click_amp_ > kSilent) {
            rng_ ^= rng_ << 13;
            rng_ ^= rng_ >> 17;
            rng_ ^= rng_ << 5;
            const float white = float(rng_) * (2.0f / 4294967296.0f) - 1.0f;
            if (noisy) {
                float x = white;
                if (noise_kind_ == kMetal) {
                    float sq = 0.0f;
                    for (int k = 0; k < 6; ++k) {
                        sq += metal_phase_[k] < 0.5 ? 1.0f : -1.0f;
                        metal_phase_[k] += metal_inc_[k];
                        if (metal_phase_[k] >= 1.0) metal_phase_[k] -= 1.0;
                    }
                    x = sq * (1.0f / 6.0f) + 0.5f * white;
                }
                // TPT state-variable filter
                const float v3 = x - ic2_;
                const float v1 = a1_ * ic1_ + a2_ * v3;
                const float v2 = ic2_ + a2_ * ic1_ + a3_ * v3;
                ic1_ = 2.0f * v1 - ic1_;
                ic2_ = 2.0f * v2 - ic2_;
                const float f = filter_mode_ == kLow ? v2 : filter_mode_ == kBand ? v1 : x - k_ * v1 - v2;
                y += noise_amp_ * f;
                noise_amp_ *= noise_mul_;
                if (burst_count_ > 0 && --burst_left_ == 0) {  // the next burst of a clap / guiro
                    noise_amp_ = burst_amp_;
                    burst_left_ = burst_period_;
                    --burst_count_;
                }
            }
            y += click_amp_ * white;
            click_amp_ *= click_mul_;
        }
        y *= choke_amp_;
        choke_amp_ *= choke_mul_;
        out[i] = accumulate ? out[i] + gain * y : gain * y;
        // every 64 samples of the sound (not of the block, so any block size gives the same
        // samples): the level, the end, and no denormals in the filter
        if ((++t_ & 63u) == 0) {
            level_ = choke_amp_ * std::max({body_amp_, noise_amp_, click_amp_});
            if (std::fabs(ic1_) < 1e-20f) ic1_ = 0.0f;
            if (std::fabs(ic2_) < 1e-20f) ic2_ = 0.0f;
            if (level_ < kSilent && burst_count_ == 0) {
                active_ = false;
                level_ = 0.0f;
                if (!accumulate) std::fill(out + i + 1, out + n, 0.0f);
                return;
            }
        }
    }
}

}  // namespace edgeaudio::synth
