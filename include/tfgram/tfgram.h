#pragma once
// Umbrella header: every public tfgram layer.
#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/dsp/mel.h"
#include "tfgram/dsp/windows.h"
#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/differentiable_spectrogram.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/frontends/gaussian_window.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/spectrogram.h"
#include "tfgram/frontends/spectrogram_norm.h"
#include "tfgram/frontends/tfde.h"
#include "tfgram/util/threads.h"
