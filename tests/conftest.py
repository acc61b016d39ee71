"""Shared fixtures: run a test once per SIMD path this machine has."""
from __future__ import annotations

import pytest

import edgeaudio
from edgeaudio import _core

SIMD_PATHS = edgeaudio.simd_info()["available"]


@pytest.fixture(params=SIMD_PATHS)
def simd_path(request):
    """Forces each available SIMD path in turn and restores the default after."""
    before = edgeaudio.simd_info()["active"]
    _core._set_simd(request.param)
    try:
        yield request.param
    finally:
        _core._set_simd(before)
