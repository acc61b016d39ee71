// Chroma / key / chord bindings: the config fields, a streaming extractor,
// the batch calls and the Viterbi decoder. The Python layer
// (edgeaudio/analysis.py) validates and documents.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "common.h"
#include "edgeaudio/chroma.h"

namespace edgeaudio::bindings {

namespace {

namespace ec = edgeaudio::chroma;
using farray = py::array_t<float, py::array::c_style>;

// frames x n (row-major) -> float32 array (frames, n)
py::array_t<float> rows(const std::vector<float>& v, std::size_t n) {
    const auto frames = static_cast<py::ssize_t>(n ? v.size() / n : 0);
    py::array_t<float> a({frames, static_cast<py::ssize_t>(n)});
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

py::array_t<float> vec(const std::vector<float>& v) {
    py::array_t<float> a(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

void require_2d(const farray& a, py::ssize_t cols, const char* name) {
    if (a.ndim() != 2 || (cols >= 0 && a.shape(1) != cols))
        throw py::value_error(std::string(name) + ": expected a float32 array of shape (frames, " +
                              (cols >= 0 ? std::to_string(cols) : std::string("n")) + ")");
}

}  // namespace

void register_chroma(py::module_& m) {
    py::class_<ec::ChromaConfig>(m, "ChromaConfig", "Chroma settings (see edgeaudio/chroma.h).")
        .def(py::init<>())
        .def_readwrite("sample_rate_hz", &ec::ChromaConfig::sample_rate_hz)
        .def_readwrite("n_fft", &ec::ChromaConfig::n_fft)
        .def_readwrite("hop_length", &ec::ChromaConfig::hop_length)
        .def_readwrite("n_chroma", &ec::ChromaConfig::n_chroma)
        .def_readwrite("tuning", &ec::ChromaConfig::tuning)
        .def_readwrite("ctroct", &ec::ChromaConfig::ctroct)
        .def_readwrite("octwidth", &ec::ChromaConfig::octwidth)
        .def_readwrite("tuning_fmin_hz", &ec::ChromaConfig::tuning_fmin_hz)
        .def_readwrite("tuning_fmax_hz", &ec::ChromaConfig::tuning_fmax_hz)
        .def_readwrite("tuning_threshold", &ec::ChromaConfig::tuning_threshold)
        .def_readwrite("tuning_resolution", &ec::ChromaConfig::tuning_resolution)
        .def("validate", &ec::ChromaConfig::validate);

    py::class_<ec::ChromaExtractor>(m, "ChromaExtractorCore", "Streaming chroma with a fixed tuning (C++ core).")
        .def(py::init<const ec::ChromaConfig&>(), py::arg("config"))
        .def(
            "push",
            [](ec::ChromaExtractor& c, const farray& x) {
                require_1d(x, "push");
                std::vector<float> out, energy;
                {
                    py::gil_scoped_release nogil;
                    c.push(x.data(), static_cast<std::size_t>(x.shape(0)), out, &energy);
                }
                return py::make_tuple(rows(out, static_cast<std::size_t>(c.config().n_chroma)), vec(energy));
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> (chroma (frames, n_chroma), energy).")
        .def(
            "flush",
            [](ec::ChromaExtractor& c) {
                std::vector<float> out, energy;
                {
                    py::gil_scoped_release nogil;
                    c.flush(out, &energy);
                }
                return py::make_tuple(rows(out, static_cast<std::size_t>(c.config().n_chroma)), vec(energy));
            },
            "End the signal -> (chroma, energy); then reset.")
        .def("reset", &ec::ChromaExtractor::reset);

    m.def(
        "chroma_stft",
        [](const farray& x, const ec::ChromaConfig& cfg, bool estimate) {
            require_1d(x, "chroma_stft");
            std::vector<float> out, energy;
            double tuning = cfg.tuning;
            {
                py::gil_scoped_release nogil;
                ec::chroma_stft(cfg, x.data(), static_cast<std::size_t>(x.shape(0)), estimate, out, &tuning, &energy);
            }
            return py::make_tuple(rows(out, static_cast<std::size_t>(cfg.n_chroma)), tuning, vec(energy));
        },
        py::arg("x").noconvert(), py::arg("config"), py::arg("estimate_tuning"),
        "Whole float32 signal -> (chroma (frames, n_chroma), tuning, energy).");
    m.def(
        "chroma_filterbank",
        [](const ec::ChromaConfig& cfg, double tuning) {
            cfg.validate();
            return rows(ec::chroma_filterbank(cfg, tuning), static_cast<std::size_t>(cfg.n_bins()));
        },
        py::arg("config"), py::arg("tuning"), "The chroma filterbank (n_chroma, n_fft // 2 + 1).");
    m.def(
        "chroma_estimate_tuning",
        [](const farray& power, const ec::ChromaConfig& cfg) {
            cfg.validate();
            require_2d(power, cfg.n_bins(), "power");
            py::gil_scoped_release nogil;
            return ec::estimate_tuning(cfg, power.data(), static_cast<std::size_t>(power.shape(0)));
        },
        py::arg("power").noconvert(), py::arg("config"), "Power spectra (frames, n_bins) -> tuning in chroma bins.");
    m.def(
        "key_estimate",
        [](const farray& chroma) {
            require_2d(chroma, 12, "chroma");
            ec::KeyEstimate k = ec::estimate_key(chroma.data(), static_cast<std::size_t>(chroma.shape(0)));
            py::array_t<double> scores(24);
            std::copy(k.scores, k.scores + 24, scores.mutable_data());
            return py::make_tuple(k.tonic, k.minor, k.correlation, scores);
        },
        py::arg("chroma").noconvert(), "Chroma (frames, 12) -> (tonic, minor, correlation, scores[24]).");

    py::class_<ec::ChordConfig>(m, "ChordConfig", "Chord recogniser settings (see edgeaudio/chroma.h).")
        .def(py::init<>())
        .def_readwrite("self_prob", &ec::ChordConfig::self_prob)
        .def_readwrite("sharpness", &ec::ChordConfig::sharpness)
        .def_readwrite("no_chord_score", &ec::ChordConfig::no_chord_score)
        .def_readwrite("root_weight", &ec::ChordConfig::root_weight)
        .def_readwrite("silence_db", &ec::ChordConfig::silence_db)
        .def_readwrite("harmonic_decay", &ec::ChordConfig::harmonic_decay)
        .def_readwrite("bass_weight", &ec::ChordConfig::bass_weight)
        .def_readwrite("inversion_weight", &ec::ChordConfig::inversion_weight)
        .def_readwrite("key_tonic", &ec::ChordConfig::key_tonic)
        .def_readwrite("key_minor", &ec::ChordConfig::key_minor)
        .def_readwrite("key_weight", &ec::ChordConfig::key_weight)
        .def("validate", &ec::ChordConfig::validate);

    m.def(
        "chord_recognize",
        [](const farray& chroma, const farray& energy, const ec::ChordConfig& cfg, std::optional<farray> bass) {
            require_2d(chroma, 12, "chroma");
            require_1d(energy, "energy");
            const auto frames = static_cast<std::size_t>(chroma.shape(0));
            if (energy.shape(0) != 0 && static_cast<std::size_t>(energy.shape(0)) != frames)
                throw py::value_error("energy: expected one value per chroma frame (or none)");
            if (bass) {
                require_2d(*bass, 12, "bass");
                if (static_cast<std::size_t>(bass->shape(0)) != frames)
                    throw py::value_error("bass: expected one row per chroma frame");
            }
            const float* b = bass ? bass->data() : nullptr;
            std::vector<int> labels;
            {
                py::gil_scoped_release nogil;
                labels = ec::recognize_chords(cfg, chroma.data(), energy.shape(0) ? energy.data() : nullptr, frames, b);
            }
            py::array_t<int> out(static_cast<py::ssize_t>(labels.size()));
            std::copy(labels.begin(), labels.end(), out.mutable_data());
            return out;
        },
        py::arg("chroma").noconvert(), py::arg("energy").noconvert(), py::arg("config"),
        py::arg("bass").noconvert() = py::none(),
        "Chroma (frames, 12), energy (frames or empty) and optional bass chroma (frames, 12) -> chord labels "
        "(0-11 major, 12-23 minor, 24 N).");

    py::class_<ec::CqtConfig>(m, "CqtConfig", "Constant-Q transform settings (see edgeaudio/chroma.h).")
        .def(py::init<>())
        .def_readwrite("sample_rate_hz", &ec::CqtConfig::sample_rate_hz)
        .def_readwrite("hop_length", &ec::CqtConfig::hop_length)
        .def_readwrite("fmin_hz", &ec::CqtConfig::fmin_hz)
        .def_readwrite("n_bins", &ec::CqtConfig::n_bins)
        .def_readwrite("bins_per_octave", &ec::CqtConfig::bins_per_octave)
        .def_readwrite("tuning", &ec::CqtConfig::tuning)
        .def_readwrite("filter_scale", &ec::CqtConfig::filter_scale)
        .def_readwrite("sparsity", &ec::CqtConfig::sparsity)
        .def("validate", &ec::CqtConfig::validate)
        .def("n_fft", &ec::CqtConfig::n_fft)
        .def("filter_length", &ec::CqtConfig::filter_length, py::arg("k"));

    py::class_<ec::CqtAnalyzer>(m, "CqtAnalyzerCore", "Streaming constant-Q magnitudes (C++ core).")
        .def(py::init<const ec::CqtConfig&>(), py::arg("config"))
        .def_property_readonly("kernel_nonzeros", &ec::CqtAnalyzer::kernel_nonzeros)
        .def(
            "push",
            [](ec::CqtAnalyzer& c, const farray& x) {
                require_1d(x, "push");
                std::vector<float> out;
                {
                    py::gil_scoped_release nogil;
                    c.push(x.data(), static_cast<std::size_t>(x.shape(0)), out);
                }
                return rows(out, static_cast<std::size_t>(c.config().n_bins));
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> magnitudes (frames, n_bins).")
        .def(
            "flush",
            [](ec::CqtAnalyzer& c) {
                std::vector<float> out;
                {
                    py::gil_scoped_release nogil;
                    c.flush(out);
                }
                return rows(out, static_cast<std::size_t>(c.config().n_bins));
            },
            "End the signal -> magnitudes (frames, n_bins); then reset.")
        .def("reset", &ec::CqtAnalyzer::reset);

    m.def(
        "cqt",
        [](const farray& x, const ec::CqtConfig& cfg) {
            require_1d(x, "cqt");
            std::vector<float> out;
            {
                py::gil_scoped_release nogil;
                ec::cqt(cfg, x.data(), static_cast<std::size_t>(x.shape(0)), out);
            }
            return rows(out, static_cast<std::size_t>(cfg.n_bins));
        },
        py::arg("x").noconvert(), py::arg("config"), "Whole float32 signal -> CQT magnitudes (frames, n_bins).");
    m.def(
        "cqt_chroma",
        [](const farray& mag, const ec::CqtConfig& cfg, int n_chroma) {
            require_2d(mag, cfg.n_bins, "cqt_mag");
            std::vector<float> out;
            {
                py::gil_scoped_release nogil;
                ec::cqt_to_chroma(cfg, n_chroma, mag.data(), static_cast<std::size_t>(mag.shape(0)), out);
            }
            return rows(out, static_cast<std::size_t>(n_chroma));
        },
        py::arg("cqt_mag").noconvert(), py::arg("config"), py::arg("n_chroma"),
        "CQT magnitudes (frames, n_bins) -> chroma (frames, n_chroma), each frame over its maximum.");

    py::class_<ec::ChordFeatureConfig>(m, "ChordFeatureConfig", "Chord feature settings (see edgeaudio/chroma.h).")
        .def(py::init<>())
        .def_readwrite("harmonic_subtract", &ec::ChordFeatureConfig::harmonic_subtract)
        .def_readwrite("harmonic_decay", &ec::ChordFeatureConfig::harmonic_decay)
        .def_readwrite("treble_lo_midi", &ec::ChordFeatureConfig::treble_lo_midi)
        .def_readwrite("treble_hi_midi", &ec::ChordFeatureConfig::treble_hi_midi)
        .def_readwrite("bass_hi_midi", &ec::ChordFeatureConfig::bass_hi_midi)
        .def("validate", &ec::ChordFeatureConfig::validate);
    m.def(
        "chord_features",
        [](const farray& mag, const ec::CqtConfig& cfg, const ec::ChordFeatureConfig& fc) {
            require_2d(mag, cfg.n_bins, "cqt_mag");
            std::vector<float> treble, bass;
            {
                py::gil_scoped_release nogil;
                ec::chord_features(cfg, fc, mag.data(), static_cast<std::size_t>(mag.shape(0)), treble, bass);
            }
            return py::make_tuple(rows(treble, 12), rows(bass, 12));
        },
        py::arg("cqt_mag").noconvert(), py::arg("config"), py::arg("features"),
        "CQT magnitudes (frames, n_bins) -> (treble (frames, 12), bass (frames, 12)).");
    m.def("chord_name", &ec::chord_name, py::arg("label"), "Chord label -> 'C:maj', 'A:min' or 'N'.");
    m.def(
        "viterbi",
        [](const farray& log_emission, const farray& log_transition, const farray& log_initial) {
            require_2d(log_emission, -1, "log_emission");
            const auto states = log_emission.shape(1);
            require_2d(log_transition, states, "log_transition");
            require_1d(log_initial, "log_initial");
            if (log_transition.shape(0) != states || log_initial.shape(0) != states)
                throw py::value_error("viterbi: log_transition must be (states, states) and log_initial (states,)");
            std::vector<int> path;
            {
                py::gil_scoped_release nogil;
                path = ec::viterbi(log_emission.data(), static_cast<std::size_t>(log_emission.shape(0)),
                                   static_cast<std::size_t>(states), log_transition.data(), log_initial.data());
            }
            py::array_t<int> out(static_cast<py::ssize_t>(path.size()));
            std::copy(path.begin(), path.end(), out.mutable_data());
            return out;
        },
        py::arg("log_emission").noconvert(), py::arg("log_transition").noconvert(),
        py::arg("log_initial").noconvert(), "Most likely HMM state path (frames,) by Viterbi.");
}

}  // namespace edgeaudio::bindings
