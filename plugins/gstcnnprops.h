/* Property helpers the cnn elements share: enum types, text properties
 * with a default, per-channel lists. */
#ifndef GST_CNN_PROPS_H
#define GST_CNN_PROPS_H

#include <glib-object.h>

G_BEGIN_DECLS

/* The enum type name of values (ending in {0, NULL, NULL}), registered on
 * the first call; *type keeps it (a static GType of the caller, 0 at
 * first). */
GType gst_cnn_enum_type (GType * type, const gchar * name, const GEnumValue * values);

/* Replace *text (freed) by a copy of value's string, or of fallback when
 * the string is NULL: text properties that reset to their default. */
void gst_cnn_set_text (gchar ** text, const GValue * value, const gchar * fallback);

/* Parse a per-channel property "v" or "v0,v1,..." (at most max values)
 * into values; FALSE (and *n 0) on anything else. */
gboolean gst_cnn_parse_channel_values (const gchar * text, gfloat * values, guint max,
    guint * n);

G_END_DECLS

#endif
