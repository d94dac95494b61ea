/* GstCnnVideoFilter: the abstract base of cnnconv and cnnedge. See the
 * header for what it shares. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnvideofilter.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_video_filter_debug);
#define GST_CAT_DEFAULT gst_cnn_video_filter_debug

enum
{
  PROP_0,
  PROP_N_THREADS,
};

#define DEFAULT_PROP_N_THREADS 0

typedef struct
{
  /* under the object lock */
  gint n_threads;
  gchar *last_config_error;
  gchar *last_config_warning;
  /* smoothed cost of one frame, ns, for the latency query */
  GstClockTime frame_cost;

  /* streaming thread only */
  cnn_context *ctx;
  gint ctx_threads;
} GstCnnVideoFilterPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstCnnVideoFilter, gst_cnn_video_filter,
    GST_TYPE_VIDEO_FILTER);

#define PRIV(self) ((GstCnnVideoFilterPrivate *) \
    gst_cnn_video_filter_get_instance_private (GST_CNN_VIDEO_FILTER (self)))

static void
gst_cnn_video_filter_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnVideoFilterPrivate *priv = PRIV (object);

  switch (prop_id) {
    case PROP_N_THREADS:
      /* the streaming thread rebuilds the context before the next frame */
      GST_OBJECT_LOCK (object);
      priv->n_threads = g_value_get_int (value);
      GST_OBJECT_UNLOCK (object);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cnn_video_filter_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnVideoFilterPrivate *priv = PRIV (object);

  switch (prop_id) {
    case PROP_N_THREADS:
      GST_OBJECT_LOCK (object);
      g_value_set_int (value, priv->n_threads);
      GST_OBJECT_UNLOCK (object);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cnn_video_filter_free_context (GstCnnVideoFilterPrivate * priv)
{
  cnn_context_destroy (priv->ctx);
  priv->ctx = NULL;
  priv->ctx_threads = -1;
}

static void
gst_cnn_video_filter_finalize (GObject * object)
{
  GstCnnVideoFilterPrivate *priv = PRIV (object);

  gst_cnn_video_filter_free_context (priv);
  g_free (priv->last_config_error);
  g_free (priv->last_config_warning);
  G_OBJECT_CLASS (gst_cnn_video_filter_parent_class)->finalize (object);
}

cnn_context *
gst_cnn_video_filter_context (GstCnnVideoFilter * self)
{
  return PRIV (self)->ctx;
}

static gboolean
gst_cnn_video_filter_start (GstBaseTransform * trans)
{
  GstCnnVideoFilterClass *klass = GST_CNN_VIDEO_FILTER_GET_CLASS (trans);
  gchar *msg = klass->explain_caps (GST_CNN_VIDEO_FILTER (trans), NULL);

  if (msg)
    goto bad_properties;
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (trans, LIBRARY, SETTINGS, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
}

static gboolean
gst_cnn_video_filter_stop (GstBaseTransform * trans)
{
  GstCnnVideoFilterPrivate *priv = PRIV (trans);

  gst_cnn_video_filter_free_context (priv);
  GST_OBJECT_LOCK (trans);
  g_clear_pointer (&priv->last_config_error, g_free);
  g_clear_pointer (&priv->last_config_warning, g_free);
  priv->frame_cost = 0;
  GST_OBJECT_UNLOCK (trans);
  return TRUE;
}

/* A context of the current n-threads; FALSE after posting an error. */
static gboolean
gst_cnn_video_filter_ensure_context (GstCnnVideoFilter * self)
{
  GstCnnVideoFilterPrivate *priv = PRIV (self);
  gint n_threads;
  cnn_status st;

  GST_OBJECT_LOCK (self);
  n_threads = priv->n_threads;
  GST_OBJECT_UNLOCK (self);

  if (priv->ctx && priv->ctx_threads == n_threads)
    return TRUE;
  gst_cnn_video_filter_free_context (priv);
  st = cnn_context_create (&priv->ctx, n_threads);
  if (st != CNN_OK)
    goto no_context;
  priv->ctx_threads = n_threads;
  GST_DEBUG_OBJECT (self, "context with %d threads", cnn_context_threads (priv->ctx));
  return TRUE;

no_context:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("Could not create %d engine threads",
            n_threads), ("n-threads: %s", cnn_last_error ()));
    return FALSE;
  }
}

static gboolean
gst_cnn_video_filter_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  return gst_cnn_video_filter_ensure_context (GST_CNN_VIDEO_FILTER (filter));
}

static GstFlowReturn
gst_cnn_video_filter_transform_frame (GstVideoFilter * filter, GstVideoFrame * in,
    GstVideoFrame * out)
{
  GstCnnVideoFilterClass *klass = GST_CNN_VIDEO_FILTER_GET_CLASS (filter);
  GstCnnVideoFilterPrivate *priv = PRIV (filter);
  gint64 start = g_get_monotonic_time ();
  cnn_context *before = priv->ctx;
  GstClockTime cost;

  /* n-threads changed: a new context, and workspaces sized for it */
  if (!gst_cnn_video_filter_ensure_context (GST_CNN_VIDEO_FILTER (filter)))
    return GST_FLOW_ERROR;
  if (priv->ctx != before && !klass->plan (GST_CNN_VIDEO_FILTER (filter), priv->ctx))
    return GST_FLOW_ERROR;
  if (!klass->filter (GST_CNN_VIDEO_FILTER (filter), priv->ctx, in, out))
    return GST_FLOW_ERROR;

  cost = (g_get_monotonic_time () - start) * GST_USECOND;
  GST_OBJECT_LOCK (filter);
  /* exponential average over ~8 frames */
  priv->frame_cost = priv->frame_cost ? (7 * priv->frame_cost + cost) / 8 : cost;
  GST_OBJECT_UNLOCK (filter);
  return GST_FLOW_OK;
}

static gboolean
gst_cnn_video_filter_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstCnnVideoFilterPrivate *priv = PRIV (trans);
  gboolean live;
  GstClockTime min, max, cost;

  if (!GST_BASE_TRANSFORM_CLASS (gst_cnn_video_filter_parent_class)->query (trans,
          direction, query))
    return FALSE;
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return TRUE;

  /* A frame leaves once it is computed: the latency we add is that cost. */
  GST_OBJECT_LOCK (trans);
  cost = priv->frame_cost;
  GST_OBJECT_UNLOCK (trans);
  gst_query_parse_latency (query, &live, &min, &max);
  min += cost;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += cost;
  gst_query_set_latency (query, live, min, max);
  GST_DEBUG_OBJECT (trans, "latency %" GST_TIME_FORMAT " (frame cost %" GST_TIME_FORMAT ")",
      GST_TIME_ARGS (min), GST_TIME_ARGS (cost));
  return TRUE;
}

/* TRUE when msg differs from the one kept in *last, which it replaces:
 * messages go out once each, as transform_caps and frames repeat them. */
static gboolean
gst_cnn_video_filter_fresh_message (GstCnnVideoFilter * self, gchar ** last,
    const gchar * msg)
{
  gboolean fresh;

  GST_OBJECT_LOCK (self);
  fresh = g_strcmp0 (*last, msg) != 0;
  if (fresh) {
    g_free (*last);
    *last = g_strdup (msg);
  }
  GST_OBJECT_UNLOCK (self);
  return fresh;
}

static void
gst_cnn_video_filter_post_config_error (GstCnnVideoFilter * self, const gchar * msg)
{
  if (gst_cnn_video_filter_fresh_message (self, &PRIV (self)->last_config_error, msg))
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
}

void
gst_cnn_video_filter_warn_properties (GstCnnVideoFilter * self, const gchar * msg)
{
  if (gst_cnn_video_filter_fresh_message (self, &PRIV (self)->last_config_warning, msg))
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("%s (the previous values stay in use)",
            msg), (NULL));
}

static gboolean
gst_cnn_video_filter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnVideoFilterClass *klass = GST_CNN_VIDEO_FILTER_GET_CLASS (trans);
  GstCaps *caps = NULL;
  gchar *msg;
  gboolean ret;

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_parse_caps (event, &caps);
    gst_caps_ref (caps);
  }
  ret = GST_BASE_TRANSFORM_CLASS (gst_cnn_video_filter_parent_class)->sink_event (trans,
      event);
  if (!caps)
    return ret;
  if (!ret) {
    msg = klass->explain_caps (GST_CNN_VIDEO_FILTER (trans), caps);
    if (!msg) {
      GstCaps *out = GST_BASE_TRANSFORM_GET_CLASS (trans)->transform_caps (trans,
          GST_PAD_SINK, caps, NULL);
      gchar *out_str = gst_caps_to_string (out), *in_str = gst_caps_to_string (caps);

      msg = g_strdup_printf ("%s: downstream refuses the output %s that the properties "
          "give for the input %s", GST_OBJECT_NAME (trans), out_str, in_str);
      g_free (out_str);
      g_free (in_str);
      gst_caps_unref (out);
    }
    gst_cnn_video_filter_post_config_error (GST_CNN_VIDEO_FILTER (trans), msg);
    g_free (msg);
  }
  gst_caps_unref (caps);
  return ret;
}

/* Fixed input caps the pad refuses because of the properties (a kernel
 * larger than the frame) get an error naming them: the caps event would be
 * refused before sink_event sees it. */
static gboolean
gst_cnn_video_filter_accept_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps)
{
  GstCnnVideoFilterClass *klass = GST_CNN_VIDEO_FILTER_GET_CLASS (trans);
  gchar *msg;

  if (GST_BASE_TRANSFORM_CLASS (gst_cnn_video_filter_parent_class)->accept_caps (trans,
          direction, caps))
    return TRUE;
  if (direction != GST_PAD_SINK || !gst_caps_is_fixed (caps))
    return FALSE;
  msg = klass->explain_caps (GST_CNN_VIDEO_FILTER (trans), caps);
  if (msg)
    gst_cnn_video_filter_post_config_error (GST_CNN_VIDEO_FILTER (trans), msg);
  g_free (msg);
  return FALSE;
}

/* Read width or height of a structure as a range; missing or odd values
 * (lists) count as any size. */
static void
size_field_range (const GstStructure * s, const gchar * field, gint * lo, gint * hi)
{
  const GValue *v = gst_structure_get_value (s, field);

  *lo = 1;
  *hi = G_MAXINT;
  if (v && G_VALUE_HOLDS_INT (v)) {
    *lo = *hi = g_value_get_int (v);
  } else if (v && GST_VALUE_HOLDS_INT_RANGE (v)) {
    *lo = gst_value_get_int_range_min (v);
    *hi = gst_value_get_int_range_max (v);
  }
}

static void
size_field_set (GstStructure * s, const gchar * field, gint lo, gint hi)
{
  if (lo == hi)
    gst_structure_set (s, field, G_TYPE_INT, lo, NULL);
  else
    gst_structure_set (s, field, GST_TYPE_INT_RANGE, lo, hi, NULL);
}

GstCaps *
gst_cnn_transform_size_caps (GstCaps * caps, GstPadDirection direction, GstCnnSizeMap map,
    gpointer user_data)
{
  GstCaps *ret = gst_caps_new_empty ();
  guint i;

  for (i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    gint wlo, whi, hlo, hhi, owlo, owhi, ohlo, ohhi;

    size_field_range (s, "width", &wlo, &whi);
    size_field_range (s, "height", &hlo, &hhi);
    if (!map (user_data, direction, TRUE, wlo, whi, &owlo, &owhi) ||
        !map (user_data, direction, FALSE, hlo, hhi, &ohlo, &ohhi)) {
      gst_structure_free (s);
      continue;
    }
    size_field_set (s, "width", owlo, owhi);
    size_field_set (s, "height", ohlo, ohhi);
    gst_caps_append_structure_full (ret, s,
        gst_caps_features_copy (gst_caps_get_features (caps, i)));
  }
  return ret;
}

cnn_pixel_plane
gst_cnn_component_plane (GstVideoFrame * frame, guint comp)
{
  cnn_pixel_plane p;

  p.data = GST_VIDEO_FRAME_COMP_DATA (frame, comp);
  p.stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, comp);
  p.step = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);
  p.depth = GST_VIDEO_FRAME_COMP_DEPTH (frame, comp);
  p.width = GST_VIDEO_FRAME_COMP_WIDTH (frame, comp);
  p.height = GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp);
  return p;
}

static void
gst_cnn_video_filter_class_init (GstCnnVideoFilterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cnn_video_filter_debug, "cnnvideofilter", 0,
      "gst-cnn video filter base");

  gobject_class->set_property = gst_cnn_video_filter_set_property;
  gobject_class->get_property = gst_cnn_video_filter_get_property;
  gobject_class->finalize = gst_cnn_video_filter_finalize;

  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_int ("n-threads", "Threads",
          "Engine threads of this element (0 = one per CPU); applied from the next "
          "frame", 0, 256, DEFAULT_PROP_N_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_stop);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_query);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_sink_event);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_accept_caps);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_set_info);
  filter_class->transform_frame = GST_DEBUG_FUNCPTR (gst_cnn_video_filter_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_VIDEO_FILTER, 0);
}

static void
gst_cnn_video_filter_init (GstCnnVideoFilter * self)
{
  GstCnnVideoFilterPrivate *priv = PRIV (self);

  priv->n_threads = DEFAULT_PROP_N_THREADS;
  priv->ctx_threads = -1;
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}
