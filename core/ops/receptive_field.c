/* Receptive field recurrences (Araujo, Norris & Sim, Distill 2019); see
 * cnn/receptive_field.h for the conventions. */
#include <math.h>
#include <stdio.h>

#include "cnn/receptive_field.h"

static cnn_status check_layer(const cnn_rf_layer *l, int i)
{
    const char *name = l->name ? l->name : "";
    if (l->kernel < 1 || l->stride < 1 || l->dilation < 1 || l->padding < 0)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "receptive_field: layer %d %s: kernel %d, stride %d, dilation %d "
                        "must be >= 1 and padding %d >= 0",
                        i, name, l->kernel, l->stride, l->dilation, l->padding);
    return CNN_OK;
}

/* "Same" padding before output 0 for an input of in pixels (see the
 * header); in == 0 (unknown) gives -1 unless every input size pads alike.
 * in - 1 = q * stride + r leaves total = max(0, span - 1 - r). */
static int64_t same_pad_before(int64_t in, int64_t span, int64_t stride)
{
    if (in > 0) {
        int64_t r = (in - 1) % stride;
        return (span - 1 - r > 0 ? span - 1 - r : 0) / 2;
    }
    int64_t widest = span - 1, narrowest = span - stride > 0 ? span - stride : 0;
    return widest / 2 == narrowest / 2 ? widest / 2 : -1;
}

/* Apply one layer to the field of the previous one. */
static cnn_status rf_step(const cnn_rf_layer *l, int i, const cnn_rf_info *prev,
                          cnn_rf_info *next)
{
    cnn_status st = check_layer(l, i);
    if (st != CNN_OK)
        return st;
    int64_t span = (int64_t)l->dilation * (l->kernel - 1) + 1;
    int64_t before = l->pad_same ? same_pad_before(prev->out_size, span, l->stride)
                                 : l->padding;
    next->size = prev->size + (span - 1) * prev->jump;
    next->jump = prev->jump * l->stride;
    next->start = before < 0 ? NAN
                             : prev->start + ((double)(span - 1) / 2.0 - before) * prev->jump;
    next->pad_before = (int)before;
    if (!prev->out_size) {
        next->out_size = 0;
        return CNN_OK;
    }
    if (l->pad_same) {
        next->out_size = (int)((prev->out_size + l->stride - 1) / l->stride);
        return CNN_OK;
    }
    int64_t padded = (int64_t)prev->out_size + 2 * (int64_t)l->padding;
    if (span > padded)
        return cnn_fail(CNN_ERR_SHAPE,
                        "receptive_field: layer %d %s spans %lld pixels, more than its "
                        "padded input of %lld",
                        i, l->name ? l->name : "", (long long)span, (long long)padded);
    next->out_size = (int)((padded - span) / l->stride + 1);
    return CNN_OK;
}

static cnn_rf_info rf_input(int in_size)
{
    return (cnn_rf_info){ .size = 1, .jump = 1, .start = 0.5, .out_size = in_size,
                          .pad_before = 0 };
}

cnn_status cnn_rf_compute(const cnn_rf_layer *layers, int n, int in_size, cnn_rf_info *out)
{
    if (n < 0 || in_size < 0)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "receptive_field: %d layers on an input of %d pixels", n, in_size);
    cnn_rf_info field = rf_input(in_size);
    for (int i = 0; i < n; i++) {
        cnn_status st = rf_step(&layers[i], i, &field, &out[i]);
        if (st != CNN_OK)
            return st;
        field = out[i];
    }
    return CNN_OK;
}

cnn_status cnn_rf_layers_to_cover(const cnn_rf_layer *block, int n, int in_size,
                                  int *repeats, cnn_rf_info *field)
{
    if (n < 1 || in_size < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "receptive_field: a block of %d layers to cover %d pixels", n,
                        in_size);
    /* The field grows iff some layer has an effective kernel above 1. */
    int grows = 0;
    for (int i = 0; i < n; i++) {
        cnn_status st = check_layer(&block[i], i);
        if (st != CNN_OK)
            return st;
        grows |= block[i].dilation * (block[i].kernel - 1) > 0;
    }
    if (!grows && in_size > 1)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "receptive_field: the block never grows the field (all kernels 1)");
    cnn_rf_info cur = rf_input(in_size);
    int count = 0;
    while (cur.size < in_size) {
        for (int i = 0; i < n; i++) {
            cnn_rf_info next = cur;
            cnn_status st = rf_step(&block[i], count * n + i, &cur, &next);
            if (st != CNN_OK) {
                char why[256];
                snprintf(why, sizeof why, "%s", cnn_last_error());
                return cnn_fail(st,
                                "receptive_field: the feature map vanishes in repetition "
                                "%d before the field covers %d pixels (%s)",
                                count + 1, in_size, why);
            }
            cur = next;
        }
        count++;
    }
    *repeats = count;
    if (field)
        *field = cur;
    return CNN_OK;
}
