#pragma once
// Everything one job's runs need, built once from the config: the request
// template, window policy, paging limits, the transform and one writer per
// target table. Immutable after construction except the writers' byte budget
// (which shrinks if MySQL refuses a packet). Shared by the job's runs.
#include "ferry/sink/upsert.hpp"
#include "ferry/sync/windows.hpp"
#include "ferry/templating/request_template.hpp"
#include "ferry/transform/mapper.hpp"
#include "ferry/transform/path.hpp"
#include "ferry/transform/records.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ferry/config/config.hpp"

namespace ferry::sync {

struct target_plan {
  sink::table_spec table;
  bool create_table = false;
  std::unique_ptr<sink::upsert_writer> writer;
  // An exploded target whose children follow their parent (table.parent_key
  // set; see plan_children in job_plan.cpp): reads a record's parent key and
  // then its version (one non-exploded target), and `explode` finds the
  // array, so that only a record with an actual array (empty or not) deletes
  // children it no longer lists. Null / nullopt otherwise.
  std::unique_ptr<transform::mapper> parent;
  std::optional<transform::json_path> explode;
};

// A job whose from_table targets (QEasy batchexecute targets) are bound to
// their tables, and what binding noticed (for the log).
struct bound_job {
  config::job_config job;
  std::vector<std::string> notes;
};

// Reads each from_table target's table: the column types, and the key (the
// table's PRIMARY KEY, else a UNIQUE key, of the target's columns; else the
// job's fallback key, marked key_unindexed). Throws std::invalid_argument
// naming the table when it is missing, lacks a column or has no usable key.
bound_job bind_tables(const config::job_config& job, mysql::connection& conn);
// True when a from_table target has not been bound yet.
bool needs_binding(const config::job_config& job);

// The range a catch-up run started at `now` re-reads: from_days to to_days
// days before it, within the job's window (start, end); nullopt when nothing
// of it is left.
std::optional<range> catch_up_range(const config::job_config& job, sys_seconds now);

// Stops a run of a job whose key is QEasy's id and not a key of the table:
// before anything is written, it looks for records that share the id, and
// names them; ferry never collapses them as QEasy's idCheck did.
struct repeat_guard {
  std::string id_field;  // the record field QEasy called id
  std::string table;
  std::string no_key_error;  // when no record repeats: why the table still cannot be written
};

struct job_plan {
  std::string job_id;
  std::string source;
  std::string api;
  std::string list_key;
  std::uint32_t page_size = 100;
  std::uint64_t max_pages = 10000;
  std::size_t max_in_flight = 4;
  templating::request_template request;
  window_policy windows;
  double dead_letter_max_ratio = 0.01;
  std::vector<target_plan> targets;
  std::unique_ptr<transform::mapper> mapper;
  // Which target's key identifies a source record for the count check, and
  // the positions of its key columns; nullopt when every target explodes.
  std::optional<std::size_t> key_target;
  std::vector<std::size_t> key_columns;
  int refetch_rounds = 2;  // re-fetches of a window whose counts came up short, before halving it
  // The verification pass: nullopt when off.
  std::optional<std::chrono::seconds> verify_after;
  std::size_t verify_windows_per_run = 20;
  // Before mapping: records kept (QEasy's condition) and arrays flattened (beatFlat).
  transform::record_filter filter;
  std::vector<std::string> flatten;
  std::optional<repeat_guard> guard;
  // Read whole at every run (a master list): one window, written in one
  // transaction that also deletes the rows the list no longer has.
  std::optional<config::full_refresh_config> full_refresh;
  // Read by a row-version cursor instead of windows (runner_cursor.cpp).
  std::optional<config::cursor_config> cursor;
  // Run once per value of a request field, each with its own progress.
  std::optional<config::for_each_config> for_each;
  // QEasy's number and name fields, named in dead letters; empty otherwise.
  std::string number_field, name_field;
  std::string record_id_field;  // QEasy's id: identifies a record before flattening
  bool needs_binding = false;  // bind_tables first (the engine does, before the first run)
  std::chrono::seconds verify_budget{300};  // a run stops verifying after this long
};

// Builds a job's plan. Throws std::invalid_argument when the config holds
// something the engine cannot run (the config loader reports such errors
// first; this is the last line of defence).
job_plan make_job_plan(const config::job_config& job, const config::source_config& source,
                       const config::mysql_config& mysql);

}  // namespace ferry::sync
