#include "ferry/ratelimit/clock.hpp"

#include <stdexcept>

namespace ferry::ratelimit {

clock::time_point steady_clock_source::now() const { return std::chrono::steady_clock::now(); }

void manual_clock::advance(std::chrono::nanoseconds step) {
  if (step < std::chrono::nanoseconds::zero())
    throw std::invalid_argument("manual_clock::advance: a steady clock cannot go back");
  now_ += step;
}

void manual_clock::set(time_point t) {
  if (t < now_) throw std::invalid_argument("manual_clock::set: a steady clock cannot go back");
  now_ = t;
}

}  // namespace ferry::ratelimit
