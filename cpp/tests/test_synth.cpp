// Synthesis: band limits, pitch, envelope timing, voice stealing, and a
// SoundFont the test builds itself, truncated and corrupted byte by byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../src/synth/kernels.h"
#include "edgeaudio/fft.h"
#include "edgeaudio/sf2.h"
#include "edgeaudio/synth.h"

using namespace edgeaudio::synth;

namespace {

// Frequency of a steady tone from its zero crossings (linear interpolation).
double measured_freq(const std::vector<float>& x, double sr) {
    double first = -1, last = -1;
    int count = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        if (x[i - 1] < 0 && x[i] >= 0) {
            const double t = double(i - 1) + double(-x[i - 1]) / double(x[i] - x[i - 1]);
            if (first < 0) first = t;
            last = t;
            ++count;
        }
    return (count - 1) * sr / (last - first);
}

// Frequency of a harmonic tone near f_guess: the autocorrelation peak near
// `periods` periods (parabolic interpolation), so the error divides by periods.
double measured_freq_ac(const std::vector<float>& x, double sr, double f_guess, int periods = 20) {
    const double lag0 = periods * sr / f_guess;
    const long lo = long(lag0 * 0.98), hi = long(lag0 * 1.02) + 1;
    std::vector<double> r;
    for (long l = lo; l <= hi + 1; ++l) {
        double acc = 0.0;
        for (std::size_t i = 0; i + std::size_t(l) < x.size(); ++i) acc += double(x[i]) * x[i + std::size_t(l)];
        r.push_back(acc);
    }
    std::size_t best = 1;
    for (std::size_t k = 1; k + 1 < r.size(); ++k)
        if (r[k] > r[best]) best = k;
    const double a = r[best - 1], b = r[best], c = r[best + 1];
    const double lag = double(lo) + double(best) + 0.5 * (a - c) / (a - 2 * b + c);
    return periods * sr / lag;
}

// ---- a tiny SoundFont, written chunk by chunk ----
void put16(std::vector<std::uint8_t>& b, unsigned v) { b.push_back(v & 255); b.push_back((v >> 8) & 255); }
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) { put16(b, v & 0xFFFF); put16(b, v >> 16); }
void name20(std::vector<std::uint8_t>& b, const char* s) {
    char n[20] = {};
    std::strncpy(n, s, 19);
    b.insert(b.end(), n, n + 20);
}
std::vector<std::uint8_t> chunk(const char* id, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> c(id, id + 4);
    put32(c, std::uint32_t(body.size()));
    c.insert(c.end(), body.begin(), body.end());
    if (body.size() & 1) c.push_back(0);
    return c;
}
std::vector<std::uint8_t> list(const char* type, const std::vector<std::vector<std::uint8_t>>& parts) {
    std::vector<std::uint8_t> body(type, type + 4);
    for (auto& p : parts) body.insert(body.end(), p.begin(), p.end());
    return chunk("LIST", body);
}

// One preset (bank 0, program 0): a looped sine of period 100 samples at
// 44.1 kHz (441 Hz) with root key 69; with_sm24: plus a 24-bit low-byte chunk.
std::vector<std::uint8_t> tiny_sf2(bool with_sm24 = false) {
    std::vector<std::uint8_t> smpl;
    for (int i = 0; i < 1000; ++i) put16(smpl, std::uint16_t(std::int16_t(std::lround(16000 * std::sin(2 * M_PI * i / 100.0)))));
    for (int i = 0; i < 46; ++i) put16(smpl, 0);
    std::vector<std::uint8_t> ifil, phdr, pbag, pmod(10, 0), pgen, inst, ibag, imod(10, 0), igen, shdr;
    put16(ifil, 2); put16(ifil, 1);
    name20(phdr, "Sine"); put16(phdr, 0); put16(phdr, 0); put16(phdr, 0); put32(phdr, 0); put32(phdr, 0); put32(phdr, 0);
    name20(phdr, "EOP"); put16(phdr, 0); put16(phdr, 0); put16(phdr, 1); put32(phdr, 0); put32(phdr, 0); put32(phdr, 0);
    put16(pbag, 0); put16(pbag, 0); put16(pbag, 1); put16(pbag, 0);
    put16(pgen, 41); put16(pgen, 0); put16(pgen, 0); put16(pgen, 0);
    name20(inst, "SineInst"); put16(inst, 0);
    name20(inst, "EOI"); put16(inst, 1);
    put16(ibag, 0); put16(ibag, 0); put16(ibag, 3); put16(ibag, 0);
    put16(igen, 43); igen.push_back(0); igen.push_back(127);
    put16(igen, 54); put16(igen, 1);
    put16(igen, 53); put16(igen, 0);
    put16(igen, 0); put16(igen, 0);
    name20(shdr, "sine"); put32(shdr, 0); put32(shdr, 1000); put32(shdr, 100); put32(shdr, 900);
    put32(shdr, 44100); shdr.push_back(69); shdr.push_back(0); put16(shdr, 0); put16(shdr, 1);
    name20(shdr, "EOS"); for (int i = 0; i < 26; ++i) shdr.push_back(0);
    auto info = list("INFO", {chunk("ifil", ifil), chunk("INAM", {'T', 'i', 'n', 'y'})});
    auto sdta = with_sm24 ? list("sdta", {chunk("smpl", smpl), chunk("sm24", std::vector<std::uint8_t>(1046, 0x80))})
                          : list("sdta", {chunk("smpl", smpl)});
    auto pdta = list("pdta", {chunk("phdr", phdr), chunk("pbag", pbag), chunk("pmod", pmod), chunk("pgen", pgen),
                              chunk("inst", inst), chunk("ibag", ibag), chunk("imod", imod), chunk("igen", igen),
                              chunk("shdr", shdr)});
    std::vector<std::uint8_t> body{'s', 'f', 'b', 'k'};
    for (auto* p : {&info, &sdta, &pdta}) body.insert(body.end(), p->begin(), p->end());
    return chunk("RIFF", body);
}

}  // namespace

TEST_CASE("wavetable mipmaps keep every harmonic below Nyquist at every played pitch") {
    const Wavetable saw = Wavetable::classic(Wavetable::Shape::Saw, 1024);
    CHECK(saw.level_harmonics(0) == 1024);
    for (int note = 0; note <= 127; ++note) {
        const double f = 440.0 * std::pow(2.0, (note - 69) / 12.0);
        const double inc = f / 48000.0;
        const std::size_t level = saw.level_for(inc);
        if (f < 24000.0) CHECK(double(saw.level_harmonics(level)) * f < 24000.0);
        // the stored table really holds nothing above its harmonic count
        const std::size_t len = saw.level_length(level);
        std::vector<edgeaudio::fft::cfloat> spec(len / 2 + 1);
        edgeaudio::fft::real_plan(len)->forward(saw.table(level, 0), spec.data(), 1.0f / float(len));
        double above = 0.0;
        for (std::size_t k = saw.level_harmonics(level) + 1; k < spec.size(); ++k) above += std::norm(spec[k]);
        CHECK(above < 1e-10);
    }
}

TEST_CASE("wavetable oscillator is in tune within 1 cent") {
    const Wavetable sine = Wavetable::classic(Wavetable::Shape::Sine, 1);
    WavetableOscillator osc(&sine);
    for (double f : {27.5, 440.0, 1234.5, 4186.0}) {
        std::vector<float> x(48000);
        osc.reset();
        osc.render(x.data(), x.size(), f, 48000.0);
        const double cents = 1200.0 * std::log2(measured_freq(x, 48000.0) / f);
        CHECK(std::fabs(cents) < 1.0);
    }
}

TEST_CASE("Adsr stages land on their exact sample") {
    AdsrConfig cfg{0.01f, 0.02f, 0.5f, 0.03f, 0.7f};
    Adsr env(cfg, 48000.0);
    env.gate_on();
    std::vector<float> a(480 + 960 + 100);
    env.render(a.data(), a.size());
    CHECK(a[479] == doctest::Approx(1.0f));
    CHECK(a[478] < 1.0f);
    CHECK(a[479 + 960] == doctest::Approx(0.5f));
    CHECK(a[479 + 959] > 0.5f);
    env.gate_off();
    std::vector<float> r(1440);
    env.render(r.data(), r.size());
    CHECK(r[1439] == 0.0f);
    CHECK(r[1438] > 0.0f);
    CHECK(!env.active());
    CHECK_THROWS_AS(Adsr(AdsrConfig{-1.0f}, 48000.0), std::invalid_argument);
}

TEST_CASE("plucked string is in tune and decays") {
    PluckedString s(48000.0);
    for (double f : {110.0, 440.0, 1000.0}) {
        s.pluck(f, 1.0f, 4.0, 0.5f);
        std::vector<float> x(48000);
        s.render(x.data(), x.size());
        // measure after the transient
        std::vector<float> tail(x.begin() + 4800, x.begin() + 24000);
        CHECK(std::fabs(1200.0 * std::log2(measured_freq_ac(tail, 48000.0, f) / f)) < 1.0);
    }
    s.pluck(220.0, 1.0f, 0.2, 0.5f);
    std::vector<float> x(48000);
    s.render(x.data(), x.size());
    float late = 0.0f;
    for (std::size_t i = 24000; i < 48000; ++i) late = std::max(late, std::fabs(x[i]));
    CHECK(late < 1e-3f);  // 0.5 s of a 0.2 s T60 string: -150 dB
}

TEST_CASE("voice stealing takes the earliest released voice, then the quietest") {
    SynthConfig cfg;
    cfg.max_voices = 3;
    Synth synth(cfg);
    Patch p;
    p.table = std::make_shared<Wavetable>(Wavetable::classic(Wavetable::Shape::Saw, 64));
    p.amp = {0.0f, 0.0f, 1.0f, 5.0f, 0.0f};
    synth.add_patch(p);
    std::vector<float> L(256), R(256);
    std::vector<Event> ev = {{0, 0x90, 60, 100}, {0, 0x90, 62, 20}, {0, 0x90, 64, 100}};
    synth.render(ev.data(), ev.size(), L.data(), R.data(), 256);
    CHECK(synth.active_voices() == 3);
    // pool full, none released: the quietest (velocity 20) goes
    ev = {{0, 0x90, 65, 100}, {10, 0x80, 64, 0}, {20, 0x80, 60, 0}, {30, 0x90, 67, 100}};
    synth.render(ev.data(), ev.size(), L.data(), R.data(), 256);
    CHECK(synth.voices_stolen() == 2);
    CHECK(synth.active_voices() == 3);
    CHECK(!synth.note_sounding(0, 62));  // quietest, stolen by 65
    CHECK(!synth.note_sounding(0, 64));  // released first, stolen by 67
    CHECK(synth.note_sounding(0, 60));   // released later: still ringing
    CHECK(synth.note_sounding(0, 65));
    CHECK(synth.note_sounding(0, 67));
    synth.all_notes_off();
    for (int i = 0; i < 48000 * 6 / 256; ++i) synth.render(nullptr, 0, L.data(), R.data(), 256);
    CHECK(synth.active_voices() == 0);
}

TEST_CASE("events land on their exact frame") {
    Synth synth(SynthConfig{});
    Patch p;
    p.table = std::make_shared<Wavetable>(Wavetable::classic(Wavetable::Shape::Sine, 1));
    p.amp = {0.0f, 0.0f, 1.0f, 0.0f, 0.0f};
    synth.add_patch(p);
    std::vector<float> L(1000), R(1000);
    Event on{137, 0x90, 69, 127};
    synth.render(&on, 1, L.data(), R.data(), 1000);
    for (int i = 0; i < 137; ++i) CHECK(L[i] == 0.0f);
    CHECK(L[138] != 0.0f);
}

TEST_CASE("SoundFont: a small file parses, plays in tune; every truncation and corruption is a FormatError") {
    const auto bytes = tiny_sf2();
    auto sf = SoundFont::from_memory(bytes.data(), bytes.size(), "tiny");
    CHECK(sf->name() == "Tiny");
    REQUIRE(sf->presets().size() == 1);
    const Preset& p = sf->presets()[0];
    CHECK(p.name == "Sine");
    REQUIRE(p.regions.size() == 1);
    CHECK(p.regions[0].root_key == 69);
    CHECK(p.regions[0].loop_mode == 1);
    CHECK(p.regions[0].loop_start == 100);
    CHECK(p.regions[0].loop_end == 900);

    Synth synth(SynthConfig{});
    synth.set_soundfont(sf);
    std::vector<float> L(48000), R(48000);
    Event on{0, 0x90, 81, 127};
    synth.render(&on, 1, L.data(), R.data(), L.size());
    std::vector<float> tail(L.begin() + 4800, L.end());
    CHECK(std::fabs(1200.0 * std::log2(measured_freq(tail, 48000.0) / 882.0)) < 1.0);

    for (std::size_t n = 0; n < bytes.size(); ++n)
        CHECK_THROWS_AS(SoundFont::from_memory(bytes.data(), n, "cut"), FormatError);
    std::mt19937 rng(7);
    int ok = 0, bad = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        auto b = bytes;
        for (int k = 0; k < 3; ++k) b[rng() % b.size()] = std::uint8_t(rng());
        try {
            auto s = SoundFont::from_memory(b.data(), b.size(), "fuzz");
            Synth sy(SynthConfig{});
            sy.set_soundfont(s);
            std::vector<float> l(512), r(512);
            Event e[2] = {{0, 0x90, 60, 100}, {0, 0x90, 100, 30}};
            sy.render(e, 2, l.data(), r.data(), 512);
            ++ok;
        } catch (const FormatError&) {
            ++bad;
        }
    }
    CHECK(ok + bad == 3000);
}

TEST_CASE("drum voice: every GM percussion key sounds, ends, and renders the same in any block size") {
    const double sr = 48000.0;
    for (int key = 27; key <= 87; ++key) {
        DrumVoice whole(sr), chunked(sr);
        whole.play(key, 0.8f, 7u);
        chunked.play(key, 0.8f, 7u);
        const std::size_t n = 4 * 48000;  // the longest sound (crash 2, T60 2 s) ends by 4 s
        std::vector<float> a(n), b(n);
        whole.render(a.data(), n);
        std::size_t at = 0, step = 1;
        while (at < n) {
            const std::size_t m = std::min(step, n - at);
            chunked.render(b.data() + at, m);
            at += m;
            step = step * 3 % 1000 + 1;  // 1, 4, 13, 40, ...: odd block sizes
        }
        CHECK(a == b);
        float peak = 0.0f;
        for (float v : a) peak = std::max(peak, std::fabs(v));
        CHECK(peak > 0.01f);
        CHECK(peak < 2.0f);
        CHECK_FALSE(whole.active());
    }
}

TEST_CASE("SoundFont with 24-bit samples: the low bytes are read; every truncation and corruption is a FormatError") {
    const auto bytes = tiny_sf2(true);
    auto sf = SoundFont::from_memory(bytes.data(), bytes.size(), "tiny24");
    REQUIRE(sf->samples24() != nullptr);
    CHECK(sf->samples24()[0] == doctest::Approx(0.5));  // frame 0: 0 * 256 + 0x80, in 16-bit units
    CHECK(sf->samples24()[-1] == 0.0f);                 // guard frames
    CHECK(sf->samples24()[1046] == 0.0f);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        CHECK_THROWS_AS(SoundFont::from_memory(bytes.data(), n, "cut"), FormatError);
    std::mt19937 rng(11);
    for (int trial = 0; trial < 2000; ++trial) {
        auto b = bytes;
        for (int k = 0; k < 3; ++k) b[rng() % b.size()] = std::uint8_t(rng());
        try {
            auto s = SoundFont::from_memory(b.data(), b.size(), "fuzz");
            Synth sy(SynthConfig{});
            sy.set_soundfont(s);
            std::vector<float> l(512), r(512);
            Event e[2] = {{0, 0x90, 60, 100}, {0, 0x90, 100, 30}};
            sy.render(e, 2, l.data(), r.data(), 512);
        } catch (const FormatError&) {
        }
    }
}

// The avx2 resampler fetches its taps from a 16-frame window (steps below
// ~1.7) or by gathers (steeper): both must match the scalar kernel, and read
// no further than the contract allows (the buffer below ends exactly there,
// so the sanitizer build catches an overread).
TEST_CASE("every path's resample kernel agrees with the scalar kernel and stays in bounds") {
    const auto* ref = detail::kernels_scalar();
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> d(-32768, 32767);
    for (edgeaudio::Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        const auto* k = detail::kernels_for(isa);
        for (float step : {0.25f, 0.9f, 1.0f, 1.5f, 1.69f, 1.75f, 2.0f, 3.7f})
            for (std::size_t n : {1u, 7u, 8u, 9u, 40u, 63u, 64u})
                for (float frac0 : {0.0f, 0.37f, 0.999f}) {
                    CAPTURE(step);
                    CAPTURE(n);
                    CAPTURE(frac0);
                    const double last = double(frac0) + double(n - 1) * double(step);
                    // s[-1] .. s[floor(last) + 2 + overread], one frame of slack for float rounding
                    std::vector<std::int16_t> buf(std::size_t(last) + 5 + detail::kResampleOverread);
                    for (auto& x : buf) x = std::int16_t(d(rng));
                    const std::int16_t* s = buf.data() + 1;
                    std::vector<float> a(n), b(n);
                    k->resample(s, frac0, step, 0.5f / 32768.0f, 1e-3f / 32768.0f, a.data(), n);
                    ref->resample(s, frac0, step, 0.5f / 32768.0f, 1e-3f / 32768.0f, b.data(), n);
                    float worst = 0.0f;
                    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
                    CHECK(worst < 1e-4f);
                }
    }
}

// svf_lanes runs up to 4 interleaved groups of W voices on the vector paths:
// every used lane must filter exactly as the scalar kernel does (4 lanes).
TEST_CASE("every path's svf_lanes agrees with the scalar kernel for any number of used lanes") {
    const auto* ref = detail::kernels_scalar();
    REQUIRE(ref->lanes == 4);
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f), fc(100.0f, 15000.0f);
    for (edgeaudio::Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        const auto* k = detail::kernels_for(isa);
        const int lanes = k->lanes;
        REQUIRE(lanes <= detail::kMaxLanes);
        for (int used = 1; used <= lanes; ++used)
            for (std::size_t n : {1u, 5u, 8u, 64u}) {
                CAPTURE(used);
                CAPTURE(n);
                std::vector<std::vector<float>> x(std::size_t(lanes) + 4, std::vector<float>(n)), y;
                alignas(32) float a1[detail::kMaxLanes + 4], a2[detail::kMaxLanes + 4], a3[detail::kMaxLanes + 4],
                    c1[detail::kMaxLanes + 4], c2[detail::kMaxLanes + 4];
                for (std::size_t l = 0; l < x.size(); ++l) {
                    for (auto& v : x[l]) v = u(rng);
                    const float g = std::tan(3.14159265f * fc(rng) / 48000.0f), q = 1.0f / 0.9f;
                    a1[l] = 1.0f / (1.0f + g * (g + q)), a2[l] = g * a1[l], a3[l] = g * a2[l];
                    c1[l] = 0.1f * u(rng), c2[l] = 0.1f * u(rng);
                }
                y = x;
                float r1[detail::kMaxLanes + 4], r2[detail::kMaxLanes + 4];
                std::memcpy(r1, c1, sizeof r1);
                std::memcpy(r2, c2, sizeof r2);
                std::vector<float*> px, py;
                for (auto& v : x) px.push_back(v.data());
                for (auto& v : y) py.push_back(v.data());
                k->svf_lanes(px.data(), a1, a2, a3, c1, c2, n, used);
                for (int g = 0; g < used; g += 4) ref->svf_lanes(py.data() + g, a1 + g, a2 + g, a3 + g, r1 + g, r2 + g, n, 4);
                float worst = 0.0f;
                for (int l = 0; l < used; ++l) {
                    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(x[l][i] - y[l][i]));
                    worst = std::max({worst, std::fabs(c1[l] - r1[l]), std::fabs(c2[l] - r2[l])});
                }
                CHECK(worst < 1e-5f);
            }
    }
}
