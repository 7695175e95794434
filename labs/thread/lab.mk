# labs/thread/lab.mk: what the thread lab adds to the build.
# The probes uthreadtest, threadtest and synctest are built from
# labs/thread/user/.  Three harts: kernel threads run at once, so races and
# lost wake-ups have a chance to show.
LAB_UPROGS := uthreadtest threadtest synctest
LAB_CFLAGS := -DLAB_THREAD
LAB_CPUS := 3
