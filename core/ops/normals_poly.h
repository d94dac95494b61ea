/* Coefficients of the Box-Muller arithmetic shared by cnn_normals_c and its
 * SIMD twins, which repeat its operations one for one so every level gives
 * the same bits. ln(m) for m in [sqrt(1/2), sqrt(2)] is
 * 2 t (1 + t^2/3 + t^4/5 + t^6/7 + t^8/9), t = (m - 1) / (m + 1) (|t| <
 * 0.172, error below 1e-9); sin and cos on [-pi/4, pi/4] are their Taylor
 * series to x^9 and x^10 (error below 2e-9). */
#ifndef CNN_OPS_NORMALS_POLY_H
#define CNN_OPS_NORMALS_POLY_H

#define NORMALS_SQRT2 1.41421356f
#define NORMALS_LN2 0.693147181f
#define NORMALS_L3 (1.0f / 3.0f)
#define NORMALS_L5 (1.0f / 5.0f)
#define NORMALS_L7 (1.0f / 7.0f)
#define NORMALS_L9 (1.0f / 9.0f)
#define NORMALS_S3 (-1.0f / 6.0f)
#define NORMALS_S5 (1.0f / 120.0f)
#define NORMALS_S7 (-1.0f / 5040.0f)
#define NORMALS_S9 (1.0f / 362880.0f)
#define NORMALS_C2 (-1.0f / 2.0f)
#define NORMALS_C4 (1.0f / 24.0f)
#define NORMALS_C6 (-1.0f / 720.0f)
#define NORMALS_C8 (1.0f / 40320.0f)
#define NORMALS_C10 (-1.0f / 3628800.0f)
#define NORMALS_HALF_PI 1.57079633f

#endif
