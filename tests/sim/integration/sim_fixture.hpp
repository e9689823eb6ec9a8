#pragma once
// A running jst-sim for integration tests: starts the real binary with
// --port 0 and the given flags, reads the port it prints, and offers signed
// calls, the /__sim control paths and the truth. The process is stopped and
// reaped when the object goes. Not thread-safe.
#include "ferry/sim/options.hpp"
#include "ferry/sim/signed_form.hpp"
#include "ferry/sim/text.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ferry::sim::testing {

// Flags for a quiet simulator: no limits, a small data set.
std::vector<std::string> quiet_flags(std::vector<std::string> extra = {});

class running_sim {
 public:
  explicit running_sim(const std::vector<std::string>& flags);

  std::uint16_t port() const { return port_; }
  test_support::http_client& client() { return client_; }

  // A signed business call with the current access token; REQUIREs HTTP 200
  // and a JSON body, which it returns parsed.
  nlohmann::json call(std::string_view path, const nlohmann::json& biz);
  // The same, unchecked, with any token and timestamp.
  test_support::http_result call_raw(std::string_view path, std::string_view biz, std::string_view token,
                                     core::sys_seconds timestamp);
  // /openWeb/auth/refreshToken with `refresh_token`; on code 0 the new tokens become current.
  nlohmann::json refresh(const std::string& refresh_token);

  nlohmann::json stats();
  nlohmann::json set_faults(const nlohmann::json& faults);
  // GET /__sim/truth, one string per JSON line.
  std::vector<std::string> truth(std::string_view endpoint, std::string_view from, std::string_view to);

  credentials creds;
  std::string access_token = "demo-access-token";
  std::string refresh_token = "demo-refresh-token";

 private:
  test_support::child_process process_;
  std::uint16_t port_ = 0;
  test_support::http_client client_;
};

// `jst-sim truth ...` run offline, one string per line.
std::vector<std::string> offline_truth(std::vector<std::string> flags);

// Splits text into lines, dropping the empty one after a final '\n'.
std::vector<std::string> split_lines(const std::string& text);

// Every row of a window as its exact JSON text, fetched page by page up to
// the page_count of page 1 (as a client that trusts page 1 would).
std::vector<std::string> all_pages(running_sim& sim, std::string_view path, nlohmann::json biz,
                                   std::string_view list_key);

// The exact text of each element of the array after "list_key": in `body`.
std::vector<std::string> list_elements(std::string_view body, std::string_view list_key);

core::sys_seconds wall_now();

}  // namespace ferry::sim::testing
