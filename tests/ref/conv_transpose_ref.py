#!/usr/bin/python3
"""PyTorch references for the graph's ConvTranspose
(tests/onnx/test_conv_transpose_torch.c).

Usage: conv_transpose_ref.py conv_transpose OUTDIR SEED. Each case is one
torch.nn.functional.conv_transpose{1,2,3}d call with its attributes in
cases.txt (dims, n, cin, cout, groups, bias and per spatial axis k*, s*, p*,
op*, d*: kernel, stride, padding, output padding, dilation; axes 0.. from the
outermost) and tensors x, w, b, y in tests/ref/norm_ref.py's format. Inputs
are float32; y is computed in float64 and rounded to float32."""
import sys

import torch
import torch.nn.functional as F

from norm_ref import Writer, rand, randint

# (spatial input size, kernel, stride, padding, output padding, dilation),
# channels in, out, groups
CASES = [
    ((5, 6), (3, 3), (1, 1), (0, 0), (0, 0), (1, 1), 3, 2, 1),
    ((7, 6), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 8, 6, 1),     # the decoder step
    ((5, 7), (3, 3), (2, 2), (1, 1), (1, 1), (1, 1), 4, 5, 1),     # output padding
    ((6, 5), (3, 2), (3, 2), (2, 0), (2, 1), (1, 1), 3, 4, 1),     # output padding < stride
    ((5, 5), (3, 3), (2, 1), (1, 2), (0, 0), (2, 3), 4, 4, 1),     # dilation
    ((6, 7), (3, 3), (2, 2), (1, 1), (1, 0), (1, 1), 6, 9, 3),     # groups
    ((8, 8), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 8, 8, 8),     # depthwise
    ((40, 64), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 8, 32, 1),  # col in two chunks
    ((9,), (5,), (3,), (2,), (1,), (2,), 4, 6, 2),                 # 1-D
    ((3, 4, 3), (2, 3, 2), (2, 1, 2), (0, 1, 1), (1, 0, 0), (1, 1, 2), 3, 4, 1),  # 3-D
]
FUNCS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def main():
    op, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    assert op == "conv_transpose"
    gen = torch.Generator().manual_seed(seed)
    w = Writer(out)
    for i, (size, k, s, p, op_, d, cin, cout, groups) in enumerate(CASES):
        name = f"ct{i}"
        n = randint(gen, 1, 2)
        bias = i % 3 != 1
        x = rand(gen, n, cin, *size).detach()
        wt = rand(gen, cin, cout // groups, *k).detach()
        b = rand(gen, cout).detach() if bias else None
        y = FUNCS[len(size)](x, wt, b, stride=s, padding=p, output_padding=op_, groups=groups,
                             dilation=d)
        axes = {}
        for a in range(len(size)):
            axes.update({f"k{a}": k[a], f"s{a}": s[a], f"p{a}": p[a], f"op{a}": op_[a],
                         f"d{a}": d[a]})
        w.case(name, dims=len(size), n=n, cin=cin, cout=cout, groups=groups, bias=int(bias),
               **axes)
        w.tensor(name, "x", x)
        w.tensor(name, "w", wt)
        if bias:
            w.tensor(name, "b", b)
        w.tensor(name, "y", y)
    w.close()


if __name__ == "__main__":
    main()
