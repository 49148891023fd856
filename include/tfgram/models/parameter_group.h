#pragma once
// A named group of front-end parameters that trains at one learning rate (`train.lr.<name>`).
// Each front-end kind declares its groups, with their default rates, where it is registered
// (models/classifier.cpp): parameters of different scales need different rates — DMEL's λ is a
// width in samples (tens to hundreds) and trains at 1.0, SincGram's centres and bandwidths live in
// a weight space near [−1, 1] and train at the model's rate.
#include <optional>
#include <string>
#include <vector>

namespace tfgram::models {

struct ParameterGroup {
  /// The key under train.lr: "lambd", "filterbank", "attention", …
  std::string name;
  /// The front end's parameters in this group, by their names inside the front end: an exact
  /// name ("lambd") or a prefix ending in '.' ("degram.sincgram.").
  std::vector<std::string> members;
  /// The rate when neither train.lr.<name> nor train.lr_tf is set; unset = train.lr_model.
  std::optional<double> default_lr;
  /// The kind keeps this group fixed whatever the rates say (λ of log-mel + PCEN).
  bool fixed = false;

  bool contains(const std::string& parameter_name) const;
};

}  // namespace tfgram::models
