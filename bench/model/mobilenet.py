"""A MobileNet-style stack (MobileNet v1's stem and first eight depthwise
separable blocks, global average pool, dense 1000) with random weights and
batch-norm statistics from a seed, exported to ONNX opset 13: the model of
bench/model and of the models_mobilenet_torch test."""
import torch
import torch.nn as nn

# (input channels, output channels, stride) of each depthwise separable block
BLOCKS = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1),
          (256, 512, 2), (512, 512, 1), (512, 512, 1)]


def conv_bn_relu6(cin, cout, k, stride, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6()]


class MobileNetStack(nn.Module):
    def __init__(self):
        super().__init__()
        layers = conv_bn_relu6(3, 32, 3, 2)
        for cin, cout, stride in BLOCKS:
            layers += conv_bn_relu6(cin, cin, 3, stride, groups=cin)
            layers += conv_bn_relu6(cin, cout, 1, 1)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                        nn.Linear(BLOCKS[-1][1], 1000))

    def forward(self, x):
        return self.classifier(self.features(x))


def build(seed):
    """The stack in eval mode, weights and batch-norm statistics from seed."""
    torch.manual_seed(seed)
    model = MobileNetStack()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model.eval()


def export(model, path, shape):
    torch.onnx.export(model, torch.zeros(shape), path, opset_version=13,
                      input_names=["input"], output_names=["logits"])
