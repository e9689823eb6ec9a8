#include "ferry/ratelimit/window_limiter.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

namespace ferry::ratelimit {

namespace {

void validate(const std::vector<rate>& rates, std::chrono::milliseconds margin) {
  for (std::size_t i = 0; i < rates.size(); ++i) {
    if (rates[i].calls == 0)
      throw std::invalid_argument("rate " + std::to_string(i) + ": calls must be at least 1");
    if (rates[i].per <= std::chrono::milliseconds::zero())
      throw std::invalid_argument("rate " + std::to_string(i) + ": period must be positive");
  }
  if (margin < std::chrono::milliseconds::zero())
    throw std::invalid_argument("rate limit margin must not be negative");
}

// Indexes of the rates a throttle answer names; ties in period all count.
std::vector<std::size_t> affected(const std::vector<rate>& rates, throttle_kind kind) {
  std::vector<std::size_t> out;
  if (rates.empty()) return out;
  const auto by_period = [](const rate& a, const rate& b) { return a.per < b.per; };
  std::chrono::milliseconds target{0};
  if (kind == throttle_kind::per_second)
    target = std::min_element(rates.begin(), rates.end(), by_period)->per;
  else if (kind == throttle_kind::per_minute)
    target = std::max_element(rates.begin(), rates.end(), by_period)->per;
  for (std::size_t i = 0; i < rates.size(); ++i)
    if (kind == throttle_kind::unknown || rates[i].per == target) out.push_back(i);
  return out;
}

}  // namespace

window_limiter::window_limiter(std::vector<rate> rates, std::chrono::milliseconds margin)
    : rates_{std::move(rates)}, margin_{margin} {
  validate(rates_, margin_);
  states_.resize(rates_.size());
  for (std::size_t i = 0; i < rates_.size(); ++i) {
    states_[i].effective = rates_[i].calls;
    // Effective calls never exceed the configured ones, so the largest rate's
    // count of calls is all any rate needs to look back on.
    log_capacity_ = std::max<std::size_t>(log_capacity_, rates_[i].calls);
    longest_ = std::max(longest_, rates_[i].per);
  }
}

std::vector<window_limiter::time_point> window_limiter::count_times(time_point now) const {
  std::vector<time_point> times;
  times.reserve(calls_.size());
  for (const call& c : calls_) times.push_back(c.open ? std::max(c.sent, now) : c.counted);
  std::sort(times.begin(), times.end(), std::greater<>{});
  return times;
}

std::chrono::nanoseconds window_limiter::wait_time(time_point now, bool reserved) const {
  time_point ready = blocked_until_;
  const auto times = count_times(now);
  for (std::size_t i = 0; i < rates_.size(); ++i) {
    const auto& s = states_[i];
    // Slowed down to the reserve or under it, ordinary calls still get half.
    const std::size_t ordinary = s.effective > s.reserved ? s.effective - s.reserved : std::max<std::uint32_t>(1, s.effective / 2);
    const std::size_t allowed = reserved ? s.effective : ordinary;
    if (times.size() < allowed) continue;
    // The window is full until the allowed-th latest call leaves it.
    ready = std::max(ready, times[allowed - 1] + rates_[i].per + margin_);
  }
  return ready > now ? ready - now : std::chrono::nanoseconds::zero();
}

void window_limiter::record(time_point now) { close(open(now), now); }

std::uint64_t window_limiter::open(time_point now) {
  const std::uint64_t id = next_id_++;
  if (log_capacity_ == 0) return id;
  const time_point sent = calls_.empty() ? now : std::max(now, calls_.back().sent);
  calls_.push_back(call{id, sent, sent, true});
  prune(now);
  return id;
}

std::deque<window_limiter::call>::iterator window_limiter::find_open(std::uint64_t id) {
  // Ids grow with the send order, as the log does.
  const auto it = std::lower_bound(calls_.begin(), calls_.end(), id,
                                   [](const call& c, std::uint64_t wanted) { return c.id < wanted; });
  return it != calls_.end() && it->id == id && it->open ? it : calls_.end();
}

void window_limiter::close(std::uint64_t id, time_point now) {
  const auto it = find_open(id);
  if (it == calls_.end()) return;
  it->open = false;
  it->counted = std::max(it->sent, now);
  prune(now);
}

void window_limiter::cancel(std::uint64_t id) {
  if (const auto it = find_open(id); it != calls_.end()) calls_.erase(it);
}

std::size_t window_limiter::open_calls() const {
  return static_cast<std::size_t>(std::count_if(calls_.begin(), calls_.end(), [](const call& c) { return c.open; }));
}

void window_limiter::prune(time_point now) {
  // A closed call older than the longest window (and its margin) counts nowhere.
  std::erase_if(calls_, [&](const call& c) { return !c.open && c.counted + longest_ + margin_ <= now; });
  // Of the closed calls, only the latest `log_capacity_` by count time can
  // decide a wait (no rate allows more); drop the earliest of the rest.
  std::size_t closed = calls_.size() - open_calls();
  while (closed > log_capacity_) {
    auto oldest = calls_.end();
    for (auto it = calls_.begin(); it != calls_.end(); ++it)
      if (!it->open && (oldest == calls_.end() || it->counted < oldest->counted)) oldest = it;
    calls_.erase(oldest);
    --closed;
  }
}

void window_limiter::on_throttle(time_point now, throttle_kind kind) {
  for (const std::size_t i : affected(rates_, kind)) slow_down(i, now);
}

void window_limiter::slow_down(std::size_t index, time_point now) {
  rate_state& s = states_[index];
  // Nothing is sent during a cool-down, so a throttle arriving in one answers
  // a call sent before it: the overload we already reacted to.
  if (now < s.cooldown_until) return;
  s.effective = std::max<std::uint32_t>(1, s.effective / 2);
  s.cooldown_until = now + rates_[index].per;
  s.clean_since = s.cooldown_until;
  blocked_until_ = std::max(blocked_until_, s.cooldown_until);
}

void window_limiter::on_success(time_point now) {
  for (std::size_t i = 0; i < rates_.size(); ++i) {
    rate_state& s = states_[i];
    const std::uint32_t configured = rates_[i].calls;
    if (s.effective >= configured || now < s.clean_since + rates_[i].per) continue;
    const std::uint32_t step = std::max<std::uint32_t>(1, configured / 10);
    s.effective = configured - s.effective <= step ? configured : s.effective + step;
    s.clean_since = now;
  }
}

void window_limiter::set_rates(std::vector<rate> rates) {
  validate(rates, margin_);
  std::vector<rate_state> states(rates.size());
  std::size_t capacity = 0;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    states[i].effective = rates[i].calls;
    for (std::size_t j = 0; j < rates_.size(); ++j)
      if (rates_[j].per == rates[i].per) {
        states[i] = states_[j];
        states[i].effective = std::min(states_[j].effective, rates[i].calls);
        break;
      }
    capacity = std::max<std::size_t>(capacity, rates[i].calls);
  }
  rates_ = std::move(rates);
  states_ = std::move(states);
  log_capacity_ = capacity;
  longest_ = std::chrono::milliseconds{0};
  for (const rate& r : rates_) longest_ = std::max(longest_, r.per);
  if (log_capacity_ == 0) calls_.clear();
  reserve_for(reserve_max_wait_, reserve_every_);
}

void window_limiter::reserve_for(std::chrono::milliseconds max_wait, std::chrono::milliseconds every) {
  reserve_max_wait_ = max_wait;
  reserve_every_ = every;
  for (std::size_t i = 0; i < rates_.size(); ++i) {
    auto& s = states_[i];
    s.reserved = 0;
    if (rates_[i].per <= max_wait || every <= std::chrono::milliseconds::zero()) continue;
    const auto per_period = (rates_[i].per + every - std::chrono::milliseconds{1}) / every + 1;
    s.reserved = static_cast<std::uint32_t>(std::min<long long>(per_period, rates_[i].calls / 2));
  }
}

double window_limiter::factor() const {
  double lowest = 1.0;
  for (std::size_t i = 0; i < rates_.size(); ++i)
    lowest = std::min(lowest, static_cast<double>(states_[i].effective) /
                                  static_cast<double>(rates_[i].calls));
  return lowest;
}

std::uint32_t window_limiter::effective_calls(std::size_t rate_index) const {
  return states_.at(rate_index).effective;
}

}  // namespace ferry::ratelimit
