/* The trainer (cnn/train.h) against PyTorch (tests/ref/train_ref.py): from
 * the same initial parameters, one and five SGD (momentum, weight decay) and
 * Adam steps on the same batches give the same losses, parameters and batch
 * norm running statistics, and the exported graph gives the eval-mode logits
 * of the trained network; FashionNet and a network of every other layer
 * kind, every CPU level, one and three threads bit for bit the same. Also:
 * the exported ONNX file passes onnx.checker and reads back to the same
 * logits; initialisation bounds and seeds; dropout; errors of the
 * architecture parser naming the layer and the word.
 * Usage: test_train PYTHON SCRIPT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/onnx.h"
#include "torchref.h"

/* Parameters, buffers and logits after the steps: the float32 sums of
 * PyTorch and ours differ in order, by far less than this. */
#define PARAM_TOL 1e-4
#define LOSS_TOL 1e-5
/* After several steps, plus this relative part: a ReLU or max-pool decision
 * taken on a value within float32 rounding of its kink sends one gradient
 * elsewhere, rarely, in PyTorch or here. */
#define PARAM_RTOL_LATER 1e-3
/* A running mean sums fan_in products of weights that differ by up to
 * 1e-5 after a few steps. */
#define BUFFER_TOL 5e-4
/* Adam's step is at most lr * (1 - beta1) / sqrt(1 - beta2) (3.2 lr). */
#define ADAM_MAX_STEP 3.2

static const char *python_path;

/* 1 when parameter k is the bias of a layer whose output feeds a batch norm:
 * its exact gradient is zero (the norm subtracts the mean), so what PyTorch
 * and we compute is rounding noise, which Adam scales up to steps of lr. */
static int bias_before_batch_norm(cnn_net *net, int k)
{
    const char *name, *next;
    cnn_net_param(net, k, &name);
    if (!strstr(name, ".bias") || k + 1 >= cnn_net_param_count(net))
        return 0;
    cnn_net_param(net, k + 1, &next);
    return !strncmp(next, "bn", 2) && !strstr(next, ".bias") &&
           atoi(next + 2) == atoi(name + strcspn(name, "0123456789")) + 1;
}

/* Index of the gamma of the batch norm a buffer name ("bnL.running_mean")
 * belongs to. */
static int norm_param(cnn_net *net, const char *buffer)
{
    char gamma[32];
    snprintf(gamma, sizeof gamma, "%.*s.weight", (int)strcspn(buffer, "."), buffer);
    for (int k = 0; k < cnn_net_param_count(net); k++) {
        const char *name;
        cnn_net_param(net, k, &name);
        if (!strcmp(name, gamma))
            return k;
    }
    ck_abort_msg("no parameter %s", gamma);
    return -1;
}

static cnn_net *net_of_case(const ref_case *c)
{
    static char arch[1024];
    ref_text(c, "arch", arch, sizeof arch);
    cnn_net *net;
    ck_assert_cnn_ok(cnn_net_create(&net, arch, ref_int(c, "c"), ref_int(c, "h"),
                                    ref_int(c, "w"), 1));
    ck_assert_int_eq(cnn_net_param_count(net), ref_int(c, "params"));
    ck_assert_int_eq(cnn_net_buffer_count(net), ref_int(c, "buffers"));
    for (int k = 0; k < cnn_net_param_count(net); k++) {
        char what[16];
        cnn_tensor init;
        snprintf(what, sizeof what, "p%d", k);
        ref_tensor(c, what, &init);
        cnn_tensor *p = cnn_net_param(net, k, NULL);
        ck_assert_msg(cnn_tensor_same_shape(p, &init), "%s: parameter %d has another shape",
                      c->name, k);
        memcpy(p->data, init.data, cnn_tensor_numel(p) * sizeof(float));
        cnn_tensor_release(&init);
    }
    return net;
}

static void expect_params(const ref_case *c, cnn_net *net, int after, unsigned level)
{
    for (int k = 0; k < cnn_net_param_count(net); k++) {
        char what[32];
        snprintf(what, sizeof what, "p%d_after%d", k, after);
        const char *name;
        cnn_tensor *p = cnn_net_param(net, k, &name);
        size_t n = cnn_tensor_numel(p);
        if (!ref_int(c, "adam") || !bias_before_batch_norm(net, k)) {
            ref_expect_close(c, what, p->data, n, PARAM_TOL, after > 1 ? PARAM_RTOL_LATER : 0.0,
                             level);
            continue;
        }
        cnn_tensor init;
        snprintf(what, sizeof what, "p%d", k);
        ref_tensor(c, what, &init);
        double bound = ADAM_MAX_STEP * ref_double(c, "lr") * after + 1e-6;
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs(p->data[i] - init.data[i]) <= bound,
                          "%s %s: moved %g, more than Adam's steps allow", c->name, name,
                          fabs(p->data[i] - init.data[i]));
        cnn_tensor_release(&init);
    }
}

/* The trained network's logits on eval_x through the exported graph. */
static void expect_eval_logits(const ref_case *c, cnn_net *net, cnn_context *ctx,
                               unsigned level)
{
    cnn_graph *g;
    cnn_tensor x;
    ref_tensor(c, "eval_x", &x);
    ck_assert_cnn_ok(cnn_net_export(net, &g));
    ck_assert_cnn_ok(cnn_graph_set_input_shape(g, "input", 4, x.shape));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    cnn_tensor *in = cnn_graph_input(g, 0);
    memcpy(in->data, x.data, cnn_tensor_numel(&x) * sizeof(float));
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    const cnn_tensor *logits = cnn_graph_output(g, 0);
    ref_expect_close(c, "eval_logits", logits->data, cnn_tensor_numel(logits), PARAM_TOL,
                     PARAM_TOL, level);
    cnn_graph_destroy(g);
    cnn_tensor_release(&x);
}

/* Train the case's steps; the final parameters are copied to out (owned). */
static void run_case(const ref_case *c, unsigned level, int threads, cnn_tensor *out)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_net *net = net_of_case(c);
    int batch = ref_int(c, "batch"), steps = ref_int(c, "steps");
    ck_assert_cnn_ok(cnn_net_plan(net, ctx, batch));
    cnn_optimizer_params opt;
    cnn_optimizer_params_init(&opt, ref_int(c, "adam") ? CNN_OPTIMIZER_ADAM
                                                       : CNN_OPTIMIZER_SGD);
    opt.lr = (float)ref_double(c, "lr");
    opt.momentum = (float)ref_double(c, "momentum");
    opt.weight_decay = (float)ref_double(c, "wd");
    if (opt.kind == CNN_OPTIMIZER_ADAM)
        opt.eps = (float)ref_double(c, "eps");
    float losses[16];
    ck_assert_int_le(steps, 16);
    for (int s = 0; s < steps; s++) {
        char what[24];
        cnn_tensor x, labels_f;
        snprintf(what, sizeof what, "x%d", s);
        ref_tensor(c, what, &x);
        snprintf(what, sizeof what, "labels%d", s);
        ref_tensor(c, what, &labels_f);
        int labels[64];
        for (int i = 0; i < batch; i++)
            labels[i] = (int)labels_f.data[i];
        ck_assert_cnn_ok(cnn_net_train_step(net, ctx, &opt, x.data, labels, &losses[s], NULL));
        if (s == 0 || s == steps - 1)
            expect_params(c, net, s + 1, level);
        cnn_tensor_release(&x);
        cnn_tensor_release(&labels_f);
    }
    ref_expect_close(c, "loss", losses, (size_t)steps, LOSS_TOL, LOSS_TOL, level);
    ck_assert_int_eq(cnn_net_steps(net), steps);
    for (int k = 0; k < cnn_net_buffer_count(net); k++) {
        char what[32];
        snprintf(what, sizeof what, "b%d_after%d", k, steps);
        const char *name;
        cnn_tensor *b = cnn_net_buffer(net, k, &name);
        /* a running mean carries the noise of the bias before its norm */
        double tol = BUFFER_TOL;
        if (ref_int(c, "adam") && strstr(name, "running_mean") &&
            bias_before_batch_norm(net, norm_param(net, name) - 1))
            tol = ADAM_MAX_STEP * ref_double(c, "lr") * steps;
        ref_expect_close(c, what, b->data, cnn_tensor_numel(b), tol, BUFFER_TOL, level);
    }
    expect_eval_logits(c, net, ctx, level);
    int total = 0;
    for (int k = 0; k < cnn_net_param_count(net); k++)
        total += (int)cnn_tensor_numel(cnn_net_param(net, k, NULL));
    ck_assert_cnn_ok(cnn_tensor_alloc(out, 1, &total));
    for (int k = 0, at = 0; k < cnn_net_param_count(net); k++) {
        const cnn_tensor *p = cnn_net_param(net, k, NULL);
        memcpy(out->data + at, p->data, cnn_tensor_numel(p) * sizeof(float));
        at += (int)cnn_tensor_numel(p);
    }
    cnn_net_destroy(net);
    cnn_context_destroy(ctx);
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        cnn_tensor one, three;
        run_case(c, levels[l], 1, &one);
        run_case(c, levels[l], 3, &three);
        ref_expect_identical(c, "trained parameters", one.data, three.data,
                             cnn_tensor_numel(&one));
        cnn_tensor_release(&one);
        cnn_tensor_release(&three);
    }
}
END_TEST

START_TEST(exported_onnx_passes_checker_and_reads_back)
{
    const ref_case *c = ref_case_at(0);
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_net *net = net_of_case(c);
    cnn_graph *g;
    ck_assert_cnn_ok(cnn_net_export(net, &g));
    char path[256], cmd[768];
    snprintf(path, sizeof path, "%s/exported.onnx", ref_dir());
    ck_assert_cnn_ok(cnn_onnx_write(g, path));
    cnn_graph_destroy(g);
    snprintf(cmd, sizeof cmd,
             "'%s' -c 'import onnx, sys; m = onnx.load(sys.argv[1]); "
             "onnx.checker.check_model(m, full_check=True); "
             "assert [i.name for i in m.graph.input] == [\"input\"]; "
             "assert [o.name for o in m.graph.output] == [\"logits\"]; "
             "assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param' '%s'",
             python_path, path);
    ck_assert_msg(system(cmd) == 0, "onnx.checker refused %s", path);

    /* read back: the logits of the net's own graph */
    cnn_tensor x;
    ref_tensor(c, "eval_x", &x);
    ck_assert_cnn_ok(cnn_onnx_read(path, &g));
    ck_assert_cnn_ok(cnn_graph_set_input_shape(g, "input", 4, x.shape));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    memcpy(cnn_graph_input(g, 0)->data, x.data, cnn_tensor_numel(&x) * sizeof(float));
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    const cnn_tensor *read_back = cnn_graph_output(g, 0);
    cnn_graph *direct;
    ck_assert_cnn_ok(cnn_net_export(net, &direct));
    ck_assert_cnn_ok(cnn_graph_set_input_shape(direct, "input", 4, x.shape));
    ck_assert_cnn_ok(cnn_graph_prepare(direct, ctx));
    memcpy(cnn_graph_input(direct, 0)->data, x.data, cnn_tensor_numel(&x) * sizeof(float));
    ck_assert_cnn_ok(cnn_graph_run(direct, ctx));
    ck_assert_int_eq(memcmp(read_back->data, cnn_graph_output(direct, 0)->data,
                            cnn_tensor_numel(read_back) * sizeof(float)),
                     0);
    cnn_graph_destroy(direct);
    cnn_graph_destroy(g);
    cnn_tensor_release(&x);
    cnn_net_destroy(net);
    cnn_context_destroy(ctx);
}
END_TEST

static const char fashion_arch[] = "conv 16 3 pad=1; bn; relu; maxpool 2; conv 32 3 pad=1; "
                                   "bn; relu; maxpool 2; flatten; dense 64; relu; dense 10";

START_TEST(initialises_like_pytorch_from_the_seed)
{
    uint64_t seed = test_seed();
    cnn_net *a, *b, *other;
    ck_assert_cnn_ok(cnn_net_create(&a, fashion_arch, 1, 28, 28, seed));
    ck_assert_cnn_ok(cnn_net_create(&b, fashion_arch, 1, 28, 28, seed));
    ck_assert_cnn_ok(cnn_net_create(&other, fashion_arch, 1, 28, 28, seed + 1));
    ck_assert_int_eq(cnn_net_outputs(a), 10);
    /* weight and bias bounds 1/sqrt(fan_in); values fill the range */
    static const struct {
        const char *name;
        int fan_in;
    } bounded[] = { { "conv0.weight", 9 },   { "conv0.bias", 9 },
                    { "conv4.weight", 144 }, { "conv4.bias", 144 },
                    { "dense9.weight", 1568 }, { "dense11.bias", 64 } };
    for (size_t i = 0; i < sizeof bounded / sizeof *bounded; i++) {
        const cnn_tensor *t = NULL;
        for (int k = 0; k < cnn_net_param_count(a); k++) {
            const char *name;
            cnn_tensor *p = cnn_net_param(a, k, &name);
            if (!strcmp(name, bounded[i].name))
                t = p;
        }
        ck_assert_msg(t != NULL, "no parameter %s", bounded[i].name);
        float bound = 1.0f / sqrtf((float)bounded[i].fan_in), lo = bound, hi = -bound;
        double mean = 0.0;
        size_t n = cnn_tensor_numel(t);
        for (size_t j = 0; j < n; j++) {
            lo = fminf(lo, t->data[j]);
            hi = fmaxf(hi, t->data[j]);
            mean += t->data[j] / (double)n;
        }
        ck_assert_msg(lo >= -bound && hi < bound, "%s outside +-%g", bounded[i].name, bound);
        if (n >= 144)
            ck_assert_msg(lo < -0.9f * bound && hi > 0.9f * bound &&
                              fabs(mean) < 0.3 * bound,
                          "%s: [%g, %g] mean %g does not look uniform in +-%g",
                          bounded[i].name, lo, hi, mean, bound);
    }
    const char *name;
    const cnn_tensor *gamma = cnn_net_param(a, 2, &name);
    ck_assert_str_eq(name, "bn1.weight");
    ck_assert_float_eq(gamma->data[0], 1.0f);
    ck_assert_float_eq(cnn_net_param(a, 3, NULL)->data[15], 0.0f);
    ck_assert_float_eq(cnn_net_buffer(a, 1, &name)->data[3], 1.0f);
    ck_assert_str_eq(name, "bn1.running_var");
    for (int k = 0; k < cnn_net_param_count(a); k++) {
        size_t bytes = cnn_tensor_numel(cnn_net_param(a, k, NULL)) * sizeof(float);
        ck_assert(!memcmp(cnn_net_param(a, k, NULL)->data, cnn_net_param(b, k, NULL)->data,
                          bytes));
    }
    ck_assert(memcmp(cnn_net_param(a, 0, NULL)->data, cnn_net_param(other, 0, NULL)->data,
                     9 * sizeof(float)));
    cnn_net_destroy(a);
    cnn_net_destroy(b);
    cnn_net_destroy(other);
}
END_TEST

/* Dropout: the mask follows (seed, layer, step), so two runs agree on any
 * thread count; the export leaves it out. */
START_TEST(dropout_is_seeded_and_left_out_of_the_export)
{
    static const char arch[] = "flatten; dense 32; relu; dropout 0.5; dense 3";
    cnn_tensor trained[2];
    float x[4 * 2 * 3 * 3];
    int labels[4] = { 0, 2, 1, 2 };
    test_fill_uniform(x, sizeof x / sizeof *x, test_seed(), 1, -1.0f, 1.0f);
    for (int run = 0; run < 2; run++) {
        cnn_context *ctx;
        ck_assert_cnn_ok(cnn_context_create(&ctx, run ? 3 : 1));
        cnn_net *net;
        ck_assert_cnn_ok(cnn_net_create(&net, arch, 2, 3, 3, 7));
        ck_assert_cnn_ok(cnn_net_plan(net, ctx, 4));
        cnn_optimizer_params opt;
        cnn_optimizer_params_init(&opt, CNN_OPTIMIZER_SGD);
        opt.lr = 0.1f;
        float loss;
        for (int s = 0; s < 3; s++)
            ck_assert_cnn_ok(cnn_net_train_step(net, ctx, &opt, x, labels, &loss, NULL));
        ck_assert(isfinite(loss));
        ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&trained[run], 1, 1, 1, 32 * 18));
        memcpy(trained[run].data, cnn_net_param(net, 0, NULL)->data, 32 * 18 * sizeof(float));
        cnn_graph *g;
        ck_assert_cnn_ok(cnn_net_export(net, &g));
        cnn_graph_stats stats;
        int shape[4] = { 4, 2, 3, 3 };
        ck_assert_cnn_ok(cnn_graph_set_input_shape(g, "input", 4, shape));
        ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
        cnn_graph_get_stats(g, &stats);
        ck_assert_int_eq(stats.nodes, 4); /* Flatten, Gemm, Relu, Gemm */
        cnn_graph_destroy(g);
        cnn_net_destroy(net);
        cnn_context_destroy(ctx);
    }
    ck_assert(!memcmp(trained[0].data, trained[1].data, 32 * 18 * sizeof(float)));
    cnn_tensor_release(&trained[0]);
    cnn_tensor_release(&trained[1]);
}
END_TEST

START_TEST(arch_errors_name_the_layer_and_the_word)
{
    static const struct {
        const char *arch, *expect;
    } bad[] = {
        { "conv 8 3; bn; frob; dense 10", "layer 3 \"frob\": unknown layer 'frob'" },
        { "conv 8 3 strid=2; dense 10", "layer 1 \"conv 8 3 strid=2\": unknown option 'strid=2'" },
        { "conv 8; dense 10", "missing a number after 'conv'" },
        { "conv 8 x; dense 10", "'x' is not a valid count" },
        { "conv 8 3 pad=-1; dense 10", "'-1' is not a valid value" },
        { "conv 8 3 groups=3; dense 10", "groups must divide" },
        { "maxpool 2 4; dense 10", "unexpected word '4'" },
        { "conv 8 30; dense 10", "layer 1 \"conv 8 30\": conv2d: kernel spans" },
        { "dense 10; conv 8 3", "layer 2 \"conv 8 3\": 'conv' needs an image input" },
        { "dropout 1.5; dense 2", "'1.5' is not a drop probability" },
        { "conv 8 3\n# only a comment\nrelu", "the last layer (2, relu) gives an image" },
        { "  ; # nothing\n", "arch: no layers" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cnn_net *net = (cnn_net *)1;
        ck_assert_int_eq(cnn_net_create(&net, bad[i].arch, 2, 8, 8, 1), CNN_ERR_FORMAT);
        ck_assert_ptr_null(net);
        ck_assert_msg(strstr(cnn_last_error(), bad[i].expect), "'%s' gave \"%s\", want \"%s\"",
                      bad[i].arch, cnn_last_error(), bad[i].expect);
    }
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "train");
    python_path = argv[1];
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, exported_onnx_passes_checker_and_reads_back);
    tcase_add_test(tc, initialises_like_pytorch_from_the_seed);
    tcase_add_test(tc, dropout_is_seeded_and_left_out_of_the_export);
    tcase_add_test(tc, arch_errors_name_the_layer_and_the_word);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
