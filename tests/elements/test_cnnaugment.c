/* cnnaugment in GstHarness: N samples per input with their meta (index,
 * drawn parameters) and pixels equal to libcnn's chain run on the frame with
 * those parameters, the same buffers for any n-threads and run, another seed
 * other buffers, consistent mode across frames, clips and segment
 * boundaries, every format against RGB, the output size negotiated from a
 * resized crop, and bad descriptions refused with a message naming the
 * transform and the parameter. */
#include <string.h>

#include "elementutil.h"
#include "gstcnnaugmentmeta.h"

#define W 40
#define H 30
#define CHAIN "flip-h ; rotate degrees=-30,30 ; color-jitter brightness=0.4 contrast=0.4 " \
    "saturation=0.4 hue=0.1 ; erasing p=0.7"

/* Smooth random colour blobs; channels differ so a swapped byte order
 * shows. */
static guint
blob_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const gint *frame = user_data;
  cnn_rng_key key = { el_seed (), 11 + *frame };

  if (comp == 3)
    return 255;
  return (((x / 4 + y / 3) % 4) * 50 + comp * 37 + cnn_rng_u32 (key, (guint64) y * 64 + x) %
      30) % 256;
}

static GstBuffer *
make_frame (const gchar * format, gint frame)
{
  GstVideoInfo info;
  GstBuffer *buf;

  gst_video_info_set_format (&info, gst_video_format_from_string (format), W, H);
  buf = el_make_frame (&info, blob_sample, &frame);
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (frame, GST_SECOND, 30);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (1, GST_SECOND, 30);
  return buf;
}

/* Push n_frames frames through "cnnaugment props" and pull every sample. */
static GPtrArray *
run_element (const gchar * props, const gchar * format, gint n_frames, GstCaps ** out_caps)
{
  GstHarness *hn = el_harness ("cnnaugment", props, format, W, H);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GstBuffer *buf;
  gint f;

  for (f = 0; f < n_frames; f++)
    fail_unless_equals_int (gst_harness_push (hn, make_frame (format, f)), GST_FLOW_OK);
  while ((buf = gst_harness_try_pull (hn)))
    g_ptr_array_add (out, buf);
  if (out_caps)
    *out_caps = gst_pad_get_current_caps (hn->sinkpad);
  gst_harness_teardown (hn);
  return out;
}

static const GstStructure *
meta_of (GstBuffer * buf)
{
  GstCnnAugmentMeta *meta = gst_buffer_get_cnn_augment_meta (buf);

  fail_unless (meta != NULL, "a sample without GstCnnAugmentMeta");
  return meta->params;
}

static guint64
meta_u64 (GstBuffer * buf, const gchar * field)
{
  guint64 v;

  fail_unless (gst_structure_get_uint64 (meta_of (buf), field, &v), "no %s", field);
  return v;
}

static const gchar *
meta_json (GstBuffer * buf)
{
  return gst_structure_get_string (meta_of (buf), "json");
}

static gboolean
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean eq;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return eq;
}

/* The sample (of out_c channels) libcnn makes from frame f with (seed,
 * key f, sample k), and its parameters as JSON. */
static void
expect_sample (const gchar * chain_text, guint64 seed, gint f, guint k, gint out_c,
    guint8 * out, gchar * json, gsize json_size)
{
  GstBuffer *in = make_frame ("RGB", f);
  GstVideoInfo info;
  GstVideoFrame frame;
  cnn_augment_chain *chain;
  cnn_augment_params p;
  cnn_frame src, dst;
  cnn_context *ctx;
  void *ws;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, W, H);
  fail_unless (gst_video_frame_map (&frame, &info, in, GST_MAP_READ));
  el_assert_cnn_ok (cnn_augment_chain_parse (&chain, chain_text));
  el_assert_cnn_ok (cnn_context_create (&ctx, 1));
  el_assert_cnn_ok (cnn_augment_draw (chain, seed, f, k, W, H, 3, &p));
  cnn_frame_init (&src, GST_VIDEO_FRAME_PLANE_DATA (&frame, 0), W, H, 3, CNN_FRAME_U8,
      CNN_FRAME_PACKED);
  src.row_stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
  cnn_frame_init (&dst, out, W, H, out_c, CNN_FRAME_U8, CNN_FRAME_PACKED);
  ws = cnn_aligned_alloc (cnn_augment_workspace_size (chain, W, H, 3, CNN_FRAME_U8, 1) + 64);
  el_assert_cnn_ok (cnn_augment_apply (ctx, chain, &p, &src, &dst, ws));
  cnn_augment_params_json (&p, json, json_size);
  cnn_aligned_free (ws);
  cnn_context_destroy (ctx);
  cnn_augment_chain_free (chain);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (in);
}

START_TEST (samples_carry_meta_and_libcnn_pixels)
{
  const guint n = 3;
  guint64 seed = el_seed ();
  gchar *props = g_strdup_printf ("samples=%u seed=%" G_GUINT64_FORMAT " transforms=\"%s\"",
      n, seed, CHAIN);
  GstCaps *caps;
  GPtrArray *out = run_element (props, "RGB", 2, &caps);
  GstClockTime frame_dur = gst_util_uint64_scale (1, GST_SECOND, 30);
  guint i, applied = 0, skipped = 0;
  gint fps_n, fps_d;

  fail_unless_equals_int (out->len, 2 * n);
  fail_unless (gst_structure_get_fraction (gst_caps_get_structure (caps, 0), "framerate",
          &fps_n, &fps_d));
  fail_unless (fps_n * 1 == 90 * fps_d, "output framerate %d/%d, want 90/1", fps_n, fps_d);
  for (i = 0; i < out->len; i++) {
    GstBuffer *buf = g_ptr_array_index (out, i);
    const GstStructure *s = meta_of (buf);
    gint f = i / n;
    guint k = i % n, sample, samples, j;
    guint8 want[W * H * 3];
    gchar json[4096];
    GstVideoInfo info;
    GstVideoFrame frame;
    const GValue *steps;
    gint x, y, c;

    fail_unless (gst_structure_get_uint (s, "sample", &sample));
    fail_unless (gst_structure_get_uint (s, "samples", &samples));
    fail_unless_equals_int (sample, k);
    fail_unless_equals_int (samples, n);
    fail_unless_equals_uint64 (meta_u64 (buf, "frame"), f);
    fail_unless_equals_uint64 (meta_u64 (buf, "key"), f);
    fail_unless_equals_uint64 (meta_u64 (buf, "seed"), seed);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), (guint64) f * n + k);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), f * frame_dur + k * frame_dur / n);

    expect_sample (CHAIN, seed, f, k, 3, want, json, sizeof json);
    fail_unless_equals_string (meta_json (buf), json);
    /* the typed steps agree with the JSON: the rotation's angle */
    steps = gst_structure_get_value (s, "steps");
    fail_unless_equals_int (gst_value_array_get_size (steps), 4);
    for (j = 0; j < 4; j++) {
      const GstStructure *step =
          gst_value_get_structure (gst_value_array_get_value (steps, j));
      gboolean on;
      gdouble angle;
      gchar *frag;

      fail_unless (gst_structure_get_boolean (step, "applied", &on));
      applied += on;
      skipped += !on;
      if (gst_structure_has_name (step, "rotate") && on) {
        fail_unless (gst_structure_get_double (step, "angle", &angle));
        fail_unless (angle >= -30 && angle <= 30);
        frag = g_strdup_printf ("\"angle\":%.17g", angle);
        fail_unless (strstr (json, frag) != NULL, "%s not in %s", frag, json);
        g_free (frag);
      }
    }

    el_map (&frame, &info, caps, buf);
    for (y = 0; y < H; y++)
      for (x = 0; x < W; x++)
        for (c = 0; c < 3; c++)
          fail_unless (el_sample (&frame, c, x, y) == want[(y * W + x) * 3 + c],
              "frame %d sample %u (%d,%d,%d): %u, libcnn %u", f, k, x, y, c,
              el_sample (&frame, c, x, y), want[(y * W + x) * 3 + c]);
    gst_video_frame_unmap (&frame);
  }
  /* p=0.5 flips and p=0.7 erasing: over 6 samples both outcomes occur */
  fail_unless (applied > 0 && skipped > 0);
  gst_caps_unref (caps);
  g_ptr_array_unref (out);
  g_free (props);
}
END_TEST

START_TEST (reproducible_across_runs_and_threads)
{
  gchar *base = g_strdup_printf ("samples=2 seed=%" G_GUINT64_FORMAT " transforms=\"%s ; "
      "resized-crop size=32,24 scale=0.3,1 ; gaussian-noise std=8\"", el_seed (), CHAIN);
  gchar *p1 = g_strdup_printf ("%s n-threads=1", base);
  gchar *p2 = g_strdup_printf ("%s n-threads=2", base);
  gchar *p_seed = g_strdup_printf ("%s seed=%" G_GUINT64_FORMAT, base, el_seed () + 1);
  GPtrArray *a = run_element (p1, "RGB", 3, NULL);
  GPtrArray *b = run_element (p2, "RGB", 3, NULL);
  GPtrArray *again = run_element (p1, "RGB", 3, NULL);
  GPtrArray *other = run_element (p_seed, "RGB", 3, NULL);
  guint i, differ = 0;

  fail_unless_equals_int (a->len, 6);
  fail_unless_equals_int (b->len, 6);
  fail_unless_equals_int (other->len, 6);
  for (i = 0; i < a->len; i++) {
    fail_unless (buffers_equal (a->pdata[i], b->pdata[i]), "sample %u: 1 and 2 threads", i);
    fail_unless (buffers_equal (a->pdata[i], again->pdata[i]), "sample %u: two runs", i);
    fail_unless_equals_string (meta_json (a->pdata[i]), meta_json (b->pdata[i]));
    differ += !buffers_equal (a->pdata[i], other->pdata[i]);
    fail_if (g_strcmp0 (meta_json (a->pdata[i]), meta_json (other->pdata[i])) == 0,
        "sample %u: another seed, the same parameters", i);
  }
  fail_unless_equals_int (differ, a->len);
  /* samples of one frame differ from each other */
  fail_if (buffers_equal (a->pdata[0], a->pdata[1]));
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_ptr_array_unref (again);
  g_ptr_array_unref (other);
  g_free (base);
  g_free (p1);
  g_free (p2);
  g_free (p_seed);
}
END_TEST

/* The drawn steps of a JSON line, without the seed, key and sample it was
 * drawn with. */
static const gchar *
steps_of (const gchar * json)
{
  const gchar *steps = strstr (json, "\"steps\"");

  fail_unless (steps != NULL);
  return steps;
}

START_TEST (consistent_keeps_parameters_per_clip_and_segment)
{
  const guint n = 2;
  gchar *clip = g_strdup_printf ("consistent=true samples=%u seed=%" G_GUINT64_FORMAT
      " transforms=\"%s\"", n, el_seed (), CHAIN);
  gchar *seg = g_strdup_printf ("%s segment-frames=3", clip);
  GPtrArray *a = run_element (clip, "RGB", 5, NULL);
  GPtrArray *b = run_element (seg, "RGB", 7, NULL);
  guint i;

  /* whole clip: sample k has one set of parameters over all frames, and
   * the samples differ */
  for (i = 0; i < a->len; i++) {
    fail_unless_equals_uint64 (meta_u64 (a->pdata[i], "key"), 0);
    fail_unless_equals_uint64 (meta_u64 (a->pdata[i], "frame"), i / n);
    fail_unless_equals_string (meta_json (a->pdata[i]), meta_json (a->pdata[i % n]));
  }
  fail_if (g_strcmp0 (steps_of (meta_json (a->pdata[0])),
          steps_of (meta_json (a->pdata[1]))) == 0);

  /* segments of 3 frames: 0-2, 3-5, 6; parameters change at each boundary */
  fail_unless_equals_int (b->len, 7 * n);
  for (i = 0; i < b->len; i++) {
    guint f = i / n, k = i % n;
    guint seg_start = (f / 3) * 3 * n + k;

    fail_unless_equals_uint64 (meta_u64 (b->pdata[i], "key"), f / 3);
    fail_unless_equals_string (meta_json (b->pdata[i]), meta_json (b->pdata[seg_start]));
    if (f % 3 == 0 && f > 0)
      fail_if (g_strcmp0 (steps_of (meta_json (b->pdata[i])),
              steps_of (meta_json (b->pdata[i - 3 * n]))) == 0,
          "frame %u sample %u: the parameters of the previous segment", f, k);
  }
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_free (clip);
  g_free (seg);
}
END_TEST

/* A second stream-start is a new clip: consistent mode draws anew. */
START_TEST (consistent_draws_anew_for_a_new_clip)
{
  gchar *props = g_strdup_printf ("consistent=true seed=%" G_GUINT64_FORMAT
      " transforms=\"%s\"", el_seed (), CHAIN);
  GstHarness *hn = el_harness ("cnnaugment", props, "RGB", W, H);
  GstBuffer *clip1, *clip2;

  fail_unless_equals_int (gst_harness_push (hn, make_frame ("RGB", 0)), GST_FLOW_OK);
  clip1 = gst_harness_pull (hn);
  fail_unless (gst_harness_push_event (hn, gst_event_new_stream_start ("clip-2")));
  fail_unless_equals_int (gst_harness_push (hn, make_frame ("RGB", 1)), GST_FLOW_OK);
  clip2 = gst_harness_pull (hn);
  fail_unless_equals_uint64 (meta_u64 (clip1, "key"), 0);
  fail_unless_equals_uint64 (meta_u64 (clip2, "key"), 1);
  fail_if (g_strcmp0 (steps_of (meta_json (clip1)), steps_of (meta_json (clip2))) == 0);
  gst_buffer_unref (clip1);
  gst_buffer_unref (clip2);
  gst_harness_teardown (hn);
  g_free (props);
}
END_TEST

/* Every format gives RGB's colours (alpha opaque), so byte orders and
 * pixel strides are read right. */
START_TEST (every_format_matches_rgb)
{
  static const gchar *formats[] = { "BGR", "RGBA", "BGRA", "RGBx", "BGRx" };
  gchar *props = g_strdup_printf ("samples=2 seed=%" G_GUINT64_FORMAT " transforms=\"%s\"",
      el_seed (), CHAIN);
  GstCaps *rgb_caps;
  GPtrArray *rgb = run_element (props, "RGB", 1, &rgb_caps);
  guint f, i;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstCaps *caps;
    GPtrArray *out = run_element (props, formats[f], 1, &caps);

    fail_unless_equals_int (out->len, rgb->len);
    for (i = 0; i < out->len; i++) {
      GstVideoInfo ia, ib;
      GstVideoFrame fa, fb;
      gint x, y, c;

      el_map (&fa, &ia, rgb_caps, rgb->pdata[i]);
      el_map (&fb, &ib, caps, out->pdata[i]);
      for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
          for (c = 0; c < 3; c++)
            fail_unless (el_sample (&fa, c, x, y) == el_sample (&fb, c, x, y),
                "%s (%d,%d,%d): %u, RGB %u", formats[f], x, y, c, el_sample (&fb, c, x, y),
                el_sample (&fa, c, x, y));
          if (GST_VIDEO_INFO_HAS_ALPHA (&ib))
            fail_unless_equals_int (el_sample (&fb, 3, x, y), 255);
        }
      gst_video_frame_unmap (&fa);
      gst_video_frame_unmap (&fb);
    }
    gst_caps_unref (caps);
    g_ptr_array_unref (out);
  }
  gst_caps_unref (rgb_caps);
  g_ptr_array_unref (rgb);
  g_free (props);
}
END_TEST

/* GRAY8: the chain on one channel, as libcnn runs it. */
START_TEST (gray_frames_run_on_one_channel)
{
  GPtrArray *out = run_element ("transforms=\"invert\"", "GRAY8", 1, NULL);
  GstBuffer *in = make_frame ("GRAY8", 0);
  GstVideoInfo info;
  GstVideoFrame a, b;
  gint x, y;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, W, H);
  fail_unless_equals_int (out->len, 1);
  fail_unless (gst_video_frame_map (&a, &info, in, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&b, &info, out->pdata[0], GST_MAP_READ));
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      fail_unless_equals_int (el_sample (&b, 0, x, y), 255 - el_sample (&a, 0, x, y));
  gst_video_frame_unmap (&a);
  gst_video_frame_unmap (&b);
  gst_buffer_unref (in);
  g_ptr_array_unref (out);
}
END_TEST

/* grayscale channels=1 turns the RGB formats into GRAY8, as libcnn's
 * chain computes it. */
START_TEST (grayscale_to_one_channel_gives_gray8)
{
  const gchar *chain = "rotate degrees=20 ; grayscale channels=1";
  gchar *props = g_strdup_printf ("seed=%" G_GUINT64_FORMAT " transforms=\"%s\"", el_seed (),
      chain);
  GstCaps *caps;
  GPtrArray *out = run_element (props, "BGRx", 1, &caps);
  guint8 want[W * H];
  gchar json[2048];
  GstVideoInfo info;
  GstVideoFrame frame;
  gint x, y;

  fail_unless_equals_int (out->len, 1);
  el_map (&frame, &info, caps, out->pdata[0]);
  fail_unless_equals_string (GST_VIDEO_INFO_NAME (&info), "GRAY8");
  expect_sample (chain, el_seed (), 0, 0, 1, want, json, sizeof json);
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      fail_unless (el_sample (&frame, 0, x, y) == want[y * W + x], "(%d,%d): %u, libcnn %u",
          x, y, el_sample (&frame, 0, x, y), want[y * W + x]);
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  g_ptr_array_unref (out);
  g_free (props);
}
END_TEST

START_TEST (output_size_follows_a_resized_crop)
{
  GstCaps *caps;
  GPtrArray *out = run_element ("samples=2 transforms=\"flip-h ; resized-crop size=24,16 "
      "scale=0.5,1\"", "RGB", 2, &caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstElement *e = gst_element_factory_make ("cnnaugment", NULL);
  GstPad *src;
  GstCaps *peer, *accepted;
  gint w, h;

  fail_unless (gst_structure_get_int (s, "width", &w));
  fail_unless (gst_structure_get_int (s, "height", &h));
  fail_unless_equals_int (w, 24);
  fail_unless_equals_int (h, 16);
  fail_unless_equals_int (out->len, 4);
  fail_unless_equals_int (gst_buffer_get_size (out->pdata[0]), GST_ROUND_UP_4 (24 * 3) * 16);

  /* before any input: the source pad offers only the fixed size */
  g_object_set (e, "transforms", "resized-crop size=24,16", NULL);
  src = gst_element_get_static_pad (e, "src");
  peer = gst_pad_query_caps (src, NULL);
  accepted = gst_caps_from_string ("video/x-raw,width=24,height=16");
  fail_unless (gst_caps_can_intersect (peer, accepted));
  gst_caps_unref (accepted);
  accepted = gst_caps_from_string ("video/x-raw,width=32,height=16");
  fail_if (gst_caps_can_intersect (peer, accepted), "%" GST_PTR_FORMAT, peer);
  gst_caps_unref (accepted);
  gst_caps_unref (peer);
  gst_object_unref (src);
  gst_object_unref (e);
  gst_caps_unref (caps);
  g_ptr_array_unref (out);
}
END_TEST

/* Run "videotestsrc ! caps ! cnnaugment transforms=T ! fakesink"; the
 * error message or NULL. */
static gchar *
run_description (const gchar * caps, const gchar * transforms)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=2 ! %s ! cnnaugment "
      "transforms=\"%s\" ! fakesink", caps, transforms);
  gchar *msg = el_run_pipeline (desc, 30);

  g_free (desc);
  return msg;
}

START_TEST (bad_transforms_name_the_transform_and_parameter)
{
  static const struct
  {
    const gchar *caps, *transforms, *words[2];
  } cases[] = {
    {"video/x-raw,format=RGB", "flip-h ; rotate degrees=abc", {"rotate", "degrees"}},
    {"video/x-raw,format=RGB", "flip-h ; color-jitter brightness=0.2 sharpness=3",
        {"color-jitter", "sharpness"}},
    {"video/x-raw,format=RGB", "flip-h p=0.5 ; warp-it", {"warp-it", NULL}},
    {"video/x-raw,format=RGB", "resized-crop size=224 scale=1.5,0.2", {"resized-crop",
            "scale"}},
    {"video/x-raw,format=RGB,width=100,height=80", "crop size=224", {"crop", "size"}},
    {"video/x-raw,format=GRAY8", "grayscale", {"grayscale", NULL}},
  };
  GstElement *e;
  gchar *msg;
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    msg = run_description (cases[i].caps, cases[i].transforms);
    fail_unless (msg != NULL, "\"%s\" accepted", cases[i].transforms);
    for (j = 0; j < 2; j++)
      if (cases[i].words[j])
        fail_unless (strstr (msg, cases[i].words[j]) != NULL, "\"%s\": %s does not name %s",
            cases[i].transforms, msg, cases[i].words[j]);
    g_free (msg);
  }
  /* setting a bad description neither warns (gst-check fails on that) nor
   * loses the text; a good one afterwards runs */
  e = gst_element_factory_make ("cnnaugment", NULL);
  g_object_set (e, "transforms", "rotate degrees=abc", NULL);
  g_object_get (e, "transforms", &msg, NULL);
  fail_unless_equals_string (msg, "rotate degrees=abc");
  g_free (msg);
  gst_object_unref (e);
  msg = run_description ("video/x-raw,format=RGB", "rotate degrees=10 ; flip-v");
  fail_unless (msg == NULL, "%s", msg);
}
END_TEST

static Suite *
cnnaugment_suite (void)
{
  Suite *s = suite_create ("cnnaugment");
  TCase *tc = tcase_create ("cnnaugment");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, samples_carry_meta_and_libcnn_pixels);
  tcase_add_test (tc, reproducible_across_runs_and_threads);
  tcase_add_test (tc, consistent_keeps_parameters_per_clip_and_segment);
  tcase_add_test (tc, consistent_draws_anew_for_a_new_clip);
  tcase_add_test (tc, every_format_matches_rgb);
  tcase_add_test (tc, gray_frames_run_on_one_channel);
  tcase_add_test (tc, grayscale_to_one_channel_gives_gray8);
  tcase_add_test (tc, output_size_follows_a_resized_crop);
  tcase_add_test (tc, bad_transforms_name_the_transform_and_parameter);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnaugment);
