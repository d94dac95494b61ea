#!/usr/bin/python3
"""torchvision reference for the augmentation chains (tests/core/test_augment_torch.c).

  augment_ref.py frame DIR   decode frame 30 of OpenCV's vtest.avi (RGB) into
                             DIR/frame.rgb (packed 8-bit) and DIR/frame.txt (w h)
  augment_ref.py apply DIR   read DIR/cases.txt (written by the C test: each
                             case's description and the parameters libcnn drew),
                             replay every step with torchvision 0.14's functional
                             API on the frame (uint8, or float32 / 255) and write
                             DIR/case<N>.bin, planar, in the case's type

cases.txt: "case N TYPE" (u8 or f32), "desc DESCRIPTION", one
"step NAME APPLIED name=value ..." per step, then "end".
"""
import math
import os
import sys

VIDEO = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
FRAME_INDEX = 30


def write_frame(out_dir):
    import cv2

    cap = cv2.VideoCapture(VIDEO)
    cap.set(cv2.CAP_PROP_POS_FRAMES, FRAME_INDEX)
    ok, bgr = cap.read()
    if not ok:
        sys.exit(f"cannot read frame {FRAME_INDEX} of {VIDEO}")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    with open(os.path.join(out_dir, "frame.rgb"), "wb") as f:
        f.write(rgb.tobytes())
    with open(os.path.join(out_dir, "frame.txt"), "w") as f:
        f.write(f"{rgb.shape[1]} {rgb.shape[0]}\n")


def parse_description(desc):
    """Static parameters of each step: {key: [values or word]}."""
    steps = []
    for text in desc.split(";"):
        tokens = text.split()
        if not tokens:
            continue
        args = {}
        for tok in tokens[1:]:
            key, val = tok.split("=", 1)
            args[key] = val.split(",")
        steps.append((tokens[0], args))
    return steps


def num(args, key, default, i=0):
    if key not in args:
        return default
    vals = args[key]
    return float(vals[i if i < len(vals) else -1])


def corners_start(img):
    h, w = img.shape[1], img.shape[2]
    return [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]


def corners_end(v):
    k = ["tl", "tr", "br", "bl"]
    return [[int(v[f"{c}-x"]), int(v[f"{c}-y"])] for c in k]


def grid_sample_reflect(img, name, v, interp, is_float):
    """torchvision's grids, sampled with grid_sample's reflection padding
    (torchvision's own warps only pad with zeros and a fill)."""
    import torch
    from torch.nn.functional import grid_sample
    import torchvision.transforms.functional as F
    try:  # torchvision >= 0.17 (Debian 13) made the module private
        import torchvision.transforms._functional_tensor as F_t
    except ImportError:
        import torchvision.transforms.functional_tensor as F_t

    h, w = img.shape[1], img.shape[2]
    if name == "perspective":
        coeffs = F._get_perspective_coeffs(corners_start(img), corners_end(v))
        grid = F_t._perspective_grid(coeffs, ow=w, oh=h, dtype=torch.float32, device="cpu")
    else:
        if name == "rotate":
            matrix = F._get_inverse_affine_matrix([0.0, 0.0], -v["angle"], [0.0, 0.0], 1.0,
                                                  [0.0, 0.0])
        else:
            matrix = F._get_inverse_affine_matrix(
                [0.0, 0.0], v["angle"], [int(v["translate-x"]), int(v["translate-y"])],
                v["scale"], [v["shear-x"], v["shear-y"]])
        theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
        grid = F_t._gen_affine_grid(theta, w=w, h=h, ow=w, oh=h)
    x = img.float().unsqueeze(0)
    out = grid_sample(x, grid, mode=interp, padding_mode="reflection", align_corners=False)[0]
    return out if is_float else torch.round(out).to(torch.uint8)


def motion_blur(img, k, angle, is_float):
    """The kernel as augment.h defines it, convolved by OpenCV's filter2D
    (reflect101 borders, 8-bit results rounded and saturated)."""
    import cv2
    import numpy as np
    import torch

    a = math.radians(angle)
    cells = []
    for t in range(-(k // 2), k // 2 + 1):
        dx = int(math.floor(t * math.cos(a) + 0.5))
        dy = -int(math.floor(t * math.sin(a) + 0.5))
        if (dx, dy) not in cells:
            cells.append((dx, dy))
    kernel = np.zeros((k, k), np.float32)
    for dx, dy in cells:
        kernel[k // 2 + dy, k // 2 + dx] = 1.0 / len(cells)
    hwc = img.permute(1, 2, 0).contiguous().numpy()
    out = cv2.filter2D(hwc, -1, kernel, borderType=cv2.BORDER_REFLECT_101)
    if out.ndim == 2:
        out = out[:, :, None]
    return torch.from_numpy(out).permute(2, 0, 1).contiguous()


def replay(img, name, args, v, is_float):
    """One step with torchvision; v: the drawn values by name."""
    import torch
    import torch.nn.functional as tnf
    import torchvision.transforms.functional as F
    from torchvision.transforms import InterpolationMode as IM

    scale8 = 1.0 / 255.0 if is_float else 1.0
    c = img.shape[0]
    modes = {"nearest": IM.NEAREST, "bilinear": IM.BILINEAR, "bicubic": IM.BICUBIC}
    interp = args.get("interp", ["bilinear"])[0]
    fill = [num(args, "fill", 0.0) * scale8] * c

    if name == "flip-h":
        return F.hflip(img)
    if name == "flip-v":
        return F.vflip(img)
    if name in ("resize", "resized-crop"):
        w = int(args["size"][0])
        h = int(args["size"][-1])
        if name == "resized-crop":
            img = F.crop(img, int(v["y"]), int(v["x"]), int(v["height"]), int(v["width"]))
        fit = args.get("fit", ["stretch"])[0]
        if fit == "shorter":  # torchvision's resize to one int
            return F.resize(img, [w], interpolation=modes[interp], antialias=False)
        if interp == "area":
            x = img.unsqueeze(0).float() if not is_float else img.unsqueeze(0)
            x = tnf.interpolate(x, size=[h, w], mode="area")[0]
            return x if is_float else torch.round(x).to(torch.uint8)
        if fit == "letterbox":
            H, W = img.shape[1], img.shape[2]
            sc = min(w / W, h / H)
            nw, nh = min(w, int(math.floor(W * sc + 0.5))), min(h, int(math.floor(H * sc + 0.5)))
            x = F.resize(img, [nh, nw], interpolation=modes[interp], antialias=False)
            left, top = (w - nw) // 2, (h - nh) // 2
            return F.pad(x, [left, top, w - nw - left, h - nh - top],
                         fill=num(args, "fill", 0.0) * scale8)
        return F.resize(img, [h, w], interpolation=modes[interp], antialias=False)
    if name == "rescale":
        x = img.float() * num(args, "scale", 1.0) + num(args, "offset", 0.0)
        return x if is_float else torch.round(x.clamp(0, 255)).to(torch.uint8)
    if name == "crop":
        return F.crop(img, int(v["y"]), int(v["x"]), int(v["height"]), int(v["width"]))
    if name == "center-crop":
        if "fraction" in args:
            # tf.image.central_crop: start = int((size - size * f) / 2)
            f = float(args["fraction"][0])
            H, W = img.shape[1], img.shape[2]
            top, left = int((H - H * f) / 2), int((W - W * f) / 2)
            return F.crop(img, top, left, H - 2 * top, W - 2 * left)
        return F.center_crop(img, [int(args["size"][-1]), int(args["size"][0])])
    if name == "pad":
        a = [int(x) for x in args["amount"]]
        return F.pad(img, a, fill=num(args, "fill", 0.0) * scale8,
                     padding_mode=args.get("mode", ["constant"])[0])
    reflect = args.get("border", ["fill"])[0] == "reflect"
    if name in ("rotate", "affine", "translate", "zoom", "perspective") and reflect:
        return grid_sample_reflect(img, name, v, interp, is_float)
    if name == "rotate":
        return F.rotate(img, v["angle"], interpolation=modes[interp], fill=fill,
                        expand=num(args, "expand", 0) == 1)
    if name in ("affine", "translate", "zoom"):
        return F.affine(img, v["angle"], [int(v["translate-x"]), int(v["translate-y"])],
                        v["scale"], [v["shear-x"], v["shear-y"]],
                        interpolation=modes[interp], fill=fill)
    if name == "perspective":
        return F.perspective(img, corners_start(img), corners_end(v),
                             interpolation=modes[interp], fill=fill)
    if name == "brightness":
        return F.adjust_brightness(img, v["factor"])
    if name == "contrast":
        return F.adjust_contrast(img, v["factor"])
    if name == "saturation":
        return F.adjust_saturation(img, v["factor"])
    if name == "hue":
        return F.adjust_hue(img, v["shift"])
    if name == "color-jitter":
        order = f"{int(v['order']):04d}"
        fns = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
        keys = ["brightness", "contrast", "saturation", "hue"]
        for d in order:
            k = int(d)
            if keys[k] in args:
                img = fns[k](img, v[keys[k]])
        return img
    if name == "gamma":
        return F.adjust_gamma(img, v["gamma"], num(args, "gain", 1.0))
    if name == "grayscale":
        return F.rgb_to_grayscale(img, int(num(args, "channels", 3)))
    if name == "invert":
        return F.invert(img)
    if name == "solarize":
        return F.solarize(img, num(args, "threshold", 128.0) * scale8)
    if name == "posterize":
        return F.posterize(img, int(num(args, "bits", 4)))
    if name == "gaussian-blur":
        k = [int(x) for x in args["kernel"]]
        return F.gaussian_blur(img, [k[0], k[-1]], [v["sigma"], v["sigma"]])
    if name == "sharpen":
        return F.adjust_sharpness(img, v["factor"])
    if name == "erasing":
        if v["width"] == 0:
            return img
        vals = [float(x) * scale8 for x in args.get("value", ["0"])]
        vals = (vals + [vals[-1]] * c)[:c]
        fill_value = torch.tensor(vals, dtype=img.dtype).view(c, 1, 1)
        return F.erase(img, int(v["y"]), int(v["x"]), int(v["height"]), int(v["width"]),
                       fill_value)
    if name == "motion-blur":
        return motion_blur(img, int(num(args, "kernel", 9)), v["angle"], is_float)
    if name == "autocontrast":
        return F.autocontrast(img)
    if name == "equalize":
        return F.equalize(img)
    if name == "channel-shuffle":
        order = f"{int(v['order']):0{c}d}"
        return img[[int(k) for k in order]]
    sys.exit(f"augment_ref.py: no reference for transform {name}")


def apply_cases(out_dir):
    import numpy as np
    import torch

    torch.set_num_threads(1)
    with open(os.path.join(out_dir, "frame.txt")) as f:
        w, h = (int(x) for x in f.read().split())
    raw = np.fromfile(os.path.join(out_dir, "frame.rgb"), dtype=np.uint8)
    frame = torch.from_numpy(raw.reshape(h, w, 3).copy()).permute(2, 0, 1).contiguous()

    case = None
    with open(os.path.join(out_dir, "cases.txt")) as f:
        lines = [line.rstrip("\n") for line in f]
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "case":
            index, type_name = rest.split()
            case = {"index": int(index), "float": type_name == "f32", "steps": []}
        elif kind == "desc":
            case["desc"] = parse_description(rest)
        elif kind == "step":
            parts = rest.split()
            values = {}
            for tok in parts[2:]:
                key, val = tok.split("=", 1)
                values[key] = float(val)
            case["steps"].append((parts[0], parts[1] == "1", values))
        elif kind == "end":
            img = frame.float() / 255.0 if case["float"] else frame.clone()
            for (name, args), (drawn_name, applied, values) in zip(case["desc"], case["steps"]):
                assert name == drawn_name, (name, drawn_name)
                if applied:
                    img = replay(img, name, args, values, case["float"])
            arr = img.contiguous().numpy()
            arr = arr.astype(np.float32) if case["float"] else arr.astype(np.uint8)
            arr.tofile(os.path.join(out_dir, f"case{case['index']}.bin"))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("frame", "apply"):
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    if sys.argv[1] == "frame":
        write_frame(sys.argv[2])
    else:
        apply_cases(sys.argv[2])


if __name__ == "__main__":
    main()
