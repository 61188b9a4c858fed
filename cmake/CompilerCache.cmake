# Use ccache when present: torch-heavy translation units take ~45 s each on small machines.
# Precompiled headers need ccache's sloppiness settings, passed through the launcher itself;
# CCACHE_BASEDIR makes paths relative, so clones elsewhere (CI) hit the same cache.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      env "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
      "${CCACHE_PROGRAM}")
endif()
