/* Progress bar and log lines on standard error, shared by the batch
 * commands (run, augment): a log line clears the bar first, so the two never
 * mix; the bar is drawn only on a terminal. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "gst-cnn.h"

void gst_cnn_progress_start(GstCnnProgress *p, gboolean quiet)
{
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->shown = FALSE;
    p->t0 = g_get_monotonic_time();
}

double gst_cnn_progress_elapsed(const GstCnnProgress *p)
{
    return (g_get_monotonic_time() - p->t0) / 1e6;
}

void gst_cnn_progress_clear(GstCnnProgress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        p->shown = FALSE;
    }
}

void gst_cnn_progress_bar(GstCnnProgress *p, double fraction, guint done, guint total,
                          guint64 frames)
{
    double elapsed = gst_cnn_progress_elapsed(p);
    double fps = elapsed > 0 ? frames / elapsed : 0;
    char eta[32] = "--:--";
    char bar[21];
    int filled;

    if (p->quiet || !p->tty)
        return;
    if (fraction > 0.001 && elapsed > 1) {
        int left = (int)(elapsed * (1 - fraction) / fraction + 0.5);
        g_snprintf(eta, sizeof eta, "%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60);
    }
    filled = (int)(fraction * 20 + 0.5);
    for (int i = 0; i < 20; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[20] = '\0';
    fprintf(stderr, "\r\033[K[%s] %u/%u files  %" G_GUINT64_FORMAT " frames  %.1f fps  ETA %s",
            bar, done, total, frames, fps, eta);
    fflush(stderr);
    p->shown = TRUE;
}

void gst_cnn_progress_log(GstCnnProgress *p, const char *fmt, ...)
{
    va_list ap;

    if (p->quiet)
        return;
    gst_cnn_progress_clear(p);
    va_start(ap, fmt);
    fputs("gst-cnn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
