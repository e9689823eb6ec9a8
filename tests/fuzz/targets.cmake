# The fuzz targets, shared by the libFuzzer build (tests/fuzz/CMakeLists.txt,
# FERRY_FUZZ=ON) and the corpus replay of the ordinary build
# (tests/fuzz/replay/CMakeLists.txt): for each name, its sources and what it links.
set(FERRY_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FERRY_FUZZ_TARGETS config envelope template admin)

set(FERRY_FUZZ_config_SOURCES ${FERRY_FUZZ_DIR}/config_fuzz.cpp)
set(FERRY_FUZZ_config_LIBS ferry::config nlohmann_json::nlohmann_json)

set(FERRY_FUZZ_envelope_SOURCES ${FERRY_FUZZ_DIR}/envelope_fuzz.cpp)
set(FERRY_FUZZ_envelope_LIBS ferry::source_jushuitan ferry::json)

set(FERRY_FUZZ_template_SOURCES ${FERRY_FUZZ_DIR}/template_fuzz.cpp)
set(FERRY_FUZZ_template_LIBS ferry::templating ferry::core)

set(FERRY_FUZZ_admin_SOURCES ${FERRY_FUZZ_DIR}/admin_fuzz.cpp ${FERRY_FUZZ_DIR}/memory_control.cpp)
set(FERRY_FUZZ_admin_LIBS ferry::admin_api ferry::core)
