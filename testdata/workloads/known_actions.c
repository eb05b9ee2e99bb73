/* Performs a list of known actions through the C library, as real programs
 * make them, then writes what it did (pids, paths, ports) as JSON to argv[1],
 * so a test can check each recorded event. Built static by the tests
 * (tests/common/mod.rs) so the same binary runs on this host and in the
 * kernel matrix's initramfs (scripts/kernel-matrix).
 * Harmless: works in the directory argv[2], talks to 127.0.0.1 only, and its
 * module and BPF loads are refused attempts. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "known_actions: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Forks a child that runs argv; returns its pid after it has exited. */
static pid_t run(char *const argv[])
{
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		/* A known variable in the environment, and a group of its own (as a
		 * shell's job control does), which the exec event must both show. */
		setenv("SHRIKE_MARKER_ENV", "known value", 1);
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(p, NULL, 0);
	return p;
}

/* A DNS query for `name` of `type` with `id`, as a resolver writes it. */
static int dns_query(unsigned char *b, const char *name, unsigned short id, unsigned short type)
{
	int n = 0;
	b[n++] = id >> 8, b[n++] = id & 0xff, b[n++] = 1, b[n++] = 0; /* RD */
	b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		int l = dot ? (int)(dot - p) : (int)strlen(p);
		b[n++] = l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	b[n++] = 0, b[n++] = type >> 8, b[n++] = type & 0xff, b[n++] = 0, b[n++] = 1;
	return n;
}

/* The response to query `q` (`qn` bytes): one answer, `alen` bytes of address. */
static int dns_answer(const unsigned char *q, int qn, unsigned char *r, const void *addr, int alen)
{
	memcpy(r, q, qn);
	r[2] = 0x81, r[3] = 0x80, r[7] = 1; /* QR RD RA, one answer */
	int n = qn;
	unsigned short type = alen == 4 ? 1 : 28;
	unsigned char rr[] = {0xc0, 12, 0, type, 0, 1, 0, 0, 0x0e, 0x10, 0, alen};
	memcpy(r + n, rr, sizeof(rr));
	n += sizeof(rr);
	memcpy(r + n, addr, alen);
	return n + alen;
}

/* The server's side of one UDP exchange on `srv`: a query in, the answer out. */
static void dns_serve(int srv, const void *addr, int alen)
{
	unsigned char q[512], r[600];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	int n = recvfrom(srv, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		die("dns server recvfrom");
	sendto(srv, r, dns_answer(q, n, r, addr, alen), 0, (struct sockaddr *)&from, fl);
}

/* A ring of io_uring's, driven by hand (no liburing): one request at a time. */
struct uring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void uring_init(struct uring *u)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	u->fd = syscall(__NR_io_uring_setup, 8, &p);
	if (u->fd < 0)
		die("io_uring_setup");
	char *sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		die("io_uring mmap");
	u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* Submits `req` and waits for its completion; returns its result. */
static int uring_do(struct uring *u, const struct io_uring_sqe *req)
{
	unsigned tail = *u->sq_tail, i = tail & *u->sq_mask;
	u->sqes[i] = *req;
	u->sq_array[i] = i;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		die("io_uring_enter");
	unsigned head = *u->cq_head;
	while (__atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE) == head)
		;
	int res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: known_actions FACTS.json WORKDIR\n");
		return 2;
	}
	const char *facts_path = argv[1], *dir = argv[2];
	char known[PATH_MAX], echo_exe[PATH_MAX], cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		die("getcwd");

	/* exec of a known argv under this process */
	char *echo[] = {"/bin/echo", "shrike-marker-exec", "arg two", NULL};
	pid_t echo_pid = run(echo);
	if (!realpath("/bin/echo", echo_exe))
		die("realpath /bin/echo");

	/* write-open, then read-open of a known absolute path; a failed open */
	snprintf(known, sizeof(known), "%s/known.txt", dir);
	int fd = open(known, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (fd < 0 || write(fd, "hello\n", 6) != 6)
		die("known.txt");
	close(fd);
	close(open(known, O_RDONLY));
	/* O_CREAT of a file that exists: it asks to create, the kernel did not. */
	close(open(known, O_WRONLY | O_CREAT | O_APPEND, 0640));
	if (open("/nonexistent-shrike/enoent", O_RDONLY) >= 0)
		die("open of a missing file succeeded");

	/* relative paths, resolved against the cwd: glibc passes AT_FDCWD as a
	 * 32-bit int, so the upper half of its register is zero */
	if (chdir(dir) != 0)
		die("chdir");
	close(open("known.txt", O_RDONLY));
	touch("unlink-me");
	if (unlink("unlink-me") != 0)
		die("unlink");
	touch("unlinkat-me");
	if (unlinkat(AT_FDCWD, "unlinkat-me", 0) != 0)
		die("unlinkat");
	touch("rename-from");
	if (rename("rename-from", "rename-to") != 0)
		die("rename");
	if (chmod("rename-to", 04755) != 0)
		die("chmod");
	if (mkdirat(AT_FDCWD, "made-dir", 0700) != 0)
		die("mkdirat");
	/* a file deeper than the recorder walks up (40 directories, 16 without
	 * bpf_loop): its opened path is recorded as cut */
	char deep[PATH_MAX];
	snprintf(deep, sizeof(deep), "%s", dir);
	for (int i = 0; i < 45; i++) {
		strcat(deep, "/d");
		if (mkdir(deep, 0700) != 0)
			die("deep directories");
	}
	strcat(deep, "/deep.txt");
	touch(deep);

	/* `..` after a symlink: the kernel opens sub/target.txt, where a
	 * lexical join of the path would say target.txt */
	if (mkdir("sub", 0700) != 0 || mkdir("sub/deeper", 0700) != 0 || symlink("sub/deeper", "lnk") != 0)
		die("symlink setup");
	touch("sub/target.txt");
	fd = open("lnk/../target.txt", O_RDONLY);
	if (fd < 0)
		die("lnk/../target.txt");
	close(fd);
	/* the same through the symlink, failing: only a lexical join is known,
	 * and it is marked as not resolved */
	if (open("lnk/../missing.txt", O_RDONLY) >= 0)
		die("lnk/../missing.txt exists");
	/* a chdir through the symlink, and a relative one: the new cwd as the
	 * kernel resolved it (joined to the cwd after the call, "sub" was sub/sub) */
	if (chdir("lnk/..") != 0 || chdir(dir) != 0 || chdir("sub") != 0 || chdir(dir) != 0)
		die("chdir lnk/.., sub");

	/* what an attacker does to a file: capabilities (setcap cap_setuid+ep),
	 * backdated times (touch -d), the immutable flag (chattr +i) */
	touch("capfile");
	unsigned int cap[5] = {0x02000001, 1u << 7, 0, 0, 0}; /* revision 2, +e; CAP_SETUID */
	setxattr("capfile", "security.capability", cap, sizeof(cap), 0);
	removexattr("capfile", "security.capability");
	int cf = open("capfile", O_RDONLY);
	if (cf < 0)
		die("capfile");
	fsetxattr(cf, "user.shrike", "hidden", 6, 0);
	struct timespec old[2] = {{981173106, 0}, {981173106, 0}}; /* 2001-02-03T04:05:06Z */
	utimensat(AT_FDCWD, "capfile", old, AT_SYMLINK_NOFOLLOW);
	futimens(cf, old);
	struct timeval tv[2] = {{981173106, 7}, {981173106, 7}};
	syscall(SYS_utimes, "capfile", tv);
	syscall(SYS_futimesat, AT_FDCWD, "capfile", tv);
	syscall(SYS_utime, "capfile", NULL);
	int iflags = FS_IMMUTABLE_FL;
	ioctl(cf, FS_IOC_SETFLAGS, &iflags);
	iflags = 0; /* and off again, so the directory can be removed */
	ioctl(cf, FS_IOC_SETFLAGS, &iflags);
	close(cf);

	/* connect and accept on loopback, then a socket dup'ed onto stdin */
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(srv, 1) != 0)
		die("listen on 127.0.0.1");
	getsockname(srv, (struct sockaddr *)&a, &len);
	int server_port = ntohs(a.sin_port);
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cli, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	int conn = accept(srv, NULL, NULL);
	if (conn < 0)
		die("accept");
	len = sizeof(a);
	getsockname(cli, (struct sockaddr *)&a, &len);
	int client_port = ntohs(a.sin_port);
	dup2(cli, 0);

	/* DNS as resolvers speak it, to a server of the workload's own on
	 * 127.53.X.Y:53 (X.Y from the pid: runs never share it): write and read
	 * on a connected socket; sendto and recvfrom unconnected; sendmmsg of A
	 * and AAAA then recvmsg, as glibc does; and over TCP. c2.example.net
	 * resolves to 127.0.0.9, which a UDP socket then connects to. */
	char dns_ip[32];
	snprintf(dns_ip, sizeof(dns_ip), "127.53.%d.%d", (getpid() >> 8) & 0xff, getpid() & 0xff);
	struct sockaddr_in ns = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, dns_ip, &ns.sin_addr);
	int dsrv = socket(AF_INET, SOCK_DGRAM, 0);
	if (dsrv < 0 || bind(dsrv, (struct sockaddr *)&ns, sizeof(ns)) != 0)
		die("bind the DNS server's UDP port 53");
	unsigned char dq[512], dr[600];
	const unsigned char known_ip[4] = {198, 51, 100, 9}, c2_ip[4] = {127, 0, 0, 9};
	const unsigned char mm_ip[4] = {198, 51, 100, 10};
	const unsigned char mm_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
	const unsigned char tcp_ip[4] = {198, 51, 100, 11};
	int dc = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(dc, (struct sockaddr *)&ns, sizeof(ns)) != 0)
		die("connect to the DNS server");
	if (write(dc, dq, dns_query(dq, "known.example.org", 0x1001, 1)) <= 0)
		die("dns write");
	dns_serve(dsrv, known_ip, 4);
	if (read(dc, dr, sizeof(dr)) <= 0)
		die("dns read");
	int du = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(du, dq, dns_query(dq, "c2.example.net", 0x1002, 1), 0, (struct sockaddr *)&ns, sizeof(ns));
	dns_serve(dsrv, c2_ip, 4);
	if (recvfrom(du, dr, sizeof(dr), 0, NULL, NULL) <= 0)
		die("dns recvfrom");
	struct sockaddr_in c2 = {.sin_family = AF_INET, .sin_port = htons(443)};
	memcpy(&c2.sin_addr, c2_ip, 4);
	int c2s = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(c2s, (struct sockaddr *)&c2, sizeof(c2)) != 0)
		die("connect to c2.example.net's address");
	int dm = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(dm, (struct sockaddr *)&ns, sizeof(ns)) != 0)
		die("connect to the DNS server");
	unsigned char q4[512], q6[512];
	struct iovec qv[2] = {{q4, dns_query(q4, "mm.example.com", 0x1003, 1)},
			      {q6, dns_query(q6, "mm.example.com", 0x1004, 28)}};
	struct mmsghdr mq[2] = {{.msg_hdr = {.msg_iov = &qv[0], .msg_iovlen = 1}},
				{.msg_hdr = {.msg_iov = &qv[1], .msg_iovlen = 1}}};
	if (sendmmsg(dm, mq, 2, 0) != 2)
		die("dns sendmmsg");
	dns_serve(dsrv, mm_ip, 4);
	dns_serve(dsrv, mm_ip6, 16);
	for (int i = 0; i < 2; i++) {
		struct iovec rv = {dr, sizeof(dr)};
		struct msghdr mh = {.msg_iov = &rv, .msg_iovlen = 1};
		if (recvmsg(dm, &mh, 0) <= 0)
			die("dns recvmsg");
	}
	int dls = socket(AF_INET, SOCK_STREAM, 0);
	if (dls < 0 || bind(dls, (struct sockaddr *)&ns, sizeof(ns)) != 0 || listen(dls, 1) != 0)
		die("listen on the DNS server's TCP port 53");
	int dt = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(dt, (struct sockaddr *)&ns, sizeof(ns)) != 0)
		die("connect to the DNS server over TCP");
	int dta = accept(dls, NULL, NULL);
	int qn = dns_query(dq + 2, "tcp.example.org", 0x1005, 1);
	dq[0] = qn >> 8, dq[1] = qn & 0xff;
	if (write(dt, dq, qn + 2) != qn + 2 || read(dta, dq, sizeof(dq)) != qn + 2)
		die("dns over tcp");
	int rn = dns_answer(dq + 2, qn, dr + 2, tcp_ip, 4);
	dr[0] = rn >> 8, dr[1] = rn & 0xff;
	if (write(dta, dr, rn + 2) != rn + 2 || read(dt, dr, sizeof(dr)) != rn + 2)
		die("dns over tcp");
	close(dta), close(dls), close(dt), close(dm), close(c2s), close(du), close(dc), close(dsrv);

	/* The same through io_uring, which no syscall tracepoint sees: an open
	 * and a read of known.txt, its close; an open of /etc/shadow (a
	 * credential file: the default rules must alert on it); a connect to
	 * the server, accepted through the ring too, and a send on it. */
	struct uring u;
	uring_init(&u);
	char ubuf[64];
	struct io_uring_sqe sqe = {.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD,
				   .addr = (unsigned long)known, .open_flags = O_RDONLY, .user_data = 0x5348};
	int ufd = uring_do(&u, &sqe);
	if (ufd < 0)
		die("io_uring openat");
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_READ, .fd = ufd, .addr = (unsigned long)ubuf,
				    .len = sizeof(ubuf), .user_data = 0x5349};
	int uread = uring_do(&u, &sqe);
	if (uread != 6)
		die("io_uring read");
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_CLOSE, .fd = ufd, .user_data = 0x534a};
	if (uring_do(&u, &sqe) != 0)
		die("io_uring close");
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD,
				    .addr = (unsigned long)"/etc/shadow", .open_flags = O_RDONLY, .user_data = 0x534b};
	int shadow = uring_do(&u, &sqe);
	if (shadow >= 0)
		close(shadow);
	/* Failures name what they tried: a missing file, a port nobody listens on. */
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD,
				    .addr = (unsigned long)"/nonexistent-shrike/uring-enoent", .user_data = 0x534f};
	if (uring_do(&u, &sqe) != -ENOENT)
		die("io_uring open of a missing file");
	int closed = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in cs = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	len = sizeof(cs);
	if (bind(closed, (struct sockaddr *)&cs, sizeof(cs)) != 0 || getsockname(closed, (struct sockaddr *)&cs, &len) != 0)
		die("a port to refuse");
	close(closed);
	int refused_port = ntohs(cs.sin_port), rs = socket(AF_INET, SOCK_STREAM, 0);
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_CONNECT, .fd = rs, .addr = (unsigned long)&cs,
				    .off = sizeof(cs), .user_data = 0x5351};
	if (uring_do(&u, &sqe) != -ECONNREFUSED)
		die("io_uring connect to a closed port");
	close(rs);
	int ucli = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in us = {.sin_family = AF_INET, .sin_port = htons(server_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_CONNECT, .fd = ucli, .addr = (unsigned long)&us,
				    .off = sizeof(us), .user_data = 0x534c};
	if (uring_do(&u, &sqe) != 0)
		die("io_uring connect");
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_ACCEPT, .fd = srv, .user_data = 0x534d};
	int uconn = uring_do(&u, &sqe);
	if (uconn < 0)
		die("io_uring accept");
	enum { URING_SENT = 4321 };
	static char usent[URING_SENT];
	sqe = (struct io_uring_sqe){.opcode = IORING_OP_WRITE, .fd = ucli, .addr = (unsigned long)usent,
				    .len = URING_SENT, .user_data = 0x534e};
	if (uring_do(&u, &sqe) != URING_SENT)
		die("io_uring write");
	for (int got = 0; got < URING_SENT;) {
		int n = read(uconn, usent, sizeof(usent));
		if (n <= 0)
			die("io_uring write's read");
		got += n;
	}
	len = sizeof(a);
	getsockname(ucli, (struct sockaddr *)&a, &len);
	int uring_port = ntohs(a.sin_port);
	close(uconn), close(ucli), close(u.fd);
	/* A request still waiting when the recording stops: a child reads,
	 * through its own ring, a pipe nobody writes, and outlives this
	 * process by 30 s at most. */
	int ready[2], never[2];
	if (pipe(ready) != 0 || pipe(never) != 0)
		die("pipes");
	pid_t waiter = fork();
	if (waiter == 0) {
		alarm(30);
		struct uring w;
		uring_init(&w);
		unsigned tail = *w.sq_tail, i = tail & *w.sq_mask;
		w.sqes[i] = (struct io_uring_sqe){.opcode = IORING_OP_READ, .fd = never[0],
						  .addr = (unsigned long)ubuf, .len = 1, .user_data = 0x5350};
		w.sq_array[i] = i;
		__atomic_store_n(w.sq_tail, tail + 1, __ATOMIC_RELEASE);
		if (syscall(__NR_io_uring_enter, w.fd, 1, 0, 0, NULL, 0) != 1)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], ubuf, 1) != 1)
		die("the io_uring waiter");

	/* An upload of a known size over the loopback connection, in uneven
	 * writes, read whole on the other end; both ends then closed. */
	enum { UPLOAD = 123457 };
	static char up[UPLOAD];
	memset(up, 'u', sizeof(up));
	for (int done = 0, step = 10000; done < UPLOAD; done += step) {
		int n = UPLOAD - done < step ? UPLOAD - done : step;
		if (write(cli, up + done, n) != n)
			die("upload write");
	}
	for (int got = 0; got < UPLOAD;) {
		int n = read(conn, up, sizeof(up));
		if (n <= 0)
			die("upload read");
		got += n;
	}
	close(cli);
	close(conn);

	/* memory: a memfd, and anonymous memory made executable */
	close(memfd_create("shrike-memfd", 0));
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *m2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || m2 == MAP_FAILED || mprotect(m2, 4096, PROT_READ | PROT_EXEC) != 0)
		die("executable memory");

	/* setuid in a child */
	pid_t setuid_pid = fork();
	if (setuid_pid == 0)
		_exit(setuid(65534) == 0 ? 0 : 1);
	waitpid(setuid_pid, NULL, 0);

	/* namespaces and a mount, in a child */
	pid_t ns_pid = fork();
	if (ns_pid == 0) {
		if (unshare(CLONE_NEWUTS | CLONE_NEWNS) != 0)
			_exit(1);
		int nsfd = open("/proc/self/ns/uts", O_RDONLY);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWUTS) != 0)
			_exit(2);
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		if (mount("shrike-tmpfs", "made-dir", "tmpfs", 0, "size=64k") != 0)
			_exit(3);
		_exit(umount2("made-dir", 0) == 0 ? 0 : 4);
	}
	int ns_status = 0;
	waitpid(ns_pid, &ns_status, 0);
	if (!WIFEXITED(ns_status) || WEXITSTATUS(ns_status) != 0) {
		fprintf(stderr, "known_actions: namespace child failed with %d\n", ns_status);
		return 1;
	}

	/* refused loads: a module that is not one, a BPF program that is not one */
	int mod = open("known.txt", O_RDONLY);
	syscall(SYS_finit_module, mod, "shrike_param=1", 0);
	close(mod);
	syscall(SYS_init_module, "not a module", (unsigned long)12, "shrike_param=1");
	char attr[128] = {0};
	syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof(attr));

	/* ptrace attach to a child, write a word into its memory (code
	 * injection's first step, PTRACE_POKEDATA), then detach; kill it */
	pid_t traced = fork();
	if (traced == 0) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_ATTACH, traced, NULL, NULL) != 0)
		die("ptrace attach");
	waitpid(traced, NULL, 0);
	static long poke_target;
	if (ptrace(PTRACE_POKEDATA, traced, &poke_target, (void *)0x5348524b) != 0)
		die("ptrace pokedata");
	ptrace(PTRACE_DETACH, traced, NULL, NULL);
	kill(traced, SIGTERM);
	waitpid(traced, NULL, 0);

	/* a storm of kills: the signal wakes each child, which may run its exit
	 * on this CPU while the killer's sys_exit_kill program is half-way
	 * (newer kernels run syscall tracepoint programs preemptibly): every
	 * record must still come out whole */
	enum { KILLS = 200 };
	pid_t storm[KILLS];
	for (int i = 0; i < KILLS; i++) {
		storm[i] = fork();
		if (storm[i] == 0) {
			for (;;)
				pause();
		}
	}
	for (int i = 0; i < KILLS; i++) {
		kill(storm[i], SIGTERM);
		waitpid(storm[i], NULL, 0);
	}

	/* a non-zero exit */
	char *exit7[] = {"/bin/sh", "-c", "exit 7", NULL};
	pid_t exit7_pid = run(exit7);

	FILE *f = fopen(facts_path, "w");
	if (!f)
		die(facts_path);
	fprintf(f,
		"{\"pid\":%d,\"cwd\":\"%s\",\"dir\":\"%s\",\"echo_pid\":%d,\"echo_exe\":\"%s\",\"server_port\":%d,"
		"\"client_port\":%d,\"deep\":\"%s\",\"setuid_pid\":%d,\"ns_pid\":%d,\"ptrace_pid\":%d,\"poke_addr\":%lu,\"exit7_pid\":%d,\"dns_server\":\"%s\",\"upload\":%d,"
		"\"uring_ring\":%d,\"uring_fd\":%d,\"uring_read\":%d,\"uring_shadow\":%d,\"uring_port\":%d,\"uring_sent\":%d,\"uring_waiter\":%d,\"uring_refused\":%d,\"storm\":[",
		getpid(), cwd, dir, echo_pid, echo_exe, server_port, client_port, deep, setuid_pid, ns_pid, traced,
		(unsigned long)&poke_target, exit7_pid, dns_ip, UPLOAD, u.fd, ufd, uread, shadow, uring_port, URING_SENT, waiter, refused_port);
	for (int i = 0; i < KILLS; i++)
		fprintf(f, "%s%d", i ? "," : "", storm[i]);
	fprintf(f, "]}\n");
	fclose(f);
	(void)conn;
	return 0;
}
