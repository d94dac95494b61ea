/* Resize (nearest and n-linear) over any rank, with ONNX's coordinate
 * transformations and nearest rounding modes. Per dimension, a table gives
 * each output coordinate its two source indices and weights (one index for
 * nearest); an output element sums over the 2^rank corners. scales, sizes
 * and roi must be constants: they decide the output shape. */
#include <math.h>
#include <string.h>

#include "graph_internal.h"

typedef enum resize_coord {
    COORD_HALF_PIXEL = 0,
    COORD_PYTORCH_HALF_PIXEL,
    COORD_ALIGN_CORNERS,
    COORD_ASYMMETRIC,
    COORD_TF_HALF_PIXEL_FOR_NN,
    COORD_TF_CROP_AND_RESIZE,
} resize_coord;

typedef enum resize_round {
    ROUND_PREFER_FLOOR = 0,
    ROUND_PREFER_CEIL,
    ROUND_FLOOR,
    ROUND_CEIL,
} resize_round;

typedef struct resize_params {
    int linear;
    resize_coord coord;
    resize_round round;
    float extrapolation;
    double scale[CNN_MAX_DIMS];
    float roi_start[CNN_MAX_DIMS], roi_end[CNN_MAX_DIMS];
} resize_params;

/* One output coordinate of one dimension: source indices, weight of i1. */
typedef struct resize_tap {
    int i0, i1;
    float w1;
    int outside; /* tf_crop_and_resize: extrapolation value */
} resize_tap;

static int lookup(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

/* A constant float input of `want` values (absent or empty: *v = NULL). */
static cnn_status const_floats(const cnn_graph_node *n, int i, int want, const float **v)
{
    const graph_value *x = i < n->n_in ? n->in[i] : NULL;
    *v = NULL;
    if (!x || graph_numel(x->t.ndim, x->t.shape) == 0)
        return CNN_OK;
    if (x->kind != VALUE_CONSTANT || x->dtype != GRAPH_F32)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "input %d ('%s') must be a float constant", i,
                        x->name);
    if (graph_numel(x->t.ndim, x->t.shape) != (size_t)want)
        return cnn_fail(CNN_ERR_SHAPE, "input %d ('%s') must hold %d values", i, x->name,
                        want);
    *v = x->t.data;
    return CNN_OK;
}

static cnn_status resize_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    static const char *const coords[] = { "half_pixel", "pytorch_half_pixel", "align_corners",
                                          "asymmetric", "tf_half_pixel_for_nn",
                                          "tf_crop_and_resize" };
    static const char *const rounds[] = { "round_prefer_floor", "round_prefer_ceil", "floor",
                                          "ceil" };
    resize_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    int r = x->ndim, old = n->opset > 0 && n->opset < 11;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    const char *mode = graph_attr_string(n, "mode", "nearest");
    if (strcmp(mode, "nearest") && strcmp(mode, "linear"))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "mode '%s' not supported (nearest, linear)",
                        mode);
    p->linear = !strcmp(mode, "linear");
    /* opset 18 additions this op does not implement: refused, not ignored */
    if (graph_attr_int(n, "antialias", 0))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "antialias not supported");
    if (graph_attr_find(n, "axes"))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "axes not supported (scales and sizes must "
                        "cover every dimension)");
    if (strcmp(graph_attr_string(n, "keep_aspect_ratio_policy", "stretch"), "stretch"))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "keep_aspect_ratio_policy other than stretch "
                        "not supported");
    int c = lookup(graph_attr_string(n, "coordinate_transformation_mode",
                                     old ? "asymmetric" : "half_pixel"), coords, 6);
    int rd = lookup(graph_attr_string(n, "nearest_mode", old ? "floor" : "round_prefer_floor"),
                    rounds, 4);
    if (c < 0 || rd < 0)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "coordinate_transformation_mode or nearest_mode "
                        "unknown");
    p->coord = (resize_coord)c;
    p->round = (resize_round)rd;
    p->extrapolation = graph_attr_float(n, "extrapolation_value", 0.0f);
    /* opset 10: (X, scales); later: (X, roi, scales, sizes) */
    const float *roi = NULL, *scales;
    const int64_t *sizes = NULL;
    int count = 0;
    if (old) {
        st = const_floats(n, 1, r, &scales);
    } else if ((st = const_floats(n, 1, 2 * r, &roi)) == CNN_OK &&
               (st = const_floats(n, 2, r, &scales)) == CNN_OK && !scales) {
        if ((st = graph_input_i64(n, 3, &sizes, &count)) == CNN_OK && count != r)
            st = cnn_fail(CNN_ERR_SHAPE, "sizes has %d values for a %d-D input", count, r);
    }
    if (st != CNN_OK)
        return st;
    if (!scales && !sizes)
        return cnn_fail(CNN_ERR_INVALID_ARG, "neither scales nor sizes given");
    int shape[CNN_MAX_DIMS];
    for (int d = 0; d < r; d++) {
        p->roi_start[d] = roi ? roi[d] : 0.0f;
        p->roi_end[d] = roi ? roi[r + d] : 1.0f;
        float crop = p->coord == COORD_TF_CROP_AND_RESIZE ? p->roi_end[d] - p->roi_start[d]
                                                          : 1.0f;
        if (sizes) {
            shape[d] = (int)sizes[d];
            p->scale[d] = (double)shape[d] / x->shape[d];
        } else {
            if (!(scales[d] > 0.0f))
                return cnn_fail(CNN_ERR_INVALID_ARG, "scale %g of dimension %d must be > 0",
                                (double)scales[d], d);
            p->scale[d] = scales[d];
            shape[d] = (int)floorf((float)x->shape[d] * crop * scales[d]);
        }
        if (shape[d] < 1)
            return cnn_fail(CNN_ERR_SHAPE, "output dimension %d would be %d", d, shape[d]);
    }
    size_t table = 0;
    for (int d = 0; d < r; d++)
        table += (size_t)shape[d];
    n->workspace_size = table * sizeof(resize_tap);
    return graph_set_output(n, 0, r, shape);
}

/* Source coordinate of output coordinate o along dimension d. As in the
 * spec's reference, the output length here is in * scale, not rounded. */
static float source_coord(const resize_params *p, int d, int o, int in)
{
    double s = p->scale[d], out = s * in, x = o;
    double start = p->roi_start[d], end = p->roi_end[d];
    switch (p->coord) {
    case COORD_HALF_PIXEL: return (float)((x + 0.5) / s - 0.5);
    case COORD_PYTORCH_HALF_PIXEL: return (float)(out == 1.0 ? -0.5 : (x + 0.5) / s - 0.5);
    case COORD_ALIGN_CORNERS: return (float)(out == 1.0 ? 0.0 : x * (in - 1) / (out - 1));
    case COORD_ASYMMETRIC: return (float)(x / s);
    case COORD_TF_HALF_PIXEL_FOR_NN: return (float)((x + 0.5) / s);
    case COORD_TF_CROP_AND_RESIZE:
        return (float)(start * (in - 1) + (out == 1.0 ? (end - start) * (in - 1) / 2
                                                      : x * (end - start) * (in - 1) / (out - 1)));
    }
    return 0.0f;
}

static int clampi(int v, int hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

static int nearest_index(resize_round mode, float x)
{
    float f = floorf(x);
    switch (mode) {
    case ROUND_PREFER_FLOOR: return (int)(x - f == 0.5f ? f : roundf(x));
    case ROUND_PREFER_CEIL: return (int)(x - f == 0.5f ? f + 1.0f : roundf(x));
    case ROUND_FLOOR: return (int)f;
    case ROUND_CEIL: return (int)ceilf(x);
    }
    return (int)f;
}

static void build_taps(const resize_params *p, int d, int in, int out, resize_tap *t)
{
    for (int o = 0; o < out; o++) {
        float x = source_coord(p, d, o, in);
        t[o].outside = p->coord == COORD_TF_CROP_AND_RESIZE &&
                       (x < 0.0f || x > (float)(in - 1));
        if (p->linear) {
            float f = floorf(x);
            t[o].i0 = clampi((int)f, in - 1);
            t[o].i1 = clampi((int)f + 1, in - 1);
            t[o].w1 = x - f;
        } else {
            t[o].i0 = t[o].i1 = clampi(nearest_index(p->round, x), in - 1);
            t[o].w1 = 0.0f;
        }
    }
}

typedef struct resize_job {
    const resize_params *p;
    const cnn_tensor *x, *y;
    resize_tap *const *taps;
    const size_t *x_stride;
} resize_job;

/* Output elements split over the threads; each sums its 2^rank corners. */
static void resize_elements(void *arg, int ith, int nth)
{
    const resize_job *j = arg;
    const cnn_tensor *y = j->y;
    int r = y->ndim, idx[CNN_MAX_DIMS] = { 0 }, i0, i1;
    cnn_split_range((int)graph_numel(r, y->shape), ith, nth, &i0, &i1);
    size_t rest = (size_t)i0;
    for (int d = r - 1; d >= 0; d--) {
        idx[d] = (int)(rest % (size_t)y->shape[d]);
        rest /= (size_t)y->shape[d];
    }
    for (int i = i0; i < i1; i++) {
        float sum = 0.0f;
        int outside = 0;
        for (int d = 0; d < r; d++)
            outside |= j->taps[d][idx[d]].outside;
        /* corners: bit d of k picks i1 along dimension d */
        for (int k = 0; !outside && k < (1 << r); k++) {
            float w = 1.0f;
            size_t src = 0;
            for (int d = 0; d < r && w != 0.0f; d++) {
                const resize_tap *tp = &j->taps[d][idx[d]];
                w *= (k >> d) & 1 ? tp->w1 : 1.0f - tp->w1;
                src += (size_t)((k >> d) & 1 ? tp->i1 : tp->i0) * j->x_stride[d];
            }
            if (w != 0.0f)
                sum += w * j->x->data[src];
        }
        y->data[i] = outside ? j->p->extrapolation : sum;
        for (int d = r - 1; d >= 0; d--) {
            if (++idx[d] < y->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static cnn_status resize_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const resize_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t, *y = &n->out[0]->t;
    resize_tap *taps[CNN_MAX_DIMS], *t = workspace;
    size_t xs[CNN_MAX_DIMS], s = 1;
    for (int d = y->ndim - 1; d >= 0; d--) {
        xs[d] = s;
        s *= (size_t)x->shape[d];
    }
    for (int d = 0; d < y->ndim; d++) {
        taps[d] = t;
        build_taps(p, d, x->shape[d], y->shape[d], t);
        t += y->shape[d];
    }
    resize_job j = { p, x, y, taps, xs };
    cnn_threadpool_run(cnn_context_pool(ctx), resize_elements, &j, 0);
    return CNN_OK;
}

const graph_op graph_op_resize = { "Resize", 1, 4, 1, 1, sizeof(resize_params), resize_prepare,
                                   resize_run };
