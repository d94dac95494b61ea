/**
 * SECTION:element-cnntensorize
 * @title: cnntensorize
 *
 * Video to a float32 tensor (other/tensors, NNStreamer's caps) in planar
 * CHW order (dimensions W:H:C:1), ready for a network: samples times
 * `scale` (for 16-bit gray, scale / 257, so both depths reach the same
 * range), optionally resized to `width` x `height` (stretched, or
 * letterboxed with zero bands) by the augmentation core's bilinear resize,
 * then normalised per channel as (x - mean) / std. `channel-order` picks
 * R, G, B or B, G, R (RGB formats only) or one gray channel (the BT.601
 * luma of RGB formats, the Y plane of I420 and NV12, the gray plane).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=3 ! cnntensorize width=224 height=224 mean="0.485,0.456,0.406" std="0.229,0.224,0.225" ! fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnntensorize.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_tensorize_debug);
#define GST_CAT_DEFAULT gst_cnn_tensorize_debug

#define MAX_CHANNELS 3
#define RGB_FORMATS "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx }"

typedef enum
{
  ORDER_RGB,
  ORDER_BGR,
  ORDER_GRAY,
} GstCnnChannelOrder;

struct _GstCnnTensorize
{
  GstCnnFilter parent;

  /* properties, under the object lock; read at negotiation */
  gdouble scale;
  gchar *mean_text, *std_text;
  gint width, height;
  gboolean letterbox;
  GstCnnChannelOrder order;

  /* streaming thread */
  gint channels, in_w, in_h, out_w, out_h;
  gfloat scale_in;
  guint8 *luma;                 /* gray of RGB video */
  cnn_tensor stage;             /* before the resize */
  cnn_tensor mean, var;
  cnn_augment_chain *resize;
  cnn_augment_params resize_params;
  void *workspace;
};

enum
{
  PROP_0,
  PROP_SCALE,
  PROP_MEAN,
  PROP_STD,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_LETTERBOX,
  PROP_CHANNEL_ORDER,
};

#define DEFAULT_PROP_SCALE (1.0 / 255.0)
#define DEFAULT_PROP_MEAN "0"
#define DEFAULT_PROP_STD "1"
#define DEFAULT_PROP_WIDTH 0
#define DEFAULT_PROP_HEIGHT 0
#define DEFAULT_PROP_LETTERBOX FALSE
#define DEFAULT_PROP_CHANNEL_ORDER ORDER_RGB

#define GST_TYPE_CNN_CHANNEL_ORDER (gst_cnn_channel_order_get_type ())
static GType
gst_cnn_channel_order_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {ORDER_RGB, "R, G, B", "rgb"},
    {ORDER_BGR, "B, G, R", "bgr"},
    {ORDER_GRAY, "One channel: the luma", "gray"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnChannelOrder", values);
}

static GstStaticPadTemplate gst_cnn_tensorize_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_CNN_VIDEO_FORMATS)));
static GstStaticPadTemplate gst_cnn_tensorize_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_TENSOR_CAPS_MAKE ("float32")));

G_DEFINE_TYPE (GstCnnTensorize, gst_cnn_tensorize, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnntensorize, "cnntensorize", GST_RANK_NONE,
    GST_TYPE_CNN_TENSORIZE);

/* Video caps the channel order can take. */
static GstCaps *
video_caps_for_order (GstCnnChannelOrder order)
{
  return gst_caps_from_string (order == ORDER_GRAY ?
      GST_VIDEO_CAPS_MAKE (GST_CNN_VIDEO_FORMATS) : GST_VIDEO_CAPS_MAKE (RGB_FORMATS));
}

static gboolean
fixed_int (const GstStructure * s, const gchar * field, gint * v)
{
  return gst_structure_get_int (s, field, v);
}

/* The older single-tensor flavour of the same caps. */
static GstStructure *
legacy_structure (const GstStructure * s)
{
  GstStructure *l = gst_structure_new ("other/tensor", "type", G_TYPE_STRING, "float32", NULL);
  const GValue *v = gst_structure_get_value (s, "dimensions");

  if (v)
    gst_structure_set_value (l, "dimension", v);
  v = gst_structure_get_value (s, "framerate");
  if (v)
    gst_structure_set_value (l, "framerate", v);
  return l;
}

static GstCaps *
gst_cnn_tensorize_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (trans);
  gint pw, ph, channels;
  GstCnnChannelOrder order;
  GstCaps *ret = gst_caps_new_empty (), *allowed;
  guint i;

  GST_OBJECT_LOCK (self);
  pw = self->width;
  ph = self->height;
  order = self->order;
  GST_OBJECT_UNLOCK (self);
  channels = order == ORDER_GRAY ? 1 : 3;
  allowed = video_caps_for_order (order);

  if (direction == GST_PAD_SINK) {
    GstCaps *video = gst_caps_intersect (caps, allowed);

    for (i = 0; i < gst_caps_get_size (video); i++) {
      const GstStructure *in = gst_caps_get_structure (video, i);
      const GValue *fps = gst_structure_get_value (in, "framerate");
      GstStructure *s = gst_structure_new ("other/tensors", "format", G_TYPE_STRING,
          "static", "num_tensors", G_TYPE_INT, 1, "types", G_TYPE_STRING, "float32", NULL);
      gint dims[1][GST_CNN_TENSOR_RANK] = { {pw, ph, channels, 1} };

      if ((pw || fixed_int (in, "width", &dims[0][0])) &&
          (ph || fixed_int (in, "height", &dims[0][1])))
        gst_cnn_tensor_structure_set_dims (s, (const gint (*)[GST_CNN_TENSOR_RANK]) dims, 1);
      if (fps)
        gst_structure_set_value (s, "framerate", fps);
      ret = gst_caps_merge_structure (ret, s);
      ret = gst_caps_merge_structure (ret, legacy_structure (s));
    }
    gst_caps_unref (video);
  } else {
    for (i = 0; i < gst_caps_get_size (caps); i++) {
      const GstStructure *in = gst_caps_get_structure (caps, i);
      const GValue *fps = gst_structure_get_value (in, "framerate");
      gint dims[GST_CNN_TENSOR_RANK];
      GstCaps *one = gst_caps_copy (allowed);
      GstStructure *s = gst_caps_get_structure (one, 0);

      if (!gst_cnn_structure_is_tensor (in)) {
        gst_caps_unref (one);
        continue;
      }
      if (gst_cnn_tensor_structure_get_dims (in, dims)) {
        if (dims[GST_CNN_TENSOR_C] != channels || dims[GST_CNN_TENSOR_N] != 1) {
          gst_caps_unref (one);
          continue;
        }
        /* without a resize the frame has the tensor's size */
        if (!pw && !ph)
          gst_structure_set (s, "width", G_TYPE_INT, dims[GST_CNN_TENSOR_W], "height",
              G_TYPE_INT, dims[GST_CNN_TENSOR_H], NULL);
      }
      if (fps)
        gst_structure_set_value (s, "framerate", fps);
      ret = gst_caps_merge (ret, one);
    }
  }
  gst_caps_unref (allowed);
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

static gchar *
gst_cnn_tensorize_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (filter);
  gfloat v[MAX_CHANNELS];
  guint n, channels, i;
  gchar *msg = NULL;

  GST_OBJECT_LOCK (self);
  channels = self->order == ORDER_GRAY ? 1 : 3;
  if (!gst_cnn_parse_channel_values (self->mean_text, v, MAX_CHANNELS, &n) ||
      (n != 1 && n != channels))
    msg = g_strdup_printf ("%s: mean \"%s\" must be one number, or %u separated by commas",
        GST_OBJECT_NAME (self), self->mean_text, channels);
  else if (!gst_cnn_parse_channel_values (self->std_text, v, MAX_CHANNELS, &n) ||
      (n != 1 && n != channels))
    msg = g_strdup_printf ("%s: std \"%s\" must be one number, or %u separated by commas",
        GST_OBJECT_NAME (self), self->std_text, channels);
  else if ((self->width == 0) != (self->height == 0))
    msg = g_strdup_printf ("%s: width %d and height %d: set both to resize, or neither",
        GST_OBJECT_NAME (self), self->width, self->height);
  for (i = 0; !msg && i < n; i++)
    if (v[i] == 0.0f)
      msg = g_strdup_printf ("%s: std \"%s\" has a zero", GST_OBJECT_NAME (self),
          self->std_text);
  GST_OBJECT_UNLOCK (self);
  return msg;
}

static void
gst_cnn_tensorize_free_buffers (GstCnnFilter * filter)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (filter);

  g_clear_pointer (&self->luma, cnn_aligned_free);
  g_clear_pointer (&self->workspace, cnn_aligned_free);
  g_clear_pointer (&self->resize, cnn_augment_chain_free);
  cnn_tensor_release (&self->stage);
  cnn_tensor_release (&self->mean);
  cnn_tensor_release (&self->var);
}

/* mean and var = std^2 per channel, so normalising is batch normalisation
 * with eps 0. */
static void
fill_statistics (GstCnnTensorize * self, const gchar * mean_text, const gchar * std_text)
{
  gfloat mean[MAX_CHANNELS], std[MAX_CHANNELS];
  guint n_mean, n_std;
  gint c;

  gst_cnn_parse_channel_values (mean_text, mean, MAX_CHANNELS, &n_mean);
  gst_cnn_parse_channel_values (std_text, std, MAX_CHANNELS, &n_std);
  for (c = 0; c < self->channels; c++) {
    gfloat s = std[n_std == 1 ? 0 : c];

    self->mean.data[c] = mean[n_mean == 1 ? 0 : c];
    self->var.data[c] = s * s;
  }
}

/* The resize's scratch for this context's threads. */
static gboolean
gst_cnn_tensorize_plan (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (filter);

  if (!self->resize)
    return TRUE;
  cnn_aligned_free (self->workspace);
  self->workspace = cnn_aligned_alloc (MAX (1, cnn_augment_workspace_size (self->resize,
              self->in_w, self->in_h, self->channels, CNN_FRAME_F32,
              cnn_context_threads (ctx))));
  return self->workspace != NULL;
}

static gboolean
gst_cnn_tensorize_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (filter);
  gint c, shape[1];
  gchar *msg, *mean_text, *std_text, *chain = NULL;
  gboolean letterbox;
  GstCnnChannelOrder order;
  cnn_context *ctx;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_tensorize_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_tensorize_explain_caps (filter, incaps);
  if (msg)
    goto bad_properties;

  GST_OBJECT_LOCK (self);
  mean_text = g_strdup (self->mean_text);
  std_text = g_strdup (self->std_text);
  letterbox = self->letterbox;
  order = self->order;
  self->scale_in = (gfloat) self->scale;
  GST_OBJECT_UNLOCK (self);

  gst_cnn_tensorize_free_buffers (filter);
  gst_cnn_filter_info_size (in, &self->in_w, &self->in_h, &c);
  gst_cnn_filter_info_size (out, &self->out_w, &self->out_h, &self->channels);
  if (GST_VIDEO_INFO_COMP_DEPTH (&in->video, 0) == 16)
    self->scale_in /= 257.0f;
  shape[0] = self->channels;
  if (cnn_tensor_alloc (&self->mean, 1, shape) != CNN_OK ||
      cnn_tensor_alloc (&self->var, 1, shape) != CNN_OK)
    goto no_memory;
  fill_statistics (self, mean_text, std_text);
  g_free (mean_text);
  g_free (std_text);
  if (order == ORDER_GRAY && GST_VIDEO_INFO_IS_RGB (&in->video) &&
      !(self->luma = cnn_aligned_alloc ((gsize) self->in_w * self->in_h)))
    goto no_memory;

  ctx = gst_cnn_filter_context (filter);
  if (self->in_w != self->out_w || self->in_h != self->out_h) {
    chain = g_strdup_printf ("resize size=%d,%d fit=%s", self->out_w, self->out_h,
        letterbox ? "letterbox" : "stretch");
    if (cnn_augment_chain_parse (&self->resize, chain) != CNN_OK ||
        cnn_augment_draw (self->resize, 0, 0, 0, self->in_w, self->in_h, self->channels,
            &self->resize_params) != CNN_OK)
      goto bad_resize;
    if (cnn_tensor_alloc_nchw (&self->stage, 1, self->channels, self->in_h,
            self->in_w) != CNN_OK || !gst_cnn_tensorize_plan (filter, ctx))
      goto no_memory;
    g_free (chain);
  }
  GST_DEBUG_OBJECT (self, "%dx%d %s -> %d:%d:%d:1 float32", self->in_w, self->in_h,
      GST_VIDEO_INFO_NAME (&in->video), self->out_w, self->out_h, self->channels);
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
bad_resize:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s: width/height: %s",
            GST_OBJECT_NAME (self), cnn_last_error ()), ("%s", chain));
    g_free (chain);
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate %dx%d buffers",
            self->in_w, self->in_h), (NULL));
    g_free (chain);
    gst_cnn_tensorize_free_buffers (filter);
    return FALSE;
  }
}

/* The video component tensor channel c comes from. */
static guint
source_component (const GstCnnTensorize * self, gint c)
{
  return self->order == ORDER_BGR ? 2 - c : c;
}

static gboolean
gst_cnn_tensorize_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (filter);
  cnn_tensor *planes = self->resize ? &self->stage : &out->tensor;
  gsize plane = (gsize) self->in_w * self->in_h;
  gint c;

  if (self->luma) {
    const cnn_pixel_plane rgb[3] = { gst_cnn_component_plane (&in->video, 0),
      gst_cnn_component_plane (&in->video, 1), gst_cnn_component_plane (&in->video, 2)
    };
    cnn_pixel_plane luma = { self->luma, self->in_w, 1, 8, self->in_w, self->in_h };

    cnn_pixels_luma (ctx, rgb, &luma);
    cnn_pixels_unpack (ctx, &luma, planes->data, self->in_w, self->scale_in);
  } else {
    for (c = 0; c < self->channels; c++) {
      cnn_pixel_plane p = gst_cnn_component_plane (&in->video, source_component (self, c));

      cnn_pixels_unpack (ctx, &p, planes->data + c * plane, self->in_w, self->scale_in);
    }
  }
  if (self->resize) {
    cnn_frame src, dst;

    cnn_frame_init (&src, self->stage.data, self->in_w, self->in_h, self->channels,
        CNN_FRAME_F32, CNN_FRAME_PLANAR);
    cnn_frame_init (&dst, out->tensor.data, self->out_w, self->out_h, self->channels,
        CNN_FRAME_F32, CNN_FRAME_PLANAR);
    if (cnn_augment_apply (ctx, self->resize, &self->resize_params, &src, &dst,
            self->workspace) != CNN_OK)
      goto failed;
  }
  if (cnn_batchnorm_inference (ctx, &out->tensor, &self->mean, &self->var, NULL, NULL, 0.0f,
          &out->tensor) != CNN_OK)
    goto failed;
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: %s", GST_OBJECT_NAME (self),
            cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static void
gst_cnn_tensorize_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SCALE:
      self->scale = g_value_get_double (value);
      break;
    case PROP_MEAN:
      g_free (self->mean_text);
      self->mean_text = g_value_dup_string (value);
      break;
    case PROP_STD:
      g_free (self->std_text);
      self->std_text = g_value_dup_string (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;
    case PROP_LETTERBOX:
      self->letterbox = g_value_get_boolean (value);
      break;
    case PROP_CHANNEL_ORDER:
      self->order = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_tensorize_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_MEAN:
      g_value_set_string (value, self->mean_text);
      break;
    case PROP_STD:
      g_value_set_string (value, self->std_text);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_LETTERBOX:
      g_value_set_boolean (value, self->letterbox);
      break;
    case PROP_CHANNEL_ORDER:
      g_value_set_enum (value, self->order);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_tensorize_finalize (GObject * object)
{
  GstCnnTensorize *self = GST_CNN_TENSORIZE (object);

  g_free (self->mean_text);
  g_free (self->std_text);
  G_OBJECT_CLASS (gst_cnn_tensorize_parent_class)->finalize (object);
}

static void
gst_cnn_tensorize_class_init (GstCnnTensorizeClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_tensorize_debug, "cnntensorize", 0,
      "gst-cnn video to tensor");

  gobject_class->set_property = gst_cnn_tensorize_set_property;
  gobject_class->get_property = gst_cnn_tensorize_get_property;
  gobject_class->finalize = gst_cnn_tensorize_finalize;

  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_double ("scale", "Scale", "Factor on 8-bit samples (16-bit: scale / 257)",
          -G_MAXFLOAT, G_MAXFLOAT, DEFAULT_PROP_SCALE, flags));
  g_object_class_install_property (gobject_class, PROP_MEAN,
      g_param_spec_string ("mean", "Mean",
          "Subtracted per channel after scale: one value, or one per channel "
          "(ImageNet: \"0.485,0.456,0.406\")", DEFAULT_PROP_MEAN, flags));
  g_object_class_install_property (gobject_class, PROP_STD,
      g_param_spec_string ("std", "Standard deviation",
          "Divides per channel after the mean: one value, or one per channel "
          "(ImageNet: \"0.229,0.224,0.225\")", DEFAULT_PROP_STD, flags));
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width", "Tensor width (0 = the frame's; set with height)",
          0, G_MAXINT, DEFAULT_PROP_WIDTH, flags));
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height", "Tensor height (0 = the frame's; set with width)",
          0, G_MAXINT, DEFAULT_PROP_HEIGHT, flags));
  g_object_class_install_property (gobject_class, PROP_LETTERBOX,
      g_param_spec_boolean ("letterbox", "Letterbox",
          "Keep the aspect ratio in the resize, with zero bands", DEFAULT_PROP_LETTERBOX,
          flags));
  g_object_class_install_property (gobject_class, PROP_CHANNEL_ORDER,
      g_param_spec_enum ("channel-order", "Channel order", "Channels of the tensor",
          GST_TYPE_CNN_CHANNEL_ORDER, DEFAULT_PROP_CHANNEL_ORDER, flags));

  gst_element_class_set_static_metadata (element_class, "CNN tensorize",
      "Filter/Converter/Video",
      "Video to a normalised CHW float32 tensor (NNStreamer caps)", "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_tensorize_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_tensorize_src_template);

  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_transform_caps);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_free_buffers);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_explain_caps);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_tensorize_plan);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_CHANNEL_ORDER, 0);
}

static void
gst_cnn_tensorize_init (GstCnnTensorize * self)
{
  self->scale = DEFAULT_PROP_SCALE;
  self->mean_text = g_strdup (DEFAULT_PROP_MEAN);
  self->std_text = g_strdup (DEFAULT_PROP_STD);
  self->width = DEFAULT_PROP_WIDTH;
  self->height = DEFAULT_PROP_HEIGHT;
  self->letterbox = DEFAULT_PROP_LETTERBOX;
  self->order = DEFAULT_PROP_CHANNEL_ORDER;
}
