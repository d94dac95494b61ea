/* Bilinear samples of packed 8-bit RGB along a line (warps, shrinking), one
 * vector of pixels per step: four gathers of 32-bit words (per row, the left
 * pixel's bytes and those two bytes on), channel pairs blended by pmaddwd
 * with (2048 - wx, wx), the integer arithmetic of cnn_warp_bilinear_rgb_u8_c.
 * The includer includes vec_avx2.h or vec_avx512.h and defines
 * store_pixels(d, px): the packed bytes of VLEN pixels, 12 per 128-bit lane,
 * written as 3 VLEN contiguous bytes. */

/* (float)(d (x + i) + o) for the columns x + i in cols, in double like C. */
static inline VEC line_coordinates(VECI cols, double d, double o)
{
    VECD vd = vecd_set1(d), vo = vecd_set1(o);
    return vec_from_doubles(vecd_add(vecd_mul(vecd_from_int_lo(cols), vd), vo),
                            vecd_add(vecd_mul(vecd_from_int_hi(cols), vd), vo));
}

/* 11-bit weight of the fraction of v above its truncation t. */
static inline VECI fraction_weight(VEC v, VECI t)
{
    VEC f = vec_sub(v, veci_to_float(t));
    return vec_trunc_int(vec_add(vec_mul(f, vec_set1(2048.0f)), vec_set1(0.5f)));
}

/* 16-bit words l and r of each 32-bit lane in every 128-bit lane. */
#define PAIRS(l, r)                                                                     \
    veci_bcast128(_mm_setr_epi8(l, -1, r, -1, 4 + (l), -1, 4 + (r), -1, 8 + (l), -1,       \
                             8 + (r), -1, 12 + (l), -1, 12 + (r), -1))

/* Per 32-bit lane, the (left, right) pairs of the three channels times
 * wpair: a holds bytes R0 G0 B0 R1, b B0 R1 G1 B1; -128 + 4k keeps the
 * zeroing bit. */
static inline void blend_pairs(VECI a, VECI b, VECI wpair, VECI out[3])
{
    const VECI ends = PAIRS(0, 3);
    const VECI g = veci_or(veci_shuffle8(a, PAIRS(1, -128)), veci_shuffle8(b, PAIRS(-128, 2)));
    out[0] = veci_madd16(veci_shuffle8(a, ends), wpair);
    out[1] = veci_madd16(g, wpair);
    out[2] = veci_madd16(veci_shuffle8(b, ends), wpair);
}

void ISA_NAME(cnn_warp_bilinear_rgb_u8)(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                        double oy, double dy, int x, uint8_t *d, int n)
{
    const VECI full = veci_set1(2048), half = veci_set1(1 << 21);
    /* Bytes R0-3 G0-3 B0-3 of a 128-bit lane into R0 G0 B0 R1 ... B3. */
    const VECI interleave =
        veci_bcast128(_mm_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1));
    int i = 0;
    for (; i + VLEN <= n; i += VLEN, d += 3 * VLEN) {
        VECI cols = veci_add(veci_set1(x + i), VECI_IOTA);
        VEC fx = line_coordinates(cols, dx, ox), fy = line_coordinates(cols, dy, oy);
        VECI x0 = vec_trunc_int(fx), y0 = vec_trunc_int(fy);
        VECI wx = fraction_weight(fx, x0), wy = fraction_weight(fy, y0);
        VECI wpair = veci_or(veci_sub(full, wx), veci_slli(wx, 16));
        VECI off = veci_add(veci_mullo(y0, veci_set1(stride)), veci_add(x0, veci_add(x0, x0)));
        VECI top[3], bottom[3];
        blend_pairs(veci_gather_bytes(s, off), veci_gather_bytes(s + 2, off), wpair, top);
        blend_pairs(veci_gather_bytes(s + stride, off), veci_gather_bytes(s + stride + 2, off), wpair, bottom);
        VECI v[3];
        for (int c = 0; c < 3; c++) {
            VECI vertical = veci_mullo(veci_sub(bottom[c], top[c]), wy);
            v[c] = veci_srai(veci_add(veci_add(veci_slli(top[c], 11), vertical), half), 22);
        }
        VECI rgb = veci_packus16(veci_packus32(v[0], v[1]), veci_packus32(v[2], veci_zero()));
        store_pixels(d, veci_shuffle8(rgb, interleave));
    }
    cnn_warp_bilinear_rgb_u8_c(s, stride, ox, dx, oy, dy, x + i, d, n - i);
}

#undef PAIRS
