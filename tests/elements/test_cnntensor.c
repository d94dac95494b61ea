/* Tensor caps in GstHarness: cnntensorize against the hand computation
 * (x * scale - mean) / std and the BT.601 luma, its resize against the
 * augmentation core; cnnvisualize grid geometry and scaling; cnnconv and
 * cnnedge on float32 tensors against direct loops and libcnn; negotiation
 * both ways, the legacy other/tensor caps and a whole pipeline. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "elementutil.h"

/* A float32 tensor buffer of random values in [-2, 2). */
static GstBuffer *
random_tensor (gint n, guint purpose, gfloat * copy)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * sizeof (gfloat), NULL);
  cnn_rng_key key = { el_seed (), purpose };
  GstMapInfo map;
  gint i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (i = 0; i < n; i++)
    ((gfloat *) map.data)[i] = copy[i] = cnn_rng_uniform_range (key, i, -2.0f, 2.0f);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static void
output_dims (GstHarness * hn, gint dims[4], const gchar * type)
{
  GstCaps *caps = gst_pad_get_current_caps (hn->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);

  fail_unless (gst_structure_has_name (s, "other/tensors"), "%" GST_PTR_FORMAT, caps);
  fail_unless_equals_string (gst_structure_get_string (s, "types"), type);
  fail_unless_equals_int (sscanf (gst_structure_get_string (s, "dimensions"), "%d:%d:%d:%d",
          &dims[0], &dims[1], &dims[2], &dims[3]), 4);
  gst_caps_unref (caps);
}

/* Push a random frame of format (mapped into *frame for reading the input)
 * and map the tensor that comes out into *map; returns the output buffer. */
static GstBuffer *
push_random_frame (GstHarness * hn, const gchar * format, gint w, gint h,
    GstVideoInfo * info, GstVideoFrame * frame, GstMapInfo * map, gint dims[4])
{
  GstBuffer *in, *out;

  gst_video_info_set_format (info, gst_video_format_from_string (format), w, h);
  in = el_make_random_frame (info, 200);
  fail_unless (gst_video_frame_map (frame, info, in, GST_MAP_READ));
  out = gst_harness_push_and_pull (hn, in);
  output_dims (hn, dims, "float32");
  fail_unless (gst_buffer_map (out, map, GST_MAP_READ));
  return out;
}

static void
release_frames (GstVideoFrame * frame, GstBuffer * out, GstMapInfo * map, GstHarness * hn)
{
  gst_buffer_unmap (out, map);
  gst_video_frame_unmap (frame);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}

START_TEST (tensorize_normalises_every_rgb_format_and_order)
{
  static const gchar *const formats[] = { "RGB", "BGR", "RGBA", "BGRA", "RGBx", "BGRx" };
  static const gfloat mean[3] = { 0.485f, 0.456f, 0.406f }, std[3] = { 0.229f, 0.224f,
    0.225f
  };
  guint f, bgr;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (bgr = 0; bgr < 2; bgr++) {
      GstVideoInfo info;
      GstHarness *hn = el_harness ("cnntensorize", bgr ? "channel-order=bgr "
          "mean=\"0.485,0.456,0.406\" std=\"0.229,0.224,0.225\"" :
          "mean=\"0.485,0.456,0.406\" std=\"0.229,0.224,0.225\"", formats[f], 13, 7);
      GstVideoFrame frame;
      GstMapInfo map;
      gint dims[4], c, x, y;
      GstBuffer *out = push_random_frame (hn, formats[f], 13, 7, &info, &frame, &map, dims);

      fail_unless (dims[0] == 13 && dims[1] == 7 && dims[2] == 3 && dims[3] == 1);
      fail_unless_equals_int (map.size, 13 * 7 * 3 * 4);
      for (c = 0; c < 3; c++)
        for (y = 0; y < 7; y++)
          for (x = 0; x < 13; x++) {
            /* the tensor's channel c is R, G, B (or B, G, R), the frame's
             * component index the same */
            gint comp = bgr ? 2 - c : c;
            gfloat want = (el_sample (&frame, comp, x, y) / 255.0f - mean[c]) / std[c];
            gfloat got = ((gfloat *) map.data)[(c * 7 + y) * 13 + x];

            fail_unless (fabsf (got - want) <= 1e-5f, "%s bgr=%u (%d,%d,%d): %g, want %g",
                formats[f], bgr, c, x, y, got, want);
          }
      release_frames (&frame, out, &map, hn);
    }
  }
}
END_TEST

/* cv2.cvtColor RGB2GRAY's fixed point: (4899 R + 9617 G + 1868 B + 2^13) >> 14. */
static guint
luma_601 (guint r, guint g, guint b)
{
  return (4899 * r + 9617 * g + 1868 * b + 8192) >> 14;
}

START_TEST (tensorize_gray_of_every_format)
{
  guint f;

  for (f = 0; f < EL_N_FORMATS; f++) {
    GstVideoInfo info;
    GstHarness *hn = el_harness ("cnntensorize", "channel-order=gray scale=1 mean=10 std=2",
        el_formats[f], 9, 6);
    GstVideoFrame frame;
    GstMapInfo map;
    gint dims[4], x, y;
    GstBuffer *out = push_random_frame (hn, el_formats[f], 9, 6, &info, &frame, &map, dims);
    gboolean rgb = GST_VIDEO_INFO_IS_RGB (&info);
    gboolean deep = GST_VIDEO_INFO_COMP_DEPTH (&info, 0) == 16;

    fail_unless (dims[0] == 9 && dims[1] == 6 && dims[2] == 1, "%s", el_formats[f]);
    for (y = 0; y < 6; y++)
      for (x = 0; x < 9; x++) {
        gfloat v = rgb ? luma_601 (el_sample (&frame, 0, x, y), el_sample (&frame, 1, x, y),
            el_sample (&frame, 2, x, y)) : el_sample (&frame, 0, x, y) / (deep ? 257.0f : 1);
        gfloat want = (v - 10.0f) / 2.0f, got = ((gfloat *) map.data)[y * 9 + x];

        fail_unless (fabsf (got - want) <= 1e-4f, "%s (%d,%d): %g, want %g", el_formats[f],
            x, y, got, want);
      }
    release_frames (&frame, out, &map, hn);
  }
}
END_TEST

START_TEST (tensorize_resize_matches_the_augment_core)
{
  static const gchar *const props[] = { "width=16 height=12", "width=16 height=12 letterbox=true" };
  static const gchar *const chains[] = { "resize size=16,12 fit=stretch",
    "resize size=16,12 fit=letterbox"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    GstVideoInfo info;
    GstHarness *hn = el_harness ("cnntensorize", props[i], "RGB", 31, 9);
    cnn_augment_chain *chain;
    cnn_augment_params params;
    cnn_frame src, dst;
    GstVideoFrame frame;
    GstBuffer *in, *out;
    GstMapInfo map;
    gfloat planes[3 * 31 * 9], want[3 * 16 * 12];
    gint dims[4], c, k;
    void *ws;

    gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, 31, 9);
    in = el_make_random_frame (&info, 200);
    fail_unless (gst_video_frame_map (&frame, &info, in, GST_MAP_READ));
    for (c = 0; c < 3; c++)
      for (k = 0; k < 31 * 9; k++)
        planes[c * 31 * 9 + k] = el_sample (&frame, c, k % 31, k / 31) / 255.0f;
    gst_video_frame_unmap (&frame);
    el_assert_cnn_ok (cnn_augment_chain_parse (&chain, chains[i]));
    el_assert_cnn_ok (cnn_augment_draw (chain, 0, 0, 0, 31, 9, 3, &params));
    cnn_frame_init (&src, planes, 31, 9, 3, CNN_FRAME_F32, CNN_FRAME_PLANAR);
    cnn_frame_init (&dst, want, 16, 12, 3, CNN_FRAME_F32, CNN_FRAME_PLANAR);
    ws = cnn_aligned_alloc (MAX (1, cnn_augment_workspace_size (chain, 31, 9, 3,
                CNN_FRAME_F32, 1)));
    el_assert_cnn_ok (cnn_augment_apply (NULL, chain, &params, &src, &dst, ws));

    out = gst_harness_push_and_pull (hn, in);
    output_dims (hn, dims, "float32");
    fail_unless (dims[0] == 16 && dims[1] == 12 && dims[2] == 3);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    for (k = 0; k < 3 * 16 * 12; k++)
      fail_unless (fabsf (((gfloat *) map.data)[k] - want[k]) <= 1e-6f, "%s [%d]: %g, want %g",
          props[i], k, ((gfloat *) map.data)[k], want[k]);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    cnn_aligned_free (ws);
    cnn_augment_chain_free (chain);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (tensorize_bad_properties_name_them)
{
  static const ElBadProperties cases[] = {
    {"mean=\"1,2\"", "mean"},
    {"std=\"1,0,1\"", "std"},
    {"std=abc", "std"},
    {"width=10", "width"},
  };

  el_assert_bad_properties ("cnntensorize", cases, G_N_ELEMENTS (cases));
}
END_TEST

/* Map k of 5 (4x3) holds k * 10 + i for pixel i: per-map scaling sends 0..11
 * to 0..255 in every cell; the sixth cell of the 3x2 grid is empty. */
START_TEST (visualize_grid_geometry_and_scaling)
{
  GstHarness *hn = el_tensor_harness ("cnnvisualize", "mode=grid", "float32", 4, 3, 5);
  GstBuffer *in = gst_buffer_new_allocate (NULL, 5 * 12 * sizeof (gfloat), NULL), *out;
  GstVideoFrame frame;
  GstVideoInfo info;
  GstCaps *caps;
  GstMapInfo map;
  gint k, i;

  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  for (k = 0; k < 5; k++)
    for (i = 0; i < 12; i++)
      ((gfloat *) map.data)[k * 12 + i] = k * 10.0f + i;
  gst_buffer_unmap (in, &map);
  out = gst_harness_push_and_pull (hn, in);
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (&frame, &info, caps, out);
  fail_unless_equals_string (GST_VIDEO_INFO_NAME (&info), "GRAY8");
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), 12);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), 6);
  for (k = 0; k < 6; k++)
    for (i = 0; i < 12; i++) {
      gint x = (k % 3) * 4 + i % 4, y = (k / 3) * 3 + i / 4;
      guint want = k < 5 ? (guint) lrint (i * 255.0 / 11.0) : 0;

      fail_unless_equals_int (el_sample (&frame, 0, x, y), want);
    }
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (visualize_channel_fixed_range_and_colormap)
{
  GstHarness *hn = el_tensor_harness ("cnnvisualize", "mode=channel channel=1 min=-1 "
      "max=1 colormap=jet", "uint8", 8, 2, 3);
  GstBuffer *in = gst_buffer_new_allocate (NULL, 3 * 16, NULL), *out;
  guint8 lut[256][3];
  GstVideoFrame frame;
  GstVideoInfo info;
  GstCaps *caps;
  GstMapInfo map;
  gint i, k;

  /* uint8 maps: channel 1 holds 0 and 1 alternately: 0 is the middle of
   * -1..1, 1 the top */
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  for (i = 0; i < 48; i++)
    map.data[i] = i / 16 == 1 ? i % 2 : 200;
  gst_buffer_unmap (in, &map);
  out = gst_harness_push_and_pull (hn, in);
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (&frame, &info, caps, out);
  fail_unless_equals_string (GST_VIDEO_INFO_NAME (&info), "RGB");
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), 8);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), 2);
  cnn_colormap_table (CNN_COLORMAP_JET, lut);
  for (i = 0; i < 16; i++)
    for (k = 0; k < 3; k++)
      fail_unless_equals_int (el_sample (&frame, k, i % 8, i / 8), lut[i % 2 ? 255 : 128][k]);
  /* jet's ends: dark blue, dark red */
  fail_unless (lut[0][0] == 0 && lut[0][1] == 0 && lut[0][2] == 128);
  fail_unless (lut[255][0] == 128 && lut[255][1] == 0 && lut[255][2] == 0);
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}
END_TEST

/* Depthwise cross-correlation with zero padding 1, by hand. */
START_TEST (conv_on_tensors_is_depthwise)
{
  static const gfloat w[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 10 };
  const gint W = 7, H = 5, C = 3;
  const gchar *legacy = "other/tensor,type=float32,dimension=7:5:3:1,framerate=30/1";
  guint flavour;

  for (flavour = 0; flavour < 2; flavour++) {
    GstHarness *hn = flavour ? gst_harness_new_parse ("cnnconv weights=\"1,2,3;4,5,6;7,8,10\"") :
        el_tensor_harness ("cnnconv", "weights=\"1,2,3;4,5,6;7,8,10\"", "float32", W, H, C);
    gfloat x[7 * 5 * 3];
    GstBuffer *out;
    GstMapInfo map;
    gint c, i, j, u, v;

    if (flavour)
      gst_harness_set_src_caps_str (hn, legacy);
    out = gst_harness_push_and_pull (hn, random_tensor (W * H * C, 300, x));
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_int (map.size, W * H * C * 4);
    for (c = 0; c < C; c++)
      for (i = 0; i < H; i++)
        for (j = 0; j < W; j++) {
          gdouble want = 0;

          for (u = 0; u < 3; u++)
            for (v = 0; v < 3; v++)
              if (i + u - 1 >= 0 && i + u - 1 < H && j + v - 1 >= 0 && j + v - 1 < W)
                want += w[u * 3 + v] * x[(c * H + i + u - 1) * W + j + v - 1];
          fail_unless (fabs (((gfloat *) map.data)[(c * H + i) * W + j] - want) <= 1e-4,
              "c %d (%d,%d): %g, want %g", c, j, i, ((gfloat *) map.data)[(c * H + i) * W + j],
              want);
        }
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (conv_on_tensors_maps_the_size)
{
  GstHarness *hn = el_tensor_harness ("cnnconv", "kernel=box padding=valid stride=2",
      "float32", 11, 9, 4);
  gfloat x[11 * 9 * 4];
  GstBuffer *out;
  gint dims[4];

  out = gst_harness_push_and_pull (hn, random_tensor (11 * 9 * 4, 301, x));
  output_dims (hn, dims, "float32");
  /* (11 - 3) / 2 + 1 = 5, (9 - 3) / 2 + 1 = 4 */
  fail_unless (dims[0] == 5 && dims[1] == 4 && dims[2] == 4 && dims[3] == 1,
      "%d:%d:%d:%d", dims[0], dims[1], dims[2], dims[3]);
  fail_unless_equals_int (gst_buffer_get_size (out), 5 * 4 * 4 * 4);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (edge_on_tensors_matches_libcnn_per_channel)
{
  const gint W = 12, H = 10, C = 2;
  GstHarness *hn = el_tensor_harness ("cnnedge", "method=sobel norm=l2", "float32", W, H, C);
  gfloat x[12 * 10 * 2], want[12 * 10];
  cnn_edge_params p;
  cnn_context *ctx;
  GstBuffer *out;
  GstMapInfo map;
  void *ws;
  gint c, i;

  cnn_edge_params_init (&p, CNN_EDGE_SOBEL);
  p.norm = CNN_EDGE_L2;
  p.threshold_low = 50;
  p.threshold_high = 150;
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  ws = cnn_aligned_alloc (MAX (1, cnn_edge_workspace_size (&p, W, H, 1)));
  out = gst_harness_push_and_pull (hn, random_tensor (W * H * C, 302, x));
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  for (c = 0; c < C; c++) {
    el_assert_cnn_ok (cnn_edge_detect_f32 (ctx, &p, x + c * W * H, W, want, W, W, H, ws));
    for (i = 0; i < W * H; i++)
      fail_unless (fabsf (((gfloat *) map.data)[c * W * H + i] - want[i]) <= 1e-5f,
          "c %d [%d]: %g, want %g", c, i, ((gfloat *) map.data)[c * W * H + i], want[i]);
  }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  cnn_aligned_free (ws);
  cnn_context_destroy (ctx);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (pipelines_through_tensors_run)
{
  static const gchar *const pipelines[] = {
    "videotestsrc num-buffers=3 ! cnntensorize ! cnnconv kernel=sobel-x ! "
        "cnnvisualize ! fakesink",
    "videotestsrc num-buffers=3 ! video/x-raw,format=I420 ! cnntensorize channel-order=gray "
        "width=64 height=64 letterbox=true ! cnnedge method=canny ! "
        "cnnvisualize mode=channel colormap=viridis ! videoconvert ! fakesink",
    "videotestsrc num-buffers=2 ! cnntensorize ! cnnvisualize mode=grid columns=3 ! "
        "video/x-raw,width=960,height=240 ! fakesink",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pipelines); i++) {
    gchar *msg = el_run_pipeline (pipelines[i], 30);

    fail_unless (msg == NULL, "%s: %s", pipelines[i], msg);
  }
}
END_TEST

START_TEST (negotiation_both_ways)
{
  static const struct
  {
    const gchar *pipeline;
    gboolean ok;
  } cases[] = {
    /* downstream tensor caps pick the frame size, in either flavour */
    {"videotestsrc num-buffers=1 ! cnntensorize ! "
          "other/tensors,dimensions=64:48:3:1 ! fakesink", TRUE},
    {"videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! cnntensorize ! "
          "other/tensor,dimension=64:48:3:1 ! fakesink", TRUE},
    /* gray gives one channel, which three-channel caps refuse */
    {"videotestsrc num-buffers=1 ! cnntensorize channel-order=gray ! "
          "other/tensors,dimensions=320:240:3:1 ! fakesink", FALSE},
    /* a tensor of 4 maps of 10x10 back to video, grid of 2 x 2 */
    {"videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width=10,height=10 ! "
          "cnntensorize ! cnnvisualize ! video/x-raw,width=20,height=20 ! fakesink", TRUE},
    {"videotestsrc num-buffers=1 ! video/x-raw,width=10,height=10 ! cnntensorize ! "
          "cnnvisualize ! video/x-raw,width=30,height=10 ! fakesink", FALSE},
    /* video and tensors do not mix on one element */
    {"videotestsrc num-buffers=1 ! cnntensorize ! cnnconv ! video/x-raw ! fakesink", FALSE},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *msg = el_run_pipeline (cases[i].pipeline, 20);

    fail_unless ((msg == NULL) == cases[i].ok, "%s: %s", cases[i].pipeline,
        msg ? msg : "ran");
    g_free (msg);
  }
}
END_TEST

/* Float results on tensors do not depend on the engine's thread count. */
START_TEST (tensor_outputs_equal_for_any_thread_count)
{
  static const gchar *const elements[] = { "cnnconv kernel=gaussian",
    "cnnedge method=sobel norm=l2", "cnnbatchnorm mode=frame"
  };
  guint e;

  for (e = 0; e < G_N_ELEMENTS (elements); e++) {
    gfloat x[40 * 30 * 3], out[2][40 * 30 * 3];
    guint t;

    for (t = 0; t < 2; t++) {
      GstHarness *hn = el_tensor_harness (elements[e], t ? "n-threads=3" : "n-threads=1",
          "float32", 40, 30, 3);
      GstBuffer *buf = gst_harness_push_and_pull (hn, random_tensor (40 * 30 * 3, 303, x));

      gst_buffer_extract (buf, 0, out[t], sizeof (out[t]));
      gst_buffer_unref (buf);
      gst_harness_teardown (hn);
    }
    fail_unless (memcmp (out[0], out[1], sizeof (out[0])) == 0, "%s: 1 and 3 threads differ",
        elements[e]);
  }
}
END_TEST

static Suite *
cnntensor_suite (void)
{
  Suite *s = suite_create ("cnntensor");
  TCase *tc = tcase_create ("cnntensor");

  tcase_add_test (tc, tensorize_normalises_every_rgb_format_and_order);
  tcase_add_test (tc, tensorize_gray_of_every_format);
  tcase_add_test (tc, tensorize_resize_matches_the_augment_core);
  tcase_add_test (tc, tensorize_bad_properties_name_them);
  tcase_add_test (tc, visualize_grid_geometry_and_scaling);
  tcase_add_test (tc, visualize_channel_fixed_range_and_colormap);
  tcase_add_test (tc, conv_on_tensors_is_depthwise);
  tcase_add_test (tc, conv_on_tensors_maps_the_size);
  tcase_add_test (tc, edge_on_tensors_matches_libcnn_per_channel);
  tcase_add_test (tc, pipelines_through_tensors_run);
  tcase_add_test (tc, negotiation_both_ways);
  tcase_add_test (tc, tensor_outputs_equal_for_any_thread_count);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnntensor);
