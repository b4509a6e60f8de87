# SPDX-License-Identifier: Apache-2.0
# .deb and .rpm of the host, its manifests and its default configuration
# (cpack -G DEB / cpack -G RPM in the build directory).  The packages install
# under CMAKE_INSTALL_PREFIX, the prefix the manifests were generated for:
# configure with -DCMAKE_INSTALL_PREFIX=/usr for distribution packages.
set(_uk_pkg ${CMAKE_CURRENT_LIST_DIR}/package)
set(_uk_pkg_gen ${CMAKE_BINARY_DIR}/package-scripts)
set(UK_HOST_INSTALLED ${CMAKE_INSTALL_FULL_LIBEXECDIR}/ukeylink/ukeylink-host)
foreach(s postinst prerm postrm rpm-post rpm-preun)
  configure_file(${_uk_pkg}/${s}.in ${_uk_pkg_gen}/${s} @ONLY
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
file(WRITE ${_uk_pkg_gen}/conffiles "/etc/ukeylink/config.json\n")

set(CPACK_PACKAGE_NAME ukeylink)
set(CPACK_PACKAGE_VENDOR "UKeyLink authors")
set(CPACK_PACKAGE_CONTACT "UKeyLink maintainers <ukeylink@sheca.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "SHECA USB keys in Chrome, Edge, Chromium and Firefox (native host)")
set(CPACK_PACKAGE_DESCRIPTION
  "UKeyLink replaces SHECA's SafeEngine ActiveX control.  This package holds
the native-messaging host that the UKeyLink browser extension talks to, its
registrations for Chrome, Chromium, Edge and Firefox, and the system
configuration /etc/ukeylink/config.json.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://issp.sheca.com/")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB RPM)
set(CPACK_SOURCE_GENERATOR "")

# Debian: explicit runtime deps (the brief's list) plus whatever
# dpkg-shlibdeps finds (libc6, libp11-kit0, ...).  libcurl4 and
# libpcsclite1 must stay listed: the host loads them with dlopen() on first
# use, so shlibdeps (and rpm's soname scan) cannot see them.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libssl3, libp11-3, libcjson1, libcurl4, libpcsclite1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pcscd, opensc-pkcs11")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "chromium | firefox-esr | google-chrome-stable")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${_uk_pkg_gen}/postinst ${_uk_pkg_gen}/prerm ${_uk_pkg_gen}/postrm
  ${_uk_pkg_gen}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM (Fedora/openSUSE names); rpmbuild adds the soname requirements.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
# The manifests live at fixed paths: not relocatable.
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_REQUIRES
  "openssl-libs >= 3.0, libp11, cjson, libcurl, pcsc-lite-libs")
# CMake 3.25's CPackRPM has no Recommends (and drops Suggests when
# `rpm --suggests` fails, as Debian's rpm does): the Recommends line rides
# on the Requires header.  rpm >= 4.12 reads it.
string(APPEND CPACK_RPM_PACKAGE_REQUIRES "\nRecommends: pcsc-lite, opensc")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${_uk_pkg_gen}/rpm-post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${_uk_pkg_gen}/rpm-preun)
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/ukeylink/config.json")
# Directories of the base system (the filesystem package owns them) are not
# claimed; the browsers' directories are (rpm lets packages share a
# directory and removes it when the last owner goes).
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc/opt /usr/libexec)

include(CPack)
