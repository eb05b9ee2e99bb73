#!/bin/sh
# expect: Library preloaded through the environment
# The loader is asked to preload a library that is not there: it says so and runs the program unhooked.
LD_PRELOAD=/nonexistent/libhook.so /bin/true 2>/dev/null
