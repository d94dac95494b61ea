/* 8-lane float and int32 vector operations (AVX2 + FMA) under the names the
 * shared x86 kernel templates use; vec_avx512.h is its 16-lane twin. */
#ifndef CNN_VEC_AVX2_H
#define CNN_VEC_AVX2_H

#include <immintrin.h>

#define VEC __m256
#define VECI __m256i
#define VLEN 8
#define ISA_NAME(name) name##_avx2

#define vec_zero() _mm256_setzero_ps()
#define vec_set1(x) _mm256_set1_ps(x)
#define vec_bcast(p) _mm256_broadcast_ss(p)
#define vec_loadu(p) _mm256_loadu_ps(p)
#define vec_storeu(p, v) _mm256_storeu_ps(p, v)
#define vec_add(a, b) _mm256_add_ps(a, b)
#define vec_sub(a, b) _mm256_sub_ps(a, b)
#define vec_mul(a, b) _mm256_mul_ps(a, b)
#define vec_fmadd(a, b, c) _mm256_fmadd_ps(a, b, c)
/* b when either is NaN (maxps/minps) */
#define vec_max(a, b) _mm256_max_ps(a, b)
#define vec_min(a, b) _mm256_min_ps(a, b)
/* lane masks: the first n lanes (1..VLEN) */
#define MASK __m256i
#define vec_mask(n) \
    _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define vec_load_mask(p, m) _mm256_maskload_ps(p, m)
#define vec_store_mask(p, m, v) _mm256_maskstore_ps(p, m, v)
/* lanes where v is NaN, none, either; a where m is set, else b */
#define vec_nan_mask(v) _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))
#define mask_none() _mm256_setzero_si256()
#define mask_or(a, b) \
    _mm256_castps_si256(_mm256_or_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b)))
#define vec_select_mask(m, a, b) _mm256_blendv_ps(b, a, _mm256_castsi256_ps(m))
#define vec_div(a, b) _mm256_div_ps(a, b)

#define veci_set1(x) _mm256_set1_epi32((int)(x))
#define veci_add(a, b) _mm256_add_epi32(a, b)
#define veci_xor(a, b) _mm256_xor_si256(a, b)
/* 64-bit products of the even 32-bit lanes */
#define veci_mul_even(a, b) _mm256_mul_epu32(a, b)
#define veci_srli64(a, n) _mm256_srli_epi64(a, n)
#define veci_slli64(a, n) _mm256_slli_epi64(a, n)
/* even lanes from a, odd lanes from b */
#define veci_blend_odd(a, b) _mm256_blend_epi32(a, b, 0xAA)
#define veci_unpacklo32(a, b) _mm256_unpacklo_epi32(a, b)
#define veci_unpackhi32(a, b) _mm256_unpackhi_epi32(a, b)
#define veci_unpacklo64(a, b) _mm256_unpacklo_epi64(a, b)
#define veci_unpackhi64(a, b) _mm256_unpackhi_epi64(a, b)
#define VECI_IOTA _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)
#define veci_to_float(a) _mm256_cvtepi32_ps(a)
#define vec_trunc_int(a) _mm256_cvttps_epi32(a)
#define veci_bcast128(a) _mm256_broadcastsi128_si256(a)
#define veci_shuffle8(a, b) _mm256_shuffle_epi8(a, b)
#define veci_or(a, b) _mm256_or_si256(a, b)
#define veci_madd16(a, b) _mm256_madd_epi16(a, b)
#define veci_sub(a, b) _mm256_sub_epi32(a, b)
#define veci_mullo(a, b) _mm256_mullo_epi32(a, b)
#define veci_slli(a, n) _mm256_slli_epi32(a, n)
#define veci_srai(a, n) _mm256_srai_epi32(a, n)
#define veci_packus32(a, b) _mm256_packus_epi32(a, b)
#define veci_packus16(a, b) _mm256_packus_epi16(a, b)
#define veci_zero() _mm256_setzero_si256()
/* 32-bit words at byte offsets off from p */
#define veci_gather_bytes(p, off) _mm256_i32gather_epi32((const int *)(p), off, 1)
/* 4 doubles: the low and high int32 halves, the float vector of two */
#define VECD __m256d
#define vecd_set1(x) _mm256_set1_pd(x)
#define vecd_add(a, b) _mm256_add_pd(a, b)
#define vecd_mul(a, b) _mm256_mul_pd(a, b)
#define vecd_from_int_lo(a) _mm256_cvtepi32_pd(_mm256_castsi256_si128(a))
#define vecd_from_int_hi(a) _mm256_cvtepi32_pd(_mm256_extracti128_si256(a, 1))
#define vec_from_doubles(lo, hi) _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo))

static inline float vec_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* 32 bytes as unsigned 8-bit or 16-bit lanes (the pooling template) */
#define VLEN8 32
#define veci_loadu8(p) _mm256_loadu_si256((const __m256i *)(p))
#define veci_storeu8(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define veci_set1_8(x) _mm256_set1_epi8((char)(x))
#define veci_set1_16(x) _mm256_set1_epi16((short)(x))
#define veci_and(a, b) _mm256_and_si256(a, b)
#define veci_max_u8(a, b) _mm256_max_epu8(a, b)
#define veci_min_u8(a, b) _mm256_min_epu8(a, b)
#define veci_max_i16(a, b) _mm256_max_epi16(a, b)
#define veci_min_i16(a, b) _mm256_min_epi16(a, b)
#define veci_min_u16(a, b) _mm256_min_epu16(a, b)
#define veci_add16(a, b) _mm256_add_epi16(a, b)
#define veci_sub16(a, b) _mm256_sub_epi16(a, b)
#define veci_mulhi_u16(a, b) _mm256_mulhi_epu16(a, b)
#define veci_srli16(a, n) _mm256_srli_epi16(a, n)
/* shift by the count in the low 64 bits of a __m128i */
#define veci_srl16(a, n) _mm256_srl_epi16(a, n)
#define veci_unpacklo8(a, b) _mm256_unpacklo_epi8(a, b)
#define veci_unpackhi8(a, b) _mm256_unpackhi_epi8(a, b)
/* adjacent unsigned bytes of a times signed bytes of b, summed in pairs */
#define veci_maddubs16(a, b) _mm256_maddubs_epi16(a, b)
/* packus16 interleaves the 128-bit lanes of a and b; this keeps a then b */
#define veci_packus16_in_order(a, b) _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8)

#endif
