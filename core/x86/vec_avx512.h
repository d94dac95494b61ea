/* 16-lane float and int32 vector operations (AVX-512 F/BW/DQ/VL) under the
 * names the shared x86 kernel templates use; see vec_avx2.h. */
#ifndef CNN_VEC_AVX512_H
#define CNN_VEC_AVX512_H

#include <immintrin.h>

#define VEC __m512
#define VECI __m512i
#define VLEN 16
#define ISA_NAME(name) name##_avx512

#define vec_zero() _mm512_setzero_ps()
#define vec_set1(x) _mm512_set1_ps(x)
#define vec_bcast(p) _mm512_set1_ps(*(p))
#define vec_loadu(p) _mm512_loadu_ps(p)
#define vec_storeu(p, v) _mm512_storeu_ps(p, v)
#define vec_add(a, b) _mm512_add_ps(a, b)
#define vec_sub(a, b) _mm512_sub_ps(a, b)
#define vec_mul(a, b) _mm512_mul_ps(a, b)
#define vec_fmadd(a, b, c) _mm512_fmadd_ps(a, b, c)
#define vec_hsum(v) _mm512_reduce_add_ps(v)

#define veci_set1(x) _mm512_set1_epi32((int)(x))
#define veci_add(a, b) _mm512_add_epi32(a, b)
#define veci_xor(a, b) _mm512_xor_si512(a, b)
#define veci_mul_even(a, b) _mm512_mul_epu32(a, b)
#define veci_srli64(a, n) _mm512_srli_epi64(a, n)
#define veci_slli64(a, n) _mm512_slli_epi64(a, n)
#define veci_blend_odd(a, b) _mm512_mask_blend_epi32(0xAAAA, a, b)
#define veci_unpacklo32(a, b) _mm512_unpacklo_epi32(a, b)
#define veci_unpackhi32(a, b) _mm512_unpackhi_epi32(a, b)
#define veci_unpacklo64(a, b) _mm512_unpacklo_epi64(a, b)
#define veci_unpackhi64(a, b) _mm512_unpackhi_epi64(a, b)

#endif
