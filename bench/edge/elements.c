/* Per-frame cost of cnnedge against OpenCV's GStreamer elements in the same
 * pipelines: `cnnedge method=sobel` vs `cvsobel`, `cnnedge method=canny` vs
 * `edgedetect` (gstreamer1.0-opencv; both take RGB and output RGB gray).
 * Each scene's frames are made once (videotestsrc, or the clip decoded and
 * converted) and kept; every timed run feeds the same frames, cycled, from
 * an appsrc: `appsrc ! FILTER ! fakesink`, each copied into a pooled buffer
 * that the pipeline alone holds (writable and just written, as a decoder or
 * converter hands it: cnnedge filters it in place). So the baseline (no
 * filter: the copies) costs little and the filter's cost is not a small
 * difference of two large, noisy source costs (videotestsrc alone takes
 * ~6 ms a 1080p frame). By default 2 distinct frames are cycled: they stay
 * in the L3 cache; `distinct` 8 (48 MB at 1080p) makes the copy read every
 * frame from memory (the filter then reads the copy it just wrote).
 * Every run goes from PLAYING to EOS `reps` times; the median minus the
 * median of the baseline, over the frames, is the filter's cost per frame,
 * in wall time and in CPU time of all threads (the process's user + system
 * time: on a shared machine the steadier of the two, and the honest one for
 * threaded filters). Ratios are peer cost / cnnedge cost; "ratio NAME VALUE"
 * lines (CPU time) feed `gst-cnn bench`.
 *
 *   GST_PLUGIN_PATH=build/plugins build/bench/edge/bench_edge_elements \
 *       [frames] [reps] [distinct]
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

/* Most distinct frames kept per scene, cycled through. */
#define MAX_DISTINCT 8

typedef struct
{
  GstCaps *caps;
  GstBuffer *frames[MAX_DISTINCT];
  gint n;
} Frames;

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

static gboolean
wait_eos (GstElement * pipeline, const gchar * description)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  GError *err = NULL;

  if (msg && !ok) {
    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("bench: %s: %s\n", description, err->message);
    g_clear_error (&err);
  } else if (!msg) {
    g_printerr ("bench: %s: no EOS\n", description);
  }
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  return ok;
}

/* Make the distinct frames of a scene once: source ! appsink. */
static gboolean
capture (const Scene * scene, gint n, Frames * f)
{
  gchar *source = g_strdup_printf (scene->source, n);
  gchar *desc = g_strdup_printf ("%s ! appsink name=sink sync=false", source);
  GstElement *pipeline = gst_parse_launch (desc, NULL), *sink;
  gboolean ok = FALSE;

  g_free (source);
  f->n = 0;
  f->caps = NULL;
  if (!pipeline) {
    g_printerr ("bench: cannot build %s\n", desc);
    g_free (desc);
    return FALSE;
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (f->n < n) {
    GstSample *sample = NULL;

    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    if (!f->caps)
      f->caps = gst_caps_ref (gst_sample_get_caps (sample));
    f->frames[f->n++] = gst_buffer_ref (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  ok = f->n == n && f->caps;
  if (!ok)
    g_printerr ("bench: %s gave %d of %d frames\n", desc, f->n, n);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  return ok;
}

/* What appsrc's need-data hands out: the frames of f in turn, each copied
 * into a buffer of a pool that only the pipeline then holds, so it comes
 * writable and freshly written as from a decoder or converter (an in-place
 * filter writes over it instead of copying it). */
typedef struct
{
  const Frames *f;
  GstBufferPool *pool;
  gint next, frames;
} Feed;

static void
need_data (GstElement * src, guint length, Feed * feed)
{
  GstBuffer *buf = NULL, *frame;
  GstFlowReturn flow;
  GstMapInfo map;

  if (feed->next > feed->frames)
    return;
  if (feed->next++ == feed->frames) {
    g_signal_emit_by_name (src, "end-of-stream", &flow);
    return;
  }
  if (gst_buffer_pool_acquire_buffer (feed->pool, &buf, NULL) != GST_FLOW_OK)
    return;
  frame = feed->f->frames[(feed->next - 1) % feed->f->n];
  gst_buffer_map (frame, &map, GST_MAP_READ);
  gst_buffer_fill (buf, 0, map.data, map.size);
  gst_buffer_unmap (frame, &map);
  g_signal_emit_by_name (src, "push-buffer", buf, &flow);
  gst_buffer_unref (buf);
}

/* Wall and CPU seconds from PLAYING to EOS of frames from f through the
 * pipeline; FALSE on error. The first frame goes through during preroll,
 * outside the timing: `frames - 1` are timed. */
static gboolean
run_once (const gchar * description, const Frames * f, gint frames, gdouble * wall,
    gdouble * cpu)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (description, &err), *src;
  Feed feed = { f, gst_buffer_pool_new (), 0, frames };
  GstStructure *config = gst_buffer_pool_get_config (feed.pool);
  gint64 start;
  gdouble cpu_start;
  gboolean ok;

  if (!pipeline || err) {
    g_printerr ("bench: %s: %s\n", description, err ? err->message : "no pipeline");
    g_clear_error (&err);
    return FALSE;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_object_set (src, "caps", f->caps, "format", GST_FORMAT_TIME, NULL);
  gst_buffer_pool_config_set_params (config, f->caps, gst_buffer_get_size (f->frames[0]), 0,
      0);
  gst_buffer_pool_set_config (feed.pool, config);
  gst_buffer_pool_set_active (feed.pool, TRUE);
  g_signal_connect (src, "need-data", G_CALLBACK (need_data), &feed);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_element_get_state (pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
  start = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  ok = wait_eos (pipeline, description);
  *wall = (g_get_monotonic_time () - start) / 1e6;
  *cpu = cpu_seconds () - cpu_start;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  gst_buffer_pool_set_active (feed.pool, FALSE);
  gst_object_unref (feed.pool);
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
  gint distinct = argc > 3 ? atoi (argv[3]) : 2;
  guint s, r;
  gint k;

  gst_init (&argc, &argv);
  if (frames < 2 || reps < 1 || distinct < 1 || distinct > MAX_DISTINCT) {
    g_printerr ("usage: %s [frames >= 2] [repetitions >= 1] [distinct frames 1-%d]\n",
        argv[0], MAX_DISTINCT);
    return 2;
  }
  reps = MIN (reps, MAX_REPS);
  distinct = MIN (distinct, frames);
  printf ("cnnedge vs OpenCV elements: ms per frame above `appsrc ! fakesink` fed the same "
      "%d distinct frames, median of %d runs of %d frames; ratio = peer / cnnedge\n",
      distinct, reps, frames);
  for (s = 0; s < G_N_ELEMENTS (scenes); s++) {
    gdouble wall[N_ROWS][MAX_REPS], cpu[N_ROWS][MAX_REPS], mw[N_ROWS], mc[N_ROWS];
    gdouble timed = frames - 1;
    Frames f;
    gint i;

    if (!capture (&scenes[s], distinct, &f))
      return 1;
    printf ("\n%s\n  %-36s %10s %8s %10s %8s\n", scenes[s].name, "", "wall ms", "ratio",
        "CPU ms", "ratio");
    /* interleave rows within a repetition so load changes hit all alike */
    for (k = 0; k < reps; k++) {
      for (r = 0; r < N_ROWS; r++) {
        gchar *desc = rows[r].filter ?
            g_strdup_printf ("appsrc name=src ! %s ! fakesink sync=false", rows[r].filter) :
            g_strdup ("appsrc name=src ! fakesink sync=false");
        gboolean ok = run_once (desc, &f, frames, &wall[r][k], &cpu[r][k]);

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
      gdouble w = (mw[r] - (rows[r].filter ? mw[0] : 0)) * 1e3 / timed;
      gdouble c = (mc[r] - (rows[r].filter ? mc[0] : 0)) * 1e3 / timed;

      printf ("  %-36s %10.2f", rows[r].filter ? rows[r].filter : "baseline (no filter)", w);
      if (rows[r].peer >= 0)
        printf (" %7.2fx", (mw[rows[r].peer] - mw[0]) * 1e3 / timed / w);
      else
        printf (" %8s", "");
      printf (" %10.2f", c);
      if (rows[r].peer >= 0)
        printf (" %7.2fx", (mc[rows[r].peer] - mc[0]) * 1e3 / timed / c);
      printf ("\n");
    }
    for (r = 0; r < N_ROWS; r++)
      if (rows[r].peer >= 0)
        printf ("ratio %s_%s_cpu %.2f\n", rows[r].id, scenes[s].id,
            (mc[rows[r].peer] - mc[0]) / (mc[r] - mc[0]));
    for (i = 0; i < f.n; i++)
      gst_buffer_unref (f.frames[i]);
    gst_caps_unref (f.caps);
  }
  return 0;
}
