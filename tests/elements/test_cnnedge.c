/* cnnedge in GstHarness and real pipelines: every format against libcnn's
 * edge detection on the frame's luma, Canny's outline of a square, overlay
 * colours, in place against out of place, property changes while playing,
 * errors naming the property, and broken or foreign files through
 * decodebin never crash or hang. */
#include <string.h>
#include <glib/gstdio.h>

#include "elementutil.h"

/* Blobs: smooth random shapes, so every detector finds edges of all
 * directions; colour channels differ. */
static guint
blob_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const GstVideoFormatInfo *finfo = user_data;
  cnn_rng_key key = { el_seed (), 7 };
  guint v = ((x / 5 + y / 4) % 3) * 60 + (cnn_rng_u32 (key, (guint64) y * 4096 + x) % 40);

  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) && comp < 3)
    v = (v + comp * 50) % 256;
  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && comp > 0)
    v = 60 + comp * 40;
  return GST_VIDEO_FORMAT_INFO_DEPTH (finfo, comp) == 16 ? v * 257 : v;
}

/* BT.601 full-range luma as cv2.cvtColor(RGB2GRAY): 14-bit fixed point. */
static guint8
luma_601 (guint r, guint g, guint b)
{
  return (guint8) ((r * 4899 + g * 9617 + b * 1868 + 8192) >> 14);
}

/* Expected magnitude: libcnn's detection of the frame's luma. */
static void
expect_edges (GstVideoFrame * in, const cnn_edge_params * p, guint8 * expected, gfloat * f_out)
{
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in), x, y;
  gboolean rgb = GST_VIDEO_INFO_IS_RGB (&in->info);
  gboolean deep = GST_VIDEO_FRAME_COMP_DEPTH (in, 0) == 16;
  guint8 *luma = g_malloc (w * h);
  gfloat *f_in = g_malloc (sizeof (gfloat) * w * h);
  cnn_context *ctx;
  void *ws;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      luma[y * w + x] = rgb ? luma_601 (el_sample (in, 0, x, y), el_sample (in, 1, x, y),
          el_sample (in, 2, x, y)) : el_sample (in, 0, x, y);
      f_in[y * w + x] = el_sample (in, 0, x, y) / 257.0f;
    }
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  ws = cnn_aligned_alloc (cnn_edge_workspace_size (p, w, h, 1) + 64);
  if (deep)
    el_assert_cnn_ok (cnn_edge_detect_f32 (ctx, p, f_in, w, f_out, w, w, h, ws));
  else
    el_assert_cnn_ok (cnn_edge_detect_u8 (ctx, p, luma, w, expected, w, w, h, ws));
  cnn_aligned_free (ws);
  cnn_context_destroy (ctx);
  g_free (luma);
  g_free (f_in);
}

START_TEST (every_format_matches_libcnn_on_luma)
{
  static const struct
  {
    const gchar *props;
    cnn_edge_method method;
    cnn_edge_norm norm;
    gint aperture;
  } cases[] = {
    {"method=sobel", CNN_EDGE_SOBEL, CNN_EDGE_L1, 3},
    {"method=scharr norm=l2", CNN_EDGE_SCHARR, CNN_EDGE_L2, 3},
    {"method=canny aperture=5 threshold-low=100 threshold-high=300", CNN_EDGE_CANNY,
        CNN_EDGE_L1, 5},
    /* aperture 5 is cv2.Laplacian(ksize=5) */
    {"method=laplacian aperture=5", CNN_EDGE_LAPLACIAN, CNN_EDGE_L1, 3},
  };
  guint f, c;

  for (f = 0; f < EL_N_FORMATS; f++) {
    for (c = 0; c < G_N_ELEMENTS (cases); c++) {
      GstVideoInfo info, out_info;
      GstHarness *hn = el_harness ("cnnedge", cases[c].props, el_formats[f], 41, 23);
      GstBuffer *in_buf, *out;
      GstVideoFrame in, frame;
      GstCaps *caps;
      cnn_edge_params p;
      guint8 expected[41 * 23];
      gfloat f_expected[41 * 23];
      guint comp, n_luma;
      gint x, y;

      gst_video_info_set_format (&info, gst_video_format_from_string (el_formats[f]), 41, 23);
      in_buf = el_make_frame (&info, blob_sample, (gpointer) info.finfo);
      fail_unless_equals_int (gst_harness_push (hn, gst_buffer_ref (in_buf)), GST_FLOW_OK);
      out = gst_harness_pull (hn);
      caps = gst_pad_get_current_caps (hn->sinkpad);
      el_map (&frame, &out_info, caps, out);
      fail_unless (gst_video_frame_map (&in, &info, in_buf, GST_MAP_READ));
      fail_unless (GST_VIDEO_INFO_FORMAT (&out_info) == GST_VIDEO_INFO_FORMAT (&info));
      fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&out_info), 41);

      cnn_edge_params_init (&p, cases[c].method);
      p.norm = cases[c].norm;
      p.aperture = cases[c].aperture;
      if (cases[c].method == CNN_EDGE_LAPLACIAN)
        p.laplacian = CNN_LAPLACIAN_APERTURE5;
      p.threshold_low = cases[c].method == CNN_EDGE_CANNY ? 100 : 50;
      p.threshold_high = cases[c].method == CNN_EDGE_CANNY ? 300 : 150;
      expect_edges (&in, &p, expected, f_expected);
      n_luma = GST_VIDEO_INFO_IS_RGB (&info) ? 3 : 1;
      for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (&frame); comp++)
        for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp); y++)
          for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp); x++) {
            guint got = el_sample (&frame, comp, x, y), want;

            if (comp >= n_luma)
              want = comp == 3 ? 255 : 128;
            else if (GST_VIDEO_FRAME_COMP_DEPTH (&frame, 0) == 16)
              want = (guint) CLAMP (rintf (f_expected[y * 41 + x] *
                      (cases[c].method == CNN_EDGE_CANNY ? 65535.f : 257.f)), 0, 65535);
            else
              want = expected[y * 41 + x];
            fail_unless (got == want, "%s %s comp %u (%d,%d): %u, libcnn %u", el_formats[f],
                cases[c].props, comp, x, y, got, want);
          }
      gst_video_frame_unmap (&in);
      gst_video_frame_unmap (&frame);
      gst_caps_unref (caps);
      gst_buffer_unref (in_buf);
      gst_buffer_unref (out);
      gst_harness_teardown (hn);
    }
  }
}
END_TEST

/* Every component of two frames of the harness's output caps equal. */
static void
assert_same_frames (GstHarness * hn, GstBuffer * a, GstBuffer * b, const gchar * what)
{
  GstCaps *caps = gst_pad_get_current_caps (hn->sinkpad);
  GstVideoFrame fa, fb;
  GstVideoInfo info;
  guint comp;
  gint x, y;

  el_map (&fa, &info, caps, a);
  el_map (&fb, &info, caps, b);
  for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (&fa); comp++)
    for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&fa, comp); y++)
      for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&fa, comp); x++)
        fail_unless (el_sample (&fa, comp, x, y) == el_sample (&fb, comp, x, y),
            "%s comp %u (%d,%d): %u, out of place %u", what, comp, x, y,
            el_sample (&fa, comp, x, y), el_sample (&fb, comp, x, y));
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
  gst_caps_unref (caps);
}

/* Video is filtered in place: a writable buffer comes back itself, one
 * upstream still holds is copied first and left as it was, and the result
 * equals the out-of-place one (in place turned off on the element), at 3
 * threads (bands overwrite the rows their neighbours read). */
START_TEST (in_place_matches_out_of_place)
{
  static const gchar *const formats[] = { "RGB", "BGRx", "RGBA", "GRAY8", "I420" };
  static const gchar *const props[] = { "method=sobel", "method=canny",
    "method=sobel aperture=5 blur-sigma=1.5", "method=scharr output=overlay",
    "method=laplacian output=mask", "method=canny output=mask"
  };
  guint f, c;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (c = 0; c < G_N_ELEMENTS (props); c++) {
      gchar *desc = g_strdup_printf ("n-threads=3 %s", props[c]);
      gchar *what = g_strdup_printf ("%s %s", formats[f], props[c]);
      GstHarness *hn = el_harness ("cnnedge", desc, formats[f], 40, 37);
      GstElement *edge = gst_harness_find_element (hn, "cnnedge");
      GstVideoInfo info = el_info (formats[f], 40, 37);
      GstBuffer *shared = el_make_frame (&info, blob_sample, (gpointer) info.finfo);
      GstBuffer *kept = gst_buffer_copy_deep (shared), *own, *a, *b, *ref;
      GstMapInfo map;

      fail_unless_equals_int (gst_harness_push (hn, gst_buffer_ref (shared)), GST_FLOW_OK);
      a = gst_harness_pull (hn);
      fail_unless (a != shared, "%s: a shared buffer written", what);
      fail_unless (gst_buffer_map (kept, &map, GST_MAP_READ));
      fail_unless (gst_buffer_memcmp (shared, 0, map.data, map.size) == 0,
          "%s: the upstream buffer changed", what);
      gst_buffer_unmap (kept, &map);

      own = gst_buffer_copy_deep (kept);
      fail_unless_equals_int (gst_harness_push (hn, own), GST_FLOW_OK);
      b = gst_harness_pull (hn);
      fail_unless (b == own, "%s: not filtered in place", what);
      assert_same_frames (hn, b, a, what);

      gst_base_transform_set_in_place (GST_BASE_TRANSFORM (edge), FALSE);
      own = gst_buffer_copy_deep (kept);
      fail_unless_equals_int (gst_harness_push (hn, own), GST_FLOW_OK);
      ref = gst_harness_pull (hn);
      fail_unless (ref != own);
      assert_same_frames (hn, a, ref, what);

      gst_buffer_unref (a);
      gst_buffer_unref (b);
      gst_buffer_unref (ref);
      gst_buffer_unref (shared);
      gst_buffer_unref (kept);
      gst_object_unref (edge);
      gst_harness_teardown (hn);
      g_free (desc);
      g_free (what);
    }
}
END_TEST

/* A bright 16x16 square at (8, 8) on dark ground, 32x32. */
static guint
square_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const GstVideoFormatInfo *finfo = user_data;

  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && comp > 0)
    return 128;
  if (comp == 3)
    return 255;
  return ((x >= 8 && x < 24 && y >= 8 && y < 24) ? 200 : 10) *
      (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, comp) == 16 ? 257 : 1);
}

static GstBuffer *
run_square (const gchar * props, const gchar * format, GstVideoFrame * frame)
{
  GstVideoInfo info, out_info;
  GstHarness *hn = el_harness ("cnnedge", props, format, 32, 32);
  GstBuffer *out;
  GstCaps *caps;

  gst_video_info_set_format (&info, gst_video_format_from_string (format), 32, 32);
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, square_sample,
              (gpointer) info.finfo)), GST_FLOW_OK);
  out = gst_harness_pull (hn);
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (frame, &out_info, caps, out);
  gst_caps_unref (caps);
  gst_harness_teardown (hn);
  return out;
}

START_TEST (canny_outlines_a_square)
{
  GstVideoFrame frame;
  GstBuffer *out = run_square ("method=canny", "GRAY8", &frame);
  gint x, y, on = 0;

  /* cv2.Canny's non-maximum suppression keeps the outer side of a step
   * (ties go to the first pixel): the outline is columns and rows 7 and 23,
   * corners cut (cv2.Canny on this square sets 60 pixels). */
  for (y = 0; y < 32; y++)
    for (x = 0; x < 32; x++) {
      guint v = el_sample (&frame, 0, x, y);
      gboolean outline = ((x == 7 || x == 23) && y >= 9 && y <= 22) ||
          ((y == 7 || y == 23) && x >= 9 && x <= 22);
      gboolean far = x < 5 || x > 26 || y < 5 || y > 26 || (x > 10 && x < 21 && y > 10
          && y < 21);

      fail_unless (v == 0 || v == 255, "(%d,%d) = %u, not binary", x, y, v);
      if (outline)
        fail_unless (v == 255, "outline (%d,%d) missing", x, y);
      if (far)
        fail_unless (v == 0, "(%d,%d) marked far from the square", x, y);
      on += v == 255;
    }
  /* the outline and a few corner pixels, nothing else */
  fail_unless (on >= 56 && on <= 64, "%d edge pixels", on);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
}
END_TEST

START_TEST (overlay_paints_the_edges_in_the_colour)
{
  GstVideoFrame frame;
  GstBuffer *out = run_square ("method=canny output=overlay overlay-color=0xff2040e0", "BGRA",
      &frame);
  const guint colour[4] = { 0x20, 0x40, 0xe0, 255 };
  guint comp;

  for (comp = 0; comp < 4; comp++) {
    fail_unless_equals_int (el_sample (&frame, comp, 7, 15), colour[comp]);
    fail_unless_equals_int (el_sample (&frame, comp, 15, 15), comp == 3 ? 255 : 200);
    fail_unless_equals_int (el_sample (&frame, comp, 2, 2), comp == 3 ? 255 : 10);
  }
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* I420: Rec. 601 red (Y 81, Cb 90, Cr 240) on the edge; chroma on every
   * 2x2 block that holds an edge pixel */
  out = run_square ("method=canny output=overlay overlay-color=0xffff0000", "I420", &frame);
  fail_unless_equals_int (el_sample (&frame, 0, 7, 16), 81);
  fail_unless_equals_int (el_sample (&frame, 0, 15, 15), 200);
  fail_unless_equals_int (el_sample (&frame, 1, 3, 8), 90);
  fail_unless_equals_int (el_sample (&frame, 2, 3, 8), 240);
  fail_unless_equals_int (el_sample (&frame, 1, 7, 7), 128);
  fail_unless_equals_int (el_sample (&frame, 2, 1, 1), 128);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
}
END_TEST

START_TEST (mask_cuts_gradients_at_threshold_high)
{
  GstVideoFrame frame;
  /* Sobel L1 across the 10 -> 200 step: 4 * 190 = 760, saturated 255 */
  GstBuffer *out = run_square ("method=sobel output=mask threshold-high=200", "GRAY16_LE",
      &frame);

  fail_unless_equals_int (el_sample (&frame, 0, 7, 15), 65535);
  fail_unless_equals_int (el_sample (&frame, 0, 8, 15), 65535);
  fail_unless_equals_int (el_sample (&frame, 0, 15, 15), 0);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
}
END_TEST

START_TEST (property_changes_while_playing)
{
  GstVideoInfo info;
  GstHarness *hn = el_harness ("cnnedge", "method=sobel", "GRAY8", 32, 32);
  GstElement *edge = gst_harness_find_element (hn, "cnnedge");
  GstVideoFrame frame;
  GstMessage *msg;
  GError *err = NULL;
  GstBus *bus;
  GstBuffer *out;
  GstCaps *caps;
  gint x, partial = 0;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 32, 32);
  g_object_set (edge, "blur-sigma", 1.5, NULL);
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, square_sample,
              (gpointer) info.finfo)), GST_FLOW_OK);
  out = gst_harness_pull (hn);
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (&frame, &info, caps, out);
  /* blurred Sobel: graded values around the edge */
  for (x = 0; x < 32; x++)
    partial += el_sample (&frame, 0, x, 15) > 0 && el_sample (&frame, 0, x, 15) < 255;
  fail_unless (partial > 0);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* to Canny with a larger workspace: binary at the next frame, the outline
   * on the dark side of the step */
  gst_util_set_object_arg (G_OBJECT (edge), "method", "canny");
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, square_sample,
              (gpointer) info.finfo)), GST_FLOW_OK);
  out = gst_harness_pull (hn);
  el_map (&frame, &info, caps, out);
  for (x = 0; x < 32; x++) {
    guint v = el_sample (&frame, 0, x, 15);

    fail_unless (v == 0 || v == 255, "x %d: %u", x, v);
  }
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* an unusable value: a warning naming it, the stream goes on as before */
  bus = gst_bus_new ();
  gst_element_set_bus (hn->element, bus);
  g_object_set (edge, "aperture", 4, "n-threads", 3, NULL);
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, square_sample,
              (gpointer) info.finfo)), GST_FLOW_OK);
  out = gst_harness_pull (hn);
  el_map (&frame, &info, caps, out);
  fail_unless_equals_int (el_sample (&frame, 0, 7, 15), 255);
  fail_unless_equals_int (el_sample (&frame, 0, 8, 15), 0);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning");
  gst_message_parse_warning (msg, &err, NULL);
  fail_unless (strstr (err->message, ": aperture 4"), "warning: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_bus (hn->element, NULL);
  gst_object_unref (bus);

  gst_caps_unref (caps);
  gst_object_unref (edge);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (bad_properties_name_the_property)
{
  static const ElBadProperties cases[] = {
    {"aperture=4", ": aperture"},
    {"method=scharr aperture=5", ": aperture"},
    {"method=laplacian aperture=7", ": aperture"},
  };

  el_assert_bad_properties ("cnnedge", cases, G_N_ELEMENTS (cases));
}
END_TEST

#define CLIPS "/usr/share/doc/opencv-doc/examples/data/"

/* Run the decode pipeline on a file; NULL on EOS, else the bus error. */
static gchar *
decode_through_cnnedge (const gchar * path)
{
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
      "cnnedge method=canny n-threads=2 ! fakesink", path);
  gchar *msg = el_run_pipeline (desc, 60);

  g_free (desc);
  return msg;
}

START_TEST (corrupted_clip_neither_crashes_nor_hangs)
{
  gchar *msg = decode_through_cnnedge (CLIPS "Megamind_bugy.avi");

  /* decoders may conceal the damage; if they give up, the bus says why */
  if (msg)
    fail_unless (strlen (msg) > 0);
  g_free (msg);
}
END_TEST

static gchar *
temp_file (const gchar * name, const gchar * data, gsize size)
{
  gchar *dir = g_dir_make_tmp ("cnnedge-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, name, NULL);

  fail_unless (g_file_set_contents (path, data, size, NULL));
  g_free (dir);
  return path;
}

static void
remove_temp_file (gchar * path)
{
  gchar *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
  g_free (dir);
  g_free (path);
}

START_TEST (truncated_clip_neither_crashes_nor_hangs)
{
  gchar *data, *path, *msg;
  gsize size;

  fail_unless (g_file_get_contents (CLIPS "vtest.avi", &data, &size, NULL));
  path = temp_file ("truncated.avi", data, MIN (size, 200 * 1024));
  msg = decode_through_cnnedge (path);
  if (msg)
    fail_unless (strlen (msg) > 0);
  g_free (msg);
  g_free (data);
  remove_temp_file (path);
}
END_TEST

START_TEST (non_video_file_fails_with_a_message)
{
  static const gchar text[] = "This is a text file, not an AVI.\n";
  gchar *path = temp_file ("not-a-video.avi", text, sizeof text - 1);
  gchar *msg = decode_through_cnnedge (path);

  fail_unless (msg != NULL, "a text file decoded as video");
  g_free (msg);
  remove_temp_file (path);
}
END_TEST

static Suite *
cnnedge_suite (void)
{
  Suite *s = suite_create ("cnnedge");
  TCase *tc = tcase_create ("cnnedge");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, every_format_matches_libcnn_on_luma);
  tcase_add_test (tc, in_place_matches_out_of_place);
  tcase_add_test (tc, canny_outlines_a_square);
  tcase_add_test (tc, overlay_paints_the_edges_in_the_colour);
  tcase_add_test (tc, mask_cuts_gradients_at_threshold_high);
  tcase_add_test (tc, property_changes_while_playing);
  tcase_add_test (tc, bad_properties_name_the_property);
  tcase_add_test (tc, corrupted_clip_neither_crashes_nor_hangs);
  tcase_add_test (tc, truncated_clip_neither_crashes_nor_hangs);
  tcase_add_test (tc, non_video_file_fails_with_a_message);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnedge);
