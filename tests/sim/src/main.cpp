// jst-sim: wires the command line, the engine and the HTTP server.
#include "ferry/core/asio.hpp"
#include "ferry/sim/engine.hpp"
#include "ferry/sim/options.hpp"
#include "ferry/sim/server.hpp"
#include "ferry/sim/text.hpp"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

using namespace ferry;

sim::sys_seconds wall_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

int print_truth(const sim::command_line& cl) {
  const sim::data_store store(cl.options.data);
  sim::truth_cursor cursor;
  cursor.endpoint = cl.truth.endpoint;
  cursor.window = cl.truth.window;
  std::string chunk;
  while (!cursor.done) {
    chunk.clear();
    store.read_truth(cursor, wall_now(), chunk, 1 << 20);
    if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) != chunk.size()) return 1;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int serve(const sim::command_line& cl) {
  const auto& o = cl.options;
  asio::io_context context;
  sim::engine engine(o);
  sim::server server(context, engine, o.host, o.port);
  server.start();
  spdlog::info("jst-sim: seed={} records={} orders={} data={}..{} limits={}/s {}/min catalogue={} endpoints of {} rows",
               o.data.seed, o.data.records, o.data.orders, sim::beijing_datetime(o.data.from),
               sim::beijing_datetime(o.data.to), o.limit_per_second, o.limit_per_minute, engine.catalogue_size(),
               o.catalogue_rows);
  std::cout << "jst-sim listening on " << o.host << ':' << server.port() << std::endl;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("jst-sim: signal {}, stopping", signal);
    server.stop();
    context.stop();
  });
  context.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("jst-sim"));
  spdlog::cfg::load_env_levels();
  try {
    const auto cl = sim::parse_command_line(argc, argv, wall_now());
    switch (cl.mode) {
      case sim::run_mode::help: std::cout << cl.help; return 0;
      case sim::run_mode::truth: return print_truth(cl);
      case sim::run_mode::serve: return serve(cl);
    }
  } catch (const sim::usage_error& e) {
    std::cerr << "jst-sim: " << e.what() << "\n(see jst-sim --help)\n";
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("jst-sim: {}", e.what());
    return 1;
  }
  return 0;
}
