"""Image datasets (mxnet.gluon.data.vision). FashionMNIST reads Debian's dataset-fashion-mnist
by default; items are (28x28x1 image of 0..255 values, label)."""
from ...._kiln.data.vision import FashionMNIST, MNIST  # noqa: F401
from . import transforms  # noqa: F401
