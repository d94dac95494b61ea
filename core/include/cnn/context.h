/* An engine context: the thread pool and the kernel table every operation
 * runs with. Elements own one each (their n-threads property), so several
 * pipelines in one process do not oversubscribe the cores. */
#ifndef CNN_CONTEXT_H
#define CNN_CONTEXT_H

#include "cnn/status.h"
#include "cnn/threadpool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_context cnn_context;
typedef struct cnn_kernels cnn_kernels;

/* n_threads <= 0: one per CPU. Kernels follow cnn_cpu_flags(). */
cnn_status cnn_context_create(cnn_context **ctx, int n_threads);
/* Same with an explicit CPU feature set (capped by what the CPU has). */
cnn_status cnn_context_create_isa(cnn_context **ctx, int n_threads, unsigned cpu_flags);
void cnn_context_destroy(cnn_context *ctx);

int cnn_context_threads(const cnn_context *ctx);
unsigned cnn_context_cpu_flags(const cnn_context *ctx);
cnn_threadpool *cnn_context_pool(cnn_context *ctx);
const cnn_kernels *cnn_context_kernels(const cnn_context *ctx);

#ifdef __cplusplus
}
#endif
#endif
