// ferryd: keeps MySQL tables in step with paged, rate-limited ERP APIs.
// main only reads the command line and wires modules together.
#include "ferry/core/version.hpp"

#include <boost/program_options.hpp>

#include <cstdlib>
#include <iostream>

namespace po = boost::program_options;

namespace {

constexpr int exit_usage = 2;

po::options_description command_line_options() {
  po::options_description options{"Usage: ferryd [options]\n\nOptions"};
  options.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
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
    std::cout << options << "\nDocs: docs/configuration.md, docs/operations.md\n";
    return EXIT_SUCCESS;
  }
  if (args.count("version")) {
    std::cout << "ferryd " << ferry::core::version_long() << '\n';
    return EXIT_SUCCESS;
  }
  std::cerr << "ferryd: nothing to do; see 'ferryd --help'.\n";
  return exit_usage;
}
