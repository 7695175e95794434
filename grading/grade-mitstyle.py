#!/usr/bin/env python3

# The base system, graded by a grader written the way graders for the
# gradelib.py of MIT's xv6 labs are (their grade-lab-*.py): the same
# imports, monitors, time limits and checks.  It runs under
# grading/gradelib.py unchanged; grading/mitstyle_test.py runs it, with a
# time.txt, as the test that such graders port.  What it says about the
# system itself is rivet's: programs are in /bin, ls names each entry's
# type, the top directory holds README.md (see "Coming from the xv6
# grading scripts" in grading/README.md).

import re
from gradelib import *

r = Runner(save("xv6.out"))

@test(5, "echo")
def test_echo():
    word = random_str()
    r.run_qemu(shell_script([
        'echo hello ' + word,
    ]))
    r.match('^hello %s$' % word)

@test(5, "ls")
def test_ls():
    r.run_qemu(shell_script([
        'ls /',
        'ls /bin',
    ]))
    r.match(r'^README\.md +file +\d+ +\d+$',
            r'^bin +dir ',
            r'^echo +file ',
            r'^usertests +file ')

@test(5, "sh < script, until DONE")
def test_script():
    r.run_qemu(shell_script([
        'echo echo hello > script.sh',
        'echo echo hello >> script.sh',
        'sh < script.sh',
        'echo DONE',
    ], 'DONE'))
    # sh reading a script from its input shows no prompt (xv6's does; the
    # pattern allows both).
    matches = re.findall(r'^(?:\$ )*hello$', r.qemu.output, re.M)
    assert_equal(len(matches), 2)

@test(0, "usertests pipe")
def test_usertests():
    r.run_qemu(shell_script([
        'usertests -q pipe',
    ]), timeout=120)

@test(3, "usertests: pipe_eof_after_writers_close", parent=test_usertests)
def test_pipe_eof():
    r.match('^test pipe_eof_after_writers_close: OK$')

@test(2, "usertests: all pipe tests", parent=test_usertests)
def test_usertests_all():
    r.match('^ALL TESTS PASSED$', no=['^test .*: FAILED'])

@test(5, "kill stops in sys_kill")
def test_kill_breakpoint():
    r.run_qemu(stop_breakpoint("sys_kill"), shell_script([
        'echo before',
        'kill 4242',
        'echo after',
    ]))
    r.match('^before$', no=['^after$'])

@test(1, "time")
def test_time():
    check_time()

run_tests()
