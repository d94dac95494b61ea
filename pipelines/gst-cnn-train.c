/* gst-cnn train: train a sequential network (libcnn's trainer, cnn/train.h)
 * on an idx image data set (MNIST / Fashion-MNIST format, gzip or not) and
 * write OUTDIR/model.onnx, model.cfg (the preprocessing, as cnnclassify and
 * cnn-model-eval read it) and labels.txt.
 *
 *   gst-cnn train --epochs 3 --optimizer adam --lr 1e-3 --batch 64 -o out/
 *
 * Pixels become x = (pixel * scale - mean) / std. Each epoch visits the
 * training images in an order drawn from the seed (the last partial batch is
 * left out, as PyTorch's recipe does) and prints the mean loss, the accuracy
 * of the training batches (before each update), the accuracy of the exported
 * network on the test images and the training time (the epoch, all so far;
 * testing left out). The same seed and thread count
 * give a byte-identical model.onnx. Files are written whole or not at all
 * (a temporary name renamed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "cnn/cnn.h"
#include "cnn/graph.h"
#include "cnn/onnx.h"
#include "cnn/train.h"
#include "gst-cnn-idx.h"
#include "gst-cnn.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"
#define DEFAULT_ARCH                                                                          \
    "conv 16 3 pad=1; bn; relu; maxpool 2; conv 32 3 pad=1; bn; relu; maxpool 2; flatten; " \
    "dense 64; relu; dense 10"
#define DEFAULT_SEED 20261125
/* Test images per run of the exported graph. */
#define EVAL_BATCH 500
/* Shuffling: one permutation per epoch from (seed, this purpose, epoch). */
#define PURPOSE_SHUFFLE 0x73687566ull /* "shuf" */

/* DIR/NAME, or DIR/NAME.gz when only that exists. */
static char *data_path(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        return path;
    char *gz = g_strconcat(path, ".gz", NULL);
    g_free(path);
    return gz;
}

typedef struct {
    IdxFile images, labels;
} DataSet;

static gboolean data_load(const char *dir, const char *kind, DataSet *set, GError **error)
{
    char *name = g_strdup_printf("%s-images-idx3-ubyte", kind);
    char *images = data_path(dir, name);
    g_free(name);
    name = g_strdup_printf("%s-labels-idx1-ubyte", kind);
    char *labels = data_path(dir, name);
    g_free(name);
    gboolean ok = gst_cnn_idx_load(images, 3, &set->images, error) &&
                  gst_cnn_idx_load(labels, 1, &set->labels, error);
    if (ok && set->images.count != set->labels.count) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s has %" G_GSIZE_FORMAT " images but %s %" G_GSIZE_FORMAT " labels",
                    images, set->images.count, labels, set->labels.count);
        ok = FALSE;
    }
    g_free(images);
    g_free(labels);
    return ok;
}

static void data_clear(DataSet *set)
{
    gst_cnn_idx_clear(&set->images);
    gst_cnn_idx_clear(&set->labels);
}

typedef struct {
    float scale, mean, std;
} Normalisation;

static void normalise(const Normalisation *n, const guint8 *pixels, gsize count, float *x)
{
    for (gsize i = 0; i < count; i++)
        x[i] = ((float)pixels[i] * n->scale - n->mean) / n->std;
}

/* Fisher-Yates from the counter generator: the order of one epoch. */
static void shuffle(guint32 *order, gsize n, guint64 seed, int epoch)
{
    cnn_rng_key key = { seed, cnn_rng_purpose(PURPOSE_SHUFFLE, (guint64)epoch) };
    for (gsize i = 0; i < n; i++)
        order[i] = (guint32)i;
    for (gsize i = n - 1; i > 0; i--) {
        gsize j = (gsize)(((guint64)cnn_rng_u32(key, i) * (i + 1)) >> 32);
        guint32 t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Accuracy of the exported network on a data set: correct predictions. */
static cnn_status evaluate(cnn_context *ctx, cnn_net *net, const DataSet *set,
                           const Normalisation *norm, gsize *correct)
{
    cnn_graph *g;
    cnn_status st = cnn_net_export(net, &g);
    if (st != CNN_OK)
        return st;
    const IdxFile *im = &set->images;
    int batch = set->images.count < EVAL_BATCH ? (int)set->images.count : EVAL_BATCH;
    int shape[4] = { batch, 1, im->dims[1], im->dims[2] };
    if ((st = cnn_graph_set_input_shape(g, "input", 4, shape)) != CNN_OK ||
        (st = cnn_graph_prepare(g, ctx)) != CNN_OK) {
        cnn_graph_destroy(g);
        return st;
    }
    float *x = cnn_graph_input(g, 0)->data;
    *correct = 0;
    for (gsize first = 0; first < im->count; first += (gsize)batch) {
        gsize n = MIN((gsize)batch, im->count - first);
        memset(x, 0, (gsize)batch * im->item_size * sizeof *x); /* a short last batch */
        normalise(norm, im->data + first * im->item_size, n * im->item_size, x);
        if ((st = cnn_graph_run(g, ctx)) != CNN_OK)
            break;
        const cnn_tensor *logits = cnn_graph_output(g, 0);
        int classes = logits->shape[1];
        for (gsize i = 0; i < n; i++) {
            const float *row = logits->data + i * (gsize)classes;
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (row[k] > row[best])
                    best = k;
            *correct += best == set->labels.data[first + i];
        }
    }
    cnn_graph_destroy(g);
    return st;
}

/* The options of a run, as parsed. */
typedef struct {
    char *data, *arch, *labels, *out_dir, *optimizer;
    int epochs, steps, batch, threads;
    double lr, momentum, weight_decay, scale, mean, std;
    gint64 seed;
} TrainOptions;

static char *arch_text(const char *arch, GError **error)
{
    char *text = NULL;
    if (!strchr(arch, ';') && g_file_test(arch, G_FILE_TEST_IS_REGULAR))
        return g_file_get_contents(arch, &text, NULL, error) ? text : NULL;
    return g_strdup(arch);
}

static char *labels_text(const TrainOptions *o, int classes, GError **error)
{
    char *text = NULL;
    if (o->labels)
        return g_file_get_contents(o->labels, &text, NULL, error) ? text : NULL;
    GString *s = g_string_new(NULL);
    for (int k = 0; k < classes; k++)
        g_string_append_printf(s, "%d\n", k);
    return g_string_free(s, FALSE);
}

static char *cfg_text(const TrainOptions *o, const IdxFile *images, const char *arch,
                      double accuracy)
{
    char *one_line = g_strdelimit(g_strdup(arch), "\n", ';');
    char *text = g_strdup_printf(
        "# Written by gst-cnn train: what the graph expects and gives. Input:\n"
        "# x = (pixel * scale - mean) / std, pixels resized to width x height,\n"
        "# NCHW float32. Output: one logit per label.\n"
        "# arch: %s\n"
        "# seed %" G_GINT64_FORMAT ", %s lr %g, batch %d; test accuracy %.4f\n"
        "[model]\n"
        "model=model.onnx\nlabels=labels.txt\ninput=input\noutput=logits\n"
        "output-kind=logits\n"
        "width=%d\nheight=%d\nchannels=1\nchannel-order=gray\nlayout=NCHW\n"
        "scale=%.17g\nmean=%.4f\nstd=%.4f\n",
        one_line, o->seed, o->optimizer, o->lr, o->batch, accuracy, images->dims[2],
        images->dims[1], o->scale, o->mean, o->std);
    g_free(one_line);
    return text;
}

/* model.onnx, model.cfg and labels.txt, each written whole (temporary name,
 * then rename). */
static gboolean write_outputs(const TrainOptions *o, cnn_net *net, const IdxFile *images,
                              const char *arch, double accuracy, GError **error)
{
    cnn_graph *g = NULL;
    void *onnx = NULL;
    size_t onnx_size = 0;
    if (cnn_net_export(net, &g) != CNN_OK || cnn_onnx_write_memory(g, &onnx, &onnx_size) != CNN_OK) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "export: %s", cnn_last_error());
        cnn_graph_destroy(g);
        return FALSE;
    }
    cnn_graph_destroy(g);
    char *labels = labels_text(o, cnn_net_outputs(net), error);
    char *cfg = cfg_text(o, images, arch, accuracy);
    char *onnx_path = g_build_filename(o->out_dir, "model.onnx", NULL);
    char *cfg_path = g_build_filename(o->out_dir, "model.cfg", NULL);
    char *labels_path = g_build_filename(o->out_dir, "labels.txt", NULL);
    gboolean ok = labels && g_mkdir_with_parents(o->out_dir, 0755) == 0;
    if (labels && !ok)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", o->out_dir);
    ok = ok && g_file_set_contents(onnx_path, onnx, (gssize)onnx_size, error) &&
         g_file_set_contents(cfg_path, cfg, -1, error) &&
         g_file_set_contents(labels_path, labels, -1, error);
    free(onnx);
    g_free(labels);
    g_free(cfg);
    g_free(onnx_path);
    g_free(cfg_path);
    g_free(labels_path);
    return ok;
}

/* The training loop; prints one line per epoch. Returns the last test
 * accuracy in *accuracy. */
static gboolean train(const TrainOptions *o, cnn_context *ctx, cnn_net *net,
                      const DataSet *train_set, const DataSet *test_set, double *accuracy,
                      GError **error)
{
    cnn_optimizer_params opt;
    cnn_optimizer_params_init(&opt, !strcmp(o->optimizer, "adam") ? CNN_OPTIMIZER_ADAM
                                                                  : CNN_OPTIMIZER_SGD);
    opt.lr = (float)o->lr;
    opt.momentum = (float)o->momentum;
    opt.weight_decay = (float)o->weight_decay;
    const IdxFile *im = &train_set->images;
    Normalisation norm = { (float)o->scale, (float)o->mean, (float)o->std };
    gsize per_epoch = im->count / (gsize)o->batch;
    if (per_epoch == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "a batch of %d is more than the %" G_GSIZE_FORMAT " training images",
                    o->batch, im->count);
        return FALSE;
    }
    gint64 total = o->steps > 0 ? o->steps : (gint64)o->epochs * (gint64)per_epoch;
    guint32 *order = g_new(guint32, im->count);
    float *x = g_new(float, (gsize)o->batch * im->item_size);
    int *labels = g_new(int, o->batch);
    double loss_sum = 0.0, seconds = 0.0;
    gsize seen = 0, right = 0;
    gint64 start = g_get_monotonic_time();
    cnn_status st = cnn_net_plan(net, ctx, o->batch);
    for (gint64 step = 0; st == CNN_OK && step < total; step++) {
        gsize in_epoch = (gsize)step % per_epoch;
        int epoch = (int)((gsize)step / per_epoch);
        if (in_epoch == 0)
            shuffle(order, im->count, (guint64)o->seed, epoch);
        for (int i = 0; i < o->batch; i++) {
            guint32 k = order[in_epoch * (gsize)o->batch + (gsize)i];
            normalise(&norm, im->data + k * im->item_size, im->item_size,
                      x + (gsize)i * im->item_size);
            labels[i] = train_set->labels.data[k];
        }
        float loss;
        int correct;
        if ((st = cnn_net_train_step(net, ctx, &opt, x, labels, &loss, &correct)) != CNN_OK)
            break;
        loss_sum += loss;
        right += (gsize)correct;
        seen += (gsize)o->batch;
        if (in_epoch + 1 < per_epoch && step + 1 < total)
            continue;
        /* end of an epoch (or of the steps): report */
        gsize test_right = 0;
        double epoch_seconds = (double)(g_get_monotonic_time() - start) / 1e6;
        seconds += epoch_seconds;
        if ((st = evaluate(ctx, net, test_set, &norm, &test_right)) != CNN_OK)
            break;
        *accuracy = (double)test_right / (double)test_set->images.count;
        printf("epoch %d: %" G_GSIZE_FORMAT " steps, loss %.4f, train accuracy %.4f, "
               "test accuracy %.4f (%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT "), "
               "%.1f s (%.1f s in all)\n",
               epoch + 1, seen / (gsize)o->batch, loss_sum / (double)(seen / (gsize)o->batch),
               (double)right / (double)seen, *accuracy, test_right, test_set->images.count,
               epoch_seconds, seconds);
        fflush(stdout);
        loss_sum = 0.0;
        seen = right = 0;
        start = g_get_monotonic_time();
    }
    g_free(order);
    g_free(x);
    g_free(labels);
    if (st != CNN_OK) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cnn_last_error());
        return FALSE;
    }
    return TRUE;
}

static gboolean check_options(const TrainOptions *o, GError **error)
{
    const char *bad = !o->out_dir                      ? "give -o OUTDIR"
                      : o->epochs < 1 && o->steps < 1  ? "--epochs or --steps must be >= 1"
                      : o->batch < 1                   ? "--batch must be >= 1"
                      : strcmp(o->optimizer, "sgd") && strcmp(o->optimizer, "adam")
                          ? "--optimizer is sgd or adam"
                      : o->std <= 0 ? "--std must be > 0"
                                    : NULL;
    if (bad)
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", bad);
    return bad == NULL;
}

int gst_cnn_train(int argc, char **argv)
{
    TrainOptions o = { .epochs = 1, .batch = 64, .threads = 1, .lr = 0, .scale = 1.0 / 255.0,
                       .mean = 0.2860, .std = 0.3530, .seed = DEFAULT_SEED };
    GOptionEntry entries[] = {
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, &o.data, "folder of {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (default " DEFAULT_DATA ")", "DIR" },
        { "arch", 'a', 0, G_OPTION_ARG_STRING, &o.arch, "the network, as text or a file (default FashionNet)", "TEXT|FILE" },
        { "epochs", 'e', 0, G_OPTION_ARG_INT, &o.epochs, "passes over the training images (default 1)", "E" },
        { "steps", 's', 0, G_OPTION_ARG_INT, &o.steps, "train this many batches instead", "S" },
        { "batch", 'b', 0, G_OPTION_ARG_INT, &o.batch, "images per step (default 64)", "B" },
        { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o.optimizer, "sgd or adam (default adam)", "NAME" },
        { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o.lr, "learning rate (default 1e-3 for adam, 1e-2 for sgd)", "LR" },
        { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o.momentum, "SGD momentum (default 0)", "M" },
        { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &o.weight_decay, "L2 weight decay (default 0)", "WD" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "initialisation, shuffling and dropout (default 20261125)", "S" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, "engine threads (default 1, 0 = one per CPU)", "N" },
        { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &o.scale, "x = (pixel * scale - mean) / std (default 1/255)", "S" },
        { "mean", 0, 0, G_OPTION_ARG_DOUBLE, &o.mean, "(default 0.2860, Fashion-MNIST's)", "M" },
        { "std", 0, 0, G_OPTION_ARG_DOUBLE, &o.std, "(default 0.3530)", "S" },
        { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &o.labels, "labels.txt to ship (default: class numbers)", "FILE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.out_dir, "folder for model.onnx, model.cfg, labels.txt", "OUTDIR" },
        { NULL },
    };
    GOptionContext *opts = g_option_context_new("- train a network on an idx image data set");
    GError *error = NULL;
    DataSet train_set = { 0 }, test_set = { 0 };
    cnn_context *ctx = NULL;
    cnn_net *net = NULL;
    char *arch = NULL;
    double accuracy = 0.0;
    int ret = GST_CNN_EXIT_USAGE;

    g_option_context_add_main_entries(opts, entries, NULL);
    g_option_context_set_description(
        opts, "Layers (separated by ';' or new lines): conv OUT K [stride= pad= dilation= "
              "groups= bias=], dense OUT, bn, relu, leaky_relu [alpha=], sigmoid, tanh, "
              "hardswish, maxpool K [stride= pad=], avgpool K, flatten, dropout [P].\n"
              "Example: gst-cnn train --epochs 3 -o out/ && cnn-model-eval out/model.cfg ...");
    if (!gst_cnn_parse_options(opts, &argc, &argv))
        goto done;
    if (!o.optimizer)
        o.optimizer = g_strdup("adam");
    if (!o.data)
        o.data = g_strdup(DEFAULT_DATA);
    if (o.lr <= 0)
        o.lr = !strcmp(o.optimizer, "adam") ? 1e-3 : 1e-2;
    if (!check_options(&o, &error) || !(arch = arch_text(o.arch ? o.arch : DEFAULT_ARCH, &error)))
        goto fail;
    ret = GST_CNN_EXIT_FAILED;
    if (!data_load(o.data, "train", &train_set, &error) ||
        !data_load(o.data, "t10k", &test_set, &error))
        goto fail;
    if (test_set.images.dims[1] != train_set.images.dims[1] ||
        test_set.images.dims[2] != train_set.images.dims[2]) {
        g_set_error(&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "test images are %dx%d, training images %dx%d", test_set.images.dims[2],
                    test_set.images.dims[1], train_set.images.dims[2], train_set.images.dims[1]);
        goto fail;
    }
    if (cnn_context_create(&ctx, o.threads) != CNN_OK ||
        cnn_net_create(&net, arch, 1, train_set.images.dims[1], train_set.images.dims[2],
                       (uint64_t)o.seed) != CNN_OK) {
        g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cnn_last_error());
        ret = GST_CNN_EXIT_USAGE;
        goto fail;
    }
    printf("gst-cnn train: %" G_GSIZE_FORMAT " training and %" G_GSIZE_FORMAT
           " test images, %s lr %g, batch %d, seed %" G_GINT64_FORMAT ", %d thread%s\n",
           train_set.images.count, test_set.images.count, o.optimizer, o.lr,
           o.batch, o.seed, cnn_context_threads(ctx), cnn_context_threads(ctx) > 1 ? "s" : "");
    if (!train(&o, ctx, net, &train_set, &test_set, &accuracy, &error) ||
        !write_outputs(&o, net, &train_set.images, arch, accuracy, &error))
        goto fail;
    printf("wrote %s/model.onnx, model.cfg, labels.txt (test accuracy %.4f)\n", o.out_dir,
           accuracy);
    ret = GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn train: %s\n", error ? error->message : "failed");
done:
    g_clear_error(&error);
    cnn_net_destroy(net);
    cnn_context_destroy(ctx);
    data_clear(&train_set);
    data_clear(&test_set);
    g_free(arch);
    g_free(o.data);
    g_free(o.arch);
    g_free(o.labels);
    g_free(o.out_dir);
    g_free(o.optimizer);
    g_option_context_free(opts);
    return ret;
}
