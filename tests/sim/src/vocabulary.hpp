#pragma once
// Word lists behind jst-sim's generated values: products, colours, sizes,
// suppliers, shops, order statuses and free-text remarks, including the
// awkward ones (quotes, backslashes, emoji, newlines, tabs, control bytes,
// empty text and nulls). Constant data; thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry::sim::detail {

struct product {
  std::string_view code;
  std::string_view name;
  std::int64_t min_cost;  // ten-thousandths
  std::int64_t max_cost;
};

inline constexpr std::array<product, 12> products{{
    {"MW", "棉袜", 15000, 89000},
    {"YDX", "运动鞋", 899000, 5990000},
    {"BWB", "保温杯", 350000, 1990000},
    {"WY", "连帽卫衣", 590000, 2990000},
    {"YRF", "羽绒服", 1990000, 12990000},
    {"NZK", "牛仔裤", 690000, 3590000},
    {"SJB", "双肩包", 790000, 4990000},
    {"FBX", "帆布鞋", 390000, 1590000},
    {"SJ", "真丝围巾", 1290000, 6990000},
    {"MKB", "陶瓷马克杯", 120000, 590000},
    {"EJ", "蓝牙耳机", 1590000, 19990000},
    {"YJD", "瑜伽垫", 290000, 1290000},
}};

inline constexpr std::array<std::string_view, 6> colours{"黑色", "白色", "藏青", "酒红", "浅灰", "米黄"};

struct size_label {
  std::string_view code;
  std::string_view label;
};

inline constexpr std::array<size_label, 6> sizes{{
    {"S", "S码"}, {"M", "M码"}, {"L", "L码"}, {"XL", "XL码"}, {"F", "均码"}, {"42", "42码"}}};

struct supplier {
  std::int64_t id;
  std::optional<std::string_view> name;
};

inline constexpr std::array<supplier, 8> suppliers{{
    {3001, "义乌市恒达袜业有限公司"},
    {3002, "晋江市鸿星鞋业有限公司"},
    {3003, "永康市保温器具厂"},
    {3004, "广州白云区“锦绣”服饰商行"},
    {3005, "杭州丝路贸易有限公司"},
    {3006, "深圳声学电子科技有限公司"},
    {3007, ""},
    {0, std::nullopt},
}};

struct shop {
  std::int64_t id;
  std::string_view name;
};

inline constexpr std::array<shop, 6> shops{{
    {10010001, "天猫旗舰店"},
    {10010002, "京东自营店"},
    {10010003, "抖音小店"},
    {10010004, "拼多多官方店"},
    {10010005, "微信小程序商城"},
    {10010006, "线下门店（杭州）"},
}};

inline constexpr std::array<std::string_view, 10> order_statuses{
    "WaitPay", "WaitConfirm", "WaitFConfirm", "Delivering", "Sent",
    "Question", "Cancelled", "Merged", "Split", "WaitOuterSent"};

// Remarks and buyer messages; nullopt is a JSON null.
inline constexpr std::array<std::optional<std::string_view>, 14> remarks{
    std::nullopt,
    "",
    "正常入库",
    "客户要求\"当天\"发货",
    "路径 D:\\仓库\\A区\\3号架",
    "好评返现 😀",
    "第一行\n第二行",
    "含\t制表符",
    "退货原因：尺码不合适",
    "质检合格 ✅ 无破损",
    "控制字符\x01测试",
    "回车\r\n换行",
    "</script><b>不是标签</b>",
    "",
};

inline constexpr std::array<std::int64_t, 3> warehouses{10001, 10002, 10003};

}  // namespace ferry::sim::detail
