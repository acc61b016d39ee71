// Echo cancellation bindings: 1-D C-contiguous float32 in, float32 out, the
// GIL released around the core. edgeaudio/aec.py validates and casts.
#include <string>

#include "common.h"
#include "edgeaudio/aec.h"

namespace edgeaudio::bindings {

namespace {

using farray = py::array_t<float, py::array::c_style>;

void require_same(const farray& mic, const farray& ref) {
    require_1d(mic, "mic");
    require_1d(ref, "ref");
    if (mic.shape(0) != ref.shape(0))
        throw py::value_error("mic and ref must have the same length, got " + std::to_string(mic.shape(0)) +
                              " and " + std::to_string(ref.shape(0)));
}

// obj.process(mic, ref, out, n) with the GIL released: every mic/ref component.
template <class Component>
farray process_mic_ref(Component& obj, const farray& mic, const farray& ref) {
    require_same(mic, ref);
    farray out(mic.shape(0));
    const float *pm = mic.data(), *pr = ref.data();
    float* po = out.mutable_data();
    const auto n = static_cast<std::size_t>(mic.shape(0));
    py::gil_scoped_release nogil;
    obj.process(pm, pr, po, n);
    return out;
}

}  // namespace

void register_aec(py::module_& m) {
    using namespace edgeaudio::aec;

    py::class_<NlmsFilter>(m, "NlmsFilter")
        .def(py::init([](int taps, float step, float regularization) {
                 return new NlmsFilter(NlmsConfig{taps, step, regularization});
             }),
             py::arg("taps"), py::arg("step"), py::arg("regularization"))
        .def("process", &process_mic_ref<NlmsFilter>,
             py::arg("mic").noconvert(), py::arg("ref").noconvert())
        .def("reset", &NlmsFilter::reset)
        .def("weights", [](const NlmsFilter& f) {
            farray w(f.config().taps);
            f.weights(w.mutable_data());
            return w;
        })
        .def_property_readonly("taps", [](const NlmsFilter& f) { return f.config().taps; });

    py::class_<DelayEstimator>(m, "DelayEstimator")
        .def(py::init([](int fs, float max_delay_ms, float window_ms, float smoothing, float min_confidence) {
                 return new DelayEstimator(DelayEstimatorConfig{fs, max_delay_ms, window_ms, smoothing, min_confidence});
             }),
             py::arg("sample_rate_hz"), py::arg("max_delay_ms"), py::arg("window_ms"), py::arg("smoothing"),
             py::arg("min_confidence"))
        .def("process",
             [](DelayEstimator& e, const farray& mic, const farray& ref) {
                 require_same(mic, ref);
                 const float *pm = mic.data(), *pr = ref.data();
                 const auto n = static_cast<std::size_t>(mic.shape(0));
                 py::gil_scoped_release nogil;
                 e.process(pm, pr, n);
             },
             py::arg("mic").noconvert(), py::arg("ref").noconvert())
        .def("reset", &DelayEstimator::reset)
        .def_property_readonly("delay_samples", &DelayEstimator::delay_samples)
        .def_property_readonly("candidate_samples", &DelayEstimator::candidate_samples)
        .def_property_readonly("confidence", &DelayEstimator::confidence)
        .def_property_readonly("updates", &DelayEstimator::updates);

    py::class_<EchoCanceller>(m, "EchoCanceller")
        .def(py::init([](int fs, int frame, float tail_ms, bool delay_estimation, float max_delay_ms,
                         float step_size, float strength, float floor_db, float guard_db) {
                 EchoCancellerConfig c;
                 c.sample_rate_hz = fs;
                 c.frame = frame;
                 c.tail_ms = tail_ms;
                 c.delay_estimation = delay_estimation;
                 c.max_delay_ms = max_delay_ms;
                 c.step_size = step_size;
                 c.suppressor_strength = strength;
                 c.suppressor_floor_db = floor_db;
                 c.divergence_guard_db = guard_db;
                 return new EchoCanceller(c);
             }),
             py::arg("sample_rate_hz"), py::arg("frame"), py::arg("tail_ms"), py::arg("delay_estimation"),
             py::arg("max_delay_ms"), py::arg("step_size"), py::arg("suppressor_strength"),
             py::arg("suppressor_floor_db"), py::arg("divergence_guard_db"))
        .def("process", &process_mic_ref<EchoCanceller>,
             py::arg("mic").noconvert(), py::arg("ref").noconvert())
        .def("reset", &EchoCanceller::reset)
        .def("stats",
             [](const EchoCanceller& ec) {
                 const EchoCancellerStats s = ec.stats();
                 py::dict d;
                 d["erle_db"] = s.erle_db;
                 d["linear_erle_db"] = s.linear_erle_db;
                 d["double_talk"] = s.double_talk;
                 d["coherence"] = s.coherence;
                 d["delay_samples"] = s.delay_samples;
                 d["frames"] = s.frames;
                 d["resets"] = s.resets;
                 d["shadow_copies"] = s.shadow_copies;
                 return d;
             })
        .def_property_readonly("frame", &EchoCanceller::frame)
        .def_property_readonly("partitions", &EchoCanceller::partitions)
        .def_property_readonly("latency", &EchoCanceller::latency);
}

}  // namespace edgeaudio::bindings
