/* PyTorch reference data for the norm/activation/dense/softmax/elementwise
 * tests, generated at test time by tests/ref/norm_ref.py into a temporary
 * directory: cases.txt has one line per case, "NAME key=value ...", and each
 * tensor is NAME.TENSOR.bin: int32 ndim, int32 dims, float32 values. */
#ifndef CNN_TORCHREF_H
#define CNN_TORCHREF_H

#include "testutil.h"

typedef struct ref_case {
    char name[64];
    char params[448];
} ref_case;

/* Run `python script op dir seed` (argv[1], argv[2] of the test) and read its
 * cases; exits the process when the script fails. Returns the case count. */
int ref_generate(int argc, char **argv, const char *op);
const ref_case *ref_case_at(int i);
/* Parameters of a case; a missing key fails the running test. */
int ref_int(const ref_case *c, const char *key);
double ref_double(const ref_case *c, const char *key);
/* 1 when the case has the key. */
int ref_has(const ref_case *c, const char *key);
/* Load NAME.tensor into t (owned, free with cnn_tensor_release). */
void ref_tensor(const ref_case *c, const char *tensor, cnn_tensor *t);
/* The text of NAME.what.txt into buf (NUL-terminated); fails the running
 * test when it is missing or does not fit. */
void ref_text(const ref_case *c, const char *what, char *buf, size_t size);
/* The temporary directory the script wrote into. */
const char *ref_dir(void);
/* Fail unless got (n values) is within atol + rtol * |want| of NAME.tensor;
 * the message names the case, the tensor and the CPU level. */
void ref_expect_close(const ref_case *c, const char *tensor, const float *got, size_t n,
                      double atol, double rtol, unsigned level);
/* Fail unless |got - want| <= tol * mag + 1e-7 elementwise for NAME.tensor
 * and NAME.mag, mag the sums of |terms| of each value. */
void ref_expect_within_terms(const ref_case *c, const char *tensor, const char *mag,
                             const float *got, double tol, unsigned level);
/* Fail unless two runs (one and three threads) gave identical values. */
void ref_expect_identical(const ref_case *c, const char *what, const float *a, const float *b,
                          size_t n);
/* For each i < count: three[i] close to torch's names[i] and identical to
 * one[i]; releases both. */
void ref_expect_runs(const ref_case *c, const char *const *names, cnn_tensor *one,
                     cnn_tensor *three, int count, double atol, double rtol);
/* A zero-filled tensor of like's shape. */
void ref_alloc_like(cnn_tensor *t, const cnn_tensor *like);
/* Remove the temporary directory. */
void ref_cleanup(void);

/* CPU levels this machine has: c, then avx2, then avx2 + avx512. */
int ref_levels(unsigned levels[3]);

#endif
