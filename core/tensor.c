/* Tensor descriptors and aligned memory. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cnn/tensor.h"

/* Blocks this large are worth a transparent huge page. */
#define HUGE_PAGE_BYTES (2u << 20)

void *cnn_aligned_alloc(size_t bytes)
{
    size_t align = bytes >= HUGE_PAGE_BYTES ? HUGE_PAGE_BYTES : CNN_ALIGNMENT;
    size_t rounded = (bytes + align - 1) / align * align;
    void *p;
    if (rounded == 0)
        rounded = align;
    if (posix_memalign(&p, align, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (align == HUGE_PAGE_BYTES)
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

void cnn_aligned_free(void *p)
{
    free(p);
}

static cnn_status check_shape(int ndim, const int *shape)
{
    if (ndim < 1 || ndim > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_SHAPE, "tensor: %d dimensions, expected 1 to %d", ndim,
                        CNN_MAX_DIMS);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 1)
            return cnn_fail(CNN_ERR_SHAPE, "tensor: dimension %d is %d, must be >= 1", i,
                            shape[i]);
    return CNN_OK;
}

static void set_shape(cnn_tensor *t, int ndim, const int *shape)
{
    memset(t, 0, sizeof *t);
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
}

cnn_status cnn_tensor_alloc(cnn_tensor *t, int ndim, const int *shape)
{
    cnn_status st = check_shape(ndim, shape);
    if (st != CNN_OK)
        return st;
    set_shape(t, ndim, shape);
    size_t bytes = cnn_tensor_numel(t) * sizeof(float);
    t->data = cnn_aligned_alloc(bytes);
    if (!t->data)
        return cnn_fail(CNN_ERR_NOMEM, "tensor: cannot allocate %zu bytes", bytes);
    memset(t->data, 0, bytes);
    t->owns_data = 1;
    return CNN_OK;
}

cnn_status cnn_tensor_alloc_nchw(cnn_tensor *t, int n, int c, int h, int w)
{
    const int shape[4] = { n, c, h, w };
    return cnn_tensor_alloc(t, 4, shape);
}

cnn_status cnn_tensor_wrap(cnn_tensor *t, float *data, int ndim, const int *shape)
{
    cnn_status st = check_shape(ndim, shape);
    if (st != CNN_OK)
        return st;
    if (!data)
        return cnn_fail(CNN_ERR_INVALID_ARG, "tensor: wrapping a NULL pointer");
    set_shape(t, ndim, shape);
    t->data = data;
    return CNN_OK;
}

void cnn_tensor_release(cnn_tensor *t)
{
    if (t->owns_data)
        cnn_aligned_free(t->data);
    memset(t, 0, sizeof *t);
}

size_t cnn_tensor_numel(const cnn_tensor *t)
{
    size_t n = t->ndim > 0 ? 1 : 0;
    for (int i = 0; i < t->ndim; i++)
        n *= (size_t)t->shape[i];
    return n;
}

int cnn_tensor_dim(const cnn_tensor *t, int i)
{
    if (i < 0)
        i += t->ndim;
    return i >= 0 && i < t->ndim ? t->shape[i] : 0;
}

int cnn_tensor_same_shape(const cnn_tensor *a, const cnn_tensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}
