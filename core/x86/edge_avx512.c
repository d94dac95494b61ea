/* AVX-512 (F, BW, DQ, VL) twins of the edge kernels: 32 pixels per step in
 * int16 for the 3x3 gradients and the vertical passes, 16 per step in int32
 * or float (with mask registers for the Canny suppression) for the rest. Borders and
 * tails go to the C reference on a sub-range, as in edge_avx2.c. */
#include <immintrin.h>

#include "kernels.h"

static inline void grad3_32(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int x,
                            __m512i side, __m512i centre, __m512i *gx, __m512i *gy)
{
#define LOAD32(p) _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(p)))
    __m512i a0 = LOAD32(r0 + x - 1), a1 = LOAD32(r0 + x), a2 = LOAD32(r0 + x + 1);
    __m512i b0 = LOAD32(r1 + x - 1), b2 = LOAD32(r1 + x + 1);
    __m512i c0 = LOAD32(r2 + x - 1), c1 = LOAD32(r2 + x), c2 = LOAD32(r2 + x + 1);
#undef LOAD32
    __m512i outer_x = _mm512_add_epi16(_mm512_sub_epi16(a2, a0), _mm512_sub_epi16(c2, c0));
    __m512i outer_y = _mm512_add_epi16(_mm512_sub_epi16(c0, a0), _mm512_sub_epi16(c2, a2));
    *gx = _mm512_add_epi16(_mm512_mullo_epi16(outer_x, side),
                           _mm512_mullo_epi16(_mm512_sub_epi16(b2, b0), centre));
    *gy = _mm512_add_epi16(_mm512_mullo_epi16(outer_y, side),
                           _mm512_mullo_epi16(_mm512_sub_epi16(c1, a1), centre));
}

void cnn_edge_grad3_s16_avx512(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                               int16_t *gx, int16_t *gy, int width, int side, int centre,
                               int left, int right)
{
    if (width < 34) {
        cnn_edge_grad3_s16_c(r0, r1, r2, gx, gy, width, side, centre, left, right);
        return;
    }
    cnn_edge_grad3_s16_c(r0, r1, r2, gx, gy, 1, side, centre, left, 1);
    __m512i vs = _mm512_set1_epi16((int16_t)side), vc = _mm512_set1_epi16((int16_t)centre);
    int x = 1;
    for (;; x += 32) {
        /* the last step overlaps the previous one: the same values again */
        if (x + 33 > width) {
            if (x == width - 1)
                break;
            x = width - 33;
        }
        __m512i x16, y16;
        grad3_32(r0, r1, r2, x, vs, vc, &x16, &y16);
        _mm512_storeu_si512(gx + x, x16);
        _mm512_storeu_si512(gy + x, y16);
    }
    cnn_edge_grad3_s16_c(r0 + x, r1 + x, r2 + x, gx + x, gy + x, width - x, side, centre, -1,
                         right - x);
}

void cnn_edge_mag3_u8_avx512(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                             uint8_t *dst, int width, int side, int centre, int left,
                             int right, int l2)
{
    if (width < 34) {
        cnn_edge_mag3_u8_c(r0, r1, r2, dst, width, side, centre, left, right, l2);
        return;
    }
    cnn_edge_mag3_u8_c(r0, r1, r2, dst, 1, side, centre, left, 1, l2);
    __m512i vs = _mm512_set1_epi16((int16_t)side), vc = _mm512_set1_epi16((int16_t)centre);
    const __m512i max8 = _mm512_set1_epi16(255), sat2 = _mm512_set1_epi32(65280);
    int x = 1;
    for (;; x += 32) {
        /* the last step overlaps the previous one: the same values again */
        if (x + 33 > width) {
            if (x == width - 1)
                break;
            x = width - 33;
        }
        __m512i gx, gy, m;
        grad3_32(r0, r1, r2, x, vs, vc, &gx, &gy);
        if (l2) {
            __m512i lo = _mm512_unpacklo_epi16(gx, gy), hi = _mm512_unpackhi_epi16(gx, gy);
            lo = _mm512_min_epi32(_mm512_madd_epi16(lo, lo), sat2);
            hi = _mm512_min_epi32(_mm512_madd_epi16(hi, hi), sat2);
            lo = _mm512_cvtps_epi32(_mm512_sqrt_ps(_mm512_cvtepi32_ps(lo)));
            hi = _mm512_cvtps_epi32(_mm512_sqrt_ps(_mm512_cvtepi32_ps(hi)));
            m = _mm512_min_epi16(_mm512_packus_epi32(lo, hi), max8);
        } else {
            m = _mm512_min_epu16(_mm512_adds_epu16(_mm512_abs_epi16(gx), _mm512_abs_epi16(gy)),
                                 max8);
        }
        _mm256_storeu_si256((__m256i *)(dst + x), _mm512_cvtepi16_epi8(m));
    }
    cnn_edge_mag3_u8_c(r0 + x, r1 + x, r2 + x, dst + x, width - x, side, centre, -1,
                       right - x, l2);
}

void cnn_edge_canny_mag_avx512(const int16_t *gx, const int16_t *gy, int32_t *mag, int n,
                               int l2)
{
    int x = 0;
    for (; x + 16 <= n; x += 16) {
        __m512i a = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(gx + x)));
        __m512i b = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(gy + x)));
        __m512i m = l2 ? _mm512_add_epi32(_mm512_mullo_epi32(a, a), _mm512_mullo_epi32(b, b))
                       : _mm512_add_epi32(_mm512_abs_epi32(a), _mm512_abs_epi32(b));
        _mm512_storeu_si512(mag + x, m);
    }
    cnn_edge_canny_mag_c(gx + x, gy + x, mag + x, n - x, l2);
}

#define LOAD(p) _mm512_loadu_si512(p)

void cnn_edge_canny_nms_avx512(const int32_t *mag_p, const int32_t *mag_a,
                               const int32_t *mag_n, const int16_t *gx, const int16_t *gy,
                               uint8_t *map, int width, int32_t low, int32_t high)
{
    const __m512i vlow = _mm512_set1_epi32(low), vhigh = _mm512_set1_epi32(high);
    const __m512i tg22 = _mm512_set1_epi32(13573);
    const __m128i none = _mm_set1_epi8(1), weak_v = _mm_setzero_si128(),
                  edge = _mm_set1_epi8(2);
    int x = 0;
    for (; x + 16 <= width; x += 16) {
        __m512i m = LOAD(mag_a + x);
        __mmask16 weak = _mm512_cmpgt_epi32_mask(m, vlow);
        if (!weak) {
            _mm_storeu_si128((__m128i *)(map + x), none);
            continue;
        }
        __m512i sx = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(gx + x)));
        __m512i sy = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(gy + x)));
        __m512i ax = _mm512_abs_epi32(sx), ay = _mm512_slli_epi32(_mm512_abs_epi32(sy), 15);
        __m512i tg22x = _mm512_mullo_epi32(ax, tg22);
        __m512i tg67x = _mm512_add_epi32(tg22x, _mm512_slli_epi32(ax, 16));
        __mmask16 horiz = _mm512_cmpgt_epi32_mask(tg22x, ay);
        __mmask16 vert = _mm512_cmpgt_epi32_mask(ay, tg67x);
        __mmask16 neg = _mm512_movepi32_mask(_mm512_xor_si512(sx, sy));
        __mmask16 keep_h = _mm512_mask_cmpge_epi32_mask(
            _mm512_cmpgt_epi32_mask(m, LOAD(mag_a + x - 1)), m, LOAD(mag_a + x + 1));
        __mmask16 keep_v = _mm512_mask_cmpge_epi32_mask(
            _mm512_cmpgt_epi32_mask(m, LOAD(mag_p + x)), m, LOAD(mag_n + x));
        __mmask16 keep_pos = _mm512_mask_cmpgt_epi32_mask(
            _mm512_cmpgt_epi32_mask(m, LOAD(mag_p + x - 1)), m, LOAD(mag_n + x + 1));
        __mmask16 keep_neg = _mm512_mask_cmpgt_epi32_mask(
            _mm512_cmpgt_epi32_mask(m, LOAD(mag_p + x + 1)), m, LOAD(mag_n + x - 1));
        __mmask16 diag = (__mmask16)~(horiz | vert);
        __mmask16 keep = (horiz & keep_h) | (vert & keep_v) |
                         (diag & ((neg & keep_neg) | (~neg & keep_pos)));
        weak &= keep;
        __mmask16 strong = _mm512_mask_cmpgt_epi32_mask(weak, m, vhigh);
        __m128i v = _mm_mask_blend_epi8(weak, none, weak_v);
        v = _mm_mask_blend_epi8(strong, v, edge);
        _mm_storeu_si128((__m128i *)(map + x), v);
    }
    cnn_edge_canny_nms_c(mag_p + x, mag_a + x, mag_n + x, gx + x, gy + x, map + x, width - x,
                         low, high);
}

/* Symmetric taps as in edge_avx2.c: one multiply per pair of rows or
 * columns; 32 pixels per step in int16 (vertical), 16 in int32. */
void cnn_edge_vpass_s32_avx512(const uint8_t *const *rows, const int *smooth,
                               const int *deriv, int n, int32_t *vs, int32_t *vd, int width)
{
    int r = n / 2, x = 0;
    for (; x + 32 <= width; x += 32) {
#define LOAD32(p) _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(p)))
        __m512i s = _mm512_mullo_epi16(LOAD32(rows[r] + x), _mm512_set1_epi16((int16_t)smooth[r]));
        __m512i d = _mm512_setzero_si512();
        for (int i = 0; i < r; i++) {
            __m512i a = LOAD32(rows[i] + x), b = LOAD32(rows[n - 1 - i] + x);
            s = _mm512_add_epi16(s, _mm512_mullo_epi16(_mm512_add_epi16(a, b),
                                                       _mm512_set1_epi16((int16_t)smooth[i])));
            d = _mm512_add_epi16(d, _mm512_mullo_epi16(_mm512_sub_epi16(a, b),
                                                       _mm512_set1_epi16((int16_t)deriv[i])));
        }
#undef LOAD32
        _mm512_storeu_si512(vs + x, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(s)));
        _mm512_storeu_si512(vs + x + 16, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(s, 1)));
        _mm512_storeu_si512(vd + x, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(d)));
        _mm512_storeu_si512(vd + x + 16, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(d, 1)));
    }
    const uint8_t *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_vpass_s32_c(tail, smooth, deriv, n, vs + x, vd + x, width - x);
}

void cnn_edge_hpass_s32_avx512(const int32_t *vs, const int32_t *vd, const int *smooth,
                               const int *deriv, int n, int32_t *gx, int32_t *gy, int width)
{
    int r = n / 2, x = 0;
    for (; x + 16 <= width; x += 16) {
        __m512i sx = _mm512_setzero_si512();
        __m512i sy = _mm512_mullo_epi32(LOAD(vd + x), _mm512_set1_epi32(smooth[r]));
        for (int j = 0; j < r; j++) {
            __m512i dl = LOAD(vs + x + j - r), dr = LOAD(vs + x + r - j);
            __m512i sl = LOAD(vd + x + j - r), sr = LOAD(vd + x + r - j);
            sx = _mm512_add_epi32(sx, _mm512_mullo_epi32(_mm512_sub_epi32(dl, dr),
                                                         _mm512_set1_epi32(deriv[j])));
            sy = _mm512_add_epi32(sy, _mm512_mullo_epi32(_mm512_add_epi32(sl, sr),
                                                         _mm512_set1_epi32(smooth[j])));
        }
        _mm512_storeu_si512(gx + x, sx);
        _mm512_storeu_si512(gy + x, sy);
    }
    cnn_edge_hpass_s32_c(vs + x, vd + x, smooth, deriv, n, gx + x, gy + x, width - x);
}

/* Blur passes as in edge_avx2.c: 32 pixels per step in uint16 (vertical),
 * 16 in uint32 (horizontal). */
void cnn_edge_blur_vpass_avx512(const uint8_t *const *rows, const uint16_t *taps, int n,
                                uint16_t *t, int width)
{
    int r = n / 2, x = 0;
    for (; x + 32 <= width; x += 32) {
#define LOAD32(p) _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(p)))
        __m512i s = _mm512_mullo_epi16(LOAD32(rows[r] + x), _mm512_set1_epi16((int16_t)taps[r]));
        for (int i = 0; i < r; i++) {
            __m512i pair = _mm512_add_epi16(LOAD32(rows[i] + x), LOAD32(rows[n - 1 - i] + x));
            s = _mm512_add_epi16(s, _mm512_mullo_epi16(pair, _mm512_set1_epi16((int16_t)taps[i])));
        }
#undef LOAD32
        _mm512_storeu_si512(t + x, s);
    }
    if (x < width) {
        const uint8_t *tail[256];
        for (int i = 0; i < n; i++)
            tail[i] = rows[i] + x;
        cnn_edge_blur_vpass_c(tail, taps, n, t + x, width - x);
    }
}

void cnn_edge_blur_hpass_avx512(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                                uint32_t *acc, int width)
{
    int r = n / 2, x = 0;
    const __m512i half = _mm512_set1_epi32(32768);
    for (; x + 16 <= width; x += 16) {
#define LOAD16(p) _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(p)))
        __m512i s = _mm512_mullo_epi32(LOAD16(t + x), _mm512_set1_epi32(taps[r]));
        s = _mm512_add_epi32(s, half);
        for (int j = 0; j < r; j++) {
            __m512i pair = _mm512_add_epi32(LOAD16(t + x + j - r), LOAD16(t + x + r - j));
            s = _mm512_add_epi32(s, _mm512_mullo_epi32(pair, _mm512_set1_epi32(taps[j])));
        }
#undef LOAD16
        _mm_storeu_si128((__m128i *)(dst + x), _mm512_cvtepi32_epi8(_mm512_srli_epi32(s, 16)));
    }
    cnn_edge_blur_hpass_c(t + x, taps, n, dst + x, acc, width - x);
}

/* Float passes: the C reference's sums in its order, 16 pixels per step. */
void cnn_edge_vpass_f32_avx512(const float *const *rows, const int *smooth, const int *deriv,
                               int n, float *vs, float *vd, int width)
{
    int x = 0;
    for (; x + 16 <= width; x += 16) {
        __m512 r0 = _mm512_loadu_ps(rows[0] + x);
        __m512 s = _mm512_mul_ps(_mm512_set1_ps((float)smooth[0]), r0);
        __m512 d = _mm512_mul_ps(_mm512_set1_ps((float)deriv[0]), r0);
        for (int i = 1; i < n; i++) {
            __m512 r = _mm512_loadu_ps(rows[i] + x);
            s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps((float)smooth[i]), r));
            d = _mm512_add_ps(d, _mm512_mul_ps(_mm512_set1_ps((float)deriv[i]), r));
        }
        _mm512_storeu_ps(vs + x, s);
        _mm512_storeu_ps(vd + x, d);
    }
    const float *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_vpass_f32_c(tail, smooth, deriv, n, vs + x, vd + x, width - x);
}

void cnn_edge_hpass_f32_avx512(const float *vs, const float *vd, const int *smooth,
                               const int *deriv, int n, float *gx, float *gy, int width)
{
    int r = n / 2, x = 0;
    for (; x + 16 <= width; x += 16) {
        __m512 sx = _mm512_mul_ps(_mm512_set1_ps((float)deriv[0]), _mm512_loadu_ps(vs + x - r));
        __m512 sy = _mm512_mul_ps(_mm512_set1_ps((float)smooth[0]), _mm512_loadu_ps(vd + x - r));
        for (int j = 1; j < n; j++) {
            sx = _mm512_add_ps(sx, _mm512_mul_ps(_mm512_set1_ps((float)deriv[j]),
                                                 _mm512_loadu_ps(vs + x + j - r)));
            sy = _mm512_add_ps(sy, _mm512_mul_ps(_mm512_set1_ps((float)smooth[j]),
                                                 _mm512_loadu_ps(vd + x + j - r)));
        }
        _mm512_storeu_ps(gx + x, sx);
        _mm512_storeu_ps(gy + x, sy);
    }
    cnn_edge_hpass_f32_c(vs + x, vd + x, smooth, deriv, n, gx + x, gy + x, width - x);
}

#define LOADF(p) _mm512_loadu_ps(p)
#define GT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define GT_IN(k, a, b) _mm512_mask_cmp_ps_mask((k), (a), (b), _CMP_GT_OQ)

void cnn_edge_canny_nms_f32_avx512(const float *mag_p, const float *mag_a, const float *mag_n,
                                   const float *gx, const float *gy, uint8_t *map, int width,
                                   float low, float high)
{
    const float tg22 = 13573.0f / 32768.0f;
    const __m512 vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    const __m512 t22 = _mm512_set1_ps(tg22), t67 = _mm512_set1_ps(tg22 + 2.0f);
    const __m512 zero = _mm512_setzero_ps();
    const __m128i none = _mm_set1_epi8(1), weak_v = _mm_setzero_si128(),
                  edge = _mm_set1_epi8(2);
    int x = 0;
    for (; x + 16 <= width; x += 16) {
        __m512 m = LOADF(mag_a + x);
        __mmask16 weak = GT(m, vlow);
        if (!weak) {
            _mm_storeu_si128((__m128i *)(map + x), none);
            continue;
        }
        __m512 sx = LOADF(gx + x), sy = LOADF(gy + x);
        __m512 ax = _mm512_abs_ps(sx), ay = _mm512_abs_ps(sy);
        __mmask16 horiz = _mm512_cmp_ps_mask(ay, _mm512_mul_ps(ax, t22), _CMP_LT_OQ);
        __mmask16 vert = (__mmask16)(GT(ay, _mm512_mul_ps(ax, t67)) & ~horiz);
        __mmask16 keep_h = _mm512_mask_cmp_ps_mask(GT(m, LOADF(mag_a + x - 1)), m,
                                                   LOADF(mag_a + x + 1), _CMP_GE_OQ);
        __mmask16 keep_v = _mm512_mask_cmp_ps_mask(GT(m, LOADF(mag_p + x)), m,
                                                   LOADF(mag_n + x), _CMP_GE_OQ);
        __mmask16 keep_pos = GT_IN(GT(m, LOADF(mag_p + x - 1)), m, LOADF(mag_n + x + 1));
        __mmask16 keep_neg = GT_IN(GT(m, LOADF(mag_p + x + 1)), m, LOADF(mag_n + x - 1));
        __mmask16 neg = (__mmask16)(_mm512_cmp_ps_mask(sx, zero, _CMP_LT_OQ) ^
                                    _mm512_cmp_ps_mask(sy, zero, _CMP_LT_OQ));
        __mmask16 diag = (__mmask16)~(horiz | vert);
        __mmask16 keep = (horiz & keep_h) | (vert & keep_v) |
                         (diag & ((neg & keep_neg) | (~neg & keep_pos)));
        weak &= keep;
        __mmask16 strong = GT_IN(weak, m, vhigh);
        __m128i v = _mm_mask_blend_epi8(weak, none, weak_v);
        v = _mm_mask_blend_epi8(strong, v, edge);
        _mm_storeu_si128((__m128i *)(map + x), v);
    }
    cnn_edge_canny_nms_f32_c(mag_p + x, mag_a + x, mag_n + x, gx + x, gy + x, map + x,
                             width - x, low, high);
}

/* Laplacian passes in int16, 32 pixels per step, zero taps skipped. */
void cnn_edge_lap_vpass_s16_avx512(const uint8_t *const *rows, const int16_t *v1,
                                   const int16_t *v2, int n, int16_t *a, int16_t *b, int width)
{
    int x = 0;
    for (; x + 32 <= width; x += 32) {
        __m512i sa = _mm512_setzero_si512(), sb = _mm512_setzero_si512();
        for (int i = 0; i < n; i++) {
            __m512i v = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(rows[i] + x)));
            if (v1[i])
                sa = _mm512_add_epi16(sa, _mm512_mullo_epi16(v, _mm512_set1_epi16(v1[i])));
            if (v2[i])
                sb = _mm512_add_epi16(sb, _mm512_mullo_epi16(v, _mm512_set1_epi16(v2[i])));
        }
        _mm512_storeu_si512(a + x, sa);
        _mm512_storeu_si512(b + x, sb);
    }
    const uint8_t *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_lap_vpass_s16_c(tail, v1, v2, n, a + x, b + x, width - x);
}

void cnn_edge_lap_hpass_u8_avx512(const int16_t *a, const int16_t *b, const int16_t *h1,
                                  const int16_t *h2, int n, uint8_t *dst, int width)
{
    int r = n / 2, x = 0;
    const __m512i max8 = _mm512_set1_epi16(255);
    for (; x + 32 <= width; x += 32) {
        __m512i s = _mm512_setzero_si512();
        for (int j = 0; j < n; j++) {
            if (h1[j])
                s = _mm512_add_epi16(s, _mm512_mullo_epi16(_mm512_loadu_si512(a + x + j - r),
                                                           _mm512_set1_epi16(h1[j])));
            if (h2[j])
                s = _mm512_add_epi16(s, _mm512_mullo_epi16(_mm512_loadu_si512(b + x + j - r),
                                                           _mm512_set1_epi16(h2[j])));
        }
        s = _mm512_min_epi16(_mm512_abs_epi16(s), max8);
        _mm256_storeu_si256((__m256i *)(dst + x), _mm512_cvtepi16_epi8(s));
    }
    cnn_edge_lap_hpass_u8_c(a + x, b + x, h1, h2, n, dst + x, width - x);
}
