/* Grayscale and saturation of packed 8-bit RGB rows, AVX2: 16 pixels per
 * step, split into R, G and B bytes with shuffles, the float arithmetic of
 * ops/grayscale.c on 8 lanes at a time, and the results interleaved back. */
#include <immintrin.h>

#include "kernels.h"

/* Bytes 3i + k of the 48 bytes a, b, c for i = 0..15. */
static inline __m128i channel16(__m128i a, __m128i b, __m128i c, int k)
{
    char ia[16], ib[16], ic[16];
    for (int i = 0; i < 16; i++) {
        int e = 3 * i + k;
        ia[i] = (char)(e < 16 ? e : -1);
        ib[i] = (char)(e >= 16 && e < 32 ? e - 16 : -1);
        ic[i] = (char)(e >= 32 ? e - 32 : -1);
    }
    __m128i ma = _mm_loadu_si128((const __m128i *)ia), mb = _mm_loadu_si128((const __m128i *)ib);
    __m128i mc = _mm_loadu_si128((const __m128i *)ic);
    return _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, ma), _mm_shuffle_epi8(b, mb)),
                        _mm_shuffle_epi8(c, mc));
}

/* Truncated grays of 8 pixels (bytes 0..7 of r, g, b) as int32 lanes. */
static inline __m256i gray8(__m128i r, __m128i g, __m128i b)
{
    __m256 l = _mm256_add_ps(
        _mm256_mul_ps(_mm256_set1_ps(0.2989f), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(r))),
        _mm256_mul_ps(_mm256_set1_ps(0.587f), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(g))));
    l = _mm256_add_ps(
        l, _mm256_mul_ps(_mm256_set1_ps(0.114f), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b))));
    return _mm256_cvttps_epi32(l);
}

/* Byte k of the 16 grays repeated: out byte j is gray (16 k + j) / 3. */
static inline __m128i spread3(__m128i gray, int k)
{
    char idx[16];
    for (int j = 0; j < 16; j++)
        idx[j] = (char)((16 * k + j) / 3);
    return _mm_shuffle_epi8(gray, _mm_loadu_si128((const __m128i *)idx));
}

/* 16 int32 lanes (0..255 after saturation) to 16 bytes in order. */
static inline __m128i pack16(__m256i lo, __m256i hi)
{
    __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
    return _mm_packus_epi16(_mm256_castsi256_si128(w16), _mm256_extracti128_si256(w16, 1));
}

void cnn_gray_rgb_u8_avx2(const uint8_t *rgb, uint8_t *dst, int w, int out_channels)
{
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const uint8_t *p = rgb + 3 * x;
        __m128i a = _mm_loadu_si128((const __m128i *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
        __m128i r = channel16(a, b, c, 0), g = channel16(a, b, c, 1);
        __m128i bl = channel16(a, b, c, 2);
        __m256i lo = gray8(r, g, bl);
        __m256i hi = gray8(_mm_srli_si128(r, 8), _mm_srli_si128(g, 8), _mm_srli_si128(bl, 8));
        __m128i gray = pack16(lo, hi);
        uint8_t *d = dst + (size_t)out_channels * x;
        if (out_channels == 1) {
            _mm_storeu_si128((__m128i *)d, gray);
        } else {
            _mm_storeu_si128((__m128i *)d, spread3(gray, 0));
            _mm_storeu_si128((__m128i *)(d + 16), spread3(gray, 1));
            _mm_storeu_si128((__m128i *)(d + 32), spread3(gray, 2));
        }
    }
    cnn_gray_rgb_u8_c(rgb + 3 * x, dst + (size_t)out_channels * x, w - x, out_channels);
}

/* Bytes 16 k .. 16 k + 15 of the interleaved r, g, b (pixel i / 3, channel
 * i % 3 at byte i). */
static inline __m128i interleave16(__m128i r, __m128i g, __m128i b, int k)
{
    char m[3][16];
    for (int j = 0; j < 16; j++)
        for (int c = 0; c < 3; c++)
            m[c][j] = (char)((16 * k + j) % 3 == c ? (16 * k + j) / 3 : -1);
    __m128i v = _mm_shuffle_epi8(r, _mm_loadu_si128((const __m128i *)m[0]));
    v = _mm_or_si128(v, _mm_shuffle_epi8(g, _mm_loadu_si128((const __m128i *)m[1])));
    return _mm_or_si128(v, _mm_shuffle_epi8(b, _mm_loadu_si128((const __m128i *)m[2])));
}

/* a x + b for 8 bytes of x, truncated. */
static inline __m256i blend8(__m128i x, __m256 a, __m256 b)
{
    __m256 v = _mm256_mul_ps(a, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(x)));
    return _mm256_cvttps_epi32(_mm256_add_ps(v, b));
}

void cnn_saturation_rgb_u8_avx2(const uint8_t *rgb, uint8_t *dst, int w, float a,
                                float complement)
{
    __m256 va = _mm256_set1_ps(a), vc = _mm256_set1_ps(complement);
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const uint8_t *p = rgb + 3 * x;
        __m128i s0 = _mm_loadu_si128((const __m128i *)p);
        __m128i s1 = _mm_loadu_si128((const __m128i *)(p + 16));
        __m128i s2 = _mm_loadu_si128((const __m128i *)(p + 32));
        __m128i ch[3] = { channel16(s0, s1, s2, 0), channel16(s0, s1, s2, 1),
                          channel16(s0, s1, s2, 2) };
        __m128i hi[3] = { _mm_srli_si128(ch[0], 8), _mm_srli_si128(ch[1], 8),
                          _mm_srli_si128(ch[2], 8) };
        __m256 blo = _mm256_mul_ps(vc, _mm256_cvtepi32_ps(gray8(ch[0], ch[1], ch[2])));
        __m256 bhi = _mm256_mul_ps(vc, _mm256_cvtepi32_ps(gray8(hi[0], hi[1], hi[2])));
        __m128i out[3];
        for (int c = 0; c < 3; c++)
            out[c] = pack16(blend8(ch[c], va, blo), blend8(hi[c], va, bhi));
        uint8_t *d = dst + 3 * x;
        for (int k = 0; k < 3; k++)
            _mm_storeu_si128((__m128i *)(d + 16 * k), interleave16(out[0], out[1], out[2], k));
    }
    cnn_saturation_rgb_u8_c(rgb + 3 * x, dst + 3 * x, w - x, a, complement);
}
