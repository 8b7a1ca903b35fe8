"""The optional C extension; everything else about the package is in pyproject.toml.

`pipeline/extraction/_native.c` is compiled when a C compiler is present. The
build is optional: without a compiler (or if compiling fails) setuptools warns
and installs the package without it, and the pure-Python walk is used
(`pipeline/extraction/native.py` decides at run time).
"""

import sys

from setuptools import Extension, setup

extensions = []
if sys.platform != "win32":  # dlopen/dlsym: POSIX only
    extensions.append(
        Extension(
            "pipeline.extraction._native",
            sources=["pipeline/extraction/_native.c"],
            extra_compile_args=["-O3", "-Wall"],
            libraries=["dl"] if sys.platform.startswith("linux") else [],
            optional=True,
        )
    )

setup(ext_modules=extensions)
