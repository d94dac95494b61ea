/* Element-wise add and mul with NumPy broadcasting, and their gradients.
 * Operands are walked through strides in the output's index space (0 along a
 * broadcast dimension); the forward splits output rows over the thread pool,
 * the reduction of a broadcast operand's gradient runs in output order on one
 * thread so its sums do not depend on the thread count. */
#include <string.h>

#include "cnn/elementwise.h"

typedef struct bcast {
    int ndim;
    int shape[CNN_MAX_DIMS];
    size_t stride[2][CNN_MAX_DIMS]; /* operand 0 and 1, in elements */
    size_t rows, row_len;           /* rows of the last dimension */
} bcast;

static int padded_dim(const cnn_tensor *t, int ndim, int d)
{
    int i = d - (ndim - t->ndim);
    return i < 0 ? 1 : t->shape[i];
}

cnn_status cnn_broadcast_shape(const cnn_tensor *a, const cnn_tensor *b, int *ndim, int *shape)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int d = 0; d < nd; d++) {
        int da = padded_dim(a, nd, d), db = padded_dim(b, nd, d);
        if (da != db && da != 1 && db != 1)
            return cnn_fail(CNN_ERR_SHAPE,
                            "broadcast: dimension %d of the output is %d in one operand and %d "
                            "in the other",
                            d, da, db);
        shape[d] = da == 1 ? db : da;
    }
    *ndim = nd;
    return CNN_OK;
}

static void set_strides(bcast *bc, int which, const cnn_tensor *t)
{
    size_t stride = 1;
    for (int d = bc->ndim - 1; d >= 0; d--) {
        int dim = padded_dim(t, bc->ndim, d);
        bc->stride[which][d] = dim == 1 ? 0 : stride;
        stride *= (size_t)dim;
    }
}

/* Drop dimensions of size 1 and merge neighbours that both operands walk
 * alike (both contiguous across them, or both repeating), so rows are as long
 * as possible: same shapes become one row, [N, C, H, W] + [C, 1, 1] becomes
 * N * C rows of H * W. */
static void coalesce(bcast *bc)
{
    int nd = 0;
    for (int d = 0; d < bc->ndim; d++) {
        if (bc->shape[d] == 1)
            continue;
        int last = nd - 1;
        if (nd > 0 && bc->stride[0][last] == bc->stride[0][d] * (size_t)bc->shape[d] &&
            bc->stride[1][last] == bc->stride[1][d] * (size_t)bc->shape[d]) {
            bc->shape[last] *= bc->shape[d];
            bc->stride[0][last] = bc->stride[0][d];
            bc->stride[1][last] = bc->stride[1][d];
            continue;
        }
        bc->shape[nd] = bc->shape[d];
        bc->stride[0][nd] = bc->stride[0][d];
        bc->stride[1][nd] = bc->stride[1][d];
        nd++;
    }
    if (nd == 0) { /* a single element */
        bc->shape[0] = 1;
        bc->stride[0][0] = bc->stride[1][0] = 0;
        nd = 1;
    }
    bc->ndim = nd;
}

/* Broadcast a and b and check y has the result's shape. */
static cnn_status plan_broadcast(const cnn_tensor *a, const cnn_tensor *b, const cnn_tensor *y,
                                 const char *yname, bcast *bc)
{
    cnn_status st = cnn_broadcast_shape(a, b, &bc->ndim, bc->shape);
    if (st != CNN_OK)
        return st;
    int same = y->ndim == bc->ndim;
    for (int d = 0; same && d < bc->ndim; d++)
        same = y->shape[d] == bc->shape[d];
    if (!same)
        return cnn_fail(CNN_ERR_SHAPE, "broadcast: %s does not have the broadcast shape", yname);
    set_strides(bc, 0, a);
    set_strides(bc, 1, b);
    coalesce(bc);
    bc->row_len = (size_t)bc->shape[bc->ndim - 1];
    bc->rows = cnn_tensor_numel(y) / bc->row_len;
    return CNN_OK;
}

/* Offsets of row r in both operands. */
static void row_offsets(const bcast *bc, size_t r, size_t off[2])
{
    off[0] = off[1] = 0;
    for (int d = bc->ndim - 2; d >= 0; d--) {
        size_t i = r % (size_t)bc->shape[d];
        r /= (size_t)bc->shape[d];
        off[0] += i * bc->stride[0][d];
        off[1] += i * bc->stride[1][d];
    }
}

typedef struct binary_job {
    cnn_binary_op op;
    const bcast *bc;
    const float *a, *b;
    float *y;
} binary_job;

static inline float apply_op(cnn_binary_op op, float u, float v)
{
    return op == CNN_BINARY_ADD ? u + v : u * v;
}

/* y[i] = a[i * sa] op b[i * sb] for i < n. Inlined with a constant op, and
 * the common strides spelt out, so each loop vectorises. */
static inline __attribute__((always_inline)) void
binary_span_op(cnn_binary_op op, const float *a, size_t sa, const float *b, size_t sb,
               float *y, size_t n)
{
    if (sa == 1 && sb == 1)
        for (size_t i = 0; i < n; i++)
            y[i] = apply_op(op, a[i], b[i]);
    else if (sa == 1 && sb == 0)
        for (size_t i = 0; i < n; i++)
            y[i] = apply_op(op, a[i], b[0]);
    else if (sa == 0 && sb == 1)
        for (size_t i = 0; i < n; i++)
            y[i] = apply_op(op, a[0], b[i]);
    else
        for (size_t i = 0; i < n; i++)
            y[i] = apply_op(op, a[i * sa], b[i * sb]);
}

static void binary_span(cnn_binary_op op, const float *a, size_t sa, const float *b, size_t sb,
                        float *y, size_t n)
{
    if (op == CNN_BINARY_ADD)
        binary_span_op(CNN_BINARY_ADD, a, sa, b, sb, y, n);
    else
        binary_span_op(CNN_BINARY_MUL, a, sa, b, sb, y, n);
}

/* Thread ith's share of the output elements, row piece by row piece. */
static void binary_rows(void *arg, int ith, int nth)
{
    const binary_job *j = arg;
    const bcast *bc = j->bc;
    size_t total = bc->rows * bc->row_len;
    size_t e = total * (size_t)ith / (size_t)nth, e1 = total * (size_t)(ith + 1) / (size_t)nth;
    size_t sa = bc->stride[0][bc->ndim - 1], sb = bc->stride[1][bc->ndim - 1];
    while (e < e1) {
        size_t r = e / bc->row_len, i0 = e % bc->row_len;
        size_t n = bc->row_len - i0 < e1 - e ? bc->row_len - i0 : e1 - e;
        size_t off[2];
        row_offsets(bc, r, off);
        binary_span(j->op, j->a + off[0] + i0 * sa, sa, j->b + off[1] + i0 * sb, sb, j->y + e, n);
        e += n;
    }
}

static cnn_status check_op(cnn_binary_op op)
{
    if (op != CNN_BINARY_ADD && op != CNN_BINARY_MUL)
        return cnn_fail(CNN_ERR_INVALID_ARG, "elementwise: unknown operation %d", (int)op);
    return CNN_OK;
}

cnn_status cnn_binary_forward(cnn_context *ctx, cnn_binary_op op, const cnn_tensor *a,
                              const cnn_tensor *b, cnn_tensor *y)
{
    bcast bc;
    cnn_status st = check_op(op);
    if (st == CNN_OK)
        st = plan_broadcast(a, b, y, "y", &bc);
    if (st != CNN_OK)
        return st;
    binary_job j = { op, &bc, a->data, b->data, y->data };
    cnn_threadpool_run(cnn_context_pool(ctx), binary_rows, &j, 0);
    return CNN_OK;
}

cnn_status cnn_add(cnn_context *ctx, const cnn_tensor *a, const cnn_tensor *b, cnn_tensor *y)
{
    return cnn_binary_forward(ctx, CNN_BINARY_ADD, a, b, y);
}

cnn_status cnn_mul(cnn_context *ctx, const cnn_tensor *a, const cnn_tensor *b, cnn_tensor *y)
{
    return cnn_binary_forward(ctx, CNN_BINARY_MUL, a, b, y);
}

/* d(operand) = sum over broadcast dimensions of dy (add) or dy * other (mul). */
static cnn_status operand_gradient(cnn_context *ctx, cnn_binary_op op, const cnn_tensor *self,
                                   const cnn_tensor *other, const cnn_tensor *dy,
                                   cnn_tensor *grad)
{
    if (!cnn_tensor_same_shape(grad, self))
        return cnn_fail(CNN_ERR_SHAPE, "elementwise: a gradient must have its operand's shape");
    if (cnn_tensor_numel(self) == cnn_tensor_numel(dy)) {
        /* Same elements as dy (maybe fewer leading 1s): write through dy's shape. */
        cnn_tensor view;
        cnn_status st = cnn_tensor_wrap(&view, grad->data, dy->ndim, dy->shape);
        if (st == CNN_OK && op == CNN_BINARY_MUL)
            return cnn_mul(ctx, dy, other, &view);
        if (grad->data != dy->data)
            memmove(grad->data, dy->data, cnn_tensor_numel(dy) * sizeof(float));
        return st;
    }
    /* Operand 0 is the gradient's index space, operand 1 the other factor. */
    bcast bc;
    cnn_status st = plan_broadcast(self, other, dy, "dy", &bc);
    if (st != CNN_OK)
        return st;
    memset(grad->data, 0, cnn_tensor_numel(grad) * sizeof(float));
    size_t sg = bc.stride[0][bc.ndim - 1], so = bc.stride[1][bc.ndim - 1];
    for (size_t r = 0; r < bc.rows; r++) {
        size_t off[2];
        row_offsets(&bc, r, off);
        const float *g = dy->data + r * bc.row_len, *o = other->data + off[1];
        float *out = grad->data + off[0];
        for (size_t i = 0; i < bc.row_len; i++)
            out[i * sg] += op == CNN_BINARY_MUL ? g[i] * o[i * so] : g[i];
    }
    return CNN_OK;
}

cnn_status cnn_binary_backward(cnn_context *ctx, cnn_binary_op op, const cnn_tensor *a,
                               const cnn_tensor *b, const cnn_tensor *dy, cnn_tensor *da,
                               cnn_tensor *db)
{
    bcast bc;
    cnn_status st = check_op(op);
    if (st == CNN_OK)
        st = plan_broadcast(a, b, dy, "dy", &bc);
    if (st == CNN_OK && da)
        st = operand_gradient(ctx, op, a, b, dy, da);
    if (st == CNN_OK && db)
        st = operand_gradient(ctx, op, b, a, dy, db);
    return st;
}
