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

// ---- constant-Q transform ----------------------------------------------
//
// CQT magnitudes with librosa.cqt's definitions, computed at full rate from
// one FFT per frame through a sparse spectral kernel (Brown & Puckette):
// bin k has centre frequency f_k = fmin 2^((k + tuning) / bins_per_octave)
// and a Hann-windowed complex exponential of length l_k = Q sr / f_k
// (Q = filter_scale / alpha, alpha = (r^2 - 1) / (r^2 + 1), r =
// 2^(1 / bins_per_octave); librosa.filters.wavelet_lengths), normalised to
// unit L1 norm, centred in an n_fft = 2^ceil(log2(max l_k)) frame (at least
// 2^(1 + ceil(log2 hop))); its spectrum times l_k / n_fft, with the smallest
// entries holding `sparsity` of its L1 mass dropped (librosa.util.
// sparsify_rows), is the kernel row. Frames are centred (frame t at sample
// t * hop_length, zeros outside the signal: librosa's pad_mode="constant"),
// 1 + n / hop_length of them, and the magnitude is divided by sqrt(l_k)
// (librosa's scale=True). librosa.cqt reaches the low octaves by repeated
// 2x downsampling instead, so the two agree to the accuracy of its
// resampler (tests/test_chroma.py states the tolerance).

struct CqtConfig {
    double sample_rate_hz = 22050.0;
    int hop_length = 512;
    double fmin_hz = 32.70319566257483;  // C1
    int n_bins = 252;                    // 7 octaves
    int bins_per_octave = 36;
    double tuning = 0.0;         // in bins; |tuning| <= bins_per_octave / 24 (half a semitone)
    double filter_scale = 1.0;
    double sparsity = 0.01;      // in [0, 1)

    // Throws std::invalid_argument naming the first bad field ("CqtConfig.n_bins: ...").
    void validate() const;
    double bin_hz(int k) const;
    double filter_length(int k) const;  // l_k, samples (fractional)
    int n_fft() const;                  // frame length of the kernel
    std::size_t num_frames(std::size_t n) const { return n == 0 ? 0 : 1 + n / static_cast<std::size_t>(hop_length); }
};

// Streaming CQT: push any number of samples, get the magnitudes (n_bins per
// frame) of the frames completed; flush() pads the end with zeros, emits the
// remaining frames and resets. Any chunking gives the same frames as the
// whole signal at once. Latency n_fft / 2 samples. No allocation after
// construction (out grows only by the frames appended).
class CqtAnalyzer {
  public:
    explicit CqtAnalyzer(const CqtConfig& config);
    ~CqtAnalyzer();
    CqtAnalyzer(const CqtAnalyzer&) = delete;
    CqtAnalyzer& operator=(const CqtAnalyzer&) = delete;

    const CqtConfig& config() const;
    std::size_t kernel_nonzeros() const;
    // Throws std::invalid_argument, consuming nothing, on NaN / Inf.
    void push(const float* x, std::size_t n, std::vector<float>& out);
    void flush(std::vector<float>& out);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Batch CQT magnitudes of x[0..n): frames x n_bins (row-major) into out.
void cqt(const CqtConfig& config, const float* x, std::size_t n, std::vector<float>& out);

// librosa.feature.chroma_cqt from CQT magnitudes (frames x n_bins): each
// chroma bin sums the bins_per_octave / n_chroma CQT bins centred on its
// pitch class in every octave (librosa.filters.cq_to_chroma, rotated so
// that C comes first given fmin), then each frame is divided by its maximum
// (frames whose maximum is below FLT_MIN stay as they are). bins_per_octave
// must be a multiple of n_chroma.
void cqt_to_chroma(const CqtConfig& config, int n_chroma, const float* cqt_mag, std::size_t frames,
                   std::vector<float>& out);

// Treble and bass chroma for chord recognition (bins_per_octave a multiple
// of 12): the CQT magnitudes summed per semitone; each note's upper partials
// (harmonics 2..6, weight harmonic_subtract * harmonic_decay^(h-1) of the
// note's own level) removed from the notes they fall on, lowest note first,
// so a bass note's harmonics do not read as chord tones; then the notes
// folded to pitch classes under two register weights (logistic edges two
// semitones wide): treble from treble_lo_midi to treble_hi_midi, bass from
// MIDI 28 up to bass_hi_midi. frames x 12 each, not normalised. (The
// silence rule of recognize_chords wants a short-time energy: the CQT's
// long low filters and its sparsified kernel keep ringing for seconds, so
// the caller passes the signal's power per hop instead.)
struct ChordFeatureConfig {
    double harmonic_subtract = 0.5;
    double harmonic_decay = 0.6;
    double treble_lo_midi = 55.0;
    double treble_hi_midi = 84.0;
    double bass_hi_midi = 52.0;
    void validate() const;
};
void chord_features(const CqtConfig& config, const ChordFeatureConfig& fc, const float* cqt_mag,
                    std::size_t frames, std::vector<float>& treble, std::vector<float>& bass);

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
    // Template partials: each chord note contributes harmonics 1..6 with
    // weight harmonic_decay^(h-1) to the pitch classes they fall on (0: the
    // notes alone, the plain binary templates).
    double harmonic_decay = 0.0;
    // With a bass chroma: bass_weight * (share of the bass chroma on the
    // chord's root, + inversion_weight x its share on the third and fifth,
    // + half that on the seventh) is added to the log emission.
    double bass_weight = 0.0;
    double inversion_weight = 0.5;
    // Key context: with key_tonic in 0..11, key_weight is added to the log
    // emission of the chords that belong to the key (major: I ii iii IV V vi
    // and bVII; minor: i III iv v VI bVII and the V and IV of harmonic and
    // dorian minor), sevenths by their triad.
    int key_tonic = -1;           // -1: no key
    bool key_minor = false;
    double key_weight = 0.0;

    void validate() const;
};

// Chord label per frame from chroma (frames x 12), each frame's energy
// (raw chroma sum, for the silence rule; may be null) and optionally a bass
// chroma (frames x 12; null: no bass term).
std::vector<int> recognize_chords(const ChordConfig& config, const float* chroma, const float* energy,
                                  std::size_t frames, const float* bass = nullptr);

// Most likely state path of an HMM by Viterbi: log emissions (frames x
// states), log transitions (states x states, from row to column), log
// initial probabilities (states).
std::vector<int> viterbi(const float* log_emission, std::size_t frames, std::size_t states,
                         const float* log_transition, const float* log_initial);

// "C:maj", "A:min", "N" (mir_eval / Harte syntax).
std::string chord_name(int label);

}  // namespace edgeaudio::chroma
