/* The overlay font: cell sizes, glyphs drawn where their rows say (a dash,
 * a digit written out by hand here), lower case as upper case, the box of
 * characters without a glyph, clipping at every edge. */
#include <string.h>

#include "cnn/text.h"
#include "testutil.h"

#define W 40
#define H 20
#define GUARD 64

/* A W x H mask with guard bytes around it that must stay untouched. */
static uint8_t buf[GUARD + W * H + GUARD];
static uint8_t *const mask = buf + GUARD;

static void clear(void)
{
    memset(buf, 0xaa, sizeof buf);
    memset(mask, 0, W * H);
}

static void check_guards(void)
{
    for (int i = 0; i < GUARD; i++) {
        ck_assert_uint_eq(buf[i], 0xaa);
        ck_assert_uint_eq(buf[GUARD + W * H + i], 0xaa);
    }
}

static int count(void)
{
    int n = 0;
    for (int i = 0; i < W * H; i++)
        n += mask[i] != 0;
    return n;
}

START_TEST(sizes)
{
    int w, h;
    cnn_text_size("AB", 1, &w, &h);
    ck_assert_int_eq(w, 12);
    ck_assert_int_eq(h, 9);
    cnn_text_size("Bag 97%", 3, &w, &h);
    ck_assert_int_eq(w, 7 * 6 * 3);
    ck_assert_int_eq(h, 27);
}
END_TEST

START_TEST(dash_and_seven_by_hand)
{
    /* '7': top bar, then a stroke down to the left, ending in column 1 */
    static const char *const seven[7] = { "#####", "....#", "...#.", "..#..", ".#...", ".#...",
                                          ".#..." };
    clear();
    cnn_text_draw("-", 1, 0, 0, mask, W, W, H, 9);
    ck_assert_int_eq(count(), 5);
    for (int x = 1; x <= 5; x++)
        ck_assert_uint_eq(mask[4 * W + x], 9); /* one-pixel margin, glyph row 3 */
    clear();
    cnn_text_draw("7", 2, 3, 1, mask, W, W, H, 255);
    for (int y = 0; y < 14; y++)
        for (int x = 0; x < 10; x++)
            ck_assert_uint_eq(mask[(1 + 2 + y) * W + 3 + 2 + x],
                              seven[y / 2][x / 2] == '#' ? 255 : 0);
    ck_assert_int_eq(count(), 4 * (5 + 1 + 1 + 1 + 1 + 1 + 1));
    check_guards();
}
END_TEST

START_TEST(lower_case_and_missing_glyphs)
{
    uint8_t upper[W * H];
    clear();
    cnn_text_draw("SHIRT", 1, 0, 0, mask, W, W, H, 1);
    memcpy(upper, mask, sizeof upper);
    clear();
    cnn_text_draw("shirt", 1, 0, 0, mask, W, W, H, 1);
    ck_assert(memcmp(upper, mask, sizeof upper) == 0);
    clear();
    cnn_text_draw("\x01", 1, 0, 0, mask, W, W, H, 1);
    ck_assert_int_eq(count(), 5 + 5 + 2 * 5); /* a box outline */
}
END_TEST

START_TEST(clipped_at_every_edge)
{
    const int pos[][2] = { { -7, 0 }, { 0, -6 }, { W - 8, 0 }, { 0, H - 5 }, { -100, -100 },
                           { W + 3, H + 3 } };
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        clear();
        cnn_text_draw("W8", 2, pos[i][0], pos[i][1], mask, W, W, H, 7);
        check_guards();
    }
    /* clipped text keeps the visible part: the left glyph shifted out */
    clear();
    cnn_text_draw("-", 1, -3, 0, mask, W, W, H, 1);
    ck_assert_int_eq(count(), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, dash_and_seven_by_hand);
    tcase_add_test(tc, lower_case_and_missing_glyphs);
    tcase_add_test(tc, clipped_at_every_edge);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
