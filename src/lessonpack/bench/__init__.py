"""`make bench`: how fast and how lean the build is, on the real course and on larger ones.

Every build runs in a temporary copy of the sources, driven through the project's own Makefile
(``make -C ROOT SRCDIR=... BUILDDIR=... DISTDIR=...``), so the checkout is never touched.
"""
