// Fast Fourier transforms, float32, for every length from 1 to 2^25 (fast
// lengths up to 2^26).
// Lengths whose prime factors are 2, 3 and 5 ("fast" lengths: 400, 480, 512,
// 640, ...) run the SIMD mixed-radix kernels directly; any other length runs
// Bluestein's chirp-z algorithm through a fast length >= 2n - 1 (about 3-6x
// the time of a nearby fast length, same accuracy class).
//
// Plans are immutable after construction and safe to share between threads.
// Each transform needs scratch memory of work_size() floats; the overloads
// without a work pointer use a per-thread buffer that grows once and is then
// reused, so steady-state calls do not allocate.
//
// Conventions follow numpy.fft: forward X[k] = sum_n x[n] exp(-2 pi i k n / N),
// inverse unnormalised (multiply by `scale`, e.g. 1/N, to get numpy's ifft).
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "edgeaudio/simd.h"

namespace edgeaudio::fft {

using cfloat = std::complex<float>;

// True for n >= 1 whose only prime factors are 2, 3 and 5.
bool is_fast_size(std::size_t n);

// True for fast n <= kMaxSize and any other 1 <= n <= kMaxSize / 2.
bool is_supported_size(std::size_t n);

// The smallest fast length >= n (n >= 1).
std::size_t next_fast_len(std::size_t n);

// Largest length a plan accepts (2^26; half that for lengths that are not fast).
constexpr std::size_t kMaxSize = std::size_t(1) << 26;

namespace detail {
struct ComplexPlanData;
struct RealPlanData;
}  // namespace detail

// Complex-to-complex transform of length n.
class ComplexFFT {
  public:
    // Throws std::invalid_argument if n is not a supported size.
    explicit ComplexFFT(std::size_t n, Isa isa = active_isa());
    ~ComplexFFT();
    ComplexFFT(const ComplexFFT&) = delete;
    ComplexFFT& operator=(const ComplexFFT&) = delete;

    std::size_t size() const;
    // The path this plan runs on (may be narrower than requested for sizes
    // that do not fill the vector width, e.g. n = 8 runs scalar).
    Isa isa() const;
    bool is_fast() const;  // false: Bluestein
    std::size_t work_size() const;  // floats

    // in and out may alias (in-place). `work` must hold work_size() floats.
    void forward(const cfloat* in, cfloat* out, float scale, float* work) const;
    void inverse(const cfloat* in, cfloat* out, float scale, float* work) const;
    void forward(const cfloat* in, cfloat* out, float scale = 1.0f) const;
    void inverse(const cfloat* in, cfloat* out, float scale = 1.0f) const;

  private:
    std::unique_ptr<detail::ComplexPlanData> d_;
};

// Real-input transform of length n: n real samples <-> n/2+1 complex bins.
class RealFFT {
  public:
    explicit RealFFT(std::size_t n, Isa isa = active_isa());
    ~RealFFT();
    RealFFT(const RealFFT&) = delete;
    RealFFT& operator=(const RealFFT&) = delete;

    std::size_t size() const;
    std::size_t bins() const { return size() / 2 + 1; }
    Isa isa() const;
    bool is_fast() const;  // false: Bluestein
    std::size_t work_size() const;  // floats

    // in: n floats; out: n/2+1 complex bins.
    void forward(const float* in, cfloat* out, float scale, float* work) const;
    void forward(const float* in, cfloat* out, float scale = 1.0f) const;
    // in: n/2+1 complex bins (imaginary parts of bin 0 and, for even n, bin
    // n/2 are ignored, as numpy does); out: n floats.
    void inverse(const cfloat* in, float* out, float scale, float* work) const;
    void inverse(const cfloat* in, float* out, float scale = 1.0f) const;

  private:
    std::unique_ptr<detail::RealPlanData> d_;
};

// Process-wide plan cache keyed by (size, path). Plans are built once.
std::shared_ptr<const ComplexFFT> complex_plan(std::size_t n, Isa isa = active_isa());
std::shared_ptr<const RealFFT> real_plan(std::size_t n, Isa isa = active_isa());

}  // namespace edgeaudio::fft
