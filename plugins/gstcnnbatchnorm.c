/**
 * SECTION:element-cnnbatchnorm
 * @title: cnnbatchnorm
 *
 * Batch normalisation per channel, y = (x - mean) / sqrt(var + eps) * gamma
 * + beta, as torch.nn.BatchNorm2d, on float32 tensors (statistics over N,
 * H and W) and on video (R, G, B; the gray plane; the luma of YUV, chroma
 * and alpha kept). Where the statistics come from:
 *
 * - `mode=fixed`: the properties `mean`, `var`, `gamma`, `beta` (one value,
 *   or one per channel, separated by commas) and `eps`, or a text file
 *   `stats-file` with lines `mean=...`, `var=...`, `gamma=...`, `beta=...`
 *   (the lines it has replace the properties);
 * - `mode=frame`: each buffer's own mean and biased variance;
 * - `mode=running`: training mode live: each buffer is normalised with its
 *   own statistics, and the running statistics follow them with `momentum`
 *   (PyTorch's rule, unbiased variance); the `reset` action signal starts
 *   them again from mean 0, var 1.
 *
 * The statistics in use (the running ones in running mode, the last
 * buffer's in frame mode) are readable in the `statistics` property and
 * posted as an element message "cnnbatchnorm" (fields frame, mean, var)
 * every `message-interval` buffers.
 *
 * Video is normalised on the 0..255 scale (16-bit samples divided by 257)
 * and a normalised value v goes out as 128 + 64 v (16-bit: 257 times
 * that), saturating: +-2 standard deviations span the range.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! cnntensorize ! cnnconv kernel=sobel-x ! cnnbatchnorm mode=running message-interval=10 ! cnnvisualize ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnbatchnorm.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_batchnorm_debug);
#define GST_CAT_DEFAULT gst_cnn_batchnorm_debug

typedef enum
{
  MODE_FIXED,
  MODE_FRAME,
  MODE_RUNNING,
} GstCnnBatchnormMode;

/* The four per-channel lists, in this order everywhere. */
enum
{
  STAT_MEAN,
  STAT_VAR,
  STAT_GAMMA,
  STAT_BETA,
  N_STATS,
};
static const gchar *const stat_names[N_STATS] = { "mean", "var", "gamma", "beta" };

struct _GstCnnBatchnorm
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  GstCnnBatchnormMode mode;
  gchar *stat_text[N_STATS];
  gchar *stats_file;
  gdouble eps, momentum;
  guint message_interval;
  gboolean reset_pending;
  /* the statistics in use, for the property: channels values each */
  gfloat *shown_mean, *shown_var;
  gint shown_channels;
  guint64 shown_frame;

  /* streaming thread */
  GstCnnBatchnormMode active_mode;
  cnn_batchnorm_params params;
  gint width, height, channels;
  gfloat pack_scale, unpack_scale;
  cnn_tensor planes;            /* video as floats */
  cnn_tensor stat[N_STATS];
  cnn_tensor running_mean, running_var, save_mean, save_invstd;
};

enum
{
  PROP_0,
  PROP_MODE,
  PROP_MEAN,
  PROP_VAR,
  PROP_GAMMA,
  PROP_BETA,
  PROP_EPS,
  PROP_STATS_FILE,
  PROP_MOMENTUM,
  PROP_MESSAGE_INTERVAL,
  PROP_STATISTICS,
};

enum
{
  SIGNAL_RESET,
  LAST_SIGNAL,
};
static guint gst_cnn_batchnorm_signals[LAST_SIGNAL];

#define DEFAULT_PROP_MODE MODE_FIXED
#define DEFAULT_PROP_EPS 1e-5
#define DEFAULT_PROP_MOMENTUM 0.1
#define DEFAULT_PROP_MESSAGE_INTERVAL 0
static const gchar *const stat_defaults[N_STATS] = { "0", "1", "1", "0" };

#define GST_TYPE_CNN_BATCHNORM_MODE (gst_cnn_batchnorm_mode_get_type ())
static GType
gst_cnn_batchnorm_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {MODE_FIXED, "Statistics from the properties or stats-file", "fixed"},
    {MODE_FRAME, "Statistics of each buffer", "frame"},
    {MODE_RUNNING, "Training mode: buffer statistics, running statistics kept",
        "running"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnBatchnormMode", values);
}

static GstStaticPadTemplate gst_cnn_batchnorm_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));
static GstStaticPadTemplate gst_cnn_batchnorm_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));

G_DEFINE_TYPE (GstCnnBatchnorm, gst_cnn_batchnorm, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnbatchnorm, "cnnbatchnorm", GST_RANK_NONE,
    GST_TYPE_CNN_BATCHNORM);

static void
gst_cnn_batchnorm_free_buffers (GstCnnFilter * filter)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (filter);
  guint i;

  cnn_tensor_release (&self->planes);
  for (i = 0; i < N_STATS; i++)
    cnn_tensor_release (&self->stat[i]);
  cnn_tensor_release (&self->running_mean);
  cnn_tensor_release (&self->running_var);
  cnn_tensor_release (&self->save_mean);
  cnn_tensor_release (&self->save_invstd);
}

/* One list into t ([channels]): one value for all, or one each. */
static gboolean
fill_channels (const gchar * text, cnn_tensor * t, gint channels)
{
  guint n;
  gint c;

  if (!gst_cnn_parse_channel_values (text, t->data, channels, &n))
    return FALSE;
  for (c = 1; n == 1 && c < channels; c++)
    t->data[c] = t->data[0];
  return n == 1 || (gint) n == channels;
}

/* The lists of a stats file over texts[] ("name=v0,v1,..." lines). */
static gboolean
read_stats_file (const gchar * path, gchar * texts[N_STATS], GError ** err)
{
  gchar *contents, **lines;
  guint i, k;

  if (!g_file_get_contents (path, &contents, NULL, err))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar **kv = g_strsplit (g_strstrip (lines[i]), "=", 2);

    for (k = 0; kv[0] && kv[1] && k < N_STATS; k++)
      if (g_str_equal (g_strstrip (kv[0]), stat_names[k])) {
        g_free (texts[k]);
        texts[k] = g_strdup (kv[1]);
      }
    g_strfreev (kv);
  }
  g_strfreev (lines);
  g_free (contents);
  return TRUE;
}

/* Load the statistics for channels; NULL or why not, naming the
 * property. */
static gchar *
load_statistics (GstCnnBatchnorm * self, gint channels)
{
  gchar *texts[N_STATS], *file, *msg = NULL;
  GError *err = NULL;
  guint k;

  GST_OBJECT_LOCK (self);
  for (k = 0; k < N_STATS; k++)
    texts[k] = g_strdup (self->stat_text[k]);
  file = g_strdup (self->stats_file);
  GST_OBJECT_UNLOCK (self);

  if (file && *file && !read_stats_file (file, texts, &err)) {
    msg = g_strdup_printf ("%s: stats-file: %s", GST_OBJECT_NAME (self), err->message);
    g_error_free (err);
  }
  for (k = 0; !msg && k < N_STATS; k++)
    if (!fill_channels (texts[k], &self->stat[k], channels))
      msg = g_strdup_printf ("%s: %s \"%s\"%s: must be one number, or %d separated by "
          "commas", GST_OBJECT_NAME (self), stat_names[k], texts[k],
          file && *file ? " (property or stats-file)" : "", channels);
  for (k = 0; k < N_STATS; k++)
    g_free (texts[k]);
  g_free (file);
  return msg;
}

static void
reset_running (GstCnnBatchnorm * self)
{
  gint c;

  for (c = 0; c < self->channels; c++) {
    self->running_mean.data[c] = 0.0f;
    self->running_var.data[c] = 1.0f;
  }
}

static gboolean
gst_cnn_batchnorm_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (filter);
  gint shape[1], k;
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_batchnorm_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  gst_cnn_batchnorm_free_buffers (filter);
  gst_cnn_filter_info_size (in, &self->width, &self->height, &self->channels);
  shape[0] = self->channels;
  for (k = 0; k < N_STATS; k++)
    if (cnn_tensor_alloc (&self->stat[k], 1, shape) != CNN_OK)
      goto no_memory;
  if (cnn_tensor_alloc (&self->running_mean, 1, shape) != CNN_OK ||
      cnn_tensor_alloc (&self->running_var, 1, shape) != CNN_OK ||
      cnn_tensor_alloc (&self->save_mean, 1, shape) != CNN_OK ||
      cnn_tensor_alloc (&self->save_invstd, 1, shape) != CNN_OK ||
      (!in->is_tensor && cnn_tensor_alloc_nchw (&self->planes, 1, self->channels,
              self->height, self->width) != CNN_OK))
    goto no_memory;
  msg = load_statistics (self, self->channels);
  if (msg)
    goto bad_properties;
  reset_running (self);

  cnn_batchnorm_params_init (&self->params);
  GST_OBJECT_LOCK (self);
  self->active_mode = self->mode;
  self->params.eps = (gfloat) self->eps;
  self->params.momentum = (gfloat) self->momentum;
  self->reset_pending = FALSE;
  g_free (self->shown_mean);
  g_free (self->shown_var);
  self->shown_mean = g_memdup2 (self->stat[STAT_MEAN].data, self->channels * sizeof (gfloat));
  self->shown_var = g_memdup2 (self->stat[STAT_VAR].data, self->channels * sizeof (gfloat));
  self->shown_channels = self->channels;
  self->shown_frame = 0;
  GST_OBJECT_UNLOCK (self);

  /* 16-bit video on the 8-bit scale, back as 128 + 64 v */
  self->unpack_scale = 1.0f;
  self->pack_scale = 1.0f;
  if (!in->is_tensor && GST_VIDEO_INFO_COMP_DEPTH (&in->video, 0) == 16) {
    self->unpack_scale = 1.0f / 257.0f;
    self->pack_scale = 257.0f;
  }
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate buffers"), (NULL));
    gst_cnn_batchnorm_free_buffers (filter);
    return FALSE;
  }
}

static GstStructure *
statistics_structure (guint64 frame, const gfloat * mean, const gfloat * var, gint channels)
{
  GValue m = G_VALUE_INIT, v = G_VALUE_INIT, d = G_VALUE_INIT;
  GstStructure *s;
  gint c;

  g_value_init (&m, GST_TYPE_ARRAY);
  g_value_init (&v, GST_TYPE_ARRAY);
  g_value_init (&d, G_TYPE_DOUBLE);
  for (c = 0; mean && c < channels; c++) {
    g_value_set_double (&d, mean[c]);
    gst_value_array_append_value (&m, &d);
    g_value_set_double (&d, var[c]);
    gst_value_array_append_value (&v, &d);
  }
  s = gst_structure_new ("cnnbatchnorm", "frame", G_TYPE_UINT64, frame, NULL);
  gst_structure_take_value (s, "mean", &m);
  gst_structure_take_value (s, "var", &v);
  return s;
}

/* Keep the statistics in use for the property, and post them every
 * message-interval buffers. */
static void
publish_statistics (GstCnnBatchnorm * self, guint64 frame, const gfloat * mean,
    const gfloat * var)
{
  guint interval;

  GST_OBJECT_LOCK (self);
  memcpy (self->shown_mean, mean, self->channels * sizeof (gfloat));
  memcpy (self->shown_var, var, self->channels * sizeof (gfloat));
  self->shown_frame = frame;
  interval = self->message_interval;
  GST_OBJECT_UNLOCK (self);
  if (interval && (frame + 1) % interval == 0)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), statistics_structure (frame, mean, var,
                self->channels)));
}

static gboolean
gst_cnn_batchnorm_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (filter);
  const cnn_tensor *x = in->info->is_tensor ? &in->tensor : &self->planes;
  cnn_tensor *y = in->info->is_tensor ? &out->tensor : &self->planes;
  guint64 frame = gst_cnn_filter_frame_number (filter);
  gboolean reset;
  cnn_status st;
  gint c;

  GST_OBJECT_LOCK (self);
  reset = self->reset_pending;
  self->reset_pending = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (reset)
    reset_running (self);

  if (!in->info->is_tensor)
    gst_cnn_filter_unpack_video (ctx, &in->video, &self->planes, self->unpack_scale);
  if (self->active_mode == MODE_FIXED) {
    st = cnn_batchnorm_inference (ctx, x, &self->stat[STAT_MEAN], &self->stat[STAT_VAR],
        &self->stat[STAT_GAMMA], &self->stat[STAT_BETA], self->params.eps, y);
  } else {
    gboolean running = self->active_mode == MODE_RUNNING;

    st = cnn_batchnorm_train_forward (ctx, &self->params, x, &self->stat[STAT_GAMMA],
        &self->stat[STAT_BETA], running ? &self->running_mean : NULL,
        running ? &self->running_var : NULL, y, &self->save_mean, &self->save_invstd);
  }
  if (st != CNN_OK)
    goto failed;

  if (self->active_mode == MODE_RUNNING) {
    publish_statistics (self, frame, self->running_mean.data, self->running_var.data);
  } else if (self->active_mode == MODE_FRAME) {
    /* the biased variance back from 1 / sqrt(var + eps), into the spare
     * variance list the frame mode does not read */
    for (c = 0; c < self->channels; c++) {
      gfloat is = self->save_invstd.data[c];

      self->stat[STAT_VAR].data[c] = 1.0f / (is * is) - self->params.eps;
    }
    publish_statistics (self, frame, self->save_mean.data, self->stat[STAT_VAR].data);
  } else {
    publish_statistics (self, frame, self->stat[STAT_MEAN].data, self->stat[STAT_VAR].data);
  }

  if (!in->info->is_tensor)
    gst_cnn_filter_pack_video (ctx, &self->planes, &in->video, &out->video,
        64.0f * self->pack_scale, 128.0f * self->pack_scale);
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: %s", GST_OBJECT_NAME (self),
            cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static void
gst_cnn_batchnorm_reset (GstCnnBatchnorm * self)
{
  GST_OBJECT_LOCK (self);
  self->reset_pending = TRUE;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_batchnorm_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_MEAN:
    case PROP_VAR:
    case PROP_GAMMA:
    case PROP_BETA:
      g_free (self->stat_text[prop_id - PROP_MEAN]);
      self->stat_text[prop_id - PROP_MEAN] = g_value_dup_string (value);
      break;
    case PROP_EPS:
      self->eps = g_value_get_double (value);
      break;
    case PROP_STATS_FILE:
      g_free (self->stats_file);
      self->stats_file = g_value_dup_string (value);
      break;
    case PROP_MOMENTUM:
      self->momentum = g_value_get_double (value);
      break;
    case PROP_MESSAGE_INTERVAL:
      self->message_interval = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_batchnorm_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_MEAN:
    case PROP_VAR:
    case PROP_GAMMA:
    case PROP_BETA:
      g_value_set_string (value, self->stat_text[prop_id - PROP_MEAN]);
      break;
    case PROP_EPS:
      g_value_set_double (value, self->eps);
      break;
    case PROP_STATS_FILE:
      g_value_set_string (value, self->stats_file);
      break;
    case PROP_MOMENTUM:
      g_value_set_double (value, self->momentum);
      break;
    case PROP_MESSAGE_INTERVAL:
      g_value_set_uint (value, self->message_interval);
      break;
    case PROP_STATISTICS:
      g_value_take_boxed (value, statistics_structure (self->shown_frame, self->shown_mean,
              self->shown_var, self->shown_channels));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_batchnorm_finalize (GObject * object)
{
  GstCnnBatchnorm *self = GST_CNN_BATCHNORM (object);
  guint k;

  for (k = 0; k < N_STATS; k++)
    g_free (self->stat_text[k]);
  g_free (self->stats_file);
  g_free (self->shown_mean);
  g_free (self->shown_var);
  G_OBJECT_CLASS (gst_cnn_batchnorm_parent_class)->finalize (object);
}

static void
gst_cnn_batchnorm_class_init (GstCnnBatchnormClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  static const gchar *const blurbs[N_STATS] = {
    "Fixed mode: mean per channel (one value, or one per channel)",
    "Fixed mode: variance per channel",
    "Scale per channel (every mode)",
    "Shift per channel (every mode)",
  };
  guint k;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_batchnorm_debug, "cnnbatchnorm", 0,
      "gst-cnn batch normalisation");

  gobject_class->set_property = gst_cnn_batchnorm_set_property;
  gobject_class->get_property = gst_cnn_batchnorm_get_property;
  gobject_class->finalize = gst_cnn_batchnorm_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "Where the statistics come from",
          GST_TYPE_CNN_BATCHNORM_MODE, DEFAULT_PROP_MODE, flags));
  for (k = 0; k < N_STATS; k++)
    g_object_class_install_property (gobject_class, PROP_MEAN + k,
        g_param_spec_string (stat_names[k], stat_names[k], blurbs[k], stat_defaults[k],
            flags));
  g_object_class_install_property (gobject_class, PROP_EPS,
      g_param_spec_double ("eps", "Epsilon", "Added to the variance", 0, G_MAXFLOAT,
          DEFAULT_PROP_EPS, flags));
  g_object_class_install_property (gobject_class, PROP_STATS_FILE,
      g_param_spec_string ("stats-file", "Statistics file",
          "Fixed mode: text file of lines mean=..., var=..., gamma=..., beta=...", NULL,
          flags));
  g_object_class_install_property (gobject_class, PROP_MOMENTUM,
      g_param_spec_double ("momentum", "Momentum",
          "Running mode: running = (1 - momentum) * running + momentum * buffer", 0, 1,
          DEFAULT_PROP_MOMENTUM, flags));
  g_object_class_install_property (gobject_class, PROP_MESSAGE_INTERVAL,
      g_param_spec_uint ("message-interval", "Message interval",
          "Post the statistics every this many buffers (0 = never)", 0, G_MAXUINT,
          DEFAULT_PROP_MESSAGE_INTERVAL, flags | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STATISTICS,
      g_param_spec_boxed ("statistics", "Statistics",
          "The statistics in use: cnnbatchnorm, frame, mean and var (arrays)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstCnnBatchnorm::reset:
   *
   * Start the running statistics again from mean 0, var 1 (next buffer).
   */
  gst_cnn_batchnorm_signals[SIGNAL_RESET] = g_signal_new_class_handler ("reset",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cnn_batchnorm_reset), NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_set_static_metadata (element_class, "CNN batch normalisation",
      "Filter/Effect/Video",
      "Batch normalisation per channel with fixed, per-buffer or running statistics",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_batchnorm_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_batchnorm_src_template);

  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_batchnorm_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_batchnorm_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_batchnorm_free_buffers);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_BATCHNORM_MODE, 0);
}

static void
gst_cnn_batchnorm_init (GstCnnBatchnorm * self)
{
  guint k;

  self->mode = DEFAULT_PROP_MODE;
  for (k = 0; k < N_STATS; k++)
    self->stat_text[k] = g_strdup (stat_defaults[k]);
  self->eps = DEFAULT_PROP_EPS;
  self->momentum = DEFAULT_PROP_MOMENTUM;
  self->message_interval = DEFAULT_PROP_MESSAGE_INTERVAL;
}
