/* gst-cnn run: one ready pipeline over many inputs, each input in its own
 * GstPipeline, --jobs of them at once in one main loop.
 *
 * An output is written under NAME.partial and renamed when its pipeline
 * reached EOS, so a finished name always means a finished file; a second run
 * skips inputs whose output exists. SIGINT/SIGTERM send EOS to the running
 * pipelines (muxers finalise what they hold), keep those outputs under their
 * .partial name and exit 130; a second signal stops at once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "gst-cnn.h"

#define TICK_MS 200
/* after the first Ctrl-C, how long pipelines get to drain before we stop them */
#define DRAIN_TIMEOUT_US (15 * G_USEC_PER_SEC)

typedef struct Run Run;

typedef struct {
    Run *run;
    GstCnnInput *in;
    GstElement *pipeline;
    char *final_out; /* NULL when the pipeline has no output */
    char *tmp_out;
    gint64 started_us;
    gint frames;        /* atomic: written by streaming threads */
    gint last_frame_ms; /* atomic: since started_us */
    gboolean eos_sent;
    gboolean interrupted;
    char *error;
    char *last_label; /* of the last classification line written */
} Job;

struct Run {
    GstCnnPipeline *p;
    GHashTable *values;
    GPtrArray *inputs;
    guint next;
    GPtrArray *running; /* Job* */
    guint jobs;
    int threads_per_job;
    char *out_dir;
    gboolean force;
    gboolean every_classification; /* a line per classified frame, not per change of label */
    gint64 max_frames;
    guint timeout_s;
    GstCnnResults *results;
    GstCnnTally tally;
    guint64 frames_done;
    gint64 interrupted_at;
    int interrupts;
    GstCnnProgress progress;
    GMainLoop *loop;
};

static void start_more(Run *run);

/* ---- output names ---- */

static gboolean remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *d = g_dir_open(path, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
            g_free(child);
        }
        if (d)
            g_dir_close(d);
    }
    return g_remove(path) == 0 || errno == ENOENT;
}

/* ---- progress and logs (standard error) ---- */

#define clear_bar(run) gst_cnn_progress_clear(&(run)->progress)
#define log_line(run, ...) gst_cnn_progress_log(&(run)->progress, __VA_ARGS__)

static void draw_bar(Run *run)
{
    guint total = run->inputs->len, done = run->tally.ok + run->tally.failed + run->tally.skipped;
    double part = 0;
    guint64 frames = run->frames_done;

    for (guint i = 0; i < run->running->len; i++) {
        Job *job = g_ptr_array_index(run->running, i);
        gint64 pos, dur;
        frames += g_atomic_int_get(&job->frames);
        if (gst_element_query_position(job->pipeline, GST_FORMAT_TIME, &pos) &&
            gst_element_query_duration(job->pipeline, GST_FORMAT_TIME, &dur) && dur > 0)
            part += CLAMP((double)pos / dur, 0.0, 1.0);
    }
    gst_cnn_progress_bar(&run->progress, total ? (done + part) / total : 1.0, done, total, frames);
}

/* ---- results ---- */

static void report(Run *run, const GstCnnInput *in, const char *status, guint64 frames,
                   double seconds, const char *output, const char *error)
{
    guint done = gst_cnn_results_report(run->results, &run->tally, in->display, status, frames,
                                        seconds, output, error);

    run->frames_done += frames;
    if (error)
        log_line(run, "[%u/%u] %s %s: %s", done, run->inputs->len, status, in->display, error);
    else if (!run->progress.tty)
        log_line(run, "[%u/%u] %s %s: %" G_GUINT64_FORMAT " frames in %.2f s", done,
                 run->inputs->len, status, in->display, frames, seconds);
}

/* ---- one pipeline per input ---- */

static void job_free(Job *job)
{
    if (job->pipeline) {
        GstBus *bus = gst_element_get_bus(job->pipeline);
        gst_bus_remove_watch(bus);
        gst_object_unref(bus);
        gst_element_set_state(job->pipeline, GST_STATE_NULL);
        gst_object_unref(job->pipeline);
    }
    g_free(job->final_out);
    g_free(job->tmp_out);
    g_free(job->error);
    g_free(job->last_label);
    g_free(job);
}

static void finish_job(Job *job, gboolean reached_eos)
{
    Run *run = job->run;
    double seconds = (g_get_monotonic_time() - job->started_us) / 1e6;
    guint64 frames;
    const char *output = NULL;
    char *error = NULL;

    /* NULL first: the muxer has written its last byte, threads are joined */
    gst_element_set_state(job->pipeline, GST_STATE_NULL);
    frames = g_atomic_int_get(&job->frames);
    if (job->error)
        error = g_strdup(job->error);
    else if (!reached_eos)
        error = g_strdup("stopped");
    else if (frames == 0)
        error = g_strdup("no video frame decoded");
    else if (job->interrupted && !job->in->live)
        error = g_strdup_printf("interrupted after %" G_GUINT64_FORMAT " frames%s%s", frames,
                                job->tmp_out ? "; partial output kept as " : "",
                                job->tmp_out ? job->tmp_out : "");
    if (!error && job->final_out) {
        remove_tree(job->final_out);
        if (g_rename(job->tmp_out, job->final_out) != 0)
            error = g_strdup_printf("cannot rename %s: %s", job->tmp_out, g_strerror(errno));
        else
            output = job->final_out;
    }
    if (error && job->tmp_out && !job->interrupted)
        remove_tree(job->tmp_out);

    report(run, job->in, error ? "failed" : "ok", frames, seconds, output, error);
    g_free(error);
    g_ptr_array_remove_fast(run->running, job);
    job_free(job);
    start_more(run);
}

/* cnnclassify's results: a line per frame, or when the label changes. */
static void write_classification(Job *job, const GstStructure *s)
{
    GstCnnClassification c = { job->in->display, 0, 0, NULL, -1, 0 };
    guint64 ts = GST_CLOCK_TIME_NONE;

    if (!gst_structure_has_name(s, "cnn-classification"))
        return;
    c.label = gst_structure_get_string(s, "label");
    if (!c.label || (!job->run->every_classification && !g_strcmp0(c.label, job->last_label)))
        return;
    gst_structure_get_uint64(s, "frame", &c.frame);
    gst_structure_get_uint64(s, "timestamp", &ts);
    gst_structure_get_int(s, "class-id", &c.class_id);
    gst_structure_get_double(s, "confidence", &c.confidence);
    c.time = GST_CLOCK_TIME_IS_VALID(ts) ? (double)ts / GST_SECOND : 0.0;
    gst_cnn_results_write_classification(job->run->results, &c);
    g_free(job->last_label);
    job->last_label = g_strdup(c.label);
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    Job *job = data;

    switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_ERROR: {
        GError *err = NULL;
        char *debug = NULL;
        gst_message_parse_error(msg, &err, &debug);
        if (!job->error)
            job->error = g_strdup_printf("%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message);
        g_error_free(err);
        g_free(debug);
        finish_job(job, FALSE);
        return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_EOS:
        finish_job(job, TRUE);
        return G_SOURCE_REMOVE;
    case GST_MESSAGE_ELEMENT:
        write_classification(job, gst_message_get_structure(msg));
        return G_SOURCE_CONTINUE;
    default:
        return G_SOURCE_CONTINUE;
    }
}

static GstPadProbeReturn count_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    Job *job = data;
    gint64 limit = job->run->max_frames;

    if (limit > 0 && g_atomic_int_get(&job->frames) >= limit)
        return GST_PAD_PROBE_DROP;
    g_atomic_int_inc(&job->frames);
    g_atomic_int_set(&job->last_frame_ms, (gint)((g_get_monotonic_time() - job->started_us) / 1000));
    return GST_PAD_PROBE_OK;
}

static void on_decoded_pad(GstElement *decoder, GstPad *pad, gpointer data)
{
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const char *media;

    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    media = gst_caps_get_size(caps) ? gst_structure_get_name(gst_caps_get_structure(caps, 0)) : "";
    if (g_str_has_prefix(media, "video/"))
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, data, NULL);
    gst_caps_unref(caps);
}

/* Give each cnn element (n-threads) and libav decoder (max-threads) its share
 * of the cores, so --jobs pipelines do not oversubscribe them. */
static void set_thread_share(GstElement *element, Run *run)
{
    static const char *const names[] = { "n-threads", "max-threads" };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        GParamSpec *spec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), names[i]);
        if (!spec || !(spec->flags & G_PARAM_WRITABLE))
            continue;
        if (spec->value_type == G_TYPE_INT)
            g_object_set(element, names[i], (gint)run->threads_per_job, NULL);
        else if (spec->value_type == G_TYPE_UINT)
            g_object_set(element, names[i], (guint)run->threads_per_job, NULL);
    }
}

static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
    set_thread_share(element, data);
}

/* Frames are counted where the decoder hands them out; a pipeline without a
 * decodebin counts buffers at its first sink. */
static void attach_counters(Job *job)
{
    GstIterator *it = gst_bin_iterate_recurse(GST_BIN(job->pipeline));
    GValue v = G_VALUE_INIT;
    GstElement *first_sink = NULL;
    gboolean found = FALSE;

    while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        GstElement *e = g_value_get_object(&v);
        GstElementFactory *f = gst_element_get_factory(e);
        const char *fname = f ? GST_OBJECT_NAME(f) : "";
        set_thread_share(e, job->run);
        if (g_str_has_suffix(fname, "decodebin") || g_str_has_suffix(fname, "decodebin3")) {
            g_signal_connect(e, "pad-added", G_CALLBACK(on_decoded_pad), job);
            found = TRUE;
        } else if (GST_OBJECT_FLAG_IS_SET(e, GST_ELEMENT_FLAG_SINK) && !first_sink) {
            first_sink = gst_object_ref(e);
        }
        g_value_reset(&v);
    }
    g_value_unset(&v);
    gst_iterator_free(it);
    if (!found && first_sink) {
        GstPad *pad = gst_element_get_static_pad(first_sink, "sink");
        if (pad) {
            gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, job, NULL);
            gst_object_unref(pad);
        }
    }
    if (first_sink)
        gst_object_unref(first_sink);
    g_signal_connect(job->pipeline, "deep-element-added", G_CALLBACK(on_deep_element_added), job->run);
}

static GstElement *parse_pipeline(Run *run, const GstCnnInput *in, const char *output, GError **error)
{
    GHashTable *values = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer key, value;
    GstElement *e = NULL;
    char *text;

    g_hash_table_iter_init(&it, run->values);
    while (g_hash_table_iter_next(&it, &key, &value))
        g_hash_table_insert(values, key, value);
    g_hash_table_insert(values, "input", in->uri);
    if (output)
        g_hash_table_insert(values, "output", (gpointer)output);
    text = gst_cnn_pipeline_resolve(run->p, values, NULL, error);
    if (text)
        e = gst_parse_launch_full(text, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    g_free(text);
    g_hash_table_unref(values);
    if (e && !GST_IS_PIPELINE(e)) {
        GstElement *pipeline = gst_pipeline_new(NULL);
        gst_bin_add(GST_BIN(pipeline), e);
        e = pipeline;
    }
    return e;
}

/* A fresh .partial: a file to be written, or an empty folder. NULL or why not. */
static char *prepare_output(Run *run, Job *job)
{
    char *parent = g_path_get_dirname(job->tmp_out);

    g_mkdir_with_parents(parent, 0777);
    g_free(parent);
    remove_tree(job->tmp_out);
    if (run->p->output_kind == GST_CNN_OUTPUT_DIR && g_mkdir(job->tmp_out, 0777) != 0)
        return g_strdup_printf("cannot create %s: %s", job->tmp_out, g_strerror(errno));
    return NULL;
}

static void start_job(Run *run, GstCnnInput *in)
{
    Job *job = g_new0(Job, 1);
    GError *error = NULL;
    GstBus *bus;
    char *reason = NULL;

    job->run = run;
    job->in = in;
    job->started_us = g_get_monotonic_time();
    if (run->p->output_kind != GST_CNN_OUTPUT_NONE) {
        char *name = g_strconcat(in->stem, ".", run->p->output_suffix, NULL);
        job->final_out = g_build_filename(run->out_dir, name, NULL);
        job->tmp_out = g_strconcat(job->final_out, ".partial", NULL);
        g_free(name);
    }
    if (job->final_out && in->clash) {
        reason = g_strdup_printf("its output %s is also that of %s: give both in one folder "
                                 "(subfolders keep names apart) or run them separately",
                                 job->final_out, in->clash);
    } else if (job->final_out && !in->live && !run->force &&
               g_file_test(job->final_out, G_FILE_TEST_EXISTS)) {
        report(run, in, "skipped", 0, 0, job->final_out, NULL);
        goto drop;
    } else {
        reason = gst_cnn_input_truncation(in);
    }
    if (!reason && job->tmp_out)
        reason = prepare_output(run, job);
    if (!reason && !(job->pipeline = parse_pipeline(run, in, job->tmp_out, &error))) {
        reason = g_strdup(error->message);
        g_error_free(error);
    }
    if (reason) {
        report(run, in, "failed", 0, 0, NULL, reason);
        g_free(reason);
        goto drop;
    }
    attach_counters(job);
    bus = gst_element_get_bus(job->pipeline);
    gst_bus_add_watch(bus, on_bus, job);
    gst_object_unref(bus);
    g_ptr_array_add(run->running, job);
    /* a failure to start also posts an ERROR message, handled by on_bus */
    gst_element_set_state(job->pipeline, GST_STATE_PLAYING);
    return;

drop:
    job_free(job);
}

static void start_more(Run *run)
{
    while (!run->interrupts && run->running->len < run->jobs && run->next < run->inputs->len)
        start_job(run, g_ptr_array_index(run->inputs, run->next++));
    if (run->running->len == 0 && (run->interrupts || run->next >= run->inputs->len))
        g_main_loop_quit(run->loop);
}

static void send_eos(Job *job)
{
    if (!job->eos_sent) {
        job->eos_sent = TRUE;
        gst_element_send_event(job->pipeline, gst_event_new_eos());
    }
}

static gboolean on_tick(gpointer data)
{
    Run *run = data;
    gint64 now = g_get_monotonic_time();

    /* finish_job removes from run->running: walk a copy */
    GPtrArray *jobs = g_ptr_array_copy(run->running, NULL, NULL);
    for (guint i = 0; i < jobs->len; i++) {
        Job *job = g_ptr_array_index(jobs, i);
        gint64 idle = now - job->started_us - g_atomic_int_get(&job->last_frame_ms) * (gint64)1000;
        if (run->max_frames > 0 && g_atomic_int_get(&job->frames) >= run->max_frames)
            send_eos(job);
        if (run->interrupts && now - run->interrupted_at > DRAIN_TIMEOUT_US) {
            job->error = g_strdup("interrupted; the pipeline did not drain");
            finish_job(job, FALSE);
        } else if (run->timeout_s && idle > (gint64)run->timeout_s * G_USEC_PER_SEC) {
            GstState state;
            gst_element_get_state(job->pipeline, &state, NULL, 0);
            job->error = g_strdup_printf("no progress for %u s (stuck in %s after %d frames)",
                                         run->timeout_s, gst_element_state_get_name(state),
                                         g_atomic_int_get(&job->frames));
            finish_job(job, FALSE);
        }
    }
    g_ptr_array_unref(jobs);
    if (run->running->len)
        draw_bar(run);
    return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data)
{
    Run *run = data;

    run->interrupts++;
    if (run->interrupts == 1) {
        run->interrupted_at = g_get_monotonic_time();
        log_line(run, "interrupted: finishing the files being written (again to stop now)");
        for (guint i = 0; i < run->running->len; i++) {
            Job *job = g_ptr_array_index(run->running, i);
            job->interrupted = TRUE;
            send_eos(job);
        }
    } else {
        while (run->running->len) {
            Job *job = g_ptr_array_index(run->running, 0);
            job->error = g_strdup("interrupted");
            finish_job(job, FALSE);
        }
    }
    start_more(run);
    return G_SOURCE_CONTINUE;
}

/* Parse once before the batch: a pipeline that cannot be built (unknown
 * element, bad property, missing placeholder) is a usage error, not a
 * failure of every input. */
static gboolean check_pipeline(Run *run)
{
    GError *error = NULL;
    GstCnnInput *in = g_ptr_array_index(run->inputs, 0);
    GstElement *e = parse_pipeline(run, in, "gst-cnn-check.partial", &error);

    if (!e) {
        fprintf(stderr, "gst-cnn run: %s: %s%s%s\n", run->p->name, error->message,
                run->p->needs ? " (needs: " : "", run->p->needs ? run->p->needs : "");
        if (run->p->needs)
            fputs(")\n", stderr);
        g_error_free(error);
        return FALSE;
    }
    gst_object_unref(e);
    return TRUE;
}

static gboolean parse_shard(const char *s, guint *k, guint *n)
{
    char *end;
    guint64 a, b;

    a = g_ascii_strtoull(s, &end, 10);
    if (end == s || *end != '/')
        return FALSE;
    s = end + 1;
    b = g_ascii_strtoull(s, &end, 10);
    if (end == s || *end || b == 0 || a >= b || b > G_MAXUINT)
        return FALSE;
    *k = (guint)a;
    *n = (guint)b;
    return TRUE;
}

int gst_cnn_run(int argc, char **argv)
{
    char **settings = NULL, *out_dir = NULL, *results_path = NULL, *format = NULL, *shard = NULL;
    char *classifications = NULL;
    gint jobs = 1, timeout_s = 60;
    gint64 max_frames = 0;
    gboolean force = FALSE, quiet = FALSE;
    GOptionEntry entries[] = {
        { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &settings, "fill placeholder KEY (repeatable)", "KEY=VALUE" },
        { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "folder for outputs (default: .)", "DIR" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "inputs processed at once; 0: one per core (default 1)", "N" },
        { "shard", 0, 0, G_OPTION_ARG_STRING, &shard, "process only share K (0-based) of N of the sorted inputs", "K/N" },
        { "results", 'r', 0, G_OPTION_ARG_FILENAME, &results_path, "write results there (default: standard output)", "FILE" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "results as json (lines, default) or csv", "FORMAT" },
        { "force", 0, 0, G_OPTION_ARG_NONE, &force, "redo inputs whose output exists", NULL },
        { "max-frames", 'n', 0, G_OPTION_ARG_INT64, &max_frames, "stop each input after N frames", "N" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_s, "fail an input with no new frame for S seconds (0: never; default 60)", "S" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress and no log on standard error", NULL },
        { "classifications", 'c', 0, G_OPTION_ARG_STRING, &classifications, "classifier results: a line per frame or per change of label (default change)", "frame|change" },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("NAME|PIPELINE-FILE INPUT... - run a ready pipeline on many inputs");
    GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GPtrArray *inputs = g_ptr_array_new_with_free_func((GDestroyNotify)gst_cnn_input_free);
    GstCnnFormat fmt = GST_CNN_FORMAT_JSON;
    GError *error = NULL;
    Run run = { 0 };
    guint shard_k = 0, shard_n = 1, total;
    int status = GST_CNN_EXIT_USAGE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "INPUT: a file, a folder (searched recursively for video files), a URI, `camera`\n"
        "(the first /dev/video*) or `-` (paths on standard input, one per line).\n"
        "Results: one JSON object (or CSV row) per input with file, status (ok, failed,\n"
        "skipped), frames, seconds, outputs, error. Progress goes to standard error.\n"
        "Exit status: 0 all ok or skipped, 1 some input failed, 2 usage error, 130 interrupted.");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (argc < 3) {
        fprintf(stderr, "gst-cnn run: give a pipeline NAME and at least one INPUT\n"
                        "Try `gst-cnn run --help`.\n");
        goto done;
    }
    if (format && !strcmp(format, "csv"))
        fmt = GST_CNN_FORMAT_CSV;
    else if (format && strcmp(format, "json")) {
        fprintf(stderr, "gst-cnn run: --format %s: expected json or csv\n", format);
        goto done;
    }
    if (classifications && strcmp(classifications, "frame") && strcmp(classifications, "change")) {
        fprintf(stderr, "gst-cnn run: --classifications %s: expected frame or change\n", classifications);
        goto done;
    }
    run.every_classification = classifications && !strcmp(classifications, "frame");
    if (shard && !parse_shard(shard, &shard_k, &shard_n)) {
        fprintf(stderr, "gst-cnn run: --shard %s: expected K/N with 0 <= K < N\n", shard);
        goto done;
    }
    if (jobs < 0 || timeout_s < 0 || max_frames < 0) {
        fprintf(stderr, "gst-cnn run: --jobs, --timeout and --max-frames take N >= 0\n");
        goto done;
    }
    for (char **s = settings; s && *s; s++)
        if (!gst_cnn_parse_setting(values, *s, &error))
            goto fail;
    if (!(run.p = gst_cnn_pipeline_load(argv[1], &error)))
        goto fail;
    if (!strstr(run.p->text, "{input}")) {
        fprintf(stderr, "gst-cnn run: pipeline %s has no {input}\n", run.p->name);
        goto done;
    }
    if (!gst_cnn_inputs_collect(argv + 2, inputs, &error))
        goto fail;
    total = inputs->len;
    if (!total) {
        fprintf(stderr, "gst-cnn run: no video files in the given inputs\n");
        goto done;
    }
    gst_cnn_inputs_shard(inputs, shard_k, shard_n);
    if (jobs != 1)
        gst_cnn_inputs_sort_largest_first(inputs);

    run.values = values;
    run.inputs = inputs;
    run.running = g_ptr_array_new();
    run.jobs = jobs ? (guint)jobs : g_get_num_processors();
    run.threads_per_job = MAX(1, (int)g_get_num_processors() / (int)MIN(run.jobs, MAX(inputs->len, 1)));
    run.out_dir = out_dir ? out_dir : ".";
    run.force = force;
    gst_cnn_progress_start(&run.progress, quiet);
    run.max_frames = max_frames;
    run.timeout_s = (guint)timeout_s;
    if (inputs->len && !check_pipeline(&run))
        goto done;
    if (!(run.results = gst_cnn_results_open(results_path, fmt, &error)))
        goto fail;
    if (shard)
        log_line(&run, "shard %u/%u: %u of %u inputs", shard_k, shard_n, inputs->len, total);

    run.loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, &run);
    g_unix_signal_add(SIGTERM, on_signal, &run);
    g_timeout_add(TICK_MS, on_tick, &run);
    start_more(&run);
    /* all inputs may already be skipped or failed before any pipeline ran */
    if (run.running->len)
        g_main_loop_run(run.loop);
    clear_bar(&run);
    log_line(&run, "%u ok, %u failed, %u skipped in %.1f s", run.tally.ok, run.tally.failed,
             run.tally.skipped,
             gst_cnn_progress_elapsed(&run.progress));
    gst_cnn_results_close(run.results);
    g_main_loop_unref(run.loop);
    status = run.interrupts ? GST_CNN_EXIT_INTERRUPTED
           : run.tally.failed ? GST_CNN_EXIT_FAILED
                            : GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn run: %s\n", error->message);
    g_error_free(error);
done:
    if (run.running)
        g_ptr_array_unref(run.running);
    gst_cnn_pipeline_free(run.p);
    g_ptr_array_unref(inputs);
    g_hash_table_unref(values);
    g_strfreev(settings);
    g_free(out_dir);
    g_free(results_path);
    g_free(classifications);
    g_free(format);
    g_free(shard);
    g_option_context_free(ctx);
    return status;
}
