// Internal: the plain data a transform kernel reads. Built once per plan in
// plan.cpp (compiled for the baseline ISA) and handed to the per-ISA kernels
// as raw pointers, so no C++ library code is instantiated inside translation
// units that are compiled with wider instruction sets.
#pragma once

#include <memory>
#include <vector>

#include "edgeaudio/simd.h"

namespace edgeaudio::fft {
class ComplexFFT;
}

namespace edgeaudio::fft::detail {

// One Stockham decimation-in-frequency pass over elements of W floats.
struct Stage {
    int radix;  // 2, 3, 4, 5 or 8
    int n;      // length of each sub-transform at this pass
    int s;      // stride between its elements (product of earlier radices)
    const float* tw_re;  // [p * (radix - 1) + (j - 1)] = exp(-2 pi i p j / n)
    const float* tw_im;
};

// A complex transform of length n = w * m, computed as w interleaved
// transforms of length m (one per vector lane) followed by twiddles and a
// w-point transform across lanes (the "six-step" split, done in registers).
struct ComplexView {
    int n;
    int w;
    int m;
    int nstages;
    const Stage* stages;
    const float* tw2_re;   // [k1 * w + n2] = exp(-2 pi i n2 k1 / n)
    const float* tw2_im;
    const float* wdft_re;  // [j * w + k] = exp(-2 pi i j k / w)
    const float* wdft_im;
};

// A real transform of even length n through a complex one of length n/2.
struct RealView {
    int n;
    ComplexView half;
    const float* post_re;  // [k] = exp(-2 pi i k / n), k = 0 .. n/4 + 1
    const float* post_im;
};

struct KernelTable {
    const char* name;
    // in/out interleaved complex (n pairs); work: 4n floats.
    void (*cfft)(const ComplexView&, const float* in, float* out, float* work, bool inverse,
                 float scale);
    // in: n floats; out: n/2+1 interleaved complex; work: 2n floats.
    void (*rfft)(const RealView&, const float* in, float* out, float* work, float scale);
    // in: n/2+1 interleaved complex; out: n floats; work: 2n floats.
    void (*irfft)(const RealView&, const float* in, float* out, float* work, float scale);
};

// Vector width of each path's kernels.
int isa_width(Isa isa);
// The kernel table of a path compiled into this build (nullptr otherwise).
const KernelTable* kernels_for(Isa isa);

const KernelTable* kernels_scalar();
const KernelTable* kernels_sse2();
const KernelTable* kernels_avx2();
const KernelTable* kernels_neon();

// Lengths with other prime factors: Bluestein's chirp-z transform through a
// fast length m >= 2n - 1 (defined in plan.cpp).
struct Bluestein;

struct ComplexPlanData {
    Isa isa;
    std::size_t n;
    std::vector<Stage> stages;
    std::vector<float> tables;
    ComplexView view;
    const KernelTable* kern;
    std::shared_ptr<const Bluestein> blue;  // set for lengths that are not fast
};

struct RealPlanData {
    std::size_t n;
    Isa isa;
    // packed: even n with a fast n/2, computed as a complex transform of
    // length n/2 (`half`) plus an untangling pass; otherwise the transform
    // goes through the complex plan `full` of length n.
    bool packed;
    ComplexPlanData half;
    std::vector<float> post;
    RealView view;
    const KernelTable* kern;
    std::shared_ptr<const ComplexFFT> full;
};

}  // namespace edgeaudio::fft::detail
