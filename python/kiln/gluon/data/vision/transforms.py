"""Image transforms (mxnet.gluon.data.vision.transforms). A DataLoader applies them to a whole
batch at once."""
from ...._kiln.data.vision.transforms import Transform, ToTensor, Normalize, Compose  # noqa: F401
