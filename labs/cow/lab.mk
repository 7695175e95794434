# labs/cow/lab.mk: what the cow lab adds to the build.
# cowtest, the grader's probe, and cowbench, the measurement of a large
# fork, are built from labs/cow/user/.
LAB_UPROGS := cowtest cowbench
LAB_CFLAGS := -DLAB_COW

# make cowbench [COWBENCH=MiB]: run cowbench on one hart that counts
# instructions exactly (-icount, as make bench does), and print its report.
cowbench: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) labs/cow/cowbench.py $(COWBENCH)

.PHONY: cowbench
