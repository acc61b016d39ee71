// Audio fingerprinting: spectral-peak landmarks hashed in pairs (Wang 2003,
// "An industrial-strength audio search algorithm"; Ellis' landmark variant).
//
// Stages, each on the frontend's power spectrum (edgeaudio::frontend, Hann
// window, n_fft-sample frames every hop_length samples, no padding):
//   1. dB spectrum L_t[k] = 10 log10(max(P_t[k], 10^(floor_db / 10))) over the
//      band fmin_hz .. fmax_hz.
//   2. Stable level S_t[k] = min(L_t[k], ..., L_{t+M-1}[k]), M = stable_frames:
//      a peak must hold its level M frames (96 ms by default). Notes do; the
//      partials of drum hits and of talkers' gliding voices mostly do not,
//      and a one-frame flicker of noise is cut down. (Generated songs share
//      drum loops note for note: peaks on them match the wrong song.)
//   3. Peaks: (t, k) is a candidate when S_t[k] is the maximum of the
//      (2 peak_time_radius + 1) x (2 peak_freq_radius + 1) neighbourhood
//      (frames that do not exist do not count; levels within peak_hold_db
//      count as equal and the earliest of equals wins, so a held tone, flat
//      but for ripple, peaks once, at its onset), lies above floor_db, and
//      stands min_prominence_db above the mean of its row over +-2
//      peak_freq_radius bins (an adaptive threshold that follows the local level, so a change
//      of gain changes nothing). Time and frequency are refined by a parabola
//      through the neighbours.
//   4. Density: frames are grouped in blocks of about one second
//      (block_frames()); in each block the peaks_per_block() most prominent
//      candidates are kept. Noise adds candidates but the strongest music
//      peaks still win.
//   5. Landmarks: each peak (anchor) pairs with the first fan_out later peaks
//      whose frame lies target_dt_min .. target_dt_max frames after it and
//      whose frequency lies within target_octaves of its own.
//   6. Hash (20 of 32 bits used):
//        bits 13..19  anchor frequency, log scale, bands_per_octave per octave
//                     above fmin_hz;
//        bits  6..12  log2(target / anchor frequency), same resolution
//                     (a ratio, unchanged by a speed change);
//        bits  0..5   time difference in frames, rounded.
//      The landmark's time is the anchor's frame (rounded).
//
// Speed changes: audio played s times faster has every frequency times s and
// every time divided by s. pair_peaks() hashes a query's peaks as if it had
// been played at speed s (frequencies / s, times * s); a matcher that tries a
// few speeds (say -2 % .. +2 % in 1 % steps) recovers landmarks that the
// quantisation would otherwise break.
//
// Extractor streams: push any number of samples, get the landmarks decided so
// far; flush() ends the signal. extract() is push(all) + flush(), so streaming
// equals batch for any chunking. The internal state is allocated at
// construction; push/flush only append to the caller's vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace edgeaudio::fingerprint {

struct FingerprintConfig {
    double sample_rate_hz = 8000.0;
    int n_fft = 1024;              // frame = window length, samples (2, 3, 5 factors)
    int hop_length = 256;          // samples between frames
    double fmin_hz = 150.0;        // peak band
    double fmax_hz = 3800.0;
    double floor_db = -20.0;       // power floor (full-scale sine ~ +48 dB at n_fft 1024)
    int peak_freq_radius = 10;     // bins either side that a peak must dominate
    int peak_time_radius = 5;      // frames either side that a peak must dominate
    double min_prominence_db = 3.0;
    int stable_frames = 3;         // frames a peak's level must hold, 1 .. 8
    double peak_hold_db = 0.0;     // levels this close count as equal in the peak test
    double peaks_per_second = 24.0;
    int fan_out = 6;               // targets per anchor
    int target_dt_min = 1;         // frames
    int target_dt_max = 40;        // frames, <= 63
    double target_octaves = 1.0;   // |log2(f_target / f_anchor)| <= this, <= 2.5
    int bands_per_octave = 24;     // hash frequency resolution, 4 .. 48

    // Throws std::invalid_argument naming the first bad field
    // ("FingerprintConfig.hop_length: ...").
    void validate() const;
    // Frames per density block (about one second) and peaks kept in one.
    int block_frames() const;
    int peaks_per_block() const;
    // Frames of a signal of n samples: 1 + (n - n_fft) / hop (0 if n < n_fft).
    std::size_t num_frames(std::size_t n) const;
    // Seconds per frame (hop_length / sample_rate_hz).
    double frame_seconds() const { return hop_length / sample_rate_hz; }
};

struct Peak {
    float frame;     // refined time, frames since the signal start
    float bin;       // refined frequency, FFT bins
    float strength;  // prominence, dB above the local mean
};

struct Landmark {
    std::uint32_t hash;
    std::int32_t frame;  // anchor time, frames
};

// Hash of the pair (anchor a, target b) for audio played at `speed`
// (1 = as indexed). Fields as above, each clamped to its bit range.
std::uint32_t pair_hash(const FingerprintConfig& config, const Peak& a, const Peak& b, double speed);

// Landmarks of a whole, time-ordered peak list (as Extractor emits them) for
// audio played at `speed` (> 0): anchor frames are scaled by speed. At
// speed 1 this is exactly what the Extractor emits for those peaks.
// Throws std::invalid_argument on a bad speed.
void pair_peaks(const FingerprintConfig& config, const Peak* peaks, std::size_t n, double speed,
                std::vector<Landmark>& out);

class Extractor {
  public:
    explicit Extractor(const FingerprintConfig& config);
    ~Extractor();
    Extractor(const Extractor&) = delete;
    Extractor& operator=(const Extractor&) = delete;

    const FingerprintConfig& config() const;
    // Frames seen since the last reset.
    std::size_t frames() const;

    // Consumes n samples (at config().sample_rate_hz); appends the landmarks
    // decided so far to `landmarks` and, if given, the peaks kept to `peaks`.
    // Throws std::invalid_argument, consuming nothing, on NaN / Inf.
    void push(const float* x, std::size_t n, std::vector<Landmark>& landmarks,
              std::vector<Peak>* peaks = nullptr);
    // Ends the signal (the last frames' peaks and their landmarks), then resets.
    void flush(std::vector<Landmark>& landmarks, std::vector<Peak>* peaks = nullptr);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Batch: Extractor push(x) + flush().
void extract(const FingerprintConfig& config, const float* x, std::size_t n,
             std::vector<Landmark>& landmarks, std::vector<Peak>* peaks = nullptr);

// Sub-fingerprints (after Haitsma & Kalker 2002, "A highly robust audio
// fingerprinting system"; written for edgeaudio): a dense second fingerprint
// the matcher uses to find where in a candidate song a query lies (the
// landmark vote can pick a repeated section or a beat-shifted offset) and how
// well it agrees there. On the frontend's power spectrum (the landmarks' frames):
//   E_t[m] = sum of P_t[k] over the bins k with e_m <= k < e_{m+1},
//            e_m = 300 Hz * 10^(m / 33) * speed / bin_hz, m = 0 .. 32
//            (33 log-spaced bands, 300 .. 3000 Hz);
//   d_t[m] = ln(E_t[m] + 1e-3) - ln(E_t[m+1] + 1e-3), m = 0 .. 31;
//   bit m of frame t = d_t[m] - d_{t-1}[m] > 0 (frame 0: no bits, 0).
// The signs of a spectral slope's change over time survive noise and a
// room's colouring (a fixed filter cancels in the time difference). `speed`
// scales the band edges, so a query played s times fast is compared with the
// song's bits (speed 1) band for band.
constexpr int kSubprintBands = 33;
constexpr double kSubprintFminHz = 300.0, kSubprintFmaxHz = 3000.0;

class SubprintExtractor {
  public:
    // Throws std::invalid_argument for a bad config (validate()) or a speed
    // outside 0.5 .. 2, or when the top band edge lies above the spectrum.
    SubprintExtractor(const FingerprintConfig& config, double speed);
    ~SubprintExtractor();
    SubprintExtractor(const SubprintExtractor&) = delete;
    SubprintExtractor& operator=(const SubprintExtractor&) = delete;

    // Consumes n samples; appends one 32-bit word per completed frame.
    // Throws std::invalid_argument, consuming nothing, on NaN / Inf.
    void push(const float* x, std::size_t n, std::vector<std::uint32_t>& out);
    // Ends the signal (frames the frontend still holds), then resets.
    void flush(std::vector<std::uint32_t>& out);
    void reset();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Batch: SubprintExtractor push(x) + flush().
void sub_fingerprints(const FingerprintConfig& config, const float* x, std::size_t n, double speed,
                      std::vector<std::uint32_t>& out);

// Bit agreement of a query's sub-fingerprints with a song's at every offset
// o = o_lo .. o_hi (song frames): query frame i (bits query[i], skipped when
// 0: silence or frame 0) lands on song frame o + pos[i] (pos: the query's
// frame times speed, rounded); frames outside 1 .. n_song - 1 do not count.
// agree[o - o_lo] = matching bits minus differing bits over the frames that
// land. Throws std::invalid_argument when o_hi < o_lo.
void subprint_scan(const std::uint32_t* song, std::size_t n_song, const std::uint32_t* query,
                   const std::int32_t* pos, std::size_t m, long o_lo, long o_hi, std::int32_t* agree);

}  // namespace edgeaudio::fingerprint
