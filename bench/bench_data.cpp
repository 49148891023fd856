// Data-layer benchmark: loading FSDD the first time (decode every WAV, write the cache) against
// loading it again from the decoded-audio cache. Reported by bench/report.py with its ratio.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tfgram/data/fsdd.h"

namespace {
namespace fs = std::filesystem;
using namespace tfgram::data;

std::string fsdd_root() {
  const char* data = std::getenv("TFGRAM_DATA_DIR");
  return std::string(data != nullptr ? data : TFGRAM_DEFAULT_DATA_DIR) + "/fsdd";
}

AudioOptions audio(const std::string& cache_dir) {
  return AudioOptions().sample_rate(8000).length(8000).length_policy(LengthPolicy::kCentre).cache(
      CacheOptions().directory(cache_dir));
}

// First load: an empty cache folder every iteration.
void BM_FsddLoadFirst(benchmark::State& state) {
  const auto base = fs::temp_directory_path() / "tfgram-bench-cache-first";
  int64_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto dir = base / std::to_string(round++);
    fs::remove_all(dir);
    state.ResumeTiming();
    Fsdd fsdd(fsdd_root(), FsddOptions().audio(audio(dir.string())));
    benchmark::DoNotOptimize(fsdd.size());
  }
  fs::remove_all(base);
}

// Second load: the cache written once before timing starts.
void BM_FsddLoadCached(benchmark::State& state) {
  const auto dir = fs::temp_directory_path() / "tfgram-bench-cache-second";
  fs::remove_all(dir);
  { Fsdd warm(fsdd_root(), FsddOptions().audio(audio(dir.string()))); }
  for (auto _ : state) {
    Fsdd fsdd(fsdd_root(), FsddOptions().audio(audio(dir.string())));
    benchmark::DoNotOptimize(fsdd.size());
  }
  fs::remove_all(dir);
}

BENCHMARK(BM_FsddLoadFirst)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FsddLoadCached)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
