// FFT bindings over rows of a C-contiguous 2-D array. The Python layer
// (edgeaudio/fft.py) moves the axis, casts and pads; this layer only checks
// the arrays, releases the GIL and loops over rows.
#include <complex>
#include <string>

#include "common.h"
#include "edgeaudio/fft.h"

namespace edgeaudio::bindings {

namespace {

using cf = std::complex<float>;
using farray = py::array_t<float, py::array::c_style>;
using carray = py::array_t<cf, py::array::c_style>;

void require_2d(const py::array& a, const char* fn) {
    if (a.ndim() != 2)
        throw py::value_error(std::string(fn) + ": expected a 2-D array (rows, n), got " +
                              std::to_string(a.ndim()) + " dimensions");
}

carray rfft_rows(const farray& x, float scale) {
    require_2d(x, "rfft_rows");
    const auto rows = x.shape(0), n = x.shape(1);
    auto plan = fft::real_plan(static_cast<std::size_t>(n));
    const auto bins = n / 2 + 1;
    carray out({rows, bins});
    const float* src = x.data();
    cf* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r) plan->forward(src + r * n, dst + r * bins, scale);
    }
    return out;
}

farray irfft_rows(const carray& x, py::ssize_t n, float scale) {
    require_2d(x, "irfft_rows");
    const auto rows = x.shape(0), bins = x.shape(1);
    if (n < 1 || bins != n / 2 + 1)
        throw py::value_error("irfft_rows: a row of " + std::to_string(bins) +
                              " bins does not match output length " + std::to_string(n) +
                              " (expected n // 2 + 1 bins)");
    auto plan = fft::real_plan(static_cast<std::size_t>(n));
    farray out({rows, n});
    const cf* src = x.data();
    float* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r) plan->inverse(src + r * bins, dst + r * n, scale);
    }
    return out;
}

carray fft_rows(const carray& x, bool inverse, float scale) {
    require_2d(x, "fft_rows");
    const auto rows = x.shape(0), n = x.shape(1);
    auto plan = fft::complex_plan(static_cast<std::size_t>(n));
    carray out({rows, n});
    const cf* src = x.data();
    cf* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r) {
            if (inverse)
                plan->inverse(src + r * n, dst + r * n, scale);
            else
                plan->forward(src + r * n, dst + r * n, scale);
        }
    }
    return out;
}

}  // namespace

void register_fft(py::module_& m) {
    m.def("rfft_rows", &rfft_rows, py::arg("x").noconvert(), py::arg("scale"),
          "Real FFT of each row of a C-contiguous float32 array (rows, n) -> complex64 (rows, n//2+1).");
    m.def("irfft_rows", &irfft_rows, py::arg("x").noconvert(), py::arg("n"), py::arg("scale"),
          "Inverse real FFT of each row of complex64 (rows, n//2+1) -> float32 (rows, n).");
    m.def("fft_rows", &fft_rows, py::arg("x").noconvert(), py::arg("inverse"), py::arg("scale"),
          "Complex FFT (or unnormalised inverse) of each row of complex64 (rows, n).");
    m.def("fft_is_fast_size", [](py::ssize_t n) { return n > 0 && fft::is_fast_size(static_cast<std::size_t>(n)); },
          py::arg("n"));
    m.def("fft_is_supported_size", [](py::ssize_t n) { return n > 0 && fft::is_supported_size(static_cast<std::size_t>(n)); },
          py::arg("n"));
    m.def("fft_next_fast_len", [](py::ssize_t n) {
        if (n < 1) throw py::value_error("next_fast_len: n must be >= 1");
        return fft::next_fast_len(static_cast<std::size_t>(n));
    }, py::arg("n"));
    m.def(
        "fft_plan_isa",
        [](py::ssize_t n, bool real) -> std::string {
            if (n < 1) throw py::value_error("fft_plan_isa: n must be >= 1");
            if (real) return isa_name(fft::real_plan(static_cast<std::size_t>(n))->isa());
            return isa_name(fft::complex_plan(static_cast<std::size_t>(n))->isa());
        },
        py::arg("n"), py::arg("real") = true,
        "The SIMD path a transform of length n runs on (narrow sizes fall back).");
}

}  // namespace edgeaudio::bindings
