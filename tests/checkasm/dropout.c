/* checkasm family dropout: the element dropout kernel must give C's output
 * and mask bit for bit from any start position (head before a Philox block,
 * tails after the last vector step, counters whose low word carries), with
 * and without a mask, and write nothing outside its span. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"

#define MAX_LEN 700
#define CASES 200

static void check_dropout(void)
{
    cnn_dropout_fn fn = checkasm_cur()->dropout, ref = checkasm_ref()->dropout;
    if (!checkasm_func_new("dropout", (void (*)(void))fn, (void (*)(void))ref))
        return;
    float *x = checkasm_guarded_alloc(MAX_LEN);
    uint8_t mask_ref[MAX_LEN], mask[MAX_LEN + 1];
    for (int i = 0; i < CASES; i++) {
        size_t n = (size_t)(i < 100 ? i : checkasm_rand_range(100, MAX_LEN));
        uint64_t first = (uint64_t)checkasm_rand_range(0, 1000);
        if (i % 4 == 3) /* around block 2^32 - 16, where the low counter word carries */
            first += 0xFFFFFFF0ull << 2;
        uint32_t threshold = (uint32_t)checkasm_rand_range(0, 1 << 30) << 2;
        uint64_t seed = (uint64_t)checkasm_rand_range(0, 1 << 30) << 20;
        int with_mask = i % 3 != 0;
        checkasm_fill(x, n);
        float *want = checkasm_guarded_alloc(n), *got = checkasm_guarded_alloc(n);
        mask[n] = 0xAB;
        ref(x, want, mask_ref, n, seed, 77, first, threshold, 1.25f);
        fn(x, got, with_mask ? mask : NULL, n, seed, 77, first, threshold, 1.25f);
        if (memcmp(got, want, n * sizeof(float)) ||
            (with_mask && memcmp(mask, mask_ref, n)))
            checkasm_fail("n %zu first %llu threshold %u mask %d: differs from C", n,
                          (unsigned long long)first, threshold, with_mask);
        if (!checkasm_guards_intact(got, n) || mask[n] != 0xAB)
            checkasm_fail("n %zu first %llu: wrote outside its span", n,
                          (unsigned long long)first);
        checkasm_guarded_free(want);
        checkasm_guarded_free(got);
    }
    checkasm_guarded_free(x);
}

typedef struct dropout_call {
    cnn_dropout_fn fn;
    const float *x;
    float *y;
    size_t n;
} dropout_call;

static void call_dropout(void *arg)
{
    const dropout_call *c = arg;
    c->fn(c->x, c->y, NULL, c->n, 1, 2, 0, 1u << 31, 2.0f);
}

static void bench_dropout(void)
{
    size_t n = 112 * 112;
    float *x = checkasm_guarded_alloc(n), *y = checkasm_guarded_alloc(n);
    checkasm_fill(x, n);
    dropout_call cref = { checkasm_ref()->dropout, x, y, n };
    dropout_call ccur = { checkasm_cur()->dropout, x, y, n };
    double t_ref = checkasm_median_ns(call_dropout, &cref, 21);
    double t_cur = checkasm_median_ns(call_dropout, &ccur, 101);
    checkasm_report_bench("dropout p 0.5, 112x112 plane", t_ref, t_cur);
    checkasm_guarded_free(x);
    checkasm_guarded_free(y);
}

void checkasm_check_dropout(void)
{
    check_dropout();
    if (checkasm_bench_enabled() && checkasm_cur()->dropout != checkasm_ref()->dropout)
        bench_dropout();
}
