#include "pcen.h"

#include <cmath>

namespace edgeaudio::frontend::detail {

Pcen::Pcen(const FrontendConfig& c)
    : gain_(c.pcen_gain), bias_(c.pcen_bias), power_(c.pcen_power), eps_(c.pcen_eps),
      m_(static_cast<std::size_t>(c.n_mels), 1.0) {
    const double t = static_cast<double>(c.pcen_time_constant_s) * c.sample_rate / c.hop_length;
    b_ = (std::sqrt(1.0 + 4.0 * t * t) - 1.0) / (2.0 * t * t);
}

void Pcen::reset() {
    for (double& v : m_) v = 1.0;
}

void Pcen::process(float* x) {
    for (std::size_t i = 0; i < m_.size(); ++i) {
        const double e = x[i];
        m_[i] = b_ * e + (1.0 - b_) * m_[i];
        const double smooth = std::exp(-gain_ * (std::log(eps_) + std::log1p(m_[i] / eps_)));
        double y;
        if (power_ == 0.0)
            y = std::log1p(e * smooth);
        else if (bias_ == 0.0)
            y = std::exp(power_ * (std::log(e) + std::log(smooth)));
        else
            y = std::pow(bias_, power_) * std::expm1(power_ * std::log1p(e * smooth / bias_));
        x[i] = static_cast<float>(y);
    }
}

}  // namespace edgeaudio::frontend::detail
