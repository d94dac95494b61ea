#!/usr/bin/python3
"""PyTorch references for the training tests (tests/core/test_conv2d_backward.c,
tests/core/test_train.c).

Usage: train_ref.py OP OUTDIR SEED, OP one of conv2d_backward, train. Writes
OUTDIR/cases.txt and OUTDIR/NAME.TENSOR.bin as tests/ref/norm_ref.py does.

conv2d_backward: gradients of torch.nn.functional.conv2d by autograd of
sum(y * dy) in float64 from float32 inputs, and the same gradients of the
convolution of |x|, |w| against |dy| (the sums of |terms|, which scale the
tolerance) as dx_mag, dw_mag, db_mag.

train: a few optimiser steps of small networks (FashionNet of
models/fashion-mnist/train.py and a network of every other layer kind) on
random batches: NAME.arch.txt (the network in the trainer's syntax), the
initial parameters pK (model.parameters() order), the batches xS and labelsS,
the parameters after one and after all steps (pK_after1, pK_afterS) and the
batch norm buffers after all steps (bK_afterS), the losses, and the eval-mode
logits of the trained network on a held batch (eval_x, eval_logits).
Computed in float32, as the trainer does."""
import importlib.util
import os
import sys

import torch
import torch.nn.functional as F

from norm_ref import Writer, rand

# name, (n, cin, h, w), cout, (kh, kw), (sh, sw), (dh, dw), (top, bottom, left, right), groups
CONV_CASES = [
    ("k3_pad1", (2, 3, 9, 11), 5, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1),
    ("k1", (3, 7, 5, 6), 4, (1, 1), (1, 1), (1, 1), (0, 0, 0, 0), 1),
    ("k3_valid_one_in", (4, 1, 12, 12), 16, (3, 3), (1, 1), (1, 1), (0, 0, 0, 0), 1),
    ("stride2_pad1", (2, 4, 13, 10), 6, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 1),
    ("stride3x2_k5", (1, 3, 17, 16), 4, (5, 5), (3, 2), (1, 1), (2, 2, 2, 2), 1),
    ("pad_asym", (2, 3, 8, 9), 5, (3, 2), (1, 1), (1, 1), (0, 2, 3, 1), 1),
    ("dilation2", (2, 3, 12, 14), 4, (3, 3), (1, 1), (2, 2), (2, 2, 2, 2), 1),
    ("dilation1x3_stride2", (1, 2, 15, 21), 3, (3, 3), (2, 2), (1, 3), (1, 0, 0, 2), 1),
    ("groups2", (2, 6, 7, 9), 10, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 2),
    ("groups4_stride2x1", (1, 8, 9, 12), 12, (3, 3), (2, 1), (1, 1), (0, 0, 1, 1), 4),
    ("depthwise", (2, 8, 10, 13), 8, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 8),
    ("fashion_conv2", (8, 16, 14, 14), 32, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1),
]


def conv2d_backward(w, gen):
    for name, xs, cout, k, s, d, pad, groups in CONV_CASES:
        x = rand(gen, *xs)
        wt = rand(gen, cout, xs[1] // groups, *k)
        b = rand(gen, cout)
        top, bottom, left, right = pad

        def conv(x_, w_, b_):
            return F.conv2d(F.pad(x_, (left, right, top, bottom)), w_, b_, stride=s,
                            dilation=d, groups=groups)

        y = conv(x, wt, b)
        dy = rand(gen, *y.shape)
        dx, dw, db = torch.autograd.grad((y * dy).sum(), (x, wt, b))
        ax, aw, ab = (t.detach().abs().requires_grad_() for t in (x, wt, b))
        mx, mw, mb = torch.autograd.grad((conv(ax, aw, ab) * dy.detach().abs()).sum(),
                                         (ax, aw, ab))
        for t, v in (("x", x), ("w", wt), ("b", b), ("dy", dy), ("dx", dx), ("dw", dw),
                     ("db", db), ("dx_mag", mx), ("dw_mag", mw), ("db_mag", mb)):
            w.tensor(name, t, v)
        w.case(name, kh=k[0], kw=k[1], sh=s[0], sw=s[1], dh=d[0], dw=d[1], pt=top, pb=bottom,
               pl=left, pr=right, groups=groups)


def fashion_net():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models",
                        "fashion-mnist", "train.py")
    spec = importlib.util.spec_from_file_location("fashion_train", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FashionNet()


FASHION_ARCH = ("conv 16 3 pad=1; bn; relu; maxpool 2; conv 32 3 pad=1; bn; relu; maxpool 2\n"
                "flatten; dense 64; relu; dense 10\n")
MIXED_ARCH = ("# every other layer kind\n"
              "conv 6 3 stride=2 pad=1; bn momentum=0.2; leaky_relu alpha=0.1\n"
              "conv 6 3 pad=1 groups=3 bias=0; tanh; avgpool 2; dense 12; bn eps=1e-3\n"
              "sigmoid; dense 5; hardswish; dense 4 bias=0\n")


def mixed_net():
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(2, 6, 3, stride=2, padding=1), nn.BatchNorm2d(6, momentum=0.2),
        nn.LeakyReLU(0.1), nn.Conv2d(6, 6, 3, padding=1, groups=3, bias=False), nn.Tanh(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(54, 12), nn.BatchNorm1d(12, eps=1e-3),
        nn.Sigmoid(), nn.Linear(12, 5), nn.Hardswish(), nn.Linear(5, 4, bias=False))


# name, network, arch, (c, h, w), classes, batch, optimizer (0 sgd, 1 adam), lr, momentum,
# weight decay, Adam's eps. Adam runs with eps 1e-6: with 1e-8 a parameter whose
# gradient is rounding noise (a conv bias before a batch norm) or cancels to
# ~1e-8 moves by up to lr on either side, in PyTorch as here.
TRAIN_CASES = [
    ("fashion_sgd", fashion_net, FASHION_ARCH, (1, 28, 28), 10, 4, 0, 0.01, 0.9, 1e-4, 0),
    ("fashion_adam", fashion_net, FASHION_ARCH, (1, 28, 28), 10, 4, 1, 1e-3, 0, 1e-4, 1e-6),
    ("mixed_sgd", mixed_net, MIXED_ARCH, (2, 12, 12), 4, 8, 0, 0.1, 0.5, 5e-4, 0),
    ("mixed_adam", mixed_net, MIXED_ARCH, (2, 12, 12), 4, 8, 1, 3e-3, 0, 1e-3, 1e-6),
]
TRAIN_STEPS = 5


def train(w, gen):
    for name, make, arch, shape, classes, batch, kind, lr, momentum, wd, eps in TRAIN_CASES:
        torch.manual_seed(int(torch.randint(0, 2**31, (1,), generator=gen)))
        model = make()
        params = list(model.parameters())
        with open(os.path.join(w.out, name + ".arch.txt"), "w") as f:
            f.write(arch)
        for k, p in enumerate(params):
            w.tensor(name, f"p{k}", p)
        if kind:
            opt = torch.optim.Adam(params, lr=lr, weight_decay=wd, eps=eps)
        else:
            opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd)
        model.train()
        losses = []
        for s in range(TRAIN_STEPS):
            x = torch.randn(batch, *shape, generator=gen)
            labels = torch.randint(0, classes, (batch,), generator=gen)
            w.tensor(name, f"x{s}", x)
            w.tensor(name, f"labels{s}", labels.float())
            opt.zero_grad()
            loss = F.cross_entropy(model(x), labels)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if s == 0 or s == TRAIN_STEPS - 1:
                for k, p in enumerate(params):
                    w.tensor(name, f"p{k}_after{s + 1}", p)
        buffers = [b for n, b in model.named_buffers() if "running" in n]
        for k, b in enumerate(buffers):
            w.tensor(name, f"b{k}_after{TRAIN_STEPS}", b)
        w.tensor(name, "loss", torch.tensor(losses))
        eval_x = torch.randn(batch, *shape, generator=gen)
        model.eval()
        with torch.no_grad():
            w.tensor(name, "eval_x", eval_x)
            w.tensor(name, "eval_logits", model(eval_x))
        w.case(name, c=shape[0], h=shape[1], w=shape[2], batch=batch, steps=TRAIN_STEPS,
               params=len(params), buffers=len(buffers), adam=kind, lr=lr,
               momentum=momentum, wd=wd, eps=eps)


def main():
    op, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(seed)
    w = Writer(out)
    {"conv2d_backward": conv2d_backward, "train": train}[op](w, gen)
    w.close()


if __name__ == "__main__":
    main()
