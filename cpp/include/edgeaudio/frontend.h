// The audio frontend: framing, pre-emphasis, window, power spectrum on the
// SIMD FFT, mel filterbank, log / dB / PCEN, DCT-II to MFCC, and deltas.
//
// One FrontendConfig describes every stage. One streaming object (Frontend)
// computes the frames; the batch call (compute) is that same object fed the
// whole signal and flushed, so training (batch) and the device (streaming)
// produce the same numbers for any chunking of the input.
//
// Shape of a stream (TFLite Micro frontend style):
//   Frontend fe(config);                        // validates, allocates, plans
//   n = fe.push(samples, count, out);           // any block size, 0..k frames
//   n = fe.flush(out);                          // tail frames (end padding), then reset
//   fe.reset();
// push/flush never allocate; each frame is output_size() floats.
//
// Frame geometry. The signal is conceptually padded with pad_left() zeros at
// the start (Padding::Center) and with zeros at the end (Center, End). Frame t
// covers padded samples [t * hop_length, t * hop_length + frame_extent()); the
// window (win_length samples) sits at frame_offset() inside it: centred in an
// n_fft frame (librosa, WindowPlacement::Center) or at its start with the frame
// as long as the window (python_speech_features, Kaldi, WindowPlacement::Left).
// num_frames(n) frames result from n samples:
//   Padding::None    1 + (n - extent) / hop if n >= extent, else 0
//   Padding::Center  extent/2 zeros each side, then as None (0 frames for n = 0)
//   Padding::End     1 + ceil((n - extent) / hop) if n > extent, 1 if 0 < n <= extent,
//                    0 for n = 0 (python_speech_features' framesig)
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgeaudio/simd.h"

namespace edgeaudio::frontend {

enum class Window { Hann, Hamming, Povey, Rectangular };
enum class WindowPlacement { Center, Left };
enum class Padding { None, Center, End };
// Slaney: linear below 1 kHz, log above (librosa default). HTK: 2595 log10(1 + f/700).
enum class MelScale { Slaney, HTK };
enum class MelNorm { None, Slaney };
// Hz: triangles linear in Hz between mel-spaced edges (librosa).
// Mel: triangles linear in mel, 1127 ln(1 + f/700) (Kaldi).
// FftBin: edges rounded down to FFT bins, triangles over bin index (python_speech_features).
enum class MelTriangles { Hz, Mel, FftBin };
// Log: ln(max(x, log_floor)). DB: 10 log10(max(x, log_floor)) - 10 log10(max(db_ref, log_floor)).
// LogOffset: ln(x + log_offset). PCEN: per-channel energy normalisation (librosa.pcen).
enum class Compression { None, Log, DB, LogOffset, PCEN };
// HTK: c_i *= 1 + L/2 sin(pi i / L) (HTK, Kaldi, python_speech_features).
// Librosa: c_i *= 1 + L/2 sin(pi (i + 1) / L) (librosa.feature.mfcc).
enum class LifterStyle { HTK, Librosa };
// What a frame holds: Stft (n_bins complex, interleaved re/im), Spectrum
// (n_bins), Mel (n_mels), LogMel (n_mels, after compression), Mfcc (n_mfcc).
enum class Output { Stft, Spectrum, Mel, LogMel, Mfcc };

struct FrontendConfig {
    double sample_rate = 16000.0;  // Hz
    int n_fft = 512;               // FFT length (prime factors 2, 3, 5)
    int win_length = 400;          // samples, <= n_fft
    int hop_length = 160;          // samples between frame starts
    Window window = Window::Hann;
    bool window_periodic = true;   // periodic (DFT-even, librosa) or symmetric (Kaldi)
    WindowPlacement window_placement = WindowPlacement::Left;
    Padding padding = Padding::None;
    float preemphasis = 0.0f;            // y[n] = x[n] - a x[n-1]; 0 = off
    bool preemphasis_per_frame = false;  // Kaldi: inside each frame, y[0] = x[0] - a x[0]
    bool remove_dc = false;              // Kaldi: subtract each frame's mean
    int spectrum_power = 2;              // 2: power |X|^2, 1: magnitude |X|
    float spectrum_scale = 1.0f;         // multiplies the spectrum (python_speech_features: 1/n_fft)
    int n_mels = 40;
    double fmin_hz = 0.0;
    std::optional<double> fmax_hz;       // none: sample_rate / 2
    MelScale mel_scale = MelScale::HTK;
    MelNorm mel_norm = MelNorm::None;
    MelTriangles mel_triangles = MelTriangles::Hz;
    Compression compression = Compression::Log;
    float log_floor = 1e-10f;            // amin for Log and DB
    float log_offset = 1e-6f;            // for LogOffset
    float db_ref = 1.0f;                 // ref for DB
    std::optional<float> top_db;         // DB only, batch only: clip at (max over the clip) - top_db
    float pcen_time_constant_s = 0.4f;
    float pcen_gain = 0.98f;
    float pcen_bias = 2.0f;
    float pcen_power = 0.5f;
    float pcen_eps = 1e-6f;
    int n_mfcc = 13;
    float lifter = 0.0f;                 // 0 = off
    LifterStyle lifter_style = LifterStyle::HTK;
    bool energy_as_c0 = false;           // replace c0 by the compressed sum of the spectrum
    Output output = Output::LogMel;

    // A plain Hann power spectrum (|X|^2, no mel, no compression; output Spectrum) with
    // win_length = n_fft: what chroma, onsets and fingerprints start from. centered: frames
    // centred on t * hop with reflect-free centre padding (librosa's center=True), else
    // left-aligned frames and no padding.
    static FrontendConfig hann_power_spectrum(double sample_rate, int n_fft, int hop_length, bool centered);

    // Throws std::invalid_argument naming the field ("FrontendConfig.fmax_hz: ...").
    void validate() const;

    // Field access by name with text values, as they appear in a JSON
    // manifest: numbers, true/false, enum names ("hann", "slaney", ...),
    // "none" for an absent optional. Unknown names or values throw
    // std::invalid_argument naming the field.
    void set(const std::string& field, const std::string& value);
    std::string get(const std::string& field) const;
    static const std::vector<std::string>& field_names();

    // Derived geometry (valid configs only).
    int n_bins() const { return n_fft / 2 + 1; }
    double fmax() const { return fmax_hz ? *fmax_hz : sample_rate / 2.0; }
    int frame_extent() const { return window_placement == WindowPlacement::Center ? n_fft : win_length; }
    int frame_offset() const { return window_placement == WindowPlacement::Center ? (n_fft - win_length) / 2 : 0; }
    int pad_left() const { return padding == Padding::Center ? frame_extent() / 2 : 0; }
    std::size_t num_frames(std::size_t n_samples) const;
    // Floats per frame for an output (Stft: 2 * n_bins).
    std::size_t output_size(Output out) const;
    std::size_t output_size() const { return output_size(output); }
};

// Enum <-> name ("hann", "center", "fft_bin", "log_offset", "mfcc", ...).
const char* name(Window v);
const char* name(WindowPlacement v);
const char* name(Padding v);
const char* name(MelScale v);
const char* name(MelNorm v);
const char* name(MelTriangles v);
const char* name(Compression v);
const char* name(LifterStyle v);
const char* name(Output v);
// Throws std::invalid_argument("FrontendConfig.output: unknown value 'x' (expected ...)").
Output output_from_name(const std::string& s);

struct FrontendImpl;

// The streaming frontend. Construction validates the config (the clip-wide
// top_db cannot stream: it throws), builds the tables and the FFT plan, and
// allocates everything; push, flush and reset do not allocate.
class Frontend {
  public:
    explicit Frontend(const FrontendConfig& config, Isa isa = active_isa());
    Frontend(const FrontendConfig& config, Output output, Isa isa = active_isa());
    ~Frontend();
    Frontend(const Frontend&) = delete;
    Frontend& operator=(const Frontend&) = delete;

    const FrontendConfig& config() const;
    Output output() const;
    std::size_t output_size() const;  // floats per frame
    Isa isa() const;                  // path of the frontend kernels

    // Frames a push of n more samples would complete.
    std::size_t frames_ready(std::size_t n) const;
    // Frames flush() would write now.
    std::size_t flush_frames() const;
    // Signal samples pushed since the last reset.
    std::size_t samples_pushed() const;

    // Consumes all n samples, writes frames_ready(n) frames to out and returns
    // that count. Throws std::invalid_argument, consuming nothing, if a sample
    // is NaN or infinite.
    std::size_t push(const float* in, std::size_t n, float* out);
    // The same with room for at most max_frames frames: stops consuming before
    // the sample that would complete one more frame; *consumed says how many
    // samples were taken (call again with the rest).
    std::size_t push(const float* in, std::size_t n, float* out, std::size_t max_frames,
                     std::size_t* consumed);
    // Ends the signal: writes the frames that need end padding
    // (flush_frames() of them), then resets.
    std::size_t flush(float* out);
    // Forgets the signal: the next sample is the first of a new one.
    void reset();

  private:
    std::unique_ptr<FrontendImpl> d_;
};

// Batch: the frames of the whole signal x[0..n) (num_frames(n) of them,
// output_size(output) floats each), exactly what a Frontend fed x in any
// chunking and flushed writes; with compression DB and top_db set, log-mel
// values are then clipped at (max over this signal) - top_db before the DCT,
// as librosa.power_to_db does. Throws std::invalid_argument on NaN / Inf.
void compute(const FrontendConfig& config, const float* x, std::size_t n, Output output,
             float* out, Isa isa = active_isa());

// The window (win_length values) and the mel filterbank as a dense
// n_mels x n_bins matrix (row-major), as the frontend applies them (the
// filterbank without spectrum_scale).
std::vector<float> window(const FrontendConfig& config);
std::vector<float> mel_filterbank(const FrontendConfig& config);

// Deltas along time, librosa.feature.delta semantics: the order-th derivative
// of a Savitzky-Golay fit of degree `order` over `width` frames (odd, >= 3),
// edges from the fit of the first / last `width` frames (mode "interp").
// x and out: frames x dims, row-major; needs frames >= width. Throws
// std::invalid_argument otherwise.
void delta(const float* x, std::size_t frames, std::size_t dims, int width, int order, float* out);

}  // namespace edgeaudio::frontend
