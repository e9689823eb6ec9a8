#include "ferry/sim/options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <sstream>

namespace ferry::sim {
namespace {

namespace po = boost::program_options;

// Flag values kept as text until they are checked together.
struct raw_flags {
  std::string ts_order = "o_id", orders_freight = "string";
  std::string empty_fields = "keep", envelope, flow_envelope = "bare", orders_envelope = "standard", empty_data = "null";
  bool omit_has_next = false, token_calls_unlimited = false;
  std::string tolerance = "10m", late_delay = "2m", fault_delay = "35s", token_ttl = "30d", app_kind = "self_built";
  std::string data_from = "2026-01-01 00:00:00", data_to = "2026-01-31 00:00:00";
  std::int64_t orders = -1;
  std::string endpoint, from, to;
  std::int64_t port = 0;
};

po::options_description describe(sim_options& o, raw_flags& raw) {
  po::options_description d("jst-sim: a local Jushuitan open platform (docs/simulator.md)");
  d.add_options()
    ("help", "print this help and exit")
    ("host", po::value(&o.host)->default_value(o.host), "address to listen on")
    ("port", po::value(&raw.port)->default_value(0), "port to listen on; 0 picks a free one")
    ("app-key", po::value(&o.creds.app_key)->default_value(o.creds.app_key), "the first account's app_key")
    ("accounts", po::value(&o.accounts)->default_value(o.accounts),
     "accounts served, each with its own limits and tokens; account k >= 2 adds -k to the app key, secret and tokens")
    ("app-secret", po::value(&o.creds.app_secret)->default_value(o.creds.app_secret), "its app_secret")
    ("access-token", po::value(&o.creds.access_token)->default_value(o.creds.access_token), "initial access_token")
    ("refresh-token", po::value(&o.creds.refresh_token)->default_value(o.creds.refresh_token), "initial refresh_token")
    ("timestamp-tolerance", po::value(&raw.tolerance)->default_value(raw.tolerance), "accepted clock skew of `timestamp`")
    ("empty-fields", po::value(&raw.empty_fields)->default_value(raw.empty_fields), "keep|skip: empty fields in the sign")
    ("seed", po::value(&o.data.seed)->default_value(o.data.seed), "seed of data, tokens and fault draws")
    ("records", po::value(&o.data.records)->default_value(o.data.records), "number of flow rows")
    ("orders", po::value(&raw.orders)->default_value(-1), "number of orders; -1 means records/4")
    ("shops", po::value(&o.data.shops)->default_value(o.data.shops),
     "number of shops (/open/shops/query); the first six are the ones orders name")
    ("data-from", po::value(&raw.data_from)->default_value(raw.data_from), "start of the data (datetime, now, now-2h, now+1h)")
    ("data-to", po::value(&raw.data_to)->default_value(raw.data_to), "end of the data, exclusive")
    ("late-fraction", po::value(&o.data.late_fraction)->default_value(0.0), "share of rows that arrive late")
    ("late-delay", po::value(&raw.late_delay)->default_value(raw.late_delay), "how long after its time a late row appears")
    ("bad-records", po::value(&o.data.bad_records)->default_value(0),
     "flow rows served with a defect (wrong type, huge string, bad date, missing key, ...)")
    ("limit-per-second", po::value(&o.limit_per_second)->default_value(5), "calls per second per app_key (0 = off)")
    ("limit-per-minute", po::value(&o.limit_per_minute)->default_value(100), "calls per minute per app_key (0 = off)")
    ("flow-envelope", po::value(&raw.flow_envelope)->default_value(raw.flow_envelope),
     "bare|standard|toplevel: the flow query's answers (documented: bare, no page fields)")
    ("orders-envelope", po::value(&raw.orders_envelope)->default_value(raw.orders_envelope),
     "standard|bare|toplevel: the order query's answers")
    ("envelope", po::value(&raw.envelope), "standard|bare|toplevel for both endpoints (the old single setting)")
    ("orders-freight", po::value(&raw.orders_freight)->default_value(raw.orders_freight),
     "string|number|empty: an order's freight as a string (documented), a number, or a string and \"\" when none")
    ("empty-data", po::value(&raw.empty_data)->default_value(raw.empty_data),
     "null|array|omit: a bare page without rows (documented: \"data\": null)")
    ("omit-has-next", po::bool_switch(&raw.omit_has_next), "leave has_next out of pages")
    ("accept-cap-edge", po::bool_switch(&o.accept_cap_edge),
     "take a window of exactly an endpoint's documented cap (refused by default: the docs do not say)")
    ("alternative-envelopes", po::bool_switch(&o.alternative_envelopes),
     "endpoints whose sources disagree on the answer's shape answer in the other one (the in/out water query: data{...})")
    ("catalogue-rows", po::value(&o.catalogue_rows)->default_value(200),
     "rows of each other catalogue endpoint (refunds, sales-out, inventory per warehouse, ...)")
    ("ts-order", po::value(&raw.ts_order)->default_value(raw.ts_order),
     "o_id|ts: the order of a start_ts query's rows (undocumented; o_id: by the orders' key, not by version)")
    ("fault-delay", po::value(&raw.fault_delay)->default_value(raw.fault_delay), "delay of a `timeout` fault");
  // --http-500 and so on; the /__sim/faults key is the same name with '_'.
  for (const auto kind : all_faults) {
    std::string flag{fault_name(kind)};
    std::replace(flag.begin(), flag.end(), '_', '-');
    d.add_options()(flag.c_str(), po::value(&o.faults.rate(kind))->default_value(0.0),
                    ("probability of the " + std::string{fault_name(kind)} + " fault per business call").c_str());
  }
  d.add_options()
    ("token-expire-after-calls", po::value(&o.faults.token_expire_after_calls)->default_value(0),
     "access token also expires after N accepted calls (0 = never)")
    ("token-ttl", po::value(&raw.token_ttl)->default_value(raw.token_ttl),
     "lifetime of issued tokens (expires_in); the refresh token dies with the access token")
    ("refresh-outlives", po::bool_switch(&o.refresh_outlives),
     "the refresh token stays good after the access token expired (the older, kinder behaviour)")
    ("app-kind", po::value(&raw.app_kind)->default_value(raw.app_kind),
     "self_built|isv: an isv app is refused every refresh with code 150")
    ("token-calls-unlimited", po::bool_switch(&raw.token_calls_unlimited),
     "refreshToken and getInitToken calls do not count against the rate limits")
    ("drift-rows-per-call", po::value(&o.faults.drift_rows_per_call)->default_value(0),
     "rows inserted/moved in the queried window before each data call")
    ("drift-changes-items", po::bool_switch(&o.faults.drift_changes_items),
     "orders moved by drift also lose, gain or replace items")
    ("endpoint", po::value(&raw.endpoint), "truth: endpoint path")
    ("from", po::value(&raw.from), "truth: window start (inclusive)")
    ("to", po::value(&raw.to), "truth: window end (inclusive)");
  return d;
}

std::chrono::milliseconds duration_flag(const std::string& name, const std::string& text) {
  const auto d = core::parse_duration(text);
  if (!d) throw usage_error("--" + name + ": not a duration: " + text);
  return *d;
}

envelope_shape envelope_flag(const std::string& name, const std::string& text) {
  if (text == "standard") return envelope_shape::standard;
  if (text == "bare") return envelope_shape::bare;
  if (text == "toplevel") return envelope_shape::toplevel;
  throw usage_error("--" + name + ": standard, bare or toplevel");
}

sys_seconds time_flag(const std::string& name, const std::string& text, sys_seconds now) {
  const auto t = parse_time_flag(text, now);
  if (!t) throw usage_error("--" + name + ": not a time (yyyy-MM-dd HH:mm:ss, now, now-2h, now+1h): " + text);
  return *t;
}

void finish(command_line& cl, const raw_flags& raw, sys_seconds now) {
  auto& o = cl.options;
  using std::chrono::duration_cast;
  if (raw.port < 0 || raw.port > 65535) throw usage_error("--port: out of range");
  o.port = static_cast<std::uint16_t>(raw.port);
  o.timestamp_tolerance = duration_cast<std::chrono::seconds>(duration_flag("timestamp-tolerance", raw.tolerance));
  o.data.late_delay = duration_cast<std::chrono::seconds>(duration_flag("late-delay", raw.late_delay));
  o.fault_delay = duration_flag("fault-delay", raw.fault_delay);
  o.token_ttl = duration_cast<std::chrono::seconds>(duration_flag("token-ttl", raw.token_ttl));
  if (o.token_ttl < std::chrono::seconds{1}) throw usage_error("--token-ttl: at least 1s");
  o.token_calls_limited = !raw.token_calls_unlimited;
  if (raw.app_kind == "self_built") o.kind = app_kind::self_built;
  else if (raw.app_kind == "isv") o.kind = app_kind::isv;
  else throw usage_error("--app-kind: self_built or isv");
  if (raw.empty_fields != "keep" && raw.empty_fields != "skip") throw usage_error("--empty-fields: keep or skip");
  o.empties = raw.empty_fields == "keep" ? source::jushuitan::empty_fields::keep : source::jushuitan::empty_fields::skip;
  o.flow_envelope.shape = envelope_flag("flow-envelope", raw.envelope.empty() ? raw.flow_envelope : raw.envelope);
  o.orders_envelope.shape =
      envelope_flag("orders-envelope", raw.envelope.empty() ? raw.orders_envelope : raw.envelope);
  if (!raw.envelope.empty()) envelope_flag("envelope", raw.envelope);
  if (raw.ts_order == "o_id") o.cursor_order = ts_order::o_id;
  else if (raw.ts_order == "ts") o.cursor_order = ts_order::ts;
  else throw usage_error("--ts-order: o_id or ts");
  if (o.accounts < 1 || o.accounts > 10000) throw usage_error("--accounts: 1 to 10000");
  if (raw.orders_freight == "string") o.data.freight = freight_text::string;
  else if (raw.orders_freight == "number") o.data.freight = freight_text::number;
  else if (raw.orders_freight == "empty") o.data.freight = freight_text::empty_when_zero;
  else throw usage_error("--orders-freight: string, number or empty");
  empty_data empty = empty_data::null;
  if (raw.empty_data == "array") empty = empty_data::array;
  else if (raw.empty_data == "omit") empty = empty_data::omit;
  else if (raw.empty_data != "null") throw usage_error("--empty-data: null, array or omit");
  for (auto* style : {&o.flow_envelope, &o.orders_envelope}) {
    style->empty = empty;
    style->omit_has_next = raw.omit_has_next;
  }
  o.data.orders = raw.orders >= 0 ? raw.orders : o.data.records / 4;
  o.data.from = time_flag("data-from", raw.data_from, now);
  o.data.to = time_flag("data-to", raw.data_to, now);
  if (o.data.to <= o.data.from) throw usage_error("--data-to must be after --data-from");
  if (o.data.records < 0) throw usage_error("--records: must be >= 0");
  if (o.data.shops < 0) throw usage_error("--shops: must be >= 0");
  if (o.data.bad_records < 0 || o.data.bad_records > o.data.records)
    throw usage_error("--bad-records: from 0 to --records");
  if (o.data.late_fraction < 0.0 || o.data.late_fraction > 1.0) throw usage_error("--late-fraction: in [0, 1]");
  fault_settings checked;
  if (auto error = apply_fault_update(checked, to_json(o.faults)); !error.empty()) throw usage_error(error);
}

void finish_truth(command_line& cl, const raw_flags& raw, sys_seconds now) {
  const auto endpoint = endpoint_of(raw.endpoint);
  if (!endpoint)
    throw usage_error("truth: --endpoint must be " + std::string{flow_path} + ", " + std::string{orders_path} +
                      " or " + std::string{shops_path});
  if (*endpoint == endpoint_kind::shops) {  // a master list: every row, no window
    cl.truth = truth_request{*endpoint, time_window{}};
    return;
  }
  if (raw.from.empty() || raw.to.empty()) throw usage_error("truth: --from and --to are required");
  cl.truth = truth_request{*endpoint, time_window{time_flag("from", raw.from, now), time_flag("to", raw.to, now)}};
}

}  // namespace

std::optional<sys_seconds> parse_time_flag(std::string_view text, sys_seconds now) {
  if (text == "now") return now;
  if (text.starts_with("now-")) {
    const auto d = core::parse_duration(text.substr(4));
    if (!d) return std::nullopt;
    return now - std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  if (text.starts_with("now+")) {
    const auto d = core::parse_duration(text.substr(4));
    if (!d) return std::nullopt;
    return now + std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  return core::parse_shanghai_datetime(text);
}

std::optional<endpoint_kind> endpoint_of(std::string_view path) {
  if (path == flow_path) return endpoint_kind::flow;
  if (path == orders_path) return endpoint_kind::orders;
  if (path == shops_path) return endpoint_kind::shops;
  return std::nullopt;
}

command_line parse_command_line(int argc, const char* const argv[], sys_seconds now) {
  command_line cl;
  raw_flags raw;
  const bool truth = argc > 1 && std::string_view{argv[1]} == "truth";
  auto description = describe(cl.options, raw);
  po::variables_map vars;
  try {
    po::store(po::parse_command_line(argc - (truth ? 1 : 0), argv + (truth ? 1 : 0), description), vars);
    po::notify(vars);
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  if (vars.count("help") != 0) {
    std::ostringstream text;
    text << "usage: jst-sim [flags]\n       jst-sim truth --endpoint PATH --from T --to T [flags]\n\n"
         << description;
    cl.mode = run_mode::help;
    cl.help = text.str();
    return cl;
  }
  finish(cl, raw, now);
  if (truth) {
    cl.mode = run_mode::truth;
    finish_truth(cl, raw, now);
  }
  return cl;
}

std::vector<credentials> account_credentials(const sim_options& o) {
  std::vector<credentials> out{o.creds};
  for (std::int64_t k = 2; k <= o.accounts; ++k) {
    const auto suffix = "-" + std::to_string(k);
    out.push_back({o.creds.app_key + suffix, o.creds.app_secret + suffix, o.creds.access_token + suffix,
                   o.creds.refresh_token + suffix});
  }
  return out;
}

}  // namespace ferry::sim
