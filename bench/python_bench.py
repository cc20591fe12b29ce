#!/usr/bin/python3
"""µs per call from Python: the seed chapter's MLP, NestMLP and FancyMLP on kiln (eager and
hybridized) and on PyTorch (eager and TorchScript), measured in one process, 1 thread.

    PYTHONPATH=build/python OMP_NUM_THREADS=1 /usr/bin/python3 bench/python_bench.py [--json]

PyTorch (Debian's python3-torch) is optional: without it only kiln's columns are printed.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import kiln  # noqa: E402
from kiln import nd  # noqa: E402
from kiln.gluon import nn  # noqa: E402
from seed_chapter import MLP, FancyMLP, NestMLP  # noqa: E402


def per_call_us(fn, min_time=0.5, reps=5):
    """Median over `reps` repetitions of the mean µs per call, each repetition ~min_time/reps."""
    fn()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.05:
        fn()
        calls += 1
    n = max(1, int(calls * (min_time / reps) / 0.05))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(times)


def kiln_nets():
    def seed_mlp():
        net = nn.Sequential()
        net.add(nn.Dense(256, activation='relu'), nn.Dense(10))
        return net
    def nest_mlp():
        net = nn.Sequential()
        net.add(NestMLP(), nn.Dense(20))
        return net
    return {"seed_mlp": seed_mlp, "mlp": MLP, "nest_mlp": nest_mlp, "fancy_mlp": FancyMLP}


def torch_nets():
    try:
        import torch
    except ImportError:
        return None, {}
    torch.set_num_threads(1)

    class Fancy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rand_weight = torch.rand(20, 20)
            self.dense = torch.nn.Linear(20, 20)

        def forward(self, x):
            x = torch.relu(self.dense(x))
            x = torch.relu(torch.mm(x, self.rand_weight) + 1)
            x = torch.relu(self.dense(x))
            while x.norm().item() > 1:
                x /= 2
            if x.norm().item() < 0.8:
                x *= 10
            return x.sum()

    seq = lambda *m: torch.nn.Sequential(*m)  # noqa: E731
    L, R = torch.nn.Linear, torch.nn.ReLU
    return torch, {
        "seed_mlp": lambda: seq(L(20, 256), R(), L(256, 10)),
        "mlp": lambda: seq(L(20, 256), R(), L(256, 10)),
        "nest_mlp": lambda: seq(L(20, 64), R(), L(64, 32), R(), L(32, 16), R(), L(16, 20)),
        "fancy_mlp": Fancy,
    }


def main():
    as_json = "--json" in sys.argv
    nd.random.seed(0)
    x = nd.random.uniform(shape=(2, 20))
    torch, tnets = torch_nets()
    for name, make in kiln_nets().items():
        row = {"workload": name, "threads": 1}
        net = make()
        net.initialize()
        net(x)
        row["kiln_eager_us"] = per_call_us(lambda: net(x))
        net.hybridize()
        row["kiln_hybrid_us"] = per_call_us(lambda: net(x))
        if torch is not None:
            with torch.no_grad():
                tx = torch.rand(2, 20)
                tnet = tnets[name]().eval()
                row["torch_eager_us"] = per_call_us(lambda: tnet(tx))
                if name != "fancy_mlp":  # data-dependent loop: torch.jit.trace would freeze one path
                    script = torch.jit.freeze(torch.jit.trace(tnet, tx))
                    row["torchscript_us"] = per_call_us(lambda: script(tx))
        if as_json:
            print(json.dumps(row), flush=True)
        else:
            print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
