/* GstCnnFilter: the abstract base of the cnn elements. See the header for
 * what it shares. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstcnnfilter.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_filter_debug);
#define GST_CAT_DEFAULT gst_cnn_filter_debug

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
  GstCnnFilterInfo in_info, out_info;
  guint64 frame_number, frames_seen;
} GstCnnFilterPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstCnnFilter, gst_cnn_filter,
    GST_TYPE_BASE_TRANSFORM);

#define PRIV(self) ((GstCnnFilterPrivate *) \
    gst_cnn_filter_get_instance_private (GST_CNN_FILTER (self)))

static void
gst_cnn_filter_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnFilterPrivate *priv = PRIV (object);

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
gst_cnn_filter_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnFilterPrivate *priv = PRIV (object);

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
gst_cnn_filter_free_context (GstCnnFilterPrivate * priv)
{
  cnn_context_destroy (priv->ctx);
  priv->ctx = NULL;
  priv->ctx_threads = -1;
}

static void
gst_cnn_filter_finalize (GObject * object)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (object);
  GstCnnFilterPrivate *priv = PRIV (object);

  if (klass->free_buffers)
    klass->free_buffers (GST_CNN_FILTER (object));
  gst_cnn_filter_free_context (priv);
  g_free (priv->last_config_error);
  g_free (priv->last_config_warning);
  G_OBJECT_CLASS (gst_cnn_filter_parent_class)->finalize (object);
}

cnn_context *
gst_cnn_filter_context (GstCnnFilter * self)
{
  return PRIV (self)->ctx;
}

static gboolean
gst_cnn_filter_start (GstBaseTransform * trans)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  gchar *msg = klass->explain_caps ? klass->explain_caps (GST_CNN_FILTER (trans), NULL) :
      NULL;

  PRIV (trans)->frames_seen = 0;
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
gst_cnn_filter_stop (GstBaseTransform * trans)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  GstCnnFilterPrivate *priv = PRIV (trans);

  if (klass->free_buffers)
    klass->free_buffers (GST_CNN_FILTER (trans));
  gst_cnn_filter_free_context (priv);
  GST_OBJECT_LOCK (trans);
  g_clear_pointer (&priv->last_config_error, g_free);
  g_clear_pointer (&priv->last_config_warning, g_free);
  priv->frame_cost = 0;
  GST_OBJECT_UNLOCK (trans);
  return TRUE;
}

/* A context of the current n-threads; FALSE after posting an error. */
static gboolean
gst_cnn_filter_ensure_context (GstCnnFilter * self)
{
  GstCnnFilterPrivate *priv = PRIV (self);
  gint n_threads;
  cnn_status st;

  GST_OBJECT_LOCK (self);
  n_threads = priv->n_threads;
  GST_OBJECT_UNLOCK (self);

  if (priv->ctx && priv->ctx_threads == n_threads)
    return TRUE;
  gst_cnn_filter_free_context (priv);
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

gboolean
gst_cnn_filter_info_from_caps (GstCnnFilterInfo * info, const GstCaps * caps)
{
  info->is_tensor = gst_caps_is_fixed (caps) &&
      gst_cnn_structure_is_tensor (gst_caps_get_structure (caps, 0));
  if (info->is_tensor)
    return gst_cnn_tensor_info_from_caps (&info->tensor, caps);
  return gst_video_info_from_caps (&info->video, caps);
}

void
gst_cnn_filter_info_size (const GstCnnFilterInfo * info, gint * width, gint * height,
    gint * channels)
{
  if (info->is_tensor) {
    *width = info->tensor.dims[GST_CNN_TENSOR_W];
    *height = info->tensor.dims[GST_CNN_TENSOR_H];
    *channels = info->tensor.dims[GST_CNN_TENSOR_C];
  } else {
    *width = GST_VIDEO_INFO_WIDTH (&info->video);
    *height = GST_VIDEO_INFO_HEIGHT (&info->video);
    *channels = GST_VIDEO_INFO_IS_RGB (&info->video) ? 3 : 1;
  }
}

guint64
gst_cnn_filter_frame_number (GstCnnFilter * self)
{
  return PRIV (self)->frame_number;
}

/* The output size from the output caps alone: input video may be padded
 * (GstVideoMeta strides), so sizes are not proportional. */
static gboolean
gst_cnn_filter_transform_size (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, gsize size, GstCaps * othercaps, gsize * othersize)
{
  GstCnnFilterInfo info;

  if (!gst_cnn_filter_info_from_caps (&info, othercaps))
    return FALSE;
  *othersize = info.is_tensor ? gst_cnn_tensor_info_size (&info.tensor) :
      GST_VIDEO_INFO_SIZE (&info.video);
  return TRUE;
}

static gboolean
gst_cnn_filter_set_caps (GstBaseTransform * trans, GstCaps * incaps, GstCaps * outcaps)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  GstCnnFilterPrivate *priv = PRIV (trans);

  if (!gst_cnn_filter_info_from_caps (&priv->in_info, incaps) ||
      !gst_cnn_filter_info_from_caps (&priv->out_info, outcaps))
    goto invalid_caps;
  if (!klass->set_info (GST_CNN_FILTER (trans), incaps, &priv->in_info, outcaps,
          &priv->out_info))
    return FALSE;
  gst_base_transform_set_in_place (trans, klass->in_place &&
      gst_caps_is_equal (incaps, outcaps) &&
      klass->in_place (GST_CNN_FILTER (trans), &priv->in_info));
  return TRUE;

invalid_caps:
  {
    GST_ERROR_OBJECT (trans, "invalid caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
        incaps, outcaps);
    return FALSE;
  }
}

static gboolean
gst_cnn_filter_default_set_info (GstCnnFilter * self, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  return gst_cnn_filter_ensure_context (self);
}

static gboolean
gst_cnn_filter_map (GstCnnFilterFrame * frame, const GstCnnFilterInfo * info,
    GstBuffer * buf, GstMapFlags flags)
{
  const gint *d = info->tensor.dims;
  const int shape[4] = { d[GST_CNN_TENSOR_N], d[GST_CNN_TENSOR_C], d[GST_CNN_TENSOR_H],
    d[GST_CNN_TENSOR_W]
  };

  frame->info = info;
  if (!info->is_tensor)
    return gst_video_frame_map (&frame->video, (GstVideoInfo *) & info->video, buf, flags);
  if (!gst_buffer_map (buf, &frame->map, flags))
    return FALSE;
  if (frame->map.size < gst_cnn_tensor_info_size (&info->tensor)) {
    gst_buffer_unmap (buf, &frame->map);
    return FALSE;
  }
  memset (&frame->tensor, 0, sizeof (frame->tensor));
  if (info->tensor.type == GST_CNN_TENSOR_FLOAT32)
    cnn_tensor_wrap (&frame->tensor, (float *) frame->map.data, 4, shape);
  return TRUE;
}

static void
gst_cnn_filter_unmap (GstCnnFilterFrame * frame, GstBuffer * buf)
{
  if (frame->info->is_tensor)
    gst_buffer_unmap (buf, &frame->map);
  else
    gst_video_frame_unmap (&frame->video);
}

/* Upstream may hand video with its own strides (GstVideoMeta), as
 * GstVideoFilter lets it: frames are mapped through the meta. */
static gboolean
gst_cnn_filter_propose_allocation (GstBaseTransform * trans, GstQuery * decide_query,
    GstQuery * query)
{
  GstCaps *caps;

  if (!GST_BASE_TRANSFORM_CLASS (gst_cnn_filter_parent_class)->propose_allocation (trans,
          decide_query, query))
    return FALSE;
  if (!decide_query)
    return TRUE;
  gst_query_parse_allocation (query, &caps, NULL);
  if (caps && !gst_cnn_structure_is_tensor (gst_caps_get_structure (caps, 0)))
    gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  return TRUE;
}

/* Buffers are numbered here, before passthrough skips transform, so a
 * buffer's number is its place in the stream whatever was filtered. */
static void
gst_cnn_filter_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstCnnFilterPrivate *priv = PRIV (trans);

  priv->frame_number = priv->frames_seen++;
}

/* inbuf == outbuf: in place, the buffer mapped once (for reading and
 * writing unless writes_in_place says it is only read) and handed to
 * filter as both frames. */
static GstFlowReturn
gst_cnn_filter_transform (GstBaseTransform * trans, GstBuffer * inbuf, GstBuffer * outbuf)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  GstCnnFilterPrivate *priv = PRIV (trans);
  GstCnnFilter *self = GST_CNN_FILTER (trans);
  gint64 start = g_get_monotonic_time ();
  cnn_context *before = priv->ctx;
  GstCnnFilterFrame in, out;
  GstClockTime cost;
  gboolean ok;

  /* n-threads changed: a new context, and workspaces sized for it */
  if (!gst_cnn_filter_ensure_context (self))
    return GST_FLOW_ERROR;
  if (priv->ctx != before && klass->plan && !klass->plan (self, priv->ctx))
    return GST_FLOW_ERROR;
  if (inbuf == outbuf) {
    GstMapFlags flags = !klass->writes_in_place || klass->writes_in_place (self) ?
        GST_MAP_READWRITE : GST_MAP_READ;

    if (!gst_cnn_filter_map (&in, &priv->in_info, inbuf, flags))
      goto invalid_buffer;
    ok = klass->filter (self, priv->ctx, &in, &in);
    gst_cnn_filter_unmap (&in, inbuf);
  } else {
    if (!gst_cnn_filter_map (&in, &priv->in_info, inbuf, GST_MAP_READ))
      goto invalid_buffer;
    if (!gst_cnn_filter_map (&out, &priv->out_info, outbuf, GST_MAP_WRITE)) {
      gst_cnn_filter_unmap (&in, inbuf);
      goto invalid_buffer;
    }
    ok = klass->filter (self, priv->ctx, &in, &out);
    gst_cnn_filter_unmap (&out, outbuf);
    gst_cnn_filter_unmap (&in, inbuf);
  }
  if (!ok)
    return GST_FLOW_ERROR;

  cost = (g_get_monotonic_time () - start) * GST_USECOND;
  GST_OBJECT_LOCK (self);
  priv->frame_cost = gst_cnn_filter_smooth_cost (priv->frame_cost, cost);
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;

invalid_buffer:
  {
    GST_ELEMENT_ERROR (self, CORE, FAILED, ("Could not map a buffer"),
        ("%" G_GSIZE_FORMAT " bytes", gst_buffer_get_size (inbuf)));
    return GST_FLOW_ERROR;
  }
}

static GstFlowReturn
gst_cnn_filter_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  return gst_cnn_filter_transform (trans, buf, buf);
}

GstClockTime
gst_cnn_filter_smooth_cost (GstClockTime avg, GstClockTime cost)
{
  return avg ? (7 * avg + cost) / 8 : cost;
}

static gboolean
gst_cnn_filter_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  GstCnnFilterPrivate *priv = PRIV (trans);
  gboolean live;
  GstClockTime min, max, cost;

  if (direction == GST_PAD_SRC && gst_cnn_query_is_receptive_field (query)) {
    gboolean negotiated = gst_pad_has_current_caps (GST_BASE_TRANSFORM_SINK_PAD (trans));
    cnn_rf_layer x[GST_CNN_RF_MAX_LAYERS], y[GST_CNN_RF_MAX_LAYERS];
    guint n = klass->rf_layers ? klass->rf_layers (GST_CNN_FILTER (trans),
        negotiated ? &priv->in_info : NULL, x, y) : 0;

    return gst_cnn_rf_answer_query (trans, query, x, y, n);
  }
  if (!GST_BASE_TRANSFORM_CLASS (gst_cnn_filter_parent_class)->query (trans,
          direction, query))
    return FALSE;
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return TRUE;

  /* A frame leaves once it is computed: the latency we add is that cost. */
  if (klass->latency_cost) {
    cost = klass->latency_cost (GST_CNN_FILTER (trans));
  } else {
    GST_OBJECT_LOCK (trans);
    cost = priv->frame_cost;
    GST_OBJECT_UNLOCK (trans);
  }
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
gst_cnn_filter_fresh_message (GstCnnFilter * self, gchar ** last,
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
gst_cnn_filter_post_config_error (GstCnnFilter * self, const gchar * msg)
{
  if (gst_cnn_filter_fresh_message (self, &PRIV (self)->last_config_error, msg))
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
}

void
gst_cnn_filter_warn_properties (GstCnnFilter * self, const gchar * msg)
{
  if (gst_cnn_filter_fresh_message (self, &PRIV (self)->last_config_warning, msg))
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("%s (the previous values stay in use)",
            msg), (NULL));
}

static gboolean
gst_cnn_filter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  GstCaps *caps = NULL;
  gchar *msg;
  gboolean ret;

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_parse_caps (event, &caps);
    gst_caps_ref (caps);
  }
  ret = GST_BASE_TRANSFORM_CLASS (gst_cnn_filter_parent_class)->sink_event (trans,
      event);
  if (!caps)
    return ret;
  if (!ret) {
    msg = klass->explain_caps ? klass->explain_caps (GST_CNN_FILTER (trans), caps) : NULL;
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
    gst_cnn_filter_post_config_error (GST_CNN_FILTER (trans), msg);
    g_free (msg);
  }
  gst_caps_unref (caps);
  return ret;
}

/* Fixed input caps the pad refuses because of the properties (a kernel
 * larger than the frame) get an error naming them: the caps event would be
 * refused before sink_event sees it. */
static gboolean
gst_cnn_filter_accept_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps)
{
  GstCnnFilterClass *klass = GST_CNN_FILTER_GET_CLASS (trans);
  gchar *msg;

  if (GST_BASE_TRANSFORM_CLASS (gst_cnn_filter_parent_class)->accept_caps (trans,
          direction, caps))
    return TRUE;
  if (direction != GST_PAD_SINK || !gst_caps_is_fixed (caps))
    return FALSE;
  msg = klass->explain_caps ? klass->explain_caps (GST_CNN_FILTER (trans), caps) : NULL;
  if (msg)
    gst_cnn_filter_post_config_error (GST_CNN_FILTER (trans), msg);
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

/* Tensor dimensions are strings, not ranges: a fixed W:H:C:N maps to the
 * list of every W and H it gives (few: a stride's worth); more, or unfixed
 * dimensions, leave them open. FALSE when no size fits. */
#define MAX_TENSOR_DIMS_LIST 64

static gboolean
tensor_dims_map (GstStructure * s, GstPadDirection direction, GstCnnSizeMap map,
    gpointer user_data)
{
  gint in[GST_CNN_TENSOR_RANK], out[MAX_TENSOR_DIMS_LIST][GST_CNN_TENSOR_RANK];
  gint wlo, whi, hlo, hhi, w, h;
  guint n = 0;

  if (!gst_cnn_tensor_structure_get_dims (s, in)) {
    gst_structure_remove_fields (s, "dimensions", "dimension", NULL);
    return TRUE;
  }
  if (!map (user_data, direction, TRUE, in[GST_CNN_TENSOR_W], in[GST_CNN_TENSOR_W], &wlo,
          &whi) || !map (user_data, direction, FALSE, in[GST_CNN_TENSOR_H],
          in[GST_CNN_TENSOR_H], &hlo, &hhi))
    return FALSE;
  if ((gint64) (whi - wlo + 1) * (hhi - hlo + 1) > MAX_TENSOR_DIMS_LIST) {
    gst_structure_remove_fields (s, "dimensions", "dimension", NULL);
    return TRUE;
  }
  for (h = hlo; h <= hhi; h++)
    for (w = wlo; w <= whi; w++, n++) {
      memcpy (out[n], in, sizeof (in));
      out[n][GST_CNN_TENSOR_W] = w;
      out[n][GST_CNN_TENSOR_H] = h;
    }
  gst_cnn_tensor_structure_set_dims (s, (const gint (*)[GST_CNN_TENSOR_RANK]) out, n);
  return TRUE;
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
    gboolean fits;

    if (gst_cnn_structure_is_tensor (s)) {
      fits = tensor_dims_map (s, direction, map, user_data);
    } else {
      size_field_range (s, "width", &wlo, &whi);
      size_field_range (s, "height", &hlo, &hhi);
      fits = map (user_data, direction, TRUE, wlo, whi, &owlo, &owhi) &&
          map (user_data, direction, FALSE, hlo, hhi, &ohlo, &ohhi);
      if (fits) {
        size_field_set (s, "width", owlo, owhi);
        size_field_set (s, "height", ohlo, ohhi);
      }
    }
    if (!fits) {
      gst_structure_free (s);
      continue;
    }
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

GstCaps *
gst_cnn_filter_caps_result (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * ret, GstCaps * filter)
{
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, ret, GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (ret);
    ret = tmp;
  }
  GST_DEBUG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, ret);
  return ret;
}

void
gst_cnn_filter_unpack_video (cnn_context * ctx, GstVideoFrame * frame, cnn_tensor * planes,
    gfloat scale)
{
  gsize plane = (gsize) planes->shape[2] * planes->shape[3];
  gint c;

  for (c = 0; c < planes->shape[1]; c++) {
    cnn_pixel_plane src = gst_cnn_component_plane (frame, c);

    cnn_pixels_unpack (ctx, &src, planes->data + c * plane, planes->shape[3], scale);
  }
}

void
gst_cnn_filter_pack_video (cnn_context * ctx, const cnn_tensor * planes, GstVideoFrame * in,
    GstVideoFrame * out, gfloat scale, gfloat offset)
{
  gsize plane = (gsize) planes->shape[2] * planes->shape[3];
  guint comp;

  for (comp = 0; comp < GST_VIDEO_FRAME_N_COMPONENTS (out); comp++) {
    cnn_pixel_plane dst = gst_cnn_component_plane (out, comp);

    if (comp < (guint) planes->shape[1]) {
      cnn_pixels_pack (ctx, planes->data + comp * plane, planes->shape[3], &dst, scale,
          offset, CNN_PIXEL_CLAMP);
    } else {
      cnn_pixel_plane src = gst_cnn_component_plane (in, comp);

      cnn_pixels_copy (ctx, &src, &dst);
    }
  }
}

static void
gst_cnn_filter_class_init (GstCnnFilterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cnn_filter_debug, "cnnfilter", 0,
      "gst-cnn filter base");

  gobject_class->set_property = gst_cnn_filter_set_property;
  gobject_class->get_property = gst_cnn_filter_get_property;
  gobject_class->finalize = gst_cnn_filter_finalize;

  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_int ("n-threads", "Threads",
          "Engine threads of this element (0 = one per CPU); applied from the next "
          "frame", 0, 256, DEFAULT_PROP_N_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_filter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_filter_stop);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_cnn_filter_query);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_filter_sink_event);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_cnn_filter_accept_caps);
  trans_class->transform_size = GST_DEBUG_FUNCPTR (gst_cnn_filter_transform_size);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_cnn_filter_set_caps);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_cnn_filter_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_cnn_filter_transform_ip);
  /* passthrough (cnndropout) leaves buffers alone */
  trans_class->transform_ip_on_passthrough = FALSE;
  trans_class->before_transform = GST_DEBUG_FUNCPTR (gst_cnn_filter_before_transform);
  trans_class->propose_allocation = GST_DEBUG_FUNCPTR (gst_cnn_filter_propose_allocation);
  klass->set_info = GST_DEBUG_FUNCPTR (gst_cnn_filter_default_set_info);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_FILTER, 0);
}

static void
gst_cnn_filter_init (GstCnnFilter * self)
{
  GstCnnFilterPrivate *priv = PRIV (self);

  priv->n_threads = DEFAULT_PROP_N_THREADS;
  priv->ctx_threads = -1;
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}
