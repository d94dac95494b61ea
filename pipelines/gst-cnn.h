/* gst-cnn: the command. One file per subcommand; this header is what they
 * share: ready pipeline files, the input list, the results writer. */
#ifndef GST_CNN_H
#define GST_CNN_H

#include <glib.h>

/* Exit codes scripts can rely on. */
enum {
    GST_CNN_EXIT_OK = 0,          /* everything done (or already done) */
    GST_CNN_EXIT_FAILED = 1,      /* at least one input failed */
    GST_CNN_EXIT_USAGE = 2,       /* bad arguments, unknown pipeline, pipeline does not parse */
    GST_CNN_EXIT_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM after finalising outputs */
};

/* ---- ready pipelines (gst-cnn-pipeline.c) ---- */

typedef enum {
    GST_CNN_OUTPUT_NONE, /* displays or discards: nothing to finish, never skipped */
    GST_CNN_OUTPUT_FILE, /* {output} is one file */
    GST_CNN_OUTPUT_DIR,  /* {output} is a folder the pipeline fills (frames) */
} GstCnnOutputKind;

typedef struct {
    char *name;        /* file name without ".pipeline" */
    char *path;
    char *description; /* "# description:" */
    char *needs;       /* "# needs:" element names, space separated */
    GstCnnOutputKind output_kind;
    char *output_suffix;  /* "# output: file edges.avi" -> "edges.avi" */
    GHashTable *defaults; /* "# default: key=value ..." */
    char *text;           /* the pipeline, comment lines removed, lines joined */
} GstCnnPipeline;

/* Folders searched for NAME.pipeline, in order: $GST_CNN_PIPELINE_PATH
 * (colon separated), the executable's folder when it holds pipelines (an
 * uninstalled build), the installed data folder. */
GPtrArray *gst_cnn_pipeline_dirs(void);
/* NAME, or a path to a pipeline file (contains '/' or ends in .pipeline). */
GstCnnPipeline *gst_cnn_pipeline_load(const char *name_or_path, GError **error);
void gst_cnn_pipeline_free(GstCnnPipeline *p);
/* Placeholder names in order of first appearance. */
GPtrArray *gst_cnn_pipeline_placeholders(const GstCnnPipeline *p);
/* Replace every {key} by values[key] or the file's default, quoted for the
 * gst-launch syntax. Keys in `keep` stay as {key} when they have no value;
 * any other missing key is an error naming it. */
char *gst_cnn_pipeline_resolve(const GstCnnPipeline *p, GHashTable *values,
                               const char *const *keep, GError **error);
/* Parse "key=value" into values; FALSE on a string without '='. */
gboolean gst_cnn_parse_setting(GHashTable *values, const char *setting, GError **error);

/* ---- inputs (gst-cnn-inputs.c) ---- */

typedef struct {
    char *uri;     /* what {input} becomes */
    char *display; /* the path or URI as given, for results and logs */
    char *local;   /* local file path, NULL for URIs and cameras */
    char *stem;    /* relative output name without extension (keeps subfolders) */
    gboolean live; /* camera: ends on Ctrl-C, never skipped */
    goffset size;  /* bytes of a local file, else 0 */
    char *clash;   /* an earlier input with the same output name, else NULL */
} GstCnnInput;

/* Expand files, folders (recursively, by video extension), URIs, "camera"
 * and "-" (paths on stdin) into inputs sorted by display name, without
 * duplicates. FALSE with an error for a missing path or an absent camera. */
gboolean gst_cnn_inputs_collect(char **args, GPtrArray *inputs, GError **error);
/* Names in a folder (hidden ones left out), sorted; empty when it cannot
 * be read. */
GPtrArray *gst_cnn_list_folder(const char *path);
/* Set clash on every input whose stem an earlier one (in array order) has. */
void gst_cnn_inputs_mark_clashes(GPtrArray *inputs);
/* Keep only the k-th of n shares (index modulo n over the sorted list). */
void gst_cnn_inputs_shard(GPtrArray *inputs, guint k, guint n);
/* Largest files first, so that parallel jobs end together (the longest
 * processing time rule) instead of one big file running alone at the end. */
void gst_cnn_inputs_sort_largest_first(GPtrArray *inputs);
/* A reason when a local file is visibly incomplete (container header
 * declares more bytes than the file has), else NULL. */
char *gst_cnn_input_truncation(const GstCnnInput *in);
void gst_cnn_input_free(GstCnnInput *in);

/* ---- results (gst-cnn-results.c) ---- */

typedef enum { GST_CNN_FORMAT_JSON, GST_CNN_FORMAT_CSV } GstCnnFormat;

typedef struct {
    const char *file;
    const char *status; /* "ok", "failed", "skipped" */
    guint64 frames;
    double seconds;
    GPtrArray *outputs; /* char*; may be NULL */
    const char *error;  /* NULL when none */
} GstCnnResult;

typedef struct GstCnnResults GstCnnResults;
/* path NULL or "-": standard output. */
GstCnnResults *gst_cnn_results_open(const char *path, GstCnnFormat format, GError **error);
void gst_cnn_results_write(GstCnnResults *r, const GstCnnResult *res);
void gst_cnn_results_close(GstCnnResults *r);
/* Inputs reported, by status. */
typedef struct {
    guint ok, failed, skipped;
} GstCnnTally;
/* Write the result of one input with at most one output (NULL: none) and
 * count its status in tally; the number of inputs reported so far. */
guint gst_cnn_results_report(GstCnnResults *r, GstCnnTally *tally, const char *file,
                             const char *status, guint64 frames, double seconds,
                             const char *output, const char *error);
/* v as a JSON string (null for NULL), made valid UTF-8. */
void gst_cnn_json_append_string(GString *s, const char *v);

/* ---- progress and logs on standard error (gst-cnn-progress.c) ---- */

typedef struct {
    gboolean quiet, tty, shown;
    gint64 t0;
} GstCnnProgress;

void gst_cnn_progress_start(GstCnnProgress *p, gboolean quiet);
/* Seconds since gst_cnn_progress_start(). */
double gst_cnn_progress_elapsed(const GstCnnProgress *p);
/* "[####....] done/total files  N frames  F fps  ETA h:mm:ss" on a terminal
 * (fraction of the whole batch, 0..1). */
void gst_cnn_progress_bar(GstCnnProgress *p, double fraction, guint done, guint total,
                          guint64 frames);
void gst_cnn_progress_clear(GstCnnProgress *p);
/* "gst-cnn: MESSAGE" on its own line (not when quiet). */
void gst_cnn_progress_log(GstCnnProgress *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* One classification of a frame (cnnclassify's "cnn-classification"
 * messages): a JSON line {"file", "frame", "time", "label", "class-id",
 * "confidence"}, or in CSV a row of the results' columns with status
 * "classified", frames the frame number, seconds its stream time and
 * outputs "label (confidence)". */
typedef struct {
    const char *file;
    guint64 frame;
    double time;
    const char *label;
    int class_id;
    double confidence;
} GstCnnClassification;
void gst_cnn_results_write_classification(GstCnnResults *r, const GstCnnClassification *c);

/* ---- still images (gst-cnn-image.c) ---- */

/* Decode any image decodebin reads into packed RGB (g_free it). */
guint8 *gst_cnn_image_load_rgb(const char *path, int *width, int *height, GError **error);
gboolean gst_cnn_image_save_png(const char *path, const guint8 *rgb, int width, int height,
                                GError **error);

/* ---- subcommands ---- */
int gst_cnn_run(int argc, char **argv);
int gst_cnn_list(int argc, char **argv);
int gst_cnn_show(int argc, char **argv);
int gst_cnn_bench(int argc, char **argv);
int gst_cnn_rf(int argc, char **argv);
int gst_cnn_augment(int argc, char **argv);
int gst_cnn_infer(int argc, char **argv);
int gst_cnn_onnx_test(int argc, char **argv);
int gst_cnn_train(int argc, char **argv);

/* Parse a subcommand's options; on failure print the error and a hint to
 * standard error. */
gboolean gst_cnn_parse_options(GOptionContext *ctx, int *argc, char ***argv);
/* g_ptr_array_sort() order of char* elements. */
gint gst_cnn_compare_strings(gconstpointer a, gconstpointer b);
/* Folder of the running executable (for uninstalled lookups). */
char *gst_cnn_exe_dir(void);

#endif
