// Time-domain NLMS. The reference history is a linear buffer holding taps
// samples of context (the window and the sample that just left it) plus a chunk, compacted with one copy per chunk, so the
// window of every sample is contiguous and the SIMD dot/axpy run on it
// directly; the taps are kept reversed to line up with that window.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "edgeaudio/aec.h"
#include "kernels.h"

namespace edgeaudio::aec {

namespace {
constexpr std::size_t kChunk = 1024;
const detail::KernelTable* table(const void* p) { return static_cast<const detail::KernelTable*>(p); }
}  // namespace

NlmsFilter::NlmsFilter(const NlmsConfig& config, Isa isa) : cfg_(config) {
    if (cfg_.taps < 1 || cfg_.taps > 65536)
        throw std::invalid_argument("NlmsConfig.taps must be in 1 .. 65536, got " + std::to_string(cfg_.taps));
    if (!(cfg_.step > 0.0f && cfg_.step < 2.0f))
        throw std::invalid_argument("NlmsConfig.step must satisfy 0 < step < 2, got " + std::to_string(cfg_.step));
    if (!(cfg_.regularization > 0.0f) || !std::isfinite(cfg_.regularization))
        throw std::invalid_argument("NlmsConfig.regularization must be a positive number, got " +
                                    std::to_string(cfg_.regularization));
    kern_ = detail::kernels_for(isa);
    const std::size_t L = static_cast<std::size_t>(cfg_.taps);
    w_rev_.assign(L, 0.0f);
    hist_.assign(L + kChunk, 0.0f);
    reset();
}

NlmsFilter::~NlmsFilter() = default;

void NlmsFilter::reset() {
    std::fill(w_rev_.begin(), w_rev_.end(), 0.0f);
    std::fill(hist_.begin(), hist_.end(), 0.0f);
    pos_ = static_cast<std::size_t>(cfg_.taps);
    energy_ = 0.0;
    since_exact_ = 0;
}

void NlmsFilter::weights(float* out) const {
    const std::size_t L = w_rev_.size();
    for (std::size_t k = 0; k < L; ++k) out[k] = w_rev_[L - 1 - k];
}

void NlmsFilter::process(const float* mic, const float* ref, float* out, std::size_t n) {
    const detail::KernelTable* k = table(kern_);
    const int L = cfg_.taps;
    const std::size_t ctx = static_cast<std::size_t>(L);
    const double delta = static_cast<double>(L) * cfg_.regularization;
    float* w = w_rev_.data();
    for (std::size_t i = 0; i < n; ++i) {
        if (pos_ == hist_.size()) {
            // keep the last taps samples as context for the next chunk
            std::memmove(hist_.data(), hist_.data() + pos_ - ctx, ctx * sizeof(float));
            pos_ = ctx;
        }
        float x = ref[i];
        if (!std::isfinite(x)) x = 0.0f;
        float d = mic[i];
        if (!std::isfinite(d)) d = 0.0f;
        hist_[pos_] = x;
        const float* win = hist_.data() + pos_ - (L - 1);  // oldest first, newest last
        const double oldest = hist_[pos_ - L];  // the sample leaving the window
        energy_ += static_cast<double>(x) * x - oldest * oldest;
        if (++since_exact_ >= static_cast<std::size_t>(L) || energy_ < 0.0) {
            // recompute exactly now and then so rounding never accumulates
            energy_ = static_cast<double>(k->dot(win, win, L));
            since_exact_ = 0;
        }
        ++pos_;
        const float e = d - k->dot(w, win, L);
        out[i] = e;
        const float g = static_cast<float>(cfg_.step * e / (energy_ + delta));
        if (g != 0.0f && std::isfinite(g)) k->axpy(g, win, w, L);
    }
    // a non-finite tap can only come from overflow: start again rather than emit NaN
    if (!std::isfinite(k->dot(w, w, L))) std::fill(w_rev_.begin(), w_rev_.end(), 0.0f);
}

}  // namespace edgeaudio::aec
