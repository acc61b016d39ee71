// Internal: a sample history that keeps at least `keep` most recent samples
// contiguous in memory. Appending is amortised one copy per sample (the buffer
// is compacted when full); nothing allocates after construction.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

namespace edgeaudio::aec::detail {

class History {
  public:
    History() = default;
    // keep: samples readable behind end(); max_push: the largest single push.
    History(std::size_t keep, std::size_t max_push)
        : keep_(keep), buf_(2 * keep + max_push, 0.0f), len_(keep) {}

    void clear() {
        std::fill(buf_.begin(), buf_.end(), 0.0f);
        len_ = keep_;
    }
    void push(const float* x, std::size_t n) {
        if (len_ + n > buf_.size()) {
            std::memmove(buf_.data(), buf_.data() + len_ - keep_, keep_ * sizeof(float));
            len_ = keep_;
        }
        std::memcpy(buf_.data() + len_, x, n * sizeof(float));
        len_ += n;
    }
    // One past the newest sample; end()[-1] is the newest, end()[-keep] the oldest kept.
    const float* end() const { return buf_.data() + len_; }
    std::size_t keep() const { return keep_; }

  private:
    std::size_t keep_ = 0;
    std::vector<float> buf_;
    std::size_t len_ = 0;
};

}  // namespace edgeaudio::aec::detail
