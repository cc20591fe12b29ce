"""kiln.gluon: Blocks and layers (mxnet.gluon)."""
from . import nn  # noqa: F401
