"""gst-cnn run classify on a video made of the first 20 Fashion-MNIST test
images (raw GRAY8 in Matroska, lossless): the result lines, one per frame
(--classifications frame) or one per change of label (default), carry the
labels and confidences of the shipped model run by PyTorch here (its ONNX
graph executed op by op with torch.nn.functional; confidences within 1e-4),
and the model gets at least 16 of the 20 data set labels right (90% on the
test set). The CSV form has the same rows; a bad model path fails the input
with a message naming the file."""
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

from clitest import GST_CNN, SOURCE, check, finish

N = 20
SIDE = 28
DATA = "/usr/share/datasets/fashion-mnist"
MODEL = os.path.join(SOURCE, "models", "fashion-mnist", "model.onnx")
CFG = os.path.join(SOURCE, "models", "fashion-mnist", "model.cfg")
LABELS = os.path.join(SOURCE, "models", "fashion-mnist", "labels.txt")


def read_idx(name, header, item):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read(header + item * N)
    return np.frombuffer(raw[header:], dtype=np.uint8).reshape(N, -1)


def cfg_value(key):
    for line in open(CFG):
        if line.startswith(key + "="):
            return line.split("=", 1)[1].strip()
    raise KeyError(key)


def torch_probs(images):
    """The ONNX graph of the model run node by node in PyTorch."""
    m = onnx.load(MODEL)
    v = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    scale, mean, std = (float(cfg_value(k)) for k in ("scale", "mean", "std"))
    x = torch.from_numpy(images.astype(np.float64) * scale - mean) / std
    v[m.graph.input[0].name] = x.float().reshape(N, 1, SIDE, SIDE)
    for n in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        x = [v[i] for i in n.input]
        if n.op_type == "Conv":
            p = a["pads"]
            y = F.conv2d(F.pad(x[0], (p[1], p[3], p[0], p[2])), x[1], x[2],
                         stride=a["strides"], dilation=a["dilations"], groups=a["group"])
        elif n.op_type == "Relu":
            y = F.relu(x[0])
        elif n.op_type == "MaxPool":
            y = F.max_pool2d(x[0], a["kernel_shape"], a["strides"])
        elif n.op_type == "Flatten":
            y = torch.flatten(x[0], a["axis"])
        elif n.op_type == "Gemm":
            y = a["alpha"] * (x[0] @ (x[1].T if a.get("transB") else x[1])) + a["beta"] * x[2]
        else:
            raise NotImplementedError(n.op_type)
        v[n.output[0]] = y
    return torch.softmax(v[m.graph.output[0].name].double(), dim=1).numpy()


def make_video(images, path, tmp):
    raw = os.path.join(tmp, "frames.gray")
    images.tofile(raw)
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + raw, "!",
                    "rawvideoparse", "format=gray8", "width=%d" % SIDE, "height=%d" % SIDE,
                    "framerate=30/1", "!", "matroskamux", "!", "filesink", "location=" + path],
                   check=True, timeout=60, capture_output=True)


def run_classify(video, *extra):
    return subprocess.run([GST_CNN, "run", "classify", video, "-q", "--set", "model=" + MODEL]
                          + list(extra), capture_output=True, text=True, timeout=120)


def main():
    torch.set_num_threads(1)
    images = read_idx("t10k-images-idx3-ubyte.gz", 16, SIDE * SIDE)
    truth = read_idx("t10k-labels-idx1-ubyte.gz", 8, 1)[:, 0]
    labels = [l.strip() for l in open(LABELS)]
    probs = torch_probs(images)
    best = probs.argmax(axis=1)
    check("PyTorch reference: >= 16 of 20 data set labels", (best == truth).sum() >= 16,
          (best, truth))

    with tempfile.TemporaryDirectory() as tmp:
        video = os.path.join(tmp, "fashion.mkv")
        make_video(images, video, tmp)

        run = run_classify(video, "--classifications", "frame")
        lines = [json.loads(l) for l in run.stdout.splitlines()]
        frames = [l for l in lines if "label" in l]
        check("per frame: exit 0", run.returncode == 0, run.stderr)
        check("per frame: one line per frame", [l["frame"] for l in frames] == list(range(N)),
              [l.get("frame") for l in frames])
        for l in frames[:N]:
            f = l["frame"]
            check("frame %d: label %s" % (f, labels[best[f]]),
                  l["label"] == labels[best[f]] and l["class-id"] == best[f], l)
            check("frame %d: confidence" % f, abs(l["confidence"] - probs[f, best[f]]) <= 1e-4,
                  (l["confidence"], probs[f, best[f]]))
            check("frame %d: time" % f, abs(l["time"] - f / 30.0) <= 1e-3, l["time"])
        check("per frame: the input's own line closes", lines and lines[-1].get("status") == "ok"
              and lines[-1].get("frames") == N, lines[-1:])

        run = run_classify(video)
        changes = [json.loads(l) for l in run.stdout.splitlines()]
        changes = [l for l in changes if "label" in l]
        want = [f for f in range(N) if f == 0 or best[f] != best[f - 1]]
        check("per change: lines at the frames where the label changes",
              [l["frame"] for l in changes] == want, ([l["frame"] for l in changes], want))

        run = run_classify(video, "--classifications", "frame", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        got = [(int(r["frames"]), r["outputs"].rsplit(" (", 1)[0]) for r in rows
               if r["status"] == "classified"]
        check("csv: the same labels", got == [(f, labels[best[f]]) for f in range(N)], got)

        run = subprocess.run([GST_CNN, "run", "classify", video, "-q", "--set",
                              "model=/nonexistent/model.onnx"], capture_output=True, text=True,
                             timeout=60)
        line = json.loads(run.stdout.splitlines()[-1]) if run.stdout else {}
        check("bad model: the input fails naming the file", run.returncode == 1 and
              line.get("status") == "failed" and "/nonexistent/model.onnx" in
              (line.get("error") or ""), run.stdout + run.stderr)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
