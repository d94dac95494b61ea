/* Colour maps as tables of anchors, interpolated to 256 entries. */
#include <math.h>

#include "cnn/colormap.h"

typedef struct {
    int n;
    const uint8_t (*rgb)[3]; /* anchors at i / (n - 1) */
    const float *at;         /* or at these positions (NULL: evenly) */
} anchors;

/* viridis sampled at 0, 1/8, ..., 1 (matplotlib's published values) */
static const uint8_t viridis_rgb[9][3] = {
    { 0x44, 0x01, 0x54 }, { 0x47, 0x2d, 0x7b }, { 0x3b, 0x52, 0x8b }, { 0x2c, 0x72, 0x8e },
    { 0x21, 0x91, 0x8c }, { 0x28, 0xae, 0x80 }, { 0x5e, 0xc9, 0x62 }, { 0xad, 0xdc, 0x30 },
    { 0xfd, 0xe7, 0x25 },
};
/* jet: dark blue, blue, cyan, yellow, red, dark red */
static const uint8_t jet_rgb[6][3] = {
    { 0, 0, 128 }, { 0, 0, 255 }, { 0, 255, 255 }, { 255, 255, 0 }, { 255, 0, 0 }, { 128, 0, 0 },
};
static const float jet_at[6] = { 0.0f, 0.125f, 0.375f, 0.625f, 0.875f, 1.0f };
static const uint8_t gray_rgb[2][3] = { { 0, 0, 0 }, { 255, 255, 255 } };

void cnn_colormap_table(cnn_colormap map, uint8_t lut[256][3])
{
    static const anchors maps[] = {
        [CNN_COLORMAP_GRAY] = { 2, gray_rgb, NULL },
        [CNN_COLORMAP_VIRIDIS] = { 9, viridis_rgb, NULL },
        [CNN_COLORMAP_JET] = { 6, jet_rgb, jet_at },
    };
    const anchors *a = &maps[map];
    int seg = 0;
    for (int i = 0; i < 256; i++) {
        float t = i / 255.0f, t0, t1, f;
        while (seg + 2 < a->n && t > (a->at ? a->at[seg + 1] : (float)(seg + 1) / (a->n - 1)))
            seg++;
        t0 = a->at ? a->at[seg] : (float)seg / (a->n - 1);
        t1 = a->at ? a->at[seg + 1] : (float)(seg + 1) / (a->n - 1);
        f = (t - t0) / (t1 - t0);
        for (int k = 0; k < 3; k++)
            lut[i][k] = (uint8_t)lrintf(a->rgb[seg][k] + f * (a->rgb[seg + 1][k] - a->rgb[seg][k]));
    }
}

void cnn_colormap_range_f32(const float *x, size_t n, float *lo, float *hi)
{
    float l = INFINITY, h = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        l = x[i] < l ? x[i] : l;
        h = x[i] > h ? x[i] : h;
    }
    *lo = l <= h ? l : 0.0f;
    *hi = l <= h ? h : 0.0f;
}

void cnn_colormap_apply(const uint8_t lut[256][3], const cnn_pixel_plane *src,
                        const cnn_pixel_plane dst[3])
{
    for (int y = 0; y < src->height; y++) {
        const uint8_t *in = src->data + (ptrdiff_t)y * src->stride;
        for (int k = 0; k < 3; k++) {
            uint8_t *out = dst[k].data + (ptrdiff_t)y * dst[k].stride;
            for (int x = 0; x < src->width; x++)
                out[(ptrdiff_t)x * dst[k].step] = lut[in[(ptrdiff_t)x * src->step]][k];
        }
    }
}
