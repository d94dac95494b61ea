#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "testutil.h"

typedef struct count_job {
    atomic_int calls;
    atomic_int seen_nth;
    int hits[1000];
} count_job;

static void count_items(void *arg, int ith, int nth)
{
    count_job *j = arg;
    int b, e;
    atomic_fetch_add(&j->calls, 1);
    atomic_store(&j->seen_nth, nth);
    cnn_split_range(1000, ith, nth, &b, &e);
    for (int i = b; i < e; i++)
        j->hits[i]++;
}

START_TEST(every_item_once_for_any_size)
{
    for (int threads = 1; threads <= 5; threads++) {
        cnn_threadpool *pool;
        ck_assert_cnn_ok(cnn_threadpool_create(&pool, threads));
        ck_assert_int_eq(cnn_threadpool_size(pool), threads);
        for (int round = 0; round < 50; round++) {
            count_job job = { 0 };
            cnn_threadpool_run(pool, count_items, &job, 0);
            ck_assert_int_eq(atomic_load(&job.calls), threads);
            for (int i = 0; i < 1000; i++)
                ck_assert_int_eq(job.hits[i], 1);
        }
        count_job fewer = { 0 };
        cnn_threadpool_run(pool, count_items, &fewer, 2);
        ck_assert_int_eq(atomic_load(&fewer.seen_nth), threads < 2 ? threads : 2);
        cnn_threadpool_destroy(pool);
    }
}
END_TEST

START_TEST(split_range_is_balanced)
{
    int total = 0, prev_end = 0;
    for (int ith = 0; ith < 7; ith++) {
        int b, e;
        cnn_split_range(23, ith, 7, &b, &e);
        ck_assert_int_eq(b, prev_end);
        ck_assert(e - b == 3 || e - b == 4);
        total += e - b;
        prev_end = e;
    }
    ck_assert_int_eq(total, 23);
}
END_TEST

START_TEST(null_pool_runs_inline)
{
    count_job job = { 0 };
    cnn_threadpool_run(NULL, count_items, &job, 0);
    ck_assert_int_eq(atomic_load(&job.calls), 1);
    ck_assert_int_eq(job.hits[999], 1);
}
END_TEST

typedef struct runner_job {
    pthread_t caller;
    int runs[4];
    atomic_int others_on_caller; /* shares other than 0 the caller ran */
} runner_job;

static void note_runner(void *arg, int ith, int nth)
{
    runner_job *j = arg;
    (void)nth;
    j->runs[ith]++;
    if (ith != 0 && pthread_equal(pthread_self(), j->caller))
        atomic_fetch_add(&j->others_on_caller, 1);
}

/* A worker asleep on its condition variable takes tens of microseconds to
 * wake; the caller does not wait for it: it claims the shares nobody has
 * started and runs them itself. Each share still runs exactly once. */
START_TEST(caller_runs_the_shares_of_a_sleeping_worker)
{
    cnn_threadpool *pool;
    ck_assert_cnn_ok(cnn_threadpool_create(&pool, 2));
    int taken = 0;
    for (int round = 0; round < 20; round++) {
        nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL); /* workers go to sleep */
        runner_job job = { .caller = pthread_self() };
        cnn_threadpool_run(pool, note_runner, &job, 0);
        ck_assert_int_eq(job.runs[0], 1);
        ck_assert_int_eq(job.runs[1], 1);
        taken += atomic_load(&job.others_on_caller);
    }
    ck_assert_int_gt(taken, 0);
    cnn_threadpool_destroy(pool);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threadpool");
    TCase *tc = tcase_create("threadpool");
    tcase_add_test(tc, every_item_once_for_any_size);
    tcase_add_test(tc, split_range_is_balanced);
    tcase_add_test(tc, null_pool_runs_inline);
    tcase_add_test(tc, caller_runs_the_shares_of_a_sleeping_worker);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
