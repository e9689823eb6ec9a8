#include "reader.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ferry/core/time.hpp"
#include "ferry/templating/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace ferry::config::detail {
namespace {

std::string format_number(double value) { return json(value).dump(); }

}  // namespace

std::string json_quoted(std::string_view text) { return json(text).dump(); }

location location::member(std::string_view key, std::size_t index) const {
  auto suffix = member_suffix(key);
  if (path.empty() && suffix.front() == '.') suffix.erase(0, 1);
  location out{path + suffix, order};
  out.order.push_back(index);
  return out;
}

location location::element(std::size_t index) const {
  location out{path + "[" + std::to_string(index) + "]", order};
  out.order.push_back(index);
  return out;
}

std::string member_suffix(std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  return plain ? "." + std::string{key} : "[" + json_quoted(key) + "]";
}

std::string kind_name(const json& value) {
  if (value.is_number_integer()) return "a whole number";
  if (value.is_number()) return "a number";
  const std::string name = value.type_name();
  if (name == "null") return "null";
  return (name == "array" || name == "object") ? "an " + name : "a " + name;
}

void diagnostics::add(const location& where, std::string message, std::string hint) {
  entries_.push_back({where.order, {where.path, std::move(message), std::move(hint)}});
}

void diagnostics::add_file_error(std::string message, std::string hint) {
  entries_.push_back({{}, {"", std::move(message), std::move(hint)}});
}

std::vector<config_error> diagnostics::in_file_order() const {
  auto sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const entry& a, const entry& b) { return a.order < b.order; });
  std::vector<config_error> out;
  for (auto& e : sorted) out.push_back(std::move(e.error));
  return out;
}

object_reader::object_reader(const json& value, location where, diagnostics& diag, key_list known)
    : value_{&value}, where_{std::move(where)}, diag_{&diag} {
  if (!value.is_object()) {
    diag.add(where_, "expected an object, got " + kind_name(value));
    return;
  }
  std::size_t index = 0;
  for (const auto& [key, unused] : value.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const auto near = templating::closest_match(key, known);
      diag.add(
          where_.member(key, index), "unknown key",
          near ? "did you mean " + json_quoted(*near) + "?" : "known keys: " + templating::join_names(known));
    }
    ++index;
  }
}

const json* object_reader::find(std::string_view key) const {
  if (!value_->is_object()) return nullptr;
  const auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

location key_location(const json& object, const location& where, std::string_view key) {
  std::size_t index = 0;
  if (object.is_object()) {
    for (const auto& [name, unused] : object.items()) {
      if (name == key) break;
      ++index;
    }
  }
  return where.member(key, index);
}

location object_reader::at(std::string_view key) const { return key_location(*value_, where_, key); }

void object_reader::report(std::string_view key, std::string message, std::string hint) const {
  diag_->add(at(key), std::move(message), std::move(hint));
}

const json* object_reader::typed(std::string_view key, bool ok_type, std::string_view expected) const {
  const json* v = find(key);
  if (v != nullptr && !ok_type) {
    report(key, "expected " + std::string{expected} + ", got " + kind_name(*v));
    return nullptr;
  }
  return v;
}

std::optional<std::string> object_reader::string(std::string_view key, std::string_view required_hint) const {
  const json* found = find(key);
  if (found == nullptr) {
    if (!required_hint.empty()) report(key, "required", std::string{required_hint});
    return std::nullopt;
  }
  const json* v = typed(key, found->is_string(), "a string");
  if (v == nullptr) return std::nullopt;
  return v->get<std::string>();
}

std::optional<std::int64_t> object_reader::integer(std::string_view key, std::int64_t min,
                                                   std::int64_t max) const {
  const json* found = find(key);
  if (found == nullptr) return std::nullopt;
  const json* v = typed(key, found->is_number_integer(), "a whole number");
  if (v == nullptr) return std::nullopt;
  const bool too_big = v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max);
  const auto n = too_big ? max : v->get<std::int64_t>();
  if (too_big || n < min || n > max) {
    report(key, v->dump() + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> object_reader::number(std::string_view key, double min, double max) const {
  const json* found = find(key);
  if (found == nullptr) return std::nullopt;
  const json* v = typed(key, found->is_number(), "a number");
  if (v == nullptr) return std::nullopt;
  const auto n = v->get<double>();
  if (!(n >= min && n <= max)) {
    report(key, v->dump() + " is outside " + format_number(min) + ".." + format_number(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> object_reader::boolean(std::string_view key) const {
  const json* found = find(key);
  if (found == nullptr) return std::nullopt;
  const json* v = typed(key, found->is_boolean(), "true or false");
  if (v == nullptr) return std::nullopt;
  return v->get<bool>();
}

std::optional<std::chrono::milliseconds> object_reader::duration(std::string_view key,
                                                                 std::chrono::milliseconds min) const {
  const json* found = find(key);
  if (found == nullptr) return std::nullopt;
  const json* v = typed(key, found->is_string(), "a duration such as \"30s\"");
  if (v == nullptr) return std::nullopt;
  const auto text = v->get<std::string>();
  const auto d = core::parse_duration(text);
  if (!d) {
    report(key, json_quoted(text) + " is not a duration", "use e.g. \"1s\", \"1m\"");
    return std::nullopt;
  }
  if (*d < min) {
    report(key, json_quoted(text) + " is too short", "at least " + core::format_duration(min));
    return std::nullopt;
  }
  return d;
}

std::optional<std::chrono::sys_seconds> object_reader::datetime(std::string_view key,
                                                                std::string_view required_hint) const {
  const auto text = string(key, required_hint);
  if (!text) return std::nullopt;
  const auto t = core::parse_shanghai_datetime(*text);
  if (!t)
    report(key, json_quoted(*text) + " is not a datetime",
           "use \"yyyy-MM-dd HH:mm:ss\" in Beijing time, e.g. \"2026-01-01 00:00:00\"");
  return t;
}

std::optional<std::size_t> object_reader::choice(std::string_view key, key_list allowed) const {
  const auto text = string(key);
  if (!text) return std::nullopt;
  const auto it = std::find(allowed.begin(), allowed.end(), *text);
  if (it != allowed.end()) return static_cast<std::size_t>(it - allowed.begin());
  const auto near = templating::closest_match(*text, allowed);
  report(key, json_quoted(*text) + " is not one of " + templating::join_names(allowed),
         near ? "did you mean " + json_quoted(*near) + "?" : "");
  return std::nullopt;
}

std::optional<std::filesystem::path> object_reader::existing_file(
    std::string_view key, const std::filesystem::path& base_dir) const {
  const auto text = string(key);
  if (!text) return std::nullopt;
  const auto path = base_dir / *text;  // an absolute `text` replaces base_dir
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    report(key, "no such file: " + path.string(),
           "give an existing file; relative paths start at the config file's folder");
    return std::nullopt;
  }
  return path;
}

std::optional<std::filesystem::path> object_reader::ca_bundle(std::string_view key,
                                                              const std::filesystem::path& base_dir) const {
  auto path = existing_file(key, base_dir);
  if (!path) return std::nullopt;
  const std::string hint = "a file of -----BEGIN CERTIFICATE----- blocks (check it with: openssl x509 -noout -in FILE)";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new_file(path->c_str(), "r"), &BIO_free};
  if (!bio) {
    report(key, "cannot read " + path->string(), hint);
    return std::nullopt;
  }
  ERR_clear_error();
  // What OpenSSL's X509_load_cert_crl_file (behind a TLS client's CA file) reads.
  STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
  std::size_t certificates = 0;
  if (infos != nullptr) {
    for (int i = 0; i < sk_X509_INFO_num(infos); ++i)
      if (sk_X509_INFO_value(infos, i)->x509 != nullptr) ++certificates;
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
  }
  if (infos == nullptr || certificates == 0) {
    char reason[256] = "no certificate in it";
    if (const auto code = ERR_peek_last_error(); code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    report(key, path->string() + " is not a PEM CA bundle: " + reason, hint);
    return std::nullopt;
  }
  return path;
}

bool is_name(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_sql_identifier(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !std::isdigit(static_cast<unsigned char>(text.front())) &&
         std::all_of(text.begin(), text.end(), word);
}

}  // namespace ferry::config::detail
