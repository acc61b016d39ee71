"""DS-CNN (Hello Edge family) in Keras, its cost, and full-integer int8 conversion.

TensorFlow is imported inside the functions: ``edgeaudio.train`` imports
without it, and the error names the ``train`` extra.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Tuple

import numpy as np


def tensorflow() -> Any:
    try:
        import tensorflow as tf  # noqa: F401
    except ImportError as e:
        raise ImportError("edgeaudio.train needs TensorFlow: pip install '.[train]' from the edgeaudio checkout") from e
    return tf


HEADS = ("global_average", "time_flatten", "global_max", "average_max")


def ds_cnn(input_shape: Tuple[int, int], n_classes: int, filters: int = 64, blocks: int = 4,
           feature_offset: float = 6.0, feature_scale: float = 0.25, head: str = "global_average",
           mel_reduction: int = 4, cepstra: int = 0) -> Any:
    """Depthwise-separable CNN after Zhang et al., *Hello Edge* (DS-CNN-S layout).

    A 10x4 convolution with stride 2 over (time, mel), then ``blocks`` of
    depthwise 3x3 + pointwise 1x1 (each with batch norm and ReLU; the first
    block strides 2 along the mel axis), global average pooling and a dense
    softmax. The input is ``(frames, n_mels, 1)`` log-mel features; a fixed
    affine ``(x + feature_offset) * feature_scale`` brings ``ln(mel + 1e-6)``
    values near unit range (it folds into the int8 input quantisation).

    ``head="time_flatten"`` averages over the mel axis only and feeds the
    whole time axis to the dense layer, so the classifier sees the *order* of
    what it heard (a wake phrase is "hey" then "jarvis", not both anywhere);
    the default global average pooling is the Hello Edge layout.

    ``mel_reduction`` is how many mel bands make one band of what the blocks
    see: 4 (that layout), 2 (the first block does not stride: twice the MACs)
    or 8 (the first convolution strides 4 along the mel axis: half the MACs);
    the parameters are the same.
    ``cepstra`` > 0 smooths each input frame to its spectral envelope first:
    a fixed (untrained) projection keeps the first ``cepstra`` coefficients of
    the frame's orthonormal DCT-II over the mel axis (its cepstrum) and
    transforms back to the mel bands, so what a voice's pitch harmonics and
    fine formant detail add is gone; the frontend is unchanged and the
    projection is one n_mels x n_mels fully connected layer in the int8 model.
    ``head="global_max"`` keeps each channel's strongest response instead of
    its mean, and ``"average_max"`` concatenates both (a short word fills a
    few of the 1 s window's frames: the mean dilutes it with background).
    """
    if mel_reduction not in (2, 4, 8):
        raise ValueError(f"mel_reduction must be 2, 4 or 8, got {mel_reduction!r}")
    conv_mel = 4 if mel_reduction == 8 else 2   # mel stride of the first convolution; the first block does the rest
    if head not in HEADS:
        raise ValueError(f"head must be one of {', '.join(HEADS)}, got {head!r}")
    n_mels = int(input_shape[1])
    if not 0 <= int(cepstra) <= n_mels:
        raise ValueError(f"cepstra must be in [0, {n_mels}] (0: off), got {cepstra!r}")
    tf = tensorflow()
    L = tf.keras.layers
    inp = L.Input(shape=(input_shape[0], n_mels, 1), name="logmel")
    x = L.Rescaling(feature_scale, offset=feature_offset * feature_scale)(inp)
    if cepstra:
        x = L.Reshape((input_shape[0], n_mels))(x)
        x = L.Dense(n_mels, use_bias=False, trainable=False, name="cepstral_smoothing",
                    kernel_initializer=tf.keras.initializers.Constant(cepstral_smoothing(n_mels, int(cepstra))))(x)
        x = L.Reshape((input_shape[0], n_mels, 1))(x)
    x = L.Conv2D(filters, (10, 4), strides=(2, conv_mel), padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    for b in range(blocks):
        stride = (1, mel_reduction // conv_mel) if b == 0 else (1, 1)
        x = L.DepthwiseConv2D((3, 3), strides=stride, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.ReLU()(x)
        x = L.Conv2D(filters, (1, 1), use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.ReLU()(x)
    if head == "time_flatten":
        x = L.AveragePooling2D(pool_size=(1, int(x.shape[2])))(x)
        x = L.Flatten()(x)
    elif head == "global_max":
        x = L.GlobalMaxPooling2D()(x)
    elif head == "average_max":
        x = L.Concatenate()([L.GlobalAveragePooling2D()(x), L.GlobalMaxPooling2D()(x)])
    else:
        x = L.GlobalAveragePooling2D()(x)
    x = L.Dropout(0.2)(x)
    out = L.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return tf.keras.Model(inp, out, name="ds_cnn")


def consistency_kl(p_clean: Any, p_noisy: Any) -> Any:
    """Mean over the batch of KL(``p_clean`` || ``p_noisy``) between rows of class probabilities (Keras' own)."""
    return tensorflow().keras.losses.KLDivergence()(p_clean, p_noisy)


_CONSISTENCY_TRAINER: Any = None


def consistency_trainer(base: Any, weight: float) -> Any:
    """``base`` (a classifier with a softmax output) wrapped to train on noisy / clean twins.

    ``fit`` on the wrapper takes batches ``((x_noisy, x_clean), y)``: the two
    halves go through ``base`` as one batch, and the loss is the compiled loss
    on each half plus ``weight`` x :func:`consistency_kl` of the clean
    prediction (held fixed) and the noisy one, so the model learns to give a
    clip in noise the answer it gives the same clip without. Prediction and
    evaluation are ``base``'s; the compiled metrics score the noisy half. The
    wrapper saves and loads as a ``.keras`` file like any model (its class is
    registered when this function first runs).
    """
    return consistency_trainer_class()(base=base, weight=weight)


def consistency_trainer_class() -> Any:
    """The Keras class of :func:`consistency_trainer`'s wrapper, registered for loading saved ones."""
    global _CONSISTENCY_TRAINER
    if _CONSISTENCY_TRAINER is not None:
        return _CONSISTENCY_TRAINER
    tf = tensorflow()
    keras = tf.keras

    @keras.utils.register_keras_serializable(package="edgeaudio")
    class ConsistencyTrainer(keras.Model):
        def __init__(self, base: Any, weight: float, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.base = base
            self.weight = float(weight)

        def call(self, x: Any, training: bool = False) -> Any:
            return self.base(x, training=training)

        def train_step(self, data: Any) -> Dict[str, Any]:
            (x_noisy, x_clean), y = data
            n = tf.shape(x_noisy)[0]
            with tf.GradientTape() as tape:
                p = self(tf.concat([x_noisy, x_clean], 0), training=True)
                p_noisy, p_clean = p[:n], p[n:]
                loss = (self.compute_loss(x=x_noisy, y=y, y_pred=p_noisy)
                        + self.compute_loss(x=x_clean, y=y, y_pred=p_clean)
                        + self.weight * consistency_kl(tf.stop_gradient(p_clean), p_noisy))
            variables = self.trainable_variables
            self.optimizer.apply(tape.gradient(loss, variables), variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, p_noisy)
            return {m.name: m.result() for m in self.metrics}

        def get_config(self) -> Dict[str, Any]:
            return {"base": keras.utils.serialize_keras_object(self.base), "weight": self.weight}

        @classmethod
        def from_config(cls, config: Dict[str, Any]) -> Any:
            config = dict(config)
            base = keras.utils.deserialize_keras_object(config.pop("base"))
            return cls(base=base, **config)

    _CONSISTENCY_TRAINER = ConsistencyTrainer
    return ConsistencyTrainer


def cepstral_smoothing(n: int, keep: int) -> np.ndarray:
    """The ``(n, n)`` matrix ``P`` with ``frame @ P`` = the frame's first ``keep`` DCT-II cepstra, transformed back.

    ``P = D[:keep].T @ D[:keep]`` for the orthonormal DCT-II matrix ``D``: a
    symmetric projection of rank ``keep`` that passes constants unchanged.
    """
    k = np.arange(n)
    d = np.sqrt(2.0 / n) * np.cos(np.pi * k[:, None] * (2 * k[None, :] + 1) / (2 * n))
    d[0] /= np.sqrt(2.0)
    return (d[:keep].T @ d[:keep]).astype(np.float32)


def mel_reduction_note(mel_reduction: int) -> str:
    """What a manifest's architecture line adds for a non-default ``mel_reduction`` ("" for 4)."""
    return "" if int(mel_reduction) == 4 else f"; the blocks see every {int(mel_reduction)} mel bands as one"


def cepstra_note(cepstra: int) -> str:
    """What a manifest's architecture line adds for ``cepstra`` > 0 ("" when off)."""
    return "" if not int(cepstra) else f"; input frames smoothed to their first {int(cepstra)} DCT cepstra"


def count_macs(model: Any) -> int:
    """Multiply-accumulates of one inference (convolutions and dense layers, batch 1)."""
    tf = tensorflow()
    L = tf.keras.layers
    macs = 0
    for layer in model.layers:
        if isinstance(layer, L.DepthwiseConv2D):
            _, h, w, c = layer.output.shape
            kh, kw = layer.kernel_size
            macs += h * w * c * kh * kw
        elif isinstance(layer, L.Conv2D):
            _, h, w, c = layer.output.shape
            kh, kw = layer.kernel_size
            macs += h * w * c * kh * kw * layer.input.shape[-1]
        elif isinstance(layer, L.Dense):
            macs += layer.input.shape[-1] * layer.units
    return int(macs)


def to_int8_tflite(model: Any, representative: np.ndarray, strip: bool = True) -> bytes:
    """Full-integer conversion: int8 weights, activations, input and output.

    ``representative`` is a set of inputs ``(n, *input_shape)`` from the
    training distribution that fixes the activation ranges; ``strip`` drops
    the names from the flatbuffer (:func:`strip_names`).
    """
    tf = tensorflow()
    rep = np.asarray(representative, np.float32)

    def gen() -> Iterable:
        for i in range(len(rep)):
            yield [rep[i:i + 1]]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = gen
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = conv.convert()
    return strip_names(blob) if strip else blob


def strip_names(blob: bytes) -> bytes:
    """The flatbuffer without its tensor, subgraph and signature names (the same model, 6-8 KB smaller).

    A DS-CNN's names (``ds_cnn_1/re_lu_9_1/Relu;ds_cnn_1/batch_normalization...``)
    are about 7 % of its int8 file; nothing here reads them (the manifest
    describes the input and output); LiteRT gives the stripped file's outputs
    bit for bit (tested), and tflite-runtime runs it (``test_runtime_tflite``).
    """
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    flatbuffer_utils.strip_strings(model)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))
