/* Augmentation chains: the parser and its messages, drawing (same key same
 * parameters, any other key others, p honoured), output sizes, thread-count
 * independence, layouts, and small cases checked by hand. The comparison
 * with torchvision is test_augment_torch. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static cnn_augment_chain *parse_ok(const char *description)
{
    cnn_augment_chain *chain;
    ck_assert_cnn_ok(cnn_augment_chain_parse(&chain, description));
    return chain;
}

/* Parse must fail with a message containing every one of the words. */
static void parse_fails(const char *description, const char *w1, const char *w2)
{
    cnn_augment_chain *chain = (cnn_augment_chain *)1;
    cnn_status st = cnn_augment_chain_parse(&chain, description);
    ck_assert_msg(st == CNN_ERR_INVALID_ARG, "\"%s\" parsed", description);
    ck_assert_ptr_null(chain);
    const char *msg = cnn_last_error();
    ck_assert_msg(strstr(msg, w1) && (!w2 || strstr(msg, w2)),
                  "\"%s\": message \"%s\" lacks \"%s\"/\"%s\"", description, msg, w1,
                  w2 ? w2 : "");
}

static const char *brief_chain = "flip-h p=0.5 ; rotate degrees=-15,15 ; "
                                 "color-jitter brightness=0.2 contrast=0.2 ; "
                                 "resized-crop size=224 scale=0.8,1.0";

START_TEST(parse_description_and_sizes)
{
    cnn_augment_chain *chain = parse_ok(brief_chain);
    ck_assert_int_eq(cnn_augment_chain_length(chain), 4);
    int w, h, c;
    ck_assert_cnn_ok(cnn_augment_chain_output_size(chain, 768, 576, &w, &h));
    ck_assert_int_eq(w, 224);
    ck_assert_int_eq(h, 224);
    cnn_augment_chain_free(chain);

    chain = parse_ok("pad amount=2,3 mode=reflect ; center-crop fraction=0.5 ; "
                     "grayscale channels=1");
    ck_assert_cnn_ok(cnn_augment_chain_output_shape(chain, 100, 50, 3, &w, &h, &c));
    ck_assert_int_eq(w, 52); /* 104 - 2 * int(52 / 2) */
    ck_assert_int_eq(h, 28); /* 56 - 2 * int(28 / 2) */
    ck_assert_int_eq(c, 1);
    /* Sizes that cannot work are refused before any frame. */
    ck_assert_int_eq(cnn_augment_chain_output_size(chain, 1, 1, &w, &h), CNN_ERR_INVALID_ARG);
    cnn_augment_chain_free(chain);

    chain = parse_ok("   ");
    ck_assert_int_eq(cnn_augment_chain_length(chain), 0);
    ck_assert_cnn_ok(cnn_augment_chain_output_size(chain, 7, 5, &w, &h));
    ck_assert_int_eq(w, 7);
    cnn_augment_chain_free(chain);

    chain = parse_ok("crop size=64,32");
    ck_assert_cnn_ok(cnn_augment_chain_output_size(chain, 100, 100, &w, &h));
    ck_assert_int_eq(w, 64);
    ck_assert_int_eq(h, 32);
    ck_assert_int_eq(cnn_augment_chain_output_size(chain, 50, 100, &w, &h),
                     CNN_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "crop"));
    cnn_augment_chain_free(chain);
}
END_TEST

START_TEST(parse_errors_name_transform_and_parameter)
{
    parse_fails("flip-h ; blur radius=3", "unknown transform \"blur\"", "step 2");
    parse_fails("rotate degrees=abc", "rotate", "degrees");
    parse_fails("rotate degrees=10,20,30", "rotate", "degrees");
    parse_fails("rotate degrees=-5", "rotate", "degrees");
    parse_fails("rotate degrees=20,10", "rotate", "lo > hi");
    parse_fails("rotate", "rotate", "degrees: required");
    parse_fails("rotate degrees=5 interp=cubic", "interp", "\"cubic\"");
    parse_fails("flip-v p=1.5", "flip-v", "p");
    parse_fails("flip-v q=1", "flip-v", "unknown parameter \"q\"");
    parse_fails("flip-v p", "flip-v", "key=value");
    parse_fails("resize size=10 p=0.5", "resize", "p");
    parse_fails("resize size=10.5", "resize", "size");
    parse_fails("resize size=0", "resize", "size");
    parse_fails("pad amount=1,2,3", "pad", "amount");
    parse_fails("center-crop", "center-crop", "size and fraction");
    parse_fails("posterize bits=9", "posterize", "bits");
    parse_fails("hue shift=0.7", "hue", "shift");
    parse_fails("color-jitter", "color-jitter", "at least one");
    parse_fails("brightness factor=1 factor=2", "brightness", "twice");
    parse_fails("grayscale channels=1 p=0.5", "grayscale", "p");
    parse_fails("rotate degrees=10 expand=1", "rotate", "expand");
    parse_fails("perspective border=wrap", "perspective", "border");
}
END_TEST

static int params_equal(const cnn_augment_params *a, const cnn_augment_params *b)
{
    if (a->n_steps != b->n_steps)
        return 0;
    for (int i = 0; i < a->n_steps; i++) {
        const cnn_augment_step_params *x = &a->steps[i], *y = &b->steps[i];
        if (x->applied != y->applied || x->n_values != y->n_values)
            return 0;
        for (int k = 0; k < x->n_values; k++)
            if (x->values[k] != y->values[k] || strcmp(x->names[k], y->names[k]))
                return 0;
    }
    return 1;
}

START_TEST(draw_is_a_function_of_the_key)
{
    uint64_t seed = test_seed();
    cnn_augment_chain *chain = parse_ok(brief_chain);
    cnn_augment_params a, b;
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, 7, 2, 640, 480, 3, &a));
    /* Draw other keys in between: nothing carries over. */
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed + 1, 8, 0, 640, 480, 3, &b));
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, 7, 2, 640, 480, 3, &b));
    ck_assert(params_equal(&a, &b));
    ck_assert_str_eq(a.steps[1].transform, "rotate");
    ck_assert_str_eq(a.steps[1].names[0], "angle");
    ck_assert_str_eq(a.steps[3].names[2], "width");

    /* Seed, frame key and sample each change the draw. */
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed + 1, 7, 2, 640, 480, 3, &b));
    ck_assert(!params_equal(&a, &b));
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, 8, 2, 640, 480, 3, &b));
    ck_assert(!params_equal(&a, &b));
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, 7, 3, 640, 480, 3, &b));
    ck_assert(!params_equal(&a, &b));
    cnn_augment_chain_free(chain);
}
END_TEST

START_TEST(draw_ranges_and_probability)
{
    uint64_t seed = test_seed();
    cnn_augment_chain *chain = parse_ok(brief_chain);
    int flips = 0, n = 2000;
    double angle_min = 1e9, angle_max = -1e9;
    int orders[10000] = { 0 };
    for (int i = 0; i < n; i++) {
        cnn_augment_params p;
        ck_assert_cnn_ok(cnn_augment_draw(chain, seed, (uint64_t)i, 0, 640, 480, 3, &p));
        flips += p.steps[0].applied;
        ck_assert_int_eq(p.steps[0].n_values, 0);
        for (int k = 1; k < 4; k++)
            ck_assert(p.steps[k].applied);
        double angle = p.steps[1].values[0];
        ck_assert(angle >= -15 && angle <= 15);
        angle_min = angle < angle_min ? angle : angle_min;
        angle_max = angle > angle_max ? angle : angle_max;
        const cnn_augment_step_params *j = &p.steps[2];
        ck_assert(j->values[0] >= 0.8 && j->values[0] <= 1.2);
        ck_assert(j->values[1] >= 0.8 && j->values[1] <= 1.2);
        orders[(int)j->values[4]]++;
        const cnn_augment_step_params *r = &p.steps[3];
        double x = r->values[0], y = r->values[1], w = r->values[2], h = r->values[3];
        ck_assert(x >= 0 && y >= 0 && x + w <= 640 && y + h <= 480);
        ck_assert(w * h >= 0.8 * 640 * 480 - 2 * 640 && w * h <= 640 * 480);
        ck_assert(w / h >= 0.74 && w / h <= 1.34);
    }
    /* p = 0.5 over 2000 draws: within 5 standard deviations (~112). */
    ck_assert_msg(abs(flips - n / 2) < 112, "%d flips of %d", flips, n);
    ck_assert(angle_min < -14 && angle_max > 14);
    /* All 24 orders of the four adjustments occur. */
    int distinct = 0;
    for (int i = 0; i < 10000; i++)
        distinct += orders[i] > 0;
    ck_assert_int_eq(distinct, 24);
    cnn_augment_chain_free(chain);
}
END_TEST

/* A test frame: smooth gradients plus a pattern, packed RGB. */
static uint8_t *test_frame(int w, int h)
{
    uint8_t *f = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                f[(y * w + x) * 3 + c] = (uint8_t)((x * 255 / w + c * 60 + ((x ^ y) & 15) * 4 +
                                                    y * 128 / h) % 256);
    return f;
}

/* Run chain with the drawn params of key (seed, frame, 0). */
static void run_chain(cnn_context *ctx, const cnn_augment_chain *chain, uint64_t seed,
                      uint64_t frame, const cnn_frame *src, cnn_frame *dst)
{
    cnn_augment_params p;
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, frame, 0, src->width, src->height,
                                      src->channels, &p));
    size_t ws_size = cnn_augment_workspace_size(chain, src->width, src->height, src->channels,
                                                src->type, ctx ? cnn_context_threads(ctx) : 1);
    void *ws = cnn_aligned_alloc(ws_size ? ws_size : 1);
    ck_assert_cnn_ok(cnn_augment_apply(ctx, chain, &p, src, dst, ws));
    cnn_aligned_free(ws);
}

/* Run description on a test frame with 1, 2 and 3 threads (8-bit packed,
 * or float planar) and require identical bytes. */
static void same_on_any_thread_count(const char *description, int is_float)
{
    uint64_t seed = test_seed();
    const int w = 161, h = 97;
    cnn_augment_chain *chain = parse_ok(description);
    int ow, oh, oc;
    ck_assert_cnn_ok(cnn_augment_chain_output_shape(chain, w, h, 3, &ow, &oh, &oc));
    uint8_t *frame = test_frame(w, h);
    size_t esize = is_float ? 4 : 1, n_out = (size_t)ow * oh * oc * esize;
    float *fframe = malloc((size_t)w * h * 3 * sizeof *fframe);
    for (int i = 0; i < w * h * 3; i++)
        fframe[i] = (float)frame[i] / 255.0f;
    uint8_t *out[3];
    for (int n = 1; n <= 3; n++) {
        cnn_context *ctx;
        ck_assert_cnn_ok(cnn_context_create(&ctx, n));
        out[n - 1] = malloc(n_out);
        cnn_frame src, dst;
        if (is_float) {
            cnn_frame_init(&src, fframe, w, h, 3, CNN_FRAME_F32, CNN_FRAME_PLANAR);
            cnn_frame_init(&dst, out[n - 1], ow, oh, oc, CNN_FRAME_F32, CNN_FRAME_PLANAR);
        } else {
            cnn_frame_init(&src, frame, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
            cnn_frame_init(&dst, out[n - 1], ow, oh, oc, CNN_FRAME_U8, CNN_FRAME_PACKED);
        }
        run_chain(ctx, chain, seed, 5, &src, &dst);
        cnn_context_destroy(ctx);
    }
    ck_assert_mem_eq(out[0], out[1], n_out);
    ck_assert_mem_eq(out[0], out[2], n_out);
    for (int n = 0; n < 3; n++)
        free(out[n]);
    free(frame);
    free(fframe);
    cnn_augment_chain_free(chain);
}

static const char *const thread_chains[] = {
    "flip-h ; affine degrees=20 translate=0.1,0.1 scale=0.8,1.2 shear=10 ; "
    "color-jitter brightness=0.3 contrast=0.3 saturation=0.3 hue=0.1 ; "
    "resized-crop size=67,45 scale=0.5,1 interp=bicubic ; gamma gamma=0.7,1.3 ; "
    "gaussian-blur kernel=7,5 ; erasing p=1 ; gaussian-noise std=5 ; salt-pepper amount=0.05",
    "perspective p=1 border=reflect ; motion-blur kernel=7 ; sharpen factor=0.5,2 ; "
    "equalize ; autocontrast ; channel-shuffle ; rotate degrees=40 interp=nearest ; "
    "resize size=90,60 fit=letterbox interp=area ; pad amount=3 mode=symmetric ; "
    "crop size=80,50 ; flip-v p=1 ; solarize ; posterize bits=5 ; grayscale channels=1",
    /* the fixed-point warp kernel: an affine warp and bilinear shrinking */
    "rotate degrees=-30,30 ; resize size=101,53 ; resized-crop size=40,30 scale=0.3,1",
};

START_TEST(threads_do_not_change_pixels)
{
    same_on_any_thread_count(thread_chains[_i / 2], _i % 2);
}
END_TEST

/* One chain used by two threads at once, each with its own context. */
typedef struct shared_run {
    const cnn_augment_chain *chain;
    uint64_t frame;
    const uint8_t *in;
    uint8_t out[67 * 45 * 3];
} shared_run;

static void *shared_thread(void *arg)
{
    shared_run *r = arg;
    cnn_context *ctx;
    if (cnn_context_create(&ctx, 1) != CNN_OK)
        return NULL;
    cnn_frame src, dst;
    cnn_frame_init(&src, (void *)r->in, 161, 97, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&dst, r->out, 67, 45, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    for (int rep = 0; rep < 20; rep++) {
        cnn_augment_params p;
        size_t ws_size = cnn_augment_workspace_size(r->chain, 161, 97, 3, CNN_FRAME_U8, 1);
        void *ws = cnn_aligned_alloc(ws_size);
        cnn_augment_draw(r->chain, 9, r->frame, 0, 161, 97, 3, &p);
        cnn_augment_apply(ctx, r->chain, &p, &src, &dst, ws);
        cnn_aligned_free(ws);
    }
    cnn_context_destroy(ctx);
    return NULL;
}

START_TEST(chain_shared_by_threads)
{
    cnn_augment_chain *chain = parse_ok(thread_chains[0]);
    uint8_t *frame = test_frame(161, 97);
    shared_run runs[2] = { { chain, 1, frame, { 0 } }, { chain, 2, frame, { 0 } } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, shared_thread, &runs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        uint8_t alone[67 * 45 * 3];
        cnn_frame src, dst;
        cnn_frame_init(&src, frame, 161, 97, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
        cnn_frame_init(&dst, alone, 67, 45, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
        run_chain(NULL, chain, 9, runs[i].frame, &src, &dst);
        ck_assert_mem_eq(alone, runs[i].out, sizeof alone);
    }
    ck_assert(memcmp(runs[0].out, runs[1].out, sizeof runs[0].out) != 0);
    free(frame);
    cnn_augment_chain_free(chain);
}
END_TEST

START_TEST(packed_and_planar_agree)
{
    uint64_t seed = test_seed();
    const int w = 64, h = 48;
    cnn_augment_chain *chain = parse_ok(
        "flip-h p=1 ; rotate degrees=30 ; color-jitter saturation=0.5 hue=0.2 ; "
        "pad amount=3 mode=symmetric ; "
        "resize size=50,40");
    uint8_t *packed = test_frame(w, h), *planar = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h; i++)
        for (int c = 0; c < 3; c++)
            planar[c * w * h + i] = packed[i * 3 + c];
    uint8_t out_packed[50 * 40 * 3], out_planar[50 * 40 * 3];
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
    cnn_frame src, dst;
    cnn_frame_init(&src, packed, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&dst, out_packed, 50, 40, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    run_chain(ctx, chain, seed, 1, &src, &dst);
    cnn_frame_init(&src, planar, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PLANAR);
    cnn_frame_init(&dst, out_planar, 50, 40, 3, CNN_FRAME_U8, CNN_FRAME_PLANAR);
    run_chain(ctx, chain, seed, 1, &src, &dst);
    for (int i = 0; i < 50 * 40; i++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(out_packed[i * 3 + c], out_planar[c * 50 * 40 + i]);
    cnn_context_destroy(ctx);
    free(packed);
    free(planar);
    cnn_augment_chain_free(chain);
}
END_TEST

/* Mutated descriptions: the parser accepts or refuses each with a message,
 * never crashes; what it accepts runs on a small frame. */
START_TEST(parser_survives_mutations)
{
    static const char *seeds[] = {
        "flip-h p=0.5 ; rotate degrees=-15,15 ; color-jitter brightness=0.2 contrast=0.2",
        "resized-crop size=24 scale=0.8,1.0 ; pad amount=1,2,3,4 mode=reflect",
        "perspective p=1 distortion=0.3 border=reflect ; gaussian-blur kernel=3,5 sigma=1",
        "erasing p=1 value=1,2,3 ; motion-blur kernel=5 ; channel-shuffle ; equalize",
        "resize size=20,10 fit=letterbox fill=9 ; center-crop fraction=0.5 ; hue shift=0.1",
    };
    static const char alphabet[] = "abcdefghijklmnoprstuvwxyz-0123456789.,;= e+";
    uint64_t seed = test_seed();
    cnn_rng_key key = { seed, 77 };
    uint64_t pos = 0;
    uint8_t frame[32 * 24 * 3], out[512 * 512 * 3];
    memset(frame, 100, sizeof frame);
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char text[256];
        snprintf(text, sizeof text, "%s", seeds[iter % 5]);
        int edits = 1 + (int)(cnn_rng_u32(key, pos++) % 4);
        for (int e = 0; e < edits; e++) {
            size_t len = strlen(text), at = cnn_rng_u32(key, pos++) % (len + 1);
            char ch = alphabet[cnn_rng_u32(key, pos++) % (sizeof alphabet - 1)];
            int op = (int)(cnn_rng_u32(key, pos++) % 3);
            if (op == 0 && at < len)
                text[at] = ch;
            else if (op == 1 && at < len)
                memmove(text + at, text + at + 1, len - at);
            else if (len + 1 < sizeof text) {
                memmove(text + at + 1, text + at, len - at + 1);
                text[at] = ch;
            }
        }
        cnn_augment_chain *chain;
        if (cnn_augment_chain_parse(&chain, text) != CNN_OK) {
            ck_assert_msg(!strncmp(cnn_last_error(), "augment: ", 9), "\"%s\": \"%s\"", text,
                          cnn_last_error());
            continue;
        }
        accepted++;
        int w, h, c;
        cnn_augment_params p;
        if (cnn_augment_chain_output_shape(chain, 32, 24, 3, &w, &h, &c) == CNN_OK &&
            (size_t)w * h * c <= sizeof out &&
            cnn_augment_draw(chain, seed, (uint64_t)iter, 0, 32, 24, 3, &p) == CNN_OK) {
            cnn_frame src, dst;
            cnn_frame_init(&src, frame, 32, 24, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
            cnn_frame_init(&dst, out, w, h, c, CNN_FRAME_U8, CNN_FRAME_PACKED);
            size_t ws_size = cnn_augment_workspace_size(chain, 32, 24, 3, CNN_FRAME_U8, 1);
            void *ws = cnn_aligned_alloc(ws_size ? ws_size : 1);
            ck_assert_cnn_ok(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws));
            cnn_aligned_free(ws);
        }
        cnn_augment_chain_free(chain);
    }
    /* Some edits land where the parser still takes the text (about 2 %). */
    ck_assert_int_gt(accepted, 200);
}
END_TEST

/* Every transform on frames down to one pixel: applies or is refused with a
 * message, never reads or writes outside (run under valgrind too). */
START_TEST(tiny_frames)
{
    static const char *const steps[] = {
        "flip-h p=1", "flip-v p=1", "resize size=3,2", "resize size=5 interp=bicubic",
        "resize size=2 interp=area", "resize size=4,3 fit=letterbox", "resize size=2 fit=shorter",
        "resize size=3 interp=nearest", "rescale scale=2", "crop size=1", "center-crop size=3",
        "center-crop fraction=0.5", "resized-crop size=3", "pad amount=1 mode=reflect",
        "pad amount=1 mode=symmetric", "pad amount=2 mode=edge", "rotate degrees=30",
        "rotate degrees=90,90 expand=1", "affine degrees=10 shear=5 border=reflect",
        "translate fraction=0.5", "zoom scale=0.5,2", "perspective p=1",
        "perspective p=1 interp=nearest border=reflect", "brightness factor=1.5",
        "contrast factor=0.5", "saturation factor=2", "hue shift=0.3",
        "color-jitter brightness=0.5 hue=0.5", "gamma gamma=2", "grayscale", "invert",
        "solarize", "posterize", "autocontrast", "equalize", "channel-shuffle",
        "gaussian-blur kernel=3", "motion-blur kernel=3", "sharpen factor=3", "erasing p=1",
        "gaussian-noise std=20", "salt-pepper amount=0.5",
    };
    static const int sizes[][2] = { { 1, 1 }, { 2, 1 }, { 1, 3 }, { 3, 2 }, { 2, 2 } };
    uint8_t in[64 * 3], out[64 * 3];
    for (int i = 0; i < 64 * 3; i++)
        in[i] = (uint8_t)(i * 53);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        cnn_augment_chain *chain = parse_ok(steps[k]);
        for (int z = 0; z < 5; z++) {
            int w = sizes[z][0], h = sizes[z][1], ow, oh, oc;
            cnn_augment_params p;
            if (cnn_augment_chain_output_shape(chain, w, h, 3, &ow, &oh, &oc) != CNN_OK ||
                cnn_augment_draw(chain, test_seed(), (uint64_t)z, 0, w, h, 3, &p) != CNN_OK) {
                ck_assert_msg(!strncmp(cnn_last_error(), "augment: ", 9), "%s", cnn_last_error());
                continue;
            }
            ck_assert_int_le(ow * oh * oc, 64 * 3);
            size_t ws_size = cnn_augment_workspace_size(chain, w, h, 3, CNN_FRAME_U8, 1);
            void *ws = cnn_aligned_alloc(ws_size ? ws_size : 1);
            cnn_frame src, dst;
            cnn_frame_init(&src, in, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
            cnn_frame_init(&dst, out, ow, oh, oc, CNN_FRAME_U8, CNN_FRAME_PACKED);
            ck_assert_msg(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws) == CNN_OK,
                          "%s on %dx%d: %s", steps[k], w, h, cnn_last_error());
            cnn_aligned_free(ws);
        }
        cnn_augment_chain_free(chain);
    }
}
END_TEST

START_TEST(params_as_json)
{
    cnn_augment_chain *chain =
        parse_ok("flip-h p=0 ; rotate degrees=30,30 ; center-crop size=2 ; brightness factor=0.1");
    cnn_augment_params p;
    ck_assert_cnn_ok(cnn_augment_draw(chain, 1, 2, 3, 4, 4, 3, &p));
    const char *expect =
        "{\"seed\":1,\"frame\":2,\"sample\":3,\"steps\":["
        "{\"transform\":\"flip-h\",\"applied\":false},"
        "{\"transform\":\"rotate\",\"applied\":true,\"angle\":30},"
        "{\"transform\":\"center-crop\",\"applied\":true,\"x\":1,\"y\":1,\"width\":2,"
        "\"height\":2},"
        "{\"transform\":\"brightness\",\"applied\":true,\"factor\":0.10000000000000001}]}";
    char buf[512];
    size_t n = cnn_augment_params_json(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, expect);
    ck_assert_uint_eq(n, strlen(expect));
    /* A short buffer: truncated, terminated, the full length returned. */
    char small[16];
    ck_assert_uint_eq(cnn_augment_params_json(&p, small, sizeof small), strlen(expect));
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_uint_eq(cnn_augment_params_json(&p, NULL, 0), strlen(expect));
    cnn_augment_chain_free(chain);
}
END_TEST

START_TEST(rgbx_and_bgrx_frames)
{
    uint64_t seed = test_seed();
    const int w = 40, h = 30;
    const char *desc = "flip-h p=1 ; color-jitter brightness=0.3 saturation=0.5 hue=0.2 ; "
                       "rotate degrees=20 ; resize size=33,21 ; grayscale";
    cnn_augment_chain *chain = parse_ok(desc);
    uint8_t *rgb = test_frame(w, h), *bgrx = malloc((size_t)w * h * 4);
    for (int i = 0; i < w * h; i++) {
        bgrx[4 * i] = rgb[3 * i + 2], bgrx[4 * i + 1] = rgb[3 * i + 1];
        bgrx[4 * i + 2] = rgb[3 * i], bgrx[4 * i + 3] = 0xA5;
    }
    uint8_t out_rgb[33 * 21 * 3], out_bgrx[33 * 21 * 4];
    memset(out_bgrx, 0x5A, sizeof out_bgrx);
    cnn_frame src, dst;
    cnn_frame_init(&src, rgb, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&dst, out_rgb, 33, 21, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    run_chain(NULL, chain, seed, 3, &src, &dst);
    /* BGRx: three channels from R backwards, four bytes a pixel. */
    cnn_frame_init(&src, bgrx + 2, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    src.row_stride = 4 * w, src.pixel_stride = 4, src.channel_step = -1;
    cnn_frame_init(&dst, out_bgrx + 2, 33, 21, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    dst.row_stride = 4 * 33, dst.pixel_stride = 4, dst.channel_step = -1;
    run_chain(NULL, chain, seed, 3, &src, &dst);
    for (int i = 0; i < 33 * 21; i++) {
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(out_bgrx[4 * i + 2 - c], out_rgb[3 * i + c]);
        ck_assert_int_eq(out_bgrx[4 * i + 3], 0x5A); /* x bytes untouched */
    }
    /* A channel step that does not fit in the pixel is refused. */
    cnn_augment_params p;
    ck_assert_cnn_ok(cnn_augment_draw(chain, seed, 3, 0, w, h, 3, &p));
    src.pixel_stride = 2;
    ck_assert_int_eq(cnn_augment_apply(NULL, chain, &p, &src, &dst, NULL), CNN_ERR_SHAPE);
    free(rgb);
    free(bgrx);
    cnn_augment_chain_free(chain);
}
END_TEST

/* One-channel 4x3 ramp through a chain with fixed values, by hand. */
static void by_hand(const char *description, int out_w, int out_h, const uint8_t *expect)
{
    uint8_t img[12], out[64];
    for (int i = 0; i < 12; i++)
        img[i] = (uint8_t)(10 * i);
    cnn_augment_chain *chain = parse_ok(description);
    cnn_frame src, dst;
    cnn_frame_init(&src, img, 4, 3, 1, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&dst, out, out_w, out_h, 1, CNN_FRAME_U8, CNN_FRAME_PACKED);
    run_chain(NULL, chain, 1, 0, &src, &dst);
    ck_assert_mem_eq(out, expect, (size_t)out_w * out_h);
    cnn_augment_chain_free(chain);
}

START_TEST(small_cases_by_hand)
{
    /* 0 10 20 30 / 40 50 60 70 / 80 90 100 110 */
    by_hand("flip-h p=1", 4, 3,
            (const uint8_t[]){ 30, 20, 10, 0, 70, 60, 50, 40, 110, 100, 90, 80 });
    by_hand("flip-v p=1 ; flip-h p=0", 4, 3,
            (const uint8_t[]){ 80, 90, 100, 110, 40, 50, 60, 70, 0, 10, 20, 30 });
    by_hand("center-crop size=2,1", 2, 1, (const uint8_t[]){ 50, 60 });
    by_hand("pad amount=2,0 mode=reflect ; center-crop size=8,1 ; flip-v p=0", 8, 1,
            (const uint8_t[]){ 60, 50, 40, 50, 60, 70, 60, 50 });
    by_hand("pad amount=1,1,2,0 mode=constant fill=7 ; center-crop size=7,4", 7, 4,
            (const uint8_t[]){ 7, 7, 7, 7, 7, 7, 7, 7, 0, 10, 20, 30, 7, 7, 7, 40, 50, 60, 70, 7, 7,
                               7, 80, 90, 100, 110, 7, 7 });
    by_hand("pad amount=2,1,2,1 mode=symmetric ; center-crop size=8,5", 8, 5,
            (const uint8_t[]){ 10, 0, 0, 10, 20, 30, 30, 20, 10, 0, 0, 10, 20, 30, 30, 20, 50, 40,
                               40, 50, 60, 70, 70, 60, 90, 80, 80, 90, 100, 110, 110, 100, 90, 80,
                               80, 90, 100, 110, 110, 100 });
    by_hand("pad amount=1 mode=edge ; invert ; center-crop size=6,1", 6, 1,
            (const uint8_t[]){ 215, 215, 205, 195, 185, 185 });
    by_hand("resize size=2,3 interp=nearest", 2, 3,
            (const uint8_t[]){ 0, 20, 40, 60, 80, 100 });
    by_hand("resize size=2,3 interp=area", 2, 3, (const uint8_t[]){ 5, 25, 45, 65, 85, 105 });
    by_hand("solarize threshold=60 ; posterize bits=3", 4, 3,
            (const uint8_t[]){ 0, 0, 0, 0, 32, 32, 192, 160, 160, 160, 128, 128 });
}
END_TEST

/* Noise on a flat grey 8-bit frame (no outside reference: the statistics
 * are the reference). */
static void grey_noise(const char *description, uint64_t frame, uint8_t *out, int w, int h)
{
    uint8_t *grey = malloc((size_t)w * h * 3);
    memset(grey, 128, (size_t)w * h * 3);
    cnn_augment_chain *chain = parse_ok(description);
    cnn_frame src, dst;
    cnn_frame_init(&src, grey, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PLANAR);
    cnn_frame_init(&dst, out, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    run_chain(NULL, chain, test_seed(), frame, &src, &dst);
    cnn_augment_chain_free(chain);
    free(grey);
}

START_TEST(noise_statistics)
{
    enum { W = 200, H = 150, N = W * H * 3 };
    static uint8_t a[N], b[N];
    grey_noise("gaussian-noise std=10", 0, a, W, H);
    double sum = 0, sq = 0, cross = 0;
    for (int i = 0; i < N; i++) {
        double d = a[i] - 128.0;
        sum += d, sq += d * d;
        if (i % 3 == 0)
            cross += d * (a[i + 1] - 128.0);
    }
    double mean = sum / N, std = sqrt(sq / N - mean * mean), corr = cross / (N / 3) / (std * std);
    /* 90000 samples: the mean within 0.2 (6 standard errors), the standard
     * deviation (rounding adds 1/12 to the variance) within 3 %, channels
     * uncorrelated. */
    ck_assert_msg(fabs(mean) < 0.2, "mean %g", mean);
    ck_assert_msg(fabs(std - sqrt(100.0 + 1.0 / 12)) < 0.3, "std %g", std);
    ck_assert_msg(fabs(corr) < 0.03, "channel correlation %g", corr);
    grey_noise("gaussian-noise std=10", 0, b, W, H);
    ck_assert_mem_eq(a, b, N);
    grey_noise("gaussian-noise std=10", 1, b, W, H);
    ck_assert(memcmp(a, b, N) != 0);

    grey_noise("salt-pepper amount=0.1 salt=0.3", 0, a, W, H);
    int salt = 0, pepper = 0;
    for (int i = 0; i < W * H; i++) {
        const uint8_t *px = a + 3 * i;
        ck_assert(px[0] == px[1] && px[1] == px[2]);
        ck_assert(px[0] == 0 || px[0] == 128 || px[0] == 255);
        salt += px[0] == 255, pepper += px[0] == 0;
    }
    /* 30000 pixels: expected 900 salt and 2100 pepper, within 5 sigma. */
    ck_assert_msg(abs(salt - 900) < 150 && abs(pepper - 2100) < 220, "salt %d pepper %d", salt,
                  pepper);
}
END_TEST

START_TEST(apply_checks_frames)
{
    cnn_augment_chain *chain = parse_ok("resize size=8 ; brightness factor=1.5");
    uint8_t in[16 * 16 * 3], out[8 * 8 * 3];
    for (int i = 0; i < 16 * 16 * 3; i++)
        in[i] = (uint8_t)(i * 37);
    float fout[8 * 8 * 3];
    cnn_augment_params p;
    ck_assert_cnn_ok(cnn_augment_draw(chain, 1, 0, 0, 16, 16, 3, &p));
    size_t ws_size = cnn_augment_workspace_size(chain, 16, 16, 3, CNN_FRAME_U8, 1);
    ck_assert_uint_gt(ws_size, 0);
    void *ws = cnn_aligned_alloc(ws_size);
    cnn_frame src, dst;
    cnn_frame_init(&src, in, 16, 16, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&dst, out, 7, 8, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    ck_assert_int_eq(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws), CNN_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "8x8x3"));
    /* A float output of an 8-bit source: the 8-bit result over 255. */
    cnn_frame_init(&dst, fout, 8, 8, 3, CNN_FRAME_F32, CNN_FRAME_PLANAR);
    ck_assert_cnn_ok(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws));
    cnn_frame_init(&dst, out, 8, 8, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    ck_assert_cnn_ok(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws));
    for (int i = 0; i < 64; i++)
        for (int c = 0; c < 3; c++)
            ck_assert_float_eq(fout[c * 64 + i], (float)out[i * 3 + c] / 255.0f);
    cnn_frame_init(&dst, out, 8, 8, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    cnn_frame_init(&src, in, 16, 15, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    ck_assert_int_eq(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws), CNN_ERR_SHAPE);
    cnn_frame_init(&src, in, 16, 16, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
    ck_assert_cnn_ok(cnn_augment_apply(NULL, chain, &p, &src, &dst, ws));
    cnn_augment_chain *other = parse_ok("resize size=8 ; contrast factor=1.5");
    ck_assert_int_eq(cnn_augment_apply(NULL, other, &p, &src, &dst, ws), CNN_ERR_INVALID_ARG);
    cnn_augment_chain_free(other);
    cnn_aligned_free(ws);
    cnn_augment_chain_free(chain);

    /* Float to 8-bit through the empty chain: k / 255 back to k. */
    float ramp[256];
    uint8_t back[256];
    for (int k = 0; k < 256; k++)
        ramp[k] = (float)k / 255.0f;
    chain = parse_ok("");
    ck_assert_cnn_ok(cnn_augment_draw(chain, 1, 0, 0, 256, 1, 1, &p));
    cnn_frame_init(&src, ramp, 256, 1, 1, CNN_FRAME_F32, CNN_FRAME_PLANAR);
    cnn_frame_init(&dst, back, 256, 1, 1, CNN_FRAME_U8, CNN_FRAME_PLANAR);
    ck_assert_cnn_ok(cnn_augment_apply(NULL, chain, &p, &src, &dst, NULL));
    for (int k = 0; k < 256; k++)
        ck_assert_int_eq(back[k], k);
    cnn_augment_chain_free(chain);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("augment");
    TCase *tc = tcase_create("augment");
    tcase_add_test(tc, parse_description_and_sizes);
    tcase_add_test(tc, parse_errors_name_transform_and_parameter);
    tcase_add_test(tc, draw_is_a_function_of_the_key);
    tcase_add_test(tc, draw_ranges_and_probability);
    tcase_add_loop_test(tc, threads_do_not_change_pixels, 0, 6);
    tcase_add_test(tc, chain_shared_by_threads);
    tcase_add_test(tc, packed_and_planar_agree);
    tcase_add_test(tc, small_cases_by_hand);
    tcase_add_test(tc, rgbx_and_bgrx_frames);
    tcase_add_test(tc, params_as_json);
    tcase_add_test(tc, tiny_frames);
    tcase_add_test(tc, parser_survives_mutations);
    tcase_add_test(tc, noise_statistics);
    tcase_add_test(tc, apply_checks_frames);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
