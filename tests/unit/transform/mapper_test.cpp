#include "ferry/transform/mapper.hpp"

#include "cast_support.hpp"

using namespace ferry::transform;
using ferry::json::parse_exact;
using ferry::transform::test::column_type;
using nlohmann::json;

namespace {

column_spec column(std::string name, std::string path, std::string_view type) {
  return {std::move(name), std::move(path), column_type(type), std::nullopt, false};
}

column_spec required(column_spec c) {
  c.required = true;
  return c;
}

column_spec with_default(column_spec c, json value) {
  c.default_value = std::move(value);
  return c;
}

// The values of a row with NULL spelled out, for compact comparisons.
std::vector<std::string> values(const row& r) {
  std::vector<std::string> out;
  for (const auto& v : r.values) out.push_back(v.value_or("NULL"));
  return out;
}

using strings = std::vector<std::string>;

// Maps `record` as a DOM and again from a tape of its text (the road pages
// take) and requires the same rows and the same error from both.
std::optional<record_error> map_both(const mapper& m, const json& record, std::vector<std::vector<row>>& out) {
  auto from_tape = out;
  const auto error = m.map(record, out);
  const auto t = ferry::json::parse_tape(ferry::json::dump_exact(record));
  const auto tape_error = m.map(t, 0, from_tape);
  REQUIRE(error.has_value() == tape_error.has_value());
  if (error) CHECK(error->to_string() == tape_error->to_string());
  REQUIRE(out.size() == from_tape.size());
  for (std::size_t target = 0; target < out.size(); ++target) {
    REQUIRE(out[target].size() == from_tape[target].size());
    for (std::size_t r = 0; r < out[target].size(); ++r) {
      CHECK(values(out[target][r]) == values(from_tape[target][r]));
      CHECK(out[target][r].bytes == from_tape[target][r].bytes);
    }
  }
  return error;
}

target_spec order_items_target() {
  return {"bi_order_items",
          "items",
          {required(column("o_id", "$.o_id", "bigint")), required(column("oi_id", "oi_id", "bigint")),
           column("sku_id", "sku_id", "varchar(64)"), column("qty", "qty", "int"),
           column("price", "price", "decimal(18,4)"), column("shop", "$.shop_name", "varchar(32)")}};
}

const char* const order_text = R"({"o_id": 9001, "so_id": "SO-1", "shop_id": 12, "shop_name": "旗舰店",
  "status": "Sent", "order_date": "2026-01-02 10:11:12", "modified": "2026-01-03 08:00:00",
  "pay_amount": 259.80, "freight": 0, "buyer_message": "请尽快发货 😀 \"急\"",
  "items": [{"oi_id": 1, "sku_id": "A-1", "name": "T恤", "qty": 2, "price": 99.90, "amount": 199.80},
            {"oi_id": 2, "sku_id": "B-2", "name": "袜子", "qty": 1, "price": 30.00, "amount": 30.00},
            {"oi_id": 3, "sku_id": "C-3", "name": "帽子", "qty": 1, "price": 30, "amount": 30}]})";

}  // namespace

TEST_CASE("a unique-code flow record becomes one row", "[mapper]") {
  const mapper m{{{"bi_skusn_inout",
                   std::nullopt,
                   {required(column("sku_sn", "sku_sn", "varchar(64)")), required(column("io_id", "io_id", "bigint")),
                    column("o_id", "o_id", "bigint"), column("inout_type", "inout_type", "tinyint"),
                    column("cost_price", "cost_price", "decimal(18,4)"), column("remark", "remark", "varchar(255)"),
                    column("create_time", "create_time", "datetime"), column("supplier_name", "supplier_name", "varchar(64)"),
                    column("modified_time", "modified_time", "datetime")}}}};
  const auto record = parse_exact(R"({"io_id": 1234567, "o_id": 0, "inout_type": 3, "sku_id": "A-1",
    "sku_sn": "SN0000001", "cost_price": 12.5, "cost_amount": 12.50, "remark": "销售出仓 \\ 'x'",
    "create_time": "2026-01-02 03:04:05", "modified_time": "", "supplier_id": 5, "supplier_name": "杭州供应商"})");
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, record, out));
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].size() == 1);
  CHECK(values(out[0][0]) == strings{"SN0000001", "1234567", "0", "3", "12.5000", "销售出仓 \\ 'x'",
                                     "2026-01-02 03:04:05", "杭州供应商", "NULL"});
  CHECK(out[0][0].bytes == 9 + 7 + 1 + 1 + 7 + std::string{"销售出仓 \\ 'x'"}.size() + 19 + 15);
}

TEST_CASE("an order with 3 items explodes into 3 rows with the parent's o_id", "[mapper][explode]") {
  const mapper m{{{"bi_orders",
                   std::nullopt,
                   {required(column("o_id", "o_id", "bigint")), column("pay_amount", "pay_amount", "decimal(18,2)"),
                    column("buyer_message", "buyer_message", "varchar(255)"), column("items", "items", "json")}},
                  order_items_target()}};
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, parse_exact(order_text), out));
  REQUIRE(out.size() == 2);
  REQUIRE(out[0].size() == 1);
  CHECK(values(out[0][0])[0] == "9001");
  CHECK(values(out[0][0])[1] == "259.80");
  CHECK(values(out[0][0])[2] == "请尽快发货 😀 \"急\"");
  CHECK(values(out[0][0])[3].starts_with(R"([{"amount":199.80,"name":"T恤","oi_id":1,"price":99.90,)"));
  REQUIRE(out[1].size() == 3);
  CHECK(values(out[1][0]) == strings{"9001", "1", "A-1", "2", "99.9000", "旗舰店"});
  CHECK(values(out[1][1]) == strings{"9001", "2", "B-2", "1", "30.0000", "旗舰店"});
  CHECK(values(out[1][2]) == strings{"9001", "3", "C-3", "1", "30.0000", "旗舰店"});
}

TEST_CASE("missing, null or empty arrays explode into no rows", "[mapper][explode]") {
  const mapper m{{order_items_target()}};
  for (const auto* text : {R"({"o_id": 1, "items": []})", R"({"o_id": 1, "items": null})", R"({"o_id": 1})"}) {
    INFO(text);
    std::vector<std::vector<row>> out;
    CHECK_FALSE(map_both(m, parse_exact(text), out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].empty());
  }
}

TEST_CASE("exploding a non-array is a record error", "[mapper][explode]") {
  const mapper m{{order_items_target()}};
  std::vector<std::vector<row>> out;
  const auto error = map_both(m, parse_exact(R"({"o_id": 1, "items": {"oi_id": 1}})"), out);
  REQUIRE(error);
  CHECK(error->table == "bi_order_items");
  CHECK(error->column.empty());
  CHECK(error->path == "items");
  CHECK(error->to_string() == "bi_order_items (items): an object cannot be exploded; explode needs an array");
  CHECK(out.at(0).empty());
}

TEST_CASE("exploded arrays of plain values use @", "[mapper][explode]") {
  const mapper m{{{"bi_tags", "data.tags", {column("id", "$.id", "int"), column("tag", "@", "varchar(8)")}}}};
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, parse_exact(R"({"id": 5, "data": {"tags": ["红", "blue"]}})"), out));
  REQUIRE(out[0].size() == 2);
  CHECK(values(out[0][1]) == strings{"5", "blue"});
  const auto error = map_both(m, parse_exact(R"({"id": 5, "data": {"tags": ["ok", "much too long"]}})"), out);
  REQUIRE(error);
  CHECK(error->path == "data.tags[1]");
  CHECK(out[0].size() == 2);
}

TEST_CASE("a failing record appends nothing to any target", "[mapper][errors]") {
  const mapper m{{{"bi_orders", std::nullopt, {column("o_id", "o_id", "bigint")}}, order_items_target()}};
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, parse_exact(order_text), out));
  REQUIRE(out[0].size() == 1);
  REQUIRE(out[1].size() == 3);
  // The third item's qty is bad: the order row and the first two item rows must not stay.
  auto bad = parse_exact(order_text);
  bad["o_id"] = 9002;
  bad["items"][2]["qty"] = "two";
  const auto error = map_both(m, bad, out);
  REQUIRE(error);
  CHECK(error->table == "bi_order_items");
  CHECK(error->column == "qty");
  CHECK(error->path == "items[2].qty");
  CHECK(error->reason == R"("two" is not an integer)");
  CHECK(error->to_string() == R"(bi_order_items.qty (items[2].qty): "two" is not an integer)");
  CHECK(out[0].size() == 1);
  CHECK(out[1].size() == 3);
  CHECK(values(out[0][0])[0] == "9001");
}

TEST_CASE("an error in the first target stops before later ones", "[mapper][errors]") {
  const mapper m{{{"bi_orders", std::nullopt, {column("pay_amount", "pay_amount", "decimal(10,0)")}},
                  order_items_target()}};
  std::vector<std::vector<row>> out;
  const auto error = map_both(m, parse_exact(order_text), out);
  REQUIRE(error);
  CHECK(error->to_string() == "bi_orders.pay_amount (pay_amount): 259.80 has 1 decimal place; decimal(10,0) allows 0");
  CHECK(out.at(0).empty());
  CHECK(out.at(1).empty());
}

TEST_CASE("null, missing and required columns", "[mapper][nulls]") {
  const mapper m{{{"t",
                   std::nullopt,
                   {column("a", "a", "int"), column("b", "x.y.z", "varchar(5)"), required(column("c", "c", "int"))}}}};
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, parse_exact(R"({"a": null, "c": 1})"), out));
  CHECK(values(out[0][0]) == strings{"NULL", "NULL", "1"});
  CHECK(out[0][0].bytes == 1);

  auto error = map_both(m, parse_exact(R"({"a": 1})"), out);
  REQUIRE(error);
  CHECK(error->to_string() == "t.c (c): required but missing");
  error = map_both(m, parse_exact(R"({"c": null})"), out);
  REQUIRE(error);
  CHECK(error->reason == "required but null");
  error = map_both(m, parse_exact(R"({"c": ""})"), out);
  REQUIRE(error);
  CHECK(error->reason == R"(required but "" (empty))");
  CHECK(out[0].size() == 1);
}

TEST_CASE("defaults stand in for missing, null and empty values", "[mapper][defaults]") {
  const mapper m{{{"t",
                   std::nullopt,
                   {with_default(column("status", "status", "varchar(10)"), "新建"),
                    with_default(required(column("qty", "qty", "int")), 0),
                    with_default(column("price", "price", "decimal(10,2)"), parse_exact("1.5")),
                    with_default(column("at", "at", "datetime"), "2026-01-01")}}}};
  std::vector<std::vector<row>> out;
  REQUIRE_FALSE(map_both(m, parse_exact(R"({"qty": null, "price": "", "at": ""})"), out));
  CHECK(values(out[0][0]) == strings{"新建", "0", "1.50", "2026-01-01 00:00:00"});
  REQUIRE_FALSE(map_both(m, parse_exact(R"({"status": "", "qty": 7, "price": 2, "at": "2026-05-06 07:08:09"})"), out));
  CHECK(values(out[0][1]) == strings{"", "7", "2.00", "2026-05-06 07:08:09"});
}

TEST_CASE("bad paths and defaults are refused when the mapper is built", "[mapper][config]") {
  const auto refused = [](target_spec target) {
    try {
      mapper m{{std::move(target)}};
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{"accepted"};
  };
  CHECK(refused({"t", std::nullopt, {column("a", "a..b", "int")}}) == "t.a: empty key in path 'a..b'");
  CHECK(refused({"t", "items[", {column("a", "a", "int")}}) == "t.explode: unclosed '[' in path 'items['");
  CHECK(refused({"t", std::nullopt, {with_default(column("a", "a", "tinyint"), 300)}}) ==
        "t.a: default 300 is outside tinyint (-128..127)");
  CHECK(refused({"t", std::nullopt, {with_default(column("a", "a", "int"), nullptr)}}) == "accepted");
}

TEST_CASE("out grows to the number of targets and rows are appended", "[mapper]") {
  const mapper m{{{"a", std::nullopt, {column("x", "x", "int")}}, {"b", std::nullopt, {column("y", "y", "int")}}}};
  CHECK(m.targets().size() == 2);
  CHECK(m.targets()[1].table == "b");
  std::vector<std::vector<row>> out(1);
  out[0].push_back(row{{std::string{"earlier"}}, 7});
  REQUIRE_FALSE(map_both(m, parse_exact(R"({"x": 1, "y": 2})"), out));
  REQUIRE(out.size() == 2);
  CHECK(out[0].size() == 2);
  CHECK(values(out[0][0]) == strings{"earlier"});
  CHECK(values(out[0][1]) == strings{"1"});
  CHECK(values(out[1][0]) == strings{"2"});
}

TEST_CASE("a copied mapper maps the same", "[mapper]") {
  const mapper original{{order_items_target()}};
  const mapper copy = original;
  std::vector<std::vector<row>> a, b;
  REQUIRE_FALSE(map_both(original, parse_exact(order_text), a));
  REQUIRE_FALSE(map_both(copy, parse_exact(order_text), b));
  REQUIRE(a[0].size() == b[0].size());
  for (std::size_t i = 0; i < a[0].size(); ++i) CHECK(values(a[0][i]) == values(b[0][i]));
}

// A page's record is read once for all columns (each column's first key
// found in one pass over its members); these records check that the pass
// finds what a lookup per column finds.
TEST_CASE("columns found in one pass over a record read what a lookup per column reads", "[mapper]") {
  std::vector<column_spec> columns{column("a", "a", "bigint"), column("a2", "a", "varchar(8)"),
                                   column("b1", "b.x", "bigint"), column("b2", "b.y", "bigint"),
                                   column("i0", "items[0].q", "bigint"), column("i1", "items[1]", "bigint"),
                                   column("whole", "$.a", "bigint")};
  // Enough keys that the table grows and names that share length, first, middle and last byte.
  for (const auto* name : {"k_a_1", "k_b_1", "k_c_1", "k_a_2", "k_b_2", "kxa_1", "kya_1", "kza_1", "k1", "k2"})
    columns.push_back(column(std::string{"c_"} + name, name, "varchar(8)"));
  const mapper m{{{"t", std::nullopt, columns}}};
  const auto check = [&](const char* text, const strings& expected) {
    INFO(text);
    std::vector<std::vector<row>> dom, from_tape;
    REQUIRE_FALSE(m.map(parse_exact(text), dom));
    const auto t = ferry::json::parse_tape(text);
    REQUIRE_FALSE(m.map(t, 0, from_tape));
    CHECK(values(from_tape[0].at(0)) == values(dom[0].at(0)));
    CHECK(values(from_tape[0].at(0)) == expected);
  };
  // A key written twice counts by its last copy, as parse_exact keeps it.
  check(R"({"a": 1, "b": {"x": 2, "y": 3}, "a": 4, "items": [{"q": 5}, 6], "k_a_1": "1", "k_b_2": "2",
           "kza_1": "3", "k2": "4", "zzz": "x", "k_c_1": "5"})",
        {"4", "4", "2", "3", "5", "6", "4", "1", "NULL", "5", "NULL", "2", "NULL", "NULL", "3", "NULL", "4"});
  // A leading key whose value is not an object or array finds nothing below it.
  check(R"({"b": 7, "items": "no", "k1": "x", "k_b_1": "y", "kya_1": "z"})",
        {"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "y", "NULL", "NULL", "NULL", "NULL", "z",
         "NULL", "x", "NULL"});
  // A later copy of an object replaces the earlier one whole.
  check(R"({"b": {"x": 1, "y": 2}, "b": {"x": 9}})",
        {"NULL", "NULL", "9", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
         "NULL", "NULL", "NULL"});
}

// The runner gives a record's rows back (mapper::recycle) before it maps the
// next, and the next rows overwrite the kept values in place: each must hold
// its own record's values only, whatever the row before held (a long
// string, NULL, a value now missing), after records refused mid-row, and
// with another target of another width taking rows from the same spares.
TEST_CASE("rows recycled from one record to the next hold only the next record's values", "[mapper]") {
  const mapper wide{{{"w",
                      std::nullopt,
                      {column("s", "s", "varchar(64)"), column("t", "t", "datetime"),
                       with_default(column("d", "d", "decimal(10,2)"), parse_exact("1.5")), column("i", "i", "bigint"),
                       required(column("k", "k", "varchar(8)"))}}}};
  const mapper narrow{{{"n", std::nullopt, {column("s", "s", "text"), column("i", "i", "int")}}}};
  struct step {
    const char* record;
    strings wide_row;  // empty: refused, with this reason
    std::string wide_error;
    strings narrow_row;
  };
  const std::vector<step> steps{
      {R"({"s": "a string long enough to live on the heap", "t": "2026-01-02 03:04:05", "d": "12.3", "i": "42", "k": "k1"})",
       {"a string long enough to live on the heap", "2026-01-02 03:04:05", "12.30", "42", "k1"}, "",
       {"a string long enough to live on the heap", "42"}},
      {R"({"s": null, "t": "", "d": null, "k": "k2"})", {"NULL", "NULL", "1.50", "NULL", "k2"}, "", {"NULL", "NULL"}},
      {R"({"s": "", "t": "2026-01-02T03:04:05", "d": 7, "i": -5, "k": "k3"})",
       {"", "2026-01-02 03:04:05", "7.00", "-5", "k3"}, "", {"", "-5"}},
      {R"({"s": "x", "t": "2026-02-30 00:00:00", "k": "k4"})", {},
       R"(w.t (t): "2026-02-30 00:00:00" is not a valid datetime (yyyy-MM-dd HH:mm:ss))", {"x", "NULL"}},
      {R"({"s": "short", "t": "2026-03-04 05:06:07", "d": "2", "k": null})", {}, "w.k (k): required but null",
       {"short", "NULL"}},
      {R"({"s": "after the refusals", "t": "2026-12-31 23:59:59", "d": "0.5", "i": 0, "k": "k5"})",
       {"after the refusals", "2026-12-31 23:59:59", "0.50", "0", "k5"}, "", {"after the refusals", "0"}},
  };
  for (const bool from_tape : {false, true}) {
    INFO((from_tape ? "from a tape" : "from a DOM"));
    std::vector<std::vector<row>> wide_out, narrow_out;
    for (int round = 0; round < 3; ++round) {
      for (const auto& s : steps) {
        INFO(s.record);
        const auto t = ferry::json::parse_tape(s.record);
        const auto map = [&](const mapper& m, std::vector<std::vector<row>>& out) {
          for (auto& rows : out) mapper::recycle(rows);
          return from_tape ? m.map(t, 0, out) : m.map(parse_exact(s.record), out);
        };
        const auto wide_error = map(wide, wide_out);
        CHECK((wide_error ? wide_error->to_string() : std::string{}) == s.wide_error);
        REQUIRE(wide_out.size() == 1);
        if (s.wide_row.empty()) {
          CHECK(wide_out[0].empty());
        } else {
          REQUIRE(wide_out[0].size() == 1);
          CHECK(values(wide_out[0][0]) == s.wide_row);
        }
        REQUIRE_FALSE(map(narrow, narrow_out));
        REQUIRE(narrow_out[0].size() == 1);
        CHECK(values(narrow_out[0][0]) == s.narrow_row);
      }
    }
  }
}
