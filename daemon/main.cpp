// ferryd: keeps MySQL tables in step with paged, rate-limited ERP APIs.
// main only reads the command line and wires modules together.
#include "engine.hpp"
#include "service.hpp"
#include "logging.hpp"

#include "ferry/config/load.hpp"
#include "ferry/core/time.hpp"
#include "ferry/core/version.hpp"
#include "ferry/mysql/connection.hpp"
#include "ferry/state/store.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <malloc.h>

#include <cstdlib>
#include <iostream>

namespace po = boost::program_options;

namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_incomplete = 3;
constexpr int exit_busy = 4;

// MySQL refusing what the config says (the account, its password, the
// database): a bad config, which no restart mends (the unit's
// RestartPreventExitStatus=2). A server that is down or unreachable is not.
bool refused_by_config(unsigned code) {
  return code == 1044     // ER_DBACCESS_DENIED_ERROR: the user may not use the database
         || code == 1045  // ER_ACCESS_DENIED_ERROR: wrong user or password
         || code == 1049  // ER_BAD_DB_ERROR: no such database
         || code == 1698;  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
}

po::options_description command_line_options() {
  po::options_description options{"Usage: ferryd --config FILE                 run every job on its schedule\n"
                                  "       ferryd --config FILE --once JOB [--from T --to T]\n"
                                  "       ferryd --check-config FILE\n"
                                  "       ferryd --config FILE --print-job JOB\n\nOptions"};
  options.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("config,c", po::value<std::string>()->value_name("FILE"),
       "the JSON config file; without --once, run as a daemon until SIGTERM")
      ("check-config", po::value<std::string>()->value_name("FILE"),
       "validate a config file, print every error with its JSON path; exit 2 if any")
      ("once", po::value<std::string>()->value_name("JOB"),
       "run one job to its current end (or over --from/--to), print a summary and exit")
      ("from", po::value<std::string>()->value_name("TIME"),
       "with --once: start of a range (\"yyyy-MM-dd HH:mm:ss\" Beijing time, or RFC 3339 with an offset); "
       "the watermark stays")
      ("to", po::value<std::string>()->value_name("TIME"), "with --once: end of that range")
      ("catch-up", "with --once: run the job's catch-up (QEasy's omissionRemedy) now, over its range")
      ("print-job", po::value<std::string>()->value_name("JOB"),
       "print the job as ferry's own config spells it (a QEasy pair as the job it became) and exit");
  return options;
}

std::string rate(double rows, double seconds) {
  return seconds > 0 ? fmt::format("{:.0f}", rows / seconds) : std::string{"-"};
}

void print_summary(const std::string& job, const ferry::sync::run_result& r) {
  using ferry::core::format_shanghai_datetime;
  if (r.nothing_to_do) {
    std::cout << "job " << job << ": nothing to do yet (the watermark is within lag of now)\n";
    return;
  }
  const auto& s = r.summary;
  std::cout << fmt::format(
      "job {} run {}: {} .. {}\n"
      "  windows {} (incomplete {}), pages {}, records fetched {}\n"
      "  rows inserted {}, updated {}, unchanged {}, dead letters {}\n"
      "  retries {}, throttles {}, {:.1f} s, {} records/s\n",
      job, r.run_id, format_shanghai_datetime(r.covered->start), format_shanghai_datetime(r.covered->end),
      s.windows, s.incomplete_windows, s.pages, s.fetched, s.inserted, s.updated, s.unchanged, s.dead_letters,
      s.retries, s.throttles, r.seconds, rate(static_cast<double>(s.fetched), r.seconds));
  if (s.deleted > 0) std::cout << "  rows deleted " << s.deleted << " (no longer listed upstream)\n";
  if (s.marked > 0) std::cout << "  rows marked " << s.marked << " (no longer listed upstream)\n";
  if (s.verified_windows > 0)
    std::cout << fmt::format("  verified windows {}, rows only the verification found {}\n", s.verified_windows,
                             s.verify_found);
  if (s.skipped > 0) std::cout << fmt::format("  skipped {} records (the job's filter kept them out)\n", s.skipped);
  if (!s.error.empty()) std::cout << "  error: " << s.error << '\n';
}

std::optional<ferry::sync::range> explicit_range(const po::variables_map& args) {
  if (!args.count("from") && !args.count("to")) return std::nullopt;
  if (!args.count("from") || !args.count("to")) throw std::invalid_argument("--from and --to go together");
  std::string error;
  auto r = ferry::sync::parse_range(args["from"].as<std::string>(), args["to"].as<std::string>(), {"--from", "--to"},
                                    error);
  if (!r) throw std::invalid_argument(error);
  return r;
}

std::optional<ferry::config::config> load_or_report(const std::string& config_file) {
  auto loaded = ferry::config::load_config_file(config_file);
  if (!loaded.value) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << '\n';
    std::cerr << "ferryd: " << loaded.errors.size() << " errors in " << config_file << '\n';
  }
  return std::move(loaded.value);
}

// The long-running daemon: schedules every job, serves the admin API, stops on SIGTERM.
int run_service(const std::string& config_file) {
  auto cfg = load_or_report(config_file);
  if (!cfg) return exit_usage;
  ferry::daemon::setup_logging(cfg->log, ferry::daemon::log_stream::out);
  ferry::asio::io_context io;
  ferry::daemon::service service{io, std::move(*cfg), config_file};
  return service.run();
}

int run_once(const std::string& config_file, const std::string& job_id, const po::variables_map& args) {
  const auto loaded = load_or_report(config_file);
  if (!loaded) return exit_usage;
  const auto& cfg = *loaded;
  if (cfg.find_job(job_id) == nullptr) {
    std::cerr << "ferryd: no job \"" << job_id << "\" in " << config_file << '\n';
    return exit_usage;
  }
  ferry::sync::run_request request;
  request.kind = ferry::state::run_kind::once;
  try {
    request.explicit_range = explicit_range(args);
    if (args.count("catch-up")) {
      const auto& job = *cfg.find_job(job_id);
      if (!job.catch_up) throw std::invalid_argument("job " + job_id + " has no catch-up (catch_up, or omissionRemedy in its QEasy pair)");
      if (request.explicit_range) throw std::invalid_argument("--catch-up has its own range; leave out --from and --to");
      request.kind = ferry::state::run_kind::catch_up;
      request.explicit_range = ferry::sync::catch_up_range(job, ferry::sync::system_now());
      if (!request.explicit_range) throw std::invalid_argument("job " + job_id + ": the catch-up's range lies outside the job's window");
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "ferryd: " << e.what() << '\n';
    return exit_usage;
  }
  ferry::daemon::setup_logging(cfg.log, ferry::daemon::log_stream::err);

  ferry::asio::io_context io;
  ferry::daemon::engine engine{io, std::make_shared<const ferry::config::config>(cfg)};
  engine.ends_with_its_run();
  engine.start();
  // Another ferryd running this job (the service, or a second --once) holds
  // its lock; one that has just been killed lets go within moments.
  request.lock_wait = std::chrono::seconds{10};
  std::optional<ferry::sync::run_result> result;
  std::exception_ptr failure;
  ferry::asio::co_spawn(io, engine.run_once(job_id, request), [&](std::exception_ptr e, ferry::sync::run_result r) {
    failure = e;
    if (!e) result = std::move(r);
    engine.stop_keeping_tokens();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  if (result->held_elsewhere) {
    std::cerr << "ferryd: job " << job_id << " not run: " << *result->held_elsewhere
              << ". Ask that ferryd for a run instead (POST /api/v1/jobs/" << job_id
              << "/runs, or /backfills for a range), or wait for it to end.\n";
    return exit_busy;
  }
  print_summary(job_id, *result);
  if (!result->summary.error.empty()) {
    std::cerr << "ferryd: job " << job_id << " failed: " << result->summary.error << '\n';
    return exit_failed;
  }
  if (result->summary.incomplete_windows > 0) {
    std::cerr << "ferryd: job " << job_id << ": " << result->summary.incomplete_windows
              << " incomplete windows (see ferry_windows where state = 'incomplete')\n";
    return exit_incomplete;
  }
  return EXIT_SUCCESS;
}

}  // namespace

int print_job(const std::string& config_file, const std::string& job_id) {
  const auto loaded = load_or_report(config_file);
  if (!loaded) return exit_usage;
  const auto* job = loaded->find_job(job_id);
  if (job == nullptr) {
    std::cerr << "ferryd: no job \"" << job_id << "\" in " << config_file << '\n';
    return exit_usage;
  }
  std::cout << ferry::config::to_json(*job).dump(2) << '\n';
  return EXIT_SUCCESS;
}

// Every page brings buffers of a few hundred KiB (its body, its tape). By
// default glibc serves such blocks with mmap, or trims them off the heap's
// top when freed, so each page's memory is fresh and faulted in again, 4 KiB
// at a time: on a virtual machine that cost more than parsing the page.
// Kept on the heap (up to 32 MiB freed at its top), they are reused.
void keep_page_buffers() {
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int main(int argc, char** argv) {
  keep_page_buffers();
  ferry::daemon::mark_cerr_as_errors_for_journal();
  const auto options = command_line_options();
  po::variables_map args;
  try {
    po::store(po::parse_command_line(argc, argv, options), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "ferryd: " << e.what() << "\nTry 'ferryd --help'.\n";
    return exit_usage;
  }
  if (args.count("help")) {
    std::cout << options << "\nExit codes: 0 ok, 1 run failed, 2 bad config or usage (MySQL refusing the config's\n"
              << "            account or database too), 3 incomplete windows,\n"
              << "            4 not run: another ferryd is running the job.\n"
              << "Docs: docs/configuration.md, docs/operations.md\n";
    return EXIT_SUCCESS;
  }
  if (args.count("version")) {
    std::cout << "ferryd " << ferry::core::version_long() << '\n';
    return EXIT_SUCCESS;
  }
  if (args.count("check-config"))
    return ferry::config::check_config_main(args["check-config"].as<std::string>(), std::cout, std::cerr);
  if (!args.count("config")) {
    std::cerr << "ferryd: give --config FILE (and --once JOB for a single run); see 'ferryd --help'.\n";
    return exit_usage;
  }
  for (const auto* alone : {"from", "to", "catch-up"})
    if (args.count(alone) && !args.count("once")) {
      std::cerr << "ferryd: --" << alone << " goes with --once JOB; see 'ferryd --help'.\n";
      return exit_usage;
    }
  if (args.count("print-job") && args.count("once")) {
    std::cerr << "ferryd: --print-job and --once do not go together; see 'ferryd --help'.\n";
    return exit_usage;
  }
  try {
    if (args.count("print-job")) return print_job(args["config"].as<std::string>(), args["print-job"].as<std::string>());
    if (!args.count("once")) return run_service(args["config"].as<std::string>());
    return run_once(args["config"].as<std::string>(), args["once"].as<std::string>(), args);
  } catch (const ferry::mysql::error& e) {
    std::cerr << "ferryd: " << e.what() << '\n';
    if (!refused_by_config(e.code())) return exit_failed;
    std::cerr << "ferryd: MySQL refuses the config's mysql section (user, password, database); fix it, then start "
                 "again (exit 2: a restart alone cannot mend it)\n";
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "ferryd: " << e.what() << '\n';
    return exit_failed;
  }
}
