// Complex Morlet continuous wavelet transform by FFT convolution with the
// library's one FFT (edgeaudio::fft): the signal's spectrum is taken once,
// each scale costs one forward transform of its sampled wavelet and one
// inverse transform of the product.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/fft.h"
#include "edgeaudio/wavelet.h"

namespace edgeaudio::wavelet {

void cwt_morlet(const float* x, std::size_t n, const double* scales, std::size_t n_scales,
                double w0, std::complex<float>* out) {
    using cf = std::complex<float>;
    if (n == 0) throw std::invalid_argument("cwt: the signal is empty");
    if (!(w0 > 0) || !std::isfinite(w0))
        throw std::invalid_argument("cwt: w0 must be a positive number");
    for (std::size_t k = 0; k < n_scales; ++k)
        if (!(scales[k] > 0) || !std::isfinite(scales[k]))
            throw std::invalid_argument("cwt: scale " + std::to_string(k) +
                                        " must be a positive number of samples");
    if (n_scales == 0) return;
    const double s_max = *std::max_element(scales, scales + n_scales);
    // W[t] only needs the wavelet over |m| < n
    const long half_max =
        std::min(static_cast<long>(std::ceil(kMorletSupport * s_max)), static_cast<long>(n) - 1);
    // circular convolution of length L equals the linear one for t < n when
    // L >= n + half (the wavelet's left half never wraps onto [0, n))
    const std::size_t len = fft::next_fast_len(n + static_cast<std::size_t>(half_max));
    auto rplan = fft::real_plan(len);
    auto cplan = fft::complex_plan(len);

    std::vector<float> padded(len, 0.0f);
    std::copy(x, x + n, padded.begin());
    std::vector<cf> spec(len), kern(len), prod(len);
    rplan->forward(padded.data(), spec.data());
    for (std::size_t k = len / 2 + 1; k < len; ++k) spec[k] = std::conj(spec[len - k]);

    const double corr = std::exp(-0.5 * w0 * w0);
    const double inv_sqrt_2pi = 0.3989422804014327;
    for (std::size_t si = 0; si < n_scales; ++si) {
        const double s = scales[si];
        const long half =
            std::min(static_cast<long>(std::ceil(kMorletSupport * s)), static_cast<long>(n) - 1);
        std::fill(kern.begin(), kern.end(), cf(0.0f, 0.0f));
        const double norm = inv_sqrt_2pi / s;
        for (long m = -half; m <= half; ++m) {
            const double u = static_cast<double>(m) / s;
            const double env = norm * std::exp(-0.5 * u * u);
            const double re = env * (std::cos(w0 * u) - corr);
            const double im = env * std::sin(w0 * u);
            kern[static_cast<std::size_t>(m < 0 ? m + static_cast<long>(len) : m)] =
                cf(static_cast<float>(re), static_cast<float>(im));
        }
        cplan->forward(kern.data(), kern.data());
        for (std::size_t k = 0; k < len; ++k) prod[k] = spec[k] * kern[k];
        cplan->inverse(prod.data(), prod.data(), 1.0f / static_cast<float>(len));
        std::copy(prod.begin(), prod.begin() + static_cast<long>(n), out + si * n);
    }
}

}  // namespace edgeaudio::wavelet
