// FrontendConfig: validation (every error names its field), text access by
// field name (the form a JSON manifest holds) and the frame geometry.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "edgeaudio/fft.h"
#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend {

namespace {

[[noreturn]] void fail(const char* field, const std::string& why) {
    throw std::invalid_argument(std::string("FrontendConfig.") + field + ": " + why);
}

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // shortest text that reads back to the same value
    for (int p = 1; p <= 17; ++p) {
        char s[40];
        std::snprintf(s, sizeof s, "%.*g", p, v);
        if (std::strtod(s, nullptr) == v) return s;
    }
    return buf;
}

std::string numf(float v) {
    for (int p = 1; p <= 9; ++p) {
        char s[40];
        std::snprintf(s, sizeof s, "%.*g", p, static_cast<double>(v));
        if (std::strtof(s, nullptr) == v) return s;
    }
    return num(v);
}

template <class E, std::size_t N>
E parse_enum(const char* field, const std::string& s, const std::pair<const char*, E> (&table)[N]) {
    for (const auto& p : table)
        if (s == p.first) return p.second;
    std::string expected;
    for (std::size_t i = 0; i < N; ++i) expected += (i ? ", " : "") + std::string(table[i].first);
    fail(field, "unknown value '" + s + "' (expected one of " + expected + ")");
}

template <class E, std::size_t N>
const char* enum_name(E v, const std::pair<const char*, E> (&table)[N]) {
    for (const auto& p : table)
        if (p.second == v) return p.first;
    return "?";
}

const std::pair<const char*, Window> kWindows[] = {
    {"hann", Window::Hann}, {"hamming", Window::Hamming}, {"povey", Window::Povey},
    {"rectangular", Window::Rectangular}};
const std::pair<const char*, WindowPlacement> kPlacements[] = {
    {"center", WindowPlacement::Center}, {"left", WindowPlacement::Left}};
const std::pair<const char*, Padding> kPaddings[] = {
    {"none", Padding::None}, {"center", Padding::Center}, {"end", Padding::End}};
const std::pair<const char*, MelScale> kScales[] = {{"slaney", MelScale::Slaney}, {"htk", MelScale::HTK}};
const std::pair<const char*, MelNorm> kNorms[] = {{"none", MelNorm::None}, {"slaney", MelNorm::Slaney}};
const std::pair<const char*, MelTriangles> kTriangles[] = {
    {"hz", MelTriangles::Hz}, {"mel", MelTriangles::Mel}, {"fft_bin", MelTriangles::FftBin}};
const std::pair<const char*, Compression> kCompressions[] = {
    {"none", Compression::None}, {"log", Compression::Log}, {"db", Compression::DB},
    {"log_offset", Compression::LogOffset}, {"pcen", Compression::PCEN}};
const std::pair<const char*, LifterStyle> kLifters[] = {
    {"htk", LifterStyle::HTK}, {"librosa", LifterStyle::Librosa}};
const std::pair<const char*, Output> kOutputs[] = {
    {"stft", Output::Stft}, {"spectrum", Output::Spectrum}, {"mel", Output::Mel},
    {"logmel", Output::LogMel}, {"mfcc", Output::Mfcc}};

double parse_double(const char* field, const std::string& s) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) fail(field, "expected a number, got '" + s + "'");
    return v;
}

int parse_int(const char* field, const std::string& s) {
    const double v = parse_double(field, s);
    if (!(v == std::floor(v)) || std::fabs(v) > 2147483647.0)
        fail(field, "expected an integer, got '" + s + "'");
    return static_cast<int>(v);
}

bool parse_bool(const char* field, const std::string& s) {
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
    fail(field, "expected true or false, got '" + s + "'");
}

bool is_none(const std::string& s) { return s == "none" || s == "null"; }

void require_finite(const char* field, double v) {
    if (!std::isfinite(v)) fail(field, "must be finite, got " + num(v));
}

}  // namespace

const char* name(Window v) { return enum_name(v, kWindows); }
const char* name(WindowPlacement v) { return enum_name(v, kPlacements); }
const char* name(Padding v) { return enum_name(v, kPaddings); }
const char* name(MelScale v) { return enum_name(v, kScales); }
const char* name(MelNorm v) { return enum_name(v, kNorms); }
const char* name(MelTriangles v) { return enum_name(v, kTriangles); }
const char* name(Compression v) { return enum_name(v, kCompressions); }
const char* name(LifterStyle v) { return enum_name(v, kLifters); }
const char* name(Output v) { return enum_name(v, kOutputs); }
Output output_from_name(const std::string& s) { return parse_enum("output", s, kOutputs); }

FrontendConfig FrontendConfig::hann_power_spectrum(double sample_rate, int n_fft, int hop_length, bool centered) {
    FrontendConfig f;
    f.sample_rate = sample_rate;
    f.n_fft = n_fft;
    f.win_length = n_fft;
    f.hop_length = hop_length;
    f.window = Window::Hann;
    f.window_periodic = true;
    f.window_placement = centered ? WindowPlacement::Center : WindowPlacement::Left;
    f.padding = centered ? Padding::Center : Padding::None;
    f.spectrum_power = 2;
    f.compression = Compression::None;
    f.output = Output::Spectrum;
    return f;
}

void FrontendConfig::validate() const {
    require_finite("sample_rate", sample_rate);
    if (!(sample_rate > 0)) fail("sample_rate", "must be > 0 Hz, got " + num(sample_rate));
    if (n_fft < 1) fail("n_fft", "must be >= 1, got " + std::to_string(n_fft));
    if (!fft::is_supported_size(static_cast<std::size_t>(n_fft)))
        fail("n_fft", std::to_string(n_fft) + " is not a supported FFT length (see fft::is_supported_size)");
    if (win_length < 1 || win_length > n_fft)
        fail("win_length", "must be in [1, n_fft = " + std::to_string(n_fft) + "], got " + std::to_string(win_length));
    if (hop_length < 1) fail("hop_length", "must be >= 1 sample, got " + std::to_string(hop_length));
    require_finite("preemphasis", preemphasis);
    if (preemphasis < 0.0f || preemphasis > 1.0f)
        fail("preemphasis", "must be in [0, 1], got " + numf(preemphasis));
    if (spectrum_power != 1 && spectrum_power != 2)
        fail("spectrum_power", "must be 1 (magnitude) or 2 (power), got " + std::to_string(spectrum_power));
    require_finite("spectrum_scale", spectrum_scale);
    if (!(spectrum_scale > 0.0f)) fail("spectrum_scale", "must be > 0, got " + numf(spectrum_scale));
    if (n_mels < 1) fail("n_mels", "must be >= 1, got " + std::to_string(n_mels));
    if (n_mels > n_bins())
        fail("n_mels", std::to_string(n_mels) + " is more than the " + std::to_string(n_bins()) +
                           " FFT bins of n_fft = " + std::to_string(n_fft));
    require_finite("fmin_hz", fmin_hz);
    if (fmin_hz < 0) fail("fmin_hz", "must be >= 0 Hz, got " + num(fmin_hz));
    if (fmax_hz) {
        require_finite("fmax_hz", *fmax_hz);
        if (*fmax_hz > sample_rate / 2.0)
            fail("fmax_hz", num(*fmax_hz) + " Hz is above the Nyquist frequency sample_rate / 2 = " +
                                num(sample_rate / 2.0) + " Hz");
    }
    if (!(fmax() > fmin_hz))
        fail("fmax_hz", "must be above fmin_hz = " + num(fmin_hz) + " Hz, got " + num(fmax()));
    if (mel_triangles != MelTriangles::Hz && mel_scale != MelScale::HTK)
        fail("mel_scale", std::string("mel_triangles '") + name(mel_triangles) +
                              "' is defined on the HTK mel scale; set mel_scale to 'htk'");
    require_finite("log_floor", log_floor);
    if (!(log_floor >= FLT_MIN))
        fail("log_floor", "must be a positive normal float (>= 1.18e-38), got " + numf(log_floor));
    require_finite("log_offset", log_offset);
    if (compression == Compression::LogOffset && !(log_offset > 0.0f))
        fail("log_offset", "must be > 0 with compression 'log_offset', got " + numf(log_offset));
    require_finite("db_ref", db_ref);
    if (!(db_ref > 0.0f)) fail("db_ref", "must be > 0, got " + numf(db_ref));
    if (top_db) {
        require_finite("top_db", *top_db);
        if (*top_db < 0.0f) fail("top_db", "must be >= 0 dB, got " + numf(*top_db));
        if (compression != Compression::DB)
            fail("top_db", std::string("applies to compression 'db' only (compression is '") +
                               name(compression) + "'); set it to none");
    }
    require_finite("pcen_time_constant_s", pcen_time_constant_s);
    if (!(pcen_time_constant_s > 0.0f))
        fail("pcen_time_constant_s", "must be > 0 s, got " + numf(pcen_time_constant_s));
    require_finite("pcen_gain", pcen_gain);
    if (pcen_gain < 0.0f) fail("pcen_gain", "must be >= 0, got " + numf(pcen_gain));
    require_finite("pcen_bias", pcen_bias);
    if (pcen_bias < 0.0f) fail("pcen_bias", "must be >= 0, got " + numf(pcen_bias));
    require_finite("pcen_power", pcen_power);
    if (pcen_power < 0.0f) fail("pcen_power", "must be >= 0, got " + numf(pcen_power));
    require_finite("pcen_eps", pcen_eps);
    if (!(pcen_eps > 0.0f)) fail("pcen_eps", "must be > 0, got " + numf(pcen_eps));
    if (n_mfcc < 1 || n_mfcc > n_mels)
        fail("n_mfcc", "must be in [1, n_mels = " + std::to_string(n_mels) + "], got " + std::to_string(n_mfcc));
    require_finite("lifter", lifter);
    if (lifter < 0.0f) fail("lifter", "must be >= 0 (0 = off), got " + numf(lifter));
    if (energy_as_c0 && (compression == Compression::None || compression == Compression::PCEN))
        fail("energy_as_c0", std::string("needs a log compression (log, db, log_offset), compression is '") +
                                 name(compression) + "'");
}

const std::vector<std::string>& FrontendConfig::field_names() {
    static const std::vector<std::string> names = {
        "sample_rate", "n_fft", "win_length", "hop_length", "window", "window_periodic",
        "window_placement", "padding", "preemphasis", "preemphasis_per_frame", "remove_dc",
        "spectrum_power", "spectrum_scale", "n_mels", "fmin_hz", "fmax_hz", "mel_scale",
        "mel_norm", "mel_triangles", "compression", "log_floor", "log_offset", "db_ref",
        "top_db", "pcen_time_constant_s", "pcen_gain", "pcen_bias", "pcen_power", "pcen_eps",
        "n_mfcc", "lifter", "lifter_style", "energy_as_c0", "output"};
    return names;
}

void FrontendConfig::set(const std::string& field, const std::string& v) {
    const char* f = field.c_str();
    auto fl = [&](float& dst) { dst = static_cast<float>(parse_double(f, v)); };
    if (field == "sample_rate") sample_rate = parse_double(f, v);
    else if (field == "n_fft") n_fft = parse_int(f, v);
    else if (field == "win_length") win_length = parse_int(f, v);
    else if (field == "hop_length") hop_length = parse_int(f, v);
    else if (field == "window") window = parse_enum(f, v, kWindows);
    else if (field == "window_periodic") window_periodic = parse_bool(f, v);
    else if (field == "window_placement") window_placement = parse_enum(f, v, kPlacements);
    else if (field == "padding") padding = parse_enum(f, v, kPaddings);
    else if (field == "preemphasis") fl(preemphasis);
    else if (field == "preemphasis_per_frame") preemphasis_per_frame = parse_bool(f, v);
    else if (field == "remove_dc") remove_dc = parse_bool(f, v);
    else if (field == "spectrum_power") spectrum_power = parse_int(f, v);
    else if (field == "spectrum_scale") fl(spectrum_scale);
    else if (field == "n_mels") n_mels = parse_int(f, v);
    else if (field == "fmin_hz") fmin_hz = parse_double(f, v);
    else if (field == "fmax_hz") {
        if (is_none(v)) fmax_hz.reset();
        else fmax_hz = parse_double(f, v);
    } else if (field == "mel_scale") mel_scale = parse_enum(f, v, kScales);
    else if (field == "mel_norm") mel_norm = parse_enum(f, v, kNorms);
    else if (field == "mel_triangles") mel_triangles = parse_enum(f, v, kTriangles);
    else if (field == "compression") compression = parse_enum(f, v, kCompressions);
    else if (field == "log_floor") fl(log_floor);
    else if (field == "log_offset") fl(log_offset);
    else if (field == "db_ref") fl(db_ref);
    else if (field == "top_db") {
        if (is_none(v)) top_db.reset();
        else top_db = static_cast<float>(parse_double(f, v));
    } else if (field == "pcen_time_constant_s") fl(pcen_time_constant_s);
    else if (field == "pcen_gain") fl(pcen_gain);
    else if (field == "pcen_bias") fl(pcen_bias);
    else if (field == "pcen_power") fl(pcen_power);
    else if (field == "pcen_eps") fl(pcen_eps);
    else if (field == "n_mfcc") n_mfcc = parse_int(f, v);
    else if (field == "lifter") fl(lifter);
    else if (field == "lifter_style") lifter_style = parse_enum(f, v, kLifters);
    else if (field == "energy_as_c0") energy_as_c0 = parse_bool(f, v);
    else if (field == "output") output = parse_enum(f, v, kOutputs);
    else throw std::invalid_argument("FrontendConfig has no field '" + field + "'");
}

std::string FrontendConfig::get(const std::string& field) const {
    auto b = [](bool x) { return std::string(x ? "true" : "false"); };
    if (field == "sample_rate") return num(sample_rate);
    if (field == "n_fft") return std::to_string(n_fft);
    if (field == "win_length") return std::to_string(win_length);
    if (field == "hop_length") return std::to_string(hop_length);
    if (field == "window") return name(window);
    if (field == "window_periodic") return b(window_periodic);
    if (field == "window_placement") return name(window_placement);
    if (field == "padding") return name(padding);
    if (field == "preemphasis") return numf(preemphasis);
    if (field == "preemphasis_per_frame") return b(preemphasis_per_frame);
    if (field == "remove_dc") return b(remove_dc);
    if (field == "spectrum_power") return std::to_string(spectrum_power);
    if (field == "spectrum_scale") return numf(spectrum_scale);
    if (field == "n_mels") return std::to_string(n_mels);
    if (field == "fmin_hz") return num(fmin_hz);
    if (field == "fmax_hz") return fmax_hz ? num(*fmax_hz) : "none";
    if (field == "mel_scale") return name(mel_scale);
    if (field == "mel_norm") return name(mel_norm);
    if (field == "mel_triangles") return name(mel_triangles);
    if (field == "compression") return name(compression);
    if (field == "log_floor") return numf(log_floor);
    if (field == "log_offset") return numf(log_offset);
    if (field == "db_ref") return numf(db_ref);
    if (field == "top_db") return top_db ? numf(*top_db) : "none";
    if (field == "pcen_time_constant_s") return numf(pcen_time_constant_s);
    if (field == "pcen_gain") return numf(pcen_gain);
    if (field == "pcen_bias") return numf(pcen_bias);
    if (field == "pcen_power") return numf(pcen_power);
    if (field == "pcen_eps") return numf(pcen_eps);
    if (field == "n_mfcc") return std::to_string(n_mfcc);
    if (field == "lifter") return numf(lifter);
    if (field == "lifter_style") return name(lifter_style);
    if (field == "energy_as_c0") return b(energy_as_c0);
    if (field == "output") return name(output);
    throw std::invalid_argument("FrontendConfig has no field '" + field + "'");
}

std::size_t FrontendConfig::num_frames(std::size_t n) const {
    const std::size_t extent = static_cast<std::size_t>(frame_extent());
    const std::size_t hop = static_cast<std::size_t>(hop_length);
    if (n == 0) return 0;
    switch (padding) {
        case Padding::None:
            return n >= extent ? 1 + (n - extent) / hop : 0;
        case Padding::Center: {
            const std::size_t padded = n + 2 * (extent / 2);
            return padded >= extent ? 1 + (padded - extent) / hop : 0;
        }
        case Padding::End:
            return n <= extent ? 1 : 1 + (n - extent + hop - 1) / hop;
    }
    return 0;
}

std::size_t FrontendConfig::output_size(Output out) const {
    switch (out) {
        case Output::Stft: return 2 * static_cast<std::size_t>(n_bins());
        case Output::Spectrum: return static_cast<std::size_t>(n_bins());
        case Output::Mel:
        case Output::LogMel: return static_cast<std::size_t>(n_mels);
        case Output::Mfcc: return static_cast<std::size_t>(n_mfcc);
    }
    return 0;
}

}  // namespace edgeaudio::frontend
