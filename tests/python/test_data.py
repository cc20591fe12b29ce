"""gluon.data from Python: datasets (C++ ones and Python subclasses), transforms (C++ ones and
Python callables, run on the loader's background thread), DataLoader batching, shuffling and
epochs."""
import os
import threading

import numpy as np
import pytest

import kiln
from kiln import nd
from kiln.gluon import data as gdata

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def array_dataset(n=10):
    features = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return gdata.ArrayDataset(features, np.arange(n, dtype=np.float32)), features


def test_array_dataset_items_and_batches():
    ds, features = array_dataset()
    assert len(ds) == 10
    x, y = ds[3]
    np.testing.assert_array_equal(x.asnumpy(), features[3])
    assert y.shape == () and float(y.asscalar()) == 3
    assert float(ds[-1][1].asscalar()) == 9
    with pytest.raises(kiln.ValueError, match="10"):
        ds[10]
    batches = [(X.asnumpy(), y.asnumpy()) for X, y in gdata.DataLoader(ds, 4)]
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), np.arange(10))


def test_last_batch_and_errors():
    ds, _ = array_dataset()
    assert len(gdata.DataLoader(ds, 4, last_batch='discard')) == 2
    assert [len(y) for _, y in gdata.DataLoader(ds, 4, last_batch='rollover')] == [4, 4]
    with pytest.raises(kiln.ValueError, match="last_batch"):
        gdata.DataLoader(ds, 4, last_batch='drop')
    with pytest.raises(kiln.ValueError, match="batch_size must be positive"):
        gdata.DataLoader(ds, 0)
    with pytest.raises(kiln.ShapeError, match="same length"):
        gdata.ArrayDataset(np.zeros((3, 2), np.float32), np.zeros(4, np.float32))


def test_shuffle_is_seeded_and_changes_each_epoch():
    ds, _ = array_dataset(64)

    def orders(seed):
        loader = gdata.DataLoader(ds, 64, shuffle=True, seed=seed)
        return [y.asnumpy().tolist() for _ in range(2) for _, y in loader]

    first, second = orders(5)
    assert sorted(first) == list(range(64)) and first != list(range(64)) and first != second
    assert orders(5) == [first, second]


def test_a_new_iter_ends_the_pass_still_open():
    ds, _ = array_dataset(12)
    loader = gdata.DataLoader(ds, 4)
    open_pass = iter(loader)
    next(open_pass)
    assert sum(len(y) for _, y in loader) == 12
    with pytest.raises(StopIteration):
        next(open_pass)


class Squares(gdata.Dataset):
    """A dataset written in Python."""

    def __init__(self, n):
        super().__init__()
        self.n = n
        self.threads = set()

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.threads.add(threading.get_ident())
        return np.full((2,), i * i, np.float32), i


def test_python_dataset_and_transform_run_on_the_loader_thread():
    ds = Squares(9)
    seen = set()

    def plus_one(x):
        seen.add(threading.get_ident())
        return x + 1

    loader = gdata.DataLoader(ds.transform_first(plus_one), 4)
    del ds  # the loader keeps the Python dataset alive
    X = np.concatenate([X.asnumpy() for X, _ in loader])
    np.testing.assert_array_equal(X[:, 0], np.arange(9) ** 2 + 1)
    assert threading.get_ident() in seen and len(seen) >= 2  # this thread's first batch, then the loader's


def test_python_errors_in_a_dataset_reach_the_loop():
    class Broken(Squares):
        def __getitem__(self, i):
            if i == 6:
                raise KeyError("item six")
            return super().__getitem__(i)

    with pytest.raises(KeyError, match="item six"):
        for _ in gdata.DataLoader(Broken(9), 4):
            pass


def test_transforms():
    images = nd.array(np.full((2, 4, 4, 1), 255, np.float32))
    to_tensor = gdata.vision.transforms.ToTensor()
    assert to_tensor(images).shape == (2, 1, 4, 4)
    normalize = gdata.vision.transforms.Normalize(0.5, 0.25)
    composed = gdata.vision.transforms.Compose([to_tensor, normalize])
    np.testing.assert_allclose(composed(images).asnumpy(), 2.0)
    ds = gdata.ArrayDataset(images, np.zeros(2, np.float32)).transform_first(composed)
    np.testing.assert_allclose(ds[0][0].asnumpy(), np.full((1, 4, 4), 2.0))


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST), reason="needs Debian's dataset-fashion-mnist")
def test_fashion_mnist():
    train = gdata.vision.FashionMNIST(train=True)
    assert len(train) == 60000 and len(gdata.vision.FashionMNIST(train=False)) == 10000
    image, label = train[0]
    assert image.shape == (28, 28, 1) and label.shape == ()
    loader = gdata.DataLoader(train.transform_first(gdata.vision.transforms.ToTensor()), 256, shuffle=True)
    X, y = next(iter(loader))
    assert X.shape == (256, 1, 28, 28) and y.shape == (256,) and 0 <= X.asnumpy().min() <= X.asnumpy().max() <= 1
    with pytest.raises(kiln.FileError, match="fashion"):
        gdata.vision.FashionMNIST(root="/nonexistent/fashion")
