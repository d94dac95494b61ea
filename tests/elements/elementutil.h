/* Helpers of the element tests: frames written and read sample by sample
 * through GstVideoFrame (independently of core/ops/pixels.c), and pipelines
 * run with a bounded wait. */
#ifndef CNN_ELEMENTUTIL_H
#define CNN_ELEMENTUTIL_H

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "cnn/cnn.h"

/* libgstcheck carries its own copy of libcheck, so these tests cannot link
 * tests/core/testutil.c (built on the system libcheck); the two helpers
 * they need are here. */

/* Seed of this run: CNN_TEST_SEED or the core tests' default, printed once. */
guint64 el_seed (void);
#define el_assert_cnn_ok(expr)                                                  \
  G_STMT_START {                                                                \
    cnn_status st_ = (expr);                                                    \
    fail_unless (st_ == CNN_OK, "%s: %s (%s)", #expr, cnn_status_name (st_),    \
        cnn_last_error ());                                                     \
  } G_STMT_END

/* The formats both elements take. */
#define EL_N_FORMATS 10
extern const gchar *const el_formats[EL_N_FORMATS];

/* A harness around "element props" with fixed video input caps. */
GstHarness *el_harness (const gchar * element, const gchar * props, const gchar * format,
    gint width, gint height);

/* A harness around "element props" with fixed tensor input caps: type
 * (float32, uint8...), dimensions w:h:c:1. */
GstHarness *el_tensor_harness (const gchar * element, const gchar * props, const gchar * type,
    gint w, gint h, gint c);

typedef guint (*ElSampleFn) (guint comp, gint x, gint y, gpointer user_data);

/* A new buffer of info's format and size with sample(comp, x, y) = fn(...),
 * in the component's own resolution (chroma subsampled). */
GstBuffer *el_make_frame (const GstVideoInfo * info, ElSampleFn fn, gpointer user_data);
/* A new buffer of info's format and size of random samples over each
 * component's range, keyed by the seed and stream + comp. */
GstBuffer *el_make_random_frame (const GstVideoInfo * info, guint64 stream);
/* Sample of component comp at (x, y) of a mapped frame. */
guint el_sample (GstVideoFrame * frame, guint comp, gint x, gint y);
/* ElSampleFn of every sample 100. */
guint el_constant_sample (guint comp, gint x, gint y, gpointer user_data);
/* Map a buffer of the caps for reading. */
void el_map (GstVideoFrame * frame, GstVideoInfo * info, GstCaps * caps, GstBuffer * buf);

/* Run a gst_parse_launch() pipeline to EOS or error within timeout_s;
 * NULL on EOS, else the error message and its debug text (g_free it). A
 * timeout fails the test. */
gchar *el_run_pipeline (const gchar * description, guint timeout_s);
/* Fail unless the pipeline ends in an error whose text contains word. */
void el_assert_pipeline_error (const gchar * description, const gchar * word);
/* Properties of an element and a word of the error they must cause. */
typedef struct
{
  const gchar *props, *word;
} ElBadProperties;
/* Fail unless "videotestsrc num-buffers=2 ! element props ! fakesink" ends
 * in an error containing word, for each of the n cases. */
void el_assert_bad_properties (const gchar * element, const ElBadProperties * cases,
    guint n);
/* First error message the element posted on its bus, or NULL. */
gchar *el_pop_error (GstBus * bus);

/* Video info of a format name and size. */
GstVideoInfo el_info (const gchar * format, gint width, gint height);
/* Sample (x, y) of the first component of buf, a frame of the caps the
 * harness's sink got. */
guint el_gray_at (GstHarness * hn, GstBuffer * buf, gint x, gint y);
/* Width and height of the caps the harness's sink got. */
void el_output_size (GstHarness * hn, gint * width, gint * height);
/* Push one GRAY8 frame of width x height through a harness around
 * "element props" with downstream fixed to sink_caps (or free), expect
 * not-negotiated, and return the error the element posted (g_free it). */
gchar *el_negotiation_error (const gchar * element_props, gint width, gint height,
    const gchar * sink_caps);

#endif
