/* gst-cnn augment: a data set of augmented samples from videos, folders of
 * videos and folders of images, through the cnnaugment element.
 *
 * Each source (a video, or a folder of PNG/JPEG images) gets a folder
 * OUT/STEM/ of images FRAME-SAMPLE.png and a list of its samples,
 * OUT/STEM/samples.jsonl; OUT/manifest.jsonl joins the lists of every
 * finished source in input order. Each image is written under a temporary
 * name and renamed, and its line appended after the rename, so a killed run
 * leaves whole images and whole lines: the next run with the same arguments
 * skips the finished sources, continues a source after its last listed
 * sample, and ends with the same bytes an uninterrupted run writes (samples
 * are keyed by frame number, not by run). A source that cannot be read is
 * reported and skipped; the others finish. Result lines are `gst-cnn run`'s,
 * "frames" counting the source's samples. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "cnn/augment.h"
#include "gst-cnn.h"
#include "gstcnnaugmentmeta.h"

#define TICK_MS 200

/* A video (in->uri set) or a folder of images (in->uri NULL); in->stem
 * names its output folder below OUT. */
typedef struct {
    GstCnnInput *in;
    GPtrArray *images; /* image folder: sorted paths */
} Source;

typedef struct {
    const char *out_dir, *transforms, *encoder, *extension;
    guint64 seed;
    guint samples, every, segment_frames;
    gboolean consistent;
    GPtrArray *sources;
    GstCnnResults *results;
    GstCnnProgress progress;
    guint done;
    GstCnnTally tally;
    guint64 samples_written;
} Builder;

typedef struct {
    Builder *b;
    Source *src;
    char *dir;
    FILE *lines;
    guint64 n_lines;      /* lines of the source's list, kept and new */
    /* resuming: the list's last line is sample last_sample of last_frame;
     * resume_frames video frames taken before have all their samples listed
     * (an image that does not decode takes no line, so images resume from
     * last_frame) */
    gboolean resuming;
    guint64 last_frame, resume_frames;
    guint last_sample;
    guint64 seen, frame_now;
    GstElement *pipeline;
    GstAppSrc *appsrc;
    GMutex lock;
    GPtrArray *image_errors; /* under lock: images the feeder skipped */
    gboolean stop;           /* under lock */
} Job;

static const char *const image_extensions[] = { "png", "jpg", "jpeg", NULL };

static void source_free(Source *s)
{
    gst_cnn_input_free(s->in);
    if (s->images)
        g_ptr_array_unref(s->images);
    g_free(s);
}

static gboolean has_image_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    char *ext = dot ? g_ascii_strdown(dot + 1, -1) : NULL;
    gboolean found = ext && g_strv_contains(image_extensions, ext);

    g_free(ext);
    return found;
}

/* Every folder below root (root included) holding images is one source. */
static void add_image_folders(GPtrArray *sources, const char *root, const char *relative)
{
    char *path = relative ? g_build_filename(root, relative, NULL) : g_strdup(root);
    GPtrArray *names = gst_cnn_list_folder(path);
    GPtrArray *images = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        char *child = g_build_filename(path, n, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR)) {
            char *rel = relative ? g_build_filename(relative, n, NULL) : g_strdup(n);
            add_image_folders(sources, root, rel);
            g_free(rel);
        } else if (has_image_extension(n) && g_file_test(child, G_FILE_TEST_IS_REGULAR)) {
            g_ptr_array_add(images, child);
            child = NULL;
        }
        g_free(child);
    }
    if (images->len) {
        Source *s = g_new0(Source, 1);
        char *base = g_path_get_basename(root);
        s->in = g_new0(GstCnnInput, 1);
        s->in->display = g_strdup(path);
        s->in->local = g_strdup(path);
        s->in->stem = relative ? g_build_filename(base, relative, NULL) : g_strdup(base);
        s->images = g_ptr_array_ref(images);
        g_ptr_array_add(sources, s);
        g_free(base);
    }
    g_ptr_array_unref(images);
    g_ptr_array_unref(names);
    g_free(path);
}

static gint compare_sources(gconstpointer a, gconstpointer b)
{
    return strcmp((*(Source *const *)a)->in->display, (*(Source *const *)b)->in->display);
}

/* Videos as `gst-cnn run` finds them, and image folders; sorted, with
 * stems that two sources share marked. */
static gboolean collect_sources(char **args, GPtrArray *sources, GError **error)
{
    GPtrArray *inputs = g_ptr_array_new();
    gboolean ok = gst_cnn_inputs_collect(args, inputs, error);

    for (guint i = 0; i < inputs->len; i++) {
        Source *s = g_new0(Source, 1);
        s->in = g_ptr_array_index(inputs, i);
        g_ptr_array_add(sources, s);
        if (ok && s->in->live) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: a camera never ends; record a clip first", s->in->display);
            ok = FALSE;
        }
    }
    for (char **a = args; ok && *a; a++)
        if (g_file_test(*a, G_FILE_TEST_IS_DIR))
            add_image_folders(sources, *a, NULL);
    g_ptr_array_sort(sources, compare_sources);
    g_ptr_array_set_size(inputs, 0);
    for (guint i = 0; i < sources->len; i++)
        g_ptr_array_add(inputs, ((Source *)g_ptr_array_index(sources, i))->in);
    gst_cnn_inputs_mark_clashes(inputs);
    g_ptr_array_unref(inputs);
    return ok;
}

/* ---- the list of a source's samples ---- */

static char *lines_path(const Job *job, gboolean finished)
{
    return g_build_filename(job->dir, finished ? "samples.jsonl" : "samples.jsonl.partial",
                            NULL);
}

/* Frame and sample of a line of ours: the source's closing quote is the
 * only unescaped quote before the frame key. */
static gboolean parse_line_position(const char *line, guint64 *frame, guint *sample)
{
    const char *f = strstr(line, "\", \"frame\": ");
    const char *k = f ? strstr(f, ", \"sample\": ") : NULL;

    if (!k)
        return FALSE;
    *frame = g_ascii_strtoull(f + strlen("\", \"frame\": "), NULL, 10);
    *sample = (guint)g_ascii_strtoull(k + strlen(", \"sample\": "), NULL, 10);
    return TRUE;
}

/* Keep the whole lines a killed run left (a cut last line goes), note where
 * they end and open the list for appending. */
static char *open_lines(Job *job)
{
    char *path = lines_path(job, FALSE), *text = NULL, *reason = NULL, *last = NULL;
    gsize len = 0, keep = 0;

    if (g_file_get_contents(path, &text, &len, NULL)) {
        for (gsize i = 0; i < len; i++)
            if (text[i] == '\n') {
                last = text + keep;
                text[i] = '\0';
                keep = i + 1;
                job->n_lines++;
            }
    }
    if (last && !parse_line_position(last, &job->last_frame, &job->last_sample))
        reason = g_strdup_printf("cannot resume: %s ends in a line not written by gst-cnn", path);
    job->resuming = last != NULL;
    for (gsize i = 0; i < keep; i++)
        if (!text[i])
            text[i] = '\n';
    if (!reason && ((text && truncate(path, (off_t)keep) != 0) ||
                    !(job->lines = fopen(path, "a"))))
        reason = g_strdup_printf("cannot write %s: %s", path, g_strerror(errno));
    job->resume_frames = job->n_lines / job->b->samples;
    g_free(text);
    g_free(path);
    return reason;
}

static void append_number(GString *s, const char *key, double v, const char *format)
{
    char num[G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append_printf(s, ", \"%s\": %s", key, g_ascii_formatd(num, sizeof num, format, v));
}

/* One line: source, frame, timestamp (seconds, null for images), sample,
 * file and the drawn parameters as cnnaugment's meta gives them. */
static void append_line(Job *job, const GstStructure *meta, guint64 frame, guint sample,
                        const char *file)
{
    GString *s = g_string_new("{\"source\": ");
    const char *source = job->src->in->display;
    guint64 pts;

    if (job->src->images && frame < job->src->images->len)
        source = g_ptr_array_index(job->src->images, frame);
    gst_cnn_json_append_string(s, source);
    g_string_append_printf(s, ", \"frame\": %" G_GUINT64_FORMAT, frame);
    if (!job->src->images && gst_structure_get_uint64(meta, "timestamp", &pts))
        append_number(s, "timestamp", pts / (double)GST_SECOND, "%.6f");
    else
        g_string_append(s, ", \"timestamp\": null");
    g_string_append_printf(s, ", \"sample\": %u, \"file\": ", sample);
    gst_cnn_json_append_string(s, file);
    g_string_append_printf(s, ", \"params\": %s}\n", gst_structure_get_string(meta, "json"));
    fputs(s->str, job->lines);
    fflush(job->lines);
    job->n_lines++;
    g_string_free(s, TRUE);
}

/* Write path whole or not at all: to path.tmp, then renamed. The temporary
 * name is fixed, so one a killed run left is overwritten by the next. NULL,
 * or why not. */
static char *write_file(const char *path, const void *data, gsize size)
{
    char *tmp = g_strconcat(path, ".tmp", NULL);
    FILE *f = fopen(tmp, "wb");
    gboolean ok = f && fwrite(data, 1, size, f) == size;
    char *reason = NULL;

    if (f && fclose(f) != 0)
        ok = FALSE;
    if (!ok)
        reason = g_strdup_printf("cannot write %s: %s", tmp, g_strerror(errno));
    else if (g_rename(tmp, path) != 0) {
        reason = g_strdup_printf("cannot rename %s: %s", tmp, g_strerror(errno));
    }
    g_free(tmp);
    return reason;
}

static char *write_sample(Job *job, GstBuffer *buf, const char *name)
{
    char *path = g_build_filename(job->dir, name, NULL);
    char *reason;
    GstMapInfo map;

    if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
        reason = g_strdup_printf("%s: cannot read the encoded sample", name);
    } else {
        reason = write_file(path, map.data, map.size);
        gst_buffer_unmap(buf, &map);
    }
    g_free(path);
    return reason;
}

static char *handle_sample(Job *job, GstSample *sample)
{
    GstBuffer *buf = gst_sample_get_buffer(sample);
    GstCnnAugmentMeta *meta = buf ? gst_buffer_get_cnn_augment_meta(buf) : NULL;
    guint64 frame;
    guint k;
    gboolean listed;
    char *name, *file, *reason = NULL;

    if (!meta || !gst_structure_get_uint64(meta->params, "frame", &frame) ||
        !gst_structure_get_uint(meta->params, "sample", &k))
        return g_strdup("a sample without cnnaugment's parameters");
    name = g_strdup_printf("%06" G_GUINT64_FORMAT "-%02u.%s", frame, k, job->b->extension);
    file = g_build_filename(job->src->in->stem, name, NULL);
    job->frame_now = frame;
    /* samples of a frame a killed run had begun may be listed already */
    listed = job->resuming && (frame < job->last_frame ||
                               (frame == job->last_frame && k <= job->last_sample));
    if (!listed && !(reason = write_sample(job, buf, name))) {
        append_line(job, meta->params, frame, k, file);
        job->b->samples_written++;
    }
    g_free(name);
    g_free(file);
    return reason;
}

/* ---- pipelines ---- */

/* --every and resuming: frames not taken, or already listed, go no
 * further than the element's sink pad. */
static GstPadProbeReturn take_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    Job *job = data;
    guint64 i = job->seen++;

    if (i % job->b->every || i / job->b->every < job->resume_frames)
        return GST_PAD_PROBE_DROP;
    return GST_PAD_PROBE_OK;
}

static gboolean job_stopped(Job *job)
{
    gboolean stop;

    g_mutex_lock(&job->lock);
    stop = job->stop;
    g_mutex_unlock(&job->lock);
    return stop;
}

/* Image folders: image i is frame i at 1 frame/s, decoded one at a time. */
static gpointer feed_images(gpointer data)
{
    Job *job = data;
    GPtrArray *images = job->src->images;
    int width = 0, height = 0;

    for (guint i = 0; i < images->len && !job_stopped(job); i++) {
        const char *path = g_ptr_array_index(images, i);
        GError *error = NULL;
        GstVideoInfo info;
        GstBuffer *buf;
        gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 };
        gint strides[GST_VIDEO_MAX_PLANES] = { 0 };
        guint8 *rgb;
        int w, h;

        if (i % job->b->every || (job->resuming && i < job->last_frame))
            continue;
        if (!(rgb = gst_cnn_image_load_rgb(path, &w, &h, &error))) {
            g_mutex_lock(&job->lock);
            g_ptr_array_add(job->image_errors, g_strdup_printf("%s: %s", path, error->message));
            g_mutex_unlock(&job->lock);
            g_error_free(error);
            continue;
        }
        gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, w, h);
        GST_VIDEO_INFO_FPS_N(&info) = 1;
        GST_VIDEO_INFO_FPS_D(&info) = 1;
        if (w != width || h != height) {
            GstCaps *caps = gst_video_info_to_caps(&info);
            gst_app_src_set_caps(job->appsrc, caps);
            gst_caps_unref(caps);
            width = w;
            height = h;
        }
        /* rows of 3 x w bytes, described by a video meta */
        buf = gst_buffer_new_wrapped(rgb, (gsize)w * h * 3);
        strides[0] = w * 3;
        gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_RGB, w, h,
                                       1, offsets, strides);
        GST_BUFFER_PTS(buf) = i * GST_SECOND;
        GST_BUFFER_DURATION(buf) = GST_SECOND;
        if (gst_app_src_push_buffer(job->appsrc, buf) != GST_FLOW_OK)
            break;
    }
    gst_app_src_end_of_stream(job->appsrc);
    return NULL;
}

static GstElement *build_pipeline(Job *job, GError **error)
{
    Builder *b = job->b;
    char *head = job->src->images
        ? g_strdup("appsrc name=src format=time block=true max-buffers=2")
        : g_strdup_printf("uridecodebin uri=\"%s\" expose-all-streams=false", job->src->in->uri);
    char *desc = g_strdup_printf("%s ! videoconvert ! video/x-raw,format=RGB ! cnnaugment name=aug "
                                 "! videoconvert ! %s ! appsink name=sink sync=false "
                                 "max-buffers=4", head, b->encoder);
    GstElement *pipeline = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    GstElement *aug;

    g_free(head);
    g_free(desc);
    if (!pipeline)
        return NULL;
    aug = gst_bin_get_by_name(GST_BIN(pipeline), "aug");
    g_object_set(aug, "transforms", b->transforms, "seed", b->seed, "samples", b->samples,
                 "consistent", b->consistent, "segment-frames", b->segment_frames, NULL);
    if (job->src->images) {
        job->appsrc = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "src"));
    } else {
        GstPad *pad = gst_element_get_static_pad(aug, "sink");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, take_frame, job, NULL);
        gst_object_unref(pad);
    }
    gst_object_unref(aug);
    return pipeline;
}

static double source_progress(Job *job)
{
    gint64 pos, dur;

    if (job->src->images)
        return job->src->images->len ? MIN(1.0, (double)job->frame_now / job->src->images->len)
                                     : 1.0;
    if (gst_element_query_position(job->pipeline, GST_FORMAT_TIME, &pos) &&
        gst_element_query_duration(job->pipeline, GST_FORMAT_TIME, &dur) && dur > 0)
        return CLAMP((double)pos / dur, 0.0, 1.0);
    return 0;
}

static void log_image_errors(Job *job)
{
    g_mutex_lock(&job->lock);
    for (guint i = 0; i < job->image_errors->len; i++)
        gst_cnn_progress_log(&job->b->progress, "skipped image %s",
                             (char *)g_ptr_array_index(job->image_errors, i));
    g_ptr_array_set_size(job->image_errors, 0);
    g_mutex_unlock(&job->lock);
}

/* Run the source's pipeline to its end; NULL, or why it failed. */
static char *run_pipeline(Job *job)
{
    Builder *b = job->b;
    GstElement *sink = gst_bin_get_by_name(GST_BIN(job->pipeline), "sink");
    GstBus *bus = gst_element_get_bus(job->pipeline);
    GThread *feeder = NULL;
    char *reason = NULL;

    gst_element_set_state(job->pipeline, GST_STATE_PLAYING);
    if (job->appsrc)
        feeder = g_thread_new("gst-cnn-images", feed_images, job);
    while (!reason) {
        GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), TICK_MS * GST_MSECOND);
        GstMessage *msg;

        if (sample) {
            reason = handle_sample(job, sample);
            gst_sample_unref(sample);
            continue;
        }
        if (gst_app_sink_is_eos(GST_APP_SINK(sink)))
            break;
        if ((msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR))) {
            GError *err = NULL;
            gst_message_parse_error(msg, &err, NULL);
            reason = g_strdup_printf("%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message);
            g_error_free(err);
            gst_message_unref(msg);
        }
        if (job->appsrc)
            log_image_errors(job);
        gst_cnn_progress_bar(&b->progress, (b->done + source_progress(job)) / b->sources->len,
                             b->done, b->sources->len, b->samples_written);
    }
    g_mutex_lock(&job->lock);
    job->stop = TRUE;
    g_mutex_unlock(&job->lock);
    /* NULL unblocks a feeder waiting in push_buffer */
    gst_element_set_state(job->pipeline, GST_STATE_NULL);
    if (feeder)
        g_thread_join(feeder);
    if (job->appsrc)
        log_image_errors(job);
    gst_object_unref(bus);
    gst_object_unref(sink);
    return reason;
}

static void report(Builder *b, Source *src, const char *status, guint64 samples, double seconds,
                   const char *output, const char *error)
{
    b->done = gst_cnn_results_report(b->results, &b->tally, src->in->display, status, samples,
                                     seconds, output, error);
    if (error)
        gst_cnn_progress_log(&b->progress, "[%u/%u] %s %s: %s", b->done, b->sources->len, status,
                             src->in->display, error);
    else if (!b->progress.tty)
        gst_cnn_progress_log(&b->progress, "[%u/%u] %s %s: %" G_GUINT64_FORMAT " samples", b->done,
                             b->sources->len, status, src->in->display, samples);
}

static void process_source(Builder *b, Source *src)
{
    Job job = { .b = b, .src = src };
    gint64 t0 = g_get_monotonic_time();
    char *done_path, *reason = NULL;
    GError *error = NULL;

    job.dir = g_build_filename(b->out_dir, src->in->stem, NULL);
    done_path = lines_path(&job, TRUE);
    g_mutex_init(&job.lock);
    job.image_errors = g_ptr_array_new_with_free_func(g_free);
    if (src->in->clash)
        reason = g_strdup_printf("its output folder %s is also that of %s", job.dir, src->in->clash);
    else if (g_file_test(done_path, G_FILE_TEST_EXISTS)) {
        report(b, src, "skipped", 0, 0, job.dir, NULL);
        goto done;
    } else if (g_mkdir_with_parents(job.dir, 0777) != 0)
        reason = g_strdup_printf("cannot create %s: %s", job.dir, g_strerror(errno));
    if (!reason)
        reason = open_lines(&job);
    if (!reason && !(job.pipeline = build_pipeline(&job, &error))) {
        reason = g_strdup(error->message);
        g_error_free(error);
    }
    if (!reason)
        reason = run_pipeline(&job);
    if (job.lines)
        fclose(job.lines);
    if (!reason && job.n_lines == 0)
        reason = g_strdup("no frame decoded");
    if (!reason) {
        char *partial = lines_path(&job, FALSE);
        if (g_rename(partial, done_path) != 0)
            reason = g_strdup_printf("cannot rename %s: %s", partial, g_strerror(errno));
        g_free(partial);
    }
    if (reason && job.n_lines == 0) {
        /* nothing to resume: no empty folder left behind */
        char *partial = lines_path(&job, FALSE);
        g_remove(partial);
        g_rmdir(job.dir);
        g_free(partial);
    }
    report(b, src, reason ? "failed" : "ok", job.n_lines, (g_get_monotonic_time() - t0) / 1e6,
           reason ? NULL : job.dir, reason);

done:
    if (job.pipeline)
        gst_object_unref(job.pipeline);
    if (job.appsrc)
        gst_object_unref(job.appsrc);
    g_ptr_array_unref(job.image_errors);
    g_mutex_clear(&job.lock);
    g_free(reason);
    g_free(done_path);
    g_free(job.dir);
}

/* OUT/manifest.jsonl: the lists of the finished sources, in input order,
 * written whole under a temporary name. */
static char *write_manifest(Builder *b)
{
    GString *all = g_string_new(NULL);
    char *path = g_build_filename(b->out_dir, "manifest.jsonl", NULL);
    char *reason;

    for (guint i = 0; i < b->sources->len; i++) {
        Source *s = g_ptr_array_index(b->sources, i);
        char *list = g_build_filename(b->out_dir, s->in->stem, "samples.jsonl", NULL);
        char *text;
        gsize len;
        if (!s->in->clash && g_file_get_contents(list, &text, &len, NULL)) {
            g_string_append_len(all, text, len);
            g_free(text);
        }
        g_free(list);
    }
    reason = write_file(path, all->str, all->len);
    g_string_free(all, TRUE);
    g_free(path);
    return reason;
}

int gst_cnn_augment(int argc, char **argv)
{
    char *out_dir = NULL, *transforms = NULL, *format = NULL, *results_path = NULL;
    gint64 seed = 0;
    gint samples = 1, every = 1, segment_frames = 0;
    gboolean consistent = FALSE, quiet = FALSE;
    GOptionEntry entries[] = {
        { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "folder of the data set (required)", "DIR" },
        { "transforms", 't', 0, G_OPTION_ARG_STRING, &transforms,
          "cnnaugment's chain (default: \"flip-h ; rotate degrees=10 ; color-jitter brightness=0.2 contrast=0.2\")", "CHAIN" },
        { "samples", 'n', 0, G_OPTION_ARG_INT, &samples, "samples per frame (default 1)", "N" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of every draw (default 0)", "S" },
        { "every", 'k', 0, G_OPTION_ARG_INT, &every, "take every K-th frame (or image) (default 1)", "K" },
        { "consistent", 0, 0, G_OPTION_ARG_NONE, &consistent, "one set of parameters per source (or segment)", NULL },
        { "segment-frames", 0, 0, G_OPTION_ARG_INT, &segment_frames, "with --consistent: frames per set of parameters", "F" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "images as png (default) or jpeg", "FORMAT" },
        { "results", 'r', 0, G_OPTION_ARG_FILENAME, &results_path, "one line per source there (default: standard output)", "FILE" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress and no log on standard error", NULL },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("INPUT... - augmented samples of videos and images as a data set");
    GPtrArray *sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
    cnn_augment_chain *chain = NULL;
    GError *error = NULL;
    char *reason;
    Builder b = { 0 };
    int status = GST_CNN_EXIT_USAGE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "INPUT: a video file, a folder (searched recursively for videos, and for folders of\n"
        "PNG/JPEG images, each folder one source). Writes DIR/STEM/FRAME-SAMPLE.png and\n"
        "DIR/STEM/samples.jsonl per source and DIR/manifest.jsonl: one line per sample with\n"
        "source, frame, timestamp, sample, file and the drawn params. Running again with the\n"
        "same arguments resumes and gives the same bytes.\n"
        "Exit status: 0 all ok or skipped, 1 some input failed, 2 usage error.");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (argc < 2 || !out_dir) {
        fprintf(stderr, "gst-cnn augment: give -o DIR and at least one INPUT\n"
                        "Try `gst-cnn augment --help`.\n");
        goto done;
    }
    if (samples < 1 || samples > 1024 || every < 1 || segment_frames < 0 || seed < 0) {
        fprintf(stderr, "gst-cnn augment: --samples takes 1..1024, --every K >= 1, "
                        "--segment-frames and --seed values >= 0\n");
        goto done;
    }
    if (format && strcmp(format, "png") && strcmp(format, "jpeg")) {
        fprintf(stderr, "gst-cnn augment: --format %s: expected png or jpeg\n", format);
        goto done;
    }
    b.transforms = transforms ? transforms
                              : "flip-h ; rotate degrees=10 ; color-jitter brightness=0.2 contrast=0.2";
    /* a bad chain is a usage error, not a failure of every input */
    if (cnn_augment_chain_parse(&chain, b.transforms) != CNN_OK) {
        fprintf(stderr, "gst-cnn augment: --transforms: %s\n", cnn_last_error());
        goto done;
    }
    cnn_augment_chain_free(chain);
    if (!collect_sources(argv + 1, sources, &error))
        goto fail;
    if (!sources->len) {
        fprintf(stderr, "gst-cnn augment: no videos or image folders in the given inputs\n");
        goto done;
    }
    if (g_mkdir_with_parents(out_dir, 0777) != 0) {
        fprintf(stderr, "gst-cnn augment: cannot create %s: %s\n", out_dir, g_strerror(errno));
        goto done;
    }
    if (!(b.results = gst_cnn_results_open(results_path, GST_CNN_FORMAT_JSON, &error)))
        goto fail;
    /* the meta's API type exists before the first element asks for it */
    gst_cnn_augment_meta_get_info();
    b.out_dir = out_dir;
    b.encoder = format && !strcmp(format, "jpeg") ? "jpegenc" : "pngenc";
    b.extension = format && !strcmp(format, "jpeg") ? "jpg" : "png";
    b.seed = (guint64)seed;
    b.samples = (guint)samples;
    b.every = (guint)every;
    b.consistent = consistent;
    b.segment_frames = (guint)segment_frames;
    b.sources = sources;
    gst_cnn_progress_start(&b.progress, quiet);
    for (guint i = 0; i < sources->len; i++)
        process_source(&b, g_ptr_array_index(sources, i));
    gst_cnn_progress_clear(&b.progress);
    gst_cnn_results_close(b.results);
    if ((reason = write_manifest(&b))) {
        fprintf(stderr, "gst-cnn augment: %s\n", reason);
        g_free(reason);
        status = GST_CNN_EXIT_FAILED;
        goto done;
    }
    gst_cnn_progress_log(&b.progress, "%u ok, %u failed, %u skipped; %" G_GUINT64_FORMAT
                         " samples written in %.1f s", b.tally.ok, b.tally.failed, b.tally.skipped,
                         b.samples_written, gst_cnn_progress_elapsed(&b.progress));
    status = b.tally.failed ? GST_CNN_EXIT_FAILED : GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn augment: %s\n", error->message);
    g_error_free(error);
done:
    g_ptr_array_unref(sources);
    g_free(out_dir);
    g_free(transforms);
    g_free(format);
    g_free(results_path);
    g_option_context_free(ctx);
    return status;
}
