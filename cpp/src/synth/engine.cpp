// The polyphonic engine: 16 MIDI channels, a fixed voice pool, three voice
// sources (band-limited wavetable, plucked string, SoundFont sample). The
// block is cut at every event and every kSub frames: events land on their
// exact frame, control values (bend, LFO, filter, pan) update per sub-block.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "edgeaudio/sf2.h"
#include "edgeaudio/simd.h"
#include "edgeaudio/synth.h"
#include "kernels.h"

namespace edgeaudio::synth {

namespace {
constexpr std::size_t kSub = 64;
// the resample kernels may read a few frames past their last tap: the SoundFont's guard frames
static_assert(SoundFont::kGuardFrames >= std::size_t(detail::kResampleOverread), "guard frames too few");
constexpr double kPi = 3.14159265358979323846;
constexpr int kDrumChannel = 9;
// A stolen voice is not cut (a click): a copy of it fades out linearly over
// kFadeFrames in one of kFadeSlots extra slots behind the pool while its slot
// starts the new note. With every fade slot busy the steal is a hard cut.
constexpr std::size_t kFadeSlots = 4;
constexpr std::uint32_t kFadeFrames = 256;

// The SF2 default modulators from a 7-bit controller (note-on velocity, CC7, CC11) to attenuation:
// concave, negative, 960 cB. As FluidSynth evaluates them: the source is normalised by 128
// (not 127) and the concave table (SF2.01 8.2.4, 128 points) is read with linear interpolation,
// so full scale still costs 1.36 cB per controller (0.41 dB for velocity, CC7 and CC11 at 127)
// and CC7 at its default 100 costs 42.9 cB. A 7-bit value -> linear gain table.
constexpr double kPeakAttenuationCb = 960.0;  // the SF2 envelope / modulator attenuation range
std::array<float, 128> concave_gain_table() {
    double tab[128];
    tab[0] = 0.0;
    tab[127] = 1.0;
    for (int i = 1; i < 127; ++i) tab[127 - i] = -(400.0 / kPeakAttenuationCb) * std::log10(i / 127.0);
    std::array<float, 128> gain{};
    for (int v = 0; v < 128; ++v) {
        const double x = 127.0 * (1.0 - v / 128.0);
        const int i = std::min(int(x), 126);
        const double c = tab[i] + (x - i) * (tab[i + 1] - tab[i]);
        gain[std::size_t(v)] = float(std::pow(10.0, -kPeakAttenuationCb * c / 200.0));
    }
    return gain;
}
// The SF2 convex curve for x in [0, 1]: FluidSynth's 128-point table (1 + 5/12 log10(i/127)),
// read at 127 x with linear interpolation.
std::array<float, 128> convex_table() {
    std::array<float, 128> tab{};
    tab[0] = 0.0f;
    tab[127] = 1.0f;
    for (int i = 1; i < 127; ++i) tab[std::size_t(i)] = float(1.0 + (400.0 / kPeakAttenuationCb) * std::log10(i / 127.0));
    return tab;
}
const std::array<float, 128> kConvex = convex_table();
float convex(float x) {
    const float p = std::min(std::max(x, 0.0f), 1.0f) * 127.0f;
    const int i = std::min(int(p), 126);
    return kConvex[std::size_t(i)] + (p - float(i)) * (kConvex[std::size_t(i) + 1] - kConvex[std::size_t(i)]);
}
const float kExclusiveRelease_s = float(std::pow(2.0, -200.0 / 1200.0));
const float kEnvFloorAmp = float(std::pow(10.0, -kPeakAttenuationCb / 200.0));  // -96 dB: a falling envelope ends
const std::array<float, 128> kConcaveGain = concave_gain_table();  // built at load: no guard in render()
float concave_gain(int v) { return kConcaveGain[std::size_t(v & 127)]; }

struct Channel {
    int program = 0, bank = 0, volume = 100, expression = 127, pan = 64, bend = 8192;
    float bend_range = 2.0f;
    int rpn_msb = 127, rpn_lsb = 127;
    bool sustain = false;
    int pitch_serial = 0;  // bumped by every bend or bend-range change (voices cache their step)
    const Preset* preset = nullptr;
    std::size_t patch = 0;
    float gain() const { return concave_gain(volume) * concave_gain(expression); }
    float bend_cents() const { return float(bend - 8192) / 8192.0f * bend_range * 100.0f; }
};

enum class Kind { Off, Wave, String, Sample, Drum };
enum EnvStage { kDelay, kAttack, kHold, kDecay, kSustain, kRelease, kDone };
}  // namespace

struct Voice {
    Kind kind = Kind::Off;
    int channel = 0, key = 0, velocity = 0;
    std::uint64_t serial = 0, release_serial = 0;
    bool released = false, pedal_held = false;
    float level = 0.0f, gain = 0.0f, max_gain = 1.0f;
    // built-in patches
    std::size_t patch = 0;
    WavetableOscillator osc;
    Adsr env;
    Svf filter;
    bool use_filter = false;
    PluckedString string;
    DrumVoice drum;  // the built-in kit (Patch::Source::DrumKit)
    double lfo_phase = 0.0;
    // SoundFont sample
    const Region* region = nullptr;
    std::uint64_t ph = 0;  // position in frames, 32.32 fixed point
    int stage = kDone;
    std::uint32_t left = 0;
    float amp = 0.0f, attack_inc = 0.0f, decay_mul = 1.0f, sustain_amp = 1.0f, release_mul = 1.0f;
    float base_cents = 0.0f, rate_ratio = 1.0f;
    // per-voice caches of values that change only with a controller
    int pan_seen = -1, bend_seen = -1;
    float pan_l = 0.0f, pan_r = 0.0f;
    double step = 1.0;
    float decay_mul_sub = 1.0f, release_mul_sub = 1.0f;  // the multipliers over a whole sub-block
    // modulation envelope and LFOs (SoundFont voices), evaluated once per sub-block
    bool modulated = false, mod_released = false;
    std::uint64_t t_on = 0, t_off = 0;  // frames since note-on / since release
    float mod_at_release = 0.0f, lfo_gain = 1.0f, base_fc_cents = 13500.0f, fc_seen = -1.0f, filter_q = 0.707f;
    double mod_lfo_phase = 0.0, vib_lfo_phase = 0.0;
    std::uint32_t fade_left = 0;  // > 0: a stolen voice's copy fading out

    explicit Voice(double sr) : string(sr, 20.0), drum(sr) {}
};

struct Synth::Impl {
    double sr;
    std::vector<Voice> voices;
    std::vector<Patch> patches;
    std::vector<std::size_t> program_patch = std::vector<std::size_t>(128, std::size_t(-1));
    std::size_t drum_patch = std::size_t(-1);
    std::shared_ptr<const SoundFont> sf;
    Channel ch[16];
    std::uint64_t serial = 0, release_serial = 0;
    float buf[kSub];
    const detail::KernelTable* k = detail::kernels_for(active_isa());
    // SoundFont voices render into their own rows here so that their filters
    // can run side by side (kernel svf_lanes) before they are mixed
    std::vector<float> rows;
    std::vector<std::size_t> sampled, filtered;  // voice indices, capacity max_voices (no allocation in render)
    std::size_t busy_end = 0;  // no voice at or above this index sounds
    std::size_t pool = 0;      // voices[0, pool) play notes, the kFadeSlots after them fade stolen ones
    std::size_t* started;
    std::size_t* stolen;

    // the per-frame multiplier of an exclusive-class release (enter_release's formula)
    const float exclusive_release_mul;

    explicit Impl(double rate)
        : sr(rate), exclusive_release_mul(float(std::pow(10.0, -kPeakAttenuationCb / 200.0 / (kExclusiveRelease_s * rate)))) {}

    std::size_t patch_for(int channel) const {
        if (patches.empty()) return std::size_t(-1);
        const Channel& c = ch[channel];
        if (channel == kDrumChannel && drum_patch != std::size_t(-1)) return drum_patch;
        const std::size_t p = program_patch[std::size_t(c.program)];
        return p != std::size_t(-1) ? p : std::size_t(c.program) % patches.size();
    }

    void resolve_program(int channel) {
        Channel& c = ch[channel];
        const bool drums = channel == kDrumChannel;
        c.preset = sf ? sf->find_or_fallback(drums ? 128 : c.bank, c.program, drums) : nullptr;
        c.patch = patch_for(channel);
    }

    void reset_channels() {
        for (int i = 0; i < 16; ++i) {
            ch[i] = Channel();
            resolve_program(i);
        }
    }

    // ---- voice life cycle -------------------------------------------------
    Voice& allocate(std::uint64_t note_serial) {
        Voice* best = nullptr;
        for (std::size_t j = 0; j < pool; ++j)
            if (voices[j].kind == Kind::Off) {  // the lowest free slot keeps the sounding voices packed
                busy_end = std::max(busy_end, j + 1);
                return voices[j];
            }
        // 1. the released voice released earliest
        for (std::size_t j = 0; j < pool; ++j) {
            Voice& v = voices[j];
            if ((v.released || v.pedal_held) && v.serial != note_serial &&
                (!best || v.release_serial < best->release_serial))
                best = &v;
        }
        // 2. else the quietest (ties: the oldest)
        if (!best)
            for (std::size_t j = 0; j < pool; ++j) {
                Voice& v = voices[j];
                if (v.serial != note_serial &&
                    (!best || v.level < best->level || (v.level == best->level && v.serial < best->serial)))
                    best = &v;
            }
        if (!best) best = &voices.front();
        ++*stolen;
        for (std::size_t j = pool; j < voices.size(); ++j)
            if (voices[j].kind == Kind::Off) {
                voices[j] = *best;  // same-size containers: the copy does not allocate
                voices[j].fade_left = kFadeFrames;
                voices[j].released = true;  // no note-off or pedal reaches it
                voices[j].pedal_held = false;
                busy_end = voices.size();
                break;
            }
        best->kind = Kind::Off;
        best->fade_left = 0;
        return *best;
    }

    // Multiplies a fading copy's block by its ramp; true when the fade has ended.
    static bool fade(Voice& v, float* b, std::size_t m) {
        for (std::size_t i = 0; i < m; ++i) {
            b[i] *= float(v.fade_left) * (1.0f / float(kFadeFrames));
            if (v.fade_left) --v.fade_left;
        }
        return v.fade_left == 0;
    }

    void release(Voice& v) {
        v.released = true;
        v.pedal_held = false;
        v.release_serial = ++release_serial;
        if (v.kind == Kind::Wave) {
            v.env.gate_off();
        } else if (v.kind == Kind::String) {
            v.env.gate_off();
            v.string.damp(std::max(0.05f, patches[v.patch].amp.release_s));
        } else if (v.kind == Kind::Sample && v.stage < kRelease) {
            enter_release(v, v.region->release_s);
        }
    }

    void enter_release(Voice& v, float seconds) {
        if (v.kind == Kind::Sample && !v.mod_released) {
            // from the value the destinations see (the convex one, in an attack), so the filter
            // and pitch do not jump at the note-off (as FluidSynth)
            v.mod_at_release = mod_env_value(v);
            v.mod_released = true;
            v.t_off = 0;
        }
        const double samples = std::max(double(std::max(seconds, 0.002f)) * sr, 1.0);
        v.release_mul = float(std::pow(10.0, -kPeakAttenuationCb / 200.0 / samples));  // 96 dB per release time
        v.release_mul_sub = float(std::pow(double(v.release_mul), double(kSub)));
        v.stage = kRelease;
    }

    void note_off(int c, int key) {
        for (auto& v : voices) {
            if (v.kind == Kind::Off || v.channel != c || v.key != key || v.released || v.pedal_held) continue;
            if (ch[c].sustain) {
                v.pedal_held = true;
                v.release_serial = ++release_serial;
            } else {
                release(v);
            }
        }
    }

    void note_on(int c, int key, int vel) {
        // a repeated key releases its previous note
        for (auto& v : voices)
            if (v.kind != Kind::Off && v.channel == c && v.key == key && !v.released) release(v);
        const std::uint64_t note = ++serial;
        const Channel& chan = ch[c];
        if (sf) {
            const Preset* p = chan.preset;
            if (!p) return;
            for (const Region& r : p->regions) {
                if (key < r.key_lo || key > r.key_hi || vel < r.vel_lo || vel > r.vel_hi) continue;
                // exclusive class (a closed hi-hat stops an open one): the sounding voices of the class
                // go into a release of -200 timecents (0.89 s for 96 dB, FluidSynth's value, "found
                // through listening tests with hi-hat samples"); a slower release in progress is
                // shortened to it
                if (r.exclusive_class)
                    for (auto& v : voices)
                        if (v.kind == Kind::Sample && v.channel == c && v.serial != note &&
                            v.region->exclusive_class == r.exclusive_class && v.stage != kDone &&
                            (v.stage < kRelease || v.release_mul > exclusive_release_mul)) {
                            v.released = true;
                            v.release_serial = ++release_serial;
                            enter_release(v, kExclusiveRelease_s);
                        }
                start_sample(allocate(note), c, key, vel, note, r);
            }
            return;
        }
        if (chan.patch == std::size_t(-1)) return;
        if (patches[chan.patch].source == Patch::Source::DrumKit)
            if (const int group = DrumVoice::choke_group(key))  // a closed hi-hat cuts the open one
                for (auto& v : voices)
                    if (v.kind == Kind::Drum && v.channel == c && DrumVoice::choke_group(v.key) == group)
                        v.drum.choke(0.01);
        start_patch(allocate(note), c, key, vel, note, chan.patch);
    }

    void common(Voice& v, int c, int key, int vel, std::uint64_t note) {
        v.channel = c;
        v.key = key;
        v.velocity = vel;
        v.serial = note;
        v.released = v.pedal_held = false;
        v.level = 1.0f;
        ++*started;
    }

    void start_patch(Voice& v, int c, int key, int vel, std::uint64_t note, std::size_t pi) {
        const Patch& p = patches[pi];
        common(v, c, key, vel, note);
        v.patch = pi;
        v.gain = p.gain * concave_gain(vel);
        v.lfo_phase = 0.0;
        v.filter.reset();
        v.use_filter = p.filter_cutoff_hz < 0.45 * sr || p.filter_env_octaves != 0.0f || p.filter_keytrack != 0.0f;
        if (p.source == Patch::Source::DrumKit) {  // one-shot: note-off does not cut it
            v.kind = Kind::Drum;
            v.use_filter = false;
            v.drum.play(key, float(vel) / 127.0f, std::uint32_t(note * 2654435761u + 1u));
            return;
        }
        if (p.source == Patch::Source::Wavetable) {
            v.kind = Kind::Wave;
            v.osc.set_table(p.table.get());
            v.osc.reset(0.0);
            v.env = Adsr(p.amp, sr);
        } else {
            v.kind = Kind::String;
            AdsrConfig hold{0.0f, 0.0f, 1.0f, std::max(p.amp.release_s, 0.05f), 0.5f};
            v.env = Adsr(hold, sr);
            const double f = 440.0 * std::pow(2.0, (key - 69) / 12.0);
            v.string.pluck(f, float(vel) / 127.0f, p.string_decay_s, p.string_brightness,
                           std::uint32_t(note * 2654435761u + 1u));
        }
        v.env.gate_on();
    }

    void start_sample(Voice& v, int c, int key, int vel, std::uint64_t note, const Region& r) {
        common(v, c, key, vel, note);
        v.kind = Kind::Sample;
        v.region = &r;
        v.ph = std::uint64_t(r.start) << 32;
        // The SF2 filter: Q in cB above a non-resonant response (FluidSynth: 0 cB is q = 1/sqrt(2),
        // Q_dB - 3.01 dB in general), and the gain lowered by half the resonance height,
        // 1/sqrt(q) (SF2.01 8.1.3 #9), so Q = 0 passes +1.5 dB and Q = 180 cB -7.5 dB. The filter
        // only runs where it shapes the sound (use_filter below); its passband gain applies to
        // every voice, as FluidSynth filters every voice.
        const double q_db = std::min(std::max(double(r.filter_q_cb) / 10.0, 0.0), 96.0) - 3.01;
        v.filter_q = float(std::pow(10.0, q_db / 20.0));
        // initialAttenuation may be negative (FluidR3's Sweep Pad and Goblins presets add -100 cB):
        // the generator, velocity, CC7 and CC11 sum, and that total is clipped at 0 cB (as
        // FluidSynth does), so the mix gain is capped at the filter's passband gain (max_gain)
        v.max_gain = float(1.0 / std::sqrt(double(v.filter_q)));
        v.gain = concave_gain(vel) * float(std::pow(10.0, -r.attenuation_cb / 200.0)) * v.max_gain;
        v.base_cents = float(key - r.root_key) * r.scale_tuning + r.tune_cents;
        v.rate_ratio = float(double(r.sample_rate) / sr);
        v.pan_seen = v.bend_seen = -1;
        v.amp = 0.0f;
        v.stage = kDelay;
        v.left = std::uint32_t(r.delay_s * sr);
        v.attack_inc = r.attack_s > 0 ? float(1.0 / std::max(1.0, r.attack_s * sr)) : 1.0f;
        // The volume envelope spans 960 cB (FluidSynth's FLUID_PEAK_ATTENUATION, the modulators'
        // range): decay and release fall 96 dB per stage time, and a sustain of s cB sits at
        // 0.96 s cB (the envelope level is 1 - s / 1000 of that range).
        v.sustain_amp = float(std::pow(10.0, -kPeakAttenuationCb * std::min(r.sustain_cb, 1000.0f) / 1000.0 / 200.0));
        const double decay = r.decay_s * std::pow(2.0, r.key_to_decay_tc * (60 - key) / 1200.0);
        v.decay_mul = float(std::pow(10.0, -kPeakAttenuationCb / 200.0 / std::max(decay * sr, 1.0)));
        v.decay_mul_sub = float(std::pow(double(v.decay_mul), double(kSub)));
        v.filter.reset();
        // No velocity-to-cutoff default modulator (SF2.01 8.4.2): FluidSynth special-cases it to
        // nothing (its issue #11; measured with 2.3.1: velocity changes the level, not the cutoff)
        v.base_fc_cents = r.filter_fc_cents;
        v.modulated = r.mod_env_to_pitch != 0 || r.mod_env_to_fc != 0 || r.mod_lfo_to_pitch != 0 ||
                      r.mod_lfo_to_fc != 0 || r.mod_lfo_to_vol_cb != 0 || r.vib_lfo_to_pitch != 0;
        v.mod_released = false;
        v.t_on = v.t_off = 0;
        v.mod_lfo_phase = v.vib_lfo_phase = 0.0;
        v.lfo_gain = 1.0f;
        v.fc_seen = -1.0f;
        // a fixed, non-resonant cutoff within 50 cents of the top (above 19.3 kHz) only trims the
        // edge of the audible band: skipped, its passband gain kept above. With resonance it runs:
        // FluidR3's hi-hats (Q 100 cB at 19.9 kHz) are 1 dB louder for the peak.
        v.use_filter = v.base_fc_cents < 13450.0f || r.filter_q_cb > 0.0f || r.mod_env_to_fc != 0 ||
                       r.mod_lfo_to_fc != 0;
        set_cutoff(v, v.base_fc_cents);
    }

    void set_cutoff(Voice& v, float fc_cents) {
        if (!v.use_filter || std::fabs(fc_cents - v.fc_seen) < 1.0f) return;  // 1 cent: inaudible, saves a tan()
        v.fc_seen = fc_cents;
        v.filter.set(8.176 * std::exp2(double(fc_cents) / 1200.0), v.filter_q, sr);
    }

    // The modulation envelope now: attack, hold, linear decay to the sustain level (a
    // full-scale fall takes the decay time) and linear release, like FluidSynth's.
    // The attack is convex (SF2.04 8.1.2 #26, as FluidSynth: the linear ramp read through the
    // convex curve, so half the excursion comes in the first ~6% of the attack time).
    float mod_env_value(const Voice& v) const {
        const Region& r = *v.region;
        if (v.mod_released)
            return std::max(0.0f, v.mod_at_release - (r.mod_release_s > 0 ? float(double(v.t_off) / (r.mod_release_s * sr)) : 1.0f));
        double t = double(v.t_on) / sr;
        if (t < r.mod_delay_s) return 0.0f;
        t -= r.mod_delay_s;
        if (t < r.mod_attack_s) return convex(float(t / r.mod_attack_s));
        t -= r.mod_attack_s;
        const double hold = r.mod_hold_s * std::exp2(r.mod_key_to_hold_tc * (60 - v.key) / 1200.0);
        if (t < hold) return 1.0f;
        t -= hold;
        const double decay = r.mod_decay_s * std::exp2(r.mod_key_to_decay_tc * (60 - v.key) / 1200.0);
        return std::max(r.mod_sustain, decay > 0 ? float(1.0 - t / decay) : r.mod_sustain);
    }

    static float triangle(double phase) {  // SF2 LFOs: triangles starting at 0, rising
        const double p = phase - std::floor(phase);
        return float(p < 0.25 ? 4 * p : p < 0.75 ? 2 - 4 * p : 4 * p - 4);
    }

    // Modulation of one sub-block: returns the pitch offset in cents, sets the filter and LFO gain.
    float modulate(Voice& v, std::size_t m) {
        const Region& r = *v.region;
        const float env = mod_env_value(v);
        const double t = double(v.t_on) / sr;
        const float mlfo = t >= r.mod_lfo_delay_s ? triangle(v.mod_lfo_phase) : 0.0f;
        const float vlfo = t >= r.vib_lfo_delay_s ? triangle(v.vib_lfo_phase) : 0.0f;
        if (t >= r.mod_lfo_delay_s) v.mod_lfo_phase += r.mod_lfo_hz * double(m) / sr;
        if (t >= r.vib_lfo_delay_s) v.vib_lfo_phase += r.vib_lfo_hz * double(m) / sr;
        set_cutoff(v, v.base_fc_cents + env * r.mod_env_to_fc + mlfo * r.mod_lfo_to_fc);
        // SF2 8.1.3 #13: a positive amount makes a positive LFO excursion louder
        v.lfo_gain = r.mod_lfo_to_vol_cb != 0 ? float(std::pow(10.0, mlfo * r.mod_lfo_to_vol_cb / 200.0)) : 1.0f;
        return env * r.mod_env_to_pitch + mlfo * r.mod_lfo_to_pitch + vlfo * r.vib_lfo_to_pitch;
    }

    // ---- events -------------------------------------------------------------
    void apply(const Event& e) {
        const int c = e.status & 0x0F, d1 = e.data1 & 0x7F, d2 = e.data2 & 0x7F;
        switch (e.status & 0xF0) {
            case 0x80: note_off(c, d1); break;
            case 0x90: d2 ? note_on(c, d1, d2) : note_off(c, d1); break;
            case 0xC0: ch[c].program = d1; resolve_program(c); break;
            case 0xE0:
                ch[c].bend = d1 | (d2 << 7);
                ++ch[c].pitch_serial;
                break;
            case 0xB0: control(c, d1, d2); break;
            default: break;
        }
    }

    void control(int c, int cc, int value) {
        Channel& k = ch[c];
        switch (cc) {
            case 0: k.bank = value; break;
            case 6:
                if (k.rpn_msb == 0 && k.rpn_lsb == 0) {
                    k.bend_range = float(value);
                    ++k.pitch_serial;
                }
                break;
            case 7: k.volume = value; break;
            case 10: k.pan = value; break;
            case 11: k.expression = value; break;
            case 64:
                k.sustain = value >= 64;
                if (!k.sustain)
                    for (auto& v : voices)
                        if (v.kind != Kind::Off && v.channel == c && v.pedal_held) release(v);
                break;
            case 100: k.rpn_lsb = value; break;
            case 101: k.rpn_msb = value; break;
            case 120:
                for (auto& v : voices)
                    if (v.channel == c) v.kind = Kind::Off;
                break;
            case 121:
                k.volume = 100; k.expression = 127; k.pan = 64; k.bend = 8192; k.sustain = false;
                ++k.pitch_serial;
                k.rpn_msb = k.rpn_lsb = 127;
                break;
            case 123:
                for (auto& v : voices)
                    if (v.kind != Kind::Off && v.channel == c && !v.released) release(v);
                break;
            default: break;
        }
    }

    // ---- rendering ------------------------------------------------------------
    void pan_gains(const Voice& v, float extra_pan, float& gl, float& gr) const {
        float p = float(ch[v.channel].pan - 64) / 127.0f + extra_pan;
        p = std::min(std::max(p, -0.5f), 0.5f);
        const double a = (double(p) + 0.5) * kPi / 2.0;
        gl = float(std::cos(a));
        gr = float(std::sin(a));
    }

    // One sub-block of m frames of every sounding voice, added into L and R.
    void render_block(float* L, float* R, std::size_t m) {
        sampled.clear();
        filtered.clear();
        Voice* const vs = voices.data();
        const std::size_t end = std::min(busy_end, voices.size());
        std::size_t last = 0;
        for (std::size_t j = 0; j < end; ++j) {
            Voice& v = vs[j];
            if (v.kind == Kind::Off) continue;
            last = j + 1;
            if (v.kind != Kind::Sample) {
                render_voice(v, L, R, m);
                continue;
            }
            render_sample(v, &rows[j * kSub], m);
            sampled.push_back(j);
            if (v.use_filter) filtered.push_back(j);
        }
        const std::size_t lanes = std::size_t(k->lanes);
        for (std::size_t g = 0; g < filtered.size(); g += lanes) {
            float* x[detail::kMaxLanes];
            alignas(32) float a1[detail::kMaxLanes], a2[detail::kMaxLanes], a3[detail::kMaxLanes],
                ic1[detail::kMaxLanes], ic2[detail::kMaxLanes];
            for (std::size_t l = 0; l < lanes; ++l) {
                if (g + l < filtered.size()) {
                    const std::size_t j = filtered[g + l];
                    const Svf::Lane f = voices[j].filter.lane();
                    x[l] = &rows[j * kSub];
                    a1[l] = f.a1, a2[l] = f.a2, a3[l] = f.a3, ic1[l] = f.ic1, ic2[l] = f.ic2;
                } else {  // an idle lane filters silence
                    if (l + g == filtered.size()) std::fill(buf, buf + m, 0.0f);
                    x[l] = buf;
                    a1[l] = a2[l] = a3[l] = ic1[l] = ic2[l] = 0.0f;
                }
            }
            k->svf_lanes(x, a1, a2, a3, ic1, ic2, m, int(std::min(lanes, filtered.size() - g)));
            for (std::size_t l = 0; l < lanes && g + l < filtered.size(); ++l) {
                const auto flush = [](float z) { return std::fabs(z) < 1e-20f ? 0.0f : z; };  // decayed: no denormals
                voices[filtered[g + l]].filter.set_state(flush(ic1[l]), flush(ic2[l]));
            }
        }
        for (std::size_t j : sampled) {
            Voice& v = voices[j];
            if (v.fade_left && fade(v, &rows[j * kSub], m)) v.stage = kDone;
            if (v.pan_seen != ch[v.channel].pan) {
                pan_gains(v, v.region->pan, v.pan_l, v.pan_r);
                v.pan_seen = ch[v.channel].pan;
            }
            const float g = std::min(v.gain * ch[v.channel].gain(), v.max_gain) * v.lfo_gain;
            k->mix(&rows[j * kSub], v.pan_l * g, v.pan_r * g, L, R, m);
            if (v.stage == kDone) v.kind = Kind::Off;
        }
        busy_end = last;  // voices started later raise it again (allocate)
    }

    void render_voice(Voice& v, float* L, float* R, std::size_t m) {
        float* b = buf;
        const Channel& chan = ch[v.channel];
        float gl, gr;
        if (v.kind == Kind::Drum) {
            v.drum.render(b, m);
            v.level = v.drum.level() * v.gain;
            if (!v.drum.active()) v.kind = Kind::Off;
            pan_gains(v, 0.0f, gl, gr);
        } else {
            const Patch& p = patches[v.patch];
            double f = 440.0 * std::pow(2.0, (v.key - 69 + chan.bend_cents() / 100.0) / 12.0);
            if (p.vibrato_cents != 0.0f) {
                f *= std::pow(2.0, p.vibrato_cents * std::sin(2.0 * kPi * v.lfo_phase) / 1200.0);
                v.lfo_phase += p.vibrato_hz * double(m) / sr;
                v.lfo_phase -= std::floor(v.lfo_phase);
            }
            float peak = 0.0f;
            if (v.kind == Kind::Wave) {
                v.osc.render(b, m, f, sr, nullptr, p.morph);
            } else {
                v.string.render(b, m);
                for (std::size_t i = 0; i < m; ++i) peak = std::max(peak, std::fabs(b[i]));
            }
            for (std::size_t i = 0; i < m; ++i) b[i] *= v.env.next();
            if (v.use_filter) {
                const double fc = p.filter_cutoff_hz * std::pow(f / 261.6256, p.filter_keytrack) *
                                  std::exp2(p.filter_env_octaves * v.env.value());
                v.filter.set(fc, p.filter_q, sr);
                v.filter.process(b, m, Svf::Mode::LowPass);
            }
            v.level = v.env.value() * v.gain;
            if (v.kind == Kind::String) v.level *= peak;
            if (!v.env.active() || (v.kind == Kind::String && peak < 3e-5f)) v.kind = Kind::Off;
            pan_gains(v, 0.0f, gl, gr);
        }
        if (v.fade_left && fade(v, b, m)) v.kind = Kind::Off;
        const float g = v.gain * chan.gain();
        k->mix(b, gl * g, gr * g, L, R, m);
    }

    // Advances the volume envelope by m frames and returns its value there.
    // The stages are followed exactly at sub-block resolution; inside a
    // sub-block the gain is ramped linearly (as FluidSynth does per 64 frames).
    float env_advance(Voice& v, std::size_t m) {
        std::uint32_t k_left = std::uint32_t(m);
        while (k_left) {
            switch (v.stage) {
                case kDelay: {
                    const std::uint32_t t = std::min(v.left, k_left);
                    v.left -= t;
                    k_left -= t;
                    if (!v.left) v.stage = kAttack;
                    break;
                }
                case kAttack: {
                    const float need = std::ceil((1.0f - v.amp) / v.attack_inc);
                    const std::uint32_t n = need < 1.0f ? 1u : std::uint32_t(need);
                    const std::uint32_t t = std::min(n, k_left);
                    v.amp += float(t) * v.attack_inc;
                    k_left -= t;
                    if (t == n || v.amp >= 1.0f) {
                        v.amp = 1.0f;
                        v.stage = kHold;
                        v.left = std::uint32_t(v.region->hold_s *
                                               std::pow(2.0, v.region->key_to_hold_tc * (60 - v.key) / 1200.0) * sr);
                    }
                    break;
                }
                case kHold: {
                    const std::uint32_t t = std::min(v.left, k_left);
                    v.left -= t;
                    k_left -= t;
                    if (!v.left) v.stage = kDecay;
                    break;
                }
                case kDecay:
                case kRelease: {
                    const bool decay = v.stage == kDecay;
                    const float mul = decay ? v.decay_mul : v.release_mul;
                    const float floor_amp = decay ? std::max(v.sustain_amp, kEnvFloorAmp) : kEnvFloorAmp;
                    if (v.amp <= floor_amp || mul >= 1.0f) {
                        finish_fall(v, decay);
                        if (v.stage == kDone || v.stage == kSustain) k_left = 0;
                        break;
                    }
                    if (k_left == kSub) {  // the common case: a whole sub-block that ends above the floor
                        const float next = v.amp * (decay ? v.decay_mul_sub : v.release_mul_sub);
                        if (next > floor_amp) {
                            v.amp = next;
                            k_left = 0;
                            break;
                        }
                    }
                    const double need = std::ceil(std::log(double(floor_amp) / v.amp) / std::log(double(mul)));
                    const std::uint32_t n = need < 1.0 ? 1u : need > 4e9 ? 4000000000u : std::uint32_t(need);
                    const std::uint32_t t = std::min(n, k_left);
                    v.amp = float(v.amp * std::pow(double(mul), double(t)));
                    k_left -= t;
                    if (t == n || v.amp <= floor_amp) finish_fall(v, decay);
                    if (v.stage == kDone || v.stage == kSustain) k_left = 0;
                    break;
                }
                default: k_left = 0; break;
            }
        }
        return v.stage == kDone ? 0.0f : v.amp;
    }

    static void finish_fall(Voice& v, bool decay) {
        if (decay && v.sustain_amp > kEnvFloorAmp) {
            v.amp = v.sustain_amp;
            v.stage = kSustain;
        } else {
            v.amp = 0.0f;
            v.stage = kDone;
        }
    }

    void render_sample(Voice& v, float* b, std::size_t m) {
        const Region& r = *v.region;
        const std::int16_t* s = sf->samples();
        const float* s24 = sf->samples24();  // a 24-bit SoundFont's frames, else null
        float mod_cents = 0.0f;
        if (v.modulated) {
            mod_cents = modulate(v, m);
            if (mod_cents != 0.0f) v.bend_seen = -1;  // recompute the step every sub-block
        }
        v.t_on += m;
        if (v.mod_released) v.t_off += m;
        if (v.bend_seen != ch[v.channel].pitch_serial) {
            v.step = double(v.rate_ratio) *
                     std::exp2((v.base_cents + ch[v.channel].bend_cents() + mod_cents) / 1200.0);
            v.bend_seen = mod_cents != 0.0f ? -1 : ch[v.channel].pitch_serial;
        }
        const double step = v.step;
        const std::uint64_t inc = std::max<std::uint64_t>(1, std::uint64_t(step * 4294967296.0));
        const bool loop = r.loop_mode == 1 || (r.loop_mode == 3 && !v.released);
        const std::uint64_t loop_end = std::uint64_t(r.loop_end) << 32;
        const std::uint64_t loop_len = std::uint64_t(r.loop_end - r.loop_start) << 32;
        const std::uint64_t limit = loop ? loop_end : std::uint64_t(r.end - 1) << 32;
        constexpr float k16 = 1.0f / 32768.0f;
        const float a0 = v.amp;
        const float a1 = env_advance(v, m);
        const float ainc = (a1 - a0) / float(m);
        std::size_t i = 0;
        while (i < m) {
            if (v.ph >= limit) {
                if (!loop) break;
                while (v.ph >= loop_end) v.ph -= loop_len;
            }
            const std::size_t run = std::size_t(std::min<std::uint64_t>(m - i, (limit - v.ph + inc - 1) / inc));
            const float frac = float(double(v.ph & 0xFFFFFFFFu) * (1.0 / 4294967296.0));
            if (s24)
                k->resample_f(s24 + (v.ph >> 32), frac, float(step), (a0 + float(i) * ainc) * k16, ainc * k16, b + i, run);
            else
                k->resample(s + (v.ph >> 32), frac, float(step), (a0 + float(i) * ainc) * k16, ainc * k16, b + i, run);
            v.ph += std::uint64_t(run) * inc;
            i += run;
        }
        if (i < m) {  // a one-shot sample ran out
            std::fill(b + i, b + m, 0.0f);
            v.stage = kDone;
        }
        v.level = v.amp * v.gain;  // the filter runs later (render_block), the voice ends after its mix
    }
};

Synth::Synth(const SynthConfig& cfg) : cfg_(cfg) {
    if (!(cfg.sample_rate >= 8000.0 && cfg.sample_rate <= 384000.0))
        throw std::invalid_argument("SynthConfig.sample_rate must be in [8000, 384000], got " +
                                    std::to_string(cfg.sample_rate));
    if (cfg.max_voices < 1 || cfg.max_voices > 4096)
        throw std::invalid_argument("SynthConfig.max_voices must be in [1, 4096], got " +
                                    std::to_string(cfg.max_voices));
    if (!std::isfinite(cfg.gain) || cfg.gain < 0)
        throw std::invalid_argument("SynthConfig.gain must be finite and >= 0");
    d_ = std::make_unique<Impl>(cfg.sample_rate);
    const std::size_t slots = cfg.max_voices + kFadeSlots;
    d_->pool = cfg.max_voices;
    d_->voices.reserve(slots);
    d_->rows.assign(slots * kSub, 0.0f);
    d_->sampled.reserve(slots);
    d_->filtered.reserve(slots);
    for (std::size_t i = 0; i < slots; ++i) d_->voices.emplace_back(cfg.sample_rate);
    d_->started = &started_;
    d_->stolen = &stolen_;
    d_->reset_channels();
}

Synth::~Synth() = default;

std::size_t Synth::add_patch(const Patch& p) {
    if (p.source == Patch::Source::Wavetable && !p.table)
        throw std::invalid_argument("Patch.table is required for a wavetable patch");
    Adsr check(p.amp, cfg_.sample_rate);  // validates the envelope fields
    (void)check;
    if (!(p.filter_cutoff_hz > 0)) throw std::invalid_argument("Patch.filter_cutoff_hz must be > 0");
    if (!(p.filter_q > 0)) throw std::invalid_argument("Patch.filter_q must be > 0");
    if (!(p.string_decay_s > 0)) throw std::invalid_argument("Patch.string_decay_s must be > 0");
    if (!(p.gain >= 0)) throw std::invalid_argument("Patch.gain must be >= 0");
    reset();
    d_->patches.push_back(p);
    for (int c = 0; c < 16; ++c) d_->resolve_program(c);
    return d_->patches.size() - 1;
}

void Synth::set_program_patch(int program, std::size_t patch) {
    if (program < 0 || program > 127) throw std::invalid_argument("program must be in [0, 127]");
    if (patch >= d_->patches.size()) throw std::invalid_argument("patch index out of range");
    d_->program_patch[std::size_t(program)] = patch;
    for (int c = 0; c < 16; ++c) d_->resolve_program(c);
}

void Synth::set_drum_patch(std::size_t patch) {
    if (patch >= d_->patches.size()) throw std::invalid_argument("patch index out of range");
    d_->drum_patch = patch;
    d_->resolve_program(kDrumChannel);
}

void Synth::set_soundfont(std::shared_ptr<const SoundFont> sf) {
    reset();
    d_->sf = std::move(sf);
    d_->reset_channels();
}

void Synth::render(const Event* events, std::size_t n_events, float* left, float* right, std::size_t n) {
    std::fill(left, left + n, 0.0f);
    std::fill(right, right + n, 0.0f);
    std::size_t e = 0, t = 0;
    while (t < n) {
        while (e < n_events && events[e].offset <= t) d_->apply(events[e++]);
        std::size_t stop = std::min(n, t + kSub);
        if (e < n_events) stop = std::min<std::size_t>(stop, events[e].offset);
        d_->render_block(left + t, right + t, stop - t);
        t = stop;
    }
    while (e < n_events) d_->apply(events[e++]);
    if (cfg_.gain != 1.0f)
        for (std::size_t i = 0; i < n; ++i) {
            left[i] *= cfg_.gain;
            right[i] *= cfg_.gain;
        }
}

void Synth::all_notes_off() {
    for (int c = 0; c < 16; ++c) d_->ch[c].sustain = false;
    for (auto& v : d_->voices)
        if (v.kind != Kind::Off && !v.released) d_->release(v);
}

void Synth::reset() {
    for (auto& v : d_->voices) v.kind = Kind::Off;
    d_->reset_channels();
}

std::size_t Synth::active_voices() const {
    std::size_t n = 0;
    for (std::size_t j = 0; j < d_->pool; ++j) n += d_->voices[j].kind != Kind::Off;  // fading copies excluded
    return n;
}

bool Synth::note_sounding(int channel, int key) const {
    for (std::size_t j = 0; j < d_->pool; ++j) {
        const Voice& v = d_->voices[j];
        if (v.kind != Kind::Off && v.channel == channel && v.key == key) return true;
    }
    return false;
}

}  // namespace edgeaudio::synth
