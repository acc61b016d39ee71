# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Time-offset coherence scoring (Cython core of :mod:`edgeaudio.fingerprint`).

A query landmark (hash h at query frame q) that finds the index landmark
(h, song s, frame d) votes for song s at offset d - q. Landmarks of the right
song agree on one offset; chance hits spread over all of them. The score of a
song is the most votes that fall within +-tolerance frames of one offset.
"""

from libc.stdint cimport int32_t, int64_t, uint32_t
from libc.stdlib cimport free, malloc
from libcpp.algorithm cimport sort

import numpy as np

cdef int64_t OFFSET_BIAS = 1 << 30
cdef int64_t LOW32 = 0xFFFFFFFF


cdef inline Py_ssize_t _upper(const uint32_t[::1] a, uint32_t v) noexcept nogil:
    # first index with a[i] > v
    cdef Py_ssize_t lo = 0, hi = a.shape[0], mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline Py_ssize_t _lower(const uint32_t[::1] a, uint32_t v) noexcept nogil:
    # first index with a[i] >= v
    cdef Py_ssize_t lo = 0, hi = a.shape[0], mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    return lo


def offset_scores(const uint32_t[::1] db_hash, const int32_t[::1] db_song, const int32_t[::1] db_frame,
                  const uint32_t[::1] q_hash, const int32_t[::1] q_frame, const int32_t[::1] q_variant,
                  int n_songs, int n_variants, int tolerance):
    """Scores every song of a hash-sorted index against a query.

    db_hash must be sorted ascending; songs are 0 .. n_songs - 1, variants
    (speed hypotheses) 0 .. n_variants - 1. Returns (score int32, offset
    float64 frames, variant int32, hits int64), one entry per song: the best
    window's votes, the mean offset of those votes, the variant that gave
    them, and the song's votes at any offset.
    """
    cdef Py_ssize_t nq = q_hash.shape[0], i, j, lo, hi, k, total = 0, start, a, b
    if db_song.shape[0] != db_hash.shape[0] or db_frame.shape[0] != db_hash.shape[0]:
        raise ValueError("db_hash, db_song and db_frame must have the same length")
    if q_frame.shape[0] != nq or q_variant.shape[0] != nq:
        raise ValueError("q_hash, q_frame and q_variant must have the same length")
    if n_songs < 0 or n_variants < 1 or tolerance < 0:
        raise ValueError("n_songs >= 0, n_variants >= 1 and tolerance >= 0 are required")
    score_a = np.zeros(n_songs, dtype=np.int32)
    offset_a = np.zeros(n_songs, dtype=np.float64)
    variant_a = np.zeros(n_songs, dtype=np.int32)
    hits_a = np.zeros(n_songs, dtype=np.int64)
    cdef int32_t[::1] score = score_a
    cdef double[::1] offset = offset_a
    cdef int32_t[::1] variant = variant_a
    cdef int64_t[::1] hits = hits_a
    cdef int64_t *keys
    cdef int64_t group, song, off, window_sum
    cdef int best
    with nogil:
        for i in range(nq):
            lo = _lower(db_hash, q_hash[i])
            hi = _upper(db_hash, q_hash[i])
            total += hi - lo
    keys = <int64_t *> malloc(max(total, 1) * sizeof(int64_t))
    if keys == NULL:
        raise MemoryError()
    try:
        with nogil:
            k = 0
            for i in range(nq):
                lo = _lower(db_hash, q_hash[i])
                hi = _upper(db_hash, q_hash[i])
                for j in range(lo, hi):
                    song = db_song[j]
                    if song < 0 or song >= n_songs or q_variant[i] < 0 or q_variant[i] >= n_variants:
                        continue
                    keys[k] = (((song * n_variants + q_variant[i]) << 32)
                               + (<int64_t> db_frame[j] - q_frame[i] + OFFSET_BIAS))
                    k += 1
            total = k
            sort(keys, keys + total)
            # one pass per (song, variant) group: a sliding window of +-tolerance offsets
            start = 0
            while start < total:
                group = keys[start] >> 32
                j = start
                while j < total and (keys[j] >> 32) == group:
                    j += 1
                song = group // n_variants
                hits[song] += j - start
                a = start
                b = start
                for i in range(start, j):
                    while (keys[i] & LOW32) - (keys[a] & LOW32) > tolerance:
                        a += 1
                    while b < j and (keys[b] & LOW32) - (keys[i] & LOW32) <= tolerance:
                        b += 1
                    best = <int> (b - a)
                    if best > score[song]:
                        score[song] = best
                        variant[song] = <int32_t> (group % n_variants)
                        window_sum = 0
                        for lo in range(a, b):
                            window_sum += (keys[lo] & LOW32) - OFFSET_BIAS
                        offset[song] = <double> window_sum / best
                start = j
    finally:
        free(keys)
    return score_a, offset_a, variant_a, hits_a
