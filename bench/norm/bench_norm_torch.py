#!/usr/bin/python3
"""PyTorch side of bench-norm: time batch normalisation (inference, and
training forward + backward through aten's native_batch_norm and
native_batch_norm_backward, without autograd's bookkeeping) and dropout's
training forward on the same shapes, and print one line per case:

  torch CASE SHAPE MEDIAN_NS

SHAPE is NxCxHxW. Run it under the GLIBC_TUNABLES setting of bench-norm
(malloc keeps its big blocks), which is PyTorch at its best here."""
import argparse
import statistics
import timeit

import torch
import torch.nn.functional as F

SHAPES = [(1, 64, 112, 112), (32, 64, 28, 28)]


def median_ns(fn, reps):
    """Median of reps single calls after a warm-up one, in nanoseconds."""
    fn()
    return int(statistics.median(timeit.repeat(fn, number=1, repeat=reps)) * 1e9)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    for shape in SHAPES:
        c = shape[1]
        x, dy = torch.rand(*shape), torch.rand(*shape)
        w, b = torch.rand(c) + 0.5, torch.rand(c)
        rm, rv = torch.zeros(c), torch.ones(c)
        name = "x".join(map(str, shape))

        def inference():
            F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-5)

        def train():
            y, mean, invstd = torch.native_batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5)
            torch.ops.aten.native_batch_norm_backward(dy, x, w, rm, rv, mean, invstd, True,
                                                      1e-5, [True, True, True])

        def dropout():
            F.dropout(x, 0.5, training=True)

        with torch.no_grad():
            for case, fn in (("bn_inference", inference), ("bn_train_fwd_bwd", train),
                             ("dropout_fwd", dropout)):
                print("torch %s %s %d" % (case, name, median_ns(fn, args.reps)), flush=True)


if __name__ == "__main__":
    main()
