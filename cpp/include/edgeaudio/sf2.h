// SoundFont 2 loader. The whole file is parsed and checked at load time:
// every chunk must lie inside its parent, every record table must have a
// whole number of records and end with its terminal record, every index
// (bag, generator, instrument, sample) must be in range and non-decreasing,
// and every sample's start/end/loop points must lie inside the sample data.
// A file that breaks any of this throws sf2::FormatError naming the chunk and
// the problem; nothing is ever read outside the bytes given.
//
// Presets are flattened into regions at load: each (preset zone, instrument
// zone) pair whose key and velocity ranges overlap becomes one Region with
// the generators summed as the SF2 spec says (instrument values absolute,
// preset values added; preset globals and instrument globals applied). The
// default modulators the engine applies itself (engine.cpp), with the
// level conventions of FluidSynth 2.3 (the reference the benchmarks compare
// against): velocity and CC7/CC11 to attenuation (concave, 960 cB each,
// FluidSynth's interpolated table read at 127 (1 - v/128)); no velocity to
// filter cutoff (FluidSynth neutralises SF2.01's); pitch wheel (+-2 semitones
// by default, RPN 0 changes it); CC10 pan (sine law). The filter's Q is the
// resonance over a non-resonant response (Q_dB - 3.01 dB) and every voice
// gets the filter's passband gain 1/sqrt(q). The volume envelope spans
// 960 cB. The modulation envelope (attack convex, SF2.04) to pitch and
// filter, the modulation LFO (to pitch, filter, volume) and the vibrato LFO
// (to pitch) run once per 64-frame sub-block. initialAttenuation is applied
// x 0.4 (EMU hardware, FluidSynth).
// Exclusive classes release the sounding voices of the class over -200
// timecents (FluidSynth's value).
// Not supported: modulators in the file (pmod/imod: checked for size, then
// ignored; in FluidR3_GM only its four Brass instruments carry any that
// differ from the defaults, velocity to cutoff and Q), chorus and reverb
// sends. 24-bit samples: an sdta 'sm24' chunk with one byte per frame (the
// low byte) makes the frames play at 24 bits, from a float copy made at load
// (4 bytes a frame); an sm24 chunk of another size is ignored (SF2.04 7.2). A positive
// modulation-LFO-to-volume swing may lift a voice above its envelope's
// peak here (FluidSynth clips it there; a few tenths of a dB at most in
// FluidR3_GM).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace edgeaudio::synth {

// A malformed or truncated SoundFont (a std::invalid_argument: bad input).
struct FormatError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct Region {
    std::uint8_t key_lo = 0, key_hi = 127, vel_lo = 0, vel_hi = 127;
    // Absolute frame indices into SoundFont::samples(); start < end,
    // loop_start < loop_end <= end when the loop is used.
    std::uint32_t start = 0, end = 0, loop_start = 0, loop_end = 0;
    std::uint32_t sample_rate = 44100;
    int root_key = 60;
    float tune_cents = 0.0f;       // coarse * 100 + fine + sample pitch correction
    float scale_tuning = 100.0f;   // cents per key
    int loop_mode = 0;             // 0 none, 1 continuous, 3 until release
    float attenuation_cb = 0.0f;   // centibels: 0.4 x the generator, as EMU hardware and FluidSynth do (may be < 0)
    float pan = 0.0f;              // -0.5 (left) .. 0.5 (right)
    // volume envelope, seconds (delay..release) and sustain attenuation in cB
    float delay_s = 0, attack_s = 0, hold_s = 0, decay_s = 0, release_s = 0, sustain_cb = 0;
    float key_to_hold_tc = 0, key_to_decay_tc = 0;  // timecents per key from 60
    float filter_fc_cents = 13500.0f, filter_q_cb = 0.0f;
    int exclusive_class = 0;
    // modulation envelope (linear segments, sustain as a level 0..1) and its destinations, cents
    float mod_delay_s = 0, mod_attack_s = 0, mod_hold_s = 0, mod_decay_s = 0, mod_sustain = 1, mod_release_s = 0;
    float mod_key_to_hold_tc = 0, mod_key_to_decay_tc = 0;
    float mod_env_to_pitch = 0, mod_env_to_fc = 0;
    // modulation LFO (to pitch and filter in cents, to volume in cB) and vibrato LFO (to pitch)
    float mod_lfo_delay_s = 0, mod_lfo_hz = 8.176f, mod_lfo_to_pitch = 0, mod_lfo_to_fc = 0, mod_lfo_to_vol_cb = 0;
    float vib_lfo_delay_s = 0, vib_lfo_hz = 8.176f, vib_lfo_to_pitch = 0;
};

struct Preset {
    std::string name;
    int bank = 0, program = 0;
    std::vector<Region> regions;
};

class SoundFont {
  public:
    // Throws FormatError (bad content) or std::runtime_error (cannot read).
    static std::shared_ptr<SoundFont> load(const std::string& path);
    static std::shared_ptr<SoundFont> from_memory(const std::uint8_t* data, std::size_t size,
                                                  const std::string& label = "<memory>");

    const std::string& name() const { return name_; }
    const std::vector<Preset>& presets() const { return presets_; }
    // Exact (bank, program) or null. Lookup is a binary search: safe in render().
    const Preset* find(int bank, int program) const;
    // GM fallback: exact, else bank 0 (128 for drums) same program, else the first preset.
    const Preset* find_or_fallback(int bank, int program, bool drums) const;
    // Sample frames; kGuardFrames zero frames lie before samples()[0] and
    // after the last frame, so interpolation may read a few frames outside.
    static constexpr std::size_t kGuardFrames = 46;
    const std::int16_t* samples() const { return frames_; }
    std::size_t n_samples() const { return n_frames_; }
    // With an sm24 chunk: the same frames at 24 bits, as floats in 16-bit
    // units (value / 256), with the same guard frames; null without one.
    const float* samples24() const { return frames24_.empty() ? nullptr : frames24_.data() + kGuardFrames; }

  private:
    SoundFont() = default;
    // Takes a buffer of kPad zero bytes, the file's size bytes, kPad zero bytes.
    static std::shared_ptr<SoundFont> adopt(std::unique_ptr<std::uint8_t[]> buffer, std::size_t size,
                                            const std::string& label);
    static constexpr std::size_t kPad = 2 * kGuardFrames;
    void parse(std::uint8_t* data, std::size_t size, const std::string& label);
    std::string name_;
    std::vector<Preset> presets_;        // sorted by (bank, program)
    // The file stays in memory: little-endian hosts play the 16-bit frames in
    // place (no second copy of a 140 MB sample chunk); others keep a converted copy.
    std::unique_ptr<std::uint8_t[]> file_;
    std::vector<std::int16_t> converted_;
    std::vector<float> frames24_;  // 24-bit frames (sm24), kGuardFrames zeros either side; empty without
    const std::int16_t* frames_ = nullptr;
    std::size_t n_frames_ = 0;
};

}  // namespace edgeaudio::synth
