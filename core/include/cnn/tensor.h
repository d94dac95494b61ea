/* cnn_tensor: a dense float32 array of up to CNN_MAX_DIMS dimensions, NCHW
 * order for images, row-major and tightly packed. Owned data is 64-byte
 * aligned; borrowed data is whatever the caller hands in. */
#ifndef CNN_TENSOR_H
#define CNN_TENSOR_H

#include <stddef.h>
#include "cnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CNN_MAX_DIMS 5
#define CNN_ALIGNMENT 64

typedef struct cnn_tensor {
    int ndim;
    int shape[CNN_MAX_DIMS];
    float *data;
    int owns_data; /* 1 when cnn_tensor_release() must free data */
} cnn_tensor;

/* Allocate a zero-filled tensor of the given shape. */
cnn_status cnn_tensor_alloc(cnn_tensor *t, int ndim, const int *shape);
/* Shorthand for a 4-D NCHW tensor. */
cnn_status cnn_tensor_alloc_nchw(cnn_tensor *t, int n, int c, int h, int w);
/* Describe caller-owned memory; nothing is copied or freed later. */
cnn_status cnn_tensor_wrap(cnn_tensor *t, float *data, int ndim, const int *shape);
/* Free owned data and reset the descriptor (safe on a zeroed struct). */
void cnn_tensor_release(cnn_tensor *t);

size_t cnn_tensor_numel(const cnn_tensor *t);
/* Dimension i counted from the end for i < 0, as in Python. */
int cnn_tensor_dim(const cnn_tensor *t, int i);
int cnn_tensor_same_shape(const cnn_tensor *a, const cnn_tensor *b);

/* Aligned allocation used for tensors, workspaces and arenas. Large blocks
 * are advised as huge pages: first touch of 4 KiB pages is costly here. */
void *cnn_aligned_alloc(size_t bytes);
void cnn_aligned_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
