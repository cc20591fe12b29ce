"""Datasets and loaders (mxnet.gluon.data).

`Dataset` may be subclassed: define `__len__` and `__getitem__` returning (data, label). The
DataLoader prepares the next batch on a background thread while the current one trains.
"""
from ..._kiln import data as _data
from ..._kiln.data import ArrayDataset, DataLoader  # noqa: F401
from . import vision  # noqa: F401


class Dataset(_data.Dataset):
    def transform_first(self, fn, lazy=True):
        """The same items with `fn` applied to their data."""
        return _TransformFirst(self, fn)


class _TransformFirst(Dataset):
    def __init__(self, base, fn):
        super().__init__()
        self._base, self._fn = base, fn

    def __len__(self):
        return len(self._base)

    def __getitem__(self, i):
        data, label = self._base[i]
        return self._fn(data), label
