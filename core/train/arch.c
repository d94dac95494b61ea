/* The architecture text of a cnn_net (syntax in cnn/train.h): layers, their
 * numbers and options, and the shape each layer gives. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_internal.h"

#define LAYER_TEXT 96
#define MAX_WORDS 16

/* One layer being parsed, for messages: its number (from 1) and text. */
typedef struct layer_src {
    int number;
    char text[LAYER_TEXT];
    int n_words;
    char *words[MAX_WORDS];
} layer_src;

static cnn_status layer_fail(const layer_src *s, const char *fmt, const char *word)
{
    char what[160];
    snprintf(what, sizeof what, fmt, word);
    return cnn_fail(CNN_ERR_FORMAT, "arch: layer %d \"%s\": %s", s->number, s->text, what);
}

size_t sample_numel(const sample_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= (size_t)s->dims[i];
    return n;
}

static int parse_int(const char *text, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(text, &end, 10);
    if (errno || end == text || *end || x < -1000000 || x > 1000000)
        return 0;
    *v = (int)x;
    return 1;
}

static int parse_float(const char *text, float *v)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(x))
        return 0;
    *v = (float)x;
    return 1;
}

/* Positional number i (after the layer's word), or dflt when absent. */
static cnn_status positional_int(const layer_src *s, int i, int dflt, int min, int *v)
{
    if (i >= s->n_words || strchr(s->words[i], '=')) {
        if (dflt < 0)
            return layer_fail(s, "missing a number after '%s'", s->words[0]);
        *v = dflt;
        return CNN_OK;
    }
    if (!parse_int(s->words[i], v) || *v < min)
        return layer_fail(s, "'%s' is not a valid count here", s->words[i]);
    return CNN_OK;
}

/* The value of key=... among the options, or NULL. */
static const char *option(const layer_src *s, const char *key)
{
    size_t len = strlen(key);
    for (int i = 1; i < s->n_words; i++)
        if (!strncmp(s->words[i], key, len) && s->words[i][len] == '=')
            return s->words[i] + len + 1;
    return NULL;
}

static cnn_status option_int(const layer_src *s, const char *key, int min, int *v)
{
    const char *text = option(s, key);
    if (text && (!parse_int(text, v) || *v < min))
        return layer_fail(s, "'%s' is not a valid value", text);
    return CNN_OK;
}

static cnn_status option_float(const layer_src *s, const char *key, float min, float max,
                               float *v)
{
    const char *text = option(s, key);
    if (text && (!parse_float(text, v) || *v < min || *v > max))
        return layer_fail(s, "'%s' is not a valid value", text);
    return CNN_OK;
}

/* Every word after the positional ones must be a known key=value. */
static cnn_status check_words(const layer_src *s, int positional, const char *const *keys)
{
    for (int i = 1; i < s->n_words; i++) {
        const char *w = s->words[i];
        const char *eq = strchr(w, '=');
        if (!eq) {
            if (i <= positional)
                continue;
            return layer_fail(s, "unexpected word '%s'", w);
        }
        int known = 0;
        for (const char *const *k = keys; *k && !known; k++)
            known = strlen(*k) == (size_t)(eq - w) && !strncmp(*k, w, (size_t)(eq - w));
        if (!known)
            return layer_fail(s, "unknown option '%s'", w);
    }
    return CNN_OK;
}

static cnn_status need_image(const layer_src *s, const net_layer *l)
{
    if (l->in.ndim != 3)
        return layer_fail(s, "'%s' needs an image input (C, H, W), not flat features",
                          s->words[0]);
    return CNN_OK;
}

static cnn_status parse_conv(const layer_src *s, net_layer *l)
{
    static const char *const keys[] = { "stride", "pad", "dilation", "groups", "bias", NULL };
    cnn_status st;
    int k = 0, stride = 1, pad = 0, dilation = 1;
    l->has_bias = 1;
    if ((st = check_words(s, 2, keys)) || (st = need_image(s, l)) ||
        (st = positional_int(s, 1, -1, 1, &l->units)) ||
        (st = positional_int(s, 2, -1, 1, &k)) || (st = option_int(s, "stride", 1, &stride)) ||
        (st = option_int(s, "pad", 0, &pad)) || (st = option_int(s, "dilation", 1, &dilation)) ||
        (st = option_int(s, "bias", 0, &l->has_bias)))
        return st;
    cnn_conv2d_params *p = &l->conv;
    cnn_conv2d_params_init(p, k, k);
    p->stride_h = p->stride_w = stride;
    p->dilation_h = p->dilation_w = dilation;
    p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = pad;
    if ((st = option_int(s, "groups", 1, &p->groups)))
        return st;
    if (l->in.dims[0] % p->groups || l->units % p->groups)
        return layer_fail(s, "groups must divide the input and output channels (%s)",
                          option(s, "groups"));
    l->out.ndim = 3;
    l->out.dims[0] = l->units;
    if (cnn_conv2d_output_size(p, l->in.dims[1], l->in.dims[2], &l->out.dims[1],
                               &l->out.dims[2]) != CNN_OK)
        return layer_fail(s, "%s", cnn_last_error());
    return CNN_OK;
}

static cnn_status parse_pool(const layer_src *s, net_layer *l)
{
    static const char *const keys[] = { "stride", "pad", NULL };
    cnn_status st;
    int k = 0, stride = 0, pad = 0;
    if ((st = check_words(s, 1, keys)) || (st = need_image(s, l)) ||
        (st = positional_int(s, 1, -1, 1, &k)) || (st = option_int(s, "stride", 1, &stride)) ||
        (st = option_int(s, "pad", 0, &pad)))
        return st;
    cnn_pool2d_params *p = &l->pool;
    cnn_pool2d_params_init(p, l->kind == LAYER_MAXPOOL ? CNN_POOL_MAX : CNN_POOL_AVG, k, k);
    p->stride_h = p->stride_w = stride ? stride : k;
    p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = pad;
    l->out.ndim = 3;
    l->out.dims[0] = l->in.dims[0];
    if (cnn_pool2d_output_size(p, l->in.dims[1], l->in.dims[2], &l->out.dims[1],
                               &l->out.dims[2]) != CNN_OK)
        return layer_fail(s, "%s", cnn_last_error());
    return CNN_OK;
}

static cnn_status parse_dense(const layer_src *s, net_layer *l)
{
    static const char *const keys[] = { "bias", NULL };
    cnn_status st;
    l->has_bias = 1;
    if ((st = check_words(s, 1, keys)) || (st = positional_int(s, 1, -1, 1, &l->units)) ||
        (st = option_int(s, "bias", 0, &l->has_bias)))
        return st;
    l->out.ndim = 1;
    l->out.dims[0] = l->units;
    return CNN_OK;
}

static cnn_status parse_bn(const layer_src *s, net_layer *l)
{
    static const char *const keys[] = { "eps", "momentum", NULL };
    cnn_status st;
    cnn_batchnorm_params_init(&l->bn);
    if ((st = check_words(s, 0, keys)) ||
        (st = option_float(s, "eps", 1e-12f, 1.0f, &l->bn.eps)) ||
        (st = option_float(s, "momentum", 0.0f, 1.0f, &l->bn.momentum)))
        return st;
    l->out = l->in;
    return CNN_OK;
}

static cnn_status parse_activation(const layer_src *s, net_layer *l)
{
    static const char *const keys[] = { "alpha", NULL };
    static const char *const none[] = { NULL };
    cnn_status st;
    l->alpha = 0.01f;
    if ((st = check_words(s, 0, l->act == CNN_ACT_LEAKY_RELU ? keys : none)) ||
        (st = option_float(s, "alpha", -1e6f, 1e6f, &l->alpha)))
        return st;
    l->out = l->in;
    return CNN_OK;
}

static cnn_status parse_dropout(const layer_src *s, net_layer *l)
{
    l->drop_p = 0.5f;
    if (s->n_words > 2)
        return layer_fail(s, "unexpected word '%s'", s->words[2]);
    if (s->n_words == 2 &&
        (!parse_float(s->words[1], &l->drop_p) || l->drop_p < 0.0f || l->drop_p >= 1.0f))
        return layer_fail(s, "'%s' is not a drop probability in [0, 1)", s->words[1]);
    l->out = l->in;
    return CNN_OK;
}

static cnn_status parse_layer(const layer_src *s, net_layer *l)
{
    static const struct {
        const char *word;
        layer_kind kind;
        cnn_activation act;
    } words[] = {
        { "conv", LAYER_CONV, 0 },
        { "dense", LAYER_DENSE, 0 },
        { "bn", LAYER_BN, 0 },
        { "relu", LAYER_ACT, CNN_ACT_RELU },
        { "leaky_relu", LAYER_ACT, CNN_ACT_LEAKY_RELU },
        { "sigmoid", LAYER_ACT, CNN_ACT_SIGMOID },
        { "tanh", LAYER_ACT, CNN_ACT_TANH },
        { "hardswish", LAYER_ACT, CNN_ACT_HARD_SWISH },
        { "maxpool", LAYER_MAXPOOL, 0 },
        { "avgpool", LAYER_AVGPOOL, 0 },
        { "flatten", LAYER_FLATTEN, 0 },
        { "dropout", LAYER_DROPOUT, 0 },
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (strcmp(s->words[0], words[i].word))
            continue;
        l->kind = words[i].kind;
        l->word = words[i].word;
        l->act = words[i].act;
        switch (l->kind) {
        case LAYER_CONV: return parse_conv(s, l);
        case LAYER_DENSE: return parse_dense(s, l);
        case LAYER_BN: return parse_bn(s, l);
        case LAYER_ACT: return parse_activation(s, l);
        case LAYER_MAXPOOL:
        case LAYER_AVGPOOL: return parse_pool(s, l);
        case LAYER_DROPOUT: return parse_dropout(s, l);
        case LAYER_FLATTEN:
            if (s->n_words > 1)
                return layer_fail(s, "unexpected word '%s'", s->words[1]);
            l->out.ndim = 1;
            l->out.dims[0] = (int)sample_numel(&l->in);
            return CNN_OK;
        }
    }
    return layer_fail(s, "unknown layer '%s' (conv, dense, bn, relu, leaky_relu, sigmoid, "
                      "tanh, hardswish, maxpool, avgpool, flatten, dropout)", s->words[0]);
}

/* Split one layer's text (NUL-terminated, modified) into words. */
static cnn_status split_words(layer_src *s, char *text)
{
    s->n_words = 0;
    for (char *save = NULL, *w = strtok_r(text, " \t\r", &save); w;
         w = strtok_r(NULL, " \t\r", &save)) {
        if (s->n_words == MAX_WORDS)
            return layer_fail(s, "more than %s words", "16");
        s->words[s->n_words++] = w;
    }
    return CNN_OK;
}

cnn_status net_parse(cnn_net *net, const char *arch)
{
    char *copy = strdup(arch);
    if (!copy)
        return cnn_fail(CNN_ERR_NOMEM, "arch: out of memory");
    /* comments run to the end of their line */
    for (char *c = strchr(copy, '#'); c; c = strchr(c, '#'))
        while (*c && *c != '\n')
            *c++ = ' ';
    cnn_status st = CNN_OK;
    sample_shape shape = net->input;
    int number = 0;
    char *save = NULL;
    for (char *text = strtok_r(copy, ";\n", &save); text && st == CNN_OK;
         text = strtok_r(NULL, ";\n", &save)) {
        layer_src s = { .number = number + 1 };
        text += strspn(text, " \t\r");
        snprintf(s.text, sizeof s.text, "%s", text);
        s.text[strcspn(s.text, "\r")] = 0;
        for (size_t n = strlen(s.text); n && (s.text[n - 1] == ' ' || s.text[n - 1] == '\t');)
            s.text[--n] = 0;
        if ((st = split_words(&s, text)) != CNN_OK || !s.n_words)
            continue;
        if (number == NET_MAX_LAYERS) {
            st = layer_fail(&s, "more than %s layers", "64");
            break;
        }
        net_layer *l = &net->layers[number++];
        l->in = shape;
        if ((st = parse_layer(&s, l)) == CNN_OK)
            shape = l->out;
    }
    free(copy);
    if (st != CNN_OK)
        return st;
    net->n_layers = number;
    if (!number)
        return cnn_fail(CNN_ERR_FORMAT, "arch: no layers");
    if (shape.ndim != 1)
        return cnn_fail(CNN_ERR_FORMAT, "arch: the last layer (%d, %s) gives an image; end "
                        "with dense (or flatten) so it gives one logit per class", number,
                        net->layers[number - 1].word);
    return CNN_OK;
}
