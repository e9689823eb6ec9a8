#pragma once
// What the admin API answers to one request, without any transport: auth,
// route, method, query and body checks, then the control call. The session
// (session.cpp) turns Beast messages into the plain structs of handler.hpp
// and back.
// Runs on the server's strand; holds references to the options and control.
#include "ferry/admin/control.hpp"
#include "ferry/admin/handler.hpp"
#include "ferry/admin/server.hpp"
#include "target.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ferry::admin::detail {

using ferry::admin::request;
using ferry::admin::response;

// GET / (the status page) and GET /static/<file> (its CSS and JS), from the
// files embedded at build time (assets.cpp). No token: the page asks for it.
bool is_page_route(const target& t);
response page_response(const request& req, const target& t);

// True when `authorization` is "Bearer <token>" (scheme case-insensitive);
// the token is compared in constant time.
bool token_matches(std::string_view authorization, std::string_view token);

class router {
 public:
  router(const server_options& options, control& c) : options_(options), control_(c) {}
  // Never throws: a control that throws gives 500. HEAD is answered as GET
  // without the body.
  asio::awaitable<response> handle(const request& req);

 private:
  asio::awaitable<response> answer(const request& req);
  asio::awaitable<response> dispatch(const request& req, const target& t);
  asio::awaitable<response> api(const request& req, const target& t);
  asio::awaitable<response> job_route(const request& req, const target& t);
  asio::awaitable<response> runs(const request& req, const target& t, const std::string& id);
  asio::awaitable<response> backfills(const request& req, const std::string& id);
  asio::awaitable<response> windows(const target& t, const std::string& id);
  asio::awaitable<response> patch_job(const request& req, const std::string& id);
  response log_level(const request& req);
  response metrics();
  response version();
  asio::awaitable<response> ready();

  const server_options& options_;
  control& control_;
};

}  // namespace ferry::admin::detail
