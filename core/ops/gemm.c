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

/* op(A)[i0 + r, p0 + p] for r < m, p < kc into mr-row panels, zero padded. */
static void pack_a(const gemm_job *j, int i0, int m, int p0, int kc, float *dst)
{
    int mr = j->k->gemm_mr;
    for (int r0 = 0; r0 < m; r0 += mr, dst += (size_t)mr * kc) {
        int rows = m - r0 < mr ? m - r0 : mr;
        for (int p = 0; p < kc; p++) {
            float *col = dst + (size_t)p * mr;
            for (int r = 0; r < rows; r++) {
                size_t i = (size_t)(i0 + r0 + r), kk = (size_t)(p0 + p);
                col[r] = j->trans_a ? j->a[kk * j->lda + i] : j->a[i * j->lda + kk];
            }
            for (int r = rows; r < mr; r++)
                col[r] = 0.0f;
        }
    }
}

/* op(B)[p0 + p, j0 + c] for p < kc, c < n into nr-column panels. */
static void pack_b(const gemm_job *j, int p0, int kc, int j0, int n, float *dst)
{
    int nr = j->k->gemm_nr;
    for (int c0 = 0; c0 < n; c0 += nr, dst += (size_t)nr * kc) {
        int cols = n - c0 < nr ? n - c0 : nr;
        for (int p = 0; p < kc; p++) {
            float *row = dst + (size_t)p * nr;
            size_t kk = (size_t)(p0 + p);
            if (!j->trans_b) {
                memcpy(row, j->b + kk * j->ldb + j0 + c0, (size_t)cols * sizeof *row);
            } else {
                for (int c = 0; c < cols; c++)
                    row[c] = j->b[(size_t)(j0 + c0 + c) * j->ldb + kk];
            }
            for (int c = cols; c < nr; c++)
                row[c] = 0.0f;
        }
    }
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
    cnn_threadpool_run(cnn_context_pool(ctx), gemm_tasks, &j, 0);
    return CNN_OK;
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
    k->gemm_mr = C_MR;
    k->gemm_nr = C_NR;
#if CNN_HAVE_X86
    cnn_gemm_init_x86(k, cpu_flags);
#endif
}
