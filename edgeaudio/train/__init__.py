"""Training: synthesise speech by voice, augment, train, quantise to int8, evaluate, publish.

Needs the ``train`` extra (pinned TensorFlow, ai-edge-litert, matplotlib,
pyroomacoustics): ``pip install '.[train]'`` from the edgeaudio checkout, and
espeak-ng (``apt-get install espeak-ng``; festival with festvox-kallpc16k /
festvox-kdlpc16k and wamerican are used when present).

``edgeaudio train commands --out firmware_models/`` runs
:func:`edgeaudio.train.commands.train_commands`; ``edgeaudio train events``
runs :func:`edgeaudio.train.events.train_events` (sound events: silence,
speech, music, alarm, chime, noise; it also needs fluid-soundfont-gm and,
for its held-out test, timgm6mb-soundfont). ``edgeaudio train chords``
runs :func:`edgeaudio.train.chords.train_chords` (the chord scorer of
``analysis.recognize_chords``; numpy only, SoundFont renders of generated songs).

Modules: ``voices`` (espeak-ng / festival synthesis, splits by voice family),
``augment`` (noise, music, babble, room IRs, gain, shift, speed, SpecAugment),
``speech_commands`` (the Google dataset layout), ``model`` (DS-CNN, MACs,
int8 conversion), ``manifest``, ``commands`` and ``events`` (the pipelines).
"""
from __future__ import annotations

__all__ = ["augment", "chords", "commands", "events", "manifest", "model", "speech_commands", "voices"]
