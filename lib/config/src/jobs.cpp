#include "sections.hpp"

#include "ferry/config/endpoints.hpp"
#include "ferry/core/time.hpp"
#include "ferry/templating/suggest.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace ferry::config::detail {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, 21> job_keys{
    "id", "source", "api", "list_key", "page_size", "max_pages", "request", "window", "full_refresh", "cursor",
    "for_each", "schedule", "targets", "dead_letter_max_ratio", "enabled", "verify", "verify_after", "filter", "flatten", "catch_up", "qeasy"};
constexpr std::array<std::string_view, 3> full_refresh_keys{"allow_empty", "min_ratio", "mark"};
constexpr std::array<std::string_view, 4> cursor_keys{"field", "row_field", "start", "count"};
constexpr std::array<std::string_view, 4> for_each_keys{"field", "values", "from", "after"};
constexpr std::array<std::string_view, 2> for_each_from_keys{"table", "column"};
// What a QEasy pair gives, so not to be given beside it.
constexpr std::array<std::string_view, 6> pair_gives{"api", "request", "targets", "page_size", "filter", "flatten"};
constexpr std::array<std::string_view, 3> catch_up_keys{"schedule", "from", "to"};
constexpr std::array<std::string_view, 5> window_keys{"start", "max_span", "lag", "lookback", "end"};
constexpr std::string_view window_example =
    R"(add e.g. {"field":"create_time_start","value":"{{LAST_SYNC_TIME|datetime}}"})";

void read_source_name(const object_reader& r, job_config& job, const load_context& ctx) {
  const auto name = r.string("source", "the name of a source defined under \"sources\", e.g. \"jst\"");
  if (!name) return;
  job.source = *name;
  if (std::find(ctx.source_names.begin(), ctx.source_names.end(), *name) != ctx.source_names.end()) return;
  std::string defined;
  for (const auto& s : ctx.source_names) defined += (defined.empty() ? "" : ", ") + s;
  r.report("source", json_quoted(*name) + " is not a source",
           defined.empty() ? "define it under \"sources\"" : "defined sources: " + defined);
}

void read_api(const object_reader& r, job_config& job) {
  const auto api = r.string("api", "the endpoint's path, e.g. \"/open/orders/single/query\"");
  if (!api) return;
  if (!api->starts_with("/") || api->find_first_of(" \t?#") != std::string::npos)
    r.report("api", json_quoted(*api) + " is not an endpoint path",
             "a path starting with '/', without query, e.g. \"/open/orders/single/query\"");
  else
    job.api = *api;
}

void read_paging(const object_reader& r, job_config& job, bool page_size) {
  if (const auto key = r.string("list_key")) {
    if (key->empty()) r.report("list_key", "empty", "the data member holding the rows, e.g. \"datas\"");
    job.list_key = *key;
  }
  const auto* endpoint = find_endpoint(job.api);
  const int cap = endpoint != nullptr ? endpoint->max_page_size : unknown_endpoint_max_page_size;
  if (const auto size = page_size ? r.integer("page_size", 1, 1000000) : std::nullopt) {
    if (*size > cap)
      r.report("page_size",
               std::to_string(*size) + " is over the cap of " +
                   (endpoint != nullptr ? job.api : std::string{"unknown endpoints"}) + " (" +
                   std::to_string(cap) + ")",
               "the API refuses larger pages; use at most " + std::to_string(cap));
    else
      job.page_size = static_cast<int>(*size);
  }
  // Unsaid, a page is 100 rows, or the endpoint's cap where that is lower (50 on the refund query):
  // a page asked larger than the platform serves would end the paging early.
  if (page_size && r.find("page_size") == nullptr) job.page_size = std::min(job.page_size, cap);
  assign(job.max_pages, r.integer("max_pages", 1, 1000000));
}

// `windowed`: the job reads by time windows, so some field must take the window.
void read_request(const object_reader& r, job_config& job, bool windowed) {
  const json* request = r.find("request");
  if (request == nullptr && !windowed) return;  // a full refresh or a cursor may send paging alone
  if (request == nullptr) {
    r.report("request", "required: no field takes the window", std::string{window_example});
    return;
  }
  const auto where = r.at("request");
  std::vector<templating::template_error> errors;
  auto compiled = templating::request_template::from_json(*request, where.path, errors);
  for (auto& e : errors) {
    location at{std::move(e.path), where.order};
    if (request->is_array() || request->is_object()) at.order.push_back(e.entry);
    r.diag().add(at, std::move(e.message), std::move(e.hint));
  }
  if (!compiled) return;
  if (windowed && !compiled->has_window_fields())
    r.report("request", "no field takes the window", std::string{window_example});
  if (job.cursor && compiled->has_window_fields())
    r.report("request", "a cursor job reads no time window: the cursor alone chooses the rows",
             "remove the fields that take the window (several endpoints want the cursor used alone with paging)");
  job.request = std::move(*compiled);
}

void check_span(const object_reader& w, window_config& window, const std::string& api) {
  const auto* endpoint = find_endpoint(api);
  window.max_span = endpoint != nullptr ? endpoint->default_span() : unknown_endpoint_default_span;
  const auto span = w.duration("max_span", std::chrono::seconds{1});
  if (!span) return;
  // The docs cap windows at "at most N days" and do not say whether a span
  // of exactly N is taken: ferry never sends one.
  if (endpoint != nullptr && *span >= endpoint->max_span) {
    const auto limit = core::format_duration(endpoint->max_span);
    const auto under = core::format_duration(endpoint->default_span());
    w.report("max_span",
             json_quoted(w.find("max_span")->get<std::string>()) + " is not under the " + limit + " cap of " +
                 std::string{endpoint->description} + " (" + api + ")",
             "the API refuses wider windows (code 140) and a span of exactly the cap is not documented to work; "
             "use a span under \"" + limit + "\", such as the default \"" + under + "\"");
    return;
  }
  window.max_span = *span;
}

void read_window(const object_reader& r, job_config& job, const load_context& ctx) {
  if (const auto* endpoint = find_endpoint(job.api); endpoint != nullptr && endpoint->max_span.count() == 0) {
    r.report(r.find("window") != nullptr ? "window" : "api",
             std::string{endpoint->description} + " (" + job.api + ") has no time filter to read windows by",
             R"(read the whole list at every run: "full_refresh": {} in place of "window")");
    return;
  }
  const json* value = r.find("window");
  if (value == nullptr) {
    r.report("window", "required", R"(where the first window starts, e.g. {"start": "2026-01-01 00:00:00"})");
    return;
  }
  const object_reader w{*value, r.at("window"), ctx.diag, window_keys};
  if (!w.is_object()) return;
  assign(job.window.start,
         w.datetime("start", "where the first window starts, e.g. \"2026-01-01 00:00:00\""));
  check_span(w, job.window, job.api);
  assign(job.window.lag, w.duration("lag", milliseconds{0}));
  assign(job.window.lookback, w.duration("lookback", milliseconds{0}));
  job.window.end = w.datetime("end");
  if (job.window.end && w.find("start") != nullptr && *job.window.end <= job.window.start)
    w.report("end", json_quoted(core::format_shanghai_datetime(*job.window.end)) + " is not after start",
             "end must be later than start");
}

full_refresh_config read_full_refresh(const object_reader& r, const load_context& ctx) {
  full_refresh_config f;
  const object_reader o{*r.find("full_refresh"), r.at("full_refresh"), ctx.diag, full_refresh_keys};
  if (!o.is_object()) return f;
  assign(f.allow_empty, o.boolean("allow_empty"));
  assign(f.min_ratio, o.number("min_ratio", 0.0, 1.0));
  if (const auto mark = o.string("mark")) {
    if (!is_sql_identifier(*mark))
      o.report("mark", json_quoted(*mark) + " is not a column name", "letters, digits and '_', e.g. \"removed_at\"");
    else
      f.mark = *mark;
  }
  return f;
}

cursor_config read_cursor(const object_reader& r, const job_config& job, const load_context& ctx) {
  cursor_config c;
  const auto* endpoint = find_endpoint(job.api);
  if (endpoint != nullptr) {
    c.count_field = endpoint->total_field ? "is_get_total" : "";
    c.count = endpoint->answers_count;
    if (endpoint->cursor_field.empty())
      r.report("cursor", std::string{endpoint->description} + " (" + job.api + ") has no row-version cursor",
               endpoint->max_span.count() == 0 ? R"(read the whole list at every run: "full_refresh": {})"
                                               : R"(read it by time windows: "window" in place of "cursor")");
    else if (!endpoint->rows_have_ts)
      r.report("cursor",
               std::string{endpoint->description} + " (" + job.api +
                   ") takes a cursor but its rows carry no version to move it by",
               R"(read it by time windows: "window" in place of "cursor")");
    else
      c.field = std::string{endpoint->cursor_field};
  }
  const object_reader o{*r.find("cursor"), r.at("cursor"), ctx.diag, cursor_keys};
  if (!o.is_object()) return c;
  for (const auto& [key, into] : {std::pair<std::string_view, std::string*>{"field", &c.field},
                                  std::pair<std::string_view, std::string*>{"row_field", &c.row_field}})
    if (const auto v = o.string(key)) {
      if (v->empty()) o.report(key, "empty", "a field name, e.g. \"ts\"");
      else *into = *v;
    }
  if (const auto start = o.integer("start", 0, std::numeric_limits<std::int64_t>::max())) c.start = *start;
  if (const auto count = o.boolean("count")) {
    if (*count && endpoint != nullptr && !endpoint->answers_count)
      o.report("count", std::string{endpoint->description} + " (" + job.api + ") answers no data_count",
               "remove \"count\": each walk is then proved by a second walk");
    else
      c.count = *count;
  }
  return c;
}

std::optional<for_each_config> read_for_each(const object_reader& r, const load_context& ctx) {
  const object_reader o{*r.find("for_each"), r.at("for_each"), ctx.diag, for_each_keys};
  if (!o.is_object()) return std::nullopt;
  for_each_config f;
  if (const auto field = o.string("field", "the request field each value goes into, e.g. \"wms_co_id\"")) {
    if (field->empty()) o.report("field", "empty", "the request field each value goes into, e.g. \"wms_co_id\"");
    f.field = *field;
  }
  const json* values = o.find("values");
  const json* from = o.find("from");
  if ((values == nullptr) == (from == nullptr)) {
    o.report(values != nullptr ? "values" : "field", "give exactly one of \"values\" and \"from\"",
             R"(e.g. "values": [10001, 10002], or "from": {"table": "bi_jst_warehouses", "column": "wms_co_id"})");
    return f;
  }
  if (values != nullptr) {
    if (!values->is_array() || values->empty()) {
      o.report("values", values->is_array() ? "empty" : "expected an array, got " + kind_name(*values),
               "the values, integers or strings, e.g. [10001, 10002]");
      return f;
    }
    for (const auto& v : *values) {
      if (!v.is_number_integer() && !v.is_string()) {
        o.report("values", json_quoted(v.dump()) + " is neither an integer nor a string", "e.g. [10001, 10002]");
        return f;
      }
      // 1 and "1" would share one progress row (job@1).
      const auto plain = [](const json& x) { return x.is_string() ? x.get<std::string>() : x.dump(); };
      if (std::any_of(f.values.begin(), f.values.end(), [&](const json& x) { return plain(x) == plain(v); })) {
        o.report("values", json_quoted(v.dump()) + " is given twice", "each value once (1 and \"1\" are one value)");
        return f;
      }
      f.values.push_back(v);
    }
  } else {
    const object_reader t{*from, o.at("from"), ctx.diag, for_each_from_keys};
    if (!t.is_object()) return f;
    for (const auto& [key, into] : {std::pair<std::string_view, std::string*>{"table", &f.table},
                                    std::pair<std::string_view, std::string*>{"column", &f.column}})
      if (const auto v = t.string(key, "e.g. \"bi_jst_warehouses\" and \"wms_co_id\"")) {
        if (!is_sql_identifier(*v)) t.report(key, json_quoted(*v) + " is not a table or column name", "letters, digits and '_'");
        else *into = *v;
      }
  }
  if (const auto after = o.string("after")) f.after = *after;
  return f;
}

// What a cursor job cannot have: it reads no time windows, and its proof
// counts each row by its key once (a filter or flattening would count
// records another way), so it needs a table that is not exploded.
void check_cursor(const object_reader& r, const job_config& job) {
  for (const auto* key : {"filter", "flatten"})
    if (r.find(key) != nullptr)
      r.report(key, "a cursor job proves each walk by the keys it read, which a filter or flattening hides",
               "remove \"" + std::string{key} + "\", or read the endpoint by windows");
  if (!job.targets.empty() && std::all_of(job.targets.begin(), job.targets.end(),
                                          [](const target_config& t) { return t.explode.has_value(); }))
    r.report("targets", "a cursor job needs one table of the records themselves (not exploded): its key counts the rows",
             "add a target without \"explode\"");
  if (r.find("window") != nullptr)
    r.report("window", "a cursor job reads by row version, not by windows",
             "remove \"window\", or remove \"cursor\" to read by time windows");
  if (r.find("full_refresh") != nullptr)
    r.report("full_refresh", "a job reads by a cursor or by a full refresh, not both", "keep one of them");
  if (r.find("catch_up") != nullptr)
    r.report("catch_up", "a cursor job has no time range to catch up: a walk proved complete misses nothing",
             "remove \"catch_up\"");
}

// What a full refresh cannot have: it reads no time windows, and it deletes
// rows of one plain table.
void check_full_refresh(const object_reader& r, const job_config& job) {
  if (r.find("window") != nullptr)
    r.report("window", "a full-refresh job reads the whole list at every run, not by windows",
             "remove \"window\", or remove \"full_refresh\" to read by time windows");
  if (r.find("catch_up") != nullptr)
    r.report("catch_up", "a full-refresh job has no past to catch up: every run reads the whole list",
             "remove \"catch_up\"");
  if (job.targets.size() != 1)
    r.report("targets", "a full-refresh job writes one table (the rows it no longer lists are deleted from it)",
             "give it one target");
  else if (job.targets.front().explode)
    r.report("targets", "a full-refresh job's table cannot be exploded (its rows are the list's records)",
             "remove \"explode\", or sync the children with a job of their own");
  else if (job.full_refresh && !job.full_refresh->mark.empty() &&
           job.targets.front().find_column(job.full_refresh->mark) != nullptr)
    r.report("full_refresh", "mark column " + json_quoted(job.full_refresh->mark) + " is also a column the list fills",
             "name a column of ferry's own, e.g. \"removed_at\": ferry adds it to the table");
}

std::optional<int> days_ago(const object_reader& r, std::string_view key) {
  const auto text = r.string(key, "e.g. \"{{DAYS_AGO_2|datetime}}\"");
  if (!text) return std::nullopt;
  templating::template_error e;
  const auto days = detail::days_ago(*text, e);
  if (!days) r.report(key, std::move(e.message), std::move(e.hint));
  return days;
}

std::optional<catch_up_config> read_catch_up(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, catch_up_keys};
  if (!r.is_object()) return std::nullopt;
  catch_up_config c;
  if (const auto* schedule = r.find("schedule")) c.schedule = read_schedule(*schedule, r.at("schedule"), ctx);
  else r.report("schedule", "required", R"(when it runs, e.g. {"cron": "2 */2 * * *"})");
  const auto from = days_ago(r, "from");
  const auto to = days_ago(r, "to");
  if (!from || !to) return std::nullopt;
  if (*from <= *to) {
    r.report("to", "the range is empty: DAYS_AGO_" + std::to_string(*from) + " is not before DAYS_AGO_" + std::to_string(*to),
             "\"from\" counts back more days than \"to\"");
    return std::nullopt;
  }
  c.from_days = *from;
  c.to_days = *to;
  return c;
}

job_config read_job(const json& value, const location& where, const load_context& ctx) {
  const object_reader r{value, where, ctx.diag, job_keys};
  job_config job;
  if (!r.is_object()) return job;
  if (const auto id = r.string("id", "a name for the job, e.g. \"skusn_inout\"")) {
    if (!is_name(*id))
      r.report("id", json_quoted(*id) + " is not a valid job id",
               "lowercase letters, digits and '_', at most 64");
    job.id = *id;
  }
  read_source_name(r, job, ctx);
  const bool qeasy = r.find("qeasy") != nullptr;
  if (qeasy) {
    for (const auto key : pair_gives)
      if (r.find(key) != nullptr)
        r.report(key, "given by the QEasy pair as well",
                 "remove it: with \"qeasy\" the endpoint, request, page size, filter, flattening and table come from "
                 "qeasy.source and qeasy.target (ferryd --print-job shows the job they make)");
    for (const std::string_view key : {"cursor", "full_refresh"})
      if (r.find(key) != nullptr)
        r.report(key, "not taken with a QEasy pair",
                 "a QEasy pair reads by time windows (its request's window fields); write the job in ferry's own "
                 "form (ferryd --print-job prints it) to read by cursor or as a full refresh");
    read_qeasy(r, job, ctx);
    read_paging(r, job, false);
    if (job.catch_up && r.find("catch_up") != nullptr)
      r.report("catch_up", "given by qeasy.source.omissionRemedy as well", "keep one of them");
  } else {
    read_api(r, job);
    read_paging(r, job, true);
    if (r.find("cursor") != nullptr) job.cursor = read_cursor(r, job, ctx);
    else if (r.find("full_refresh") != nullptr) job.full_refresh = read_full_refresh(r, ctx);
    read_request(r, job, !job.full_refresh && !job.cursor);
    if (const auto* f = r.find("filter")) job.filter = read_filter(*f, r.at("filter"), ctx, "strict");
    if (const auto* f = r.find("flatten")) job.flatten = read_flatten(*f, r.at("flatten"), ctx);
  }
  if (const auto* c = r.find("catch_up"); c != nullptr && !job.catch_up) job.catch_up = read_catch_up(*c, r.at("catch_up"), ctx);
  if (!job.full_refresh && !job.cursor) read_window(r, job, ctx);
  if (const auto* schedule = r.find("schedule"))
    job.schedule = read_schedule(*schedule, r.at("schedule"), ctx);
  assign(job.dead_letter_max_ratio, r.number("dead_letter_max_ratio", 0.0, 1.0));
  assign(job.enabled, r.boolean("enabled"));
  assign(job.verify, r.boolean("verify"));
  assign(job.verify_after, r.duration("verify_after", milliseconds{1000}));
  if (qeasy) {
    // the QEasy pair gave the table
  } else if (const auto* targets = r.find("targets"))
    job.targets = read_targets(*targets, r.at("targets"), ctx);
  else
    r.report("targets", "required",
             R"(the tables to write, e.g. [{"table": "bi_orders", "key": ["o_id"], "columns": {...}}])");
  if (job.full_refresh) check_full_refresh(r, job);
  if (job.cursor) check_cursor(r, job);
  if (r.find("for_each") != nullptr) {
    job.for_each = read_for_each(r, ctx);
    if (job.full_refresh)
      r.report("for_each", "a full refresh deletes what its one list no longer has: it cannot be split by value",
               "remove \"for_each\", or give each value a job of its own");
  }
  return job;
}

}  // namespace

std::optional<int> days_ago(const std::string& text, templating::template_error& error) {
  const auto compiled = templating::compile(text, error);
  const auto* p = compiled && compiled->pieces().size() == 1
                      ? std::get_if<templating::placeholder>(&compiled->pieces().front())
                      : nullptr;
  if (p != nullptr && p->name == templating::time_name::days_ago) return p->days;
  if (compiled) error.hint = "the range counts back from the catch-up run's start, e.g. \"{{DAYS_AGO_2|datetime}}\"";
  else error.hint = error.message;
  error.message = json_quoted(text) + " is not a {{DAYS_AGO_N|...}} template";
  return std::nullopt;
}

std::vector<job_config> read_jobs(const json& value, const location& where, const load_context& ctx) {
  std::vector<job_config> jobs;
  if (!value.is_array() || value.empty()) {
    ctx.diag.add(where, value.is_array() ? "empty" : "expected an array, got " + kind_name(value),
                 R"(at least one job, e.g. [{"id": "skusn_inout", "source": "jst", ...}])");
    return jobs;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto job = read_job(value[i], where.element(i), ctx);
    const auto same =
        std::find_if(jobs.begin(), jobs.end(), [&](const job_config& j) { return j.id == job.id; });
    if (!job.id.empty() && same != jobs.end())
      ctx.diag.add(key_location(value[i], where.element(i), "id"), "duplicate job id " + json_quoted(job.id),
                   "already used by jobs[" + std::to_string(same - jobs.begin()) + "]");
    jobs.push_back(std::move(job));
  }
  // A for_each's `after` names another job of the file.
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].for_each || jobs[i].for_each->after.empty()) continue;
    const auto& after = jobs[i].for_each->after;
    const bool known = std::any_of(jobs.begin(), jobs.end(), [&](const job_config& j) { return j.id == after; });
    const auto at = key_location(value[i]["for_each"], key_location(value[i], where.element(i), "for_each"), "after");
    if (after == jobs[i].id) ctx.diag.add(at, "a job cannot wait for itself", "name the job that fills the table");
    else if (!known) ctx.diag.add(at, json_quoted(after) + " is not a job of this file", "the id of the job that fills the table");
  }
  return jobs;
}

}  // namespace ferry::config::detail
