/* The few kernel types shrike reads, declared for CO-RE: field offsets are
 * relocated against the running kernel's BTF at load time, so only the names
 * and types here matter, not the layout. (The full bpftool-generated
 * vmlinux.h is 135k lines; this is all we need.) */
#ifndef SHRIKE_KERNEL_H
#define SHRIKE_KERNEL_H

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
enum { false = 0, true = 1 };

/* Program contexts are UAPI layouts read directly: they must stay outside the
 * preserve_access_index pragma (aya 0.14 rejects relocations on them). */
/* __syscall_nr is an int: the 4 bytes after it are padding, not its upper half.
 * capture/tests/layout_sync.rs checks these against the running kernel's
 * tracefs formats. */
struct sys_exit_ctx {
	u64 common;
	int id;
	int pad;
	long ret;
};

struct sys_enter_ctx {
	u64 common;
	int id;
	int pad;
	unsigned long args[6];
};

struct sched_exec_ctx {
	u64 common;
	u32 filename_loc; /* __data_loc: offset in low 16 bits, length in high 16 */
	s32 pid;
	s32 old_pid;
};

struct sched_exit_ctx {
	u64 common;
	char comm[16];
	s32 pid;
	s32 prio;
	bool group_dead;
};

/* io_uring_create: fd and ring, the same since the tracepoint came (5.5).
 * The submit and complete tracepoints differ between kernels: the programs
 * read them at offsets the loader takes from tracefs (`ur_*` in
 * shrike.bpf.c). */
struct uring_create_ctx {
	u64 common;
	s32 fd;
	s32 pad;
	u64 ring;
	u32 sq_entries;
	u32 cq_entries;
	u32 flags;
};

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

typedef struct { u32 val; } kuid_t;
typedef struct { u32 val; } kgid_t;
/* A u64 since 6.3, u32 cap[2] before: only read whole, never by member. */
typedef struct { u64 val; } kernel_cap_t;
typedef struct { int counter; } atomic_t;

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct super_block {
	unsigned long s_magic;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	unsigned int f_mode;
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path pwd;
};

struct in6_addr {
	u8 s6_addr[16];
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	u16 sk_protocol;
};

struct socket {
	struct sock *sk;
};

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t euid;
	kgid_t egid;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
};

struct upid {
	int nr;
};

struct pid {
	struct upid numbers[1];
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
};

struct signal_struct {
	atomic_t live;
	struct pid *pids[4];
	struct tty_struct *tty;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
	struct file *exe_file;
};

struct task_struct {
	void *stack;
	int pid;
	int tgid;
	int exit_code;
	u64 start_boottime;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	const struct cred *cred;
	struct fs_struct *fs;
	struct files_struct *files;
	struct signal_struct *signal;
	struct mm_struct *mm;
	kuid_t loginuid;
	char comm[16];
};

/* An io_uring request, prepared (its opcode's own data overlays the start
 * of the request: `io_open`, `io_close`). `cqe` came in 6.0. */
struct io_cqe {
	u64 user_data;
	s32 res;
	int fd;
};

struct io_kiocb {
	struct file *file;
	u8 opcode;
	struct io_cqe cqe;
};

struct open_how {
	u64 flags;
	u64 mode;
};

struct filename {
	const char *name;
};

struct io_open {
	int dfd;
	u32 file_slot;
	struct filename *filename;
	struct open_how how;
};

/* 7.x: the name is copied at submission but completed later. */
struct delayed_filename {
	struct filename *__incomplete_filename;
};

struct io_open___delayed {
	struct delayed_filename filename;
};

struct io_connect {
	void *addr; /* user memory */
	int addr_len;
};

struct io_close {
	int fd;
	u32 file_slot;
};

/* Read through a BTF pointer (tp_btf/sys_exit), not from user memory. */
struct pt_regs {
	unsigned long orig_ax;
};

#pragma clang attribute pop

#endif
