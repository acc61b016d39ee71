// Chroma / key / chord bindings: the config fields, a streaming extractor,
// the batch calls and the Viterbi decoder. The Python layer
// (edgeaudio/analysis.py) validates and documents.
#include <algorithm>
#include <string>
#include <vector>

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
        .def("validate", &ec::ChordConfig::validate);

    m.def(
        "chord_recognize",
        [](const farray& chroma, const farray& energy, const ec::ChordConfig& cfg) {
            require_2d(chroma, 12, "chroma");
            require_1d(energy, "energy");
            const auto frames = static_cast<std::size_t>(chroma.shape(0));
            if (energy.shape(0) != 0 && static_cast<std::size_t>(energy.shape(0)) != frames)
                throw py::value_error("energy: expected one value per chroma frame (or none)");
            std::vector<int> labels;
            {
                py::gil_scoped_release nogil;
                labels = ec::recognize_chords(cfg, chroma.data(), energy.shape(0) ? energy.data() : nullptr, frames);
            }
            py::array_t<int> out(static_cast<py::ssize_t>(labels.size()));
            std::copy(labels.begin(), labels.end(), out.mutable_data());
            return out;
        },
        py::arg("chroma").noconvert(), py::arg("energy").noconvert(), py::arg("config"),
        "Chroma (frames, 12) and energy (frames or empty) -> chord labels (0-11 major, 12-23 minor, 24 N).");
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
