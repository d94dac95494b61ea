/* Drawing a chain's parameters. Step i of (seed, frame key, sample) draws
 * from the generator keyed by seed with a purpose derived from (frame key,
 * sample, i); counter position 0 decides p, the step's own values follow.
 * Nothing depends on earlier draws, threads or call order. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "augment_internal.h"

/* "aug" : keeps augmentation streams apart from other users of the seed. */
#define AUG_PURPOSE 0x617567u

cnn_rng_key aug_step_key(uint64_t seed, uint64_t frame_key, uint64_t sample, int i)
{
    uint64_t base = cnn_rng_purpose(cnn_rng_purpose(AUG_PURPOSE, frame_key), sample);
    return (cnn_rng_key){ seed, cnn_rng_purpose(base, (uint64_t)i) };
}

double aug_draw_uniform(aug_draw *d, double lo, double hi)
{
    uint32_t r = cnn_rng_u32(d->key, d->position++);
    return lo + (hi - lo) * ((double)r * (1.0 / 4294967296.0));
}

int aug_draw_int(aug_draw *d, int lo, int hi)
{
    uint32_t r = cnn_rng_u32(d->key, d->position++);
    int v = lo + (int)(((uint64_t)r * (uint64_t)(hi - lo + 1)) >> 32);
    return v > hi ? hi : v;
}

void aug_draw_value(aug_draw *d, const char *name, double value)
{
    cnn_augment_step_params *o = d->out;
    if (o->n_values < CNN_AUGMENT_MAX_VALUES) {
        o->names[o->n_values] = name;
        o->values[o->n_values++] = value;
    }
}

void aug_draw_value_box(aug_draw *d, const int box[4])
{
    aug_draw_value(d, "x", box[0]);
    aug_draw_value(d, "y", box[1]);
    aug_draw_value(d, "width", box[2]);
    aug_draw_value(d, "height", box[3]);
}

int aug_draw_area_box(aug_draw *d, aug_shape in, const double scale[2], const double ratio[2],
                      int erasing, int box[4])
{
    double area = (double)in.w * in.h, lr0 = log(ratio[0]), lr1 = log(ratio[1]);
    for (int attempt = 0; attempt < 10; attempt++) {
        double target = area * aug_draw_uniform(d, scale[0], scale[1]);
        double aspect = exp(aug_draw_uniform(d, lr0, lr1));
        int a = (int)nearbyint(sqrt(target * aspect)), b = (int)nearbyint(sqrt(target / aspect));
        int w = erasing ? b : a, h = erasing ? a : b;
        int fits = erasing ? w < in.w && h < in.h : w > 0 && w <= in.w && h > 0 && h <= in.h;
        if (fits) {
            box[1] = aug_draw_int(d, 0, in.h - h);
            box[0] = aug_draw_int(d, 0, in.w - w);
            box[2] = w, box[3] = h;
            return 1;
        }
    }
    return 0;
}

cnn_status aug_range_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    aug_draw_value(d, s->kind->params[0].name, aug_draw_uniform(d, s->v[0][0], s->v[0][1]));
    return CNN_OK;
}

cnn_status cnn_augment_draw(const cnn_augment_chain *chain, uint64_t seed, uint64_t frame_key,
                            uint64_t sample, int in_w, int in_h, int in_c,
                            cnn_augment_params *params)
{
    memset(params, 0, sizeof *params);
    params->seed = seed, params->frame_key = frame_key, params->sample = sample;
    params->in_width = in_w, params->in_height = in_h, params->in_channels = in_c;
    params->n_steps = chain->n_steps;
    if (in_w <= 0 || in_h <= 0 || in_c <= 0 || in_c > CNN_AUGMENT_MAX_CHANNELS)
        return cnn_fail(CNN_ERR_SHAPE, "augment: input %dx%dx%d is empty or has over %d channels",
                        in_w, in_h, in_c, CNN_AUGMENT_MAX_CHANNELS);
    aug_shape shape = { in_w, in_h, in_c };
    for (int i = 0; i < chain->n_steps; i++) {
        const aug_step *s = &chain->steps[i];
        cnn_augment_step_params *o = &params->steps[i];
        aug_draw d = { aug_step_key(seed, frame_key, sample, i), 0, o };
        o->transform = s->kind->name;
        o->applied = s->p >= 1.0 || aug_draw_uniform(&d, 0.0, 1.0) < s->p;
        if (!o->applied)
            continue;
        d.position = 1;
        if (s->kind->draw) {
            cnn_status st = s->kind->draw(s, shape, &d);
            if (st != CNN_OK)
                return st;
        }
        if (s->kind->shape) {
            cnn_status st = s->kind->shape(s, shape, &shape);
            if (st != CNN_OK)
                return st;
        }
    }
    return CNN_OK;
}

/* Append to buf like snprintf at offset *len, counting what does not fit. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*len < size ? buf + *len : NULL, *len < size ? size - *len : 0, fmt, ap);
    va_end(ap);
    *len += n > 0 ? (size_t)n : 0;
}

size_t cnn_augment_params_json(const cnn_augment_params *params, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = 0;
    append(buf, size, &len, "{\"seed\":%llu,\"frame\":%llu,\"sample\":%llu,\"steps\":[",
           (unsigned long long)params->seed, (unsigned long long)params->frame_key,
           (unsigned long long)params->sample);
    for (int i = 0; i < params->n_steps; i++) {
        const cnn_augment_step_params *s = &params->steps[i];
        append(buf, size, &len, "%s{\"transform\":\"%s\",\"applied\":%s", i ? "," : "",
               s->transform, s->applied ? "true" : "false");
        for (int k = 0; k < s->n_values; k++)
            append(buf, size, &len, ",\"%s\":%.17g", s->names[k], s->values[k]);
        append(buf, size, &len, "}");
    }
    append(buf, size, &len, "]}");
    return len;
}
