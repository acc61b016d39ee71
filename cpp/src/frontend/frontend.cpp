// The frontend pipeline: framing -> (DC removal, per-frame pre-emphasis) ->
// window -> FFT -> spectrum -> mel -> log / dB / PCEN -> DCT, one frame at a
// time, on tables built once per config and shared between frontends.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "dct.h"
#include "edgeaudio/fft.h"
#include "edgeaudio/frontend.h"
#include "filterbank.h"
#include "framing.h"
#include "kernel_table.h"
#include "pcen.h"
#include "window.h"
#include "../simd/dispatch.h"

namespace edgeaudio::frontend {

namespace detail {

const KernelTable* kernels_for(Isa isa) {
    return simd::select_kernels<const KernelTable*>(isa, EDGEAUDIO_KERNEL_GETTERS(kernels_));
}

namespace {

// Everything about a config that does not change while streaming.
struct Tables {
    Isa isa;
    const KernelTable* k;
    std::shared_ptr<const fft::RealFFT> plan;
    int bins, bins_pad, win_pad;
    std::vector<float> window;  // win_pad values, zeros past win_length
    MelBands bands;
    DctMatrix dct;
    LogParams logp;

    Tables(const FrontendConfig& c, Isa i) : isa(i) {
        k = kernels_for(i);
        if (k == nullptr)
            throw std::invalid_argument(std::string("SIMD path ") + isa_name(i) + " is not compiled into this build");
        plan = fft::real_plan(static_cast<std::size_t>(c.n_fft), i);
        bins = c.n_bins();
        bins_pad = round_up(bins, kPad);
        win_pad = round_up(c.win_length, kPad);
        const std::vector<double> w = make_window(c.window, c.win_length, c.window_periodic);
        window.assign(static_cast<std::size_t>(win_pad), 0.0f);
        for (int n = 0; n < c.win_length; ++n) window[n] = static_cast<float>(w[n]);
        bands = make_mel_bands(c);
        dct = make_dct(c);
        logp = {1.0f, 0.0f, c.log_floor, 0.0f};
        if (c.compression == Compression::DB) {
            const double ref = std::max(static_cast<double>(c.db_ref), static_cast<double>(c.log_floor));
            logp.mul = static_cast<float>(10.0 / std::log(10.0));
            logp.add = static_cast<float>(-10.0 * std::log10(ref));
        } else if (c.compression == Compression::LogOffset) {
            logp.floor = FLT_MIN;
            logp.offset = c.log_offset;
        }
    }
};

template <class T>
void append_bytes(std::string& s, const T& v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string config_key(const FrontendConfig& c, Isa isa) {
    std::string s;
    append_bytes(s, isa);
    append_bytes(s, c.sample_rate);
    append_bytes(s, c.n_fft);
    append_bytes(s, c.win_length);
    append_bytes(s, c.window);
    append_bytes(s, c.window_periodic);
    append_bytes(s, c.n_mels);
    append_bytes(s, c.fmin_hz);
    append_bytes(s, c.fmax());
    append_bytes(s, c.mel_scale);
    append_bytes(s, c.mel_norm);
    append_bytes(s, c.mel_triangles);
    append_bytes(s, c.compression);
    append_bytes(s, c.log_floor);
    append_bytes(s, c.log_offset);
    append_bytes(s, c.db_ref);
    append_bytes(s, c.n_mfcc);
    append_bytes(s, c.lifter);
    append_bytes(s, c.lifter_style);
    return s;
}

// Process-wide cache, as fft::real_plan: a batch call on a short clip should
// not pay for building filterbanks. Bounded: cleared past 64 configs.
std::shared_ptr<const Tables> tables_for(const FrontendConfig& c, Isa isa) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const Tables>> cache;
    const std::string key = config_key(c, isa);
    {
        std::lock_guard<std::mutex> lock(mu);
        auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    auto t = std::make_shared<const Tables>(c, isa);
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= 64) cache.clear();
    return cache.emplace(key, t).first->second;
}

}  // namespace
}  // namespace detail

using detail::kPad;
using detail::round_up;

struct FrontendImpl {
    FrontendConfig cfg;
    std::shared_ptr<const detail::Tables> t;
    Output out;
    std::size_t osize;
    bool energy;       // compute the spectrum sum into mel[n_mels]
    bool energy_out;   // and append it to LogMel frames (batch with top_db)
    detail::Framer framer;
    std::vector<float> fft_in, spec, work, power, mel, cep;
    std::unique_ptr<detail::Pcen> pcen;

    FrontendImpl(const FrontendConfig& c, Output o, Isa isa, bool append_energy)
        : cfg(c), t(detail::tables_for(c, isa)), out(o), framer(c) {
        energy_out = append_energy && c.energy_as_c0;
        energy = c.energy_as_c0 && (o == Output::Mfcc || energy_out);
        osize = c.output_size(o) + (energy_out ? 1 : 0);
        fft_in.assign(static_cast<std::size_t>(std::max(c.n_fft, t->win_pad) + kPad), 0.0f);
        spec.assign(2 * static_cast<std::size_t>(t->bins_pad + kPad), 0.0f);
        work.assign(t->plan->work_size() + kPad, 0.0f);
        power.assign(static_cast<std::size_t>(std::max(t->bins_pad, t->bands.bins_read) + kPad), 0.0f);
        // padding lanes hold 1 so the log kernel sees finite, positive values
        mel.assign(static_cast<std::size_t>(round_up(c.n_mels + 1, kPad)), 1.0f);
        cep.assign(static_cast<std::size_t>(t->dct.n_out_pad), 0.0f);
        if (c.compression == Compression::PCEN) pcen.reset(new detail::Pcen(c));
    }

    void reset() {
        framer.reset();
        if (pcen) pcen->reset();
    }

    void frame(float* f, float* dst) {
        const detail::KernelTable& k = *t->k;
        const int win = cfg.win_length;
        float* x = f + cfg.frame_offset();
        if (cfg.remove_dc) {
            double s = 0.0;
            for (int i = 0; i < win; ++i) s += x[i];
            const float mean = static_cast<float>(s / win);
            for (int i = 0; i < win; ++i) x[i] -= mean;
        }
        if (cfg.preemphasis_per_frame && cfg.preemphasis != 0.0f) {
            const float a = cfg.preemphasis;
            for (int i = win - 1; i > 0; --i) x[i] -= a * x[i - 1];
            x[0] -= a * x[0];
        }
        k.window(x, t->window.data(), fft_in.data(), t->win_pad);
        t->plan->forward(fft_in.data(), reinterpret_cast<fft::cfloat*>(spec.data()), 1.0f, work.data());
        if (out == Output::Stft) {
            std::memcpy(dst, spec.data(), osize * sizeof(float));
            return;
        }
        k.spectrum(spec.data(), power.data(), t->bins_pad, cfg.spectrum_power, cfg.spectrum_scale);
        if (out == Output::Spectrum) {
            std::memcpy(dst, power.data(), osize * sizeof(float));
            return;
        }
        k.mel(power.data(), t->bands.view(), mel.data());
        if (energy) mel[cfg.n_mels] = k.sum(power.data(), t->bins_pad);
        if (out == Output::Mel) {
            std::memcpy(dst, mel.data(), osize * sizeof(float));
            return;
        }
        if (pcen)
            pcen->process(mel.data());
        else if (cfg.compression != Compression::None)
            k.log(mel.data(), static_cast<int>(mel.size()), t->logp);
        if (out == Output::LogMel) {
            std::memcpy(dst, mel.data(), osize * sizeof(float));
            return;
        }
        cepstrum(mel.data(), dst);
    }

    // logmel: n_mels values, then the compressed energy when energy_as_c0
    void cepstrum(const float* logmel, float* dst) {
        t->k->dct(logmel, cfg.n_mels, t->dct.cols.data(), t->dct.n_out_pad, cep.data());
        if (cfg.energy_as_c0) cep[0] = logmel[cfg.n_mels];
        std::memcpy(dst, cep.data(), static_cast<std::size_t>(cfg.n_mfcc) * sizeof(float));
    }

    void check_finite(const float* x, std::size_t n, const char* who) const {
        if (t->k->all_finite(x, n)) return;
        std::size_t i = 0;
        while (i < n && std::isfinite(x[i])) ++i;
        throw std::invalid_argument(std::string(who) + ": sample " + std::to_string(i) + " is " +
                                    (std::isnan(x[i]) ? "NaN" : "infinite") +
                                    "; audio must be finite (clean or reject it before the frontend)");
    }

    std::size_t push(const float* in, std::size_t n, float* dst, std::size_t max_frames, std::size_t* consumed,
                     const char* who = "Frontend.push") {
        check_finite(in, n, who);
        const std::size_t step = osize;
        return framer.push(in, n, max_frames, consumed, [&](float* f) {
            frame(f, dst);
            dst += step;
        });
    }

    std::size_t flush(float* dst) {
        const std::size_t step = osize;
        const std::size_t count = framer.flush([&](float* f) {
            frame(f, dst);
            dst += step;
        });
        if (pcen) pcen->reset();
        return count;
    }
};

namespace {

FrontendImpl* make_streaming(const FrontendConfig& c, Output o, Isa isa) {
    c.validate();
    if (c.top_db && (o == Output::LogMel || o == Output::Mfcc))
        throw std::invalid_argument(
            "FrontendConfig.top_db: clips against the loudest value of the whole clip, which a stream "
            "cannot know; set top_db to none to stream (batch compute() applies it)");
    return new FrontendImpl(c, o, isa, false);
}

}  // namespace

Frontend::Frontend(const FrontendConfig& config, Isa isa) : d_(make_streaming(config, config.output, isa)) {}
Frontend::Frontend(const FrontendConfig& config, Output output, Isa isa)
    : d_(make_streaming(config, output, isa)) {}
Frontend::~Frontend() = default;

const FrontendConfig& Frontend::config() const { return d_->cfg; }
Output Frontend::output() const { return d_->out; }
std::size_t Frontend::output_size() const { return d_->osize; }
Isa Frontend::isa() const { return d_->t->isa; }
std::size_t Frontend::frames_ready(std::size_t n) const { return d_->framer.frames_ready(n); }
std::size_t Frontend::flush_frames() const { return d_->framer.flush_frames(); }
std::size_t Frontend::samples_pushed() const { return static_cast<std::size_t>(d_->framer.samples_pushed()); }

std::size_t Frontend::push(const float* in, std::size_t n, float* out) {
    std::size_t consumed = 0;
    return d_->push(in, n, out, std::numeric_limits<std::size_t>::max(), &consumed);
}

std::size_t Frontend::push(const float* in, std::size_t n, float* out, std::size_t max_frames,
                           std::size_t* consumed) {
    return d_->push(in, n, out, max_frames, consumed);
}

std::size_t Frontend::flush(float* out) { return d_->flush(out); }
void Frontend::reset() { d_->reset(); }

void compute(const FrontendConfig& c, const float* x, std::size_t n, Output o, float* out, Isa isa) {
    c.validate();
    const bool clip = c.top_db && (o == Output::LogMel || o == Output::Mfcc);
    if (!clip) {
        FrontendImpl f(c, o, isa, false);
        std::size_t consumed = 0;
        const std::size_t got = f.push(x, n, out, std::numeric_limits<std::size_t>::max(), &consumed, "audio");
        f.flush(out + got * f.osize);
        return;
    }
    // librosa.power_to_db(top_db): log-mel first, clipped against the clip's
    // maximum, then the DCT (with the unclipped energy as c0 if asked)
    FrontendImpl f(c, Output::LogMel, isa, o == Output::Mfcc);
    const std::size_t frames = c.num_frames(n);
    const std::size_t stride = f.osize;
    std::vector<float> logmel(frames * stride);
    std::size_t consumed = 0;
    const std::size_t got =
        f.push(x, n, logmel.data(), std::numeric_limits<std::size_t>::max(), &consumed, "audio");
    f.flush(logmel.data() + got * stride);
    if (frames == 0) return;
    const std::size_t nm = static_cast<std::size_t>(c.n_mels);
    float peak = -std::numeric_limits<float>::infinity();
    for (std::size_t t = 0; t < frames; ++t)
        for (std::size_t m = 0; m < nm; ++m) peak = std::max(peak, logmel[t * stride + m]);
    const float floor = peak - *c.top_db;
    for (std::size_t t = 0; t < frames; ++t)
        for (std::size_t m = 0; m < nm; ++m) logmel[t * stride + m] = std::max(logmel[t * stride + m], floor);
    if (o == Output::LogMel) {
        std::memcpy(out, logmel.data(), frames * nm * sizeof(float));
        return;
    }
    FrontendImpl dct(c, Output::Mfcc, isa, false);
    for (std::size_t t = 0; t < frames; ++t)
        dct.cepstrum(logmel.data() + t * stride, out + t * static_cast<std::size_t>(c.n_mfcc));
}

std::vector<float> window(const FrontendConfig& c) {
    c.validate();
    const std::vector<double> w = detail::make_window(c.window, c.win_length, c.window_periodic);
    return std::vector<float>(w.begin(), w.end());
}

std::vector<float> mel_filterbank(const FrontendConfig& c) {
    c.validate();
    const std::vector<double> w = detail::mel_weights(c);
    return std::vector<float>(w.begin(), w.end());
}

}  // namespace edgeaudio::frontend
