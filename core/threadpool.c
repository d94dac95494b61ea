/* Persistent worker threads. A job is published by bumping an atomic
 * generation counter; workers spin on it briefly before sleeping on a
 * condition variable, and the caller spins briefly on the pending count
 * before sleeping too. Layers come back to back, so a short spin saves the
 * futex wake-up (tens of microseconds) that would otherwise eat the gain of
 * a second thread on small layers. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "cnn/threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() sched_yield()
#endif

/* About 5-10 us of polling (PAUSE is 10-65 cycles on current x86 cores): long
 * enough for back-to-back layers, short enough that an idle worker does not
 * burn the CPU time of a video element that runs one job per frame. */
#define SPIN_ROUNDS 500

struct cnn_threadpool {
    int size; /* threads including the caller */
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t start;
    pthread_cond_t done;
    atomic_ulong generation; /* bumped per job, after fn/arg/nth are set */
    atomic_int pending;      /* workers still running the current job */
    atomic_int quit;
    cnn_job_fn fn;
    void *arg;
    int nth;
    pthread_mutex_t run_lock; /* one job at a time per pool */
};

typedef struct worker_start {
    cnn_threadpool *pool;
    int index;
} worker_start;

/* Wait until the generation differs from seen (or quit); returns it. */
static unsigned long wait_for_job(cnn_threadpool *pool, unsigned long seen)
{
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        unsigned long g = atomic_load_explicit(&pool->generation, memory_order_acquire);
        if (g != seen || atomic_load(&pool->quit))
            return g;
        cpu_relax();
    }
    pthread_mutex_lock(&pool->lock);
    while (!atomic_load(&pool->quit) && atomic_load(&pool->generation) == seen)
        pthread_cond_wait(&pool->start, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    return atomic_load_explicit(&pool->generation, memory_order_acquire);
}

static void *worker_main(void *opaque)
{
    cnn_threadpool *pool = ((worker_start *)opaque)->pool;
    int ith = ((worker_start *)opaque)->index;
    unsigned long seen = 0;
    free(opaque);
    for (;;) {
        seen = wait_for_job(pool, seen);
        if (atomic_load(&pool->quit))
            break;
        if (ith >= pool->nth)
            continue;
        pool->fn(pool->arg, ith, pool->nth);
        if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->lock);
        }
    }
    return NULL;
}

cnn_status cnn_threadpool_create(cnn_threadpool **out, int n_threads)
{
    *out = NULL;
    if (n_threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cpus > 0 ? (int)cpus : 1;
    }
    if (n_threads > 1024)
        return cnn_fail(CNN_ERR_INVALID_ARG, "threadpool: %d threads is too many", n_threads);
    cnn_threadpool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return cnn_fail(CNN_ERR_NOMEM, "threadpool: out of memory");
    pool->size = n_threads;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_mutex_init(&pool->run_lock, NULL);
    pthread_cond_init(&pool->start, NULL);
    pthread_cond_init(&pool->done, NULL);
    if (n_threads > 1) {
        pool->workers = calloc((size_t)n_threads, sizeof *pool->workers);
        if (!pool->workers)
            goto fail_nomem;
    }
    for (int i = 1; i < n_threads; i++) {
        worker_start *ws = malloc(sizeof *ws);
        if (!ws)
            goto fail_nomem;
        ws->pool = pool;
        ws->index = i;
        if (pthread_create(&pool->workers[i], NULL, worker_main, ws) != 0) {
            free(ws);
            pool->size = i; /* destroy joins only the started ones */
            cnn_threadpool_destroy(pool);
            return cnn_fail(CNN_ERR_NOMEM, "threadpool: cannot start thread %d", i);
        }
    }
    *out = pool;
    return CNN_OK;

fail_nomem:
    cnn_threadpool_destroy(pool);
    return cnn_fail(CNN_ERR_NOMEM, "threadpool: out of memory");
}

void cnn_threadpool_destroy(cnn_threadpool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pool->quit, 1);
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 1; i < pool->size && pool->workers; i++)
        if (pool->workers[i])
            pthread_join(pool->workers[i], NULL);
    pthread_cond_destroy(&pool->start);
    pthread_cond_destroy(&pool->done);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->run_lock);
    free(pool->workers);
    free(pool);
}

int cnn_threadpool_size(const cnn_threadpool *pool)
{
    return pool ? pool->size : 1;
}

void cnn_threadpool_run(cnn_threadpool *pool, cnn_job_fn fn, void *arg, int nth)
{
    int size = cnn_threadpool_size(pool);
    if (nth <= 0 || nth > size)
        nth = size;
    if (nth == 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_mutex_lock(&pool->run_lock);
    pool->fn = fn;
    pool->arg = arg;
    pool->nth = nth;
    /* every worker passes the generation; those with ith >= nth skip it */
    atomic_store(&pool->pending, nth - 1);
    pthread_mutex_lock(&pool->lock);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);

    fn(arg, 0, nth);

    int spins = 0;
    while (atomic_load_explicit(&pool->pending, memory_order_acquire) > 0 &&
           spins++ < SPIN_ROUNDS)
        cpu_relax();
    if (atomic_load_explicit(&pool->pending, memory_order_acquire) > 0) {
        pthread_mutex_lock(&pool->lock);
        while (atomic_load(&pool->pending) > 0)
            pthread_cond_wait(&pool->done, &pool->lock);
        pthread_mutex_unlock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->run_lock);
}

void cnn_split_range(int n, int ith, int nth, int *begin, int *end)
{
    int base = n / nth, extra = n % nth;
    *begin = ith * base + (ith < extra ? ith : extra);
    *end = *begin + base + (ith < extra ? 1 : 0);
}
