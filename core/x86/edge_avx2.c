/* AVX2 twins of the edge kernels: 16 pixels per step in int16 for the 3x3
 * gradients (|g| <= 16 * 255 fits) and the vertical passes, 8 per step in
 * int32 or float for the horizontal passes, the Canny magnitude and
 * suppression and the float-plane passes.
 * Columns 0 and width - 1 and the tails go to the C reference on a sub-range
 * (pointers offset, so its border columns are the real neighbours). */
#include <immintrin.h>

#include "kernels.h"

/* gx, gy of the 16 pixels at x of a [side centre side] x [-1 0 1] operator. */
static inline void grad3_16(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int x,
                            __m256i side, __m256i centre, __m256i *gx, __m256i *gy)
{
#define LOAD16(p) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p)))
    __m256i a0 = LOAD16(r0 + x - 1), a1 = LOAD16(r0 + x), a2 = LOAD16(r0 + x + 1);
    __m256i b0 = LOAD16(r1 + x - 1), b2 = LOAD16(r1 + x + 1);
    __m256i c0 = LOAD16(r2 + x - 1), c1 = LOAD16(r2 + x), c2 = LOAD16(r2 + x + 1);
#undef LOAD16
    __m256i outer_x = _mm256_add_epi16(_mm256_sub_epi16(a2, a0), _mm256_sub_epi16(c2, c0));
    __m256i outer_y = _mm256_add_epi16(_mm256_sub_epi16(c0, a0), _mm256_sub_epi16(c2, a2));
    *gx = _mm256_add_epi16(_mm256_mullo_epi16(outer_x, side),
                           _mm256_mullo_epi16(_mm256_sub_epi16(b2, b0), centre));
    *gy = _mm256_add_epi16(_mm256_mullo_epi16(outer_y, side),
                           _mm256_mullo_epi16(_mm256_sub_epi16(c1, a1), centre));
}

void cnn_edge_grad3_s16_avx2(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                             int16_t *gx, int16_t *gy, int width, int side, int centre,
                             int left, int right)
{
    if (width < 18) {
        cnn_edge_grad3_s16_c(r0, r1, r2, gx, gy, width, side, centre, left, right);
        return;
    }
    cnn_edge_grad3_s16_c(r0, r1, r2, gx, gy, 1, side, centre, left, 1);
    __m256i vs = _mm256_set1_epi16((int16_t)side), vc = _mm256_set1_epi16((int16_t)centre);
    int x = 1;
    for (; x + 17 <= width; x += 16) {
        __m256i x16, y16;
        grad3_16(r0, r1, r2, x, vs, vc, &x16, &y16);
        _mm256_storeu_si256((__m256i *)(gx + x), x16);
        _mm256_storeu_si256((__m256i *)(gy + x), y16);
    }
    cnn_edge_grad3_s16_c(r0 + x, r1 + x, r2 + x, gx + x, gy + x, width - x, side, centre, -1,
                         right - x);
}

void cnn_edge_mag3_u8_avx2(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                           uint8_t *dst, int width, int side, int centre, int left, int right,
                           int l2)
{
    if (width < 18) {
        cnn_edge_mag3_u8_c(r0, r1, r2, dst, width, side, centre, left, right, l2);
        return;
    }
    cnn_edge_mag3_u8_c(r0, r1, r2, dst, 1, side, centre, left, 1, l2);
    __m256i vs = _mm256_set1_epi16((int16_t)side), vc = _mm256_set1_epi16((int16_t)centre);
    const __m256i max8 = _mm256_set1_epi16(255), sat2 = _mm256_set1_epi32(65280);
    int x = 1;
    for (; x + 17 <= width; x += 16) {
        __m256i gx, gy, m;
        grad3_16(r0, r1, r2, x, vs, vc, &gx, &gy);
        if (l2) {
            /* gx^2 + gy^2 per pixel; unpack/pack keep the order per lane. */
            __m256i lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(gx, gy),
                                           _mm256_unpacklo_epi16(gx, gy));
            __m256i hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(gx, gy),
                                           _mm256_unpackhi_epi16(gx, gy));
            lo = _mm256_cvtps_epi32(_mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_min_epi32(lo, sat2))));
            hi = _mm256_cvtps_epi32(_mm256_sqrt_ps(_mm256_cvtepi32_ps(_mm256_min_epi32(hi, sat2))));
            m = _mm256_min_epi16(_mm256_packus_epi32(lo, hi), max8);
        } else {
            m = _mm256_min_epu16(_mm256_adds_epu16(_mm256_abs_epi16(gx), _mm256_abs_epi16(gy)),
                                 max8);
        }
        __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi16(m, m), 0x08);
        _mm_storeu_si128((__m128i *)(dst + x), _mm256_castsi256_si128(p));
    }
    cnn_edge_mag3_u8_c(r0 + x, r1 + x, r2 + x, dst + x, width - x, side, centre, -1,
                       right - x, l2);
}

void cnn_edge_canny_mag_avx2(const int16_t *gx, const int16_t *gy, int32_t *mag, int n, int l2)
{
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(gx + x));
        __m128i b = _mm_loadu_si128((const __m128i *)(gy + x));
        __m256i m;
        if (l2) {
            __m128i lo = _mm_unpacklo_epi16(a, b), hi = _mm_unpackhi_epi16(a, b);
            m = _mm256_set_m128i(_mm_madd_epi16(hi, hi), _mm_madd_epi16(lo, lo));
        } else {
            m = _mm256_add_epi32(_mm256_abs_epi32(_mm256_cvtepi16_epi32(a)),
                                 _mm256_abs_epi32(_mm256_cvtepi16_epi32(b)));
        }
        _mm256_storeu_si256((__m256i *)(mag + x), m);
    }
    cnn_edge_canny_mag_c(gx + x, gy + x, mag + x, n - x, l2);
}

#define LOAD32(p) _mm256_loadu_si256((const __m256i *)(p))

void cnn_edge_canny_nms_avx2(const int32_t *mag_p, const int32_t *mag_a, const int32_t *mag_n,
                             const int16_t *gx, const int16_t *gy, uint8_t *map, int width,
                             int32_t low, int32_t high)
{
    const __m256i vlow = _mm256_set1_epi32(low), vhigh = _mm256_set1_epi32(high);
    const __m256i tg22 = _mm256_set1_epi32(13573), one = _mm256_set1_epi32(1);
    const __m256i gather = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    int x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256i m = LOAD32(mag_a + x);
        __m256i weak = _mm256_cmpgt_epi32(m, vlow);
        if (_mm256_testz_si256(weak, weak)) {
            _mm_storel_epi64((__m128i *)(map + x), _mm_set1_epi8(1));
            continue;
        }
        __m256i sx = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(gx + x)));
        __m256i sy = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(gy + x)));
        __m256i ax = _mm256_abs_epi32(sx), ay = _mm256_slli_epi32(_mm256_abs_epi32(sy), 15);
        __m256i tg22x = _mm256_mullo_epi32(ax, tg22);
        __m256i tg67x = _mm256_add_epi32(tg22x, _mm256_slli_epi32(ax, 16));
        __m256i horiz = _mm256_cmpgt_epi32(tg22x, ay), vert = _mm256_cmpgt_epi32(ay, tg67x);
        /* m > a && m >= b, i.e. m > a && !(b > m) */
        __m256i keep_h = _mm256_andnot_si256(_mm256_cmpgt_epi32(LOAD32(mag_a + x + 1), m),
                                             _mm256_cmpgt_epi32(m, LOAD32(mag_a + x - 1)));
        __m256i keep_v = _mm256_andnot_si256(_mm256_cmpgt_epi32(LOAD32(mag_n + x), m),
                                             _mm256_cmpgt_epi32(m, LOAD32(mag_p + x)));
        __m256i keep_pos = _mm256_and_si256(_mm256_cmpgt_epi32(m, LOAD32(mag_p + x - 1)),
                                            _mm256_cmpgt_epi32(m, LOAD32(mag_n + x + 1)));
        __m256i keep_neg = _mm256_and_si256(_mm256_cmpgt_epi32(m, LOAD32(mag_p + x + 1)),
                                            _mm256_cmpgt_epi32(m, LOAD32(mag_n + x - 1)));
        __m256i neg = _mm256_srai_epi32(_mm256_xor_si256(sx, sy), 31);
        __m256i keep = _mm256_blendv_epi8(keep_pos, keep_neg, neg);
        keep = _mm256_blendv_epi8(keep, keep_h, horiz);
        keep = _mm256_blendv_epi8(keep, keep_v, vert);
        weak = _mm256_and_si256(weak, keep);
        __m256i strong = _mm256_and_si256(weak, _mm256_cmpgt_epi32(m, vhigh));
        /* 1 by default, 0 for weak (-1), 2 for strong (-1 - -2) */
        __m256i v = _mm256_sub_epi32(_mm256_add_epi32(one, weak), _mm256_add_epi32(strong, strong));
        v = _mm256_packs_epi32(v, v);
        v = _mm256_packus_epi16(v, v);
        v = _mm256_permutevar8x32_epi32(v, gather);
        _mm_storel_epi64((__m128i *)(map + x), _mm256_castsi256_si128(v));
    }
    cnn_edge_canny_nms_c(mag_p + x, mag_a + x, mag_n + x, gx + x, gy + x, map + x, width - x,
                         low, high);
}

/* Symmetric taps: smooth pairs rows i and n-1-i by a sum, deriv by a
 * difference, so each pair costs one multiply; int16 holds the sums. */
void cnn_edge_vpass_s32_avx2(const uint8_t *const *rows, const int *smooth, const int *deriv,
                             int n, int32_t *vs, int32_t *vd, int width)
{
    int r = n / 2, x = 0;
    for (; x + 16 <= width; x += 16) {
#define LOAD16(p) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p)))
        __m256i s = _mm256_mullo_epi16(LOAD16(rows[r] + x), _mm256_set1_epi16((int16_t)smooth[r]));
        __m256i d = _mm256_setzero_si256();
        for (int i = 0; i < r; i++) {
            __m256i a = LOAD16(rows[i] + x), b = LOAD16(rows[n - 1 - i] + x);
            s = _mm256_add_epi16(s, _mm256_mullo_epi16(_mm256_add_epi16(a, b),
                                                       _mm256_set1_epi16((int16_t)smooth[i])));
            d = _mm256_add_epi16(d, _mm256_mullo_epi16(_mm256_sub_epi16(a, b),
                                                       _mm256_set1_epi16((int16_t)deriv[i])));
        }
#undef LOAD16
        _mm256_storeu_si256((__m256i *)(vs + x), _mm256_cvtepi16_epi32(_mm256_castsi256_si128(s)));
        _mm256_storeu_si256((__m256i *)(vs + x + 8),
                            _mm256_cvtepi16_epi32(_mm256_extracti128_si256(s, 1)));
        _mm256_storeu_si256((__m256i *)(vd + x), _mm256_cvtepi16_epi32(_mm256_castsi256_si128(d)));
        _mm256_storeu_si256((__m256i *)(vd + x + 8),
                            _mm256_cvtepi16_epi32(_mm256_extracti128_si256(d, 1)));
    }
    const uint8_t *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_vpass_s32_c(tail, smooth, deriv, n, vs + x, vd + x, width - x);
}

void cnn_edge_hpass_s32_avx2(const int32_t *vs, const int32_t *vd, const int *smooth,
                             const int *deriv, int n, int32_t *gx, int32_t *gy, int width)
{
    int r = n / 2, x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256i sx = _mm256_setzero_si256();
        __m256i sy = _mm256_mullo_epi32(LOAD32(vd + x), _mm256_set1_epi32(smooth[r]));
        for (int j = 0; j < r; j++) {
            __m256i dl = LOAD32(vs + x + j - r), dr = LOAD32(vs + x + r - j);
            __m256i sl = LOAD32(vd + x + j - r), sr = LOAD32(vd + x + r - j);
            sx = _mm256_add_epi32(sx, _mm256_mullo_epi32(_mm256_sub_epi32(dl, dr),
                                                         _mm256_set1_epi32(deriv[j])));
            sy = _mm256_add_epi32(sy, _mm256_mullo_epi32(_mm256_add_epi32(sl, sr),
                                                         _mm256_set1_epi32(smooth[j])));
        }
        _mm256_storeu_si256((__m256i *)(gx + x), sx);
        _mm256_storeu_si256((__m256i *)(gy + x), sy);
    }
    cnn_edge_hpass_s32_c(vs + x, vd + x, smooth, deriv, n, gx + x, gy + x, width - x);
}

/* Blur: symmetric taps pair rows (columns) i and n-1-i; a pair times its tap
 * stays below 2^16 (2 * tap <= 256), so the vertical pass runs in uint16,
 * the horizontal one in uint32. */
void cnn_edge_blur_vpass_avx2(const uint8_t *const *rows, const uint16_t *taps, int n,
                              uint16_t *t, int width)
{
    int r = n / 2, x = 0;
    for (; x + 16 <= width; x += 16) {
#define LOAD16(p) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p)))
        __m256i s = _mm256_mullo_epi16(LOAD16(rows[r] + x), _mm256_set1_epi16((int16_t)taps[r]));
        for (int i = 0; i < r; i++) {
            __m256i pair = _mm256_add_epi16(LOAD16(rows[i] + x), LOAD16(rows[n - 1 - i] + x));
            s = _mm256_add_epi16(s, _mm256_mullo_epi16(pair, _mm256_set1_epi16((int16_t)taps[i])));
        }
#undef LOAD16
        _mm256_storeu_si256((__m256i *)(t + x), s);
    }
    if (x < width) {
        const uint8_t *tail[256];
        for (int i = 0; i < n; i++)
            tail[i] = rows[i] + x;
        cnn_edge_blur_vpass_c(tail, taps, n, t + x, width - x);
    }
}

void cnn_edge_blur_hpass_avx2(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                              uint32_t *acc, int width)
{
    int r = n / 2, x = 0;
    const __m256i half = _mm256_set1_epi32(32768);
    const __m256i order = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    for (; x + 8 <= width; x += 8) {
#define LOAD8(p) _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p)))
        __m256i s = _mm256_mullo_epi32(LOAD8(t + x), _mm256_set1_epi32(taps[r]));
        s = _mm256_add_epi32(s, half);
        for (int j = 0; j < r; j++) {
            __m256i pair = _mm256_add_epi32(LOAD8(t + x + j - r), LOAD8(t + x + r - j));
            s = _mm256_add_epi32(s, _mm256_mullo_epi32(pair, _mm256_set1_epi32(taps[j])));
        }
#undef LOAD8
        s = _mm256_srli_epi32(s, 16);
        s = _mm256_packus_epi32(s, s);
        s = _mm256_packus_epi16(s, s);
        s = _mm256_permutevar8x32_epi32(s, order);
        _mm_storel_epi64((__m128i *)(dst + x), _mm256_castsi256_si128(s));
    }
    cnn_edge_blur_hpass_c(t + x, taps, n, dst + x, acc, width - x);
}

/* Float passes: the C reference's sums in its order, 8 pixels per step. */
void cnn_edge_vpass_f32_avx2(const float *const *rows, const int *smooth, const int *deriv,
                             int n, float *vs, float *vd, int width)
{
    int x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256 r0 = _mm256_loadu_ps(rows[0] + x);
        __m256 s = _mm256_mul_ps(_mm256_set1_ps((float)smooth[0]), r0);
        __m256 d = _mm256_mul_ps(_mm256_set1_ps((float)deriv[0]), r0);
        for (int i = 1; i < n; i++) {
            __m256 r = _mm256_loadu_ps(rows[i] + x);
            s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps((float)smooth[i]), r));
            d = _mm256_add_ps(d, _mm256_mul_ps(_mm256_set1_ps((float)deriv[i]), r));
        }
        _mm256_storeu_ps(vs + x, s);
        _mm256_storeu_ps(vd + x, d);
    }
    const float *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_vpass_f32_c(tail, smooth, deriv, n, vs + x, vd + x, width - x);
}

void cnn_edge_hpass_f32_avx2(const float *vs, const float *vd, const int *smooth,
                             const int *deriv, int n, float *gx, float *gy, int width)
{
    int r = n / 2, x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256 sx = _mm256_mul_ps(_mm256_set1_ps((float)deriv[0]), _mm256_loadu_ps(vs + x - r));
        __m256 sy = _mm256_mul_ps(_mm256_set1_ps((float)smooth[0]), _mm256_loadu_ps(vd + x - r));
        for (int j = 1; j < n; j++) {
            sx = _mm256_add_ps(sx, _mm256_mul_ps(_mm256_set1_ps((float)deriv[j]),
                                                 _mm256_loadu_ps(vs + x + j - r)));
            sy = _mm256_add_ps(sy, _mm256_mul_ps(_mm256_set1_ps((float)smooth[j]),
                                                 _mm256_loadu_ps(vd + x + j - r)));
        }
        _mm256_storeu_ps(gx + x, sx);
        _mm256_storeu_ps(gy + x, sy);
    }
    cnn_edge_hpass_f32_c(vs + x, vd + x, smooth, deriv, n, gx + x, gy + x, width - x);
}

#define LOADF(p) _mm256_loadu_ps(p)
#define GT(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)

void cnn_edge_canny_nms_f32_avx2(const float *mag_p, const float *mag_a, const float *mag_n,
                                 const float *gx, const float *gy, uint8_t *map, int width,
                                 float low, float high)
{
    const float tg22 = 13573.0f / 32768.0f;
    const __m256 vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    const __m256 t22 = _mm256_set1_ps(tg22), t67 = _mm256_set1_ps(tg22 + 2.0f);
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    const __m256i one = _mm256_set1_epi32(1), order = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    int x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256 m = LOADF(mag_a + x), weak = GT(m, vlow);
        if (_mm256_testz_ps(weak, weak)) {
            _mm_storel_epi64((__m128i *)(map + x), _mm_set1_epi8(1));
            continue;
        }
        __m256 sx = LOADF(gx + x), sy = LOADF(gy + x);
        __m256 ax = _mm256_andnot_ps(sign, sx), ay = _mm256_andnot_ps(sign, sy);
        __m256 horiz = _mm256_cmp_ps(ay, _mm256_mul_ps(ax, t22), _CMP_LT_OQ);
        __m256 vert = GT(ay, _mm256_mul_ps(ax, t67));
        __m256 keep_h = _mm256_and_ps(GT(m, LOADF(mag_a + x - 1)),
                                      _mm256_cmp_ps(m, LOADF(mag_a + x + 1), _CMP_GE_OQ));
        __m256 keep_v = _mm256_and_ps(GT(m, LOADF(mag_p + x)),
                                      _mm256_cmp_ps(m, LOADF(mag_n + x), _CMP_GE_OQ));
        __m256 keep_pos = _mm256_and_ps(GT(m, LOADF(mag_p + x - 1)), GT(m, LOADF(mag_n + x + 1)));
        __m256 keep_neg = _mm256_and_ps(GT(m, LOADF(mag_p + x + 1)), GT(m, LOADF(mag_n + x - 1)));
        __m256 neg = _mm256_xor_ps(_mm256_cmp_ps(sx, zero, _CMP_LT_OQ),
                                   _mm256_cmp_ps(sy, zero, _CMP_LT_OQ));
        __m256 keep = _mm256_blendv_ps(keep_pos, keep_neg, neg);
        keep = _mm256_blendv_ps(keep, keep_v, vert);
        keep = _mm256_blendv_ps(keep, keep_h, horiz);
        __m256i w = _mm256_castps_si256(_mm256_and_ps(weak, keep));
        __m256i strong = _mm256_and_si256(w, _mm256_castps_si256(GT(m, vhigh)));
        /* 1 by default, 0 for weak (-1), 2 for strong (-1 - -2) */
        __m256i v = _mm256_sub_epi32(_mm256_add_epi32(one, w), _mm256_add_epi32(strong, strong));
        v = _mm256_packs_epi32(v, v);
        v = _mm256_packus_epi16(v, v);
        v = _mm256_permutevar8x32_epi32(v, order);
        _mm_storel_epi64((__m128i *)(map + x), _mm256_castsi256_si128(v));
    }
    cnn_edge_canny_nms_f32_c(mag_p + x, mag_a + x, mag_n + x, gx + x, gy + x, map + x,
                             width - x, low, high);
}

/* Laplacian passes in int16, 16 pixels per step; zero taps are skipped
 * (integer sums, so the result is the same). */
void cnn_edge_lap_vpass_s16_avx2(const uint8_t *const *rows, const int16_t *v1,
                                 const int16_t *v2, int n, int16_t *a, int16_t *b, int width)
{
    int x = 0;
    for (; x + 16 <= width; x += 16) {
        __m256i sa = _mm256_setzero_si256(), sb = _mm256_setzero_si256();
        for (int i = 0; i < n; i++) {
            __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(rows[i] + x)));
            if (v1[i])
                sa = _mm256_add_epi16(sa, _mm256_mullo_epi16(v, _mm256_set1_epi16(v1[i])));
            if (v2[i])
                sb = _mm256_add_epi16(sb, _mm256_mullo_epi16(v, _mm256_set1_epi16(v2[i])));
        }
        _mm256_storeu_si256((__m256i *)(a + x), sa);
        _mm256_storeu_si256((__m256i *)(b + x), sb);
    }
    const uint8_t *tail[8];
    for (int i = 0; i < n; i++)
        tail[i] = rows[i] + x;
    cnn_edge_lap_vpass_s16_c(tail, v1, v2, n, a + x, b + x, width - x);
}

void cnn_edge_lap_hpass_u8_avx2(const int16_t *a, const int16_t *b, const int16_t *h1,
                                const int16_t *h2, int n, uint8_t *dst, int width)
{
    int r = n / 2, x = 0;
    const __m256i max8 = _mm256_set1_epi16(255);
    for (; x + 16 <= width; x += 16) {
        __m256i s = _mm256_setzero_si256();
        for (int j = 0; j < n; j++) {
            if (h1[j])
                s = _mm256_add_epi16(s, _mm256_mullo_epi16(
                                            _mm256_loadu_si256((const __m256i *)(a + x + j - r)),
                                            _mm256_set1_epi16(h1[j])));
            if (h2[j])
                s = _mm256_add_epi16(s, _mm256_mullo_epi16(
                                            _mm256_loadu_si256((const __m256i *)(b + x + j - r)),
                                            _mm256_set1_epi16(h2[j])));
        }
        s = _mm256_min_epi16(_mm256_abs_epi16(s), max8);
        s = _mm256_permute4x64_epi64(_mm256_packus_epi16(s, s), 0x08);
        _mm_storeu_si128((__m128i *)(dst + x), _mm256_castsi256_si128(s));
    }
    cnn_edge_lap_hpass_u8_c(a + x, b + x, h1, h2, n, dst + x, width - x);
}
