// Stage 6: deltas along time, as librosa.feature.delta (scipy savgol_filter
// with polyorder = deriv = order, mode "interp").
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeaudio/frontend.h"

namespace edgeaudio::frontend {

namespace {

// Weights c[j], j = 0..width-1 (offset j - h), such that sum c[j] y[t+j-h]
// is the order-th derivative at t of the least-squares polynomial of degree
// `order` through y[t-h..t+h].
std::vector<double> savgol_weights(int width, int order) {
    const int h = width / 2, p = order + 1;
    // normal matrix G = A^T A, A[j][i] = (j - h)^i
    std::vector<double> g(static_cast<std::size_t>(p) * p, 0.0);
    for (int r = 0; r < p; ++r)
        for (int s = 0; s < p; ++s)
            for (int j = 0; j < width; ++j) g[r * p + s] += std::pow(j - h, r + s);
    // solve G z = e_order (Gauss-Jordan with partial pivoting); then the
    // weights are A z, scaled by order!
    std::vector<double> z(static_cast<std::size_t>(p), 0.0);
    z[order] = 1.0;
    for (int col = 0; col < p; ++col) {
        int piv = col;
        for (int r = col + 1; r < p; ++r)
            if (std::fabs(g[r * p + col]) > std::fabs(g[piv * p + col])) piv = r;
        if (piv != col) {
            for (int s = 0; s < p; ++s) std::swap(g[col * p + s], g[piv * p + s]);
            std::swap(z[col], z[piv]);
        }
        for (int r = 0; r < p; ++r) {
            if (r == col) continue;
            const double f = g[r * p + col] / g[col * p + col];
            for (int s = 0; s < p; ++s) g[r * p + s] -= f * g[col * p + s];
            z[r] -= f * z[col];
        }
    }
    for (int r = 0; r < p; ++r) z[r] /= g[r * p + r];
    double fact = 1.0;
    for (int i = 2; i <= order; ++i) fact *= i;
    std::vector<double> c(static_cast<std::size_t>(width), 0.0);
    for (int j = 0; j < width; ++j)
        for (int i = 0; i < p; ++i) c[j] += std::pow(j - h, i) * z[i];
    for (double& v : c) v *= fact;
    return c;
}

}  // namespace

void delta(const float* x, std::size_t frames, std::size_t dims, int width, int order, float* out) {
    if (width < 3 || width % 2 != 1)
        throw std::invalid_argument("delta: width must be an odd integer >= 3, got " + std::to_string(width));
    if (order < 1 || order >= width)
        throw std::invalid_argument("delta: order must be in [1, width - 1 = " + std::to_string(width - 1) +
                                    "], got " + std::to_string(order));
    if (frames < static_cast<std::size_t>(width))
        throw std::invalid_argument("delta: width " + std::to_string(width) + " needs at least that many frames, got " +
                                    std::to_string(frames));
    const std::vector<double> c = savgol_weights(width, order);
    const std::size_t h = static_cast<std::size_t>(width / 2);
    for (std::size_t t = h; t + h < frames; ++t)
        for (std::size_t d = 0; d < dims; ++d) {
            double s = 0.0;
            for (int j = 0; j < width; ++j) s += c[j] * x[(t - h + j) * dims + d];
            out[t * dims + d] = static_cast<float>(s);
        }
    // mode "interp": the order-th derivative of a degree-`order` fit is
    // constant, so each edge repeats the first / last full-window value
    for (std::size_t t = 0; t < h; ++t)
        for (std::size_t d = 0; d < dims; ++d) {
            out[t * dims + d] = out[h * dims + d];
            out[(frames - 1 - t) * dims + d] = out[(frames - 1 - h) * dims + d];
        }
}

}  // namespace edgeaudio::frontend
