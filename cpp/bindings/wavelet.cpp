// Wavelet bindings over rows of C-contiguous 2-D arrays (float32 or float64;
// cwt float32). The Python layer (edgeaudio/wavelet.py) validates arguments,
// moves the axis and splits bands; this layer checks the arrays, releases the
// GIL and loops over rows. std::invalid_argument from the core arrives in
// Python as ValueError.
#include <complex>
#include <string>
#include <tuple>
#include <vector>

#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "common.h"
#include "edgeaudio/wavelet.h"

namespace edgeaudio::bindings {

namespace {

namespace wv = edgeaudio::wavelet;

void require_rows(const py::array& a, const char* fn, const char* arg) {
    if (a.ndim() != 2)
        throw py::value_error(std::string(fn) + ": " + arg + " must be a 2-D array (rows, n), got " +
                              std::to_string(a.ndim()) + " dimensions");
    if (!(a.flags() & py::array::c_style))
        throw py::value_error(std::string(fn) + ": " + arg + " must be C-contiguous");
}

bool is_f64(const py::array& a, const char* fn, const char* arg) {
    if (a.dtype().is(py::dtype::of<double>())) return true;
    if (a.dtype().is(py::dtype::of<float>())) return false;
    throw py::type_error(std::string(fn) + ": " + arg + " must be float32 or float64, got " +
                         std::string(py::str(a.dtype())));
}

template <class T>
py::tuple dwt_rows_t(const py::array& x_, const wv::Wavelet& w, wv::Mode mode) {
    auto x = py::array_t<T, py::array::c_style>::ensure(x_);
    const auto rows = x.shape(0), n = x.shape(1);
    if (n == 0) throw py::value_error("dwt: the signal is empty");
    const auto nc = static_cast<py::ssize_t>(wv::dwt_coeff_len(static_cast<std::size_t>(n), w.filter_length(), mode));
    py::array_t<T> ca({rows, nc}), cd({rows, nc});
    const T* src = x.data();
    T* a = ca.mutable_data();
    T* d = cd.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r)
            wv::dwt(w, mode, src + r * n, static_cast<std::size_t>(n), a + r * nc, d + r * nc);
    }
    return py::make_tuple(ca, cd);
}

py::tuple dwt_rows(const py::array& x, const std::string& wavelet, const std::string& mode) {
    require_rows(x, "dwt", "x");
    const wv::Wavelet w(wavelet);
    const auto m = wv::mode_from_name(mode);
    return is_f64(x, "dwt", "x") ? dwt_rows_t<double>(x, w, m) : dwt_rows_t<float>(x, w, m);
}

template <class T>
py::array idwt_rows_t(const py::object& ca_, const py::object& cd_, py::ssize_t rows, py::ssize_t nc,
                      const wv::Wavelet& w, wv::Mode mode) {
    using arr = py::array_t<T, py::array::c_style>;
    arr ca, cd;
    if (!ca_.is_none()) ca = arr::ensure(ca_);
    if (!cd_.is_none()) cd = arr::ensure(cd_);
    const auto n_out = static_cast<py::ssize_t>(wv::idwt_out_len(static_cast<std::size_t>(nc), w.filter_length(), mode));
    if (n_out == 0) {
        // let the core word the error
        std::vector<T> z(static_cast<std::size_t>(nc) + 1);
        wv::idwt(w, mode, z.data(), z.data(), static_cast<std::size_t>(nc), z.data());
    }
    py::array_t<T> out({rows, n_out});
    const T* a = ca_.is_none() ? nullptr : ca.data();
    const T* d = cd_.is_none() ? nullptr : cd.data();
    T* o = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r)
            wv::idwt(w, mode, a ? a + r * nc : nullptr, d ? d + r * nc : nullptr,
                     static_cast<std::size_t>(nc), o + r * n_out);
    }
    return out;
}

py::array idwt_rows(const py::object& ca, const py::object& cd, const std::string& wavelet,
                    const std::string& mode) {
    if (ca.is_none() && cd.is_none())
        throw py::value_error("idwt: at least one of ca and cd must be given");
    const py::array ref = py::reinterpret_borrow<py::array>(ca.is_none() ? cd : ca);
    require_rows(ref, "idwt", ca.is_none() ? "cd" : "ca");
    if (!ca.is_none() && !cd.is_none()) {
        const auto other = py::reinterpret_borrow<py::array>(cd);
        require_rows(other, "idwt", "cd");
        if (other.shape(0) != ref.shape(0) || other.shape(1) != ref.shape(1))
            throw py::value_error("idwt: ca and cd must have the same shape");
        if (!other.dtype().is(ref.dtype()))
            throw py::type_error("idwt: ca and cd must have the same dtype");
    }
    const wv::Wavelet w(wavelet);
    const auto m = wv::mode_from_name(mode);
    const auto rows = ref.shape(0), nc = ref.shape(1);
    if (nc == 0) throw py::value_error("idwt: the coefficient arrays are empty");
    return is_f64(ref, "idwt", "ca") ? idwt_rows_t<double>(ca, cd, rows, nc, w, m)
                                     : idwt_rows_t<float>(ca, cd, rows, nc, w, m);
}

template <class T>
py::array wavedec_rows_t(const py::array& x_, const wv::Wavelet& w, wv::Mode mode, int level,
                         const std::vector<std::size_t>& lengths) {
    auto x = py::array_t<T, py::array::c_style>::ensure(x_);
    const auto rows = x.shape(0), n = x.shape(1);
    py::ssize_t total = 0;
    for (auto len : lengths) total += static_cast<py::ssize_t>(len);
    py::array_t<T> out({rows, total});
    const T* src = x.data();
    T* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r)
            wv::wavedec(w, mode, level, src + r * n, static_cast<std::size_t>(n), dst + r * total);
    }
    return out;
}

py::tuple wavedec_rows(const py::array& x, const std::string& wavelet, const std::string& mode,
                       int level) {
    require_rows(x, "wavedec", "x");
    const wv::Wavelet w(wavelet);
    const auto m = wv::mode_from_name(mode);
    const auto lengths = wv::wavedec_lengths(static_cast<std::size_t>(x.shape(1)), w.filter_length(), m, level);
    py::array flat = is_f64(x, "wavedec", "x") ? wavedec_rows_t<double>(x, w, m, level, lengths)
                                               : wavedec_rows_t<float>(x, w, m, level, lengths);
    return py::make_tuple(flat, py::cast(lengths));
}

template <class T>
py::array waverec_rows_t(const py::array& c_, const std::vector<std::size_t>& lengths,
                         const wv::Wavelet& w, wv::Mode mode) {
    auto c = py::array_t<T, py::array::c_style>::ensure(c_);
    const auto rows = c.shape(0), total = c.shape(1);
    const auto n_out = static_cast<py::ssize_t>(wv::waverec_len(lengths, w.filter_length(), mode));
    py::array_t<T> out({rows, n_out});
    const T* src = c.data();
    T* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r) wv::waverec(w, mode, src + r * total, lengths, dst + r * n_out);
    }
    return out;
}

py::array waverec_rows(const py::array& coeffs, const std::vector<std::size_t>& lengths,
                       const std::string& wavelet, const std::string& mode) {
    require_rows(coeffs, "waverec", "coeffs");
    std::size_t total = 0;
    for (auto len : lengths) total += len;
    if (static_cast<std::size_t>(coeffs.shape(1)) != total)
        throw py::value_error("waverec: rows of " + std::to_string(coeffs.shape(1)) +
                              " values do not match band lengths summing to " + std::to_string(total));
    const wv::Wavelet w(wavelet);
    const auto m = wv::mode_from_name(mode);
    return is_f64(coeffs, "waverec", "coeffs") ? waverec_rows_t<double>(coeffs, lengths, w, m)
                                               : waverec_rows_t<float>(coeffs, lengths, w, m);
}

template <class T>
py::tuple denoise_rows_t(const py::array& x_, const wv::Wavelet& w, wv::Mode mode, int level,
                         wv::ThresholdRule rule, wv::Shrink shrink) {
    auto x = py::array_t<T, py::array::c_style>::ensure(x_);
    const auto rows = x.shape(0), n = x.shape(1);
    py::array_t<T> out({rows, n});
    py::array_t<double> sigma(rows);
    const T* src = x.data();
    T* dst = out.mutable_data();
    double* sg = sigma.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r)
            sg[r] = wv::denoise(w, mode, level, rule, shrink, src + r * n, static_cast<std::size_t>(n),
                                dst + r * n);
    }
    return py::make_tuple(out, sigma);
}

py::tuple denoise_rows(const py::array& x, const std::string& wavelet, const std::string& mode,
                       int level, const std::string& rule, const std::string& shrink) {
    require_rows(x, "denoise", "x");
    const wv::Wavelet w(wavelet);
    const auto m = wv::mode_from_name(mode);
    wv::ThresholdRule r;
    if (rule == "universal")
        r = wv::ThresholdRule::Universal;
    else if (rule == "bayes")
        r = wv::ThresholdRule::Bayes;
    else
        throw py::value_error("denoise: unknown rule '" + rule + "'; expected 'universal' or 'bayes'");
    wv::Shrink s;
    if (shrink == "soft")
        s = wv::Shrink::Soft;
    else if (shrink == "hard")
        s = wv::Shrink::Hard;
    else
        throw py::value_error("denoise: unknown threshold mode '" + shrink + "'; expected 'soft' or 'hard'");
    wv::wavedec_lengths(static_cast<std::size_t>(x.shape(1)), w.filter_length(), m, level);  // validates
    return is_f64(x, "denoise", "x") ? denoise_rows_t<double>(x, w, m, level, r, s)
                                     : denoise_rows_t<float>(x, w, m, level, r, s);
}

py::array cwt_rows(const py::array_t<float, py::array::c_style>& x,
                   const py::array_t<double, py::array::c_style>& scales, double w0) {
    require_rows(x, "cwt", "x");
    if (scales.ndim() != 1) throw py::value_error("cwt: scales must be 1-D");
    const auto rows = x.shape(0), n = x.shape(1), ns = scales.shape(0);
    py::array_t<std::complex<float>> out({rows, ns, n});
    const float* src = x.data();
    const double* sc = scales.data();
    auto* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r)
            wv::cwt_morlet(src + r * n, static_cast<std::size_t>(n), sc, static_cast<std::size_t>(ns), w0,
                           dst + r * ns * n);
    }
    return out;
}

}  // namespace

void register_wavelet(py::module_& m) {
    m.def("wavelet_names", &wv::wavelist, "Names of the built-in wavelets.");
    m.def("wavelet_modes", &wv::mode_names, "Names of the signal extension modes.");
    m.def(
        "wavelet_filter_bank",
        [](const std::string& name) {
            const wv::Wavelet w(name);
            return py::make_tuple(w.dec_lo(), w.dec_hi(), w.rec_lo(), w.rec_hi());
        },
        py::arg("name"), "(dec_lo, dec_hi, rec_lo, rec_hi) of a wavelet, as pywt.Wavelet.filter_bank.");
    m.def(
        "dwt_max_level",
        [](py::ssize_t n, py::ssize_t filter_length) {
            if (n < 0 || filter_length < 0) throw py::value_error("dwt_max_level: lengths must be >= 0");
            return wv::dwt_max_level(static_cast<std::size_t>(n), static_cast<std::size_t>(filter_length));
        },
        py::arg("n"), py::arg("filter_length"));
    m.def(
        "dwt_coeff_len",
        [](py::ssize_t n, py::ssize_t filter_length, const std::string& mode) {
            if (n < 1) throw py::value_error("dwt_coeff_len: n must be >= 1");
            return wv::dwt_coeff_len(static_cast<std::size_t>(n), static_cast<std::size_t>(filter_length),
                                     wv::mode_from_name(mode));
        },
        py::arg("n"), py::arg("filter_length"), py::arg("mode"));
    m.def("dwt_rows", &dwt_rows, py::arg("x"), py::arg("wavelet"), py::arg("mode"),
          "Single-level DWT of each row -> (cA, cD), each (rows, nc).");
    m.def("idwt_rows", &idwt_rows, py::arg("ca"), py::arg("cd"), py::arg("wavelet"), py::arg("mode"),
          "Single-level inverse DWT of rows of (cA, cD); either may be None.");
    m.def("wavedec_rows", &wavedec_rows, py::arg("x"), py::arg("wavelet"), py::arg("mode"),
          py::arg("level"), "Multi-level DWT of each row -> (flat bands (rows, total), band lengths).");
    m.def("waverec_rows", &waverec_rows, py::arg("coeffs"), py::arg("lengths"), py::arg("wavelet"),
          py::arg("mode"), "Multi-level inverse DWT of rows of flat bands.");
    m.def("denoise_rows", &denoise_rows, py::arg("x"), py::arg("wavelet"), py::arg("mode"),
          py::arg("level"), py::arg("rule"), py::arg("shrink"),
          "Wavelet shrinkage of each row -> (denoised (rows, n), noise sigma per row).");
    m.def("cwt_rows", &cwt_rows, py::arg("x"), py::arg("scales"), py::arg("w0"),
          "Complex Morlet CWT of each float32 row -> complex64 (rows, n_scales, n).");
}

}  // namespace edgeaudio::bindings
