// Pitch bindings: the PitchConfig fields, a streaming PitchTracker whose
// push/flush return column arrays, the batch track, and the note helpers.
// The Python layer (edgeaudio/analysis.py) validates and documents.
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <vector>

#include "common.h"
#include "edgeaudio/pitch.h"

namespace edgeaudio::bindings {

namespace {

namespace ep = edgeaudio::pitch;
using farray = py::array_t<float, py::array::c_style>;

// (index int64, f0 float32, voiced bool, voiced_prob float32)
py::tuple columns(const std::vector<ep::PitchFrame>& frames) {
    const auto n = static_cast<py::ssize_t>(frames.size());
    py::array_t<long long> index(n);
    py::array_t<float> f0(n), prob(n);
    py::array_t<bool> voiced(n);
    auto* pi = index.mutable_data();
    auto* pf = f0.mutable_data();
    auto* pp = prob.mutable_data();
    auto* pv = voiced.mutable_data();
    for (py::ssize_t i = 0; i < n; ++i) {
        pi[i] = frames[i].index;
        pf[i] = frames[i].f0_hz;
        pv[i] = frames[i].voiced;
        pp[i] = frames[i].voiced_prob;
    }
    return py::make_tuple(index, f0, voiced, prob);
}

}  // namespace

void register_pitch(py::module_& m) {
    py::class_<ep::PitchConfig>(m, "PitchConfig", "pYIN tracker settings (see edgeaudio/pitch.h).")
        .def(py::init<>())
        .def_readwrite("sample_rate_hz", &ep::PitchConfig::sample_rate_hz)
        .def_readwrite("fmin_hz", &ep::PitchConfig::fmin_hz)
        .def_readwrite("fmax_hz", &ep::PitchConfig::fmax_hz)
        .def_readwrite("frame_length", &ep::PitchConfig::frame_length)
        .def_readwrite("hop_length", &ep::PitchConfig::hop_length)
        .def_readwrite("n_thresholds", &ep::PitchConfig::n_thresholds)
        .def_readwrite("beta_a", &ep::PitchConfig::beta_a)
        .def_readwrite("beta_b", &ep::PitchConfig::beta_b)
        .def_readwrite("boltzmann", &ep::PitchConfig::boltzmann)
        .def_readwrite("no_trough_prob", &ep::PitchConfig::no_trough_prob)
        .def_readwrite("resolution_semitones", &ep::PitchConfig::resolution_semitones)
        .def_readwrite("max_transition_rate", &ep::PitchConfig::max_transition_rate)
        .def_readwrite("switch_prob", &ep::PitchConfig::switch_prob)
        .def_readwrite("latency_frames", &ep::PitchConfig::latency_frames)
        .def_readwrite("silence_rms", &ep::PitchConfig::silence_rms)
        .def("validate", &ep::PitchConfig::validate);

    py::class_<ep::PitchTracker>(m, "PitchTrackerCore", "Streaming pYIN (C++ core).")
        .def(py::init<const ep::PitchConfig&>(), py::arg("config"))
        .def_property_readonly("n_pitch_bins", &ep::PitchTracker::n_pitch_bins)
        .def(
            "push",
            [](ep::PitchTracker& t, const farray& x) {
                require_1d(x, "push");
                std::vector<ep::PitchFrame> out;
                {
                    py::gil_scoped_release nogil;
                    t.push(x.data(), static_cast<std::size_t>(x.shape(0)), out);
                }
                return columns(out);
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> columns of the frames decided.")
        .def(
            "flush",
            [](ep::PitchTracker& t) {
                std::vector<ep::PitchFrame> out;
                {
                    py::gil_scoped_release nogil;
                    t.flush(out);
                }
                return columns(out);
            },
            "End the signal: decide every remaining frame, then reset.")
        .def("reset", &ep::PitchTracker::reset);

    m.def(
        "pitch_track",
        [](const farray& x, const ep::PitchConfig& cfg) {
            require_1d(x, "pitch_track");
            std::vector<ep::PitchFrame> out;
            {
                py::gil_scoped_release nogil;
                out = ep::track(cfg, x.data(), static_cast<std::size_t>(x.shape(0)));
            }
            return columns(out);
        },
        py::arg("x").noconvert(), py::arg("config"),
        "pYIN over a whole float32 signal -> (index, f0, voiced, voiced_prob).");
    m.def("hz_to_note", &ep::hz_to_note, py::arg("hz"), py::arg("a4_hz") = 440.0);
    m.def("note_to_hz", &ep::note_to_hz, py::arg("name"), py::arg("a4_hz") = 440.0);
}

}  // namespace edgeaudio::bindings
