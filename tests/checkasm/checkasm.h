/* checkasm: every kernel-table entry at every CPU level this machine has,
 * run against the C reference on random shapes (FFmpeg's tests/checkasm
 * habit). A family adds one test function to the table in checkasm.c; the
 * function asks checkasm_func_new() whether an entry is new at the current
 * level, runs it and the C entry on the same random data, and reports
 * mismatches with checkasm_fail(). Usage:
 *   checkasm [--seed=N] [--test=FAMILY] [--bench]
 * The seed (also CNN_TEST_SEED) is printed so a failure can be replayed. */
#ifndef CNN_CHECKASM_H
#define CNN_CHECKASM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

/* The table of the level under test and the C reference table. */
const cnn_kernels *checkasm_cur(void);
const cnn_kernels *checkasm_ref(void);

/* 1 when fn (the entry `name` at the current level) differs from the C
 * entry and was not tested at a lower level; announces the test. */
int checkasm_func_new(const char *name, void (*fn)(void), void (*ref)(void));

/* Random integer in [lo, hi] from the seeded counter stream. */
int checkasm_rand_range(int lo, int hi);
/* Fill with uniform values in [-1, 1) from the same stream. */
void checkasm_fill(float *x, size_t n);

/* Report a mismatch of the function being tested (printf-style). */
void checkasm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* n floats between guard zones, all filled with a sentinel pattern so
 * writes outside what a kernel owns are caught. */
float *checkasm_guarded_alloc(size_t n);
void checkasm_guarded_free(float *p);
/* Set every float of [p, p + n) to the sentinel. */
void checkasm_sentinel_fill(float *p, size_t n);
int checkasm_is_sentinel(float v);
/* 1 when the guard zones around a checkasm_guarded_alloc() block are intact. */
int checkasm_guards_intact(const float *p, size_t n);

/* A guarded copy of the absolute values of x[0..n): inputs of a C run that
 * gives the sum of |terms| of each output, which scales a tolerance. */
float *checkasm_abs_copy(const float *x, size_t n);
/* Compare got with want over planes x rows x cols: outputs of planes
 * [p0, p1) and rows [y0, y1) within rel_tol * mag, all others still the
 * sentinel; failures name `what`. */
void checkasm_check_planes(const char *what, const float *got, const float *want,
                           const float *mag, int planes, int rows, int cols, int p0, int p1,
                           int y0, int y1, double rel_tol);

/* --bench given: families time their new functions against C. */
int checkasm_bench_enabled(void);
/* Median wall time in nanoseconds of `reps` calls of call(arg), after a
 * warm-up call. */
double checkasm_median_ns(void (*call)(void *), void *arg, int reps);
/* Print one bench line: C and current-level times and the speed-up. */
void checkasm_report_bench(const char *what, double ref_ns, double cur_ns);

/* The families: one test function each. */
void checkasm_check_conv2d(void);
void checkasm_check_conv2d_pw(void);
void checkasm_check_batchnorm(void);
void checkasm_check_dropout(void);
void checkasm_check_normals(void);
void checkasm_check_grayscale(void);
void checkasm_check_flip(void);
void checkasm_check_blend(void);
void checkasm_check_resample(void);
void checkasm_check_gemm(void);
void checkasm_check_activation(void);
void checkasm_check_edge(void);
void checkasm_check_pixels(void);
void checkasm_check_conv2d_dw3x3(void);
void checkasm_check_pool(void);

#endif
