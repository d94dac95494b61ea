/* A small persistent thread pool. A job is a function called once per thread
 * as fn(arg, ith, nth) with the caller as thread 0; run() returns when all
 * calls have returned. Work is split by the job from (ith, nth), ggml-style. */
#ifndef CNN_THREADPOOL_H
#define CNN_THREADPOOL_H

#include "cnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_threadpool cnn_threadpool;
typedef void (*cnn_job_fn)(void *arg, int ith, int nth);

/* n_threads <= 0 means one per online CPU. */
cnn_status cnn_threadpool_create(cnn_threadpool **pool, int n_threads);
void cnn_threadpool_destroy(cnn_threadpool *pool);
int cnn_threadpool_size(const cnn_threadpool *pool);
/* Run fn on min(nth, size) threads; nth <= 0 means all. NULL pool runs inline. */
void cnn_threadpool_run(cnn_threadpool *pool, cnn_job_fn fn, void *arg, int nth);

/* The half-open range [*begin, *end) of n items that thread ith of nth owns. */
void cnn_split_range(int n, int ith, int nth, int *begin, int *end);

#ifdef __cplusplus
}
#endif
#endif
