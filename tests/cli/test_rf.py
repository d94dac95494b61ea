#!/usr/bin/python3
"""Tests of `gst-cnn rf`: hand-computed tables and JSON for known stacks, the
lecture's 1000x1000 question, and every layer of several stacks against
PyTorch: feature-map sizes from Conv1d output shapes, field size, jump and
start from the support of the input gradient of one output (weights all
positive, so the support is exactly the receptive field). Prints check-style
"Checks: N, Failures: F, Errors: 0"."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

from clitest import GST_CNN, check, finish


def rf(*args):
    return subprocess.run([GST_CNN, "rf"] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=30)


def rf_json(*args):
    p = rf("--json", *args)
    try:
        return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    except ValueError:
        return p.returncode, None


def table_rows(text):
    """Rows of the table after the header, as lists of words."""
    return [line.split() for line in text.splitlines()[1:] if line.strip()]


def test_hand_computed():
    # cnnconv pads "same" by default; cnnpool strides by its kernel.
    p = rf("--input-size", 32, "cnnconv kernel=sobel-x ! cnnpool kernel-size=2 ! cnnconv kernel=box dilation=2")
    rows = table_rows(p.stdout)
    # columns from the end: size jump start map
    got = [tuple(r[-4:]) for r in rows]
    want = [("1", "1", "0.5", "32"), ("3", "1", "0.5", "32"), ("4", "2", "1.0", "16"),
            ("12", "2", "1.0", "16")]
    check("table for a gst-launch chain (sobel-x, pool 2, box dilated 2)", p.returncode == 0 and got == want,
          p.stdout + p.stderr)

    rc, layers = rf_json("conv:k=3,s=1,p=1", "pool:k=2,s=2", "conv:k=3,d=2")
    got = [(l["size"], l["jump"], l["start"]) for l in layers or []]
    check("JSON for a compact list in several arguments",
          rc == 0 and got == [(3, 1, 0.5), (4, 2, 1.0), (12, 2, 5.0)]
          and all(set(l) == {"layer", "size", "jump", "start"} for l in layers), layers)
    rc, one_arg = rf_json("conv:k=3,s=1,p=1 pool:k=2,s=2 conv:k=3,d=2")
    check("one argument or several give the same stack", one_arg == layers, one_arg)

    # AlexNet's first two layers on 227: (227 - 11) / 4 + 1 = 55, (55 - 3) / 2 + 1 = 27
    rc, layers = rf_json("--input-size", 227, "conv:k=11,s=4", "pool:k=3,s=2")
    got = [(l["size"], l["jump"], l["start"], l["map"]) for l in layers or []]
    check("AlexNet conv1 + pool1", got == [(11, 4, 5.5, 55), (19, 8, 9.5, 27)], got)

    # Canny with a blur: 7x7 Gaussian for sigma 1 (round(6 sigma + 1) | 1), then Sobel 3x3
    rc, layers = rf_json("cnnedge method=canny blur-sigma=1")
    check("cnnedge canny = blur 7 + sobel 3", [l["size"] for l in layers or []] == [7, 9], layers)
    rc, layers = rf_json("cnnedge method=sobel aperture=5 ! cnnconv kernel=curve")
    check("sobel aperture 5 then the 7x7 curve kernel", [l["size"] for l in layers or []] == [5, 11], layers)
    rc, layers = rf_json("cnnconv weights=1,2,1;0,0,0;-1,-2,-1;1,1,1;1,1,1 padding=valid")
    check("cnnconv weights: kernel = number of rows", [l["size"] for l in layers or []] == [5], layers)
    rc, layers = rf_json("cnnpool mode=wavelet ! cnnpool kernel-size=3 stride=0")
    check("cnnpool wavelet = 2x2/2, stride=0 = the kernel",
          [(l["size"], l["jump"]) for l in layers or []] == [(2, 2), (6, 6)], layers)
    rc, layers = rf_json("--input-size", "64", "cnnconv kernel=box ! cnnpool mode=global-avg")
    check("cnnpool global spans the whole map", [l["size"] for l in layers or []] == [3, 66], layers)
    check("cnnpool adaptive: exit 2 (depends on the frame size)",
          rf("cnnpool mode=adaptive-avg output-size=7").returncode == 2)


def test_lecture():
    p = rf("--cover", 1000, "conv:k=3,p=1")
    check("1000x1000 with 3x3 convs: 500 layers (2n+1 >= 1000)",
          p.returncode == 0 and p.stdout.startswith("500 x") and "field 1001" in p.stdout, p.stdout)
    p = rf("--json", "--cover", 1000, "conv:k=3,p=1", "pool:k=2")
    r = json.loads(p.stdout or "{}")
    check("with 2x2 pooling: 9 conv+pool blocks (18 layers, field 1534)",
          r.get("repeats") == 9 and r.get("layers") == 18 and r.get("size") == 1534, p.stdout)
    rc, layers = rf_json("--input-size", 1000, "conv:k=3,p=1 pool:k=2 x8 fc")
    last = (layers or [{}])[-1]
    check("the lecture's 17 layers (8 conv + 8 pool + fc) see the whole 1000 pixels",
          len(layers or []) == 17 and last.get("size") == 1278 and last.get("map") == 1, last)


def test_errors():
    check("unknown layer type: exit 2", rf("norm:k=3").returncode == 2)
    check("kernel 0: exit 2", rf("conv:k=0").returncode == 2)
    check("non-cnn element with unknown geometry: exit 2", rf("videoscale ! cnnconv").returncode == 2)
    p = rf("--input-size", 4, "conv:k=7")
    check("a map that vanishes fails naming the layer",
          p.returncode == 1 and "layer 0" in p.stderr, p.stderr)
    check("fc without --input-size: exit 2", rf("conv:k=3 fc").returncode == 2)


def torch_fields(layers, length):
    """(size, jump, start, map) after each layer, measured with Conv1d."""
    out = []
    for n in range(1, len(layers) + 1):
        convs = []
        for k, s, p, d in layers[:n]:
            c = torch.nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
            torch.nn.init.constant_(c.weight, 1.0)
            convs.append(c)
        net = torch.nn.Sequential(*convs)
        x = torch.ones(1, 1, length, requires_grad=True)
        y = net(x)
        m = y.shape[-1]
        centres, sizes = [], []
        for i in (m // 2, m // 2 + 1):
            x.grad = None
            y = net(x)
            y[0, 0, i].backward()
            nz = torch.nonzero(x.grad[0, 0]).flatten()
            first, last = int(nz[0]), int(nz[-1])
            sizes.append(last - first + 1)
            centres.append((first + last + 1) / 2.0)  # pixel i spans [i, i+1)
        jump = centres[1] - centres[0]
        out.append((sizes[0], jump, centres[0] - (m // 2) * jump, m))
    return out


def test_against_pytorch():
    stacks = {
        "conv:k=3,p=1 conv:k=3,s=2 conv:k=5,d=2,p=4 pool:k=2 conv:k=3,d=3": [
            (3, 1, 1, 1), (3, 2, 0, 1), (5, 1, 4, 2), (2, 2, 0, 1), (3, 1, 0, 3)],
        "conv:k=7,s=2,p=3 pool:k=3,s=2,p=1 conv:k=3,p=1 conv:k=3,s=2,p=1": [
            (7, 2, 3, 1), (3, 2, 1, 1), (3, 1, 1, 1), (3, 2, 1, 1)],
        "conv:k=4,s=3,d=2 pool:k=3,s=1,d=2 conv:k=1": [(4, 3, 0, 2), (3, 1, 0, 2), (1, 1, 0, 1)],
    }
    length = 301
    for text, layers in stacks.items():
        rc, got = rf_json("--input-size", length, text)
        want = torch_fields(layers, length)
        ok = rc == 0 and len(got or []) == len(want) and all(
            (g["size"], g["jump"], g["map"]) == (w[0], w[1], w[3]) and abs(g["start"] - w[2]) < 1e-9
            for g, w in zip(got, want))
        check("matches PyTorch Conv1d layer by layer: %s" % text, ok, (got, want))


def cnnconv_field_by_impulses(props, width, height):
    """The true field of cnnconv along x: run it (gst-launch) on frames of a black GRAY8
    picture with one bright pixel at (p, height // 2), p = 0..width-1, and list, for each
    output column of the middle output row, the input columns that light it."""
    stride = (width + 3) & ~3  # GRAY8 rows are 4-byte aligned
    frames = np.zeros((width, height, stride), np.uint8)
    for p in range(width):
        frames[p, height // 2, p] = 255
    tmp = tempfile.mkdtemp(prefix="gst-cnn-rf-")
    src, dst = os.path.join(tmp, "in.gray"), os.path.join(tmp, "out.gray")
    frames.tofile(src)
    r = subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "rawvideoparse",
                        "format=gray8", "width=%d" % width, "height=%d" % height, "framerate=30/1", "!",
                        "cnnconv"] + props.split() + ["!", "filesink", "location=" + dst],
                       capture_output=True, text=True, timeout=60)
    out = np.fromfile(dst, np.uint8) if r.returncode == 0 else np.zeros(0, np.uint8)
    shutil.rmtree(tmp, ignore_errors=True)
    s = int(props.split("stride=")[1].split()[0])
    ow, oh = -(-width // s), -(-height // s)
    if out.size != width * oh * ((ow + 3) & ~3):
        return None
    out = out.reshape(width, oh, (ow + 3) & ~3)
    lit = [[p for p in range(width) if out[p, (height // 2) // s, o]] for o in range(ow)]
    return lit


def test_same_padding_at_stride():
    """padding=same at stride 2 and 3 pads by the input size (before = total / 2,
    total = (ceil(in / s) - 1) s + k - in): by hand, then against a real cnnconv run."""
    # box 3x3 stride 2: even inputs pad 0 before (start 1.5), odd ones 1 (0.5)
    # box 3x3 stride 3 on 10, 11, 12: total 2, 1, 0 -> before 1, 0, 0
    want = {("kernel=box stride=2", 10): (3, 2, 1.5, 5), ("kernel=box stride=2", 11): (3, 2, 0.5, 6),
            ("kernel=box stride=3", 10): (3, 3, 0.5, 4), ("kernel=box stride=3", 11): (3, 3, 1.5, 4),
            ("kernel=box stride=3", 12): (3, 3, 1.5, 4)}
    for (props, n), w in want.items():
        rc, layers = rf_json("--input-size", n, "cnnconv " + props)
        got = [(l["size"], l["jump"], l["start"], l["map"]) for l in layers or []]
        check("padding=same %s on %d by hand" % (props, n), rc == 0 and got == [w], got)
    p = rf("--json", "cnnconv kernel=box stride=2")
    check("padding=same at stride 2 without --input-size: start null, said on stderr",
          p.returncode == 0 and json.loads(p.stdout or "{}").get("start", 0) is None
          and "--input-size" in p.stderr, p.stdout + p.stderr)
    rc, layers = rf_json("cnnconv kernel=box")
    check("padding=same at stride 1 needs no size", [l["start"] for l in layers or []] == [0.5], layers)

    five = "weights=" + ";".join([",".join(["1"] * 5)] * 5)
    for props in ("kernel=box stride=2", "kernel=box stride=3", five + " stride=2", five + " stride=3"):
        for n in (10, 11, 12, 13):
            full = props + " padding=same padding-mode=zeros"
            lit = cnnconv_field_by_impulses(full, n, 9)
            rc, layers = rf_json("--input-size", n, "cnnconv " + full)
            l = (layers or [{}])[-1]
            ok = lit is not None and rc == 0 and len(lit) == l.get("map")
            for o, pixels in enumerate(lit or []):
                centre = l["start"] + o * l["jump"]
                field = [p for p in range(n) if abs(p + 0.5 - centre) < l["size"] / 2.0]
                ok = ok and pixels == field
            check("gst-cnn rf = a real cnnconv run (one bright pixel at a time): %s on %d"
                  % (props.replace(five, "5x5 ones"), n), ok, (l, lit))


def test_draw():
    """--draw on a 64x48 image: conv 3 (same), pool 2, conv 3 (same) has field 8, jump 2,
    start 1 and a 32x24 map; the centre output (16, 12) sees x 29..36, y 21..28 (red);
    output (0, 0) sees -3..4, clipped to 0..4 (green)."""
    tmp = tempfile.mkdtemp(prefix="gst-cnn-rf-")
    image, out = os.path.join(tmp, "grey.png"), os.path.join(tmp, "fields.png")
    cv2.imwrite(image, np.full((48, 64, 3), 128, np.uint8))
    p = rf("--draw", image, "-o", out, "conv:k=3,p=1 pool:k=2 conv:k=3,p=1")
    rgb = cv2.imread(out)[:, :, ::-1] if p.returncode == 0 else np.zeros((48, 64, 3), np.uint8)

    def box(colour):
        ys, xs = np.nonzero(np.all(rgb == colour, axis=2))
        return (int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())) if len(xs) else None
    check("--draw outlines the centre output's field", box([255, 0, 0]) == (29, 36, 21, 28), box([255, 0, 0]))
    check("--draw outlines output (0, 0)'s field, clipped", box([0, 255, 0]) == (0, 4, 0, 4), box([0, 255, 0]))
    check("--draw leaves the inside of the field alone", tuple(rgb[25, 32]) == (128, 128, 128), rgb[25, 32])
    check("--draw without -o: exit 2", rf("--draw", image, "conv:k=3").returncode == 2)
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    test_hand_computed()
    test_draw()
    test_lecture()
    test_errors()
    test_against_pytorch()
    test_same_padding_at_stride()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
