#!/usr/bin/python3
"""Our augmentation steps against torchvision 0.14's functional API on the same
frame (frame 30 of OpenCV's vtest.avi, 768x576 RGB, uint8 CHW tensor for
torchvision, packed RGB for us), both on one thread, medians of REPS runs.

  bench/augment/augment_vs_torchvision.py BUILD_DIR [REPS]

Prints per step: our ms, torchvision's ms, and the ratio torchvision / ours
(above 1: we are faster), then the same as "ratio NAME VALUE" lines for
`gst-cnn bench`. torchvision runs under the GLIBC_TUNABLES that make
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


def cases(F, IM):
    """(name, our description, torchvision call on a CHW uint8 tensor)."""
    return [
        ("flip_h", "flip-h p=1", lambda x: F.hflip(x)),
        ("resize_down_bilinear", "resize size=320,240",
         lambda x: F.resize(x, [240, 320], antialias=False)),
        ("resize_up_bilinear", "resize size=1024,768",
         lambda x: F.resize(x, [768, 1024], antialias=False)),
        ("resize_down_bicubic", "resize size=320,240 interp=bicubic",
         lambda x: F.resize(x, [240, 320], interpolation=IM.BICUBIC, antialias=False)),
        ("resized_crop", "resized-crop size=224 scale=0.5,0.5 ratio=1,1",
         lambda x: F.resized_crop(x, 100, 100, 470, 470, [224, 224], antialias=False)),
        ("rotate_bilinear", "rotate degrees=30,30",
         lambda x: F.rotate(x, 30.0, interpolation=IM.BILINEAR, fill=[0.0] * 3)),
        ("perspective", "perspective p=1",
         lambda x: F.perspective(x, [[0, 0], [767, 0], [767, 575], [0, 575]],
                                 [[50, 30], [700, 10], [760, 560], [20, 500]],
                                 interpolation=IM.BILINEAR, fill=[0.0] * 3)),
        ("brightness", "brightness factor=1.3", lambda x: F.adjust_brightness(x, 1.3)),
        ("contrast", "contrast factor=1.3", lambda x: F.adjust_contrast(x, 1.3)),
        ("saturation", "saturation factor=1.3", lambda x: F.adjust_saturation(x, 1.3)),
        ("hue", "hue shift=0.2", lambda x: F.adjust_hue(x, 0.2)),
        ("gamma", "gamma gamma=0.5", lambda x: F.adjust_gamma(x, 0.5)),
        ("grayscale", "grayscale", lambda x: F.rgb_to_grayscale(x, 3)),
        ("equalize", "equalize", lambda x: F.equalize(x)),
        ("gaussian_blur_5", "gaussian-blur kernel=5 sigma=1.5",
         lambda x: F.gaussian_blur(x, [5, 5], [1.5, 1.5])),
        ("sharpen", "sharpen factor=2", lambda x: F.adjust_sharpness(x, 2.0)),
        ("gaussian_noise", "gaussian-noise std=10",
         lambda x: (x.float() + 10 * __import__("torch").randn(x.shape)).round()
         .clamp(0, 255).to(__import__("torch").uint8)),
    ]


def main():
    if os.environ.get("GLIBC_TUNABLES") != TUNABLES:
        os.environ["GLIBC_TUNABLES"] = TUNABLES
        os.execv(sys.executable, [sys.executable] + sys.argv)
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15

    import cv2
    import torch
    import torchvision.transforms.functional as F
    from torchvision.transforms import InterpolationMode as IM

    torch.set_num_threads(1)
    cap = cv2.VideoCapture(VIDEO)
    cap.set(cv2.CAP_PROP_POS_FRAMES, 30)
    ok, bgr = cap.read()
    if not ok:
        sys.exit(f"cannot read {VIDEO}")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    tensor = torch.from_numpy(rgb).permute(2, 0, 1).contiguous()
    table = cases(F, IM)

    with tempfile.NamedTemporaryFile(suffix=".rgb") as frame:
        frame.write(rgb.tobytes())
        frame.flush()
        out = subprocess.run([os.path.join(build, "bench", "augment", "bench_augment"),
                              frame.name, str(w), str(h), str(reps)]
                             + [d for _, d, _ in table],
                             check=True, capture_output=True, text=True).stdout
    ours = {}
    for line in out.splitlines():
        ms, desc = line.split(" ", 1)
        ours[desc] = float(ms)

    print(f"{'step (768x576 RGB, 1 thread)':48s} {'ours ms':>9s} {'tv ms':>9s} {'tv/ours':>8s}")
    ratios = []
    for name, desc, fn in table:
        fn(tensor)  # warm
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn(tensor)
            times.append((time.perf_counter() - t0) * 1e3)
        tv = statistics.median(times)
        print(f"{desc:48s} {ours[desc]:9.3f} {tv:9.3f} {tv / ours[desc]:8.2f}")
        ratios.append((name, tv / ours[desc]))
    for name, ratio in ratios:
        print(f"ratio augment_{name}_vs_torchvision {ratio:.2f}")


if __name__ == "__main__":
    main()
