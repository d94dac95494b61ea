/**
 * SECTION:element-cnnconv
 * @title: cnnconv
 *
 * Convolves every colour channel (packed RGB), the gray plane or the luma
 * plane (I420, NV12) with a preset or given kernel, as a convolution layer
 * of a CNN would (cross-correlation, like PyTorch), with stride, padding,
 * padding mode and dilation. The output frame size follows from them and is
 * fixed at caps negotiation. Float results map back to pixels after
 * `scale` and `offset` by `output`: abs (edge responses of either sign),
 * clamp, or signed (mid-grey 128 + value).
 *
 * On float32 tensors (other/tensors, W:H:C:N) every one of the C channels is
 * convolved with the kernel (depthwise), and the float result goes out as
 * is: scale, offset and output shape pixels only.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! video/x-raw,format=GRAY8 ! cnnconv kernel=sobel-x output=abs ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=640,height=480 ! cnnconv weights="0,1,0;1,-4,1;0,1,0" stride=2 output=signed ! videoconvert ! pngenc ! filesink location=laplacian.png
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=3 ! cnntensorize ! cnnconv kernel=sobel-x ! cnnvisualize ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstcnnconv.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_conv_debug);
#define GST_CAT_DEFAULT gst_cnn_conv_debug

#define MAX_KERNEL 31

typedef enum
{
  KERNEL_IDENTITY,
  KERNEL_BOX,
  KERNEL_GAUSSIAN,
  KERNEL_SHARPEN,
  KERNEL_EMBOSS,
  KERNEL_SOBEL_X,
  KERNEL_SOBEL_Y,
  KERNEL_SCHARR_X,
  KERNEL_SCHARR_Y,
  KERNEL_PREWITT_X,
  KERNEL_PREWITT_Y,
  KERNEL_LAPLACIAN,
  KERNEL_LAPLACIAN_DIAG,
  KERNEL_CURVE,
} GstCnnConvKernel;

typedef struct
{
  gint size;
  gfloat w[49];
} KernelPreset;

/* Indexed by GstCnnConvKernel. */
static const KernelPreset kernel_presets[] = {
  {3, {0, 0, 0, 0, 1, 0, 0, 0, 0}},
  {3, {1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f}},
  {3, {1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f,
              1 / 16.f}},
  {3, {0, -1, 0, -1, 5, -1, 0, -1, 0}},
  {3, {-2, -1, 0, -1, 1, 1, 0, 1, 2}},
  {3, {-1, 0, 1, -2, 0, 2, -1, 0, 1}},
  {3, {-1, -2, -1, 0, 0, 0, 1, 2, 1}},
  {3, {-3, 0, 3, -10, 0, 10, -3, 0, 3}},
  {3, {-3, -10, -3, 0, 0, 0, 3, 10, 3}},
  {3, {-1, 0, 1, -1, 0, 1, -1, 0, 1}},
  {3, {-1, -1, -1, 0, 0, 0, 1, 1, 1}},
  {3, {0, 1, 0, 1, -4, 1, 0, 1, 0}},
  {3, {1, 1, 1, 1, -8, 1, 1, 1, 1}},
  /* the lecture's curve detector: weights 30 along a curve */
  {7, {0, 0, 0, 0, 0, 30, 0,
              0, 0, 0, 0, 30, 0, 0,
              0, 0, 0, 30, 0, 0, 0,
              0, 0, 0, 30, 0, 0, 0,
              0, 0, 0, 30, 0, 0, 0,
              0, 0, 0, 30, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0}},
};

#define PADDING_SAME (-1)

/* Everything the properties say, parsed; copied whole between the property
 * side and the streaming side. */
typedef struct
{
  gint kh, kw;
  gfloat weights[MAX_KERNEL * MAX_KERNEL];
  gint stride, dilation;
  gint padding;                 /* PADDING_SAME, or pixels on each side */
  cnn_pad_mode pad_mode;
  gfloat scale, offset;
  cnn_pixel_output output;
  gchar error[256];             /* why the properties are unusable; "" if fine */
} GstCnnConvSettings;

struct _GstCnnConv
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  GstCnnConvKernel kernel;
  gchar *weights_text;
  gchar *padding_text;
  GstCnnConvSettings props;
  gboolean props_changed;

  /* streaming thread: what the negotiated caps were built with */
  GstCnnConvSettings active;
  cnn_conv2d_params params;
  gint channels, in_w, in_h;
  cnn_tensor x, y, w;           /* x, y: float planes of video */
  void *workspace;
  size_t workspace_size;
};

enum
{
  PROP_0,
  PROP_KERNEL,
  PROP_WEIGHTS,
  PROP_STRIDE,
  PROP_PADDING,
  PROP_PADDING_MODE,
  PROP_DILATION,
  PROP_SCALE,
  PROP_OFFSET,
  PROP_OUTPUT,
};

#define DEFAULT_PROP_KERNEL KERNEL_IDENTITY
#define DEFAULT_PROP_WEIGHTS NULL
#define DEFAULT_PROP_STRIDE 1
#define DEFAULT_PROP_PADDING "same"
#define DEFAULT_PROP_PADDING_MODE CNN_PAD_ZEROS
#define DEFAULT_PROP_DILATION 1
#define DEFAULT_PROP_SCALE 1.0
#define DEFAULT_PROP_OFFSET 0.0
#define DEFAULT_PROP_OUTPUT CNN_PIXEL_CLAMP

#define GST_TYPE_CNN_CONV_KERNEL (gst_cnn_conv_kernel_get_type ())
static GType
gst_cnn_conv_kernel_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {KERNEL_IDENTITY, "Identity 3x3", "identity"},
    {KERNEL_BOX, "Box blur 3x3", "box"},
    {KERNEL_GAUSSIAN, "Gaussian blur 3x3 (1 2 1)", "gaussian"},
    {KERNEL_SHARPEN, "Sharpen 3x3", "sharpen"},
    {KERNEL_EMBOSS, "Emboss 3x3", "emboss"},
    {KERNEL_SOBEL_X, "Sobel, horizontal gradient", "sobel-x"},
    {KERNEL_SOBEL_Y, "Sobel, vertical gradient", "sobel-y"},
    {KERNEL_SCHARR_X, "Scharr, horizontal gradient", "scharr-x"},
    {KERNEL_SCHARR_Y, "Scharr, vertical gradient", "scharr-y"},
    {KERNEL_PREWITT_X, "Prewitt, horizontal gradient", "prewitt-x"},
    {KERNEL_PREWITT_Y, "Prewitt, vertical gradient", "prewitt-y"},
    {KERNEL_LAPLACIAN, "Laplacian, 4 neighbours", "laplacian"},
    {KERNEL_LAPLACIAN_DIAG, "Laplacian, 8 neighbours", "laplacian-diag"},
    {KERNEL_CURVE, "The lecture's 7x7 curve detector (weights 30)", "curve"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnConvKernel", values);
}

#define GST_TYPE_CNN_PADDING_MODE (gst_cnn_padding_mode_get_type ())
static GType
gst_cnn_padding_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_PAD_ZEROS, "Zeros", "zeros"},
    {CNN_PAD_REFLECT, "Mirror without repeating the edge (d c b | a b c d)", "reflect"},
    {CNN_PAD_REPLICATE, "Repeat the edge pixel (a a a | a b c d)", "replicate"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnPaddingMode", values);
}

#define GST_TYPE_CNN_CONV_OUTPUT (gst_cnn_conv_output_get_type ())
static GType
gst_cnn_conv_output_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_PIXEL_ABS, "Absolute value, saturated", "abs"},
    {CNN_PIXEL_CLAMP, "Saturated to the pixel range", "clamp"},
    {CNN_PIXEL_SIGNED, "Mid-grey (128) plus the value, saturated", "signed"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnConvOutput", values);
}

static GstStaticPadTemplate gst_cnn_conv_sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));
static GstStaticPadTemplate gst_cnn_conv_src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));

G_DEFINE_TYPE (GstCnnConv, gst_cnn_conv, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnconv, "cnnconv", GST_RANK_NONE, GST_TYPE_CNN_CONV);

/* Parse "a,b,c;d,e,f" into s->weights; FALSE with s->error set. */
static gboolean
parse_weights (GstCnnConvSettings * s, const gchar * text)
{
  gchar **rows = g_strsplit (text, ";", -1);
  gint r, c, n_rows = g_strv_length (rows), n_cols = 0;
  gboolean ok = FALSE;

  if (n_rows > MAX_KERNEL) {
    g_snprintf (s->error, sizeof s->error, "weights: %d rows, at most %d", n_rows,
        MAX_KERNEL);
    goto done;
  }
  for (r = 0; r < n_rows; r++) {
    gchar **cols = g_strsplit (rows[r], ",", -1);
    gint n = g_strv_length (cols);

    if (r == 0)
      n_cols = n;
    if (n != n_cols || n == 0 || n > MAX_KERNEL) {
      g_snprintf (s->error, sizeof s->error,
          "weights: row %d has %d values, row 1 has %d (at most %d)", r + 1, n, n_cols,
          MAX_KERNEL);
      g_strfreev (cols);
      goto done;
    }
    for (c = 0; c < n; c++) {
      gchar *end;
      gdouble v = g_ascii_strtod (cols[c], &end);

      while (g_ascii_isspace (*end))
        end++;
      if (end == cols[c] || *end) {
        g_snprintf (s->error, sizeof s->error,
            "weights: '%s' (row %d, column %d) is not a number", g_strstrip (cols[c]), r + 1,
            c + 1);
        g_strfreev (cols);
        goto done;
      }
      s->weights[r * n_cols + c] = (gfloat) v;
    }
    g_strfreev (cols);
  }
  s->kh = n_rows;
  s->kw = n_cols;
  ok = TRUE;
done:
  g_strfreev (rows);
  return ok;
}

static gboolean
parse_padding (GstCnnConvSettings * s, const gchar * text)
{
  gchar *end;
  gint64 n;

  if (!g_strcmp0 (text, "same")) {
    s->padding = PADDING_SAME;
    return TRUE;
  }
  if (!g_strcmp0 (text, "valid")) {
    s->padding = 0;
    return TRUE;
  }
  n = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end || n < 0 || n > 1024) {
    g_snprintf (s->error, sizeof s->error,
        "padding: '%s' is neither same, valid nor a number of pixels 0..1024", text);
    return FALSE;
  }
  s->padding = (gint) n;
  return TRUE;
}

/* Rebuild the parsed settings from the properties (object lock held). */
static void
gst_cnn_conv_update_settings (GstCnnConv * self)
{
  GstCnnConvSettings *s = &self->props;

  s->error[0] = '\0';
  if (self->weights_text && *self->weights_text) {
    if (!parse_weights (s, self->weights_text))
      return;
  } else {
    const KernelPreset *k = &kernel_presets[self->kernel];

    s->kh = s->kw = k->size;
    memcpy (s->weights, k->w, sizeof (gfloat) * k->size * k->size);
  }
  if (!parse_padding (s, self->padding_text))
    return;
  if (s->padding == PADDING_SAME && (s->kh % 2 == 0 || s->kw % 2 == 0))
    g_snprintf (s->error, sizeof s->error,
        "padding: 'same' needs an odd kernel, the weights are %dx%d (use padding=valid "
        "or a number)", s->kw, s->kh);
}

static gboolean
same_geometry (const GstCnnConvSettings * a, const GstCnnConvSettings * b)
{
  return a->kh == b->kh && a->kw == b->kw && a->stride == b->stride &&
      a->dilation == b->dilation && a->padding == b->padding;
}

/* Convolution parameters of s for an input of in_w x in_h. */
static void
settings_to_params (const GstCnnConvSettings * s, gint in_w, gint in_h, cnn_conv2d_params * p)
{
  cnn_conv2d_params_init (p, s->kh, s->kw);
  p->stride_h = p->stride_w = s->stride;
  p->dilation_h = p->dilation_w = s->dilation;
  p->pad_mode = s->pad_mode;
  if (s->padding == PADDING_SAME) {
    cnn_conv2d_pad_same (p, in_h, in_w);
  } else {
    p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = s->padding;
  }
}

/* Output length of one dimension (in 64 bits: caps ranges reach G_MAXINT). */
static gint64
out_length (const GstCnnConvSettings * s, gint k, gint64 in)
{
  gint64 span = (gint64) s->dilation * (k - 1) + 1;

  if (s->padding == PADDING_SAME)
    return (in + s->stride - 1) / s->stride;
  return (in + 2 * s->padding - span) / s->stride + 1;
}

/* Smallest input length the kernel fits in. */
static gint64
min_in_length (const GstCnnConvSettings * s, gint k)
{
  gint64 span = (gint64) s->dilation * (k - 1) + 1;
  gint64 min = s->padding == PADDING_SAME ? 1 : MAX (1, span - 2 * s->padding);

  /* reflect padding must be shorter than the input */
  if (s->pad_mode == CNN_PAD_REFLECT)
    min = MAX (min, (s->padding == PADDING_SAME ? span / 2 : s->padding) + 1);
  return min;
}

static gboolean
gst_cnn_conv_map_size (gpointer user_data, GstPadDirection direction, gboolean horizontal,
    gint in_lo, gint in_hi, gint * out_lo, gint * out_hi)
{
  const GstCnnConvSettings *s = user_data;
  gint k = horizontal ? s->kw : s->kh;
  gint64 min = min_in_length (s, k), lo, hi;

  if (direction == GST_PAD_SINK) {
    if (in_hi < min)
      return FALSE;
    lo = out_length (s, k, MAX (in_lo, min));
    hi = out_length (s, k, in_hi);
  } else {
    /* every input whose output length lies in [in_lo, in_hi] */
    gint64 span = (gint64) s->dilation * (k - 1) + 1;
    gint64 base = s->padding == PADDING_SAME ? 1 : span - 2 * s->padding;

    lo = MAX ((gint64) (in_lo - 1) * s->stride + base, min);
    hi = (gint64) (in_hi - 1) * s->stride + base + s->stride - 1;
  }
  if (lo > hi || hi < 1)
    return FALSE;
  *out_lo = (gint) MIN (lo, G_MAXINT);
  *out_hi = (gint) MIN (hi, G_MAXINT);
  return TRUE;
}

static GstCaps *
gst_cnn_conv_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnConv *self = GST_CNN_CONV (trans);
  GstCnnConvSettings s;
  GstCaps *ret;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);

  /* Unusable properties keep the size, so pipelines link; start() and
   * set_info() report them by name. */
  if (s.error[0])
    ret = gst_caps_copy (caps);
  else
    ret = gst_cnn_transform_size_caps (caps, direction, gst_cnn_conv_map_size, &s);
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

static gchar *
gst_cnn_conv_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnConv *self = GST_CNN_CONV (filter);
  GstCnnConvSettings s;
  GstCnnFilterInfo info;
  cnn_conv2d_params p;
  gint w, h, c, oh, ow;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);
  if (s.error[0])
    return g_strdup_printf ("%s: %s", GST_OBJECT_NAME (self), s.error);
  if (!incaps || !gst_cnn_filter_info_from_caps (&info, incaps))
    return NULL;
  gst_cnn_filter_info_size (&info, &w, &h, &c);
  settings_to_params (&s, w, h, &p);
  if (cnn_conv2d_output_size (&p, h, w, &oh, &ow) != CNN_OK)
    return g_strdup_printf ("%s: kernel %dx%d, stride %d, dilation %d, padding %s do not "
        "fit a %dx%d frame (%s)", GST_OBJECT_NAME (self), s.kw, s.kh, s.stride,
        s.dilation, self->padding_text, w, h, cnn_last_error ());
  return NULL;
}

static void
gst_cnn_conv_free_buffers (GstCnnFilter * filter)
{
  GstCnnConv *self = GST_CNN_CONV (filter);

  cnn_tensor_release (&self->x);
  cnn_tensor_release (&self->y);
  cnn_tensor_release (&self->w);
  cnn_aligned_free (self->workspace);
  self->workspace = NULL;
  self->workspace_size = 0;
}

/* One copy of the kernel per channel (depthwise convolution). */
static void
gst_cnn_conv_fill_weights (GstCnnConv * self)
{
  size_t n = (size_t) self->active.kh * self->active.kw;
  gint c;

  for (c = 0; c < self->channels; c++)
    memcpy (self->w.data + c * n, self->active.weights, n * sizeof (gfloat));
}

/* The workspace for the negotiated size and this context's threads. */
static gboolean
gst_cnn_conv_plan (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnConv *self = GST_CNN_CONV (filter);
  size_t need = cnn_conv2d_workspace_size (&self->params, self->channels, self->in_h,
      self->in_w, cnn_context_threads (ctx));

  if (need <= self->workspace_size)
    return TRUE;
  cnn_aligned_free (self->workspace);
  self->workspace = cnn_aligned_alloc (need);
  self->workspace_size = self->workspace ? need : 0;
  if (!self->workspace)
    goto no_memory;
  GST_DEBUG_OBJECT (self, "workspace %zu bytes", need);
  return TRUE;

no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not allocate a %zu-byte workspace", need), (NULL));
    return FALSE;
  }
}

static gboolean
gst_cnn_conv_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnConv *self = GST_CNN_CONV (filter);
  gint w, h, out_w, out_h, out_c, ow, oh;
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_conv_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_conv_explain_caps (GST_CNN_FILTER (self), incaps);
  if (msg)
    goto bad_properties;

  GST_OBJECT_LOCK (self);
  self->active = self->props;
  self->props_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_cnn_filter_info_size (in, &w, &h, &self->channels);
  gst_cnn_filter_info_size (out, &out_w, &out_h, &out_c);
  settings_to_params (&self->active, w, h, &self->params);
  cnn_conv2d_output_size (&self->params, h, w, &oh, &ow);
  if (ow != out_w || oh != out_h || out_c != self->channels)
    goto wrong_output_size;

  self->in_w = w;
  self->in_h = h;
  self->params.groups = self->channels;
  gst_cnn_conv_free_buffers (filter);
  /* video goes through float planes; tensors are convolved in place */
  if ((!in->is_tensor && (cnn_tensor_alloc_nchw (&self->x, 1, self->channels, h, w) != CNN_OK
              || cnn_tensor_alloc_nchw (&self->y, 1, self->channels, oh, ow) != CNN_OK)) ||
      cnn_tensor_alloc_nchw (&self->w, self->channels, 1, self->active.kh,
          self->active.kw) != CNN_OK)
    goto no_memory;
  gst_cnn_conv_fill_weights (self);
  GST_DEBUG_OBJECT (self, "%dx%d -> %dx%d, kernel %dx%d, %d channels", w, h, ow, oh,
      self->active.kw, self->active.kh, self->channels);
  return gst_cnn_conv_plan (GST_CNN_FILTER (self),
      gst_cnn_filter_context (GST_CNN_FILTER (self)));

bad_properties:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
wrong_output_size:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("%s: output caps are %dx%d with %d channels, the properties give %dx%d with %d",
            GST_OBJECT_NAME (self), out_w, out_h, out_c, ow, oh, self->channels), (NULL));
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate %dx%d buffers",
            w, h), ("%s", cnn_last_error ()));
    gst_cnn_conv_free_buffers (filter);
    return FALSE;
  }
}

/* Take property changes that keep the negotiated size; the others wait for
 * the renegotiation set_property asked for. */
static void
gst_cnn_conv_apply_changes (GstCnnConv * self)
{
  gchar *msg = NULL;

  GST_OBJECT_LOCK (self);
  if (self->props_changed && self->props.error[0])
    msg = g_strdup_printf ("%s: %s", GST_OBJECT_NAME (self), self->props.error);
  else if (self->props_changed && same_geometry (&self->props, &self->active)) {
    self->active = self->props;
    self->props_changed = FALSE;
    self->params.pad_mode = self->active.pad_mode;
    gst_cnn_conv_fill_weights (self);
    GST_DEBUG_OBJECT (self, "properties applied to the stream");
  }
  GST_OBJECT_UNLOCK (self);
  if (msg)
    gst_cnn_filter_warn_properties (GST_CNN_FILTER (self), msg);
  g_free (msg);
}

/* Video: components to float planes, convolved, packed back with scale,
 * offset and output. */
static cnn_status
gst_cnn_conv_filter_video (GstCnnConv * self, cnn_context * ctx, GstVideoFrame * in,
    GstVideoFrame * out)
{
  const GstCnnConvSettings *s = &self->active;
  gint c, comp, n_comp = GST_VIDEO_FRAME_N_COMPONENTS (in);
  size_t in_plane = (size_t) self->x.shape[2] * self->x.shape[3];
  size_t out_plane = (size_t) self->y.shape[2] * self->y.shape[3];
  gboolean same_size = self->x.shape[2] == self->y.shape[2] &&
      self->x.shape[3] == self->y.shape[3];
  cnn_status st;

  for (c = 0; c < self->channels; c++) {
    cnn_pixel_plane p = gst_cnn_component_plane (in, c);

    cnn_pixels_unpack (ctx, &p, self->x.data + c * in_plane, self->x.shape[3], 1.0f);
  }
  st = cnn_conv2d_forward (ctx, &self->params, &self->x, &self->w, NULL, &self->y,
      self->workspace);
  if (st != CNN_OK)
    return st;
  for (c = 0; c < self->channels; c++) {
    cnn_pixel_plane p = gst_cnn_component_plane (out, c);

    cnn_pixels_pack (ctx, self->y.data + c * out_plane, self->y.shape[3], &p, s->scale,
        s->offset, s->output);
  }
  /* chroma of a plain filtered picture is kept; of a response (abs, signed)
   * or a resized one it is neutral grey. Alpha is kept, or opaque. */
  for (comp = self->channels; comp < n_comp; comp++) {
    cnn_pixel_plane src = gst_cnn_component_plane (in, comp);
    cnn_pixel_plane dst = gst_cnn_component_plane (out, comp);
    gboolean alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (in->info.finfo) && comp == 3;
    gboolean keep = same_size && (alpha || s->output == CNN_PIXEL_CLAMP);

    if (keep)
      cnn_pixels_copy (ctx, &src, &dst);
    else
      cnn_pixels_fill (ctx, &dst, alpha ? cnn_pixel_max (dst.depth) : 128);
  }
  return CNN_OK;
}

static gboolean
gst_cnn_conv_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnConv *self = GST_CNN_CONV (filter);
  cnn_status st;

  gst_cnn_conv_apply_changes (self);
  if (in->info->is_tensor)
    st = cnn_conv2d_forward (ctx, &self->params, &in->tensor, &self->w, NULL, &out->tensor,
        self->workspace);
  else
    st = gst_cnn_conv_filter_video (self, ctx, &in->video, &out->video);
  if (st != CNN_OK)
    goto conv_failed;
  return TRUE;

conv_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: convolution failed",
            GST_OBJECT_NAME (self)), ("%s", cnn_last_error ()));
    return FALSE;
  }
}

/* One layer: the kernel's size, stride, dilation and padding; 'same'
 * padding is resolved from the frame size by the receptive-field code. */
static guint
gst_cnn_conv_rf_layers (GstCnnFilter * filter, const GstCnnFilterInfo * in, cnn_rf_layer * x,
    cnn_rf_layer * y)
{
  GstCnnConv *self = GST_CNN_CONV (filter);
  GstCnnConvSettings s;
  gboolean same;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);
  if (s.error[0])
    return 0;
  same = s.padding == PADDING_SAME;
  *x = (cnn_rf_layer) {
  s.kw, s.stride, same ? 0 : s.padding, s.dilation, "cnnconv", same};
  *y = (cnn_rf_layer) {
  s.kh, s.stride, same ? 0 : s.padding, s.dilation, "cnnconv", same};
  return 1;
}

static void
gst_cnn_conv_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnConv *self = GST_CNN_CONV (object);
  GstCnnConvSettings before;
  gboolean renegotiate;

  GST_OBJECT_LOCK (self);
  before = self->props;
  switch (prop_id) {
    case PROP_KERNEL:
      self->kernel = g_value_get_enum (value);
      break;
    case PROP_WEIGHTS:
      g_free (self->weights_text);
      self->weights_text = g_value_dup_string (value);
      break;
    case PROP_STRIDE:
      self->props.stride = g_value_get_int (value);
      break;
    case PROP_PADDING:
      gst_cnn_set_text (&self->padding_text, value, DEFAULT_PROP_PADDING);
      break;
    case PROP_PADDING_MODE:
      self->props.pad_mode = g_value_get_enum (value);
      break;
    case PROP_DILATION:
      self->props.dilation = g_value_get_int (value);
      break;
    case PROP_SCALE:
      self->props.scale = (gfloat) g_value_get_double (value);
      break;
    case PROP_OFFSET:
      self->props.offset = (gfloat) g_value_get_double (value);
      break;
    case PROP_OUTPUT:
      self->props.output = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  gst_cnn_conv_update_settings (self);
  self->props_changed = TRUE;
  /* unusable values are left to the streaming thread's warning */
  renegotiate = !self->props.error[0] && (!same_geometry (&before, &self->props) ||
      self->props.pad_mode != before.pad_mode);
  GST_OBJECT_UNLOCK (self);

  if (renegotiate)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_cnn_conv_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnConv *self = GST_CNN_CONV (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_KERNEL:
      g_value_set_enum (value, self->kernel);
      break;
    case PROP_WEIGHTS:
      g_value_set_string (value, self->weights_text);
      break;
    case PROP_STRIDE:
      g_value_set_int (value, self->props.stride);
      break;
    case PROP_PADDING:
      g_value_set_string (value, self->padding_text);
      break;
    case PROP_PADDING_MODE:
      g_value_set_enum (value, self->props.pad_mode);
      break;
    case PROP_DILATION:
      g_value_set_int (value, self->props.dilation);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->props.scale);
      break;
    case PROP_OFFSET:
      g_value_set_double (value, self->props.offset);
      break;
    case PROP_OUTPUT:
      g_value_set_enum (value, self->props.output);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_conv_finalize (GObject * object)
{
  GstCnnConv *self = GST_CNN_CONV (object);

  g_free (self->weights_text);
  g_free (self->padding_text);
  G_OBJECT_CLASS (gst_cnn_conv_parent_class)->finalize (object);
}

static void
gst_cnn_conv_class_init (GstCnnConvClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_conv_debug, "cnnconv", 0, "gst-cnn convolution");

  gobject_class->set_property = gst_cnn_conv_set_property;
  gobject_class->get_property = gst_cnn_conv_get_property;
  gobject_class->finalize = gst_cnn_conv_finalize;

  g_object_class_install_property (gobject_class, PROP_KERNEL,
      g_param_spec_enum ("kernel", "Kernel", "Preset kernel (unless weights is set)",
          GST_TYPE_CNN_CONV_KERNEL, DEFAULT_PROP_KERNEL, flags));
  g_object_class_install_property (gobject_class, PROP_WEIGHTS,
      g_param_spec_string ("weights", "Weights",
          "Kernel as text, rows separated by ';' and values by ',', e.g. "
          "\"0,1,0;1,-4,1;0,1,0\" (at most 31x31); overrides kernel when set",
          DEFAULT_PROP_WEIGHTS, flags));
  g_object_class_install_property (gobject_class, PROP_STRIDE,
      g_param_spec_int ("stride", "Stride", "Step between output pixels, both directions",
          1, 64, DEFAULT_PROP_STRIDE, flags));
  g_object_class_install_property (gobject_class, PROP_PADDING,
      g_param_spec_string ("padding", "Padding",
          "'same' (output size = ceil(input / stride), odd kernels), 'valid' (none) or "
          "pixels added on each side", DEFAULT_PROP_PADDING, flags));
  g_object_class_install_property (gobject_class, PROP_PADDING_MODE,
      g_param_spec_enum ("padding-mode", "Padding mode", "Values of the padding pixels",
          GST_TYPE_CNN_PADDING_MODE, DEFAULT_PROP_PADDING_MODE, flags));
  g_object_class_install_property (gobject_class, PROP_DILATION,
      g_param_spec_int ("dilation", "Dilation", "Spacing between kernel taps", 1, 64,
          DEFAULT_PROP_DILATION, flags));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_double ("scale", "Scale", "Factor on the result before output mapping",
          -G_MAXFLOAT, G_MAXFLOAT, DEFAULT_PROP_SCALE, flags));
  g_object_class_install_property (gobject_class, PROP_OFFSET,
      g_param_spec_double ("offset", "Offset", "Added to the result after scale",
          -G_MAXFLOAT, G_MAXFLOAT, DEFAULT_PROP_OFFSET, flags));
  g_object_class_install_property (gobject_class, PROP_OUTPUT,
      g_param_spec_enum ("output", "Output", "How float results map back to pixels",
          GST_TYPE_CNN_CONV_OUTPUT, DEFAULT_PROP_OUTPUT, flags));

  gst_element_class_set_static_metadata (element_class, "CNN convolution",
      "Filter/Effect/Video",
      "Convolves video with a preset or given kernel, with stride, padding and dilation",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_conv_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_conv_src_template);

  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_conv_transform_caps);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_conv_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_conv_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_conv_free_buffers);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_conv_explain_caps);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_conv_plan);
  cnn_class->rf_layers = GST_DEBUG_FUNCPTR (gst_cnn_conv_rf_layers);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_CONV_KERNEL, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_PADDING_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_CONV_OUTPUT, 0);
}

static void
gst_cnn_conv_init (GstCnnConv * self)
{
  self->kernel = DEFAULT_PROP_KERNEL;
  self->padding_text = g_strdup (DEFAULT_PROP_PADDING);
  self->props.stride = DEFAULT_PROP_STRIDE;
  self->props.dilation = DEFAULT_PROP_DILATION;
  self->props.pad_mode = DEFAULT_PROP_PADDING_MODE;
  self->props.scale = DEFAULT_PROP_SCALE;
  self->props.offset = DEFAULT_PROP_OFFSET;
  self->props.output = DEFAULT_PROP_OUTPUT;
  gst_cnn_conv_update_settings (self);
}
