# Installed layout (FHS) and the Debian package: `cpack -G DEB` in a build folder.
set(linux_dir ${CMAKE_SOURCE_DIR}/packaging/linux)
set(app_id io.github.adapterlab.adapterlab)

if(ADAPTERLAB_BUILD_GUI)
  install(FILES ${linux_dir}/${app_id}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${linux_dir}/${app_id}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  # Help → User guide renders this README; its pictures keep their relative paths.
  install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/adapterlab/guide)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/images
          DESTINATION ${CMAKE_INSTALL_DATADIR}/adapterlab/guide/docs)
endif()

# Man pages, gzipped as Debian policy wants.
foreach(page adapterlab-cli.1 adapterlab.1)
  if(page STREQUAL "adapterlab.1" AND NOT ADAPTERLAB_BUILD_GUI)
    continue()
  endif()
  set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND gzip -9n -c ${linux_dir}/${page} > ${gz}
    DEPENDS ${linux_dir}/${page} COMMENT "Compressing man page ${page}")
  list(APPEND man_pages ${gz})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endforeach()
add_custom_target(adapterlab_man ALL DEPENDS ${man_pages})
# Debian policy: the license as /usr/share/doc/<package>/copyright.
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/adapterlab
        RENAME copyright)

set(CPACK_PACKAGE_NAME adapterlab)
set(CPACK_PACKAGE_VENDOR "The AdapterLab developers")
set(CPACK_PACKAGE_CONTACT "The AdapterLab developers <adapterlab@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for bottleneck adapters on BERT")
set(CPACK_PACKAGE_DESCRIPTION
    "AdapterLab trains bottleneck adapters (Houlsby et al., 2019) and baselines on BERT\n"
    "backbones and compares trainable parameters against accuracy: a Qt desktop workbench\n"
    "(adapterlab) and a headless command line (adapterlab-cli) over one SQLite store.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # runtime libraries found by dpkg-shlibdeps
# Loaded at run time, so dpkg-shlibdeps cannot see it: an optimized BLAS (without one Debian's
# LibTorch uses the reference BLAS, 7x slower).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp | libopenblas0")
include(CPack)
