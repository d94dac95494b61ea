#include "elementutil.h"

const gchar *const el_formats[EL_N_FORMATS] = { "GRAY8", "GRAY16_LE", "RGB", "BGR", "RGBA",
  "BGRA", "RGBx", "BGRx", "I420", "NV12"
};

GstHarness *
el_harness (const gchar * element, const gchar * props, const gchar * format, gint width,
    gint height)
{
  gchar *launch = g_strdup_printf ("%s %s", element, props);
  GstHarness *hn = gst_harness_new_parse (launch);

  gst_harness_set_src_caps (hn, gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
          format, "width", G_TYPE_INT, width, "height", G_TYPE_INT, height, "framerate",
          GST_TYPE_FRACTION, 30, 1, NULL));
  g_free (launch);
  return hn;
}

GstHarness *
el_tensor_harness (const gchar * element, const gchar * props, const gchar * type, gint w,
    gint h, gint c)
{
  gchar *launch = g_strdup_printf ("%s %s", element, props);
  GstHarness *hn = gst_harness_new_parse (launch);
  gchar *caps = g_strdup_printf ("other/tensors,format=static,num_tensors=1,types=%s,"
      "dimensions=%d:%d:%d:1,framerate=30/1", type, w, h, c);

  gst_harness_set_src_caps_str (hn, caps);
  g_free (caps);
  g_free (launch);
  return hn;
}

guint64
el_seed (void)
{
  static gsize printed;
  const gchar *env = g_getenv ("CNN_TEST_SEED");
  guint64 seed = env ? g_ascii_strtoull (env, NULL, 0) : 20261125u;

  if (g_once_init_enter (&printed)) {
    g_print ("seed %" G_GUINT64_FORMAT " (set CNN_TEST_SEED to replay)\n", seed);
    g_once_init_leave (&printed, 1);
  }
  return seed;
}

static void
sample_set (GstVideoFrame * frame, guint comp, gint x, gint y, guint v)
{
  guint8 *p = GST_VIDEO_FRAME_COMP_DATA (frame, comp) +
      y * GST_VIDEO_FRAME_COMP_STRIDE (frame, comp) +
      x * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);

  if (GST_VIDEO_FRAME_COMP_DEPTH (frame, comp) == 16)
    GST_WRITE_UINT16_LE (p, v);
  else
    *p = (guint8) v;
}

typedef struct
{
  const GstVideoFormatInfo *finfo;
  guint64 stream;
} RandomFrame;

static guint
random_sample (guint comp, gint x, gint y, gpointer user_data)
{
  const RandomFrame *r = user_data;
  cnn_rng_key key = { el_seed (), r->stream + comp };
  guint max = GST_VIDEO_FORMAT_INFO_DEPTH (r->finfo, comp) == 16 ? 65535 : 255;

  return cnn_rng_u32 (key, (guint64) y * 1000 + x) % (max + 1);
}

GstBuffer *
el_make_random_frame (const GstVideoInfo * info, guint64 stream)
{
  RandomFrame r = { info->finfo, stream };

  return el_make_frame (info, random_sample, &r);
}

guint
el_sample (GstVideoFrame * frame, guint comp, gint x, gint y)
{
  const guint8 *p = GST_VIDEO_FRAME_COMP_DATA (frame, comp) +
      y * GST_VIDEO_FRAME_COMP_STRIDE (frame, comp) +
      x * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);

  return GST_VIDEO_FRAME_COMP_DEPTH (frame, comp) == 16 ? GST_READ_UINT16_LE (p) : *p;
}

GstBuffer *
el_make_frame (const GstVideoInfo * info, ElSampleFn fn, gpointer user_data)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  GstVideoFrame frame;
  guint comp;
  gint x, y;

  gst_buffer_memset (buf, 0, 0, GST_VIDEO_INFO_SIZE (info));
  fail_unless (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf, GST_MAP_WRITE));
  for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (&frame); comp++)
    for (y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp); y++)
      for (x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp); x++)
        sample_set (&frame, comp, x, y, fn (comp, x, y, user_data));
  gst_video_frame_unmap (&frame);
  return buf;
}

void
el_map (GstVideoFrame * frame, GstVideoInfo * info, GstCaps * caps, GstBuffer * buf)
{
  fail_unless (gst_video_info_from_caps (info, caps));
  fail_unless (gst_video_frame_map (frame, info, buf, GST_MAP_READ));
}

static gchar *
error_text (GstMessage * msg)
{
  GError *err = NULL;
  gchar *debug = NULL, *text;

  gst_message_parse_error (msg, &err, &debug);
  text = g_strdup_printf ("%s (%s: %s)", err->message, GST_OBJECT_NAME (msg->src),
      debug ? debug : "");
  g_error_free (err);
  g_free (debug);
  return text;
}

gchar *
el_pop_error (GstBus * bus)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gchar *text;

  if (!msg)
    return NULL;
  text = error_text (msg);
  gst_message_unref (msg);
  return text;
}

gchar *
el_run_pipeline (const gchar * description, guint timeout_s)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (description, &err);
  GstBus *bus;
  GstMessage *msg;
  gchar *result = NULL;

  if (!pipeline || err) {
    result = g_strdup_printf ("parse: %s", err ? err->message : "no pipeline");
    g_clear_error (&err);
    if (pipeline)
      gst_object_unref (pipeline);
    return result;
  }
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, timeout_s * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "'%s' neither ended nor failed within %u s", description,
      timeout_s);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    result = error_text (msg);
  gst_message_unref (msg);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return result;
}

GstVideoInfo
el_info (const gchar * format, gint width, gint height)
{
  GstVideoInfo info;

  gst_video_info_set_format (&info, gst_video_format_from_string (format), width, height);
  return info;
}

void
el_output_size (GstHarness * hn, gint * width, gint * height)
{
  GstCaps *caps = gst_pad_get_current_caps (hn->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);

  fail_unless (gst_structure_get_int (s, "width", width));
  fail_unless (gst_structure_get_int (s, "height", height));
  gst_caps_unref (caps);
}

guint
el_constant_sample (guint comp, gint x, gint y, gpointer user_data)
{
  return 100;
}

gchar *
el_negotiation_error (const gchar * element_props, gint width, gint height,
    const gchar * sink_caps)
{
  GstHarness *hn = gst_harness_new_parse (element_props);
  GstBus *bus = gst_bus_new ();
  GstVideoInfo info = el_info ("GRAY8", width, height);
  gchar *msg;

  gst_element_set_bus (hn->element, bus);
  if (sink_caps)
    gst_harness_set_sink_caps_str (hn, sink_caps);
  gst_harness_set_src_caps (hn, gst_video_info_to_caps (&info));
  fail_unless_equals_int (gst_harness_push (hn, el_make_frame (&info, el_constant_sample,
              NULL)), GST_FLOW_NOT_NEGOTIATED);
  msg = el_pop_error (bus);
  fail_unless (msg != NULL, "%s: no error message", element_props);
  gst_element_set_bus (hn->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hn);
  return msg;
}

guint
el_gray_at (GstHarness * hn, GstBuffer * buf, gint x, gint y)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstCaps *caps = gst_pad_get_current_caps (hn->sinkpad);
  guint v;

  el_map (&frame, &info, caps, buf);
  v = el_sample (&frame, 0, x, y);
  gst_video_frame_unmap (&frame);
  gst_caps_unref (caps);
  return v;
}

void
el_assert_pipeline_error (const gchar * description, const gchar * word)
{
  gchar *msg = el_run_pipeline (description, 20);

  fail_unless (msg && strstr (msg, word), "%s: %s (want '%s')", description, msg, word);
  g_free (msg);
}

void
el_assert_bad_properties (const gchar * element, const ElBadProperties * cases, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=2 ! %s %s ! fakesink", element,
        cases[i].props);

    el_assert_pipeline_error (desc, cases[i].word);
    g_free (desc);
  }
}
