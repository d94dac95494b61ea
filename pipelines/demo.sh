#!/bin/sh
# make demo: real-time edge detection with cnnedge on a clip, a camera or a
# URI. Writes demo-out/edges.avi (MPEG-4 from gst-libav) and
# demo-out/before-after.png (one frame, original left, edges right, composed
# in GStreamer), and prints the frames per second of the whole pipeline.
#
#   pipelines/demo.sh [build-dir]
#   DEMO_INPUT=/dev/video0 | file | scheme://uri   (default: OpenCV's vtest.avi)
#   DEMO_EDGE="method=canny ..."                    (cnnedge properties)
#   DEMO_FRAMES=N                                   (frames taken from a camera)
set -eu

build=${1:-build}
input=${DEMO_INPUT:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
canny="method=canny blur-sigma=1.2 threshold-low=40 threshold-high=120"
edge=${DEMO_EDGE:-$canny output=overlay overlay-color=0xffff3030}
frames=${DEMO_FRAMES:-300}
out=demo-out

export GST_PLUGIN_PATH="$build/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
gst-inspect-1.0 cnnedge >/dev/null 2>&1 || {
    echo "demo: cnnedge not found in $build/plugins (run make build)" >&2
    exit 1
}

case $input in
/dev/video*) src="v4l2src device=$input num-buffers=$frames ! videoconvert" ;;
*://*) src="uridecodebin uri=$input ! videoconvert" ;;
*)
    [ -r "$input" ] || { echo "demo: cannot read $input" >&2; exit 1; }
    src="filesrc location=$input ! decodebin ! videoconvert"
    ;;
esac
mkdir -p "$out"

# 1. The encoded video, with a frame counter on a tee branch.
log=$out/demo.log
start=$(date +%s.%N)
gst-launch-1.0 -v $src ! video/x-raw,format=I420 ! cnnedge $edge ! tee name=t \
    t. ! queue ! avenc_mpeg4 bitrate=4000000 ! avimux ! filesink location=$out/edges.avi \
    t. ! queue ! fakesink name=count silent=false sync=false \
    >"$log" 2>&1 || { tail -n 20 "$log" >&2; echo "demo: pipeline failed" >&2; exit 1; }
end=$(date +%s.%N)
rendered=$(grep -c 'count.*last-message = chain' "$log" || true)
awk -v n="${rendered:-0}" -v t0="$start" -v t1="$end" -v out="$out" -v edge="$edge" 'BEGIN {
    printf "demo: %s/edges.avi: %d frames in %.1f s, %.1f frames per second " \
        "(decode, cnnedge %s, encode)\n", out, n, t1 - t0, n / (t1 - t0), edge }'


# 2. One frame before and after, side by side (compositor, then pngenc).
size="width=640,height=480,pixel-aspect-ratio=1/1"
gst-launch-1.0 -q compositor name=mix sink_1::xpos=640 ! videoconvert ! \
    pngenc snapshot=true ! filesink location=$out/before-after.png \
    $src ! videoscale ! video/x-raw,$size ! tee name=t \
    t. ! queue ! mix.sink_0 \
    t. ! queue ! videoconvert ! video/x-raw,format=I420 ! cnnedge $edge ! mix.sink_1 \
    >"$out/snapshot.log" 2>&1 ||
    { tail -n 20 "$out/snapshot.log" >&2; echo "demo: snapshot failed" >&2; exit 1; }
echo "demo: $out/before-after.png: first frame, original left, cnnedge right"
