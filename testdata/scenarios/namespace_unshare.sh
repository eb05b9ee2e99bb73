#!/bin/sh
# expect: Namespace or mount manipulation
unshare -m true
