/* The engine context: thread pool plus kernel table. */
#include <stdlib.h>

#include "cnn/context.h"
#include "cnn/cpu.h"
#include "kernels.h"

struct cnn_context {
    cnn_threadpool *pool;
    cnn_kernels kernels;
};

cnn_status cnn_context_create_isa(cnn_context **out, int n_threads, unsigned cpu_flags)
{
    *out = NULL;
    cnn_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return cnn_fail(CNN_ERR_NOMEM, "context: out of memory");
    cnn_status st = cnn_threadpool_create(&ctx->pool, n_threads);
    if (st != CNN_OK) {
        free(ctx);
        return st;
    }
    cnn_kernels_init(&ctx->kernels, cpu_flags & cnn_cpu_detect());
    *out = ctx;
    return CNN_OK;
}

cnn_status cnn_context_create(cnn_context **out, int n_threads)
{
    return cnn_context_create_isa(out, n_threads, cnn_cpu_flags());
}

void cnn_context_destroy(cnn_context *ctx)
{
    if (!ctx)
        return;
    cnn_threadpool_destroy(ctx->pool);
    free(ctx);
}

int cnn_context_threads(const cnn_context *ctx)
{
    return cnn_threadpool_size(ctx->pool);
}

unsigned cnn_context_cpu_flags(const cnn_context *ctx)
{
    return ctx->kernels.cpu_flags;
}

cnn_threadpool *cnn_context_pool(cnn_context *ctx)
{
    return ctx->pool;
}

const cnn_kernels *cnn_context_kernels(const cnn_context *ctx)
{
    return &ctx->kernels;
}
