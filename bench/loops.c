/* Syscall-heavy loops for scripts/bench-record. Prints the loop's own wall
 * time in nanoseconds, so tool start-up is never measured.
 *   loops open N      open/read/close of /etc/hostname
 *   loops fork N      fork + exec /bin/true + wait
 *   loops connect N   socket + connect + accept + close on 127.0.0.1
 *   loops getppid N   getppid: the cheapest syscall, which shrike does not
 *                     record (what a hook on every syscall costs)
 *   loops rw N        write + read of one byte through a pipe: the hot path
 *                     every program takes, which the DNS programs watch
 *   loops dns N       a DNS exchange on a connected UDP socket with a server
 *                     of its own on 127.53.0.1:53 (root): query written, read
 *                     by the server, answered, the answer read
 *   loops uring N     a read of one byte of /etc/hostname through io_uring:
 *                     one request submitted, waited for and reaped */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loops open|fork|connect|getppid|rw|dns|uring N\n");
		return 2;
	}
	long n = atol(argv[2]);
	char buf[256];
	long long t0 = now();
	if (!strcmp(argv[1], "open")) {
		for (long i = 0; i < n; i++) {
			int fd = open("/etc/hostname", O_RDONLY);
			if (read(fd, buf, sizeof buf) < 0)
				return 1;
			close(fd);
		}
	} else if (!strcmp(argv[1], "fork")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				execl("/bin/true", "true", (char *)0);
				_exit(127);
			}
			waitpid(p, 0, 0);
		}
	} else if (!strcmp(argv[1], "connect")) {
		int l = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof a;
		int one = 1;
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(l, (void *)&a, sizeof a) || listen(l, 128) || getsockname(l, (void *)&a, &len))
			return 1;
		t0 = now();
		for (long i = 0; i < n; i++) {
			int c = socket(AF_INET, SOCK_STREAM, 0);
			if (connect(c, (void *)&a, sizeof a))
				return 1;
			int s = accept(l, 0, 0);
			close(s);
			close(c);
		}
	} else if (!strcmp(argv[1], "rw")) {
		int p[2];
		if (pipe(p))
			return 1;
		for (long i = 0; i < n; i++) {
			if (write(p[1], "x", 1) != 1 || read(p[0], buf, 1) != 1)
				return 1;
		}
	} else if (!strcmp(argv[1], "dns")) {
		struct sockaddr_in ns = { .sin_family = AF_INET, .sin_port = htons(53) };
		inet_pton(AF_INET, "127.53.0.1", &ns.sin_addr);
		int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
		if (bind(s, (void *)&ns, sizeof ns) || connect(c, (void *)&ns, sizeof ns))
			return 1;
		/* example.org A, and its answer 192.0.2.1 */
		static const unsigned char q[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
						   'p', 'l', 'e', 3, 'o', 'r', 'g', 0, 0, 1, 0, 1 };
		unsigned char r[64];
		memcpy(r, q, sizeof q);
		r[2] = 0x81, r[3] = 0x80, r[7] = 1;
		static const unsigned char an[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1 };
		memcpy(r + sizeof q, an, sizeof an);
		t0 = now();
		for (long i = 0; i < n; i++) {
			struct sockaddr_in from;
			socklen_t fl = sizeof from;
			if (write(c, q, sizeof q) != sizeof q ||
			    recvfrom(s, buf, sizeof buf, 0, (void *)&from, &fl) <= 0 ||
			    sendto(s, r, sizeof q + sizeof an, 0, (void *)&from, fl) <= 0 ||
			    read(c, buf, sizeof buf) <= 0)
				return 1;
		}
	} else if (!strcmp(argv[1], "uring")) {
		struct io_uring_params p;
		memset(&p, 0, sizeof p);
		int ring = syscall(__NR_io_uring_setup, 4, &p), fd = open("/etc/hostname", O_RDONLY);
		if (ring < 0 || fd < 0)
			return 1;
		char *sq = mmap(0, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
				ring, IORING_OFF_SQ_RING);
		char *cq = mmap(0, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
		struct io_uring_sqe *sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
						 MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
		if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
			return 1;
		unsigned *tail = (unsigned *)(sq + p.sq_off.tail), *array = (unsigned *)(sq + p.sq_off.array);
		unsigned *head = (unsigned *)(cq + p.cq_off.head), *ctail = (unsigned *)(cq + p.cq_off.tail);
		struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
		unsigned smask = *(unsigned *)(sq + p.sq_off.ring_mask), cmask = *(unsigned *)(cq + p.cq_off.ring_mask);
		t0 = now();
		for (long i = 0; i < n; i++) {
			unsigned t = *tail, k = t & smask;
			sqes[k] = (struct io_uring_sqe){ .opcode = IORING_OP_READ, .fd = fd, .addr = (unsigned long)buf,
							 .len = 1, .user_data = i };
			array[k] = k;
			__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
			if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, 0, 0) != 1)
				return 1;
			unsigned h = *head;
			while (__atomic_load_n(ctail, __ATOMIC_ACQUIRE) == h)
				;
			if (cqes[h & cmask].res != 1)
				return 1;
			__atomic_store_n(head, h + 1, __ATOMIC_RELEASE);
		}
	} else if (!strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid); /* not through a libc cache */
	} else {
		return 2;
	}
	printf("%lld\n", now() - t0);
	return 0;
}
