#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "edgeaudio/simd.h"

TEST_CASE("the scalar path is always available and the best path is listed") {
    auto avail = edgeaudio::available_isas();
    REQUIRE(!avail.empty());
    CHECK(avail.front() == edgeaudio::Isa::Scalar);
    CHECK(edgeaudio::best_isa() == avail.back());
#if defined(__aarch64__) || defined(__ARM_NEON)
    // NEON is part of armv8-a, and the armv7 toolchain builds with it: the
    // build must have it and use it by default
    CHECK(edgeaudio::best_isa() == edgeaudio::Isa::NEON);
#endif
}

TEST_CASE("names round-trip and unknown names are refused") {
    for (auto isa : edgeaudio::compiled_isas())
        CHECK(edgeaudio::isa_from_name(edgeaudio::isa_name(isa)) == isa);
    CHECK(edgeaudio::isa_from_name("AVX2") == edgeaudio::Isa::AVX2);
    CHECK_THROWS_AS(edgeaudio::isa_from_name("avx512"), std::invalid_argument);
}

TEST_CASE("the active path honours EDGEAUDIO_SIMD") {
    const char* expect = std::getenv("EDGEAUDIO_EXPECT_ACTIVE");
    const auto active = edgeaudio::active_isa();
    if (expect != nullptr)
        CHECK(std::string(edgeaudio::isa_name(active)) == expect);
    else
        CHECK((std::getenv("EDGEAUDIO_SIMD") != nullptr || active == edgeaudio::best_isa()));
}

TEST_CASE("report the paths this run covers") {
    // printed so a CI log (native or under qemu) shows which kernels ran
    std::string s;
    for (auto isa : edgeaudio::available_isas()) s += std::string(s.empty() ? "" : ", ") + edgeaudio::isa_name(isa);
    std::printf("edgeaudio_tests: SIMD paths tested: %s (cpu: %s)\n", s.c_str(),
                edgeaudio::cpu_features().c_str());
    CHECK(!s.empty());
}
