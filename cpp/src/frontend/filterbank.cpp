#include "filterbank.h"

#include <algorithm>
#include <cmath>

namespace edgeaudio::frontend::detail {

namespace {

// Slaney's Auditory Toolbox scale as librosa writes it: linear below 1 kHz
// (200/3 Hz per mel), logarithmic above (27 mels per factor 6.4).
constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyHzPerMel;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

double kaldi_mel(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// numpy.linspace(a, b, n) (endpoint included, last value exact)
std::vector<double> linspace(double a, double b, int n) {
    std::vector<double> v(static_cast<std::size_t>(n));
    const double step = n > 1 ? (b - a) / (n - 1) : 0.0;
    for (int i = 0; i < n; ++i) v[i] = i * step + a;
    if (n > 1) v[n - 1] = b;
    return v;
}

// librosa.filters.mel: edges mel-spaced, triangles linear in Hz.
void triangles_hz(const FrontendConfig& c, std::vector<double>& w) {
    const int nb = c.n_bins();
    const std::vector<double> mels =
        linspace(hz_to_mel(c.fmin_hz, c.mel_scale), hz_to_mel(c.fmax(), c.mel_scale), c.n_mels + 2);
    std::vector<double> f(mels.size());
    for (std::size_t i = 0; i < mels.size(); ++i) f[i] = mel_to_hz(mels[i], c.mel_scale);
    for (int m = 0; m < c.n_mels; ++m) {
        const double lo = f[m], mid = f[m + 1], hi = f[m + 2];
        const double norm = c.mel_norm == MelNorm::Slaney ? 2.0 / (hi - lo) : 1.0;
        for (int k = 0; k < nb; ++k) {
            const double hz = k * c.sample_rate / c.n_fft;
            const double up = (hz - lo) / (mid - lo);
            const double down = (hi - hz) / (hi - mid);
            w[static_cast<std::size_t>(m) * nb + k] = std::max(0.0, std::min(up, down)) * norm;
        }
    }
}

// Kaldi's MelBanks: triangles linear in mel (1127 ln(1 + f/700)), open at
// both edges.
void triangles_mel(const FrontendConfig& c, std::vector<double>& w) {
    const int nb = c.n_bins();
    const double lo_mel = kaldi_mel(c.fmin_hz), hi_mel = kaldi_mel(c.fmax());
    const double delta = (hi_mel - lo_mel) / (c.n_mels + 1);
    for (int m = 0; m < c.n_mels; ++m) {
        const double left = lo_mel + m * delta, center = left + delta, right = center + delta;
        const double norm = c.mel_norm == MelNorm::Slaney
                                ? 2.0 / (mel_to_hz(right, MelScale::HTK) - mel_to_hz(left, MelScale::HTK))
                                : 1.0;
        for (int k = 0; k < nb; ++k) {
            const double mel = kaldi_mel(k * c.sample_rate / c.n_fft);
            double v = 0.0;
            if (mel > left && mel < right)
                v = mel <= center ? (mel - left) / (center - left) : (right - mel) / (right - center);
            w[static_cast<std::size_t>(m) * nb + k] = v * norm;
        }
    }
}

// python_speech_features.get_filterbanks: edges floor((n_fft + 1) f / sr),
// triangles over the bin index.
void triangles_fft_bin(const FrontendConfig& c, std::vector<double>& w) {
    const int nb = c.n_bins();
    const std::vector<double> mels =
        linspace(2595.0 * std::log10(1.0 + c.fmin_hz / 700.0), 2595.0 * std::log10(1.0 + c.fmax() / 700.0),
                 c.n_mels + 2);
    std::vector<double> bin(mels.size());
    for (std::size_t i = 0; i < mels.size(); ++i)
        bin[i] = std::floor((c.n_fft + 1) * (700.0 * (std::pow(10.0, mels[i] / 2595.0) - 1.0)) / c.sample_rate);
    for (int m = 0; m < c.n_mels; ++m) {
        const double b0 = bin[m], b1 = bin[m + 1], b2 = bin[m + 2];
        double* row = &w[static_cast<std::size_t>(m) * nb];
        for (int i = static_cast<int>(b0); i < static_cast<int>(b1); ++i)
            if (i >= 0 && i < nb) row[i] = (i - b0) / (b1 - b0);
        for (int i = static_cast<int>(b1); i < static_cast<int>(b2); ++i)
            if (i >= 0 && i < nb) row[i] = (b2 - i) / (b2 - b1);
        if (c.mel_norm == MelNorm::Slaney) {
            const double f0 = b0 * c.sample_rate / (c.n_fft + 1), f2 = b2 * c.sample_rate / (c.n_fft + 1);
            if (f2 > f0)
                for (int k = 0; k < nb; ++k) row[k] *= 2.0 / (f2 - f0);
        }
    }
}

}  // namespace

double hz_to_mel(double hz, MelScale scale) {
    if (scale == MelScale::HTK) return 2595.0 * std::log10(1.0 + hz / 700.0);
    if (hz >= kSlaneyMinLogHz) return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
    return hz / kSlaneyHzPerMel;
}

double mel_to_hz(double mel, MelScale scale) {
    if (scale == MelScale::HTK) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    if (mel >= kSlaneyMinLogMel) return kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
    return kSlaneyHzPerMel * mel;
}

std::vector<double> mel_weights(const FrontendConfig& c) {
    std::vector<double> w(static_cast<std::size_t>(c.n_mels) * c.n_bins(), 0.0);
    switch (c.mel_triangles) {
        case MelTriangles::Hz: triangles_hz(c, w); break;
        case MelTriangles::Mel: triangles_mel(c, w); break;
        case MelTriangles::FftBin: triangles_fft_bin(c, w); break;
    }
    return w;
}

MelBands make_mel_bands(const FrontendConfig& c) {
    const std::vector<double> dense = mel_weights(c);
    const int nb = c.n_bins();
    MelBands b;
    int bins_read = round_up(nb, kPad);
    for (int m = 0; m < c.n_mels; ++m) {
        const double* row = &dense[static_cast<std::size_t>(m) * nb];
        int first = 0, last = -1;
        for (int k = 0; k < nb; ++k)
            if (row[k] != 0.0) {
                if (last < 0) first = k;
                last = k;
            }
        // an empty band (possible with many mels on a short FFT) reads one
        // vector of zero weights and yields 0, as librosa's would
        const int count = last < 0 ? kPad : round_up(last - first + 1, kPad);
        b.start.push_back(first);
        b.count.push_back(count);
        b.offset.push_back(static_cast<int>(b.weights.size()));
        for (int k = 0; k < count; ++k)
            b.weights.push_back(first + k <= last ? static_cast<float>(row[first + k]) : 0.0f);
        bins_read = std::max(bins_read, first + count);
    }
    b.bins_read = bins_read;
    return b;
}

}  // namespace edgeaudio::frontend::detail
