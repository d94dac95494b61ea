/* The GEMM micro-kernel, shared by the AVX2 and AVX-512 files, which define
 * MR and NR (a multiple of VLEN) after including vec_<isa>.h: an MR x NR
 * tile of C held in MR * NR / VLEN registers, one broadcast of A and
 * NR / VLEN loads of B per k. Partial tiles go through a buffer. Also the
 * dot products of one row of A with rows of B (batch-1 dense layers). */
#include "kernels.h"

#define NV (NR / VLEN)

void ISA_NAME(cnn_gemm_micro)(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                              float alpha, float beta, int m, int n)
{
    VEC acc[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            acc[r][v] = vec_zero();
    for (int p = 0; p < kc; p++, a += MR, b += NR) {
        VEC bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            bv[v] = vec_loadu(b + v * VLEN);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            VEC av = vec_bcast(a + r);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                acc[r][v] = vec_fmadd(av, bv[v], acc[r][v]);
        }
    }
    VEC va = vec_set1(alpha), vb = vec_set1(beta);
    if (m == MR && n == NR) {
        for (int r = 0; r < MR; r++)
            for (int v = 0; v < NV; v++) {
                float *out = c + r * ldc + v * VLEN;
                VEC y = vec_mul(acc[r][v], va);
                vec_storeu(out, beta != 0.0f ? vec_fmadd(vec_loadu(out), vb, y) : y);
            }
        return;
    }
    float tile[MR][NR];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            vec_storeu(&tile[r][v * VLEN], vec_mul(acc[r][v], va));
    for (int r = 0; r < m; r++)
        for (int col = 0; col < n; col++) {
            float *out = c + r * ldc + col;
            *out = beta != 0.0f ? tile[r][col] + beta * *out : tile[r][col];
        }
}

/* Dot products of a with DOT_ROWS rows of b at once: a's vectors load once
 * for every row, two accumulators per row hide the FMA latency. */
#define DOT_ROWS 4

static inline void dot_rows_block(const float *a, const float *b, ptrdiff_t ldb, int k,
                                  int rows, float *out)
{
    VEC acc[DOT_ROWS][2];
    for (int r = 0; r < DOT_ROWS; r++)
        acc[r][0] = acc[r][1] = vec_zero();
    int p = 0;
    for (; p + 2 * VLEN <= k; p += 2 * VLEN) {
        VEC a0 = vec_loadu(a + p), a1 = vec_loadu(a + p + VLEN);
#pragma GCC unroll 4
        for (int r = 0; r < DOT_ROWS; r++)
            if (r < rows) {
                acc[r][0] = vec_fmadd(a0, vec_loadu(b + r * ldb + p), acc[r][0]);
                acc[r][1] = vec_fmadd(a1, vec_loadu(b + r * ldb + p + VLEN), acc[r][1]);
            }
    }
    for (; p < k; p += VLEN) { /* the last 1..2 vectors, the final one masked */
        MASK m = vec_mask(k - p < VLEN ? k - p : VLEN);
        VEC av = vec_load_mask(a + p, m);
#pragma GCC unroll 4
        for (int r = 0; r < DOT_ROWS; r++)
            if (r < rows)
                acc[r][0] = vec_fmadd(av, vec_load_mask(b + r * ldb + p, m), acc[r][0]);
    }
    for (int r = 0; r < rows; r++)
        out[r] = vec_hsum(vec_add(acc[r][0], acc[r][1]));
}

void ISA_NAME(cnn_gemm_dot_rows)(const float *a, const float *b, ptrdiff_t ldb, int k, int n,
                                 float *out)
{
    int j = 0;
    for (; j + DOT_ROWS <= n; j += DOT_ROWS)
        dot_rows_block(a, b + j * ldb, ldb, k, DOT_ROWS, out + j);
    if (j < n)
        dot_rows_block(a, b + j * ldb, ldb, k, n - j, out + j);
}
