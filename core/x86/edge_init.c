/* x86 overrides of the edge kernels, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_edge_grad3_s16_avx2(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                             int16_t *gx, int16_t *gy, int width, int side, int centre,
                             int left, int right);
void cnn_edge_mag3_u8_avx2(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                           uint8_t *dst, int width, int side, int centre, int left, int right,
                           int l2);
void cnn_edge_canny_mag_avx2(const int16_t *gx, const int16_t *gy, int32_t *mag, int n, int l2);
void cnn_edge_canny_nms_avx2(const int32_t *mag_p, const int32_t *mag_a, const int32_t *mag_n,
                             const int16_t *gx, const int16_t *gy, uint8_t *map, int width,
                             int32_t low, int32_t high);

void cnn_edge_vpass_s32_avx2(const uint8_t *const *rows, const int *smooth, const int *deriv,
                             int n, int32_t *vs, int32_t *vd, int width);
void cnn_edge_hpass_s32_avx2(const int32_t *vs, const int32_t *vd, const int *smooth,
                             const int *deriv, int n, int32_t *gx, int32_t *gy, int width);
void cnn_edge_blur_vpass_avx2(const uint8_t *const *rows, const uint16_t *taps, int n,
                              uint16_t *t, int width);
void cnn_edge_blur_hpass_avx2(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                              uint32_t *acc, int width);
void cnn_edge_vpass_f32_avx2(const float *const *rows, const int *smooth, const int *deriv,
                             int n, float *vs, float *vd, int width);
void cnn_edge_hpass_f32_avx2(const float *vs, const float *vd, const int *smooth,
                             const int *deriv, int n, float *gx, float *gy, int width);
void cnn_edge_canny_nms_f32_avx2(const float *mag_p, const float *mag_a, const float *mag_n,
                                 const float *gx, const float *gy, uint8_t *map, int width,
                                 float low, float high);
void cnn_edge_lap_vpass_s16_avx2(const uint8_t *const *rows, const int16_t *v1,
                                 const int16_t *v2, int n, int16_t *a, int16_t *b, int width);
void cnn_edge_lap_hpass_u8_avx2(const int16_t *a, const int16_t *b, const int16_t *h1,
                                const int16_t *h2, int n, uint8_t *dst, int width);
void cnn_edge_grad3_s16_avx512(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                               int16_t *gx, int16_t *gy, int width, int side, int centre,
                               int left, int right);
void cnn_edge_mag3_u8_avx512(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                             uint8_t *dst, int width, int side, int centre, int left,
                             int right, int l2);
void cnn_edge_canny_mag_avx512(const int16_t *gx, const int16_t *gy, int32_t *mag, int n,
                               int l2);
void cnn_edge_canny_nms_avx512(const int32_t *mag_p, const int32_t *mag_a,
                               const int32_t *mag_n, const int16_t *gx, const int16_t *gy,
                               uint8_t *map, int width, int32_t low, int32_t high);

void cnn_edge_vpass_s32_avx512(const uint8_t *const *rows, const int *smooth,
                               const int *deriv, int n, int32_t *vs, int32_t *vd, int width);
void cnn_edge_hpass_s32_avx512(const int32_t *vs, const int32_t *vd, const int *smooth,
                               const int *deriv, int n, int32_t *gx, int32_t *gy, int width);
void cnn_edge_blur_vpass_avx512(const uint8_t *const *rows, const uint16_t *taps, int n,
                                uint16_t *t, int width);
void cnn_edge_blur_hpass_avx512(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                                uint32_t *acc, int width);
void cnn_edge_vpass_f32_avx512(const float *const *rows, const int *smooth, const int *deriv,
                               int n, float *vs, float *vd, int width);
void cnn_edge_hpass_f32_avx512(const float *vs, const float *vd, const int *smooth,
                               const int *deriv, int n, float *gx, float *gy, int width);
void cnn_edge_canny_nms_f32_avx512(const float *mag_p, const float *mag_a, const float *mag_n,
                                   const float *gx, const float *gy, uint8_t *map, int width,
                                   float low, float high);
void cnn_edge_lap_vpass_s16_avx512(const uint8_t *const *rows, const int16_t *v1,
                                   const int16_t *v2, int n, int16_t *a, int16_t *b, int width);
void cnn_edge_lap_hpass_u8_avx512(const int16_t *a, const int16_t *b, const int16_t *h1,
                                  const int16_t *h2, int n, uint8_t *dst, int width);

void cnn_edge_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->edge_grad3_s16 = cnn_edge_grad3_s16_avx2;
        k->edge_mag3_u8 = cnn_edge_mag3_u8_avx2;
        k->edge_canny_mag = cnn_edge_canny_mag_avx2;
        k->edge_canny_nms = cnn_edge_canny_nms_avx2;
        k->edge_vpass_s32 = cnn_edge_vpass_s32_avx2;
        k->edge_hpass_s32 = cnn_edge_hpass_s32_avx2;
        k->edge_blur_vpass = cnn_edge_blur_vpass_avx2;
        k->edge_blur_hpass = cnn_edge_blur_hpass_avx2;
        k->edge_vpass_f32 = cnn_edge_vpass_f32_avx2;
        k->edge_hpass_f32 = cnn_edge_hpass_f32_avx2;
        k->edge_canny_nms_f32 = cnn_edge_canny_nms_f32_avx2;
        k->edge_lap_vpass_s16 = cnn_edge_lap_vpass_s16_avx2;
        k->edge_lap_hpass_u8 = cnn_edge_lap_hpass_u8_avx2;
    }
    if (cpu_flags & CNN_CPU_AVX512) {
        k->edge_grad3_s16 = cnn_edge_grad3_s16_avx512;
        k->edge_mag3_u8 = cnn_edge_mag3_u8_avx512;
        k->edge_canny_mag = cnn_edge_canny_mag_avx512;
        k->edge_canny_nms = cnn_edge_canny_nms_avx512;
        k->edge_vpass_s32 = cnn_edge_vpass_s32_avx512;
        k->edge_hpass_s32 = cnn_edge_hpass_s32_avx512;
        k->edge_blur_vpass = cnn_edge_blur_vpass_avx512;
        k->edge_blur_hpass = cnn_edge_blur_hpass_avx512;
        k->edge_vpass_f32 = cnn_edge_vpass_f32_avx512;
        k->edge_hpass_f32 = cnn_edge_hpass_f32_avx512;
        k->edge_canny_nms_f32 = cnn_edge_canny_nms_f32_avx512;
        k->edge_lap_vpass_s16 = cnn_edge_lap_vpass_s16_avx512;
        k->edge_lap_hpass_u8 = cnn_edge_lap_hpass_u8_avx512;
    }
}
