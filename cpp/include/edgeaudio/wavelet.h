// Wavelet transforms: the discrete wavelet transform (single and multi-level,
// with PyWavelets' conventions), wavelet denoising, and a complex Morlet
// continuous wavelet transform computed with edgeaudio::fft.
//
// Conventions (those of pywt.dwt / pywt.wavedec, so results can be compared
// coefficient by coefficient):
//   * filters: dec_lo, dec_hi, rec_lo, rec_hi as pywt.Wavelet(name).filter_bank;
//   * every mode but Periodization gives floor((n + L - 1) / 2) coefficients
//     per band for n samples and filter length L, with the signal extended
//     past its ends as the mode says; Periodization gives ceil(n / 2);
//   * idwt of nc coefficients gives 2 * nc - L + 2 samples (2 * nc for
//     Periodization): the "valid" part of the synthesis convolution.
// float and double are both supported; arithmetic is in the input precision.
#pragma once

#include <complex>
#include <cstddef>
#include <string>
#include <vector>

namespace edgeaudio::wavelet {

// Signal extension past the ends (names as in pywt.Modes).
enum class Mode {
    Zero,           // ... 0 0 | x0 x1 ... xn-1 | 0 0 ...
    Constant,       // ... x0 x0 | x0 ... xn-1 | xn-1 xn-1 ...
    Symmetric,      // ... x1 x0 | x0 x1 ... | xn-1 xn-2 ...   (half-sample mirror)
    Reflect,        // ... x2 x1 | x0 x1 ... | xn-2 xn-3 ...   (whole-sample mirror)
    Periodic,       // ... xn-2 xn-1 | x0 ... | x0 x1 ...
    Smooth,         // linear extrapolation from the two end samples
    Antisymmetric,  // ... -x1 -x0 | x0 x1 ... | -xn-1 -xn-2 ...
    Antireflect,    // ... 2x0-x2 2x0-x1 | x0 ... | 2xn-1-xn-2 ...
    Periodization,  // periodic, and ceil(n / 2) coefficients (odd n: last sample repeated)
};

// "zero", "constant", "symmetric", "reflect", "periodic", "smooth",
// "antisymmetric", "antireflect", "periodization".
const char* mode_name(Mode mode);
// Throws std::invalid_argument naming the known modes.
Mode mode_from_name(const std::string& name);
std::vector<std::string> mode_names();

// An orthogonal wavelet's filter bank. Known names: "haar", "db1".."db10",
// "sym2".."sym10" (wavelist()).
class Wavelet {
  public:
    // Throws std::invalid_argument naming the known wavelets.
    explicit Wavelet(const std::string& name);

    const std::string& name() const { return name_; }
    std::size_t filter_length() const { return rec_lo_.size(); }
    const std::vector<double>& dec_lo() const { return dec_lo_; }
    const std::vector<double>& dec_hi() const { return dec_hi_; }
    const std::vector<double>& rec_lo() const { return rec_lo_; }
    const std::vector<double>& rec_hi() const { return rec_hi_; }

  private:
    std::string name_;
    std::vector<double> dec_lo_, dec_hi_, rec_lo_, rec_hi_;
};

std::vector<std::string> wavelist();

// Coefficients per band of a single-level dwt of n samples (n >= 1).
std::size_t dwt_coeff_len(std::size_t n, std::size_t filter_length, Mode mode);
// Samples out of an idwt of nc coefficients per band; 0 if nc is too few
// for the filter (nc < filter_length / 2 outside Periodization).
std::size_t idwt_out_len(std::size_t nc, std::size_t filter_length, Mode mode);
// The deepest useful level: the largest L with (filter_length - 1) * 2^L <= n
// (pywt.dwt_max_level); 0 when the signal is shorter than the filter.
int dwt_max_level(std::size_t n, std::size_t filter_length);

// Single level. ca and cd get dwt_coeff_len(n) values each. Throws
// std::invalid_argument for n == 0 or n == 1 with Reflect / Antireflect.
template <class T>
void dwt(const Wavelet& w, Mode mode, const T* x, std::size_t n, T* ca, T* cd);

// Single-level inverse of nc coefficients per band; ca or cd may be null
// (taken as zeros). out gets idwt_out_len(nc) samples. Throws
// std::invalid_argument if nc is too small for the filter.
template <class T>
void idwt(const Wavelet& w, Mode mode, const T* ca, const T* cd, std::size_t nc, T* out);

// Band lengths of a level-`level` decomposition of n samples, in pywt order
// [cA_level, cD_level, ..., cD_1]. Throws std::invalid_argument if level < 0
// or level > dwt_max_level (every coefficient would be a boundary effect).
std::vector<std::size_t> wavedec_lengths(std::size_t n, std::size_t filter_length, Mode mode,
                                         int level);

// Multi-level decomposition: the bands of wavedec_lengths, concatenated.
template <class T>
void wavedec(const Wavelet& w, Mode mode, int level, const T* x, std::size_t n, T* coeffs);

// Length of waverec's output for bands of these lengths (pywt rules: the
// approximation may be one longer than the detail it meets, and is then
// trimmed). Throws std::invalid_argument for lengths that do not fit together.
std::size_t waverec_len(const std::vector<std::size_t>& lengths, std::size_t filter_length,
                        Mode mode);

// Multi-level reconstruction from bands laid out as wavedec writes them.
template <class T>
void waverec(const Wavelet& w, Mode mode, const T* coeffs, const std::vector<std::size_t>& lengths,
             T* out);

// ---- denoising ----------------------------------------------------------------

enum class ThresholdRule {
    Universal,  // sigma * sqrt(2 ln n) (VisuShrink), one threshold for every band
    Bayes,      // sigma^2 / sigma_x per band, sigma_x^2 = max(mean(d^2) - sigma^2, eps) (BayesShrink)
};
enum class Shrink { Soft, Hard };

// Wavelet shrinkage: decompose to `level`, estimate the noise sigma as
// median(|cD_1|) / 0.6745 (the MAD of the finest details), threshold every
// detail band (the approximation is kept), reconstruct the first n samples.
// Returns the sigma estimate.
template <class T>
double denoise(const Wavelet& w, Mode mode, int level, ThresholdRule rule, Shrink shrink,
               const T* x, std::size_t n, T* out);

// ---- continuous wavelet transform -----------------------------------------------

// The complex Morlet wavelet at scale s (samples):
//   psi_s[m] = (exp(i w0 m / s) - exp(-w0^2 / 2)) exp(-m^2 / (2 s^2)) / (sqrt(2 pi) s)
// for |m| <= ceil(kMorletSupport * s), zero beyond (the envelope is below
// 1.6e-8 there). Normalised in L1, so a tone of amplitude A at the wavelet's
// centre frequency w0 / (2 pi s) cycles per sample has |W| close to A / 2.
constexpr double kMorletSupport = 6.0;

// Scalogram W[k][t] = sum_m x[m] psi_{s_k}[t - m] for t in [0, n), computed
// by FFT convolution (float32, edgeaudio::fft) and written to out[k * n + t].
// Throws std::invalid_argument for n == 0, a scale <= 0 or w0 <= 0.
void cwt_morlet(const float* x, std::size_t n, const double* scales, std::size_t n_scales, double w0,
                std::complex<float>* out);

}  // namespace edgeaudio::wavelet
