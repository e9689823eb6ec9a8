# What `cmake --install` places (GNUInstallDirs), and the .deb CPack builds
# from the same rules (`cpack -G DEB` in the build folder). docs/operations.md,
# "Install from a package or cmake --install", lists where each file goes.
include(GNUInstallDirs)

set(FERRY_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where ferryd.service goes, relative to the prefix (systemd reads /usr/lib and /usr/local/lib/systemd/system)")
set(FERRY_RUNBOOK_URL "" CACHE STRING
    "Base of the alerts' runbook_url (default: file:// the installed docs/operations.md)")

# The unit's ExecStart and the alerts' runbook links name installed paths,
# known only at install time (`cmake --install --prefix` and CPack change it):
# install/configure.cmake writes both into the build folder first.
install(CODE "
  set(ferry_source_dir \"${PROJECT_SOURCE_DIR}\")
  set(ferry_out_dir \"${PROJECT_BINARY_DIR}/install-files\")
  set(ferry_bindir \"${CMAKE_INSTALL_BINDIR}\")
  set(ferry_docdir \"${CMAKE_INSTALL_DOCDIR}\")
  set(ferry_runbook_url \"${FERRY_RUNBOOK_URL}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/install-configure.cmake\")
")
install(FILES ${PROJECT_BINARY_DIR}/install-files/ferryd.service DESTINATION ${FERRY_SYSTEMD_UNIT_DIR})

set(ferry_share ${CMAKE_INSTALL_DATADIR}/ferry)
install(FILES ${PROJECT_BINARY_DIR}/install-files/alerts.yml deploy/prometheus/prometheus.yml
        DESTINATION ${ferry_share}/prometheus)
install(FILES deploy/alertmanager/alertmanager.yml deploy/alertmanager/wecom.example.yml
        DESTINATION ${ferry_share}/alertmanager)
install(FILES deploy/alertmanager/templates/ferry.tmpl DESTINATION ${ferry_share}/alertmanager/templates)
install(DIRECTORY deploy/grafana/ DESTINATION ${ferry_share}/grafana)
# The config's JSON Schema, for editors ("$schema": "/usr/share/ferry/ferry.schema.json").
install(FILES deploy/ferry.schema.json DESTINATION ${ferry_share})

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES deploy/systemd/ferry.example.json deploy/examples/skusn_inout.json deploy/examples/orders.json
              deploy/examples/skusn_inout_qeasy.json deploy/examples/shops.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES deploy/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_BINARY_DIR}/install-files/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_BINARY_DIR}/install-files/ferryd.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The Debian package: /usr, stripped, its library dependencies found by
# dpkg-shlibdeps. tests/deploy/package_check.py builds it, runs lintian and
# installs it into a scratch root.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ferry)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "syncs the Jushuitan ERP open API into MySQL tables")
# One quoted argument: its line breaks are the description's (CPack indents them).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ferryd keeps MySQL tables in step with the paged, rate-limited open API of
the Jushuitan e-commerce ERP: it pages every window by its own count, retries
under the platform's limits, writes idempotent batched upserts and records
its progress in MySQL, so no row is lost or doubled across restarts.
.
It runs as a systemd service with an HTTP admin API, Prometheus metrics,
alert rules, Alertmanager routes and a Grafana dashboard.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "ferry developers <ferry-dev@lists.example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mariadb-server, prometheus, prometheus-alertmanager")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
