/*
 * user/sh.c: the shell.
 *
 * usage: sh [file]
 *
 * Reads commands a line at a time, from its input or from file when one is
 * named, turns each line into a command tree and runs it.  It shows the
 * prompt "$ " on fd 2 only when it reads a terminal (the console), so that
 * `sh < script` prints what the script's commands print and nothing more.  End of input (Ctrl-D at the prompt) or the
 * builtin `exit` ends the shell.
 *
 * The grammar of one line, parsed by recursive descent, one function a rule:
 *
 *   line      := [ list ]
 *   list      := pipeline { sep pipeline } [ sep ]
 *   sep       := ';'                       run the pipeline before it, wait
 *              | '&'                       run it in the background
 *   pipeline  := command { '|' command }
 *   command   := '(' list ')' { redir }    a group, run by a child shell
 *              | simple
 *   simple    := { word | redir }          at least one of either
 *   redir     := '<' word | '>' word | '>>' word
 *
 * A word is a run of characters other than blanks and | ; & ( ) < >.
 * Inside '...' or "..." every character is literal, blanks and operators
 * included; the quotes themselves are dropped.  A word that starts with
 * '#' begins a comment that runs to the end of the line.
 *
 * The tree is built from a fixed pool of nodes, one pool per line:
 *
 *   EXEC   argv                    run a program (argv[0] NULL: nothing to
 *                                  run, only redirections)
 *   REDIR  file, fd, flags, left   open file as fd, then run left
 *   PIPE   left, right             left's output is right's input
 *   LIST   left, right             run left, then right
 *   BACK   left                    run left without waiting for it
 *   GROUP  left                    run the list left in a child shell
 *
 * Lists and pipelines are chains that lean right (a ; b ; c is
 * LIST(a, LIST(b, c))), and the runner walks them with loops, so only ( )
 * nesting, which MAXDEPTH bounds, makes the parser or the runner recurse.
 *
 * Running: the shell process runs the items of a top-level list one by one;
 * builtins (cd, exit) run in the shell itself, anything else in a child
 * the shell waits for.  A background item is started by a child that forks
 * the real command and exits at once: the shell reaps that child, and the
 * orphaned command is reaped by init when it ends.  A pipeline is run by
 * one child that forks a process per stage and waits for all of them.
 *
 * Job control, in a shell reading the console: each child the shell forks
 * is a job, and starts a process group of its own (setpgid), which
 * everything it forks stays in.  A foreground job gets the console
 * (tcsetpgrp), so that Ctrl-C stops that job, whole, and nothing else;
 * when it ends, the shell takes the console back with no group at all, so
 * that a Ctrl-C at the prompt only clears the line (it does so when it
 * starts, too: a shell run from a shell is not stopped by Ctrl-C).  A job that Ctrl-C
 * stopped (exit status EXIT_INTERRUPTED) ends the rest of its line too,
 * as in other shells.  The console has already echoed ^C: the shell adds
 * nothing.
 */
#include "user/user.h"

#define LINEMAX   512   /* longest input line, newline and NUL included */
#define NNODES    128   /* nodes in the tree of one line */
#define MAXDEPTH   16   /* deepest nesting of ( ) */

/* ---- the command tree ---------------------------------------------------- */

enum kind { N_EXEC, N_REDIR, N_PIPE, N_LIST, N_BACK, N_GROUP };

struct node {
	enum kind kind;
	struct node *left;      /* PIPE, LIST: the first part; else the command */
	struct node *right;     /* PIPE, LIST: the rest of the chain */
	char *argv[MAXARG + 1]; /* EXEC: the words, NULL-terminated */
	int argc;               /* EXEC */
	char *file;             /* REDIR: the file to open ... */
	int fd;                 /* ... as this descriptor ... */
	int flags;              /* ... with these open() flags */
};

/* ---- the parser's state -------------------------------------------------- */

enum token {
	T_END, T_WORD,
	T_PIPE, T_SEMI, T_AMP, T_LPAREN, T_RPAREN, T_IN, T_OUT,  /* one char */
	T_APPEND,
};

/* How each token is written; the one-character operators are looked up here. */
static const char *const spelling[] = {
	[T_END] = "end of line", [T_WORD] = "word",
	[T_PIPE] = "|", [T_SEMI] = ";", [T_AMP] = "&", [T_LPAREN] = "(",
	[T_RPAREN] = ")", [T_IN] = "<", [T_OUT] = ">", [T_APPEND] = ">>",
};

/*
 * Everything about the line being parsed.  Words are copied, with their
 * quotes removed and a NUL added, into words[]: a word takes at most one
 * byte more than the characters it was read from, so twice the line's
 * length always suffices.
 */
struct parser {
	const char *p;          /* next unread character of the line */
	enum token tok;         /* the current token ... */
	char *word;             /* ... and its text when it is T_WORD */
	char *wfree;            /* first unused byte of words[] */
	int nnodes;             /* nodes used from nodes[] */
	int depth;              /* ( ) open around the current token */
	bool failed;            /* an error was found; error[] says which */
	char error[96];
	struct node nodes[NNODES];
	char words[2 * LINEMAX];
};

/* Redirections read so far for one command, first written outermost. */
struct chain {
	struct node *first;
	struct node *last;
};

static struct parser parser;

static void fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct node *parse_list(struct parser *ps);
static void run_child(struct node *n) __attribute__((noreturn));
static int run_here(struct node *n);

/* ---- errors found while parsing ------------------------------------------ */

/* Record the first error of the line; later ones are consequences of it. */
static void
fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(ps->error, sizeof(ps->error), fmt, ap);
	va_end(ap);
}

/* The current token cannot stand here. */
static void
syntax_error(struct parser *ps)
{
	if (ps->tok == T_END)
		fail(ps, "syntax error near end of line");
	else if (ps->tok == T_WORD)
		fail(ps, "syntax error near '%s'", ps->word);
	else
		fail(ps, "syntax error near '%s'", spelling[ps->tok]);
}

/* ---- the tokenizer ------------------------------------------------------- */

/* The one-character operator written c, or T_END when c is not one. */
static enum token
operator_char(char c)
{
	enum token t;

	for (t = T_PIPE; t < T_APPEND; t++)
		if (spelling[t][0] == c)
			return t;
	return T_END;
}

static void
put_char(struct parser *ps, char c)
{
	if (ps->wfree == ps->words + sizeof(ps->words)) {
		fail(ps, "line too long");
		return;
	}
	*ps->wfree++ = c;
}

/* Copy the word at ps->p into words[], removing quotes. */
static void
read_word(struct parser *ps)
{
	char quote;

	ps->word = ps->wfree;
	while (*ps->p != 0 && !isspace(*ps->p) &&
	       operator_char(*ps->p) == T_END) {
		if (*ps->p != '\'' && *ps->p != '"') {
			put_char(ps, *ps->p++);
			continue;
		}
		quote = *ps->p++;
		while (*ps->p != 0 && *ps->p != quote)
			put_char(ps, *ps->p++);
		if (*ps->p == 0) {
			fail(ps, "syntax error near unmatched %c", quote);
			break;
		}
		ps->p++;
	}
	put_char(ps, 0);
}

/* Advance to the next token: set ps->tok, and ps->word for a word. */
static void
next_token(struct parser *ps)
{
	while (isspace(*ps->p))
		ps->p++;
	if (*ps->p == 0 || *ps->p == '#') {
		ps->tok = T_END;
	} else if (ps->p[0] == '>' && ps->p[1] == '>') {
		ps->tok = T_APPEND;
		ps->p += 2;
	} else if (operator_char(*ps->p) != T_END) {
		ps->tok = operator_char(*ps->p);
		ps->p++;
	} else {
		ps->tok = T_WORD;
		read_word(ps);
	}
}

/* ---- the parser: one function a grammar rule ----------------------------- */

/* A zeroed node from the pool, or NULL (and an error) when it is used up. */
static struct node *
new_node(struct parser *ps, enum kind kind)
{
	struct node *n;

	if (ps->nnodes == NNODES) {
		fail(ps, "command too long");
		return NULL;
	}
	n = &ps->nodes[ps->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

static bool
is_redirect(enum token t)
{
	return t == T_IN || t == T_OUT || t == T_APPEND;
}

/* redir: the operator is the current token.  Appends a REDIR to *ch. */
static bool
parse_redirect(struct parser *ps, struct chain *ch)
{
	enum token op = ps->tok;
	struct node *r;

	next_token(ps);
	if (ps->tok != T_WORD) {
		syntax_error(ps);
		return false;
	}
	if ((r = new_node(ps, N_REDIR)) == NULL)
		return false;
	r->file = ps->word;
	r->fd = op == T_IN ? 0 : 1;
	if (op == T_IN)
		r->flags = O_RDONLY;
	else if (op == T_OUT)
		r->flags = O_WRONLY | O_CREATE | O_TRUNC;
	else
		r->flags = O_WRONLY | O_CREATE | O_APPEND;
	if (ch->last != NULL)
		ch->last->left = r;
	else
		ch->first = r;
	ch->last = r;
	next_token(ps);
	return true;
}

/* Put cmd inside the redirections of *ch; returns the outermost node. */
static struct node *
wrap(struct chain *ch, struct node *cmd)
{
	if (ch->last == NULL)
		return cmd;
	ch->last->left = cmd;
	return ch->first;
}

/* simple: words and redirections, at least one of them. */
static struct node *
parse_simple(struct parser *ps)
{
	struct chain ch = { NULL, NULL };
	struct node *exec;

	if ((exec = new_node(ps, N_EXEC)) == NULL)
		return NULL;
	for (;;) {
		if (is_redirect(ps->tok)) {
			if (!parse_redirect(ps, &ch))
				return NULL;
		} else if (ps->tok == T_WORD) {
			if (exec->argc == MAXARG) {
				fail(ps, "more than %d arguments", MAXARG);
				return NULL;
			}
			exec->argv[exec->argc++] = ps->word;
			next_token(ps);
		} else {
			break;
		}
	}
	if (exec->argc == 0 && ch.first == NULL) {
		syntax_error(ps);
		return NULL;
	}
	return wrap(&ch, exec);
}

/* '(' list ')' { redir }: the current token is the '('. */
static struct node *
parse_group(struct parser *ps)
{
	struct chain ch = { NULL, NULL };
	struct node *body, *group;

	if (++ps->depth > MAXDEPTH) {
		fail(ps, "( ) nested more than %d deep", MAXDEPTH);
		return NULL;
	}
	next_token(ps);
	if ((body = parse_list(ps)) == NULL)
		return NULL;
	if (ps->tok != T_RPAREN) {
		syntax_error(ps);
		return NULL;
	}
	ps->depth--;
	next_token(ps);
	if ((group = new_node(ps, N_GROUP)) == NULL)
		return NULL;
	group->left = body;
	while (is_redirect(ps->tok))
		if (!parse_redirect(ps, &ch))
			return NULL;
	return wrap(&ch, group);
}

static struct node *
parse_command(struct parser *ps)
{
	if (ps->tok == T_LPAREN)
		return parse_group(ps);
	return parse_simple(ps);
}

/* pipeline: commands joined by '|', as a right-leaning chain of PIPEs. */
static struct node *
parse_pipeline(struct parser *ps)
{
	struct node *head = NULL, **tail = &head, *cmd, *joint;

	for (;;) {
		if ((cmd = parse_command(ps)) == NULL)
			return NULL;
		if (ps->tok != T_PIPE) {
			*tail = cmd;
			return head;
		}
		next_token(ps);
		if ((joint = new_node(ps, N_PIPE)) == NULL)
			return NULL;
		joint->left = cmd;
		*tail = joint;
		tail = &joint->right;
	}
}

/*
 * list: pipelines separated by ';' or '&', as a right-leaning chain of
 * LISTs.  A separator may end the list, before the end of the line or a ')'.
 */
static struct node *
parse_list(struct parser *ps)
{
	struct node *head = NULL, **tail = &head, *item, *back, *joint;

	for (;;) {
		if ((item = parse_pipeline(ps)) == NULL)
			return NULL;
		if (ps->tok == T_AMP) {
			if ((back = new_node(ps, N_BACK)) == NULL)
				return NULL;
			back->left = item;
			item = back;
		}
		*tail = item;
		if (ps->tok != T_SEMI && ps->tok != T_AMP)
			return head;
		next_token(ps);
		if (ps->tok == T_END || ps->tok == T_RPAREN)
			return head;
		if ((joint = new_node(ps, N_LIST)) == NULL)
			return NULL;
		joint->left = item;
		*tail = joint;
		tail = &joint->right;
	}
}

/*
 * Parse one line.  Returns its tree, or NULL when there is nothing to run:
 * the line is empty, or it has an error (ps->failed, ps->error).
 */
static struct node *
parse_line(struct parser *ps, const char *line)
{
	struct node *tree;

	ps->p = line;
	ps->wfree = ps->words;
	ps->nnodes = 0;
	ps->depth = 0;
	ps->failed = false;
	next_token(ps);
	if (ps->tok == T_END)
		return NULL;
	tree = parse_list(ps);
	if (tree != NULL && ps->tok != T_END)
		syntax_error(ps);
	return ps->failed ? NULL : tree;
}

/* ---- builtins ------------------------------------------------------------ */

static int
builtin_cd(char **argv)
{
	const char *dir = argv[1] != NULL ? argv[1] : "/";

	if (argv[1] != NULL && argv[2] != NULL) {
		fprintf(2, "usage: cd [dir]\n");
		return 2;
	}
	if (chdir(dir) < 0) {
		fprintf(2, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* If argv names a builtin, run it, set *status and return true. */
static bool
run_builtin(char **argv, int *status)
{
	if (argv[0] == NULL)
		return false;
	if (strcmp(argv[0], "cd") == 0) {
		*status = builtin_cd(argv);
		return true;
	}
	if (strcmp(argv[0], "exit") == 0)
		exit(argv[1] != NULL ? atoi(argv[1]) : 0);
	return false;
}

/* ---- running commands ---------------------------------------------------- */

/* Renumber descriptor from as to, closing what to was. */
static int
move_fd(int from, int to)
{
	if (from == to)
		return 0;
	close(to);
	if (dup(from) != to) {
		fprintf(2, "sh: cannot move fd %d to fd %d\n", from, to);
		return -1;
	}
	close(from);
	return 0;
}

/* ---- job control: see the top of the file --------------------------------- */

static bool job_control;   /* this process is the interactive shell */

/* In the shell, just after forking job pid: its own group, and the
 * console if it runs in the foreground.  The job does the same (become_job),
 * since either may run first. */
static void
give_job(int pid, bool foreground)
{
	if (!job_control)
		return;
	setpgid(pid, pid);
	if (foreground)
		tcsetpgrp(0, pid);
}

/* In a job, just after the fork: the other side of give_job.  What the job
 * forks stays in its group. */
static void
become_job(bool foreground)
{
	if (!job_control)
		return;
	give_job(getpid(), foreground);
	job_control = false;
}

/* In the shell, when a foreground job has ended: no group has the console. */
static void
take_console_back(void)
{
	if (job_control)
		tcsetpgrp(0, 0);
}

/* Wait until child pid ends; returns its exit status. */
static int
wait_for(int pid)
{
	int status, w;

	while ((w = wait(&status)) >= 0)
		if (w == pid)
			return status;
	return 1;
}

/*
 * Exec argv, in a child.  A name with a '/' is used as it is; any other
 * is looked for in /bin, then in the current directory.
 */
static void __attribute__((noreturn))
run_program(char **argv)
{
	char path[MAXPATH];
	int status, err;

	if (argv[0] == NULL)
		exit(0);
	if (run_builtin(argv, &status))
		exit(status);
	if (strchr(argv[0], '/') != NULL) {
		exec(argv[0], argv);
		fprintf(2, "sh: %s: %s\n", argv[0], strerror(errno));
		exit(1);
	}
	err = ENAMETOOLONG;
	if (snprintf(path, sizeof(path), "/bin/%s", argv[0]) < MAXPATH) {
		exec(path, argv);
		err = errno;
	}
	exec(argv[0], argv);
	if (err == ENOENT && errno != ENOENT)
		err = errno;
	fprintf(2, "sh: %s: %s\n", argv[0], strerror(err));
	exit(1);
}

/* Open the file of redirection r as its descriptor, in a child. */
static void
redirect(struct node *r)
{
	int fd;

	if ((fd = open(r->file, r->flags)) < 0) {
		fprintf(2, "sh: %s: %s\n", r->file, strerror(errno));
		exit(1);
	}
	if (move_fd(fd, r->fd) < 0)
		exit(1);
}

/*
 * Fork a process for one pipeline stage, reading from in and writing to
 * out (-1: leave the descriptor as it is).  spare, when not -1, is the
 * other end (the read end) of the stage's output pipe, which the stage must
 * not hold: if its reader exited early, the stage would then block on a
 * full pipe forever instead of getting EPIPE.  Returns the pid, or -1.
 */
static int
start_stage(struct node *cmd, int in, int out, int spare)
{
	int pid;

	if ((pid = fork()) < 0) {
		fprintf(2, "sh: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (spare >= 0)
			close(spare);
		if (in >= 0 && move_fd(in, 0) < 0)
			exit(1);
		if (out >= 0 && move_fd(out, 1) < 0)
			exit(1);
		run_child(cmd);
	}
	return pid;
}

/*
 * Run the PIPE chain n, in the child dedicated to it: start every stage,
 * then wait for all of them.  Returns the last stage's exit status.
 */
static int
run_pipeline(struct node *n)
{
	int fds[2], in = -1, last = -1, status = 1, pid, st;

	for (; n->kind == N_PIPE; n = n->right) {
		if (pipe(fds) < 0) {
			fprintf(2, "sh: pipe: %s\n", strerror(errno));
			n = NULL;
			break;
		}
		start_stage(n->left, in, fds[1], fds[0]);
		close(fds[1]);
		if (in >= 0)
			close(in);
		in = fds[0];
	}
	if (n != NULL)
		last = start_stage(n, in, -1, -1);
	if (in >= 0)
		close(in);
	while ((pid = wait(&st)) >= 0)
		if (pid == last)
			status = st;
	return status;
}

/* Run n in this process, a child of the shell; never returns. */
static void
run_child(struct node *n)
{
	while (n->kind == N_REDIR) {
		redirect(n);
		n = n->left;
	}
	if (n->kind == N_EXEC)
		run_program(n->argv);
	if (n->kind == N_PIPE)
		exit(run_pipeline(n));
	if (n->kind == N_GROUP)
		n = n->left;
	exit(run_here(n));
}

/* Start n without waiting for it; see the top of the file. */
static int
run_background(struct node *n)
{
	int pid, job;

	if ((pid = fork()) < 0) {
		fprintf(2, "sh: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		become_job(false);
		if ((job = fork()) < 0) {
			fprintf(2, "sh: fork: %s\n", strerror(errno));
			exit(1);
		}
		if (job == 0)
			run_child(n);
		exit(0);
	}
	give_job(pid, false);
	wait_for(pid);
	return 0;
}

/* Run one item of a list: a background job, a builtin, or a child. */
static int
run_item(struct node *n)
{
	int pid, status;

	if (n->kind == N_BACK)
		return run_background(n->left);
	if (n->kind == N_EXEC && run_builtin(n->argv, &status))
		return status;
	if ((pid = fork()) < 0) {
		fprintf(2, "sh: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		become_job(true);
		run_child(n);
	}
	give_job(pid, true);
	status = wait_for(pid);
	take_console_back();
	return status;
}

/* Run the LIST chain n item by item; returns the last one's status. */
static int
run_here(struct node *n)
{
	for (; n->kind == N_LIST; n = n->right)
		if (run_item(n->left) == EXIT_INTERRUPTED)
			return EXIT_INTERRUPTED;    /* Ctrl-C: the rest goes too */
	return run_item(n);
}

/* ---- reading lines ------------------------------------------------------- */

/*
 * Read a line into buf, without its newline.  Returns 1 for a line, 0 for
 * a line longer than buf (read to its end and dropped), -1 at end of input.
 */
static int
read_line(char *buf, int size)
{
	int len;

	gets(buf, size);
	if ((len = strlen(buf)) == 0)
		return -1;
	if (buf[len - 1] == '\n') {
		buf[len - 1] = 0;
		return 1;
	}
	if (len < size - 1)
		return 1;
	do {
		gets(buf, size);
		len = strlen(buf);
	} while (len > 0 && buf[len - 1] != '\n');
	return 0;
}

/* Make the script named path the shell's standard input. */
static int
open_script(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		fprintf(2, "sh: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return move_fd(fd, 0);
}

int
main(int argc, char **argv)
{
	static char line[LINEMAX];
	struct node *tree;
	bool interactive;
	int r;

	if (argc > 2) {
		fprintf(2, "usage: sh [file]\n");
		return 2;
	}
	if (argc == 2 && open_script(argv[1]) < 0)
		return 1;
	interactive = isatty(0);
	job_control = interactive;
	take_console_back();     /* a shell started from a shell: the prompt is ours */
	for (;;) {
		if (interactive)
			fprintf(2, "$ ");
		if ((r = read_line(line, sizeof(line))) < 0)
			break;
		if (r == 0) {
			fprintf(2, "sh: line longer than %d characters\n",
			        LINEMAX - 2);
			continue;
		}
		tree = parse_line(&parser, line);
		if (parser.failed)
			fprintf(2, "sh: %s\n", parser.error);
		else if (tree != NULL)
			run_here(tree);
	}
	return 0;
}
