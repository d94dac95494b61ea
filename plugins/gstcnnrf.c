/* The element side of the receptive-field query: ask upstream, add this
 * element's layers. See gstcnnrf.h for the fields. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnrf.h"
#include "gstcnntensorcaps.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_rf_debug);
#define GST_CAT_DEFAULT gst_cnn_rf_debug

/* Width and height of a pad's current caps (video, or W and H of a
 * tensor), 0 before negotiation. */
static void
pad_frame_size (GstPad * pad, gint * width, gint * height)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gint dims[GST_CNN_TENSOR_RANK];
  GstStructure *s;

  *width = *height = 0;
  if (!caps)
    return;
  s = gst_caps_get_structure (caps, 0);
  if (gst_cnn_structure_is_tensor (s) && gst_cnn_tensor_structure_get_dims (s, dims)) {
    *width = dims[GST_CNN_TENSOR_W];
    *height = dims[GST_CNN_TENSOR_H];
  } else if (!gst_structure_get_int (s, "width", width) ||
      !gst_structure_get_int (s, "height", height)) {
    *width = *height = 0;
  }
  gst_caps_unref (caps);
}

static void
rf_identity (GstCnnReceptiveField * rf)
{
  rf->size[0] = rf->size[1] = 1;
  rf->jump[0] = rf->jump[1] = 1;
  rf->start[0] = rf->start[1] = 0.5;
  rf->layers = 0;
}

/* The field of the frames this element gets: upstream's answer when it is
 * about frames of this size, else the identity. */
static void
upstream_field (GstBaseTransform * trans, gint in_w, gint in_h, GstCnnReceptiveField * rf)
{
  GstQuery *up = gst_cnn_query_new_receptive_field ();
  gboolean answered = gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), up) &&
      gst_cnn_query_parse_receptive_field (up, rf);

  if (answered && in_w && rf->map_width && (rf->map_width != in_w || rf->map_height != in_h)) {
    GST_DEBUG_OBJECT (trans, "upstream field is about %dx%d frames, we get %dx%d: "
        "starting again", rf->map_width, rf->map_height, in_w, in_h);
    answered = FALSE;
  }
  if (!answered)
    rf_identity (rf);
  gst_query_unref (up);
}

gboolean
gst_cnn_rf_answer_query (GstBaseTransform * trans, GstQuery * query, const cnn_rf_layer * x,
    const cnn_rf_layer * y, guint n_layers)
{
  GstCnnReceptiveField rf;
  const cnn_rf_layer *axis_layers[2] = { x, y };
  gint in_size[2], out_w, out_h, axis;

  g_return_val_if_fail (n_layers <= GST_CNN_RF_MAX_LAYERS, FALSE);
  GST_DEBUG_CATEGORY_INIT (gst_cnn_rf_debug, "cnnrf", 0, "gst-cnn receptive field");
  pad_frame_size (GST_BASE_TRANSFORM_SINK_PAD (trans), &in_size[0], &in_size[1]);
  pad_frame_size (GST_BASE_TRANSFORM_SRC_PAD (trans), &out_w, &out_h);
  upstream_field (trans, in_size[0], in_size[1], &rf);
  /* an element without spatial layers that resizes (cnntensorize) starts
   * a new chain on its output grid */
  if (n_layers == 0 && in_size[0] && out_w && (in_size[0] != out_w || in_size[1] != out_h))
    rf_identity (&rf);

  /* The layers' own field from the identity, composed with upstream's:
   * the recurrences are affine in (size, jump, start). */
  for (axis = 0; axis < 2 && n_layers > 0; axis++) {
    cnn_rf_info info[GST_CNN_RF_MAX_LAYERS];
    const cnn_rf_info *last = &info[n_layers - 1];

    /* before negotiation the size is 0: unknown, and so is the start of a
     * 'same' layer with stride > 1 (NAN) */
    if (cnn_rf_compute (axis_layers[axis], (int) n_layers, in_size[axis], info) != CNN_OK)
      goto bad_layers;
    rf.size[axis] += (last->size - 1) * rf.jump[axis];
    rf.start[axis] += (last->start - 0.5) * rf.jump[axis];
    rf.jump[axis] *= last->jump;
  }
  rf.layers += n_layers;
  rf.map_width = out_w;
  rf.map_height = out_h;
  gst_cnn_query_set_receptive_field (query, &rf);
  GST_DEBUG_OBJECT (trans, "field %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ", jump %"
      G_GINT64_FORMAT "x%" G_GINT64_FORMAT ", start %g,%g after %u layers", rf.size[0],
      rf.size[1], rf.jump[0], rf.jump[1], rf.start[0], rf.start[1], rf.layers);
  return TRUE;

bad_layers:
  {
    GST_DEBUG_OBJECT (trans, "no field: %s", cnn_last_error ());
    return FALSE;
  }
}

void
gst_cnn_rf_answer_restart (GstBaseTransform * trans, GstQuery * query)
{
  GstCnnReceptiveField rf;

  rf_identity (&rf);
  pad_frame_size (GST_BASE_TRANSFORM_SRC_PAD (trans), &rf.map_width, &rf.map_height);
  gst_cnn_query_set_receptive_field (query, &rf);
}
