/* cnnbatchnorm in GstHarness: fixed statistics (properties and stats-file)
 * and per-buffer statistics against the formula, running statistics
 * against libcnn's training forward and PyTorch's momentum rule, the reset
 * signal, the element message, video, and errors naming the property. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "elementutil.h"

#define W 6
#define H 5
#define C 3
#define N_VALUES (W * H * C)

/* Channel c of frame f: values around 3 c + f, spread c + 1. */
static void
make_values (guint f, gfloat * x)
{
  cnn_rng_key key = { el_seed (), 500 + f };
  gint i;

  for (i = 0; i < N_VALUES; i++) {
    gint c = i / (W * H);

    x[i] = 3.0f * c + f + (c + 1) * cnn_rng_uniform_range (key, i, -1.0f, 1.0f);
  }
}

/* Push frame f, return the output values (g_free them). */
static gfloat *
push_frame (GstHarness * hn, guint f)
{
  gfloat *x = g_new (gfloat, N_VALUES), *y = g_new (gfloat, N_VALUES);
  GstBuffer *out;

  make_values (f, x);
  out = gst_harness_push_and_pull (hn, gst_buffer_new_wrapped (x, N_VALUES * sizeof (gfloat)));
  fail_unless_equals_int (gst_buffer_extract (out, 0, y, N_VALUES * sizeof (gfloat)),
      N_VALUES * sizeof (gfloat));
  gst_buffer_unref (out);
  return y;
}

static void
check_formula (const gfloat * x, const gfloat * y, const gdouble * mean, const gdouble * var,
    const gdouble * gamma, const gdouble * beta, gdouble eps, gdouble tol)
{
  gint i;

  for (i = 0; i < N_VALUES; i++) {
    gint c = i / (W * H);
    gdouble want = (x[i] - mean[c]) / sqrt (var[c] + eps) * gamma[c] + beta[c];

    fail_unless (fabs (y[i] - want) <= tol, "[%d]: %g, want %g", i, y[i], want);
  }
}

START_TEST (fixed_statistics_from_properties)
{
  static const gdouble mean[C] = { 1, -2, 0.5 }, var[C] = { 4, 0.25, 1 };
  static const gdouble gamma[C] = { 2, 1, -1 }, beta[C] = { 0, 3, 0.5 };
  GstHarness *hn = el_tensor_harness ("cnnbatchnorm",
      "mean=\"1,-2,0.5\" var=\"4,0.25,1\" gamma=\"2,1,-1\" beta=\"0,3,0.5\" eps=0.001",
      "float32", W, H, C);
  gfloat x[N_VALUES], *y = push_frame (hn, 0);

  make_values (0, x);
  check_formula (x, y, mean, var, gamma, beta, 0.001, 1e-5);
  g_free (y);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (fixed_statistics_from_a_file)
{
  static const gdouble mean[C] = { 0.5, 0.5, 0.5 }, var[C] = { 9, 1, 4 };
  static const gdouble gamma[C] = { 1, 1, 1 }, beta[C] = { 1, 2, 3 };
  gchar *path = g_build_filename (g_get_tmp_dir (), "cnnbatchnorm-stats.txt", NULL);
  gchar *props;
  GstHarness *hn;
  gfloat x[N_VALUES], *y;

  fail_unless (g_file_set_contents (path, "mean=0.5\nvar=9,1,4\nbeta=1,2,3\n", -1, NULL));
  props = g_strdup_printf ("stats-file=%s eps=0 var=7", path);
  hn = el_tensor_harness ("cnnbatchnorm", props, "float32", W, H, C);
  y = push_frame (hn, 1);
  make_values (1, x);
  check_formula (x, y, mean, var, gamma, beta, 0.0, 1e-5);
  g_free (y);
  gst_harness_teardown (hn);
  g_remove (path);
  g_free (props);
  g_free (path);
}
END_TEST

/* Mean and biased variance of channel c, in double. */
static void
channel_stats (const gfloat * x, gint c, gdouble * mean, gdouble * var)
{
  gdouble s = 0, ss = 0;
  gint i;

  for (i = 0; i < W * H; i++)
    s += x[c * W * H + i];
  *mean = s / (W * H);
  for (i = 0; i < W * H; i++)
    ss += (x[c * W * H + i] - *mean) * (x[c * W * H + i] - *mean);
  *var = ss / (W * H);
}

START_TEST (frame_statistics_follow_the_formula)
{
  static const gdouble gamma[C] = { 1, 1, 1 }, beta[C] = { 0, 0, 0 };
  GstHarness *hn = el_tensor_harness ("cnnbatchnorm", "mode=frame", "float32", W, H, C);
  gdouble mean[C], var[C];
  gfloat x[N_VALUES];
  guint f;
  gint c;

  for (f = 0; f < 2; f++) {
    gfloat *y = push_frame (hn, f);

    make_values (f, x);
    for (c = 0; c < C; c++)
      channel_stats (x, c, &mean[c], &var[c]);
    check_formula (x, y, mean, var, gamma, beta, 1e-5, 1e-4);
    g_free (y);
  }
  gst_harness_teardown (hn);
}
END_TEST

static void
read_statistics (GstElement * el, gdouble * mean, gdouble * var, guint64 * frame)
{
  GstStructure *s;
  gint c;

  g_object_get (el, "statistics", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, "frame", frame));
  for (c = 0; c < C; c++) {
    mean[c] = g_value_get_double (gst_value_array_get_value (gst_structure_get_value (s,
                "mean"), c));
    var[c] = g_value_get_double (gst_value_array_get_value (gst_structure_get_value (s,
                "var"), c));
  }
  gst_structure_free (s);
}

/* Running statistics of frames first..last-1 by libcnn's training forward
 * from mean 0, var 1. */
static void
core_running (guint first, guint last, gfloat momentum, gfloat * rm, gfloat * rv)
{
  gint shape[1] = { C }, nchw[4] = { 1, C, H, W };
  gfloat x[N_VALUES], y[N_VALUES], sm[C], si[C];
  cnn_tensor tx, ty, trm, trv, tsm, tsi;
  cnn_batchnorm_params p;
  cnn_context *ctx;
  guint f;
  gint c;

  for (c = 0; c < C; c++) {
    rm[c] = 0.0f;
    rv[c] = 1.0f;
  }
  cnn_batchnorm_params_init (&p);
  p.momentum = momentum;
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  el_assert_cnn_ok (cnn_tensor_wrap (&tx, x, 4, nchw));
  el_assert_cnn_ok (cnn_tensor_wrap (&ty, y, 4, nchw));
  el_assert_cnn_ok (cnn_tensor_wrap (&trm, rm, 1, shape));
  el_assert_cnn_ok (cnn_tensor_wrap (&trv, rv, 1, shape));
  el_assert_cnn_ok (cnn_tensor_wrap (&tsm, sm, 1, shape));
  el_assert_cnn_ok (cnn_tensor_wrap (&tsi, si, 1, shape));
  for (f = first; f < last; f++) {
    make_values (f, x);
    el_assert_cnn_ok (cnn_batchnorm_train_forward (ctx, &p, &tx, NULL, NULL, &trm, &trv, &ty,
            &tsm, &tsi));
  }
  cnn_context_destroy (ctx);
}

START_TEST (running_statistics_match_libcnn_and_pytorch_rule)
{
  GstHarness *hn = el_tensor_harness ("cnnbatchnorm", "mode=running momentum=0.2",
      "float32", W, H, C);
  GstElement *el = gst_harness_find_element (hn, "cnnbatchnorm");
  gdouble mean[C], var[C], bm, bv;
  gfloat rm[C], rv[C], x[N_VALUES];
  guint64 frame;
  guint f;
  gint c;

  g_free (push_frame (hn, 0));
  /* PyTorch: running = 0.8 * init + 0.2 * batch, unbiased variance */
  read_statistics (el, mean, var, &frame);
  make_values (0, x);
  for (c = 0; c < C; c++) {
    channel_stats (x, c, &bm, &bv);
    fail_unless (fabs (mean[c] - 0.2 * bm) <= 1e-5, "mean %g, want %g", mean[c], 0.2 * bm);
    fail_unless (fabs (var[c] - (0.8 + 0.2 * bv * (W * H) / (W * H - 1))) <= 1e-4,
        "var %g", var[c]);
  }
  for (f = 1; f < 4; f++)
    g_free (push_frame (hn, f));
  read_statistics (el, mean, var, &frame);
  fail_unless_equals_int (frame, 3);
  core_running (0, 4, 0.2f, rm, rv);
  for (c = 0; c < C; c++)
    fail_unless (fabs (mean[c] - rm[c]) <= 1e-5 && fabs (var[c] - rv[c]) <= 1e-5,
        "c %d: %g %g, libcnn %g %g", c, mean[c], var[c], rm[c], rv[c]);

  /* reset: frame 4 updates mean 0, var 1 */
  g_signal_emit_by_name (el, "reset");
  g_free (push_frame (hn, 4));
  read_statistics (el, mean, var, &frame);
  core_running (4, 5, 0.2f, rm, rv);
  for (c = 0; c < C; c++)
    fail_unless (fabs (mean[c] - rm[c]) <= 1e-5 && fabs (var[c] - rv[c]) <= 1e-5,
        "after reset c %d: %g %g, want %g %g", c, mean[c], var[c], rm[c], rv[c]);
  gst_object_unref (el);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (element_message_every_interval)
{
  GstHarness *hn = el_tensor_harness ("cnnbatchnorm", "mode=running message-interval=2",
      "float32", W, H, C);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  gfloat rm[C], rv[C];
  guint n = 0, f;
  gint c;

  gst_element_set_bus (hn->element, bus);
  for (f = 0; f < 5; f++)
    g_free (push_frame (hn, f));
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint64 frame;

    fail_unless (gst_structure_has_name (s, "cnnbatchnorm"));
    fail_unless (gst_structure_get_uint64 (s, "frame", &frame));
    /* buffers 1 and 3 (the 2nd and 4th) */
    fail_unless_equals_int (frame, 2 * n + 1);
    core_running (0, frame + 1, 0.1f, rm, rv);
    for (c = 0; c < C; c++) {
      gdouble m = g_value_get_double (gst_value_array_get_value (gst_structure_get_value (s,
                  "mean"), c));
      gdouble v = g_value_get_double (gst_value_array_get_value (gst_structure_get_value (s,
                  "var"), c));

      fail_unless (fabs (m - rm[c]) <= 1e-5 && fabs (v - rv[c]) <= 1e-5);
    }
    gst_message_unref (msg);
    n++;
  }
  fail_unless_equals_int (n, 2);
  gst_element_set_bus (hn->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hn);
}
END_TEST

static guint
ramp_sample (guint comp, gint x, gint y, gpointer user_data)
{
  return 60 + 5 * x + y;
}

START_TEST (video_maps_back_around_mid_grey)
{
  GstHarness *hn = el_harness ("cnnbatchnorm", "mean=100 var=400 eps=0", "GRAY8", 16, 4);
  GstVideoInfo info;
  GstVideoFrame frame;
  GstCaps *caps;
  GstBuffer *out;
  gint x, y;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 16, 4);
  out = gst_harness_push_and_pull (hn, el_make_frame (&info, ramp_sample, NULL));
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (&frame, &info, caps, out);
  for (y = 0; y < 4; y++)
    for (x = 0; x < 16; x++) {
      gdouble v = (ramp_sample (0, x, y, NULL) - 100.0) / 20.0;

      fail_unless_equals_int (el_sample (&frame, 0, x, y), (guint) CLAMP (rint (128 + 64 * v),
              0, 255));
    }
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (bad_lists_name_the_property)
{
  el_assert_pipeline_error ("videotestsrc num-buffers=1 ! cnnbatchnorm mean=\"1,2\" ! "
      "fakesink", "mean");
  el_assert_pipeline_error ("videotestsrc num-buffers=1 ! cnnbatchnorm gamma=x ! fakesink",
      "gamma");
  el_assert_pipeline_error ("videotestsrc num-buffers=1 ! cnnbatchnorm "
      "stats-file=/nonexistent/stats ! fakesink", "stats-file");
}
END_TEST

START_TEST (pipeline_through_batchnorm_runs)
{
  gchar *msg = el_run_pipeline ("videotestsrc num-buffers=3 ! cnntensorize ! "
      "cnnconv kernel=sobel-x ! cnnbatchnorm mode=frame ! cnnvisualize ! fakesink", 30);

  fail_unless (msg == NULL, "%s", msg);
}
END_TEST

static Suite *
cnnbatchnorm_suite (void)
{
  Suite *s = suite_create ("cnnbatchnorm");
  TCase *tc = tcase_create ("cnnbatchnorm");

  tcase_add_test (tc, fixed_statistics_from_properties);
  tcase_add_test (tc, fixed_statistics_from_a_file);
  tcase_add_test (tc, frame_statistics_follow_the_formula);
  tcase_add_test (tc, running_statistics_match_libcnn_and_pytorch_rule);
  tcase_add_test (tc, element_message_every_interval);
  tcase_add_test (tc, video_maps_back_around_mid_grey);
  tcase_add_test (tc, bad_lists_name_the_property);
  tcase_add_test (tc, pipeline_through_batchnorm_runs);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnbatchnorm);
