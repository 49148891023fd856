#pragma once
// Every public header of the report layer (figures).
#include "tfgram/report/colormap.h"
#include "tfgram/report/filter_responses.h"
#include "tfgram/report/frontend_axes.h"
#include "tfgram/report/plot.h"
#include "tfgram/report/png.h"
#include "tfgram/report/tf_image.h"
