// ferry-bench: ferry end to end against MariaDB's own ingest ceiling, in one
// run on one machine. See docs/performance.md; tests/bench/run.sh drives it.
#include "ceiling.hpp"
#include "ferry_run.hpp"
#include "rows.hpp"

#include "support/child_process.hpp"
#include "support/http_client.hpp"

#include "ferry/json/tape.hpp"
#include "ferry/sink/table.hpp"

#include <mysql.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using namespace ferry;

namespace {

const char* flow_api = "/open/webapi/wmsapi/skusn/queryinoutitemskusns";

struct options {
  std::uint64_t records = 1000000;
  fs::path out = "bench-result.json";
  fs::path work = "bench-work";
  std::string ferryd = FERRYD_PATH;
  std::string sim = JST_SIM_PATH;
  bench::bench_settings ferry;
  bool limits = false;
  std::uint64_t limit_records = 350000;
  bool skip_ceiling = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "ferry-bench: " << problem << "\n"
            << "usage: ferry-bench [--records N] [--out FILE] [--work DIR] [--pool N] [--in-flight N]\n"
            << "                   [--batch-rows N] [--write-mode auto|array|multi_row] [--skip-ceiling]\n"
            << "                   [--limits [--limit-records N]] [--ferryd PATH] [--sim PATH]\n";
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--limits") o.limits = true;
    else if (flag == "--skip-ceiling") o.skip_ceiling = true;
    else if (i + 1 < argc && flag.rfind("--", 0) == 0) values[flag] = argv[++i];
    else usage("bad argument " + flag);
  }
  for (const auto& [k, v] : values) {
    if (k == "--records") o.records = std::stoull(v);
    else if (k == "--out") o.out = v;
    else if (k == "--work") o.work = v;
    else if (k == "--pool") o.ferry.pool_size = std::stoi(v);
    else if (k == "--in-flight") o.ferry.max_in_flight = std::stoi(v);
    else if (k == "--batch-rows") o.ferry.batch_rows = std::stoull(v);
    else if (k == "--write-mode") o.ferry.write_mode = v;
    else if (k == "--limit-records") o.limit_records = std::stoull(v);
    else if (k == "--ferryd") o.ferryd = v;
    else if (k == "--sim") o.sim = v;
    else usage("unknown flag " + k);
  }
  return o;
}

std::string env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

mysql::connection_options database(const std::string& name) {
  mysql::connection_options o;
  o.host = env("FERRY_MYSQL_HOST", "127.0.0.1");
  o.port = static_cast<unsigned>(std::stoul(env("FERRY_MYSQL_PORT", "3307")));
  o.user = env("FERRY_MYSQL_USER", "ferry");
  o.password = ferry::core::secret{env("FERRY_MYSQL_PASSWORD", "")};
  o.database = name;
  return o;
}

// Drops and creates database `name` (ferry_bench_*), optionally with the flow table.
mysql::connection_options fresh_database(const std::string& name, bool with_table) {
  auto admin = database("");
  mysql::connection conn{admin};
  conn.execute("DROP DATABASE IF EXISTS " + mysql::quote_identifier(name));
  conn.execute("CREATE DATABASE " + mysql::quote_identifier(name) + " CHARACTER SET utf8mb4");
  auto o = database(name);
  if (with_table) {
    mysql::connection t{o};
    sink::prepare_table(t, bench::flow_table(), true);
  }
  return o;
}

ferry::test_support::child_process start_sim(const options& o, std::uint64_t records, bool limits, std::uint16_t& port) {
  std::vector<std::string> args{"--port", "0", "--records", std::to_string(records)};
  if (!limits) args.insert(args.end(), {"--limit-per-second", "0", "--limit-per-minute", "0"});
  ferry::test_support::child_process sim{o.sim, args};
  const auto line = sim.read_line(std::chrono::minutes{5});
  const auto p = line ? ferry::test_support::parse_listening_port(*line) : std::nullopt;
  if (!p) throw std::runtime_error("jst-sim did not start: " + line.value_or("(no output)"));
  port = *p;
  return sim;
}

ordered_json measure_json(const bench::run_measure& m, std::uint64_t records, double ceiling) {
  const double rps = static_cast<double>(records) / m.seconds;
  return {{"exit_code", m.exit_code},        {"seconds", m.seconds},
          {"rows_per_second", rps},          {"ratio_to_bulk_ceiling", ceiling > 0 ? rps / ceiling : 0.0},
          {"peak_rss_mib", m.peak_rss_mib},  {"cpu_seconds", m.cpu_seconds},
          {"cpu_seconds_per_100k_rows", m.cpu_seconds * 1e5 / static_cast<double>(records)},
          {"first_row_seconds", m.first_row_seconds < 0 ? ordered_json{} : ordered_json(m.first_row_seconds)},
          {"fetched", m.fetched},            {"inserted", m.inserted},
          {"updated", m.updated},            {"unchanged", m.unchanged},
          {"throttles", m.throttles}};
}

void say(const std::string& text) { std::cerr << "ferry-bench: " << text << std::endl; }

// The 1-, 5- and 15-minute load averages (/proc/loadavg).
std::vector<double> load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::vector<double> out(3, 0.0);
  in >> out[0] >> out[1] >> out[2];
  return out;
}

std::string cpu_model() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

// CPU seconds (user + system) a live process has used so far: fields 14 and
// 15 of /proc/PID/stat, in clock ticks.
double process_cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields{text.substr(close + 2)};
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The two roads from page bytes to records that issue #19 asked to compare,
// and the DOM they replace, on one page of 1000 flow records as jst-sim
// serves it: microseconds per page, the best of five rounds of 50 parses.
ordered_json parser_times(const fs::path& truth) {
  std::ifstream in{truth};
  std::string line, body = R"({"code":0,"msg":"执行成功","requestId":"bench","data":[)";
  for (int i = 0; i < 1000 && std::getline(in, line); ++i) body += (i > 0 ? "," : "") + line;
  body += "]}";
  const auto time = [&](auto&& parse) {
    double best = 1e300;
    for (int round = 0; round < 5; ++round) {
      const auto start = std::chrono::steady_clock::now();
      std::size_t sink = 0;
      for (int i = 0; i < 50; ++i) sink += parse();
      const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 50;
      if (sink == 0) throw std::runtime_error("a parser read nothing");
      best = std::min(best, us);
    }
    return best;
  };
  const double dom = time([&] { return ferry::json::parse_exact(body).at("data").size(); });
  const double sax = time([&] { return std::size_t{ferry::json::parse_tape_reference(body).size()}; });
  const double simd = time([&] { return std::size_t{ferry::json::parse_tape(body).size()}; });
  return {{"page_bytes", body.size()},
          {"records", 1000},
          {"dom_parse_exact_us", dom},
          {"tape_nlohmann_sax_us", sax},
          {"tape_simdjson_on_demand_us", simd},
          {"dom_over_simdjson", dom / simd},
          {"sax_over_simdjson", sax / simd}};
}

// The MariaDB server's pid when it runs on this machine (the pid file it names
// in @@pid_file, readable here), else 0: its CPU is then not reported.
pid_t server_pid() {
  try {
    mysql::connection conn{database("")};
    const auto rows = conn.query("SELECT @@pid_file");
    if (rows.empty() || !rows[0][0]) return 0;
    std::ifstream in{*rows[0][0]};
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || !fs::exists("/proc/" + std::to_string(pid) + "/stat")) return 0;
    return static_cast<pid_t>(pid);
  } catch (const std::exception&) {
    return 0;
  }
}

// What the server spent on a measured step: the CPU it takes per row is what
// decides how much of the two cores is left for ferryd, and whether ferry
// makes the server work harder per row than the ceiling loop does.
struct server_cpu {
  pid_t pid = server_pid();
  double now() const { return pid > 0 ? process_cpu_seconds(pid) : 0.0; }
  void add(ordered_json& step, double before, double seconds, std::uint64_t rows) const {
    if (pid <= 0) return;
    const double cpu = process_cpu_seconds(pid) - before;
    step["mariadbd_cpu_seconds"] = cpu;
    step["mariadbd_cpu_seconds_per_100k_rows"] = rows > 0 ? cpu * 1e5 / static_cast<double>(rows) : 0.0;
    step["mariadbd_cpu_share_of_one_core"] = seconds > 0 ? cpu / seconds : 0.0;
  }
};

// The private server's root, over its socket (deploy/mariadb-local.sh env),
// or nullopt when the bench is pointed at another server.
std::optional<mysql::connection_options> server_root() {
  const auto password = env("FERRY_MYSQL_ROOT_PASSWORD", "");
  const auto socket = env("FERRY_MYSQL_SOCKET", "");
  if (password.empty() || socket.empty()) return std::nullopt;
  mysql::connection_options o;
  o.socket = socket;
  o.user = "root";
  o.password = ferry::core::secret{password};
  return o;
}

// Waits until the server has nothing left of the steps before: no dirty page
// in InnoDB's buffer pool and mariadbd idle (under 5% of a core over half a
// second: purge done). MariaDB 10.11 does not flush dirty pages while idle
// (innodb_max_dirty_pages_pct_lwm is 0), so a step would otherwise pay for
// flushing the pages of the loads before it when the redo log fills; with
// the private server's root the bench asks for them to be flushed now
// (innodb_max_dirty_pages_pct 0, then back). Every measured step starts so,
// ceiling and ferry alike. Returns what it found and how long it waited;
// gives up after 5 minutes.
ordered_json settle_server(const server_cpu& server) {
  mysql::connection conn{database("")};
  std::optional<mysql::connection> root;
  std::string old_pct;
  if (const auto o = server_root()) {
    root.emplace(*o);
    const auto rows = root->query("SELECT @@GLOBAL.innodb_max_dirty_pages_pct");
    old_pct = rows.empty() || !rows[0][0] ? "90" : *rows[0][0];
    root->execute("SET GLOBAL innodb_max_dirty_pages_pct = 0");
  }
  const auto dirty_pages = [&] {
    const auto rows = conn.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
    return rows.empty() || !rows[0][1] ? std::uint64_t{0} : std::stoull(*rows[0][1]);
  };
  const auto start = std::chrono::steady_clock::now();
  const auto dirty_at_start = dirty_pages();
  bool settled = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::minutes{5}) {
    const double cpu0 = server.now();
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    const double share = (server.now() - cpu0) / 0.5;
    if (dirty_pages() == 0 && (server.pid <= 0 || share < 0.05)) {  // both: flushing and purge are CPU too
      settled = true;
      break;
    }
  }
  if (root) root->execute("SET GLOBAL innodb_max_dirty_pages_pct = " + old_pct);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!settled) say("warning: the server did not settle in 5 minutes (dirty pages or purge); measuring anyway");
  return {{"dirty_pages_before", dirty_at_start}, {"waited_seconds", waited}, {"settled", settled},
          {"flushed_as_root", root.has_value()}};
}

// CPU seconds of this process (the ceiling loop's client threads, the only
// work it does while they run).
double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// What every process of a step spent, per 100k rows and as busy cores: on a
// machine the server shares, a step's speed follows from it (see
// docs/performance.md, "Why 300k stays under 0.80").
void add_total_cpu(ordered_json& step, double other_cpu, std::uint64_t rows) {
  if (!step.contains("mariadbd_cpu_seconds")) return;
  const double all = step["mariadbd_cpu_seconds"].get<double>() + other_cpu;
  step["all_cpu_seconds_per_100k_rows"] = all * 1e5 / static_cast<double>(rows);
  step["busy_cores"] = all / step["seconds"].get<double>();
}

// A measured ferryd run with what jst-sim spent serving it.
ordered_json with_sim_cpu(ordered_json run, double sim_cpu, double seconds) {
  run["jst_sim_cpu_seconds"] = sim_cpu;
  run["jst_sim_cpu_share_of_one_core"] = seconds > 0 ? sim_cpu / seconds : 0.0;
  return run;
}

ordered_json ferry_runs(const options& o, double fresh_ceiling, double resync_ceiling) {
  std::uint16_t port = 0;
  auto sim = start_sim(o, o.records, false, port);
  auto s = o.ferry;
  s.sim_port = port;
  s.db = fresh_database("ferry_bench_ferry", false);
  const auto config = o.work / "ferry-bench.json";
  std::ofstream{config} << bench::bench_config(s).dump(2);
  const auto log = o.work / "ferryd.log";
  say("ferryd --once into a fresh table");
  const server_cpu server;
  // The reference loads before leave tables the ferry steps do not need.
  for (const char* old : {"ferry_bench_load", "ferry_bench_empty"}) {
    mysql::connection conn{database("")};
    conn.execute("DROP DATABASE IF EXISTS " + mysql::quote_identifier(old));
  }
  auto fresh_settle = settle_server(server);
  const auto sim_before = process_cpu_seconds(sim.pid());
  const auto server_before = server.now();
  const auto fresh = bench::run_ferryd(o.ferryd, {"--config", config.string(), "--once", "skusn_inout"}, log,
                                       s.db, "bi_skusn_inout", true);
  const auto sim_between = process_cpu_seconds(sim.pid());
  auto fresh_json = with_sim_cpu(measure_json(fresh, o.records, fresh_ceiling), sim_between - sim_before, fresh.seconds);
  server.add(fresh_json, server_before, fresh.seconds, o.records);
  add_total_cpu(fresh_json, fresh.cpu_seconds + (sim_between - sim_before), o.records);
  fresh_json["server_settle"] = std::move(fresh_settle);
  auto resync_settle = settle_server(server);
  const auto sim_between_settled = process_cpu_seconds(sim.pid());
  const auto server_between = server.now();
  say("ferryd --once again over the same range (every row unchanged)");
  const auto again = bench::run_ferryd(o.ferryd, {"--config", config.string(), "--once", "skusn_inout", "--from",
                                                  "2026-01-01 00:00:00", "--to", "2026-01-31 00:00:00"},
                                       log, s.db, "bi_skusn_inout", false);
  const auto sim_after = process_cpu_seconds(sim.pid());
  auto resync_json =
      with_sim_cpu(measure_json(again, o.records, resync_ceiling), sim_after - sim_between_settled, again.seconds);
  server.add(resync_json, server_between, again.seconds, o.records);
  add_total_cpu(resync_json, again.cpu_seconds + (sim_after - sim_between_settled), o.records);
  resync_json["server_settle"] = std::move(resync_settle);
  return {{"settings", {{"pool_size", s.pool_size}, {"max_in_flight", s.max_in_flight},
                        {"batch_rows", s.batch_rows}, {"write_mode", s.write_mode}}},
          {"fresh", fresh_json},
          {"resync", resync_json}};
}

ordered_json limited_run(const options& o) {
  std::uint16_t port = 0;
  auto sim = start_sim(o, o.limit_records, true, port);
  auto s = o.ferry;
  s.sim_port = port;
  s.real_limits = true;
  s.db = fresh_database("ferry_bench_limits", false);
  const auto config = o.work / "ferry-bench-limits.json";
  std::ofstream{config} << bench::bench_config(s).dump(2);
  say("ferryd --once under the real limits (5/s, 100/min): takes minutes");
  const auto m = bench::run_ferryd(o.ferryd, {"--config", config.string(), "--once", "skusn_inout"},
                                   o.work / "ferryd-limits.log", s.db, "bi_skusn_inout", true);
  ferry::test_support::http_client client{"127.0.0.1", port};
  const auto stats = nlohmann::json::parse(client.get("/__sim/stats").response.body);
  const auto& flow = stats.at("endpoints").at(flow_api);
  const double calls = flow.at("served").get<double>();
  // The shortest time from the first call to the last that the limits allow
  // for `calls` calls: 100 in any 60 s, 5 in any second (bursts of 5 at
  // whole seconds); a client that uses every allowed call takes about that long.
  const auto full_minutes = std::floor((calls - 1) / 100.0);
  const double bound = 60.0 * full_minutes + std::floor((calls - 100.0 * full_minutes - 1) / 5.0);
  return {{"records", o.limit_records},
          {"seconds", m.seconds},
          {"calls_served", calls},
          {"calls_per_second", calls / m.seconds},
          {"allowed_calls_per_second_long_run", 100.0 / 60.0},
          {"limit_bound_seconds", bound},
          {"share_of_allowed_calls_used", bound / m.seconds},
          {"refused_199_200", flow.at("refused_limit")},
          {"exit_code", m.exit_code},
          {"fetched", m.fetched},
          {"peak_rss_mib", m.peak_rss_mib}};
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  fs::create_directories(o.work);
  ordered_json result = {{"records", o.records}};
  // Figures taken while other work loads the machine say little: note the
  // load before and after, and warn.
  const auto load_before = load_average();
  result["machine"] = {{"cpu_model", cpu_model()},
                       {"cpus", std::thread::hardware_concurrency()},
                       {"load_average_before", load_before}};
  if (load_before[0] >= 1.0)
    say("warning: the machine is busy (load average " + std::to_string(load_before[0]) +
        " over the last minute); these figures are not quiet-machine figures");
  try {
    double bulk_fresh = 0, bulk_resync = 0;
    if (!o.skip_ceiling) {
      say("reading the rows jst-sim serves (jst-sim truth)");
      const auto truth = o.work / "truth.ndjson";
      const std::string cmd = o.sim + " truth --endpoint " + flow_api + " --from '2026-01-01 00:00:00' --to "
                              "'2026-01-31 00:00:00' --records " + std::to_string(o.records) + " > " + truth.string();
      if (std::system(cmd.c_str()) != 0) throw std::runtime_error("jst-sim truth failed");
      say("parsing one page of 1000 records: nlohmann DOM, nlohmann SAX tape, simdjson tape");
      result["parsers"] = parser_times(truth);
      const auto rows = bench::read_truth(truth, bench::flow_table());
      const auto tsv = fs::absolute(o.work / "rows.tsv");
      bench::write_tsv(rows, tsv);
      // One connection and two (what 2 cores can use): the ceiling is the faster.
      ordered_json bulk;
      const server_cpu server;
      for (const std::size_t n : {std::size_t{1}, std::size_t{2}}) {
        say("ceiling: bulk array binding upserts of 1000 rows over " + std::to_string(n) +
            " connection(s), fresh table and again");
        const auto db = fresh_database("ferry_bench_ceiling", true);
        // (The server's CPU of a step includes its share of connecting and preparing.)
        const auto measured = [&](bool again) {
          auto settle = settle_server(server);
          const double server0 = server.now(), client0 = own_cpu_seconds();
          const auto c = bench::bulk_upsert_ceiling(db, bench::flow_table(), rows, 1000, n);
          ordered_json step = {{"seconds", c.seconds}, {"rows_per_second", c.rows_per_second}};
          step["server_settle"] = std::move(settle);
          const double client = own_cpu_seconds() - client0;
          step["client_cpu_seconds_per_100k_rows"] = client * 1e5 / static_cast<double>(rows.rows());
          server.add(step, server0, c.seconds, rows.rows());
          add_total_cpu(step, client, rows.rows());
          if (again ? c.counts.unchanged != rows.rows() : c.counts.inserted != rows.rows())
            throw std::runtime_error("the ceiling's counts are off: the table was not fresh");
          return std::pair{step, c.rows_per_second};
        };
        const auto [f, fresh_rps] = measured(false);
        const auto [r, resync_rps] = measured(true);
        bulk_fresh = std::max(bulk_fresh, fresh_rps);
        bulk_resync = std::max(bulk_resync, resync_rps);
        bulk[std::to_string(n) + "_connections"] = {{"fresh", f}, {"resync", r}};
      }
      say("ceiling: LOAD DATA LOCAL INFILE into a fresh table");
      const auto load_db = fresh_database("ferry_bench_load", true);
      const auto load = bench::load_data_ceiling(load_db, bench::flow_table(), tsv, rows.rows());
      // Issue #19's question: is MariaDB's path for empty tables worth a fast
      // path in ferry? Each into a fresh table, one connection, one transaction.
      ordered_json empty;
      for (const auto& [name, insert] : {std::pair{"bulk_upsert", false}, std::pair{"bulk_insert", true}}) {
        say(std::string{"empty-table path: "} + name + " in one transaction, unique and foreign key checks off");
        const auto db = fresh_database("ferry_bench_empty", true);
        const auto r = bench::empty_table_ceiling(db, bench::flow_table(), rows, 1000, insert);
        if (r.counts.inserted != rows.rows()) throw std::runtime_error(std::string{"empty-table "} + name + ": counts are off");
        empty[name] = {{"seconds", r.seconds}, {"rows_per_second", r.rows_per_second}};
      }
      {
        say("empty-table path: LOAD DATA LOCAL INFILE in one transaction, unique and foreign key checks off");
        const auto db = fresh_database("ferry_bench_empty", true);
        const auto r = bench::load_data_ceiling(db, bench::flow_table(), tsv, rows.rows(), true);
        if (r.counts.inserted != rows.rows()) throw std::runtime_error("empty-table load_data: counts are off");
        empty["load_data"] = {{"seconds", r.seconds}, {"rows_per_second", r.rows_per_second}};
      }
      result["rows_served"] = rows.rows();
      result["ceiling"] = {{"bulk_upsert", bulk},
                           {"bulk_upsert_fresh_rows_per_second", bulk_fresh},
                           {"bulk_upsert_resync_rows_per_second", bulk_resync},
                           {"load_data_fresh", {{"seconds", load.seconds}, {"rows_per_second", load.rows_per_second},
                                                {"inserted", load.counts.inserted}}},
                           {"empty_table_path", empty}};
    }
    result["ferry"] = ferry_runs(o, bulk_fresh, bulk_resync);
    if (o.limits) result["limits"] = limited_run(o);
  } catch (const std::exception& e) {
    result["error"] = e.what();
    std::cerr << "ferry-bench: " << e.what() << '\n';
  }
  const auto load_after = load_average();
  result["machine"]["load_average_after"] = load_after;
  result["machine"]["busy"] = load_before[0] >= 1.0;  // the bench itself loads the machine after
  std::ofstream{o.out} << result.dump(2) << '\n';
  std::cout << result.dump(2) << '\n';
  return result.contains("error") ? 1 : 0;
}
