// Wavelet transforms against a direct double-precision reference (the
// convolution definitions of PyWavelets written out naively), perfect
// reconstruction on every wavelet and mode, and every SIMD path against it.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <stdexcept>
#include <vector>

#include "edgeaudio/simd.h"
#include "edgeaudio/wavelet.h"

namespace wv = edgeaudio::wavelet;
using edgeaudio::Isa;

namespace {

struct IsaGuard {
    Isa before = edgeaudio::active_isa();
    ~IsaGuard() { edgeaudio::set_active_isa(before); }
};

std::vector<double> noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    std::vector<double> x(n);
    for (auto& v : x) v = g(rng);
    return x;
}

// x extended past its ends, straight from the mode definitions
double ext(const std::vector<double>& x, long n, wv::Mode mode) {
    const long len = static_cast<long>(x.size());
    if (n >= 0 && n < len) return x[n];
    auto mod = [](long a, long b) { return ((a % b) + b) % b; };
    switch (mode) {
        case wv::Mode::Zero: return 0.0;
        case wv::Mode::Constant: return n < 0 ? x.front() : x.back();
        case wv::Mode::Periodic: return x[mod(n, len)];
        case wv::Mode::Symmetric: {
            long p = mod(n, 2 * len);
            return p < len ? x[p] : x[2 * len - 1 - p];
        }
        case wv::Mode::Reflect: {
            long p = mod(n, 2 * len - 2);
            return p < len ? x[p] : x[2 * len - 2 - p];
        }
        case wv::Mode::Smooth:
            return n < 0 ? x[0] + n * (x[1] - x[0]) : x[len - 1] + (n - len + 1) * (x[len - 1] - x[len - 2]);
        case wv::Mode::Antisymmetric: {
            long p = mod(n, 2 * len);
            double v = p < len ? x[p] : x[2 * len - 1 - p];
            long k = (n - mod(n, len)) / len;
            return (k % 2 == 0) ? v : -v;
        }
        case wv::Mode::Antireflect:
            return n < 0 ? 2 * x[0] - ext(x, -n, mode) : 2 * x[len - 1] - ext(x, 2 * len - 2 - n, mode);
        default: return 0.0;
    }
}

void ref_dwt(const wv::Wavelet& w, wv::Mode mode, const std::vector<double>& x, std::vector<double>& a,
             std::vector<double>& d) {
    const long n = static_cast<long>(x.size()), f = static_cast<long>(w.filter_length());
    a.clear();
    d.clear();
    if (mode == wv::Mode::Periodization) {
        std::vector<double> xp(x);
        if (n % 2) xp.push_back(x.back());
        const long m = static_cast<long>(xp.size());
        for (long o = 0; o < m / 2; ++o) {
            double sa = 0, sd = 0;
            for (long j = 0; j < f; ++j) {
                const double v = xp[((2 * o + f / 2 - j) % m + m) % m];
                sa += w.dec_lo()[j] * v;
                sd += w.dec_hi()[j] * v;
            }
            a.push_back(sa);
            d.push_back(sd);
        }
        return;
    }
    for (long i = 1; i < n + f - 1; i += 2) {
        double sa = 0, sd = 0;
        for (long j = 0; j < f; ++j) {
            const double v = ext(x, i - j, mode);
            sa += w.dec_lo()[j] * v;
            sd += w.dec_hi()[j] * v;
        }
        a.push_back(sa);
        d.push_back(sd);
    }
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

const std::vector<wv::Mode> kModes = {wv::Mode::Zero,          wv::Mode::Constant,    wv::Mode::Symmetric,
                                      wv::Mode::Reflect,       wv::Mode::Periodic,    wv::Mode::Smooth,
                                      wv::Mode::Antisymmetric, wv::Mode::Antireflect, wv::Mode::Periodization};

}  // namespace

TEST_CASE("wavelet filters are orthonormal and the names are known") {
    const auto names = wv::wavelist();
    CHECK(names.size() == 1 + 10 + 9);
    for (const auto& name : names) {
        const wv::Wavelet w(name);
        const auto& h = w.rec_lo();
        const std::size_t f = h.size();
        for (std::size_t m = 0; m < f / 2; ++m) {
            double s = 0;
            for (std::size_t k = 0; k + 2 * m < f; ++k) s += h[k] * h[k + 2 * m];
            CHECK(std::fabs(s - (m == 0 ? 1.0 : 0.0)) < 1e-12);
        }
    }
    CHECK(wv::Wavelet("haar").dec_lo() == wv::Wavelet("db1").dec_lo());
    CHECK_THROWS_AS(wv::Wavelet("db99"), std::invalid_argument);
    CHECK_THROWS_AS(wv::mode_from_name("mirror"), std::invalid_argument);
    CHECK(wv::mode_from_name("periodization") == wv::Mode::Periodization);
}

TEST_CASE("lengths and the maximum level follow PyWavelets") {
    CHECK(wv::dwt_coeff_len(10, 4, wv::Mode::Symmetric) == 6);
    CHECK(wv::dwt_coeff_len(11, 4, wv::Mode::Periodization) == 6);
    CHECK(wv::idwt_out_len(6, 4, wv::Mode::Symmetric) == 10);
    CHECK(wv::idwt_out_len(1, 4, wv::Mode::Zero) == 0);
    CHECK(wv::dwt_max_level(100, 4) == 5);
    CHECK(wv::dwt_max_level(5, 4) == 0);
    CHECK(wv::dwt_max_level(2, 2) == 1);
    CHECK(wv::dwt_max_level(1, 2) == 0);
    CHECK_THROWS_AS(wv::wavedec_lengths(10, 8, wv::Mode::Symmetric, 2), std::invalid_argument);
    CHECK_THROWS_AS(wv::wavedec_lengths(0, 2, wv::Mode::Symmetric, 0), std::invalid_argument);
}

TEST_CASE("dwt matches the direct definition on every path, wavelet, mode and length") {
    IsaGuard guard;
    for (Isa isa : edgeaudio::available_isas()) {
        edgeaudio::set_active_isa(isa);
        for (const auto& name : wv::wavelist()) {
            const wv::Wavelet w(name);
            for (wv::Mode mode : kModes) {
                for (std::size_t n : {2u, 3u, 7u, 16u, 33u, 100u}) {
                    const auto x = noise(n, static_cast<unsigned>(n * 7 + 1));
                    std::vector<double> ra, rd;
                    ref_dwt(w, mode, x, ra, rd);
                    const std::size_t nc = wv::dwt_coeff_len(n, w.filter_length(), mode);
                    REQUIRE(ra.size() == nc);
                    std::vector<double> a(nc), d(nc);
                    wv::dwt(w, mode, x.data(), n, a.data(), d.data());
                    CHECK_MESSAGE(max_abs_diff(a, ra) < 1e-12, name << " " << wv::mode_name(mode) << " " << n);
                    CHECK(max_abs_diff(d, rd) < 1e-12);
                    std::vector<float> xf(x.begin(), x.end()), af(nc), df(nc);
                    wv::dwt(w, mode, xf.data(), n, af.data(), df.data());
                    std::vector<double> ad(af.begin(), af.end()), dd(df.begin(), df.end());
                    CHECK_MESSAGE(max_abs_diff(ad, ra) < 2e-5, edgeaudio::isa_name(isa) << " " << name);
                    CHECK(max_abs_diff(dd, rd) < 2e-5);
                }
            }
        }
    }
}

TEST_CASE("wavedec then waverec reconstructs the signal on every path") {
    IsaGuard guard;
    for (Isa isa : edgeaudio::available_isas()) {
        edgeaudio::set_active_isa(isa);
        for (const auto& name : wv::wavelist()) {
            const wv::Wavelet w(name);
            for (wv::Mode mode : kModes) {
                for (std::size_t n : {64u, 101u, 1000u}) {
                    const auto x = noise(n, 3);
                    const int level = wv::dwt_max_level(n, w.filter_length());
                    const auto lengths = wv::wavedec_lengths(n, w.filter_length(), mode, level);
                    std::size_t total = 0;
                    for (auto l : lengths) total += l;
                    std::vector<double> c(total), y(wv::waverec_len(lengths, w.filter_length(), mode));
                    wv::wavedec(w, mode, level, x.data(), n, c.data());
                    wv::waverec(w, mode, c.data(), lengths, y.data());
                    REQUIRE(y.size() >= n);
                    y.resize(n);
                    CHECK_MESSAGE(max_abs_diff(x, y) < 1e-10, name << " " << wv::mode_name(mode) << " " << n);
                    std::vector<float> xf(x.begin(), x.end()), cf(total), yf(y.size() + 1);
                    wv::wavedec(w, mode, level, xf.data(), n, cf.data());
                    wv::waverec(w, mode, cf.data(), lengths, yf.data());
                    std::vector<double> yd(yf.begin(), yf.begin() + static_cast<long>(n));
                    CHECK(max_abs_diff(x, yd) < 1e-4);
                }
            }
        }
    }
}

TEST_CASE("idwt with a missing band takes it as zeros") {
    const wv::Wavelet w("db3");
    const auto a = noise(9, 5);
    std::vector<double> zeros(9, 0.0), y1(wv::idwt_out_len(9, 6, wv::Mode::Symmetric)), y2(y1.size());
    wv::idwt(w, wv::Mode::Symmetric, a.data(), static_cast<const double*>(nullptr), 9, y1.data());
    wv::idwt(w, wv::Mode::Symmetric, a.data(), zeros.data(), 9, y2.data());
    CHECK(max_abs_diff(y1, y2) == 0.0);
    CHECK_THROWS_AS(wv::idwt(w, wv::Mode::Zero, a.data(), a.data(), 2, y1.data()), std::invalid_argument);
}

TEST_CASE("denoising lowers the error of a noisy smooth signal") {
    const std::size_t n = 4096;
    std::vector<double> clean(n), noisy(n), out(n);
    const auto e = noise(n, 11);
    for (std::size_t i = 0; i < n; ++i) {
        clean[i] = std::sin(2 * M_PI * 5 * i / double(n)) + 0.5 * std::sin(2 * M_PI * 13 * i / double(n));
        noisy[i] = clean[i] + 0.2 * e[i];
    }
    const wv::Wavelet w("sym8");
    for (auto rule : {wv::ThresholdRule::Universal, wv::ThresholdRule::Bayes}) {
        const double sigma = wv::denoise(w, wv::Mode::Symmetric, 5, rule, wv::Shrink::Soft, noisy.data(), n, out.data());
        CHECK(sigma == doctest::Approx(0.2).epsilon(0.1));
        double before = 0, after = 0;
        for (std::size_t i = 0; i < n; ++i) {
            before += (noisy[i] - clean[i]) * (noisy[i] - clean[i]);
            after += (out[i] - clean[i]) * (out[i] - clean[i]);
        }
        CHECK(after < 0.25 * before);
    }
}

TEST_CASE("Morlet cwt equals a direct convolution with the same wavelet") {
    const std::size_t n = 300;
    const auto xd = noise(n, 21);
    std::vector<float> x(xd.begin(), xd.end());
    const std::vector<double> scales = {1.5, 4.0, 20.0, 80.0};
    const double w0 = 6.0;
    std::vector<std::complex<float>> out(scales.size() * n);
    wv::cwt_morlet(x.data(), n, scales.data(), scales.size(), w0, out.data());
    for (std::size_t k = 0; k < scales.size(); ++k) {
        const double s = scales[k];
        const long half = std::min<long>(static_cast<long>(std::ceil(wv::kMorletSupport * s)), long(n) - 1);
        double err = 0, norm = 0;
        for (long t = 0; t < long(n); ++t) {
            std::complex<double> acc = 0;
            for (long m = std::max(0L, t - half); m <= std::min(long(n) - 1, t + half); ++m) {
                const double u = double(t - m) / s;
                const double env = std::exp(-0.5 * u * u) / (std::sqrt(2 * M_PI) * s);
                acc += xd[m] * env * std::complex<double>(std::cos(w0 * u) - std::exp(-0.5 * w0 * w0), std::sin(w0 * u));
            }
            err += std::norm(acc - std::complex<double>(out[k * n + t]));
            norm += std::norm(acc);
        }
        CHECK(std::sqrt(err / norm) < 1e-5);
    }
    CHECK_THROWS_AS(wv::cwt_morlet(x.data(), 0, scales.data(), 1, w0, out.data()), std::invalid_argument);
    const double bad = -1.0;
    CHECK_THROWS_AS(wv::cwt_morlet(x.data(), n, &bad, 1, w0, out.data()), std::invalid_argument);
}
