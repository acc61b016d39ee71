// Enhancement bindings: noise suppressor, biquad design, SOS cascades.
// 1-D C-contiguous float32 signals; SOS as float64 (n_sections, 6) like scipy.
#include <string>
#include <vector>

#include "common.h"
#include "edgeaudio/biquad.h"
#include "edgeaudio/enhance.h"

namespace edgeaudio::bindings {

namespace {

using farray = py::array_t<float, py::array::c_style>;
using darray = py::array_t<double, py::array::c_style>;

std::vector<enhance::Section> sections_from(const darray& sos) {
    if (sos.ndim() != 2 || sos.shape(1) != 6)
        throw py::value_error("sos: expected a float64 array of shape (n_sections, 6)");
    std::vector<enhance::Section> v(static_cast<std::size_t>(sos.shape(0)));
    const double* p = sos.data();
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = {p[6 * i], p[6 * i + 1], p[6 * i + 2], p[6 * i + 3], p[6 * i + 4], p[6 * i + 5]};
    return v;
}

// obj.process(x, out, n) with the GIL released: every single-signal component.
template <class Component>
farray process_signal(Component& obj, const farray& x) {
    require_1d(x, "x");
    farray out(x.shape(0));
    const float* pi = x.data();
    float* po = out.mutable_data();
    const auto n = static_cast<std::size_t>(x.shape(0));
    py::gil_scoped_release nogil;
    obj.process(pi, po, n);
    return out;
}

}  // namespace

void register_enhance(py::module_& m) {
    using namespace edgeaudio::enhance;

    py::class_<NoiseSuppressor>(m, "NoiseSuppressor")
        .def(py::init([](int fs, int frame, float limit_db, const std::string& method, float dd, float over,
                         float window_ms) {
                 NoiseSuppressorConfig c;
                 c.sample_rate_hz = fs;
                 c.frame = frame;
                 c.attenuation_limit_db = limit_db;
                 if (method == "wiener")
                     c.method = SuppressionMethod::Wiener;
                 else if (method == "spectral_subtraction")
                     c.method = SuppressionMethod::SpectralSubtraction;
                 else
                     throw py::value_error("method must be 'wiener' or 'spectral_subtraction', got '" + method + "'");
                 c.dd_smoothing = dd;
                 c.over_subtraction = over;
                 c.noise_window_ms = window_ms;
                 return new NoiseSuppressor(c);
             }),
             py::arg("sample_rate_hz"), py::arg("frame"), py::arg("attenuation_limit_db"), py::arg("method"),
             py::arg("dd_smoothing"), py::arg("over_subtraction"), py::arg("noise_window_ms"))
        .def("process", &process_signal<NoiseSuppressor>,
             py::arg("x").noconvert())
        .def("reset", &NoiseSuppressor::reset)
        .def("noise_psd", [](const NoiseSuppressor& ns) {
            farray a(ns.bins());
            ns.noise_psd(a.mutable_data());
            return a;
        })
        .def("gains", [](const NoiseSuppressor& ns) {
            farray a(ns.bins());
            ns.gains(a.mutable_data());
            return a;
        })
        .def_property_readonly("frame", &NoiseSuppressor::frame)
        .def_property_readonly("latency", &NoiseSuppressor::latency)
        .def_property_readonly("bins", &NoiseSuppressor::bins);

    m.def(
        "biquad_design",
        [](const std::string& type, double fs, double freq_hz, double q, double gain_db) {
            BiquadDesign d;
            d.type = biquad_type_from_name(type);
            d.sample_rate_hz = fs;
            d.freq_hz = freq_hz;
            d.q = q;
            d.gain_db = gain_db;
            const Section s = design_biquad(d);
            darray out(6);
            double* p = out.mutable_data();
            p[0] = s.b0; p[1] = s.b1; p[2] = s.b2; p[3] = s.a0; p[4] = s.a1; p[5] = s.a2;
            return out;
        },
        py::arg("type"), py::arg("sample_rate_hz"), py::arg("freq_hz"), py::arg("q"), py::arg("gain_db"),
        "RBJ cookbook biquad as one scipy-layout section [b0 b1 b2 1 a1 a2].");

    py::class_<SosFilter>(m, "SosFilter")
        .def(py::init([](const darray& sos) { return new SosFilter(sections_from(sos)); }), py::arg("sos").noconvert())
        .def("process", &process_signal<SosFilter>,
             py::arg("x").noconvert())
        .def("reset", &SosFilter::reset)
        .def_property_readonly("num_sections", &SosFilter::num_sections);
}

}  // namespace edgeaudio::bindings
