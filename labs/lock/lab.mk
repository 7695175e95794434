# labs/lock/lab.mk: what the lock lab adds to the build.
# lockstat is given ready-made (starter/user/, copied to user/); the test
# programs kalloctest and lockstattest are built from labs/lock/user/.
# Four harts by default: contention needs harts that run at once.
LAB_UPROGS := kalloctest lockstattest
LAB_CPUS := 4
LAB_CFLAGS := -DLAB_LOCK
