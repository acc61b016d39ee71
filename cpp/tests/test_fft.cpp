// FFT correctness on every SIMD path this machine can run, against a
// double-precision reference. Tolerances follow the foundation issue:
// relative L2 error below 1e-6 up to n = 4096 and below 5e-6 up to 65536.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "edgeaudio/fft.h"
#include "reference.h"

using edgeaudio::Isa;
using edgeaudio::fft::cfloat;
using ref::cd;

namespace {

std::vector<std::size_t> test_sizes() {
    std::vector<std::size_t> v;
    for (std::size_t n = 1; n <= 4096; ++n)
        if (edgeaudio::fft::is_fast_size(n)) v.push_back(n);
    for (std::size_t n : {4800u, 6144u, 8192u, 15360u, 16000u, 32768u, 48000u, 65536u}) v.push_back(n);
    return v;
}

double tolerance(std::size_t n) { return n <= 4096 ? 1e-6 : 5e-6; }

std::vector<cfloat> random_complex(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<cfloat> x(n);
    for (auto& v : x) v = {g(rng), g(rng)};
    return x;
}

std::vector<float> random_real(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(n);
    for (auto& v : x) v = g(rng);
    return x;
}

std::vector<cd> widen(const std::vector<cfloat>& x) { return {x.begin(), x.end()}; }
std::vector<cd> widen(const std::vector<float>& x) { return {x.begin(), x.end()}; }

}  // namespace

TEST_CASE("reference DFT agrees with the naive DFT") {
    for (int n : {1, 2, 3, 5, 7, 12, 30, 49, 60}) {
        auto x = widen(random_complex(n, 1));
        CHECK(ref::rel_error(ref::dft(x), ref::naive_dft(x)) < 1e-12);
    }
}

TEST_CASE("complex FFT matches the reference on every path and size") {
    for (Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        for (std::size_t n : test_sizes()) {
            CAPTURE(n);
            edgeaudio::fft::ComplexFFT plan(n, isa);
            auto x = random_complex(n, static_cast<unsigned>(n));
            auto want = ref::dft(widen(x));
            std::vector<cfloat> y(n);
            plan.forward(x.data(), y.data());
            REQUIRE(ref::rel_error(y, want) < tolerance(n));
            // inverse, unnormalised: conj-symmetric definition
            auto want_inv = ref::dft(widen(x), true);
            plan.inverse(x.data(), y.data());
            REQUIRE(ref::rel_error(y, want_inv) < tolerance(n));
        }
    }
}

TEST_CASE("real FFT and its inverse match the reference on every path and size") {
    for (Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        for (std::size_t n : test_sizes()) {
            CAPTURE(n);
            edgeaudio::fft::RealFFT plan(n, isa);
            auto x = random_real(n, static_cast<unsigned>(n) + 7);
            auto full = ref::dft(widen(x));
            std::vector<cd> want(full.begin(), full.begin() + n / 2 + 1);
            std::vector<cfloat> X(n / 2 + 1);
            plan.forward(x.data(), X.data());
            REQUIRE(ref::rel_error(X, want) < tolerance(n));

            // inverse of a random Hermitian half spectrum
            auto H = random_complex(n / 2 + 1, static_cast<unsigned>(n) + 11);
            H[0] = {H[0].real(), 0.0f};
            if (n % 2 == 0) H[n / 2] = {H[n / 2].real(), 0.0f};
            std::vector<cd> spec(n);
            for (std::size_t k = 0; k <= n / 2; ++k) {
                spec[k] = H[k];
                if (k > 0) spec[n - k] = std::conj(cd(H[k]));
            }
            auto back = ref::dft(spec, true);
            std::vector<float> y(n);
            plan.inverse(H.data(), y.data());
            REQUIRE(ref::rel_error(y, back) < tolerance(n));
        }
    }
}

TEST_CASE("every SIMD path agrees with the scalar path") {
    for (Isa isa : edgeaudio::available_isas()) {
        if (isa == Isa::Scalar) continue;
        CAPTURE(edgeaudio::isa_name(isa));
        for (std::size_t n : {256u, 400u, 480u, 512u, 640u, 1024u, 4096u, 65536u}) {
            CAPTURE(n);
            edgeaudio::fft::RealFFT simd(n, isa), scalar(n, Isa::Scalar);
            CHECK(simd.isa() == isa);
            auto x = random_real(n, 3);
            std::vector<cfloat> a(n / 2 + 1), b(n / 2 + 1);
            simd.forward(x.data(), a.data());
            scalar.forward(x.data(), b.data());
            CHECK(ref::rel_error(a, widen(b)) < 2 * tolerance(n));
        }
    }
}

TEST_CASE("the inverse undoes the forward transform") {
    for (Isa isa : edgeaudio::available_isas()) {
        for (std::size_t n : {8u, 30u, 400u, 512u, 1000u, 3000u}) {
            CAPTURE(n);
            edgeaudio::fft::RealFFT r(n, isa);
            auto x = random_real(n, 5);
            std::vector<cfloat> X(n / 2 + 1);
            std::vector<float> y(n);
            r.forward(x.data(), X.data());
            r.inverse(X.data(), y.data(), 1.0f / static_cast<float>(n));
            CHECK(ref::rel_error(y, widen(x)) < 1e-6);

            edgeaudio::fft::ComplexFFT c(n, isa);
            auto z = random_complex(n, 6);
            auto w = z;
            c.forward(w.data(), w.data());  // in place
            c.inverse(w.data(), w.data(), 1.0f / static_cast<float>(n));
            CHECK(ref::rel_error(w, widen(z)) < 1e-6);
        }
    }
}

TEST_CASE("lengths with other prime factors run Bluestein with the same accuracy") {
    for (Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        for (std::size_t n : {7u, 11u, 13u, 14u, 17u, 77u, 97u, 202u, 1021u, 1022u, 4099u, 44100u}) {
            CAPTURE(n);
            edgeaudio::fft::ComplexFFT c(n, isa);
            CHECK(!c.is_fast());
            auto z = random_complex(n, static_cast<unsigned>(n));
            std::vector<cfloat> y(n);
            c.forward(z.data(), y.data());
            CHECK(ref::rel_error(y, ref::dft(widen(z))) < tolerance(n));
            c.inverse(z.data(), y.data());
            CHECK(ref::rel_error(y, ref::dft(widen(z), true)) < tolerance(n));

            edgeaudio::fft::RealFFT r(n, isa);
            auto x = random_real(n, static_cast<unsigned>(n) + 1);
            auto full = ref::dft(widen(x));
            std::vector<cd> want(full.begin(), full.begin() + n / 2 + 1);
            std::vector<cfloat> X(n / 2 + 1);
            r.forward(x.data(), X.data());
            CHECK(ref::rel_error(X, want) < tolerance(n));
            std::vector<float> back(n);
            r.inverse(X.data(), back.data(), 1.0f / static_cast<float>(n));
            CHECK(ref::rel_error(back, widen(x)) < tolerance(n));
        }
    }
}

TEST_CASE("sizes out of range are refused with a message naming the size") {
    using edgeaudio::fft::kMaxSize;
    for (std::size_t n : {std::size_t(0), kMaxSize / 2 + 1, 2 * kMaxSize}) {
        CAPTURE(n);
        CHECK(!edgeaudio::fft::is_supported_size(n));
        CHECK_THROWS_AS(edgeaudio::fft::RealFFT{n}, std::invalid_argument);
        CHECK_THROWS_AS(edgeaudio::fft::ComplexFFT{n}, std::invalid_argument);
    }
    try {
        edgeaudio::fft::RealFFT bad(kMaxSize / 2 + 1);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find(std::to_string(kMaxSize / 2 + 1)) != std::string::npos);
    }
    CHECK(edgeaudio::fft::is_supported_size(kMaxSize));
    CHECK(edgeaudio::fft::is_fast_size(400));
    CHECK(!edgeaudio::fft::is_fast_size(7));
    CHECK(edgeaudio::fft::next_fast_len(1021) == 1024);
    CHECK(edgeaudio::fft::next_fast_len(401) == 405);
    CHECK(edgeaudio::fft::next_fast_len(1) == 1);
}

TEST_CASE("NaN and Inf propagate instead of vanishing") {
    for (Isa isa : edgeaudio::available_isas()) {
        edgeaudio::fft::RealFFT plan(512, isa);
        std::vector<float> x(512, 1.0f);
        x[100] = std::numeric_limits<float>::quiet_NaN();
        std::vector<cfloat> X(257);
        plan.forward(x.data(), X.data());
        CHECK(std::isnan(X[0].real()));
        x[100] = std::numeric_limits<float>::infinity();
        plan.forward(x.data(), X.data());
        // Inf meets zero-valued twiddle parts, so bins may be Inf or NaN, as in
        // numpy; what must not happen is a finite answer
        CHECK(!std::isfinite(X[0].real()));
    }
}

TEST_CASE("plans are cached") {
    auto a = edgeaudio::fft::real_plan(480);
    auto b = edgeaudio::fft::real_plan(480);
    CHECK(a.get() == b.get());
    CHECK(a->size() == 480);
    auto c = edgeaudio::fft::complex_plan(480);
    CHECK(c->size() == 480);
}
