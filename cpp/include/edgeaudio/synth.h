// Synthesis building blocks and a polyphonic engine.
//
//   Wavetable      single-cycle tables (one or more frames to morph between),
//                  band-limited by per-octave mipmaps built with edgeaudio::fft:
//                  a note reads the level whose highest harmonic stays below
//                  Nyquist, so no harmonic of the table ever aliases.
//   WavetableOscillator  phase accumulator + cubic (Hermite) table read,
//                  phase-modulation input, frame morph; over the upper half
//                  of each level's octave it crossfades into the next level,
//                  so harmonics fade out as a note rises instead of dropping
//                  at the octave switch.
//   Adsr           attack/decay/sustain/release with a curve control.
//   Svf            state-variable filter (TPT form), low/band/high-pass.
//   PluckedString  Karplus-Strong with decay (T60) and brightness controls.
//   Synth          fixed voice pool, 16 MIDI channels, sample-accurate events,
//                  built-in patches or a SoundFont (see sf2.h).
//
// Real-time rule: everything is sized at construction (or when a patch or a
// SoundFont is installed); Synth::render() neither allocates nor locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace edgeaudio::synth {

class SoundFont;  // sf2.h

// ---------------------------------------------------------------- wavetable

class Wavetable {
  public:
    // frames: n_frames rows of frame_len samples each (one cycle per row),
    // frame_len a power of two in [16, 65536]. max_harmonics caps the partials
    // kept in the lowest (richest) level; 0 keeps frame_len / 2 - 1.
    // Throws std::invalid_argument naming the bad argument.
    Wavetable(const float* frames, std::size_t n_frames, std::size_t frame_len,
              std::size_t max_harmonics = 0);

    enum class Shape { Sine, Saw, Square, Triangle };
    // A classic shape with `harmonics` partials in the richest level.
    static Wavetable classic(Shape shape, std::size_t harmonics = 1024);

    std::size_t n_frames() const { return n_frames_; }
    std::size_t n_levels() const { return levels_.size(); }
    // Highest harmonic kept in a level (level 0 is the richest).
    std::size_t level_harmonics(std::size_t level) const { return levels_[level].harmonics; }
    std::size_t level_length(std::size_t level) const { return levels_[level].len; }
    // The level a note of `phase_inc` cycles per sample reads: the richest one
    // whose top harmonic * phase_inc stays below 0.5 (Nyquist).
    std::size_t level_for(double phase_inc) const;
    // Table of one frame in one level (level_length() samples + 3 guard samples).
    const float* table(std::size_t level, std::size_t frame) const;

  private:
    struct Level {
        std::size_t harmonics, len;
        std::vector<float> data;  // n_frames * (len + 3): x[-1], x[0..len-1], x[len], x[len+1]
    };
    std::size_t n_frames_ = 0;
    std::vector<Level> levels_;
};

class WavetableOscillator {
  public:
    WavetableOscillator() = default;
    explicit WavetableOscillator(const Wavetable* table) : table_(table) {}
    void set_table(const Wavetable* table) { table_ = table; }
    void reset(double phase = 0.0) { phase_ = phase; }
    double phase() const { return phase_; }
    // Adds (accumulate) or writes n samples of a note at freq_hz. pm (may be
    // null) is a phase offset in cycles per sample (phase modulation); morph in
    // [0, n_frames - 1] crossfades between adjacent frames.
    void render(float* out, std::size_t n, double freq_hz, double sample_rate,
                const float* pm = nullptr, float morph = 0.0f, float gain = 1.0f,
                bool accumulate = false);

  private:
    const Wavetable* table_ = nullptr;
    double phase_ = 0.0;
};

// ---------------------------------------------------------------- envelope

struct AdsrConfig {
    float attack_s = 0.005f, decay_s = 0.1f, sustain = 0.7f, release_s = 0.2f;
    // 0: straight lines; towards 1: ever more exponential (fast start, slow
    // finish), like analogue RC envelopes. Stage times stay exact.
    float curve = 0.5f;
};

class Adsr {
  public:
    enum class Stage { Idle, Attack, Decay, Sustain, Release };
    Adsr() = default;
    Adsr(const AdsrConfig& cfg, double sample_rate);  // throws on bad fields
    void gate_on();
    void gate_off();
    void reset() { stage_ = Stage::Idle; value_ = 0.0f; }
    float next();
    void render(float* out, std::size_t n) { for (std::size_t i = 0; i < n; ++i) out[i] = next(); }
    Stage stage() const { return stage_; }
    float value() const { return value_; }
    bool active() const { return stage_ != Stage::Idle; }

  private:
    void enter(Stage s);
    AdsrConfig cfg_{};
    double sr_ = 48000.0;
    Stage stage_ = Stage::Idle;
    float value_ = 0.0f, coef_ = 0.0f, base_ = 0.0f, target_ = 0.0f;
    std::uint32_t left_ = 0;  // samples left in the timed stage
};

// ---------------------------------------------------------------- filter

class Svf {
  public:
    enum class Mode { LowPass, BandPass, HighPass };
    void set(double cutoff_hz, double q, double sample_rate);
    void reset() { ic1_ = ic2_ = 0.0f; }
    void process(float* x, std::size_t n, Mode mode);
    // Coefficients and integrator states, for kernels that run several
    // voices' low-pass filters side by side (one per SIMD lane).
    struct Lane {
        float a1, a2, a3, ic1, ic2;
    };
    Lane lane() const { return Lane{a1_, a2_, a3_, ic1_, ic2_}; }
    void set_state(float ic1, float ic2) { ic1_ = ic1; ic2_ = ic2; }

  private:
    float g_ = 0.0f, k_ = 1.4142f, a1_ = 0.0f, a2_ = 0.0f, a3_ = 0.0f;
    float ic1_ = 0.0f, ic2_ = 0.0f;
};

// ---------------------------------------------------------------- string

class PluckedString {
  public:
    // Preallocates a delay line for notes down to min_freq_hz.
    explicit PluckedString(double sample_rate = 48000.0, double min_freq_hz = 20.0);
    // decay_s: time to fall 60 dB (at the fundamental); brightness in [0, 1]:
    // 0 is a dull, quickly darkening string, 1 a bright one.
    void pluck(double freq_hz, float velocity, double decay_s, float brightness,
               std::uint32_t seed = 1);
    void damp(double release_s);  // shortens the decay (note off)
    void render(float* out, std::size_t n, float gain = 1.0f, bool accumulate = false);
    void reset();
    double frequency() const { return freq_; }

  private:
    void set_loop_gain(double t60_s);
    double sr_, freq_ = 0.0;
    std::vector<float> line_;
    std::size_t len_ = 0, pos_ = 0;
    float gain_ = 0.99f, s_ = 0.5f, ap_c_ = 0.0f, ap_x1_ = 0.0f, ap_y1_ = 0.0f, last_ = 0.0f;
};

// ---------------------------------------------------------------- drums

// One synthesised General MIDI percussion sound (the built-in drum kit of
// channel 10). Each sound has up to three parts, each with an exponential
// decay: a body (a sine, optionally a second one, whose pitch glides from
// start_ratio x its frequency down, or up, to it: kick, toms, congas, bells,
// cowbell), a noise part (white noise, or "metallic" noise: six square
// oscillators at the inharmonic TR-808 cymbal frequencies) through a
// state-variable filter (snare, claps, hats, cymbals, shakers), and a click
// (a 2 ms noise tick for the beater). Claps, guiros and vibraslaps repeat
// the noise in bursts. play() picks the sound of a GM percussion key
// (35-81; others play the nearest). Fixed size, no allocation.
class DrumVoice {
  public:
    explicit DrumVoice(double sample_rate = 48000.0);
    void play(int key, float velocity, std::uint32_t seed = 1);
    void choke(double seconds);  // fade out over `seconds` (an open hi-hat closed by the pedal)
    // Adds (accumulate) or writes n samples.
    void render(float* out, std::size_t n, float gain = 1.0f, bool accumulate = false);
    bool active() const { return active_; }
    float level() const { return level_; }
    // Keys that cut each other off (the hi-hats 42, 44, 46: group 1; the whistles,
    // guiros and cuicas: 2, 3, 4); 0: none.
    static int choke_group(int key);

  private:
    double sr_;
    bool active_ = false;
    float level_ = 0.0f;
    double phase_ = 0.0, phase2_ = 0.0, freq_ = 0.0, freq_end_ = 0.0, glide_mul_ = 1.0, ratio2_ = 0.0;
    float body_amp_ = 0.0f, body_mul_ = 1.0f, body2_level_ = 0.0f;
    float noise_amp_ = 0.0f, noise_mul_ = 1.0f, click_amp_ = 0.0f, click_mul_ = 1.0f;
    float choke_mul_ = 1.0f, choke_amp_ = 1.0f;
    int noise_kind_ = 0, filter_mode_ = 0;  // white / metallic; low / band / high pass
    float a1_ = 0, a2_ = 0, a3_ = 0, k_ = 1, ic1_ = 0, ic2_ = 0;
    double metal_phase_[6] = {}, metal_inc_[6] = {};
    std::uint32_t rng_ = 1;
    std::uint32_t burst_left_ = 0, burst_period_ = 0, burst_count_ = 0, t_ = 0;
    float burst_amp_ = 0.0f;
};

// ---------------------------------------------------------------- engine

// A MIDI-like event `offset` frames into the block passed to render().
struct Event {
    std::uint32_t offset;
    std::uint8_t status;  // 0x80 note off, 0x90 note on, 0xB0 CC, 0xC0 program, 0xE0 bend (| channel)
    std::uint8_t data1, data2;
};

struct Patch {
    enum class Source { Wavetable, PluckedString, DrumKit };  // DrumKit: the key picks a DrumVoice sound
    Source source = Source::Wavetable;
    std::shared_ptr<const Wavetable> table;  // Source::Wavetable
    float morph = 0.0f;                      // frame position
    AdsrConfig amp{};
    float filter_cutoff_hz = 20000.0f;       // >= 0.45 sample rate: filter off
    float filter_q = 0.707f;
    float filter_env_octaves = 0.0f;         // cutoff sweep by the amp envelope
    float filter_keytrack = 0.0f;            // 1: cutoff follows the note
    float vibrato_hz = 5.0f, vibrato_cents = 0.0f;
    float string_decay_s = 2.0f, string_brightness = 0.5f;  // Source::PluckedString
    float gain = 0.25f;
};

struct SynthConfig {
    double sample_rate = 48000.0;
    std::size_t max_voices = 64;
    float gain = 1.0f;
};

// Voice stealing policy, when a note needs a voice and all are busy:
//   1. the released voice (note-off seen, in its release tail) that was
//      released earliest is taken;
//   2. if none is released, the quietest voice (lowest envelope x gain) is
//      taken; ties go to the oldest note.
// A voice held only by the sustain pedal counts as released. A stolen voice
// is not cut: a copy of it fades out linearly over 256 frames in one of four
// extra slots behind the pool (a hard cut only when all four are fading);
// active_voices() and note_sounding() do not count these copies.
class Synth {
  public:
    explicit Synth(const SynthConfig& cfg);  // throws std::invalid_argument
    ~Synth();
    Synth(const Synth&) = delete;
    Synth& operator=(const Synth&) = delete;

    // Setup (allocates; not while render() runs).
    std::size_t add_patch(const Patch& p);  // index for set_program_patch
    // Which patch a program number selects for built-in patches (default:
    // program % number of patches); drums (channel 10) use drum_patch.
    void set_program_patch(int program, std::size_t patch);
    void set_drum_patch(std::size_t patch);
    void set_soundfont(std::shared_ptr<const SoundFont> sf);  // null: built-in patches

    // Renders n frames into left/right (overwritten), applying events (sorted
    // by offset, offset < n) at their exact frame. No allocation, no locks.
    void render(const Event* events, std::size_t n_events, float* left, float* right, std::size_t n);

    void all_notes_off();  // release every voice (ends sustain too)
    void reset();          // silence and default controllers
    std::size_t active_voices() const;
    // True while a voice of (channel 0-15, key) sounds (held or releasing).
    bool note_sounding(int channel, int key) const;
    std::size_t max_voices() const { return cfg_.max_voices; }
    std::size_t voices_started() const { return started_; }
    std::size_t voices_stolen() const { return stolen_; }
    double sample_rate() const { return cfg_.sample_rate; }

    struct Impl;

  private:
    SynthConfig cfg_;
    std::unique_ptr<Impl> d_;
    std::size_t started_ = 0, stolen_ = 0;
};

}  // namespace edgeaudio::synth
