/* cnnpool in GstHarness: 2x2 max on a known pattern in every format,
 * values against libcnn's pool2d on random frames, output sizes (ceil mode,
 * odd sizes, global, adaptive, pyramid) fixed at negotiation, a downstream
 * size that does not fit, property changes while playing, and the errors
 * that name the property at fault. */
#include <math.h>
#include <string.h>

#include "elementutil.h"

/* Push in, pull the output and map it with the negotiated caps. */
static GstBuffer *
push_pull_map (GstHarness * hn, GstBuffer * in, GstVideoFrame * frame)
{
  GstVideoInfo info;
  GstCaps *caps;
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (hn, in), GST_FLOW_OK);
  out = gst_harness_pull (hn);
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (frame, &info, caps, out);
  gst_caps_unref (caps);
  return out;
}

/* Full-resolution components: a pattern no 2x2 block repeats the maximum
 * of at a fixed place; subsampled chroma constant (its average is known). */
static guint
pattern_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const GstVideoFormatInfo *finfo = user_data;
  guint v = (guint) (x * 37 + y * 101 + comp * 53) % 251;

  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && comp > 0)
    return comp == 1 ? 90 : 200;
  return GST_VIDEO_FORMAT_INFO_DEPTH (finfo, comp) == 16 ? v * 257 + 3 : v;
}

START_TEST (two_by_two_max_on_a_pattern_every_format)
{
  guint f, comp;

  for (f = 0; f < EL_N_FORMATS; f++) {
    /* 18x10 -> 9x5: even, so I420 chroma 9x5 -> 5x3 stays defined */
    GstVideoInfo info = el_info (el_formats[f], 18, 10);
    GstHarness *hn = el_harness ("cnnpool", "kernel-size=2", el_formats[f], 18, 10);
    GstVideoFrame frame;
    GstBuffer *out = push_pull_map (hn, el_make_frame (&info, pattern_sample,
            (gpointer) info.finfo), &frame);
    gint x, y, w, h;

    el_output_size (hn, &w, &h);
    fail_unless (w == 9 && h == 5, "%s: %dx%d", el_formats[f], w, h);
    for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (&frame); comp++) {
      gboolean chroma = GST_VIDEO_FORMAT_INFO_IS_YUV (info.finfo) && comp > 0;

      for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp); y++) {
        for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp); x++) {
          guint expected = 0, got = el_sample (&frame, comp, x, y);
          gint i;

          if (chroma)
            expected = comp == 1 ? 90 : 200;
          else
            for (i = 0; i < 4; i++)
              expected = MAX (expected, pattern_sample (comp, 2 * x + i % 2, 2 * y + i / 2,
                      (gpointer) info.finfo));
          fail_unless (got == expected, "%s comp %u (%d,%d): %u, expected %u",
              el_formats[f], comp, x, y, got, expected);
        }
      }
    }
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hn);
  }
}
END_TEST

/* libcnn's pool2d of component comp of in, rounded and saturated here as
 * pixels (8-bit averages round half up, as cnn_pool2d_u8 documents). */
static void
expect_pool (GstVideoFrame * in, guint comp, const cnn_pool2d_params * p, gboolean u8_avg,
    guint * expected, gint * ow, gint * oh)
{
  gint w = GST_VIDEO_FRAME_COMP_WIDTH (in, comp), h = GST_VIDEO_FRAME_COMP_HEIGHT (in, comp);
  gfloat maxv = GST_VIDEO_FRAME_COMP_DEPTH (in, comp) == 16 ? 65535.f : 255.f;
  cnn_tensor x, y;
  cnn_context *ctx;
  gint i, j;

  el_assert_cnn_ok (cnn_pool2d_output_size (p, h, w, oh, ow));
  el_assert_cnn_ok (cnn_tensor_alloc_nchw (&x, 1, 1, h, w));
  el_assert_cnn_ok (cnn_tensor_alloc_nchw (&y, 1, 1, *oh, *ow));
  for (i = 0; i < h; i++)
    for (j = 0; j < w; j++)
      x.data[i * w + j] = (gfloat) el_sample (in, comp, j, i);
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  el_assert_cnn_ok (cnn_pool2d_forward (ctx, p, &x, &y, NULL));
  for (i = 0; i < *oh * *ow; i++) {
    gfloat v = y.data[i];

    v = u8_avg ? floorf (v + 0.5f) : rintf (v);
    expected[i] = (guint) (v < 0 ? 0 : v > maxv ? maxv : v);
  }
  cnn_context_destroy (ctx);
  cnn_tensor_release (&x);
  cnn_tensor_release (&y);
}

START_TEST (random_frames_match_libcnn_pool2d)
{
  static const gchar *formats[] = { "GRAY8", "GRAY16_LE", "BGR", "RGBA", "NV12" };
  static const struct
  {
    const gchar *props;
    cnn_pool_mode mode;
    gint k, s, pad, d, ceil;
  } cases[] = {
    {"mode=avg kernel-size=3 stride=2 padding=1 ceil-mode=true", CNN_POOL_AVG, 3, 2, 1, 1, 1},
    {"mode=min kernel-size=3 dilation=2 stride=1", CNN_POOL_MIN, 3, 1, 0, 2, 0},
    {"mode=lp p=3 kernel-size=2", CNN_POOL_LP, 2, 2, 0, 1, 0},
    {"mode=max-avg alpha=0.25 kernel-size=3 stride=2", CNN_POOL_MAX_AVG, 3, 2, 0, 1, 0},
    {"mode=wavelet", CNN_POOL_WAVELET, 2, 2, 0, 1, 0},
    {"mode=adaptive-avg output-size=5x4", CNN_POOL_ADAPTIVE_AVG, 1, 1, 0, 1, 0},
  };
  guint f, c, comp;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (c = 0; c < G_N_ELEMENTS (cases); c++) {
      GstVideoInfo info = el_info (formats[f], 23, 19);
      GstHarness *hn = el_harness ("cnnpool", cases[c].props, formats[f], 23, 19);
      GstBuffer *in_buf = el_make_random_frame (&info, 200), *out;
      GstVideoFrame in, frame;
      cnn_pool2d_params p;

      out = push_pull_map (hn, gst_buffer_ref (in_buf), &frame);
      fail_unless (gst_video_frame_map (&in, &info, in_buf, GST_MAP_READ));
      cnn_pool2d_params_init (&p, cases[c].mode, cases[c].k, cases[c].k);
      p.stride_h = p.stride_w = cases[c].s;
      p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = cases[c].pad;
      p.dilation_h = p.dilation_w = cases[c].d;
      p.ceil_mode = cases[c].ceil;
      p.p = 3;
      p.alpha = 0.25f;
      p.output_w = 5;
      p.output_h = 4;
      for (comp = 0; comp < (GST_VIDEO_INFO_IS_RGB (&info) ? 3u : 1u); comp++) {
        guint expected[23 * 19];
        gboolean u8_avg = cases[c].mode == CNN_POOL_AVG &&
            GST_VIDEO_INFO_COMP_DEPTH (&info, comp) == 8;
        gint ow, oh, x, y;

        expect_pool (&in, comp, &p, u8_avg, expected, &ow, &oh);
        fail_unless_equals_int (GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp), ow);
        fail_unless_equals_int (GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp), oh);
        for (y = 0; y < oh; y++)
          for (x = 0; x < ow; x++)
            fail_unless (el_sample (&frame, comp, x, y) == expected[y * ow + x],
                "%s %s comp %u (%d,%d): %u, libcnn %u", formats[f], cases[c].props, comp, x,
                y, el_sample (&frame, comp, x, y), expected[y * ow + x]);
      }
      gst_video_frame_unmap (&in);
      gst_video_frame_unmap (&frame);
      gst_buffer_unref (in_buf);
      gst_buffer_unref (out);
      gst_harness_teardown (hn);
    }
  }
}
END_TEST

START_TEST (output_sizes_fixed_at_negotiation)
{
  /* PyTorch's rule on 33x17, worked by hand:
   * k3 s2 floor: (33-3)/2+1 = 16, (17-3)/2+1 = 8
   * k3 s2 ceil: ceil(30/2)+1 = 16, ceil(14/2)+1 = 8 (no partial window);
   * k2 s2 ceil: ceil(31/2)+1 = 17, ceil(15/2)+1 = 9 (last windows half in);
   * k3 s2 p1 ceil: ceil(32/2)+1 = 17 but window 16 would start at 32 >=
   *   33+1? no: 17; height ceil(16/2)+1 = 9, start 16 >= 18? no: 9;
   * k4 s3 p2 ceil: ceil((37-4)/3)+1 = 12, starts at 33 >= 35? no: 12;
   *   height ceil(17/3)+1 = 7, start 18 >= 19? no: 7;
   * k2 s2 p1 ceil on 4x4 wide 5: width ceil(5/2)+1 = 4, start 6 >= 5+1:
   *   dropped, 3. */
  static const struct
  {
    const gchar *props;
    gint in_w, in_h, w, h;
  } cases[] = {
    {"kernel-size=3 stride=2", 33, 17, 16, 8},
    {"kernel-size=3 stride=2 ceil-mode=true", 33, 17, 16, 8},
    {"kernel-size=2 ceil-mode=true", 33, 17, 17, 9},
    {"kernel-size=3 stride=2 padding=1 ceil-mode=true", 33, 17, 17, 9},
    {"kernel-size=4 stride=3 padding=2 ceil-mode=true", 33, 17, 12, 7},
    {"kernel-size=2 padding=1 ceil-mode=true", 5, 4, 3, 3},
    {"mode=wavelet", 33, 17, 17, 9},
    {"mode=adaptive-max output-size=6x5", 33, 17, 6, 5},
    {"mode=adaptive-avg output-size=4", 33, 17, 4, 4},
    /* vectors, when downstream wants video */
    {"mode=global-max", 33, 17, 1, 1},
    {"mode=pyramid", 33, 17, 21, 1},
    {"mode=pyramid levels=1,3", 33, 17, 10, 1},
  };
  static const gchar *formats[] = { "GRAY8", "RGBx", "I420" };
  guint c, f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (c = 0; c < G_N_ELEMENTS (cases); c++) {
      GstVideoInfo info = el_info (formats[f], cases[c].in_w, cases[c].in_h);
      GstHarness *hn = el_harness ("cnnpool", cases[c].props, formats[f], cases[c].in_w,
          cases[c].in_h);
      GstVideoFrame frame;
      GstBuffer *out;
      gint w, h;

      gst_harness_set_sink_caps_str (hn, "video/x-raw");
      out = push_pull_map (hn, el_make_frame (&info, pattern_sample, (gpointer) info.finfo),
          &frame);
      el_output_size (hn, &w, &h);
      fail_unless (w == cases[c].w && h == cases[c].h, "%s %s: %dx%d, expected %dx%d",
          formats[f], cases[c].props, w, h, cases[c].w, cases[c].h);
      fail_unless_equals_int (gst_buffer_get_size (out), GST_VIDEO_INFO_SIZE (&frame.info));
      gst_video_frame_unmap (&frame);
      gst_buffer_unref (out);
      gst_harness_teardown (hn);
    }
  }
}
END_TEST

/* 4x4 ramp 0..15 on every full-resolution component, plus comp; chroma
 * (2x2 in I420) 128. */
static guint
ramp_sample (guint comp, gint x, gint y, gpointer user_data)
{
  return x < 4 && y < 4 ? y * 4 + x + comp : 128;
}

/* Caps of the harness's sink and the output buffer as floats. */
static const gfloat *
map_tensor (GstHarness * hn, GstBuffer * out, GstMapInfo * map, gchar ** dims)
{
  GstCaps *caps = gst_pad_get_current_caps (hn->sinkpad);
  GstStructure *st = gst_caps_get_structure (caps, 0);

  fail_unless (gst_structure_has_name (st, "other/tensors"), "%" GST_PTR_FORMAT, caps);
  fail_unless_equals_string (gst_structure_get_string (st, "types"), "float32");
  *dims = g_strdup (gst_structure_get_string (st, "dimensions"));
  gst_caps_unref (caps);
  fail_unless (gst_buffer_map (out, map, GST_MAP_READ));
  return (const gfloat *) map->data;
}

START_TEST (global_and_pyramid_give_vector_tensors)
{
  /* GRAY8 4x4 ramp 0..15: global max 15, global avg 7.5; pyramid 1,2: max
   * 15, then the quadrant maxima 5, 7, 13, 15; RGB: three channels, the
   * ramp plus 0, 1 and 2. */
  static const struct
  {
    const gchar *props, *format, *dims;
    guint n;
    gfloat values[15];
  } cases[] = {
    {"mode=global-max", "GRAY8", "1:1:1:1", 1, {15}},
    {"mode=global-avg", "GRAY8", "1:1:1:1", 1, {7.5f}},
    {"mode=pyramid levels=1,2", "GRAY8", "5:1:1:1", 5, {15, 5, 7, 13, 15}},
    {"mode=global-avg", "I420", "1:1:1:1", 1, {7.5f}},
    {"mode=pyramid levels=1,2", "RGB", "5:1:3:1", 15, {15, 5, 7, 13, 15, 16, 6, 8, 14, 16,
            17, 7, 9, 15, 17}},
  };
  guint c, i;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstVideoInfo info = el_info (cases[c].format, 4, 4);
    GstHarness *hn = el_harness ("cnnpool", cases[c].props, cases[c].format, 4, 4);
    GstBuffer *out;
    GstMapInfo map;
    const gfloat *v;
    gchar *dims;

    fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, ramp_sample, NULL)),
        GST_FLOW_OK);
    out = gst_harness_pull (hn);
    v = map_tensor (hn, out, &map, &dims);
    fail_unless_equals_string (dims, cases[c].dims);
    fail_unless_equals_int (map.size, cases[c].n * sizeof (gfloat));
    for (i = 0; i < cases[c].n; i++)
      fail_unless (v[i] == cases[c].values[i], "%s %s [%u]: %g, expected %g", cases[c].format,
          cases[c].props, i, v[i], cases[c].values[i]);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    g_free (dims);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (tensors_match_libcnn_pool2d)
{
  /* [1, 2, 7, 9] float32 in, W:H:C:N = 9:7:2:1 */
  static const struct
  {
    const gchar *props, *dims;
    cnn_pool_mode mode;
    gint k, s, pad, ceil;
  } cases[] = {
    {"mode=avg kernel-size=3 stride=2 padding=1 ceil-mode=true", "5:4:2:1", CNN_POOL_AVG, 3, 2,
        1, 1},
    {"mode=max kernel-size=2", "4:3:2:1", CNN_POOL_MAX, 2, 2, 0, 0},
    {"mode=pyramid levels=1,2", "5:1:2:1", CNN_POOL_PYRAMID_MAX, 1, 1, 0, 0},
  };
  cnn_rng_key key = { el_seed (), 300 };
  guint c, i;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstHarness *hn = el_tensor_harness ("cnnpool", cases[c].props, "float32", 9, 7, 2);
    GstBuffer *in = gst_buffer_new_allocate (NULL, 2 * 7 * 9 * sizeof (gfloat), NULL), *out;
    GstMapInfo in_map, out_map;
    cnn_pool2d_params p;
    cnn_context *ctx;
    cnn_tensor x, y;
    const gfloat *v;
    gchar *dims;
    gint oh, ow;

    fail_unless (gst_buffer_map (in, &in_map, GST_MAP_WRITE));
    el_assert_cnn_ok (cnn_tensor_alloc_nchw (&x, 1, 2, 7, 9));
    for (i = 0; i < 2 * 7 * 9; i++)
      x.data[i] = ((gfloat *) in_map.data)[i] = cnn_rng_u32 (key, i) / 4294967296.0f - 0.5f;
    gst_buffer_unmap (in, &in_map);
    fail_unless_equals_int (gst_harness_push (hn, in), GST_FLOW_OK);
    out = gst_harness_pull (hn);
    v = map_tensor (hn, out, &out_map, &dims);
    fail_unless_equals_string (dims, cases[c].dims);

    cnn_pool2d_params_init (&p, cases[c].mode, cases[c].k, cases[c].k);
    p.stride_h = p.stride_w = cases[c].s;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = cases[c].pad;
    p.ceil_mode = cases[c].ceil;
    p.n_levels = 2;
    p.levels[0] = 1;
    p.levels[1] = 2;
    el_assert_cnn_ok (cnn_context_create (&ctx, 1));
    el_assert_cnn_ok (cnn_pool2d_output_size (&p, 7, 9, &oh, &ow));
    el_assert_cnn_ok (cnn_tensor_alloc_nchw (&y, 1, 2, oh, ow));
    el_assert_cnn_ok (cnn_pool2d_forward (ctx, &p, &x, &y, NULL));
    fail_unless_equals_int (out_map.size, cnn_tensor_numel (&y) * sizeof (gfloat));
    for (i = 0; i < cnn_tensor_numel (&y); i++)
      fail_unless (v[i] == y.data[i], "%s [%u]: %g, libcnn %g", cases[c].props, i, v[i],
          y.data[i]);
    gst_buffer_unmap (out, &out_map);
    gst_buffer_unref (out);
    g_free (dims);
    cnn_context_destroy (ctx);
    cnn_tensor_release (&x);
    cnn_tensor_release (&y);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (adaptive_max_values)
{
  /* GRAY8 4x4 ramp 0..15 into 2x1 cells: 13 and 15; 3x3 cells of 2
   * overlapping pixels ([0,2), [1,3), [2,4)): 5, 6, 7 / 9, 10, 11 / ... */
  static const struct
  {
    const gchar *props;
    guint n, values[9];
  } cases[] = {
    {"mode=adaptive-max output-size=2x1", 2, {13, 15}},
    {"mode=adaptive-max output-size=3", 9, {5, 6, 7, 9, 10, 11, 13, 14, 15}},
  };
  guint c, i;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstVideoInfo info = el_info ("GRAY8", 4, 4);
    GstHarness *hn = el_harness ("cnnpool", cases[c].props, "GRAY8", 4, 4);
    GstBuffer *out;
    GstVideoFrame frame;

    out = push_pull_map (hn, el_make_frame (&info, ramp_sample, NULL), &frame);
    for (i = 0; i < cases[c].n; i++) {
      gint w = GST_VIDEO_FRAME_COMP_WIDTH (&frame, 0);

      fail_unless (el_sample (&frame, 0, i % w, i / w) == cases[c].values[i],
          "%s [%u]: %u, expected %u", cases[c].props, i, el_sample (&frame, 0, i % w, i / w),
          cases[c].values[i]);
    }
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hn);
  }
}
END_TEST

START_TEST (any_thread_count_gives_identical_output)
{
  GstVideoInfo info = el_info ("GRAY16_LE", 61, 37);
  GstBuffer *in = el_make_random_frame (&info, 200);
  GstVideoFrame frame[2];
  GstHarness *hn[2];
  GstBuffer *out[2];
  gint n, x, y;

  for (n = 0; n < 2; n++) {
    hn[n] = el_harness ("cnnpool", n ? "mode=lp p=1.5 kernel-size=3 stride=1 n-threads=3" :
        "mode=lp p=1.5 kernel-size=3 stride=1 n-threads=1", "GRAY16_LE", 61, 37);
    out[n] = push_pull_map (hn[n], gst_buffer_ref (in), &frame[n]);
  }
  for (y = 0; y < 35; y++)
    for (x = 0; x < 59; x++)
      fail_unless (el_sample (&frame[0], 0, x, y) == el_sample (&frame[1], 0, x, y),
          "(%d,%d) differs", x, y);
  for (n = 0; n < 2; n++) {
    gst_video_frame_unmap (&frame[n]);
    gst_buffer_unref (out[n]);
    gst_harness_teardown (hn[n]);
  }
  gst_buffer_unref (in);
}
END_TEST

static GstBuffer *
push_pattern (GstHarness * hn, const GstVideoInfo * info)
{
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (info, pattern_sample,
              (gpointer) info->finfo)), GST_FLOW_OK);
  return gst_harness_pull (hn);
}

START_TEST (property_changes_while_playing)
{
  GstVideoInfo info = el_info ("GRAY8", 16, 8);
  GstHarness *hn = el_harness ("cnnpool", "kernel-size=2", "GRAY8", 16, 8);
  GstElement *pool = gst_harness_find_element (hn, "cnnpool");
  GstBuffer *out;
  gint w, h;

  /* pattern (37 x + 101 y) % 251 at (0..1, 0..1): 0, 37, 101, 138 */
  out = push_pattern (hn, &info);
  fail_unless_equals_int (el_gray_at (hn, out, 0, 0), 138);
  gst_buffer_unref (out);

  /* same size: the next frame uses it */
  gst_util_set_object_arg (G_OBJECT (pool), "mode", "min");
  out = push_pattern (hn, &info);
  el_output_size (hn, &w, &h);
  fail_unless (w == 8 && h == 4);
  fail_unless_equals_int (el_gray_at (hn, out, 0, 0), 0);
  gst_buffer_unref (out);

  /* a new size: renegotiated before the next frame */
  g_object_set (pool, "kernel-size", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (pool), "mode", "max");
  out = push_pattern (hn, &info);
  el_output_size (hn, &w, &h);
  fail_unless (w == 4 && h == 2, "%dx%d after kernel-size=4", w, h);
  /* the largest of the 16 taps of the first window */
  {
    guint best = 0;
    gint i;

    for (i = 0; i < 16; i++)
      best = MAX (best, pattern_sample (0, i % 4, i / 4, (gpointer) info.finfo));
    fail_unless_equals_int (el_gray_at (hn, out, 0, 0), best);
  }
  gst_buffer_unref (out);

  /* unusable values: a warning, the previous values stay */
  g_object_set (pool, "output-size", "big", "mode", 8 /* adaptive-avg */ , NULL);
  out = push_pattern (hn, &info);
  el_output_size (hn, &w, &h);
  fail_unless (w == 4 && h == 2);
  gst_buffer_unref (out);
  gst_object_unref (pool);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (wrong_sizes_fail_with_a_message)
{
  gchar *msg;

  msg = el_negotiation_error ("cnnpool kernel-size=2", 33, 17,
      "video/x-raw,format=GRAY8,width=30,height=8");
  fail_unless (strstr (msg, "downstream refuses") && strstr (msg, "width=(int)16"),
      "message: %s", msg);
  g_free (msg);

  msg = el_negotiation_error ("cnnpool kernel-size=7", 5, 5, NULL);
  fail_unless (strstr (msg, "kernel-size 7") && strstr (msg, "5x5 frame"), "message: %s",
      msg);
  g_free (msg);

  /* a pipeline string is checked when it links */
  msg = el_run_pipeline ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
      "cnnpool kernel-size=2 ! video/x-raw,width=40,height=24 ! fakesink", 20);
  fail_unless (msg && strstr (msg, "could not link cnnpool") && strstr (msg, "width=(int)40"), "message: %s",
      msg);
  g_free (msg);
  msg = el_run_pipeline ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
      "cnnpool kernel-size=2 ! video/x-raw,width=32,height=24 ! fakesink", 20);
  fail_unless (msg == NULL, "%s", msg);
}
END_TEST

START_TEST (bad_properties_name_the_property)
{
  static const ElBadProperties cases[] = {
    {"mode=adaptive-max output-size=3y4", "output-size: '3y4'"},
    {"mode=pyramid levels=1,0,2", "levels: '1,0,2'"},
    {"kernel-size=2 padding=2", "padding"},
    {"mode=lp p=0", "p > 0"},
  };

  el_assert_bad_properties ("cnnpool", cases, G_N_ELEMENTS (cases));
}
END_TEST

static Suite *
cnnpool_suite (void)
{
  Suite *s = suite_create ("cnnpool");
  TCase *tc = tcase_create ("cnnpool");

  tcase_add_test (tc, two_by_two_max_on_a_pattern_every_format);
  tcase_add_test (tc, random_frames_match_libcnn_pool2d);
  tcase_add_test (tc, output_sizes_fixed_at_negotiation);
  tcase_add_test (tc, global_and_pyramid_give_vector_tensors);
  tcase_add_test (tc, tensors_match_libcnn_pool2d);
  tcase_add_test (tc, adaptive_max_values);
  tcase_add_test (tc, any_thread_count_gives_identical_output);
  tcase_add_test (tc, property_changes_while_playing);
  tcase_add_test (tc, wrong_sizes_fail_with_a_message);
  tcase_add_test (tc, bad_properties_name_the_property);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnpool);
