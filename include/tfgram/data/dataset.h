#pragma once
// The interface every dataset implements: size, waveform, label, metadata, class names.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/data/label_map.h"
#include "tfgram/data/splits.h"

namespace tfgram::data {

/// What is known about one example besides its samples. Fields a layout lacks keep their
/// defaults.
struct ClipInfo {
  std::string path;     ///< absolute source file path; empty for generated examples
  std::string label;    ///< class name (a LabelMap key)
  std::string speaker;  ///< speaker ID (FSDD name, Audio-MNIST "01".."60")
  int64_t fold = 0;     ///< cross-validation fold, 1-based; 0 when none
  int64_t take = -1;    ///< recording index (FSDD/Audio-MNIST index, ESC take letter A=0); -1 when none
  std::string split;    ///< the manifest's split column; empty when none
  std::string source;   ///< source recording ID (ESC: clips cut from one recording share it)
};

/// Which name a spoken-digit set (FSDD, Audio-MNIST) uses as its class.
enum class SpokenLabel { kDigit, kSpeaker };

/// A labelled set of audio examples. Implementations are immutable after construction, so
/// every const method may be called from several threads at once (the Loader does).
class Dataset {
 public:
  virtual ~Dataset() = default;

  /// Short name of the kind of set ("fsdd", "esc10", "pulses", ...), for messages.
  virtual std::string name() const = 0;
  virtual int64_t size() const = 0;
  /// Example `index` as an (N) float32 tensor at sample_rate(). It may share memory with the
  /// dataset: clone() it before editing in place.
  virtual torch::Tensor waveform(int64_t index) const = 0;
  /// Label index of example `index` (into label_map()).
  virtual int64_t label(int64_t index) const = 0;
  virtual const ClipInfo& info(int64_t index) const = 0;
  virtual const LabelMap& label_map() const = 0;
  /// Hz of every example; 0 when examples keep native rates that differ or are not known yet.
  virtual int64_t sample_rate() const = 0;
  /// The split the dataset itself defines (FSDD: takes 0–4 test; Audio-MNIST: the paper's
  /// speakers; a manifest: its split column), or nullopt when it defines none.
  virtual std::optional<Split> official_split() const { return std::nullopt; }

  int64_t num_classes() const { return label_map().size(); }
  const std::vector<std::string>& class_names() const { return label_map().names(); }
  /// Every example's label, in index order.
  std::vector<int64_t> labels() const;

 protected:
  /// Throws std::out_of_range naming the dataset unless 0 <= index < size().
  void check_index(int64_t index) const;
};

}  // namespace tfgram::data
