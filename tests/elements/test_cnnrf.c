/* The receptive-field query: asked at every source pad of prerolled
 * pipelines, answers against fields worked out by hand from the
 * recurrences (size += (k' - 1) jump, start += ((k' - 1) / 2 - pad) jump,
 * jump *= stride, from size 1, jump 1, start 0.5), and against `gst-cnn rf
 * --json` on the same chain. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "elementutil.h"
#include "gstcnnrf.h"

typedef struct
{
  const gchar *name;            /* element whose source pad is asked */
  gint64 size_x, size_y, jump_x, jump_y;
  gdouble start_x, start_y;
  guint layers;
} Field;

static GstElement *
preroll (const gchar * description)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (description, &err);

  fail_unless (pipeline && !err, "%s: %s", description, err ? err->message : "");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL, 20 * GST_SECOND),
      GST_STATE_CHANGE_SUCCESS);
  return pipeline;
}

static void
ask (GstElement * pipeline, const Field * want)
{
  GstElement *el = gst_bin_get_by_name (GST_BIN (pipeline), want->name);
  GstPad *pad = gst_element_get_static_pad (el, "src");
  GstQuery *q = gst_cnn_query_new_receptive_field ();
  GstCnnReceptiveField rf;

  fail_unless (gst_pad_query (pad, q), "%s: query not answered", want->name);
  fail_unless (gst_cnn_query_parse_receptive_field (q, &rf), "%s: no fields", want->name);
  fail_unless (rf.size[0] == want->size_x && rf.size[1] == want->size_y &&
      rf.jump[0] == want->jump_x && rf.jump[1] == want->jump_y &&
      rf.start[0] == want->start_x && rf.start[1] == want->start_y &&
      rf.layers == want->layers,
      "%s: size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " jump %" G_GINT64_FORMAT "x%"
      G_GINT64_FORMAT " start %g,%g layers %u; expected %" G_GINT64_FORMAT "x%"
      G_GINT64_FORMAT " jump %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " start %g,%g layers %u",
      want->name, rf.size[0], rf.size[1], rf.jump[0], rf.jump[1], rf.start[0], rf.start[1],
      rf.layers, want->size_x, want->size_y, want->jump_x, want->jump_y, want->start_x,
      want->start_y, want->layers);
  gst_query_unref (q);
  gst_object_unref (pad);
  gst_object_unref (el);
}

static void
check_fields (const gchar * description, const Field * fields, guint n)
{
  GstElement *pipeline = preroll (description);
  guint i;

  for (i = 0; i < n; i++)
    ask (pipeline, &fields[i]);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

START_TEST (conv_pool_conv_every_pad)
{
  /* gaussian 3x3 same: size 3, jump 1, start 0.5;
   * pool 2 (stride 2, no pad): 3 + 1 = 4, jump 2, start 0.5 + 0.5 = 1;
   * identity 3x3 same: 4 + 2 * 2 = 8, jump 2, start 1 + (1 - 1) * 2 = 1 */
  static const Field fields[] = {
    {"a", 3, 3, 1, 1, 0.5, 0.5, 1},
    {"b", 4, 4, 2, 2, 1.0, 1.0, 2},
    {"c", 8, 8, 2, 2, 1.0, 1.0, 3},
  };

  check_fields ("videotestsrc ! video/x-raw,width=64,height=48 ! cnnconv name=a "
      "kernel=gaussian ! cnnpool name=b kernel-size=2 ! cnnconv name=c ! fakesink", fields,
      G_N_ELEMENTS (fields));
}
END_TEST

START_TEST (strides_padding_dilation_and_edges)
{
  /* box stride 2 'same' on 64: out 32, total pad (32-1)*2+3-64 = 1, left 0:
   *   size 3, jump 2, start 0.5 + 1 = 1.5; height 48: out 24, pad 1, left 0.
   * pool k3 s2 p1 dilation 2 (k' 5): size 3 + 4*2 = 11, jump 4,
   *   start 1.5 + (2 - 1) * 2 = 3.5.
   * edge sobel aperture 5 blur-sigma 1 on GRAY8: blur 7 (pad 3) then 5:
   *   size 11 + 6*4 + 4*4 = 51, jump 4, start 3.5. */
  static const Field fields[] = {
    {"a", 3, 3, 2, 2, 1.5, 1.5, 1},
    {"b", 11, 11, 4, 4, 3.5, 3.5, 2},
    {"c", 51, 51, 4, 4, 3.5, 3.5, 4},
  };

  check_fields ("videotestsrc ! video/x-raw,format=GRAY8,width=64,height=48 ! cnnconv name=a "
      "kernel=box stride=2 ! cnnpool name=b kernel-size=3 stride=2 padding=1 dilation=2 ! "
      "cnnedge name=c aperture=5 blur-sigma=1 ! fakesink", fields, G_N_ELEMENTS (fields));
}
END_TEST

START_TEST (non_square_kernels_and_adaptive_cells)
{
  /* weights 1 row x 5 columns, padding 1: x size 5, start 0.5 + 2 - 1 = 1.5;
   * y size 1, start 0.5 - 1 = -0.5 (output row 0 is centred in the
   * padding). Frame 66x50 (x: 66 + 2 - 5 + 1 = 64, y: 50 + 2 = 52).
   * adaptive 4x4 on 64x52: cells 16 and 13 pixels, strides 16 and 13:
   * x 5 + 15 = 20, start 1.5 + 7.5 = 9; y 1 + 12 = 13, start -0.5 + 6 = 5.5. */
  static const Field fields[] = {
    {"a", 5, 1, 1, 1, 1.5, -0.5, 1},
    {"b", 20, 13, 16, 13, 9.0, 5.5, 2},
  };

  check_fields ("videotestsrc ! video/x-raw,width=66,height=50 ! cnnconv name=a "
      "weights=\"1,2,3,2,1\" padding=1 ! cnnpool name=b mode=adaptive-avg output-size=4 ! "
      "fakesink", fields, G_N_ELEMENTS (fields));
}
END_TEST

START_TEST (converters_pass_scalers_restart)
{
  /* videoconvert keeps the frame: the field goes through it (pool 2 then
   * box 3: 2 + 2 * 2 = 6, jump 2, start 1). A videoscale changes the
   * frame: the box after it starts again from the identity (3, 1, 0.5).
   * Likewise through tensors (and a pointwise cnndropout). */
  static const Field through[] = {
    {"c", 6, 6, 2, 2, 1.0, 1.0, 2},
  };
  static const Field restarted[] = {
    {"c", 3, 3, 1, 1, 0.5, 0.5, 1},
  };

  check_fields ("videotestsrc ! video/x-raw,width=64,height=48 ! cnnpool kernel-size=2 ! "
      "videoconvert ! video/x-raw,format=GRAY8 ! cnnconv name=c kernel=box ! fakesink",
      through, 1);
  check_fields ("videotestsrc ! video/x-raw,width=64,height=48 ! cnnpool kernel-size=2 ! "
      "videoscale ! video/x-raw,width=64,height=48 ! cnnconv name=c kernel=box ! fakesink",
      restarted, 1);
  /* tensors carry the field on; a resizing cnntensorize starts again */
  check_fields ("videotestsrc ! video/x-raw,width=64,height=48 ! cnnpool kernel-size=2 ! "
      "cnntensorize ! cnndropout ! cnnconv name=c kernel=box ! fakesink", through, 1);
  check_fields ("videotestsrc ! video/x-raw,width=64,height=48 ! cnnpool kernel-size=2 ! "
      "cnntensorize width=16 height=12 ! cnnconv name=c kernel=box ! fakesink", restarted, 1);
}
END_TEST

START_TEST (augment_restarts_unless_empty)
{
  /* a flip moves every pixel of its samples: cnnaugment answers the
   * identity on its own frames and the box after it starts there (3, 1,
   * 0.5); the empty chain passes pool 2 then box 3 through (6, 2, 1) */
  static const Field restarted[] = {
    {"a", 1, 1, 1, 1, 0.5, 0.5, 0},
    {"c", 3, 3, 1, 1, 0.5, 0.5, 1},
  };
  static const Field through[] = {
    {"c", 6, 6, 2, 2, 1.0, 1.0, 2},
  };

  check_fields ("videotestsrc ! video/x-raw,format=RGB,width=64,height=48 ! cnnpool "
      "kernel-size=2 ! cnnaugment name=a transforms=flip-h ! cnnconv name=c kernel=box ! "
      "fakesink", restarted, G_N_ELEMENTS (restarted));
  check_fields ("videotestsrc ! video/x-raw,format=RGB,width=64,height=48 ! cnnpool "
      "kernel-size=2 ! cnnaugment ! cnnconv name=c kernel=box ! fakesink", through, 1);
}
END_TEST

/* The last layer's size, jump and start printed by `gst-cnn rf --json`,
 * for an input_size x input_size input (0: not given; start NAN when the
 * command says it is unknown). */
static void
gst_cnn_rf_last (const gchar * chain, gint input_size, gint64 * size, gint64 * jump,
    gdouble * start)
{
  const gchar *exe = g_getenv ("GST_CNN");
  gchar *size_arg = g_strdup_printf ("--input-size=%d", input_size);
  gchar *argv[] = { (gchar *) exe, (gchar *) "rf", (gchar *) "--json", (gchar *) chain,
    input_size ? size_arg : NULL, NULL
  };
  gchar *out = NULL, *last;
  gint status;

  fail_unless (exe != NULL, "GST_CNN (the gst-cnn command) not set");
  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
          NULL, &status, NULL) && status == 0, "gst-cnn rf --json '%s' failed", chain);
  g_strchomp (out);
  last = strrchr (out, '\n') ? strrchr (out, '\n') + 1 : out;
  fail_unless (sscanf (strstr (last, "\"size\""), "\"size\": %" G_GINT64_FORMAT
          ", \"jump\": %" G_GINT64_FORMAT, size, jump) == 2, "cannot read '%s'", last);
  if (strstr (last, "\"start\": null"))
    *start = NAN;
  else
    fail_unless (sscanf (strstr (last, "\"start\""), "\"start\": %lf", start) == 1,
        "cannot read '%s'", last);
  g_free (out);
  g_free (size_arg);
}

START_TEST (agrees_with_gst_cnn_rf)
{
  static const gchar *chains[] = {
    "cnnconv kernel=gaussian ! cnnpool kernel-size=2 ! cnnconv",
    "cnnconv kernel=curve dilation=2 ! cnnpool kernel-size=3 stride=2 padding=1",
    "cnnedge method=canny blur-sigma=1 ! cnnpool mode=avg kernel-size=4",
    "cnnedge method=sobel aperture=5 ! cnnconv kernel=curve padding=2",
    "cnnpool kernel-size=2 ! cnnpool kernel-size=2 ! cnnconv kernel=laplacian dilation=3",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (chains); i++) {
    gchar *desc = g_strdup_printf ("videotestsrc ! video/x-raw,format=GRAY8,width=640,"
        "height=480 ! %s name=last ! fakesink", chains[i]);
    GstElement *pipeline = preroll (desc);
    GstElement *last = gst_bin_get_by_name (GST_BIN (pipeline), "last");
    GstPad *pad = gst_element_get_static_pad (last, "src");
    GstQuery *q = gst_cnn_query_new_receptive_field ();
    GstCnnReceptiveField rf;
    gint64 size, jump;
    gdouble start;

    gst_cnn_rf_last (chains[i], 0, &size, &jump, &start);
    fail_unless (gst_pad_query (pad, q) && gst_cnn_query_parse_receptive_field (q, &rf));
    fail_unless (rf.size[0] == size && rf.size[1] == size && rf.jump[0] == jump &&
        rf.start[0] == start, "%s: element %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%g, "
        "gst-cnn rf %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%g", chains[i], rf.size[0],
        rf.jump[0], rf.start[0], size, jump, start);
    gst_query_unref (q);
    gst_object_unref (pad);
    gst_object_unref (last);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
    g_free (desc);
  }
}
END_TEST

/* The receptive-field answer of a harnessed element's source pad. */
static GstCnnReceptiveField
harness_field (GstHarness * hn)
{
  GstPad *pad = gst_element_get_static_pad (hn->element, "src");
  GstQuery *q = gst_cnn_query_new_receptive_field ();
  GstCnnReceptiveField rf;

  fail_unless (gst_pad_query (pad, q) && gst_cnn_query_parse_receptive_field (q, &rf));
  gst_query_unref (q);
  gst_object_unref (pad);
  return rf;
}

/* Whether input pixel p lies in the field of output o along one axis. */
static gboolean
field_covers (gint64 size, gint64 jump, gdouble start, gint o, gint p)
{
  return fabs (p + 0.5 - (start + (gdouble) o * jump)) < size / 2.0;
}

static guint
impulse_sample (guint comp, gint x, gint y, gpointer user_data)
{
  return x == GPOINTER_TO_INT (user_data) && y == x ? 255 : 0;
}

/* cnnconv padding=same at stride 2 and 3 pads by the frame size
 * (TF-style, before = total / 2): the answered field is checked against
 * the true one of a real run. A single bright pixel at (p, p) of a black
 * frame makes output (ox, oy) non-zero exactly when p is in the field of
 * ox along x and of oy along y (positive weights, zero padding). Widths
 * and heights cover even and odd sizes and every (in - 1) mod 3. The
 * answer also equals `gst-cnn rf --input-size` along each axis; before
 * negotiation the element does not know the padding and says so (NaN). */
START_TEST (same_padding_at_stride_matches_a_real_run)
{
  static const struct
  {
    const gchar *props;
    gint w, h;
  } cases[] = {
    {"kernel=box stride=2", 10, 11},
    {"kernel=box stride=2", 13, 8},
    {"kernel=box stride=3", 10, 11},
    {"kernel=box stride=3", 12, 13},
    {"weights=\"1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1\" stride=2", 12, 11},
    {"weights=\"1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1\" stride=3", 14, 13},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *props = g_strdup_printf ("%s padding=same padding-mode=zeros", cases[i].props);
    gchar *chain = g_strdup_printf ("cnnconv %s", props);
    GstHarness *hn = gst_harness_new_parse (chain);
    GstVideoInfo info = el_info ("GRAY8", cases[i].w, cases[i].h);
    GstCnnReceptiveField rf = harness_field (hn);
    gint p, ox, oy, out_w, out_h, axis;

    fail_unless (isnan (rf.start[0]) && isnan (rf.start[1]),
        "%s: start %g,%g before negotiation, should be unknown", props, rf.start[0],
        rf.start[1]);
    gst_harness_set_src_caps (hn, gst_video_info_to_caps (&info));
    for (p = 0; p < MIN (cases[i].w, cases[i].h); p++) {
      GstBuffer *out = gst_harness_push_and_pull (hn, el_make_frame (&info, impulse_sample,
              GINT_TO_POINTER (p)));

      if (p == 0) {
        rf = harness_field (hn);
        el_output_size (hn, &out_w, &out_h);
      }
      for (oy = 0; oy < out_h; oy++)
        for (ox = 0; ox < out_w; ox++) {
          gboolean lit = el_gray_at (hn, out, ox, oy) != 0;
          gboolean seen = field_covers (rf.size[0], rf.jump[0], rf.start[0], ox, p) &&
              field_covers (rf.size[1], rf.jump[1], rf.start[1], oy, p);

          fail_unless (lit == seen, "%s on %dx%d: pixel (%d, %d) %s output (%d, %d) but "
              "the answered field (size %" G_GINT64_FORMAT ", jump %" G_GINT64_FORMAT
              ", start %g,%g) says %s", props, cases[i].w, cases[i].h, p, p,
              lit ? "changes" : "does not change", ox, oy, rf.size[0], rf.jump[0],
              rf.start[0], rf.start[1], seen ? "it does" : "it does not");
        }
      gst_buffer_unref (out);
    }
    for (axis = 0; axis < 2; axis++) {
      gint64 size, jump;
      gdouble start;

      gst_cnn_rf_last (chain, axis ? cases[i].h : cases[i].w, &size, &jump, &start);
      fail_unless (size == rf.size[axis] && jump == rf.jump[axis] && start == rf.start[axis],
          "%s on %d pixels: element %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%g, gst-cnn rf "
          "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%g", props, axis ? cases[i].h :
          cases[i].w, rf.size[axis], rf.jump[axis], rf.start[axis], size, jump, start);
    }
    gst_harness_teardown (hn);
    g_free (chain);
    g_free (props);
  }
}
END_TEST

static Suite *
cnnrf_suite (void)
{
  Suite *s = suite_create ("cnnrf");
  TCase *tc = tcase_create ("cnnrf");

  tcase_add_test (tc, conv_pool_conv_every_pad);
  tcase_add_test (tc, strides_padding_dilation_and_edges);
  tcase_add_test (tc, non_square_kernels_and_adaptive_cells);
  tcase_add_test (tc, converters_pass_scalers_restart);
  tcase_add_test (tc, augment_restarts_unless_empty);
  tcase_add_test (tc, agrees_with_gst_cnn_rf);
  tcase_add_test (tc, same_padding_at_stride_matches_a_real_run);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnrf);
