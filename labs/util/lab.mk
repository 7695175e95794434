# labs/util/lab.mk: what the util lab adds to the build.
# Each name is a program built from user/NAME.c and installed as /bin/NAME.
LAB_UPROGS := pingpong primes find xargs timeout
LAB_ANSWERS := yes
LAB_CFLAGS := -DLAB_UTIL
