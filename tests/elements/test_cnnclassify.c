/* cnnclassify on Fashion-MNIST test images made into video: the results in
 * ROI meta, bus messages and the signal against the shipped model run
 * directly through libcnn's graph runtime on the same pixels (normalised
 * here, softmax here), and against the data set's labels; every-n, roi,
 * top-k, threshold, colour input, and bad models failing with the reason. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cnn/onnx.h"
#include "elementutil.h"

#define N_FRAMES 20
#define SIDE 28
#define N_CLASSES 10
#define CONF_TOL 1e-4           /* same float32 graph, different preprocessing code */

static guint8 images[N_FRAMES][SIDE * SIDE];
static guint8 true_labels[N_FRAMES];
static gfloat ref_probs[N_FRAMES][N_CLASSES];
static gchar *model_path;

/* The first n items of an idx file of the data set (gzip): gzip's output
 * keeps its zero bytes in the buffer, whose length a successful run and the
 * magic number vouch for. */
static void
read_idx (const gchar * name, gsize header, gsize item, guint8 * out, gsize n)
{
  gchar *path = g_build_filename ("/usr/share/datasets/fashion-mnist", name, NULL);
  gchar *argv[] = { (gchar *) "gzip", (gchar *) "-dc", path, NULL };
  gchar *data = NULL;
  gint status = -1;
  GError *err = NULL;

  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &data, NULL, &status, &err), "%s: %s", path,
      err ? err->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "gzip -dc %s failed", path);
  fail_unless (data[0] == 0 && data[1] == 0 && data[2] == 0x08, "%s: not an idx file", path);
  memcpy (out, data + header, item * n);
  g_free (data);
  g_free (path);
}

/* The reference: the model on the image, normalised as model.cfg says
 * (x = (pixel / 255 - 0.2860) / 0.3530), softmax of the logits. */
static void
reference (const guint8 * img, gfloat * probs)
{
  cnn_graph *g;
  cnn_context *ctx;
  const int shape[4] = { 1, 1, SIDE, SIDE };
  const cnn_tensor *out;
  cnn_tensor *in;
  gdouble max = -INFINITY, sum = 0;
  gint i;

  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  el_assert_cnn_ok (cnn_onnx_read (model_path, &g));
  el_assert_cnn_ok (cnn_graph_set_input_shape (g, "input", 4, shape));
  el_assert_cnn_ok (cnn_graph_prepare (g, ctx));
  in = cnn_graph_input (g, 0);
  for (i = 0; i < SIDE * SIDE; i++)
    in->data[i] = (gfloat) ((img[i] * 0.0039215686274509803 - 0.2860) / 0.3530);
  el_assert_cnn_ok (cnn_graph_run (g, ctx));
  out = cnn_graph_output (g, 0);
  fail_unless (cnn_tensor_numel (out) == N_CLASSES);
  for (i = 0; i < N_CLASSES; i++)
    max = MAX (max, out->data[i]);
  for (i = 0; i < N_CLASSES; i++)
    sum += exp (out->data[i] - max);
  for (i = 0; i < N_CLASSES; i++)
    probs[i] = (gfloat) (exp (out->data[i] - max) / sum);
  cnn_graph_destroy (g);
  cnn_context_destroy (ctx);
}

static void
setup_data (void)
{
  const gchar *root = g_getenv ("CNN_SOURCE_ROOT");
  gint i;

  model_path = g_build_filename (root ? root : ".", "models", "fashion-mnist", "model.onnx",
      NULL);
  read_idx ("t10k-images-idx3-ubyte.gz", 16, SIDE * SIDE, &images[0][0], N_FRAMES);
  read_idx ("t10k-labels-idx1-ubyte.gz", 8, 1, true_labels, N_FRAMES);
  for (i = 0; i < N_FRAMES; i++)
    reference (images[i], ref_probs[i]);
}

static gint
ref_best (gint f)
{
  gint c, best = 0;

  for (c = 1; c < N_CLASSES; c++)
    if (ref_probs[f][c] > ref_probs[f][best])
      best = c;
  return best;
}

/* What one run saw: per frame the structures of meta, message and signal. */
typedef struct
{
  GstStructure *meta[N_FRAMES], *message[N_FRAMES], *signal[N_FRAMES];
  GstVideoRegionOfInterestMeta roi[N_FRAMES];
  gint signal_ids[N_FRAMES];
  gint n_signals;
} Seen;

static void
on_classified (GstElement * e, gint class_id, const gchar * label, gdouble confidence,
    const GstStructure * s, Seen * seen)
{
  guint64 frame;

  fail_unless (gst_structure_get_uint64 (s, "frame", &frame) && frame < N_FRAMES);
  seen->signal[frame] = gst_structure_copy (s);
  seen->signal_ids[frame] = class_id;
  fail_unless_equals_string (label, gst_structure_get_string (s, "label"));
  seen->n_signals++;
}

static void
seen_clear (Seen * seen)
{
  gint i;

  for (i = 0; i < N_FRAMES; i++) {
    g_clear_pointer (&seen->meta[i], gst_structure_free);
    g_clear_pointer (&seen->message[i], gst_structure_free);
    g_clear_pointer (&seen->signal[i], gst_structure_free);
  }
}

static gboolean
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean eq;

  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return eq;
}

typedef guint8 (*PixelFn) (gint frame, gint x, gint y);

static guint8
plain_pixel (gint f, gint x, gint y)
{
  return images[f][y * SIDE + x];
}

/* Run cnnclassify props on n frames of format (gray written to every
 * colour channel) of width x height whose pixel is fn, collecting results. */
static void
run_frames (const gchar * props, const gchar * format, gint width, gint height, PixelFn fn,
    Seen * seen)
{
  gchar *all = g_strdup_printf ("model=%s %s", model_path, props);
  GstHarness *h = el_harness ("cnnclassify", all, format, width, height);
  GstBus *bus = gst_bus_new ();
  GstElement *classify;
  GstVideoInfo info;
  GstMessage *msg;
  gint f, x, y;
  guint c;

  memset (seen, 0, sizeof (*seen));
  gst_element_set_bus (h->element, bus);
  classify = gst_harness_find_element (h, "cnnclassify");
  g_signal_connect (classify, "classified", G_CALLBACK (on_classified), seen);
  gst_object_unref (classify);
  gst_video_info_set_format (&info, gst_video_format_from_string (format), width, height);
  for (f = 0; f < N_FRAMES; f++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL), *out;
    GstVideoFrame frame;
    GstVideoRegionOfInterestMeta *roi;

    gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE);
    for (y = 0; y < height; y++)
      for (x = 0; x < width; x++)
        for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (&info); c++)
          ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, c))[y *
              GST_VIDEO_FRAME_COMP_STRIDE (&frame, c) + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame,
                  c)] = c < 3 ? fn (f, x, y) : 255;
    gst_video_frame_unmap (&frame);
    GST_BUFFER_PTS (buf) = f * GST_SECOND / 30;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (buf)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    /* pixels pass through */
    fail_unless (buffers_equal (out, buf));
    roi = gst_buffer_get_video_region_of_interest_meta (out);
    if (roi) {
      fail_unless_equals_string (g_quark_to_string (roi->roi_type), "cnn-classification");
      seen->roi[f] = *roi;
      seen->meta[f] = gst_structure_copy (gst_video_region_of_interest_meta_get_param (roi,
              "cnn-classification"));
      fail_unless (seen->meta[f] != NULL);
    }
    gst_buffer_unref (out);
    gst_buffer_unref (buf);
  }
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint64 frame;

    if (gst_structure_has_name (s, "cnn-classification")) {
      fail_unless (gst_structure_get_uint64 (s, "frame", &frame) && frame < N_FRAMES);
      seen->message[frame] = gst_structure_copy (s);
    }
    gst_message_unref (msg);
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (all);
}

static const gchar *const labels[N_CLASSES] = { "T-shirt/top", "Trouser", "Pullover", "Dress",
  "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
};

/* s holds the reference of frame ref: the best top_k classes at or above
 * threshold, best first, and whether the model ran on this frame. */
static void
check_result (const GstStructure * s, gint f, gint ref, gint top_k, gdouble threshold,
    gboolean inferred)
{
  const GValue *ids = gst_structure_get_value (s, "top-class-ids");
  const GValue *confs = gst_structure_get_value (s, "top-confidences");
  const GValue *names = gst_structure_get_value (s, "top-labels");
  gboolean got_inferred;
  gint class_id, i, c, k = 0, order[N_CLASSES];
  gdouble conf;
  guint64 frame;

  fail_unless (s != NULL, "frame %d: no result", f);
  fail_unless (gst_structure_get_uint64 (s, "frame", &frame) && frame == (guint64) f);
  fail_unless (gst_structure_get_boolean (s, "inferred", &got_inferred));
  fail_unless (got_inferred == inferred, "frame %d: inferred %d, expected %d", f,
      got_inferred, inferred);
  /* reference order: classes by falling probability, kept at or above threshold */
  for (c = 0; c < N_CLASSES; c++)
    order[c] = c;
  for (c = 1; c < N_CLASSES; c++)
    for (i = c; i > 0 && ref_probs[ref][order[i]] > ref_probs[ref][order[i - 1]]; i--) {
      gint t = order[i];
      order[i] = order[i - 1];
      order[i - 1] = t;
    }
  while (k < top_k && k < N_CLASSES && ref_probs[ref][order[k]] >= threshold)
    k++;
  fail_unless (gst_structure_get_int (s, "class-id", &class_id));
  fail_unless (gst_structure_get_double (s, "confidence", &conf));
  fail_unless_equals_int (class_id, order[0]);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), labels[order[0]]);
  fail_unless (fabs (conf - ref_probs[ref][order[0]]) <= CONF_TOL,
      "frame %d: confidence %g, reference %g", f, conf, ref_probs[ref][order[0]]);
  fail_unless_equals_int (gst_value_array_get_size (ids), k);
  fail_unless_equals_int (gst_value_array_get_size (confs), k);
  fail_unless_equals_int (gst_value_array_get_size (names), k);
  for (i = 0; i < k; i++) {
    fail_unless_equals_int (g_value_get_int (gst_value_array_get_value (ids, i)), order[i]);
    fail_unless_equals_string (g_value_get_string (gst_value_array_get_value (names, i)),
        labels[order[i]]);
    fail_unless (fabs (g_value_get_double (gst_value_array_get_value (confs, i)) -
            ref_probs[ref][order[i]]) <= CONF_TOL);
  }
}

/* Meta, message and signal carry the same structure. */
static void
check_same_three (const Seen * seen, gint f)
{
  fail_unless (seen->meta[f] && seen->message[f] && seen->signal[f],
      "frame %d: meta %p, message %p, signal %p", f, seen->meta[f], seen->message[f],
      seen->signal[f]);
  fail_unless (gst_structure_is_equal (seen->meta[f], seen->message[f]));
  fail_unless (gst_structure_is_equal (seen->meta[f], seen->signal[f]));
}

START_TEST (classifies_fashion_frames)
{
  Seen seen;
  gint f, correct = 0, id;

  run_frames ("top-k=3", "GRAY8", SIDE, SIDE, plain_pixel, &seen);
  fail_unless_equals_int (seen.n_signals, N_FRAMES);
  for (f = 0; f < N_FRAMES; f++) {
    check_same_three (&seen, f);
    check_result (seen.meta[f], f, f, 3, 0.0, TRUE);
    fail_unless (seen.roi[f].x == 0 && seen.roi[f].y == 0 && seen.roi[f].w == SIDE &&
        seen.roi[f].h == SIDE);
    gst_structure_get_int (seen.meta[f], "class-id", &id);
    correct += id == true_labels[f];
  }
  /* the shipped model is 90% right on the test set (RECIPE.md) */
  fail_unless (correct >= 16, "%d of %d frames labelled right", correct, N_FRAMES);
  seen_clear (&seen);
}
END_TEST;

/* Gray images as colour: equal R, G, B have that luma exactly. */
START_TEST (colour_input_is_classified_like_gray)
{
  static const gchar *const formats[] = { "RGB", "BGRx", "ARGB" };
  Seen seen;
  guint i;
  gint f;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    run_frames ("top-k=2", formats[i], SIDE, SIDE, plain_pixel, &seen);
    for (f = 0; f < N_FRAMES; f++) {
      check_same_three (&seen, f);
      check_result (seen.meta[f], f, f, 2, 0.0, TRUE);
    }
    seen_clear (&seen);
  }
}
END_TEST;

START_TEST (every_n_reuses_the_last_result)
{
  Seen seen;
  gint f;

  run_frames ("every-n=4", "GRAY8", SIDE, SIDE, plain_pixel, &seen);
  fail_unless_equals_int (seen.n_signals, N_FRAMES);
  for (f = 0; f < N_FRAMES; f++) {
    check_same_three (&seen, f);
    check_result (seen.meta[f], f, f - f % 4, 3, 0.0, f % 4 == 0);
  }
  seen_clear (&seen);
}
END_TEST;

/* Two images side by side: roi picks the right one. */
static guint8
pair_pixel (gint f, gint x, gint y)
{
  return x < SIDE ? images[f][y * SIDE + x] : images[(f + 1) % N_FRAMES][y * SIDE + x - SIDE];
}

START_TEST (roi_classifies_the_region)
{
  Seen seen;
  gint f;

  run_frames ("roi=28,0,28,28", "GRAY8", 2 * SIDE, SIDE, pair_pixel, &seen);
  for (f = 0; f < N_FRAMES; f++) {
    check_same_three (&seen, f);
    check_result (seen.meta[f], f, (f + 1) % N_FRAMES, 3, 0.0, TRUE);
    fail_unless (seen.roi[f].x == SIDE && seen.roi[f].y == 0 && seen.roi[f].w == SIDE &&
        seen.roi[f].h == SIDE);
  }
  seen_clear (&seen);
}
END_TEST;

static guint
pair_sample (guint comp, gint x, gint y, gpointer frame)
{
  return pair_pixel (GPOINTER_TO_INT (frame), x, y);
}

/* A second classifier keeps the first one's region meta: both results,
 * each of its own half, are on the frames that leave the pair. */
START_TEST (classifiers_in_a_row_keep_both_regions)
{
  gchar *props = g_strdup_printf ("model=%s roi=0,0,28,28 ! cnnclassify model=%s "
      "roi=28,0,28,28", model_path, model_path);
  GstHarness *h = el_harness ("cnnclassify", props, "GRAY8", 2 * SIDE, SIDE);
  GstVideoInfo info = el_info ("GRAY8", 2 * SIDE, SIDE);
  gint f;

  for (f = 0; f < 4; f++) {
    GstBuffer *out;
    GstMeta *meta;
    gpointer state = NULL;
    gint seen_left = 0, seen_right = 0;

    fail_unless_equals_int (gst_harness_push (h, el_make_frame (&info, pair_sample,
                GINT_TO_POINTER (f))), GST_FLOW_OK);
    out = gst_harness_pull (h);
    while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
      const GstStructure *s = gst_video_region_of_interest_meta_get_param (roi,
          "cnn-classification");

      fail_unless (roi->x == 0 || roi->x == SIDE, "frame %d: region at x %u", f, roi->x);
      check_result (s, f, roi->x == 0 ? f : (f + 1) % N_FRAMES, 3, 0.0, TRUE);
      seen_left += roi->x == 0;
      seen_right += roi->x == SIDE;
    }
    fail_unless (seen_left == 1 && seen_right == 1, "frame %d: %d left, %d right regions", f,
        seen_left, seen_right);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  g_free (props);
}
END_TEST;

static gint
compare_floats (gconstpointer a, gconstpointer b)
{
  gfloat x = *(const gfloat *) a, y = *(const gfloat *) b;

  return (x > y) - (x < y);
}

/* A threshold between the frames' best confidences: half the frames have a
 * result (only the classes at or above it), half none. */
START_TEST (top_k_and_threshold)
{
  gfloat best[N_FRAMES];
  gdouble threshold;
  gchar *props;
  Seen seen;
  gint f, with = 0;

  run_frames ("top-k=5", "GRAY8", SIDE, SIDE, plain_pixel, &seen);
  for (f = 0; f < N_FRAMES; f++)
    check_result (seen.meta[f], f, f, 5, 0.0, TRUE);
  seen_clear (&seen);

  for (f = 0; f < N_FRAMES; f++)
    best[f] = ref_probs[f][ref_best (f)];
  qsort (best, N_FRAMES, sizeof (gfloat), compare_floats);
  threshold = 0.5 * (best[N_FRAMES / 2 - 1] + best[N_FRAMES / 2]);
  fail_unless (best[N_FRAMES / 2 - 1] < best[N_FRAMES / 2], "ties in the best confidences");
  props = g_strdup_printf ("top-k=5 threshold=%.9g", threshold);
  run_frames (props, "GRAY8", SIDE, SIDE, plain_pixel, &seen);
  for (f = 0; f < N_FRAMES; f++) {
    if (ref_probs[f][ref_best (f)] < threshold) {
      fail_unless (!seen.meta[f] && !seen.message[f] && !seen.signal[f],
          "frame %d below the threshold has a result", f);
      continue;
    }
    with++;
    check_same_three (&seen, f);
    check_result (seen.meta[f], f, f, 5, threshold, TRUE);
  }
  fail_unless_equals_int (with, N_FRAMES / 2);
  fail_unless_equals_int (seen.n_signals, N_FRAMES / 2);
  seen_clear (&seen);
  g_free (props);
}
END_TEST;

/* The image at (100, 20) of a 200x60 frame of grey 100. */
static guint8
placed_pixel (gint f, gint x, gint y)
{
  return x >= 100 && x < 100 + SIDE && y >= 20 && y < 20 + SIDE ?
      images[f][(y - 20) * SIDE + x - 100] : 100;
}

/* A w x h GRAY8 frame of placed_pixel. */
static GstBuffer *
placed_buffer (gint f, gint w, gint h)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, w * h, NULL);
  GstMapInfo mi;
  gint x, y;

  gst_buffer_map (buf, &mi, GST_MAP_WRITE);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      mi.data[y * w + x] = placed_pixel (f, x, y);
  gst_buffer_unmap (buf, &mi);
  return buf;
}

/* overlay=true: the label and confidence in libcnn's font, white on a
 * darkened box at the region's corner; every other pixel unchanged. */
START_TEST (overlay_draws_the_label)
{
  const gint w = 200, h = 60, f = 3;
  gchar *props = g_strdup_printf ("model=%s overlay=true roi=100,20,28,28", model_path);
  GstHarness *hn = el_harness ("cnnclassify", props, "GRAY8", w, h);
  GstBuffer *in = placed_buffer (f, w, h), *out;
  guint8 *mask = g_malloc0 (w * h);
  gchar *text = g_strdup_printf ("%s %d%%", labels[ref_best (f)],
      (gint) (ref_probs[f][ref_best (f)] * 100 + 0.5));
  gint x, y, tw, th, n_text = 0;
  GstMapInfo mi, mo;

  out = gst_harness_push_and_pull (hn, gst_buffer_ref (in));
  cnn_text_size (text, 1, &tw, &th);
  cnn_text_draw (text, 1, 100, 20, mask, w, w, h, 1);
  gst_buffer_map (in, &mi, GST_MAP_READ);
  gst_buffer_map (out, &mo, GST_MAP_READ);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gboolean in_box = x >= 100 && x < 100 + tw && y >= 20 && y < 20 + th;
      guint8 a = mi.data[y * w + x], b = mo.data[y * w + x];

      if (mask[y * w + x]) {
        fail_unless_equals_int (b, 255);
        n_text++;
      } else if (in_box)
        fail_unless (b < a || a == 0, "(%d, %d): %d not darkened from %d", x, y, b, a);
      else if (!(x >= 100 && x <= 100 + tw + 1 && y >= 20 && y <= 20 + th))
        fail_unless (b == a, "(%d, %d) outside the box: %d, was %d", x, y, b, a);
    }
  fail_unless (n_text > 20, "%s: %d text pixels", text, n_text);
  gst_buffer_unmap (in, &mi);
  gst_buffer_unmap (out, &mo);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
  g_free (mask);
  g_free (text);
  g_free (props);
}
END_TEST;

/* Pixels of buf that differ from placed_pixel of frame f. */
static gint
changed_pixels (GstBuffer * buf, gint f, gint w, gint h)
{
  GstMapInfo m;
  gint x, y, n = 0;

  gst_buffer_map (buf, &m, GST_MAP_READ);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      n += m.data[y * w + x] != placed_pixel (f, x, y);
  gst_buffer_unmap (buf, &m);
  return n;
}

/* No frame is copied. Marks (qdata, which copies do not carry) on the
 * GstBuffer and its GstMemory tell what came out: a buffer only the element
 * holds comes out as itself, drawn on in place with overlay, untouched
 * without; a buffer the test still holds comes out as a new GstBuffer
 * carrying the result meta but, without overlay, the same memory (mapped for
 * reading only); with overlay the memory is copied before drawing (copy on
 * write) and the held buffer stays as it was. */
START_TEST (frames_are_never_copied)
{
  const gint w = 200, h = 60, f = 3;
  GQuark mark = g_quark_from_static_string ("cnn-test-mark");
  gint overlay;

  for (overlay = 0; overlay < 2; overlay++) {
    gchar *props = g_strdup_printf ("model=%s overlay=%s roi=100,20,28,28", model_path,
        overlay ? "true" : "false");
    GstHarness *hn = el_harness ("cnnclassify", props, "GRAY8", w, h);
    GstBuffer *in = placed_buffer (f, w, h), *out;

    /* writable: the same buffer and memory */
    gst_mini_object_set_qdata (GST_MINI_OBJECT (in), mark, GINT_TO_POINTER (1), NULL);
    gst_mini_object_set_qdata (GST_MINI_OBJECT (gst_buffer_peek_memory (in, 0)), mark,
        GINT_TO_POINTER (1), NULL);
    out = gst_harness_push_and_pull (hn, in);
    fail_unless (gst_mini_object_get_qdata (GST_MINI_OBJECT (out), mark) != NULL,
        "overlay=%d: another buffer came out", overlay);
    fail_unless (gst_mini_object_get_qdata (GST_MINI_OBJECT (gst_buffer_peek_memory (out, 0)),
            mark) != NULL, "overlay=%d: the memory was copied", overlay);
    fail_unless (gst_buffer_get_video_region_of_interest_meta (out) != NULL);
    fail_unless (overlay ? changed_pixels (out, f, w, h) > 20 :
        changed_pixels (out, f, w, h) == 0);
    gst_buffer_unref (out);

    /* held by the test too: new buffer, memory shared unless drawn on */
    in = placed_buffer (f, w, h);
    gst_mini_object_set_qdata (GST_MINI_OBJECT (gst_buffer_peek_memory (in, 0)), mark,
        GINT_TO_POINTER (1), NULL);
    out = gst_harness_push_and_pull (hn, gst_buffer_ref (in));
    fail_unless (out != in);
    fail_unless (gst_buffer_get_video_region_of_interest_meta (out) != NULL);
    fail_unless (gst_buffer_get_video_region_of_interest_meta (in) == NULL);
    fail_unless_equals_int (gst_mini_object_get_qdata (GST_MINI_OBJECT
            (gst_buffer_peek_memory (out, 0)), mark) != NULL, !overlay);
    fail_unless_equals_int (changed_pixels (in, f, w, h), 0);
    fail_unless (overlay ? changed_pixels (out, f, w, h) > 20 :
        changed_pixels (out, f, w, h) == 0);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
    gst_harness_teardown (hn);
    g_free (props);
  }
}
END_TEST;

/* A QoS event saying frames are 100 ms late: the frames before the new
 * deadline keep flowing with the last result (inferred=false), the first
 * one after it is classified again. */
START_TEST (late_frames_skip_the_model_not_the_frame)
{
  gchar *props = g_strdup_printf ("model=%s", model_path);
  GstHarness *h = el_harness ("cnnclassify", props, "GRAY8", SIDE, SIDE);
  const GstClockTime frame = GST_SECOND / 30, late = 100 * GST_MSECOND;
  gint f;

  for (f = 0; f < 8; f++) {
    GstBuffer *buf = gst_buffer_new_memdup (images[f], SIDE * SIDE), *out;
    GstVideoRegionOfInterestMeta *roi;
    const GstStructure *s;
    gboolean inferred;
    guint64 n;

    GST_BUFFER_PTS (buf) = f * frame;
    GST_BUFFER_DURATION (buf) = frame;
    out = gst_harness_push_and_pull (h, buf);
    fail_unless (out != NULL, "frame %d dropped", f);
    roi = gst_buffer_get_video_region_of_interest_meta (out);
    fail_unless (roi != NULL);
    s = gst_video_region_of_interest_meta_get_param (roi, "cnn-classification");
    fail_unless (gst_structure_get_boolean (s, "inferred", &inferred));
    fail_unless (gst_structure_get_uint64 (s, "frame", &n) && n == (guint64) f);
    /* deadline after frame 0: 0 + 2 * late (GstBaseTransform's rule) */
    fail_unless (inferred == (f == 0 || f * frame >= 2 * late), "frame %d: inferred %d", f,
        inferred);
    check_result (s, f, f == 0 || f * frame >= 2 * late ? f : 0, 3, 0.0, inferred);
    gst_buffer_unref (out);
    if (f == 0)
      fail_unless (gst_harness_push_upstream_event (h, gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW,
                  0.5, late, 0)));
  }
  gst_harness_teardown (h);
  g_free (props);
}
END_TEST;

/* The latency query adds the cost of a frame the model ran on: with
 * every-n=8 at least the fastest such frame seen here, not the average
 * over the frames that reuse the result. */
START_TEST (latency_is_the_inference_cost)
{
  gchar *props = g_strdup_printf ("model=%s every-n=8", model_path);
  GstHarness *h = el_harness ("cnnclassify", props, "GRAY8", SIDE, SIDE);
  GstClockTime min, max, took, fastest = GST_CLOCK_TIME_NONE, slowest = 0;
  GstQuery *q;
  gboolean live;
  gint f;

  gst_harness_set_upstream_latency (h, 10 * GST_MSECOND);
  for (f = 0; f < 16; f++) {
    GstBuffer *buf = gst_buffer_new_memdup (images[f], SIDE * SIDE);
    gint64 t0 = g_get_monotonic_time ();

    GST_BUFFER_PTS (buf) = f * GST_SECOND / 30;
    gst_buffer_unref (gst_harness_push_and_pull (h, buf));
    took = (GstClockTime) (g_get_monotonic_time () - t0) * GST_USECOND;
    if (f % 8 == 0) {
      fastest = MIN (fastest, took);
      slowest = MAX (slowest, took);
    }
  }
  q = gst_query_new_latency ();
  fail_unless (gst_pad_peer_query (h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  /* the element's own share of an inferred frame: at most what the test saw
   * around push and pull, over an eighth of it (the average with reuse) */
  fail_unless (min > 10 * GST_MSECOND + fastest / 8, "latency %" GST_TIME_FORMAT
      ", inferred frames took %" GST_TIME_FORMAT, GST_TIME_ARGS (min), GST_TIME_ARGS (fastest));
  fail_unless (min <= 10 * GST_MSECOND + slowest);
  gst_harness_teardown (h);
  g_free (props);
}
END_TEST;

/* Same results on 1 and 3 engine threads, to the bit. */
START_TEST (thread_count_gives_identical_results)
{
  Seen one, three;
  gint f;

  run_frames ("n-threads=1 top-k=5", "RGB", SIDE, SIDE, plain_pixel, &one);
  run_frames ("n-threads=3 top-k=5", "RGB", SIDE, SIDE, plain_pixel, &three);
  for (f = 0; f < N_FRAMES; f++)
    fail_unless (gst_structure_is_equal (one.meta[f], three.meta[f]), "frame %d", f);
  seen_clear (&one);
  seen_clear (&three);
}
END_TEST;

/* A colour model written here (GlobalAveragePool, Flatten: one logit per
 * input plane) on a frame of one colour: the logits are the normalised
 * planes, so the confidences show the channel order, per-channel mean and
 * std and scale the element applied. */
START_TEST (colour_preprocessing_per_channel)
{
  static const struct
  {
    const gchar *order;
    gint plane[3];              /* which of R, G, B each model plane holds */
  } orders[] = { {"rgb", {0, 1, 2}}, {"bgr", {2, 1, 0}} };
  const guint8 rgb[3] = { 200, 100, 50 };
  const gdouble mean[3] = { 0.1, 0.2, 0.3 }, std[3] = { 0.5, 0.25, 2.0 }, scale = 0.002;
  const int in_shape[4] = { -1, 3, 8, 8 };
  const char *in = "x", *pooled = "p", *out = "y";
  gchar *dir = g_dir_make_tmp ("cnnclassify-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "planes.onnx", NULL);
  cnn_graph *g;
  guint o;

  el_assert_cnn_ok (cnn_graph_create (&g));
  el_assert_cnn_ok (cnn_graph_add_input (g, in, 4, in_shape));
  el_assert_cnn_ok (cnn_graph_add_node (g, "GlobalAveragePool", NULL, 1, &in, 1, &pooled,
          NULL));
  el_assert_cnn_ok (cnn_graph_add_node (g, "Flatten", NULL, 1, &pooled, 1, &out, NULL));
  el_assert_cnn_ok (cnn_graph_mark_output (g, out));
  el_assert_cnn_ok (cnn_onnx_write (g, path));
  cnn_graph_destroy (g);

  for (o = 0; o < G_N_ELEMENTS (orders); o++) {
    gchar *launch = g_strdup_printf ("model=%s width=8 height=8 channel-order=%s "
        "mean=0.1,0.2,0.3 std=0.5,0.25,2 scale=0.002", path, orders[o].order);
    GstHarness *h = el_harness ("cnnclassify", launch, "BGRx", 16, 12);
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 16 * 12 * 4, NULL), *res;
    const GValue *ids, *confs;
    const GstStructure *s;
    gdouble x[3], max = -G_MAXDOUBLE, sum = 0;
    GstMapInfo map;
    gint i, c;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (i = 0; i < 16 * 12; i++) {
      map.data[4 * i] = rgb[2];
      map.data[4 * i + 1] = rgb[1];
      map.data[4 * i + 2] = rgb[0];
      map.data[4 * i + 3] = 0;
    }
    gst_buffer_unmap (buf, &map);
    res = gst_harness_push_and_pull (h, buf);
    s = gst_video_region_of_interest_meta_get_param
        (gst_buffer_get_video_region_of_interest_meta (res), "cnn-classification");
    ids = gst_structure_get_value (s, "top-class-ids");
    confs = gst_structure_get_value (s, "top-confidences");
    for (c = 0; c < 3; c++) {
      x[c] = (rgb[orders[o].plane[c]] * scale - mean[c]) / std[c];
      max = MAX (max, x[c]);
    }
    for (c = 0; c < 3; c++)
      sum += exp (x[c] - max);
    fail_unless_equals_int (gst_value_array_get_size (ids), 3);
    for (i = 0; i < 3; i++) {
      c = g_value_get_int (gst_value_array_get_value (ids, i));
      fail_unless (fabs (g_value_get_double (gst_value_array_get_value (confs, i)) -
              exp (x[c] - max) / sum) <= 1e-5, "%s: class %d", orders[o].order, c);
    }
    gst_buffer_unref (res);
    gst_harness_teardown (h);
    g_free (launch);
  }
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}
END_TEST;

/* Runs the pipeline with cnnclassify props; its error must contain want. */
static void
expect_error (const gchar * props, const gchar * want)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8,"
      "width=64,height=48 ! cnnclassify %s ! fakesink", props);

  el_assert_pipeline_error (launch, want);
  g_free (launch);
}

START_TEST (bad_models_fail_naming_the_problem)
{
  gchar *dir = g_dir_make_tmp ("cnnclassify-XXXXXX", NULL);
  gchar *garbage = g_build_filename (dir, "garbage.onnx", NULL);
  gchar *props;
  const gchar *det = "/usr/share/libonnx-testdata/data/node/test_det_2d/model.onnx";

  expect_error ("model=/nonexistent/model.onnx width=28 height=28",
      "/nonexistent/model.onnx: no such file");
  fail_unless (g_file_set_contents (garbage, "not a model", -1, NULL));
  props = g_strdup_printf ("model=%s width=28 height=28", garbage);
  expect_error (props, "is not an ONNX model");
  g_free (props);
  /* Det is not an operator of the runtime: the message names it */
  fail_unless (!cnn_graph_op_supported ("Det"));
  props = g_strdup_printf ("model=%s width=28 height=28", det);
  expect_error (props, "Det");
  g_free (props);
  expect_error ("", "model: no model file set");
  props = g_strdup_printf ("model=%s roi=40,0,28,28", model_path);
  expect_error (props, "roi 40,0,28,28: outside the 64x48 frame");
  g_free (props);
  g_unlink (garbage);
  g_rmdir (dir);
  g_free (garbage);
  g_free (dir);
}
END_TEST;

/* model.cfg next to a model it does not name is not that model's sidecar;
 * OTHER.cfg next to OTHER.onnx is. */
START_TEST (sidecar_belongs_to_its_model)
{
  gchar *dir = g_dir_make_tmp ("cnnclassify-XXXXXX", NULL);
  gchar *src_dir = g_path_get_dirname (model_path);
  gchar *cfg_src = g_build_filename (src_dir, "model.cfg", NULL);
  gchar *other = g_build_filename (dir, "other.onnx", NULL);
  gchar *cfg = g_build_filename (dir, "model.cfg", NULL);
  gchar *other_cfg = g_build_filename (dir, "other.cfg", NULL);
  gchar *data, *text, *props;
  gsize len;
  Seen seen;

  fail_unless (g_file_get_contents (model_path, &data, &len, NULL));
  fail_unless (g_file_set_contents (other, data, len, NULL));
  g_free (data);
  fail_unless (g_file_get_contents (cfg_src, &text, NULL, NULL));
  fail_unless (g_file_set_contents (cfg, text, -1, NULL));
  props = g_strdup_printf ("model=%s", other);
  expect_error (props, "width and height: not set");
  /* labels= in the sidecar is relative to it: without labels.txt here the
   * error names that file */
  fail_unless (g_file_set_contents (other_cfg, text, -1, NULL));
  expect_error (props, "labels.txt");
  g_unlink (other_cfg);
  g_free (props);

  /* the shipped sidecar with an absolute labels path serves other.onnx */
  {
    gchar *labels = g_build_filename (src_dir, "labels.txt", NULL);
    GKeyFile *kf = g_key_file_new ();

    fail_unless (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
    g_key_file_set_string (kf, "model", "labels", labels);
    g_key_file_set_string (kf, "model", "model", "other.onnx");
    fail_unless (g_key_file_save_to_file (kf, other_cfg, NULL));
    g_key_file_free (kf);
    g_free (labels);
  }
  g_free (model_path);
  model_path = g_strdup (other);
  run_frames ("top-k=3", "GRAY8", SIDE, SIDE, plain_pixel, &seen);
  check_result (seen.meta[0], 0, 0, 3, 0.0, TRUE);
  seen_clear (&seen);
  g_free (model_path);
  model_path = g_build_filename (src_dir, "model.onnx", NULL);

  g_unlink (other_cfg);
  g_unlink (cfg);
  g_unlink (other);
  g_rmdir (dir);
  g_free (text);
  g_free (other_cfg);
  g_free (cfg);
  g_free (other);
  g_free (cfg_src);
  g_free (src_dir);
  g_free (dir);
}
END_TEST;

static Suite *
cnnclassify_suite (void)
{
  Suite *s = suite_create ("cnnclassify");
  TCase *tc = tcase_create ("general");

  tcase_add_unchecked_fixture (tc, setup_data, NULL);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, classifies_fashion_frames);
  tcase_add_test (tc, colour_input_is_classified_like_gray);
  tcase_add_test (tc, every_n_reuses_the_last_result);
  tcase_add_test (tc, roi_classifies_the_region);
  tcase_add_test (tc, classifiers_in_a_row_keep_both_regions);
  tcase_add_test (tc, top_k_and_threshold);
  tcase_add_test (tc, overlay_draws_the_label);
  tcase_add_test (tc, frames_are_never_copied);
  tcase_add_test (tc, late_frames_skip_the_model_not_the_frame);
  tcase_add_test (tc, latency_is_the_inference_cost);
  tcase_add_test (tc, thread_count_gives_identical_results);
  tcase_add_test (tc, colour_preprocessing_per_channel);
  tcase_add_test (tc, sidecar_belongs_to_its_model);
  tcase_add_test (tc, bad_models_fail_naming_the_problem);
  return s;
}

GST_CHECK_MAIN (cnnclassify);
