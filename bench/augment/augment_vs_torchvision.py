#!/usr/bin/python3
"""Our augmentation steps against torchvision 0.14 (and OpenCV where it has
the transform) on the same frame, all on one thread, medians of REPS runs.

  bench/augment/augment_vs_torchvision.py BUILD_DIR [REPS]

The frame is frame 30 of OpenCV's vtest.avi (768x576 RGB), also resized
(cv2.INTER_AREA) to 224x224 and 1920x1080. torchvision gets a uint8 CHW
tensor (its fastest input for these transforms), OpenCV and we get packed
RGB; decoding is outside the timing on every side. Every step runs on the
three sizes: the named transforms of issue 6 (flip, rotate, resized-crop,
color-jitter, a typical chain) and the other steps. Random steps draw their
parameters on every call on every side (ours: cnn_augment_draw with the rep
as frame key, inside the timing).

Prints per step and size: our ms, torchvision's ms, OpenCV's ms and the
ratios peer / ours (above 1: we are faster), then "ratio NAME VALUE" lines
for `gst-cnn bench`. torchvision runs under the GLIBC_TUNABLES that make
PyTorch fastest (the script re-executes itself with them)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

TUNABLES = ("glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
            "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456")
VIDEO = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
SIZES = [(224, 224), (768, 576), (1920, 1080)]
CHAIN = ("flip-h p=0.5 ; rotate degrees=-15,15 ; color-jitter brightness=0.2 contrast=0.2 "
         "saturation=0.2 hue=0.05 ; resized-crop size=224 scale=0.8,1.0")


def cases(w, h):
    """(name, our description, torchvision call on a CHW uint8 tensor, OpenCV
    call on a packed HWC array or None)."""
    import cv2
    import numpy as np
    import torch
    import torchvision.transforms as T
    import torchvision.transforms.functional as F
    from torchvision.transforms import InterpolationMode as IM

    s = min(w, h)
    crop = max(2, s * 5 // 8)  # a fixed square crop of the frame for resized-crop
    cx, cy = (w - crop) // 2, (h - crop) // 2
    rot30 = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 30, 1.0)
    src_q = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    dst_q = np.float32([[w * .06, h * .05], [w * .91, h * .02], [w * .99, h * .97],
                        [w * .03, h * .87]])
    persp = cv2.getPerspectiveTransform(dst_q, src_q)
    jitter = T.ColorJitter(0.2, 0.2, 0.2, 0.05)
    chain = T.Compose([T.RandomHorizontalFlip(0.5),
                       T.RandomRotation(15, interpolation=IM.BILINEAR),
                       T.ColorJitter(0.2, 0.2, 0.2, 0.05),
                       T.RandomResizedCrop(224, scale=(0.8, 1.0), antialias=False)])
    noise_std = 10.0
    return [
        ("flip_h", "flip-h p=1", lambda x: F.hflip(x), lambda a: cv2.flip(a, 1)),
        ("rotate", "rotate degrees=30,30",
         lambda x: F.rotate(x, 30.0, interpolation=IM.BILINEAR, fill=[0.0] * 3),
         lambda a: cv2.warpAffine(a, rot30, (w, h), flags=cv2.INTER_LINEAR)),
        ("resized_crop", f"resized-crop size=224 scale={crop * crop / (w * h):.9f},"
         f"{crop * crop / (w * h):.9f} ratio=1,1",
         lambda x: F.resized_crop(x, cy, cx, crop, crop, [224, 224], antialias=False),
         lambda a: cv2.resize(a[cy:cy + crop, cx:cx + crop], (224, 224),
                              interpolation=cv2.INTER_LINEAR)),
        ("color_jitter", "color-jitter brightness=0.2 contrast=0.2 saturation=0.2 hue=0.05",
         lambda x: jitter(x), None),
        ("chain", CHAIN, lambda x: chain(x), None),
        ("resize_down_bilinear", f"resize size={w // 2},{h // 2}",
         lambda x: F.resize(x, [h // 2, w // 2], antialias=False),
         lambda a: cv2.resize(a, (w // 2, h // 2), interpolation=cv2.INTER_LINEAR)),
        ("resize_up_bilinear", f"resize size={w * 4 // 3},{h * 4 // 3}",
         lambda x: F.resize(x, [h * 4 // 3, w * 4 // 3], antialias=False),
         lambda a: cv2.resize(a, (w * 4 // 3, h * 4 // 3), interpolation=cv2.INTER_LINEAR)),
        ("resize_down_bicubic", f"resize size={w // 2},{h // 2} interp=bicubic",
         lambda x: F.resize(x, [h // 2, w // 2], interpolation=IM.BICUBIC, antialias=False),
         lambda a: cv2.resize(a, (w // 2, h // 2), interpolation=cv2.INTER_CUBIC)),
        ("perspective", "perspective p=1",
         lambda x: F.perspective(x, src_q.tolist(), dst_q.tolist(),
                                 interpolation=IM.BILINEAR, fill=[0.0] * 3),
         lambda a: cv2.warpPerspective(a, persp, (w, h), flags=cv2.INTER_LINEAR)),
        ("brightness", "brightness factor=1.3", lambda x: F.adjust_brightness(x, 1.3),
         lambda a: cv2.convertScaleAbs(a, alpha=1.3)),
        ("contrast", "contrast factor=1.3", lambda x: F.adjust_contrast(x, 1.3), None),
        ("saturation", "saturation factor=1.3", lambda x: F.adjust_saturation(x, 1.3), None),
        ("hue", "hue shift=0.2", lambda x: F.adjust_hue(x, 0.2), None),
        ("gamma", "gamma gamma=0.5", lambda x: F.adjust_gamma(x, 0.5), None),
        ("grayscale", "grayscale", lambda x: F.rgb_to_grayscale(x, 3),
         lambda a: cv2.cvtColor(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)),
        ("equalize", "equalize", lambda x: F.equalize(x), None),
        ("gaussian_blur_5", "gaussian-blur kernel=5 sigma=1.5",
         lambda x: F.gaussian_blur(x, [5, 5], [1.5, 1.5]),
         lambda a: cv2.GaussianBlur(a, (5, 5), 1.5, borderType=cv2.BORDER_REFLECT_101)),
        ("sharpen", "sharpen factor=2", lambda x: F.adjust_sharpness(x, 2.0), None),
        ("gaussian_noise", f"gaussian-noise std={noise_std:g}",
         lambda x: (x.float() + noise_std * torch.randn(x.shape)).round()
         .clamp(0, 255).to(torch.uint8),
         lambda a: cv2.add(a, cv2.randn(np.empty(a.shape, np.int8), 0, noise_std),
                           dtype=cv2.CV_8U)),
    ]


def median_ms(fn, arg, reps):
    fn(arg)  # warm
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def ours_ms(build, rgb, descs, reps):
    h, w = rgb.shape[:2]
    with tempfile.NamedTemporaryFile(suffix=".rgb") as frame:
        frame.write(rgb.tobytes())
        frame.flush()
        out = subprocess.run([os.path.join(build, "bench", "augment", "bench_augment"),
                              frame.name, str(w), str(h), str(reps)] + descs,
                             check=True, capture_output=True, text=True).stdout
    ms = {}
    for line in out.splitlines():
        value, desc = line.split(" ", 1)
        ms[desc] = float(value)
    return ms


def main():
    if os.environ.get("GLIBC_TUNABLES") != TUNABLES:
        os.environ["GLIBC_TUNABLES"] = TUNABLES
        os.execv(sys.executable, [sys.executable] + sys.argv)
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15

    import cv2
    import torch

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    cap = cv2.VideoCapture(VIDEO)
    cap.set(cv2.CAP_PROP_POS_FRAMES, 30)
    ok, bgr = cap.read()
    if not ok:
        sys.exit(f"cannot read {VIDEO}")
    base = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    ratios = []
    print(f"{'step (RGB uint8, 1 thread)':60s} {'size':>9s} {'ours ms':>8s} {'tv ms':>8s} "
          f"{'cv ms':>8s} {'tv/ours':>7s} {'cv/ours':>7s}")
    for w, h in SIZES:
        rgb = base if (w, h) == base.shape[1::-1] else \
            cv2.resize(base, (w, h), interpolation=cv2.INTER_AREA)
        tensor = torch.from_numpy(rgb).permute(2, 0, 1).contiguous()
        table = cases(w, h)
        ours = ours_ms(build, rgb, [d for _, d, _, _ in table], reps)
        for name, desc, tv_fn, cv_fn in table:
            tv = median_ms(tv_fn, tensor, reps)
            cv = median_ms(cv_fn, rgb, reps) if cv_fn else None
            o = ours[desc]
            cv_ms = f"{cv:8.3f}" if cv else f"{'-':>8s}"
            cv_ratio = f"{cv / o:7.2f}" if cv else f"{'-':>7s}"
            print(f"{desc[:60]:60s} {w:4d}x{h:<4d} {o:8.3f} {tv:8.3f} {cv_ms} "
                  f"{tv / o:7.2f} {cv_ratio}", flush=True)
            ratios.append((f"augment_{name}_{w}x{h}_vs_torchvision", tv / o))
            if cv:
                ratios.append((f"augment_{name}_{w}x{h}_vs_opencv", cv / o))
    for name, ratio in ratios:
        print(f"ratio {name} {ratio:.2f}")


if __name__ == "__main__":
    main()
