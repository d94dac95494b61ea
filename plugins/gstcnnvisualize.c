/**
 * SECTION:element-cnnvisualize
 * @title: cnnvisualize
 *
 * A tensor (other/tensors, float32 or uint8, W:H:C:N) as video, so a user
 * sees what a layer sees: one channel (`mode=channel`, `channel`), or every
 * channel as a grid of feature maps (`mode=grid`, `columns` per row, 0 =
 * the smallest square), each map scaled to 0..255 from its own minimum and
 * maximum, or from the fixed range `min`..`max` when min < max (values
 * outside saturate). `colormap=gray` gives GRAY8; viridis and jet give RGB
 * through the core's colour tables. Batch item 0 is shown.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=30 ! cnntensorize ! cnnconv kernel=sobel-x ! cnnvisualize mode=grid colormap=viridis ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnvisualize.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_visualize_debug);
#define GST_CAT_DEFAULT gst_cnn_visualize_debug

typedef enum
{
  MODE_CHANNEL,
  MODE_GRID,
} GstCnnVisualizeMode;

typedef struct
{
  GstCnnVisualizeMode mode;
  gint channel, columns;
  cnn_colormap colormap;
  gfloat min, max;
} GstCnnVisualizeSettings;

struct _GstCnnVisualize
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  GstCnnVisualizeSettings props;

  /* streaming thread */
  GstCnnVisualizeSettings active;
  gint width, height, channels, columns, rows;
  guint8 lut[256][3];
  cnn_tensor stage;             /* uint8 tensors as floats */
  guint8 *canvas;               /* colour maps: the 8-bit indices */
};

enum
{
  PROP_0,
  PROP_MODE,
  PROP_CHANNEL,
  PROP_COLUMNS,
  PROP_COLORMAP,
  PROP_MIN,
  PROP_MAX,
};

#define DEFAULT_PROP_MODE MODE_GRID
#define DEFAULT_PROP_CHANNEL 0
#define DEFAULT_PROP_COLUMNS 0
#define DEFAULT_PROP_COLORMAP CNN_COLORMAP_GRAY
#define DEFAULT_PROP_MIN 0.0
#define DEFAULT_PROP_MAX 0.0

#define GST_TYPE_CNN_VISUALIZE_MODE (gst_cnn_visualize_mode_get_type ())
static GType
gst_cnn_visualize_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {MODE_CHANNEL, "One channel", "channel"},
    {MODE_GRID, "Every channel, as a grid of feature maps", "grid"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnVisualizeMode", values);
}

#define GST_TYPE_CNN_COLORMAP (gst_cnn_colormap_get_type ())
static GType
gst_cnn_colormap_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_COLORMAP_GRAY, "Gray (GRAY8 output)", "gray"},
    {CNN_COLORMAP_VIRIDIS, "Viridis (RGB output)", "viridis"},
    {CNN_COLORMAP_JET, "Jet (RGB output)", "jet"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnColormap", values);
}

static GstStaticPadTemplate gst_cnn_visualize_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_TENSOR_CAPS_MAKE (GST_CNN_TENSOR_TYPES_ALL)));
static GstStaticPadTemplate gst_cnn_visualize_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, RGB }")));

G_DEFINE_TYPE (GstCnnVisualize, gst_cnn_visualize, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnvisualize, "cnnvisualize", GST_RANK_NONE,
    GST_TYPE_CNN_VISUALIZE);

/* Grid of c maps: columns (0: the smallest square) by rows. */
static void
grid_shape (const GstCnnVisualizeSettings * s, gint c, gint * columns, gint * rows)
{
  if (s->mode == MODE_CHANNEL) {
    *columns = *rows = 1;
    return;
  }
  *columns = s->columns > 0 ? MIN (s->columns, c) : 1;
  while (s->columns <= 0 && *columns * *columns < c)
    (*columns)++;
  *rows = (c + *columns - 1) / *columns;
}

static GstCaps *
gst_cnn_visualize_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (trans);
  GstCnnVisualizeSettings s;
  GstCaps *ret = gst_caps_new_empty ();
  const gchar *format;
  guint i;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);
  format = s.colormap == CNN_COLORMAP_GRAY ? "GRAY8" : "RGB";

  for (i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *in = gst_caps_get_structure (caps, i);
    const GValue *fps = gst_structure_get_value (in, "framerate");
    GstStructure *out;

    if (direction == GST_PAD_SINK) {
      gint d[GST_CNN_TENSOR_RANK], columns, rows;

      if (!gst_cnn_structure_is_tensor (in))
        continue;
      out = gst_structure_new ("video/x-raw", "format", G_TYPE_STRING, format, NULL);
      if (gst_cnn_tensor_structure_get_dims (in, d)) {
        grid_shape (&s, d[GST_CNN_TENSOR_C], &columns, &rows);
        gst_structure_set (out, "width", G_TYPE_INT, d[GST_CNN_TENSOR_W] * columns, "height",
            G_TYPE_INT, d[GST_CNN_TENSOR_H] * rows, NULL);
      } else {
        gst_structure_set (out, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height",
            GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
      }
    } else {
      /* the tensor's size follows from its channels: any */
      out = gst_structure_new ("other/tensors", "format", G_TYPE_STRING, "static",
          "num_tensors", G_TYPE_INT, 1, NULL);
    }
    if (fps)
      gst_structure_set_value (out, "framerate", fps);
    ret = gst_caps_merge_structure (ret, out);
  }
  if (direction == GST_PAD_SRC) {
    GstCaps *legacy = gst_caps_from_string ("other/tensor");

    ret = gst_caps_merge (ret, legacy);
  }
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

static gchar *
gst_cnn_visualize_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (filter);
  GstCnnFilterInfo info;
  gint channel, w, h, c;

  GST_OBJECT_LOCK (self);
  channel = self->props.mode == MODE_CHANNEL ? self->props.channel : 0;
  GST_OBJECT_UNLOCK (self);
  if (!incaps || !gst_cnn_filter_info_from_caps (&info, incaps))
    return NULL;
  gst_cnn_filter_info_size (&info, &w, &h, &c);
  if (channel >= c)
    return g_strdup_printf ("%s: channel %d, the tensor has %d channels",
        GST_OBJECT_NAME (self), channel, c);
  return NULL;
}

static void
gst_cnn_visualize_free_buffers (GstCnnFilter * filter)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (filter);

  cnn_tensor_release (&self->stage);
  g_clear_pointer (&self->canvas, cnn_aligned_free);
}

static gboolean
gst_cnn_visualize_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (filter);
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_visualize_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_visualize_explain_caps (filter, incaps);
  if (msg)
    goto bad_properties;

  GST_OBJECT_LOCK (self);
  self->active = self->props;
  GST_OBJECT_UNLOCK (self);

  gst_cnn_visualize_free_buffers (filter);
  gst_cnn_filter_info_size (in, &self->width, &self->height, &self->channels);
  grid_shape (&self->active, self->channels, &self->columns, &self->rows);
  cnn_colormap_table (self->active.colormap, self->lut);
  if (in->tensor.type == GST_CNN_TENSOR_UINT8 &&
      cnn_tensor_alloc_nchw (&self->stage, 1, self->channels, self->height,
          self->width) != CNN_OK)
    goto no_memory;
  if (self->active.colormap != CNN_COLORMAP_GRAY &&
      !(self->canvas = cnn_aligned_alloc ((gsize) GST_VIDEO_INFO_WIDTH (&out->video) *
              GST_VIDEO_INFO_HEIGHT (&out->video))))
    goto no_memory;
  GST_DEBUG_OBJECT (self, "%d maps of %dx%d as %dx%d", self->channels, self->width,
      self->height, self->columns, self->rows);
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate buffers"),
        (NULL));
    gst_cnn_visualize_free_buffers (filter);
    return FALSE;
  }
}

static gboolean
gst_cnn_visualize_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (filter);
  const GstCnnVisualizeSettings *s = &self->active;
  gsize plane = (gsize) self->width * self->height;
  gint out_w = GST_VIDEO_FRAME_WIDTH (&out->video);
  gint out_h = GST_VIDEO_FRAME_HEIGHT (&out->video);
  cnn_pixel_plane canvas = gst_cnn_component_plane (&out->video, 0);
  const gfloat *maps = in->tensor.data;
  gint first = s->mode == MODE_CHANNEL ? s->channel : 0;
  gint n = s->mode == MODE_CHANNEL ? 1 : self->channels, k;

  if (self->stage.data) {
    for (k = 0; k < self->channels; k++) {
      cnn_pixel_plane p = { in->map.data + k * plane, self->width, 1, 8, self->width,
        self->height
      };

      cnn_pixels_unpack (ctx, &p, self->stage.data + k * plane, self->width, 1.0f);
    }
    maps = self->stage.data;
  }
  if (self->canvas) {
    canvas.data = self->canvas;
    canvas.stride = out_w;
    canvas.step = 1;
  }
  /* cells without a map show the lowest value */
  cnn_pixels_fill (ctx, &canvas, 0);
  for (k = 0; k < n; k++) {
    const gfloat *map = maps + (first + k) * plane;
    cnn_pixel_plane cell = canvas;
    gfloat lo = s->min, hi = s->max, scale;

    if (!(lo < hi))
      cnn_colormap_range_f32 (map, plane, &lo, &hi);
    scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    cell.data += (k / self->columns) * self->height * canvas.stride +
        (k % self->columns) * self->width * canvas.step;
    cell.width = self->width;
    cell.height = self->height;
    cnn_pixels_pack (ctx, map, self->width, &cell, scale, -lo * scale, CNN_PIXEL_CLAMP);
  }
  if (self->canvas) {
    const cnn_pixel_plane rgb[3] = { gst_cnn_component_plane (&out->video, 0),
      gst_cnn_component_plane (&out->video, 1), gst_cnn_component_plane (&out->video, 2)
    };

    canvas.width = out_w;
    canvas.height = out_h;
    cnn_colormap_apply (self->lut, &canvas, rgb);
  }
  return TRUE;
}

static void
gst_cnn_visualize_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->props.mode = g_value_get_enum (value);
      break;
    case PROP_CHANNEL:
      self->props.channel = g_value_get_int (value);
      break;
    case PROP_COLUMNS:
      self->props.columns = g_value_get_int (value);
      break;
    case PROP_COLORMAP:
      self->props.colormap = g_value_get_enum (value);
      break;
    case PROP_MIN:
      self->props.min = (gfloat) g_value_get_double (value);
      break;
    case PROP_MAX:
      self->props.max = (gfloat) g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_visualize_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnVisualize *self = GST_CNN_VISUALIZE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->props.mode);
      break;
    case PROP_CHANNEL:
      g_value_set_int (value, self->props.channel);
      break;
    case PROP_COLUMNS:
      g_value_set_int (value, self->props.columns);
      break;
    case PROP_COLORMAP:
      g_value_set_enum (value, self->props.colormap);
      break;
    case PROP_MIN:
      g_value_set_double (value, self->props.min);
      break;
    case PROP_MAX:
      g_value_set_double (value, self->props.max);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_visualize_class_init (GstCnnVisualizeClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_visualize_debug, "cnnvisualize", 0,
      "gst-cnn tensor to video");

  gobject_class->set_property = gst_cnn_visualize_set_property;
  gobject_class->get_property = gst_cnn_visualize_get_property;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "What is shown", GST_TYPE_CNN_VISUALIZE_MODE,
          DEFAULT_PROP_MODE, flags));
  g_object_class_install_property (gobject_class, PROP_CHANNEL,
      g_param_spec_int ("channel", "Channel", "The channel of mode=channel", 0, G_MAXINT,
          DEFAULT_PROP_CHANNEL, flags));
  g_object_class_install_property (gobject_class, PROP_COLUMNS,
      g_param_spec_int ("columns", "Columns",
          "Maps per row of mode=grid (0 = the smallest square grid)", 0, G_MAXINT,
          DEFAULT_PROP_COLUMNS, flags));
  g_object_class_install_property (gobject_class, PROP_COLORMAP,
      g_param_spec_enum ("colormap", "Colour map", "Colours of the values",
          GST_TYPE_CNN_COLORMAP, DEFAULT_PROP_COLORMAP, flags));
  g_object_class_install_property (gobject_class, PROP_MIN,
      g_param_spec_double ("min", "Minimum",
          "Value shown as 0 (with max; min >= max: each map's own range)", -G_MAXFLOAT,
          G_MAXFLOAT, DEFAULT_PROP_MIN, flags | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX,
      g_param_spec_double ("max", "Maximum", "Value shown as 255 (see min)", -G_MAXFLOAT,
          G_MAXFLOAT, DEFAULT_PROP_MAX, flags | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class, "CNN visualize",
      "Filter/Converter/Video",
      "Tensor channels as video: one map or a grid, gray or colour mapped",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_visualize_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_cnn_visualize_src_template);

  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_visualize_transform_caps);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_visualize_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_visualize_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_visualize_free_buffers);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_visualize_explain_caps);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_VISUALIZE_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_COLORMAP, 0);
}

static void
gst_cnn_visualize_init (GstCnnVisualize * self)
{
  self->props.mode = DEFAULT_PROP_MODE;
  self->props.channel = DEFAULT_PROP_CHANNEL;
  self->props.columns = DEFAULT_PROP_COLUMNS;
  self->props.colormap = DEFAULT_PROP_COLORMAP;
  self->props.min = DEFAULT_PROP_MIN;
  self->props.max = DEFAULT_PROP_MAX;
}
