/* Parsing and building NNStreamer tensor caps. See the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnntensorcaps.h"

static const gchar *const type_names[] = {
  [GST_CNN_TENSOR_FLOAT32] = "float32",
  [GST_CNN_TENSOR_UINT8] = "uint8",
};

const gchar *
gst_cnn_tensor_type_name (GstCnnTensorType type)
{
  return type_names[type];
}

static gboolean
is_legacy (const GstStructure * s)
{
  return gst_structure_has_name (s, "other/tensor");
}

gboolean
gst_cnn_structure_is_tensor (const GstStructure * s)
{
  return gst_structure_has_name (s, "other/tensors") || is_legacy (s);
}

/* "W:H:C:N" with 1 to 4 sizes, the missing outer ones 1. */
static gboolean
parse_dims (const gchar * str, gint dims[GST_CNN_TENSOR_RANK])
{
  gchar **parts = g_strsplit (str, ":", -1);
  guint n = g_strv_length (parts), i;
  gboolean ok = n >= 1 && n <= GST_CNN_TENSOR_RANK;

  for (i = 0; i < GST_CNN_TENSOR_RANK; i++)
    dims[i] = 1;
  for (i = 0; ok && i < n; i++) {
    gchar *end;
    gint64 v = g_ascii_strtoll (parts[i], &end, 10);

    ok = end != parts[i] && *end == '\0' && v >= 1 && v <= G_MAXINT;
    dims[i] = (gint) v;
  }
  g_strfreev (parts);
  return ok;
}

gboolean
gst_cnn_tensor_structure_get_dims (const GstStructure * s, gint dims[GST_CNN_TENSOR_RANK])
{
  const gchar *str = gst_structure_get_string (s, is_legacy (s) ? "dimension" :
      "dimensions");

  return str && parse_dims (str, dims);
}

void
gst_cnn_tensor_structure_set_dims (GstStructure * s,
    const gint (*dims)[GST_CNN_TENSOR_RANK], guint n)
{
  const gchar *field = is_legacy (s) ? "dimension" : "dimensions";
  GValue list = G_VALUE_INIT, v = G_VALUE_INIT;
  guint i;

  g_value_init (&v, G_TYPE_STRING);
  if (n == 1) {
    g_value_take_string (&v, g_strdup_printf ("%d:%d:%d:%d", dims[0][0], dims[0][1],
            dims[0][2], dims[0][3]));
    gst_structure_take_value (s, field, &v);
    return;
  }
  g_value_init (&list, GST_TYPE_LIST);
  for (i = 0; i < n; i++) {
    g_value_take_string (&v, g_strdup_printf ("%d:%d:%d:%d", dims[i][0], dims[i][1],
            dims[i][2], dims[i][3]));
    gst_value_list_append_value (&list, &v);
  }
  g_value_unset (&v);
  gst_structure_take_value (s, field, &list);
}

gboolean
gst_cnn_tensor_info_from_caps (GstCnnTensorInfo * info, const GstCaps * caps)
{
  const GstStructure *s;
  const gchar *type;
  gint n = 1;
  guint i;

  if (!gst_caps_is_fixed (caps))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (!gst_cnn_structure_is_tensor (s))
    return FALSE;
  info->legacy = is_legacy (s);
  if (!info->legacy && gst_structure_get_int (s, "num_tensors", &n) && n != 1)
    return FALSE;
  type = gst_structure_get_string (s, info->legacy ? "type" : "types");
  if (!type)
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (type, type_names[i]))
      break;
  if (i == G_N_ELEMENTS (type_names))
    return FALSE;
  info->type = i;
  if (!gst_cnn_tensor_structure_get_dims (s, info->dims))
    return FALSE;
  if (!gst_structure_get_fraction (s, "framerate", &info->fps_n, &info->fps_d)) {
    info->fps_n = 0;
    info->fps_d = 1;
  }
  return TRUE;
}

GstCaps *
gst_cnn_tensor_info_to_caps (const GstCnnTensorInfo * info)
{
  const gchar *type = type_names[info->type];
  GstStructure *s;

  if (info->legacy)
    s = gst_structure_new ("other/tensor", "type", G_TYPE_STRING, type, NULL);
  else
    s = gst_structure_new ("other/tensors", "format", G_TYPE_STRING, "static",
        "num_tensors", G_TYPE_INT, 1, "types", G_TYPE_STRING, type, NULL);
  gst_cnn_tensor_structure_set_dims (s, &info->dims, 1);
  gst_structure_set (s, "framerate", GST_TYPE_FRACTION, info->fps_n, info->fps_d, NULL);
  return gst_caps_new_full (s, NULL);
}

gsize
gst_cnn_tensor_info_size (const GstCnnTensorInfo * info)
{
  gsize n = info->type == GST_CNN_TENSOR_FLOAT32 ? sizeof (gfloat) : 1;
  guint i;

  for (i = 0; i < GST_CNN_TENSOR_RANK; i++)
    n *= info->dims[i];
  return n;
}
