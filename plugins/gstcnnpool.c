/**
 * SECTION:element-cnnpool
 * @title: cnnpool
 *
 * Pools every component of a video frame as a pooling layer of a CNN would:
 * windowed max, average, min, Lp or a max-average blend with kernel size,
 * stride, padding, dilation and ceil mode (PyTorch's max_pool2d /
 * avg_pool2d / lp_pool2d rules), global and adaptive pooling to a fixed
 * size, spatial pyramid pooling (max over 1x1, 2x2, 4x4... cells, laid out
 * along one row) and wavelet pooling (Haar low-low band). The output size
 * follows from the properties and is fixed at caps negotiation, so a
 * downstream capsfilter of another size fails when the pipeline links, with
 * a message naming the sizes. Chroma of subsampled YUV is averaged onto the
 * output's chroma grid. 8-bit max, min and average take libcnn's 8-bit path;
 * the other modes and GRAY16 are computed in float.
 *
 * Global and pyramid modes give a fixed-length vector: from video, a float32
 * tensor W:1:C:1 (other/tensors; C = 3 for RGB formats, 1 for gray and
 * YUV's luma; raw sample values), or a video frame of it when downstream
 * asks for video. Float32 tensors (W:H:C:N) are pooled channel by channel
 * into tensors in every mode.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! video/x-raw,width=640,height=480 ! cnnpool kernel-size=2 ! video/x-raw,width=320,height=240 ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=1 ! video/x-raw,format=GRAY8,width=320,height=240 ! cnnedge ! cnnpool mode=max kernel-size=4 ! videoscale method=nearest-neighbour ! video/x-raw,width=320,height=240 ! pngenc ! filesink location=pooled-edges.png
 * ]|
 * |[
 * gst-launch-1.0 -v videotestsrc num-buffers=1 ! video/x-raw,format=RGB ! cnnpool mode=pyramid levels=1,2,4 ! fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "gstcnnpool.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_pool_debug);
#define GST_CAT_DEFAULT gst_cnn_pool_debug

#define MAX_COMPONENTS 4
/* Caps sizes above this are looked up as this (the core counts in int). */
#define SIZE_LOOKUP_LIMIT (1 << 28)
/* Properties are checked against a frame this large: only errors that do
 * not depend on the frame size remain. */
#define CHECK_SIZE 65536

/* Everything the properties say, parsed; copied whole between the property
 * side and the streaming side. */
typedef struct
{
  cnn_pool2d_params pool;
  gchar error[256];             /* why the properties are unusable; "" if fine */
} GstCnnPoolSettings;

struct _GstCnnPool
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  gchar *output_size_text;
  gchar *levels_text;
  GstCnnPoolSettings props;
  gboolean props_changed;

  /* streaming thread: what the negotiated caps were built with */
  GstCnnPoolSettings active;
  GstCnnFilterInfo in_info, out_info;
  guint n_comp;
  cnn_pool2d_params comp_params[MAX_COMPONENTS];
  gboolean comp_u8[MAX_COMPONENTS];
  cnn_tensor x[MAX_COMPONENTS], y[MAX_COMPONENTS];      /* views of fin, fout */
  gfloat *fin, *fout;
  guint8 *u8_in, *u8_out;       /* packed components as contiguous planes */
};

enum
{
  PROP_0,
  PROP_MODE,
  PROP_KERNEL_SIZE,
  PROP_STRIDE,
  PROP_PADDING,
  PROP_DILATION,
  PROP_CEIL_MODE,
  PROP_COUNT_INCLUDE_PAD,
  PROP_P,
  PROP_ALPHA,
  PROP_OUTPUT_SIZE,
  PROP_LEVELS,
};

#define DEFAULT_PROP_MODE CNN_POOL_MAX
#define DEFAULT_PROP_KERNEL_SIZE 2
#define DEFAULT_PROP_STRIDE 0
#define DEFAULT_PROP_PADDING 0
#define DEFAULT_PROP_DILATION 1
#define DEFAULT_PROP_CEIL_MODE FALSE
#define DEFAULT_PROP_COUNT_INCLUDE_PAD TRUE
#define DEFAULT_PROP_P 2.0
#define DEFAULT_PROP_ALPHA 0.5
#define DEFAULT_PROP_OUTPUT_SIZE "7"
#define DEFAULT_PROP_LEVELS "1,2,4"

#define GST_TYPE_CNN_POOL_MODE (gst_cnn_pool_mode_get_type ())
static GType
gst_cnn_pool_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_POOL_MAX, "Maximum over the window", "max"},
    {CNN_POOL_AVG, "Average over the window", "avg"},
    {CNN_POOL_MIN, "Minimum over the window", "min"},
    {CNN_POOL_LP, "Lp norm (sum x^p)^(1/p) over the window", "lp"},
    {CNN_POOL_MAX_AVG, "alpha * max + (1 - alpha) * average", "max-avg"},
    {CNN_POOL_GLOBAL_MAX, "Maximum of the frame (1x1)", "global-max"},
    {CNN_POOL_GLOBAL_AVG, "Average of the frame (1x1)", "global-avg"},
    {CNN_POOL_ADAPTIVE_MAX, "Maximum over output-size cells", "adaptive-max"},
    {CNN_POOL_ADAPTIVE_AVG, "Average over output-size cells", "adaptive-avg"},
    {CNN_POOL_PYRAMID_MAX, "Spatial pyramid: maxima of every level's cells in one row",
        "pyramid"},
    {CNN_POOL_WAVELET, "Haar low-low band, half size", "wavelet"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnPoolMode", values);
}

static GstStaticPadTemplate gst_cnn_pool_sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));
static GstStaticPadTemplate gst_cnn_pool_src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));

G_DEFINE_TYPE (GstCnnPool, gst_cnn_pool, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnpool, "cnnpool", GST_RANK_NONE, GST_TYPE_CNN_POOL);

static gboolean
parse_output_size (GstCnnPoolSettings * s, const gchar * text)
{
  gint w, h;
  gchar end;

  if (sscanf (text, "%dx%d%c", &w, &h, &end) == 2) {
    s->pool.output_w = w;
    s->pool.output_h = h;
    return TRUE;
  }
  if (sscanf (text, "%d%c", &w, &end) == 1) {
    s->pool.output_w = s->pool.output_h = w;
    return TRUE;
  }
  g_snprintf (s->error, sizeof s->error, "output-size: '%s' is neither WxH nor N", text);
  return FALSE;
}

static gboolean
parse_levels (GstCnnPoolSettings * s, const gchar * text)
{
  gchar **items = g_strsplit (text, ",", -1);
  gint i, n = g_strv_length (items);
  gboolean ok = n >= 1 && n <= CNN_POOL_MAX_LEVELS;

  for (i = 0; ok && i < n; i++) {
    gchar *end;
    gint64 v = g_ascii_strtoll (items[i], &end, 10);

    ok = end != items[i] && !*end && v >= 1 && v <= 1024;
    s->pool.levels[i] = (gint) v;
  }
  g_strfreev (items);
  if (!ok) {
    g_snprintf (s->error, sizeof s->error,
        "levels: '%s' must be 1 to %d cell counts 1..1024 separated by ','", text,
        CNN_POOL_MAX_LEVELS);
    return FALSE;
  }
  s->pool.n_levels = n;
  return TRUE;
}

/* Rebuild the parsed settings from the properties (object lock held). */
static void
gst_cnn_pool_update_settings (GstCnnPool * self)
{
  GstCnnPoolSettings *s = &self->props;
  gint oh, ow;

  s->error[0] = '\0';
  if (!parse_output_size (s, self->output_size_text) || !parse_levels (s, self->levels_text))
    return;
  if (cnn_pool2d_output_size (&s->pool, CHECK_SIZE, CHECK_SIZE, &oh, &ow) != CNN_OK)
    g_snprintf (s->error, sizeof s->error, "%s", cnn_last_error ());
}

/* Windowed and wavelet outputs grow with the input; the others have a
 * fixed size. */
static gboolean
size_follows_input (cnn_pool_mode mode)
{
  return mode <= CNN_POOL_MAX_AVG || mode == CNN_POOL_WAVELET;
}

/* Output length along one axis for an input length, 0 when none fits. */
static gint
pool_length (const cnn_pool2d_params * p, gboolean horizontal, gint in)
{
  gint oh, ow;

  if (cnn_pool2d_output_size (p, in, in, &oh, &ow) != CNN_OK)
    return 0;
  return horizontal ? ow : oh;
}

/* Smallest input in [from, to] whose output length is at least target, or
 * to + 1 (the length never decreases as the input grows). */
static gint
first_input_reaching (const cnn_pool2d_params * p, gboolean horizontal, gint from, gint to,
    gint64 target)
{
  gint lo = from, hi = to + 1;

  while (lo < hi) {
    gint mid = lo + (hi - lo) / 2;

    if (pool_length (p, horizontal, mid) >= target)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static gboolean
gst_cnn_pool_map_size (gpointer user_data, GstPadDirection direction, gboolean horizontal,
    gint in_lo, gint in_hi, gint * out_lo, gint * out_hi)
{
  const cnn_pool2d_params *p = user_data;
  gboolean unbounded = size_follows_input (p->mode);
  gint lo = MIN (in_lo, SIZE_LOOKUP_LIMIT), hi = MIN (in_hi, SIZE_LOOKUP_LIMIT);

  if (direction == GST_PAD_SINK) {
    /* the smallest input the window fits in, and the largest */
    lo = first_input_reaching (p, horizontal, lo, hi, 1);
    if (lo > hi)
      return FALSE;
    *out_lo = pool_length (p, horizontal, lo);
    *out_hi = unbounded && in_hi > SIZE_LOOKUP_LIMIT ? G_MAXINT : pool_length (p, horizontal,
        hi);
    return TRUE;
  }
  /* every input whose output length lies in [in_lo, in_hi] */
  *out_lo = first_input_reaching (p, horizontal, 1, SIZE_LOOKUP_LIMIT, lo);
  *out_hi = first_input_reaching (p, horizontal, 1, SIZE_LOOKUP_LIMIT, (gint64) hi + 1) - 1;
  /* past the lookup limit: fixed sizes stay, growing ones pass open ranges */
  if (*out_hi == SIZE_LOOKUP_LIMIT && (!unbounded || in_hi > SIZE_LOOKUP_LIMIT))
    *out_hi = G_MAXINT;
  return *out_lo <= *out_hi;
}

/* Global and pyramid pooling give a vector whatever the frame size. */
static gboolean
gives_fixed_vector (cnn_pool_mode mode)
{
  return mode == CNN_POOL_GLOBAL_MAX || mode == CNN_POOL_GLOBAL_AVG ||
      mode == CNN_POOL_PYRAMID_MAX || mode == CNN_POOL_PYRAMID_AVG;
}

/* Channels of a video format name as the base counts them (3 for RGB
 * formats, 1 for gray and YUV's luma) into the set *mask (bit C). */
static void
add_format_channels (const GValue * format, guint * mask)
{
  const GstVideoFormatInfo *finfo;

  if (!G_VALUE_HOLDS_STRING (format))
    return;
  finfo = gst_video_format_get_info (gst_video_format_from_string (g_value_get_string
          (format)));
  if (finfo && GST_VIDEO_FORMAT_INFO_FORMAT (finfo) != GST_VIDEO_FORMAT_UNKNOWN)
    *mask |= 1u << (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) ? 3 : 1);
}

/* The vector of a video structure as tensor caps: W:1:C:1 for each channel
 * count its formats can have. */
static GstStructure *
vector_tensor_structure (const GstStructure * video, gint length, gint rows)
{
  const GValue *format = gst_structure_get_value (video, "format");
  const GValue *rate = gst_structure_get_value (video, "framerate");
  GstStructure *t = gst_structure_new ("other/tensors", "format", G_TYPE_STRING, "static",
      "num_tensors", G_TYPE_INT, 1, "types", G_TYPE_STRING, "float32", NULL);
  gint dims[2][GST_CNN_TENSOR_RANK];
  guint mask = 0, i, n = 0;

  if (format && GST_VALUE_HOLDS_LIST (format)) {
    for (i = 0; i < gst_value_list_get_size (format); i++)
      add_format_channels (gst_value_list_get_value (format, i), &mask);
  } else if (format) {
    add_format_channels (format, &mask);
  }
  if (!mask)
    mask = (1u << 1) | (1u << 3);
  for (i = 1; i <= 3; i += 2) {
    if (!(mask & (1u << i)))
      continue;
    dims[n][GST_CNN_TENSOR_W] = length;
    dims[n][GST_CNN_TENSOR_H] = rows;
    dims[n][GST_CNN_TENSOR_C] = i;
    dims[n][GST_CNN_TENSOR_N] = 1;
    n++;
  }
  gst_cnn_tensor_structure_set_dims (t, (const gint (*)[GST_CNN_TENSOR_RANK]) dims, n);
  if (rate)
    gst_structure_set_value (t, "framerate", rate);
  return t;
}

/* Global and pyramid modes: video gives a float32 vector tensor first (or,
 * downstream choosing, a video frame of the vector); tensors give
 * tensors. Upstream of a vector tensor, any video or tensor size fits. */
static GstCaps *
gst_cnn_pool_vector_caps (GstCaps * caps, GstPadDirection direction,
    const cnn_pool2d_params * p)
{
  GstCaps *sized = gst_cnn_transform_size_caps (caps, direction, gst_cnn_pool_map_size,
      (gpointer) p);
  GstCaps *ret = gst_caps_new_empty ();
  gboolean any_tensor = FALSE;
  gint oh, ow;
  guint i;

  cnn_pool2d_output_size (p, 1, 1, &oh, &ow);
  for (i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);

    if (gst_cnn_structure_is_tensor (s))
      any_tensor = TRUE;
    else if (direction == GST_PAD_SINK)
      gst_caps_append_structure (ret, vector_tensor_structure (s, ow, oh));
  }
  gst_caps_append (ret, sized);
  if (direction == GST_PAD_SRC && any_tensor)
    gst_caps_append (ret, gst_caps_from_string (GST_VIDEO_CAPS_MAKE (GST_CNN_VIDEO_FORMATS)));
  return ret;
}

static GstCaps *
gst_cnn_pool_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnPool *self = GST_CNN_POOL (trans);
  GstCnnPoolSettings s;
  GstCaps *ret;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);

  /* Unusable properties keep the size, so pipelines link; start() and
   * set_info() report them by name. */
  if (s.error[0])
    ret = gst_caps_copy (caps);
  else if (gives_fixed_vector (s.pool.mode))
    ret = gst_cnn_pool_vector_caps (caps, direction, &s.pool);
  else
    ret = gst_cnn_transform_size_caps (caps, direction, gst_cnn_pool_map_size, &s.pool);
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

static gchar *
gst_cnn_pool_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnPool *self = GST_CNN_POOL (filter);
  GstCnnPoolSettings s;
  GstCnnFilterInfo info;
  gint w, h, c, oh, ow;

  GST_OBJECT_LOCK (self);
  s = self->props;
  GST_OBJECT_UNLOCK (self);
  if (s.error[0])
    return g_strdup_printf ("%s: %s", GST_OBJECT_NAME (self), s.error);
  if (!incaps || !gst_cnn_filter_info_from_caps (&info, incaps))
    return NULL;
  gst_cnn_filter_info_size (&info, &w, &h, &c);
  if (cnn_pool2d_output_size (&s.pool, h, w, &oh, &ow) != CNN_OK)
    return g_strdup_printf ("%s: kernel-size %d, padding %d, dilation %d do not fit a %dx%d "
        "frame (%s)", GST_OBJECT_NAME (self), s.pool.kernel_w, s.pool.pad_left,
        s.pool.dilation_w, w, h, cnn_last_error ());
  return NULL;
}

static void
gst_cnn_pool_free_buffers (GstCnnFilter * filter)
{
  GstCnnPool *self = GST_CNN_POOL (filter);

  g_clear_pointer (&self->fin, cnn_aligned_free);
  g_clear_pointer (&self->fout, cnn_aligned_free);
  g_clear_pointer (&self->u8_in, cnn_aligned_free);
  g_clear_pointer (&self->u8_out, cnn_aligned_free);
}

/* Pooling of each component for the negotiated sizes: the active settings
 * on full-resolution components, an average onto the output grid on
 * subsampled chroma. */
static void
gst_cnn_pool_setup_components (GstCnnPool * self, const GstVideoInfo * in,
    const GstVideoInfo * out)
{
  cnn_pool_mode mode = self->active.pool.mode;
  guint c;

  for (c = 0; c < self->n_comp; c++) {
    gint iw = GST_VIDEO_INFO_COMP_WIDTH (in, c), ih = GST_VIDEO_INFO_COMP_HEIGHT (in, c);
    gint ow = GST_VIDEO_INFO_COMP_WIDTH (out, c), oh = GST_VIDEO_INFO_COMP_HEIGHT (out, c);
    gboolean full = iw == GST_VIDEO_INFO_WIDTH (in) && ih == GST_VIDEO_INFO_HEIGHT (in);

    if (full) {
      self->comp_params[c] = self->active.pool;
    } else {
      cnn_pool2d_params_init (&self->comp_params[c], CNN_POOL_ADAPTIVE_AVG, 1, 1);
      self->comp_params[c].output_w = ow;
      self->comp_params[c].output_h = oh;
    }
    self->comp_u8[c] = full && GST_VIDEO_INFO_COMP_DEPTH (in, c) == 8 &&
        (mode == CNN_POOL_MAX || mode == CNN_POOL_MIN || mode == CNN_POOL_AVG);
    cnn_tensor_wrap (&self->x[c], self->fin, 4, (int[]) {
        1, 1, ih, iw});
    cnn_tensor_wrap (&self->y[c], self->fout, 4, (int[]) {
        1, 1, oh, ow});
  }
}

/* Video buffers: float planes for the float path, 8-bit planes for packed
 * components on the 8-bit path. */
static gboolean
gst_cnn_pool_alloc_video (GstCnnPool * self, const GstVideoInfo * in,
    const GstVideoInfo * out)
{
  gsize in_px = (gsize) GST_VIDEO_INFO_WIDTH (in) * GST_VIDEO_INFO_HEIGHT (in);
  gsize out_px = (gsize) GST_VIDEO_INFO_WIDTH (out) * GST_VIDEO_INFO_HEIGHT (out);

  self->n_comp = GST_VIDEO_INFO_N_COMPONENTS (in);
  self->fin = cnn_aligned_alloc (sizeof (gfloat) * in_px);
  self->fout = cnn_aligned_alloc (sizeof (gfloat) * out_px);
  self->u8_in = cnn_aligned_alloc (in_px);
  self->u8_out = cnn_aligned_alloc (out_px);
  if (!self->fin || !self->fout || !self->u8_in || !self->u8_out)
    return FALSE;
  gst_cnn_pool_setup_components (self, in, out);
  return TRUE;
}

/* Video to a vector tensor: a float plane per colour channel. */
static gboolean
gst_cnn_pool_alloc_vector (GstCnnPool * self, const GstVideoInfo * in, gint channels)
{
  gint c;

  self->n_comp = channels;
  self->fin = cnn_aligned_alloc (sizeof (gfloat) * GST_VIDEO_INFO_WIDTH (in) *
      GST_VIDEO_INFO_HEIGHT (in));
  if (!self->fin)
    return FALSE;
  for (c = 0; c < channels; c++)
    cnn_tensor_wrap (&self->x[c], self->fin, 4, (int[]) {
        1, 1, GST_VIDEO_INFO_COMP_HEIGHT (in, c), GST_VIDEO_INFO_COMP_WIDTH (in, c)});
  return TRUE;
}

static gboolean
gst_cnn_pool_set_info (GstCnnFilter * filter, GstCaps * incaps, const GstCnnFilterInfo * in,
    GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnPool *self = GST_CNN_POOL (filter);
  gint w, h, c, ow, oh, oc, pw, ph;
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_pool_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_pool_explain_caps (GST_CNN_FILTER (self), incaps);
  if (msg)
    goto bad_properties;

  GST_OBJECT_LOCK (self);
  self->active = self->props;
  self->props_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_cnn_filter_info_size (in, &w, &h, &c);
  gst_cnn_filter_info_size (out, &ow, &oh, &oc);
  cnn_pool2d_output_size (&self->active.pool, h, w, &ph, &pw);
  if (pw != ow || ph != oh || c != oc)
    goto wrong_output_size;
  self->in_info = *in;
  self->out_info = *out;

  gst_cnn_pool_free_buffers (filter);
  /* tensors are pooled in place */
  if (!in->is_tensor && out->is_tensor && !gst_cnn_pool_alloc_vector (self, &in->video, c))
    goto no_memory;
  if (!in->is_tensor && !out->is_tensor && !gst_cnn_pool_alloc_video (self, &in->video,
          &out->video))
    goto no_memory;
  GST_DEBUG_OBJECT (self, "%dx%d -> %dx%d, mode %d, %d channels", w, h, ow, oh,
      self->active.pool.mode, c);
  return TRUE;

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
            GST_OBJECT_NAME (self), ow, oh, oc, pw, ph, c), (NULL));
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate %dx%d buffers",
            w, h), (NULL));
    gst_cnn_pool_free_buffers (filter);
    return FALSE;
  }
}

/* Take property changes that keep the negotiated size; the others wait for
 * the renegotiation set_property asked for. */
static void
gst_cnn_pool_apply_changes (GstCnnPool * self)
{
  gchar *msg = NULL;
  gboolean applied = FALSE;
  gint w, h, c, ow, oh, pw, ph;

  gst_cnn_filter_info_size (&self->in_info, &w, &h, &c);
  gst_cnn_filter_info_size (&self->out_info, &ow, &oh, &c);
  GST_OBJECT_LOCK (self);
  if (self->props_changed && self->props.error[0]) {
    msg = g_strdup_printf ("%s: %s", GST_OBJECT_NAME (self), self->props.error);
  } else if (self->props_changed && cnn_pool2d_output_size (&self->props.pool, h, w, &ph,
          &pw) == CNN_OK && pw == ow && ph == oh) {
    self->active = self->props;
    self->props_changed = FALSE;
    applied = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  if (applied && !self->in_info.is_tensor && !self->out_info.is_tensor)
    gst_cnn_pool_setup_components (self, &self->in_info.video, &self->out_info.video);
  if (applied) {
    GST_DEBUG_OBJECT (self, "properties applied to the stream");
  }
  if (msg)
    gst_cnn_filter_warn_properties (GST_CNN_FILTER (self), msg);
  g_free (msg);
}

/* A contiguous 8-bit plane over one of the scratch buffers. */
static cnn_pixel_plane
scratch_plane (guint8 * data, gint width, gint height)
{
  cnn_pixel_plane p = { data, width, 1, 8, width, height };

  return p;
}

/* Video: every component on its path. */
static cnn_status
gst_cnn_pool_filter_video (GstCnnPool * self, cnn_context * ctx, GstVideoFrame * in,
    GstVideoFrame * out)
{
  cnn_status st = CNN_OK;
  guint c;

  for (c = 0; c < self->n_comp && st == CNN_OK; c++) {
    cnn_pixel_plane src = gst_cnn_component_plane (in, c);
    cnn_pixel_plane dst = gst_cnn_component_plane (out, c);
    const cnn_pool2d_params *p = &self->comp_params[c];

    if (self->comp_u8[c] && src.step == 1 && dst.step == 1) {
      st = cnn_pool2d_u8 (ctx, p, src.data, src.stride, dst.data, dst.stride, src.width,
          src.height);
    } else if (self->comp_u8[c]) {
      cnn_pixel_plane a = scratch_plane (self->u8_in, src.width, src.height);
      cnn_pixel_plane b = scratch_plane (self->u8_out, dst.width, dst.height);

      cnn_pixels_copy (ctx, &src, &a);
      st = cnn_pool2d_u8 (ctx, p, a.data, a.stride, b.data, b.stride, a.width, a.height);
      cnn_pixels_copy (ctx, &b, &dst);
    } else {
      cnn_pixels_unpack (ctx, &src, self->fin, src.width, 1.0f);
      st = cnn_pool2d_forward (ctx, p, &self->x[c], &self->y[c], NULL);
      cnn_pixels_pack (ctx, self->fout, dst.width, &dst, 1.0f, 0.0f, CNN_PIXEL_CLAMP);
    }
  }
  return st;
}

/* Video to a vector tensor: each colour channel (YUV's luma) pooled in
 * float into its channel of the tensor, in sample values (0..255 or
 * 0..65535). */
static cnn_status
gst_cnn_pool_filter_vector (GstCnnPool * self, cnn_context * ctx, GstVideoFrame * in,
    cnn_tensor * out)
{
  gsize len = (gsize) out->shape[2] * out->shape[3];
  cnn_status st = CNN_OK;
  guint c;

  for (c = 0; c < self->n_comp && st == CNN_OK; c++) {
    cnn_pixel_plane src = gst_cnn_component_plane (in, c);
    cnn_tensor y;

    cnn_pixels_unpack (ctx, &src, self->fin, src.width, 1.0f);
    cnn_tensor_wrap (&y, out->data + c * len, 4, (int[]) {
        1, 1, out->shape[2], out->shape[3]});
    st = cnn_pool2d_forward (ctx, &self->active.pool, &self->x[c], &y, NULL);
  }
  return st;
}

static gboolean
gst_cnn_pool_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnPool *self = GST_CNN_POOL (filter);
  cnn_status st;

  gst_cnn_pool_apply_changes (self);
  if (in->info->is_tensor)
    st = cnn_pool2d_forward (ctx, &self->active.pool, &in->tensor, &out->tensor, NULL);
  else if (out->info->is_tensor)
    st = gst_cnn_pool_filter_vector (self, ctx, &in->video, &out->tensor);
  else
    st = gst_cnn_pool_filter_video (self, ctx, &in->video, &out->video);
  if (st != CNN_OK)
    goto pool_failed;
  return TRUE;

pool_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: pooling failed", GST_OBJECT_NAME (self)),
        ("%s", cnn_last_error ()));
    return FALSE;
  }
}

/* Side of the widest adaptive cell over n input pixels split into cells:
 * cell i spans [floor(i n / cells), ceil((i + 1) n / cells)). */
static gint
widest_cell (gint n, gint cells)
{
  gint i, widest = 1;

  for (i = 0; i < cells; i++)
    widest = MAX (widest, (gint) (((gint64) (i + 1) * n + cells - 1) / cells -
            (gint64) i * n / cells));
  return widest;
}

/* Windowed modes are one layer of their window; wavelet a 2x2 stride-2
 * window; global, adaptive and pyramid modes the widest cell they pool
 * (the whole frame for a pyramid's 1x1 level), which needs the frame size. */
static guint
gst_cnn_pool_rf_layers (GstCnnFilter * filter, const GstCnnFilterInfo * in, cnn_rf_layer * x,
    cnn_rf_layer * y)
{
  GstCnnPool *self = GST_CNN_POOL (filter);
  cnn_pool2d_params p;
  gint in_w = 0, in_h = 0, channels, cells_x, cells_y, l;

  GST_OBJECT_LOCK (self);
  p = self->props.pool;
  GST_OBJECT_UNLOCK (self);

  if (p.mode == CNN_POOL_WAVELET) {
    *x = *y = (cnn_rf_layer) {
    2, 2, 0, 1, "cnnpool"};
    return 1;
  }
  if (size_follows_input (p.mode)) {
    *x = (cnn_rf_layer) {
    p.kernel_w, p.stride_w ? p.stride_w : p.kernel_w, p.pad_left, p.dilation_w, "cnnpool"};
    *y = (cnn_rf_layer) {
    p.kernel_h, p.stride_h ? p.stride_h : p.kernel_h, p.pad_top, p.dilation_h, "cnnpool"};
    return 1;
  }
  if (!in)
    return 0;
  gst_cnn_filter_info_size (in, &in_w, &in_h, &channels);
  cells_x = p.mode == CNN_POOL_ADAPTIVE_MAX || p.mode == CNN_POOL_ADAPTIVE_AVG ? p.output_w : 1;
  cells_y = p.mode == CNN_POOL_ADAPTIVE_MAX || p.mode == CNN_POOL_ADAPTIVE_AVG ? p.output_h : 1;
  if (p.mode == CNN_POOL_PYRAMID_MAX || p.mode == CNN_POOL_PYRAMID_AVG) {
    cells_x = cells_y = p.levels[0];
    for (l = 1; l < p.n_levels; l++)
      cells_x = cells_y = MIN (cells_x, p.levels[l]);
  }
  *x = (cnn_rf_layer) {
  widest_cell (in_w, cells_x), MAX (1, in_w / cells_x), 0, 1, "cnnpool"};
  *y = (cnn_rf_layer) {
  widest_cell (in_h, cells_y), MAX (1, in_h / cells_y), 0, 1, "cnnpool"};
  return 1;
}

static void
gst_cnn_pool_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnPool *self = GST_CNN_POOL (object);
  cnn_pool2d_params *p = &self->props.pool;
  gboolean renegotiate;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      p->mode = g_value_get_enum (value);
      break;
    case PROP_KERNEL_SIZE:
      p->kernel_h = p->kernel_w = g_value_get_int (value);
      break;
    case PROP_STRIDE:
      p->stride_h = p->stride_w = g_value_get_int (value);
      break;
    case PROP_PADDING:
      p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = g_value_get_int (value);
      break;
    case PROP_DILATION:
      p->dilation_h = p->dilation_w = g_value_get_int (value);
      break;
    case PROP_CEIL_MODE:
      p->ceil_mode = g_value_get_boolean (value);
      break;
    case PROP_COUNT_INCLUDE_PAD:
      p->count_include_pad = g_value_get_boolean (value);
      break;
    case PROP_P:
      p->p = (gfloat) g_value_get_double (value);
      break;
    case PROP_ALPHA:
      p->alpha = (gfloat) g_value_get_double (value);
      break;
    case PROP_OUTPUT_SIZE:
      gst_cnn_set_text (&self->output_size_text, value, DEFAULT_PROP_OUTPUT_SIZE);
      break;
    case PROP_LEVELS:
      gst_cnn_set_text (&self->levels_text, value, DEFAULT_PROP_LEVELS);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  gst_cnn_pool_update_settings (self);
  self->props_changed = TRUE;
  /* unusable values are left to the streaming thread's warning; a change
   * that keeps the size is taken by the next frame without new caps */
  renegotiate = !self->props.error[0];
  GST_OBJECT_UNLOCK (self);

  if (renegotiate)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_cnn_pool_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnPool *self = GST_CNN_POOL (object);
  const cnn_pool2d_params *p = &self->props.pool;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, p->mode);
      break;
    case PROP_KERNEL_SIZE:
      g_value_set_int (value, p->kernel_w);
      break;
    case PROP_STRIDE:
      g_value_set_int (value, p->stride_w);
      break;
    case PROP_PADDING:
      g_value_set_int (value, p->pad_left);
      break;
    case PROP_DILATION:
      g_value_set_int (value, p->dilation_w);
      break;
    case PROP_CEIL_MODE:
      g_value_set_boolean (value, p->ceil_mode);
      break;
    case PROP_COUNT_INCLUDE_PAD:
      g_value_set_boolean (value, p->count_include_pad);
      break;
    case PROP_P:
      g_value_set_double (value, p->p);
      break;
    case PROP_ALPHA:
      g_value_set_double (value, p->alpha);
      break;
    case PROP_OUTPUT_SIZE:
      g_value_set_string (value, self->output_size_text);
      break;
    case PROP_LEVELS:
      g_value_set_string (value, self->levels_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_pool_finalize (GObject * object)
{
  GstCnnPool *self = GST_CNN_POOL (object);

  g_free (self->output_size_text);
  g_free (self->levels_text);
  G_OBJECT_CLASS (gst_cnn_pool_parent_class)->finalize (object);
}

static void
gst_cnn_pool_class_init (GstCnnPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_pool_debug, "cnnpool", 0, "gst-cnn pooling");

  gobject_class->set_property = gst_cnn_pool_set_property;
  gobject_class->get_property = gst_cnn_pool_get_property;
  gobject_class->finalize = gst_cnn_pool_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "Pooling function", GST_TYPE_CNN_POOL_MODE,
          DEFAULT_PROP_MODE, flags));
  g_object_class_install_property (gobject_class, PROP_KERNEL_SIZE,
      g_param_spec_int ("kernel-size", "Kernel size", "Window side (windowed modes)", 1, 64,
          DEFAULT_PROP_KERNEL_SIZE, flags));
  g_object_class_install_property (gobject_class, PROP_STRIDE,
      g_param_spec_int ("stride", "Stride", "Step between windows (0 = kernel-size)", 0, 64,
          DEFAULT_PROP_STRIDE, flags));
  g_object_class_install_property (gobject_class, PROP_PADDING,
      g_param_spec_int ("padding", "Padding",
          "Pixels added on each side, at most half the window span", 0, 64,
          DEFAULT_PROP_PADDING, flags));
  g_object_class_install_property (gobject_class, PROP_DILATION,
      g_param_spec_int ("dilation", "Dilation", "Spacing between window taps", 1, 64,
          DEFAULT_PROP_DILATION, flags));
  g_object_class_install_property (gobject_class, PROP_CEIL_MODE,
      g_param_spec_boolean ("ceil-mode", "Ceil mode",
          "Round the output size up (a last partial window), as PyTorch's ceil_mode",
          DEFAULT_PROP_CEIL_MODE, flags));
  g_object_class_install_property (gobject_class, PROP_COUNT_INCLUDE_PAD,
      g_param_spec_boolean ("count-include-pad", "Count include pad",
          "Averages divide by the padded window (PyTorch's count_include_pad)",
          DEFAULT_PROP_COUNT_INCLUDE_PAD, flags));
  g_object_class_install_property (gobject_class, PROP_P,
      g_param_spec_double ("p", "p", "Exponent of mode=lp", 0, 1e6, DEFAULT_PROP_P, flags));
  g_object_class_install_property (gobject_class, PROP_ALPHA,
      g_param_spec_double ("alpha", "Alpha", "Weight of the maximum in mode=max-avg", 0, 1,
          DEFAULT_PROP_ALPHA, flags));
  g_object_class_install_property (gobject_class, PROP_OUTPUT_SIZE,
      g_param_spec_string ("output-size", "Output size",
          "Adaptive modes: output \"WxH\" or \"N\" (NxN)", DEFAULT_PROP_OUTPUT_SIZE, flags));
  g_object_class_install_property (gobject_class, PROP_LEVELS,
      g_param_spec_string ("levels", "Levels",
          "Pyramid: cells per side of each level, e.g. \"1,2,4\" (output width 1+4+16)",
          DEFAULT_PROP_LEVELS, flags));

  gst_element_class_set_static_metadata (element_class, "CNN pooling",
      "Filter/Effect/Video",
      "Pools video with max, average, min, Lp, adaptive, pyramid or wavelet pooling",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_pool_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_pool_src_template);

  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_pool_transform_caps);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_pool_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_pool_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_pool_free_buffers);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_pool_explain_caps);
  cnn_class->rf_layers = GST_DEBUG_FUNCPTR (gst_cnn_pool_rf_layers);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_POOL_MODE, 0);
}

static void
gst_cnn_pool_init (GstCnnPool * self)
{
  cnn_pool2d_params_init (&self->props.pool, DEFAULT_PROP_MODE, DEFAULT_PROP_KERNEL_SIZE,
      DEFAULT_PROP_KERNEL_SIZE);
  self->props.pool.stride_h = self->props.pool.stride_w = DEFAULT_PROP_STRIDE;
  self->props.pool.ceil_mode = DEFAULT_PROP_CEIL_MODE;
  self->props.pool.count_include_pad = DEFAULT_PROP_COUNT_INCLUDE_PAD;
  self->props.pool.p = DEFAULT_PROP_P;
  self->props.pool.alpha = DEFAULT_PROP_ALPHA;
  self->output_size_text = g_strdup (DEFAULT_PROP_OUTPUT_SIZE);
  self->levels_text = g_strdup (DEFAULT_PROP_LEVELS);
  gst_cnn_pool_update_settings (self);
}
