// Key estimation, triad templates and Viterbi decoding (see edgeaudio/chroma.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "edgeaudio/chroma.h"

namespace edgeaudio::chroma {

namespace {

// Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
constexpr double kMajorProfile[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr double kMinorProfile[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

constexpr const char* kPitchNames[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};

double pearson(const double* a, const double* b, int n) {
    double ma = 0, mb = 0;
    for (int i = 0; i < n; ++i) ma += a[i], mb += b[i];
    ma /= n, mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("ChordConfig.") + field + ": " + why);
}

}  // namespace

KeyEstimate estimate_key(const float* chroma, std::size_t frames) {
    if (frames == 0) throw std::invalid_argument("estimate_key: no chroma frames");
    double mean[12] = {};
    for (std::size_t t = 0; t < frames; ++t)
        for (int p = 0; p < 12; ++p) mean[p] += chroma[t * 12 + p];
    KeyEstimate k;
    k.correlation = -std::numeric_limits<double>::infinity();
    for (int mode = 0; mode < 2; ++mode) {
        const double* profile = mode ? kMinorProfile : kMajorProfile;
        for (int tonic = 0; tonic < 12; ++tonic) {
            double rotated[12];
            for (int p = 0; p < 12; ++p) rotated[p] = profile[(p - tonic + 12) % 12];
            const double r = pearson(mean, rotated, 12);
            k.scores[mode * 12 + tonic] = r;
            if (r > k.correlation) {
                k.correlation = r;
                k.tonic = tonic;
                k.minor = mode == 1;
            }
        }
    }
    return k;
}

void ChordConfig::validate() const {
    if (!(std::isfinite(self_prob) && self_prob > 0 && self_prob < 1))
        fail("self_prob", "must be in (0, 1), got " + std::to_string(self_prob));
    if (!(std::isfinite(sharpness) && sharpness > 0)) fail("sharpness", "must be positive");
    if (!(std::isfinite(no_chord_score) && no_chord_score >= -1 && no_chord_score <= 1))
        fail("no_chord_score", "must be a cosine in [-1, 1]");
    if (!(std::isfinite(root_weight) && root_weight > 0)) fail("root_weight", "must be positive");
    if (!(std::isfinite(silence_db) && silence_db > 0)) fail("silence_db", "must be positive");
    if (!(std::isfinite(harmonic_decay) && harmonic_decay >= 0 && harmonic_decay < 1))
        fail("harmonic_decay", "must be in [0, 1)");
    if (!(std::isfinite(bass_weight) && bass_weight >= 0)) fail("bass_weight", "must be >= 0");
    if (!(std::isfinite(inversion_weight) && inversion_weight >= 0 && inversion_weight <= 1))
        fail("inversion_weight", "must be in [0, 1]");
    if (key_tonic < -1 || key_tonic > 11) fail("key_tonic", "must be -1 (no key) or a pitch class 0..11");
    if (!(std::isfinite(key_weight) && key_weight >= 0)) fail("key_weight", "must be >= 0");
}

std::vector<int> viterbi(const float* log_emission, std::size_t frames, std::size_t states,
                         const float* log_transition, const float* log_initial) {
    std::vector<int> path(frames);
    if (frames == 0 || states == 0) return path;
    std::vector<float> score(log_initial, log_initial + states), next(states);
    std::vector<int> back(frames * states);
    for (std::size_t s = 0; s < states; ++s) score[s] += log_emission[s];
    for (std::size_t t = 1; t < frames; ++t) {
        const float* e = log_emission + t * states;
        int* b = &back[t * states];
        for (std::size_t j = 0; j < states; ++j) {
            float best = score[0] + log_transition[j];
            int arg = 0;
            for (std::size_t i = 1; i < states; ++i) {
                const float v = score[i] + log_transition[i * states + j];
                if (v > best) best = v, arg = static_cast<int>(i);
            }
            next[j] = best + e[j];
            b[j] = arg;
        }
        score.swap(next);
    }
    int s = static_cast<int>(std::max_element(score.begin(), score.end()) - score.begin());
    for (std::size_t t = frames; t-- > 0;) {
        path[t] = s;
        if (t > 0) s = back[t * states + static_cast<std::size_t>(s)];
    }
    return path;
}

std::vector<int> recognize_chords(const ChordConfig& config, const float* chroma, const float* energy,
                                  std::size_t frames, const float* bass) {
    config.validate();
    // unit templates: major and minor triads, and the seventh chords that
    // majmin scoring counts as them (maj7, 7 -> major; min7 -> minor), so a
    // seventh does not pull the decision towards the triad on its third
    struct Shape { int third, seventh; };
    constexpr Shape kShapes[5] = {{4, -1}, {3, -1}, {4, 11}, {4, 10}, {3, 10}};
    constexpr std::size_t kTemplates = 5 * 12, K = kTemplates + 1;
    // a note's partials 1..6 fall this many semitones above it
    constexpr int kPartialOffset[6] = {0, 12, 19, 24, 28, 31};
    float templ[kTemplates][12] = {};
    float bass_templ[kTemplates][12] = {};
    int label[K];
    for (int sh = 0; sh < 5; ++sh)
        for (int r = 0; r < 12; ++r) {
            float* t = templ[sh * 12 + r];
            float* b = bass_templ[sh * 12 + r];
            const int notes[4] = {0, kShapes[sh].third, 7, kShapes[sh].seventh};
            for (int i = 0; i < 4; ++i) {
                if (notes[i] < 0) continue;
                const double w = i == 0 ? config.root_weight : 1.0;
                double partial = 1.0;
                for (int h = 0; h < 6; ++h) {
                    t[(r + notes[i] + kPartialOffset[h]) % 12] += static_cast<float>(w * partial);
                    partial *= config.harmonic_decay;
                    if (partial == 0.0) break;
                }
                b[(r + notes[i]) % 12] = static_cast<float>(i == 0 ? 1.0 : i < 3 ? config.inversion_weight
                                                                                 : 0.5 * config.inversion_weight);
            }
            float norm = 0.0f;
            for (int p = 0; p < 12; ++p) norm += t[p] * t[p];
            norm = std::sqrt(norm);
            for (int p = 0; p < 12; ++p) t[p] /= norm;
            label[sh * 12 + r] = r + (kShapes[sh].third == 3 ? 12 : 0);
        }
    label[kTemplates] = kNoChord;
    // (interval of the root above the tonic, minor?) of the chords a key uses
    struct Degree { int interval; bool minor; };
    constexpr Degree kMajorKey[7] = {{0, false}, {2, true}, {4, true}, {5, false}, {7, false}, {9, true}, {10, false}};
    constexpr Degree kMinorKey[8] = {{0, true}, {3, false}, {5, true}, {7, true}, {8, false}, {10, false},
                                     {7, false}, {5, false}};
    bool in_key[kTemplates] = {};
    if (config.key_tonic >= 0)
        for (std::size_t k = 0; k < kTemplates; ++k) {
            const int interval = (label[k] % 12 - config.key_tonic + 12) % 12;
            const bool minor = label[k] >= 12;
            const Degree* d = config.key_minor ? kMinorKey : kMajorKey;
            const int n = config.key_minor ? 8 : 7;
            for (int i = 0; i < n; ++i)
                if (d[i].interval == interval && d[i].minor == minor) in_key[k] = true;
        }
    float loudest = 0.0f;
    if (energy)
        for (std::size_t t = 0; t < frames; ++t) loudest = std::max(loudest, energy[t]);
    const float silence = loudest * static_cast<float>(std::pow(10.0, -config.silence_db / 10.0));
    const float sharp = static_cast<float>(config.sharpness);
    std::vector<float> em(frames * K);
    for (std::size_t t = 0; t < frames; ++t) {
        const float* c = chroma + t * 12;
        float* e = &em[t * K];
        float norm = 0.0f;
        for (int p = 0; p < 12; ++p) norm += c[p] * c[p];
        norm = std::sqrt(norm);
        if ((energy && !(energy[t] > silence)) || !(norm > 0)) {
            std::fill(e, e + K, -sharp);
            e[kTemplates] = sharp;
            continue;
        }
        for (std::size_t k = 0; k < kTemplates; ++k) {
            float dot = 0.0f;
            for (int p = 0; p < 12; ++p) dot += templ[k][p] * c[p];
            e[k] = sharp * dot / norm;
        }
        if (config.key_tonic >= 0 && config.key_weight > 0)
            for (std::size_t k = 0; k < kTemplates; ++k)
                if (in_key[k]) e[k] += static_cast<float>(config.key_weight);
        if (bass && config.bass_weight > 0) {
            const float* b = bass + t * 12;
            float sum = 0.0f;
            for (int p = 0; p < 12; ++p) sum += b[p];
            if (sum > 0)
                for (std::size_t k = 0; k < kTemplates; ++k) {
                    float dot = 0.0f;
                    for (int p = 0; p < 12; ++p) dot += bass_templ[k][p] * b[p];
                    e[k] += static_cast<float>(config.bass_weight) * dot / sum;
                }
        }
        e[kTemplates] = sharp * static_cast<float>(config.no_chord_score);
    }
    std::vector<float> trans(K * K, static_cast<float>(std::log((1.0 - config.self_prob) / (K - 1))));
    for (std::size_t k = 0; k < K; ++k) trans[k * K + k] = static_cast<float>(std::log(config.self_prob));
    std::vector<float> init(K, static_cast<float>(-std::log(double(K))));
    std::vector<int> path = viterbi(em.data(), frames, K, trans.data(), init.data());
    for (int& s : path) s = label[s];
    return path;
}

std::string chord_name(int label) {
    if (label == kNoChord) return "N";
    if (label < 0 || label > kNoChord) throw std::invalid_argument("chord_name: label must be in [0, 24]");
    return std::string(kPitchNames[label % 12]) + (label < 12 ? ":maj" : ":min");
}

}  // namespace edgeaudio::chroma
