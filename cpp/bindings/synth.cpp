// Synthesis bindings: arrays are checked here, the GIL is released around
// every render; all DSP lives in cpp/src/synth/.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "edgeaudio/sf2.h"
#include "edgeaudio/synth.h"

namespace edgeaudio::bindings {

namespace {

using namespace edgeaudio::synth;
using farray = py::array_t<float, py::array::c_style>;
using larray = py::array_t<long long, py::array::c_style | py::array::forcecast>;

Wavetable::Shape shape_from(const std::string& s) {
    if (s == "sine") return Wavetable::Shape::Sine;
    if (s == "saw") return Wavetable::Shape::Saw;
    if (s == "square") return Wavetable::Shape::Square;
    if (s == "triangle") return Wavetable::Shape::Triangle;
    throw py::value_error("shape must be 'sine', 'saw', 'square' or 'triangle', got '" + s + "'");
}

std::vector<Event> events_from(const larray& ev, py::ssize_t n) {
    if (ev.ndim() != 2 || ev.shape(1) != 4)
        throw py::value_error("events: expected an integer array of shape (k, 4) "
                              "[offset, status, data1, data2]");
    std::vector<Event> out(static_cast<std::size_t>(ev.shape(0)));
    auto e = ev.unchecked<2>();
    long long prev = 0;
    for (py::ssize_t i = 0; i < ev.shape(0); ++i) {
        const long long off = e(i, 0), st = e(i, 1), d1 = e(i, 2), d2 = e(i, 3);
        if (off < 0 || off >= n)
            throw py::value_error("events: offset " + std::to_string(off) + " at row " + std::to_string(i) +
                                  " is outside the block of " + std::to_string(n) + " frames");
        if (off < prev) throw py::value_error("events: offsets must be sorted (row " + std::to_string(i) + ")");
        if (st < 0x80 || st > 0xEF || d1 < 0 || d1 > 127 || d2 < 0 || d2 > 127)
            throw py::value_error("events: row " + std::to_string(i) +
                                  " is not a channel message (status 0x80-0xEF, data 0-127)");
        prev = off;
        out[std::size_t(i)] = Event{std::uint32_t(off), std::uint8_t(st), std::uint8_t(d1), std::uint8_t(d2)};
    }
    return out;
}

}  // namespace

void register_synth(py::module_& m) {
    py::register_exception<FormatError>(m, "SynthFormatError", PyExc_ValueError);

    py::class_<Wavetable, std::shared_ptr<Wavetable>>(m, "Wavetable")
        .def(py::init([](const farray& frames, std::size_t max_harmonics) {
                 if (frames.ndim() != 2)
                     throw py::value_error("frames: expected a 2-D float32 array (n_frames, frame_len)");
                 return std::make_shared<Wavetable>(frames.data(), std::size_t(frames.shape(0)),
                                                    std::size_t(frames.shape(1)), max_harmonics);
             }),
             py::arg("frames").noconvert(), py::arg("max_harmonics") = 0)
        .def_static("classic", [](const std::string& shape, std::size_t harmonics) {
            return std::make_shared<Wavetable>(Wavetable::classic(shape_from(shape), harmonics));
        }, py::arg("shape"), py::arg("harmonics") = 1024)
        .def_property_readonly("n_frames", &Wavetable::n_frames)
        .def_property_readonly("n_levels", &Wavetable::n_levels)
        .def("level_harmonics", [](const Wavetable& w, std::size_t l) {
            if (l >= w.n_levels()) throw py::index_error("level out of range");
            return w.level_harmonics(l);
        })
        .def("level_length", [](const Wavetable& w, std::size_t l) {
            if (l >= w.n_levels()) throw py::index_error("level out of range");
            return w.level_length(l);
        })
        .def("level_for", &Wavetable::level_for, py::arg("phase_inc"))
        .def("table", [](const Wavetable& w, std::size_t l, std::size_t f) {
            if (l >= w.n_levels() || f >= w.n_frames()) throw py::index_error("level or frame out of range");
            farray out(py::ssize_t(w.level_length(l)));
            std::copy(w.table(l, f), w.table(l, f) + w.level_length(l), out.mutable_data());
            return out;
        }, py::arg("level"), py::arg("frame") = 0);

    m.def("oscillator_render", [](std::shared_ptr<Wavetable> table, double freq_hz, py::ssize_t n,
                                  double sample_rate, py::object pm, float morph, double phase) {
        if (n < 0) throw py::value_error("n must be >= 0");
        if (!(sample_rate > 0)) throw py::value_error("sample_rate must be > 0");
        farray pm_arr;
        const float* pm_ptr = nullptr;
        if (!pm.is_none()) {
            pm_arr = farray::ensure(pm);
            if (!pm_arr || pm_arr.ndim() != 1 || pm_arr.shape(0) != n)
                throw py::value_error("pm: expected a 1-D float32 array of n samples");
            pm_ptr = pm_arr.data();
        }
        farray out(n);
        float* o = out.mutable_data();
        {
            py::gil_scoped_release nogil;
            WavetableOscillator osc(table.get());
            osc.reset(phase);
            osc.render(o, std::size_t(n), freq_hz, sample_rate, pm_ptr, morph);
        }
        return out;
    }, py::arg("table"), py::arg("freq_hz"), py::arg("n"), py::arg("sample_rate"), py::arg("pm") = py::none(),
       py::arg("morph") = 0.0f, py::arg("phase") = 0.0);

    m.def("adsr_render", [](float attack_s, float decay_s, float sustain, float release_s, float curve,
                            double sample_rate, py::ssize_t gate_samples, py::ssize_t n) {
        Adsr env(AdsrConfig{attack_s, decay_s, sustain, release_s, curve}, sample_rate);
        farray out(n);
        float* o = out.mutable_data();
        env.gate_on();
        for (py::ssize_t i = 0; i < n; ++i) {
            if (i == gate_samples) env.gate_off();
            o[i] = env.next();
        }
        return out;
    }, py::arg("attack_s"), py::arg("decay_s"), py::arg("sustain"), py::arg("release_s"), py::arg("curve"),
       py::arg("sample_rate"), py::arg("gate_samples"), py::arg("n"));

    m.def("pluck_render", [](double freq_hz, py::ssize_t n, double sample_rate, double decay_s, float brightness,
                             float velocity, std::uint32_t seed) {
        if (n < 0) throw py::value_error("n must be >= 0");
        PluckedString s(sample_rate, 20.0);
        farray out(n);
        float* o = out.mutable_data();
        {
            py::gil_scoped_release nogil;
            s.pluck(freq_hz, velocity, decay_s, brightness, seed);
            s.render(o, std::size_t(n));
        }
        return out;
    }, py::arg("freq_hz"), py::arg("n"), py::arg("sample_rate"), py::arg("decay_s"), py::arg("brightness"),
       py::arg("velocity"), py::arg("seed") = 1);

    py::class_<SoundFont, std::shared_ptr<SoundFont>>(m, "SoundFont")
        .def(py::init([](const std::string& path) {
            py::gil_scoped_release nogil;
            return SoundFont::load(path);
        }), py::arg("path"))
        .def_static("from_bytes", [](py::bytes data, const std::string& label) {
            std::string s = data;
            return SoundFont::from_memory(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), label);
        }, py::arg("data"), py::arg("label") = "<bytes>")
        .def_property_readonly("name", &SoundFont::name)
        .def("presets", [](const SoundFont& sf) {
            py::list out;
            for (const auto& p : sf.presets()) out.append(py::make_tuple(p.bank, p.program, p.name));
            return out;
        })
        .def("regions", [](const SoundFont& sf, int bank, int program) {
            const Preset* p = sf.find(bank, program);
            if (!p) throw py::key_error("no preset bank " + std::to_string(bank) + " program " + std::to_string(program));
            py::list out;
            for (const auto& r : p->regions) {
                py::dict d;
                d["key_range"] = py::make_tuple(r.key_lo, r.key_hi);
                d["vel_range"] = py::make_tuple(r.vel_lo, r.vel_hi);
                d["start"] = r.start; d["end"] = r.end; d["loop_start"] = r.loop_start; d["loop_end"] = r.loop_end;
                d["sample_rate"] = r.sample_rate; d["root_key"] = r.root_key; d["tune_cents"] = r.tune_cents;
                d["loop_mode"] = r.loop_mode; d["attenuation_cb"] = r.attenuation_cb; d["pan"] = r.pan;
                d["attack_s"] = r.attack_s; d["decay_s"] = r.decay_s; d["sustain_cb"] = r.sustain_cb;
                d["release_s"] = r.release_s; d["exclusive_class"] = r.exclusive_class;
                out.append(d);
            }
            return out;
        }, py::arg("bank"), py::arg("program"));

    py::class_<Synth>(m, "Synth")
        .def(py::init([](double sample_rate, std::size_t max_voices, float gain) {
            return std::make_unique<Synth>(SynthConfig{sample_rate, max_voices, gain});
        }), py::arg("sample_rate"), py::arg("max_voices"), py::arg("gain"))
        .def("add_patch", [](Synth& s, const std::string& source, std::shared_ptr<Wavetable> table, float morph,
                             float attack_s, float decay_s, float sustain, float release_s, float curve,
                             float cutoff_hz, float q, float env_octaves, float keytrack, float vibrato_hz,
                             float vibrato_cents, float string_decay_s, float string_brightness, float gain) {
            Patch p;
            if (source == "wavetable") p.source = Patch::Source::Wavetable;
            else if (source == "string") p.source = Patch::Source::PluckedString;
            else if (source == "drumkit") p.source = Patch::Source::DrumKit;
            else throw py::value_error("source must be 'wavetable', 'string' or 'drumkit', got '" + source + "'");
            p.table = table;
            p.morph = morph;
            p.amp = AdsrConfig{attack_s, decay_s, sustain, release_s, curve};
            p.filter_cutoff_hz = cutoff_hz; p.filter_q = q; p.filter_env_octaves = env_octaves;
            p.filter_keytrack = keytrack; p.vibrato_hz = vibrato_hz; p.vibrato_cents = vibrato_cents;
            p.string_decay_s = string_decay_s; p.string_brightness = string_brightness; p.gain = gain;
            return s.add_patch(p);
        }, py::arg("source"), py::arg("table"), py::arg("morph"), py::arg("attack_s"), py::arg("decay_s"),
           py::arg("sustain"), py::arg("release_s"), py::arg("curve"), py::arg("cutoff_hz"), py::arg("q"),
           py::arg("env_octaves"), py::arg("keytrack"), py::arg("vibrato_hz"), py::arg("vibrato_cents"),
           py::arg("string_decay_s"), py::arg("string_brightness"), py::arg("gain"))
        .def("set_program_patch", &Synth::set_program_patch, py::arg("program"), py::arg("patch"))
        .def("set_drum_patch", &Synth::set_drum_patch, py::arg("patch"))
        .def("set_soundfont", &Synth::set_soundfont, py::arg("soundfont"))
        .def("render", [](Synth& s, const larray& events, py::ssize_t n) {
            if (n < 0) throw py::value_error("n must be >= 0");
            std::vector<Event> ev = events_from(events, n);
            std::vector<float> L(static_cast<std::size_t>(n)), R(static_cast<std::size_t>(n));
            farray out({n, py::ssize_t(2)});
            float* o = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                s.render(ev.data(), ev.size(), L.data(), R.data(), std::size_t(n));
                for (py::ssize_t i = 0; i < n; ++i) {
                    o[2 * i] = L[std::size_t(i)];
                    o[2 * i + 1] = R[std::size_t(i)];
                }
            }
            return out;
        }, py::arg("events"), py::arg("n"))
        .def("all_notes_off", &Synth::all_notes_off)
        .def("reset", &Synth::reset)
        .def("note_sounding", &Synth::note_sounding, py::arg("channel"), py::arg("key"))
        .def_property_readonly("active_voices", &Synth::active_voices)
        .def_property_readonly("max_voices", &Synth::max_voices)
        .def_property_readonly("voices_started", &Synth::voices_started)
        .def_property_readonly("voices_stolen", &Synth::voices_stolen)
        .def_property_readonly("sample_rate", &Synth::sample_rate);
}

}  // namespace edgeaudio::bindings
