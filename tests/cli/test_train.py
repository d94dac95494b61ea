"""gst-cnn train on Fashion-MNIST (dataset-fashion-mnist): 300 Adam steps of
FashionNet reach a test accuracy above 80%, the exported model.onnx passes
onnx.checker and classifies the test images through the graph runtime
(cnn-model-eval reading the written model.cfg) with the accuracy the command
printed; the same seed gives a byte-identical model.onnx on one and two
threads. A truncated or corrupt idx file, a bad architecture: a message
naming the file or the layer, and nothing written."""
import os
import re
import subprocess
import sys
import tempfile

import onnx

from clitest import BUILD, GST_CNN, SOURCE, check, finish, skip

DATA = "/usr/share/datasets/fashion-mnist"
MODEL_EVAL = os.path.join(BUILD, "tests", "models", "cnn-model-eval")
STEPS = "300"
MIN_ACCURACY = 0.80


def gst_cnn(*args):
    return subprocess.run([GST_CNN, "train"] + list(args), capture_output=True, text=True,
                          timeout=120)


def printed_accuracy(stdout):
    found = re.findall(r"test accuracy ([0-9.]+) \((\d+)/(\d+)\)", stdout)
    return (float(found[-1][0]), int(found[-1][1])) if found else (None, None)


def trains(tmp):
    out1, out2 = os.path.join(tmp, "one"), os.path.join(tmp, "two")
    labels = os.path.join(SOURCE, "models", "fashion-mnist", "labels.txt")
    run = gst_cnn("--steps", STEPS, "--threads", "1", "--labels", labels, "-o", out1)
    print(run.stdout, end="")
    check("train: exit status 0", run.returncode == 0, run.stderr)
    accuracy, correct = printed_accuracy(run.stdout)
    check("train: prints the test accuracy", accuracy is not None, run.stdout)
    if accuracy is None:
        return
    check("train: %s steps reach a test accuracy > %.2f" % (STEPS, MIN_ACCURACY),
          accuracy > MIN_ACCURACY, accuracy)
    model = os.path.join(out1, "model.onnx")
    for name in ("model.onnx", "model.cfg", "labels.txt"):
        check("train: wrote " + name, os.path.exists(os.path.join(out1, name)))
    with open(os.path.join(out1, "labels.txt")) as f, open(labels) as g:
        check("train: labels.txt is --labels", f.read() == g.read())
    m = onnx.load(model)
    try:
        onnx.checker.check_model(m, full_check=True)
        check("train: model.onnx passes onnx.checker", True)
    except onnx.checker.ValidationError as e:
        check("train: model.onnx passes onnx.checker", False, e)
    check("train: input 'input' with a free batch and output 'logits'",
          [i.name for i in m.graph.input] == ["input"]
          and m.graph.input[0].type.tensor_type.shape.dim[0].dim_param != ""
          and [o.name for o in m.graph.output] == ["logits"])
    ev = subprocess.run([MODEL_EVAL, os.path.join(out1, "model.cfg"),
                         os.path.join(DATA, "t10k-images-idx3-ubyte.gz"),
                         os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")],
                        capture_output=True, text=True, timeout=60)
    got = re.search(r"accuracy [0-9.]+ \((\d+)/", ev.stdout)
    check("train: cnn-model-eval classifies with the printed accuracy",
          got is not None and int(got.group(1)) == correct, (ev.stdout, ev.stderr, correct))

    run2 = gst_cnn("--steps", STEPS, "--threads", "2", "--labels", labels, "-o", out2)
    check("train: two threads, exit status 0", run2.returncode == 0, run2.stderr)
    with open(model, "rb") as a, open(os.path.join(out2, "model.onnx"), "rb") as b:
        check("train: same seed on one and two threads: byte-identical model.onnx",
              a.read() == b.read())


def refuses(tmp):
    bad = os.path.join(tmp, "bad")
    os.makedirs(bad)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                 "train-labels-idx1-ubyte.gz"):
        os.symlink(os.path.join(DATA, name), os.path.join(bad, name))
    # 100 images declared, 50 present
    images = os.path.join(bad, "train-images-idx3-ubyte")
    with open(images, "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + (100).to_bytes(4, "big") + (28).to_bytes(4, "big")
                + (28).to_bytes(4, "big") + bytes(50 * 28 * 28))
    out = os.path.join(tmp, "out-bad")
    run = gst_cnn("--steps", "2", "--data", bad, "-o", out)
    check("truncated idx: exit status 1", run.returncode == 1, (run.returncode, run.stderr))
    check("truncated idx: names the file and says truncated",
          images in run.stderr and "truncated" in run.stderr, run.stderr)
    check("truncated idx: nothing written", not os.path.exists(out))

    # a gzip stream cut short
    os.remove(images)
    with open(os.path.join(DATA, "train-images-idx3-ubyte.gz"), "rb") as f:
        head = f.read(100000)
    with open(images + ".gz", "wb") as f:
        f.write(head)
    run = gst_cnn("--steps", "2", "--data", bad, "-o", out)
    check("cut gzip: exit status 1 naming the file",
          run.returncode == 1 and images + ".gz" in run.stderr, (run.returncode, run.stderr))
    check("cut gzip: nothing written", not os.path.exists(out))

    run = gst_cnn("--steps", "2", "--arch", "conv 8 3; bn; frob; dense 10", "-o", out)
    check("bad arch: exit status 2 naming the layer and the word",
          run.returncode == 2 and "layer 3" in run.stderr and "'frob'" in run.stderr,
          (run.returncode, run.stderr))
    check("bad arch: nothing written", not os.path.exists(out))


def main():
    if not os.path.isdir(DATA):
        skip("no " + DATA)
        return finish()
    with tempfile.TemporaryDirectory() as tmp:
        trains(tmp)
        refuses(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
