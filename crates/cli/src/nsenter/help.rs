//! `--help` and `--version` texts, laid out like util-linux's and generated
//! from the options table.

use super::options::{row_of, Opt, HELP_EXTENSIONS, HELP_INFO, HELP_ORDER};

/// Descriptions start in this column, as in util-linux.
const DESCRIPTION_COLUMN: usize = 24;

/// What our extensions change without an option of their own.
const ALWAYS_ON: &str = concat!(
    " Signals sent to nsenter are passed on to <program>; nsenter never exits\n",
    " before it. --join-cgroup also works on cgroup v1 and hybrid hosts, and\n",
    " --follow-context follows AppArmor profiles as well as SELinux labels.\n",
    " No descriptor nsenter opens reaches <program>; inherited ones do.\n",
);

/// The exact text `nsenter --help` prints on stdout.
pub fn help_text() -> String {
    let mut out = String::from(
        "\nUsage:\n nsenter [options] [<program> [<argument>...]]\n\n\
         Run a program with namespaces of other processes.\n\nOptions:\n",
    );
    for &id in HELP_ORDER {
        out.push_str(&line(id));
    }
    out.push_str("\n <file> may also be :<nsid>, a namespace id (Linux 6.19).\n\n");
    for &id in HELP_INFO {
        out.push_str(&line(id));
    }
    out.push_str("\nExtensions (not in util-linux):\n");
    for &id in HELP_EXTENSIONS {
        out.push_str(&line(id));
    }
    out.push_str(ALWAYS_ON);
    out.push_str("\nFor more details see nsenter(1).\n");
    out
}

/// The exact text `nsenter --version` prints on stdout.
pub fn version_text() -> String {
    format!(
        "nsenter from nsenter-can {} (util-linux 2.42 compatible)\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn line(id: Opt) -> String {
    crate::table::help_line(row_of(id), DESCRIPTION_COLUMN)
}
