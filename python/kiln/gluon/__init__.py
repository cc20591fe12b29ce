"""kiln.gluon: Blocks, layers, losses, the Trainer and data (mxnet.gluon)."""
from . import nn, loss, data  # noqa: F401
from .._kiln.gluon import Trainer, CompiledStep  # noqa: F401
from .._kiln.nn import Parameter, ParameterDict, SymbolBlock  # noqa: F401
