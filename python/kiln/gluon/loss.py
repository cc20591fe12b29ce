"""Losses (mxnet.gluon.loss): Blocks called as loss(pred, label[, sample_weight]), returning
each sample's loss. They hybridize like any block."""
from .._kiln.loss import (Loss, L1Loss, L2Loss, SoftmaxCrossEntropyLoss, SoftmaxCELoss,  # noqa: F401
                          SigmoidBinaryCrossEntropyLoss, SigmoidBCELoss, HuberLoss)
