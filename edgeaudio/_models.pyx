# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Streaming detector over model posteriors (Cython core of :mod:`edgeaudio.models`)."""

from libc.stdlib cimport calloc, free

import numpy as np


cdef class _DetectorCore:
    """Per-class moving average, threshold, patience and refractory state.

    Arrays are owned by the object (allocated once at construction); the
    per-frame work allocates nothing and runs without the GIL.
    """

    cdef int n_classes
    cdef int smoothing
    cdef int patience
    cdef long refractory
    cdef double *threshold     # per class; > 1 disables a class
    cdef double *history       # ring buffer, smoothing x n_classes
    cdef double *sums          # sum of the ring buffer per class (recomputed each frame)
    cdef double *smoothed      # last smoothed value per class
    cdef int *run              # consecutive frames at / above threshold
    cdef long *cooldown        # frames of refractory period left
    cdef int filled            # frames in the ring buffer (<= smoothing)
    cdef int head
    cdef long frame            # frames seen since reset

    def __cinit__(self, int n_classes, double[::1] threshold, int smoothing, int patience, long refractory):
        self.n_classes = n_classes
        self.smoothing = smoothing
        self.patience = patience
        self.refractory = refractory
        self.threshold = <double *> calloc(n_classes, sizeof(double))
        self.history = <double *> calloc(<size_t> smoothing * n_classes, sizeof(double))
        self.sums = <double *> calloc(n_classes, sizeof(double))
        self.smoothed = <double *> calloc(n_classes, sizeof(double))
        self.run = <int *> calloc(n_classes, sizeof(int))
        self.cooldown = <long *> calloc(n_classes, sizeof(long))
        if not (self.threshold and self.history and self.sums and self.smoothed and self.run and self.cooldown):
            raise MemoryError()
        cdef int c
        for c in range(n_classes):
            self.threshold[c] = threshold[c]
        self.reset()

    def __dealloc__(self):
        free(self.threshold)
        free(self.history)
        free(self.sums)
        free(self.smoothed)
        free(self.run)
        free(self.cooldown)

    cpdef void reset(self):
        cdef int i
        for i in range(self.smoothing * self.n_classes):
            self.history[i] = 0.0
        for i in range(self.n_classes):
            self.sums[i] = 0.0
            self.smoothed[i] = 0.0
            self.run[i] = 0
            self.cooldown[i] = 0
        self.filled = 0
        self.head = 0
        self.frame = 0

    @property
    def frames_seen(self):
        return self.frame

    def smoothed_scores(self):
        return np.array([self.smoothed[c] for c in range(self.n_classes)], dtype=np.float64)

    def process(self, const double[:, ::1] posteriors, long[::1] out_frame, int[::1] out_class,
                double[::1] out_score):
        """Run frames through the detector; fills the out arrays, returns the number of detections."""
        cdef Py_ssize_t n = posteriors.shape[0]
        cdef Py_ssize_t t
        cdef int c, slot, k, start
        cdef double acc
        cdef long found = 0
        with nogil:
            for t in range(n):
                slot = self.head
                for c in range(self.n_classes):
                    self.history[slot * self.n_classes + c] = posteriors[t, c]
                if self.filled < self.smoothing:
                    self.filled += 1
                self.head = (self.head + 1) % self.smoothing
                # the mean over the window, summed afresh oldest to newest: a running sum would
                # drift by rounding over hours of audio and could flip a score sitting on the threshold
                start = self.head if self.filled == self.smoothing else 0
                for c in range(self.n_classes):
                    acc = 0.0
                    for k in range(self.filled):
                        acc += self.history[((start + k) % self.smoothing) * self.n_classes + c]
                    self.sums[c] = acc
                    self.smoothed[c] = acc / self.filled
                    if self.cooldown[c] > 0:
                        # frames inside the refractory period neither fire nor count towards patience
                        self.cooldown[c] -= 1
                        self.run[c] = 0
                        continue
                    if self.smoothed[c] >= self.threshold[c]:
                        self.run[c] += 1
                        if self.run[c] >= self.patience:
                            out_frame[found] = self.frame
                            out_class[found] = c
                            out_score[found] = self.smoothed[c]
                            found += 1
                            self.run[c] = 0
                            self.cooldown[c] = self.refractory
                    else:
                        self.run[c] = 0
                self.frame += 1
        return found
