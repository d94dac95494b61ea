/* Edge detection against OpenCV on real frames of the opencv-doc clips.
 * tests/ref/edge_ref.py decodes the frames and writes cv2's results into a
 * temporary directory; each case of its manifest is one test here:
 * - gradient magnitudes and Laplacians: every pixel within 0 grey levels of
 *   cv2 (1 where a scale other than 1 makes cv2 round each gradient apart);
 * - Canny: F1 score of our edge pixels against cv2.Canny's >= 0.95 (the
 *   measured scores are printed; they are 1.0 where the semantics match);
 * - the Gaussian blur before Canny: bit-exact against cv2.GaussianBlur for
 *   8 bits, within 1e-3 for float;
 * - float gradients and their direction against cv2 in float and atan2.
 * Every case runs twice: on the context's best kernels and on the C
 * reference kernels. The 8-bit path runs with 2 threads, the
 * float path on the same frames (magnitudes rounded, within 1 grey level;
 * Canny F1 >= 0.95 where no 8-bit blur comes first). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/edge_internal.h"
#include "testutil.h"

#define MAX_CASES 256
#define MAX_FRAMES 8

typedef struct ref_frame {
    char name[32];
    int width, height;
    uint8_t *gray;
} ref_frame;

typedef struct ref_case {
    char kind[16], frame[32], method[16], norm[4], lap[4], file[160];
    int aperture;
    double sigma, low, high, scale;
} ref_case;

static char dir[256];
static ref_frame frames[MAX_FRAMES];
static int n_frames;
static ref_case cases[MAX_CASES];
static int n_cases;

static int load_manifest(void)
{
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "frame ", 6) && n_frames < MAX_FRAMES) {
            ref_frame *fr = &frames[n_frames];
            if (sscanf(line, "frame %31s %d %d", fr->name, &fr->width, &fr->height) != 3)
                continue;
            char file[64];
            snprintf(file, sizeof file, "%s.gray", fr->name);
            fr->gray = test_read_file(dir, file, (size_t)fr->width * fr->height);
            if (fr->gray)
                n_frames++;
        } else if (n_cases < MAX_CASES) {
            ref_case *c = &cases[n_cases];
            if (sscanf(line, "%15s %31s %15s %3s %d %3s %lf %lf %lf %lf %159s", c->kind,
                       c->frame, c->method, c->norm, &c->aperture, c->lap, &c->sigma, &c->low,
                       &c->high, &c->scale, c->file) == 11)
                n_cases++;
        }
    }
    fclose(f);
    return 0;
}

static const ref_frame *frame_of(const ref_case *c)
{
    for (int i = 0; i < n_frames; i++)
        if (!strcmp(frames[i].name, c->frame))
            return &frames[i];
    return NULL;
}

static void params_of(const ref_case *c, cnn_edge_params *p)
{
    cnn_edge_method m = CNN_EDGE_SOBEL;
    if (!strcmp(c->method, "scharr"))
        m = CNN_EDGE_SCHARR;
    else if (!strcmp(c->method, "prewitt"))
        m = CNN_EDGE_PREWITT;
    else if (!strcmp(c->method, "laplacian"))
        m = CNN_EDGE_LAPLACIAN;
    else if (!strcmp(c->method, "canny"))
        m = CNN_EDGE_CANNY;
    cnn_edge_params_init(p, m);
    p->norm = strcmp(c->norm, "l2") ? CNN_EDGE_L1 : CNN_EDGE_L2;
    p->aperture = c->aperture;
    p->laplacian = !strcmp(c->lap, "8")    ? CNN_LAPLACIAN_8
                   : !strcmp(c->lap, "a3") ? CNN_LAPLACIAN_APERTURE3
                   : !strcmp(c->lap, "a5") ? CNN_LAPLACIAN_APERTURE5
                                           : CNN_LAPLACIAN_4;
    p->blur_sigma = (float)c->sigma;
    p->threshold_low = (float)c->low;
    p->threshold_high = (float)c->high;
    p->scale = (float)c->scale;
}

/* F1 score of the edge pixels (non-zero) of ours against the reference. */
static double edge_f1(const uint8_t *ours, const uint8_t *ref, size_t n)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        tp += ours[i] && ref[i];
        fp += ours[i] && !ref[i];
        fn += !ours[i] && ref[i];
    }
    return tp + fp + fn ? 2.0 * tp / (2.0 * tp + fp + fn) : 1.0;
}

/* Pixels differing by more than tol, and the largest difference. */
static size_t count_off(const uint8_t *a, const uint8_t *b, size_t n, int tol, int *worst)
{
    size_t off = 0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs(a[i] - b[i]);
        off += d > tol;
        if (d > *worst)
            *worst = d;
    }
    return off;
}

static void run_u8(cnn_context *ctx, const cnn_edge_params *p, const ref_frame *fr,
                   uint8_t *out)
{
    void *ws = cnn_aligned_alloc(
        cnn_edge_workspace_size(p, fr->width, fr->height, cnn_context_threads(ctx)));
    ck_assert_cnn_ok(cnn_edge_detect_u8(ctx, p, fr->gray, fr->width, out, fr->width,
                                        fr->width, fr->height, ws));
    cnn_aligned_free(ws);
}

static void run_f32(cnn_context *ctx, const cnn_edge_params *p, const ref_frame *fr,
                    uint8_t *out)
{
    size_t n = (size_t)fr->width * fr->height;
    float *src = malloc(n * sizeof *src), *dst = malloc(n * sizeof *dst);
    for (size_t i = 0; i < n; i++)
        src[i] = fr->gray[i];
    void *ws = cnn_aligned_alloc(
        cnn_edge_workspace_size(p, fr->width, fr->height, cnn_context_threads(ctx)));
    ck_assert_cnn_ok(cnn_edge_detect_f32(ctx, p, src, fr->width, dst, fr->width, fr->width,
                                         fr->height, ws));
    for (size_t i = 0; i < n; i++) {
        float v = p->method == CNN_EDGE_CANNY ? dst[i] * 255.0f : dst[i];
        out[i] = v >= 255.0f ? 255 : (uint8_t)lrintf(v);
    }
    cnn_aligned_free(ws);
    free(src);
    free(dst);
}

/* gx, gy exactly as cv2 in float (integer sums), direction within 1e-5 rad
 * of numpy's atan2 modulo 2 pi (a -0 from cv2 may flip pi to -pi). */
static void check_gradients(cnn_context *ctx, const cnn_edge_params *p, const ref_frame *fr,
                            const float *ref)
{
    size_t n = (size_t)fr->width * fr->height;
    float *src = malloc(n * sizeof *src), *g = malloc(3 * n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        src[i] = fr->gray[i];
    void *ws = cnn_aligned_alloc(
        cnn_edge_workspace_size(p, fr->width, fr->height, cnn_context_threads(ctx)));
    ck_assert_cnn_ok(cnn_edge_gradients_f32(ctx, p, src, fr->width, g, g + n, fr->width,
                                            fr->width, fr->height, ws));
    cnn_edge_direction_f32(g, g + n, g + 2 * n, n);
    ck_assert_close(g, ref, 2 * n, 1e-3, 1e-6);
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)g[2 * n + i] - ref[2 * n + i]);
        d = fmin(d, 2 * M_PI - d);
        ck_assert_msg(d <= 1e-5, "direction %zu: %g vs %g", i, (double)g[2 * n + i],
                      (double)ref[2 * n + i]);
    }
    cnn_aligned_free(ws);
    free(src);
    free(g);
}

/* The blurred plane, row by row through the ring the operators read from
 * (rows taken bottom-up, so every row is made on a miss). */
static void blur_plane(cnn_context *ctx, float sigma, const ref_frame *fr, const void *src,
                       int is_f32, void *dst)
{
    size_t row = (size_t)fr->width * (is_f32 ? sizeof(float) : 1);
    void *scratch = cnn_aligned_alloc(cnn_edge_rows_scratch(sigma, fr->width));
    edge_rows rows;
    cnn_edge_rows_init(&rows, cnn_context_kernels(ctx), src, (ptrdiff_t)row, fr->width,
                       fr->height, is_f32, sigma, scratch);
    for (int y = fr->height - 1; y >= 0; y--)
        memcpy((uint8_t *)dst + y * row, edge_row(&rows, y), row);
    cnn_aligned_free(scratch);
}

/* The float blur within 1e-3 grey levels of cv2.GaussianBlur on float32. */
static void check_blur_f32(cnn_context *ctx, const cnn_edge_params *p, const ref_frame *fr,
                           const float *ref)
{
    size_t n = (size_t)fr->width * fr->height;
    float *src = malloc(n * sizeof *src), *dst = malloc(n * sizeof *dst);
    for (size_t i = 0; i < n; i++)
        src[i] = fr->gray[i];
    blur_plane(ctx, p->blur_sigma, fr, src, 1, dst);
    ck_assert_close(dst, ref, n, 1e-3, 1e-5);
    free(src);
    free(dst);
}

START_TEST(matches_opencv)
{
    /* the first pass over the cases on the best kernels, the second on C */
    const ref_case *c = &cases[_i % n_cases];
    int c_kernels = _i >= n_cases;
    const ref_frame *fr = frame_of(c);
    ck_assert_ptr_nonnull(fr);
    size_t n = (size_t)fr->width * fr->height;
    size_t ref_size = !strcmp(c->kind, "gradients") ? 3 * n * sizeof(float)
                      : !strcmp(c->kind, "blur_f32") ? n * sizeof(float)
                                                       : n;
    uint8_t *ref = test_read_file(dir, c->file, ref_size);
    ck_assert_msg(ref != NULL, "cannot read %s", c->file);
    printf("%s%s\n", c->file, c_kernels ? " (C kernels)" : "");
    fflush(stdout);
    uint8_t *ours = malloc(n);
    cnn_edge_params p;
    params_of(c, &p);
    cnn_context *ctx;
    if (c_kernels)
        ck_assert_cnn_ok(cnn_context_create_isa(&ctx, 2, 0));
    else
        ck_assert_cnn_ok(cnn_context_create(&ctx, 2));

    if (!strcmp(c->kind, "gradients")) {
        check_gradients(ctx, &p, fr, (const float *)ref);
    } else if (!strcmp(c->kind, "blur_f32")) {
        check_blur_f32(ctx, &p, fr, (const float *)ref);
    } else if (!strcmp(c->kind, "blur")) {
        blur_plane(ctx, p.blur_sigma, fr, fr->gray, 0, ours);
        int worst;
        size_t off = count_off(ours, ref, n, 0, &worst);
        ck_assert_msg(off == 0, "%s: %zu pixels differ from cv2.GaussianBlur (worst %d)",
                      c->file, off, worst);
    } else if (!strcmp(c->kind, "canny")) {
        run_u8(ctx, &p, fr, ours);
        double f1 = edge_f1(ours, ref, n);
        printf("  F1 %.5f (8-bit)\n", f1);
        fflush(stdout);
        ck_assert_msg(f1 >= 0.95, "%s: F1 %.4f < 0.95", c->file, f1);
        /* cv2 blurs to 8 bits before its Canny; the float path does not
         * round, so only unblurred cases compare it with cv2. */
        if (p.blur_sigma == 0) {
            run_f32(ctx, &p, fr, ours);
            double f1_f32 = edge_f1(ours, ref, n);
            ck_assert_msg(f1_f32 >= 0.95, "%s: float F1 %.4f < 0.95", c->file, f1_f32);
        }
    } else {
        int tol = p.scale == 1.0f ? 0 : 1, worst;
        run_u8(ctx, &p, fr, ours);
        size_t off = count_off(ours, ref, n, tol, &worst);
        ck_assert_msg(off == 0, "%s: %zu pixels off by more than %d (worst %d)", c->file,
                      off, tol, worst);
        run_f32(ctx, &p, fr, ours);
        off = count_off(ours, ref, n, 1, &worst);
        ck_assert_msg(off == 0, "%s (float): %zu pixels off by more than 1 (worst %d)",
                      c->file, off, worst);
    }
    cnn_context_destroy(ctx);
    free(ours);
    free(ref);
}
END_TEST

static void remove_dir(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cnn-edge-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'",
             test_source_path("tests/ref/edge_ref.py"), dir);
    int rc = system(cmd);
    if (rc != 0 || load_manifest() != 0 || n_cases == 0) {
        fprintf(stderr, "tests/ref/edge_ref.py failed (status %d)\n", rc);
        remove_dir();
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("edge_opencv");
    TCase *tc = tcase_create("edge_opencv");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, matches_opencv, 0, 2 * n_cases);
    suite_add_tcase(s, tc);
    rc = test_run_suite(s);
    remove_dir();
    return rc;
}
