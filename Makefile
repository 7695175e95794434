# Makefile for the whole system: kernel, user programs, mkfs, disk image,
# tests.  `make help` lists the targets; README.md explains them.

# ---- the lab in progress ----------------------------------------------------
# `make lab LAB=NAME` records the lab it starts in lab.conf (`LAB := NAME`);
# with no lab.conf, LAB is base, the system without a lab.  A lab's
# labs/NAME/lab.mk may set LAB_UPROGS (extra programs, from user/NAME.c or
# labs/NAME/user/NAME.c), LAB_FILES (extra files for fs.img), LAB_CFLAGS,
# LAB_CPUS, LAB_MEM, LAB_QEMUOPTS and LAB_ANSWERS (yes: handin needs
# answers-NAME.txt).  labs/README.md describes the conventions.
-include lab.conf
LAB ?= base
ifneq ($(strip $(LAB)),base)
-include labs/$(strip $(LAB))/lab.mk
endif
LAB := $(strip $(LAB))

# ---- configuration (override on the command line) ---------------------------
CPUS   ?= $(or $(LAB_CPUS),3)   # harts QEMU gives the guest (1..8)
MEM    ?= $(or $(LAB_MEM),128M) # guest RAM (128M..2G)
DEBUG  ?= 0            # 1: build without optimisation, for stepping in gdb
KTEST  ?= 0            # 1: a test kernel that can be made to fail (kernel/lib/ktest.h)
LOCKDEP ?= $(DEBUG)     # 1: check the order locks are taken in (kernel/lock/lockdep.c)
CHECKS ?= $(DEBUG)      # 1: junk-fill freed pages and run the costlier invariant checks
V      ?= 0            # 1: show every command

# The cross toolchain: the first prefix whose gcc is on PATH.
TOOLPREFIX ?= $(firstword $(foreach p,riscv64-unknown-elf- riscv64-elf- \
	riscv64-linux-gnu- riscv64-unknown-linux-gnu-, \
	$(if $(shell command -v $(p)gcc 2>/dev/null),$(p))))

QEMU    ?= qemu-system-riscv64
HOSTCC  ?= cc
PYTHON  ?= python3

CC      = $(TOOLPREFIX)gcc
LD      = $(TOOLPREFIX)ld
OBJCOPY = $(TOOLPREFIX)objcopy
OBJDUMP = $(TOOLPREFIX)objdump
NM      = $(TOOLPREFIX)nm

ifeq ($(V),1)
Q =
else
Q = @
endif

ifeq ($(DEBUG),1)
OPT = -O0
else
OPT = -O2
endif

# Kernel and user code: no FPU (user floats use soft-float), no libc.
ARCHFLAGS = -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
CFLAGS  = $(ARCHFLAGS) $(OPT) -g -Wall -Wmissing-prototypes -Werror -std=gnu11 \
          -ffreestanding -fno-common -nostdlib -fno-stack-protector \
          -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
          -fno-pie -no-pie -I. -MD -MP
ASFLAGS = $(ARCHFLAGS) -g -I. -MD -MP -D__ASSEMBLER__
LDFLAGS = -z max-page-size=4096 --no-warn-rwx-segments

# A lab's flags (such as -DLAB_UTIL) reach kernel and user code alike, and
# are part of build/flags, so changing lab rebuilds everything.
CFLAGS  += $(LAB_CFLAGS)
ASFLAGS += $(LAB_CFLAGS)

HOSTCFLAGS = -O2 -g -Wall -Wmissing-prototypes -Werror -std=gnu11 -I.

# ---- the kernel -------------------------------------------------------------
# Every .c and .S file under kernel/ (kernel/main.c and one folder per
# subsystem, README.md lists them) is part of the kernel, except host tests
# (*_test.c).
KSRCS = $(filter-out %_test.c,$(wildcard kernel/*.c kernel/*/*.c)) \
        $(wildcard kernel/*/*.S) \
        include/fmt.c include/string.c include/errno.c
KOBJS = $(patsubst %.c,build/%.o,$(patsubst %.S,build/%.o,$(KSRCS)))

all: kernel/kernel userprogs mkfs/mkfs mkfs/fsck fs.img

# The kernel is linked twice, so that it can name its own functions in a
# panic's backtrace (kernel/lib/ksym.c): the first link has no symbol table;
# nm lists its functions and kernel/lib/ksymtab.awk writes them as
# build/kernel/ksymtab.S; the second link adds that table.  The table sits
# after all the code (kernel/riscv/kernel.ld), and the check after the second
# link proves that the final kernel's functions are the ones listed.
KSYMTAB_OF = $(NM) -n $(1) | awk -v from=build/kernel/kernel.nosyms -f kernel/lib/ksymtab.awk

build/kernel/kernel.nosyms: $(KOBJS) kernel/riscv/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T kernel/riscv/kernel.ld -o $@ $(KOBJS)

build/kernel/ksymtab.S: build/kernel/kernel.nosyms kernel/lib/ksymtab.awk
	@echo "  KSYMTAB $@"
	$(Q)$(call KSYMTAB_OF,$<) > $@

build/kernel/ksymtab.o: build/kernel/ksymtab.S
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

kernel/kernel: $(KOBJS) build/kernel/ksymtab.o kernel/riscv/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T kernel/riscv/kernel.ld -o $@ $(KOBJS) build/kernel/ksymtab.o
	$(Q)$(call KSYMTAB_OF,$@) | cmp -s - build/kernel/ksymtab.S || \
		{ echo "$@: adding the symbol table moved functions"; exit 1; }
	$(Q)$(OBJDUMP) -S $@ > kernel/kernel.asm
	$(Q)$(NM) -n $@ > kernel/kernel.sym

build/kernel/%.o build/include/%.o: CFLAGS += -DKERNEL $(if $(filter 1,$(KTEST)),-DKTEST) \
	$(if $(filter 1,$(strip $(LOCKDEP))),-DLOCKDEP) \
	$(if $(filter 1,$(strip $(CHECKS))),-DKALLOC_JUNK -DDEBUG_CHECKS=1)

# Objects depend on the flags they were built with, recorded in build/flags,
# so that switching DEBUG or KTEST rebuilds everything instead of mixing
# optimised and unoptimised (or test and normal) code.
BUILD_FLAGS := $(CC) $(CFLAGS) $(ASFLAGS) KTEST=$(strip $(KTEST)) \
	LOCKDEP=$(strip $(LOCKDEP)) CHECKS=$(strip $(CHECKS))

build/flags: FORCE
	@mkdir -p build
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@

# The same for what goes on fs.img: switching labs changes the list.
FSIMG_FILES = README.md $(UPROGS) $(LAB_FILES)

build/fsimg-files: FORCE
	@mkdir -p build
	@echo '$(FSIMG_FILES)' | cmp -s - $@ || echo '$(FSIMG_FILES)' > $@

FORCE:

build/%.o: %.c build/flags
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

build/%.o: %.S build/flags
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

# ---- user programs ----------------------------------------------------------
# Each user/NAME.c is a program, installed as /bin/NAME; user/lib/ is libc.
ULIBSRCS = $(wildcard user/lib/*.c) $(wildcard user/lib/*.S) include/fmt.c include/string.c \
           include/errno.c
ULIBOBJS = $(patsubst %.c,build/u/%.o,$(patsubst %.S,build/u/%.o,$(ULIBSRCS)))
UPROGS   = $(sort $(patsubst user/%.c,user/bin/%,$(wildcard user/*.c)) \
             $(addprefix user/bin/,$(LAB_UPROGS)))

userprogs: $(UPROGS)

build/u/%.o: %.c build/flags
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

build/u/%.o: %.S build/flags
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

LIBGCC = $(shell $(CC) $(ARCHFLAGS) -print-libgcc-file-name)

user/bin/%: build/u/user/%.o $(ULIBOBJS) user/user.ld
	@mkdir -p user/bin
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T user/user.ld -o $@ build/u/user/lib/crt0.o \
		$< $(filter-out build/u/user/lib/crt0.o,$(ULIBOBJS)) $(LIBGCC)

# A lab's test program, labs/LAB/user/NAME.c, when user/NAME.c is not there.
user/bin/%: build/u/labs/$(LAB)/user/%.o $(ULIBOBJS) user/user.ld
	@mkdir -p user/bin
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T user/user.ld -o $@ build/u/user/lib/crt0.o \
		$< $(filter-out build/u/user/lib/crt0.o,$(ULIBOBJS)) $(LIBGCC)

# ---- mkfs and the disk image ------------------------------------------------
mkfs/mkfs: mkfs/mkfs.c include/*.h
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ mkfs/mkfs.c

# fsck checks an image and repairs what is safe; `mkfs/fsck -n fs.img` only reports.
mkfs/fsck: mkfs/fsck.c include/*.h
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ mkfs/fsck.c

# fs.img depends on build/fsimg-files too, so that switching labs (which
# changes the programs and files on it) rebuilds it.
fs.img: mkfs/mkfs README.md $(UPROGS) $(LAB_FILES) build/fsimg-files
	@echo "  MKFS    $@"
	$(Q)mkfs/mkfs $@ $(FSIMG_FILES)

# ---- host unit tests --------------------------------------------------------
# Every *_test.c beside the code it tests is a host program printing
# "N passed, M failed".
UNITTESTS = $(patsubst %.c,build/host/%,$(wildcard include/*_test.c kernel/*/*_test.c mkfs/*_test.c))

build/host/%: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -MD -MP -o $@ $< $(TEST_SOURCES_$(notdir $*))

# Code under test that a test links with (besides what it includes).
TEST_SOURCES_fmt_test    = include/fmt.c
TEST_SOURCES_buddy_test  = kernel/mem/buddy.c
build/host/include/fmt_test: include/fmt.c
build/host/kernel/mem/buddy_test: kernel/mem/buddy.c

# mkfs_test and fsck_test run mkfs/mkfs and mkfs/fsck, so those come first.
unit: $(UNITTESTS) mkfs/mkfs mkfs/fsck
	@fail=0; for t in $(UNITTESTS); do $$t || fail=1; done; exit $$fail

# ---- running ----------------------------------------------------------------
FSIMG ?= fs.img        # the disk image QEMU uses (tests pass a private copy)

QEMUOPTS = -machine virt -bios default -kernel kernel/kernel -m $(strip $(MEM)) \
	-smp $(strip $(CPUS)) -nographic \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(strip $(FSIMG)),if=none,format=raw,id=x0,cache=writeback \
	-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 $(LAB_QEMUOPTS)

# check-tools may install the toolchain, so the build runs in a fresh make
# that finds it.
qemu: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMUOPTS)

# Instruction counts of kernel paths (user/bench.c), one hart, exact counting.
bench: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(Q)cd grading && $(PYTHON) bench.py $(BENCH)

# Print the QEMU command line (the graders and tests use it).
print-qemu:
	@echo $(QEMU) $(QEMUOPTS)

# Print the guest's harts and memory (the graders' defaults).
print-size:
	@echo $(strip $(CPUS)) $(strip $(MEM))

# Print the command that compiles kernel code (grading/tree_test.py uses it).
print-kernel-cc:
	@echo $(CC) $(CFLAGS) -DKERNEL

# ---- debugging --------------------------------------------------------------
# `make qemu-gdb` boots like `make qemu`, except that QEMU waits, halted
# before the first instruction, for gdb on a TCP port of this user's own
# (so that users sharing a machine do not collide), and that .gdbinit,
# written from .gdbinit.tmpl, tells gdb where to connect.  README.md
# ("Debugging") walks through a first session.
GDBPORT ?= $(shell expr 25000 + $$(id -u) % 5000)
GDBINIT ?= .gdbinit
GDB     ?= $(firstword $(foreach g,riscv64-unknown-elf-gdb riscv64-elf-gdb \
	riscv64-linux-gnu-gdb riscv64-unknown-linux-gnu-gdb gdb-multiarch, \
	$(if $(shell command -v $(g) 2>/dev/null),$(g))))

# A constant from the kernel's headers, as a C expression gdb can evaluate.
KCONST = $(shell echo $(1) | $(CC) $(ARCHFLAGS) -ffreestanding -I. -E -P \
	-include kernel/riscv/memlayout.h - | tail -n 1)

qemu-gdb: check-tools
	$(Q)$(MAKE) --no-print-directory all $(GDBINIT)
	@echo "*** QEMU is waiting for gdb on port $(strip $(GDBPORT)).  In another terminal,"
	@echo "*** in this directory, run:"
	@echo "***     $(or $(GDB),gdb-multiarch) -nx -x $(GDBINIT)"
	$(if $(GDB),,@echo "*** (no RISC-V gdb found: install gdb-multiarch, e.g. with make deps)")
	$(QEMU) $(QEMUOPTS) -S -gdb tcp:127.0.0.1:$(strip $(GDBPORT))

print-gdbport:
	@echo $(GDBPORT)

# Rewritten every time, since GDBPORT may differ from the last run.
$(GDBINIT): .gdbinit.tmpl build/kernel/trampoline.sym FORCE
	@echo "  GEN     $@"
	$(Q)sed -e 's/@GDBPORT@/$(strip $(GDBPORT))/' \
		-e 's/@TRAMPOLINE@/$(call KCONST,TRAMPOLINE)/' \
		-e 's/@USER_BASE@/$(call KCONST,USER_BASE)/' $< > $@

# The trampoline runs at TRAMPOLINE, not where it was linked; .gdbinit
# loads these two names a second time, shifted to where they run.
build/kernel/trampoline.sym: kernel/kernel
	$(Q)$(OBJCOPY) --strip-all --keep-symbol=uservec --keep-symbol=userret $< $@

# ---- tests ------------------------------------------------------------------
# grade runs a grader: grading/grade-base.py for the base system, else the
# lab's labs/$(LAB)/grade.py (or grading/grade-$(LAB).py), with grading/ on
# PYTHONPATH so that `from gradelib import *` finds the library.  GRADEFLAGS passes it options, such as "-v cd" (show the
# console, run only tests with "cd" in their title) or -j2 (two at a time).
# test builds, then grading/run_tests.py runs every suite: the host unit
# tests, the tree check (grading/tree_test.py), the book's citation check
# and the checker's tests, the book's sample sessions run in the guest
# (grading/book_samples_test.py), the browser check of the HTML book
# (book/browser_check.py, skipped without Chromium), the grading
# library's own tests, a grader written for MIT's gradelib run unchanged
# (grading/mitstyle_test.py), the broken-kernel check, the gdb test, the
# test of the VS Code debugger set-up (grading/vscode_test.py), the check
# of the messages the troubleshooting appendix quotes
# (grading/troubleshooting_test.py), the crash
# tests of the file system's log (grading/crash_test.py), and the
# base grader (which runs usertests -q).  It ends with the total
# "N passed, M failed".  crash-sweep runs the crash tests at a larger
# scale: more lost-write subsets per flush interval, and a boot on every
# crash image of every workload that a prefix of the writes leaves.
GRADER = $(firstword $(wildcard labs/$(LAB)/grade.py) grading/grade-$(LAB).py)

grade: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(Q)PYTHONPATH=$(CURDIR)/grading$${PYTHONPATH:+:$$PYTHONPATH} \
		$(PYTHON) $(GRADER) $(GRADEFLAGS)

test: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) grading/run_tests.py

crash-sweep: check-tools
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) grading/crash_test.py --sweep

.PHONY: grade crash-sweep

# ---- labs -------------------------------------------------------------------
# grading/labtool.py does the work; labs/README.md explains each target.
# lab: start labs/LAB on a branch lab-LAB (LAB must be given on the command
# line).  lab-solve: apply the lab's reference solution to the working
# tree (staff only).  handin: write lab-LAB-handin.zip.  lab-export: the students'
# repository, without solutions, in DEST.  autograder: the Gradescope zip
# build/autograder-LAB.zip.
lab:
	$(Q)$(if $(filter command line,$(origin LAB)),,echo "usage: make lab LAB=NAME (labs/README.md lists the labs)"; exit 2;) \
	$(PYTHON) grading/labtool.py start $(LAB)

lab-solve:
	$(Q)$(PYTHON) grading/labtool.py solve $(LAB)

handin:
	$(Q)$(PYTHON) grading/labtool.py handin $(LAB)

lab-export:
	$(Q)$(PYTHON) grading/labtool.py export $(DEST)

autograder:
	$(Q)$(PYTHON) grading/labtool.py autograder $(LAB)

.PHONY: lab lab-solve handin lab-export autograder

# ---- the book ---------------------------------------------------------------
# check-book proves every citation and appendix table in book/ against the
# code, then runs the checker's own tests; book renders it to HTML with
# pandoc, each citation a link to the line it names, in build/book/
# (book/render.py describes the pages).
check-book:
	$(Q)$(PYTHON) book/check.py
	$(Q)$(PYTHON) book/check_test.py

book:
	$(Q)$(PYTHON) book/render.py build/book

.PHONY: book check-book

# ---- set-up -----------------------------------------------------------------
DEBIAN_PACKAGES = gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf \
	qemu-system-misc opensbi gdb-multiarch python3 make pandoc

# Homebrew's names for the same tools (macOS; README.md, "Set-up").
BREW_PACKAGES = riscv64-elf-gcc riscv64-elf-gdb qemu

deps:
	$(Q)if command -v apt-get >/dev/null 2>&1; then \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBIAN_PACKAGES); \
	elif command -v brew >/dev/null 2>&1; then \
		echo "No apt-get here.  Install the tools with Homebrew, then run make again:"; \
		echo "  brew install $(BREW_PACKAGES)"; \
		exit 1; \
	else \
		echo "No apt-get here.  Install the equivalents of:"; \
		echo "  Homebrew: brew install $(BREW_PACKAGES)"; \
		echo "  Arch:     pacman -S riscv64-elf-gcc riscv64-elf-binutils qemu-system-riscv opensbi gdb python"; \
		exit 1; \
	fi

# Install the tools when they are missing (make deps); refuse a QEMU older
# than 7.2, saying how to get a newer one on this platform.
check-tools:
	$(Q)if [ -z "$(TOOLPREFIX)" ] || ! command -v $(QEMU) >/dev/null 2>&1; then \
		echo "Cross compiler or QEMU missing: running 'make deps'."; \
		$(MAKE) --no-print-directory deps || exit 1; \
	fi
	$(Q)if ! command -v $(QEMU) >/dev/null 2>&1; then \
		echo "$(QEMU) is not on PATH: install QEMU 7.2 or newer (README.md, \"Set-up\"),"; \
		echo "or name yours: make QEMU=/path/to/qemu-system-riscv64"; exit 1; fi
	$(Q)v=$$($(QEMU) --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p'); \
	set -- $$v; if [ "$${1:-0}" -lt 7 ] || { [ "$$1" -eq 7 ] && [ "$$2" -lt 2 ]; }; then \
		echo "QEMU $${1:-?}.$${2:-?} is too old: this system needs QEMU 7.2 or newer."; \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Debian 12 and Ubuntu 24.04 (and newer releases) have it: upgrade to one,"; \
			if grep -qi microsoft /proc/version 2>/dev/null; then \
				echo "or, in WSL, add one from Windows: wsl --install -d Ubuntu-24.04;"; fi; \
			echo "or build QEMU 7.2 or newer from source and name it:"; \
			echo "  make QEMU=/path/to/qemu-system-riscv64 ..."; \
		elif command -v brew >/dev/null 2>&1; then \
			echo "Upgrade it: brew upgrade qemu"; \
		else \
			echo "Install a newer one, or name it: make QEMU=/path/to/qemu-system-riscv64"; \
		fi; \
		exit 1; fi

clean:
	rm -rf build kernel/kernel kernel/kernel.asm kernel/kernel.sym \
		user/bin mkfs/mkfs mkfs/fsck fs.img .gdbinit

.PHONY: all userprogs unit qemu print-qemu print-size print-kernel-cc bench test deps check-tools clean \
	qemu-gdb print-gdbport FORCE
.DELETE_ON_ERROR:
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
