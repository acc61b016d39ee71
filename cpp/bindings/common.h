// Shared helpers of the binding layer: the only place (with the other files
// of cpp/bindings/) that includes pybind11.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

namespace edgeaudio::bindings {

namespace py = pybind11;

// A signal argument must be 1-D; the message names the argument.
inline void require_1d(const py::array& a, const char* name) {
    if (a.ndim() != 1)
        throw py::value_error(std::string(name) + ": expected a 1-D float32 array, got " +
                              std::to_string(a.ndim()) + " dimensions");
}

void register_simd(py::module_& m);
void register_fft(py::module_& m);
void register_wavelet(py::module_& m);
void register_pitch(py::module_& m);
void register_aec(py::module_& m);
void register_enhance(py::module_& m);
void register_frontend(py::module_& m);
void register_synth(py::module_& m);
void register_onset(py::module_& m);
void register_chroma(py::module_& m);

}  // namespace edgeaudio::bindings
