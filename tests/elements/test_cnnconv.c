/* cnnconv in GstHarness: negotiated sizes for every format, known responses,
 * values against libcnn's conv2d on random frames, property changes while
 * playing, and the errors that name the property at fault. */
#include <math.h>
#include <string.h>

#include "elementutil.h"

START_TEST (odd_sizes_and_strides_every_format)
{
  /* 33x17: stride 2 with same padding gives ceil(33/2) x ceil(17/2) = 17x9;
   * valid padding with dilation 2 (span 5) gives 29x13, stride 2: 15x7. */
  static const struct
  {
    const gchar *props;
    gint w, h;
  } cases[] = {
    {"kernel=sobel-x stride=2", 17, 9},
    {"kernel=box padding=valid dilation=2", 29, 13},
    {"kernel=box padding=valid dilation=2 stride=2", 15, 7},
    {"kernel=curve padding=3", 33, 17},
    {"weights=\"1,2,1\" padding=valid stride=3", 11, 6},
    /* a 1x5 column with one pixel of padding: wider and shorter */
    {"weights=\"1;1;1;1;1\" padding=1", 35, 15},
  };
  guint f, c;

  for (f = 0; f < EL_N_FORMATS; f++) {
    for (c = 0; c < G_N_ELEMENTS (cases); c++) {
      GstVideoInfo info = el_info (el_formats[f], 33, 17), out_info;
      GstHarness *hn = el_harness ("cnnconv", cases[c].props, el_formats[f], 33, 17);
      GstBuffer *out;
      GstCaps *caps;
      gint w, h;

      fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, el_constant_sample,
                  NULL)), GST_FLOW_OK);
      out = gst_harness_pull (hn);
      el_output_size (hn, &w, &h);
      fail_unless (w == cases[c].w && h == cases[c].h, "%s %s: %dx%d, expected %dx%d",
          el_formats[f], cases[c].props, w, h, cases[c].w, cases[c].h);
      caps = gst_pad_get_current_caps (hn->sinkpad);
      fail_unless (gst_video_info_from_caps (&out_info, caps));
      fail_unless_equals_int (gst_buffer_get_size (out), GST_VIDEO_INFO_SIZE (&out_info));
      gst_caps_unref (caps);
      gst_buffer_unref (out);
      gst_harness_teardown (hn);
    }
  }
}
END_TEST

/* Vertical step at x = 8: every filtered channel goes from lo to lo + step,
 * channel c of RGB with its own step; chroma and alpha constant. */
typedef struct
{
  const GstVideoFormatInfo *finfo;
  guint step[3];
} StepFrame;

static guint
step_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const StepFrame *s = user_data;

  if (comp == 3)
    return 200;                 /* alpha */
  if (GST_VIDEO_FORMAT_INFO_IS_YUV (s->finfo) && comp > 0)
    return comp == 1 ? 90 : 200;
  return x < 8 ? 20 : 20 + s->step[comp];
}

START_TEST (vertical_step_through_sobel_x)
{
  guint f, comp;

  for (f = 0; f < EL_N_FORMATS; f++) {
    GstVideoInfo info = el_info (el_formats[f], 16, 6), out_info;
    StepFrame step = { info.finfo, {100, 40, 0} };
    GstHarness *hn;
    GstBuffer *out;
    GstVideoFrame frame;
    GstCaps *caps;
    gint x, y;

    if (GST_VIDEO_INFO_COMP_DEPTH (&info, 0) == 16)
      step.step[0] = 1000;
    /* sobel-x on a step of s is 4 s on both sides of the edge: scale 1/4
     * gives s back; replicate padding keeps the borders flat (0). */
    hn = el_harness ("cnnconv", "kernel=sobel-x padding-mode=replicate scale=0.25 output=abs",
        el_formats[f], 16, 6);
    fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, step_sample,
                &step)), GST_FLOW_OK);
    out = gst_harness_pull (hn);
    caps = gst_pad_get_current_caps (hn->sinkpad);
    el_map (&frame, &out_info, caps, out);
    for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (&frame); comp++) {
      gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV (info.finfo);
      gboolean filtered = comp < 3 && !(yuv && comp > 0);

      for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp); y++) {
        for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp); x++) {
          guint expected, got = el_sample (&frame, comp, x, y);

          if (filtered)
            expected = (x == 7 || x == 8) ? step.step[comp] : 0;
          else
            expected = comp == 3 ? 200 : 128;   /* alpha kept, chroma neutral */
          fail_unless (got == expected, "%s comp %u (%d,%d): %u, expected %u",
              el_formats[f], comp, x, y, got, expected);
        }
      }
    }
    gst_video_frame_unmap (&frame);
    gst_caps_unref (caps);
    gst_buffer_unref (out);
    gst_harness_teardown (hn);
  }
}
END_TEST

/* Expected output of component comp: conv2d of its plane by libcnn, then
 * round(value * scale + offset + mid-grey) saturated, computed here. */
static void
expect_conv (GstVideoFrame * in, guint comp, const cnn_conv2d_params * p,
    const gfloat * weights, gfloat scale, gfloat offset, gfloat * expected, gint * ow,
    gint * oh)
{
  gint w = GST_VIDEO_FRAME_COMP_WIDTH (in, comp), h = GST_VIDEO_FRAME_COMP_HEIGHT (in, comp);
  gfloat maxv = GST_VIDEO_FRAME_COMP_DEPTH (in, comp) == 16 ? 65535.f : 255.f;
  cnn_tensor x, k, y;
  cnn_context *ctx;
  void *ws;
  gint i, j;

  el_assert_cnn_ok (cnn_conv2d_output_size (p, h, w, oh, ow));
  el_assert_cnn_ok (cnn_tensor_alloc_nchw (&x, 1, 1, h, w));
  el_assert_cnn_ok (cnn_tensor_wrap (&k, (gfloat *) weights, 4, (int[]) {
              1, 1, p->kernel_h, p->kernel_w}));
  el_assert_cnn_ok (cnn_tensor_alloc_nchw (&y, 1, 1, *oh, *ow));
  for (i = 0; i < h; i++)
    for (j = 0; j < w; j++)
      x.data[i * w + j] = (gfloat) el_sample (in, comp, j, i);
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  ws = cnn_aligned_alloc (cnn_conv2d_workspace_size (p, 1, h, w, 1) + 64);
  el_assert_cnn_ok (cnn_conv2d_forward (ctx, p, &x, &k, NULL, &y, ws));
  for (i = 0; i < *oh * *ow; i++) {
    gfloat v = y.data[i] * scale + offset + (maxv + 1) / 2;

    expected[i] = rintf (v < 0 ? 0 : v > maxv ? maxv : v);
  }
  cnn_aligned_free (ws);
  cnn_context_destroy (ctx);
  cnn_tensor_release (&x);
  cnn_tensor_release (&y);
}

START_TEST (random_frames_match_libcnn_conv2d)
{
  static const gchar *checked[] = { "GRAY8", "GRAY16_LE", "BGR", "RGBA", "NV12" };
  static const gfloat weights[15] = { 0.5f, -1, 2, 0.25f, 1, -3, 0, 1.5f, -0.5f, 2, 1, 1, -2,
    0, 0.75f
  };
  guint f, comp;

  for (f = 0; f < G_N_ELEMENTS (checked); f++) {
    GstVideoInfo info = el_info (checked[f], 23, 19), out_info;
    GstHarness *hn = el_harness ("cnnconv",
        "weights=\"0.5,-1,2,0.25,1;-3,0,1.5,-0.5,2;1,1,-2,0,0.75\" stride=2 padding=1 padding-mode=reflect dilation=2 scale=0.5 offset=3 "
        "output=signed n-threads=2", checked[f], 23, 19);
    GstBuffer *in_buf = el_make_random_frame (&info, 100), *out;
    GstVideoFrame in, frame;
    GstCaps *caps;
    cnn_conv2d_params p;

    fail_unless_equals_int (gst_harness_push (hn, gst_buffer_ref (in_buf)), GST_FLOW_OK);
    out = gst_harness_pull (hn);
    caps = gst_pad_get_current_caps (hn->sinkpad);
    el_map (&frame, &out_info, caps, out);
    fail_unless (gst_video_frame_map (&in, &info, in_buf, GST_MAP_READ));
    cnn_conv2d_params_init (&p, 3, 5);
    p.stride_h = p.stride_w = 2;
    p.dilation_h = p.dilation_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.pad_mode = CNN_PAD_REFLECT;
    for (comp = 0; comp < (GST_VIDEO_INFO_IS_RGB (&info) ? 3u : 1u); comp++) {
      gfloat expected[23 * 19];
      gint ow, oh, x, y;

      expect_conv (&in, comp, &p, weights, 0.5f, 3.0f, expected, &ow, &oh);
      fail_unless_equals_int (GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp), ow);
      fail_unless_equals_int (GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp), oh);
      for (y = 0; y < oh; y++)
        for (x = 0; x < ow; x++)
          fail_unless (el_sample (&frame, comp, x, y) == (guint) expected[y * ow + x],
              "%s comp %u (%d,%d): %u, libcnn %g", checked[f], comp, x, y,
              el_sample (&frame, comp, x, y), expected[y * ow + x]);
    }
    gst_video_frame_unmap (&in);
    gst_video_frame_unmap (&frame);
    gst_caps_unref (caps);
    gst_buffer_unref (in_buf);
    gst_buffer_unref (out);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (any_thread_count_gives_identical_output)
{
  GstVideoInfo info = el_info ("RGBx", 61, 37), out_info;
  GstBuffer *in = el_make_random_frame (&info, 100);
  GstVideoFrame frame[2];
  GstHarness *hn[2];
  GstBuffer *out[2];
  guint comp;
  gint n, x, y;

  for (n = 0; n < 2; n++) {
    GstCaps *caps;

    hn[n] = el_harness ("cnnconv", n ? "kernel=curve n-threads=3" : "kernel=curve n-threads=1",
        "RGBx", 61, 37);
    fail_unless_equals_int (gst_harness_push (hn[n], gst_buffer_ref (in)), GST_FLOW_OK);
    out[n] = gst_harness_pull (hn[n]);
    caps = gst_pad_get_current_caps (hn[n]->sinkpad);
    el_map (&frame[n], &out_info, caps, out[n]);
    gst_caps_unref (caps);
  }
  /* the x byte of RGBx is padding, left as the buffer pool gives it */
  for (comp = 0; comp < 3; comp++)
    for (y = 0; y < 37; y++)
      for (x = 0; x < 61; x++)
        fail_unless (el_sample (&frame[0], comp, x, y) == el_sample (&frame[1], comp, x, y),
            "comp %u (%d,%d) differs", comp, x, y);
  for (n = 0; n < 2; n++) {
    gst_video_frame_unmap (&frame[n]);
    gst_buffer_unref (out[n]);
    gst_harness_teardown (hn[n]);
  }
  gst_buffer_unref (in);
}
END_TEST

/* Push a step frame and pull the result. */
static GstBuffer *
push_step (GstHarness * hn, const GstVideoInfo * info, StepFrame * step)
{
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (info, step_sample, step)),
      GST_FLOW_OK);
  return gst_harness_pull (hn);
}

START_TEST (property_changes_while_playing)
{
  GstVideoInfo info = el_info ("GRAY8", 16, 6);
  StepFrame step = { info.finfo, {100, 0, 0} };
  GstHarness *hn = el_harness ("cnnconv",
      "kernel=sobel-x padding-mode=replicate output=abs scale=0.25", "GRAY8", 16, 6);
  GstElement *conv = gst_harness_find_element (hn, "cnnconv");
  GstBuffer *out;
  gint w, h;

  out = push_step (hn, &info, &step);
  fail_unless_equals_int (el_gray_at (hn, out, 8, 2), 100);
  gst_buffer_unref (out);

  /* same size: applies to the next frame */
  gst_util_set_object_arg (G_OBJECT (conv), "kernel", "identity");
  g_object_set (conv, "scale", 1.0, NULL);
  out = push_step (hn, &info, &step);
  fail_unless_equals_int (el_gray_at (hn, out, 0, 2), 20);
  fail_unless_equals_int (el_gray_at (hn, out, 15, 2), 120);
  gst_buffer_unref (out);

  g_object_set (conv, "weights", "0,0,0;0,2,0;0,0,0", "offset", -10.0, NULL);
  out = push_step (hn, &info, &step);
  fail_unless_equals_int (el_gray_at (hn, out, 15, 2), 230);
  gst_buffer_unref (out);

  /* a new size: renegotiated before the next frame */
  g_object_set (conv, "stride", 2, "weights", NULL, "offset", 0.0, NULL);
  out = push_step (hn, &info, &step);
  el_output_size (hn, &w, &h);
  fail_unless_equals_int (w, 8);
  fail_unless_equals_int (h, 3);
  fail_unless_equals_int (el_gray_at (hn, out, 4, 1), 120);
  gst_buffer_unref (out);

  /* a new thread count: a new engine context before the next frame */
  g_object_set (conv, "n-threads", 3, NULL);
  out = push_step (hn, &info, &step);
  fail_unless_equals_int (el_gray_at (hn, out, 4, 1), 120);
  fail_unless_equals_int (el_gray_at (hn, out, 3, 1), 20);
  gst_buffer_unref (out);
  gst_object_unref (conv);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (wrong_sizes_fail_at_negotiation_with_a_message)
{
  gchar *msg;

  msg = el_negotiation_error ("cnnconv stride=2", 33, 17,
      "video/x-raw,format=GRAY8,width=30,height=9");
  fail_unless (strstr (msg, "downstream refuses") && strstr (msg, "width=(int)17"),
      "message: %s", msg);
  g_free (msg);

  msg = el_negotiation_error ("cnnconv kernel=curve padding=valid", 5, 5, NULL);
  fail_unless (strstr (msg, "kernel 7x7") && strstr (msg, "5x5 frame"), "message: %s", msg);
  g_free (msg);
}
END_TEST

START_TEST (bad_properties_name_the_property)
{
  static const ElBadProperties cases[] = {
    {"weights=\"1,x;2,3\"", "weights: 'x'"},
    {"weights=\"1,2;3\"", "weights: row 2"},
    {"weights=\"1,2;3,4\"", "padding: 'same' needs an odd kernel"},
    {"padding=wide", "padding: 'wide'"},
  };

  el_assert_bad_properties ("cnnconv", cases, G_N_ELEMENTS (cases));
}
END_TEST

START_TEST (latency_query_adds_the_frame_cost)
{
  GstVideoInfo info = el_info ("RGB", 320, 240);
  GstHarness *hn = el_harness ("cnnconv", "kernel=curve", "RGB", 320, 240);

  gst_harness_set_upstream_latency (hn, 10 * GST_MSECOND);
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, el_constant_sample,
              NULL)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (hn));
  fail_unless (gst_harness_query_latency (hn) > 10 * GST_MSECOND);
  gst_harness_teardown (hn);
}
END_TEST

static Suite *
cnnconv_suite (void)
{
  Suite *s = suite_create ("cnnconv");
  TCase *tc = tcase_create ("cnnconv");

  tcase_add_test (tc, odd_sizes_and_strides_every_format);
  tcase_add_test (tc, vertical_step_through_sobel_x);
  tcase_add_test (tc, random_frames_match_libcnn_conv2d);
  tcase_add_test (tc, any_thread_count_gives_identical_output);
  tcase_add_test (tc, property_changes_while_playing);
  tcase_add_test (tc, wrong_sizes_fail_at_negotiation_with_a_message);
  tcase_add_test (tc, bad_properties_name_the_property);
  tcase_add_test (tc, latency_query_adds_the_frame_cost);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnconv);
