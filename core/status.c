/* Status names and the per-thread error message. */
#include <stdarg.h>
#include <stdio.h>

#include "cnn/status.h"

static _Thread_local char last_error[512];

const char *cnn_status_name(cnn_status status)
{
    switch (status) {
    case CNN_OK: return "ok";
    case CNN_ERR_INVALID_ARG: return "invalid argument";
    case CNN_ERR_SHAPE: return "shape mismatch";
    case CNN_ERR_NOMEM: return "out of memory";
    case CNN_ERR_UNSUPPORTED: return "unsupported";
    case CNN_ERR_IO: return "i/o error";
    case CNN_ERR_FORMAT: return "malformed input";
    }
    return "unknown status";
}

const char *cnn_last_error(void)
{
    return last_error;
}

cnn_status cnn_fail(cnn_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}
