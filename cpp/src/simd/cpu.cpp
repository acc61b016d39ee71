// CPU detection and the choice of SIMD path.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <cctype>
#include <string>

#include "edgeaudio/simd.h"

namespace edgeaudio {

namespace {

bool cpu_has(Isa isa) {
    switch (isa) {
        case Isa::Scalar:
            return true;
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
        case Isa::SSE2:
            return __builtin_cpu_supports("sse2");
        case Isa::AVX2:
            // GCC/Clang's check includes the OS's saving of the YMM state.
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
        case Isa::NEON:
            return true;  // fixed by the compile target
#endif
        default:
            return false;
    }
}

std::string joined_names(const std::vector<Isa>& v) {
    std::string s;
    for (Isa i : v) {
        if (!s.empty()) s += ", ";
        s += isa_name(i);
    }
    return s;
}

std::atomic<int> g_active{-1};
std::once_flag g_init;
std::string g_init_error;

void init_active() {
    const char* env = std::getenv("EDGEAUDIO_SIMD");
    if (env == nullptr || *env == '\0') {
        g_active = static_cast<int>(best_isa());
        return;
    }
    Isa want;
    try {
        want = isa_from_name(env);
    } catch (const std::invalid_argument&) {
        g_init_error = std::string("EDGEAUDIO_SIMD=") + env +
                       " is not a SIMD path; use one of: scalar, sse2, avx2, neon";
        return;
    }
    for (Isa i : available_isas()) {
        if (i == want) {
            g_active = static_cast<int>(want);
            return;
        }
    }
    g_init_error = std::string("EDGEAUDIO_SIMD=") + env +
                   " is not available on this CPU/build (available: " +
                   joined_names(available_isas()) + ")";
}

}  // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return "scalar";
        case Isa::SSE2: return "sse2";
        case Isa::AVX2: return "avx2";
        case Isa::NEON: return "neon";
    }
    return "unknown";
}

Isa isa_from_name(const std::string& name) {
    std::string s;
    for (char c : name) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "scalar") return Isa::Scalar;
    if (s == "sse2") return Isa::SSE2;
    if (s == "avx2") return Isa::AVX2;
    if (s == "neon") return Isa::NEON;
    throw std::invalid_argument("unknown SIMD path '" + name +
                                "'; expected one of: scalar, sse2, avx2, neon");
}

std::vector<Isa> compiled_isas() {
    std::vector<Isa> v{Isa::Scalar};
#if defined(EDGEAUDIO_HAVE_SSE2)
    v.push_back(Isa::SSE2);
#endif
#if defined(EDGEAUDIO_HAVE_AVX2)
    v.push_back(Isa::AVX2);
#endif
#if defined(EDGEAUDIO_HAVE_NEON)
    v.push_back(Isa::NEON);
#endif
    return v;
}

std::vector<Isa> available_isas() {
    std::vector<Isa> v;
    for (Isa i : compiled_isas())
        if (cpu_has(i)) v.push_back(i);
    return v;
}

Isa best_isa() { return available_isas().back(); }

Isa active_isa() {
    std::call_once(g_init, init_active);
    const int a = g_active.load();
    if (a < 0) throw std::runtime_error(g_init_error);
    return static_cast<Isa>(a);
}

void set_active_isa(Isa isa) {
    std::call_once(g_init, init_active);
    for (Isa i : available_isas()) {
        if (i == isa) {
            g_active = static_cast<int>(isa);
            return;
        }
    }
    throw std::invalid_argument(std::string("SIMD path ") + isa_name(isa) +
                                " is not available here (available: " +
                                joined_names(available_isas()) + ")");
}

std::string cpu_features() {
    std::string s;
    auto add = [&s](const char* f) {
        if (!s.empty()) s += ' ';
        s += f;
    };
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse2")) add("sse2");
    if (__builtin_cpu_supports("sse4.2")) add("sse4.2");
    if (__builtin_cpu_supports("avx")) add("avx");
    if (__builtin_cpu_supports("avx2")) add("avx2");
    if (__builtin_cpu_supports("fma")) add("fma");
    if (__builtin_cpu_supports("avx512f")) add("avx512f");
#elif defined(__aarch64__)
    add("aarch64 neon");
#elif defined(__ARM_NEON) || defined(__ARM_NEON__)
    add("armv7 neon");
#endif
    if (s.empty()) add("none");
    return s;
}

}  // namespace edgeaudio
