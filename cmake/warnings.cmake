# One INTERFACE target carries ferry's warning flags; every ferry target links it.
add_library(ferry_warnings INTERFACE)
add_library(ferry::warnings ALIAS ferry_warnings)
target_compile_options(ferry_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough -Wmisleading-indentation
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>)
if(FERRY_WERROR)
  target_compile_options(ferry_warnings INTERFACE -Werror)
endif()

# ferry_module(NAME SOURCES... [DEPS ...]): a library module lib/<path> as ferry::<NAME>.
function(ferry_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ferry_${name} STATIC ${M_SOURCES})
  add_library(ferry::${name} ALIAS ferry_${name})
  target_include_directories(ferry_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                           PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(ferry_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ferry::warnings ${M_PRIVATE_DEPS})
endfunction()
