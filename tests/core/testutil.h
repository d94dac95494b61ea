/* Shared helpers for the check-based core tests. */
#ifndef CNN_TESTUTIL_H
#define CNN_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "cnn/cnn.h"

/* Seed of this run: CNN_TEST_SEED or a fixed default; printed once so a
 * failure can be replayed. */
uint64_t test_seed(void);
/* Fill with uniform values in [lo, hi) from the counter generator. */
void test_fill_uniform(float *x, size_t n, uint64_t seed, uint64_t purpose, float lo, float hi);
/* Largest |a - b| / (atol + rtol * |b|); <= 1 means within tolerance.
 * On failure *worst is the index of the worst element. */
double test_compare(const float *a, const float *b, size_t n, double atol, double rtol,
                    size_t *worst);
/* Fail the current check test with a message when a and b differ. */
#define ck_assert_close(a, b, n, atol, rtol)                                           \
    do {                                                                               \
        size_t worst_;                                                                 \
        double r_ = test_compare((a), (b), (n), (atol), (rtol), &worst_);              \
        ck_assert_msg(r_ <= 1.0, "element %zu: %g vs %g (ratio %g of tolerance)",     \
                      worst_, (double)(a)[worst_], (double)(b)[worst_], r_);           \
    } while (0)
#define ck_assert_cnn_ok(expr)                                                         \
    do {                                                                               \
        cnn_status st_ = (expr);                                                       \
        ck_assert_msg(st_ == CNN_OK, "%s: %s (%s)", #expr, cnn_status_name(st_),      \
                      cnn_last_error());                                               \
    } while (0)

/* Run one suite and return the process exit status. */
int test_run_suite(Suite *s);
/* Path under the source tree (CNN_SOURCE_ROOT) in a static buffer. */
const char *test_source_path(const char *relative);
/* The bytes of dir/name, malloc'ed, or NULL unless it has exactly size. */
void *test_read_file(const char *dir, const char *name, size_t size);

#endif
