/* Persistent worker threads. A job of nth shares is published in one atomic
 * ticket (generation, nth, next unclaimed share); the caller and the workers
 * claim shares from it until none is left, so a worker the OS has not
 * scheduled yet never holds the caller up: its share is run by whoever is
 * free, and the caller only waits for shares already started. Workers spin
 * on the ticket briefly before sleeping on a condition variable, and the
 * caller spins briefly on the count of finished shares before sleeping too.
 * Layers come back to back, so a short spin saves the futex wake-up (tens of
 * microseconds) that would otherwise eat the gain of a second thread on small
 * layers. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
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

/* The ticket: generation in the high 32 bits, nth in bits 16-31, the next
 * unclaimed share in bits 0-15 (at most 1024 threads). */
#define TICKET(gen, nth, next) ((uint64_t)(gen) << 32 | (uint64_t)(nth) << 16 | (uint64_t)(next))
#define TICKET_GEN(t) ((uint32_t)((t) >> 32))
#define TICKET_NTH(t) ((int)((t) >> 16 & 0xffff))
#define TICKET_NEXT(t) ((int)((t) & 0xffff))

struct cnn_threadpool {
    int size; /* threads including the caller */
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t start;
    pthread_cond_t done;
    _Atomic uint64_t ticket; /* set after fn/arg, claimed share by share */
    atomic_int finished;     /* shares of the current job run to the end */
    atomic_int quit;
    cnn_job_fn fn;
    void *arg;
    pthread_mutex_t run_lock; /* one job at a time per pool */
};

/* Wait until the ticket's generation differs from seen (or quit); returns
 * the new generation. */
static uint32_t wait_for_job(cnn_threadpool *pool, uint32_t seen)
{
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        uint32_t g = TICKET_GEN(atomic_load_explicit(&pool->ticket, memory_order_acquire));
        if (g != seen || atomic_load(&pool->quit))
            return g;
        cpu_relax();
    }
    pthread_mutex_lock(&pool->lock);
    while (!atomic_load(&pool->quit) && TICKET_GEN(atomic_load(&pool->ticket)) == seen)
        pthread_cond_wait(&pool->start, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    return TICKET_GEN(atomic_load_explicit(&pool->ticket, memory_order_acquire));
}

/* Claim and run shares of job gen until none is left (or another job has
 * started: then gen's shares are all finished). A claimed share keeps the
 * job, and so fn and arg, alive until it finishes. */
static void run_shares(cnn_threadpool *pool, uint32_t gen)
{
    uint64_t t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
    while (TICKET_GEN(t) == gen && TICKET_NEXT(t) < TICKET_NTH(t)) {
        if (!atomic_compare_exchange_weak_explicit(&pool->ticket, &t, t + 1,
                                                   memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        int nth = TICKET_NTH(t);
        pool->fn(pool->arg, TICKET_NEXT(t), nth);
        if (atomic_fetch_add_explicit(&pool->finished, 1, memory_order_acq_rel) + 1 == nth) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->lock);
        }
        t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
    }
}

static void *worker_main(void *opaque)
{
    cnn_threadpool *pool = opaque;
    uint32_t seen = 0;
    for (;;) {
        seen = wait_for_job(pool, seen);
        if (atomic_load(&pool->quit))
            break;
        run_shares(pool, seen);
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
        if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0) {
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
    atomic_store(&pool->finished, 0);
    uint32_t gen = TICKET_GEN(atomic_load(&pool->ticket)) + 1;
    pthread_mutex_lock(&pool->lock);
    atomic_store_explicit(&pool->ticket, TICKET(gen, nth, 0), memory_order_release);
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);

    run_shares(pool, gen);

    int spins = 0;
    while (atomic_load_explicit(&pool->finished, memory_order_acquire) < nth &&
           spins++ < SPIN_ROUNDS)
        cpu_relax();
    if (atomic_load_explicit(&pool->finished, memory_order_acquire) < nth) {
        pthread_mutex_lock(&pool->lock);
        while (atomic_load(&pool->finished) < nth)
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
