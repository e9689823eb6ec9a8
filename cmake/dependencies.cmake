# Every dependency as Debian 12 ships it; deploy/install-deps.sh installs them.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
# Boost 1.74's Asio only knows clang's old coroutines TS (<experimental/coroutine>,
# libc++); clang 14 with libstdc++ has C++20's <coroutine>, which Asio then
# uses (its __GNUC__ branch), once told that co_await works.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1)
endif()
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(simdjson 3.0 CONFIG REQUIRED)  # 3.0 refuses every ill-formed surrogate: tape strings are valid UTF-8
find_package(PkgConfig REQUIRED)
# MariaDB Connector/C has no CMake config; Debian ships a pkg-config file.
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
if(FERRY_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
