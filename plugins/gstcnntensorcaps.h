/* Tensor caps as NNStreamer writes them: "other/tensors, format=static,
 * num_tensors=1, types=float32, dimensions=W:H:C:N" (dimensions innermost
 * first) and the older single-tensor "other/tensor, type=float32,
 * dimension=W:H:C:N". A buffer is the tightly packed tensor, which is NCHW
 * in libcnn's order (W varies fastest). */
#ifndef GST_CNN_TENSOR_CAPS_H
#define GST_CNN_TENSOR_CAPS_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* Template caps of tensors of the element types types ("float32" or
 * "{ float32, uint8 }"), any dimensions. */
#define GST_CNN_TENSOR_CAPS_MAKE(types)                                       \
  "other/tensors, format = (string) static, num_tensors = (int) 1, "          \
  "types = (string) " types ", framerate = (fraction) [ 0/1, MAX ]; "         \
  "other/tensor, type = (string) " types ", framerate = (fraction) [ 0/1, MAX ]"

#define GST_CNN_TENSOR_TYPES_ALL "{ float32, uint8 }"

typedef enum
{
  GST_CNN_TENSOR_FLOAT32,
  GST_CNN_TENSOR_UINT8,
} GstCnnTensorType;

/* Index of each size in dims[] (NNStreamer's order). */
enum
{
  GST_CNN_TENSOR_W,
  GST_CNN_TENSOR_H,
  GST_CNN_TENSOR_C,
  GST_CNN_TENSOR_N,
  GST_CNN_TENSOR_RANK,
};

typedef struct
{
  GstCnnTensorType type;
  gint dims[GST_CNN_TENSOR_RANK];
  gint fps_n, fps_d;
  gboolean legacy;              /* other/tensor rather than other/tensors */
} GstCnnTensorInfo;

/* TRUE when the structure is tensor caps (either name). */
gboolean gst_cnn_structure_is_tensor (const GstStructure * s);
/* Fixed tensor caps into info; FALSE when caps are not such (other ranks
 * than 1 to 4, unknown types, more than one tensor). */
gboolean gst_cnn_tensor_info_from_caps (GstCnnTensorInfo * info, const GstCaps * caps);
/* Fixed caps of info, in its caps flavour. */
GstCaps *gst_cnn_tensor_info_to_caps (const GstCnnTensorInfo * info);
/* Bytes of one buffer. */
gsize gst_cnn_tensor_info_size (const GstCnnTensorInfo * info);
const gchar *gst_cnn_tensor_type_name (GstCnnTensorType type);

/* Dimensions W:H:C:N of a structure; FALSE when absent or not fixed. */
gboolean gst_cnn_tensor_structure_get_dims (const GstStructure * s,
    gint dims[GST_CNN_TENSOR_RANK]);
/* Set the dimensions field (name per flavour) to a list of dims[n][]. */
void gst_cnn_tensor_structure_set_dims (GstStructure * s,
    const gint (*dims)[GST_CNN_TENSOR_RANK], guint n);

G_END_DECLS

#endif
