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
/* Remove the temporary directory. */
void ref_cleanup(void);

/* CPU levels this machine has: c, then avx2, then avx2 + avx512. */
int ref_levels(unsigned levels[3]);

#endif
