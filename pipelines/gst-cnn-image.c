/* Still images in and out through GStreamer (any format decodebin reads;
 * PNG out), as packed RGB rows without padding. */
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "gst-cnn.h"

/* Run a pipeline to EOS; FALSE with the bus error. */
static gboolean wait_eos(GstElement *pipeline, GError **error)
{
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
                                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    gboolean ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;

    if (!msg)
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "timed out");
    else if (!ok)
        gst_message_parse_error(msg, error, NULL);
    if (msg)
        gst_message_unref(msg);
    gst_object_unref(bus);
    return ok;
}

guint8 *gst_cnn_image_load_rgb(const char *path, int *width, int *height, GError **error)
{
    char *uri = gst_filename_to_uri(path, error);
    char *desc;
    GstElement *pipeline;
    GstSample *sample = NULL;
    guint8 *rgb = NULL;

    if (!uri)
        return NULL;
    desc = g_strdup_printf("uridecodebin uri=%s ! videoconvert ! video/x-raw,format=RGB "
                           "! appsink name=sink sync=false", uri);
    pipeline = gst_parse_launch(desc, error);
    g_free(desc);
    g_free(uri);
    if (!pipeline)
        return NULL;
    gst_element_set_state(pipeline, GST_STATE_PAUSED);
    if (gst_element_get_state(pipeline, NULL, NULL, 30 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS) {
        GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
        sample = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), 0);
        gst_object_unref(sink);
    }
    if (sample) {
        GstVideoInfo info;
        GstVideoFrame frame;
        gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
        if (gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
            *width = GST_VIDEO_INFO_WIDTH(&info);
            *height = GST_VIDEO_INFO_HEIGHT(&info);
            rgb = g_malloc((gsize)*width * *height * 3);
            for (int y = 0; y < *height; y++)
                memcpy(rgb + (gsize)y * *width * 3,
                       (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                       (gsize)*width * 3);
            gst_video_frame_unmap(&frame);
        }
        gst_sample_unref(sample);
    } else {
        GstBus *bus = gst_element_get_bus(pipeline);
        GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
        if (msg) {
            gst_message_parse_error(msg, error, NULL);
            gst_message_unref(msg);
        } else {
            g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "%s: no image decoded", path);
        }
        gst_object_unref(bus);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    return rgb;
}

gboolean gst_cnn_image_save_png(const char *path, const guint8 *rgb, int width, int height,
                                GError **error)
{
    GstElement *pipeline = gst_parse_launch("appsrc name=src format=time ! videoconvert ! pngenc "
                                            "! filesink name=sink", error);
    GstElement *src, *sink;
    GstVideoInfo info;
    GstBuffer *buffer;
    GstCaps *caps;
    gboolean ok;

    if (!pipeline)
        return FALSE;
    src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(sink, "location", path, NULL);
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, width, height);
    caps = gst_video_info_to_caps(&info);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    gst_caps_unref(caps);
    /* RGB rows are padded to 4 bytes in GStreamer's layout */
    buffer = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    for (int y = 0; y < height; y++)
        gst_buffer_fill(buffer, (gsize)y * GST_VIDEO_INFO_PLANE_STRIDE(&info, 0),
                        rgb + (gsize)y * width * 3, (gsize)width * 3);
    GST_BUFFER_PTS(buffer) = 0;
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    ok = wait_eos(pipeline, error);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    return ok;
}
