/* GstCnnAugmentMeta: a GstStructure of drawn augmentation parameters on a
 * buffer. See the header for its fields. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/video/video.h>

#include "gstcnnaugmentmeta.h"

#define API_NAME "GstCnnAugmentMetaAPI"
#define IMPL_NAME "GstCnnAugmentMeta"

/* No tags: the parameters stay true through conversions, scaling and
 * encoding (a label written next to an image), so elements copy the meta. */
GType
gst_cnn_augment_meta_api_get_type (void)
{
  static GType type;
  static const gchar *tags[] = { NULL };

  if (g_once_init_enter (&type)) {
    /* the plugin and an application may each carry this file */
    GType t = g_type_from_name (API_NAME);

    if (!t)
      t = gst_meta_api_type_register (API_NAME, tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
gst_cnn_augment_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  ((GstCnnAugmentMeta *) meta)->params = NULL;
  return TRUE;
}

static void
gst_cnn_augment_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstCnnAugmentMeta *m = (GstCnnAugmentMeta *) meta;

  if (m->params)
    gst_structure_free (m->params);
}

static gboolean
gst_cnn_augment_meta_transform (GstBuffer * dest, GstMeta * meta, GstBuffer * buffer,
    GQuark type, gpointer data)
{
  GstCnnAugmentMeta *m = (GstCnnAugmentMeta *) meta;

  if (!GST_META_TRANSFORM_IS_COPY (type) && type != gst_video_meta_transform_scale_get_quark ())
    return FALSE;
  return gst_buffer_add_cnn_augment_meta (dest, gst_structure_copy (m->params)) != NULL;
}

const GstMetaInfo *
gst_cnn_augment_meta_get_info (void)
{
  static const GstMetaInfo *info;

  if (g_once_init_enter (&info)) {
    const GstMetaInfo *i = gst_meta_get_info (IMPL_NAME);

    if (!i)
      i = gst_meta_register (GST_CNN_AUGMENT_META_API_TYPE, IMPL_NAME,
          sizeof (GstCnnAugmentMeta), gst_cnn_augment_meta_init, gst_cnn_augment_meta_free,
          gst_cnn_augment_meta_transform);
    g_once_init_leave (&info, i);
  }
  return info;
}

GstCnnAugmentMeta *
gst_buffer_add_cnn_augment_meta (GstBuffer * buffer, GstStructure * params)
{
  GstCnnAugmentMeta *m;

  g_return_val_if_fail (params != NULL, NULL);
  /* a second cnnaugment replaces the meta rather than stacking one */
  while ((m = gst_buffer_get_cnn_augment_meta (buffer)))
    gst_buffer_remove_meta (buffer, (GstMeta *) m);
  m = (GstCnnAugmentMeta *) gst_buffer_add_meta (buffer, GST_CNN_AUGMENT_META_INFO, NULL);
  if (!m) {
    gst_structure_free (params);
    return NULL;
  }
  m->params = params;
  return m;
}
