"""Type stubs for the Cython fingerprint matcher core (edgeaudio/_fpmatch.pyx)."""
from typing import Tuple

import numpy as np

def offset_scores(db_hash: np.ndarray, db_song: np.ndarray, db_frame: np.ndarray, q_hash: np.ndarray,
                  q_frame: np.ndarray, q_variant: np.ndarray, n_songs: int, n_variants: int,
                  tolerance: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
