/**
 * SECTION:element-cnnclassify
 * @title: cnnclassify
 *
 * Image classification with an ONNX model on libcnn's graph runtime. The
 * video passes through unchanged (overlay=true draws the label and its
 * confidence at the region's corner with libcnn's bitmap font); each frame
 * (or region `roi`) is resized and normalised as the model expects
 * (`x = (pixel * scale - mean) / std` per channel, NCHW float32; defaults
 * from the model's sidecar file `model.cfg` next to it when present), run
 * through the model, and
 * the best `top-k` classes at or above `threshold` are published three ways:
 *
 * - a #GstVideoRegionOfInterestMeta of type "cnn-classification" on the
 *   buffer (the classified region), with a "cnn-classification" parameter
 *   structure,
 * - an element message named "cnn-classification" on the bus,
 * - the "classified" signal,
 *
 * Built against GStreamer >= 1.24 with gstreamer-analytics-1.0, the top
 * classes also go in a #GstAnalyticsClsMtd of the buffer's analytics
 * relation meta. Metas describing the video (an earlier cnnclassify's
 * regions) pass through, so classifiers in a row add up their results.
 *
 * All with the fields label (string), class-id (int), confidence (double),
 * top-labels, top-class-ids, top-confidences (arrays, best first), inferred
 * (FALSE when the result of an earlier frame is reused), frame (number of
 * the frame), timestamp and running-time.
 *
 * Under load (QoS events saying frames are late) and between `every-n`
 * frames the element skips the model and reuses its last result: frames are
 * never dropped for classification.
 *
 * Frames are never copied: the element works in place (the metadata needs a
 * writable buffer, which for a buffer someone else holds is a new GstBuffer
 * sharing the same memory). Without overlay the frame is mapped for reading
 * only; with overlay it is drawn on in place (memory another buffer shares
 * is copied first, as GStreamer's copy on write does).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=/usr/share/doc/opencv-doc/examples/data/vtest.avi ! decodebin ! videoconvert ! video/x-raw,format=GRAY8 ! cnnclassify model=models/fashion-mnist/model.onnx ! fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cnn/onnx.h"
#include "gstcnnclassify.h"

#if defined (HAVE_GST_ANALYTICS) && GST_CHECK_VERSION (1, 24, 0)
#include <gst/analytics/analytics.h>
#define CNN_CLASSIFY_ANALYTICS 1
#endif

GST_DEBUG_CATEGORY_STATIC (gst_cnn_classify_debug);
#define GST_CAT_DEFAULT gst_cnn_classify_debug

#define RESULT_NAME "cnn-classification"
#define MAX_CHANNELS 3

typedef enum
{
  ORDER_AUTO,
  ORDER_RGB,
  ORDER_BGR,
  ORDER_GRAY,
} GstCnnClassifyOrder;

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_LABELS,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_MEAN,
  PROP_STD,
  PROP_SCALE,
  PROP_CHANNEL_ORDER,
  PROP_TOP_K,
  PROP_THRESHOLD,
  PROP_EVERY_N,
  PROP_ROI,
  PROP_OVERLAY,
};

enum
{
  SIGNAL_CLASSIFIED,
  LAST_SIGNAL,
};

static guint gst_cnn_classify_signals[LAST_SIGNAL];

#define DEFAULT_TOP_K 3
#define DEFAULT_THRESHOLD 0.0
#define DEFAULT_EVERY_N 1

/* What the model takes, from the properties over the sidecar file. */
typedef struct
{
  gchar *model_path;
  gchar *input_name;
  gint width, height, channels;
  GstCnnClassifyOrder order;
  gdouble scale;
  gdouble mean[MAX_CHANNELS], std[MAX_CHANNELS];
  gboolean logits;              /* softmax the output */
  gchar **labels;
  guint n_labels;
} GstCnnClassifyModel;

struct _GstCnnClassify
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  gchar *model;
  gchar *labels;
  gint width, height;
  gchar *mean, *std;
  gdouble scale;
  GstCnnClassifyOrder order;
  gint top_k;
  gdouble threshold;
  gint every_n;
  gchar *roi;
  gboolean overlay;
  /* earliest running time a frame can still be on time at (QoS) */
  GstClockTime earliest_time;
  /* smoothed cost of a frame the model ran on, ns: the latency we add */
  GstClockTime infer_cost;

  /* streaming thread */
  GstCnnClassifyModel m;
  cnn_graph *graph;
  gboolean prepared;
  cnn_tensor probs;
  gint in_channels;             /* of the video: 1 or 3 */
  gint roi_x, roi_y, roi_w, roi_h;
  cnn_augment_chain *to_planes; /* ROI to W x H planes of 0..1 floats */
  cnn_augment_chain *normalise[MAX_CHANNELS];
  cnn_augment_params to_planes_params, normalise_params[MAX_CHANNELS];
  guint8 *luma;                 /* the region's luma for a gray model on colour */
  /* overlay: the label box's background and text masks, text scale */
  guint8 *box_mask, *text_mask;
  gint box_max_w, box_h, text_scale;
  gfloat *planes;
  void *workspace;
  GstStructure *last;           /* the last result, or NULL */
  /* set by filter() for transform() to publish on the unmapped buffer */
  gboolean publish, inferred;
  guint64 publish_frame;
};

G_DEFINE_TYPE (GstCnnClassify, gst_cnn_classify, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnclassify, "cnnclassify", GST_RANK_NONE,
    GST_TYPE_CNN_CLASSIFY);

#define GST_TYPE_CNN_CLASSIFY_ORDER (gst_cnn_classify_order_get_type ())
static GType
gst_cnn_classify_order_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {ORDER_AUTO, "From the sidecar file (rgb without one)", "auto"},
    {ORDER_RGB, "R, G, B planes", "rgb"},
    {ORDER_BGR, "B, G, R planes", "bgr"},
    {ORDER_GRAY, "One luma plane (ITU-R 601 weights)", "gray"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnClassifyOrder", values);
}

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, RGB, BGR, RGBx, BGRx, xRGB, xBGR, "
            "RGBA, BGRA, ARGB, ABGR, I420, NV12 }")));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, RGB, BGR, RGBx, BGRx, xRGB, xBGR, "
            "RGBA, BGRA, ARGB, ABGR, I420, NV12 }")));

static void
gst_cnn_classify_model_clear (GstCnnClassifyModel * m)
{
  g_free (m->model_path);
  g_free (m->input_name);
  g_strfreev (m->labels);
  memset (m, 0, sizeof (*m));
}

/* "a" or "a,b,c" into n values (one value fills all); FALSE when malformed. */
static gboolean
parse_channel_values (const gchar * text, gdouble * v, gint n)
{
  gchar **parts = g_strsplit (text, ",", -1);
  guint count = g_strv_length (parts), i;
  gboolean ok = count == 1 || count == (guint) n;

  for (i = 0; ok && i < (guint) n; i++) {
    gchar *end;
    v[i] = g_ascii_strtod (parts[count == 1 ? 0 : i], &end);
    ok = end != parts[count == 1 ? 0 : i] && *g_strstrip (end) == '\0';
  }
  g_strfreev (parts);
  return ok;
}

/* The sidecar next to the model: NAME.cfg for NAME.onnx, else model.cfg in
 * its directory unless its model= names another file; NULL when there is
 * none. */
static GKeyFile *
load_sidecar (const gchar * model, gchar ** path, GError ** error)
{
  gchar *dir = g_path_get_dirname (model);
  gchar *base = g_path_get_basename (model), *basename = g_strdup (base);
  gchar *dot = strrchr (base, '.');
  gchar *candidates[2];
  GKeyFile *kf = NULL;
  guint i;

  if (dot)
    *dot = '\0';
  candidates[0] = g_strdup_printf ("%s/%s.cfg", dir, base);
  candidates[1] = g_build_filename (dir, "model.cfg", NULL);
  *path = NULL;
  for (i = 0; i < 2 && !*path; i++) {
    if (!g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      continue;
    kf = g_key_file_new ();
    if (!g_key_file_load_from_file (kf, candidates[i], G_KEY_FILE_NONE, error)) {
      g_key_file_free (kf);
      kf = NULL;
      break;
    }
    if (i == 1 && g_key_file_has_key (kf, "model", "model", NULL)) {
      gchar *named = g_key_file_get_string (kf, "model", "model", NULL);
      gboolean other = g_strcmp0 (named, basename) != 0;

      g_free (named);
      if (other) {
        g_key_file_free (kf);
        kf = NULL;
        continue;
      }
    }
    *path = g_strdup (candidates[i]);
  }
  for (i = 0; i < 2; i++)
    g_free (candidates[i]);
  g_free (dir);
  g_free (base);
  g_free (basename);
  return kf;
}

static gchar *
sidecar_string (GKeyFile * kf, const gchar * key)
{
  return kf ? g_key_file_get_string (kf, "model", key, NULL) : NULL;
}

/* Resolve what the model takes; an error message naming the property or
 * file at fault, or NULL. */
static gchar *
gst_cnn_classify_resolve (GstCnnClassify * self, GstCnnClassifyModel * m)
{
  const gchar *name = GST_OBJECT_NAME (self);
  gchar *model, *labels, *mean, *std, *cfg = NULL, *s, *contents = NULL, *msg = NULL;
  gint width, height;
  gdouble scale;
  GstCnnClassifyOrder order;
  GKeyFile *kf;
  GError *err = NULL;
  guint i;

  GST_OBJECT_LOCK (self);
  model = g_strdup (self->model);
  labels = g_strdup (self->labels);
  mean = g_strdup (self->mean);
  std = g_strdup (self->std);
  width = self->width;
  height = self->height;
  scale = self->scale;
  order = self->order;
  GST_OBJECT_UNLOCK (self);

  memset (m, 0, sizeof (*m));
  if (!model || !*model) {
    msg = g_strdup_printf ("%s: model: no model file set", name);
    goto done;
  }
  if (!g_file_test (model, G_FILE_TEST_IS_REGULAR)) {
    msg = g_strdup_printf ("%s: model: %s: no such file", name, model);
    goto done;
  }
  kf = load_sidecar (model, &cfg, &err);
  if (err) {
    msg = g_strdup_printf ("%s: sidecar of model %s: %s", name, model, err->message);
    goto done;
  }
  m->model_path = g_strdup (model);
  m->input_name = sidecar_string (kf, "input");

  if (order == ORDER_AUTO) {
    s = sidecar_string (kf, "channel-order");
    order = !s || !g_strcmp0 (s, "rgb") ? ORDER_RGB : !g_strcmp0 (s, "bgr") ? ORDER_BGR :
        !g_strcmp0 (s, "gray") ? ORDER_GRAY : ORDER_AUTO;
    if (order == ORDER_AUTO)
      msg = g_strdup_printf ("%s: %s: channel-order %s, must be rgb, bgr or gray", name,
          cfg, s);
    g_free (s);
    if (msg)
      goto done_kf;
  }
  m->order = order;
  m->channels = order == ORDER_GRAY ? 1 : 3;
  m->width = width ? width : kf ? g_key_file_get_integer (kf, "model", "width", NULL) : 0;
  m->height = height ? height : kf ? g_key_file_get_integer (kf, "model", "height", NULL) : 0;
  if (m->width <= 0 || m->height <= 0) {
    msg = g_strdup_printf ("%s: width and height: not set and no sidecar file of model %s "
        "gives them", name, model);
    goto done_kf;
  }
  m->scale = scale > 0 ? scale : kf && g_key_file_has_key (kf, "model", "scale", NULL) ?
      g_key_file_get_double (kf, "model", "scale", NULL) : 1.0 / 255.0;

  for (i = 0; i < MAX_CHANNELS; i++) {
    m->mean[i] = 0.0;
    m->std[i] = 1.0;
  }
  s = mean && *mean ? g_strdup (mean) : sidecar_string (kf, "mean");
  if (s && !parse_channel_values (s, m->mean, m->channels))
    msg = g_strdup_printf ("%s: mean \"%s\": one number or one per channel (%d)", name, s,
        m->channels);
  g_free (s);
  s = std && *std ? g_strdup (std) : sidecar_string (kf, "std");
  if (!msg && s && !parse_channel_values (s, m->std, m->channels))
    msg = g_strdup_printf ("%s: std \"%s\": one number or one per channel (%d)", name, s,
        m->channels);
  g_free (s);
  for (i = 0; !msg && i < (guint) m->channels; i++)
    if (m->std[i] == 0.0)
      msg = g_strdup_printf ("%s: std: 0 for channel %u", name, i);
  if (msg)
    goto done_kf;

  s = sidecar_string (kf, "output-kind");
  m->logits = !s || g_strcmp0 (s, "probabilities") != 0;
  g_free (s);

  if (!labels || !*labels) {
    s = sidecar_string (kf, "labels");
    g_free (labels);
    labels = NULL;
    if (s) {
      gchar *dir = g_path_get_dirname (cfg);
      labels = g_path_is_absolute (s) ? g_strdup (s) : g_build_filename (dir, s, NULL);
      g_free (dir);
    }
    g_free (s);
  }
  if (labels) {
    if (!g_file_get_contents (labels, &contents, NULL, &err)) {
      msg = g_strdup_printf ("%s: labels: %s", name, err->message);
      goto done_kf;
    }
    g_strchomp (contents);
    m->labels = g_strsplit (contents, "\n", -1);
    m->n_labels = g_strv_length (m->labels);
    for (i = 0; i < m->n_labels; i++)
      g_strstrip (m->labels[i]);
  }

done_kf:
  if (kf)
    g_key_file_free (kf);
done:
  g_clear_error (&err);
  g_free (contents);
  g_free (cfg);
  g_free (model);
  g_free (labels);
  g_free (mean);
  g_free (std);
  if (msg)
    gst_cnn_classify_model_clear (m);
  return msg;
}

/* Parse roi "x,y,w,h"; an empty string is the whole frame (w = h = 0). */
static gboolean
parse_roi (const gchar * roi, gint r[4])
{
  gdouble v[4];

  r[0] = r[1] = r[2] = r[3] = 0;
  if (!roi || !*roi)
    return TRUE;
  if (!parse_channel_values (roi, v, 4) || strchr (roi, ',') == NULL)
    return FALSE;
  for (guint i = 0; i < 4; i++) {
    if (v[i] < 0 || v[i] != (gint) v[i] || (i >= 2 && v[i] < 1))
      return FALSE;
    r[i] = (gint) v[i];
  }
  return TRUE;
}

static gchar *
gst_cnn_classify_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  const gchar *name = GST_OBJECT_NAME (self);
  GstCnnClassifyModel m;
  GstVideoInfo info;
  gchar *msg, *roi;
  gint r[4];
  gboolean roi_ok;

  GST_OBJECT_LOCK (self);
  roi = g_strdup (self->roi);
  GST_OBJECT_UNLOCK (self);
  roi_ok = parse_roi (roi, r);
  if (!roi_ok) {
    msg = g_strdup_printf ("%s: roi \"%s\": must be x,y,width,height in pixels", name, roi);
    g_free (roi);
    return msg;
  }
  g_free (roi);
  msg = gst_cnn_classify_resolve (self, &m);
  if (msg || !incaps || !gst_video_info_from_caps (&info, incaps))
    goto done;
  if (r[2] && (r[0] + r[2] > GST_VIDEO_INFO_WIDTH (&info) ||
          r[1] + r[3] > GST_VIDEO_INFO_HEIGHT (&info)))
    msg = g_strdup_printf ("%s: roi %d,%d,%d,%d: outside the %dx%d frame", name, r[0], r[1],
        r[2], r[3], GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info));
  else if (m.channels == 3 && !GST_VIDEO_INFO_IS_RGB (&info))
    msg = g_strdup_printf ("%s: channel-order %s: the model takes colour, the input %s has "
        "no RGB (convert it with videoconvert)", name, m.order == ORDER_BGR ? "bgr" : "rgb",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info)));
done:
  gst_cnn_classify_model_clear (&m);
  return msg;
}

static void
gst_cnn_classify_free_stream (GstCnnClassify * self)
{
  guint i;

  cnn_graph_destroy (self->graph);
  self->graph = NULL;
  self->prepared = FALSE;
  cnn_tensor_release (&self->probs);
  cnn_augment_chain_free (self->to_planes);
  self->to_planes = NULL;
  for (i = 0; i < MAX_CHANNELS; i++) {
    cnn_augment_chain_free (self->normalise[i]);
    self->normalise[i] = NULL;
  }
  g_clear_pointer (&self->luma, cnn_aligned_free);
  g_clear_pointer (&self->box_mask, g_free);
  g_clear_pointer (&self->text_mask, g_free);
  g_clear_pointer (&self->planes, cnn_aligned_free);
  g_clear_pointer (&self->workspace, cnn_aligned_free);
  g_clear_pointer (&self->last, gst_structure_free);
}

/* Read the model file: at start (so a bad file fails the state change with
 * the reason) and for every new context (a graph is prepared once). */
static gboolean
gst_cnn_classify_read_model (GstCnnClassify * self)
{
  cnn_graph_destroy (self->graph);
  self->graph = NULL;
  self->prepared = FALSE;
  if (cnn_onnx_read (self->m.model_path, &self->graph) != CNN_OK)
    goto bad_model;
  return TRUE;

bad_model:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s: model %s cannot be used: %s",
            GST_OBJECT_NAME (self), self->m.model_path, cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static gboolean
gst_cnn_classify_start (GstBaseTransform * trans)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  gchar *msg;

  if (!GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->start (trans))
    return FALSE;
  gst_cnn_classify_model_clear (&self->m);
  msg = gst_cnn_classify_resolve (self, &self->m);
  if (msg)
    goto bad_settings;
  GST_OBJECT_LOCK (self);
  self->earliest_time = GST_CLOCK_TIME_NONE;
  self->infer_cost = 0;
  GST_OBJECT_UNLOCK (self);
  return gst_cnn_classify_read_model (self);

bad_settings:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
}

static gboolean
gst_cnn_classify_stop (GstBaseTransform * trans)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  gst_cnn_classify_free_stream (self);
  gst_cnn_classify_model_clear (&self->m);
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->stop (trans);
}

/* Prepare the graph for 1 x C x H x W on ctx and size the preprocessing
 * workspace for its threads; FALSE after posting an error. */
static gboolean
gst_cnn_classify_plan (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  GstCnnClassifyModel *m = &self->m;
  const gint shape[4] = { 1, m->channels, m->height, m->width };
  const cnn_tensor *out;
  const gchar *input;
  gsize need, ws;
  gint i, threads = cnn_context_threads (ctx);

  if (self->prepared && !gst_cnn_classify_read_model (self))
    return FALSE;
  input = m->input_name ? m->input_name : cnn_graph_input_name (self->graph, 0);
  if (cnn_graph_input_count (self->graph) < 1 ||
      cnn_graph_set_input_shape (self->graph, input, 4, shape) != CNN_OK ||
      cnn_graph_prepare (self->graph, ctx) != CNN_OK)
    goto bad_model;
  self->prepared = TRUE;
  out = cnn_graph_output (self->graph, 0);
  if (cnn_graph_output_count (self->graph) < 1 || cnn_tensor_numel (out) < 1)
    goto bad_model;
  if (m->n_labels && m->n_labels != cnn_tensor_numel (out))
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("%s: labels: %u lines for %zu classes of "
            "the model; classes without a line are named by number",
            GST_OBJECT_NAME (self), m->n_labels, cnn_tensor_numel (out)), (NULL));
  cnn_tensor_release (&self->probs);
  if (cnn_tensor_alloc (&self->probs, out->ndim, out->shape) != CNN_OK)
    goto no_memory;

  need = cnn_augment_workspace_size (self->to_planes, self->roi_w, self->roi_h,
      self->luma ? 1 : self->in_channels, CNN_FRAME_U8, threads);
  for (i = 0; i < m->channels; i++) {
    ws = cnn_augment_workspace_size (self->normalise[i], m->width, m->height, 1,
        CNN_FRAME_F32, threads);
    need = MAX (need, ws);
  }
  g_clear_pointer (&self->workspace, cnn_aligned_free);
  self->workspace = cnn_aligned_alloc (need + 64);
  if (!self->workspace)
    goto no_memory;
  return TRUE;

bad_model:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s: model %s cannot take a 1x%dx%dx%d input: "
            "%s", GST_OBJECT_NAME (self), m->model_path, m->channels, m->height, m->width,
            cnn_last_error ()), (NULL));
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate the workspace"),
        (NULL));
    return FALSE;
  }
}

/* Masks for the longest "label 100%" at a scale that grows with the frame
 * (sizes even, so 2x2-subsampled chroma takes them whole). */
static gboolean
gst_cnn_classify_plan_overlay (GstCnnClassify * self, const GstVideoInfo * info)
{
  gsize longest = 12;           /* a class number and its confidence */
  gint w, h;
  guint i;

  for (i = 0; i < self->m.n_labels; i++)
    longest = MAX (longest, strlen (self->m.labels[i]) + 5);
  self->text_scale = MAX (1, GST_VIDEO_INFO_HEIGHT (info) / 240);
  cnn_text_size (" ", self->text_scale, &w, &h);
  self->box_max_w = GST_ROUND_UP_2 (w * (gint) longest + self->text_scale);
  self->box_h = GST_ROUND_UP_2 (h);
  g_free (self->box_mask);
  g_free (self->text_mask);
  self->box_mask = g_malloc ((gsize) self->box_max_w * self->box_h);
  self->text_mask = g_malloc ((gsize) self->box_max_w * self->box_h);
  return TRUE;
}

/* Label and confidence of the last result on a dark box at the region's
 * top-left corner, blended per component (subsampled chroma too). */
static void
gst_cnn_classify_draw_overlay (GstCnnClassify * self, cnn_context * ctx,
    GstVideoFrame * frame)
{
  static const guint8 white[3] = { 255, 255, 255 }, black[3] = { 0, 0, 0 };
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gdouble confidence = 0;
  gchar *text;
  gint tw, th, bx, by, bw, bh;
  guint8 fg[3], bg[3];
  guint c;

  gst_structure_get_double (self->last, "confidence", &confidence);
  text = g_strdup_printf ("%s %d%%", gst_structure_get_string (self->last, "label"),
      (gint) (confidence * 100 + 0.5));
  cnn_text_size (text, self->text_scale, &tw, &th);
  bx = self->roi_x & ~1;
  by = self->roi_y & ~1;
  bw = MIN (MIN (GST_ROUND_UP_2 (tw + self->text_scale), self->box_max_w),
      GST_VIDEO_FRAME_WIDTH (frame) - bx) & ~1;
  bh = MIN (self->box_h, GST_VIDEO_FRAME_HEIGHT (frame) - by) & ~1;
  if (bw <= 0 || bh <= 0)
    goto done;
  memset (self->box_mask, 255, (gsize) bw * bh);
  memset (self->text_mask, 0, (gsize) bw * bh);
  cnn_text_draw (text, self->text_scale, 0, 0, self->text_mask, bw, bw, bh, 255);

  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo)) {
    cnn_pixels_rgb_to_yuv601 (white[0], white[1], white[2], fg);
    cnn_pixels_rgb_to_yuv601 (black[0], black[1], black[2], bg);
  } else {
    memcpy (fg, white, 3);
    memcpy (bg, black, 3);
  }
  for (c = 0; c < MIN (GST_VIDEO_FRAME_N_COMPONENTS (frame), 3); c++) {
    cnn_pixel_plane dst = gst_cnn_component_plane (frame, c);
    gint shift = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    cnn_pixel_plane box = { self->box_mask, bw, 1, 8, bw, bh };
    cnn_pixel_plane glyphs = { self->text_mask, bw, 1, 8, bw, bh };

    dst.data += (by >> shift) * dst.stride + (bx >> shift) * dst.step;
    dst.width = bw >> shift;
    dst.height = bh >> shift;
    cnn_pixels_overlay (ctx, &box, shift, &dst, bg[c], 160);
    cnn_pixels_overlay (ctx, &glyphs, shift, &dst, fg[c], 255);
  }
done:
  g_free (text);
}

/* Parse a fixed chain and draw its (deterministic) parameters once. */
static gboolean
make_chain (const gchar * desc, gint w, gint h, gint c, cnn_augment_chain ** chain,
    cnn_augment_params * params)
{
  cnn_augment_chain_free (*chain);
  *chain = NULL;
  return cnn_augment_chain_parse (chain, desc) == CNN_OK &&
      cnn_augment_draw (*chain, 0, 0, 0, w, h, c, params) == CNN_OK;
}

static gboolean
gst_cnn_classify_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  GstCnnClassifyModel *m = &self->m;
  const GstVideoInfo *in_info = &in->video;
  gchar *msg, *roi, *desc;
  gint r[4], i;
  gboolean ok;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_classify_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_classify_explain_caps (filter, incaps);
  if (msg)
    goto bad_caps;

  GST_OBJECT_LOCK (self);
  roi = g_strdup (self->roi);
  GST_OBJECT_UNLOCK (self);
  parse_roi (roi, r);
  g_free (roi);
  self->roi_x = r[0];
  self->roi_y = r[1];
  self->roi_w = r[2] ? r[2] : GST_VIDEO_INFO_WIDTH (in_info);
  self->roi_h = r[2] ? r[3] : GST_VIDEO_INFO_HEIGHT (in_info);
  self->in_channels = GST_VIDEO_INFO_IS_RGB (in_info) ? 3 : 1;

  /* the region to W x H planes (luma first for a gray model on colour) */
  g_clear_pointer (&self->luma, cnn_aligned_free);
  if (self->in_channels == 3 && m->channels == 1) {
    self->luma = cnn_aligned_alloc ((gsize) self->roi_w * self->roi_h);
    if (!self->luma)
      return FALSE;
  }
  desc = g_strdup_printf ("resize size=%d,%d interp=bilinear", m->width, m->height);
  ok = make_chain (desc, self->roi_w, self->roi_h, self->luma ? 1 : self->in_channels,
      &self->to_planes, &self->to_planes_params);
  g_free (desc);
  /* planes of pixel / 255 to (pixel * scale - mean) / std */
  for (i = 0; ok && i < m->channels; i++) {
    desc = g_strdup_printf ("rescale scale=%.9g offset=%.9g", 255.0 * m->scale / m->std[i],
        -m->mean[i] / m->std[i]);
    ok = make_chain (desc, m->width, m->height, 1, &self->normalise[i],
        &self->normalise_params[i]);
    g_free (desc);
  }
  if (!ok)
    goto bad_preprocessing;
  if (!gst_cnn_classify_plan_overlay (self, in_info))
    return FALSE;
  g_clear_pointer (&self->planes, cnn_aligned_free);
  self->planes = cnn_aligned_alloc (sizeof (gfloat) * m->width * m->height * MAX_CHANNELS);
  if (!self->planes)
    return FALSE;
  return gst_cnn_classify_plan (filter, gst_cnn_filter_context (filter));

bad_caps:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
bad_preprocessing:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s: preprocessing to %dx%d: %s",
            GST_OBJECT_NAME (self), m->width, m->height, cnn_last_error ()), (NULL));
    return FALSE;
  }
}

/* The region of component comp of a mapped frame as a pixel plane. */
static cnn_pixel_plane
region_plane (GstCnnClassify * self, GstVideoFrame * in, guint comp)
{
  cnn_pixel_plane p = gst_cnn_component_plane (in, comp);

  p.data += self->roi_y * p.stride + self->roi_x * p.step;
  p.width = self->roi_w;
  p.height = self->roi_h;
  return p;
}

/* The region as an 8-bit frame for the augment chain: its pixels, or for a
 * gray model on colour their luma (ITU-R 601, as cv2's RGB2GRAY). */
static void
region_frame (GstCnnClassify * self, cnn_context * ctx, GstVideoFrame * in, cnn_frame * f)
{
  cnn_pixel_plane r = region_plane (self, in, 0);

  if (self->luma) {
    const cnn_pixel_plane rgb[3] = { r, region_plane (self, in, 1),
      region_plane (self, in, 2)
    };
    cnn_pixel_plane luma = { self->luma, self->roi_w, 1, 8, self->roi_w, self->roi_h };

    cnn_pixels_luma (ctx, rgb, &luma);
    cnn_frame_init (f, self->luma, self->roi_w, self->roi_h, 1, CNN_FRAME_U8,
        CNN_FRAME_PACKED);
    return;
  }
  cnn_frame_init (f, r.data, self->roi_w, self->roi_h, self->in_channels, CNN_FRAME_U8,
      CNN_FRAME_PACKED);
  f->row_stride = r.stride;
  f->pixel_stride = r.step;
  if (self->in_channels == 3)
    f->channel_step = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (in, 1) -
        (guint8 *) GST_VIDEO_FRAME_COMP_DATA (in, 0);
}

/* Frame to model input, run, probabilities in self->probs. */
static gboolean
gst_cnn_classify_infer (GstCnnClassify * self, cnn_context * ctx, GstVideoFrame * in)
{
  GstCnnClassifyModel *m = &self->m;
  cnn_tensor *input = cnn_graph_input (self->graph, 0);
  const cnn_tensor *out;
  gsize plane = (gsize) m->width * m->height;
  cnn_frame src, planes, dst;
  gint c, src_c;

  region_frame (self, ctx, in, &src);
  cnn_frame_init (&planes, self->planes, m->width, m->height, m->channels, CNN_FRAME_F32,
      CNN_FRAME_PLANAR);
  if (cnn_augment_apply (ctx, self->to_planes, &self->to_planes_params, &src, &planes,
          self->workspace) != CNN_OK)
    return FALSE;
  for (c = 0; c < m->channels; c++) {
    src_c = m->order == ORDER_BGR ? 2 - c : c;
    cnn_frame_init (&planes, self->planes + src_c * plane, m->width, m->height, 1,
        CNN_FRAME_F32, CNN_FRAME_PLANAR);
    cnn_frame_init (&dst, input->data + c * plane, m->width, m->height, 1, CNN_FRAME_F32,
        CNN_FRAME_PLANAR);
    if (cnn_augment_apply (ctx, self->normalise[c], &self->normalise_params[c], &planes,
            &dst, self->workspace) != CNN_OK)
      return FALSE;
  }
  if (cnn_graph_run (self->graph, ctx) != CNN_OK)
    return FALSE;
  out = cnn_graph_output (self->graph, 0);
  if (m->logits)
    return cnn_softmax_forward (ctx, out, out->ndim - 1, &self->probs) == CNN_OK;
  memcpy (self->probs.data, out->data, sizeof (gfloat) * cnn_tensor_numel (out));
  return TRUE;
}

/* The top_k best classes at or above threshold as a result structure, or
 * NULL when none is. */
static GstStructure *
gst_cnn_classify_result (GstCnnClassify * self, gint top_k, gdouble threshold)
{
  const gfloat *p = self->probs.data;
  gint n = (gint) cnn_tensor_numel (&self->probs), i, j, k = 0;
  gint *best = g_newa (gint, MAX (top_k, 1));
  GValue labels = G_VALUE_INIT, ids = G_VALUE_INIT, confs = G_VALUE_INIT, v = G_VALUE_INIT;
  GstStructure *s;
  gchar *label0 = NULL;

  /* insertion into the sorted top list: n is small, k smaller */
  for (i = 0; i < n; i++) {
    if (p[i] < threshold || (k == top_k && p[i] <= p[best[k - 1]]))
      continue;
    j = k < top_k ? k++ : k - 1;
    for (; j > 0 && p[best[j - 1]] < p[i]; j--)
      best[j] = best[j - 1];
    best[j] = i;
  }
  if (k == 0)
    return NULL;

  gst_value_array_init (&labels, k);
  gst_value_array_init (&ids, k);
  gst_value_array_init (&confs, k);
  for (i = 0; i < k; i++) {
    gchar *label = (guint) best[i] < self->m.n_labels ? g_strdup (self->m.labels[best[i]]) :
        g_strdup_printf ("%d", best[i]);

    if (i == 0)
      label0 = g_strdup (label);
    g_value_init (&v, G_TYPE_STRING);
    g_value_take_string (&v, label);
    gst_value_array_append_and_take_value (&labels, &v);
    memset (&v, 0, sizeof (v));
    g_value_init (&v, G_TYPE_INT);
    g_value_set_int (&v, best[i]);
    gst_value_array_append_and_take_value (&ids, &v);
    memset (&v, 0, sizeof (v));
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, p[best[i]]);
    gst_value_array_append_and_take_value (&confs, &v);
    memset (&v, 0, sizeof (v));
  }
  s = gst_structure_new (RESULT_NAME, "label", G_TYPE_STRING, label0, "class-id", G_TYPE_INT,
      best[0], "confidence", G_TYPE_DOUBLE, (gdouble) p[best[0]], NULL);
  gst_structure_take_value (s, "top-labels", &labels);
  gst_structure_take_value (s, "top-class-ids", &ids);
  gst_structure_take_value (s, "top-confidences", &confs);
  g_free (label0);
  return s;
}

/* Late by the last QoS event: the model is skipped (the frame is not). */
static gboolean
gst_cnn_classify_is_late (GstCnnClassify * self, GstBuffer * buf)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime rt, earliest;

  if (!GST_BUFFER_PTS_IS_VALID (buf) || segment->format != GST_FORMAT_TIME)
    return FALSE;
  rt = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  GST_OBJECT_LOCK (self);
  earliest = self->earliest_time;
  GST_OBJECT_UNLOCK (self);
  return GST_CLOCK_TIME_IS_VALID (earliest) && GST_CLOCK_TIME_IS_VALID (rt) && rt < earliest;
}

#ifdef CNN_CLASSIFY_ANALYTICS
/* The top classes as a GstAnalyticsClsMtd: confidences and label quarks. */
static void
gst_cnn_classify_add_analytics (GstBuffer * buf, const GstStructure * s)
{
  const GValue *labels = gst_structure_get_value (s, "top-labels");
  const GValue *confs = gst_structure_get_value (s, "top-confidences");
  guint n = gst_value_array_get_size (labels), i;
  gfloat *levels = g_newa (gfloat, n);
  GQuark *quarks = g_newa (GQuark, n);
  GstAnalyticsRelationMeta *rmeta = gst_buffer_get_analytics_relation_meta (buf);
  GstAnalyticsClsMtd mtd;

  for (i = 0; i < n; i++) {
    levels[i] = (gfloat) g_value_get_double (gst_value_array_get_value (confs, i));
    quarks[i] = g_quark_from_string (g_value_get_string (gst_value_array_get_value (labels,
                i)));
  }
  if (!rmeta)
    rmeta = gst_buffer_add_analytics_relation_meta (buf);
  if (rmeta)
    gst_analytics_relation_meta_add_cls_mtd (rmeta, n, levels, quarks, &mtd);
}
#endif

static void
gst_cnn_classify_publish (GstCnnClassify * self, GstBuffer * buf, guint64 frame,
    gboolean inferred)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstStructure *s = gst_structure_copy (self->last);
  GstVideoRegionOfInterestMeta *roi;
  const gchar *label;
  gint class_id;
  gdouble confidence;
  GstClockTime rt = GST_CLOCK_TIME_NONE;

  if (GST_BUFFER_PTS_IS_VALID (buf) && segment->format == GST_FORMAT_TIME)
    rt = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  gst_structure_set (s, "inferred", G_TYPE_BOOLEAN, inferred, "frame", G_TYPE_UINT64,
      frame, "timestamp", G_TYPE_UINT64, GST_BUFFER_PTS (buf), "running-time",
      G_TYPE_UINT64, rt, NULL);

  roi = gst_buffer_add_video_region_of_interest_meta (buf, RESULT_NAME, self->roi_x,
      self->roi_y, self->roi_w, self->roi_h);
  gst_video_region_of_interest_meta_add_param (roi, gst_structure_copy (s));

#ifdef CNN_CLASSIFY_ANALYTICS
  gst_cnn_classify_add_analytics (buf, s);
#endif

  label = gst_structure_get_string (s, "label");
  gst_structure_get_int (s, "class-id", &class_id);
  gst_structure_get_double (s, "confidence", &confidence);
  g_signal_emit (self, gst_cnn_classify_signals[SIGNAL_CLASSIFIED], 0, class_id, label,
      confidence, s);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self),
          s));
}

static gboolean
gst_cnn_classify_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  gint top_k, every_n;
  gdouble threshold;
  gboolean overlay;
  guint64 frame = gst_cnn_filter_frame_number (filter);
  gboolean infer;

  if (in != out)
    gst_video_frame_copy (&out->video, &in->video);
  GST_OBJECT_LOCK (self);
  top_k = self->top_k;
  every_n = self->every_n;
  threshold = self->threshold;
  overlay = self->overlay;
  GST_OBJECT_UNLOCK (self);

  infer = frame % every_n == 0 || !self->last;
  if (infer && self->last && gst_cnn_classify_is_late (self, in->video.buffer)) {
    GST_DEBUG_OBJECT (self, "frame %" G_GUINT64_FORMAT " late: last result reused", frame);
    infer = FALSE;
  }
  if (infer) {
    if (!gst_cnn_classify_infer (self, ctx, &in->video))
      goto failed;
    g_clear_pointer (&self->last, gst_structure_free);
    self->last = gst_cnn_classify_result (self, top_k, threshold);
  }
  /* in place without overlay when the frame was mapped (the property
   * changed since): drawn from the next frame */
  if (overlay && self->last && (out->video.map[0].flags & GST_MAP_WRITE))
    gst_cnn_classify_draw_overlay (self, ctx, &out->video);
  self->publish = self->last != NULL;
  self->publish_frame = frame;
  self->inferred = infer;
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: classification failed: %s",
            GST_OBJECT_NAME (self), cnn_last_error ()), (NULL));
    return FALSE;
  }
}

/* Video is always filtered in place (equal caps on both pads). */
static gboolean
gst_cnn_classify_in_place (GstCnnFilter * filter, const GstCnnFilterInfo * info)
{
  return TRUE;
}

/* Only an overlay writes into the frame. */
static gboolean
gst_cnn_classify_writes_in_place (GstCnnFilter * filter)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  gboolean overlay;

  GST_OBJECT_LOCK (self);
  overlay = self->overlay;
  GST_OBJECT_UNLOCK (self);
  return overlay;
}

/* The base maps the output buffer (inbuf itself in place) around filter();
 * metas go on it after. */
static GstFlowReturn
gst_cnn_classify_transform (GstBaseTransform * trans, GstBuffer * inbuf, GstBuffer * outbuf)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstBaseTransformClass *parent = GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class);

  gint64 start = g_get_monotonic_time ();
  GstClockTime cost;
  GstFlowReturn ret;

  self->publish = FALSE;
  ret = inbuf == outbuf ? parent->transform_ip (trans, outbuf) :
      parent->transform (trans, inbuf, outbuf);
  if (ret == GST_FLOW_OK && self->publish)
    gst_cnn_classify_publish (self, outbuf, self->publish_frame, self->inferred);
  if (ret == GST_FLOW_OK && self->publish && self->inferred) {
    cost = (g_get_monotonic_time () - start) * GST_USECOND;
    GST_OBJECT_LOCK (self);
    self->infer_cost = gst_cnn_filter_smooth_cost (self->infer_cost, cost);
    GST_OBJECT_UNLOCK (self);
  }
  return ret;
}

/* Frames leave with the geometry they came with: metas that describe the
 * video (an upstream cnnclassify's ROIs among them) stay valid and are kept,
 * as the relation meta of the analytics results is. */
static gboolean
gst_cnn_classify_transform_meta (GstBaseTransform * trans, GstBuffer * outbuf, GstMeta * meta,
    GstBuffer * inbuf)
{
  const gchar *const *tags = gst_meta_api_type_get_tags (meta->info->api);

  for (; tags && *tags; tags++)
    if (strcmp (*tags, GST_META_TAG_VIDEO_STR) != 0 &&
        strcmp (*tags, GST_META_TAG_VIDEO_ORIENTATION_STR) != 0 &&
        strcmp (*tags, GST_META_TAG_VIDEO_SIZE_STR) != 0)
      return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->transform_meta (trans,
          outbuf, meta, inbuf);
  return TRUE;
}

/* The latency we add is the cost of a frame the model runs on, not the
 * average over the frames that reuse a result (every-n, QoS), so a live
 * sink allows for the slowest frames. */
static GstClockTime
gst_cnn_classify_latency_cost (GstCnnFilter * filter)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (filter);
  GstClockTime cost;

  GST_OBJECT_LOCK (self);
  cost = self->infer_cost;
  GST_OBJECT_UNLOCK (self);
  return cost;
}

/* A flush or a new segment ends the lateness QoS reported. */
static GstFlowReturn
gst_cnn_classify_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  return gst_cnn_classify_transform (trans, buf, buf);
}

static gboolean
gst_cnn_classify_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP ||
      GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT) {
    GST_OBJECT_LOCK (self);
    self->earliest_time = GST_CLOCK_TIME_NONE;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->sink_event (trans, event);
}

static gboolean
gst_cnn_classify_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstQOSType type;
    gdouble proportion;
    GstClockTimeDiff diff;
    GstClockTime timestamp;

    gst_event_parse_qos (event, &type, &proportion, &diff, &timestamp);
    GST_OBJECT_LOCK (self);
    /* as GstBaseTransform: a late frame pushes the deadline twice as far */
    if (!GST_CLOCK_TIME_IS_VALID (timestamp))
      self->earliest_time = GST_CLOCK_TIME_NONE;
    else if (diff > 0)
      self->earliest_time = timestamp + 2 * diff;
    else
      self->earliest_time = timestamp + diff;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->src_event (trans, event);
}

static void
gst_cnn_classify_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      break;
    case PROP_LABELS:
      g_free (self->labels);
      self->labels = g_value_dup_string (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;
    case PROP_MEAN:
      g_free (self->mean);
      self->mean = g_value_dup_string (value);
      break;
    case PROP_STD:
      g_free (self->std);
      self->std = g_value_dup_string (value);
      break;
    case PROP_SCALE:
      self->scale = g_value_get_double (value);
      break;
    case PROP_CHANNEL_ORDER:
      self->order = g_value_get_enum (value);
      break;
    case PROP_TOP_K:
      self->top_k = g_value_get_int (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_EVERY_N:
      self->every_n = g_value_get_int (value);
      break;
    case PROP_ROI:
      g_free (self->roi);
      self->roi = g_value_dup_string (value);
      break;
    case PROP_OVERLAY:
      self->overlay = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_classify_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_LABELS:
      g_value_set_string (value, self->labels);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_MEAN:
      g_value_set_string (value, self->mean);
      break;
    case PROP_STD:
      g_value_set_string (value, self->std);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_CHANNEL_ORDER:
      g_value_set_enum (value, self->order);
      break;
    case PROP_TOP_K:
      g_value_set_int (value, self->top_k);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_EVERY_N:
      g_value_set_int (value, self->every_n);
      break;
    case PROP_ROI:
      g_value_set_string (value, self->roi);
      break;
    case PROP_OVERLAY:
      g_value_set_boolean (value, self->overlay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_classify_finalize (GObject * object)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  gst_cnn_classify_free_stream (self);
  gst_cnn_classify_model_clear (&self->m);
  g_free (self->model);
  g_free (self->labels);
  g_free (self->mean);
  g_free (self->std);
  g_free (self->roi);
  G_OBJECT_CLASS (gst_cnn_classify_parent_class)->finalize (object);
}

static void
gst_cnn_classify_class_init (GstCnnClassifyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  const GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_classify_debug, "cnnclassify", 0,
      "gst-cnn image classification");

  gobject_class->set_property = gst_cnn_classify_set_property;
  gobject_class->get_property = gst_cnn_classify_get_property;
  gobject_class->finalize = gst_cnn_classify_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model", "ONNX model file (NCHW float input, one score "
          "per class out)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_string ("labels", "Labels", "Class names, one per line (default: the "
          "sidecar's labels file; without one classes are named by number)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width", "Model input width (0 = from the sidecar)", 0,
          65536, 0, ready));
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height", "Model input height (0 = from the sidecar)", 0,
          65536, 0, ready));
  g_object_class_install_property (gobject_class, PROP_MEAN,
      g_param_spec_string ("mean", "Mean", "Mean subtracted after scaling: one value or one "
          "per channel \"r,g,b\" (empty = from the sidecar, else 0)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_STD,
      g_param_spec_string ("std", "Std", "Divisor after the mean: one value or one per "
          "channel (empty = from the sidecar, else 1)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_double ("scale", "Scale", "Pixel multiplier before the mean (0 = from the "
          "sidecar, else 1/255)", 0, G_MAXDOUBLE, 0, ready));
  g_object_class_install_property (gobject_class, PROP_CHANNEL_ORDER,
      g_param_spec_enum ("channel-order", "Channel order", "Planes of the model input",
          GST_TYPE_CNN_CLASSIFY_ORDER, ORDER_AUTO, ready));
  g_object_class_install_property (gobject_class, PROP_TOP_K,
      g_param_spec_int ("top-k", "Top k", "Best classes reported", 1, 1000, DEFAULT_TOP_K,
          playing));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold", "Least confidence reported; a frame "
          "with no class at or above it has no result", 0, 1, DEFAULT_THRESHOLD, playing));
  g_object_class_install_property (gobject_class, PROP_EVERY_N,
      g_param_spec_int ("every-n", "Every n", "Run the model on one frame in n (the others "
          "reuse its result)", 1, G_MAXINT, DEFAULT_EVERY_N, playing));
  g_object_class_install_property (gobject_class, PROP_ROI,
      g_param_spec_string ("roi", "Region", "Classify the region \"x,y,width,height\" in "
          "pixels (empty = the whole frame)", NULL, ready));

  g_object_class_install_property (gobject_class, PROP_OVERLAY,
      g_param_spec_boolean ("overlay", "Overlay", "Draw the label and its confidence on the "
          "frame (white on a dark box at the region's corner)", FALSE, playing));

  /**
   * GstCnnClassify::classified:
   * @class_id: the best class
   * @label: its label
   * @confidence: its probability
   * @result: the whole "cnn-classification" structure (see the element docs)
   *
   * Emitted from the streaming thread for every frame with a result.
   */
  gst_cnn_classify_signals[SIGNAL_CLASSIFIED] = g_signal_new ("classified",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
      G_TYPE_INT, G_TYPE_STRING, G_TYPE_DOUBLE,
      GST_TYPE_STRUCTURE | G_SIGNAL_TYPE_STATIC_SCOPE);

  gst_element_class_set_static_metadata (element_class, "CNN image classification",
      "Filter/Analyzer/Video", "Classifies frames with an ONNX model on libcnn; results "
      "as region-of-interest meta, bus messages and a signal", "gst-cnn");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_classify_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_classify_stop);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_cnn_classify_src_event);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_classify_sink_event);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_cnn_classify_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_ip);
  trans_class->transform_meta = GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_meta);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_classify_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_classify_filter);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_classify_plan);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_classify_explain_caps);
  cnn_class->latency_cost = GST_DEBUG_FUNCPTR (gst_cnn_classify_latency_cost);
  cnn_class->in_place = GST_DEBUG_FUNCPTR (gst_cnn_classify_in_place);
  cnn_class->writes_in_place = GST_DEBUG_FUNCPTR (gst_cnn_classify_writes_in_place);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_CLASSIFY_ORDER, 0);
}

static void
gst_cnn_classify_init (GstCnnClassify * self)
{
  self->top_k = DEFAULT_TOP_K;
  self->threshold = DEFAULT_THRESHOLD;
  self->every_n = DEFAULT_EVERY_N;
  self->order = ORDER_AUTO;
  /* late frames skip the model here, they are not dropped */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
