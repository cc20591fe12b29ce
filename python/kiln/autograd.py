"""Recording for backward (mxnet.autograd): `with autograd.record(): ...; y.backward()`."""
from ._kiln.autograd import record, pause, train_mode, predict_mode, is_recording, is_training  # noqa: F401
