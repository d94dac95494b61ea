/**
 * SECTION:element-cnnedge
 * @title: cnnedge
 *
 * Edge detection on the luma of video (ITU-R 601 weights for RGB input, the
 * Y plane of I420/NV12, the gray plane): gradient magnitude of Sobel,
 * Scharr or Prewitt (L1 or L2), Laplacian, or Canny with OpenCV's
 * definitions (cv2.Canny thresholds on the same 0-255 gradient scale). The
 * output has the input's format and size: the magnitude or Canny's edges in
 * gray, a binary mask (gradient methods: magnitude >= threshold-high), or
 * the edges painted over the original frame in overlay-color.
 *
 * On float32 tensors (other/tensors, W:H:C:N) every channel plane goes
 * through the detector as floats (thresholds on the tensor's own scale) and
 * the magnitude, or Canny's 0/1 edges, go out as float32; output and
 * overlay-color concern video only.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=/usr/share/doc/opencv-doc/examples/data/vtest.avi ! decodebin ! videoconvert ! cnnedge method=canny output=overlay ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball num-buffers=1 ! video/x-raw,format=GRAY8 ! cnnedge method=sobel norm=l2 ! pngenc ! filesink location=sobel.png
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>

#include "gstcnnedge.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_edge_debug);
#define GST_CAT_DEFAULT gst_cnn_edge_debug

typedef enum
{
  OUTPUT_MAGNITUDE,
  OUTPUT_MASK,
  OUTPUT_OVERLAY,
} GstCnnEdgeOutput;

typedef struct
{
  cnn_edge_params edge;
  GstCnnEdgeOutput output;
  guint32 overlay_color;        /* ARGB */
} GstCnnEdgeSettings;

/* The luma plane of a frame as detect() reads it, per format. */
typedef void (*GstCnnEdgeDetectFn) (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in,
    cnn_status * st);

struct _GstCnnEdge
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  GstCnnEdgeSettings props;
  gint aperture;
  gboolean props_changed;
  gchar *props_error;           /* why props are unusable, or NULL */

  /* streaming thread */
  GstCnnEdgeSettings active;
  GstCnnEdgeDetectFn detect;   /* NULL: tensor */
  gint width, height;
  gint planes;                  /* tensor: N * C */
  guint8 *luma;                 /* RGB input: its luma */
  guint8 *edges;                /* 8-bit magnitude or Canny mask */
  gfloat *fin, *fout;           /* GRAY16: float planes */
  void *workspace;
  gsize workspace_size;
};

enum
{
  PROP_0,
  PROP_METHOD,
  PROP_NORM,
  PROP_THRESHOLD_LOW,
  PROP_THRESHOLD_HIGH,
  PROP_APERTURE,
  PROP_BLUR_SIGMA,
  PROP_OUTPUT,
  PROP_OVERLAY_COLOR,
};

#define DEFAULT_PROP_METHOD CNN_EDGE_SOBEL
#define DEFAULT_PROP_NORM CNN_EDGE_L1
#define DEFAULT_PROP_THRESHOLD_LOW 50.0
#define DEFAULT_PROP_THRESHOLD_HIGH 150.0
#define DEFAULT_PROP_APERTURE 3
#define DEFAULT_PROP_BLUR_SIGMA 0.0
#define DEFAULT_PROP_OUTPUT OUTPUT_MAGNITUDE
#define DEFAULT_PROP_OVERLAY_COLOR 0xff00ff00

#define GST_TYPE_CNN_EDGE_METHOD (gst_cnn_edge_method_get_type ())
static GType
gst_cnn_edge_method_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_EDGE_SOBEL, "Sobel gradient magnitude (aperture 3, 5, 7)", "sobel"},
    {CNN_EDGE_SCHARR, "Scharr gradient magnitude (3x3)", "scharr"},
    {CNN_EDGE_PREWITT, "Prewitt gradient magnitude (3x3)", "prewitt"},
    {CNN_EDGE_LAPLACIAN, "|Laplacian| as cv2.Laplacian(ksize=aperture 3 or 5)",
        "laplacian"},
    {CNN_EDGE_CANNY, "Canny edges as cv2.Canny", "canny"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnEdgeMethod", values);
}

#define GST_TYPE_CNN_EDGE_NORM (gst_cnn_edge_norm_get_type ())
static GType
gst_cnn_edge_norm_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CNN_EDGE_L1, "|gx| + |gy|", "l1"},
    {CNN_EDGE_L2, "sqrt(gx^2 + gy^2) (Canny: L2gradient)", "l2"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnEdgeNorm", values);
}

#define GST_TYPE_CNN_EDGE_OUTPUT (gst_cnn_edge_output_get_type ())
static GType
gst_cnn_edge_output_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {OUTPUT_MAGNITUDE, "Magnitude (Canny: its edges) in gray", "magnitude"},
    {OUTPUT_MASK, "Binary mask: Canny's edges, or magnitude >= threshold-high", "mask"},
    {OUTPUT_OVERLAY, "The frame with the mask painted in overlay-color", "overlay"},
    {0, NULL, NULL},
  };

  return gst_cnn_enum_type (&type, "GstCnnEdgeOutput", values);
}

static GstStaticPadTemplate gst_cnn_edge_sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));
static GstStaticPadTemplate gst_cnn_edge_src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_CNN_VIDEO_OR_TENSOR_CAPS));

G_DEFINE_TYPE (GstCnnEdge, gst_cnn_edge, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnedge, "cnnedge", GST_RANK_NONE, GST_TYPE_CNN_EDGE);

/* aperture is the Laplacian's kind for method=laplacian (object lock held). */
static void
gst_cnn_edge_update_settings (GstCnnEdge * self)
{
  cnn_edge_params *p = &self->props.edge;

  p->aperture = self->aperture;
  if (p->method == CNN_EDGE_LAPLACIAN) {
    p->laplacian = self->aperture == 5 ? CNN_LAPLACIAN_APERTURE5 : CNN_LAPLACIAN_APERTURE3;
    p->aperture = 3;
  }
}

static gchar *
gst_cnn_edge_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);
  GstCnnEdgeSettings s;
  gint aperture;
  GstCnnFilterInfo info;
  gint w = 16, h = 16, c;

  GST_OBJECT_LOCK (self);
  s = self->props;
  aperture = self->aperture;
  GST_OBJECT_UNLOCK (self);
  if (aperture != 3 && aperture != 5 && aperture != 7)
    return g_strdup_printf ("%s: aperture %d, must be 3, 5 or 7", GST_OBJECT_NAME (self),
        aperture);
  if ((s.edge.method == CNN_EDGE_SCHARR || s.edge.method == CNN_EDGE_PREWITT) &&
      aperture != 3)
    return g_strdup_printf ("%s: aperture %d, Scharr and Prewitt are 3x3 (aperture=3)",
        GST_OBJECT_NAME (self), aperture);
  if (s.edge.method == CNN_EDGE_LAPLACIAN && aperture == 7)
    return g_strdup_printf ("%s: aperture 7, the Laplacian takes 3 or 5",
        GST_OBJECT_NAME (self));
  if (incaps && gst_cnn_filter_info_from_caps (&info, incaps))
    gst_cnn_filter_info_size (&info, &w, &h, &c);
  if (cnn_edge_check (&s.edge, w, h) != CNN_OK)
    return g_strdup_printf ("%s: %s", GST_OBJECT_NAME (self), cnn_last_error ());
  return NULL;
}

static void
gst_cnn_edge_free_buffers (GstCnnFilter * filter)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);

  g_clear_pointer (&self->luma, cnn_aligned_free);
  g_clear_pointer (&self->edges, cnn_aligned_free);
  g_clear_pointer (&self->fin, cnn_aligned_free);
  g_clear_pointer (&self->fout, cnn_aligned_free);
  g_clear_pointer (&self->workspace, cnn_aligned_free);
  self->workspace_size = 0;
}

/* Grow the workspace to what the active parameters need: at negotiation, or
 * when a property changed, never per frame. */
static gboolean
gst_cnn_edge_plan_workspace (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);
  gsize need = cnn_edge_workspace_size (&self->active.edge, self->width, self->height,
      cnn_context_threads (ctx));

  if (need <= self->workspace_size)
    return TRUE;
  cnn_aligned_free (self->workspace);
  self->workspace = cnn_aligned_alloc (need);
  self->workspace_size = self->workspace ? need : 0;
  return self->workspace != NULL;
}

static void
detect_plane (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in, cnn_status * st)
{
  *st = cnn_edge_detect_u8 (ctx, &self->active.edge, GST_VIDEO_FRAME_COMP_DATA (in, 0),
      GST_VIDEO_FRAME_COMP_STRIDE (in, 0), self->edges, self->width, self->width,
      self->height, self->workspace);
}

static void
detect_rgb (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in, cnn_status * st)
{
  const cnn_pixel_plane rgb[3] = { gst_cnn_component_plane (in, 0),
    gst_cnn_component_plane (in, 1), gst_cnn_component_plane (in, 2)
  };
  cnn_pixel_plane luma = { self->luma, self->width, 1, 8, self->width, self->height };

  cnn_pixels_luma (ctx, rgb, &luma);
  *st = cnn_edge_detect_u8 (ctx, &self->active.edge, self->luma, self->width, self->edges,
      self->width, self->width, self->height, self->workspace);
}

/* RGB in, gray in RGB out (magnitude, or Canny's edges): one fused pass
 * over the frame, no luma or edge plane. */
static void
detect_rgb_packed (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in,
    GstVideoFrame * out, cnn_status * st)
{
  const cnn_pixel_plane rgb[3] = { gst_cnn_component_plane (in, 0),
    gst_cnn_component_plane (in, 1), gst_cnn_component_plane (in, 2)
  };
  const cnn_pixel_plane dst[3] = { gst_cnn_component_plane (out, 0),
    gst_cnn_component_plane (out, 1), gst_cnn_component_plane (out, 2)
  };

  *st = cnn_edge_detect_packed (ctx, &self->active.edge, rgb, dst, 3, self->workspace);
}

/* 16 bits: on floats at the 0-255 scale the thresholds are given in; the
 * 8-bit edges serve mask and overlay. */
static void
detect_gray16 (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in, cnn_status * st)
{
  cnn_pixel_plane src = gst_cnn_component_plane (in, 0);
  cnn_pixel_plane edges = { self->edges, self->width, 1, 8, self->width, self->height };
  gboolean canny = self->active.edge.method == CNN_EDGE_CANNY;

  cnn_pixels_unpack (ctx, &src, self->fin, self->width, 1.0f / 257.0f);
  *st = cnn_edge_detect_f32 (ctx, &self->active.edge, self->fin, self->width, self->fout,
      self->width, self->width, self->height, self->workspace);
  if (*st == CNN_OK)
    cnn_pixels_pack (ctx, self->fout, self->width, &edges, canny ? 255.0f : 1.0f, 0.0f,
        CNN_PIXEL_CLAMP);
}

/* Tensors: each W x H plane on its own, results as the detector gives them
 * (Canny: 0/1). */
static cnn_status
detect_tensor (GstCnnEdge * self, cnn_context * ctx, const cnn_tensor * in, cnn_tensor * out)
{
  gsize plane = (gsize) self->width * self->height;
  cnn_status st = CNN_OK;
  gint i;

  for (i = 0; i < self->planes && st == CNN_OK; i++)
    st = cnn_edge_detect_f32 (ctx, &self->active.edge, in->data + i * plane, self->width,
        out->data + i * plane, self->width, self->width, self->height, self->workspace);
  return st;
}

static gboolean
gst_cnn_edge_set_info (GstCnnFilter * filter, GstCaps * incaps,
    const GstCnnFilterInfo * in, GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);
  const GstVideoInfo *in_info = &in->video;
  cnn_context *ctx;
  gint channels;
  gsize n;
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_edge_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_edge_explain_caps (GST_CNN_FILTER (self), incaps);
  if (msg)
    goto bad_properties;

  GST_OBJECT_LOCK (self);
  self->active = self->props;
  self->props_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_cnn_edge_free_buffers (filter);
  gst_cnn_filter_info_size (in, &self->width, &self->height, &channels);
  n = (gsize) self->width * self->height;
  ctx = gst_cnn_filter_context (GST_CNN_FILTER (self));
  if (in->is_tensor) {
    /* every plane of the tensor straight into the detector */
    self->detect = NULL;
    self->planes = channels * in->tensor.dims[GST_CNN_TENSOR_N];
  } else if (!(self->edges = cnn_aligned_alloc (n))) {
    goto no_memory;
  } else if (GST_VIDEO_INFO_IS_RGB (in_info)) {
    self->detect = detect_rgb;
    if (!(self->luma = cnn_aligned_alloc (n)))
      goto no_memory;
  } else if (GST_VIDEO_INFO_COMP_DEPTH (in_info, 0) == 16) {
    self->detect = detect_gray16;
    if (!(self->fin = cnn_aligned_alloc (n * sizeof (gfloat))) ||
        !(self->fout = cnn_aligned_alloc (n * sizeof (gfloat))))
      goto no_memory;
  } else {
    self->detect = detect_plane;
  }
  if (!gst_cnn_edge_plan_workspace (GST_CNN_FILTER (self), ctx))
    goto no_memory;
  GST_DEBUG_OBJECT (self, "%dx%d %s, workspace %" G_GSIZE_FORMAT, self->width, self->height,
      in->is_tensor ? "tensor" : GST_VIDEO_INFO_NAME (in_info), self->workspace_size);
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate %dx%d buffers",
            self->width, self->height), (NULL));
    gst_cnn_edge_free_buffers (filter);
    return FALSE;
  }
}

/* Colour of overlay-color in component comp of the frame's format. */
static guint
overlay_value (const GstVideoFrame * frame, guint comp, guint32 argb)
{
  guint8 r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff, yuv[3];
  const guint8 rgb[3] = { r, g, b };

  if (GST_VIDEO_INFO_IS_RGB (&frame->info))
    return comp < 3 ? rgb[comp] : argb >> 24;
  if (GST_VIDEO_INFO_IS_YUV (&frame->info)) {
    cnn_pixels_rgb_to_yuv601 (r, g, b, yuv);
    return yuv[comp];
  }
  /* gray: the luma, widened to 16 bits by repeating the byte */
  return cnn_pixels_luma_of (r, g, b) * (GST_VIDEO_FRAME_COMP_DEPTH (frame, 0) == 16 ? 257 :
      1);
}

static void
write_output (GstCnnEdge * self, cnn_context * ctx, GstVideoFrame * in, GstVideoFrame * out)
{
  const GstCnnEdgeSettings *s = &self->active;
  gboolean canny = s->edge.method == CNN_EDGE_CANNY;
  cnn_pixel_plane edges = { self->edges, self->width, 1, 8, self->width, self->height };
  guint n_comp = GST_VIDEO_FRAME_N_COMPONENTS (out);
  guint n_luma = GST_VIDEO_INFO_IS_RGB (&out->info) ? 3 : 1, comp;
  /* Canny's edges are 0/255; gradient magnitudes are cut at threshold-high */
  guint cut = canny ? 1 : (guint) CLAMP (s->edge.threshold_high, 1.0f, 256.0f);

  if (s->output == OUTPUT_OVERLAY) {
    if (out != in)
      gst_video_frame_copy (out, in);
    if (!canny)
      cnn_pixels_threshold (ctx, &edges, &edges, cut);
    for (comp = 0; comp < n_comp; comp++) {
      cnn_pixel_plane dst = gst_cnn_component_plane (out, comp);
      gboolean alpha = comp == 3;
      /* I420 and NV12 chroma: 2x2 subsampled */
      gint shift = GST_VIDEO_FORMAT_INFO_W_SUB (out->info.finfo, comp);

      if (alpha)
        cnn_pixels_overlay (ctx, &edges, 0, &dst, 255, 255);
      else
        cnn_pixels_overlay (ctx, &edges, shift, &dst, overlay_value (out, comp,
                s->overlay_color), s->overlay_color >> 24);
    }
    return;
  }
  if (GST_VIDEO_FRAME_COMP_DEPTH (out, 0) == 16) {
    cnn_pixel_plane dst = gst_cnn_component_plane (out, 0);

    if (s->output == OUTPUT_MASK)
      cnn_pixels_threshold (ctx, &edges, &dst, cut);
    else
      cnn_pixels_pack (ctx, self->fout, self->width, &dst, canny ? 65535.0f : 257.0f, 0.0f,
          CNN_PIXEL_CLAMP);
  } else {
    cnn_pixel_plane dst[3];

    if (s->output == OUTPUT_MASK)
      cnn_pixels_threshold (ctx, &edges, &edges, cut);
    for (comp = 0; comp < n_luma; comp++)
      dst[comp] = gst_cnn_component_plane (out, comp);
    cnn_pixels_spread (ctx, &edges, dst, n_luma);
  }
  /* chroma neutral, alpha opaque */
  for (comp = n_luma; comp < n_comp; comp++) {
    cnn_pixel_plane dst = gst_cnn_component_plane (out, comp);

    cnn_pixels_fill (ctx, &dst, comp == 3 ? cnn_pixel_max (dst.depth) : 128);
  }
}

static gboolean
gst_cnn_edge_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);
  gchar *msg = NULL;
  cnn_status st;

  GST_OBJECT_LOCK (self);
  if (self->props_error)
    msg = g_strdup (self->props_error);
  else if (self->props_changed) {
    self->active = self->props;
    self->props_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);
  if (msg)
    gst_cnn_filter_warn_properties (filter, msg);
  g_free (msg);
  /* a property (blur, method) may need more scratch: grown once, here */
  if (!gst_cnn_edge_plan_workspace (filter, ctx))
    goto no_memory;

  if (!self->detect) {
    st = detect_tensor (self, ctx, &in->tensor, &out->tensor);
    if (st != CNN_OK)
      goto detect_failed;
    return TRUE;
  }
  if (self->detect == detect_rgb && (self->active.output == OUTPUT_MAGNITUDE ||
          (self->active.output == OUTPUT_MASK &&
              self->active.edge.method == CNN_EDGE_CANNY))) {
    detect_rgb_packed (self, ctx, &in->video, &out->video, &st);
    if (st != CNN_OK)
      goto detect_failed;
    /* RGBA, BGRA: alpha opaque, as write_output leaves it */
    if (GST_VIDEO_FRAME_N_COMPONENTS (&out->video) == 4) {
      cnn_pixel_plane alpha = gst_cnn_component_plane (&out->video, 3);

      cnn_pixels_fill (ctx, &alpha, 255);
    }
    return TRUE;
  }
  self->detect (self, ctx, &in->video, &st);
  if (st != CNN_OK)
    goto detect_failed;
  write_output (self, ctx, &in->video, &out->video);
  return TRUE;

no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate the workspace"),
        (NULL));
    return FALSE;
  }
detect_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: edge detection failed: %s",
            GST_OBJECT_NAME (self), cnn_last_error ()), (NULL));
    return FALSE;
  }
}

/* Video in place, whatever the properties: the packed path writes over its
 * input (cnn_edge_detect_packed allows it), every other path has read the
 * whole frame into its planes before write_output writes. Tensors: no. */
static gboolean
gst_cnn_edge_in_place (GstCnnFilter * filter, const GstCnnFilterInfo * info)
{
  return !info->is_tensor;
}

/* The optional Gaussian blur (sized as libcnn sizes it: 3 sigma each side
 * on 8-bit frames, 4 on float), then the operator's aperture. Canny's
 * non-maximum suppression and hysteresis are not counted (as gst-cnn rf). */
static guint
gst_cnn_edge_rf_layers (GstCnnFilter * filter, const GstCnnFilterInfo * in, cnn_rf_layer * x,
    cnn_rf_layer * y)
{
  GstCnnEdge *self = GST_CNN_EDGE (filter);
  gboolean is_float = in && (in->is_tensor || GST_VIDEO_INFO_COMP_DEPTH (&in->video, 0) == 16);
  cnn_edge_method method;
  gfloat sigma;
  gint aperture;
  guint n = 0;

  GST_OBJECT_LOCK (self);
  method = self->props.edge.method;
  sigma = self->props.edge.blur_sigma;
  aperture = self->aperture;
  GST_OBJECT_UNLOCK (self);

  if (sigma > 0) {
    gint blur = (gint) lrint ((gdouble) sigma * (is_float ? 4 : 3) * 2 + 1) | 1;

    x[n] = y[n] = (cnn_rf_layer) {
    blur, 1, blur / 2, 1, "cnnedge blur"};
    n++;
  }
  if (method == CNN_EDGE_SCHARR || method == CNN_EDGE_PREWITT)
    aperture = 3;
  x[n] = y[n] = (cnn_rf_layer) {
  aperture, 1, aperture / 2, 1, "cnnedge"};
  return n + 1;
}

static void
gst_cnn_edge_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnEdge *self = GST_CNN_EDGE (object);
  gchar *msg;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METHOD:
      self->props.edge.method = g_value_get_enum (value);
      break;
    case PROP_NORM:
      self->props.edge.norm = g_value_get_enum (value);
      break;
    case PROP_THRESHOLD_LOW:
      self->props.edge.threshold_low = (gfloat) g_value_get_double (value);
      break;
    case PROP_THRESHOLD_HIGH:
      self->props.edge.threshold_high = (gfloat) g_value_get_double (value);
      break;
    case PROP_APERTURE:
      self->aperture = g_value_get_int (value);
      break;
    case PROP_BLUR_SIGMA:
      self->props.edge.blur_sigma = (gfloat) g_value_get_double (value);
      break;
    case PROP_OUTPUT:
      self->props.output = g_value_get_enum (value);
      break;
    case PROP_OVERLAY_COLOR:
      self->props.overlay_color = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  gst_cnn_edge_update_settings (self);
  GST_OBJECT_UNLOCK (self);

  /* The size never changes. Unusable values never reach the stream: start()
   * refuses them, and while streaming the previous values stay, with a
   * warning naming the property. */
  msg = gst_cnn_edge_explain_caps (GST_CNN_FILTER (self), NULL);
  GST_OBJECT_LOCK (self);
  g_free (self->props_error);
  self->props_error = msg;
  self->props_changed = msg == NULL;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_edge_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnEdge *self = GST_CNN_EDGE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METHOD:
      g_value_set_enum (value, self->props.edge.method);
      break;
    case PROP_NORM:
      g_value_set_enum (value, self->props.edge.norm);
      break;
    case PROP_THRESHOLD_LOW:
      g_value_set_double (value, self->props.edge.threshold_low);
      break;
    case PROP_THRESHOLD_HIGH:
      g_value_set_double (value, self->props.edge.threshold_high);
      break;
    case PROP_APERTURE:
      g_value_set_int (value, self->aperture);
      break;
    case PROP_BLUR_SIGMA:
      g_value_set_double (value, self->props.edge.blur_sigma);
      break;
    case PROP_OUTPUT:
      g_value_set_enum (value, self->props.output);
      break;
    case PROP_OVERLAY_COLOR:
      g_value_set_uint (value, self->props.overlay_color);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_edge_finalize (GObject * object)
{
  g_free (GST_CNN_EDGE (object)->props_error);
  G_OBJECT_CLASS (gst_cnn_edge_parent_class)->finalize (object);
}

static void
gst_cnn_edge_class_init (GstCnnEdgeClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_edge_debug, "cnnedge", 0, "gst-cnn edge detection");

  gobject_class->set_property = gst_cnn_edge_set_property;
  gobject_class->get_property = gst_cnn_edge_get_property;
  gobject_class->finalize = gst_cnn_edge_finalize;

  g_object_class_install_property (gobject_class, PROP_METHOD,
      g_param_spec_enum ("method", "Method", "Edge detector", GST_TYPE_CNN_EDGE_METHOD,
          DEFAULT_PROP_METHOD, flags));
  g_object_class_install_property (gobject_class, PROP_NORM,
      g_param_spec_enum ("norm", "Norm", "Gradient magnitude", GST_TYPE_CNN_EDGE_NORM,
          DEFAULT_PROP_NORM, flags));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD_LOW,
      g_param_spec_double ("threshold-low", "Low threshold",
          "Canny: weak-edge threshold on the gradient (cv2.Canny threshold1)", 0, 1e6,
          DEFAULT_PROP_THRESHOLD_LOW, flags));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD_HIGH,
      g_param_spec_double ("threshold-high", "High threshold",
          "Canny: strong-edge threshold (cv2.Canny threshold2); other methods: the "
          "magnitude (0-255) that counts as an edge in mask and overlay", 0, 1e6,
          DEFAULT_PROP_THRESHOLD_HIGH, flags));
  g_object_class_install_property (gobject_class, PROP_APERTURE,
      g_param_spec_int ("aperture", "Aperture",
          "Kernel size: Sobel and Canny 3, 5 or 7; Laplacian 3 or 5; Scharr, Prewitt 3", 3,
          7, DEFAULT_PROP_APERTURE, flags));
  g_object_class_install_property (gobject_class, PROP_BLUR_SIGMA,
      g_param_spec_double ("blur-sigma", "Blur sigma",
          "Gaussian blur before the gradients, as cv2.GaussianBlur (0 = none, as cv2.Canny)",
          0, 31, DEFAULT_PROP_BLUR_SIGMA, flags));
  g_object_class_install_property (gobject_class, PROP_OUTPUT,
      g_param_spec_enum ("output", "Output", "What the frames show",
          GST_TYPE_CNN_EDGE_OUTPUT, DEFAULT_PROP_OUTPUT, flags));
  g_object_class_install_property (gobject_class, PROP_OVERLAY_COLOR,
      g_param_spec_uint ("overlay-color", "Overlay colour",
          "Colour of the edges in output=overlay, ARGB (alpha blends)", 0, G_MAXUINT32,
          DEFAULT_PROP_OVERLAY_COLOR, flags));

  gst_element_class_set_static_metadata (element_class, "CNN edge detection",
      "Filter/Effect/Video",
      "Sobel, Scharr, Prewitt, Laplacian and Canny edges as OpenCV computes them",
      "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_edge_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_edge_src_template);

  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_edge_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_edge_filter);
  cnn_class->free_buffers = GST_DEBUG_FUNCPTR (gst_cnn_edge_free_buffers);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_edge_explain_caps);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_edge_plan_workspace);
  cnn_class->rf_layers = GST_DEBUG_FUNCPTR (gst_cnn_edge_rf_layers);
  cnn_class->in_place = GST_DEBUG_FUNCPTR (gst_cnn_edge_in_place);

  gst_type_mark_as_plugin_api (GST_TYPE_CNN_EDGE_METHOD, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_EDGE_NORM, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_EDGE_OUTPUT, 0);
}

static void
gst_cnn_edge_init (GstCnnEdge * self)
{
  cnn_edge_params_init (&self->props.edge, DEFAULT_PROP_METHOD);
  self->props.edge.norm = DEFAULT_PROP_NORM;
  self->props.edge.threshold_low = DEFAULT_PROP_THRESHOLD_LOW;
  self->props.edge.threshold_high = DEFAULT_PROP_THRESHOLD_HIGH;
  self->props.edge.blur_sigma = DEFAULT_PROP_BLUR_SIGMA;
  self->props.output = DEFAULT_PROP_OUTPUT;
  self->props.overlay_color = DEFAULT_PROP_OVERLAY_COLOR;
  self->aperture = DEFAULT_PROP_APERTURE;
  gst_cnn_edge_update_settings (self);
}
