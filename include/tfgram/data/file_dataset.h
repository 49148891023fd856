#pragma once
// Datasets backed by audio files: decoding, resampling, length fitting, skipping bad files and the
// on-disk cache, shared by every file layout (FSDD, ESC, Audio-MNIST, folders, manifests).
#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tfgram/data/cache.h"
#include "tfgram/data/dataset.h"
#include "tfgram/data/errors.h"
#include "tfgram/data/fit_length.h"

namespace tfgram::data {

/// What to do with a file that cannot be decoded (see AudioFileError).
enum class OnError {
  kThrow,  ///< stop with the file's AudioFileError
  kSkip,   ///< leave it out; LoadReport::skipped lists it with the reason
};

/// How file datasets turn files into waveforms.
struct AudioOptions {
  /// Throws std::invalid_argument naming the offending option.
  void validate() const;
  /// One line such as "sample_rate=8000 length=8000 length_policy=centre".
  std::string describe() const;

  /// Target rate in Hz (libsoxr, high quality); 0 keeps each file's own rate.
  TORCH_ARG(int64_t, sample_rate) = 0;
  /// Target length in samples, after resampling; 0 keeps every clip's length.
  TORCH_ARG(int64_t, length) = 0;
  /// How clips reach `length`: kStart or kCentre when length > 0, kNone when it is 0.
  TORCH_ARG(LengthPolicy, length_policy) = LengthPolicy::kNone;
  /// Stop at the first bad file, or skip bad files and report them.
  TORCH_ARG(OnError, on_error) = OnError::kThrow;
  /// Decode everything at construction (through the cache). With false, waveform() decodes on
  /// each call (for sets larger than memory; the Loader's workers then do the I/O); bad files
  /// are then found by header checks at construction and anything else raises at read time.
  TORCH_ARG(bool, preload) = true;
  /// The decoded-dataset cache (used only with preload).
  TORCH_ARG(CacheOptions, cache) = {};
  /// Decoding threads for a first load; 0 means every core this process may use.
  TORCH_ARG(int64_t, threads) = 0;
};

/// A file skipped under OnError::kSkip.
struct SkippedFile {
  std::string path;
  std::string reason;
};

/// What building a file dataset did.
struct LoadReport {
  int64_t files = 0;                  ///< clips the layout listed
  std::vector<SkippedFile> skipped;   ///< bad files left out (OnError::kSkip)
  std::vector<std::string> ignored;   ///< files seen but not audio of this layout (other extensions, unparsable names)
  CacheStatus cache = CacheStatus::kDisabled;
  std::string cache_path;             ///< the cache file used, when caching
  std::string cache_note;             ///< why the cache was stale/corrupt, or could not be written
  double seconds = 0.0;               ///< wall time of decoding or reading the cache

  int64_t loaded() const { return files - static_cast<int64_t>(skipped.size()); }
  /// One line such as "fsdd: 3000 clips (0 skipped, 0 ignored), cache hit, 0.03 s".
  std::string summary(const std::string& name) const;
};

/// The clips a layout found, before decoding.
struct ClipList {
  std::vector<ClipInfo> clips;       ///< stable order (layouts sort by path)
  std::vector<std::string> ignored;  ///< files seen but not used
  std::string source;                ///< root folder or manifest: names the cache file
};

/// A dataset of audio files with labels from their ClipInfo. Layout classes (Fsdd, Esc50, ...)
/// only find the clips; this class decodes them. Labels are indexed by LabelMap::from_labels over
/// every listed clip, so skipping a file never renumbers the classes.
class FileDataset : public Dataset {
 public:
  /// Decodes (or reads from the cache) every clip of `list`. `name` names the kind of set in
  /// messages and cache file names.
  FileDataset(std::string name, ClipList list, AudioOptions options = {});
  ~FileDataset() override;
  FileDataset(const FileDataset&) = delete;
  FileDataset& operator=(const FileDataset&) = delete;

  std::string name() const override { return name_; }
  int64_t size() const override { return static_cast<int64_t>(clips_.size()); }
  torch::Tensor waveform(int64_t index) const override;
  int64_t label(int64_t index) const override;
  const ClipInfo& info(int64_t index) const override;
  const LabelMap& label_map() const override { return map_; }
  int64_t sample_rate() const override { return sample_rate_; }
  std::optional<Split> official_split() const override;

  const LoadReport& report() const { return report_; }
  const AudioOptions& options() const { return options_; }
  /// Re-indexes labels by `map` (e.g. the map saved with a model); std::invalid_argument naming
  /// the first class that `map` lacks.
  void use_label_map(const LabelMap& map);

 private:
  struct Store;
  void preload(std::vector<ClipInfo> listed, const std::string& source);
  void probe(std::vector<ClipInfo> listed);

  std::string name_;
  AudioOptions options_;
  std::vector<ClipInfo> clips_;
  std::vector<int64_t> labels_;
  LabelMap map_;
  LoadReport report_;
  std::shared_ptr<const Store> store_;
  int64_t sample_rate_ = 0;
};

}  // namespace tfgram::data
