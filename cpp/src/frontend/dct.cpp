#include "dct.h"

#include <cmath>

#include "filterbank.h"

namespace edgeaudio::frontend::detail {

std::vector<double> lifter_weights(const FrontendConfig& c) {
    std::vector<double> l(static_cast<std::size_t>(c.n_mfcc), 1.0);
    if (c.lifter > 0.0f) {
        const double L = c.lifter;
        const int first = c.lifter_style == LifterStyle::Librosa ? 1 : 0;
        for (int i = 0; i < c.n_mfcc; ++i) l[i] = 1.0 + 0.5 * L * std::sin(M_PI * (i + first) / L);
    }
    return l;
}

DctMatrix make_dct(const FrontendConfig& c) {
    DctMatrix d;
    d.n_in = c.n_mels;
    d.n_out = c.n_mfcc;
    d.n_out_pad = round_up(c.n_mfcc, kPad);
    d.cols.assign(static_cast<std::size_t>(d.n_in) * d.n_out_pad, 0.0f);
    const std::vector<double> lift = lifter_weights(c);
    const double n = c.n_mels;
    for (int k = 0; k < d.n_out; ++k) {
        const double norm = std::sqrt((k == 0 ? 1.0 : 2.0) / n);
        for (int m = 0; m < d.n_in; ++m)
            d.cols[static_cast<std::size_t>(m) * d.n_out_pad + k] =
                static_cast<float>(lift[k] * norm * std::cos(M_PI * k * (2.0 * m + 1.0) / (2.0 * n)));
    }
    return d;
}

}  // namespace edgeaudio::frontend::detail
