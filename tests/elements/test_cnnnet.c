/* cnnnet on NNStreamer tensor caps: ONNX backend node tests (their
 * input_0.pb through the element, its output against their output_0.pb
 * within the backend runner's tolerance, the output caps carrying the
 * output shape), the Fashion-MNIST model with a free batch taking a batch
 * of two from the caps, and errors naming the problem. */
#include <math.h>
#include <string.h>

#include "cnn/onnx.h"
#include "elementutil.h"

#define NODE "/usr/share/libonnx-testdata/data/node/"
#define RTOL 1e-3
#define ATOL 1e-7

static gchar *
dims_string (const cnn_onnx_tensor * t)
{
  gint d[4] = { 1, 1, 1, 1 }, i;

  for (i = 0; i < t->ndim; i++)
    d[i] = t->shape[t->ndim - 1 - i];
  return g_strdup_printf ("%d:%d:%d:%d", d[0], d[1], d[2], d[3]);
}

static GstHarness *
net_harness (const gchar * model, const gchar * dims, gboolean legacy)
{
  gchar *launch = g_strdup_printf ("cnnnet model=%s", model);
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = legacy ?
      g_strdup_printf ("other/tensor,type=float32,dimension=%s,framerate=30/1", dims) :
      g_strdup_printf ("other/tensors,format=static,num_tensors=1,types=float32,"
      "dimensions=%s,framerate=30/1", dims);

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  g_free (launch);
  return h;
}

/* Push data, pull the output; its caps' dimensions must be want_dims. */
static GstBuffer *
push_pull (GstHarness * h, const gfloat * data, gsize n, const gchar * want_dims)
{
  GstBuffer *buf = gst_buffer_new_memdup (data, n * sizeof (gfloat)), *out;
  GstCaps *caps;
  const GstStructure *s;
  const gchar *dims;

  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  dims = gst_structure_get_string (s, gst_structure_has_field (s, "dimensions") ?
      "dimensions" : "dimension");
  fail_unless_equals_string (dims, want_dims);
  gst_caps_unref (caps);
  return out;
}

START_TEST (node_tests_reproduce_their_outputs)
{
  static const gchar *const tests[] = { "test_relu", "test_sigmoid", "test_softmax_axis_1",
    "test_maxpool_2d_pads", "test_averagepool_2d_pads"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tests); i++) {
    gchar *dir = g_strconcat (NODE, tests[i], NULL);
    gchar *model = g_build_filename (dir, "model.onnx", NULL);
    gchar *in_path = g_build_filename (dir, "test_data_set_0", "input_0.pb", NULL);
    gchar *out_path = g_build_filename (dir, "test_data_set_0", "output_0.pb", NULL);
    cnn_onnx_tensor x, y;
    gchar *in_dims, *out_dims;
    GstHarness *h;
    GstBuffer *out;
    GstMapInfo map;
    gsize n = 1, k;
    gint d;

    el_assert_cnn_ok (cnn_onnx_read_tensor (in_path, &x));
    el_assert_cnn_ok (cnn_onnx_read_tensor (out_path, &y));
    for (d = 0; d < x.ndim; d++)
      n *= x.shape[d];
    in_dims = dims_string (&x);
    out_dims = dims_string (&y);
    h = net_harness (model, in_dims, i % 2 == 1);
    out = push_pull (h, x.f32, n, out_dims);
    gst_buffer_map (out, &map, GST_MAP_READ);
    for (n = 1, d = 0; d < y.ndim; d++)
      n *= y.shape[d];
    fail_unless_equals_int (map.size, n * sizeof (gfloat));
    for (k = 0; k < n; k++) {
      gfloat got = ((gfloat *) map.data)[k], want = y.f32[k];
      fail_unless (fabs (got - want) <= ATOL + RTOL * fabs (want), "%s[%zu]: %g, want %g",
          tests[i], k, got, want);
    }
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
    cnn_onnx_tensor_release (&x);
    cnn_onnx_tensor_release (&y);
    g_free (in_dims);
    g_free (out_dims);
    g_free (dir);
    g_free (model);
    g_free (in_path);
    g_free (out_path);
  }
}
END_TEST;

/* The shipped model's batch is free: two images in, two rows of logits out,
 * as the graph runtime gives them directly. */
START_TEST (free_batch_comes_from_the_caps)
{
  const gchar *root = g_getenv ("CNN_SOURCE_ROOT");
  gchar *model = g_build_filename (root ? root : ".", "models", "fashion-mnist", "model.onnx",
      NULL);
  const int shape[4] = { 2, 1, 28, 28 };
  gfloat *x = g_new (gfloat, 2 * 28 * 28);
  cnn_rng_key key = { el_seed (), 11 };
  const cnn_tensor *want;
  cnn_context *ctx;
  GstHarness *h;
  GstBuffer *out;
  GstMapInfo map;
  cnn_graph *g;
  gint i;

  for (i = 0; i < 2 * 28 * 28; i++)
    x[i] = (cnn_rng_u32 (key, i) % 256) / 255.0f * 3.0f - 0.8f;
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  el_assert_cnn_ok (cnn_onnx_read (model, &g));
  el_assert_cnn_ok (cnn_graph_set_input_shape (g, "input", 4, shape));
  el_assert_cnn_ok (cnn_graph_prepare (g, ctx));
  memcpy (cnn_graph_input (g, 0)->data, x, sizeof (gfloat) * 2 * 28 * 28);
  el_assert_cnn_ok (cnn_graph_run (g, ctx));
  want = cnn_graph_output (g, 0);

  h = net_harness (model, "28:28:1:2", FALSE);
  out = push_pull (h, x, 2 * 28 * 28, "10:2:1:1");
  gst_buffer_map (out, &map, GST_MAP_READ);
  fail_unless_equals_int (map.size, 20 * sizeof (gfloat));
  for (i = 0; i < 20; i++)
    fail_unless (fabs (((gfloat *) map.data)[i] - want->data[i]) <= 1e-5);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  cnn_graph_destroy (g);
  cnn_context_destroy (ctx);
  g_free (x);
  g_free (model);
}
END_TEST;

START_TEST (errors_name_the_problem)
{
  const gchar *src = "appsrc caps=\"other/tensors,format=static,num_tensors=1,"
      "types=float32,dimensions=3:3:1:1,framerate=30/1\" ! ";
  gchar *launch;

  fail_unless (!cnn_graph_op_supported ("Det"));
  launch = g_strdup_printf ("%s cnnnet model=" NODE "test_det_2d/model.onnx ! fakesink", src);
  el_assert_pipeline_error (launch, "Det");
  g_free (launch);
  launch = g_strdup_printf ("%s cnnnet model=/nonexistent/net.onnx ! fakesink", src);
  el_assert_pipeline_error (launch, "/nonexistent/net.onnx: no such file");
  g_free (launch);
}
END_TEST;

/* A tensor the model's fixed input does not take is refused at
 * negotiation. */
START_TEST (wrong_tensor_is_not_negotiated)
{
  GstHarness *h = net_harness (NODE "test_relu/model.onnx", "3:3:1:1", FALSE);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 9 * sizeof (gfloat), NULL);

  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);
}
END_TEST;

/* Video to tensors (cnntensorize) to the shipped model: the caps chain
 * negotiates 28:28:1:1 in, 10:1:1:1 out, and the stream runs to its end. */
START_TEST (after_cnntensorize_in_a_pipeline)
{
  const gchar *root = g_getenv ("CNN_SOURCE_ROOT");
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! video/x-raw,width=28,"
      "height=28 ! videoconvert ! cnntensorize channel-order=gray mean=0.286 std=0.353 "
      "! cnnnet model=%s/models/fashion-mnist/model.onnx ! other/tensors,dimensions=10:1:1:1 "
      "! fakesink", root ? root : ".");
  gchar *error = el_run_pipeline (launch, 60);

  fail_unless (error == NULL, "%s: %s", launch, error);
  g_free (launch);
}
END_TEST;

static Suite *
cnnnet_suite (void)
{
  Suite *s = suite_create ("cnnnet");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, node_tests_reproduce_their_outputs);
  tcase_add_test (tc, free_batch_comes_from_the_caps);
  tcase_add_test (tc, errors_name_the_problem);
  tcase_add_test (tc, wrong_tensor_is_not_negotiated);
  tcase_add_test (tc, after_cnntensorize_in_a_pipeline);
  return s;
}

GST_CHECK_MAIN (cnnnet);
