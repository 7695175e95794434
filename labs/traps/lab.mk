# labs/traps/lab.mk: what the traps lab adds to the build.
# The lab's programs, from labs/traps/user/: the calling-convention
# example, the faulting call chain, and the tests of sigalarm/sigreturn.
LAB_UPROGS := callconv faultchain alarmcheck
LAB_ANSWERS := yes
LAB_CFLAGS := -DLAB_TRAPS

# A program's listing, source and instructions interleaved, for reading:
#   make user/bin/callconv.asm
user/bin/%.asm: user/bin/%
	@echo "  OBJDUMP $@"
	$(Q)$(OBJDUMP) -S $< > $@
