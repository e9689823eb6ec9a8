// jst-sim-load: drives a running jst-sim with signed page requests over N
// keep-alive connections and reports rows served per second (and, given the
// simulator's pid, per second of its CPU time). Used for the throughput figure
// in docs/simulator.md.
#include "ferry/sim/options.hpp"
#include "ferry/sim/signed_form.hpp"
#include "support/http_client.hpp"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace {

using namespace ferry;
namespace po = boost::program_options;
using clock_type = std::chrono::steady_clock;

struct load_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int connections = 2;
  double seconds = 10;
  std::string path{sim::flow_path};
  std::int64_t page_size = 1000;
  std::string from = "2026-01-01 00:00:00", to = "2026-01-30 23:59:59";  // a second under the 30-day cap
  int sim_pid = 0;
  sim::credentials creds;
};

struct totals {
  std::atomic<std::int64_t> rows{0}, pages{0}, bytes{0}, failures{0};
};

// utime + stime of a process in seconds, from /proc/<pid>/stat.
double cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // fields 3..13
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::int64_t count_rows(const std::string& body, bool orders) {
  const std::string marker = orders ? "{\"o_id\":" : "{\"io_id\":";
  std::int64_t n = 0;
  for (auto pos = body.find(marker); pos != std::string::npos; pos = body.find(marker, pos + 1)) ++n;
  return n;
}

nlohmann::json window(const load_options& o, std::int64_t page) {
  const bool orders = o.path == sim::orders_path;
  return {{"page_index", page}, {"page_size", o.page_size},
          {orders ? "modified_begin" : "create_time_start", o.from},
          {orders ? "modified_end" : "create_time_end", o.to}};
}

// One connection: walks the window's pages round and round until the deadline.
void drive(const load_options& o, int index, clock_type::time_point deadline, totals& t) {
  test_support::http_client client(o.host, o.port);
  const bool orders = o.path == sim::orders_path;
  std::int64_t page = 1 + index, page_count = 1;
  while (clock_type::now() < deadline) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto body = sim::signed_business_body(o.creds, o.creds.access_token, window(o, page).dump(), now);
    const auto result = client.post_form(o.path, body);
    if (!result.ok() || result.response.body.rfind("{\"code\":0,", 0) != 0) {
      ++t.failures;
      continue;
    }
    if (page_count == 1) page_count = nlohmann::json::parse(result.response.body)["data"]["page_count"].get<std::int64_t>();
    t.rows += count_rows(result.response.body, orders);
    t.bytes += static_cast<std::int64_t>(result.response.body.size());
    ++t.pages;
    page = page % std::max<std::int64_t>(page_count, 1) + 1;
  }
}

load_options parse(int argc, char** argv) {
  load_options o;
  int port = 0;
  po::options_description d("jst-sim-load: measure jst-sim's throughput");
  d.add_options()("help", "print this help")
    ("host", po::value(&o.host)->default_value(o.host), "jst-sim address")
    ("port", po::value(&port)->required(), "jst-sim port")
    ("connections", po::value(&o.connections)->default_value(2), "concurrent keep-alive connections")
    ("seconds", po::value(&o.seconds)->default_value(10), "how long to run")
    ("path", po::value(&o.path)->default_value(o.path), "endpoint path")
    ("page-size", po::value(&o.page_size)->default_value(1000), "page_size of each call")
    ("from", po::value(&o.from)->default_value(o.from), "window start")
    ("to", po::value(&o.to)->default_value(o.to), "window end")
    ("sim-pid", po::value(&o.sim_pid)->default_value(0), "jst-sim's pid, to report rows per CPU second")
    ("app-key", po::value(&o.creds.app_key)->default_value(o.creds.app_key), "app_key")
    ("app-secret", po::value(&o.creds.app_secret)->default_value(o.creds.app_secret), "app_secret")
    ("access-token", po::value(&o.creds.access_token)->default_value(o.creds.access_token), "access_token");
  po::variables_map vars;
  po::store(po::parse_command_line(argc, argv, d), vars);
  if (vars.count("help") != 0) {
    std::cout << d;
    std::exit(0);
  }
  po::notify(vars);
  o.port = static_cast<std::uint16_t>(port);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    totals t;
    const double cpu_before = o.sim_pid > 0 ? cpu_seconds(o.sim_pid) : 0.0;
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.seconds));
    std::vector<std::thread> threads;
    for (int i = 0; i < o.connections; ++i) threads.emplace_back(drive, std::cref(o), i, deadline, std::ref(t));
    for (auto& thread : threads) thread.join();
    const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
    std::cout << "rows=" << t.rows << " pages=" << t.pages << " failures=" << t.failures << " seconds=" << elapsed
              << " rows_per_second=" << static_cast<std::int64_t>(static_cast<double>(t.rows) / elapsed)
              << " mib_per_second=" << static_cast<double>(t.bytes) / elapsed / (1024 * 1024);
    if (o.sim_pid > 0) {
      const double cpu = cpu_seconds(o.sim_pid) - cpu_before;
      std::cout << " sim_cpu_seconds=" << cpu
                << " rows_per_sim_cpu_second=" << static_cast<std::int64_t>(static_cast<double>(t.rows) / cpu);
    }
    std::cout << std::endl;
    return t.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "jst-sim-load: " << e.what() << "\n";
    return 2;
  }
}
