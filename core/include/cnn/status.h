/* Status codes and error messages of libcnn.
 *
 * Every entry point returns a cnn_status; on failure the message (naming the
 * op and the problem) is kept per thread and read with cnn_last_error(). */
#ifndef CNN_STATUS_H
#define CNN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_status {
    CNN_OK = 0,
    CNN_ERR_INVALID_ARG,  /* a parameter is out of range or inconsistent */
    CNN_ERR_SHAPE,        /* tensor shapes do not fit the operation */
    CNN_ERR_NOMEM,        /* an allocation failed */
    CNN_ERR_UNSUPPORTED,  /* valid request that this build cannot do */
    CNN_ERR_IO,           /* a file could not be read or written */
    CNN_ERR_FORMAT,       /* a file or string is malformed */
} cnn_status;

/* Short constant name of a status, e.g. "invalid argument". */
const char *cnn_status_name(cnn_status status);

/* The message of the last failure on this thread ("" when none). */
const char *cnn_last_error(void);

/* Record a formatted message for this thread and return status, so library
 * code can write `return cnn_fail(CNN_ERR_SHAPE, "conv2d: ...", ...);`. */
cnn_status cnn_fail(cnn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
