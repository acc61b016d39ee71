#include "window.h"

#include <cmath>

namespace edgeaudio::frontend::detail {

std::vector<double> make_window(Window type, int n, bool periodic) {
    std::vector<double> w(static_cast<std::size_t>(n), 1.0);
    if (type == Window::Rectangular || n == 1) return w;
    const double m = periodic ? n : n - 1;
    for (int i = 0; i < n; ++i) {
        const double c = std::cos(2.0 * M_PI * i / m);
        switch (type) {
            case Window::Hann: w[i] = 0.5 - 0.5 * c; break;
            case Window::Hamming: w[i] = 0.54 - 0.46 * c; break;
            case Window::Povey: w[i] = std::pow(std::fmax(0.0, 0.5 - 0.5 * c), 0.85); break;
            case Window::Rectangular: break;
        }
    }
    return w;
}

}  // namespace edgeaudio::frontend::detail
