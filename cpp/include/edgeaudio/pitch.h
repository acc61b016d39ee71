// Fundamental frequency (f0) tracking: probabilistic YIN (pYIN, Mauch &
// Dixon 2014) with HMM/Viterbi smoothing, streaming, on edgeaudio::fft.
//
// Per frame: the YIN difference function d(tau) via an FFT autocorrelation,
// the cumulative mean normalised difference d'(tau), its troughs with
// parabolic interpolation, and pYIN's trough probabilities (a Beta prior over
// YIN thresholds, a Boltzmann prior over trough order). These are the
// emissions of a hidden Markov model whose states are (voiced | unvoiced) x
// pitch bin; transitions allow pitch to move at most max_transition_rate
// octaves per second and voicing to switch with probability switch_prob.
// Viterbi decoding is fixed-lag: frame t is decided when frame t + latency
// has been seen (latency < 0: only at flush(), i.e. full Viterbi). The
// batch function is push(everything) + flush(), so streaming equals batch
// for any chunking.
//
// Framing: frame k is centred on sample k * hop (the signal is padded with
// frame_length / 2 zeros at each end), so n samples give 1 + n / hop frames,
// as librosa.pyin(center=True). The difference function at lag tau compares
// the frame's sample pairs (m, m + tau), which are centred on the frame
// centre for every lag, so a moving pitch is measured where it is reported.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace edgeaudio::pitch {

struct PitchConfig {
    double sample_rate_hz = 16000.0;
    double fmin_hz = 60.0;
    double fmax_hz = 1000.0;
    // Samples per analysis frame; the longest period must fit in half of it:
    // frame_length >= 2 * (ceil(sr / fmin) + 2).
    int frame_length = 1024;
    int hop_length = 256;
    // pYIN: thresholds 1/n .. 1 weighted by a Beta(beta_a, beta_b) prior
    int n_thresholds = 100;
    double beta_a = 2.0;
    double beta_b = 18.0;
    double boltzmann = 2.0;         // prior over the order of troughs below a threshold
    double no_trough_prob = 0.01;   // weight given to the global minimum when none is below
    // HMM
    double resolution_semitones = 0.1;      // pitch bin width (pYIN's and librosa.pyin's)
    double max_transition_rate = 35.92;     // octaves per second
    double switch_prob = 0.01;              // voiced <-> unvoiced per frame
    int latency_frames = 16;                // fixed-lag decoding delay; < 0: decode at flush()
    // Frames whose RMS is below this are silence: unvoiced, probability 0.
    double silence_rms = 1e-5;

    // Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

// One decided frame.
struct PitchFrame {
    long index = 0;          // frame number; centred on sample index * hop_length
    float f0_hz = 0.0f;      // NaN when unvoiced
    bool voiced = false;
    float voiced_prob = 0.0f;  // pYIN's probability that the frame is voiced
};

class PitchTracker {
  public:
    explicit PitchTracker(const PitchConfig& config);
    ~PitchTracker();
    PitchTracker(const PitchTracker&) = delete;
    PitchTracker& operator=(const PitchTracker&) = delete;

    const PitchConfig& config() const;
    int n_pitch_bins() const;

    // Consumes any number of samples; appends the frames decided so far to `out`.
    void push(const float* samples, std::size_t n, std::vector<PitchFrame>& out);
    // Ends the signal (pads the zeros of the last frames), decides every remaining
    // frame and resets for a new signal.
    void flush(std::vector<PitchFrame>& out);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// The whole signal at once: push + flush.
std::vector<PitchFrame> track(const PitchConfig& config, const float* samples, std::size_t n);

// Nearest equal-tempered note (A4 = a4_hz) and the offset from it in cents,
// in [-50, 50): note_name(440) = ("A4", 0). Throws for f <= 0 or non-finite.
std::pair<std::string, double> hz_to_note(double hz, double a4_hz = 440.0);
// "A4", "C#3", "Bb2" -> Hz. Throws std::invalid_argument for other strings.
double note_to_hz(const std::string& name, double a4_hz = 440.0);

}  // namespace edgeaudio::pitch
