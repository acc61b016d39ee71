// Double-precision reference transforms for the tests: a plain recursive
// mixed-radix DFT with exactly reduced twiddles, and a naive O(n^2) DFT that
// checks the recursive one on small sizes.
#pragma once

#include <cmath>
#include <complex>
#include <vector>

namespace ref {

using cd = std::complex<double>;

inline cd twiddle(long long num, long long den) {
    num %= den;
    const double a = -2.0 * M_PI * static_cast<double>(num) / static_cast<double>(den);
    return {std::cos(a), std::sin(a)};
}

inline void dft_rec(const cd* x, int n, int stride, cd* out) {
    if (n == 1) {
        out[0] = x[0];
        return;
    }
    int p = n;
    for (int q : {2, 3, 5, 7})
        if (n % q == 0) {
            p = q;
            break;
        }
    if (p == n) {  // a prime above 7: direct sum over a twiddle table
        std::vector<cd> w(n);
        for (int t = 0; t < n; ++t) w[t] = twiddle(t, n);
        for (int k = 0; k < n; ++k) {
            cd s = 0;
            for (int j = 0; j < n; ++j) s += x[j * stride] * w[(1LL * j * k) % n];
            out[k] = s;
        }
        return;
    }
    const int m = n / p;
    std::vector<cd> tmp(n);
    for (int r = 0; r < p; ++r) dft_rec(x + r * stride, m, stride * p, tmp.data() + r * m);
    for (int k = 0; k < n; ++k) {
        cd s = 0;
        for (int r = 0; r < p; ++r) s += tmp[r * m + k % m] * twiddle(1LL * r * k, n);
        out[k] = s;
    }
}

inline std::vector<cd> dft(const std::vector<cd>& x, bool inverse = false) {
    const int n = static_cast<int>(x.size());
    std::vector<cd> in(x), out(n);
    if (inverse)
        for (auto& v : in) v = std::conj(v);
    dft_rec(in.data(), n, 1, out.data());
    if (inverse)
        for (auto& v : out) v = std::conj(v);
    return out;
}

inline std::vector<cd> naive_dft(const std::vector<cd>& x) {
    const int n = static_cast<int>(x.size());
    std::vector<cd> out(n);
    for (int k = 0; k < n; ++k)
        for (int j = 0; j < n; ++j) out[k] += x[j] * twiddle(1LL * j * k, n);
    return out;
}

// ||a - b|| / ||b||
template <class A>
double rel_error(const A& a, const std::vector<cd>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        const cd d = cd(a[i]) - b[i];
        num += std::norm(d);
        den += std::norm(b[i]);
    }
    return den == 0 ? std::sqrt(num) : std::sqrt(num / den);
}

}  // namespace ref
