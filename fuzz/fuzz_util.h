#pragma once
// Shared by the fuzz targets: inputs that the library reads from paths go through a private file.
#include <torch/torch.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace tfgram::fuzz {

/// One LibTorch thread: executions per second, not parallel speed-up, is what counts here.
inline void init() { torch::set_num_threads(1); }

/// Writes `data` to a per-process file ending in `name` under $TMPDIR (or /tmp); returns its path.
inline std::string as_file(const uint8_t* data, size_t size, const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  const auto folder = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / ("tfgram-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto path = (folder / name).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace tfgram::fuzz
