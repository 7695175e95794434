# labs/mmap/lab.mk: what the mmap lab adds to the build.
# mmaptest, the grader's probe, is built from labs/mmap/user/mmaptest.c.
LAB_UPROGS := mmaptest
