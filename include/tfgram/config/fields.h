#pragma once
// The one reflection of configuration for the whole project. Every options or config type has one
// field table (name → member); JSON in and out, dotted-key assignment (--set, experiment grids),
// key lists and unknown-key errors all follow from it. One type rule everywhere:
//   integer  an integer literal only (not 64.5, not 64.0, not "64", not true)
//   number   any number          boolean  true or false only          string  a string only
// A bare word in YAML or on the command line is a string; a number or true/false is not.
// Errors are config::KeyError, whose message starts with the dotted key.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace tfgram::config {

using Json = nlohmann::json;

/// A bad key or value: "<key>: <problem>".
class KeyError : public std::invalid_argument {
 public:
  KeyError(const std::string& key, const std::string& problem)
      : std::invalid_argument(key.empty() ? problem : key + ": " + problem), key_(key), problem_(problem) {}
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string key_;
  std::string problem_;
};

inline std::string join_key(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

/// Text from --set, a grid or a flattened YAML leaf as a JSON value: JSON when it parses
/// ("0.5", "true", "null", "[1, 2]", "\"text\""), else the bare word as a string ("pow2").
Json parse_text(const std::string& text);

[[noreturn]] inline void wrong_type(const std::string& key, const char* expected, const Json& value) {
  throw KeyError(key, std::string("expected ") + expected + ", got " + value.dump());
}

// ---- leaf values: read (with the type rule) and write ----

template <typename V, typename = void>
struct Value;

template <>
struct Value<int64_t> {
  static int64_t read(const Json& v, const std::string& key) {
    if (!v.is_number_integer()) wrong_type(key, "an integer", v);
    return v.get<int64_t>();
  }
  static Json write(int64_t v) { return v; }
};
template <>
struct Value<uint64_t> {
  static uint64_t read(const Json& v, const std::string& key) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
    wrong_type(key, "a non-negative integer", v);
  }
  static Json write(uint64_t v) { return v; }
};
template <>
struct Value<double> {
  static double read(const Json& v, const std::string& key) {
    if (!v.is_number()) wrong_type(key, "a number", v);
    return v.get<double>();
  }
  static Json write(double v) { return v; }
};
template <>
struct Value<bool> {
  static bool read(const Json& v, const std::string& key) {
    if (!v.is_boolean()) wrong_type(key, "true or false", v);
    return v.get<bool>();
  }
  static Json write(bool v) { return v; }
};
template <>
struct Value<std::string> {
  static std::string read(const Json& v, const std::string& key) {
    if (!v.is_string()) wrong_type(key, "a string", v);
    return v.get<std::string>();
  }
  static Json write(const std::string& v) { return v; }
};
template <typename U>
struct Value<std::optional<U>> {
  static std::optional<U> read(const Json& v, const std::string& key) {
    if (v.is_null()) return std::nullopt;
    return Value<U>::read(v, key);
  }
  static Json write(const std::optional<U>& v) { return v ? Value<U>::write(*v) : Json(nullptr); }
};
template <typename U>
struct Value<std::vector<U>> {
  static std::vector<U> read(const Json& v, const std::string& key) {
    if (!v.is_array()) wrong_type(key, "a list such as [1, 2]", v);
    std::vector<U> out;
    for (const auto& item : v) out.push_back(Value<U>::read(item, key));
    return out;
  }
  static Json write(const std::vector<U>& v) {
    Json out = Json::array();
    for (const auto& item : v) out.push_back(Value<U>::write(item));
    return out;
  }
};

/// An enumeration written as one of its names: `Names<E>::parse` throws std::invalid_argument
/// for an unknown name (its message lists the accepted ones) and `Names<E>::name` gives the name.
template <typename E>
struct Names;

template <typename E>
struct Value<E, std::enable_if_t<std::is_enum_v<E>>> {
  static E read(const Json& v, const std::string& key) {
    if (!v.is_string()) wrong_type(key, "a name", v);
    try {
      return Names<E>::parse(v.get<std::string>());
    } catch (const std::invalid_argument& error) {
      throw KeyError(key, error.what());
    }
  }
  static Json write(E v) { return Names<E>::name(v); }
};

// ---- field tables ----

/// The fields of T. Built once per type (a function-local static) with the chainable adders.
template <typename T>
class Fields {
 public:
  struct Entry {
    std::string name;
    /// Assigns the whole value (for a group: an object of its keys, or null/true/false for an
    /// optional one); `key` is the full dotted key, for errors.
    std::function<void(T&, const Json&, const std::string& key)> assign;
    /// Groups: assigns the key `rest` below this one.
    std::function<void(T&, const std::string& rest, const Json&, const std::string& key)> assign_path;
    std::function<Json(const T&)> write;
    /// Leaf keys, prefixed.
    std::function<std::vector<std::string>(const std::string& prefix)> keys;
    /// Set for an alias: the path it stands for (relative to this table), never written.
    std::string alias_of;
  };

  /// A leaf: `access` returns a reference to the member (`[](Opts& o) -> auto& { return o.n(); }`).
  template <typename Access>
  Fields& add(std::string name, Access access) {
    using V = std::remove_reference_t<std::invoke_result_t<Access, T&>>;
    Entry entry;
    entry.name = name;
    entry.assign = [access](T& target, const Json& value, const std::string& key) {
      access(target) = Value<V>::read(value, key);
    };
    entry.write = [access](const T& target) { return Value<V>::write(access(const_cast<T&>(target))); };
    entry.keys = [name](const std::string& prefix) { return std::vector<std::string>{join_key(prefix, name)}; };
    entries_.push_back(std::move(entry));
    return *this;
  }

  /// A group of keys: `access` returns a reference to a member with its own table.
  template <typename Access, typename U = std::remove_reference_t<std::invoke_result_t<Access, T&>>>
  Fields& nest(std::string name, Access access, const Fields<U>& fields) {
    Entry entry;
    entry.name = name;
    const Fields<U>* table = &fields;
    entry.assign = [access, table](T& target, const Json& value, const std::string& key) {
      table->read(access(target), value, key);
    };
    entry.assign_path = [access, table](T& target, const std::string& rest, const Json& value, const std::string& key) {
      table->set(access(target), rest, value, key.substr(0, key.size() - rest.size() - 1));
    };
    entry.write = [access, table](const T& target) { return table->write(access(const_cast<T&>(target))); };
    entry.keys = [name, table](const std::string& prefix) { return table->keys(join_key(prefix, name)); };
    entries_.push_back(std::move(entry));
    return *this;
  }

  /// An optional group (a stage that can be switched off): null or false switches it off, true
  /// switches it on with `make()`'s defaults, an object (or any key below it) switches it on and
  /// sets those keys.
  template <typename Access, typename Make,
            typename U = typename std::remove_reference_t<std::invoke_result_t<Access, T&>>::value_type>
  Fields& nest_optional(std::string name, Access access, Make make, const Fields<U>& fields) {
    Entry entry;
    entry.name = name;
    const Fields<U>* table = &fields;
    entry.assign = [access, make, table](T& target, const Json& value, const std::string& key) {
      auto& slot = access(target);
      if (value.is_null() || (value.is_boolean() && !value.get<bool>())) {
        slot.reset();
        return;
      }
      if (!slot) slot.emplace(make(target));
      if (value.is_boolean()) return;
      if (!value.is_object()) wrong_type(key, "true, false, null or a group of keys", value);
      table->read(*slot, value, key);
    };
    entry.assign_path = [access, make, table](T& target, const std::string& rest, const Json& value,
                                              const std::string& key) {
      auto& slot = access(target);
      if (!slot) slot.emplace(make(target));
      table->set(*slot, rest, value, key.substr(0, key.size() - rest.size() - 1));
    };
    entry.write = [access, table](const T& target) {
      const auto& slot = access(const_cast<T&>(target));
      return slot ? table->write(*slot) : Json(false);
    };
    entry.keys = [name, table](const std::string& prefix) {
      auto keys = table->keys(join_key(prefix, name));
      keys.insert(keys.begin(), join_key(prefix, name));
      return keys;
    };
    entries_.push_back(std::move(entry));
    return *this;
  }

  /// A free-form entry (maps, type-erased sections): the caller provides all four functions.
  Fields& custom(Entry entry) {
    entries_.push_back(std::move(entry));
    return *this;
  }

  /// An older name for a key, kept so existing files still load: reading or setting `name`
  /// sets `path`; only `path` is ever written.
  Fields& alias(std::string name, std::string path) {
    Entry entry;
    entry.name = std::move(name);
    entry.alias_of = std::move(path);
    entries_.push_back(std::move(entry));
    return *this;
  }

  /// Rewrites an object in an older layout into the current one before it is read (files written
  /// by earlier versions keep loading).
  Fields& upgrade(std::function<Json(const Json&)> rewrite) {
    upgrade_ = std::move(rewrite);
    return *this;
  }

  /// Reads every key of the JSON object `object` into `target`; missing keys keep their value,
  /// unknown ones throw naming the key.
  void read(T& target, const Json& input, const std::string& prefix) const {
    if (!input.is_object()) wrong_type(prefix.empty() ? "config" : prefix, "a group of keys", input);
    const Json object = upgrade_ ? upgrade_(input) : input;
    for (const auto& item : object.items()) {
      const auto key = join_key(prefix, item.key());
      const Entry& entry = find(item.key(), key);
      if (!entry.alias_of.empty()) {
        set(target, entry.alias_of, item.value(), prefix);
      } else {
        entry.assign(target, item.value(), key);
      }
    }
  }

  /// Sets the dotted `path` (relative to this table) to `value`.
  void set(T& target, const std::string& path, const Json& value, const std::string& prefix) const {
    const auto dot = path.find('.');
    const auto head = path.substr(0, dot);
    const auto key = join_key(prefix, path);
    const Entry& entry = find(head, join_key(prefix, head));
    if (!entry.alias_of.empty()) {
      set(target, dot == std::string::npos ? entry.alias_of : entry.alias_of + path.substr(dot), value, prefix);
      return;
    }
    if (dot == std::string::npos) {
      entry.assign(target, value, key);
      return;
    }
    if (!entry.assign_path) throw KeyError(key, "unknown key ('" + join_key(prefix, head) + "' has no keys below it)");
    entry.assign_path(target, path.substr(dot + 1), value, key);
  }

  Json write(const T& target) const {
    Json out = Json::object();
    for (const auto& entry : entries_) {
      if (entry.alias_of.empty()) out[entry.name] = entry.write(target);
    }
    return out;
  }

  std::vector<std::string> keys(const std::string& prefix = "") const {
    std::vector<std::string> out;
    for (const auto& entry : entries_) {
      if (!entry.alias_of.empty()) continue;
      auto more = entry.keys(prefix);
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  }

  bool has(const std::string& name) const {
    for (const auto& entry : entries_) {
      if (entry.name == name) return true;
    }
    return false;
  }

 private:
  const Entry& find(const std::string& name, const std::string& key) const {
    for (const auto& entry : entries_) {
      if (entry.name == name) return entry;
    }
    std::string known;
    for (const auto& entry : entries_) {
      if (entry.alias_of.empty()) known += (known.empty() ? "" : ", ") + entry.name;
    }
    throw KeyError(key, "unknown key (known here: " + known + ")");
  }

  std::vector<Entry> entries_;
  std::function<Json(const Json&)> upgrade_;
};

/// The entry `name` of a name → kind registry; KeyError naming `key` and the known names.
template <typename Map>
const typename Map::mapped_type& find_kind(const Map& registry, const std::string& name, const std::string& key,
                                           const char* what = "kind") {
  const auto found = registry.find(name);
  if (found != registry.end()) return found->second;
  std::string known;
  for (const auto& item : registry) known += (known.empty() ? "" : ", ") + item.first;
  throw KeyError(key, std::string("unknown ") + what + " '" + name + "' (known: " + known + ")");
}

/// Applies a whole value to `target` and leaves it unchanged when that throws.
template <typename T>
void set_transactional(T& target, const Fields<T>& fields, const std::string& path, const Json& value,
                       const std::string& prefix = "") {
  T copy = target;
  fields.set(copy, path, value, prefix);
  target = std::move(copy);
}

/// An options object of any type with its field table: how a front-end kind brings its own keys
/// (model.frontend.<section>.*) without the config knowing its type. Copyable; compared by value.
class Section {
 public:
  Section() = default;
  template <typename T>
  static Section of(T value, const Fields<T>& fields) {
    Section section;
    section.self_ = std::make_shared<Model<T>>(std::move(value), &fields);
    return section;
  }

  Section(const Section& other) : self_(other.self_ ? other.self_->clone() : nullptr) {}
  Section& operator=(const Section& other) {
    self_ = other.self_ ? other.self_->clone() : nullptr;
    return *this;
  }
  Section(Section&&) = default;
  Section& operator=(Section&&) = default;

  /// The options; std::logic_error when the section holds another type.
  template <typename T>
  const T& get() const {
    auto* model = self_ ? dynamic_cast<Model<T>*>(self_.get()) : nullptr;
    if (model == nullptr) throw std::logic_error(std::string("config section does not hold ") + typeid(T).name());
    return model->value;
  }
  template <typename T>
  T& get() {
    return const_cast<T&>(static_cast<const Section&>(*this).get<T>());
  }

  void read(const Json& object, const std::string& prefix) { self_->read(object, prefix); }
  void set(const std::string& path, const Json& value, const std::string& prefix) { self_->set(path, value, prefix); }
  Json write() const { return self_->write(); }
  std::vector<std::string> keys(const std::string& prefix) const { return self_->keys(prefix); }
  bool same_type(const Section& other) const {
    return self_ && other.self_ && typeid(*self_) == typeid(*other.self_);
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::shared_ptr<Concept> clone() const = 0;
    virtual void read(const Json& object, const std::string& prefix) = 0;
    virtual void set(const std::string& path, const Json& value, const std::string& prefix) = 0;
    virtual Json write() const = 0;
    virtual std::vector<std::string> keys(const std::string& prefix) const = 0;
  };
  template <typename T>
  struct Model : Concept {
    Model(T v, const Fields<T>* f) : value(std::move(v)), fields(f) {}
    std::shared_ptr<Concept> clone() const override { return std::make_shared<Model>(value, fields); }
    void read(const Json& object, const std::string& prefix) override { fields->read(value, object, prefix); }
    void set(const std::string& path, const Json& v, const std::string& prefix) override {
      fields->set(value, path, v, prefix);
    }
    Json write() const override { return fields->write(value); }
    std::vector<std::string> keys(const std::string& prefix) const override { return fields->keys(prefix); }
    T value;
    const Fields<T>* fields;
  };
  std::shared_ptr<Concept> self_;
};

}  // namespace tfgram::config
