# labs/pgtbl/lab.mk: what the pgtbl lab adds to the build.
# Its test programs, from labs/pgtbl/user/, installed as /bin/NAME.
LAB_UPROGS := ptdump ugetpidtest superpagetest
LAB_ANSWERS := yes
LAB_CFLAGS := -DLAB_PGTBL
