// Frontend bindings. edgeaudio/features.py validates and shapes the input
// (dtype, int16 scaling, leading axes); this layer checks the arrays, releases
// the GIL and calls the core. No DSP here.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <complex>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "common.h"
#include "edgeaudio/frontend.h"

namespace edgeaudio::bindings {

namespace {

namespace fe = edgeaudio::frontend;
using farray = py::array_t<float, py::array::c_style>;

// float32 (frames, dims), or complex64 (frames, n_bins) for the STFT
py::array frames_array(std::vector<py::ssize_t> lead, std::size_t frames, const fe::FrontendConfig& c,
                       fe::Output o) {
    lead.push_back(static_cast<py::ssize_t>(frames));
    if (o == fe::Output::Stft) {
        lead.push_back(c.n_bins());
        return py::array_t<std::complex<float>, py::array::c_style>(lead);
    }
    lead.push_back(static_cast<py::ssize_t>(c.output_size(o)));
    return farray(lead);
}

float* data_of(py::array& a) { return static_cast<float*>(a.mutable_data()); }

py::array compute_rows(const fe::FrontendConfig& c, const farray& x, const std::string& output) {
    if (x.ndim() != 2)
        throw py::value_error("frontend_compute: expected a 2-D float32 array (rows, samples), got " +
                              std::to_string(x.ndim()) + " dimensions");
    const fe::Output o = fe::output_from_name(output);
    c.validate();
    const py::ssize_t rows = x.shape(0);
    const std::size_t n = static_cast<std::size_t>(x.shape(1));
    const std::size_t frames = c.num_frames(n);
    py::array out = frames_array({rows}, frames, c, o);
    const std::size_t step = frames * c.output_size(o);
    const float* src = x.data();
    float* dst = data_of(out);
    {
        py::gil_scoped_release nogil;
        for (py::ssize_t r = 0; r < rows; ++r) {
            try {
                fe::compute(c, src + r * n, n, o, dst + r * step);
            } catch (const std::invalid_argument& e) {
                if (rows == 1) throw;
                throw std::invalid_argument("row " + std::to_string(r) + ": " + e.what());
            }
        }
    }
    return out;
}

// A stream. The lock makes concurrent calls from several Python threads
// (the GIL is released inside) queue instead of racing on the state.
class PyFrontend {
  public:
    PyFrontend(const fe::FrontendConfig& c, const std::string& output)
        : f_(new fe::Frontend(c, fe::output_from_name(output))) {}

    py::array push(const farray& x) {
        if (x.ndim() != 1)
            throw py::value_error("Frontend.push: expected a 1-D float32 chunk, got " + std::to_string(x.ndim()) +
                                  " dimensions");
        const std::size_t n = static_cast<std::size_t>(x.shape(0));
        std::lock_guard<std::mutex> lock(mu_);
        py::array out = frames_array({}, f_->frames_ready(n), f_->config(), f_->output());
        float* dst = data_of(out);
        const float* src = x.data();
        {
            py::gil_scoped_release nogil;
            f_->push(src, n, dst);
        }
        return out;
    }

    py::array flush() {
        std::lock_guard<std::mutex> lock(mu_);
        py::array out = frames_array({}, f_->flush_frames(), f_->config(), f_->output());
        float* dst = data_of(out);
        {
            py::gil_scoped_release nogil;
            f_->flush(dst);
        }
        return out;
    }

    void reset() {
        std::lock_guard<std::mutex> lock(mu_);
        f_->reset();
    }

    std::size_t output_size() const { return f_->config().output_size(f_->output()); }
    std::size_t frames_ready(std::size_t n) const { return f_->frames_ready(n); }
    std::size_t flush_frames() const { return f_->flush_frames(); }
    std::size_t samples_pushed() const { return f_->samples_pushed(); }
    std::string isa() const { return isa_name(f_->isa()); }

  private:
    std::unique_ptr<fe::Frontend> f_;
    std::mutex mu_;
};

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Native timing of the streaming path, for tools/bench/frontend.py: pushes
// one hop at a time from C++ and reports seconds per push.
py::dict time_push(const fe::FrontendConfig& c, const std::string& output, std::size_t pushes) {
    fe::Frontend f(c, fe::output_from_name(output));
    const std::size_t hop = static_cast<std::size_t>(c.hop_length);
    std::vector<float> x(hop * 64);
    std::uint32_t s = 12345;
    for (float& v : x) {
        s = s * 1664525u + 1013904223u;
        v = static_cast<float>(static_cast<std::int32_t>(s)) * (0.1f / 2147483648.0f);
    }
    std::vector<float> out((f.frames_ready(hop) + 1) * f.output_size() + 16);
    std::size_t frames = 0;
    double cpu = 0, wall = 0;
    {
        py::gil_scoped_release nogil;
        for (std::size_t i = 0; i < 64 + c.frame_extent() / hop + 1; ++i)  // warm up, fill the first frame
            f.push(x.data() + (i % 64) * hop, hop, out.data());
        const double c0 = thread_cpu_seconds();
        const auto w0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < pushes; ++i) frames += f.push(x.data() + (i % 64) * hop, hop, out.data());
        wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        cpu = thread_cpu_seconds() - c0;
    }
    py::dict d;
    d["pushes"] = pushes;
    d["frames"] = frames;
    d["cpu_s_per_push"] = cpu / static_cast<double>(pushes);
    d["wall_s_per_push"] = wall / static_cast<double>(pushes);
    d["isa"] = isa_name(f.isa());
    return d;
}

}  // namespace

void register_frontend(py::module_& m) {
    py::class_<fe::FrontendConfig>(m, "FrontendConfig",
                                   "Native frontend config; edgeaudio.features.FrontendConfig builds it.")
        .def(py::init<>())
        .def("set", &fe::FrontendConfig::set, py::arg("field"), py::arg("value"),
             "Set a field from its text form (JSON manifest form).")
        .def("get", &fe::FrontendConfig::get, py::arg("field"))
        .def("validate", &fe::FrontendConfig::validate, "Raise ValueError naming the first bad field.")
        .def("num_frames", &fe::FrontendConfig::num_frames, py::arg("n_samples"))
        .def(
            "output_size",
            [](const fe::FrontendConfig& c, const std::string& o) { return c.output_size(fe::output_from_name(o)); },
            py::arg("output"))
        .def_static("field_names", &fe::FrontendConfig::field_names);

    py::class_<PyFrontend>(m, "Frontend", "Native streaming frontend (see edgeaudio.features.Frontend).")
        .def(py::init<const fe::FrontendConfig&, const std::string&>(), py::arg("config"), py::arg("output"))
        .def("push", &PyFrontend::push, py::arg("chunk").noconvert())
        .def("flush", &PyFrontend::flush)
        .def("reset", &PyFrontend::reset)
        .def_property_readonly("output_size", &PyFrontend::output_size)
        .def_property_readonly("flush_frames", &PyFrontend::flush_frames)
        .def_property_readonly("samples_pushed", &PyFrontend::samples_pushed)
        .def_property_readonly("isa", &PyFrontend::isa)
        .def("frames_ready", &PyFrontend::frames_ready, py::arg("n"));

    m.def("frontend_compute", &compute_rows, py::arg("config"), py::arg("x").noconvert(), py::arg("output"),
          "Frames of each row of a C-contiguous float32 (rows, samples) array -> (rows, frames, dims).");
    m.def(
        "frontend_window",
        [](const fe::FrontendConfig& c) {
            const std::vector<float> w = fe::window(c);
            farray out(static_cast<py::ssize_t>(w.size()));
            std::copy(w.begin(), w.end(), out.mutable_data());
            return out;
        },
        py::arg("config"));
    m.def(
        "frontend_mel_filterbank",
        [](const fe::FrontendConfig& c) {
            const std::vector<float> w = fe::mel_filterbank(c);
            farray out({static_cast<py::ssize_t>(c.n_mels), static_cast<py::ssize_t>(c.n_bins())});
            std::copy(w.begin(), w.end(), out.mutable_data());
            return out;
        },
        py::arg("config"));
    m.def(
        "frontend_delta",
        [](const farray& x, int width, int order) {
            if (x.ndim() != 3)
                throw py::value_error("frontend_delta: expected a 3-D float32 array (rows, frames, dims)");
            const auto rows = x.shape(0), frames = x.shape(1), dims = x.shape(2);
            farray out({rows, frames, dims});
            const float* src = x.data();
            float* dst = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                for (py::ssize_t r = 0; r < rows; ++r)
                    fe::delta(src + r * frames * dims, static_cast<std::size_t>(frames), static_cast<std::size_t>(dims),
                              width, order, dst + r * frames * dims);
            }
            return out;
        },
        py::arg("x").noconvert(), py::arg("width"), py::arg("order"));
    m.def("_frontend_time_push", &time_push, py::arg("config"), py::arg("output"), py::arg("pushes"),
          "Benchmark helper: C++ loop pushing one hop at a time; seconds of thread CPU and wall per push.");
}

}  // namespace edgeaudio::bindings
