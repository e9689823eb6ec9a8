#pragma once
// What a reload compares: a fingerprint per job ("job:<id>", which includes
// its source's), per source ("source:<name>"), and of the "mysql" and "admin"
// sections, taken from the file's JSON text and the resolved secrets (a
// secret changed in the environment counts as a change).
#include "ferry/config/config.hpp"

#include <map>
#include <string>

namespace ferry::daemon {

std::map<std::string, std::string> config_fingerprints(const std::string& path, const config::config& cfg);

}  // namespace ferry::daemon
