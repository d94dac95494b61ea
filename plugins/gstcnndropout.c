/**
 * SECTION:element-cnndropout
 * @title: cnndropout
 *
 * Dropout as in training, on float32 tensors and on video: `mode=element`
 * (nn.Dropout), `channel` (nn.Dropout2d) or `block` (DropBlock with
 * `block-size`), with drop probability `ratio`; kept values are scaled as
 * libcnn's dropout does (1 / (1 - ratio) for element and channel). On
 * video the colour channels (R, G, B; the gray plane; the luma of YUV) are
 * dropped and the kept samples scaled the same way, saturating; chroma and
 * alpha pass unchanged. `training=false` (the default) is the identity at
 * no cost: buffers pass through untouched.
 *
 * The masks come from libcnn's counter generator keyed by `seed` and the
 * buffer's place in the stream: the same seed on the same stream gives
 * identical buffers, on any thread count and run after run.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! cnndropout training=true ratio=0.3 mode=block block-size=15 ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnndropout.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_dropout_debug);
#define GST_CAT_DEFAULT gst_cnn_dropout_debug

typedef struct
{
  cnn_dropout_mode mode;
  gfloat ratio;
  gint block_size;
  guint64 seed;
  gboolean training;
} GstCnnDropoutSettings;

struct _GstCnnDropout
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  GstCnnDropoutSettings props;

  /* streaming thread */
  gint width, height, channels;
  cnn_tensor planes;            /* video as floats */
  guint8 *mask;
};

enum
{
  PROP_0,
  PROP_RATIO,
  PROP_MODE,
  PROP_BLOCK_SIZE,
  PROP_SEED,
  PROP_TRAINING,
};

#define DEFAULT_PROP_RATIO 0.5
#define DEFAULT_PROP_MODE CNN_DROPOUT_ELEMENT
#define DEFAULT_PROP_BLOCK_SIZE 7
#define DEFAULT_PROP_SEED 0
#define DEFAULT_PROP_TRAINING FALSE

/* Key purpose of this element's masks (frame numbers index within it). */
#define DROPOUT_PURPOSE 0x64726f70u

#define GST_TYPE_CNN_DROPOUT_MODE (gst_cnn_dropout_mode_get_type ())
static GType
gst_cnn_dropout_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_DROPOUT_ELEMENT, "Each value (nn.Dropout)", "element"},
    {CNN_DROPOUT_CHANNEL, "Whole channels (nn.Dropout2d)", "channel"},
    {CNN_DROPOUT_BLOCK, "Square blocks (DropBlock)", "block"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnDropoutMode", values);
}

static GstStaticPadTemplate gst_cnn_dropout_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));
static GstStaticPadTemplate gst_cnn_dropout_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));

G_DEFINE_TYPE (GstCnnDropout, gst_cnn_dropout, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnndropout, "cnndropout", GST_RANK_NONE, GST_TYPE_CNN_DROPOUT);

static void
gst_cnn_dropout_free_buffers (GstCnnFilter * filter)
{
  GstCnnDropout *self = GST_CNN_DROPOUT (filter);

  cnn_tensor_release (&self->planes);
  g_clear_pointer (&self->mask, cnn_aligned_free);
}

static gboolean
gst_cnn_dropout_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnDropout *self = GST_CNN_DROPOUT (filter);
  const gint *d = in->tensor.dims;
  cnn_dropout_params p;
  cnn_tensor shape = { 0 };

  if (!GST_CNN_FILTER_CLASS (gst_cnn_dropout_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  gst_cnn_dropout_free_buffers (filter);
  gst_cnn_filter_info_size (in, &self->width, &self->height, &self->channels);
  shape.ndim = 4;
  shape.shape[0] = in->is_tensor ? d[GST_CNN_TENSOR_N] : 1;
  shape.shape[1] = self->channels;
  shape.shape[2] = self->height;
  shape.shape[3] = self->width;
  if (!in->is_tensor && cnn_tensor_alloc (&self->planes, 4, shape.shape) != CNN_OK)
    goto no_memory;
  /* block mode needs the mask: sized for the largest (element) mask, so a
   * mode change while playing needs nothing new */
  cnn_dropout_params_init (&p, CNN_DROPOUT_ELEMENT, 0, 0);
  if (!(self->mask = cnn_aligned_alloc (cnn_dropout_mask_size (&p, &shape))))
    goto no_memory;
  return TRUE;

no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate %dx%d buffers",
            self->width, self->height), (NULL));
    gst_cnn_dropout_free_buffers (filter);
    return FALSE;
  }
}

static gboolean
gst_cnn_dropout_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnDropout *self = GST_CNN_DROPOUT (filter);
  GstCnnDropoutSettings s;
  cnn_dropout_params p;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);
  cnn_dropout_params_init (&p, s.mode, s.seed, cnn_rng_purpose (DROPOUT_PURPOSE,
          gst_cnn_filter_frame_number (filter)));
  p.p = s.ratio;
  p.block_size = s.block_size;
  p.training = 1;

  if (in->info->is_tensor) {
    if (cnn_dropout_forward (ctx, &p, &in->tensor, &out->tensor, self->mask) != CNN_OK)
      goto failed;
    return TRUE;
  }
  gst_cnn_filter_unpack_video (ctx, &in->video, &self->planes, 1.0f);
  if (cnn_dropout_forward (ctx, &p, &self->planes, &self->planes, self->mask) != CNN_OK)
    goto failed;
  gst_cnn_filter_pack_video (ctx, &self->planes, &in->video, &out->video, 1.0f, 0.0f);
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: %s", GST_OBJECT_NAME (self),
            cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static void
gst_cnn_dropout_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnDropout *self = GST_CNN_DROPOUT (object);
  gboolean training;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_RATIO:
      self->props.ratio = (gfloat) g_value_get_double (value);
      break;
    case PROP_MODE:
      self->props.mode = g_value_get_enum (value);
      break;
    case PROP_BLOCK_SIZE:
      self->props.block_size = g_value_get_int (value);
      break;
    case PROP_SEED:
      self->props.seed = g_value_get_uint64 (value);
      break;
    case PROP_TRAINING:
      self->props.training = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  training = self->props.training;
  GST_OBJECT_UNLOCK (self);
  /* inference is the identity: no copy, no work */
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), !training);
}

static void
gst_cnn_dropout_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnDropout *self = GST_CNN_DROPOUT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_RATIO:
      g_value_set_double (value, self->props.ratio);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->props.mode);
      break;
    case PROP_BLOCK_SIZE:
      g_value_set_int (value, self->props.block_size);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->props.seed);
      break;
    case PROP_TRAINING:
      g_value_set_boolean (value, self->props.training);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_dropout_class_init (GstCnnDropoutClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_dropout_debug, "cnndropout", 0, "gst-cnn dropout");

  gobject_class->set_property = gst_cnn_dropout_set_property;
  gobject_class->get_property = gst_cnn_dropout_get_property;

  g_object_class_install_property (gobject_class, PROP_RATIO,
      g_param_spec_double ("ratio", "Ratio", "Drop probability", 0.0, 0.999,
          DEFAULT_PROP_RATIO, flags));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "What is dropped", GST_TYPE_CNN_DROPOUT_MODE,
          DEFAULT_PROP_MODE, flags));
  g_object_class_install_property (gobject_class, PROP_BLOCK_SIZE,
      g_param_spec_int ("block-size", "Block size", "Side of DropBlock's squares", 1, 1024,
          DEFAULT_PROP_BLOCK_SIZE, flags));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed", "Key of the masks (with the buffer number)", 0,
          G_MAXUINT64, DEFAULT_PROP_SEED, flags));
  g_object_class_install_property (gobject_class, PROP_TRAINING,
      g_param_spec_boolean ("training", "Training",
          "Drop (TRUE) or pass buffers through untouched (FALSE)", DEFAULT_PROP_TRAINING,
          flags));

  gst_element_class_set_static_metadata (element_class, "CNN dropout",
      "Filter/Effect/Video",
      "Element, channel and block dropout on tensors and video, seeded",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_dropout_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_dropout_src_template);

  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_dropout_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_dropout_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_dropout_free_buffers);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_DROPOUT_MODE, 0);
}

static void
gst_cnn_dropout_init (GstCnnDropout * self)
{
  self->props.ratio = DEFAULT_PROP_RATIO;
  self->props.mode = DEFAULT_PROP_MODE;
  self->props.block_size = DEFAULT_PROP_BLOCK_SIZE;
  self->props.seed = DEFAULT_PROP_SEED;
  self->props.training = DEFAULT_PROP_TRAINING;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}
