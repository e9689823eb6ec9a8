// The business side of the engine: checks, limits, faults and answers.
#include "ferry/sim/engine.hpp"

#include "ferry/sim/envelope.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ferry::sim {
namespace {

namespace jst = ferry::source::jushuitan;

// Messages as the real platform words them (see docs/simulator.md for sources).
constexpr std::string_view msg_bad_sign = "验证失败！无效签名";
constexpr std::string_view msg_bad_app_key = "验证失败！无效的app_key";
constexpr std::string_view msg_bad_token = "验证失败！无效的access_token或access_token已过期";
constexpr std::string_view msg_bad_refresh = "验证失败！无效的refresh_token";
constexpr std::string_view msg_no_permission = "验证失败！无API权限，请申请API权限";
constexpr std::string_view msg_per_second = "调用太频繁，请稍后再试!";
constexpr std::string_view msg_per_minute = "调用频次超过限制!";
constexpr std::string_view msg_internal = "内部处理数据出错";
constexpr std::string_view msg_isv_refresh = "服务商应用禁止刷新access_token";
constexpr std::string_view msg_isv_init = "服务商应用不能获取初始化token";
// A business validation error that /open/webapi endpoints answer under code 100.
constexpr std::string_view msg_business_100 = "上架仓位不能为空";

sim_reply json_reply(std::string body, unsigned status = 200) {
  sim_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

sim_reply refusal(int code, std::string_view msg) { return json_reply(render_refusal(code, msg)); }

sim_reply bad_params(std::string_view detail) { return refusal(140, "传递参数有误：" + std::string{detail}); }

// A window whose span is exactly the cap passed the parse (which takes it);
// unless --accept-cap-edge, it is refused as a wider one would be.
template <class Query>
void refuse_cap_edge(parsed<Query>& p, std::optional<std::chrono::seconds> cap, bool accept) {
  if (accept || !p.query || !p.query->window || !cap || cap->count() == 0) return;
  if (p.query->window->end - p.query->window->start != *cap) return;
  p.query.reset();
  p.error = "时间跨度不能超过 " + std::to_string(cap->count() / 86400) + " 天";
}

bool is_form_content_type(std::string_view value) {
  const auto media = value.substr(0, std::min(value.find(';'), value.size()));
  constexpr std::string_view form = "application/x-www-form-urlencoded";
  auto trimmed = media;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return std::equal(trimmed.begin(), trimmed.end(), form.begin(), form.end(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

std::string field_or_empty(const jst::form_fields& form, std::string_view name) {
  const std::string* value = jst::find_field(form, name);
  return value != nullptr ? *value : std::string{};
}

bool replaces_answer(fault_kind kind) {
  return kind != fault_kind::none && kind != fault_kind::timeout && kind != fault_kind::malformed;
}

sim_reply fault_reply(fault_kind kind) {
  switch (kind) {
    case fault_kind::http_500: return json_reply(R"({"error":"simulated HTTP 500"})", 500);
    case fault_kind::http_502: return json_reply("<html><body>502 Bad Gateway</body></html>", 502);
    case fault_kind::http_503: return json_reply("<html><body>503 Service Unavailable</body></html>", 503);
    case fault_kind::code_150: return refusal(150, msg_internal);
    case fault_kind::code_100: return refusal(100, msg_business_100);
    default: break;
  }
  sim_reply reply;
  reply.kind = reply_kind::reset;
  return reply;
}

}  // namespace

engine::account::account(credentials c, std::uint64_t seed, const sim_options& o)
    : creds(std::move(c)),
      tokens(creds.access_token, creds.refresh_token, seed, o.token_ttl, o.refresh_outlives) {
  tokens.set_expire_after_calls(o.faults.token_expire_after_calls);
}

engine::engine(sim_options options)
    : options_(std::move(options)),
      store_(options_.data, options_.cursor_order),
      limiter_(options_.limit_per_second, options_.limit_per_minute) {
  // Account k's refreshed tokens come from seed + k - 1: the first keeps the single-account values.
  std::uint64_t seed = options_.data.seed;
  for (auto& creds : account_credentials(options_)) {
    accounts_.emplace_back(std::move(creds), seed++, options_);
    by_app_key_.emplace(accounts_.back().creds.app_key, &accounts_.back());
  }
  for (const auto& spec : catalogue())
    if (!endpoint_of(spec.path))
      catalogue_.emplace_back(spec, options_.data, options_.catalogue_rows, options_.cursor_order);
}

catalogue_table* engine::catalogue_for(std::string_view path) {
  for (auto& t : catalogue_)
    if (t.spec().path == path) return &t;
  return nullptr;
}

sim_reply engine::handle(const sim_request& request, sys_seconds wall_now, steady_time steady_now) {
  const auto question = request.target.find('?');
  const auto path = request.target.substr(0, question);
  const auto query = question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
  if (path == "/__sim" || path.starts_with("/__sim/")) return handle_control(request, path, query, wall_now);
  auto reply = handle_business(request, path, wall_now, steady_now);
  stamp_request_id(reply);
  return reply;
}

// Every JSON answer of the platform carries a requestId; a fault that cut
// the body or sent HTML has none, as a broken proxy's would not.
void engine::stamp_request_id(sim_reply& reply) {
  constexpr std::string_view head = "{\"code\":";
  if (reply.kind != reply_kind::respond || !reply.body.starts_with(head) || reply.body.back() != '}') return;
  char id[24];
  std::snprintf(id, sizeof id, "sim-%016llx", static_cast<unsigned long long>(++answers_));
  reply.body.insert(1, "\"requestId\":\"" + std::string{id} + "\",");
}

sim_reply engine::handle_business(const sim_request& request, std::string_view path, sys_seconds wall,
                                  steady_time steady) {
  auto& stats = stats_for(path);
  ++stats.calls;
  arrivals_.push_back(steady);
  while (steady - arrivals_.front() >= std::chrono::minutes{1}) arrivals_.pop_front();
  peak_per_minute_ = std::max<std::uint64_t>(peak_per_minute_, arrivals_.size());
  const auto second_ago = std::lower_bound(arrivals_.begin(), arrivals_.end(), steady - std::chrono::seconds{1},
                                           [](steady_time t, steady_time limit) { return t <= limit; });
  peak_per_second_ = std::max<std::uint64_t>(peak_per_second_, static_cast<std::uint64_t>(arrivals_.end() - second_ago));
  if (request.method != "POST") {
    ++stats.refused_auth;
    return json_reply(R"({"error":"method not allowed: use POST"})", 405);
  }
  // Faults are drawn before any check, like a proxy failing in front of the platform.
  const fault_kind fault = pick_fault(options_.faults, options_.data.seed, ++call_sequence_);
  if (fault != fault_kind::none) ++stats.faults[static_cast<std::size_t>(fault) - 1];
  if (replaces_answer(fault)) return fault_reply(fault);
  sim_reply reply = answer(request, path, wall, steady, stats);
  if (fault == fault_kind::malformed) {
    stamp_request_id(reply);
    reply.body.resize(reply.body.size() / 2);
  }
  if (fault == fault_kind::timeout) reply.delay = options_.fault_delay;
  return reply;
}

sim_reply engine::answer(const sim_request& request, std::string_view path, sys_seconds wall, steady_time steady,
                         endpoint_stats& stats) {
  const auto form = is_form_content_type(request.content_type) ? jst::parse_form(request.body) : std::nullopt;
  std::optional<sim_reply> refused;
  if (!is_form_content_type(request.content_type))
    refused = bad_params("Content-Type 必须是 application/x-www-form-urlencoded");
  else if (!form)
    refused = bad_params("请求体不是合法的表单");
  account* who = nullptr;
  if (!refused && form) refused = check_caller(*form, wall, who);
  if (refused) {
    ++stats.refused_auth;
    return *refused;
  }
  // The account's own arrivals, for the peak rates a fleet test compares with each account's limits.
  who->arrivals.push_back(steady);
  while (steady - who->arrivals.front() >= std::chrono::minutes{1}) who->arrivals.pop_front();
  who->peak_per_minute = std::max<std::uint64_t>(who->peak_per_minute, who->arrivals.size());
  const auto second_ago = std::lower_bound(who->arrivals.begin(), who->arrivals.end(), steady - std::chrono::seconds{1},
                                           [](steady_time t, steady_time limit) { return t <= limit; });
  who->peak_per_second =
      std::max<std::uint64_t>(who->peak_per_second, static_cast<std::uint64_t>(who->arrivals.end() - second_ago));
  if (path == refresh_path || path == init_token_path) {
    if (options_.token_calls_limited)
      if (auto over = take_limit(*who, steady, stats)) return *over;
    return path == refresh_path ? answer_refresh(*who, *form, wall, stats) : answer_init_token(*who, *form, wall, stats);
  }
  return answer_data(*who, path, *form, wall, steady, stats);
}

engine::account* engine::find_account(std::string_view app_key) {
  const auto it = by_app_key_.find(app_key);
  return it == by_app_key_.end() ? nullptr : it->second;
}

std::optional<sim_reply> engine::check_caller(const jst::form_fields& form, sys_seconds wall, account*& who) {
  who = find_account(field_or_empty(form, "app_key"));
  if (who == nullptr) return refusal(10, msg_bad_app_key);
  if (!timestamp_ok(field_or_empty(form, "timestamp"), wall, options_.timestamp_tolerance)) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(options_.timestamp_tolerance).count();
    return refusal(140, "验证失败！无效的timestamp，请求最大时间误差" + std::to_string(minutes) + "分钟");
  }
  if (!sign_ok(form, who->creds.app_secret, options_.empties)) return refusal(10, msg_bad_sign);
  return std::nullopt;
}

std::optional<sim_reply> engine::take_limit(account& who, steady_time steady, endpoint_stats& stats) {
  const auto verdict = limiter_.try_acquire(who.creds.app_key, steady);
  if (verdict == limit_verdict::accepted) {
    ++who.accepted;
    return std::nullopt;
  }
  ++who.throttled;
  ++stats.refused_limit;
  return verdict == limit_verdict::per_second ? refusal(199, msg_per_second) : refusal(200, msg_per_minute);
}

sim_reply engine::answer_refresh(account& who, const jst::form_fields& form, sys_seconds wall, endpoint_stats& stats) {
  if (field_or_empty(form, "grant_type") != "refresh_token") {
    ++stats.refused_params;
    return bad_params("grant_type 必须是 refresh_token");
  }
  if (options_.kind == app_kind::isv) {
    ++stats.refused_auth;
    return refusal(150, msg_isv_refresh);
  }
  if (!who.tokens.refresh(field_or_empty(form, "refresh_token"), wall)) {
    ++stats.refused_auth;
    return refusal(100, msg_bad_refresh);
  }
  ++stats.served;
  return json_reply(render_tokens(who.tokens.access_token(), who.tokens.refresh_token(), who.tokens.ttl().count()));
}

// getInitToken: a self-built app mints fresh tokens with any six-character code.
sim_reply engine::answer_init_token(account& who, const jst::form_fields& form, sys_seconds wall,
                                   endpoint_stats& stats) {
  if (field_or_empty(form, "grant_type") != "authorization_code") {
    ++stats.refused_params;
    return bad_params("grant_type 必须是 authorization_code");
  }
  if (field_or_empty(form, "code").size() != 6) {
    ++stats.refused_params;
    return bad_params("code 必须是 6 位字符");
  }
  if (options_.kind == app_kind::isv) {
    ++stats.refused_auth;
    return refusal(150, msg_isv_init);
  }
  who.tokens.mint(wall);
  ++stats.served;
  return json_reply(render_tokens(who.tokens.access_token(), who.tokens.refresh_token(), who.tokens.ttl().count()));
}

sim_reply engine::answer_data(account& who, std::string_view path, const jst::form_fields& form, sys_seconds wall,
                              steady_time steady, endpoint_stats& stats) {
  if (who.tokens.check(field_or_empty(form, "access_token"), wall) != token_verdict::valid) {
    ++stats.refused_auth;
    return refusal(100, msg_bad_token);
  }
  const std::string* biz_text = jst::find_field(form, "biz");
  const auto biz = biz_text != nullptr ? nlohmann::json::parse(*biz_text, nullptr, false) : nlohmann::json{};
  if (!biz.is_object()) {
    ++stats.refused_params;
    return bad_params("biz 必须是 JSON 对象");
  }
  const auto endpoint = endpoint_of(path);
  auto* table = endpoint ? nullptr : catalogue_for(path);
  if (!endpoint && table == nullptr) {
    ++stats.refused_auth;
    return refusal(190, msg_no_permission);
  }
  if (auto over = take_limit(who, steady, stats)) return *over;
  who.tokens.count_call();
  if (table != nullptr) return serve_catalogue(*table, biz, wall, stats);
  switch (*endpoint) {
    case endpoint_kind::flow: return serve_flow(biz, wall, stats);
    case endpoint_kind::orders: return serve_orders(biz, wall, stats);
    case endpoint_kind::shops: return serve_shops(biz, stats);
  }
  return refusal(190, msg_no_permission);
}

sim_reply engine::serve_flow(const nlohmann::json& biz, sys_seconds wall, endpoint_stats& stats) {
  auto parsed = parse_flow_query(biz);
  refuse_cap_edge(parsed, flow_rules.max_span, options_.accept_cap_edge);
  if (!parsed.query) {
    ++stats.refused_params;
    return bad_params(parsed.error);
  }
  const auto& q = *parsed.query;
  if (q.window) store_.drift_flow(*q.window, options_.faults.drift_rows_per_call);
  ++stats.served;
  const auto page = store_.query(q, wall);
  stats.rows += static_cast<std::int64_t>(page.rows.size());
  return json_reply(render_page(options_.flow_envelope, "datas", page, q.page_index, q.page_size));
}

sim_reply engine::serve_orders(const nlohmann::json& biz, sys_seconds wall, endpoint_stats& stats) {
  auto parsed = parse_order_query(biz);
  refuse_cap_edge(parsed, order_rules.max_span, options_.accept_cap_edge);
  if (!parsed.query) {
    ++stats.refused_params;
    return bad_params(parsed.error);
  }
  const auto& q = *parsed.query;
  if (q.start_ts)
    store_.drift_order_versions(*q.start_ts, options_.faults.drift_rows_per_call, wall,
                                options_.faults.drift_changes_items);
  else if (q.window)
    store_.drift_orders(*q.window, options_.faults.drift_rows_per_call, wall, options_.faults.drift_changes_items);
  ++stats.served;
  const auto page = store_.query(q, wall);
  stats.rows += static_cast<std::int64_t>(page.rows.size());
  return json_reply(render_page(options_.orders_envelope, "orders", page, q.page_index, q.page_size));
}

sim_reply engine::serve_catalogue(catalogue_table& table, const nlohmann::json& biz, sys_seconds wall,
                                  endpoint_stats& stats) {
  const auto& spec = table.spec();
  auto parsed = parse_catalogue_query(spec, biz);
  if (spec.filter) refuse_cap_edge(parsed, spec.filter->max_span, options_.accept_cap_edge);
  if (!parsed.query) {
    ++stats.refused_params;
    return bad_params(parsed.error);
  }
  const auto& q = *parsed.query;
  table.drift(q, options_.faults.drift_rows_per_call, wall, options_.faults.drift_changes_items);
  ++stats.served;
  const std::string_view shape = options_.alternative_envelopes && !spec.envelope_alternative.empty()
                                     ? spec.envelope_alternative
                                     : spec.envelope;
  return json_reply(
      render_catalogue_page(spec, shape, table.query(q), q.page_index, q.page_size, options_.orders_envelope.empty));
}

sim_reply engine::serve_shops(const nlohmann::json& biz, endpoint_stats& stats) {
  auto parsed = parse_shop_query(biz);
  if (!parsed.query) {
    ++stats.refused_params;
    return bad_params(parsed.error);
  }
  const auto& q = *parsed.query;
  ++stats.served;
  return json_reply(render_page(options_.shops_envelope, "datas", store_.query(q), q.page_index, q.page_size));
}

}  // namespace ferry::sim
