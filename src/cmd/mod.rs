//! One module per subcommand: read arguments, call the libraries, print.

pub mod export;
pub mod generate;
pub mod info;
pub mod record;
pub mod replay;
pub mod scan;
pub mod timeline;
pub mod verify;
