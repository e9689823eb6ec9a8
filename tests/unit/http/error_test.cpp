#include "ferry/http/error.hpp"

#include <catch2/catch.hpp>

#include <set>

using ferry::http::errc;

TEST_CASE("errc values are std::error_code in the ferry.http category") {
  const std::error_code code = errc::request_timeout;  // implicit: is_error_code_enum
  CHECK(code);
  CHECK(code.category().name() == std::string("ferry.http"));
  CHECK(code == errc::request_timeout);
  CHECK(code != errc::connect_timeout);
  CHECK(code.value() == static_cast<int>(errc::request_timeout));
  CHECK(code.message() == "request timed out");
}

TEST_CASE("errc values never compare equal to other categories' codes") {
  const std::error_code code = errc::connect_failed;
  CHECK(code != std::make_error_code(std::errc::connection_refused));
  CHECK(code != std::error_code(static_cast<int>(errc::connect_failed), std::generic_category()));
}

TEST_CASE("every errc has its own message and unknown values say so") {
  std::set<std::string> messages;
  for (int value = static_cast<int>(errc::resolve_failed); value <= static_cast<int>(errc::invalid_request);
       ++value) {
    const std::error_code code(value, ferry::http::http_category());
    INFO(value);
    CHECK(code.message().find("unknown") == std::string::npos);
    messages.insert(code.message());
  }
  CHECK(messages.size() == 10);
  CHECK(std::error_code(99, ferry::http::http_category()).message() == "unknown ferry.http error 99");
}
