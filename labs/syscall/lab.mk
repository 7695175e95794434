# labs/syscall/lab.mk: what the syscall lab adds to the build.
# trace and sandbox are given ready-made (starter/user/, copied to user/);
# syscalltest is the grader's probe, built from labs/syscall/user/.
LAB_UPROGS := syscalltest
LAB_ANSWERS := yes
LAB_CFLAGS := -DLAB_SYSCALL
