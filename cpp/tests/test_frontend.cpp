// The frontend against a plain double-precision reference written here
// (padding, pre-emphasis, window, DFT, mel, log, DCT), on every SIMD path;
// streaming against batch for many chunkings; config validation; no
// allocation while streaming. The comparisons with librosa and
// python_speech_features are in tests/test_features.py.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../src/frontend/kernel_table.h"
#include "edgeaudio/frontend.h"
#include "reference.h"

namespace fe = edgeaudio::frontend;
using edgeaudio::Isa;

// ---- allocation counter (global operator new replacement) -------------------

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocs{0};
}  // namespace

void* operator new(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
// the nothrow form too (std::stable_sort's temporary buffer uses it): otherwise the library's
// version allocates with its own new and our delete frees with free(), which ASan reports
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// ---- configs shaped like the presets ------------------------------------------

fe::FrontendConfig librosa_like() {
    fe::FrontendConfig c;
    c.sample_rate = 22050;
    c.n_fft = 2048;
    c.win_length = 2048;
    c.hop_length = 512;
    c.window_placement = fe::WindowPlacement::Center;
    c.padding = fe::Padding::Center;
    c.n_mels = 128;
    c.mel_scale = fe::MelScale::Slaney;
    c.mel_norm = fe::MelNorm::Slaney;
    c.compression = fe::Compression::DB;
    c.n_mfcc = 20;
    c.lifter_style = fe::LifterStyle::Librosa;
    return c;
}

fe::FrontendConfig librosa_short_window() {
    fe::FrontendConfig c = librosa_like();
    c.sample_rate = 16000;
    c.n_fft = 512;
    c.win_length = 400;  // centred in the 512 frame
    c.hop_length = 160;
    c.n_mels = 40;
    c.n_mfcc = 13;
    c.lifter = 22;
    return c;
}

fe::FrontendConfig speech_features_like() {
    fe::FrontendConfig c;
    c.window = fe::Window::Rectangular;
    c.padding = fe::Padding::End;
    c.preemphasis = 0.97f;
    c.spectrum_scale = 1.0f / 512;
    c.n_mels = 26;
    c.mel_triangles = fe::MelTriangles::FftBin;
    c.log_floor = 2.220446049250313e-16f;
    c.lifter = 22;
    c.energy_as_c0 = true;
    return c;
}

fe::FrontendConfig kaldi_like() {
    fe::FrontendConfig c;
    c.window = fe::Window::Povey;
    c.window_periodic = false;
    c.preemphasis = 0.97f;
    c.preemphasis_per_frame = true;
    c.remove_dc = true;
    c.n_mels = 23;
    c.fmin_hz = 20;
    c.mel_triangles = fe::MelTriangles::Mel;
    c.log_floor = FLT_EPSILON;
    c.lifter = 22;
    return c;
}

fe::FrontendConfig kws_like() {
    fe::FrontendConfig c;
    c.win_length = 480;
    c.hop_length = 320;
    c.fmin_hz = 125;
    c.fmax_hz = 7500;
    c.compression = fe::Compression::LogOffset;
    c.spectrum_power = 1;
    return c;
}

fe::FrontendConfig pcen_like() {
    fe::FrontendConfig c = kws_like();
    c.compression = fe::Compression::PCEN;
    c.hop_length = 160;
    return c;
}

std::vector<fe::FrontendConfig> all_configs() {
    return {librosa_like(), librosa_short_window(), speech_features_like(), kaldi_like(), kws_like(), pcen_like()};
}

// speech-like test signal: two harmonic series with vibrato, noise, silence
std::vector<float> test_signal(std::size_t n, unsigned seed, double sr = 16000) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = i / sr;
        double v = 0.0;
        for (int h = 1; h <= 6; ++h) v += 0.3 / h * std::sin(2 * M_PI * h * (140 + 20 * std::sin(2 * M_PI * 3 * t)) * t);
        v *= 0.5 + 0.5 * std::sin(2 * M_PI * 2 * t);
        x[i] = static_cast<float>(v + 0.02 * g(rng));
    }
    for (std::size_t i = n / 3; i < n / 3 + n / 10 && i < n; ++i) x[i] = 0.0f;  // digital silence
    return x;
}

std::vector<float> run_batch(const fe::FrontendConfig& c, const std::vector<float>& x, fe::Output o,
                             Isa isa = edgeaudio::active_isa()) {
    std::vector<float> out(c.num_frames(x.size()) * c.output_size(o));
    fe::compute(c, x.data(), x.size(), o, out.data(), isa);
    return out;
}

std::vector<float> run_stream(fe::Frontend& f, const std::vector<float>& x, const std::vector<std::size_t>& chunks) {
    std::vector<float> out;
    std::size_t i = 0, k = 0;
    while (i < x.size()) {
        const std::size_t n = std::min(chunks[k++ % chunks.size()], x.size() - i);
        std::vector<float> buf(f.frames_ready(n) * f.output_size());
        const std::size_t got = f.push(x.data() + i, n, buf.data());
        REQUIRE(got * f.output_size() == buf.size());
        out.insert(out.end(), buf.begin(), buf.end());
        i += n;
    }
    std::vector<float> tail(f.flush_frames() * f.output_size());
    const std::size_t got = f.flush(tail.data());
    REQUIRE(got * f.output_size() == tail.size());
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

// ---- double-precision reference pipeline -----------------------------------------

struct Ref {
    std::vector<std::vector<double>> spectrum, mel, logmel, mfcc;
};

Ref reference(const fe::FrontendConfig& c, const std::vector<float>& x) {
    const int nf = c.n_fft, nb = c.n_bins(), win = c.win_length;
    const int ext = c.frame_extent(), off = c.frame_offset();
    // pre-emphasise the signal, then pad
    std::vector<double> y(x.begin(), x.end());
    if (!c.preemphasis_per_frame && c.preemphasis != 0.0f)
        for (std::size_t i = y.size(); i-- > 1;) y[i] = x[i] - double(c.preemphasis) * x[i - 1];
    const std::size_t frames = c.num_frames(x.size());
    std::vector<double> padded(std::size_t(c.pad_left()), 0.0);
    padded.insert(padded.end(), y.begin(), y.end());
    padded.resize(std::max(padded.size(), (frames ? (frames - 1) * c.hop_length : 0) + ext), 0.0);
    const std::vector<float> w = fe::window(c);
    const std::vector<float> fb = fe::mel_filterbank(c);
    Ref r;
    const double mul = c.compression == fe::Compression::DB ? 10.0 / std::log(10.0) : 1.0;
    for (std::size_t t = 0; t < frames; ++t) {
        std::vector<double> fr(padded.begin() + long(t * c.hop_length + off),
                               padded.begin() + long(t * c.hop_length + off + win));
        if (c.remove_dc) {
            double m = 0;
            for (double v : fr) m += v;
            m /= win;
            for (double& v : fr) v -= m;
        }
        if (c.preemphasis_per_frame)
            for (int i = win - 1; i >= 0; --i) fr[i] -= double(c.preemphasis) * fr[i > 0 ? i - 1 : 0];
        std::vector<ref::cd> buf(nf, 0.0);
        for (int i = 0; i < win; ++i) buf[i] = fr[i] * w[i];
        const auto X = ref::dft(buf);
        std::vector<double> p(nb);
        for (int k = 0; k < nb; ++k)
            p[k] = c.spectrum_scale * (c.spectrum_power == 2 ? std::norm(X[k]) : std::abs(X[k]));
        std::vector<double> mel(c.n_mels, 0.0), lm(c.n_mels);
        for (int m = 0; m < c.n_mels; ++m)
            for (int k = 0; k < nb; ++k) mel[m] += fb[std::size_t(m) * nb + k] * p[k];
        double energy = 0;
        for (double v : p) energy += v;
        auto compress = [&](double v) {
            switch (c.compression) {
                case fe::Compression::Log: return std::log(std::max(v, double(c.log_floor)));
                case fe::Compression::DB:
                    return mul * std::log(std::max(v, double(c.log_floor))) -
                           10 * std::log10(std::max(double(c.db_ref), double(c.log_floor)));
                case fe::Compression::LogOffset: return std::log(v + c.log_offset);
                default: return v;
            }
        };
        for (int m = 0; m < c.n_mels; ++m) lm[m] = compress(mel[m]);
        std::vector<double> cc(c.n_mfcc, 0.0);
        for (int k = 0; k < c.n_mfcc; ++k) {
            for (int m = 0; m < c.n_mels; ++m) cc[k] += lm[m] * std::cos(M_PI * k * (2 * m + 1) / (2.0 * c.n_mels));
            cc[k] *= std::sqrt((k ? 2.0 : 1.0) / c.n_mels);
            if (c.lifter > 0) {
                const int i = k + (c.lifter_style == fe::LifterStyle::Librosa ? 1 : 0);
                cc[k] *= 1 + c.lifter / 2.0 * std::sin(M_PI * i / c.lifter);
            }
        }
        if (c.energy_as_c0) cc[0] = compress(energy);
        r.spectrum.push_back(p);
        r.mel.push_back(mel);
        r.logmel.push_back(lm);
        r.mfcc.push_back(cc);
    }
    return r;
}

// max |a - b| / max(|b|) over a frames x dims block
double rel_err(const std::vector<float>& a, const std::vector<std::vector<double>>& b) {
    double num = 0, den = 0;
    std::size_t i = 0;
    for (const auto& row : b)
        for (double v : row) {
            num = std::max(num, std::fabs(a[i++] - v));
            den = std::max(den, std::fabs(v));
        }
    REQUIRE(i == a.size());
    return den > 0 ? num / den : num;
}

double max_abs_err(const std::vector<float>& a, const std::vector<std::vector<double>>& b) {
    double e = 0;
    std::size_t i = 0;
    for (const auto& row : b)
        for (double v : row) e = std::max(e, std::fabs(a[i++] - v));
    REQUIRE(i == a.size());
    return e;
}

}  // namespace

TEST_CASE("frontend: each stage matches a double-precision reference on every path") {
    for (Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        for (const auto& c : all_configs()) {
            if (c.compression == fe::Compression::PCEN) continue;  // PCEN has its own test
            CAPTURE(c.n_fft);
            CAPTURE(c.n_mels);
            const auto x = test_signal(c.n_fft * 6 + 123, 1, c.sample_rate);
            const Ref r = reference(c, x);
            REQUIRE(!r.spectrum.empty());
            CHECK(rel_err(run_batch(c, x, fe::Output::Spectrum, isa), r.spectrum) < 2e-6);
            CHECK(rel_err(run_batch(c, x, fe::Output::Mel, isa), r.mel) < 2e-6);
            // log domain: absolute error; bands 100+ dB under the peak carry
            // the FFT's float32 rounding, hence the looser bound for dB
            const double tol = c.compression == fe::Compression::DB ? 2e-3 : 2e-4;
            CHECK(max_abs_err(run_batch(c, x, fe::Output::LogMel, isa), r.logmel) < tol);
            CHECK(max_abs_err(run_batch(c, x, fe::Output::Mfcc, isa), r.mfcc) < 10 * tol);
        }
    }
}

TEST_CASE("frontend: the STFT output is the windowed frame's DFT") {
    fe::FrontendConfig c = librosa_short_window();
    const auto x = test_signal(3000, 2);
    const auto got = run_batch(c, x, fe::Output::Stft);
    REQUIRE(got.size() == c.num_frames(x.size()) * 2 * c.n_bins());
    // frame 3 by hand: centred padding of 256, window centred at offset 56
    const auto w = fe::window(c);
    std::vector<ref::cd> buf(c.n_fft, 0.0);
    const long start = 3 * c.hop_length - c.pad_left() + c.frame_offset();
    for (int i = 0; i < c.win_length; ++i) buf[i] = double(x[start + i]) * w[i];
    const auto X = ref::dft(buf);
    double err = 0, mag = 0;
    for (int k = 0; k < c.n_bins(); ++k) {
        // the window sits at offset 56 in librosa's frame: a linear phase,
        // which the power spectrum does not see; compare magnitudes
        const float re = got[(3 * c.n_bins() + k) * 2], im = got[(3 * c.n_bins() + k) * 2 + 1];
        err = std::max(err, std::fabs(std::hypot(re, im) - std::abs(X[k])));
        mag = std::max(mag, std::abs(X[k]));
    }
    CHECK(err / mag < 2e-6);
}

TEST_CASE("frontend: log kernel is within 2 ulp-ish of std::log on every path") {
    for (Isa isa : edgeaudio::available_isas()) {
        CAPTURE(edgeaudio::isa_name(isa));
        const auto* k = fe::detail::kernels_for(isa);
        REQUIRE(k != nullptr);
        std::vector<float> x;
        for (double e = -37; e <= 37; e += 0.01) x.push_back(static_cast<float>(std::pow(10.0, e)));
        for (float v = 0.5f; v < 2.0f; v += 1e-4f) x.push_back(v);
        x.resize((x.size() + 7) / 8 * 8, 1.0f);
        std::vector<float> y = x;
        k->log(y.data(), static_cast<int>(y.size()), fe::detail::LogParams{1.0f, 0.0f, FLT_MIN, 0.0f});
        double worst = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double want = std::log(double(x[i]));
            worst = std::max(worst, std::fabs(y[i] - want) / std::max(1.0, std::fabs(want)));
        }
        CHECK(worst < 3e-7);
    }
}

TEST_CASE("frontend: every SIMD path equals scalar within 1e-5 relative") {
    for (Isa isa : edgeaudio::available_isas()) {
        if (isa == Isa::Scalar) continue;
        CAPTURE(edgeaudio::isa_name(isa));
        for (const auto& c : all_configs()) {
            const auto x = test_signal(16000, 3, c.sample_rate);
            for (fe::Output o : {fe::Output::Spectrum, fe::Output::Mel, fe::Output::LogMel, fe::Output::Mfcc}) {
                CAPTURE(fe::name(o));
                const auto a = run_batch(c, x, o, isa), b = run_batch(c, x, o, Isa::Scalar);
                REQUIRE(a.size() == b.size());
                // relative to each frame's largest value (a band 120 dB under the
                // peak has no meaningful relative precision in float32)
                const std::size_t d = c.output_size(o);
                double worst = 0;
                for (std::size_t t = 0; t * d < a.size(); ++t) {
                    double peak = 0, diff = 0;
                    for (std::size_t i = t * d; i < (t + 1) * d; ++i) {
                        peak = std::max(peak, double(std::fabs(b[i])));
                        diff = std::max(diff, double(std::fabs(a[i] - b[i])));
                    }
                    if (peak > 0) worst = std::max(worst, diff / peak);
                }
                CHECK(worst < 1e-5);
            }
        }
    }
}

TEST_CASE("frontend: streaming equals batch, bit for bit, for any chunking") {
    std::mt19937 rng(7);
    for (const auto& c : all_configs()) {
        for (fe::Output o : {fe::Output::Stft, fe::Output::LogMel, fe::Output::Mfcc}) {
            CAPTURE(c.n_fft);
            CAPTURE(fe::name(o));
            for (std::size_t len : {0u, 1u, 100u, 399u, 400u, 401u, 2047u, 2048u, 2049u, 7000u}) {
                CAPTURE(len);
                const auto x = test_signal(len, static_cast<unsigned>(len) + 1, c.sample_rate);
                const auto batch = run_batch(c, x, o);
                fe::Frontend f(c, o);
                std::vector<std::vector<std::size_t>> chunkings = {{1}, {7, 1, 300}, {std::size_t(c.hop_length)},
                                                                    {std::size_t(c.frame_extent()) + 1}, {100000}};
                std::uniform_int_distribution<std::size_t> pick(1, 3 * std::size_t(c.frame_extent()));
                std::vector<std::size_t> rnd(20);
                for (auto& v : rnd) v = pick(rng);
                chunkings.push_back(rnd);
                for (const auto& ch : chunkings) {
                    const auto s = run_stream(f, x, ch);  // flush resets: f is reused
                    CHECK(s == batch);  // exact: same frames, same arithmetic
                }
            }
        }
    }
}

TEST_CASE("frontend: push with a frame limit stops and resumes exactly") {
    const fe::FrontendConfig c = speech_features_like();
    const auto x = test_signal(5000, 4);
    const auto batch = run_batch(c, x, fe::Output::Mfcc);
    fe::Frontend f(c, fe::Output::Mfcc);
    std::vector<float> out, buf(2 * c.output_size(fe::Output::Mfcc));
    std::size_t i = 0;
    while (i < x.size()) {
        std::size_t consumed = 0;
        const std::size_t got = f.push(x.data() + i, x.size() - i, buf.data(), 2, &consumed);
        CHECK(got <= 2);
        out.insert(out.end(), buf.begin(), buf.begin() + long(got * c.n_mfcc));
        i += consumed;
    }
    std::vector<float> tail(f.flush_frames() * c.n_mfcc);
    f.flush(tail.data());
    out.insert(out.end(), tail.begin(), tail.end());
    REQUIRE(out.size() == batch.size());
    CHECK(std::memcmp(out.data(), batch.data(), out.size() * sizeof(float)) == 0);
}

TEST_CASE("frontend: frame counts follow each padding mode") {
    fe::FrontendConfig c;  // 400 / 160, no padding
    CHECK(c.num_frames(0) == 0);
    CHECK(c.num_frames(399) == 0);
    CHECK(c.num_frames(400) == 1);
    CHECK(c.num_frames(559) == 1);
    CHECK(c.num_frames(560) == 2);
    c.padding = fe::Padding::End;  // python_speech_features
    CHECK(c.num_frames(0) == 0);
    CHECK(c.num_frames(1) == 1);
    CHECK(c.num_frames(400) == 1);
    CHECK(c.num_frames(401) == 2);
    CHECK(c.num_frames(560) == 2);
    CHECK(c.num_frames(561) == 3);
    c = librosa_like();  // 1 + n // hop
    CHECK(c.num_frames(0) == 0);
    CHECK(c.num_frames(1) == 1);
    CHECK(c.num_frames(511) == 1);
    CHECK(c.num_frames(512) == 2);
    CHECK(c.num_frames(22050) == 1 + 22050 / 512);
}

TEST_CASE("frontend: NaN or Inf input is refused and the stream is untouched") {
    const fe::FrontendConfig c = kws_like();
    auto x = test_signal(4000, 5);
    const auto batch = run_batch(c, x, fe::Output::LogMel);
    fe::Frontend f(c);
    std::vector<float> buf(f.frames_ready(4000) * f.output_size());
    std::vector<float> bad = {0.1f, NAN, 0.2f};
    CHECK_THROWS_WITH_AS(f.push(bad.data(), bad.size(), buf.data()), doctest::Contains("sample 1 is NaN"),
                         std::invalid_argument);
    bad[1] = INFINITY;
    CHECK_THROWS_AS(f.push(bad.data(), bad.size(), buf.data()), std::invalid_argument);
    const auto s = run_stream(f, x, {333});
    CHECK(s == batch);
    x[1234] = -INFINITY;
    std::vector<float> out(c.num_frames(x.size()) * c.n_mels);
    CHECK_THROWS_WITH_AS(fe::compute(c, x.data(), x.size(), fe::Output::LogMel, out.data()),
                         doctest::Contains("sample 1234 is infinite"), std::invalid_argument);
}

TEST_CASE("frontend: push, flush and reset do not allocate") {
    for (const auto& c : all_configs()) {
        fe::Frontend f(c, fe::Output::Mfcc);
        const auto x = test_signal(20000, 6, c.sample_rate);
        std::vector<float> out(c.num_frames(x.size() + 100000) * c.n_mfcc + 1000);
        g_allocs = 0;
        g_counting = true;
        std::size_t frames = 0;
        for (std::size_t i = 0; i + 37 <= x.size(); i += 37) frames += f.push(x.data() + i, 37, out.data() + frames * c.n_mfcc);
        frames += f.flush(out.data() + frames * c.n_mfcc);
        f.reset();
        frames += f.push(x.data(), x.size(), out.data() + frames * c.n_mfcc);
        g_counting = false;
        CHECK(frames > 0);
        CHECK(g_allocs.load() == 0);
    }
}

TEST_CASE("frontend: invalid configs are refused naming the field") {
    auto refused = [](fe::FrontendConfig c, const char* field) {
        CAPTURE(field);
        try {
            c.validate();
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find(std::string("FrontendConfig.") + field + ":") == 0);
        }
    };
    fe::FrontendConfig c;
    c.fmax_hz = 8001;
    refused(c, "fmax_hz");
    c = {};
    c.fmin_hz = 9000;
    refused(c, "fmax_hz");
    c = {};
    c.n_mels = 300;  // 257 bins
    refused(c, "n_mels");
    c = {};
    c.hop_length = 0;
    refused(c, "hop_length");
    c = {};
    c.win_length = 513;
    refused(c, "win_length");
    c = {};
    c.n_fft = 0;
    refused(c, "n_fft");
    c = {};
    c.sample_rate = 0;
    refused(c, "sample_rate");
    c = {};
    c.spectrum_power = 3;
    refused(c, "spectrum_power");
    c = {};
    c.n_mfcc = 41;
    refused(c, "n_mfcc");
    c = {};
    c.top_db = 80.0f;  // compression is log
    refused(c, "top_db");
    c = {};
    c.log_floor = 0;
    refused(c, "log_floor");
    c = {};
    c.mel_triangles = fe::MelTriangles::FftBin;
    c.mel_scale = fe::MelScale::Slaney;
    refused(c, "mel_scale");
    c = {};
    c.preemphasis = 1.5f;
    refused(c, "preemphasis");
    c = {};
    c.energy_as_c0 = true;
    c.compression = fe::Compression::PCEN;
    refused(c, "energy_as_c0");
    // streaming cannot know the clip's maximum
    c = librosa_like();
    c.top_db = 80.0f;
    c.validate();
    CHECK_THROWS_WITH_AS(fe::Frontend(c, fe::Output::LogMel), doctest::Contains("FrontendConfig.top_db"),
                         std::invalid_argument);
    fe::Frontend spectrum_only(c, fe::Output::Spectrum);  // top_db does not touch it
    CHECK(spectrum_only.output_size() == 1025);
}

TEST_CASE("frontend: every field reads back by name and bad text names the field") {
    fe::FrontendConfig a = speech_features_like();
    a.fmax_hz = 7999.5;
    a.top_db = std::nullopt;
    fe::FrontendConfig b;
    for (const auto& name : fe::FrontendConfig::field_names()) b.set(name, a.get(name));
    for (const auto& name : fe::FrontendConfig::field_names()) CHECK(b.get(name) == a.get(name));
    CHECK(b.spectrum_scale == a.spectrum_scale);
    CHECK(b.log_floor == a.log_floor);
    CHECK(*b.fmax_hz == 7999.5);
    b.set("fmax_hz", "none");
    CHECK(!b.fmax_hz);
    CHECK_THROWS_WITH_AS(b.set("window", "kaiser"), doctest::Contains("FrontendConfig.window: unknown value 'kaiser'"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(b.set("n_fft", "51.5"), doctest::Contains("FrontendConfig.n_fft"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(b.set("nfft", "512"), doctest::Contains("no field 'nfft'"), std::invalid_argument);
}

TEST_CASE("frontend: windows have their closed forms") {
    fe::FrontendConfig c;
    c.win_length = 8;
    c.window_periodic = true;
    auto w = fe::window(c);
    for (int n = 0; n < 8; ++n) CHECK(w[n] == doctest::Approx(0.5 - 0.5 * std::cos(2 * M_PI * n / 8)));
    c.window = fe::Window::Hamming;
    c.window_periodic = false;
    w = fe::window(c);
    for (int n = 0; n < 8; ++n) CHECK(w[n] == doctest::Approx(0.54 - 0.46 * std::cos(2 * M_PI * n / 7)));
    c.window = fe::Window::Povey;
    w = fe::window(c);
    for (int n = 0; n < 8; ++n) CHECK(w[n] == doctest::Approx(std::pow(0.5 - 0.5 * std::cos(2 * M_PI * n / 7), 0.85)));
    c.window = fe::Window::Rectangular;
    w = fe::window(c);
    for (float v : w) CHECK(v == 1.0f);
}

TEST_CASE("frontend: mel filterbanks are triangles peaking at 1 (no norm)") {
    for (auto tri : {fe::MelTriangles::Hz, fe::MelTriangles::Mel, fe::MelTriangles::FftBin}) {
        fe::FrontendConfig c;
        c.mel_triangles = tri;
        c.n_mels = 20;
        const auto fb = fe::mel_filterbank(c);
        for (int m = 0; m < c.n_mels; ++m) {
            float peak = 0;
            int rises = 0, falls = 0;
            for (int k = 0; k < c.n_bins(); ++k) {
                const float v = fb[std::size_t(m) * c.n_bins() + k];
                CHECK(v >= 0.0f);
                peak = std::max(peak, v);
                if (k > 0) {
                    const float p = fb[std::size_t(m) * c.n_bins() + k - 1];
                    if (v > p) rises += falls > 0;  // a rise after a fall: not a triangle
                    if (v < p) ++falls;
                }
            }
            CHECK(rises == 0);
            CHECK(peak <= 1.0f);
            CHECK(peak > 0.5f);
        }
    }
}

TEST_CASE("frontend: PCEN follows its recursion from M = 1") {
    fe::FrontendConfig c = pcen_like();
    const auto x = test_signal(8000, 8);
    const auto mel = run_batch(c, x, fe::Output::Mel);
    const auto got = run_batch(c, x, fe::Output::LogMel);
    const double T = c.pcen_time_constant_s * c.sample_rate / c.hop_length;
    const double b = (std::sqrt(1 + 4 * T * T) - 1) / (2 * T * T);
    std::vector<double> M(c.n_mels, 1.0);
    double worst = 0;
    for (std::size_t t = 0; t * c.n_mels < mel.size(); ++t)
        for (int m = 0; m < c.n_mels; ++m) {
            const double e = mel[t * c.n_mels + m];
            M[m] = b * e + (1 - b) * M[m];
            const double g = std::pow(c.pcen_eps + M[m], -double(c.pcen_gain));
            const double want = std::pow(e * g + c.pcen_bias, c.pcen_power) - std::pow(c.pcen_bias, c.pcen_power);
            worst = std::max(worst, std::fabs(got[t * c.n_mels + m] - want) / std::max(1e-3, std::fabs(want)));
        }
    CHECK(worst < 1e-4);
}

TEST_CASE("frontend: deltas are exact on polynomials and refuse short input") {
    const std::size_t T = 30, D = 3;
    std::vector<float> x(T * D), d1(T * D), d2(T * D);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t d = 0; d < D; ++d) x[t * D + d] = float(0.5 * (d + 1) * t * t - 3.0 * t + d);
    fe::delta(x.data(), T, D, 9, 2, d2.data());
    for (std::size_t i = 0; i < T * D; ++i) CHECK(d2[i] == doctest::Approx((i % D + 1) * 1.0).epsilon(1e-5));
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t d = 0; d < D; ++d) x[t * D + d] = float(2.5 * t - d);
    fe::delta(x.data(), T, D, 5, 1, d1.data());
    for (float v : d1) CHECK(v == doctest::Approx(2.5).epsilon(1e-6));
    CHECK_THROWS_AS(fe::delta(x.data(), 4, D, 5, 1, d1.data()), std::invalid_argument);
    CHECK_THROWS_AS(fe::delta(x.data(), T, D, 4, 1, d1.data()), std::invalid_argument);
}
