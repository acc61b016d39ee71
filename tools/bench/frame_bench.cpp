// Per-frame cost of the kernels a device runs every 10 ms, on one SIMD path:
//
//   fft   one 512-point real forward FFT
//   mfcc  one MFCC frame of the default frontend (16 kHz, 400-sample Hann
//         window, 512-point FFT, 40 HTK mels, log, 13 coefficients; 160 new
//         samples per frame)
//   nlms  one 160-sample block through a 256-tap NLMS echo filter
//
// It has no dependencies beyond the core, so it cross-compiles for every
// target (python -m tools.deploy build) and runs on a device or under
// qemu-user. Instruction counts use two runs with different --frames: the
// difference divided by the difference in frames is the cost of one frame,
// with set-up, planning and process start-up cancelled out
// (python -m tools.deploy count does that with a qemu plugin).
//
// --check runs each kernel on every available path and compares the outputs
// with the scalar path's; it exits 1 if they disagree.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/aec.h"
#include "edgeaudio/fft.h"
#include "edgeaudio/frontend.h"
#include "edgeaudio/simd.h"

namespace {

constexpr int kHop = 160;
constexpr int kFftSize = 512;
constexpr int kNlmsTaps = 256;

// A deterministic test signal: two tones and a little pseudo-random noise.
std::vector<float> signal(std::size_t n) {
    std::vector<float> x(n);
    unsigned state = 12345u;
    for (std::size_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const float noise = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
        x[i] = 0.5f * std::sin(0.0371f * i) + 0.25f * std::sin(0.291f * i) + 0.05f * noise;
    }
    return x;
}

// One kernel, ready to run frames; output() is the last frame's result.
class Kernel {
  public:
    virtual ~Kernel() = default;
    virtual void run(long frames) = 0;
    virtual std::vector<float> output() const = 0;
};

class FftKernel : public Kernel {
  public:
    explicit FftKernel(edgeaudio::Isa isa)
        : fft_(kFftSize, isa), in_(signal(kFftSize)), out_(fft_.bins()), work_(fft_.work_size()) {}
    void run(long frames) override {
        for (long i = 0; i < frames; ++i) fft_.forward(in_.data(), out_.data(), 1.0f, work_.data());
    }
    std::vector<float> output() const override {
        std::vector<float> v;
        for (auto c : out_) { v.push_back(c.real()); v.push_back(c.imag()); }
        return v;
    }

  private:
    edgeaudio::fft::RealFFT fft_;
    std::vector<float> in_;
    std::vector<std::complex<float>> out_;
    std::vector<float> work_;
};

class MfccKernel : public Kernel {
  public:
    explicit MfccKernel(edgeaudio::Isa isa) : frontend_(config(), edgeaudio::frontend::Output::Mfcc, isa) {
        // prime the window so that every further hop completes one frame
        const auto x = signal(static_cast<std::size_t>(config().win_length));
        out_.resize(frontend_.output_size() * 2);
        frontend_.push(x.data(), x.size() - kHop, out_.data());
        hop_ = signal(kHop);
    }
    void run(long frames) override {
        for (long i = 0; i < frames; ++i) frontend_.push(hop_.data(), hop_.size(), out_.data());
    }
    std::vector<float> output() const override {
        return {out_.begin(), out_.begin() + static_cast<long>(frontend_.output_size())};
    }

  private:
    static edgeaudio::frontend::FrontendConfig config() {
        edgeaudio::frontend::FrontendConfig c;  // the defaults are the 10 ms / 25 ms KWS frame
        c.output = edgeaudio::frontend::Output::Mfcc;
        return c;
    }
    edgeaudio::frontend::Frontend frontend_;
    std::vector<float> hop_, out_;
};

class NlmsKernel : public Kernel {
  public:
    explicit NlmsKernel(edgeaudio::Isa isa) : filter_(cfg(), isa), out_(kHop) {
        ref_ = signal(kHop);
        mic_.resize(kHop);
        for (int i = 0; i < kHop; ++i) mic_[i] = 0.3f * ref_[(i + 7) % kHop];
    }
    void run(long frames) override {
        for (long i = 0; i < frames; ++i) filter_.process(mic_.data(), ref_.data(), out_.data(), kHop);
    }
    std::vector<float> output() const override { return out_; }

  private:
    static edgeaudio::aec::NlmsConfig cfg() {
        edgeaudio::aec::NlmsConfig c;
        c.taps = kNlmsTaps;
        return c;
    }
    edgeaudio::aec::NlmsFilter filter_;
    std::vector<float> mic_, ref_, out_;
};

std::unique_ptr<Kernel> make_kernel(const std::string& name, edgeaudio::Isa isa) {
    if (name == "fft") return std::make_unique<FftKernel>(isa);
    if (name == "mfcc") return std::make_unique<MfccKernel>(isa);
    if (name == "nlms") return std::make_unique<NlmsKernel>(isa);
    throw std::invalid_argument("--kernel: expected fft, mfcc or nlms, got '" + name + "'");
}

const char* const kKernels[] = {"fft", "mfcc", "nlms"};

// Kept out of line so a profiler can isolate the measured frames.
extern "C" __attribute__((noinline)) void edgeaudio_bench_measured(Kernel* k, long frames) {
    k->run(frames);
}

// Relative max-abs difference of each path against scalar, after 3 frames.
int check() {
    int failures = 0;
    for (const char* name : kKernels) {
        auto ref = make_kernel(name, edgeaudio::Isa::Scalar);
        ref->run(3);
        const auto expect = ref->output();
        float scale = 0.0f;
        for (float v : expect) scale = std::max(scale, std::fabs(v));
        for (auto isa : edgeaudio::available_isas()) {
            auto k = make_kernel(name, isa);
            k->run(3);
            const auto got = k->output();
            float err = 0.0f;
            for (std::size_t i = 0; i < got.size(); ++i) err = std::max(err, std::fabs(got[i] - expect[i]));
            const float rel = err / std::max(scale, 1e-30f);
            const bool ok = got.size() == expect.size() && rel < 1e-4f;
            std::printf("check %-5s %-7s vs scalar: max rel. diff %.2e %s\n", name,
                        edgeaudio::isa_name(isa), rel, ok ? "ok" : "FAIL");
            failures += ok ? 0 : 1;
        }
    }
    return failures == 0 ? 0 : 1;
}

void usage() {
    std::puts(
        "usage: frame_bench [--kernel fft|mfcc|nlms|all] [--isa PATH] [--frames K]\n"
        "       frame_bench --check | --list\n"
        "\n"
        "  --kernel K   which per-frame kernel (default all)\n"
        "  --isa PATH   SIMD path: scalar, sse2, avx2, neon (default: the active one)\n"
        "  --frames K   frames to run after one warm-up frame (default 2000)\n"
        "  --check      compare every available path with scalar; exit 1 on disagreement\n"
        "  --list       print the available paths, one a line\n"
        "\n"
        "Prints: kernel, path, frames, nanoseconds per frame (wall clock; under\n"
        "qemu-user that is the emulator's speed, not the device's).");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::string kernel = "all";
        edgeaudio::Isa isa = edgeaudio::active_isa();
        long frames = 2000;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
                return argv[++i];
            };
            if (arg == "-h" || arg == "--help") {
                usage();
                return 0;
            } else if (arg == "--list") {
                for (auto a : edgeaudio::available_isas()) std::puts(edgeaudio::isa_name(a));
                return 0;
            } else if (arg == "--check") {
                return check();
            } else if (arg == "--kernel") {
                kernel = value();
            } else if (arg == "--isa") {
                isa = edgeaudio::isa_from_name(value());
                edgeaudio::set_active_isa(isa);  // throws if this CPU lacks it
            } else if (arg == "--frames") {
                frames = std::stol(value());
                if (frames < 0) throw std::invalid_argument("--frames must be >= 0");
            } else {
                throw std::invalid_argument("unknown argument '" + arg + "' (see --help)");
            }
        }
        std::vector<std::string> names;
        if (kernel == "all") names.assign(std::begin(kKernels), std::end(kKernels));
        else names.push_back(kernel);
        for (const auto& name : names) {
            auto k = make_kernel(name, isa);
            k->run(1);
            const auto t0 = std::chrono::steady_clock::now();
            edgeaudio_bench_measured(k.get(), frames);
            const auto t1 = std::chrono::steady_clock::now();
            const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
            std::printf("%-5s %-7s %8ld frames %12.1f ns/frame\n", name.c_str(), edgeaudio::isa_name(isa),
                        frames, frames > 0 ? ns / frames : 0.0);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "frame_bench: %s\n", e.what());
        return 2;
    }
}
