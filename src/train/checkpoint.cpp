#include "tfgram/train/checkpoint.h"

#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"
#include "tfgram/util/integrity.h"
#include "tfgram/util/staged_file.h"

namespace tfgram::train {
namespace {
constexpr const char* kFormat = "tfgram.checkpoint.v1";

// The file: a 32-byte header, then the LibTorch archive (a zip) as the payload.
//   0  "TFGRAMCK"            8 bytes
//   8  format version        u32 (little-endian, as everything here)
//  12  crc32 of the payload  u32
//  16  payload size          u64
//  24  crc32 of bytes 0..23  u32
//  28  reserved (0)          u32
// Format 1 was the bare archive (no version, no checksum).
constexpr char kMagic[8] = {'T', 'F', 'G', 'R', 'A', 'M', 'C', 'K'};
constexpr size_t kHeaderSize = 32;

void put32(char* at, uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
void put64(char* at, uint64_t v) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
uint32_t get32(const char* at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(at[i]);
  return v;
}
uint64_t get64(const char* at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(at[i]);
  return v;
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw std::invalid_argument(path + ": " + why);
}

}  // namespace

namespace {
std::string checkpoint_header(uint32_t payload_crc, uint64_t payload_size) {
  std::string header(kHeaderSize, '\0');
  std::memcpy(header.data(), kMagic, sizeof kMagic);
  put32(header.data() + 8, static_cast<uint32_t>(kCheckpointFormatVersion));
  put32(header.data() + 12, payload_crc);
  put64(header.data() + 16, payload_size);
  put32(header.data() + 24, util::crc32(header.data(), 24));
  return header;
}
}  // namespace

std::string seal_checkpoint(const std::string& payload) { return checkpoint_header(util::crc32(payload), payload.size()); }

std::string unseal_checkpoint(const std::string& bytes, const std::string& path) {
  const std::string version_text = std::to_string(kCheckpointFormatVersion);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) {
      refuse(path, "a checkpoint of format 1 (written before checkpoints carried a version and a checksum); "
                   "this build reads format " + version_text + ": retrain, or load it with the tfgram that wrote it");
    }
    refuse(path, bytes.empty() ? "not a tfgram checkpoint (the file is empty)" : "not a tfgram checkpoint");
  }
  if (bytes.size() < kHeaderSize) {
    refuse(path, "truncated checkpoint (" + std::to_string(bytes.size()) + " bytes, shorter than its header)");
  }
  const uint32_t version = get32(bytes.data() + 8);
  if (version > static_cast<uint32_t>(kCheckpointFormatVersion)) {
    refuse(path, "written by a newer tfgram (checkpoint format " + std::to_string(version) +
                     "; this build reads format " + version_text + ")");
  }
  if (util::crc32(bytes.data(), 24) != get32(bytes.data() + 24)) refuse(path, "damaged checkpoint header (checksum mismatch)");
  if (version != static_cast<uint32_t>(kCheckpointFormatVersion)) {
    refuse(path, "checkpoint format " + std::to_string(version) + " is not supported (this build reads format " +
                     version_text + ")");
  }
  const uint64_t size = get64(bytes.data() + 16);
  const uint64_t present = bytes.size() - kHeaderSize;
  if (present < size) {
    refuse(path, "truncated checkpoint (" + std::to_string(present) + " of " + std::to_string(size) +
                     " payload bytes present)");
  }
  if (present > size) refuse(path, "damaged checkpoint (" + std::to_string(present - size) + " bytes past its end)");
  std::string payload = bytes.substr(kHeaderSize);
  const uint32_t crc = util::crc32(payload);
  if (crc != get32(bytes.data() + 12)) {
    refuse(path, "checksum mismatch (stored crc32 " + util::hex32(get32(bytes.data() + 12)) + ", contents give " +
                     util::hex32(crc) + "): the checkpoint is damaged or was modified");
  }
  return payload;
}

namespace {
std::string read_string(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString()) {
    throw std::invalid_argument(util::concat(path, ": not a tfgram checkpoint (no '", key, "' entry)"));
  }
  return value.toStringRef();
}

// Checks the whole contents before anything is loaded from them.
void open_contents(torch::serialize::InputArchive& archive, const std::string& bytes, const std::string& path) {
  const std::string payload = unseal_checkpoint(bytes, path);
  try {
    archive.load_from(payload.data(), payload.size());
  } catch (const c10::Error& e) {
    throw std::invalid_argument(util::concat(path, ": not a readable tfgram checkpoint (", e.what_without_backtrace(), ")"));
  }
  const auto format = read_string(archive, "tfgram_format", path);
  util::require(format == kFormat, path.c_str(), "unsupported checkpoint contents '", format, "', expected ", kFormat);
}

std::string read_contents(const std::string& path) {
  util::require(std::filesystem::is_regular_file(path), path.c_str(), "no such checkpoint file");
  try {
    return util::read_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
}

// NaN or Inf weights are never written: the run is broken, and the previous checkpoint is better.
void require_finite(const torch::nn::Module& model, const std::string& path) {
  const auto check = [&](const std::string& name, const torch::Tensor& t) {
    if (!t.defined() || !t.is_floating_point()) return;
    if (!torch::isfinite(t).all().item<bool>()) {
      throw NonFiniteError(util::concat("refusing to write ", path, ": ", name, " holds NaN or Inf values"));
    }
  };
  for (const auto& item : model.named_parameters()) check("parameter '" + item.key() + "'", item.value());
  for (const auto& item : model.named_buffers()) check("buffer '" + item.key() + "'", item.value());
}
}  // namespace

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const torch::nn::Module& model,
                     const torch::optim::Optimizer* optimizer) {
  require_finite(model, path);
  torch::serialize::OutputArchive archive;
  archive.write("tfgram_format", c10::IValue(std::string(kFormat)));
  archive.write("tfgram_config", c10::IValue(meta.config.to_json()));
  archive.write("tfgram_labels", c10::IValue(meta.labels.to_json()));
  archive.write("tfgram_epoch", c10::IValue(meta.epoch));
  archive.write("tfgram_trainer_state", c10::IValue(meta.trainer_state));
  torch::serialize::OutputArchive weights;
  model.save(weights);
  archive.write("model", weights);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive state;
    optimizer->save(state);
    archive.write("optimizer", state);
  }
  // Streamed into the file as the archive is written, the checksum taken on the way: the payload
  // of a big model never exists in memory as a whole (it did twice, as a stream and its copy).
  util::replace_file_atomic(path, [&](const std::string& temp) {
    util::StagedFileWriter out(temp, path);
    const std::string placeholder(kHeaderSize, '\0');
    out.append(placeholder.data(), placeholder.size());
    uint32_t crc = 0;
    uint64_t size = 0;
    archive.save_to([&](const void* data, size_t n) -> size_t {
      crc = util::crc32(data, n, crc);
      size += n;
      out.append(data, n);
      return n;
    });
    const std::string header = checkpoint_header(crc, size);
    out.patch(0, header.data(), header.size());
    out.close();
  });
}

CheckpointMeta read_checkpoint_meta(const std::string& path) { return read_checkpoint_meta_from(read_contents(path), path); }

CheckpointMeta read_checkpoint_meta_from(const std::string& contents, const std::string& path) {
  torch::serialize::InputArchive archive;
  open_contents(archive, contents, path);
  CheckpointMeta meta;
  meta.config = RunConfig::from_json(read_string(archive, "tfgram_config", path));
  meta.labels = data::LabelMap::from_json(read_string(archive, "tfgram_labels", path), path);
  c10::IValue epoch;
  if (archive.try_read("tfgram_epoch", epoch) && epoch.isInt()) meta.epoch = epoch.toInt();
  meta.trainer_state = read_string(archive, "tfgram_trainer_state", path);
  return meta;
}

void load_checkpoint_state(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer) {
  load_checkpoint_state_from(read_contents(path), path, model, optimizer);
}

void load_checkpoint_state_from(const std::string& contents, const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer* optimizer) {
  torch::serialize::InputArchive archive;
  open_contents(archive, contents, path);
  torch::serialize::InputArchive weights;
  util::require(archive.try_read("model", weights), path.c_str(), "the checkpoint holds no model weights");
  try {
    model.load(weights);
  } catch (const c10::Error& e) {
    throw std::invalid_argument(util::concat(path, ": weights do not fit the model its config describes (",
                                             e.what_without_backtrace(), ")"));
  }
  if (optimizer != nullptr) {
    torch::serialize::InputArchive state;
    if (archive.try_read("optimizer", state)) optimizer->load(state);
  }
}

LoadedModel load_model(const std::string& path, const torch::Device& device) {
  LoadedModel loaded;
  loaded.meta = read_checkpoint_meta(path);
  loaded.model = models::Classifier(loaded.meta.config.model);
  load_checkpoint_state(path, *loaded.model);
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace tfgram::train
