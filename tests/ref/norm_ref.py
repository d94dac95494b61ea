#!/usr/bin/python3
"""PyTorch references for the batchnorm, activation, dense/gemm, softmax and
element-wise tests (tests/core/test_<op>.c).

Usage: norm_ref.py OP OUTDIR SEED, OP one of batchnorm, activation, dense,
softmax, elementwise. Shapes and values are drawn from SEED. Writes
OUTDIR/cases.txt, one line per case "NAME key=value ...", and for each tensor
OUTDIR/NAME.TENSOR.bin: int32 ndim, int32 dims, float32 values (little
endian). Inputs are float32; references are computed in float64 from them
(outputs by the torch.nn.functional op, gradients by autograd of
sum(y * dy)) and rounded to float32."""
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F


class Writer:
    def __init__(self, out):
        self.out = out
        self.lines = []

    def case(self, name, **params):
        self.lines.append(name + "".join(f" {k}={v}" for k, v in params.items()))

    def tensor(self, case, name, t):
        t = t.detach().to(torch.float32).contiguous()
        dims = list(t.shape) or [1]
        with open(os.path.join(self.out, f"{case}.{name}.bin"), "wb") as f:
            f.write(struct.pack(f"<i{len(dims)}i", len(dims), *dims))
            f.write(t.numpy().astype("<f4").tobytes())

    def close(self):
        with open(os.path.join(self.out, "cases.txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def rand(gen, *shape, lo=-1.0, hi=1.0):
    """float32 uniform values, returned as float64 leaves for autograd."""
    x = torch.rand(*shape, generator=gen, dtype=torch.float32) * (hi - lo) + lo
    return x.to(torch.float64).requires_grad_()


def randint(gen, lo, hi):
    return int(torch.randint(lo, hi + 1, (1,), generator=gen))


def batchnorm(w, gen):
    steps = 3
    shapes = [(2, 3, 5, 7), (1, 4, 1, 1 + randint(gen, 30, 60)), (3, 1, 6, 6), (4, 5),
              (randint(gen, 2, 3), randint(gen, 1, 6), randint(gen, 1, 13), randint(gen, 1, 13)),
              (2, 16, 9, 33), (8, 3, 2, 1),
              # more channels than one block of the small-plane paths
              (5, 150), (2, 70, 2, 3)]
    for i, shape in enumerate(shapes):
        name = f"bn{i}"
        c = shape[1]
        momentum = 0.1 if i % 2 == 0 else 0.3
        eps = 1e-5 if i % 3 else 1e-3
        offset = 5.0 if i == 5 else 0.0  # mean far from 0
        gamma, beta = rand(gen, c, lo=0.5, hi=1.5), rand(gen, c)
        rm0, rv0 = rand(gen, c).detach(), rand(gen, c, lo=0.5, hi=2.0).detach()
        w.tensor(name, "gamma", gamma)
        w.tensor(name, "beta", beta)
        w.tensor(name, "running_mean0", rm0)
        w.tensor(name, "running_var0", rv0)
        rm, rv = rm0.clone(), rv0.clone()
        onnx_m, onnx_v = rm0.clone(), rv0.clone()
        count = math.prod(shape) // c
        dims = [0] + list(range(2, len(shape)))
        for s in range(steps):
            x = rand(gen, *shape, lo=offset - 2.0, hi=offset + 2.0)
            w.tensor(name, f"x{s}", x)
            y = F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=momentum, eps=eps)
            # ONNX rule by its formula, from the same batch statistics
            mean = x.detach().mean(dim=dims)
            var = x.detach().var(dim=dims, unbiased=False)
            unbiased = var * count / (count - 1) if count > 1 else var
            onnx_m = momentum * onnx_m + (1 - momentum) * mean
            onnx_v = momentum * onnx_v + (1 - momentum) * unbiased
        dy = rand(gen, *shape)
        w.tensor(name, "dy", dy)
        dx, dgamma, dbeta = torch.autograd.grad((y * dy).sum(), (x, gamma, beta))
        w.tensor(name, "y", y)
        w.tensor(name, "dx", dx)
        w.tensor(name, "dgamma", dgamma)
        w.tensor(name, "dbeta", dbeta)
        w.tensor(name, "running_mean", rm)
        w.tensor(name, "running_var", rv)
        w.tensor(name, "onnx_running_mean", onnx_m)
        w.tensor(name, "onnx_running_var", onnx_v)
        y_inf = F.batch_norm(x, rm0, rv0, gamma, beta, training=False, eps=eps)
        w.tensor(name, "y_inference", y_inf)
        w.case(name, steps=steps, momentum=momentum, eps=eps)


ACTIVATIONS = {
    "relu": lambda x, a: F.relu(x),
    "leaky_relu": lambda x, a: F.leaky_relu(x, a),
    "sigmoid": lambda x, a: torch.sigmoid(x),
    "tanh": lambda x, a: torch.tanh(x),
    "gelu": lambda x, a: F.gelu(x),
    "gelu_tanh": lambda x, a: F.gelu(x, approximate="tanh"),
    "hardswish": lambda x, a: F.hardswish(x),
    "relu6": lambda x, a: F.relu6(x),
}


def activation(w, gen):
    for kind, (name, fn) in enumerate(ACTIVATIONS.items()):
        n = randint(gen, 500, 9000)
        x = rand(gen, n, lo=-6.0, hi=6.0)
        with torch.no_grad():  # near the kinks and ends of the piecewise ones (exactly
            # at +-3 torch's vector and scalar hardswish gradients disagree)
            x[:12] = torch.tensor([0.0, -3.001, 3.001, 1e-3, -1e-3, 12.0, -12.0, 0.5,
                                   40.0, -40.0, 1e-30, 0.7])
        alpha = 0.01 if kind != 1 else 0.2
        dy = rand(gen, n)
        y = fn(x, alpha)
        (dx,) = torch.autograd.grad((y * dy).sum(), (x,))
        for t, v in (("x", x), ("dy", dy), ("y", y), ("dx", dx)):
            w.tensor(name, t, v)
        w.case(name, kind=kind, alpha=alpha)


def dense(w, gen):
    shapes = [(1, 3, 2), (4, 17, 9), (7, 300, 33), (70, 129, 140), (5, 64, 1000),
              (randint(gen, 1, 40), randint(gen, 1, 300), randint(gen, 1, 200))]
    for i, (batch, inp, out) in enumerate(shapes):
        name = f"dense{i}"
        x, wt, b, dy = rand(gen, batch, inp), rand(gen, out, inp), rand(gen, out), rand(gen, batch, out)
        y = F.linear(x, wt, b)
        dx, dw, db = torch.autograd.grad((y * dy).sum(), (x, wt, b))
        for t, v in (("x", x), ("w", wt), ("b", b), ("dy", dy), ("y", y), ("dx", dx),
                     ("dw", dw), ("db", db), ("mag", F.linear(x.abs(), wt.abs(), b.abs()))):
            w.tensor(name, t, v)
        w.case(name, kind="dense")
    # BLAS sgemm: C = alpha op(A) op(B) + beta C, over the transposes and tails
    for i, (m, n, k) in enumerate([(1, 1, 1), (5, 7, 3), (67, 131, 259), (13, 45, 600),
                                   (130, 20, 70), (randint(gen, 1, 90), randint(gen, 1, 150),
                                                   randint(gen, 1, 300)),
                                   # fewer rows than the small-M path's limit
                                   (2, 300, 50), (3, 70, 600), (1, 700, 33), (2, 1030, 513)]):
        ta, tb = i % 2, (i // 2) % 2
        alpha, beta = (1.0, 0.0) if i % 3 == 0 else (0.5, -1.5)
        name = f"gemm{i}"
        a = rand(gen, *((k, m) if ta else (m, k)))
        bm = rand(gen, *((n, k) if tb else (k, n)))
        c = rand(gen, m, n)
        opa, opb = (a.T if ta else a), (bm.T if tb else bm)
        ref = alpha * opa @ opb + beta * c
        mag = abs(alpha) * opa.abs() @ opb.abs() + abs(beta) * c.abs()
        for t, v in (("a", a), ("b", bm), ("c", c), ("y", ref), ("mag", mag)):
            w.tensor(name, t, v)
        w.case(name, kind="gemm", m=m, n=n, k=k, ta=ta, tb=tb, alpha=alpha, beta=beta)


def softmax(w, gen):
    shapes = [((2, 10), 1), ((3, 4, 5), 1), ((2, 3, 4, 5), -1), ((1, 7, 3, 3), 1),
              ((6, 2), 0), ((randint(gen, 1, 5), randint(gen, 1, 40), 3), 1)]
    for i, (shape, axis) in enumerate(shapes):
        name = f"softmax{i}"
        x = rand(gen, *shape, lo=-8.0, hi=8.0)
        if i == 0:
            with torch.no_grad():
                x[0, 0] = 80.0  # exp would overflow without the maximum taken out
        dy = rand(gen, *shape)
        y = F.softmax(x, dim=axis)
        (dx,) = torch.autograd.grad((y * dy).sum(), (x,))
        ly = F.log_softmax(x, dim=axis)
        (ldx,) = torch.autograd.grad((ly * dy).sum(), (x,))
        for t, v in (("x", x), ("dy", dy), ("y", y), ("dx", dx), ("log_y", ly),
                     ("log_dx", ldx)):
            w.tensor(name, t, v)
        w.case(name, kind="softmax", axis=axis)
    for i, shape in enumerate([(1, 2), (8, 10), (33, 7), (randint(gen, 1, 64), randint(gen, 2, 100)),
                               (2, 5, 3, 4), (3, 4, 7)]):  # per-position classes
        name = f"xent{i}"
        logits = rand(gen, *shape, lo=-5.0, hi=5.0)
        labels = torch.randint(0, shape[1], (shape[0],) + shape[2:], generator=gen)
        loss = F.cross_entropy(logits, labels)
        dloss = 0.75
        (dlogits,) = torch.autograd.grad(loss * dloss, (logits,))
        w.tensor(name, "logits", logits)
        w.tensor(name, "labels", labels.to(torch.float32))
        w.tensor(name, "loss", loss)
        w.tensor(name, "dlogits", dlogits)
        w.case(name, kind="cross_entropy", dloss=dloss)


def elementwise(w, gen):
    pairs = [((2, 3, 4, 5), (2, 3, 4, 5)), ((2, 3, 4, 5), (3, 1, 1)), ((2, 3, 4, 5), (1,)),
             ((1, 4, 1, 6), (1, 4, 7, 6)), ((3, 1, 5), (1, 4, 1)), ((6,), (2, 3, 6)),
             ((1, 8, 1, 1), (2, 8, 9, 11)), ((4, 5), (4, 1))]
    for i, (sa, sb) in enumerate(pairs):
        for op in ("add", "mul"):
            name = f"{op}{i}"
            a, b = rand(gen, *sa), rand(gen, *sb)
            y = a + b if op == "add" else a * b
            dy = rand(gen, *y.shape)
            da, db = torch.autograd.grad((y * dy).sum(), (a, b))
            for t, v in (("a", a), ("b", b), ("dy", dy), ("y", y), ("da", da), ("db", db)):
                w.tensor(name, t, v)
            w.case(name, op=0 if op == "add" else 1)


def main():
    op, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(seed)
    w = Writer(out)
    {"batchnorm": batchnorm, "activation": activation, "dense": dense, "softmax": softmax,
     "elementwise": elementwise}[op](w, gen)
    w.close()


if __name__ == "__main__":
    main()
