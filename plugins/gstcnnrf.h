/* The receptive-field query of the cnn elements.
 *
 * Any pad downstream of cnn elements can be asked which input pixels an
 * output pixel sees: a GST_QUERY_CUSTOM whose structure is named
 * "cnn-receptive-field". Every cnn element answers it on its source pad by
 * asking its upstream peer the same, then adding its own layers with the
 * recurrences of cnn/receptive_field.h. The answer, per axis (x
 * horizontal, y vertical), in pixels of the first frame of the chain:
 *   size-x, size-y    (gint64)  field of one output pixel
 *   jump-x, jump-y    (gint64)  distance between the fields of neighbours
 *   start-x, start-y  (gdouble) centre of the field of output pixel 0,
 *                               pixel i covering [i, i + 1); NaN when
 *                               it depends on a frame size not yet
 *                               negotiated (cnnconv padding=same with
 *                               stride > 1 pads by the frame size)
 *   layers            (guint)   spatial layers counted
 *   map-width, map-height (gint) size of the frames at the answering pad
 *                               (0 before negotiation)
 * A chain starts where upstream gives no answer (a source, a converter
 * that does not forward it) with the identity: size 1, jump 1, start 0.5.
 * An answer whose map size is not the size of the frames an element gets
 * (a videoscale or crop in between) is not used either: the chain starts
 * again there.
 *
 * The query functions below are inline so that applications need only
 * this header and libcnn's (the plugin is not a library they link). */
#ifndef GST_CNN_RF_H
#define GST_CNN_RF_H

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

#include "cnn/receptive_field.h"

G_BEGIN_DECLS

#define GST_CNN_RF_QUERY_NAME "cnn-receptive-field"

typedef struct
{
  gint64 size[2];               /* [0] along x, [1] along y */
  gint64 jump[2];
  gdouble start[2];
  guint layers;
  gint map_width, map_height;
} GstCnnReceptiveField;

/* A new, unanswered receptive-field query for gst_pad_query(). */
static inline GstQuery *
gst_cnn_query_new_receptive_field (void)
{
  return gst_query_new_custom (GST_QUERY_CUSTOM,
      gst_structure_new_empty (GST_CNN_RF_QUERY_NAME));
}

static inline gboolean
gst_cnn_query_is_receptive_field (GstQuery * query)
{
  return GST_QUERY_TYPE (query) == GST_QUERY_CUSTOM && gst_query_get_structure (query) &&
      gst_structure_has_name (gst_query_get_structure (query), GST_CNN_RF_QUERY_NAME);
}

/* The answer of a receptive-field query; FALSE when it is not one or no
 * element answered it. */
static inline gboolean
gst_cnn_query_parse_receptive_field (GstQuery * query, GstCnnReceptiveField * rf)
{
  const GstStructure *s;

  if (!gst_cnn_query_is_receptive_field (query))
    return FALSE;
  s = gst_query_get_structure (query);
  return gst_structure_get (s, "size-x", G_TYPE_INT64, &rf->size[0], "size-y", G_TYPE_INT64,
      &rf->size[1], "jump-x", G_TYPE_INT64, &rf->jump[0], "jump-y", G_TYPE_INT64,
      &rf->jump[1], "start-x", G_TYPE_DOUBLE, &rf->start[0], "start-y", G_TYPE_DOUBLE,
      &rf->start[1], "layers", G_TYPE_UINT, &rf->layers, "map-width", G_TYPE_INT,
      &rf->map_width, "map-height", G_TYPE_INT, &rf->map_height, NULL);
}

/* Answer a receptive-field query (for elements). */
static inline void
gst_cnn_query_set_receptive_field (GstQuery * query, const GstCnnReceptiveField * rf)
{
  gst_structure_set (gst_query_writable_structure (query), "size-x", G_TYPE_INT64,
      rf->size[0], "size-y", G_TYPE_INT64, rf->size[1], "jump-x", G_TYPE_INT64, rf->jump[0],
      "jump-y", G_TYPE_INT64, rf->jump[1], "start-x", G_TYPE_DOUBLE, rf->start[0], "start-y",
      G_TYPE_DOUBLE, rf->start[1], "layers", G_TYPE_UINT, rf->layers, "map-width",
      G_TYPE_INT, rf->map_width, "map-height", G_TYPE_INT, rf->map_height, NULL);
}

/* For the cnn elements: the layers one element applies, at most this many. */
#define GST_CNN_RF_MAX_LAYERS 4

/* Answer query on trans's source pad: upstream's answer (or the identity)
 * followed by layers x[0..n) along x and y[0..n) along y. FALSE when the
 * layers are unusable (a map would vanish). */
gboolean gst_cnn_rf_answer_query (GstBaseTransform * trans, GstQuery * query,
    const cnn_rf_layer * x, const cnn_rf_layer * y, guint n_layers);
/* Answer query on trans's source pad with the identity on its output
 * frames, as a new chain: for elements whose output pixels have no fixed
 * field in their input (random crops and warps). */
void gst_cnn_rf_answer_restart (GstBaseTransform * trans, GstQuery * query);

G_END_DECLS

#endif
