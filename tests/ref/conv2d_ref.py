#!/usr/bin/python3
"""PyTorch reference outputs for test_conv2d_torch.

Writes, for every case below, raw little-endian float32 files into OUT:
NAME.x (input), NAME.w (weight), NAME.b (bias, when the case has one),
NAME.y (torch.nn.functional.conv2d in float64, rounded to float32) and
NAME.mag (the same convolution of |x|, |w|, |b|: the sum of |terms| of each
output, which scales the tolerance), plus OUT/cases.txt, one line per case:

  NAME n cin h w cout kh kw sh sw dh dw pad groups mode bias

pad is "t,b,l,r" (explicit), "same" or "valid"; mode is zeros, reflect or
replicate. Explicit and "same" padding are applied with F.pad (torch's
padding_mode only pads symmetrically); "same" is ONNX SAME_UPPER, which at
stride 1 is also torch's padding='same' (checked below)."""
import argparse
import os
import warnings

import torch
import torch.nn.functional as F

# name, (n, cin, h, w), cout, (kh, kw), (sh, sw), (dh, dw), pad, groups, mode, bias
CASES = [
    ("k3_valid", (1, 3, 17, 23), 5, (3, 3), (1, 1), (1, 1), "valid", 1, "zeros", True),
    ("k3_nobias", (1, 4, 9, 40), 16, (3, 3), (1, 1), (1, 1), "valid", 1, "zeros", False),
    ("k1", (1, 7, 5, 33), 9, (1, 1), (1, 1), (1, 1), "valid", 1, "zeros", True),
    # 1x1 stride 1 runs over the flattened plane as a matrix product, input
    # channels in passes of 128 (300 = 128 + 128 + 44), columns in tasks
    ("k1_pointwise_14x14", (2, 24, 14, 14), 40, (1, 1), (1, 1), (1, 1), "valid", 1, "zeros",
     True),
    ("k1_pointwise_deep", (1, 300, 9, 11), 70, (1, 1), (1, 1), (1, 1), "valid", 1, "zeros",
     True),
    ("k1_pointwise_grouped", (1, 12, 7, 9), 20, (1, 1), (1, 1), (1, 1), "valid", 4, "zeros",
     False),
    ("k1_pointwise_depthwise", (1, 6, 5, 7), 6, (1, 1), (1, 1), (1, 1), "valid", 6, "zeros",
     True),
    ("k5_same", (1, 2, 20, 21), 3, (5, 5), (1, 1), (1, 1), "same", 1, "zeros", True),
    ("k7_same_reflect", (1, 3, 15, 18), 4, (7, 7), (1, 1), (1, 1), "same", 1, "reflect", True),
    ("k2x4_same_even", (1, 3, 11, 19), 6, (2, 4), (1, 1), (1, 1), "same", 1, "zeros", True),
    ("k4_same_replicate", (1, 2, 13, 12), 3, (4, 4), (1, 1), (1, 1), "same", 1, "replicate",
     False),
    ("k1x3", (1, 5, 6, 47), 7, (1, 3), (1, 1), (1, 1), (0, 0, 1, 1), 1, "zeros", True),
    ("stride2_pad1", (1, 16, 30, 34), 16, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 1, "zeros", True),
    ("stride1x3", (1, 3, 12, 50), 8, (3, 3), (1, 3), (1, 1), "valid", 1, "zeros", True),
    ("stride3x2_k5", (1, 4, 26, 27), 5, (5, 5), (3, 2), (1, 1), (2, 2, 2, 2), 1, "replicate",
     True),
    ("stride2_same", (1, 3, 17, 16), 4, (3, 3), (2, 2), (1, 1), "same", 1, "zeros", True),
    ("stride2_same_reflect", (1, 2, 16, 23), 3, (4, 3), (2, 2), (1, 1), "same", 1, "reflect",
     True),
    ("pad_asym_zeros", (1, 3, 10, 13), 4, (3, 3), (1, 1), (1, 1), (0, 1, 2, 1), 1, "zeros", True),
    ("pad_asym_reflect", (1, 3, 10, 13), 4, (3, 3), (1, 1), (1, 1), (2, 0, 1, 3), 1, "reflect",
     True),
    ("pad_asym_replicate", (1, 3, 10, 13), 4, (3, 3), (1, 1), (1, 1), (3, 1, 0, 4), 1,
     "replicate", True),
    ("dilation2", (1, 3, 21, 25), 6, (3, 3), (1, 1), (2, 2), (2, 2, 2, 2), 1, "zeros", True),
    ("dilation1x3_stride2", (1, 2, 19, 41), 5, (3, 3), (2, 2), (1, 3), "valid", 1, "zeros",
     True),
    ("dilation2_same_reflect", (1, 2, 14, 15), 3, (3, 3), (1, 1), (2, 2), "same", 1, "reflect",
     True),
    ("groups2", (1, 6, 11, 19), 10, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 2, "zeros", True),
    ("groups4", (1, 8, 9, 20), 12, (3, 3), (2, 1), (1, 1), "valid", 4, "zeros", True),
    ("depthwise", (1, 8, 16, 35), 8, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 8, "zeros", True),
    ("depthwise_x2_stride2", (1, 5, 17, 22), 10, (5, 5), (2, 2), (1, 1), "same", 5, "replicate",
     True),
    ("depthwise_dilation2_reflect", (1, 6, 19, 30), 6, (3, 3), (1, 1), (2, 2), "same", 6,
     "reflect", False),
    ("depthwise_k5_stride2x1", (2, 4, 21, 37), 4, (5, 5), (2, 1), (1, 1), (2, 2, 2, 2), 4,
     "zeros", True),
    ("batch3", (3, 3, 12, 29), 7, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, "zeros", True),
    ("batch2_groups_stride", (2, 4, 15, 15), 6, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 2,
     "reflect", True),
    ("width1", (1, 3, 8, 1), 4, (3, 1), (1, 1), (1, 1), "valid", 1, "zeros", True),
    ("whole_image_k", (1, 2, 5, 7), 3, (5, 7), (1, 1), (1, 1), "valid", 1, "zeros", True),
    ("rgb_to_16_224w", (1, 3, 20, 224), 16, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, "zeros",
     True),
    ("c16_stride2_224w", (1, 16, 12, 224), 16, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 1, "zeros",
     True),
    # depthwise 3x3 at stride 1 and 2 with padding <= 1 (the kernels that read
    # unpadded planes): widths around the vector sizes, odd heights, each side
    # padded or not
    ("dw3x3_s1_w1", (1, 3, 5, 1), 3, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 3, "zeros", True),
    ("dw3x3_s2_w2", (1, 4, 7, 2), 4, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 4, "zeros", False),
    ("dw3x3_s1_w7_valid", (1, 5, 9, 7), 5, (3, 3), (1, 1), (1, 1), "valid", 5, "zeros", True),
    ("dw3x3_s2_w14", (1, 6, 14, 14), 6, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 6, "zeros", True),
    ("dw3x3_s1_w15", (1, 4, 11, 15), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 4, "zeros", False),
    ("dw3x3_s2_w16_valid", (1, 3, 13, 16), 3, (3, 3), (2, 2), (1, 1), "valid", 3, "zeros", True),
    ("dw3x3_s1_w17_batch2", (2, 3, 9, 17), 3, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 3, "zeros",
     True),
    ("dw3x3_s2_w17_asym", (1, 3, 10, 17), 3, (3, 3), (2, 2), (1, 1), (1, 0, 0, 1), 3, "zeros",
     True),
    ("dw3x3_s1_w28", (1, 8, 28, 28), 8, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 8, "zeros", True),
    ("dw3x3_s2_w28_h27", (1, 8, 27, 28), 8, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 8, "zeros",
     False),
    ("dw3x3_s1_w56", (1, 4, 15, 56), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 4, "zeros", True),
    ("dw3x3_s2_w56", (1, 4, 13, 56), 4, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 4, "zeros", True),
    ("dw3x3_s1_w112", (1, 2, 9, 112), 2, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 2, "zeros", True),
    ("dw3x3_s2_w112_same", (1, 2, 11, 112), 2, (3, 3), (2, 2), (1, 1), "same", 2, "zeros", True),
    ("dw3x3_s2_h1", (1, 3, 1, 19), 3, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), 3, "zeros", True),
    ("dw3x3_x2_s1", (1, 3, 7, 20), 6, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 3, "zeros", True),
    ("dw3x3_s1_asym", (1, 3, 8, 9), 3, (3, 3), (1, 1), (1, 1), (0, 1, 1, 0), 3, "zeros", True),
]


def same_pads(size, k, s, d):
    """ONNX SAME_UPPER: output ceil(size / s), the odd pixel at the end."""
    out = (size + s - 1) // s
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def reference(x, w, b, pads, stride, dilation, groups, mode):
    t, bo, l, r = pads
    if mode == "zeros":
        x = F.pad(x, (l, r, t, bo))
    else:
        x = F.pad(x, (l, r, t, bo), mode=mode)
    return F.conv2d(x, w, b, stride=stride, dilation=dilation, groups=groups)


def write(path, tensor):
    tensor.to(torch.float32).contiguous().numpy().astype("<f4").tofile(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    # torch notes that padding='same' with an even kernel copies the input
    warnings.filterwarnings("ignore", message="Using padding='same'")
    gen = torch.Generator().manual_seed(args.seed)
    lines = []
    for name, (n, cin, h, wd), cout, k, s, d, pad, groups, mode, bias in CASES:
        x = torch.rand(n, cin, h, wd, generator=gen, dtype=torch.float64) * 2 - 1
        w = torch.rand(cout, cin // groups, *k, generator=gen, dtype=torch.float64) * 2 - 1
        b = torch.rand(cout, generator=gen, dtype=torch.float64) * 2 - 1 if bias else None
        # The C side reads float32: compute the reference from the same values.
        x, w = x.float().double(), w.float().double()
        b = b.float().double() if b is not None else None
        if pad == "same":
            pads = same_pads(h, k[0], s[0], d[0]) + same_pads(wd, k[1], s[1], d[1])
            if s == (1, 1) and mode == "zeros":
                # our SAME_UPPER split is torch's padding='same' at stride 1
                torch_same = F.conv2d(x, w, b, padding="same", dilation=d, groups=groups)
                ours = reference(x, w, b, pads, s, d, groups, mode)
                assert torch.equal(torch_same, ours), name
        elif pad == "valid":
            pads = (0, 0, 0, 0)
        else:
            pads = pad
        y = reference(x, w, b, pads, s, d, groups, mode)
        mag = reference(x.abs(), w.abs(), b.abs() if b is not None else None, pads, s, d,
                        groups, mode)
        base = os.path.join(args.out, name)
        write(base + ".x", x)
        write(base + ".w", w)
        if b is not None:
            write(base + ".b", b)
        write(base + ".y", y)
        write(base + ".mag", mag)
        pad_text = pad if isinstance(pad, str) else ",".join(map(str, pad))
        lines.append("%s %d %d %d %d %d %d %d %d %d %d %d %s %d %s %d" % (
            name, n, cin, h, wd, cout, k[0], k[1], s[0], s[1], d[0], d[1], pad_text, groups,
            mode, int(bias)))
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
