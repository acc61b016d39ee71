#include "framing.h"

#include <algorithm>
#include <cstring>

#include "filterbank.h"

namespace edgeaudio::frontend::detail {

Framer::Framer(const FrontendConfig& c)
    : cfg_(c),
      extent_(static_cast<std::uint64_t>(c.frame_extent())),
      hop_(static_cast<std::uint64_t>(c.hop_length)),
      pad_left_(static_cast<std::uint64_t>(c.pad_left())),
      a_(c.preemphasis_per_frame ? 0.0f : c.preemphasis),
      hist_(static_cast<std::size_t>(c.frame_extent()), 0.0f),
      frame_(static_cast<std::size_t>(c.frame_extent() + kPad), 0.0f) {
    reset();
}

void Framer::reset() {
    pos_ = pad_left_;
    next_ = 0;
    n_in_ = 0;
    prev_ = 0.0f;
    std::fill(hist_.begin(), hist_.begin() + static_cast<std::ptrdiff_t>(pad_left_), 0.0f);
}

std::size_t Framer::frames_ready(std::size_t n) const {
    const std::uint64_t end = pos_ + n;
    if (end < next_ + extent_) return 0;
    return static_cast<std::size_t>((end - next_ - extent_) / hop_ + 1);
}

std::size_t Framer::flush_frames() const {
    const std::size_t total = cfg_.num_frames(static_cast<std::size_t>(n_in_));
    const std::size_t done = static_cast<std::size_t>(next_ / hop_);
    return total > done ? total - done : 0;
}

void Framer::gather(std::uint64_t first, std::uint64_t s, const float* x, std::size_t n, float* dst) const {
    std::size_t i = 0;
    const std::size_t ext = static_cast<std::size_t>(extent_);
    if (s < pos_) {
        i = static_cast<std::size_t>(std::min<std::uint64_t>(pos_ - s, extent_));
        std::memcpy(dst, hist_.data() + (s - first), i * sizeof(float));
        if (i == ext) return;
    }
    std::size_t j = static_cast<std::size_t>(s + i - pos_);  // index into x
    const std::size_t from_x = std::min(ext - i, j < n ? n - j : 0);
    if (a_ == 0.0f) {
        if (from_x) std::memcpy(dst + i, x + j, from_x * sizeof(float));
        i += from_x;
    } else if (from_x) {
        emphasise(x, j, from_x, dst + i);
        i += from_x;
    }
    for (; i < ext; ++i) dst[i] = 0.0f;
}

void Framer::emphasise(const float* x, std::size_t j, std::size_t count, float* dst) const {
    const float a = a_;
    std::size_t i = 0;
    if (j == 0) {
        dst[0] = x[0] - a * prev_;
        i = 1;
    }
    const float* src = x + j;
    for (; i < count; ++i) dst[i] = src[i] - a * src[i - 1];  // vectorised by the compiler
}

void Framer::keep(std::uint64_t first, const float* x, std::size_t take) {
    const std::uint64_t end = pos_ + take;
    if (next_ < end) {
        std::size_t len = 0;
        if (next_ < pos_) {
            len = static_cast<std::size_t>(pos_ - next_);
            std::memmove(hist_.data(), hist_.data() + (next_ - first), len * sizeof(float));
        }
        std::size_t j = static_cast<std::size_t>(std::max(next_, pos_) - pos_);
        if (a_ == 0.0f) {
            if (take > j) std::memcpy(hist_.data() + len, x + j, (take - j) * sizeof(float));
        } else if (take > j) {
            emphasise(x, j, take - j, hist_.data() + len);
        }
    }
    if (take > 0) prev_ = x[take - 1];
    pos_ = end;
    n_in_ += take;
}

}  // namespace edgeaudio::frontend::detail
