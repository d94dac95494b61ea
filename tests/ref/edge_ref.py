#!/usr/bin/python3
"""OpenCV references for the edge detection tests.

Decodes real frames of the opencv-doc clips, turns them to gray (plus a few
tiny planes where every pixel touches the border) and writes,
into the directory given as argument, the gray planes and cv2's result for
every case test_edge_opencv checks:
  manifest.txt  one case per line:
                kind frame method norm aperture laplacian sigma low high scale file
  <frame>.gray  the gray plane (width x height bytes), listed as "frame" lines
  <case>.u8     cv2's 8-bit result (magnitude, |Laplacian| or Canny mask), or
                or <case>.f32: cv2.GaussianBlur of the float plane ("blur_f32"),
                or for "gradients" cases three float32 planes: gx, gy (cv2.Sobel,
                cv2.Scharr or cv2.filter2D in float) and atan2(gy, gx)
Gradient magnitudes use cv2.Sobel/Scharr/filter2D with BORDER_REFLECT_101,
then convertScaleAbs + add (L1) or cv2.magnitude + convertScaleAbs (L2);
Canny is cv2.Canny on the same gray frame (after cv2.GaussianBlur with
ksize (0, 0) when sigma > 0), with cv2.setNumThreads(1).
"""
import os
import sys

import cv2
import numpy as np

CLIPS = [("vtest", "vtest.avi", 40), ("megamind", "Megamind.avi", 60), ("tree", "tree.avi", 20)]
DATA = "/usr/share/doc/opencv-doc/examples/data"
B101 = cv2.BORDER_REFLECT_101


# Small planes where every pixel is a border pixel: a fixed pattern.
TINY = [("tiny7x5", 7, 5), ("tiny2x9", 2, 9), ("tiny1x4", 1, 4), ("tiny33x3", 33, 3)]


def tiny_frame(width, height):
    y, x = np.mgrid[0:height, 0:width]
    return ((x * 97 + y * 61 + (x * y) % 7 * 23) % 256).astype(np.uint8)


def gray_frame(path, index):
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        sys.exit(f"edge_ref: cannot open {path}")
    frame = None
    for _ in range(index + 1):
        ok, f = cap.read()
        if not ok:
            break
        frame = f
    cap.release()
    if frame is None:
        sys.exit(f"edge_ref: no frame in {path}")
    return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))


def gradients(img, method, aperture, ddepth=None):
    """gx, gy in int16 (float for 7x7, which overflows int16) or in ddepth."""
    if method == "sobel":
        ddepth = ddepth or (cv2.CV_16S if aperture < 7 else cv2.CV_32F)
        gx = cv2.Sobel(img, ddepth, 1, 0, ksize=aperture, borderType=B101)
        gy = cv2.Sobel(img, ddepth, 0, 1, ksize=aperture, borderType=B101)
    elif method == "scharr":
        gx = cv2.Scharr(img, ddepth or cv2.CV_16S, 1, 0, borderType=B101)
        gy = cv2.Scharr(img, ddepth or cv2.CV_16S, 0, 1, borderType=B101)
    else:
        kx = np.array([[-1, 0, 1]] * 3, np.float32)
        gx = cv2.filter2D(img, cv2.CV_32F, kx, borderType=B101)
        gy = cv2.filter2D(img, cv2.CV_32F, kx.T.copy(), borderType=B101)
    return gx, gy


def magnitude(img, method, norm, aperture, scale):
    gx, gy = gradients(img, method, aperture)
    if norm == "l2":
        m = cv2.magnitude(gx.astype(np.float32), gy.astype(np.float32))
        return cv2.convertScaleAbs(m, alpha=scale)
    return cv2.add(cv2.convertScaleAbs(gx, alpha=scale), cv2.convertScaleAbs(gy, alpha=scale))


LAPLACIAN_KINDS = {"4": 1, "a3": 3, "a5": 5}


def laplacian(img, kind, scale):
    if kind == "8":
        k = np.ones((3, 3), np.float32)
        k[1, 1] = -8
        r = cv2.filter2D(img, cv2.CV_32F, k, borderType=B101)
    else:
        r = cv2.Laplacian(img, cv2.CV_16S, ksize=LAPLACIAN_KINDS[kind], borderType=B101)
    return cv2.convertScaleAbs(r, alpha=scale)


def canny(img, norm, aperture, sigma, low, high):
    if sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), sigma, borderType=B101)
    return cv2.Canny(img, low, high, apertureSize=aperture, L2gradient=norm == "l2")


def main():
    out = sys.argv[1]
    cv2.setNumThreads(1)
    lines = []

    def case(kind, frame, method, norm, aperture, lap, sigma, low, high, scale, result):
        name = (f"{kind}_{frame}_{method}_{norm}_{aperture}_{lap}_{sigma:g}_{low:g}_{high:g}_"
                f"{scale:g}").replace(".", "p")
        name += ".f32" if result.dtype == np.float32 else ".u8"
        result.tofile(os.path.join(out, name))
        lines.append(f"{kind} {frame} {method} {norm} {aperture} {lap} {sigma!r} {low!r} "
                     f"{high!r} {scale!r} {name}")

    frames = [(name, gray_frame(os.path.join(DATA, clip), index)) for name, clip, index in CLIPS]
    frames += [(name, tiny_frame(w, h)) for name, w, h in TINY]
    for frame, img in frames:
        img.tofile(os.path.join(out, frame + ".gray"))
        lines.append(f"frame {frame} {img.shape[1]} {img.shape[0]}")
        for norm in ("l1", "l2"):
            for aperture in (3, 5, 7):
                case("magnitude", frame, "sobel", norm, aperture, "4", 0.0, 0.0, 0.0, 1.0,
                     magnitude(img, "sobel", norm, aperture, 1.0))
            for method in ("scharr", "prewitt"):
                case("magnitude", frame, method, norm, 3, "4", 0.0, 0.0, 0.0, 1.0,
                     magnitude(img, method, norm, 3, 1.0))
        case("magnitude", frame, "sobel", "l1", 5, "4", 0.0, 0.0, 0.0, 0.25,
             magnitude(img, "sobel", "l1", 5, 0.25))
        for lap in ("4", "8", "a3", "a5"):
            case("laplacian", frame, "laplacian", "l1", 3, lap, 0.0, 0.0, 0.0, 1.0,
                 laplacian(img, lap, 1.0))
        # Thresholds on each aperture's own gradient scale (5x5 Sobel gains
        # 16x over 3x3; cv2 scales the 7x7 one back by 1/16).
        for norm in ("l1", "l2"):
            for aperture, low, high in ((3, 80.0, 200.0), (5, 800.0, 2400.0), (7, 300.0, 900.0)):
                case("canny", frame, "canny", norm, aperture, "4", 0.0, low, high, 1.0,
                     canny(img, norm, aperture, 0.0, low, high))
        case("canny", frame, "canny", "l1", 3, "4", 1.5, 30.0, 90.0, 1.0,
             canny(img, "l1", 3, 1.5, 30.0, 90.0))
        case("blur", frame, "blur", "l1", 3, "4", 1.5, 0.0, 0.0, 1.0,
             cv2.GaussianBlur(img, (0, 0), 1.5, borderType=B101))
        case("blur_f32", frame, "blur", "l1", 3, "4", 1.5, 0.0, 0.0, 1.0,
             cv2.GaussianBlur(img.astype(np.float32), (0, 0), 1.5, borderType=B101))
        # Float gradients and their direction (written as gx, gy, angle).
        for method, aperture in (("sobel", 3), ("sobel", 7), ("scharr", 3), ("prewitt", 3)):
            gx, gy = gradients(img, method, aperture, cv2.CV_32F)
            planes = np.stack([gx, gy, np.arctan2(gy, gx)]).astype(np.float32)
            case("gradients", frame, method, "l1", aperture, "4", 0.0, 0.0, 0.0, 1.0, planes)
    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
