/* The kernel -> user record layout: the one header both sides follow
 * (capture/src/record.rs mirrors it). A record is a fixed header, then `nstr`
 * strings, each `u16 len, u8 tag, u8 flags (STR_F_*), len bytes` (no NUL,
 * unaligned). */
#ifndef SHRIKE_RECORD_H
#define SHRIKE_RECORD_H

struct shrike_rec {
	__u64 ts;       /* bpf_ktime_get_boot_ns */
	__u64 cgroup;   /* bpf_get_current_cgroup_id */
	__s64 res;      /* syscall result */
	__u64 args[6];  /* kind-specific numbers (see capture/src/record.rs) */
	__u32 kind;     /* format-spec kind id */
	__u32 cpu;
	__u32 pid;      /* tgid */
	__u32 tid;
	__u32 uid, gid, euid, egid;
	__u32 size;     /* bytes of header and strings */
	__u16 nstr;
	__u16 flags;    /* REC_F_* */
	char comm[16];
	__u32 nr;       /* syscall number (orig_ax); 0 for the scheduler's records */
	__u32 aux;      /* an exec's process group (host pid namespace); an open's f_mode; fd_io: the fd's S_IFMT >> 12 when first counted; else 0 */
};

/* String tags. */
#define TAG_PATH 1      /* path argument as given */
#define TAG_BASE 2      /* directory a relative TAG_PATH is relative to */
#define TAG_PATH2 3     /* second path argument */
#define TAG_BASE2 4
#define TAG_EXE 5       /* resolved executable */
#define TAG_CWD 6
#define TAG_ARGV 7      /* NUL-separated argument strings */
#define TAG_FDPATH 8    /* path of the file behind the fd being described */
#define TAG_FDINFO 9    /* struct shrike_fdinfo */
#define TAG_UADDR 10    /* raw sockaddr from user memory */
#define TAG_NAME 11     /* other string argument */
#define TAG_NAME2 12    /* second string argument (an xattr value: bytes) */
#define TAG_STDIO 13    /* struct shrike_stdio */
#define TAG_ENV 14      /* NUL-separated environment strings */
#define TAG_DATA 15     /* bytes a syscall moved (a DNS message), as they were */

/* String flags: what of the value is missing. */
#define STR_F_CUT_START 1 /* its start: a path walked up from the file, stopped below the root */
#define STR_F_CUT_END 2   /* its end: longer than the recorder reads */

/* Record flags. */
#define REC_F_ARGV_TRUNC 1
#define REC_F_PATH_TRUNC 2
#define REC_F_ENV_TRUNC 4
#define REC_F_EXE_UPPER 8 /* the executable is in an overlayfs upper layer */

struct shrike_fdinfo {
	__u16 fdtype;   /* S_IFMT >> 12 of the inode, 0 if unknown */
	__u16 family;
	__u16 proto;
	__u16 lport;    /* host order */
	__u16 rport;
	__u16 pad;
	__u8 laddr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 raddr[16];
};

/* What fd 0 and fd 1 refer to when a program starts (all 0 for a closed fd). */
struct shrike_stdio {
	__u64 in_ino;
	__u64 out_ino;
	__u16 in_mode;  /* i_mode */
	__u16 out_mode;
	__u32 pad;
};

/* An io_uring request between its submission and its last completion (the
 * kernel's `uring_reqs`): the recorder reads those left at its stop. */
struct shrike_uring_req {
	__u64 ts;        /* submitted, bpf_ktime_get_boot_ns */
	__u64 user_data;
	__u64 file;      /* the request's struct file, where the kernel took it at submission */
	__u32 flags;     /* an open's flags (UR_FLAGS_KNOWN) */
	__u32 mode;
	__u32 tgid;
	__u32 tid;
	__s32 ring;      /* the ring's fd in the submitter, -1 unknown */
	__s32 fd;        /* the request's fd (UR_FD_KNOWN); an open's dirfd */
	__u8 op;         /* IORING_OP_* */
	__u8 known;      /* UR_* */
	__u8 pad[6];
	char comm[16];
};

/* shrike_uring_req.known; an io_uring record's args[1] >> 8. */
#define UR_FLAGS_KNOWN 1 /* flags and mode are the open's */
#define UR_SLOT 2        /* the open fills a fixed-file slot, not an fd */
#define UR_FD_KNOWN 4    /* fd is the request's */

#endif
