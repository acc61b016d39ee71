// Chroma, tuning, key and chords on the frontend's power spectra.
//
// Chroma (librosa.feature.chroma_stft conventions): the power spectrum S_t of
// centred Hann frames (edgeaudio::frontend, zero padding) is projected on a
// bank of n_chroma Gaussian bumps per octave (Ellis' chromagram_E: each FFT
// bin's log-frequency in chroma bins, a Gaussian of one bin width around each
// pitch class, columns L2-normalised, weighted by a Gaussian over octaves
// centred on ctroct with octwidth octaves, C first), shifted by `tuning`
// (fractions of a chroma bin), then each frame is divided by its maximum
// (inf-norm; frames whose maximum is below FLT_MIN are left as they are).
//
// Tuning (librosa.estimate_tuning on the power spectrum): per frame the
// spectral peaks above threshold * (frame maximum) between tuning_fmin_hz and
// tuning_fmax_hz, refined by parabolic interpolation; peaks whose interpolated
// height is at least the median of all peaks vote in a histogram of their
// deviation from equal temperament (A440) with tuning_resolution wide bins;
// the left edge of the fullest bin is the estimate, in [-0.5, 0.5).
//
// ChromaExtractor streams with a fixed tuning: push any number of samples,
// get the chroma frames completed; flush() ends the signal. Batch chroma is
// push(everything) + flush() (with the estimated tuning if asked), so
// streaming equals batch for any chunking. No allocation after construction.
//
// Key: Pearson correlation of the summed chroma with the 24 rotations of the
// Krumhansl-Kessler major and minor profiles.
//
// Chords: 24 major / minor triads + no-chord. Per frame, the cosine between
// the L2-normalised chroma and each chord template (root, third, fifth, with
// the root weighted root_weight; plus maj7, 7 and min7 templates, which are
// reported as their major / minor triad, as mir_eval's majmin scores them),
// scaled by `sharpness`, is the log emission; no-chord scores no_chord_score * sharpness, or wins outright when
// the frame's chroma energy is silence_db below the loudest frame's. A
// first-order HMM over the 61 templates + no-chord (stay with self_prob,
// else move uniformly) is decoded by Viterbi.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace edgeaudio::chroma {

struct ChromaConfig {
    double sample_rate_hz = 22050.0;
    int n_fft = 2048;         // frame (Hann window) length, samples
    int hop_length = 512;     // samples between frames
    int n_chroma = 12;        // bins per octave
    double tuning = 0.0;      // deviation from A440 in chroma bins, [-0.5, 0.5]
    double ctroct = 5.0;      // centre of the octave weighting, octaves above A0 (27.5 Hz)
    double octwidth = 2.0;    // its width in octaves; 0: no weighting
    // tuning estimation
    double tuning_fmin_hz = 150.0;
    double tuning_fmax_hz = 4000.0;
    double tuning_threshold = 0.1;   // peaks above this fraction of the frame maximum
    double tuning_resolution = 0.01; // histogram bin width, chroma bins

    // Throws std::invalid_argument naming the first bad field ("ChromaConfig.n_fft: ...").
    void validate() const;
    int n_bins() const { return n_fft / 2 + 1; }
    // Frames of a signal of n samples: 1 + n / hop_length (0 for n = 0).
    std::size_t num_frames(std::size_t n) const;
};

// The filterbank for a tuning, n_chroma x n_bins, row-major.
std::vector<float> chroma_filterbank(const ChromaConfig& config, double tuning);

// Tuning of power spectra (frames x n_bins, row-major), in chroma bins; 0
// when no peak is found.
double estimate_tuning(const ChromaConfig& config, const float* power, std::size_t frames);

class ChromaExtractor {
  public:
    // Uses config.tuning.
    explicit ChromaExtractor(const ChromaConfig& config);
    ~ChromaExtractor();
    ChromaExtractor(const ChromaExtractor&) = delete;
    ChromaExtractor& operator=(const ChromaExtractor&) = delete;

    const ChromaConfig& config() const;
    // Consumes n samples; appends n_chroma floats per completed frame to out
    // (normalised), and, if energy is not null, each frame's raw chroma sum.
    // Throws std::invalid_argument, consuming nothing, on NaN / Inf.
    void push(const float* x, std::size_t n, std::vector<float>& out, std::vector<float>* energy = nullptr);
    // Ends the signal (frames that need end padding), then resets.
    void flush(std::vector<float>& out, std::vector<float>* energy = nullptr);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Batch chroma of x[0..n): frames x n_chroma (row-major) into out. With
// estimate true the tuning is estimated from the signal first (written to
// *tuning_used if given), else config.tuning is used.
void chroma_stft(const ChromaConfig& config, const float* x, std::size_t n, bool estimate,
                 std::vector<float>& out, double* tuning_used = nullptr,
                 std::vector<float>* energy = nullptr);

// ---- key ----------------------------------------------------------------

struct KeyEstimate {
    int tonic = 0;        // pitch class, 0 = C
    bool minor = false;
    double correlation = 0.0;
    double scores[24] = {};  // 0..11 major C..B, 12..23 minor C..B
};

// Key of chroma frames (frames x 12); throws std::invalid_argument for zero frames.
KeyEstimate estimate_key(const float* chroma, std::size_t frames);

// ---- chords -------------------------------------------------------------

constexpr int kNoChord = 24;  // labels: 0..11 major C..B, 12..23 minor C..B, 24 no chord

struct ChordConfig {
    double self_prob = 0.95;      // HMM probability of staying on a chord per frame
    double sharpness = 30.0;      // emission log-likelihood per unit of cosine
    double no_chord_score = 0.3;  // cosine a chord template must beat
    double root_weight = 1.0;     // root's weight in the triad templates
    double silence_db = 40.0;     // frames this far below the loudest are no-chord

    void validate() const;
};

// Chord label per frame from chroma (frames x 12) and each frame's energy
// (raw chroma sum, for the silence rule; may be null).
std::vector<int> recognize_chords(const ChordConfig& config, const float* chroma, const float* energy,
                                  std::size_t frames);

// Most likely state path of an HMM by Viterbi: log emissions (frames x
// states), log transitions (states x states, from row to column), log
// initial probabilities (states).
std::vector<int> viterbi(const float* log_emission, std::size_t frames, std::size_t states,
                         const float* log_transition, const float* log_initial);

// "C:maj", "A:min", "N" (mir_eval / Harte syntax).
std::string chord_name(int label);

}  // namespace edgeaudio::chroma
