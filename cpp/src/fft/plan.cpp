// Plan construction (factorisation, twiddle tables), the plan cache and the
// public transform classes. Compiled for the baseline ISA; the arithmetic is in
// the per-ISA kernel_<isa>.cpp files.
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "edgeaudio/fft.h"
#include "plan_data.h"
#include "../simd/dispatch.h"

namespace edgeaudio::fft {

namespace detail {

int isa_width(Isa isa) {
    switch (isa) {
        case Isa::AVX2: return 8;
        case Isa::SSE2:
        case Isa::NEON: return 4;
        default: return 1;
    }
}

const KernelTable* kernels_for(Isa isa) {
    return simd::select_kernels<const KernelTable*>(isa, EDGEAUDIO_KERNEL_GETTERS(kernels_));
}

namespace {

// exp(-2 pi i num / den) in double, with the angle reduced exactly first so
// that quarter turns come out as exact 0 / +-1.
void twiddle(std::int64_t num, std::int64_t den, float& re, float& im) {
    num %= den;
    if (num < 0) num += den;
    // exact for the multiples of eighth turns that matter most
    if (num == 0) { re = 1.0f; im = 0.0f; return; }
    if (4 * num == den) { re = 0.0f; im = -1.0f; return; }
    if (2 * num == den) { re = -1.0f; im = 0.0f; return; }
    if (4 * num == 3 * den) { re = 0.0f; im = 1.0f; return; }
    const double a = -2.0 * M_PI * static_cast<double>(num) / static_cast<double>(den);
    re = static_cast<float>(std::cos(a));
    im = static_cast<float>(std::sin(a));
}

// Radices for a length m: powers of two as radix-8 passes where possible
// (fewest passes over memory), the rest as radix-4 (never a lone radix-2
// pass when 4 x 4 or 8 x 4 covers it), then 3s and 5s.
std::vector<int> factorize(int m) {
    int twos = 0;
    while (m % 2 == 0) {
        m /= 2;
        ++twos;
    }
    std::vector<int> f;
    int eights = twos / 3;
    int rest = twos % 3;
    if (rest == 1 && eights > 0) {  // 2^(3k+1) = 8^(k-1) * 4 * 4
        --eights;
        rest = 4;
    }
    for (int k = 0; k < eights; ++k) f.push_back(8);
    if (rest == 4) {
        f.push_back(4);
        f.push_back(4);
    } else if (rest == 2) {
        f.push_back(4);
    } else if (rest == 1) {
        f.push_back(2);
    }
    while (m % 3 == 0) { f.push_back(3); m /= 3; }
    while (m % 5 == 0) { f.push_back(5); m /= 5; }
    return f;
}

std::string size_error(std::size_t n) {
    std::string msg = "FFT size " + std::to_string(n) + " is not supported: ";
    if (n == 0) return msg + "the size must be at least 1";
    return msg + "the largest size is " + std::to_string(kMaxSize) + " (" +
           std::to_string(kMaxSize / 2) + " for sizes with prime factors other than 2, 3, 5)";
}

// Picks the widest path <= `want` whose width divides n with at least one
// full W x W block, so small sizes do not pay for shuffles they cannot use.
Isa pick_isa(std::size_t n, Isa want) {
    std::vector<Isa> order{want};
    if (want == Isa::AVX2) order.push_back(Isa::SSE2);
    order.push_back(Isa::Scalar);
    for (Isa i : order) {
        const std::size_t w = static_cast<std::size_t>(isa_width(i));
        if (kernels_for(i) == nullptr) continue;
        if (w == 1 || (n % w == 0 && n / w >= w)) return i;
    }
    return Isa::Scalar;
}

void build_complex(ComplexPlanData& d, std::size_t n_in, Isa want) {
    const int n = static_cast<int>(n_in);
    d.isa = pick_isa(n_in, want);
    d.kern = kernels_for(d.isa);
    const int w = isa_width(d.isa);
    const int m = n / w;
    const std::vector<int> radices = factorize(m);

    // table layout: per stage (radix-1)*m/radix twiddles re then im,
    // then tw2 (m*w) re, im, then wdft (w*w) re, im
    std::size_t total = 0;
    {
        int len = m;
        for (int r : radices) {
            total += 2 * static_cast<std::size_t>((r - 1) * (len / r));
            len /= r;
        }
    }
    total += 2 * static_cast<std::size_t>(m) * w + 2 * static_cast<std::size_t>(w) * w;
    d.tables.assign(total, 0.0f);
    float* t = d.tables.data();

    d.stages.clear();
    int len = m, s = 1;
    for (int r : radices) {
        const int sub = len / r;
        Stage st{};
        st.radix = r;
        st.n = len;
        st.s = s;
        float* tr = t;
        float* ti = t + (r - 1) * sub;
        for (int p = 0; p < sub; ++p)
            for (int j = 1; j < r; ++j)
                twiddle(static_cast<std::int64_t>(p) * j, len, tr[p * (r - 1) + j - 1],
                        ti[p * (r - 1) + j - 1]);
        st.tw_re = tr;
        st.tw_im = ti;
        t += 2 * (r - 1) * sub;
        d.stages.push_back(st);
        len = sub;
        s *= r;
    }
    float* tw2r = t;
    float* tw2i = t + m * w;
    for (int k1 = 0; k1 < m; ++k1)
        for (int l = 0; l < w; ++l)
            twiddle(static_cast<std::int64_t>(k1) * l, n, tw2r[k1 * w + l], tw2i[k1 * w + l]);
    t += 2 * m * w;
    float* wr = t;
    float* wi = t + w * w;
    for (int j = 0; j < w; ++j)
        for (int k = 0; k < w; ++k) twiddle(static_cast<std::int64_t>(j) * k, w, wr[j * w + k], wi[j * w + k]);

    d.view.n = n;
    d.view.w = w;
    d.view.m = m;
    d.view.nstages = static_cast<int>(d.stages.size());
    d.view.stages = d.stages.data();
    d.view.tw2_re = tw2r;
    d.view.tw2_im = tw2i;
    d.view.wdft_re = wr;
    d.view.wdft_im = wi;
}

// Scratch memory per thread, grown on demand and reused.
float* thread_work(std::size_t floats) {
    thread_local std::vector<float> buf;
    const std::size_t need = floats + 16;
    if (buf.size() < need) buf.resize(need);
    auto p = reinterpret_cast<std::uintptr_t>(buf.data());
    p = (p + 63) & ~static_cast<std::uintptr_t>(63);
    return reinterpret_cast<float*>(p);
}

}  // namespace
}  // namespace detail

bool is_fast_size(std::size_t n) {
    if (n == 0) return false;
    for (std::size_t p : {2u, 3u, 5u})
        while (n % p == 0) n /= p;
    return n == 1;
}

bool is_supported_size(std::size_t n) {
    if (n == 0) return false;
    return is_fast_size(n) ? n <= kMaxSize : n <= kMaxSize / 2;
}

std::size_t next_fast_len(std::size_t n) {
    if (n <= 1) return 1;
    if (n > kMaxSize) throw std::invalid_argument("next_fast_len: n exceeds the largest FFT size");
    for (std::size_t k = n;; ++k)
        if (is_fast_size(k)) return k;
}

namespace detail {

// X[k] = c[k] * sum_j (x[j] c[j]) conj(c[k - j]), c[j] = exp(-pi i j^2 / n):
// a circular convolution of length m >= 2n - 1 done with fast transforms.
struct Bluestein {
    std::size_t n, m;
    std::unique_ptr<ComplexFFT> sub;
    std::vector<cfloat> chirp;   // c[j], j < n
    std::vector<cfloat> kernel;  // FFT_m(conj c, wrapped) / m

    Bluestein(std::size_t n_, Isa isa) : n(n_), m(next_fast_len(2 * n_ - 1)) {
        sub.reset(new ComplexFFT(m, isa));
        chirp.resize(n);
        const std::uint64_t two_n = 2 * static_cast<std::uint64_t>(n);
        for (std::size_t j = 0; j < n; ++j) {
            // j^2 mod 2n keeps the angle exact for large j
            const std::uint64_t q = (static_cast<std::uint64_t>(j) * j) % two_n;
            const double a = -M_PI * static_cast<double>(q) / static_cast<double>(n);
            chirp[j] = {static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a))};
        }
        std::vector<cfloat> b(m, cfloat(0.0f, 0.0f));
        for (std::size_t j = 0; j < n; ++j) {
            b[j] = std::conj(chirp[j]);
            if (j > 0) b[m - j] = std::conj(chirp[j]);
        }
        kernel.resize(m);
        std::vector<float> work(sub->work_size() + 16);
        sub->forward(b.data(), kernel.data(), 1.0f / static_cast<float>(m), work.data());
    }

    std::size_t work_size() const { return sub->work_size() + 2 * m; }

    void run(const cfloat* in, cfloat* out, bool inverse, float scale, float* work) const {
        cfloat* a = reinterpret_cast<cfloat*>(work + sub->work_size());
        // the inverse is conj(DFT(conj x)): conjugate on the way in and out
        for (std::size_t j = 0; j < n; ++j) a[j] = (inverse ? std::conj(in[j]) : in[j]) * chirp[j];
        for (std::size_t j = n; j < m; ++j) a[j] = cfloat(0.0f, 0.0f);
        sub->forward(a, a, 1.0f, work);
        for (std::size_t j = 0; j < m; ++j) a[j] *= kernel[j];
        sub->inverse(a, a, 1.0f, work);
        for (std::size_t k = 0; k < n; ++k) {
            const cfloat y = a[k] * chirp[k] * scale;
            out[k] = inverse ? std::conj(y) : y;
        }
    }
};

}  // namespace detail

// ---- ComplexFFT ------------------------------------------------------------

ComplexFFT::ComplexFFT(std::size_t n, Isa isa) : d_(new detail::ComplexPlanData()) {
    if (!is_supported_size(n)) throw std::invalid_argument(detail::size_error(n));
    if (detail::kernels_for(isa) == nullptr)
        throw std::invalid_argument(std::string("SIMD path ") + isa_name(isa) +
                                    " is not compiled into this build");
    d_->n = n;
    if (is_fast_size(n)) {
        detail::build_complex(*d_, n, isa);
    } else {
        auto blue = std::make_shared<detail::Bluestein>(n, isa);
        d_->isa = blue->sub->isa();
        d_->blue = std::move(blue);
    }
}

ComplexFFT::~ComplexFFT() = default;

std::size_t ComplexFFT::size() const { return d_->n; }
Isa ComplexFFT::isa() const { return d_->isa; }
bool ComplexFFT::is_fast() const { return !d_->blue; }

std::size_t ComplexFFT::work_size() const {
    return d_->blue ? d_->blue->work_size() : 4 * size();
}

void ComplexFFT::forward(const cfloat* in, cfloat* out, float scale, float* work) const {
    if (d_->blue) return d_->blue->run(in, out, false, scale, work);
    d_->kern->cfft(d_->view, reinterpret_cast<const float*>(in), reinterpret_cast<float*>(out),
                   work, false, scale);
}

void ComplexFFT::inverse(const cfloat* in, cfloat* out, float scale, float* work) const {
    if (d_->blue) return d_->blue->run(in, out, true, scale, work);
    d_->kern->cfft(d_->view, reinterpret_cast<const float*>(in), reinterpret_cast<float*>(out),
                   work, true, scale);
}

void ComplexFFT::forward(const cfloat* in, cfloat* out, float scale) const {
    forward(in, out, scale, detail::thread_work(work_size()));
}

void ComplexFFT::inverse(const cfloat* in, cfloat* out, float scale) const {
    inverse(in, out, scale, detail::thread_work(work_size()));
}

// ---- RealFFT -----------------------------------------------------------------

RealFFT::RealFFT(std::size_t n, Isa isa) : d_(new detail::RealPlanData()) {
    if (!is_supported_size(n)) throw std::invalid_argument(detail::size_error(n));
    if (detail::kernels_for(isa) == nullptr)
        throw std::invalid_argument(std::string("SIMD path ") + isa_name(isa) +
                                    " is not compiled into this build");
    d_->n = n;
    d_->packed = n % 2 == 0 && is_fast_size(n / 2);
    if (!d_->packed) {
        d_->full = std::make_shared<const ComplexFFT>(n, isa);
        d_->isa = d_->full->isa();
        return;
    }
    const std::size_t nc = n / 2;
    detail::build_complex(d_->half, nc, isa);
    d_->isa = d_->half.isa;
    d_->kern = d_->half.kern;
    const int w = d_->half.view.w;
    const std::size_t count = nc / 2 + 1 + static_cast<std::size_t>(w);
    d_->post.assign(2 * count, 0.0f);
    for (std::size_t k = 0; k < count; ++k)
        detail::twiddle(static_cast<std::int64_t>(k), static_cast<std::int64_t>(n), d_->post[k],
                        d_->post[count + k]);
    d_->view.n = static_cast<int>(n);
    d_->view.half = d_->half.view;
    d_->view.post_re = d_->post.data();
    d_->view.post_im = d_->post.data() + count;
}

RealFFT::~RealFFT() = default;

std::size_t RealFFT::size() const { return d_->n; }
Isa RealFFT::isa() const { return d_->isa; }
bool RealFFT::is_fast() const { return d_->packed || d_->full->is_fast(); }

std::size_t RealFFT::work_size() const {
    if (d_->packed) return 2 * size();
    return d_->full->work_size() + 4 * size();  // complex work + complex in/out copies
}

void RealFFT::forward(const float* in, cfloat* out, float scale, float* work) const {
    if (d_->packed) {
        d_->kern->rfft(d_->view, in, reinterpret_cast<float*>(out), work, scale);
        return;
    }
    const std::size_t n = size();
    cfloat* z = reinterpret_cast<cfloat*>(work + d_->full->work_size());  // n in, then n out
    for (std::size_t i = 0; i < n; ++i) z[i] = cfloat(in[i], 0.0f);
    d_->full->forward(z, z + n, scale, work);
    std::copy(z + n, z + n + n / 2 + 1, out);
}

void RealFFT::inverse(const cfloat* in, float* out, float scale, float* work) const {
    if (d_->packed) {
        d_->kern->irfft(d_->view, reinterpret_cast<const float*>(in), out, work, scale);
        return;
    }
    // rebuild the Hermitian spectrum (ignoring the imaginary parts numpy
    // ignores) and keep the real part
    const std::size_t n = size();
    cfloat* z = reinterpret_cast<cfloat*>(work + d_->full->work_size());
    const std::size_t h = n / 2;
    z[0] = cfloat(in[0].real(), 0.0f);
    for (std::size_t k = 1; k <= h; ++k) {
        z[k] = in[k];
        z[n - k] = std::conj(in[k]);
    }
    if (n % 2 == 0) z[h] = cfloat(in[h].real(), 0.0f);
    d_->full->inverse(z, z + n, scale, work);
    for (std::size_t i = 0; i < n; ++i) out[i] = z[n + i].real();
}

void RealFFT::forward(const float* in, cfloat* out, float scale) const {
    forward(in, out, scale, detail::thread_work(work_size()));
}

void RealFFT::inverse(const cfloat* in, float* out, float scale) const {
    inverse(in, out, scale, detail::thread_work(work_size()));
}

// ---- Plan cache ----------------------------------------------------------------

namespace {

template <class Plan>
std::shared_ptr<const Plan> cached(std::size_t n, Isa isa) {
    static std::mutex mu;
    static std::map<std::pair<std::size_t, int>, std::shared_ptr<const Plan>> cache;
    const auto key = std::make_pair(n, static_cast<int>(isa));
    {
        std::lock_guard<std::mutex> lock(mu);
        auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    // build outside the lock: large plans take a moment and other sizes
    // should not wait; a racing builder of the same key loses harmlessly
    auto plan = std::make_shared<const Plan>(n, isa);
    std::lock_guard<std::mutex> lock(mu);
    auto res = cache.emplace(key, plan);
    return res.first->second;
}

}  // namespace

std::shared_ptr<const ComplexFFT> complex_plan(std::size_t n, Isa isa) {
    return cached<ComplexFFT>(n, isa);
}

std::shared_ptr<const RealFFT> real_plan(std::size_t n, Isa isa) { return cached<RealFFT>(n, isa); }

}  // namespace edgeaudio::fft
