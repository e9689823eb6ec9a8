#include "ferry/sim/signed_form.hpp"

#include "ferry/source/jushuitan/form.hpp"

namespace ferry::sim {
namespace {

namespace jst = ferry::source::jushuitan;

std::string finish(jst::form_fields fields, std::string_view secret) {
  fields.emplace_back("sign", jst::sign(fields, secret));
  return jst::encode_form(fields);
}

}  // namespace

std::string signed_business_body(const credentials& creds, std::string_view access_token, std::string_view biz,
                                 core::sys_seconds now) {
  return finish({{"app_key", creds.app_key},
                 {"access_token", std::string{access_token}},
                 {"timestamp", std::to_string(now.time_since_epoch().count())},
                 {"charset", "utf-8"},
                 {"version", "2"},
                 {"biz", std::string{biz}}},
                creds.app_secret);
}

std::string signed_refresh_body(const credentials& creds, std::string_view refresh_token, core::sys_seconds now) {
  return finish({{"app_key", creds.app_key},
                 {"timestamp", std::to_string(now.time_since_epoch().count())},
                 {"charset", "utf-8"},
                 {"grant_type", "refresh_token"},
                 {"refresh_token", std::string{refresh_token}},
                 {"scope", "all"}},
                creds.app_secret);
}

std::string signed_init_token_body(const credentials& creds, std::string_view code, core::sys_seconds now) {
  return finish({{"app_key", creds.app_key},
                 {"timestamp", std::to_string(now.time_since_epoch().count())},
                 {"grant_type", "authorization_code"},
                 {"charset", "utf-8"},
                 {"code", std::string{code}}},
                creds.app_secret);
}

}  // namespace ferry::sim
