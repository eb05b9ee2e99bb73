//! Linux facts the format refers to, in one place: syscall numbers, and the
//! names of the values syscall arguments take (flags, modes, signals, errno),
//! rendered as libsinsp renders them so rules keep Falco's meanings.

mod names;
mod syscalls;

pub use names::*;
pub use syscalls::{syscall_name, syscall_nr};
