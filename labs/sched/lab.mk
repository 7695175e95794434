# labs/sched/lab.mk: what the sched lab adds to the build.
# schedtest, the grader's probe, is built from labs/sched/user/.  One hart:
# shares divide one CPU, and the tests measure how.
LAB_UPROGS := schedtest
LAB_CFLAGS := -DLAB_SCHED
LAB_CPUS := 1
