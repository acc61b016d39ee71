// SoundFont 2.01 parser. Every read goes through Span, which checks bounds,
// so a truncated or corrupted file can only ever produce a FormatError.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "edgeaudio/sf2.h"

namespace edgeaudio::synth {

namespace {

struct Span {
    const std::uint8_t* p = nullptr;
    std::size_t n = 0;
};

class Parser {
  public:
    explicit Parser(std::string label) : label_(std::move(label)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError("SoundFont " + label_ + ": " + what);
    }
    static std::uint16_t u16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
    static std::uint32_t u32(const std::uint8_t* p) {
        return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
               (std::uint32_t(p[3]) << 24);
    }
    static bool tag(const std::uint8_t* p, const char* t) { return std::memcmp(p, t, 4) == 0; }
    static std::string fourcc(const std::uint8_t* p) {
        std::string s;
        for (int i = 0; i < 4; ++i) s += (p[i] >= 32 && p[i] < 127) ? char(p[i]) : '?';
        return s;
    }

    // Calls fn(id, body) for each chunk inside `s`; each must fit.
    template <class Fn>
    void chunks(Span s, const std::string& where, Fn fn) const {
        std::size_t off = 0;
        while (off < s.n) {
            if (s.n - off < 8)
                fail(where + ": truncated chunk header at offset " + std::to_string(off));
            const std::uint8_t* h = s.p + off;
            const std::uint32_t size = u32(h + 4);
            if (size > s.n - off - 8)
                fail(where + ": chunk '" + fourcc(h) + "' says " + std::to_string(size) +
                     " bytes but only " + std::to_string(s.n - off - 8) + " remain (truncated file?)");
            fn(h, Span{h + 8, size});
            off += 8 + std::size_t(size) + (size & 1u);
        }
    }

    std::string label_;
};

// generator ids (SF2.01 section 8.1.2)
enum Gen {
    kStartOfs = 0, kEndOfs = 1, kLoopStartOfs = 2, kLoopEndOfs = 3, kStartCoarse = 4,
    kFilterFc = 8, kFilterQ = 9, kEndCoarse = 12, kPan = 17,
    kDelayVol = 33, kAttackVol = 34, kHoldVol = 35, kDecayVol = 36, kSustainVol = 37,
    kReleaseVol = 38, kKeyToHold = 39, kKeyToDecay = 40, kInstrument = 41, kKeyRange = 43,
    kVelRange = 44, kLoopStartCoarse = 45, kKeynum = 46, kVelocity = 47, kAttenuation = 48,
    kLoopEndCoarse = 50, kCoarseTune = 51, kFineTune = 52, kSampleId = 53, kSampleModes = 54,
    kScaleTuning = 56, kExclusive = 57, kRootKey = 58, kNumGens = 61
};

struct GenSet {
    int v[kNumGens];
    std::uint8_t key_lo = 0, key_hi = 127, vel_lo = 0, vel_hi = 127;
};

GenSet instrument_defaults() {
    GenSet g;
    std::fill(std::begin(g.v), std::end(g.v), 0);
    g.v[kFilterFc] = 13500;
    for (int i = 21; i <= 36; ++i) g.v[i] = -12000;  // LFO delays, env times
    g.v[22] = g.v[24] = 0;                           // LFO frequencies
    g.v[kSustainVol] = 0;
    g.v[29] = 0;
    g.v[31] = g.v[32] = g.v[kKeyToHold] = g.v[kKeyToDecay] = 0;
    g.v[kReleaseVol] = -12000;
    g.v[kKeynum] = g.v[kVelocity] = g.v[kRootKey] = -1;
    g.v[kScaleTuning] = 100;
    return g;
}

GenSet preset_defaults() {
    GenSet g;
    std::fill(std::begin(g.v), std::end(g.v), 0);
    return g;
}

bool preset_may_set(int id) {
    switch (id) {
        case kStartOfs: case kEndOfs: case kLoopStartOfs: case kLoopEndOfs: case kStartCoarse:
        case kEndCoarse: case kLoopStartCoarse: case kLoopEndCoarse: case kKeynum: case kVelocity:
        case kSampleModes: case kExclusive: case kRootKey: return false;
        default: return true;
    }
}

bool host_is_little_endian() {
    const std::uint16_t one = 1;
    std::uint8_t first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

constexpr float kEmuAttenuationFactor = 0.4f;

template <class T>
T clampv(T v, T lo, T hi) { return std::min(std::max(v, lo), hi); }

// Delays: the floor (-12000 timecents) is no delay (FluidSynth rounds its 1 ms down to no 64-frame block).
float tc_seconds(int tc) { return tc <= -12000 ? 0.0f : float(std::pow(2.0, double(tc) / 1200.0)); }
// Stage times (attack, hold, decay, release): -12000 timecents and below is 1 ms (SF2.01 8.1.3),
// only -32768 is instant; FluidSynth's 1 ms attack and hold put the decay of a default
// envelope 2.7 ms after the note-on, and levels of fast decays depend on it.
float tc_stage_seconds(int tc, int max_tc) {
    return tc <= -32768 ? 0.0f : float(std::pow(2.0, double(clampv(tc, -12000, max_tc)) / 1200.0));
}

}  // namespace

std::shared_ptr<SoundFont> SoundFont::load(const std::string& path) {
    // one read of the whole file into the buffer the samples are played from
    // (a byte-by-byte stream iterator and a second copy took ~1 s for a 140 MB SoundFont)
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw std::runtime_error("SoundFont " + path + ": cannot open file");
    const std::streamoff size = f.tellg();
    if (size < 0) throw std::runtime_error("SoundFont " + path + ": cannot tell the file size");
    const std::size_t n = static_cast<std::size_t>(size);
    std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[n + 2 * kPad]);
    std::memset(buf.get(), 0, kPad);
    std::memset(buf.get() + kPad + n, 0, kPad);
    f.seekg(0);
    if (n > 0 && !f.read(reinterpret_cast<char*>(buf.get() + kPad), size))
        throw std::runtime_error("SoundFont " + path + ": read error");
    return adopt(std::move(buf), n, path);
}

std::shared_ptr<SoundFont> SoundFont::from_memory(const std::uint8_t* data, std::size_t size,
                                                  const std::string& label) {
    std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[size + 2 * kPad]());
    if (data && size) std::memcpy(buf.get() + kPad, data, size);
    return adopt(std::move(buf), data ? size : 0, label);
}

std::shared_ptr<SoundFont> SoundFont::adopt(std::unique_ptr<std::uint8_t[]> buffer, std::size_t size,
                                            const std::string& label) {
    std::shared_ptr<SoundFont> sf(new SoundFont());
    sf->file_ = std::move(buffer);
    sf->parse(sf->file_.get() + kPad, size, label);
    return sf;
}

const Preset* SoundFont::find(int bank, int program) const {
    auto it = std::lower_bound(presets_.begin(), presets_.end(), std::make_pair(bank, program),
                               [](const Preset& p, const std::pair<int, int>& k) {
                                   return std::make_pair(p.bank, p.program) < k;
                               });
    if (it != presets_.end() && it->bank == bank && it->program == program) return &*it;
    return nullptr;
}

const Preset* SoundFont::find_or_fallback(int bank, int program, bool drums) const {
    if (const Preset* p = find(bank, program)) return p;
    if (const Preset* p = find(drums ? 128 : 0, program)) return p;
    if (drums)
        if (const Preset* p = find(128, 0)) return p;
    return presets_.empty() ? nullptr : &presets_.front();
}

void SoundFont::parse(std::uint8_t* data, std::size_t size, const std::string& label) {
    Parser ps(label);
    if (!data || size < 12) ps.fail("file too short for a RIFF header (" + std::to_string(size) + " bytes)");
    if (!Parser::tag(data, "RIFF") || !Parser::tag(data + 8, "sfbk"))
        ps.fail("not a SoundFont 2 file (no RIFF 'sfbk' header)");
    const std::uint32_t riff = Parser::u32(data + 4);
    if (riff < 4 || riff > size - 8)
        ps.fail("RIFF header says " + std::to_string(riff) + " bytes but the file holds " +
                std::to_string(size - 8) + " (truncated file?)");

    Span info{}, sdta{}, pdta{};
    bool have_sdta = false, have_pdta = false;
    ps.chunks(Span{data + 12, riff - 4}, "sfbk", [&](const std::uint8_t* h, Span body) {
        if (!Parser::tag(h, "LIST")) return;
        if (body.n < 4) ps.fail("LIST chunk without a type");
        Span inner{body.p + 4, body.n - 4};
        if (Parser::tag(body.p, "INFO")) info = inner;
        else if (Parser::tag(body.p, "sdta")) { sdta = inner; have_sdta = true; }
        else if (Parser::tag(body.p, "pdta")) { pdta = inner; have_pdta = true; }
    });
    if (!have_sdta) ps.fail("missing LIST 'sdta' (sample data)");
    if (!have_pdta) ps.fail("missing LIST 'pdta' (preset data)");

    name_ = label;
    ps.chunks(info, "INFO", [&](const std::uint8_t* h, Span body) {
        if (Parser::tag(h, "INAM")) {
            std::size_t len = 0;
            while (len < body.n && body.p[len]) ++len;
            name_.assign(reinterpret_cast<const char*>(body.p), len);
        }
    });

    Span smpl{}, sm24{};
    bool have_smpl = false, have_sm24 = false;
    ps.chunks(sdta, "sdta", [&](const std::uint8_t* h, Span body) {
        if (Parser::tag(h, "smpl")) { smpl = body; have_smpl = true; }
        if (Parser::tag(h, "sm24")) { sm24 = body; have_sm24 = true; }
    });
    if (!have_smpl) ps.fail("missing 'smpl' chunk in sdta");
    const std::size_t n_frames = smpl.n / 2;
    n_frames_ = n_frames;
    if (host_is_little_endian() && reinterpret_cast<std::uintptr_t>(smpl.p) % alignof(std::int16_t) == 0) {
        frames_ = reinterpret_cast<const std::int16_t*>(smpl.p);
    } else {
        converted_.assign(n_frames + 2 * kGuardFrames, 0);
        for (std::size_t i = 0; i < n_frames; ++i)
            converted_[kGuardFrames + i] = std::int16_t(Parser::u16(smpl.p + 2 * i));
        frames_ = converted_.data() + kGuardFrames;
    }
    // sm24: the low byte of each frame; used only when it has exactly one byte per frame
    // (plus the pad byte of an odd count), else ignored as SF2.04 says
    if (have_sm24 && n_frames > 0 && (sm24.n == n_frames || sm24.n == n_frames + (n_frames & 1u))) {
        frames24_.assign(n_frames + 2 * kGuardFrames, 0.0f);
        for (std::size_t i = 0; i < n_frames; ++i) {
            const std::int32_t hi = std::int16_t(Parser::u16(smpl.p + 2 * i));
            frames24_[kGuardFrames + i] = float(hi * 256 + std::int32_t(sm24.p[i])) * (1.0f / 256.0f);
        }
    }
    // Guard frames for the interpolator, once the tables below are parsed: the
    // smpl chunk header before the frames and up to kGuardFrames frames after
    // them (the next chunk's bytes, or the zero padding after the file).
    std::uint8_t* const guard_lo = const_cast<std::uint8_t*>(smpl.p) - 8;
    std::uint8_t* const guard_hi = const_cast<std::uint8_t*>(smpl.p) + 2 * n_frames;
    const std::size_t hi_len = std::min<std::size_t>(2 * kGuardFrames, std::size_t(data + size - guard_hi) + kPad);

    // the nine pdta tables
    const char* names[9] = {"phdr", "pbag", "pmod", "pgen", "inst", "ibag", "imod", "igen", "shdr"};
    const std::size_t rec[9] = {38, 4, 10, 4, 22, 4, 10, 4, 46};
    Span tab[9] = {};
    bool seen[9] = {};
    ps.chunks(pdta, "pdta", [&](const std::uint8_t* h, Span body) {
        for (int i = 0; i < 9; ++i)
            if (Parser::tag(h, names[i])) { tab[i] = body; seen[i] = true; }
    });
    std::size_t count[9];
    for (int i = 0; i < 9; ++i) {
        const std::string nm = names[i];
        if (!seen[i]) ps.fail("missing pdta '" + nm + "' chunk");
        if (tab[i].n % rec[i])
            ps.fail("pdta '" + nm + "' size " + std::to_string(tab[i].n) + " is not a multiple of " +
                    std::to_string(rec[i]) + "-byte records");
        count[i] = tab[i].n / rec[i];
        // every table ends with a terminal record; phdr, inst, shdr need one real record too
        if (count[i] < ((i == 0 || i == 4 || i == 8) ? 2u : 1u))
            ps.fail("pdta '" + nm + "' has no records before its terminal record");
    }
    const Span phdr = tab[0], pbag = tab[1], pgen = tab[3], inst = tab[4], ibag = tab[5], igen = tab[7],
               shdr = tab[8];
    const std::size_t n_phdr = count[0], n_pbag = count[1], n_pgen = count[3], n_inst = count[4],
                      n_ibag = count[5], n_igen = count[7], n_shdr = count[8];

    // index tables must be non-decreasing and end inside their target table
    auto check_index = [&](Span t, std::size_t n, std::size_t recsz, std::size_t off, std::size_t target_n,
                           const char* nm, const char* target) {
        std::size_t prev = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t v = Parser::u16(t.p + i * recsz + off);
            if (v < prev) ps.fail(std::string("pdta '") + nm + "' record " + std::to_string(i) +
                                  " index goes backwards");
            if (v >= target_n)
                ps.fail(std::string("pdta '") + nm + "' record " + std::to_string(i) + " points at " + target +
                        " " + std::to_string(v) + " of " + std::to_string(target_n));
            prev = v;
        }
    };
    check_index(phdr, n_phdr, 38, 24, n_pbag, "phdr", "pbag");
    check_index(pbag, n_pbag, 4, 0, n_pgen, "pbag", "pgen");
    check_index(pbag, n_pbag, 4, 2, count[2], "pbag", "pmod");
    check_index(inst, n_inst, 22, 20, n_ibag, "inst", "ibag");
    check_index(ibag, n_ibag, 4, 0, n_igen, "ibag", "igen");
    check_index(ibag, n_ibag, 4, 2, count[6], "ibag", "imod");

    auto apply = [](GenSet& g, const std::uint8_t* r, bool preset) {
        const int id = Parser::u16(r);
        if (id == kKeyRange) {
            g.key_lo = std::max(g.key_lo, std::uint8_t(std::min<int>(r[2], 127)));
            g.key_hi = std::min(g.key_hi, std::uint8_t(std::min<int>(r[3], 127)));
        } else if (id == kVelRange) {
            g.vel_lo = std::max(g.vel_lo, std::uint8_t(std::min<int>(r[2], 127)));
            g.vel_hi = std::min(g.vel_hi, std::uint8_t(std::min<int>(r[3], 127)));
        } else if (id < kNumGens && (!preset || preset_may_set(id))) {
            const int amount = id == kInstrument || id == kSampleId ? int(Parser::u16(r + 2))
                                                                     : int(std::int16_t(Parser::u16(r + 2)));
            g.v[id] = amount;
        }
    };
    // terminal generator of a zone (instrument / sampleID), or -1
    auto terminal = [&](Span gens, std::size_t lo, std::size_t hi, int id) -> int {
        for (std::size_t k = lo; k < hi; ++k)
            if (Parser::u16(gens.p + 4 * k) == id) return int(Parser::u16(gens.p + 4 * k + 2));
        return -1;
    };

    for (std::size_t pi = 0; pi + 1 < n_phdr; ++pi) {
        const std::uint8_t* ph = phdr.p + 38 * pi;
        Preset preset;
        std::size_t len = 0;
        while (len < 20 && ph[len]) ++len;
        preset.name.assign(reinterpret_cast<const char*>(ph), len);
        preset.program = Parser::u16(ph + 20);
        preset.bank = Parser::u16(ph + 22);
        const std::size_t b0 = Parser::u16(ph + 24), b1 = Parser::u16(ph + 38 + 24);
        GenSet pglobal = preset_defaults();
        for (std::size_t b = b0; b < b1; ++b) {
            const std::size_t g0 = Parser::u16(pbag.p + 4 * b), g1 = Parser::u16(pbag.p + 4 * (b + 1));
            const int inst_id = terminal(pgen, g0, g1, kInstrument);
            if (inst_id < 0) {
                if (b == b0) for (std::size_t k = g0; k < g1; ++k) apply(pglobal, pgen.p + 4 * k, true);
                continue;
            }
            if (std::size_t(inst_id) + 1 >= n_inst)
                ps.fail("preset '" + preset.name + "' uses instrument " + std::to_string(inst_id) + " of " +
                        std::to_string(n_inst - 1));
            GenSet pz = pglobal;
            for (std::size_t k = g0; k < g1; ++k) apply(pz, pgen.p + 4 * k, true);

            const std::uint8_t* ih = inst.p + 22 * std::size_t(inst_id);
            const std::size_t ib0 = Parser::u16(ih + 20), ib1 = Parser::u16(ih + 22 + 20);
            GenSet iglobal = instrument_defaults();
            for (std::size_t ib = ib0; ib < ib1; ++ib) {
                const std::size_t q0 = Parser::u16(ibag.p + 4 * ib), q1 = Parser::u16(ibag.p + 4 * (ib + 1));
                const int sid = terminal(igen, q0, q1, kSampleId);
                if (sid < 0) {
                    if (ib == ib0) for (std::size_t k = q0; k < q1; ++k) apply(iglobal, igen.p + 4 * k, false);
                    continue;
                }
                if (std::size_t(sid) + 1 >= n_shdr)
                    ps.fail("an instrument zone uses sample " + std::to_string(sid) + " of " +
                            std::to_string(n_shdr - 1));
                GenSet iz = iglobal;
                for (std::size_t k = q0; k < q1; ++k) apply(iz, igen.p + 4 * k, false);

                Region r;
                r.key_lo = std::max(iz.key_lo, pz.key_lo);
                r.key_hi = std::min(iz.key_hi, pz.key_hi);
                r.vel_lo = std::max(iz.vel_lo, pz.vel_lo);
                r.vel_hi = std::min(iz.vel_hi, pz.vel_hi);
                if (r.key_lo > r.key_hi || r.vel_lo > r.vel_hi) continue;
                int g[kNumGens];
                for (int k = 0; k < kNumGens; ++k) g[k] = iz.v[k] + (preset_may_set(k) ? pz.v[k] : 0);

                const std::uint8_t* sh = shdr.p + 46 * std::size_t(sid);
                std::string sname(reinterpret_cast<const char*>(sh), strnlen(reinterpret_cast<const char*>(sh), 20));
                const std::uint32_t s_start = Parser::u32(sh + 20), s_end = Parser::u32(sh + 24);
                const std::uint32_t s_ls = Parser::u32(sh + 28), s_le = Parser::u32(sh + 32);
                const std::uint32_t s_rate = Parser::u32(sh + 36);
                const int s_pitch = sh[40];
                const int s_corr = std::int8_t(sh[41]);
                const int s_type = Parser::u16(sh + 44);
                if (s_type & 0x8000) continue;  // ROM sample: not in this file
                if (s_type & 0x10)
                    ps.fail("sample '" + sname + "' is Ogg Vorbis-compressed (an SF3 file): load it with "
                            "edgeaudio.synth.load_soundfont, which decodes SF3");
                if (s_start >= s_end || s_end > n_frames)
                    ps.fail("sample '" + sname + "' spans frames " + std::to_string(s_start) + ".." +
                            std::to_string(s_end) + " outside the " + std::to_string(n_frames) +
                            " frames of sample data");
                if (s_rate < 400 || s_rate > 384000)
                    ps.fail("sample '" + sname + "' has sample rate " + std::to_string(s_rate));
                auto at = [&](std::int64_t base, int fine, int coarse) {
                    return std::int64_t(base) + fine + std::int64_t(coarse) * 32768;
                };
                const std::int64_t st = clampv<std::int64_t>(at(s_start, g[kStartOfs], g[kStartCoarse]), s_start, s_end - 1);
                const std::int64_t en = clampv<std::int64_t>(at(s_end, g[kEndOfs], g[kEndCoarse]), st + 1, s_end);
                std::int64_t ls = clampv<std::int64_t>(at(s_ls, g[kLoopStartOfs], g[kLoopStartCoarse]), st, en);
                std::int64_t le = clampv<std::int64_t>(at(s_le, g[kLoopEndOfs], g[kLoopEndCoarse]), st, en);
                r.start = std::uint32_t(st);
                r.end = std::uint32_t(en);
                r.loop_start = std::uint32_t(ls);
                r.loop_end = std::uint32_t(le);
                r.sample_rate = s_rate;
                r.loop_mode = g[kSampleModes] & 3;
                if (r.loop_mode == 2) r.loop_mode = 0;
                if (le - ls < 2) r.loop_mode = 0;  // degenerate loop: play once
                r.root_key = g[kRootKey] >= 0 && g[kRootKey] <= 127 ? g[kRootKey] : (s_pitch <= 127 ? s_pitch : 60);
                r.tune_cents = float(g[kCoarseTune] * 100 + g[kFineTune] + s_corr);
                r.scale_tuning = float(clampv(g[kScaleTuning], 0, 1200));
                // EMU hardware, and so FluidSynth and the SoundFonts voiced on them, scale the
                // initialAttenuation generator by 0.4; the GM banks here are balanced for that
                // (negative totals are kept: the engine clips the sum with the controllers at 0 cB)
                r.attenuation_cb = kEmuAttenuationFactor * float(clampv(g[kAttenuation], -1440, 1440));
                r.pan = float(clampv(g[kPan], -500, 500)) / 1000.0f;
                r.delay_s = tc_seconds(clampv(g[kDelayVol], -12000, 5000));
                r.attack_s = tc_stage_seconds(g[kAttackVol], 8000);
                r.hold_s = tc_stage_seconds(g[kHoldVol], 5000);
                r.decay_s = tc_stage_seconds(g[kDecayVol], 8000);
                r.release_s = tc_stage_seconds(g[kReleaseVol], 8000);
                r.sustain_cb = float(clampv(g[kSustainVol], 0, 1440));
                r.key_to_hold_tc = float(clampv(g[kKeyToHold], -1200, 1200));
                r.key_to_decay_tc = float(clampv(g[kKeyToDecay], -1200, 1200));
                r.filter_fc_cents = float(clampv(g[kFilterFc], 1500, 13500));
                r.filter_q_cb = float(clampv(g[kFilterQ], 0, 960));
                r.exclusive_class = clampv(g[kExclusive], 0, 127);
                // modulation envelope and LFOs (SF2.01 8.1.3: generators 5-7, 10, 11, 13, 21-32)
                auto hz = [](int abs_cents) { return float(8.176 * std::pow(2.0, abs_cents / 1200.0)); };
                r.mod_lfo_to_pitch = float(clampv(g[5], -12000, 12000));
                r.vib_lfo_to_pitch = float(clampv(g[6], -12000, 12000));
                r.mod_env_to_pitch = float(clampv(g[7], -12000, 12000));
                r.mod_lfo_to_fc = float(clampv(g[10], -12000, 12000));
                r.mod_env_to_fc = float(clampv(g[11], -12000, 12000));
                r.mod_lfo_to_vol_cb = float(clampv(g[13], -960, 960));
                r.mod_lfo_delay_s = tc_seconds(clampv(g[21], -12000, 5000));
                r.mod_lfo_hz = hz(clampv(g[22], -16000, 4500));
                r.vib_lfo_delay_s = tc_seconds(clampv(g[23], -12000, 5000));
                r.vib_lfo_hz = hz(clampv(g[24], -16000, 4500));
                r.mod_delay_s = tc_seconds(clampv(g[25], -12000, 5000));
                r.mod_attack_s = tc_stage_seconds(g[26], 8000);
                r.mod_hold_s = tc_stage_seconds(g[27], 5000);
                r.mod_decay_s = tc_stage_seconds(g[28], 8000);
                r.mod_sustain = 1.0f - float(clampv(g[29], 0, 1000)) / 1000.0f;
                r.mod_release_s = tc_stage_seconds(g[30], 8000);
                r.mod_key_to_hold_tc = float(clampv(g[31], -1200, 1200));
                r.mod_key_to_decay_tc = float(clampv(g[32], -1200, 1200));
                preset.regions.push_back(r);
            }
        }
        presets_.push_back(std::move(preset));
    }
    std::stable_sort(presets_.begin(), presets_.end(), [](const Preset& a, const Preset& b) {
        return std::make_pair(a.bank, a.program) < std::make_pair(b.bank, b.program);
    });
    if (frames_ == reinterpret_cast<const std::int16_t*>(smpl.p)) {
        std::memset(guard_lo, 0, 8);
        std::memset(guard_hi, 0, hi_len);
    }
}

}  // namespace edgeaudio::synth
