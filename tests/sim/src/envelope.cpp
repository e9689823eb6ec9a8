#include "ferry/sim/envelope.hpp"

#include "ferry/sim/catalogue.hpp"
#include "ferry/sim/text.hpp"

namespace ferry::sim {
namespace {

void append_head(std::string& out, int code, std::string_view msg) {
  out.append("{\"code\":").append(std::to_string(code)).append(",\"msg\":");
  append_json_string(out, msg);
}

void append_page_fields(std::string& out, const envelope_style& style, const page_rows& page,
                        std::int64_t page_index, std::int64_t page_size) {
  out.append("\"page_index\":").append(std::to_string(page_index));
  out.append(",\"page_size\":").append(std::to_string(page_size));
  if (!style.omit_counts) {
    out.append(",\"data_count\":").append(std::to_string(page.counted ? page.total : 0));
    out.append(",\"page_count\":").append(std::to_string(page.counted ? page.slice.page_count : 0));
  }
  if (!style.omit_has_next) out.append(",\"has_next\":").append(page.slice.has_next ? "true" : "false");
}

void append_list(std::string& out, const page_rows& page) {
  out.push_back('[');
  for (std::size_t i = 0; i < page.rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(*page.rows[i]);
  }
  out.push_back(']');
}

}  // namespace

std::string render_page(const envelope_style& style, std::string_view list_key, const page_rows& page,
                        std::int64_t page_index, std::int64_t page_size) {
  std::size_t bytes = 256;
  for (const auto* row : page.rows) bytes += row->size() + 1;
  std::string out;
  out.reserve(bytes);
  append_head(out, 0, success_msg);
  switch (style.shape) {
    case envelope_shape::standard:
      out.append(",\"data\":{");
      append_page_fields(out, style, page, page_index, page_size);
      out.append(",\"").append(list_key).append("\":");
      append_list(out, page);
      out.append("}}");
      break;
    case envelope_shape::bare:
      if (page.rows.empty() && style.empty != empty_data::array) {
        if (style.empty == empty_data::null) out.append(",\"data\":null");
      } else {
        out.append(",\"data\":");
        append_list(out, page);
      }
      out.push_back('}');
      break;
    case envelope_shape::toplevel:
      out.append(",\"issuccess\":true,");
      append_page_fields(out, style, page, page_index, page_size);
      out.append(",\"").append(list_key).append("\":");
      append_list(out, page);
      out.push_back('}');
      break;
  }
  return out;
}

std::string render_catalogue_page(const endpoint_spec& spec, std::string_view shape, const page_rows& page,
                                  std::int64_t page_index, std::int64_t page_size, empty_data empty) {
  std::string out;
  append_head(out, 0, success_msg);
  if (shape == "bare") {
    if (page.rows.empty() && empty != empty_data::array) {
      if (empty == empty_data::null) out.append(",\"data\":null");
    } else {
      out.append(",\"data\":");
      append_list(out, page);
    }
    out.push_back('}');
    return out;
  }
  // The documented page fields only, in the platform's usual order.
  std::string fields;
  const auto add = [&](std::string_view name, const std::string& value) {
    if (!spec.has_page_field(name)) return;
    fields.append(fields.empty() ? "\"" : ",\"").append(name).append("\":").append(value);
  };
  add("page_index", std::to_string(page_index));
  add("page_size", std::to_string(page_size));
  add("data_count", std::to_string(page.counted ? page.total : 0));
  add("date_count", std::to_string(page.counted ? page.total : 0));  // sic: the pack query's spelling
  add("page_count", std::to_string(page.counted ? page.slice.page_count : 0));
  add("has_next", page.slice.has_next ? "true" : "false");
  const auto list = [&] {
    out.append(fields.empty() ? "\"" : ",\"").append(spec.list_key).append("\":");
    append_list(out, page);
  };
  if (shape == "toplevel") {
    out.append(",\"issuccess\":true,").append(fields);
    list();
    out.push_back('}');
    return out;
  }
  out.append(",\"data\":{").append(fields);
  list();
  out.append("}}");
  return out;
}

std::string render_refusal(int code, std::string_view msg) {
  std::string out;
  append_head(out, code, msg);
  out.append(",\"data\":null}");
  return out;
}

std::string render_tokens(std::string_view access_token, std::string_view refresh_token,
                          std::int64_t expires_in) {
  std::string out;
  append_head(out, 0, success_msg);
  out.append(",\"data\":{\"access_token\":");
  append_json_string(out, access_token);
  out.append(",\"expires_in\":").append(std::to_string(expires_in));
  out.append(",\"refresh_token\":");
  append_json_string(out, refresh_token);
  out.append(",\"scope\":\"all\"}}");
  return out;
}

}  // namespace ferry::sim
