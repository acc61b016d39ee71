// Native SoundFont render benchmark, for callgrind and perf (tools/bench/synth.py
// runs it): loads a SoundFont, plays an event file written by synth.py
// (int64 rows: frame, status, data1, data2 after a header of n_rows, end_frame)
// at 48 kHz in 4096-frame blocks, and prints load and render seconds.
//
//   synth_bench FILE.sf2 EVENTS.bin [max_voices] [out.f32]
//
// Build against the core library of a CMake build (not part of CI):
//   cmake -S . -B build/rel -G Ninja && cmake --build build/rel
//   g++ -O2 -std=c++17 -Icpp/include tools/bench/synth_bench.cpp build/rel/cpp/libedgeaudio_core.a -o synth_bench
// Events: np.array([k, end_frame], int64).tobytes() + synth.midi_events(path)[0].astype(int64).tobytes()
// EDGEAUDIO_SIMD=scalar|sse2|avx2 picks the path; run under valgrind --tool=callgrind for counts.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <vector>

#include "edgeaudio/sf2.h"
#include "edgeaudio/synth.h"

using namespace edgeaudio::synth;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s FILE.sf2 EVENTS.bin [max_voices] [out.f32]\n", argv[0]);
        return 2;
    }
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    const std::clock_t c0 = std::clock();
    auto sf = SoundFont::load(argv[1]);
    auto t1 = clock::now();
    const std::clock_t c1 = std::clock();
    std::ifstream f(argv[2], std::ios::binary);
    std::int64_t head[2] = {0, 0};
    f.read(reinterpret_cast<char*>(head), sizeof head);
    std::vector<std::int64_t> rows(std::size_t(head[0]) * 4);
    f.read(reinterpret_cast<char*>(rows.data()), std::streamsize(rows.size() * 8));
    if (!f) {
        std::fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }
    SynthConfig cfg;
    cfg.sample_rate = 48000.0;
    cfg.max_voices = argc > 3 ? std::size_t(std::atoi(argv[3])) : 256;
    cfg.gain = 0.2f;
    Synth synth(cfg);
    synth.set_soundfont(sf);
    const std::size_t end = std::size_t(head[1]), tail = 2 * 48000, block = 4096;
    std::vector<float> left(end + tail), right(end + tail);
    std::vector<Event> ev;
    std::size_t e = 0, pos = 0;
    bool released = false;
    auto t2 = clock::now();
    const std::clock_t c2 = std::clock();
    while (pos < end + tail) {
        if (pos >= end && !released) {
            synth.all_notes_off();
            released = true;
        }
        const std::size_t n = std::min(block, (pos < end ? end : end + tail) - pos);
        ev.clear();
        while (e < std::size_t(head[0]) && std::size_t(rows[4 * e]) < pos + n) {
            ev.push_back(Event{std::uint32_t(rows[4 * e] - std::int64_t(pos)), std::uint8_t(rows[4 * e + 1]),
                               std::uint8_t(rows[4 * e + 2]), std::uint8_t(rows[4 * e + 3])});
            ++e;
        }
        synth.render(ev.data(), ev.size(), left.data() + pos, right.data() + pos, n);
        pos += n;
        if (released && synth.active_voices() == 0) break;
    }
    auto t3 = clock::now();
    const std::clock_t c3 = std::clock();
    // wall and process CPU seconds (CPU time is the steadier figure on a shared machine)
    std::printf("load_s %.4f render_s %.4f load_cpu_s %.4f render_cpu_s %.4f frames %zu voices_started %zu "
                "stolen %zu\n",
                std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t3 - t2).count(),
                double(c1 - c0) / CLOCKS_PER_SEC, double(c3 - c2) / CLOCKS_PER_SEC, pos, synth.voices_started(),
                synth.voices_stolen());
    if (argc > 4) {
        std::ofstream o(argv[4], std::ios::binary);
        for (std::size_t i = 0; i < pos; ++i) {
            o.write(reinterpret_cast<const char*>(&left[i]), 4);
            o.write(reinterpret_cast<const char*>(&right[i]), 4);
        }
    }
    return 0;
}
