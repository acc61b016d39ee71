// Stage 0: framing. Turns a stream of samples, pushed in blocks of any size,
// into frames of frame_extent() samples every hop_length, with the padding of
// the config (zeros before the first sample for Padding::Center, zeros after
// the last one at flush for Center and End) and signal-level pre-emphasis
// y[n] = x[n] - a x[n-1] (y[0] = x[0]; padding zeros are not filtered).
//
// Positions are counted in the padded signal. The history buffer holds the
// samples [next_, pos_) of the frame being assembled (fewer than
// frame_extent(), or none when hop > extent skips samples); frames that lie
// inside a pushed block are read from it directly. Either way a frame is
// copied into one buffer in the same order with the same arithmetic, so every
// chunking yields the same frames bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend::detail {

class Framer {
  public:
    explicit Framer(const FrontendConfig& c);
    void reset();

    std::size_t frames_ready(std::size_t n) const;
    std::size_t flush_frames() const;
    std::uint64_t samples_pushed() const { return n_in_; }
    // The frame buffer handed to on_frame: frame_extent() samples followed by
    // kPad zeros; on_frame may modify it.
    std::size_t frame_capacity() const { return frame_.size(); }

    // Emits at most max_frames frames (on_frame(float* frame)); stops taking
    // samples before the one that would complete a frame beyond that.
    template <class F>
    std::size_t push(const float* x, std::size_t n, std::size_t max_frames, std::size_t* consumed, F&& on_frame) {
        const std::uint64_t first = next_;
        std::size_t produced = 0;
        while (produced < max_frames && next_ + extent_ <= pos_ + n) {
            gather(first, next_, x, n, frame_.data());
            on_frame(frame_.data());
            next_ += hop_;
            ++produced;
        }
        std::size_t take = n;
        if (next_ + extent_ <= pos_ + n) take = static_cast<std::size_t>(next_ + extent_ - 1 - pos_);
        keep(first, x, take);
        *consumed = take;
        return produced;
    }

    // Emits the frames that reach into the end padding, then resets.
    template <class F>
    std::size_t flush(F&& on_frame) {
        const std::uint64_t first = next_;
        const std::size_t count = flush_frames();
        for (std::size_t i = 0; i < count; ++i) {
            gather(first, next_, nullptr, 0, frame_.data());
            on_frame(frame_.data());
            next_ += hop_;
        }
        reset();
        return count;
    }

  private:
    // Copies padded samples [s, s + extent) into dst: those before pos_ from
    // the history (which starts at `first`), later ones from x (pre-emphasised
    // on the fly), zeros past x's end.
    void gather(std::uint64_t first, std::uint64_t s, const float* x, std::size_t n, float* dst) const;
    // Updates the history after taking x[0..take): keeps [next_, pos_ + take).
    void keep(std::uint64_t first, const float* x, std::size_t take);
    // dst[i] = x[j + i] - a x[j + i - 1] for i < count (x[-1] = prev_): the
    // same multiply-then-subtract wherever a sample is filtered, so frames
    // read from the history and from a block agree bit for bit
    void emphasise(const float* x, std::size_t j, std::size_t count, float* dst) const;

    FrontendConfig cfg_;
    std::uint64_t extent_, hop_, pad_left_;
    float a_;                 // signal-level pre-emphasis (0 when per frame)
    std::uint64_t pos_ = 0;   // padded position of the next sample to arrive
    std::uint64_t next_ = 0;  // padded start of the next frame
    std::uint64_t n_in_ = 0;  // signal samples taken since reset
    float prev_ = 0.0f;       // last signal sample taken (raw)
    std::vector<float> hist_;
    std::vector<float> frame_;
};

}  // namespace edgeaudio::frontend::detail
