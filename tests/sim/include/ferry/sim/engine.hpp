#pragma once
// jst-sim's behaviour without sockets: one HTTP request in, one reply out.
//
// The engine checks business calls in the real platform's order, answers the
// query endpoints (flow, orders, shops) and the tokens, applies limits and faults, keeps
// statistics and serves the /__sim control paths. Time comes in as arguments,
// so it runs the same under a test's hand-made clock. It owns the data store,
// the tokens, the limiter and the fault settings. Not thread-safe: the server
// calls it from its one thread.
#include "ferry/sim/auth.hpp"
#include "ferry/sim/catalogue.hpp"
#include "ferry/sim/limiter.hpp"
#include "ferry/sim/options.hpp"
#include "ferry/sim/store.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::sim {

struct sim_request {
  std::string_view method;
  std::string_view target;        // path and query
  std::string_view content_type;  // the Content-Type header, as sent
  std::string_view body;
};

enum class reply_kind {
  respond,  // send status and body (after `delay`)
  reset,    // close the connection without an answer
  truth,    // stream JSON lines read through engine::read_truth
};

struct sim_reply {
  reply_kind kind = reply_kind::respond;
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::chrono::milliseconds delay{0};
  truth_cursor truth;
};

// Counters of one endpoint (or of all of them).
struct endpoint_stats {
  std::int64_t calls = 0;           // every request to the path
  std::int64_t served = 0;          // answered with code 0
  std::int64_t refused_limit = 0;   // codes 199 and 200
  std::int64_t refused_auth = 0;    // 405, form, app_key, timestamp, sign, token, path
  std::int64_t refused_params = 0;  // code 140 for biz or the endpoint's parameters
  std::int64_t rows = 0;            // rows of the pages served
  std::array<std::int64_t, all_faults.size()> faults{};
};

class engine {
 public:
  using steady_time = std::chrono::steady_clock::time_point;

  // One app account: its credentials and tokens, and what its limits saw.
  struct account {
    account(credentials c, std::uint64_t seed, const sim_options& o);
    credentials creds;
    token_state tokens;
    std::int64_t accepted = 0;   // business and token calls its limits took
    std::int64_t throttled = 0;  // answered 199 or 200
    // Arrivals of its signed calls in the last minute, for its peak rates.
    std::deque<steady_time> arrivals;
    std::uint64_t peak_per_second = 0, peak_per_minute = 0;
  };

  explicit engine(sim_options options);

  sim_reply handle(const sim_request& request, sys_seconds wall_now, steady_time steady_now);

  // Continues a truth stream started by a reply of kind truth.
  void read_truth(truth_cursor& cursor, sys_seconds now, std::string& out, std::size_t max_bytes) const {
    store_.read_truth(cursor, now, out, max_bytes);
  }

  nlohmann::json stats_json() const;
  // GET /__sim/bad-records: {"flow": [{kind, field, sku_sn, io_id, json}, ...]}.
  nlohmann::json bad_records_json() const;
  const fault_settings& faults() const { return options_.faults; }
  const sim_options& options() const { return options_; }
  // Catalogue endpoints served from their spec (besides flow, orders and shops).
  std::size_t catalogue_size() const { return catalogue_.size(); }

 private:
  sim_reply handle_business(const sim_request& request, std::string_view path, sys_seconds wall,
                            steady_time steady);
  sim_reply answer(const sim_request& request, std::string_view path, sys_seconds wall, steady_time steady,
                   endpoint_stats& stats);
  // The account a call is signed for, or the refusal (unknown app_key, timestamp, sign).
  std::optional<sim_reply> check_caller(const source::jushuitan::form_fields& form, sys_seconds wall,
                                        account*& who);
  account* find_account(std::string_view app_key);
  // Counts the call against the account's limits; the refusal when over them.
  std::optional<sim_reply> take_limit(account& who, steady_time steady, endpoint_stats& stats);
  sim_reply answer_refresh(account& who, const source::jushuitan::form_fields& form, sys_seconds wall,
                           endpoint_stats& stats);
  sim_reply answer_init_token(account& who, const source::jushuitan::form_fields& form, sys_seconds wall,
                              endpoint_stats& stats);
  void stamp_request_id(sim_reply& reply);
  sim_reply answer_data(account& who, std::string_view path, const source::jushuitan::form_fields& form,
                        sys_seconds wall, steady_time steady, endpoint_stats& stats);
  sim_reply serve_flow(const nlohmann::json& biz, sys_seconds wall, endpoint_stats& stats);
  sim_reply serve_orders(const nlohmann::json& biz, sys_seconds wall, endpoint_stats& stats);
  sim_reply serve_shops(const nlohmann::json& biz, endpoint_stats& stats);
  sim_reply serve_catalogue(catalogue_table& table, const nlohmann::json& biz, sys_seconds wall, endpoint_stats& stats);
  // The table of a catalogue endpoint jst-sim serves from its spec, or null.
  catalogue_table* catalogue_for(std::string_view path);
  sim_reply control_catalogue(const catalogue_table& table, std::string_view query) const;
  sim_reply control_shops(const sim_request& request);
  sim_reply handle_control(const sim_request& request, std::string_view path, std::string_view query,
                           sys_seconds wall);
  sim_reply control_tokens(const sim_request& request, std::string_view query, sys_seconds wall);
  sim_reply control_truth(std::string_view query) const;
  sim_reply control_faults(const sim_request& request);
  endpoint_stats& stats_for(std::string_view path);

  sim_options options_;
  data_store store_;
  std::vector<catalogue_table> catalogue_;  // every catalogue endpoint but flow, orders and shops
  std::deque<account> accounts_;  // [0] is --app-key's; a deque keeps their addresses
  std::map<std::string, account*, std::less<>> by_app_key_;
  sliding_limiter limiter_;
  std::uint64_t call_sequence_ = 0;
  std::uint64_t answers_ = 0;  // numbers the requestId of every answer
  // Arrival times of business calls in the last minute, for the peak call
  // rates a test compares with the client's configured limits.
  std::deque<steady_time> arrivals_;
  std::uint64_t peak_per_second_ = 0, peak_per_minute_ = 0;
  std::map<std::string, endpoint_stats, std::less<>> stats_;
};

}  // namespace ferry::sim
