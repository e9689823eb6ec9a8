#pragma once
// The one way ferry includes Boost.Asio.
//
// Boost 1.74's Asio uses std::exchange without including <utility>, which
// fails to compile in C++20 mode with g++ 12; including it first fixes that.
// Every ferry file that needs Asio includes this header instead of Boost's.
#include <utility>

#include <boost/asio.hpp>

namespace ferry {
namespace asio = boost::asio;
}  // namespace ferry
