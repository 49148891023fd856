#include "tfgram/data/file_dataset.h"

#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>

#include "scan.h"
#include "tfgram/data/audio_file.h"
#include "tfgram/data/resample.h"
#include "tfgram/util/check.h"
#include "waveform_cache.h"

namespace tfgram::data {
namespace {

// Bump when decoding, resampling or fitting changes its output, so old cache files go stale.
constexpr const char* kPipelineVersion = "tfgram-waveforms/1 soxr-hq";

std::string rate_text(int64_t rate) { return rate > 0 ? std::to_string(rate) : "native"; }

// Exactly what shapes the cached samples; on_error, preload, threads and cache do not.
std::string decode_identity(const AudioOptions& options) {
  return util::concat("sample_rate=", rate_text(options.sample_rate()), " length=", options.length(),
                      " length_policy=", to_string(options.length_policy()));
}

struct Decoded {
  std::vector<float> samples;
  int64_t sample_rate = 0;
};

Decoded decode_clip(const std::string& path, const AudioOptions& options) {
  AudioClip clip = read_audio(path);
  Decoded out;
  out.sample_rate = clip.sample_rate;
  out.samples = std::move(clip.samples);
  if (options.sample_rate() > 0 && options.sample_rate() != out.sample_rate) {
    out.samples = resample(out.samples, static_cast<double>(out.sample_rate),
                           static_cast<double>(options.sample_rate()), ResampleQuality::kHigh);
    out.sample_rate = options.sample_rate();
  }
  out.samples = fit_length(std::move(out.samples), options.length(), options.length_policy());
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// ---- AudioOptions, LoadReport ----

void AudioOptions::validate() const {
  constexpr const char* where = "AudioOptions";
  util::require(sample_rate() >= 0, where, "sample_rate must be >= 0 (0 keeps each file's rate), got ",
                sample_rate());
  util::require(length() >= 0, where, "length must be >= 0 (0 keeps every clip's length), got ", length());
  util::require(length() == 0 || length_policy() != LengthPolicy::kNone, where, "length ", length(),
                " needs a length_policy of start or centre");
  util::require(length() > 0 || length_policy() == LengthPolicy::kNone, where, "length_policy ",
                to_string(length_policy()), " needs a length > 0");
  util::require(threads() >= 0, where, "threads must be >= 0 (0 = all cores), got ", threads());
}

std::string AudioOptions::describe() const {
  return util::concat(decode_identity(*this), " on_error=", on_error() == OnError::kSkip ? "skip" : "throw",
                      " preload=", preload() ? "true" : "false",
                      " cache=", cache().enabled() ? "on" : "off");
}

std::string LoadReport::summary(const std::string& name) const {
  std::ostringstream out;
  out << name << ": " << loaded() << " of " << files << " clips (" << skipped.size() << " skipped, "
      << ignored.size() << " ignored), cache " << to_string(cache);
  if (!cache_note.empty()) out << " (" << cache_note << ")";
  out << ", " << std::fixed << std::setprecision(3) << seconds << " s";
  return out.str();
}

// ---- FileDataset ----

/// Every kept clip's samples, back to back in one float32 tensor (a cache file's mapping or
/// memory filled by decoding).
struct FileDataset::Store {
  torch::Tensor samples;
  std::vector<int64_t> offsets;
  std::vector<int64_t> lengths;
};

FileDataset::FileDataset(std::string name, ClipList list, AudioOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  options_.validate();
  util::require(!list.clips.empty(), name_.c_str(), "the dataset lists no clips");
  std::vector<std::string> names;
  names.reserve(list.clips.size());
  for (const auto& clip : list.clips) {
    util::require(!clip.label.empty(), name_.c_str(), "clip '", clip.path, "' has no label");
    names.push_back(clip.label);
  }
  // Built from every listed clip, so skipping a file never renumbers the classes.
  map_ = LabelMap::from_labels(names);
  report_.files = static_cast<int64_t>(list.clips.size());
  report_.ignored = std::move(list.ignored);

  const auto start = std::chrono::steady_clock::now();
  if (options_.preload()) {
    preload(std::move(list.clips), list.source);
  } else {
    probe(std::move(list.clips));
  }
  report_.seconds = seconds_since(start);
  labels_.reserve(clips_.size());
  for (const auto& clip : clips_) labels_.push_back(map_.index(clip.label));
}

FileDataset::~FileDataset() = default;

void FileDataset::preload(std::vector<ClipInfo> listed, const std::string& source) {
  std::vector<std::string> paths;
  paths.reserve(listed.size());
  for (const auto& clip : listed) paths.push_back(clip.path);

  std::string where;
  if (source.empty()) {
    std::string joined;
    for (const auto& path : paths) joined += path + '\n';
    where = "paths " + std::to_string(detail::checksum(joined.data(), joined.size()));
  } else {
    where = detail::absolute_path(source);
  }
  const std::string identity =
      util::concat(kPipelineVersion, "|", name_, "|", where, "|", decode_identity(options_));

  // Stamps are taken before decoding: a file that changes meanwhile makes the next load stale.
  std::vector<detail::SourceStamp> stamps;
  std::string cache_path;
  detail::CacheContent content;
  bool have_content = false;
  if (options_.cache().enabled()) {
    try {
      cache_path = detail::cache_file_path(cache_directory(options_.cache()), name_, identity);
    } catch (const std::exception& error) {
      report_.cache_note = error.what();
    }
  }
  if (!cache_path.empty()) {
    report_.cache_path = cache_path;
    stamps = detail::stamp_sources(paths);
    detail::CacheRead read = detail::read_cache(cache_path, identity, stamps);
    report_.cache = read.status;
    report_.cache_note = read.note;
    if (read.status == CacheStatus::kHit) {
      content = std::move(read.content);
      have_content = true;
    }
  }

  if (!have_content) {
    // Decode in parallel; each clip lands in its own slot, so the order never depends on timing.
    std::vector<Decoded> decoded(listed.size());
    std::vector<std::string> failures(listed.size());
    detail::parallel_for(static_cast<int64_t>(listed.size()), options_.threads(), [&](int64_t i) {
      const auto k = static_cast<size_t>(i);
      try {
        decoded[k] = decode_clip(paths[k], options_);
      } catch (const AudioFileError& error) {
        if (options_.on_error() == OnError::kThrow) throw;
        failures[k] = error.reason();
      }
    });
    int64_t total = 0;
    for (const auto& d : decoded) total += static_cast<int64_t>(d.samples.size());
    content.samples = torch::empty({total}, torch::kFloat32);
    content.clips.resize(listed.size());
    float* out = content.samples.data_ptr<float>();
    int64_t offset = 0;
    for (size_t k = 0; k < listed.size(); ++k) {
      auto& clip = content.clips[k];
      clip.ok = failures[k].empty();
      clip.reason = failures[k];
      clip.sample_rate = decoded[k].sample_rate;
      clip.offset = offset;
      clip.length = static_cast<int64_t>(decoded[k].samples.size());
      if (clip.length > 0) std::memcpy(out + offset, decoded[k].samples.data(), sizeof(float) * clip.length);
      offset += clip.length;
      std::vector<float>().swap(decoded[k].samples);  // release as we go
    }
    if (!cache_path.empty()) {
      try {
        detail::write_cache(cache_path, identity, stamps, content);
      } catch (const std::exception& error) {
        report_.cache_note += std::string(report_.cache_note.empty() ? "" : "; ") + "not written: " + error.what();
      }
    }
  }

  auto store = std::make_shared<Store>();
  store->samples = content.samples;
  std::set<int64_t> rates;
  for (size_t k = 0; k < listed.size(); ++k) {
    const auto& clip = content.clips[k];
    if (!clip.ok) {
      // A cache written while skipping replays its failures, also for a loader that throws.
      if (options_.on_error() == OnError::kThrow) throw AudioFileError(listed[k].path, clip.reason);
      report_.skipped.push_back({listed[k].path, clip.reason});
      continue;
    }
    clips_.push_back(std::move(listed[k]));
    store->offsets.push_back(clip.offset);
    store->lengths.push_back(clip.length);
    rates.insert(clip.sample_rate);
  }
  sample_rate_ = rates.size() == 1 ? *rates.begin() : 0;
  store_ = std::move(store);
}

void FileDataset::probe(std::vector<ClipInfo> listed) {
  sample_rate_ = options_.sample_rate();
  if (options_.on_error() == OnError::kThrow) {
    clips_ = std::move(listed);
    return;
  }
  // Lazy and skipping: header checks find missing, empty, unsupported and malformed files now;
  // problems deeper in a file surface when it is read.
  std::vector<std::string> failures(listed.size());
  detail::parallel_for(static_cast<int64_t>(listed.size()), options_.threads(), [&](int64_t i) {
    try {
      probe_audio(listed[static_cast<size_t>(i)].path);
    } catch (const AudioFileError& error) {
      failures[static_cast<size_t>(i)] = error.reason();
    }
  });
  for (size_t k = 0; k < listed.size(); ++k) {
    if (failures[k].empty()) {
      clips_.push_back(std::move(listed[k]));
    } else {
      report_.skipped.push_back({listed[k].path, failures[k]});
    }
  }
}

torch::Tensor FileDataset::waveform(int64_t index) const {
  check_index(index);
  const auto k = static_cast<size_t>(index);
  if (store_) return store_->samples.narrow(0, store_->offsets[k], store_->lengths[k]);
  Decoded decoded = decode_clip(clips_[k].path, options_);
  auto out = torch::empty({static_cast<int64_t>(decoded.samples.size())}, torch::kFloat32);
  std::memcpy(out.data_ptr<float>(), decoded.samples.data(), sizeof(float) * decoded.samples.size());
  return out;
}

int64_t FileDataset::label(int64_t index) const {
  check_index(index);
  return labels_[static_cast<size_t>(index)];
}

const ClipInfo& FileDataset::info(int64_t index) const {
  check_index(index);
  return clips_[static_cast<size_t>(index)];
}

std::optional<Split> FileDataset::official_split() const {
  for (const auto& clip : clips_) {
    if (!clip.split.empty()) return split_by_column(*this);
  }
  return std::nullopt;
}

void FileDataset::use_label_map(const LabelMap& map) {
  std::vector<int64_t> labels;
  labels.reserve(clips_.size());
  for (const auto& clip : clips_) {
    util::require(map.contains(clip.label), name_.c_str(), "class '", clip.label, "' of '", clip.path,
                  "' is not in the given label map");
    labels.push_back(map.index(clip.label));
  }
  map_ = map;
  labels_ = std::move(labels);
}

}  // namespace tfgram::data
