# One INTERFACE target carries warnings and sanitizer flags for every project target.
add_library(adapterlab_options INTERFACE)
add_library(adapterlab::options ALIAS adapterlab_options)
# -fvisibility-inlines-hidden: Debian's LibTorch loads Qt 5 (through OpenCV's highgui); an
# executable that emits an out-of-line Qt 6 inline function (Debug builds do) would otherwise
# export it, and Qt 5 would bind to it and crash at start-up (found by the ASan build).
target_compile_options(adapterlab_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter -fvisibility-inlines-hidden>)
target_compile_definitions(adapterlab_options INTERFACE
  ADAPTERLAB_VERSION="${PROJECT_VERSION}"
  QT_NO_KEYWORDS) # torch uses "slots" as an identifier

set(ADAPTERLAB_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
if(ADAPTERLAB_SANITIZE)
  target_compile_options(adapterlab_options INTERFACE
    -fsanitize=${ADAPTERLAB_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(adapterlab_options INTERFACE -fsanitize=${ADAPTERLAB_SANITIZE})
endif()
