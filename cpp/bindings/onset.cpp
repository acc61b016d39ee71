// Onset / tempo / beat bindings: the config fields, a streaming detector
// whose push/flush return (strength, onset frames), and the batch calls.
// The Python layer (edgeaudio/analysis.py) validates and documents.
#include <string>
#include <vector>

#include "common.h"
#include "edgeaudio/onset.h"

namespace edgeaudio::bindings {

namespace {

namespace eo = edgeaudio::onset;
using farray = py::array_t<float, py::array::c_style>;

py::tuple strength_and_onsets(const std::vector<float>& strength, const std::vector<long>& onsets) {
    py::array_t<float> s(static_cast<py::ssize_t>(strength.size()));
    py::array_t<long long> o(static_cast<py::ssize_t>(onsets.size()));
    std::copy(strength.begin(), strength.end(), s.mutable_data());
    std::copy(onsets.begin(), onsets.end(), o.mutable_data());
    return py::make_tuple(s, o);
}

std::size_t length_1d(const farray& x, const char* fn) {
    if (x.ndim() != 1)
        throw py::value_error(std::string(fn) + ": expected a 1-D float32 array, got " +
                              std::to_string(x.ndim()) + " dimensions");
    return static_cast<std::size_t>(x.shape(0));
}

}  // namespace

void register_onset(py::module_& m) {
    py::class_<eo::OnsetConfig>(m, "OnsetConfig", "Onset detector settings (see edgeaudio/onset.h).")
        .def(py::init<>())
        .def_readwrite("sample_rate_hz", &eo::OnsetConfig::sample_rate_hz)
        .def_readwrite("n_fft", &eo::OnsetConfig::n_fft)
        .def_readwrite("hop_length", &eo::OnsetConfig::hop_length)
        .def_readwrite("n_mels", &eo::OnsetConfig::n_mels)
        .def_readwrite("fmin_hz", &eo::OnsetConfig::fmin_hz)
        .def_readwrite("fmax_hz", &eo::OnsetConfig::fmax_hz)
        .def_readwrite("floor_db", &eo::OnsetConfig::floor_db)
        .def_readwrite("lag", &eo::OnsetConfig::lag)
        .def_readwrite("max_size", &eo::OnsetConfig::max_size)
        .def_readwrite("pre_max", &eo::OnsetConfig::pre_max)
        .def_readwrite("post_max", &eo::OnsetConfig::post_max)
        .def_readwrite("pre_avg", &eo::OnsetConfig::pre_avg)
        .def_readwrite("post_avg", &eo::OnsetConfig::post_avg)
        .def_readwrite("delta", &eo::OnsetConfig::delta)
        .def_readwrite("wait", &eo::OnsetConfig::wait)
        .def("validate", &eo::OnsetConfig::validate)
        .def("latency_frames", &eo::OnsetConfig::latency_frames);

    py::class_<eo::OnsetDetector>(m, "OnsetDetectorCore", "Streaming spectral-flux onsets (C++ core).")
        .def(py::init<const eo::OnsetConfig&>(), py::arg("config"))
        .def(
            "push",
            [](eo::OnsetDetector& d, const farray& x) {
                const std::size_t n = length_1d(x, "push");
                std::vector<float> s;
                std::vector<long> o;
                {
                    py::gil_scoped_release nogil;
                    d.push(x.data(), n, s, o);
                }
                return strength_and_onsets(s, o);
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> (strength, onset frames).")
        .def(
            "flush",
            [](eo::OnsetDetector& d) {
                std::vector<float> s;
                std::vector<long> o;
                {
                    py::gil_scoped_release nogil;
                    d.flush(s, o);
                }
                return strength_and_onsets(s, o);
            },
            "End the signal -> (strength, onset frames); then reset.")
        .def("reset", &eo::OnsetDetector::reset);

    m.def(
        "onset_detect",
        [](const farray& x, const eo::OnsetConfig& cfg) {
            const std::size_t n = length_1d(x, "onset_detect");
            std::vector<float> s;
            std::vector<long> o;
            {
                py::gil_scoped_release nogil;
                eo::detect(cfg, x.data(), n, s, o);
            }
            return strength_and_onsets(s, o);
        },
        py::arg("x").noconvert(), py::arg("config"), "Whole float32 signal -> (strength, onset frames).");

    py::class_<eo::TempoConfig>(m, "TempoConfig", "Tempo / beat settings (see edgeaudio/onset.h).")
        .def(py::init<>())
        .def_readwrite("frame_rate_hz", &eo::TempoConfig::frame_rate_hz)
        .def_readwrite("start_bpm", &eo::TempoConfig::start_bpm)
        .def_readwrite("std_octaves", &eo::TempoConfig::std_octaves)
        .def_readwrite("min_bpm", &eo::TempoConfig::min_bpm)
        .def_readwrite("max_bpm", &eo::TempoConfig::max_bpm)
        .def_readwrite("tightness", &eo::TempoConfig::tightness)
        .def("validate", &eo::TempoConfig::validate);

    m.def(
        "tempo_estimate",
        [](const farray& strength, const eo::TempoConfig& cfg) {
            const std::size_t n = length_1d(strength, "tempo_estimate");
            py::gil_scoped_release nogil;
            return eo::estimate_tempo(cfg, strength.data(), n);
        },
        py::arg("strength").noconvert(), py::arg("config"), "Onset strength -> tempo in BPM (0: too short).");
    m.def(
        "beat_track",
        [](const farray& strength, const eo::TempoConfig& cfg, double bpm) {
            const std::size_t n = length_1d(strength, "beat_track");
            std::vector<long> beats;
            {
                py::gil_scoped_release nogil;
                beats = eo::track_beats(cfg, strength.data(), n, bpm);
            }
            py::array_t<long long> out(static_cast<py::ssize_t>(beats.size()));
            std::copy(beats.begin(), beats.end(), out.mutable_data());
            return out;
        },
        py::arg("strength").noconvert(), py::arg("config"), py::arg("bpm"),
        "Onset strength and tempo -> beat frames.");
}

}  // namespace edgeaudio::bindings
