// /open/shops/query rows: the orders' six shops, then made-up ones, all
// derived from their index (no randomness: a master list changes only when a
// test removes a shop through /__sim/shops).
#include "ferry/sim/dataset.hpp"
#include "ferry/sim/text.hpp"

#include "vocabulary.hpp"

#include <array>
#include <string_view>

namespace ferry::sim {
namespace {

constexpr std::int64_t company = 10174;  // co_id of the simulated account
constexpr std::array<std::string_view, 6> sites{"淘宝天猫", "京东", "抖音", "拼多多", "微信", "线下"};
constexpr std::array<std::string_view, 3> groups{"天猫京东", "社交电商", "线下门店"};

void append_member(std::string& out, std::string_view name, std::string_view value) {
  out.append(",\"").append(name).append("\":");
  append_json_string(out, value);
}

}  // namespace

std::string render_shop(const shop_row& s) {
  std::string out = "{\"shop_id\":" + std::to_string(s.shop_id);
  append_member(out, "shop_name", s.shop_name);
  out.append(",\"co_id\":").append(std::to_string(s.co_id));
  append_member(out, "shop_site", s.shop_site);
  append_member(out, "shop_url", s.shop_url);
  append_member(out, "created", beijing_datetime(s.created));
  append_member(out, "nick", s.nick);
  append_member(out, "session_expired", beijing_datetime(s.session_expired));
  append_member(out, "session_uid", s.session_uid);
  append_member(out, "short_name", s.short_name);
  out.append(",\"group_id\":").append(std::to_string(s.group_id));
  append_member(out, "group_name", s.group_name);
  out.push_back('}');
  return out;
}

std::vector<shop_row> generate_shops(const data_options& options) {
  std::vector<shop_row> shops;
  for (std::int64_t i = 0; i < options.shops; ++i) {
    const auto index = static_cast<std::size_t>(i);
    shop_row s;
    if (index < detail::shops.size()) {
      s.shop_id = detail::shops[index].id;
      s.shop_name = std::string{detail::shops[index].name};
    } else {
      s.shop_id = 10020000 + i;
      s.shop_name = "分销店铺" + std::to_string(i);
    }
    s.co_id = company;
    s.shop_site = std::string{sites[index % sites.size()]};
    s.shop_url = "https://shop" + std::to_string(s.shop_id) + ".example.com";
    s.created = options.from - std::chrono::days{400 - i % 365};
    s.nick = "ferry-demo";
    s.session_expired = s.created + std::chrono::days{365 * 2};
    s.session_uid = std::to_string(880000000 + i * 7);
    s.short_name = "店" + std::to_string(s.shop_id % 1000);
    s.group_id = static_cast<std::int64_t>(index % groups.size()) + 1;
    s.group_name = std::string{groups[index % groups.size()]};
    s.json = render_shop(s);
    shops.push_back(std::move(s));
  }
  return shops;
}

}  // namespace ferry::sim
