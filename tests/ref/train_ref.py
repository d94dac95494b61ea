#!/usr/bin/python3
"""PyTorch references for the training tests (tests/core/test_conv2d_backward.c,
tests/core/test_train.c).

Usage: train_ref.py OP OUTDIR SEED, OP one of conv2d_backward, train. Writes
OUTDIR/cases.txt and OUTDIR/NAME.TENSOR.bin as tests/ref/norm_ref.py does.

conv2d_backward: gradients of torch.nn.functional.conv2d by autograd of
sum(y * dy) in float64 from float32 inputs, and the same gradients of the
convolution of |x|, |w| against |dy| (the sums of |terms|, which scale the
tolerance) as dx_mag, dw_mag, db_mag."""
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


def main():
    op, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(seed)
    w = Writer(out)
    {"conv2d_backward": conv2d_backward}[op](w, gen)
    w.close()


if __name__ == "__main__":
    main()
