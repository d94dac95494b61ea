/* cnn-model-eval: a classifier's accuracy on an idx data set (Fashion-MNIST's
 * format, gzip or raw) through the ONNX graph runtime.
 *
 * The model comes with its sidecar MODEL.cfg ([model] group of key=value
 * lines: model, input, output, width, height, channels, scale, mean, std),
 * which says how 8-bit pixels become the graph's input:
 * x = (pixel * scale - mean[c]) / std[c]. Images run in batches (the last one
 * padded with zeros); prints "accuracy A (CORRECT/N)" and, with -o, writes
 * every logit as raw float32 [N, classes].
 *
 * usage: cnn-model-eval [-t THREADS] [-b BATCH] [-o LOGITS] MODEL.cfg IMAGES LABELS */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cnn/cnn.h"
#include "cnn/onnx.h"
#include "gst-cnn-idx.h"

#define MAX_CHANNELS 4

typedef struct model_cfg {
    char model[4096];
    char input[256];
    char output[256];
    int width, height, channels;
    float scale;
    float mean[MAX_CHANNELS], std[MAX_CHANNELS];
} model_cfg;

/* Up to MAX_CHANNELS comma-separated floats; a single value applies to every
 * channel. Returns the count read, 0 on a malformed list. */
static int parse_floats(const char *s, float *v)
{
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        float f = strtof(s, &end);
        if (end == s || errno || n == MAX_CHANNELS)
            return 0;
        v[n++] = f;
        s = end + strspn(end, " \t");
        if (*s != ',')
            break;
        s++;
    }
    if (*s)
        return 0;
    for (int i = n; i < MAX_CHANNELS; i++)
        v[i] = v[n - 1];
    return n;
}

static int read_cfg(const char *path, model_cfg *cfg)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->scale = 1.0f;
    for (int c = 0; c < MAX_CHANNELS; c++)
        cfg->std[c] = 1.0f;
    char line[4352], model[4096] = "";
    int lineno = 0, bad = 0;
    while (!bad && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#' || line[0] == '[')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            bad = 1;
            break;
        }
        *eq = 0;
        const char *key = line, *val = eq + 1;
        if (!strcmp(key, "model"))
            snprintf(model, sizeof model, "%s", val);
        else if (!strcmp(key, "input"))
            snprintf(cfg->input, sizeof cfg->input, "%s", val);
        else if (!strcmp(key, "output"))
            snprintf(cfg->output, sizeof cfg->output, "%s", val);
        else if (!strcmp(key, "width"))
            cfg->width = atoi(val);
        else if (!strcmp(key, "height"))
            cfg->height = atoi(val);
        else if (!strcmp(key, "channels"))
            cfg->channels = atoi(val);
        else if (!strcmp(key, "scale")) {
            float v[MAX_CHANNELS];
            bad = parse_floats(val, v) != 1;
            cfg->scale = v[0];
        }
        else if (!strcmp(key, "mean"))
            bad = !parse_floats(val, cfg->mean);
        else if (!strcmp(key, "std"))
            bad = !parse_floats(val, cfg->std);
    }
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s:%d: expected key=value with a valid value\n", path, lineno);
        return -1;
    }
    if (!model[0] || !cfg->input[0] || !cfg->output[0] || cfg->width <= 0 ||
        cfg->height <= 0 || cfg->channels <= 0 || cfg->channels > MAX_CHANNELS) {
        fprintf(stderr, "%s: needs model, input, output, width, height and channels (1-%d)\n",
                path, MAX_CHANNELS);
        return -1;
    }
    /* The model file is named relative to the sidecar. */
    const char *slash = strrchr(path, '/');
    if (model[0] == '/' || !slash)
        snprintf(cfg->model, sizeof cfg->model, "%s", model);
    else
        snprintf(cfg->model, sizeof cfg->model, "%.*s/%s", (int)(slash - path), path, model);
    return 0;
}

static int find_index(int n, const char *(*name_of)(const cnn_graph *, int), const cnn_graph *g,
                      const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(name_of(g, i), name))
            return i;
    return -1;
}

static int fail_cnn(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, cnn_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    int threads = 1, batch = 100, opt;
    const char *logits_path = NULL;
    while ((opt = getopt(argc, argv, "t:b:o:")) != -1) {
        if (opt == 't')
            threads = atoi(optarg);
        else if (opt == 'b')
            batch = atoi(optarg);
        else if (opt == 'o')
            logits_path = optarg;
        else
            optind = argc + 1;
    }
    if (optind + 3 != argc || batch <= 0) {
        fprintf(stderr, "usage: %s [-t THREADS] [-b BATCH] [-o LOGITS] MODEL.cfg IMAGES LABELS\n",
                argv[0]);
        return 2;
    }
    model_cfg cfg;
    if (read_cfg(argv[optind], &cfg))
        return 1;
    IdxFile image_file, label_file;
    GError *error = NULL;
    if (!gst_cnn_idx_load(argv[optind + 1], 3, &image_file, &error) ||
        !gst_cnn_idx_load(argv[optind + 2], 1, &label_file, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    const int *idims = image_file.dims, *ldims = label_file.dims;
    const uint8_t *images = image_file.data, *labels = label_file.data;
    /* Gray data sets only: one channel of height x width per image. */
    if (cfg.channels != 1 || idims[1] != cfg.height || idims[2] != cfg.width ||
        ldims[0] != idims[0]) {
        fprintf(stderr, "images %dx%dx%d, %d labels: not %d gray images of %dx%d\n", idims[0],
                idims[1], idims[2], ldims[0], idims[0], cfg.height, cfg.width);
        return 1;
    }
    const int n_images = idims[0], plane = cfg.width * cfg.height;

    cnn_context *ctx;
    cnn_graph *g;
    if (cnn_context_create(&ctx, threads) != CNN_OK)
        return fail_cnn("context");
    if (cnn_onnx_read(cfg.model, &g) != CNN_OK)
        return fail_cnn(cfg.model);
    const int in_shape[4] = { batch, cfg.channels, cfg.height, cfg.width };
    if (cnn_graph_set_input_shape(g, cfg.input, 4, in_shape) != CNN_OK ||
        cnn_graph_prepare(g, ctx) != CNN_OK)
        return fail_cnn(cfg.model);
    int in = find_index(cnn_graph_input_count(g), cnn_graph_input_name, g, cfg.input);
    int out = find_index(cnn_graph_output_count(g), cnn_graph_output_name, g, cfg.output);
    if (in < 0 || out < 0) {
        fprintf(stderr, "%s: no input '%s' or output '%s'\n", cfg.model, cfg.input, cfg.output);
        return 1;
    }
    float *x = cnn_graph_input(g, in)->data;
    float *all_logits = NULL;
    int classes = 0, correct = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int first = 0; first < n_images; first += batch) {
        int count = n_images - first < batch ? n_images - first : batch;
        const uint8_t *src = images + (size_t)first * plane;
        for (size_t i = 0; i < (size_t)count * plane; i++)
            x[i] = (src[i] * cfg.scale - cfg.mean[0]) / cfg.std[0];
        memset(x + (size_t)count * plane, 0, sizeof *x * (size_t)(batch - count) * plane);
        if (cnn_graph_run(g, ctx) != CNN_OK)
            return fail_cnn(cfg.model);
        const cnn_tensor *y = cnn_graph_output(g, out);
        if (!classes) {
            classes = y->shape[y->ndim - 1];
            all_logits = malloc(sizeof *all_logits * (size_t)n_images * classes);
            if (y->ndim != 2 || y->shape[0] != batch || !all_logits) {
                fprintf(stderr, "%s: output is not [batch, classes]\n", cfg.model);
                return 1;
            }
        }
        for (int b = 0; b < count; b++) {
            const float *row = y->data + (size_t)b * classes;
            int best = 0;
            for (int c = 1; c < classes; c++)
                best = row[c] > row[best] ? c : best;
            correct += best == labels[first + b];
            memcpy(all_logits + (size_t)(first + b) * classes, row, sizeof *row * classes);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("accuracy %.4f (%d/%d)\n", (double)correct / n_images, correct, n_images);
    printf("# %d threads, batch %d: %.0f images/s\n", threads, batch, n_images / seconds);
    if (logits_path) {
        FILE *f = fopen(logits_path, "wb");
        size_t row = sizeof *all_logits * classes;
        if (!f || fwrite(all_logits, row, n_images, f) != (size_t)n_images || fclose(f)) {
            fprintf(stderr, "%s: cannot write\n", logits_path);
            return 1;
        }
    }
    free(all_logits);
    gst_cnn_idx_clear(&image_file);
    gst_cnn_idx_clear(&label_file);
    cnn_graph_destroy(g);
    cnn_context_destroy(ctx);
    return 0;
}
