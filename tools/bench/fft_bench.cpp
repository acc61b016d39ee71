// Native FFT benchmark: edgeaudio on every SIMD path this CPU runs, against
// FFTW3f (FFTW_MEASURE plans, one thread) and KissFFT (float), in one process.
//
// Table mode (the default) times forward transforms, real and complex, for a
// list of sizes and prints nanoseconds per transform with the ratio to FFTW.
// Each figure is the minimum over many short batches, and the batches of all
// libraries for one case are interleaved, so that a noisy shared machine
// slows every library alike and the minimum approaches the undisturbed time.
// Each output is also checked against a double-precision DFT (rel.err).
//
// Run mode (--run) plans one case and runs a fixed number of transforms inside
// the function edgeaudio_bench_measured, so an instruction counter can see
// exactly those transforms:
//
//   valgrind --tool=callgrind --collect-atstart=no
//            --toggle-collect=edgeaudio_bench_measured
//            fft_bench --run edgeaudio/avx2 --kind real --n 512 --count 200
//
// Instructions per transform = the callgrind total / count. Pass the same
// --wisdom file to table mode and run mode so that FFTW executes, under
// valgrind, the plan it measured natively.
//
// Built by CMake with -DEDGEAUDIO_BUILD_BENCH=ON; FFTW and KissFFT are used
// when CMake found them (HAVE_FFTW3F, HAVE_KISSFFT).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/fft.h"
#include "edgeaudio/simd.h"

#if defined(HAVE_FFTW3F)
#include <fftw3.h>
#endif
#if defined(HAVE_KISSFFT)
#include <kiss_fft.h>
#include <kiss_fftr.h>
#endif

namespace {

using cfloat = std::complex<float>;

enum class Kind { Real, Complex };

const char* kind_name(Kind k) { return k == Kind::Real ? "real" : "complex"; }

// One benchmark case: a forward transform of length n.
struct Case {
    Kind kind;
    int n;
};

// ---- Buffers -----------------------------------------------------------------

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

// 64-byte aligned floats, so no library is penalised by a split cache line.
class AlignedFloats {
  public:
    explicit AlignedFloats(std::size_t count) {
        const std::size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        p_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
        if (!p_) throw std::bad_alloc();
        std::memset(p_.get(), 0, bytes);
    }
    float* get() const { return p_.get(); }

  private:
    std::unique_ptr<float, FreeDeleter> p_;
};

// ---- Libraries under test --------------------------------------------------------

// A planned transform with its own input and output buffers. Input: n floats
// (real) or n complex values (complex); output: n/2+1 or n complex values.
class Runner {
  public:
    explicit Runner(Case c) : in_(2 * c.n), out_(2 * c.n + 2) {}
    virtual ~Runner() = default;

    // Runs `count` forward transforms of the same input.
    virtual void run(long count) = 0;
    virtual std::string name() const = 0;

    // Copies the signal in (after planning: FFTW_MEASURE overwrites buffers).
    void load(const std::vector<float>& signal) { std::copy(signal.begin(), signal.end(), in_.get()); }
    const cfloat* output() const { return reinterpret_cast<const cfloat*>(out_.get()); }

  protected:
    AlignedFloats in_, out_;
};

class EdgeaudioRunner : public Runner {
  public:
    EdgeaudioRunner(Case c, edgeaudio::Isa isa) : Runner(c), isa_(isa) {
        if (c.kind == Kind::Real) {
            real_ = std::make_unique<edgeaudio::fft::RealFFT>(c.n, isa);
            work_ = std::make_unique<AlignedFloats>(real_->work_size());
        } else {
            complex_ = std::make_unique<edgeaudio::fft::ComplexFFT>(c.n, isa);
            work_ = std::make_unique<AlignedFloats>(complex_->work_size());
        }
    }

    void run(long count) override {
        cfloat* out = reinterpret_cast<cfloat*>(out_.get());
        float* work = work_->get();
        if (real_) {
            for (long i = 0; i < count; ++i) real_->forward(in_.get(), out, 1.0f, work);
        } else {
            const cfloat* in = reinterpret_cast<const cfloat*>(in_.get());
            for (long i = 0; i < count; ++i) complex_->forward(in, out, 1.0f, work);
        }
    }

    // "edgeaudio/avx2", or "edgeaudio/avx2>sse2" where the plan narrows the
    // path because n does not fill the vector width.
    std::string name() const override {
        const edgeaudio::Isa ran = real_ ? real_->isa() : complex_->isa();
        std::string s = std::string("edgeaudio/") + edgeaudio::isa_name(isa_);
        if (ran != isa_) s += std::string(">") + edgeaudio::isa_name(ran);
        return s;
    }

  private:
    edgeaudio::Isa isa_;
    std::unique_ptr<edgeaudio::fft::RealFFT> real_;
    std::unique_ptr<edgeaudio::fft::ComplexFFT> complex_;
    std::unique_ptr<AlignedFloats> work_;
};

#if defined(HAVE_FFTW3F)
class FftwRunner : public Runner {
  public:
    explicit FftwRunner(Case c) : Runner(c) {
        auto* out = reinterpret_cast<fftwf_complex*>(out_.get());
        if (c.kind == Kind::Real)
            plan_ = fftwf_plan_dft_r2c_1d(c.n, in_.get(), out, FFTW_MEASURE);
        else
            plan_ = fftwf_plan_dft_1d(c.n, reinterpret_cast<fftwf_complex*>(in_.get()), out,
                                      FFTW_FORWARD, FFTW_MEASURE);
        if (plan_ == nullptr) throw std::runtime_error("FFTW could not plan this case");
    }
    ~FftwRunner() override { fftwf_destroy_plan(plan_); }

    void run(long count) override {
        for (long i = 0; i < count; ++i) fftwf_execute(plan_);
    }
    std::string name() const override { return "fftw3f"; }

  private:
    fftwf_plan plan_ = nullptr;
};
#endif

#if defined(HAVE_KISSFFT)
class KissRunner : public Runner {
  public:
    explicit KissRunner(Case c) : Runner(c) {
        if (c.kind == Kind::Real)
            real_ = kiss_fftr_alloc(c.n, 0, nullptr, nullptr);
        else
            complex_ = kiss_fft_alloc(c.n, 0, nullptr, nullptr);
        if (real_ == nullptr && complex_ == nullptr)
            throw std::runtime_error("KissFFT could not plan this case");
    }
    ~KissRunner() override {
        kiss_fftr_free(real_);
        kiss_fft_free(complex_);
    }

    void run(long count) override {
        auto* out = reinterpret_cast<kiss_fft_cpx*>(out_.get());
        if (real_) {
            for (long i = 0; i < count; ++i) kiss_fftr(real_, in_.get(), out);
        } else {
            const auto* in = reinterpret_cast<const kiss_fft_cpx*>(in_.get());
            for (long i = 0; i < count; ++i) kiss_fft(complex_, in, out);
        }
    }
    std::string name() const override { return "kissfft"; }

  private:
    kiss_fftr_cfg real_ = nullptr;
    kiss_fft_cfg complex_ = nullptr;
};
#endif

// The libraries of this build and CPU, by the names the table prints and
// --run accepts: "edgeaudio/<path>" per available path, "fftw3f", "kissfft".
std::vector<std::string> library_names() {
    std::vector<std::string> names;
    for (edgeaudio::Isa isa : edgeaudio::available_isas())
        names.push_back(std::string("edgeaudio/") + edgeaudio::isa_name(isa));
#if defined(HAVE_FFTW3F)
    names.push_back("fftw3f");
#endif
#if defined(HAVE_KISSFFT)
    names.push_back("kissfft");
#endif
    return names;
}

std::unique_ptr<Runner> make_runner(const std::string& library, Case c) {
    const std::string prefix = "edgeaudio/";
    if (library.compare(0, prefix.size(), prefix) == 0) {
        const edgeaudio::Isa isa = edgeaudio::isa_from_name(library.substr(prefix.size()));
        const auto avail = edgeaudio::available_isas();
        if (std::find(avail.begin(), avail.end(), isa) == avail.end())
            throw std::invalid_argument("this CPU cannot run " + library);
        return std::make_unique<EdgeaudioRunner>(c, isa);
    }
#if defined(HAVE_FFTW3F)
    if (library == "fftw3f") return std::make_unique<FftwRunner>(c);
#endif
#if defined(HAVE_KISSFFT)
    if (library == "kissfft") return std::make_unique<KissRunner>(c);
#endif
    throw std::invalid_argument("unknown or unavailable library '" + library + "' (see --help)");
}

// Gaussian noise: n floats (real) or n interleaved complex values.
std::vector<float> make_signal(Case c) {
    std::mt19937 rng(static_cast<unsigned>(c.n));
    std::normal_distribution<float> normal;
    std::vector<float> s(c.kind == Kind::Real ? c.n : 2 * c.n);
    for (float& v : s) v = normal(rng);
    return s;
}

// The forward DFT in double precision (O(n^2), exact twiddles by index).
std::vector<std::complex<double>> reference_dft(Case c, const std::vector<float>& signal) {
    const int n = c.n;
    const int bins = c.kind == Kind::Real ? n / 2 + 1 : n;
    std::vector<std::complex<double>> w(n), x(n), out(bins);
    for (int k = 0; k < n; ++k) w[k] = std::polar(1.0, -2.0 * M_PI * k / n);
    for (int j = 0; j < n; ++j)
        x[j] = c.kind == Kind::Real ? std::complex<double>(signal[j])
                                    : std::complex<double>(signal[2 * j], signal[2 * j + 1]);
    for (int k = 0; k < bins; ++k) {
        std::complex<double> acc = 0.0;
        for (int j = 0; j < n; ++j) acc += x[j] * w[static_cast<long>(j) * k % n];
        out[k] = acc;
    }
    return out;
}

// ||X - Xref|| / ||Xref|| over the bins a runner produced.
double relative_error(const cfloat* got, const std::vector<std::complex<double>>& ref) {
    double num = 0.0, den = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        num += std::norm(std::complex<double>(got[k]) - ref[k]);
        den += std::norm(ref[k]);
    }
    return std::sqrt(num / den);
}

// ---- Timing -------------------------------------------------------------------------

double seconds_for(Runner& r, long count) {
    const auto t0 = std::chrono::steady_clock::now();
    r.run(count);
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(t1 - t0).count();
}

// The number of transforms that takes about `batch_s` seconds (warms caches too).
long calibrate(Runner& r, double batch_s) {
    long count = 1;
    for (;;) {
        const double t = seconds_for(r, count);
        if (t >= batch_s / 4 || count >= (1L << 30)) {
            const double per = t / static_cast<double>(count);
            return std::max(1L, static_cast<long>(batch_s / per));
        }
        count *= 4;
    }
}

struct Options {
    std::vector<int> sizes{256, 400, 512, 1024, 4096};
    std::vector<Kind> kinds{Kind::Real, Kind::Complex};
    int rounds = 100;
    double batch_ms = 1.0;
    bool csv = false;
    std::string wisdom;  // FFTW wisdom file: read if present, written back by table mode
    // run mode
    std::string run;
    int count = 200;
};

struct Result {
    std::string name;
    double ns = 0.0;
    double rel_err = 0.0;
};

// Plans every library for one case, then times interleaved batches.
std::vector<Result> bench_case(const Options& opt, Case c) {
    const std::vector<float> signal = make_signal(c);
    std::vector<std::unique_ptr<Runner>> runners;
    for (const std::string& lib : library_names()) runners.push_back(make_runner(lib, c));

    std::vector<long> counts;
    for (auto& r : runners) {
        r->load(signal);
        counts.push_back(calibrate(*r, opt.batch_ms * 1e-3));
    }
    std::vector<double> best(runners.size(), 1e300);
    for (int round = 0; round < opt.rounds; ++round)
        for (std::size_t i = 0; i < runners.size(); ++i)
            best[i] = std::min(best[i], seconds_for(*runners[i], counts[i]) / counts[i]);

    const auto ref = reference_dft(c, signal);
    std::vector<Result> results;
    for (std::size_t i = 0; i < runners.size(); ++i)
        results.push_back({runners[i]->name(), best[i] * 1e9, relative_error(runners[i]->output(), ref)});
    return results;
}

#if defined(__clang__)
constexpr const char* kCompiler = __VERSION__;  // already names clang
#elif defined(__GNUC__)
constexpr const char* kCompiler = "GCC " __VERSION__;
#else
constexpr const char* kCompiler = "unknown";
#endif

// What the figures depend on, as "key: value" lines (CSV: "# key: value").
void print_about(const Options& opt) {
    const char* prefix = opt.csv ? "# " : "";
    std::string paths;
    for (edgeaudio::Isa isa : edgeaudio::available_isas())
        paths += std::string(paths.empty() ? "" : " ") + edgeaudio::isa_name(isa);
#if defined(HAVE_FFTW3F)
    const std::string fftw = std::string(fftwf_version) + ", FFTW_MEASURE plans";
#else
    const std::string fftw = "not built in (no ratios)";
#endif
#if defined(HAVE_KISSFFT)
    const char* kiss = "float build";
#else
    const char* kiss = "not built in";
#endif
    std::printf("%scompiler: %s\n", prefix, kCompiler);
    std::printf("%scpu_features: %s\n", prefix, edgeaudio::cpu_features().c_str());
    std::printf("%sedgeaudio_paths: %s\n", prefix, paths.c_str());
    std::printf("%sfftw3f: %s\n", prefix, fftw.c_str());
    std::printf("%skissfft: %s\n", prefix, kiss);
    std::printf("%stiming: forward transforms, float32, one thread; ns per transform is the minimum "
                "over %d batches of ~%.2g ms\n", prefix, opt.rounds, opt.batch_ms);
}

int table_mode(const Options& opt) {
    print_about(opt);
    if (opt.csv)
        std::printf("kind,n,library,ns,ratio_to_fftw,rel_err\n");
    else
        std::printf("\n%-8s %6s  %-22s %12s %8s %9s\n", "kind", "n", "library", "ns", "vs FFTW",
                    "rel.err");
    for (Kind kind : opt.kinds) {
        for (int n : opt.sizes) {
            const std::vector<Result> results = bench_case(opt, {kind, n});
            double fftw_ns = 0.0;
            for (const Result& r : results)
                if (r.name == "fftw3f") fftw_ns = r.ns;
            for (const Result& r : results) {
                const double ratio = fftw_ns > 0.0 ? r.ns / fftw_ns : 0.0;
                if (opt.csv)
                    std::printf("%s,%d,%s,%.2f,%.4f,%.3g\n", kind_name(kind), n, r.name.c_str(), r.ns,
                                ratio, r.rel_err);
                else
                    std::printf("%-8s %6d  %-22s %12.1f %7.2fx %9.1e\n", kind_name(kind), n,
                                r.name.c_str(), r.ns, ratio, r.rel_err);
            }
            if (!opt.csv) std::printf("\n");
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace

// The transforms an instruction counter should see; everything else (planning,
// FFTW_MEASURE, the first call's lazy symbol binding) happens outside it.
extern "C" __attribute__((noinline)) void edgeaudio_bench_measured(Runner* r, long count) {
    r->run(count);
}

namespace {

int run_mode(const Options& opt) {
    if (opt.sizes.size() != 1 || opt.kinds.size() != 1)
        throw std::invalid_argument("--run needs one --n and one --kind");
    const Case c{opt.kinds[0], opt.sizes[0]};
    auto runner = make_runner(opt.run, c);
    runner->load(make_signal(c));
    runner->run(1);
    edgeaudio_bench_measured(runner.get(), opt.count);
    std::printf("%s: %d %s transforms of n=%d\n", runner->name().c_str(), opt.count, kind_name(c.kind),
                c.n);
    return 0;
}

void print_help() {
    std::printf(
        "usage: fft_bench [--sizes N,N,...] [--kind real|complex|both] [--rounds R]\n"
        "                 [--batch-ms T] [--csv] [--wisdom FILE]\n"
        "       fft_bench --run LIBRARY --n N --kind real|complex [--count K] [--wisdom FILE]\n"
        "       fft_bench --list\n"
        "\n"
        "Times forward float32 FFTs, one thread: edgeaudio on every SIMD path this CPU\n"
        "runs, FFTW3f (FFTW_MEASURE) and KissFFT, and prints ns per transform, the ratio\n"
        "to FFTW and the relative error against a double-precision DFT.\n"
        "\n"
        "  --sizes LIST    even transform lengths up to 16384 (default 256,400,512,1024,4096)\n"
        "  --kind K        real, complex or both (default both)\n"
        "  --rounds R      timed batches per library and case; the minimum is kept (default 100)\n"
        "  --batch-ms T    length of one batch in milliseconds (default 1)\n"
        "  --csv           print CSV: kind,n,library,ns,ratio_to_fftw,rel_err\n"
        "  --wisdom FILE   FFTW wisdom: read FILE if it exists; table mode writes it back\n"
        "                  after planning, so a later --run executes the plans measured here\n"
        "  --run LIBRARY   run mode: plan one case (--n, --kind), run one warm-up transform,\n"
        "                  then --count transforms (default 200) inside the function\n"
        "                  edgeaudio_bench_measured, for\n"
        "                  valgrind --tool=callgrind --collect-atstart=no \\\n"
        "                      --toggle-collect=edgeaudio_bench_measured fft_bench --run ...\n"
        "  --list          print the LIBRARY names this build and CPU offer, one a line\n"
        "\n"
        "LIBRARY here:");
    for (const std::string& name : library_names()) std::printf(" %s", name.c_str());
    std::printf("\n");
}

std::vector<int> parse_sizes(const std::string& text) {
    std::vector<int> sizes;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        char* end = nullptr;
        const long n = std::strtol(item.c_str(), &end, 10);
        // even for kiss_fftr; bounded because the reference DFT is O(n^2)
        if (item.empty() || *end != '\0' || n < 2 || n % 2 != 0 || n > 16384)
            throw std::invalid_argument("--sizes/--n: '" + item + "' is not an even length in [2, 16384]");
        sizes.push_back(static_cast<int>(n));
        pos = comma + 1;
    }
    return sizes;
}

std::vector<Kind> parse_kind(const std::string& text) {
    if (text == "real") return {Kind::Real};
    if (text == "complex") return {Kind::Complex};
    if (text == "both") return {Kind::Real, Kind::Complex};
    throw std::invalid_argument("--kind: expected real, complex or both, got '" + text + "'");
}

double parse_positive(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v > 0.0))
        throw std::invalid_argument(flag + ": expected a positive number, got '" + text + "'");
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Options opt;
        bool list = false;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
                return argv[++i];
            };
            if (arg == "-h" || arg == "--help") {
                print_help();
                return 0;
            } else if (arg == "--sizes" || arg == "--n") {
                opt.sizes = parse_sizes(value());
            } else if (arg == "--kind") {
                opt.kinds = parse_kind(value());
            } else if (arg == "--rounds") {
                opt.rounds = static_cast<int>(parse_positive(arg, value()));
            } else if (arg == "--batch-ms") {
                opt.batch_ms = parse_positive(arg, value());
            } else if (arg == "--csv") {
                opt.csv = true;
            } else if (arg == "--wisdom") {
                opt.wisdom = value();
            } else if (arg == "--run") {
                opt.run = value();
            } else if (arg == "--count") {
                opt.count = static_cast<int>(parse_positive(arg, value()));
            } else if (arg == "--list") {
                list = true;
            } else {
                throw std::invalid_argument("unknown argument '" + arg + "' (see --help)");
            }
        }
        if (list) {
            for (const std::string& name : library_names()) std::printf("%s\n", name.c_str());
            return 0;
        }
#if defined(HAVE_FFTW3F)
        if (!opt.wisdom.empty()) fftwf_import_wisdom_from_filename(opt.wisdom.c_str());
#endif
        if (!opt.run.empty()) return run_mode(opt);
        const int rc = table_mode(opt);
#if defined(HAVE_FFTW3F)
        if (!opt.wisdom.empty() && !fftwf_export_wisdom_to_filename(opt.wisdom.c_str()))
            std::fprintf(stderr, "fft_bench: could not write FFTW wisdom to %s\n", opt.wisdom.c_str());
#endif
        return rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fft_bench: %s\n", e.what());
        return 2;
    }
}
