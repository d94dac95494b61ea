/* Per-frame cost of cnnedge against OpenCV's GStreamer elements in the same
 * pipelines: `cnnedge method=sobel` vs `cvsobel`, `cnnedge method=canny` vs
 * `edgedetect` (gstreamer1.0-opencv; both take RGB and output RGB gray).
 * Each pipeline runs from PLAYING to EOS `reps` times; the median minus the
 * median of the same pipeline without a filter, over the frame count, is
 * the filter's cost per frame, in wall time and in CPU time of all threads
 * (the process's user + system time: on a shared machine the steadier of
 * the two). Ratios are peer cost / cnnedge cost; "ratio NAME VALUE" lines
 * (CPU time) feed `gst-cnn bench`.
 *
 *   GST_PLUGIN_PATH=build/plugins build/bench/edge/bench_edge_elements [frames] [reps]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <gst/gst.h>

#define CLIP "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

typedef struct
{
  const gchar *id;              /* in the "ratio" lines of gst-cnn bench */
  const gchar *name;
  const gchar *source;          /* printf format taking the frame count */
} Scene;

typedef struct
{
  const gchar *filter;          /* NULL: the baseline */
  gint peer;                    /* index of the peer row whose cost it divides, or -1 */
  const gchar *id;              /* of a cnnedge row, in the "ratio" lines */
} Row;

static const Scene scenes[] = {
  {"ball1080", "1920x1080 RGB, videotestsrc pattern=ball (sparse edges)",
      "videotestsrc num-buffers=%d pattern=ball ! video/x-raw,format=RGB,width=1920,"
        "height=1080,framerate=30/1"},
  {"snow1080", "1920x1080 RGB, videotestsrc pattern=snow (edges everywhere)",
      "videotestsrc num-buffers=%d pattern=snow ! video/x-raw,format=RGB,width=1920,"
        "height=1080,framerate=30/1"},
  {"vtest", "768x576 RGB, vtest.avi (real clip, decoded)",
      "filesrc location=" CLIP " ! decodebin ! videoconvert ! video/x-raw,format=RGB ! "
        "identity eos-after=%d"},
  {"vtest1080", "1920x1080 RGB, vtest.avi scaled up (real clip)",
      "filesrc location=" CLIP " ! decodebin ! videoconvert ! videoscale ! "
        "video/x-raw,format=RGB,width=1920,height=1080 ! identity eos-after=%d"},
};

static const Row rows[] = {
  {NULL, -1, NULL},
  {"cvsobel mask=false", -1, NULL},
  {"cnnedge method=sobel n-threads=1", 1, "sobel_1thread_vs_cvsobel"},
  {"cnnedge method=sobel", 1, "sobel_vs_cvsobel"},
  {"edgedetect mask=false", -1, NULL},
  {"cnnedge method=canny n-threads=1", 4, "canny_1thread_vs_edgedetect"},
  {"cnnedge method=canny", 4, "canny_vs_edgedetect"},
};

#define N_ROWS G_N_ELEMENTS (rows)
#define MAX_REPS 64

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec +
      ru.ru_stime.tv_usec) / 1e6;
}

/* Wall and CPU seconds from PLAYING to EOS; FALSE on error. */
static gboolean
run_once (const gchar * description, gdouble * wall, gdouble * cpu)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (description, &err);
  GstBus *bus;
  GstMessage *msg;
  gint64 start;
  gdouble cpu_start;
  gboolean ok = FALSE;

  if (!pipeline || err) {
    g_printerr ("bench: %s: %s\n", description, err ? err->message : "no pipeline");
    g_clear_error (&err);
    return FALSE;
  }
  /* preroll first, so the timing holds only the streaming */
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_element_get_state (pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
  bus = gst_element_get_bus (pipeline);
  start = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    *wall = (g_get_monotonic_time () - start) / 1e6;
    *cpu = cpu_seconds () - cpu_start;
    ok = TRUE;
  } else if (msg) {
    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("bench: %s: %s\n", description, err->message);
    g_clear_error (&err);
  }
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return ok;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (gdouble * v, gint n)
{
  qsort (v, n, sizeof (gdouble), compare_doubles);
  return v[n / 2];
}

int
main (int argc, char **argv)
{
  gint frames = argc > 1 ? atoi (argv[1]) : 60;
  gint reps = argc > 2 ? atoi (argv[2]) : 5;
  guint s, r;
  gint k;

  gst_init (&argc, &argv);
  if (frames < 1 || reps < 1) {
    g_printerr ("usage: %s [frames >= 1] [repetitions >= 1]\n", argv[0]);
    return 2;
  }
  reps = MIN (reps, MAX_REPS);
  printf ("cnnedge vs OpenCV elements: ms per frame above the pipeline without a filter, "
      "median of %d runs of %d frames; ratio = peer / cnnedge\n", reps, frames);
  for (s = 0; s < G_N_ELEMENTS (scenes); s++) {
    gchar *source = g_strdup_printf (scenes[s].source, frames);
    gdouble wall[N_ROWS][MAX_REPS], cpu[N_ROWS][MAX_REPS], mw[N_ROWS], mc[N_ROWS];

    printf ("\n%s\n  %-36s %10s %8s %10s %8s\n", scenes[s].name, "", "wall ms", "ratio",
        "CPU ms", "ratio");
    /* interleave rows within a repetition so load changes hit all alike */
    for (k = 0; k < reps; k++) {
      for (r = 0; r < N_ROWS; r++) {
        gchar *desc = rows[r].filter ?
            g_strdup_printf ("%s ! %s ! fakesink sync=false", source, rows[r].filter) :
            g_strdup_printf ("%s ! fakesink sync=false", source);
        gboolean ok = run_once (desc, &wall[r][k], &cpu[r][k]);

        g_free (desc);
        if (!ok)
          return 1;
      }
    }
    for (r = 0; r < N_ROWS; r++) {
      mw[r] = median (wall[r], reps);
      mc[r] = median (cpu[r], reps);
    }
    for (r = 0; r < N_ROWS; r++) {
      gdouble w = (mw[r] - (rows[r].filter ? mw[0] : 0)) * 1e3 / frames;
      gdouble c = (mc[r] - (rows[r].filter ? mc[0] : 0)) * 1e3 / frames;

      printf ("  %-36s %10.2f", rows[r].filter ? rows[r].filter : "baseline (no filter)", w);
      if (rows[r].peer >= 0)
        printf (" %7.2fx", (mw[rows[r].peer] - mw[0]) * 1e3 / frames / w);
      else
        printf (" %8s", "");
      printf (" %10.2f", c);
      if (rows[r].peer >= 0)
        printf (" %7.2fx", (mc[rows[r].peer] - mc[0]) * 1e3 / frames / c);
      printf ("\n");
    }
    for (r = 0; r < N_ROWS; r++)
      if (rows[r].peer >= 0)
        printf ("ratio %s_%s_cpu %.2f\n", rows[r].id, scenes[s].id,
            (mc[rows[r].peer] - mc[0]) / (mc[r] - mc[0]));
    g_free (source);
  }
  return 0;
}
