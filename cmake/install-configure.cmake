# Run by `cmake --install` (see install.cmake) with CMAKE_INSTALL_PREFIX set to
# the prefix being installed to: writes the files whose text names installed
# paths into ${ferry_out_dir}.
file(MAKE_DIRECTORY "${ferry_out_dir}")

# ferryd.service runs the installed ferryd.
file(READ "${ferry_source_dir}/deploy/systemd/ferryd.service" unit)
string(REGEX REPLACE "\n(Exec[A-Za-z]*=)/usr/local/bin/ferryd " "\n\\1${CMAKE_INSTALL_PREFIX}/${ferry_bindir}/ferryd "
       unit "${unit}")
file(WRITE "${ferry_out_dir}/ferryd.service" "${unit}")

# Each alert's runbook_url points at the installed operations.md, or at the
# base FERRY_RUNBOOK_URL names.
set(runbook "${ferry_runbook_url}")
if(runbook STREQUAL "")
  set(runbook "file://${CMAKE_INSTALL_PREFIX}/${ferry_docdir}/operations.md")
endif()
file(READ "${ferry_source_dir}/deploy/prometheus/alerts.yml" rules)
string(REPLACE "file:///usr/share/doc/ferry/operations.md" "${runbook}" rules "${rules}")
file(WRITE "${ferry_out_dir}/alerts.yml" "${rules}")

# The changelog and the manual page compressed as Debian wants them; gzip -n
# keeps the files the same from build to build.
foreach(pair "deploy/debian/changelog=changelog.gz" "deploy/debian/ferryd.1=ferryd.1.gz")
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  execute_process(COMMAND gzip -9 -n -c "${ferry_source_dir}/${from}" OUTPUT_FILE "${ferry_out_dir}/${to}"
                  RESULT_VARIABLE gzip_result)
  if(NOT gzip_result EQUAL 0)
    message(FATAL_ERROR "gzip of ${from} failed: ${gzip_result}")
  endif()
endforeach()
