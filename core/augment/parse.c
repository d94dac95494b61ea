/* The chain description parser: "name key=value key=lo,hi ; name ...".
 * Errors name the step, the transform and the parameter. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment_internal.h"

/* Every transform, by file: geometry.c, resize.c, warp.c, colour.c, noise.c. */
static const aug_kind *const kinds[] = {
    &aug_flip_h, &aug_flip_v, &aug_resize, &aug_crop, &aug_center_crop, &aug_resized_crop,
    &aug_pad, &aug_rotate, &aug_affine, &aug_translate, &aug_zoom, &aug_perspective,
    &aug_rescale, &aug_brightness, &aug_contrast, &aug_saturation, &aug_hue,
    &aug_color_jitter, &aug_gamma, &aug_grayscale, &aug_invert, &aug_solarize,
    &aug_posterize, &aug_autocontrast, &aug_equalize, &aug_channel_shuffle,
    &aug_gaussian_blur, &aug_motion_blur, &aug_sharpen, &aug_erasing, &aug_gaussian_noise,
    &aug_salt_pepper,
};

cnn_status aug_fail(const aug_step *s, const char *param, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (param)
        return cnn_fail(CNN_ERR_INVALID_ARG, "augment: step %d (%s): %s: %s", s->index + 1,
                        s->kind->name, param, msg);
    return cnn_fail(CNN_ERR_INVALID_ARG, "augment: step %d (%s): %s", s->index + 1,
                    s->kind->name, msg);
}

static cnn_status check_order(aug_step *s, int i)
{
    if (s->v[i][0] > s->v[i][1])
        return aug_fail(s, s->kind->params[i].name, "range %g,%g has lo > hi", s->v[i][0],
                        s->v[i][1]);
    return CNN_OK;
}

cnn_status aug_symmetric_range(aug_step *s, int i, double center, double floor)
{
    if (s->count[i] == 1) {
        double v = s->v[i][0];
        if (v < 0)
            return aug_fail(s, s->kind->params[i].name,
                            "a single value is a spread and must be >= 0, not %g", v);
        s->v[i][0] = center - v < floor ? floor : center - v;
        s->v[i][1] = center + v;
        s->count[i] = 2;
    }
    return check_order(s, i);
}

cnn_status aug_fixed_range(aug_step *s, int i)
{
    if (s->count[i] == 1) {
        s->v[i][1] = s->v[i][0];
        s->count[i] = 2;
    }
    return check_order(s, i);
}

cnn_status aug_range_finish(aug_step *s)
{
    return aug_fixed_range(s, 0);
}

static const aug_kind *find_kind(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]->name) == len && !memcmp(kinds[i]->name, name, len))
            return kinds[i];
    return NULL;
}

int aug_param_index(const aug_kind *k, const char *name)
{
    for (int i = 0; i < AUG_MAX_PARAMS && k->params[i].name; i++)
        if (!strcmp(k->params[i].name, name))
            return i;
    return -1;
}

static int n_params(const aug_kind *k)
{
    int n = 0;
    while (n < AUG_MAX_PARAMS && k->params[n].name)
        n++;
    return n;
}

/* Parse value text [v, v + len) for parameter i of the step. */
static cnn_status parse_value(aug_step *s, int i, const char *v, size_t len)
{
    const aug_param_spec *ps = &s->kind->params[i];
    char text[128];
    if (len == 0 || len >= sizeof text)
        return aug_fail(s, ps->name, "missing or too long value");
    memcpy(text, v, len);
    text[len] = 0;
    if (ps->type == AUG_WORD) {
        for (int w = 0; ps->words[w]; w++) {
            if (!strcmp(ps->words[w], text)) {
                s->v[i][0] = w;
                s->count[i] = 1;
                return CNN_OK;
            }
        }
        return aug_fail(s, ps->name, "unknown value \"%s\"", text);
    }
    int n = 0;
    char *p = text;
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || (*end && *end != ','))
            return aug_fail(s, ps->name, "\"%s\" is not a number list", text);
        if (n == ps->max_count)
            return aug_fail(s, ps->name, "takes at most %d values", ps->max_count);
        if (!isfinite(x) || x < ps->lo || x > ps->hi)
            return aug_fail(s, ps->name, "%g is outside [%g, %g]", x, ps->lo, ps->hi);
        if (ps->integer && x != floor(x))
            return aug_fail(s, ps->name, "%g is not a whole number", x);
        s->v[i][n++] = x;
        if (!*end)
            break;
        p = end + 1;
    }
    if (n < ps->min_count)
        return aug_fail(s, ps->name, "takes at least %d values", ps->min_count);
    s->count[i] = n;
    return CNN_OK;
}

/* Parse one step [text, text + len): the name then key=value tokens. */
static cnn_status parse_step(aug_step *s, const char *text, size_t len)
{
    const char *end = text + len, *p = text;
    while (p < end && isspace((unsigned char)*p))
        p++;
    const char *name = p;
    while (p < end && !isspace((unsigned char)*p))
        p++;
    const aug_kind *k = find_kind(name, (size_t)(p - name));
    if (!k)
        return cnn_fail(CNN_ERR_INVALID_ARG, "augment: step %d: unknown transform \"%.*s\"",
                        s->index + 1, (int)(p - name), name);
    s->kind = k;
    s->p = k->default_p;
    int np = n_params(k);
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p == end)
            break;
        const char *key = p;
        while (p < end && !isspace((unsigned char)*p) && *p != '=')
            p++;
        size_t key_len = (size_t)(p - key);
        if (p == end || *p != '=')
            return aug_fail(s, NULL, "\"%.*s\" is not key=value", (int)key_len, key);
        const char *val = ++p;
        while (p < end && !isspace((unsigned char)*p))
            p++;
        size_t val_len = (size_t)(p - val);
        if (key_len == 1 && key[0] == 'p') {
            char *num_end;
            double prob = strtod(val, &num_end);
            if (num_end != p || !(prob >= 0.0 && prob <= 1.0))
                return aug_fail(s, "p", "\"%.*s\" is not a probability in [0, 1]",
                                (int)val_len, val);
            s->p = prob;
            continue;
        }
        int i = 0;
        while (i < np && (strlen(k->params[i].name) != key_len ||
                          memcmp(k->params[i].name, key, key_len)))
            i++;
        if (i == np)
            return aug_fail(s, NULL, "unknown parameter \"%.*s\"", (int)key_len, key);
        if (s->given[i])
            return aug_fail(s, k->params[i].name, "given twice");
        cnn_status st = parse_value(s, i, val, val_len);
        if (st != CNN_OK)
            return st;
        s->given[i] = 1;
    }
    for (int i = 0; i < np; i++) {
        if (s->given[i])
            continue;
        if (!k->params[i].n_default)
            return aug_fail(s, k->params[i].name, "required");
        s->count[i] = k->params[i].n_default;
        memcpy(s->v[i], k->params[i].defaults, sizeof s->v[i]);
    }
    if (k->changes_size && s->p != 1.0)
        return aug_fail(s, "p", "must be 1: the step changes the frame size");
    return k->finish ? k->finish(s) : CNN_OK;
}

cnn_status cnn_augment_chain_parse(cnn_augment_chain **chain, const char *description)
{
    *chain = NULL;
    if (!description)
        return cnn_fail(CNN_ERR_INVALID_ARG, "augment: no description");
    cnn_augment_chain *c = calloc(1, sizeof *c);
    if (!c)
        return cnn_fail(CNN_ERR_NOMEM, "augment: out of memory");
    const char *p = description;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        size_t blank = 0;
        while (blank < len && isspace((unsigned char)p[blank]))
            blank++;
        /* Empty text between separators is ignored. */
        if (blank < len) {
            if (c->n_steps == CNN_AUGMENT_MAX_STEPS) {
                cnn_augment_chain_free(c);
                return cnn_fail(CNN_ERR_INVALID_ARG, "augment: more than %d steps",
                                CNN_AUGMENT_MAX_STEPS);
            }
            aug_step *s = &c->steps[c->n_steps];
            s->index = c->n_steps;
            cnn_status st = parse_step(s, p, len);
            if (st != CNN_OK) {
                cnn_augment_chain_free(c);
                return st;
            }
            c->n_steps++;
        }
        p += len + (semi ? 1 : 0);
    }
    *chain = c;
    return CNN_OK;
}

void cnn_augment_chain_free(cnn_augment_chain *chain)
{
    free(chain);
}

int cnn_augment_chain_length(const cnn_augment_chain *chain)
{
    return chain->n_steps;
}

static cnn_status chain_shape(const cnn_augment_chain *chain, aug_shape in, aug_shape *out)
{
    if (in.w <= 0 || in.h <= 0 || in.c <= 0)
        return cnn_fail(CNN_ERR_SHAPE, "augment: input size %dx%dx%d is empty", in.w, in.h,
                        in.c);
    for (int i = 0; i < chain->n_steps; i++) {
        const aug_step *s = &chain->steps[i];
        if (s->kind->shape) {
            cnn_status st = s->kind->shape(s, in, &in);
            if (st != CNN_OK)
                return st;
        }
    }
    *out = in;
    return CNN_OK;
}

cnn_status cnn_augment_chain_output_shape(const cnn_augment_chain *chain, int in_w, int in_h,
                                          int in_c, int *out_w, int *out_h, int *out_c)
{
    aug_shape out = { 0, 0, 0 };
    cnn_status st = chain_shape(chain, (aug_shape){ in_w, in_h, in_c }, &out);
    if (st != CNN_OK)
        return st;
    *out_w = out.w, *out_h = out.h, *out_c = out.c;
    return CNN_OK;
}

cnn_status cnn_augment_chain_output_size(const cnn_augment_chain *chain, int in_w, int in_h,
                                         int *out_w, int *out_h)
{
    int out_c;
    return cnn_augment_chain_output_shape(chain, in_w, in_h, 3, out_w, out_h, &out_c);
}
