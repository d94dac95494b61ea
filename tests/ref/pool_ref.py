#!/usr/bin/python3
"""PyTorch reference outputs for test_pool_torch.

For every case below writes raw little-endian files into OUT: NAME.x (input,
float32), NAME.dy (upstream gradient), NAME.y (forward), NAME.dx (gradient by
autograd), NAME.idx (int32 argmax/argmin indices, max and min modes) and, for
the learned poolings, NAME.param (their parameters) and NAME.dparam
(gradients). OUT/cases.txt has one line per case:

  NAME MODE n c h w kh kw sh sw pt pb pl pr dh dw ceil cip divisor p alpha oh ow levels

levels is a comma list (pyramid) or "-". Modes PyTorch has are checked
against its own functions: max_pool2d(return_indices), avg_pool2d
(count_include_pad, divisor_override), lp_pool2d, adaptive_{max,avg}_pool2d,
min as -max_pool2d(-x). The others are the paper's definitions written with
torch ops (autograd gives their gradients):
  max-avg   alpha * max_pool2d + (1 - alpha) * avg_pool2d
  pyramid   adaptive pools per level, cells laid out per channel
  wavelet   Haar low-low band = 2 * avg_pool2d(2) after replicating an odd edge
  mixed / gated / tree (Lee, Gallagher & Tu 2016) on unfolded windows.
lp_pool2d in ceil mode rescales partial windows by kh*kw / taps (it is an
average times the window size); libcnn's Lp is the plain (sum |x|^p)^(1/p),
so ceil-mode Lp cases compare to that sum (avg_pool2d with divisor 1)."""
import argparse
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# name, mode, (n, c, h, w), (kh, kw), (sh, sw), (pt, pb, pl, pr), (dh, dw), ceil, cip, divisor,
# p, alpha, (oh, ow) for adaptive, levels for pyramid
W = dict(stride=None, pad=(0, 0, 0, 0), dil=(1, 1), ceil=0, cip=1, div=0, p=2.0, alpha=0.5,
         out=(0, 0), levels=())


def case(name, mode, shape, kernel=(2, 2), **kw):
    c = dict(W)
    c.update(kw)
    c.update(name=name, mode=mode, shape=shape, kernel=kernel)
    if c["stride"] is None:
        c["stride"] = kernel
    return c


CASES = [
    case("max_2x2", "max", (2, 3, 8, 10)),
    case("max_3x3_s2", "max", (1, 4, 17, 19), (3, 3), stride=(2, 2)),
    case("max_3x3_s2_pad1", "max", (1, 2, 16, 15), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1)),
    case("max_ceil", "max", (1, 3, 11, 13), (3, 3), stride=(2, 2), ceil=1),
    case("max_ceil_pad", "max", (1, 2, 10, 9), (3, 2), stride=(2, 2), pad=(1, 1, 1, 1), ceil=1),
    case("max_dil2", "max", (1, 2, 15, 16), (3, 3), stride=(1, 2), pad=(1, 1, 1, 1), dil=(2, 2)),
    case("max_k3x2_s1", "max", (1, 3, 9, 40), (3, 2), stride=(1, 1)),
    case("max_s3_ceil_dil", "max", (1, 2, 20, 23), (2, 3), stride=(3, 2), dil=(3, 2),
         pad=(1, 1, 1, 1), ceil=1),
    # rows narrower than a vector, and a masked last vector (the Fashion model's 28 -> 14 -> 7)
    case("max_2x2_28", "max", (2, 16, 28, 28)),
    case("max_2x2_14", "max", (1, 32, 14, 14)),
    case("min_3x3_s2_w75", "min", (1, 2, 9, 75), (3, 3), stride=(2, 2)),
    case("avg_3x2_s1_w21", "avg", (1, 3, 7, 21), (3, 2), stride=(1, 1)),
    case("avg_2x2", "avg", (2, 3, 8, 10)),
    case("avg_3x3_s2_pad_cip", "avg", (1, 4, 17, 15), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1)),
    case("avg_3x3_s2_pad_nocip", "avg", (1, 4, 17, 15), (3, 3), stride=(2, 2),
         pad=(1, 1, 1, 1), cip=0),
    case("avg_ceil_cip", "avg", (1, 2, 11, 12), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1), ceil=1),
    case("avg_ceil_nocip", "avg", (1, 2, 11, 12), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1),
         ceil=1, cip=0),
    case("avg_divisor", "avg", (1, 3, 12, 13), (3, 2), stride=(2, 1), pad=(1, 1, 1, 1), div=5),
    case("avg_4x4_s1", "avg", (1, 2, 9, 33), (4, 4), stride=(1, 1), pad=(2, 2, 2, 2)),
    case("min_2x2", "min", (1, 3, 8, 10)),
    case("min_3x3_s2_ceil_pad", "min", (1, 2, 13, 14), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1),
         ceil=1),
    case("lp2_2x2", "lp", (1, 3, 8, 10), p=2.0),
    case("lp1_3x3_s2", "lp", (1, 2, 15, 17), (3, 3), stride=(2, 2), p=1.0),
    case("lp3_3x2", "lp", (1, 2, 12, 11), (3, 2), stride=(1, 2), p=3.0),
    case("lp1.5_2x3", "lp", (1, 2, 10, 12), (2, 3), stride=(2, 2), p=1.5),
    case("lp2_ceil", "lp", (1, 2, 11, 13), (3, 3), stride=(2, 2), ceil=1, p=2.0),
    case("maxavg_3x3_s2", "max_avg", (1, 3, 13, 14), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1),
         alpha=0.3),
    case("global_max", "global_max", (2, 3, 7, 9)),
    case("global_avg", "global_avg", (2, 3, 7, 9)),
    case("adaptive_max_3x4", "adaptive_max", (1, 3, 10, 11), out=(3, 4)),
    case("adaptive_max_up", "adaptive_max", (1, 2, 5, 4), out=(7, 6)),
    case("adaptive_avg_5x3", "adaptive_avg", (1, 3, 13, 7), out=(5, 3)),
    case("adaptive_avg_up", "adaptive_avg", (1, 2, 4, 5), out=(6, 7)),
    case("pyramid_max_124", "pyramid_max", (2, 3, 13, 17), levels=(1, 2, 4)),
    case("pyramid_avg_13", "pyramid_avg", (1, 2, 10, 9), levels=(1, 3)),
    case("wavelet_even", "wavelet", (1, 3, 8, 10)),
    case("wavelet_odd", "wavelet", (1, 2, 9, 7)),
    case("mixed_2x2", "mixed", (2, 3, 8, 10), alpha=0.7),
    case("mixed_3x3_s2_pad", "mixed", (1, 2, 11, 12), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1),
         alpha=0.25),
    case("gated_2x2", "gated", (2, 3, 8, 10)),
    case("gated_3x3_s2", "gated", (1, 2, 13, 11), (3, 3), stride=(2, 2)),
    case("tree_2x2", "tree", (2, 3, 8, 10)),
    case("tree_3x3_s2_pad", "tree", (1, 2, 11, 12), (3, 3), stride=(2, 2), pad=(1, 1, 1, 1)),
]


def sym_pad(c):
    """torch's pools pad symmetrically; every case here does too."""
    pt, pb, pl, pr = c["pad"]
    assert pt == pb and pl == pr, c["name"]
    return (pt, pl)


def windows(x, c):
    """Unfolded windows [n, c, kh*kw, oh, ow] with zeros for padding, the
    mask of taps inside the input, and the average of each window by the
    avg_pool2d rules (computed with avg_pool2d itself)."""
    n, ch, h, w = x.shape
    kh, kw = c["kernel"]
    pad = sym_pad(c)
    cols = F.unfold(x.reshape(n * ch, 1, h, w), c["kernel"], dilation=c["dil"], padding=pad,
                    stride=c["stride"])
    inside = F.unfold(torch.ones(1, 1, h, w), c["kernel"], dilation=c["dil"], padding=pad,
                      stride=c["stride"])
    oh = (h + 2 * pad[0] - c["dil"][0] * (kh - 1) - 1) // c["stride"][0] + 1
    ow = (w + 2 * pad[1] - c["dil"][1] * (kw - 1) - 1) // c["stride"][1] + 1
    cols = cols.reshape(n, ch, kh * kw, oh, ow)
    inside = inside.reshape(1, 1, kh * kw, oh, ow)
    mx = cols.masked_fill(inside == 0, float("-inf")).amax(2)
    avg = F.avg_pool2d(x, c["kernel"], c["stride"], pad, count_include_pad=bool(c["cip"]),
                       divisor_override=c["div"] or None)
    return cols, mx, avg


def forward(x, c, params):
    m, k, s, pad = c["mode"], c["kernel"], c["stride"], None
    if m in ("max", "min", "avg", "max_avg", "mixed", "gated", "tree"):
        pad = sym_pad(c)
    if m == "max":
        return F.max_pool2d(x, k, s, pad, c["dil"], bool(c["ceil"]), return_indices=True)
    if m == "min":
        y, idx = F.max_pool2d(-x, k, s, pad, c["dil"], bool(c["ceil"]), return_indices=True)
        return -y, idx
    if m == "avg":
        return F.avg_pool2d(x, k, s, pad, bool(c["ceil"]), bool(c["cip"]),
                            c["div"] or None), None
    if m == "lp":
        if c["ceil"]:
            s_ = F.avg_pool2d(x.abs().pow(c["p"]), k, s, 0, True, divisor_override=1)
            return s_.pow(1.0 / c["p"]), None
        return F.lp_pool2d(x, c["p"], k, s), None
    if m == "max_avg":
        a = c["alpha"]
        return (a * F.max_pool2d(x, k, s, pad, c["dil"], bool(c["ceil"])) +
                (1 - a) * F.avg_pool2d(x, k, s, pad, bool(c["ceil"]), bool(c["cip"]),
                                       c["div"] or None)), None
    if m == "global_max":
        return F.adaptive_max_pool2d(x, 1, return_indices=True)
    if m == "global_avg":
        return F.adaptive_avg_pool2d(x, 1), None
    if m == "adaptive_max":
        return F.adaptive_max_pool2d(x, c["out"], return_indices=True)
    if m == "adaptive_avg":
        return F.adaptive_avg_pool2d(x, c["out"]), None
    if m in ("pyramid_max", "pyramid_avg"):
        ys, idxs = [], []
        for lv in c["levels"]:
            if m == "pyramid_max":
                y, i = F.adaptive_max_pool2d(x, lv, return_indices=True)
                idxs.append(i.flatten(2))
            else:
                y = F.adaptive_avg_pool2d(x, lv)
            ys.append(y.flatten(2))
        y = torch.cat(ys, 2).unsqueeze(2)
        return y, (torch.cat(idxs, 2).unsqueeze(2) if idxs else None)
    if m == "wavelet":
        h, w = x.shape[2:]
        xp = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate")
        return 2.0 * F.avg_pool2d(xp, 2), None
    cols, mx, avg = windows(x, c)
    if m == "mixed":
        a = params[0]
        return a * mx + (1 - a) * avg, None
    nk = k[0] * k[1]
    gate = params[:nk] if m == "gated" else params[2 * nk:]
    s_ = torch.sigmoid(torch.einsum("ncthw,t->nchw", cols, gate))
    if m == "gated":
        return s_ * mx + (1 - s_) * avg, None
    l1 = torch.einsum("ncthw,t->nchw", cols, params[:nk])
    l2 = torch.einsum("ncthw,t->nchw", cols, params[nk:2 * nk])
    return s_ * l1 + (1 - s_) * l2, None


def n_params(c):
    nk = c["kernel"][0] * c["kernel"][1]
    return {"mixed": 1, "gated": nk, "tree": 3 * nk}.get(c["mode"], 0)


def write(path, t, dtype):
    with open(path, "wb") as f:
        f.write(t.detach().to(dtype).contiguous().numpy().tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    g = torch.Generator().manual_seed(args.seed)
    lines = []
    for c in CASES:
        x = torch.rand(c["shape"], generator=g) * 4 - 2
        if c["mode"] == "lp":
            x = x.abs() + 0.05  # torch's x.pow(p) equals |x|^p here
        x.requires_grad_(True)
        params = None
        if n_params(c):
            params = torch.rand(n_params(c), generator=g) * (1 if c["mode"] == "mixed" else 2) - (
                0 if c["mode"] == "mixed" else 1)
            params.requires_grad_(True)
        y, idx = forward(x, c, params)
        dy = torch.rand(y.shape, generator=g) * 2 - 1
        grads = torch.autograd.grad(y, [x] + ([params] if params is not None else []), dy)
        base = os.path.join(args.out, c["name"])
        write(base + ".x", x, torch.float32)
        write(base + ".y", y, torch.float32)
        write(base + ".dy", dy, torch.float32)
        write(base + ".dx", grads[0], torch.float32)
        if idx is not None:
            write(base + ".idx", idx, torch.int32)
        if params is not None:
            write(base + ".param", params, torch.float32)
            write(base + ".dparam", grads[1], torch.float32)
        n, ch, h, w = c["shape"]
        pt, pb, pl, pr = c["pad"]
        oh, ow = y.shape[2], y.shape[3]
        levels = ",".join(str(v) for v in c["levels"]) or "-"
        lines.append(f'{c["name"]} {c["mode"]} {n} {ch} {h} {w} {c["kernel"][0]} '
                     f'{c["kernel"][1]} {c["stride"][0]} {c["stride"][1]} {pt} {pb} {pl} {pr} '
                     f'{c["dil"][0]} {c["dil"][1]} {c["ceil"]} {c["cip"]} {c["div"]} {c["p"]} '
                     f'{c["alpha"]} {oh} {ow} {levels}\n')
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
