// Fingerprint bindings: the config fields, a streaming extractor whose
// push/flush return (hashes, frames, peaks), and the batch calls. The Python
// layer (edgeaudio/fingerprint.py) validates, documents and keeps the index.
#include <algorithm>
#include <string>
#include <vector>

#include "common.h"
#include "edgeaudio/fingerprint.h"

namespace edgeaudio::bindings {

namespace {

namespace efp = edgeaudio::fingerprint;
using farray = py::array_t<float, py::array::c_style>;

// (hashes uint32, anchor frames int32, peaks float32 (n, 3): frame, bin, strength)
py::tuple landmarks_and_peaks(const std::vector<efp::Landmark>& lm, const std::vector<efp::Peak>& peaks) {
    const auto n = static_cast<py::ssize_t>(lm.size());
    py::array_t<std::uint32_t> h(n);
    py::array_t<std::int32_t> t(n);
    for (py::ssize_t i = 0; i < n; ++i) {
        h.mutable_data()[i] = lm[static_cast<std::size_t>(i)].hash;
        t.mutable_data()[i] = lm[static_cast<std::size_t>(i)].frame;
    }
    py::array_t<float> p({static_cast<py::ssize_t>(peaks.size()), py::ssize_t{3}});
    float* pd = p.mutable_data();
    for (const auto& q : peaks) {
        *pd++ = q.frame;
        *pd++ = q.bin;
        *pd++ = q.strength;
    }
    return py::make_tuple(h, t, p);
}

py::array_t<std::uint32_t> words(const std::vector<std::uint32_t>& v) {
    py::array_t<std::uint32_t> a(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

}  // namespace

void register_fingerprint(py::module_& m) {
    py::class_<efp::FingerprintConfig>(m, "FingerprintConfig",
                                       "Landmark fingerprint settings (see edgeaudio/fingerprint.h).")
        .def(py::init<>())
        .def_readwrite("sample_rate_hz", &efp::FingerprintConfig::sample_rate_hz)
        .def_readwrite("n_fft", &efp::FingerprintConfig::n_fft)
        .def_readwrite("hop_length", &efp::FingerprintConfig::hop_length)
        .def_readwrite("fmin_hz", &efp::FingerprintConfig::fmin_hz)
        .def_readwrite("fmax_hz", &efp::FingerprintConfig::fmax_hz)
        .def_readwrite("floor_db", &efp::FingerprintConfig::floor_db)
        .def_readwrite("peak_freq_radius", &efp::FingerprintConfig::peak_freq_radius)
        .def_readwrite("peak_time_radius", &efp::FingerprintConfig::peak_time_radius)
        .def_readwrite("min_prominence_db", &efp::FingerprintConfig::min_prominence_db)
        .def_readwrite("stable_frames", &efp::FingerprintConfig::stable_frames)
        .def_readwrite("peak_hold_db", &efp::FingerprintConfig::peak_hold_db)
        .def_readwrite("peaks_per_second", &efp::FingerprintConfig::peaks_per_second)
        .def_readwrite("fan_out", &efp::FingerprintConfig::fan_out)
        .def_readwrite("target_dt_min", &efp::FingerprintConfig::target_dt_min)
        .def_readwrite("target_dt_max", &efp::FingerprintConfig::target_dt_max)
        .def_readwrite("target_octaves", &efp::FingerprintConfig::target_octaves)
        .def_readwrite("bands_per_octave", &efp::FingerprintConfig::bands_per_octave)
        .def("validate", &efp::FingerprintConfig::validate)
        .def("block_frames", &efp::FingerprintConfig::block_frames)
        .def("peaks_per_block", &efp::FingerprintConfig::peaks_per_block)
        .def("frame_seconds", &efp::FingerprintConfig::frame_seconds)
        .def("num_frames", &efp::FingerprintConfig::num_frames, py::arg("n_samples"));

    py::class_<efp::Extractor>(m, "FingerprintExtractorCore", "Streaming landmark extractor (C++ core).")
        .def(py::init<const efp::FingerprintConfig&>(), py::arg("config"))
        .def(
            "push",
            [](efp::Extractor& e, const farray& x) {
                require_1d(x, "samples");
                std::vector<efp::Landmark> lm;
                std::vector<efp::Peak> peaks;
                {
                    py::gil_scoped_release nogil;
                    e.push(x.data(), static_cast<std::size_t>(x.shape(0)), lm, &peaks);
                }
                return landmarks_and_peaks(lm, peaks);
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> (hashes, frames, peaks).")
        .def(
            "flush",
            [](efp::Extractor& e) {
                std::vector<efp::Landmark> lm;
                std::vector<efp::Peak> peaks;
                {
                    py::gil_scoped_release nogil;
                    e.flush(lm, &peaks);
                }
                return landmarks_and_peaks(lm, peaks);
            },
            "End the signal -> (hashes, frames, peaks); then reset.")
        .def("reset", &efp::Extractor::reset)
        .def_property_readonly("frames", &efp::Extractor::frames);

    m.def(
        "fingerprint_extract",
        [](const farray& x, const efp::FingerprintConfig& cfg) {
            require_1d(x, "x");
            std::vector<efp::Landmark> lm;
            std::vector<efp::Peak> peaks;
            {
                py::gil_scoped_release nogil;
                efp::extract(cfg, x.data(), static_cast<std::size_t>(x.shape(0)), lm, &peaks);
            }
            return landmarks_and_peaks(lm, peaks);
        },
        py::arg("x").noconvert(), py::arg("config"), "Whole float32 signal -> (hashes, frames, peaks).");

    m.def(
        "fingerprint_pair_peaks",
        [](const farray& peaks, const efp::FingerprintConfig& cfg, double speed) {
            if (peaks.ndim() != 2 || peaks.shape(1) != 3)
                throw py::value_error("peaks: expected a float32 array of shape (n, 3)");
            const auto n = static_cast<std::size_t>(peaks.shape(0));
            std::vector<efp::Peak> p(n);
            for (std::size_t i = 0; i < n; ++i)
                p[i] = {peaks.data()[3 * i], peaks.data()[3 * i + 1], peaks.data()[3 * i + 2]};
            std::vector<efp::Landmark> lm;
            {
                py::gil_scoped_release nogil;
                efp::pair_peaks(cfg, p.data(), n, speed, lm);
            }
            auto out = landmarks_and_peaks(lm, {});
            return py::make_tuple(out[0], out[1]);
        },
        py::arg("peaks").noconvert(), py::arg("config"), py::arg("speed"),
        "Peaks (n, 3) of a whole signal, played at `speed` -> (hashes, frames).");
    py::class_<efp::SubprintExtractor>(m, "SubprintExtractorCore",
                                       "Streaming sub-fingerprint extractor (C++ core; edgeaudio/fingerprint.h).")
        .def(py::init<const efp::FingerprintConfig&, double>(), py::arg("config"), py::arg("speed") = 1.0)
        .def(
            "push",
            [](efp::SubprintExtractor& e, const farray& x) {
                require_1d(x, "samples");
                std::vector<std::uint32_t> out;
                {
                    py::gil_scoped_release nogil;
                    e.push(x.data(), static_cast<std::size_t>(x.shape(0)), out);
                }
                return words(out);
            },
            py::arg("samples").noconvert(), "Consume float32 samples -> uint32 bits of the frames completed.")
        .def(
            "flush",
            [](efp::SubprintExtractor& e) {
                std::vector<std::uint32_t> out;
                {
                    py::gil_scoped_release nogil;
                    e.flush(out);
                }
                return words(out);
            },
            "End the signal -> uint32 bits of the last frames; then reset.")
        .def("reset", &efp::SubprintExtractor::reset);

    m.def(
        "fingerprint_subprints",
        [](const farray& x, const efp::FingerprintConfig& cfg, double speed) {
            require_1d(x, "x");
            std::vector<std::uint32_t> out;
            {
                py::gil_scoped_release nogil;
                efp::sub_fingerprints(cfg, x.data(), static_cast<std::size_t>(x.shape(0)), speed, out);
            }
            return words(out);
        },
        py::arg("x").noconvert(), py::arg("config"), py::arg("speed") = 1.0,
        "Whole float32 signal -> uint32 sub-fingerprint per frame.");

    m.def(
        "fingerprint_subprint_scan",
        [](const py::array_t<std::uint32_t, py::array::c_style>& song,
           const py::array_t<std::uint32_t, py::array::c_style>& query,
           const py::array_t<std::int32_t, py::array::c_style>& pos, long o_lo, long o_hi) {
            require_1d(song, "song");
            require_1d(query, "query");
            require_1d(pos, "pos");
            if (pos.shape(0) != query.shape(0))
                throw py::value_error("pos: expected one position per query frame (" +
                                      std::to_string(query.shape(0)) + "), got " + std::to_string(pos.shape(0)));
            if (o_hi < o_lo) throw py::value_error("o_hi must be >= o_lo");
            py::array_t<std::int32_t> agree(static_cast<py::ssize_t>(o_hi - o_lo + 1));
            {
                py::gil_scoped_release nogil;
                efp::subprint_scan(song.data(), static_cast<std::size_t>(song.shape(0)), query.data(), pos.data(),
                                   static_cast<std::size_t>(query.shape(0)), o_lo, o_hi, agree.mutable_data());
            }
            return agree;
        },
        py::arg("song").noconvert(), py::arg("query").noconvert(), py::arg("pos").noconvert(), py::arg("o_lo"),
        py::arg("o_hi"), "Matching minus differing bits of the query at song offsets o_lo .. o_hi (int32).");
}

}  // namespace edgeaudio::bindings
