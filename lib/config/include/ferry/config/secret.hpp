#pragma once
// The config's credentials are core::secret (ferry/core/secret.hpp): read
// from the environment or a file, and kept as secrets through the engine
// into the client, the pool and the admin server, revealed only by the call
// that needs the text.
#include "ferry/core/secret.hpp"

namespace ferry::config {

using secret = core::secret;

}  // namespace ferry::config
