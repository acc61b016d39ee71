"""edgeaudio: on-device audio intelligence with a SIMD C++ core.

The native core (``edgeaudio._core``) holds the DSP kernels; the Python
modules mirror the data path: ``fft``, ``aec`` (echo cancellation),
``enhance`` (noise suppression, biquad filters), ``features`` (STFT,
log-mel, MFCC: the one frontend of training and device), and the analysis side:
``wavelet`` (DWT/IDWT, denoising, CWT) and ``analysis`` (pitch tracking); then
``runtime`` (TFLite models) and ``models`` (the streaming detector); ``train``
(not imported here) trains the models.

>>> import edgeaudio
>>> edgeaudio.simd_info()["active"] in edgeaudio.simd_info()["available"]
True
"""
from __future__ import annotations

from typing import Any, Dict

from . import _core
from . import analysis
from . import fft
from . import features
from . import wavelet
from . import aec
from . import enhance
from . import synth
from . import runtime
from . import models
from . import fingerprint
from .features import Frontend, FrontendConfig
from . import pipeline
from .pipeline import Event, Pipeline

__version__: str = _core.__version__

__all__ = ["__version__", "Frontend", "FrontendConfig", "aec", "analysis", "enhance", "features",
           "fft", "models", "runtime", "simd_info", "synth", "wavelet"]
__all__ += ["fingerprint"]
__all__ += ["Pipeline", "Event", "pipeline"]


def simd_info() -> Dict[str, Any]:
    """Report the SIMD paths of this CPU and build.

    Returns
    -------
    dict
        ``active``: the path the kernels run on (``EDGEAUDIO_SIMD`` if set,
        else ``best``); ``best``: the widest path this CPU runs;
        ``available``: paths this CPU and build can run; ``compiled``: paths
        built in; ``cpu_features``: the detected CPU features.

    Raises
    ------
    RuntimeError
        If ``EDGEAUDIO_SIMD`` names an unknown path or one this CPU lacks.
    """
    return dict(_core.simd_info())
