// SPDX-License-Identifier: GPL-2.0
/* shrike's kernel side: syscall-exit and scheduler tracepoints that fill the
 * capture format's event model. One program per syscall runs at its exit,
 * reads the arguments from the user registers saved at entry, and emits one
 * record with the result. */

#include "shrike_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "record.h"
#include "kinds.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define PROT_EXEC 4
#define PR_SET_NAME 15
#define BPF_PROG_LOAD 5
#define S_IFSOCK 12
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#define SIGCHLD 17
#define UTIME_NOW ((1l << 30) - 1)
#define FS_IOC_SETFLAGS 0x40086602
#define FS_IOC32_SETFLAGS 0x40046602
#define FS_IOC_FSSETXATTR 0x401c5820
#define EINPROGRESS 115
#define DNS_PORT 53
#define DNS_MAX 1024 /* bytes of a DNS message kept */
#define DNS_CONNECTED 1
#define DNS_SENT_TO 2

/* Set by the loader before the programs are loaded. */
const volatile u32 self_tgid = 0;
const volatile u32 follow = 0;
const volatile u64 wakeup_bytes = 1 << 20;
/* What the running kernel has, probed by the loader (capture/src/probe.rs).
 * The verifier removes the branches a kernel cannot run, helper calls
 * included, because these are read-only constants. */
const volatile u32 have_task_pt_regs = 0;  /* bpf_task_pt_regs, bpf_get_current_task_btf: 5.15 */
const volatile u32 exit_tp_group_dead = 0; /* sched_process_exit has group_dead: 6.16 */
/* The classes the data-moving programs (read, write, send*, recv*) serve:
 * network (DNS messages) and fd (bytes moved), as the user chose. */
const volatile u32 want_dns = 0;
const volatile u32 want_io = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} events SEC(".maps");

/* Records that did not fit in the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

/* With --follow: the process ids being recorded (the command and its descendants). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u8);
} followed SEC(".maps");

/* Sockets that talk to port 53 (DNS): DNS_CONNECTED when one connected
 * there, DNS_SENT_TO when an unconnected one sent there, so the read and
 * write programs, which run for every read and write on the host, answer
 * "not DNS" with one lookup, and the answer to a query sent unconnected is
 * known when its receive names no address. Key: tgid << 32 | fd. An entry
 * outlives its fd when the fd is closed: a hit is checked against the
 * socket again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u8);
} dns_socks SEC(".maps");

/* Processes that marked a socket in dns_socks, until they exit: the read
 * and write programs look the fd up only for them, so every other read and
 * write on the host costs one lookup by process, and no read of its
 * arguments. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u8);
} dns_procs SEC(".maps");

/* Bytes moved through each fd, summed here and written once, when the fd is
 * closed or its process exits (`fd_io` events): no event per read or write.
 * Key: tgid << 32 | fd. */
struct io_count {
	u64 read;
	u64 written;
	u32 reads;
	u32 writes;
	u32 type; /* S_IFMT >> 12 of the fd's inode when first counted */
	u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);
	__type(value, struct io_count);
} io_bytes SEC(".maps");

/* Per process with counts: the highest fd counted + 1, so its exit looks at
 * no more fds than it used. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u32);
} io_procs SEC(".maps");

/* Syscall numbers the kernel has no tracepoint of their own for, set by the
 * loader: raw_exit records them as `syscall` events. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u8);
} untraced SEC(".maps");

/* Finding FMODE_CREATED, whose bit differs between kernels (20, later 21)
 * and is in no BTF: the loader sets [0] to 1 and [3] to one of its threads,
 * which opens a file it creates and then opens it again; the f_mode of each
 * lands in [1] and [2], and the bit set in the first only is the flag. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} calib SEC(".maps");

/* A record is built in a per-CPU scratch buffer, then copied to the ring.
 * Newer kernels run syscall tracepoint programs with preemption enabled
 * (faultable syscall tracepoints), so another task's program can run on the
 * same CPU while one is half-built: a record must own its buffers. The bpf_loop
 * object (5.17+, which has atomics) keeps SLOTS buffers per CPU and claims
 * one with a compare-and-swap; kernels older than that run tracepoint
 * programs with preemption disabled and need one. */
#ifdef SHRIKE_BPF_LOOP
#define SLOTS 4
#else
#define SLOTS 1
#endif
#define SCRATCH_SIZE 32768
#define POS_MASK 0x3fff /* strings start below 16 KiB ... */
#define STR_MAX 4096    /* ... and are at most 4095 bytes */
struct scratch {
	u8 buf[SCRATCH_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Who holds each scratch slot of this CPU: thread id + 1, 0 when free. */
struct slot_owners {
	u32 owner[SLOTS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct slot_owners);
} slots_map SEC(".maps");

#define HALF 4096
/* With bpf_loop (5.17) the verifier checks one step whatever the depth;
 * without it, every level of an unrolled walk is checked separately. */
#ifdef SHRIKE_BPF_LOOP
#define MAX_DEPTH 40
#else
#define MAX_DEPTH 16
#endif
struct walk {
	struct mount *m;
	struct dentry *root; /* vm's mnt_root, read once per mount */
	struct dentry *d;
	u32 pos;
	bool cut;
	bool detached; /* ended at a dentry of no mounted tree (pipe, nsfs, anon inode) */
	struct pathbuf *pb; /* with bpf_loop: the buffer, looked up once per walk */
};

struct pathbuf {
	u8 buf[2 * HALF];
	struct walk w; /* the walk in progress, for walk_level() */
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, u32);
	__type(value, struct pathbuf);
} pathbuf_map SEC(".maps");

struct out {
	struct scratch *s;
	u32 pos;
	u32 slot; /* of scratch_map and pathbuf_map */
};

static __always_inline struct shrike_rec *rec_of(struct out *o)
{
	return (struct shrike_rec *)o->s->buf;
}

static __always_inline bool traced(u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (follow && !bpf_map_lookup_elem(&followed, &tgid))
		return false;
	return true;
}

/* The user registers saved at syscall entry (x86_64 UAPI layout). The
 * arguments are still there at exit, so no entry program and no map are
 * needed: one program per syscall, run once. */
struct x86_regs {
	u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
	u64 ip, cs, flags, sp, ss;
};

/* Reads the registers at the top of a kernel stack of `size` bytes; returns orig_ax. */
static __always_inline long regs_below(struct x86_regs *r, const u8 *stack, u32 size)
{
	bpf_probe_read_kernel(r, sizeof(*r), stack + size - sizeof(*r));
	return (long)r->orig_ax;
}

/* The syscall arguments of the current task; returns the syscall number.
 * `nr` is the syscall being traced, or -1 when any may be. */
static __always_inline long syscall_args(u64 a[6], long nr)
{
	struct x86_regs r = {};
	if (have_task_pt_regs) {
		/* Up to orig_ax: the rest of pt_regs is only there to place it on the stack below. */
		bpf_probe_read_kernel(&r, offsetof(struct x86_regs, ip),
				      (void *)bpf_task_pt_regs(bpf_get_current_task_btf()));
	} else {
		/* Before 5.15 there is no helper: the registers sit at the top of
		 * the task's kernel stack, 16 KiB (32 KiB with KASAN). Take the
		 * size whose saved syscall number is the one being traced. */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		const u8 *stack = BPF_CORE_READ(t, stack);
		long got = regs_below(&r, stack, 16384);
		if (nr >= 0 ? got != nr : (u64)got >= 1024)
			got = regs_below(&r, stack, 32768);
		if (nr >= 0 && got != nr)
			__builtin_memset(&r, 0, sizeof(r)); /* not found: no arguments rather than wrong ones */
	}
	a[0] = r.di;
	a[1] = r.si;
	a[2] = r.dx;
	a[3] = r.r10;
	a[4] = r.r8;
	a[5] = r.r9;
	return r.orig_ax;
}

#define NR_CLONE 56
#define NR_FORK 57
#define NR_VFORK 58
#define NR_EXECVEAT 322
#define NR_CLONE3 435

/* Starts a record in the per-CPU scratch buffer with the common fields. */
static __always_inline void count_lost(void)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		__sync_fetch_and_add(n, 1); /* another program may run between a read and a write */
}

/* Gives the scratch slot back (every begin that returned true ends here, in submit). */
static __always_inline void release(struct out *o)
{
#ifdef SHRIKE_BPF_LOOP
	u32 zero = 0;
	struct slot_owners *so = bpf_map_lookup_elem(&slots_map, &zero);
	if (so)
		so->owner[o->slot & (SLOTS - 1)] = 0;
#endif
}

/* Claims a scratch slot of this CPU for the current thread; false when every
 * slot is held (the event is counted as lost, never written half-built). */
static __always_inline bool claim(struct out *o, u64 id)
{
	o->slot = 0;
#ifdef SHRIKE_BPF_LOOP
	u32 zero = 0;
	struct slot_owners *so = bpf_map_lookup_elem(&slots_map, &zero);
	if (!so)
		return false;
	u32 me = (u32)id + 1;
	for (u32 i = 0; i < SLOTS; i++) {
		if (__sync_val_compare_and_swap(&so->owner[i], 0, me) == 0) {
			/* Through memory, so the verifier does not know which slot:
			 * knowing, it would check the rest of the program once per slot. */
			u32 got = 0;
			bpf_probe_read_kernel(&got, sizeof(got), &i);
			o->slot = got & (SLOTS - 1);
			return true;
		}
	}
	count_lost();
	return false;
#else
	return true;
#endif
}

static __always_inline bool begin(struct out *o, u32 kind, s64 res)
{
	u64 id = bpf_get_current_pid_tgid();
	if (!claim(o, id))
		return false;
	u32 slot = o->slot;
	o->s = bpf_map_lookup_elem(&scratch_map, &slot);
	if (!o->s) {
		release(o);
		return false;
	}
	struct shrike_rec *r = rec_of(o);
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	r->ts = bpf_ktime_get_boot_ns();
	r->cgroup = bpf_get_current_cgroup_id();
	r->res = res;
	r->kind = kind;
	r->cpu = bpf_get_smp_processor_id();
	r->pid = id >> 32;
	r->tid = (u32)id;
	/* uid, gid, suid, sgid, euid, egid are consecutive in struct cred: one read. */
	const struct cred *c = BPF_CORE_READ(t, cred);
	u32 ids[6] = {};
	bpf_core_read(ids, sizeof(ids), &c->uid);
	r->uid = ids[0];
	r->gid = ids[1];
	r->euid = ids[4];
	r->egid = ids[5];
	r->nstr = 0;
	r->flags = 0;
	r->nr = 0;
	r->aux = 0;
	for (int i = 0; i < 6; i++)
		r->args[i] = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	o->pos = sizeof(struct shrike_rec);
	return true;
}

/* Ends a string of `len` bytes at `p`; `flags` are STR_F_* (what is cut). */
static __always_inline void str_header_f(struct out *o, u32 p, u32 len, u8 tag, u8 flags)
{
	o->s->buf[p & POS_MASK] = len & 0xff;
	o->s->buf[(p + 1) & POS_MASK] = (len >> 8) & 0xff;
	o->s->buf[(p + 2) & POS_MASK] = tag;
	o->s->buf[(p + 3) & POS_MASK] = flags;
	o->pos = p + 4 + len;
	rec_of(o)->nstr++;
}

static __always_inline void str_header(struct out *o, u32 p, u32 len, u8 tag)
{
	str_header_f(o, p, len, tag, 0);
}

/* Appends a NUL-terminated user string; returns its first byte (0 if none). */
static __always_inline char put_user_str(struct out *o, u8 tag, const void *uptr)
{
	u32 p = o->pos;
	if (!uptr || p > POS_MASK - 4)
		goto full;
	long n = bpf_probe_read_user_str(&o->s->buf[(p + 4) & POS_MASK], STR_MAX, uptr);
	if (n <= 0)
		return 0;
	u8 cut = 0;
	if (n >= STR_MAX) {
		rec_of(o)->flags |= REC_F_PATH_TRUNC;
		cut = STR_F_CUT_END;
	}
	str_header_f(o, p, (u32)(n - 1) & (STR_MAX - 1), tag, cut);
	return n > 1 ? o->s->buf[(p + 4) & POS_MASK] : 0;
full:
	if (uptr)
		rec_of(o)->flags |= REC_F_PATH_TRUNC;
	return 0;
}

/* Appends `size` bytes of user memory, at most 255 of them (a longer value is marked cut). */
static __always_inline void put_user_bytes(struct out *o, u8 tag, const void *uptr, u64 size)
{
	u32 p = o->pos;
	if (!uptr || p > POS_MASK - 4)
		return;
	u32 len = size > 255 ? 255 : (u32)size;
	len &= 255;
	if (bpf_probe_read_user(&o->s->buf[(p + 4) & POS_MASK], len, uptr) != 0)
		return;
	str_header_f(o, p, len, tag, size > 255 ? STR_F_CUT_END : 0);
}

static __always_inline void put_kernel_bytes(struct out *o, u8 tag, const void *src, u32 len, u8 flags)
{
	u32 p = o->pos;
	if (p > POS_MASK - 4) {
		rec_of(o)->flags |= REC_F_PATH_TRUNC;
		return;
	}
	len &= STR_MAX - 1;
	if (bpf_probe_read_kernel(&o->s->buf[(p + 4) & POS_MASK], len, src) != 0)
		return;
	str_header_f(o, p, len, tag, flags);
}

/* One step of the walk from a dentry up to the root, across mounts: prepends
 * "/name" before `pos` in the per-CPU path buffer. Run by bpf_loop
 * (walk_cb) or by the global walk_level, so the verifier checks the body
 * once, not once per level. */
static __always_inline long walk_step(struct walk *w, struct pathbuf *pb)
{
	/* Locals, not w->..., inside BPF_CORE_READ: only kernel types are relocated. */
	struct dentry *d = w->d;
	struct mount *m = w->m;
	struct dentry *root = w->root;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	/* A disconnected dentry (memfd, deleted or anonymous file) is its own
	 * parent without being a mount root: keep its name, then stop. */
	bool last = d == parent && d != root;
	if (!last && (d == root || d == parent)) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);
		if (m == mp)
			return 1; /* the root of everything */
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		w->root = BPF_CORE_READ(mp, mnt.mnt_root);
		return 0;
	}
	/* The name's length and pointer in one read. */
	struct qstr q = {};
	bpf_core_read(&q, sizeof(q), &d->d_name);
	u32 len = q.len & 255;
	const u8 *name = q.name;
	u32 pos = w->pos;
	if (pos < len + 1 || pos > HALF) {
		w->cut = true;
		return 1;
	}
	pos -= len + 1;
	bpf_probe_read_kernel(&pb->buf[(pos + 1) & (HALF - 1)], len, name);
	pb->buf[pos & (HALF - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	if (last)
		w->detached = true;
	return last ? 1 : 0;
}

#ifdef SHRIKE_BPF_LOOP
/* bpf_loop's callback: `arg` is the walk on the caller's stack. */
static long walk_cb(u64 i, void *arg)
{
	struct walk *w = arg;
	struct pathbuf *pb = w->pb;
	if (!pb)
		return 1;
	return walk_step(w, pb);
}
#endif

#ifndef SHRIKE_BPF_LOOP
/* One level of the walk kept in the per-CPU path buffer. Global, so the
 * verifier checks it once, on its own, rather than every level of every walk
 * with every outcome of the levels before (which takes 5.10 minutes). */
__noinline int walk_level(void)
{
	u32 zero = 0;
	struct pathbuf *pb = bpf_map_lookup_elem(&pathbuf_map, &zero);
	if (!pb)
		return 1;
	return walk_step(&pb->w, pb);
}
#endif

/* Appends the absolute path of (mnt, dentry) as a string tagged `tag`;
 * false if there is none, or the dentry is in no mounted tree (its name is
 * then all there is, such as "pipe:[123]"). */
static __always_inline bool put_path(struct out *o, u8 tag, struct vfsmount *vm, struct dentry *d)
{
	u32 slot = o->slot;
	struct pathbuf *pb = bpf_map_lookup_elem(&pathbuf_map, &slot);
	if (!pb || !d)
		return false;
	struct walk w = {
		.m = container_of(vm, struct mount, mnt),
		.root = BPF_CORE_READ(vm, mnt_root),
		.d = d,
		.pos = HALF,
	};
#ifdef SHRIKE_BPF_LOOP
	w.pb = pb;
	long steps = bpf_loop(MAX_DEPTH, walk_cb, &w, 0);
#else
	pb->w = w;
	long steps = MAX_DEPTH;
	for (int i = 0; i < MAX_DEPTH; i++) {
		if (walk_level()) {
			steps = i + 1;
			break;
		}
	}
	w = pb->w;
#endif
	/* Walked from the file up: a cut path has its end, not its start. */
	bool cut = w.cut || steps >= MAX_DEPTH;
	if (cut)
		rec_of(o)->flags |= REC_F_PATH_TRUNC;
	u32 start = w.pos;
	if (start >= HALF) {
		pb->buf[HALF - 1] = '/';
		start = HALF - 1;
	}
	start &= HALF - 1;
	put_kernel_bytes(o, tag, &pb->buf[start], HALF - start, cut ? STR_F_CUT_START : 0);
	return !w.detached;
}

/* `fd` is an int argument: only the low 32 bits of its register count
 * (glibc leaves the upper half of AT_FDCWD zero). */
static __always_inline struct file *fd_file(struct task_struct *t, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	u32 max = BPF_CORE_READ(fdt, max_fds);
	if (fd < 0 || (u32)fd >= max)
		return 0;
	struct file **arr = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline bool put_file_path(struct out *o, u8 tag, struct file *f)
{
	if (!f)
		return false;
	struct path p;
	bpf_core_read(&p, sizeof(p), &f->f_path);
	return put_path(o, tag, p.mnt, p.dentry);
}

static __always_inline void put_cwd(struct out *o, u8 tag)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	struct path p;
	bpf_core_read(&p, sizeof(p), &fs->pwd);
	put_path(o, tag, p.mnt, p.dentry);
}

/* For a relative path (first byte not '/'): the directory it is relative to. */
static __always_inline void put_base(struct out *o, u8 tag, char first, int dirfd)
{
	if (first == 0 || first == '/')
		return;
	if (dirfd == AT_FDCWD) {
		put_cwd(o, tag);
	} else {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		put_file_path(o, tag, fd_file(t, dirfd));
	}
}

static __always_inline void put_path_arg(struct out *o, const char *upath, int dirfd)
{
	put_base(o, TAG_BASE, put_user_str(o, TAG_PATH, upath), dirfd);
}

static __always_inline void put_path_arg2(struct out *o, const char *upath, int dirfd)
{
	put_base(o, TAG_BASE2, put_user_str(o, TAG_PATH2, upath), dirfd);
}

/* A successful open: the path as given, and the opened file's own path, as
 * the kernel resolved it (symlinks and `..` followed), in place of a base
 * directory to join it to. */
static __always_inline void put_opened(struct out *o, const char *upath, int dirfd, int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	char first = put_user_str(o, TAG_PATH, upath);
	u32 pos = o->pos;
	u16 nstr = rec_of(o)->nstr;
	struct file *f = fd_file(t, fd);
	/* Whether this open created the file: FMODE_CREATED, decoded by the loader. */
	if (f)
		rec_of(o)->aux = BPF_CORE_READ(f, f_mode);
	if (!put_file_path(o, TAG_FDPATH, f)) {
		/* A pipe, a namespace, an anonymous inode: the path as given is the name. */
		o->pos = pos;
		rec_of(o)->nstr = nstr;
		put_base(o, TAG_BASE, first, dirfd);
	}
}

/* The loader's own opens, while it looks for FMODE_CREATED (`calib`). */
static __always_inline void calibrate(u64 id, int fd)
{
	u32 k = 0;
	u32 *next = bpf_map_lookup_elem(&calib, &k);
	if (!next || *next == 0 || *next > 2)
		return;
	k = 3;
	u32 *tid = bpf_map_lookup_elem(&calib, &k);
	if (!tid || *tid != (u32)id)
		return;
	struct file *f = fd_file((struct task_struct *)bpf_get_current_task(), fd);
	if (!f)
		return;
	u32 mode = BPF_CORE_READ(f, f_mode);
	k = *next;
	bpf_map_update_elem(&calib, &k, &mode, BPF_ANY);
	*next = k + 1;
}

/* Records the inode of stdin and stdout, so that the two ends of a pipe
 * (`curl ... | sh`) can be paired offline. */
static __always_inline void put_stdio(struct out *o, struct task_struct *t)
{
	u32 p = o->pos;
	if (p > POS_MASK - 4)
		return;
	struct shrike_stdio *io = (void *)&o->s->buf[(p + 4) & POS_MASK];
	__builtin_memset(io, 0, sizeof(*io));
	struct file *in = fd_file(t, 0);
	if (in) {
		io->in_ino = BPF_CORE_READ(in, f_inode, i_ino);
		io->in_mode = BPF_CORE_READ(in, f_inode, i_mode);
	}
	struct file *out = fd_file(t, 1);
	if (out) {
		io->out_ino = BPF_CORE_READ(out, f_inode, i_ino);
		io->out_mode = BPF_CORE_READ(out, f_inode, i_mode);
	}
	str_header(o, p, sizeof(*io), TAG_STDIO);
}

/* Describes file `f`: its type, socket addresses, or path. */
static __always_inline void put_file(struct out *o, struct file *f)
{
	if (!f)
		return;
	u32 p = o->pos;
	if (p > POS_MASK - 4)
		return;
	struct shrike_fdinfo *fi = (void *)&o->s->buf[(p + 4) & POS_MASK];
	__builtin_memset(fi, 0, sizeof(*fi));
	u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	fi->fdtype = (mode >> 12) & 0xf;
	if (fi->fdtype == S_IFSOCK) {
		struct socket *sock = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);
		fi->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		fi->proto = BPF_CORE_READ(sk, sk_protocol);
		fi->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		fi->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (fi->family == AF_INET) {
			u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
			__builtin_memcpy(fi->laddr, &l, 4);
			__builtin_memcpy(fi->raddr, &r, 4);
		} else if (fi->family == AF_INET6) {
			BPF_CORE_READ_INTO(&fi->laddr, sk, __sk_common.skc_v6_rcv_saddr);
			BPF_CORE_READ_INTO(&fi->raddr, sk, __sk_common.skc_v6_daddr);
		}
	}
	str_header(o, p, sizeof(*fi), TAG_FDINFO);
	if (fi->fdtype != S_IFSOCK)
		put_file_path(o, TAG_FDPATH, f);
}

/* Describes what `fd` of the current process refers to. */
static __always_inline void put_fd(struct out *o, int fd)
{
	put_file(o, fd_file((struct task_struct *)bpf_get_current_task(), fd));
}

static __always_inline void submit(struct out *o)
{
	u32 size = o->pos;
	if (size > SCRATCH_SIZE)
		size = SCRATCH_SIZE;
	rec_of(o)->size = size;
	u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, o->s->buf, size, flags) != 0)
		count_lost();
	release(o);
}

/* The port of an AF_INET or AF_INET6 sockaddr in user memory; 0 for none. */
static __always_inline u16 user_port(const void *uaddr)
{
	u16 fp[2] = {};
	if (!uaddr || bpf_probe_read_user(fp, sizeof(fp), uaddr) != 0)
		return 0;
	if (fp[0] != AF_INET && fp[0] != AF_INET6)
		return 0;
	return bpf_ntohs(fp[1]);
}

/* The remote port of the inet socket behind `fd` (0: not connected); -1
 * for anything else. */
static __always_inline int sock_rport(int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file *f = fd_file(t, fd);
	if (!f)
		return -1;
	u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	if (((mode >> 12) & 0xf) != S_IFSOCK)
		return -1;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return -1;
	return bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

static __always_inline void dns_mark(u64 id, int fd, u8 how)
{
	u64 key = (id & 0xffffffff00000000ull) | (u32)fd;
	bpf_map_update_elem(&dns_socks, &key, &how, BPF_ANY);
	u32 tgid = id >> 32;
	bpf_map_update_elem(&dns_procs, &tgid, &how, BPF_ANY);
}

/* Appends up to DNS_MAX bytes of user memory (a longer value is marked cut). */
static __always_inline void put_user_data(struct out *o, u8 tag, const void *uptr, u64 size)
{
	u32 p = o->pos;
	if (!uptr || p > POS_MASK - 4)
		return;
	u32 len = size > DNS_MAX ? DNS_MAX : (u32)size;
	len &= 2 * DNS_MAX - 1;
	if (bpf_probe_read_user(&o->s->buf[(p + 4) & POS_MASK], len, uptr) != 0)
		return;
	str_header_f(o, p, len, tag, size > DNS_MAX ? STR_F_CUT_END : 0);
}

/* ---- syscall exit: one record with the result ---- */

static __always_inline int on_exit(struct sys_exit_ctx *ctx, u32 kind)
{
	u64 id = bpf_get_current_pid_tgid();
	if ((id >> 32) == self_tgid) {
		if (kind == K_OPENAT && ctx->ret >= 0)
			calibrate(id, (int)ctx->ret);
		return 0;
	}
	if (!traced(id >> 32))
		return 0;
	long res = ctx->ret;
	/* Successful execs are recorded by sched_process_exec, with the new image. */
	if ((kind == K_EXECVE || kind == K_EXECVEAT) && res == 0)
		return 0;
	u64 a[6];
	syscall_args(a, ctx->id);
	/* Only memory made executable is of interest. */
	if ((kind == K_MMAP || kind == K_MPROTECT) && !(a[2] & PROT_EXEC))
		return 0;
	/* Only inode-flag changes (chattr +i, +a) of all the ioctls. */
	if (kind == K_IOCTL && (u32)a[1] != FS_IOC_SETFLAGS && (u32)a[1] != FS_IOC32_SETFLAGS &&
	    (u32)a[1] != FS_IOC_FSSETXATTR)
		return 0;
	struct out o;
	if (!begin(&o, kind, res))
		return 0;
	struct shrike_rec *r = rec_of(&o);
	r->nr = (u32)ctx->id;
	for (int i = 0; i < 6; i++)
		r->args[i] = a[i];
	switch (kind) {
	case K_EXECVE:
	case K_EXECVEAT: {
		/* A failed exec: the old image, so user pointers are still valid. */
		int dirfd = kind == K_EXECVEAT ? (int)a[0] : AT_FDCWD;
		const char *path = (const char *)(kind == K_EXECVEAT ? a[1] : a[0]);
		put_path_arg(&o, path, dirfd);
		break;
	}
	case K_OPEN:
	case K_CREAT:
		if (res >= 0) {
			put_opened(&o, (const char *)a[0], AT_FDCWD, (int)res);
			break;
		}
		put_path_arg(&o, (const char *)a[0], AT_FDCWD);
		break;
	case K_UNLINK:
	case K_RMDIR:
	case K_MKDIR:
	case K_CHMOD:
	case K_CHOWN:
	case K_LCHOWN:
	case K_TRUNCATE:
		put_path_arg(&o, (const char *)a[0], AT_FDCWD);
		break;
	case K_OPENAT:
	case K_OPENAT2:
	case K_UNLINKAT:
	case K_MKDIRAT:
	case K_FCHMODAT:
	case K_FCHOWNAT:
		if ((kind == K_OPENAT || kind == K_OPENAT2) && res >= 0)
			put_opened(&o, (const char *)a[1], (int)a[0], (int)res);
		else
			put_path_arg(&o, (const char *)a[1], (int)a[0]);
		if (kind == K_OPENAT2) {
			/* struct open_how { u64 flags, mode, resolve; } */
			u64 how[2] = {};
			bpf_probe_read_user(how, sizeof(how), (void *)a[2]);
			r->args[2] = how[0];
			r->args[3] = how[1];
		}
		break;
	case K_RENAME:
	case K_LINK:
		put_path_arg(&o, (const char *)a[0], AT_FDCWD);
		put_path_arg2(&o, (const char *)a[1], AT_FDCWD);
		break;
	case K_RENAMEAT:
	case K_RENAMEAT2:
	case K_LINKAT:
		put_path_arg(&o, (const char *)a[1], (int)a[0]);
		put_path_arg2(&o, (const char *)a[3], (int)a[2]);
		break;
	case K_SYMLINK:
		put_user_str(&o, TAG_PATH, (const char *)a[0]);
		put_path_arg2(&o, (const char *)a[1], AT_FDCWD);
		break;
	case K_SYMLINKAT:
		put_user_str(&o, TAG_PATH, (const char *)a[0]);
		put_path_arg2(&o, (const char *)a[2], (int)a[1]);
		break;
	case K_FCHMOD:
	case K_FCHOWN:
	case K_FTRUNCATE:
	case K_FCHDIR:
	case K_FINIT_MODULE: {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		put_file_path(&o, TAG_FDPATH, fd_file(t, (int)a[0]));
		if (kind == K_FINIT_MODULE)
			put_user_str(&o, TAG_NAME, (const char *)a[1]);
		break;
	}
	case K_MOUNT:
		put_user_str(&o, TAG_NAME, (const char *)a[0]);
		put_path_arg2(&o, (const char *)a[1], AT_FDCWD);
		put_user_str(&o, TAG_NAME2, (const char *)a[2]);
		break;
	case K_UMOUNT2:
		put_path_arg2(&o, (const char *)a[0], AT_FDCWD);
		break;
	case K_MEMFD_CREATE:
	case K_DELETE_MODULE:
		put_user_str(&o, TAG_NAME, (const char *)a[0]);
		break;
	case K_INIT_MODULE:
		put_user_str(&o, TAG_NAME, (const char *)a[2]);
		break;
	case K_DUP:
	case K_DUP2:
	case K_DUP3:
		put_fd(&o, res >= 0 ? res : (int)a[0]);
		break;
	case K_CONNECT:
	case K_BIND:
		put_fd(&o, (int)a[0]);
		put_user_bytes(&o, TAG_UADDR, (const void *)a[1], (u32)a[2]);
		if (kind == K_CONNECT && (res == 0 || res == -EINPROGRESS) &&
		    user_port((const void *)a[1]) == DNS_PORT)
			dns_mark(id, (int)a[0], DNS_CONNECTED);
		break;
	case K_LISTEN:
		put_fd(&o, (int)a[0]);
		break;
	case K_ACCEPT:
	case K_ACCEPT4:
		if (res >= 0)
			put_fd(&o, res);
		else
			put_fd(&o, (int)a[0]);
		break;
	case K_MMAP: {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		if ((int)a[4] >= 0)
			put_file_path(&o, TAG_FDPATH, fd_file(t, (int)a[4]));
		break;
	}
	case K_CAPSET: {
		/* Two __user_cap_data_struct { u32 effective, permitted, inheritable; } */
		u32 d[6] = {};
		bpf_probe_read_user(d, sizeof(d), (void *)a[1]);
		r->args[0] = d[0] | ((u64)d[3] << 32);
		r->args[1] = d[1] | ((u64)d[4] << 32);
		r->args[2] = d[2] | ((u64)d[5] << 32);
		break;
	}
	case K_PRCTL:
		if (a[0] == PR_SET_NAME)
			put_user_str(&o, TAG_NAME, (const char *)a[1]);
		break;
	case K_SETXATTR:
	case K_LSETXATTR:
	case K_REMOVEXATTR:
	case K_LREMOVEXATTR:
		put_path_arg(&o, (const char *)a[0], AT_FDCWD);
		put_user_str(&o, TAG_NAME, (const char *)a[1]);
		if (kind == K_SETXATTR || kind == K_LSETXATTR)
			put_user_bytes(&o, TAG_NAME2, (const void *)a[2], a[3]);
		break;
	case K_FSETXATTR:
	case K_FREMOVEXATTR: {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		put_file_path(&o, TAG_FDPATH, fd_file(t, (int)a[0]));
		put_user_str(&o, TAG_NAME, (const char *)a[1]);
		if (kind == K_FSETXATTR)
			put_user_bytes(&o, TAG_NAME2, (const void *)a[2], a[3]);
		break;
	}
	case K_UTIME:
	case K_UTIMES:
	case K_FUTIMESAT:
	case K_UTIMENSAT: {
		bool at = kind == K_FUTIMESAT || kind == K_UTIMENSAT;
		int dirfd = at ? (int)a[0] : AT_FDCWD;
		const char *path = (const char *)(at ? a[1] : a[0]);
		const void *times = (const void *)(at ? a[2] : a[1]);
		if (path) {
			put_path_arg(&o, path, dirfd);
		} else {
			/* utimensat(fd, NULL, ...) is futimens(fd): the file behind dirfd. */
			struct task_struct *t = (struct task_struct *)bpf_get_current_task();
			put_file_path(&o, TAG_FDPATH, fd_file(t, dirfd));
		}
		/* atime sec, nsec, mtime sec, nsec, as the kernel takes them. */
		s64 tv[4] = {};
		if (!times) {
			tv[1] = UTIME_NOW;
			tv[3] = UTIME_NOW;
		} else if (kind == K_UTIME) {
			/* struct utimbuf { long actime, modtime; } */
			s64 ut[2] = {};
			bpf_probe_read_user(ut, sizeof(ut), times);
			tv[0] = ut[0];
			tv[2] = ut[1];
		} else {
			bpf_probe_read_user(tv, sizeof(tv), times);
			if (kind != K_UTIMENSAT) { /* struct timeval: microseconds */
				tv[1] *= 1000;
				tv[3] *= 1000;
			}
		}
		r->args[0] = (u64)(s64)dirfd;
		for (int i = 0; i < 4; i++)
			r->args[i + 1] = tv[i];
		r->args[5] = kind == K_UTIMENSAT ? a[3] : 0;
		break;
	}
	case K_IOCTL: {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		put_file_path(&o, TAG_FDPATH, fd_file(t, (int)a[0]));
		/* FS_IOC_SETFLAGS takes an int, FS_IOC_FSSETXATTR a struct fsxattr
		 * whose first member is the u32 fsx_xflags: four bytes either way. */
		u32 fl = 0;
		bpf_probe_read_user(&fl, sizeof(fl), (void *)a[2]);
		r->args[2] = fl;
		break;
	}
	case K_CHDIR:
		put_path_arg(&o, (const char *)a[0], AT_FDCWD);
		if (res == 0)
			put_cwd(&o, TAG_FDPATH); /* where it went, as the kernel resolved it */
		break;
	case K_BPF:
		if (a[0] == BPF_PROG_LOAD) {
			u32 type = 0;
			bpf_probe_read_user(&type, sizeof(type), (void *)a[1]);
			r->args[3] = type;
			put_user_bytes(&o, TAG_NAME, (const char *)a[1] + 48, 16);
		}
		break;
	default:
		break;
	}
	submit(&o);
	return 0;
}

#define SYSCALL(name, KIND)                                                      \
	SEC("tracepoint/syscalls/sys_exit_" #name)                               \
	int exit_##name(struct sys_exit_ctx *ctx) { return on_exit(ctx, KIND); }

SYSCALL(execve, K_EXECVE)
SYSCALL(execveat, K_EXECVEAT)
SYSCALL(setuid, K_SETUID)
SYSCALL(setgid, K_SETGID)
SYSCALL(setreuid, K_SETREUID)
SYSCALL(setregid, K_SETREGID)
SYSCALL(setresuid, K_SETRESUID)
SYSCALL(setresgid, K_SETRESGID)
SYSCALL(setfsuid, K_SETFSUID)
SYSCALL(setfsgid, K_SETFSGID)
SYSCALL(capset, K_CAPSET)
SYSCALL(ptrace, K_PTRACE)
SYSCALL(kill, K_KILL)
SYSCALL(tkill, K_TKILL)
SYSCALL(tgkill, K_TGKILL)
SYSCALL(chdir, K_CHDIR)
SYSCALL(fchdir, K_FCHDIR)
SYSCALL(setns, K_SETNS)
SYSCALL(unshare, K_UNSHARE)
SYSCALL(prctl, K_PRCTL)
SYSCALL(setsid, K_SETSID)
SYSCALL(open, K_OPEN)
SYSCALL(openat, K_OPENAT)
SYSCALL(openat2, K_OPENAT2)
SYSCALL(creat, K_CREAT)
SYSCALL(unlink, K_UNLINK)
SYSCALL(unlinkat, K_UNLINKAT)
SYSCALL(rmdir, K_RMDIR)
SYSCALL(rename, K_RENAME)
SYSCALL(renameat, K_RENAMEAT)
SYSCALL(renameat2, K_RENAMEAT2)
SYSCALL(link, K_LINK)
SYSCALL(linkat, K_LINKAT)
SYSCALL(symlink, K_SYMLINK)
SYSCALL(symlinkat, K_SYMLINKAT)
SYSCALL(mkdir, K_MKDIR)
SYSCALL(mkdirat, K_MKDIRAT)
SYSCALL(chmod, K_CHMOD)
SYSCALL(fchmod, K_FCHMOD)
SYSCALL(fchmodat, K_FCHMODAT)
SYSCALL(chown, K_CHOWN)
SYSCALL(lchown, K_LCHOWN)
SYSCALL(fchown, K_FCHOWN)
SYSCALL(fchownat, K_FCHOWNAT)
SYSCALL(truncate, K_TRUNCATE)
SYSCALL(ftruncate, K_FTRUNCATE)
SYSCALL(mount, K_MOUNT)
SYSCALL(umount, K_UMOUNT2)
SYSCALL(memfd_create, K_MEMFD_CREATE)
SYSCALL(dup, K_DUP)
SYSCALL(dup2, K_DUP2)
SYSCALL(dup3, K_DUP3)
SYSCALL(socket, K_SOCKET)
SYSCALL(connect, K_CONNECT)
SYSCALL(accept, K_ACCEPT)
SYSCALL(accept4, K_ACCEPT4)
SYSCALL(bind, K_BIND)
SYSCALL(listen, K_LISTEN)
SYSCALL(init_module, K_INIT_MODULE)
SYSCALL(finit_module, K_FINIT_MODULE)
SYSCALL(delete_module, K_DELETE_MODULE)
SYSCALL(bpf, K_BPF)
SYSCALL(mmap, K_MMAP)
SYSCALL(mprotect, K_MPROTECT)
SYSCALL(setxattr, K_SETXATTR)
SYSCALL(lsetxattr, K_LSETXATTR)
SYSCALL(fsetxattr, K_FSETXATTR)
SYSCALL(removexattr, K_REMOVEXATTR)
SYSCALL(lremovexattr, K_LREMOVEXATTR)
SYSCALL(fremovexattr, K_FREMOVEXATTR)
SYSCALL(utime, K_UTIME)
SYSCALL(utimes, K_UTIMES)
SYSCALL(futimesat, K_FUTIMESAT)
SYSCALL(utimensat, K_UTIMENSAT)
SYSCALL(ioctl, K_IOCTL)

/* ---- bytes moved per fd ---- */

/* Which way a call moved bytes: a `dns` event's `dir` (SPEC §5.1), and
 * which of an fd's counts io_add adds to. */
#define MOVED_OUT 1
#define MOVED_IN 2
#define IO_CLOSED 1
#define IO_EXITED 2
#define IO_EXEC 4
#define IO_EXIT_FDS 1024 /* fds an exit looks at, at most */
/* A file only read is told from this many bytes: every program reads its
 * libraries' headers and a few configuration files, whose opens say enough,
 * and telling each doubled the cost of an open. */
#define IO_FILE_READ_MIN (1 << 20)

/* Adds `n` bytes moved through `fd` of the current process. */
static __always_inline void io_add(u64 id, int fd, u32 dir, u64 n)
{
	if (fd < 0)
		return;
	u64 key = (id & 0xffffffff00000000ull) | (u32)fd;
	struct io_count *c = bpf_map_lookup_elem(&io_bytes, &key);
	if (!c) {
		struct io_count z = {};
		struct file *f = fd_file((struct task_struct *)bpf_get_current_task(), fd);
		if (f)
			z.type = (BPF_CORE_READ(f, f_inode, i_mode) >> 12) & 0xf;
		/* Another thread may have made it meanwhile: then use that one. */
		bpf_map_update_elem(&io_bytes, &key, &z, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&io_bytes, &key);
		if (!c) {
			count_lost(); /* the table is full: these bytes are not told */
			return;
		}
		u32 tgid = id >> 32, top = (u32)fd + 1;
		u32 *hi = bpf_map_lookup_elem(&io_procs, &tgid);
		if (!hi)
			bpf_map_update_elem(&io_procs, &tgid, &top, BPF_NOEXIST);
		else if (*hi < top)
			*hi = top;
	}
	if (dir == MOVED_IN) {
		__sync_fetch_and_add(&c->read, n);
		__sync_fetch_and_add(&c->reads, 1);
	} else {
		__sync_fetch_and_add(&c->written, n);
		__sync_fetch_and_add(&c->writes, 1);
	}
}

/* Writes the counts of fd `key` (tgid << 32 | fd) of the current process as
 * an `fd_io` event and forgets them; only files and sockets are told (a
 * pipe's or a terminal's bytes are counted, not written). With `how`
 * IO_EXEC, only an fd the exec closed (close-on-exec). A global function,
 * verified once for the loop over a process's fds. */
__noinline int io_flush(u64 key, u32 how)
{
	struct io_count *c = bpf_map_lookup_elem(&io_bytes, &key);
	if (!c)
		return 0;
	int fd = (int)(u32)key;
	/* Only an exec's flush asks whether the fd is still open: a close's
	 * or an exit's fd is, and the table is read again only to describe it. */
	if (how == IO_EXEC && fd_file((struct task_struct *)bpf_get_current_task(), fd))
		return 0;
	struct io_count v = *c;
	bpf_map_delete_elem(&io_bytes, &key);
	/* The type it had when first counted: an fd an exec closed names nothing now. */
	if (v.type != 8 /* S_IFREG */ && v.type != S_IFSOCK)
		return 0;
	if (v.type == 8 && v.written == 0 && v.read < IO_FILE_READ_MIN)
		return 0;
	struct out o;
	if (!begin(&o, K_FD_IO, 0))
		return 0;
	struct shrike_rec *r = rec_of(&o);
	r->args[0] = (u64)(s64)fd;
	r->args[1] = v.read;
	r->args[2] = v.written;
	r->args[3] = v.reads;
	r->args[4] = v.writes;
	r->args[5] = how;
	r->aux = v.type;
	put_fd(&o, fd);
	submit(&o);
	return 0;
}

/* Writes the counts of the current process's fds below its highest counted
 * one (IO_EXITED: all; IO_EXEC: those its exec closed). */
static __always_inline void io_flush_all(u32 tgid, u32 how)
{
	u32 *hi = bpf_map_lookup_elem(&io_procs, &tgid);
	if (!hi)
		return;
	u32 n = *hi;
	if (n > IO_EXIT_FDS)
		n = IO_EXIT_FDS;
	for (u32 fd = 0; fd < IO_EXIT_FDS; fd++) {
		if (fd >= n)
			break;
		io_flush((u64)tgid << 32 | fd, how);
	}
	if (how == IO_EXITED)
		bpf_map_delete_elem(&io_procs, &tgid);
}

/* close: the fd still names its file at entry. */
SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct sys_enter_ctx *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	if (!traced(id >> 32))
		return 0;
	io_flush((id & 0xffffffff00000000ull) | (u32)ctx->args[0], IO_CLOSED);
	return 0;
}

/* The start of a program on a call that moved data: the caller and the
 * call's arguments; false when nothing moved or the caller is not recorded. */
static __always_inline bool data_call(struct sys_exit_ctx *ctx, u64 *id, u64 a[6])
{
	if (ctx->ret <= 0)
		return false;
	*id = bpf_get_current_pid_tgid();
	if (!traced(*id >> 32))
		return false;
	syscall_args(a, ctx->id);
	return true;
}

/* The other calls that move bytes through an fd: their result is the count. */
static __always_inline int on_io(struct sys_exit_ctx *ctx, u32 dir)
{
	long res = ctx->ret;
	u64 id, a[6];
	if (!data_call(ctx, &id, a))
		return 0;
	io_add(id, (int)a[0], dir, res);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int exit_pread64(struct sys_exit_ctx *ctx) { return on_io(ctx, MOVED_IN); }
SEC("tracepoint/syscalls/sys_exit_pwrite64")
int exit_pwrite64(struct sys_exit_ctx *ctx) { return on_io(ctx, MOVED_OUT); }
SEC("tracepoint/syscalls/sys_exit_readv")
int exit_readv(struct sys_exit_ctx *ctx) { return on_io(ctx, MOVED_IN); }
SEC("tracepoint/syscalls/sys_exit_writev")
int exit_writev(struct sys_exit_ctx *ctx) { return on_io(ctx, MOVED_OUT); }

/* sendfile(out, in, ...): the bytes leave `in` and go to `out`. */
SEC("tracepoint/syscalls/sys_exit_sendfile64")
int exit_sendfile64(struct sys_exit_ctx *ctx)
{
	long res = ctx->ret;
	u64 id, a[6];
	if (!data_call(ctx, &id, a))
		return 0;
	io_add(id, (int)a[0], MOVED_OUT, res);
	io_add(id, (int)a[1], MOVED_IN, res);
	return 0;
}

/* ---- DNS: messages to and from port 53 ---- */


/* One `dns` record: `len` bytes at `buf` moved through `fd`, and the peer's
 * address when the syscall named one (an unconnected UDP socket). */
static __always_inline void dns_record(int nr, long res, int fd, u32 dir, const void *buf, u64 len,
				       const void *uaddr)
{
	struct out o;
	if (!begin(&o, K_DNS, res))
		return;
	struct shrike_rec *r = rec_of(&o);
	r->nr = nr;
	r->args[0] = (u64)(s64)fd;
	r->args[1] = dir;
	r->args[2] = len;
	put_fd(&o, fd);
	if (uaddr)
		put_user_bytes(&o, TAG_UADDR, uaddr, 28); /* sockaddr_in6 at most */
	put_user_data(&o, TAG_DATA, buf, len);
	submit(&o);
}

/* Whether `fd` of the current process was marked as talking to port 53 and
 * still is that socket (connected there, or still unconnected); an entry
 * whose fd now is something else goes. */
static __always_inline bool dns_marked(u64 id, int fd)
{
	u64 key = (id & 0xffffffff00000000ull) | (u32)fd;
	u8 *how = bpf_map_lookup_elem(&dns_socks, &key);
	if (!how)
		return false;
	int port = sock_rport(fd);
	if (port == (*how == DNS_CONNECTED ? DNS_PORT : 0))
		return true;
	bpf_map_delete_elem(&dns_socks, &key);
	return false;
}

/* Whether a send or receive that named `uaddr` (or none) on `fd` is DNS;
 * a send to port 53 on an unconnected socket marks it, for its answer. */
static __always_inline bool dns_call(u64 id, int fd, const void *uaddr, u32 dir)
{
	if (uaddr) {
		if (user_port(uaddr) != DNS_PORT)
			return false;
		if (dir == MOVED_OUT && sock_rport(fd) == 0)
			dns_mark(id, fd, DNS_SENT_TO);
		return true;
	}
	return sock_rport(fd) == DNS_PORT || dns_marked(id, fd);
}

/* read and write: bytes moved, and DNS on sockets marked at connect (for
 * processes that marked one: one lookup by process otherwise). */
static __always_inline int on_rw(struct sys_exit_ctx *ctx, u32 dir)
{
	long res = ctx->ret;
	if (res <= 0)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32;
	bool dns = want_dns && bpf_map_lookup_elem(&dns_procs, &tgid);
	if ((!dns && !want_io) || !traced(tgid))
		return 0;
	u64 a[6];
	syscall_args(a, ctx->id);
	if (want_io)
		io_add(id, (int)a[0], dir, res);
	if (dns && dns_marked(id, (int)a[0]))
		dns_record(ctx->id, res, (int)a[0], dir, (const void *)a[1], res, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct sys_exit_ctx *ctx) { return on_rw(ctx, MOVED_IN); }
SEC("tracepoint/syscalls/sys_exit_write")
int exit_write(struct sys_exit_ctx *ctx) { return on_rw(ctx, MOVED_OUT); }

/* sendto and recvfrom: the address the call names (the source of a
 * datagram received, written by the kernel before the exit), else the
 * connected peer. */
static __always_inline int on_sendrecv(struct sys_exit_ctx *ctx, u32 dir)
{
	long res = ctx->ret;
	u64 id, a[6];
	if (!data_call(ctx, &id, a))
		return 0;
	if (want_io)
		io_add(id, (int)a[0], dir, res);
	const void *uaddr = (const void *)a[4];
	if (!want_dns || !dns_call(id, (int)a[0], uaddr, dir))
		return 0;
	dns_record(ctx->id, res, (int)a[0], dir, (const void *)a[1], res, uaddr);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_sendto(struct sys_exit_ctx *ctx) { return on_sendrecv(ctx, MOVED_OUT); }
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct sys_exit_ctx *ctx) { return on_sendrecv(ctx, MOVED_IN); }

/* struct user_msghdr, up to the iovec count. */
struct umsg {
	void *name;
	int namelen;
	int pad;
	struct uiovec *iov;
	u64 iovlen;
};
struct uiovec {
	void *base;
	u64 len;
};

/* One message of sendmsg, recvmsg, sendmmsg or recvmmsg: `len` bytes moved,
 * recorded from its first buffer. A global function, verified once: inlined
 * twice into the sendmmsg program, it passed the verifier's jump limit. */
__noinline int dns_msg(u64 nr_dir, long res, int fd, u64 umsg, u64 len)
{
	/* Five arguments at most: the syscall number and direction share one. */
	int nr = (u32)nr_dir;
	u32 dir = nr_dir >> 32;
	u64 id = bpf_get_current_pid_tgid();
	struct umsg m = {};
	if (bpf_probe_read_user(&m, sizeof(m), (const void *)umsg) != 0)
		return 0;
	if (!dns_call(id, fd, m.name, dir))
		return 0;
	struct uiovec v = {};
	if (m.iovlen == 0 || bpf_probe_read_user(&v, sizeof(v), m.iov) != 0)
		return 0;
	dns_record(nr, res, fd, dir, v.base, len < v.len ? len : v.len, m.name);
	return 0;
}

static __always_inline int on_msg(struct sys_exit_ctx *ctx, u32 dir)
{
	long res = ctx->ret;
	u64 id, a[6];
	if (!data_call(ctx, &id, a))
		return 0;
	if (want_io)
		io_add(id, (int)a[0], dir, res);
	if (want_dns)
		dns_msg((u32)ctx->id | (u64)dir << 32, res, (int)a[0], a[1], res);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct sys_exit_ctx *ctx) { return on_msg(ctx, MOVED_OUT); }
SEC("tracepoint/syscalls/sys_exit_recvmsg")
int exit_recvmsg(struct sys_exit_ctx *ctx) { return on_msg(ctx, MOVED_IN); }

/* sendmmsg and recvmmsg return how many messages moved; each struct mmsghdr
 * is a user_msghdr (56 bytes) and the bytes it moved. glibc's resolver
 * sends the A and AAAA questions in one sendmmsg: the first two are kept. */
#define MMSG_SIZE 64
static __always_inline int on_mmsg(struct sys_exit_ctx *ctx, u32 dir)
{
	long res = ctx->ret;
	u64 id, a[6];
	if (!data_call(ctx, &id, a))
		return 0;
	/* Bytes moved: the messages' lengths, of the first eight. */
	u64 total = 0;
	for (int i = 0; i < 8; i++) {
		if (i >= res)
			break;
		const u8 *h = (const u8 *)a[1] + i * MMSG_SIZE;
		u32 len = 0;
		bpf_probe_read_user(&len, sizeof(len), h + 56);
		total += len;
		if (want_dns && i < 2)
			dns_msg((u32)ctx->id | (u64)dir << 32, res, (int)a[0], (u64)h, len);
	}
	if (want_io)
		io_add(id, (int)a[0], dir, total);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int exit_sendmmsg(struct sys_exit_ctx *ctx) { return on_mmsg(ctx, MOVED_OUT); }
SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int exit_recvmmsg(struct sys_exit_ctx *ctx) { return on_mmsg(ctx, MOVED_IN); }

/* ---- io_uring ----
 * Requests submitted through a ring never pass a syscall tracepoint: they are
 * read from io_uring's own. A request is remembered at submission (what it
 * asks, by whom) and written as one `io_uring` event at its completion (the
 * result, and the file or socket it used or opened); the recorder writes
 * those still pending at its stop. */

/* Where the submit and complete tracepoints keep each field, in bytes from
 * the start of their record, as this kernel's tracefs says (set by the
 * loader; 0: the tracepoint has no such field). */
const volatile u32 ur_sub_ctx = 0;
const volatile u32 ur_sub_req = 0;
const volatile u32 ur_sub_ud = 0;
const volatile u32 ur_sub_op = 0;
const volatile u32 ur_sub_flags = 0;
const volatile u32 ur_cmp_ctx = 0;
const volatile u32 ur_cmp_req = 0;
const volatile u32 ur_cmp_ud = 0;
const volatile u32 ur_cmp_res = 0;
const volatile u32 ur_cmp_res8 = 0; /* res is a long (8 bytes), not an int */
const volatile u32 ur_cmp_cflags = 0;

#define UR_OPENAT 18
#define UR_OPENAT2 28
#define UR_ACCEPT 13
#define UR_CLOSE 19
#define UR_CONNECT 16
#define UR_CQE_F_MORE 2 /* more completions of this request follow */
#define UR_FIXED_FILE 1 /* IOSQE_FIXED_FILE: the fd is a slot of the ring's own table */
/* A ring's fd in the process that made it, by the ring's address. */
struct ur_ring {
	u32 tgid;
	s32 fd;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct ur_ring);
} uring_rings SEC(".maps");

/* A request between its submission and its (last) completion: by its
 * address where both tracepoints give it, else by ring and user_data. */
struct ur_key {
	u64 a;
	u64 b;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ur_key);
	__type(value, struct shrike_uring_req);
} uring_reqs SEC(".maps");

/* What an open or a connect request named (the path as the kernel copied
 * it, the address as in user memory), kept from its submission to its
 * completion: a failed request has no file to describe then. */
#define UR_ARG_MAX 256
struct ur_arg {
	u16 len;
	u8 tag; /* TAG_PATH or TAG_UADDR */
	u8 cut; /* STR_F_CUT_END: longer than UR_ARG_MAX - 1 */
	u8 pad[4];
	char data[UR_ARG_MAX];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ur_key);
	__type(value, struct ur_arg);
} uring_args SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ur_arg);
} uring_arg_scratch SEC(".maps");

static __always_inline u64 tp_u64(void *ctx, u32 off)
{
	u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (u8 *)ctx + off);
	return v;
}

static __always_inline u32 tp_u32(void *ctx, u32 off)
{
	u32 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (u8 *)ctx + off);
	return v;
}

static __always_inline u8 tp_u8(void *ctx, u32 off)
{
	u8 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (u8 *)ctx + off);
	return v;
}

static __always_inline struct ur_key ur_key_of(u64 ring, u64 req, u64 user_data)
{
	struct ur_key k = {};
	if (ur_sub_req && ur_cmp_req) {
		k.a = req;
	} else {
		k.a = ring;
		k.b = user_data;
	}
	return k;
}

/* Whether opcode `op` takes its file from the request's fd (the kernel's
 * `needs_file`), so that `cqe.fd` holds that fd at submission. */
static __always_inline bool ur_needs_file(u8 op)
{
	switch (op) {
	case 1: case 2: case 3: case 4: case 5:   /* READV WRITEV FSYNC READ_FIXED WRITE_FIXED */
	case 6: case 8: case 9: case 10:          /* POLL_ADD SYNC_FILE_RANGE SENDMSG RECVMSG */
	case UR_ACCEPT: case UR_CONNECT: case 17: /* FALLOCATE */
	case 22: case 23: case 24: case 26: case 27: /* READ WRITE FADVISE SEND RECV */
	case 29: case 30: case 33: case 34:       /* EPOLL_CTL SPLICE TEE SHUTDOWN */
	case 41: case 43: case 47: case 48:       /* FSETXATTR FGETXATTR SEND_ZC SENDMSG_ZC */
	case 49: case 55: case 56: case 57:       /* READ_MULTISHOT FTRUNCATE BIND LISTEN */
	case 60: case 61:                         /* READV_FIXED WRITEV_FIXED */
		return true;
	}
	return false;
}

/* Which way opcode `op` moves bytes through its fd: MOVED_IN, MOVED_OUT, or 0. */
static __always_inline u32 ur_direction(u8 op)
{
	switch (op) {
	case 1: case 4: case 10: case 22: case 27: case 49: case 60: /* READV READ_FIXED RECVMSG READ RECV READ_MULTISHOT READV_FIXED */
		return MOVED_IN;
	case 2: case 5: case 9: case 23: case 26: case 47: case 48: case 61: /* WRITEV WRITE_FIXED SENDMSG WRITE SEND SEND_ZC SENDMSG_ZC WRITEV_FIXED */
		return MOVED_OUT;
	}
	return 0;
}

SEC("tracepoint/io_uring/io_uring_create")
int uring_create(struct uring_create_ctx *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	if (!traced(id >> 32) || ctx->fd < 0)
		return 0;
	struct ur_ring v = {.tgid = id >> 32, .fd = ctx->fd};
	u64 ring = ctx->ring;
	bpf_map_update_elem(&uring_rings, &ring, &v, BPF_ANY);
	struct out o;
	if (!begin(&o, K_IO_URING_SETUP, ctx->fd))
		return 0;
	struct shrike_rec *r = rec_of(&o);
	r->args[0] = ctx->sq_entries;
	r->args[1] = ctx->cq_entries;
	r->args[2] = ctx->flags;
	submit(&o);
	return 0;
}

/* Attached to io_uring_submit_req, or io_uring_submit_sqe before 6.4. */
SEC("tracepoint/io_uring/io_uring_submit_req")
int uring_submit(void *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	if (!traced(id >> 32))
		return 0;
	u64 ring = tp_u64(ctx, ur_sub_ctx);
	u64 req = ur_sub_req ? tp_u64(ctx, ur_sub_req) : 0;
	struct shrike_uring_req v = {};
	v.ts = bpf_ktime_get_boot_ns();
	v.user_data = tp_u64(ctx, ur_sub_ud);
	v.op = tp_u8(ctx, ur_sub_op);
	v.tgid = id >> 32;
	v.tid = (u32)id;
	v.ring = -1;
	v.fd = -1;
	struct ur_arg *arg = 0;
	struct ur_ring *rg = bpf_map_lookup_elem(&uring_rings, &ring);
	if (rg && rg->tgid == v.tgid)
		v.ring = rg->fd;
	bpf_get_current_comm(v.comm, sizeof(v.comm));
	/* With the request: it is prepared by now (its opcode's data read
	 * from the submission, a path copied into the kernel). */
	if (req) {
		struct io_kiocb *k = (struct io_kiocb *)req;
		v.file = (u64)BPF_CORE_READ(k, file);
		if (v.op == UR_OPENAT || v.op == UR_OPENAT2) {
			struct io_open *op = (struct io_open *)req;
			v.flags = BPF_CORE_READ(op, how.flags);
			v.mode = BPF_CORE_READ(op, how.mode);
			v.fd = BPF_CORE_READ(op, dfd);
			v.known = UR_FLAGS_KNOWN | UR_FD_KNOWN;
			if (bpf_core_field_exists(op->file_slot) && BPF_CORE_READ(op, file_slot))
				v.known |= UR_SLOT;
			v.file = 0;
			u32 zero = 0;
			struct ur_arg *a = bpf_map_lookup_elem(&uring_arg_scratch, &zero);
			const char *name = 0;
			struct io_open___delayed *od = (struct io_open___delayed *)req;
			if (bpf_core_field_exists(op->filename))
				name = BPF_CORE_READ(op, filename, name);
			else if (bpf_core_field_exists(od->filename))
				name = BPF_CORE_READ(od, filename.__incomplete_filename, name);
			long n = a && name ? bpf_probe_read_kernel_str(a->data, UR_ARG_MAX, name) : 0;
			if (n > 0) {
				a->len = (u16)(n - 1);
				a->tag = TAG_PATH;
				a->cut = n >= UR_ARG_MAX ? STR_F_CUT_END : 0;
				arg = a;
			}
		} else if (v.op == UR_CLOSE) {
			struct io_close *cl = (struct io_close *)req;
			v.file = 0;
			/* A close of a fixed-file slot names no fd. */
			if (bpf_core_field_exists(cl->file_slot) && BPF_CORE_READ(cl, file_slot))
				goto remember;
			v.fd = BPF_CORE_READ(cl, fd);
			v.known = UR_FD_KNOWN;
			/* As close's entry does: the fd still names its file. */
			if (want_io && v.fd >= 0)
				io_flush((id & 0xffffffff00000000ull) | (u32)v.fd, IO_CLOSED);
		} else if (v.op == UR_CONNECT) {
			struct io_connect *cn = (struct io_connect *)req;
			u32 zero = 0;
			struct ur_arg *a = bpf_map_lookup_elem(&uring_arg_scratch, &zero);
			const void *uaddr = BPF_CORE_READ(cn, addr);
			int len = BPF_CORE_READ(cn, addr_len);
			if (a && uaddr && len > 0) {
				u32 n = len > 128 ? 128 : (u32)len;
				n &= 255;
				if (bpf_probe_read_user(a->data, n, uaddr) == 0) {
					a->len = n;
					a->tag = TAG_UADDR;
					a->cut = 0;
					arg = a;
				}
			}
		}
		/* The fd the request names (a connect's too). */
		if (ur_needs_file(v.op) && bpf_core_field_exists(k->cqe) &&
		    !(ur_sub_flags && (tp_u32(ctx, ur_sub_flags) & UR_FIXED_FILE))) {
			v.fd = BPF_CORE_READ(k, cqe.fd);
			v.known = UR_FD_KNOWN;
		}
	}
remember:;
	struct ur_key key = ur_key_of(ring, req, v.user_data);
	if (bpf_map_update_elem(&uring_reqs, &key, &v, BPF_ANY) != 0) {
		count_lost(); /* the table is full: this request is not told */
		return 0;
	}
	/* Without room, the request is told without what it named. */
	if (arg)
		bpf_map_update_elem(&uring_args, &key, arg, BPF_ANY);
	return 0;
}

SEC("tracepoint/io_uring/io_uring_complete")
int uring_complete(void *ctx)
{
	u64 ring = tp_u64(ctx, ur_cmp_ctx);
	u64 req = ur_cmp_req ? tp_u64(ctx, ur_cmp_req) : 0;
	u64 ud = tp_u64(ctx, ur_cmp_ud);
	struct ur_key key = ur_key_of(ring, req, ud);
	struct shrike_uring_req *p = bpf_map_lookup_elem(&uring_reqs, &key);
	if (!p)
		return 0; /* submitted by a process not recorded, or before the recording */
	struct shrike_uring_req v = *p;
	u32 cflags = ur_cmp_cflags ? tp_u32(ctx, ur_cmp_cflags) : 0;
	bool last = !(cflags & UR_CQE_F_MORE);
	if (last)
		bpf_map_delete_elem(&uring_reqs, &key);
	s64 res = ur_cmp_res8 ? (s64)tp_u64(ctx, ur_cmp_res) : (s64)(s32)tp_u32(ctx, ur_cmp_res);
	struct out o;
	if (!begin(&o, K_IO_URING, res)) {
		if (last)
			bpf_map_delete_elem(&uring_args, &key);
		return 0;
	}
	struct shrike_rec *r = rec_of(&o);
	/* The submitter's: a completion may run on one of the kernel's
	 * io_uring worker threads. */
	r->pid = v.tgid;
	r->tid = v.tid;
	__builtin_memcpy(r->comm, v.comm, sizeof(r->comm));
	r->args[0] = (u64)(s64)v.ring;
	r->args[1] = v.op | (u64)v.known << 8;
	r->args[2] = v.user_data;
	r->args[3] = (u64)(s64)v.fd;
	r->args[4] = v.flags | (u64)v.mode << 32;
	r->args[5] = v.ts;
	r->nr = cflags;
	struct file *f = 0;
	bool opened = (v.op == UR_OPENAT || v.op == UR_OPENAT2 || v.op == UR_ACCEPT) &&
		      res >= 0 && !(v.known & UR_SLOT);
	if (opened) {
		/* The new fd, in the table the submitter shares with the
		 * thread completing it. */
		f = fd_file((struct task_struct *)bpf_get_current_task(), (int)res);
		if (f && v.op != UR_ACCEPT)
			r->aux = BPF_CORE_READ(f, f_mode);
	} else if (req) {
		f = BPF_CORE_READ((struct io_kiocb *)req, file);
	} else {
		f = (struct file *)v.file;
	}
	put_file(&o, f);
	struct ur_arg *a = bpf_map_lookup_elem(&uring_args, &key);
	if (a) {
		put_kernel_bytes(&o, a->tag, a->data, a->len & (UR_ARG_MAX - 1), a->cut);
		if (last)
			bpf_map_delete_elem(&uring_args, &key);
	}
	submit(&o);
	/* Bytes moved through an fd count as a syscall's would (`fd_io`). */
	if (want_io && res > 0 && (v.known & UR_FD_KNOWN)) {
		u32 dir = ur_direction(v.op);
		if (dir)
			io_add((u64)v.tgid << 32, v.fd, dir, res);
	}
	return 0;
}

/* Every syscall's exit, filtered in the kernel to the numbers in `untraced`:
 * attached only when the kernel lacks a tracepoint shrike wants (module
 * loading on a kernel without CONFIG_MODULES), so the attempt is recorded.
 * A BTF raw tracepoint, because it runs for every syscall on the host: it
 * skips the perf buffer a tracepoint program gets, and reads the syscall
 * number straight from the registers, without a helper call. */
SEC("tp_btf/sys_exit")
int BPF_PROG(raw_exit, struct pt_regs *regs, long ret)
{
	u32 nr = (u32)regs->orig_ax;
	u8 *on = bpf_map_lookup_elem(&untraced, &nr);
	if (!on || !*on)
		return 0;
	struct sys_exit_ctx c = {.id = (int)nr, .ret = ret};
	return on_exit(&c, K_SYSCALL);
}

/* ---- process lifecycle from the scheduler ---- */

static __always_inline void put_task_facts(struct shrike_rec *r, struct task_struct *t)
{
	r->args[0] = BPF_CORE_READ(t, real_parent, tgid);
	r->args[1] = BPF_CORE_READ(t, loginuid.val);
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	r->args[2] = BPF_CORE_READ(sig, pids[3], numbers[0].nr); /* PIDTYPE_SID */
	struct tty_struct *tty = BPF_CORE_READ(sig, tty);
	if (tty) {
		u32 major = BPF_CORE_READ(tty, driver, major);
		u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		r->args[3] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
	/* kernel_cap_t is a u64 since 6.3 and two u32 before: the same 8 bytes
	 * either way, so they are read whole and only the field's place is relocated. */
	const struct cred *c = BPF_CORE_READ(t, cred);
	bpf_core_read(&r->args[4], 8, &c->cap_effective);
	bpf_core_read(&r->args[5], 8, &c->cap_permitted);
}

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/* Whether `f` is a file of an overlayfs upper layer: written in the container
 * (or on the host's overlay), not shipped in an image's lower layers.
 * overlayfs keeps the upper dentry right after the VFS inode it embeds
 * (struct ovl_inode), a type in no vmlinux BTF when overlay is a module; the
 * inode's size is relocated, so the place is right on every kernel. */
static __always_inline bool exe_upper_layer(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	if (!d || BPF_CORE_READ(d, d_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return false;
	char *inode = (char *)BPF_CORE_READ(d, d_inode);
	if (!inode)
		return false;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), inode + bpf_core_type_size(struct inode));
	return upper && BPF_CORE_READ(upper, d_inode, i_ino) != 0;
}

/* Appends the user memory [start, end) of the new image (argv or the
 * environment, NUL-separated strings), at most STR_MAX - 1 bytes; what does
 * not fit, or fits no more in the record, sets `trunc` (REC_F_*) and the cut. */
static __always_inline void put_user_block(struct out *o, u8 tag, unsigned long start, unsigned long end, u16 trunc)
{
	u32 len = end > start ? end - start : 0;
	u8 cut = 0;
	if (len > STR_MAX - 1) {
		len = STR_MAX - 1;
		rec_of(o)->flags |= trunc;
		cut = STR_F_CUT_END;
	}
	u32 p = o->pos;
	if (p > POS_MASK - 4) {
		if (len)
			rec_of(o)->flags |= trunc;
		return;
	}
	if (bpf_probe_read_user(&o->s->buf[(p + 4) & POS_MASK], len & (STR_MAX - 1), (void *)start) == 0)
		str_header_f(o, p, len & (STR_MAX - 1), tag, cut);
	else if (len)
		rec_of(o)->flags |= trunc;
}

SEC("tracepoint/sched/sched_process_exec")
int sched_exec(struct sched_exec_ctx *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32;
	if (!traced(tgid))
		return 0;
	u64 a[6];
	u32 kind = syscall_args(a, -1) == NR_EXECVEAT ? K_EXECVEAT : K_EXECVE;
	struct out o;
	if (!begin(&o, kind, 0))
		return 0;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	put_task_facts(rec_of(&o), t);
	put_stdio(&o, t);
	u32 off = ctx->filename_loc & 0xffff;
	put_kernel_bytes(&o, TAG_PATH, (char *)ctx + off, ((ctx->filename_loc >> 16) & 0xffff) - 1, 0);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct file *exe = BPF_CORE_READ(mm, exe_file);
	put_file_path(&o, TAG_EXE, exe);
	if (exe_upper_layer(exe))
		rec_of(&o)->flags |= REC_F_EXE_UPPER;
	put_cwd(&o, TAG_CWD);
	put_user_block(&o, TAG_ARGV, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end), REC_F_ARGV_TRUNC);
	put_user_block(&o, TAG_ENV, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end), REC_F_ENV_TRUNC);
	rec_of(&o)->aux = BPF_CORE_READ(t, signal, pids[2], numbers[0].nr); /* PIDTYPE_PGID */
	submit(&o);
	/* The fds the exec closed (close-on-exec) took no close call. */
	if (want_io)
		io_flush_all(tgid, IO_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 ptgid = id >> 32;
	u32 ctgid = BPF_CORE_READ(child, tgid);
	if (follow && ptgid != self_tgid && bpf_map_lookup_elem(&followed, &ptgid)) {
		u8 one = 1;
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	}
	if (!traced(ptgid))
		return 0;
	u64 a[6];
	u32 kind = K_CLONE;
	u64 flags = 0;
	switch (syscall_args(a, -1)) {
	case NR_CLONE:
		flags = a[0];
		break;
	case NR_CLONE3: /* struct clone_args starts with u64 flags */
		kind = K_CLONE3;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)a[0]);
		break;
	case NR_FORK:
		kind = K_FORK;
		flags = SIGCHLD;
		break;
	case NR_VFORK:
		kind = K_VFORK;
		flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		break;
	}
	struct out o;
	u32 ctid = BPF_CORE_READ(child, pid);
	if (!begin(&o, kind, ctid))
		return 0;
	struct shrike_rec *r = rec_of(&o);
	r->args[0] = ctgid;
	r->args[1] = ctid;
	r->args[2] = flags;
	submit(&o);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sched_exit(struct sched_exit_ctx *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32;
	if (!traced(tgid))
		return 0;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	/* Before 6.16 the tracepoint has no group_dead; do_exit has already
	 * counted this thread out of signal->live when it fires. */
	bool group_dead = exit_tp_group_dead ? ctx->group_dead : BPF_CORE_READ(t, signal, live.counter) == 0;
	struct out o;
	if (!begin(&o, K_PROCEXIT, 0))
		return 0;
	int code = BPF_CORE_READ(t, exit_code);
	struct shrike_rec *r = rec_of(&o);
	r->args[0] = (code >> 8) & 0xff;
	r->args[1] = code & 0x7f;
	r->args[2] = group_dead;
	submit(&o);
	if (follow && group_dead)
		bpf_map_delete_elem(&followed, &tgid);
	if (group_dead) {
		bpf_map_delete_elem(&dns_procs, &tgid);
		/* Before exit_files: the fds still name their files. */
		if (want_io)
			io_flush_all(tgid, IO_EXITED);
	}
	return 0;
}
