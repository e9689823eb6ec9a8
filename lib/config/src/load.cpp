#include "ferry/config/load.hpp"

#include "sections.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry::config {
namespace {

using detail::diagnostics;
using detail::json;
using detail::location;

// "$schema" names the JSON Schema an editor checks the file against
// (deploy/ferry.schema.json); ferry reads its own rules and ignores it.
constexpr std::array<std::string_view, 6> root_keys{"mysql", "sources", "jobs", "log", "admin", "$schema"};

// nlohmann keeps the last of two equal keys without a word; a config where
// "page_size" appears twice is a mistake worth reporting. Follows the parser's
// events to know each value's location.
class duplicate_key_finder {
 public:
  explicit duplicate_key_finder(diagnostics& diag) : diag_{&diag} {}

  bool on_event(json::parse_event_t event, const json& parsed) {
    using event_t = json::parse_event_t;
    if (event == event_t::key) {
      on_key(parsed.get<std::string>());
    } else if (event == event_t::object_start || event == event_t::array_start) {
      frames_.push_back({next_location(), event == event_t::object_start, {}, 0});
    } else if (event == event_t::object_end || event == event_t::array_end) {
      frames_.pop_back();
    } else if (!frames_.empty() && !frames_.back().is_object) {
      ++frames_.back().elements;  // a scalar array element
    }
    return true;
  }

 private:
  struct frame {
    location where;
    bool is_object = false;
    std::vector<std::string> keys;
    std::size_t elements = 0;
  };

  void on_key(const std::string& key) {
    auto& top = frames_.back();
    const auto found = std::find(top.keys.begin(), top.keys.end(), key);
    const auto index = static_cast<std::size_t>(found - top.keys.begin());
    member_ = top.where.member(key, index);
    if (found != top.keys.end())
      diag_->add(member_, "duplicate key", "the later value would silently win; keep one");
    else
      top.keys.push_back(key);
  }

  location next_location() {
    if (frames_.empty()) return {};
    auto& top = frames_.back();
    return top.is_object ? member_ : top.where.element(top.elements++);
  }

  diagnostics* diag_;
  std::vector<frame> frames_;
  location member_;
};

std::optional<json> parse_json(std::string_view text, diagnostics& diag) {
  duplicate_key_finder finder{diag};
  try {
    return json::parse(
        text.begin(), text.end(),
        [&finder](int, json::parse_event_t event, json& parsed) { return finder.on_event(event, parsed); },
        true, true);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const auto at = what.find("parse error ");
    if (at != std::string::npos) what.erase(0, at + std::string_view{"parse error "}.size());
    diag.add_file_error("JSON syntax error " + what,
                        "comments (// and /* */) are allowed, trailing commas are not");
    return std::nullopt;
  } catch (const json::out_of_range& e) {
    // The lexer refuses a number no double can hold (1e400) with out_of_range, not parse_error.
    std::string what = e.what();
    what.erase(0, what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2);
    diag.add_file_error("JSON number out of range: " + what, "numbers must fit a double (up to about 1.8e308)");
    return std::nullopt;
  }
}

std::vector<std::string> declared_sources(const json& root) {
  std::vector<std::string> names;
  const auto it = root.find("sources");
  if (it != root.end() && it->is_object())
    for (const auto& [name, unused] : it->items()) names.push_back(name);
  return names;
}

config read_root(const json& root, const detail::load_context& ctx) {
  const detail::object_reader r{root, location{}, ctx.diag, root_keys};
  config out;
  if (!r.is_object()) return out;
  if (const auto* v = r.find("mysql"))
    out.mysql = detail::read_mysql(*v, r.at("mysql"), ctx);
  else
    r.report(
        "mysql", "required",
        R"(where to write, e.g. {"user": "ferry", "password_env": "FERRY_MYSQL_PASSWORD", "database": "ferry"})");
  if (const auto* v = r.find("sources"))
    out.sources = detail::read_sources(*v, r.at("sources"), ctx);
  else
    r.report("sources", "required", R"(the APIs to read, e.g. {"jst": {"type": "jushuitan", ...}})");
  if (const auto* v = r.find("jobs"))
    out.jobs = detail::read_jobs(*v, r.at("jobs"), ctx);
  else
    r.report("jobs", "required", R"(what to sync, e.g. [{"id": "skusn_inout", "source": "jst", ...}])");
  if (const auto* v = r.find("log")) out.log = detail::read_log(*v, r.at("log"), ctx);
  if (const auto* v = r.find("admin")) out.admin = detail::read_admin(*v, r.at("admin"), ctx);
  if (const auto* v = r.find("$schema"); v != nullptr && !v->is_string())
    r.report("$schema", "expected a string",
             "the path or URL of ferry's JSON Schema, e.g. \"/usr/share/ferry/ferry.schema.json\"; ferry ignores it");
  return out;
}

}  // namespace

std::optional<std::string> process_env(std::string_view name) {
  const char* value = std::getenv(std::string{name}.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string{value};
}

std::string config_error::to_string() const {
  std::string out = path.empty() ? message : path + ": " + message;
  if (!hint.empty()) out += " — " + hint;
  return out;
}

load_result load_config_text(std::string_view text, const env_lookup& env,
                             const std::filesystem::path& base_dir) {
  diagnostics diag;
  load_result result;
  auto root = parse_json(text, diag);
  if (root) {
    const detail::load_context ctx{diag, env, base_dir, declared_sources(*root)};
    auto loaded = read_root(*root, ctx);
    if (diag.count() == 0) result.value = std::move(loaded);
  }
  result.errors = diag.in_file_order();
  return result;
}

load_result load_config_file(const std::filesystem::path& file, const env_lookup& env) {
  std::ifstream in{file, std::ios::binary};
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec)) {
    const std::string reason = in ? "it is a directory" : std::strerror(errno);
    return {std::nullopt, {{"", "cannot read " + file.string() + ": " + reason, ""}}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto base_dir = std::filesystem::absolute(file, ec).parent_path();
  return load_config_text(text.str(), env, base_dir);
}

}  // namespace ferry::config
