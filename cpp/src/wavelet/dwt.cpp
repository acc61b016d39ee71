// Discrete wavelet transform: filter banks, signal extension, single and
// multi-level transforms, denoising. The arithmetic is the polyphase kernel of
// kernel.h (per-ISA for float, scalar for double); this file arranges the
// data so that the kernel only ever sees contiguous, already-extended input.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "edgeaudio/wavelet.h"
#include "filters_data.h"
#include "kernel.h"
#include "../simd/dispatch.h"

namespace edgeaudio::wavelet {

namespace detail {

// A path this build lacks falls back to scalar.
PolyphaseFn polyphase_for(Isa isa) {
    const PolyphaseFn f = simd::select_kernels<PolyphaseFn>(isa, EDGEAUDIO_KERNEL_GETTERS(polyphase_));
    return f != nullptr ? f : polyphase_scalar();
}

PolyphaseF64Fn polyphase_f64_for(Isa isa) {
    const PolyphaseF64Fn f = simd::select_kernels<PolyphaseF64Fn>(isa, EDGEAUDIO_KERNEL_GETTERS(polyphase_f64_));
    return f != nullptr ? f : polyphase_f64_scalar();
}

namespace {

void polyphase(const float* x1, const float* x2, int n, int q, const float* taps, float* y1,
               float* y2, float* inter) {
    polyphase_for(active_isa())(x1, x2, n, q, taps, y1, y2, inter);
}

void polyphase(const double* x1, const double* x2, int n, int q, const double* taps, double* y1,
               double* y2, double* inter) {
    polyphase_f64_for(active_isa())(x1, x2, n, q, taps, y1, y2, inter);
}

// Scratch per thread and type, grown on demand and reused.
template <class T>
T* scratch(std::size_t count) {
    thread_local std::vector<T> buf;
    if (buf.size() < count) buf.resize(count);
    return buf.data();
}

// Sample n of x (length len) extended as `mode` says; n may be far outside.
template <class T>
T extended(const T* x, long n, long len, Mode mode) {
    if (n >= 0 && n < len) return x[n];
    switch (mode) {
        case Mode::Zero: return T(0);
        case Mode::Constant: return n < 0 ? x[0] : x[len - 1];
        case Mode::Periodic:
        case Mode::Periodization: {
            long p = n % len;
            return x[p < 0 ? p + len : p];
        }
        case Mode::Symmetric:
        case Mode::Antisymmetric: {
            const long period = 2 * len;
            long p = n % period;
            if (p < 0) p += period;
            const T v = p < len ? x[p] : x[period - 1 - p];
            if (mode == Mode::Symmetric) return v;
            // the sign flips with every mirror crossed
            long k = n >= 0 ? n / len : -((-n - 1) / len) - 1;
            return (k % 2 == 0) ? v : -v;
        }
        case Mode::Reflect: {
            const long period = 2 * len - 2;
            long p = n % period;
            if (p < 0) p += period;
            return p < len ? x[p] : x[period - p];
        }
        case Mode::Smooth:
            if (len == 1) return x[0];
            if (n < 0) return x[0] + static_cast<T>(n) * (x[1] - x[0]);
            return x[len - 1] + static_cast<T>(n - len + 1) * (x[len - 1] - x[len - 2]);
        case Mode::Antireflect: {
            // point mirror about each end sample, as often as needed
            T offset = 0, sign = 1;
            while (n < 0 || n >= len) {
                if (n < 0) {
                    offset += sign * 2 * x[0];
                    n = -n;
                } else {
                    offset += sign * 2 * x[len - 1];
                    n = 2 * len - 2 - n;
                }
                sign = -sign;
            }
            return offset + sign * x[n];
        }
    }
    return T(0);
}

void check_signal(std::size_t n, Mode mode) {
    if (n == 0) throw std::invalid_argument("dwt: the signal is empty");
    if (n == 1 && (mode == Mode::Reflect || mode == Mode::Antireflect))
        throw std::invalid_argument(std::string("dwt: mode '") + mode_name(mode) +
                                    "' needs at least 2 samples");
}

template <class T>
void dwt_impl(const Wavelet& w, Mode mode, const T* x, std::size_t n_in, T* ca, T* cd) {
    check_signal(n_in, mode);
    const long n = static_cast<long>(n_in);
    const int f = static_cast<int>(w.filter_length());
    const int q = f / 2;
    const long n_out = static_cast<long>(dwt_coeff_len(n_in, w.filter_length(), mode));
    // extended signal xe with out[o] = sum_k r[k] xe[2o + k], r = reversed dec filter
    const long half = n_out + q - 1;
    T* xe_even = scratch<T>(2 * half + 4 * q);
    T* xe_odd = xe_even + half;
    T* taps = xe_odd + half;
    if (mode == Mode::Periodization) {
        // odd n: the last sample repeated once, then periodic
        const long len = n + (n % 2);
        auto at = [&](long t) {
            long p = (t + 1 - q) % len;
            if (p < 0) p += len;
            return p < n ? x[p] : x[n - 1];
        };
        for (long m = 0; m < half; ++m) {
            xe_even[m] = at(2 * m);
            xe_odd[m] = at(2 * m + 1);
        }
    } else {
        const long shift = f - 2;
        for (long m = 0; m < half; ++m) {
            xe_even[m] = extended(x, 2 * m - shift, n, mode);
            xe_odd[m] = extended(x, 2 * m + 1 - shift, n, mode);
        }
    }
    const auto& lo = w.dec_lo();
    const auto& hi = w.dec_hi();
    for (int i = 0; i < q; ++i) {
        taps[i] = static_cast<T>(lo[f - 1 - 2 * i]);
        taps[q + i] = static_cast<T>(lo[f - 2 - 2 * i]);
        taps[2 * q + i] = static_cast<T>(hi[f - 1 - 2 * i]);
        taps[3 * q + i] = static_cast<T>(hi[f - 2 - 2 * i]);
    }
    polyphase(xe_even, xe_odd, static_cast<int>(n_out), q, taps, ca, cd, static_cast<T*>(nullptr));
}

template <class T>
void idwt_impl(const Wavelet& w, Mode mode, const T* ca, const T* cd, std::size_t nc_in, T* out) {
    const int f = static_cast<int>(w.filter_length());
    const int q = f / 2;
    const long nc = static_cast<long>(nc_in);
    const std::size_t n_out = idwt_out_len(nc_in, w.filter_length(), mode);
    if (n_out == 0)
        throw std::invalid_argument("idwt: " + std::to_string(nc_in) +
                                    " coefficients per band are too few for " + w.name() +
                                    " (filter length " + std::to_string(f) + ") in mode '" +
                                    mode_name(mode) + "'; at least " +
                                    std::to_string(mode == Mode::Periodization ? 1 : q) +
                                    " are needed");
    const auto& rlo = w.rec_lo();
    const auto& rhi = w.rec_hi();
    if (mode != Mode::Periodization) {
        // out[2m+p] = sum_v rec[f-2-2v+p] * c[m+v]: a "valid" convolution, no extension
        T* buf = scratch<T>(4 * q + 2 * nc);
        T* taps = buf;
        T* zeros = buf + 4 * q;
        if (ca == nullptr || cd == nullptr) {
            std::fill(zeros, zeros + nc, T(0));
            if (ca == nullptr) ca = zeros;
            if (cd == nullptr) cd = zeros;
        }
        for (int v = 0; v < q; ++v) {
            taps[v] = static_cast<T>(rlo[f - 2 - 2 * v]);
            taps[q + v] = static_cast<T>(rhi[f - 2 - 2 * v]);
            taps[2 * q + v] = static_cast<T>(rlo[f - 1 - 2 * v]);
            taps[3 * q + v] = static_cast<T>(rhi[f - 1 - 2 * v]);
        }
        polyphase(ca, cd, static_cast<int>(n_out / 2), q, taps, static_cast<T*>(nullptr),
                  static_cast<T*>(nullptr), out);
        return;
    }
    // Periodization: the transpose of the periodic analysis. Output phase p
    // takes dec taps j = j0(p) + 2u against c[(m + s0(p) + u) mod nc]; the two
    // phases' shifts differ by one for even q, so both get q + 1 taps (one
    // zero) against a common start.
    const auto& dlo = w.dec_lo();
    const auto& dhi = w.dec_hi();
    int j0[2], s0[2];
    for (int p = 0; p < 2; ++p) {
        j0[p] = ((q - p) % 2 + 2) % 2;
        s0[p] = (j0[p] - q + p) / 2;
    }
    const int base = std::min(s0[0], s0[1]);
    const int qt = q + 1;
    const long len = nc + qt;
    T* buf = scratch<T>(4 * qt + 2 * len);
    T* taps = buf;
    T* ae = buf + 4 * qt;
    T* de = ae + len;
    for (long t = 0; t < len; ++t) {
        long p = (t + base) % nc;
        if (p < 0) p += nc;
        ae[t] = ca != nullptr ? ca[p] : T(0);
        de[t] = cd != nullptr ? cd[p] : T(0);
    }
    std::fill(taps, taps + 4 * qt, T(0));
    for (int p = 0; p < 2; ++p) {
        const int off = s0[p] - base;
        for (int u = 0; u < q; ++u) {
            taps[(2 * p) * qt + off + u] = static_cast<T>(dlo[j0[p] + 2 * u]);
            taps[(2 * p + 1) * qt + off + u] = static_cast<T>(dhi[j0[p] + 2 * u]);
        }
    }
    polyphase(ae, de, static_cast<int>(nc), qt, taps, static_cast<T*>(nullptr),
              static_cast<T*>(nullptr), out);
}

template <class T>
void wavedec_impl(const Wavelet& w, Mode mode, int level, const T* x, std::size_t n, T* coeffs) {
    const auto lengths = wavedec_lengths(n, w.filter_length(), mode, level);
    if (level == 0) {
        std::copy(x, x + n, coeffs);
        return;
    }
    // level k writes cD_k just before the bands already written, and its
    // approximation into a scratch buffer that the next level reads
    std::vector<T> a(x, x + n), next;
    std::size_t end = 0;
    for (std::size_t len : lengths) end += len;
    for (int k = 1; k <= level; ++k) {
        const std::size_t nc = dwt_coeff_len(a.size(), w.filter_length(), mode);
        next.resize(nc);
        end -= nc;
        dwt_impl(w, mode, a.data(), a.size(), next.data(), coeffs + end);
        a.swap(next);
    }
    std::copy(a.begin(), a.end(), coeffs);
}

template <class T>
void waverec_impl(const Wavelet& w, Mode mode, const T* coeffs,
                  const std::vector<std::size_t>& lengths, T* out) {
    waverec_len(lengths, w.filter_length(), mode);  // validates
    if (lengths.size() == 1) {
        std::copy(coeffs, coeffs + lengths[0], out);
        return;
    }
    std::vector<T> a(coeffs, coeffs + lengths[0]), next;
    std::size_t pos = lengths[0];
    for (std::size_t i = 1; i < lengths.size(); ++i) {
        const std::size_t nd = lengths[i];
        next.resize(idwt_out_len(nd, w.filter_length(), mode));
        idwt_impl(w, mode, a.data(), coeffs + pos, nd, next.data());  // a trimmed to nd
        pos += nd;
        a.swap(next);
    }
    std::copy(a.begin(), a.end(), out);
}

template <class T>
double median_abs(const T* x, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::fabs(static_cast<double>(x[i]));
    const std::size_t mid = n / 2;
    std::nth_element(v.begin(), v.begin() + mid, v.end());
    double m = v[mid];
    if (n % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + mid));
    return m;
}

template <class T>
double denoise_impl(const Wavelet& w, Mode mode, int level, ThresholdRule rule, Shrink shrink,
                    const T* x, std::size_t n, T* out) {
    if (level < 1) throw std::invalid_argument("denoise: level must be >= 1");
    const auto lengths = wavedec_lengths(n, w.filter_length(), mode, level);
    std::size_t total = 0;
    for (std::size_t len : lengths) total += len;
    std::vector<T> c(total);
    wavedec_impl(w, mode, level, x, n, c.data());
    // the finest details are the last band
    const std::size_t n1 = lengths.back();
    const double sigma = median_abs(c.data() + total - n1, n1) / 0.6744897501960817;
    const double universal = sigma * std::sqrt(2.0 * std::log(static_cast<double>(n)));
    const double eps = std::numeric_limits<T>::epsilon();
    std::size_t pos = lengths[0];
    for (std::size_t b = 1; b < lengths.size(); ++b) {
        T* d = c.data() + pos;
        const std::size_t len = lengths[b];
        pos += len;
        double thr = universal;
        if (rule == ThresholdRule::Bayes) {
            double power = 0;
            for (std::size_t i = 0; i < len; ++i) power += static_cast<double>(d[i]) * d[i];
            power /= static_cast<double>(len);
            const double var = sigma * sigma;
            thr = var / std::sqrt(std::max(power - var, eps));
        }
        const T t = static_cast<T>(thr);
        for (std::size_t i = 0; i < len; ++i) {
            const T a = std::fabs(d[i]);
            if (shrink == Shrink::Hard)
                d[i] = a < t ? T(0) : d[i];
            else
                d[i] = a <= t ? T(0) : (d[i] > 0 ? a - t : t - a);
        }
    }
    std::vector<T> rec(waverec_len(lengths, w.filter_length(), mode));
    waverec_impl(w, mode, c.data(), lengths, rec.data());
    std::copy(rec.begin(), rec.begin() + static_cast<long>(std::min(n, rec.size())), out);
    return sigma;
}

}  // namespace
}  // namespace detail

// ---- names, filters, lengths ---------------------------------------------------

namespace {
constexpr const char* kModeNames[] = {"zero",     "constant",      "symmetric",
                                      "reflect",  "periodic",      "smooth",
                                      "antisymmetric", "antireflect", "periodization"};

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}
}  // namespace

const char* mode_name(Mode mode) { return kModeNames[static_cast<int>(mode)]; }

std::vector<std::string> mode_names() { return {std::begin(kModeNames), std::end(kModeNames)}; }

Mode mode_from_name(const std::string& name) {
    for (int i = 0; i < 9; ++i)
        if (name == kModeNames[i]) return static_cast<Mode>(i);
    throw std::invalid_argument("unknown extension mode '" + name + "'; known modes: " +
                                joined(mode_names()));
}

std::vector<std::string> wavelist() {
    std::vector<std::string> names{"haar"};
    for (const auto& t : detail::kFilterTables)
        names.push_back(std::string(t.family) + std::to_string(t.order));
    return names;
}

Wavelet::Wavelet(const std::string& name) : name_(name) {
    const std::string key = name == "haar" ? "db1" : name;
    for (const auto& t : detail::kFilterTables) {
        if (key != std::string(t.family) + std::to_string(t.order)) continue;
        const int f = 2 * t.order;
        rec_lo_.assign(t.rec_lo, t.rec_lo + f);
        dec_lo_.assign(rec_lo_.rbegin(), rec_lo_.rend());
        rec_hi_.resize(f);
        for (int k = 0; k < f; ++k) rec_hi_[k] = (k % 2 == 0 ? 1.0 : -1.0) * dec_lo_[k];
        dec_hi_.assign(rec_hi_.rbegin(), rec_hi_.rend());
        return;
    }
    throw std::invalid_argument("unknown wavelet '" + name + "'; known wavelets: " +
                                joined(wavelist()));
}

std::size_t dwt_coeff_len(std::size_t n, std::size_t filter_length, Mode mode) {
    if (n == 0) return 0;
    if (mode == Mode::Periodization) return (n + 1) / 2;
    return (n + filter_length - 1) / 2;
}

std::size_t idwt_out_len(std::size_t nc, std::size_t filter_length, Mode mode) {
    if (nc == 0) return 0;
    if (mode == Mode::Periodization) return 2 * nc;
    if (2 * nc + 2 <= filter_length) return 0;
    return 2 * nc + 2 - filter_length;
}

int dwt_max_level(std::size_t n, std::size_t filter_length) {
    if (filter_length < 2 || n < filter_length - 1) return 0;
    int level = 0;
    while (((filter_length - 1) << (level + 1)) <= n) ++level;
    return level;
}

std::vector<std::size_t> wavedec_lengths(std::size_t n, std::size_t filter_length, Mode mode,
                                         int level) {
    if (n == 0) throw std::invalid_argument("wavedec: the signal is empty");
    if (level < 0) throw std::invalid_argument("wavedec: level must be >= 0, got " + std::to_string(level));
    const int max_level = dwt_max_level(n, filter_length);
    if (level > max_level)
        throw std::invalid_argument(
            "wavedec: level " + std::to_string(level) + " is too high for " + std::to_string(n) +
            " samples and filter length " + std::to_string(filter_length) +
            ": the maximum is " + std::to_string(max_level) +
            " (dwt_max_level; deeper levels would hold only boundary effects)");
    std::vector<std::size_t> lengths(static_cast<std::size_t>(level) + 1);
    std::size_t len = n;
    for (int k = 1; k <= level; ++k) {
        if (len == 1 && (mode == Mode::Reflect || mode == Mode::Antireflect))
            throw std::invalid_argument("wavedec: a band of 1 sample cannot be extended in mode '" +
                                        std::string(mode_name(mode)) + "'");
        len = dwt_coeff_len(len, filter_length, mode);
        lengths[static_cast<std::size_t>(level - k + 1)] = len;
    }
    lengths[0] = len;
    return lengths;
}

std::size_t waverec_len(const std::vector<std::size_t>& lengths, std::size_t filter_length,
                        Mode mode) {
    if (lengths.empty()) throw std::invalid_argument("waverec: no coefficient bands");
    std::size_t a = lengths[0];
    if (a == 0) throw std::invalid_argument("waverec: the approximation band is empty");
    for (std::size_t i = 1; i < lengths.size(); ++i) {
        const std::size_t d = lengths[i];
        if (a != d && a != d + 1)
            throw std::invalid_argument(
                "waverec: bands do not fit together: an approximation of " + std::to_string(a) +
                " coefficients meets a detail band of " + std::to_string(d) + " (band " +
                std::to_string(i) + "); it must be as long or one longer");
        const std::size_t out = idwt_out_len(d, filter_length, mode);
        if (out == 0)
            throw std::invalid_argument("waverec: band " + std::to_string(i) + " has " +
                                        std::to_string(d) + " coefficients, too few for filter length " +
                                        std::to_string(filter_length));
        a = out;
    }
    return a;
}

// ---- the typed entry points ----------------------------------------------------

template <class T>
void dwt(const Wavelet& w, Mode mode, const T* x, std::size_t n, T* ca, T* cd) {
    detail::dwt_impl(w, mode, x, n, ca, cd);
}

template <class T>
void idwt(const Wavelet& w, Mode mode, const T* ca, const T* cd, std::size_t nc, T* out) {
    detail::idwt_impl(w, mode, ca, cd, nc, out);
}

template <class T>
void wavedec(const Wavelet& w, Mode mode, int level, const T* x, std::size_t n, T* coeffs) {
    detail::wavedec_impl(w, mode, level, x, n, coeffs);
}

template <class T>
void waverec(const Wavelet& w, Mode mode, const T* coeffs, const std::vector<std::size_t>& lengths,
             T* out) {
    detail::waverec_impl(w, mode, coeffs, lengths, out);
}

template <class T>
double denoise(const Wavelet& w, Mode mode, int level, ThresholdRule rule, Shrink shrink,
               const T* x, std::size_t n, T* out) {
    return detail::denoise_impl(w, mode, level, rule, shrink, x, n, out);
}

#define EDGEAUDIO_WAVELET_INSTANTIATE(T)                                                          \
    template void dwt<T>(const Wavelet&, Mode, const T*, std::size_t, T*, T*);                    \
    template void idwt<T>(const Wavelet&, Mode, const T*, const T*, std::size_t, T*);             \
    template void wavedec<T>(const Wavelet&, Mode, int, const T*, std::size_t, T*);               \
    template void waverec<T>(const Wavelet&, Mode, const T*, const std::vector<std::size_t>&, T*); \
    template double denoise<T>(const Wavelet&, Mode, int, ThresholdRule, Shrink, const T*,        \
                               std::size_t, T*);

EDGEAUDIO_WAVELET_INSTANTIATE(float)
EDGEAUDIO_WAVELET_INSTANTIATE(double)
#undef EDGEAUDIO_WAVELET_INSTANTIATE

}  // namespace edgeaudio::wavelet
