// Plan construction (factorisation, twiddle tables), the plan cache and the
// public transform classes. Compiled for the baseline ISA; the arithmetic is in
// the per-ISA kernel_<isa>.cpp files.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "edgeaudio/fft.h"
#include "plan_data.h"

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
    switch (isa) {
        case Isa::Scalar: return kernels_scalar();
#if defined(EDGEAUDIO_HAVE_SSE2)
        case Isa::SSE2: return kernels_sse2();
#endif
#if defined(EDGEAUDIO_HAVE_AVX2)
        case Isa::AVX2: return kernels_avx2();
#endif
#if defined(EDGEAUDIO_HAVE_NEON)
        case Isa::NEON: return kernels_neon();
#endif
        default: return nullptr;
    }
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

std::vector<int> factorize(int m) {
    std::vector<int> f;
    while (m % 4 == 0) { f.push_back(4); m /= 4; }
    while (m % 2 == 0) { f.push_back(2); m /= 2; }
    while (m % 3 == 0) { f.push_back(3); m /= 3; }
    while (m % 5 == 0) { f.push_back(5); m /= 5; }
    return f;
}

std::string size_error(std::size_t n) {
    std::string msg = "FFT size " + std::to_string(n) + " is not supported: ";
    if (n == 0) return msg + "the size must be at least 1";
    if (n > kMaxSize) return msg + "the largest size is " + std::to_string(kMaxSize);
    std::size_t r = n;
    for (std::size_t p : {2u, 3u, 5u})
        while (r % p == 0) r /= p;
    return msg + "its prime factors must be 2, 3 and 5 (it has the factor " +
           std::to_string(r) + "); the next supported size is " +
           std::to_string(next_fast_len(n));
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

bool is_supported_size(std::size_t n) {
    if (n == 0 || n > kMaxSize) return false;
    for (std::size_t p : {2u, 3u, 5u})
        while (n % p == 0) n /= p;
    return n == 1;
}

std::size_t next_fast_len(std::size_t n) {
    if (n <= 1) return 1;
    if (n > kMaxSize) throw std::invalid_argument("next_fast_len: n exceeds the largest FFT size");
    for (std::size_t k = n;; ++k)
        if (is_supported_size(k)) return k;
}

// ---- ComplexFFT ------------------------------------------------------------

ComplexFFT::ComplexFFT(std::size_t n, Isa isa) : d_(new detail::ComplexPlanData()) {
    if (!is_supported_size(n)) throw std::invalid_argument(detail::size_error(n));
    if (detail::kernels_for(isa) == nullptr)
        throw std::invalid_argument(std::string("SIMD path ") + isa_name(isa) +
                                    " is not compiled into this build");
    detail::build_complex(*d_, n, isa);
}

ComplexFFT::~ComplexFFT() = default;

std::size_t ComplexFFT::size() const { return static_cast<std::size_t>(d_->view.n); }
Isa ComplexFFT::isa() const { return d_->isa; }
std::size_t ComplexFFT::work_size() const { return 4 * size(); }

void ComplexFFT::forward(const cfloat* in, cfloat* out, float scale, float* work) const {
    d_->kern->cfft(d_->view, reinterpret_cast<const float*>(in), reinterpret_cast<float*>(out),
                   work, false, scale);
}

void ComplexFFT::inverse(const cfloat* in, cfloat* out, float scale, float* work) const {
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
    d_->n = static_cast<int>(n);
    if (n % 2 == 0) {
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
    } else {
        detail::build_complex(d_->half, n, isa);
        d_->isa = d_->half.isa;
        d_->kern = d_->half.kern;
        d_->view.n = static_cast<int>(n);
        d_->view.half = d_->half.view;
    }
}

RealFFT::~RealFFT() = default;

std::size_t RealFFT::size() const { return static_cast<std::size_t>(d_->n); }
Isa RealFFT::isa() const { return d_->isa; }

std::size_t RealFFT::work_size() const {
    const std::size_t n = size();
    if (n % 2 == 0) return 2 * n;
    return 4 * n + 4 * n;  // complex work + complex in/out copies
}

void RealFFT::forward(const float* in, cfloat* out, float scale, float* work) const {
    const std::size_t n = size();
    if (n % 2 == 0) {
        d_->kern->rfft(d_->view, in, reinterpret_cast<float*>(out), work, scale);
        return;
    }
    float* z = work + 4 * n;  // n complex in, then n complex out
    for (std::size_t i = 0; i < n; ++i) {
        z[2 * i] = in[i];
        z[2 * i + 1] = 0.0f;
    }
    d_->kern->cfft(d_->half.view, z, z + 2 * n, work, false, scale);
    std::memcpy(static_cast<void*>(out), z + 2 * n, (n / 2 + 1) * sizeof(cfloat));
}

void RealFFT::inverse(const cfloat* in, float* out, float scale, float* work) const {
    const std::size_t n = size();
    if (n % 2 == 0) {
        d_->kern->irfft(d_->view, reinterpret_cast<const float*>(in), out, work, scale);
        return;
    }
    // odd n: rebuild the Hermitian spectrum and take the real part
    float* z = work + 4 * n;
    const std::size_t h = n / 2;
    z[0] = in[0].real();
    z[1] = 0.0f;
    for (std::size_t k = 1; k <= h; ++k) {
        z[2 * k] = in[k].real();
        z[2 * k + 1] = in[k].imag();
        z[2 * (n - k)] = in[k].real();
        z[2 * (n - k) + 1] = -in[k].imag();
    }
    d_->kern->cfft(d_->half.view, z, z + 2 * n, work, true, scale);
    for (std::size_t i = 0; i < n; ++i) out[i] = z[2 * n + 2 * i];
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
