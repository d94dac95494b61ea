/* conv2d for 1x1 kernels at stride 1 without padding: per image and group a
 * matrix product of the weights [cout][cin] with the input planes flattened
 * to [cin][h * w], so narrow planes (14x14) still fill whole vectors. The
 * inner loops are the kernel table's conv2d_pw entry; cnn_conv2d_pw_c below
 * is the reference every SIMD twin is tested against. */
#include <stdatomic.h>

#include "conv2d_internal.h"
#include "kernels.h"

/* Input channels per pass of the kernel: a block of 48 columns of this many
 * rows (24 KiB) stays in L1 while every output channel passes over it. */
#define PW_K_BLOCK 128
/* Columns of a task (a multiple of every kernel's block of columns), and
 * tasks per thread at least, splitting output channels when the plane is
 * small. Every output is summed in input-channel order by one task, so the
 * split does not change a single bit. */
#define PW_COLS 240
#define PW_COL_ALIGN 48 /* the widest kernel's block of columns */
#define PW_TASKS_PER_THREAD 4
#define PW_CHANNEL_ALIGN 8

void cnn_conv2d_pw_c(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1, int k0,
                     int k1)
{
    for (int m = m0; m < m1; m++) {
        const float *w = a->weight + (size_t)m * a->k;
        float *out = a->dst + (size_t)m * a->ld_dst;
        for (int n = n0; n < n1; n++) {
            float sum = k0 > 0 ? out[n] : a->bias ? a->bias[m] : 0.0f;
            for (int k = k0; k < k1; k++)
                sum += w[k] * a->src[(size_t)k * a->ld_src + n];
            if (k1 == a->k && a->clamp)
                sum = cnn_conv2d_clamp(sum, a->clamp_min, a->clamp_max);
            out[n] = sum;
        }
    }
}

typedef struct pw_job {
    cnn_conv2d_pw_fn kernel;
    cnn_conv2d_pw_args a; /* group 0 of the image */
    int cin_g, cout_g, plane;
    int col_tasks, cols_per_task, chan_tasks, chans_per_task, groups;
    atomic_int next_task;
} pw_job;

static void pw_tasks(void *arg, int ith, int nth)
{
    pw_job *j = arg;
    (void)ith, (void)nth;
    int per_group = j->col_tasks * j->chan_tasks;
    for (int t; (t = atomic_fetch_add(&j->next_task, 1)) < j->groups * per_group;) {
        int g = t / per_group, c = t % per_group / j->chan_tasks, m = t % j->chan_tasks;
        cnn_conv2d_pw_args a = j->a;
        a.src += (size_t)g * j->cin_g * j->plane;
        a.weight += (size_t)g * j->cout_g * j->cin_g;
        if (a.bias)
            a.bias += (size_t)g * j->cout_g;
        a.dst += (size_t)g * j->cout_g * j->plane;
        int n0 = c * j->cols_per_task, m0 = m * j->chans_per_task;
        int n1 = n0 + j->cols_per_task < j->plane ? n0 + j->cols_per_task : j->plane;
        int m1 = m0 + j->chans_per_task < j->cout_g ? m0 + j->chans_per_task : j->cout_g;
        for (int k0 = 0; k0 < j->cin_g; k0 += PW_K_BLOCK)
            j->kernel(&a, m0, m1, n0, n1, k0,
                      k0 + PW_K_BLOCK < j->cin_g ? k0 + PW_K_BLOCK : j->cin_g);
    }
}

static int ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

void cnn_conv2d_pointwise(cnn_context *ctx, const cnn_conv2d_params *p, const cnn_tensor *x,
                          const cnn_tensor *weight, const cnn_tensor *bias, cnn_tensor *y)
{
    int n = x->shape[0], cin = x->shape[1], plane = x->shape[2] * x->shape[3];
    int cout = y->shape[1], g = p->groups;
    pw_job j = {
        .kernel = cnn_context_kernels(ctx)->conv2d_pw,
        .a = {
            .ld_src = (size_t)plane, .weight = weight->data, .k = cin / g,
            .bias = bias ? bias->data : NULL, .ld_dst = (size_t)plane,
            .clamp = p->clamp, .clamp_min = p->clamp_min, .clamp_max = p->clamp_max,
        },
        .cin_g = cin / g, .cout_g = cout / g, .plane = plane, .groups = g,
    };
    /* Columns in even tasks of whole kernel blocks; then enough channel
     * tasks that every thread has several. */
    j.col_tasks = ceil_div(plane, PW_COLS);
    j.cols_per_task = ceil_div(ceil_div(plane, j.col_tasks), PW_COL_ALIGN) * PW_COL_ALIGN;
    j.col_tasks = ceil_div(plane, j.cols_per_task);
    int want = PW_TASKS_PER_THREAD * cnn_context_threads(ctx);
    int chan_tasks = ceil_div(want, g * j.col_tasks);
    j.chans_per_task = ceil_div(ceil_div(j.cout_g, chan_tasks), PW_CHANNEL_ALIGN) *
                       PW_CHANNEL_ALIGN;
    j.chan_tasks = ceil_div(j.cout_g, j.chans_per_task);
    for (int i = 0; i < n; i++) {
        j.a.src = x->data + (size_t)i * cin * plane;
        j.a.dst = y->data + (size_t)i * cout * plane;
        atomic_init(&j.next_task, 0);
        cnn_threadpool_run(cnn_context_pool(ctx), pw_tasks, &j, 0);
    }
}
