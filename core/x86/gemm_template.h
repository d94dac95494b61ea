/* The GEMM micro-kernel, shared by the AVX2 and AVX-512 files, which define
 * MR and NR (a multiple of VLEN) after including vec_<isa>.h: an MR x NR
 * tile of C held in MR * NR / VLEN registers, one broadcast of A and
 * NR / VLEN loads of B per k. Partial tiles go through a buffer. */
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
