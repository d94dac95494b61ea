/* Wall-clock timing shared by the benchmarks and checkasm's --bench:
 * monotonic nanoseconds and the median of a set of samples. */
#ifndef CNN_BENCH_TIMING_H
#define CNN_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double timing_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int timing_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t[0..n) and returns its median. */
static inline double timing_median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, timing_cmp_double);
    return t[n / 2];
}

#endif
