/* The cnn plugin: convolution and edge detection elements on libcnn. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstcnnconv.h"
#include "gstcnnedge.h"
#include "gstcnnaugment.h"
#include "gstcnnpool.h"
#include "gstcnntensorize.h"
#include "gstcnnvisualize.h"
#include "gstcnndropout.h"
#include "gstcnnbatchnorm.h"
#include "gstcnnclassify.h"
#include "gstcnnnet.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (cnnconv, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnedge, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnaugment, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnpool, plugin);
  ret |= GST_ELEMENT_REGISTER (cnntensorize, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnvisualize, plugin);
  ret |= GST_ELEMENT_REGISTER (cnndropout, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnbatchnorm, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnclassify, plugin);
  ret |= GST_ELEMENT_REGISTER (cnnnet, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, cnn,
    "CNN layers and edge detection on video (gst-cnn)", plugin_init, PACKAGE_VERSION,
    "LGPL", "gst-cnn", "https://github.com/gst-cnn/gst-cnn")
