#include "force_generic_kernel.h"

namespace tfgram::dsp::detail {
namespace {
thread_local bool generic_forced = false;
}  // namespace

ForceGenericKernel::ForceGenericKernel() : previous_(generic_forced) { generic_forced = true; }
ForceGenericKernel::~ForceGenericKernel() { generic_forced = previous_; }
bool ForceGenericKernel::active() { return generic_forced; }

}  // namespace tfgram::dsp::detail
