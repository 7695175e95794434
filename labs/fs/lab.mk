# labs/fs/lab.mk: what the fs lab adds to the build.
# Test programs, from labs/fs/user/NAME.c, installed as /bin/NAME.
LAB_UPROGS := symtest renametest mv
