/* GstCnnAugmentMeta: what cnnaugment did to a buffer, so downstream can write
 * labels next to images. Public header: applications compile
 * gstcnnaugmentmeta.c with it (the API type is looked up by name first, so
 * the plugin's copy and theirs share one registration).
 *
 * The structure is named "cnn-augment" and holds
 *   seed     (guint64)  the element's seed
 *   frame    (guint64)  frame number of the input buffer
 *   timestamp (guint64) its pts in nanoseconds (absent when it had none)
 *   key      (guint64)  frame key the parameters were drawn with (the frame,
 *                       or the clip/segment number in consistent mode)
 *   sample   (guint)    index of this sample, 0 .. samples - 1
 *   samples  (guint)    samples per input frame
 *   steps    (GstValueArray of GstStructure) one structure per transform,
 *            named after it, with "applied" (gboolean) and each drawn value
 *            (gdouble), e.g. rotate, applied=true, angle=12.5
 *   json     (gchararray) the same parameters as one line of JSON
 *            (cnn_augment_params_json)
 */
#ifndef GST_CNN_AUGMENT_META_H
#define GST_CNN_AUGMENT_META_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_CNN_AUGMENT_META_API_TYPE (gst_cnn_augment_meta_api_get_type ())
#define GST_CNN_AUGMENT_META_INFO (gst_cnn_augment_meta_get_info ())

typedef struct
{
  GstMeta meta;
  GstStructure *params;
} GstCnnAugmentMeta;

GType gst_cnn_augment_meta_api_get_type (void);
const GstMetaInfo *gst_cnn_augment_meta_get_info (void);

/* Attach params (taken) to buffer. */
GstCnnAugmentMeta *gst_buffer_add_cnn_augment_meta (GstBuffer * buffer, GstStructure * params);

#define gst_buffer_get_cnn_augment_meta(b) \
  ((GstCnnAugmentMeta *) gst_buffer_get_meta ((b), GST_CNN_AUGMENT_META_API_TYPE))

G_END_DECLS

#endif
