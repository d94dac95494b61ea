/* libcnn: the gst-cnn engine. One include for everything public. */
#ifndef CNN_CNN_H
#define CNN_CNN_H

#include "cnn/status.h"
#include "cnn/tensor.h"
#include "cnn/rng.h"
#include "cnn/threadpool.h"
#include "cnn/cpu.h"
#include "cnn/context.h"
#include "cnn/conv2d.h"
#include "cnn/conv2d_backward.h"
#include "cnn/pixels.h"
#include "cnn/edge.h"
#include "cnn/pool.h"
#include "cnn/receptive_field.h"
#include "cnn/batchnorm.h"
#include "cnn/dropout.h"
#include "cnn/activation.h"
#include "cnn/dense.h"
#include "cnn/softmax.h"
#include "cnn/elementwise.h"
#include "cnn/augment.h"
#include "cnn/text.h"
#include "cnn/colormap.h"
#include "cnn/train.h"

#endif
