/**
 * SECTION:element-cnnaugment
 * @title: cnnaugment
 *
 * Random (or fixed) augmentation of video frames with libcnn's transform
 * chain (see cnn/augment.h for every transform and its parameters): flips,
 * crops, resized crops, rotations, affine and perspective warps, colour
 * jitter, blur, noise, erasing... Each input frame gives `samples` output
 * buffers, each with a #GstCnnAugmentMeta holding the sample index and every
 * drawn parameter, so downstream can write labels next to images.
 *
 * The parameters of sample k of frame f are drawn from the counter-based
 * generator keyed by (seed, f, k, step): the same seed gives the same
 * buffers on any thread count and machine. The frame number is
 * round(pts x framerate) when the caps have a framerate and the buffer a
 * timestamp (so a seek, or frames dropped upstream, keep the numbers of the
 * source), else the count of buffers since the element started. With
 * `consistent`, the key is the clip number (counted at each stream-start)
 * or, with `segment-frames` S, f / S: one set of parameters per clip or
 * segment, so a video's motion survives; sample k keeps its own parameters
 * across the clip.
 *
 * Timestamps: the N samples of a frame share its time span, sample k
 * starting at pts + k x duration / N and lasting duration / N, and the
 * output framerate is N times the input's, so muxers and encoders see a
 * regular stream. Buffer offset of sample k of frame f is f x N + k.
 *
 * The output has the input's format (GRAY8 when the chain ends in grayscale
 * channels=1); its size is the chain's (fixed when a resize or crop is in
 * it), decided in caps negotiation. RGBA and BGRA are augmented on their
 * colour channels and come out opaque.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=/usr/share/doc/opencv-doc/examples/data/tree.avi ! decodebin ! videoconvert ! cnnaugment transforms="flip-h ; rotate degrees=15 ; color-jitter brightness=0.3" ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=4 ! video/x-raw,format=RGB,width=320,height=240 ! cnnaugment samples=3 seed=7 transforms="resized-crop size=224 scale=0.5,1" ! pngenc ! multifilesink location=sample-%03d.png
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnaugment.h"
#include "gstcnnaugmentmeta.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_augment_debug);
#define GST_CAT_DEFAULT gst_cnn_augment_debug

#define GST_CNN_AUGMENT_FORMATS "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx, GRAY8 }"

/* How the chain's output size follows the input size. */
typedef enum
{
  SIZE_SAME,                    /* no step changes it */
  SIZE_FIXED,                   /* a resize or crop fixes it */
  SIZE_OTHER,                   /* depends on the input (pad, shorter-side resize) */
} GstCnnAugmentSizeKind;

struct _GstCnnAugment
{
  GstCnnFilter parent;

  /* properties, under the object lock */
  gchar *transforms;
  cnn_augment_chain *chain;     /* NULL when transforms does not parse */
  gchar *chain_error;
  GstCnnAugmentSizeKind size_kind;
  gint fixed_width, fixed_height;
  gboolean to_gray;             /* grayscale channels=1: RGB in, GRAY8 out */
  guint64 seed;
  guint samples;
  gboolean consistent;
  guint segment_frames;

  /* streaming thread */
  gint width, height, channels, out_channels;
  gint fps_n, fps_d;
  gboolean has_alpha;
  void *workspace;
  gsize workspace_size;
  guint64 frames_seen;          /* input buffers since start */
  guint64 clip;                 /* stream-start events since start, minus one */
  gboolean stream_started;
  GstBuffer *inbuf;             /* the frame whose samples are being made */
  guint64 frame, key, frame_seed;
  guint frame_samples, sample;
  GstStructure *sample_params;  /* filter's drawn parameters, for the meta */
};

enum
{
  PROP_0,
  PROP_TRANSFORMS,
  PROP_SEED,
  PROP_SAMPLES,
  PROP_CONSISTENT,
  PROP_SEGMENT_FRAMES,
};

#define DEFAULT_PROP_TRANSFORMS ""
#define DEFAULT_PROP_SEED 0
#define DEFAULT_PROP_SAMPLES 1
#define DEFAULT_PROP_CONSISTENT FALSE
#define DEFAULT_PROP_SEGMENT_FRAMES 0

static GstStaticPadTemplate gst_cnn_augment_sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_CNN_AUGMENT_FORMATS)));
static GstStaticPadTemplate gst_cnn_augment_src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_CNN_AUGMENT_FORMATS)));

G_DEFINE_TYPE (GstCnnAugment, gst_cnn_augment, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnaugment, "cnnaugment", GST_RANK_NONE, GST_TYPE_CNN_AUGMENT);

/* Two unrelated large sizes tell the three kinds apart: a size equal at
 * both is fixed, a size equal to the input at both is unchanged. */
static GstCnnAugmentSizeKind
classify_size (const cnn_augment_chain * chain, gint * fixed_w, gint * fixed_h)
{
  static const gint probe[2][2] = { {4096, 3072}, {2900, 3500} };
  gint w[2], h[2], i;

  for (i = 0; i < 2; i++)
    if (cnn_augment_chain_output_size (chain, probe[i][0], probe[i][1], &w[i],
            &h[i]) != CNN_OK)
      return SIZE_OTHER;
  if (w[0] == probe[0][0] && h[0] == probe[0][1] && w[1] == probe[1][0] && h[1] == probe[1][1])
    return SIZE_SAME;
  if (w[0] == w[1] && h[0] == h[1]) {
    *fixed_w = w[0];
    *fixed_h = h[0];
    return SIZE_FIXED;
  }
  return SIZE_OTHER;
}

static gboolean
chain_makes_gray (const cnn_augment_chain * chain)
{
  gint w, h, c;

  return cnn_augment_chain_output_shape (chain, 4096, 3072, 3, &w, &h, &c) == CNN_OK && c == 1;
}

static gint
format_channels (const GstVideoInfo * info)
{
  return GST_VIDEO_INFO_IS_GRAY (info) ? 1 : 3;
}

/* Why the chain cannot run on these caps (or at all), naming the transform
 * and the parameter; NULL when it can. */
static gchar *
gst_cnn_augment_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (filter);
  gchar *msg = NULL;
  GstVideoInfo info;
  gint w, h, c;

  GST_OBJECT_LOCK (self);
  if (self->chain_error) {
    msg = g_strdup_printf ("%s: transforms: %s", GST_OBJECT_NAME (self), self->chain_error);
  } else if (incaps && gst_video_info_from_caps (&info, incaps)) {
    gint in_c = format_channels (&info);

    if (cnn_augment_chain_output_shape (self->chain, GST_VIDEO_INFO_WIDTH (&info),
            GST_VIDEO_INFO_HEIGHT (&info), in_c, &w, &h, &c) != CNN_OK)
      msg = g_strdup_printf ("%s: transforms on %dx%d %s: %s", GST_OBJECT_NAME (self),
          GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
          GST_VIDEO_INFO_NAME (&info), cnn_last_error ());
  }
  GST_OBJECT_UNLOCK (self);
  return msg;
}

/* Framerate times n (up) or divided by n: n samples per input frame. */
static void
scale_framerate (GstStructure * s, guint n, gboolean up)
{
  const GValue *v = gst_structure_get_value (s, "framerate");
  gint mn = up ? (gint) n : 1, md = up ? 1 : (gint) n, num, den;

  if (!v || n == 1)
    return;
  if (GST_VALUE_HOLDS_FRACTION (v)) {
    if (gst_util_fraction_multiply (gst_value_get_fraction_numerator (v),
            gst_value_get_fraction_denominator (v), mn, md, &num, &den))
      gst_structure_set (s, "framerate", GST_TYPE_FRACTION, num, den, NULL);
  } else if (GST_VALUE_HOLDS_FRACTION_RANGE (v)) {
    const GValue *lo = gst_value_get_fraction_range_min (v);
    const GValue *hi = gst_value_get_fraction_range_max (v);
    gint lo_n = gst_value_get_fraction_numerator (lo), lo_d =
        gst_value_get_fraction_denominator (lo);
    gint hi_n = gst_value_get_fraction_numerator (hi), hi_d =
        gst_value_get_fraction_denominator (hi);

    /* an end that overflows stays where it is (G_MAXINT/1 is "any") */
    if (gst_util_fraction_multiply (lo_n, lo_d, mn, md, &num, &den)) {
      lo_n = num;
      lo_d = den;
    }
    if (gst_util_fraction_multiply (hi_n, hi_d, mn, md, &num, &den)) {
      hi_n = num;
      hi_d = den;
    }
    gst_structure_set (s, "framerate", GST_TYPE_FRACTION_RANGE, lo_n, lo_d, hi_n, hi_d, NULL);
  }
}

/* FALSE when field of s exists and cannot take want (taken). */
static gboolean
field_allows (const GstStructure * s, const gchar * field, GValue * want)
{
  const GValue *v = gst_structure_get_value (s, field);
  gboolean ok = !v || gst_value_can_intersect (v, want);

  g_value_unset (want);
  return ok;
}

static gboolean
int_field_allows (const GstStructure * s, const gchar * field, gint value)
{
  GValue want = G_VALUE_INIT;

  g_value_init (&want, G_TYPE_INT);
  g_value_set_int (&want, value);
  return field_allows (s, field, &want);
}

/* A chain ending in grayscale channels=1 takes the RGB formats and gives
 * GRAY8; FALSE when s (an output) cannot be GRAY8. */
static gboolean
map_gray_format (GstStructure * s, GstPadDirection direction)
{
  static const gchar *rgb[] = { "RGB", "BGR", "RGBA", "BGRA", "RGBx", "BGRx" };
  GValue list = G_VALUE_INIT, v = G_VALUE_INIT;
  guint i;

  if (direction == GST_PAD_SINK) {
    gst_structure_set (s, "format", G_TYPE_STRING, "GRAY8", NULL);
    return TRUE;
  }
  g_value_init (&v, G_TYPE_STRING);
  g_value_set_static_string (&v, "GRAY8");
  if (!field_allows (s, "format", &v))
    return FALSE;
  g_value_init (&list, GST_TYPE_LIST);
  for (i = 0; i < G_N_ELEMENTS (rgb); i++) {
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_static_string (&v, rgb[i]);
    gst_value_list_append_and_take_value (&list, &v);
    memset (&v, 0, sizeof v);
  }
  gst_structure_take_value (s, "format", &list);
  return TRUE;
}

static GstCaps *
gst_cnn_augment_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (trans);
  GstCaps *ret = gst_caps_new_empty ();
  GstCnnAugmentSizeKind kind;
  gboolean to_gray;
  gint fw, fh;
  guint samples, i;

  GST_OBJECT_LOCK (self);
  kind = self->size_kind;
  to_gray = self->to_gray;
  fw = self->fixed_width;
  fh = self->fixed_height;
  samples = self->samples;

  for (i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    gint w, h, ow, oh;

    /* A fixed input size: the exact output. One the chain cannot take is
     * mapped like any size, so that set_info, not linking, refuses it with
     * a message naming the transform. */
    if (direction == GST_PAD_SINK && self->chain && gst_structure_get_int (s, "width", &w)
        && gst_structure_get_int (s, "height", &h)
        && cnn_augment_chain_output_size (self->chain, w, h, &ow, &oh) == CNN_OK) {
      gst_structure_set (s, "width", G_TYPE_INT, ow, "height", G_TYPE_INT, oh, NULL);
    } else if (kind == SIZE_FIXED && direction == GST_PAD_SINK) {
      gst_structure_set (s, "width", G_TYPE_INT, fw, "height", G_TYPE_INT, fh, NULL);
    } else if (kind == SIZE_FIXED) {
      /* any input size gives fw x fh; an output that is not it, none */
      if (!int_field_allows (s, "width", fw) || !int_field_allows (s, "height", fh)) {
        gst_structure_free (s);
        continue;
      }
      gst_structure_set (s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height",
          GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
    } else if (kind == SIZE_OTHER) {
      gst_structure_set (s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height",
          GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
    }
    if (to_gray && !map_gray_format (s, direction)) {
      gst_structure_free (s);
      continue;
    }
    scale_framerate (s, samples, direction == GST_PAD_SINK);
    gst_caps_append_structure_full (ret, s,
        gst_caps_features_copy (gst_caps_get_features (caps, i)));
  }
  GST_OBJECT_UNLOCK (self);
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

static gboolean
gst_cnn_augment_plan_workspace (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (filter);
  gsize need = cnn_augment_workspace_size (self->chain, self->width, self->height,
      self->channels, CNN_FRAME_U8, cnn_context_threads (ctx));

  if (need <= self->workspace_size)
    return TRUE;
  cnn_aligned_free (self->workspace);
  self->workspace = cnn_aligned_alloc (need);
  self->workspace_size = self->workspace ? need : 0;
  return self->workspace != NULL;
}

static gboolean
gst_cnn_augment_set_info (GstCnnFilter * filter, GstCaps * incaps, const GstCnnFilterInfo * in,
    GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (filter);
  const GstVideoInfo *in_info = &in->video, *out_info = &out->video;
  gchar *msg;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_augment_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  msg = gst_cnn_augment_explain_caps (filter, incaps);
  if (msg)
    goto bad_properties;

  self->width = GST_VIDEO_INFO_WIDTH (in_info);
  self->height = GST_VIDEO_INFO_HEIGHT (in_info);
  self->channels = format_channels (in_info);
  self->out_channels = format_channels (out_info);
  self->has_alpha = GST_VIDEO_INFO_HAS_ALPHA (out_info);
  self->fps_n = GST_VIDEO_INFO_FPS_N (in_info);
  self->fps_d = GST_VIDEO_INFO_FPS_D (in_info);
  if (!gst_cnn_augment_plan_workspace (filter, gst_cnn_filter_context (filter)))
    goto no_memory;
  GST_DEBUG_OBJECT (self, "%dx%d %s -> %dx%d, workspace %" G_GSIZE_FORMAT, self->width,
      self->height, GST_VIDEO_INFO_NAME (in_info), GST_VIDEO_INFO_WIDTH (out_info),
      GST_VIDEO_INFO_HEIGHT (out_info), self->workspace_size);
  return TRUE;

bad_properties:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
no_memory:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("Could not allocate the workspace "
            "for %dx%d frames", self->width, self->height), (NULL));
    return FALSE;
  }
}

/* The colour channels of a packed frame, R first whatever the byte order. */
static void
frame_view (GstVideoFrame * f, gint channels, cnn_frame * view)
{
  cnn_frame_init (view, GST_VIDEO_FRAME_COMP_DATA (f, 0), GST_VIDEO_FRAME_WIDTH (f),
      GST_VIDEO_FRAME_HEIGHT (f), channels, CNN_FRAME_U8, CNN_FRAME_PACKED);
  view->row_stride = GST_VIDEO_FRAME_COMP_STRIDE (f, 0);
  view->pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE (f, 0);
  if (channels > 1)
    view->channel_step = GST_VIDEO_FRAME_COMP_OFFSET (f, 1) - GST_VIDEO_FRAME_COMP_OFFSET (f,
        0);
}

/* The drawn parameters as the meta's structure (see gstcnnaugmentmeta.h). */
static GstStructure *
params_structure (GstCnnAugment * self, const cnn_augment_params * p)
{
  GstStructure *s;
  GValue steps = G_VALUE_INIT, v = G_VALUE_INIT;
  gsize len = cnn_augment_params_json (p, NULL, 0);
  gchar *json = g_malloc (len + 1);
  gint i, j;

  cnn_augment_params_json (p, json, len + 1);
  g_value_init (&steps, GST_TYPE_ARRAY);
  for (i = 0; i < p->n_steps; i++) {
    const cnn_augment_step_params *sp = &p->steps[i];
    GstStructure *step = gst_structure_new (sp->transform, "applied", G_TYPE_BOOLEAN,
        sp->applied, NULL);

    for (j = 0; j < sp->n_values; j++)
      gst_structure_set (step, sp->names[j], G_TYPE_DOUBLE, sp->values[j], NULL);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    gst_value_set_structure (&v, step);
    gst_structure_free (step);
    gst_value_array_append_and_take_value (&steps, &v);
    memset (&v, 0, sizeof v);
  }
  s = gst_structure_new ("cnn-augment", "seed", G_TYPE_UINT64, self->frame_seed,
      "frame", G_TYPE_UINT64, self->frame, "key", G_TYPE_UINT64, self->key,
      "sample", G_TYPE_UINT, self->sample, "samples", G_TYPE_UINT, self->frame_samples,
      "json", G_TYPE_STRING, json, NULL);
  if (GST_BUFFER_PTS_IS_VALID (self->inbuf))
    gst_structure_set (s, "timestamp", G_TYPE_UINT64, GST_BUFFER_PTS (self->inbuf), NULL);
  gst_structure_take_value (s, "steps", &steps);
  g_free (json);
  return s;
}

static gboolean
gst_cnn_augment_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in_frame,
    GstCnnFilterFrame * out_frame)
{
  GstVideoFrame *in = &in_frame->video, *out = &out_frame->video;
  GstCnnAugment *self = GST_CNN_AUGMENT (filter);
  cnn_augment_params params;
  cnn_frame src, dst;
  cnn_status st;

  st = cnn_augment_draw (self->chain, self->frame_seed, self->key, self->sample, self->width,
      self->height, self->channels, &params);
  if (st != CNN_OK)
    goto failed;
  frame_view (in, self->channels, &src);
  frame_view (out, self->out_channels, &dst);
  st = cnn_augment_apply (ctx, self->chain, &params, &src, &dst, self->workspace);
  if (st != CNN_OK)
    goto failed;
  if (self->has_alpha) {
    cnn_pixel_plane alpha = gst_cnn_component_plane (out, 3);

    cnn_pixels_fill (ctx, &alpha, 255);
  }
  /* the mapped buffer is not writable: the meta goes on after unmapping */
  self->sample_params = params_structure (self, &params);
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: augmentation failed: %s",
            GST_OBJECT_NAME (self), cnn_last_error ()), (NULL));
    return FALSE;
  }
}

/* The frame number of an input buffer (see the element's description). */
static guint64
frame_number (GstCnnAugment * self, GstBuffer * buf)
{
  if (self->fps_n > 0 && self->fps_d > 0 && GST_BUFFER_PTS_IS_VALID (buf))
    return gst_util_uint64_scale_round (GST_BUFFER_PTS (buf), self->fps_n,
        (guint64) self->fps_d * GST_SECOND);
  return self->frames_seen;
}

/* Take a new input frame: its number, key, seed and sample count stay fixed
 * for all its samples. */
static void
start_frame (GstCnnAugment * self, GstBuffer * buf)
{
  gst_buffer_replace (&self->inbuf, NULL);
  self->inbuf = buf;
  self->sample = 0;
  self->frame = frame_number (self, buf);
  self->frames_seen++;
  GST_OBJECT_LOCK (self);
  self->frame_seed = self->seed;
  self->frame_samples = self->samples;
  if (!self->consistent)
    self->key = self->frame;
  else if (self->segment_frames)
    self->key = self->frame / self->segment_frames;
  else
    self->key = self->clip;
  GST_OBJECT_UNLOCK (self);
}

/* Sample k of the frame shares its time span: [k, k + 1) x duration / N. */
static void
stamp_sample (GstCnnAugment * self, GstBuffer * out)
{
  GstBuffer *in = self->inbuf;
  GstClockTime dur = GST_BUFFER_DURATION (in);
  guint k = self->sample, n = self->frame_samples;
  GstClockTime start, end;

  if (!GST_CLOCK_TIME_IS_VALID (dur) && self->fps_n > 0)
    dur = gst_util_uint64_scale (GST_SECOND, self->fps_d, self->fps_n);
  GST_BUFFER_OFFSET (out) = self->frame * n + k;
  GST_BUFFER_OFFSET_END (out) = GST_BUFFER_OFFSET (out) + 1;
  if (k > 0)
    GST_BUFFER_FLAG_UNSET (out, GST_BUFFER_FLAG_DISCONT);
  if (!GST_CLOCK_TIME_IS_VALID (dur))
    return;
  start = gst_util_uint64_scale (dur, k, n);
  end = gst_util_uint64_scale (dur, k + 1, n);
  if (GST_BUFFER_PTS_IS_VALID (in))
    GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in) + start;
  if (GST_BUFFER_DTS_IS_VALID (in))
    GST_BUFFER_DTS (out) = GST_BUFFER_DTS (in) + start;
  GST_BUFFER_DURATION (out) = end - start;
}

/* N outputs per input: GstBaseTransform calls this until it returns no
 * buffer, so each call makes the next sample of the queued frame. */
static GstFlowReturn
gst_cnn_augment_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (trans);
  GstBaseTransformClass *klass = GST_BASE_TRANSFORM_GET_CLASS (trans);
  GstFlowReturn ret;

  *outbuf = NULL;
  if (trans->queued_buf) {
    start_frame (self, trans->queued_buf);
    trans->queued_buf = NULL;
  }
  if (!self->inbuf)
    return GST_FLOW_OK;
  if (self->sample >= self->frame_samples) {
    gst_buffer_replace (&self->inbuf, NULL);
    return GST_FLOW_OK;
  }
  ret = klass->prepare_output_buffer (trans, self->inbuf, outbuf);
  if (ret != GST_FLOW_OK || !*outbuf)
    return ret;
  ret = klass->transform (trans, self->inbuf, *outbuf);
  if (ret != GST_FLOW_OK) {
    gst_buffer_replace (outbuf, NULL);
    return ret;
  }
  gst_buffer_add_cnn_augment_meta (*outbuf, g_steal_pointer (&self->sample_params));
  stamp_sample (self, *outbuf);
  self->sample++;
  return GST_FLOW_OK;
}

/* The receptive field of an output pixel: a drawn crop, flip or warp moves
 * it every sample (and contrast, equalize... read the whole frame), so no
 * fixed field holds; like a videoscale, the element starts a new chain on
 * its output frames. The empty chain passes upstream's answer through. */
static gboolean
gst_cnn_augment_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (trans);
  gboolean identity;

  if (direction != GST_PAD_SRC || !gst_cnn_query_is_receptive_field (query))
    return GST_BASE_TRANSFORM_CLASS (gst_cnn_augment_parent_class)->query (trans, direction,
        query);
  GST_OBJECT_LOCK (self);
  identity = self->chain && cnn_augment_chain_length (self->chain) == 0;
  GST_OBJECT_UNLOCK (self);
  if (identity)
    return GST_BASE_TRANSFORM_CLASS (gst_cnn_augment_parent_class)->query (trans, direction,
        query);
  gst_cnn_rf_answer_restart (trans, query);
  return TRUE;
}

static gboolean
gst_cnn_augment_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    /* a new clip: consistent mode draws new parameters */
    GST_OBJECT_LOCK (self);
    if (self->stream_started)
      self->clip++;
    self->stream_started = TRUE;
    GST_OBJECT_UNLOCK (self);
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* samples a flush cut short are not made after it */
    gst_buffer_replace (&self->inbuf, NULL);
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_augment_parent_class)->sink_event (trans, event);
}

static void
gst_cnn_augment_reset (GstCnnAugment * self)
{
  gst_buffer_replace (&self->inbuf, NULL);
  g_clear_pointer (&self->workspace, cnn_aligned_free);
  self->workspace_size = 0;
  self->frames_seen = 0;
  self->clip = 0;
  self->stream_started = FALSE;
}

static gboolean
gst_cnn_augment_start (GstBaseTransform * trans)
{
  gst_cnn_augment_reset (GST_CNN_AUGMENT (trans));
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_augment_parent_class)->start (trans);
}

static gboolean
gst_cnn_augment_stop (GstBaseTransform * trans)
{
  gst_cnn_augment_reset (GST_CNN_AUGMENT (trans));
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_augment_parent_class)->stop (trans);
}

/* Parse a new description (object lock held). A bad one is kept as the
 * error start() and negotiation report; no warning at set time. */
static void
gst_cnn_augment_set_transforms (GstCnnAugment * self, const gchar * text)
{
  cnn_augment_chain *chain = NULL;

  g_free (self->transforms);
  self->transforms = g_strdup (text ? text : "");
  g_clear_pointer (&self->chain_error, g_free);
  if (cnn_augment_chain_parse (&chain, self->transforms) != CNN_OK) {
    self->chain_error = g_strdup (cnn_last_error ());
    chain = NULL;
  }
  cnn_augment_chain_free (self->chain);
  self->chain = chain;
  self->size_kind = chain ? classify_size (chain, &self->fixed_width, &self->fixed_height) :
      SIZE_SAME;
  self->to_gray = chain && chain_makes_gray (chain);
}

static void
gst_cnn_augment_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (object);
  gboolean streaming = GST_STATE (self) > GST_STATE_READY;

  /* The chain and the sample count shape the caps and the workspace: they
   * change in READY or NULL only. */
  if (streaming && (prop_id == PROP_TRANSFORMS || prop_id == PROP_SAMPLES)) {
    gchar *msg = g_strdup_printf ("%s: %s can change only in the READY or NULL state",
        GST_OBJECT_NAME (self), pspec->name);

    gst_cnn_filter_warn_properties (GST_CNN_FILTER (self), msg);
    g_free (msg);
    return;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TRANSFORMS:
      gst_cnn_augment_set_transforms (self, g_value_get_string (value));
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    case PROP_SAMPLES:
      self->samples = g_value_get_uint (value);
      break;
    case PROP_CONSISTENT:
      self->consistent = g_value_get_boolean (value);
      break;
    case PROP_SEGMENT_FRAMES:
      self->segment_frames = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_augment_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TRANSFORMS:
      g_value_set_string (value, self->transforms);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_SAMPLES:
      g_value_set_uint (value, self->samples);
      break;
    case PROP_CONSISTENT:
      g_value_set_boolean (value, self->consistent);
      break;
    case PROP_SEGMENT_FRAMES:
      g_value_set_uint (value, self->segment_frames);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_augment_finalize (GObject * object)
{
  GstCnnAugment *self = GST_CNN_AUGMENT (object);

  gst_cnn_augment_reset (self);
  cnn_augment_chain_free (self->chain);
  g_free (self->chain_error);
  g_free (self->transforms);
  G_OBJECT_CLASS (gst_cnn_augment_parent_class)->finalize (object);
}

static void
gst_cnn_augment_class_init (GstCnnAugmentClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);
  const GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  const GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_cnn_augment_debug, "cnnaugment", 0,
      "gst-cnn augmentation");

  gobject_class->set_property = gst_cnn_augment_set_property;
  gobject_class->get_property = gst_cnn_augment_get_property;
  gobject_class->finalize = gst_cnn_augment_finalize;

  g_object_class_install_property (gobject_class, PROP_TRANSFORMS,
      g_param_spec_string ("transforms", "Transforms",
          "Chain of transforms, e.g. \"flip-h p=0.5 ; rotate degrees=-15,15 ; "
          "resized-crop size=224 scale=0.8,1.0\" (empty: identity)", DEFAULT_PROP_TRANSFORMS,
          ready));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed", "Seed of every random draw", 0, G_MAXUINT64,
          DEFAULT_PROP_SEED, playing));
  g_object_class_install_property (gobject_class, PROP_SAMPLES,
      g_param_spec_uint ("samples", "Samples",
          "Augmented buffers per input frame (the output framerate is this many times "
          "the input's)", 1, 1024, DEFAULT_PROP_SAMPLES, ready));
  g_object_class_install_property (gobject_class, PROP_CONSISTENT,
      g_param_spec_boolean ("consistent", "Consistent",
          "One set of parameters per clip (or per segment-frames frames) instead of per "
          "frame", DEFAULT_PROP_CONSISTENT, playing));
  g_object_class_install_property (gobject_class, PROP_SEGMENT_FRAMES,
      g_param_spec_uint ("segment-frames", "Segment frames",
          "With consistent: frames that share one set of parameters (0: the whole clip)",
          0, G_MAXUINT, DEFAULT_PROP_SEGMENT_FRAMES, playing));

  gst_element_class_set_static_metadata (element_class, "CNN augmentation",
      "Filter/Effect/Video",
      "Seeded random augmentation (flips, crops, warps, colour, blur, noise), N samples "
      "per frame with their parameters as metadata", "gst-cnn project");
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_augment_sink_template);
  gst_element_class_add_static_pad_template (element_class, &gst_cnn_augment_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_augment_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_augment_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_augment_transform_caps);
  trans_class->generate_output = GST_DEBUG_FUNCPTR (gst_cnn_augment_generate_output);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_augment_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_cnn_augment_query);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_augment_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_augment_filter);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_augment_explain_caps);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_augment_plan_workspace);

  /* register the meta with the element so applications find it by name */
  gst_cnn_augment_meta_get_info ();
}

static void
gst_cnn_augment_init (GstCnnAugment * self)
{
  self->seed = DEFAULT_PROP_SEED;
  self->samples = DEFAULT_PROP_SAMPLES;
  self->consistent = DEFAULT_PROP_CONSISTENT;
  self->segment_frames = DEFAULT_PROP_SEGMENT_FRAMES;
  gst_cnn_augment_set_transforms (self, DEFAULT_PROP_TRANSFORMS);
}
