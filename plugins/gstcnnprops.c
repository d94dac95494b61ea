/* Property helpers the cnn elements share. See the header. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcnnprops.h"

GType
gst_cnn_enum_type (GType * type, const gchar * name, const GEnumValue * values)
{
  if (g_once_init_enter (type))
    g_once_init_leave (type, g_enum_register_static (name, values));
  return *type;
}

void
gst_cnn_set_text (gchar ** text, const GValue * value, const gchar * fallback)
{
  const gchar *s = g_value_get_string (value);

  g_free (*text);
  *text = g_strdup (s ? s : fallback);
}

gboolean
gst_cnn_parse_channel_values (const gchar * text, gfloat * values, guint max, guint * n)
{
  gchar **parts = g_strsplit (text ? text : "", ",", -1);
  guint i;
  gboolean ok;

  *n = g_strv_length (parts);
  ok = *n >= 1 && *n <= max;
  for (i = 0; ok && i < *n; i++) {
    gchar *end;

    values[i] = (gfloat) g_ascii_strtod (g_strstrip (parts[i]), &end);
    ok = end != parts[i] && *end == '\0';
  }
  g_strfreev (parts);
  if (!ok)
    *n = 0;
  return ok;
}
