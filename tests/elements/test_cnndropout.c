/* cnndropout in GstHarness: passthrough when not training, the dropout
 * formula per mode (dropped 0, kept x / (1 - p)), the drop rate, seeded
 * reproducibility run to run and across thread counts, and video. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "elementutil.h"

#define W 16
#define H 12
#define C 4
#define N_VALUES (W * H * C)

/* Values in [0.5, 1.5): never 0, so dropped values show. */
static GstBuffer *
input_tensor (guint frame)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, N_VALUES * sizeof (gfloat), NULL);
  cnn_rng_key key = { el_seed (), 400 + frame };
  GstMapInfo map;
  gint i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (i = 0; i < N_VALUES; i++)
    ((gfloat *) map.data)[i] = cnn_rng_uniform_range (key, i, 0.5f, 1.5f);
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* Outputs of frames 0..n-1 of input_tensor, concatenated. */
static gfloat *
run_frames (const gchar * props, guint n)
{
  GstHarness *hn = el_tensor_harness ("cnndropout", props, "float32", W, H, C);
  gfloat *out = g_new (gfloat, n * N_VALUES);
  guint f;

  for (f = 0; f < n; f++) {
    GstBuffer *buf = gst_harness_push_and_pull (hn, input_tensor (f));

    fail_unless_equals_int (gst_buffer_extract (buf, 0, out + f * N_VALUES,
            N_VALUES * sizeof (gfloat)), N_VALUES * sizeof (gfloat));
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (hn);
  return out;
}

START_TEST (passthrough_when_not_training)
{
  GstHarness *hn = el_tensor_harness ("cnndropout", "ratio=0.9", "float32", W, H, C);
  GstElement *el = gst_harness_find_element (hn, "cnndropout");
  GstBuffer *in = input_tensor (0), *out;

  out = gst_harness_push_and_pull (hn, gst_buffer_ref (in));
  /* the very buffer, untouched and uncopied */
  fail_unless (out == in);
  fail_unless (gst_base_transform_is_passthrough (GST_BASE_TRANSFORM (el)));
  g_object_set (el, "training", TRUE, NULL);
  fail_unless (!gst_base_transform_is_passthrough (GST_BASE_TRANSFORM (el)));
  gst_object_unref (el);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (hn);
}
END_TEST

START_TEST (element_and_channel_modes_follow_the_formula)
{
  static const gchar *const modes[] = { "element", "channel" };
  guint m;

  for (m = 0; m < G_N_ELEMENTS (modes); m++) {
    gchar *props = g_strdup_printf ("training=true ratio=0.25 seed=7 mode=%s", modes[m]);
    gfloat *out = run_frames (props, 4), x[N_VALUES];
    gint dropped = 0, f, i;

    for (f = 0; f < 4; f++) {
      GstBuffer *in = input_tensor (f);

      gst_buffer_extract (in, 0, x, sizeof (x));
      gst_buffer_unref (in);
      for (i = 0; i < N_VALUES; i++) {
        gfloat y = out[f * N_VALUES + i];
        /* channel mode: the whole W x H plane shares the fate of its first */
        gboolean first_dropped = out[f * N_VALUES + (i / (W * H)) * W * H] == 0.0f;

        if (y == 0.0f) {
          dropped++;
        } else {
          fail_unless (fabsf (y - x[i] / 0.75f) <= 1e-6f, "%s: %g, want %g", modes[m], y,
              x[i] / 0.75f);
        }
        if (m == 1)
          fail_unless ((y == 0.0f) == first_dropped, "channel mode split a channel");
      }
    }
    /* 0.25 of 3072 values (binomial sd ~24) or of 16 channels */
    if (m == 0) {
      fail_unless (abs (dropped - 768) < 150, "%d of 3072 dropped", dropped);
    } else {
      fail_unless (dropped > 0 && dropped < 4 * N_VALUES, "%d dropped", dropped);
    }
    g_free (out);
    g_free (props);
  }
}
END_TEST

START_TEST (block_mode_drops_blocks)
{
  gfloat *out = run_frames ("training=true ratio=0.2 mode=block block-size=3 seed=3", 2);
  gint zeros = 0, i;

  for (i = 0; i < 2 * N_VALUES; i++)
    zeros += out[i] == 0.0f;
  fail_unless (zeros >= 9, "%d zeros: no 3x3 block", zeros);
  g_free (out);
}
END_TEST

START_TEST (same_seed_same_buffers_other_seed_differs)
{
  gfloat *a = run_frames ("training=true seed=11", 3);
  gfloat *b = run_frames ("training=true seed=11 n-threads=2", 3);
  gfloat *c = run_frames ("training=true seed=12", 3);

  fail_unless (memcmp (a, b, 3 * N_VALUES * sizeof (gfloat)) == 0,
      "same seed, other run and thread count: different buffers");
  fail_unless (memcmp (a, c, 3 * N_VALUES * sizeof (gfloat)) != 0, "seed ignored");
  /* the buffer number is part of the key: frames 0 and 1 get other masks */
  fail_unless (memcmp (a, a + N_VALUES, N_VALUES * sizeof (gfloat)) != 0);
  g_free (a);
  g_free (b);
  g_free (c);
}
END_TEST

static guint
gray_sample (guint comp, gint x, gint y, gpointer user_data)
{
  return 40 + (x + y) % 80;
}

START_TEST (video_drops_pixels)
{
  GstHarness *hn = el_harness ("cnndropout", "training=true ratio=0.5 seed=1", "RGBA", 20, 10);
  GstVideoInfo info;
  GstVideoFrame frame;
  GstCaps *caps;
  GstBuffer *out;
  gint x, y, dropped = 0;
  guint comp;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBA, 20, 10);
  out = gst_harness_push_and_pull (hn, el_make_frame (&info, gray_sample, NULL));
  caps = gst_pad_get_current_caps (hn->sinkpad);
  el_map (&frame, &info, caps, out);
  for (y = 0; y < 10; y++)
    for (x = 0; x < 20; x++)
      for (comp = 0; comp < 4; comp++) {
        guint v = el_sample (&frame, comp, x, y), in = gray_sample (comp, x, y, NULL);

        if (comp == 3) {
          fail_unless_equals_int (v, in);
        } else if (v == 0) {
          dropped++;
        } else {
          fail_unless_equals_int (v, 2 * in);
        }
      }
  fail_unless (dropped > 200 && dropped < 400, "%d of 600 samples dropped", dropped);
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
}
END_TEST

static Suite *
cnndropout_suite (void)
{
  Suite *s = suite_create ("cnndropout");
  TCase *tc = tcase_create ("cnndropout");

  tcase_add_test (tc, passthrough_when_not_training);
  tcase_add_test (tc, element_and_channel_modes_follow_the_formula);
  tcase_add_test (tc, block_mode_drops_blocks);
  tcase_add_test (tc, same_seed_same_buffers_other_seed_differs);
  tcase_add_test (tc, video_drops_pixels);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnndropout);
