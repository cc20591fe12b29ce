#!/usr/bin/python3
"""The seed chapter ("Layers and Blocks") in Python on kiln, as examples/seed_chapter.cpp runs it
in C++: each network's output, FancyMLP hybridized (its while/if on asscalar() become guards and
a compiled loop), and print(net).

    PYTHONPATH=build/python /usr/bin/python3 examples/seed_chapter.py
"""
from kiln import nd
from kiln.gluon import nn


class MLP(nn.Block):
    def __init__(self, **kwargs):
        super(MLP, self).__init__(**kwargs)
        self.hidden = nn.Dense(256, activation='relu')
        self.output = nn.Dense(10)

    def forward(self, x):
        return self.output(self.hidden(x))


class MySequential(nn.Block):
    def __init__(self, **kwargs):
        super(MySequential, self).__init__(**kwargs)

    def add(self, block):
        self._children[block.name] = block

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x


class FancyMLP(nn.Block):
    def __init__(self, **kwargs):
        super(FancyMLP, self).__init__(**kwargs)
        self.rand_weight = self.params.get_constant('rand_weight', nd.random.uniform(shape=(20, 20)))
        self.dense = nn.Dense(20, activation='relu')

    def forward(self, x):
        x = self.dense(x)
        x = nd.relu(nd.dot(x, self.rand_weight.data()) + 1)
        x = self.dense(x)
        while x.norm().asscalar() > 1:
            x /= 2
        if x.norm().asscalar() < 0.8:
            x *= 10
        return x.sum()


class NestMLP(nn.Block):
    def __init__(self, **kwargs):
        super(NestMLP, self).__init__(**kwargs)
        self.net = nn.Sequential()
        self.net.add(nn.Dense(64, activation='relu'), nn.Dense(32, activation='relu'))
        self.dense = nn.Dense(16, activation='relu')

    def forward(self, x):
        return self.dense(self.net(x))


def main():
    nd.random.seed(0)
    x = nd.random.uniform(shape=(2, 20))

    print("== Sequential: Dense(256, relu) -> Dense(10)")
    net = nn.Sequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()
    print(net(x), end="\n\n")

    print("== MLP (a custom Block)")
    net = MLP()
    net.initialize()
    print(net(x), end="\n\n")

    print("== MySequential")
    net = MySequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()
    print(net(x), end="\n\n")

    print("== FancyMLP (get_constant, a shared Dense, while/if on asscalar())")
    net = FancyMLP()
    net.initialize()
    print(net(x), end="\n\n")

    print("== FancyMLP hybridized: its while/if on asscalar() compile as guards and a loop")
    inputs = {scale: x * scale for scale in (0.01, 1, 100, 10000)}
    eager = {scale: net(xs) for scale, xs in inputs.items()}
    net.hybridize()
    for rep in range(2):  # the first pass traces new paths, the second runs compiled
        for scale, xs in inputs.items():
            y = net(xs)
            if rep == 1:
                print(f"x * {scale:g}: eager {float(eager[scale].asscalar()):g}, compiled {float(y.asscalar()):g}")
    stats = net.hybrid_stats
    print(f"{stats['compiled']} calls compiled end to end, {stats['traced']} traced ({stats['side_exits']} side exits)\n")

    print("== chimera: Sequential(NestMLP, Dense(20), FancyMLP)")
    chimera = nn.Sequential()
    chimera.add(NestMLP(), nn.Dense(20), FancyMLP())
    chimera.initialize()
    print(chimera(x))
    print(chimera, end="\n\n")


if __name__ == "__main__":
    main()
