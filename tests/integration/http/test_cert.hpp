#pragma once
// Self-signed certificates made at test time with OpenSSL's C API, and a
// temporary file to hand one to the client as its ca_file. Thread-safe.
#include <filesystem>
#include <string>

#include "test_server.hpp"

namespace ferry::http::testing {

// An EC P-256 key and a one-day self-signed certificate whose subject CN is
// `common_name` and whose subjectAltName is `alt_names`
// ("DNS:localhost,IP:127.0.0.1"). Throws std::runtime_error on failure.
tls_identity make_self_signed(const std::string& common_name, const std::string& alt_names);

// A file under the temp directory holding `contents`, removed with the object.
class temp_file {
 public:
  explicit temp_file(const std::string& contents);
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ferry::http::testing
