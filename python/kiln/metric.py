"""Evaluation metrics (mxnet.metric)."""
from ._kiln.metric import EvalMetric, Accuracy, TopKAccuracy, Loss  # noqa: F401
