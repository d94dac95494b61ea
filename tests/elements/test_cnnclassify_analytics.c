/* cnnclassify's GstAnalyticsClsMtd (GStreamer >= 1.24), read back with the
 * analytics API as an application does: per classified frame one class
 * metadata in the buffer's relation meta whose class quarks and levels are
 * the labels and confidences of the ROI meta's cnn-classification
 * structure, best first. Two classifiers in a row add to one relation meta.
 * Built without gstreamer-analytics-1.0 (GStreamer 1.22) the program reports
 * itself skipped. */
#include <stdio.h>

#ifdef HAVE_GST_ANALYTICS
#include <gst/analytics/analytics.h>

#include "elementutil.h"

#define N_FRAMES 6
#define SIDE 28
#define TOP_K 3

static gchar *model_path;

static void
setup_model (void)
{
  const gchar *root = g_getenv ("CNN_SOURCE_ROOT");

  model_path = g_build_filename (root ? root : ".", "models", "fashion-mnist", "model.onnx",
      NULL);
}

static void
teardown_model (void)
{
  g_clear_pointer (&model_path, g_free);
}

/* The class metadata of buf in the order they were added; n of them. */
static guint
cls_mtds (GstBuffer * buf, GstAnalyticsClsMtd * out, guint max)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta (buf);
  gpointer state = NULL;
  GstAnalyticsClsMtd mtd;
  guint n = 0;

  if (!rmeta)
    return 0;
  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_cls_mtd_get_mtd_type (), &mtd)) {
    fail_unless (n < max, "more than %u class metadata", max);
    out[n++] = mtd;
  }
  return n;
}

/* mtd carries the classes of the cnn-classification structure s: the same
 * labels as quarks and the same confidences as levels, best first. */
static void
check_cls_mtd (GstAnalyticsClsMtd * mtd, const GstStructure * s, gint frame)
{
  const GValue *labels = gst_structure_get_value (s, "top-labels");
  const GValue *confs = gst_structure_get_value (s, "top-confidences");
  gsize n = gst_analytics_cls_mtd_get_length (mtd), i;
  gdouble confidence;

  fail_unless (labels && confs, "frame %d: no top-labels/top-confidences", frame);
  fail_unless_equals_int (n, gst_value_array_get_size (labels));
  fail_unless (n >= 1);
  fail_unless (gst_structure_get_double (s, "confidence", &confidence));
  fail_unless_equals_string (g_quark_to_string (gst_analytics_cls_mtd_get_quark (mtd, 0)),
      gst_structure_get_string (s, "label"));
  /* levels are float32: the element's probabilities before they became doubles */
  fail_unless (gst_analytics_cls_mtd_get_level (mtd, 0) == (gfloat) confidence,
      "frame %d: level %g, confidence %g", frame, gst_analytics_cls_mtd_get_level (mtd, 0),
      confidence);
  for (i = 0; i < n; i++) {
    const gchar *label = g_value_get_string (gst_value_array_get_value (labels, i));
    gdouble conf = g_value_get_double (gst_value_array_get_value (confs, i));
    GQuark q = gst_analytics_cls_mtd_get_quark (mtd, i);

    fail_unless_equals_string (g_quark_to_string (q), label);
    fail_unless (gst_analytics_cls_mtd_get_level (mtd, i) == (gfloat) conf,
        "frame %d class %" G_GSIZE_FORMAT ": level %g, confidence %g", frame, i,
        gst_analytics_cls_mtd_get_level (mtd, i), conf);
    fail_unless_equals_int (gst_analytics_cls_mtd_get_index_by_quark (mtd, q), i);
    if (i > 0)
      fail_unless (gst_analytics_cls_mtd_get_level (mtd, i) <=
          gst_analytics_cls_mtd_get_level (mtd, i - 1));
  }
}

/* The ROI metas of type cnn-classification on buf, in the order they were
 * added (a buffer lists its metas newest first). */
static guint
classification_rois (GstBuffer * buf, const GstStructure ** out, guint max)
{
  GstVideoRegionOfInterestMeta *rois[4];
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0, i, j;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;

    if (roi->roi_type != g_quark_from_static_string ("cnn-classification"))
      continue;
    fail_unless (n < MIN (max, G_N_ELEMENTS (rois)), "more than %u classification ROIs", max);
    for (j = n++; j > 0 && gst_meta_compare_seqnum (&rois[j - 1]->meta, meta) > 0; j--)
      rois[j] = rois[j - 1];
    rois[j] = roi;
  }
  for (i = 0; i < n; i++) {
    out[i] = gst_video_region_of_interest_meta_get_param (rois[i], "cnn-classification");
    fail_unless (out[i] != NULL);
  }
  return n;
}

/* Push N_FRAMES random GRAY8 frames through launch; on each output the
 * classification ROIs and the class metadata must pair up, n_expected of
 * each. */
static void
run_and_pair (const gchar * launch, gint width, guint n_expected)
{
  GstHarness *h = el_harness (launch, "", "GRAY8", width, SIDE);
  GstVideoInfo info = el_info ("GRAY8", width, SIDE);
  gint f;

  for (f = 0; f < N_FRAMES; f++) {
    GstBuffer *buf = el_make_random_frame (&info, f), *out;
    GstAnalyticsClsMtd mtds[2];
    const GstStructure *params[2];
    guint n_mtds, n_rois, i;

    GST_BUFFER_PTS (buf) = f * GST_SECOND / 30;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    out = gst_harness_pull (h);
    n_rois = classification_rois (out, params, G_N_ELEMENTS (params));
    n_mtds = cls_mtds (out, mtds, G_N_ELEMENTS (mtds));
    fail_unless_equals_int (n_rois, n_expected);
    fail_unless_equals_int (n_mtds, n_expected);
    for (i = 0; i < n_mtds; i++)
      check_cls_mtd (&mtds[i], params[i], f);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

START_TEST (cls_mtd_matches_the_roi_structure)
{
  gchar *launch = g_strdup_printf ("cnnclassify model=%s top-k=%d", model_path, TOP_K);

  run_and_pair (launch, SIDE, 1);
  g_free (launch);
}

END_TEST;

/* Frames that reuse the last result carry it in the analytics meta too. */
START_TEST (reused_results_are_published_too)
{
  gchar *launch = g_strdup_printf ("cnnclassify model=%s top-k=%d every-n=4", model_path,
      TOP_K);

  run_and_pair (launch, SIDE, 1);
  g_free (launch);
}

END_TEST;

/* The second classifier finds the first one's relation meta and adds its
 * class metadata to it, after the first one's. */
START_TEST (two_classifiers_share_one_relation_meta)
{
  gchar *launch = g_strdup_printf ("cnnclassify model=%s top-k=%d roi=0,0,28,28 ! "
      "cnnclassify model=%s top-k=1 roi=28,0,28,28", model_path, TOP_K, model_path);

  run_and_pair (launch, 2 * SIDE, 2);
  g_free (launch);
}

END_TEST;

static Suite *
cnnclassify_analytics_suite (void)
{
  Suite *s = suite_create ("cnnclassify-analytics");
  TCase *tc = tcase_create ("analytics");

  tcase_add_unchecked_fixture (tc, setup_model, teardown_model);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, cls_mtd_matches_the_roi_structure);
  tcase_add_test (tc, reused_results_are_published_too);
  tcase_add_test (tc, two_classifiers_share_one_relation_meta);
  return s;
}

GST_CHECK_MAIN (cnnclassify_analytics);

#else

int
main (void)
{
  /* meson reads exit status 77 as "skipped" */
  printf ("test_cnnclassify_analytics: skipped: built without gstreamer-analytics-1.0 "
      "(needs GStreamer >= 1.24, e.g. Debian 13)\n");
  return 77;
}

#endif
