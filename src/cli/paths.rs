//! Where things live by default: `$INSATS_DB`, else the user's data directory.

use std::path::PathBuf;

/// The user's data directory for insats: `$XDG_DATA_HOME/insats` or `~/.local/share/insats`.
pub fn data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("insats");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/insats");
    }
    PathBuf::from(".")
}

/// The database used when `--db` is not given.
pub fn default_db() -> PathBuf {
    std::env::var_os("INSATS_DB")
        .filter(|v| !v.is_empty())
        .map_or_else(|| data_dir().join("insats.redb"), PathBuf::from)
}

/// The demo database.
pub fn demo_db() -> PathBuf {
    data_dir().join("demo.redb")
}

/// The operating-system user name, the default insats user of local commands.
pub fn os_user() -> Option<String> {
    ["INSATS_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// Refuses a `--lang` that names neither language (rather than quietly using another one).
pub fn check_lang(arg: Option<&str>) -> Result<(), super::CliError> {
    match arg {
        None | Some("sv" | "en") => Ok(()),
        Some(_) => Err(super::CliError::Usage(
            "--lang takes sv (svenska) or en (English)".into(),
        )),
    }
}

/// The language from `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
pub fn lang(arg: Option<&str>) -> crate::service::Lang {
    let pick = |v: &str| {
        if v.to_ascii_lowercase().starts_with("sv") {
            crate::service::Lang::Sv
        } else {
            crate::service::Lang::En
        }
    };
    if let Some(a) = arg {
        return pick(a);
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .map_or(crate::service::Lang::En, |v| pick(&v))
}
