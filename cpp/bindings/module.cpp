// edgeaudio._core: numpy in, numpy out, GIL released around every transform.
#include "common.h"

#include <string>

#include "edgeaudio/simd.h"

#ifndef EDGEAUDIO_VERSION
#define EDGEAUDIO_VERSION "0+unknown"
#endif

namespace edgeaudio::bindings {

void register_simd(py::module_& m) {
    m.def(
        "simd_info",
        []() {
            py::dict d;
            py::list avail, compiled;
            for (Isa i : available_isas()) avail.append(isa_name(i));
            for (Isa i : compiled_isas()) compiled.append(isa_name(i));
            d["active"] = isa_name(active_isa());
            d["best"] = isa_name(best_isa());
            d["available"] = avail;
            d["compiled"] = compiled;
            d["cpu_features"] = cpu_features();
            return d;
        },
        "SIMD paths: what this CPU and build have and which one runs.");
    m.def(
        "_set_simd", [](const std::string& name) { set_active_isa(isa_from_name(name)); },
        py::arg("name"), "Force a SIMD path for the rest of the process (tests, benchmarks).");
}

}  // namespace edgeaudio::bindings

PYBIND11_MODULE(_core, m) {
    m.doc() = "edgeaudio native core (C++17), thin pybind11 bindings";
    m.attr("__version__") = EDGEAUDIO_VERSION;
    edgeaudio::bindings::register_simd(m);
    edgeaudio::bindings::register_fft(m);
    edgeaudio::bindings::register_wavelet(m);
    edgeaudio::bindings::register_pitch(m);
    edgeaudio::bindings::register_aec(m);
    edgeaudio::bindings::register_enhance(m);
    edgeaudio::bindings::register_frontend(m);
    edgeaudio::bindings::register_synth(m);
    edgeaudio::bindings::register_onset(m);
    edgeaudio::bindings::register_chroma(m);
}
