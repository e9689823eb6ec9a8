# Sanitizer and fuzzing builds. Both instrument every target of the build
# (libraries, ferryd, jst-sim and the tests), so the whole suite runs under them.
#
#   -DFERRY_SANITIZE=address,undefined   ASan + UBSan (any UB is an error, not a warning)
#   -DFERRY_SANITIZE=thread              TSan
#   -DFERRY_FUZZ=ON                      libFuzzer targets in tests/fuzz (needs clang;
#                                        usually together with address,undefined)
#
# deploy/test.sh --sanitize=asan|tsan and tests/fuzz/run.sh set these up.
set(FERRY_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined or thread (empty: none)")
option(FERRY_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

if(FERRY_SANITIZE)
  if(NOT FERRY_SANITIZE MATCHES "^(address,undefined|undefined,address|address|undefined|thread)$")
    message(FATAL_ERROR "FERRY_SANITIZE=${FERRY_SANITIZE}: use address,undefined or thread")
  endif()
  add_compile_options(-fsanitize=${FERRY_SANITIZE} -fno-omit-frame-pointer -g)
  # Tests whose checks are about timing (calls per second as jst-sim sees them)
  # print those figures instead of checking them: instrumented processes stall
  # for whole seconds on a busy machine.
  add_compile_definitions(FERRY_SANITIZED_BUILD)
  add_link_options(-fsanitize=${FERRY_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Instrumented, g++ 12 inlines Boost.Asio's awaitable frame allocator far
    # enough to pair its class operator delete with the ::operator new inside
    # and reports -Wmismatched-new-delete: a false positive in a system header.
    add_compile_options(-Wno-mismatched-new-delete)
    # The same inlining makes -Wmaybe-uninitialized fire inside libstdc++'s
    # <regex> (std::function members of its NFA states), another false positive.
    add_compile_options(-Wno-maybe-uninitialized)
    if(FERRY_SANITIZE STREQUAL "thread")
      # TSan does not model std::atomic_thread_fence, which Boost.Asio uses;
      # g++ says so for every such TU (-Wtsan). A race it hides in Asio would
      # show up as a TSan report inside Asio, not be silently lost.
      add_compile_options(-Wno-tsan)
    endif()
  endif()
  if(FERRY_SANITIZE MATCHES "undefined")
    # An undefined behaviour ends the process, so a test cannot pass over it.
    add_compile_options(-fno-sanitize-recover=all)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # clang 14's -fsanitize=function cannot lay out the split halves of a C++20
      # coroutine ("Cannot represent a difference across sections"); it only
      # checks calls through mistyped function pointers, which ferry has none of.
      add_compile_options(-fno-sanitize=function)
    endif()
  endif()
  if(FERRY_SANITIZE MATCHES "address" AND FERRY_SANITIZE MATCHES "undefined")
    # g++'s UBSan runtime ignores UBSAN_OPTIONS' log_path next to ASan's; this
    # object, linked into every binary, fixes that (see its comment).
    add_library(ferry_ubsan_log_path OBJECT ${CMAKE_CURRENT_LIST_DIR}/../tests/sanitizers/ubsan_log_path.cpp)
    target_link_libraries(ferry_ubsan_log_path PUBLIC ${CMAKE_DL_LIBS} PRIVATE ferry::warnings)
    link_libraries(ferry_ubsan_log_path)
  endif()
endif()

if(FERRY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FERRY_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  # Coverage feedback for libFuzzer in every library; the targets add -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
