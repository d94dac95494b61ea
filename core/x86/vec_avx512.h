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
/* b when either is NaN (maxps/minps) */
#define vec_max(a, b) _mm512_max_ps(a, b)
#define vec_min(a, b) _mm512_min_ps(a, b)
/* lane masks: the first n lanes (1..VLEN) */
#define MASK __mmask16
#define vec_mask(n) ((__mmask16)((1u << (n)) - 1))
#define vec_load_mask(p, m) _mm512_maskz_loadu_ps(m, p)
#define vec_store_mask(p, m, v) _mm512_mask_storeu_ps(p, m, v)
/* lanes where v is NaN, none, either; a where m is set, else b */
#define vec_nan_mask(v) _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q)
#define mask_none() ((__mmask16)0)
#define mask_or(a, b) ((__mmask16)((a) | (b)))
#define vec_select_mask(m, a, b) _mm512_mask_mov_ps(b, m, a)
#define vec_div(a, b) _mm512_div_ps(a, b)

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
#define VECI_IOTA _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define veci_to_float(a) _mm512_cvtepi32_ps(a)
#define vec_trunc_int(a) _mm512_cvttps_epi32(a)
#define veci_bcast128(a) _mm512_broadcast_i32x4(a)
#define veci_shuffle8(a, b) _mm512_shuffle_epi8(a, b)
#define veci_or(a, b) _mm512_or_si512(a, b)
#define veci_madd16(a, b) _mm512_madd_epi16(a, b)
#define veci_sub(a, b) _mm512_sub_epi32(a, b)
#define veci_mullo(a, b) _mm512_mullo_epi32(a, b)
#define veci_slli(a, n) _mm512_slli_epi32(a, n)
#define veci_srai(a, n) _mm512_srai_epi32(a, n)
#define veci_packus32(a, b) _mm512_packus_epi32(a, b)
#define veci_packus16(a, b) _mm512_packus_epi16(a, b)
#define veci_zero() _mm512_setzero_si512()
/* 32-bit words at byte offsets off from p */
#define veci_gather_bytes(p, off) _mm512_i32gather_epi32(off, p, 1)
/* 8 doubles: the low and high int32 halves, the float vector of two */
#define VECD __m512d
#define vecd_set1(x) _mm512_set1_pd(x)
#define vecd_add(a, b) _mm512_add_pd(a, b)
#define vecd_mul(a, b) _mm512_mul_pd(a, b)
#define vecd_from_int_lo(a) _mm512_cvtepi32_pd(_mm512_castsi512_si256(a))
#define vecd_from_int_hi(a) _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(a, 1))
#define vec_from_doubles(lo, hi)                                                        \
    _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1)

/* 64 bytes as unsigned 8-bit or 16-bit lanes (the pooling template) */
#define VLEN8 64
#define veci_loadu8(p) _mm512_loadu_si512(p)
#define veci_storeu8(p, v) _mm512_storeu_si512(p, v)
#define veci_set1_8(x) _mm512_set1_epi8((char)(x))
#define veci_set1_16(x) _mm512_set1_epi16((short)(x))
#define veci_and(a, b) _mm512_and_si512(a, b)
#define veci_max_u8(a, b) _mm512_max_epu8(a, b)
#define veci_min_u8(a, b) _mm512_min_epu8(a, b)
#define veci_max_i16(a, b) _mm512_max_epi16(a, b)
#define veci_min_i16(a, b) _mm512_min_epi16(a, b)
#define veci_min_u16(a, b) _mm512_min_epu16(a, b)
#define veci_add16(a, b) _mm512_add_epi16(a, b)
#define veci_sub16(a, b) _mm512_sub_epi16(a, b)
#define veci_mulhi_u16(a, b) _mm512_mulhi_epu16(a, b)
#define veci_srli16(a, n) _mm512_srli_epi16(a, n)
#define veci_srl16(a, n) _mm512_srl_epi16(a, n)
#define veci_unpacklo8(a, b) _mm512_unpacklo_epi8(a, b)
#define veci_unpackhi8(a, b) _mm512_unpackhi_epi8(a, b)
#define veci_maddubs16(a, b) _mm512_maddubs_epi16(a, b)
#define veci_packus16_in_order(a, b)                                                    \
    _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7),                 \
                             _mm512_packus_epi16(a, b))

#endif
