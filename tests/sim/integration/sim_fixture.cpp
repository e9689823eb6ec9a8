#include "sim_fixture.hpp"

#include "ferry/sim/signed_form.hpp"
#include "ferry/source/jushuitan/form.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>

namespace ferry::sim::testing {
namespace {

test_support::child_process start(const std::vector<std::string>& flags) {
  std::vector<std::string> args{"--port", "0"};
  args.insert(args.end(), flags.begin(), flags.end());
  return test_support::child_process(JST_SIM_PATH, args);
}

std::uint16_t read_port(test_support::child_process& process) {
  const auto line = process.read_line(std::chrono::seconds{30});
  if (!line) throw std::runtime_error("jst-sim printed no listening line");
  const auto port = test_support::parse_listening_port(*line);
  if (!port) throw std::runtime_error("unexpected first line from jst-sim: " + *line);
  return *port;
}

}  // namespace

core::sys_seconds wall_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::vector<std::string> quiet_flags(std::vector<std::string> extra) {
  std::vector<std::string> flags{"--limit-per-second", "0", "--limit-per-minute", "0"};
  if (std::find(extra.begin(), extra.end(), "--records") == extra.end()) flags.insert(flags.end(), {"--records", "5000"});
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

running_sim::running_sim(const std::vector<std::string>& flags)
    : process_(start(flags)), port_(read_port(process_)), client_("127.0.0.1", port_) {}

test_support::http_result running_sim::call_raw(std::string_view path, std::string_view biz, std::string_view token,
                                                core::sys_seconds timestamp) {
  return client_.post_form(path, signed_business_body(creds, token, biz, timestamp));
}

nlohmann::json running_sim::call(std::string_view path, const nlohmann::json& biz) {
  const auto result = call_raw(path, biz.dump(), access_token, wall_now());
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  return nlohmann::json::parse(result.response.body);
}

nlohmann::json running_sim::refresh(const std::string& token) {
  const auto result = client_.post_form(refresh_path, signed_refresh_body(creds, token, wall_now()));
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  auto answer = nlohmann::json::parse(result.response.body);
  if (answer["code"] == 0) {
    access_token = answer["data"]["access_token"].get<std::string>();
    refresh_token = answer["data"]["refresh_token"].get<std::string>();
  }
  return answer;
}

nlohmann::json running_sim::stats() {
  const auto result = client_.get("/__sim/stats");
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  return nlohmann::json::parse(result.response.body);
}

nlohmann::json running_sim::set_faults(const nlohmann::json& faults) {
  const auto result = client_.post_json("/__sim/faults", faults.dump());
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  return nlohmann::json::parse(result.response.body);
}

std::vector<std::string> running_sim::truth(std::string_view endpoint, std::string_view from, std::string_view to) {
  namespace jst = ferry::source::jushuitan;
  const auto query = jst::encode_form({{"endpoint", std::string{endpoint}}, {"from", std::string{from}},
                                       {"to", std::string{to}}});
  const auto result = client_.get("/__sim/truth?" + query);
  REQUIRE(result.ok());
  REQUIRE(result.response.status == 200);
  CHECK(result.response.chunked);
  return split_lines(result.response.body);
}

std::vector<std::string> offline_truth(std::vector<std::string> flags) {
  flags.insert(flags.begin(), "truth");
  test_support::child_process process(JST_SIM_PATH, flags);
  auto text = process.read_all(std::chrono::seconds{60});
  const auto status = process.wait_for(std::chrono::seconds{10});
  REQUIRE(status);
  REQUIRE(*status == 0);
  return split_lines(text);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::vector<std::string> list_elements(std::string_view body, std::string_view list_key) {
  const std::string marker = "\"" + std::string{list_key} + "\":[";
  auto pos = body.find(marker);
  REQUIRE(pos != std::string_view::npos);
  pos += marker.size();
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false;
  std::size_t start = pos;
  for (; pos < body.size(); ++pos) {
    const char c = body[pos];
    if (in_string) {
      if (c == '\\') ++pos;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth++ == 0) start = pos;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;  // the end of the list
      if (--depth == 0) out.emplace_back(body.substr(start, pos + 1 - start));
    }
  }
  return out;
}

std::vector<std::string> all_pages(running_sim& sim, std::string_view path, nlohmann::json biz,
                                   std::string_view list_key) {
  std::vector<std::string> rows;
  std::int64_t page_count = 1;
  for (std::int64_t page = 1; page <= page_count; ++page) {
    biz["page_index"] = page;
    const auto result = sim.call_raw(path, biz.dump(), sim.access_token, wall_now());
    REQUIRE(result.ok());
    const auto answer = nlohmann::json::parse(result.response.body);
    REQUIRE(answer["code"] == 0);
    if (page == 1) page_count = answer["data"]["page_count"].get<std::int64_t>();
    const auto elements = list_elements(result.response.body, list_key);
    REQUIRE(elements.size() == answer["data"][std::string{list_key}].size());
    rows.insert(rows.end(), elements.begin(), elements.end());
  }
  return rows;
}

}  // namespace ferry::sim::testing
