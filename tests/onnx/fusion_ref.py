#!/usr/bin/python3
"""Conv + BatchNormalization + activation models (which the graph fuses), a
small CNN and 3-D average pools (padding counted or not, ceil mode), built
with onnx.helper; reference outputs from PyTorch's
functional ops. Each is written as an ONNX backend test directory under
OUTDIR and run by cnn-onnx-test at rtol 1e-4, atol 1e-5.

usage: fusion_ref.py RUNNER OUTDIR     (CNN_TEST_SEED overrides the seed)"""
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

SEED = int(os.environ.get("CNN_TEST_SEED", "20261125"), 0)
RTOL, ATOL = 1e-4, 1e-5


class Model:
    """Nodes, initialisers and a torch twin computed alongside."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.inits = [], []

    def const(self, name, shape, lo=-1.0, hi=1.0):
        a = self.rng.uniform(lo, hi, size=shape).astype(np.float32)
        self.inits.append(numpy_helper.from_array(a, name))
        return torch.from_numpy(a)

    def conv(self, x, name, cin, cout, k, dims=2, bias=True, **attrs):
        w = self.const(name + "_w", (cout, cin // attrs.get("group", 1)) + (k,) * dims)
        b = self.const(name + "_b", (cout,)) if bias else None
        inputs = [x[0], name + "_w"] + ([name + "_b"] if bias else [])
        self.nodes.append(helper.make_node("Conv", inputs, [name], name=name, **attrs))
        fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[dims]
        pads = attrs.get("pads", [0] * 2 * dims)[:dims]
        y = fn(x[1], w, b, stride=tuple(attrs.get("strides", [1] * dims)), padding=tuple(pads),
               dilation=attrs.get("dilations", 1), groups=attrs.get("group", 1))
        return name, y

    def bn(self, x, name, c, eps=1e-5):
        g, b = self.const(name + "_g", (c,), 0.5, 2.0), self.const(name + "_b", (c,))
        m, v = self.const(name + "_m", (c,)), self.const(name + "_v", (c,), 0.5, 2.0)
        self.nodes.append(helper.make_node(
            "BatchNormalization", [x[0]] + [name + s for s in ("_g", "_b", "_m", "_v")],
            [name], name=name, epsilon=eps))
        return name, F.batch_norm(x[1], m, v, g, b, training=False, eps=eps)

    def act(self, x, name, op, **attrs):
        self.nodes.append(helper.make_node(op, [x[0]], [name], name=name, **attrs))
        fn = {"Relu": F.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh,
              "LeakyRelu": lambda t: F.leaky_relu(t, attrs.get("alpha", 0.01))}[op]
        return name, fn(x[1])

    def clip(self, x, name, lo, hi):
        """Clip with constant min and max inputs (opset 13); [0, 6] fuses as relu6."""
        for suffix, v in (("_min", lo), ("_max", hi)):
            self.inits.append(numpy_helper.from_array(np.array(v, np.float32), name + suffix))
        self.nodes.append(helper.make_node("Clip", [x[0], name + "_min", name + "_max"],
                                           [name], name=name))
        return name, torch.clamp(x[1], lo, hi)

    def node(self, x, name, op, fn, **attrs):
        self.nodes.append(helper.make_node(op, [x[0]], [name], name=name, **attrs))
        return name, fn(x[1])

    def write(self, outdir, test, x_name, x, y):
        graph = helper.make_graph(
            self.nodes, test,
            [helper.make_tensor_value_info(x_name, TensorProto.FLOAT, list(x.shape))],
            [helper.make_tensor_value_info(y[0], TensorProto.FLOAT, list(y[1].shape))],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(model)
        d = os.path.join(outdir, test)
        os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
        onnx.save(model, os.path.join(d, "model.onnx"))
        for kind, name, t in (("input", x_name, x), ("output", y[0], y[1])):
            proto = numpy_helper.from_array(t.detach().numpy().astype(np.float32), name)
            with open(os.path.join(d, "test_data_set_0", kind + "_0.pb"), "wb") as f:
                f.write(proto.SerializeToString())


def build(outdir, test, in_shape, body):
    rng = np.random.default_rng([SEED, len(test)])
    m = Model(rng)
    x = torch.from_numpy(rng.uniform(-2, 2, size=in_shape).astype(np.float32))
    with torch.no_grad():
        y = body(m, ("x", x))
    m.write(outdir, test, "x", x, y)


def small_cnn(m, x):
    x = m.act(m.bn(m.conv(x, "c1", 3, 8, 3, pads=[1, 1, 1, 1]), "n1", 8), "r1", "Relu")
    x = m.act(m.bn(m.conv(x, "c2", 8, 8, 3, strides=[2, 2], pads=[1, 1, 1, 1], group=2), "n2",
                   8), "r2", "Relu")
    x = m.node(x, "gap", "GlobalAveragePool", lambda t: t.mean(dim=(2, 3), keepdim=True))
    x = m.node(x, "flat", "Flatten", lambda t: t.flatten(1))
    w = m.const("fc_w", (5, 8))
    b = m.const("fc_b", (5,))
    m.nodes.append(helper.make_node("Gemm", [x[0], "fc_w", "fc_b"], ["fc"], name="fc",
                                    transB=1))
    return "fc", F.linear(x[1], w, b)


def main(runner, outdir):
    print(f"seed {SEED} (set CNN_TEST_SEED to replay)")
    build(outdir, "test_fused_conv_bn_relu", (2, 3, 9, 7),
          lambda m, x: m.act(m.bn(m.conv(x, "c", 3, 4, 3, pads=[1, 1, 1, 1]), "n", 4), "r",
                             "Relu"))
    build(outdir, "test_fused_conv_bn_leakyrelu_strided_nobias", (1, 4, 11, 10),
          lambda m, x: m.act(m.bn(m.conv(x, "c", 4, 6, 3, bias=False, strides=[2, 2]), "n", 6,
                                  eps=1e-3), "r", "LeakyRelu", alpha=0.1))
    build(outdir, "test_fused_conv1d_tanh", (2, 3, 17),
          lambda m, x: m.act(m.conv(x, "c", 3, 5, 5, dims=1, pads=[2, 2]), "t", "Tanh"))
    build(outdir, "test_fused_conv3d_bn_sigmoid", (1, 2, 5, 6, 7),
          lambda m, x: m.act(m.bn(m.conv(x, "c", 2, 3, 3, dims=3, pads=[1] * 6), "n", 3), "s",
                             "Sigmoid"))
    build(outdir, "test_fused_conv_bn_relu6", (1, 4, 9, 8),
          lambda m, x: m.clip(m.bn(m.conv(x, "c", 4, 6, 3, pads=[1, 1, 1, 1]), "n", 6), "r",
                              0.0, 6.0))
    build(outdir, "test_conv_clip_not_relu6", (1, 4, 9, 8),
          lambda m, x: m.clip(m.conv(x, "c", 4, 6, 3), "r", -1.0, 4.0))
    build(outdir, "test_small_cnn", (2, 3, 16, 12), small_cnn)
    for include in (0, 1):
        build(outdir, f"test_avgpool3d_pad_ceil_include{include}", (2, 3, 7, 6, 5),
              lambda m, x: m.node(x, "p", "AveragePool",
                                  lambda t: F.avg_pool3d(t, 3, 2, 1, ceil_mode=True,
                                                         count_include_pad=bool(include)),
                                  kernel_shape=[3, 3, 3], strides=[2, 2, 2], pads=[1] * 6,
                                  ceil_mode=1, count_include_pad=include))
    out = subprocess.run([runner, "--rtol", str(RTOL), "--atol", str(ATOL), outdir],
                         capture_output=True, text=True)
    sys.stdout.write(out.stdout)
    sys.stderr.write(out.stderr)
    return out.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
