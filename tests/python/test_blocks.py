"""Blocks subclassed in Python: registration as Gluon's, hybridize taking Python out of the call,
host reads as guards at the Python line, errors for the chapter's exercises, threads."""
import sys
import threading

import numpy as np
import pytest

import kiln
from kiln import nd, autograd
from kiln.gluon import nn
from seed_chapter import FancyMLP, MySequential


class MLP(nn.Block):
    def __init__(self, **kwargs):
        super(MLP, self).__init__(**kwargs)
        self.hidden = nn.Dense(256, activation='relu')
        self.output = nn.Dense(10)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.output(self.hidden(x))


def test_attributes_register_children_and_parameters():
    net = MLP()
    assert list(net.collect_params().keys()) == ['hidden.weight', 'hidden.bias', 'output.weight', 'output.bias']
    net.initialize()
    assert net(nd.random.uniform(shape=(2, 20))).shape == (2, 10)
    assert net.collect_params()['hidden.weight'].shape == (256, 20)
    text = repr(net)
    assert text.startswith("MLP(") and "Dense(20 -> 256, relu)" in text, text


def test_hybridize_runs_python_forward_only_while_tracing():
    net = MLP()
    net.initialize()
    x = nd.random.uniform(shape=(2, 20))
    eager = net(x).asnumpy()
    net.hybridize()
    calls = net.calls
    for _ in range(5):
        np.testing.assert_allclose(net(x).asnumpy(), eager, rtol=1e-5, atol=1e-6)
    assert net.calls == calls + 1, "later calls ran compiled code, not the Python forward"
    assert net.hybrid_stats["compiled"] == 4


def test_host_reads_in_python_become_guards_and_the_loop_compiles():
    net = FancyMLP()
    net.initialize()
    xs = [nd.random.uniform(-s, s, shape=(2, 20)) for s in (0.01, 1.0, 100.0, 3.0, 0.3, 30.0)]
    eager = [net(x).asnumpy() for x in xs]
    net.hybridize()
    for x, want in zip(xs, eager):  # each new path is traced and joins the graph
        np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-4, atol=1e-5)
    compiles = net.compile_count
    for x, want in zip(xs, eager):  # every path known: compiled end to end
        np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-4, atol=1e-5)
    assert net.compile_count == compiles
    assert net.hybrid_stats["compiled"] >= len(xs)
    assert "scf.while" in net.traced_ir, "the halving loop at one Python line folds into a compiled loop"


def test_my_sequential_with_children_dict():
    net = MySequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()
    assert net(nd.random.uniform(shape=(2, 20))).shape == (2, 10)
    assert len(net.collect_params().keys()) == 4


def test_forgetting_super_init_names_the_class_and_the_fix():
    class Forgetful(nn.Block):
        def __init__(self):
            self.dense = nn.Dense(3)

    with pytest.raises(RuntimeError, match=r"Forgetful.__init__ .*super\(Forgetful, self\).__init__"):
        Forgetful()


def test_children_in_a_plain_list_fail_at_the_first_call():
    class Listed(nn.Block):
        def __init__(self, **kwargs):
            super(Listed, self).__init__(**kwargs)
            self.layers = [nn.Dense(4), nn.Dense(2)]

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Listed()
    net.initialize()
    with pytest.raises(kiln.InitError, match=r"never registered.*nn.Sequential"):
        net(nd.ones((1, 3)))


def test_every_form_of_call_and_its_errors():
    """block(x) takes a fast path past pybind11's dispatcher; the other forms take the overloads.
    Both give the same results and raise the same kinds of error."""
    net = nn.Dense(3, in_units=4)
    net.initialize()
    x = nd.ones((2, 4))
    assert net(x).shape == (2, 3)
    with pytest.raises(kiln.ShapeError, match="4"):
        net(nd.ones((2, 5)))
    with pytest.raises(kiln.ValueError, match="2 inputs but it takes one"):
        net(x, x)
    with pytest.raises(TypeError, match=r"Dense: its inputs must be NDArrays, got ndarray; make one with nd.array"):
        net(np.ones((2, 4), dtype=np.float32))
    with pytest.raises(TypeError):
        net(x=x)

    class Two(nn.Block):
        def forward(self, a, b):
            return a + b, a * b

    s, p = Two()(x, x)
    assert (s.asnumpy() == 2).all() and (p.asnumpy() == 1).all()

    class Raises(nn.Block):
        def forward(self, x):
            raise KeyError("from the Python forward")

    with pytest.raises(KeyError, match="from the Python forward"):
        Raises()(x)
    raising = Raises()
    raising.hybridize()
    with pytest.raises(KeyError, match="from the Python forward"):
        raising(x)  # raised while tracing, on the way through the compiled path's release of the GIL


def test_compiled_calls_from_several_python_threads():
    net = MLP()
    net.initialize()
    net.hybridize()
    xs = [nd.random.uniform(shape=(2, 20)) for _ in range(4)]
    want = [net(x).asnumpy() for x in xs]
    errors = []

    def run(i):
        try:
            for _ in range(50):
                np.testing.assert_allclose(net(xs[i]).asnumpy(), want[i], rtol=1e-5, atol=1e-6)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_training_step_through_autograd():
    net = nn.Sequential()
    net.add(nn.Dense(8, activation='relu'), nn.Dense(1))
    net.initialize()
    net.hybridize()
    x = nd.random.uniform(shape=(4, 3))
    for _ in range(3):
        with autograd.record():
            loss = (net(x) * net(x)).sum()
        loss.backward()
    assert net.collect_params()['0.weight'].grad().shape == (8, 3)


def test_reading_a_blocks_stats_while_another_thread_traces_it():
    # The tracing thread holds the block's compiled-graph lock and needs the GIL for its Python
    # forward; a reader that waited for that lock while holding the GIL would deadlock.
    import time

    class Slow(nn.Block):
        def __init__(self, **kwargs):
            super(Slow, self).__init__(**kwargs)
            self.dense = nn.Dense(4)

        def forward(self, x):
            time.sleep(0.2)  # lets the reader in while this call traces
            return self.dense(x)

    net = Slow()
    net.initialize()
    net.hybridize()
    def read():
        time.sleep(0.05)
        for _ in range(3):
            net.compile_count, net.hybrid_stats, net.traced_ir

    threads = [threading.Thread(target=lambda: net(nd.ones((1, 3))), daemon=True), threading.Thread(target=read, daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "deadlock: the tracing call or the reader never finished"
    assert net.compile_count == 1


def test_python_blocks_live_as_long_as_their_parents_and_no_longer():
    import gc
    import weakref

    class Doubles(nn.Block):
        def __init__(self, **kwargs):
            super(Doubles, self).__init__(**kwargs)
            self.dense = nn.Dense(3)

        def forward(self, x):
            return self.dense(x) * 2

    seq = nn.Sequential()
    child = Doubles()
    alive = weakref.ref(child)
    seq.add(child)
    seq.initialize()
    del child
    gc.collect()
    assert seq(nd.ones((1, 4))).shape == (1, 3), "the C++ parent keeps the Python child (its forward) alive"
    del seq
    gc.collect()
    assert alive() is None, "freed with its parent"
    lone = weakref.ref(Doubles())
    gc.collect()
    assert lone() is None, "a Block that nothing holds is freed"


class Chain(nn.Block):
    """Ten 512x512 products: a compiled call long enough for another thread to run during it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = self.params.get_constant('w', nd.random.uniform(shape=(512, 512)) / 256)

    def forward(self, x):
        for _ in range(10):
            x = nd.dot(x, self.w.data())
        return x


def test_a_compiled_call_releases_the_gil():
    net = Chain()
    net.initialize()
    net.hybridize()
    x = nd.random.uniform(shape=(512, 512))
    net(x)  # traced and compiled
    inside, done = threading.Event(), []

    def call():
        inside.set()
        net(x)
        done.append(True)

    # No forced switches: the caller gives the GIL up only if the call releases it.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        worker = threading.Thread(target=call)
        worker.start()
        inside.wait()
        ran_during_the_call = not done  # this thread runs at all only once the caller let go
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert ran_during_the_call
    assert net.hybrid_stats["compiled"] == 1
