/* Augmentation chains against torchvision 0.14 (OpenCV's filter2D for
 * motion-blur, which torchvision lacks) on a real frame (frame 30 of
 * OpenCV's vtest.avi). For each case this program draws the parameters,
 * writes them with the description to cases.txt, and tests/ref/augment_ref.py
 * replays the same steps with torchvision's functional API; each run is one
 * check case comparing every element:
 *   8-bit: within 1 grey level (torchvision rounds or truncates in float32
 *          like us; the last bit can differ where float sums are ordered
 *          differently), except the fraction noted per case;
 *   float: within 1e-3 (a quarter grey level).
 * 8-bit runs go packed to packed (the GStreamer case), float runs planar to
 * packed, so both layouts and a change of layout are covered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

typedef struct ref_case {
    const char *description;
    int samples;          /* draws (frame keys 0..samples-1) */
    int u8_only;          /* no float reference (posterize) */
    double bad_fraction;  /* elements allowed beyond the tolerance */
} ref_case;

static const ref_case cases[] = {
    { "flip-h p=1 ; flip-v p=1", 1, 0, 0 },
    { "resize size=320,240", 1, 0, 0 },
    { "resize size=1000,700 interp=bilinear", 1, 0, 0 },
    { "resize size=301,199 interp=nearest", 1, 0, 0 },
    { "resize size=1536,1152 interp=nearest", 1, 0, 0 },
    { "resize size=301,199 interp=bicubic", 1, 0, 0 },
    { "resize size=900,640 interp=bicubic", 1, 0, 0 },
    { "resize size=300,200 interp=area", 1, 0, 0 },
    { "resize size=300,300 fit=letterbox fill=114", 1, 0, 0 },
    { "resize size=640,200 fit=letterbox interp=bicubic", 1, 0, 0 },
    { "resize size=256 fit=shorter", 1, 0, 0 },
    { "center-crop size=300,201", 1, 0, 0 },
    { "center-crop size=801,600", 1, 0, 0 },
    { "center-crop fraction=0.6", 1, 0, 0 },
    { "crop size=200,100", 3, 0, 0 },
    { "resized-crop size=224 scale=0.3,1", 3, 0, 0 },
    { "resized-crop size=160,120 scale=0.1,0.5 ratio=0.5,2 interp=bicubic", 2, 0, 0 },
    { "pad amount=5,7,11,13 fill=40", 1, 0, 0 },
    { "pad amount=9,4 mode=reflect", 1, 0, 0 },
    { "pad amount=6 mode=edge", 1, 0, 0 },
    { "pad amount=3,8,1,2 mode=symmetric", 1, 0, 0 },
    { "rotate degrees=30,30", 1, 0, 0 },
    { "rotate degrees=-45,45 fill=100", 3, 0, 0 },
    /* Nearest sampling: a source coordinate within float rounding of a
     * half-pixel can pick the other neighbour. */
    { "rotate degrees=17,17 interp=nearest", 1, 0, 0.002 },
    { "affine degrees=10 translate=0.1,0.2 scale=0.7,1.3 shear=5,5,-3,3", 3, 0, 0 },
    { "rotate degrees=30,30 expand=1 fill=50", 1, 0, 0 },
    { "rotate degrees=-100,-100 expand=1", 1, 0, 0 },
    { "rotate degrees=25 border=reflect", 2, 0, 0 },
    { "affine degrees=10 scale=0.6,0.8 border=reflect", 2, 0, 0 },
    { "translate fraction=0.2,0.1 fill=255", 2, 0, 0 },
    { "zoom scale=0.5,1.5", 2, 0, 0 },
    { "perspective p=1 distortion=0.6 fill=90", 3, 0, 0 },
    { "perspective p=1 border=reflect", 1, 0, 0 },
    { "brightness factor=1.4", 1, 0, 0 },
    { "brightness factor=0.6", 1, 0, 0 },
    { "contrast factor=1.5", 1, 0, 0 },
    { "contrast factor=0.4", 1, 0, 0 },
    { "saturation factor=0.3", 1, 0, 0 },
    { "saturation factor=1.7", 1, 0, 0 },
    { "hue shift=0.2", 1, 0, 0 },
    { "hue shift=-0.35", 1, 0, 0 },
    { "color-jitter brightness=0.4 contrast=0.4 saturation=0.4 hue=0.1", 4, 0, 0 },
    { "gamma gamma=0.5", 1, 0, 0 },
    { "gamma gamma=2.2 gain=1.1", 1, 0, 0 },
    { "grayscale channels=1", 1, 0, 0 },
    { "grayscale", 1, 0, 0 },
    { "invert", 1, 0, 0 },
    { "solarize threshold=100", 1, 0, 0 },
    { "posterize bits=3", 1, 1, 0 },
    { "rescale scale=0.5 offset=20", 1, 0, 0 },
    { "gaussian-blur kernel=5 sigma=1.5", 1, 0, 0 },
    { "gaussian-blur kernel=9,3 sigma=0.5,3", 2, 0, 0 },
    { "motion-blur kernel=9", 3, 0, 0 },
    { "motion-blur kernel=15 angle=30,30", 1, 0, 0 },
    { "sharpen factor=2", 1, 0, 0 },
    { "sharpen factor=0.3,1.7", 2, 0, 0 },
    { "erasing p=1 value=30", 3, 0, 0 },
    { "erasing p=1 scale=0.1,0.2 value=10,200,90", 2, 0, 0 },
    { "autocontrast", 1, 0, 0 },
    { "contrast factor=0.5 ; autocontrast", 1, 0, 0 },
    { "equalize", 1, 1, 0 },
    { "channel-shuffle", 3, 0, 0 },
    /* A whole chain: a grey level off after rotate can become two after a
     * contrast above 1. */
    { "flip-h p=0.5 ; rotate degrees=-15,15 ; color-jitter brightness=0.2 contrast=0.2 ; "
      "resized-crop size=224 scale=0.8,1.0",
      4, 0, 0.001 },
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

typedef struct ref_run {
    int case_index, is_float;
    cnn_augment_params params;
    int out_w, out_h, out_c;
} ref_run;

static ref_run runs[256];
static int n_runs;
static char dir[4096];
static uint8_t *frame;
static int frame_w, frame_h;

static int run_script(const char *mode)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s",
             test_source_path("tests/ref/augment_ref.py"), mode, dir);
    return system(cmd);
}

/* Draw every run and write cases.txt; 0 on success. */
static int prepare_runs(uint64_t seed)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (int ci = 0; ci < N_CASES; ci++) {
        cnn_augment_chain *chain;
        if (cnn_augment_chain_parse(&chain, cases[ci].description) != CNN_OK) {
            fprintf(stderr, "%s\n", cnn_last_error());
            return -1;
        }
        for (int t = 0; t < (cases[ci].u8_only ? 1 : 2); t++) {
            for (int k = 0; k < cases[ci].samples; k++) {
                ref_run *r = &runs[n_runs];
                r->case_index = ci, r->is_float = t;
                if (cnn_augment_draw(chain, seed, (uint64_t)k, 0, frame_w, frame_h, 3,
                                     &r->params) != CNN_OK ||
                    cnn_augment_chain_output_shape(chain, frame_w, frame_h, 3, &r->out_w,
                                                   &r->out_h, &r->out_c) != CNN_OK) {
                    fprintf(stderr, "%s\n", cnn_last_error());
                    return -1;
                }
                fprintf(f, "case %d %s\ndesc %s\n", n_runs, t ? "f32" : "u8",
                        cases[ci].description);
                for (int s = 0; s < r->params.n_steps; s++) {
                    const cnn_augment_step_params *sp = &r->params.steps[s];
                    fprintf(f, "step %s %d", sp->transform, sp->applied);
                    for (int v = 0; v < sp->n_values; v++)
                        fprintf(f, " %s=%.17g", sp->names[v], sp->values[v]);
                    fprintf(f, "\n");
                }
                fprintf(f, "end\n");
                n_runs++;
            }
        }
        cnn_augment_chain_free(chain);
    }
    fclose(f);
    return 0;
}

START_TEST(matches_torchvision)
{
    const ref_run *r = &runs[_i];
    const ref_case *rc = &cases[r->case_index];
    cnn_augment_chain *chain;
    ck_assert_cnn_ok(cnn_augment_chain_parse(&chain, rc->description));
    size_t n_in = (size_t)frame_w * frame_h * 3, n_out = (size_t)r->out_w * r->out_h * r->out_c;
    size_t esize = r->is_float ? 4 : 1;
    char name[64];
    snprintf(name, sizeof name, "case%d.bin", _i);
    void *ref = test_read_file(dir, name, n_out * esize);
    ck_assert_msg(ref != NULL, "%s: no torchvision output of %zu elements", name, n_out);

    /* 8-bit: packed in and out; float: planar in, packed out. */
    void *in = malloc(n_in * esize), *out = malloc(n_out * esize);
    cnn_frame src, dst;
    if (!r->is_float) {
        memcpy(in, frame, n_in);
        cnn_frame_init(&src, in, frame_w, frame_h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
        cnn_frame_init(&dst, out, r->out_w, r->out_h, r->out_c, CNN_FRAME_U8, CNN_FRAME_PACKED);
    } else {
        float *fin = in;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < frame_w * frame_h; i++)
                fin[c * frame_w * frame_h + i] = (float)frame[i * 3 + c] / 255.0f;
        cnn_frame_init(&src, in, frame_w, frame_h, 3, CNN_FRAME_F32, CNN_FRAME_PLANAR);
        cnn_frame_init(&dst, out, r->out_w, r->out_h, r->out_c, CNN_FRAME_F32, CNN_FRAME_PACKED);
    }
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
    size_t ws_size = cnn_augment_workspace_size(chain, frame_w, frame_h, 3, src.type, 2);
    void *ws = cnn_aligned_alloc(ws_size ? ws_size : 1);
    ck_assert_cnn_ok(cnn_augment_apply(ctx, chain, &r->params, &src, &dst, ws));

    double tol = r->is_float ? 1e-3 : 1.0, worst = 0;
    size_t bad = 0, worst_at = 0, plane = (size_t)r->out_w * r->out_h;
    for (size_t c = 0; c < (size_t)r->out_c; c++) {
        for (size_t i = 0; i < plane; i++) {
            size_t ri = c * plane + i, oi = i * r->out_c + c;
            double a = r->is_float ? ((float *)out)[oi] : ((uint8_t *)out)[oi];
            double b = r->is_float ? ((float *)ref)[ri] : ((uint8_t *)ref)[ri];
            double d = fabs(a - b);
            if (!(d <= tol))
                bad++;
            if (!(d <= worst)) {
                worst = d;
                worst_at = ri;
            }
        }
    }
    ck_assert_msg((double)bad <= rc->bad_fraction * (double)n_out,
                  "\"%s\" %s frame key %llu: %zu of %zu elements beyond %g, worst %g at "
                  "channel %zu (%zu, %zu)",
                  rc->description, r->is_float ? "float" : "8-bit",
                  (unsigned long long)r->params.frame_key, bad, n_out, tol, worst,
                  worst_at / plane, worst_at % plane % r->out_w, worst_at % plane / r->out_w);
    printf("%-60.60s %s key %llu: worst %g, %zu beyond\n", rc->description,
           r->is_float ? "f32" : "u8 ", (unsigned long long)r->params.frame_key, worst, bad);
    cnn_aligned_free(ws);
    cnn_context_destroy(ctx);
    free(in);
    free(out);
    free(ref);
    cnn_augment_chain_free(chain);
}
END_TEST

int main(void)
{
    const char *build = getenv("CNN_BUILD_ROOT");
    snprintf(dir, sizeof dir, "%s/tests/augment-ref", build ? build : ".");
    mkdir(dir, 0755);
    if (run_script("frame") != 0) {
        fprintf(stderr, "augment_ref.py frame failed\n");
        return EXIT_FAILURE;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/frame.txt", dir);
    FILE *f = fopen(path, "r");
    int got = f ? fscanf(f, "%d %d", &frame_w, &frame_h) : 0;
    if (f)
        fclose(f);
    if (got != 2) {
        fprintf(stderr, "no frame size in %s\n", path);
        return EXIT_FAILURE;
    }
    frame = test_read_file(dir, "frame.rgb", (size_t)frame_w * frame_h * 3);
    if (!frame || prepare_runs(test_seed()) != 0 || run_script("apply") != 0) {
        fprintf(stderr, "could not prepare the torchvision reference in %s\n", dir);
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("augment_torch");
    TCase *tc = tcase_create("augment_torch");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, matches_torchvision, 0, n_runs);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    free(frame);
    return status;
}
