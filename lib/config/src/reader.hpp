#pragma once
// The machinery every config section is read with: where a value sits (its
// printed path and its place in file order), the collected errors, and a
// reader for one JSON object that rejects unknown keys and reads typed values,
// reporting what is wrong instead of stopping. Single-threaded, used only
// during one load.
#include "ferry/config/load.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ferry::config::detail {

using json = nlohmann::ordered_json;
using key_list = std::span<const std::string_view>;

// A value's printed path and its position: the member/element indexes that
// lead to it, so that errors sort into the order of the file.
struct location {
  std::string path;
  std::vector<std::size_t> order;

  location member(std::string_view key, std::size_t index) const;
  location element(std::size_t index) const;
};

// Where `key` of `object` sits: its index in the object, or the object's end when absent.
location key_location(const json& object, const location& where, std::string_view key);

// "a plain_name" -> ".plain_name"; anything else -> "[\"a b\"]".
std::string member_suffix(std::string_view key);

// `text` as a JSON string literal, for messages: "\"1x\"".
std::string json_quoted(std::string_view text);

// "a string", "an array", ... for "expected X, got Y".
std::string kind_name(const json& value);

class diagnostics {
 public:
  void add(const location& where, std::string message, std::string hint = {});
  // An error found by the JSON parser or the file read, before any location exists.
  void add_file_error(std::string message, std::string hint = {});
  std::size_t count() const { return entries_.size(); }
  std::vector<config_error> in_file_order() const;

 private:
  struct entry {
    std::vector<std::size_t> order;
    config_error error;
  };
  std::vector<entry> entries_;
};

class object_reader {
 public:
  // Reports `value` when it is not an object, and every key not in `known`.
  object_reader(const json& value, location where, diagnostics& diag, key_list known);

  bool is_object() const { return value_->is_object(); }
  const json* find(std::string_view key) const;
  location at(std::string_view key) const;  // at the object's end when the key is absent
  const location& where() const { return where_; }
  diagnostics& diag() const { return *diag_; }
  void report(std::string_view key, std::string message, std::string hint = {}) const;

  // Typed reads: nullopt when absent (reported as "required" when a hint for
  // that is given) or wrong (reported).
  std::optional<std::string> string(std::string_view key, std::string_view required_hint = {}) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<double> number(std::string_view key, double min, double max) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<std::chrono::milliseconds> duration(std::string_view key,
                                                    std::chrono::milliseconds min) const;
  std::optional<std::chrono::sys_seconds> datetime(std::string_view key,
                                                   std::string_view required_hint = {}) const;
  // One of `allowed`; returns its index.
  std::optional<std::size_t> choice(std::string_view key, key_list allowed) const;
  // An existing file of PEM certificates, as a TLS client loads it as its
  // CA bundle (at least one certificate, every block readable); reported
  // otherwise, naming what OpenSSL could not read.
  std::optional<std::filesystem::path> ca_bundle(std::string_view key, const std::filesystem::path& base_dir) const;
  // A path to a file that must exist; relative paths are taken from `base_dir`.
  std::optional<std::filesystem::path> existing_file(std::string_view key,
                                                     const std::filesystem::path& base_dir) const;

 private:
  const json* typed(std::string_view key, bool ok_type, std::string_view expected) const;

  const json* value_;
  location where_;
  diagnostics* diag_;
};

// Identifier rules, shared by the sections.
bool is_name(std::string_view text);            // [a-z0-9_]{1,64}: sources, job ids
bool is_sql_identifier(std::string_view text);  // [A-Za-z_][A-Za-z0-9_]{0,63}: tables, columns, databases

template <typename T, typename U>
void assign(T& out, const std::optional<U>& value) {
  if (value) out = static_cast<T>(*value);
}

}  // namespace ferry::config::detail
