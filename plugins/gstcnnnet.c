/**
 * SECTION:element-cnnnet
 * @title: cnnnet
 *
 * Runs any ONNX model (libcnn's graph runtime) on float32 tensors in
 * NNStreamer's caps ("other/tensors, format=static, num_tensors=1,
 * types=float32, dimensions=W:H:C:N", or the older "other/tensor"): the
 * input tensor is the model's first input, the output tensor its first
 * output. The caps come from the model's shapes: a model with a fixed input
 * shape fixes the sink caps; one with free dimensions (a batch of -1) takes
 * the dimensions of the upstream caps (read N:C:H:W... as the model's
 * dimensions, outermost first) and the source caps have the output shape
 * the model gives for them. Shapes have at most four dimensions.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=1 ! video/x-raw,format=GRAY8,width=28,height=28 ! cnntensorize ! cnnnet model=models/fashion-mnist/model.onnx ! fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cnn/onnx.h"
#include "gstcnnnet.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_net_debug);
#define GST_CAT_DEFAULT gst_cnn_net_debug

enum
{
  PROP_0,
  PROP_MODEL,
};

struct _GstCnnNet
{
  GstCnnFilter parent;

  /* property, under the object lock */
  gchar *model;

  /* streaming thread */
  gchar *path;                  /* the model of this run */
  gboolean fixed;               /* the model's input shape is fixed */
  gint fixed_dims[GST_CNN_TENSOR_RANK];
  cnn_graph *graph;             /* prepared for the negotiated input */
};

G_DEFINE_TYPE (GstCnnNet, gst_cnn_net, GST_TYPE_CNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cnnnet, "cnnnet", GST_RANK_NONE, GST_TYPE_CNN_NET);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_CNN_TENSOR_CAPS_MAKE ("float32")));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_CNN_TENSOR_CAPS_MAKE ("float32")));

/* Tensor dims (W:H:C:N, innermost first) of a shape (outermost first);
 * FALSE beyond four dimensions. */
static gboolean
shape_to_dims (const cnn_tensor * t, gint dims[GST_CNN_TENSOR_RANK])
{
  gint i;

  if (t->ndim > GST_CNN_TENSOR_RANK)
    return FALSE;
  for (i = 0; i < GST_CNN_TENSOR_RANK; i++)
    dims[i] = i < t->ndim ? t->shape[t->ndim - 1 - i] : 1;
  return TRUE;
}

/* The model read and prepared for input dims (NULL: its own shapes), on a
 * context of ctx (NULL: a one-thread context of its own); NULL with *err
 * naming the problem. */
static cnn_graph *
gst_cnn_net_prepare (GstCnnNet * self, cnn_context * ctx, const gint * dims, gchar ** err)
{
  cnn_context *own = NULL;
  cnn_graph *g = NULL;
  gint shape[GST_CNN_TENSOR_RANK], i;
  gint rank = self->fixed ? 0 : GST_CNN_TENSOR_RANK;
  const cnn_tensor *in;

  if (cnn_onnx_read (self->path, &g) != CNN_OK)
    goto failed;
  if (cnn_graph_input_count (g) < 1 || cnn_graph_output_count (g) < 1) {
    *err = g_strdup_printf ("%s: model %s: needs an input and an output",
        GST_OBJECT_NAME (self), self->path);
    goto done;
  }
  if (dims && !self->fixed) {
    for (i = 0; i < rank; i++)
      shape[i] = dims[rank - 1 - i];
    if (cnn_graph_set_input_shape (g, cnn_graph_input_name (g, 0), rank, shape) != CNN_OK)
      goto failed;
  }
  if (!ctx && cnn_context_create (&own, 1) != CNN_OK)
    goto failed;
  if (cnn_graph_prepare (g, ctx ? ctx : own) != CNN_OK)
    goto failed;
  in = cnn_graph_input (g, 0);
  if (in->ndim > GST_CNN_TENSOR_RANK ||
      cnn_graph_output (g, 0)->ndim > GST_CNN_TENSOR_RANK) {
    *err = g_strdup_printf ("%s: model %s: tensors of more than %d dimensions",
        GST_OBJECT_NAME (self), self->path, GST_CNN_TENSOR_RANK);
    goto done;
  }
  cnn_context_destroy (own);
  return g;

failed:
  *err = g_strdup_printf ("%s: model %s%s: %s", GST_OBJECT_NAME (self), self->path,
      dims && !self->fixed ? " on the upstream tensor" : "", cnn_last_error ());
done:
  cnn_context_destroy (own);
  cnn_graph_destroy (g);
  return NULL;
}

static gchar *
gst_cnn_net_explain_caps (GstCnnFilter * filter, GstCaps * incaps)
{
  GstCnnNet *self = GST_CNN_NET (filter);
  gchar *msg = NULL;

  GST_OBJECT_LOCK (self);
  if (!self->model || !*self->model)
    msg = g_strdup_printf ("%s: model: no model file set", GST_OBJECT_NAME (self));
  else if (!g_file_test (self->model, G_FILE_TEST_IS_REGULAR))
    msg = g_strdup_printf ("%s: model: %s: no such file", GST_OBJECT_NAME (self),
        self->model);
  GST_OBJECT_UNLOCK (self);
  return msg;
}

/* Read the model at start: a file that cannot be used fails the state
 * change with the reason; a model that prepares as it is has fixed shapes. */
static gboolean
gst_cnn_net_start (GstBaseTransform * trans)
{
  GstCnnNet *self = GST_CNN_NET (trans);
  cnn_graph *g = NULL;
  gchar *err = NULL;

  if (!GST_BASE_TRANSFORM_CLASS (gst_cnn_net_parent_class)->start (trans))
    return FALSE;
  GST_OBJECT_LOCK (self);
  g_free (self->path);
  self->path = g_strdup (self->model);
  GST_OBJECT_UNLOCK (self);
  if (cnn_onnx_read (self->path, &g) != CNN_OK)
    goto bad_model;
  cnn_graph_destroy (g);
  self->fixed = TRUE;
  g = gst_cnn_net_prepare (self, NULL, NULL, &err);
  self->fixed = g != NULL && shape_to_dims (cnn_graph_input (g, 0), self->fixed_dims);
  GST_DEBUG_OBJECT (self, "input shape %s", self->fixed ? "fixed" : "free");
  cnn_graph_destroy (g);
  g_free (err);
  return TRUE;

bad_model:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s: model %s cannot be used: %s",
            GST_OBJECT_NAME (self), self->path, cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static gboolean
gst_cnn_net_stop (GstBaseTransform * trans)
{
  GstCnnNet *self = GST_CNN_NET (trans);

  cnn_graph_destroy (self->graph);
  self->graph = NULL;
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_net_parent_class)->stop (trans);
}

/* Sink to source: each fixed input tensor becomes the model's output for
 * it; source to sink: the model's fixed input, or any tensor. */
static GstCaps *
gst_cnn_net_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstCnnNet *self = GST_CNN_NET (trans);
  GstCaps *ret = gst_caps_new_empty (), *tmpl;
  gint dims[GST_CNN_TENSOR_RANK];
  gchar *err = NULL;
  guint i;

  tmpl = gst_pad_get_pad_template_caps (direction == GST_PAD_SINK ?
      GST_BASE_TRANSFORM_SRC_PAD (trans) : GST_BASE_TRANSFORM_SINK_PAD (trans));
  for (i = 0; self->path && i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    cnn_graph *g;

    if (direction == GST_PAD_SRC) {
      if (self->fixed)
        gst_cnn_tensor_structure_set_dims (s,
            (const gint (*)[GST_CNN_TENSOR_RANK]) self->fixed_dims, 1);
      else
        gst_structure_remove_fields (s, "dimensions", "dimension", NULL);
      gst_caps_append_structure (ret, s);
      continue;
    }
    if (!gst_cnn_tensor_structure_get_dims (s, dims)) {
      gst_structure_remove_fields (s, "dimensions", "dimension", NULL);
      gst_caps_append_structure (ret, s);
      continue;
    }
    g = gst_cnn_net_prepare (self, NULL, dims, &err);
    if (g && shape_to_dims (cnn_graph_output (g, 0), dims)) {
      gst_cnn_tensor_structure_set_dims (s, (const gint (*)[GST_CNN_TENSOR_RANK]) dims, 1);
      gst_caps_append_structure (ret, s);
    } else {
      GST_DEBUG_OBJECT (self, "%s", err);
      gst_structure_free (s);
    }
    g_clear_pointer (&err, g_free);
    cnn_graph_destroy (g);
  }
  if (!self->path)
    gst_caps_replace (&ret, tmpl);
  else
    gst_caps_take (&ret, gst_caps_intersect (ret, tmpl));
  gst_caps_unref (tmpl);
  return gst_cnn_filter_caps_result (trans, direction, caps, ret, filter);
}

/* Prepare the graph for the negotiated input on ctx; FALSE after posting an
 * error. */
static gboolean
gst_cnn_net_plan (GstCnnFilter * filter, cnn_context * ctx)
{
  GstCnnNet *self = GST_CNN_NET (filter);
  const GstCnnFilterInfo *in = NULL;
  GstCaps *caps = gst_pad_get_current_caps (GST_BASE_TRANSFORM_SINK_PAD (self));
  GstCnnFilterInfo info;
  gchar *err = NULL;

  if (caps && gst_cnn_filter_info_from_caps (&info, caps))
    in = &info;
  if (caps)
    gst_caps_unref (caps);
  cnn_graph_destroy (self->graph);
  self->graph = in ? gst_cnn_net_prepare (self, ctx, in->tensor.dims, &err) : NULL;
  if (!self->graph)
    goto failed;
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", err ? err : "no input caps"), (NULL));
    g_free (err);
    return FALSE;
  }
}

static gboolean
gst_cnn_net_set_info (GstCnnFilter * filter, GstCaps * incaps, const GstCnnFilterInfo * in,
    GstCaps * outcaps, const GstCnnFilterInfo * out)
{
  GstCnnNet *self = GST_CNN_NET (filter);
  gchar *err = NULL;

  if (!GST_CNN_FILTER_CLASS (gst_cnn_net_parent_class)->set_info (filter, incaps, in,
          outcaps, out))
    return FALSE;
  cnn_graph_destroy (self->graph);
  self->graph = gst_cnn_net_prepare (self, gst_cnn_filter_context (filter), in->tensor.dims,
      &err);
  if (!self->graph)
    goto failed;
  if (cnn_tensor_numel (cnn_graph_input (self->graph, 0)) * sizeof (gfloat) !=
      gst_cnn_tensor_info_size (&in->tensor) ||
      cnn_tensor_numel (cnn_graph_output (self->graph, 0)) * sizeof (gfloat) !=
      gst_cnn_tensor_info_size (&out->tensor)) {
    err = g_strdup_printf ("%s: the caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT
        " do not hold the model's input and output", GST_OBJECT_NAME (self), incaps, outcaps);
    goto failed;
  }
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", err), (NULL));
    g_free (err);
    return FALSE;
  }
}

static gboolean
gst_cnn_net_filter (GstCnnFilter * filter, cnn_context * ctx, GstCnnFilterFrame * in,
    GstCnnFilterFrame * out)
{
  GstCnnNet *self = GST_CNN_NET (filter);
  cnn_tensor *x = cnn_graph_input (self->graph, 0);
  const cnn_tensor *y;

  memcpy (x->data, in->map.data, cnn_tensor_numel (x) * sizeof (gfloat));
  if (cnn_graph_run (self->graph, ctx) != CNN_OK)
    goto failed;
  y = cnn_graph_output (self->graph, 0);
  memcpy (out->map.data, y->data, cnn_tensor_numel (y) * sizeof (gfloat));
  return TRUE;

failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s: model %s failed: %s",
            GST_OBJECT_NAME (self), self->path, cnn_last_error ()), (NULL));
    return FALSE;
  }
}

static void
gst_cnn_net_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstCnnNet *self = GST_CNN_NET (object);

  switch (prop_id) {
    case PROP_MODEL:
      GST_OBJECT_LOCK (self);
      g_free (self->model);
      self->model = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cnn_net_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstCnnNet *self = GST_CNN_NET (object);

  switch (prop_id) {
    case PROP_MODEL:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->model);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cnn_net_finalize (GObject * object)
{
  GstCnnNet *self = GST_CNN_NET (object);

  cnn_graph_destroy (self->graph);
  g_free (self->model);
  g_free (self->path);
  G_OBJECT_CLASS (gst_cnn_net_parent_class)->finalize (object);
}

static void
gst_cnn_net_class_init (GstCnnNetClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstCnnFilterClass *cnn_class = GST_CNN_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cnn_net_debug, "cnnnet", 0, "gst-cnn model on tensors");

  gobject_class->set_property = gst_cnn_net_set_property;
  gobject_class->get_property = gst_cnn_net_get_property;
  gobject_class->finalize = gst_cnn_net_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model", "ONNX model file: first input in, first output "
          "out", NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_set_static_metadata (element_class, "CNN model on tensors",
      "Filter/Converter/Tensor", "Runs an ONNX model on libcnn's graph runtime over "
      "NNStreamer float32 tensors", "gst-cnn");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_net_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_net_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_cnn_net_transform_caps);
  cnn_class->set_info = GST_DEBUG_FUNCPTR (gst_cnn_net_set_info);
  cnn_class->filter = GST_DEBUG_FUNCPTR (gst_cnn_net_filter);
  cnn_class->plan = GST_DEBUG_FUNCPTR (gst_cnn_net_plan);
  cnn_class->explain_caps = GST_DEBUG_FUNCPTR (gst_cnn_net_explain_caps);
}

static void
gst_cnn_net_init (GstCnnNet * self)
{
}
