/* Single-precision GEMM, row-major, cache-blocked the BLIS way: C is cut into
 * GEMM_MC x GEMM_NC tiles, one task each; a task walks K in GEMM_KC steps,
 * packs its op(A) and op(B) blocks into the micro-kernel's panel layout (on
 * its stack: no allocation) and calls the kernel table's gemm_micro per
 * gemm_mr x gemm_nr tile. A tile of C belongs to one task and is summed in K
 * order, so the result does not depend on the thread count. */
#include <string.h>

#include "cnn/dense.h"
#include "kernels.h"

#define GEMM_KC 256
#define GEMM_MC 64
#define GEMM_NC 128
/* The largest tile any micro-kernel uses: packing buffers round up to it. */
#define GEMM_MAX_MR 8
#define GEMM_MAX_NR 32

#define C_MR 4
#define C_NR 16

typedef struct gemm_job {
    const cnn_kernels *k;
    int trans_a, trans_b, m, n, kdim;
    float alpha, beta;
    const float *a, *b;
    float *c;
    int lda, ldb, ldc;
    int m_blocks, n_blocks;
} gemm_job;

/* Copy a rows x kc block whose row r, column p is src[r * rs + p * ps] into
 * a panel of `width` values per p (dst[p * width + r]), zero-padding rows up
 * to width. The loop runs along whichever of r and p is contiguous in
 * memory: walking rows a page apart in the inner loop would thrash the L1
 * sets. */
static void pack_panel(const float *src, size_t rs, size_t ps, int rows, int kc, int width,
                       float *dst)
{
    if (ps == 1) {
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < kc; p++)
                dst[(size_t)p * width + r] = src[r * rs + p];
    } else {
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < rows; r++)
                dst[(size_t)p * width + r] = src[r * rs + p * ps];
    }
    for (int p = 0; p < kc; p++)
        for (int r = rows; r < width; r++)
            dst[(size_t)p * width + r] = 0.0f;
}

/* op(A)[i0 + r, p0 + p] for r < m, p < kc into mr-row panels. */
static void pack_a(const gemm_job *j, int i0, int m, int p0, int kc, float *dst)
{
    int mr = j->k->gemm_mr;
    size_t rs = j->trans_a ? 1 : (size_t)j->lda, ps = j->trans_a ? (size_t)j->lda : 1;
    for (int r0 = 0; r0 < m; r0 += mr, dst += (size_t)mr * kc)
        pack_panel(j->a + (size_t)(i0 + r0) * rs + (size_t)p0 * ps, rs, ps,
                   m - r0 < mr ? m - r0 : mr, kc, mr, dst);
}

/* op(B)[p0 + p, j0 + c] for p < kc, c < n into nr-column panels. */
static void pack_b(const gemm_job *j, int p0, int kc, int j0, int n, float *dst)
{
    int nr = j->k->gemm_nr;
    size_t cs = j->trans_b ? (size_t)j->ldb : 1, ps = j->trans_b ? 1 : (size_t)j->ldb;
    for (int c0 = 0; c0 < n; c0 += nr, dst += (size_t)nr * kc)
        pack_panel(j->b + (size_t)(j0 + c0) * cs + (size_t)p0 * ps, cs, ps,
                   n - c0 < nr ? n - c0 : nr, kc, nr, dst);
}

static void gemm_tile(const gemm_job *j, int i0, int m, int j0, int n)
{
    float a_pack[GEMM_MC * GEMM_KC + GEMM_MAX_MR * GEMM_KC] __attribute__((aligned(64)));
    float b_pack[GEMM_NC * GEMM_KC + GEMM_MAX_NR * GEMM_KC] __attribute__((aligned(64)));
    int mr = j->k->gemm_mr, nr = j->k->gemm_nr;
    for (int p0 = 0; p0 < j->kdim; p0 += GEMM_KC) {
        int kc = j->kdim - p0 < GEMM_KC ? j->kdim - p0 : GEMM_KC;
        float beta = p0 == 0 ? j->beta : 1.0f;
        pack_b(j, p0, kc, j0, n, b_pack);
        pack_a(j, i0, m, p0, kc, a_pack);
        for (int c0 = 0; c0 < n; c0 += nr) {
            const float *bp = b_pack + (size_t)(c0 / nr) * nr * kc;
            for (int r0 = 0; r0 < m; r0 += mr) {
                const float *ap = a_pack + (size_t)(r0 / mr) * mr * kc;
                float *c = j->c + (size_t)(i0 + r0) * j->ldc + j0 + c0;
                j->k->gemm_micro(kc, ap, bp, c, j->ldc, j->alpha, beta,
                                 m - r0 < mr ? m - r0 : mr, n - c0 < nr ? n - c0 : nr);
            }
        }
    }
}

static void gemm_tasks(void *arg, int ith, int nth)
{
    const gemm_job *j = arg;
    int t0, t1;
    cnn_split_range(j->m_blocks * j->n_blocks, ith, nth, &t0, &t1);
    for (int t = t0; t < t1; t++) {
        int i0 = (t / j->n_blocks) * GEMM_MC, j0 = (t % j->n_blocks) * GEMM_NC;
        gemm_tile(j, i0, j->m - i0 < GEMM_MC ? j->m - i0 : GEMM_MC, j0,
                  j->n - j0 < GEMM_NC ? j->n - j0 : GEMM_NC);
    }
}

/* Few rows of C (a dense layer at batch 1): each element of B is used fewer
 * than GEMM_SMALL_M times, so packing it would cost more than it saves.
 * Threads split the columns; one thread sums each element in K order. */
#define GEMM_SMALL_M 4
/* Partial sums of a dot product: a multiple of any vector width, so the
 * compiler keeps them in vector registers. */
#define DOT_LANES 16
/* Columns of C per step (of the axpy form and of the dot products): a row
 * slice that stays in L1. */
#define AXPY_COLS 512

static float dot_f32(const float *a, size_t as, const float *b, int n)
{
    float acc[DOT_LANES] = { 0 };
    int p = 0;
    if (as == 1)
        for (; p + DOT_LANES <= n; p += DOT_LANES)
            for (int q = 0; q < DOT_LANES; q++)
                acc[q] += a[p + q] * b[p + q];
    for (; p < n; p++)
        acc[p % DOT_LANES] += a[p * as] * b[p];
    float sum = 0.0f;
    for (int q = 0; q < DOT_LANES; q++)
        sum += acc[q];
    return sum;
}

static void gemm_small_m(void *arg, int ith, int nth)
{
    const gemm_job *j = arg;
    int j0, j1;
    cnn_split_range(j->n, ith, nth, &j0, &j1);
    /* A[i, p] = a[i * ars + p * aps] */
    size_t ars = j->trans_a ? 1 : (size_t)j->lda, aps = j->trans_a ? (size_t)j->lda : 1;
    for (int i = 0; i < j->m; i++) {
        const float *a = j->a + i * ars;
        float *c = j->c + (size_t)i * j->ldc;
        if (j->trans_b) { /* B^T rows are contiguous: dot products */
            for (int c0 = j0; c0 < j1; c0 += AXPY_COLS) {
                int c1 = c0 + AXPY_COLS < j1 ? c0 + AXPY_COLS : j1;
                float dots[AXPY_COLS];
                const float *brow = j->b + (size_t)c0 * j->ldb;
                if (aps == 1)
                    j->k->gemm_dot_rows(a, brow, j->ldb, j->kdim, c1 - c0, dots);
                else
                    for (int col = c0; col < c1; col++)
                        dots[col - c0] = dot_f32(a, aps, brow + (size_t)(col - c0) * j->ldb,
                                                 j->kdim);
                for (int col = c0; col < c1; col++) {
                    float v = j->alpha * dots[col - c0];
                    c[col] = j->beta != 0.0f ? v + j->beta * c[col] : v;
                }
            }
            continue;
        }
        for (int c0 = j0; c0 < j1; c0 += AXPY_COLS) { /* rows of B: c += a[p] B[p, :] */
            int c1 = c0 + AXPY_COLS < j1 ? c0 + AXPY_COLS : j1;
            float acc[AXPY_COLS];
            for (int col = c0; col < c1; col++)
                acc[col - c0] = 0.0f;
            for (int p = 0; p < j->kdim; p++) {
                float av = a[p * aps];
                const float *brow = j->b + (size_t)p * j->ldb;
                for (int col = c0; col < c1; col++)
                    acc[col - c0] += av * brow[col];
            }
            for (int col = c0; col < c1; col++) {
                float v = j->alpha * acc[col - c0];
                c[col] = j->beta != 0.0f ? v + j->beta * c[col] : v;
            }
        }
    }
}

/* K = 0: C = beta * C. */
static void scale_c(float *c, int m, int n, int ldc, float beta)
{
    for (int i = 0; i < m; i++)
        for (int jj = 0; jj < n; jj++)
            c[(size_t)i * ldc + jj] = beta == 0.0f ? 0.0f : beta * c[(size_t)i * ldc + jj];
}

cnn_status cnn_gemm(cnn_context *ctx, int transA, int transB, int M, int N, int K, float alpha,
                    const float *A, int lda, const float *B, int ldb, float beta, float *C,
                    int ldc)
{
    if (M < 0 || N < 0 || K < 0)
        return cnn_fail(CNN_ERR_INVALID_ARG, "gemm: M=%d N=%d K=%d, must be >= 0", M, N, K);
    int a_cols = transA ? M : K, b_cols = transB ? K : N;
    if (lda < (a_cols > 1 ? a_cols : 1) || ldb < (b_cols > 1 ? b_cols : 1) ||
        ldc < (N > 1 ? N : 1))
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "gemm: leading dimensions lda=%d ldb=%d ldc=%d below the row lengths "
                        "%d, %d, %d",
                        lda, ldb, ldc, a_cols, b_cols, N);
    if (M == 0 || N == 0)
        return CNN_OK;
    if (K == 0) {
        scale_c(C, M, N, ldc, beta);
        return CNN_OK;
    }
    gemm_job j = {
        .k = cnn_context_kernels(ctx), .trans_a = transA, .trans_b = transB,
        .m = M, .n = N, .kdim = K, .alpha = alpha, .beta = beta,
        .a = A, .b = B, .c = C, .lda = lda, .ldb = ldb, .ldc = ldc,
        .m_blocks = (M + GEMM_MC - 1) / GEMM_MC, .n_blocks = (N + GEMM_NC - 1) / GEMM_NC,
    };
    cnn_threadpool_run(cnn_context_pool(ctx), M < GEMM_SMALL_M ? gemm_small_m : gemm_tasks, &j,
                       0);
    return CNN_OK;
}

void cnn_gemm_dot_rows_c(const float *a, const float *b, ptrdiff_t ldb, int k, int n,
                         float *out)
{
    for (int j = 0; j < n; j++)
        out[j] = dot_f32(a, 1, b + j * ldb, k);
}

void cnn_gemm_micro_c(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                      float alpha, float beta, int m, int n)
{
    float acc[C_MR][C_NR] = { { 0 } };
    for (int p = 0; p < kc; p++)
        for (int r = 0; r < C_MR; r++)
            for (int col = 0; col < C_NR; col++)
                acc[r][col] += a[p * C_MR + r] * b[p * C_NR + col];
    for (int r = 0; r < m; r++)
        for (int col = 0; col < n; col++) {
            float *out = c + r * ldc + col;
            *out = beta == 0.0f ? alpha * acc[r][col] : alpha * acc[r][col] + beta * *out;
        }
}

void cnn_gemm_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->gemm_micro = cnn_gemm_micro_c;
    k->gemm_dot_rows = cnn_gemm_dot_rows_c;
    k->gemm_mr = C_MR;
    k->gemm_nr = C_NR;
#if CNN_HAVE_X86
    cnn_gemm_init_x86(k, cpu_flags);
#endif
}
