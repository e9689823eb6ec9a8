// The /__sim control paths of the engine and its statistics.
#include "ferry/sim/engine.hpp"

#include "ferry/source/jushuitan/form.hpp"

namespace ferry::sim {
namespace {

namespace jst = ferry::source::jushuitan;

sim_reply control_error(unsigned status, std::string_view message) {
  sim_reply reply;
  reply.status = status;
  reply.body = nlohmann::json{{"error", message}}.dump();
  return reply;
}

sim_reply control_json(const nlohmann::json& value) {
  sim_reply reply;
  reply.body = value.dump();
  return reply;
}

nlohmann::json to_json(const endpoint_stats& s) {
  nlohmann::json faults = nlohmann::json::object();
  for (std::size_t i = 0; i < all_faults.size(); ++i) faults[std::string{fault_name(all_faults[i])}] = s.faults[i];
  return {{"calls", s.calls},           {"served", s.served},
          {"refused_limit", s.refused_limit}, {"refused_auth", s.refused_auth},
          {"refused_params", s.refused_params}, {"rows", s.rows}, {"faults", faults}};
}

void add_into(endpoint_stats& total, const endpoint_stats& s) {
  total.calls += s.calls;
  total.served += s.served;
  total.refused_limit += s.refused_limit;
  total.refused_auth += s.refused_auth;
  total.refused_params += s.refused_params;
  total.rows += s.rows;
  for (std::size_t i = 0; i < s.faults.size(); ++i) total.faults[i] += s.faults[i];
}

}  // namespace

sim_reply engine::handle_control(const sim_request& request, std::string_view path, std::string_view query,
                                 sys_seconds wall) {
  if (path == "/__sim/faults") return control_faults(request);
  if (path == "/__sim/tokens") return control_tokens(request, query, wall);
  if (path == "/__sim/shops") return control_shops(request);
  if (path != "/__sim/truth" && path != "/__sim/stats" && path != "/__sim/bad-records")
    return control_error(404, "no such simulator control path: " + std::string{path});
  if (request.method != "GET") return control_error(405, "use GET");
  if (path == "/__sim/stats") return control_json(stats_json());
  if (path == "/__sim/bad-records") return control_json(bad_records_json());
  return control_truth(query);
}

sim_reply engine::control_truth(std::string_view query) const {
  const auto params = jst::parse_form(query);
  if (!params) return control_error(400, "the query string is not a valid form");
  const std::string* endpoint = jst::find_field(*params, "endpoint");
  const std::string* from = jst::find_field(*params, "from");
  const std::string* to = jst::find_field(*params, "to");
  if (endpoint == nullptr) return control_error(400, "endpoint is required");
  for (const auto& table : catalogue_)
    if (table.spec().path == *endpoint) return control_catalogue(table, query);
  const auto kind = endpoint_of(*endpoint);
  if (!kind) return control_error(400, "unknown endpoint: " + *endpoint);
  sim_reply reply;
  reply.kind = reply_kind::truth;
  reply.content_type = "application/x-ndjson; charset=utf-8";
  reply.truth.endpoint = *kind;
  if (*kind == endpoint_kind::shops) return reply;  // a master list: every row, no window
  if (from == nullptr || to == nullptr) return control_error(400, "from and to are required for this endpoint");
  const auto start = core::parse_shanghai_datetime(*from);
  const auto end = core::parse_shanghai_datetime(*to);
  if (!start || !end) return control_error(400, "from and to must be yyyy-MM-dd HH:mm:ss");
  reply.truth.window = time_window{*start, *end};
  return reply;
}

// A catalogue endpoint's rows now: those whose filter time lies in
// [from, to] when both are given, else every row.
sim_reply engine::control_catalogue(const catalogue_table& table, std::string_view query) const {
  const auto params = jst::parse_form(query);
  const std::string* from = params ? jst::find_field(*params, "from") : nullptr;
  const std::string* to = params ? jst::find_field(*params, "to") : nullptr;
  std::optional<time_window> window;
  if (from != nullptr && to != nullptr && !from->empty() && !to->empty()) {
    const auto start = core::parse_shanghai_datetime(*from);
    const auto end = core::parse_shanghai_datetime(*to);
    if (!start || !end) return control_error(400, "from and to must be yyyy-MM-dd HH:mm:ss");
    window = time_window{*start, *end};
  }
  sim_reply reply;
  reply.content_type = "application/x-ndjson; charset=utf-8";
  reply.body = table.truth(window);
  return reply;
}

// GET: the shops listed now; POST {"remove": [shop_id, ...]}: takes them off
// the list, as when shops are closed upstream (a full refresh must drop them).
sim_reply engine::control_shops(const sim_request& request) {
  if (request.method == "POST") {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("remove") || !body["remove"].is_array())
      return control_error(400, R"(the body must be {"remove": [shop_id, ...]})");
    std::vector<std::int64_t> ids;
    for (const auto& id : body["remove"]) {
      if (!id.is_number_integer()) return control_error(400, "remove: shop ids are integers");
      ids.push_back(id.get<std::int64_t>());
    }
    const auto removed = store_.remove_shops(ids);
    return control_json({{"removed", removed}, {"shops", store_.shops().size()}});
  }
  if (request.method != "GET") return control_error(405, "use GET or POST");
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& shop : store_.shops()) ids.push_back(shop.shop_id);
  return control_json({{"shops", ids}});
}

sim_reply engine::control_faults(const sim_request& request) {
  if (request.method == "GET") return control_json(to_json(options_.faults));
  if (request.method != "POST") return control_error(405, "use GET or POST");
  const auto update = nlohmann::json::parse(request.body, nullptr, false);
  if (update.is_discarded()) return control_error(400, "the body is not valid JSON");
  if (auto error = apply_fault_update(options_.faults, update); !error.empty()) return control_error(400, error);
  for (auto& a : accounts_) a.tokens.set_expire_after_calls(options_.faults.token_expire_after_calls);
  return control_json(to_json(options_.faults));
}

// GET: the current tokens and their expiry. POST {"expire_in": N}: they
// expire N seconds from now (0: at once), so that a test need not wait out a
// lifetime; the timestamp check of every call stays on the real clock.
sim_reply engine::control_tokens(const sim_request& request, std::string_view query, sys_seconds wall) {
  // ?app_key= picks the account (default: the first).
  const auto params = jst::parse_form(query);
  const std::string* key = params ? jst::find_field(*params, "app_key") : nullptr;
  account* who = key != nullptr ? find_account(*key) : &accounts_.front();
  if (who == nullptr) return control_error(400, "no account with app_key " + *key);
  if (request.method == "POST") {
    const auto update = nlohmann::json::parse(request.body, nullptr, false);
    if (!update.is_object() || !update.contains("expire_in") || !update["expire_in"].is_number_integer() ||
        update["expire_in"].get<std::int64_t>() < 0)
      return control_error(400, "POST {\"expire_in\": seconds >= 0}");
    who->tokens.expire_in(std::chrono::seconds{update["expire_in"].get<std::int64_t>()}, wall);
  } else if (request.method != "GET") {
    return control_error(405, "use GET or POST");
  }
  nlohmann::json out{{"app_key", who->creds.app_key},
                     {"access_token", who->tokens.access_token()},
                     {"refresh_token", who->tokens.refresh_token()},
                     {"generation", who->tokens.generation()},
                     {"ttl", who->tokens.ttl().count()},
                     {"app_kind", options_.kind == app_kind::isv ? "isv" : "self_built"}};
  if (const auto at = who->tokens.expires_at()) {
    out["expires_at"] = at->time_since_epoch().count();
    out["expires_in"] = (*at - wall).count();
  } else {
    out["expires_at"] = nullptr;  // the clock starts at the first call
  }
  return control_json(out);
}

endpoint_stats& engine::stats_for(std::string_view path) {
  const bool known = endpoint_of(path).has_value() || find_catalogue(path) != nullptr || path == refresh_path ||
                     path == init_token_path;
  const std::string_view key = known ? path : std::string_view{"(other)"};
  auto it = stats_.find(key);
  if (it == stats_.end()) it = stats_.emplace(std::string{key}, endpoint_stats{}).first;
  return it->second;
}

nlohmann::json engine::bad_records_json() const {
  nlohmann::json flow = nlohmann::json::array();
  for (const auto& b : store_.bad_records())
    flow.push_back({{"kind", b.kind}, {"field", b.field}, {"sku_sn", b.sku_sn}, {"io_id", b.io_id}, {"json", b.json}});
  return {{"flow", flow}};
}

nlohmann::json engine::stats_json() const {
  nlohmann::json endpoints = nlohmann::json::object();
  endpoint_stats total;
  for (const auto& [path, s] : stats_) {
    endpoints[path] = to_json(s);
    add_into(total, s);
  }
  nlohmann::json accounts = nlohmann::json::object();
  for (const auto& a : accounts_)
    accounts[a.creds.app_key] = {{"accepted", a.accepted},
                                 {"refused_limit", a.throttled},
                                 {"peak_calls_per_second", a.peak_per_second},
                                 {"peak_calls_per_minute", a.peak_per_minute}};
  return {{"endpoints", endpoints}, {"totals", to_json(total)}, {"business_calls", call_sequence_},
          {"peak_calls_per_second", peak_per_second_}, {"peak_calls_per_minute", peak_per_minute_},
          {"accounts", accounts}};
}

}  // namespace ferry::sim
