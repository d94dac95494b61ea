/* Operators that only change the shape: Identity, Reshape, Flatten, Squeeze,
 * Unsqueeze. The output shares the input's buffer (planned as an alias), so
 * running them costs nothing unless the input is a constant. */
#include "graph_internal.h"

static cnn_status identity_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    return graph_set_alias(n, n->in[0]->t.ndim, n->in[0]->t.shape);
}

const graph_op graph_op_identity = { "Identity", 1, 1, 1, 1, 0, identity_prepare,
                                     graph_run_alias };

static cnn_status reshape_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    const cnn_tensor *x = &n->in[0]->t;
    const int64_t *want;
    int count;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK || (st = graph_input_i64(n, 1, &want, &count)) != CNN_OK)
        return st;
    if (count > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "shape has %d dimensions, at most %d supported",
                        count, CNN_MAX_DIMS);
    int allow_zero = (int)graph_attr_int(n, "allowzero", 0);
    int shape[CNN_MAX_DIMS], infer = -1;
    size_t known = 1, total = graph_numel(x->ndim, x->shape);
    for (int i = 0; i < count; i++) {
        if (want[i] == -1) {
            if (infer >= 0)
                return cnn_fail(CNN_ERR_INVALID_ARG, "shape has more than one -1");
            infer = i;
            continue;
        }
        if (want[i] == 0 && !allow_zero) {
            if (i >= x->ndim)
                return cnn_fail(CNN_ERR_SHAPE, "shape[%d] = 0 copies a dimension the %d-D "
                                "input does not have", i, x->ndim);
            shape[i] = x->shape[i];
        } else if (want[i] < 0 || want[i] > (1 << 30)) {
            return cnn_fail(CNN_ERR_INVALID_ARG, "shape[%d] = %lld", i, (long long)want[i]);
        } else {
            shape[i] = (int)want[i];
        }
        known *= (size_t)shape[i];
    }
    if (infer >= 0) {
        if (known == 0 || total % known)
            return cnn_fail(CNN_ERR_SHAPE, "cannot infer the -1 of shape: %zu elements do "
                            "not divide into %zu", total, known);
        shape[infer] = (int)(total / known);
        known *= (size_t)shape[infer];
    }
    if (known != total)
        return cnn_fail(CNN_ERR_SHAPE, "shape holds %zu elements, the input %zu", known, total);
    return graph_set_alias(n, count, shape);
}

const graph_op graph_op_reshape = { "Reshape", 2, 2, 1, 1, 0, reshape_prepare, graph_run_alias };

static cnn_status flatten_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    const cnn_tensor *x = &n->in[0]->t;
    int64_t axis = graph_attr_int(n, "axis", 1);
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    /* axis is in [-rank, rank]; rank gives [prod(all), 1] */
    if (axis < -x->ndim || axis > x->ndim)
        return cnn_fail(CNN_ERR_INVALID_ARG, "axis %lld is out of range for rank %d",
                        (long long)axis, x->ndim);
    if (axis < 0)
        axis += x->ndim;
    int shape[2] = { (int)graph_numel((int)axis, x->shape),
                     (int)graph_numel(x->ndim - (int)axis, x->shape + axis) };
    return graph_set_alias(n, 2, shape);
}

const graph_op graph_op_flatten = { "Flatten", 1, 1, 1, 1, 0, flatten_prepare,
                                    graph_run_alias };

/* Axes from the attribute (before opset 13) or the constant second input. */
static cnn_status get_axes(const cnn_graph_node *n, const int64_t **axes, int *count)
{
    *axes = graph_attr_ints(n, "axes", count);
    if (*axes || n->n_in < 2 || !n->in[1])
        return CNN_OK;
    return graph_input_i64(n, 1, axes, count);
}

static cnn_status squeeze_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    const cnn_tensor *x = &n->in[0]->t;
    const int64_t *axes;
    int count, drop[CNN_MAX_DIMS] = { 0 };
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK || (st = get_axes(n, &axes, &count)) != CNN_OK)
        return st;
    for (int i = 0; i < count; i++) {
        int a;
        if ((st = graph_axis("axis", axes[i], x->ndim, &a)) != CNN_OK)
            return st;
        if (x->shape[a] != 1)
            return cnn_fail(CNN_ERR_SHAPE, "cannot squeeze axis %d of size %d", a,
                            x->shape[a]);
        drop[a] = 1;
    }
    int shape[CNN_MAX_DIMS], ndim = 0;
    for (int d = 0; d < x->ndim; d++)
        if (!(count ? drop[d] : x->shape[d] == 1))
            shape[ndim++] = x->shape[d];
    return graph_set_alias(n, ndim, shape);
}

const graph_op graph_op_squeeze = { "Squeeze", 1, 2, 1, 1, 0, squeeze_prepare,
                                    graph_run_alias };

static cnn_status unsqueeze_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    const cnn_tensor *x = &n->in[0]->t;
    const int64_t *axes;
    int count, insert[CNN_MAX_DIMS] = { 0 };
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK || (st = get_axes(n, &axes, &count)) != CNN_OK)
        return st;
    int ndim = x->ndim + count;
    if (count == 0)
        return cnn_fail(CNN_ERR_INVALID_ARG, "no axes");
    if (ndim > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "output would have %d dimensions, at most %d "
                        "supported", ndim, CNN_MAX_DIMS);
    for (int i = 0; i < count; i++) {
        int a;
        if ((st = graph_axis("axis", axes[i], ndim, &a)) != CNN_OK)
            return st;
        if (insert[a])
            return cnn_fail(CNN_ERR_INVALID_ARG, "axis %d given twice", a);
        insert[a] = 1;
    }
    int shape[CNN_MAX_DIMS];
    for (int d = 0, j = 0; d < ndim; d++)
        shape[d] = insert[d] ? 1 : x->shape[j++];
    return graph_set_alias(n, ndim, shape);
}

const graph_op graph_op_unsqueeze = { "Unsqueeze", 1, 2, 1, 1, 0, unsqueeze_prepare,
                                      graph_run_alias };
