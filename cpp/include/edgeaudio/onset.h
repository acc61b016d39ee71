// Onsets, tempo and beats on the frontend's spectra.
//
// Onset strength (spectral flux, SuperFlux-style, Boeck & Widmer 2013):
// per frame t the (mel or linear) power spectrum S_t from edgeaudio::frontend
// (librosa framing: centred frames, Hann window), in dB with a floor,
// L_t = 10 log10(max(S_t, floor)), and
//   strength[t] = mean_f max(0, L_t[f] - max_{|g - f| <= max_size / 2} L_{t-lag}[g])
// (0 for t < lag). max_size = 1 is plain spectral flux. dB values make the
// strength independent of the input gain, which lets the peak picker use an
// absolute threshold while streaming (librosa normalises by the clip's max).
//
// Peak picking (librosa.util.peak_pick rules, on that strength): frame n is an
// onset when
//   strength[n] == max(strength[n - pre_max .. n + post_max]),
//   strength[n] >= mean(strength[n - pre_avg .. n + post_avg]) + delta,
//   n > previous onset + wait,
// windows clipped to the frames that exist. A decision needs
// max(post_max, post_avg) later frames: that is the detector's latency.
//
// OnsetDetector streams: push any number of samples, get the strength frames
// and the onset frames decided so far; flush() ends the signal. The batch
// functions are push(everything) + flush(), so streaming equals batch for
// any chunking. No allocation after construction.
//
// Tempo and beats work on a whole strength envelope (batch): autocorrelation
// weighted by a log-normal prior over tempo (Ellis 2007, librosa.beat.tempo),
// and dynamic-programming beat tracking (Ellis 2007, librosa.beat.beat_track).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace edgeaudio::onset {

struct OnsetConfig {
    double sample_rate_hz = 22050.0;
    int n_fft = 2048;        // frame = window length, samples
    int hop_length = 512;    // samples between frames
    int n_mels = 128;        // 0: linear spectrum (n_fft / 2 + 1 bins)
    double fmin_hz = 0.0;
    double fmax_hz = 0.0;    // 0: sample_rate_hz / 2
    double floor_db = -60.0; // power floor in dB (full-scale sine ~ +54 dB at n_fft 2048)
    int lag = 1;             // frames between the compared spectra
    int max_size = 1;        // frequency max-filter width on the reference (1: off, odd)
    // peak picking, in frames
    int pre_max = 1;
    int post_max = 1;
    int pre_avg = 4;
    int post_avg = 5;
    double delta = 1.0;      // dB (mean over bins) above the moving mean
    int wait = 1;            // frames that must pass after an onset

    // Throws std::invalid_argument naming the first bad field ("OnsetConfig.lag: ...").
    void validate() const;
    // Frames a decision waits for: max(post_max, post_avg).
    int latency_frames() const;
    // Frames of a signal of n samples: 1 + n / hop_length (0 for n = 0).
    std::size_t num_frames(std::size_t n) const;
};

class OnsetDetector {
  public:
    explicit OnsetDetector(const OnsetConfig& config);
    ~OnsetDetector();
    OnsetDetector(const OnsetDetector&) = delete;
    OnsetDetector& operator=(const OnsetDetector&) = delete;

    const OnsetConfig& config() const;

    // Consumes n samples; appends the strength of every frame completed to
    // `strength` and the frame index of every onset decided to `onsets`.
    // Throws std::invalid_argument, consuming nothing, on NaN / Inf.
    void push(const float* x, std::size_t n, std::vector<float>& strength, std::vector<long>& onsets);
    // Ends the signal (end padding frames, remaining decisions), then resets.
    void flush(std::vector<float>& strength, std::vector<long>& onsets);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Batch: strength of every frame and the onset frames of x[0..n).
void detect(const OnsetConfig& config, const float* x, std::size_t n, std::vector<float>& strength,
            std::vector<long>& onsets);

struct TempoConfig {
    double frame_rate_hz = 22050.0 / 512;  // strength frames per second
    double start_bpm = 120.0;              // centre of the log-normal prior
    double std_octaves = 1.0;              // its width
    double min_bpm = 30.0;
    double max_bpm = 320.0;
    double tightness = 100.0;              // beat tracker: penalty on deviating from the period

    void validate() const;
};

// Global tempo in BPM of a strength envelope (frame_rate_hz frames per
// second); 0 when fewer than two periods of the lags searched fit (too short)
// or no lag correlates positively (silence).
double estimate_tempo(const TempoConfig& config, const float* strength, std::size_t n);

// Beat frames by dynamic programming at tempo bpm (> 0); empty when the
// envelope is empty or all zero.
std::vector<long> track_beats(const TempoConfig& config, const float* strength, std::size_t n,
                              double bpm);

}  // namespace edgeaudio::onset
