"""Load a trained DIET or TED model in seconds instead of half a minute.

Rasa builds a loaded model's variables by running one training step through a traced
`tf.function` (`RasaModel.load`: compile, `fit` on one example, then `load_weights`). Tracing
the training graph, gradients included, is most of a Rasa server's start-up: 32 s of 40 s for
this project's model on two cores. A crashed or rolled-out process answers nothing meanwhile.

`load_eagerly_built` runs one eager forward pass in training mode instead, which creates the
same network variables (their values are overwritten by `load_weights` anyway), and skips the
optimizer's saved state, which only training needs. Prediction is traced as before, so parsing
is as fast. Load 32 s -> 5 s and ~320 MB less memory per process; parses and predictions are
identical (tests/nlu/test_fast_loading.py compares them with Rasa's loading). Fine-tuning
(`rasa train --finetune`) keeps Rasa's own path.

`install()` puts it in place of `RasaModel.load` for DIETClassifier, TEDPolicy and every other
Rasa TensorFlow model. It is called when `nlu.time_extractor` is imported: every Rasa process
that loads this project's model imports the pipeline's component classes while reading the
graph schema, before any component is loaded. It patches the loading rather than subclassing
the components, so it applies to every component holding a Rasa TensorFlow model, stock or
subclassed (config.yml's `nlu.trained_without.DIETWithout`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import tensorflow as tf
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

ModelT = TypeVar("ModelT", bound=RasaModel)

#: Rasa's own `RasaModel.load` (the function under the classmethod), for fine-tuning.
STOCK_LOAD = RasaModel.load.__func__  # type: ignore[attr-defined]


def load_eagerly_built(
    cls: type[ModelT],
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: RasaModelData | None = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> ModelT:
    """`RasaModel.load` with the variable-building training step run eagerly, not traced."""
    if finetune_mode or args:
        return STOCK_LOAD(  # type: ignore[no-any-return]
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
            *args, **kwargs,
        )  # fmt: skip
    model = cls(**kwargs)
    config = kwargs.get("config", {})
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
        run_eagerly=config.get(RUN_EAGERLY),
    )
    # One eager forward pass in training mode creates every variable of the network.
    batch_in, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
    model._training = True
    model.batch_loss(batch_in)
    model._training = None
    # The checkpoint also holds the optimizer's training state: not needed to predict.
    status = model.load_weights(model_file_name)
    if status is not None:
        status.expect_partial()
    if predict_data_example:
        model.run_inference(predict_data_example)  # traces the prediction graph now
    return model


def install() -> None:
    """Make `RasaModel.load` (and so DIET's and TED's loading) `load_eagerly_built`."""
    RasaModel.load = classmethod(load_eagerly_built)  # type: ignore[assignment]


def uninstall() -> None:
    """Rasa's own loading again (for comparing the two)."""
    RasaModel.load = classmethod(STOCK_LOAD)  # type: ignore[assignment]
